-- bizinvoice 0.3 to 0.4: generated from src/sql by make; edit there.
\echo Use "ALTER EXTENSION bizinvoice UPDATE" to load this file. \quit
-- 0.4: status notifications relayed by the background worker.  PostgreSQL
-- serialises the commits of notifying transactions; with
-- bizinvoice.status_notify = relay a move only queues its history entry
-- here, and the worker sends the notifications in batches.

CREATE TABLE status_event (
	history_id bigint PRIMARY KEY
);
COMMENT ON TABLE status_event IS 'status moves whose NOTIFY bizinvoice_status the worker has yet to send (bizinvoice.status_notify = relay)';
COMMENT ON COLUMN status_event.history_id IS 'the move, in status_history';
ALTER TABLE status_event ENABLE ROW LEVEL SECURITY;
SELECT pg_catalog.pg_extension_config_dump('status_event', '');

CREATE FUNCTION status_relay(max_events integer) RETURNS integer
	AS 'MODULE_PATHNAME', 'status_relay' LANGUAGE C STRICT;
COMMENT ON FUNCTION status_relay(integer) IS 'sends NOTIFY bizinvoice_status for up to max_events queued moves, oldest first, and dequeues them; returns how many (the worker calls it)';
REVOKE ALL ON FUNCTION status_relay(integer) FROM PUBLIC;
COMMENT ON FUNCTION status_record() IS 'trigger: appends each status move to status_history and sends NOTIFY bizinvoice_status, or queues it in status_event for the worker to send (bizinvoice.status_notify)';
-- 0.4: the invoicing period (BG-14) and the delivery (BG-13): EN 16931 asks
-- for one of them on an intra-community supply (BR-IC-11, BR-IC-12), and a
-- round trip through UBL or CII keeps them.

ALTER TABLE invoice
	ADD COLUMN period_start date,
	ADD COLUMN period_end date,
	ADD COLUMN delivery_date date,
	ADD COLUMN deliver_to_name text,
	ADD COLUMN deliver_to_country text,
	ADD CONSTRAINT invoice_period_order CHECK (period_end >= period_start),
	ADD CONSTRAINT invoice_deliver_to_country CHECK (deliver_to_country ~ '^[A-Z]{2}$');
