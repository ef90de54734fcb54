/*
 * totals.c
 *		A draft's VAT breakdown and totals, computed at submit.
 *
 * As PL/pgSQL (compute_totals, until 0.8) this read the lines and the
 * allowances and charges five times over, in five statements; here each row
 * is read once, by key.  The sums are numeric's own (exact), a tax is
 * round(base x rate / 100, 2): halves away from zero, as numeric rounds.
 * The messages are those the PL/pgSQL gave.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "api/json_fields.h"
#include "invoice/totals.h"
#include "ledger/money.h"
#include "status/tables.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"

#define READER_COLUMNS 12

/*
 * A row's columns, read by name (deformed once); each name, a constant,
 * looked up once per table.
 */
typedef struct RowReader
{
	Relation	rel;
	Datum	   *values;
	bool	   *nulls;
	int			ncolumns;
	const char *names[READER_COLUMNS];
	AttrNumber	atts[READER_COLUMNS];
} RowReader;

static Datum
get(RowReader *r, const char *column, bool *isnull)
{
	int			i;

	for (i = 0; i < r->ncolumns && r->names[i] != column; i++)
		;
	if (i == r->ncolumns)
	{
		if (i == READER_COLUMNS)
			elog(ERROR, "more than %d columns read from relation \"bizinvoice.%s\"",
				 READER_COLUMNS, RelationGetRelationName(r->rel));
		r->names[i] = column;
		r->atts[i] = bizinvoice_column(r->rel, column);
		r->ncolumns++;
	}
	*isnull = r->nulls[r->atts[i] - 1];
	return r->values[r->atts[i] - 1];
}

static Datum
get_numeric(RowReader *r, const char *column)
{
	bool		isnull;
	Datum		d = get(r, column, &isnull);

	return isnull ? (Datum) 0 : datumCopy(d, false, -1);
}

static Datum
zero(void)
{
	return NumericGetDatum(int64_to_numeric(0));
}

/*
 * Why category refuses rate (NULL: (Datum) 0), or NULL if it takes it:
 * BR-S-05, BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05, BR-O-05.
 */
static const char *
rate_refusal(const char *category, Datum rate)
{
	if (strcmp(category, "S") == 0)
		return rate == (Datum) 0 || money_cmp(rate, zero()) <= 0 ? "needs a rate above 0" : NULL;
	if (strcmp(category, "O") == 0)
		return rate != (Datum) 0 ? "takes no rate" : NULL;
	return rate == (Datum) 0 || money_cmp(rate, zero()) != 0 ? "takes a rate of 0" : NULL;
}

/* Adds amount to the group of category and rate (NULL rate: 0). */
static void
add_to_group(InvoiceTotals *t, const char *category, Datum rate, Datum amount)
{
	int			i;

	if (rate == (Datum) 0)
		rate = zero();
	for (i = 0; i < t->ngroups; i++)
		if (strcmp(t->groups[i].category, category) == 0 && money_cmp(t->groups[i].rate, rate) == 0)
			break;
	if (i == t->ngroups)
	{
		t->groups = t->groups ? repalloc(t->groups, sizeof(VatGroup) * (i + 1))
			: palloc(sizeof(VatGroup));
		t->groups[i].category = pstrdup(category);
		t->groups[i].rate = rate;
		t->groups[i].taxable = zero();
		t->ngroups++;
	}
	t->groups[i].taxable = DirectFunctionCall2(numeric_add, t->groups[i].taxable, amount);
}

/* Notes a part's refused rate (part kind[no]), the first one only. */
static void
check_rate(InvoiceTotals *t, const char *kind, int32 no, const char *category, Datum rate)
{
	const char *why = rate_refusal(category, rate);

	if (why && t->bad_rate == NULL)
		t->bad_rate = psprintf("%s[%d]: VAT category %s %s.", kind, no, category, why);
	if (strcmp(category, "K") == 0)
		t->has_k = true;
}

