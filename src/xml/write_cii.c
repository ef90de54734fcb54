/*
 * write_cii.c
 *		A CII D16B CrossIndustryInvoice from the JSON of invoice_document(),
 *		elements in the order the CII schema requires.  Only the invoice
 *		total VAT amount carries a currencyID, as the binding wants.
 */
#include "postgres.h"

#include "write.h"

typedef struct Cii
{
	xmlNsPtr	rsm;
	xmlNsPtr	ram;
	xmlNsPtr	udt;
	xmlNsPtr	qdt;
} Cii;

static xmlNodePtr
el(Cii *c, xmlNodePtr parent, const char *name)
{
	return xmlNewChild(parent, c->ram, (const xmlChar *) name, NULL);
}

static xmlNodePtr
txt(Cii *c, xmlNodePtr parent, const char *name, const char *text)
{
	return w_text(parent, c->ram, name, text);
}

static void
date_time(Cii *c, xmlNodePtr parent, const char *name, const char *date, bool qualified)
{
	char	   *d = w_cii_date(date);

	if (d == NULL)
		return;
	w_attr(el(c, parent, name), qualified ? c->qdt : c->udt, "DateTimeString", d, "format", "102");
}

static void
tax(Cii *c, xmlNodePtr parent, const char *name, const char *category, const char *rate)
{
	xmlNodePtr	t = el(c, parent, name);

	txt(c, t, "TypeCode", "VAT");
	txt(c, t, "CategoryCode", category);
	if (category == NULL || strcmp(category, "O") != 0)
		txt(c, t, "RateApplicablePercent", rate ? rate : "0");
}

static void
party(Cii *c, xmlNodePtr parent, const char *name, JsonbContainer *p, bool full)
{
	xmlNodePtr	node;
	char	   *siret = jd_text(p, "siret");
	char	   *siren = jd_text(p, "siren");

	if (p == NULL)
		return;
	if (siren == NULL && siret != NULL)
		siren = pnstrdup(siret, 9);
	node = el(c, parent, name);
	if (siret != NULL)
		w_attr(node, c->ram, "GlobalID", siret, "schemeID", "0009");
	else if (jd_text(p, "identifier_scheme") != NULL)
		w_attr(node, c->ram, "GlobalID", jd_text(p, "identifier"), "schemeID",
			   jd_text(p, "identifier_scheme"));
	else
		txt(c, node, "ID", jd_text(p, "identifier"));
	txt(c, node, "Name", jd_text(p, "name"));
	if (siren != NULL)
		w_attr(el(c, node, "SpecifiedLegalOrganization"), c->ram, "ID", siren, "schemeID", "0002");
	if (!full)
		return;
	if (jd_text(p, "email") != NULL)
		txt(c, el(c, el(c, node, "DefinedTradeContact"), "EmailURIUniversalCommunication"),
			"URIID", jd_text(p, "email"));
	{
		xmlNodePtr	addr = el(c, node, "PostalTradeAddress");

		txt(c, addr, "PostcodeCode", jd_text(p, "postal_code"));
		txt(c, addr, "LineOne", jd_text(p, "address_line1"));
		txt(c, addr, "LineTwo", jd_text(p, "address_line2"));
		txt(c, addr, "CityName", jd_text(p, "city"));
		txt(c, addr, "CountryID", jd_text(p, "country_code"));
	}
	if (siret != NULL)
		w_attr(el(c, node, "URIUniversalCommunication"), c->ram, "URIID", siret, "schemeID", "0009");
	if (jd_text(p, "vat_id") != NULL)
		w_attr(el(c, node, "SpecifiedTaxRegistration"), c->ram, "ID", jd_text(p, "vat_id"),
			   "schemeID", "VA");
}

static void
allowance(Cii *c, xmlNodePtr parent, bool charge, const char *amount, const char *reason,
		  const char *reason_code, JsonbContainer *category)
{
	xmlNodePtr	ac = el(c, parent, "SpecifiedTradeAllowanceCharge");

	w_text(el(c, ac, "ChargeIndicator"), c->udt, "Indicator", charge ? "true" : "false");
	txt(c, ac, "ActualAmount", amount);
	txt(c, ac, "ReasonCode", reason_code);
	txt(c, ac, "Reason", reason);
	if (category != NULL)
		tax(c, ac, "CategoryTradeTax", jd_text(category, "vat_category"), jd_text(category, "vat_rate"));
}

