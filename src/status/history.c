/*
 * history.c
 *		status_record: the AFTER UPDATE trigger on bizinvoice.invoice that
 *		appends every status move to bizinvoice.status_history and sends
 *		NOTIFY bizinvoice_status, or queues it for the worker to send
 *		(bizinvoice.status_notify: commit, relay or off).
 *
 * It fires for each UPDATE the status guard counted a move in (status_seq),
 * moves to the same status included, two for a chained move; the guard
 * wrote who made it on the row.
 */
#include "postgres.h"

#include "access/table.h"
#include "bizinvoice.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "status/actor.h"
#include "status/append.h"
#include "status/invoice_row.h"
#include "status/row_triggers.h"
#include "status/notify.h"
#include "status/tables.h"
#include "utils/builtins.h"

#define HISTORY_COLUMNS 11
#define HISTORY_FROM 2
#define HISTORY_TO 3

static const char *const history_columns[HISTORY_COLUMNS] = {
	"invoice_id", "channel", "from_status", "to_status", "changed_at",
	"changed_by", "actor", "party_id", "reason", "amount", "raw_code"
};

/*
 * Appends the move to status_history (and its id to status_event, for the
 * worker to notify); returns the entry's id.  The invoice the entry names
 * is the row being updated: its foreign key holds.
 */
static int64
insert_history(Datum *values, const bool *nulls, bool queued)
{
	int64		id = append_nextval("status_history_id_seq");
	Relation	rel = bizinvoice_table_open("status_history", RowExclusiveLock);
	AppendRow  *row = append_start(rel);

	append_set(row, "id", Int64GetDatum(id), false);
	for (int i = 0; i < HISTORY_COLUMNS; i++)
		append_set(row, history_columns[i], values[i], nulls[i]);
	append_row(row);
	table_close(rel, NoLock);

	if (queued)
	{
		rel = bizinvoice_table_open("status_event", RowExclusiveLock);
		row = append_start(rel);
		append_set(row, "history_id", Int64GetDatum(id), false);
		append_row(row);
		table_close(rel, NoLock);
	}
	return id;
}

/* One move from one status to another: its entry, and its notification. */
static void
record_move(Datum *values, bool *nulls, int64 id, const char *channel,
			const char *from, const char *to, bool queued)
{
	int64		history_id;

	values[HISTORY_FROM] = from ? CStringGetTextDatum(from) : (Datum) 0;
	nulls[HISTORY_FROM] = from == NULL;
	values[HISTORY_TO] = CStringGetTextDatum(to);
	history_id = insert_history(values, nulls, queued);
	if (bizinvoice_status_notify != STATUS_NOTIFY_OFF && !queued)
		notify_move(history_id, id, channel, from, to);
}

/*
 * The history trigger's work on one updated row: nothing unless its move
 * counter moved (the trigger's WHEN clause says so too, to spare the queue).
 */
void
record_row(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	const InvoiceColumns *cols = invoice_columns(rel);
	Datum		values[HISTORY_COLUMNS];
	bool		nulls[HISTORY_COLUMNS] = {0};
	char	   *channel;
	char	   *from;
	char	   *to;
	int64		id;
	int32		seq;
	bool		queued;
	char	   *via;
	int32		oldseq = column_int4(oldtup, desc, cols->attnum[COL_SEQ]);

	seq = column_int4(newtup, desc, cols->attnum[COL_SEQ]);
	if (seq == oldseq)
		return;
	id = column_int8(newtup, desc, cols->attnum[COL_ID]);
	channel = column_text(newtup, desc, cols->attnum[COL_CHANNEL]);
	from = column_status(oldtup, desc, cols);
	to = column_status(newtup, desc, cols);

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(channel);
	values[4] = SPI_getbinval(newtup, desc, cols->attnum[COL_CHANGED_AT], &nulls[4]);
	/* the role behind the call, not the owner of the function that made it */
	values[5] = DirectFunctionCall1(namein, CStringGetDatum(caller_role_name()));
	values[6] = SPI_getbinval(newtup, desc, cols->attnum[COL_ACTOR], &nulls[6]);
	values[7] = SPI_getbinval(newtup, desc, cols->attnum[COL_PARTY], &nulls[7]);
	values[8] = SPI_getbinval(newtup, desc, cols->attnum[COL_REASON], &nulls[8]);
	values[9] = SPI_getbinval(newtup, desc, cols->attnum[COL_AMOUNT], &nulls[9]);
	values[10] = SPI_getbinval(newtup, desc, cols->attnum[COL_RAW_CODE], &nulls[10]);

	queued = notify_relayed();
	/* a chained move (submit's deposit and delivery) went through a status in between */
	via = take_chained_move(id, seq);
	if (via == NULL && seq == oldseq + 2)
		elog(ERROR, "invoice " INT64_FORMAT " made two moves the status guard did not hand over", id);
	if (via != NULL)
	{
		record_move(values, nulls, id, channel, from, via, queued);
		from = via;
	}
	record_move(values, nulls, id, channel, from, to, queued);
}

PG_FUNCTION_INFO_V1(status_record);
Datum
status_record(PG_FUNCTION_ARGS)
{
	TriggerData *trig = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trig->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trig->tg_event) || !TRIGGER_FIRED_BY_UPDATE(trig->tg_event))
		elog(ERROR, "status_record must be an AFTER UPDATE row trigger");
	record_row(trig->tg_relation, trig->tg_trigtuple, trig->tg_newtuple);
	return PointerGetDatum(NULL);
}
