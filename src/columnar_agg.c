/*-------------------------------------------------------------------------
 *
 * columnar_agg.c
 *	  Aggregates computed on column vectors, group by group, with the
 *	  results PostgreSQL's own aggregates give.
 *
 * Which.  count(*), count(x) of any type; sum and avg of int2, int4, int8,
 * float4, float8, numeric and interval; min and max of int2, int4, int8,
 * float4, float8, numeric, date, time, timestamp, timestamptz, interval,
 * text (also varchar) and bpchar; bool_and, bool_or and every; each with a
 * FILTER (WHERE ...) that the qual module can vectorize.  The argument is
 * a column of the scanned table (under a binary-compatible relabeling at
 * most).  Anything else (DISTINCT, ORDER BY inside the aggregate, other
 * aggregates, expressions as arguments) is left to PostgreSQL's Agg: the
 * planner asks ColumnarAggSupported first.
 *
 * How.  Each aggregate keeps one small state per group in one array (a
 * struct per kind of accumulation), grown as groups appear, and adds the
 * rows of a window at a time: typed loops over FLAT vectors, dictionary
 * entries looked up by code on DICT vectors, scaled integers summed as
 * 128-bit integers for numeric (converted to a numeric once per group, at
 * the end).  Nothing is formed per row.
 *
 * Exactness.  The final values are computed as PostgreSQL computes them
 * from the same transition state (numeric division for averages, float
 * arithmetic with the same overflow errors, NULL for groups without input,
 * the display scale of numeric sums being the largest of the inputs', ties
 * in min/max resolved the way the type's smaller/larger function resolves
 * them).  In partial mode (the Partial Aggregate below a Finalize
 * Aggregate, for parallel and partitionwise plans) the result is the
 * aggregate's transition state as PostgreSQL's own partial aggregation
 * emits it: by-value and array states as they are, internal states in the
 * bytes of their serial function (int8_avg_serialize,
 * numeric_avg_serialize), which the Finalize Aggregate deserializes; the
 * regression test columnar_agg checks these bytes against the server's
 * own functions by a round trip.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_aggregate.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "columnar_agg.h"
#include "columnar_agg_distinct.h"
#include "columnar_agg_expr.h"
#include "columnar_agg_key.h"
#include "columnar_agg_serial.h"
#include "columnar_numeric.h"
#include "columnar_zonemap.h"

/* What an aggregate computes */
typedef enum AggOp
{
	AOP_COUNT_STAR,
	AOP_COUNT,
	AOP_COUNT_DISTINCT,			/* count(DISTINCT x) */
	AOP_SUM,
	AOP_AVG,
	AOP_MIN,
	AOP_MAX,
	AOP_BOOL_AND,
	AOP_BOOL_OR
} AggOp;

/* How its input values are accumulated */
typedef enum AggValue
{
	AV_NONE,					/* counted only */
	AV_INT,						/* integer-ordered: int2/4/8, date, time, timestamps */
	AV_FLOAT4,
	AV_FLOAT8,
	AV_NUMERIC,
	AV_INTERVAL,
	AV_BOOL,
	AV_DATUM					/* min/max by the type's comparison function */
} AggValue;

/* the per-group states, one struct per kind of accumulation */
typedef struct CountState
{
	int64		n;
} CountState;

typedef struct IntSumState
{
	int64		n;
	int64		sum;
} IntSumState;

typedef struct WideSumState
{
	int64		n;
	int128		sum;
} WideSumState;

typedef struct FloatState
{
	int64		n;
	double		sx;				/* float8 sum, or Sx of avg */
	double		sxx;			/* avg: Youngs-Cramer Sxx */
	float4		f4;				/* sum(float4) */
} FloatState;

typedef struct NumericState
{
	int64		n;				/* finite inputs */
	int128		sum;			/* of the scaled inputs, at scale */
	int32		scale;
	int32		maxdscale;		/* largest display scale of a finite input */
	int64		maxdscale_count;	/* inputs with that display scale */
	int64		nan;
	int64		pinf;
	int64		ninf;
	Datum		extra;			/* sum of the others (FLAT inputs, overflow), or 0 */
} NumericState;

typedef struct IntervalState
{
	int64		n;
	Interval	sum;
} IntervalState;

typedef struct MinMaxState
{
	bool		set;
	int64		i;				/* AV_INT, AV_BOOL (bool_and/or) */
	double		d;				/* AV_FLOAT4 / AV_FLOAT8 */
	Datum		datum;			/* AV_NUMERIC, AV_INTERVAL, AV_DATUM: a copy */
} MinMaxState;

struct ColumnarAgg
{
	AggOp		op;
	AggValue	value;
	Oid			argtype;		/* base type of the input column */
	Oid			restype;		/* the Aggref's result type */
	Oid			collation;		/* the aggregate's input collation */
	int			col;			/* 0-based input column, -1 for count(*) */
	bool		partial;		/* emit the transition state */
	bool		typbyval;
	int16		typlen;
	ColumnarQualProgram *filter;
	FmgrInfo	cmp;			/* AV_DATUM (and numeric/interval): btree order */
	bool		ties_take_new;	/* min/max: an equal value replaces the state */
	Size		state_size;
	char	   *states;
	uint32		nstates;
	MemoryContext cxt;			/* states and copied values */
	/* min/max on DICT vectors: per-entry ranks of the last dictionary */
	const ColumnarVector *rank_dict;
	uint64		rank_serial;
	uint32	   *ranks;
	uint32		rank_cap;
	ColumnarDistinctSet *distinct;	/* count(DISTINCT): the values seen */
	ColumnarNumExpr *expr;		/* sum/avg of a numeric expression, or NULL */
	MemoryContext scratch;		/* its rows computed on numeric Datums */
};

#define STATE(agg, g) ((void *) ((agg)->states + (Size) (g) * (agg)->state_size))

/* ----------------------------------------------------------------
 *		which aggregates
 * ----------------------------------------------------------------
 */

/* Return the column of an aggregate's argument, or NULL. */
static Var *
arg_column(Aggref *aggref)
{
	if (list_length(aggref->args) != 1)
		return NULL;
	return ColumnarColumnOf(((TargetEntry *) linitial(aggref->args))->expr);
}

/*
 * Find what an aggregate function computes and on which values; false when
 * it is not one of ours.
 */
