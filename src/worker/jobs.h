/*
 * jobs.h
 *		The worker's side of the SQL state machine (src/sql/chorus_worker.sql):
 *		due requests in, answers out, each in its own transaction.
 */
#ifndef CHORUS_JOBS_H
#define CHORUS_JOBS_H

#include "chorus/http.h"
#include "chorus/token.h"

/* Whether the extension (0.3 or later) is installed; the first time, recovers deposits in doubt. */
extern bool jobs_ready(void);

/* The credentials, copied into TopMemoryContext; false if none are set. */
extern bool jobs_credentials(ChorusCredentials *cred);

/*
 * Appends to pending at most max due requests, none of a job already
 * running or pending; returns how many.
 */
extern int	jobs_claim(int max, dlist_head *running, dlist_head *pending);

/*
 * Applies the finished calls in done (freeing them) in one transaction,
 * each in a subtransaction so that one bad answer spoils no other; the
 * requests that follow are appended to next; returns how many.
 */
extern int	jobs_answer(dlist_head *done, dlist_head *next);

/*
 * Sends the notifications of at most max queued status moves (0.4 or
 * later); returns how many.
 */
extern int	jobs_relay(int max);

#endif							/* CHORUS_JOBS_H */
