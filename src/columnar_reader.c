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
 * ColumnarReadColumnRange decodes rows of one of its columns on demand
 * (only the segments holding them, see columnar_chunk.c), so a caller can
 * decode the columns its quals read first and the others only where rows
 * are left, and may take the DICT and SCALED forms of the vectors
 * (columnar_encoding.h); ColumnarReadRangeZoneMap gives the segments' zone
 * maps to skip rows no qual can pass.  A column the group does not have
 * (added after it was written) comes back as a constant vector of its
 * default.
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
#include "columnar_chunk.h"
#include "columnar_parallel.h"
#include "columnar_reader.h"
#include "columnar_storage.h"
#include "columnar_writer.h"

/* A column of the group being read group by group */
typedef struct GroupColumn
{
	bool		known;			/* the fields below are set */
	ColumnarVector *whole;		/* pending rows, or a constant: all rows */
	ColumnarChunkLayout layout; /* stored: the chunk's segments */
	ColumnarVector **segs;		/* stored: decoded segments, NULL until read */
	char	  **images;			/* stored: segment images read for gathers */
	Size	   *image_lens;
} GroupColumn;

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
	GroupColumn *gcols;
	uint32		group_rows;
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
 * Read the layout of chunk i of a stored row group (its segments, see
 * columnar_chunk.c) into *layout; nblocks is the relation's size.
 */
static void
read_layout(Relation rel, ColumnarRowGroupMeta *meta, int i, BlockNumber nblocks,
			ColumnarChunkLayout *layout)
{
	ColumnarChunkMeta *chunk = &meta->chunks[i];
	char		head[COLUMNAR_CHUNK_HEAD_SIZE];
	Size		len = Min(chunk->length, sizeof(head));
	uint32		dir_len;

	ColumnarReadStream(rel, meta->start_block, chunk->offset, head, len, nblocks);
	dir_len = ColumnarChunkDirLength(head, len, chunk);
	if (dir_len == 0)
		ColumnarReadChunkLayout(NULL, 0, chunk, (uint32) meta->row_count, layout);
	else
	{
		char	   *dir = palloc(dir_len);

		ColumnarReadStream(rel, meta->start_block, chunk->offset, dir, dir_len, nblocks);
		ColumnarReadChunkLayout(dir, dir_len, chunk, (uint32) meta->row_count, layout);
		pfree(dir);
	}
}

/*
 * Read segment s of chunk i of a stored row group and return its image
 * (checked, decompressed, a palloc'd copy: ColumnarSegmentImage), setting
 * *len.
 */
static char *
read_segment_image(Relation rel, ColumnarRowGroupMeta *meta, int i,
				   const ColumnarChunkLayout *layout, uint32 s, BlockNumber nblocks,
				   Size *len)
{
	const ColumnarSegment *seg = &layout->segs[s];
	char	   *frame = palloc(Max(seg->frame_length, 1));
	char	   *image;

	CHECK_FOR_INTERRUPTS();
	ColumnarReadStream(rel, meta->start_block, meta->chunks[i].offset + seg->frame_offset,
					   frame, seg->frame_length, nblocks);
	image = ColumnarSegmentImage(frame, seg->frame_length, seg, len);
	pfree(frame);
	return image;
}

/*
 * Read and decode segment s of chunk i (of column att) of a stored row
 * group, in one of the forms accept allows.
 */
static ColumnarVector *
decode_segment(Relation rel, ColumnarRowGroupMeta *meta, int i,
			   Form_pg_attribute att, const ColumnarChunkLayout *layout, uint32 s,
			   BlockNumber nblocks, int accept)
{
	ColumnarVector *vec = palloc0(sizeof(ColumnarVector));
	Size		len;
	char	   *image = read_segment_image(rel, meta, i, layout, s, nblocks, &len);

	ColumnarVectorSetKind(vec, att);
	ColumnarDecodeSegment(image, len, &layout->segs[s], vec, accept);
	pfree(image);
	return vec;
}

/*
 * For fetches by TID (columnar_fetch.c): the layout of chunk i of a stored
 * row group, and its segment s decoded as a FLAT vector.
 */
