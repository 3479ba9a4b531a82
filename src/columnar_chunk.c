/*-------------------------------------------------------------------------
 *
 * columnar_chunk.c
 *	  One column chunk of a row group as stored in the row group's byte
 *	  stream: a single frame, or a directory of segments.
 *
 * A chunk of a row group of at most COLUMNAR_SEGMENT_ROWS rows is one frame
 * (columnar_compression.c) of one encoded image (columnar_encoding.c), as
 * every chunk of biwh 0.1.0 was.  A longer chunk is cut into segments of
 * COLUMNAR_SEGMENT_ROWS rows (the last one shorter), each encoded, framed
 * and zone-mapped on its own, after a directory:
 *
 *	header (24 bytes)	uint32 magic "SEGD", uint16 version, uint16 zero,
 *						uint32 nsegs, uint32 seg_rows, uint32 dir_len (bytes
 *						of the whole directory), CRC-32C of the directory
 *						(the header's first 20 bytes, then what follows it)
 *	entries				per segment (20 bytes): uint32 frame offset (from
 *						the chunk's first byte), uint32 frame length, uint32
 *						NULL count, uint8 encoding, uint8 zero, uint16 min
 *						length, uint16 max length, uint16 zero
 *	bounds				per segment with bounds: its min image, then its
 *						max image (columnar_zonemap.c)
 *	frames				one per segment, in row order
 *
 * A frame starts with its own magic ("CHNK"), so the first four bytes tell
 * the two layouts apart, and row groups written before segments existed
 * read as they always did.  The row-group catalog describes the chunk as a
 * whole (offset and length of all of it, NULL count, bounds over all
 * segments, and as its encoding the one most of its rows use).
 *
 * Segments let a reader skip parts of a row group whose values cannot
 * match a qual (a one-day filter on rows that arrive in time order reads a
 * few segments of one row group, not the row group), and decode only the
 * parts of the columns it needs.  Everything read is checked: the
 * directory's checksum, its counts against the row group, offsets and
 * lengths against the chunk, and each frame and image on its own; damage
 * raises ERRCODE_DATA_CORRUPTED.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "port/pg_crc32c.h"

#include "columnar_chunk.h"
#include "columnar_vector.h"
#include "columnar_zonemap.h"

#define SEGDIR_MAGIC	0x44474553	/* "SEGD" */
#define SEGDIR_VERSION	1

typedef struct SegDirHeader
{
	uint32		magic;
	uint16		version;
	uint16		zero;
	uint32		nsegs;
	uint32		seg_rows;
	uint32		dir_len;
	pg_crc32c	crc;
} SegDirHeader;

typedef struct SegDirEntry
{
	uint32		frame_offset;
	uint32		frame_length;
	uint32		nnulls;
	uint8		encoding;
	uint8		zero;
	uint16		min_len;
	uint16		max_len;
	uint16		zero2;
} SegDirEntry;

StaticAssertDecl(sizeof(SegDirHeader) == COLUMNAR_CHUNK_HEAD_SIZE,
				 "a chunk's head must hold the directory header");
StaticAssertDecl(sizeof(SegDirEntry) == 20, "SegDirEntry must be 20 bytes");

/* Raise the error for a damaged chunk directory. */
static void
pg_attribute_noreturn()
dir_corrupted(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("columnar chunk directory is corrupted"),
			 errdetail("%s", detail)));
}

/* Return the checksum of a directory (its crc field left out). */
static pg_crc32c
dir_crc(const char *dir, uint32 len)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, dir, offsetof(SegDirHeader, crc));
	COMP_CRC32C(crc, dir + sizeof(SegDirHeader), len - sizeof(SegDirHeader));
	FIN_CRC32C(crc);
	return crc;
}

/*
 * Encode and frame one vector (or a slice of one) as an image; sets the
 * encoding used and the image's min/max for column att.
 */
