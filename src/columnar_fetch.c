/*-------------------------------------------------------------------------
 *
 * columnar_fetch.c
 *	  Fetching rows of a columnar table by TID, for index scans, bitmap
 *	  scans and uniqueness checks, without decoding a chunk per row.
 *
 * A fetch state belongs to one scan.  It keeps:
 *	- the row groups it has met (their catalog metadata and, per column,
 *	  the chunk's segment layout), for the life of the scan: a row group
 *	  never changes once written, and its first row number is never reused,
 *	  so (first row, column, segment) names the same values for ever;
 *	- which of them the scan's snapshot sees (an MVCC snapshot sees the same
 *	  row groups all along), so that the catalog is asked once per row group
 *	  rather than once per row; a bitmap scan lists them all at its start;
 *	- segments (COLUMNAR_SEGMENT_ROWS rows of one column) in a cache
 *	  bounded by biwh.fetch_cache_size, least recently used out first.  A
 *	  segment is first kept as its image (read, checked and decompressed
 *	  once), from which each row's value is decoded alone
 *	  (ColumnarDecodeRows: fixed-width, frame-of-reference, dictionary and
 *	  scaled-numeric values are read at their offset); a segment that
 *	  serves COLUMNAR_FETCH_DECODE_HITS rows (an index range scan on a
 *	  correlated column, a bitmap page, rows of one segment) is decoded
 *	  whole, once, and its rows are then read from the vector.  Random
 *	  lookups so decode one value per column, not COLUMNAR_SEGMENT_ROWS.
 * A row is built from the one segment of each column that holds it, for
 * the columns the scan needs (ColumnarFetchSetScanColumns: the executor
 * hook of columnar_indexpath.c tells which columns a plan's index or
 * bitmap scan reads as the scan starts; the others are left NULL, and an
 * index-only scan, which only asks whether the row is visible, decodes
 * none).  The row is materialized in the slot, so it stays valid however
 * the cache changes.
 * Rows this backend still buffers come from the write buffers
 * (ColumnarPendingFetch).  With a non-MVCC snapshot (SnapshotDirty of a
 * uniqueness check) the catalog is asked for every row: the check must see
 * row groups, and reservations (columnar_catalog.c), of transactions still
 * in progress, and learn their xids through the snapshot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "lib/ilist.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "columnar_catalog.h"
#include "columnar_chunk.h"
#include "columnar_fetch.h"
#include "columnar_reader.h"
#include "columnar_storage.h"
#include "columnar_vector.h"
#include "columnar_writer.h"

/* biwh.fetch_cache_size, in kB */
int			columnar_fetch_cache_kb = 65536;

/* A row group met by the scan */
typedef struct FetchGroup
{
	uint64		first_row;		/* hash key */
	ColumnarRowGroupMeta *meta;
	ColumnarChunkLayout *layouts;	/* per column, valid when known[col] */
	bool	   *known;
} FetchGroup;

typedef struct SegmentKey
{
	uint64		first_row;
	int32		col;
	uint32		seg;
} SegmentKey;

/* A segment in the cache: its image, or once often used, decoded */
typedef struct FetchSegment
{
	SegmentKey	key;			/* hash key */
	char	   *image;			/* checked and decompressed, or NULL */
	Size		image_len;
	ColumnarVector *vec;		/* decoded, or NULL */
	MemoryContext cxt;			/* holds vec, when decoded */
	uint32		hits;			/* rows served */
	Size		bytes;
	uint64		used;			/* fetch that last used it */
	dlist_node	lru;			/* most recently used at the head */
} FetchSegment;

/* set by the executor hook (columnar_indexpath.c) while a scan starts */
static Oid	scan_relid = InvalidOid;
static Bitmapset *scan_attrs = NULL;
static bool scan_all = false;

