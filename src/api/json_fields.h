/*
 * json_fields.h
 *		Reading the fields of an invoice's JSON document (json_fields.c).
 */
#ifndef BIZINVOICE_JSON_FIELDS_H
#define BIZINVOICE_JSON_FIELDS_H

#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/numeric.h"

/*
 * A field's number: a JSON number, or a string holding a decimal one; NULL
 * for JSON null.  Anything else is refused as an invalid invoice document,
 * naming where the field is.
 */
extern Numeric json_value_numeric(JsonbValue *v, const char *where);

/* A field's text as ->> gives it (NULL for JSON null). */
extern char *json_value_text(JsonbValue *v);

#endif							/* BIZINVOICE_JSON_FIELDS_H */
