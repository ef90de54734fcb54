/*
 * notify.c
 *		The bizinvoice_status notification of a move, and its relay.
 *
 * PostgreSQL serialises the commits of every transaction that sent a NOTIFY
 * (a cluster-wide lock held through the commit's WAL flush).  With
 * bizinvoice.status_notify = relay, a move only queues its history id in
 * bizinvoice.status_event; the worker then sends the notifications of many
 * moves in one transaction (status_relay()).  The payload carries the
 * history id, so that identical moves sent in one transaction stay distinct
 * (PostgreSQL folds identical notifications of a transaction into one).
 */
#include "postgres.h"

#include "bizinvoice.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "status/kept_plan.h"
#include "status/notify.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "worker/shared.h"

/* {"invoice_id": 1, "channel": "B2B", "from": "draft", "to": "deposited", "history_id": 7} */
void
notify_move(int64 history_id, int64 invoice_id, const char *channel,
			const char *from, const char *to)
{
	StringInfoData payload;

	initStringInfo(&payload);
	appendStringInfo(&payload, "{\"invoice_id\": " INT64_FORMAT ", \"channel\": ", invoice_id);
	escape_json(&payload, channel);
	appendStringInfoString(&payload, ", \"from\": ");
	if (from)
		escape_json(&payload, from);
	else
		appendStringInfoString(&payload, "null");
	appendStringInfoString(&payload, ", \"to\": ");
	escape_json(&payload, to);
	appendStringInfo(&payload, ", \"history_id\": " INT64_FORMAT "}", history_id);
	Async_Notify("bizinvoice_status", payload.data);
}

bool
notify_relayed(void)
{
	static bool have_queue = false;

	/* only where a worker serves the database; elsewhere, as commit */
	if (bizinvoice_status_notify != STATUS_NOTIFY_RELAY || !worker_serves_database())
		return false;
	/* a library newer than the extension's SQL, not yet updated: as commit */
	if (!have_queue)
		have_queue = OidIsValid(get_relname_relid("status_event",
												  get_namespace_oid("bizinvoice", true)));
	if (have_queue)
		worker_relay_at_commit();
	return have_queue;
}

/*
 * Two statements, each planned to use its index whatever the queue and the
 * history hold: a join of the dequeued ids with the history was planned
 * once for all as a hash join over all of status_history.  Generic plans:
 * planned for a given batch size, the dequeue read the whole queue, dead
 * rows included, rather than its index.
 */
static SPIPlanPtr dequeue_plan = NULL;
static SPIPlanPtr read_plan = NULL;

/* Runs one of them (prepared on first use) with its one argument. */
static void
relay_run(SPIPlanPtr *plan, const char *sql, Oid type, Datum arg, int expected, const char *what)
{
	if (SPI_execute_plan(kept_plan(plan, sql, 1, &type, CURSOR_OPT_GENERIC_PLAN), &arg, NULL, false, 0)
		!= expected)
		elog(ERROR, "could not %s", what);
}

/*
 * status_relay(max_events) → integer: sends the notifications of up to
 * max_events queued moves, oldest first, and dequeues them.  Both
 * statements read-write, so that the history is read under a snapshot as
 * new as the dequeue's.
 */
PG_FUNCTION_INFO_V1(status_relay);
Datum
status_relay(PG_FUNCTION_ARGS)
{
	Datum		max_events = PG_GETARG_DATUM(0);
	Datum	   *ids;
	Datum		dequeued;
	uint64		n;

	SPI_connect();
	relay_run(&dequeue_plan, "DELETE FROM bizinvoice.status_event WHERE history_id = "
			  "ANY (ARRAY(SELECT history_id FROM bizinvoice.status_event "
			  "ORDER BY history_id LIMIT $1)) RETURNING history_id",
			  INT4OID, max_events, SPI_OK_DELETE_RETURNING, "dequeue from bizinvoice.status_event");
	n = SPI_processed;
	if (n == 0)
	{
		SPI_finish();
		PG_RETURN_INT32(0);
	}
	ids = palloc(n * sizeof(Datum));
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;

		ids[i] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
	}
	dequeued = PointerGetDatum(construct_array(ids, (int) n, INT8OID, sizeof(int64),
											   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	relay_run(&read_plan, "SELECT h.id, h.invoice_id, h.channel, h.from_status, h.to_status "
			  "FROM bizinvoice.status_history h WHERE h.id = ANY ($1) ORDER BY h.id",
			  INT8ARRAYOID, dequeued, SPI_OK_SELECT, "read bizinvoice.status_history");
	n = SPI_processed;
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		notify_move(DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull)),
					DatumGetInt64(SPI_getbinval(row, desc, 2, &isnull)),
					SPI_getvalue(row, desc, 3), SPI_getvalue(row, desc, 4),
					SPI_getvalue(row, desc, 5));
	}
	SPI_finish();
	PG_RETURN_INT32((int32) n);
}
