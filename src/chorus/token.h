/*
 * token.h
 *		Signing in to PISTE and Chorus Pro: the OAuth2 token request and the
 *		cpro-account header.  Secrets stay in the worker's memory; nothing
 *		here logs them.
 */
#ifndef CHORUS_TOKEN_H
#define CHORUS_TOKEN_H

#include "chorus/http.h"

typedef struct ChorusCredentials
{
	char	   *client_id;
	char	   *client_secret;
	char	   *login;
	char	   *password;
} ChorusCredentials;

/* the form body of the client-credentials token request */
extern char *token_request_body(const ChorusCredentials *cred);

/* "cpro-account: base64(login:password)" */
extern char *cpro_account_header(const ChorusCredentials *cred);

/* The token of a token answer, or NULL with *problem set. */
extern char *token_from_answer(HttpCall *call, int *expires_in, char **problem);

#endif							/* CHORUS_TOKEN_H */