static bool
classify(Oid aggfnoid, AggOp *op, AggValue *value)
{
	switch (aggfnoid)
	{
		case F_COUNT_:
			*op = AOP_COUNT_STAR;
			*value = AV_NONE;
			return true;
		case F_COUNT_ANY:
			*op = AOP_COUNT;
			*value = AV_NONE;
			return true;
		case F_SUM_INT2:
		case F_SUM_INT4:
		case F_SUM_INT8:
		case F_AVG_INT2:
		case F_AVG_INT4:
		case F_AVG_INT8:
			*op = (aggfnoid == F_SUM_INT2 || aggfnoid == F_SUM_INT4 || aggfnoid == F_SUM_INT8) ?
				AOP_SUM : AOP_AVG;
			*value = AV_INT;
			return true;
		case F_SUM_FLOAT4:
		case F_AVG_FLOAT4:
			*op = aggfnoid == F_SUM_FLOAT4 ? AOP_SUM : AOP_AVG;
			*value = AV_FLOAT4;
			return true;
		case F_SUM_FLOAT8:
		case F_AVG_FLOAT8:
			*op = aggfnoid == F_SUM_FLOAT8 ? AOP_SUM : AOP_AVG;
			*value = AV_FLOAT8;
			return true;
		case F_SUM_NUMERIC:
		case F_AVG_NUMERIC:
			*op = aggfnoid == F_SUM_NUMERIC ? AOP_SUM : AOP_AVG;
			*value = AV_NUMERIC;
			return true;
		case F_SUM_INTERVAL:
		case F_AVG_INTERVAL:
			*op = aggfnoid == F_SUM_INTERVAL ? AOP_SUM : AOP_AVG;
			*value = AV_INTERVAL;
			return true;
		case F_MIN_INT2:
		case F_MIN_INT4:
		case F_MIN_INT8:
		case F_MIN_DATE:
		case F_MIN_TIME:
		case F_MIN_TIMESTAMP:
		case F_MIN_TIMESTAMPTZ:
		case F_MAX_INT2:
		case F_MAX_INT4:
		case F_MAX_INT8:
		case F_MAX_DATE:
		case F_MAX_TIME:
		case F_MAX_TIMESTAMP:
		case F_MAX_TIMESTAMPTZ:
			*value = AV_INT;
			break;
		case F_MIN_FLOAT4:
		case F_MAX_FLOAT4:
			*value = AV_FLOAT4;
			break;
		case F_MIN_FLOAT8:
		case F_MAX_FLOAT8:
			*value = AV_FLOAT8;
			break;
		case F_MIN_NUMERIC:
		case F_MAX_NUMERIC:
			*value = AV_NUMERIC;
			break;
		case F_MIN_INTERVAL:
		case F_MAX_INTERVAL:
			*value = AV_INTERVAL;
			break;
		case F_MIN_TEXT:
		case F_MAX_TEXT:
		case F_MIN_BPCHAR:
		case F_MAX_BPCHAR:
			*value = AV_DATUM;
			break;
		case F_BOOL_AND:
		case F_EVERY:
			*op = AOP_BOOL_AND;
			*value = AV_BOOL;
			return true;
		case F_BOOL_OR:
			*op = AOP_BOOL_OR;
			*value = AV_BOOL;
			return true;
		default:
			return false;
	}
	switch (aggfnoid)
	{
		case F_MIN_INT2:
		case F_MIN_INT4:
		case F_MIN_INT8:
		case F_MIN_DATE:
		case F_MIN_TIME:
		case F_MIN_TIMESTAMP:
		case F_MIN_TIMESTAMPTZ:
		case F_MIN_FLOAT4:
		case F_MIN_FLOAT8:
		case F_MIN_NUMERIC:
		case F_MIN_INTERVAL:
		case F_MIN_TEXT:
		case F_MIN_BPCHAR:
			*op = AOP_MIN;
			break;
		default:
			*op = AOP_MAX;
			break;
	}
	return true;
}

/*
 * Return whether we compute the DISTINCT of aggref: count(DISTINCT x) of a
 * column, final only (PostgreSQL has no partial DISTINCT), its values
 * compared by the type's default equality.
 */
static bool
distinct_supported(Aggref *aggref, bool partial)
{
	Var		   *var = arg_column(aggref);
	SortGroupClause *sgc;
	Oid			typid;

	if (partial || aggref->aggfnoid != F_COUNT_ANY || var == NULL ||
		list_length(aggref->aggdistinct) != 1)
		return false;
	typid = getBaseType(var->vartype);
	sgc = linitial_node(SortGroupClause, aggref->aggdistinct);
	return ColumnarDistinctSupported(typid) &&
		sgc->eqop == lookup_type_cache(typid, TYPECACHE_EQ_OPR)->eq_opr;
}

/*
 * Return whether we compute aggref: a supported aggregate of one column
 * (or count(*)), without ORDER BY, DISTINCT only in count(DISTINCT x) of a
 * column, with a vectorizable FILTER;
 * partial when its transition state is wanted (AGGSPLIT_INITIAL_SERIAL),
 * final otherwise (AGGSPLIT_SIMPLE).
 */
bool
ColumnarAggSupported(Aggref *aggref, bool partial)
{
	AggOp		op;
	AggValue	value;

	if (aggref->aggorder != NIL || aggref->agglevelsup != 0 ||
		aggref->aggkind != AGGKIND_NORMAL || aggref->aggvariadic)
		return false;
	if (aggref->aggdistinct != NIL && !distinct_supported(aggref, partial))
		return false;
	if (aggref->aggsplit != (partial ? AGGSPLIT_INITIAL_SERIAL : AGGSPLIT_SIMPLE))
		return false;
	if (!classify(aggref->aggfnoid, &op, &value))
		return false;
	if (op == AOP_COUNT_STAR)
	{
		if (aggref->args != NIL)
			return false;
	}
	else if (arg_column(aggref) == NULL &&
			 !((op == AOP_SUM || op == AOP_AVG) && value == AV_NUMERIC &&
			   list_length(aggref->args) == 1 && aggref->aggdistinct == NIL &&
			   ColumnarNumExprSupported(linitial_node(TargetEntry, aggref->args)->expr)))
		return false;
	if (aggref->aggfilter && !ColumnarQualIsVectorizable(aggref->aggfilter))
		return false;
	/* internal states: only in the bytes this server is known to write */
	if (partial && (op == AOP_SUM || op == AOP_AVG) &&
		(value == AV_NUMERIC || (value == AV_INT && exprType((Node *) arg_column(aggref)) == INT8OID)) &&
		!ColumnarAggSerialKnown())
		return false;
	return true;
}

/* ----------------------------------------------------------------
 *		making one
 * ----------------------------------------------------------------
 */

/*
 * Make the accumulator of aggref (supported: ColumnarAggSupported) over a
 * table of descriptor desc; its FILTER's values are evaluated in estate;
 * states live in cxt.
 */
