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
 * ExecScan evaluates on the tuples this node returns.  The windows of rows
 * the vectorized quals leave come from a ColumnarPipeline
 * (columnar_pipeline.c: zone-map skipping, quals on vectors and dictionary
 * codes, parallel workers); the node reads the other columns the plan
 * needs for those rows only (whole segments, or single rows when few are
 * left) and forms a tuple for each.  EXPLAIN shows the vectorized quals as
 * "Vectorized Filter" and, under ANALYZE, what the pipeline did.
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
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include "columnar_pipeline.h"
#include "columnar_scan.h"
#include "columnar_storage.h"

typedef struct ColumnarScanState
{
	CustomScanState css;
	ColumnarPipeline pipe;
	int			nout_cols;
	int		   *out_cols;		/* columns put into the tuples */
	ColumnarVector **out;		/* per out column: the window's vector */
	bool	   *gathered;		/* per out column: holds the rows left only */
	bool		have_window;
	uint32		pos;			/* next of the window's rows left */
} ColumnarScanState;

static Node *create_columnar_scan_state(CustomScan *cscan);
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
Bitmapset *
ColumnarColumnsUsed(List *exprs, Index scanrelid, int natts)
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

/*
 * Start the scan: its pipeline, and the columns the tuples get.
 */
static void
begin_columnar_scan(CustomScanState *node, EState *estate, int eflags)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	TupleDesc	desc = RelationGetDescr(rel);
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	Bitmapset  *out;
	int			x = -1;

	out = ColumnarColumnsUsed(list_concat(list_copy(cscan->scan.plan.targetlist),
										  cscan->scan.plan.qual),
							  cscan->scan.scanrelid, desc->natts);
	ColumnarPipelineBegin(&state->pipe, rel, estate, cscan->custom_exprs,
						  cscan->scan.plan.qual, out);
	state->out_cols = palloc(sizeof(int) * Max(bms_num_members(out), 1));
	while ((x = bms_next_member(out, x)) >= 0)
		state->out_cols[state->nout_cols++] = x;
	state->out = palloc0(sizeof(ColumnarVector *) * Max(state->nout_cols, 1));
	state->gathered = palloc0(sizeof(bool) * Max(state->nout_cols, 1));
	/* columns no step reads stay NULL in every tuple */
	for (int i = 0; i < desc->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
}

/*
 * Return the next row left by the vectorized quals.
 */
static TupleTableSlot *
columnar_scan_next(ScanState *ss)
{
	ColumnarScanState *state = (ColumnarScanState *) ss;
	ColumnarPipeline *p = &state->pipe;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	Relation	rel = ss->ss_currentRelation;
	uint32		k;
	uint32		row;

	if (!state->have_window || state->pos >= p->nsel)
	{
		state->have_window = ColumnarPipelineNext(p);
		if (!state->have_window)
			return NULL;
		state->pos = 0;
		for (int i = 0; i < state->nout_cols; i++)
			state->out[i] = ColumnarPipelineRows(p, state->out_cols[i], &state->gathered[i]);
	}

	k = state->pos++;
	row = p->sel[k];
	ExecClearTuple(slot);
	for (int i = 0; i < state->nout_cols; i++)
	{
		int			col = state->out_cols[i];
		ColumnarVector *vec = state->out[i];
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
	ColumnarRowToTid(p->first_row + p->win_start + row, &slot->tts_tid);
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

static void
end_columnar_scan(CustomScanState *node)
{
	ColumnarPipelineEnd(&((ColumnarScanState *) node)->pipe);
}

static void
rescan_columnar_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	ColumnarPipelineRescan(&state->pipe);
	state->have_window = false;
	state->pos = 0;
}

static Size
estimate_dsm_columnar_scan(CustomScanState *node, ParallelContext *pcxt)
{
	return ColumnarPipelineEstimateDSM();
}

static void
initialize_dsm_columnar_scan(CustomScanState *node, ParallelContext *pcxt,
							 void *coordinate)
{
	ColumnarPipelineInitializeDSM(&((ColumnarScanState *) node)->pipe, &node->ss.ps,
								  pcxt, coordinate);
}

static void
reinitialize_dsm_columnar_scan(CustomScanState *node, ParallelContext *pcxt,
							   void *coordinate)
{
	ColumnarPipelineReinitializeDSM(&((ColumnarScanState *) node)->pipe, coordinate);
}

static void
initialize_worker_columnar_scan(CustomScanState *node, shm_toc *toc,
								void *coordinate)
{
	ColumnarPipelineInitializeWorker(&((ColumnarScanState *) node)->pipe, coordinate);
}

static void
shutdown_columnar_scan(CustomScanState *node)
{
	ColumnarPipelineShutdown(&((ColumnarScanState *) node)->pipe);
}

/*
 * EXPLAIN: the vectorized quals, then what the pipeline read and did.
 */
static void
explain_columnar_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;

	if (cscan->custom_exprs != NIL)
	{
		List	   *context = set_deparse_context_plan(es->deparse_cxt,
													   node->ss.ps.plan, ancestors);
		char	   *qual = deparse_expression((Node *) make_ands_explicit(cscan->custom_exprs),
											  context, es->verbose, false);

		ExplainPropertyText("Vectorized Filter", qual, es);
	}
	ColumnarPipelineExplain(&state->pipe, &node->ss.ps, es);
}

/*
 * Register the custom scan's methods (so plans can be copied and read).
 */
void
ColumnarScanInit(void)
{
	RegisterCustomScanMethods(&ColumnarScanMethods);
}
