/*-------------------------------------------------------------------------
 *
 * columnar_encoding.h
 *	  Lightweight encodings of one column chunk: the contract between the
 *	  columnar writer/reader and columnar_encoding.c.
 *
 * A chunk's values travel as a ColumnarVector: typed arrays plus a validity
 * bitmap, never one Datum per value.  ColumnarEncodeVector analyses the
 * vector, picks the cheapest fitting encoding (constant, RLE, dictionary
 * with bit-packed codes, frame-of-reference bit-packing, delta-FOR, numeric
 * as scaled integers, plain) and appends a self-describing image (encoding,
 * row count, null count, validity, payload) to a buffer.  ColumnarDecodeVector
 * turns such an image back into a vector.  Compression (zstd) is applied by
 * the caller on top, in columnar_compression.c.
 *
 * Representation of values by kind:
 *	- INT16/INT32/INT64/FLOAT4/FLOAT8/BOOL: a C array of nrows elements
 *	  (int16, int32, int64, float4, float8, bool); slots of NULL rows hold 0.
 *	  int2/int4/int8, date (INT32), time/timestamp/timestamptz (INT64),
 *	  float4/float8, bool and other by-value types of those sizes.
 *	- FIXED: nrows * fixed_len bytes (by-reference fixed-length types such
 *	  as uuid, interval, name); NULL slots are zeroed.
 *	- VARLENA: values[] is unused; value i is a complete varlena with a
 *	  4-byte header (not toasted, not compressed, not short) starting at
 *	  data + offsets[i], offsets INTALIGNed, offsets[nrows] = bytes used,
 *	  so PointerGetDatum(data + offsets[i]) is a valid Datum.  NULL rows have
 *	  offsets[i] == offsets[i + 1].
 *	- CSTRING: as VARLENA but each value is a NUL-terminated string (typlen
 *	  -2), offsets not aligned.
 * Validity: bit i of validity (byte i / 8, bit i % 8) is set when row i is
 * not NULL; validity == NULL means no NULLs.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_ENCODING_H
#define COLUMNAR_ENCODING_H

#include "lib/stringinfo.h"

typedef enum ColumnarValueKind
{
	COLUMNAR_KIND_INT16,
	COLUMNAR_KIND_INT32,
	COLUMNAR_KIND_INT64,
	COLUMNAR_KIND_FLOAT4,
	COLUMNAR_KIND_FLOAT8,
	COLUMNAR_KIND_BOOL,
	COLUMNAR_KIND_FIXED,
	COLUMNAR_KIND_VARLENA,
	COLUMNAR_KIND_CSTRING
} ColumnarValueKind;

/* Encodings, as stored on disk: never renumber */
typedef enum ColumnarEncoding
{
	COLUMNAR_ENC_PLAIN = 0,
	COLUMNAR_ENC_CONSTANT = 1,		/* every non-NULL value equal */
	COLUMNAR_ENC_RLE = 2,			/* runs of equal values */
	COLUMNAR_ENC_DICT = 3,			/* distinct values + bit-packed codes */
	COLUMNAR_ENC_FOR = 4,			/* frame of reference + bit-packing */
	COLUMNAR_ENC_DELTA_FOR = 5,		/* deltas, then FOR + bit-packing */
	COLUMNAR_ENC_SCALED_NUMERIC = 6,	/* numeric at one scale as int64, then FOR */
	COLUMNAR_ENC_ALL_NULL = 7		/* no non-NULL value at all */
} ColumnarEncoding;

#define COLUMNAR_ENC_COUNT 8

typedef struct ColumnarVector
{
	ColumnarValueKind kind;
	Oid			typid;			/* the column's type, e.g. to spot NUMERICOID */
	int			fixed_len;		/* bytes per value for COLUMNAR_KIND_FIXED */
	uint32		nrows;
	uint32		nnulls;
	uint8	   *validity;		/* NULL when nnulls == 0 */
	void	   *values;			/* fixed-width kinds */
	uint32	   *offsets;		/* VARLENA / CSTRING: nrows + 1 entries */
	char	   *data;			/* VARLENA / CSTRING bytes */
} ColumnarVector;

#define COLUMNAR_VALID(vec, i) \
	((vec)->validity == NULL || ((vec)->validity[(i) >> 3] & (1 << ((i) & 7))) != 0)

/* Return the bytes of one value of a fixed-width kind; 0 for VARLENA/CSTRING. */
extern int	ColumnarKindWidth(ColumnarValueKind kind, int fixed_len);

/* Append the encoded image of vec to buf; returns the encoding chosen. */
extern ColumnarEncoding ColumnarEncodeVector(const ColumnarVector *vec,
											 StringInfo buf);

/*
 * What the encoder's analysis learnt about a vector, for the writer's zone
 * map: minmax_rows (ascending, in CurrentMemoryContext) lists rows of the
 * vector among which a smallest and a largest value in the type's own
 * order are found, so min/max need compare only those.  Either every
 * non-NULL value equals (bytewise) the value of a listed row, which holds
 * for any order (dictionary, constant), or the rows hold the smallest and
 * largest value by integer value, for types ordered that way (integers,
 * date, time, timestamps, bool, numeric at one scale).  minmax_rows is NULL
 * when the analysis did not narrow the rows down.
 */
typedef struct ColumnarEncodeStats
{
	uint32	   *minmax_rows;
	uint32		nminmax_rows;
} ColumnarEncodeStats;

/* ColumnarEncodeVector, also filling *stats. */
extern ColumnarEncoding ColumnarEncodeVectorStats(const ColumnarVector *vec,
												  StringInfo buf,
												  ColumnarEncodeStats *stats);

/*
 * Decode an image made by ColumnarEncodeVector into *out, allocating in
 * CurrentMemoryContext; kind, typid and fixed_len of *out must be set by the
 * caller and must match the image.  Malformed input raises
 * ERRCODE_DATA_CORRUPTED.
 */
extern void ColumnarDecodeVector(const char *image, Size len,
								 ColumnarVector *out);

/* Return the encoding an image uses, without decoding it. */
extern ColumnarEncoding ColumnarImageEncoding(const char *image, Size len);

/* Return the name of an encoding ("plain", "dict", ...). */
extern const char *ColumnarEncodingName(ColumnarEncoding encoding);

#endif							/* COLUMNAR_ENCODING_H */
