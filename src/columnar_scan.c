/*-------------------------------------------------------------------------
 *
 * columnar_scan.c
 *	  The ColumnarScan custom scan: projection (only the columns a query
 *	  uses are read and decoded) and row-group skipping by min/max, with
 *	  what it did shown by EXPLAIN (ANALYZE).
 *
 * set_rel_pathlist_hook adds, for every columnar base relation (also
 * partitions), a CustomPath cheaper than the sequential scan when
 * biwh.enable_custom_scan is on.  At executor start the scan's quals are
 * analysed: "column op value" with op one of = < <= > >= of the column
 * type's btree family (BETWEEN arrives as two of them), "column = ANY
 * (array)" (IN), and IS [NOT] NULL, where "value" is any expression without
 * columns, executor parameters or volatile functions (so constants,
 * prepared-statement parameters and now() all work) and is evaluated once.
 * A stored row group is skipped when its chunk's min/max (or NULL count)
 * proves that no row can pass one of them; the quals are still evaluated
 * on every row that is read, so skipping only ever saves work.  Rows this
 * backend still buffers are never skipped.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/nbtree.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/nodeCustom.h"
#include "nodes/extensible.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/typcache.h"

#include "columnar.h"

static bool columnar_enable_custom_scan = true;

/* one qual usable for skipping */
typedef struct SkipQual
{
	int			col;			/* 0-based column */
	int			strategy;		/* BT*StrategyNumber, 0 for the NULL tests */
	bool		is_null_test;
	bool		is_not_null;	/* IS NOT NULL (else IS NULL) */
	int			nvalues;		/* 1, or the elements of an IN list */
	Datum	   *values;
	bool	   *nulls;
	FmgrInfo	cmp;			/* column type vs value type, btree order */
	Oid			coltype;
	Oid			collation;
	int16		typlen;			/* of the column, to read stored min/max */
	bool		typbyval;
} SkipQual;

typedef struct ColumnarScanState
{
	CustomScanState css;
	TableScanDesc scan;
	Bitmapset  *needed;
	List	   *skipquals;
	int64		groups_read;
	int64		groups_skipped;
} ColumnarScanState;

static Plan *plan_columnar_path(PlannerInfo *root, RelOptInfo *rel,
								CustomPath *best_path, List *tlist,
								List *clauses, List *custom_plans);
static Node *create_columnar_scan_state(CustomScan *cscan);
static void begin_columnar_scan(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_columnar_scan(CustomScanState *node);
static void end_columnar_scan(CustomScanState *node);
static void rescan_columnar_scan(CustomScanState *node);
static void explain_columnar_scan(CustomScanState *node, List *ancestors,
								  ExplainState *es);

static const CustomPathMethods columnar_path_methods = {
	.CustomName = "ColumnarScan",
	.PlanCustomPath = plan_columnar_path,
};

static const CustomScanMethods columnar_scan_methods = {
	.CustomName = "ColumnarScan",
	.CreateCustomScanState = create_columnar_scan_state,
};

static const CustomExecMethods columnar_exec_methods = {
	.CustomName = "ColumnarScan",
	.BeginCustomScan = begin_columnar_scan,
	.ExecCustomScan = exec_columnar_scan,
	.EndCustomScan = end_columnar_scan,
	.ReScanCustomScan = rescan_columnar_scan,
	.ExplainCustomScan = explain_columnar_scan,
};

/*
 * Add the ColumnarScan path for a columnar base relation.
 */
void
ColumnarAddScanPaths(PlannerInfo *root, RelOptInfo *rel, RangeTblEntry *rte)
{
	CustomPath *cpath;
	Bitmapset  *attrs = NULL;
	List	   *cols = NIL;
	ListCell   *lc;
	Path	   *seq = NULL;
	int			natts = rel->max_attr;
	int			nneeded = 0;
	bool		all = false;
	int			x = -1;

	if (!columnar_enable_custom_scan || rel->rtekind != RTE_RELATION)
		return;

	pull_varattnos((Node *) rel->reltarget->exprs, rel->relid, &attrs);
	foreach(lc, rel->baserestrictinfo)
		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause, rel->relid, &attrs);
	while ((x = bms_next_member(attrs, x)) >= 0)
	{
		AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;

		if (attno == 0)
			all = true;
		else if (attno > 0)
		{
			cols = lappend_int(cols, attno - 1);
			nneeded++;
		}
	}
	if (all)
	{
		cols = NIL;
		for (int i = 0; i < natts; i++)
			cols = lappend_int(cols, i);
		nneeded = natts;
	}

	foreach(lc, rel->pathlist)
	{
		Path	   *p = lfirst(lc);

		if (p->pathtype == T_SeqScan && p->param_info == NULL)
			seq = p;
	}
	if (seq == NULL)
		return;

	cpath = makeNode(CustomPath);
	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = rel;
	cpath->path.pathtarget = rel->reltarget;
	cpath->path.param_info = NULL;
	cpath->path.parallel_aware = false;
	cpath->path.parallel_safe = false;
	cpath->path.parallel_workers = 0;
	cpath->path.rows = seq->rows;
	cpath->path.startup_cost = seq->startup_cost;
	/* reading fewer columns costs less; and always a little less than Seq Scan */
	cpath->path.total_cost = seq->startup_cost + (seq->total_cost - seq->startup_cost) *
		(0.5 + 0.49 * (natts > 0 ? (double) nneeded / natts : 1.0));
	cpath->path.pathkeys = NIL;
	cpath->flags = CUSTOMPATH_SUPPORT_BACKWARD_SCAN;
	cpath->custom_private = list_make1(cols);
	cpath->methods = &columnar_path_methods;
	add_path(rel, &cpath->path);
}

