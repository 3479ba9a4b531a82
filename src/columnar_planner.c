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

#include <float.h>
#include <math.h>

#include "access/table.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/appendinfo.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planner.h"
#include "optimizer/prep.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "catalog/pg_statistic.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"
#include "utils/timestamp.h"

#include "columnar_agg.h"
#include "columnar_agg_group.h"
#include "columnar_agg_key.h"
#include "columnar_aggscan.h"
#include "columnar_planner.h"
#include "columnar_qual.h"
#include "columnar_scan.h"
#include "columnar_storage.h"
#include "columnar_writer.h"

static bool columnar_enable_custom_scan = true;
static bool columnar_enable_vectorization = true;
static bool columnar_enable_agg_pushdown = true;

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;
static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;

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

/* Return the correlation of column var with the rows' order, or 0. */
static double
column_correlation(PlannerInfo *root, Var *var)
{
	VariableStatData vardata;
	double		corr = 0;

	examine_variable(root, (Node *) var, 0, &vardata);
	if (HeapTupleIsValid(vardata.statsTuple))
	{
		AttStatsSlot sslot;

		if (get_attstatsslot(&sslot, vardata.statsTuple, STATISTIC_KIND_CORRELATION,
							 InvalidOid, ATTSTATSSLOT_NUMBERS))
		{
			if (sslot.nnumbers > 0)
				corr = sslot.numbers[0];
			free_attstatsslot(&sslot);
		}
	}
	ReleaseVariableStats(vardata);
	return corr;
}

/*
 * Return the share of rel's rows a scan reads after zone-map skipping, by
 * statistics: for the vectorized quals on one column, the rows they pass
 * if the column follows the rows' order (zone maps then rule out the
 * rest), all rows if it does not, in between as the square of the
 * column's correlation says (as cost_index interpolates); the smallest
 * share over the columns.
 */
static double
skip_fraction(PlannerInfo *root, RelOptInfo *rel)
{
	double		frac = 1.0;
	Bitmapset  *done = NULL;
	ListCell   *lc;

	if (!columnar_enable_vectorization)
		return 1.0;
	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		Bitmapset  *attrs = NULL;
		List	   *same = NIL;
		ListCell   *lc2;
		Var		   *var = NULL;
		int			attno;
		double		corr;
		double		sel;

		if (ri->pseudoconstant || !ColumnarQualIsVectorizable(ri->clause))
			continue;
		pull_varattnos((Node *) ri->clause, rel->relid, &attrs);
		if (bms_num_members(attrs) != 1)
			continue;
		attno = bms_singleton_member(attrs);
		if (bms_is_member(attno, done))
			continue;
		done = bms_add_member(done, attno);
		/* every vectorized qual on this column alone */
		foreach(lc2, rel->baserestrictinfo)
		{
			RestrictInfo *ri2 = lfirst_node(RestrictInfo, lc2);
			Bitmapset  *a2 = NULL;

			if (ri2->pseudoconstant || !ColumnarQualIsVectorizable(ri2->clause))
				continue;
			pull_varattnos((Node *) ri2->clause, rel->relid, &a2);
			if (bms_equal(a2, attrs))
				same = lappend(same, ri2);
		}
		foreach(lc2, pull_var_clause((Node *) ri->clause, 0))
			var = lfirst(lc2);
		if (var == NULL)
			continue;
		corr = column_correlation(root, var);
		sel = clauselist_selectivity(root, same, rel->relid, JOIN_INNER, NULL);
		frac = Min(frac, corr * corr * sel + (1 - corr * corr));
	}
	return Max(frac, 0.0);
}

/*
 * Return the CPU cost of a ColumnarScan of rel reading nneeded columns:
 * decoding the columns of the vectorized quals and evaluating them for
 * every row; decoding the other columns it needs for the batches with rows
 * left, or only those rows when few are left (columnar_scan.c gathers them
 * when at most one in 16 is); with form_tuples, a tuple and the other
 * quals for the rows the vectorized ones leave and the target list for
 * the rows returned (a ColumnarAgg forms none); skip is the share of rows
 * zone maps leave (skip_fraction).
 */
