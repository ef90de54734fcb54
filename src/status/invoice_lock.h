/*
 * invoice_lock.h
 *		An invoice of the acting party, locked for update (invoice_lock.c).
 */
#ifndef BIZINVOICE_INVOICE_LOCK_H
#define BIZINVOICE_INVOICE_LOCK_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/relcache.h"

/*
 * Invoice id of rel locked for update (a copy of its row), if the acting
 * party is its supplier or its buyer (only its supplier: supplier_only);
 * an error otherwise, another party's invoice "does not exist".
 */
extern HeapTuple invoice_lock(Relation rel, int64 id, bool supplier_only);

#endif							/* BIZINVOICE_INVOICE_LOCK_H */
