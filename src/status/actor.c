/*
 * actor.c
 *		act_as(), current_party(), and moves staged by the platform.
 *
 * The acting party lives in backend memory, not in a GUC: a GUC could be
 * SET by anyone, and act_as() is the only way in.  It follows transactions
 * and subtransactions: act_as() in a transaction that aborts, or under a
 * savepoint rolled back to (a PL/pgSQL exception block included), is undone.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "status/actor.h"
#include "status/members.h"
#include "status/status.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

static int64 committed_party = 0;
static bool committed_accountant = false;
static int64 current_party_id = 0;
static bool current_accountant = false;
static bool current_is_local = false;	/* act_as(..., local => true) */

static StagedMove staged;
static bool staged_set = false;

/* a chained move's intermediate status, from the guard to the history trigger */
static int64 chained_id = 0;
static int32 chained_seq = 0;
static char *chained_via = NULL;
static bool reroute_set = false;

static bool callback_registered = false;

/*
 * What the acting party was when a subtransaction first changed it, to put
 * back if that subtransaction aborts; innermost first, in
 * TopTransactionContext.
 */
typedef struct SavedActor
{
	SubTransactionId subid;
	int64		party;
	bool		accountant;
	bool		is_local;
	struct SavedActor *next;
} SavedActor;

static SavedActor *saved_actors = NULL;

static void
actor_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			if (!current_is_local)
			{
				committed_party = current_party_id;
				committed_accountant = current_accountant;
				break;
			}
			/* a transaction-local act_as ends with its transaction */
			/* FALLTHROUGH */
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			current_party_id = committed_party;
			current_accountant = committed_accountant;
			break;
		default:
			return;
	}
	current_is_local = false;
	saved_actors = NULL;
	/* staged strings lived in the transaction's memory */
	staged_set = false;
	chained_via = NULL;
	reroute_set = false;
}

static void
actor_subxact_callback(SubXactEvent event, SubTransactionId subid,
					   SubTransactionId parent, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		/* a move staged in the failed subtransaction is not the next one's */
		staged_set = false;
		reroute_set = false;
		if (saved_actors != NULL && saved_actors->subid == subid)
		{
			current_party_id = saved_actors->party;
			current_accountant = saved_actors->accountant;
			current_is_local = saved_actors->is_local;
			saved_actors = saved_actors->next;
		}
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB &&
			 saved_actors != NULL && saved_actors->subid == subid)
	{
		/* the parent answers for the change now, unless it saved an older state */
		if (parent == TopSubTransactionId ||
			(saved_actors->next != NULL && saved_actors->next->subid == parent))
			saved_actors = saved_actors->next;
		else
			saved_actors->subid = parent;
	}
}

static void
register_callback(void)
{
	if (!callback_registered)
	{
		RegisterXactCallback(actor_xact_callback, NULL);
		RegisterSubXactCallback(actor_subxact_callback, NULL);
		callback_registered = true;
	}
}

/* Before act_as() changes the acting party inside a subtransaction */
static void
save_actor(void)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	SavedActor *saved;

	if (subid == TopSubTransactionId ||
		(saved_actors != NULL && saved_actors->subid == subid))
		return;
	saved = MemoryContextAlloc(TopTransactionContext, sizeof(SavedActor));
	saved->subid = subid;
	saved->party = current_party_id;
	saved->accountant = current_accountant;
	saved->is_local = current_is_local;
	saved->next = saved_actors;
	saved_actors = saved;
}

int64
acting_party(bool *accountant)
{
	*accountant = current_accountant;
	return current_party_id;
}

bool
take_staged_move(StagedMove *move)
{
	if (!staged_set)
	{
		memset(move, 0, sizeof(*move));
		move->amount_null = true;
		return false;
	}
	*move = staged;
	staged_set = false;
	return true;
}

bool
take_staged_reroute(void)
{
	bool		set = reroute_set;

	reroute_set = false;
	return set;
}

/*
 * stage_reroute(): the next UPDATE of a submitted invoice in this
 * transaction may correct its routing (BT-10, BT-13).  Not granted to users;
 * chorus_resend() calls it.
 */
PG_FUNCTION_INFO_V1(stage_reroute);
Datum
stage_reroute(PG_FUNCTION_ARGS)
{
	register_callback();
	reroute_set = true;
	PG_RETURN_VOID();
}

/*
 * act_as(party bigint, local boolean): act for that party from now on (NULL:
 * for none), or with local until the end of the transaction (for poolers that
 * hand a connection to another client after each transaction).  The current
 * role must be a member of one of the party's member roles; superusers and
 * members of bizinvoice_admin may act for any party.
 */
