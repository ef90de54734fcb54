/*
 * json_fields.c
 *		The checks create_invoice() and submit() make on the fields of an
 *		invoice's JSON document: json_check_keys(), json_date(),
 *		json_numeric().  In C because a draft makes about twenty such calls,
 *		each a PL/pgSQL call (and a query for the keys) before.
 *
 * The messages are those of the invoice document's refusals (22023), with
 * where the field is; the values are PostgreSQL's own jsonb, date and
 * numeric, the patterns its regular expressions.
 */
#include "postgres.h"

#include "catalog/pg_collation_d.h"
#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

/* Whether text s matches a regular expression, as SQL's ~ would tell. */
static bool
matches(const char *s, const char *pattern)
{
	return DatumGetBool(DirectFunctionCall2Coll(textregexeq, C_COLLATION_OID,
												CStringGetTextDatum(s),
												CStringGetTextDatum(pattern)));
}

/* A scalar jsonb's value (its only element, jsonb keeping scalars in a one-element array). */
static bool
scalar(Jsonb *j, JsonbValue *v)
{
	return JsonbExtractScalar(&j->root, v);
}

/* The jsonb as its text, for a message. */
static char *
jsonb_text(Jsonb *j)
{
	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

/* A string scalar's text, NULL for other values. */
static char *
string_of(Jsonb *j)
{
	JsonbValue	v;

	if (!scalar(j, &v) || v.type != jbvString)
		return NULL;
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* Whether a jsonb is JSON null. */
static bool
json_null(Jsonb *j)
{
	JsonbValue	v;

	return scalar(j, &v) && v.type == jbvNull;
}

/*
 * json_check_keys(obj jsonb, known text[], what text, where_ text): refuses
 * an obj that is not an object, or that has a key not in known.  All three
 * SQL functions are strict: an absent field passes, and gives NULL.
 */
PG_FUNCTION_INFO_V1(json_check_keys);
Datum
json_check_keys(PG_FUNCTION_ARGS)
{
	Jsonb	   *obj;
	Datum	   *known;
	bool	   *nulls;
	int			nknown;
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *where = text_to_cstring(PG_GETARG_TEXT_PP(3));
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;

	obj = PG_GETARG_JSONB_P(0);
	if (!JB_ROOT_IS_OBJECT(obj))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s document", what),
				 errdetail("%s must be a JSON object.", where)));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT,
					  &known, &nulls, &nknown);

	it = JsonbIteratorInit(&obj->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		found = false;

		if (token != WJB_KEY)
			continue;
		for (int i = 0; i < nknown && !found; i++)
		{
			text	   *k = DatumGetTextPP(known[i]);

			found = !nulls[i] && VARSIZE_ANY_EXHDR(k) == v.val.string.len &&
				memcmp(VARDATA_ANY(k), v.val.string.val, v.val.string.len) == 0;
		}
		if (!found)
		{
			StringInfoData list;

			initStringInfo(&list);
			for (int i = 0; i < nknown; i++)
				if (!nulls[i])
					appendStringInfo(&list, "%s%s", list.len ? ", " : "",
									 TextDatumGetCString(known[i]));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s document", what),
					 errdetail("Unknown key \"%s\" in %s.",
							   pnstrdup(v.val.string.val, v.val.string.len), where),
					 errhint("Known keys there: %s.", list.data)));
		}
	}
	PG_RETURN_VOID();
}

/* json_date(v jsonb, where_ text) → date: a "YYYY-MM-DD" string. */
PG_FUNCTION_INFO_V1(json_date);
Datum
json_date(PG_FUNCTION_ARGS)
{
	char	   *s;

	if (json_null(PG_GETARG_JSONB_P(0)))
		PG_RETURN_NULL();
	s = string_of(PG_GETARG_JSONB_P(0));
	if (s == NULL || !matches(s, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid invoice document"),
				 errdetail("%s must be a date as \"YYYY-MM-DD\", not %s.",
						   text_to_cstring(PG_GETARG_TEXT_PP(1)),
						   jsonb_text(PG_GETARG_JSONB_P(0)))));
	PG_RETURN_DATUM(DirectFunctionCall1(date_in, CStringGetDatum(s)));
}

/* json_numeric(v jsonb, where_ text) → numeric: a number, or a string holding a decimal one. */
PG_FUNCTION_INFO_V1(json_numeric);
Datum
json_numeric(PG_FUNCTION_ARGS)
{
	JsonbValue	v;
	char	   *s;

	if (json_null(PG_GETARG_JSONB_P(0)))
		PG_RETURN_NULL();
	if (scalar(PG_GETARG_JSONB_P(0), &v) && v.type == jbvNumeric)
		PG_RETURN_NUMERIC(DatumGetNumericCopy(NumericGetDatum(v.val.numeric)));
	s = string_of(PG_GETARG_JSONB_P(0));
	/* json_is_decimal()'s pattern */
	if (s == NULL || !matches(s, "^\\s*[-+]?[0-9]+(\\.[0-9]+)?\\s*$"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid invoice document"),
				 errdetail("%s must be a decimal number, not %s.",
						   text_to_cstring(PG_GETARG_TEXT_PP(1)),
						   jsonb_text(PG_GETARG_JSONB_P(0)))));
	PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}
