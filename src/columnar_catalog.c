/*-------------------------------------------------------------------------
 *
 * columnar_catalog.c
 *	  The row-group catalog biwh.columnar_row_group.
 *
 * These are ordinary heap tables of the extension, read and written here
 * directly (heap_insert, systable scans), not through SQL: that bypasses
 * privileges (any user who may write a columnar table may write its row
 * groups) and lets a row group be inserted with the command id of the
 * statement that buffered its rows, so that its visibility to this
 * backend's own snapshots is exactly that of heap tuples written by that
 * statement.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/relation.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "storage/bufmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/varlena.h"

#include "columnar_catalog.h"
#include "columnar_storage.h"

/* attribute numbers of biwh.columnar_row_group */
#define Anum_rg_storage_id			1
#define Anum_rg_first_row			2
#define Anum_rg_row_count			3
#define Anum_rg_start_block			4
#define Anum_rg_data_length			5
#define Anum_rg_chunk_offset		6
#define Anum_rg_chunk_length		7
#define Anum_rg_chunk_raw_length	8
#define Anum_rg_chunk_encoding		9
#define Anum_rg_chunk_null_count	10
#define Anum_rg_chunk_min			11
#define Anum_rg_chunk_max			12
#define Anum_rg_chunk_collation		13
#define Natts_rg					13

/* start_block of a reservation (ColumnarCatalogReserve) */
#define RESERVED_START				INT64CONST(-1)

/*
 * Return the oid of a relation of schema biwh, or InvalidOid.
 */
static Oid
biwh_relid(const char *name)
{
	Oid			nsp = get_namespace_oid("biwh", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid(name, nsp);
}

/*
 * Return the oid of a biwh relation that must exist.
 */
static Oid
biwh_relid_required(const char *name)
{
	Oid			relid = biwh_relid(name);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("biwh catalog table \"biwh.%s\" is missing", name),
				 errhint("Reinstall the extension biwh.")));
	return relid;
}

/*
 * Return whether the row-group catalog exists (false while the extension is
 * being dropped).
 */
bool
ColumnarCatalogReady(void)
{
	return OidIsValid(biwh_relid("columnar_row_group")) &&
		OidIsValid(biwh_relid("columnar_row_group_pkey"));
}

/*
 * Build a one-dimensional int8 array.
 */
