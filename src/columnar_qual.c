/*-------------------------------------------------------------------------
 *
 * columnar_qual.c
 *	  Quals evaluated on column vectors, and refutation of row groups by
 *	  their zone maps.
 *
 * Which quals.  A qual is vectorizable when it is an AND / OR / NOT tree
 * whose leaves are, for a column c of the scanned table (possibly under a
 * binary-compatible relabeling) and a value v that has no column, no
 * executor parameter, no subquery and nothing volatile (a constant, a
 * prepared statement's parameter, now(), ...; evaluated once at executor
 * start):
 *	- c op v and v op c, op a comparison of a btree operator family of c's
 *	  type (=, <, <=, >, >=, also cross-type ones such as int4 = int8) or
 *	  the negator of its equality (<>);
 *	- c op ANY (array) and c op ALL (array) with such an op (IN lists);
 *	- c IS [NOT] NULL; a boolean column c, NOT c, c IS [NOT] TRUE / FALSE /
 *	  UNKNOWN;
 *	- c op v for any other operator returning boolean that is strict and
 *	  not volatile (LIKE, ILIKE, regular expressions, ...), evaluated by
 *	  calling its function.
 * NOT is pushed down to the leaves (De Morgan), so a leaf is told which of
 * its results (true, false, null) let a row pass.  The planner
 * (columnar_planner.c) keeps everything else, and what must run after a
 * qual it cannot vectorize (security barriers), for ExecQual.
 *
 * How.  Quals run over windows of up to COLUMNAR_WINDOW_ROWS rows with a
 * selection vector of the rows still alive; each leaf narrows it.  A leaf
 * on a DICT vector (columnar_encoding.h) is evaluated once per dictionary
 * entry and then applied to the codes (so text comparisons cost one call
 * per distinct value); on a SCALED numeric vector, comparisons with a
 * constant are done on the scaled integers (the constant turned into the
 * integer bounds it implies at the vector's scale); on FLAT vectors of
 * integer-ordered types (int2/4/8, date, time, timestamp, timestamptz)
 * and floats, typed loops compare raw values (floats with PostgreSQL's
 * order: NaN equal to itself and above everything, -0 equal to 0); text
 * equality under a deterministic collation and text order under "C"
 * compare bytes; everything else calls the btree comparison function of
 * the operator's family per row, under the operator's collation, which is
 * by definition the operator's own order.  Functions that are not
 * leakproof are called only for rows still alive, never for dictionary
 * entries no live row may have.
 *
 * Refutation.  A stored row group is skipped when its zone map (min, max
 * and NULL count of the chunk, columnar_zonemap.c) proves that the qual is
 * true for none of its rows: an AND when one of its arms is refuted, an OR
 * when all are, a comparison when no value in [min, max] can satisfy it
 * (bounds made under the operator's collation only).  Refutation works on
 * the same programs, also for quals evaluated by ExecQual (vectorization
 * off), so it only ever saves work.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/nbtree.h"
#include "access/stratnum.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "mb/pg_wchar.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/pg_locale.h"

#include "columnar_qual.h"
#include "columnar_zonemap.h"

/* a leaf's result for a row, and the index into its pass table */
#define TRI_FALSE	0
#define TRI_TRUE	1
#define TRI_NULL	2

typedef enum QualKind
{
	QK_AND,
	QK_OR,
	QK_CMP,						/* c op v, c op ANY / ALL (values) */
	QK_FUNC,					/* c op v by calling op's function */
	QK_NULLTEST,				/* result: TRUE when c is NULL */
	QK_BOOL						/* result: the boolean c itself */
} QualKind;

/* how a comparison leaf compares FLAT vectors */
typedef enum CmpPath
{
	CMP_GENERIC,				/* the btree comparison function per row */
	CMP_INT,					/* raw values as int64 */
	CMP_FLOAT,					/* raw values as double, PostgreSQL's order */
	CMP_BYTES					/* text bytes (equality, or order under "C") */
} CmpPath;

typedef struct QualNode
{
	QualKind	kind;
	/* AND / OR */
	int			nargs;
	struct QualNode **args;
	uint32	   *scratch;		/* OR: the selection each arm narrows */
	uint8	   *mark;			/* OR: rows some arm let pass */
	/* leaves */
	int			col;			/* 0-based column */
	bool		pass[3];		/* does a result (TRI_*) let the row pass? */
	Oid			collation;		/* the operator's */
	bool		typbyval;		/* of the column */
	int16		typlen;
	/* QK_CMP */
	int			strategy;		/* BT*StrategyNumber, or ROWCOMPARE_NE */
	bool		use_or;			/* ANY (or a single value); else ALL */
	int			nvalues;
	Datum	   *values;
	bool	   *nulls;
	int			nnonnull;
	FmgrInfo	cmp;			/* btree order: column type vs value type */
	bool		bounds_ok;		/* zone maps (by the column's collation) apply */
	CmpPath		path;
	int64	   *ivalues;		/* CMP_INT */
	int64	   *isorted;		/* CMP_INT = ANY / <> ALL of many: sorted, unique */
	int			nsorted;
	double	   *fvalues;		/* CMP_FLOAT */
	int			scaled_scale;	/* SCALED: the scale the bounds are for */
	int64	   *scaled_lo;		/* ceil(v * 10^scale), clamped */
	int64	   *scaled_hi;		/* floor(v * 10^scale), clamped */
	int8	   *scaled_clamp;	/* -1 below int64, +1 above (or NaN/Inf) */
	bool	   *scaled_exact;	/* v * 10^scale is an integer */
	bool		scaled_ready;
	bool		numeric_values; /* the values are numerics (SCALED applies) */
	/* QK_FUNC */
	FmgrInfo	fn;
	bool		leakproof;
	char	   *prefix;			/* LIKE 'prefix%' / LIKE 'literal' on text: */
	int			prefix_len;		/* compared as bytes, or NULL */
	bool		prefix_exact;	/* no trailing %: the whole value */
	/* DICT vectors: per-entry pass results of the last dictionary seen */
	const ColumnarVector *dict_seen;
	uint64		dict_serial;
	uint8	   *dict_pass;
	uint32		dict_cap;
} QualNode;

struct ColumnarQualProgram
{
	QualNode   *root;
	Bitmapset  *cols;
	int			natts;
	int		   *accept;			/* per column */
	MemoryContext cxt;
};

