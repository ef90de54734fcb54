/*
 * guard.c
 *		The status guard: a BEFORE INSERT OR UPDATE trigger on
 *		bizinvoice.invoice that lets a status change through only if a rule
 *		allows it for the actor making it, with the reason or amount the rule
 *		requires; it records who made the move on the row, for the history.
 *
 * Every status change goes through it, whatever issued the UPDATE; the
 * status_* columns of the row are its to write.  It also freezes submitted
 * invoices: after deposit only the status columns may change.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "status/actor.h"
#include "status/invoice_row.h"
#include "status/row_triggers.h"
#include "status/status.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* Which actor the session is, for this invoice; errors if it is none. */
static int
session_actor(int64 id, int64 supplier, int64 buyer)
{
	bool		accountant;
	int64		party = acting_party(&accountant);

	if (party == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("no party is acting: cannot move invoice " INT64_FORMAT, id),
				 errhint("Call bizinvoice.act_as(party) first.")));
	if (party == supplier)
		return ACTOR_SUPPLIER;
	if (party == buyer)
		return accountant ? ACTOR_ACCOUNTANT : ACTOR_BUYER;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("party " INT64_FORMAT " is neither the supplier nor the buyer of invoice " INT64_FORMAT,
					party, id)));
	pg_unreachable();
}

static char *
actors_list(int mask)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < ACTOR_COUNT; i++)
	{
		if (mask & (1 << i))
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", actor_name(1 << i));
	}
	return buf.data;
}

/*
 * A submitted invoice is frozen: refuses an UPDATE that changes any column
 * but the status and the record of its moves (and, when chorus_resend()
 * staged it, the routing Chorus Pro refused).  Binary comparison, so that
 * columns added later are frozen too.
 */
static void
check_frozen(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc, const InvoiceColumns *cols)
{
	bool		reroute;
	Datum	   *oldvals;
	Datum	   *newvals;
	bool	   *oldnulls;
	bool	   *newnulls;

	if (heap_attisnull(oldtup, cols->attnum[COL_SUBMITTED_AT], desc))
		return;
	reroute = take_staged_reroute();
	/* deformed once: column by column, each read walks the row from its start */
	oldvals = palloc(desc->natts * sizeof(Datum));
	newvals = palloc(desc->natts * sizeof(Datum));
	oldnulls = palloc(desc->natts * sizeof(bool));
	newnulls = palloc(desc->natts * sizeof(bool));
	heap_deform_tuple(oldtup, desc, oldvals, oldnulls);
	heap_deform_tuple(newtup, desc, newvals, newnulls);
	for (int attnum = 1; attnum <= desc->natts; attnum++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
		bool		may_change = attnum == cols->attnum[COL_B2B_STATUS] ||
			attnum == cols->attnum[COL_B2G_STATUS];

		for (int i = COL_REASON; i <= COL_SEQ; i++)
			may_change |= attnum == cols->attnum[i];
		if (reroute)
			may_change |= attnum == cols->attnum[COL_BUYER_REFERENCE] ||
				attnum == cols->attnum[COL_PURCHASE_ORDER];
		if (att->attisdropped || may_change)
			continue;
		if (oldnulls[attnum - 1] != newnulls[attnum - 1] ||
			(!oldnulls[attnum - 1] &&
			 !datumIsEqual(oldvals[attnum - 1], newvals[attnum - 1], att->attbyval, att->attlen)))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("invoice " INT64_FORMAT " is submitted and cannot be changed",
							column_int8(oldtup, desc, cols->attnum[COL_ID])),
					 errdetail("Only its status moves after deposit (column \"%s\" was changed); issue a credit note to correct it.",
							   NameStr(att->attname))));
	}
}

