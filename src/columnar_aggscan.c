/*-------------------------------------------------------------------------
 *
 * columnar_aggscan.c
 *	  The ColumnarAgg custom scan node: a GROUP BY with aggregates over one
 *	  columnar table, computed on column vectors.
 *
 * The planner (columnar_planner.c) puts it where an Agg over a scan of a
 * columnar table would be: at the grouping stage of the query (final
 * results), or at the partial grouping stage (the transition states a
 * Finalize Aggregate above combines: below a Gather for parallel plans,
 * below an Append for partitionwise aggregation).  Its scan tuple is
 * custom_scan_tlist: the group keys (columns of the table) then the
 * aggregates (Aggrefs); the plan's target list and HAVING qual refer to
 * those entries, and ExecScan evaluates them on the tuples this node
 * returns, one per group.
 *
 * At the first call the node reads its input: the windows of rows the
 * WHERE quals leave come from a ColumnarPipeline (columnar_pipeline.c:
 * zone-map skipping, quals on vectors, parallel hand-out); the grouper
 * (columnar_agg_group.c) gives each row its group number from the key
 * vectors, and each aggregate (columnar_agg.c) adds the window's rows, of
 * its FILTER when it has one, to the groups' states.  No tuple is formed
 * per input row.  The groups are then returned in the order they appeared.
 *
 * Memory.  The groups and states are held in work_mem (times
 * hash_mem_multiplier, as for a hashed Agg).  A partial node that fills
 * it returns the groups it has, forgets them and goes on reading: the
 * Finalize Aggregate above combines a group's pieces (and spills if it
 * must).  A final node is planned only where statistics say its groups
 * fit in a quarter of that memory; if they were wrong by far (four times
 * the memory used), it stops with an error saying what to do, rather than
 * take the server's memory.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/nodeCustom.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include "columnar_agg.h"
#include "columnar_agg_group.h"
#include "columnar_agg_key.h"
#include "columnar_aggscan.h"
#include "columnar_pipeline.h"
#include "columnar_scan.h"

typedef struct ColumnarAggState
{
	CustomScanState css;
	ColumnarPipeline pipe;
	int			nkeys;
	ColumnarKey keys[COLUMNAR_MAX_GROUP_KEYS];	/* columns, or computed from one */
	TupleDesc	key_desc;		/* the keys' types */
	int			key_resno[COLUMNAR_MAX_GROUP_KEYS];	/* in the scan tuple */
	int			naggs;
	ColumnarAgg **aggs;
	int		   *agg_resno;
	ColumnarGrouper *grouper;
	MemoryContext agg_cxt;		/* groups and states */
	bool		partial;		/* computes partial states */
	bool		done;			/* the input is read */
	bool		full;			/* memory is full: return the groups, go on */
	uint32		next_group;
	int64		groups_returned;	/* for EXPLAIN ANALYZE */
	int64		flushes;
	Size		max_memory;
	/* scratch space of a window, written before it is read: not zeroed */
	uint32		gids[COLUMNAR_WINDOW_ROWS];
	uint32		row_gid[COLUMNAR_WINDOW_ROWS];	/* group of each window row */
	uint32		fsel[COLUMNAR_WINDOW_ROWS];
	uint32		fgids[COLUMNAR_WINDOW_ROWS];
} ColumnarAggState;