/* ----------------------------------------------------------------
 *		which quals: analysis shared by the planner and the executor
 * ----------------------------------------------------------------
 */

/*
 * Return whether expr can be evaluated once at executor start: no columns,
 * no executor parameters, no subqueries, nothing volatile.
 */
static bool
not_constant_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var) || IsA(node, SubPlan) || IsA(node, AlternativeSubPlan) ||
		IsA(node, SubLink) || IsA(node, Aggref) || IsA(node, WindowFunc) ||
		IsA(node, GroupingFunc) || IsA(node, CurrentOfExpr))
		return true;
	if (IsA(node, Param) && ((Param *) node)->paramkind != PARAM_EXTERN)
		return true;
	return expression_tree_walker(node, not_constant_walker, context);
}

static bool
is_runtime_constant(Node *expr)
{
	return !not_constant_walker(expr, NULL) && !contain_volatile_functions(expr);
}

/* Return the column under binary-compatible relabelings of e, or NULL. */
static Var *
column_of(Expr *e)
{
	while (IsA(e, RelabelType))
		e = ((RelabelType *) e)->arg;
	if (IsA(e, Var) && ((Var *) e)->varattno > 0 && ((Var *) e)->varlevelsup == 0)
		return (Var *) e;
	return NULL;
}

/*
 * Find the btree interpretation of operator opno with left input type
 * lefttype: sets *strategy (1..5 or ROWCOMPARE_NE) and *cmpproc (the
 * family's comparison function for lefttype vs righttype).  False when
 * there is none.
 */
static bool
btree_interpretation(Oid opno, Oid lefttype, Oid righttype, int *strategy,
					 Oid *cmpproc)
{
	List	   *interps = get_op_btree_interpretation(opno);
	ListCell   *lc;

	foreach(lc, interps)
	{
		OpBtreeInterpretation *in = lfirst(lc);
		Oid			proc;

		if (in->strategy < BTLessStrategyNumber ||
			(in->strategy > BTGreaterStrategyNumber && in->strategy != ROWCOMPARE_NE))
			continue;
		if (in->oplefttype != lefttype || in->oprighttype != righttype)
			continue;
		proc = get_opfamily_proc(in->opfamily_id, lefttype, righttype, BTORDER_PROC);
		if (!OidIsValid(proc))
			continue;
		*strategy = in->strategy;
		*cmpproc = proc;
		list_free_deep(interps);
		return true;
	}
	list_free_deep(interps);
	return false;
}

/* What a leaf of the tree is, found by analyse_leaf */
typedef struct LeafInfo
{
	QualKind	kind;
	Var		   *var;
	Expr	   *value;			/* the constant side (CMP / FUNC) */
	Oid			opno;			/* with the column on the left */
	Oid			funcid;			/* FUNC: the operator's function */
	Oid			inputcollid;
	int			strategy;		/* CMP */
	Oid			cmpproc;		/* CMP */
	bool		array;			/* CMP: value is an array (ANY / ALL) */
	bool		use_or;
	bool		pass[3];		/* before negation */
	bool		never_null;		/* the result is never NULL */
} LeafInfo;

/*
 * Analyse a leaf of a qual tree; false when it is not one we evaluate.
 */
static bool
analyse_leaf(Expr *e, LeafInfo *li)
{
	memset(li, 0, sizeof(*li));
	li->pass[TRI_TRUE] = true;

	if (IsA(e, OpExpr))
	{
		OpExpr	   *op = (OpExpr *) e;
		Expr	   *left,
				   *right;
		Oid			opno = op->opno;

		if (list_length(op->args) != 2 || op->opresulttype != BOOLOID || op->opretset)
			return false;
		left = linitial(op->args);
		right = lsecond(op->args);
		if ((li->var = column_of(left)) != NULL && is_runtime_constant((Node *) right))
			li->value = right;
		else if ((li->var = column_of(right)) != NULL && is_runtime_constant((Node *) left))
		{
			li->value = left;
			opno = get_commutator(opno);
			if (!OidIsValid(opno))
				return false;
			right = left;
			left = lsecond(op->args);
		}
		else
			return false;
		li->opno = opno;
		li->inputcollid = op->inputcollid;
		if (btree_interpretation(opno, exprType((Node *) left), exprType((Node *) right),
								 &li->strategy, &li->cmpproc))
		{
			li->kind = QK_CMP;
			li->use_or = true;
			return true;
		}
		li->funcid = get_opcode(opno);
		if (!OidIsValid(li->funcid) || !func_strict(li->funcid) ||
			func_volatile(li->funcid) == PROVOLATILE_VOLATILE || get_func_retset(li->funcid))
			return false;
		li->kind = QK_FUNC;
		return true;
	}
	if (IsA(e, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) e;
		Expr	   *left = linitial(saop->args);
		Expr	   *arr = lsecond(saop->args);
		Oid			elemtype;

		if ((li->var = column_of(left)) == NULL || !is_runtime_constant((Node *) arr))
			return false;
		elemtype = get_element_type(exprType((Node *) arr));
		if (!OidIsValid(elemtype) ||
			!btree_interpretation(saop->opno, exprType((Node *) left), elemtype,
								  &li->strategy, &li->cmpproc))
			return false;
		li->kind = QK_CMP;
		li->value = arr;
		li->opno = saop->opno;
		li->inputcollid = saop->inputcollid;
		li->array = true;
		li->use_or = saop->useOr;
		return true;
	}
	if (IsA(e, NullTest))
	{
		NullTest   *nt = (NullTest *) e;

		if (nt->argisrow || (li->var = column_of(nt->arg)) == NULL)
			return false;
		li->kind = QK_NULLTEST;
		li->never_null = true;
		if (nt->nulltesttype == IS_NOT_NULL)
		{
			li->pass[TRI_TRUE] = false;
			li->pass[TRI_FALSE] = true;
		}
		return true;
	}
	if (IsA(e, Var))
	{
		if ((li->var = column_of(e)) == NULL || li->var->vartype != BOOLOID)
			return false;
		li->kind = QK_BOOL;
		return true;
	}
	if (IsA(e, BooleanTest))
	{
		BooleanTest *bt = (BooleanTest *) e;

		if ((li->var = column_of(bt->arg)) == NULL || li->var->vartype != BOOLOID)
			return false;
		li->kind = QK_BOOL;
		li->never_null = true;
		memset(li->pass, 0, sizeof(li->pass));
		switch (bt->booltesttype)
		{
			case IS_TRUE:
				li->pass[TRI_TRUE] = true;
				break;
			case IS_NOT_TRUE:
				li->pass[TRI_FALSE] = li->pass[TRI_NULL] = true;
				break;
			case IS_FALSE:
				li->pass[TRI_FALSE] = true;
				break;
			case IS_NOT_FALSE:
				li->pass[TRI_TRUE] = li->pass[TRI_NULL] = true;
				break;
			case IS_UNKNOWN:
				li->pass[TRI_NULL] = true;
				break;
			case IS_NOT_UNKNOWN:
				li->pass[TRI_TRUE] = li->pass[TRI_FALSE] = true;
				break;
		}
		return true;
	}
	return false;
}

