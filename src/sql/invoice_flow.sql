-- An invoice's way: submit (checks, totals, freeze, delivery), status moves,
-- the buyer's read receipt, time-driven moves.

CREATE TABLE chorus_outbox (
	invoice_id bigint PRIMARY KEY REFERENCES invoice,
	enqueued_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE chorus_outbox IS 'B2G invoices submitted for Chorus Pro, enqueued in the submitting transaction, for the worker to send';

-- The invoice, locked, if the acting party is its supplier or buyer.  C
-- (src/status/invoice_lock.c), shared with the payments written in C.
CREATE FUNCTION lock_invoice(invoice_id bigint, supplier_only boolean) RETURNS invoice
	AS 'MODULE_PATHNAME', 'lock_invoice' LANGUAGE C;
COMMENT ON FUNCTION lock_invoice(bigint, boolean) IS 'internal: locks an invoice the acting party may see (as supplier, or as supplier or buyer)';

-- Platform or Chorus move: the system actor stages it, the guard checks it.
CREATE FUNCTION system_move(invoice_id bigint, actor text, status text, reason text DEFAULT NULL,
							amount numeric DEFAULT NULL, raw_code text DEFAULT NULL) RETURNS void
	AS 'MODULE_PATHNAME', 'system_move' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION system_move(bigint, text, text, text, numeric, text) IS 'internal: a status move made by the platform or the Chorus Pro sync';
REVOKE ALL ON FUNCTION system_move(bigint, text, text, text, numeric, text) FROM PUBLIC;

-- Checks the VAT rates, computes the VAT breakdown and the totals (EN 16931
-- BR-CO-10..17: two decimals, halves away from zero; line amounts are
-- generated columns) and refuses stated amounts that do not add up.
CREATE FUNCTION compute_totals(inv invoice) RETURNS invoice
LANGUAGE plpgsql
AS $$
DECLARE
	bad record;
	mismatches text;
BEGIN
	-- BR-S-05, BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05, BR-O-05: rates per category
	SELECT 'lines[' || line_no || ']' AS at, vat_category, vat_rate INTO bad
	FROM invoice_line WHERE invoice_id = inv.id
	  AND CASE vat_category WHEN 'S' THEN coalesce(vat_rate, 0) <= 0
			WHEN 'O' THEN vat_rate IS NOT NULL ELSE coalesce(vat_rate, -1) <> 0 END
	UNION ALL
	SELECT CASE WHEN is_charge THEN 'charges' ELSE 'allowances' END || '[' || seq || ']',
		   vat_category, vat_rate
	FROM invoice_allowance_charge WHERE invoice_id = inv.id
	  AND CASE vat_category WHEN 'S' THEN coalesce(vat_rate, 0) <= 0
			WHEN 'O' THEN vat_rate IS NOT NULL ELSE coalesce(vat_rate, -1) <> 0 END
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
			USING ERRCODE = '22023',
				  DETAIL = format('%s: VAT category %s %s.', bad.at, bad.vat_category,
								  CASE bad.vat_category WHEN 'S' THEN 'needs a rate above 0'
									   WHEN 'O' THEN 'takes no rate' ELSE 'takes a rate of 0' END);
	END IF;

	SELECT string_agg(format('line %s: net amount %s stated, %s computed (quantity %s x price %s / %s - %s + %s)',
							 line_no, stated_net_amount, net_amount, quantity, net_price,
							 base_quantity, allowance_amount, charge_amount), '; ' ORDER BY line_no)
	INTO mismatches
	FROM invoice_line WHERE invoice_id = inv.id AND stated_net_amount <> net_amount;
	IF mismatches IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % cannot be submitted: wrong line amounts', inv.id
			USING ERRCODE = '22023', DETAIL = mismatches || '.';
	END IF;

	INSERT INTO invoice_vat_breakdown (invoice_id, vat_category, vat_rate, taxable_amount, tax_amount)
	SELECT inv.id, vat_category, coalesce(vat_rate, 0), sum(amount),
		   round(sum(amount) * coalesce(vat_rate, 0) / 100, 2)
	FROM (SELECT vat_category, vat_rate, net_amount AS amount
		  FROM invoice_line WHERE invoice_id = inv.id
		  UNION ALL
		  SELECT vat_category, vat_rate, CASE WHEN is_charge THEN amount ELSE -amount END
		  FROM invoice_allowance_charge WHERE invoice_id = inv.id) parts
	GROUP BY vat_category, coalesce(vat_rate, 0);

	SELECT (SELECT sum(net_amount) FROM invoice_line WHERE invoice_id = inv.id),
		   coalesce(sum(amount) FILTER (WHERE NOT is_charge), 0),
		   coalesce(sum(amount) FILTER (WHERE is_charge), 0),
		   (SELECT sum(tax_amount) FROM invoice_vat_breakdown WHERE invoice_id = inv.id)
	INTO inv.line_total, inv.allowance_total, inv.charge_total, inv.vat_total
	FROM invoice_allowance_charge WHERE invoice_id = inv.id;
	inv.tax_exclusive_total := inv.line_total - inv.allowance_total + inv.charge_total;
	inv.tax_inclusive_total := inv.tax_exclusive_total + inv.vat_total;
	inv.payable_amount := inv.tax_inclusive_total - inv.prepaid_amount + inv.rounding_amount;

	IF inv.stated_totals IS NOT NULL THEN
		SELECT string_agg(format('%s (%s) is %s as stated, %s as computed', k, rule,
								 inv.stated_totals->>k, computed), '; ')
		INTO mismatches
		FROM (VALUES ('line_total', 'BR-CO-10', inv.line_total),
					 ('allowance_total', 'BR-CO-11', inv.allowance_total),
					 ('charge_total', 'BR-CO-12', inv.charge_total),
					 ('tax_exclusive_total', 'BR-CO-13', inv.tax_exclusive_total),
					 ('vat_total', 'BR-CO-14', inv.vat_total),
					 ('tax_inclusive_total', 'BR-CO-15', inv.tax_inclusive_total),
					 ('payable_amount', 'BR-CO-16', inv.payable_amount)) AS t(k, rule, computed)
		WHERE inv.stated_totals ? k
		  AND json_numeric(inv.stated_totals->k, 'totals.' || k) <> computed;
		IF mismatches IS NOT NULL THEN
			RAISE EXCEPTION 'invoice % cannot be submitted: wrong totals', inv.id
				USING ERRCODE = '22023', DETAIL = mismatches || '.';
		END IF;
	END IF;
	RETURN inv;
END
$$;
COMMENT ON FUNCTION compute_totals(invoice) IS 'internal: computes the VAT breakdown and totals of a draft, refusing stated amounts that differ';

CREATE FUNCTION submit(invoice_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice := lock_invoice(invoice_id, true);
	buyer party;
	clash bigint;
BEGIN
	IF inv.submitted_at IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % is already submitted', inv.id USING ERRCODE = '55000';
	END IF;
	IF inv.b2b_status = 'cancelled' THEN
		RAISE EXCEPTION 'invoice % is cancelled', inv.id USING ERRCODE = '55000';
	END IF;
	SELECT * INTO buyer FROM party WHERE id = inv.buyer_id;
	IF inv.channel = 'B2G' THEN
		IF buyer.requires_service_code AND inv.buyer_reference IS NULL THEN
			RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
				USING ERRCODE = '22023',
					  DETAIL = format('%s requires a service code ("buyer_reference", BT-10).', buyer.name);
		END IF;
		IF inv.buyer_reference IS NOT NULL AND NOT EXISTS (
			SELECT FROM public_service s
			WHERE s.party_id = buyer.id AND s.code = inv.buyer_reference AND s.active) THEN
			RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
				USING ERRCODE = '22023',
					  DETAIL = format('"%s" is not an active service of %s.', inv.buyer_reference, buyer.name);
		END IF;
		IF buyer.requires_engagement AND inv.purchase_order IS NULL THEN
			RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
				USING ERRCODE = '22023',
					  DETAIL = format('%s requires a legal commitment number ("purchase_order", BT-13).', buyer.name);
		END IF;
	END IF;
	IF inv.due_date < inv.issue_date THEN
		RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
			USING ERRCODE = '22023',
				  DETAIL = format('Due date %s is before issue date %s.', inv.due_date, inv.issue_date);
	END IF;
	-- an intra-community supply says when and where it was delivered
	IF (coalesce(inv.delivery_date, inv.period_start, inv.period_end) IS NULL OR inv.deliver_to_country IS NULL)
	   AND (EXISTS (SELECT FROM invoice_line l WHERE l.invoice_id = inv.id AND l.vat_category = 'K')
			OR EXISTS (SELECT FROM invoice_allowance_charge a WHERE a.invoice_id = inv.id AND a.vat_category = 'K')) THEN
		RAISE EXCEPTION 'invoice % cannot be submitted', inv.id
			USING ERRCODE = '22023',
				  DETAIL = CASE WHEN coalesce(inv.delivery_date, inv.period_start, inv.period_end) IS NULL
					THEN 'An intra-community supply (VAT category K) gives the actual delivery date ("delivery": {"date"}, BT-72) or the invoicing period ("invoicing_period", BG-14) (BR-IC-11).'
					ELSE 'An intra-community supply (VAT category K) gives the deliver to country ("delivery": {"country"}, BT-80) (BR-IC-12).' END;
	END IF;

	inv := compute_totals(inv);

	-- DOUBLON: same supplier, same number, same year of issue date
	SELECT id INTO clash FROM invoice i
	WHERE i.supplier_id = inv.supplier_id AND i.number = inv.number
	  AND extract(year FROM i.issue_date) = extract(year FROM inv.issue_date)
	  AND i.submitted_at IS NOT NULL
	  AND i.id <> inv.id;
	-- totals, the freeze, the deposit and the delivery (B2B, or B2G reached
	-- directly) in one UPDATE; the guard checks both moves
	IF clash IS NULL THEN
		BEGIN
			PERFORM stage_status_move(NULL, NULL, NULL, 'platform');
			IF inv.channel = 'B2B' THEN
				PERFORM stage_status_then('made_available');
			ELSIF inv.delivery = 'direct' THEN
				PERFORM stage_status_then('MISE_A_DISPOSITION');
			END IF;
			UPDATE invoice
			SET line_total = inv.line_total, allowance_total = inv.allowance_total,
				charge_total = inv.charge_total, tax_exclusive_total = inv.tax_exclusive_total,
				vat_total = inv.vat_total, tax_inclusive_total = inv.tax_inclusive_total,
				payable_amount = inv.payable_amount, submitted_at = now(),
				b2b_status = CASE WHEN channel = 'B2B' THEN 'deposited'::b2b_status END,
				b2g_status = CASE WHEN delivery = 'direct' THEN 'DEPOSEE'::b2g_status END
			WHERE id = inv.id;
		EXCEPTION WHEN unique_violation THEN
			clash := -1;	-- submitted concurrently by another session
		END;
	END IF;
	IF clash IS NOT NULL THEN
		RAISE EXCEPTION 'invoice % is a duplicate (DOUBLON)', inv.id
			USING ERRCODE = '23505',
				  DETAIL = format('Supplier %s already submitted invoice number "%s" in %s%s.',
								  inv.supplier_id, inv.number, extract(year FROM inv.issue_date),
								  CASE WHEN clash > 0 THEN format(' (invoice %s)', clash) ELSE '' END);
	END IF;

	IF inv.channel = 'B2B' THEN
		RETURN 'made_available';
	ELSIF inv.delivery = 'direct' THEN
		RETURN 'MISE_A_DISPOSITION';
	END IF;
	INSERT INTO chorus_outbox (invoice_id) VALUES (inv.id);
	RETURN 'queued';
END
$$;
COMMENT ON FUNCTION submit(bigint) IS 'checks, computes and freezes a draft of the acting supplier, then delivers it: B2B to the buyer''s inbox, B2G directly or queued for Chorus Pro; returns where it stands';

CREATE FUNCTION set_status(invoice_id bigint, status text, reason text DEFAULT NULL,
						   amount numeric DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'set_status' LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = bizinvoice, pg_catalog, pg_temp;
COMMENT ON FUNCTION set_status(bigint, text, text, numeric) IS 'moves an invoice to a status as the acting party (supplier, buyer, or the buyer''s accountant), as the rules allow; returns the status';

-- The read receipt: the buyer's first read moves made_available to in_hand.
CREATE FUNCTION acknowledge(invoice_id bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	-- a reporting tool's read, or one in a read-only transaction, is no receipt
	IF current_setting('transaction_read_only')::boolean
	   OR NOT caller_has_role('bizinvoice_user') THEN
		RETURN false;
	END IF;
	-- locked, so that the move staged below is the one the UPDATE makes
	PERFORM FROM invoice WHERE id = invoice_id AND buyer_id = current_party()
						   AND b2b_status = 'made_available'
	FOR UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM stage_status_move(NULL, NULL, NULL, NULL);
	UPDATE invoice SET b2b_status = 'in_hand'
	WHERE id = invoice_id AND b2b_status = 'made_available';
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION acknowledge(bigint) IS 'internal: the buyer''s read receipt (made_available to in_hand) when one of its users reads it; true if this read moved it';

CREATE FUNCTION open_invoice(invoice_id bigint) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice := lock_invoice(invoice_id, false);
BEGIN
	PERFORM acknowledge(inv.id);
	RETURN (SELECT to_jsonb(i) - ARRAY['stated_totals', 'status_party']
				   || jsonb_build_object(
						'lines', (SELECT jsonb_agg(to_jsonb(l) - 'invoice_id' ORDER BY line_no)
								  FROM invoice_line l WHERE l.invoice_id = i.id),
						'allowances_charges', (SELECT jsonb_agg(to_jsonb(a) - 'invoice_id' ORDER BY seq)
											   FROM invoice_allowance_charge a WHERE a.invoice_id = i.id),
						'vat_breakdown', (SELECT jsonb_agg(to_jsonb(v) - 'invoice_id'
														   ORDER BY vat_category, vat_rate)
										  FROM invoice_vat_breakdown v WHERE v.invoice_id = i.id),
						'notes', (SELECT jsonb_agg(to_jsonb(n) - 'invoice_id' ORDER BY seq)
								  FROM invoice_note n WHERE n.invoice_id = i.id),
						'attachments', (SELECT jsonb_agg(jsonb_build_object('seq', seq, 'filename', filename,
														 'mime_type', mime_type, 'sha256', encode(sha256, 'hex'))
														 ORDER BY seq)
										FROM invoice_attachment t WHERE t.invoice_id = i.id))
			FROM invoice i WHERE i.id = inv.id);
END
$$;
COMMENT ON FUNCTION open_invoice(bigint) IS 'the whole invoice as JSON for its supplier or buyer; the buyer''s first read is the read receipt (in_hand)';

CREATE FUNCTION mark_overdue(as_of date DEFAULT current_date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv bigint;
	moved integer := 0;
BEGIN
	FOR inv IN
		SELECT id FROM invoice
		WHERE channel = 'B2B' AND due_date < as_of
		  AND b2b_status IN ('approved', 'partially_approved', 'payment_scheduled', 'partially_paid',
							 'netted', 'factored', 'factored_confidential', 'not_factored',
							 'payee_changed', 'direct_payment_requested')
		ORDER BY id
		FOR UPDATE SKIP LOCKED
	LOOP
		PERFORM system_move(inv, 'platform', 'overdue');
		moved := moved + 1;
	END LOOP;
	RETURN moved;
END
$$;
COMMENT ON FUNCTION mark_overdue(date) IS 'moves unpaid B2B invoices past their due date to overdue; called daily by the worker; returns how many moved';
REVOKE ALL ON FUNCTION mark_overdue(date) FROM PUBLIC;

CREATE FUNCTION chorus_record_status(invoice_id bigint, status text, raw_code text DEFAULT NULL,
									 comment text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM invoice WHERE id = invoice_id AND channel = 'B2G') THEN
		RAISE EXCEPTION 'invoice % is not a B2G invoice', invoice_id USING ERRCODE = '42704';
	END IF;
	PERFORM system_move(invoice_id, 'chorus', status, comment, NULL, coalesce(raw_code, status));
END
$$;
COMMENT ON FUNCTION chorus_record_status(bigint, text, text, text) IS 'the Chorus Pro sync''s way in: records a B2G status brought back from Chorus Pro (raw code kept); used by the worker and tests';
REVOKE ALL ON FUNCTION chorus_record_status(bigint, text, text, text) FROM PUBLIC;
