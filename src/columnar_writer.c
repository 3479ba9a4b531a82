/*-------------------------------------------------------------------------
 *
 * columnar_writer.c
 *	  Buffering inserted rows per backend into column vectors and flushing
 *	  them as row groups.
 *
 * Every INSERT, COPY or INSERT ... SELECT appends to a write buffer: typed
 * column vectors (the same ColumnarVector the encodings read) for one
 * relation, one subtransaction and one command id.  The buffer reserves a
 * row group's worth of row numbers when it is made, so the TIDs handed to
 * the executor (AFTER triggers fetch rows by TID) stay valid after the
 * flush.
 *
 * When a buffer is flushed:
 *	- when it holds row_group_size rows, or its bytes (or all buffers'
 *	  bytes) exceed biwh.write_buffer_size;
 *	- at finish_bulk_insert (end of COPY, CREATE TABLE AS, REFRESH, table
 *	  rewrites);
 *	- before its subtransaction commits (SUBXACT_EVENT_PRE_COMMIT_SUB) and
 *	  before the transaction commits or prepares.
 * The catalog row of a flushed row group carries the command id of the
 * statement that buffered it, so this backend's snapshots see it exactly
 * when they would see heap tuples of that statement.  Before it is flushed,
 * scans of this backend read the buffer itself (ColumnarPendingBatches), so
 * "INSERT ...; SELECT ..." in one transaction needs no flush, and a
 * statement never sees its own rows.
 *
 * A buffer belongs to the subtransaction that made it and is only ever
 * flushed inside it; when the subtransaction aborts, its buffers are simply
 * forgotten.  A write in a new subtransaction or with a new command id
 * starts a new buffer.  A buffer that a scan is reading is pinned: it gets
 * no more rows, and its memory outlives its flush until the scan ends.
 *
 * Parallel workers cannot see the buffers (columnar_parallel.c): the
 * planner asks ColumnarHasPendingRows before it lets a scan of the
 * relation run in one, and a new buffer invalidates the relation's cached
 * plans, so that a plan made before the rows were buffered is made again.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/qunique.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/sortsupport.h"
#include "utils/typcache.h"

#include "columnar_catalog.h"
#include "columnar_chunk.h"
#include "columnar_options.h"
#include "columnar_storage.h"
#include "columnar_vector.h"
#include "columnar_writer.h"
#include "columnar_zonemap.h"

typedef struct WriteBuffer
{
	ColumnarBatch batch;		/* first: a pinned batch is its buffer */
	Oid			relid;
	Oid			relnode;
	SubTransactionId subid;
	CommandId	cid;
	bool		sealed;			/* takes no more rows */
	bool		done;			/* flushed or discarded */
	int			pins;
	uint64		storage_id;
	ItemPointerData reservation;	/* its catalog reservation, if valid */
	uint32		capacity;		/* row numbers reserved */
	uint32		rowcap;			/* rows allocated in the vectors */
	uint32	   *datacap;		/* per column: bytes allocated in data */
	Size		bytes;
	TupleDesc	tupdesc;
	ColumnarOptions options;
	MemoryContext cxt;
} WriteBuffer;

/* the buffers not yet flushed, in TopTransactionContext */
static List *write_buffers = NIL;

/* biwh.write_buffer_size, in kB */
int			columnar_write_buffer_kb = 131072;

/*
 * The shape of the last full row group this backend flushed: a bulk load's
 * next buffer for the same relation is allocated at that size at once,
 * instead of doubling every vector from 1,024 rows (each doubling a realloc
 * and a copy: 7% of an INSERT ... SELECT).
 */
static struct
{
	Oid			relid;
	Oid			relnode;
	int			natts;
	uint32		rows;
	uint32	   *data_bytes;		/* per column, in TopMemoryContext */
}			last_full;

static void flush_buffer(Relation rel, WriteBuffer *buf);
static Size total_bytes(void);

static ProcessUtility_hook_type prev_process_utility_hook = NULL;

/* Return the bytes one value of a fixed-width vector takes, 0 otherwise. */
static inline int
kind_width(const ColumnarVector *vec)
{
	return ColumnarKindWidth(vec->kind, vec->fixed_len);
}

/*
 * Grow every vector of the buffer to newcap rows.
 */
