/*
 * row_triggers.h
 *		The status guard's and the history trigger's work on one row of
 *		bizinvoice.invoice: called by the triggers (guard.c, history.c), and
 *		directly by a move made without an UPDATE statement (direct.c).
 */
#ifndef BIZINVOICE_ROW_TRIGGERS_H
#define BIZINVOICE_ROW_TRIGGERS_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/relcache.h"

/* The row as it may be written (oldtup NULL for an INSERT), or an error. */
extern HeapTuple guard_row(Relation rel, HeapTuple oldtup, HeapTuple newtup);

/* Appends the move(s) an UPDATE made to the history, and notifies them. */
extern void record_row(Relation rel, HeapTuple oldtup, HeapTuple newtup);

#endif							/* BIZINVOICE_ROW_TRIGGERS_H */
