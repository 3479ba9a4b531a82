/*-------------------------------------------------------------------------
 *
 * columnar.h
 *	  Private declarations of the columnar table access method: settings,
 *	  row-group metadata, and the prototypes each columnar_*.c file exports,
 *	  grouped by file.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_H
#define COLUMNAR_H

#include "access/htup_details.h"
#include "access/sdir.h"
#include "access/tableam.h"
#include "access/tupdesc.h"
#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "storage/block.h"
#include "storage/bufpage.h"
#include "storage/itemptr.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/snapshot.h"

#include "columnar_encoding.h"

/* Compression of chunk images, as stored on disk: never renumber */
typedef enum ColumnarCompression
{
	COLUMNAR_COMPRESSION_NONE = 0,
	COLUMNAR_COMPRESSION_ZSTD = 1
} ColumnarCompression;

/* Row numbers per TID block: TIDs look like heap TIDs to the executor */
#define COLUMNAR_ROWS_PER_TID_BLOCK	MaxHeapTuplesPerPage
/* Largest row number a TID can express */
#define COLUMNAR_MAX_ROW_NUMBER \
	((uint64) MaxBlockNumber * COLUMNAR_ROWS_PER_TID_BLOCK)

#define COLUMNAR_MIN_ROW_GROUP_SIZE	1000
#define COLUMNAR_MAX_ROW_GROUP_SIZE	10000000
/* min/max of longer values are not kept */
#define COLUMNAR_MAX_MINMAX_LEN		64

/* Options that govern how a table's row groups are written */
typedef struct ColumnarOptions
{
	ColumnarCompression compression;
	int			compression_level;
	int			row_group_size;
	int			nsortkeys;
	AttrNumber	sortkeys[INDEX_MAX_KEYS];
} ColumnarOptions;

/* One column chunk of a row group, as the catalog describes it */
typedef struct ColumnarChunkMeta
{
	uint64		offset;			/* from the row group's first byte */
	uint64		length;			/* stored bytes, frame included */
	uint64		raw_length;		/* encoded image bytes before compression */
	int			encoding;
	uint64		null_count;
	char	   *min;			/* image of the smallest value (see
								 * ColumnarBoundImage), or NULL */
	char	   *max;			/* image of the largest value, or NULL */
	uint32		min_len;
	uint32		max_len;
	Oid			collation;		/* min/max are by this collation's order */
} ColumnarChunkMeta;

/* One row group, as the catalog describes it */
typedef struct ColumnarRowGroupMeta
{
	uint64		first_row;
	uint64		row_count;
	BlockNumber start_block;
	uint64		data_length;
	int			ncols;
	ColumnarChunkMeta *chunks;
} ColumnarRowGroupMeta;

/* A row group's columns as typed vectors (decoded or still in memory) */
typedef struct ColumnarBatch
{
	uint64		first_row;
	uint32		nrows;
	int			ncols;			/* columns the batch may hold */
	ColumnarVector **vectors;	/* per column, NULL when not loaded */
} ColumnarBatch;

/* settings (biwh.c registers them through ColumnarInit) */
extern int	columnar_default_compression;
extern int	columnar_default_compression_level;
extern int	columnar_default_row_group_size;
extern int	columnar_write_buffer_kb;
extern char *columnar_sort_key_override;

/* columnar_tableam.c */
extern void ColumnarInit(void);
extern bool ColumnarIsColumnarRelation(Relation rel);
extern const TableAmRoutine *ColumnarTableAmRoutine(void);
extern void ColumnarScanSetNeeded(TableScanDesc sscan, Bitmapset *needed);

typedef bool (*ColumnarSkipFn) (ColumnarRowGroupMeta *meta, void *arg);
extern void ColumnarScanSetSkip(TableScanDesc sscan, ColumnarSkipFn fn, void *arg);
extern void ColumnarScanCounts(TableScanDesc sscan, int64 *read, int64 *skipped);

/* columnar_storage.c */
extern uint64 ColumnarStorageId(Relation rel);
extern uint64 ColumnarStorageIdNoError(Relation rel);
extern uint64 ColumnarReserveRows(Relation rel, uint64 nrows, uint64 *storage_id);
extern BlockNumber ColumnarWriteStream(Relation rel, const char *data, Size len);
extern void ColumnarReadStream(Relation rel, BlockNumber start_block,
							   uint64 offset, char *dest, Size len,
							   BlockNumber nblocks);
extern Size ColumnarPagePayload(void);
extern bool ColumnarReclaimSpace(Relation rel, BlockNumber *truncated,
								 BlockNumber *free_pages);
extern BlockNumber ColumnarFreePages(Relation rel);

/* columnar_compression.c */
extern void ColumnarFrameChunk(StringInfo out, const char *image, Size len,
							   ColumnarCompression compression, int level);
extern char *ColumnarUnframeChunk(const char *frame, Size len, Size *image_len);
extern const char *ColumnarCompressionName(ColumnarCompression compression);
extern ColumnarCompression ColumnarCompressionFromName(const char *name);

