/*
 * token.c
 *		PISTE OAuth2 (client credentials) and the Chorus Pro technical user.
 */
#include "postgres.h"

#include <curl/curl.h>

#include "chorus/json.h"
#include "chorus/token.h"
#include "common/base64.h"

static void
append_escaped(StringInfo buf, const char *key, const char *value)
{
	char	   *escaped = curl_easy_escape(NULL, value, 0);

	if (escaped == NULL)
		elog(ERROR, "could not escape a form field");
	appendStringInfo(buf, "&%s=%s", key, escaped);
	curl_free(escaped);
}

char *
token_request_body(const ChorusCredentials *cred)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "grant_type=client_credentials");
	append_escaped(&buf, "client_id", cred->client_id);
	append_escaped(&buf, "client_secret", cred->client_secret);
	appendStringInfoString(&buf, "&scope=openid");
	return buf.data;
}

char *
cpro_account_header(const ChorusCredentials *cred)
{
	char	   *plain = psprintf("%s:%s", cred->login, cred->password);
	int			len = strlen(plain);
	int			size = pg_b64_enc_len(len);
	char	   *header = palloc(strlen("cpro-account: ") + size + 1);
	int			n;

	strcpy(header, "cpro-account: ");
	n = pg_b64_encode(plain, len, header + strlen(header), size);
	if (n < 0)
		elog(ERROR, "could not encode the Chorus Pro account");
	header[strlen("cpro-account: ") + n] = '\0';
	memset(plain, 0, len);
	pfree(plain);
	return header;
}

char *
token_from_answer(HttpCall *call, int *expires_in, char **problem)
{
	char	   *token;
	char	   *expiry;
	char	   *description;

	if (call->http_status == 0)
	{
		*problem = psprintf("no answer: %s", call->error);
		return NULL;
	}
	if (json_problem(call->answer.data, call->answer.len) != NULL)
	{
		*problem = psprintf("HTTP status %ld, and the answer is not JSON", call->http_status);
		return NULL;
	}
	token = json_top_field(call->answer.data, call->answer.len, "access_token");
	if (call->http_status != 200 || token == NULL || token[0] == '\0')
	{
		char	   *error = json_top_field(call->answer.data, call->answer.len, "error");

		description = json_top_field(call->answer.data, call->answer.len, "error_description");
		*problem = psprintf("HTTP status %ld: %s%s%s", call->http_status,
							error ? error : "no token",
							description ? ": " : "", description ? description : "");
		return NULL;
	}
	expiry = json_top_field(call->answer.data, call->answer.len, "expires_in");
	*expires_in = expiry ? atoi(expiry) : 0;
	if (*expires_in <= 0)
		*expires_in = 60;		/* unknown lifetime: ask again soon */
	return token;
}
