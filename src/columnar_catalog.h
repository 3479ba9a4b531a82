/*-------------------------------------------------------------------------
 *
 * columnar_catalog.h
 *	  Row-group metadata and the catalog table that holds it,
 *	  biwh.columnar_row_group: one row per row group, visible exactly when
 *	  the row group is.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_CATALOG_H
#define COLUMNAR_CATALOG_H

#include "nodes/pg_list.h"
#include "storage/block.h"
#include "storage/itemptr.h"
#include "utils/snapshot.h"

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
	bool		reserved;		/* a reservation: rows still buffered by the
								 * transaction that inserted it (see
								 * ColumnarCatalogReserve) */
} ColumnarRowGroupMeta;

extern void ColumnarCatalogInsertRowGroup(uint64 storage_id,
										  ColumnarRowGroupMeta *meta,
										  CommandId cid);
extern List *ColumnarCatalogRowGroups(uint64 storage_id, Snapshot snapshot);
extern uint64 ColumnarCatalogRowCount(uint64 storage_id, Snapshot snapshot);
extern ColumnarRowGroupMeta *ColumnarCatalogFindRowGroup(uint64 storage_id,
														 uint64 rownum,
														 Snapshot snapshot);
extern void ColumnarCatalogDeleteStorage(uint64 storage_id);
extern void ColumnarCatalogReserve(uint64 storage_id, uint64 first_row,
								   uint64 nrows, ItemPointer tid);
extern void ColumnarCatalogUnreserve(ItemPointer tid);
extern void ColumnarCatalogUsedRanges(uint64 storage_id, BlockNumber **starts,
									  BlockNumber **counts, int *n);
extern bool ColumnarCatalogMayReclaim(uint64 storage_id, BlockNumber nblocks,
									  BlockNumber nfree);
extern void ColumnarCatalogDeleteRowGroup(uint64 storage_id, uint64 first_row);
extern bool ColumnarCatalogReady(void);

#endif							/* COLUMNAR_CATALOG_H */