/*
 * Return whether a qual (one implicitly ANDed clause of a scan) can be
 * evaluated on vectors.
 */
bool
ColumnarQualIsVectorizable(Expr *clause)
{
	LeafInfo	li;

	if (IsA(clause, BoolExpr))
	{
		BoolExpr   *b = (BoolExpr *) clause;
		ListCell   *lc;

		foreach(lc, b->args)
		{
			if (!ColumnarQualIsVectorizable(lfirst(lc)))
				return false;
		}
		return true;
	}
	return analyse_leaf(clause, &li);
}

/* ----------------------------------------------------------------
 *		compiling
 * ----------------------------------------------------------------
 */

/*
 * Evaluate a runtime-constant expression once, in the query's memory.
 */
static Datum
eval_const(Expr *expr, EState *estate, bool *isnull)
{
	ExprState  *es = ExecInitExpr(expr, NULL);
	ExprContext *econtext = GetPerTupleExprContext(estate);
	int16		typlen;
	bool		typbyval;
	Datum		d;

	d = ExecEvalExpr(es, econtext, isnull);
	get_typlenbyval(exprType((Node *) expr), &typlen, &typbyval);
	d = *isnull ? (Datum) 0 : datumCopy(d, typbyval, typlen);
	ResetExprContext(econtext);
	return d;
}

