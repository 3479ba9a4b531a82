/*-------------------------------------------------------------------------
 *
 * columnar_reader.c
 *	  Reading a columnar table: row groups visible to a snapshot, chunks of
 *	  the needed columns decoded into typed vectors, rows built from them.
 *
 * A read state lists, at its start, the row groups the catalog shows the
 * snapshot plus this backend's buffered batches that the snapshot may see
 * (earlier commands of this transaction, see columnar_writer.c).  Together
 * they form one sequence of "groups" whose rows are numbered 0..total-1; the
 * position moves forward or backward through it (SCROLL cursors), and only
 * the current group is decoded.  Only the columns in "needed" are read from
 * disk (projection); the others come back NULL.
 *
 * Two ways to read: row by row (ColumnarReadNextRow: table scans, ANALYZE,
 * rewrites, cursors in both directions), and group by group for the
 * vectorized scan node: ColumnarReadNextGroup moves to the next group, and
 * ColumnarReadColumn decodes one of its columns on demand, so a caller can
 * decode the columns its quals read first and the others only for groups
 * with rows left, and may take the DICT and SCALED forms of the vectors
 * (columnar_encoding.h).  A column the group does not have (added after it
 * was written) comes back as a constant vector of its default.
 *
 * Group by group, the skip test (zone maps) is applied to a stored row
 * group when ColumnarReadNextGroup comes to it, not to the list: in a
 * parallel scan (ColumnarReadSetParallel) the indexes into the list come
 * from a counter shared by all participants (columnar_parallel.c), so the
 * list must be the same everywhere; only the leader reads the buffered
 * batches, after the stored row groups run out.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "columnar_catalog.h"
#include "columnar_parallel.h"
#include "columnar_reader.h"
#include "columnar_storage.h"
#include "columnar_writer.h"

struct ColumnarReadState
{
	Relation	rel;
	Snapshot	snapshot;		/* for the catalog, registered */
	TupleDesc	tupdesc;
	Bitmapset  *needed;			/* 0-based column indexes */
	bool		all_columns;	/* ignore needed: read every column */
	MemoryContext cxt;			/* the state's lifetime */
	MemoryContext batch_cxt;	/* the current group's vectors */
	uint64		storage_id;
	List	   *rowgroups;		/* ColumnarRowGroupMeta */
	List	   *pending;		/* pinned ColumnarBatch of the writer */
	int			ngroups;
	uint64	   *group_start;	/* ngroups + 1 cumulative row counts */
	BlockNumber nblocks;
	int64		pos;			/* -1 before the first row, total after */
	bool		started;
	int			cur_group;		/* group of batch, -1 if none */
	ColumnarSkipFn skip;		/* row groups to leave out */
	void	   *skip_arg;
	ColumnarParallelScan *shared;	/* hands out stored row groups, or NULL */
	bool		read_pending;	/* list the buffered batches (not a worker) */
	bool		groups_known;	/* the group list is built */
	uint64		groups_hash;	/* of the stored row groups' positions */
	int64		groups_read;
	int64		groups_skipped;
	ColumnarBatch *batch;
	/* group by group: the columns of the current group read so far */
	ColumnarVector **cols;
	int			next_group;		/* stored row group to take next (serial) */
	bool		stored_done;	/* every stored row group is taken */
	int			next_pending;	/* buffered batch to take next */
	/* ANALYZE: the rows of the current sampled block */
	uint32		block_row;
	uint32		block_end;
};

/*
 * List the groups: catalog row groups, then pending batches.
 */