static Node *create_columnar_agg_state(CustomScan *cscan);
static void begin_columnar_agg(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_columnar_agg(CustomScanState *node);
static void end_columnar_agg(CustomScanState *node);
static void rescan_columnar_agg(CustomScanState *node);
static void explain_columnar_agg(CustomScanState *node, List *ancestors,
								 ExplainState *es);
static Size estimate_dsm_columnar_agg(CustomScanState *node, ParallelContext *pcxt);
static void initialize_dsm_columnar_agg(CustomScanState *node, ParallelContext *pcxt,
										void *coordinate);
static void reinitialize_dsm_columnar_agg(CustomScanState *node, ParallelContext *pcxt,
										  void *coordinate);
static void initialize_worker_columnar_agg(CustomScanState *node, shm_toc *toc,
										   void *coordinate);
static void shutdown_columnar_agg(CustomScanState *node);

const CustomScanMethods ColumnarAggMethods = {
	.CustomName = "ColumnarAgg",
	.CreateCustomScanState = create_columnar_agg_state,
};

static const CustomExecMethods columnar_agg_exec_methods = {
	.CustomName = "ColumnarAgg",
	.BeginCustomScan = begin_columnar_agg,
	.ExecCustomScan = exec_columnar_agg,
	.EndCustomScan = end_columnar_agg,
	.ReScanCustomScan = rescan_columnar_agg,
	.EstimateDSMCustomScan = estimate_dsm_columnar_agg,
	.InitializeDSMCustomScan = initialize_dsm_columnar_agg,
	.ReInitializeDSMCustomScan = reinitialize_dsm_columnar_agg,
	.InitializeWorkerCustomScan = initialize_worker_columnar_agg,
	.ShutdownCustomScan = shutdown_columnar_agg,
	.ExplainCustomScan = explain_columnar_agg,
};

/*
 * Make the executor state of a ColumnarAgg.
 */
static Node *
create_columnar_agg_state(CustomScan *cscan)
{
	ColumnarAggState *state = palloc(sizeof(ColumnarAggState));

	/* zeroing the 32 kB of scratch space was a tenth of a small leaf's scan */
	memset(state, 0, offsetof(ColumnarAggState, gids));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &columnar_agg_exec_methods;
	state->css.flags = cscan->flags;
	return (Node *) state;
}

/* mutator context: the scan tuple's entries */
static Node *
table_vars_mutator(Node *node, List *scan_tlist)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var) && ((Var *) node)->varno == INDEX_VAR)
	{
		TargetEntry *tle = list_nth(scan_tlist, ((Var *) node)->varattno - 1);

		return (Node *) copyObject(tle->expr);
	}
	return expression_tree_mutator(node, table_vars_mutator, scan_tlist);
}

/*
 * Return the WHERE quals of the node with their references to the scan
 * tuple (setrefs made them so) turned back into the table's columns.
 */
static List *
where_quals(CustomScan *cscan)
{
	return (List *) table_vars_mutator((Node *) cscan->custom_exprs, cscan->custom_scan_tlist);
}

/* Make the grouper and the aggregates' states anew (start, rescan). */
static void
reset_groups(ColumnarAggState *state)
{
	CustomScan *cscan = (CustomScan *) state->css.ss.ps.plan;
	Relation	rel = state->css.ss.ss_currentRelation;
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			collations[COLUMNAR_MAX_GROUP_KEYS];
	static const int key_cols[COLUMNAR_MAX_GROUP_KEYS] = {0, 1, 2, 3};
	ListCell   *lc;
	int			k = 0;
	int			a = 0;

	MemoryContextReset(state->agg_cxt);
	foreach(lc, cscan->custom_scan_tlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Expr	   *e = tle->expr;

		if (tle->resjunk)
			continue;
		if (IsA(e, Aggref))
			state->aggs[a++] = ColumnarAggCreate((Aggref *) e, desc,
												 state->css.ss.ps.state, state->agg_cxt);
		else
		{
			while (IsA(e, RelabelType))
				e = ((RelabelType *) e)->arg;
			collations[k++] = exprCollation((Node *) tle->expr);
		}
	}
	state->grouper = ColumnarGrouperCreate(state->key_desc, state->nkeys, key_cols,
										   collations, state->agg_cxt);
	for (a = 0; a < state->naggs; a++)
		ColumnarAggGrow(state->aggs[a], ColumnarGrouperCount(state->grouper));
	state->done = false;
	state->full = false;
	state->next_group = 0;
}

/*
 * The pipeline's answer function (no group keys, no quals, aggregates
 * that all can): add a stored row group to the aggregates from its
 * catalog entry, without reading it, if every aggregate can.
 */
static bool
answer_from_catalog(const ColumnarRowGroupMeta *meta, void *arg)
{
	ColumnarAggState *state = arg;
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);

	for (int pass = 0; pass < 2; pass++)
		for (int a = 0; a < state->naggs; a++)
		{
			ColumnarAgg *agg = state->aggs[a];
			int			col = ColumnarAggColumn(agg);
			const ColumnarChunkMeta *chunk = NULL;

			if (col >= 0 && col < meta->ncols)
				chunk = &meta->chunks[col];
			if (!ColumnarAggAddChunkMeta(agg, col >= 0 ? TupleDescAttr(desc, col) : NULL,
										 chunk, meta->row_count, pass == 0))
			{
				Assert(pass == 0);
				return false;
			}
		}
	return true;
}

