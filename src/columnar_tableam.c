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

#include "access/genam.h"
#include "access/heapam.h"
#include "access/parallel.h"
#include "access/relscan.h"
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
#include "executor/executor.h"
#include "executor/spi.h"
#include "nodes/execnodes.h"
#include "optimizer/optimizer.h"
#include "port/atomics.h"
#include "utils/tuplesort.h"
#include "access/sysattr.h"
#include "catalog/pg_am_d.h"
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
#include "columnar_fetch.h"
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
	/* bitmap scans: rows by TID, and the rows of the current TID block */
	ColumnarFetchState *fetch;
	uint64		block_rows[MaxHeapTuplesPerPage];
	int			nblock_rows;
	int			next_block_row;
} ColumnarScanDescData;

/* An index scan's fetches by TID */
typedef struct ColumnarIndexFetchData
{
	IndexFetchTableData base;
	ColumnarFetchState *fetch;
} ColumnarIndexFetchData;

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

/*
 * Virtual slots, except that the heap tuples copied out of them keep the
 * row's TID: ANALYZE sorts its sample by the copies' t_self, and only then
 * are its correlations (which the planner uses to cost zone-map skipping)
 * those of the rows' order.
 */
static TupleTableSlotOps columnar_slot_ops;

static HeapTuple
columnar_copy_heap_tuple(TupleTableSlot *slot)
{
	HeapTuple	tuple = TTSOpsVirtual.copy_heap_tuple(slot);

	tuple->t_self = slot->tts_tid;
	return tuple;
}

static const TupleTableSlotOps *
columnar_slot_callbacks(Relation relation)
{
	return &columnar_slot_ops;
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

	/* parallel scans are only begun by parallel index builds */
	if (nkeys > 0)
		elog(ERROR, "columnar scans do not take scan keys");

	RelationIncrementReferenceCount(relation);
	scan = palloc0(sizeof(ColumnarScanDescData));
	scan->rs_base.rs_rd = relation;
	scan->rs_base.rs_snapshot = snapshot;
	scan->rs_base.rs_nkeys = 0;
	scan->rs_base.rs_flags = flags;
	scan->rs_base.rs_parallel = parallel_scan;
	scan->cxt = CurrentMemoryContext;
	return (TableScanDesc) scan;
}

static void
columnar_scan_end(TableScanDesc sscan)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	if (scan->read)
		ColumnarEndRead(scan->read);
	if (scan->fetch)
		ColumnarEndFetch(scan->fetch);
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
	if (scan->fetch)
		ColumnarResetFetch(scan->fetch);
	scan->nblock_rows = scan->next_block_row = 0;
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

/*
 * Only parallel index builds get here (in the leader, before the workers
 * start): the workers cannot see the rows this backend buffers, which
 * columnar_guard.c flushes before statements that build indexes; rows
 * buffered by an enclosing subtransaction cannot be flushed.
 */
static Size
columnar_parallelscan_initialize(Relation rel, ParallelTableScanDesc pscan)
{
	if (ColumnarHasPendingRows(RelationGetRelid(rel), NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot build an index of columnar table \"%s\" in parallel",
						RelationGetRelationName(rel)),
				 errdetail("Rows inserted before a savepoint of this transaction are still buffered."),
				 errhint("SET max_parallel_maintenance_workers = 0, or build the index after the transaction.")));
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
	ColumnarIndexFetchData *scan = palloc0(sizeof(ColumnarIndexFetchData));

	scan->base.rel = rel;
	scan->fetch = ColumnarBeginFetch(rel, false);
	return &scan->base;
}

static void
columnar_index_fetch_reset(IndexFetchTableData *sscan)
{
	ColumnarIndexFetchData *scan = (ColumnarIndexFetchData *) sscan;

	ColumnarResetFetch(scan->fetch);
}

static void
columnar_index_fetch_end(IndexFetchTableData *sscan)
{
	ColumnarIndexFetchData *scan = (ColumnarIndexFetchData *) sscan;

	ColumnarEndFetch(scan->fetch);
	pfree(scan);
}