static void
collect_groups(ColumnarReadState *state)
{
	ListCell   *lc;
	int			g = 0;
	MemoryContext old = MemoryContextSwitchTo(state->cxt);

	state->groups_known = true;
	state->storage_id = ColumnarStorageId(state->rel);
	state->rowgroups = ColumnarCatalogRowGroups(state->storage_id, state->snapshot);
	state->groups_hash = list_length(state->rowgroups);
	foreach(lc, state->rowgroups)
	{
		ColumnarRowGroupMeta *meta = lfirst(lc);

		state->groups_hash = hash_combine64(state->groups_hash,
											hash_combine64(meta->first_row,
														   meta->row_count));
	}
	if (state->shared)
		ColumnarParallelAgree(state->shared, list_length(state->rowgroups),
							  state->groups_hash);
	if (state->read_pending)
		state->pending = ColumnarPendingBatches(state->rel, state->snapshot);
	state->ngroups = list_length(state->rowgroups) + list_length(state->pending);
	state->group_start = palloc(sizeof(uint64) * (state->ngroups + 1));
	state->group_start[0] = 0;
	foreach(lc, state->rowgroups)
	{
		ColumnarRowGroupMeta *meta = lfirst(lc);

		state->group_start[g + 1] = state->group_start[g] + meta->row_count;
		g++;
	}
	foreach(lc, state->pending)
	{
		ColumnarBatch *batch = lfirst(lc);

		state->group_start[g + 1] = state->group_start[g] + batch->nrows;
		g++;
	}
	state->nblocks = RelationGetNumberOfBlocks(state->rel);
	MemoryContextSwitchTo(old);
}

/*
 * Leave out the stored row groups fn says to (before the read starts).
 */
void
ColumnarReadSetSkip(ColumnarReadState *state, ColumnarSkipFn fn, void *arg)
{
	Assert(!state->groups_known);
	state->skip = fn;
	state->skip_arg = arg;
}

/*
 * Group by group: take the stored row groups from shared (NULL: no longer
 * shared), and read the buffered batches only when leader.  May be called
 * again with the state of a new parallel run (a rescan).
 */
void
ColumnarReadSetParallel(ColumnarReadState *state, ColumnarParallelScan *shared,
						bool leader)
{
	Assert(leader || !state->groups_known);
	state->shared = shared;
	state->read_pending = leader;
	if (shared && state->groups_known)
		ColumnarParallelAgree(shared, list_length(state->rowgroups),
							  state->groups_hash);
}

/*
 * Return the stored row groups the read has read and left out so far.
 */
void
ColumnarReadCounts(ColumnarReadState *state, int64 *read, int64 *skipped)
{
	*read = state->groups_read;
	*skipped = state->groups_skipped;
}

/*
 * Start reading rel as snapshot sees it, building rows of tupdesc with the
 * columns in needed when project (all columns otherwise).
 */
ColumnarReadState *
ColumnarBeginRead(Relation rel, Snapshot snapshot, TupleDesc tupdesc,
				  bool project, Bitmapset *needed)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "columnar read",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	ColumnarReadState *state = palloc0(sizeof(ColumnarReadState));

	ColumnarKeepFreedMemory();
	state->rel = rel;
	state->cxt = cxt;
	state->batch_cxt = AllocSetContextCreate(cxt, "columnar batch",
											 ALLOCSET_DEFAULT_SIZES);
	state->tupdesc = tupdesc;
	state->needed = project ? bms_copy(needed) : NULL;
	state->all_columns = !project;

	/* the catalog needs an MVCC snapshot: non-MVCC ones see the latest */
	if (snapshot != NULL && IsMVCCSnapshot(snapshot))
		state->snapshot = RegisterSnapshot(snapshot);
	else
		state->snapshot = RegisterSnapshot(GetLatestSnapshot());
	state->pos = -1;
	state->cur_group = -1;
	state->read_pending = true;
	MemoryContextSwitchTo(old);
	return state;
}

/*
 * Go back to before the first row, seeing the same groups.
 */
void
ColumnarRescan(ColumnarReadState *state)
{
	/* the same groups: a rescan sees what the snapshot saw */
	state->pos = -1;
	state->started = false;
	state->next_group = 0;
	state->stored_done = false;
	state->next_pending = 0;
}

/*
 * End a read and free what it holds.
 */
void
ColumnarEndRead(ColumnarReadState *state)
{
	ColumnarUnpinBatches(state->pending);
	UnregisterSnapshot(state->snapshot);
	MemoryContextDelete(state->cxt);
}