/* Return the int64 value of an integer-ordered Datum of type typid. */
static int64
integer_value(Datum d, Oid typid)
{
	switch (typid)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
		case DATEOID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

/* From how many values = ANY / <> ALL of integers searches a sorted copy */
#define SORTED_VALUES_FROM 8

/* qsort comparator of int64 */
static int
int64_order(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Keep the non-NULL integer values of an = ANY / <> ALL leaf sorted and
 * unique, so that a row is looked up in O(log n) rather than compared
 * with every value (PostgreSQL hashes such arrays for the same reason).
 */
static void
sort_int_values(QualNode *q)
{
	int			n = 0;

	q->isorted = palloc(sizeof(int64) * q->nnonnull);
	for (int i = 0; i < q->nvalues; i++)
		if (!q->nulls[i])
			q->isorted[n++] = q->ivalues[i];
	qsort(q->isorted, n, sizeof(int64), int64_order);
	q->nsorted = n > 0 ? 1 : 0;
	for (int i = 1; i < n; i++)
		if (q->isorted[i] != q->isorted[q->nsorted - 1])
			q->isorted[q->nsorted++] = q->isorted[i];
}

/* Return whether v is one of the sorted values of q. */
static inline bool
sorted_contains(const QualNode *q, int64 v)
{
	int			lo = 0;
	int			hi = q->nsorted - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (q->isorted[mid] < v)
			lo = mid + 1;
		else if (q->isorted[mid] > v)
			hi = mid - 1;
		else
			return true;
	}
	return false;
}

/*
 * Choose how a comparison leaf compares FLAT vectors, filling the typed
 * values the path needs.
 */
static void
choose_cmp_path(QualNode *q, Oid coltype, Oid valtype)
{
	q->path = CMP_GENERIC;
	if (ColumnarTypeIntegerOrdered(coltype) && ColumnarTypeIntegerOrdered(valtype) &&
		(coltype == valtype ||
		 ((coltype == INT2OID || coltype == INT4OID || coltype == INT8OID) &&
		  (valtype == INT2OID || valtype == INT4OID || valtype == INT8OID))))
	{
		q->path = CMP_INT;
		q->ivalues = palloc(sizeof(int64) * Max(q->nvalues, 1));
		for (int i = 0; i < q->nvalues; i++)
			q->ivalues[i] = q->nulls[i] ? 0 : integer_value(q->values[i], valtype);
		if (q->nnonnull > SORTED_VALUES_FROM &&
			((q->strategy == BTEqualStrategyNumber && q->use_or) ||
			 (q->strategy == ROWCOMPARE_NE && !q->use_or)))
			sort_int_values(q);
	}
	else if ((coltype == FLOAT4OID || coltype == FLOAT8OID) &&
			 (valtype == FLOAT4OID || valtype == FLOAT8OID))
	{
		q->path = CMP_FLOAT;
		q->fvalues = palloc(sizeof(double) * Max(q->nvalues, 1));
		for (int i = 0; i < q->nvalues; i++)
			q->fvalues[i] = q->nulls[i] ? 0 :
				valtype == FLOAT4OID ? (double) DatumGetFloat4(q->values[i]) :
				DatumGetFloat8(q->values[i]);
	}
	else if ((coltype == TEXTOID || coltype == VARCHAROID) && valtype == TEXTOID &&
			 OidIsValid(q->collation) &&
			 ((q->strategy == BTEqualStrategyNumber || q->strategy == ROWCOMPARE_NE) ?
			  get_collation_isdeterministic(q->collation) :
			  lc_collate_is_c(q->collation)))
	{
		q->path = CMP_BYTES;
		for (int i = 0; i < q->nvalues; i++)
			if (!q->nulls[i])
				q->values[i] = PointerGetDatum(PG_DETOAST_DATUM_PACKED(q->values[i]));
	}
	q->numeric_values = coltype == NUMERICOID && valtype == NUMERICOID;
}

/*
 * Make a LIKE leaf on a text column whose pattern is a literal followed by
 * nothing or by %s only ('Item 29%') compare bytes: in UTF-8 and in
 * single-byte encodings, LIKE's character-by-character match of such a
 * pattern is a byte prefix (or equality) test, under any deterministic
 * collation (LIKE refuses nondeterministic ones: the function is kept to
 * say so).  It calls no function, so it may also be evaluated on the
 * entries of a dictionary.
 */
static void
like_as_bytes(QualNode *q, Oid coltype)
{
	text	   *pat = DatumGetTextPP(q->values[0]);
	const char *p = VARDATA_ANY(pat);
	int			len = VARSIZE_ANY_EXHDR(pat);
	int			plen = 0;

	if ((coltype != TEXTOID && coltype != VARCHAROID) ||
		!(GetDatabaseEncoding() == PG_UTF8 || pg_database_encoding_max_length() == 1) ||
		!OidIsValid(q->collation) || !get_collation_isdeterministic(q->collation))
		return;
	while (plen < len && p[plen] != '%' && p[plen] != '_' && p[plen] != '\\')
		plen++;
	for (int i = plen; i < len; i++)
		if (p[i] != '%')
			return;
	q->prefix = palloc(Max(plen, 1));
	memcpy(q->prefix, p, plen);
	q->prefix_len = plen;
	q->prefix_exact = plen == len;
	q->leakproof = true;
}

/*
 * Compile a qual tree into nodes; negate pushes a NOT down.  The tree
 * must be vectorizable (ColumnarQualIsVectorizable).
 */
static QualNode *
compile_node(Expr *e, bool negate, TupleDesc desc, EState *estate)
{
	QualNode   *q = palloc0(sizeof(QualNode));
	LeafInfo	li;
	Form_pg_attribute att;

	if (IsA(e, BoolExpr))
	{
		BoolExpr   *b = (BoolExpr *) e;
		ListCell   *lc;
		int			i = 0;

		if (b->boolop == NOT_EXPR)
		{
			pfree(q);
			return compile_node(linitial(b->args), !negate, desc, estate);
		}
		q->kind = (b->boolop == AND_EXPR) != negate ? QK_AND : QK_OR;
		q->nargs = list_length(b->args);
		q->args = palloc(sizeof(QualNode *) * q->nargs);
		foreach(lc, b->args)
			q->args[i++] = compile_node(lfirst(lc), negate, desc, estate);
		if (q->kind == QK_OR)
		{
			q->scratch = palloc(sizeof(uint32) * COLUMNAR_WINDOW_ROWS);
			q->mark = palloc(COLUMNAR_WINDOW_ROWS);
		}
		return q;
	}

	if (!analyse_leaf(e, &li))
		elog(ERROR, "columnar qual is not vectorizable");
	q->kind = li.kind;
	q->col = li.var->varattno - 1;
	if (q->col >= desc->natts)
		elog(ERROR, "columnar qual refers to column %d of %d", q->col + 1, desc->natts);
	att = TupleDescAttr(desc, q->col);
	q->typbyval = att->attbyval;
	q->typlen = att->attlen;
	q->collation = li.inputcollid;
	memcpy(q->pass, li.pass, sizeof(q->pass));
	if (negate)
	{
		/*
		 * NOT of a strict leaf is true where the leaf is false, and NULL
		 * stays NULL; a leaf that is never NULL is simply inverted.
		 */
		if (li.never_null)
			for (int r = 0; r < 3; r++)
				q->pass[r] = !q->pass[r];
		else
		{
			bool		t = q->pass[TRI_TRUE];

			q->pass[TRI_TRUE] = q->pass[TRI_FALSE];
			q->pass[TRI_FALSE] = t;
		}
	}

	if (q->kind == QK_CMP)
	{
		Oid			valtype;
		bool		isnull;
		Datum		d = eval_const(li.value, estate, &isnull);

		q->strategy = li.strategy;
		q->use_or = li.use_or;
		fmgr_info(li.cmpproc, &q->cmp);
		q->bounds_ok = att->attcollation == li.inputcollid;
		if (li.array)
		{
			valtype = get_element_type(exprType((Node *) li.value));
			if (isnull)
			{
				/* no array: the result is NULL for every row */
				q->nvalues = 0;
				q->use_or = true;
				q->values = palloc(sizeof(Datum));
				q->nulls = palloc(sizeof(bool));
				q->nnonnull = -1;
			}
			else
			{
				ArrayType  *a = DatumGetArrayTypeP(d);
				int16		elmlen;
				bool		elmbyval;
				char		elmalign;

				get_typlenbyvalalign(ARR_ELEMTYPE(a), &elmlen, &elmbyval, &elmalign);
				deconstruct_array(a, ARR_ELEMTYPE(a), elmlen, elmbyval, elmalign,
								  &q->values, &q->nulls, &q->nvalues);
			}
		}
		else
		{
			valtype = exprType((Node *) li.value);
			q->nvalues = 1;
			q->values = palloc(sizeof(Datum));
			q->nulls = palloc(sizeof(bool));
			q->values[0] = d;
			q->nulls[0] = isnull;
		}
		if (q->nnonnull == 0)
			for (int i = 0; i < q->nvalues; i++)
				q->nnonnull += !q->nulls[i];
		choose_cmp_path(q, getBaseType(att->atttypid), valtype);

		/*
		 * A NULL array makes the result NULL for every row, an empty one
		 * false (ANY) or true (ALL) for every row, NULL rows included (as
		 * ExecEvalScalarArrayOp decides before looking at the row).
		 */
		if (li.array && (q->nnonnull < 0 || q->nvalues == 0))
		{
			bool		p = q->pass[q->nnonnull < 0 ? TRI_NULL :
									q->use_or ? TRI_FALSE : TRI_TRUE];

			q->pass[TRI_TRUE] = q->pass[TRI_FALSE] = q->pass[TRI_NULL] = p;
		}
	}
	else if (q->kind == QK_FUNC)
	{
		bool		isnull;

		fmgr_info(li.funcid, &q->fn);
		q->leakproof = get_func_leakproof(li.funcid);
		q->nvalues = 1;
		q->values = palloc(sizeof(Datum));
		q->nulls = palloc(sizeof(bool));
		q->values[0] = eval_const(li.value, estate, &isnull);
		q->nulls[0] = isnull;
		if (li.funcid == F_TEXTLIKE && !isnull)
			like_as_bytes(q, getBaseType(att->atttypid));
	}
	return q;
}

/* Note the columns a node reads and the forms it takes them in. */
static void
note_columns(ColumnarQualProgram *prog, QualNode *q)
{
	int			accept;

	if (q->kind == QK_AND || q->kind == QK_OR)
	{
		for (int i = 0; i < q->nargs; i++)
			note_columns(prog, q->args[i]);
		return;
	}
	/* DICT: only functions that may be called on any value */
	accept = (q->kind != QK_FUNC || q->leakproof) ? COLUMNAR_ACCEPT_DICT : 0;
	if (q->kind == QK_NULLTEST ||
		(q->kind == QK_CMP && q->numeric_values))
		accept |= COLUMNAR_ACCEPT_SCALED;
	if (bms_is_member(q->col, prog->cols))
		prog->accept[q->col] &= accept;
	else
		prog->accept[q->col] = accept;
	prog->cols = bms_add_member(prog->cols, q->col);
}

/*
 * Compile the (implicitly ANDed, vectorizable) quals of a scan of a table
 * of descriptor desc; their values are evaluated now, in estate.
 */
ColumnarQualProgram *
ColumnarQualCompile(List *clauses, TupleDesc desc, EState *estate)
{
	ColumnarQualProgram *prog = palloc0(sizeof(ColumnarQualProgram));
	ListCell   *lc;
	int			i = 0;

	prog->natts = desc->natts;
	prog->accept = palloc0(sizeof(int) * Max(desc->natts, 1));
	prog->root = palloc0(sizeof(QualNode));
	prog->root->kind = QK_AND;
	prog->root->nargs = list_length(clauses);
	prog->root->args = palloc(sizeof(QualNode *) * Max(list_length(clauses), 1));
	foreach(lc, clauses)
		prog->root->args[i++] = compile_node(lfirst(lc), false, desc, estate);
	note_columns(prog, prog->root);
	return prog;
}

/* Return the 0-based columns the program reads. */
Bitmapset *
ColumnarQualColumns(const ColumnarQualProgram *prog)
{
	return prog->cols;
}

/* Return the vector forms (COLUMNAR_ACCEPT_*) the program takes for col. */
int
ColumnarQualAccept(const ColumnarQualProgram *prog, int col)
{
	return col < prog->natts ? prog->accept[col] : 0;
}

/* ----------------------------------------------------------------
 *		evaluating
 * ----------------------------------------------------------------
 */

/* Compare two doubles in PostgreSQL's float order. */
static inline int
float_cmp(double a, double b)
{
	if (unlikely(isnan(a)))
		return isnan(b) ? 0 : 1;
	if (unlikely(isnan(b)))
		return -1;
	return a < b ? -1 : (a > b ? 1 : 0);
}

/* Compare two byte strings as memcmp then length (text under "C"). */
static inline int
bytes_cmp(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* Does a comparison result c satisfy strategy s? */
static inline bool
strategy_holds(int s, int c)
{
	switch (s)
	{
		case BTLessStrategyNumber:
			return c < 0;
		case BTLessEqualStrategyNumber:
			return c <= 0;
		case BTEqualStrategyNumber:
			return c == 0;
		case BTGreaterEqualStrategyNumber:
			return c >= 0;
		case BTGreaterStrategyNumber:
			return c > 0;
		default:				/* ROWCOMPARE_NE */
			return c != 0;
	}
}

/*
 * Combine the results of comparing one row with each value: ANY is true
 * when one holds, ALL when all do; NULL values (and no array) make it NULL
 * where it is not decided.
 */
static inline int
combine(const QualNode *q, int nholds, int nchecked)
{
	if (q->nnonnull < 0)
		return TRI_NULL;
	if (q->use_or)
		return nholds > 0 ? TRI_TRUE : (q->nnonnull < q->nvalues ? TRI_NULL : TRI_FALSE);
	if (nholds < nchecked)
		return TRI_FALSE;
	return q->nnonnull < q->nvalues ? TRI_NULL : TRI_TRUE;
}

/* Return the result of comparison leaf q for the value d of a row. */
static int
cmp_datum(QualNode *q, Datum d)
{
	int			nholds = 0;

	if (q->isorted != NULL)
	{
		int64		v = q->typlen == 2 ? DatumGetInt16(d) :
			q->typlen == 4 ? DatumGetInt32(d) : DatumGetInt64(d);
		bool		found = sorted_contains(q, v);

		/* = ANY holds for one value found; <> ALL fails for one */
		if (q->use_or)
			return found ? TRI_TRUE : combine(q, 0, q->nnonnull);
		return found ? TRI_FALSE : combine(q, q->nnonnull, q->nnonnull);
	}
	for (int i = 0; i < q->nvalues; i++)
	{
		int			c;

		if (q->nulls[i])
			continue;
		switch (q->path)
		{
			case CMP_INT:
				{
					int64		v = q->typlen == 2 ? DatumGetInt16(d) :
						q->typlen == 4 ? DatumGetInt32(d) : DatumGetInt64(d);

					c = v < q->ivalues[i] ? -1 : (v > q->ivalues[i] ? 1 : 0);
					break;
				}
			case CMP_FLOAT:
				c = float_cmp(q->typlen == 4 ? (double) DatumGetFloat4(d) : DatumGetFloat8(d),
							  q->fvalues[i]);
				break;
			case CMP_BYTES:
				{
					text	   *a = (text *) DatumGetPointer(d);
					text	   *b = (text *) DatumGetPointer(q->values[i]);

					if (q->strategy == BTEqualStrategyNumber || q->strategy == ROWCOMPARE_NE)
						c = (VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
							 memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0) ? 0 : 1;
					else
						c = bytes_cmp(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
									  VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
					break;
				}
			default:
				c = DatumGetInt32(FunctionCall2Coll(&q->cmp, q->collation, d, q->values[i]));
				break;
		}
		if (strategy_holds(q->strategy, c))
		{
			nholds++;
			if (q->use_or)
				break;
		}
		else if (!q->use_or)
			return TRI_FALSE;
	}
	return combine(q, nholds, q->nnonnull);
}

/* Return the result of function leaf q for the value d of a row. */
static int
func_datum(QualNode *q, Datum d)
{
	LOCAL_FCINFO(fcinfo, 2);
	Datum		r;

	if (q->nulls[0])
		return TRI_NULL;
	if (q->prefix != NULL)
	{
		const char *v = VARDATA_ANY(DatumGetPointer(d));
		int			vlen = VARSIZE_ANY_EXHDR(DatumGetPointer(d));

		if (q->prefix_exact ? vlen != q->prefix_len : vlen < q->prefix_len)
			return TRI_FALSE;
		return memcmp(v, q->prefix, q->prefix_len) == 0 ? TRI_TRUE : TRI_FALSE;
	}
	InitFunctionCallInfoData(*fcinfo, &q->fn, 2, q->collation, NULL, NULL);
	fcinfo->args[0].value = d;
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = q->values[0];
	fcinfo->args[1].isnull = false;
	r = FunctionCallInvoke(fcinfo);
	if (fcinfo->isnull)
		return TRI_NULL;
	return DatumGetBool(r) ? TRI_TRUE : TRI_FALSE;
}

/* Return the result of leaf q for a non-NULL value d. */
static inline int
leaf_datum(QualNode *q, Datum d)
{
	switch (q->kind)
	{
		case QK_CMP:
			return cmp_datum(q, d);
		case QK_FUNC:
			return func_datum(q, d);
		case QK_NULLTEST:
			return TRI_FALSE;
		default:				/* QK_BOOL */
			return DatumGetBool(d) ? TRI_TRUE : TRI_FALSE;
	}
}

/*
 * Return the pass results of leaf q for every entry of the dictionary of
 * vec, computing them when the dictionary is new to the leaf.
 */
static const uint8 *
dict_results(QualNode *q, const ColumnarVector *vec)
{
	const ColumnarVector *dict = vec->dict;

	/* a new dictionary may sit where a freed one was: compare serials too */
	if (q->dict_seen == dict && q->dict_serial == vec->dict_serial &&
		q->dict_pass != NULL)
		return q->dict_pass;
	if (q->dict_cap < dict->nrows)
	{
		if (q->dict_pass)
			pfree(q->dict_pass);
		q->dict_cap = Max(dict->nrows, 64);
		q->dict_pass = MemoryContextAlloc(GetMemoryChunkContext(q), q->dict_cap);
	}
	for (uint32 k = 0; k < dict->nrows; k++)
		q->dict_pass[k] = q->pass[leaf_datum(q, ColumnarVectorDatum(dict, k, q->typbyval))];
	q->dict_seen = dict;
	q->dict_serial = vec->dict_serial;
	return q->dict_pass;
}

/* Turn a numeric constant into integer bounds at scale (see the banner). */
static void
prepare_scaled(QualNode *q, int scale)
{
	Datum		factor;
	Datum		lo = NumericGetDatum(int64_to_numeric(PG_INT64_MIN));
	Datum		hi = NumericGetDatum(int64_to_numeric(PG_INT64_MAX));

	if (q->scaled_lo == NULL)
	{
		MemoryContext cxt = GetMemoryChunkContext(q);

		q->scaled_lo = MemoryContextAlloc(cxt, sizeof(int64) * Max(q->nvalues, 1));
		q->scaled_hi = MemoryContextAlloc(cxt, sizeof(int64) * Max(q->nvalues, 1));
		q->scaled_clamp = MemoryContextAlloc(cxt, sizeof(int8) * Max(q->nvalues, 1) * 2);
		q->scaled_exact = MemoryContextAlloc(cxt, sizeof(bool) * Max(q->nvalues, 1));
	}
	factor = DirectFunctionCall2(numeric_power, NumericGetDatum(int64_to_numeric(10)),
								 NumericGetDatum(int64_to_numeric(scale)));
	for (int i = 0; i < q->nvalues; i++)
	{
		Numeric		v;

		q->scaled_exact[i] = false;
		q->scaled_clamp[2 * i] = q->scaled_clamp[2 * i + 1] = 0;
		if (q->nulls[i])
			continue;
		v = DatumGetNumeric(q->values[i]);
		if (numeric_is_nan(v) || numeric_is_inf(v))
		{
			/* NaN sorts above everything, like +Infinity */
			int			side = numeric_is_nan(v) ||
				DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(v),
												  NumericGetDatum(int64_to_numeric(0)))) > 0 ? 1 : -1;

			q->scaled_clamp[2 * i] = q->scaled_clamp[2 * i + 1] = side;
			continue;
		}
		{
			Datum		c = DirectFunctionCall2(numeric_mul, NumericGetDatum(v), factor);
			Datum		bounds[2];

			bounds[0] = DirectFunctionCall1(numeric_ceil, c);
			bounds[1] = DirectFunctionCall1(numeric_floor, c);
			q->scaled_exact[i] = DatumGetBool(DirectFunctionCall2(numeric_eq, bounds[0], bounds[1]));
			for (int k = 0; k < 2; k++)
			{
				int64	   *out = k == 0 ? &q->scaled_lo[i] : &q->scaled_hi[i];

				if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, bounds[k], lo)) < 0)
					q->scaled_clamp[2 * i + k] = -1;
				else if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, bounds[k], hi)) > 0)
					q->scaled_clamp[2 * i + k] = 1;
				else
					*out = DatumGetInt64(DirectFunctionCall1(numeric_int8, bounds[k]));
			}
		}
	}
	q->scaled_scale = scale;
	q->scaled_ready = true;
}

