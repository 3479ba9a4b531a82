/*-------------------------------------------------------------------------
 *
 * columnar_tableam.c
 *	  The columnar table access method: thin TableAmRoutine callbacks in
 *	  tableam.h order, and the hook that keeps the catalog clean.
 *
 * Writes go to columnar_writer.c, reads to columnar_reader.c, pages to
 * columnar_storage.c, VACUUM to columnar_vacuum.c; scans are planned in
 * columnar_planner.c.  What a column store cannot do well is refused with
 * ERRCODE_FEATURE_NOT_SUPPORTED and a hint, never done silently wrong:
 * UPDATE, DELETE, row locks (SELECT FOR UPDATE), speculative insertion
 * (ON CONFLICT with an arbiter index), indexes, TABLESAMPLE, unlogged
 * tables.  PostgreSQL's parallel block scans are not planned for columnar
 * tables (columnar_planner.c removes them; the parallel ColumnarScan hands
 * out row groups instead), so the parallel scan callbacks are never called
 * for real.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/multixact.h"
#include "access/relation.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/storage.h"
#include "catalog/storage_xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "commands/defrem.h"
#include "commands/event_trigger.h"
#include "commands/vacuum.h"
#include "nodes/parsenodes.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "postmaster/autovacuum.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/smgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "columnar_catalog.h"
#include "columnar_guard.h"
#include "columnar_reader.h"
#include "columnar_storage.h"
#include "columnar_tableam.h"
#include "columnar_vacuum.h"
#include "columnar_writer.h"

PG_FUNCTION_INFO_V1(columnar_handler);

static object_access_hook_type prev_object_access_hook = NULL;

static const TableAmRoutine columnar_methods;

typedef struct ColumnarScanDescData
{
	TableScanDescData rs_base;
	ColumnarReadState *read;
	MemoryContext cxt;			/* where the scan began: lives as long */
} ColumnarScanDescData;

typedef ColumnarScanDescData *ColumnarScanDesc;

/*
 * Raise the error of an operation columnar tables do not support.
 */
static void
columnar_unsupported(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not supported on columnar tables", what),
			 errhint("Use a heap table, or rewrite the table with CREATE TABLE ... AS.")));
}

/* ------------------------------------------------------------------------
 * Slot related callbacks
 * ------------------------------------------------------------------------
 */

static const TupleTableSlotOps *
columnar_slot_callbacks(Relation relation)
{
	return &TTSOpsVirtual;
}


/* ------------------------------------------------------------------------
 * Table scan callbacks
 * ------------------------------------------------------------------------
 */

static TableScanDesc
columnar_scan_begin(Relation relation, Snapshot snapshot, int nkeys,
					ScanKey key, ParallelTableScanDesc parallel_scan,
					uint32 flags)
{
	ColumnarScanDesc scan;

	if (parallel_scan != NULL)
		columnar_unsupported("parallel scan");
	if (nkeys > 0)
		elog(ERROR, "columnar scans do not take scan keys");

	RelationIncrementReferenceCount(relation);
	scan = palloc0(sizeof(ColumnarScanDescData));
	scan->rs_base.rs_rd = relation;
	scan->rs_base.rs_snapshot = snapshot;
	scan->rs_base.rs_nkeys = 0;
	scan->rs_base.rs_flags = flags;
	scan->rs_base.rs_parallel = NULL;
	scan->cxt = CurrentMemoryContext;
	return (TableScanDesc) scan;
}

static void
columnar_scan_end(TableScanDesc sscan)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	if (scan->read)
		ColumnarEndRead(scan->read);
	RelationDecrementReferenceCount(sscan->rs_rd);
	if (sscan->rs_flags & SO_TEMP_SNAPSHOT)
		UnregisterSnapshot(sscan->rs_snapshot);
	pfree(scan);
}

static void
columnar_scan_rescan(TableScanDesc sscan, ScanKey key, bool set_params,
					 bool allow_strat, bool allow_sync, bool allow_pagemode)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	if (scan->read)
		ColumnarRescan(scan->read);
}

static bool
columnar_scan_getnextslot(TableScanDesc sscan, ScanDirection direction,
						  TupleTableSlot *slot)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	if (scan->read == NULL)
	{
		/* not in the caller's context: it may be a per-tuple one */
		MemoryContext old = MemoryContextSwitchTo(scan->cxt);

		scan->read = ColumnarBeginRead(sscan->rs_rd, sscan->rs_snapshot,
									   slot->tts_tupleDescriptor, false, NULL);
		MemoryContextSwitchTo(old);
	}
	if (!ColumnarReadNextRow(scan->read, direction, slot))
		return false;
	slot->tts_tableOid = RelationGetRelid(sscan->rs_rd);
	pgstat_count_heap_getnext(sscan->rs_rd);
	return true;
}

