/*
 * rules_totals.c
 *		EN 16931 calculation rules BR-CO-10 ... BR-CO-17, with the tolerances
 *		and roundings of each syntax's official binding, and the platform's
 *		warning when a line amount is not quantity x price (as PEPPOL R120).
 */
#include "postgres.h"

#include "decimal.h"
#include "rules.h"

/*
 * Sum of values; NULL if one is present but not a decimal (the syntax check
 * reports it, and the rule cannot be judged).
 */
typedef struct Sum
{
	Numeric		total;
	bool		valid;
} Sum;

static void
sum_add(Sum *s, const EiValue *v)
{
	Numeric		n;

	if (v->text == NULL)
		return;
	n = dec_value(v);
	if (n == NULL)
		s->valid = false;
	else
		s->total = dec_add(s->total, n);
}

static Sum
sum_start(void)
{
	Sum			s = {dec_zero(), true};

	return s;
}

/* present and a decimal, or absent as 0 (absent: *present false) */
static bool
amount(const EiValue *v, Numeric *out, bool *present)
{
	*present = v->text != NULL;
	*out = *present ? dec_value(v) : dec_zero();
	return *out != NULL;
}

static void
check_sum(EiCheck *c, const char *rule, const EiValue *stated, Sum s, const char *what,
		  xmlNodePtr where)
{
	Numeric		n;
	Numeric		expected;

	if (!s.valid || (n = dec_value(stated)) == NULL)
		return;
	expected = dec_round(s.total, 2);
	if (dec_cmp(n, expected) != 0)
		ei_fail(c, rule, stated->node ? stated->node : where,
				"%s is %s; the sum is %s.", what, dec_text(n), dec_text(expected));
}

static void
check_line_sums(EiCheck *c)
{
	EInvoice   *inv = c->inv;
	Sum			lines = sum_start();
	Sum			allowances = sum_start();
	Sum			charges = sum_start();
	bool		any_allowance = false;
	bool		any_charge = false;
	int			i;

	for (i = 0; i < inv->n_lines; i++)
		sum_add(&lines, &inv->lines[i].net_amount);
	for (i = 0; i < inv->n_acs; i++)
	{
		if (inv->acs[i].is_charge)
			sum_add(&charges, &inv->acs[i].amount), any_charge = true;
		else
			sum_add(&allowances, &inv->acs[i].amount), any_allowance = true;
	}
	if (inv->totals == NULL)
		return;
	check_sum(c, "BR-CO-10", &inv->line_total, lines,
			  "The sum of line net amounts (BT-106)", inv->totals);
	if (inv->allowance_total.text != NULL)
		check_sum(c, "BR-CO-11", &inv->allowance_total, allowances,
				  "The sum of allowances on document level (BT-107)", inv->totals);
	else if (any_allowance)
		ei_fail(c, "BR-CO-11", inv->totals,
				"The document has allowances but no sum of allowances (BT-107).");
	if (inv->charge_total.text != NULL)
		check_sum(c, "BR-CO-12", &inv->charge_total, charges,
				  "The sum of charges on document level (BT-108)", inv->totals);
	else if (any_charge)
		ei_fail(c, "BR-CO-12", inv->totals,
				"The document has charges but no sum of charges (BT-108).");
}

static void
check_totals(EiCheck *c)
{
	EInvoice   *inv = c->inv;
	Numeric		lines,
				allowances,
				charges,
				exclusive,
				vat,
				inclusive,
				prepaid,
				rounding,
				payable;
	bool		has_lines,
				has_allowances,
				has_charges,
				has_exclusive,
				has_vat,
				has_inclusive,
				has_prepaid,
				has_rounding,
				has_payable;

	if (inv->totals == NULL ||
		!amount(&inv->line_total, &lines, &has_lines) ||
		!amount(&inv->allowance_total, &allowances, &has_allowances) ||
		!amount(&inv->charge_total, &charges, &has_charges) ||
		!amount(&inv->tax_exclusive, &exclusive, &has_exclusive) ||
		!amount(&inv->vat_total, &vat, &has_vat) ||
		!amount(&inv->tax_inclusive, &inclusive, &has_inclusive) ||
		!amount(&inv->prepaid, &prepaid, &has_prepaid) ||
		!amount(&inv->rounding, &rounding, &has_rounding) ||
		!amount(&inv->payable, &payable, &has_payable))
		return;

	if (has_lines && has_exclusive)
	{
		Numeric		expected = dec_round(dec_add(dec_sub(lines, allowances), charges), 2);

		if (dec_cmp(exclusive, expected) != 0)
			ei_fail(c, "BR-CO-13", inv->tax_exclusive.node,
					"The total without VAT (BT-109) is %s; lines %s - allowances %s + charges %s = %s.",
					dec_text(exclusive), dec_text(lines), dec_text(allowances),
					dec_text(charges), dec_text(expected));
	}

	if (has_inclusive && has_exclusive)
	{
		Numeric		expected = dec_round(dec_add(exclusive, vat), 2);
		bool		cii_no_vat = !c->ubl && dec_cmp(inclusive, exclusive) == 0;

		if (!cii_no_vat && inv->n_vat_totals != 1)
			ei_fail(c, "BR-CO-15", inv->totals,
					"The invoice total VAT amount (BT-110) is given %d times in the invoice currency; once is needed.",
					inv->n_vat_totals);
		else if (!cii_no_vat && dec_cmp(inclusive, expected) != 0)
			ei_fail(c, "BR-CO-15", inv->tax_inclusive.node,
					"The total with VAT (BT-112) is %s; without VAT %s + VAT %s = %s.",
					dec_text(inclusive), dec_text(exclusive), dec_text(vat), dec_text(expected));
	}

	if (has_payable && has_inclusive)
	{
		Numeric		left;
		Numeric		right;

		if (c->ubl)
		{
			/* UBL rounds each side; CII compares exactly */
			left = has_rounding ? dec_round(dec_sub(payable, rounding), 2) : payable;
			right = has_prepaid ? dec_round(dec_sub(inclusive, prepaid), 2) : inclusive;
		}
		else
		{
			left = payable;
			right = dec_add(dec_sub(inclusive, prepaid), rounding);
		}
		if (dec_cmp(left, right) != 0)
			ei_fail(c, "BR-CO-16", inv->payable.node,
					"The amount due (BT-115) is %s; total with VAT %s - paid %s + rounding %s = %s.",
					dec_text(payable), dec_text(inclusive), dec_text(prepaid),
					dec_text(rounding), dec_text(dec_add(dec_sub(inclusive, prepaid), rounding)));
	}
}

