/*
 * submit.c
 *		submit(invoice_id): a draft of the acting supplier checked, its VAT
 *		breakdown and totals computed, refused if a duplicate (DOUBLON),
 *		frozen and delivered: deposited then made available to a company,
 *		or to a public structure reached on the platform, or queued for
 *		Chorus Pro.
 *
 * It was PL/pgSQL, some fifteen statements with their executor start-ups,
 * a subtransaction to catch the unique index's DOUBLON and the parties'
 * foreign keys checked again by the UPDATE of a row inserted in the same
 * transaction: half the time of a draft's creation and submission.  The
 * rows are read by key here, and the invoice updated as set_status()
 * updates it (direct.c), or by an UPDATE where a DBA gave the table
 * triggers of its own.  The messages are those the PL/pgSQL gave.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "invoice/totals.h"
#include "ledger/money.h"
#include "status/actor.h"
#include "status/append.h"
#include "status/direct.h"
#include "status/invoice_lock.h"
#include "status/invoice_row.h"
#include "status/kept_plan.h"
#include "status/tables.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

/* The draft as submit reads it. */
typedef struct Draft
{
	int64		id;
	int64		supplier_id;
	int64		buyer_id;
	bool		b2b;
	bool		direct;			/* B2G reached on the platform, not through Chorus Pro */
	char	   *number;
	Datum		issue_date;
} Draft;

#define REFUSE(id, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg("invoice " INT64_FORMAT " cannot be submitted", (id)), \
			 errdetail(__VA_ARGS__)))

static SPIPlanPtr buyer_plan = NULL;
static SPIPlanPtr update_plan = NULL;
static SPIPlanPtr vat_plan = NULL;
static SPIPlanPtr outbox_plan = NULL;

/* Runs sql (prepared once per backend) with args; returns SPI_processed. */
static uint64
run(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types, Datum *args, int expect)
{
	if (SPI_execute_plan(kept_plan(plan, sql, nargs, types, 0), args, NULL, false, 0) != expect)
		elog(ERROR, "could not run \"%s\"", sql);
	return SPI_processed;
}

static Datum
column(HeapTuple tuple, Relation rel, const char *name, bool *isnull)
{
	return heap_getattr(tuple, bizinvoice_column(rel, name), RelationGetDescr(rel), isnull);
}

static char *
date_text(Datum d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, d));
}

/* A public structure's own requirements: service code (BT-10), commitment (BT-13). */
static void
check_b2g(const Draft *d, const char *service, const char *commitment)
{
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		args[2] = {Int64GetDatum(d->buyer_id), CStringGetTextDatum(service ? service : "")};
	MemoryContext cxt = CurrentMemoryContext;
	char	   *name;
	bool		needs_service;
	bool		needs_commitment;
	bool		service_active;
	bool		isnull;

	SPI_connect();
	if (run(&buyer_plan,
			"SELECT p.name, p.requires_service_code, p.requires_engagement, "
			"EXISTS (SELECT FROM bizinvoice.public_service s "
			"WHERE s.party_id = p.id AND s.code = $2 AND s.active) "
			"FROM bizinvoice.party p WHERE p.id = $1",
			2, types, args, SPI_OK_SELECT) != 1)
		elog(ERROR, "buyer " INT64_FORMAT " of invoice " INT64_FORMAT " not found", d->buyer_id, d->id);
	name = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	needs_service = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	needs_commitment = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	service_active = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	SPI_finish();

	if (needs_service && service == NULL)
		REFUSE(d->id, "%s requires a service code (\"buyer_reference\", BT-10).", name);
	if (service != NULL && !service_active)
		REFUSE(d->id, "\"%s\" is not an active service of %s.", service, name);
	if (needs_commitment && commitment == NULL)
		REFUSE(d->id, "%s requires a legal commitment number (\"purchase_order\", BT-13).", name);
}

static Datum
issue_year(Datum date)
{
	return DirectFunctionCall2(extract_date, CStringGetTextDatum("year"), date);
}

/*
 * Refuses a duplicate: clash is the invoice submitted before with the same
 * supplier, number and year of issue, 0 if it was submitted concurrently
 * (the unique index told).
 */