struct ColumnarFetchState
{
	Relation	rel;
	MemoryContext cxt;
	MemoryContext image_cxt;	/* segment images */
	MemoryContext row_cxt;		/* one row's values, until materialized */
	uint64		storage_id;
	BlockNumber nblocks;
	HTAB	   *groups;			/* FetchGroup by first row */
	HTAB	   *segments;		/* FetchSegment by SegmentKey */
	dlist_head	lru;
	Size		cached_bytes;
	uint64		nfetches;
	/* per attribute: needed by the scan, its vector kind, last segment */
	bool	   *needed;
	FetchSegment **last;
	ColumnarVector *kinds;
	int			natts;
	/* the row groups the snapshot below sees, sorted by first row */
	Snapshot	snapshot;
	CommandId	curcid;
	FetchGroup **visible;
	int			nvisible;
	int			maxvisible;
	bool		all_listed;		/* visible holds every one of them */
	bool		list_all;		/* list them all at once (bitmap scans) */
	/* counters */
	int64		decoded;
};

/*
 * Say that the next fetch state begun for relid belongs to a plan's scan
 * that reads the attributes in attrs (pull_varattnos numbering), or all of
 * them; InvalidOid withdraws it.  The first fetch state of relid begun
 * after this takes it (and it is gone then); any other fetch state reads
 * every column.  attrs is read only then.
 */
void
ColumnarFetchSetScanColumns(Oid relid, Bitmapset *attrs, bool all)
{
	scan_relid = relid;
	scan_attrs = attrs;
	scan_all = all;
}

/*
 * Start fetching rows of rel by TID.  list_all: the caller will fetch
 * rows all over the table (a bitmap scan): the visible row groups are
 * listed at once, so a row that is not there costs no catalog lookup.
 */
ColumnarFetchState *
ColumnarBeginFetch(Relation rel, bool list_all)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "columnar fetch",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	ColumnarFetchState *state = palloc0(sizeof(ColumnarFetchState));
	HASHCTL		ctl;
	TupleDesc	desc = RelationGetDescr(rel);
	bool		for_scan = OidIsValid(scan_relid) && scan_relid == RelationGetRelid(rel);

	/* segment images come and go: keep malloc from trimming and faulting */
	ColumnarKeepFreedMemory();
	state->rel = rel;
	state->cxt = cxt;
	state->image_cxt = AllocSetContextCreate(cxt, "columnar fetch images",
											 ALLOCSET_DEFAULT_SIZES);
	state->row_cxt = AllocSetContextCreate(cxt, "columnar fetch row",
										   ALLOCSET_SMALL_SIZES);
	state->list_all = list_all;
	state->natts = desc->natts;
	state->needed = palloc(sizeof(bool) * Max(desc->natts, 1));
	state->kinds = palloc0(sizeof(ColumnarVector) * Max(desc->natts, 1));
	state->last = palloc0(sizeof(FetchSegment *) * Max(desc->natts, 1));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		/* not for a plan's scan (uniqueness checks, ...): every column */
		state->needed[i] = !for_scan || scan_all ||
			bms_is_member(i + 1 - FirstLowInvalidHeapAttributeNumber, scan_attrs);
		if (!att->attisdropped)
			ColumnarVectorSetKind(&state->kinds[i], att);
	}
	if (for_scan)
		ColumnarFetchSetScanColumns(InvalidOid, NULL, false);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(FetchGroup);
	ctl.hcxt = cxt;
	state->groups = hash_create("columnar fetch groups", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(SegmentKey);
	ctl.entrysize = sizeof(FetchSegment);
	ctl.hcxt = cxt;
	state->segments = hash_create("columnar fetch segments", 256, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	dlist_init(&state->lru);
	state->maxvisible = 16;
	state->visible = palloc(sizeof(FetchGroup *) * state->maxvisible);
	MemoryContextSwitchTo(old);
	return state;
}

/*
 * Forget which row groups the snapshot sees (a rescan may come with
 * another); decoded segments stay.
 */
void
ColumnarResetFetch(ColumnarFetchState *state)
{
	state->snapshot = NULL;
	state->nvisible = 0;
	state->all_listed = false;
	state->storage_id = 0;
}

void
ColumnarEndFetch(ColumnarFetchState *state)
{
	MemoryContextDelete(state->cxt);
}

/*
 * Return the group entry of a row group, making it from meta (copied) the
 * first time.
 */
static FetchGroup *
group_entry(ColumnarFetchState *state, ColumnarRowGroupMeta *meta)
{
	bool		found;
	FetchGroup *g = hash_search(state->groups, &meta->first_row, HASH_ENTER, &found);

	if (!found)
	{
		MemoryContext old = MemoryContextSwitchTo(state->cxt);
		ColumnarRowGroupMeta *copy = palloc(sizeof(ColumnarRowGroupMeta));

		*copy = *meta;
		copy->chunks = palloc(sizeof(ColumnarChunkMeta) * Max(meta->ncols, 1));
		memcpy(copy->chunks, meta->chunks, sizeof(ColumnarChunkMeta) * meta->ncols);
		for (int i = 0; i < meta->ncols; i++)
			copy->chunks[i].min = copy->chunks[i].max = NULL;	/* not needed */
		/* the table may have grown since the scan began */
		state->nblocks = RelationGetNumberOfBlocks(state->rel);
		g->meta = copy;
		g->layouts = palloc0(sizeof(ColumnarChunkLayout) * Max(meta->ncols, 1));
		g->known = palloc0(sizeof(bool) * Max(meta->ncols, 1));
		MemoryContextSwitchTo(old);
	}
	return g;
}

/*
 * Add a group to the sorted visible list.
 */
static void
add_visible(ColumnarFetchState *state, FetchGroup *g)
{
	int			lo = 0;
	int			hi = state->nvisible;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (state->visible[mid]->first_row < g->first_row)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < state->nvisible && state->visible[lo] == g)
		return;
	if (state->nvisible == state->maxvisible)
	{
		state->maxvisible *= 2;
		state->visible = repalloc(state->visible, sizeof(FetchGroup *) * state->maxvisible);
	}
	memmove(&state->visible[lo + 1], &state->visible[lo],
			sizeof(FetchGroup *) * (state->nvisible - lo));
	state->visible[lo] = g;
	state->nvisible++;
}

