/*
 * write_ubl.c
 *		A UBL 2.1 Invoice (or CreditNote, for type 381) from the JSON of
 *		invoice_document(), elements in the order the UBL schema requires.
 *		Chorus Pro reads the SIRET as scheme 0009, the service code in BT-10
 *		and the legal commitment in BT-13.
 */
#include "postgres.h"

#include "write.h"

#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

typedef struct Ubl
{
	xmlNsPtr	cac;
	xmlNsPtr	cbc;
	const char *currency;
	bool		credit;
} Ubl;

static xmlNodePtr
agg(Ubl *u, xmlNodePtr parent, const char *name)
{
	return xmlNewChild(parent, u->cac, (const xmlChar *) name, NULL);
}

static xmlNodePtr
basic(Ubl *u, xmlNodePtr parent, const char *name, const char *text)
{
	return w_text(parent, u->cbc, name, text);
}

static void
amount(Ubl *u, xmlNodePtr parent, const char *name, const char *value)
{
	w_attr(parent, u->cbc, name, value, "currencyID", u->currency);
}

static void
tax_category(Ubl *u, xmlNodePtr parent, const char *name, const char *category,
			 const char *rate, const char *exemption_code, const char *exemption)
{
	xmlNodePtr	cat = agg(u, parent, name);

	basic(u, cat, "ID", category);
	if (category == NULL || strcmp(category, "O") != 0)
		basic(u, cat, "Percent", rate ? rate : "0");
	basic(u, cat, "TaxExemptionReasonCode", exemption_code);
	basic(u, cat, "TaxExemptionReason", exemption);
	basic(u, agg(u, cat, "TaxScheme"), "ID", "VAT");
}

/* A party's element: seller and buyer in full, the payee by name and ids. */
static void
party(Ubl *u, xmlNodePtr party, JsonbContainer *p, bool full)
{
	char	   *siret = jd_text(p, "siret");
	char	   *siren = jd_text(p, "siren");
	char	   *vat = jd_text(p, "vat_id");

	if (siren == NULL && siret != NULL)
		siren = pnstrdup(siret, 9);
	if (siret != NULL && full)
		w_attr(party, u->cbc, "EndpointID", siret, "schemeID", "0009");
	if (siret != NULL)
		w_attr(agg(u, party, "PartyIdentification"), u->cbc, "ID", siret, "schemeID", "0009");
	else if (jd_text(p, "identifier") != NULL)
		w_attr(agg(u, party, "PartyIdentification"), u->cbc, "ID", jd_text(p, "identifier"),
			   "schemeID", jd_text(p, "identifier_scheme"));
	if (!full)
	{
		basic(u, agg(u, party, "PartyName"), "Name", jd_text(p, "name"));
		if (siren != NULL)
			w_attr(agg(u, party, "PartyLegalEntity"), u->cbc, "CompanyID", siren, "schemeID", "0002");
		return;
	}
	{
		xmlNodePtr	addr = agg(u, party, "PostalAddress");

		basic(u, addr, "StreetName", jd_text(p, "address_line1"));
		basic(u, addr, "AdditionalStreetName", jd_text(p, "address_line2"));
		basic(u, addr, "CityName", jd_text(p, "city"));
		basic(u, addr, "PostalZone", jd_text(p, "postal_code"));
		basic(u, agg(u, addr, "Country"), "IdentificationCode", jd_text(p, "country_code"));
	}
	if (vat != NULL)
	{
		xmlNodePtr	scheme = agg(u, party, "PartyTaxScheme");

		basic(u, scheme, "CompanyID", vat);
		basic(u, agg(u, scheme, "TaxScheme"), "ID", "VAT");
	}
	{
		xmlNodePtr	legal = agg(u, party, "PartyLegalEntity");

		basic(u, legal, "RegistrationName", jd_text(p, "name"));
		if (siren != NULL)
			w_attr(legal, u->cbc, "CompanyID", siren, "schemeID", "0002");
	}
	if (jd_text(p, "email") != NULL)
		basic(u, agg(u, party, "Contact"), "ElectronicMail", jd_text(p, "email"));
}

static void
allowance(Ubl *u, xmlNodePtr parent, bool charge, const char *amount_text, const char *reason,
		  const char *reason_code, JsonbContainer *tax)
{
	xmlNodePtr	ac = agg(u, parent, "AllowanceCharge");

	basic(u, ac, "ChargeIndicator", charge ? "true" : "false");
	basic(u, ac, "AllowanceChargeReasonCode", reason_code);
	basic(u, ac, "AllowanceChargeReason", reason);
	amount(u, ac, "Amount", amount_text);
	if (tax != NULL)
		tax_category(u, ac, "TaxCategory", jd_text(tax, "vat_category"),
					 jd_text(tax, "vat_rate"), NULL, NULL);
}