static void
refuse_duplicate(const Draft *d, int64 clash)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("invoice " INT64_FORMAT " is a duplicate (DOUBLON)", d->id),
			 errdetail("Supplier " INT64_FORMAT " already submitted invoice number \"%s\" in %s%s.",
					   d->supplier_id, d->number, money_text(issue_year(d->issue_date)),
					   clash ? psprintf(" (invoice " INT64_FORMAT ")", clash) : "")));
}

/*
 * The invoice the supplier submitted with the same number in the same year
 * of issue, or 0: through the unique index that will refuse it anyway
 * (a scan if a DBA dropped it), to name it.
 */
static int64
find_duplicate(Relation rel, const Draft *d)
{
	Datum		year = issue_year(d->issue_date);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	int64		clash = 0;

	bizinvoice_statement_start(NULL);
	scan = bizinvoice_scan_by_pair(rel, "invoice_number_unique", "supplier_id", d->supplier_id,
								   "number", d->number, keys);
	while (clash == 0 && (tuple = systable_getnext(scan)) != NULL)
	{
		bool		isnull;
		int64		id = DatumGetInt64(column(tuple, rel, "id", &isnull));
		Datum		issued = column(tuple, rel, "issue_date", &isnull);

		(void) column(tuple, rel, "submitted_at", &isnull);
		if (id != d->id && !isnull && money_cmp(issue_year(issued), year) == 0)
			clash = id;
	}
	systable_endscan(scan);
	PopActiveSnapshot();
	return clash;
}

/*
 * The VAT breakdown's rows: directly, or by INSERTs where the table has more
 * to it.  The freeze of a submitted invoice's parts has nothing to refuse:
 * the invoice is a draft this transaction holds locked.
 */
static void
write_breakdown(const InvoiceTotals *t, Relation vat)
{
	bool		direct = row_writer_possible(vat, TRIGGER_TYPE_INSERT, NULL, "invoice_parts_freeze");

	if (direct)
		bizinvoice_statement_start("INSERT");
	else
		SPI_connect();
	for (int i = 0; i < t->ngroups; i++)
	{
		const VatGroup *g = &t->groups[i];

		if (direct)
		{
			/* the invoice they name is locked for update: their foreign key holds */
			AppendRow  *row = append_start(vat);

			append_set(row, "invoice_id", Int64GetDatum(t->id), false);
			append_set(row, "vat_category", CStringGetTextDatum(g->category), false);
			append_set(row, "vat_rate", g->rate, false);
			append_set(row, "taxable_amount", g->taxable, false);
			append_set(row, "tax_amount", g->tax, false);
			append_row(row);
		}
		else
		{
			Oid			types[5] = {INT8OID, TEXTOID, NUMERICOID, NUMERICOID, NUMERICOID};
			Datum		args[5] = {Int64GetDatum(t->id), CStringGetTextDatum(g->category),
			g->rate, g->taxable, g->tax};

			run(&vat_plan, "INSERT INTO bizinvoice.invoice_vat_breakdown "
				"(invoice_id, vat_category, vat_rate, taxable_amount, tax_amount) "
				"VALUES ($1, $2, $3, $4, $5)", 5, types, args, SPI_OK_INSERT);
		}
	}
	if (direct)
		PopActiveSnapshot();
	else
		SPI_finish();
}

