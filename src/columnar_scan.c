/*-------------------------------------------------------------------------
 *
 * columnar_scan.c
 *	  The ColumnarScan custom scan node: reads a columnar table group by
 *	  group, evaluates its vectorized quals on windows of column vectors,
 *	  and forms tuples only for the rows that pass, from the columns the
 *	  plan needs.
 *
 * The planner (columnar_planner.c) adds the path and splits the quals: the
 * vectorized ones are in custom_exprs, the others in the plan's qual, which
 * ExecScan evaluates on the tuples this node returns.  Per group (a stored
 * row group, or a batch this backend still buffers) and per window of up
 * to COLUMNAR_WINDOW_ROWS rows:
 *	1. the columns the vectorized quals read are decoded (once per group,
 *	   in the forms the quals take: dictionary codes, scaled numerics) and
 *	   the quals narrow a selection vector of the window's rows;
 *	2. only when rows are left are the other columns the plan needs decoded
 *	   (late materialization), and a tuple is formed for each row left.
 * Stored row groups whose zone maps refute the quals (columnar_qual.c) are
 * not read at all; rows this backend still buffers are never skipped.
 * EXPLAIN shows the vectorized quals as "Vectorized Filter" and, under
 * ANALYZE, the row groups read and skipped, the windows evaluated and the
 * rows the vectorized quals removed.
 *
 * Parallel-aware (a partial path of columnar_planner.c, below a Gather),
 * the node keeps a ColumnarParallelScan in the query's DSM through the
 * DSM callbacks here, and every participant's reader takes the stored row
 * groups from it (columnar_parallel.c); without a DSM (no workers planned
 * at run time) it reads everything alone.  Under EXPLAIN ANALYZE the
 * workers add their counters to a segment of the leader's at shutdown:
 * the node shows the totals of all participants, then each worker's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/nodeCustom.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include "columnar_parallel.h"
#include "columnar_qual.h"
#include "columnar_reader.h"
#include "columnar_scan.h"
#include "columnar_storage.h"

/* gather single rows when at most one row in this many is left */
#define COLUMNAR_GATHER_RATIO	16

typedef struct ColumnarScanState
{
	CustomScanState css;
	ColumnarReadState *read;	/* made at the first row */
	Bitmapset  *needed;			/* every column read (for EXPLAIN) */
	ColumnarQualProgram *quals; /* the vectorized quals, or NULL */
	ColumnarQualProgram *skip;	/* every qual that can refute row groups */
	int			nqual_cols;
	int		   *qual_cols;		/* columns the vectorized quals read */
	int			nout_cols;
	int		   *out_cols;		/* columns put into the tuples */
	bool	   *gathered;		/* per out column: holds the selected rows only */
	/* the current group and window */
	bool		in_group;
	uint64		first_row;
	uint32		group_rows;
	uint32		win_start;
	ColumnarWindow win;
	ColumnarVector *views;		/* per column: its rows of the window */
	Bitmapset  *skip_cols;		/* columns the skip quals read */
	ColumnarRowGroupMeta zonemap;	/* of the window, for the skip quals */
	MemoryContext eval_cxt;		/* what evaluating a window's quals allocates */
	uint32		sel[COLUMNAR_WINDOW_ROWS];
	uint32		nsel;
	uint32		pos;
	/* what it did */
	int64		groups_read;
	int64		groups_skipped;
	int64		windows;
	int64		windows_skipped;
	int64		vec_removed;
	/* parallel-aware: the shared state, and the workers' counters */
	ColumnarParallelScan *shared;
	dsm_segment *counts_seg;
	ColumnarWorkerCounts *counts;
	bool		counts_reported;	/* a worker's are added to counts */
} ColumnarScanState;

