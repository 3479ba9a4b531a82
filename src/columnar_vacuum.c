/*-------------------------------------------------------------------------
 *
 * columnar_vacuum.c
 *	  VACUUM and autovacuum of columnar tables: merging small row groups
 *	  and reclaiming the pages no row group needs any more.
 *
 * Rows are never deleted, so there is nothing to clean.  VACUUM merges the
 * small row groups that small transactions leave (an explicit VACUUM
 * whenever there are two, autovacuum once there are
 * biwh.autovacuum_merge_row_groups of them), then reclaims the pages no
 * row group can need any more (the procedure and why it is safe are in
 * "Reclaiming space" at the top of columnar_storage.c).  The pages of the
 * row groups merged just now are still needed until this VACUUM commits
 * and every older snapshot is gone, so a later VACUUM frees them.
 *
 * Autovacuum: inserts are counted in the statistics as heap counts them,
 * so autovacuum_vacuum_insert_threshold brings autovacuum to a table that
 * small transactions fill, and the rows of aborted loads count as dead
 * rows (autovacuum_vacuum_threshold).  VACUUM reports its work as heap's
 * does (pg_stat_user_tables: vacuum counts, live rows, inserts since the
 * last vacuum back to zero), and reports the rows it merged away as dead,
 * so that autovacuum comes back to free their pages.
 *
 * Merging writes catalog rows, so its transaction gets an xid.  A lazy
 * VACUUM runs with PROC_IN_VACUUM, which makes every other backend leave
 * its xid out of their snapshots (PostgreSQL's own lazy VACUUM never has
 * one): a concurrent reader would take the merge for aborted before it
 * commits, and set hint bits saying so on the catalog rows, which would
 * lose the merged rows or bring the merged-away ones back for good.  So
 * the merge first drops PROC_IN_VACUUM, before it has an xid, and is an
 * ordinary transaction from then on: its xid is in every snapshot, and
 * its xmin holds back the pruning of the catalog rows it reads.
 *
 * Locks: VACUUM holds ShareUpdateExclusiveLock (autovacuum skips a table
 * it cannot have at once), which readers and writers do not conflict
 * with; the merge takes no other table lock, only the extension lock
 * while it writes pages, and deletes catalog rows nobody else deletes
 * (TRUNCATE and DROP wait for VACUUM's lock).  A session asking for a
 * conflicting lock (DDL) cancels autovacuum after deadlock_timeout, as for
 * heap, and the merge rolls back whole; reclaiming never queues for its
 * lock.  Row groups of transactions still in progress are not visible to
 * the merge's snapshot, so it leaves them alone.  Crash safety is that of
 * any write: pages are WAL-logged before the catalog rows that use them,
 * and the catalog rows change atomically with the commit.
 *
 * Tables with indexes are not merged, by VACUUM nor by autovacuum: merged
 * rows get new TIDs, which the indexes would have to learn, and their old
 * entries would have to go once dead to everybody, standbys included.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/vacuum.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/autovacuum.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "columnar_catalog.h"
#include "columnar_options.h"
#include "columnar_reader.h"
#include "columnar_storage.h"
#include "columnar_vacuum.h"
#include "columnar_writer.h"

/* biwh.autovacuum_merge_row_groups: small row groups autovacuum merges at */
static int	autovacuum_merge_row_groups = 16;

/*
 * Make this VACUUM's transaction an ordinary one before it writes (see
 * the file banner): drop PROC_IN_VACUUM, so that its xid, which it has not
 * got yet, will be in other backends' snapshots, and its xmin in their
 * horizons.  Returns false when that is too late, an xid being assigned
 * already (nothing before the merge writes, so it never is): the caller
 * must not write then.
 */
static bool
leave_lazy_vacuum(void)
{
	if (!(MyProc->statusFlags & PROC_IN_VACUUM))
		return true;
	if (TransactionIdIsValid(GetTopTransactionIdIfAny()))
		return false;
	LWLockAcquire(ProcArrayLock, LW_EXCLUSIVE);
	MyProc->statusFlags &= ~PROC_IN_VACUUM;
	ProcGlobal->statusFlags[MyProc->pgxactoff] = MyProc->statusFlags;
	LWLockRelease(ProcArrayLock);
	return true;
}

/*
 * Return the small row groups of a storage visible to snapshot: less than
 * half a group of rows and less than an eighth of the write buffer in
 * encoded bytes, so that groups cut short by the memory cap are left alone.
 */
static List *
small_row_groups(uint64 storage_id, const ColumnarOptions *options,
				 Snapshot snapshot)
{
	List	   *small = NIL;
	ListCell   *lc;

	foreach(lc, ColumnarCatalogRowGroups(storage_id, snapshot))
	{
		ColumnarRowGroupMeta *meta = lfirst(lc);
		uint64		raw = 0;

		for (int i = 0; i < meta->ncols; i++)
			raw += meta->chunks[i].raw_length;
		if (meta->row_count < (uint64) options->row_group_size / 2 &&
			raw < (uint64) columnar_write_buffer_kb * 1024 / 8)
			small = lappend(small, meta);
	}
	return small;
}

