/*-------------------------------------------------------------------------
 *
 * columnar_parallel.c
 *	  Parallel scans of columnar tables: stored row groups handed out to the
 *	  participants through shared memory, the per-worker counters EXPLAIN
 *	  shows, and the rule that keeps rows this backend still buffers out of
 *	  the way of parallel workers.
 *
 * Dispatch.  Every participant of a parallel ColumnarScan (the leader and
 * each worker) lists the stored row groups itself, from the catalog, with
 * the query's snapshot: a worker runs with the leader's snapshot and
 * transaction state (xids, command ids, combo cids), restored by the
 * parallel infrastructure, so it sees exactly the leader's row groups, also
 * those the leader flushed earlier in the same transaction.  The catalog
 * lists them ordered by first row, so "row group k" is the same one in
 * every participant; the first participant to list them publishes their
 * number and a hash, and the others check it (an error, never a wrong
 * answer).  A shared atomic counter hands out the indexes: each
 * participant takes the next one and only then applies its zone-map skip
 * test, so skipping never shifts the numbering, and each counts what it
 * read and skipped.  ReInitializeDSM (a rescan) resets the counter; the
 * participants' lists stay what the snapshot showed.
 *
 * Counters.  PostgreSQL 15 gives custom scans no callback after the
 * workers are done and before the query's shared memory goes away (EXPLAIN
 * prints after that), so under EXPLAIN ANALYZE the leader makes a small
 * segment of its own for every worker's counters; the workers add theirs
 * to it at shutdown, and the leader reads them while printing.
 *
 * Buffered rows.  Rows that earlier commands of this transaction inserted
 * and that are not flushed yet exist only in this backend's memory
 * (columnar_writer.c); a worker would silently miss them.  Any scan may
 * run in a worker: a parallel-aware one, a parallel-safe one below a
 * Gather (the inner side of a parallel hash join), or the whole plan under
 * force_parallel_mode.  So:
 *	1. at plan time, a relation this backend buffers rows of gets no
 *	   partial path and no parallel-safe path (columnar_planner.c);
 *	2. a new write buffer invalidates the relation's cached plans
 *	   (columnar_writer.c), so a prepared statement planned before the rows
 *	   were buffered is planned again by rule 1 when they become visible,
 *	   and again after commit (when they are flushed), in parallel;
 *	3. some plans are not in the plan cache: a SQL function plans all its
 *	   statements at its first call, before its INSERT runs.  So at
 *	   executor start, in the leader, when the plan has a Gather and
 *	   workers may be launched, the rows visible to the query's snapshot of
 *	   every relation scanned below the Gather are flushed.  That is
 *	   invisible to every snapshot: the catalog row of the row group gets
 *	   the buffering command's id and the buffering subtransaction's xid,
 *	   exactly the visibility the buffered rows had.  Rows buffered in an
 *	   enclosing subtransaction cannot be flushed (the row group would
 *	   belong to the current subtransaction, and a rollback to its
 *	   savepoint would take the enclosing one's rows with it), nor can
 *	   anything be written while the leader is already in parallel mode:
 *	   those rare cases raise an error;
 *	4. the leader alone reads the buffered batches of a parallel-aware
 *	   scan, after the stored row groups.  Under rule 3 there are none when
 *	   workers may run; when none can (max_parallel_workers = 0), the whole
 *	   plan runs in the leader, which reads them.
 *
 * This file sits below the scan node and beside the reader: the scan node
 * (columnar_scan.c) owns the DSM callbacks, the reader
 * (columnar_reader.c) takes the row-group indexes from here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/table.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "columnar_parallel.h"
#include "columnar_writer.h"

static ExecutorStart_hook_type prev_executor_start_hook = NULL;

/* the relations that scans below a Gather read (see collect_worker_scans) */
typedef struct WorkerScans
{
	EState	   *estate;
	bool		below_gather;
	List	   *relids;
} WorkerScans;

/*
 * Return the bytes of the shared state of a parallel ColumnarScan.
 */
Size
ColumnarParallelEstimate(void)
{
	return MAXALIGN(sizeof(ColumnarParallelScan));
}

/*
 * Set up the shared state in the query's DSM (leader); counts_seg, when
 * not NULL, is the segment of the workers' counters.
 */
void
ColumnarParallelInitialize(ColumnarParallelScan *shared, dsm_segment *counts_seg)
{
	pg_atomic_init_u64(&shared->next_group, 0);
	SpinLockInit(&shared->mutex);
	shared->groups_known = false;
	shared->ngroups = 0;
	shared->groups_hash = 0;
	shared->counts_handle = counts_seg ? dsm_segment_handle(counts_seg) :
		DSM_HANDLE_INVALID;
}

/*
 * Start handing out the row groups again (a rescan; leader, workers not
 * running).  The row-group list stays the one the snapshot showed.
 */
void
ColumnarParallelReinitialize(ColumnarParallelScan *shared)
{
	pg_atomic_write_u64(&shared->next_group, 0);
}

/*
 * Take the index of the next stored row group to read; past the end when
 * they are all taken.
 */
uint64
ColumnarParallelNextGroup(ColumnarParallelScan *shared)
{
	return pg_atomic_fetch_add_u64(&shared->next_group, 1);
}

/*
 * Publish, or check against what another participant published, the
 * number and hash of the stored row groups this participant lists.
 */
