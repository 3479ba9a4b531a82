/*-------------------------------------------------------------------------
 *
 * columnar_agg.h
 *	  Aggregates computed on column vectors: which aggregates, their
 *	  per-group accumulators, and their results as PostgreSQL's own final
 *	  values or partial states.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_AGG_H
#define COLUMNAR_AGG_H

#include "nodes/execnodes.h"
#include "nodes/primnodes.h"

#include "columnar_agg_expr.h"
#include "columnar_catalog.h"
#include "columnar_qual.h"
#include "columnar_vector.h"

typedef struct ColumnarAgg ColumnarAgg;

extern bool ColumnarAggSupported(Aggref *aggref, bool partial);
extern ColumnarAgg *ColumnarAggCreate(Aggref *aggref, TupleDesc desc, EState *estate,
									  MemoryContext cxt);
extern int	ColumnarAggColumn(const ColumnarAgg *agg);
extern int	ColumnarAggInputs(const ColumnarAgg *agg, const int **cols);
extern int	ColumnarAggAccept(const ColumnarAgg *agg);
extern ColumnarQualProgram *ColumnarAggFilter(const ColumnarAgg *agg);
extern void ColumnarAggGrow(ColumnarAgg *agg, uint32 ngroups);
extern void ColumnarAggAdd(ColumnarAgg *agg, const ColumnarVector *vec,
						   const uint32 *sel, uint32 nsel, const uint32 *gids);
extern void ColumnarAggAddInputs(ColumnarAgg *agg, ColumnarVector **inputs,
								 const uint32 *sel, uint32 nsel, const uint32 *gids);
extern bool ColumnarAggFromCatalogPossible(const ColumnarAgg *agg);
extern bool ColumnarAggrefFromCatalog(Aggref *aggref);
extern bool ColumnarAggAddChunkMeta(ColumnarAgg *agg, Form_pg_attribute att,
									const ColumnarChunkMeta *chunk, uint64 nrows,
									bool check_only);
extern Datum ColumnarAggResult(ColumnarAgg *agg, uint32 group, bool *isnull);

#endif							/* COLUMNAR_AGG_H */
