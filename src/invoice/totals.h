/*
 * totals.h
 *		A draft's amounts as submit() computes them (totals.c): its lines,
 *		allowances and charges read once, the VAT breakdown and the totals
 *		of EN 16931 (BR-CO-10..17), and the refusals of what does not add up.
 */
#ifndef BIZINVOICE_TOTALS_H
#define BIZINVOICE_TOTALS_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"

/* A row of the VAT breakdown (BG-23): category, rate, taxable base, tax. */
typedef struct VatGroup
{
	char	   *category;
	Datum		rate;
	Datum		taxable;
	Datum		tax;
} VatGroup;

typedef struct InvoiceTotals
{
	int64		id;
	int			nlines;
	bool		has_k;			/* a part of VAT category K (intra-community) */
	char	   *bad_rate;		/* the first part whose rate its category refuses */
	StringInfoData mismatches;	/* lines whose stated net amount is not computed */
	int			ngroups;
	VatGroup   *groups;
	/* BT-106 .. BT-115, numeric */
	Datum		line_total;
	Datum		allowance_total;
	Datum		charge_total;
	Datum		tax_exclusive_total;
	Datum		vat_total;
	Datum		tax_inclusive_total;
	Datum		payable_amount;
} InvoiceTotals;

/* Reads the lines, allowances and charges of invoice id, summed by VAT group. */
extern void totals_read(int64 id, InvoiceTotals *t);

/* Refuses parts of refused VAT rates, then lines of wrong net amounts. */
extern void totals_check_parts(const InvoiceTotals *t);

/*
 * The taxes and totals, each in its column's type (invoice: the invoice
 * table, for the totals; vat: the VAT breakdown's, for its rows).
 */
extern void totals_compute(InvoiceTotals *t, Datum prepaid, Datum rounding, Relation invoice,
						   Relation vat);

/* Refuses totals the supplier stated (an object of stated_totals) that differ. */
extern void totals_check_stated(const InvoiceTotals *t, Jsonb *stated);

#endif							/* BIZINVOICE_TOTALS_H */
