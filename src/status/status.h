/*
 * status.h
 *		The invoice statuses (30 B2B, 10 B2G) and the rules that move an
 *		invoice between them: from, to, who may, whether a reason or an
 *		amount is required.  The rules are data here, enforced by the
 *		status guard trigger and shown by the status_transitions view.
 */
#ifndef BIZINVOICE_STATUS_H
#define BIZINVOICE_STATUS_H

#include "postgres.h"

typedef enum StatusChannel
{
	CHANNEL_B2B,
	CHANNEL_B2G
} StatusChannel;

#define B2B_STATUSES 30
#define B2G_STATUSES 10

/* Who moves an invoice: bits, so that a rule can allow several. */
typedef enum StatusActor
{
	ACTOR_SUPPLIER = 1 << 0,
	ACTOR_BUYER = 1 << 1,
	ACTOR_ACCOUNTANT = 1 << 2,	/* the buyer's public accountant */
	ACTOR_PLATFORM = 1 << 3,	/* this platform's own checks and clocks */
	ACTOR_CHORUS = 1 << 4		/* statuses brought back from Chorus Pro */
} StatusActor;

#define ACTOR_COUNT 5

typedef struct StatusInfo
{
	const char *label;			/* the enum label */
	const char *code;			/* the reform's code, NULL for the platform's */
	const char *label_fr;
	bool		mandatory;		/* the reform (or Chorus Pro) requires it */
	bool		final;			/* business life over: only archiving follows */
	const char *meaning;
} StatusInfo;

/* Index of a status label in its channel's list, or -1. */
extern int	status_index(StatusChannel channel, const char *label);
extern const StatusInfo *status_info(StatusChannel channel, int index);
extern int	status_count(StatusChannel channel);
extern const char *channel_name(StatusChannel channel);

/* The actor's name ("supplier", ...); bit must be a single actor. */
extern const char *actor_name(int bit);

/* The actors in a mask, as a text[] Datum. */
extern Datum status_actors_datum(int mask);

/*
 * Rules.  from is -1 for an invoice entering the channel's life cycle (a
 * B2G invoice before it has a Chorus Pro status).
 */
#define RULE_REASON 1
#define RULE_AMOUNT 2

typedef struct StatusRule
{
	int			actors;			/* StatusActor bits */
	int			flags;			/* RULE_REASON, RULE_AMOUNT */
} StatusRule;

/* The rule for a move, or NULL when the move is not allowed at all. */
extern const StatusRule *status_rule(StatusChannel channel, int from, int to);

/* Appends to buf, comma-separated, the statuses reachable from from. */
extern void status_allowed_targets(StatusChannel channel, int from, StringInfo buf);

/* The actors that may move an invoice out of from (ignoring archiving). */
extern int	status_next_actors(StatusChannel channel, int from);

#endif							/* BIZINVOICE_STATUS_H */
