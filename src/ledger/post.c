/*
 * post.c
 *		post_transfer(): the one way money moves, without statements.
 *
 * Every money-moving function posts its transfer here.  As PL/pgSQL this
 * was five statements (lock both accounts, update them, insert the
 * transfer, the invoice's paid total, and the transfer's foreign-key
 * checks): 45% of a payment's time.  Here the rows are locked and written
 * as the executor would (tables.h, append.h); the foreign keys hold by the
 * locks taken, as their triggers would take them: both accounts for update,
 * the invoice and the reversed transfer for key share.  A table a DBA gave
 * triggers of their own (or row-level security on the owner) is written by
 * a statement instead, and those take part.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "ledger/money.h"
#include "ledger/post.h"
#include "status/actor.h"
#include "status/append.h"
#include "status/tables.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

/* An account as a transfer reads it, locked. */
typedef struct Account
{
	int64		id;
	bool		party;
	char	   *currency;
	Datum		balance;
	Datum		reserved;
	Datum		overdraft_limit;
	TupleTableSlot *slot;
} Account;

/* Account id locked for update and read; false if there is none. */
static bool
lock_account(Relation rel, RowWriter *writer, int64 id, Account *a)
{
	bool		isnull;

	a->id = id;
	a->slot = table_slot_create(rel, &writer->estate->es_tupleTable);
	if (!bizinvoice_lock_by(rel, "id", id, LockTupleNoKeyExclusive, a->slot))
		return false;
	a->party = strcmp(TextDatumGetCString(slot_getattr(a->slot, bizinvoice_column(rel, "kind"), &isnull)),
					  "party") == 0;
	a->currency = TextDatumGetCString(slot_getattr(a->slot, bizinvoice_column(rel, "currency"), &isnull));
	a->balance = slot_getattr(a->slot, bizinvoice_column(rel, "balance"), &isnull);
	a->reserved = slot_getattr(a->slot, bizinvoice_column(rel, "reserved"), &isnull);
	a->overdraft_limit = slot_getattr(a->slot, bizinvoice_column(rel, "overdraft_limit"), &isnull);
	return true;
}

/*
 * The locked row in slot with its numeric column att increased by delta
 * (direct), or the statement doing it (sql, with the row's key as $1 and
 * delta as $2).
 */
static void
add_to_row(Relation rel, RowWriter *writer, TupleTableSlot *slot, const char *att, Datum delta,
		   bool direct, const char *sql, int64 key)
{
	if (direct)
	{
		TupleDesc	desc = RelationGetDescr(rel);
		AttrNumber	attnum = bizinvoice_column(rel, att);
		int			replace = attnum;
		bool		isnull;
		Datum		value = bizinvoice_fit(rel, att, DirectFunctionCall2(numeric_add,
															  slot_getattr(slot, attnum, &isnull), delta));
		HeapTuple	tuple;
		TupleTableSlot *newslot;

		isnull = false;
		tuple = heap_modify_tuple_by_cols(ExecFetchSlotHeapTuple(slot, false, NULL), desc,
										  1, &replace, &value, &isnull);
		newslot = ExecInitExtraTupleSlot(writer->estate, desc, &TTSOpsHeapTuple);
		ExecStoreHeapTuple(tuple, newslot, false);
		row_writer_update(writer, &slot->tts_tid, newslot);
	}
	else
	{
		Oid			types[2] = {INT8OID, NUMERICOID};
		Datum		args[2] = {Int64GetDatum(key), delta};

		SPI_connect();
		if (SPI_execute_with_args(sql, 2, types, args, NULL, false, 0) < 0)
			elog(ERROR, "could not update row " INT64_FORMAT " of relation \"bizinvoice.%s\"",
				 key, RelationGetRelationName(rel));
		SPI_finish();
	}
}

/*
 * Row id of rel locked for key share, as a foreign key referencing it is
 * checked; an error naming what (an invoice, a transfer) if it is missing.
 */
static TupleTableSlot *
lock_referenced(Relation rel, RowWriter *writer, int64 id, const char *what, const Transfer *t)
{
	TupleTableSlot *slot = table_slot_create(rel, &writer->estate->es_tupleTable);

	if (!bizinvoice_lock_by(rel, "id", id, LockTupleKeyShare, slot))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("%s " INT64_FORMAT " does not exist", what, id),
				 errdetail("Transfer " INT64_FORMAT " refers to it.", t->id)));
	return slot;
}

