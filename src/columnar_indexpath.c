/*-------------------------------------------------------------------------
 *
 * columnar_indexpath.c
 *	  Index and bitmap scans of columnar tables in the planner and the
 *	  executor: honest costs, the columns their fetches decode, and no
 *	  prefetching of TID blocks.
 *
 * Costs.  PostgreSQL costs the table side of an index or bitmap scan as
 * page fetches of a heap; a columnar table is much smaller than its heap
 * (so those look cheap), and what a fetch by TID really costs is, for each
 * column the scan reads, reading the image of the segment
 * (COLUMNAR_SEGMENT_ROWS rows) that holds the row and decoding the row's
 * value from it, or the whole segment once it serves several rows
 * (columnar_fetch.c).  So the hook adds to every index and bitmap path of
 * a columnar relation that work for the segments its rows touch: between
 * the rows' share of the segments, when the index's first column follows
 * the rows' order, and index_pages_fetched over them, when it does not, by
 * the square of the column's correlation in pg_stats (as cost_index does
 * for heap pages); an index-only scan reads no column.  A point lookup and
 * a short range on a column in row order stay cheap; a scan of many rows
 * in random order costs what decoding them row group by row group costs
 * and more, so analytic queries keep the ColumnarScan.  The hook runs
 * before the ColumnarScan paths are added (columnar_planner.c registers
 * its hook after this one), so they compete with the corrected costs.
 *
 * Prefetching.  A bitmap heap scan prefetches the table blocks of the TIDs
 * it will visit (effective_io_concurrency); columnar TIDs are row numbers,
 * whose "blocks" lie far past the end of the file, where asking for a
 * missing 1 GB segment is an error.  So plans with a bitmap heap scan of a
 * columnar table start with effective_io_concurrency = 0 (the executor
 * reads it once, at start).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/sysattr.h"
#include "access/table.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "storage/bufmgr.h"
#include "executor/executor.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"
#include "optimizer/cost.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "parser/parsetree.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "catalog/pg_statistic.h"

#include "columnar_chunk.h"
#include "columnar_fetch.h"
#include "columnar_indexpath.h"
#include "columnar_storage.h"

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;
static ExecutorStart_hook_type prev_executor_start_hook = NULL;

/*
 * Return the correlation ANALYZE found between the order of index's first
 * column and the rows' order (0 when unknown or an expression).
 */
static double
index_correlation(RangeTblEntry *rte, IndexOptInfo *index)
{
	HeapTuple	tuple;
	AttStatsSlot sslot;
	double		correlation = 0.0;

	if (index == NULL || index->ncolumns < 1 || index->indexkeys[0] <= 0)
		return 0.0;
	tuple = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(rte->relid),
							Int16GetDatum(index->indexkeys[0]), BoolGetDatum(false));
	if (!HeapTupleIsValid(tuple))
		return 0.0;
	if (get_attstatsslot(&sslot, tuple, STATISTIC_KIND_CORRELATION, InvalidOid,
						 ATTSTATSSLOT_NUMBERS))
	{
		if (sslot.nnumbers > 0)
			correlation = sslot.numbers[0];
		free_attstatsslot(&sslot);
	}
	ReleaseSysCache(tuple);
	return correlation;
}

/*
 * Return the cost of fetching ntuples rows of rel by TID, ncols columns
 * each, when their order follows the rows' with the given correlation
 * (in_row_order: a bitmap scan, which visits rows in row order).
 *
 * For each column, the fetch reads the image of every segment it touches
 * (decompressed and checked: about a quarter of what decoding the segment
 * costs), then decodes each row's value alone, or, once a segment serves
 * COLUMNAR_FETCH_DECODE_HITS rows, the whole segment (columnar_fetch.c).  The
 * segments touched are estimated as heap pages are by cost_index: between
 * the rows' share of the segments (perfect correlation) and
 * index_pages_fetched over them (none), by the square of the correlation.
 */
