/*
 * rules_codes.c
 *		EN 16931 code lists of the terms read (BR-CL-01, 03, 04, 05, 16, 17,
 *		18; rules_lists.c has the others), decimals
 *		of amounts (BR-DEC-*), and the syntax the mapping relies on: amounts
 *		that are decimals and dates in each syntax's format (BIZ-NUM,
 *		BIZ-DATE: schema rules, fatal).
 */
#include "postgres.h"

#include "decimal.h"
#include "rules.h"

/* The code lists of the official artefacts 1.3.16, space-separated. */
static const char invoice_types[] =
" 71 80 81 82 84 102 130 202 203 204 211 218 219 295 325 326 331 380 382 383 384 385 386 387 388 389 390 393 394 395 456 457 471 472 473 500 501 527 553 575 623 633 751 780 817 870 875 876 877 935 ";
static const char credit_note_types[] = " 81 83 261 262 296 308 381 396 420 458 502 503 532 ";
static const char currencies[] =
" AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD"
" CAD CDF CHE CHF CHW CLF CLP CNH CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD"
" FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS"
" KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK"
" MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR"
" SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STD SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH"
" UGX USD USN UYI UYU UYW UZS VES VED VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD"
" XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ";
static const char payment_means[] =
" 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34"
" 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65"
" 66 67 68 69 70 74 75 76 77 78 91 92 93 94 95 96 97 98 ZZZ ";
static const char vat_categories[] = " AE L M E S Z G O K B ";

bool
ei_in_list(const char *list, const char *code)
{
	size_t		len = strlen(code);
	const char *p;

	if (len == 0 || strchr(code, ' ') != NULL)
		return false;
	for (p = strstr(list, code); p != NULL; p = strstr(p + 1, code))
		if (p[-1] == ' ' && p[len] == ' ')
			return true;
	return false;
}

static void
check_code(EiCheck *c, const char *rule, const EiValue *v, const char *list, const char *what)
{
	const char *s = ei_trimmed(v);

	if (s != NULL && !ei_in_list(list, s))
		ei_fail(c, rule, v->node, "The %s \"%s\" is not in its code list.", what, s);
}

/* A number: a decimal (BIZ-NUM). */
static bool
check_number(EiCheck *c, const EiValue *v, const char *what)
{
	const char *s = ei_trimmed(v);

	if (v->text == NULL || (s != NULL && dec_is_valid(s)))
		return v->text != NULL;
	ei_fail(c, "BIZ-NUM", v->node, "The %s \"%s\" is not a decimal number.", what, s ? s : "");
	return false;
}

/* An amount: a number, with at most 2 decimals (dec_rule), and in UBL its currency. */
static void
check_amount(EiCheck *c, const char *dec_rule, const EiValue *v, const char *what)
{
	if (!check_number(c, v, what))
		return;
	if (dec_rule != NULL && dec_scale(ei_trimmed(v)) > 2)
		ei_fail(c, dec_rule, v->node, "The %s %s has more than 2 decimals.", what, ei_trimmed(v));
	else if (c->ubl)
	{
		EiValue		cur = ei_attr(v->node, "currencyID");

		if (cur.text == NULL)
			ei_fail(c, "UBL-DT-01", v->node, "The %s has no currencyID.", what);
		else
			check_code(c, "BR-CL-03", &cur, currencies, "currency code");
	}
}

/* A date: YYYY-MM-DD in UBL, YYYYMMDD (format 102) in CII. */
static void
check_date(EiCheck *c, const EiValue *v, const char *what)
{
	const char *s = ei_trimmed(v);
	bool		ok = s != NULL;
	int			n = c->ubl ? 10 : 8;
	int			i;

	if (v->text == NULL)
		return;
	for (i = 0; ok && i < n; i++)
		ok = (c->ubl && (i == 4 || i == 7)) ? s[i] == '-' : (s[i] >= '0' && s[i] <= '9');
	ok = ok && s[n] == '\0';
	if (ok && !c->ubl)
	{
		EiValue		format = ei_attr(v->node, "format");

		ok = format.text != NULL && strcmp(format.text, "102") == 0;
	}
	if (!ok)
		ei_fail(c, "BIZ-DATE", v->node, "The %s \"%s\" is not a date as %s.", what, s ? s : "",
				c->ubl ? "YYYY-MM-DD" : "YYYYMMDD with format=\"102\"");
}