/*
 * Start the node: the keys and aggregates of its scan tuple, its pipeline.
 */
static void
begin_columnar_agg(CustomScanState *node, EState *estate, int eflags)
{
	ColumnarAggState *state = (ColumnarAggState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	Bitmapset  *cols = NULL;
	Oid			key_types[COLUMNAR_MAX_GROUP_KEYS];
	int32		key_typmods[COLUMNAR_MAX_GROUP_KEYS];
	ListCell   *lc;

	state->aggs = palloc0(sizeof(ColumnarAgg *) * Max(list_length(cscan->custom_scan_tlist), 1));
	state->agg_resno = palloc0(sizeof(int) * Max(list_length(cscan->custom_scan_tlist), 1));
	foreach(lc, cscan->custom_scan_tlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Expr	   *e = tle->expr;

		if (tle->resjunk)
			continue;			/* a column of the WHERE quals */
		if (IsA(e, Aggref))
		{
			Aggref	   *aggref = (Aggref *) e;

			state->partial = aggref->aggsplit != AGGSPLIT_SIMPLE;
			state->agg_resno[state->naggs++] = tle->resno;
			cols = bms_union(cols, ColumnarColumnsUsed(aggref->args, cscan->scan.scanrelid,
													   RelationGetDescr(rel)->natts));
			if (aggref->aggfilter)
				cols = bms_union(cols, ColumnarColumnsUsed(list_make1(aggref->aggfilter),
														   cscan->scan.scanrelid,
														   RelationGetDescr(rel)->natts));
			continue;
		}
		if (state->nkeys >= COLUMNAR_MAX_GROUP_KEYS ||
			!ColumnarKeyAnalyze(e, cscan->scan.scanrelid, &state->keys[state->nkeys]))
			elog(ERROR, "unexpected entry in the scan tuple of a ColumnarAgg");
		state->key_resno[state->nkeys] = tle->resno;
		cols = bms_add_member(cols, state->keys[state->nkeys].col);
		key_types[state->nkeys] = exprType((Node *) e);
		key_typmods[state->nkeys] = exprTypmod((Node *) e);
		state->nkeys++;
	}
	state->key_desc = CreateTemplateTupleDesc(state->nkeys);
	for (int k = 0; k < state->nkeys; k++)
		TupleDescInitEntry(state->key_desc, k + 1, NULL, key_types[k], key_typmods[k], 0);
	ColumnarPipelineBegin(&state->pipe, rel, estate, where_quals(cscan), NIL, cols);
	state->agg_cxt = AllocSetContextCreate(estate->es_query_cxt, "columnar aggregate",
										   ALLOCSET_DEFAULT_SIZES);
	state->max_memory = (Size) get_hash_memory_limit();
	reset_groups(state);
	if (state->nkeys == 0)
	{
		bool		possible = true;

		for (int a = 0; a < state->naggs; a++)
			possible = possible && ColumnarAggFromCatalogPossible(state->aggs[a]);
		if (possible)
			ColumnarPipelineSetAnswer(&state->pipe, answer_from_catalog, state);
	}
}

/* Return the bytes the groups and states hold, about. */
static Size
groups_memory(ColumnarAggState *state)
{
	return MemoryContextMemAllocated(state->agg_cxt, true);
}

/*
 * Read the input, grouping every window's rows and adding them to the
 * aggregates, to its end or (partial) until memory is full.
 */
static void
aggregate_input(ColumnarAggState *state)
{
	ColumnarPipeline *p = &state->pipe;
	ColumnarVector *keys[COLUMNAR_MAX_GROUP_KEYS];
	uint32		windows = 0;

	while (ColumnarPipelineNext(p))
	{
		uint32		ngroups;
		uint32	   *gids = NULL;

		CHECK_FOR_INTERRUPTS();
		if (state->nkeys > 0)
		{
			MemoryContext old = MemoryContextSwitchTo(state->agg_cxt);

			for (int k = 0; k < state->nkeys; k++)
			{
				ColumnarKey *key = &state->keys[k];

				keys[k] = ColumnarPipelineColumn(p, key->col, COLUMNAR_ACCEPT_DICT);
				if (key->kind != COLUMNAR_KEY_COLUMN)
				{
					/* in the window's memory */
					MemoryContextSwitchTo(p->eval_cxt);
					keys[k] = ColumnarKeyDerive(key, keys[k], TupleDescAttr(state->key_desc, k));
					MemoryContextSwitchTo(state->agg_cxt);
				}
			}
			ColumnarGrouperAssign(state->grouper, keys, p->sel, p->nsel, state->gids);
			MemoryContextSwitchTo(old);
			gids = state->gids;
		}
		ngroups = ColumnarGrouperCount(state->grouper);
		for (int a = 0; a < state->naggs; a++)
		{
			ColumnarAgg *agg = state->aggs[a];
			ColumnarQualProgram *filter = ColumnarAggFilter(agg);
			int			col = ColumnarAggColumn(agg);
			const uint32 *sel = p->sel;
			uint32		nsel = p->nsel;
			const uint32 *agids = gids;
			ColumnarVector *vec = NULL;
			ColumnarVector *inputs[COLUMNAR_MAX_EXPR_INPUTS];
			const int  *cols;
			int			ninputs;

			ColumnarAggGrow(agg, ngroups);
			if (filter)
			{
				memcpy(state->fsel, p->sel, sizeof(uint32) * p->nsel);
				nsel = ColumnarPipelineFilter(p, filter, state->fsel, p->nsel);
				sel = state->fsel;
				if (gids)
				{
					for (uint32 k = 0; k < p->nsel; k++)
						state->row_gid[p->sel[k]] = gids[k];
					for (uint32 k = 0; k < nsel; k++)
						state->fgids[k] = state->row_gid[sel[k]];
					agids = state->fgids;
				}
				if (nsel == 0)
					continue;
			}
			ninputs = ColumnarAggInputs(agg, &cols);
			if (ninputs > 0)
			{
				/* the argument is an expression of these columns */
				for (int j = 0; j < ninputs; j++)
					inputs[j] = ColumnarPipelineColumn(p, cols[j], ColumnarAggAccept(agg));
				ColumnarAggAddInputs(agg, inputs, sel, nsel, agids);
				continue;
			}
			if (col >= 0)
				vec = ColumnarPipelineColumn(p, col, ColumnarAggAccept(agg));
			ColumnarAggAdd(agg, vec, sel, nsel, agids);
		}
		/* memory is checked now and then: it grows with the groups */
		if (++windows % 8 == 0)
		{
			Size		used = groups_memory(state);

			if (state->partial && used > state->max_memory)
			{
				state->full = true;
				return;
			}
			if (!state->partial && used > 4 * state->max_memory)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("vectorized aggregation of \"%s\" needs more than %zu kB of memory for its %u groups",
								RelationGetRelationName(state->css.ss.ss_currentRelation),
								4 * state->max_memory / 1024,
								ColumnarGrouperCount(state->grouper)),
						 errdetail("The planner expected far fewer groups."),
						 errhint("ANALYZE the table, or set biwh.enable_agg_pushdown to off for this query.")));
		}
	}
	state->done = true;
}

