/*
 * rules_lists.c
 *		The EN 16931 code-list rules over codes wherever a document carries
 *		them (BR-CL-06 ... 08, 10, 11, 13 ... 15, 19 ... 26): each element is matched
 *		against a table of where each rule looks (the contexts of the official
 *		artefacts 1.3.16).  The lists themselves are
 *		generated from the artefacts (code_lists.h).
 */
#include "postgres.h"

#include "code_lists.h"
#include "rules.h"
#include "types/ident.h"

typedef struct ListRule
{
	const char *rule;
	bool		ubl;			/* the syntax it applies to */
	const char *element;
	const char *parent;			/* NULL: under any parent */
	const char *not_parents[2]; /* parents excluded */
	const char *attribute;		/* NULL: the element's text */
	int			charge;			/* -1; or under an allowance (0) or a charge (1) */
	const char *list;			/* NULL: ISO 3166-1 alpha-2 country codes */
	const char *what;
	bool		sepa;			/* "SEPA" too, for the seller's and payee's BT-90 */
	const char *document_type;	/* NULL; or the parent's cbc:DocumentTypeCode */
} ListRule;

static const ListRule list_rules[] = {
	{"BR-CL-14", true, "cbc:IdentificationCode", "cac:Country", {NULL, NULL}, NULL, -1,
	NULL, "country code"},
	{"BR-CL-14", false, "ram:CountryID", NULL, {NULL, NULL}, NULL, -1,
	NULL, "country code"},
	{"BR-CL-15", true, "cbc:IdentificationCode", "cac:OriginCountry", {NULL, NULL}, NULL, -1,
	NULL, "item country of origin (BT-159)"},
	{"BR-CL-15", false, "ram:ID", "ram:OriginTradeCountry", {NULL, NULL}, NULL, -1,
	NULL, "item country of origin (BT-159)"},
	{"BR-CL-06", true, "cbc:DescriptionCode", "cac:InvoicePeriod", {NULL, NULL}, NULL, -1,
	vat_point_codes_ubl, "VAT point date code (BT-8)"},
	{"BR-CL-06", false, "ram:DueDateTypeCode", NULL, {NULL, NULL}, NULL, -1,
	vat_point_codes_cii, "VAT point date code (BT-8)"},
	{"BR-CL-07", true, "cbc:ID", "cac:AdditionalDocumentReference", {NULL, NULL}, "schemeID", -1,
	object_schemes, "object identifier scheme (BT-18)", false, "130"},
	{"BR-CL-07", true, "cbc:ID", "cac:DocumentReference", {NULL, NULL}, "schemeID", -1,
	object_schemes, "object identifier scheme (BT-18)", false, "130"},
	{"BR-CL-07", false, "ram:ReferenceTypeCode", NULL, {NULL, NULL}, NULL, -1,
	object_schemes, "object identifier scheme (BT-18)"},
	{"BR-CL-08", false, "ram:SubjectCode", NULL, {NULL, NULL}, NULL, -1,
	note_subjects, "invoice note subject code (BT-21)"},
	{"BR-CL-10", true, "cbc:ID", "cac:PartyIdentification", {NULL, NULL}, "schemeID", -1,
	icd_schemes, "identifier scheme", true},
	{"BR-CL-10", false, "ram:GlobalID", NULL, {"ram:SpecifiedTradeProduct", "ram:ShipToTradeParty"},
	"schemeID", -1, icd_schemes, "identifier scheme"},
	{"BR-CL-11", true, "cbc:CompanyID", "cac:PartyLegalEntity", {NULL, NULL}, "schemeID", -1,
	icd_schemes, "registration identifier scheme"},
	{"BR-CL-11", false, "ram:ID", NULL, {"ram:SpecifiedTaxRegistration", NULL}, "schemeID", -1,
	icd_schemes, "registration identifier scheme"},
	{"BR-CL-13", true, "cbc:ItemClassificationCode", "cac:CommodityClassification", {NULL, NULL},
	"listID", -1, classification_schemes, "item classification scheme (BT-158)"},
	{"BR-CL-13", false, "ram:ClassCode", NULL, {NULL, NULL}, "listID", -1,
	classification_schemes, "item classification scheme (BT-158)"},
	{"BR-CL-19", true, "cbc:AllowanceChargeReasonCode", "cac:AllowanceCharge", {NULL, NULL}, NULL, 0,
	allowance_reasons, "allowance reason code"},
	{"BR-CL-19", false, "ram:ReasonCode", "ram:SpecifiedTradeAllowanceCharge", {NULL, NULL}, NULL, 0,
	allowance_reasons, "allowance reason code"},
	{"BR-CL-20", true, "cbc:AllowanceChargeReasonCode", "cac:AllowanceCharge", {NULL, NULL}, NULL, 1,
	charge_reasons, "charge reason code"},
	{"BR-CL-20", false, "ram:ReasonCode", "ram:SpecifiedTradeAllowanceCharge", {NULL, NULL}, NULL, 1,
	charge_reasons, "charge reason code"},
	{"BR-CL-21", true, "cbc:ID", "cac:StandardItemIdentification", {NULL, NULL}, "schemeID", -1,
	icd_schemes, "item standard identifier scheme (BT-157)"},
	{"BR-CL-21", false, "ram:GlobalID", "ram:SpecifiedTradeProduct", {NULL, NULL}, "schemeID", -1,
	icd_schemes, "item standard identifier scheme (BT-157)"},
	{"BR-CL-22", true, "cbc:TaxExemptionReasonCode", NULL, {NULL, NULL}, NULL, -1,
	vatex_codes, "VAT exemption reason code"},
	{"BR-CL-22", false, "ram:ExemptionReasonCode", NULL, {NULL, NULL}, NULL, -1,
	vatex_codes, "VAT exemption reason code"},
	{"BR-CL-23", true, "cbc:InvoicedQuantity", NULL, {NULL, NULL}, "unitCode", -1,
	unit_codes, "unit of measure code"},
	{"BR-CL-23", true, "cbc:CreditedQuantity", NULL, {NULL, NULL}, "unitCode", -1,
	unit_codes, "unit of measure code"},
	{"BR-CL-23", true, "cbc:BaseQuantity", NULL, {NULL, NULL}, "unitCode", -1,
	unit_codes, "unit of measure code"},
	{"BR-CL-23", false, "ram:BilledQuantity", NULL, {NULL, NULL}, "unitCode", -1,
	unit_codes, "unit of measure code"},
	{"BR-CL-23", false, "ram:BasisQuantity", NULL, {NULL, NULL}, "unitCode", -1,
	unit_codes, "unit of measure code"},
	{"BR-CL-24", true, "cbc:EmbeddedDocumentBinaryObject", NULL, {NULL, NULL}, "mimeCode", -1,
	mime_codes, "MIME code of the attached document"},
	{"BR-CL-24", false, "ram:AttachmentBinaryObject", NULL, {NULL, NULL}, "mimeCode", -1,
	mime_codes, "MIME code of the attached document"},
	{"BR-CL-25", true, "cbc:EndpointID", NULL, {NULL, NULL}, "schemeID", -1,
	eas_schemes, "electronic address scheme"},
	{"BR-CL-25", false, "ram:URIID", "ram:URIUniversalCommunication", {NULL, NULL}, "schemeID", -1,
	eas_schemes, "electronic address scheme"},
	{"BR-CL-26", true, "cbc:ID", "cac:DeliveryLocation", {NULL, NULL}, "schemeID", -1,
	icd_schemes, "delivery location identifier scheme (BT-71)"},
	{"BR-CL-26", false, "ram:GlobalID", "ram:ShipToTradeParty", {NULL, NULL}, "schemeID", -1,
	icd_schemes, "delivery location identifier scheme (BT-71)"},
};