static void
insert_transfer(Relation rel, const Transfer *t, const char *currency, bool direct)
{
	Datum		amount = bizinvoice_fit(rel, "amount", NumericGetDatum(t->amount));
	Datum		created_by = DirectFunctionCall1(namein, CStringGetDatum(caller_role_name()));

	if (direct)
	{
		AppendRow  *row = append_start(rel);

		append_set(row, "id", Int64GetDatum(t->id), false);
		append_set(row, "debit_account", Int64GetDatum(t->debit), false);
		append_set(row, "credit_account", Int64GetDatum(t->credit), false);
		append_set(row, "amount", amount, false);
		append_set(row, "currency", CStringGetTextDatum(currency), false);
		append_set(row, "kind", CStringGetTextDatum(t->kind), false);
		append_set(row, "invoice_id", Int64GetDatum(t->invoice_id), !t->has_invoice);
		append_set(row, "reference", t->reference ? CStringGetTextDatum(t->reference) : (Datum) 0,
				   t->reference == NULL);
		append_set(row, "reverses", Int64GetDatum(t->reverses), !t->has_reverses);
		append_set(row, "created_at", TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);
		append_set(row, "created_by", created_by, false);
		append_row(row);
	}
	else
	{
		Oid			types[10] = {INT8OID, INT8OID, INT8OID, NUMERICOID, TEXTOID, TEXTOID,
								 INT8OID, TEXTOID, INT8OID, NAMEOID};
		Datum		args[10];
		char		nulls[10];

		args[0] = Int64GetDatum(t->id);
		args[1] = Int64GetDatum(t->debit);
		args[2] = Int64GetDatum(t->credit);
		args[3] = amount;
		args[4] = CStringGetTextDatum(currency);
		args[5] = CStringGetTextDatum(t->kind);
		args[6] = Int64GetDatum(t->invoice_id);
		args[7] = t->reference ? CStringGetTextDatum(t->reference) : (Datum) 0;
		args[8] = Int64GetDatum(t->reverses);
		args[9] = created_by;
		memset(nulls, ' ', sizeof(nulls));
		nulls[6] = t->has_invoice ? ' ' : 'n';
		nulls[7] = t->reference ? ' ' : 'n';
		nulls[8] = t->has_reverses ? ' ' : 'n';
		SPI_connect();
		if (SPI_execute_with_args("INSERT INTO bizinvoice.transfer (id, debit_account, credit_account, amount, "
								  "currency, kind, invoice_id, reference, reverses, created_by) "
								  "OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
								  10, types, args, nulls, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not insert transfer " INT64_FORMAT, t->id);
		SPI_finish();
	}
}

/* The invoice's paid total increased by delta (negative: a reversal). */
static void
add_paid(int64 invoice_id, Datum delta)
{
	Relation	rel = bizinvoice_table_open("invoice_paid", RowExclusiveLock);
	bool		direct = row_writer_possible(rel, TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE, NULL, NULL);
	RowWriter	writer;
	TupleTableSlot *slot;

	row_writer_start(&writer, rel);
	slot = table_slot_create(rel, &writer.estate->es_tupleTable);
	if (!direct)
		add_to_row(rel, &writer, NULL, "paid", delta, false,
				   "INSERT INTO bizinvoice.invoice_paid AS p (invoice_id, paid) VALUES ($1, $2) "
				   "ON CONFLICT ON CONSTRAINT invoice_paid_pkey DO UPDATE SET paid = p.paid + EXCLUDED.paid",
				   invoice_id);
	else if (bizinvoice_lock_by(rel, "invoice_id", invoice_id, LockTupleNoKeyExclusive, slot))
		add_to_row(rel, &writer, slot, "paid", delta, true, NULL, invoice_id);
	else
	{
		/*
		 * The first payment: its payer holds the invoice locked
		 * (lock_invoice), so no other transaction adds its row meanwhile;
		 * were one to, the primary key would refuse the second.
		 */
		AppendRow  *row = append_start(rel);

		append_set(row, "invoice_id", Int64GetDatum(invoice_id), false);
		append_set(row, "paid", bizinvoice_fit(rel, "paid", delta), false);
		append_row(row);
	}
	row_writer_end(&writer);
	table_close(rel, NoLock);
}

void
post_transfer_row(const Transfer *t)
{
	Datum		amount = NumericGetDatum(t->amount);
	Datum		zero = NumericGetDatum(int64_to_numeric(0));
	Relation	accounts;
	Relation	transfers;
	RowWriter	writer;
	Account		debit;
	Account		credit;
	bool		found_debit;
	bool		found_credit;
	bool		direct;
	bool		pays;
	const char *update_sql = "UPDATE bizinvoice.account SET balance = balance + $2 WHERE id = $1";

	if (money_cmp(amount, zero) <= 0 ||
		money_cmp(amount, DirectFunctionCall2(numeric_round, amount, Int32GetDatum(2))) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid amount %s", money_text(amount)),
				 errdetail("An amount is positive, to the cent.")));

	if (t->debit == t->credit)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a transfer debits one account and credits another"),
				 errdetail("Account " INT64_FORMAT " is both.", t->debit)));

	bizinvoice_statement_start("UPDATE");

	accounts = bizinvoice_table_open("account", RowExclusiveLock);
	transfers = bizinvoice_table_open("transfer", RowExclusiveLock);
	CheckCmdReplicaIdentity(accounts, CMD_UPDATE);
	CheckCmdReplicaIdentity(transfers, CMD_INSERT);
	row_writer_start(&writer, accounts);

	/* in id order: opposite transfers between two accounts do not deadlock */
	if (t->debit < t->credit)
	{
		found_debit = lock_account(accounts, &writer, t->debit, &debit);
		found_credit = lock_account(accounts, &writer, t->credit, &credit);
	}
	else
	{
		found_credit = lock_account(accounts, &writer, t->credit, &credit);
		found_debit = lock_account(accounts, &writer, t->debit, &debit);
	}
	if (!found_debit || !found_credit)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("account " INT64_FORMAT " does not exist", found_debit ? t->credit : t->debit)));
	if (strcmp(debit.currency, credit.currency) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot transfer between accounts in different currencies"),
				 errdetail("Account " INT64_FORMAT " holds %s, account " INT64_FORMAT " holds %s.",
						   debit.id, debit.currency, credit.id, credit.currency)));
	if (debit.party)
	{
		Datum		available = DirectFunctionCall2(numeric_add,
													DirectFunctionCall2(numeric_sub, debit.balance,
																		debit.reserved),
													debit.overdraft_limit);

		if (money_cmp(available, amount) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("insufficient funds in account " INT64_FORMAT, debit.id),
					 errdetail("%s %s requested, %s available (balance %s, reserved %s, overdraft limit %s).",
							   money_text(amount), debit.currency, money_text(available),
							   money_text(debit.balance), money_text(debit.reserved),
							   money_text(debit.overdraft_limit))));
	}

	/* the transfer's other references, locked as their foreign keys would */
	pays = strcmp(t->kind, "payment") == 0;
	if (pays && !t->has_invoice)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a payment names the invoice it pays")));
	if (t->has_invoice)
	{
		Relation	invoices = bizinvoice_table_open("invoice", RowShareLock);

		(void) lock_referenced(invoices, &writer, t->invoice_id, "invoice", t);
		table_close(invoices, NoLock);
	}
	if (t->has_reverses)
	{
		TupleTableSlot *slot = lock_referenced(transfers, &writer, t->reverses, "transfer", t);
		bool		isnull;

		pays = strcmp(t->kind, "reversal") == 0 && t->has_invoice &&
			strcmp(TextDatumGetCString(slot_getattr(slot, bizinvoice_column(transfers, "kind"), &isnull)),
				   "payment") == 0;
	}

	direct = row_writer_possible(accounts, TRIGGER_TYPE_UPDATE, NULL, NULL);
	add_to_row(accounts, &writer, debit.slot, "balance",
			   DirectFunctionCall1(numeric_uminus, amount), direct, update_sql, debit.id);
	add_to_row(accounts, &writer, credit.slot, "balance", amount, direct, update_sql, credit.id);
	insert_transfer(transfers, t, debit.currency,
					row_writer_possible(transfers, TRIGGER_TYPE_INSERT, NULL, NULL));
	if (pays)
		add_paid(t->invoice_id, strcmp(t->kind, "payment") == 0 ?
				 amount : DirectFunctionCall1(numeric_uminus, amount));

	row_writer_end(&writer);
	table_close(transfers, NoLock);
	table_close(accounts, NoLock);
	PopActiveSnapshot();
}

/*
 * post_transfer(transfer_id, debit, credit, amount, kind, invoice_id,
 * reference, reverses) returns bigint: the transfer posted under the id
 * given.  Internal: the money-moving functions call it.
 */
PG_FUNCTION_INFO_V1(post_transfer);
Datum
post_transfer(PG_FUNCTION_ARGS)
{
	Transfer	t;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("post_transfer needs a transfer id, two accounts and a kind")));
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid amount NULL"),
				 errdetail("An amount is positive, to the cent.")));
	t.id = PG_GETARG_INT64(0);
	t.debit = PG_GETARG_INT64(1);
	t.credit = PG_GETARG_INT64(2);
	t.amount = PG_GETARG_NUMERIC(3);
	t.kind = text_to_cstring(PG_GETARG_TEXT_PP(4));
	t.has_invoice = !PG_ARGISNULL(5);
	t.invoice_id = t.has_invoice ? PG_GETARG_INT64(5) : 0;
	t.reference = PG_ARGISNULL(6) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(6));
	t.has_reverses = !PG_ARGISNULL(7);
	t.reverses = t.has_reverses ? PG_GETARG_INT64(7) : 0;
	post_transfer_row(&t);
	PG_RETURN_INT64(t.id);
}