static void
check_vat_sums(EiCheck *c)
{
	EInvoice   *inv = c->inv;
	Sum			taxes = sum_start();
	int			i;

	for (i = 0; i < inv->n_vats; i++)
	{
		EiVat	   *v = &inv->vats[i];
		Numeric		rate = dec_value(&v->rate);
		Numeric		tax = dec_value(&v->tax);
		Numeric		taxable = dec_value(&v->taxable);

		sum_add(&taxes, &v->tax);
		if (tax == NULL)
			continue;
		if (rate == NULL || dec_cmp(dec_round(rate, 0), dec_zero()) == 0)
		{
			if ((rate != NULL || v->rate.text == NULL) &&
				dec_cmp(dec_round(tax, 0), dec_zero()) != 0)
				ei_fail(c, "BR-CO-17", v->tax.node ? v->tax.node : v->node,
						"The VAT category tax amount (BT-117) is %s at a rate of 0.", dec_text(tax));
		}
		else if (taxable != NULL)
		{
			Numeric		expected = dec_percent_of(taxable, rate);

			/* within one unit: strictly in UBL, inclusively in CII */
			if (!dec_within_one(dec_abs(tax), expected, !c->ubl))
				ei_fail(c, "BR-CO-17", v->tax.node,
						"The VAT category tax amount (BT-117) is %s; %s x %s %% = %s.",
						dec_text(tax), dec_text(taxable), dec_text(rate), dec_text(expected));
		}
	}
	if (inv->n_vats > 0 && inv->vat_total.text != NULL)
		check_sum(c, "BR-CO-14", &inv->vat_total, taxes,
				  "The invoice total VAT amount (BT-110)", inv->totals);
}

/* The platform's check that the model's line formula holds (a warning, as PEPPOL R120). */
static void
check_line_amounts(EiCheck *c)
{
	EInvoice   *inv = c->inv;
	Numeric		tolerance = int64_div_fast_to_numeric(2, 2);
	int			i,
				j;

	for (i = 0; i < inv->n_lines; i++)
	{
		EiLine	   *l = &inv->lines[i];
		Numeric		qty = dec_value(&l->quantity);
		Numeric		price = dec_value(&l->net_price);
		Numeric		base = l->base_quantity.text ? dec_value(&l->base_quantity) : int64_to_numeric(1);
		Numeric		stated = dec_value(&l->net_amount);
		Numeric		expected;

		if (qty == NULL || price == NULL || base == NULL || stated == NULL ||
			dec_cmp(base, dec_zero()) == 0)
			continue;
		expected = dec_div(dec_mul(qty, price), base);
		for (j = 0; j < l->n_acs; j++)
		{
			Numeric		a = dec_value(&l->acs[j].amount);

			if (a == NULL)
				continue;
			expected = l->acs[j].is_charge ? dec_add(expected, a) : dec_sub(expected, a);
		}
		if (dec_cmp(dec_abs(dec_sub(stated, expected)), tolerance) > 0)
			ei_warn(c, "BIZ-LINE", l->net_amount.node,
					"The line net amount (BT-131) is %s; quantity %s x price %s / base %s, less allowances, plus charges = %s.",
					dec_text(stated), dec_text(qty), dec_text(price), dec_text(base),
					dec_text(dec_round(expected, 2)));
	}
}

void
ei_check_totals(EiCheck *c)
{
	check_line_sums(c);
	check_totals(c);
	check_vat_sums(c);
	check_line_amounts(c);
}
