/*-------------------------------------------------------------------------
 *
 * columnar_vector.h
 *	  Column vectors as the executor sees them: which vector kind holds a
 *	  column's values, batches of vectors, and vector values as Datums and
 *	  slots.
 *
 * A ColumnarVector (columnar_encoding.h) is what the decoder produces and
 * the writer buffers; a ColumnarBatch is a set of them for consecutive rows
 * of one table, numbered from first_row (so a row's TID is known).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_VECTOR_H
#define COLUMNAR_VECTOR_H

#include "access/tupdesc.h"
#include "executor/tuptable.h"

#include "columnar_encoding.h"

/* Consecutive rows of a table as typed vectors (decoded or still in memory) */
typedef struct ColumnarBatch
{
	uint64		first_row;
	uint32		nrows;
	int			ncols;			/* columns the batch may hold */
	ColumnarVector **vectors;	/* per column, NULL when not loaded */
} ColumnarBatch;

/*
 * A window of a batch for the vectorized executor: rows base ..
 * base + nrows - 1 of every vector (0-based column index; NULL for columns
 * not read yet: fetch reads them, so code that needs a column only for
 * rows still alive reads it only when some are).  Quals and aggregates work on windows of at most
 * COLUMNAR_WINDOW_ROWS rows, with a selection vector of the window rows
 * (0 .. nrows - 1, ascending) still alive.
 */
#define COLUMNAR_WINDOW_ROWS	2048

typedef struct ColumnarWindow ColumnarWindow;

/* Read column col of a window on first use (sets vectors[col]) */
typedef ColumnarVector *(*ColumnarFetchFn) (ColumnarWindow *win, int col);

struct ColumnarWindow
{
	uint32		nrows;
	uint32		base;
	ColumnarVector **vectors;
	ColumnarFetchFn fetch;		/* for columns still NULL in vectors */
	void	   *fetch_arg;
	const int  *accept;			/* per column: the forms fetch should give */
};

extern void ColumnarKeepFreedMemory(void);
extern bool ColumnarTypeIntegerOrdered(Oid typid);
extern ColumnarValueKind ColumnarKindForType(Oid basetypid, int16 typlen,
											 bool typbyval, int *fixed_len);
extern void ColumnarVectorSetKind(ColumnarVector *vec, Form_pg_attribute att);
extern void ColumnarVectorInit(ColumnarVector *vec, Form_pg_attribute att,
							   uint32 capacity);
extern ColumnarVector *ColumnarVectorConstant(Form_pg_attribute att, Datum value,
											  bool isnull, uint32 nrows);
extern void ColumnarVectorSlice(const ColumnarVector *vec, uint32 start, uint32 n,
								bool count_nulls, ColumnarVector *out);
extern ColumnarVector *ColumnarVectorGather(const ColumnarVector *vec,
										   const uint32 *rows, uint32 n);
extern ColumnarVector *ColumnarVectorConcat(ColumnarVector **parts, int n);
extern Datum ColumnarVectorDatum(const ColumnarVector *vec, uint32 i,
								 bool typbyval);
extern void ColumnarBatchToSlot(ColumnarBatch *batch, uint32 row,
								TupleTableSlot *slot);

#endif							/* COLUMNAR_VECTOR_H */
