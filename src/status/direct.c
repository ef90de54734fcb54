/*
 * direct.c
 *		A status move made without an UPDATE statement.
 *
 * set_status() changes one invoice row found by its key.  As an UPDATE
 * through SPI that cost an executor start-up, an index scan node, the
 * after-trigger queue (whose WHEN clause is parsed again for every
 * statement) and some thirty foreign-key triggers asked whether a key
 * changed: a third of a move's backend time.  Here the row is found, locked
 * and updated as the executor would do it, and the status guard and the
 * history trigger do their work on it, called directly.
 *
 * Only while the table is as the extension made it: its only UPDATE
 * triggers the guard, the history trigger and foreign keys' (a move changes
 * no key, so these have nothing to do), firing as usual
 * (session_replication_role = origin); no stored generated column; no
 * row-level security applying to the function's owner.  Otherwise the move
 * is an UPDATE, and whatever a DBA added to the table takes part in it.
 */
#include "postgres.h"

#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "status/append.h"
#include "status/direct.h"
#include "status/invoice_row.h"
#include "status/row_triggers.h"
#include "status/tables.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

/*
 * Whether trigger t calls the extension's function of that name, for each
 * row, before the UPDATE or after it.
 */
static bool
is_status_trigger(Relation rel, const Trigger *t, const char *function, bool before)
{
	char	   *name;

	if (!TRIGGER_FOR_ROW(t->tgtype) || TRIGGER_FOR_BEFORE(t->tgtype) != before)
		return false;
	name = get_func_name(t->tgfoid);
	return name != NULL && strcmp(name, function) == 0 &&
		get_func_namespace(t->tgfoid) == RelationGetNamespace(rel);
}

bool
direct_move_possible(Relation rel)
{
	TriggerDesc *triggers = rel->trigdesc;
	TupleDesc	desc = RelationGetDescr(rel);
	bool		guard = false;
	bool		record = false;

	if (SessionReplicationRole != SESSION_REPLICATION_ROLE_ORIGIN || triggers == NULL ||
		(desc->constr && desc->constr->has_generated_stored) ||
		check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED)
		return false;
	for (int i = 0; i < triggers->numtriggers; i++)
	{
		const Trigger *t = &triggers->triggers[i];

		/* what would not fire on the UPDATE, or would have nothing to do */
		if (!TRIGGER_FOR_UPDATE(t->tgtype) || t->tgenabled == TRIGGER_DISABLED ||
			t->tgenabled == TRIGGER_FIRES_ON_REPLICA ||
			(t->tgisinternal && RI_FKey_trigger_type(t->tgfoid) != RI_TRIGGER_NONE))
			continue;
		if (!guard && is_status_trigger(rel, t, "status_guard", true))
			guard = true;
		else if (!record && is_status_trigger(rel, t, "status_record", false))
			record = true;
		else
			return false;
	}
	return guard && record;
}

/*
 * The latest version of row tid, locked as an UPDATE locks it; false if it
 * is gone.  Under READ COMMITTED a row updated since the snapshot is
 * followed to its newest version (as the executor's recheck would, the key
 * being the same); under REPEATABLE READ and SERIALIZABLE that is a
 * serialization failure, as for an UPDATE.
 */
static bool
lock_row(Relation rel, ItemPointer tid, Snapshot snapshot, TupleTableSlot *slot, int64 id)
{
	TM_FailureData tmfd;
	TM_Result	result;

	result = table_tuple_lock(rel, tid, snapshot, slot, GetCurrentCommandId(false),
							  LockTupleNoKeyExclusive, LockWaitBlock,
							  IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
							  &tmfd);
	switch (result)
	{
		case TM_Ok:
			return !tmfd.traversed ||
				column_int8(ExecFetchSlotHeapTuple(slot, false, NULL), RelationGetDescr(rel),
							invoice_columns(rel)->attnum[COL_ID]) == id;
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
	elog(ERROR, "unexpected result %d locking invoice " INT64_FORMAT, (int) result, id);
	pg_unreachable();
}

bool
direct_move(Relation rel, int64 id)
{
	TupleDesc	desc = RelationGetDescr(rel);
	RowWriter	writer;
	Snapshot	snapshot;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	found;
	ItemPointerData tid;
	TupleTableSlot *oldslot;
	TupleTableSlot *newslot;
	HeapTuple	oldtup;
	HeapTuple	newtup;
	TM_FailureData tmfd;
	TM_Result	result;
	LockTupleMode lockmode;
	bool		update_indexes;

	/* what the executor checks of an UPDATE before it starts */
	PreventCommandIfReadOnly("UPDATE");
	PreventCommandIfParallelMode("UPDATE");
	CheckCmdReplicaIdentity(rel, CMD_UPDATE);
	/* a statement of its own: it sees what the transaction did before it */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	snapshot = GetActiveSnapshot();

	scan = bizinvoice_scan_by(rel, "id", id, &key);
	found = systable_getnext(scan);
	if (found)
		tid = found->t_self;
	systable_endscan(scan);

	row_writer_start(&writer, rel);
	oldslot = table_slot_create(rel, &writer.estate->es_tupleTable);
	if (found == NULL || !lock_row(rel, &tid, snapshot, oldslot, id))
	{
		row_writer_end(&writer);
		PopActiveSnapshot();
		return false;
	}
	/* the UPDATE sets nothing itself: the guard makes the new row from the old */
	oldtup = ExecCopySlotHeapTuple(oldslot);
	newtup = guard_row(rel, oldtup, oldtup);

	newslot = ExecInitExtraTupleSlot(writer.estate, desc, &TTSOpsHeapTuple);
	ExecStoreHeapTuple(newtup, newslot, false);
	row_writer_check(&writer, newslot);
	result = table_tuple_update(rel, &tid, newslot, GetCurrentCommandId(true), snapshot,
								InvalidSnapshot, true, &tmfd, &lockmode, &update_indexes);
	if (result != TM_Ok)
		elog(ERROR, "unexpected result %d updating invoice " INT64_FORMAT " locked", (int) result, id);
	if (update_indexes)
		row_writer_index(&writer, newslot, true);
	record_row(rel, oldtup, ExecFetchSlotHeapTuple(newslot, false, NULL));

	row_writer_end(&writer);
	PopActiveSnapshot();
	return true;
}