/*
 * Turn the path into a CustomScan plan node.
 */
static Plan *
plan_columnar_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				   List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = extract_actual_clauses(clauses, false);
	cscan->scan.scanrelid = rel->relid;
	cscan->flags = best_path->flags;
	cscan->custom_private = best_path->custom_private;
	cscan->methods = &columnar_scan_methods;
	return &cscan->scan.plan;
}

/*
 * Make the executor state of a ColumnarScan.
 */
static Node *
create_columnar_scan_state(CustomScan *cscan)
{
	ColumnarScanState *state = palloc0(sizeof(ColumnarScanState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &columnar_exec_methods;
	state->css.flags = cscan->flags;
	return (Node *) state;
}

/*
 * Return whether expr can be evaluated once at executor start: no columns,
 * no executor parameters, nothing volatile.
 */
static bool
is_runtime_constant_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var) || IsA(node, SubPlan) || IsA(node, AlternativeSubPlan))
		return true;
	if (IsA(node, Param) && ((Param *) node)->paramkind != PARAM_EXTERN)
		return true;
	return expression_tree_walker(node, is_runtime_constant_walker, context);
}

static bool
is_runtime_constant(Node *expr)
{
	return !is_runtime_constant_walker(expr, NULL) &&
		!contain_volatile_functions(expr);
}

/*
 * Evaluate a runtime-constant expression.
 */
static Datum
eval_const(Expr *expr, EState *estate, bool *isnull)
{
	ExprState  *es = ExecInitExpr(expr, NULL);
	int16		typlen;
	bool		typbyval;
	Datum		d;

	/* evaluated in the query's context, not the per-tuple one */
	d = ExecEvalExpr(es, GetPerTupleExprContext(estate), isnull);
	get_typlenbyval(exprType((Node *) expr), &typlen, &typbyval);
	return *isnull ? (Datum) 0 : datumCopy(d, typbyval, typlen);
}

/*
 * Fill the comparison and type information of a skip qual on column var
 * against values of type valtype with btree family opfamily.
 */
static bool
init_skip_cmp(SkipQual *sq, Var *var, Oid opfamily, Oid valtype, Oid inputcollid,
			  Relation rel)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), var->varattno - 1);
	Oid			cmpproc;

	if (att->attcollation != inputcollid)
		return false;
	cmpproc = get_opfamily_proc(opfamily, var->vartype, valtype, BTORDER_PROC);
	if (!OidIsValid(cmpproc))
		return false;
	fmgr_info(cmpproc, &sq->cmp);
	sq->col = var->varattno - 1;
	sq->coltype = att->atttypid;
	sq->collation = att->attcollation;
	sq->typlen = att->attlen;
	sq->typbyval = att->attbyval;
	return true;
}

/*
 * Return the skip qual a scan qual gives, or NULL.
 */