/* UBL's bank assigned creditor identifier (BT-90): a SEPA scheme of the seller or payee */
static bool
sepa_creditor(xmlNodePtr node, const char *code)
{
	if (strcmp(code, "SEPA") != 0)
		return false;
	for (xmlNodePtr a = node->parent; a != NULL && a->type == XML_ELEMENT_NODE; a = a->parent)
		if (ei_named(a, "cac:AccountingSupplierParty") || ei_named(a, "cac:PayeeParty"))
			return true;
	return false;
}

static bool
applies(EiCheck *c, const ListRule *r, xmlNodePtr node)
{
	xmlNodePtr	parent = node->parent;

	if (r->ubl != c->ubl || !ei_named(node, r->element))
		return false;
	if (r->parent != NULL && !ei_named(parent, r->parent))
		return false;
	for (int i = 0; i < lengthof(r->not_parents); i++)
		if (r->not_parents[i] != NULL && ei_named(parent, r->not_parents[i]))
			return false;
	/* the official contexts take only coded attributes that are there */
	if (r->attribute != NULL && ei_attr(node, r->attribute).text == NULL)
		return false;
	if (r->document_type != NULL)
	{
		xmlNodePtr	type = ei_child(parent, "cbc:DocumentTypeCode");

		while (type != NULL && strcmp(ei_value(type).text, r->document_type) != 0)
			type = ei_next(type);
		if (type == NULL)
			return false;
	}
	return r->charge < 0 || ei_charge_indicator(c, parent) == r->charge;
}

/* the rules by the local name of their element (after its "ram:" prefix) */
static EiByName by_name[lengthof(list_rules)];
static bool indexed = false;

void
ei_check_listed_codes(EiCheck *c, xmlNodePtr node)
{
	const EiByName *first;
	int			n;

	if (!indexed)
	{
		for (int i = 0; i < lengthof(list_rules); i++)
		{
			by_name[i].local = list_rules[i].element + 4;
			by_name[i].rule = i;
		}
		ei_sort_by_name(by_name, lengthof(list_rules));
		indexed = true;
	}
	n = ei_by_name(by_name, lengthof(list_rules), (const char *) node->name, &first);
	for (int i = 0; i < n; i++)
	{
		const ListRule *r = &list_rules[first[i].rule];
		EiValue		v;
		const char *code;

		if (!applies(c, r, node))
			continue;
		v = r->attribute != NULL ? ei_attr(node, r->attribute) : ei_value(node);
		code = ei_trimmed(&v);
		if (r->list == NULL ? code == NULL || strlen(code) != 2 || !iso3166_country(code)
			: code == NULL || (!ei_in_list(r->list, code) && !(r->sepa && sepa_creditor(node, code))))
			ei_fail(c, r->rule, node, "The %s \"%s\" is not in its code list.", r->what,
					code ? code : "");
	}
}

/*
 * BR-CL-08 in UBL: a note with a three-letter subject code between its
 * first two '#' (as "#AAI#...") uses UNCL 4451.
 */
void
ei_check_note_subjects(EiCheck *c)
{
	for (int i = 0; c->ubl && i < c->inv->n_notes; i++)
	{
		const char *s = c->inv->notes[i].content.text;
		const char *first = s ? strchr(s, '#') : NULL;
		const char *second = first ? strchr(first + 1, '#') : NULL;
		char		code[4];

		if (second == NULL || second - first != 4)
			continue;
		memcpy(code, first + 1, 3);
		code[3] = '\0';
		if (!ei_in_list(note_subjects, code))
			ei_fail(c, "BR-CL-08", c->inv->notes[i].content.node,
					"The invoice note subject code (BT-21) \"%s\" is not in its code list.", code);
	}
}
