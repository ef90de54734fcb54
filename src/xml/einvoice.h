/*
 * einvoice.h
 *		An EN 16931 invoice as read from UBL 2.1 or CII D16B: the business
 *		terms the platform uses, each with the XML node it came from so that
 *		rules and the import can say where.  Values point into the document,
 *		which must outlive the EInvoice.
 */
#ifndef BIZINVOICE_EINVOICE_H
#define BIZINVOICE_EINVOICE_H

#include "postgres.h"

#include <libxml/tree.h>

#include "nodes/pg_list.h"

typedef enum EiSyntax
{
	EI_UBL_INVOICE,
	EI_UBL_CREDIT_NOTE,
	EI_CII
} EiSyntax;

/* One business term: its text (NULL when absent) and its element. */
typedef struct EiValue
{
	const char *text;
	xmlNodePtr	node;
} EiValue;

typedef struct EiParty
{
	xmlNodePtr	node;			/* NULL when the party is absent */
	EiValue		name;			/* BT-27/44/59/62 */
	EiValue		id;				/* BT-29/46/60 */
	EiValue		id_scheme;
	EiValue		legal_id;		/* BT-30/47/61 */
	EiValue		legal_scheme;
	EiValue		vat_id;			/* BT-31/48/63 */
	EiValue		vat_scheme;		/* its tax scheme (VAT) */
	EiValue		tax_reg;		/* BT-32 */
	EiValue		endpoint;		/* BT-34/49 */
	EiValue		endpoint_scheme;
	EiValue		email;			/* BT-43/58 */
	xmlNodePtr	address;		/* BG-5/8/12 */
	EiValue		line1;
	EiValue		line2;
	EiValue		city;
	EiValue		postal_code;
	EiValue		country;
} EiParty;

/* A document-level (BG-20/21) or line-level (BG-27/28) allowance or charge */
typedef struct EiAllowance
{
	xmlNodePtr	node;
	bool		is_charge;
	EiValue		indicator;
	EiValue		amount;
	EiValue		base;
	EiValue		percent;
	EiValue		category;
	EiValue		rate;
	EiValue		scheme;			/* the category's tax scheme (VAT) */
	EiValue		reason;
	EiValue		reason_code;
} EiAllowance;

typedef struct EiVat			/* BG-23 */
{
	xmlNodePtr	node;
	EiValue		taxable;
	EiValue		tax;
	EiValue		category;
	EiValue		rate;
	EiValue		scheme;
	EiValue		exemption_reason;
	EiValue		exemption_code;
} EiVat;

typedef struct EiLine			/* BG-25 */
{
	xmlNodePtr	node;
	EiValue		id;
	EiValue		quantity;
	EiValue		unit_code;
	EiValue		net_amount;
	EiValue		name;
	EiValue		description;
	EiValue		net_price;
	EiValue		gross_price;
	EiValue		base_quantity;
	EiValue		category;
	EiValue		rate;
	EiValue		scheme;
	xmlNodePtr	period;			/* BG-26 */
	EiValue		period_start;	/* BT-134 */
	EiValue		period_end;		/* BT-135 */
	int			n_acs;
	EiAllowance *acs;
} EiLine;

typedef struct EiNote			/* BG-1 */
{
	EiValue		subject;
	EiValue		content;
} EiNote;

typedef struct EInvoice
{
	EiSyntax	syntax;
	xmlNodePtr	root;
	EiValue		customization;	/* BT-24 */
	EiValue		number;			/* BT-1 */
	EiValue		issue_date;		/* BT-2 */
	EiValue		type_code;		/* BT-3 */
	EiValue		currency;		/* BT-5 */
	EiValue		vat_currency;	/* BT-6 */
	EiValue		due_date;		/* BT-9 */
	EiValue		buyer_reference;	/* BT-10 */
	EiValue		contract;		/* BT-12 */
	EiValue		purchase_order; /* BT-13 */
	EiValue		preceding_number;	/* BT-25 */
	EiValue		preceding_date; /* BT-26 */
	EiValue		payment_terms;	/* BT-20 */
	xmlNodePtr	period;			/* BG-14 */
	EiValue		period_start;	/* BT-73 */
	EiValue		period_end;		/* BT-74 */
	xmlNodePtr	delivery;		/* BG-13 */
	EiValue		delivery_date;	/* BT-72 */
	EiValue		deliver_to_name;	/* BT-70 */
	xmlNodePtr	deliver_to;		/* BG-15, the deliver to address */
	EiValue		deliver_to_country; /* BT-80 */
	xmlNodePtr	payment_means;	/* BG-16 */
	EiValue		means_code;		/* BT-81 */
	EiValue		iban;			/* BT-84 */
	EiValue		bic;			/* BT-86 */
	EiParty		seller;
	EiParty		buyer;
	EiParty		payee;
	EiParty		tax_rep;
	int			n_notes;
	EiNote	   *notes;
	int			n_acs;
	EiAllowance *acs;
	int			n_vats;
	EiVat	   *vats;
	int			n_lines;
	EiLine	   *lines;
	xmlNodePtr	totals;			/* BG-22 */
	EiValue		line_total;		/* BT-106 */
	EiValue		allowance_total;	/* BT-107 */
	EiValue		charge_total;	/* BT-108 */
	EiValue		tax_exclusive;	/* BT-109 */
	EiValue		vat_total;		/* BT-110 */
	int			n_vat_totals;	/* BT-110 given in the document currency */
	EiValue		vat_total_accounting;	/* BT-111 */
	EiValue		tax_inclusive;	/* BT-112 */
	EiValue		prepaid;		/* BT-113 */
	EiValue		rounding;		/* BT-114 */
	EiValue		payable;		/* BT-115 */
} EInvoice;

/* Reads a parsed document; refuses (22023) a root that is neither syntax. */
extern EInvoice *ei_read(xmlDocPtr doc);
extern void ei_read_ubl(EInvoice *inv);
extern void ei_read_cii(EInvoice *inv);

/* Trims XML whitespace; NULL for absent or empty. */
extern const char *ei_trimmed(const EiValue *v);

/* Where a node is, as an XPath (palloc'd). */
extern char *ei_where(xmlNodePtr node);

/*
 * Walking, with names written "prefix:Local" (prefixes cac, cbc, ram, rsm,
 * udt, qdt): whether an element is so named, the first child element so named, the next sibling with the same
 * name, the element at a path of such names, an element's text, an attribute.
 */
extern bool ei_named(xmlNodePtr node, const char *name);
extern xmlNodePtr ei_child(xmlNodePtr parent, const char *name);
extern xmlNodePtr ei_next(xmlNodePtr node);
extern xmlNodePtr ei_find(xmlNodePtr parent, const char *path);
extern EiValue ei_value(xmlNodePtr node);
extern EiValue ei_path(xmlNodePtr parent, const char *path);
extern EiValue ei_attr(xmlNodePtr node, const char *name);
extern int	ei_count(xmlNodePtr parent, const char *name);

/*
 * The import marks the elements whose value it keeps; the elements holding
 * text that it did not keep, as XPaths.
 */
extern void ei_mark(const EiValue *v);
extern List *ei_unmarked(xmlDocPtr doc);

#endif							/* BIZINVOICE_EINVOICE_H */
