/*-------------------------------------------------------------------------
 *
 * columnar_chunk.h
 *	  One column chunk of a row group as stored: a single frame, or a
 *	  directory of segments each framed on its own (see columnar_chunk.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_CHUNK_H
#define COLUMNAR_CHUNK_H

#include "access/tupdesc.h"
#include "lib/stringinfo.h"

#include "columnar_catalog.h"
#include "columnar_encoding.h"
#include "columnar_storage.h"

/* rows per segment of the chunks new row groups get (a multiple of 64) */
#define COLUMNAR_SEGMENT_ROWS	4096

/* bytes a reader fetches first to learn a chunk's layout */
#define COLUMNAR_CHUNK_HEAD_SIZE	24

/* One segment of a chunk: where its frame is and its zone map */
typedef struct ColumnarSegment
{
	uint32		first_row;		/* in the row group */
	uint32		nrows;
	uint32		frame_offset;	/* from the chunk's first byte */
	uint32		frame_length;
	uint32		nnulls;
	int			encoding;		/* of its image */
	char	   *min;			/* bound images (columnar_zonemap.c), or NULL */
	char	   *max;
	uint32		min_len;
	uint32		max_len;
} ColumnarSegment;

/* The layout of a chunk */
typedef struct ColumnarChunkLayout
{
	uint32		nsegs;
	uint32		seg_rows;		/* rows of every segment but the last */
	uint32		dir_len;		/* bytes before the first frame */
	ColumnarSegment *segs;
} ColumnarChunkLayout;

extern void ColumnarWriteChunk(StringInfo stream, const ColumnarVector *vec,
							   Form_pg_attribute att,
							   ColumnarCompression compression, int level,
							   ColumnarChunkMeta *chunk);
extern uint32 ColumnarChunkDirLength(const char *head, Size len,
									 const ColumnarChunkMeta *chunk);
extern void ColumnarReadChunkLayout(const char *dir, Size len,
									const ColumnarChunkMeta *chunk,
									uint32 group_rows,
									ColumnarChunkLayout *layout);
extern char *ColumnarSegmentImage(const char *frame, Size len,
								  const ColumnarSegment *seg, Size *image_len);
extern void ColumnarDecodeSegment(const char *image, Size len,
								  const ColumnarSegment *seg,
								  ColumnarVector *out, int accept);

#endif							/* COLUMNAR_CHUNK_H */