static Cost
vector_cpu_cost(PlannerInfo *root, RelOptInfo *rel, int nneeded, bool form_tuples,
				double skip)
{
	double		tuples = rel->tuples;
	double		read = rel->tuples * skip;	/* not skipped */
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

	cost = read * per_value * (nqual_cols + list_length(vec_clauses));
	if (vec_sel * 16 <= 1.0)
		cost += left * per_value * COLUMNAR_GATHER_COST_FACTOR * nrest;
	else
		cost += Min(read, tuples) * per_value * nrest;
	if (form_tuples)
	{
		cost += left * (cpu_tuple_cost + other_cost.per_tuple);
		cost += other_cost.startup + rel->reltarget->cost.startup +
			rel->rows * rel->reltarget->cost.per_tuple;
	}
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
	double		skip;
	Cost		disk_run;
	Cost		cpu_run;
	int			workers;

	if (!columnar_enable_custom_scan || rel->rtekind != RTE_RELATION || rte->inh)
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
	skip = skip_fraction(root, rel);
	disk_run = spc_seq_page_cost * Max(rel->pages * share * skip, 1.0);
	cpu_run = vector_cpu_cost(root, rel, nneeded, true, skip);
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

/* ----------------------------------------------------------------
 *		the ColumnarAgg path
 * ----------------------------------------------------------------
 */

static Plan *plan_columnar_agg_path(PlannerInfo *root, RelOptInfo *rel,
									CustomPath *best_path, List *tlist,
									List *clauses, List *custom_plans);

static const CustomPathMethods columnar_agg_path_methods = {
	.CustomName = "ColumnarAgg",
	.PlanCustomPath = plan_columnar_agg_path,
};

/*
 * Return whether the grouping of input_rel can be done by a ColumnarAgg:
 * one columnar relation (a base relation or a partition), WHERE quals that
 * all vectorize (returned in *quals, in the order they must run), no
 * grouping sets or set-returning functions.
 */
static bool
agg_input_ok(PlannerInfo *root, RelOptInfo *input_rel, List **quals)
{
	RangeTblEntry *rte;
	Relation	relation;
	bool		columnar;
	Index		max_level = 0;
	ListCell   *lc;

	*quals = NIL;
	if (!columnar_enable_agg_pushdown || !columnar_enable_custom_scan ||
		!columnar_enable_vectorization)
		return false;
	if ((input_rel->reloptkind != RELOPT_BASEREL &&
		 input_rel->reloptkind != RELOPT_OTHER_MEMBER_REL) ||
		input_rel->rtekind != RTE_RELATION || input_rel->lateral_relids != NULL)
		return false;
	if (root->parse->groupingSets != NIL || root->parse->hasTargetSRFs)
		return false;
	rte = planner_rt_fetch(input_rel->relid, root);
	/* an inheritance parent is its children too: not one table's storage */
	if ((rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW) ||
		rte->tablesample != NULL || rte->inh)
		return false;
	relation = table_open(rte->relid, NoLock);
	columnar = ColumnarIsColumnarRelation(relation);
	table_close(relation, NoLock);
	if (!columnar)
		return false;
	foreach(lc, input_rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (ri->pseudoconstant || !ColumnarQualIsVectorizable(ri->clause))
			return false;
		max_level = Max(max_level, ri->security_level);
	}

	/*
	 * The pipeline evaluates them in order, each on the rows the ones before
	 * left: those of a security barrier view or a row-level security policy
	 * (lower levels) first.
	 */
	for (Index level = 0; level <= max_level; level++)
		foreach(lc, input_rel->baserestrictinfo)
		{
			RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

			if (ri->security_level == level)
				*quals = lappend(*quals, ri->clause);
		}
	return true;
}

/*
 * Return the aggregates a grouping target and HAVING need, or NIL with
 * *ok false when one is not supported or the target needs a column that
 * is not one of the group keys.
 */
static List *
agg_aggrefs(PathTarget *target, List *having, List *keys, Index relid, bool *ok)
{
	List	   *exprs;
	List	   *aggrefs = NIL;
	ListCell   *lc;

	*ok = true;
	/* the group keys themselves (columns, or computed from one) are output as they are */
	exprs = list_copy(having);
	foreach(lc, target->exprs)
		if (!list_member(keys, lfirst(lc)))
			exprs = lappend(exprs, lfirst(lc));
	exprs = pull_var_clause((Node *) exprs,
							PVC_INCLUDE_AGGREGATES | PVC_RECURSE_WINDOWFUNCS |
							PVC_INCLUDE_PLACEHOLDERS);
	foreach(lc, exprs)
	{
		Node	   *n = lfirst(lc);

		if (IsA(n, Aggref))
		{
			if (!ColumnarAggSupported((Aggref *) n, false))
			{
				*ok = false;
				return NIL;
			}
			if (!list_member(aggrefs, n))
				aggrefs = lappend(aggrefs, n);
		}
		else
		{
			bool		key = false;
			ListCell   *lc2;

			foreach(lc2, keys)
				key = key || equal(n, ColumnarKeyColumn(lfirst(lc2), relid));
			if (!key)
			{
				*ok = false;	/* a placeholder, a functionally dependent column */
				return NIL;
			}
		}
	}
	return aggrefs;
}

/*
 * Return the target of a partial ColumnarAgg below a Finalize Aggregate
 * producing target: the group keys, then the aggregates as partial ones,
 * made the way PostgreSQL's own partial grouping makes them (so that the
 * Finalize Aggregate's aggregates are matched to them), or NULL when one
 * cannot be computed partially.
 */
static PathTarget *
partial_agg_target(PlannerInfo *root, PathTarget *target, List *aggrefs)
{
	PathTarget *partial = create_empty_pathtarget();
	ListCell   *lc;
	int			i = 0;

	foreach(lc, target->exprs)
	{
		Index		ref = target->sortgrouprefs ? target->sortgrouprefs[i] : 0;

		if (ref != 0 && get_sortgroupref_clause_noerr(ref, root->parse->groupClause) != NULL)
			add_column_to_pathtarget(partial, lfirst(lc), ref);
		i++;
	}
	foreach(lc, aggrefs)
	{
		Aggref	   *aggref = copyObject(lfirst(lc));

		mark_partial_aggref(aggref, AGGSPLIT_INITIAL_SERIAL);
		if (!ColumnarAggSupported(aggref, true))
			return NULL;
		add_new_column_to_pathtarget(partial, (Expr *) aggref);
	}
	return set_pathtarget_cost_width(root, partial);
}

/* Return the bytes a ColumnarAgg's group holds, about. */
static double
agg_group_bytes(List *keys, List *aggrefs)
{
	return 64 + 48 * list_length(aggrefs) + 32 * list_length(keys);
}

/*
 * Return the largest value minus the smallest one of timestamp column var
 * by its statistics (histogram and most common values), or -1.
 */
static double
timestamp_span(PlannerInfo *root, Var *var)
{
	VariableStatData vardata;
	Timestamp	lo = 0,
				hi = 0;
	bool		found = false;
	static const int kinds[] = {STATISTIC_KIND_HISTOGRAM, STATISTIC_KIND_MCV};

	examine_variable(root, (Node *) var, 0, &vardata);
	for (int k = 0; k < lengthof(kinds) && HeapTupleIsValid(vardata.statsTuple); k++)
	{
		AttStatsSlot sslot;

		if (!get_attstatsslot(&sslot, vardata.statsTuple, kinds[k], InvalidOid,
							  ATTSTATSSLOT_VALUES))
			continue;
		for (int i = 0; i < sslot.nvalues; i++)
		{
			Timestamp	t = DatumGetTimestamp(sslot.values[i]);

			if (TIMESTAMP_NOT_FINITE(t))
				continue;
			lo = found ? Min(lo, t) : t;
			hi = found ? Max(hi, t) : t;
			found = true;
		}
		free_attstatsslot(&sslot);
	}
	ReleaseVariableStats(vardata);
	return found ? (double) hi - (double) lo : -1;
}

/*
 * Return whether rel has about the rows its last ANALYZE counted (no more
 * than a tenth more), so that the spans its statistics give still hold.
 */
static bool
statistics_current(PlannerInfo *root, RelOptInfo *rel)
{
	Relation	relation = table_open(planner_rt_fetch(rel->relid, root)->relid, NoLock);
	double		analyzed = relation->rd_rel->reltuples;

	table_close(relation, NoLock);
	return analyzed >= 0 && rel->tuples <= analyzed * 1.1 + 1;
}

/*
 * Return an upper bound of the groups of keys when some are computed from
 * a timestamp column (COLUMNAR_KEY_TRUNC / DATE): for those, the span of
 * the column divided by the unit (PostgreSQL takes the column's distinct
 * values for a function of it), for the others their own estimate; a
 * large number when there is nothing to bound.
 */
static double
computed_keys_bound(PlannerInfo *root, RelOptInfo *rel, List *keys)
{
	double		bound = 1;
	bool		computed = false;
	ListCell   *lc;

	foreach(lc, keys)
	{
		Expr	   *key = lfirst(lc);
		ColumnarKey ck;
		double		span;

		if (ColumnarKeyAnalyze(key, rel->relid, &ck) && ck.kind != COLUMNAR_KEY_COLUMN &&
			(span = timestamp_span(root, ColumnarKeyColumn(ck.kind == COLUMNAR_KEY_TRUNC ?
														   lsecond(((FuncExpr *) key)->args) :
														   linitial(((FuncExpr *) key)->args),
														   rel->relid))) >= 0)
		{
			/* and the infinities and NULL */
			bound *= floor(span / (ck.kind == COLUMNAR_KEY_TRUNC ? ck.unit : USECS_PER_DAY)) + 4;
			computed = true;
		}
		else
			bound *= estimate_num_groups(root, list_make1(key), rel->rows, NULL, NULL);
	}
	return computed ? bound : DBL_MAX;
}

/*
 * Return the bytes the values of the count(DISTINCT) aggregates among
 * aggrefs hold, about (from the estimated number of distinct key and value
 * combinations), 0 without any, or -1 when statistics do not say.
 */
static double
agg_distinct_bytes(PlannerInfo *root, RelOptInfo *rel, List *keys, List *aggrefs)
{
	double		bytes = 0;
	ListCell   *lc;

	foreach(lc, aggrefs)
	{
		Aggref	   *aggref = lfirst(lc);
		Expr	   *arg;
		EstimationInfo estinfo;
		double		n;

		if (aggref->aggdistinct == NIL)
			continue;
		arg = linitial_node(TargetEntry, aggref->args)->expr;
		n = estimate_num_groups(root, lappend(list_copy(keys), arg), rel->rows, NULL, &estinfo);
		if (estinfo.flags & SELFLAG_USED_DEFAULT)
			return -1;
		bytes += n * (32 + get_typavgwidth(exprType((Node *) arg), exprTypmod((Node *) arg)));
	}
	return bytes;
}

/*
 * Return whether a ColumnarAgg takes every stored row group from its
 * catalog entry (columnar_aggscan.c): no keys, no quals, and aggregates
 * that all can.
 */
static bool
agg_from_catalog(List *keys, List *aggrefs, List *quals)
{
	ListCell   *lc;

	if (keys != NIL || quals != NIL)
		return false;
	foreach(lc, aggrefs)
		if (!ColumnarAggrefFromCatalog(lfirst(lc)))
			return false;
	return true;
}

/*
 * Return a ColumnarAgg path producing target (grouping keys keys, the
 * aggregates aggrefs, final or partial) for parent from input_rel, of
 * ngroups groups by estimate; costs: the scan's decoding and vectorized
 * quals (vector_cpu_cost, forming no tuples), a tenth of cpu_operator_cost
 * per row left and key or aggregate, one tuple a group; with workers > 0
 * a parallel-aware partial path.
 */
static CustomPath *
make_agg_path(PlannerInfo *root, RelOptInfo *input_rel, RelOptInfo *parent,
			  PathTarget *target, List *keys, List *aggrefs, List *quals, List *having,
			  double ngroups, int workers)
{
	Bitmapset  *attrs = NULL;
	int			natts = input_rel->max_attr;
	int			nneeded;
	double		per_value = cpu_operator_cost * COLUMNAR_VECTOR_COST_FACTOR;
	Cost		disk;
	Cost		cpu;
	CustomPath *cpath;

	pull_varattnos((Node *) list_concat(list_concat(list_copy(keys), list_copy(aggrefs)), quals),
				   input_rel->relid, &attrs);
	nneeded = Max(bms_num_members(attrs), 1);
	if (agg_from_catalog(keys, aggrefs, quals))
	{
		/* a catalog entry a row group (about: groups of the default size) */
		disk = seq_page_cost;
		cpu = (input_rel->tuples / 120000 + 1) * cpu_tuple_cost;
	}
	else
	{
		double		skip = skip_fraction(root, input_rel);

		disk = seq_page_cost * Max(input_rel->pages * (natts > 0 ? (double) nneeded / natts : 1.0) *
								   skip, 1.0);
		cpu = vector_cpu_cost(root, input_rel, nneeded, false, skip);
		cpu += input_rel->rows * per_value * (2 * list_length(keys) + list_length(aggrefs));
	}
	if (workers > 0)
		cpu /= parallel_divisor(workers);

	cpath = makeNode(CustomPath);
	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = parent;
	cpath->path.pathtarget = target;
	cpath->path.param_info = NULL;
	cpath->path.rows = ngroups;
	cpath->path.startup_cost = disk + cpu;
	cpath->path.total_cost = disk + cpu + ngroups * cpu_tuple_cost;
	cpath->path.pathkeys = NIL;
	cpath->path.parallel_aware = workers > 0;
	cpath->path.parallel_safe = workers > 0;	/* the caller decides for serial */
	cpath->path.parallel_workers = workers;
	cpath->flags = 0;
	cpath->custom_private = list_make3(keys, aggrefs, quals);
	cpath->custom_private = lappend(cpath->custom_private,
									list_make1_int((int) input_rel->relid));
	/* HAVING is the node's own qual at the final stage */
	cpath->custom_private = lappend(cpath->custom_private, having);
	cpath->methods = &columnar_agg_path_methods;
	return cpath;
}

/*
 * Find the group keys and the aggregates of the grouping of input_rel into
 * output_rel, and return whether a ColumnarAgg can compute them: at most
 * COLUMNAR_MAX_GROUP_KEYS keys, each a column of input_rel of a supported
 * type, supported aggregates, and a target needing nothing else.
 */
static bool
agg_shape(PlannerInfo *root, RelOptInfo *input_rel, RelOptInfo *output_rel,
		  GroupPathExtraData *extra, List **keys, List **aggrefs)
{
	ListCell   *lc;
	bool		ok;

	*keys = get_sortgrouplist_exprs(root->parse->groupClause, extra->targetList);
	*aggrefs = NIL;
	if (list_length(*keys) > COLUMNAR_MAX_GROUP_KEYS)
		return false;
	foreach(lc, *keys)
	{
		Expr	   *key = lfirst(lc);
		ColumnarKey ck;

		if (!ColumnarKeyAnalyze(key, input_rel->relid, &ck) ||
			!ColumnarGroupKeySupported(exprType((Node *) key), exprCollation((Node *) key)))
			return false;
	}
	*aggrefs = agg_aggrefs(output_rel->reltarget, (List *) extra->havingQual, *keys,
						   input_rel->relid, &ok);
	return ok && (*aggrefs != NIL || *keys != NIL);
}

/* Split a partial grouping target into its group keys and its aggregates. */
static void
split_partial_target(PathTarget *target, List **keys, List **aggrefs)
{
	ListCell   *lc;

	*keys = NIL;
	*aggrefs = NIL;
	foreach(lc, target->exprs)
	{
		if (IsA(lfirst(lc), Aggref))
			*aggrefs = lappend(*aggrefs, lfirst(lc));
		else
			*keys = lappend(*keys, lfirst(lc));
	}
}

/*
 * Return whether the grouping can be split into partial states combined by
 * a Finalize Aggregate (hashed when there are keys), and the costs of its
 * two stages.
 */
static bool
agg_can_split(PlannerInfo *root, GroupPathExtraData *extra, List *keys,
			  AggClauseCosts *partial_costs, AggClauseCosts *final_costs)
{
	if (!(extra->flags & GROUPING_CAN_PARTIAL_AGG) ||
		(keys != NIL && !(extra->flags & GROUPING_CAN_USE_HASH)))
		return false;
	MemSet(partial_costs, 0, sizeof(AggClauseCosts));
	get_agg_clause_costs(root, AGGSPLIT_INITIAL_SERIAL, partial_costs);
	MemSet(final_costs, 0, sizeof(AggClauseCosts));
	get_agg_clause_costs(root, AGGSPLIT_FINAL_DESERIAL, final_costs);
	return true;
}

/*
 * Return the target of the partial states of a grouping split below a
 * Finalize Aggregate, its keys and aggregates, and the costs of the two
 * stages; NULL when the grouping cannot be split.
 */
static PathTarget *
partial_split(PlannerInfo *root, RelOptInfo *output_rel, GroupPathExtraData *extra,
			  List *keys, List *aggrefs, List **pkeys, List **paggrefs,
			  AggClauseCosts *partial_costs, AggClauseCosts *final_costs)
{
	PathTarget *ptarget;

	if (!agg_can_split(root, extra, keys, partial_costs, final_costs))
		return NULL;
	ptarget = partial_agg_target(root, output_rel->reltarget, aggrefs);
	if (ptarget == NULL)
		return NULL;
	split_partial_target(ptarget, pkeys, paggrefs);
	if (list_length(*pkeys) != list_length(keys))
		return NULL;
	return ptarget;
}

/* Return whether node holds a Param. */
static bool
contain_params_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param))
		return true;
	return expression_tree_walker(node, contain_params_walker, context);
}

