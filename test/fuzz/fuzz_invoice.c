/*
 * fuzz_invoice.c
 *		libFuzzer target for what a depositor's bytes go through: the hardened
 *		parser (and the Factur-X reader for a PDF), reading UBL or CII, every
 *		EN 16931 rule, and the import mapping to JSON.
 *
 *		That code is backend code (palloc, ereport, numeric), so the fuzzer
 *		runs inside a backend: this library is loaded into a single-user
 *		postgres, and bizinvoice_fuzz(args) hands libFuzzer its arguments.
 *		Refusing a document is an expected outcome, but only with the
 *		SQLSTATEs the SQL functions document (2200M, 22023, 54000); any other
 *		error (invalid import JSON among them), a crash, a hang or runaway
 *		memory is a finding that libFuzzer saves and reports.
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

static MemoryContext input_context;

static bool
documented_refusal(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_INVALID_XML_DOCUMENT ||
		sqlerrcode == ERRCODE_INVALID_PARAMETER_VALUE ||
		sqlerrcode == ERRCODE_PROGRAM_LIMIT_EXCEEDED;
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
		/* read_invoice_document()'s path: invalid JSON would throw 22P02 */
		ei_import_jsonb(ei_file_source((const char *) data, size));
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

/* bizinvoice_fuzz(args text[]): runs libFuzzer with these arguments; never returns */
Datum
bizinvoice_fuzz(PG_FUNCTION_ARGS)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			argc;
	char	  **argv;

	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	argv = palloc0((n + 2) * sizeof(char *));
	argv[0] = "bizinvoice_fuzz";
	for (argc = 1; argc <= n; argc++)
		argv[argc] = nulls[argc - 1] ? "" : TextDatumGetCString(elems[argc - 1]);
	input_context = AllocSetContextCreate(TopMemoryContext, "fuzz input",
										  ALLOCSET_DEFAULT_SIZES);
	PG_RETURN_INT32(LLVMFuzzerRunDriver(&argc, &argv, one_input));
}
