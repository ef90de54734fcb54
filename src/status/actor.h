/*
 * actor.h
 *		Who is moving an invoice: the party a session acts for (set by
 *		act_as(), checked against party_member), or the platform or the
 *		Chorus Pro sync, which stage a move through a function ordinary
 *		users cannot call.  A staged move also carries its reason, amount
 *		and raw external code, so that a plain UPDATE cannot invent them.
 */
#ifndef BIZINVOICE_ACTOR_H
#define BIZINVOICE_ACTOR_H

#include "postgres.h"

typedef struct StagedMove
{
	int			actor;			/* StatusActor bit, 0 for the acting party */
	char	   *status;			/* the status to move to; NULL: what the UPDATE wrote */
	char	   *then;			/* a second move, on from there, in the same UPDATE */
	bool		hide_foreign;	/* an invoice of other parties "does not exist" */
	char	   *reason;			/* NULL if none; in TopTransactionContext */
	char	   *raw_code;
	Datum		amount;			/* numeric, valid if !amount_null */
	bool		amount_null;
} StagedMove;

/* The party this session acts for, or 0; and whether as its accountant. */
extern int64 acting_party(bool *accountant);

/* The role behind the call (outside SECURITY DEFINER functions): who did it. */
extern char *caller_role_name(void);

/*
 * Stages what the next status change of this transaction carries (copied);
 * actor is a StatusActor bit, or 0 for the acting party.
 */
extern void stage_move(const char *reason, Datum amount, bool amount_null,
					   const char *raw_code, int actor);

/*
 * Adds to the staged move the status it goes to (set_status(), system_move():
 * the guard writes it into the row their UPDATE touches), and whether an
 * acting party that is neither supplier nor buyer is told the invoice does
 * not exist.
 */
extern void stage_target(const char *status, bool hide_foreign);

/*
 * Adds to the staged move a second one, by the same actor, from the status
 * it reaches to status then (submit: deposited, then made available): one
 * UPDATE of the invoice instead of two, two entries in its history.
 */
extern void stage_then(const char *then);

/*
 * The guard hands the history trigger the status a chained move went
 * through, for the row of invoice id that reaches move number seq; the
 * trigger takes it (NULL if that row made no chained move).
 */
extern void note_chained_move(int64 id, int32 seq, const char *via);
extern char *take_chained_move(int64 id, int32 seq);

/* The actor bit of "platform" or "chorus"; errors on anything else. */
extern int	system_actor(const char *name);

/*
 * Takes (and clears) the move staged for the next status change; false if
 * none was staged, and then *move is an empty move.
 */
extern bool take_staged_move(StagedMove *move);

/*
 * Takes (and clears) a routing correction staged by chorus_resend(): the
 * next UPDATE of a submitted invoice may change its service code (BT-10)
 * and legal commitment (BT-13), and nothing else.
 */
extern bool take_staged_reroute(void);

#endif							/* BIZINVOICE_ACTOR_H */