/*
 * Return the visible group holding rownum from the list, or NULL.
 */
static FetchGroup *
find_visible(ColumnarFetchState *state, uint64 rownum)
{
	int			lo = 0;
	int			hi = state->nvisible - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		FetchGroup *g = state->visible[mid];

		if (rownum < g->first_row)
			hi = mid - 1;
		else if (rownum >= g->first_row + g->meta->row_count)
			lo = mid + 1;
		else
			return g;
	}
	return NULL;
}

/*
 * Return the stored row group holding rownum that snapshot sees, or NULL;
 * *reserved is set when a dirty snapshot found a reservation instead.
 */
static FetchGroup *
find_group(ColumnarFetchState *state, uint64 rownum, Snapshot snapshot,
		   bool *reserved)
{
	bool		mvcc = snapshot != NULL && IsMVCCSnapshot(snapshot);
	ColumnarRowGroupMeta *meta;
	FetchGroup *g;

	*reserved = false;
	if (state->storage_id == 0)
	{
		state->storage_id = ColumnarStorageId(state->rel);
	}
	if (state->storage_id == 0)
		return NULL;
	if (mvcc)
	{
		if (state->snapshot != snapshot || state->curcid != snapshot->curcid)
		{
			state->snapshot = snapshot;
			state->curcid = snapshot->curcid;
			state->nvisible = 0;
			state->all_listed = false;
		}
		g = find_visible(state, rownum);
		if (g != NULL || state->all_listed)
			return g;
		if (state->list_all)
		{
			List	   *metas = ColumnarCatalogRowGroups(state->storage_id, snapshot);
			ListCell   *lc;

			foreach(lc, metas)
				add_visible(state, group_entry(state, lfirst(lc)));
			state->all_listed = true;
			return find_visible(state, rownum);
		}
	}
	meta = ColumnarCatalogFindRowGroup(state->storage_id, rownum,
									   mvcc ? snapshot : (snapshot ? snapshot : SnapshotSelf));
	if (meta == NULL)
		return NULL;
	if (meta->reserved)
	{
		*reserved = true;
		return NULL;
	}
	g = group_entry(state, meta);
	if (mvcc)
		add_visible(state, g);
	return g;
}

/*
 * Return the cache entry of segment s of column col of group g, read (its
 * image) when it is not there, and decoded whole when it has served
 * COLUMNAR_FETCH_DECODE_HITS rows.
 */