ColumnarAgg *
ColumnarAggCreate(Aggref *aggref, TupleDesc desc, EState *estate, MemoryContext cxt)
{
	ColumnarAgg *agg = MemoryContextAllocZero(cxt, sizeof(ColumnarAgg));
	MemoryContext old = MemoryContextSwitchTo(cxt);

	classify(aggref->aggfnoid, &agg->op, &agg->value);
	agg->partial = aggref->aggsplit != AGGSPLIT_SIMPLE;
	agg->restype = aggref->aggtype;
	agg->collation = aggref->inputcollid;
	agg->cxt = cxt;
	agg->col = -1;
	if (agg->op != AOP_COUNT_STAR && arg_column(aggref) == NULL)
	{
		/* sum/avg of a numeric expression */
		agg->expr = ColumnarNumExprCompile(linitial_node(TargetEntry, aggref->args)->expr, cxt);
		agg->scratch = AllocSetContextCreate(cxt, "columnar aggregate expression",
											 ALLOCSET_SMALL_SIZES);
		agg->argtype = NUMERICOID;
		agg->typbyval = false;
		agg->typlen = -1;
	}
	else if (agg->op != AOP_COUNT_STAR)
	{
		Var		   *var = arg_column(aggref);
		Form_pg_attribute att = TupleDescAttr(desc, var->varattno - 1);

		agg->col = var->varattno - 1;
		agg->argtype = getBaseType(att->atttypid);
		agg->typbyval = att->attbyval;
		agg->typlen = att->attlen;
		if (agg->value == AV_INT && !ColumnarTypeIntegerOrdered(agg->argtype))
			elog(ERROR, "columnar aggregate on a column of type %u", agg->argtype);
	}
	if (aggref->aggfilter)
		agg->filter = ColumnarQualCompile(list_make1(aggref->aggfilter), desc, estate);
	if (aggref->aggdistinct != NIL)
	{
		agg->op = AOP_COUNT_DISTINCT;
		agg->value = AV_DATUM;
		agg->distinct = ColumnarDistinctCreate(agg->argtype, agg->collation, agg->typlen,
											   agg->typbyval, cxt);
	}

	/* bpchar's smaller and larger keep the state on ties, the others take the new */
	agg->ties_take_new = aggref->aggfnoid != F_MIN_BPCHAR && aggref->aggfnoid != F_MAX_BPCHAR;
	if (agg->value == AV_DATUM || agg->value == AV_NUMERIC || agg->value == AV_INTERVAL)
	{
		TypeCacheEntry *tce = lookup_type_cache(agg->argtype, TYPECACHE_CMP_PROC_FINFO);

		if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
			elog(ERROR, "no comparison function for type %u", agg->argtype);
		fmgr_info_cxt(tce->cmp_proc_finfo.fn_oid, &agg->cmp, cxt);
	}

	if (agg->op == AOP_COUNT_DISTINCT)
		agg->state_size = sizeof(CountState);
	else if (agg->op == AOP_MIN || agg->op == AOP_MAX || agg->value == AV_BOOL)
		agg->state_size = sizeof(MinMaxState);
	else
	{
		switch (agg->value)
		{
			case AV_NONE:
				agg->state_size = sizeof(CountState);
				break;
			case AV_INT:
				agg->state_size = agg->argtype == INT8OID ? sizeof(WideSumState) : sizeof(IntSumState);
				break;
			case AV_FLOAT4:
			case AV_FLOAT8:
				agg->state_size = sizeof(FloatState);
				break;
			case AV_NUMERIC:
				agg->state_size = sizeof(NumericState);
				break;
			case AV_INTERVAL:
				agg->state_size = sizeof(IntervalState);
				break;
			default:
				elog(ERROR, "unexpected columnar aggregate");
		}
	}
	agg->state_size = MAXALIGN(agg->state_size);
	if (agg->state_size % 16 != 0 && agg->state_size > 8)
		agg->state_size = TYPEALIGN(16, agg->state_size);	/* int128 members */
	MemoryContextSwitchTo(old);
	return agg;
}

/* Return the 0-based input column, or -1 for count(*). */
int
ColumnarAggColumn(const ColumnarAgg *agg)
{
	return agg->col;
}

/*
 * Return how many columns the aggregate's argument expression reads, and
 * them (0-based) in *cols; 0 when its argument is a column or none (see
 * ColumnarAggColumn).  Their vectors go to ColumnarAggAddInputs.
 */
int
ColumnarAggInputs(const ColumnarAgg *agg, const int **cols)
{
	*cols = NULL;
	return agg->expr ? ColumnarNumExprInputs(agg->expr, cols) : 0;
}

/* Return the vector forms (COLUMNAR_ACCEPT_*) the aggregate takes. */
int
ColumnarAggAccept(const ColumnarAgg *agg)
{
	switch (agg->value)
	{
		case AV_NUMERIC:
			return COLUMNAR_ACCEPT_DICT | COLUMNAR_ACCEPT_SCALED;
		case AV_NONE:
			return COLUMNAR_ACCEPT_DICT | COLUMNAR_ACCEPT_SCALED;
		default:
			return COLUMNAR_ACCEPT_DICT;
	}
}

/* Return the FILTER's program, or NULL. */
ColumnarQualProgram *
ColumnarAggFilter(const ColumnarAgg *agg)
{
	return agg->filter;
}

/*
 * Make room for the states of groups 0 .. ngroups - 1 (new ones start
 * empty).
 */
void
ColumnarAggGrow(ColumnarAgg *agg, uint32 ngroups)
{
	uint32		cap;

	if (ngroups <= agg->nstates)
		return;
	cap = Max(agg->nstates * 2, 16);
	while (cap < ngroups)
		cap *= 2;
	if (agg->states == NULL)
		agg->states = MemoryContextAllocHuge(agg->cxt, (Size) cap * agg->state_size);
	else
		agg->states = repalloc_huge(agg->states, (Size) cap * agg->state_size);
	memset(agg->states + (Size) agg->nstates * agg->state_size, 0,
		   (Size) (cap - agg->nstates) * agg->state_size);
	agg->nstates = cap;
}

/* ----------------------------------------------------------------
 *		adding rows
 * ----------------------------------------------------------------
 */

/* Return row i of a FLAT or DICT vector of an integer-ordered type or bool. */
static inline int64
int_value(const ColumnarVector *vec, uint32 i)
{
	if (vec->form == COLUMNAR_FORM_DICT)
	{
		i = vec->codes ? vec->codes[i] : 0;
		vec = vec->dict;
	}
	switch (vec->kind)
	{
		case COLUMNAR_KIND_BOOL:
			return ((const bool *) vec->values)[i];
		case COLUMNAR_KIND_INT16:
			return ((const int16 *) vec->values)[i];
		case COLUMNAR_KIND_INT32:
			return ((const int32 *) vec->values)[i];
		default:
			return ((const int64 *) vec->values)[i];
	}
}

/* Return row i of a FLAT or DICT float vector, as a double. */
static inline double
float_value(const ColumnarVector *vec, uint32 i)
{
	if (vec->form == COLUMNAR_FORM_DICT)
	{
		i = vec->codes ? vec->codes[i] : 0;
		vec = vec->dict;
	}
	if (vec->kind == COLUMNAR_KIND_FLOAT4)
		return (double) ((const float4 *) vec->values)[i];
	return ((const float8 *) vec->values)[i];
}

