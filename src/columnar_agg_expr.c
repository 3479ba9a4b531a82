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
#include "columnar_encoding.h"

/* inputs an expression may read, and nodes it may have */
#define MAX_INPUTS	COLUMNAR_MAX_EXPR_INPUTS
#define MAX_NODES	16
/* scaled values stay below 10^18 in magnitude */
#define MAX_SCALE	18

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
} NumNode;

struct ColumnarNumExpr
{
	NumNode    *root;
	int			ninputs;
	int			cols[MAX_INPUTS];
};

static const int64 pow10_64[MAX_SCALE + 1] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
	100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
	1000000000000LL, 10000000000000LL, 100000000000000LL,
	1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL
};

/* Return the column e is (under relabelings), or NULL. */
static Var *
plain_column(Expr *e)
{
	while (IsA(e, RelabelType))
		e = ((RelabelType *) e)->arg;
	if (IsA(e, Var) && ((Var *) e)->varattno > 0 && ((Var *) e)->varlevelsup == 0)
		return (Var *) e;
	return NULL;
}

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
	if ((var = plain_column(e)) != NULL && getBaseType(var->vartype) == NUMERICOID)
		n->kind = NK_NUMERIC;
	else if (IsA(e, FuncExpr) && list_length(((FuncExpr *) e)->args) == 1 &&
			 (((FuncExpr *) e)->funcid == F_NUMERIC_INT2 ||
			  ((FuncExpr *) e)->funcid == F_NUMERIC_INT4 ||
			  ((FuncExpr *) e)->funcid == F_NUMERIC_INT8) &&
			 (var = plain_column(linitial(((FuncExpr *) e)->args))) != NULL &&
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

	if (plain_column(e) != NULL || exprType((Node *) e) != NUMERICOID)
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
	lim = NumericGetDatum(int64_to_numeric(pow10_64[MAX_SCALE - n->dscale]));
	abs = DirectFunctionCall1(numeric_abs, n->value);
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, abs, lim)) >= 0)
		return;
	x = DirectFunctionCall2(numeric_mul, n->value,
							NumericGetDatum(int64_to_numeric(pow10_64[n->dscale])));
	n->x = DatumGetInt64(DirectFunctionCall1(numeric_int8, x));
	n->scale = n->dscale;
	n->scaled_ok = true;
}

static void
scale_constants(NumNode *n)
{
	if (n == NULL)
		return;
	if (n->kind == NK_CONST)
		scale_constant(n);
	scale_constants(n->left);
	scale_constants(n->right);
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
	scale_constants(expr->root);
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
 * Compute node n at row i as a scaled integer: returns 1 with the value,
 * 0 for NULL, -1 when it cannot be computed so.
 */
static int
eval_scaled(const NumNode *n, ColumnarVector **in, uint32 i, int64 *x, int *scale, int *dscale)
{
	int64		lx,
				rx;
	int			ls,
				rs,
				ld,
				rd,
				r;

	switch (n->kind)
	{
		case NK_NUMERIC:
			{
				ColumnarVector *vec = in[n->input];

				if (!COLUMNAR_VALID(vec, i))
					return 0;
				if (vec->form != COLUMNAR_FORM_SCALED || vec->scale > MAX_SCALE)
					return -1;
				*x = vec->scaled[i];
				*scale = vec->scale;
				*dscale = vec->dscales ? vec->dscales[i] : vec->dscale;
				return 1;
			}
		case NK_INTEGER:
			if (!COLUMNAR_VALID(in[n->input], i))
				return 0;
			*x = integer_at(n, in[n->input], i);
			*scale = *dscale = 0;
			return 1;
		case NK_CONST:
			if (!n->scaled_ok)
				return -1;
			*x = n->x;
			*scale = n->scale;
			*dscale = n->dscale;
			return 1;
		default:
			break;
	}
	if ((r = eval_scaled(n->left, in, i, &lx, &ls, &ld)) != 1)
		return r;
	if ((r = eval_scaled(n->right, in, i, &rx, &rs, &rd)) != 1)
		return r;
	if (n->kind == NK_MUL)
	{
		if (ls + rs > MAX_SCALE || __builtin_mul_overflow(lx, rx, x))
			return -1;
		*scale = ls + rs;
		*dscale = ld + rd;
		return 1;
	}
	/* + and -: at the larger scale */
	*scale = Max(ls, rs);
	*dscale = Max(ld, rd);
	if (__builtin_mul_overflow(lx, pow10_64[*scale - ls], &lx) ||
		__builtin_mul_overflow(rx, pow10_64[*scale - rs], &rx))
		return -1;
	if (n->kind == NK_ADD ? __builtin_add_overflow(lx, rx, x) : __builtin_sub_overflow(lx, rx, x))
		return -1;
	return 1;
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
	l = eval_datum(n->left, in, i, isnull);
	if (*isnull)
		return (Datum) 0;
	r = eval_datum(n->right, in, i, isnull);
	if (*isnull)
		return (Datum) 0;
	if (n->kind == NK_MUL)
		return DirectFunctionCall2(numeric_mul, l, r);
	if (n->kind == NK_ADD)
		return DirectFunctionCall2(numeric_add, l, r);
	return DirectFunctionCall2(numeric_sub, l, r);
}

/*
 * Compute the expression at row row of the vectors of its inputs (in the
 * order ColumnarNumExprInputs gives): a scaled integer where it can, else
 * a numeric Datum (allocated in CurrentMemoryContext), or NULL.
 */
ColumnarNumResult
ColumnarNumExprEval(const ColumnarNumExpr *expr, ColumnarVector **inputs, uint32 row,
					int64 *x, int *scale, int *dscale, Datum *d)
{
	bool		isnull;

	switch (eval_scaled(expr->root, inputs, row, x, scale, dscale))
	{
		case 1:
			return COLUMNAR_NUM_SCALED;
		case 0:
			return COLUMNAR_NUM_NULL;
		default:
			break;
	}
	*d = eval_datum(expr->root, inputs, row, &isnull);
	return isnull ? COLUMNAR_NUM_NULL : COLUMNAR_NUM_DATUM;
}
