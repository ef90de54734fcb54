/*
 * decimal.h
 *		Exact decimal arithmetic for the EN 16931 rules, on PostgreSQL's
 *		numeric: amounts as written (xs:decimal), sums, and rounding as the
 *		official rules do it (XPath round(): halves toward +infinity).
 */
#ifndef BIZINVOICE_DECIMAL_H
#define BIZINVOICE_DECIMAL_H

#include "postgres.h"

#include "einvoice.h"
#include "utils/numeric.h"

/* Whether a trimmed text is an xs:decimal ("-12.50", "3", ".5"). */
extern bool dec_is_valid(const char *s);

/* Digits after the decimal point of a trimmed xs:decimal. */
extern int	dec_scale(const char *s);

/* A value as numeric: NULL when absent or not a decimal. */
extern Numeric dec_value(const EiValue *v);

/* The same, with absent (not invalid) values as 0. */
extern Numeric dec_or_zero(const EiValue *v);

extern Numeric dec_zero(void);
extern Numeric dec_add(Numeric a, Numeric b);
extern Numeric dec_sub(Numeric a, Numeric b);
extern Numeric dec_mul(Numeric a, Numeric b);
extern Numeric dec_div(Numeric a, Numeric b);
extern Numeric dec_abs(Numeric a);
extern int	dec_cmp(Numeric a, Numeric b);

/* round(a * 10^scale) div 10^scale, halves toward +infinity */
extern Numeric dec_round(Numeric a, int scale);

/* round(|base| x rate / 100, 2): a VAT amount as the rules compute it */
extern Numeric dec_percent_of(Numeric base, Numeric rate);

/* a - 1 < b < a + 1 (with <= when inclusive): the rules' one-unit tolerance */
extern bool dec_within_one(Numeric a, Numeric b, bool inclusive);

extern char *dec_text(Numeric a);

#endif							/* BIZINVOICE_DECIMAL_H */