static void
write_frame(StringInfo out, const ColumnarVector *vec, Form_pg_attribute att,
			ColumnarCompression compression, int level, int *encoding,
			uint64 *raw_length, char **min, uint32 *min_len,
			char **max, uint32 *max_len)
{
	StringInfoData image;
	ColumnarEncodeStats stats;
	const ColumnarVector *mm = vec;

	initStringInfo(&image);
	*encoding = ColumnarEncodeVectorStats(vec, &image, &stats);
	*raw_length += image.len;
	ColumnarFrameChunk(out, image.data, image.len, compression, level);
	pfree(image.data);
	/* min/max among the few rows the analysis points at, if any */
	if (stats.minmax_rows)
		mm = ColumnarVectorGather(vec, stats.minmax_rows, stats.nminmax_rows);
	ColumnarVectorMinMax(mm, att, min, max, min_len, max_len);
}

/*
 * Append the chunk of the FLAT vector vec (the rows of a row group, of
 * column att) to stream, and describe it in *chunk.
 */
void
ColumnarWriteChunk(StringInfo stream, const ColumnarVector *vec,
				   Form_pg_attribute att, ColumnarCompression compression,
				   int level, ColumnarChunkMeta *chunk)
{
	uint32		nrows = vec->nrows;
	uint32		nsegs;
	StringInfoData frames;
	SegDirEntry *entries;
	char	  **mins;
	char	  **maxs;
	uint32	   *min_lens;
	uint32	   *max_lens;
	bool	   *has_values;
	uint64		rows_by_encoding[COLUMNAR_ENC_COUNT] = {0};
	SegDirHeader hdr;
	uint32		bounds_len = 0;
	int			dir_start;

	chunk->offset = stream->len;
	chunk->null_count = vec->nnulls;
	chunk->collation = att->attcollation;
	chunk->raw_length = 0;
	if (nrows <= COLUMNAR_SEGMENT_ROWS)
	{
		write_frame(stream, vec, att, compression, level, &chunk->encoding,
					&chunk->raw_length, &chunk->min, &chunk->min_len,
					&chunk->max, &chunk->max_len);
		chunk->length = stream->len - chunk->offset;
		return;
	}

	nsegs = (nrows + COLUMNAR_SEGMENT_ROWS - 1) / COLUMNAR_SEGMENT_ROWS;
	entries = palloc0(sizeof(SegDirEntry) * nsegs);
	mins = palloc0(sizeof(char *) * nsegs);
	maxs = palloc0(sizeof(char *) * nsegs);
	min_lens = palloc0(sizeof(uint32) * nsegs);
	max_lens = palloc0(sizeof(uint32) * nsegs);
	has_values = palloc0(sizeof(bool) * nsegs);
	initStringInfo(&frames);
	for (uint32 s = 0; s < nsegs; s++)
	{
		uint32		first = s * COLUMNAR_SEGMENT_ROWS;
		uint32		n = Min(COLUMNAR_SEGMENT_ROWS, nrows - first);
		ColumnarVector slice;
		int			encoding;
		int			start = frames.len;

		CHECK_FOR_INTERRUPTS();
		ColumnarVectorSlice(vec, first, n, true, &slice);
		write_frame(&frames, &slice, att, compression, level, &encoding,
					&chunk->raw_length, &mins[s], &min_lens[s],
					&maxs[s], &max_lens[s]);
		entries[s].frame_offset = start;	/* made absolute below */
		entries[s].frame_length = frames.len - start;
		entries[s].nnulls = slice.nnulls;
		entries[s].encoding = (uint8) encoding;
		if (mins[s] && maxs[s] && min_lens[s] <= PG_UINT16_MAX && max_lens[s] <= PG_UINT16_MAX)
		{
			entries[s].min_len = (uint16) min_lens[s];
			entries[s].max_len = (uint16) max_lens[s];
			bounds_len += min_lens[s] + max_lens[s];
		}
		else
			mins[s] = maxs[s] = NULL;
		has_values[s] = slice.nnulls < n;
		rows_by_encoding[encoding] += n;
	}

	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = SEGDIR_MAGIC;
	hdr.version = SEGDIR_VERSION;
	hdr.nsegs = nsegs;
	hdr.seg_rows = COLUMNAR_SEGMENT_ROWS;
	hdr.dir_len = sizeof(SegDirHeader) + sizeof(SegDirEntry) * nsegs + bounds_len;
	for (uint32 s = 0; s < nsegs; s++)
		entries[s].frame_offset += hdr.dir_len;

	dir_start = stream->len;
	appendBinaryStringInfo(stream, (char *) &hdr, sizeof(hdr));
	appendBinaryStringInfo(stream, (char *) entries, sizeof(SegDirEntry) * nsegs);
	for (uint32 s = 0; s < nsegs; s++)
	{
		if (mins[s] == NULL)
			continue;
		appendBinaryStringInfo(stream, mins[s], min_lens[s]);
		appendBinaryStringInfo(stream, maxs[s], max_lens[s]);
	}
	hdr.crc = dir_crc(stream->data + dir_start, hdr.dir_len);
	memcpy(stream->data + dir_start + offsetof(SegDirHeader, crc), &hdr.crc, sizeof(pg_crc32c));
	appendBinaryStringInfo(stream, frames.data, frames.len);
	pfree(frames.data);

	chunk->length = stream->len - chunk->offset;
	chunk->raw_length += hdr.dir_len;
	chunk->encoding = 0;
	for (int e = 1; e < COLUMNAR_ENC_COUNT; e++)
		if (rows_by_encoding[e] > rows_by_encoding[chunk->encoding])
			chunk->encoding = e;
	ColumnarMergeBounds(att, nsegs, has_values, mins, min_lens, maxs, max_lens,
						&chunk->min, &chunk->min_len, &chunk->max, &chunk->max_len);
}

