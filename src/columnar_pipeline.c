/*-------------------------------------------------------------------------
 *
 * columnar_pipeline.c
 *	  The rows a vectorized executor node reads from a columnar table, a
 *	  window at a time: what the ColumnarScan and the ColumnarAgg nodes
 *	  share.
 *
 * Per group (a stored row group, or a batch this backend still buffers)
 * and per window of up to COLUMNAR_WINDOW_ROWS rows:
 *	1. the window is skipped unread when the zone maps of its segments
 *	   refute the quals (stored row groups are skipped as a whole before:
 *	   the reader asks the same skip quals);
 *	2. the vectorized quals narrow a selection vector of the window's rows,
 *	   reading their columns only when rows are left for them (in the forms
 *	   the quals take: dictionary codes, scaled numerics);
 *	3. the caller reads the other columns it needs for the rows left:
 *	   ColumnarPipelineColumn decodes the window's segments,
 *	   ColumnarPipelineRows only the rows left when they are few (late
 *	   materialization within a segment).
 * Rows this backend still buffers are never skipped.
 *
 * Parallel-aware nodes (partial paths below a Gather) keep a
 * ColumnarParallelScan in the query's DSM through the DSM callbacks, which
 * call the functions here: every participant's reader takes the stored
 * row groups from it (columnar_parallel.c); without a DSM (no workers
 * planned at run time) it reads everything alone.  Under EXPLAIN ANALYZE
 * the workers add their counters to a segment of the leader's at shutdown:
 * EXPLAIN shows the totals of all participants, then each worker's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "columnar_pipeline.h"

static ColumnarVector *fetch_column(ColumnarWindow *win, int col);

/*
 * Leave out the row groups the skip quals refute (a ColumnarSkipFn).
 */
static bool
skip_row_group(ColumnarRowGroupMeta *meta, void *arg)
{
	return ColumnarQualRefute(((ColumnarPipeline *) arg)->skip, meta);
}

/*
 * Set up the pipeline of a node reading rel: vec_quals are evaluated on
 * vectors; other_quals (evaluated by the node, e.g. by ExecQual) only skip
 * row groups and windows where they can; other_cols (0-based) are the
 * columns the node reads itself.
 */
void
ColumnarPipelineBegin(ColumnarPipeline *p, Relation rel, EState *estate,
					  List *vec_quals, List *other_quals, Bitmapset *other_cols)
{
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *skip_clauses;
	ListCell   *lc;

	memset(p, 0, sizeof(*p));
	p->rel = rel;
	p->estate = estate;
	if (vec_quals != NIL)
	{
		Bitmapset  *qcols;
		int			x = -1;

		p->quals = ColumnarQualCompile(vec_quals, desc, estate);
		qcols = ColumnarQualColumns(p->quals);
		p->qual_cols = palloc(sizeof(int) * Max(bms_num_members(qcols), 1));
		while ((x = bms_next_member(qcols, x)) >= 0)
			p->qual_cols[p->nqual_cols++] = x;
		p->needed = bms_copy(qcols);
	}

	skip_clauses = list_copy(vec_quals);
	foreach(lc, other_quals)
	{
		if (ColumnarQualIsVectorizable(lfirst(lc)))
			skip_clauses = lappend(skip_clauses, lfirst(lc));
	}
	if (skip_clauses != NIL)
	{
		p->skip = ColumnarQualCompile(skip_clauses, desc, estate);
		p->skip_cols = ColumnarQualColumns(p->skip);
		p->zonemap.chunks = palloc0(sizeof(ColumnarChunkMeta) * Max(desc->natts, 1));
	}
	p->needed = bms_union(p->needed, other_cols);

	p->win.vectors = palloc0(sizeof(ColumnarVector *) * Max(desc->natts, 1));
	p->views = palloc0(sizeof(ColumnarVector) * Max(desc->natts, 1));
	p->win.fetch = fetch_column;
	p->win.fetch_arg = p;
	p->eval_cxt = AllocSetContextCreate(estate->es_query_cxt, "columnar quals",
										ALLOCSET_SMALL_SIZES);
}

/* Start the read at the first window. */
static void
start_read(ColumnarPipeline *p)
{
	/* not in the per-tuple context the executor may be in */
	MemoryContext old = MemoryContextSwitchTo(p->estate->es_query_cxt);

	p->read = ColumnarBeginRead(p->rel, p->estate->es_snapshot,
								RelationGetDescr(p->rel), true, p->needed);
	if (p->skip)
		ColumnarReadSetSkip(p->read, skip_row_group, p);
	if (p->shared)
		ColumnarReadSetParallel(p->read, p->shared, !IsParallelWorker());
	MemoryContextSwitchTo(old);
}