/* The totals, the freeze and the deposit (and delivery) in one update of the row. */
static void
update_draft(Relation rel, HeapTuple oldtup, const Draft *d, const InvoiceTotals *t)
{
	const char *const total_columns[] = {
		"line_total", "allowance_total", "charge_total", "tax_exclusive_total", "vat_total",
		"tax_inclusive_total", "payable_amount"
	};
	Datum		totals[] = {
		t->line_total, t->allowance_total, t->charge_total, t->tax_exclusive_total, t->vat_total,
		t->tax_inclusive_total, t->payable_amount
	};

	if (row_writer_possible(rel, TRIGGER_TYPE_UPDATE, "status_guard", "status_record"))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		const InvoiceColumns *cols = invoice_columns(rel);
		int			replace[lengthof(totals) + 3];
		Datum		values[lengthof(totals) + 3];
		bool		nulls[lengthof(totals) + 3] = {0};
		int			n;
		int			status_col;

		for (n = 0; n < lengthof(totals); n++)
		{
			replace[n] = bizinvoice_column(rel, total_columns[n]);
			values[n] = totals[n];
		}
		replace[n] = cols->attnum[COL_SUBMITTED_AT];
		values[n++] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		/* B2B: deposited; B2G: deposited on the platform, or no status until Chorus Pro's */
		replace[n] = cols->attnum[COL_B2B_STATUS];
		replace[n + 1] = cols->attnum[COL_B2G_STATUS];
		status_col = d->b2b ? n : n + 1;
		nulls[n] = nulls[n + 1] = true;
		if (d->b2b || d->direct)
		{
			values[status_col] = DirectFunctionCall2(enum_in, CStringGetDatum(d->b2b ? "deposited" : "DEPOSEE"),
													 ObjectIdGetDatum(TupleDescAttr(desc, replace[status_col] - 1)->atttypid));
			nulls[status_col] = false;
		}
		direct_update(rel, oldtup, heap_modify_tuple_by_cols(oldtup, desc, n + 2, replace, values, nulls));
	}
	else
	{
		Oid			types[8] = {INT8OID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
		NUMERICOID, NUMERICOID};
		Datum		args[8];

		args[0] = Int64GetDatum(d->id);
		memcpy(&args[1], totals, sizeof(totals));
		SPI_connect();
		run(&update_plan,
			"UPDATE bizinvoice.invoice SET line_total = $2, allowance_total = $3, charge_total = $4, "
			"tax_exclusive_total = $5, vat_total = $6, tax_inclusive_total = $7, payable_amount = $8, "
			"submitted_at = now(), "
			"b2b_status = CASE WHEN channel = 'B2B' THEN 'deposited'::bizinvoice.b2b_status END, "
			"b2g_status = CASE WHEN delivery = 'direct' THEN 'DEPOSEE'::bizinvoice.b2g_status END "
			"WHERE id = $1", 8, types, args, SPI_OK_UPDATE);
		SPI_finish();
	}
}

/*
 * The update, a concurrent submission of the same number refused as a
 * duplicate: the unique index's error turned into DOUBLON and thrown at
 * once, nothing done in between (no subtransaction needed for that).
 */
static void
deposit(Relation rel, HeapTuple oldtup, const Draft *d, const InvoiceTotals *t)
{
	MemoryContext cxt = CurrentMemoryContext;

	stage_move(NULL, (Datum) 0, true, NULL, system_actor("platform"));
	if (d->b2b)
		stage_then("made_available");
	else if (d->direct)
		stage_then("MISE_A_DISPOSITION");
	PG_TRY();
	{
		update_draft(rel, oldtup, d, t);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION || edata->constraint_name == NULL ||
			strcmp(edata->constraint_name, "invoice_number_unique") != 0)
			PG_RE_THROW();
		FlushErrorState();
		refuse_duplicate(d, 0);
	}
	PG_END_TRY();
}

static void
enqueue_for_chorus(int64 id)
{
	Oid			types[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(id)};

	SPI_connect();
	run(&outbox_plan, "INSERT INTO bizinvoice.chorus_outbox (invoice_id) VALUES ($1)",
		1, types, args, SPI_OK_INSERT);
	SPI_finish();
}

/* The checks of the draft's own fields, before its parts are read. */
static void
check_draft(Relation rel, HeapTuple tuple, const Draft *d)
{
	TupleDesc	desc = RelationGetDescr(rel);
	const InvoiceColumns *cols = invoice_columns(rel);
	char	   *status = column_text(tuple, desc, cols->attnum[COL_B2B_STATUS]);
	bool		due_null;
	Datum		due = column(tuple, rel, "due_date", &due_null);

	if (!heap_attisnull(tuple, cols->attnum[COL_SUBMITTED_AT], desc))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("invoice " INT64_FORMAT " is already submitted", d->id)));
	if (status && strcmp(status, "cancelled") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("invoice " INT64_FORMAT " is cancelled", d->id)));
	if (!d->b2b)
		check_b2g(d, column_text(tuple, desc, cols->attnum[COL_BUYER_REFERENCE]),
				  column_text(tuple, desc, cols->attnum[COL_PURCHASE_ORDER]));
	if (!due_null && DatumGetDateADT(due) < DatumGetDateADT(d->issue_date))
		REFUSE(d->id, "Due date %s is before issue date %s.", date_text(due), date_text(d->issue_date));
}

