/*
 * vat_id.c
 *		The vat_id type: an EU VAT identification number, its country prefix
 *		followed by that country's format.  French numbers carry a key
 *		computed from the SIREN, which is checked.  Stored as its canonical
 *		text ("FR44732829320") in a varlena, compared as bytea and output
 *		and sent as text.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "types/ident.h"
#include "types/siren.h"
#include "utils/builtins.h"

#define VAT_PREFIX 2

/*
 * Formats after the prefix, '|' between alternatives: 'd' a digit, 'a' a
 * letter, 'x' either, any other character itself.
 */
typedef struct VatFormat
{
	char		prefix[3];
	const char *patterns;
	const char *described;		/* for messages */
} VatFormat;

static const VatFormat vat_formats[] = {
	{"AT", "Udddddddd", "U and 8 digits"},
	{"BE", "0ddddddddd|1ddddddddd", "10 digits starting with 0 or 1"},
	{"BG", "ddddddddd|dddddddddd", "9 or 10 digits"},
	{"CY", "dddddddda", "8 digits and a letter"},
	{"CZ", "dddddddd|ddddddddd|dddddddddd", "8, 9 or 10 digits"},
	{"DE", "ddddddddd", "9 digits"},
	{"DK", "dddddddd", "8 digits"},
	{"EE", "ddddddddd", "9 digits"},
	{"EL", "ddddddddd", "9 digits"},
	{"ES", "xdddddddx", "9 characters: a letter or digit, 7 digits, a letter or digit"},
	{"FI", "dddddddd", "8 digits"},
	{"FR", "xxddddddddd", "a 2-character key and the 9-digit SIREN"},
	{"HR", "ddddddddddd", "11 digits"},
	{"HU", "dddddddd", "8 digits"},
	{"IE", "ddddddda|dddddddaa|dxddddda", "7 digits and 1 or 2 letters"},
	{"IT", "ddddddddddd", "11 digits"},
	{"LT", "ddddddddd|dddddddddddd", "9 or 12 digits"},
	{"LU", "dddddddd", "8 digits"},
	{"LV", "ddddddddddd", "11 digits"},
	{"MT", "dddddddd", "8 digits"},
	{"NL", "dddddddddBdd", "9 digits, B and 2 digits"},
	{"PL", "dddddddddd", "10 digits"},
	{"PT", "ddddddddd", "9 digits"},
	{"RO", "dd|ddd|dddd|ddddd|dddddd|ddddddd|dddddddd|ddddddddd|dddddddddd", "2 to 10 digits"},
	{"SE", "dddddddddd01", "12 digits ending in 01"},
	{"SI", "dddddddd", "8 digits"},
	{"SK", "dddddddddd", "10 digits"},
	{"XI", "ddddddddd|dddddddddddd|GDddd|HAddd", "9 or 12 digits, or GD or HA and 3 digits"},
};

static const VatFormat *
vat_format(const char *prefix)
{
	static IdentCountryIndex index;
	int			i = ident_country_find(&index, vat_formats, sizeof(VatFormat),
									   lengthof(vat_formats), prefix);

	return i < 0 ? NULL : &vat_formats[i];
}

static bool
pattern_matches(const char *patterns, const char *s, int len)
{
	const char *p = patterns;

	for (;;)
	{
		int			i = 0;

		for (; p[i] != '\0' && p[i] != '|' && i < len; i++)
		{
			char		c = s[i];
			bool		digit = c >= '0' && c <= '9';

			if (p[i] == 'd' ? !digit :
				p[i] == 'a' ? digit :
				p[i] == 'x' ? false : p[i] != c)
				break;
		}
		if (i == len && (p[i] == '\0' || p[i] == '|'))
			return true;
		p = strchr(p, '|');
		if (p == NULL)
			return false;
		p++;
	}
}

/* The French key: (12 + 3 × (SIREN mod 97)) mod 97. */
static int
vat_fr_key(int32 siren)
{
	return (12 + 3 * (siren % 97)) % 97;
}

static bool
vat_id_parse(const char *str, IdentInput *in)
{
	const char *s = in->norm;
	const VatFormat *format;

	if (!ident_normalize(str, IDENT_ALNUM, "a VAT number", in))
		return false;
	if (in->len < VAT_PREFIX)
		return ident_refuse(in, "A VAT number starts with a two-letter country prefix.");
	format = vat_format(s);
	if (format == NULL && strncmp(s, "GR", 2) == 0)
		return ident_refuse(in, "Greek VAT numbers start with EL, not GR.");
	if (format == NULL)
		return ident_refuse(in, "\"%.2s\" is not the prefix of an EU VAT number.",
							s);
	if (!pattern_matches(format->patterns, s + VAT_PREFIX, in->len - VAT_PREFIX))
		return ident_refuse(in, "A VAT number from %s has %s after the prefix, not \"%s\".",
							format->prefix, format->described, s + VAT_PREFIX);
	if (strncmp(s, "FR", 2) == 0 && isdigit((unsigned char) s[2]) &&
		isdigit((unsigned char) s[3]))
	{
		int			key = (s[2] - '0') * 10 + (s[3] - '0');
		int			expected = vat_fr_key((int32) ident_digits_value(s + 4, SIREN_DIGITS));

		if (key != expected)
			return ident_refuse(in, "The key is %02d but should be %02d.",
								key, expected);
	}
	return true;
}

PG_FUNCTION_INFO_V1(vat_id_in);
Datum
vat_id_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	IdentInput	in;

	if (!vat_id_parse(str, &in))
		ident_input_error("vat_id", str, &in);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(in.norm, in.len));
}

/* Binary form: the canonical text, checked like typed input. */
PG_FUNCTION_INFO_V1(vat_id_recv);
Datum
vat_id_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int			nbytes;
	char	   *str = pq_getmsgtext(msg, msg->len - msg->cursor, &nbytes);
	IdentInput	in;

	if (!vat_id_parse(str, &in))
		ident_recv_error("vat_id", &in);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(in.norm, in.len));
}

PG_FUNCTION_INFO_V1(vat_id_from_siren);
Datum
vat_id_from_siren(PG_FUNCTION_ARGS)
{
	int32		siren = PG_GETARG_INT32(0);
	char		buf[VAT_PREFIX + 2 + SIREN_DIGITS + 1];

	memcpy(buf, "FR", VAT_PREFIX);
	ident_format_digits(vat_fr_key(siren), 2, buf + VAT_PREFIX);
	ident_format_digits(siren, SIREN_DIGITS, buf + VAT_PREFIX + 2);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, sizeof(buf) - 1));
}

PG_FUNCTION_INFO_V1(is_valid_vat_id);
Datum
is_valid_vat_id(PG_FUNCTION_ARGS)
{
	IdentInput	in;

	PG_RETURN_BOOL(vat_id_parse(text_to_cstring(PG_GETARG_TEXT_PP(0)), &in));
}
