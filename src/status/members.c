/*
 * members.c
 *		party_membership(): a party's member roles, scanned through the
 *		primary keys of bizinvoice.party_member (party_id, member) and
 *		bizinvoice.party (id).
 *
 * A direct index scan instead of SPI: the query cost an executor start-up
 * and a row-level security subplan in every act_as().  The rows are read
 * here whatever the caller may see; only the verdict leaves this file.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "status/members.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

static Relation
open_table(const char *name)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("bizinvoice", false));

	if (!OidIsValid(relid))
		elog(ERROR, "table bizinvoice.%s is missing", name);
	return table_open(relid, AccessShareLock);
}

static AttrNumber
column(Relation rel, const char *name)
{
	AttrNumber	attnum = get_attnum(RelationGetRelid(rel), name);

	if (attnum == InvalidAttrNumber)
		elog(ERROR, "column %s of bizinvoice.%s is missing", name, RelationGetRelationName(rel));
	return attnum;
}

/* A scan of rel's rows whose bigint column att equals value, by its primary key. */
static SysScanDesc
scan_by(Relation rel, const char *att, int64 value, ScanKey key)
{
	ScanKeyInit(key, column(rel, att), BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(value));
	/* the statement's snapshot, as a query would read; a fresh one outside any */
	return systable_beginscan(rel, RelationGetPrimaryKeyIndex(rel), true,
							  ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot(),
							  1, key);
}

PartyMembership
party_membership(int64 party, Oid role)
{
	Relation	rel = open_table("party_member");
	AttrNumber	member_att = column(rel, "member");
	AttrNumber	accountant_att = column(rel, "accountant");
	ScanKeyData key;
	SysScanDesc scan = scan_by(rel, "party_id", party, &key);
	HeapTuple	tuple;
	bool		any = false;
	PartyMembership result = PARTY_NOT_MEMBER;

	while ((tuple = systable_getnext(scan)) != NULL)
	{
		bool		isnull;
		Oid			member = DatumGetObjectId(heap_getattr(tuple, member_att,
														   RelationGetDescr(rel), &isnull));

		any = true;
		if (!has_privs_of_role(role, member))
			continue;
		result = PARTY_MEMBER;
		if (DatumGetBool(heap_getattr(tuple, accountant_att, RelationGetDescr(rel), &isnull)))
		{
			result = PARTY_ACCOUNTANT;
			break;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	/* members exist only for a party that does (foreign key) */
	if (!any)
	{
		rel = open_table("party");
		scan = scan_by(rel, "id", party, &key);
		if (systable_getnext(scan) == NULL)
			result = PARTY_MISSING;
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	return result;
}
