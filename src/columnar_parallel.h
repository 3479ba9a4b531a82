/*-------------------------------------------------------------------------
 *
 * columnar_parallel.h
 *	  Parallel scans of columnar tables: the row-group dispatch in shared
 *	  memory, the per-worker counters EXPLAIN shows, and the rule that keeps
 *	  rows this backend still buffers out of parallel workers' way.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_PARALLEL_H
#define COLUMNAR_PARALLEL_H

#include "port/atomics.h"
#include "storage/dsm.h"
#include "storage/spin.h"

/* What one participant of a ColumnarScan did */
typedef struct ColumnarScanCounts
{
	int64		groups_read;	/* stored row groups read */
	int64		groups_skipped; /* stored row groups their zone maps refuted */
	int64		batches;		/* windows of rows evaluated */
	int64		batches_skipped;	/* windows the zone maps ruled out */
	int64		vec_removed;	/* rows the vectorized quals removed */
	int64		groups_answered;	/* of groups_read: taken from the catalog */
} ColumnarScanCounts;

/* The counters of every worker of a parallel scan (EXPLAIN ANALYZE only) */
typedef struct ColumnarWorkerCounts
{
	int			nworkers;
	ColumnarScanCounts worker[FLEXIBLE_ARRAY_MEMBER];
} ColumnarWorkerCounts;

/* The shared state of a parallel ColumnarScan, in the query's DSM */
typedef struct ColumnarParallelScan
{
	pg_atomic_uint64 next_group;	/* next index into the stored row groups */
	slock_t		mutex;			/* protects the fields below */
	bool		groups_known;	/* a participant has published its list */
	uint32		ngroups;		/* the stored row groups it lists */
	uint64		groups_hash;	/* and a hash of their first rows and sizes */
	dsm_handle	counts_handle;	/* ColumnarWorkerCounts, or DSM_HANDLE_INVALID */
} ColumnarParallelScan;

extern void ColumnarParallelInit(void);
extern Size ColumnarParallelEstimate(void);
extern void ColumnarParallelInitialize(ColumnarParallelScan *shared,
									   dsm_segment *counts_seg);
extern void ColumnarParallelReinitialize(ColumnarParallelScan *shared);
extern uint64 ColumnarParallelNextGroup(ColumnarParallelScan *shared);
extern void ColumnarParallelAgree(ColumnarParallelScan *shared, uint32 ngroups,
								  uint64 groups_hash);
extern ColumnarWorkerCounts *ColumnarParallelCreateCounts(int nworkers,
														  dsm_segment **seg);
extern ColumnarWorkerCounts *ColumnarParallelAttachCounts(ColumnarParallelScan *shared,
														  dsm_segment **seg);

#endif							/* COLUMNAR_PARALLEL_H */
