/*-------------------------------------------------------------------------
 *
 * columnar_scan.c
 *	  The ColumnarScan custom scan node: projection (only the columns a
 *	  query uses are read and decoded) and row-group skipping by min/max,
 *	  with what it did shown by EXPLAIN (ANALYZE).
 *
 * The planner (columnar_planner.c) adds its path; here is what it does at
 * run time.  At executor start the scan's quals give the skip quals
 * (columnar_qual.c) that leave out the stored row groups no row of which
 * can pass; every qual is still evaluated on every row read, so skipping
 * only ever saves work.  Rows this backend still buffers are never
 * skipped.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/nodeCustom.h"
#include "nodes/extensible.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "columnar_qual.h"
#include "columnar_reader.h"
#include "columnar_scan.h"

typedef struct ColumnarScanState
{
	CustomScanState css;
	ColumnarReadState *read;	/* made at the first row */
	Bitmapset  *needed;
	List	   *skipquals;
	int64		groups_read;
	int64		groups_skipped;
} ColumnarScanState;

static Node *create_columnar_scan_state(CustomScan *cscan);
static void begin_columnar_scan(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_columnar_scan(CustomScanState *node);
static void end_columnar_scan(CustomScanState *node);
static void rescan_columnar_scan(CustomScanState *node);
static void explain_columnar_scan(CustomScanState *node, List *ancestors,
								  ExplainState *es);

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
 * Start the scan: needed columns and skip quals.
 */
static void
begin_columnar_scan(CustomScanState *node, EState *estate, int eflags)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	ListCell   *lc;

	foreach(lc, (List *) linitial(cscan->custom_private))
		state->needed = bms_add_member(state->needed, lfirst_int(lc));
	state->skipquals = ColumnarCompileSkipQuals(cscan->scan.plan.qual,
												node->ss.ss_currentRelation,
												estate);
}

/*
 * Leave out the row groups the skip quals refute (a ColumnarSkipFn).
 */
static bool
skip_row_group(ColumnarRowGroupMeta *meta, void *arg)
{
	return ColumnarRefuteRowGroup(((ColumnarScanState *) arg)->skipquals, meta);
}

/*
 * Return the next row of the read, starting it at the first call.
 */
static TupleTableSlot *
columnar_scan_next(ScanState *ss)
{
	ColumnarScanState *state = (ColumnarScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	Relation	rel = ss->ss_currentRelation;

	if (state->read == NULL)
	{
		/* not in the per-tuple context the executor may be in */
		MemoryContext old = MemoryContextSwitchTo(ss->ps.state->es_query_cxt);

		state->read = ColumnarBeginRead(rel, ss->ps.state->es_snapshot,
										slot->tts_tupleDescriptor, true,
										state->needed);
		if (state->skipquals != NIL)
			ColumnarReadSetSkip(state->read, skip_row_group, state);
		MemoryContextSwitchTo(old);
	}
	if (!ColumnarReadNextRow(state->read, ss->ps.state->es_direction, slot))
		return NULL;
	slot->tts_tableOid = RelationGetRelid(rel);
	pgstat_count_heap_getnext(rel);
	return slot;
}

/*
 * No recheck is ever needed: every qual is evaluated on every row.
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
	ColumnarScanState *state = (ColumnarScanState *) node;

	if (state->read)
	{
		ColumnarReadCounts(state->read, &state->groups_read, &state->groups_skipped);
		ColumnarEndRead(state->read);
		state->read = NULL;
	}
}

static void
rescan_columnar_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	if (state->read)
		ColumnarRescan(state->read);
}

/*
 * EXPLAIN: the columns read; with ANALYZE, the row groups read and skipped.
 */
static void
explain_columnar_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	Relation	rel = node->ss.ss_currentRelation;
	int64		nread = state->groups_read,
				nskipped = state->groups_skipped;

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
	ExplainPropertyInteger("Skip Quals", NULL, list_length(state->skipquals), es);
	if (es->analyze)
	{
		if (state->read)
			ColumnarReadCounts(state->read, &nread, &nskipped);
		ExplainPropertyInteger("Row Groups Read", NULL, nread, es);
		ExplainPropertyInteger("Row Groups Skipped", NULL, nskipped, es);
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