/* ------------------------------------------------------------------------
 * Parallel table scan related callbacks (never planned, see the banner)
 * ------------------------------------------------------------------------
 */

static Size
columnar_parallelscan_estimate(Relation rel)
{
	return table_block_parallelscan_estimate(rel);
}

static Size
columnar_parallelscan_initialize(Relation rel, ParallelTableScanDesc pscan)
{
	return table_block_parallelscan_initialize(rel, pscan);
}

static void
columnar_parallelscan_reinitialize(Relation rel, ParallelTableScanDesc pscan)
{
	table_block_parallelscan_reinitialize(rel, pscan);
}


/* ------------------------------------------------------------------------
 * Index Scan Callbacks
 * ------------------------------------------------------------------------
 */

static IndexFetchTableData *
columnar_index_fetch_begin(Relation rel)
{
	columnar_unsupported("index scan");
	return NULL;
}

static void
columnar_index_fetch_reset(IndexFetchTableData *scan)
{
}

static void
columnar_index_fetch_end(IndexFetchTableData *scan)
{
}

static bool
columnar_index_fetch_tuple(struct IndexFetchTableData *scan, ItemPointer tid,
						   Snapshot snapshot, TupleTableSlot *slot,
						   bool *call_again, bool *all_dead)
{
	columnar_unsupported("index scan");
	return false;
}


/* ------------------------------------------------------------------------
 * Callbacks for non-modifying operations on individual tuples
 * ------------------------------------------------------------------------
 */

static bool
columnar_tuple_fetch_row_version(Relation relation, ItemPointer tid,
								 Snapshot snapshot, TupleTableSlot *slot)
{
	if (!ItemPointerIsValid(tid))
		return false;
	if (!ColumnarFetchRow(relation, ColumnarTidToRow(tid), snapshot, slot))
		return false;
	slot->tts_tableOid = RelationGetRelid(relation);
	return true;
}

static bool
columnar_tuple_tid_valid(TableScanDesc scan, ItemPointer tid)
{
	return ItemPointerIsValid(tid) &&
		ItemPointerGetOffsetNumber(tid) <= COLUMNAR_ROWS_PER_TID_BLOCK;
}

static void
columnar_tuple_get_latest_tid(TableScanDesc sscan, ItemPointer tid)
{
	/* rows are never updated: the given TID is the latest */
}

static bool
columnar_tuple_satisfies_snapshot(Relation rel, TupleTableSlot *slot,
								  Snapshot snapshot)
{
	/* only reached for rows a scan with that snapshot returned */
	return true;
}

static TransactionId
columnar_index_delete_tuples(Relation rel, TM_IndexDeleteOp *delstate)
{
	columnar_unsupported("index");
	return InvalidTransactionId;
}


/* ------------------------------------------------------------------------
 * Functions for manipulations of physical tuples
 * ------------------------------------------------------------------------
 */

static void
columnar_tuple_insert(Relation relation, TupleTableSlot *slot, CommandId cid,
					  int options, BulkInsertState bistate)
{
	ColumnarCheckNotPublished(relation);
	ColumnarWriteRow(relation, slot, cid);
	pgstat_count_heap_insert(relation, 1);
}

static void
columnar_tuple_insert_speculative(Relation relation, TupleTableSlot *slot,
								  CommandId cid, int options,
								  BulkInsertState bistate, uint32 specToken)
{
	columnar_unsupported("INSERT ... ON CONFLICT");
}

static void
columnar_tuple_complete_speculative(Relation relation, TupleTableSlot *slot,
									uint32 specToken, bool succeeded)
{
	columnar_unsupported("INSERT ... ON CONFLICT");
}

static void
columnar_multi_insert(Relation relation, TupleTableSlot **slots, int ntuples,
					  CommandId cid, int options, BulkInsertState bistate)
{
	ColumnarCheckNotPublished(relation);
	for (int i = 0; i < ntuples; i++)
		ColumnarWriteRow(relation, slots[i], cid);
	pgstat_count_heap_insert(relation, ntuples);
}

static TM_Result
columnar_tuple_delete(Relation relation, ItemPointer tid, CommandId cid,
					  Snapshot snapshot, Snapshot crosscheck, bool wait,
					  TM_FailureData *tmfd, bool changingPart)
{
	columnar_unsupported("DELETE");
	return TM_Ok;
}

