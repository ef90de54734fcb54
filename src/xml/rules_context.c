/*
 * rules_context.c
 *		EN 16931 rules on an invoice's context: invoicing and line periods
 *		(BR-29, BR-30, BR-CO-19, BR-CO-20), the VAT point date (BR-CO-03),
 *		delivery (BR-57, and BR-IC-11, BR-IC-12 for intra-community supplies),
 *		supporting documents (BR-52) and item details (BR-54, BR-64, BR-65).
 */
#include "postgres.h"

#include "rules.h"

/* The elements of each syntax these rules read beyond the EInvoice. */
typedef struct Context
{
	const char *document;		/* BG-24, under the root or the agreement */
	const char *document_id;	/* BT-122 */
	const char *product;		/* under a line */
	const char *attribute;		/* BG-32 */
	const char *attribute_name; /* BT-160 */
	const char *attribute_value;	/* BT-161 */
	const char *standard_id;	/* BT-157 */
	const char *standard_scheme;
	const char *classification; /* repeats, under the product */
	const char *classification_code;	/* BT-158 */
	const char *classification_scheme;
} Context;

static const Context ubl = {
	"cac:AdditionalDocumentReference", "cbc:ID",
	"cac:Item", "cac:AdditionalItemProperty", "cbc:Name", "cbc:Value",
	"cac:StandardItemIdentification/cbc:ID", "schemeID",
	"cac:CommodityClassification", "cbc:ItemClassificationCode", "listID"
};

static const Context cii = {
	"ram:AdditionalReferencedDocument", "ram:IssuerAssignedID",
	"ram:SpecifiedTradeProduct", "ram:ApplicableProductCharacteristic", "ram:Description", "ram:Value",
	"ram:GlobalID", "schemeID",
	"ram:DesignatedProductClassification", "ram:ClassCode", "listID"
};

/* rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTrade... of a CII invoice */
static xmlNodePtr
cii_header(EiCheck *c, const char *what)
{
	return ei_child(ei_child(c->inv->root, "rsm:SupplyChainTradeTransaction"), what);
}

/*
 * A period's end may not come before its start (rule_order), and a period
 * gives one of them at least (rule_given), or in UBL a description code when
 * code_will_do.  Both dates in one syntax's format compare as strings; a
 * malformed one is the date rules' business.
 */
static void
check_period(EiCheck *c, xmlNodePtr period, const EiValue *start, const EiValue *end,
			 const char *rule_order, const char *rule_given, bool code_will_do, const char *what)
{
	const char *s = ei_trimmed(start);
	const char *e = ei_trimmed(end);

	if (period == NULL)
		return;
	if (s != NULL && e != NULL && strlen(s) == strlen(e) && strcmp(e, s) < 0)
		ei_fail(c, rule_order, end->node, "The %s ends (%s) before it starts (%s).", what, e, s);
	if (start->node == NULL && end->node == NULL &&
		!(c->ubl && code_will_do && ei_child(period, "cbc:DescriptionCode") != NULL))
		ei_fail(c, rule_given, period, "The %s gives neither a start nor an end date.", what);
}

/* BR-CO-03: a VAT point date (BT-7) and a VAT point date code (BT-8) exclude one another. */
static void
check_tax_point(EiCheck *c)
{
	xmlNodePtr	date = NULL;
	xmlNodePtr	code = NULL;

	if (c->ubl)
	{
		date = ei_child(c->inv->root, "cbc:TaxPointDate");
		code = ei_find(c->inv->root, "cac:InvoicePeriod/cbc:DescriptionCode");
	}
	else
	{
		xmlNodePtr	tax;

		for (tax = ei_child(cii_header(c, "ram:ApplicableHeaderTradeSettlement"), "ram:ApplicableTradeTax");
			 tax != NULL; tax = ei_next(tax))
		{
			if (date == NULL)
				date = ei_child(tax, "ram:TaxPointDate");
			if (code == NULL)
				code = ei_child(tax, "ram:DueDateTypeCode");
		}
	}
	if (date != NULL && code != NULL)
		ei_fail(c, "BR-CO-03", date,
				"The invoice gives both a VAT point date (BT-7) and a VAT point date code (BT-8).");
}

