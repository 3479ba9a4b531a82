/*-------------------------------------------------------------------------
 *
 * columnar_agg_distinct.h
 *	  The distinct values of one column per group, for count(DISTINCT x)
 *	  computed on column vectors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_AGG_DISTINCT_H
#define COLUMNAR_AGG_DISTINCT_H

#include "fmgr.h"

typedef struct ColumnarDistinctSet ColumnarDistinctSet;

extern bool ColumnarDistinctSupported(Oid typid);
extern ColumnarDistinctSet *ColumnarDistinctCreate(Oid typid, Oid collation, int16 typlen,
												   bool typbyval, MemoryContext cxt);
extern bool ColumnarDistinctAdd(ColumnarDistinctSet *set, uint32 group, Datum value);

#endif							/* COLUMNAR_AGG_DISTINCT_H */
