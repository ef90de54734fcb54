/*
 * worker.c
 *		The Chorus Pro background worker: signs in, claims due work, keeps
 *		up to bizinvoice.chorus_concurrency requests in flight, and hands
 *		every answer to the SQL state machine.  It also sends the status
 *		notifications queued under bizinvoice.status_notify = relay.
 *
 * What must survive a crash is in the database: a deposit is marked as
 * sending, and committed, before it leaves (see chorus_claim()).  The
 * worker's memory holds only requests in flight and the token.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/pmsignal.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "worker/jobs.h"
#include "worker/settings.h"
#include "worker/shared.h"
#include "worker/worker.h"

/* at most this long in libcurl's poll, so that SIGTERM is seen at once */
#define POLL_SLICE_MS 100

/* status notifications sent in one transaction, and at most so often */
#define RELAY_BATCH 10000
#define RELAY_INTERVAL_MS 10

static ChorusCredentials credentials;
static bool have_credentials = false;
static char *account_header = NULL;
static char *auth_header = NULL;
static int	token_generation = 0;
static TimestampTz token_refresh_at = 0;
static TimestampTz token_retry_at = 0;
static int	token_failures = 0;
static HttpCall *token_call = NULL;

static dlist_head pending = DLIST_STATIC_INIT(pending);
static int	n_pending = 0;
static dlist_head running = DLIST_STATIC_INIT(running);

