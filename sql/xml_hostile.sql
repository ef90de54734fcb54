-- Hostile and broken documents: refused with a clear error, nothing written,
-- no crash; and the import's and export's refusals.
\getenv corpus BIZINVOICE_CORPUS
SELECT set_config('bizinvoice_test.corpus', :'corpus', false) IS NOT NULL AS corpus_set;
SELECT count(*) AS invoices_before FROM bizinvoice.invoice \gset

-- not XML, empty, not well-formed, not an invoice
SELECT * FROM bizinvoice.validate_invoice('%PDF-1.7 binary'::bytea);
SELECT * FROM bizinvoice.validate_invoice(''::text);
SELECT * FROM bizinvoice.validate_invoice('<Invoice><cbc:ID>1</Invoice>'::text);
SELECT * FROM bizinvoice.validate_invoice('<order xmlns="urn:example">1</order>'::text);

-- entity expansion ("billion laughs"), external entities (XXE), external DTDs:
-- any DOCTYPE is refused before anything in it is read
SELECT * FROM bizinvoice.import_invoice(
'<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol3;</Invoice>'::text);
SELECT * FROM bizinvoice.validate_invoice(
'<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>'::bytea);
SELECT * FROM bizinvoice.validate_invoice(
'<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd"><Invoice/>'::text);
-- an undeclared entity is a well-formedness error, not a lookup
SELECT * FROM bizinvoice.validate_invoice(
'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&xxe;</Invoice>'::text);

-- encodings: a file's bytes follow its declaration; text and xml are the
-- server's characters, whatever the declaration says
SELECT bizinvoice.read_invoice_document(convert_to(doc, 'LATIN1')) #>> '{invoice,number}' AS latin1_file,
	   bizinvoice.read_invoice_document(doc) #>> '{invoice,number}' AS as_text,
	   bizinvoice.read_invoice_document(doc::xml) #>> '{invoice,number}' AS as_xml
FROM (VALUES ('<?xml version="1.0" encoding="ISO-8859-1"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>Facture-été</cbc:ID></Invoice>')) v(doc);

-- what JSON must escape, where the reader reshapes a value (found by the
-- fuzz target): a CII date with a quote, a UBL note subject with one
SELECT bizinvoice.read_invoice_document(regexp_replace(
	convert_from(pg_read_binary_file(:'corpus' || '/valid/CII_example3.xml'), 'UTF8'),
	'(<udt:DateTimeString format="102">)[0-9]{8}', '\1201"0326')) #>> '{invoice,issue_date}' AS cii_date;
SELECT bizinvoice.read_invoice_document('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>N-1</cbc:ID>
 <cbc:Note>#A"\#text</cbc:Note></Invoice>'::text) #> '{invoice,notes}' AS ubl_note;

-- nesting and size limits
SELECT * FROM bizinvoice.validate_invoice(repeat('<a>', 100) || repeat('</a>', 100));
SET bizinvoice.xml_max_bytes = 2048;
SELECT * FROM bizinvoice.validate_invoice(pg_read_binary_file(:'corpus' || '/valid/CII_example3.xml'));
RESET bizinvoice.xml_max_bytes;

-- a document with fatal errors is refused, naming the rules
SELECT * FROM bizinvoice.import_invoice(
'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>X-1</cbc:ID><cbc:IssueDate>2026-13-45</cbc:IssueDate></Invoice>'::text);

-- ten thousand mutations of a valid invoice (bytes replaced, cut short,
-- repeated): every one is read or refused cleanly
SELECT setseed(0.42);
CREATE TEMP TABLE mutation_outcome (outcome text);
DO $$
DECLARE
	base bytea := pg_read_binary_file(current_setting('bizinvoice_test.corpus') || '/valid/ubl-tc434-example7.xml');
	doc bytea;
	len integer := length(base);
	i integer;
	k integer;
	pos integer;
	state text;
BEGIN
	FOR i IN 1 .. 10000 LOOP
		doc := base;
		FOR k IN 1 .. 1 + (random() * 4)::integer LOOP
			pos := (random() * (length(doc) - 1))::integer;
			CASE (random() * 3)::integer
				WHEN 0 THEN doc := set_byte(doc, pos, (random() * 255)::integer);
				WHEN 1 THEN doc := substring(doc FROM 1 FOR pos);
				WHEN 2 THEN doc := substring(doc FROM 1 FOR pos) || substring(doc FROM pos + 1 FOR 40) || substring(doc FROM pos + 1);
				ELSE doc := substring(doc FROM 1 FOR pos) || substring(doc FROM pos + 20);
			END CASE;
			EXIT WHEN length(doc) < 2;
		END LOOP;
		BEGIN
			PERFORM count(*) FROM bizinvoice.validate_invoice(doc);
			PERFORM bizinvoice.read_invoice_document(doc);
			INSERT INTO mutation_outcome VALUES ('read');
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
			INSERT INTO mutation_outcome VALUES ('refused ' || state);
		END;
	END LOOP;
END
$$;
SELECT outcome LIKE 'read' OR outcome IN ('refused 2200M', 'refused 22023', 'refused 54000') AS expected,
	   count(*) > 0 AS seen
FROM mutation_outcome GROUP BY 1 ORDER BY 1;

-- nothing was written by any refused document
SELECT count(*) - :invoices_before AS invoices_written FROM bizinvoice.invoice;