/*
 * A row is never updated, so there is no chain to follow (no call_again),
 * and its index entries are never dead (all_dead stays false: rows of
 * aborted loads have entries until REINDEX).
 */
static bool
columnar_index_fetch_tuple(struct IndexFetchTableData *sscan, ItemPointer tid,
						   Snapshot snapshot, TupleTableSlot *slot,
						   bool *call_again, bool *all_dead)
{
	ColumnarIndexFetchData *scan = (ColumnarIndexFetchData *) sscan;

	*call_again = false;
	if (all_dead)
		*all_dead = false;
	if (!ItemPointerIsValid(tid))
		return false;
	if (!ColumnarFetch(scan->fetch, ColumnarTidToRow(tid), snapshot, slot))
		return false;
	pgstat_count_heap_fetch(sscan->rel);
	return true;
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

/*
 * Whether snapshot sees the row in slot (ON CONFLICT DO NOTHING under
 * REPEATABLE READ asks about a conflicting row found with a dirty
 * snapshot): its row group is visible, or this backend buffers it.
 */
static bool
columnar_tuple_satisfies_snapshot(Relation rel, TupleTableSlot *slot,
								  Snapshot snapshot)
{
	uint64		rownum;

	if (!ItemPointerIsValid(&slot->tts_tid))
		return false;
	if (snapshot == NULL || !IsMVCCSnapshot(snapshot))
		return true;
	rownum = ColumnarTidToRow(&slot->tts_tid);
	if (ColumnarPendingVisible(rel, rownum, snapshot))
		return true;
	return ColumnarCatalogFindRowGroup(ColumnarStorageId(rel), rownum, snapshot) != NULL;
}

/*
 * Index entries of columnar rows are never dead (rows are never deleted),
 * so none is deletable.
 */
static TransactionId
columnar_index_delete_tuples(Relation rel, TM_IndexDeleteOp *delstate)
{
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

/*
 * INSERT ... ON CONFLICT with an arbiter index: the row is inserted as any
 * other (the check before it found no conflict).  Other transactions wait
 * for this one rather than for a speculative token (see
 * columnar_catalog.c, reservations).
 */
static void
columnar_tuple_insert_speculative(Relation relation, TupleTableSlot *slot,
								  CommandId cid, int options,
								  BulkInsertState bistate, uint32 specToken)
{
	ColumnarCheckNotPublished(relation);
	ColumnarWriteRow(relation, slot, cid);
	pgstat_count_heap_insert(relation, 1);
}

/*
 * A concurrent transaction inserted the same key between the check and
 * the insertion: heap takes its row back and tries again; a buffered
 * columnar row cannot be taken back (its index entries exist), so the
 * statement fails and may be retried.
 */
static void
columnar_tuple_complete_speculative(Relation relation, TupleTableSlot *slot,
									uint32 specToken, bool succeeded)
{
	if (!succeeded)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not insert into columnar table \"%s\": a concurrent transaction inserted the same key",
						RelationGetRelationName(relation)),
				 errdetail("INSERT ... ON CONFLICT found the conflict only after inserting the row, which a columnar table cannot take back."),
				 errhint("Retry the statement.")));
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
				 errdetail("Rows of columnar table \"%s\" cannot be updated or deleted (nor by INSERT ... ON CONFLICT DO UPDATE).",
						   RelationGetRelationName(relation)),
				 errhint("Use FOR SHARE or FOR KEY SHARE, ON CONFLICT DO NOTHING, or a heap table.")));
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

/*
 * Return the 0-based columns an index reads (its keys, expressions and
 * predicate); *all when it reads whole rows.
 */
