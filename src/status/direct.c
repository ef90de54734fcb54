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
 * Only while the table is as the extension made it (row_writer_possible):
 * its only UPDATE triggers the guard, the history trigger and foreign keys'
 * (a move changes no key, so these have nothing to do).  Otherwise the move
 * is an UPDATE, and whatever a DBA added to the table takes part in it.
 */
#include "postgres.h"

#include "access/tableam.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "status/append.h"
#include "status/direct.h"
#include "status/row_triggers.h"
#include "status/tables.h"
#include "utils/snapmgr.h"

bool
direct_move(Relation rel, int64 id)
{
	TupleDesc	desc = RelationGetDescr(rel);
	RowWriter	writer;
	TupleTableSlot *oldslot;
	TupleTableSlot *newslot;
	HeapTuple	oldtup;
	HeapTuple	newtup;

	/* what the executor checks of an UPDATE before it starts */
	PreventCommandIfReadOnly("UPDATE");
	PreventCommandIfParallelMode("UPDATE");
	CheckCmdReplicaIdentity(rel, CMD_UPDATE);
	/* a statement of its own: it sees what the transaction did before it */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();

	row_writer_start(&writer, rel);
	oldslot = table_slot_create(rel, &writer.estate->es_tupleTable);
	if (!bizinvoice_lock_by(rel, "id", id, LockTupleNoKeyExclusive, oldslot))
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
	row_writer_update(&writer, &oldslot->tts_tid, newslot);
	record_row(rel, oldtup, ExecFetchSlotHeapTuple(newslot, false, NULL));

	row_writer_end(&writer);
	PopActiveSnapshot();
	return true;
}
