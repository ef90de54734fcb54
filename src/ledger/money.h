/*
 * money.h
 *		Comparing and printing amounts (numeric Datums) in the ledger's C.
 */
#ifndef BIZINVOICE_MONEY_H
#define BIZINVOICE_MONEY_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/fmgrprotos.h"

/* <0, 0, >0 as a is less than, equal to or more than b */
static inline int
money_cmp(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

/* as numeric prints it, for messages */
static inline char *
money_text(Datum n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, n));
}

#endif							/* BIZINVOICE_MONEY_H */
