/*-------------------------------------------------------------------------
 *
 * columnar_pipeline.h
 *	  The rows a vectorized executor node reads from a columnar table:
 *	  groups, windows of vectors, the vectorized quals applied, zone maps
 *	  skipped, shared out among parallel workers.  Used by the ColumnarScan
 *	  and ColumnarAgg nodes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_PIPELINE_H
#define COLUMNAR_PIPELINE_H

#include "access/parallel.h"
#include "commands/explain.h"
#include "nodes/execnodes.h"

#include "columnar_parallel.h"
#include "columnar_qual.h"
#include "columnar_reader.h"
#include "columnar_vector.h"

/*
 * Takes a whole stored row group from its catalog entry, or returns false
 * (having taken nothing) when the entry does not say enough.
 */
typedef bool (*ColumnarGroupAnswerFn) (const ColumnarRowGroupMeta *meta, void *arg);

typedef struct ColumnarPipeline
{
	Relation	rel;
	EState	   *estate;
	Bitmapset  *needed;			/* every column read (for EXPLAIN) */
	ColumnarReadState *read;	/* made at the first window */
	ColumnarQualProgram *quals; /* the vectorized quals, or NULL */
	int			nqual_cols;
	int		   *qual_cols;		/* columns the vectorized quals read */
	ColumnarQualProgram *skip;	/* every qual that can refute row groups */
	Bitmapset  *skip_cols;
	ColumnarRowGroupMeta zonemap;	/* of a window, for the skip quals */
	MemoryContext eval_cxt;		/* what evaluating a window's quals allocates */
	/* the current group and window: rows sel[0 .. nsel - 1] of win are left */
	bool		in_group;
	uint64		first_row;		/* the group's */
	uint32		group_rows;
	uint32		win_start;		/* the window's first row in the group */
	ColumnarWindow win;
	ColumnarVector *views;		/* per column: its rows of the window */
	uint32		sel[COLUMNAR_WINDOW_ROWS];
	uint32		nsel;
	/* with no quals: row groups answered from the catalog, or NULL */
	ColumnarGroupAnswerFn answer;
	void	   *answer_arg;
	/* what it did */
	int64		groups_answered;
	int64		groups_read;
	int64		groups_skipped;
	int64		windows;
	int64		windows_skipped;
	int64		vec_removed;
	/* parallel-aware: the shared state, and the workers' counters */
	ColumnarParallelScan *shared;
	dsm_segment *counts_seg;
	ColumnarWorkerCounts *counts;
	bool		counts_reported;
} ColumnarPipeline;

/* with at most one row in this many of a window left, gather single rows */
#define COLUMNAR_GATHER_RATIO	16

extern void ColumnarPipelineBegin(ColumnarPipeline *p, Relation rel, EState *estate,
								  List *vec_quals, List *other_quals,
								  Bitmapset *other_cols);
extern void ColumnarPipelineSetAnswer(ColumnarPipeline *p, ColumnarGroupAnswerFn fn,
									  void *arg);
extern bool ColumnarPipelineNext(ColumnarPipeline *p);
extern ColumnarVector *ColumnarPipelineColumn(ColumnarPipeline *p, int col, int accept);
extern ColumnarVector *ColumnarPipelineRows(ColumnarPipeline *p, int col, bool *gathered);
extern uint32 ColumnarPipelineFilter(ColumnarPipeline *p, ColumnarQualProgram *prog,
									 uint32 *sel, uint32 nsel);
extern void ColumnarPipelineRescan(ColumnarPipeline *p);
extern void ColumnarPipelineEnd(ColumnarPipeline *p);
extern void ColumnarPipelineExplain(ColumnarPipeline *p, PlanState *ps,
									ExplainState *es);
extern Size ColumnarPipelineEstimateDSM(void);
extern void ColumnarPipelineInitializeDSM(ColumnarPipeline *p, PlanState *ps,
										  ParallelContext *pcxt, void *coordinate);
extern void ColumnarPipelineReinitializeDSM(ColumnarPipeline *p, void *coordinate);
extern void ColumnarPipelineInitializeWorker(ColumnarPipeline *p, void *coordinate);
extern void ColumnarPipelineShutdown(ColumnarPipeline *p);

#endif							/* COLUMNAR_PIPELINE_H */
