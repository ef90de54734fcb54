/*
 * payable.c
 *		An invoice as a payment reads it: may it be paid now, by whom, and
 *		what remains to be paid on it.
 *
 * check_payable() was PL/pgSQL taking the invoice row whole; the payments
 * written in C (pay.c) call the same checks here.  The dues are the sums
 * invoice_dues() makes in SQL for callers under row-level security: read
 * here by key for the payment, which holds the invoice locked.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "ledger/payable.h"
#include "status/actor.h"
#include "status/invoice_row.h"
#include "status/tables.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

/* B2B statuses before the buyer's approval, then those an invoice is paid in */
static const char *const b2b_not_yet[] = {
	"deposited", "issued", "received", "made_available", "in_hand", "reviewed", "disputed",
	"suspended", "completed", "routing_error", NULL
};
static const char *const b2b_payable[] = {
	"approved", "partially_approved", "payment_scheduled", "partially_paid", "overdue",
	"reminded", "netted", "factored", "factored_confidential", "not_factored", "payee_changed",
	"direct_payment_requested", NULL
};
static const char *const b2g_payable[] = {
	"MANDATEE", "MISE_A_DISPOSITION_COMPTABLE", "COMPTABILISEE", NULL
};

static bool
listed(const char *status, const char *const *list)
{
	for (; status && *list; list++)
		if (strcmp(status, *list) == 0)
			return true;
	return false;
}

void
payable_read(Relation rel, HeapTuple tuple, TupleDesc desc, PayableInvoice *inv)
{
	const InvoiceColumns *cols = invoice_columns(rel);
	char	   *channel = column_text(tuple, desc, cols->attnum[COL_CHANNEL]);
	char	   *delivery = column_text(tuple, desc, cols->attnum[COL_DELIVERY]);
	bool		isnull;

	inv->id = column_int8(tuple, desc, cols->attnum[COL_ID]);
	inv->supplier_id = column_int8(tuple, desc, cols->attnum[COL_SUPPLIER]);
	inv->buyer_id = column_int8(tuple, desc, cols->attnum[COL_BUYER]);
	inv->b2g = channel && strcmp(channel, "B2G") == 0;
	inv->direct = delivery && strcmp(delivery, "direct") == 0;
	inv->status = column_status(tuple, desc, cols);
	inv->currency = column_text(tuple, desc, cols->attnum[COL_CURRENCY]);
	inv->number = column_text(tuple, desc, cols->attnum[COL_NUMBER]);
	inv->payable_amount = heap_getattr(tuple, bizinvoice_column(rel, "payable_amount"), desc, &isnull);
	if (isnull)
		inv->payable_amount = (Datum) 0;
}

/* Whether the role behind the call certified the service of the invoice. */
static bool
certified_by_caller(int64 id)
{
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];
	bool		certified;

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(caller_role_name());

	SPI_connect();
	if (SPI_execute_with_args("SELECT FROM bizinvoice.status_history h WHERE h.invoice_id = $1 "
							  "AND h.to_status = 'SERVICE_FAIT' AND h.changed_by = $2",
							  2, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the history of invoice " INT64_FORMAT, id);
	certified = SPI_processed > 0;
	SPI_finish();
	return certified;
}

void
payable_check(const PayableInvoice *inv, bool by_platform)
{
	bool		accountant;
	int64		party = acting_party(&accountant);

	if (!by_platform && inv->buyer_id != party)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only the buyer of invoice " INT64_FORMAT " pays it", inv->id)));
	if (!inv->b2g)
	{
		if (listed(inv->status, b2b_not_yet))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("invoice " INT64_FORMAT " cannot be paid while %s", inv->id, inv->status),
					 errhint("The buyer approves an invoice before paying it.")));
		if (!listed(inv->status, b2b_payable))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("invoice " INT64_FORMAT " cannot be paid while %s", inv->id,
							inv->status ? inv->status : "without a status")));
		return;
	}
	if (!inv->direct || !listed(inv->status, b2g_payable))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("invoice " INT64_FORMAT " cannot be paid while %s", inv->id,
						inv->status ? inv->status : "queued"),
				 errhint("A public structure pays, through its accountant, invoices received on the platform and mandated.")));
	if (by_platform || !accountant)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only the public accountant of " INT64_FORMAT " pays its invoices", inv->buyer_id)));
	/* separation of duties: who certified the service does not pay it */
	if (certified_by_caller(inv->id))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role %s certified the service of invoice " INT64_FORMAT " and may not also pay it",
						caller_role_name(), inv->id)));
}

