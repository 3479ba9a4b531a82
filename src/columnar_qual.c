/*-------------------------------------------------------------------------
 *
 * columnar_qual.c
 *	  The quals of a columnar scan: which of them can refute a row group by
 *	  its zone map, and the refutation.
 *
 * At executor start the scan's quals are analysed: "column op value" with
 * op one of = < <= > >= of the column type's btree family (BETWEEN arrives
 * as two of them), "column = ANY (array)" (IN), and IS [NOT] NULL, where
 * "value" is any expression without columns, executor parameters or
 * volatile functions (so constants, prepared-statement parameters and
 * now() all work) and is evaluated once.  A stored row group is skipped
 * when its chunk's min/max (or NULL count) proves that no row can pass one
 * of them; the quals are still evaluated on every row that is read, so
 * skipping only ever saves work.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/nbtree.h"
#include "access/stratnum.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "columnar_qual.h"
#include "columnar_zonemap.h"

/* one qual usable for skipping */
struct ColumnarSkipQual
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
};

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
init_skip_cmp(ColumnarSkipQual *sq, Var *var, Oid opfamily, Oid valtype, Oid inputcollid,
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
static ColumnarSkipQual *
make_skip_qual(Expr *qual, Relation rel, EState *estate)
{
	ColumnarSkipQual   *sq = palloc0(sizeof(ColumnarSkipQual));

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
 * Return whether a row group can be skipped: one of the skip quals
 * (ColumnarCompileColumnarSkipQuals) is false for every row of it, by its zone map.
 */
bool
ColumnarRefuteRowGroup(List *skipquals, ColumnarRowGroupMeta *meta)
{
	ListCell   *lc;

	foreach(lc, skipquals)
	{
		ColumnarSkipQual   *sq = lfirst(lc);
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
 * Return the skip quals (ColumnarSkipQual) that the scan quals quals of
 * rel give, their values evaluated in estate.
 */
List *
ColumnarCompileSkipQuals(List *quals, Relation rel, EState *estate)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, quals)
	{
		ColumnarSkipQual *sq = make_skip_qual(lfirst(lc), rel, estate);

		if (sq)
			result = lappend(result, sq);
	}
	return result;
}
