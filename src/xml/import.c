/*
 * import.c
 *		An EInvoice as the JSON document of bizinvoice.create_invoice, with
 *		its parties as register_party documents: what the SQL import needs.
 *		Every element whose value goes into the document is marked, so the
 *		rest can be reported as not mapped.
 */
#include "postgres.h"

#include "import.h"
#include "decimal.h"
#include "utils/json.h"

typedef struct Out
{
	StringInfo	buf;
	bool		first;			/* no member written yet in the current object */
	bool		cii;
} Out;

static void
key(Out *o, const char *k)
{
	if (!o->first)
		appendStringInfoChar(o->buf, ',');
	o->first = false;
	escape_json(o->buf, k);
	appendStringInfoChar(o->buf, ':');
}

static void
open_object(Out *o, const char *k)
{
	if (k != NULL)
		key(o, k);
	else if (!o->first)
		appendStringInfoChar(o->buf, ',');
	appendStringInfoChar(o->buf, '{');
	o->first = true;
}

static void
close_object(Out *o)
{
	appendStringInfoChar(o->buf, '}');
	o->first = false;
}

static void
open_array(Out *o, const char *k)
{
	key(o, k);
	appendStringInfoChar(o->buf, '[');
	o->first = true;
}

static void
close_array(Out *o)
{
	appendStringInfoChar(o->buf, ']');
	o->first = false;
}

/*
 * A member, when the value is present, as a JSON string (numbers too: the SQL
 * side reads them exactly and refuses a non-number); the element is marked.
 */
static void
str(Out *o, const char *k, const EiValue *v)
{
	const char *s = ei_trimmed(v);

	if (s == NULL)
		return;
	key(o, k);
	escape_json(o->buf, s);
	ei_mark(v);
}

