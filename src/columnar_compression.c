/*-------------------------------------------------------------------------
 *
 * columnar_compression.c
 *	  The frame of a stored column chunk: zstd or no compression behind one
 *	  Frame / Unframe pair, with a checksum.
 *
 * A chunk as stored in a row group's byte stream:
 *
 *	ColumnarChunkHeader (magic, compression, raw length, stored length,
 *	CRC-32C of the header fields and the payload), then the payload: the
 *	ColumnarEncodeVector image, compressed or not.
 *
 * zstd is used only when it saves at least an eighth of the chunk's bytes:
 * lightweight encodings leave little for it in most chunks, and an
 * uncompressed image can be read without inflating it (a scan picking a
 * few rows out of a segment decodes just those).  Everything read back
 * is checked (magic, lengths, checksum, zstd's own errors, the decompressed
 * size) and damage raises ERRCODE_DATA_CORRUPTED, never a crash.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <zstd.h>

#include "port/pg_crc32c.h"

#include "columnar_storage.h"

#define COLUMNAR_CHUNK_MAGIC	0x4B4E4843	/* "CHNK" */

typedef struct ColumnarChunkHeader
{
	uint32		magic;
	uint32		compression;
	uint32		raw_length;
	uint32		stored_length;
	pg_crc32c	crc;
} ColumnarChunkHeader;

/*
 * zstd contexts, made once per backend: ZSTD_compress / ZSTD_decompress
 * set one up for every call, which costs more than decompressing a small
 * segment.
 */
static ZSTD_CCtx *cctx = NULL;
static ZSTD_DCtx *dctx = NULL;

/*
 * Return the checksum of a header (without its crc field) and a payload.
 */
static pg_crc32c
chunk_crc(const ColumnarChunkHeader *hdr, const char *payload)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, hdr, offsetof(ColumnarChunkHeader, crc));
	COMP_CRC32C(crc, payload, hdr->stored_length);
	FIN_CRC32C(crc);
	return crc;
}

/*
 * Append the framed (and maybe compressed) chunk image to out.
 */
void
ColumnarFrameChunk(StringInfo out, const char *image, Size len,
				   ColumnarCompression compression, int level)
{
	ColumnarChunkHeader hdr;
	char	   *payload = (char *) image;
	Size		stored = len;
	char	   *buf = NULL;

	if (len > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column chunk of %zu bytes is too large", len),
				 errhint("Lower the table's row_group_size.")));

	hdr.compression = COLUMNAR_COMPRESSION_NONE;
	if (compression == COLUMNAR_COMPRESSION_ZSTD && len > 0)
	{
		Size		bound = ZSTD_compressBound(len);
		Size		n;

		buf = palloc(bound);
		if (cctx == NULL && (cctx = ZSTD_createCCtx()) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Could not create a zstd compression context.")));
		n = ZSTD_compressCCtx(cctx, buf, bound, image, len, level);
		if (ZSTD_isError(n))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("zstd compression failed: %s", ZSTD_getErrorName(n))));
		if (n + len / 8 < len)
		{
			payload = buf;
			stored = n;
			hdr.compression = COLUMNAR_COMPRESSION_ZSTD;
		}
	}
	hdr.magic = COLUMNAR_CHUNK_MAGIC;
	hdr.raw_length = (uint32) len;
	hdr.stored_length = (uint32) stored;
	hdr.crc = chunk_crc(&hdr, payload);
	appendBinaryStringInfo(out, (char *) &hdr, sizeof(hdr));
	appendBinaryStringInfo(out, payload, stored);
	if (buf)
		pfree(buf);
}

/*
 * Raise the error for a damaged chunk.
 */
static void
chunk_corrupted(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("columnar chunk is corrupted"),
			 errdetail("%s", detail)));
}

/*
 * Check a framed chunk of len bytes and return its image (palloc'd when it
 * had to be decompressed), setting *image_len.
 */
char *
ColumnarUnframeChunk(const char *frame, Size len, Size *image_len)
{
	ColumnarChunkHeader hdr;
	const char *payload;

	if (len < sizeof(hdr))
		chunk_corrupted("The chunk is shorter than its header.");
	memcpy(&hdr, frame, sizeof(hdr));
	payload = frame + sizeof(hdr);
	if (hdr.magic != COLUMNAR_CHUNK_MAGIC)
		chunk_corrupted("The chunk header has a wrong magic number.");
	if ((Size) hdr.stored_length != len - sizeof(hdr))
		chunk_corrupted(psprintf("The chunk holds %zu bytes, its header says %u.",
								 len - sizeof(hdr), hdr.stored_length));
	if (!EQ_CRC32C(hdr.crc, chunk_crc(&hdr, payload)))
		chunk_corrupted("The chunk checksum does not match.");

	switch (hdr.compression)
	{
		case COLUMNAR_COMPRESSION_NONE:
			if (hdr.raw_length != hdr.stored_length)
				chunk_corrupted("An uncompressed chunk has two different lengths.");
			*image_len = hdr.raw_length;
			return (char *) payload;
		case COLUMNAR_COMPRESSION_ZSTD:
			{
				char	   *out = palloc(Max(hdr.raw_length, 1));
				Size		n;

				if (dctx == NULL && (dctx = ZSTD_createDCtx()) == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_OUT_OF_MEMORY),
							 errmsg("out of memory"),
							 errdetail("Could not create a zstd decompression context.")));
				n = ZSTD_decompressDCtx(dctx, out, hdr.raw_length, payload, hdr.stored_length);
				if (ZSTD_isError(n))
					chunk_corrupted(psprintf("zstd could not decompress the chunk: %s.",
											 ZSTD_getErrorName(n)));
				if (n != hdr.raw_length)
					chunk_corrupted("The decompressed chunk has a wrong length.");
				*image_len = n;
				return out;
			}
		default:
			chunk_corrupted(psprintf("The chunk has an unknown compression %u.",
									 hdr.compression));
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * Return the name of a compression.
 */
const char *
ColumnarCompressionName(ColumnarCompression compression)
{
	return compression == COLUMNAR_COMPRESSION_ZSTD ? "zstd" : "none";
}

/*
 * Return the compression of a name, raising an error for an unknown one.
 */
ColumnarCompression
ColumnarCompressionFromName(const char *name)
{
	if (pg_strcasecmp(name, "none") == 0)
		return COLUMNAR_COMPRESSION_NONE;
	if (pg_strcasecmp(name, "zstd") == 0)
		return COLUMNAR_COMPRESSION_ZSTD;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unrecognized compression type \"%s\"", name),
			 errhint("Valid types are \"none\" and \"zstd\".")));
	return COLUMNAR_COMPRESSION_NONE;	/* keep compiler quiet */
}
