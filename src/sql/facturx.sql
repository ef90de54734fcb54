-- Factur-X: a PDF/A-3 carrying its CII invoice.  validate_invoice(bytea)
-- and read_invoice_document(bytea) read the invoice a PDF embeds; importing
-- one keeps the PDF as the invoice's main attachment.  New in 0.3.

CREATE FUNCTION facturx_xml(pdf bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'bizinvoice_facturx_xml' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION facturx_xml(bytea) IS 'the invoice (factur-x.xml, or the ZUGFeRD or XRechnung name) a Factur-X PDF embeds';

CREATE FUNCTION import_invoice(document bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = bizinvoice, pg_catalog, pg_temp
AS $$
DECLARE
	pdf boolean := substr(document, 1, 5) = '\x255044462d'::bytea;	-- %PDF-
	source bytea;
	new_id bigint;
BEGIN
	source := CASE WHEN pdf THEN facturx_xml(document) ELSE document END;
	new_id := import_read(read_invoice_document(source), source);
	IF pdf THEN
		-- the PDF as received, before the attachments the invoice lists (seq 1, 2, ...)
		INSERT INTO invoice_attachment (invoice_id, seq, filename, mime_type, description, content)
		SELECT new_id, 0, left(regexp_replace(i.number, '[^A-Za-z0-9._-]', '_', 'g'), 190) || '.pdf',
			   'application/pdf', 'Factur-X: the invoice as received', document
		FROM invoice i WHERE i.id = new_id;
	END IF;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION import_invoice(bytea) IS 'creates a draft invoice from a UBL or CII file (its encoding declaration followed), or from a Factur-X PDF (kept as attachment 0); returns its id';
COMMENT ON FUNCTION validate_invoice(bytea) IS 'the EN 16931 rules a UBL or CII invoice file (its encoding declaration followed), or the invoice a Factur-X PDF embeds, breaks: rule, fatal or warning, XPath, message';
COMMENT ON FUNCTION read_invoice_document(bytea) IS 'internal: a UBL or CII invoice file, or the one a Factur-X PDF embeds, as create_invoice and register_party documents, with what was not mapped and the rule findings';
REVOKE ALL ON FUNCTION facturx_xml(bytea), import_invoice(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION facturx_xml(bytea), import_invoice(bytea) TO bizinvoice_user;
