/*
 * walk.c
 *		Finding elements by namespace and local name, reading their text,
 *		telling which syntax a document is in, and listing what the import
 *		did not keep.
 */
#include "postgres.h"

#include "einvoice.h"
#include "lib/stringinfo.h"

#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define NS_INVOICE "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define NS_CREDIT_NOTE "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
#define NS_RSM "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
#define NS_RAM "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
#define NS_UDT "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
#define NS_QDT "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"

/* Marks an element whose value the import keeps (libxml2 leaves _private to us). */
static char kept_mark;

static const char *
ns_of(const char *name, const char **local)
{
	*local = name + 4;
	if (strncmp(name, "cbc:", 4) == 0)
		return NS_CBC;
	if (strncmp(name, "cac:", 4) == 0)
		return NS_CAC;
	if (strncmp(name, "ram:", 4) == 0)
		return NS_RAM;
	if (strncmp(name, "rsm:", 4) == 0)
		return NS_RSM;
	if (strncmp(name, "udt:", 4) == 0)
		return NS_UDT;
	if (strncmp(name, "qdt:", 4) == 0)
		return NS_QDT;
	elog(ERROR, "unknown prefix in element name \"%s\"", name);
	return NULL;
}

static bool
is_named(xmlNodePtr node, const char *ns, const char *local)
{
	return node->type == XML_ELEMENT_NODE && node->ns != NULL &&
		strcmp((const char *) node->name, local) == 0 &&
		strcmp((const char *) node->ns->href, ns) == 0;
}

bool
ei_named(xmlNodePtr node, const char *name)
{
	const char *local;
	const char *ns = ns_of(name, &local);

	return node != NULL && is_named(node, ns, local);
}

xmlNodePtr
ei_child(xmlNodePtr parent, const char *name)
{
	const char *local;
	const char *ns = ns_of(name, &local);
	xmlNodePtr	c;

	if (parent == NULL)
		return NULL;
	for (c = parent->children; c != NULL; c = c->next)
		if (is_named(c, ns, local))
			return c;
	return NULL;
}

xmlNodePtr
ei_next(xmlNodePtr node)
{
	xmlNodePtr	c;

	for (c = node->next; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns == node->ns &&
			strcmp((const char *) c->name, (const char *) node->name) == 0)
			return c;
	return NULL;
}

xmlNodePtr
ei_find(xmlNodePtr parent, const char *path)
{
	char		step[128];
	const char *p = path;

	while (parent != NULL && *p != '\0')
	{
		const char *slash = strchr(p, '/');
		size_t		len = slash ? (size_t) (slash - p) : strlen(p);

		Assert(len < sizeof(step));
		memcpy(step, p, len);
		step[len] = '\0';
		parent = ei_child(parent, step);
		p += len + (slash ? 1 : 0);
	}
	return parent;
}

/*
 * An element's text.  The usual single text child is used in place; mixed
 * content (comments, CDATA pieces) is gathered into palloc'd memory.
 */
EiValue
ei_value(xmlNodePtr node)
{
	EiValue		v = {NULL, node};
	xmlNodePtr	c;

	if (node == NULL)
		return v;
	c = node->children;
	if (c == NULL)
		v.text = "";
	else if (c->next == NULL && c->type == XML_TEXT_NODE)
		v.text = (const char *) c->content;
	else
	{
		xmlChar    *all = xmlNodeGetContent(node);

		v.text = pstrdup(all ? (const char *) all : "");
		xmlFree(all);
	}
	return v;
}

EiValue
ei_path(xmlNodePtr parent, const char *path)
{
	return ei_value(ei_find(parent, path));
}

EiValue
ei_attr(xmlNodePtr node, const char *name)
{
	EiValue		v = {NULL, node};
	xmlAttrPtr	a;

	if (node == NULL)
		return v;
	a = xmlHasProp(node, (const xmlChar *) name);
	if (a != NULL && a->children != NULL && a->children->type == XML_TEXT_NODE)
		v.text = (const char *) a->children->content;
	return v;
}

