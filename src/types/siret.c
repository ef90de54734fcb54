/*
 * siret.c
 *		The siret type: an establishment's 14 digits, its SIREN followed by a
 *		5-digit establishment number (NIC).  Stored as an int8.
 *
 * The 14 digits carry a Luhn check, except at La Poste (SIREN 356000000),
 * whose establishments outnumber what Luhn can tell apart: there the digits
 * add up to a multiple of 5 instead (the head office keeps a Luhn number).
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "types/ident.h"
#include "types/siren.h"
#include "utils/builtins.h"

#define SIRET_DIGITS 14
#define NIC_FACTOR INT64CONST(100000)	/* siret / NIC_FACTOR = siren */
#define LA_POSTE_SIREN "356000000"

static bool
siret_value(const IdentInput *in, int64 *result)
{
	*result = ident_digits_value(in->norm, SIRET_DIGITS);
	return true;
}

/* La Poste's rule; on refusal names the digits that would do. */
static bool
la_poste_check(IdentInput *in)
{
	int			sum = 0;
	int			last = in->norm[SIRET_DIGITS - 1] - '0';
	int			fit;

	for (int i = 0; i < SIRET_DIGITS; i++)
		sum += in->norm[i] - '0';
	if (sum % 5 == 0 ||
		luhn_check_digit(in->norm, SIRET_DIGITS - 1) == last)
		return true;
	fit = (last + 10 - sum % 5) % 5;
	return ident_refuse(in, "The check digit is %d but should be %d or %d: the digits of a La Poste SIRET add up to a multiple of 5.",
						last, fit, fit + 5);
}

static bool
siret_parse(const char *str, int64 *result, IdentInput *in)
{
	const char *s = in->norm;
	int			check;

	if (!ident_normalize(str, IDENT_DIGITS, "a SIRET", in))
		return false;
	if (in->len != SIRET_DIGITS)
		return ident_refuse(in, "A SIRET has %d digits, not %d.",
							SIRET_DIGITS, in->len);

	/* its SIREN must hold on its own, so that siret::siren always works */
	check = luhn_check_digit(s, SIREN_DIGITS - 1);
	if (s[SIREN_DIGITS - 1] - '0' != check)
		return ident_refuse(in, "Its SIREN %.9s is not valid: the SIREN's check digit is %c but should be %d.",
							s, s[SIREN_DIGITS - 1], check);

	if (strncmp(s, LA_POSTE_SIREN, SIREN_DIGITS) == 0)
		return la_poste_check(in) && siret_value(in, result);
	check = luhn_check_digit(s, SIRET_DIGITS - 1);
	if (s[SIRET_DIGITS - 1] - '0' != check)
		return ident_refuse(in, "The check digit is %c but should be %d.",
							s[SIRET_DIGITS - 1], check);
	return siret_value(in, result);
}

PG_FUNCTION_INFO_V1(siret_in);
Datum
siret_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	IdentInput	in;
	int64		value;

	if (!siret_parse(str, &value, &in))
		ident_input_error("siret", str, &in);
	PG_RETURN_INT64(value);
}

PG_FUNCTION_INFO_V1(siret_out);
Datum
siret_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(SIRET_DIGITS + 1);

	ident_format_digits(PG_GETARG_INT64(0), SIRET_DIGITS, buf);
	PG_RETURN_CSTRING(buf);
}

/* Binary form: the int8, checked like typed input. */
PG_FUNCTION_INFO_V1(siret_recv);
Datum
siret_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int64		raw = pq_getmsgint64(msg);
	char		buf[24];
	IdentInput	in;
	int64		value;

	snprintf(buf, sizeof(buf), "%014" INT64_MODIFIER "d", raw);
	if (!siret_parse(buf, &value, &in))
		ident_recv_error("siret", &in);
	PG_RETURN_INT64(value);
}

PG_FUNCTION_INFO_V1(siret_send);
Datum
siret_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, PG_GETARG_INT64(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(siret_to_siren);
Datum
siret_to_siren(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) (PG_GETARG_INT64(0) / NIC_FACTOR));
}

PG_FUNCTION_INFO_V1(is_valid_siret);
Datum
is_valid_siret(PG_FUNCTION_ARGS)
{
	IdentInput	in;
	int64		value;

	PG_RETURN_BOOL(siret_parse(text_to_cstring(PG_GETARG_TEXT_PP(0)), &value, &in));
}