static SkipQual *
make_skip_qual(Expr *qual, Relation rel, EState *estate)
{
	SkipQual   *sq = palloc0(sizeof(SkipQual));

	if (IsA(qual, NullTest))
	{
		NullTest   *nt = (NullTest *) qual;

		if (!IsA(nt->arg, Var) || nt->argisrow || ((Var *) nt->arg)->varattno <= 0)
			return NULL;
		sq->col = ((Var *) nt->arg)->varattno - 1;
		sq->is_null_test = true;
		sq->is_not_null = nt->nulltesttype == IS_NOT_NULL;
		return sq;
	}
	if (IsA(qual, OpExpr))
	{
		OpExpr	   *op = (OpExpr *) qual;
		Expr	   *left,
				   *right;
		Oid			opno = op->opno;
		Var		   *var;
		Expr	   *val;
		List	   *interps;
		ListCell   *lc;

		if (list_length(op->args) != 2)
			return NULL;
		left = linitial(op->args);
		right = lsecond(op->args);
		while (IsA(left, RelabelType))
			left = ((RelabelType *) left)->arg;
		while (IsA(right, RelabelType))
			right = ((RelabelType *) right)->arg;
		if (IsA(left, Var) && is_runtime_constant((Node *) right))
		{
			var = (Var *) left;
			val = right;
		}
		else if (IsA(right, Var) && is_runtime_constant((Node *) left))
		{
			var = (Var *) right;
			val = left;
			opno = get_commutator(opno);
			if (!OidIsValid(opno))
				return NULL;
		}
		else
			return NULL;
		if (var->varattno <= 0)
			return NULL;

		interps = get_op_btree_interpretation(opno);
		foreach(lc, interps)
		{
			OpBtreeInterpretation *in = lfirst(lc);
			Oid			lefttype,
						righttype;

			if (in->strategy == 0 || in->strategy > BTGreaterStrategyNumber)
				continue;
			get_op_opfamily_properties(opno, in->opfamily_id, false, &in->strategy,
									   &lefttype, &righttype);
			if (lefttype != var->vartype)
				continue;
			if (!init_skip_cmp(sq, var, in->opfamily_id, righttype, op->inputcollid, rel))
				continue;
			sq->strategy = in->strategy;
			sq->nvalues = 1;
			sq->values = palloc(sizeof(Datum));
			sq->nulls = palloc(sizeof(bool));
			sq->values[0] = eval_const(val, estate, &sq->nulls[0]);
			return sq;
		}
		return NULL;
	}
	if (IsA(qual, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) qual;
		Expr	   *left = linitial(saop->args);
		Expr	   *arr = lsecond(saop->args);
		List	   *interps;
		ListCell   *lc;
		Datum		adatum;
		bool		anull;

		while (IsA(left, RelabelType))
			left = ((RelabelType *) left)->arg;
		if (!saop->useOr || !IsA(left, Var) || ((Var *) left)->varattno <= 0 ||
			!is_runtime_constant((Node *) arr))
			return NULL;
		interps = get_op_btree_interpretation(saop->opno);
		foreach(lc, interps)
		{
			OpBtreeInterpretation *in = lfirst(lc);
			Oid			lefttype,
						righttype;
			ArrayType  *a;
			int16		elmlen;
			bool		elmbyval;
			char		elmalign;

			if (in->strategy != BTEqualStrategyNumber)
				continue;
			get_op_opfamily_properties(saop->opno, in->opfamily_id, false, &in->strategy,
									   &lefttype, &righttype);
			if (lefttype != ((Var *) left)->vartype)
				continue;
			if (!init_skip_cmp(sq, (Var *) left, in->opfamily_id, righttype,
							   saop->inputcollid, rel))
				continue;
			adatum = eval_const(arr, estate, &anull);
			if (anull)
				return NULL;
			a = DatumGetArrayTypeP(adatum);
			get_typlenbyvalalign(ARR_ELEMTYPE(a), &elmlen, &elmbyval, &elmalign);
			deconstruct_array(a, ARR_ELEMTYPE(a), elmlen, elmbyval, elmalign,
							  &sq->values, &sq->nulls, &sq->nvalues);
			sq->strategy = BTEqualStrategyNumber;
			return sq;
		}
		return NULL;
	}
	return NULL;
}

/*
 * Return whether row group meta can be skipped: some skip qual is false
 * for every row of it.
 */
