/*
 * move.c
 *		set_status() and system_move(): lock the invoice, stage the move,
 *		update its status; the status guard judges the move.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "status/actor.h"
#include "status/status.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

static SPIPlanPtr lock_plan = NULL;
static SPIPlanPtr update_plans[2] = {NULL, NULL};

static SPIPlanPtr
kept_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(sql, nargs, types);

		if (p == NULL)
			elog(ERROR, "could not prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}

/*
 * Moves invoice id to status, SPI connected.  party is the acting party that
 * must be its supplier or buyer, or 0 for a system move.
 */
static void
move_invoice(int64 id, const char *status, int64 party)
{
	Oid			lock_types[1] = {INT8OID};
	Oid			update_types[2] = {INT8OID, TEXTOID};
	Datum		args[2];
	bool		isnull;
	StatusChannel ch;
	char	   *channel;
	int64		supplier;
	int64		buyer;

	args[0] = Int64GetDatum(id);
	if (SPI_execute_plan(kept_plan(&lock_plan,
								   "SELECT channel, supplier_id, buyer_id FROM bizinvoice.invoice "
								   "WHERE id = $1 FOR UPDATE", 1, lock_types),
						 args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not lock invoice " INT64_FORMAT, id);
	if (SPI_processed == 1)
	{
		channel = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		supplier = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		buyer = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	}
	/* an invoice of other parties does not exist for this one */
	if (SPI_processed != 1 || (party != 0 && party != supplier && party != buyer))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("invoice " INT64_FORMAT " does not exist", id)));

	ch = strcmp(channel, "B2B") == 0 ? CHANNEL_B2B : CHANNEL_B2G;
	if (status_index(ch, status) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown %s status \"%s\"", channel, status),
				 errhint("The statuses are listed in bizinvoice.status_catalog.")));

	args[1] = CStringGetTextDatum(status);
	if (SPI_execute_plan(kept_plan(&update_plans[ch],
								   ch == CHANNEL_B2B ?
								   "UPDATE bizinvoice.invoice SET b2b_status = $2::bizinvoice.b2b_status WHERE id = $1" :
								   "UPDATE bizinvoice.invoice SET b2g_status = $2::bizinvoice.b2g_status WHERE id = $1",
								   2, update_types),
						 args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not move invoice " INT64_FORMAT, id);
}

static char *
text_arg(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * set_status(invoice_id, status, reason, amount) returns text: a move by the
 * acting party, supplier or buyer of the invoice (or its accountant).
 */
PG_FUNCTION_INFO_V1(set_status);
Datum
set_status(PG_FUNCTION_ARGS)
{
	bool		accountant;
	int64		party = acting_party(&accountant);
	char	   *status;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("set_status needs an invoice and a status")));
	if (party == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("no party is acting"),
				 errhint("Call bizinvoice.act_as(party) first.")));
	if (!PG_ARGISNULL(3) &&
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, PG_GETARG_DATUM(3),
										  NumericGetDatum(int64_to_numeric(0)))) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid amount %s",
						DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(3)))),
				 errdetail("A status amount is positive.")));
	status = text_arg(fcinfo, 1);
	stage_move(text_arg(fcinfo, 2), PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3),
			   PG_ARGISNULL(3), NULL, 0);
	SPI_connect();
	move_invoice(PG_GETARG_INT64(0), status, party);
	SPI_finish();
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
	stage_move(text_arg(fcinfo, 3), PG_ARGISNULL(4) ? (Datum) 0 : PG_GETARG_DATUM(4),
			   PG_ARGISNULL(4), text_arg(fcinfo, 5), system_actor(text_arg(fcinfo, 1)));
	SPI_connect();
	move_invoice(PG_GETARG_INT64(0), text_arg(fcinfo, 2), 0);
	SPI_finish();
	PG_RETURN_VOID();
}
