/*
 * notify.h
 *		NOTIFY bizinvoice_status: sent by the moving transaction, or relayed
 *		in batches by the worker (bizinvoice.status_notify).
 */
#ifndef BIZINVOICE_NOTIFY_H
#define BIZINVOICE_NOTIFY_H

#include "postgres.h"

/* Queues the notification of one move, sent when the transaction commits. */
extern void notify_move(int64 history_id, int64 invoice_id, const char *channel,
						const char *from, const char *to);

/* Whether this move's notification goes to the worker's queue instead. */
extern bool notify_relayed(void);

#endif							/* BIZINVOICE_NOTIFY_H */
