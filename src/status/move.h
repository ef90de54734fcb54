/*
 * move.h
 *		Status moves called from C (move.c): what set_status() and
 *		system_move() do.
 */
#ifndef BIZINVOICE_MOVE_H
#define BIZINVOICE_MOVE_H

#include "postgres.h"

/* A move by the acting party, refused as set_status() refuses it. */
extern void party_move(int64 id, const char *status, const char *reason, Datum amount,
					   bool amount_null);

/* A move by the platform or the Chorus Pro sync (actor "platform", "chorus"). */
extern void platform_move(int64 id, const char *actor, const char *status, const char *reason,
						  Datum amount, bool amount_null, const char *raw_code);

#endif							/* BIZINVOICE_MOVE_H */
