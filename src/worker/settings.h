/*
 * settings.h
 *		The Chorus Pro worker's settings (bizinvoice.chorus_*).
 *
 * The durations the state machine uses (flux and status poll intervals,
 * retry backoff, the in-doubt window, the directory's lifetime) are read
 * from SQL with current_setting(); the ones below are the worker's own.
 */
#ifndef CHORUS_SETTINGS_H
#define CHORUS_SETTINGS_H

extern char *chorus_database;
extern char *chorus_token_url;
extern char *chorus_api_url;
extern char *chorus_ca_file;
extern int	chorus_naptime;			/* ms between looks for due work */
extern int	chorus_concurrency;		/* requests in flight at most */
extern int	chorus_timeout;			/* ms for one request, connection included */
extern int	chorus_connect_timeout; /* ms */
extern int	chorus_token_margin;	/* s before expiry a new token is fetched */
extern int	chorus_retry_base;		/* ms */
extern int	chorus_retry_max;		/* ms */

extern void chorus_define_settings(void);

#endif							/* CHORUS_SETTINGS_H */
