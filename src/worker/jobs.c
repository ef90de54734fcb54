/*
 * jobs.c
 *		SPI calls from the worker into the Chorus Pro state machine.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "chorus/json.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "worker/jobs.h"
#include "worker/shared.h"

static bool recovered = false;
static MemoryContext caller_cxt = NULL;

static void
begin(const char *what)
{
	/* a commit leaves TopMemoryContext current: the caller's comes back */
	caller_cxt = CurrentMemoryContext;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, what);
}

static void
commit(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(caller_cxt);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

bool
jobs_ready(void)
{
	bool		installed;

	begin("bizinvoice: looking for the extension");
	/* an older release, not yet updated, has no Chorus Pro state machine */
	SPI_execute("SELECT FROM pg_catalog.pg_extension WHERE extname = 'bizinvoice' "
				"AND pg_catalog.to_regproc('bizinvoice.chorus_claim') IS NOT NULL", true, 1);
	installed = SPI_processed == 1;
	if (installed && !recovered)
	{
		bool		isnull;
		int			n;

		SPI_execute("SELECT bizinvoice.chorus_recover()", false, 1);
		n = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
										&isnull));
		if (n > 0)
			ereport(LOG,
					(errmsg("bizinvoice: %d Chorus Pro deposits were in progress when the worker stopped", n),
					 errdetail("They are searched for on Chorus Pro before any new deposit.")));
		recovered = true;
	}
	commit();
	return installed;
}

static char *
copy_column(int column)
{
	char	   *value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column);

	return MemoryContextStrdup(TopMemoryContext, value ? value : "");
}

bool
jobs_credentials(ChorusCredentials *cred)
{
	bool		found;

	begin("bizinvoice: reading the Chorus Pro credentials");
	SPI_execute("SELECT client_id, client_secret, login, password FROM bizinvoice.chorus_credential",
				true, 1);
	found = SPI_processed == 1;
	if (found)
	{
		cred->client_id = copy_column(1);
		cred->client_secret = copy_column(2);
		cred->login = copy_column(3);
		cred->password = copy_column(4);
	}
	commit();
	return found;
}

/* Appends the (job, step, path, body) rows of the last query to out. */
static int
take_requests(dlist_head *out)
{
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		dlist_push_tail(out, &http_call_new(SPI_getvalue(row, desc, 1), SPI_getvalue(row, desc, 2),
											SPI_getvalue(row, desc, 3),
											SPI_getvalue(row, desc, 4))->node);
	}
	return (int) SPI_processed;
}

static void
add_jobs(ArrayBuildState *keys, dlist_head *calls)
{
	dlist_iter	it;

	dlist_foreach(it, calls)
	{
		HttpCall   *call = dlist_container(HttpCall, node, it.cur);

		accumArrayResult(keys, CStringGetTextDatum(call->job), false, TEXTOID,
						 CurrentMemoryContext);
	}
}

int
jobs_claim(int max, dlist_head *running, dlist_head *pending)
{
	ArrayBuildState *keys;
	Datum		args[2];
	Oid			types[2] = {INT4OID, TEXTARRAYOID};
	int			n;

	begin("bizinvoice: claiming due Chorus Pro work");
	keys = initArrayResult(TEXTOID, CurrentMemoryContext, false);
	add_jobs(keys, running);
	add_jobs(keys, pending);
	args[0] = Int32GetDatum(max);
	args[1] = makeArrayResult(keys, CurrentMemoryContext);
	if (SPI_execute_with_args("SELECT job, step, path, body FROM bizinvoice.chorus_claim($1, $2)",
							  2, types, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "bizinvoice.chorus_claim failed");
	n = take_requests(pending);
	commit();
	return n;
}

/* A job whose answer failed waits with backoff, in a subtransaction of its own. */
static void
hold_job(HttpCall *call, const char *message)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Datum		args[2];
	Oid			types[2] = {TEXTOID, TEXTOID};

	args[0] = CStringGetTextDatum(call->job);
	args[1] = CStringGetTextDatum(message);
	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		SPI_execute_with_args("SELECT bizinvoice.chorus_answer_failed($1, $2)", 2, types, args,
							  NULL, false, 0);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
}

/* One answer in a subtransaction; an error is logged, counted, and held. */
static int
answer_one(HttpCall *call, dlist_head *next)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	char	   *problem = NULL;
	char	   *error = call->error;
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	Oid			types[5] = {TEXTOID, TEXTOID, INT4OID, TEXTOID, TEXTOID};
	int			n = 0;

	if (call->http_status != 0 && call->answer.len > 0)
		problem = json_problem(call->answer.data, call->answer.len);
	if (call->http_status != 0 && (call->answer.len == 0 || problem))
		error = psprintf("HTTP status %ld with %s", call->http_status,
						 problem ? "an answer that is not JSON" : "an empty answer");
	args[0] = CStringGetTextDatum(call->job);
	args[1] = CStringGetTextDatum(call->step);
	args[2] = Int32GetDatum((int32) call->http_status);
	if (call->answer.len > 0 && problem == NULL)
		args[3] = CStringGetTextDatum(call->answer.data);
	else
		nulls[3] = 'n';
	if (error)
		args[4] = CStringGetTextDatum(error);
	else
		nulls[4] = 'n';

	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		if (SPI_execute_with_args("SELECT job, step, path, body "
								  "FROM bizinvoice.chorus_answer($1, $2, $3, $4::jsonb, $5)",
								  5, types, args, nulls, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "bizinvoice.chorus_answer failed");
		n = take_requests(next);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		ereport(WARNING,
				(errmsg("bizinvoice: could not apply the Chorus Pro answer to %s (%s)",
						call->job, call->step),
				 errdetail_internal("%s", edata->message)));
		worker_error(edata->message);
		hold_job(call, edata->message);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return n;
}

int
jobs_answer(dlist_head *done, dlist_head *next)
{
	dlist_mutable_iter it;
	int			n = 0;

	begin("bizinvoice: applying Chorus Pro answers");
	dlist_foreach_modify(it, done)
	{
		HttpCall   *call = dlist_container(HttpCall, node, it.cur);

		dlist_delete(&call->node);
		n += answer_one(call, next);
		http_free(call);
	}
	commit();
	return n;
}

int
jobs_relay(int max)
{
	Datum		arg = Int32GetDatum(max);
	Oid			type = INT4OID;
	bool		isnull;
	int			n = 0;

	begin("bizinvoice: relaying status notifications");

	/*
	 * A relay lost in a crash is sent again after it (each notification
	 * names its history entry, for listeners to know it): its commit need
	 * not wait for a WAL flush, which the moving transactions' commits would
	 * queue behind.
	 */
	(void) set_config_option("synchronous_commit", "off", PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	SPI_execute("SELECT pg_catalog.to_regprocedure('bizinvoice.status_relay(integer)') IS NOT NULL",
				true, 1);
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
	{
		SPI_execute_with_args("SELECT bizinvoice.status_relay($1)", 1, &type, &arg, NULL, false, 1);
		n = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	commit();
	return n;
}