void
ColumnarParallelAgree(ColumnarParallelScan *shared, uint32 ngroups,
					  uint64 groups_hash)
{
	bool		agree = true;

	SpinLockAcquire(&shared->mutex);
	if (!shared->groups_known)
	{
		shared->groups_known = true;
		shared->ngroups = ngroups;
		shared->groups_hash = groups_hash;
	}
	else
		agree = shared->ngroups == ngroups && shared->groups_hash == groups_hash;
	SpinLockRelease(&shared->mutex);
	if (!agree)
		elog(ERROR, "participants of a parallel columnar scan list different row groups");
}

/*
 * Make the segment of the counters of nworkers workers (leader); returns
 * NULL, and no segment, when no segment can be had.
 */
ColumnarWorkerCounts *
ColumnarParallelCreateCounts(int nworkers, dsm_segment **seg)
{
	Size		size = add_size(offsetof(ColumnarWorkerCounts, worker),
								mul_size(sizeof(ColumnarScanCounts), Max(nworkers, 1)));
	ColumnarWorkerCounts *counts;

	*seg = dsm_create(size, DSM_CREATE_NULL_IF_MAXSEGMENTS);
	if (*seg == NULL)
		return NULL;
	counts = dsm_segment_address(*seg);
	memset(counts, 0, size);
	counts->nworkers = nworkers;
	return counts;
}

/*
 * Attach to the segment of the workers' counters (worker); NULL when there
 * is none.
 */
ColumnarWorkerCounts *
ColumnarParallelAttachCounts(ColumnarParallelScan *shared, dsm_segment **seg)
{
	*seg = NULL;
	if (shared->counts_handle == DSM_HANDLE_INVALID)
		return NULL;
	*seg = dsm_attach(shared->counts_handle);
	return *seg ? dsm_segment_address(*seg) : NULL;
}

/*
 * Return the range-table index of the relation a plan node scans, 0 when
 * it scans none.
 */
static Index
scanned_relation(Plan *plan)
{
	switch (nodeTag(plan))
	{
		case T_SeqScan:
		case T_SampleScan:
		case T_IndexScan:
		case T_IndexOnlyScan:
		case T_BitmapHeapScan:
		case T_TidScan:
		case T_TidRangeScan:
		case T_CustomScan:
			return ((Scan *) plan)->scanrelid;
		default:
			return 0;
	}
}

/*
 * Add to ctx->relids the relations that scans below a Gather or Gather
 * Merge read: those may run in workers.  A Gather's own init plans run in
 * the leader.
 */
static bool
collect_worker_scans(PlanState *ps, void *arg)
{
	WorkerScans *ctx = arg;
	Index		rti;

	if (ps == NULL)
		return false;
	if (IsA(ps, GatherState) || IsA(ps, GatherMergeState))
	{
		bool		below = ctx->below_gather;
		ListCell   *lc;

		foreach(lc, ps->initPlan)
			collect_worker_scans(((SubPlanState *) lfirst(lc))->planstate, ctx);
		ctx->below_gather = true;
		collect_worker_scans(outerPlanState(ps), ctx);
		ctx->below_gather = below;
		return false;
	}
	rti = scanned_relation(ps->plan);
	if (ctx->below_gather && rti > 0)
	{
		RangeTblEntry *rte = exec_rt_fetch(rti, ctx->estate);

		if (rte->rtekind == RTE_RELATION)
			ctx->relids = list_append_unique_oid(ctx->relids, rte->relid);
	}
	return planstate_tree_walker(ps, collect_worker_scans, ctx);
}

/*
 * Flush the rows this backend buffers, visible to the query's snapshot, of
 * the relations that parallel workers may scan (rule 3 of the banner), or
 * raise an error when they cannot be flushed.
 */
static void
flush_rows_workers_would_miss(QueryDesc *queryDesc)
{
	WorkerScans ctx;
	ListCell   *lc;

	ctx.estate = queryDesc->estate;
	ctx.below_gather = false;
	ctx.relids = NIL;
	collect_worker_scans(queryDesc->planstate, &ctx);
	foreach(lc, ctx.relids)
	{
		Oid			relid = lfirst_oid(lc);

		if (!ColumnarHasPendingRows(relid, queryDesc->snapshot))
			continue;
		if (!IsInParallelMode())
		{
			Relation	rel = table_open(relid, RowExclusiveLock);

			/* only the current subtransaction's: see the banner */
			ColumnarFlushRelation(rel, false);
			table_close(rel, RowExclusiveLock);
		}
		if (ColumnarHasPendingRows(relid, queryDesc->snapshot))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot read rows of \"%s\" this transaction still buffers in a parallel plan",
							get_rel_name(relid)),
					 errdetail("The plan was made before the rows were written, and parallel workers cannot see them; rows buffered before the current savepoint cannot be written out inside it, nor can any be written during a parallel operation."),
					 errhint("Release the savepoint first, or set max_parallel_workers to 0 for this query.")));
	}
	list_free(ctx.relids);
}

/*
 * Start the executor; then, for a plan that may run scans in parallel
 * workers, keep the rows this backend buffers from being missed.
 */
static void
columnar_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (prev_executor_start_hook)
		prev_executor_start_hook(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);

	/* no scan has read anything yet: they all start at their first row */
	if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 &&
		queryDesc->plannedstmt->parallelModeNeeded &&
		max_parallel_workers > 0 && !IsParallelWorker() &&
		ColumnarHasPendingRows(InvalidOid, queryDesc->snapshot))
		flush_rows_workers_would_miss(queryDesc);
}

/*
 * Register the executor hook of parallel scans.
 */
void
ColumnarParallelInit(void)
{
	prev_executor_start_hook = ExecutorStart_hook;
	ExecutorStart_hook = columnar_executor_start;
}