static void
grow_rows(WriteBuffer *buf, uint32 newcap)
{
	for (int i = 0; i < buf->batch.ncols; i++)
	{
		ColumnarVector *vec = buf->batch.vectors[i];

		if (vec->offsets)
			vec->offsets = repalloc(vec->offsets, sizeof(uint32) * (newcap + 1));
		else
			vec->values = repalloc(vec->values, (Size) kind_width(vec) * newcap);
		if (vec->validity)
		{
			vec->validity = repalloc(vec->validity, newcap / 8 + 1);
			memset(vec->validity + buf->rowcap / 8 + 1, 0xFF,
				   newcap / 8 - buf->rowcap / 8);
		}
		buf->bytes += (Size) (kind_width(vec) + (vec->offsets ? 4 : 0)) *
			(newcap - buf->rowcap);
	}
	buf->rowcap = newcap;
}

/* Return the data bytes to allocate for column i of a presized buffer. */
static uint32
presize_data_bytes(int i)
{
	uint64		want = (uint64) last_full.data_bytes[i] * 17 / 16 + 1024;

	return (uint32) Min(want, PG_UINT32_MAX - 8);
}

/*
 * Should a new buffer of rel with room for capacity rows be allocated at
 * the size of the last full row group of rel?  Only when that fits well
 * within biwh.write_buffer_size beside the other buffers, so that loading
 * many relations at once still flushes by bytes as before.
 */
static bool
presize_like_last(Relation rel, uint32 capacity)
{
	TupleDesc	desc = RelationGetDescr(rel);
	uint64		bytes = 0;

	if (last_full.relid != RelationGetRelid(rel) ||
		last_full.relnode != rel->rd_node.relNode ||
		last_full.natts != desc->natts || last_full.rows != capacity)
		return false;
	for (int i = 0; i < desc->natts; i++)
	{
		ColumnarVector vec;

		ColumnarVectorSetKind(&vec, TupleDescAttr(desc, i));
		bytes += (uint64) (kind_width(&vec) + 4) * capacity + presize_data_bytes(i);
	}
	return total_bytes() + bytes < (uint64) columnar_write_buffer_kb * 1024 / 2;
}

/*
 * Remember the shape of buf, a full buffer being flushed (see last_full).
 */
static void
remember_full(WriteBuffer *buf)
{
	int			natts = buf->tupdesc->natts;

	if (last_full.data_bytes == NULL || last_full.natts < natts)
	{
		if (last_full.data_bytes)
			pfree(last_full.data_bytes);
		last_full.data_bytes = MemoryContextAlloc(TopMemoryContext,
												  sizeof(uint32) * Max(natts, 1));
	}
	last_full.relid = buf->relid;
	last_full.relnode = buf->relnode;
	last_full.natts = natts;
	last_full.rows = buf->capacity;
	for (int i = 0; i < natts; i++)
	{
		ColumnarVector *vec = buf->batch.vectors[i];

		last_full.data_bytes[i] = vec->offsets ? vec->offsets[buf->batch.nrows] : 0;
	}
}

/*
 * Make a new buffer for rel in the current subtransaction and command.
 */
