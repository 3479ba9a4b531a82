/*-------------------------------------------------------------------------
 *
 * columnar_indexpath.c
 *	  Index and bitmap scans of columnar tables in the planner and the
 *	  executor: honest costs, and no prefetching of TID blocks.
 *
 * Costs.  PostgreSQL costs the table side of an index or bitmap scan as
 * page fetches of a heap; a columnar table is much smaller than its heap
 * (so those look cheap), and what a fetch by TID really costs is decoding,
 * for every column of the table, the segment (COLUMNAR_SEGMENT_ROWS rows)
 * that holds the row, unless a row fetched just before decoded it
 * (columnar_fetch.c).  So the hook adds to every index and bitmap path of a
 * columnar relation the decoding of the segments its rows touch, estimated
 * like heap pages (index_pages_fetched over the table's segments), at the
 * ColumnarScan's price per value decoded (a tenth of cpu_operator_cost).
 * A point lookup stays cheap; a scan of many rows costs what decoding them
 * row group by row group costs and more, so analytic queries keep the
 * ColumnarScan.  The hook runs before the ColumnarScan paths are added
 * (columnar_planner.c registers its hook after this one), so they compete
 * with the corrected costs.
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

#include "access/table.h"
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

#include "columnar_chunk.h"
#include "columnar_indexpath.h"
#include "columnar_storage.h"

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;
static ExecutorStart_hook_type prev_executor_start_hook = NULL;

/*
 * Return the cost of decoding the segments that fetching ntuples rows of
 * rel by TID touches.
 */
static Cost
fetch_decode_cost(PlannerInfo *root, RelOptInfo *rel, double ntuples, int ncols)
{
	double		nsegs = ceil(Max(rel->tuples, 1.0) / COLUMNAR_SEGMENT_ROWS);
	double		touched;

	ntuples = Max(ntuples, 1.0);
	touched = Min(ntuples, nsegs);
	/* rows near each other share segments, as heap tuples share pages */
	touched = Min(touched, index_pages_fetched(ntuples, (BlockNumber) nsegs, 0, root));
	return touched * ncols * COLUMNAR_SEGMENT_ROWS * cpu_operator_cost * 0.1;
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
		bool		changed = false;
		ListCell   *lc;

		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped)
				ncols++;
		table_close(relation, NoLock);
		ncols = Max(ncols, 1);

		foreach(lc, rel->pathlist)
		{
			Path	   *path = lfirst(lc);
			double		ntuples;
			Cost		extra;

			if (IsA(path, IndexPath))
				ntuples = ((IndexPath *) path)->indexselectivity * rel->tuples;
			else if (IsA(path, BitmapHeapPath))
			{
				Cost		cost;
				Selectivity sel;

				cost_bitmap_tree_node(((BitmapHeapPath *) path)->bitmapqual, &cost, &sel);
				ntuples = sel * rel->tuples;
			}
			else
				continue;
			extra = fetch_decode_cost(root, rel, ntuples, ncols);
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
		if (prev_executor_start_hook)
			prev_executor_start_hook(queryDesc, eflags);
		else
			standard_ExecutorStart(queryDesc, eflags);
		return;
	}
	{
		int			nestlevel = NewGUCNestLevel();

		(void) set_config_option("effective_io_concurrency", "0", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
		if (prev_executor_start_hook)
			prev_executor_start_hook(queryDesc, eflags);
		else
			standard_ExecutorStart(queryDesc, eflags);
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