static bool
contain_params(Node *node)
{
	return contain_params_walker(node, NULL);
}

/*
 * Return a relation of our own for paths PostgreSQL must not see in its
 * relations (add_path may free paths an Append of PostgreSQL's holds).
 */
static RelOptInfo *
private_upper_rel(Relids relids, PathTarget *target)
{
	RelOptInfo *rel = makeNode(RelOptInfo);

	rel->reloptkind = RELOPT_UPPER_REL;
	rel->relids = bms_copy(relids);
	rel->reltarget = target;
	return rel;
}

/*
 * Add ColumnarAgg paths for the grouping of one columnar relation
 * input_rel (the GROUP_AGG stage of the query, or of a partition under
 * partitionwise aggregation):
 *
 * - a ColumnarAgg computing the final results, when its groups surely fit
 *	 in memory (by an estimate from statistics, with room to spare);
 * - a Finalize Aggregate over a ColumnarAgg computing partial states, for
 *	 any number of groups: when memory fills, the node returns the groups
 *	 it has and starts anew, and the Finalize Aggregate (which can spill)
 *	 combines them;
 * - where the grouping may be parallel, a Finalize Aggregate over a Gather
 *	 over parallel-aware partial ColumnarAggs.
 *
 * PostgreSQL calls no hook for its partial grouping stage, so the partial
 * paths are built here, with a partial target of our own.
 */
