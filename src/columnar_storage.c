/*-------------------------------------------------------------------------
 *
 * columnar_storage.c
 *	  The pages of a columnar table's main fork: the metapage, the byte
 *	  streams of row groups, and their WAL; and which relations are
 *	  columnar.
 *
 * On-disk format
 * --------------
 * The main fork holds ordinary 8 KB pages with a standard page header, read
 * and written through the buffer manager; nothing lives outside it and there
 * is no other fork.  An empty relation (just created or truncated) has no
 * block at all; the first write creates:
 *
 *	block 0		the metapage: magic, format version, the storage id, the
 *				next row number to hand out and the free list, runs of data
 *				pages VACUUM found unused (ColumnarMetaPageData right after
 *				the page header).
 *	block 1..	data pages.  Each flushed row group is one byte stream, the
 *				concatenation of its column chunks (see columnar_compression.c
 *				for a chunk's frame), laid out over consecutive fresh pages:
 *				byte k of the stream is at block start + k / P, offset
 *				SizeOfPageHeaderData + k % P of the page, P = BLCKSZ -
 *				SizeOfPageHeaderData.  pd_lower marks the end of the bytes a
 *				page holds.  A page never holds two row groups.  A stream
 *				goes to the first free run long enough, else to fresh pages
 *				at the end of the file.
 *
 * The storage id is a number drawn from biwh.columnar_storage_id_seq when
 * the metapage is made; the catalog (biwh.columnar_row_group) identifies a
 * relation's row groups by it, never by relation oid or relfilenode, so
 * TRUNCATE (a new relfilenode, hence a new storage id) and its rollback are
 * transactional for free, and temporary tables need no oid mapping.
 *
 * Row numbers (which make TIDs, see columnar.h) are reserved from the
 * metapage in ranges of one row group, before the rows are buffered, so a
 * TID given to the executor at insert time stays valid after the flush.
 *
 * WAL
 * ---
 * Every page change is logged with generic WAL: new data pages and a new
 * metapage as full images, metapage updates as deltas.  So crash recovery,
 * base backups and streaming standbys need no custom redo and no
 * shared_preload_libraries.  Data pages are logged before the catalog row
 * that makes them visible is inserted, so the commit record always follows
 * the pages it needs.  Temporary tables are not logged (GenericXLogFinish
 * knows).  Unlogged columnar tables are refused (their init fork would need
 * a metapage whose storage id the logged catalog would still point at).
 *
 * Locking
 * -------
 * Making the metapage, appending data pages and taking free pages happen
 * under the relation extension lock, so two backends flushing at once get
 * disjoint page ranges; VACUUM's reclaiming also takes AccessExclusiveLock
 * (see below).
 * The metapage's buffer is locked before it becomes valid
 * (RBM_ZERO_AND_LOCK), so a reader never sees it half made; an all-zero
 * block 0 (the file was extended but a crash lost the metapage's WAL) means
 * "no storage yet", as an empty file does, and the next write makes it.
 * The metapage's row counter is updated under the metapage buffer's
 * exclusive lock.  A data page is never changed while a row group that
 * anybody may read uses it (it is rewritten only once VACUUM found it
 * free), so readers take only a share lock per page while copying bytes
 * out.
 *
 * Reclaiming space (VACUUM)
 * -------------------------
 * A page is in use while the catalog row of its row group might still be
 * read by anybody: committed and visible, inserted by a transaction still
 * in progress, or deleted (compaction, TRUNCATE) but still visible to some
 * snapshot.  The pages of aborted or crashed loads, of row groups whose
 * deletion every snapshot sees, and pages extended by a writer that died
 * before inserting its catalog row are not.  VACUUM (reclaim_space in
 * columnar_vacuum.c does steps 0, 1, 2 and 4, ColumnarStorageFree here
 * step 3):
 *
 *	0. skips the rest when the catalog shows no page that may be free
 *	   (ColumnarCatalogMayReclaim: no row group inserted by an aborted
 *	   transaction nor deleted by a committed one, and every page is the
 *	   metapage, on the free list or some row group's);
 *	1. takes the table's AccessExclusiveLock, conditionally, retrying for
 *	   about a second and giving up otherwise (as heap's lazy_truncate_heap:
 *	   VACUUM never queues in front of readers).  This, not the extension
 *	   lock, is what makes it race-free: a writer holds RowExclusiveLock
 *	   from before it reserves pages until its transaction ends, and there
 *	   is a window between writing a row group's pages and inserting its
 *	   catalog row in which no catalog row, not even an in-progress one,
 *	   tells that the pages are taken.  With the lock, no such writer
 *	   exists, and every catalog row of the table is final except VACUUM's
 *	   own (compaction's), which count as used.  A reader cannot hold a
 *	   page either.
 *	2. prunes the row-group catalog's heap pages that hold the table's rows
 *	   (heap_page_prune with the catalog's visibility horizon), then counts
 *	   every row still there (SnapshotAny), whatever its state, as using
 *	   its pages.  Pruning is what makes this safe on hot standbys: a row
 *	   is removed only when no snapshot of the primary (nor of a standby
 *	   with hot_standby_feedback) can see it, and the prune record, which
 *	   precedes in WAL everything below, cancels standby queries whose
 *	   snapshot still could; a page that another backend has pinned is not
 *	   pruned, and its dead rows keep their pages one more VACUUM.
 *	3. writes the free list (the largest COLUMNAR_MAX_FREE_RANGES runs of
 *	   unused pages before the last used one) into the metapage, then
 *	   truncates the file after the last used page (RelationTruncate:
 *	   WAL-logged, replayed by standbys, which also replay the
 *	   AccessExclusiveLock); both under the extension lock too.  A crash in
 *	   between leaves a free list naming no truncated page; a writer drops
 *	   any range past the end of the file anyway.
 *	4. releases the AccessExclusiveLock at once.
 * The free list is rebuilt from the catalog by every VACUUM, so it is a
 * hint that can only be too short: a writer takes a run from it under the
 * extension lock and the metapage buffer's lock (WAL-logged), and if its
 * transaction then aborts or crashes, the next VACUUM finds those pages
 * unused again.  A page in the list is never needed again (rows dead to
 * everybody never come back), so reusing it cannot break a reader.
 *
 * Row groups that VACUUM merges (columnar_vacuum.c) are deleted by VACUUM's
 * own transaction, so their pages are still in use when the same VACUUM
 * reclaims; the next VACUUM (once no snapshot older than the first one's
 * commit remains) frees them, and later writes fill them.  The merged row
 * group itself goes to the end of the file or to free pages found before,
 * so compaction alone does not shrink the file; an aborted load at the end
 * of the file is truncated by the very next VACUUM.  Autovacuum reclaims
 * too, and compacts once a table has biwh.autovacuum_merge_row_groups
 * small row groups (never with indexes); VACUUM (TRUNCATE false) does
 * neither step 2 nor step 3.
 *
 * Open doubts
 * -----------
 * - A table busy all the time (a long load or a long query holding a lock)
 *   is never reclaimed: VACUUM VERBOSE says "pages not reclaimed".
 * - VACUUM takes the AccessExclusiveLock whenever the catalog shows pages
 *   that may be free (dead or aborted row groups, pages no row group
 *   accounts for), also when their rows are still visible to some
 *   snapshot and nothing can be freed yet; standbys replay the lock, and
 *   the replay waits for standby queries on the table (cancelling them
 *   after max_standby_streaming_delay).  Heap takes it only to truncate.
 * - Free pages are reused only by streams that fit a run whole; a table
 *   with many small holes and large row groups may still grow (VACUUM FULL
 *   rewrites it).  Row groups are never moved to fill holes at the front.
 * - Each flush starts on a fresh page: many tiny transactions waste up to a
 *   page each, and a row-number range each (row numbers run out after
 *   ~1.2 * 10^12, i.e. ~10^7 single-row flushes of a 120k-row group size).
 * - A sort key reorders rows at flush, so TIDs given at insert change; the
 *   writer does not sort while AFTER ROW insert triggers exist, but a client
 *   that keeps a ctid it saw before the flush would find another row.
 * - Row numbers are reserved before rows are buffered: the metapage is
 *   written (and WAL-logged) once per write buffer, even for one row.
 * - Catalog rows of a columnar table dropped while the library is not
 *   loaded (e.g. a DROP SCHEMA ... CASCADE of a schema whose drop event
 *   trigger was disabled) stay behind, unreferenced: storage ids are never
 *   reused, so they are garbage, not wrong answers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/storage.h"
#include "commands/defrem.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "columnar_storage.h"

#define COLUMNAR_META_MAGIC		0x42574843	/* "BWHC" */
#define COLUMNAR_META_VERSION	2
#define COLUMNAR_META_BLOCK		0

