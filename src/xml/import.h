/*
 * import.h
 *		An EInvoice as the JSON the SQL import works from: {"syntax",
 *		"invoice" (create_invoice's document), "seller", "buyer", "payee"
 *		(register_party's), "not_mapped" (XPaths), "findings"}.
 */
#ifndef BIZINVOICE_IMPORT_H
#define BIZINVOICE_IMPORT_H

#include "postgres.h"

#include "einvoice.h"
#include "parse.h"
#include "rules.h"

extern char *ei_import_json(xmlDocPtr doc, const EInvoice *inv, List *findings);

/* A document parsed, read, checked and mapped: read_invoice_document()'s jsonb. */
extern Datum ei_import_jsonb(EiSource src);

#endif							/* BIZINVOICE_IMPORT_H */
