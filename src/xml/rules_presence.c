/*
 * rules_presence.c
 *		EN 16931 rules on what an invoice must contain: BR-01 ... BR-65 as
 *		they apply to the terms the platform reads, and BR-CO-04, 09, 18, 26.
 */
#include "postgres.h"

#include "rules.h"
#include "types/ident.h"

/* A present value, or a finding at its element or, when absent, its parent. */
static bool
need(EiCheck *c, const char *rule, const EiValue *v, xmlNodePtr parent, const char *what)
{
	if (ei_trimmed(v) != NULL)
		return true;
	ei_fail(c, rule, v->node ? v->node : parent, "%s is missing.", what);
	return false;
}

static void
check_party(EiCheck *c, const EiParty *p, const char *who, const char *rule_name,
			const char *rule_address, const char *rule_country,
			const char *name_bt, const char *country_bt)
{
	char		what[128];

	if (rule_name != NULL)
	{
		snprintf(what, sizeof(what), "The %s name (%s)", who, name_bt);
		need(c, rule_name, &p->name, p->node ? p->node : c->inv->root, what);
	}
	if (p->address == NULL)
	{
		if (rule_address != NULL)
			ei_fail(c, rule_address, p->node ? p->node : c->inv->root,
					"The %s postal address is missing.", who);
		return;
	}
	snprintf(what, sizeof(what), "The %s country code (%s)", who, country_bt);
	need(c, rule_country, &p->country, p->address, what);
}

static void
check_vat_prefix(EiCheck *c, const EiValue *v, const char *who)
{
	const char *id = ei_trimmed(v);
	char		prefix[3];

	if (id == NULL)
		return;
	prefix[0] = id[0];
	prefix[1] = id[0] ? id[1] : '\0';
	prefix[2] = '\0';
	if (strlen(prefix) < 2 ||
		(strcmp(prefix, "EL") != 0 && strcmp(prefix, "XI") != 0 && !iso3166_country(prefix)))
		ei_fail(c, "BR-CO-09", v->node,
				"The %s VAT identifier \"%s\" does not start with an ISO 3166-1 country code (EL for Greece).",
				who, id);
}

static void
check_allowance(EiCheck *c, const EiAllowance *a, bool line)
{
	const char *kind = a->is_charge ? "charge" : "allowance";

	if (line)
	{
		need(c, a->is_charge ? "BR-43" : "BR-41", &a->amount, a->node,
			 a->is_charge ? "The line charge amount (BT-141)" : "The line allowance amount (BT-136)");
		if (!EI_HAS(a->reason) && !EI_HAS(a->reason_code))
			ei_fail(c, a->is_charge ? "BR-44" : "BR-42", a->node,
					"A line %s gives neither a reason nor a reason code.", kind);
		return;
	}
	need(c, a->is_charge ? "BR-36" : "BR-31", &a->amount, a->node,
		 a->is_charge ? "The document level charge amount (BT-99)"
		 : "The document level allowance amount (BT-92)");
	need(c, a->is_charge ? "BR-37" : "BR-32", &a->category, a->node,
		 a->is_charge ? "The document level charge VAT category code (BT-102)"
		 : "The document level allowance VAT category code (BT-95)");
	if (!EI_HAS(a->reason) && !EI_HAS(a->reason_code))
		ei_fail(c, a->is_charge ? "BR-38" : "BR-33", a->node,
				"A document level %s gives neither a reason nor a reason code.", kind);
}

static void
check_lines(EiCheck *c)
{
	EInvoice   *inv = c->inv;
	int			i,
				j;

	if (inv->n_lines == 0)
		ei_fail(c, "BR-16", inv->root, "The invoice has no line (BG-25).");
	for (i = 0; i < inv->n_lines; i++)
	{
		EiLine	   *l = &inv->lines[i];

		need(c, "BR-21", &l->id, l->node, "The line identifier (BT-126)");
		if (need(c, "BR-22", &l->quantity, l->node, "The invoiced quantity (BT-129)"))
			need(c, "BR-23", &l->unit_code, l->quantity.node,
				 "The unit of measure code of the invoiced quantity (BT-130)");
		need(c, "BR-24", &l->net_amount, l->node, "The line net amount (BT-131)");
		need(c, "BR-25", &l->name, l->node, "The item name (BT-153)");
		if (need(c, "BR-26", &l->net_price, l->node, "The item net price (BT-146)") &&
			ei_trimmed(&l->net_price)[0] == '-')
			ei_fail(c, "BR-27", l->net_price.node, "The item net price (BT-146) is negative: %s.",
					ei_trimmed(&l->net_price));
		if (EI_HAS(l->gross_price) && ei_trimmed(&l->gross_price)[0] == '-')
			ei_fail(c, "BR-28", l->gross_price.node, "The item gross price (BT-148) is negative: %s.",
					ei_trimmed(&l->gross_price));
		need(c, "BR-CO-04", &l->category, l->node, "The invoiced item VAT category code (BT-151)");
		for (j = 0; j < l->n_acs; j++)
			check_allowance(c, &l->acs[j], true);
	}
}