/*
 * Does the scaled integer x (value x / 10^scale) satisfy the comparison
 * with value i?  Uses ceil (lo) and floor (hi) of v * 10^scale.
 */
static inline bool
scaled_holds(const QualNode *q, int i, int64 x)
{
	int			clo = q->scaled_clamp[2 * i];
	int			chi = q->scaled_clamp[2 * i + 1];

	switch (q->strategy)
	{
		case BTLessStrategyNumber:	/* x < ceil */
			return clo > 0 || (clo == 0 && x < q->scaled_lo[i]);
		case BTLessEqualStrategyNumber: /* x <= floor */
			return chi > 0 || (chi == 0 && x <= q->scaled_hi[i]);
		case BTGreaterStrategyNumber:	/* x > floor */
			return chi < 0 || (chi == 0 && x > q->scaled_hi[i]);
		case BTGreaterEqualStrategyNumber:	/* x >= ceil */
			return clo < 0 || (clo == 0 && x >= q->scaled_lo[i]);
		case BTEqualStrategyNumber:
			return q->scaled_exact[i] && clo == 0 && x == q->scaled_lo[i];
		default:				/* ROWCOMPARE_NE */
			return !(q->scaled_exact[i] && clo == 0 && x == q->scaled_lo[i]);
	}
}

