/*
 * invoice_check.c
 *		The invariants of an invoice row, checked by the status guard on
 *		every INSERT and UPDATE (in C, rather than as CHECK constraints that
 *		PostgreSQL parses again for every statement, status moves included).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "mb/pg_wchar.h"
#include "utils/date.h"
#include "status/invoice_row.h"

#define NUMBER_MAX_LENGTH 100

static void
refuse(int64 id, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("invoice " INT64_FORMAT " is not valid", id),
			 errdetail_internal("%s", detail)));
}

/* BR-29: a period does not end before it starts; BT-80 is ISO 3166-1 alpha-2 */
static void
check_period_and_delivery(HeapTuple tuple, TupleDesc desc, const InvoiceColumns *cols, int64 id)
{
	bool		no_start;
	bool		no_end;
	DateADT		start = DatumGetDateADT(heap_getattr(tuple, cols->attnum[COL_PERIOD_START], desc, &no_start));
	DateADT		end = DatumGetDateADT(heap_getattr(tuple, cols->attnum[COL_PERIOD_END], desc, &no_end));
	char	   *country = column_text(tuple, desc, cols->attnum[COL_DELIVER_TO_COUNTRY]);

	if (!no_start && !no_end && end < start)
		refuse(id, "Its invoicing period ends before it starts (BR-29).");
	if (country != NULL &&
		(strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' ||
		 country[1] < 'A' || country[1] > 'Z'))
		refuse(id, "Its deliver to country (BT-80) is an ISO 3166-1 alpha-2 code of 2 capital letters.");
}

void
check_invoice_row(HeapTuple tuple, TupleDesc desc, const InvoiceColumns *cols)
{
	int64		id = column_int8(tuple, desc, cols->attnum[COL_ID]);
	char	   *channel = column_text(tuple, desc, cols->attnum[COL_CHANNEL]);
	char	   *delivery = column_text(tuple, desc, cols->attnum[COL_DELIVERY]);
	char	   *number = column_text(tuple, desc, cols->attnum[COL_NUMBER]);
	char	   *currency = column_text(tuple, desc, cols->attnum[COL_CURRENCY]);
	int32		type_code = column_int4(tuple, desc, cols->attnum[COL_TYPE_CODE]);
	bool		b2b = !heap_attisnull(tuple, cols->attnum[COL_B2B_STATUS], desc);
	bool		b2g = !heap_attisnull(tuple, cols->attnum[COL_B2G_STATUS], desc);
	char	   *trimmed;

	if (channel == NULL || (strcmp(channel, "B2B") != 0 && strcmp(channel, "B2G") != 0))
		refuse(id, "Its channel is B2B or B2G.");
	if (strcmp(channel, "B2B") == 0 &&
		(b2g || !b2b || delivery == NULL || strcmp(delivery, "platform") != 0))
		refuse(id, "A B2B invoice has a B2B status, no B2G status, and delivery \"platform\".");
	if (strcmp(channel, "B2G") == 0 &&
		(b2b || delivery == NULL ||
		 (strcmp(delivery, "chorus") != 0 && strcmp(delivery, "direct") != 0)))
		refuse(id, "A B2G invoice has no B2B status, and delivery \"chorus\" or \"direct\".");

	for (trimmed = number; trimmed && *trimmed == ' '; trimmed++)
		;
	if (trimmed == NULL || *trimmed == '\0')
		refuse(id, "Its number (BT-1) is empty.");
	if (pg_mbstrlen(number) > NUMBER_MAX_LENGTH)
		refuse(id, "Its number (BT-1) is longer than 100 characters.");
	if (type_code != 380 && type_code != 381 && type_code != 384 && type_code != 389)
		refuse(id, "Its type code (BT-3) is none of 380, 381, 384, 389.");
	if (type_code == 381 && heap_attisnull(tuple, cols->attnum[COL_PRECEDING_NUMBER], desc))
		refuse(id, "A credit note names the invoice it corrects (BT-25).");
	if (currency == NULL || strlen(currency) != 3 ||
		currency[0] < 'A' || currency[0] > 'Z' || currency[1] < 'A' || currency[1] > 'Z' ||
		currency[2] < 'A' || currency[2] > 'Z')
		refuse(id, "Its currency (BT-5) is an ISO 4217 code of 3 capital letters.");
	if (column_int8(tuple, desc, cols->attnum[COL_SUPPLIER]) ==
		column_int8(tuple, desc, cols->attnum[COL_BUYER]))
		refuse(id, "Its supplier is its buyer.");
	if (cols->attnum[COL_PERIOD_START] > 0)
		check_period_and_delivery(tuple, desc, cols, id);
}
