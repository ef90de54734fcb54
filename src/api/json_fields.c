/*
 * json_fields.c
 *		The checks create_invoice() and submit() make on the fields of an
 *		invoice's JSON document: json_check_keys(), json_date(),
 *		json_numeric(), and json_check_part_keys() and
 *		json_check_part_values() over its lines, allowances and charges.  In
 *		C because a draft made about twenty such calls and queries in
 *		PL/pgSQL, each with its executor start-up.
 *
 * The messages are those of the invoice document's refusals (22023), with
 * where the field is; the values are PostgreSQL's own jsonb, date and
 * numeric, the patterns its regular expressions.
 */
#include "postgres.h"

#include "api/json_fields.h"
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
 * Refuses obj (a document's value) unless it is an object whose keys are all
 * in known; what and where name the document and the place in it.
 */
static void
check_keys(JsonbValue *obj, ArrayType *known_array, const char *what, const char *where)
{
	Datum	   *known;
	bool	   *nulls;
	int			nknown;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;

	if (obj->type != jbvBinary || !JsonContainerIsObject(obj->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s document", what),
				 errdetail("%s must be a JSON object.", where)));
	deconstruct_array(known_array, TEXTOID, -1, false, TYPALIGN_INT, &known, &nulls, &nknown);

	it = JsonbIteratorInit(obj->val.binary.data);
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
}

/*
 * json_check_keys(obj jsonb, known text[], what text, where_ text): refuses
 * an obj that is not an object, or that has a key not in known.  The SQL
 * functions of this file are strict: an absent field passes, and gives NULL.
 */
PG_FUNCTION_INFO_V1(json_check_keys);
Datum
json_check_keys(PG_FUNCTION_ARGS)
{
	Jsonb	   *obj = PG_GETARG_JSONB_P(0);
	JsonbValue	root;

	/* the whole document as a value (a scalar's container is no object either) */
	root.type = jbvBinary;
	root.val.binary.data = &obj->root;
	root.val.binary.len = VARSIZE(obj) - VARHDRSZ;
	check_keys(&root, PG_GETARG_ARRAYTYPE_P(1), text_to_cstring(PG_GETARG_TEXT_PP(2)),
			   text_to_cstring(PG_GETARG_TEXT_PP(3)));
	PG_RETURN_VOID();
}

/*
 * The array of doc's field key, NULL when absent (or doc no object: the
 * caller refuses that); refused as jsonb_array_elements() would.
 */
static JsonbContainer *
parts(Jsonb *doc, const char *key)
{
	JsonbValue *v;

	if (!JB_ROOT_IS_OBJECT(doc))
		return NULL;
	v = getKeyJsonValueFromContainer(&doc->root, key, strlen(key), NULL);
	if (v == NULL)
		return NULL;
	if (v->type != jbvBinary)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot extract elements from a scalar")));
	if (JsonContainerIsObject(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot extract elements from an object")));
	return v->val.binary.data;
}

static int
count(JsonbContainer *array)
{
	return array ? JsonContainerSize(array) : 0;
}

/* An element's field, NULL when absent or when the element is no object. */
static JsonbValue *
member(JsonbValue *obj, const char *key)
{
	if (obj->type != jbvBinary || !JsonContainerIsObject(obj->val.binary.data))
		return NULL;
	return getKeyJsonValueFromContainer(obj->val.binary.data, key, strlen(key), NULL);
}

/* A value as JSON text, for a message. */
static char *
value_json(JsonbValue *v)
{
	if (v->type == jbvBinary)
		return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
	return jsonb_text(JsonbValueToJsonb(v));
}

char *
json_value_text(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		default:
			return value_json(v);
	}
}

/* A number, or a string holding a decimal one (json_is_decimal()), as numeric; NULL otherwise. */
static Numeric
decimal(JsonbValue *v)
{
	char	   *s;

	if (v->type == jbvNumeric)
		return v->val.numeric;
	if (v->type != jbvString)
		return NULL;
	s = pnstrdup(v->val.string.val, v->val.string.len);
	if (!matches(s, "^\\s*[-+]?[0-9]+(\\.[0-9]+)?\\s*$"))
		return NULL;
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

static int
sign(Numeric n)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
											 NumericGetDatum(int64_to_numeric(0))));
}

#define REFUSE(...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg("invalid invoice document"), \
			 errdetail(__VA_ARGS__)))

Numeric
json_value_numeric(JsonbValue *v, const char *where)
{
	Numeric		n;

	if (v->type == jbvNull)
		return NULL;
	n = decimal(v);
	if (n == NULL)
		REFUSE("%s must be a decimal number, not %s.", where, value_json(v));
	return n;
}

/* A numeric field of a line or allowance: required, and the rule that forbids it negative. */
typedef struct NumberField
{
	const char *key;
	bool		required;
	const char *rule;
} NumberField;

