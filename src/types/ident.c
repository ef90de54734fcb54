/*
 * ident.c
 *		Reading typed identifiers and reporting why one was refused.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "types/ident.h"
#include "utils/builtins.h"

/*
 * Separators people put inside identifiers.  In UTF-8 databases, the
 * no-break space (U+00A0) and narrow no-break space (U+202F) that French
 * typography puts between digit groups count too; returns the separator's
 * length in bytes, or 0.
 */
static int
separator_length(const unsigned char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '.' || *p == '-')
		return 1;
	if (*p < 0x80 || GetDatabaseEncoding() != PG_UTF8)
		return 0;
	if (p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF)
		return 3;
	return 0;
}

/*
 * What each byte becomes in a normalised identifier, per charset: itself
 * upper-cased, or 0 for anything else (separators, refusals, non-ASCII).
 * Built on first use.
 */
static char normal_byte[2][256];

static void
build_normal_bytes(void)
{
	for (int c = '0'; c <= '9'; c++)
		normal_byte[IDENT_DIGITS][c] = normal_byte[IDENT_ALNUM][c] = (char) c;
	for (int c = 'A'; c <= 'Z'; c++)
		normal_byte[IDENT_ALNUM][c] = normal_byte[IDENT_ALNUM][c + 'a' - 'A'] = (char) c;
}

bool
ident_normalize(const char *str, IdentCharset charset, const char *label,
				IdentInput *in)
{
	const unsigned char *p = (const unsigned char *) str;
	const char *normal = normal_byte[charset];
	char	   *out = in->norm;
	size_t		n = strlen(str);
	int			len = 0;		/* a local: stores through out may alias *in */
	int			position = 0;	/* in characters, for the message */
	int			seplen;

	if (normal_byte[IDENT_DIGITS]['0'] == 0)
		build_normal_bytes();
	in->detail[0] = '\0';

	/* the common case: already canonical but for case, and not too long */
	if (n <= IDENT_MAXLEN)
	{
		for (; len < n; len++)
		{
			if ((out[len] = normal[p[len]]) == 0)
				break;
		}
		if (len == n)
		{
			out[len] = '\0';
			in->len = len;
			return true;
		}
		len = 0;
	}

	while (*p != '\0')
	{
		char		c = normal[*p];

		position++;
		if (c != 0)
		{
			if (len < IDENT_MAXLEN)
				out[len] = c;
			len++;
			p++;
			continue;
		}
		seplen = separator_length(p);
		if (seplen == 0)
		{
			in->len = len;
			return ident_refuse(in, "Character \"%.*s\" at position %d is not %s: %s has only %s.",
								pg_mblen((const char *) p), (const char *) p, position,
								charset == IDENT_DIGITS ? "a digit" : "a letter or digit",
								label,
								charset == IDENT_DIGITS ? "digits" : "letters and digits");
		}
		p += seplen;
	}
	out[Min(len, IDENT_MAXLEN)] = '\0';
	in->len = len;
	return true;
}

bool
ident_refuse(IdentInput *in, const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	vsnprintf(in->detail, sizeof(in->detail), fmt, args);
	va_end(args);
	return false;
}

void
ident_input_error(const char *typname, const char *str, const IdentInput *in)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", typname, str),
			 errdetail_internal("%s", in->detail)));
}

void
ident_recv_error(const char *typname, const IdentInput *in)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid external value for type %s", typname),
			 errdetail_internal("%s", in->detail)));
}

void
ident_format_digits(int64 value, int ndigits, char *buf)
{
	for (int i = ndigits - 1; i >= 0; i--)
	{
		buf[i] = '0' + value % 10;
		value /= 10;
	}
	buf[ndigits] = '\0';
}

