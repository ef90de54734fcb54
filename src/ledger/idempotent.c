/*
 * idempotent.c
 *		Money-moving requests recorded under their idempotency key.
 *
 * The key's row is inserted as INSERT ... ON CONFLICT DO NOTHING inserts
 * it, by a speculative insertion: a second request with the same key waits
 * for the first one's transaction, then reads its row.  Written from C
 * (append.h) while the table has no trigger of a DBA's; through SPI
 * otherwise.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "ledger/idempotent.h"
#include "miscadmin.h"
#include "status/actor.h"
#include "status/append.h"
#include "status/kept_plan.h"
#include "status/tables.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr select_plan = NULL;

/* The columns a request gives its key's row, in the order of values[] below. */
#define KEY_COLUMNS 5
static const char *const key_columns[KEY_COLUMNS] = {
	"party_id", "key", "operation", "arguments", "result"
};

/* A request as recorded under its key. */
typedef struct Recorded
{
	char	   *operation;
	Jsonb	   *arguments;
	Jsonb	   *result;			/* NULL if none */
} Recorded;

static char *
jsonb_text(Jsonb *j)
{
	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

static Datum
slot_column(TupleTableSlot *slot, Relation rel, const char *name, bool *isnull)
{
	return slot_getattr(slot, bizinvoice_column(rel, name), isnull);
}

/*
 * The key's row inserted as INSERT ... ON CONFLICT DO NOTHING would (a
 * speculative insertion: a transaction inserting the same key is waited
 * for); false and the row already there in *prior if the key is taken.
 */
static bool
insert_key(Relation rel, Datum *values, bool *nulls, Recorded *prior)
{
	RowWriter	writer;
	TupleTableSlot *slot;
	ItemPointerData conflict;
	bool		inserted = false;
	bool		isnull;
	Datum		result;

	row_writer_start(&writer, rel);
	ExecOpenIndices(writer.rri, true);
	slot = ExecInitExtraTupleSlot(writer.estate, RelationGetDescr(rel), &TTSOpsVirtual);
	ExecClearTuple(slot);
	for (int i = 0; i < slot->tts_tupleDescriptor->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	for (int i = 0; i < KEY_COLUMNS; i++)
	{
		AttrNumber	attnum = bizinvoice_column(rel, key_columns[i]);

		slot->tts_values[attnum - 1] = values[i];
		slot->tts_isnull[attnum - 1] = nulls[i];
	}
	slot->tts_values[bizinvoice_column(rel, "created_at") - 1] =
		TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	slot->tts_isnull[bizinvoice_column(rel, "created_at") - 1] = false;
	ExecStoreVirtualTuple(slot);
	row_writer_check(&writer, slot);

	for (;;)
	{
		bool		conflicted = false;
		uint32		token;

		CHECK_FOR_INTERRUPTS();
		if (!ExecCheckIndexConstraints(writer.rri, slot, writer.estate, &conflict, NIL))
			break;				/* taken, by a committed row or this transaction's */
		token = SpeculativeInsertionLockAcquire(GetCurrentTransactionId());
		table_tuple_insert_speculative(rel, slot, GetCurrentCommandId(true), 0, NULL, token);
		list_free(ExecInsertIndexTuples(writer.rri, slot, writer.estate, false, true, &conflicted, NIL));
		table_tuple_complete_speculative(rel, slot, token, !conflicted);
		SpeculativeInsertionLockRelease(GetCurrentTransactionId());
		if (!conflicted)
		{
			inserted = true;
			break;
		}
		/* inserted concurrently after the check: check again */
	}

	if (!inserted)
	{
		TupleTableSlot *found = table_slot_create(rel, &writer.estate->es_tupleTable);

		if (!table_tuple_fetch_row_version(rel, &conflict, SnapshotAny, found))
			elog(ERROR, "could not read idempotency key \"%s\"", TextDatumGetCString(values[1]));
		/* as ON CONFLICT: a row this snapshot cannot see may not decide */
		if (IsolationUsesXactSnapshot() &&
			!table_tuple_satisfies_snapshot(rel, found, GetTransactionSnapshot()))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update")));
		prior->operation = TextDatumGetCString(slot_column(found, rel, "operation", &isnull));
		prior->arguments = DatumGetJsonbPCopy(slot_column(found, rel, "arguments", &isnull));
		result = slot_column(found, rel, "result", &isnull);
		prior->result = isnull ? NULL : DatumGetJsonbPCopy(result);
	}
	row_writer_end(&writer);
	return inserted;
}

/* The same through SPI, where the table has a DBA's trigger. */
static bool
insert_key_sql(Oid *types, Datum *values, bool *isnull, Recorded *prior)
{
	MemoryContext caller = CurrentMemoryContext;
	char		nulls[5];
	bool		inserted;

	for (int i = 0; i < 5; i++)
		nulls[i] = isnull[i] ? 'n' : ' ';
	SPI_connect();
	if (SPI_execute_plan(kept_plan(&insert_plan,
								   "INSERT INTO bizinvoice.idempotency_key (party_id, key, operation, arguments, result) "
								   "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", 5, types, 0),
						 values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record idempotency key \"%s\"", TextDatumGetCString(values[1]));
	inserted = SPI_processed == 1;
	/* a fresh snapshot: the row may be a transaction's that committed since */
	if (!inserted &&
		(SPI_execute_plan(kept_plan(&select_plan,
									"SELECT operation, arguments, result FROM bizinvoice.idempotency_key "
									"WHERE party_id = $1 AND key = $2", 2, types, 0),
						  values, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1))
		elog(ERROR, "could not read idempotency key \"%s\"", TextDatumGetCString(values[1]));
	if (!inserted)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext spi = MemoryContextSwitchTo(caller);
		bool		null;
		Datum		result;

		prior->operation = SPI_getvalue(row, desc, 1);
		prior->arguments = DatumGetJsonbPCopy(SPI_getbinval(row, desc, 2, &null));
		result = SPI_getbinval(row, desc, 3, &null);
		prior->result = null ? NULL : DatumGetJsonbPCopy(result);
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	return inserted;
}

Jsonb *
idempotent_record(const char *key, const char *operation, Jsonb *arguments, Jsonb *result)
{
	bool		accountant;
	int64		party = acting_party(&accountant);
	Oid			types[5] = {INT8OID, TEXTOID, TEXTOID, JSONBOID, JSONBOID};
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, result == NULL};
	Relation	rel;
	Recorded	prior;
	bool		inserted;

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

	/* what the executor checks before it writes */
	PreventCommandIfReadOnly("INSERT");
	PreventCommandIfParallelMode("INSERT");
	rel = bizinvoice_table_open("idempotency_key", RowExclusiveLock);
	if (row_writer_possible(rel, TRIGGER_TYPE_INSERT, NULL, NULL))
	{
		CheckCmdReplicaIdentity(rel, CMD_INSERT);
		bizinvoice_statement_start(NULL);
		inserted = insert_key(rel, values, nulls, &prior);
		PopActiveSnapshot();
	}
	else
		inserted = insert_key_sql(types, values, nulls, &prior);
	table_close(rel, NoLock);
	if (inserted)
		return NULL;

	if (strcmp(prior.operation, operation) != 0 ||
		compareJsonbContainers(&prior.arguments->root, &arguments->root) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("idempotency key \"%s\" was already used for another request", key),
				 errdetail("First %s %s, now %s %s.", prior.operation, jsonb_text(prior.arguments),
						   operation, jsonb_text(arguments))));
	if (prior.result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("idempotency key \"%s\" has no recorded result", key)));
	return prior.result;
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