/*
 * Read and decode chunk i (of column att) of a stored row group, in one of
 * the forms accept allows; nblocks is the relation's size.
 */
static ColumnarVector *
decode_chunk(Relation rel, ColumnarRowGroupMeta *meta, int i,
			 Form_pg_attribute att, BlockNumber nblocks, int accept)
{
	ColumnarChunkMeta *chunk = &meta->chunks[i];
	ColumnarVector *vec;
	char	   *frame;
	char	   *image;
	Size		image_len;

	CHECK_FOR_INTERRUPTS();
	frame = palloc(Max(chunk->length, 1));
	ColumnarReadStream(rel, meta->start_block, chunk->offset, frame,
					   chunk->length, nblocks);
	image = ColumnarUnframeChunk(frame, chunk->length, &image_len);
	vec = palloc0(sizeof(ColumnarVector));
	ColumnarVectorSetKind(vec, att);
	if ((int) ColumnarImageEncoding(image, image_len) != chunk->encoding)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("columnar chunk of column \"%s\" has a wrong encoding",
						NameStr(att->attname)),
				 errdetail("The catalog says %d, the chunk %d.", chunk->encoding,
						   (int) ColumnarImageEncoding(image, image_len))));
	ColumnarDecodeVectorForms(image, image_len, vec, accept);
	if (vec->nrows != meta->row_count)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("columnar chunk of column \"%s\" has %u rows, its row group %llu",
						NameStr(att->attname), vec->nrows,
						(unsigned long long) meta->row_count)));
	/* the vector holds copies of the values: the bytes may go */
	if (image < frame || image >= frame + chunk->length)
		pfree(image);
	pfree(frame);
	return vec;
}

/*
 * Read and decode the chunks of a stored row group (all, or those in
 * needed) into a batch allocated in cxt.
 */
ColumnarBatch *
ColumnarLoadRowGroup(Relation rel, ColumnarRowGroupMeta *meta,
					 TupleDesc tupdesc, bool all, Bitmapset *needed,
					 MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	ColumnarBatch *batch = palloc0(sizeof(ColumnarBatch));
	BlockNumber nblocks = RelationGetNumberOfBlocks(rel);

	batch->first_row = meta->first_row;
	batch->nrows = meta->row_count;
	batch->ncols = Min(meta->ncols, tupdesc->natts);
	batch->vectors = palloc0(sizeof(ColumnarVector *) * Max(batch->ncols, 1));
	for (int i = 0; i < batch->ncols; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped || (!all && !bms_is_member(i, needed)))
			continue;
		batch->vectors[i] = decode_chunk(rel, meta, i, att, nblocks, 0);
	}
	MemoryContextSwitchTo(old);
	return batch;
}

/*
 * Make group g the current batch, decoding it if it is stored.
 */
static void
load_group(ColumnarReadState *state, int g)
{
	int			nstored = list_length(state->rowgroups);

	if (state->cur_group == g)
		return;
	MemoryContextReset(state->batch_cxt);
	state->batch = NULL;
	state->cur_group = -1;
	if (g < nstored)
		state->batch = ColumnarLoadRowGroup(state->rel, list_nth(state->rowgroups, g),
											state->tupdesc, state->all_columns,
											state->needed, state->batch_cxt);
	else
		state->batch = list_nth(state->pending, g - nstored);
	state->cur_group = g;
}

/*
 * Move one row in direction dir and store it in slot; false past either
 * end.
 */
bool
ColumnarReadNextRow(ColumnarReadState *state, ScanDirection dir,
					TupleTableSlot *slot)
{
	int64		total;
	int			g;

	if (!state->groups_known)
		collect_groups(state);
	total = state->group_start[state->ngroups];

	if (!state->started)
	{
		state->pos = ScanDirectionIsBackward(dir) ? total : -1;
		state->started = true;
	}
	if (ScanDirectionIsBackward(dir))
	{
		if (--state->pos < 0)
		{
			state->pos = -1;
			ExecClearTuple(slot);
			return false;
		}
	}
	else if (++state->pos >= total)
	{
		state->pos = total;
		ExecClearTuple(slot);
		return false;
	}

	/* find the group of pos, starting from the current one */
	g = state->cur_group >= 0 ? state->cur_group : 0;
	while (g > 0 && (uint64) state->pos < state->group_start[g])
		g--;
	while ((uint64) state->pos >= state->group_start[g + 1])
		g++;
	load_group(state, g);
	ColumnarBatchToSlot(state->batch, state->pos - state->group_start[g], slot);
	return true;
}

