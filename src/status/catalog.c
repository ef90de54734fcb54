/*
 * catalog.c
 *		The 40 statuses: labels, codes, French labels, flags, and the
 *		status_catalog view's rows.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "status/status.h"
#include "utils/array.h"
#include "utils/builtins.h"

/* The reform's life-cycle codes (200-228) first, then the platform's own. */
static const StatusInfo b2b[B2B_STATUSES] = {
	{"deposited", "200", "Déposée", true, false, "the platform checked the invoice (EN 16931 rules) and accepted it"},
	{"issued", "201", "Émise par la plateforme", false, false, "sent on to the buyer's platform"},
	{"received", "202", "Reçue par la plateforme", false, false, "the buyer's platform has it"},
	{"made_available", "203", "Mise à disposition", false, false, "in the buyer's inbox"},
	{"in_hand", "204", "Prise en charge", false, false, "the buyer acknowledged receipt (read receipt)"},
	{"approved", "205", "Approuvée", false, false, "accepted in full"},
	{"partially_approved", "206", "Approuvée partiellement", false, false, "accepted in part (amount approved recorded)"},
	{"disputed", "207", "En litige", false, false, "disagreement on all or part"},
	{"suspended", "208", "Suspendue", false, false, "supporting documents requested"},
	{"completed", "209", "Complétée", false, false, "the supplier supplied them"},
	{"refused", "210", "Refusée", true, true, "the buyer refuses the whole invoice (reason required)"},
	{"payment_sent", "211", "Paiement transmis", false, false, "the buyer has paid"},
	{"cashed", "212", "Encaissée", true, true, "the supplier has received full payment"},
	{"rejected", "213", "Rejetée", true, true, "the platform found an anomaly (reason required, e.g. DOUBLON)"},
	{"reviewed", "214", "Visée", false, false, "checked by an intermediate reviewer"},
	{"cancelled", "220", "Annulée", false, true, "cancelled by the supplier"},
	{"routing_error", "221", "Erreur de routage", false, false, "the recipient could not be reached"},
	{"direct_payment_requested", "224", "Demande de paiement direct", false, false, "a subcontractor asks for direct payment"},
	{"factored", "225", "Affacturée", false, false, "assigned to a factor"},
	{"factored_confidential", "226", "Affacturée confidentiel", false, false, "assigned to a factor, undisclosed"},
	{"payee_changed", "227", "Changement de compte à payer", false, false, "the account to pay changed"},
	{"not_factored", "228", "Non affacturée", false, false, "factoring withdrawn"},
	{"draft", NULL, "Brouillon", false, false, "being written; not yet deposited"},
	{"payment_scheduled", NULL, "Paiement programmé", false, false, "will be paid from the buyer's payment account on the due date"},
	{"partially_paid", NULL, "Payée partiellement", false, false, "part of the amount is paid"},
	{"overdue", NULL, "En retard", false, false, "due date passed, amount still outstanding"},
	{"reminded", NULL, "Relancée", false, false, "a payment reminder was sent"},
	{"netted", NULL, "Compensée", false, false, "settled, in whole or part, by netting purchases against sales"},
	{"credited", NULL, "Avoir émis", false, true, "cancelled by a credit note"},
	{"archived", NULL, "Archivée", false, true, "closed and sealed in the archive"},
};

/* Chorus Pro's own codes, in the order of its life cycle. */
static const StatusInfo b2g[B2G_STATUSES] = {
	{"DEPOSEE", "DEPOSEE", "Déposée", true, false, "integrated by Chorus Pro"},
	{"MISE_A_DISPOSITION", "MISE_A_DISPOSITION", "Mise à disposition", true, false, "the public buyer has it"},
	{"SERVICE_FAIT", "SERVICE_FAIT", "Service fait", false, false, "the buyer certified the service was done"},
	{"MANDATEE", "MANDATEE", "Mandatée", false, false, "payment ordered by the buyer (mandate)"},
	{"MISE_A_DISPOSITION_COMPTABLE", "MISE_A_DISPOSITION_COMPTABLE", "Mise à disposition du comptable", false, false, "handed to the public accountant"},
	{"COMPTABILISEE", "COMPTABILISEE", "Comptabilisée", false, false, "booked by the public accountant"},
	{"MISE_EN_PAIEMENT", "MISE_EN_PAIEMENT", "Mise en paiement", true, true, "the public accountant pays"},
	{"A_RECYCLER", "A_RECYCLER", "À recycler", false, false, "wrong recipient, service or commitment: the supplier re-routes it"},
	{"SUSPENDUE", "SUSPENDUE", "Suspendue", false, false, "documents missing: the supplier completes it"},
	{"REJETEE", "REJETEE", "Rejetée", false, true, "refused: the supplier issues a new invoice"},
};

static const char *const actor_names[ACTOR_COUNT] = {
	"supplier", "buyer", "accountant", "platform", "chorus"
};

int
status_count(StatusChannel channel)
{
	return channel == CHANNEL_B2B ? B2B_STATUSES : B2G_STATUSES;
}

const StatusInfo *
status_info(StatusChannel channel, int index)
{
	return channel == CHANNEL_B2B ? &b2b[index] : &b2g[index];
}

int
status_index(StatusChannel channel, const char *label)
{
	for (int i = 0; i < status_count(channel); i++)
	{
		if (strcmp(status_info(channel, i)->label, label) == 0)
			return i;
	}
	return -1;
}

const char *
channel_name(StatusChannel channel)
{
	return channel == CHANNEL_B2B ? "B2B" : "B2G";
}

const char *
actor_name(int bit)
{
	for (int i = 0; i < ACTOR_COUNT; i++)
	{
		if (bit == (1 << i))
			return actor_names[i];
	}
	elog(ERROR, "unknown actor bit %d", bit);
	pg_unreachable();
}

Datum
status_actors_datum(int mask)
{
	Datum		elems[ACTOR_COUNT];
	int			n = 0;

	for (int i = 0; i < ACTOR_COUNT; i++)
	{
		if (mask & (1 << i))
			elems[n++] = CStringGetTextDatum(actor_names[i]);
	}
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * status_catalog_rows() returns setof (channel, position, label, code,
 * label_fr, mandatory, final, next_actors, meaning).
 */
PG_FUNCTION_INFO_V1(status_catalog_rows);
Datum
status_catalog_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (StatusChannel ch = CHANNEL_B2B; ch <= CHANNEL_B2G; ch++)
	{
		for (int i = 0; i < status_count(ch); i++)
		{
			const StatusInfo *s = status_info(ch, i);
			Datum		values[9];
			bool		nulls[9] = {0};

			values[0] = CStringGetTextDatum(channel_name(ch));
			values[1] = Int32GetDatum(i + 1);
			values[2] = CStringGetTextDatum(s->label);
			values[3] = s->code ? CStringGetTextDatum(s->code) : (Datum) 0;
			nulls[3] = s->code == NULL;
			values[4] = CStringGetTextDatum(s->label_fr);
			values[5] = BoolGetDatum(s->mandatory);
			values[6] = BoolGetDatum(s->final);
			values[7] = status_actors_datum(status_next_actors(ch, i));
			values[8] = CStringGetTextDatum(s->meaning);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
