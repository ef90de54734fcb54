/*
 * read_cii.c
 *		UN/CEFACT CII D16B CrossIndustryInvoice into an EInvoice (paths after
 *		the EN 16931 CII binding; shared/spec/en16931-business-terms.tsv).
 */
#include "postgres.h"

#include "einvoice.h"

static void
read_party(xmlNodePtr party, EiParty *p)
{
	xmlNodePtr	n;

	p->node = party;
	if (party == NULL)
		return;
	p->name = ei_path(party, "ram:Name");
	/* BT-29: a seller's own id (no scheme) or a global id with its scheme */
	p->id = ei_path(party, "ram:GlobalID");
	if (p->id.node != NULL)
		p->id_scheme = ei_attr(p->id.node, "schemeID");
	else
		p->id = ei_path(party, "ram:ID");
	p->legal_id = ei_path(party, "ram:SpecifiedLegalOrganization/ram:ID");
	p->legal_scheme = ei_attr(p->legal_id.node, "schemeID");
	for (n = ei_child(party, "ram:SpecifiedTaxRegistration"); n != NULL; n = ei_next(n))
	{
		EiValue		id = ei_path(n, "ram:ID");
		EiValue		scheme = ei_attr(id.node, "schemeID");
		const char *s = ei_trimmed(&scheme);

		if (s != NULL && strcmp(s, "VA") == 0)
		{
			p->vat_id = id;
			p->vat_scheme = scheme;
		}
		else
			p->tax_reg = id;
	}
	p->endpoint = ei_path(party, "ram:URIUniversalCommunication/ram:URIID");
	p->endpoint_scheme = ei_attr(p->endpoint.node, "schemeID");
	p->email = ei_path(party, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID");
	p->address = ei_child(party, "ram:PostalTradeAddress");
	p->line1 = ei_path(p->address, "ram:LineOne");
	p->line2 = ei_path(p->address, "ram:LineTwo");
	p->city = ei_path(p->address, "ram:CityName");
	p->postal_code = ei_path(p->address, "ram:PostcodeCode");
	p->country = ei_path(p->address, "ram:CountryID");
}

static EiAllowance *
read_allowances(xmlNodePtr parent, int *n, bool with_category)
{
	EiAllowance *acs;
	xmlNodePtr	c;
	int			i = 0;

	*n = ei_count(parent, "ram:SpecifiedTradeAllowanceCharge");
	acs = palloc0(sizeof(EiAllowance) * Max(*n, 1));
	for (c = ei_child(parent, "ram:SpecifiedTradeAllowanceCharge"); c != NULL; c = ei_next(c))
	{
		EiAllowance *a = &acs[i++];
		const char *ind;

		a->node = c;
		a->indicator = ei_path(c, "ram:ChargeIndicator/udt:Indicator");
		ind = ei_trimmed(&a->indicator);
		a->is_charge = ind != NULL && strcmp(ind, "true") == 0;
		a->amount = ei_path(c, "ram:ActualAmount");
		a->base = ei_path(c, "ram:BasisAmount");
		a->percent = ei_path(c, "ram:CalculationPercent");
		a->reason = ei_path(c, "ram:Reason");
		a->reason_code = ei_path(c, "ram:ReasonCode");
		if (with_category)
		{
			xmlNodePtr	cat = ei_child(c, "ram:CategoryTradeTax");

			a->scheme = ei_path(cat, "ram:TypeCode");
			a->category = ei_path(cat, "ram:CategoryCode");
			a->rate = ei_path(cat, "ram:RateApplicablePercent");
		}
	}
	return acs;
}

static void
read_line(xmlNodePtr node, EiLine *l)
{
	xmlNodePtr	product = ei_child(node, "ram:SpecifiedTradeProduct");
	xmlNodePtr	agreement = ei_child(node, "ram:SpecifiedLineTradeAgreement");
	xmlNodePtr	settlement = ei_child(node, "ram:SpecifiedLineTradeSettlement");
	xmlNodePtr	tax = ei_child(settlement, "ram:ApplicableTradeTax");

	l->node = node;
	l->id = ei_path(node, "ram:AssociatedDocumentLineDocument/ram:LineID");
	l->name = ei_path(product, "ram:Name");
	l->description = ei_path(product, "ram:Description");
	l->gross_price = ei_path(agreement, "ram:GrossPriceProductTradePrice/ram:ChargeAmount");
	l->net_price = ei_path(agreement, "ram:NetPriceProductTradePrice/ram:ChargeAmount");
	l->base_quantity = ei_path(agreement, "ram:NetPriceProductTradePrice/ram:BasisQuantity");
	l->quantity = ei_path(node, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity");
	l->unit_code = ei_attr(l->quantity.node, "unitCode");
	l->scheme = ei_path(tax, "ram:TypeCode");
	l->category = ei_path(tax, "ram:CategoryCode");
	l->rate = ei_path(tax, "ram:RateApplicablePercent");
	l->acs = read_allowances(settlement, &l->n_acs, false);
	l->net_amount = ei_path(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount");
	l->period = ei_child(settlement, "ram:BillingSpecifiedPeriod");
	l->period_start = ei_path(l->period, "ram:StartDateTime/udt:DateTimeString");
	l->period_end = ei_path(l->period, "ram:EndDateTime/udt:DateTimeString");
}

static void
read_settlement(EInvoice *inv, xmlNodePtr settlement)
{
	xmlNodePtr	n;
	int			i = 0;
	const char *currency;

	inv->currency = ei_path(settlement, "ram:InvoiceCurrencyCode");
	inv->vat_currency = ei_path(settlement, "ram:TaxCurrencyCode");
	read_party(ei_child(settlement, "ram:PayeeTradeParty"), &inv->payee);
	inv->payment_means = ei_child(settlement, "ram:SpecifiedTradeSettlementPaymentMeans");
	inv->means_code = ei_path(inv->payment_means, "ram:TypeCode");
	inv->iban = ei_path(inv->payment_means, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID");
	if (inv->iban.node == NULL)
		inv->iban = ei_path(inv->payment_means, "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID");
	inv->bic = ei_path(inv->payment_means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID");
	inv->payment_terms = ei_path(settlement, "ram:SpecifiedTradePaymentTerms/ram:Description");
	inv->due_date = ei_path(settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString");
	inv->period = ei_child(settlement, "ram:BillingSpecifiedPeriod");
	inv->period_start = ei_path(inv->period, "ram:StartDateTime/udt:DateTimeString");
	inv->period_end = ei_path(inv->period, "ram:EndDateTime/udt:DateTimeString");
	inv->preceding_number = ei_path(settlement, "ram:InvoiceReferencedDocument/ram:IssuerAssignedID");
	inv->preceding_date = ei_path(settlement, "ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString");

	inv->n_vats = ei_count(settlement, "ram:ApplicableTradeTax");
	inv->vats = palloc0(sizeof(EiVat) * Max(inv->n_vats, 1));
	for (n = ei_child(settlement, "ram:ApplicableTradeTax"); n != NULL; n = ei_next(n))
	{
		EiVat	   *v = &inv->vats[i++];

		v->node = n;
		v->tax = ei_path(n, "ram:CalculatedAmount");
		v->scheme = ei_path(n, "ram:TypeCode");
		v->exemption_reason = ei_path(n, "ram:ExemptionReason");
		v->taxable = ei_path(n, "ram:BasisAmount");
		v->category = ei_path(n, "ram:CategoryCode");
		v->exemption_code = ei_path(n, "ram:ExemptionReasonCode");
		v->rate = ei_path(n, "ram:RateApplicablePercent");
	}
	inv->acs = read_allowances(settlement, &inv->n_acs, true);

	inv->totals = ei_child(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation");
	inv->line_total = ei_path(inv->totals, "ram:LineTotalAmount");
	inv->charge_total = ei_path(inv->totals, "ram:ChargeTotalAmount");
	inv->allowance_total = ei_path(inv->totals, "ram:AllowanceTotalAmount");
	inv->tax_exclusive = ei_path(inv->totals, "ram:TaxBasisTotalAmount");
	inv->rounding = ei_path(inv->totals, "ram:RoundingAmount");
	inv->tax_inclusive = ei_path(inv->totals, "ram:GrandTotalAmount");
	inv->prepaid = ei_path(inv->totals, "ram:TotalPrepaidAmount");
	inv->payable = ei_path(inv->totals, "ram:DuePayableAmount");

	/* BT-110 and BT-111 are told apart by their currency */
	currency = ei_trimmed(&inv->currency);
	for (n = ei_child(inv->totals, "ram:TaxTotalAmount"); n != NULL; n = ei_next(n))
	{
		EiValue		amount = ei_value(n);
		EiValue		cur = ei_attr(n, "currencyID");
		const char *c = ei_trimmed(&cur);

		if (c != NULL && currency != NULL && strcmp(c, currency) == 0)
		{
			if (inv->n_vat_totals++ == 0)
				inv->vat_total = amount;
		}
		else
			inv->vat_total_accounting = amount;
	}
}

void
ei_read_cii(EInvoice *inv)
{
	xmlNodePtr	root = inv->root;
	xmlNodePtr	doc = ei_child(root, "rsm:ExchangedDocument");
	xmlNodePtr	trade = ei_child(root, "rsm:SupplyChainTradeTransaction");
	xmlNodePtr	agreement = ei_child(trade, "ram:ApplicableHeaderTradeAgreement");
	xmlNodePtr	n;
	int			i;

	inv->customization = ei_path(root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID");
	inv->number = ei_path(doc, "ram:ID");
	inv->type_code = ei_path(doc, "ram:TypeCode");
	inv->issue_date = ei_path(doc, "ram:IssueDateTime/udt:DateTimeString");
	inv->n_notes = ei_count(doc, "ram:IncludedNote");
	inv->notes = palloc0(sizeof(EiNote) * Max(inv->n_notes, 1));
	i = 0;
	for (n = ei_child(doc, "ram:IncludedNote"); n != NULL; n = ei_next(n))
	{
		inv->notes[i].content = ei_path(n, "ram:Content");
		inv->notes[i++].subject = ei_path(n, "ram:SubjectCode");
	}

	inv->n_lines = ei_count(trade, "ram:IncludedSupplyChainTradeLineItem");
	inv->lines = palloc0(sizeof(EiLine) * Max(inv->n_lines, 1));
	i = 0;
	for (n = ei_child(trade, "ram:IncludedSupplyChainTradeLineItem"); n != NULL; n = ei_next(n))
		read_line(n, &inv->lines[i++]);

	inv->buyer_reference = ei_path(agreement, "ram:BuyerReference");
	read_party(ei_child(agreement, "ram:SellerTradeParty"), &inv->seller);
	read_party(ei_child(agreement, "ram:BuyerTradeParty"), &inv->buyer);
	read_party(ei_child(agreement, "ram:SellerTaxRepresentativeTradeParty"), &inv->tax_rep);
	inv->purchase_order = ei_path(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID");
	inv->contract = ei_path(agreement, "ram:ContractReferencedDocument/ram:IssuerAssignedID");

	inv->delivery = ei_child(trade, "ram:ApplicableHeaderTradeDelivery");
	inv->delivery_date = ei_path(inv->delivery,
								 "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString");
	inv->deliver_to_name = ei_path(inv->delivery, "ram:ShipToTradeParty/ram:Name");
	inv->deliver_to = ei_find(inv->delivery, "ram:ShipToTradeParty/ram:PostalTradeAddress");
	inv->deliver_to_country = ei_path(inv->deliver_to, "ram:CountryID");

	read_settlement(inv, ei_child(trade, "ram:ApplicableHeaderTradeSettlement"));
}
