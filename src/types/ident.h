/*
 * ident.h
 *		What every identifier type shares: reading what people type,
 *		reporting why an input was refused, and the check-digit algorithms.
 *
 * Each type parses into an IdentInput first: separators (spaces, dots,
 * hyphens, no-break spaces) are dropped, letters upper-cased, and anything
 * else refused with its position.  A parser that refuses an input writes a
 * full errdetail sentence into detail; the SQL input function raises it, the
 * is_valid_<type>() function only looks at the verdict.
 */
#ifndef BIZINVOICE_IDENT_H
#define BIZINVOICE_IDENT_H

#include "postgres.h"

/*
 * Longest normalised identifier kept (IBAN: 34).  Longer inputs are still
 * counted in len, for each type's length check to refuse.
 */
#define IDENT_MAXLEN	34
#define IDENT_DETAIL_LEN 200

typedef enum IdentCharset
{
	IDENT_DIGITS,				/* 0-9 only */
	IDENT_ALNUM					/* 0-9 and A-Z (input may be lower case) */
} IdentCharset;

typedef struct IdentInput
{
	char		norm[IDENT_MAXLEN + 1]; /* normalised, NUL-terminated */
	int			len;			/* characters found, even past IDENT_MAXLEN */
	char		detail[IDENT_DETAIL_LEN];	/* why it was refused */
} IdentInput;

/*
 * Normalise str into in->norm.  label names the identifier in messages, with
 * its article ("a SIREN").  Returns false (detail set) on a character outside
 * charset; the length is each type's to check.
 */
extern bool ident_normalize(const char *str, IdentCharset charset,
							const char *label, IdentInput *in);

/* Sets in->detail from a format string; always returns false. */
extern bool ident_refuse(IdentInput *in, const char *fmt,...) pg_attribute_printf(2, 3);

/* ereport 22P02 for an input refused by a parser. */
extern void ident_input_error(const char *typname, const char *str,
							  const IdentInput *in) pg_attribute_noreturn();

/* ereport 22P03 for a binary value refused by a parser. */
extern void ident_recv_error(const char *typname, const IdentInput *in) pg_attribute_noreturn();

/* Write value as ndigits zero-padded digits and a NUL into buf. */
extern void ident_format_digits(int64 value, int ndigits, char *buf);

/* The number written by n digits. */
extern int64 ident_digits_value(const char *digits, int n);

/* The Luhn digit that completes digits[0..n-1] into a valid number. */
extern int	luhn_check_digit(const char *digits, int n);

/* An alphanumeric string mod 97, letters counting A=10 .. Z=35 (ISO 7064). */
extern int	mod97(const char *s, int n);

/*
 * Tables keyed by two-letter country codes: the position of code in list (n
 * entries of stride bytes, each starting with its code), or -1.  The index,
 * zeroed static storage, is built on first use.
 */
typedef struct IdentCountryIndex
{
	bool		built;
	int16		entry[26 * 26];	/* position + 1, or 0 */
} IdentCountryIndex;

extern int	ident_country_find(IdentCountryIndex *index, const void *list,
							   size_t stride, int n, const char *code);

/* Whether the two letters at code are an ISO 3166-1 alpha-2 country code. */
extern bool iso3166_country(const char *code);

#endif							/* BIZINVOICE_IDENT_H */
