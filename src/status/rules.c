/*
 * rules.c
 *		Which moves between statuses are allowed, who may make them, and
 *		whether they need a reason or an amount; the status_transitions
 *		view's rows.
 */
#include "postgres.h"

#include "funcapi.h"
#include "status/status.h"
#include "utils/builtins.h"

#define S ACTOR_SUPPLIER
#define B ACTOR_BUYER
#define A ACTOR_ACCOUNTANT
#define P ACTOR_PLATFORM
#define C ACTOR_CHORUS
#define R RULE_REASON
#define M RULE_AMOUNT

typedef struct RuleEntry
{
	const char *from;			/* "" for entering the life cycle */
	const char *to;
	int			actors;
	int			flags;
} RuleEntry;

/*
 * B2B.  The buyer works the invoice while it is in hand; the supplier
 * answers, factors and cancels; the platform deposits, delivers, pays from
 * payment accounts and watches due dates.
 */
static const RuleEntry b2b_rules[] = {
	{"draft", "deposited", P, 0},
	{"draft", "cancelled", S, 0},
	{"deposited", "issued", P, 0},
	{"deposited", "made_available", P, 0},
	{"deposited", "routing_error", P, R},
	{"deposited", "rejected", P, R},
	{"issued", "received", P, 0},
	{"issued", "routing_error", P, R},
	{"issued", "rejected", P, R},
	{"received", "made_available", P, 0},
	{"received", "rejected", P, R},
	{"routing_error", "made_available", P, 0},
	{"routing_error", "cancelled", S, 0},

	{"made_available", "in_hand", B, 0},
#define IN_HAND_MOVES(st) \
	{st, "reviewed", B, 0}, \
	{st, "approved", B, 0}, \
	{st, "partially_approved", B, M}, \
	{st, "disputed", B, R}, \
	{st, "suspended", B, R}, \
	{st, "refused", B, R}, \
	{st, "cancelled", S, 0}, \
	{st, "credited", S, 0}
	IN_HAND_MOVES("made_available"),
	IN_HAND_MOVES("in_hand"),
	IN_HAND_MOVES("completed"),
	{"reviewed", "approved", B, 0},
	{"reviewed", "partially_approved", B, M},
	{"reviewed", "disputed", B, R},
	{"reviewed", "suspended", B, R},
	{"reviewed", "refused", B, R},
	{"suspended", "completed", S, 0},
	{"suspended", "cancelled", S, 0},
	{"suspended", "credited", S, 0},
	{"disputed", "approved", B, 0},
	{"disputed", "partially_approved", B, M},
	{"disputed", "suspended", B, R},
	{"disputed", "refused", B, R},
	{"disputed", "cancelled", S, 0},
	{"disputed", "credited", S, 0},

	/* approved, in whole or part: to be paid */
#define PAYABLE_MOVES(st) \
	{st, "payment_scheduled", B, 0}, \
	{st, "payment_sent", B | P, 0}, \
	{st, "partially_paid", B | P, M}, \
	{st, "netted", P, M}, \
	{st, "overdue", P, 0}, \
	{st, "factored", S, 0}, \
	{st, "factored_confidential", S, 0}, \
	{st, "payee_changed", S, 0}, \
	{st, "direct_payment_requested", S, 0}, \
	{st, "credited", S, 0}
	PAYABLE_MOVES("approved"),
	PAYABLE_MOVES("partially_approved"),
	PAYABLE_MOVES("factored"),
	PAYABLE_MOVES("factored_confidential"),
	PAYABLE_MOVES("not_factored"),
	PAYABLE_MOVES("payee_changed"),
	PAYABLE_MOVES("direct_payment_requested"),
	{"factored", "not_factored", S, 0},
	{"factored_confidential", "not_factored", S, 0},
	{"direct_payment_requested", "approved", B, 0},

	/* being paid */
#define PAYING_MOVES(st) \
	{st, "payment_sent", B | P, 0}, \
	{st, "partially_paid", B | P, M}, \
	{st, "netted", P, M}, \
	{st, "cashed", S | P, 0}
	PAYING_MOVES("partially_paid"),
	PAYING_MOVES("netted"),
	{"partially_paid", "overdue", P, 0},
	{"netted", "overdue", P, 0},
	{"payment_scheduled", "payment_sent", P, 0},
	{"payment_scheduled", "partially_paid", P, M},
	{"payment_scheduled", "overdue", P, 0},
	{"payment_scheduled", "approved", B, 0},
	{"payment_sent", "cashed", S | P, 0},

	/* late */
#define LATE_MOVES(st) \
	{st, "reminded", S, 0}, \
	{st, "payment_scheduled", B, 0}, \
	{st, "payment_sent", B | P, 0}, \
	{st, "partially_paid", B | P, M}, \
	{st, "netted", P, M}, \
	{st, "credited", S, 0}
	LATE_MOVES("overdue"),
	LATE_MOVES("reminded"),

	/* closed: only archiving follows */
	{"cashed", "archived", S | P, 0},
	{"refused", "archived", S | P, 0},
	{"rejected", "archived", S | P, 0},
	{"cancelled", "archived", S | P, 0},
	{"credited", "archived", S | P, 0},
};

