/*
 * fuzz.c
 *		libFuzzer targets for what untrusted input goes through:
 *
 *		invoice: a depositor's bytes, through the hardened parser (and the
 *		Factur-X reader for a PDF), reading UBL or CII, every EN 16931 rule
 *		and the import mapping to JSON (read_invoice_document()'s path);
 *		identifiers: text typed as a SIREN, SIRET, IBAN, BIC or VAT id;
 *		document: text read as create_invoice()'s JSON document, through its
 *		C checks of fields and parts.
 *
 *		That code is backend code (palloc, ereport, numeric), so the fuzzer
 *		runs inside a backend: this library is loaded into a single-user
 *		postgres, and bizinvoice_fuzz(target, args) hands libFuzzer its
 *		arguments.  A refusal is an expected outcome, but only with the
 *		SQLSTATEs the SQL functions document; any other error (invalid import
 *		JSON among them), an identifier whose canonical form does not read
 *		back the same, a crash, a hang or runaway memory is a finding that
 *		libFuzzer saves and reports.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "xml/import.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(bizinvoice_fuzz);

/* libFuzzer's entry point for a program that has its own main() */
extern int	LLVMFuzzerRunDriver(int *argc, char ***argv,
								int (*callback) (const uint8_t *data, size_t size));

/* the identifier types' I/O functions (src/types) */
extern Datum siren_in(PG_FUNCTION_ARGS);
extern Datum siren_out(PG_FUNCTION_ARGS);
extern Datum siret_in(PG_FUNCTION_ARGS);
extern Datum siret_out(PG_FUNCTION_ARGS);
extern Datum bic_in(PG_FUNCTION_ARGS);
extern Datum bic_out(PG_FUNCTION_ARGS);
extern Datum iban_in(PG_FUNCTION_ARGS);
extern Datum vat_id_in(PG_FUNCTION_ARGS);

/* the invoice document's checks (src/api/json_fields.c) */
extern Datum json_check_keys(PG_FUNCTION_ARGS);
extern Datum json_check_part_keys(PG_FUNCTION_ARGS);
extern Datum json_check_part_values(PG_FUNCTION_ARGS);
extern Datum json_date(PG_FUNCTION_ARGS);
extern Datum json_numeric(PG_FUNCTION_ARGS);

typedef struct Target
{
	const char *name;
	void		(*run) (const uint8_t *data, size_t size);
	int			refusals[7];	/* the SQLSTATEs of a documented refusal */
} Target;

static const Target *target;
static MemoryContext input_context;

static void
read_invoice(const uint8_t *data, size_t size)
{
	/* read_invoice_document()'s path: invalid JSON would throw 22P02 */
	ei_import_jsonb(ei_file_source((const char *) data, size));
}

/* The identifier types whose text form is their output function's (the varlena ones use textout). */
static const struct
{
	const char *type;
	PGFunction	in;
	PGFunction	out;
}			identifiers[] = {
	{"siren", siren_in, siren_out},
	{"siret", siret_in, siret_out},
	{"bic", bic_in, bic_out},
	{"iban", iban_in, textout},
	{"vat_id", vat_id_in, textout},
};

/*
 * Each type reads the text or refuses it (22P02); what it reads, it writes in
 * a canonical form that reads back to the same.  A refusal of one type must
 * not keep the others from trying: each gets its own subtransaction.
 */
static void
read_identifiers(const uint8_t *data, size_t size)
{
	char	   *text = pnstrdup((const char *) data, size);

	if (strlen(text) != size)
		return;					/* a NUL byte: no SQL text carries one */
	for (int i = 0; i < lengthof(identifiers); i++)
	{
		MemoryContext cxt = CurrentMemoryContext;
		volatile bool read = false;

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			Datum		value = DirectFunctionCall1(identifiers[i].in, CStringGetDatum(text));
			char	   *canonical;
			char	   *written;

			/* read: from here on, any error is a finding */
			read = true;
			canonical = DatumGetCString(DirectFunctionCall1(identifiers[i].out, value));
			written = DatumGetCString(DirectFunctionCall1(identifiers[i].out,
														  DirectFunctionCall1(identifiers[i].in,
																			  CStringGetDatum(canonical))));
			if (strcmp(canonical, written) != 0)
			{
				fprintf(stderr, "%s: \"%s\" reads as \"%s\", which reads back as \"%s\"\n",
						identifiers[i].type, text, canonical, written);
				abort();
			}
			ReleaseCurrentSubTransaction();
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			if (read || edata->sqlerrcode != ERRCODE_INVALID_TEXT_REPRESENTATION)
			{
				fprintf(stderr, "%s: %s error %s after reading \"%s\": %s\n", identifiers[i].type,
						read ? "an" : "undocumented", unpack_sql_state(edata->sqlerrcode),
						text, edata->message);
				abort();
			}
		}
		PG_END_TRY();
		MemoryContextSwitchTo(cxt);
	}
}