static bool
skip_row_group(ColumnarRowGroupMeta *meta, void *arg)
{
	ColumnarScanState *state = arg;
	ListCell   *lc;

	foreach(lc, state->skipquals)
	{
		SkipQual   *sq = lfirst(lc);
		ColumnarChunkMeta *chunk;
		Datum		min,
					max;
		bool		any = false;

		if (sq->col >= meta->ncols)
			continue;			/* column added later: its value is not here */
		chunk = &meta->chunks[sq->col];
		if (sq->is_null_test)
		{
			if (sq->is_not_null ? chunk->null_count == meta->row_count
				: chunk->null_count == 0)
				return true;
			continue;
		}
		/* a comparison is never true for NULLs */
		if (chunk->null_count == meta->row_count)
			return true;
		/*
		 * Bounds computed under another collation (the column's changed
		 * without a rewrite) or that do not fit the column's type are not
		 * used.
		 */
		if (chunk->collation != sq->collation)
			continue;
		if (!ColumnarBoundDatum(chunk->min, chunk->min_len, sq->typlen, sq->typbyval, &min) ||
			!ColumnarBoundDatum(chunk->max, chunk->max_len, sq->typlen, sq->typbyval, &max))
			continue;
		for (int i = 0; i < sq->nvalues && !any; i++)
		{
			int			cmin,
						cmax;

			if (sq->nulls[i])
				continue;
			cmin = DatumGetInt32(FunctionCall2Coll(&sq->cmp, sq->collation, min, sq->values[i]));
			cmax = DatumGetInt32(FunctionCall2Coll(&sq->cmp, sq->collation, max, sq->values[i]));
			switch (sq->strategy)
			{
				case BTLessStrategyNumber:
					any = cmin < 0;
					break;
				case BTLessEqualStrategyNumber:
					any = cmin <= 0;
					break;
				case BTEqualStrategyNumber:
					any = cmin <= 0 && cmax >= 0;
					break;
				case BTGreaterEqualStrategyNumber:
					any = cmax >= 0;
					break;
				case BTGreaterStrategyNumber:
					any = cmax > 0;
					break;
				default:
					any = true;
			}
		}
		if (!any)
			return true;
	}
	return false;
}

/*
 * Start the scan: needed columns, skip quals, the table scan.
 */
static void
begin_columnar_scan(CustomScanState *node, EState *estate, int eflags)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	ListCell   *lc;

	foreach(lc, (List *) linitial(cscan->custom_private))
		state->needed = bms_add_member(state->needed, lfirst_int(lc));
	foreach(lc, cscan->scan.plan.qual)
	{
		SkipQual   *sq = make_skip_qual(lfirst(lc), rel, estate);

		if (sq)
			state->skipquals = lappend(state->skipquals, sq);
	}
	state->scan = table_beginscan(rel, estate->es_snapshot, 0, NULL);
	ColumnarScanSetNeeded(state->scan, state->needed);
	if (state->skipquals != NIL)
		ColumnarScanSetSkip(state->scan, skip_row_group, state);
}

/*
 * Return the next row from the table scan.
 */
static TupleTableSlot *
columnar_scan_next(ScanState *ss)
{
	ColumnarScanState *state = (ColumnarScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;

	if (table_scan_getnextslot(state->scan, ss->ps.state->es_direction, slot))
		return slot;
	return NULL;
}

/*
 * No recheck is ever needed: every qual is evaluated on every row.
 */
static bool
columnar_scan_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_columnar_scan(CustomScanState *node)
{
	return ExecScan(&node->ss, columnar_scan_next, columnar_scan_recheck);
}

static void
end_columnar_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	if (state->scan)
	{
		ColumnarScanCounts(state->scan, &state->groups_read, &state->groups_skipped);
		table_endscan(state->scan);
		state->scan = NULL;
	}
}

static void
rescan_columnar_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	table_rescan(state->scan, NULL);
}

/*
 * EXPLAIN: the columns read; with ANALYZE, the row groups read and skipped.
 */
static void
explain_columnar_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	Relation	rel = node->ss.ss_currentRelation;
	int64		nread = state->groups_read,
				nskipped = state->groups_skipped;

	ExplainPropertyInteger("Columns Read", NULL, bms_num_members(state->needed), es);
	if (RelationGetDescr(rel)->natts > 0 && es->verbose)
	{
		List	   *names = NIL;
		int			x = -1;

		while ((x = bms_next_member(state->needed, x)) >= 0)
			names = lappend(names,
							NameStr(TupleDescAttr(RelationGetDescr(rel), x)->attname));
		ExplainPropertyList("Column List", names, es);
	}
	ExplainPropertyInteger("Skip Quals", NULL, list_length(state->skipquals), es);
	if (es->analyze)
	{
		if (state->scan)
			ColumnarScanCounts(state->scan, &nread, &nskipped);
		ExplainPropertyInteger("Row Groups Read", NULL, nread, es);
		ExplainPropertyInteger("Row Groups Skipped", NULL, nskipped, es);
	}
}

/*
 * Register the custom scan and its setting.
 */
void
ColumnarScanInit(void)
{
	DefineCustomBoolVariable("biwh.enable_custom_scan",
							 "Use the ColumnarScan (projection, row-group skipping) for columnar tables.",
							 NULL,
							 &columnar_enable_custom_scan,
							 true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	RegisterCustomScanMethods(&columnar_scan_methods);
}
