/*-------------------------------------------------------------------------
 *
 * columnar_fetch.h
 *	  Fetching rows of a columnar table by TID (index and bitmap scans),
 *	  with a bounded cache of decoded segments.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_FETCH_H
#define COLUMNAR_FETCH_H

#include "executor/tuptable.h"
#include "nodes/bitmapset.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

/* biwh.fetch_cache_size, in kB */
extern int	columnar_fetch_cache_kb;

/* rows a segment serves from its image before it is decoded whole */
#define COLUMNAR_FETCH_DECODE_HITS	8

typedef struct ColumnarFetchState ColumnarFetchState;

extern ColumnarFetchState *ColumnarBeginFetch(Relation rel, bool list_all);
extern void ColumnarResetFetch(ColumnarFetchState *state);
extern void ColumnarEndFetch(ColumnarFetchState *state);
extern bool ColumnarFetch(ColumnarFetchState *state, uint64 rownum,
						  Snapshot snapshot, TupleTableSlot *slot);
extern void ColumnarFetchSetScanColumns(Oid relid, Bitmapset *attrs, bool all);
extern int64 ColumnarFetchDecoded(ColumnarFetchState *state);
extern void ColumnarFetchInit(void);

#endif							/* COLUMNAR_FETCH_H */