/* BR-57, and for an intra-community supply BR-IC-11 and BR-IC-12 */
static void
check_delivery(EiCheck *c)
{
	EInvoice   *inv = c->inv;
	xmlNodePtr	k = NULL;
	bool		dated;

	if (inv->deliver_to != NULL && !EI_HAS(inv->deliver_to_country))
		ei_fail(c, "BR-57", inv->deliver_to, "The deliver to address gives no country code (BT-80).");
	for (int i = 0; i < inv->n_vats && k == NULL; i++)
	{
		const char *cat = ei_trimmed(&inv->vats[i].category);

		if (cat != NULL && strcmp(cat, "K") == 0)
			k = inv->vats[i].node;
	}
	if (k == NULL)
		return;
	/* UBL: any element of the period will do; CII: its start or end */
	if (c->ubl)
		dated = inv->period != NULL && xmlFirstElementChild(inv->period) != NULL;
	else
		dated = inv->period_start.node != NULL || inv->period_end.node != NULL;
	if (!EI_HAS(inv->delivery_date) && !dated)
		ei_fail(c, "BR-IC-11", k,
				"An intra-community supply gives neither the actual delivery date (BT-72) nor the invoicing period (BG-14).");
	if (!EI_HAS(inv->deliver_to_country))
		ei_fail(c, "BR-IC-12", k,
				"An intra-community supply gives no deliver to country code (BT-80).");
}

/* BR-52: each supporting document has its reference */
static void
check_documents(EiCheck *c, const Context *x)
{
	xmlNodePtr	parent = c->ubl ? c->inv->root : cii_header(c, "ram:ApplicableHeaderTradeAgreement");

	for (xmlNodePtr d = ei_child(parent, x->document); d != NULL; d = ei_next(d))
	{
		EiValue		id = ei_path(d, x->document_id);

		if (!EI_HAS(id))
			ei_fail(c, "BR-52", d, "A supporting document (BG-24) has no reference (BT-122).");
	}
}

/* An identifier whose scheme attribute is missing (UBL) or blank (CII) */
static bool
without_scheme(EiCheck *c, xmlNodePtr id, const char *attribute)
{
	EiValue		scheme = ei_attr(id, attribute);

	return id != NULL && (c->ubl ? scheme.text == NULL : !EI_HAS(scheme));
}

/* BR-54, BR-64, BR-65 on each line's item, and BR-30, BR-CO-20 on its period */
static void
check_lines(EiCheck *c, const Context *x)
{
	for (int i = 0; i < c->inv->n_lines; i++)
	{
		EiLine	   *l = &c->inv->lines[i];
		xmlNodePtr	product = ei_child(l->node, x->product);
		xmlNodePtr	id = ei_find(product, x->standard_id);

		check_period(c, l->period, &l->period_start, &l->period_end, "BR-30", "BR-CO-20", false,
					 "invoice line period");
		for (xmlNodePtr a = ei_child(product, x->attribute); a != NULL; a = ei_next(a))
			if (ei_child(a, x->attribute_name) == NULL || ei_child(a, x->attribute_value) == NULL)
				ei_fail(c, "BR-54", a, "An item attribute (BG-32) lacks its name (BT-160) or its value (BT-161).");
		if (without_scheme(c, id, x->standard_scheme))
			ei_fail(c, "BR-64", id, "The item standard identifier (BT-157) has no scheme identifier.");
		for (xmlNodePtr k = ei_child(product, x->classification); k != NULL; k = ei_next(k))
		{
			xmlNodePtr	code = ei_child(k, x->classification_code);

			if (without_scheme(c, code, x->classification_scheme))
				ei_fail(c, "BR-65", code,
						"The item classification identifier (BT-158) has no scheme identifier.");
		}
	}
}

void
ei_check_context(EiCheck *c)
{
	const Context *x = c->ubl ? &ubl : &cii;
	EInvoice   *inv = c->inv;

	check_period(c, inv->period, &inv->period_start, &inv->period_end, "BR-29", "BR-CO-19", true,
				 "invoicing period");
	check_tax_point(c);
	check_delivery(c);
	check_documents(c, x);
	check_lines(c, x);
}
