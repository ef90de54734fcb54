/*
 * kept_plan.h
 *		SPI plans the C functions keep for the backend (kept_plan.c).
 */
#ifndef BIZINVOICE_KEPT_PLAN_H
#define BIZINVOICE_KEPT_PLAN_H

#include "postgres.h"

#include "executor/spi.h"

/*
 * *plan, prepared from sql (its arguments' types, cursor options such as
 * CURSOR_OPT_GENERIC_PLAN) and kept on first use.  SPI must be connected.
 */
extern SPIPlanPtr kept_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types,
							int options);

#endif							/* BIZINVOICE_KEPT_PLAN_H */
