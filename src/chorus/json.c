/*
 * json.c
 *		Checks and reads Chorus Pro answers with PostgreSQL's own JSON
 *		parser (common/jsonapi.h), which reports errors instead of raising.
 */
#include "postgres.h"

#include "chorus/json.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"

char *
json_problem(char *text, int len)
{
	JsonLexContext *lex = makeJsonLexContextCstringLen(text, len, PG_UTF8, false);
	JsonParseErrorType result = pg_parse_json(lex, &nullSemAction);

	return result == JSON_SUCCESS ? NULL : json_errdetail(result, lex);
}

typedef struct FieldSearch
{
	JsonLexContext *lex;
	const char *field;
	bool		in_field;		/* the next top-level scalar is the one */
	char	   *value;
} FieldSearch;

static void
field_start(void *arg, char *name, bool isnull)
{
	FieldSearch *search = arg;

	search->in_field = search->lex->lex_level == 1 && strcmp(name, search->field) == 0;
}

static void
scalar(void *arg, char *token, JsonTokenType type)
{
	FieldSearch *search = arg;

	if (search->in_field && search->lex->lex_level == 1 && type != JSON_TOKEN_NULL)
		search->value = token;
	search->in_field = false;
}

char *
json_top_field(char *text, int len, const char *field)
{
	FieldSearch search = {0};
	JsonSemAction sem = {0};

	search.lex = makeJsonLexContextCstringLen(text, len, PG_UTF8, true);
	search.field = field;
	sem.semstate = &search;
	sem.object_field_start = field_start;
	sem.scalar = scalar;
	if (pg_parse_json(search.lex, &sem) != JSON_SUCCESS)
		return NULL;
	return search.value;
}