static Node *create_columnar_scan_state(CustomScan *cscan);
static ColumnarVector *fetch_qual_column(ColumnarWindow *win, int col);
static void begin_columnar_scan(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_columnar_scan(CustomScanState *node);
static void end_columnar_scan(CustomScanState *node);
static void rescan_columnar_scan(CustomScanState *node);
static void explain_columnar_scan(CustomScanState *node, List *ancestors,
								  ExplainState *es);
static Size estimate_dsm_columnar_scan(CustomScanState *node,
									   ParallelContext *pcxt);
static void initialize_dsm_columnar_scan(CustomScanState *node,
										 ParallelContext *pcxt,
										 void *coordinate);
static void reinitialize_dsm_columnar_scan(CustomScanState *node,
										   ParallelContext *pcxt,
										   void *coordinate);
static void initialize_worker_columnar_scan(CustomScanState *node,
											shm_toc *toc,
											void *coordinate);
static void shutdown_columnar_scan(CustomScanState *node);

const CustomScanMethods ColumnarScanMethods = {
	.CustomName = "ColumnarScan",
	.CreateCustomScanState = create_columnar_scan_state,
};

static const CustomExecMethods columnar_exec_methods = {
	.CustomName = "ColumnarScan",
	.BeginCustomScan = begin_columnar_scan,
	.ExecCustomScan = exec_columnar_scan,
	.EndCustomScan = end_columnar_scan,
	.ReScanCustomScan = rescan_columnar_scan,
	.EstimateDSMCustomScan = estimate_dsm_columnar_scan,
	.InitializeDSMCustomScan = initialize_dsm_columnar_scan,
	.ReInitializeDSMCustomScan = reinitialize_dsm_columnar_scan,
	.InitializeWorkerCustomScan = initialize_worker_columnar_scan,
	.ShutdownCustomScan = shutdown_columnar_scan,
	.ExplainCustomScan = explain_columnar_scan,
};

/*
 * Make the executor state of a ColumnarScan.
 */
static Node *
create_columnar_scan_state(CustomScan *cscan)
{
	ColumnarScanState *state = palloc0(sizeof(ColumnarScanState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &columnar_exec_methods;
	state->css.flags = cscan->flags;
	return (Node *) state;
}

/*
 * Return the 0-based user columns of the scanned table that exprs use
 * (all of them for a whole-row reference).
 */
static Bitmapset *
columns_used(List *exprs, Index scanrelid, int natts)
{
	Bitmapset  *attrs = NULL;
	Bitmapset  *cols = NULL;
	int			x = -1;

	pull_varattnos((Node *) exprs, scanrelid, &attrs);
	while ((x = bms_next_member(attrs, x)) >= 0)
	{
		AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;

		if (attno == 0)
		{
			for (int i = 0; i < natts; i++)
				cols = bms_add_member(cols, i);
		}
		else if (attno > 0)
			cols = bms_add_member(cols, attno - 1);
	}
	return cols;
}

/* Return the members of a set as a palloc'd array; sets *n. */
static int *
set_to_array(Bitmapset *set, int *n)
{
	int		   *a = palloc(sizeof(int) * Max(bms_num_members(set), 1));
	int			x = -1;

	*n = 0;
	while ((x = bms_next_member(set, x)) >= 0)
		a[(*n)++] = x;
	return a;
}

/*
 * Start the scan: compile the vectorized quals and the skip quals, and
 * find the columns each step reads.
 */
static void
begin_columnar_scan(CustomScanState *node, EState *estate, int eflags)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	TupleDesc	desc = RelationGetDescr(rel);
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	List	   *skip_clauses = NIL;
	Bitmapset  *out;
	ListCell   *lc;

	if (cscan->custom_exprs != NIL)
	{
		Bitmapset  *qcols;

		state->quals = ColumnarQualCompile(cscan->custom_exprs, desc, estate);
		qcols = ColumnarQualColumns(state->quals);
		state->qual_cols = set_to_array(qcols, &state->nqual_cols);
		state->needed = bms_copy(qcols);
	}

	/* the quals ExecQual evaluates can still skip row groups */
	skip_clauses = list_copy(cscan->custom_exprs);
	foreach(lc, cscan->scan.plan.qual)
	{
		if (ColumnarQualIsVectorizable(lfirst(lc)))
			skip_clauses = lappend(skip_clauses, lfirst(lc));
	}
	if (skip_clauses != NIL)
	{
		state->skip = ColumnarQualCompile(skip_clauses, desc, estate);
		state->skip_cols = ColumnarQualColumns(state->skip);
		state->zonemap.chunks = palloc0(sizeof(ColumnarChunkMeta) * Max(desc->natts, 1));
	}

	out = columns_used(list_concat(list_copy(cscan->scan.plan.targetlist),
								   cscan->scan.plan.qual),
					   cscan->scan.scanrelid, desc->natts);
	state->out_cols = set_to_array(out, &state->nout_cols);
	state->gathered = palloc0(sizeof(bool) * Max(state->nout_cols, 1));
	state->needed = bms_join(state->needed, out);

	state->win.vectors = palloc0(sizeof(ColumnarVector *) * Max(desc->natts, 1));
	state->views = palloc0(sizeof(ColumnarVector) * Max(desc->natts, 1));
	state->eval_cxt = AllocSetContextCreate(estate->es_query_cxt, "columnar quals",
											ALLOCSET_SMALL_SIZES);
	state->win.fetch = fetch_qual_column;
	state->win.fetch_arg = state;
	/* columns no step reads stay NULL in every tuple */
	for (int i = 0; i < desc->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
}

/*
 * Leave out the row groups the skip quals refute (a ColumnarSkipFn).
 */
static bool
skip_row_group(ColumnarRowGroupMeta *meta, void *arg)
{
	return ColumnarQualRefute(((ColumnarScanState *) arg)->skip, meta);
}

/*
 * Read a column the vectorized quals need in the current window (a
 * ColumnarFetchFn).
 */
static ColumnarVector *
fetch_qual_column(ColumnarWindow *win, int col)
{
	ColumnarScanState *state = win->fetch_arg;

	win->vectors[col] = ColumnarReadColumnRange(state->read, col, state->win_start,
												win->nrows,
												ColumnarQualAccept(state->quals, col),
												&state->views[col]);
	return win->vectors[col];
}

/*
 * Move to the next window with rows left after the vectorized quals,
 * decoding the columns it needs; false after the last group.
 */
static bool
next_window(ColumnarScanState *state)
{
	for (;;)
	{
		uint32		nrows;
		MemoryContext old;

		if (!state->in_group || state->win_start + state->win.nrows >= state->group_rows)
		{
			if (!ColumnarReadNextGroup(state->read, &state->first_row, &state->group_rows))
			{
				state->in_group = false;
				return false;
			}
			state->in_group = true;
			state->win_start = 0;
			state->win.nrows = 0;
			if (state->group_rows == 0)
				continue;
		}
		else
			state->win_start += state->win.nrows;

		nrows = Min(COLUMNAR_WINDOW_ROWS, state->group_rows - state->win_start);
		state->win.base = 0;
		state->win.nrows = nrows;

		/* the zone maps of the window's segments may rule it out unread */
		MemoryContextReset(state->eval_cxt);
		if (state->skip &&
			ColumnarReadRangeZoneMap(state->read, state->skip_cols, state->win_start,
									 nrows, &state->zonemap))
		{
			bool		refuted;

			old = MemoryContextSwitchTo(state->eval_cxt);
			refuted = ColumnarQualRefute(state->skip, &state->zonemap);
			MemoryContextSwitchTo(old);
			if (refuted)
			{
				state->windows_skipped++;
				continue;
			}
		}

		state->windows++;
		for (uint32 k = 0; k < nrows; k++)
			state->sel[k] = k;
		state->nsel = nrows;
		state->pos = 0;

		if (state->quals)
		{
			/* the quals read their columns when rows are left for them */
			for (int i = 0; i < state->nqual_cols; i++)
				state->win.vectors[state->qual_cols[i]] = NULL;
			old = MemoryContextSwitchTo(state->eval_cxt);
			state->nsel = ColumnarQualEval(state->quals, &state->win, state->sel, nrows);
			MemoryContextSwitchTo(old);
			state->vec_removed += nrows - state->nsel;
			if (state->nsel == 0)
				continue;
		}
		for (int i = 0; i < state->nout_cols; i++)
		{
			int			col = state->out_cols[i];

			/*
			 * With few rows left, decode just those rows of the columns not
			 * decoded yet (late materialization within a segment).
			 */
			if ((uint64) state->nsel * COLUMNAR_GATHER_RATIO <= nrows)
				state->win.vectors[col] =
					ColumnarReadColumnRows(state->read, col, state->win_start, nrows,
										   state->sel, state->nsel, &state->views[col],
										   &state->gathered[i]);
			else
			{
				state->win.vectors[col] =
					ColumnarReadColumnRange(state->read, col, state->win_start, nrows,
											COLUMNAR_ACCEPT_DICT, &state->views[col]);
				state->gathered[i] = false;
			}
		}
		return true;
	}
}

/*
 * Return the next row left by the vectorized quals, starting the read at
 * the first call.
 */
static TupleTableSlot *
columnar_scan_next(ScanState *ss)
{
	ColumnarScanState *state = (ColumnarScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	Relation	rel = ss->ss_currentRelation;
	uint32		k;
	uint32		row;

	if (state->read == NULL)
	{
		/* not in the per-tuple context the executor may be in */
		MemoryContext old = MemoryContextSwitchTo(ss->ps.state->es_query_cxt);

		state->read = ColumnarBeginRead(rel, ss->ps.state->es_snapshot,
										slot->tts_tupleDescriptor, true,
										state->needed);
		if (state->skip)
			ColumnarReadSetSkip(state->read, skip_row_group, state);
		if (state->shared)
			ColumnarReadSetParallel(state->read, state->shared,
									!IsParallelWorker());
		MemoryContextSwitchTo(old);
	}
	if (state->pos >= state->nsel && !next_window(state))
		return NULL;

	k = state->pos++;
	row = state->sel[k];
	ExecClearTuple(slot);
	for (int i = 0; i < state->nout_cols; i++)
	{
		int			col = state->out_cols[i];
		ColumnarVector *vec = state->win.vectors[col];
		uint32		r = state->gathered[i] ? k : row;

		if (COLUMNAR_VALID(vec, r))
		{
			slot->tts_values[col] = ColumnarVectorDatum(vec, r,
														TupleDescAttr(slot->tts_tupleDescriptor, col)->attbyval);
			slot->tts_isnull[col] = false;
		}
		else
		{
			slot->tts_values[col] = (Datum) 0;
			slot->tts_isnull[col] = true;
		}
	}
	ExecStoreVirtualTuple(slot);
	ColumnarRowToTid(state->first_row + state->win_start + row, &slot->tts_tid);
	slot->tts_tableOid = RelationGetRelid(rel);
	pgstat_count_heap_getnext(rel);
	return slot;
}

/*
 * No recheck is ever needed: no qual is lossy.
 */
static bool
columnar_scan_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_columnar_scan(CustomScanState *node)
{
	return ExecScan(&node->ss, columnar_scan_next, columnar_scan_recheck);
}

/*
 * Return what this participant has done so far.
 */
static void
own_counts(ColumnarScanState *state, ColumnarScanCounts *c)
{
	c->groups_read = state->groups_read;
	c->groups_skipped = state->groups_skipped;
	if (state->read)
		ColumnarReadCounts(state->read, &c->groups_read, &c->groups_skipped);
	c->batches = state->windows;
	c->batches_skipped = state->windows_skipped;
	c->vec_removed = state->vec_removed;
}

/*
 * Return what every participant did: this one's and the workers'.
 */
static void
total_counts(ColumnarScanState *state, ColumnarScanCounts *c)
{
	own_counts(state, c);
	for (int n = 0; state->counts && n < state->counts->nworkers; n++)
	{
		ColumnarScanCounts *w = &state->counts->worker[n];

		c->groups_read += w->groups_read;
		c->groups_skipped += w->groups_skipped;
		c->batches += w->batches;
		c->batches_skipped += w->batches_skipped;
		c->vec_removed += w->vec_removed;
	}
}

/*
 * In a worker, add what it did to its counters in the leader's segment,
 * once.
 */
static void
report_worker_counts(ColumnarScanState *state)
{
	ColumnarScanCounts c;
	ColumnarScanCounts *w;

	if (!IsParallelWorker() || state->counts == NULL || state->counts_reported ||
		ParallelWorkerNumber >= state->counts->nworkers)
		return;
	own_counts(state, &c);
	w = &state->counts->worker[ParallelWorkerNumber];
	w->groups_read += c.groups_read;
	w->groups_skipped += c.groups_skipped;
	w->batches += c.batches;
	w->batches_skipped += c.batches_skipped;
	w->vec_removed += c.vec_removed;
	state->counts_reported = true;
}

static void
end_columnar_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	report_worker_counts(state);
	if (state->read)
	{
		ColumnarReadCounts(state->read, &state->groups_read, &state->groups_skipped);
		ColumnarEndRead(state->read);
		state->read = NULL;
	}
	if (state->counts_seg)
	{
		dsm_detach(state->counts_seg);
		state->counts_seg = NULL;
		state->counts = NULL;
	}
}

static void
rescan_columnar_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	if (state->read)
		ColumnarRescan(state->read);
	state->in_group = false;
	state->nsel = state->pos = 0;
	state->win.nrows = 0;
}

/*
 * Return the bytes the shared state of a parallel scan takes.
 */
static Size
estimate_dsm_columnar_scan(CustomScanState *node, ParallelContext *pcxt)
{
	return ColumnarParallelEstimate();
}

/*
 * Set up the shared state in the query's DSM (leader).  It may be made
 * anew for a rescan; the workers' counters are made once, and outlive it.
 */
static void
initialize_dsm_columnar_scan(CustomScanState *node, ParallelContext *pcxt,
							 void *coordinate)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	if (node->ss.ps.instrument && state->counts_seg == NULL)
		state->counts = ColumnarParallelCreateCounts(pcxt->nworkers,
													 &state->counts_seg);
	state->shared = coordinate;
	ColumnarParallelInitialize(state->shared, state->counts_seg);
	if (state->read)
		ColumnarReadSetParallel(state->read, state->shared, true);
}

/*
 * Reset the shared state for a rescan (leader; ReScan resets the local
 * one).
 */
static void
reinitialize_dsm_columnar_scan(CustomScanState *node, ParallelContext *pcxt,
							   void *coordinate)
{
	ColumnarParallelReinitialize(coordinate);
}

/*
 * Find the shared state and the counters (worker).
 */
static void
initialize_worker_columnar_scan(CustomScanState *node, shm_toc *toc,
								void *coordinate)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	state->shared = coordinate;
	state->counts = ColumnarParallelAttachCounts(state->shared,
												 &state->counts_seg);
}

