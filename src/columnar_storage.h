/*-------------------------------------------------------------------------
 *
 * columnar_storage.h
 *	  The bottom floor of the columnar access method: which relations are
 *	  columnar, their pages (metapage, row-group streams, free list, WAL),
 *	  the frames chunks are stored in, and row numbers as TIDs.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_STORAGE_H
#define COLUMNAR_STORAGE_H

#include "access/htup_details.h"
#include "lib/stringinfo.h"
#include "storage/block.h"
#include "storage/itemptr.h"
#include "utils/rel.h"

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

/* columnar_storage.c */
extern void ColumnarStorageInit(void);
extern bool ColumnarIsColumnarRelation(Relation rel);
extern bool ColumnarIsColumnarRelid(Oid relid);
extern uint64 ColumnarStorageId(Relation rel);
extern uint64 ColumnarStorageIdNoError(Relation rel);
extern uint64 ColumnarNextRowNumber(Relation rel);
extern uint64 ColumnarReserveRows(Relation rel, uint64 nrows, uint64 *storage_id);
extern BlockNumber ColumnarWriteStream(Relation rel, const char *data, Size len);
extern void ColumnarReadStream(Relation rel, BlockNumber start_block,
							   uint64 offset, char *dest, Size len,
							   BlockNumber nblocks);
extern BlockNumber ColumnarStreamPages(uint64 len);
extern void ColumnarStorageFree(Relation rel, const BlockNumber *used_starts,
								const BlockNumber *used_counts, int nused,
								BlockNumber *truncated, BlockNumber *free_pages);
extern BlockNumber ColumnarFreePages(Relation rel);

/* columnar_compression.c */
extern void ColumnarFrameChunk(StringInfo out, const char *image, Size len,
							   ColumnarCompression compression, int level);
extern char *ColumnarUnframeChunk(const char *frame, Size len, Size *image_len);
extern const char *ColumnarCompressionName(ColumnarCompression compression);
extern ColumnarCompression ColumnarCompressionFromName(const char *name);

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

#endif							/* COLUMNAR_STORAGE_H */
