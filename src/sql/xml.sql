-- EN 16931 documents (UBL 2.1, CII D16B): validation, import, export.
-- New in 0.2: this file is also the upgrade script from 0.1.

CREATE FUNCTION validate_invoice(document xml)
RETURNS TABLE (rule_id text, severity text, location text, message text)
	AS 'MODULE_PATHNAME', 'bizinvoice_validate_invoice' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION validate_invoice(document text)
RETURNS TABLE (rule_id text, severity text, location text, message text)
	AS 'MODULE_PATHNAME', 'bizinvoice_validate_invoice' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION validate_invoice(document bytea)
RETURNS TABLE (rule_id text, severity text, location text, message text)
	AS 'MODULE_PATHNAME', 'bizinvoice_validate_invoice' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION validate_invoice(xml) IS 'the EN 16931 rules a UBL or CII invoice breaks: rule, fatal or warning, XPath, message';
COMMENT ON FUNCTION validate_invoice(text) IS 'the EN 16931 rules a UBL or CII invoice (as text) breaks: rule, fatal or warning, XPath, message';
COMMENT ON FUNCTION validate_invoice(bytea) IS 'the EN 16931 rules a UBL or CII invoice file breaks (its encoding declaration followed): rule, fatal or warning, XPath, message';

CREATE FUNCTION read_invoice_document(document xml) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bizinvoice_read_invoice' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION read_invoice_document(document text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bizinvoice_read_invoice' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION read_invoice_document(document bytea) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bizinvoice_read_invoice' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION read_invoice_document(xml) IS 'internal: a UBL or CII invoice as create_invoice and register_party documents, with what was not mapped and the rule findings';
COMMENT ON FUNCTION read_invoice_document(text) IS 'internal: a UBL or CII invoice (as text) as create_invoice and register_party documents, with what was not mapped and the rule findings';
COMMENT ON FUNCTION read_invoice_document(bytea) IS 'internal: a UBL or CII invoice file as create_invoice and register_party documents, with what was not mapped and the rule findings';

CREATE FUNCTION invoice_xml(document jsonb, format text) RETURNS xml
	AS 'MODULE_PATHNAME', 'bizinvoice_invoice_xml' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice_xml(jsonb, text) IS 'internal: writes an invoice_document() as UBL 2.1 (ubl) or CII D16B (cii)';

-- What documents from other platforms carry that 0.1 did not hold.
ALTER TABLE party ADD COLUMN identifier text, ADD COLUMN identifier_scheme text;
COMMENT ON COLUMN party.identifier IS 'an identifier of another scheme than SIRET or SIREN (BT-29/46/60: a GLN, a foreign registration number)';
COMMENT ON COLUMN party.identifier_scheme IS 'the ISO 6523 scheme of identifier (0088 GLN, ...), if given';
ALTER TABLE invoice ADD COLUMN payment_account text;
COMMENT ON COLUMN invoice.payment_account IS 'BT-84 of an imported document when it is not a valid IBAN (kept as received; payments use payment_iban)';

