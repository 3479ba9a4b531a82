/*-------------------------------------------------------------------------
 *
 * columnar_writer.h
 *	  Write buffers of columnar tables: rows buffered per backend in column
 *	  vectors and flushed as row groups.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_WRITER_H
#define COLUMNAR_WRITER_H

#include "executor/tuptable.h"
#include "nodes/pg_list.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

/* biwh.write_buffer_size, in kB */
extern int	columnar_write_buffer_kb;

extern void ColumnarWriterInit(void);
extern void ColumnarWriteRow(Relation rel, TupleTableSlot *slot, CommandId cid);
extern void ColumnarFlushRelation(Relation rel, bool all_subxacts);
extern void ColumnarDiscardRelation(Relation rel);
extern void ColumnarFlushSubxact(void);
extern List *ColumnarPendingBatches(Relation rel, Snapshot snapshot);
extern bool ColumnarHasPendingRows(Oid relid, Snapshot snapshot);
extern void ColumnarUnpinBatches(List *pinned);
extern bool ColumnarPendingVisible(Relation rel, uint64 rownum,
								   Snapshot snapshot);
extern bool ColumnarPendingFetch(Relation rel, uint64 rownum,
								 Snapshot snapshot, TupleTableSlot *slot);

#endif							/* COLUMNAR_WRITER_H */
