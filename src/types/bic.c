/*
 * bic.c
 *		The bic type (ISO 9362): 4 characters for the institution, a country
 *		code, 2 for the location and an optional 3-character branch.
 *
 * "XXX" is the branch code of the primary office, so "BNPAFRPPXXX" and
 * "BNPAFRPP" name the same office and are stored alike, in 8 characters.
 * Stored as an int8: each character a base-37 digit (0 for a missing
 * branch, then digits, then letters), which sorts as the text does.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "types/ident.h"
#include "utils/builtins.h"

#define BIC_SHORT 8
#define BIC_LONG 11
#define BIC_RADIX 37

static bool
bic_parse(const char *str, int64 *result, IdentInput *in)
{
	const char *s = in->norm;
	int64		value = 0;

	if (!ident_normalize(str, IDENT_ALNUM, "a BIC", in))
		return false;
	if (in->len != BIC_SHORT && in->len != BIC_LONG)
		return ident_refuse(in, "A BIC has %d or %d characters, not %d.",
							BIC_SHORT, BIC_LONG, in->len);
	if (!isupper((unsigned char) s[4]) || !isupper((unsigned char) s[5]) ||
		!iso3166_country(s + 4))
		return ident_refuse(in, "Characters 5 and 6 of a BIC are a country code, and \"%.2s\" is not one.",
							s + 4);
	if (in->len == BIC_LONG && strcmp(s + BIC_SHORT, "XXX") == 0)
		in->len = BIC_SHORT;

	for (int i = 0; i < BIC_LONG; i++)
	{
		int			digit = 0;

		if (i < in->len)
			digit = isdigit((unsigned char) s[i]) ? s[i] - '0' + 1 : s[i] - 'A' + 11;
		value = value * BIC_RADIX + digit;
	}
	*result = value;
	return true;
}

/* Writes the BIC and a NUL into buf (BIC_LONG + 1 bytes). */
static void
bic_format(int64 value, char *buf)
{
	buf[BIC_LONG] = '\0';
	for (int i = BIC_LONG - 1; i >= 0; i--)
	{
		int			digit = value % BIC_RADIX;

		value /= BIC_RADIX;
		if (digit == 0)
			buf[i] = '\0';
		else if (digit <= 10)
			buf[i] = '0' + digit - 1;
		else
			buf[i] = 'A' + digit - 11;
	}
}

PG_FUNCTION_INFO_V1(bic_in);
Datum
bic_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	IdentInput	in;
	int64		value;

	if (!bic_parse(str, &value, &in))
		ident_input_error("bic", str, &in);
	PG_RETURN_INT64(value);
}

PG_FUNCTION_INFO_V1(bic_out);
Datum
bic_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(BIC_LONG + 1);

	bic_format(PG_GETARG_INT64(0), buf);
	PG_RETURN_CSTRING(buf);
}

/* Binary form: the BIC as text, checked like typed input. */
PG_FUNCTION_INFO_V1(bic_recv);
Datum
bic_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int			nbytes;
	char	   *str = pq_getmsgtext(msg, msg->len - msg->cursor, &nbytes);
	IdentInput	in;
	int64		value;

	if (!bic_parse(str, &value, &in))
		ident_recv_error("bic", &in);
	PG_RETURN_INT64(value);
}

PG_FUNCTION_INFO_V1(bic_send);
Datum
bic_send(PG_FUNCTION_ARGS)
{
	char		buf[BIC_LONG + 1];
	StringInfoData msg;

	bic_format(PG_GETARG_INT64(0), buf);
	pq_begintypsend(&msg);
	pq_sendtext(&msg, buf, strlen(buf));
	PG_RETURN_BYTEA_P(pq_endtypsend(&msg));
}

PG_FUNCTION_INFO_V1(is_valid_bic);
Datum
is_valid_bic(PG_FUNCTION_ARGS)
{
	IdentInput	in;
	int64		value;

	PG_RETURN_BOOL(bic_parse(text_to_cstring(PG_GETARG_TEXT_PP(0)), &value, &in));
}
