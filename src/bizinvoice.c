/*
 * bizinvoice.c
 *		The extension's entry point: its settings, and the Chorus Pro worker
 *		when loaded through shared_preload_libraries.
 */
#include "postgres.h"

#include "bizinvoice.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "worker/settings.h"
#include "worker/shared.h"
#include "worker/worker.h"
#include "xml/parse.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

int			bizinvoice_status_notify = STATUS_NOTIFY_RELAY;

/* on and off as a boolean setting takes them, as before relay existed */
static const struct config_enum_entry status_notify_options[] = {
	{"commit", STATUS_NOTIFY_COMMIT, false},
	{"relay", STATUS_NOTIFY_RELAY, false},
	{"off", STATUS_NOTIFY_OFF, false},
	{"on", STATUS_NOTIFY_COMMIT, true},
	{"true", STATUS_NOTIFY_COMMIT, true},
	{"false", STATUS_NOTIFY_OFF, true},
	{"yes", STATUS_NOTIFY_COMMIT, true},
	{"no", STATUS_NOTIFY_OFF, true},
	{"1", STATUS_NOTIFY_COMMIT, true},
	{"0", STATUS_NOTIFY_OFF, true},
	{NULL, 0, false}
};

void
_PG_init(void)
{
	DefineCustomEnumVariable("bizinvoice.status_notify",
							 "How every invoice status change sends NOTIFY bizinvoice_status.",
							 "relay: queued, and sent in batches by the worker of "
							 "bizinvoice.chorus_database (elsewhere, as commit); commit: by the "
							 "changing transaction (PostgreSQL serialises the commits of "
							 "notifying transactions); off: none, for bulk loads.",
							 &bizinvoice_status_notify,
							 STATUS_NOTIFY_RELAY,
							 status_notify_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	ei_define_settings();
	chorus_define_settings();
	MarkGUCPrefixReserved("bizinvoice");
	if (process_shared_preload_libraries_in_progress)
	{
		chorus_shared_request();
		chorus_worker_register();
	}
}