/*
 * B2G.  Through Chorus Pro only its statuses move an invoice (C); for a
 * structure reached directly on the platform, its users (B), its public
 * accountant (A), the supplier (S) and the platform (P) make the same moves.
 * Chorus Pro may skip the optional steps.
 */
static const RuleEntry b2g_rules[] = {
	{"", "DEPOSEE", P | C, 0},
	{"DEPOSEE", "MISE_A_DISPOSITION", P | C, 0},
	{"DEPOSEE", "A_RECYCLER", C, R},
	{"DEPOSEE", "REJETEE", P | C, R},
	{"MISE_A_DISPOSITION", "SERVICE_FAIT", B | C, 0},
	{"MISE_A_DISPOSITION", "MANDATEE", B | C, 0},
	{"MISE_A_DISPOSITION", "MISE_A_DISPOSITION_COMPTABLE", B | C, 0},
	{"MISE_A_DISPOSITION", "COMPTABILISEE", C, 0},
	{"MISE_A_DISPOSITION", "MISE_EN_PAIEMENT", C, 0},
	{"MISE_A_DISPOSITION", "A_RECYCLER", B | C, R},
	{"MISE_A_DISPOSITION", "SUSPENDUE", B | C, R},
	{"MISE_A_DISPOSITION", "REJETEE", B | C, R},
	{"SERVICE_FAIT", "MANDATEE", B | C, 0},
	{"SERVICE_FAIT", "MISE_A_DISPOSITION_COMPTABLE", B | C, 0},
	{"SERVICE_FAIT", "COMPTABILISEE", C, 0},
	{"SERVICE_FAIT", "MISE_EN_PAIEMENT", C, 0},
	{"SERVICE_FAIT", "SUSPENDUE", B | C, R},
	{"SERVICE_FAIT", "REJETEE", B | C, R},
	{"MANDATEE", "MISE_A_DISPOSITION_COMPTABLE", B | C, 0},
	{"MANDATEE", "COMPTABILISEE", A | C, 0},
	{"MANDATEE", "MISE_EN_PAIEMENT", A | C, 0},
	{"MANDATEE", "SUSPENDUE", B | A | C, R},
	{"MANDATEE", "REJETEE", B | A | C, R},
	{"MISE_A_DISPOSITION_COMPTABLE", "COMPTABILISEE", A | C, 0},
	{"MISE_A_DISPOSITION_COMPTABLE", "MISE_EN_PAIEMENT", A | C, 0},
	{"MISE_A_DISPOSITION_COMPTABLE", "SUSPENDUE", A | C, R},
	{"MISE_A_DISPOSITION_COMPTABLE", "REJETEE", A | C, R},
	{"COMPTABILISEE", "MISE_EN_PAIEMENT", A | C, 0},
	{"SUSPENDUE", "MISE_A_DISPOSITION", S | C, 0},
	{"SUSPENDUE", "REJETEE", B | C, R},
	{"A_RECYCLER", "DEPOSEE", S | C, 0},
	{"A_RECYCLER", "REJETEE", C, R},
};

