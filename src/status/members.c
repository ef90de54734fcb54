/*
 * members.c
 *		party_membership(): a party's member roles, scanned through the
 *		primary keys of bizinvoice.party_member (party_id, member) and
 *		bizinvoice.party (id).
 *
 * A direct index scan instead of SPI: the query cost an executor start-up
 * and a row-level security subplan in every act_as().  The rows are read
 * here whatever the caller may see; only the verdict leaves this file.
 *
 * A membership holds while its role, by OID, still has the name it had when
 * the membership was written (member_name, since 0.9): the OID of a dropped
 * role may go to a new one.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "miscadmin.h"
#include "parser/parse_relation.h"
#include "status/members.h"
#include "status/tables.h"
#include "utils/acl.h"

PartyMembership
party_membership(int64 party, Oid role)
{
	Relation	rel = bizinvoice_table_open("party_member", AccessShareLock);
	AttrNumber	member_att = bizinvoice_column(rel, "member");
	AttrNumber	accountant_att = bizinvoice_column(rel, "accountant");
	/* 0 while the extension's SQL is older than this library */
	AttrNumber	name_att = attnameAttNum(rel, "member_name", false);
	ScanKeyData key;
	SysScanDesc scan = bizinvoice_scan_by(rel, "party_id", party, &key);
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
		if (name_att > 0)
		{
			char	   *name = GetUserNameFromId(member, true);
			Datum		granted = heap_getattr(tuple, name_att, RelationGetDescr(rel), &isnull);

			if (name == NULL || isnull || strcmp(name, NameStr(*DatumGetName(granted))) != 0)
				continue;
		}
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
		rel = bizinvoice_table_open("party", AccessShareLock);
		scan = bizinvoice_scan_by(rel, "id", party, &key);
		if (systable_getnext(scan) == NULL)
			result = PARTY_MISSING;
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	return result;
}
