/*
 * append.c
 *		Appending rows to the extension's own tables from C.
 *
 * The status trigger writes a history row (and, relayed, a queue row) per
 * move.  Through SPI each costs an executor start-up and shut-down, a
 * ModifyTable node and the foreign key's check query: a quarter of a
 * move's time.  Here a row goes the way the executor would take it, less
 * what the caller holds by construction: the row's table constraints are
 * checked and every index, expression and partial ones included, is kept;
 * no permission, row-level security, trigger or foreign-key check is made.
 * Callers append only rows whose references they hold locked (the trigger:
 * the invoice it is updating), to tables nobody else writes.  The row
 * writer is shared with the status moves made without a statement
 * (direct.c).
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "status/append.h"
#include "status/checks.h"
#include "status/tables.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

AppendRow *
append_start(Relation rel)
{
	int			natts = RelationGetDescr(rel)->natts;
	AppendRow  *row = palloc(sizeof(AppendRow));

	row->rel = rel;
	row->values = palloc0(sizeof(Datum) * natts);
	row->nulls = palloc(sizeof(bool) * natts);
	memset(row->nulls, true, sizeof(bool) * natts);
	return row;
}

void
append_set(AppendRow *row, const char *column, Datum value, bool isnull)
{
	AttrNumber	attnum = bizinvoice_column(row->rel, column);

	row->values[attnum - 1] = value;
	row->nulls[attnum - 1] = isnull;
}

int64
append_nextval(const char *sequence)
{
	return nextval_internal(bizinvoice_relid(sequence), false);
}

/*
 * Whether trigger t calls the extension's function of that name, before the
 * write or after it.
 */
static bool
is_extension_trigger(Relation rel, const Trigger *t, const char *function, bool before)
{
	char	   *name;

	if (function == NULL || TRIGGER_FOR_BEFORE(t->tgtype) != before)
		return false;
	name = get_func_name(t->tgfoid);
	return name != NULL && strcmp(name, function) == 0 &&
		get_func_namespace(t->tgfoid) == RelationGetNamespace(rel);
}

bool
row_writer_possible(Relation rel, int16 event, const char *before, const char *after)
{
	TriggerDesc *triggers = rel->trigdesc;
	TupleDesc	desc = RelationGetDescr(rel);
	bool		before_found = before == NULL;
	bool		after_found = after == NULL;

	if (SessionReplicationRole != SESSION_REPLICATION_ROLE_ORIGIN ||
		(desc->constr && desc->constr->has_generated_stored) ||
		check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED)
		return false;
	for (int i = 0; triggers && i < triggers->numtriggers; i++)
	{
		const Trigger *t = &triggers->triggers[i];

		/* what would not fire */
		if ((t->tgtype & event) == 0 || t->tgenabled == TRIGGER_DISABLED ||
			t->tgenabled == TRIGGER_FIRES_ON_REPLICA)
			continue;

		/*
		 * A foreign key's, whose work the caller does; unless deferrable: a
		 * deferred check of a row inserted in this transaction skips the row
		 * once updated, counting on the update's own check, which a direct
		 * write would not queue.
		 */
		if (t->tgisinternal && RI_FKey_trigger_type(t->tgfoid) != RI_TRIGGER_NONE)
		{
			if (t->tgdeferrable)
				return false;
			continue;
		}
		if (!before_found && is_extension_trigger(rel, t, before, true))
			before_found = true;
		else if (!after_found && is_extension_trigger(rel, t, after, false))
			after_found = true;
		else
			return false;
	}
	return before_found && after_found;
}

void
row_writer_start(RowWriter *writer, Relation rel)
{
	writer->estate = CreateExecutorState();
	writer->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(writer->rri, rel, 0, NULL, 0);
}

void
row_writer_check(RowWriter *writer, TupleTableSlot *slot)
{
	if (RelationGetDescr(writer->rri->ri_RelationDesc)->constr)
	{
		checks_prepare(writer->rri, writer->estate);
		ExecConstraints(writer->rri, slot, writer->estate);
	}
}

void
row_writer_index(RowWriter *writer, TupleTableSlot *slot, bool update)
{
	ResultRelInfo *rri = writer->rri;

	/* once per writer: a writer may enter several rows (both accounts) */
	if (rri->ri_IndexRelationDescs == NULL)
		ExecOpenIndices(rri, false);

	/*
	 * A deferrable unique index that may hold the key already would have the
	 * executor queue a check for commit, through the triggers skipped here:
	 * refused at once instead.
	 */
	if (rri->ri_NumIndices > 0 &&
		ExecInsertIndexTuples(rri, slot, writer->estate, update, false, NULL, NIL) != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("could not write to relation \"bizinvoice.%s\"",
						RelationGetRelationName(rri->ri_RelationDesc)),
				 errdetail("A deferrable unique index of it may already hold the row's key.")));
}

void
row_writer_update(RowWriter *writer, ItemPointer tid, TupleTableSlot *slot)
{
	Relation	rel = writer->rri->ri_RelationDesc;
	TM_FailureData tmfd;
	TM_Result	result;
	LockTupleMode lockmode;
	bool		update_indexes;

	row_writer_check(writer, slot);
	result = table_tuple_update(rel, tid, slot, GetCurrentCommandId(true), GetActiveSnapshot(),
								InvalidSnapshot, true, &tmfd, &lockmode, &update_indexes);
	if (result != TM_Ok)
		elog(ERROR, "unexpected result %d updating a locked row of relation \"bizinvoice.%s\"",
			 (int) result, RelationGetRelationName(rel));
	if (update_indexes)
		row_writer_index(writer, slot, true);
}

void
row_writer_end(RowWriter *writer)
{
	ExecCloseIndices(writer->rri);
	ExecResetTupleTable(writer->estate->es_tupleTable, false);
	FreeExecutorState(writer->estate);
}

void
append_row(AppendRow *row)
{
	RowWriter	writer;
	TupleTableSlot *slot;

	row_writer_start(&writer, row->rel);
	slot = ExecInitExtraTupleSlot(writer.estate, RelationGetDescr(row->rel), &TTSOpsVirtual);
	ExecClearTuple(slot);
	memcpy(slot->tts_values, row->values, sizeof(Datum) * slot->tts_tupleDescriptor->natts);
	memcpy(slot->tts_isnull, row->nulls, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	ExecStoreVirtualTuple(slot);

	row_writer_check(&writer, slot);
	table_tuple_insert(row->rel, slot, GetCurrentCommandId(true), 0, NULL);
	row_writer_index(&writer, slot, false);
	row_writer_end(&writer);
}