static WriteBuffer *
new_buffer(Relation rel, CommandId cid)
{
	MemoryContext cxt = AllocSetContextCreate(TopTransactionContext,
											  "columnar write buffer",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	WriteBuffer *buf = palloc0(sizeof(WriteBuffer));
	TupleDesc	desc = RelationGetDescr(rel);
	bool		presize;

	buf->cxt = cxt;
	buf->relid = RelationGetRelid(rel);
	buf->relnode = rel->rd_node.relNode;
	buf->subid = GetCurrentSubTransactionId();
	buf->cid = cid;
	ColumnarReadOptions(rel, &buf->options);
	buf->capacity = buf->options.row_group_size;
	buf->tupdesc = CreateTupleDescCopy(desc);
	buf->rowcap = Min(buf->capacity, 1024);
	buf->batch.ncols = desc->natts;
	buf->batch.vectors = palloc0(sizeof(ColumnarVector *) * Max(desc->natts, 1));
	buf->datacap = palloc0(sizeof(uint32) * Max(desc->natts, 1));
	presize = presize_like_last(rel, buf->capacity);
	if (presize)
		buf->rowcap = buf->capacity;
	for (int i = 0; i < desc->natts; i++)
	{
		ColumnarVector *vec = palloc(sizeof(ColumnarVector));

		buf->batch.vectors[i] = vec;
		ColumnarVectorInit(vec, TupleDescAttr(desc, i), buf->rowcap);
		buf->datacap[i] = 1024;
		if (presize && vec->data)
		{
			buf->datacap[i] = presize_data_bytes(i);
			vec->data = repalloc_huge(vec->data, buf->datacap[i]);
		}
		buf->bytes += (Size) (kind_width(vec) + (vec->offsets ? 4 : 0)) * buf->rowcap +
			buf->datacap[i];
	}
	MemoryContextSwitchTo(old);

	/* reserve the row numbers (this makes the metapage of an empty table) */
	buf->batch.first_row = ColumnarReserveRows(rel, buf->capacity, &buf->storage_id);

	/*
	 * With indexes, other transactions' uniqueness checks must see that
	 * these rows are being inserted (columnar_catalog.c)
	 */
	ItemPointerSetInvalid(&buf->reservation);
	if (rel->rd_rel->relhasindex)
		ColumnarCatalogReserve(buf->storage_id, buf->batch.first_row, buf->capacity,
							   &buf->reservation);

	/*
	 * Plans cached before these rows were buffered may read the relation in
	 * parallel workers, which cannot see them: make the plans again (this
	 * backend at the end of the command, when the rows become visible;
	 * every backend at commit, when the rows are flushed).
	 */
	CacheInvalidateRelcache(rel);

	old = MemoryContextSwitchTo(TopTransactionContext);
	write_buffers = lappend(write_buffers, buf);
	MemoryContextSwitchTo(old);
	return buf;
}

/*
 * Forget a buffer: take it off the list, free it unless a scan reads it.
 */
static void
retire_buffer(WriteBuffer *buf)
{
	write_buffers = list_delete_ptr(write_buffers, buf);
	buf->done = true;
	if (buf->pins == 0)
		MemoryContextDelete(buf->cxt);
}

/*
 * Copy len bytes; short values (most of a load's text and numerics) in
 * 8-byte moves without a call into the C library.
 */
static inline void
copy_bytes(char *dst, const char *src, Size len)
{
	if (len > 32)
	{
		memcpy(dst, src, len);
		return;
	}
	while (len >= 8)
	{
		memcpy(dst, src, 8);
		dst += 8;
		src += 8;
		len -= 8;
	}
	if (len >= 4)
	{
		memcpy(dst, src, 4);
		dst += 4;
		src += 4;
		len -= 4;
	}
	if (len >= 2)
	{
		memcpy(dst, src, 2);
		dst += 2;
		src += 2;
		len -= 2;
	}
	if (len > 0)
		*dst = *src;
}

/*
 * Return whether buf holds rows of rel's current file.  A buffer made
 * before the relation moved to a new file keeps its rows when the new file
 * has the same storage (ALTER TABLE SET TABLESPACE copies the metapage, in
 * a subtransaction that a rollback may undo), not when it is a new storage
 * (TRUNCATE, rewrites).
 */
static bool
buffer_of(Relation rel, WriteBuffer *buf)
{
	if (buf->relid != RelationGetRelid(rel))
		return false;
	if (buf->relnode == rel->rd_node.relNode)
		return true;
	return buf->storage_id == ColumnarStorageIdNoError(rel);
}

/*
 * Append one value (or a NULL) to row r of a vector.
 */
static void
append_value(WriteBuffer *buf, int col, uint32 r, Datum value, bool isnull,
			 Form_pg_attribute att)
{
	ColumnarVector *vec = buf->batch.vectors[col];

	if (isnull || att->attisdropped)
	{
		if (vec->validity == NULL)
		{
			vec->validity = MemoryContextAlloc(buf->cxt, buf->rowcap / 8 + 1);
			memset(vec->validity, 0xFF, buf->rowcap / 8 + 1);
			buf->bytes += buf->rowcap / 8 + 1;
		}
		vec->validity[r >> 3] &= ~(1 << (r & 7));
		vec->nnulls++;
		if (vec->offsets)
			vec->offsets[r + 1] = vec->offsets[r];
		else
			memset((char *) vec->values + (Size) kind_width(vec) * r, 0, kind_width(vec));
		return;
	}

	switch (vec->kind)
	{
		case COLUMNAR_KIND_INT16:
			((int16 *) vec->values)[r] = DatumGetInt16(value);
			break;
		case COLUMNAR_KIND_INT32:
			((int32 *) vec->values)[r] = DatumGetInt32(value);
			break;
		case COLUMNAR_KIND_INT64:
			((int64 *) vec->values)[r] = DatumGetInt64(value);
			break;
		case COLUMNAR_KIND_FLOAT4:
			((float4 *) vec->values)[r] = DatumGetFloat4(value);
			break;
		case COLUMNAR_KIND_FLOAT8:
			((float8 *) vec->values)[r] = DatumGetFloat8(value);
			break;
		case COLUMNAR_KIND_BOOL:
			((bool *) vec->values)[r] = DatumGetBool(value);
			break;
		case COLUMNAR_KIND_FIXED:
			if (att->attbyval)
			{
				char		c = DatumGetChar(value);

				Assert(vec->fixed_len == 1);
				((char *) vec->values)[r] = c;
			}
			else
				memcpy((char *) vec->values + (Size) vec->fixed_len * r,
					   DatumGetPointer(value), vec->fixed_len);
			break;
		case COLUMNAR_KIND_VARLENA:
		case COLUMNAR_KIND_CSTRING:
			{
				const char *src;
				Size		len;
				uint32		start = vec->offsets[r];
				Size		end;
				struct varlena *v = NULL;
				bool		short_hdr = false;

				if (vec->kind == COLUMNAR_KIND_VARLENA)
				{
					v = (struct varlena *) DatumGetPointer(value);
					if (VARATT_IS_SHORT(v) && !VARATT_IS_EXTERNAL(v))
					{
						/* a heap tuple's short header: copied with a 4-byte one */
						short_hdr = true;
						src = VARDATA_SHORT(v);
						len = VARSIZE_SHORT(v) - VARHDRSZ_SHORT + VARHDRSZ;
						v = NULL;
					}
					else
					{
						v = pg_detoast_datum(v);
						src = (const char *) v;
						len = VARSIZE(v);
					}
					end = INTALIGN(start + len);
				}
				else
				{
					src = DatumGetCString(value);
					len = strlen(src) + 1;
					end = start + len;
				}
				if (end > PG_UINT32_MAX - 8)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("column chunk of a columnar row group exceeds 4 GB"),
							 errhint("Lower the table's row_group_size.")));
				if (end > buf->datacap[col])
				{
					Size		newcap = Max((Size) buf->datacap[col] * 2, end);

					newcap = Min(newcap, PG_UINT32_MAX);
					vec->data = repalloc_huge(vec->data, newcap);
					buf->bytes += newcap - buf->datacap[col];
					buf->datacap[col] = newcap;
				}
				if (vec->kind == COLUMNAR_KIND_VARLENA)
				{
					/* zero the alignment padding first: len >= 4, end aligned */
					*(uint32 *) (vec->data + end - sizeof(uint32)) = 0;
					if (short_hdr)
					{
						SET_VARSIZE(vec->data + start, len);
						copy_bytes(vec->data + start + VARHDRSZ, src, len - VARHDRSZ);
					}
					else
						copy_bytes(vec->data + start, src, len);
				}
				else
					copy_bytes(vec->data + start, src, len);
				vec->offsets[r + 1] = end;
				if (v && (Pointer) v != DatumGetPointer(value))
					pfree(v);
			}
			break;
	}
}

