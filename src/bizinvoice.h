/*
 * bizinvoice.h
 *		The extension's settings (GUCs), defined in bizinvoice.c.
 */
#ifndef BIZINVOICE_H
#define BIZINVOICE_H

#include "postgres.h"

/* bizinvoice.status_notify: NOTIFY bizinvoice_status on every status move */
extern bool bizinvoice_status_notify;

#endif							/* BIZINVOICE_H */
