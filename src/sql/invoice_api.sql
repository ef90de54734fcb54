-- The invoice API: create a draft from JSON, submit it, move it.

-- Refuses keys of obj that are not in known; where says where obj is.
CREATE FUNCTION json_check_keys(obj jsonb, known text[], what text, where_ text) RETURNS void
	AS 'MODULE_PATHNAME', 'json_check_keys' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_check_keys(jsonb, text[], text, text) IS 'internal: refuses unknown keys in a JSON document, naming where';

-- A JSON number, or a string holding one, as numeric; where names it in errors.
CREATE FUNCTION json_numeric(v jsonb, where_ text) RETURNS numeric
	AS 'MODULE_PATHNAME', 'json_numeric' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_numeric(jsonb, text) IS 'internal: a JSON number (or numeric string) as exact numeric, with a clear error';

CREATE FUNCTION json_date(v jsonb, where_ text) RETURNS date
	AS 'MODULE_PATHNAME', 'json_date' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_date(jsonb, text) IS 'internal: a JSON "YYYY-MM-DD" string as date, with a clear error';

-- The lines, allowances and charges: objects of known keys; then their
-- numbers (present where needed, decimal, not negative), item names and base
-- quantities, refusing the first fault in document order.
CREATE FUNCTION json_check_part_keys(doc jsonb, line_keys text[], part_keys text[]) RETURNS void
	AS 'MODULE_PATHNAME', 'json_check_part_keys' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_check_part_keys(jsonb, text[], text[]) IS 'internal: refuses lines, allowances and charges of an invoice document that are not objects of known keys';
CREATE FUNCTION json_check_part_values(doc jsonb) RETURNS void
	AS 'MODULE_PATHNAME', 'json_check_part_values' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION json_check_part_values(jsonb) IS 'internal: refuses missing, non-decimal or negative numbers, missing item names and zero base quantities in the lines, allowances and charges of an invoice document';

-- A party named by id, or by {"siret"}, {"siren"} or {"vat_id"}.
CREATE FUNCTION resolve_party(ref jsonb, where_ text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
	found bigint;
	n integer;
BEGIN
	IF ref IS NULL OR jsonb_typeof(ref) = 'null' THEN
		RETURN NULL;
	ELSIF jsonb_typeof(ref) = 'number' THEN
		SELECT id INTO found FROM party WHERE id = ref::bigint;
	ELSE
		PERFORM json_check_keys(ref, ARRAY['siret', 'siren', 'vat_id'], 'invoice', where_);
		SELECT min(id), count(*) INTO found, n FROM party
		WHERE (ref ? 'siret' AND siret = (ref->>'siret')::siret)
		   OR (ref ? 'siren' AND NOT ref ? 'siret' AND siren = (ref->>'siren')::siren)
		   OR (ref ? 'vat_id' AND NOT ref ? 'siret' AND NOT ref ? 'siren'
			   AND vat_id = (ref->>'vat_id')::vat_id);
		IF n > 1 THEN
			RAISE EXCEPTION 'invalid invoice document'
				USING ERRCODE = '22023',
					  DETAIL = format('%s %s names %s registered parties; give a SIRET.', where_, ref, n);
		END IF;
	END IF;
	IF found IS NULL THEN
		RAISE EXCEPTION 'invalid invoice document'
			USING ERRCODE = '22023', DETAIL = format('%s %s is not a registered party.', where_, ref),
				  HINT = 'Register it first with bizinvoice.register_party().';
	END IF;
	RETURN found;
END
$$;
COMMENT ON FUNCTION resolve_party(jsonb, text) IS 'internal: the party an invoice document names, by id, SIRET, SIREN or VAT id';

-- The acting party, which must exist.
CREATE FUNCTION require_party() RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
	p bigint := current_party();
BEGIN
	IF p IS NULL THEN
		RAISE EXCEPTION 'no party is acting'
			USING ERRCODE = '42501', HINT = 'Call bizinvoice.act_as(party) first.';
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION require_party() IS 'internal: the acting party, or an error when none acts';

CREATE FUNCTION create_invoice(doc jsonb) RETURNS bigint
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
	PERFORM json_check_part_keys(doc, line_keys, ac_keys);

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
	PERFORM json_check_part_values(doc);

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
