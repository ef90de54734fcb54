/*
 * rules_syntax.c
 *		The syntax rules of the EN 16931 artefacts (UBL-SR-*, CII-SR-*) that
 *		bound how often an element occurs, so that a document never carries
 *		two values of a term the model holds once, or lacks one it needs.
 *		The rules are data generated from the artefacts (syntax_rules.h);
 *		each element of the document is checked against the contexts it
 *		matches.
 */
#include "postgres.h"

#include "rules.h"

/* Which of the elements a path reaches count, and by what they lead to */
typedef struct SyntaxFilter
{
	const char *on;				/* a child path, or an attribute; NULL: no filter */
	bool		attribute;
	bool		upper;			/* compared upper-cased */
	bool		negated;		/* differs from value, rather than equals it */
	const char *value;
	const char *rest;			/* what counts, from each element kept ("": itself) */
} SyntaxFilter;

typedef struct SyntaxRule
{
	const char *rule;
	bool		ubl;
	const char *context;
	int			charge;			/* -1; or an allowance (0) or a charge (1) only */
	const char *path;
	char		op;				/* at most ('<'), exactly ('=') or at least ('>') n */
	int			n;
	SyntaxFilter filter;
	const char *message;
} SyntaxRule;

#include "syntax_rules.h"

/* The next step of a path ("a/b//c"): its name copied into step, the rest returned. */
static const char *
next_step(const char *path, char *step, size_t size)
{
	const char *slash = strchr(path, '/');
	size_t		len = slash ? (size_t) (slash - path) : strlen(path);

	strlcpy(step, path, Min(len + 1, size));
	return slash ? slash + 1 : path + len;
}

/*
 * Whether the path's steps, read from the right, name the node and its
 * ancestors; from the root too when absolute.
 */
static bool
matches_upward(xmlNodePtr node, const char *path, bool absolute)
{
	const char *end = path + strlen(path);

	while (end > path)
	{
		const char *start = end;
		char		step[128];

		while (start > path && start[-1] != '/')
			start--;
		strlcpy(step, start, Min((size_t) (end - start) + 1, sizeof(step)));
		if (node == NULL || node->type != XML_ELEMENT_NODE || !ei_named(node, step))
			return false;
		node = node->parent;
		end = start;
		while (end > path && end[-1] == '/')
			end--;
	}
	return !absolute || (node != NULL && node->type == XML_DOCUMENT_NODE);
}

/* Whether the node stands where the context says (its local name already matches). */
static bool
in_context(xmlNodePtr node, const char *context)
{
	if (strcmp(context, "/") == 0)
		return node->parent != NULL && node->parent->type == XML_DOCUMENT_NODE;
	return matches_upward(node, context + strspn(context, "/"),
						  context[0] == '/' && context[1] != '/');
}

/* Whether an element passes the filter: its value there, when it has one, is (or is not) the value. */
static bool
passes(xmlNodePtr node, const SyntaxFilter *f)
{
	EiValue		v = f->attribute ? ei_attr(node, f->on) : ei_path(node, f->on);

	if (v.text == NULL)
		return false;
	return (f->upper ? pg_strcasecmp(v.text, f->value) == 0 : strcmp(v.text, f->value) == 0) != f->negated;
}

static int count_path(xmlNodePtr node, const char *path, const SyntaxFilter *f);

/* An element the path reached: it counts, or what the filter's rest reaches from it does. */
static int
count_reached(xmlNodePtr node, const SyntaxFilter *f)
{
	if (f == NULL || f->on == NULL)
		return 1;
	return passes(node, f) ? count_path(node, f->rest, NULL) : 0;
}

/* How many elements path reaches from node; "//" first: from any descendant. */
static int
count_path(xmlNodePtr node, const char *path, const SyntaxFilter *f)
{
	char		step[128];
	const char *rest;
	int			n = 0;

	if (*path == '\0')
		return count_reached(node, f);
	if (strncmp(path, "//", 2) == 0)
	{
		rest = next_step(path + 2, step, sizeof(step));
		for (xmlNodePtr c = node->children; c != NULL; c = c->next)
		{
			if (c->type != XML_ELEMENT_NODE)
				continue;
			if (ei_named(c, step))
				n += count_path(c, rest, f);
			n += count_path(c, path, f);	/* and deeper */
		}
		return n;
	}
	rest = next_step(path, step, sizeof(step));
	for (xmlNodePtr c = ei_child(node, step); c != NULL; c = ei_next(c))
		n += count_path(c, rest, f);
	return n;
}

/*
 * The rules by the local name of their context's last element (after its
 * "ram:" prefix); the root's rules ("/") under "".
 */
static EiByName by_name[lengthof(syntax_rules)];
static bool indexed = false;

static void
check_rules(EiCheck *c, xmlNodePtr node, const char *local)
{
	const EiByName *first;
	int			rules = ei_by_name(by_name, lengthof(syntax_rules), local, &first);

	for (int i = 0; i < rules; i++)
	{
		const SyntaxRule *r = &syntax_rules[first[i].rule];
		int			n;

		if (r->ubl != c->ubl || !in_context(node, r->context) ||
			(r->charge >= 0 && ei_charge_indicator(c, node) != r->charge))
			continue;
		n = count_path(node, r->path, &r->filter);
		if (r->op == '<' ? n > r->n : r->op == '=' ? n != r->n : n < r->n)
			ei_fail(c, r->rule, node, "%s (found %d).", r->message, n);
	}
}

void
ei_check_occurrences(EiCheck *c, xmlNodePtr node)
{
	if (!indexed)
	{
		for (int i = 0; i < lengthof(syntax_rules); i++)
		{
			const char *context = syntax_rules[i].context;
			const char *last = strrchr(context, '/');

			by_name[i].local = strcmp(context, "/") == 0 ? "" : (last ? last + 1 : context) + 4;
			by_name[i].rule = i;
		}
		ei_sort_by_name(by_name, lengthof(syntax_rules));
		indexed = true;
	}
	if (node->parent != NULL && node->parent->type == XML_DOCUMENT_NODE)
		check_rules(c, node, "");
	check_rules(c, node, (const char *) node->name);
}
