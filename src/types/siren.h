/*
 * siren.h
 *		The siren type's parser, for the types built on it
 *		(siret contains a SIREN, a French VAT number is derived from one).
 */
#ifndef BIZINVOICE_SIREN_H
#define BIZINVOICE_SIREN_H

#include "types/ident.h"

#define SIREN_DIGITS 9

/* Parse typed text; on refusal returns false with in->detail set. */
extern bool siren_parse(const char *str, int32 *result, IdentInput *in);

#endif							/* BIZINVOICE_SIREN_H */