/* Compare two doubles in PostgreSQL's float order (NaN above all). */
static inline int
float_cmp(double a, double b)
{
	if (unlikely(isnan(a)))
		return isnan(b) ? 0 : 1;
	if (unlikely(isnan(b)))
		return -1;
	return a < b ? -1 : (a > b ? 1 : 0);
}

/* Raise PostgreSQL's interval overflow error. */
static void
pg_attribute_noreturn()
interval_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("interval out of range")));
}

/* sum += v, as interval_pl does it (field by field, overflow checked). */
static inline void
interval_add(Interval *sum, const Interval *v)
{
	if (pg_add_s32_overflow(sum->month, v->month, &sum->month) ||
		pg_add_s32_overflow(sum->day, v->day, &sum->day) ||
		pg_add_s64_overflow(sum->time, v->time, &sum->time))
		interval_overflow();
}

/* Move the scaled sum of a numeric state into its numeric extra sum. */
static void spill_numeric(ColumnarAgg *agg, NumericState *st);
static void add_extra_scaled(ColumnarAgg *agg, NumericState *st, int128 v, int scale,
							 int dscale);
static void add_extra(ColumnarAgg *agg, NumericState *st, Datum d);

/*
 * Add n values summing to the scaled integer v (value v / 10^scale), of
 * which dscale_n have the largest display scale dscale, to a numeric
 * state.
 */
static inline void
numeric_add_scaled_n(ColumnarAgg *agg, NumericState *st, int128 v, int64 n, int scale,
					 int dscale, int64 dscale_n)
{
	if (st->n == 0 && st->sum == 0)
		st->scale = scale;
	if (unlikely(scale != st->scale))
	{
		int128		scaled;

		if (scale > st->scale)
		{
			/* the state moves to the larger scale, or its sum to the numeric one */
			if (scale - st->scale > 30 ||
				__builtin_mul_overflow(st->sum, ColumnarPow10_128(scale - st->scale), &scaled))
				spill_numeric(agg, st);
			else
				st->sum = scaled;
			st->scale = scale;
		}
		else if (st->scale - scale > 30 ||
				 __builtin_mul_overflow(v, ColumnarPow10_128(st->scale - scale), &scaled))
		{
			/* too large at the state's scale: into the numeric sum */
			add_extra_scaled(agg, st, v, scale, Min(dscale, scale));
			goto counted;
		}
		else
			v = scaled;
	}
	if (unlikely(__builtin_add_overflow(st->sum, v, &st->sum)))
	{
		spill_numeric(agg, st);
		st->sum = v;
	}
counted:
	st->n += n;
	if (dscale > st->maxdscale)
	{
		st->maxdscale = dscale;
		st->maxdscale_count = dscale_n;
	}
	else if (dscale == st->maxdscale)
		st->maxdscale_count += dscale_n;
}

/*
 * Add the scaled integer x (value x / 10^scale, display scale dscale) to
 * a numeric state.
 */
static inline void
numeric_add_scaled(ColumnarAgg *agg, NumericState *st, int64 x, int scale, int dscale)
{
	numeric_add_scaled_n(agg, st, x, 1, scale, dscale, 1);
}

/*
 * Add the rows sel[0 .. nsel - 1] of a SCALED vector to one numeric state:
 * summed in a local 128-bit integer (a window's 2,048 64-bit values cannot
 * overflow it), then added once.
 */
static void
numeric_add_scaled_window(ColumnarAgg *agg, NumericState *st, const ColumnarVector *vec,
						  const uint32 *sel, uint32 nsel)
{
	int128		acc = 0;
	int64		n = 0;
	int			maxd = -1;
	int64		maxd_n = 0;

	if (vec->validity == NULL && vec->dscales == NULL)
	{
		for (uint32 k = 0; k < nsel; k++)
			acc += vec->scaled[sel[k]];
		n = nsel;
		maxd = vec->dscale;
		maxd_n = nsel;
	}
	else
		for (uint32 k = 0; k < nsel; k++)
		{
			uint32		i = sel[k];
			int			d;

			if (!COLUMNAR_VALID(vec, i))
				continue;
			acc += vec->scaled[i];
			n++;
			d = vec->dscales ? vec->dscales[i] : vec->dscale;
			if (d > maxd)
			{
				maxd = d;
				maxd_n = 1;
			}
			else if (d == maxd)
				maxd_n++;
		}
	if (n > 0)
		numeric_add_scaled_n(agg, st, acc, n, vec->scale, maxd, maxd_n);
}

/* Add the numeric d to the extra sum of a numeric state. */
static void
add_extra(ColumnarAgg *agg, NumericState *st, Datum d)
{
	MemoryContext old = MemoryContextSwitchTo(agg->cxt);
	Datum		prev = st->extra;

	st->extra = prev ? DirectFunctionCall2(numeric_add, prev, d) : datumCopy(d, false, -1);
	if (prev)
		pfree(DatumGetPointer(prev));
	MemoryContextSwitchTo(old);
}

/*
 * Add the scaled integer v (value v / 10^scale, display scale dscale) to
 * the extra sum of a numeric state, the numeric made for it freed.
 */
static void
add_extra_scaled(ColumnarAgg *agg, NumericState *st, int128 v, int scale, int dscale)
{
	MemoryContext old = MemoryContextSwitchTo(agg->cxt);
	Datum		d = ColumnarScaledToNumeric(v, scale, dscale);

	MemoryContextSwitchTo(old);
	add_extra(agg, st, d);
	pfree(DatumGetPointer(d));
}

/*
 * Move the scaled sum of a numeric state into its extra sum (the scaled
 * sum would overflow); the digits below the largest display scale seen so
 * far are zeros, so the part keeps that many.
 */
static void
spill_numeric(ColumnarAgg *agg, NumericState *st)
{
	add_extra_scaled(agg, st, st->sum, st->scale, Min(st->maxdscale, st->scale));
	st->sum = 0;
}

/* Return a numeric zero, made once per backend. */
static Datum
numeric_zero(void)
{
	static Datum zero = (Datum) 0;

	if (zero == (Datum) 0)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		zero = NumericGetDatum(int64_to_numeric(0));
		MemoryContextSwitchTo(old);
	}
	return zero;
}

/* Add a non-NULL numeric Datum of a FLAT vector to a numeric state. */
static void
numeric_add_datum(ColumnarAgg *agg, NumericState *st, Datum d)
{
	Numeric		num = DatumGetNumeric(d);
	int			dscale;

	if (numeric_is_nan(num))
	{
		st->nan++;
		return;
	}
	if (numeric_is_inf(num))
	{
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, d, numeric_zero())) > 0)
			st->pinf++;
		else
			st->ninf++;
		return;
	}
	dscale = DatumGetInt32(DirectFunctionCall1(numeric_scale, d));
	add_extra(agg, st, d);
	st->n++;
	if (dscale > st->maxdscale)
	{
		st->maxdscale = dscale;
		st->maxdscale_count = 1;
	}
	else if (dscale == st->maxdscale)
		st->maxdscale_count++;
}