static void
add_agg_paths(PlannerInfo *root, RelOptInfo *input_rel, RelOptInfo *output_rel,
			  GroupPathExtraData *extra)
{
	Query	   *parse = root->parse;
	List	   *quals;
	List	   *keys;
	List	   *aggrefs;
	List	   *having = (List *) extra->havingQual;
	double		ngroups = 1;
	double		fit_groups;
	double		bound;
	bool		estimated = true;
	double		distinct_bytes;
	CustomPath *cpath;
	PathTarget *ptarget;
	List	   *pkeys;
	List	   *paggrefs;
	AggClauseCosts partial_costs;
	AggClauseCosts final_costs;
	AggStrategy strategy;
	Oid			relid;
	int			workers;

	if (!agg_input_ok(root, input_rel, &quals))
		return;
	relid = planner_rt_fetch(input_rel->relid, root)->relid;
	if (!agg_shape(root, input_rel, output_rel, extra, &keys, &aggrefs))
		return;
	if (keys != NIL)
	{
		EstimationInfo estinfo;

		ngroups = estimate_num_groups(root, keys, input_rel->rows, NULL, &estinfo);
		estimated = (estinfo.flags & SELFLAG_USED_DEFAULT) == 0;
		bound = computed_keys_bound(root, input_rel, keys);
		/* a span from statistics holds if no rows came since: then it may promise */
		if (bound < ngroups && statistics_current(root, input_rel))
			fit_groups = bound;
		else
			fit_groups = ngroups;
		ngroups = Min(ngroups, bound);
	}
	else
		fit_groups = 1;

	/* final results in one node */
	distinct_bytes = agg_distinct_bytes(root, input_rel, keys, aggrefs);
	if (estimated && distinct_bytes >= 0 &&
		fit_groups * agg_group_bytes(keys, aggrefs) + distinct_bytes <= get_hash_memory_limit() / 4)
	{
		cpath = make_agg_path(root, input_rel, output_rel, output_rel->reltarget, keys, aggrefs,
							  quals, having, ngroups, 0);
		cpath->path.parallel_safe = output_rel->consider_parallel &&
			!ColumnarHasPendingRows(relid, NULL);
		add_path(output_rel, &cpath->path);
	}

	/* partial states below a Finalize Aggregate */
	ptarget = partial_split(root, output_rel, extra, keys, aggrefs, &pkeys, &paggrefs,
							&partial_costs, &final_costs);
	if (ptarget == NULL)
		return;
	strategy = keys != NIL ? AGG_HASHED : AGG_PLAIN;
	cpath = make_agg_path(root, input_rel, output_rel, ptarget, pkeys, paggrefs, quals, NIL,
						  ngroups, 0);
	cpath->path.parallel_safe = output_rel->consider_parallel &&
		!ColumnarHasPendingRows(relid, NULL);
	add_path(output_rel, (Path *)
			 create_agg_path(root, output_rel, &cpath->path, output_rel->reltarget, strategy,
							 AGGSPLIT_FINAL_DESERIAL, parse->groupClause, having,
							 &final_costs, ngroups));

	/* parallel: partial ColumnarAggs below a Gather */
	if (!output_rel->consider_parallel || !input_rel->consider_parallel ||
		ColumnarHasPendingRows(relid, NULL))
		return;
	workers = compute_parallel_worker(input_rel, input_rel->pages, -1,
									  max_parallel_workers_per_gather);
	if (workers > 0)
	{
		double		partial_groups;
		GatherPath *gather;

		partial_groups = keys == NIL ? 1 :
			Min(ngroups, input_rel->rows / parallel_divisor(workers));
		cpath = make_agg_path(root, input_rel, output_rel, ptarget, pkeys, paggrefs, quals, NIL,
							  Max(partial_groups, 1), workers);
		gather = create_gather_path(root, output_rel, &cpath->path, ptarget, NULL,
									&partial_groups);
		gather->path.rows = partial_groups * (workers + (parallel_leader_participation ? 1 : 0));
		add_path(output_rel, (Path *)
				 create_agg_path(root, output_rel, &gather->path, output_rel->reltarget,
								 strategy, AGGSPLIT_FINAL_DESERIAL, parse->groupClause,
								 having, &final_costs, ngroups));
	}
}