static TM_Result
columnar_tuple_update(Relation relation, ItemPointer otid, TupleTableSlot *slot,
					  CommandId cid, Snapshot snapshot, Snapshot crosscheck,
					  bool wait, TM_FailureData *tmfd,
					  LockTupleMode *lockmode, bool *update_indexes)
{
	columnar_unsupported("UPDATE");
	return TM_Ok;
}

static TM_Result
columnar_tuple_lock(Relation relation, ItemPointer tid, Snapshot snapshot,
					TupleTableSlot *slot, CommandId cid, LockTupleMode mode,
					LockWaitPolicy wait_policy, uint8 flags,
					TM_FailureData *tmfd)
{
	/*
	 * Columnar rows are never updated or deleted in place, so a share lock
	 * has nothing to wait for nor to block: it succeeds for a row the
	 * snapshot sees (foreign keys take FOR KEY SHARE locks).  The exclusive
	 * modes only make sense before an UPDATE or DELETE, which are refused.
	 */
	if (mode == LockTupleNoKeyExclusive || mode == LockTupleExclusive)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("SELECT ... FOR UPDATE and FOR NO KEY UPDATE are not supported on columnar tables"),
				 errdetail("Rows of columnar table \"%s\" cannot be updated or deleted.",
						   RelationGetRelationName(relation)),
				 errhint("Use FOR SHARE or FOR KEY SHARE, or a heap table.")));
	if (!ItemPointerIsValid(tid) ||
		!ColumnarFetchRow(relation, ColumnarTidToRow(tid), snapshot, slot))
	{
		/* inserted after the snapshot (heap says the same), or not there */
		tmfd->traversed = false;
		return TM_Invisible;
	}
	slot->tts_tableOid = RelationGetRelid(relation);
	slot->tts_tid = *tid;
	tmfd->traversed = false;
	return TM_Ok;
}

static void
columnar_finish_bulk_insert(Relation relation, int options)
{
	ColumnarFlushRelation(relation, false);
}


/* ------------------------------------------------------------------------
 * DDL related callbacks
 * ------------------------------------------------------------------------
 */

static void
columnar_relation_set_new_filenode(Relation rel, const RelFileNode *newrnode,
								   char persistence,
								   TransactionId *freezeXid,
								   MultiXactId *minmulti)
{
	SMgrRelation srel;

	if (persistence == RELPERSISTENCE_UNLOGGED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unlogged columnar tables are not supported"),
				 errhint("Use a logged or temporary table.")));

	/*
	 * TRUNCATE: the relation still has its old file; the catalog rows of its
	 * storage go, transactionally (a rollback brings both back).
	 */
	if (rel->rd_node.relNode != newrnode->relNode &&
		smgrexists(RelationGetSmgr(rel), MAIN_FORKNUM))
		ColumnarCatalogDeleteStorage(ColumnarStorageIdNoError(rel));

	/* no transaction ids are stored in the data */
	*freezeXid = InvalidTransactionId;
	*minmulti = InvalidMultiXactId;

	srel = RelationCreateStorage(*newrnode, persistence, true);
	smgrclose(srel);
}

static void
columnar_relation_nontransactional_truncate(Relation rel)
{
	/*
	 * ON COMMIT DELETE ROWS runs after the commit flushed the buffers: their
	 * catalog rows carry the current command id, invisible to a delete by
	 * the same command.  Make them the past.
	 */
	(void) GetCurrentCommandId(true);
	CommandCounterIncrement();
	ColumnarCatalogDeleteStorage(ColumnarStorageIdNoError(rel));
	ColumnarDiscardRelation(rel);
	RelationTruncate(rel, 0);
}

static void
columnar_relation_copy_data(Relation rel, const RelFileNode *newrnode)
{
	SMgrRelation dstrel;

	/*
	 * Rows this subtransaction buffered are written to the old file first
	 * (they are copied with it); those of enclosing subtransactions stay
	 * buffered and follow the storage id, which the copy keeps, to the new
	 * file, or stay with the old one if this subtransaction rolls back.
	 */
	ColumnarFlushRelation(rel, false);
	FlushRelationBuffers(rel);
	dstrel = RelationCreateStorage(*newrnode, rel->rd_rel->relpersistence, true);
	RelationCopyStorage(RelationGetSmgr(rel), dstrel, MAIN_FORKNUM,
						rel->rd_rel->relpersistence);
	RelationDropStorage(rel);
	smgrclose(dstrel);
}

