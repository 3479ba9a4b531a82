/*-------------------------------------------------------------------------
 *
 * columnar_vacuum.c
 *	  VACUUM of columnar tables: merging small row groups and reclaiming
 *	  the pages no row group needs any more.
 *
 * Rows are never deleted, so there is nothing to clean; an explicit VACUUM
 * merges small row groups (autovacuum leaves them, so that it never
 * rewrites data behind the user's back).  Both then reclaim the pages no
 * row group can need any more (the procedure and why it is safe are in
 * "Reclaiming space" at the top of columnar_storage.c); the pages of the
 * row groups merged just now are still needed until this VACUUM commits
 * and every older snapshot is gone, so the next VACUUM frees them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/vacuum.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "postmaster/autovacuum.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "columnar_catalog.h"
#include "columnar_options.h"
#include "columnar_reader.h"
#include "columnar_storage.h"
#include "columnar_vacuum.h"
#include "columnar_writer.h"

/*
 * VACUUM: rewrite the table's small row groups (left by small transactions)
 * into full ones; returns how many were rewritten.  Readers with older
 * snapshots keep seeing the old row groups (their catalog rows are deleted,
 * not their pages: a later VACUUM frees those once no snapshot can see
 * them, see "Reclaiming space" in columnar_storage.c, and the new row
 * groups may go to pages an earlier VACUUM freed); rows get new TIDs.  A
 * row group counts as small when it holds less than half a group and less
 * than an eighth of the write buffer in encoded bytes, so groups cut short
 * by the memory cap are left alone.
 */
static int
compact_small_row_groups(Relation rel)
{
	ColumnarOptions options;
	Snapshot	snapshot;
	uint64		storage_id = ColumnarStorageId(rel);
	List	   *groups;
	List	   *small = NIL;
	ListCell   *lc;
	MemoryContext cxt;
	TupleTableSlot *slot;
	CommandId	cid;
	int			n;

	if (storage_id == 0)
		return 0;
	ColumnarReadOptions(rel, &options);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	groups = ColumnarCatalogRowGroups(storage_id, snapshot);
	foreach(lc, groups)
	{
		ColumnarRowGroupMeta *meta = lfirst(lc);
		uint64		raw = 0;

		for (int i = 0; i < meta->ncols; i++)
			raw += meta->chunks[i].raw_length;
		if (meta->row_count < (uint64) options.row_group_size / 2 &&
			raw < (uint64) columnar_write_buffer_kb * 1024 / 8)
			small = lappend(small, meta);
	}
	n = list_length(small);
	if (n < 2)
	{
		UnregisterSnapshot(snapshot);
		return 0;
	}

	cid = GetCurrentCommandId(true);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "columnar compact",
								ALLOCSET_DEFAULT_SIZES);
	slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsVirtual);
	foreach(lc, small)
	{
		ColumnarRowGroupMeta *meta = lfirst(lc);
		ColumnarBatch *batch;

		MemoryContextReset(cxt);
		batch = ColumnarLoadRowGroup(rel, meta, RelationGetDescr(rel), true, NULL, cxt);
		for (uint32 r = 0; r < batch->nrows; r++)
		{
			CHECK_FOR_INTERRUPTS();
			ColumnarBatchToSlot(batch, r, slot);
			ColumnarWriteRow(rel, slot, cid);
		}
		/* the buffer copies what it keeps: the batch may go */
		ColumnarCatalogDeleteRowGroup(storage_id, meta->first_row);
	}
	ColumnarFlushRelation(rel, false);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(cxt);
	UnregisterSnapshot(snapshot);
	return n;
}

/*
 * Reclaim the pages no row group can ever need again (see "Reclaiming
 * space" in columnar_storage.c): under the relation's AccessExclusiveLock,
 * prune the catalog rows of the table, count the pages of every row group
 * left as used, and free the others.  Gives up, returning false, when the
 * lock cannot be had in about a second (a writer or reader is at work);
 * otherwise fills *truncated and *free_pages.
 */
static bool
reclaim_space(Relation rel, BlockNumber *truncated, BlockNumber *free_pages)
{
	BlockNumber *starts;
	BlockNumber *counts;
	int			nused;
	bool		locked = false;

	*truncated = 0;
	*free_pages = 0;
	if (ColumnarStorageId(rel) == 0)
		return true;

	/*
	 * Like heap's lazy_truncate_heap: wait a little for the lock, never
	 * queue for it (that would block every reader behind VACUUM).
	 */
	for (int i = 0; i < 20; i++)
	{
		if (ConditionalLockRelation(rel, AccessExclusiveLock))
		{
			locked = true;
			break;
		}
		CHECK_FOR_INTERRUPTS();
		pg_usleep(50 * 1000L);
	}
	if (!locked)
		return false;

	/* the storage id cannot change under the lock (TRUNCATE needs it too) */
	ColumnarCatalogUsedRanges(ColumnarStorageId(rel), &starts, &counts, &nused);
	ColumnarStorageFree(rel, starts, counts, nused, truncated, free_pages);

	/* as heap does: readers need not wait for the end of VACUUM */
	UnlockRelation(rel, AccessExclusiveLock);
	pfree(starts);
	pfree(counts);
	return true;
}

/*
 * VACUUM a columnar table: merge its small row groups (explicit VACUUM
 * only), then reclaim its unused pages (unless TRUNCATE false).
 */
void
ColumnarVacuum(Relation rel, struct VacuumParams *params)
{
	int			elevel = params->options & VACOPT_VERBOSE ? INFO : DEBUG2;
	int			n = 0;
	BlockNumber truncated;
	BlockNumber free_pages;

	/* merged rows get new TIDs, which indexes would not know */
	if (!IsAutoVacuumWorkerProcess() && !rel->rd_rel->relhasindex)
		n = compact_small_row_groups(rel);
	else if (rel->rd_rel->relhasindex)
		ereport(elevel,
				(errmsg("columnar table \"%s\": small row groups not merged",
						RelationGetRelationName(rel)),
				 errdetail("The table has indexes, which point at its rows by TID."),
				 errhint("VACUUM FULL rewrites the table and its indexes.")));
	if (n > 0)
		ereport(elevel,
				(errmsg("columnar table \"%s\": merged %d small row groups",
						RelationGetRelationName(rel), n)));
	if (params->truncate == VACOPTVALUE_DISABLED)
		return;
	if (!reclaim_space(rel, &truncated, &free_pages))
		ereport(elevel,
				(errmsg("columnar table \"%s\": pages not reclaimed",
						RelationGetRelationName(rel)),
				 errdetail("The table is in use by another session.")));
	else
		ereport(elevel,
				(errmsg("columnar table \"%s\": truncated %u pages, %u free pages to reuse",
						RelationGetRelationName(rel), truncated, free_pages)));
}