/*
 * Add to *leaves the partitions of the partitioned relation rel that are
 * left after pruning and not proven empty, at every level below it; false
 * when one has no path.
 */
static bool
partition_leaves(RelOptInfo *rel, List **leaves)
{
	int			i = -1;

	while ((i = bms_next_member(rel->live_parts, i)) >= 0)
	{
		RelOptInfo *child = rel->part_rels[i];

		if (child == NULL || IS_DUMMY_REL(child))
			continue;
		if (IS_PARTITIONED_REL(child))
		{
			if (!partition_leaves(child, leaves))
				return false;
		}
		else if (child->cheapest_total_path != NULL)
			*leaves = lappend(*leaves, child);
		else
			return false;		/* not planned: no path of ours may leave it out */
	}
	return true;
}

/*
 * Return the path of the partial grouping of one partition leaf of parent
 * (ptarget, the parent's partial target, translated to it): a partial
 * ColumnarAgg for a columnar leaf it can read (*columnar set), otherwise a
 * partial Aggregate over the leaf's cheapest path, as PostgreSQL's own
 * partitionwise aggregation builds.
 */
static Path *
leaf_partial_agg_path(PlannerInfo *root, RelOptInfo *parent, RelOptInfo *leaf,
					  PathTarget *ptarget, AggClauseCosts *partial_costs, bool *columnar)
{
	PathTarget *target = copy_pathtarget(ptarget);
	RelOptInfo *rel;
	List	   *keys;
	List	   *aggrefs;
	List	   *quals;
	double		ngroups = 1;
	ListCell   *lc;

	target->exprs = (List *) adjust_appendrel_attrs_multilevel(root, (Node *) target->exprs,
															   leaf->relids, parent->relids);
	split_partial_target(target, &keys, &aggrefs);
	rel = private_upper_rel(leaf->relids, target);
	if (keys != NIL)
		ngroups = Min(estimate_num_groups(root, keys, leaf->rows, NULL, NULL),
					  computed_keys_bound(root, leaf, keys));

	*columnar = agg_input_ok(root, leaf, &quals);
	foreach(lc, keys)
	{
		ColumnarKey ck;

		*columnar = *columnar && ColumnarKeyAnalyze(lfirst(lc), leaf->relid, &ck);
	}
	if (*columnar)
		return &make_agg_path(root, leaf, rel, target, keys, aggrefs, quals, NIL,
							  ngroups, 0)->path;
	return (Path *) create_agg_path(root, rel, leaf->cheapest_total_path, target,
									keys != NIL ? AGG_HASHED : AGG_PLAIN,
									AGGSPLIT_INITIAL_SERIAL, root->parse->groupClause, NIL,
									partial_costs, ngroups);
}

