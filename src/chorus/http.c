/*
 * http.c
 *		POSTs to Chorus Pro, many in flight at once on one libcurl multi
 *		handle; TLS verification on, no redirects, bounded answers.
 */
#include "postgres.h"

#include <curl/curl.h>

#include "chorus/http.h"
#include "utils/memutils.h"
#include "worker/settings.h"

/* a Chorus Pro answer is a few kilobytes; a flux report with errors more */
#define MAX_ANSWER (16 * 1024 * 1024)

static CURLM *multi = NULL;
static int	in_flight = 0;

void
http_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		elog(ERROR, "could not initialize libcurl");
	multi = curl_multi_init();
	if (multi == NULL)
		elog(ERROR, "could not initialize libcurl");
}

HttpCall *
http_call_new(const char *job, const char *step, const char *path, const char *body)
{
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "chorus call",
											  ALLOCSET_SMALL_SIZES);
	HttpCall   *call = MemoryContextAllocZero(cxt, sizeof(HttpCall));

	call->cxt = cxt;
	call->job = job ? MemoryContextStrdup(cxt, job) : NULL;
	call->step = MemoryContextStrdup(cxt, step);
	call->path = MemoryContextStrdup(cxt, path);
	call->body = MemoryContextStrdup(cxt, body);
	call->errbuf = MemoryContextAllocZero(cxt, CURL_ERROR_SIZE);
	return call;
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	HttpCall   *call = arg;
	MemoryContext old;

	if ((size_t) call->answer.len + size * n > MAX_ANSWER)
		return 0;				/* libcurl stops the transfer */
	old = MemoryContextSwitchTo(call->cxt);
	appendBinaryStringInfo(&call->answer, data, size * n);
	MemoryContextSwitchTo(old);
	return size * n;
}

void
http_start(HttpCall *call, const char *url, const char *const *headers)
{
	CURL	   *easy = curl_easy_init();
	struct curl_slist *list = NULL;
	MemoryContext old = MemoryContextSwitchTo(call->cxt);

	if (easy == NULL)
		elog(ERROR, "could not create a libcurl handle");
	for (int i = 0; headers[i]; i++)
		list = curl_slist_append(list, headers[i]);
	/* sent again after a 401: the first answer goes */
	if (call->answer.data)
		resetStringInfo(&call->answer);
	else
		initStringInfo(&call->answer);
	MemoryContextSwitchTo(old);
	call->finished = false;
	call->http_status = 0;
	call->error = NULL;
	call->errbuf[0] = '\0';
	call->easy = easy;
	call->headers = list;

	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_POST, 1L);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long) strlen(call->body));
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call->errbuf);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, call);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (chorus_ca_file[0] != '\0')
		curl_easy_setopt(easy, CURLOPT_CAINFO, chorus_ca_file);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) chorus_timeout);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long) chorus_connect_timeout);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "bizinvoice");

	/*
	 * libcurl silently sends a request again when a reused connection turns
	 * out to be dead; for a deposit that may have been recorded, that is a
	 * second deposit.  A fresh connection is never retried that way.
	 */
	if (call->once_only)
	{
		curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
	}
	if (curl_multi_add_handle(multi, easy) != CURLM_OK)
		elog(ERROR, "could not start a libcurl transfer");
	in_flight++;
}

int
http_in_flight(void)
{
	return in_flight;
}

/* Waits up to timeout_ms for activity; marks the calls that finished. */
void
http_wait(int timeout_ms)
{
	int			running;
	int			left;
	CURLMsg    *msg;

	curl_multi_perform(multi, &running);
	if (running > 0)
	{
		curl_multi_poll(multi, NULL, 0, timeout_ms, NULL);
		curl_multi_perform(multi, &running);
	}
	while ((msg = curl_multi_info_read(multi, &left)) != NULL)
	{
		HttpCall   *call;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &call);
		if (msg->data.result == CURLE_OK)
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &call->http_status);
		else
		{
			/* an answer cut short is no answer */
			call->http_status = 0;
			call->error = MemoryContextStrdup(call->cxt,
											  msg->data.result == CURLE_WRITE_ERROR ?
											  "answer too large" :
											  call->errbuf[0] ? call->errbuf :
											  curl_easy_strerror(msg->data.result));
		}
		curl_multi_remove_handle(multi, msg->easy_handle);
		curl_easy_cleanup(msg->easy_handle);
		curl_slist_free_all(call->headers);
		call->easy = NULL;
		call->headers = NULL;
		in_flight--;
		call->finished = true;
	}
}

void
http_free(HttpCall *call)
{
	MemoryContextDelete(call->cxt);
}