static void
line(Ubl *u, xmlNodePtr root, JsonbContainer *l)
{
	xmlNodePtr	node = agg(u, root, u->credit ? "CreditNoteLine" : "InvoiceLine");
	xmlNodePtr	item;
	xmlNodePtr	price;
	char	   *allowance_amount = jd_text(l, "allowance_amount");
	char	   *charge_amount = jd_text(l, "charge_amount");

	basic(u, node, "ID", jd_text(l, "id"));
	w_attr(node, u->cbc, u->credit ? "CreditedQuantity" : "InvoicedQuantity",
		   jd_text(l, "quantity"), "unitCode", jd_text(l, "unit_code"));
	amount(u, node, "LineExtensionAmount", jd_text(l, "net_amount"));
	/* the model keeps a line's allowances and charges as one sum each */
	if (allowance_amount != NULL && strcmp(allowance_amount, "0.00") != 0)
		allowance(u, node, false, allowance_amount, "Remise", NULL, NULL);
	if (charge_amount != NULL && strcmp(charge_amount, "0.00") != 0)
		allowance(u, node, true, charge_amount, "Frais", NULL, NULL);
	item = agg(u, node, "Item");
	basic(u, item, "Description", jd_text(l, "description"));
	basic(u, item, "Name", jd_text(l, "item_name"));
	tax_category(u, item, "ClassifiedTaxCategory", jd_text(l, "vat_category"),
				 jd_text(l, "vat_rate"), NULL, NULL);
	price = agg(u, node, "Price");
	amount(u, price, "PriceAmount", jd_text(l, "net_price"));
	w_attr(price, u->cbc, "BaseQuantity", jd_text(l, "base_quantity"), "unitCode",
		   jd_text(l, "unit_code"));
}

static void
taxes(Ubl *u, xmlNodePtr root, JsonbContainer *inv, JsonbContainer *totals)
{
	xmlNodePtr	total = agg(u, root, "TaxTotal");
	int			i;

	amount(u, total, "TaxAmount", jd_text(totals, "vat_total"));
	for (i = 0; i < jd_length(inv, "vat_breakdown"); i++)
	{
		JsonbContainer *v = jd_item(inv, "vat_breakdown", i);
		xmlNodePtr	sub = agg(u, total, "TaxSubtotal");
		const char *category = jd_text(v, "vat_category");
		const char *code;
		const char *text;

		w_exemption(category, &code, &text);
		if (jd_text(v, "exemption_reason") != NULL)
			text = jd_text(v, "exemption_reason");
		amount(u, sub, "TaxableAmount", jd_text(v, "taxable_amount"));
		amount(u, sub, "TaxAmount", jd_text(v, "tax_amount"));
		tax_category(u, sub, "TaxCategory", category, jd_text(v, "vat_rate"), code, text);
	}
}

static void
totals(Ubl *u, xmlNodePtr root, JsonbContainer *inv, JsonbContainer *t)
{
	xmlNodePtr	node = agg(u, root, "LegalMonetaryTotal");

	amount(u, node, "LineExtensionAmount", jd_text(t, "line_total"));
	amount(u, node, "TaxExclusiveAmount", jd_text(t, "tax_exclusive_total"));
	amount(u, node, "TaxInclusiveAmount", jd_text(t, "tax_inclusive_total"));
	if (jd_length(inv, "allowances") > 0)
		amount(u, node, "AllowanceTotalAmount", jd_text(t, "allowance_total"));
	if (jd_length(inv, "charges") > 0)
		amount(u, node, "ChargeTotalAmount", jd_text(t, "charge_total"));
	amount(u, node, "PrepaidAmount", jd_text(inv, "prepaid_amount"));
	amount(u, node, "PayableRoundingAmount", jd_text(inv, "rounding_amount"));
	amount(u, node, "PayableAmount", jd_text(t, "payable_amount"));
}

static void
header(Ubl *u, xmlNodePtr root, JsonbContainer *inv)
{
	JsonbContainer *preceding = jd_object(inv, "preceding_invoice");
	JsonbContainer *period = jd_object(inv, "invoicing_period");
	int			i;

	basic(u, root, "CustomizationID", "urn:cen.eu:en16931:2017");
	basic(u, root, "ID", jd_text(inv, "number"));
	basic(u, root, "IssueDate", jd_text(inv, "issue_date"));
	if (!u->credit)
		basic(u, root, "DueDate", jd_text(inv, "due_date"));
	basic(u, root, u->credit ? "CreditNoteTypeCode" : "InvoiceTypeCode", jd_text(inv, "type_code"));
	for (i = 0; i < jd_length(inv, "notes"); i++)
	{
		JsonbContainer *n = jd_item(inv, "notes", i);
		char	   *subject = jd_text(n, "subject_code");
		char	   *text = jd_text(n, "text");

		basic(u, root, "Note", subject ? psprintf("#%s#%s", subject, text) : text);
	}
	basic(u, root, "DocumentCurrencyCode", u->currency);
	basic(u, root, "BuyerReference", jd_text(inv, "buyer_reference"));
	if (period != NULL)
	{
		xmlNodePtr	node = agg(u, root, "InvoicePeriod");

		basic(u, node, "StartDate", jd_text(period, "start_date"));
		basic(u, node, "EndDate", jd_text(period, "end_date"));
	}
	if (jd_text(inv, "purchase_order") != NULL)
		basic(u, agg(u, root, "OrderReference"), "ID", jd_text(inv, "purchase_order"));
	if (preceding != NULL)
	{
		xmlNodePtr	ref = agg(u, agg(u, root, "BillingReference"), "InvoiceDocumentReference");

		basic(u, ref, "ID", jd_text(preceding, "number"));
		basic(u, ref, "IssueDate", jd_text(preceding, "issue_date"));
	}
	if (jd_text(inv, "contract_reference") != NULL)
		basic(u, agg(u, root, "ContractDocumentReference"), "ID", jd_text(inv, "contract_reference"));
}

