/*-------------------------------------------------------------------------
 *
 * columnar_storage.c
 *	  The pages of a columnar table's main fork: the metapage, the byte
 *	  streams of row groups, and their WAL.
 *
 * On-disk format
 * --------------
 * The main fork holds ordinary 8 KB pages with a standard page header, read
 * and written through the buffer manager; nothing lives outside it and there
 * is no other fork.  An empty relation (just created or truncated) has no
 * block at all; the first write creates:
 *
 *	block 0		the metapage: magic, format version, the storage id and the
 *				next row number to hand out (ColumnarMetaPageData right after
 *				the page header).
 *	block 1..	data pages.  Each flushed row group is one byte stream, the
 *				concatenation of its column chunks (see columnar_compression.c
 *				for a chunk's frame), laid out over consecutive fresh pages:
 *				byte k of the stream is at block start + k / P, offset
 *				SizeOfPageHeaderData + k % P of the page, P = BLCKSZ -
 *				SizeOfPageHeaderData.  pd_lower marks the end of the bytes a
 *				page holds.  A page never holds two row groups.
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
 * Making the metapage and appending data pages happen under the relation
 * extension lock, so two backends flushing at once get disjoint page ranges.
 * The metapage's buffer is locked before it becomes valid
 * (RBM_ZERO_AND_LOCK), so a reader never sees it half made; an all-zero
 * block 0 (the file was extended but a crash lost the metapage's WAL) means
 * "no storage yet", as an empty file does, and the next write makes it.
 * The metapage's row counter is updated under the metapage buffer's
 * exclusive lock.  Data pages are written once and never changed, so
 * readers take only a share lock per page while copying bytes out.
 *
 * Open doubts
 * -----------
 * - Pages of a row group whose transaction aborted (or crashed) stay in the
 *   file, unreferenced, until the table is rewritten (TRUNCATE, VACUUM FULL,
 *   ALTER TABLE SET ACCESS METHOD); plain VACUUM does not reclaim them yet
 *   (it merges small row groups into new ones, leaving the old pages too).
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
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"

#include "columnar.h"

#define COLUMNAR_META_MAGIC		0x42574843	/* "BWHC" */
#define COLUMNAR_META_VERSION	1
#define COLUMNAR_META_BLOCK		0

typedef struct ColumnarMetaPageData
{
	uint32		magic;
	uint32		version;
	uint64		storage_id;
	uint64		next_row;
	pg_crc32c	crc;			/* of the fields above */
} ColumnarMetaPageData;

#define ColumnarPageMeta(page) ((ColumnarMetaPageData *) PageGetContents(page))

/*
 * Return the checksum of a metapage's fields.
 */
static pg_crc32c
meta_crc(const ColumnarMetaPageData *meta)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, meta, offsetof(ColumnarMetaPageData, crc));
	FIN_CRC32C(crc);
	return crc;
}

/*
 * Return the number of stream bytes one data page holds.
 */
Size
ColumnarPagePayload(void)
{
	return BLCKSZ - SizeOfPageHeaderData;
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
		((PageHeader) page)->pd_lower < SizeOfPageHeaderData + sizeof(ColumnarMetaPageData))
		meta_corrupted(rel, "The metapage is empty or truncated.");
	meta = ColumnarPageMeta(page);
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
	meta->crc = meta_crc(meta);
	((PageHeader) page)->pd_lower = SizeOfPageHeaderData + sizeof(ColumnarMetaPageData);
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
		else if (((PageHeader) page)->pd_lower >= SizeOfPageHeaderData + sizeof(ColumnarMetaPageData) &&
				 ColumnarPageMeta(page)->magic == COLUMNAR_META_MAGIC &&
				 ColumnarPageMeta(page)->version == COLUMNAR_META_VERSION &&
				 EQ_CRC32C(ColumnarPageMeta(page)->crc, meta_crc(ColumnarPageMeta(page))))
			id = ColumnarPageMeta(page)->storage_id;
	}
	UnlockReleaseBuffer(buf);
	return id;
}

/*
 * Return whether the relation has a metapage (has ever been written to
 * since it was created or truncated).
 */
bool
ColumnarStorageExists(Relation rel)
{
	return read_storage_id(rel, true) != 0;
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
	meta->crc = meta_crc(meta);
	*storage_id = meta->storage_id;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
	return first;
}

/*
 * Write a row group's byte stream to fresh pages at the end of the
 * relation, WAL-logged; returns the first block.
 */
BlockNumber
ColumnarWriteStream(Relation rel, const char *data, Size len)
{
	Size		payload = ColumnarPagePayload();
	Size		done = 0;
	BlockNumber first = InvalidBlockNumber;

	LockRelationForExtension(rel, ExclusiveLock);
	do
	{
		Size		n = Min(payload, len - done);
		Buffer		buf;
		GenericXLogState *state;
		Page		page;

		CHECK_FOR_INTERRUPTS();
		buf = ReadBufferExtended(rel, MAIN_FORKNUM, P_NEW, RBM_NORMAL, NULL);
		if (first == InvalidBlockNumber)
			first = BufferGetBlockNumber(buf);
		else
			Assert(BufferGetBlockNumber(buf) == first + done / payload);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
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
 * Copy len bytes at offset of the stream starting at start_block into dest;
 * nblocks is the relation's size.  Missing or short pages raise
 * ERRCODE_DATA_CORRUPTED.
 */
void
ColumnarReadStream(Relation rel, BlockNumber start_block, uint64 offset,
				   char *dest, Size len, BlockNumber nblocks)
{
	Size		payload = ColumnarPagePayload();
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
