/*
 * append.h
 *		Appending rows to the extension's own tables from C, without a
 *		statement around them.
 */
#ifndef BIZINVOICE_APPEND_H
#define BIZINVOICE_APPEND_H

#include "postgres.h"

#include "nodes/execnodes.h"
#include "utils/rel.h"

/* A row of rel being built: every column null until set. */
typedef struct AppendRow
{
	Relation	rel;
	Datum	   *values;
	bool	   *nulls;
} AppendRow;

extern AppendRow *append_start(Relation rel);
extern void append_set(AppendRow *row, const char *column, Datum value, bool isnull);

/* The next value of bizinvoice.<sequence>. */
extern int64 append_nextval(const char *sequence);

/* Inserts the row: its table's constraints checked, its indexes updated. */
extern void append_row(AppendRow *row);

/*
 * Writing a row as the executor would: the state its constraint checks and
 * index insertions need (the slots the caller makes in writer->estate's
 * tuple table are dropped with it).
 */
typedef struct RowWriter
{
	EState	   *estate;
	ResultRelInfo *rri;
} RowWriter;

/*
 * Whether rows of rel may be written so for event (TRIGGER_TYPE_INSERT or
 * TRIGGER_TYPE_UPDATE): the table is as the extension made it, its only
 * triggers firing on event foreign keys' (not deferrable; whose work the
 * caller does) and, where named, the extension's triggers calling functions
 * before and after (whose work the caller does too: both then required).
 * Otherwise a statement writes the rows, and whatever a DBA added to the
 * table takes part.
 */
extern bool row_writer_possible(Relation rel, int16 event, const char *before, const char *after);

extern void row_writer_start(RowWriter *writer, Relation rel);

/* Refuses a row that breaks its table's NOT NULL or CHECK constraints. */
extern void row_writer_check(RowWriter *writer, TupleTableSlot *slot);

/* Enters a row just written (update: as a new version) in every index. */
extern void row_writer_index(RowWriter *writer, TupleTableSlot *slot, bool update);

/* Updates the locked row at tid to slot's: checked, written, indexed. */
extern void row_writer_update(RowWriter *writer, ItemPointer tid, TupleTableSlot *slot);

extern void row_writer_end(RowWriter *writer);

#endif							/* BIZINVOICE_APPEND_H */