/* BG-13: the date (BT-72), the deliver to country (BT-80) and party name (BT-70) */
static void
delivery(Ubl *u, xmlNodePtr root, JsonbContainer *d)
{
	xmlNodePtr	node;

	if (d == NULL)
		return;
	node = agg(u, root, "Delivery");
	basic(u, node, "ActualDeliveryDate", jd_text(d, "date"));
	if (jd_text(d, "country") != NULL)
		basic(u, agg(u, agg(u, agg(u, node, "DeliveryLocation"), "Address"), "Country"),
			  "IdentificationCode", jd_text(d, "country"));
	if (jd_text(d, "name") != NULL)
		basic(u, agg(u, agg(u, node, "DeliveryParty"), "PartyName"), "Name", jd_text(d, "name"));
}

static void
payment(Ubl *u, xmlNodePtr root, JsonbContainer *inv)
{
	JsonbContainer *p = jd_object(inv, "payment");
	const char *code = w_means_code(p);
	xmlNodePtr	means;

	if (code != NULL)
	{
		means = agg(u, root, "PaymentMeans");
		basic(u, means, "PaymentMeansCode", code);
		if (u->credit)
			basic(u, means, "PaymentDueDate", jd_text(inv, "due_date"));
	}
	if (code != NULL && jd_text(p, "iban") != NULL)
	{
		xmlNodePtr	account = agg(u, means, "PayeeFinancialAccount");

		basic(u, account, "ID", jd_text(p, "iban"));
		if (jd_text(p, "bic") != NULL)
			basic(u, agg(u, account, "FinancialInstitutionBranch"), "ID", jd_text(p, "bic"));
	}
	if (jd_text(p, "terms") != NULL)
		basic(u, agg(u, root, "PaymentTerms"), "Note", jd_text(p, "terms"));
}

xmlDocPtr
ei_write_ubl(JsonbContainer *inv)
{
	xmlDocPtr	doc = xmlNewDoc((const xmlChar *) "1.0");
	const char *type = jd_text(inv, "type_code");
	Ubl			u;
	xmlNodePtr	root;
	JsonbContainer *t = jd_object(inv, "totals");
	int			i;

	u.credit = type != NULL && strcmp(type, "381") == 0;
	u.currency = jd_text(inv, "currency");
	root = xmlNewNode(NULL, (const xmlChar *) (u.credit ? "CreditNote" : "Invoice"));
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, (const xmlChar *) (u.credit
		? "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
		: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"), NULL));
	u.cac = xmlNewNs(root, (const xmlChar *) NS_CAC, (const xmlChar *) "cac");
	u.cbc = xmlNewNs(root, (const xmlChar *) NS_CBC, (const xmlChar *) "cbc");

	header(&u, root, inv);
	party(&u, agg(&u, agg(&u, root, "AccountingSupplierParty"), "Party"),
		  jd_object(inv, "seller"), true);
	party(&u, agg(&u, agg(&u, root, "AccountingCustomerParty"), "Party"),
		  jd_object(inv, "buyer"), true);
	if (jd_object(inv, "payee") != NULL)
		party(&u, agg(&u, root, "PayeeParty"), jd_object(inv, "payee"), false);
	delivery(&u, root, jd_object(inv, "delivery"));
	payment(&u, root, inv);
	for (i = 0; i < jd_length(inv, "allowances"); i++)
	{
		JsonbContainer *a = jd_item(inv, "allowances", i);

		allowance(&u, root, false, jd_text(a, "amount"), jd_text(a, "reason"),
				  jd_text(a, "reason_code"), a);
	}
	for (i = 0; i < jd_length(inv, "charges"); i++)
	{
		JsonbContainer *a = jd_item(inv, "charges", i);

		allowance(&u, root, true, jd_text(a, "amount"), jd_text(a, "reason"),
				  jd_text(a, "reason_code"), a);
	}
	taxes(&u, root, inv, t);
	totals(&u, root, inv, t);
	for (i = 0; i < jd_length(inv, "lines"); i++)
		line(&u, root, jd_item(inv, "lines", i));
	return doc;
}