CREATE TABLE invoice_source (
	invoice_id bigint PRIMARY KEY REFERENCES invoice ON DELETE CASCADE,
	syntax text NOT NULL CHECK (syntax IN ('ubl', 'cii')),
	document bytea NOT NULL,
	sha256 bytea GENERATED ALWAYS AS (sha256(document)) STORED,
	not_mapped text[] NOT NULL,
	findings jsonb NOT NULL,
	imported_at timestamptz NOT NULL DEFAULT now(),
	imported_by name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE invoice_source IS 'the XML document an invoice was imported from, as received, with what the import did not map and the warnings it had';
COMMENT ON COLUMN invoice_source.not_mapped IS 'XPaths of the document''s elements whose values the invoice model does not hold';

-- A party of an imported document: found by SIRET, else (never as the party
-- named other: the seller, for the buyer) by SIREN, VAT id, another scheme's
-- identifier, or name and country among parties with none of those; else
-- registered as a company.
-- Identifiers that fail their check digits are dropped, with a warning: a
-- third party's document is not ours to refuse for them.
CREATE FUNCTION import_party(doc jsonb, role text, register boolean, other bigint,
							 INOUT warnings text[], OUT party_id bigint)
LANGUAGE plpgsql
AS $$
DECLARE
	kind text;
	ok boolean;
	clean jsonb := doc;
BEGIN
	IF doc IS NULL THEN
		RETURN;
	END IF;
	FOREACH kind IN ARRAY ARRAY['siret', 'siren', 'vat_id'] LOOP
		IF doc ? kind THEN
			ok := CASE kind WHEN 'siret' THEN is_valid_siret(doc->>kind)
							WHEN 'siren' THEN is_valid_siren(doc->>kind)
							ELSE is_valid_vat_id(doc->>kind) END;
			IF NOT ok THEN
				warnings := warnings || format('the %s''s %s %s is not valid and was not kept', role, kind, doc->>kind);
				clean := clean - kind;
			END IF;
		END IF;
	END LOOP;
	-- a SIRET names its SIREN
	IF clean ? 'siret' AND clean ? 'siren' AND left(clean->>'siret', 9) <> (clean->>'siren')::siren::text THEN
		warnings := warnings || format('the %s''s SIREN %s is not that of its SIRET %s; the SIRET was kept',
									   role, clean->>'siren', clean->>'siret');
		clean := clean - 'siren';
	END IF;
	SELECT p.id INTO party_id FROM party p
	WHERE (clean ? 'siret' AND p.siret = (clean->>'siret')::siret)
	ORDER BY p.id LIMIT 1;
	IF party_id IS NULL AND clean ? 'siren' THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.siren = (clean->>'siren')::siren AND p.siret IS NULL AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND clean ? 'vat_id' AND NOT clean ? 'siret' THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.vat_id = (clean->>'vat_id')::vat_id AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND clean ? 'identifier' AND NOT (clean ?| ARRAY['siret', 'siren', 'vat_id']) THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.identifier = clean->>'identifier'
		  AND p.identifier_scheme IS NOT DISTINCT FROM clean->>'identifier_scheme'
		  AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND NOT (clean ?| ARRAY['siret', 'siren', 'vat_id', 'identifier']) THEN
		SELECT p.id INTO party_id FROM party p
		WHERE p.name = clean->>'name' AND p.country_code = coalesce(clean->>'country_code', 'FR')
		  AND p.siret IS NULL AND p.siren IS NULL AND p.vat_id IS NULL
		  AND p.id IS DISTINCT FROM other
		ORDER BY p.id LIMIT 1;
	END IF;
	IF party_id IS NULL AND register THEN
		INSERT INTO party (kind, name, siren, siret, vat_id, identifier, identifier_scheme,
						   address_line1, address_line2, postal_code, city, country_code, email)
		VALUES ('company', clean->>'name',
				coalesce((clean->>'siren')::siren, (clean->>'siret')::siret::siren),
				(clean->>'siret')::siret, (clean->>'vat_id')::vat_id,
				clean->>'identifier', clean->>'identifier_scheme',
				clean->>'address_line1', clean->>'address_line2', clean->>'postal_code',
				clean->>'city', coalesce(upper(clean->>'country_code'), 'FR'),
				CASE WHEN clean->>'email' ~ '^[^@[:space:]]+@[^@[:space:]]+$' THEN clean->>'email' END)
		RETURNING id INTO party_id;
		warnings := warnings || format('the %s %s was registered as party %s', role,
									   quote_literal(clean->>'name'), party_id);
	END IF;
END
$$;
COMMENT ON FUNCTION import_party(jsonb, text, boolean, bigint, text[]) IS 'internal: the party an imported document names, registered when unknown and asked to';

CREATE FUNCTION import_read(r jsonb, source bytea) RETURNS bigint
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

-- plpgsql, not sql: a SECURITY DEFINER sql function is planned again at
-- every call
CREATE FUNCTION import_invoice(document xml) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$ BEGIN RETURN import_read(read_invoice_document(document), convert_to(document::text, 'UTF8')); END $$;
CREATE FUNCTION import_invoice(document text) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$ BEGIN RETURN import_read(read_invoice_document(document), convert_to(document, 'UTF8')); END $$;
COMMENT ON FUNCTION import_invoice(xml) IS 'creates a draft invoice from a UBL 2.1 Invoice or CreditNote or a CII D16B document; returns its id';
COMMENT ON FUNCTION import_invoice(text) IS 'creates a draft invoice from a UBL or CII document given as text; returns its id';
-- import_invoice(bytea), which takes Factur-X PDFs too: src/sql/facturx.sql

CREATE FUNCTION party_document(party_id bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'name', name, 'siren', siren, 'siret', siret, 'vat_id', vat_id,
		'identifier', identifier, 'identifier_scheme', identifier_scheme,
		'address_line1', address_line1, 'address_line2', address_line2,
		'postal_code', postal_code, 'city', city, 'country_code', country_code, 'email', email))
	FROM party WHERE id = party_id