static void
columnar_relation_copy_for_cluster(Relation OldTable, Relation NewTable,
								   Relation OldIndex, bool use_sort,
								   TransactionId OldestXmin,
								   TransactionId *xid_cutoff,
								   MultiXactId *multi_cutoff,
								   double *num_tuples,
								   double *tups_vacuumed,
								   double *tups_recently_dead)
{
	TupleTableSlot *slot;
	ColumnarReadState *read;
	CommandId	cid = GetCurrentCommandId(true);

	if (OldIndex != NULL)
		columnar_unsupported("CLUSTER");

	slot = MakeSingleTupleTableSlot(RelationGetDescr(OldTable), &TTSOpsVirtual);
	read = ColumnarBeginRead(OldTable, NULL, RelationGetDescr(OldTable), false, NULL);
	*num_tuples = 0;
	while (ColumnarReadNextRow(read, ForwardScanDirection, slot))
	{
		ColumnarWriteRow(NewTable, slot, cid);
		*num_tuples += 1;
	}
	ColumnarEndRead(read);
	ExecDropSingleTupleTableSlot(slot);
	ColumnarFlushRelation(NewTable, false);
	*tups_vacuumed = 0;
	*tups_recently_dead = 0;
	*xid_cutoff = InvalidTransactionId;
	*multi_cutoff = InvalidMultiXactId;
}

static void
columnar_relation_vacuum(Relation rel, struct VacuumParams *params,
						 BufferAccessStrategy bstrategy)
{
	ColumnarVacuum(rel, params);
}

static bool
columnar_scan_analyze_next_block(TableScanDesc sscan, BlockNumber blockno,
								 BufferAccessStrategy bstrategy)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	if (scan->read == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(scan->cxt);

		scan->read = ColumnarBeginRead(sscan->rs_rd, sscan->rs_snapshot,
									   RelationGetDescr(sscan->rs_rd), false, NULL);
		MemoryContextSwitchTo(old);
	}
	return ColumnarReadRowGroupByBlock(scan->read, blockno);
}

static bool
columnar_scan_analyze_next_tuple(TableScanDesc sscan, TransactionId OldestXmin,
								 double *liverows, double *deadrows,
								 TupleTableSlot *slot)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	if (!ColumnarReadBlockNextRow(scan->read, slot))
		return false;
	slot->tts_tableOid = RelationGetRelid(sscan->rs_rd);
	*liverows += 1;
	return true;
}

static double
columnar_index_build_range_scan(Relation table_rel, Relation index_rel,
								IndexInfo *index_info, bool allow_sync,
								bool anyvisible, bool progress,
								BlockNumber start_blockno,
								BlockNumber numblocks,
								IndexBuildCallback callback,
								void *callback_state, TableScanDesc scan)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("indexes are not supported on columnar tables"),
			 errdetail("Primary keys, unique constraints and exclusion constraints need an index."),
			 errhint("Use a heap table, or rewrite the table with CREATE TABLE ... AS.")));
	return 0;
}

static void
columnar_index_validate_scan(Relation table_rel, Relation index_rel,
							 IndexInfo *index_info, Snapshot snapshot,
							 ValidateIndexState *state)
{
	columnar_unsupported("index");
}


/* ------------------------------------------------------------------------
 * Miscellaneous callbacks
 * ------------------------------------------------------------------------
 */

static bool
columnar_relation_needs_toast_table(Relation rel)
{
	/* values live in column chunks, whatever their size */
	return false;
}


/* ------------------------------------------------------------------------
 * Planner related callbacks
 * ------------------------------------------------------------------------
 */

static void
columnar_relation_estimate_size(Relation rel, int32 *attr_widths,
								BlockNumber *pages, double *tuples,
								double *allvisfrac)
{
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());

	*pages = RelationGetNumberOfBlocks(rel);
	*tuples = (double) ColumnarTotalRows(rel, snapshot);
	*allvisfrac = 0;
	UnregisterSnapshot(snapshot);
}


/* ------------------------------------------------------------------------
 * Executor related callbacks
 * ------------------------------------------------------------------------
 */

static bool
columnar_scan_bitmap_next_block(TableScanDesc scan, TBMIterateResult *tbmres)
{
	columnar_unsupported("bitmap scan");
	return false;
}

static bool
columnar_scan_bitmap_next_tuple(TableScanDesc scan, TBMIterateResult *tbmres,
								TupleTableSlot *slot)
{
	columnar_unsupported("bitmap scan");
	return false;
}

static bool
columnar_scan_sample_next_block(TableScanDesc scan, SampleScanState *scanstate)
{
	columnar_unsupported("TABLESAMPLE");
	return false;
}

static bool
columnar_scan_sample_next_tuple(TableScanDesc scan, SampleScanState *scanstate,
								TupleTableSlot *slot)
{
	columnar_unsupported("TABLESAMPLE");
	return false;
}


