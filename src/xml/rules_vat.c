/*
 * rules_vat.c
 *		EN 16931 rules per VAT category: BR-S (standard), BR-Z (zero rated),
 *		BR-E (exempt), BR-AE (reverse charge), BR-IC (intra-community, code
 *		K), BR-G (export) and BR-O (not subject to VAT): -01 breakdown present,
 *		-02..04 identifiers, -05..07 rates, -08 taxable amount, -09 tax amount,
 *		-10 exemption reason, O-11..14 no other category.  L and M do not
 *		apply in France and are not checked.
 */
#include "postgres.h"

#include "decimal.h"
#include "rules.h"

typedef enum
{
	RATE_POSITIVE,
	RATE_ZERO,
	RATE_NONE
} RateRule;

typedef enum
{
	IDS_SELLER,					/* seller VAT id, tax registration or representative */
	IDS_SELLER_VAT,				/* seller or representative VAT id */
	IDS_SELLER_VAT_BUYER_VAT,	/* ... and the buyer's VAT id */
	IDS_SELLER_BUYER,			/* seller's, and the buyer's VAT or legal id */
	IDS_NONE					/* no VAT identifier at all */
} IdRule;

typedef struct VatCategory
{
	const char *code;
	const char *prefix;
	const char *label;
	RateRule	rate;
	IdRule		ids;
	bool		one_breakdown;	/* exactly one breakdown of the category */
	bool		needs_exemption;	/* exemption reason required, else forbidden */
} VatCategory;

static const VatCategory categories[] = {
	{"S", "BR-S", "standard rated", RATE_POSITIVE, IDS_SELLER, false, false},
	{"Z", "BR-Z", "zero rated", RATE_ZERO, IDS_SELLER, true, false},
	{"E", "BR-E", "exempt from VAT", RATE_ZERO, IDS_SELLER, true, true},
	{"AE", "BR-AE", "reverse charge", RATE_ZERO, IDS_SELLER_BUYER, true, true},
	{"K", "BR-IC", "intra-community supply", RATE_ZERO, IDS_SELLER_VAT_BUYER_VAT, true, true},
	{"G", "BR-G", "export outside the EU", RATE_ZERO, IDS_SELLER_VAT, true, true},
	{"O", "BR-O", "not subject to VAT", RATE_NONE, IDS_NONE, true, true},
};

static char *
rule_id(const VatCategory *cat, int n)
{
	return psprintf("%s-%02d", cat->prefix, n);
}

static bool
is_category(const EiValue *v, const char *code)
{
	const char *s = ei_trimmed(v);

	return s != NULL && strcmp(s, code) == 0;
}

static bool
ids_ok(EInvoice *inv, IdRule ids)
{
	bool		seller_vat = EI_HAS(inv->seller.vat_id) || EI_HAS(inv->tax_rep.vat_id);

	switch (ids)
	{
		case IDS_SELLER:
			return seller_vat || EI_HAS(inv->seller.tax_reg);
		case IDS_SELLER_VAT:
			return seller_vat;
		case IDS_SELLER_VAT_BUYER_VAT:
			return seller_vat && EI_HAS(inv->buyer.vat_id);
		case IDS_SELLER_BUYER:
			return (seller_vat || EI_HAS(inv->seller.tax_reg)) &&
				(EI_HAS(inv->buyer.vat_id) || EI_HAS(inv->buyer.legal_id));
		case IDS_NONE:
			return !seller_vat && !EI_HAS(inv->buyer.vat_id);
	}
	return true;
}

static const char *
ids_wanted(IdRule ids)
{
	switch (ids)
	{
		case IDS_SELLER:
			return "needs the seller's VAT identifier (BT-31), tax registration (BT-32) or tax representative's VAT identifier (BT-63)";
		case IDS_SELLER_VAT:
			return "needs the seller's VAT identifier (BT-31) or its tax representative's (BT-63)";
		case IDS_SELLER_VAT_BUYER_VAT:
			return "needs the seller's VAT identifier (BT-31) or its tax representative's (BT-63), and the buyer's (BT-48)";
		case IDS_SELLER_BUYER:
			return "needs the seller's VAT identifier, tax registration or representative, and the buyer's VAT (BT-48) or legal identifier (BT-47)";
		case IDS_NONE:
			return "must carry no VAT identifier (BT-31, BT-48, BT-63)";
	}
	return "";
}