static bool
all_digits(const char *s, size_t len)
{
	size_t		i;

	if (s == NULL || strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A date member as YYYY-MM-DD: CII writes YYYYMMDD */
static void
date(Out *o, const char *k, const EiValue *v)
{
	const char *s = ei_trimmed(v);
	char		iso[11];

	if (s == NULL)
		return;
	if (o->cii && all_digits(s, 8))
	{
		snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", s, s + 4, s + 6);
		key(o, k);
		escape_json(o->buf, iso);
		ei_mark(v);
	}
	else
		str(o, k, v);			/* as written: the import refuses it, saying why */
}

/*
 * A French identifier: scheme 0009 is a SIRET, 0002 a SIREN (ISO 6523);
 * without a scheme, 14 or 9 digits of a French party are taken as such.
 */
static bool
french_id(Out *o, const EiParty *p, const EiValue *id, const EiValue *scheme,
		  bool *siret, bool *siren)
{
	const char *s = ei_trimmed(id);
	const char *sch = ei_trimmed(scheme);
	const char *country = ei_trimmed(&p->country);

	if (s == NULL)
		return false;
	if (sch == NULL && country != NULL && strcmp(country, "FR") != 0)
		return false;
	if (!*siret && ((sch && strcmp(sch, "0009") == 0) || (!sch && all_digits(s, 14))))
	{
		str(o, "siret", id);
		return *siret = true;
	}
	if (!*siren && ((sch && strcmp(sch, "0002") == 0) || (!sch && all_digits(s, 9))))
	{
		str(o, "siren", id);
		return *siren = true;
	}
	return false;
}

static void
party(Out *o, const char *k, const EiParty *p)
{
	bool		siret = false;
	bool		siren = false;

	if (p->node == NULL)
		return;
	open_object(o, k);
	str(o, "name", &p->name);
	french_id(o, p, &p->legal_id, &p->legal_scheme, &siret, &siren);
	if (!french_id(o, p, &p->id, &p->id_scheme, &siret, &siren))
	{
		/* another scheme's identifier (BT-29/46/60): a GLN, a national number */
		str(o, "identifier", &p->id);
		str(o, "identifier_scheme", &p->id_scheme);
	}
	if (EI_HAS(p->vat_id))
	{
		str(o, "vat_id", &p->vat_id);
		ei_mark(&p->vat_scheme);
	}
	str(o, "address_line1", &p->line1);
	str(o, "address_line2", &p->line2);
	str(o, "postal_code", &p->postal_code);
	str(o, "city", &p->city);
	str(o, "country_code", &p->country);
	str(o, "email", &p->email);
	close_object(o);
}

/* UBL notes follow the French convention "#PMT#text" for a subject code. */
static void
note(Out *o, const EiNote *n)
{
	const char *s = ei_trimmed(&n->content);

	if (s == NULL)
		return;
	open_object(o, NULL);
	if (!o->cii && s[0] == '#' && strlen(s) > 5 && s[4] == '#')
	{
		key(o, "subject_code");
		escape_json(o->buf, pnstrdup(s + 1, 3));
		key(o, "text");
		escape_json(o->buf, s + 5);
		ei_mark(&n->content);
	}
	else
	{
		str(o, "subject_code", &n->subject);
		str(o, "text", &n->content);
	}
	close_object(o);
}

/* A line's allowances or charges, summed: the model keeps one of each per line. */
static void
line_sum(Out *o, const char *k, const EiLine *l, bool charges)
{
	Numeric		total = dec_zero();
	bool		any = false;
	int			i;

	for (i = 0; i < l->n_acs; i++)
	{
		const EiAllowance *a = &l->acs[i];
		Numeric		amount = dec_value(&a->amount);

		if (a->is_charge != charges || amount == NULL)
			continue;
		total = dec_add(total, amount);
		any = true;
		ei_mark(&a->amount);
		ei_mark(&a->indicator);
	}
	if (!any)
		return;
	key(o, k);
	escape_json(o->buf, dec_text(total));
}

static void
line(Out *o, const EiLine *l)
{
	open_object(o, NULL);
	str(o, "id", &l->id);
	str(o, "item_name", &l->name);
	str(o, "description", &l->description);
	str(o, "quantity", &l->quantity);
	str(o, "unit_code", &l->unit_code);
	str(o, "net_price", &l->net_price);
	str(o, "base_quantity", &l->base_quantity);
	line_sum(o, "allowance_amount", l, false);
	line_sum(o, "charge_amount", l, true);
	str(o, "vat_category", &l->category);
	ei_mark(&l->scheme);
	str(o, "vat_rate", &l->rate);
	str(o, "net_amount", &l->net_amount);
	close_object(o);
}

static void
allowances(Out *o, const char *k, const EInvoice *inv, bool charges)
{
	int			i;
	bool		any = false;

	for (i = 0; i < inv->n_acs; i++)
	{
		const EiAllowance *a = &inv->acs[i];

		if (a->is_charge != charges)
			continue;
		if (!any)
			open_array(o, k);
		any = true;
		open_object(o, NULL);
		str(o, "amount", &a->amount);
		str(o, "vat_category", &a->category);
		ei_mark(&a->scheme);
		ei_mark(&a->indicator);
		str(o, "vat_rate", &a->rate);
		str(o, "reason", &a->reason);
		str(o, "reason_code", &a->reason_code);
		close_object(o);
	}
	if (any)
		close_array(o);
}

static void
invoice(Out *o, const EInvoice *inv)
{
	int			i;

	open_object(o, "invoice");
	str(o, "number", &inv->number);
	date(o, "issue_date", &inv->issue_date);
	str(o, "type_code", &inv->type_code);
	str(o, "currency", &inv->currency);
	date(o, "due_date", &inv->due_date);
	str(o, "buyer_reference", &inv->buyer_reference);
	str(o, "purchase_order", &inv->purchase_order);
	str(o, "contract_reference", &inv->contract);
	if (EI_HAS(inv->preceding_number))
	{
		open_object(o, "preceding_invoice");
		str(o, "number", &inv->preceding_number);
		date(o, "issue_date", &inv->preceding_date);
		close_object(o);
	}
	if (EI_HAS(inv->period_start) || EI_HAS(inv->period_end))
	{
		open_object(o, "invoicing_period");
		date(o, "start_date", &inv->period_start);
		date(o, "end_date", &inv->period_end);
		close_object(o);
	}
	if (EI_HAS(inv->delivery_date) || EI_HAS(inv->deliver_to_name) || EI_HAS(inv->deliver_to_country))
	{
		open_object(o, "delivery");
		date(o, "date", &inv->delivery_date);
		str(o, "name", &inv->deliver_to_name);
		str(o, "country", &inv->deliver_to_country);
		close_object(o);
	}
	if (inv->payment_means != NULL || EI_HAS(inv->payment_terms))
	{
		open_object(o, "payment");
		str(o, "means_code", &inv->means_code);
		str(o, "iban", &inv->iban);
		str(o, "bic", &inv->bic);
		str(o, "terms", &inv->payment_terms);
		close_object(o);
	}
	if (inv->n_notes > 0)
	{
		open_array(o, "notes");
		for (i = 0; i < inv->n_notes; i++)
			note(o, &inv->notes[i]);
		close_array(o);
	}
	open_array(o, "lines");
	for (i = 0; i < inv->n_lines; i++)
		line(o, &inv->lines[i]);
	close_array(o);
	allowances(o, "allowances", inv, false);
	allowances(o, "charges", inv, true);
	str(o, "prepaid_amount", &inv->prepaid);
	str(o, "rounding_amount", &inv->rounding);
	open_object(o, "totals");
	str(o, "line_total", &inv->line_total);
	str(o, "allowance_total", &inv->allowance_total);
	str(o, "charge_total", &inv->charge_total);
	str(o, "tax_exclusive_total", &inv->tax_exclusive);
	str(o, "vat_total", &inv->vat_total);
	str(o, "tax_inclusive_total", &inv->tax_inclusive);
	str(o, "payable_amount", &inv->payable);
	close_object(o);
	close_object(o);
}

/* The VAT breakdown is computed again by submit, which refuses a different one. */
static void
mark_breakdown(const EInvoice *inv)
{
	int			i;

	for (i = 0; i < inv->n_vats; i++)
	{
		ei_mark(&inv->vats[i].taxable);
		ei_mark(&inv->vats[i].tax);
		ei_mark(&inv->vats[i].category);
		ei_mark(&inv->vats[i].rate);
		ei_mark(&inv->vats[i].scheme);
	}
}

char *
ei_import_json(xmlDocPtr doc, const EInvoice *inv, List *findings)
{
	StringInfoData buf;
	Out			o;
	ListCell   *lc;

	initStringInfo(&buf);
	o.buf = &buf;
	o.first = true;
	o.cii = inv->syntax == EI_CII;
	open_object(&o, NULL);
	key(&o, "syntax");
	appendStringInfoString(&buf, o.cii ? "\"cii\"" : "\"ubl\"");
	invoice(&o, inv);
	party(&o, "seller", &inv->seller);
	party(&o, "buyer", &inv->buyer);
	party(&o, "payee", &inv->payee);
	mark_breakdown(inv);

	open_array(&o, "not_mapped");
	foreach(lc, ei_unmarked(doc))
	{
		if (!o.first)
			appendStringInfoChar(&buf, ',');
		o.first = false;
		escape_json(&buf, (char *) lfirst(lc));
	}
	close_array(&o);

	open_array(&o, "findings");
	foreach(lc, findings)
	{
		EiFinding  *f = lfirst(lc);

		open_object(&o, NULL);
		key(&o, "rule");
		escape_json(&buf, f->rule);
		key(&o, "severity");
		appendStringInfoString(&buf, f->fatal ? "\"fatal\"" : "\"warning\"");
		key(&o, "location");
		escape_json(&buf, f->location);
		key(&o, "message");
		escape_json(&buf, f->message);
		close_object(&o);
	}
	close_array(&o);
	close_object(&o);
	return buf.data;
}
