/*
 * parse.c
 *		Hardened parsing of invoice documents.  EN 16931 documents never carry
 *		a DOCTYPE, so any DOCTYPE is refused as soon as the parser meets it:
 *		no DTD is read, no entity declared, none expanded (XXE and "billion
 *		laughs" cannot start).  The network is off, size and depth bounded.
 */
#include "postgres.h"

#include <libxml/parser.h>
#include <libxml/SAX2.h>

#include "catalog/pg_type.h"
#include "facturx.h"
#include "mb/pg_wchar.h"
#include "parse.h"
#include "utils/builtins.h"
#include "utils/guc.h"

int			ei_max_bytes = 10 * 1024 * 1024;
int			ei_max_depth = 64;

/* Why the parser was stopped, if it was (one parse at a time per backend). */
static enum
{
	STOP_NONE,
	STOP_DOCTYPE,
	STOP_DEPTH
}			stop_reason;

void
ei_define_settings(void)
{
	DefineCustomIntVariable("bizinvoice.xml_max_bytes",
							"Largest invoice document accepted, in bytes.",
							NULL,
							&ei_max_bytes,
							10 * 1024 * 1024, 1024, 256 * 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomIntVariable("bizinvoice.pdf_max_bytes",
							"Largest Factur-X PDF accepted, in bytes.",
							"Chorus Pro takes invoices of up to 120 MB with their attachments.",
							&ei_max_pdf_bytes,
							64 * 1024 * 1024, 1024, 1024 * 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomIntVariable("bizinvoice.xml_max_depth",
							"Deepest element nesting accepted in an invoice document.",
							"EN 16931 documents nest about ten levels deep.",
							&ei_max_depth,
							64, 8, 256,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
}

static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
			   const xmlChar *system_id)
{
	stop_reason = STOP_DOCTYPE;
	xmlStopParser((xmlParserCtxtPtr) ctx);
}

static void
bounded_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
					  const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
					  int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr) ctx;

	if (ctxt->nameNr > ei_max_depth)
	{
		stop_reason = STOP_DEPTH;
		xmlStopParser(ctxt);
		return;
	}
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
						  nb_attributes, nb_defaulted, attributes);
}

EiSource
ei_source(FunctionCallInfo fcinfo, int argno)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, argno);
	struct varlena *v = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno));
	EiSource	src;

	if (type == BYTEAOID)
		return ei_file_source(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	/* text and xml: the server's characters, handed to libxml2 as UTF-8 */
	src.data = pg_server_to_any(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), PG_UTF8);
	src.len = src.data != VARDATA_ANY(v) ? strlen(src.data) : VARSIZE_ANY_EXHDR(v);
	src.encoding = "UTF-8";
	return src;
}

EiSource
ei_file_source(const char *data, size_t len)
{
	EiSource	src;

	src.data = data;
	src.len = len;
	src.encoding = NULL;
	/* a Factur-X PDF: the invoice it carries */
	if (ei_is_pdf(data, len))
		src.data = ei_facturx_xml(data, len, &src.len);
	return src;
}

xmlDocPtr
ei_parse(const EiSource *src, PgXmlErrorContext *errcxt)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr	doc;
	size_t		i;

	if (src->len > (size_t) ei_max_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invoice document too large"),
				 errdetail("The document has %zu bytes; bizinvoice.xml_max_bytes allows %d.",
						   src->len, ei_max_bytes)));
	/* after an optional byte order mark and blanks, XML starts with '<' */
	i = (src->len >= 3 && memcmp(src->data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
	while (i < src->len && (src->data[i] == ' ' || src->data[i] == '\t' ||
							src->data[i] == '\n' || src->data[i] == '\r'))
		i++;
	if (i >= src->len || src->data[i] != '<')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_DOCUMENT),
				 errmsg("invoice document is not XML"),
				 errdetail(i >= src->len ? "The document is empty."
						   : "The document does not start with '<' (byte %zu).", i + 1)));

	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL || pg_xml_error_occurred(errcxt))
		xml_ereport(errcxt, ERROR, ERRCODE_OUT_OF_MEMORY,
					"could not allocate parser context");
	ctxt->sax->internalSubset = refuse_doctype;
	ctxt->sax->externalSubset = refuse_doctype;
	ctxt->sax->startElementNs = bounded_start_element;
	stop_reason = STOP_NONE;
	doc = xmlCtxtReadMemory(ctxt, src->data, (int) src->len, NULL, src->encoding,
							XML_PARSE_NONET | XML_PARSE_NOCDATA);
	xmlFreeParserCtxt(ctxt);
	if (stop_reason != STOP_NONE)
	{
		xmlFreeDoc(doc);
		if (stop_reason == STOP_DOCTYPE)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_XML_DOCUMENT),
					 errmsg("invoice document declares a DOCTYPE"),
					 errdetail("DTDs and entity declarations are refused: EN 16931 documents have none.")));
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invoice document nested too deeply"),
				 errdetail("Elements nest more than %d levels deep (bizinvoice.xml_max_depth).",
						   ei_max_depth)));
	}
	if (doc == NULL || pg_xml_error_occurred(errcxt))
	{
		xmlFreeDoc(doc);
		xml_ereport(errcxt, ERROR, ERRCODE_INVALID_XML_DOCUMENT,
					"invoice document is not well-formed XML");
	}
	return doc;
}