/* A run of consecutive free data pages */
typedef struct ColumnarFreeRange
{
	BlockNumber start;
	BlockNumber count;
} ColumnarFreeRange;

typedef struct ColumnarMetaPageData
{
	uint32		magic;
	uint32		version;
	uint64		storage_id;
	uint64		next_row;
	uint32		nfree;			/* entries of free[] */
	pg_crc32c	crc;			/* of the fields above and free[] */
	ColumnarFreeRange free[FLEXIBLE_ARRAY_MEMBER];
} ColumnarMetaPageData;

/* free ranges a metapage holds: VACUUM keeps the largest ones */
#define COLUMNAR_MAX_FREE_RANGES	512

StaticAssertDecl(offsetof(ColumnarMetaPageData, free) +
				 COLUMNAR_MAX_FREE_RANGES * sizeof(ColumnarFreeRange) <=
				 BLCKSZ - MAXALIGN(SizeOfPageHeaderData),
				 "free list does not fit the metapage");

#define ColumnarPageMeta(page) ((ColumnarMetaPageData *) PageGetContents(page))

/* the oid of access method "columnar", InvalidOid until looked up */
static Oid	columnar_am_oid = InvalidOid;

/*
 * Forget the cached access method oid when pg_am changes (DROP and CREATE
 * EXTENSION give the access method a new oid).
 */