/* Return the Datum of row i of a vector of the aggregate's input. */
static inline Datum
row_datum(const ColumnarAgg *agg, const ColumnarVector *vec, uint32 i, char *buf)
{
	if (vec->form == COLUMNAR_FORM_SCALED)
	{
		ColumnarScaledNumeric(buf, vec->scaled[i], vec->scale,
							  vec->dscales ? vec->dscales[i] : vec->dscale);
		return PointerGetDatum(buf);
	}
	return ColumnarVectorDatum(vec, i, agg->typbyval);
}

/*
 * Replace a by-reference min/max state by value d when it is better (or
 * equal and ties take the new value).
 */
static void
minmax_datum(ColumnarAgg *agg, MinMaxState *st, Datum d)
{
	MemoryContext old;

	if (st->set)
	{
		int			c = DatumGetInt32(FunctionCall2Coll(&agg->cmp, agg->collation,
														d, st->datum));

		if (agg->op == AOP_MAX)
			c = -c;
		if (c > 0 || (c == 0 && !agg->ties_take_new))
			return;
		pfree(DatumGetPointer(st->datum));
	}
	old = MemoryContextSwitchTo(agg->cxt);
	st->datum = datumCopy(d, agg->typbyval, agg->typlen);
	MemoryContextSwitchTo(old);
	st->set = true;
}

/* Return the collation order ranks of the entries of a DICT vector. */
static const uint32 *
dict_ranks(ColumnarAgg *agg, const ColumnarVector *vec);

/*
 * Return whether an aggregate can take a whole row group from its catalog
 * entry (ColumnarAggAddChunkMeta): count(*), count(x), and min/max of a
 * type whose equal values are identical (integers, dates, times and
 * timestamps; text and varchar under a deterministic collation; not
 * numeric, floats or intervals, where 1.0 and 1.00, 0 and -0, or 1 day and
 * 24 hours are equal but print apart), without FILTER.
 */
static bool
from_catalog_possible(AggOp op, AggValue value, Oid argtype, Oid collation, bool filter)
{
	if (filter)
		return false;
	switch (op)
	{
		case AOP_COUNT_STAR:
		case AOP_COUNT:
			return true;
		case AOP_MIN:
		case AOP_MAX:
			if (value == AV_INT)
				return true;
			return value == AV_DATUM && (argtype == TEXTOID || argtype == VARCHAROID) &&
				OidIsValid(collation) && get_collation_isdeterministic(collation);
		default:
			return false;
	}
}

/* The same for an aggregate being made (ColumnarAggCreate). */
bool
ColumnarAggFromCatalogPossible(const ColumnarAgg *agg)
{
	return from_catalog_possible(agg->op, agg->value, agg->argtype, agg->collation,
								 agg->filter != NULL);
}

/*
 * The same for a supported Aggref (ColumnarAggSupported), for the planner's
 * costs.
 */
bool
ColumnarAggrefFromCatalog(Aggref *aggref)
{
	AggOp		op;
	AggValue	value;
	Var		   *var = arg_column(aggref);

	if (aggref->aggdistinct != NIL || !classify(aggref->aggfnoid, &op, &value))
		return false;
	if (op != AOP_COUNT_STAR && var == NULL)
		return false;
	return from_catalog_possible(op, value, var ? getBaseType(var->vartype) : InvalidOid,
								 aggref->inputcollid, aggref->aggfilter != NULL);
}

/*
 * Add a stored row group of nrows rows to group 0 from the catalog entry
 * of the aggregate's input column's chunk (NULL for count(*), or when the
 * row group has no such column), or return false, adding nothing, when the
 * entry does not say enough: no chunk, a value too long for its zone map,
 * bounds under another collation.  With check_only, only say.
 */
bool
ColumnarAggAddChunkMeta(ColumnarAgg *agg, Form_pg_attribute att, const ColumnarChunkMeta *chunk,
						uint64 nrows, bool check_only)
{
	const char *image;
	uint32		len;
	Datum		value;
	ColumnarVector *vec;
	uint32		sel = 0;

	Assert(ColumnarAggFromCatalogPossible(agg));
	if (agg->op == AOP_COUNT_STAR)
	{
		if (!check_only)
			((CountState *) STATE(agg, 0))->n += nrows;
		return true;
	}
	if (chunk == NULL || chunk->null_count > nrows)
		return false;
	if (agg->op == AOP_COUNT)
	{
		if (!check_only)
			((CountState *) STATE(agg, 0))->n += nrows - chunk->null_count;
		return true;
	}
	if (chunk->null_count == nrows)
		return true;			/* no value: min/max stay as they are */
	image = agg->op == AOP_MIN ? chunk->min : chunk->max;
	len = agg->op == AOP_MIN ? chunk->min_len : chunk->max_len;
	if (agg->value == AV_DATUM && chunk->collation != agg->collation)
		return false;
	if (!ColumnarBoundDatum(image, len, att->attlen, att->attbyval, &value))
		return false;
	if (check_only)
		return true;
	vec = ColumnarVectorConstant(att, value, false, 1);
	ColumnarAggAdd(agg, vec, &sel, 1, NULL);
	return true;
}

/* row k's group, whether row i of vec is not NULL (in the functions below) */
#define GROUP(k) (gids ? gids[k] : 0)
#define VALID(i) (vec->validity == NULL || COLUMNAR_VALID(vec, (i)))

/*
 * count(DISTINCT): add the values of rows sel[0 .. nsel - 1] of vec to the
 * groups gids[0 .. nsel - 1] (NULL: group 0), counting the ones new to
 * their group; without groups, the entries of a DICT vector are added
 * once each.
 */
static void
add_distinct(ColumnarAgg *agg, const ColumnarVector *vec, const uint32 *sel, uint32 nsel,
			 const uint32 *gids)
{
	char		buf[COLUMNAR_SCALED_NUMERIC_MAX];

	if (gids == NULL && vec->form == COLUMNAR_FORM_DICT && vec->codes != NULL &&
		vec->dict->nrows <= 4 * (uint64) nsel)
	{
		uint32		nentries = vec->dict->nrows;
		bool	   *seen = palloc0(Max(nentries, 1));

		for (uint32 k = 0; k < nsel; k++)
			if (VALID(sel[k]))
				seen[vec->codes[sel[k]]] = true;
		for (uint32 e = 0; e < nentries; e++)
			if (seen[e] &&
				ColumnarDistinctAdd(agg->distinct, 0,
									ColumnarVectorDatum(vec->dict, e, agg->typbyval)))
				((CountState *) STATE(agg, 0))->n++;
		pfree(seen);
		return;
	}
	for (uint32 k = 0; k < nsel; k++)
		if (VALID(sel[k]) &&
			ColumnarDistinctAdd(agg->distinct, GROUP(k), row_datum(agg, vec, sel[k], buf)))
			((CountState *) STATE(agg, GROUP(k)))->n++;
}