/*
 * Return the next group as a scan tuple (keys, then aggregates).
 */
static TupleTableSlot *
columnar_agg_next(ScanState *ss)
{
	ColumnarAggState *state = (ColumnarAggState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	uint32		g;

	MemoryContext old;

	if (state->next_group >= ColumnarGrouperCount(state->grouper) && state->full)
	{
		/* the groups of a full partial node are returned: read on */
		reset_groups(state);
		state->flushes++;
	}
	if (!state->done && !state->full)
	{
		old = MemoryContextSwitchTo(ss->ps.state->es_query_cxt);
		aggregate_input(state);
		MemoryContextSwitchTo(old);
	}
	if (state->next_group >= ColumnarGrouperCount(state->grouper))
		return NULL;
	g = state->next_group++;
	state->groups_returned++;
	/* results live until the next tuple */
	old = MemoryContextSwitchTo(ss->ps.ps_ExprContext->ecxt_per_tuple_memory);
	ExecClearTuple(slot);
	for (int k = 0; k < state->nkeys; k++)
		ColumnarGrouperKey(state->grouper, g, k,
						   &slot->tts_values[state->key_resno[k] - 1],
						   &slot->tts_isnull[state->key_resno[k] - 1]);
	for (int a = 0; a < state->naggs; a++)
	{
		int			i = state->agg_resno[a] - 1;

		slot->tts_values[i] = ColumnarAggResult(state->aggs[a], g, &slot->tts_isnull[i]);
	}
	MemoryContextSwitchTo(old);
	ExecStoreVirtualTuple(slot);
	return slot;
}

static bool
columnar_agg_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_columnar_agg(CustomScanState *node)
{
	return ExecScan(&node->ss, columnar_agg_next, columnar_agg_recheck);
}

static void
end_columnar_agg(CustomScanState *node)
{
	ColumnarPipelineEnd(&((ColumnarAggState *) node)->pipe);
}

static void
rescan_columnar_agg(CustomScanState *node)
{
	ColumnarAggState *state = (ColumnarAggState *) node;

	ColumnarPipelineRescan(&state->pipe);
	reset_groups(state);
}

static Size
estimate_dsm_columnar_agg(CustomScanState *node, ParallelContext *pcxt)
{
	return ColumnarPipelineEstimateDSM();
}

static void
initialize_dsm_columnar_agg(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	ColumnarPipelineInitializeDSM(&((ColumnarAggState *) node)->pipe, &node->ss.ps,
								  pcxt, coordinate);
}

static void
reinitialize_dsm_columnar_agg(CustomScanState *node, ParallelContext *pcxt,
							  void *coordinate)
{
	ColumnarPipelineReinitializeDSM(&((ColumnarAggState *) node)->pipe, coordinate);
}

static void
initialize_worker_columnar_agg(CustomScanState *node, shm_toc *toc, void *coordinate)
{
	ColumnarPipelineInitializeWorker(&((ColumnarAggState *) node)->pipe, coordinate);
}

static void
shutdown_columnar_agg(CustomScanState *node)
{
	ColumnarPipelineShutdown(&((ColumnarAggState *) node)->pipe);
}

/*
 * EXPLAIN: the group keys, the grouping, whether partial, the vectorized
 * quals; with ANALYZE the groups and what the pipeline did.
 */
static void
explain_columnar_agg(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ColumnarAggState *state = (ColumnarAggState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *context = set_deparse_context_plan(es->deparse_cxt, node->ss.ps.plan,
												   ancestors);
	List	   *keys = NIL;
	bool		partial = false;
	ListCell   *lc;

	foreach(lc, cscan->custom_scan_tlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (tle->resjunk)
			continue;
		if (IsA(tle->expr, Aggref))
			partial = partial || ((Aggref *) tle->expr)->aggsplit != AGGSPLIT_SIMPLE;
		else
			keys = lappend(keys, deparse_expression((Node *) tle->expr, context,
													es->verbose, false));
	}
	if (keys != NIL)
		ExplainPropertyList("Group Key", keys, es);
	ExplainPropertyText("Grouping", ColumnarGrouperStrategy(state->grouper), es);
	if (partial)
		ExplainPropertyBool("Partial", true, es);
	if (cscan->custom_exprs != NIL)
		ExplainPropertyText("Vectorized Filter",
							deparse_expression((Node *) make_ands_explicit(cscan->custom_exprs),
											   context, es->verbose, false),
							es);
	if (es->analyze)
	{
		ExplainPropertyInteger("Groups", NULL, state->groups_returned, es);
		if (state->flushes > 0)
			ExplainPropertyInteger("Memory Flushes", NULL, state->flushes, es);
	}
	ColumnarPipelineExplain(&state->pipe, &node->ss.ps, es);
}

/*
 * Register the node's methods (so plans can be copied and read).
 */
void
ColumnarAggScanInit(void)
{
	RegisterCustomScanMethods(&ColumnarAggMethods);
}