static void
am_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	columnar_am_oid = InvalidOid;
}

/*
 * Return the oid of access method "columnar", InvalidOid while there is
 * none (the extension is being created or dropped).
 */
static Oid
am_oid(void)
{
	if (!OidIsValid(columnar_am_oid))
		columnar_am_oid = get_table_am_oid("columnar", true);
	return columnar_am_oid;
}

/*
 * Return whether rel is a table or materialized view of the columnar
 * access method.
 */
bool
ColumnarIsColumnarRelation(Relation rel)
{
	return rel != NULL && rel->rd_tableam != NULL &&
		(rel->rd_rel->relkind == RELKIND_RELATION ||
		 rel->rd_rel->relkind == RELKIND_MATVIEW) &&
		OidIsValid(rel->rd_rel->relam) && rel->rd_rel->relam == am_oid();
}

/*
 * Return whether relid names an existing columnar table or materialized
 * view, without opening it.
 */
bool
ColumnarIsColumnarRelid(Oid relid)
{
	HeapTuple	tup;
	bool		result = false;

	if (!OidIsValid(relid))
		return false;
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (HeapTupleIsValid(tup))
	{
		Form_pg_class form = (Form_pg_class) GETSTRUCT(tup);

		result = (form->relkind == RELKIND_RELATION ||
				  form->relkind == RELKIND_MATVIEW) &&
			OidIsValid(form->relam) && form->relam == am_oid();
		ReleaseSysCache(tup);
	}
	return result;
}

/*
 * Register the invalidation of the cached access method oid.
 */
void
ColumnarStorageInit(void)
{
	CacheRegisterSyscacheCallback(AMOID, am_changed, (Datum) 0);
}

