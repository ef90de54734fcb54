/*
 * decimal.c
 *		Exact decimal arithmetic for the EN 16931 rules (see decimal.h).
 */
#include "postgres.h"

#include "decimal.h"
#include "fmgr.h"
#include "utils/builtins.h"

bool
dec_is_valid(const char *s)
{
	bool		digits = false;

	if (*s == '+' || *s == '-')
		s++;
	while (*s >= '0' && *s <= '9')
		s++, digits = true;
	if (*s == '.')
	{
		s++;
		while (*s >= '0' && *s <= '9')
			s++, digits = true;
	}
	return digits && *s == '\0';
}

int
dec_scale(const char *s)
{
	const char *dot = strchr(s, '.');

	return dot ? (int) strlen(dot + 1) : 0;
}

static Numeric
dec_parse(const char *s)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

Numeric
dec_value(const EiValue *v)
{
	const char *s = ei_trimmed(v);

	if (s == NULL || !dec_is_valid(s))
		return NULL;
	return dec_parse(s);
}

Numeric
dec_or_zero(const EiValue *v)
{
	return v->node == NULL || v->text == NULL ? dec_zero() : dec_value(v);
}

Numeric
dec_zero(void)
{
	return int64_to_numeric(0);
}

static Numeric
binary(PGFunction op, Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(op, NumericGetDatum(a), NumericGetDatum(b)));
}

Numeric
dec_add(Numeric a, Numeric b)
{
	return binary(numeric_add, a, b);
}

Numeric
dec_sub(Numeric a, Numeric b)
{
	return binary(numeric_sub, a, b);
}

Numeric
dec_mul(Numeric a, Numeric b)
{
	return binary(numeric_mul, a, b);
}

Numeric
dec_div(Numeric a, Numeric b)
{
	return binary(numeric_div, a, b);
}

Numeric
dec_abs(Numeric a)
{
	return DatumGetNumeric(DirectFunctionCall1(numeric_abs, NumericGetDatum(a)));
}

int
dec_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(b)));
}

Numeric
dec_round(Numeric a, int scale)
{
	int64		shift = 1;
	Numeric		r;
	int			i;

	for (i = 0; i < scale; i++)
		shift *= 10;
	/* floor(a * 10^scale + 0.5) / 10^scale, shown with scale decimals */
	r = dec_add(dec_mul(a, int64_to_numeric(shift)), int64_div_fast_to_numeric(5, 1));
	r = DatumGetNumeric(DirectFunctionCall1(numeric_floor, NumericGetDatum(r)));
	r = dec_mul(r, int64_div_fast_to_numeric(1, scale));
	return DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(r),
											   Int32GetDatum(scale)));
}

Numeric
dec_percent_of(Numeric base, Numeric rate)
{
	return dec_round(dec_mul(dec_mul(dec_abs(base), rate), int64_div_fast_to_numeric(1, 2)), 2);
}

bool
dec_within_one(Numeric a, Numeric b, bool inclusive)
{
	Numeric		one = int64_to_numeric(1);
	int			low = dec_cmp(dec_sub(a, one), b);
	int			high = dec_cmp(dec_add(a, one), b);

	return inclusive ? (low <= 0 && high >= 0) : (low < 0 && high > 0);
}

char *
dec_text(Numeric a)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(a)));
}