$$;
COMMENT ON FUNCTION party_document(bigint) IS 'internal: a party as register_party''s document, for writing invoices';

-- The invoice as create_invoice's document, with its parties, VAT breakdown
-- and totals: what the writers read, and what a round trip compares.
-- plpgsql, whose body is not checked at creation: the install script defines
-- it before the columns of 0.4 (src/sql/delivery.sql) exist
CREATE FUNCTION invoice_document(invoice_id bigint) RETURNS jsonb
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

CREATE FUNCTION export_invoice(invoice_id bigint, format text DEFAULT 'ubl') RETURNS xml
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	inv invoice;
	p bigint := current_party();
BEGIN
	SELECT * INTO inv FROM invoice i WHERE i.id = invoice_id;
	-- an invoice of other parties does not exist for this one
	IF NOT FOUND OR NOT (inv.supplier_id = p OR inv.buyer_id = p
						 OR (p IS NULL AND caller_has_role('bizinvoice_admin'))) THEN
		RAISE EXCEPTION 'invoice % does not exist', invoice_id USING ERRCODE = '42704';
	END IF;
	IF inv.submitted_at IS NULL THEN
		RAISE EXCEPTION 'invoice % is a draft', invoice_id
			USING ERRCODE = '55000',
				  DETAIL = 'Its totals and VAT breakdown are computed when it is submitted.',
				  HINT = 'Submit it first with bizinvoice.submit().';
	END IF;
	RETURN invoice_xml(invoice_document(inv.id), lower(format));
END
$$;
COMMENT ON FUNCTION export_invoice(bigint, text) IS 'a submitted invoice as an EN 16931 document: UBL 2.1 (ubl, the default) or CII D16B (cii), with the Chorus Pro fields';

REVOKE ALL ON FUNCTION import_party(jsonb, text, boolean, bigint, text[]), import_read(jsonb, bytea),
	invoice_document(bigint), party_document(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION import_invoice(xml), import_invoice(text), export_invoice(bigint, text)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION import_invoice(xml), import_invoice(text), export_invoice(bigint, text)
	TO bizinvoice_user;
GRANT SELECT ON invoice_source TO bizinvoice_reader;
ALTER TABLE invoice_source ENABLE ROW LEVEL SECURITY;
CREATE POLICY invoice_source_party ON invoice_source USING (EXISTS (SELECT FROM invoice i WHERE i.id = invoice_id));
COMMENT ON POLICY invoice_source_party ON invoice_source IS 'rows of the invoices the party may see';
SELECT pg_catalog.pg_extension_config_dump('invoice_source', '');