/*
 * Given the first bytes of a chunk (head, len of them: at least
 * COLUMNAR_CHUNK_HEAD_SIZE, or the whole chunk when it is shorter), return
 * the length of its directory, or 0 when it is a single frame.
 */
uint32
ColumnarChunkDirLength(const char *head, Size len, const ColumnarChunkMeta *chunk)
{
	SegDirHeader hdr;

	if (len < sizeof(uint32))
		return 0;				/* too short for a directory: the frame says */
	memcpy(&hdr.magic, head, sizeof(uint32));
	if (hdr.magic != SEGDIR_MAGIC)
		return 0;
	if (len < sizeof(SegDirHeader))
		dir_corrupted("The chunk is shorter than its directory header.");
	memcpy(&hdr, head, sizeof(hdr));
	if (hdr.version != SEGDIR_VERSION)
		dir_corrupted(psprintf("The directory has version %u, expected %u.",
							   hdr.version, SEGDIR_VERSION));
	if (hdr.dir_len < sizeof(SegDirHeader) || hdr.dir_len > chunk->length)
		dir_corrupted(psprintf("The directory claims %u bytes of a %llu-byte chunk.",
							   hdr.dir_len, (unsigned long long) chunk->length));
	return hdr.dir_len;
}

/*
 * Read the layout of a chunk of a row group of group_rows rows: from its
 * directory (dir, len bytes, from ColumnarChunkDirLength), or, with dir
 * NULL, the one segment of a single-frame chunk.  Bound images are copied
 * (MAXALIGNed) into CurrentMemoryContext.
 */