/* Return the result of comparison leaf q for the scaled integer x. */
static inline int
cmp_scaled(const QualNode *q, int64 x)
{
	int			nholds = 0;

	for (int i = 0; i < q->nvalues; i++)
	{
		if (q->nulls[i])
			continue;
		if (scaled_holds(q, i, x))
		{
			nholds++;
			if (q->use_or)
				break;
		}
		else if (!q->use_or)
			return TRI_FALSE;
	}
	return combine(q, nholds, q->nnonnull);
}

/* Keep the rows of sel for which leaf q passes; returns how many. */
static uint32
eval_leaf(QualNode *q, ColumnarWindow *win, uint32 *sel, uint32 nsel)
{
	const ColumnarVector *vec = win->vectors[q->col] ? win->vectors[q->col] :
		win->fetch(win, q->col);
	uint32		base = win->base;
	bool		pass_null = q->pass[TRI_NULL];
	uint32		out = 0;

	/*
	 * A vector read for someone else may be in a form this leaf does not
	 * take (a function that is not leakproof is never called for dictionary
	 * entries): a flat copy, in the evaluation's memory.
	 */
	if ((vec->form == COLUMNAR_FORM_SCALED &&
		 !(q->kind == QK_NULLTEST || (q->kind == QK_CMP && q->numeric_values))) ||
		(vec->form == COLUMNAR_FORM_DICT && q->kind == QK_FUNC && !q->leakproof))
	{
		ColumnarVector *flat = palloc(sizeof(ColumnarVector));

		*flat = *vec;
		ColumnarFlattenVector(flat);
		vec = flat;
	}

#define ROW_VALID(row) COLUMNAR_VALID(vec, (row))

	if (q->kind == QK_NULLTEST)
	{
		bool		pass_valid = q->pass[TRI_FALSE];

		pass_null = q->pass[TRI_TRUE];
		for (uint32 k = 0; k < nsel; k++)
		{
			uint32		j = sel[k];

			if (ROW_VALID(base + j) ? pass_valid : pass_null)
				sel[out++] = j;
		}
		return out;
	}

	if (vec->form == COLUMNAR_FORM_DICT)
	{
		const uint8 *ep = dict_results(q, vec);

		if (vec->codes == NULL)
		{
			for (uint32 k = 0; k < nsel; k++)
			{
				uint32		j = sel[k];

				if (ROW_VALID(base + j) ? ep[0] : pass_null)
					sel[out++] = j;
			}
		}
		else if (vec->validity == NULL)
		{
			const uint32 *codes = vec->codes + base;

			for (uint32 k = 0; k < nsel; k++)
			{
				uint32		j = sel[k];

				sel[out] = j;
				out += ep[codes[j]];
			}
		}
		else
		{
			for (uint32 k = 0; k < nsel; k++)
			{
				uint32		j = sel[k];

				if (ROW_VALID(base + j) ? ep[vec->codes[base + j]] : pass_null)
					sel[out++] = j;
			}
		}
		return out;
	}

	if (vec->form == COLUMNAR_FORM_SCALED)
	{
		Assert(q->kind == QK_CMP && q->numeric_values);
		if (!q->scaled_ready || q->scaled_scale != vec->scale)
			prepare_scaled(q, vec->scale);
		for (uint32 k = 0; k < nsel; k++)
		{
			uint32		j = sel[k];

			if (ROW_VALID(base + j) ? q->pass[cmp_scaled(q, vec->scaled[base + j])] : pass_null)
				sel[out++] = j;
		}
		return out;
	}

	/* FLAT: typed loops for one value, the general path otherwise */
	if (q->kind == QK_CMP && q->nvalues == 1 && !q->nulls[0] &&
		(q->path == CMP_INT || q->path == CMP_FLOAT))
	{
		bool		pass_true = q->pass[TRI_TRUE];
		bool		pass_false = q->pass[TRI_FALSE];
		int			s = q->strategy;

#define TYPED_LOOP(T, CMP) \
		do { \
			const T    *vals = (const T *) vec->values + base; \
			for (uint32 k = 0; k < nsel; k++) \
			{ \
				uint32		j = sel[k]; \
				bool		keep; \
				if (!ROW_VALID(base + j)) \
					keep = pass_null; \
				else \
				{ \
					int			c = CMP(vals[j]); \
					keep = strategy_holds(s, c) ? pass_true : pass_false; \
				} \
				sel[out] = j; \
				out += keep; \
			} \
		} while (0)
#define INT_CMP(v) ((int64) (v) < iv ? -1 : ((int64) (v) > iv ? 1 : 0))
#define FLT_CMP(v) float_cmp((double) (v), fv)

		if (q->path == CMP_INT)
		{
			int64		iv = q->ivalues[0];

			switch (vec->kind)
			{
				case COLUMNAR_KIND_INT16:
					TYPED_LOOP(int16, INT_CMP);
					return out;
				case COLUMNAR_KIND_INT32:
					TYPED_LOOP(int32, INT_CMP);
					return out;
				case COLUMNAR_KIND_INT64:
					TYPED_LOOP(int64, INT_CMP);
					return out;
				default:
					break;
			}
		}
		else
		{
			double		fv = q->fvalues[0];

			switch (vec->kind)
			{
				case COLUMNAR_KIND_FLOAT4:
					TYPED_LOOP(float4, FLT_CMP);
					return out;
				case COLUMNAR_KIND_FLOAT8:
					TYPED_LOOP(float8, FLT_CMP);
					return out;
				default:
					break;
			}
		}
#undef TYPED_LOOP
#undef INT_CMP
#undef FLT_CMP
	}

	for (uint32 k = 0; k < nsel; k++)
	{
		uint32		j = sel[k];
		uint32		row = base + j;

		if (ROW_VALID(row) ?
			q->pass[leaf_datum(q, ColumnarVectorDatum(vec, row, q->typbyval))] :
			pass_null)
			sel[out++] = j;
	}
#undef ROW_VALID
	return out;
}