/*
 * Return the buffer rows of rel written by command cid go to, making one
 * when needed.
 */
static WriteBuffer *
buffer_for(Relation rel, CommandId cid)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	ListCell   *lc;

	foreach(lc, write_buffers)
	{
		WriteBuffer *buf = lfirst(lc);

		if (buf->relid != RelationGetRelid(rel) ||
			buf->relnode != rel->rd_node.relNode ||
			buf->sealed || buf->subid != subid)
			continue;
		if (buf->cid != cid || buf->pins > 0 ||
			buf->tupdesc->natts != RelationGetDescr(rel)->natts)
		{
			/* older rows of this subtransaction: flush, start afresh */
			if (buf->pins > 0)
				buf->sealed = true;
			else
				flush_buffer(rel, buf);
			break;
		}
		return buf;
	}
	return new_buffer(rel, cid);
}

/*
 * Return the bytes all buffers hold.
 */
static Size
total_bytes(void)
{
	Size		total = 0;
	ListCell   *lc;

	foreach(lc, write_buffers)
		total += ((WriteBuffer *) lfirst(lc))->bytes;
	return total;
}

/*
 * Return a new list of the write buffers of relation relid, subtransaction
 * subid and file relnode; InvalidOid / InvalidSubTransactionId match any.
 * Callers flush or retire them, which changes write_buffers: hence a copy.
 */