static Bitmapset *
index_columns(IndexInfo *index_info, bool *all)
{
	Bitmapset  *vars = NULL;
	Bitmapset  *cols = NULL;
	int			k = -1;

	*all = false;
	for (int i = 0; i < index_info->ii_NumIndexAttrs; i++)
	{
		AttrNumber	attno = index_info->ii_IndexAttrNumbers[i];

		if (attno > 0)
			cols = bms_add_member(cols, attno - 1);
	}
	pull_varattnos((Node *) index_info->ii_Expressions, 1, &vars);
	pull_varattnos((Node *) index_info->ii_Predicate, 1, &vars);
	while ((k = bms_next_member(vars, k)) >= 0)
	{
		AttrNumber	attno = k + FirstLowInvalidHeapAttributeNumber;

		if (attno == 0)
			*all = true;
		else if (attno > 0)
			cols = bms_add_member(cols, attno - 1);
	}
	return cols;
}

/* What building an index needs per row */
typedef struct BuildState
{
	Relation	index_rel;
	IndexInfo  *index_info;
	EState	   *estate;
	ExprContext *econtext;
	ExprState  *predicate;
	TupleTableSlot *slot;
	IndexBuildCallback callback;
	void	   *callback_state;
	double		reltuples;
} BuildState;

/*
 * Give the row in the build's slot to the index build callback, unless
 * the index predicate leaves it out.
 */
static void
build_row(BuildState *bs)
{
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];

	CHECK_FOR_INTERRUPTS();
	MemoryContextReset(bs->econtext->ecxt_per_tuple_memory);
	bs->reltuples += 1;
	if (bs->predicate != NULL && !ExecQual(bs->predicate, bs->econtext))
		return;
	FormIndexDatum(bs->index_info, bs->slot, bs->estate, values, isnull);
	bs->callback(bs->index_rel, &bs->slot->tts_tid, values, isnull, true,
				 bs->callback_state);
}

/*
 * Build an index: every row of every row group the build may see, and the
 * rows this backend still buffers, decoding only the columns the index
 * reads.  A plain build sees what is committed and this transaction's own
 * rows (no other writer can be at work: the build holds a ShareLock); a
 * concurrent one (CREATE INDEX CONCURRENTLY) what its MVCC snapshot sees,
 * the rest coming in index_validate_scan.  In a parallel build (scan is
 * given) the participants take row groups in turn from a counter in the
 * shared scan state; the leader has flushed its buffered rows before
 * (columnar_parallelscan_initialize).  Rows are never dead, so every row
 * is alive.
 *
 * When row groups that some snapshot may still see have been merged away
 * by VACUUM (their rows now have other TIDs), the index is marked as
 * unusable by transactions older than it (as heap does for broken HOT
 * chains).
 */