int
luhn_check_digit(const char *digits, int n)
{
	int			sum = 0;

	/* the check digit itself is not doubled, so the last payload digit is */
	for (int i = n - 1, doubled = 1; i >= 0; i--, doubled = !doubled)
	{
		int			d = digits[i] - '0';

		if (doubled)
			d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return (10 - sum % 10) % 10;
}

int
mod97(const char *s, int n)
{
	static uint32 weight[2 * IDENT_MAXLEN];	/* 10^k mod 97, from the right */
	static uint8 value[256];	/* '0'-'9': 0-9, 'A'-'Z': 10-35 */
	static uint8 width[256];	/* decimal digits a character stands for */
	uint32		sum = 0;
	int			k = 0;

	if (weight[0] == 0)
	{
		weight[0] = 1;
		for (int i = 1; i < lengthof(weight); i++)
			weight[i] = weight[i - 1] * 10 % 97;
		for (int c = '0'; c <= '9'; c++)
			value[c] = c - '0', width[c] = 1;
		for (int c = 'A'; c <= 'Z'; c++)
			value[c] = c - 'A' + 10, width[c] = 2;
	}

	/*
	 * Each character weighted by its power of ten (a letter stands for two
	 * digits): no division per digit, no dependency between the products,
	 * no branch; the sum (< 35 * 96 * 68) needs one division at the end.
	 */
	for (int i = n - 1; i >= 0; i--)
	{
		unsigned char c = (unsigned char) s[i];

		sum += value[c] * weight[k];
		k += width[c];
	}
	return (int) (sum % 97);
}

int64
ident_digits_value(const char *digits, int n)
{
	int64		value = 0;

	for (int i = 0; i < n; i++)
		value = value * 10 + (digits[i] - '0');
	return value;
}

/* ISO 3166-1 alpha-2, plus XK (Kosovo) which banks use. */
static const char iso3166_codes[] =
"AD" "AE" "AF" "AG" "AI" "AL" "AM" "AO" "AQ" "AR" "AS" "AT" "AU" "AW" "AX" "AZ"
"BA" "BB" "BD" "BE" "BF" "BG" "BH" "BI" "BJ" "BL" "BM" "BN" "BO" "BQ" "BR" "BS"
"BT" "BV" "BW" "BY" "BZ" "CA" "CC" "CD" "CF" "CG" "CH" "CI" "CK" "CL" "CM" "CN"
"CO" "CR" "CU" "CV" "CW" "CX" "CY" "CZ" "DE" "DJ" "DK" "DM" "DO" "DZ" "EC" "EE"
"EG" "EH" "ER" "ES" "ET" "FI" "FJ" "FK" "FM" "FO" "FR" "GA" "GB" "GD" "GE" "GF"
"GG" "GH" "GI" "GL" "GM" "GN" "GP" "GQ" "GR" "GS" "GT" "GU" "GW" "GY" "HK" "HM"
"HN" "HR" "HT" "HU" "ID" "IE" "IL" "IM" "IN" "IO" "IQ" "IR" "IS" "IT" "JE" "JM"
"JO" "JP" "KE" "KG" "KH" "KI" "KM" "KN" "KP" "KR" "KW" "KY" "KZ" "LA" "LB" "LC"
"LI" "LK" "LR" "LS" "LT" "LU" "LV" "LY" "MA" "MC" "MD" "ME" "MF" "MG" "MH" "MK"
"ML" "MM" "MN" "MO" "MP" "MQ" "MR" "MS" "MT" "MU" "MV" "MW" "MX" "MY" "MZ" "NA"
"NC" "NE" "NF" "NG" "NI" "NL" "NO" "NP" "NR" "NU" "NZ" "OM" "PA" "PE" "PF" "PG"
"PH" "PK" "PL" "PM" "PN" "PR" "PS" "PT" "PW" "PY" "QA" "RE" "RO" "RS" "RU" "RW"
"SA" "SB" "SC" "SD" "SE" "SG" "SH" "SI" "SJ" "SK" "SL" "SM" "SN" "SO" "SR" "SS"
"ST" "SV" "SX" "SY" "SZ" "TC" "TD" "TF" "TG" "TH" "TJ" "TK" "TL" "TM" "TN" "TO"
"TR" "TT" "TV" "TW" "TZ" "UA" "UG" "UM" "US" "UY" "UZ" "VA" "VC" "VE" "VG" "VI"
"VN" "VU" "WF" "WS" "XK" "YE" "YT" "ZA" "ZM" "ZW";

int
ident_country_find(IdentCountryIndex *index, const void *list, size_t stride,
				   int n, const char *code)
{
	int			slot;

	if (!index->built)
	{
		for (int i = 0; i < n; i++)
		{
			const char *entry = (const char *) list + i * stride;

			index->entry[(entry[0] - 'A') * 26 + (entry[1] - 'A')] = i + 1;
		}
		index->built = true;
	}
	if (code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z')
		return -1;
	slot = (code[0] - 'A') * 26 + (code[1] - 'A');
	return index->entry[slot] - 1;
}

bool
iso3166_country(const char *code)
{
	static IdentCountryIndex index;

	return ident_country_find(&index, iso3166_codes, 2,
							  (int) (sizeof(iso3166_codes) - 1) / 2, code) >= 0;
}

/*
 * The country of an identifier stored as text that starts with it (iban,
 * vat_id).
 */
PG_FUNCTION_INFO_V1(ident_country);
Datum
ident_country(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text_with_len(VARDATA_ANY(PG_GETARG_TEXT_PP(0)), 2));
}
