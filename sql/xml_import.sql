-- Importing and exporting EN 16931 documents: every sample imported as a
-- draft (unknown parties registered), submitted where the platform's own
-- line rule holds, exported as UBL and CII that validate, and imported again
-- into the same invoice; UBL and CII of one invoice give equal invoices.
\getenv corpus BIZINVOICE_CORPUS
SET client_min_messages = error;

CREATE TEMP TABLE sample AS
SELECT d || '/' || f AS file, pg_read_binary_file(:'corpus' || '/' || d || '/' || f) AS doc
FROM unnest(ARRAY['valid', 'pairs', 'french']) d, pg_ls_dir(:'corpus' || '/' || d) f;

-- an administrator imports for the document's seller; the platform's model
-- asks more than EN 16931 in places (a credit note names the invoice it
-- credits), and says so
CREATE TEMP TABLE imported (file text, id bigint, refused text);
DO $$
DECLARE
	r record;
	msg text;
	detail text;
BEGIN
	FOR r IN SELECT * FROM sample ORDER BY file LOOP
		BEGIN
			INSERT INTO imported VALUES (r.file, bizinvoice.import_invoice(r.doc));
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
			INSERT INTO imported VALUES (r.file, NULL, msg || ': ' || detail);
		END;
	END LOOP;
END
$$;
SELECT file, refused FROM imported WHERE refused IS NOT NULL ORDER BY file;
DELETE FROM imported WHERE refused IS NOT NULL;

SELECT m.file, s.syntax, i.type_code, i.channel, i.b2b_status,
	   (SELECT count(*) FROM bizinvoice.invoice_line l WHERE l.invoice_id = i.id) AS lines,
	   cardinality(s.not_mapped) AS not_mapped, jsonb_array_length(s.findings) AS warnings,
	   s.sha256 = sha256(m2.doc) AS kept_as_received
FROM imported m JOIN bizinvoice.invoice i ON i.id = m.id
	 JOIN bizinvoice.invoice_source s ON s.invoice_id = i.id
	 JOIN sample m2 ON m2.file = m.file
ORDER BY m.file;

-- what one import did not map, by XPath
SELECT unnest(s.not_mapped) AS not_mapped
FROM imported m JOIN bizinvoice.invoice_source s ON s.invoice_id = m.id
WHERE m.file = 'french/ubl-21-en16931.xml';

-- the parties the documents named, registered once each
SELECT name, siren, siret, vat_id, identifier, identifier_scheme, country_code
FROM bizinvoice.party p
WHERE EXISTS (SELECT FROM imported m JOIN bizinvoice.invoice i ON i.id = m.id
			  WHERE p.id IN (i.supplier_id, i.buyer_id, i.payee_id))
ORDER BY id;

-- UBL and CII of the same invoice give the same invoice
SELECT bizinvoice.invoice_document(a.id) - '{seller,buyer}'::text[] AS ubl_minus_cii,
	   (bizinvoice.invoice_document(a.id) = bizinvoice.invoice_document(b.id)) AS equal
FROM imported a, imported b
WHERE a.file = 'pairs/01.01a-INVOICE_ubl.xml' AND b.file = 'pairs/01.01a-INVOICE_uncefact.xml'
  AND bizinvoice.invoice_document(a.id) <> bizinvoice.invoice_document(b.id);
SELECT count(*) AS pairs_equal
FROM imported a, imported b
WHERE a.file = 'pairs/01.01a-INVOICE_ubl.xml' AND b.file = 'pairs/01.01a-INVOICE_uncefact.xml'
  AND bizinvoice.invoice_document(a.id) = bizinvoice.invoice_document(b.id);

-- submit each as its seller; the platform refuses line amounts that are not
-- quantity x price (EN 16931 does not require it)
CREATE TEMP TABLE submitted (file text, id bigint, outcome text);
DO $$
DECLARE
	r record;
	outcome text;
BEGIN
	FOR r IN SELECT m.file, m.id, i.supplier_id FROM imported m JOIN bizinvoice.invoice i ON i.id = m.id ORDER BY m.file LOOP
		BEGIN
			PERFORM bizinvoice.act_as(r.supplier_id, true);
			outcome := bizinvoice.submit(r.id);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS outcome = PG_EXCEPTION_DETAIL;
			outcome := 'refused: ' || SQLERRM || ': ' || outcome;
		END;
		PERFORM bizinvoice.act_as(NULL, true);
		INSERT INTO submitted VALUES (r.file, r.id, outcome);
	END LOOP;
END
$$;
SELECT file, outcome FROM submitted ORDER BY file;

