/*
 * bizinvoice.h
 *		The extension's settings (GUCs), defined in bizinvoice.c.
 */
#ifndef BIZINVOICE_H
#define BIZINVOICE_H

#include "postgres.h"

/* bizinvoice.status_notify: how every status move sends NOTIFY bizinvoice_status */
typedef enum StatusNotify
{
	STATUS_NOTIFY_OFF,
	STATUS_NOTIFY_COMMIT,		/* by the moving transaction itself */
	STATUS_NOTIFY_RELAY			/* queued for the worker, which sends in batches */
} StatusNotify;

extern int	bizinvoice_status_notify;

#endif							/* BIZINVOICE_H */