static Datum
int8_array(uint64 *values, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum((int64) values[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * Build a one-dimensional text array whose NULL entries are NULLs.
 */
static Datum
bytea_array(char **values, uint32 *lens, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = values[i] == NULL;
		if (!nulls[i])
		{
			bytea	   *b = palloc(VARHDRSZ + lens[i]);

			SET_VARSIZE(b, VARHDRSZ + lens[i]);
			memcpy(VARDATA(b), values[i], lens[i]);
			d[i] = PointerGetDatum(b);
		}
		else
			d[i] = (Datum) 0;
	}
	if (n == 0)
		return PointerGetDatum(construct_empty_array(BYTEAOID));
	return PointerGetDatum(construct_md_array(d, nulls, 1, dims, lbs, BYTEAOID,
											  -1, false, TYPALIGN_INT));
}

/*
 * Insert the catalog row of a flushed row group, as if written by command
 * cid of the current (sub)transaction.
 */
void
ColumnarCatalogInsertRowGroup(uint64 storage_id, ColumnarRowGroupMeta *meta,
							  CommandId cid)
{
	Relation	rel = table_open(biwh_relid_required("columnar_row_group"), RowExclusiveLock);
	Relation	idx = index_open(biwh_relid_required("columnar_row_group_pkey"), RowExclusiveLock);
	Datum		values[Natts_rg];
	bool		nulls[Natts_rg];
	int			n = meta->ncols;
	uint64	   *u = palloc(sizeof(uint64) * Max(n, 1));
	char	  **s = palloc(sizeof(char *) * Max(n, 1));
	uint32	   *lens = palloc(sizeof(uint32) * Max(n, 1));
	Datum	   *enc = palloc(sizeof(Datum) * Max(n, 1));
	HeapTuple	tup;
	Datum		ivalues[2];
	bool		inulls[2] = {false, false};
	IndexInfo  *ii;

	memset(nulls, 0, sizeof(nulls));
	values[Anum_rg_storage_id - 1] = Int64GetDatum((int64) storage_id);
	values[Anum_rg_first_row - 1] = Int64GetDatum((int64) meta->first_row);
	values[Anum_rg_row_count - 1] = Int64GetDatum((int64) meta->row_count);
	values[Anum_rg_start_block - 1] = Int64GetDatum((int64) meta->start_block);
	values[Anum_rg_data_length - 1] = Int64GetDatum((int64) meta->data_length);
	for (int i = 0; i < n; i++)
		u[i] = meta->chunks[i].offset;
	values[Anum_rg_chunk_offset - 1] = int8_array(u, n);
	for (int i = 0; i < n; i++)
		u[i] = meta->chunks[i].length;
	values[Anum_rg_chunk_length - 1] = int8_array(u, n);
	for (int i = 0; i < n; i++)
		u[i] = meta->chunks[i].raw_length;
	values[Anum_rg_chunk_raw_length - 1] = int8_array(u, n);
	for (int i = 0; i < n; i++)
		enc[i] = Int16GetDatum((int16) meta->chunks[i].encoding);
	values[Anum_rg_chunk_encoding - 1] =
		PointerGetDatum(construct_array(enc, n, INT2OID, 2, true, TYPALIGN_SHORT));
	for (int i = 0; i < n; i++)
		u[i] = meta->chunks[i].null_count;
	values[Anum_rg_chunk_null_count - 1] = int8_array(u, n);
	for (int i = 0; i < n; i++)
	{
		s[i] = meta->chunks[i].min;
		lens[i] = meta->chunks[i].min_len;
	}
	values[Anum_rg_chunk_min - 1] = bytea_array(s, lens, n);
	for (int i = 0; i < n; i++)
	{
		s[i] = meta->chunks[i].max;
		lens[i] = meta->chunks[i].max_len;
	}
	values[Anum_rg_chunk_max - 1] = bytea_array(s, lens, n);
	for (int i = 0; i < n; i++)
		enc[i] = ObjectIdGetDatum(meta->chunks[i].collation);
	values[Anum_rg_chunk_collation - 1] =
		PointerGetDatum(construct_array(enc, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));

	tup = heap_form_tuple(RelationGetDescr(rel), values, nulls);
	heap_insert(rel, tup, cid, HEAP_INSERT_NO_LOGICAL, NULL);

	/* the only index is the primary key on (storage_id, first_row) */
	ii = BuildIndexInfo(idx);
	ivalues[0] = values[Anum_rg_storage_id - 1];
	ivalues[1] = values[Anum_rg_first_row - 1];
	index_insert(idx, ivalues, inulls, &tup->t_self, rel, UNIQUE_CHECK_YES,
				 false, ii);

	heap_freetuple(tup);
	index_close(idx, RowExclusiveLock);
	table_close(rel, RowExclusiveLock);
}

/*
 * Deconstruct an int8 array of n elements into out, checking its length.
 */
static void
get_int8_array(Datum d, uint64 *out, int n)
{
	ArrayType  *a = DatumGetArrayTypeP(d);
	Datum	   *elems;
	bool	   *nulls;
	int			count;

	deconstruct_array(a, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	if (count != n)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("columnar row group catalog row is inconsistent"),
				 errdetail("An array has %d elements, expected %d.", count, n)));
	for (int i = 0; i < n; i++)
		out[i] = nulls[i] ? 0 : (uint64) DatumGetInt64(elems[i]);
}

/*
 * Turn a catalog row into a palloc'd ColumnarRowGroupMeta.
 */
static ColumnarRowGroupMeta *
meta_from_tuple(HeapTuple tup, TupleDesc desc)
{
	ColumnarRowGroupMeta *meta = palloc0(sizeof(ColumnarRowGroupMeta));
	Datum		values[Natts_rg];
	bool		nulls[Natts_rg];
	ArrayType  *a;
	Datum	   *elems;
	bool	   *enulls;
	int			n;
	uint64	   *u;

	heap_deform_tuple(tup, desc, values, nulls);
	meta->first_row = DatumGetInt64(values[Anum_rg_first_row - 1]);
	meta->row_count = DatumGetInt64(values[Anum_rg_row_count - 1]);
	if (DatumGetInt64(values[Anum_rg_start_block - 1]) == RESERVED_START)
	{
		meta->reserved = true;
		meta->chunks = palloc0(sizeof(ColumnarChunkMeta));
		return meta;
	}
	meta->start_block = (BlockNumber) DatumGetInt64(values[Anum_rg_start_block - 1]);
	meta->data_length = DatumGetInt64(values[Anum_rg_data_length - 1]);

	a = DatumGetArrayTypeP(values[Anum_rg_chunk_encoding - 1]);
	deconstruct_array(a, INT2OID, 2, true, TYPALIGN_SHORT, &elems, &enulls, &n);
	meta->ncols = n;
	meta->chunks = palloc0(sizeof(ColumnarChunkMeta) * Max(n, 1));
	for (int i = 0; i < n; i++)
		meta->chunks[i].encoding = DatumGetInt16(elems[i]);

	u = palloc(sizeof(uint64) * Max(n, 1));
	get_int8_array(values[Anum_rg_chunk_offset - 1], u, n);
	for (int i = 0; i < n; i++)
		meta->chunks[i].offset = u[i];
	get_int8_array(values[Anum_rg_chunk_length - 1], u, n);
	for (int i = 0; i < n; i++)
		meta->chunks[i].length = u[i];
	get_int8_array(values[Anum_rg_chunk_raw_length - 1], u, n);
	for (int i = 0; i < n; i++)
		meta->chunks[i].raw_length = u[i];
	get_int8_array(values[Anum_rg_chunk_null_count - 1], u, n);
	for (int i = 0; i < n; i++)
		meta->chunks[i].null_count = u[i];

	for (int k = 0; k < 2; k++)
	{
		int			anum = k == 0 ? Anum_rg_chunk_min : Anum_rg_chunk_max;
		int			count;

		a = DatumGetArrayTypeP(values[anum - 1]);
		deconstruct_array(a, BYTEAOID, -1, false, TYPALIGN_INT, &elems, &enulls, &count);
		for (int i = 0; i < n && i < count; i++)
		{
			char	   *v = NULL;
			uint32		len = 0;

			if (!enulls[i])
			{
				/* a copy: MAXALIGNed, so fixed-length images can be read */
				len = VARSIZE_ANY_EXHDR(DatumGetPointer(elems[i]));
				v = palloc(Max(len, sizeof(Datum)));
				memcpy(v, VARDATA_ANY(DatumGetPointer(elems[i])), len);
			}
			if (k == 0)
			{
				meta->chunks[i].min = v;
				meta->chunks[i].min_len = len;
			}
			else
			{
				meta->chunks[i].max = v;
				meta->chunks[i].max_len = len;
			}
		}
	}

	a = DatumGetArrayTypeP(values[Anum_rg_chunk_collation - 1]);
	{
		int			count;

		deconstruct_array(a, OIDOID, sizeof(Oid), true, TYPALIGN_INT, &elems, &enulls, &count);
		for (int i = 0; i < n; i++)
		{
			/* min/max without their collation are not used */
			if (i >= count || enulls[i])
				meta->chunks[i].min = meta->chunks[i].max = NULL;
			else
				meta->chunks[i].collation = DatumGetObjectId(elems[i]);
		}
	}

	/* the chunks must lie inside the row group's stream */
	for (int i = 0; i < n; i++)
	{
		if (meta->chunks[i].offset > meta->data_length ||
			meta->chunks[i].length > meta->data_length - meta->chunks[i].offset)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("columnar row group catalog row is inconsistent"),
					 errdetail("Chunk %d lies outside its row group.", i + 1)));
	}
	return meta;
}