/*
 * Add rows sel[0 .. nsel - 1] of the window views inputs of the columns
 * of the aggregate's argument expression (ColumnarAggInputs) to the groups
 * gids[0 .. nsel - 1] (NULL: group 0).
 */
void
ColumnarAggAddInputs(ColumnarAgg *agg, ColumnarVector **inputs, const uint32 *sel,
					 uint32 nsel, const uint32 *gids)
{
	const int64 *xs;
	const uint8 *states;
	const int16 *dscales;
	int			scale;

	Assert(agg->expr != NULL && agg->value == AV_NUMERIC);
	ColumnarNumExprEvalWindow(agg->expr, inputs, sel, nsel, &xs, &states, &dscales, &scale);
	for (uint32 k = 0; k < nsel; k++)
	{
		NumericState *st = STATE(agg, gids ? gids[k] : 0);

		if (likely(states[k] == COLUMNAR_NUM_SCALED))
			numeric_add_scaled(agg, st, xs[k], scale, dscales[k]);
		else if (states[k] == COLUMNAR_NUM_DATUM)
		{
			/* computed on numeric Datums in scratch memory, added, forgotten */
			MemoryContext old = MemoryContextSwitchTo(agg->scratch);
			bool		isnull;
			Datum		d = ColumnarNumExprDatum(agg->expr, inputs, sel[k], &isnull);

			if (!isnull)
				numeric_add_datum(agg, st, d);
			MemoryContextSwitchTo(old);
			MemoryContextReset(agg->scratch);
		}
	}
}

/*
 * Add rows sel[0 .. nsel - 1] of the window view vec of the input column
 * (NULL for count(*)) to the groups gids[0 .. nsel - 1] (NULL: group 0).
 * The groups must have states (ColumnarAggGrow).
 */
void
ColumnarAggAdd(ColumnarAgg *agg, const ColumnarVector *vec, const uint32 *sel,
			   uint32 nsel, const uint32 *gids)
{
	char		buf[COLUMNAR_SCALED_NUMERIC_MAX];


	if (agg->op == AOP_COUNT_STAR)
	{
		if (gids == NULL)
			((CountState *) STATE(agg, 0))->n += nsel;
		else
			for (uint32 k = 0; k < nsel; k++)
				((CountState *) STATE(agg, gids[k]))->n++;
		return;
	}
	if (agg->op == AOP_COUNT)
	{
		for (uint32 k = 0; k < nsel; k++)
			if (VALID(sel[k]))
				((CountState *) STATE(agg, GROUP(k)))->n++;
		return;
	}
	if (agg->op == AOP_COUNT_DISTINCT)
	{
		add_distinct(agg, vec, sel, nsel, gids);
		return;
	}

	if (agg->op == AOP_MIN || agg->op == AOP_MAX)
	{
		bool		is_min = agg->op == AOP_MIN;

		switch (agg->value)
		{
			case AV_INT:
				for (uint32 k = 0; k < nsel; k++)
				{
					MinMaxState *st;
					int64		v;

					if (!VALID(sel[k]))
						continue;
					st = STATE(agg, GROUP(k));
					v = int_value(vec, sel[k]);
					if (!st->set || (is_min ? v < st->i : v > st->i))
					{
						st->i = v;
						st->set = true;
					}
				}
				return;
			case AV_FLOAT4:
			case AV_FLOAT8:
				for (uint32 k = 0; k < nsel; k++)
				{
					MinMaxState *st;
					double		v;
					int			c;

					if (!VALID(sel[k]))
						continue;
					st = STATE(agg, GROUP(k));
					v = float_value(vec, sel[k]);
					/* float4/8 smaller and larger take the new value on ties */
					c = st->set ? float_cmp(v, st->d) : 0;
					if (!st->set || (is_min ? c <= 0 : c >= 0))
					{
						st->d = v;
						st->set = true;
					}
				}
				return;
			default:
				break;
		}

		/*
		 * By reference (text, bpchar, interval, numeric): on a DICT vector
		 * the best row per group in this window is found by the entries'
		 * ranks, then compared once with the group's state.
		 */
		if (vec->form == COLUMNAR_FORM_DICT && vec->codes != NULL &&
			(gids == NULL || agg->nstates <= 4 * (uint64) nsel))
		{
			const uint32 *ranks = dict_ranks(agg, vec);
			uint32	   *best = palloc(sizeof(uint32) * nsel);
			uint32	   *best_of = NULL;
			uint32		ncand = 0;
			uint32		maxg = 0;

			for (uint32 k = 0; k < nsel; k++)
				maxg = Max(maxg, GROUP(k));
			best_of = palloc(sizeof(uint32) * (maxg + 1));
			memset(best_of, 0xFF, sizeof(uint32) * (maxg + 1));
			for (uint32 k = 0; k < nsel; k++)
			{
				uint32		g = GROUP(k);
				uint32		i = sel[k];
				uint32		b;

				if (!VALID(i))
					continue;
				b = best_of[g];
				if (b == PG_UINT32_MAX)
				{
					best_of[g] = ncand;
					best[ncand++] = i;
				}
				else
				{
					uint32		rb = ranks[vec->codes[best[b]]];
					uint32		ri = ranks[vec->codes[i]];

					if (is_min ? (ri < rb || (ri == rb && agg->ties_take_new)) :
						(ri > rb || (ri == rb && agg->ties_take_new)))
						best[b] = i;
				}
			}
			for (uint32 g = 0; g <= maxg; g++)
				if (best_of[g] != PG_UINT32_MAX)
					minmax_datum(agg, STATE(agg, g),
								 row_datum(agg, vec, best[best_of[g]], buf));
			pfree(best);
			pfree(best_of);
			return;
		}
		for (uint32 k = 0; k < nsel; k++)
			if (VALID(sel[k]))
				minmax_datum(agg, STATE(agg, GROUP(k)), row_datum(agg, vec, sel[k], buf));
		return;
	}

	if (agg->value == AV_BOOL)
	{
		for (uint32 k = 0; k < nsel; k++)
		{
			MinMaxState *st;
			bool		v;

			if (!VALID(sel[k]))
				continue;
			st = STATE(agg, GROUP(k));
			v = int_value(vec, sel[k]) != 0;
			if (!st->set)
				st->i = v;
			else if (agg->op == AOP_BOOL_AND)
				st->i = st->i && v;
			else
				st->i = st->i || v;
			st->set = true;
		}
		return;
	}

	/* sums and averages */
	switch (agg->value)
	{
		case AV_INT:
			if (agg->argtype == INT8OID)
			{
				for (uint32 k = 0; k < nsel; k++)
				{
					WideSumState *st;

					if (!VALID(sel[k]))
						continue;
					st = STATE(agg, GROUP(k));
					st->sum += int_value(vec, sel[k]);
					st->n++;
				}
			}
			else if (gids == NULL && vec->form == COLUMNAR_FORM_FLAT && vec->validity == NULL)
			{
				IntSumState *st = STATE(agg, 0);
				int64		s = 0;

				if (vec->kind == COLUMNAR_KIND_INT32)
					for (uint32 k = 0; k < nsel; k++)
						s += ((const int32 *) vec->values)[sel[k]];
				else
					for (uint32 k = 0; k < nsel; k++)
						s += int_value(vec, sel[k]);
				st->sum += s;
				st->n += nsel;
			}
			else
			{
				for (uint32 k = 0; k < nsel; k++)
				{
					IntSumState *st;

					if (!VALID(sel[k]))
						continue;
					st = STATE(agg, GROUP(k));
					st->sum += int_value(vec, sel[k]);
					st->n++;
				}
			}
			return;
		case AV_FLOAT4:
		case AV_FLOAT8:
			for (uint32 k = 0; k < nsel; k++)
			{
				FloatState *st;
				double		v;

				if (!VALID(sel[k]))
					continue;
				st = STATE(agg, GROUP(k));
				v = float_value(vec, sel[k]);
				if (agg->op == AOP_SUM)
				{
					/* float4pl / float8pl, with their overflow errors */
					if (agg->value == AV_FLOAT4)
						st->f4 = st->n == 0 ? (float4) v : float4_pl(st->f4, (float4) v);
					else
						st->sx = st->n == 0 ? v : float8_pl(st->sx, v);
					st->n++;
				}
				else
				{
					/* float8_accum: the Youngs-Cramer algorithm */
					double		oldn = (double) st->n;
					double		oldsx = st->sx;
					double		n = oldn + 1.0;

					st->sx += v;
					if (oldn > 0.0)
					{
						double		tmp = v * n - st->sx;

						st->sxx += tmp * tmp / (n * oldn);
						if (isinf(st->sx) || isinf(st->sxx))
						{
							if (!isinf(oldsx) && !isinf(v))
								float_overflow_error();
							st->sxx = get_float8_nan();
						}
					}
					else if (isnan(v) || isinf(v))
						st->sxx = get_float8_nan();
					st->n++;
				}
			}
			return;
		case AV_NUMERIC:
			if (vec->form == COLUMNAR_FORM_SCALED && gids == NULL)
				numeric_add_scaled_window(agg, STATE(agg, 0), vec, sel, nsel);
			else if (vec->form == COLUMNAR_FORM_SCALED)
			{
				for (uint32 k = 0; k < nsel; k++)
				{
					uint32		i = sel[k];

					if (!VALID(i))
						continue;
					numeric_add_scaled(agg, STATE(agg, GROUP(k)), vec->scaled[i], vec->scale,
									   vec->dscales ? vec->dscales[i] : vec->dscale);
				}
			}
			else
			{
				for (uint32 k = 0; k < nsel; k++)
					if (VALID(sel[k]))
						numeric_add_datum(agg, STATE(agg, GROUP(k)),
										  ColumnarVectorDatum(vec, sel[k], false));
			}
			return;
		case AV_INTERVAL:
			for (uint32 k = 0; k < nsel; k++)
			{
				IntervalState *st;

				if (!VALID(sel[k]))
					continue;
				st = STATE(agg, GROUP(k));
				interval_add(&st->sum,
							 (const Interval *) DatumGetPointer(ColumnarVectorDatum(vec, sel[k], false)));
				st->n++;
			}
			return;
		default:
			elog(ERROR, "unexpected columnar aggregate");
	}
#undef GROUP
#undef VALID
}