/*
 * VACUUM: rewrite the table's small row groups (left by small transactions)
 * into full ones, when there are at least min_groups of them; returns how
 * many were rewritten and adds their rows to *merged_rows.  Readers with
 * older snapshots keep seeing the old row groups (their catalog rows are
 * deleted, not their pages: a later VACUUM frees those once no snapshot
 * can see them, see "Reclaiming space" in columnar_storage.c, and the new
 * row groups may go to pages an earlier VACUUM freed); rows get new TIDs.
 */
static int
compact_small_row_groups(Relation rel, int min_groups, double *merged_rows)
{
	ColumnarOptions options;
	Snapshot	snapshot;
	uint64		storage_id = ColumnarStorageId(rel);
	List	   *small;
	ListCell   *lc;
	MemoryContext cxt;
	TupleTableSlot *slot;
	CommandId	cid;
	int			n;

	if (storage_id == 0)
		return 0;
	ColumnarReadOptions(rel, &options);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	n = list_length(small_row_groups(storage_id, &options, snapshot));
	UnregisterSnapshot(snapshot);
	if (n < Max(min_groups, 2) || !leave_lazy_vacuum())
		return 0;

	/* from now on other backends' horizons hold for this snapshot */
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	small = small_row_groups(storage_id, &options, snapshot);
	n = list_length(small);

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
		*merged_rows += (double) meta->row_count;
	}
	ColumnarFlushRelation(rel, false);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(cxt);
	UnregisterSnapshot(snapshot);
	return n;
}

/*
 * Reclaim the pages no row group can ever need again (see "Reclaiming
 * space" in columnar_storage.c): unless the catalog shows nothing to free,
 * under the relation's AccessExclusiveLock, prune the catalog rows of the
 * table, count the pages of every row group left as used, and free the
 * others.  Gives up, returning false, when the
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
	 * Nothing to free: no lock, which standbys would replay and their
	 * queries of the table wait for (autovacuum comes often)
	 */
	if (!ColumnarCatalogMayReclaim(ColumnarStorageId(rel),
								   RelationGetNumberOfBlocks(rel),
								   ColumnarFreePages(rel)))
	{
		*free_pages = ColumnarFreePages(rel);
		return true;
	}

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
 * when there are two, autovacuum from biwh.autovacuum_merge_row_groups;
 * never with indexes), reclaim its unused pages (unless TRUNCATE false),
 * and report to the statistics.
 */
void
ColumnarVacuum(Relation rel, struct VacuumParams *params)
{
	bool		autovacuum = IsAutoVacuumWorkerProcess();
	int			elevel;
	int			n = 0;
	double		merged_rows = 0;
	double		dead_rows = 0;
	BlockNumber truncated;
	BlockNumber free_pages;
	PgStat_StatTabEntry *stats;

	if (params->options & VACOPT_VERBOSE)
		elevel = INFO;
	else if (autovacuum && params->log_min_duration == 0)
		elevel = LOG;
	else
		elevel = DEBUG2;

	/* merged rows get new TIDs, which indexes would not know */
	if (rel->rd_rel->relhasindex)
		ereport(elevel,
				(errmsg("columnar table \"%s\": small row groups not merged",
						RelationGetRelationName(rel)),
				 errdetail("The table has indexes, which point at its rows by TID: neither VACUUM nor autovacuum merges its row groups."),
				 errhint("VACUUM FULL rewrites the table and its indexes.")));
	else if (!autovacuum)
		n = compact_small_row_groups(rel, 2, &merged_rows);
	else if (autovacuum_merge_row_groups > 0)
		n = compact_small_row_groups(rel, autovacuum_merge_row_groups, &merged_rows);
	if (n > 0)
		ereport(elevel,
				(errmsg("columnar table \"%s\": merged %d small row groups",
						RelationGetRelationName(rel), n)));

	/* the aborted loads' rows stay dead until their pages are reclaimed */
	stats = pgstat_fetch_stat_tabentry(RelationGetRelid(rel));
	if (stats != NULL)
		dead_rows = (double) stats->n_dead_tuples;
	if (params->truncate != VACOPTVALUE_DISABLED)
	{
		if (!reclaim_space(rel, &truncated, &free_pages))
			ereport(elevel,
					(errmsg("columnar table \"%s\": pages not reclaimed",
							RelationGetRelationName(rel)),
					 errdetail("The table is in use by another session.")));
		else
		{
			dead_rows = 0;
			ereport(elevel,
					(errmsg("columnar table \"%s\": truncated %u pages, %u free pages to reuse",
							RelationGetRelationName(rel), truncated, free_pages)));
		}
	}

	/*
	 * As heap's VACUUM: live rows, and the dead ones whose pages a later
	 * VACUUM frees (the row groups merged now, still visible to older
	 * snapshots), so autovacuum comes back for them
	 */
	pgstat_report_vacuum(RelationGetRelid(rel), rel->rd_rel->relisshared,
						 (double) ColumnarCatalogRowCount(ColumnarStorageId(rel),
														  GetLatestSnapshot()),
						 dead_rows + merged_rows);
}

/*
 * Register the settings of VACUUM.
 */
void
ColumnarVacuumInit(void)
{
	DefineCustomIntVariable("biwh.autovacuum_merge_row_groups",
							"Small row groups of a columnar table from which autovacuum merges them.",
							"0 turns merging by autovacuum off; an explicit VACUUM merges from two.",
							&autovacuum_merge_row_groups,
							16, 0, INT_MAX,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
}