void
ColumnarReadLayout(Relation rel, ColumnarRowGroupMeta *meta, int i,
				   BlockNumber nblocks, ColumnarChunkLayout *layout)
{
	read_layout(rel, meta, i, nblocks, layout);
}

/*
 * For fetches by TID: the image of segment s of chunk i of a stored row
 * group (checked, decompressed, palloc'd in CurrentMemoryContext), setting
 * *len, so that single rows can be decoded from it.
 */
char *
ColumnarReadStoredSegmentImage(Relation rel, ColumnarRowGroupMeta *meta, int i,
							   const struct ColumnarChunkLayout *layout, uint32 s,
							   BlockNumber nblocks, Size *len)
{
	return read_segment_image(rel, meta, i, layout, s, nblocks, len);
}

ColumnarVector *
ColumnarDecodeStoredSegment(Relation rel, ColumnarRowGroupMeta *meta, int i,
							Form_pg_attribute att, const ColumnarChunkLayout *layout,
							uint32 s, BlockNumber nblocks)
{
	return decode_segment(rel, meta, i, att, layout, s, nblocks, 0);
}

/*
 * Read and decode chunk i (of column att) of a stored row group, all its
 * segments as one FLAT vector.
 */
static ColumnarVector *
decode_chunk(Relation rel, ColumnarRowGroupMeta *meta, int i,
			 Form_pg_attribute att, BlockNumber nblocks)
{
	ColumnarChunkLayout layout;
	ColumnarVector **parts;
	ColumnarVector *vec;

	read_layout(rel, meta, i, nblocks, &layout);
	if (layout.nsegs == 1)
		return decode_segment(rel, meta, i, att, &layout, 0, nblocks, 0);
	parts = palloc(sizeof(ColumnarVector *) * layout.nsegs);
	for (uint32 s = 0; s < layout.nsegs; s++)
		parts[s] = decode_segment(rel, meta, i, att, &layout, s, nblocks, 0);
	vec = ColumnarVectorConcat(parts, layout.nsegs);
	for (uint32 s = 0; s < layout.nsegs; s++)
	{
		if (parts[s]->offsets)
		{
			pfree(parts[s]->offsets);
			pfree(parts[s]->data);
		}
		else
			pfree(parts[s]->values);
	}
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
		batch->vectors[i] = decode_chunk(rel, meta, i, att, nblocks);
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
 * ColumnarReadColumnRange then reads.  Only forward, and not mixed with
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
	state->gcols = MemoryContextAllocZero(state->batch_cxt,
										  sizeof(GroupColumn) *
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
	state->group_rows = *nrows;
	return true;
}

/*
 * Return the per-column reading state of column col of the current group
 * (made on first use).
 */
static GroupColumn *
group_column(ColumnarReadState *state, int col)
{
	GroupColumn *gc = &state->gcols[col];

	if (!gc->known)
	{
		int			nstored = list_length(state->rowgroups);
		int			g = state->cur_group;
		Form_pg_attribute att = TupleDescAttr(state->tupdesc, col);
		MemoryContext old = MemoryContextSwitchTo(state->batch_cxt);

		gc->known = true;
		if (g < nstored)
		{
			ColumnarRowGroupMeta *meta = list_nth(state->rowgroups, g);

			if (!att->attisdropped && col < meta->ncols)
			{
				read_layout(state->rel, meta, col, state->nblocks, &gc->layout);
				gc->segs = palloc0(sizeof(ColumnarVector *) * gc->layout.nsegs);
			}
		}
		else
		{
			ColumnarBatch *pending = list_nth(state->pending, g - nstored);

			if (!att->attisdropped && col < pending->ncols)
				gc->whole = pending->vectors[col];
		}
		if (gc->segs == NULL && gc->whole == NULL)
		{
			/* dropped, or added after the group was written: its default */
			bool		isnull = true;
			Datum		d = (Datum) 0;

			if (!att->attisdropped)
				d = getmissingattr(state->tupdesc, col + 1, &isnull);
			gc->whole = ColumnarVectorConstant(att, d, isnull, state->group_rows);
		}
		MemoryContextSwitchTo(old);
	}
	return gc;
}

/*
 * Return segment s of column col of the current group, decoded in one of
 * the forms accept allows (FLAT always); flattens a copy when it was
 * decoded before in a form not allowed here.
 */
static ColumnarVector *
group_segment(ColumnarReadState *state, GroupColumn *gc, int col, uint32 s, int accept)
{
	ColumnarVector *vec = gc->segs[s];
	MemoryContext old;

	if (vec != NULL && (vec->form == COLUMNAR_FORM_FLAT ||
						(accept & (1 << vec->form)) != 0))
		return vec;
	old = MemoryContextSwitchTo(state->batch_cxt);
	if (vec != NULL)
	{
		ColumnarVector *flat = palloc(sizeof(ColumnarVector));

		*flat = *vec;
		ColumnarFlattenVector(flat);
		vec = flat;
	}
	else
		vec = decode_segment(state->rel, list_nth(state->rowgroups, state->cur_group),
							 col, TupleDescAttr(state->tupdesc, col), &gc->layout, s,
							 state->nblocks, accept);
	gc->segs[s] = vec;
	MemoryContextSwitchTo(old);
	return vec;
}

/*
 * Return rows start .. start + n - 1 of column col (0-based) of the current
 * group, in one of the forms accept allows (FLAT always): *view is made a
 * view of the decoded values, valid until the next group (callers must not
 * change them), and returned.  start must be a multiple of 8.  Only the
 * segments holding those rows are read and decoded (once per group).
 */
ColumnarVector *
ColumnarReadColumnRange(ColumnarReadState *state, int col, uint32 start, uint32 n,
						int accept, ColumnarVector *view)
{
	GroupColumn *gc;
	uint32		s;
	uint32		last;
	ColumnarVector **parts;
	ColumnarVector *whole;
	MemoryContext old;

	Assert(state->cur_group >= 0 && col < state->tupdesc->natts);
	Assert(start % 8 == 0 && start + n <= state->group_rows);
	gc = group_column(state, col);
	if (gc->whole)
	{
		ColumnarVectorSlice(gc->whole, start, n, false, view);
		return view;
	}
	s = start / gc->layout.seg_rows;
	last = (start + Max(n, 1) - 1) / gc->layout.seg_rows;
	if (s == last)
	{
		ColumnarVector *vec = group_segment(state, gc, col, s, accept);

		ColumnarVectorSlice(vec, start - gc->layout.segs[s].first_row, n, false, view);
		return view;
	}
	/* rows of several segments (never for windows within a segment) */
	old = MemoryContextSwitchTo(state->batch_cxt);
	parts = palloc(sizeof(ColumnarVector *) * (last - s + 1));
	for (uint32 k = s; k <= last; k++)
		parts[k - s] = group_segment(state, gc, col, k, 0);
	whole = ColumnarVectorConcat(parts, last - s + 1);
	MemoryContextSwitchTo(old);
	ColumnarVectorSlice(whole, start - gc->layout.segs[s].first_row, n, false, view);
	return view;
}

/*
 * Return rows start + sel[k] (k < nsel, sel ascending) of column col of the
 * current group, for a caller that needs a few rows of a window: when the
 * segment holding them is not decoded yet, only those rows are decoded
 * from its image into *out, a FLAT vector of nsel rows (row k is the k-th
 * chosen row), and *gathered is set; otherwise *out is made a view of the
 * window as ColumnarReadColumnRange does (row j is window row j).
 */
ColumnarVector *
ColumnarReadColumnRows(ColumnarReadState *state, int col, uint32 start, uint32 n,
					   const uint32 *sel, uint32 nsel, ColumnarVector *out,
					   bool *gathered)
{
	GroupColumn *gc = group_column(state, col);
	uint32		s;
	uint32	   *rows;
	uint32		base;
	MemoryContext old;

	*gathered = false;
	if (gc->whole || nsel == 0)
		return ColumnarReadColumnRange(state, col, start, n, COLUMNAR_ACCEPT_DICT, out);
	s = start / gc->layout.seg_rows;
	if (s != (start + n - 1) / gc->layout.seg_rows || gc->segs[s] != NULL)
		return ColumnarReadColumnRange(state, col, start, n, COLUMNAR_ACCEPT_DICT, out);

	old = MemoryContextSwitchTo(state->batch_cxt);
	if (gc->images == NULL)
	{
		gc->images = palloc0(sizeof(char *) * gc->layout.nsegs);
		gc->image_lens = palloc0(sizeof(Size) * gc->layout.nsegs);
	}
	if (gc->images[s] == NULL)
		gc->images[s] = read_segment_image(state->rel,
										   list_nth(state->rowgroups, state->cur_group),
										   col, &gc->layout, s, state->nblocks,
										   &gc->image_lens[s]);
	rows = palloc(sizeof(uint32) * nsel);
	base = start - gc->layout.segs[s].first_row;
	for (uint32 k = 0; k < nsel; k++)
		rows[k] = base + sel[k];
	memset(out, 0, sizeof(*out));
	ColumnarVectorSetKind(out, TupleDescAttr(state->tupdesc, col));
	ColumnarDecodeRows(gc->images[s], gc->image_lens[s], out, rows, nsel);
	pfree(rows);
	MemoryContextSwitchTo(old);
	*gathered = true;
	return out;
}

/*
 * Fill *meta with the zone map of rows start .. start + n - 1 of the
 * current group for the columns in cols (the bounds of the one segment of
 * each column holding them; none when they span several or the column has
 * no segments), to refute quals on those rows only.  Reads the chunks'
 * directories, not their values.  Columns not in cols have no bounds.
 * Returns false for rows this backend buffers (they have no zone map).
 */
bool
ColumnarReadRangeZoneMap(ColumnarReadState *state, Bitmapset *cols, uint32 start,
						 uint32 n, ColumnarRowGroupMeta *meta)
{
	int			col = -1;
	ColumnarRowGroupMeta *gmeta;

	if (state->cur_group >= list_length(state->rowgroups))
		return false;
	gmeta = list_nth(state->rowgroups, state->cur_group);
	meta->row_count = n;
	meta->ncols = state->tupdesc->natts;
	memset(meta->chunks, 0, sizeof(ColumnarChunkMeta) * meta->ncols);
	/* an unknown NULL count (neither none nor all) refutes no NULL test */
	for (int i = 0; i < meta->ncols; i++)
		meta->chunks[i].null_count = PG_UINT64_MAX;
	while ((col = bms_next_member(cols, col)) >= 0)
	{
		GroupColumn *gc = group_column(state, col);
		ColumnarChunkMeta *chunk = &meta->chunks[col];
		uint32		s;
		const ColumnarSegment *seg;

		if (gc->segs == NULL || gc->layout.nsegs == 1)
			continue;
		s = start / gc->layout.seg_rows;
		if ((start + Max(n, 1) - 1) / gc->layout.seg_rows != s)
			continue;
		seg = &gc->layout.segs[s];
		/* a range of a segment has as many NULLs as that, or fewer */
		if (seg->nnulls == 0)
			chunk->null_count = 0;
		else if (seg->nnulls == seg->nrows)
			chunk->null_count = n;
		chunk->min = seg->min;
		chunk->max = seg->max;
		chunk->min_len = seg->min_len;
		chunk->max_len = seg->max_len;
		chunk->collation = gmeta->chunks[col].collation;
	}
	return true;
}

/*
 * Return the catalog entry of the group ColumnarReadNextGroup moved to, or
 * NULL for rows this backend buffers.
 */
const ColumnarRowGroupMeta *
ColumnarReadGroupMeta(ColumnarReadState *state)
{
	if (state->cur_group < 0 || state->cur_group >= list_length(state->rowgroups))
		return NULL;
	return list_nth(state->rowgroups, state->cur_group);
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
	if (meta->reserved)
	{
		/* being inserted by another transaction (a dirty snapshot) */
		ExecStoreAllNullTuple(slot);
		ColumnarRowToTid(rownum, &slot->tts_tid);
		return true;
	}
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