/* Calls each row of bizinvoice.<table> of invoice id, in key order. */
static void
read_rows(const char *table, int64 id, InvoiceTotals *t,
		  void (*each) (RowReader *r, InvoiceTotals *t))
{
	Relation	rel = bizinvoice_table_open(table, AccessShareLock);
	int			natts = RelationGetDescr(rel)->natts;
	RowReader	r = {rel, palloc(sizeof(Datum) * natts), palloc(sizeof(bool) * natts), 0};
	ScanKeyData key;
	SysScanDesc scan = bizinvoice_scan_by(rel, "invoice_id", id, &key);
	HeapTuple	tuple;

	while ((tuple = systable_getnext(scan)) != NULL)
	{
		heap_deform_tuple(tuple, RelationGetDescr(rel), r.values, r.nulls);
		each(&r, t);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

static void
each_line(RowReader *r, InvoiceTotals *t)
{
	bool		isnull;
	int32		line_no = DatumGetInt32(get(r, "line_no", &isnull));
	char	   *category = TextDatumGetCString(get(r, "vat_category", &isnull));
	Datum		rate = get_numeric(r, "vat_rate");
	Datum		stated = get_numeric(r, "stated_net_amount");
	Datum		net = get_numeric(r, "net_amount");

	t->nlines++;
	check_rate(t, "lines", line_no, category, rate);
	if (stated != (Datum) 0 && money_cmp(stated, net) != 0)
		appendStringInfo(&t->mismatches,
						 "%sline %d: net amount %s stated, %s computed (quantity %s x price %s / %s - %s + %s)",
						 t->mismatches.len ? "; " : "", line_no, money_text(stated), money_text(net),
						 money_text(get_numeric(r, "quantity")), money_text(get_numeric(r, "net_price")),
						 money_text(get_numeric(r, "base_quantity")),
						 money_text(get_numeric(r, "allowance_amount")),
						 money_text(get_numeric(r, "charge_amount")));
	t->line_total = DirectFunctionCall2(numeric_add, t->line_total, net);
	add_to_group(t, category, rate, net);
}

static void
each_allowance_charge(RowReader *r, InvoiceTotals *t)
{
	bool		isnull;
	int32		seq = DatumGetInt32(get(r, "seq", &isnull));
	bool		is_charge = DatumGetBool(get(r, "is_charge", &isnull));
	char	   *category = TextDatumGetCString(get(r, "vat_category", &isnull));
	Datum		rate = get_numeric(r, "vat_rate");
	Datum		amount = get_numeric(r, "amount");

	check_rate(t, is_charge ? "charges" : "allowances", seq, category, rate);
	if (is_charge)
		t->charge_total = DirectFunctionCall2(numeric_add, t->charge_total, amount);
	else
		t->allowance_total = DirectFunctionCall2(numeric_add, t->allowance_total, amount);
	add_to_group(t, category, rate,
				 is_charge ? amount : DirectFunctionCall1(numeric_uminus, amount));
}

void
totals_read(int64 id, InvoiceTotals *t)
{
	memset(t, 0, sizeof(InvoiceTotals));
	t->id = id;
	initStringInfo(&t->mismatches);
	t->line_total = t->allowance_total = t->charge_total = zero();

	bizinvoice_statement_start(NULL);
	read_rows("invoice_line", id, t, each_line);
	read_rows("invoice_allowance_charge", id, t, each_allowance_charge);
	PopActiveSnapshot();
}

void
totals_check_parts(const InvoiceTotals *t)
{
	if (t->nlines == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invoice " INT64_FORMAT " cannot be submitted", t->id),
				 errdetail("An invoice has at least one line (BR-16).")));
	if (t->bad_rate)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invoice " INT64_FORMAT " cannot be submitted", t->id),
				 errdetail_internal("%s", t->bad_rate)));
	if (t->mismatches.len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invoice " INT64_FORMAT " cannot be submitted: wrong line amounts", t->id),
				 errdetail_internal("%s.", t->mismatches.data)));
}

