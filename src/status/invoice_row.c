/*
 * invoice_row.c
 *		Finding and reading the invoice columns the status triggers use.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "parser/parse_relation.h"
#include "status/invoice_row.h"
#include "status/tables.h"
#include "utils/inval.h"
#include "utils/rel.h"

static const char *const column_names[INVOICE_COLUMNS] = {
	"id", "channel", "delivery", "supplier_id", "buyer_id", "b2b_status",
	"b2g_status", "status_reason", "status_amount", "status_raw_code",
	"status_actor", "status_party", "status_changed_at", "status_seq",
	"submitted_at", "number", "type_code", "currency", "preceding_number",
	"buyer_reference", "purchase_order", "period_start", "period_end",
	"deliver_to_country"
};

/*
 * The backend's one copy, forgotten when the table's definition may have
 * changed: looking two dozen names up among some sixty columns, in the
 * guard and again in the history trigger, took 2% of a move's backend time.
 */
static InvoiceColumns columns;
static bool columns_valid = false;

static void
forget_columns(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == columns.relid)
		columns_valid = false;
}

const InvoiceColumns *
invoice_columns(Relation rel)
{
	static bool registered = false;

	if (columns_valid && columns.relid == RelationGetRelid(rel))
		return &columns;
	if (!registered)
	{
		CacheRegisterRelcacheCallback(forget_columns, (Datum) 0);
		registered = true;
	}
	columns_valid = false;
	columns.relid = RelationGetRelid(rel);
	for (int i = 0; i < INVOICE_COLUMNS; i++)
		columns.attnum[i] = i < COL_FIRST_OPTIONAL ? bizinvoice_column(rel, column_names[i])
			: Max(attnameAttNum(rel, column_names[i], false), 0);
	columns_valid = true;
	return &columns;
}

char *
column_text(HeapTuple tuple, TupleDesc desc, int attnum)
{
	return SPI_getvalue(tuple, desc, attnum);
}

int64
column_int8(HeapTuple tuple, TupleDesc desc, int attnum)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, attnum, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

int32
column_int4(HeapTuple tuple, TupleDesc desc, int attnum)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, attnum, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

char *
column_status(HeapTuple tuple, TupleDesc desc, const InvoiceColumns *cols)
{
	char	   *b2b = column_text(tuple, desc, cols->attnum[COL_B2B_STATUS]);

	return b2b ? b2b : column_text(tuple, desc, cols->attnum[COL_B2G_STATUS]);
}
