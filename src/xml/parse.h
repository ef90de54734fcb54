/*
 * parse.h
 *		Parsing invoice documents with libxml2, hardened: no network, no DTD
 *		(hence no entity can be declared or expanded), bounded size and depth.
 */
#ifndef BIZINVOICE_PARSE_H
#define BIZINVOICE_PARSE_H

#include "postgres.h"

#include <libxml/tree.h>

#include "fmgr.h"
#include "utils/xml.h"

/* bizinvoice.xml_max_bytes, bizinvoice.xml_max_depth */
extern int	ei_max_bytes;
extern int	ei_max_depth;

extern void ei_define_settings(void);

/*
 * A document as given to a SQL function: xml and text arrive in the server
 * encoding (UTF-8, which overrides the document's declaration), bytea as the
 * bytes of a file (the declaration, or UTF-8 by default, is followed), or of
 * a Factur-X PDF (the invoice it embeds).
 */
typedef struct EiSource
{
	const char *data;
	size_t		len;
	const char *encoding;		/* NULL: as the document declares */
} EiSource;

extern EiSource ei_source(FunctionCallInfo fcinfo, int argno);

/* The bytes of a file, or of a Factur-X PDF: what ei_source makes of a bytea. */
extern EiSource ei_file_source(const char *data, size_t len);

/*
 * Parses a document, or refuses it (2200M, 54000) saying why.  The caller
 * frees the document and ends errcxt, also on error.
 */
extern xmlDocPtr ei_parse(const EiSource *src, PgXmlErrorContext *errcxt);

#endif							/* BIZINVOICE_PARSE_H */
