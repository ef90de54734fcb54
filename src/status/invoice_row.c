/*
 * invoice_row.c
 *		Finding and reading the invoice columns the status triggers use.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "status/invoice_row.h"
#include "utils/rel.h"

static const char *const column_names[INVOICE_COLUMNS] = {
	"id", "channel", "delivery", "supplier_id", "buyer_id", "b2b_status",
	"b2g_status", "status_reason", "status_amount", "status_raw_code",
	"status_actor", "status_party", "status_changed_at", "status_seq",
	"submitted_at", "number", "type_code", "currency", "preceding_number",
	"buyer_reference", "purchase_order"
};

const InvoiceColumns *
invoice_columns(FunctionCallInfo fcinfo, Relation rel)
{
	InvoiceColumns *cache = (InvoiceColumns *) fcinfo->flinfo->fn_extra;

	if (cache && cache->relid == RelationGetRelid(rel))
		return cache;
	cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(InvoiceColumns));
	cache->relid = RelationGetRelid(rel);
	for (int i = 0; i < INVOICE_COLUMNS; i++)
	{
		cache->attnum[i] = SPI_fnumber(RelationGetDescr(rel), column_names[i]);
		if (cache->attnum[i] <= 0)
			elog(ERROR, "relation \"%s\" has no column \"%s\"",
				 RelationGetRelationName(rel), column_names[i]);
	}
	fcinfo->flinfo->fn_extra = cache;
	return cache;
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