/* the comparator of dict_ranks' sort */
typedef struct RankSort
{
	ColumnarAgg *agg;
	const ColumnarVector *dict;
} RankSort;

static int
rank_cmp(const void *a, const void *b, void *arg)
{
	RankSort   *rs = arg;
	uint32		ea = *(const uint32 *) a;
	uint32		eb = *(const uint32 *) b;

	return DatumGetInt32(FunctionCall2Coll(&rs->agg->cmp, rs->agg->collation,
										   ColumnarVectorDatum(rs->dict, ea, rs->agg->typbyval),
										   ColumnarVectorDatum(rs->dict, eb, rs->agg->typbyval)));
}

static const uint32 *
dict_ranks(ColumnarAgg *agg, const ColumnarVector *vec)
{
	const ColumnarVector *dict = vec->dict;
	uint32	   *order;
	RankSort	rs;

	if (agg->rank_dict == dict && agg->rank_serial == vec->dict_serial)
		return agg->ranks;
	if (agg->rank_cap < dict->nrows)
	{
		if (agg->ranks)
			pfree(agg->ranks);
		agg->rank_cap = Max(dict->nrows, 64);
		agg->ranks = MemoryContextAlloc(agg->cxt, sizeof(uint32) * agg->rank_cap);
	}
	order = palloc(sizeof(uint32) * dict->nrows);
	for (uint32 e = 0; e < dict->nrows; e++)
		order[e] = e;
	rs.agg = agg;
	rs.dict = dict;
	qsort_arg(order, dict->nrows, sizeof(uint32), rank_cmp, &rs);
	/* entries equal under the collation share a rank */
	for (uint32 r = 0, rank = 0; r < dict->nrows; r++)
	{
		if (r > 0 && rank_cmp(&order[r - 1], &order[r], &rs) != 0)
			rank = r;
		agg->ranks[order[r]] = rank;
	}
	pfree(order);
	agg->rank_dict = dict;
	agg->rank_serial = vec->dict_serial;
	return agg->ranks;
}

/* ----------------------------------------------------------------
 *		results
 * ----------------------------------------------------------------
 */

/* Return the numeric sum of a numeric state (it has finite inputs). */
static Datum
numeric_state_sum(const NumericState *st)
{
	Datum		part = ColumnarScaledToNumeric(st->sum, st->scale,
										 Min(st->maxdscale, st->scale));

	/*
	 * numeric_add gives the larger display scale of the two, and each part
	 * has the largest of its inputs': so the sum has the largest of all.
	 */
	if (st->extra)
		part = DirectFunctionCall2(numeric_add, st->extra, part);
	return part;
}