PG_FUNCTION_INFO_V1(act_as);
Datum
act_as(PG_FUNCTION_ARGS)
{
	int64		party;
	PartyMembership membership;
	Oid			admin = get_role_oid("bizinvoice_admin", true);

	register_callback();
	if (PG_ARGISNULL(0))
	{
		save_actor();
		current_party_id = 0;
		current_accountant = false;
		current_is_local = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
		PG_RETURN_VOID();
	}
	party = PG_GETARG_INT64(0);
	membership = party_membership(party, GetUserId());
	if (membership == PARTY_MISSING)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("party " INT64_FORMAT " does not exist", party)));
	if (membership == PARTY_NOT_MEMBER && !superuser() &&
		!(OidIsValid(admin) && has_privs_of_role(GetUserId(), admin)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to act for party " INT64_FORMAT, party),
				 errdetail("Role \"%s\" is not a member of that party.",
						   GetUserNameFromId(GetUserId(), false))));
	save_actor();
	current_party_id = party;
	current_accountant = membership == PARTY_ACCOUNTANT;
	current_is_local = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	PG_RETURN_VOID();
}

/*
 * caller_has_role(role name): whether the role behind the call (the one in
 * effect outside any SECURITY DEFINER function) has the privileges of role.
 */
PG_FUNCTION_INFO_V1(caller_has_role);
Datum
caller_has_role(PG_FUNCTION_ARGS)
{
	Oid			role = get_role_oid(NameStr(*PG_GETARG_NAME(0)), false);

	PG_RETURN_BOOL(has_privs_of_role(GetOuterUserId(), role));
}

char *
caller_role_name(void)
{
	return GetUserNameFromId(GetOuterUserId(), false);
}

/* caller_name(): the role behind the call, outside SECURITY DEFINER functions. */
PG_FUNCTION_INFO_V1(caller_name);
Datum
caller_name(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(DirectFunctionCall1(namein, CStringGetDatum(caller_role_name())));
}

/* current_party(): the party this session acts for, or NULL. */
PG_FUNCTION_INFO_V1(current_party);
Datum
current_party(PG_FUNCTION_ARGS)
{
	if (current_party_id == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(current_party_id);
}

/* acting_as_accountant(): whether the session acts as its party's accountant. */
PG_FUNCTION_INFO_V1(acting_as_accountant);
Datum
acting_as_accountant(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(current_party_id != 0 && current_accountant);
}

void
stage_move(const char *reason, Datum amount, bool amount_null, const char *raw_code, int actor)
{
	MemoryContext old;

	register_callback();
	old = MemoryContextSwitchTo(TopTransactionContext);
	staged.reason = reason ? pstrdup(reason) : NULL;
	staged.raw_code = raw_code ? pstrdup(raw_code) : NULL;
	staged.amount_null = amount_null;
	staged.amount = amount_null ? (Datum) 0 :
		PointerGetDatum(PG_DETOAST_DATUM_COPY(amount));
	staged.actor = actor;
	staged.status = NULL;
	staged.then = NULL;
	staged.hide_foreign = false;
	MemoryContextSwitchTo(old);
	staged_set = true;
}

void
stage_target(const char *status, bool hide_foreign)
{
	Assert(staged_set);
	staged.status = MemoryContextStrdup(TopTransactionContext, status);
	staged.hide_foreign = hide_foreign;
}

void
stage_then(const char *then)
{
	Assert(staged_set);
	staged.then = MemoryContextStrdup(TopTransactionContext, then);
}

void
note_chained_move(int64 id, int32 seq, const char *via)
{
	register_callback();
	chained_id = id;
	chained_seq = seq;
	chained_via = MemoryContextStrdup(TopTransactionContext, via);
}

char *
take_chained_move(int64 id, int32 seq)
{
	char	   *via = chained_via;

	if (via == NULL || chained_id != id || chained_seq != seq)
		return NULL;
	chained_via = NULL;
	return via;
}

int
system_actor(const char *name)
{
	if (strcmp(name, "platform") == 0)
		return ACTOR_PLATFORM;
	if (strcmp(name, "chorus") == 0)
		return ACTOR_CHORUS;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown system actor \"%s\"", name),
			 errhint("Use \"platform\" or \"chorus\", or NULL for the acting party.")));
	pg_unreachable();
}

/*
 * stage_status_move(reason text, amount numeric, raw_code text, actor text):
 * what the next status change in this transaction carries.  actor is NULL
 * (the acting party), 'platform' or 'chorus'.  Not granted to users.
 */
PG_FUNCTION_INFO_V1(stage_status_move);
Datum
stage_status_move(PG_FUNCTION_ARGS)
{
	stage_move(PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0)),
			   PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1), PG_ARGISNULL(1),
			   PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2)),
			   PG_ARGISNULL(3) ? 0 : system_actor(text_to_cstring(PG_GETARG_TEXT_PP(3))));
	PG_RETURN_VOID();
}

/*
 * stage_status_then(status text): the move staged by stage_status_move()
 * goes on to status in the same UPDATE.  Not granted to users.  The SQL
 * function was the PL/pgSQL submit()'s, dropped in 0.9 with it; the symbol
 * stays for the install scripts of 0.6 to 0.8, which upgrades run.
 */
PG_FUNCTION_INFO_V1(stage_status_then);
Datum
stage_status_then(PG_FUNCTION_ARGS)
{
	if (!staged_set)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no status move is staged"),
				 errhint("Call bizinvoice.stage_status_move() first.")));
	stage_then(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_VOID();
}
