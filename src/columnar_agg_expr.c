/*-------------------------------------------------------------------------
 *
 * columnar_agg_expr.c
 *	  Numeric expressions of columns as the argument of sum and avg,
 *	  computed on column vectors (columnar_agg.c).
 *
 * An expression here is a tree of numeric `*`, `+` and `-` over numeric
 * columns, integer columns cast to numeric, and numeric constants: what BI
 * queries write as sum(weight * price_per_lb) or sum(amount * (1 - 0.1)).
 *
 * A row's value is computed as a scaled integer (value x 10^scale) when
 * every input is (SCALED vectors, integers, constants that fit) and no step
 * overflows 64 bits: a product's scale and display scale are the sums of
 * its operands', a sum's or difference's the larger ones, as numeric_mul,
 * numeric_add and numeric_sub compute them, so the result is exactly
 * PostgreSQL's.  Any other row (a FLAT numeric vector, NaN or infinity, an
 * overflow) is computed by those functions themselves on numeric Datums,
 * raising the errors they raise.  The operators are strict: a NULL input
 * makes the row NULL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "columnar_agg_expr.h"
#include "columnar_agg_key.h"
#include "columnar_encoding.h"
#include "columnar_numeric.h"

/* inputs an expression may read, and nodes it may have */
#define MAX_INPUTS	COLUMNAR_MAX_EXPR_INPUTS
#define MAX_NODES	16
/* scaled values stay below 10^18 in magnitude */
#define MAX_SCALE	COLUMNAR_NUMERIC_MAX_SCALE64

typedef enum NodeKind
{
	NK_NUMERIC,					/* a numeric column */
	NK_INTEGER,					/* an integer column cast to numeric */
	NK_CONST,
	NK_MUL,
	NK_ADD,
	NK_SUB
} NodeKind;

typedef struct NumNode
{
	NodeKind	kind;
	int			input;			/* columns: index into the inputs */
	Oid			inttype;		/* NK_INTEGER: int2, int4 or int8 */
	Datum		value;			/* NK_CONST */
	bool		scaled_ok;		/* NK_CONST: has the scaled form below */
	int64		x;
	int			scale;
	int			dscale;
	struct NumNode *left;
	struct NumNode *right;
	/* a window's values (ColumnarNumExprEvalWindow), per row k of sel */
	int64	   *wx;
	uint8	   *wstate;			/* COLUMNAR_NUM_NULL / _SCALED / _DATUM */
	int16	   *wdscale;
	int			wscale;
} NumNode;

struct ColumnarNumExpr
{
	NumNode    *root;
	int			ninputs;
	int			cols[MAX_INPUTS];
};

/* Return the function of an operator expression. */
static Oid
op_function(OpExpr *op)
{
	return OidIsValid(op->opfuncid) ? op->opfuncid : get_opcode(op->opno);
}

/*
 * Build the node of e (NULL when e is not one of ours); with expr NULL,
 * only check (nothing is allocated but what the check needs).
 */