/* Checks a move against the rules; returns the actor making it. */
static int
check_move(StatusChannel ch, int64 id, const char *from, const char *to,
		   const char *delivery, int64 supplier, int64 buyer,
		   const StagedMove *move)
{
	int			ifrom = from ? status_index(ch, from) : -1;
	int			ito = status_index(ch, to);
	const StatusRule *rule = status_rule(ch, ifrom, ito);
	int			actor;

	actor = move->actor ? move->actor : session_actor(id, supplier, buyer);
	if (ch == CHANNEL_B2G && delivery && strcmp(delivery, "chorus") == 0 &&
		actor != ACTOR_CHORUS)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("invoice " INT64_FORMAT " is followed through Chorus Pro", id),
				 errdetail("Its B2G statuses come only from Chorus Pro, not from the %s.",
						   actor_name(actor))));
	if (ch == CHANNEL_B2G && actor == ACTOR_CHORUS &&
		(delivery == NULL || strcmp(delivery, "chorus") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("invoice " INT64_FORMAT " is not sent through Chorus Pro", id)));
	if (rule == NULL)
	{
		StringInfoData allowed;

		initStringInfo(&allowed);
		status_allowed_targets(ch, ifrom, &allowed);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("invoice " INT64_FORMAT " cannot move from %s to %s",
						id, from ? from : "no status", to),
				 errdetail("From %s a %s invoice may move to: %s.",
						   from ? from : "no status", channel_name(ch), allowed.data)));
	}

	if ((rule->actors & actor) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the %s may not move invoice " INT64_FORMAT " from %s to %s",
						actor_name(actor), id, from ? from : "no status", to),
				 errdetail("That move is for: %s.", actors_list(rule->actors))));

	/* Chorus Pro's own comments are optional; its raw code is kept */
	if ((rule->flags & RULE_REASON) && move->reason == NULL && actor != ACTOR_CHORUS)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("moving invoice " INT64_FORMAT " to %s requires a reason", id, to),
				 errhint("Pass reason => ..., e.g. a reform reason code such as DOUBLON.")));
	if ((rule->flags & RULE_AMOUNT) && move->amount_null)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("moving invoice " INT64_FORMAT " to %s requires an amount", id, to)));
	return actor;
}

/* A status staged by name must be one of the channel's. */
static void
require_status(StatusChannel ch, const char *status)
{
	if (status_index(ch, status) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown %s status \"%s\"", channel_name(ch), status),
				 errhint("The statuses are listed in bizinvoice.status_catalog.")));
}

/*
 * The status a set_status() or system_move() staged for this row: its
 * acting party must see the invoice, and the status must be the channel's.
 */
static void
check_target(StatusChannel ch, HeapTuple tup, TupleDesc desc, const InvoiceColumns *cols,
			 const StagedMove *move)
{
	int64		id = column_int8(tup, desc, cols->attnum[COL_ID]);

	if (move->hide_foreign)
	{
		bool		accountant;
		int64		party = acting_party(&accountant);

		if (party != column_int8(tup, desc, cols->attnum[COL_SUPPLIER]) &&
			party != column_int8(tup, desc, cols->attnum[COL_BUYER]))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("invoice " INT64_FORMAT " does not exist", id)));
	}
	require_status(ch, move->status);
}

/*
 * The guard's work on one row: newtup as it may be written (INSERT: oldtup
 * NULL), or an error.
 */