/*
 * Return the index of the next group to read, stored (from the shared
 * counter in a parallel scan) then buffered; -1 after the last.
 */
static int
take_group(ColumnarReadState *state, int nstored)
{
	if (!state->stored_done)
	{
		uint64		k = state->shared ? ColumnarParallelNextGroup(state->shared) :
			(uint64) state->next_group++;

		if (k < (uint64) nstored)
			return (int) k;
		state->stored_done = true;
	}
	if (state->next_pending < list_length(state->pending))
		return nstored + state->next_pending++;
	return -1;
}

/*
 * Group by group: move to the next group not left out; false after the
 * last.  Sets *first_row and *nrows of the group, whose columns
 * ColumnarReadColumn then reads.  Only forward, and not mixed with
 * ColumnarReadNextRow.
 */
bool
ColumnarReadNextGroup(ColumnarReadState *state, uint64 *first_row, uint32 *nrows)
{
	int			nstored;
	int			g;

	if (!state->groups_known)
		collect_groups(state);
	nstored = list_length(state->rowgroups);
	for (;;)
	{
		g = take_group(state, nstored);
		if (g < 0)
			return false;
		if (g >= nstored)
			break;
		/* after taking the index: the numbering is the same everywhere */
		if (state->skip &&
			state->skip(list_nth(state->rowgroups, g), state->skip_arg))
		{
			state->groups_skipped++;
			continue;
		}
		state->groups_read++;
		break;
	}

	MemoryContextReset(state->batch_cxt);
	state->batch = NULL;
	state->cur_group = g;
	state->cols = MemoryContextAllocZero(state->batch_cxt,
										 sizeof(ColumnarVector *) *
										 Max(state->tupdesc->natts, 1));
	if (g < nstored)
	{
		ColumnarRowGroupMeta *meta = list_nth(state->rowgroups, g);

		*first_row = meta->first_row;
		*nrows = (uint32) meta->row_count;
	}
	else
	{
		ColumnarBatch *batch = list_nth(state->pending, g - nstored);

		*first_row = batch->first_row;
		*nrows = batch->nrows;
	}
	return true;
}

/*
 * Return column col (0-based) of the current group, decoded in one of the
 * forms accept allows (FLAT always).  The vector lives until the next
 * group; callers must not change it.  Dropped columns come back as NULLs.
 */
ColumnarVector *
ColumnarReadColumn(ColumnarReadState *state, int col, int accept)
{
	int			nstored = list_length(state->rowgroups);
	int			g = state->cur_group;
	Form_pg_attribute att = TupleDescAttr(state->tupdesc, col);
	ColumnarVector *vec = state->cols[col];
	MemoryContext old;

	Assert(g >= 0 && col < state->tupdesc->natts);
	if (vec != NULL && (vec->form == COLUMNAR_FORM_FLAT ||
						(accept & (1 << vec->form)) != 0))
		return vec;

	old = MemoryContextSwitchTo(state->batch_cxt);
	if (vec != NULL)
	{
		/* decoded for another reader of the column in a form not wanted here */
		ColumnarVector *flat = palloc(sizeof(ColumnarVector));

		*flat = *vec;
		ColumnarFlattenVector(flat);
		vec = flat;
	}
	else
	{
		uint32		nrows;
		int			ncols;
		ColumnarRowGroupMeta *meta = NULL;
		ColumnarBatch *pending = NULL;

		if (g < nstored)
		{
			meta = list_nth(state->rowgroups, g);
			nrows = (uint32) meta->row_count;
			ncols = meta->ncols;
		}
		else
		{
			pending = list_nth(state->pending, g - nstored);
			nrows = pending->nrows;
			ncols = pending->ncols;
		}
		if (att->attisdropped)
			vec = ColumnarVectorConstant(att, (Datum) 0, true, nrows);
		else if (col >= ncols)
		{
			bool		isnull;
			Datum		d = getmissingattr(state->tupdesc, col + 1, &isnull);

			vec = ColumnarVectorConstant(att, d, isnull, nrows);
			if (!(accept & COLUMNAR_ACCEPT_DICT))
				ColumnarFlattenVector(vec);
		}
		else if (pending)
			vec = pending->vectors[col];
		else
			vec = decode_chunk(state->rel, meta, col, att, state->nblocks, accept);
	}
	state->cols[col] = vec;
	MemoryContextSwitchTo(old);
	return vec;
}