/* -05..07: the rate of a line, allowance or charge of this category */
static void
check_rate(EiCheck *c, const VatCategory *cat, int rule, const EiValue *rate,
		   xmlNodePtr where, const char *what)
{
	Numeric		r = dec_value(rate);

	if (cat->rate == RATE_NONE)
	{
		if (rate->text != NULL)
			ei_fail(c, rule_id(cat, rule), rate->node,
					"A %s (%s) carries a VAT rate: %s.", what, cat->label, rate->text);
		return;
	}
	if (r == NULL)
	{
		if (rate->text == NULL && cat->rate == RATE_ZERO)
			ei_fail(c, rule_id(cat, rule), where, "A %s (%s) has no VAT rate; it must be 0.",
					what, cat->label);
		else if (rate->text == NULL)
			ei_fail(c, rule_id(cat, rule), where, "A %s (%s) has no VAT rate.", what, cat->label);
		return;
	}
	if (cat->rate == RATE_POSITIVE ? dec_cmp(r, dec_zero()) <= 0 : dec_cmp(r, dec_zero()) != 0)
		ei_fail(c, rule_id(cat, rule), rate->node, "A %s (%s) has a VAT rate of %s; it must be %s.",
				what, cat->label, dec_text(r), cat->rate == RATE_POSITIVE ? "above 0" : "0");
}

/* -08: the taxable amount of one breakdown against its lines, allowances and charges */
static void
check_taxable(EiCheck *c, const VatCategory *cat, EiVat *v)
{
	EInvoice   *inv = c->inv;
	Numeric		taxable = dec_value(&v->taxable);
	Numeric		rate = dec_value(&v->rate);
	Numeric		lines = dec_zero();
	Numeric		charges = dec_zero();
	Numeric		allowances = dec_zero();
	Numeric		expected;
	bool		per_rate = cat->rate == RATE_POSITIVE;
	int			i;

	if (taxable == NULL || (per_rate && rate == NULL))
		return;
	for (i = 0; i < inv->n_lines; i++)
	{
		EiLine	   *l = &inv->lines[i];
		Numeric		lr = dec_value(&l->rate);
		Numeric		amount = dec_value(&l->net_amount);

		if (!is_category(&l->category, cat->code) ||
			(per_rate && (lr == NULL || dec_cmp(lr, rate) != 0)))
			continue;
		if (amount == NULL)
			return;
		lines = dec_add(lines, amount);
	}
	for (i = 0; i < inv->n_acs; i++)
	{
		EiAllowance *a = &inv->acs[i];
		Numeric		ar = dec_value(&a->rate);
		Numeric		amount = dec_value(&a->amount);

		if (!is_category(&a->category, cat->code) ||
			(per_rate && (ar == NULL || dec_cmp(ar, rate) != 0)))
			continue;
		if (amount == NULL)
			return;
		if (a->is_charge)
			charges = dec_add(charges, amount);
		else
			allowances = dec_add(allowances, amount);
	}
	if (c->ubl)
	{
		expected = dec_sub(dec_add(lines, charges), allowances);
		/* UBL: within one unit for standard rates, exact for the others */
		if (per_rate ? dec_within_one(taxable, expected, false)
			: dec_cmp(taxable, expected) == 0)
			return;
	}
	else
	{
		expected = dec_sub(dec_add(dec_round(lines, 2), dec_round(charges, 2)),
						   dec_round(allowances, 2));
		if (dec_cmp(taxable, expected) == 0)
			return;
	}
	ei_fail(c, rule_id(cat, 8), v->taxable.node,
			"The taxable amount (BT-116) of the %s breakdown%s%s is %s; its lines %s + charges %s - allowances %s = %s.",
			cat->label, per_rate ? " at " : "", per_rate ? dec_text(rate) : "",
			dec_text(taxable), dec_text(lines), dec_text(charges), dec_text(allowances),
			dec_text(expected));
}

/* -09: the tax amount of one breakdown */
static void
check_tax(EiCheck *c, const VatCategory *cat, EiVat *v)
{
	Numeric		tax = dec_value(&v->tax);
	Numeric		taxable = dec_value(&v->taxable);
	Numeric		rate = dec_value(&v->rate);

	if (tax == NULL)
		return;
	if (cat->rate != RATE_POSITIVE)
	{
		if (dec_cmp(tax, dec_zero()) != 0)
			ei_fail(c, rule_id(cat, 9), v->tax.node,
					"The tax amount (BT-117) of the %s breakdown is %s; it must be 0.",
					cat->label, dec_text(tax));
	}
	else if (taxable != NULL && rate != NULL)
	{
		Numeric		expected = dec_percent_of(taxable, rate);

		if (!dec_within_one(dec_abs(tax), expected, false))
			ei_fail(c, rule_id(cat, 9), v->tax.node,
					"The tax amount (BT-117) of the %s breakdown at %s is %s; %s x %s %% = %s.",
					cat->label, dec_text(rate), dec_text(tax), dec_text(taxable),
					dec_text(rate), dec_text(expected));
	}
}

