/*
 * freeze.c
 *		invoice_parts_freeze: the statement trigger refusing any write of
 *		the lines and other parts of a submitted invoice.
 *
 * In C since it runs after every statement that writes parts, twice or
 * more per invoice created: as PL/pgSQL, a query joining the transition
 * table with the invoices cost an executor start-up each time.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "status/tables.h"
#include "utils/guc.h"
#include "utils/tuplestore.h"

/* invoice id is submitted: its submitted_at is set */
static bool
submitted(Relation invoices, AttrNumber submitted_att, int64 id)
{
	ScanKeyData key;
	SysScanDesc scan = bizinvoice_scan_by(invoices, "id", id, &key);
	HeapTuple	tuple = systable_getnext(scan);
	bool		isnull = true;

	if (tuple != NULL)
		(void) heap_getattr(tuple, submitted_att, RelationGetDescr(invoices), &isnull);
	systable_endscan(scan);
	return !isnull;
}

/* The first submitted invoice the rows of table (parts of rel) belong to, or 0. */
static int64
first_submitted(Tuplestorestate *table, Relation rel)
{
	AttrNumber	invoice_att = bizinvoice_column(rel, "invoice_id");
	Relation	invoices = bizinvoice_table_open("invoice", AccessShareLock);
	AttrNumber	submitted_att = bizinvoice_column(invoices, "submitted_at");
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	int64		previous = 0;
	int64		found = 0;

	tuplestore_rescan(table);
	while (found == 0 && tuplestore_gettupleslot(table, true, false, slot))
	{
		bool		isnull;
		int64		id = DatumGetInt64(slot_getattr(slot, invoice_att, &isnull));

		/* a statement's rows are mostly those of one invoice */
		if (!isnull && id != previous && submitted(invoices, submitted_att, id))
			found = id;
		previous = id;
	}
	ExecDropSingleTupleTableSlot(slot);
	table_close(invoices, AccessShareLock);
	return found;
}

PG_FUNCTION_INFO_V1(invoice_parts_freeze);
Datum
invoice_parts_freeze(PG_FUNCTION_ARGS)
{
	TriggerData *trig = (TriggerData *) fcinfo->context;
	int64		frozen = 0;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trig->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trig->tg_event))
		elog(ERROR, "invoice_parts_freeze must be an AFTER statement trigger");

	/* restoring a dump (check_function_bodies off) brings frozen invoices' parts */
	if (TRIGGER_FIRED_BY_INSERT(trig->tg_event) && !check_function_bodies)
		return PointerGetDatum(NULL);
	if (trig->tg_newtable)
		frozen = first_submitted(trig->tg_newtable, trig->tg_relation);
	if (frozen == 0 && trig->tg_oldtable)
		frozen = first_submitted(trig->tg_oldtable, trig->tg_relation);
	if (frozen != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("invoice " INT64_FORMAT " is submitted and cannot be changed", frozen),
				 errdetail("The %s rows of a submitted invoice are frozen.",
						   RelationGetRelationName(trig->tg_relation))));
	return PointerGetDatum(NULL);
}