/*
 * Return the row groups of a storage visible to snapshot, ordered by first
 * row, as a List of ColumnarRowGroupMeta.
 */
List *
ColumnarCatalogRowGroups(uint64 storage_id, Snapshot snapshot)
{
	Relation	rel;
	Relation	idx;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *result = NIL;

	if (storage_id == 0)
		return NIL;
	rel = table_open(biwh_relid_required("columnar_row_group"), AccessShareLock);
	idx = index_open(biwh_relid_required("columnar_row_group_pkey"), AccessShareLock);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	scan = systable_beginscan_ordered(rel, idx, snapshot, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, ForwardScanDirection)))
	{
		ColumnarRowGroupMeta *meta = meta_from_tuple(tup, RelationGetDescr(rel));

		if (!meta->reserved)
			result = lappend(result, meta);
	}
	systable_endscan_ordered(scan);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
	return result;
}

/*
 * Add up the row groups (not reservations) of a storage visible to
 * snapshot, reading only their catalog rows: how many (returned), their
 * rows (*rows) and the pages their streams take (*pages), each when not
 * NULL.
 */
static uint64
row_group_totals(uint64 storage_id, Snapshot snapshot, uint64 *rows, BlockNumber *pages)
{
	Relation	rel;
	Relation	idx;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	uint64		n = 0;

	rel = table_open(biwh_relid_required("columnar_row_group"), AccessShareLock);
	idx = index_open(biwh_relid_required("columnar_row_group_pkey"), AccessShareLock);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	scan = systable_beginscan_ordered(rel, idx, snapshot, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, ForwardScanDirection)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;

		if (DatumGetInt64(heap_getattr(tup, Anum_rg_start_block, desc, &isnull)) == RESERVED_START)
			continue;
		n++;
		if (rows != NULL)
		{
			int64		count = DatumGetInt64(heap_getattr(tup, Anum_rg_row_count, desc, &isnull));

			if (isnull || count < 0)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("columnar row group catalog row is inconsistent"),
						 errdetail("A row group of storage %llu has an invalid row count.",
								   (unsigned long long) storage_id)));
			*rows += (uint64) count;
		}
		if (pages != NULL)
		{
			int64		len = DatumGetInt64(heap_getattr(tup, Anum_rg_data_length, desc, &isnull));

			if (len >= 0)
				*pages += ColumnarStreamPages((uint64) len);
		}
	}
	systable_endscan_ordered(scan);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
	return n;
}

