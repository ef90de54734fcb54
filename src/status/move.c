/*
 * move.c
 *		set_status() and system_move(): stage the move and update the
 *		invoice; the status guard writes the status and judges the move.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "status/actor.h"
#include "status/append.h"
#include "status/direct.h"
#include "status/kept_plan.h"
#include "status/move.h"
#include "status/tables.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

static SPIPlanPtr move_plan = NULL;

/* The move as one UPDATE of the row, through SPI; false if there is none. */
static bool
update_invoice(int64 id)
{
	Oid			types[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(id)};
	bool		updated;

	SPI_connect();
	if (SPI_execute_plan(kept_plan(&move_plan, "UPDATE bizinvoice.invoice SET status_seq = status_seq WHERE id = $1",
								   1, types, 0),
						 args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not move invoice " INT64_FORMAT, id);
	updated = SPI_processed == 1;
	SPI_finish();
	return updated;
}

/*
 * Moves invoice id to status, the move staged: the row is locked and handed
 * to the status guard, which writes the status and judges the move, then to
 * the history trigger (direct.c; or one UPDATE does it, where the table has
 * more to it).  hide_foreign: the acting party must be the invoice's
 * supplier or buyer, and is told otherwise that it does not exist.
 */
static void
move_invoice(int64 id, const char *status, bool hide_foreign)
{
	Relation	rel = bizinvoice_table_open("invoice", RowExclusiveLock);
	bool		moved;

	stage_target(status, hide_foreign);
	moved = row_writer_possible(rel, TRIGGER_TYPE_UPDATE, "status_guard", "status_record") ?
		direct_move(rel, id) : update_invoice(id);
	table_close(rel, NoLock);
	if (!moved)
	{
		StagedMove	unused;

		(void) take_staged_move(&unused);
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("invoice " INT64_FORMAT " does not exist", id)));
	}
}

static char *
text_arg(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

void
party_move(int64 id, const char *status, const char *reason, Datum amount, bool amount_null)
{
	bool		accountant;

	if (acting_party(&accountant) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("no party is acting"),
				 errhint("Call bizinvoice.act_as(party) first.")));
	if (!amount_null &&
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, amount,
										  NumericGetDatum(int64_to_numeric(0)))) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid amount %s", DatumGetCString(DirectFunctionCall1(numeric_out, amount))),
				 errdetail("A status amount is positive.")));
	stage_move(reason, amount, amount_null, NULL, 0);
	move_invoice(id, status, true);
}

void
platform_move(int64 id, const char *actor, const char *status, const char *reason,
			  Datum amount, bool amount_null, const char *raw_code)
{
	stage_move(reason, amount, amount_null, raw_code, system_actor(actor));
	move_invoice(id, status, false);
}

/*
 * set_status(invoice_id, status, reason, amount) returns text: a move by the
 * acting party, supplier or buyer of the invoice (or its accountant).
 */
PG_FUNCTION_INFO_V1(set_status);
Datum
set_status(PG_FUNCTION_ARGS)
{
	char	   *status;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("set_status needs an invoice and a status")));
	status = text_arg(fcinfo, 1);
	party_move(PG_GETARG_INT64(0), status, text_arg(fcinfo, 2),
			   PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3), PG_ARGISNULL(3));
	PG_RETURN_TEXT_P(cstring_to_text(status));
}

/*
 * system_move(invoice_id, actor, status, reason, amount, raw_code): a move
 * by the platform or the Chorus Pro sync.  Not granted to users.
 */
PG_FUNCTION_INFO_V1(system_move);
Datum
system_move(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("system_move needs an invoice, an actor and a status")));
	platform_move(PG_GETARG_INT64(0), text_arg(fcinfo, 1), text_arg(fcinfo, 2), text_arg(fcinfo, 3),
				  PG_ARGISNULL(4) ? (Datum) 0 : PG_GETARG_DATUM(4), PG_ARGISNULL(4),
				  text_arg(fcinfo, 5));
	PG_RETURN_VOID();
}