static void
check_allowance(EiCheck *c, const EiAllowance *a, bool line)
{
	const char *ind = ei_trimmed(&a->indicator);

	if (ind == NULL || (strcmp(ind, "true") != 0 && strcmp(ind, "false") != 0))
		ei_fail(c, "BIZ-BOOL", a->indicator.node ? a->indicator.node : a->node,
				"The charge indicator is \"%s\"; it must be true or false.", ind ? ind : "");
	if (line)
	{
		check_amount(c, a->is_charge ? "BR-DEC-27" : "BR-DEC-24", &a->amount, "line allowance or charge amount");
		check_amount(c, a->is_charge ? "BR-DEC-28" : "BR-DEC-25", &a->base, "line allowance or charge base amount");
	}
	else
	{
		check_amount(c, a->is_charge ? "BR-DEC-05" : "BR-DEC-01", &a->amount, "document level allowance or charge amount");
		check_amount(c, a->is_charge ? "BR-DEC-06" : "BR-DEC-02", &a->base, "document level allowance or charge base amount");
		check_code(c, "BR-CL-18", &a->category, vat_categories, "VAT category code");
	}
	check_number(c, &a->percent, "percentage");
	check_number(c, &a->rate, "VAT rate");
}

void
ei_check_codes(EiCheck *c)
{
	EInvoice   *inv = c->inv;
	const char *type;
	int			i,
				j;

	type = ei_trimmed(&inv->type_code);
	/* UBL tells invoices and credit notes apart by the root; CII takes both lists */
	if (type != NULL &&
		!(inv->syntax != EI_UBL_CREDIT_NOTE && ei_in_list(invoice_types, type)) &&
		!(inv->syntax != EI_UBL_INVOICE && ei_in_list(credit_note_types, type)))
		ei_fail(c, "BR-CL-01", inv->type_code.node,
				"The document type code (BT-3) \"%s\" is not in its code list.", type);
	check_code(c, "BR-CL-04", &inv->currency, currencies, "invoice currency code (BT-5)");
	check_code(c, "BR-CL-05", &inv->vat_currency, currencies, "VAT accounting currency code (BT-6)");
	check_code(c, "BR-CL-16", &inv->means_code, payment_means, "payment means code (BT-81)");
	check_date(c, &inv->issue_date, "issue date (BT-2)");
	check_date(c, &inv->due_date, "payment due date (BT-9)");
	check_date(c, &inv->preceding_date, "preceding invoice issue date (BT-26)");

	check_amount(c, "BR-DEC-09", &inv->line_total, "sum of line net amounts (BT-106)");
	check_amount(c, "BR-DEC-10", &inv->allowance_total, "sum of allowances (BT-107)");
	check_amount(c, "BR-DEC-11", &inv->charge_total, "sum of charges (BT-108)");
	check_amount(c, "BR-DEC-12", &inv->tax_exclusive, "total without VAT (BT-109)");
	check_amount(c, "BR-DEC-13", &inv->vat_total, "total VAT amount (BT-110)");
	check_amount(c, "BR-DEC-15", &inv->vat_total_accounting, "total VAT amount in accounting currency (BT-111)");
	check_amount(c, "BR-DEC-14", &inv->tax_inclusive, "total with VAT (BT-112)");
	check_amount(c, "BR-DEC-16", &inv->prepaid, "paid amount (BT-113)");
	check_amount(c, "BR-DEC-17", &inv->rounding, "rounding amount (BT-114)");
	check_amount(c, "BR-DEC-18", &inv->payable, "amount due for payment (BT-115)");

	for (i = 0; i < inv->n_acs; i++)
		check_allowance(c, &inv->acs[i], false);
	for (i = 0; i < inv->n_vats; i++)
	{
		check_amount(c, "BR-DEC-19", &inv->vats[i].taxable, "VAT category taxable amount (BT-116)");
		check_amount(c, "BR-DEC-20", &inv->vats[i].tax, "VAT category tax amount (BT-117)");
		check_number(c, &inv->vats[i].rate, "VAT category rate (BT-119)");
		check_code(c, "BR-CL-17", &inv->vats[i].category, vat_categories, "VAT category code (BT-118)");
	}
	for (i = 0; i < inv->n_lines; i++)
	{
		EiLine	   *l = &inv->lines[i];

		check_amount(c, "BR-DEC-23", &l->net_amount, "line net amount (BT-131)");
		check_number(c, &l->quantity, "invoiced quantity (BT-129)");
		check_amount(c, NULL, &l->net_price, "item net price (BT-146)");
		check_amount(c, NULL, &l->gross_price, "item gross price (BT-148)");
		check_number(c, &l->base_quantity, "item price base quantity (BT-149)");
		check_number(c, &l->rate, "invoiced item VAT rate (BT-152)");
		check_code(c, "BR-CL-18", &l->category, vat_categories, "VAT category code (BT-151)");
		for (j = 0; j < l->n_acs; j++)
			check_allowance(c, &l->acs[j], true);
	}
}
