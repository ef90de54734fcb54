/*
 * shared.c
 *		The worker's state in shared memory, and the SQL functions that show
 *		it: chorus_worker_status(), chorus_worker_database(); and the wake-up
 *		a transaction that queued an invoice, or a status notification, gives
 *		the worker at commit.
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/dbcommands.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "worker/settings.h"
#include "worker/shared.h"

typedef struct WorkerState
{
	slock_t		mutex;
	pid_t		pid;
	Latch	   *latch;			/* the worker's, to wake it */
	TimestampTz started_at;
	TimestampTz last_poll;
	int			in_flight;
	bool		claim_pending;	/* invoices queued since the worker looked */
	bool		relay_pending;	/* status moves queued since the worker relayed */
	uint64		counters[WORKER_COUNTERS];
	char		last_error[256];
} WorkerState;

static WorkerState *state = NULL;
static bool preloaded = false;
static shmem_request_hook_type prev_request_hook = NULL;
static shmem_startup_hook_type prev_startup_hook = NULL;

static void
request_shared(void)
{
	if (prev_request_hook)
		prev_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(WorkerState)));
}

static void
attach_shared(void)
{
	bool		found;

	if (prev_startup_hook)
		prev_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	state = ShmemInitStruct("bizinvoice chorus worker", sizeof(WorkerState), &found);
	if (!found)
	{
		memset(state, 0, sizeof(WorkerState));
		SpinLockInit(&state->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
chorus_shared_request(void)
{
	preloaded = true;
	prev_request_hook = shmem_request_hook;
	shmem_request_hook = request_shared;
	prev_startup_hook = shmem_startup_hook;
	shmem_startup_hook = attach_shared;
}

static void
worker_stopped(int code, Datum arg)
{
	SpinLockAcquire(&state->mutex);
	state->pid = 0;
	state->latch = NULL;
	state->in_flight = 0;
	SpinLockRelease(&state->mutex);
}

void
worker_started(void)
{
	SpinLockAcquire(&state->mutex);
	state->pid = MyProcPid;
	state->latch = MyLatch;
	state->started_at = GetCurrentTimestamp();
	state->last_poll = 0;
	state->in_flight = 0;
	state->claim_pending = true;	/* what was queued while it was away */
	state->relay_pending = true;
	memset(state->counters, 0, sizeof(state->counters));
	state->last_error[0] = '\0';
	SpinLockRelease(&state->mutex);
	on_shmem_exit(worker_stopped, 0);
}

void
worker_polled(int in_flight)
{
	TimestampTz now = GetCurrentTimestamp();

	SpinLockAcquire(&state->mutex);
	state->last_poll = now;
	state->in_flight = in_flight;
	SpinLockRelease(&state->mutex);
}

void
worker_count(WorkerCounter counter, int n)
{
	SpinLockAcquire(&state->mutex);
	state->counters[counter] += n;
	SpinLockRelease(&state->mutex);
}

void
worker_error(const char *message)
{
	SpinLockAcquire(&state->mutex);
	state->counters[COUNT_ERRORS]++;
	strlcpy(state->last_error, message, sizeof(state->last_error));
	SpinLockRelease(&state->mutex);
}

bool
worker_pending(bool relay, bool clear)
{
	bool	   *flag = relay ? &state->relay_pending : &state->claim_pending;
	bool		pending;

	SpinLockAcquire(&state->mutex);
	pending = *flag;
	if (clear)
		*flag = false;
	SpinLockRelease(&state->mutex);
	return pending;
}

bool
worker_serves_database(void)
{
	static int	serves = -1;	/* not known yet */

	if (serves < 0)
	{
		char	   *name = NULL;

		if (preloaded && state != NULL && chorus_database[0] != '\0')
			name = get_database_name(MyDatabaseId);
		serves = name != NULL && strcmp(name, chorus_database) == 0;
	}
	return serves == 1;
}

static bool wake_at_commit = false;
static bool relay_at_commit = false;

static void
wake_worker(XactEvent event, void *arg)
{
	Latch	   *latch = NULL;

	/* only the first commit after the worker looked need wake it */
	if (event == XACT_EVENT_COMMIT && (wake_at_commit || relay_at_commit) && state != NULL)
	{
		bool		wake = false;

		SpinLockAcquire(&state->mutex);
		latch = state->latch;
		if (wake_at_commit && !state->claim_pending)
			wake = state->claim_pending = true;
		if (relay_at_commit && !state->relay_pending)
			wake = state->relay_pending = true;
		SpinLockRelease(&state->mutex);
		if (wake && latch)
			SetLatch(latch);
	}
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		wake_at_commit = relay_at_commit = false;
}

static void
register_wake(void)
{
	static bool registered = false;

	if (!registered)
	{
		RegisterXactCallback(wake_worker, NULL);
		registered = true;
	}
}

void
worker_relay_at_commit(void)
{
	register_wake();
	relay_at_commit = true;
}

/*
 * chorus_wake_worker(): once this transaction commits, the worker looks for
 * due work at once rather than at its next nap's end.
 */
PG_FUNCTION_INFO_V1(chorus_wake_worker);
Datum
chorus_wake_worker(PG_FUNCTION_ARGS)
{
	register_wake();
	wake_at_commit = true;
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(chorus_worker_database);
Datum
chorus_worker_database(PG_FUNCTION_ARGS)
{
	if (!preloaded || chorus_database == NULL || chorus_database[0] == '\0')
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(chorus_database));
}

PG_FUNCTION_INFO_V1(chorus_worker_status);
Datum
chorus_worker_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	WorkerState copy;
	Datum		values[13];
	bool		nulls[13];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	memset(&copy, 0, sizeof(copy));
	if (state != NULL)
	{
		SpinLockAcquire(&state->mutex);
		copy = *state;
		SpinLockRelease(&state->mutex);
	}
	/* running, and the database it serves, always; the rest while it runs */
	memset(nulls, copy.pid == 0, sizeof(nulls));
	values[0] = BoolGetDatum(copy.pid != 0);
	nulls[0] = false;
	values[2] = CStringGetTextDatum(chorus_database);
	nulls[2] = !preloaded || chorus_database[0] == '\0';
	values[1] = Int32GetDatum(copy.pid);
	values[3] = TimestampTzGetDatum(copy.started_at);
	values[4] = TimestampTzGetDatum(copy.last_poll);
	nulls[4] |= copy.last_poll == 0;
	values[5] = Int32GetDatum(copy.in_flight);
	for (int i = 0; i < WORKER_COUNTERS; i++)
		values[6 + i] = Int64GetDatum((int64) copy.counters[i]);
	values[12] = CStringGetTextDatum(copy.last_error);
	nulls[12] |= copy.last_error[0] == '\0';
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
