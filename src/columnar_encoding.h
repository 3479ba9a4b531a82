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

/*
 * The forms a decoded vector may take.  The writer and ColumnarEncodeVector
 * only ever see FLAT vectors; a reader that asks for them gets the others,
 * which keep a chunk's encoding visible to the code that evaluates quals
 * and aggregates on it:
 *	- FLAT: the representation above.
 *	- DICT: the value of row i is entry codes[i] of dict, a FLAT vector
 *	  without NULLs of the distinct values (sorted as the dictionary
 *	  encoding sorts them, see columnar_encoding.c); codes == NULL means
 *	  entry 0 for every row (a constant chunk).  NULL rows have code 0.
 *	- SCALED (numeric only): the value of row i is scaled[i] / 10^scale,
 *	  with display scale dscales[i] (or dscale for every row when dscales
 *	  is NULL).  NULL rows hold 0.
 * Validity, nrows and nnulls mean the same in every form.
 */
typedef enum ColumnarVectorForm
{
	COLUMNAR_FORM_FLAT = 0,
	COLUMNAR_FORM_DICT = 1,
	COLUMNAR_FORM_SCALED = 2
} ColumnarVectorForm;

/* forms a reader accepts (a bit mask; FLAT always) */
#define COLUMNAR_ACCEPT_DICT	(1 << COLUMNAR_FORM_DICT)
#define COLUMNAR_ACCEPT_SCALED	(1 << COLUMNAR_FORM_SCALED)

typedef struct ColumnarVector
{
	ColumnarValueKind kind;
	Oid			typid;			/* the column's type, e.g. to spot NUMERICOID */
	int			fixed_len;		/* bytes per value for COLUMNAR_KIND_FIXED */
	uint32		nrows;
	uint32		nnulls;
	uint8	   *validity;		/* NULL when nnulls == 0 */
	ColumnarVectorForm form;
	/* FLAT */
	void	   *values;			/* fixed-width kinds */
	uint32	   *offsets;		/* VARLENA / CSTRING: nrows + 1 entries */
	char	   *data;			/* VARLENA / CSTRING bytes */
	/* DICT */
	uint32	   *codes;			/* nrows codes, or NULL: all 0 */
	struct ColumnarVector *dict;	/* the entries, FLAT */
	uint64		dict_serial;	/* tells dictionaries apart (ColumnarDictSerial) */
	/* SCALED */
	int64	   *scaled;			/* nrows values times 10^scale */
	int			scale;
	uint16	   *dscales;		/* nrows display scales, or NULL: dscale */
	int			dscale;
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

/*
 * ColumnarDecodeVector, leaving the values in the DICT or SCALED form when
 * accept allows it and the image's encoding has it (DICT and CONSTANT
 * images give DICT, SCALED_NUMERIC gives SCALED).
 */
extern void ColumnarDecodeVectorForms(const char *image, Size len,
									  ColumnarVector *out, int accept);

/*
 * Decode only rows rows[0 .. nsel - 1] (ascending) of an image into *out,
 * a FLAT vector of nsel rows (kind, typid, fixed_len set by the caller).
 */
extern void ColumnarDecodeRows(const char *image, Size len, ColumnarVector *out,
							   const uint32 *rows, uint32 nsel);

/* Return a number no other dictionary of this backend has had. */
extern uint64 ColumnarDictSerial(void);

/* Turn a DICT or SCALED vector into a FLAT one, in CurrentMemoryContext. */
extern void ColumnarFlattenVector(ColumnarVector *vec);

/*
 * Write the numeric scaled / 10^scale with display scale dscale, varlena
 * header included, at dst (room for COLUMNAR_SCALED_NUMERIC_MAX bytes);
 * returns its size.
 */
#define COLUMNAR_SCALED_NUMERIC_MAX	24
extern uint32 ColumnarScaledNumeric(char *dst, int64 scaled, int scale, int dscale);

/* Return the encoding an image uses, without decoding it. */
extern ColumnarEncoding ColumnarImageEncoding(const char *image, Size len);

/* Set the row and NULL counts of an image, without decoding it. */
extern void ColumnarImageCounts(const char *image, Size len, uint32 *nrows,
								uint32 *nnulls);

/* Return the name of an encoding ("plain", "dict", ...). */
extern const char *ColumnarEncodingName(ColumnarEncoding encoding);

#endif							/* COLUMNAR_ENCODING_H */