static void
check_category(EiCheck *c, const VatCategory *cat)
{
	EInvoice   *inv = c->inv;
	int			breakdowns = 0;
	xmlNodePtr	first_use = NULL;
	int			i;

	for (i = 0; i < inv->n_vats; i++)
		if (is_category(&inv->vats[i].category, cat->code))
			breakdowns++;

	for (i = 0; i < inv->n_lines; i++)
	{
		EiLine	   *l = &inv->lines[i];

		if (!is_category(&l->category, cat->code))
			continue;
		first_use = first_use ? first_use : l->node;
		check_rate(c, cat, 5, &l->rate, l->node, "line");
	}
	if (first_use != NULL && !ids_ok(inv, cat->ids))
		ei_fail(c, rule_id(cat, 2), first_use, "A line %s %s.", cat->label, ids_wanted(cat->ids));
	for (i = 0; i < inv->n_acs; i++)
	{
		EiAllowance *a = &inv->acs[i];
		const char *what = a->is_charge ? "document level charge" : "document level allowance";

		if (!is_category(&a->category, cat->code))
			continue;
		first_use = first_use ? first_use : a->node;
		if (!ids_ok(inv, cat->ids))
			ei_fail(c, rule_id(cat, a->is_charge ? 4 : 3), a->node, "A %s %s %s.",
					what, cat->label, ids_wanted(cat->ids));
		check_rate(c, cat, a->is_charge ? 7 : 6, &a->rate, a->node, what);
	}
	if (first_use != NULL && (breakdowns == 0 || (cat->one_breakdown && breakdowns > 1)))
		ei_fail(c, rule_id(cat, 1), first_use,
				"The invoice uses VAT category %s (%s) and has %d VAT breakdowns of it; %s needed.",
				cat->code, cat->label, breakdowns, cat->one_breakdown ? "exactly one is" : "one at least is");

	for (i = 0; i < inv->n_vats; i++)
	{
		EiVat	   *v = &inv->vats[i];
		bool		exempt = EI_HAS(v->exemption_reason) || EI_HAS(v->exemption_code);

		if (!is_category(&v->category, cat->code))
			continue;
		check_taxable(c, cat, v);
		check_tax(c, cat, v);
		if (cat->needs_exemption && !exempt)
			ei_fail(c, rule_id(cat, 10), v->node,
					"The %s breakdown gives no exemption reason (BT-120) nor code (BT-121).", cat->label);
		else if (!cat->needs_exemption && exempt)
			ei_fail(c, rule_id(cat, 10), v->node,
					"The %s breakdown gives an exemption reason (BT-120) or code (BT-121); it must not.",
					cat->label);
	}
}

/* BR-O-11..14: "not subject to VAT" excludes every other category */
static void
check_not_subject(EiCheck *c)
{
	EInvoice   *inv = c->inv;
	int			i;
	bool		has_o = false;

	for (i = 0; i < inv->n_vats; i++)
		has_o = has_o || is_category(&inv->vats[i].category, "O");
	if (!has_o)
		return;
	for (i = 0; i < inv->n_vats; i++)
		if (!is_category(&inv->vats[i].category, "O"))
			ei_fail(c, "BR-O-11", inv->vats[i].node,
					"An invoice not subject to VAT (O) has another VAT breakdown.");
	for (i = 0; i < inv->n_lines; i++)
		if (!is_category(&inv->lines[i].category, "O"))
			ei_fail(c, "BR-O-12", inv->lines[i].node,
					"An invoice not subject to VAT (O) has a line of another VAT category.");
	for (i = 0; i < inv->n_acs; i++)
		if (!is_category(&inv->acs[i].category, "O"))
			ei_fail(c, inv->acs[i].is_charge ? "BR-O-14" : "BR-O-13", inv->acs[i].node,
					"An invoice not subject to VAT (O) has a document level %s of another VAT category.",
					inv->acs[i].is_charge ? "charge" : "allowance");
}

void
ei_check_vat(EiCheck *c)
{
	int			i;

	for (i = 0; i < lengthof(categories); i++)
		check_category(c, &categories[i]);
	check_not_subject(c);
}
