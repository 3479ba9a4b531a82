/*-------------------------------------------------------------------------
 *
 * columnar_planner.c
 *	  Planning scans of columnar tables: the set_rel_pathlist hook, the
 *	  ColumnarScan path and its cost, and the settings that switch it.
 *
 * For every columnar base relation (also partitions) the hook adds a
 * CustomPath cheaper than the sequential scan when biwh.enable_custom_scan
 * is on, reading only the columns the query uses.  Its plan splits the
 * quals: those the scan evaluates on vectors (columnar_qual.c) go to
 * custom_exprs, the others stay in the plan's qual for ExecQual.
 *
 * Parallel plans: PostgreSQL's own partial paths of a columnar relation
 * are removed (the table AM has no parallel block scan); the hook adds a
 * partial ColumnarScan path instead, parallel-aware (columnar_scan.c hands
 * out row groups), with the workers compute_parallel_worker gives
 * (max_parallel_workers_per_gather, the parallel_workers reloption,
 * min_parallel_table_scan_size) and the serial path's costs with the CPU
 * part divided among the participants, as cost_seqscan does; Gather,
 * partial aggregates and parallel joins above it are PostgreSQL's.  The
 * serial paths stay parallel-safe where PostgreSQL found the relation so.
 * Except when this backend buffers rows of the relation: workers cannot
 * see them, so then no path is parallel-safe and there is no partial path
 * (rule 1 of columnar_parallel.c, where the rest of the rule is).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_class.h"
#include "nodes/extensible.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/spccache.h"

#include "columnar_planner.h"
#include "columnar_qual.h"
#include "columnar_scan.h"
#include "columnar_storage.h"
#include "columnar_writer.h"

static bool columnar_enable_custom_scan = true;
static bool columnar_enable_vectorization = true;

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

static Plan *plan_columnar_path(PlannerInfo *root, RelOptInfo *rel,
								CustomPath *best_path, List *tlist,
								List *clauses, List *custom_plans);

static const CustomPathMethods columnar_path_methods = {
	.CustomName = "ColumnarScan",
	.PlanCustomPath = plan_columnar_path,
};

/*
 * Return the share of a partial path's rows each participant handles, as
 * PostgreSQL's costsize.c counts it (the leader does less the more workers
 * there are).
 */
static double
parallel_divisor(int workers)
{
	double		divisor = workers;

	if (parallel_leader_participation && 1.0 - 0.3 * workers > 0)
		divisor += 1.0 - 0.3 * workers;
	return divisor;
}

/* the cost of decoding one value, or evaluating one vectorized qual on it */
#define COLUMNAR_VECTOR_COST_FACTOR	0.1
/* decoding a single row of a segment costs this many times more */
#define COLUMNAR_GATHER_COST_FACTOR	20

/*
 * Return the CPU cost of a ColumnarScan of rel reading nneeded columns:
 * decoding the columns of the vectorized quals and evaluating them for
 * every row; decoding the other columns it needs for the batches with rows
 * left, or only those rows when few are left (columnar_scan.c gathers them
 * when at most one in 16 is); a tuple and the other quals for the rows the
 * vectorized ones leave; the target list for the rows returned.
 */
static Cost
vector_cpu_cost(PlannerInfo *root, RelOptInfo *rel, int nneeded)
{
	double		tuples = rel->tuples;
	double		per_value = cpu_operator_cost * COLUMNAR_VECTOR_COST_FACTOR;
	List	   *vec_clauses = NIL;
	List	   *other = NIL;
	Bitmapset  *qual_attrs = NULL;
	ListCell   *lc;
	Selectivity vec_sel;
	QualCost	other_cost;
	double		left;
	int			nqual_cols;
	int			nrest;
	Cost		cost;

	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (columnar_enable_vectorization && !ri->pseudoconstant &&
			ColumnarQualIsVectorizable(ri->clause))
		{
			vec_clauses = lappend(vec_clauses, ri);
			pull_varattnos((Node *) ri->clause, rel->relid, &qual_attrs);
		}
		else
			other = lappend(other, ri);
	}
	vec_sel = clauselist_selectivity(root, vec_clauses, rel->relid, JOIN_INNER, NULL);
	cost_qual_eval(&other_cost, other, root);
	left = clamp_row_est(tuples * vec_sel);
	nqual_cols = Min(bms_num_members(qual_attrs), nneeded);
	nrest = Max(nneeded - nqual_cols, 0);

	cost = tuples * per_value * (nqual_cols + list_length(vec_clauses));
	if (vec_sel * 16 <= 1.0)
		cost += left * per_value * COLUMNAR_GATHER_COST_FACTOR * nrest;
	else
		cost += tuples * per_value * nrest;
	cost += left * (cpu_tuple_cost + other_cost.per_tuple);
	cost += other_cost.startup + rel->reltarget->cost.startup +
		rel->rows * rel->reltarget->cost.per_tuple;
	return cost;
}

