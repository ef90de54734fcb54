/*
 * idempotent.c
 *		Money-moving requests recorded under their idempotency key.
 *
 * The key's row is inserted with ON CONFLICT DO NOTHING through SPI: the
 * executor's speculative insertion is what makes a second request with the
 * same key wait for the first one's transaction, then see its row.  The
 * plans are kept for the backend.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "ledger/idempotent.h"
#include "status/actor.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr select_plan = NULL;

static SPIPlanPtr
kept_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(sql, nargs, types);

		if (p == NULL)
			elog(ERROR, "could not prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}

static char *
jsonb_text(Jsonb *j)
{
	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

Jsonb *
idempotent_record(const char *key, const char *operation, Jsonb *arguments, Jsonb *result)
{
	bool		accountant;
	int64		party = acting_party(&accountant);
	Oid			types[5] = {INT8OID, TEXTOID, TEXTOID, JSONBOID, JSONBOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', result ? ' ' : 'n'};
	MemoryContext caller = CurrentMemoryContext;
	Jsonb	   *prior_result = NULL;
	bool		isnull;

	if (key == NULL || key[strspn(key, " ")] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an idempotency key is required"),
				 errhint("Pass idempotency_key => a value unique to this request, e.g. a UUID.")));

	values[0] = Int64GetDatum(party);	/* 0: no party acting */
	values[1] = CStringGetTextDatum(key);
	values[2] = CStringGetTextDatum(operation);
	values[3] = JsonbPGetDatum(arguments);
	values[4] = result ? JsonbPGetDatum(result) : (Datum) 0;
	SPI_connect();
	if (SPI_execute_plan(kept_plan(&insert_plan,
								   "INSERT INTO bizinvoice.idempotency_key (party_id, key, operation, arguments, result) "
								   "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", 5, types),
						 values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record idempotency key \"%s\"", key);
	if (SPI_processed == 0)
	{
		char	   *prior_operation;
		Jsonb	   *prior_arguments;
		Datum		prior;

		/* a fresh snapshot: the row may be a transaction's that committed since */
		if (SPI_execute_plan(kept_plan(&select_plan,
									   "SELECT operation, arguments, result FROM bizinvoice.idempotency_key "
									   "WHERE party_id = $1 AND key = $2", 2, types),
							 values, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not read idempotency key \"%s\"", key);
		prior_operation = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		prior_arguments = DatumGetJsonbP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
													   &isnull));
		if (strcmp(prior_operation, operation) != 0 ||
			compareJsonbContainers(&prior_arguments->root, &arguments->root) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("idempotency key \"%s\" was already used for another request", key),
					 errdetail("First %s %s, now %s %s.", prior_operation, jsonb_text(prior_arguments),
							   operation, jsonb_text(arguments))));
		prior = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("idempotency key \"%s\" has no recorded result", key)));
		else
		{
			MemoryContext spi = MemoryContextSwitchTo(caller);

			prior_result = DatumGetJsonbPCopy(prior);
			MemoryContextSwitchTo(spi);
		}
	}
	SPI_finish();
	return prior_result;
}

Jsonb *
idempotent_object(int n, const char *const *names, const Numeric *values)
{
	JsonbParseState *state = NULL;
	JsonbValue *object;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < n; i++)
	{
		JsonbValue	k;
		JsonbValue	v;

		k.type = jbvString;
		k.val.string.val = (char *) names[i];
		k.val.string.len = strlen(names[i]);
		pushJsonbValue(&state, WJB_KEY, &k);
		if (values[i] == NULL)
			v.type = jbvNull;
		else
		{
			v.type = jbvNumeric;
			v.val.numeric = values[i];
		}
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	object = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(object);
}

int64
idempotent_result_id(Jsonb *result, const char *name)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&result->root, name, strlen(name), NULL);

	if (v == NULL || v->type != jbvNumeric)
		elog(ERROR, "recorded result %s has no number \"%s\"", jsonb_text(result), name);
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric)));
}

/*
 * idempotent(key, operation, arguments, result) returns jsonb: SQL's way to
 * idempotent_record, for the money-moving functions in PL/pgSQL.
 */
PG_FUNCTION_INFO_V1(idempotent);
Datum
idempotent(PG_FUNCTION_ARGS)
{
	Jsonb	   *prior;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("idempotent needs an operation and its arguments")));
	prior = idempotent_record(PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0)),
							  text_to_cstring(PG_GETARG_TEXT_PP(1)), PG_GETARG_JSONB_P(2),
							  PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3));
	if (prior == NULL)
		PG_RETURN_NULL();
	PG_RETURN_JSONB_P(prior);
}