static Cost
fetch_decode_cost(PlannerInfo *root, RelOptInfo *rel, double ntuples, int ncols,
				  double correlation, bool in_row_order)
{
	double		nsegs = ceil(Max(rel->tuples, 1.0) / COLUMNAR_SEGMENT_ROWS);
	double		per_value = cpu_operator_cost * 0.1;
	double		image = COLUMNAR_SEGMENT_ROWS * per_value * 0.25;
	double		random;
	double		ordered;
	double		touched;
	double		per_seg;
	double		c2 = correlation * correlation;

	ntuples = Max(ntuples, 1.0);
	ordered = Min(ceil(ntuples / COLUMNAR_SEGMENT_ROWS) + 1, nsegs);
	if (in_row_order)
		random = nsegs * (1.0 - exp(-ntuples / nsegs));	/* distinct segments */
	else
		random = index_pages_fetched(ntuples, (BlockNumber) nsegs, 0, root);
	random = Max(Min(random, ntuples), 1.0);
	touched = random + c2 * (Min(ordered, random) - random);
	per_seg = ntuples / touched;
	if (per_seg >= COLUMNAR_FETCH_DECODE_HITS)
		per_seg = COLUMNAR_SEGMENT_ROWS * per_value;	/* decoded whole */
	else
		per_seg *= cpu_operator_cost;	/* a value at a time */
	/* and the catalog lookup of each row group an index scan meets */
	return touched * ncols * (image + per_seg) +
		Min(ntuples, nsegs) * (in_row_order ? 0 : cpu_tuple_cost);
}

/*
 * Return how many columns of rel a scan must fetch for the query (its
 * target list and restrictions).
 */
static int
needed_columns(RelOptInfo *rel, int ncols)
{
	Bitmapset  *attrs = NULL;
	ListCell   *lc;
	int			n = 0;
	int			x = -1;

	pull_varattnos((Node *) rel->reltarget->exprs, rel->relid, &attrs);
	foreach(lc, rel->baserestrictinfo)
		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause, rel->relid, &attrs);
	while ((x = bms_next_member(attrs, x)) >= 0)
	{
		AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;

		if (attno == 0)
			return ncols;
		if (attno > 0)
			n++;
	}
	return Min(n, ncols);
}

static int
compare_total_cost(const ListCell *a, const ListCell *b)
{
	Path	   *pa = lfirst(a);
	Path	   *pb = lfirst(b);

	if (pa->total_cost < pb->total_cost)
		return -1;
	return pa->total_cost > pb->total_cost ? 1 : 0;
}

static void
indexpath_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
						   RangeTblEntry *rte)
{
	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	if (rte->rtekind == RTE_RELATION && rte->relkind != RELKIND_PARTITIONED_TABLE &&
		rel->indexlist != NIL && ColumnarIsColumnarRelid(rte->relid))
	{
		Relation	relation = table_open(rte->relid, NoLock);
		TupleDesc	desc = RelationGetDescr(relation);
		int			ncols = 0;
		int			needed;
		bool		changed = false;
		ListCell   *lc;

		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped)
				ncols++;
		table_close(relation, NoLock);
		needed = needed_columns(rel, ncols);

		foreach(lc, rel->pathlist)
		{
			Path	   *path = lfirst(lc);
			double		ntuples;
			Cost		extra;

			if (IsA(path, IndexPath))
			{
				IndexPath  *ipath = (IndexPath *) path;

				ntuples = ipath->indexselectivity * rel->tuples;
				/* an index-only scan asks the table only for visibility */
				extra = fetch_decode_cost(root, rel, ntuples,
										  path->pathtype == T_IndexOnlyScan ? 0 : needed,
										  index_correlation(rte, ipath->indexinfo), false);
			}
			else if (IsA(path, BitmapHeapPath))
			{
				BitmapHeapPath *bpath = (BitmapHeapPath *) path;
				Cost		cost;
				Selectivity sel;
				IndexOptInfo *index = NULL;

				cost_bitmap_tree_node(bpath->bitmapqual, &cost, &sel);
				ntuples = sel * rel->tuples;
				if (IsA(bpath->bitmapqual, IndexPath))
					index = ((IndexPath *) bpath->bitmapqual)->indexinfo;
				extra = fetch_decode_cost(root, rel, ntuples, needed,
										  index_correlation(rte, index), true);
			}
			else
				continue;
			path->total_cost += extra;
			changed = true;
		}
		if (changed)
			list_sort(rel->pathlist, compare_total_cost);
	}
}

/*
 * Return whether a plan tree holds a bitmap heap scan of a columnar table.
 */
