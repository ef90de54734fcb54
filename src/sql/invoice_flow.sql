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

-- Checks a draft, computes its VAT breakdown and totals (EN 16931
-- BR-CO-10..17: two decimals, halves away from zero; line amounts are
-- generated columns), refuses stated amounts that do not add up and
-- duplicates (DOUBLON: same supplier, number and year of issue), freezes it
-- and delivers it.  C (src/invoice/submit.c, totals.c).
CREATE FUNCTION submit(invoice_id bigint) RETURNS text
	AS 'MODULE_PATHNAME', 'submit' LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = bizinvoice, pg_catalog, pg_temp;
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
