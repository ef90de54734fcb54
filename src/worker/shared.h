/*
 * shared.h
 *		What the Chorus Pro worker shows of itself, in shared memory, and the
 *		wake-ups backends give it.
 */
#ifndef CHORUS_SHARED_H
#define CHORUS_SHARED_H

#include "datatype/timestamp.h"

typedef enum WorkerCounter
{
	COUNT_REQUESTS,
	COUNT_ANSWERS,
	COUNT_RETRIES,
	COUNT_DEPOSITS,
	COUNT_TOKENS,
	COUNT_ERRORS,
	WORKER_COUNTERS
} WorkerCounter;

/* from _PG_init, while shared_preload_libraries is processed */
extern void chorus_shared_request(void);

/* the worker's own reports */
extern void worker_started(void);
extern void worker_polled(int in_flight);
extern void worker_count(WorkerCounter counter, int n);
extern void worker_error(const char *message);

/*
 * The worker: whether invoices (relay false) or status moves (relay true)
 * were queued since it last cleared the flag.
 */
extern bool worker_pending(bool relay, bool clear);

/* backends: whether the worker serves this database (and relays its notifications) */
extern bool worker_serves_database(void);

/* backends: tell the worker, at commit, that this transaction queued status moves */
extern void worker_relay_at_commit(void);

#endif							/* CHORUS_SHARED_H */
