/*
 * direct.c
 *		A status move made without an UPDATE statement.
 *
 * set_status() changes one invoice row found by its key, submit() the
 * row it locked (totals, deposit and delivery).  As an UPDATE
 * through SPI that cost an executor start-up, an index scan node, the
 * after-trigger queue (whose WHEN clause is parsed again for every
 * statement) and some thirty foreign-key triggers asked whether a key
 * changed: a third of a move's backend time.  Here the row is found, locked
 * and updated as the executor would do it, and the status guard and the
 * history trigger do their work on it, called directly.
 *
 * Only while the table is as the extension made it (row_writer_possible):
 * its only UPDATE triggers the guard, the history trigger and foreign keys'
 * (neither changes a key, so these have nothing to do).  Otherwise the move
 * is an UPDATE, and whatever a DBA added to the table takes part in it.
 */
#include "postgres.h"

#include "access/tableam.h"
#include "executor/executor.h"
#include "status/append.h"
#include "status/direct.h"
#include "status/row_triggers.h"
#include "status/tables.h"
#include "utils/snapmgr.h"

/* What the executor does before an UPDATE, and the statement's snapshot. */
static void
statement_start(Relation rel)
{
	bizinvoice_statement_start("UPDATE");
	CheckCmdReplicaIdentity(rel, CMD_UPDATE);
}

/* The locked row oldtup updated to newtup, as the guard lets it be written. */
static void
write_row(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	RowWriter	writer;
	TupleTableSlot *slot;

	row_writer_start(&writer, rel);
	newtup = guard_row(rel, oldtup, newtup);
	slot = ExecInitExtraTupleSlot(writer.estate, RelationGetDescr(rel), &TTSOpsHeapTuple);
	ExecStoreHeapTuple(newtup, slot, false);
	row_writer_update(&writer, &oldtup->t_self, slot);
	record_row(rel, oldtup, ExecFetchSlotHeapTuple(slot, false, NULL));
	row_writer_end(&writer);
}

bool
direct_move(Relation rel, int64 id)
{
	TupleTableSlot *slot;
	bool		found;

	statement_start(rel);
	slot = table_slot_create(rel, NULL);
	found = bizinvoice_lock_by(rel, "id", id, LockTupleNoKeyExclusive, slot);
	if (found)
	{
		HeapTuple	oldtup = ExecCopySlotHeapTuple(slot);

		/* the UPDATE sets nothing itself: the guard makes the new row from the old */
		write_row(rel, oldtup, oldtup);
	}
	ExecDropSingleTupleTableSlot(slot);
	PopActiveSnapshot();
	return found;
}

void
direct_update(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	statement_start(rel);
	write_row(rel, oldtup, newtup);
	PopActiveSnapshot();
}