/* An intra-community supply (a part of VAT category K) says when and where it was delivered. */
static void
check_delivery(Relation rel, HeapTuple tuple, const Draft *d, const InvoiceTotals *t)
{
	const InvoiceColumns *cols = invoice_columns(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	bool		undated;

	if (!t->has_k)
		return;
	(void) column(tuple, rel, "delivery_date", &undated);
	if (undated && heap_attisnull(tuple, cols->attnum[COL_PERIOD_START], desc) &&
		heap_attisnull(tuple, cols->attnum[COL_PERIOD_END], desc))
		REFUSE(d->id, "An intra-community supply (VAT category K) gives the actual delivery date (\"delivery\": {\"date\"}, BT-72) or the invoicing period (\"invoicing_period\", BG-14) (BR-IC-11).");
	if (heap_attisnull(tuple, cols->attnum[COL_DELIVER_TO_COUNTRY], desc))
		REFUSE(d->id, "An intra-community supply (VAT category K) gives the deliver to country (\"delivery\": {\"country\"}, BT-80) (BR-IC-12).");
}

/*
 * submit(invoice_id bigint) returns text: where the invoice stands,
 * made_available, MISE_A_DISPOSITION or queued (for Chorus Pro).
 */
PG_FUNCTION_INFO_V1(submit);
Datum
submit(PG_FUNCTION_ARGS)
{
	Relation	rel;
	Relation	vat;
	HeapTuple	tuple;
	TupleDesc	desc;
	const InvoiceColumns *cols;
	Draft		d;
	InvoiceTotals t;
	bool		isnull;
	Datum		stated;
	int64		clash;
	char	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("invoice NULL does not exist")));
	rel = bizinvoice_table_open("invoice", RowExclusiveLock);
	desc = RelationGetDescr(rel);
	cols = invoice_columns(rel);
	tuple = invoice_lock(rel, PG_GETARG_INT64(0), true);

	d.id = PG_GETARG_INT64(0);
	d.supplier_id = column_int8(tuple, desc, cols->attnum[COL_SUPPLIER]);
	d.buyer_id = column_int8(tuple, desc, cols->attnum[COL_BUYER]);
	d.b2b = strcmp(column_text(tuple, desc, cols->attnum[COL_CHANNEL]), "B2B") == 0;
	d.direct = strcmp(column_text(tuple, desc, cols->attnum[COL_DELIVERY]), "direct") == 0;
	d.number = column_text(tuple, desc, cols->attnum[COL_NUMBER]);
	d.issue_date = column(tuple, rel, "issue_date", &isnull);

	check_draft(rel, tuple, &d);
	totals_read(d.id, &t);
	check_delivery(rel, tuple, &d, &t);
	totals_check_parts(&t);
	vat = bizinvoice_table_open("invoice_vat_breakdown", RowExclusiveLock);
	totals_compute(&t, column(tuple, rel, "prepaid_amount", &isnull),
				   column(tuple, rel, "rounding_amount", &isnull), rel, vat);
	stated = column(tuple, rel, "stated_totals", &isnull);
	totals_check_stated(&t, isnull ? NULL : DatumGetJsonbP(stated));

	clash = find_duplicate(rel, &d);
	if (clash != 0)
		refuse_duplicate(&d, clash);
	write_breakdown(&t, vat);
	table_close(vat, NoLock);
	deposit(rel, tuple, &d, &t);

	if (d.b2b)
		result = "made_available";
	else if (d.direct)
		result = "MISE_A_DISPOSITION";
	else
	{
		enqueue_for_chorus(d.id);
		result = "queued";
	}
	table_close(rel, NoLock);
	PG_RETURN_TEXT_P(cstring_to_text(result));
}