-- exported in both syntaxes: no fatal finding
CREATE TEMP TABLE exported AS
SELECT s.file, s.id, f.format, bizinvoice.export_invoice(s.id, f.format) AS doc
FROM submitted s, (VALUES ('ubl'), ('cii')) f(format)
WHERE s.outcome NOT LIKE 'refused%';
SELECT e.file, e.format, count(v.*) FILTER (WHERE v.severity = 'fatal') AS fatal,
	   string_agg(v.rule_id || ' ' || v.location || ' ' || v.message, '; ') FILTER (WHERE v.severity = 'fatal') AS why
FROM exported e LEFT JOIN LATERAL bizinvoice.validate_invoice(e.doc) v ON true
GROUP BY e.file, e.format ORDER BY e.file, e.format;

-- imported again: the same invoice (its content; the new one is a draft)
CREATE TEMP TABLE reimported AS
SELECT e.file, e.format, e.id AS first_id, bizinvoice.import_invoice(e.doc) AS id FROM exported e;
SELECT r.file, r.format,
	   (bizinvoice.invoice_document(r.first_id) - '{totals,vat_breakdown}'::text[])
	   = (bizinvoice.invoice_document(r.id) - '{totals,vat_breakdown}'::text[]) AS same_invoice,
	   cardinality(s.not_mapped) AS not_mapped
FROM reimported r JOIN bizinvoice.invoice_source s ON s.invoice_id = r.id
ORDER BY r.file, r.format;
-- what differs, if anything (nothing)
SELECT r.file, r.format, a.key, a.value AS first, b.value AS again
FROM reimported r,
	 jsonb_each(bizinvoice.invoice_document(r.first_id) - '{totals,vat_breakdown}'::text[]) a
	 FULL JOIN jsonb_each(bizinvoice.invoice_document(r.id) - '{totals,vat_breakdown}'::text[]) b ON a.key = b.key
WHERE a.value IS DISTINCT FROM b.value
ORDER BY 1, 2, 3;
RESET client_min_messages;

-- refusals: a party imports only its own invoices, exports only what it sees,
-- and only submitted invoices; formats are ubl and cii
CREATE ROLE regress_xml_seller;
CREATE ROLE regress_xml_other;
GRANT bizinvoice_user TO regress_xml_seller, regress_xml_other;
INSERT INTO bizinvoice.party_member (party_id, member)
SELECT id, 'regress_xml_seller' FROM bizinvoice.party WHERE siret::text = '99999999800019';
INSERT INTO bizinvoice.party_member (party_id, member)
SELECT id, 'regress_xml_other' FROM bizinvoice.party WHERE vat_id::text = 'DK12345678';
SELECT id AS seller_party FROM bizinvoice.party WHERE siret::text = '99999999800019' \gset
SELECT id AS other_party FROM bizinvoice.party WHERE vat_id::text = 'DK12345678' \gset
SELECT doc AS french_ubl FROM sample WHERE file = 'french/ubl-21-en16931.xml' \gset
SELECT id AS french_id FROM imported WHERE file = 'french/ubl-21-en16931.xml' \gset
SET client_min_messages = warning;
SET ROLE regress_xml_seller;
SELECT bizinvoice.import_invoice(:'french_ubl'::bytea);	-- nobody acting
SELECT bizinvoice.act_as(:seller_party);
SELECT bizinvoice.import_invoice(:'french_ubl'::bytea) AS draft_id \gset
SELECT supplier_id = :seller_party AS imported_by_its_seller FROM bizinvoice.invoice WHERE id = :draft_id;
SELECT bizinvoice.import_invoice(convert_from(:'french_ubl'::bytea, 'UTF8')::xml) AS xml_draft_id \gset
SELECT bizinvoice.export_invoice(:draft_id);	-- a draft
SELECT bizinvoice.export_invoice(:french_id, 'pdf');
SELECT xpath_exists('/i:Invoice/cbc:ID[text() = "F124212"]',
					bizinvoice.export_invoice(:french_id),
					ARRAY[ARRAY['i', 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'],
						  ARRAY['cbc', 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2']]) AS exported_by_its_seller;
RESET ROLE;
SET ROLE regress_xml_other;
SELECT bizinvoice.act_as(:other_party);
SELECT bizinvoice.import_invoice(:'french_ubl'::bytea);	-- not its seller
SELECT bizinvoice.export_invoice(:french_id);	-- not its invoice
SELECT count(*) AS sources_seen, bool_and(i.supplier_id = :other_party) AS all_its_own
FROM bizinvoice.invoice_source s JOIN bizinvoice.invoice i ON i.id = s.invoice_id;
RESET ROLE;
RESET client_min_messages;
-- the same document as xml and as a file's bytes: the same invoice
SELECT bizinvoice.invoice_document(:xml_draft_id) = bizinvoice.invoice_document(:draft_id) AS same_from_xml;
DELETE FROM bizinvoice.party_member WHERE member::text LIKE 'regress_xml_%';
DROP ROLE regress_xml_seller, regress_xml_other;