/*
 * Return the checksum of a metapage's fields and free list.
 */
static pg_crc32c
meta_crc(const ColumnarMetaPageData *meta)
{
	pg_crc32c	crc;
	uint32		nfree = Min(meta->nfree, COLUMNAR_MAX_FREE_RANGES);

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, meta, offsetof(ColumnarMetaPageData, crc));
	COMP_CRC32C(crc, meta->free, nfree * sizeof(ColumnarFreeRange));
	FIN_CRC32C(crc);
	return crc;
}

/*
 * Set pd_lower and the checksum of a metapage after a change.
 */
static void
meta_seal(Page page)
{
	ColumnarMetaPageData *meta = ColumnarPageMeta(page);

	meta->crc = meta_crc(meta);
	((PageHeader) page)->pd_lower = SizeOfPageHeaderData +
		offsetof(ColumnarMetaPageData, free) +
		meta->nfree * sizeof(ColumnarFreeRange);
}

/* stream bytes one data page holds */
#define COLUMNAR_PAGE_PAYLOAD	(BLCKSZ - SizeOfPageHeaderData)

/*
 * Return the number of data pages a row group's stream of len bytes takes
 * (at least one).
 */
BlockNumber
ColumnarStreamPages(uint64 len)
{
	return (BlockNumber) Max((len + COLUMNAR_PAGE_PAYLOAD - 1) / COLUMNAR_PAGE_PAYLOAD, 1);
}

/*
 * Raise the error for a damaged metapage.
 */
static void
meta_corrupted(Relation rel, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("columnar table \"%s\" has a corrupted metapage",
					RelationGetRelationName(rel)),
			 errdetail("%s", what)));
}

/*
 * Check the metapage of a locked buffer and return its contents.
 */
static ColumnarMetaPageData *
check_meta(Relation rel, Page page)
{
	ColumnarMetaPageData *meta;

	if (PageIsNew(page) ||
		((PageHeader) page)->pd_lower < SizeOfPageHeaderData + offsetof(ColumnarMetaPageData, free))
		meta_corrupted(rel, "The metapage is empty or truncated.");
	meta = ColumnarPageMeta(page);
	if (meta->nfree > COLUMNAR_MAX_FREE_RANGES ||
		((PageHeader) page)->pd_lower < SizeOfPageHeaderData +
		offsetof(ColumnarMetaPageData, free) + meta->nfree * sizeof(ColumnarFreeRange))
		meta_corrupted(rel, "The metapage's free list is truncated.");
	if (meta->magic != COLUMNAR_META_MAGIC)
		meta_corrupted(rel, "The metapage has a wrong magic number.");
	if (meta->version != COLUMNAR_META_VERSION)
		meta_corrupted(rel, psprintf("The metapage has format version %u, expected %u.",
									 meta->version, COLUMNAR_META_VERSION));
	if (!EQ_CRC32C(meta->crc, meta_crc(meta)) || meta->storage_id == 0)
		meta_corrupted(rel, "The metapage checksum does not match.");
	return meta;
}

/*
 * Return a new storage id from biwh.columnar_storage_id_seq, whatever the
 * privileges of the user who writes to the table.
 */
static uint64
new_storage_id(void)
{
	Oid			nsp = get_namespace_oid("biwh", false);
	Oid			seq = get_relname_relid("columnar_storage_id_seq", nsp);
	Oid			save_userid;
	int			save_sec;
	Datum		id;

	if (!OidIsValid(seq))
		elog(ERROR, "sequence biwh.columnar_storage_id_seq is missing");
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE);
	id = DirectFunctionCall1(nextval_oid, ObjectIdGetDatum(seq));
	SetUserIdAndSecContext(save_userid, save_sec);
	return (uint64) DatumGetInt64(id);
}

/*
 * Fill a new (all-zero) metapage in an exclusively locked buffer, WAL-logged.
 */