void
ColumnarReadChunkLayout(const char *dir, Size len, const ColumnarChunkMeta *chunk,
						uint32 group_rows, ColumnarChunkLayout *layout)
{
	SegDirHeader hdr;
	const char *bounds;
	const char *end;

	if (dir == NULL)
	{
		ColumnarSegment *seg = palloc0(sizeof(ColumnarSegment));

		seg->first_row = 0;
		seg->nrows = group_rows;
		seg->frame_offset = 0;
		seg->frame_length = (uint32) chunk->length;
		seg->nnulls = (uint32) chunk->null_count;
		seg->encoding = chunk->encoding;
		seg->min = chunk->min;
		seg->max = chunk->max;
		seg->min_len = chunk->min_len;
		seg->max_len = chunk->max_len;
		layout->nsegs = 1;
		layout->seg_rows = group_rows;
		layout->dir_len = 0;
		layout->segs = seg;
		return;
	}

	if (len < sizeof(SegDirHeader))
		dir_corrupted("The directory is shorter than its header.");
	memcpy(&hdr, dir, sizeof(hdr));
	if (hdr.dir_len != len)
		dir_corrupted("The directory's length changed while it was read.");
	if (!EQ_CRC32C(hdr.crc, dir_crc(dir, (uint32) len)))
		dir_corrupted("The directory checksum does not match.");
	if (hdr.seg_rows == 0 || hdr.seg_rows % 64 != 0 ||
		hdr.nsegs != (group_rows + hdr.seg_rows - 1) / hdr.seg_rows)
		dir_corrupted(psprintf("%u segments of %u rows do not make a row group of %u rows.",
							   hdr.nsegs, hdr.seg_rows, group_rows));
	if ((uint64) sizeof(SegDirHeader) + (uint64) hdr.nsegs * sizeof(SegDirEntry) > len)
		dir_corrupted("The directory is shorter than its entries.");

	layout->nsegs = hdr.nsegs;
	layout->seg_rows = hdr.seg_rows;
	layout->dir_len = hdr.dir_len;
	layout->segs = palloc0(sizeof(ColumnarSegment) * hdr.nsegs);
	bounds = dir + sizeof(SegDirHeader) + (Size) hdr.nsegs * sizeof(SegDirEntry);
	end = dir + len;
	for (uint32 s = 0; s < hdr.nsegs; s++)
	{
		SegDirEntry e;
		ColumnarSegment *seg = &layout->segs[s];

		memcpy(&e, dir + sizeof(SegDirHeader) + (Size) s * sizeof(SegDirEntry), sizeof(e));
		seg->first_row = s * hdr.seg_rows;
		seg->nrows = Min(hdr.seg_rows, group_rows - seg->first_row);
		seg->frame_offset = e.frame_offset;
		seg->frame_length = e.frame_length;
		seg->nnulls = e.nnulls;
		seg->encoding = e.encoding;
		if (e.frame_offset < hdr.dir_len || e.frame_offset > chunk->length ||
			e.frame_length > chunk->length - e.frame_offset)
			dir_corrupted(psprintf("Segment %u lies outside its chunk.", s + 1));
		if (e.nnulls > seg->nrows || e.encoding >= COLUMNAR_ENC_COUNT)
			dir_corrupted(psprintf("Segment %u has an invalid NULL count or encoding.", s + 1));
		if (e.min_len > 0 || e.max_len > 0)
		{
			if (e.min_len > end - bounds || e.max_len > end - bounds - e.min_len)
				dir_corrupted(psprintf("The bounds of segment %u lie outside the directory.", s + 1));
			seg->min = palloc(Max(e.min_len, sizeof(Datum)));
			memcpy(seg->min, bounds, e.min_len);
			seg->min_len = e.min_len;
			bounds += e.min_len;
			seg->max = palloc(Max(e.max_len, sizeof(Datum)));
			memcpy(seg->max, bounds, e.max_len);
			seg->max_len = e.max_len;
			bounds += e.max_len;
		}
	}
	if (bounds != end)
		dir_corrupted("The directory has bytes after its bounds.");
}

/*
 * Check and unframe the frame of a segment (len bytes): returns its image
 * in a new allocation (the frame may go), setting *image_len.
 */
char *
ColumnarSegmentImage(const char *frame, Size len, const ColumnarSegment *seg,
					 Size *image_len)
{
	char	   *image = ColumnarUnframeChunk(frame, len, image_len);

	if ((int) ColumnarImageEncoding(image, *image_len) != seg->encoding)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("columnar chunk has a wrong encoding"),
				 errdetail("The catalog says %d, the chunk %d.", seg->encoding,
						   (int) ColumnarImageEncoding(image, *image_len))));
	if (image >= frame && image < frame + len)
	{
		/* a copy: the caller may free the frame */
		char	   *copy = palloc(Max(*image_len, 1));

		memcpy(copy, image, *image_len);
		image = copy;
	}
	return image;
}

/*
 * Decode the image of a segment (len bytes, from ColumnarSegmentImage) into
 * *out, whose kind the caller set, in one of the forms accept allows.
 */
void
ColumnarDecodeSegment(const char *image, Size len, const ColumnarSegment *seg,
					  ColumnarVector *out, int accept)
{
	ColumnarDecodeVectorForms(image, len, out, accept);
	if (out->nrows != seg->nrows || out->nnulls != seg->nnulls)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("columnar chunk segment has %u rows and %u NULLs, expected %u and %u",
						out->nrows, out->nnulls, seg->nrows, seg->nnulls)));
}
