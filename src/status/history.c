/*
 * history.c
 *		status_record: the AFTER UPDATE trigger on bizinvoice.invoice that
 *		appends every status move to bizinvoice.status_history and sends
 *		NOTIFY bizinvoice_status (unless bizinvoice.status_notify is off).
 *
 * It fires for each move the status guard counted (status_seq), moves to
 * the same status included; the guard wrote who made it on the row.
 */
#include "postgres.h"

#include "bizinvoice.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "status/invoice_row.h"
#include "utils/builtins.h"
#include "utils/json.h"

#define HISTORY_ARGS 11

static SPIPlanPtr insert_plan = NULL;

static void
insert_history(Datum *values, const bool *nulls)
{
	char		nullflags[HISTORY_ARGS];

	if (insert_plan == NULL)
	{
		Oid			types[HISTORY_ARGS] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID,
		NAMEOID, TEXTOID, INT8OID, TEXTOID, NUMERICOID, TEXTOID};
		SPIPlanPtr	plan = SPI_prepare("INSERT INTO bizinvoice.status_history "
									   "(invoice_id, channel, from_status, to_status, changed_at, changed_by, "
									   "actor, party_id, reason, amount, raw_code) "
									   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
									   HISTORY_ARGS, types);

		if (plan == NULL)
			elog(ERROR, "could not prepare the status history insert: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		insert_plan = plan;
	}
	for (int i = 0; i < HISTORY_ARGS; i++)
		nullflags[i] = nulls[i] ? 'n' : ' ';
	if (SPI_execute_plan(insert_plan, values, nullflags, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not append to bizinvoice.status_history");
}

/* {"invoice_id": 1, "channel": "B2B", "from": "draft", "to": "deposited"} */
static void
notify_move(int64 id, const char *channel, const char *from, const char *to)
{
	StringInfoData payload;

	initStringInfo(&payload);
	appendStringInfo(&payload, "{\"invoice_id\": " INT64_FORMAT ", \"channel\": ", id);
	escape_json(&payload, channel);
	appendStringInfoString(&payload, ", \"from\": ");
	if (from)
		escape_json(&payload, from);
	else
		appendStringInfoString(&payload, "null");
	appendStringInfoString(&payload, ", \"to\": ");
	escape_json(&payload, to);
	appendStringInfoChar(&payload, '}');
	Async_Notify("bizinvoice_status", payload.data);
}

PG_FUNCTION_INFO_V1(status_record);
Datum
status_record(PG_FUNCTION_ARGS)
{
	TriggerData *trig = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	const InvoiceColumns *cols;
	HeapTuple	oldtup;
	HeapTuple	newtup;
	Datum		values[HISTORY_ARGS];
	bool		nulls[HISTORY_ARGS] = {0};
	char	   *channel;
	char	   *from;
	char	   *to;
	int64		id;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trig->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trig->tg_event) || !TRIGGER_FIRED_BY_UPDATE(trig->tg_event))
		elog(ERROR, "status_record must be an AFTER UPDATE row trigger");

	desc = RelationGetDescr(trig->tg_relation);
	cols = invoice_columns(fcinfo, trig->tg_relation);
	oldtup = trig->tg_trigtuple;
	newtup = trig->tg_newtuple;
	id = column_int8(newtup, desc, cols->attnum[COL_ID]);
	channel = column_text(newtup, desc, cols->attnum[COL_CHANNEL]);
	from = column_status(oldtup, desc, cols);
	to = column_status(newtup, desc, cols);

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(channel);
	values[2] = from ? CStringGetTextDatum(from) : (Datum) 0;
	nulls[2] = from == NULL;
	values[3] = CStringGetTextDatum(to);
	values[4] = SPI_getbinval(newtup, desc, cols->attnum[COL_CHANGED_AT], &nulls[4]);
	/* the role behind the call, not the owner of the function that made it */
	values[5] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetOuterUserId(), false)));
	values[6] = SPI_getbinval(newtup, desc, cols->attnum[COL_ACTOR], &nulls[6]);
	values[7] = SPI_getbinval(newtup, desc, cols->attnum[COL_PARTY], &nulls[7]);
	values[8] = SPI_getbinval(newtup, desc, cols->attnum[COL_REASON], &nulls[8]);
	values[9] = SPI_getbinval(newtup, desc, cols->attnum[COL_AMOUNT], &nulls[9]);
	values[10] = SPI_getbinval(newtup, desc, cols->attnum[COL_RAW_CODE], &nulls[10]);

	SPI_connect();
	insert_history(values, nulls);
	SPI_finish();

	if (bizinvoice_status_notify)
		notify_move(id, channel, from, to);
	return PointerGetDatum(NULL);
}