/* rules indexed [from + 1][to]; row 0 is entering the life cycle */
typedef struct RuleMatrix
{
	bool		built;
	StatusRule	rule[B2B_STATUSES + 1][B2B_STATUSES];
} RuleMatrix;

static RuleMatrix matrices[2];

static const RuleMatrix *
rule_matrix(StatusChannel channel)
{
	RuleMatrix *m = &matrices[channel];
	const RuleEntry *rules = channel == CHANNEL_B2B ? b2b_rules : b2g_rules;
	int			n = channel == CHANNEL_B2B ? lengthof(b2b_rules) : lengthof(b2g_rules);

	if (m->built)
		return m;
	for (int i = 0; i < n; i++)
	{
		int			from = rules[i].from[0] ? status_index(channel, rules[i].from) : -1;
		int			to = status_index(channel, rules[i].to);

		/* a typo in the tables above must not pass unnoticed */
		if ((rules[i].from[0] && from < 0) || to < 0)
			elog(ERROR, "status rule %s -> %s names an unknown status",
				 rules[i].from, rules[i].to);
		m->rule[from + 1][to].actors |= rules[i].actors;
		m->rule[from + 1][to].flags |= rules[i].flags;
	}
	m->built = true;
	return m;
}

const StatusRule *
status_rule(StatusChannel channel, int from, int to)
{
	const StatusRule *r = &rule_matrix(channel)->rule[from + 1][to];

	return r->actors ? r : NULL;
}

void
status_allowed_targets(StatusChannel channel, int from, StringInfo buf)
{
	bool		first = true;

	for (int to = 0; to < status_count(channel); to++)
	{
		if (status_rule(channel, from, to) == NULL)
			continue;
		appendStringInfo(buf, "%s%s", first ? "" : ", ",
						 status_info(channel, to)->label);
		first = false;
	}
	if (first)
		appendStringInfoString(buf, "nothing");
}

int
status_next_actors(StatusChannel channel, int from)
{
	int			actors = 0;

	for (int to = 0; to < status_count(channel); to++)
	{
		const StatusRule *r = status_rule(channel, from, to);

		if (r && strcmp(status_info(channel, to)->label, "archived") != 0)
			actors |= r->actors;
	}
	return actors;
}

/*
 * status_transition_rows() returns setof (channel, from_status, to_status,
 * actors, reason_required, amount_required).
 */
PG_FUNCTION_INFO_V1(status_transition_rows);
Datum
status_transition_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (StatusChannel ch = CHANNEL_B2B; ch <= CHANNEL_B2G; ch++)
	{
		for (int from = -1; from < status_count(ch); from++)
		{
			for (int to = 0; to < status_count(ch); to++)
			{
				const StatusRule *r = status_rule(ch, from, to);
				Datum		values[6];
				bool		nulls[6] = {0};

				if (r == NULL)
					continue;
				values[0] = CStringGetTextDatum(channel_name(ch));
				nulls[1] = from < 0;
				if (from >= 0)
					values[1] = CStringGetTextDatum(status_info(ch, from)->label);
				values[2] = CStringGetTextDatum(status_info(ch, to)->label);
				values[3] = status_actors_datum(r->actors);
				values[4] = BoolGetDatum((r->flags & RULE_REASON) != 0);
				values[5] = BoolGetDatum((r->flags & RULE_AMOUNT) != 0);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
		}
	}
	return (Datum) 0;
}