/*
 * Return the rows of a storage's row groups visible to snapshot, reading
 * only their row counts (the planner asks for it at every planning).
 */
uint64
ColumnarCatalogRowCount(uint64 storage_id, Snapshot snapshot)
{
	uint64		total = 0;

	if (storage_id == 0)
		return 0;
	row_group_totals(storage_id, snapshot, &total, NULL);
	return total;
}

/*
 * Return the row group of a storage that holds row number rownum and is
 * visible to snapshot, or NULL.
 */
ColumnarRowGroupMeta *
ColumnarCatalogFindRowGroup(uint64 storage_id, uint64 rownum, Snapshot snapshot)
{
	Relation	rel;
	Relation	idx;
	SysScanDesc scan;
	ScanKeyData key[2];
	HeapTuple	tup;
	ColumnarRowGroupMeta *result = NULL;

	if (storage_id == 0)
		return NULL;
	rel = table_open(biwh_relid_required("columnar_row_group"), AccessShareLock);
	idx = index_open(biwh_relid_required("columnar_row_group_pkey"), AccessShareLock);
	ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&key[1], 2, BTLessEqualStrategyNumber, F_INT8LE,
				Int64GetDatum((int64) rownum));
	scan = systable_beginscan_ordered(rel, idx, snapshot, 2, key);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, BackwardScanDirection)))
	{
		ColumnarRowGroupMeta *meta = meta_from_tuple(tup, RelationGetDescr(rel));

		if (rownum < meta->first_row + meta->row_count)
		{
			/*
			 * A reservation seen by an MVCC snapshot is this transaction's
			 * (its rows are in this backend's buffers); a dirty snapshot
			 * sees another's, and learns its xid: the caller waits for it
			 */
			if (!meta->reserved || !IsMVCCSnapshot(snapshot))
				result = meta;
			break;
		}
		/* with SnapshotAny, an aborted row group may come first: go on */
		if (IsMVCCSnapshot(snapshot))
			break;
	}
	systable_endscan_ordered(scan);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
	return result;
}

/*
 * Prune the catalog pages that hold rows of a storage, so that rows dead
 * to everybody go for good: the prune record cancels the queries of hot
 * standbys whose snapshots could still see them, before VACUUM frees the
 * pages those rows pointed at.  Pages another backend has pinned are
 * skipped (their dead rows keep their pages one VACUUM longer).
 */
static void
prune_storage_rows(Relation rel, Relation idx, uint64 storage_id)
{
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *blocks = NIL;
	ListCell   *lc;
	GlobalVisState *vistest = GlobalVisTestFor(rel);

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	scan = systable_beginscan_ordered(rel, idx, SnapshotAny, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, ForwardScanDirection)))
		blocks = list_append_unique_int(blocks, (int) ItemPointerGetBlockNumber(&tup->t_self));
	systable_endscan_ordered(scan);

	foreach(lc, blocks)
	{
		Buffer		buf = ReadBuffer(rel, (BlockNumber) lfirst_int(lc));
		int			nnewlpdead;

		if (ConditionalLockBufferForCleanup(buf))
		{
			/* 15.8 gave heap_page_prune an oldest_xmin (Invalid: use vistest) */
#if PG_VERSION_NUM >= 150008
			heap_page_prune(rel, buf, InvalidTransactionId, vistest,
							InvalidTransactionId, 0, &nnewlpdead, NULL);
#else
			heap_page_prune(rel, buf, vistest,
							InvalidTransactionId, 0, &nnewlpdead, NULL);
#endif
			UnlockReleaseBuffer(buf);
		}
		else
			ReleaseBuffer(buf);
	}
	list_free(blocks);
}

