/*
 * bizinvoice.c
 *		The extension's entry point.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
