/*
 * facturx.h
 *		Factur-X (ZUGFeRD 2): the CII invoice a PDF/A-3 carries as an
 *		embedded file, read with libqpdf.
 */
#ifndef BIZINVOICE_FACTURX_H
#define BIZINVOICE_FACTURX_H

#include "postgres.h"

/* bizinvoice.pdf_max_bytes */
extern int	ei_max_pdf_bytes;

/* Whether the bytes are a PDF file (they start with %PDF-). */
extern bool ei_is_pdf(const char *data, size_t len);

/*
 * The embedded invoice (factur-x.xml, or the ZUGFeRD and XRechnung names),
 * palloc'd; refuses (22023, 54000) an unreadable PDF, one too large, or one
 * carrying no invoice.
 */
extern char *ei_facturx_xml(const char *pdf, size_t len, size_t *xml_len);

#endif							/* BIZINVOICE_FACTURX_H */