static void
line(Cii *c, xmlNodePtr trade, JsonbContainer *l)
{
	xmlNodePtr	item = el(c, trade, "IncludedSupplyChainTradeLineItem");
	xmlNodePtr	product;
	xmlNodePtr	price;
	xmlNodePtr	settlement;
	char	   *allowance_amount = jd_text(l, "allowance_amount");
	char	   *charge_amount = jd_text(l, "charge_amount");

	txt(c, el(c, item, "AssociatedDocumentLineDocument"), "LineID", jd_text(l, "id"));
	product = el(c, item, "SpecifiedTradeProduct");
	txt(c, product, "Name", jd_text(l, "item_name"));
	txt(c, product, "Description", jd_text(l, "description"));
	price = el(c, el(c, item, "SpecifiedLineTradeAgreement"), "NetPriceProductTradePrice");
	txt(c, price, "ChargeAmount", jd_text(l, "net_price"));
	w_attr(price, c->ram, "BasisQuantity", jd_text(l, "base_quantity"), "unitCode",
		   jd_text(l, "unit_code"));
	w_attr(el(c, item, "SpecifiedLineTradeDelivery"), c->ram, "BilledQuantity",
		   jd_text(l, "quantity"), "unitCode", jd_text(l, "unit_code"));
	settlement = el(c, item, "SpecifiedLineTradeSettlement");
	tax(c, settlement, "ApplicableTradeTax", jd_text(l, "vat_category"), jd_text(l, "vat_rate"));
	/* the model keeps a line's allowances and charges as one sum each */
	if (allowance_amount != NULL && strcmp(allowance_amount, "0.00") != 0)
		allowance(c, settlement, false, allowance_amount, "Remise", NULL, NULL);
	if (charge_amount != NULL && strcmp(charge_amount, "0.00") != 0)
		allowance(c, settlement, true, charge_amount, "Frais", NULL, NULL);
	txt(c, el(c, settlement, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount",
		jd_text(l, "net_amount"));
}

/* BG-13: the deliver to party's name and country (BT-70, BT-80), the date (BT-72) */
static void
delivery(Cii *c, xmlNodePtr trade, JsonbContainer *d)
{
	xmlNodePtr	node = el(c, trade, "ApplicableHeaderTradeDelivery");

	if (jd_text(d, "name") != NULL || jd_text(d, "country") != NULL)
	{
		xmlNodePtr	ship = el(c, node, "ShipToTradeParty");

		txt(c, ship, "Name", jd_text(d, "name"));
		if (jd_text(d, "country") != NULL)
			txt(c, el(c, ship, "PostalTradeAddress"), "CountryID", jd_text(d, "country"));
	}
	if (jd_text(d, "date") != NULL)
		date_time(c, el(c, node, "ActualDeliverySupplyChainEvent"), "OccurrenceDateTime",
				  jd_text(d, "date"), false);
}

static void
settlement(Cii *c, xmlNodePtr trade, JsonbContainer *inv)
{
	xmlNodePtr	s = el(c, trade, "ApplicableHeaderTradeSettlement");
	JsonbContainer *p = jd_object(inv, "payment");
	JsonbContainer *t = jd_object(inv, "totals");
	JsonbContainer *preceding = jd_object(inv, "preceding_invoice");
	JsonbContainer *period = jd_object(inv, "invoicing_period");
	xmlNodePtr	node;
	int			i;

	txt(c, s, "InvoiceCurrencyCode", jd_text(inv, "currency"));
	party(c, s, "PayeeTradeParty", jd_object(inv, "payee"), false);
	if (w_means_code(p) != NULL)
	{
		node = el(c, s, "SpecifiedTradeSettlementPaymentMeans");
		txt(c, node, "TypeCode", w_means_code(p));
		if (jd_text(p, "iban") != NULL)
			txt(c, el(c, node, "PayeePartyCreditorFinancialAccount"), "IBANID", jd_text(p, "iban"));
		if (jd_text(p, "bic") != NULL)
			txt(c, el(c, node, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", jd_text(p, "bic"));
	}
	for (i = 0; i < jd_length(inv, "vat_breakdown"); i++)
	{
		JsonbContainer *v = jd_item(inv, "vat_breakdown", i);
		const char *category = jd_text(v, "vat_category");
		const char *code;
		const char *text;

		w_exemption(category, &code, &text);
		if (jd_text(v, "exemption_reason") != NULL)
			text = jd_text(v, "exemption_reason");
		node = el(c, s, "ApplicableTradeTax");
		txt(c, node, "CalculatedAmount", jd_text(v, "tax_amount"));
		txt(c, node, "TypeCode", "VAT");
		txt(c, node, "ExemptionReason", text);
		txt(c, node, "BasisAmount", jd_text(v, "taxable_amount"));
		txt(c, node, "CategoryCode", category);
		txt(c, node, "ExemptionReasonCode", code);
		if (category == NULL || strcmp(category, "O") != 0)
			txt(c, node, "RateApplicablePercent", jd_text(v, "vat_rate"));
	}
	if (period != NULL)
	{
		node = el(c, s, "BillingSpecifiedPeriod");
		date_time(c, node, "StartDateTime", jd_text(period, "start_date"), false);
		date_time(c, node, "EndDateTime", jd_text(period, "end_date"), false);
	}
	for (i = 0; i < jd_length(inv, "allowances"); i++)
	{
		JsonbContainer *a = jd_item(inv, "allowances", i);

		allowance(c, s, false, jd_text(a, "amount"), jd_text(a, "reason"),
				  jd_text(a, "reason_code"), a);
	}
	for (i = 0; i < jd_length(inv, "charges"); i++)
	{
		JsonbContainer *a = jd_item(inv, "charges", i);

		allowance(c, s, true, jd_text(a, "amount"), jd_text(a, "reason"),
				  jd_text(a, "reason_code"), a);
	}
	if (jd_text(p, "terms") != NULL || jd_text(inv, "due_date") != NULL)
	{
		node = el(c, s, "SpecifiedTradePaymentTerms");
		txt(c, node, "Description", jd_text(p, "terms"));
		date_time(c, node, "DueDateDateTime", jd_text(inv, "due_date"), false);
	}
	node = el(c, s, "SpecifiedTradeSettlementHeaderMonetarySummation");
	txt(c, node, "LineTotalAmount", jd_text(t, "line_total"));
	if (jd_length(inv, "charges") > 0)
		txt(c, node, "ChargeTotalAmount", jd_text(t, "charge_total"));
	if (jd_length(inv, "allowances") > 0)
		txt(c, node, "AllowanceTotalAmount", jd_text(t, "allowance_total"));
	txt(c, node, "TaxBasisTotalAmount", jd_text(t, "tax_exclusive_total"));
	w_attr(node, c->ram, "TaxTotalAmount", jd_text(t, "vat_total"), "currencyID",
		   jd_text(inv, "currency"));
	txt(c, node, "RoundingAmount", jd_text(inv, "rounding_amount"));
	txt(c, node, "GrandTotalAmount", jd_text(t, "tax_inclusive_total"));
	txt(c, node, "TotalPrepaidAmount", jd_text(inv, "prepaid_amount"));
	txt(c, node, "DuePayableAmount", jd_text(t, "payable_amount"));
	if (preceding != NULL)
	{
		node = el(c, s, "InvoiceReferencedDocument");
		txt(c, node, "IssuerAssignedID", jd_text(preceding, "number"));
		date_time(c, node, "FormattedIssueDateTime", jd_text(preceding, "issue_date"), true);
	}
}

xmlDocPtr
ei_write_cii(JsonbContainer *inv)
{
	xmlDocPtr	doc = xmlNewDoc((const xmlChar *) "1.0");
	xmlNodePtr	root = xmlNewNode(NULL, (const xmlChar *) "CrossIndustryInvoice");
	xmlNodePtr	node;
	xmlNodePtr	trade;
	xmlNodePtr	agreement;
	Cii			c;
	int			i;

	xmlDocSetRootElement(doc, root);
	c.rsm = xmlNewNs(root, (const xmlChar *) "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
					 (const xmlChar *) "rsm");
	c.qdt = xmlNewNs(root, (const xmlChar *) "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
					 (const xmlChar *) "qdt");
	c.ram = xmlNewNs(root, (const xmlChar *) "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
					 (const xmlChar *) "ram");
	c.udt = xmlNewNs(root, (const xmlChar *) "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
					 (const xmlChar *) "udt");
	xmlSetNs(root, c.rsm);

	node = xmlNewChild(root, c.rsm, (const xmlChar *) "ExchangedDocumentContext", NULL);
	txt(&c, el(&c, node, "GuidelineSpecifiedDocumentContextParameter"), "ID", "urn:cen.eu:en16931:2017");
	node = xmlNewChild(root, c.rsm, (const xmlChar *) "ExchangedDocument", NULL);
	txt(&c, node, "ID", jd_text(inv, "number"));
	txt(&c, node, "TypeCode", jd_text(inv, "type_code"));
	date_time(&c, node, "IssueDateTime", jd_text(inv, "issue_date"), false);
	for (i = 0; i < jd_length(inv, "notes"); i++)
	{
		JsonbContainer *n = jd_item(inv, "notes", i);
		xmlNodePtr	note = el(&c, node, "IncludedNote");

		txt(&c, note, "Content", jd_text(n, "text"));
		txt(&c, note, "SubjectCode", jd_text(n, "subject_code"));
	}

	trade = xmlNewChild(root, c.rsm, (const xmlChar *) "SupplyChainTradeTransaction", NULL);
	for (i = 0; i < jd_length(inv, "lines"); i++)
		line(&c, trade, jd_item(inv, "lines", i));
	agreement = el(&c, trade, "ApplicableHeaderTradeAgreement");
	txt(&c, agreement, "BuyerReference", jd_text(inv, "buyer_reference"));
	party(&c, agreement, "SellerTradeParty", jd_object(inv, "seller"), true);
	party(&c, agreement, "BuyerTradeParty", jd_object(inv, "buyer"), true);
	if (jd_text(inv, "purchase_order") != NULL)
		txt(&c, el(&c, agreement, "BuyerOrderReferencedDocument"), "IssuerAssignedID",
			jd_text(inv, "purchase_order"));
	if (jd_text(inv, "contract_reference") != NULL)
		txt(&c, el(&c, agreement, "ContractReferencedDocument"), "IssuerAssignedID",
			jd_text(inv, "contract_reference"));
	delivery(&c, trade, jd_object(inv, "delivery"));
	settlement(&c, trade, inv);
	return doc;
}