static void
fill_meta(Relation rel, Buffer buf)
{
	GenericXLogState *state;
	Page		page;
	ColumnarMetaPageData *meta;

	state = GenericXLogStart(rel);
	page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
	PageInit(page, BLCKSZ, 0);
	meta = ColumnarPageMeta(page);
	meta->magic = COLUMNAR_META_MAGIC;
	meta->version = COLUMNAR_META_VERSION;
	meta->storage_id = new_storage_id();
	meta->next_row = 0;
	meta->nfree = 0;
	meta_seal(page);
	GenericXLogFinish(state);
}

/*
 * Make the metapage of a relation that has none: no block at all, or an
 * all-zero block 0 (left by a crash between the extension of the file and
 * the flush of the metapage's WAL).  Takes the extension lock, under which
 * every metapage is made, so two writers never both make one.
 */
static void
init_meta(Relation rel)
{
	Buffer		buf;

	if (rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unlogged columnar tables are not supported"),
				 errhint("Use a logged or temporary table.")));

	LockRelationForExtension(rel, ExclusiveLock);
	if (RelationGetNumberOfBlocks(rel) == COLUMNAR_META_BLOCK)
	{
		/* locked before it becomes valid: readers never see the zeros */
		buf = ReadBufferExtended(rel, MAIN_FORKNUM, P_NEW, RBM_ZERO_AND_LOCK, NULL);
		if (BufferGetBlockNumber(buf) != COLUMNAR_META_BLOCK)
			elog(ERROR, "columnar metapage of \"%s\" is not block 0",
				 RelationGetRelationName(rel));
		fill_meta(rel, buf);
	}
	else
	{
		buf = ReadBufferExtended(rel, MAIN_FORKNUM, COLUMNAR_META_BLOCK, RBM_NORMAL, NULL);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		if (PageIsNew(BufferGetPage(buf)))
			fill_meta(rel, buf);
	}
	UnlockReleaseBuffer(buf);
	UnlockRelationForExtension(rel, ExclusiveLock);
}

/*
 * Return the storage id in the metapage, 0 when the relation has none yet
 * (no block, or an all-zero block 0: see init_meta).  A damaged metapage
 * raises ERRCODE_DATA_CORRUPTED, or returns 0 when !error.
 */
