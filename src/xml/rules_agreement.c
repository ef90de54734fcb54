/*
 * rules_agreement.c
 *		The syntax rules that compare values across elements, which the
 *		generated occurrence table cannot say: one payment identifier, means
 *		code and means text per invoice (UBL-SR-44, 46, 47; CII-SR-462, 467,
 *		468), a payee other than the seller (UBL-SR-19, 20, 21), scheme
 *		identifiers only where they mean something (UBL-SR-43, CII-SR-046),
 *		one country of origin (CII-SR-090), an account for credit transfers
 *		(CII-SR-470).  Comparisons follow XPath's: raw string values, or
 *		normalize-space() where the official test says so.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "rules.h"

/* A value that must be the same wherever the document carries it. */
typedef struct Agreement
{
	const char *rule;
	bool		ubl;
	const char *element;
	const char *parent;			/* NULL: under any parent */
	bool		normalized;
	const char *what;
} Agreement;

static const Agreement agreements[] = {
	{"UBL-SR-44", true, "cbc:PaymentID", NULL, false, "payment identifier"},
	{"UBL-SR-47", true, "cbc:PaymentMeansCode", NULL, false, "payment means code (BT-81)"},
	{"CII-SR-462", false, "ram:DueDateTypeCode", "ram:ApplicableTradeTax", false,
	"VAT point date code (BT-8)"},
	{"CII-SR-467", false, "ram:TypeCode", "ram:SpecifiedTradeSettlementPaymentMeans", true,
	"payment means code (BT-81)"},
	{"CII-SR-468", false, "ram:Information", "ram:SpecifiedTradeSettlementPaymentMeans", true,
	"payment means text (BT-82)"},
};

typedef struct Seen
{
	const char *first;			/* the first value met, NULL before */
	bool		failed;			/* reported once a document */
} Seen;

/* normalize-space(): XML whitespace trimmed, inner runs made one space */
static const char *
normalized(const char *s)
{
	StringInfoData buf;
	bool		space = false;

	initStringInfo(&buf);
	for (; *s; s++)
	{
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			space = buf.len > 0;
		else
		{
			if (space)
				appendStringInfoChar(&buf, ' ');
			appendStringInfoChar(&buf, *s);
			space = false;
		}
	}
	return buf.data;
}

/* Whether some string of one list differs from some string of the other (XPath's !=). */
static bool
some_differ(List *a, List *b)
{
	ListCell   *i;
	ListCell   *j;

	foreach(i, a)
	{
		foreach(j, b)
		{
			if (strcmp(lfirst(i), lfirst(j)) != 0)
				return true;
		}
	}
	return false;
}

/* The texts of the elements at path under each element named first under parent. */
static List *
texts(xmlNodePtr parent, const char *first, const char *path)
{
	List	   *out = NIL;

	for (xmlNodePtr n = ei_child(parent, first); n != NULL; n = ei_next(n))
		for (xmlNodePtr e = ei_child(n, path); e != NULL; e = ei_next(e))
			out = lappend(out, (char *) ei_value(e).text);
	return out;
}

/*
 * UBL-SR-19, 20, 21 on a payee (BG-10): its name, identifier and legal
 * registration identifier at most once each, and a name other than the
 * seller's legal name (BT-27), for a payee is another party than the seller.
 */
static void
check_payee(EiCheck *c, xmlNodePtr payee)
{
	List	   *names = texts(payee, "cac:PartyName", "cbc:Name");
	List	   *seller = texts(ei_find(payee->parent, "cac:AccountingSupplierParty/cac:Party"),
							   "cac:PartyLegalEntity", "cbc:RegistrationName");
	bool		other = some_differ(names, seller);
	int			ids = 0;
	int			legal = 0;

	for (xmlNodePtr n = ei_child(payee, "cac:PartyIdentification"); n != NULL; n = ei_next(n))
		for (xmlNodePtr id = ei_child(n, "cbc:ID"); id != NULL; id = ei_next(id))
		{
			const char *scheme = ei_attr(id, "schemeID").text;

			ids += scheme == NULL || pg_strcasecmp(scheme, "SEPA") != 0;
		}
	for (xmlNodePtr n = ei_child(payee, "cac:PartyLegalEntity"); n != NULL; n = ei_next(n))
		legal += ei_count(n, "cbc:CompanyID");

	if (!other)
	{
		const char *why = names == NIL ? "The payee has no name to tell it from the seller" :
			seller == NIL ? "The seller has no legal name to tell the payee from" :
			"The payee's name is the seller's legal name";

		/* each of the three rules tests it */
		static const char *const rules[] = {"UBL-SR-19", "UBL-SR-20", "UBL-SR-21"};

		for (int i = 0; i < lengthof(rules); i++)
			ei_fail(c, rules[i], payee, "%s: a payee (BG-10) is another party than the seller.", why);
		return;
	}
	if (list_length(names) > 1)
		ei_fail(c, "UBL-SR-19", payee, "The payee has %d names (BT-59); one at most.", list_length(names));
	if (ids > 1)
		ei_fail(c, "UBL-SR-20", payee, "The payee has %d identifiers (BT-60); one at most, besides SEPA.", ids);
	if (legal > 1)
		ei_fail(c, "UBL-SR-21", payee, "The payee has %d legal registration identifiers (BT-61); one at most.", legal);
}

/* Whether an element has a child so named whose text is exactly code. */
static bool
has_code(xmlNodePtr parent, const char *name, const char *code)
{
	for (xmlNodePtr n = ei_child(parent, name); n != NULL; n = ei_next(n))
		if (strcmp(ei_value(n).text, code) == 0)
			return true;
	return false;
}

