/*
 * kept_plan.c
 *		SPI plans prepared once per backend: the statements the C functions
 *		run through SPI (fallbacks where a DBA added to a table, the relay).
 */
#include "postgres.h"

#include "status/kept_plan.h"

SPIPlanPtr
kept_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types, int options)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare_cursor(sql, nargs, types, options);

		if (p == NULL)
			elog(ERROR, "could not prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}