void
totals_compute(InvoiceTotals *t, Datum prepaid, Datum rounding, Relation invoice, Relation vat)
{
	Datum		hundred = NumericGetDatum(int64_to_numeric(100));
	Datum		vat_total = zero();

	for (int i = 0; i < t->ngroups; i++)
	{
		VatGroup   *g = &t->groups[i];

		g->rate = bizinvoice_fit(vat, "vat_rate", g->rate);
		g->taxable = bizinvoice_fit(vat, "taxable_amount", g->taxable);
		g->tax = DirectFunctionCall2(numeric_round,
									 DirectFunctionCall2(numeric_div,
														 DirectFunctionCall2(numeric_mul, g->taxable, g->rate),
														 hundred),
									 Int32GetDatum(2));
		g->tax = bizinvoice_fit(vat, "tax_amount", g->tax);
		vat_total = DirectFunctionCall2(numeric_add, vat_total, g->tax);
	}
	t->line_total = bizinvoice_fit(invoice, "line_total", t->line_total);
	t->allowance_total = bizinvoice_fit(invoice, "allowance_total", t->allowance_total);
	t->charge_total = bizinvoice_fit(invoice, "charge_total", t->charge_total);
	t->vat_total = bizinvoice_fit(invoice, "vat_total", vat_total);
	t->tax_exclusive_total =
		bizinvoice_fit(invoice, "tax_exclusive_total",
					   DirectFunctionCall2(numeric_add,
										   DirectFunctionCall2(numeric_sub, t->line_total, t->allowance_total),
										   t->charge_total));
	t->tax_inclusive_total =
		bizinvoice_fit(invoice, "tax_inclusive_total",
					   DirectFunctionCall2(numeric_add, t->tax_exclusive_total, t->vat_total));
	t->payable_amount =
		bizinvoice_fit(invoice, "payable_amount",
					   DirectFunctionCall2(numeric_add,
										   DirectFunctionCall2(numeric_sub, t->tax_inclusive_total, prepaid),
										   rounding));
}

void
totals_check_stated(const InvoiceTotals *t, Jsonb *stated)
{
	const struct
	{
		const char *key;
		const char *rule;
		Datum		computed;
	}			totals[] = {
		{"line_total", "BR-CO-10", t->line_total},
		{"allowance_total", "BR-CO-11", t->allowance_total},
		{"charge_total", "BR-CO-12", t->charge_total},
		{"tax_exclusive_total", "BR-CO-13", t->tax_exclusive_total},
		{"vat_total", "BR-CO-14", t->vat_total},
		{"tax_inclusive_total", "BR-CO-15", t->tax_inclusive_total},
		{"payable_amount", "BR-CO-16", t->payable_amount}
	};
	StringInfoData mismatches;

	if (stated == NULL || !JB_ROOT_IS_OBJECT(stated))
		return;
	initStringInfo(&mismatches);
	for (int i = 0; i < lengthof(totals); i++)
	{
		JsonbValue *v = getKeyJsonValueFromContainer(&stated->root, totals[i].key,
													 strlen(totals[i].key), NULL);
		Numeric		n;

		if (v == NULL)
			continue;
		n = json_value_numeric(v, psprintf("totals.%s", totals[i].key));
		if (n != NULL && money_cmp(NumericGetDatum(n), totals[i].computed) != 0)
			appendStringInfo(&mismatches, "%s%s (%s) is %s as stated, %s as computed",
							 mismatches.len ? "; " : "", totals[i].key, totals[i].rule,
							 json_value_text(v), money_text(totals[i].computed));
	}
	if (mismatches.len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invoice " INT64_FORMAT " cannot be submitted: wrong totals", t->id),
				 errdetail_internal("%s.", mismatches.data)));
}
