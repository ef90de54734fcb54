/*
 * read_ubl.c
 *		UBL 2.1 Invoice and CreditNote into an EInvoice (paths after the
 *		EN 16931 UBL binding; shared/spec/en16931-business-terms.tsv).
 */
#include "postgres.h"

#include "einvoice.h"

static void
read_party(xmlNodePtr party, EiParty *p, bool legal_name)
{
	xmlNodePtr	n;

	p->node = party;
	if (party == NULL)
		return;
	p->name = legal_name ? ei_path(party, "cac:PartyLegalEntity/cbc:RegistrationName")
		: ei_path(party, "cac:PartyName/cbc:Name");
	p->endpoint = ei_path(party, "cbc:EndpointID");
	p->endpoint_scheme = ei_attr(p->endpoint.node, "schemeID");
	p->id = ei_path(party, "cac:PartyIdentification/cbc:ID");
	p->id_scheme = ei_attr(p->id.node, "schemeID");
	p->legal_id = ei_path(party, "cac:PartyLegalEntity/cbc:CompanyID");
	p->legal_scheme = ei_attr(p->legal_id.node, "schemeID");
	for (n = ei_child(party, "cac:PartyTaxScheme"); n != NULL; n = ei_next(n))
	{
		EiValue		scheme = ei_path(n, "cac:TaxScheme/cbc:ID");
		const char *s = ei_trimmed(&scheme);

		if (s != NULL && pg_strcasecmp(s, "VAT") == 0)
		{
			p->vat_id = ei_path(n, "cbc:CompanyID");
			p->vat_scheme = scheme;
		}
		else
			p->tax_reg = ei_path(n, "cbc:CompanyID");
	}
	p->email = ei_path(party, "cac:Contact/cbc:ElectronicMail");
	p->address = ei_child(party, "cac:PostalAddress");
	p->line1 = ei_path(p->address, "cbc:StreetName");
	p->line2 = ei_path(p->address, "cbc:AdditionalStreetName");
	p->city = ei_path(p->address, "cbc:CityName");
	p->postal_code = ei_path(p->address, "cbc:PostalZone");
	p->country = ei_path(p->address, "cac:Country/cbc:IdentificationCode");
}

static void
read_allowance(xmlNodePtr node, EiAllowance *a, const char *category)
{
	const char *ind;

	a->node = node;
	a->indicator = ei_path(node, "cbc:ChargeIndicator");
	ind = ei_trimmed(&a->indicator);
	a->is_charge = ind != NULL && strcmp(ind, "true") == 0;
	a->amount = ei_path(node, "cbc:Amount");
	a->base = ei_path(node, "cbc:BaseAmount");
	a->percent = ei_path(node, "cbc:MultiplierFactorNumeric");
	a->reason = ei_path(node, "cbc:AllowanceChargeReason");
	a->reason_code = ei_path(node, "cbc:AllowanceChargeReasonCode");
	if (category != NULL)
	{
		xmlNodePtr	cat = ei_child(node, category);

		a->category = ei_path(cat, "cbc:ID");
		a->rate = ei_path(cat, "cbc:Percent");
		a->scheme = ei_path(cat, "cac:TaxScheme/cbc:ID");
	}
}

static EiAllowance *
read_allowances(xmlNodePtr parent, int *n, const char *category)
{
	EiAllowance *acs;
	xmlNodePtr	c;
	int			i = 0;

	*n = ei_count(parent, "cac:AllowanceCharge");
	acs = palloc0(sizeof(EiAllowance) * Max(*n, 1));
	for (c = ei_child(parent, "cac:AllowanceCharge"); c != NULL; c = ei_next(c))
		read_allowance(c, &acs[i++], category);
	return acs;
}