static double
columnar_index_build_range_scan(Relation table_rel, Relation index_rel,
								IndexInfo *index_info, bool allow_sync,
								bool anyvisible, bool progress,
								BlockNumber start_blockno,
								BlockNumber numblocks,
								IndexBuildCallback callback,
								void *callback_state, TableScanDesc scan)
{
	BuildState	bs;
	uint64		storage_id;
	Snapshot	snapshot;
	bool		registered = false;
	List	   *groups;
	bool		all;
	Bitmapset  *cols;
	MemoryContext cxt;
	ParallelBlockTableScanDesc pscan = NULL;
	int			ngroups;
	int			g = 0;
	Oid			amoid = index_rel->rd_rel->relam;

	if (amoid != BTREE_AM_OID && amoid != HASH_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("index access method \"%s\" is not supported on columnar tables",
						get_am_name(amoid)),
				 errdetail("Table \"%s\" is columnar; columnar tables take B-tree and hash indexes.",
						   RelationGetRelationName(table_rel)),
				 errhint("Use a B-tree or hash index.")));
	if (start_blockno != 0 || numblocks != InvalidBlockNumber)
		elog(ERROR, "columnar tables cannot build index entries for a block range");

	if (scan != NULL)
		pscan = (ParallelBlockTableScanDesc) scan->rs_parallel;
	if (index_info->ii_Concurrent)
	{
		snapshot = scan ? scan->rs_snapshot : NULL;
		if (snapshot == NULL || !IsMVCCSnapshot(snapshot))
		{
			snapshot = RegisterSnapshot(GetTransactionSnapshot());
			registered = true;
		}
	}
	else
		snapshot = SnapshotSelf;

	memset(&bs, 0, sizeof(bs));
	bs.index_rel = index_rel;
	bs.index_info = index_info;
	bs.callback = callback;
	bs.callback_state = callback_state;
	bs.estate = CreateExecutorState();
	bs.econtext = GetPerTupleExprContext(bs.estate);
	bs.slot = MakeSingleTupleTableSlot(RelationGetDescr(table_rel), &TTSOpsVirtual);
	bs.econtext->ecxt_scantuple = bs.slot;
	bs.predicate = ExecPrepareQual(index_info->ii_Predicate, bs.estate);
	cols = index_columns(index_info, &all);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "columnar index build",
								ALLOCSET_DEFAULT_SIZES);

	storage_id = ColumnarStorageId(table_rel);
	groups = ColumnarCatalogRowGroups(storage_id, snapshot);
	ngroups = list_length(groups);
	if (!index_info->ii_Concurrent && storage_id != 0 &&
		list_length(ColumnarCatalogRowGroups(storage_id, SnapshotAny)) > ngroups)
		index_info->ii_BrokenHotChain = true;

	for (;;)
	{
		ColumnarRowGroupMeta *meta;
		ColumnarBatch *batch;

		if (pscan != NULL)
			g = (int) pg_atomic_fetch_add_u64(&pscan->phs_nallocated, 1);
		if (g >= ngroups)
			break;
		meta = list_nth(groups, g);
		MemoryContextReset(cxt);
		batch = ColumnarLoadRowGroup(table_rel, meta, RelationGetDescr(table_rel),
									 all, cols, cxt);
		for (uint32 r = 0; r < batch->nrows; r++)
		{
			ColumnarBatchToSlot(batch, r, bs.slot);
			build_row(&bs);
		}
		if (pscan == NULL)
			g++;
	}

	/* this backend's buffered rows (none in parallel workers) */
	if (!IsParallelWorker())
	{
		List	   *pending = ColumnarPendingBatches(table_rel,
													 index_info->ii_Concurrent ? snapshot : NULL);
		ListCell   *lc;

		foreach(lc, pending)
		{
			ColumnarBatch *batch = lfirst(lc);

			for (uint32 r = 0; r < batch->nrows; r++)
			{
				ColumnarBatchToSlot(batch, r, bs.slot);
				build_row(&bs);
			}
		}
		ColumnarUnpinBatches(pending);
	}

	MemoryContextDelete(cxt);
	ExecDropSingleTupleTableSlot(bs.slot);
	FreeExecutorState(bs.estate);
	if (registered)
		UnregisterSnapshot(snapshot);
	if (scan != NULL)
		table_endscan(scan);
	/* the predicate was evaluated in the per-tuple context */
	index_info->ii_ExpressionsState = NIL;
	index_info->ii_PredicateState = NULL;
	return bs.reltuples;
}

/*
 * CREATE INDEX CONCURRENTLY, last phase: insert into the index the rows
 * snapshot sees that it lacks (state->tuplesort holds the TIDs it has,
 * sorted).  Rows come in TID order.
 */