static bool
has_columnar_bitmap_scan(Plan *plan, List *rtable)
{
	ListCell   *lc;

	if (plan == NULL)
		return false;
	if (IsA(plan, BitmapHeapScan))
	{
		RangeTblEntry *rte = rt_fetch(((Scan *) plan)->scanrelid, rtable);

		if (rte->rtekind == RTE_RELATION && ColumnarIsColumnarRelid(rte->relid))
			return true;
	}
	if (has_columnar_bitmap_scan(plan->lefttree, rtable) ||
		has_columnar_bitmap_scan(plan->righttree, rtable))
		return true;
	if (IsA(plan, Append))
	{
		foreach(lc, ((Append *) plan)->appendplans)
			if (has_columnar_bitmap_scan(lfirst(lc), rtable))
				return true;
	}
	else if (IsA(plan, MergeAppend))
	{
		foreach(lc, ((MergeAppend *) plan)->mergeplans)
			if (has_columnar_bitmap_scan(lfirst(lc), rtable))
				return true;
	}
	else if (IsA(plan, SubqueryScan))
		return has_columnar_bitmap_scan(((SubqueryScan *) plan)->subplan, rtable);
	else if (IsA(plan, CustomScan))
	{
		foreach(lc, ((CustomScan *) plan)->custom_plans)
			if (has_columnar_bitmap_scan(lfirst(lc), rtable))
				return true;
	}
	return false;
}

/*
 * Columns.  A fetch by TID decodes only the columns its scan reads
 * (columnar_fetch.c).  PostgreSQL gives the table AM no column list, and
 * begins an index scan's fetch on the scan's first call, not when the plan
 * starts; so once a plan has started, the first call of each index, index-
 * only and bitmap heap scan of a columnar table goes through scan_first_call,
 * which tells columnar_fetch.c, for that call only, the columns the scan
 * node reads: the Vars of its target list, its quals and the original
 * index (or bitmap) quals and ORDER BY expressions it rechecks; all of them
 * for a whole-row reference; none for an index-only scan, which reads the
 * table only to learn whether the row is visible.  A scan whose target list
 * is the table's physical one reads every column.  Fetches begun anywhere
 * else (uniqueness checks, parallel scans begun by Gather) read all columns.
 */
typedef struct ScanWrap
{
	PlanState  *ps;
	EState	   *estate;
	ExecProcNodeMtd real;
	Oid			relid;
	Bitmapset  *attrs;			/* in the query's memory */
	bool		all;
} ScanWrap;

/* the scans whose first call is still to come (in TopMemoryContext) */
static List *scan_wraps = NIL;

/*
 * Forget the scans of a query whose memory goes (a reset callback of its
 * es_query_cxt).
 */
static void
forget_scan_wraps(void *arg)
{
	EState	   *estate = arg;
	ListCell   *lc;

	foreach(lc, scan_wraps)
	{
		ScanWrap   *w = lfirst(lc);

		if (w->estate == estate)
		{
			scan_wraps = foreach_delete_current(scan_wraps, lc);
			pfree(w);
		}
	}
}

/*
 * The first call of a wrapped scan: puts the scan's own ExecProcNode back
 * and runs it with its columns announced to columnar_fetch.c.
 */
static TupleTableSlot *
scan_first_call(PlanState *ps)
{
	ScanWrap	w;
	ListCell   *lc;
	TupleTableSlot *slot;
	bool		found = false;

	foreach(lc, scan_wraps)
	{
		ScanWrap   *e = lfirst(lc);

		if (e->ps == ps)
		{
			w = *e;
			scan_wraps = foreach_delete_current(scan_wraps, lc);
			pfree(e);
			found = true;
			break;
		}
	}
	if (!found)
		elog(ERROR, "columnar scan node lost its ExecProcNode");
	if (ps->ExecProcNode == scan_first_call)
		ps->ExecProcNode = w.real;
	ps->ExecProcNodeReal = w.real;
	ColumnarFetchSetScanColumns(w.relid, w.attrs, w.all);
	PG_TRY();
	{
		slot = w.real(ps);
	}
	PG_FINALLY();
	{
		ColumnarFetchSetScanColumns(InvalidOid, NULL, false);
	}
	PG_END_TRY();
	return slot;
}

/*
 * Wrap the first call of the index, index-only and bitmap heap scans of
 * columnar tables in a started plan (a planstate_tree_walker callback).
 */