/*
 * Add a partitionwise path for the grouping of the partitioned relation
 * input_rel: a Finalize Aggregate over an Append of one partial grouping
 * per leaf partition, a partial ColumnarAgg for every columnar leaf (and
 * PostgreSQL's partial Aggregate for the others), when at least one leaf
 * is columnar.  It is offered whatever enable_partitionwise_aggregate
 * says: PostgreSQL calls no hook for its own partial partitionwise
 * grouping, and with the setting on, its full partitionwise grouping
 * reaches add_agg_paths for every leaf.
 */
static void
add_partitionwise_agg_paths(PlannerInfo *root, RelOptInfo *input_rel, RelOptInfo *output_rel,
							GroupPathExtraData *extra)
{
	List	   *keys;
	List	   *aggrefs;
	List	   *pkeys;
	List	   *paggrefs;
	List	   *leaves = NIL;
	List	   *subpaths = NIL;
	PathTarget *ptarget;
	AggClauseCosts partial_costs;
	AggClauseCosts final_costs;
	bool		any_columnar = false;
	double		rows = 0;
	double		ngroups = 1;
	ListCell   *lc;
	Path	   *append;

	if (!columnar_enable_agg_pushdown || !columnar_enable_custom_scan ||
		!columnar_enable_vectorization)
		return;
	if (root->parse->groupingSets != NIL || root->parse->hasTargetSRFs)
		return;
	/*
	 * Quals with parameters or stable functions let the executor prune the
	 * leaves of PostgreSQL's Append (its run-time pruning needs the
	 * partitioned relation's own quals, which this Append has not): leave
	 * those queries to PostgreSQL's plan.
	 */
	foreach(lc, input_rel->baserestrictinfo)
	{
		Node	   *clause = (Node *) lfirst_node(RestrictInfo, lc)->clause;

		if (contain_mutable_functions(clause) || contain_params(clause))
			return;
	}
	if (!agg_shape(root, input_rel, output_rel, extra, &keys, &aggrefs))
		return;
	ptarget = partial_split(root, output_rel, extra, keys, aggrefs, &pkeys, &paggrefs,
							&partial_costs, &final_costs);
	if (ptarget == NULL)
		return;

	if (!partition_leaves(input_rel, &leaves))
		return;
	foreach(lc, leaves)
	{
		bool		columnar;
		Path	   *path;

		path = leaf_partial_agg_path(root, input_rel, lfirst(lc), ptarget, &partial_costs,
									 &columnar);
		any_columnar = any_columnar || columnar;
		rows += path->rows;
		subpaths = lappend(subpaths, path);
	}
	if (!any_columnar)
		return;

	if (keys != NIL)
		ngroups = Min(estimate_num_groups(root, keys, input_rel->rows, NULL, NULL),
					  computed_keys_bound(root, input_rel, keys));
	append = (Path *) create_append_path(root, private_upper_rel(input_rel->relids, ptarget),
										 subpaths, NIL, NIL, NULL, 0, false, rows);
	add_path(output_rel, (Path *)
			 create_agg_path(root, output_rel, append, output_rel->reltarget,
							 keys != NIL ? AGG_HASHED : AGG_PLAIN, AGGSPLIT_FINAL_DESERIAL,
							 root->parse->groupClause, (List *) extra->havingQual,
							 &final_costs, ngroups));
}

