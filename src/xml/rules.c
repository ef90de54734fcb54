/*
 * rules.c
 *		Running the groups of EN 16931 rules and recording what they find.
 */
#include "postgres.h"

#include "rules.h"
#include "lib/stringinfo.h"

static void record(EiCheck *c, const char *rule, bool fatal, xmlNodePtr where,
				   const char *fmt, va_list args) pg_attribute_printf(5, 0);

static void
record(EiCheck *c, const char *rule, bool fatal, xmlNodePtr where,
	   const char *fmt, va_list args)
{
	EiFinding  *f = palloc(sizeof(EiFinding));
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		copy;
		int			needed;

		va_copy(copy, args);
		needed = appendStringInfoVA(&buf, fmt, copy);
		va_end(copy);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	f->rule = rule;
	f->fatal = fatal;
	f->location = ei_where(where);
	f->message = buf.data;
	c->findings = lappend(c->findings, f);
}

void
ei_fail(EiCheck *c, const char *rule, xmlNodePtr where, const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	record(c, rule, true, where, fmt, args);
	va_end(args);
}

void
ei_warn(EiCheck *c, const char *rule, xmlNodePtr where, const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	record(c, rule, false, where, fmt, args);
	va_end(args);
}

int
ei_charge_indicator(EiCheck *c, xmlNodePtr ac)
{
	EiValue		v = ei_path(ac, c->ubl ? "cbc:ChargeIndicator" : "ram:ChargeIndicator/udt:Indicator");
	const char *s = ei_trimmed(&v);

	if (s == NULL)
		return -1;
	return strcmp(s, "true") == 0 ? 1 : strcmp(s, "false") == 0 ? 0 : -1;
}

static int
by_name_cmp(const void *a, const void *b)
{
	return strcmp(((const EiByName *) a)->local, ((const EiByName *) b)->local);
}

void
ei_sort_by_name(EiByName *index, int n)
{
	qsort(index, n, sizeof(EiByName), by_name_cmp);
}

int
ei_by_name(const EiByName *index, int n, const char *local, const EiByName **first)
{
	int			lo = 0;
	int			hi = n;
	int			end;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (strcmp(index[mid].local, local) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < n && strcmp(index[end].local, local) == 0; end++)
		;
	*first = &index[lo];
	return end - lo;
}

/* The rules that look at every element, in one walk over the document */
static void
check_elements(EiCheck *c, xmlNodePtr node)
{
	for (xmlNodePtr n = node; n != NULL; n = n->next)
	{
		if (n->type != XML_ELEMENT_NODE)
			continue;
		ei_check_listed_codes(c, n);
		ei_check_occurrences(c, n);
		check_elements(c, n->children);
	}
}

List *
ei_check(EInvoice *inv)
{
	EiCheck		c;

	c.inv = inv;
	c.ubl = inv->syntax != EI_CII;
	c.findings = NIL;
	ei_check_presence(&c);
	ei_check_totals(&c);
	ei_check_vat(&c);
	ei_check_codes(&c);
	ei_check_context(&c);
	ei_check_agreement(&c);
	check_elements(&c, inv->root);
	ei_check_note_subjects(&c);
	return c.findings;
}