static const NumberField line_numbers[] = {
	{"quantity", true, NULL}, {"net_price", true, "BR-27"}, {"base_quantity", false, "BR-28"},
	{"allowance_amount", false, "BR-41"}, {"charge_amount", false, "BR-43"},
	{"vat_rate", false, NULL}, {"net_amount", false, NULL}
};

static const NumberField part_numbers[] = {
	{"amount", true, "BR-31"}, {"vat_rate", false, NULL}
};

static void
check_numbers(JsonbValue *obj, const NumberField *fields, int n, const char *at)
{
	for (int i = 0; i < n; i++)
	{
		JsonbValue *v = member(obj, fields[i].key);
		Numeric		num;

		if (v == NULL || v->type == jbvNull)
		{
			if (fields[i].required)
				REFUSE("%s.%s is missing.", at, fields[i].key);
			continue;
		}
		num = decimal(v);
		if (num == NULL)
			REFUSE("%s.%s must be a decimal number, not %s.", at, fields[i].key, value_json(v));
		if (fields[i].rule != NULL && sign(num) < 0)
			REFUSE("%s.%s must not be negative (%s), not %s.", at, fields[i].key, fields[i].rule,
				   value_json(v));
	}
}

/*
 * json_check_part_keys(doc jsonb, line_keys text[], part_keys text[]):
 * refuses lines, allowances and charges that are not objects of known keys,
 * the first in document order.
 */
PG_FUNCTION_INFO_V1(json_check_part_keys);
Datum
json_check_part_keys(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	const char *kinds[] = {"lines", "allowances", "charges"};

	for (int k = 0; k < lengthof(kinds); k++)
	{
		JsonbContainer *array = parts(doc, kinds[k]);

		for (int i = 0; i < count(array); i++)
			check_keys(getIthJsonbValueFromContainer(array, i),
					   PG_GETARG_ARRAYTYPE_P(k == 0 ? 1 : 2), "invoice",
					   psprintf("%s[%d]", kinds[k], i + 1));
	}
	PG_RETURN_VOID();
}

/*
 * json_check_part_values(doc jsonb): refuses, the first in document order,
 * a line, allowance or charge whose number is missing where required, not
 * decimal, or negative where a rule forbids it; then a line without an item
 * name (BR-25) or with a base quantity of 0 (BR-28).  create_invoice() has
 * checked that the parts are objects (json_check_part_keys); a part that is
 * not has none of its fields.
 */
PG_FUNCTION_INFO_V1(json_check_part_values);
Datum
json_check_part_values(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	JsonbContainer *lines = parts(doc, "lines");
	const char *kinds[] = {"allowances", "charges"};

	for (int i = 0; i < count(lines); i++)
		check_numbers(getIthJsonbValueFromContainer(lines, i), line_numbers,
					  lengthof(line_numbers), psprintf("lines[%d]", i + 1));
	for (int k = 0; k < lengthof(kinds); k++)
	{
		JsonbContainer *array = parts(doc, kinds[k]);

		for (int i = 0; i < count(array); i++)
			check_numbers(getIthJsonbValueFromContainer(array, i), part_numbers,
						  lengthof(part_numbers), psprintf("%s[%d]", kinds[k], i + 1));
	}
	for (int i = 0; i < count(lines); i++)
	{
		JsonbValue *line = getIthJsonbValueFromContainer(lines, i);
		JsonbValue *item = member(line, "item_name");
		JsonbValue *base = member(line, "base_quantity");
		char	   *name = item ? json_value_text(item) : NULL;
		Numeric		quantity = base ? decimal(base) : NULL;

		if (name == NULL || strspn(name, " ") == strlen(name))
			REFUSE("lines[%d].item_name is missing (BR-25).", i + 1);
		if (quantity != NULL && sign(quantity) == 0)
			REFUSE("lines[%d].base_quantity must be above 0 (BR-28), not %s.", i + 1, json_value_text(base));
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
		REFUSE("%s must be a date as \"YYYY-MM-DD\", not %s.", text_to_cstring(PG_GETARG_TEXT_PP(1)),
			   jsonb_text(PG_GETARG_JSONB_P(0)));
	PG_RETURN_DATUM(DirectFunctionCall1(date_in, CStringGetDatum(s)));
}

/* json_numeric(v jsonb, where_ text) → numeric: a number, or a string holding a decimal one. */
PG_FUNCTION_INFO_V1(json_numeric);
Datum
json_numeric(PG_FUNCTION_ARGS)
{
	Jsonb	   *j = PG_GETARG_JSONB_P(0);
	JsonbValue	v;
	Numeric		n;

	/* an array or an object: no number */
	if (!scalar(j, &v))
		REFUSE("%s must be a decimal number, not %s.", text_to_cstring(PG_GETARG_TEXT_PP(1)), jsonb_text(j));
	n = json_value_numeric(&v, text_to_cstring(PG_GETARG_TEXT_PP(1)));
	if (n == NULL)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(DatumGetNumericCopy(NumericGetDatum(n)));
}
