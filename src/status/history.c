/*
 * history.c
 *		status_record: the AFTER UPDATE trigger on bizinvoice.invoice that
 *		appends every status move to bizinvoice.status_history and sends
 *		NOTIFY bizinvoice_status, or queues it for the worker to send
 *		(bizinvoice.status_notify: commit, relay or off).
 *
 * It fires for each move the status guard counted (status_seq), moves to
 * the same status included; the guard wrote who made it on the row.
 */
#include "postgres.h"

#include "bizinvoice.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "status/invoice_row.h"
#include "status/notify.h"
#include "utils/builtins.h"

#define HISTORY_ARGS 11
#define HISTORY_INSERT "INSERT INTO bizinvoice.status_history " \
	"(invoice_id, channel, from_status, to_status, changed_at, changed_by, " \
	"actor, party_id, reason, amount, raw_code) " \
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"

/* the entry alone, and the entry with its notification queued for the worker */
static SPIPlanPtr insert_plans[2] = {NULL, NULL};

static SPIPlanPtr
history_plan(bool queued)
{
	if (insert_plans[queued] == NULL)
	{
		Oid			types[HISTORY_ARGS] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID,
		NAMEOID, TEXTOID, INT8OID, TEXTOID, NUMERICOID, TEXTOID};
		SPIPlanPtr	plan = SPI_prepare(queued ?
									   "WITH h AS (" HISTORY_INSERT ") "
									   "INSERT INTO bizinvoice.status_event (history_id) "
									   "SELECT id FROM h RETURNING history_id"
									   : HISTORY_INSERT,
									   HISTORY_ARGS, types);

		if (plan == NULL)
			elog(ERROR, "could not prepare the status history insert: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		insert_plans[queued] = plan;
	}
	return insert_plans[queued];
}

/* Appends the entry (and queues its notification); returns its id. */
static int64
insert_history(Datum *values, const bool *nulls, bool queued)
{
	char		nullflags[HISTORY_ARGS];
	bool		isnull;

	for (int i = 0; i < HISTORY_ARGS; i++)
		nullflags[i] = nulls[i] ? 'n' : ' ';
	if (SPI_execute_plan(history_plan(queued), values, nullflags, false, 0) != SPI_OK_INSERT_RETURNING ||
		SPI_processed != 1)
		elog(ERROR, "could not append to bizinvoice.status_history");
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
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
	int64		history_id;
	bool		queued;

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

	queued = notify_relayed();
	SPI_connect();
	history_id = insert_history(values, nulls, queued);
	SPI_finish();

	if (bizinvoice_status_notify != STATUS_NOTIFY_OFF && !queued)
		notify_move(history_id, id, channel, from, to);
	return PointerGetDatum(NULL);
}
