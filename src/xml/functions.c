/*
 * functions.c
 *		The SQL functions over invoice documents: validating, reading for the
 *		import, and writing.  libxml2 memory is not palloc'd: every document
 *		is freed on the way out, error or not.
 */
#include "postgres.h"

#include "facturx.h"
#include "funcapi.h"
#include "import.h"
#include "mb/pg_wchar.h"
#include "parse.h"
#include "rules.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "write.h"

PG_FUNCTION_INFO_V1(bizinvoice_validate_invoice);
PG_FUNCTION_INFO_V1(bizinvoice_read_invoice);
PG_FUNCTION_INFO_V1(bizinvoice_invoice_xml);
PG_FUNCTION_INFO_V1(bizinvoice_facturx_xml);

/* Parses and reads a document, then hands it to fn; frees it whatever happens. */
typedef Datum (*DocumentFn) (FunctionCallInfo fcinfo, xmlDocPtr doc, EInvoice *inv);

static Datum
with_document(FunctionCallInfo fcinfo, EiSource src, DocumentFn fn)
{
	PgXmlErrorContext *errcxt = pg_xml_init(PG_XML_STRICTNESS_ALL);
	volatile xmlDocPtr doc = NULL;
	Datum		result;

	PG_TRY();
	{
		doc = ei_parse(&src, errcxt);
		result = fn(fcinfo, doc, ei_read(doc));
	}
	PG_CATCH();
	{
		xmlFreeDoc(doc);
		pg_xml_done(errcxt, true);
		PG_RE_THROW();
	}
	PG_END_TRY();
	xmlFreeDoc(doc);
	pg_xml_done(errcxt, false);
	return result;
}

static Datum
validate(FunctionCallInfo fcinfo, xmlDocPtr doc, EInvoice *inv)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, ei_check(inv))
	{
		EiFinding  *f = lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(f->rule);
		values[1] = CStringGetTextDatum(f->fatal ? "fatal" : "warning");
		values[2] = CStringGetTextDatum(f->location);
		values[3] = CStringGetTextDatum(f->message);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

static Datum
read_for_import(FunctionCallInfo fcinfo, xmlDocPtr doc, EInvoice *inv)
{
	char	   *json = ei_import_json(doc, inv, ei_check(inv));

	return DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
}

/* validate_invoice(document) → setof (rule_id, severity, location, message) */
Datum
bizinvoice_validate_invoice(PG_FUNCTION_ARGS)
{
	return with_document(fcinfo, ei_source(fcinfo, 0), validate);
}

Datum
ei_import_jsonb(EiSource src)
{
	return with_document(NULL, src, read_for_import);
}

/* read_invoice_document(document) → jsonb: what import_invoice() stores */
Datum
bizinvoice_read_invoice(PG_FUNCTION_ARGS)
{
	return ei_import_jsonb(ei_source(fcinfo, 0));
}

/* invoice_xml(invoice_document jsonb, format text) → xml */
Datum
bizinvoice_invoice_xml(PG_FUNCTION_ARGS)
{
	Jsonb	   *inv = PG_GETARG_JSONB_P(0);
	char	   *format = text_to_cstring(PG_GETARG_TEXT_PP(1));
	PgXmlErrorContext *errcxt;
	volatile xmlDocPtr doc = NULL;
	xmlChar    *volatile out = NULL;
	int			len = 0;
	text	   *result = NULL;

	if (strcmp(format, "ubl") != 0 && strcmp(format, "cii") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown invoice format \"%s\"", format),
				 errhint("The formats are ubl and cii.")));
	errcxt = pg_xml_init(PG_XML_STRICTNESS_ALL);
	PG_TRY();
	{
		doc = strcmp(format, "ubl") == 0 ? ei_write_ubl(&inv->root) : ei_write_cii(&inv->root);
		xmlDocDumpFormatMemoryEnc(doc, (xmlChar **) &out, &len, "UTF-8", 1);
		if (out == NULL || pg_xml_error_occurred(errcxt))
			xml_ereport(errcxt, ERROR, ERRCODE_INTERNAL_ERROR, "could not write the invoice document");
		result = cstring_to_text(pg_any_to_server((char *) out, len, PG_UTF8));
	}
	PG_CATCH();
	{
		xmlFree(out);
		xmlFreeDoc(doc);
		pg_xml_done(errcxt, true);
		PG_RE_THROW();
	}
	PG_END_TRY();
	xmlFree(out);
	xmlFreeDoc(doc);
	pg_xml_done(errcxt, false);
	PG_RETURN_TEXT_P(result);
}

/* facturx_xml(pdf bytea) → bytea: the invoice a Factur-X PDF embeds */
Datum
bizinvoice_facturx_xml(PG_FUNCTION_ARGS)
{
	bytea	   *pdf = PG_GETARG_BYTEA_PP(0);
	size_t		len;
	char	   *xml;
	bytea	   *result;

	if (!ei_is_pdf(VARDATA_ANY(pdf), VARSIZE_ANY_EXHDR(pdf)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("not a PDF file"),
				 errdetail("A PDF file starts with \"%%PDF-\".")));
	xml = ei_facturx_xml(VARDATA_ANY(pdf), VARSIZE_ANY_EXHDR(pdf), &len);
	result = palloc(VARHDRSZ + len);
	SET_VARSIZE(result, VARHDRSZ + len);
	memcpy(VARDATA(result), xml, len);
	PG_RETURN_BYTEA_P(result);
}