static List *
matching_buffers(Oid relid, SubTransactionId subid, Oid relnode)
{
	List	   *matched = NIL;
	ListCell   *lc;

	foreach(lc, write_buffers)
	{
		WriteBuffer *buf = lfirst(lc);

		if ((relid == InvalidOid || buf->relid == relid) &&
			(subid == InvalidSubTransactionId || buf->subid == subid) &&
			(relnode == InvalidOid || buf->relnode == relnode))
			matched = lappend(matched, buf);
	}
	return matched;
}

/*
 * Flush every buffer of subtransaction subid (of relation relid, or of all
 * relations when it is InvalidOid).
 */
static void
flush_subxact_buffers(SubTransactionId subid, Oid relid)
{
	List	   *matched = matching_buffers(relid, subid, InvalidOid);
	ListCell   *lc;

	foreach(lc, matched)
	{
		WriteBuffer *buf = lfirst(lc);
		Relation	rel = try_relation_open(buf->relid, RowExclusiveLock);

		if (rel == NULL || !buffer_of(rel, buf))
			retire_buffer(buf); /* dropped or truncated since */
		else
			flush_buffer(rel, buf);
		if (rel)
			relation_close(rel, RowExclusiveLock);
	}
	list_free(matched);
}

/*
 * Buffer the row in slot for rel, written by command cid; sets the slot's
 * TID.  Flushes when the buffer is full.
 */
void
ColumnarWriteRow(Relation rel, TupleTableSlot *slot, CommandId cid)
{
	WriteBuffer *buf = buffer_for(rel, cid);
	TupleDesc	desc = buf->tupdesc;
	uint32		r = buf->batch.nrows;
	Size		bytes_before = buf->bytes;

	slot_getallattrs(slot);
	if (r >= buf->rowcap)
	{
		MemoryContext old = MemoryContextSwitchTo(buf->cxt);

		ColumnarKeepFreedMemory();
		grow_rows(buf, Min((uint64) buf->rowcap * 2, buf->capacity));
		MemoryContextSwitchTo(old);
	}
	for (int i = 0; i < desc->natts; i++)
		append_value(buf, i, r, slot->tts_values[i], slot->tts_isnull[i],
					 TupleDescAttr(desc, i));
	buf->batch.nrows++;
	ColumnarRowToTid(buf->batch.first_row + r, &slot->tts_tid);
	slot->tts_tableOid = RelationGetRelid(rel);

	if (buf->batch.nrows >= buf->capacity ||
		buf->bytes >= (Size) columnar_write_buffer_kb * 1024)
		flush_buffer(rel, buf);
	else if (buf->bytes != bytes_before &&
			 total_bytes() >= (Size) columnar_write_buffer_kb * 1024)
	{
		/* all buffers' bytes only grow when this one's allocation did */
		flush_subxact_buffers(GetCurrentSubTransactionId(), InvalidOid);
	}
}

/* what the sort comparator needs */
typedef struct SortContext
{
	int			nkeys;
	ColumnarVector **vecs;
	Form_pg_attribute *atts;
	SortSupportData *ssup;
} SortContext;

/*
 * Compare rows *a and *b on the sort keys, then on their position.
 */
static int
compare_rows(const void *a, const void *b, void *arg)
{
	SortContext *ctx = arg;
	uint32		ra = *(const uint32 *) a;
	uint32		rb = *(const uint32 *) b;

	for (int k = 0; k < ctx->nkeys; k++)
	{
		ColumnarVector *vec = ctx->vecs[k];
		bool		na = !COLUMNAR_VALID(vec, ra);
		bool		nb = !COLUMNAR_VALID(vec, rb);
		Datum		da = na ? (Datum) 0 : ColumnarVectorDatum(vec, ra, ctx->atts[k]->attbyval);
		Datum		db = nb ? (Datum) 0 : ColumnarVectorDatum(vec, rb, ctx->atts[k]->attbyval);
		int			c = ApplySortComparator(da, na, db, nb, &ctx->ssup[k]);

		if (c != 0)
			return c;
	}
	return ra < rb ? -1 : (ra > rb ? 1 : 0);
}

