/*-------------------------------------------------------------------------
 *
 * columnar_reader.h
 *	  Reading columnar tables: the row groups a snapshot sees (stored ones
 *	  and this backend's buffered ones), decoded into vectors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_READER_H
#define COLUMNAR_READER_H

#include "access/sdir.h"
#include "executor/tuptable.h"
#include "nodes/bitmapset.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

#include "columnar_catalog.h"
#include "columnar_parallel.h"
#include "columnar_vector.h"

/* Says whether a stored row group can be left out of a read */
typedef bool (*ColumnarSkipFn) (ColumnarRowGroupMeta *meta, void *arg);

typedef struct ColumnarReadState ColumnarReadState;

extern ColumnarReadState *ColumnarBeginRead(Relation rel, Snapshot snapshot,
											TupleDesc tupdesc, bool project,
											Bitmapset *needed);
extern void ColumnarReadSetSkip(ColumnarReadState *state, ColumnarSkipFn fn, void *arg);
extern void ColumnarReadSetParallel(ColumnarReadState *state,
									ColumnarParallelScan *shared, bool leader);
extern void ColumnarReadCounts(ColumnarReadState *state, int64 *read, int64 *skipped);
extern bool ColumnarReadNextRow(ColumnarReadState *state, ScanDirection dir,
								TupleTableSlot *slot);
extern bool ColumnarReadNextGroup(ColumnarReadState *state, uint64 *first_row,
								  uint32 *nrows);
extern ColumnarVector *ColumnarReadColumnRange(ColumnarReadState *state, int col,
											   uint32 start, uint32 n, int accept,
											   ColumnarVector *view);
extern ColumnarVector *ColumnarReadColumnRows(ColumnarReadState *state, int col,
											  uint32 start, uint32 n,
											  const uint32 *sel, uint32 nsel,
											  ColumnarVector *out, bool *gathered);
extern bool ColumnarReadRangeZoneMap(ColumnarReadState *state, Bitmapset *cols,
									 uint32 start, uint32 n,
									 ColumnarRowGroupMeta *meta);
extern const ColumnarRowGroupMeta *ColumnarReadGroupMeta(ColumnarReadState *state);
extern void ColumnarRescan(ColumnarReadState *state);
extern void ColumnarEndRead(ColumnarReadState *state);
extern bool ColumnarReadRowGroupByBlock(ColumnarReadState *state,
										BlockNumber block);
extern bool ColumnarReadBlockNextRow(ColumnarReadState *state,
									 TupleTableSlot *slot);
extern bool ColumnarFetchRow(Relation rel, uint64 rownum, Snapshot snapshot,
							 TupleTableSlot *slot);
extern ColumnarBatch *ColumnarLoadRowGroup(Relation rel,
										   ColumnarRowGroupMeta *meta,
										   TupleDesc tupdesc, bool all,
										   Bitmapset *needed,
										   MemoryContext cxt);
extern uint64 ColumnarTotalRows(Relation rel, Snapshot snapshot);

struct ColumnarChunkLayout;
extern void ColumnarReadLayout(Relation rel, ColumnarRowGroupMeta *meta, int i,
							   BlockNumber nblocks, struct ColumnarChunkLayout *layout);
extern char *ColumnarReadStoredSegmentImage(Relation rel,
											ColumnarRowGroupMeta *meta, int i,
											const struct ColumnarChunkLayout *layout,
											uint32 s, BlockNumber nblocks, Size *len);
extern ColumnarVector *ColumnarDecodeStoredSegment(Relation rel,
												   ColumnarRowGroupMeta *meta, int i,
												   Form_pg_attribute att,
												   const struct ColumnarChunkLayout *layout,
												   uint32 s, BlockNumber nblocks);

#endif							/* COLUMNAR_READER_H */