/* ------------------------------------------------------------------------
 * Definition of the columnar table access method.
 * ------------------------------------------------------------------------
 */

static const TableAmRoutine columnar_methods = {
	.type = T_TableAmRoutine,

	.slot_callbacks = columnar_slot_callbacks,

	.scan_begin = columnar_scan_begin,
	.scan_end = columnar_scan_end,
	.scan_rescan = columnar_scan_rescan,
	.scan_getnextslot = columnar_scan_getnextslot,

	.parallelscan_estimate = columnar_parallelscan_estimate,
	.parallelscan_initialize = columnar_parallelscan_initialize,
	.parallelscan_reinitialize = columnar_parallelscan_reinitialize,

	.index_fetch_begin = columnar_index_fetch_begin,
	.index_fetch_reset = columnar_index_fetch_reset,
	.index_fetch_end = columnar_index_fetch_end,
	.index_fetch_tuple = columnar_index_fetch_tuple,

	.tuple_insert = columnar_tuple_insert,
	.tuple_insert_speculative = columnar_tuple_insert_speculative,
	.tuple_complete_speculative = columnar_tuple_complete_speculative,
	.multi_insert = columnar_multi_insert,
	.tuple_delete = columnar_tuple_delete,
	.tuple_update = columnar_tuple_update,
	.tuple_lock = columnar_tuple_lock,
	.finish_bulk_insert = columnar_finish_bulk_insert,

	.tuple_fetch_row_version = columnar_tuple_fetch_row_version,
	.tuple_get_latest_tid = columnar_tuple_get_latest_tid,
	.tuple_tid_valid = columnar_tuple_tid_valid,
	.tuple_satisfies_snapshot = columnar_tuple_satisfies_snapshot,
	.index_delete_tuples = columnar_index_delete_tuples,

	.relation_set_new_filenode = columnar_relation_set_new_filenode,
	.relation_nontransactional_truncate = columnar_relation_nontransactional_truncate,
	.relation_copy_data = columnar_relation_copy_data,
	.relation_copy_for_cluster = columnar_relation_copy_for_cluster,
	.relation_vacuum = columnar_relation_vacuum,
	.scan_analyze_next_block = columnar_scan_analyze_next_block,
	.scan_analyze_next_tuple = columnar_scan_analyze_next_tuple,
	.index_build_range_scan = columnar_index_build_range_scan,
	.index_validate_scan = columnar_index_validate_scan,

	.relation_size = table_block_relation_size,
	.relation_needs_toast_table = columnar_relation_needs_toast_table,

	.relation_estimate_size = columnar_relation_estimate_size,

	.scan_bitmap_next_block = columnar_scan_bitmap_next_block,
	.scan_bitmap_next_tuple = columnar_scan_bitmap_next_tuple,
	.scan_sample_next_block = columnar_scan_sample_next_block,
	.scan_sample_next_tuple = columnar_scan_sample_next_tuple
};

/*
 * Return the columnar table access method routine.
 */
Datum
columnar_handler(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&columnar_methods);
}

/*
 * Remove the catalog rows of a columnar relation being dropped (its options
 * go with its pg_class row).
 */
static void
columnar_object_access(ObjectAccessType access, Oid classId, Oid objectId,
					   int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);

	if (access == OAT_DROP && classId == RelationRelationId && subId == 0)
	{
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(objectId));
		Oid			relam = InvalidOid;
		char		relkind = 0;

		if (HeapTupleIsValid(tup))
		{
			Form_pg_class form = (Form_pg_class) GETSTRUCT(tup);

			relam = form->relam;
			relkind = form->relkind;
			ReleaseSysCache(tup);
		}
		if ((relkind == RELKIND_RELATION || relkind == RELKIND_MATVIEW) &&
			OidIsValid(relam) && relam == get_table_am_oid("columnar", true) &&
			ColumnarCatalogReady())
		{
			Relation	rel = relation_open(objectId, AccessExclusiveLock);

			/*
			 * Buffered rows stay: the DROP may still be rolled back (to a
			 * savepoint); at flush, buffers of a relation that is gone are
			 * forgotten.
			 */
			if (ColumnarIsColumnarRelation(rel))
			{
				if (smgrexists(RelationGetSmgr(rel), MAIN_FORKNUM))
					ColumnarCatalogDeleteStorage(ColumnarStorageIdNoError(rel));
			}
			relation_close(rel, NoLock);
		}
	}
}

/*
 * Register the hook that keeps the catalog clean.
 */
void
ColumnarTableAmInit(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = columnar_object_access;
}