/*
 * Turn the aggregation path into a ColumnarAgg plan node reading the
 * table: its scan tuple is the group keys, then the aggregates.
 */
static Plan *
plan_columnar_agg_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
					   List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	List	   *keys = linitial(best_path->custom_private);
	List	   *aggrefs = lsecond(best_path->custom_private);
	List	   *quals = lthird(best_path->custom_private);
	Index		relid = (Index) linitial_int(lfourth(best_path->custom_private));
	List	   *scan_tlist = NIL;
	ListCell   *lc;
	AttrNumber	resno = 1;

	foreach(lc, keys)
		scan_tlist = lappend(scan_tlist, makeTargetEntry(copyObject(lfirst(lc)), resno++,
														 NULL, false));
	foreach(lc, aggrefs)
		scan_tlist = lappend(scan_tlist, makeTargetEntry(copyObject(lfirst(lc)), resno++,
														 NULL, false));

	/*
	 * setrefs makes custom_exprs refer to the scan tuple: the columns of the
	 * WHERE quals are in it too, as junk the node never fills (it maps them
	 * back to the table's columns).
	 */
	foreach(lc, pull_var_clause((Node *) quals, 0))
	{
		Var		   *var = lfirst(lc);
		bool		present = false;
		ListCell   *lc2;

		foreach(lc2, scan_tlist)
			present = present || equal(((TargetEntry *) lfirst(lc2))->expr, var);
		if (!present)
			scan_tlist = lappend(scan_tlist, makeTargetEntry((Expr *) copyObject(var), resno++,
															 NULL, true));
	}
	cscan->scan.plan.targetlist = tlist;
	/* HAVING: on the groups (the tuples of the scan tuple) */
	cscan->scan.plan.qual = copyObject(list_nth(best_path->custom_private, 4));
	cscan->scan.scanrelid = relid;
	cscan->flags = best_path->flags;
	cscan->custom_scan_tlist = scan_tlist;
	cscan->custom_exprs = copyObject(quals);
	cscan->custom_private = NIL;
	cscan->methods = &ColumnarAggMethods;
	return &cscan->scan.plan;
}