/*
 * Before the query's DSM goes: a worker reports its counters; the leader
 * forgets the shared state (a rescan sets up a new one).
 */
static void
shutdown_columnar_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	report_worker_counts(state);
	if (state->shared && !IsParallelWorker())
	{
		state->shared = NULL;
		if (state->read)
			ColumnarReadSetParallel(state->read, NULL, true);
	}
}

/*
 * EXPLAIN ANALYZE of a parallel scan: what each worker that ran did.
 */
static void
explain_worker_counts(ColumnarScanState *state, ExplainState *es)
{
	WorkerInstrumentation *wi = state->css.ss.ps.worker_instrument;
	CustomScan *cscan = (CustomScan *) state->css.ss.ps.plan;
	bool		vectorized = cscan->custom_exprs != NIL;

	if (es->format != EXPLAIN_FORMAT_TEXT)
		ExplainOpenGroup("Columnar Workers", "Columnar Workers", false, es);
	for (int n = 0; n < state->counts->nworkers; n++)
	{
		ColumnarScanCounts *w = &state->counts->worker[n];

		if ((wi == NULL || n >= wi->num_workers || wi->instrument[n].nloops == 0) &&
			w->groups_read == 0 && w->groups_skipped == 0 && w->batches == 0)
			continue;
		if (es->format == EXPLAIN_FORMAT_TEXT)
		{
			appendStringInfoSpaces(es->str, es->indent * 2);
			appendStringInfo(es->str,
							 "Worker %d:  Row Groups Read: %lld  Row Groups Skipped: %lld  Batches: %lld",
							 n, (long long) w->groups_read, (long long) w->groups_skipped,
							 (long long) w->batches);
			if (state->skip)
				appendStringInfo(es->str, "  Batches Skipped: %lld",
								 (long long) w->batches_skipped);
			if (vectorized)
				appendStringInfo(es->str, "  Rows Removed by Vectorized Filter: %lld",
								 (long long) w->vec_removed);
			appendStringInfoChar(es->str, '\n');
		}
		else
		{
			ExplainOpenGroup("Worker", NULL, true, es);
			ExplainPropertyInteger("Worker Number", NULL, n, es);
			ExplainPropertyInteger("Row Groups Read", NULL, w->groups_read, es);
			ExplainPropertyInteger("Row Groups Skipped", NULL, w->groups_skipped, es);
			ExplainPropertyInteger("Batches", NULL, w->batches, es);
			if (state->skip)
				ExplainPropertyInteger("Batches Skipped", NULL, w->batches_skipped, es);
			if (vectorized)
				ExplainPropertyFloat("Rows Removed by Vectorized Filter", NULL,
									 (double) w->vec_removed, 0, es);
			ExplainCloseGroup("Worker", NULL, true, es);
		}
	}
	if (es->format != EXPLAIN_FORMAT_TEXT)
		ExplainCloseGroup("Columnar Workers", "Columnar Workers", false, es);
}

