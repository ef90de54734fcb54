/*
 * invoice_row.h
 *		The columns of bizinvoice.invoice that the status triggers read and
 *		write, found by name once per query, reading them from a row, and the
 *		row's invariants (invoice_check.c).
 */
#ifndef BIZINVOICE_INVOICE_ROW_H
#define BIZINVOICE_INVOICE_ROW_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/relcache.h"

typedef enum InvoiceColumn
{
	COL_ID,
	COL_CHANNEL,
	COL_DELIVERY,
	COL_SUPPLIER,
	COL_BUYER,
	COL_B2B_STATUS,
	COL_B2G_STATUS,
	COL_REASON,
	COL_AMOUNT,
	COL_RAW_CODE,
	COL_ACTOR,
	COL_PARTY,
	COL_CHANGED_AT,
	COL_SEQ,
	COL_SUBMITTED_AT,
	COL_NUMBER,
	COL_TYPE_CODE,
	COL_CURRENCY,
	COL_PRECEDING_NUMBER,
	COL_BUYER_REFERENCE,
	COL_PURCHASE_ORDER,
	/* since 0.4: 0 in a database whose extension is older */
	COL_PERIOD_START,
	COL_PERIOD_END,
	COL_DELIVER_TO_COUNTRY,
	INVOICE_COLUMNS
} InvoiceColumn;

#define COL_FIRST_OPTIONAL COL_PERIOD_START

/* COL_REASON .. COL_SEQ: the record of the last move, the guard's to write */
#define MOVE_COLUMNS (COL_SEQ - COL_REASON + 1)

typedef struct InvoiceColumns
{
	Oid			relid;
	int			attnum[INVOICE_COLUMNS];
} InvoiceColumns;

/* The attribute numbers, cached until the table's definition changes. */
extern const InvoiceColumns *invoice_columns(Relation rel);

/* A column's value as a C string (NULL if null), int8 or int4 (0 if null). */
extern char *column_text(HeapTuple tuple, TupleDesc desc, int attnum);
extern int64 column_int8(HeapTuple tuple, TupleDesc desc, int attnum);
extern int32 column_int4(HeapTuple tuple, TupleDesc desc, int attnum);

/* Refuses (23514) a row that breaks an invoice's invariants. */
extern void check_invoice_row(HeapTuple tuple, TupleDesc desc, const InvoiceColumns *cols);

/* The invoice's status (B2B or B2G, whichever it has) as text, or NULL. */
extern char *column_status(HeapTuple tuple, TupleDesc desc, const InvoiceColumns *cols);

#endif							/* BIZINVOICE_INVOICE_ROW_H */
