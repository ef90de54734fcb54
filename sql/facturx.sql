-- Factur-X: the CII invoice a PDF embeds, validated, read and imported; the
-- PDF kept as the invoice's main attachment; PDFs without an invoice, cut
-- short or not PDFs at all refused, with nothing written.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
\getenv corpus BIZINVOICE_CORPUS
SELECT pg_read_binary_file(:'corpus' || '/../facturx/factur-x-en16931.pdf') AS pdf,
	   pg_read_binary_file(:'corpus' || '/french/factur-x-en16931.xml') AS cii,
	   pg_read_binary_file(:'corpus' || '/../facturx/no-invoice.pdf') AS bare \gset

CREATE FUNCTION pg_temp.facturx_test_pdf() RETURNS bytea LANGUAGE sql
	AS $$ SELECT pg_read_binary_file(current_setting('bizinvoice_test.corpus') || '/../facturx/factur-x-en16931.pdf') $$;
SELECT set_config('bizinvoice_test.corpus', :'corpus', false) IS NOT NULL AS corpus_set;

-- the embedded file, byte for byte
SELECT facturx_xml(:'pdf') = :'cii'::bytea AS same_document;
-- validated and read as the XML it carries
SELECT (SELECT count(*) FROM validate_invoice(:'pdf'::bytea)) AS findings_pdf,
	   (SELECT count(*) FROM validate_invoice(:'cii'::bytea)) AS findings_xml;
SELECT read_invoice_document(:'pdf'::bytea) = read_invoice_document(:'cii'::bytea) AS same_reading;

-- refusals
SELECT count(*) AS invoices_before FROM invoice \gset
SELECT * FROM validate_invoice(:'bare'::bytea);
SELECT * FROM validate_invoice(substr(:'pdf'::bytea, 1, 3000));
SELECT facturx_xml('<Invoice/>'::bytea);
SET bizinvoice.pdf_max_bytes = 4096;
SELECT * FROM validate_invoice(:'pdf'::bytea);
RESET bizinvoice.pdf_max_bytes;
SET bizinvoice.xml_max_bytes = 4096;
SELECT * FROM validate_invoice(:'pdf'::bytea);
RESET bizinvoice.xml_max_bytes;
SELECT import_invoice(:'bare'::bytea);
SELECT import_invoice(substr(:'pdf'::bytea, 1, 3000));
-- two thousand mutations of the PDF (bytes replaced, cut short, repeated,
-- dropped, past the "%PDF-" mark): each read or refused cleanly
SELECT setseed(0.17);
CREATE TEMP TABLE pdf_outcome (outcome text);
DO $$
DECLARE
	base bytea := pg_temp.facturx_test_pdf();
	doc bytea;
	pos integer;
	state text;
BEGIN
	FOR i IN 1 .. 2000 LOOP
		doc := base;
		FOR k IN 1 .. 1 + (random() * 4)::integer LOOP
			pos := 5 + (random() * (length(doc) - 6))::integer;
			CASE (random() * 3)::integer
				WHEN 0 THEN doc := set_byte(doc, pos, (random() * 255)::integer);
				WHEN 1 THEN doc := substring(doc FROM 1 FOR pos);
				WHEN 2 THEN doc := substring(doc FROM 1 FOR pos) || substring(doc FROM pos + 1 FOR 40) || substring(doc FROM pos + 1);
				ELSE doc := substring(doc FROM 1 FOR pos) || substring(doc FROM pos + 20);
			END CASE;
			EXIT WHEN length(doc) < 7;
		END LOOP;
		BEGIN
			PERFORM count(*) FROM validate_invoice(doc);
			INSERT INTO pdf_outcome VALUES ('read');
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
			INSERT INTO pdf_outcome VALUES ('refused ' || state);
		END;
	END LOOP;
END
$$;
SELECT outcome LIKE 'read' OR outcome IN ('refused 2200M', 'refused 22023', 'refused 54000') AS expected,
	   count(*) > 0 AS seen
FROM pdf_outcome GROUP BY 1 ORDER BY 1;
SELECT count(*) = :invoices_before AS nothing_written FROM invoice;

-- imported by an administrator for its seller; the PDF kept as attachment 0
SET client_min_messages = error;
SELECT import_invoice(:'pdf'::bytea) AS imported \gset
RESET client_min_messages;
SELECT i.number, s.name AS seller, b.name AS buyer, i.type_code, i.payable_amount,
	   src.syntax, src.document = :'cii'::bytea AS source_is_the_xml
FROM invoice i JOIN party s ON s.id = i.supplier_id JOIN party b ON b.id = i.buyer_id
	 JOIN invoice_source src ON src.invoice_id = i.id
WHERE i.id = :imported;
SELECT seq, filename, mime_type, description, content = :'pdf'::bytea AS same_pdf,
	   sha256 = sha256(:'pdf'::bytea) AS sha256_of_it
FROM invoice_attachment WHERE invoice_id = :imported ORDER BY seq;
-- the same invoice as the XML alone gives
SET client_min_messages = error;
SELECT import_invoice(:'cii'::bytea) AS from_xml \gset
RESET client_min_messages;
SELECT invoice_document(:imported) - 'number' = invoice_document(:from_xml) - 'number' AS same_invoice;