static uint64
read_storage_id(Relation rel, bool error)
{
	Buffer		buf;
	Page		page;
	uint64		id = 0;

	if (RelationGetNumberOfBlocks(rel) <= COLUMNAR_META_BLOCK)
		return 0;
	buf = ReadBufferExtended(rel, MAIN_FORKNUM, COLUMNAR_META_BLOCK, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (!PageIsNew(page))
	{
		if (error)
			id = check_meta(rel, page)->storage_id;
		else if (((PageHeader) page)->pd_lower >= SizeOfPageHeaderData + offsetof(ColumnarMetaPageData, free) &&
				 ColumnarPageMeta(page)->magic == COLUMNAR_META_MAGIC &&
				 ColumnarPageMeta(page)->version == COLUMNAR_META_VERSION &&
				 ColumnarPageMeta(page)->nfree <= COLUMNAR_MAX_FREE_RANGES &&
				 EQ_CRC32C(ColumnarPageMeta(page)->crc, meta_crc(ColumnarPageMeta(page))))
			id = ColumnarPageMeta(page)->storage_id;
	}
	UnlockReleaseBuffer(buf);
	return id;
}

/*
 * Return the storage id of the relation, 0 when it has none yet.
 */
uint64
ColumnarStorageId(Relation rel)
{
	return read_storage_id(rel, true);
}

/*
 * Return the storage id of the relation, 0 when it has none or its
 * metapage is damaged: for DROP and TRUNCATE, which must work on a
 * damaged table (its catalog rows then stay behind as garbage; storage
 * ids are never reused).
 */
uint64
ColumnarStorageIdNoError(Relation rel)
{
	return read_storage_id(rel, false);
}

/*
 * Return the next row number the relation will hand out (every row number
 * given so far is below it); 0 when it has no storage yet.
 */
uint64
ColumnarNextRowNumber(Relation rel)
{
	Buffer		buf;
	uint64		next;

	if (read_storage_id(rel, true) == 0)
		return 0;
	buf = ReadBufferExtended(rel, MAIN_FORKNUM, COLUMNAR_META_BLOCK, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	next = check_meta(rel, BufferGetPage(buf))->next_row;
	UnlockReleaseBuffer(buf);
	return next;
}

/*
 * Reserve nrows consecutive row numbers, making the metapage first if the
 * relation has none; returns the first one and sets *storage_id.
 */
uint64
ColumnarReserveRows(Relation rel, uint64 nrows, uint64 *storage_id)
{
	Buffer		buf;
	GenericXLogState *state;
	Page		page;
	ColumnarMetaPageData *meta;
	uint64		first;

	if (read_storage_id(rel, true) == 0)
		init_meta(rel);

	buf = ReadBufferExtended(rel, MAIN_FORKNUM, COLUMNAR_META_BLOCK, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	check_meta(rel, BufferGetPage(buf));
	state = GenericXLogStart(rel);
	page = GenericXLogRegisterBuffer(state, buf, 0);
	meta = ColumnarPageMeta(page);
	first = meta->next_row;
	if (first + nrows > COLUMNAR_MAX_ROW_NUMBER)
	{
		GenericXLogAbort(state);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("columnar table \"%s\" has run out of row numbers",
						RelationGetRelationName(rel)),
				 errhint("Rewrite the table, e.g. with VACUUM FULL.")));
	}
	meta->next_row = first + nrows;
	meta_seal(page);
	*storage_id = meta->storage_id;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
	return first;
}

/*
 * Take npages consecutive pages from the metapage's free list, WAL-logged;
 * returns the first, or InvalidBlockNumber when no free range is long
 * enough.  The caller holds the extension lock and nblocks is the size of
 * the relation: a range reaching past it (a crash between VACUUM's free
 * list and its truncation cannot leave one, but a damaged list might) is
 * dropped rather than used.
 */
static BlockNumber
take_free_range(Relation rel, BlockNumber npages, BlockNumber nblocks)
{
	Buffer		buf;
	Page		page;
	ColumnarMetaPageData *meta;
	GenericXLogState *state;
	BlockNumber result = InvalidBlockNumber;
	int			found = -1;
	bool		dirty = false;
	uint32		kept = 0;

	buf = ReadBufferExtended(rel, MAIN_FORKNUM, COLUMNAR_META_BLOCK, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	meta = check_meta(rel, BufferGetPage(buf));
	for (uint32 i = 0; i < meta->nfree; i++)
	{
		ColumnarFreeRange *r = &meta->free[i];

		if (r->start == COLUMNAR_META_BLOCK || r->count == 0 ||
			r->start > nblocks || r->count > nblocks - r->start)
			dirty = true;
		else if (found < 0 && r->count >= npages)
			found = i;
	}
	if (found < 0 && !dirty)
	{
		UnlockReleaseBuffer(buf);
		return InvalidBlockNumber;
	}

	state = GenericXLogStart(rel);
	page = GenericXLogRegisterBuffer(state, buf, 0);
	meta = ColumnarPageMeta(page);
	if (found >= 0)
	{
		ColumnarFreeRange *r = &meta->free[found];

		result = r->start;
		r->start += npages;
		r->count -= npages;
	}
	/* keep the good, non-empty ranges */
	for (uint32 i = 0; i < meta->nfree; i++)
	{
		ColumnarFreeRange r = meta->free[i];

		if (r.start != COLUMNAR_META_BLOCK && r.count > 0 &&
			r.start <= nblocks && r.count <= nblocks - r.start)
			meta->free[kept++] = r;
	}
	meta->nfree = kept;
	meta_seal(page);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
	return result;
}

/*
 * Write a row group's byte stream to free pages VACUUM found (the first
 * free range long enough) or else to fresh pages at the end of the
 * relation, WAL-logged; returns the first block.
 */
BlockNumber
ColumnarWriteStream(Relation rel, const char *data, Size len)
{
	Size		payload = COLUMNAR_PAGE_PAYLOAD;
	Size		done = 0;
	BlockNumber npages = ColumnarStreamPages(len);
	BlockNumber first;
	bool		reuse;

	LockRelationForExtension(rel, ExclusiveLock);
	first = take_free_range(rel, npages, RelationGetNumberOfBlocks(rel));
	reuse = first != InvalidBlockNumber;
	do
	{
		Size		n = Min(payload, len - done);
		Buffer		buf;
		GenericXLogState *state;
		Page		page;

		CHECK_FOR_INTERRUPTS();
		if (reuse)
		{
			/* the old bytes are garbage: no need to read them */
			buf = ReadBufferExtended(rel, MAIN_FORKNUM, first + done / payload,
									 RBM_ZERO_AND_LOCK, NULL);
		}
		else
		{
			buf = ReadBufferExtended(rel, MAIN_FORKNUM, P_NEW, RBM_NORMAL, NULL);
			if (first == InvalidBlockNumber)
				first = BufferGetBlockNumber(buf);
			else
				Assert(BufferGetBlockNumber(buf) == first + done / payload);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		}
		state = GenericXLogStart(rel);
		page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
		PageInit(page, BLCKSZ, 0);
		memcpy(PageGetContents(page), data + done, n);
		((PageHeader) page)->pd_lower = SizeOfPageHeaderData + n;
		GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
		done += n;
	} while (done < len);
	UnlockRelationForExtension(rel, ExclusiveLock);
	return first;
}

/*
 * Sort free ranges by decreasing length (qsort comparator).
 */
static int
free_range_cmp(const void *a, const void *b)
{
	const ColumnarFreeRange *ra = a;
	const ColumnarFreeRange *rb = b;

	if (ra->count != rb->count)
		return ra->count > rb->count ? -1 : 1;
	return ra->start < rb->start ? -1 : ra->start > rb->start ? 1 : 0;
}

/*
 * Free the pages of rel that no row group uses (see "Reclaiming space" in
 * the banner): record the free runs below the last used page in the
 * metapage for the writers to reuse, then truncate the relation after that
 * page.  used_starts / used_counts are the page ranges of every row group
 * whose catalog row anybody might still read; the caller (VACUUM) holds
 * the relation's AccessExclusiveLock, so no writer is between writing
 * pages and inserting their catalog row.  Sets *truncated and *free_pages.
 */
void
ColumnarStorageFree(Relation rel, const BlockNumber *used_starts,
					const BlockNumber *used_counts, int nused,
					BlockNumber *truncated, BlockNumber *free_pages)
{
	BlockNumber nblocks;
	BlockNumber new_nblocks;
	bool	   *used;
	ColumnarFreeRange *ranges;
	int			nranges = 0;
	Buffer		buf;
	Page		page;
	ColumnarMetaPageData *meta;
	GenericXLogState *state;

	*truncated = 0;
	*free_pages = 0;
	nblocks = RelationGetNumberOfBlocks(rel);
	if (nblocks <= COLUMNAR_META_BLOCK)
		return;
	used = palloc0(sizeof(bool) * nblocks);
	used[COLUMNAR_META_BLOCK] = true;
	for (int i = 0; i < nused; i++)
	{
		/* a row group past the end is corruption: verify reports it */
		for (BlockNumber b = used_starts[i];
			 b < nblocks && b - used_starts[i] < used_counts[i]; b++)
			used[b] = true;
	}
	new_nblocks = nblocks;
	while (new_nblocks > 1 && !used[new_nblocks - 1])
		new_nblocks--;

	ranges = palloc(sizeof(ColumnarFreeRange) * Max(new_nblocks, 1));
	for (BlockNumber b = 1; b < new_nblocks; b++)
	{
		if (used[b])
			continue;
		if (nranges > 0 && ranges[nranges - 1].start + ranges[nranges - 1].count == b)
			ranges[nranges - 1].count++;
		else
		{
			ranges[nranges].start = b;
			ranges[nranges].count = 1;
			nranges++;
		}
	}
	qsort(ranges, nranges, sizeof(ColumnarFreeRange), free_range_cmp);
	nranges = Min(nranges, COLUMNAR_MAX_FREE_RANGES);
	for (int i = 0; i < nranges; i++)
		*free_pages += ranges[i].count;

	/*
	 * The free list first, then the truncation: a crash in between leaves a
	 * list that names no truncated page.  The extension lock is not needed
	 * under AccessExclusiveLock, but keeps every change of the file's size
	 * under it.
	 */
	LockRelationForExtension(rel, ExclusiveLock);
	if (RelationGetNumberOfBlocks(rel) != nblocks)
		elog(ERROR, "columnar table \"%s\" grew during VACUUM",
			 RelationGetRelationName(rel));
	buf = ReadBufferExtended(rel, MAIN_FORKNUM, COLUMNAR_META_BLOCK, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	check_meta(rel, BufferGetPage(buf));
	state = GenericXLogStart(rel);
	page = GenericXLogRegisterBuffer(state, buf, 0);
	meta = ColumnarPageMeta(page);
	meta->nfree = nranges;
	memcpy(meta->free, ranges, nranges * sizeof(ColumnarFreeRange));
	meta_seal(page);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
	if (new_nblocks < nblocks)
	{
		RelationTruncate(rel, new_nblocks);
		*truncated = nblocks - new_nblocks;
	}
	UnlockRelationForExtension(rel, ExclusiveLock);
	pfree(used);
	pfree(ranges);
}

/*
 * Return the number of pages in the metapage's free list.
 */
BlockNumber
ColumnarFreePages(Relation rel)
{
	Buffer		buf;
	ColumnarMetaPageData *meta;
	BlockNumber n = 0;

	if (ColumnarStorageId(rel) == 0)
		return 0;
	buf = ReadBufferExtended(rel, MAIN_FORKNUM, COLUMNAR_META_BLOCK, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	meta = check_meta(rel, BufferGetPage(buf));
	for (uint32 i = 0; i < meta->nfree; i++)
		n += meta->free[i].count;
	UnlockReleaseBuffer(buf);
	return n;
}

/*
 * Copy len bytes at offset of the stream starting at start_block into dest;
 * nblocks is the relation's size.  Missing or short pages raise
 * ERRCODE_DATA_CORRUPTED.
 */
void
ColumnarReadStream(Relation rel, BlockNumber start_block, uint64 offset,
				   char *dest, Size len, BlockNumber nblocks)
{
	Size		payload = COLUMNAR_PAGE_PAYLOAD;
	BlockNumber blk = start_block + offset / payload;
	Size		off = offset % payload;
	Size		done = 0;

	while (done < len)
	{
		Size		n = Min(payload - off, len - done);
		Buffer		buf;
		Page		page;

		if (blk >= nblocks || blk == COLUMNAR_META_BLOCK)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("columnar table \"%s\" is missing block %u",
							RelationGetRelationName(rel), blk),
					 errdetail("The relation has %u blocks.", nblocks)));
		buf = ReadBufferExtended(rel, MAIN_FORKNUM, blk, RBM_NORMAL, NULL);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (PageIsNew(page) ||
			((PageHeader) page)->pd_lower < SizeOfPageHeaderData + off + n ||
			((PageHeader) page)->pd_lower > BLCKSZ)
		{
			UnlockReleaseBuffer(buf);
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("columnar table \"%s\" has a corrupted data page %u",
							RelationGetRelationName(rel), blk),
					 errdetail("The page holds fewer bytes than its row group needs.")));
		}
		memcpy(dest + done, PageGetContents(page) + off, n);
		UnlockReleaseBuffer(buf);
		done += n;
		off = 0;
		blk++;
	}
}
