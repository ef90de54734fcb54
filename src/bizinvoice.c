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

bool		bizinvoice_status_notify = true;

void
_PG_init(void)
{
	DefineCustomBoolVariable("bizinvoice.status_notify",
							 "Sends NOTIFY bizinvoice_status on every invoice status change.",
							 "PostgreSQL serialises the commits of notifying transactions; "
							 "turn off for bulk loads and poll bizinvoice.status_history instead.",
							 &bizinvoice_status_notify,
							 true,
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