/*
 * Plan the grouping of columnar relations: the ColumnarAgg paths beside
 * PostgreSQL's own.
 */
static void
columnar_create_upper_paths(PlannerInfo *root, UpperRelationKind stage,
							RelOptInfo *input_rel, RelOptInfo *output_rel,
							void *extra)
{
	if (prev_create_upper_paths_hook)
		prev_create_upper_paths_hook(root, stage, input_rel, output_rel, extra);
	if (stage != UPPERREL_GROUP_AGG)
		return;
	if ((input_rel->reloptkind == RELOPT_BASEREL ||
		 input_rel->reloptkind == RELOPT_OTHER_MEMBER_REL) &&
		IS_PARTITIONED_REL(input_rel))
		add_partitionwise_agg_paths(root, input_rel, output_rel, extra);
	else
		add_agg_paths(root, input_rel, output_rel, extra);
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
	DefineCustomBoolVariable("biwh.enable_agg_pushdown",
							 "Compute GROUP BY and aggregates over columnar tables on column vectors.",
							 "When off, PostgreSQL's Agg aggregates the rows of a ColumnarScan.",
							 &columnar_enable_agg_pushdown,
							 true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = columnar_set_rel_pathlist;
	prev_create_upper_paths_hook = create_upper_paths_hook;
	create_upper_paths_hook = columnar_create_upper_paths;
}