static NumNode *
build(Expr *e, ColumnarNumExpr *expr, int *nnodes, bool *ok)
{
	NumNode    *n;
	Var		   *var;

	if (!*ok || ++(*nnodes) > MAX_NODES)
	{
		*ok = false;
		return NULL;
	}
	n = palloc0(sizeof(NumNode));
	if ((var = ColumnarColumnOf(e)) != NULL && getBaseType(var->vartype) == NUMERICOID)
		n->kind = NK_NUMERIC;
	else if (IsA(e, FuncExpr) && list_length(((FuncExpr *) e)->args) == 1 &&
			 (((FuncExpr *) e)->funcid == F_NUMERIC_INT2 ||
			  ((FuncExpr *) e)->funcid == F_NUMERIC_INT4 ||
			  ((FuncExpr *) e)->funcid == F_NUMERIC_INT8) &&
			 (var = ColumnarColumnOf(linitial(((FuncExpr *) e)->args))) != NULL &&
			 (getBaseType(var->vartype) == INT2OID || getBaseType(var->vartype) == INT4OID ||
			  getBaseType(var->vartype) == INT8OID))
	{
		n->kind = NK_INTEGER;
		n->inttype = getBaseType(var->vartype);
	}
	else if (IsA(e, Const) && ((Const *) e)->consttype == NUMERICOID &&
			 !((Const *) e)->constisnull)
	{
		n->kind = NK_CONST;
		n->value = ((Const *) e)->constvalue;
	}
	else if (IsA(e, OpExpr) && list_length(((OpExpr *) e)->args) == 2 &&
			 ((OpExpr *) e)->opresulttype == NUMERICOID)
	{
		Oid			fn = op_function((OpExpr *) e);

		if (fn == F_NUMERIC_MUL)
			n->kind = NK_MUL;
		else if (fn == F_NUMERIC_ADD)
			n->kind = NK_ADD;
		else if (fn == F_NUMERIC_SUB)
			n->kind = NK_SUB;
		else
		{
			*ok = false;
			return NULL;
		}
		n->left = build(linitial(((OpExpr *) e)->args), expr, nnodes, ok);
		n->right = build(lsecond(((OpExpr *) e)->args), expr, nnodes, ok);
		return n;
	}
	else
	{
		*ok = false;
		return NULL;
	}

	if (var != NULL)
	{
		int			i;

		if (expr == NULL)
			return n;
		for (i = 0; i < expr->ninputs; i++)
			if (expr->cols[i] == var->varattno - 1)
				break;
		if (i == expr->ninputs)
		{
			if (expr->ninputs == MAX_INPUTS)
			{
				*ok = false;
				return NULL;
			}
			expr->cols[expr->ninputs++] = var->varattno - 1;
		}
		n->input = i;
	}
	return n;
}

/*
 * Return whether e, the argument of a sum or avg of numeric, is an
 * expression computed here (not a plain column: that is no expression).
 */
bool
ColumnarNumExprSupported(Expr *e)
{
	int			nnodes = 0;
	bool		ok = true;
	ColumnarNumExpr probe;

	if (ColumnarColumnOf(e) != NULL || exprType((Node *) e) != NUMERICOID)
		return false;
	memset(&probe, 0, sizeof(probe));
	build(e, &probe, &nnodes, &ok);
	return ok && probe.ninputs > 0;
}

/* Give a constant its scaled form when it is finite and small enough. */
static void
scale_constant(NumNode *n)
{
	Numeric		num = DatumGetNumeric(n->value);
	Datum		lim;
	Datum		abs;
	Datum		x;

	if (numeric_is_nan(num) || numeric_is_inf(num))
		return;
	n->dscale = DatumGetInt32(DirectFunctionCall1(numeric_scale, n->value));
	if (n->dscale > MAX_SCALE)
		return;
	/* |value| x 10^dscale < 10^18 */
	lim = NumericGetDatum(int64_to_numeric(ColumnarPow10_64[MAX_SCALE - n->dscale]));
	abs = DirectFunctionCall1(numeric_abs, n->value);
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, abs, lim)) >= 0)
		return;
	x = DirectFunctionCall2(numeric_mul, n->value,
							NumericGetDatum(int64_to_numeric(ColumnarPow10_64[n->dscale])));
	n->x = DatumGetInt64(DirectFunctionCall1(numeric_int8, x));
	n->scale = n->dscale;
	n->scaled_ok = true;
}

static void
prepare_nodes(NumNode *n)
{
	if (n == NULL)
		return;
	if (n->kind == NK_CONST)
		scale_constant(n);
	n->wx = palloc(sizeof(int64) * COLUMNAR_WINDOW_ROWS);
	n->wstate = palloc(sizeof(uint8) * COLUMNAR_WINDOW_ROWS);
	n->wdscale = palloc(sizeof(int16) * COLUMNAR_WINDOW_ROWS);
	prepare_nodes(n->left);
	prepare_nodes(n->right);
}

/* Compile e (ColumnarNumExprSupported) in memory context cxt. */
ColumnarNumExpr *
ColumnarNumExprCompile(Expr *e, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	ColumnarNumExpr *expr = palloc0(sizeof(ColumnarNumExpr));
	int			nnodes = 0;
	bool		ok = true;

	expr->root = build(e, expr, &nnodes, &ok);
	if (!ok)
		elog(ERROR, "unsupported numeric expression in a columnar aggregate");
	prepare_nodes(expr->root);
	MemoryContextSwitchTo(old);
	return expr;
}

