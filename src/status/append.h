/*
 * append.h
 *		Appending rows to the extension's own tables from C, without a
 *		statement around them.
 */
#ifndef BIZINVOICE_APPEND_H
#define BIZINVOICE_APPEND_H

#include "postgres.h"

#include "utils/rel.h"

/* A row of rel being built: every column null until set. */
typedef struct AppendRow
{
	Relation	rel;
	Datum	   *values;
	bool	   *nulls;
} AppendRow;

extern AppendRow *append_start(Relation rel);
extern void append_set(AppendRow *row, const char *column, Datum value, bool isnull);

/* The next value of bizinvoice.<sequence>. */
extern int64 append_nextval(const char *sequence);

/* Inserts the row: its table's constraints checked, its indexes updated. */
extern void append_row(AppendRow *row);

#endif							/* BIZINVOICE_APPEND_H */