/*
 * ANALYZE: make the rows stored in block the ones to return next; false
 * when the block holds no row group data.
 */
bool
ColumnarReadRowGroupByBlock(ColumnarReadState *state, BlockNumber block)
{
	int			g = 0;
	ListCell   *lc;

	if (!state->groups_known)
		collect_groups(state);
	foreach(lc, state->rowgroups)
	{
		ColumnarRowGroupMeta *meta = lfirst(lc);
		BlockNumber nb = ColumnarStreamPages(meta->data_length);

		if (block >= meta->start_block && block < meta->start_block + nb)
		{
			uint64		k = block - meta->start_block;

			load_group(state, g);
			state->block_row = (uint32) (k * meta->row_count / nb);
			state->block_end = (uint32) ((k + 1) * meta->row_count / nb);
			return true;
		}
		g++;
	}
	return false;
}

/*
 * ANALYZE: store the next row of the current block in slot; false at its
 * end.
 */
bool
ColumnarReadBlockNextRow(ColumnarReadState *state, TupleTableSlot *slot)
{
	if (state->batch == NULL || state->block_row >= state->block_end)
		return false;
	ColumnarBatchToSlot(state->batch, state->block_row++, slot);
	return true;
}

/* one decoded row group kept for fetches by TID (row groups never change) */
static MemoryContext fetch_cxt = NULL;
static uint64 fetch_storage_id = 0;
static uint64 fetch_first_row = 0;
static int	fetch_natts = -1;
static ColumnarBatch *fetch_batch = NULL;

/*
 * Store row number rownum of rel, if snapshot sees it, into slot.
 */
bool
ColumnarFetchRow(Relation rel, uint64 rownum, Snapshot snapshot,
				 TupleTableSlot *slot)
{
	uint64		storage_id;
	ColumnarRowGroupMeta *meta;
	TupleDesc	desc = slot->tts_tupleDescriptor;

	if (ColumnarPendingFetch(rel, rownum, snapshot, slot))
		return true;
	storage_id = ColumnarStorageId(rel);
	if (storage_id == 0)
		return false;
	meta = ColumnarCatalogFindRowGroup(storage_id, rownum, snapshot);
	if (meta == NULL)
		return false;
	if (fetch_batch == NULL || fetch_storage_id != storage_id ||
		fetch_first_row != meta->first_row || fetch_natts != desc->natts)
	{
		if (fetch_cxt == NULL)
			fetch_cxt = AllocSetContextCreate(TopMemoryContext, "columnar fetch",
											  ALLOCSET_DEFAULT_SIZES);
		MemoryContextReset(fetch_cxt);
		fetch_batch = NULL;
		fetch_batch = ColumnarLoadRowGroup(rel, meta, desc, true, NULL, fetch_cxt);
		fetch_storage_id = storage_id;
		fetch_first_row = meta->first_row;
		fetch_natts = desc->natts;
	}
	ColumnarBatchToSlot(fetch_batch, rownum - meta->first_row, slot);
	return true;
}

/*
 * Return the rows of rel that snapshot sees, from the catalog alone.
 */
uint64
ColumnarTotalRows(Relation rel, Snapshot snapshot)
{
	return ColumnarCatalogRowCount(ColumnarStorageId(rel), snapshot);
}