static void
read_line(xmlNodePtr node, EiLine *l, bool credit)
{
	xmlNodePtr	item = ei_child(node, "cac:Item");
	xmlNodePtr	price = ei_child(node, "cac:Price");
	xmlNodePtr	cat = ei_child(item, "cac:ClassifiedTaxCategory");

	l->node = node;
	l->id = ei_path(node, "cbc:ID");
	l->quantity = ei_path(node, credit ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity");
	l->unit_code = ei_attr(l->quantity.node, "unitCode");
	l->net_amount = ei_path(node, "cbc:LineExtensionAmount");
	l->acs = read_allowances(node, &l->n_acs, NULL);
	l->name = ei_path(item, "cbc:Name");
	l->description = ei_path(item, "cbc:Description");
	l->category = ei_path(cat, "cbc:ID");
	l->rate = ei_path(cat, "cbc:Percent");
	l->scheme = ei_path(cat, "cac:TaxScheme/cbc:ID");
	l->net_price = ei_path(price, "cbc:PriceAmount");
	l->base_quantity = ei_path(price, "cbc:BaseQuantity");
	l->gross_price = ei_path(price, "cac:AllowanceCharge/cbc:BaseAmount");
	l->period = ei_child(node, "cac:InvoicePeriod");
	l->period_start = ei_path(l->period, "cbc:StartDate");
	l->period_end = ei_path(l->period, "cbc:EndDate");
}

static void
read_subtotals(EInvoice *inv, xmlNodePtr total)
{
	xmlNodePtr	s;
	int			i = 0;

	inv->n_vats = ei_count(total, "cac:TaxSubtotal");
	inv->vats = palloc0(sizeof(EiVat) * Max(inv->n_vats, 1));
	for (s = ei_child(total, "cac:TaxSubtotal"); s != NULL; s = ei_next(s))
	{
		EiVat	   *v = &inv->vats[i++];
		xmlNodePtr	cat = ei_child(s, "cac:TaxCategory");

		v->node = s;
		v->taxable = ei_path(s, "cbc:TaxableAmount");
		v->tax = ei_path(s, "cbc:TaxAmount");
		v->category = ei_path(cat, "cbc:ID");
		v->rate = ei_path(cat, "cbc:Percent");
		v->exemption_reason = ei_path(cat, "cbc:TaxExemptionReason");
		v->exemption_code = ei_path(cat, "cbc:TaxExemptionReasonCode");
		v->scheme = ei_path(cat, "cac:TaxScheme/cbc:ID");
	}
}

/*
 * BT-110 is the TaxTotal amount in the invoice currency, BT-111 the one in
 * the VAT accounting currency; the VAT breakdown is the TaxTotal that has
 * subtotals (the rules take it whatever its currency).
 */
static void
read_taxes(EInvoice *inv)
{
	const char *currency = ei_trimmed(&inv->currency);
	const char *tax_currency = ei_trimmed(&inv->vat_currency);
	xmlNodePtr	t;
	bool		have_subtotals = false;

	for (t = ei_child(inv->root, "cac:TaxTotal"); t != NULL; t = ei_next(t))
	{
		EiValue		amount = ei_path(t, "cbc:TaxAmount");
		EiValue		cur = ei_attr(amount.node, "currencyID");
		const char *c = ei_trimmed(&cur);

		if (!have_subtotals && ei_child(t, "cac:TaxSubtotal") != NULL)
		{
			read_subtotals(inv, t);
			have_subtotals = true;
		}
		if (c != NULL && currency != NULL && strcmp(c, currency) == 0)
		{
			if (inv->n_vat_totals++ == 0)
				inv->vat_total = amount;
		}
		else if (c != NULL && tax_currency != NULL && strcmp(c, tax_currency) == 0)
			inv->vat_total_accounting = amount;
	}
	/* BT-111 in the invoice currency is BT-110 itself */
	if (tax_currency != NULL && currency != NULL && strcmp(tax_currency, currency) == 0)
		inv->vat_total_accounting = inv->vat_total;
}

void
ei_read_ubl(EInvoice *inv)
{
	xmlNodePtr	root = inv->root;
	bool		credit = inv->syntax == EI_UBL_CREDIT_NOTE;
	xmlNodePtr	n;
	int			i;

	inv->customization = ei_path(root, "cbc:CustomizationID");
	inv->number = ei_path(root, "cbc:ID");
	inv->issue_date = ei_path(root, "cbc:IssueDate");
	inv->type_code = ei_path(root, credit ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode");
	inv->currency = ei_path(root, "cbc:DocumentCurrencyCode");
	inv->vat_currency = ei_path(root, "cbc:TaxCurrencyCode");
	inv->due_date = credit ? ei_path(root, "cac:PaymentMeans/cbc:PaymentDueDate")
		: ei_path(root, "cbc:DueDate");
	inv->buyer_reference = ei_path(root, "cbc:BuyerReference");
	inv->purchase_order = ei_path(root, "cac:OrderReference/cbc:ID");
	inv->contract = ei_path(root, "cac:ContractDocumentReference/cbc:ID");
	inv->preceding_number = ei_path(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID");
	inv->preceding_date = ei_path(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate");

	inv->n_notes = ei_count(root, "cbc:Note");
	inv->notes = palloc0(sizeof(EiNote) * Max(inv->n_notes, 1));
	i = 0;
	for (n = ei_child(root, "cbc:Note"); n != NULL; n = ei_next(n))
		inv->notes[i++].content = ei_value(n);

	read_party(ei_find(root, "cac:AccountingSupplierParty/cac:Party"), &inv->seller, true);
	read_party(ei_find(root, "cac:AccountingCustomerParty/cac:Party"), &inv->buyer, true);
	read_party(ei_child(root, "cac:PayeeParty"), &inv->payee, false);
	read_party(ei_child(root, "cac:TaxRepresentativeParty"), &inv->tax_rep, false);

	inv->payment_means = ei_child(root, "cac:PaymentMeans");
	inv->means_code = ei_path(inv->payment_means, "cbc:PaymentMeansCode");
	inv->iban = ei_path(inv->payment_means, "cac:PayeeFinancialAccount/cbc:ID");
	inv->bic = ei_path(inv->payment_means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID");
	inv->payment_terms = ei_path(root, "cac:PaymentTerms/cbc:Note");

	inv->period = ei_child(root, "cac:InvoicePeriod");
	inv->period_start = ei_path(inv->period, "cbc:StartDate");
	inv->period_end = ei_path(inv->period, "cbc:EndDate");
	inv->delivery = ei_child(root, "cac:Delivery");
	inv->delivery_date = ei_path(inv->delivery, "cbc:ActualDeliveryDate");
	inv->deliver_to_name = ei_path(inv->delivery, "cac:DeliveryParty/cac:PartyName/cbc:Name");
	inv->deliver_to = ei_find(inv->delivery, "cac:DeliveryLocation/cac:Address");
	inv->deliver_to_country = ei_path(inv->deliver_to, "cac:Country/cbc:IdentificationCode");

	inv->acs = read_allowances(root, &inv->n_acs, "cac:TaxCategory");
	read_taxes(inv);

	inv->totals = ei_child(root, "cac:LegalMonetaryTotal");
	inv->line_total = ei_path(inv->totals, "cbc:LineExtensionAmount");
	inv->tax_exclusive = ei_path(inv->totals, "cbc:TaxExclusiveAmount");
	inv->tax_inclusive = ei_path(inv->totals, "cbc:TaxInclusiveAmount");
	inv->allowance_total = ei_path(inv->totals, "cbc:AllowanceTotalAmount");
	inv->charge_total = ei_path(inv->totals, "cbc:ChargeTotalAmount");
	inv->prepaid = ei_path(inv->totals, "cbc:PrepaidAmount");
	inv->rounding = ei_path(inv->totals, "cbc:PayableRoundingAmount");
	inv->payable = ei_path(inv->totals, "cbc:PayableAmount");

	inv->n_lines = ei_count(root, credit ? "cac:CreditNoteLine" : "cac:InvoiceLine");
	inv->lines = palloc0(sizeof(EiLine) * Max(inv->n_lines, 1));
	i = 0;
	for (n = ei_child(root, credit ? "cac:CreditNoteLine" : "cac:InvoiceLine"); n != NULL; n = ei_next(n))
		read_line(n, &inv->lines[i++], credit);
}