COMMENT ON COLUMN invoice.period_start IS 'BT-73 invoicing period start date';
COMMENT ON COLUMN invoice.period_end IS 'BT-74 invoicing period end date (BR-29: not before the start)';
COMMENT ON COLUMN invoice.delivery_date IS 'BT-72 actual delivery date';
COMMENT ON COLUMN invoice.deliver_to_name IS 'BT-70 deliver to party name';
COMMENT ON COLUMN invoice.deliver_to_country IS 'BT-80 deliver to country code (ISO 3166-1 alpha-2)';
CREATE OR REPLACE FUNCTION create_invoice(doc jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	top_keys CONSTANT text[] := ARRAY['number', 'issue_date', 'type_code', 'currency', 'due_date',
		'buyer', 'payee', 'buyer_reference', 'purchase_order', 'contract_reference',
		'preceding_invoice', 'payment', 'notes', 'lines', 'allowances', 'charges', 'totals',
		'prepaid_amount', 'rounding_amount', 'attachments', 'invoicing_period', 'delivery'];
	line_keys CONSTANT text[] := ARRAY['id', 'item_name', 'description', 'quantity', 'unit_code',
		'net_price', 'base_quantity', 'allowance_amount', 'charge_amount', 'vat_category',
		'vat_rate', 'net_amount'];
	ac_keys CONSTANT text[] := ARRAY['amount', 'vat_category', 'vat_rate', 'reason', 'reason_code'];
	total_keys CONSTANT text[] := ARRAY['line_total', 'allowance_total', 'charge_total',
		'tax_exclusive_total', 'vat_total', 'tax_inclusive_total', 'payable_amount'];
	supplier bigint := require_party();
	buyer bigint;
	buyer_row party;
	new_id bigint;
	bad record;
BEGIN
	PERFORM json_check_keys(doc, top_keys, 'invoice', 'the invoice');
	IF coalesce(btrim(doc->>'number'), '') = '' THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The invoice number ("number", BT-1) is missing.';
	END IF;
	IF doc->'issue_date' IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The issue date ("issue_date", BT-2) is missing.';
	END IF;
	IF doc->'buyer' IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The buyer ("buyer") is missing.';
	END IF;
	IF jsonb_typeof(doc->'lines') IS DISTINCT FROM 'array' OR jsonb_array_length(doc->'lines') = 0 THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'An invoice has at least one line ("lines", BG-25).';
	END IF;
	PERFORM json_check_keys(doc->'payment', ARRAY['means_code', 'iban', 'bic', 'terms'],
							'invoice', 'payment');
	PERFORM json_check_keys(doc->'preceding_invoice', ARRAY['number', 'issue_date'],
							'invoice', 'preceding_invoice');
	PERFORM json_check_keys(doc->'totals', total_keys, 'invoice', 'totals');
	PERFORM json_check_keys(doc->'invoicing_period', ARRAY['start_date', 'end_date'],
							'invoice', 'invoicing_period');
	PERFORM json_check_keys(doc->'delivery', ARRAY['date', 'name', 'country'], 'invoice', 'delivery');
	IF json_date(doc #> '{invoicing_period,end_date}', 'invoicing_period.end_date')
	   < json_date(doc #> '{invoicing_period,start_date}', 'invoicing_period.start_date') THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = format('The invoicing period ends (%s) before it starts (%s) (BR-29).',
								  doc #>> '{invoicing_period,end_date}', doc #>> '{invoicing_period,start_date}');
	END IF;
	IF doc #>> '{delivery,country}' !~ '^[A-Za-z]{2}$' THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = format('delivery.country (BT-80) must be an ISO 3166-1 alpha-2 code, not "%s".',
								  doc #>> '{delivery,country}');
	END IF;
	SELECT l, i INTO bad FROM jsonb_array_elements(doc->'lines') WITH ORDINALITY AS e(l, i)
	WHERE jsonb_typeof(l) <> 'object' OR EXISTS (SELECT FROM jsonb_object_keys(l) k WHERE k <> ALL (line_keys))
	LIMIT 1;
	IF FOUND THEN
		PERFORM json_check_keys(bad.l, line_keys, 'invoice', format('lines[%s]', bad.i));
	END IF;
	IF doc ? 'allowances' OR doc ? 'charges' THEN
		SELECT a, i, kind INTO bad
		FROM (SELECT a, i, 'allowances' AS kind
			  FROM jsonb_array_elements(coalesce(doc->'allowances', '[]')) WITH ORDINALITY AS e(a, i)
			  UNION ALL
			  SELECT a, i, 'charges'
			  FROM jsonb_array_elements(coalesce(doc->'charges', '[]')) WITH ORDINALITY AS e(a, i)) x
		WHERE jsonb_typeof(a) <> 'object' OR EXISTS (SELECT FROM jsonb_object_keys(a) k WHERE k <> ALL (ac_keys))
		LIMIT 1;
		IF FOUND THEN
			PERFORM json_check_keys(bad.a, ac_keys, 'invoice', format('%s[%s]', bad.kind, bad.i));
		END IF;
	END IF;

	IF coalesce(json_numeric(doc->'type_code', 'type_code'), 380) NOT IN (380, 381, 384, 389) THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = format('type_code (BT-3) %s is none of 380 (invoice), 381 (credit note), 384 (corrective), 389 (self-billed).',
								  doc->'type_code');
	END IF;
	IF doc->>'type_code' = '381' AND doc #>> '{preceding_invoice,number}' IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023',
				  DETAIL = 'A credit note names the invoice it corrects ("preceding_invoice": {"number", "issue_date"}, BG-3).';
	END IF;
	-- every number of the lines and allowances at once: present where needed,
	-- decimal, not negative; then they are cast directly
	SELECT CASE WHEN v IS NULL OR jsonb_typeof(v) = 'null' THEN format('%s.%s is missing.', at, k)
				WHEN NOT is_decimal THEN format('%s.%s must be a decimal number, not %s.', at, k, v)
				ELSE format('%s.%s must not be negative (%s), not %s.', at, k, rule, v) END AS msg
	INTO bad
	FROM (SELECT format('lines[%s]', i) AS at, k, l->k AS v, required, rule
		  FROM jsonb_array_elements(doc->'lines') WITH ORDINALITY AS e(l, i),
			   (VALUES ('quantity', true, NULL), ('net_price', true, 'BR-27'),
					   ('base_quantity', false, 'BR-28'), ('allowance_amount', false, 'BR-41'),
					   ('charge_amount', false, 'BR-43'), ('vat_rate', false, NULL),
					   ('net_amount', false, NULL)) AS r(k, required, rule)
		  UNION ALL
		  SELECT format('%s[%s]', kind, i), k, a->k, required, rule
		  FROM (SELECT a, i, 'allowances' AS kind FROM jsonb_array_elements(coalesce(doc->'allowances', '[]')) WITH ORDINALITY AS e(a, i)
				UNION ALL
				SELECT a, i, 'charges' FROM jsonb_array_elements(coalesce(doc->'charges', '[]')) WITH ORDINALITY AS e(a, i)) ac,
			   (VALUES ('amount', true, 'BR-31'), ('vat_rate', false, NULL)) AS r(k, required, rule)) x,
		 LATERAL (SELECT json_is_decimal(v) AS is_decimal) d
	WHERE (required AND (v IS NULL OR jsonb_typeof(v) = 'null'))
	   OR (v IS NOT NULL AND jsonb_typeof(v) <> 'null'
		   AND (NOT is_decimal OR (rule IS NOT NULL AND (v #>> '{}')::numeric < 0)))
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'invalid invoice document' USING ERRCODE = '22023', DETAIL = bad.msg;
	END IF;
	SELECT format('lines[%s].%s', i, CASE WHEN coalesce(btrim(l->>'item_name'), '') = '' THEN 'item_name is missing (BR-25).'
											ELSE 'base_quantity must be above 0 (BR-28), not ' || (l->>'base_quantity') || '.' END) AS msg
	INTO bad
	FROM jsonb_array_elements(doc->'lines') WITH ORDINALITY AS e(l, i)
	WHERE coalesce(btrim(l->>'item_name'), '') = '' OR (l->>'base_quantity')::numeric = 0
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'invalid invoice document' USING ERRCODE = '22023', DETAIL = bad.msg;
	END IF;

	buyer := resolve_party(doc->'buyer', 'buyer');
	SELECT * INTO buyer_row FROM party WHERE id = buyer;
	IF buyer = supplier THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = 'The buyer is the supplier itself.';
	END IF;

	INSERT INTO invoice (supplier_id, buyer_id, payee_id, channel, delivery, number, issue_date,
						 type_code, currency, due_date, buyer_reference, purchase_order,
						 contract_reference, preceding_number, preceding_issue_date,
						 payment_means_code, payment_iban, payment_bic, payment_terms,
						 prepaid_amount, rounding_amount, stated_totals, b2b_status,
						 period_start, period_end, delivery_date, deliver_to_name, deliver_to_country)
	VALUES (supplier, buyer, resolve_party(doc->'payee', 'payee'),
			CASE buyer_row.kind WHEN 'company' THEN 'B2B' ELSE 'B2G' END,
			coalesce(buyer_row.delivery, 'platform'),
			btrim(doc->>'number'), json_date(doc->'issue_date', 'issue_date'),
			coalesce(json_numeric(doc->'type_code', 'type_code'), 380),
			coalesce(upper(doc->>'currency'), 'EUR'),
			json_date(doc->'due_date', 'due_date'),
			doc->>'buyer_reference', doc->>'purchase_order', doc->>'contract_reference',
			doc #>> '{preceding_invoice,number}',
			json_date(doc #> '{preceding_invoice,issue_date}', 'preceding_invoice.issue_date'),
			coalesce(doc #>> '{payment,means_code}', '58'),
			(doc #>> '{payment,iban}')::iban, (doc #>> '{payment,bic}')::bic,
			doc #>> '{payment,terms}',
			coalesce(json_numeric(doc->'prepaid_amount', 'prepaid_amount'), 0),
			coalesce(json_numeric(doc->'rounding_amount', 'rounding_amount'), 0),
			doc->'totals',
			CASE buyer_row.kind WHEN 'company' THEN 'draft'::b2b_status END,
			json_date(doc #> '{invoicing_period,start_date}', 'invoicing_period.start_date'),
			json_date(doc #> '{invoicing_period,end_date}', 'invoicing_period.end_date'),
			json_date(doc #> '{delivery,date}', 'delivery.date'),
			doc #>> '{delivery,name}', upper(doc #>> '{delivery,country}'))
	RETURNING id INTO new_id;

	-- the numbers were checked above; jsonb_to_recordset reads each line once
	INSERT INTO invoice_line (invoice_id, line_no, line_id, item_name, description, quantity,
							  unit_code, net_price, base_quantity, allowance_amount, charge_amount,
							  vat_category, vat_rate, stated_net_amount)
	SELECT new_id, i, coalesce(l.id, i::text), l.item_name, l.description, l.quantity,
		   coalesce(l.unit_code, 'C62'), l.net_price, coalesce(l.base_quantity, 1),
		   coalesce(l.allowance_amount, 0), coalesce(l.charge_amount, 0),
		   coalesce(upper(l.vat_category), 'S'), l.vat_rate, l.net_amount
	FROM ROWS FROM (jsonb_to_recordset(doc->'lines') AS (id text, item_name text, description text,
		quantity numeric, unit_code text, net_price numeric, base_quantity numeric,
		allowance_amount numeric, charge_amount numeric, vat_category text, vat_rate numeric,
		net_amount numeric))
		WITH ORDINALITY AS l(id, item_name, description, quantity, unit_code, net_price, base_quantity,
							 allowance_amount, charge_amount, vat_category, vat_rate, net_amount, i);

	IF doc ? 'allowances' OR doc ? 'charges' THEN
		INSERT INTO invoice_allowance_charge (invoice_id, seq, is_charge, amount, vat_category,
											  vat_rate, reason, reason_code)
		SELECT new_id, row_number() OVER (ORDER BY is_charge, i), is_charge, (a->>'amount')::numeric,
			   coalesce(upper(a->>'vat_category'), 'S'), (a->>'vat_rate')::numeric,
			   a->>'reason', a->>'reason_code'
		FROM (SELECT a, i, false AS is_charge
			  FROM jsonb_array_elements(coalesce(doc->'allowances', '[]')) WITH ORDINALITY AS e(a, i)
			  UNION ALL
			  SELECT a, i, true
			  FROM jsonb_array_elements(coalesce(doc->'charges', '[]')) WITH ORDINALITY AS e(a, i)) x;
	END IF;
	IF doc ? 'notes' THEN
		INSERT INTO invoice_note (invoice_id, seq, subject_code, content)
		SELECT new_id, i, nt->>'subject_code', coalesce(nt->>'text', nt #>> '{}')
		FROM jsonb_array_elements(doc->'notes') WITH ORDINALITY AS e(nt, i);
	END IF;
	IF doc ? 'attachments' THEN
		INSERT INTO invoice_attachment (invoice_id, seq, filename, mime_type, description, content)
		SELECT new_id, i, at->>'filename', coalesce(at->>'mime_type', 'application/pdf'),
			   at->>'description', decode(at->>'content_base64', 'base64')
		FROM jsonb_array_elements(doc->'attachments') WITH ORDINALITY AS e(at, i);
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION create_invoice(jsonb) IS 'creates a draft invoice of the acting party from a JSON document keyed by EN 16931 names (see README); returns its id';
CREATE OR REPLACE FUNCTION submit(invoice_id bigint) RETURNS text
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
	-- totals, the freeze and the deposit in one UPDATE; the guard checks the move
	IF clash IS NULL THEN
		BEGIN
			PERFORM stage_status_move(NULL, NULL, NULL, 'platform');
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
		PERFORM system_move(inv.id, 'platform', 'made_available');
		RETURN 'made_available';
	ELSIF inv.delivery = 'direct' THEN
		PERFORM system_move(inv.id, 'platform', 'MISE_A_DISPOSITION');
		RETURN 'MISE_A_DISPOSITION';
	END IF;
	INSERT INTO chorus_outbox (invoice_id) VALUES (inv.id);
	RETURN 'queued';
END
$$;
COMMENT ON FUNCTION submit(bigint) IS 'checks, computes and freezes a draft of the acting supplier, then delivers it: B2B to the buyer''s inbox, B2G directly or queued for Chorus Pro; returns where it stands';
CREATE OR REPLACE FUNCTION invoice_document(invoice_id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
BEGIN
	RETURN (SELECT jsonb_strip_nulls(jsonb_build_object(
		'number', i.number, 'issue_date', i.issue_date, 'type_code', i.type_code,
		'currency', i.currency, 'due_date', i.due_date,
		'buyer_reference', i.buyer_reference, 'purchase_order', i.purchase_order,
		'contract_reference', i.contract_reference,
		'preceding_invoice', CASE WHEN i.preceding_number IS NOT NULL THEN
			jsonb_build_object('number', i.preceding_number, 'issue_date', i.preceding_issue_date) END,
		'payment', jsonb_build_object('means_code', i.payment_means_code,
									  'iban', coalesce(i.payment_iban::text, i.payment_account),
									  'bic', i.payment_bic, 'terms', i.payment_terms),
		'invoicing_period', CASE WHEN coalesce(i.period_start, i.period_end) IS NOT NULL THEN
			jsonb_build_object('start_date', i.period_start, 'end_date', i.period_end) END,
		'delivery', CASE WHEN coalesce(i.delivery_date::text, i.deliver_to_name, i.deliver_to_country) IS NOT NULL
			THEN jsonb_build_object('date', i.delivery_date, 'name', i.deliver_to_name,
									'country', i.deliver_to_country) END,
		'seller', party_document(i.supplier_id), 'buyer', party_document(i.buyer_id),
		'payee', party_document(i.payee_id),
		'notes', (SELECT jsonb_agg(jsonb_build_object('subject_code', subject_code, 'text', content)
								   ORDER BY seq)
				  FROM invoice_note n WHERE n.invoice_id = i.id),
		'lines', (SELECT jsonb_agg(jsonb_build_object(
						'id', line_id, 'item_name', item_name, 'description', description,
						'quantity', quantity, 'unit_code', unit_code, 'net_price', net_price,
						'base_quantity', base_quantity, 'allowance_amount', allowance_amount,
						'charge_amount', charge_amount, 'vat_category', vat_category,
						'vat_rate', vat_rate, 'net_amount', net_amount) ORDER BY line_no)
				  FROM invoice_line l WHERE l.invoice_id = i.id),
		'allowances', (SELECT jsonb_agg(jsonb_build_object('amount', amount, 'vat_category', vat_category,
										'vat_rate', vat_rate, 'reason', reason, 'reason_code', reason_code)
										ORDER BY seq)
					   FROM invoice_allowance_charge a WHERE a.invoice_id = i.id AND NOT is_charge),
		'charges', (SELECT jsonb_agg(jsonb_build_object('amount', amount, 'vat_category', vat_category,
									 'vat_rate', vat_rate, 'reason', reason, 'reason_code', reason_code)
									 ORDER BY seq)
					FROM invoice_allowance_charge a WHERE a.invoice_id = i.id AND is_charge),
		'vat_breakdown', (SELECT jsonb_agg(jsonb_build_object(
								'vat_category', vat_category, 'vat_rate', vat_rate,
								'taxable_amount', taxable_amount, 'tax_amount', tax_amount,
								'exemption_reason', exemption_reason)
								ORDER BY vat_category, vat_rate)
						  FROM invoice_vat_breakdown v WHERE v.invoice_id = i.id),
		'prepaid_amount', i.prepaid_amount, 'rounding_amount', i.rounding_amount,
		'totals', jsonb_build_object(
			'line_total', i.line_total, 'allowance_total', i.allowance_total,
			'charge_total', i.charge_total, 'tax_exclusive_total', i.tax_exclusive_total,
			'vat_total', i.vat_total, 'tax_inclusive_total', i.tax_inclusive_total,
			'payable_amount', i.payable_amount)))
	FROM invoice i WHERE i.id = invoice_document.invoice_id);
END
$$;
COMMENT ON FUNCTION invoice_document(bigint) IS 'internal: an invoice as create_invoice''s document with its parties, VAT breakdown and totals';
CREATE OR REPLACE FUNCTION import_read(r jsonb, source bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	acting bigint := current_party();
	warnings text[] := '{}';
	fatal text;
	seller bigint;
	buyer bigint;
	payee bigint;
	doc jsonb := r->'invoice';
	account text;
	new_id bigint;
BEGIN
	SELECT string_agg(format('%s at %s: %s', f->>'rule', f->>'location', f->>'message'), E'\n'
					  ORDER BY i)
	INTO fatal
	FROM jsonb_array_elements(r->'findings') WITH ORDINALITY AS e(f, i)
	WHERE f->>'severity' = 'fatal';
	IF fatal IS NOT NULL THEN
		RAISE EXCEPTION 'invoice document breaks EN 16931 rules'
			USING ERRCODE = '22023', DETAIL = fatal,
				  HINT = 'bizinvoice.validate_invoice() lists every finding.';
	END IF;
	IF acting IS NULL AND NOT caller_has_role('bizinvoice_admin') THEN
		RAISE EXCEPTION 'no party is acting'
			USING ERRCODE = '42501', HINT = 'Call bizinvoice.act_as(party) first.';
	END IF;

	SELECT s.party_id, s.warnings INTO seller, warnings
	FROM import_party(r->'seller', 'seller', acting IS NULL, NULL, warnings) s;
	IF acting IS NOT NULL AND seller IS DISTINCT FROM acting THEN
		RAISE EXCEPTION 'the seller of the invoice document is not the acting party'
			USING ERRCODE = '42501',
				  DETAIL = format('The document''s seller %s is %s; party %s is acting.',
								  r->'seller', coalesce('party ' || seller, 'not a registered party'), acting),
				  HINT = 'A party imports its own invoices: act as the seller.';
	END IF;
	SELECT b.party_id, b.warnings INTO buyer, warnings
	FROM import_party(r->'buyer', 'buyer', true, seller, warnings) b;
	SELECT p.party_id, p.warnings INTO payee, warnings
	FROM import_party(r->'payee', 'payee', true, seller, warnings) p;

	account := doc #>> '{payment,iban}';
	IF account IS NOT NULL AND NOT is_valid_iban(account) THEN
		warnings := warnings || format('the payment account %s is not a valid IBAN: kept as received, not for payments', account);
		doc := doc #- '{payment,iban}';
	ELSE
		account := NULL;
	END IF;
	IF doc #>> '{payment,bic}' IS NOT NULL AND NOT is_valid_bic(doc #>> '{payment,bic}') THEN
		warnings := warnings || format('the BIC %s is not valid and was not kept', doc #>> '{payment,bic}');
		doc := doc #- '{payment,bic}';
	END IF;
	doc := doc || jsonb_build_object('buyer', buyer, 'payee', payee);

	IF acting IS NULL THEN
		-- an administrator imports for the seller, for this call only (an
		-- error undoes it with the (sub)transaction it aborts)
		PERFORM act_as(seller, true);
		new_id := create_invoice(doc);
		PERFORM act_as(NULL, true);
	ELSE
		new_id := create_invoice(doc);
	END IF;
	IF account IS NOT NULL THEN
		UPDATE invoice SET payment_account = account WHERE id = new_id;
	END IF;
	INSERT INTO invoice_source (invoice_id, syntax, document, not_mapped, findings)
	VALUES (new_id, r->>'syntax', source,
			ARRAY(SELECT jsonb_array_elements_text(r->'not_mapped')), r->'findings');

	warnings := warnings || ARRAY(SELECT format('%s at %s: %s', f->>'rule', f->>'location', f->>'message')
								  FROM jsonb_array_elements(r->'findings') f);
	IF cardinality(warnings) > 0 THEN
		RAISE WARNING 'invoice % imported with % warnings', new_id, cardinality(warnings)
			USING DETAIL = array_to_string(warnings, E'\n');
	END IF;
	IF jsonb_array_length(r->'not_mapped') > 0 THEN
		RAISE NOTICE 'invoice %: % elements of the document are not held by the invoice model', new_id,
			jsonb_array_length(r->'not_mapped')
			USING DETAIL = (SELECT string_agg(p, E'\n') FROM jsonb_array_elements_text(r->'not_mapped') p),
				  HINT = 'The document is kept as received in bizinvoice.invoice_source.';
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION import_read(jsonb, bytea) IS 'internal: creates the draft of a read invoice document, refusing fatal findings and registering unknown parties';