void
ei_check_presence(EiCheck *c)
{
	EInvoice   *inv = c->inv;
	xmlNodePtr	root = inv->root;
	int			i;

	need(c, "BR-01", &inv->customization, root, "The specification identifier (BT-24)");
	need(c, "BR-02", &inv->number, root, "The invoice number (BT-1)");
	need(c, "BR-03", &inv->issue_date, root, "The invoice issue date (BT-2)");
	need(c, "BR-04", &inv->type_code, root, "The invoice type code (BT-3)");
	need(c, "BR-05", &inv->currency, root, "The invoice currency code (BT-5)");

	check_party(c, &inv->seller, "seller", "BR-06", "BR-08", "BR-09", "BT-27", "BT-40");
	check_party(c, &inv->buyer, "buyer", "BR-07", "BR-10", "BR-11", "BT-44", "BT-55");
	if (inv->payee.node != NULL)
		need(c, "BR-17", &inv->payee.name, inv->payee.node, "The payee name (BT-59)");
	if (inv->tax_rep.node != NULL)
	{
		check_party(c, &inv->tax_rep, "seller tax representative", "BR-18", "BR-19", "BR-20",
					"BT-62", "BT-69");
		need(c, "BR-56", &inv->tax_rep.vat_id, inv->tax_rep.node,
			 "The seller tax representative VAT identifier (BT-63)");
	}
	if (EI_HAS(inv->seller.endpoint) && !EI_HAS(inv->seller.endpoint_scheme))
		ei_fail(c, "BR-62", inv->seller.endpoint.node,
				"The seller electronic address (BT-34) has no scheme identifier.");
	if (EI_HAS(inv->buyer.endpoint) && !EI_HAS(inv->buyer.endpoint_scheme))
		ei_fail(c, "BR-63", inv->buyer.endpoint.node,
				"The buyer electronic address (BT-49) has no scheme identifier.");
	if (inv->seller.node != NULL && !EI_HAS(inv->seller.id) && !EI_HAS(inv->seller.legal_id) &&
		!EI_HAS(inv->seller.vat_id))
		ei_fail(c, "BR-CO-26", inv->seller.node,
				"The seller has neither an identifier (BT-29), a legal registration identifier (BT-30) nor a VAT identifier (BT-31).");
	check_vat_prefix(c, &inv->seller.vat_id, "seller");
	check_vat_prefix(c, &inv->buyer.vat_id, "buyer");
	check_vat_prefix(c, &inv->tax_rep.vat_id, "seller tax representative");

	need(c, "BR-12", &inv->line_total, inv->totals ? inv->totals : root,
		 "The sum of invoice line net amounts (BT-106)");
	need(c, "BR-13", &inv->tax_exclusive, inv->totals ? inv->totals : root,
		 "The invoice total without VAT (BT-109)");
	need(c, "BR-14", &inv->tax_inclusive, inv->totals ? inv->totals : root,
		 "The invoice total with VAT (BT-112)");
	need(c, "BR-15", &inv->payable, inv->totals ? inv->totals : root,
		 "The amount due for payment (BT-115)");
	check_lines(c);

	for (i = 0; i < inv->n_acs; i++)
		check_allowance(c, &inv->acs[i], false);
	if (inv->n_vats == 0)
		ei_fail(c, "BR-CO-18", root, "The invoice has no VAT breakdown (BG-23).");
	for (i = 0; i < inv->n_vats; i++)
	{
		EiVat	   *v = &inv->vats[i];
		const char *cat = ei_trimmed(&v->category);

		need(c, "BR-45", &v->taxable, v->node, "The VAT category taxable amount (BT-116)");
		need(c, "BR-46", &v->tax, v->node, "The VAT category tax amount (BT-117)");
		need(c, "BR-47", &v->category, v->node, "The VAT category code (BT-118)");
		if (cat == NULL || strcmp(cat, "O") != 0)
			need(c, "BR-48", &v->rate, v->node, "The VAT category rate (BT-119)");
	}

	if (inv->payment_means != NULL)
	{
		const char *code = ei_trimmed(&inv->means_code);

		need(c, "BR-49", &inv->means_code, inv->payment_means, "The payment means type code (BT-81)");
		if (code != NULL && (strcmp(code, "30") == 0 || strcmp(code, "58") == 0) &&
			!EI_HAS(inv->iban))
			ei_fail(c, "BR-61", inv->payment_means,
					"A credit transfer (payment means %s) needs the payment account identifier (BT-84).", code);
	}
	if (EI_HAS(inv->vat_currency))
		need(c, "BR-53", &inv->vat_total_accounting, inv->totals ? inv->totals : root,
			 "The invoice total VAT amount in accounting currency (BT-111)");
	if (EI_HAS(inv->preceding_date) && !EI_HAS(inv->preceding_number))
		ei_fail(c, "BR-55", inv->preceding_date.node,
				"The preceding invoice reference (BT-25) is missing.");
}
