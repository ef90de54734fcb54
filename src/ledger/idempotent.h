/*
 * idempotent.h
 *		Money-moving requests recorded under their idempotency key
 *		(idempotent.c).
 */
#ifndef BIZINVOICE_IDEMPOTENT_H
#define BIZINVOICE_IDEMPOTENT_H

#include "postgres.h"

#include "utils/jsonb.h"

/*
 * Records a request of the acting party under key, with the result it will
 * have: NULL if the key is new (the caller performs it), else the first
 * result of the same request; a key reused for another request (other
 * operation or arguments) is refused.  Waits for a transaction recording
 * the same key to end, as an INSERT would.
 */
extern Jsonb *idempotent_record(const char *key, const char *operation, Jsonb *arguments,
								Jsonb *result);

/* {"name": value, ...}: the arguments or result of a request */
extern Jsonb *idempotent_object(int n, const char *const *names, const Numeric *values);

/* The numeric member name of a recorded result, as a bigint. */
extern int64 idempotent_result_id(Jsonb *result, const char *name);

#endif							/* BIZINVOICE_IDEMPOTENT_H */