/*
 * Return the order of the buffer's rows by the table's sort key (NULL when
 * the rows stay as they are).  Rows keep their order when AFTER ROW
 * triggers may still fetch them by the TIDs given at insert, and when
 * indexes point at them by those TIDs.
 */
static uint32 *
sort_order(Relation rel, WriteBuffer *buf)
{
	SortContext ctx;
	uint32	   *perm;
	uint32		n = buf->batch.nrows;

	if (buf->options.nsortkeys == 0 || n < 2 ||
		(rel->trigdesc && rel->trigdesc->trig_insert_after_row) ||
		rel->rd_rel->relhasindex)
		return NULL;
	ctx.nkeys = 0;
	ctx.vecs = palloc(sizeof(ColumnarVector *) * buf->options.nsortkeys);
	ctx.atts = palloc(sizeof(Form_pg_attribute) * buf->options.nsortkeys);
	ctx.ssup = palloc0(sizeof(SortSupportData) * buf->options.nsortkeys);
	for (int k = 0; k < buf->options.nsortkeys; k++)
	{
		AttrNumber	attnum = buf->options.sortkeys[k];
		Form_pg_attribute att;
		TypeCacheEntry *tce;

		if (attnum < 1 || attnum > buf->tupdesc->natts)
			continue;
		att = TupleDescAttr(buf->tupdesc, attnum - 1);
		if (att->attisdropped)
			continue;
		tce = lookup_type_cache(att->atttypid, TYPECACHE_LT_OPR);
		if (!OidIsValid(tce->lt_opr))
			continue;
		ctx.ssup[ctx.nkeys].ssup_cxt = CurrentMemoryContext;
		ctx.ssup[ctx.nkeys].ssup_collation = att->attcollation;
		ctx.ssup[ctx.nkeys].ssup_nulls_first = false;
		PrepareSortSupportFromOrderingOp(tce->lt_opr, &ctx.ssup[ctx.nkeys]);
		ctx.vecs[ctx.nkeys] = buf->batch.vectors[attnum - 1];
		ctx.atts[ctx.nkeys] = att;
		ctx.nkeys++;
	}
	if (ctx.nkeys == 0)
		return NULL;
	perm = palloc(sizeof(uint32) * n);
	for (uint32 i = 0; i < n; i++)
		perm[i] = i;
	qsort_arg(perm, n, sizeof(uint32), compare_rows, &ctx);
	return perm;
}

/*
 * Return a copy of the first n rows of vec in the order perm.
 */
static ColumnarVector *
permute_vector(ColumnarVector *vec, uint32 *perm, uint32 n)
{
	ColumnarVector *out = ColumnarVectorGather(vec, perm, n);

	out->nnulls = vec->nnulls;
	if (vec->validity)
	{
		out->validity = palloc0(n / 8 + 1);
		for (uint32 i = 0; i < n; i++)
			if (COLUMNAR_VALID(vec, perm[i]))
				out->validity[i >> 3] |= 1 << (i & 7);
	}
	return out;
}

/*
 * Encode, compress and write the buffer as one row group, insert its
 * catalog row, and retire the buffer.
 */
static void
flush_buffer(Relation rel, WriteBuffer *buf)
{
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext,
											  "columnar flush",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(tmp);
	ColumnarRowGroupMeta meta;
	StringInfoData stream;
	TupleDesc	desc = buf->tupdesc;
	uint32	   *perm;
	MemoryContext colcxt;

	buf->sealed = true;
	if (ItemPointerIsValid(&buf->reservation))
	{
		ColumnarCatalogUnreserve(&buf->reservation);
		ItemPointerSetInvalid(&buf->reservation);
	}
	if (buf->batch.nrows == 0)
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(tmp);
		retire_buffer(buf);
		return;
	}

	memset(&meta, 0, sizeof(meta));
	meta.first_row = buf->batch.first_row;
	meta.row_count = buf->batch.nrows;
	meta.ncols = desc->natts;
	meta.chunks = palloc0(sizeof(ColumnarChunkMeta) * Max(desc->natts, 1));
	initStringInfo(&stream);
	for (int i = 0; i < desc->natts; i++)
		buf->batch.vectors[i]->nrows = buf->batch.nrows;
	if (buf->batch.nrows == buf->capacity)
		remember_full(buf);
	perm = sort_order(rel, buf);
	colcxt = AllocSetContextCreate(tmp, "columnar flush column", ALLOCSET_DEFAULT_SIZES);
	for (int i = 0; i < desc->natts; i++)
	{
		ColumnarVector *vec = buf->batch.vectors[i];
		ColumnarChunkMeta *chunk = &meta.chunks[i];

		CHECK_FOR_INTERRUPTS();
		if (vec->nnulls == 0)
			vec->validity = NULL;
		/* the encoder's scratch goes with each column; the stream stays */
		MemoryContextSwitchTo(colcxt);
		if (perm)
			vec = permute_vector(vec, perm, buf->batch.nrows);
		ColumnarWriteChunk(&stream, vec, TupleDescAttr(desc, i),
						   buf->options.compression, buf->options.compression_level,
						   chunk);
		MemoryContextSwitchTo(tmp);
		if (chunk->min)
		{
			chunk->min = memcpy(palloc(Max(chunk->min_len, sizeof(Datum))),
								chunk->min, chunk->min_len);
			chunk->max = memcpy(palloc(Max(chunk->max_len, sizeof(Datum))),
								chunk->max, chunk->max_len);
		}
		MemoryContextReset(colcxt);
	}
	meta.data_length = stream.len;
	meta.start_block = ColumnarWriteStream(rel, stream.data, Max(stream.len, 1));
	ColumnarCatalogInsertRowGroup(buf->storage_id, &meta, buf->cid);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	retire_buffer(buf);
}

