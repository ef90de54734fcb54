/*
 * fuzz.c
 *		libFuzzer targets for what untrusted input goes through:
 *
 *		invoice: a depositor's bytes, through the hardened parser (and the
 *		Factur-X reader for a PDF), reading UBL or CII, every EN 16931 rule
 *		and the import mapping to JSON (read_invoice_document()'s path);
 *		identifiers: text typed as a SIREN, SIRET, IBAN, BIC or VAT id.
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

typedef struct Target
{
	const char *name;
	void		(*run) (const uint8_t *data, size_t size);
	int			refusals[3];	/* the SQLSTATEs of a documented refusal */
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

static const Target targets[] = {
	{"invoice", read_invoice,
	{ERRCODE_INVALID_XML_DOCUMENT, ERRCODE_INVALID_PARAMETER_VALUE, ERRCODE_PROGRAM_LIMIT_EXCEEDED}},
	{"identifiers", read_identifiers, {0, 0, 0}},
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
				 errhint("The targets are invoice and identifiers.")));
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
