/*
 * payable.h
 *		An invoice as a payment reads it: whether it may be paid now, by
 *		whom, and what remains to be paid on it (payable.c).
 */
#ifndef BIZINVOICE_PAYABLE_H
#define BIZINVOICE_PAYABLE_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/relcache.h"

typedef struct PayableInvoice
{
	int64		id;
	int64		supplier_id;
	int64		buyer_id;
	bool		b2g;			/* channel B2G */
	bool		direct;			/* delivery direct (B2G on the platform) */
	char	   *status;			/* b2b_status or b2g_status; NULL if none */
	char	   *currency;
	char	   *number;
	Datum		payable_amount; /* numeric; (Datum) 0 if none */
} PayableInvoice;

/* The invoice row tuple (of rel's row type, as desc describes it). */
extern void payable_read(Relation rel, HeapTuple tuple, TupleDesc desc, PayableInvoice *inv);

/* The invoice row passed whole to a function in SQL (a composite of its type). */
extern void payable_from_row(HeapTupleHeader row, PayableInvoice *inv);

/*
 * Refuses paying an invoice not yet approved (or mandated), or by anyone but
 * its buyer (B2G: its accountant, not the role that certified the service);
 * by_platform: a scheduled payment, made by the platform for the buyer.
 */
extern void payable_check(const PayableInvoice *inv, bool by_platform);

/*
 * What remains to be paid on the invoice (outstanding: its payable amount
 * less what was paid) and what may be paid now (less open authorisations).
 */
extern void payable_dues(const PayableInvoice *inv, Datum *outstanding, Datum *payable_now);

#endif							/* BIZINVOICE_PAYABLE_H */