/*
 * Return a ColumnarScan path reading cols, of rows rows; its total cost is
 * set by the caller.
 */
static CustomPath *
make_scan_path(RelOptInfo *rel, List *cols, double rows, Cost startup_cost)
{
	CustomPath *cpath = makeNode(CustomPath);

	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = rel;
	cpath->path.pathtarget = rel->reltarget;
	cpath->path.param_info = NULL;
	cpath->path.rows = rows;
	cpath->path.startup_cost = startup_cost;
	cpath->path.pathkeys = NIL;
	/* no backward scans: the executor puts a Material node above for them */
	cpath->flags = 0;
	cpath->custom_private = list_make1(cols);
	cpath->methods = &columnar_path_methods;
	return cpath;
}

/*
 * Add the ColumnarScan paths for a columnar base relation: the serial one
 * (parallel-safe when parallel_ok) and, when parallel_ok, a partial one.
 */
static void
add_scan_paths(PlannerInfo *root, RelOptInfo *rel, RangeTblEntry *rte,
			   bool parallel_ok)
{
	CustomPath *cpath;
	Bitmapset  *attrs = NULL;
	List	   *cols = NIL;
	ListCell   *lc;
	Path	   *seq = NULL;
	int			natts = rel->max_attr;
	int			nneeded = 0;
	bool		all = false;
	int			x = -1;
	double		spc_seq_page_cost;
	double		rows;
	Cost		startup;
	double		share;
	Cost		disk_run;
	Cost		cpu_run;
	int			workers;

	if (!columnar_enable_custom_scan || rel->rtekind != RTE_RELATION)
		return;

	pull_varattnos((Node *) rel->reltarget->exprs, rel->relid, &attrs);
	foreach(lc, rel->baserestrictinfo)
		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause, rel->relid, &attrs);
	while ((x = bms_next_member(attrs, x)) >= 0)
	{
		AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;

		if (attno == 0)
			all = true;
		else if (attno > 0)
		{
			cols = lappend_int(cols, attno - 1);
			nneeded++;
		}
	}
	if (all)
	{
		cols = NIL;
		for (int i = 0; i < natts; i++)
			cols = lappend_int(cols, i);
		nneeded = natts;
	}

	foreach(lc, rel->pathlist)
	{
		Path	   *p = lfirst(lc);

		if (p->pathtype == T_SeqScan && p->param_info == NULL)
			seq = p;
	}
	if (seq == NULL)
		return;

	/*
	 * The table access method's sequential scan decodes every column and
	 * builds every row through a slot, at about twice the cost per value
	 * of the vectorized decoding: its cost says so (cost_seqscan knows only
	 * heap's pages and tuples).
	 */
	rows = seq->rows;
	startup = seq->startup_cost;
	rel->pathlist = list_delete_ptr(rel->pathlist, seq);
	seq->total_cost += rel->tuples * natts * 2 * cpu_operator_cost * COLUMNAR_VECTOR_COST_FACTOR;
	add_path(rel, seq);		/* may free it: not read after */

	/*
	 * What the vectorized scan does, in PostgreSQL's cost units: it reads
	 * the pages of the columns it needs (their share of the table, by
	 * count), decodes every value of them and evaluates the vectorized
	 * quals on vectors (about a nanosecond or two a value: a tenth of
	 * cpu_operator_cost, where cpu_tuple_cost stands for the ~100 ns a row
	 * costs PostgreSQL's executor), then forms a tuple, and evaluates the
	 * other quals, only for the rows the vectorized ones leave.
	 */
	get_tablespace_page_costs(rel->reltablespace, NULL, &spc_seq_page_cost);
	share = natts > 0 ? (double) Max(nneeded, 1) / natts : 1.0;
	disk_run = spc_seq_page_cost * Max(rel->pages * share, 1.0);
	cpu_run = vector_cpu_cost(root, rel, nneeded);
	cpath = make_scan_path(rel, cols, rows, startup);
	cpath->path.parallel_aware = false;
	cpath->path.parallel_safe = parallel_ok;
	cpath->path.parallel_workers = 0;
	cpath->path.total_cost = startup + disk_run + cpu_run;
	add_path(rel, &cpath->path);

	if (!parallel_ok)
		return;
	workers = compute_parallel_worker(rel, rel->pages, -1,
									  max_parallel_workers_per_gather);
	if (workers <= 0)
		return;

	/* as cost_seqscan: the pages are read once, the CPU work is shared */
	cpath = make_scan_path(rel, cols,
						   clamp_row_est(rows / parallel_divisor(workers)),
						   startup);
	cpath->path.parallel_aware = true;
	cpath->path.parallel_safe = true;
	cpath->path.parallel_workers = workers;
	cpath->path.total_cost = startup + disk_run + cpu_run / parallel_divisor(workers);
	add_partial_path(rel, &cpath->path);
}