/*
 * Read a column in the current window for a qual program, in the forms it
 * takes (a ColumnarFetchFn; win->accept is set by ColumnarQualEval).
 */
static ColumnarVector *
fetch_column(ColumnarWindow *win, int col)
{
	ColumnarPipeline *p = win->fetch_arg;

	win->vectors[col] = ColumnarReadColumnRange(p->read, col, p->win_start, win->nrows,
												win->accept ? win->accept[col] : 0,
												&p->views[col]);
	return win->vectors[col];
}

/*
 * Move to the next window with rows left after the vectorized quals: its
 * rows are p->sel[0 .. p->nsel - 1] (window rows, ascending); false after
 * the last group.
 */
void
ColumnarPipelineSetAnswer(ColumnarPipeline *p, ColumnarGroupAnswerFn fn, void *arg)
{
	p->answer = fn;
	p->answer_arg = arg;
}

/* Return whether stored row groups are offered to the answer function. */
static inline bool
answering(const ColumnarPipeline *p)
{
	return p->answer != NULL && p->quals == NULL && p->skip == NULL;
}

/*
 * Offer the group ColumnarPipelineNext moved to, when it is stored and no
 * qual could remove any of its rows, to the answer function; return
 * whether it took the group.
 */
static bool
answered_from_catalog(ColumnarPipeline *p)
{
	const ColumnarRowGroupMeta *meta;
	MemoryContext old;
	bool		taken;

	if (!answering(p))
		return false;
	meta = ColumnarReadGroupMeta(p->read);
	if (meta == NULL)
		return false;
	MemoryContextReset(p->eval_cxt);
	old = MemoryContextSwitchTo(p->eval_cxt);
	taken = p->answer(meta, p->answer_arg);
	MemoryContextSwitchTo(old);
	if (taken)
		p->groups_answered++;
	return taken;
}

bool
ColumnarPipelineNext(ColumnarPipeline *p)
{
	if (p->read == NULL)
		start_read(p);
	for (;;)
	{
		uint32		nrows;
		MemoryContext old;

		if (!p->in_group || p->win_start + p->win.nrows >= p->group_rows)
		{
			if (!ColumnarReadNextGroup(p->read, &p->first_row, &p->group_rows))
			{
				p->in_group = false;
				p->nsel = 0;
				return false;
			}
			p->in_group = true;
			p->win_start = 0;
			p->win.nrows = 0;
			if (p->group_rows == 0 || answered_from_catalog(p))
			{
				p->in_group = false;
				continue;
			}
		}
		else
			p->win_start += p->win.nrows;

		nrows = Min(COLUMNAR_WINDOW_ROWS, p->group_rows - p->win_start);
		p->win.base = 0;
		p->win.nrows = nrows;
		/* every column is read anew for this window */
		memset(p->win.vectors, 0, sizeof(ColumnarVector *) * RelationGetDescr(p->rel)->natts);

		/* the zone maps of the window's segments may rule it out unread */
		MemoryContextReset(p->eval_cxt);
		if (p->skip &&
			ColumnarReadRangeZoneMap(p->read, p->skip_cols, p->win_start, nrows, &p->zonemap))
		{
			bool		refuted;

			old = MemoryContextSwitchTo(p->eval_cxt);
			refuted = ColumnarQualRefute(p->skip, &p->zonemap);
			MemoryContextSwitchTo(old);
			if (refuted)
			{
				p->windows_skipped++;
				continue;
			}
		}

		p->windows++;
		for (uint32 k = 0; k < nrows; k++)
			p->sel[k] = k;
		p->nsel = nrows;
		if (p->quals)
		{
			p->nsel = ColumnarPipelineFilter(p, p->quals, p->sel, nrows);
			p->vec_removed += nrows - p->nsel;
			if (p->nsel == 0)
				continue;
		}
		return true;
	}
}

/*
 * Narrow sel (nsel rows of the current window) by a qual program (the
 * vectorized quals, or an aggregate's FILTER); returns the rows left.
 */
uint32
ColumnarPipelineFilter(ColumnarPipeline *p, ColumnarQualProgram *prog,
					   uint32 *sel, uint32 nsel)
{
	MemoryContext old = MemoryContextSwitchTo(p->eval_cxt);

	nsel = ColumnarQualEval(prog, &p->win, sel, nsel);
	MemoryContextSwitchTo(old);
	return nsel;
}

/*
 * Return column col of the current window (row j of the vector is window
 * row j), in one of the forms accept allows.
 */
