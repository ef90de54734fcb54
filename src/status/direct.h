/*
 * direct.h
 *		A status move made without an UPDATE statement (direct.c).
 */
#ifndef BIZINVOICE_DIRECT_H
#define BIZINVOICE_DIRECT_H

#include "postgres.h"

#include "utils/relcache.h"

/*
 * Makes the move staged for invoice id on its row, as an UPDATE of it would
 * with the status guard and history triggers; false if there is no such row.
 * Only where row_writer_possible(rel, TRIGGER_TYPE_UPDATE, "status_guard",
 * "status_record").
 */
extern bool direct_move(Relation rel, int64 id);

#endif							/* BIZINVOICE_DIRECT_H */