/* Keep the rows of sel for which node q passes; returns how many. */
static uint32
eval_node(QualNode *q, ColumnarWindow *win, uint32 *sel, uint32 nsel)
{
	if (q->kind == QK_AND)
	{
		for (int i = 0; i < q->nargs && nsel > 0; i++)
			nsel = eval_node(q->args[i], win, sel, nsel);
		return nsel;
	}
	if (q->kind == QK_OR)
	{
		uint32		out = 0;

		memset(q->mark, 0, win->nrows);
		for (int i = 0; i < q->nargs; i++)
		{
			uint32		n = 0;

			/* each arm sees only the rows no earlier arm let pass */
			for (uint32 k = 0; k < nsel; k++)
				if (!q->mark[sel[k]])
					q->scratch[n++] = sel[k];
			if (n == 0)
				break;
			n = eval_node(q->args[i], win, q->scratch, n);
			for (uint32 k = 0; k < n; k++)
				q->mark[q->scratch[k]] = 1;
		}
		for (uint32 k = 0; k < nsel; k++)
			if (q->mark[sel[k]])
				sel[out++] = sel[k];
		return out;
	}
	return eval_leaf(q, win, sel, nsel);
}

/*
 * Narrow the selection sel (nsel rows of window win, ascending) to the
 * rows every qual is true for; returns how many are left.  The columns the
 * program reads (ColumnarQualColumns) are taken from the window, through
 * its fetch function the first time (only when rows are left for them), in
 * the forms the program accepts (ColumnarQualAccept).
 */
