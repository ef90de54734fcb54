/*
 * pay.c
 *		Paying an invoice: pay_invoice() and the payment settle() and the
 *		scheduled payments make (apply_payment()).
 *
 * In PL/pgSQL a payment was a dozen statements and function calls, each
 * with its executor start-up, and the invoice row passed whole from one to
 * the next: two thirds of a payment's time.  Here the request is recorded
 * under its key (idempotent.c), the invoice locked (invoice_lock.c) and
 * checked (payable.c), the transfer posted (post.c) and the status moved
 * (move.h), with the same refusals.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "fmgr.h"
#include "ledger/idempotent.h"
#include "ledger/money.h"
#include "ledger/payable.h"
#include "ledger/post.h"
#include "status/append.h"
#include "status/invoice_lock.h"
#include "status/move.h"
#include "status/tables.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"

/* The party's account in the currency, or 0 (party_account()). */
static int64
party_account(int64 party, const char *currency)
{
	Relation	rel = bizinvoice_table_open("account", AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	int64		id = 0;

	/* through the unique index of party accounts */
	scan = bizinvoice_scan_by_pair(rel, "account_party_currency", "party_id", party,
								   "currency", currency, keys);
	while (id == 0 && (tuple = systable_getnext(scan)) != NULL)
	{
		bool		isnull;
		char	   *kind = TextDatumGetCString(heap_getattr(tuple, bizinvoice_column(rel, "kind"),
															RelationGetDescr(rel), &isnull));

		if (strcmp(kind, "party") == 0)
			id = DatumGetInt64(heap_getattr(tuple, bizinvoice_column(rel, "id"),
											RelationGetDescr(rel), &isnull));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return id;
}

/*
 * Moves amount from the buyer to the supplier for inv under the transfer id
 * given, and the invoice's status with it; the amount is checked against
 * what may be paid now (due); it pays the invoice in full when it is all
 * that remained (outstanding).
 */
static void
apply_payment_row(int64 transfer_id, const PayableInvoice *inv, Datum amount, Datum outstanding,
				  Datum due, bool by_platform)
{
	Datum		zero = NumericGetDatum(int64_to_numeric(0));
	Transfer	t;

	if (money_cmp(due, zero) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("invoice " INT64_FORMAT " is paid", inv->id)));
	if (money_cmp(amount, due) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payment of %s exceeds what is due on invoice " INT64_FORMAT,
						money_text(amount), inv->id),
				 errdetail("%s %s remains to be paid.", money_text(due), inv->currency)));
	if (inv->b2g && money_cmp(amount, due) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a B2G invoice is paid in full: %s %s is due on invoice " INT64_FORMAT,
						money_text(due), inv->currency, inv->id)));

	bizinvoice_statement_start(NULL);
	t.debit = party_account(inv->buyer_id, inv->currency);
	t.credit = party_account(inv->supplier_id, inv->currency);
	PopActiveSnapshot();
	if (t.debit == 0 || t.credit == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no %s account for the %s", inv->currency, t.debit == 0 ? "buyer" : "supplier"),
				 errhint("bizinvoice.open_account(party, currency) opens one.")));
	t.id = transfer_id;
	t.amount = DatumGetNumeric(amount);
	t.kind = "payment";
	t.has_invoice = true;
	t.invoice_id = inv->id;
	t.reference = inv->number;
	t.has_reverses = false;
	t.reverses = 0;
	post_transfer_row(&t);

	if (inv->b2g)
		party_move(inv->id, "MISE_EN_PAIEMENT", NULL, amount, false);
	else if (money_cmp(amount, outstanding) < 0)
	{
		if (by_platform)
			platform_move(inv->id, "platform", "partially_paid", NULL, amount, false, NULL);
		else
			party_move(inv->id, "partially_paid", NULL, amount, false);
	}
	else
	{
		if (by_platform)
			platform_move(inv->id, "platform", "payment_sent", NULL, amount, false, NULL);
		else
			party_move(inv->id, "payment_sent", NULL, amount, false);
		/* the money is in the supplier's account */
		platform_move(inv->id, "platform", "cashed", NULL, (Datum) 0, true, NULL);
	}
}

/*
 * apply_payment(transfer_id, inv, amount, outstanding, due, by_platform)
 * returns bigint: apply_payment_row for settle() and the scheduled
 * payments, in PL/pgSQL.
 */
PG_FUNCTION_INFO_V1(apply_payment);
Datum
apply_payment(PG_FUNCTION_ARGS)
{
	PayableInvoice inv;

	for (int i = 0; i < 5; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("apply_payment needs a transfer id, an invoice and three amounts")));
	payable_from_row(PG_GETARG_HEAPTUPLEHEADER(1), &inv);
	apply_payment_row(PG_GETARG_INT64(0), &inv, PG_GETARG_DATUM(2), PG_GETARG_DATUM(3),
					  PG_GETARG_DATUM(4), !PG_ARGISNULL(5) && PG_GETARG_BOOL(5));
	PG_RETURN_INT64(PG_GETARG_INT64(0));
}

/*
 * pay_invoice(invoice_id, amount, idempotency_key) returns bigint: pays an
 * invoice from the buyer's account to the supplier's (NULL: what remains);
 * the transfer's id, the first one's for a request repeated with its key.
 */
PG_FUNCTION_INFO_V1(pay_invoice);
Datum
pay_invoice(PG_FUNCTION_ARGS)
{
	int64		invoice_id = PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0);
	int64		transfer_id = append_nextval("transfer_id_seq");
	const char *const argument_names[2] = {"invoice", "amount"};
	Numeric		arguments[2] = {PG_ARGISNULL(0) ? NULL : int64_to_numeric(invoice_id),
	PG_ARGISNULL(1) ? NULL : PG_GETARG_NUMERIC(1)};
	const char *const result_names[1] = {"transfer"};
	Numeric		result[1] = {int64_to_numeric(transfer_id)};
	Jsonb	   *prior;
	Relation	rel;
	HeapTuple	tuple;
	PayableInvoice inv;
	Datum		outstanding;
	Datum		payable_now;

	prior = idempotent_record(PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2)),
							  "pay_invoice", idempotent_object(2, argument_names, arguments),
							  idempotent_object(1, result_names, result));
	if (prior)
		PG_RETURN_INT64(idempotent_result_id(prior, "transfer"));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("invoice NULL does not exist")));

	rel = bizinvoice_table_open("invoice", RowShareLock);
	tuple = invoice_lock(rel, invoice_id, false);
	payable_read(rel, tuple, RelationGetDescr(rel), &inv);
	table_close(rel, NoLock);
	payable_check(&inv, false);
	payable_dues(&inv, &outstanding, &payable_now);
	apply_payment_row(transfer_id, &inv, PG_ARGISNULL(1) ? payable_now : PG_GETARG_DATUM(1),
					  outstanding, payable_now, false);
	PG_RETURN_INT64(transfer_id);
}
