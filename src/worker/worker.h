/*
 * worker.h
 *		The Chorus Pro background worker.
 */
#ifndef CHORUS_WORKER_H
#define CHORUS_WORKER_H

#include "postgres.h"

/* from _PG_init, while shared_preload_libraries is processed */
extern void chorus_worker_register(void);

extern PGDLLEXPORT void chorus_worker_main(Datum arg);

#endif							/* CHORUS_WORKER_H */
