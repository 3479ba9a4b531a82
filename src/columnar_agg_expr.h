/*-------------------------------------------------------------------------
 *
 * columnar_agg_expr.h
 *	  Numeric expressions of columns as the argument of sum and avg
 *	  (sum(weight * price_per_lb)), computed on column vectors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_AGG_EXPR_H
#define COLUMNAR_AGG_EXPR_H

#include "nodes/primnodes.h"

#include "columnar_vector.h"

/* columns an expression may read */
#define COLUMNAR_MAX_EXPR_INPUTS	8

typedef struct ColumnarNumExpr ColumnarNumExpr;

/* what ColumnarNumExprEvalWindow found for a row */
typedef enum ColumnarNumResult
{
	COLUMNAR_NUM_NULL,			/* the expression is NULL */
	COLUMNAR_NUM_SCALED,		/* *x / 10^*scale, display scale *dscale */
	COLUMNAR_NUM_DATUM			/* a numeric Datum */
} ColumnarNumResult;

extern bool ColumnarNumExprSupported(Expr *e);
extern ColumnarNumExpr *ColumnarNumExprCompile(Expr *e, MemoryContext cxt);
extern int	ColumnarNumExprInputs(const ColumnarNumExpr *expr, const int **cols);
extern void ColumnarNumExprEvalWindow(const ColumnarNumExpr *expr, ColumnarVector **inputs,
									  const uint32 *sel, uint32 nsel, const int64 **xs,
									  const uint8 **states, const int16 **dscales,
									  int *scale);
extern Datum ColumnarNumExprDatum(const ColumnarNumExpr *expr, ColumnarVector **inputs,
								  uint32 row, bool *isnull);

#endif							/* COLUMNAR_AGG_EXPR_H */