/*
 * EXPLAIN: the vectorized quals and the columns read; with ANALYZE, the
 * row groups read and skipped, the windows and the rows the vectorized
 * quals removed, by all participants and by each worker.
 */
static void
explain_columnar_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	ColumnarScanCounts total;

	total_counts(state, &total);

	if (cscan->custom_exprs != NIL)
	{
		List	   *context = set_deparse_context_plan(es->deparse_cxt,
													   node->ss.ps.plan, ancestors);
		char	   *qual = deparse_expression((Node *) make_ands_explicit(cscan->custom_exprs),
											  context,
											  es->verbose,
											  false);

		ExplainPropertyText("Vectorized Filter", qual, es);
		if (es->analyze)
			ExplainPropertyFloat("Rows Removed by Vectorized Filter", NULL,
								 (double) total.vec_removed, 0, es);
	}
	ExplainPropertyInteger("Columns Read", NULL, bms_num_members(state->needed), es);
	if (RelationGetDescr(rel)->natts > 0 && es->verbose)
	{
		List	   *names = NIL;
		int			x = -1;

		while ((x = bms_next_member(state->needed, x)) >= 0)
			names = lappend(names,
							NameStr(TupleDescAttr(RelationGetDescr(rel), x)->attname));
		ExplainPropertyList("Column List", names, es);
	}
	if (es->analyze)
	{
		ExplainPropertyInteger("Row Groups Read", NULL, total.groups_read, es);
		ExplainPropertyInteger("Row Groups Skipped", NULL, total.groups_skipped, es);
		ExplainPropertyInteger("Batches", NULL, total.batches, es);
		if (state->skip)
			ExplainPropertyInteger("Batches Skipped", NULL, total.batches_skipped, es);
		if (state->counts)
			explain_worker_counts(state, es);
	}
}

/*
 * Register the custom scan's methods (so plans can be copied and read).
 */
void
ColumnarScanInit(void)
{
	RegisterCustomScanMethods(&ColumnarScanMethods);
}
