/*-------------------------------------------------------------------------
 *
 * columnar_agg_group.h
 *	  Grouping rows of column vectors by up to COLUMNAR_MAX_GROUP_KEYS key
 *	  columns into dense group numbers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_AGG_GROUP_H
#define COLUMNAR_AGG_GROUP_H

#include "access/tupdesc.h"

#include "columnar_vector.h"

#define COLUMNAR_MAX_GROUP_KEYS	4

typedef struct ColumnarGrouper ColumnarGrouper;

extern bool ColumnarGroupKeySupported(Oid typid, Oid collation);
extern ColumnarGrouper *ColumnarGrouperCreate(TupleDesc desc, int nkeys,
											  const int *cols, const Oid *collations,
											  MemoryContext cxt);
extern void ColumnarGrouperAssign(ColumnarGrouper *g, ColumnarVector **keys,
								  const uint32 *sel, uint32 nsel, uint32 *gids);
extern uint32 ColumnarGrouperCount(const ColumnarGrouper *g);
extern Size ColumnarGrouperMemory(const ColumnarGrouper *g);
extern const char *ColumnarGrouperStrategy(const ColumnarGrouper *g);
extern void ColumnarGrouperKey(const ColumnarGrouper *g, uint32 group, int key,
							   Datum *value, bool *isnull);

#endif							/* COLUMNAR_AGG_GROUP_H */
