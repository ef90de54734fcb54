/*
 * tables.h
 *		The extension's own tables as C reads them: opened by name in
 *		schema bizinvoice, columns found by name, rows found by primary key.
 */
#ifndef BIZINVOICE_TABLES_H
#define BIZINVOICE_TABLES_H

#include "postgres.h"

#include "access/genam.h"
#include "executor/tuptable.h"
#include "nodes/lockoptions.h"
#include "storage/lockdefs.h"
#include "utils/rel.h"

/* bizinvoice.<name>'s OID (a table or sequence); an error if missing */
extern Oid	bizinvoice_relid(const char *name);

/* bizinvoice.<name>, locked in lockmode; an error if missing */
extern Relation bizinvoice_table_open(const char *name, LOCKMODE lockmode);

/* The number of rel's column name; an error if missing */
extern AttrNumber bizinvoice_column(Relation rel, const char *name);

/*
 * Numeric n in the type of rel's column (numeric(p, s)), as an assignment
 * gives it: rounded to its scale, or refused too large.
 */
extern Datum bizinvoice_fit(Relation rel, const char *column, Datum n);

/*
 * Starts a statement of the C's own, as the executor would: a write
 * (writes: "INSERT", "UPDATE"; NULL for a read) refused in a read-only
 * transaction or parallel mode; the command counter incremented, so that it
 * sees what the transaction did before it; its snapshot pushed (the caller
 * pops it).
 */
extern void bizinvoice_statement_start(const char *writes);

/*
 * A scan of rel's rows whose bigint column att equals value, through rel's
 * primary key (whose first column att is), under the statement's snapshot.
 */
extern SysScanDesc bizinvoice_scan_by(Relation rel, const char *att, int64 value, ScanKey key);

/*
 * A scan of rel's rows whose bigint column att equals value and text column
 * text_att equals text (compared in that column's collation, the order its
 * index was built in), through the index of that name, or over the whole
 * table if a DBA dropped it; under the statement's snapshot.  keys: two.
 */
extern SysScanDesc bizinvoice_scan_by_pair(Relation rel, const char *index, const char *att,
										   int64 value, const char *text_att, const char *text,
										   ScanKey keys);

/*
 * The row of rel whose bigint key column att equals value, locked in mode
 * as a statement under the active snapshot would lock it, into slot; false
 * if there is none.  Under READ COMMITTED a row updated since the snapshot
 * is followed to its newest version; under REPEATABLE READ and SERIALIZABLE
 * that is a serialization failure.
 */
extern bool bizinvoice_lock_by(Relation rel, const char *att, int64 value, LockTupleMode mode,
							   TupleTableSlot *slot);

#endif							/* BIZINVOICE_TABLES_H */
