/*
 * members.h
 *		Whether a role may act for a party: its rows in
 *		bizinvoice.party_member, read through the table's primary key
 *		rather than a query, since act_as() runs in every transaction of a
 *		pooled application.
 */
#ifndef BIZINVOICE_MEMBERS_H
#define BIZINVOICE_MEMBERS_H

#include "postgres.h"

typedef enum PartyMembership
{
	PARTY_MISSING,				/* no such party */
	PARTY_NOT_MEMBER,			/* the role has the privileges of none of its members */
	PARTY_MEMBER,
	PARTY_ACCOUNTANT			/* ... of a member that is its accountant */
} PartyMembership;

/* What role is to party, under the active snapshot. */
extern PartyMembership party_membership(int64 party, Oid role);

#endif							/* BIZINVOICE_MEMBERS_H */
