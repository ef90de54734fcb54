/*
 * write.h
 *		Writing UBL 2.1 and CII D16B from the JSON of bizinvoice's
 *		invoice_document(): reading that JSON, and adding elements with
 *		libxml2 (which escapes the text).
 */
#ifndef BIZINVOICE_WRITE_H
#define BIZINVOICE_WRITE_H

#include "postgres.h"

#include <libxml/tree.h>

#include "utils/jsonb.h"

/* A member of an object: object, text (strings and numbers), array item. */
extern JsonbContainer *jd_object(JsonbContainer *c, const char *key);
extern char *jd_text(JsonbContainer *c, const char *key);
extern int	jd_length(JsonbContainer *c, const char *key);
extern JsonbContainer *jd_item(JsonbContainer *c, const char *key, int i);

/* A child element with this text, or nothing (NULL) when the text is NULL. */
extern xmlNodePtr w_text(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text);

/* The same with one attribute. */
extern xmlNodePtr w_attr(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text,
						 const char *attr, const char *value);

/* YYYY-MM-DD as CII's YYYYMMDD (palloc'd), NULL stays NULL. */
extern char *w_cii_date(const char *date);

/*
 * The payment means code to write (BG-16), or NULL to write none: a credit
 * transfer without an account to pay to would break BR-61.
 */
extern const char *w_means_code(JsonbContainer *payment);

/* The VAT exemption code and text written for a category needing one, or NULLs. */
extern void w_exemption(const char *category, const char **code, const char **text);

extern xmlDocPtr ei_write_ubl(JsonbContainer *inv);
extern xmlDocPtr ei_write_cii(JsonbContainer *inv);

#endif							/* BIZINVOICE_WRITE_H */