/*
 * Turn the path into a CustomScan plan node.
 */
static Plan *
plan_columnar_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				   List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	List	   *vectorized = NIL;
	List	   *residual = NIL;
	bool	   *vec = palloc0(sizeof(bool) * Max(list_length(clauses), 1));
	Index		min_residual_level = UINT_MAX;
	ListCell   *lc;
	int			i = 0;

	/*
	 * The scan evaluates its vectorized quals first, then the others with
	 * ExecQual.  A qual that is not leakproof may not go before a qual of a
	 * lower security level (a security barrier view's or a row-level
	 * security policy's) that stays with ExecQual: it stays there too.
	 */
	foreach(lc, clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (ri->pseudoconstant)
			vec[i] = false;
		else
			vec[i] = columnar_enable_vectorization &&
				ColumnarQualIsVectorizable(ri->clause);
		if (!vec[i] && !ri->pseudoconstant)
			min_residual_level = Min(min_residual_level, ri->security_level);
		i++;
	}
	i = 0;
	foreach(lc, clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (!ri->pseudoconstant)
		{
			if (vec[i] && (ri->security_level <= min_residual_level || ri->leakproof))
				vectorized = lappend(vectorized, ri->clause);
			else
				residual = lappend(residual, ri->clause);
		}
		i++;
	}

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = residual;
	cscan->custom_exprs = vectorized;
	cscan->scan.scanrelid = rel->relid;
	cscan->flags = best_path->flags;
	cscan->custom_private = best_path->custom_private;
	cscan->methods = &ColumnarScanMethods;
	return &cscan->scan.plan;
}

/*
 * Plan the scans of columnar relations: none of PostgreSQL's partial
 * paths, the ColumnarScan paths, and no parallel-safe path at all while
 * this backend buffers rows of the relation (see the banner).
 */
static void
columnar_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
						  RangeTblEntry *rte)
{
	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	if (rte->rtekind == RTE_RELATION &&
		(rte->relkind == RELKIND_RELATION || rte->relkind == RELKIND_MATVIEW))
	{
		Relation	relation = table_open(rte->relid, NoLock);
		bool		columnar = ColumnarIsColumnarRelation(relation);

		table_close(relation, NoLock);
		if (columnar)
		{
			rel->partial_pathlist = NIL;
			if (ColumnarHasPendingRows(rte->relid, NULL))
			{
				ListCell   *lc;

				rel->consider_parallel = false;
				foreach(lc, rel->pathlist)
					((Path *) lfirst(lc))->parallel_safe = false;
			}
			add_scan_paths(root, rel, rte, rel->consider_parallel);
		}
	}
}

/*
 * Register the planner hook and its settings.
 */
void
ColumnarPlannerInit(void)
{
	DefineCustomBoolVariable("biwh.enable_custom_scan",
							 "Use the ColumnarScan (projection, row-group skipping) for columnar tables.",
							 NULL,
							 &columnar_enable_custom_scan,
							 true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("biwh.enable_vectorization",
							 "Evaluate the quals of ColumnarScans on column vectors.",
							 "When off, the ColumnarScan evaluates every qual row by row.",
							 &columnar_enable_vectorization,
							 true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = columnar_set_rel_pathlist;
}
