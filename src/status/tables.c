/*
 * tables.c
 *		Opening the extension's tables, finding their columns and rows.
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "parser/parse_relation.h"
#include "status/tables.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

Oid
bizinvoice_relid(const char *name)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("bizinvoice", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"bizinvoice.%s\" does not exist", name)));
	return relid;
}

Relation
bizinvoice_table_open(const char *name, LOCKMODE lockmode)
{
	return table_open(bizinvoice_relid(name), lockmode);
}

/* by name: a column dropped by an upgrade leaves a hole in the numbering */
AttrNumber
bizinvoice_column(Relation rel, const char *name)
{
	AttrNumber	attnum = attnameAttNum(rel, name, false);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"bizinvoice.%s\" does not exist",
						name, RelationGetRelationName(rel))));
	return attnum;
}

Datum
bizinvoice_fit(Relation rel, const char *column, Datum n)
{
	AttrNumber	attnum = bizinvoice_column(rel, column);

	return DirectFunctionCall2(numeric, n,
							   Int32GetDatum(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypmod));
}

void
bizinvoice_statement_start(const char *writes)
{
	if (writes)
	{
		PreventCommandIfReadOnly(writes);
		PreventCommandIfParallelMode(writes);
	}
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
}

SysScanDesc
bizinvoice_scan_by(Relation rel, const char *att, int64 value, ScanKey key)
{
	ScanKeyInit(key, bizinvoice_column(rel, att), BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(value));
	/* the statement's snapshot, as a query would read; a fresh one outside any */
	return systable_beginscan(rel, RelationGetPrimaryKeyIndex(rel), true,
							  ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot(),
							  1, key);
}

SysScanDesc
bizinvoice_scan_by_pair(Relation rel, const char *index, const char *att, int64 value,
						const char *text_att, const char *text, ScanKey keys)
{
	Oid			indexid = get_relname_relid(index, RelationGetNamespace(rel));
	AttrNumber	text_attnum = bizinvoice_column(rel, text_att);

	ScanKeyInit(&keys[0], bizinvoice_column(rel, att), BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(value));
	ScanKeyInit(&keys[1], text_attnum, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(text));
	keys[1].sk_collation = TupleDescAttr(RelationGetDescr(rel), text_attnum - 1)->attcollation;
	return systable_beginscan(rel, indexid, OidIsValid(indexid),
							  ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot(),
							  2, keys);
}

bool
bizinvoice_lock_by(Relation rel, const char *att, int64 value, LockTupleMode mode,
				   TupleTableSlot *slot)
{
	Snapshot	snapshot = GetActiveSnapshot();
	AttrNumber	attnum = bizinvoice_column(rel, att);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	found;
	ItemPointerData tid;
	TM_FailureData tmfd;
	TM_Result	result;
	bool		isnull;

	scan = bizinvoice_scan_by(rel, att, value, &key);
	found = systable_getnext(scan);
	if (found)
		tid = found->t_self;
	systable_endscan(scan);
	if (found == NULL)
		return false;

	result = table_tuple_lock(rel, &tid, snapshot, slot, GetCurrentCommandId(false), mode,
							  LockWaitBlock,
							  IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
							  &tmfd);
	switch (result)
	{
		case TM_Ok:
			/* a newer version found is still the row sought if its key is */
			return !tmfd.traversed ||
				DatumGetInt64(slot_getattr(slot, attnum, &isnull)) == value;
		case TM_Updated:
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent %s",
								result == TM_Updated ? "update" : "delete")));
			if (result == TM_Deleted)
				return false;
			break;
		default:
			break;
	}
	elog(ERROR, "unexpected result %d locking row " INT64_FORMAT " of relation \"bizinvoice.%s\"",
		 (int) result, value, RelationGetRelationName(rel));
	pg_unreachable();
}