/* columnar_options.c */
extern void ColumnarOptionsInit(void);
extern void ColumnarReadOptions(Relation rel, ColumnarOptions *options);

/* columnar_catalog.c */
extern void ColumnarCatalogInsertRowGroup(uint64 storage_id,
										  ColumnarRowGroupMeta *meta,
										  CommandId cid);
extern List *ColumnarCatalogRowGroups(uint64 storage_id, Snapshot snapshot);
extern uint64 ColumnarCatalogRowCount(uint64 storage_id, Snapshot snapshot);
extern ColumnarRowGroupMeta *ColumnarCatalogFindRowGroup(uint64 storage_id,
														 uint64 rownum,
														 Snapshot snapshot);
extern void ColumnarCatalogDeleteStorage(uint64 storage_id);
extern void ColumnarCatalogUsedRanges(uint64 storage_id, BlockNumber **starts,
									  BlockNumber **counts, int *n);
extern void ColumnarCatalogDeleteRowGroup(uint64 storage_id, uint64 first_row);
extern bool ColumnarCatalogReady(void);
extern char *ColumnarBoundImage(Datum value, Form_pg_attribute att, uint32 *len);
extern bool ColumnarBoundDatum(const char *image, uint32 len, int16 typlen,
							   bool typbyval, Datum *value);

/* columnar_scan.c */
struct PlannerInfo;
struct RelOptInfo;
struct RangeTblEntry;
extern void ColumnarScanInit(void);
extern void ColumnarAddScanPaths(struct PlannerInfo *root, struct RelOptInfo *rel,
								 struct RangeTblEntry *rte);

/* columnar_writer.c */
extern void ColumnarWriterInit(void);
extern void ColumnarWriteRow(Relation rel, TupleTableSlot *slot, CommandId cid);
extern void ColumnarFlushRelation(Relation rel, bool all_subxacts);
extern void ColumnarDiscardRelation(Relation rel);
extern int	ColumnarCompact(Relation rel);
extern List *ColumnarPendingBatches(Relation rel, Snapshot snapshot);
extern void ColumnarUnpinBatches(List *pinned);
extern bool ColumnarPendingFetch(Relation rel, uint64 rownum,
								 Snapshot snapshot, TupleTableSlot *slot);
extern void ColumnarVectorInit(ColumnarVector *vec, Form_pg_attribute att,
							   uint32 capacity);
extern void ColumnarVectorSetKind(ColumnarVector *vec, Form_pg_attribute att);

/* columnar_reader.c */
typedef struct ColumnarReadState ColumnarReadState;
extern ColumnarReadState *ColumnarBeginRead(Relation rel, Snapshot snapshot,
											TupleDesc tupdesc, bool project,
											Bitmapset *needed);
extern void ColumnarReadSetSkip(ColumnarReadState *state, ColumnarSkipFn fn, void *arg);
extern void ColumnarReadCounts(ColumnarReadState *state, int64 *read, int64 *skipped);
extern bool ColumnarReadNextRow(ColumnarReadState *state, ScanDirection dir,
								TupleTableSlot *slot);
extern void ColumnarRescan(ColumnarReadState *state);
extern void ColumnarEndRead(ColumnarReadState *state);
extern bool ColumnarReadRowGroupByBlock(ColumnarReadState *state,
										BlockNumber block);
extern bool ColumnarReadBlockNextRow(ColumnarReadState *state,
									 TupleTableSlot *slot);
extern bool ColumnarFetchRow(Relation rel, uint64 rownum, Snapshot snapshot,
							 TupleTableSlot *slot);
extern Datum ColumnarVectorDatum(ColumnarVector *vec, uint32 i,
								 Form_pg_attribute att);
extern void ColumnarBatchToSlot(ColumnarBatch *batch, uint32 row,
								TupleTableSlot *slot);
extern ColumnarBatch *ColumnarLoadRowGroup(Relation rel,
										   ColumnarRowGroupMeta *meta,
										   TupleDesc tupdesc, bool all,
										   Bitmapset *needed,
										   MemoryContext cxt);
extern uint64 ColumnarTotalRows(Relation rel, Snapshot snapshot);

/* TID <-> row number */
static inline void
ColumnarRowToTid(uint64 rownum, ItemPointer tid)
{
	ItemPointerSet(tid, (BlockNumber) (rownum / COLUMNAR_ROWS_PER_TID_BLOCK),
				   (OffsetNumber) (rownum % COLUMNAR_ROWS_PER_TID_BLOCK + 1));
}

static inline uint64
ColumnarTidToRow(ItemPointer tid)
{
	return (uint64) ItemPointerGetBlockNumber(tid) * COLUMNAR_ROWS_PER_TID_BLOCK +
		ItemPointerGetOffsetNumber(tid) - 1;
}

#endif							/* COLUMNAR_H */