void
chorus_worker_register(void)
{
	BackgroundWorker worker = {0};

	if (chorus_database[0] == '\0')
	{
		ereport(LOG,
				(errmsg("bizinvoice: no Chorus Pro worker"),
				 errdetail("bizinvoice.chorus_database is not set.")));
		return;
	}
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* never on a standby: it would send what its primary sends */
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	strlcpy(worker.bgw_library_name, "bizinvoice", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "chorus_worker_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "bizinvoice chorus worker", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "bizinvoice chorus worker", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

static TimestampTz
after_ms(TimestampTz from, int64 ms)
{
	return from + ms * 1000;
}

static bool
token_usable(TimestampTz now)
{
	return auth_header != NULL && now < token_refresh_at;
}

static void
fetch_token(TimestampTz now)
{
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json",
		NULL
	};
	char	   *body;

	if (token_call != NULL || token_usable(now) || now < token_retry_at)
		return;
	if (!have_credentials)
	{
		have_credentials = jobs_credentials(&credentials);
		if (!have_credentials)
		{
			if (token_failures++ == 0)
				ereport(LOG,
						(errmsg("bizinvoice: no Chorus Pro credentials"),
						 errhint("Set them with bizinvoice.chorus_set_credentials().")));
			token_retry_at = after_ms(now, 10 * (int64) chorus_naptime);
			return;
		}
		account_header = MemoryContextStrdup(TopMemoryContext, cpro_account_header(&credentials));
	}
	body = token_request_body(&credentials);
	token_call = http_call_new(NULL, "token", "", body);
	memset(body, 0, strlen(body));
	http_start(token_call, chorus_token_url, headers);
	worker_count(COUNT_TOKENS, 1);
}

static void
token_done(TimestampTz now)
{
	int			expires_in;
	char	   *problem;
	char	   *token = token_from_answer(token_call, &expires_in, &problem);

	if (token != NULL)
	{
		/* a margin longer than half the lifetime would never let it serve */
		int			margin = Min(chorus_token_margin, expires_in / 2);

		if (auth_header)
			pfree(auth_header);
		auth_header = MemoryContextStrdup(TopMemoryContext,
										  psprintf("Authorization: Bearer %s", token));
		token_generation++;
		token_refresh_at = after_ms(now, (int64) (expires_in - margin) * 1000);
		token_failures = 0;
	}
	else
	{
		int64		delay = Min((int64) chorus_retry_base << Min(token_failures, 20),
								(int64) chorus_retry_max);

		token_failures++;
		token_retry_at = after_ms(now, delay);
		/* a refused client may have new credentials by the next try */
		if (token_call->http_status == 400 || token_call->http_status == 401)
			have_credentials = false;
		ereport(WARNING,
				(errmsg("bizinvoice: could not get a PISTE token"),
				 errdetail("%s; trying again in %ld ms.", problem, (long) delay)));
		worker_error(psprintf("PISTE token: %s", problem));
	}
	http_free(token_call);
	token_call = NULL;
}

static void
start_call(HttpCall *call)
{
	const char *headers[] = {
		"Content-Type: application/json;charset=utf-8",
		"Accept: application/json;charset=utf-8",
		auth_header,
		account_header,
		NULL
	};
	char	   *url = psprintf("%s%s", chorus_api_url, call->path);

	call->token_generation = token_generation;
	call->once_only = strcmp(call->step, "deposit") == 0;
	http_start(call, url, headers);
	pfree(url);
	dlist_push_tail(&running, &call->node);
	worker_count(COUNT_REQUESTS, 1);
	if (call->once_only)
		worker_count(COUNT_DEPOSITS, 1);
}

/* Finished calls into done; a first 401 gets a new token and one more try. */
static void
collect_finished(dlist_head *done, TimestampTz now)
{
	dlist_mutable_iter it;

	if (token_call != NULL && token_call->finished)
		token_done(now);
	dlist_foreach_modify(it, &running)
	{
		HttpCall   *call = dlist_container(HttpCall, node, it.cur);

		if (!call->finished)
			continue;
		dlist_delete(&call->node);
		worker_count(call->http_status == 200 ? COUNT_ANSWERS : COUNT_RETRIES, 1);
		if (call->http_status == 401 && !call->auth_retried)
		{
			call->auth_retried = true;
			if (call->token_generation == token_generation)
				token_refresh_at = 0;
			dlist_push_head(&pending, &call->node);
			n_pending++;
			continue;
		}
		dlist_push_tail(done, &call->node);
	}
}

/*
 * How long the idle worker may sleep, at most a nap: until its next
 * readiness check while the extension is missing; else until a relay, a
 * claim (only with a usable token: without one, claims wait for the token's
 * next try) or that try is due.
 */
static long
wait_time(TimestampTz now, bool ready, TimestampTz next_ready_check,
		  TimestampTz next_claim, TimestampTz next_relay)
{
	TimestampTz until = ready ? next_relay : next_ready_check;

	if (ready && token_usable(now))
		until = Min(until, next_claim);
	else if (ready && token_retry_at > now)
		until = Min(until, token_retry_at);
	return Max(1, Min((long) chorus_naptime, (long) ((until - now) / 1000)));
}

void
chorus_worker_main(Datum arg)
{
	bool		ready = false;
	bool		relay_more = false;
	TimestampTz next_relay = 0;
	TimestampTz next_ready_check = 0;
	TimestampTz next_claim = 0;
	MemoryContext loop_cxt;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(chorus_database, NULL, 0);
	pgstat_report_appname("bizinvoice chorus worker");
	worker_started();
	http_init();
	ereport(LOG,
			(errmsg("bizinvoice: Chorus Pro worker started for database \"%s\"", chorus_database),
			 errdetail("API %s, %d requests at most in flight.", chorus_api_url, chorus_concurrency)));
	/* what one turn of the loop allocates outside transactions, freed each turn */
	loop_cxt = AllocSetContextCreate(TopMemoryContext, "chorus worker loop", ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		TimestampTz now;
		dlist_head	done = DLIST_STATIC_INIT(done);

		MemoryContextSwitchTo(loop_cxt);
		MemoryContextReset(loop_cxt);
		CHECK_FOR_INTERRUPTS();
		if (!PostmasterIsAlive())
			proc_exit(1);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			have_credentials = false;	/* read again at the next sign-in */
		}
		now = GetCurrentTimestamp();
		if (!ready && now >= next_ready_check)
		{
			ready = jobs_ready();
			next_ready_check = after_ms(now, 10 * (int64) chorus_naptime);
		}
		if (ready)
		{
			int			free_slots;

			fetch_token(now);
			free_slots = chorus_concurrency - http_in_flight() - n_pending;
			if (token_usable(now) && free_slots > 0 && now >= next_claim)
			{
				int			n = jobs_claim(free_slots, &running, &pending);

				n_pending += n;
				/* fewer than asked: nothing more is due before a nap */
				next_claim = n < free_slots ? after_ms(now, chorus_naptime) : now;
			}
			while (token_usable(now) && n_pending > 0 &&
				   http_in_flight() < chorus_concurrency)
			{
				HttpCall   *call = dlist_container(HttpCall, node, dlist_pop_head_node(&pending));

				n_pending--;
				start_call(call);
			}
		}
		/* status notifications queued by commits, sent together */
		if (ready && now >= next_relay && (relay_more || worker_pending(true, true)))
		{
			relay_more = jobs_relay(RELAY_BATCH) == RELAY_BATCH;
			next_relay = after_ms(now, RELAY_INTERVAL_MS);
		}
		worker_polled(http_in_flight());

		if (http_in_flight() > 0)
			http_wait(POLL_SLICE_MS);
		else
		{
			bool		relay_waits = relay_more || worker_pending(true, false);

			WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					  wait_time(now, ready, next_ready_check, next_claim,
								relay_waits ? next_relay : DT_NOEND),
					  PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
		/* a commit queued invoices: look now */
		if (worker_pending(false, true))
			next_claim = 0;
		collect_finished(&done, GetCurrentTimestamp());
		if (!dlist_is_empty(&done))
			n_pending += jobs_answer(&done, &pending);
	}
}
