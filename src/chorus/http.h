/*
 * http.h
 *		Requests to Chorus Pro in flight together, over libcurl's multi
 *		interface.  Knows nothing of the database.
 */
#ifndef CHORUS_HTTP_H
#define CHORUS_HTTP_H

#include "lib/ilist.h"
#include "lib/stringinfo.h"

typedef struct HttpCall
{
	dlist_node	node;
	MemoryContext cxt;			/* everything of the call, freed with it */
	char	   *job;			/* NULL for a token request */
	char	   *step;
	char	   *path;
	char	   *body;
	bool		once_only;		/* not idempotent: never resent by libcurl */
	bool		auth_retried;	/* sent again once after a 401 */
	int			token_generation;	/* of the token it was sent with */
	bool		finished;
	/* when finished */
	long		http_status;	/* 0: no answer */
	char	   *error;			/* why there was no answer */
	StringInfoData answer;
	/* private */
	void	   *easy;
	void	   *headers;
	char	   *errbuf;
} HttpCall;

extern void http_init(void);
extern HttpCall *http_call_new(const char *job, const char *step, const char *path,
							   const char *body);
extern void http_start(HttpCall *call, const char *url, const char *const *headers);
extern int	http_in_flight(void);
extern void http_wait(int timeout_ms);
extern void http_free(HttpCall *call);

#endif							/* CHORUS_HTTP_H */