/*
 * Flush the buffers of rel made in the current subtransaction (in every
 * subtransaction still open when all_subxacts: only safe at top level).
 */
void
ColumnarFlushRelation(Relation rel, bool all_subxacts)
{
	List	   *matched;
	ListCell   *lc;

	matched = matching_buffers(RelationGetRelid(rel),
							   all_subxacts ? InvalidSubTransactionId :
							   GetCurrentSubTransactionId(),
							   InvalidOid);
	foreach(lc, matched)
	{
		WriteBuffer *buf = lfirst(lc);

		if (!buffer_of(rel, buf))
			retire_buffer(buf);
		else
			flush_buffer(rel, buf);
	}
	list_free(matched);
}

/*
 * Flush the buffers the current subtransaction made, of every relation.
 */
void
ColumnarFlushSubxact(void)
{
	if (write_buffers != NIL)
		flush_subxact_buffers(GetCurrentSubTransactionId(), InvalidOid);
}

/*
 * Forget the buffers of rel's current file (it is being truncated in
 * place).  Buffers of older files of rel belong to enclosing
 * subtransactions, which a rollback to a savepoint brings back.
 */
void
ColumnarDiscardRelation(Relation rel)
{
	List	   *matched;
	ListCell   *lc;

	matched = matching_buffers(RelationGetRelid(rel), InvalidSubTransactionId,
							   rel->rd_node.relNode);
	foreach(lc, matched)
		retire_buffer(lfirst(lc));
	list_free(matched);
}

/*
 * Return (pinned) the buffered batches of rel that snapshot may see: those
 * of earlier commands of this transaction.
 */
List *
ColumnarPendingBatches(Relation rel, Snapshot snapshot)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, write_buffers)
	{
		WriteBuffer *buf = lfirst(lc);

		if (buf->relid != RelationGetRelid(rel) || buf->batch.nrows == 0 ||
			!buffer_of(rel, buf))
			continue;
		if (snapshot != NULL && IsMVCCSnapshot(snapshot) &&
			buf->cid >= snapshot->curcid)
			continue;
		buf->pins++;
		result = lappend(result, &buf->batch);
	}
	return result;
}

/*
 * Return whether this backend buffers rows of relation relid (of any
 * relation when relid is InvalidOid) that snapshot may see (by the rule of
 * ColumnarPendingBatches; any rows when snapshot is NULL).
 */
bool
ColumnarHasPendingRows(Oid relid, Snapshot snapshot)
{
	ListCell   *lc;

	foreach(lc, write_buffers)
	{
		WriteBuffer *buf = lfirst(lc);

		if ((relid != InvalidOid && buf->relid != relid) || buf->batch.nrows == 0)
			continue;
		if (snapshot != NULL && IsMVCCSnapshot(snapshot) &&
			buf->cid >= snapshot->curcid)
			continue;
		return true;
	}
	return false;
}

/*
 * Unpin batches returned by ColumnarPendingBatches and free the list.
 */
