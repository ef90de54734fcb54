/*
 * direct.h
 *		A status move made without an UPDATE statement (direct.c).
 */
#ifndef BIZINVOICE_DIRECT_H
#define BIZINVOICE_DIRECT_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/relcache.h"

/*
 * Makes the move staged for invoice id on its row, as an UPDATE of it would
 * with the status guard and history triggers; false if there is no such row.
 * Only where row_writer_possible(rel, TRIGGER_TYPE_UPDATE, "status_guard",
 * "status_record").
 */
extern bool direct_move(Relation rel, int64 id);

/*
 * Updates oldtup, a row of rel this transaction locked, to newtup, as an
 * UPDATE would with the status guard and history triggers (the move staged).
 * Only where direct_move() may be.
 */
extern void direct_update(Relation rel, HeapTuple oldtup, HeapTuple newtup);

#endif							/* BIZINVOICE_DIRECT_H */