/* Return NaN, +Infinity or -Infinity for a state with special inputs. */
static Datum
numeric_special(const NumericState *st)
{
	const char *s = st->nan > 0 || (st->pinf > 0 && st->ninf > 0) ? "NaN" :
		st->pinf > 0 ? "Infinity" : "-Infinity";

	return DirectFunctionCall3(numeric_in, CStringGetDatum(s),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* Return a one-dimensional array of n int8s or float8s. */
static Datum
array_of(Oid elemtype, const Datum *elems, int n)
{
	return PointerGetDatum(construct_array((Datum *) elems, n, elemtype, 8,
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* Return the value of a min/max state as a Datum of the aggregate's type. */
static Datum
minmax_result(const ColumnarAgg *agg, const MinMaxState *st)
{
	switch (agg->value)
	{
		case AV_INT:
			switch (agg->argtype)
			{
				case INT2OID:
					return Int16GetDatum((int16) st->i);
				case INT4OID:
				case DATEOID:
					return Int32GetDatum((int32) st->i);
				default:
					return Int64GetDatum(st->i);
			}
		case AV_FLOAT4:
			return Float4GetDatum((float4) st->d);
		case AV_FLOAT8:
			return Float8GetDatum(st->d);
		default:
			return st->datum;
	}
}

/*
 * Return the result of the aggregate for a group: its final value, or in
 * partial mode its transition state as PostgreSQL's partial aggregation
 * would emit it.  Groups that got no input give NULL where PostgreSQL does.
 */
Datum
ColumnarAggResult(ColumnarAgg *agg, uint32 group, bool *isnull)
{
	void	   *state;

	*isnull = false;
	ColumnarAggGrow(agg, group + 1);
	state = STATE(agg, group);

	if (agg->op == AOP_COUNT_STAR || agg->op == AOP_COUNT || agg->op == AOP_COUNT_DISTINCT)
		return Int64GetDatum(((CountState *) state)->n);

	if (agg->op == AOP_MIN || agg->op == AOP_MAX || agg->value == AV_BOOL)
	{
		MinMaxState *st = state;

		if (!st->set)
		{
			*isnull = true;
			return (Datum) 0;
		}
		if (agg->value == AV_BOOL)
			return BoolGetDatum(st->i != 0);
		return minmax_result(agg, st);
	}

	switch (agg->value)
	{
		case AV_INT:
			if (agg->argtype == INT8OID)
			{
				WideSumState *st = state;
				char		text[48];
				Datum		sum;

				if (agg->partial)
				{
					/* int8_avg_accum's state, serialized; none without input */
					if (st->n == 0)
					{
						*isnull = true;
						return (Datum) 0;
					}
					return PointerGetDatum(ColumnarSerialInt8Avg(st->n, st->sum));
				}
				if (st->n == 0)
				{
					*isnull = true;
					return (Datum) 0;
				}
				sum = DirectFunctionCall3(numeric_in, CStringGetDatum(ColumnarInt128Text(st->sum, text)),
										  ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
				if (agg->op == AOP_SUM)
					return sum;
				return DirectFunctionCall2(numeric_div, sum,
										   NumericGetDatum(int64_to_numeric(st->n)));
			}
			else
			{
				IntSumState *st = state;

				if (agg->op == AOP_SUM)
				{
					if (st->n == 0)
					{
						*isnull = true;
						return (Datum) 0;
					}
					return Int64GetDatum(st->sum);
				}
				if (agg->partial)
				{
					/* int2/int4_avg_accum's state: int8[] {count, sum} */
					Datum		elems[2];

					elems[0] = Int64GetDatum(st->n);
					elems[1] = Int64GetDatum(st->sum);
					return array_of(INT8OID, elems, 2);
				}
				if (st->n == 0)
				{
					*isnull = true;
					return (Datum) 0;
				}
				return DirectFunctionCall2(numeric_div,
										   NumericGetDatum(int64_to_numeric(st->sum)),
										   NumericGetDatum(int64_to_numeric(st->n)));
			}
		case AV_FLOAT4:
		case AV_FLOAT8:
			{
				FloatState *st = state;

				if (agg->op == AOP_SUM)
				{
					if (st->n == 0)
					{
						*isnull = true;
						return (Datum) 0;
					}
					return agg->value == AV_FLOAT4 ? Float4GetDatum(st->f4) : Float8GetDatum(st->sx);
				}
				if (agg->partial)
				{
					/* float8_accum's state: float8[] {N, Sx, Sxx} */
					Datum		elems[3];

					elems[0] = Float8GetDatum((double) st->n);
					elems[1] = Float8GetDatum(st->sx);
					elems[2] = Float8GetDatum(st->sxx);
					return array_of(FLOAT8OID, elems, 3);
				}
				if (st->n == 0)
				{
					*isnull = true;
					return (Datum) 0;
				}
				return Float8GetDatum(st->sx / (double) st->n);
			}
		case AV_NUMERIC:
			{
				NumericState *st = state;

				if (agg->partial)
				{
					/* numeric_avg_accum's state, serialized; none without input */
					if (st->n + st->nan + st->pinf + st->ninf == 0)
					{
						*isnull = true;
						return (Datum) 0;
					}
					return PointerGetDatum(ColumnarSerialNumericAvg(st->n,
																	st->n > 0 ? numeric_state_sum(st) :
																	NumericGetDatum(int64_to_numeric(0)),
																	st->maxdscale, st->maxdscale_count,
																	st->nan, st->pinf, st->ninf));
				}
				if (st->n + st->nan + st->pinf + st->ninf == 0)
				{
					*isnull = true;
					return (Datum) 0;
				}
				if (st->nan + st->pinf + st->ninf > 0)
					return numeric_special(st);
				if (agg->op == AOP_SUM)
					return numeric_state_sum(st);
				return DirectFunctionCall2(numeric_div, numeric_state_sum(st),
										   NumericGetDatum(int64_to_numeric(st->n)));
			}
		case AV_INTERVAL:
			{
				IntervalState *st = state;
				Interval   *sum = palloc(sizeof(Interval));

				*sum = st->sum;
				if (agg->op == AOP_SUM)
				{
					if (st->n == 0)
					{
						*isnull = true;
						return (Datum) 0;
					}
					return IntervalPGetDatum(sum);
				}
				if (agg->partial)
				{
					/* interval_accum's state: interval[] {sum, count in time} */
					Interval   *count = palloc0(sizeof(Interval));
					Datum		elems[2];

					count->time = st->n;
					elems[0] = IntervalPGetDatum(sum);
					elems[1] = IntervalPGetDatum(count);
					return PointerGetDatum(construct_array(elems, 2, INTERVALOID,
														   sizeof(Interval), false,
														   TYPALIGN_DOUBLE));
				}
				if (st->n == 0)
				{
					*isnull = true;
					return (Datum) 0;
				}
				return DirectFunctionCall2(interval_div, IntervalPGetDatum(sum),
										   Float8GetDatum((double) st->n));
			}
		default:
			elog(ERROR, "unexpected columnar aggregate");
	}
	return (Datum) 0;
}