void
ColumnarUnpinBatches(List *pinned)
{
	ListCell   *lc;

	foreach(lc, pinned)
	{
		WriteBuffer *buf = (WriteBuffer *) lfirst(lc);

		if (--buf->pins == 0 && buf->done)
			MemoryContextDelete(buf->cxt);
	}
	list_free(pinned);
}

/*
 * Put the buffered row number rownum of rel into slot; false when no buffer
 * holds it or snapshot may not see it (by the rule of
 * ColumnarPendingBatches).
 */
bool
ColumnarPendingFetch(Relation rel, uint64 rownum, Snapshot snapshot,
					 TupleTableSlot *slot)
{
	ListCell   *lc;

	foreach(lc, write_buffers)
	{
		WriteBuffer *buf = lfirst(lc);

		if (rownum >= buf->batch.first_row &&
			rownum < buf->batch.first_row + buf->batch.nrows &&
			buffer_of(rel, buf))
		{
			if (snapshot != NULL && IsMVCCSnapshot(snapshot) &&
				buf->cid >= snapshot->curcid)
				return false;
			ColumnarBatchToSlot(&buf->batch, rownum - buf->batch.first_row, slot);
			return true;
		}
	}
	return false;
}

/*
 * Return whether this backend buffers row number rownum of rel and
 * snapshot may see it (by the rule of ColumnarPendingBatches).
 */
bool
ColumnarPendingVisible(Relation rel, uint64 rownum, Snapshot snapshot)
{
	ListCell   *lc;

	foreach(lc, write_buffers)
	{
		WriteBuffer *buf = lfirst(lc);

		if (rownum >= buf->batch.first_row &&
			rownum < buf->batch.first_row + buf->batch.nrows &&
			buffer_of(rel, buf))
			return !(snapshot != NULL && IsMVCCSnapshot(snapshot) &&
					 buf->cid >= snapshot->curcid);
	}
	return false;
}

/*
 * Flush or forget buffers as transactions end.
 */
static void
columnar_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			while (write_buffers != NIL)
				flush_subxact_buffers(((WriteBuffer *) linitial(write_buffers))->subid,
									  InvalidOid);
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			/* the memory goes with TopTransactionContext */
			write_buffers = NIL;
			break;
		default:
			break;
	}
}

/*
 * Flush a committing subtransaction's buffers inside it; forget an
 * aborting one's.
 */
static void
columnar_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	switch (event)
	{
		case SUBXACT_EVENT_PRE_COMMIT_SUB:
			flush_subxact_buffers(mySubid, InvalidOid);
			break;
		case SUBXACT_EVENT_ABORT_SUB:
			{
				List	   *matched = matching_buffers(InvalidOid, mySubid,
													   InvalidOid);
				ListCell   *lc;

				foreach(lc, matched)
				{
					WriteBuffer *buf = lfirst(lc);

					/* scans of the aborted subtransaction never unpin */
					write_buffers = list_delete_ptr(write_buffers, buf);
					buf->done = true;
				}
				list_free(matched);
			}
			break;
		default:
			break;
	}
}

/*
 * Flush the current subtransaction's buffers before ANALYZE and VACUUM:
 * they read the relation's blocks, not this backend's buffers, so rows
 * loaded earlier in the same transaction (a load followed by ANALYZE, as
 * the warehouse layer does) would be invisible to their sampling.
 */
static void
columnar_process_utility(PlannedStmt *pstmt, const char *queryString,
						 bool readOnlyTree, ProcessUtilityContext context,
						 ParamListInfo params, QueryEnvironment *queryEnv,
						 DestReceiver *dest, QueryCompletion *qc)
{
	if (IsA(pstmt->utilityStmt, VacuumStmt) && write_buffers != NIL)
		flush_subxact_buffers(GetCurrentSubTransactionId(), InvalidOid);

	if (prev_process_utility_hook)
		prev_process_utility_hook(pstmt, queryString, readOnlyTree, context,
								  params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

/*
 * Register the setting, the transaction callbacks and the utility hook of
 * the writer.
 */
void
ColumnarWriterInit(void)
{
	DefineCustomIntVariable("biwh.write_buffer_size",
							"Memory a backend may use to buffer rows written to columnar tables.",
							"Row groups are flushed early when the buffers grow beyond it.",
							&columnar_write_buffer_kb,
							131072, 1024, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
	RegisterXactCallback(columnar_xact_callback, NULL);
	RegisterSubXactCallback(columnar_subxact_callback, NULL);
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = columnar_process_utility;
}
