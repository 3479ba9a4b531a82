/*-------------------------------------------------------------------------
 *
 * columnar_agg_key.c
 *	  The group keys a ColumnarAgg computes from a column of the table
 *	  (columnar_aggscan.c, planned by columnar_planner.c).
 *
 * Besides a column itself, two keys BI tools write for time series are
 * computed on the vectors, without calling the functions per row:
 *
 * - date_trunc('second' | 'minute' | 'hour' | 'day', ts) of a timestamp
 *	 (without time zone) column: the timestamp rounded down to a multiple
 *	 of the unit, which is what PostgreSQL's timestamp_trunc computes for
 *	 these units (timestamps count microseconds without leap seconds;
 *	 ±infinity stay as they are);
 * - CAST(ts AS date) (or ts::date, date(ts)) of a timestamp column: the
 *	 day, rounded down, as timestamp_date computes it (±infinity become the
 *	 infinite dates).
 *
 * Anything else (timestamptz, whose truncation depends on TimeZone, weeks,
 * months, other expressions) is not a key here: the planner leaves such a
 * grouping to PostgreSQL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "nodes/nodeFuncs.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "parser/scansup.h"
#include "utils/lsyscache.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "columnar_agg_key.h"

/*
 * Return the user column of this query level that e is, under
 * binary-compatible relabelings, or NULL.
 */
Var *
ColumnarColumnOf(Expr *e)
{
	while (e != NULL && IsA(e, RelabelType))
		e = ((RelabelType *) e)->arg;
	if (e != NULL && IsA(e, Var) && ((Var *) e)->varattno > 0 &&
		((Var *) e)->varlevelsup == 0)
		return (Var *) e;
	return NULL;
}

/*
 * Return the column of relation relid that e is, under binary-compatible
 * relabelings, or NULL.
 */
Var *
ColumnarKeyColumn(Expr *e, Index relid)
{
	Var		   *var = ColumnarColumnOf(e);

	return var != NULL && var->varno == relid ? var : NULL;
}

/*
 * Return the microseconds of a date_trunc unit we truncate, or 0; the unit
 * is read as timestamp_trunc reads it (DecodeUnits, so "sec", "hrs" and
 * the other spellings it knows are ours too).
 */
static int64
trunc_unit(Expr *e)
{
	Const	   *c = (Const *) e;
	char	   *unit;
	int			val;
	int			type;

	if (!IsA(e, Const) || c->constisnull || c->consttype != TEXTOID)
		return 0;
	unit = downcase_truncate_identifier(TextDatumGetCString(c->constvalue),
										VARSIZE_ANY_EXHDR(DatumGetPointer(c->constvalue)),
										false);
	type = DecodeUnits(0, unit, &val);
	pfree(unit);
	if (type != UNITS)
		return 0;
	switch (val)
	{
		case DTK_SECOND:
			return USECS_PER_SEC;
		case DTK_MINUTE:
			return USECS_PER_MINUTE;
		case DTK_HOUR:
			return USECS_PER_HOUR;
		case DTK_DAY:
			return USECS_PER_DAY;
		default:
			return 0;
	}
}

/*
 * Return whether group key e (of a relation of range table index relid)
 * is one we compute, and what it is in *key.
 */
bool
ColumnarKeyAnalyze(Expr *e, Index relid, ColumnarKey *key)
{
	Var		   *var = ColumnarKeyColumn(e, relid);
	FuncExpr   *f = (FuncExpr *) e;

	memset(key, 0, sizeof(*key));
	if (var != NULL)
	{
		key->kind = COLUMNAR_KEY_COLUMN;
		key->col = var->varattno - 1;
		return true;
	}
	if (!IsA(e, FuncExpr))
		return false;
	if (f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMP && list_length(f->args) == 2)
	{
		var = ColumnarKeyColumn(lsecond(f->args), relid);
		key->kind = COLUMNAR_KEY_TRUNC;
		key->unit = trunc_unit(linitial(f->args));
		if (key->unit == 0)
			return false;
	}
	else if (f->funcid == F_DATE_TIMESTAMP && list_length(f->args) == 1)
	{
		var = ColumnarKeyColumn(linitial(f->args), relid);
		key->kind = COLUMNAR_KEY_DATE;
	}
	if (var == NULL || getBaseType(var->vartype) != TIMESTAMPOID)
		return false;
	key->col = var->varattno - 1;
	return true;
}

/* Round x down to a multiple of unit (> 0). */
static inline int64
floor_multiple(int64 x, int64 unit)
{
	int64		q = x / unit;

	if (x % unit < 0)
		q--;
	return q * unit;
}

/*
 * Return the key vector of key (not a plain column) from src, the rows of
 * its timestamp column, as a FLAT vector of type result (timestamp or
 * date) in CurrentMemoryContext.
 */
ColumnarVector *
ColumnarKeyDerive(const ColumnarKey *key, const ColumnarVector *src, Form_pg_attribute result)
{
	ColumnarVector *out = palloc(sizeof(ColumnarVector));
	uint32		n = src->nrows;

	Assert(key->kind != COLUMNAR_KEY_COLUMN);
	ColumnarVectorInit(out, result, Max(n, 1));
	out->nrows = n;
	out->nnulls = src->nnulls;
	if (src->validity != NULL)
	{
		out->validity = palloc((n + 7) / 8);
		memcpy(out->validity, src->validity, (n + 7) / 8);
	}
	for (uint32 i = 0; i < n; i++)
	{
		Timestamp	ts;

		if (!COLUMNAR_VALID(src, i))
			continue;
		ts = DatumGetTimestamp(ColumnarVectorDatum(src, i, true));
		if (key->kind == COLUMNAR_KEY_TRUNC)
			((int64 *) out->values)[i] =
				TIMESTAMP_NOT_FINITE(ts) ? ts : floor_multiple(ts, key->unit);
		else
		{
			DateADT		d;

			if (TIMESTAMP_IS_NOBEGIN(ts))
				DATE_NOBEGIN(d);
			else if (TIMESTAMP_IS_NOEND(ts))
				DATE_NOEND(d);
			else
				d = (DateADT) (floor_multiple(ts, USECS_PER_DAY) / USECS_PER_DAY);
			((int32 *) out->values)[i] = d;
		}
	}
	return out;
}
