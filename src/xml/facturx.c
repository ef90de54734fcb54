/*
 * facturx.c
 *		Reads the invoice out of a Factur-X PDF: the document catalog's
 *		/Names /EmbeddedFiles name tree is walked (bounded in depth and
 *		breadth) for the file the standard names, and its stream decoded.
 *		libqpdf parses the PDF; its handle is freed on every path.
 */
#include "postgres.h"

#include <qpdf/qpdf-c.h>

#include "facturx.h"
#include "xml/parse.h"

int			ei_max_pdf_bytes = 64 * 1024 * 1024;

/* the names Factur-X, ZUGFeRD 2 and XRechnung give the embedded invoice */
static const char *const invoice_names[] = {
	"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"
};

#define MAX_TREE_DEPTH 16
#define MAX_TREE_ITEMS 10000

typedef struct Search
{
	qpdf_data	q;
	int			items;
	qpdf_oh		stream;			/* 0 until found */
} Search;

bool
ei_is_pdf(const char *data, size_t len)
{
	return len >= 5 && memcmp(data, "%PDF-", 5) == 0;
}

static bool
is_invoice_name(const char *name)
{
	for (int i = 0; i < lengthof(invoice_names); i++)
		if (pg_strcasecmp(name, invoice_names[i]) == 0)
			return true;
	return false;
}

/* The embedded file's stream of a file specification, or 0. */
static qpdf_oh
file_stream(qpdf_data q, qpdf_oh spec)
{
	qpdf_oh		ef;
	qpdf_oh		f;

	if (!qpdf_oh_is_dictionary(q, spec))
		return 0;
	ef = qpdf_oh_get_key_if_dict(q, spec, "/EF");
	if (!qpdf_oh_is_dictionary(q, ef))
		return 0;
	f = qpdf_oh_get_key_if_dict(q, ef, "/UF");
	if (!qpdf_oh_is_stream(q, f))
		f = qpdf_oh_get_key_if_dict(q, ef, "/F");
	return qpdf_oh_is_stream(q, f) ? f : 0;
}

/* One node of the name tree: its (name, file specification) pairs, its kids. */
static void
walk(Search *s, qpdf_oh node, int depth)
{
	qpdf_data	q = s->q;
	qpdf_oh		names;
	qpdf_oh		kids;

	if (depth > MAX_TREE_DEPTH || s->stream || !qpdf_oh_is_dictionary(q, node))
		return;
	names = qpdf_oh_get_key_if_dict(q, node, "/Names");
	if (qpdf_oh_is_array(q, names))
	{
		int			n = qpdf_oh_get_array_n_items(q, names);

		for (int i = 0; i + 1 < n && !s->stream && s->items++ < MAX_TREE_ITEMS; i += 2)
		{
			qpdf_oh		name = qpdf_oh_get_array_item(q, names, i);
			qpdf_oh		spec = qpdf_oh_get_array_item(q, names, i + 1);
			qpdf_oh		uf = qpdf_oh_get_key_if_dict(q, spec, "/UF");
			qpdf_oh		f = qpdf_oh_get_key_if_dict(q, spec, "/F");

			/* the file's own name first, the tree's key if it has none */
			if ((qpdf_oh_is_string(q, uf) && is_invoice_name(qpdf_oh_get_utf8_value(q, uf))) ||
				(qpdf_oh_is_string(q, f) && is_invoice_name(qpdf_oh_get_utf8_value(q, f))) ||
				(qpdf_oh_is_string(q, name) && is_invoice_name(qpdf_oh_get_utf8_value(q, name))))
				s->stream = file_stream(q, spec);
		}
	}
	kids = qpdf_oh_get_key_if_dict(q, node, "/Kids");
	if (qpdf_oh_is_array(q, kids))
	{
		int			n = qpdf_oh_get_array_n_items(q, kids);

		for (int i = 0; i < n && !s->stream && s->items++ < MAX_TREE_ITEMS; i++)
			walk(s, qpdf_oh_get_array_item(q, kids, i), depth + 1);
	}
}

char *
ei_facturx_xml(const char *pdf, size_t len, size_t *xml_len)
{
	qpdf_data	q;
	char	   *problem = NULL;
	bool		too_large = false;
	char	   *xml = NULL;

	if (len > (size_t) ei_max_pdf_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invoice PDF too large"),
				 errdetail("The PDF has %zu bytes; bizinvoice.pdf_max_bytes allows %d.",
						   len, ei_max_pdf_bytes)));

	q = qpdf_init();
	PG_TRY();
	{
		Search		s = {q, 0, 0};

		qpdf_silence_errors(q);
		qpdf_set_suppress_warnings(q, QPDF_TRUE);
		qpdf_set_attempt_recovery(q, QPDF_FALSE);
		if (qpdf_read_memory(q, "invoice.pdf", pdf, len, NULL) & QPDF_ERRORS)
			problem = pstrdup(qpdf_get_error_full_text(q, qpdf_get_error(q)));
		else
		{
			qpdf_oh		names = qpdf_oh_get_key_if_dict(q, qpdf_get_root(q), "/Names");

			walk(&s, qpdf_oh_get_key_if_dict(q, names, "/EmbeddedFiles"), 0);
			if (qpdf_has_error(q))
				problem = pstrdup(qpdf_get_error_full_text(q, qpdf_get_error(q)));
		}
		if (problem == NULL && s.stream)
		{
			unsigned char *buf = NULL;
			size_t		n = 0;

			if (qpdf_oh_get_stream_data(q, s.stream, qpdf_dl_generalized, NULL, &buf, &n) & QPDF_ERRORS)
				problem = pstrdup(qpdf_get_error_full_text(q, qpdf_get_error(q)));
			else if (n > (size_t) ei_max_bytes)
				too_large = true;
			else
			{
				xml = palloc(n + 1);
				memcpy(xml, buf, n);
				xml[n] = '\0';
				*xml_len = n;
			}
			free(buf);
		}
	}
	PG_FINALLY();
	{
		qpdf_cleanup(&q);
	}
	PG_END_TRY();

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not read the invoice PDF"),
				 errdetail("%s", problem)));
	if (too_large)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invoice document too large"),
				 errdetail("The XML embedded in the PDF is larger than bizinvoice.xml_max_bytes (%d bytes).",
						   ei_max_bytes)));
	if (xml == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the PDF carries no Factur-X invoice"),
				 errdetail("No embedded file named factur-x.xml, zugferd-invoice.xml or xrechnung.xml was found."),
				 errhint("A Factur-X PDF/A-3 embeds its CII invoice under one of these names.")));
	return xml;
}