ColumnarVector *
ColumnarPipelineColumn(ColumnarPipeline *p, int col, int accept)
{
	ColumnarVector *vec = p->win.vectors[col];

	if (vec != NULL && (vec->form == COLUMNAR_FORM_FLAT || (accept & (1 << vec->form))))
		return vec;
	p->win.vectors[col] = ColumnarReadColumnRange(p->read, col, p->win_start, p->win.nrows,
												  accept, &p->views[col]);
	return p->win.vectors[col];
}

/*
 * Return column col for the rows left in the current window, FLAT or DICT:
 * when few are left, only those rows, gathered (row k of the vector is
 * p->sel[k]; *gathered set), else the window (row j is window row j).
 */
ColumnarVector *
ColumnarPipelineRows(ColumnarPipeline *p, int col, bool *gathered)
{
	if ((uint64) p->nsel * COLUMNAR_GATHER_RATIO <= p->win.nrows &&
		p->win.vectors[col] == NULL)
	{
		p->win.vectors[col] = ColumnarReadColumnRows(p->read, col, p->win_start,
													 p->win.nrows, p->sel, p->nsel,
													 &p->views[col], gathered);
		if (*gathered)
		{
			/* not a window view: nobody else may take it for one */
			ColumnarVector *vec = p->win.vectors[col];

			p->win.vectors[col] = NULL;
			return vec;
		}
		return p->win.vectors[col];
	}
	*gathered = false;
	return ColumnarPipelineColumn(p, col, COLUMNAR_ACCEPT_DICT);
}

/* Go back to before the first window, seeing the same groups. */
void
ColumnarPipelineRescan(ColumnarPipeline *p)
{
	if (p->read)
		ColumnarRescan(p->read);
	p->in_group = false;
	p->nsel = 0;
	p->win.nrows = 0;
}

/* ----------------------------------------------------------------
 *		counters, EXPLAIN, parallel workers
 * ----------------------------------------------------------------
 */

/* Return what this participant has done so far. */
static void
own_counts(ColumnarPipeline *p, ColumnarScanCounts *c)
{
	c->groups_read = p->groups_read;
	c->groups_skipped = p->groups_skipped;
	if (p->read)
		ColumnarReadCounts(p->read, &c->groups_read, &c->groups_skipped);
	c->batches = p->windows;
	c->batches_skipped = p->windows_skipped;
	c->vec_removed = p->vec_removed;
	c->groups_answered = p->groups_answered;
}

/* Return what every participant did: this one's and the workers'. */
static void
total_counts(ColumnarPipeline *p, ColumnarScanCounts *c)
{
	own_counts(p, c);
	for (int n = 0; p->counts && n < p->counts->nworkers; n++)
	{
		ColumnarScanCounts *w = &p->counts->worker[n];

		c->groups_read += w->groups_read;
		c->groups_skipped += w->groups_skipped;
		c->batches += w->batches;
		c->batches_skipped += w->batches_skipped;
		c->vec_removed += w->vec_removed;
		c->groups_answered += w->groups_answered;
	}
}

/* In a worker, add what it did to its counters in the leader's segment, once. */
static void
report_worker_counts(ColumnarPipeline *p)
{
	ColumnarScanCounts c;
	ColumnarScanCounts *w;

	if (!IsParallelWorker() || p->counts == NULL || p->counts_reported ||
		ParallelWorkerNumber >= p->counts->nworkers)
		return;
	own_counts(p, &c);
	w = &p->counts->worker[ParallelWorkerNumber];
	w->groups_read += c.groups_read;
	w->groups_skipped += c.groups_skipped;
	w->batches += c.batches;
	w->batches_skipped += c.batches_skipped;
	w->vec_removed += c.vec_removed;
	w->groups_answered += c.groups_answered;
	p->counts_reported = true;
}

/* End the pipeline's read (a worker reports its counters first). */
void
ColumnarPipelineEnd(ColumnarPipeline *p)
{
	report_worker_counts(p);
	if (p->read)
	{
		ColumnarReadCounts(p->read, &p->groups_read, &p->groups_skipped);
		ColumnarEndRead(p->read);
		p->read = NULL;
	}
	if (p->counts_seg)
	{
		dsm_detach(p->counts_seg);
		p->counts_seg = NULL;
		p->counts = NULL;
	}
}

