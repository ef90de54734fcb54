/*
 * checks.c
 *		A table's CHECK constraints, planned once per backend.
 *
 * ExecConstraints reads each constraint's stored tree and plans it for
 * every new ResultRelInfo: for the rows written here without statements
 * (append.c), once per row.  On the ledger's account (six constraints, one
 * a regular expression) that was a third of writing its two balances.
 * The plans are kept per table until its relcache entry is invalidated
 * (ALTER TABLE, a constraint added or dropped), or any function or operator
 * changes (planning may have inlined one), then made again.
 */
#include "postgres.h"

#include "executor/executor.h"
#include "nodes/nodes.h"
#include "optimizer/optimizer.h"
#include "status/checks.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

typedef struct PlannedChecks
{
	Oid			relid;			/* hash key */
	MemoryContext context;		/* holds exprs */
	int			ncheck;
	Expr	  **exprs;			/* in the order of the table's ConstrCheck */
} PlannedChecks;

static HTAB *planned = NULL;

static void
forget(PlannedChecks *entry)
{
	MemoryContextDelete(entry->context);
	hash_search(planned, &entry->relid, HASH_REMOVE, NULL);
}

static void
invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS seq;
	PlannedChecks *entry;

	if (OidIsValid(relid))
	{
		entry = hash_search(planned, &relid, HASH_FIND, NULL);
		if (entry)
			forget(entry);
		return;
	}
	hash_seq_init(&seq, planned);
	while ((entry = hash_seq_search(&seq)) != NULL)
		forget(entry);
}

static void
invalidate_all(Datum arg, int cacheid, uint32 hashvalue)
{
	invalidate(arg, InvalidOid);
}

static PlannedChecks *
planned_checks(Relation rel)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	Oid			relid = RelationGetRelid(rel);
	PlannedChecks *entry;
	MemoryContext old;
	bool		found;

	if (planned == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(PlannedChecks);
		planned = hash_create("bizinvoice planned checks", 16, &ctl, HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(invalidate, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, invalidate_all, (Datum) 0);
		CacheRegisterSyscacheCallback(OPEROID, invalidate_all, (Datum) 0);
	}
	entry = hash_search(planned, &relid, HASH_FIND, &found);
	if (found && entry->ncheck == constr->num_check)
		return entry;
	if (found)
		forget(entry);

	entry = hash_search(planned, &relid, HASH_ENTER, NULL);
	entry->context = AllocSetContextCreate(CacheMemoryContext, "bizinvoice planned checks",
										   ALLOCSET_SMALL_SIZES);
	entry->ncheck = 0;
	old = MemoryContextSwitchTo(entry->context);
	PG_TRY();
	{
		entry->exprs = palloc(sizeof(Expr *) * constr->num_check);
		for (int i = 0; i < constr->num_check; i++)
			entry->exprs[i] = expression_planner(stringToNode(constr->check[i].ccbin));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		forget(entry);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	entry->ncheck = constr->num_check;
	return entry;
}

void
checks_prepare(ResultRelInfo *rri, EState *estate)
{
	TupleConstr *constr = RelationGetDescr(rri->ri_RelationDesc)->constr;
	PlannedChecks *entry;
	MemoryContext old;

	if (constr == NULL || constr->num_check == 0 || rri->ri_ConstraintExprs != NULL)
		return;
	entry = planned_checks(rri->ri_RelationDesc);
	old = MemoryContextSwitchTo(estate->es_query_cxt);
	rri->ri_ConstraintExprs = palloc(sizeof(ExprState *) * entry->ncheck);
	/* copies: an invalidation while a check runs may free the cached plans */
	for (int i = 0; i < entry->ncheck; i++)
		rri->ri_ConstraintExprs[i] = ExecInitExpr(copyObject(entry->exprs[i]), NULL);
	MemoryContextSwitchTo(old);
}
