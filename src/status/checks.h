/*
 * checks.h
 *		A table's CHECK constraints, planned once per backend (checks.c).
 */
#ifndef BIZINVOICE_CHECKS_H
#define BIZINVOICE_CHECKS_H

#include "postgres.h"

#include "nodes/execnodes.h"

/*
 * Gives rri the states of its table's CHECK constraints for ExecConstraints
 * from the plans cached for the backend, so that the executor does not
 * read and plan them again.
 */
extern void checks_prepare(ResultRelInfo *rri, EState *estate);

#endif							/* BIZINVOICE_CHECKS_H */