int
ei_count(xmlNodePtr parent, const char *name)
{
	int			n = 0;
	xmlNodePtr	c;

	for (c = ei_child(parent, name); c != NULL; c = ei_next(c))
		n++;
	return n;
}

const char *
ei_trimmed(const EiValue *v)
{
	const char *s = v->text;
	size_t		len;
	char	   *out;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
					   s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len == 0)
		return NULL;
	if (s[len] == '\0')
		return s;
	out = palloc(len + 1);
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

/*
 * An XPath a person can follow: prefixed names and positions, as libxml2
 * writes them, except that the root, in UBL's default namespace, is named
 * rather than written "*".
 */
char *
ei_where(xmlNodePtr node)
{
	xmlChar    *path;
	char	   *out;
	xmlNodePtr	root;

	if (node == NULL)
		return pstrdup("/");
	path = xmlGetNodePath(node);
	root = xmlDocGetRootElement(node->doc);
	if (path != NULL && path[0] == '/' && path[1] == '*' && root != NULL)
		out = psprintf("/%s%s", (const char *) root->name, (const char *) path + 2);
	else
		out = pstrdup(path ? (const char *) path : "/");
	xmlFree(path);
	return out;
}

void
ei_mark(const EiValue *v)
{
	if (v->node != NULL && v->text != NULL)
		v->node->_private = &kept_mark;
}

List *
ei_unmarked(xmlDocPtr doc)
{
	List	   *unread = NIL;
	xmlNodePtr	node = xmlDocGetRootElement(doc);

	/* depth-first without recursion: the parser already bounded the depth */
	while (node != NULL)
	{
		xmlNodePtr	c;
		bool		has_element = false;

		for (c = node->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				has_element = true;
		if (!has_element && node->_private != &kept_mark)
		{
			EiValue		v = ei_value(node);

			if (ei_trimmed(&v) != NULL)
				unread = lappend(unread, ei_where(node));
		}
		if (has_element)
		{
			for (c = node->children; c->type != XML_ELEMENT_NODE; c = c->next)
				;
			node = c;
			continue;
		}
		while (node != NULL)
		{
			for (c = node->next; c != NULL && c->type != XML_ELEMENT_NODE; c = c->next)
				;
			if (c != NULL)
			{
				node = c;
				break;
			}
			node = node->parent;
			if (node == NULL || node->type != XML_ELEMENT_NODE)
				node = NULL;
		}
	}
	return unread;
}

EInvoice *
ei_read(xmlDocPtr doc)
{
	EInvoice   *inv = palloc0(sizeof(EInvoice));
	xmlNodePtr	root = xmlDocGetRootElement(doc);
	const char *ns = (root && root->ns) ? (const char *) root->ns->href : "";

	inv->root = root;
	if (root && strcmp((const char *) root->name, "Invoice") == 0 &&
		strcmp(ns, NS_INVOICE) == 0)
		inv->syntax = EI_UBL_INVOICE;
	else if (root && strcmp((const char *) root->name, "CreditNote") == 0 &&
			 strcmp(ns, NS_CREDIT_NOTE) == 0)
		inv->syntax = EI_UBL_CREDIT_NOTE;
	else if (root && strcmp((const char *) root->name, "CrossIndustryInvoice") == 0 &&
			 strcmp(ns, NS_RSM) == 0)
		inv->syntax = EI_CII;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("document is not an EN 16931 invoice"),
				 errdetail("The root element is {%s}%s; expected a UBL 2.1 Invoice or CreditNote, or a CII D16B CrossIndustryInvoice.",
						   ns, root ? (const char *) root->name : "(none)")));
	if (inv->syntax == EI_CII)
		ei_read_cii(inv);
	else
		ei_read_ubl(inv);
	return inv;
}
