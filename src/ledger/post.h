/*
 * post.h
 *		Posting a transfer: the one way money moves (post.c).
 */
#ifndef BIZINVOICE_POST_H
#define BIZINVOICE_POST_H

#include "postgres.h"

#include "utils/numeric.h"

/* A transfer to post; reference NULL: none. */
typedef struct Transfer
{
	int64		id;				/* taken by the caller (next_transfer_id) */
	int64		debit;
	int64		credit;
	Numeric		amount;
	const char *kind;
	bool		has_invoice;
	int64		invoice_id;
	const char *reference;
	bool		has_reverses;
	int64		reverses;
} Transfer;

/*
 * Posts t: both accounts locked in id order, same currency, funds
 * available, both balances updated, the transfer recorded and, for a
 * payment or a payment's reversal, the invoice's paid total kept.
 */
extern void post_transfer_row(const Transfer *t);

#endif							/* BIZINVOICE_POST_H */