static void
columnar_index_validate_scan(Relation table_rel, Relation index_rel,
							 IndexInfo *index_info, Snapshot snapshot,
							 ValidateIndexState *state)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(table_rel),
													&TTSOpsVirtual);
	EState	   *estate = CreateExecutorState();
	ExprContext *econtext = GetPerTupleExprContext(estate);
	ExprState  *predicate;
	bool		all;
	Bitmapset  *cols = index_columns(index_info, &all);
	ColumnarReadState *read;
	bool		ts_more = true;
	uint64		ts_row = 0;
	bool		ts_have = false;

	econtext->ecxt_scantuple = slot;
	predicate = ExecPrepareQual(index_info->ii_Predicate, estate);
	read = ColumnarBeginRead(table_rel, snapshot, RelationGetDescr(table_rel), !all, cols);
	while (ColumnarReadNextRow(read, ForwardScanDirection, slot))
	{
		uint64		rownum = ColumnarTidToRow(&slot->tts_tid);
		Datum		values[INDEX_MAX_KEYS];
		bool		isnull[INDEX_MAX_KEYS];

		CHECK_FOR_INTERRUPTS();
		state->htups += 1;
		/* skip the index's TIDs before this row */
		while (ts_more && (!ts_have || ts_row < rownum))
		{
			Datum		ts_val;
			bool		ts_isnull;
			ItemPointerData tid;

#if PG_VERSION_NUM >= 160000
			ts_more = tuplesort_getdatum(state->tuplesort, true, false,
										 &ts_val, &ts_isnull, NULL);
#else
			ts_more = tuplesort_getdatum(state->tuplesort, true,
										 &ts_val, &ts_isnull, NULL);
#endif
			if (ts_more)
			{
				Assert(!ts_isnull);
				itemptr_decode(&tid, DatumGetInt64(ts_val));
				ts_row = ColumnarTidToRow(&tid);
				ts_have = true;
			}
		}
		if (ts_have && ts_row == rownum)
			continue;			/* in the index already */

		MemoryContextReset(econtext->ecxt_per_tuple_memory);
		if (predicate != NULL && !ExecQual(predicate, econtext))
			continue;
		FormIndexDatum(index_info, slot, estate, values, isnull);
		index_insert(index_rel, values, isnull, &slot->tts_tid, table_rel,
					 index_info->ii_Unique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, index_info);
		state->tups_inserted += 1;
	}
	ColumnarEndRead(read);
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
	index_info->ii_ExpressionsState = NIL;
	index_info->ii_PredicateState = NULL;
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

/*
 * Bitmap scans: a "block" of TIDs is COLUMNAR_ROWS_PER_TID_BLOCK row
 * numbers; its rows are fetched by TID (columnar_fetch.c, which lists the
 * visible row groups at once).  A lossy block tries all its row numbers.
 */
static bool
columnar_scan_bitmap_next_block(TableScanDesc sscan, TBMIterateResult *tbmres)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;
	uint64		base = (uint64) tbmres->blockno * COLUMNAR_ROWS_PER_TID_BLOCK;

	if (scan->fetch == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(scan->cxt);

		scan->fetch = ColumnarBeginFetch(sscan->rs_rd, true);
		MemoryContextSwitchTo(old);
	}
	scan->nblock_rows = 0;
	scan->next_block_row = 0;
	if (tbmres->ntuples >= 0)
	{
		for (int i = 0; i < tbmres->ntuples; i++)
			scan->block_rows[scan->nblock_rows++] = base + tbmres->offsets[i] - 1;
	}
	else
	{
		for (int i = 0; i < COLUMNAR_ROWS_PER_TID_BLOCK; i++)
			scan->block_rows[scan->nblock_rows++] = base + i;
	}
	return scan->nblock_rows > 0;
}

static bool
columnar_scan_bitmap_next_tuple(TableScanDesc sscan, TBMIterateResult *tbmres,
								TupleTableSlot *slot)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	while (scan->next_block_row < scan->nblock_rows)
	{
		uint64		rownum = scan->block_rows[scan->next_block_row++];

		if (ColumnarFetch(scan->fetch, rownum, sscan->rs_snapshot, slot))
		{
			pgstat_count_heap_fetch(sscan->rs_rd);
			return true;
		}
	}
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
	columnar_slot_ops = TTSOpsVirtual;
	columnar_slot_ops.copy_heap_tuple = columnar_copy_heap_tuple;
	prev_object_access_hook = object_access_hook;
	object_access_hook = columnar_object_access;
}