static Datum
text_array(const char *const *items, int n)
{
	Datum	   *d = palloc(n * sizeof(Datum));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * The document's checks, each on whatever the JSON holds (not only in
 * create_invoice()'s order, whose earlier checks would shield the later):
 * the parts' values, their keys, the top keys, a date and a number.
 */
static void
check_document(const uint8_t *data, size_t size)
{
	static const char *const top[] = {"number", "issue_date", "type_code", "lines", "allowances", "charges"};
	static const char *const line[] = {"item_name", "quantity", "net_price", "base_quantity", "vat_rate"};
	static const char *const part[] = {"amount", "vat_category", "vat_rate"};
	char	   *text = pnstrdup((const char *) data, size);
	Datum		doc;

	if (strlen(text) != size)
		return;					/* a NUL byte: no SQL text carries one */
	doc = DirectFunctionCall1(jsonb_in, CStringGetDatum(text));
	DirectFunctionCall1(json_check_part_values, doc);
	DirectFunctionCall3(json_check_part_keys, doc, text_array(line, lengthof(line)),
						text_array(part, lengthof(part)));
	DirectFunctionCall4(json_check_keys, doc, text_array(top, lengthof(top)),
						CStringGetTextDatum("invoice"), CStringGetTextDatum("the invoice"));
	/* NULL: an absent field, which the strict SQL functions never see */
	(void) DirectFunctionCall2(json_date, doc, CStringGetTextDatum("issue_date"));
	(void) DirectFunctionCall2(json_numeric, doc, CStringGetTextDatum("type_code"));
}

static const Target targets[] = {
	{"invoice", read_invoice,
	{ERRCODE_INVALID_XML_DOCUMENT, ERRCODE_INVALID_PARAMETER_VALUE, ERRCODE_PROGRAM_LIMIT_EXCEEDED}},
	{"identifiers", read_identifiers, {0}},
	/* invalid JSON, the refusals, dates and numbers out of range, JSON too deep or too big */
	{"document", check_document,
		{ERRCODE_INVALID_TEXT_REPRESENTATION, ERRCODE_INVALID_PARAMETER_VALUE,
			ERRCODE_INVALID_DATETIME_FORMAT, ERRCODE_DATETIME_FIELD_OVERFLOW,
			ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
		ERRCODE_STATEMENT_TOO_COMPLEX}},
};

static bool
documented_refusal(int sqlerrcode)
{
	for (int i = 0; i < lengthof(target->refusals); i++)
		if (target->refusals[i] != 0 && sqlerrcode == target->refusals[i])
			return true;
	return false;
}

/*
 * One input, in a subtransaction as a PL/pgSQL exception block would run it,
 * so that a refusal leaves the backend as it found it.
 */
static int
one_input(const uint8_t *data, size_t size)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(input_context);
	PG_TRY();
	{
		target->run(data, size);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(input_context);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		if (!documented_refusal(edata->sqlerrcode))
		{
			fprintf(stderr, "undocumented error %s: %s\n",
					unpack_sql_state(edata->sqlerrcode), edata->message);
			abort();
		}
	}
	PG_END_TRY();
	MemoryContextSwitchTo(caller);
	CurrentResourceOwner = owner;
	MemoryContextReset(input_context);
	return 0;
}

/*
 * bizinvoice_fuzz(target text, args text[]): runs libFuzzer on that target
 * with these arguments; returns only when libFuzzer does (a run over files).
 */
Datum
bizinvoice_fuzz(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			argc;
	char	  **argv;

	target = NULL;
	for (int i = 0; i < lengthof(targets); i++)
		if (strcmp(targets[i].name, name) == 0)
			target = &targets[i];
	if (target == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown fuzz target \"%s\"", name),
				 errhint("The targets are invoice, identifiers and document.")));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	argv = palloc0((n + 2) * sizeof(char *));
	argv[0] = psprintf("bizinvoice_fuzz_%s", name);
	for (argc = 1; argc <= n; argc++)
		argv[argc] = nulls[argc - 1] ? "" : TextDatumGetCString(elems[argc - 1]);
	input_context = AllocSetContextCreate(TopMemoryContext, "fuzz input",
										  ALLOCSET_DEFAULT_SIZES);
	PG_RETURN_INT32(LLVMFuzzerRunDriver(&argc, &argv, one_input));
}