/* The sum of the open authorisations of the invoice (0 if none). */
static Datum
authorized_sum(int64 id)
{
	Relation	rel = bizinvoice_table_open("payment_authorization", AccessShareLock);
	Oid			index = get_relname_relid("payment_authorization_invoice", RelationGetNamespace(rel));
	AttrNumber	invoice_att = bizinvoice_column(rel, "invoice_id");
	AttrNumber	state_att = bizinvoice_column(rel, "state");
	AttrNumber	amount_att = bizinvoice_column(rel, "amount");
	Datum		sum = NumericGetDatum(int64_to_numeric(0));
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	/* through the partial index of open ones; a scan if a DBA dropped it */
	ScanKeyInit(&key, invoice_att, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(id));
	scan = systable_beginscan(rel, index, OidIsValid(index), GetActiveSnapshot(), 1, &key);
	while ((tuple = systable_getnext(scan)) != NULL)
	{
		bool		isnull;
		char	   *state = TextDatumGetCString(heap_getattr(tuple, state_att, RelationGetDescr(rel),
															 &isnull));
		Datum		amount = heap_getattr(tuple, amount_att, RelationGetDescr(rel), &isnull);

		if (strcmp(state, "authorized") == 0 && !isnull)
			sum = DirectFunctionCall2(numeric_add, sum, amount);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return sum;
}

void
payable_dues(const PayableInvoice *inv, Datum *outstanding, Datum *payable_now)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Datum		paid = NumericGetDatum(int64_to_numeric(0));

	if (inv->payable_amount == (Datum) 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("invoice " INT64_FORMAT " has no payable amount", inv->id),
				 errdetail("Its totals are computed when it is submitted.")));
	bizinvoice_statement_start(NULL);
	rel = bizinvoice_table_open("invoice_paid", AccessShareLock);
	scan = bizinvoice_scan_by(rel, "invoice_id", inv->id, &key);
	if ((tuple = systable_getnext(scan)) != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, bizinvoice_column(rel, "paid"), RelationGetDescr(rel), &isnull);

		if (!isnull)
			paid = datumCopy(d, false, -1);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	*outstanding = DirectFunctionCall2(numeric_sub, inv->payable_amount, paid);
	*payable_now = DirectFunctionCall2(numeric_sub, *outstanding, authorized_sum(inv->id));
	PopActiveSnapshot();
}

void
payable_from_row(HeapTupleHeader row, PayableInvoice *inv)
{
	HeapTupleData tuple;
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(row), HeapTupleHeaderGetTypMod(row));
	Relation	rel = bizinvoice_table_open("invoice", AccessShareLock);

	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	payable_read(rel, &tuple, desc, inv);
	ReleaseTupleDesc(desc);
	table_close(rel, AccessShareLock);
}

/*
 * check_payable(inv invoice, by_platform boolean): payable_check for the
 * functions in PL/pgSQL.
 */
PG_FUNCTION_INFO_V1(check_payable);
Datum
check_payable(PG_FUNCTION_ARGS)
{
	PayableInvoice inv;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("check_payable needs an invoice")));
	payable_from_row(PG_GETARG_HEAPTUPLEHEADER(0), &inv);
	payable_check(&inv, !PG_ARGISNULL(1) && PG_GETARG_BOOL(1));
	PG_RETURN_VOID();
}
