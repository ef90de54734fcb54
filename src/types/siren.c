/*
 * siren.c
 *		The siren type: the 9-digit number INSEE gives every French company,
 *		its last digit a Luhn check.  Stored as an int4.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "types/ident.h"
#include "types/siren.h"
#include "utils/builtins.h"

bool
siren_parse(const char *str, int32 *result, IdentInput *in)
{
	int			check;

	if (!ident_normalize(str, IDENT_DIGITS, "a SIREN", in))
		return false;
	if (in->len != SIREN_DIGITS)
		return ident_refuse(in, "A SIREN has %d digits, not %d.",
							SIREN_DIGITS, in->len);
	check = luhn_check_digit(in->norm, SIREN_DIGITS - 1);
	if (in->norm[SIREN_DIGITS - 1] - '0' != check)
		return ident_refuse(in, "The check digit is %c but should be %d.",
							in->norm[SIREN_DIGITS - 1], check);
	*result = (int32) ident_digits_value(in->norm, SIREN_DIGITS);
	return true;
}

PG_FUNCTION_INFO_V1(siren_in);
Datum
siren_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	IdentInput	in;
	int32		value;

	if (!siren_parse(str, &value, &in))
		ident_input_error("siren", str, &in);
	PG_RETURN_INT32(value);
}

PG_FUNCTION_INFO_V1(siren_out);
Datum
siren_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(SIREN_DIGITS + 1);

	ident_format_digits(PG_GETARG_INT32(0), SIREN_DIGITS, buf);
	PG_RETURN_CSTRING(buf);
}

/* Binary form: the int4, checked like typed input. */
PG_FUNCTION_INFO_V1(siren_recv);
Datum
siren_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int32		raw = pq_getmsgint(msg, 4);
	char		buf[12];
	IdentInput	in;
	int32		value;

	/* out of range values show up as a wrong length */
	snprintf(buf, sizeof(buf), "%09d", raw);
	if (!siren_parse(buf, &value, &in))
		ident_recv_error("siren", &in);
	PG_RETURN_INT32(value);
}

PG_FUNCTION_INFO_V1(siren_send);
Datum
siren_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, PG_GETARG_INT32(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(is_valid_siren);
Datum
is_valid_siren(PG_FUNCTION_ARGS)
{
	IdentInput	in;
	int32		value;

	PG_RETURN_BOOL(siren_parse(text_to_cstring(PG_GETARG_TEXT_PP(0)), &value, &in));
}