uint32
ColumnarQualEval(ColumnarQualProgram *prog, ColumnarWindow *win,
				 uint32 *sel, uint32 nsel)
{
	const int  *saved = win->accept;

	Assert(win->nrows <= COLUMNAR_WINDOW_ROWS);
	win->accept = prog->accept;
	nsel = eval_node(prog->root, win, sel, nsel);
	win->accept = saved;
	return nsel;
}

/* ----------------------------------------------------------------
 *		refuting row groups by their zone maps
 * ----------------------------------------------------------------
 */

/* Can no row of the group pass leaf q?  (See the banner.) */
static bool
refute_leaf(const QualNode *q, const ColumnarRowGroupMeta *meta)
{
	ColumnarChunkMeta *chunk;
	Datum		min,
				max;
	int			strategy;
	int			nrefuted = 0;

	if (q->col >= meta->ncols)
		return false;			/* a column added later: its value is not here */
	chunk = &meta->chunks[q->col];
	if (q->kind == QK_NULLTEST)
	{
		/* pass[TRI_TRUE]: IS NULL passes */
		if (q->pass[TRI_TRUE] && !q->pass[TRI_FALSE])
			return chunk->null_count == 0;
		if (q->pass[TRI_FALSE] && !q->pass[TRI_TRUE])
			return chunk->null_count == meta->row_count;
		return false;
	}
	/* a strict leaf passes no NULL row */
	if (!q->pass[TRI_NULL] && chunk->null_count == meta->row_count)
		return true;
	if (q->kind != QK_CMP || q->pass[TRI_NULL])
		return false;
	if (q->pass[TRI_TRUE] && !q->pass[TRI_FALSE])
		strategy = q->strategy;
	else if (q->pass[TRI_FALSE] && !q->pass[TRI_TRUE] && q->nvalues == 1)
	{
		/* NOT (c op v): c's negated comparison */
		switch (q->strategy)
		{
			case BTLessStrategyNumber:
				strategy = BTGreaterEqualStrategyNumber;
				break;
			case BTLessEqualStrategyNumber:
				strategy = BTGreaterStrategyNumber;
				break;
			case BTGreaterStrategyNumber:
				strategy = BTLessEqualStrategyNumber;
				break;
			case BTGreaterEqualStrategyNumber:
				strategy = BTLessStrategyNumber;
				break;
			default:
				return false;
		}
	}
	else
		return false;
	if (q->nnonnull < 0 || (q->use_or && q->nnonnull == 0))
		return true;			/* NULL for every row */
	if (!q->use_or && q->nnonnull < q->nvalues)
		return true;			/* ALL with a NULL is never true */
	if (strategy == ROWCOMPARE_NE)
		return false;
	if (!q->bounds_ok || chunk->collation != q->collation ||
		!ColumnarBoundDatum(chunk->min, chunk->min_len, q->typlen, q->typbyval, &min) ||
		!ColumnarBoundDatum(chunk->max, chunk->max_len, q->typlen, q->typbyval, &max))
		return false;
	for (int i = 0; i < q->nvalues; i++)
	{
		int			cmin,
					cmax;
		bool		possible;

		if (q->nulls[i])
			continue;
		cmin = DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &q->cmp, q->collation,
											   min, q->values[i]));
		cmax = DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &q->cmp, q->collation,
											   max, q->values[i]));
		switch (strategy)
		{
			case BTLessStrategyNumber:
				possible = cmin < 0;
				break;
			case BTLessEqualStrategyNumber:
				possible = cmin <= 0;
				break;
			case BTEqualStrategyNumber:
				possible = cmin <= 0 && cmax >= 0;
				break;
			case BTGreaterEqualStrategyNumber:
				possible = cmax >= 0;
				break;
			default:
				possible = cmax > 0;
				break;
		}
		if (!possible)
		{
			nrefuted++;
			if (!q->use_or)
				return true;
		}
	}
	return q->use_or && nrefuted == q->nnonnull;
}

static bool
refute_node(const QualNode *q, const ColumnarRowGroupMeta *meta)
{
	if (q->kind == QK_AND)
	{
		for (int i = 0; i < q->nargs; i++)
			if (refute_node(q->args[i], meta))
				return true;
		return false;
	}
	if (q->kind == QK_OR)
	{
		for (int i = 0; i < q->nargs; i++)
			if (!refute_node(q->args[i], meta))
				return false;
		return q->nargs > 0;
	}
	return refute_leaf(q, meta);
}

/*
 * Return whether the zone map of a stored row group proves that the quals
 * are true for none of its rows.
 */
bool
ColumnarQualRefute(const ColumnarQualProgram *prog, const ColumnarRowGroupMeta *meta)
{
	return refute_node(prog->root, meta);
}