static FetchSegment *
get_segment(ColumnarFetchState *state, FetchGroup *g, int col, uint32 s,
			Form_pg_attribute att)
{
	SegmentKey	key;
	FetchSegment *seg = state->last[col];
	bool		found;
	const ColumnarSegment *layout_seg = &g->layouts[col].segs[s];

	memset(&key, 0, sizeof(key));
	key.first_row = g->first_row;
	key.col = col;
	key.seg = s;
	/* rows in order mostly stay in the segment of the row before */
	found = seg != NULL && seg->key.first_row == key.first_row && seg->key.seg == s;
	if (!found)
		seg = hash_search(state->segments, &key, HASH_ENTER, &found);
	if (found)
	{
		state->last[col] = seg;
		dlist_move_head(&state->lru, &seg->lru);
		seg->used = state->nfetches;
		if (seg->vec == NULL && ++seg->hits >= COLUMNAR_FETCH_DECODE_HITS)
		{
			MemoryContext cxt = AllocSetContextCreate(state->cxt, "columnar fetch segment",
													  ALLOCSET_SMALL_SIZES);
			MemoryContext old = MemoryContextSwitchTo(cxt);
			ColumnarVector *vec = palloc0(sizeof(ColumnarVector));

			PG_TRY();
			{
				*vec = state->kinds[col];
				ColumnarDecodeSegment(seg->image, seg->image_len, layout_seg, vec, 0);
			}
			PG_CATCH();
			{
				MemoryContextSwitchTo(old);
				MemoryContextDelete(cxt);
				PG_RE_THROW();
			}
			PG_END_TRY();
			MemoryContextSwitchTo(old);
			state->cached_bytes -= seg->bytes;
			pfree(seg->image);
			seg->image = NULL;
			seg->vec = vec;
			seg->cxt = cxt;
			seg->bytes = MemoryContextMemAllocated(cxt, true);
			state->cached_bytes += seg->bytes;
			state->decoded++;
		}
		return seg;
	}
	seg->image = NULL;
	seg->vec = NULL;
	seg->cxt = NULL;
	seg->hits = 1;
	PG_TRY();
	{
		MemoryContext old = MemoryContextSwitchTo(state->image_cxt);
		uint32		nrows;
		uint32		nnulls;

		seg->image = ColumnarReadStoredSegmentImage(state->rel, g->meta, col,
													&g->layouts[col], s,
													state->nblocks, &seg->image_len);
		MemoryContextSwitchTo(old);
		ColumnarImageCounts(seg->image, seg->image_len, &nrows, &nnulls);
		if (nrows != layout_seg->nrows || nnulls != layout_seg->nnulls)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("columnar chunk segment has %u rows and %u NULLs, expected %u and %u",
							nrows, nnulls, layout_seg->nrows, layout_seg->nnulls)));
	}
	PG_CATCH();
	{
		if (seg->image)
			pfree(seg->image);
		hash_search(state->segments, &key, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	seg->bytes = GetMemoryChunkSpace(seg->image);
	seg->used = state->nfetches;
	state->cached_bytes += seg->bytes;
	dlist_push_head(&state->lru, &seg->lru);
	state->last[col] = seg;
	return seg;
}

/*
 * Free least recently used segments until the cache fits its budget (but
 * never one the current row uses).
 */
static void
evict(ColumnarFetchState *state)
{
	Size		limit = (Size) columnar_fetch_cache_kb * 1024;

	while (state->cached_bytes > limit && !dlist_is_empty(&state->lru))
	{
		FetchSegment *seg = dlist_container(FetchSegment, lru,
											dlist_tail_node(&state->lru));

		if (seg->used == state->nfetches)
			break;
		dlist_delete(&seg->lru);
		if (seg->key.col >= 0 && seg->key.col < state->natts &&
			state->last[seg->key.col] == seg)
			state->last[seg->key.col] = NULL;
		state->cached_bytes -= seg->bytes;
		if (seg->cxt)
			MemoryContextDelete(seg->cxt);
		if (seg->image)
			pfree(seg->image);
		hash_search(state->segments, &seg->key, HASH_REMOVE, NULL);
	}
}

/*
 * Store row number rownum of the table into slot if snapshot sees it
 * (NULL: the latest committed state).  A row another transaction is still
 * inserting, seen by a dirty snapshot, comes back as all NULLs, with the
 * snapshot's xmin set by the catalog lookup, as for heap tuples.
 */
bool
ColumnarFetch(ColumnarFetchState *state, uint64 rownum, Snapshot snapshot,
			  TupleTableSlot *slot)
{
	TupleDesc	desc = slot->tts_tupleDescriptor;
	FetchGroup *g;
	bool		reserved;
	uint32		r;

	if (ColumnarPendingFetch(state->rel, rownum, snapshot, slot))
	{
		slot->tts_tableOid = RelationGetRelid(state->rel);
		return true;
	}
	g = find_group(state, rownum, snapshot, &reserved);
	if (reserved)
	{
		ExecStoreAllNullTuple(slot);
		ColumnarRowToTid(rownum, &slot->tts_tid);
		slot->tts_tableOid = RelationGetRelid(state->rel);
		return true;
	}
	if (g == NULL)
		return false;

	state->nfetches++;
	evict(state);
	r = (uint32) (rownum - g->first_row);
	ExecClearTuple(slot);
	MemoryContextReset(state->row_cxt);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		ColumnarChunkLayout *layout;
		FetchSegment *seg;
		uint32		s;
		uint32		k;

		if (att->attisdropped || (i < state->natts && !state->needed[i]))
		{
			/* dropped, or not read by the scan */
			slot->tts_values[i] = (Datum) 0;
			slot->tts_isnull[i] = true;
			continue;
		}
		if (i >= g->meta->ncols)
		{
			/* a column added after the row group was written */
			slot->tts_values[i] = getmissingattr(desc, i + 1, &slot->tts_isnull[i]);
			continue;
		}
		layout = &g->layouts[i];
		if (!g->known[i])
		{
			MemoryContext old = MemoryContextSwitchTo(state->cxt);

			ColumnarReadLayout(state->rel, g->meta, i, state->nblocks, layout);
			MemoryContextSwitchTo(old);
			g->known[i] = true;
		}
		s = Min(r / Max(layout->seg_rows, 1), layout->nsegs - 1);
		while (s > 0 && r < layout->segs[s].first_row)
			s--;
		while (s + 1 < layout->nsegs && r >= layout->segs[s + 1].first_row)
			s++;
		k = r - layout->segs[s].first_row;
		if (k >= layout->segs[s].nrows)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("columnar row %llu is missing from its segment",
							(unsigned long long) rownum),
					 errdetail("Column %d, segment %u of the row group at row %llu holds %u rows.",
							   i + 1, s, (unsigned long long) g->first_row,
							   layout->segs[s].nrows)));
		seg = get_segment(state, g, i, s, att);
		if (seg->vec != NULL)
		{
			if (!COLUMNAR_VALID(seg->vec, k))
			{
				slot->tts_values[i] = (Datum) 0;
				slot->tts_isnull[i] = true;
				continue;
			}
			slot->tts_values[i] = ColumnarVectorDatum(seg->vec, k, att->attbyval);
			slot->tts_isnull[i] = false;
		}
		else
		{
			/* the one value, decoded from the image */
			MemoryContext old = MemoryContextSwitchTo(state->row_cxt);
			ColumnarVector *one = palloc(sizeof(ColumnarVector));

			*one = state->kinds[i];
			ColumnarDecodeRows(seg->image, seg->image_len, one, &k, 1);
			MemoryContextSwitchTo(old);
			slot->tts_isnull[i] = one->nnulls > 0;
			slot->tts_values[i] = slot->tts_isnull[i] ? (Datum) 0 :
				ColumnarVectorDatum(one, 0, att->attbyval);
		}
	}
	ExecStoreVirtualTuple(slot);
	/* the slot owns its values: the cache may drop their segments */
	ExecMaterializeSlot(slot);
	MemoryContextReset(state->row_cxt);
	ColumnarRowToTid(rownum, &slot->tts_tid);
	slot->tts_tableOid = RelationGetRelid(state->rel);
	return true;
}

/*
 * Return how many segments the state decoded.
 */
int64
ColumnarFetchDecoded(ColumnarFetchState *state)
{
	return state->decoded;
}

/*
 * Register the setting of the fetch cache.
 */
void
ColumnarFetchInit(void)
{
	DefineCustomIntVariable("biwh.fetch_cache_size",
							"Memory an index or bitmap scan of a columnar table may use for decoded column segments.",
							"Rows fetched by TID are built from decoded segments of 4096 rows, kept up to this size per scan.",
							&columnar_fetch_cache_kb,
							65536, 1024, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
}