/*
 * Return the page ranges (first block, number of pages) of every row group
 * of a storage whose catalog row might still be seen by anybody: after
 * pruning, every row left, whatever its state (committed, in progress,
 * deleted but recently, or dead but not yet pruned), counts.
 */
void
ColumnarCatalogUsedRanges(uint64 storage_id, BlockNumber **starts,
						  BlockNumber **counts, int *n)
{
	Relation	rel;
	Relation	idx;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	int			cap = 16;

	*n = 0;
	*starts = palloc(sizeof(BlockNumber) * cap);
	*counts = palloc(sizeof(BlockNumber) * cap);
	if (storage_id == 0)
		return;
	rel = table_open(biwh_relid_required("columnar_row_group"), AccessShareLock);
	idx = index_open(biwh_relid_required("columnar_row_group_pkey"), AccessShareLock);
	prune_storage_rows(rel, idx, storage_id);

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	scan = systable_beginscan_ordered(rel, idx, SnapshotAny, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext_ordered(scan, ForwardScanDirection)))
	{
		bool		isnull1,
					isnull2;
		int64		start = DatumGetInt64(heap_getattr(tup, Anum_rg_start_block,
													   RelationGetDescr(rel), &isnull1));
		int64		len = DatumGetInt64(heap_getattr(tup, Anum_rg_data_length,
													 RelationGetDescr(rel), &isnull2));

		if (!isnull1 && start == RESERVED_START)
			continue;			/* no pages */
		if (isnull1 || isnull2 || start < 0 || start > MaxBlockNumber || len < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("columnar row group catalog row is inconsistent"),
					 errdetail("A row group of storage %llu has an invalid place.",
							   (unsigned long long) storage_id)));
		if (*n == cap)
		{
			cap *= 2;
			*starts = repalloc(*starts, sizeof(BlockNumber) * cap);
			*counts = repalloc(*counts, sizeof(BlockNumber) * cap);
		}
		(*starts)[*n] = (BlockNumber) start;
		(*counts)[*n] = ColumnarStreamPages((uint64) len);
		(*n)++;
	}
	systable_endscan_ordered(scan);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
}

/*
 * Return whether VACUUM may find pages of a storage to free, read without
 * VACUUM's lock (a hint that may be wrong only towards true, or miss a
 * change made while it reads, which the next VACUUM sees): some catalog
 * row of it is gone or going (inserted by an aborted transaction, or
 * deleted by a committed one: a dirty snapshot sees neither), or its row
 * groups, the nfree pages of its free list and the metapage do not
 * account for all nblocks pages of the relation (an aborted load whose
 * catalog row was pruned or never written, a crashed writer, a writer
 * between writing pages and inserting their catalog row).
 */
bool
ColumnarCatalogMayReclaim(uint64 storage_id, BlockNumber nblocks,
						  BlockNumber nfree)
{
	SnapshotData dirty;
	BlockNumber pages = 0;
	uint64		live;
	uint64		all;

	if (storage_id == 0)
		return false;
	InitDirtySnapshot(dirty);
	/* the dirty count first: a row inserted in between only adds to all */
	live = row_group_totals(storage_id, &dirty, NULL, NULL);
	all = row_group_totals(storage_id, SnapshotAny, NULL, &pages);
	return all != live || (uint64) pages + nfree + 1 < (uint64) nblocks;
}

/*
 * Delete the catalog row of one row group (VACUUM compaction).
 */
void
ColumnarCatalogDeleteRowGroup(uint64 storage_id, uint64 first_row)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key[2];
	HeapTuple	tup;

	rel = table_open(biwh_relid_required("columnar_row_group"), RowExclusiveLock);
	ScanKeyInit(&key[0], Anum_rg_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	ScanKeyInit(&key[1], Anum_rg_first_row, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) first_row));
	scan = systable_beginscan(rel, biwh_relid_required("columnar_row_group_pkey"),
							  true, SnapshotSelf, 2, key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		simple_heap_delete(rel, &tup->t_self);
	systable_endscan(scan);
	table_close(rel, RowExclusiveLock);
}

