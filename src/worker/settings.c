/*
 * settings.c
 *		The Chorus Pro worker's settings.
 *
 * Credentials are no settings: anyone may SHOW a setting, so they live in
 * bizinvoice.chorus_credential, readable by superusers only.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"
#include "worker/settings.h"

char	   *chorus_database = NULL;
char	   *chorus_token_url = NULL;
char	   *chorus_api_url = NULL;
char	   *chorus_ca_file = NULL;
int			chorus_naptime = 1000;
int			chorus_concurrency = 16;
int			chorus_timeout = 30000;
int			chorus_connect_timeout = 10000;
int			chorus_token_margin = 120;
int			chorus_retry_base = 2000;
int			chorus_retry_max = 600000;

static int	max_attempts = 8;
static int	flux_interval = 60000;
static int	status_interval = 3600000;
static int	doubt_window = 3600000;
static int	directory_ttl = 86400000;

/*
 * Secrets travel to these URLs: TLS, or plain HTTP to this machine only
 * (a local proxy or the test mock).
 */
static bool
check_url(char **newval, void **extra, GucSource source)
{
	static const char *const loopback[] = {
		"http://127.", "http://localhost:", "http://localhost/", "http://[::1]"
	};

	if (*newval == NULL || **newval == '\0' ||
		pg_strncasecmp(*newval, "https://", 8) == 0)
		return true;
	for (int i = 0; i < lengthof(loopback); i++)
		if (pg_strncasecmp(*newval, loopback[i], strlen(loopback[i])) == 0)
			return true;
	GUC_check_errdetail("Chorus Pro URLs must use https://, or http:// to a loopback address.");
	return false;
}

static void
define_duration(const char *name, const char *desc, int *var, int boot, int min)
{
	DefineCustomIntVariable(name, desc, NULL, var, boot, min, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
}

void
chorus_define_settings(void)
{
	DefineCustomStringVariable("bizinvoice.chorus_database",
							   "Database whose B2G invoices the worker sends to Chorus Pro.",
							   "Empty: no worker starts.",
							   &chorus_database, "",
							   PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("bizinvoice.chorus_token_url",
							   "PISTE OAuth2 token endpoint.",
							   "Sandbox: https://sandbox-oauth.piste.gouv.fr/api/oauth/token.",
							   &chorus_token_url, "https://oauth.piste.gouv.fr/api/oauth/token",
							   PGC_SIGHUP, 0, check_url, NULL, NULL);
	DefineCustomStringVariable("bizinvoice.chorus_api_url",
							   "Base URL of the Chorus Pro API.",
							   "Sandbox: https://sandbox-api.piste.gouv.fr.",
							   &chorus_api_url, "https://api.piste.gouv.fr",
							   PGC_SIGHUP, 0, check_url, NULL, NULL);
	DefineCustomStringVariable("bizinvoice.chorus_ca_file",
							   "CA certificates to verify Chorus Pro's TLS certificate with.",
							   "Empty: the system's.",
							   &chorus_ca_file, "",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	define_duration("bizinvoice.chorus_naptime",
					"How often the worker looks for due work when idle.",
					&chorus_naptime, 1000, 10);
	DefineCustomIntVariable("bizinvoice.chorus_concurrency",
							"Requests to Chorus Pro in flight at most.",
							NULL, &chorus_concurrency, 16, 1, 1000,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	define_duration("bizinvoice.chorus_timeout",
					"Time allowed for one request to Chorus Pro.",
					&chorus_timeout, 30000, 100);
	define_duration("bizinvoice.chorus_connect_timeout",
					"Time allowed to connect to Chorus Pro.",
					&chorus_connect_timeout, 10000, 100);
	DefineCustomIntVariable("bizinvoice.chorus_token_margin",
							"How long before expiry a new PISTE token is fetched.",
							NULL, &chorus_token_margin, 120, 0, 3600,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	define_duration("bizinvoice.chorus_retry_base",
					"First delay before retrying a failed request (doubled at each failure).",
					&chorus_retry_base, 2000, 1);
	define_duration("bizinvoice.chorus_retry_max",
					"Longest delay between retries.",
					&chorus_retry_max, 600000, 1);
	DefineCustomIntVariable("bizinvoice.chorus_max_attempts",
							"Failed tries before a deposit is given up as failed.",
							"Once Chorus Pro holds an invoice, it is followed whatever it takes.",
							&max_attempts, 8, 1, 1000,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	define_duration("bizinvoice.chorus_flux_interval",
					"Time between two reads of a flux report.",
					&flux_interval, 60000, 1);
	define_duration("bizinvoice.chorus_status_interval",
					"Time between two reads of an invoice's status history.",
					&status_interval, 3600000, 1);
	define_duration("bizinvoice.chorus_doubt_window",
					"How long a deposit in doubt is searched for on Chorus Pro before it is made again.",
					&doubt_window, 3600000, 1);
	define_duration("bizinvoice.chorus_directory_ttl",
					"How long the Chorus Pro directory entry of a structure is trusted.",
					&directory_ttl, 86400000, 1);
}