HeapTuple
guard_row(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	const InvoiceColumns *cols = invoice_columns(rel);
	StatusChannel ch;
	char	   *channel;
	int			status_col;
	char	   *from;
	char	   *to;
	StagedMove	move;
	bool		staged;
	int			replace_cols[MOVE_COLUMNS + 1];
	Datum		values[MOVE_COLUMNS + 1];
	bool		nulls[MOVE_COLUMNS + 1] = {0};
	int			ncols = MOVE_COLUMNS;
	bool		accountant;
	int64		party;
	int32		seq = 0;

	check_invoice_row(newtup, desc, cols);
	channel = column_text(newtup, desc, cols->attnum[COL_CHANNEL]);
	ch = strcmp(channel, "B2B") == 0 ? CHANNEL_B2B : CHANNEL_B2G;
	if (oldtup)
	{
		char	   *oldchannel = column_text(oldtup, desc, cols->attnum[COL_CHANNEL]);

		check_frozen(oldtup, newtup, desc, cols);

		if (strcmp(oldchannel, channel) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("an invoice's channel cannot change")));
	}
	status_col = cols->attnum[ch == CHANNEL_B2B ? COL_B2B_STATUS : COL_B2G_STATUS];
	to = column_text(newtup, desc, status_col);
	from = oldtup ? column_text(oldtup, desc, status_col) : NULL;

	if (oldtup == NULL)
	{
		/*
		 * Restoring a dump (pg_dump scripts turn check_function_bodies off)
		 * brings rows with their recorded status; their history comes too.
		 */
		if (!check_function_bodies &&
			!heap_attisnull(newtup, cols->attnum[COL_CHANGED_AT], desc))
			return newtup;
		/* a new invoice starts as a B2B draft, or without a B2G status */
		if (ch == CHANNEL_B2B ? (to == NULL || strcmp(to, "draft") != 0) : to != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("a new %s invoice must start %s", channel,
							ch == CHANNEL_B2B ? "as draft" : "without a status")));
		if (to == NULL)
			return newtup;
		move.actor = ACTOR_SUPPLIER;
		move.reason = move.raw_code = NULL;
		move.amount_null = true;
	}
	else
	{
		int64		id;
		int64		supplier;
		int64		buyer;
		char	   *delivery;

		staged = take_staged_move(&move);
		if (staged && move.status != NULL)
		{
			check_target(ch, newtup, desc, cols, &move);
			to = move.status;
			replace_cols[MOVE_COLUMNS] = status_col;
			ncols++;
		}
		if (staged && move.then != NULL)
			require_status(ch, move.then);

		/*
		 * No status change, and no move staged for the same status (a second
		 * partial payment): the last move's record stays as it was.
		 */
		if ((from == NULL && to == NULL) ||
			(from != NULL && to != NULL && strcmp(from, to) == 0 && !staged))
		{
			for (int i = 0; i < MOVE_COLUMNS; i++)
			{
				replace_cols[i] = cols->attnum[COL_REASON + i];
				values[i] = SPI_getbinval(oldtup, desc, replace_cols[i], &nulls[i]);
			}
			return heap_modify_tuple_by_cols(newtup, desc, MOVE_COLUMNS,
											 replace_cols, values, nulls);
		}
		id = column_int8(newtup, desc, cols->attnum[COL_ID]);
		if (to == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("invoice " INT64_FORMAT " cannot lose its status", id)));
		delivery = column_text(newtup, desc, cols->attnum[COL_DELIVERY]);
		supplier = column_int8(newtup, desc, cols->attnum[COL_SUPPLIER]);
		buyer = column_int8(newtup, desc, cols->attnum[COL_BUYER]);
		move.actor = check_move(ch, id, from, to, delivery, supplier, buyer, &move);
		seq = column_int4(oldtup, desc, cols->attnum[COL_SEQ]) + 1;
		if (move.then != NULL)
		{
			/* on, by the same actor: the history trigger records both moves */
			move.actor = check_move(ch, id, to, move.then, delivery, supplier, buyer, &move);
			note_chained_move(id, ++seq, to);
			to = move.then;
			if (ncols == MOVE_COLUMNS)
				replace_cols[ncols++] = status_col;
		}
		if (ncols > MOVE_COLUMNS)
			values[MOVE_COLUMNS] = DirectFunctionCall2(enum_in, CStringGetDatum(to),
													   ObjectIdGetDatum(TupleDescAttr(desc, status_col - 1)->atttypid));
	}

	for (int i = 0; i < MOVE_COLUMNS; i++)
		replace_cols[i] = cols->attnum[COL_REASON + i];
	values[COL_REASON - COL_REASON] = move.reason ? CStringGetTextDatum(move.reason) : (Datum) 0;
	nulls[COL_REASON - COL_REASON] = move.reason == NULL;
	/* the amount takes the column's scale, as an INSERT would give it */
	if (!move.amount_null)
		move.amount = DirectFunctionCall2(numeric, move.amount,
										  Int32GetDatum(TupleDescAttr(desc, cols->attnum[COL_AMOUNT] - 1)->atttypmod));
	values[COL_AMOUNT - COL_REASON] = move.amount;
	nulls[COL_AMOUNT - COL_REASON] = move.amount_null;
	values[COL_RAW_CODE - COL_REASON] = move.raw_code ? CStringGetTextDatum(move.raw_code) : (Datum) 0;
	nulls[COL_RAW_CODE - COL_REASON] = move.raw_code == NULL;
	values[COL_ACTOR - COL_REASON] = CStringGetTextDatum(actor_name(move.actor));
	party = acting_party(&accountant);
	values[COL_PARTY - COL_REASON] = Int64GetDatum(party);
	nulls[COL_PARTY - COL_REASON] = party == 0;
	values[COL_CHANGED_AT - COL_REASON] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	/* the move counter lets the history trigger see every move, even to the same status */
	values[COL_SEQ - COL_REASON] = Int32GetDatum(seq);
	return heap_modify_tuple_by_cols(newtup, desc, ncols, replace_cols, values, nulls);
}

PG_FUNCTION_INFO_V1(status_guard);
Datum
status_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trig = (TriggerData *) fcinfo->context;
	bool		update;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trig->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trig->tg_event) || TRIGGER_FIRED_BY_DELETE(trig->tg_event))
		elog(ERROR, "status_guard must be a BEFORE INSERT OR UPDATE row trigger");
	update = TRIGGER_FIRED_BY_UPDATE(trig->tg_event);
	return PointerGetDatum(guard_row(trig->tg_relation, update ? trig->tg_trigtuple : NULL,
									 update ? trig->tg_newtuple : trig->tg_trigtuple));
}