/* EXPLAIN ANALYZE of a parallel node: what each worker that ran did. */
static void
explain_worker_counts(ColumnarPipeline *p, PlanState *ps, ExplainState *es)
{
	WorkerInstrumentation *wi = ps->worker_instrument;
	bool		vectorized = p->quals != NULL;

	if (es->format != EXPLAIN_FORMAT_TEXT)
		ExplainOpenGroup("Columnar Workers", "Columnar Workers", false, es);
	for (int n = 0; n < p->counts->nworkers; n++)
	{
		ColumnarScanCounts *w = &p->counts->worker[n];

		if ((wi == NULL || n >= wi->num_workers || wi->instrument[n].nloops == 0) &&
			w->groups_read == 0 && w->groups_skipped == 0 && w->batches == 0)
			continue;
		if (es->format == EXPLAIN_FORMAT_TEXT)
		{
			appendStringInfoSpaces(es->str, es->indent * 2);
			appendStringInfo(es->str, "Worker %d:  Row Groups Read: %lld", n,
							 (long long) (w->groups_read - w->groups_answered));
			if (answering(p))
				appendStringInfo(es->str, "  Row Groups Answered from Metadata: %lld",
								 (long long) w->groups_answered);
			appendStringInfo(es->str, "  Row Groups Skipped: %lld  Batches: %lld",
							 (long long) w->groups_skipped, (long long) w->batches);
			if (p->skip)
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
			ExplainPropertyInteger("Row Groups Read", NULL,
								   w->groups_read - w->groups_answered, es);
			if (answering(p))
				ExplainPropertyInteger("Row Groups Answered from Metadata", NULL,
									   w->groups_answered, es);
			ExplainPropertyInteger("Row Groups Skipped", NULL, w->groups_skipped, es);
			ExplainPropertyInteger("Batches", NULL, w->batches, es);
			if (p->skip)
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
 * EXPLAIN: the columns read; with ANALYZE, the rows the vectorized quals
 * removed, the row groups read and skipped, the windows evaluated and
 * skipped, by all participants and by each worker.  (The node shows the
 * quals themselves first.)
 */
void
ColumnarPipelineExplain(ColumnarPipeline *p, PlanState *ps, ExplainState *es)
{
	TupleDesc	desc = RelationGetDescr(p->rel);
	ColumnarScanCounts total;

	total_counts(p, &total);
	if (p->quals && es->analyze)
		ExplainPropertyFloat("Rows Removed by Vectorized Filter", NULL,
							 (double) total.vec_removed, 0, es);
	ExplainPropertyInteger("Columns Read", NULL, bms_num_members(p->needed), es);
	if (desc->natts > 0 && es->verbose)
	{
		List	   *names = NIL;
		int			x = -1;

		while ((x = bms_next_member(p->needed, x)) >= 0)
			names = lappend(names, NameStr(TupleDescAttr(desc, x)->attname));
		ExplainPropertyList("Column List", names, es);
	}
	if (es->analyze)
	{
		ExplainPropertyInteger("Row Groups Read", NULL,
							   total.groups_read - total.groups_answered, es);
		if (answering(p))
			ExplainPropertyInteger("Row Groups Answered from Metadata", NULL,
								   total.groups_answered, es);
		ExplainPropertyInteger("Row Groups Skipped", NULL, total.groups_skipped, es);
		ExplainPropertyInteger("Batches", NULL, total.batches, es);
		if (p->skip)
			ExplainPropertyInteger("Batches Skipped", NULL, total.batches_skipped, es);
		if (p->counts)
			explain_worker_counts(p, ps, es);
	}
}

/* Return the bytes the shared state of a parallel read takes. */
Size
ColumnarPipelineEstimateDSM(void)
{
	return ColumnarParallelEstimate();
}

/*
 * Set up the shared state in the query's DSM (leader).  It may be made
 * anew for a rescan; the workers' counters are made once, and outlive it.
 */
void
ColumnarPipelineInitializeDSM(ColumnarPipeline *p, PlanState *ps, ParallelContext *pcxt,
							  void *coordinate)
{
	if (ps->instrument && p->counts_seg == NULL)
		p->counts = ColumnarParallelCreateCounts(pcxt->nworkers, &p->counts_seg);
	p->shared = coordinate;
	ColumnarParallelInitialize(p->shared, p->counts_seg);
	if (p->read)
		ColumnarReadSetParallel(p->read, p->shared, true);
}

/* Reset the shared state for a rescan (leader). */
void
ColumnarPipelineReinitializeDSM(ColumnarPipeline *p, void *coordinate)
{
	ColumnarParallelReinitialize(coordinate);
}

/* Find the shared state and the counters (worker). */
void
ColumnarPipelineInitializeWorker(ColumnarPipeline *p, void *coordinate)
{
	p->shared = coordinate;
	p->counts = ColumnarParallelAttachCounts(p->shared, &p->counts_seg);
}

/*
 * Before the query's DSM goes: a worker reports its counters; the leader
 * forgets the shared state (a rescan sets up a new one).
 */
void
ColumnarPipelineShutdown(ColumnarPipeline *p)
{
	report_worker_counts(p);
	if (p->shared && !IsParallelWorker())
	{
		p->shared = NULL;
		if (p->read)
			ColumnarReadSetParallel(p->read, NULL, true);
	}
}
