/*-------------------------------------------------------------------------
 *
 * columnar_agg_key.h
 *	  The group keys a ColumnarAgg computes from a column: the column
 *	  itself, date_trunc('second' | 'minute' | 'hour' | 'day', timestamp
 *	  column) and CAST(timestamp column AS date).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_AGG_KEY_H
#define COLUMNAR_AGG_KEY_H

#include "access/tupdesc.h"
#include "nodes/primnodes.h"

#include "columnar_vector.h"

typedef enum ColumnarKeyKind
{
	COLUMNAR_KEY_COLUMN,		/* the column's values */
	COLUMNAR_KEY_TRUNC,			/* timestamp truncated to a multiple of unit */
	COLUMNAR_KEY_DATE			/* timestamp to date */
} ColumnarKeyKind;

typedef struct ColumnarKey
{
	ColumnarKeyKind kind;
	int			col;			/* 0-based column of the table */
	int64		unit;			/* COLUMNAR_KEY_TRUNC: microseconds */
} ColumnarKey;

extern Var *ColumnarColumnOf(Expr *e);
extern Var *ColumnarKeyColumn(Expr *e, Index relid);
extern bool ColumnarKeyAnalyze(Expr *e, Index relid, ColumnarKey *key);
extern ColumnarVector *ColumnarKeyDerive(const ColumnarKey *key, const ColumnarVector *src,
										 Form_pg_attribute result);

#endif							/* COLUMNAR_AGG_KEY_H */
