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

Numeric
dec_add(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
dec_sub(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_sub, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
dec_mul(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
dec_div(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_div, NumericGetDatum(a),
											   NumericGetDatum(b)));
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
	Numeric		shift = int64_to_numeric(1);
	Numeric		half = dec_parse("0.5");
	Numeric		r;
	int			i;

	for (i = 0; i < scale; i++)
		shift = dec_mul(shift, int64_to_numeric(10));
	r = dec_add(dec_mul(a, shift), half);
	r = DatumGetNumeric(DirectFunctionCall1(numeric_floor, NumericGetDatum(r)));
	r = dec_div(r, shift);
	return DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(r),
											   Int32GetDatum(scale)));
}

char *
dec_text(Numeric a)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(a)));
}
