/*
 * iban.c
 *		The iban type (ISO 13616): a country code, two check digits and the
 *		country's domestic account number, of a length fixed per country;
 *		the whole is 1 mod 97.  Stored as its electronic form ("FR76...")
 *		in a varlena: compared as bytea, output and sent as text.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "types/ident.h"
#include "utils/builtins.h"

typedef struct IbanCountry
{
	char		code[3];
	int			length;
} IbanCountry;

/* The SWIFT IBAN registry: countries that issue IBANs and their lengths. */
static const IbanCountry iban_countries[] = {
	{"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20},
	{"BE", 16}, {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28},
	{"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27},
	{"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
	{"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23},
	{"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28},
	{"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30},
	{"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
	{"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22},
	{"MK", 19}, {"MN", 20}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28},
	{"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28}, {"PS", 29},
	{"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
	{"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
	{"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26},
	{"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

/* The length of an IBAN from the country at code, or 0. */
static int
iban_length(const char *code)
{
	static IdentCountryIndex index;
	int			i = ident_country_find(&index, iban_countries, sizeof(IbanCountry),
									   lengthof(iban_countries), code);

	return i < 0 ? 0 : iban_countries[i].length;
}

static bool
iban_parse(const char *str, IdentInput *in)
{
	const char *s = in->norm;
	int			length;
	char		moved[IDENT_MAXLEN];
	int			expected;

	if (!ident_normalize(str, IDENT_ALNUM, "an IBAN", in))
		return false;
	if (in->len < 2)
		return ident_refuse(in, "An IBAN has at least 15 characters, not %d.",
							in->len);
	if (!isupper((unsigned char) s[0]) || !isupper((unsigned char) s[1]))
		return ident_refuse(in, "An IBAN starts with a two-letter country code, not \"%.2s\".",
							s);
	length = iban_length(s);
	if (length == 0)
		return ident_refuse(in, "Country code \"%.2s\" does not issue IBANs.",
							s);
	if (in->len != length)
		return ident_refuse(in, "An IBAN from %.2s has %d characters, not %d.",
							s, length, in->len);
	if (!isdigit((unsigned char) s[2]) || !isdigit((unsigned char) s[3]))
		return ident_refuse(in, "Characters 3 and 4 of an IBAN are check digits, not \"%.2s\".",
							s + 2);

	/* ISO 7064 mod 97-10 over the account number, then country and "00" */
	memcpy(moved, s + 4, length - 4);
	memcpy(moved + length - 4, s, 2);
	memcpy(moved + length - 2, "00", 2);
	expected = 98 - mod97(moved, length);
	if ((s[2] - '0') * 10 + (s[3] - '0') != expected)
		return ident_refuse(in, "The check digits are %.2s but should be %02d.",
							s + 2, expected);
	return true;
}

PG_FUNCTION_INFO_V1(iban_in);
Datum
iban_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	IdentInput	in;

	if (!iban_parse(str, &in))
		ident_input_error("iban", str, &in);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(in.norm, in.len));
}

/* Binary form: the electronic form as text, checked like typed input. */
PG_FUNCTION_INFO_V1(iban_recv);
Datum
iban_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int			nbytes;
	char	   *str = pq_getmsgtext(msg, msg->len - msg->cursor, &nbytes);
	IdentInput	in;

	if (!iban_parse(str, &in))
		ident_recv_error("iban", &in);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(in.norm, in.len));
}

/* The print format: groups of four separated by spaces. */
PG_FUNCTION_INFO_V1(iban_print);
Datum
iban_print(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < len; i++)
	{
		if (i > 0 && i % 4 == 0)
			appendStringInfoChar(&buf, ' ');
		appendStringInfoChar(&buf, s[i]);
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

PG_FUNCTION_INFO_V1(is_valid_iban);
Datum
is_valid_iban(PG_FUNCTION_ARGS)
{
	IdentInput	in;

	PG_RETURN_BOOL(iban_parse(text_to_cstring(PG_GETARG_TEXT_PP(0)), &in));
}
