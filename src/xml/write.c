/*
 * write.c
 *		What both writers share: reading invoice_document()'s JSON and adding
 *		elements.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/numeric.h"
#include "write.h"

static JsonbValue *
member(JsonbContainer *c, const char *key)
{
	JsonbValue *v;

	if (c == NULL)
		return NULL;
	v = getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
	return (v == NULL || v->type == jbvNull) ? NULL : v;
}

JsonbContainer *
jd_object(JsonbContainer *c, const char *key)
{
	JsonbValue *v = member(c, key);

	return (v != NULL && v->type == jbvBinary) ? v->val.binary.data : NULL;
}

char *
jd_text(JsonbContainer *c, const char *key)
{
	JsonbValue *v = member(c, key);

	if (v == NULL)
		return NULL;
	switch (v->type)
	{
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		default:
			return NULL;
	}
}

int
jd_length(JsonbContainer *c, const char *key)
{
	JsonbContainer *a = jd_object(c, key);

	return (a != NULL && JsonContainerIsArray(a)) ? JsonContainerSize(a) : 0;
}

JsonbContainer *
jd_item(JsonbContainer *c, const char *key, int i)
{
	JsonbValue *v = getIthJsonbValueFromContainer(jd_object(c, key), i);

	return (v != NULL && v->type == jbvBinary) ? v->val.binary.data : NULL;
}

xmlNodePtr
w_text(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	if (text == NULL)
		return NULL;
	return xmlNewTextChild(parent, ns, (const xmlChar *) name, (const xmlChar *) text);
}

xmlNodePtr
w_attr(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text,
	   const char *attr, const char *value)
{
	xmlNodePtr	node = w_text(parent, ns, name, text);

	if (node != NULL && value != NULL)
		xmlNewProp(node, (const xmlChar *) attr, (const xmlChar *) value);
	return node;
}

char *
w_cii_date(const char *date)
{
	if (date == NULL || strlen(date) != 10)
		return NULL;
	return psprintf("%.4s%.2s%.2s", date, date + 5, date + 8);
}

void
w_exemption(const char *category, const char **code, const char **text)
{
	static const struct
	{
		const char *category;
		const char *code;
		const char *text;
	}			reasons[] = {
		{"E", NULL, "Exonération de TVA"},
		{"AE", "VATEX-EU-AE", "Autoliquidation"},
		{"K", "VATEX-EU-IC", "Livraison intracommunautaire exonérée"},
		{"G", "VATEX-EU-G", "Exportation hors UE exonérée"},
		{"O", "VATEX-EU-O", "Non soumis à la TVA"},
	};
	int			i;

	*code = *text = NULL;
	for (i = 0; i < lengthof(reasons); i++)
		if (category != NULL && strcmp(category, reasons[i].category) == 0)
		{
			*code = reasons[i].code;
			*text = reasons[i].text;
		}
}

const char *
w_means_code(JsonbContainer *payment)
{
	const char *code = jd_text(payment, "means_code");

	if (code == NULL)
		code = "58";
	if (jd_text(payment, "iban") == NULL && (strcmp(code, "30") == 0 || strcmp(code, "58") == 0))
		return NULL;
	return code;
}
