/*
 * rules.h
 *		The EN 16931 business rules (official validation artefacts 1.3.16)
 *		checked over an EInvoice, and the platform's own warnings.
 */
#ifndef BIZINVOICE_RULES_H
#define BIZINVOICE_RULES_H

#include "postgres.h"

#include "einvoice.h"
#include "nodes/pg_list.h"

typedef struct EiFinding
{
	const char *rule;			/* BR-CO-10, UBL-SR-..., BIZ-... */
	bool		fatal;
	char	   *location;		/* an XPath */
	char	   *message;
} EiFinding;

typedef struct EiCheck
{
	EInvoice   *inv;
	bool		ubl;
	List	   *findings;
} EiCheck;

/* Every finding over the invoice, in rule order within each group. */
extern List *ei_check(EInvoice *inv);

/* Records a fatal finding (ei_fail) or a warning (ei_warn) at a node. */
extern void ei_fail(EiCheck *c, const char *rule, xmlNodePtr where,
					const char *fmt,...) pg_attribute_printf(4, 5);
extern void ei_warn(EiCheck *c, const char *rule, xmlNodePtr where,
					const char *fmt,...) pg_attribute_printf(4, 5);

/* Whether a code is one of a space-separated list's (" A B C "). */
extern bool ei_in_list(const char *list, const char *code);

/* Whether an allowance or charge element is a charge (1), an allowance (0), or says neither (-1). */
extern int	ei_charge_indicator(EiCheck *c, xmlNodePtr ac);

/* Whether a value is present (not blank). */
#define EI_HAS(v) (ei_trimmed(&(v)) != NULL)

/* The groups of rules, one file each. */
extern void ei_check_presence(EiCheck *c);	/* BR-01 ... BR-65, BR-CO-26 */
extern void ei_check_totals(EiCheck *c);	/* BR-CO-*: calculations */
extern void ei_check_vat(EiCheck *c);	/* BR-S, Z, E, AE, IC, G, O */
extern void ei_check_codes(EiCheck *c); /* BR-CL-*, BR-DEC-*, syntax */
extern void ei_check_context(EiCheck *c);	/* periods, delivery, documents, items */
extern void ei_check_agreement(EiCheck *c);	/* UBL-SR, CII-SR comparing values */
/*
 * A table's rules sorted by the local name of the element each looks at, so
 * that each element of a document finds its own with a binary search.
 */
typedef struct EiByName
{
	const char *local;
	int			rule;			/* its position in the table */
} EiByName;

extern void ei_sort_by_name(EiByName *index, int n);

/* How many entries the index has for this local name; *first: the first of them. */
extern int	ei_by_name(const EiByName *index, int n, const char *local, const EiByName **first);

/* The rules over each element of the document, wherever it stands. */
extern void ei_check_listed_codes(EiCheck *c, xmlNodePtr node);	/* BR-CL-* */
extern void ei_check_occurrences(EiCheck *c, xmlNodePtr node); /* UBL-SR, CII-SR */
extern void ei_check_note_subjects(EiCheck *c); /* BR-CL-08 in UBL's notes */

#endif							/* BIZINVOICE_RULES_H */
