/*
 * invoice_lock.c
 *		An invoice of the acting party, locked for update: what every
 *		function changing an invoice starts with.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "status/actor.h"
#include "status/invoice_lock.h"
#include "status/invoice_row.h"
#include "status/tables.h"
#include "utils/snapmgr.h"

HeapTuple
invoice_lock(Relation rel, int64 id, bool supplier_only)
{
	const InvoiceColumns *cols = invoice_columns(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	bool		accountant;
	int64		party = acting_party(&accountant);
	TupleTableSlot *slot;
	HeapTuple	tuple = NULL;
	bool		found;

	if (party == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("no party is acting"),
				 errhint("Call bizinvoice.act_as(party) first.")));
	bizinvoice_statement_start(NULL);
	slot = table_slot_create(rel, NULL);
	found = bizinvoice_lock_by(rel, "id", id, LockTupleExclusive, slot);
	if (found)
		tuple = ExecCopySlotHeapTuple(slot);
	ExecDropSingleTupleTableSlot(slot);
	PopActiveSnapshot();

	/* an invoice of other parties does not exist for this one */
	if (!found || (column_int8(tuple, desc, cols->attnum[COL_SUPPLIER]) != party &&
				   column_int8(tuple, desc, cols->attnum[COL_BUYER]) != party))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("invoice " INT64_FORMAT " does not exist", id)));
	if (supplier_only && column_int8(tuple, desc, cols->attnum[COL_SUPPLIER]) != party)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only the supplier of invoice " INT64_FORMAT " may do this", id)));
	return tuple;
}

/*
 * lock_invoice(invoice_id, supplier_only) returns invoice: invoice_lock for
 * the functions in PL/pgSQL.
 */
PG_FUNCTION_INFO_V1(lock_invoice);
Datum
lock_invoice(PG_FUNCTION_ARGS)
{
	Relation	rel;
	HeapTuple	tuple;
	Datum		result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("invoice NULL does not exist")));
	rel = bizinvoice_table_open("invoice", RowShareLock);
	tuple = invoice_lock(rel, PG_GETARG_INT64(0), !PG_ARGISNULL(1) && PG_GETARG_BOOL(1));
	result = heap_copy_tuple_as_datum(tuple, RelationGetDescr(rel));
	table_close(rel, NoLock);
	PG_RETURN_DATUM(result);
}