/* Return the number of columns the expression reads, and them (0-based). */
int
ColumnarNumExprInputs(const ColumnarNumExpr *expr, const int **cols)
{
	*cols = expr->cols;
	return expr->ninputs;
}

/* Return the integer of row i of an integer vector (valid). */
static int64
integer_at(const NumNode *n, ColumnarVector *vec, uint32 i)
{
	Datum		d = ColumnarVectorDatum(vec, i, true);

	switch (n->inttype)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

/*
 * Compute node n for rows sel[0 .. nsel - 1] as scaled integers, all at
 * the node's scale n->wscale: per row k, wstate[k] says whether wx[k] and
 * wdscale[k] hold its value (SCALED), it is NULL, or it must be computed
 * on numeric Datums (DATUM: an input that is not a scaled integer, an
 * overflow).
 */
static void
eval_window(NumNode *n, ColumnarVector **in, const uint32 *sel, uint32 nsel)
{
	NumNode    *l = n->left;
	NumNode    *r = n->right;

	switch (n->kind)
	{
		case NK_NUMERIC:
			{
				ColumnarVector *vec = in[n->input];
				bool		scaled = vec->form == COLUMNAR_FORM_SCALED && vec->scale <= MAX_SCALE;

				n->wscale = scaled ? vec->scale : 0;
				for (uint32 k = 0; k < nsel; k++)
				{
					uint32		i = sel[k];

					if (!COLUMNAR_VALID(vec, i))
						n->wstate[k] = COLUMNAR_NUM_NULL;
					else if (!scaled)
						n->wstate[k] = COLUMNAR_NUM_DATUM;
					else
					{
						n->wstate[k] = COLUMNAR_NUM_SCALED;
						n->wx[k] = vec->scaled[i];
						n->wdscale[k] = vec->dscales ? vec->dscales[i] : vec->dscale;
					}
				}
				return;
			}
		case NK_INTEGER:
			{
				ColumnarVector *vec = in[n->input];

				n->wscale = 0;
				for (uint32 k = 0; k < nsel; k++)
				{
					uint32		i = sel[k];

					if (!COLUMNAR_VALID(vec, i))
						n->wstate[k] = COLUMNAR_NUM_NULL;
					else
					{
						n->wstate[k] = COLUMNAR_NUM_SCALED;
						n->wx[k] = integer_at(n, vec, i);
						n->wdscale[k] = 0;
					}
				}
				return;
			}
		case NK_CONST:
			n->wscale = n->scale;
			for (uint32 k = 0; k < nsel; k++)
			{
				n->wstate[k] = n->scaled_ok ? COLUMNAR_NUM_SCALED : COLUMNAR_NUM_DATUM;
				n->wx[k] = n->x;
				n->wdscale[k] = n->dscale;
			}
			return;
		default:
			break;
	}

	eval_window(l, in, sel, nsel);
	eval_window(r, in, sel, nsel);
	if (n->kind == NK_MUL)
	{
		bool		fits = l->wscale + r->wscale <= MAX_SCALE;

		n->wscale = fits ? l->wscale + r->wscale : 0;
		for (uint32 k = 0; k < nsel; k++)
		{
			/* strict: NULL if either is, else Datums if either needs them */
			uint8		st = Min(l->wstate[k], r->wstate[k]) == COLUMNAR_NUM_NULL ?
				COLUMNAR_NUM_NULL : Max(l->wstate[k], r->wstate[k]);

			if (st == COLUMNAR_NUM_SCALED &&
				(!fits || __builtin_mul_overflow(l->wx[k], r->wx[k], &n->wx[k])))
				st = COLUMNAR_NUM_DATUM;
			n->wstate[k] = st;
			n->wdscale[k] = l->wdscale[k] + r->wdscale[k];
		}
		return;
	}

	/* + and -: at the larger scale */
	n->wscale = Max(l->wscale, r->wscale);
	{
		int64		lf = ColumnarPow10_64[n->wscale - l->wscale];
		int64		rf = ColumnarPow10_64[n->wscale - r->wscale];

		for (uint32 k = 0; k < nsel; k++)
		{
			uint8		st = Min(l->wstate[k], r->wstate[k]) == COLUMNAR_NUM_NULL ?
				COLUMNAR_NUM_NULL : Max(l->wstate[k], r->wstate[k]);
			int64		lx,
						rx;

			if (st == COLUMNAR_NUM_SCALED &&
				(__builtin_mul_overflow(l->wx[k], lf, &lx) ||
				 __builtin_mul_overflow(r->wx[k], rf, &rx) ||
				 (n->kind == NK_ADD ? __builtin_add_overflow(lx, rx, &n->wx[k]) :
				  __builtin_sub_overflow(lx, rx, &n->wx[k]))))
				st = COLUMNAR_NUM_DATUM;
			n->wstate[k] = st;
			n->wdscale[k] = Max(l->wdscale[k], r->wdscale[k]);
		}
	}
}

/*
 * Compute node n at row i with PostgreSQL's numeric functions; *isnull
 * for NULL.
 */
static Datum
eval_datum(const NumNode *n, ColumnarVector **in, uint32 i, bool *isnull)
{
	Datum		l,
				r;
	bool		lnull,
				rnull;

	*isnull = false;
	switch (n->kind)
	{
		case NK_NUMERIC:
			{
				ColumnarVector *vec = in[n->input];

				if (!COLUMNAR_VALID(vec, i))
				{
					*isnull = true;
					return (Datum) 0;
				}
				if (vec->form == COLUMNAR_FORM_SCALED)
				{
					char	   *buf = palloc(COLUMNAR_SCALED_NUMERIC_MAX);

					ColumnarScaledNumeric(buf, vec->scaled[i], vec->scale,
										  vec->dscales ? vec->dscales[i] : vec->dscale);
					return PointerGetDatum(buf);
				}
				return ColumnarVectorDatum(vec, i, false);
			}
		case NK_INTEGER:
			if (!COLUMNAR_VALID(in[n->input], i))
			{
				*isnull = true;
				return (Datum) 0;
			}
			return NumericGetDatum(int64_to_numeric(integer_at(n, in[n->input], i)));
		case NK_CONST:
			return n->value;
		default:
			break;
	}
	/* both operands are computed (and may raise their errors), then strictness */
	l = eval_datum(n->left, in, i, &lnull);
	r = eval_datum(n->right, in, i, &rnull);
	if (lnull || rnull)
	{
		*isnull = true;
		return (Datum) 0;
	}
	if (n->kind == NK_MUL)
		return DirectFunctionCall2(numeric_mul, l, r);
	if (n->kind == NK_ADD)
		return DirectFunctionCall2(numeric_add, l, r);
	return DirectFunctionCall2(numeric_sub, l, r);
}

/*
 * Compute the expression for rows sel[0 .. nsel - 1] of the window views
 * of its inputs (in the order ColumnarNumExprInputs gives): per row k,
 * states[k] says whether xs[k] (value xs[k] / 10^*scale, display scale
 * dscales[k]) holds it, it is NULL, or ColumnarNumExprDatum must compute
 * it.  The arrays belong to the expression, until its next window.
 */
void
ColumnarNumExprEvalWindow(const ColumnarNumExpr *expr, ColumnarVector **inputs,
						  const uint32 *sel, uint32 nsel, const int64 **xs,
						  const uint8 **states, const int16 **dscales, int *scale)
{
	Assert(nsel <= COLUMNAR_WINDOW_ROWS);
	eval_window(expr->root, inputs, sel, nsel);
	*xs = expr->root->wx;
	*states = expr->root->wstate;
	*dscales = expr->root->wdscale;
	*scale = expr->root->wscale;
}

/*
 * Compute the expression at row row of its inputs' vectors with
 * PostgreSQL's numeric functions (in CurrentMemoryContext); *isnull for
 * NULL.
 */
Datum
ColumnarNumExprDatum(const ColumnarNumExpr *expr, ColumnarVector **inputs, uint32 row,
					 bool *isnull)
{
	return eval_datum(expr->root, inputs, row, isnull);
}