static bool
wrap_scans(PlanState *ps, void *context)
{
	EState	   *estate = context;
	Plan	   *plan;
	Relation	rel;
	Bitmapset  *attrs = NULL;
	Index		scanrelid;
	bool		wrap = false;

	if (ps == NULL)
		return false;
	plan = ps->plan;
	if (IsA(ps, IndexScanState) || IsA(ps, IndexOnlyScanState) ||
		IsA(ps, BitmapHeapScanState))
	{
		rel = ((ScanState *) ps)->ss_currentRelation;
		wrap = rel != NULL && ColumnarIsColumnarRelid(RelationGetRelid(rel));
	}
	if (wrap)
	{
		MemoryContext old = MemoryContextSwitchTo(estate->es_query_cxt);
		ScanWrap   *w;

		scanrelid = ((Scan *) plan)->scanrelid;
		if (IsA(plan, IndexScan))
		{
			IndexScan  *is = (IndexScan *) plan;

			pull_varattnos((Node *) plan->targetlist, scanrelid, &attrs);
			pull_varattnos((Node *) plan->qual, scanrelid, &attrs);
			pull_varattnos((Node *) is->indexqualorig, scanrelid, &attrs);
			pull_varattnos((Node *) is->indexorderbyorig, scanrelid, &attrs);
		}
		else if (IsA(plan, BitmapHeapScan))
		{
			pull_varattnos((Node *) plan->targetlist, scanrelid, &attrs);
			pull_varattnos((Node *) plan->qual, scanrelid, &attrs);
			pull_varattnos((Node *) ((BitmapHeapScan *) plan)->bitmapqualorig,
						   scanrelid, &attrs);
		}
		MemoryContextSwitchTo(old);

		old = MemoryContextSwitchTo(TopMemoryContext);
		w = palloc0(sizeof(ScanWrap));
		w->ps = ps;
		w->estate = estate;
		w->real = ps->ExecProcNodeReal;
		w->relid = RelationGetRelid(rel);
		w->attrs = attrs;
		w->all = bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber, attrs);
		scan_wraps = lappend(scan_wraps, w);
		MemoryContextSwitchTo(old);
		ps->ExecProcNodeReal = scan_first_call;
		if (ps->ExecProcNode == w->real)
			ps->ExecProcNode = scan_first_call;
	}
	return planstate_tree_walker(ps, wrap_scans, context);
}

/*
 * Start a plan (as standard_ExecutorStart or the hook before ours), then
 * wrap its columnar index and bitmap scans.
 */
static void
start_plan(QueryDesc *queryDesc, int eflags)
{
	if (prev_executor_start_hook)
		prev_executor_start_hook(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
	if (queryDesc->planstate != NULL && !(eflags & EXEC_FLAG_EXPLAIN_ONLY))
	{
		EState	   *estate = queryDesc->estate;
		int			before = list_length(scan_wraps);

		PG_TRY();
		{
			wrap_scans(queryDesc->planstate, estate);
		}
		PG_CATCH();
		{
			forget_scan_wraps(estate);
			PG_RE_THROW();
		}
		PG_END_TRY();
		if (list_length(scan_wraps) > before)
		{
			MemoryContextCallback *cb = MemoryContextAlloc(estate->es_query_cxt,
														   sizeof(MemoryContextCallback));

			cb->func = forget_scan_wraps;
			cb->arg = estate;
			MemoryContextRegisterResetCallback(estate->es_query_cxt, cb);
		}
	}
}

static void
indexpath_executor_start(QueryDesc *queryDesc, int eflags)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;
	bool		found = false;
	ListCell   *lc;

	if (effective_io_concurrency > 0 && stmt != NULL)
	{
		found = has_columnar_bitmap_scan(stmt->planTree, stmt->rtable);
		foreach(lc, stmt->subplans)
			found = found || has_columnar_bitmap_scan(lfirst(lc), stmt->rtable);
	}
	if (!found)
	{
		start_plan(queryDesc, eflags);
		return;
	}
	{
		int			nestlevel = NewGUCNestLevel();

		(void) set_config_option("effective_io_concurrency", "0", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
		start_plan(queryDesc, eflags);
		AtEOXact_GUC(true, nestlevel);
	}
}

/*
 * Register the planner and executor hooks (before columnar_planner.c's).
 */
void
ColumnarIndexPathInit(void)
{
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = indexpath_set_rel_pathlist;
	prev_executor_start_hook = ExecutorStart_hook;
	ExecutorStart_hook = indexpath_executor_start;
}