/* UBL-SR-43: a scheme identifier only for an invoiced object (130), or a credit note's tender (50). */
static void
check_document_reference(EiCheck *c, xmlNodePtr ref)
{
	bool		scheme = false;

	for (xmlNodePtr id = ei_child(ref, "cbc:ID"); id != NULL; id = ei_next(id))
		scheme |= xmlHasProp(id, (const xmlChar *) "schemeID") != NULL;
	if (has_code(ref, "cbc:DocumentTypeCode", "130") ||
		(c->inv->syntax == EI_UBL_CREDIT_NOTE && has_code(ref, "cbc:DocumentTypeCode", "50")) ||
		(!scheme && ei_child(ref, "cbc:DocumentTypeCode") == NULL))
		return;
	ei_fail(c, "UBL-SR-43", ref, "A document reference %s: only an invoiced object (document type code 130)%s does.",
			scheme ? "carries a scheme identifier" : "carries a document type code",
			c->inv->syntax == EI_UBL_CREDIT_NOTE ? " or a tender or lot (50)" : "");
}

/*
 * One walk over every element: the values that must agree wherever they
 * stand, and the UBL payees and document references wherever they stand.
 */
static void
walk(EiCheck *c, xmlNodePtr node, Seen *seen)
{
	for (xmlNodePtr n = node; n != NULL; n = n->next)
	{
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (c->ubl && ei_named(n, "cac:PayeeParty"))
			check_payee(c, n);
		else if (c->ubl && ei_named(n, "cac:AdditionalDocumentReference"))
			check_document_reference(c, n);
		for (int i = 0; i < lengthof(agreements); i++)
		{
			const Agreement *a = &agreements[i];
			const char *value;

			if (a->ubl != c->ubl || seen[i].failed || !ei_named(n, a->element) ||
				(a->parent != NULL && !ei_named(n->parent, a->parent)))
				continue;
			value = ei_value(n).text;
			if (a->normalized)
				value = normalized(value);
			if (seen[i].first == NULL)
				seen[i].first = value;
			else if (strcmp(seen[i].first, value) != 0)
			{
				ei_fail(c, a->rule, n, "The %s \"%s\" differs from the first one, \"%s\": the invoice has one.",
						a->what, value, seen[i].first);
				seen[i].failed = true;
			}
		}
		walk(c, n->children, seen);
	}
}

/* CII-SR-046 and CII-SR-090 on each line's product. */
static void
check_products(EiCheck *c)
{
	xmlNodePtr	tx = ei_child(c->inv->root, "rsm:SupplyChainTradeTransaction");

	for (xmlNodePtr line = ei_child(tx, "ram:IncludedSupplyChainTradeLineItem"); line; line = ei_next(line))
		for (xmlNodePtr p = ei_child(line, "ram:SpecifiedTradeProduct"); p; p = ei_next(p))
		{
			xmlNodePtr	global = ei_child(p, "ram:GlobalID");
			bool		scheme = false;
			int			origins = 0;

			for (xmlNodePtr g = global; g != NULL; g = ei_next(g))
				scheme |= xmlHasProp(g, (const xmlChar *) "schemeID") != NULL;
			if (global != NULL && !scheme)
				ei_fail(c, "CII-SR-046", global, "The item's global identifier (BT-157) has no scheme identifier.");
			for (xmlNodePtr o = ei_child(p, "ram:OriginTradeCountry"); o; o = ei_next(o))
				origins += ei_count(o, "ram:ID");
			if (ei_child(p, "ram:OriginTradeCountry") != NULL && origins != 1)
				ei_fail(c, "CII-SR-090", p, "The item's country of origin (BT-159) has %d codes; one.", origins);
		}
}

/* CII-SR-470: a credit transfer (30, 58) names the account to pay (BT-84). */
static void
check_transfer_accounts(EiCheck *c)
{
	xmlNodePtr	settlement = ei_find(c->inv->root,
									 "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement");

	for (xmlNodePtr m = ei_child(settlement, "ram:SpecifiedTradeSettlementPaymentMeans"); m; m = ei_next(m))
	{
		xmlNodePtr	code = ei_child(m, "ram:TypeCode");
		const char *means = code ? normalized(ei_value(code).text) : "";
		bool		account = false;

		for (xmlNodePtr a = ei_child(m, "ram:PayeePartyCreditorFinancialAccount"); a; a = ei_next(a))
			account |= ei_child(a, "ram:IBANID") != NULL || ei_child(a, "ram:ProprietaryID") != NULL;
		if ((strcmp(means, "30") == 0 || strcmp(means, "58") == 0) && !account)
		{
			ei_fail(c, "CII-SR-470", m, "A credit transfer (payment means %s) gives neither an IBAN nor a proprietary account identifier (BT-84).",
					means);
			return;
		}
	}
}

void
ei_check_agreement(EiCheck *c)
{
	Seen		seen[lengthof(agreements)] = {{0}};

	walk(c, c->inv->root, seen);
	if (c->ubl)
	{
		xmlNodePtr	means = ei_child(c->inv->root, "cac:PaymentMeans");
		int			texts = 0;

		/* UBL-SR-46: the payment means text (BT-82) rides on the code's name attribute */
		for (; means != NULL; means = ei_next(means))
			for (xmlNodePtr code = ei_child(means, "cbc:PaymentMeansCode"); code; code = ei_next(code))
				texts += xmlHasProp(code, (const xmlChar *) "name") != NULL;
		if (texts > 1)
			ei_fail(c, "UBL-SR-46", c->inv->root, "The invoice has %d payment means texts (BT-82); one at most.", texts);
	}
	else
	{
		check_products(c);
		check_transfer_accounts(c);
	}
}