/*
 * Delete the catalog rows of a storage (TRUNCATE, DROP, rewrites).
 */
void
ColumnarCatalogDeleteStorage(uint64 storage_id)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;

	if (storage_id == 0 || !ColumnarCatalogReady())
		return;
	rel = table_open(biwh_relid_required("columnar_row_group"), RowExclusiveLock);
	ScanKeyInit(&key, Anum_rg_storage_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum((int64) storage_id));
	scan = systable_beginscan(rel, biwh_relid_required("columnar_row_group_pkey"),
							  true, SnapshotSelf, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		simple_heap_delete(rel, &tup->t_self);
	systable_endscan(scan);
	table_close(rel, RowExclusiveLock);
}

/*
 * Insert the catalog row of a reservation: row numbers first_row ..
 * first_row + nrows - 1 that this transaction buffers for a table with
 * indexes, so that another transaction's uniqueness check, which finds
 * their index entries, sees (with its dirty snapshot) who is inserting
 * them and waits for it, as it would for a heap tuple.  Readers leave
 * reservations out.  It is deleted when the rows are flushed, and goes
 * with the transaction if it aborts.  Sets *tid to its TID.
 *
 * It is inserted with the first command id and deleted with the second
 * (ColumnarCatalogUnreserve), whatever the command: it never needs to be
 * visible to this transaction's own snapshots, and the delete must always
 * see it.
 */
void
ColumnarCatalogReserve(uint64 storage_id, uint64 first_row, uint64 nrows,
					   ItemPointer tid)
{
	Relation	rel = table_open(biwh_relid_required("columnar_row_group"), RowExclusiveLock);
	Relation	idx = index_open(biwh_relid_required("columnar_row_group_pkey"), RowExclusiveLock);
	Datum		values[Natts_rg];
	bool		nulls[Natts_rg];
	Datum		ivalues[2];
	bool		inulls[2] = {false, false};
	HeapTuple	tup;
	Datum		empty8 = PointerGetDatum(construct_empty_array(INT8OID));

	memset(nulls, 0, sizeof(nulls));
	values[Anum_rg_storage_id - 1] = Int64GetDatum((int64) storage_id);
	values[Anum_rg_first_row - 1] = Int64GetDatum((int64) first_row);
	values[Anum_rg_row_count - 1] = Int64GetDatum((int64) nrows);
	values[Anum_rg_start_block - 1] = Int64GetDatum(RESERVED_START);
	values[Anum_rg_data_length - 1] = Int64GetDatum(0);
	values[Anum_rg_chunk_offset - 1] = empty8;
	values[Anum_rg_chunk_length - 1] = empty8;
	values[Anum_rg_chunk_raw_length - 1] = empty8;
	values[Anum_rg_chunk_encoding - 1] = PointerGetDatum(construct_empty_array(INT2OID));
	values[Anum_rg_chunk_null_count - 1] = empty8;
	values[Anum_rg_chunk_min - 1] = PointerGetDatum(construct_empty_array(BYTEAOID));
	values[Anum_rg_chunk_max - 1] = PointerGetDatum(construct_empty_array(BYTEAOID));
	values[Anum_rg_chunk_collation - 1] = PointerGetDatum(construct_empty_array(OIDOID));

	tup = heap_form_tuple(RelationGetDescr(rel), values, nulls);
	heap_insert(rel, tup, FirstCommandId, HEAP_INSERT_NO_LOGICAL, NULL);
	ivalues[0] = values[Anum_rg_storage_id - 1];
	ivalues[1] = values[Anum_rg_first_row - 1];
	index_insert(idx, ivalues, inulls, &tup->t_self, rel, UNIQUE_CHECK_YES,
				 false, BuildIndexInfo(idx));
	*tid = tup->t_self;
	heap_freetuple(tup);
	index_close(idx, RowExclusiveLock);
	table_close(rel, RowExclusiveLock);
}

/*
 * Delete the catalog row of a reservation (its rows are flushed, or there
 * are none).
 */
void
ColumnarCatalogUnreserve(ItemPointer tid)
{
	Relation	rel = table_open(biwh_relid_required("columnar_row_group"), RowExclusiveLock);
	TM_FailureData tmfd;
	TM_Result	result;

	result = heap_delete(rel, tid, FirstCommandId + 1, InvalidSnapshot, true,
						 &tmfd, false);
	if (result != TM_Ok)
		elog(ERROR, "could not delete columnar row reservation: %d", (int) result);
	table_close(rel, RowExclusiveLock);
}
