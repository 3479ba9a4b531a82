/*-------------------------------------------------------------------------
 *
 * columnar_encoding.c
 *	  Lightweight encodings of one column chunk (see columnar_encoding.h).
 *
 * Image layout.  An image is a 16-byte header, an optional validity bitmap
 * and a payload, written in the host's byte order (like PostgreSQL's own
 * data files, images are not portable across endianness):
 *
 *	uint16	magic			COLUMNAR_ENC_MAGIC
 *	uint8	version			COLUMNAR_ENC_VERSION
 *	uint8	encoding		ColumnarEncoding
 *	uint8	kind			ColumnarValueKind
 *	uint8	flags			zero (reserved)
 *	uint16	fixed_len		bytes per value for FIXED, else zero
 *	uint32	nrows
 *	uint32	nnulls
 *	validity				(nrows + 7) / 8 bytes, present only when
 *							0 < nnulls < nrows; bit set = not NULL
 *	payload					depends on the encoding, see below
 *
 * Every payload describes only the n = nrows - nnulls non-NULL values, in
 * row order ("dense" values); the decoder writes them densely and then
 * spreads them over the rows with one backward pass over the validity
 * bitmap, so no encoding has to care about NULLs.
 *
 * Payloads ("w" is a bit width, "packed(k, w)" k values of w bits packed
 * little-endian into ceil(k * w / 64) 64-bit words, value i at bit i * w):
 *	ALL_NULL	nothing (n == 0).
 *	PLAIN		fixed-width kinds: n values of esize bytes.  VARLENA/CSTRING:
 *				uint32 length[n] (bytes without varlena header or NUL),
 *				then the value bytes concatenated.
 *	CONSTANT	one value: esize bytes, or uint32 length + bytes.
 *
 * Validation.  The decoder trusts nothing: every read is bounds-checked,
 * the payload must be consumed exactly, counts must agree with the header,
 * bit widths, codes and lengths must be in range; anything else raises
 * ERRCODE_DATA_CORRUPTED.  Decoded values are always well-formed values of
 * their kind (booleans are 0 or 1, varlenas get fresh 4-byte headers), so
 * damage that passes these checks can change values but never crash.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "port/pg_bitutils.h"
#include "utils/memutils.h"

#include "columnar_encoding.h"

#define COLUMNAR_ENC_MAGIC		0xB1E5
#define COLUMNAR_ENC_VERSION	1

/* Largest vector we encode or accept from an image. */
#define COLUMNAR_ENC_MAX_ROWS	(1U << 26)

typedef struct EncHeader
{
	uint16		magic;
	uint8		version;
	uint8		encoding;
	uint8		kind;
	uint8		flags;
	uint16		fixed_len;
	uint32		nrows;
	uint32		nnulls;
} EncHeader;

StaticAssertDecl(sizeof(EncHeader) == 16, "EncHeader must be 16 bytes");

static const char *const encoding_names[COLUMNAR_ENC_COUNT] = {
	"plain", "constant", "rle", "dict", "for", "delta_for",
	"scaled_numeric", "all_null"
};

/*
 * The non-NULL values of a vector being encoded, in row order.
 */
typedef struct DenseValues
{
	ColumnarValueKind kind;
	int			esize;			/* bytes per value, fixed-width kinds */
	uint32		n;				/* number of values */
	const char *fixed;			/* fixed-width kinds: n * esize bytes */
	const char **ptrs;			/* VARLENA/CSTRING: value bytes (no header) */
	uint32	   *lens;			/* VARLENA/CSTRING: value lengths */
	uint64		var_bytes;		/* VARLENA/CSTRING: sum of lens */
} DenseValues;

/*
 * A bounds-checked cursor over an image being decoded.
 */
typedef struct ImageReader
{
	const char *pos;
	const char *end;
	ColumnarEncoding encoding;
} ImageReader;

/* ----------------------------------------------------------------
 *		helpers
 * ----------------------------------------------------------------
 */

/* Raise the error for a malformed image. */
static void
pg_attribute_noreturn()
corrupted(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("columnar chunk image is corrupted"),
			 errdetail_internal("%s", detail)));
}

/* Return the size in bytes of one value of a fixed-width kind, 0 otherwise. */
static int
kind_esize(ColumnarValueKind kind, int fixed_len)
{
	switch (kind)
	{
		case COLUMNAR_KIND_INT16:
			return 2;
		case COLUMNAR_KIND_INT32:
		case COLUMNAR_KIND_FLOAT4:
			return 4;
		case COLUMNAR_KIND_INT64:
		case COLUMNAR_KIND_FLOAT8:
			return 8;
		case COLUMNAR_KIND_BOOL:
			return 1;
		case COLUMNAR_KIND_FIXED:
			return fixed_len;
		case COLUMNAR_KIND_VARLENA:
		case COLUMNAR_KIND_CSTRING:
			return 0;
	}
	return 0;
}

/* Is the kind stored as VARLENA/CSTRING (offsets + data)? */
static inline bool
kind_is_var(ColumnarValueKind kind)
{
	return kind == COLUMNAR_KIND_VARLENA || kind == COLUMNAR_KIND_CSTRING;
}

/* Return the bytes one value of payload length len takes in a vector. */
static inline uint64
var_out_size(ColumnarValueKind kind, uint32 len)
{
	if (kind == COLUMNAR_KIND_VARLENA)
		return INTALIGN((uint64) len + VARHDRSZ);
	return (uint64) len + 1;
}

/* Write one value of payload length len at dst, in the vector's form. */
static inline void
var_emit(ColumnarValueKind kind, char *dst, const char *src, uint32 len)
{
	if (kind == COLUMNAR_KIND_VARLENA)
	{
		SET_VARSIZE(dst, len + VARHDRSZ);
		memcpy(dst + VARHDRSZ, src, len);
	}
	else
	{
		memcpy(dst, src, len);
		dst[len] = '\0';
	}
}

/* Allocate size bytes in CurrentMemoryContext, allowing huge sizes. */
static inline void *
alloc_huge(Size size)
{
	return MemoryContextAllocHuge(CurrentMemoryContext, size > 0 ? size : 1);
}

/* Return a pointer to the next len bytes of the image and skip them. */
static inline const char *
reader_take(ImageReader *r, uint64 len)
{
	const char *p = r->pos;

	if (len > (uint64) (r->end - r->pos))
		corrupted(psprintf("%s payload truncated: %llu bytes needed, %llu left",
						   encoding_names[r->encoding],
						   (unsigned long long) len,
						   (unsigned long long) (r->end - r->pos)));
	r->pos += len;
	return p;
}

/* Read a uint32 from the image. */
static inline uint32
reader_u32(ImageReader *r)
{
	uint32		v;

	memcpy(&v, reader_take(r, sizeof(v)), sizeof(v));
	return v;
}

/* Read a uint32 from unaligned memory. */
static inline uint32
load_u32(const char *p)
{
	uint32		v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* ----------------------------------------------------------------
 *		gathering the values to encode
 * ----------------------------------------------------------------
 */

/*
 * Collect the non-NULL values of vec into *dv.  Without NULLs the vector's
 * own arrays are used; otherwise fixed-width values are copied together.
 */
static void
gather_dense(const ColumnarVector *vec, DenseValues *dv)
{
	uint32		nrows = vec->nrows;
	uint32		n = nrows - vec->nnulls;

	dv->kind = vec->kind;
	dv->esize = kind_esize(vec->kind, vec->fixed_len);
	dv->n = n;
	dv->fixed = NULL;
	dv->ptrs = NULL;
	dv->lens = NULL;
	dv->var_bytes = 0;

	if (!kind_is_var(vec->kind))
	{
		int			esize = dv->esize;

		if (vec->nnulls == 0)
			dv->fixed = (const char *) vec->values;
		else
		{
			char	   *dst = alloc_huge((Size) n * esize);
			const char *src = (const char *) vec->values;
			uint32		j = 0;

			for (uint32 i = 0; i < nrows; i++)
			{
				if (COLUMNAR_VALID(vec, i))
					memcpy(dst + (Size) j++ * esize, src + (Size) i * esize, esize);
			}
			Assert(j == n);
			dv->fixed = dst;
		}
	}
	else
	{
		uint32		j = 0;

		dv->ptrs = alloc_huge(sizeof(char *) * (Size) n);
		dv->lens = alloc_huge(sizeof(uint32) * (Size) n);
		for (uint32 i = 0; i < nrows; i++)
		{
			const char *v;
			uint32		len;

			if (!COLUMNAR_VALID(vec, i))
				continue;
			v = vec->data + vec->offsets[i];
			if (vec->kind == COLUMNAR_KIND_VARLENA)
			{
				if (!VARATT_IS_4B_U(v))
					elog(ERROR, "columnar vector value %u is not a plain 4-byte-header varlena", i);
				len = VARSIZE(v) - VARHDRSZ;
				v += VARHDRSZ;
			}
			else
				len = strlen(v);
			dv->ptrs[j] = v;
			dv->lens[j] = len;
			dv->var_bytes += len;
			j++;
		}
		Assert(j == n);
	}
}

/* Are dense values a and b equal (bytewise)? */
static inline bool
dense_equal(const DenseValues *dv, uint32 a, uint32 b)
{
	if (dv->fixed)
		return memcmp(dv->fixed + (Size) a * dv->esize,
					  dv->fixed + (Size) b * dv->esize, dv->esize) == 0;
	return dv->lens[a] == dv->lens[b] &&
		memcmp(dv->ptrs[a], dv->ptrs[b], dv->lens[a]) == 0;
}

/* ----------------------------------------------------------------
 *		writers: append one encoding's payload
 * ----------------------------------------------------------------
 */

/* Append dense value i (length-prefixed for variable-width kinds). */
static void
append_value(StringInfo buf, const DenseValues *dv, uint32 i)
{
	if (dv->fixed)
		appendBinaryStringInfo(buf, dv->fixed + (Size) i * dv->esize, dv->esize);
	else
	{
		appendBinaryStringInfo(buf, (const char *) &dv->lens[i], sizeof(uint32));
		appendBinaryStringInfo(buf, dv->ptrs[i], dv->lens[i]);
	}
}

/* PLAIN: the values as they are. */
static void
write_plain(StringInfo buf, const DenseValues *dv)
{
	if (dv->fixed)
		appendBinaryStringInfo(buf, dv->fixed, (Size) dv->n * dv->esize);
	else
	{
		appendBinaryStringInfo(buf, (const char *) dv->lens,
							   (Size) dv->n * sizeof(uint32));
		for (uint32 i = 0; i < dv->n; i++)
			appendBinaryStringInfo(buf, dv->ptrs[i], dv->lens[i]);
	}
}

/* ----------------------------------------------------------------
 *		readers: decode one encoding's payload into dense values
 * ----------------------------------------------------------------
 */

/*
 * Decoded variable-width values: data and dense offsets (n + 1 entries)
 * in the vector's representation.
 */
typedef struct VarOut
{
	char	   *data;
	uint32	   *offsets;
} VarOut;

/* Allocate a VarOut for n values taking total bytes. */
static void
varout_alloc(VarOut *vo, uint32 n, uint64 total)
{
	if (total > PG_UINT32_MAX)
		corrupted("decoded values exceed 4 GB");
	vo->data = alloc_huge((Size) total);
	vo->offsets = alloc_huge(sizeof(uint32) * ((Size) n + 1));
}

/* Check that decoded booleans are 0 or 1. */
static void
check_bools(const uint8 *v, uint32 n)
{
	uint8		acc = 0;

	for (uint32 i = 0; i < n; i++)
		acc |= v[i];
	if (acc > 1)
		corrupted("boolean value out of range");
}

/* PLAIN, fixed-width kinds. */
static void
read_plain_fixed(ImageReader *r, int esize, uint32 n, char *dst)
{
	memcpy(dst, reader_take(r, (uint64) n * esize), (Size) n * esize);
}

/* PLAIN, variable-width kinds. */
static void
read_plain_var(ImageReader *r, ColumnarValueKind kind, uint32 n, VarOut *vo)
{
	const char *lens = reader_take(r, (uint64) n * sizeof(uint32));
	uint64		in_total = 0;
	uint64		out_total = 0;
	const char *src;
	uint64		pos = 0;

	for (uint32 i = 0; i < n; i++)
	{
		uint32		len = load_u32(lens + (Size) i * sizeof(uint32));

		in_total += len;
		out_total += var_out_size(kind, len);
	}
	src = reader_take(r, in_total);
	varout_alloc(vo, n, out_total);
	for (uint32 i = 0; i < n; i++)
	{
		uint32		len = load_u32(lens + (Size) i * sizeof(uint32));

		vo->offsets[i] = (uint32) pos;
		var_emit(kind, vo->data + pos, src, len);
		src += len;
		pos += var_out_size(kind, len);
	}
	vo->offsets[n] = (uint32) pos;
}

/* CONSTANT, fixed-width kinds. */
static void
read_constant_fixed(ImageReader *r, int esize, uint32 n, char *dst)
{
	const char *v = reader_take(r, esize);

	switch (esize)
	{
		case 1:
			memset(dst, *v, n);
			break;
		case 2:
			{
				int16		c;

				memcpy(&c, v, 2);
				for (uint32 i = 0; i < n; i++)
					((int16 *) dst)[i] = c;
				break;
			}
		case 4:
			{
				int32		c;

				memcpy(&c, v, 4);
				for (uint32 i = 0; i < n; i++)
					((int32 *) dst)[i] = c;
				break;
			}
		case 8:
			{
				int64		c;

				memcpy(&c, v, 8);
				for (uint32 i = 0; i < n; i++)
					((int64 *) dst)[i] = c;
				break;
			}
		default:
			for (uint32 i = 0; i < n; i++)
				memcpy(dst + (Size) i * esize, v, esize);
			break;
	}
}

/* CONSTANT, variable-width kinds. */
static void
read_constant_var(ImageReader *r, ColumnarValueKind kind, uint32 n, VarOut *vo)
{
	uint32		len = reader_u32(r);
	const char *src = reader_take(r, len);
	uint64		each = var_out_size(kind, len);
	uint64		pos = 0;

	varout_alloc(vo, n, each * n);
	for (uint32 i = 0; i < n; i++)
	{
		vo->offsets[i] = (uint32) pos;
		var_emit(kind, vo->data + pos, src, len);
		pos += each;
	}
	vo->offsets[n] = (uint32) pos;
}

/* ----------------------------------------------------------------
 *		spreading dense values over rows
 * ----------------------------------------------------------------
 */

/*
 * Move the n dense fixed-width values at the start of values to their rows,
 * zeroing NULL slots; values has room for nrows values.
 */
static void
spread_fixed(char *values, int esize, uint32 nrows, const uint8 *validity)
{
	int64		j = 0;

	for (uint32 i = 0; i < nrows; i++)
		j += (validity[i >> 3] >> (i & 7)) & 1;

	for (int64 i = (int64) nrows - 1; i >= 0; i--)
	{
		bool		valid = (validity[i >> 3] >> (i & 7)) & 1;

		switch (esize)
		{
			case 1:
				values[i] = valid ? values[--j] : 0;
				break;
			case 2:
				((int16 *) values)[i] = valid ? ((int16 *) values)[--j] : 0;
				break;
			case 4:
				((int32 *) values)[i] = valid ? ((int32 *) values)[--j] : 0;
				break;
			case 8:
				((int64 *) values)[i] = valid ? ((int64 *) values)[--j] : 0;
				break;
			default:
				if (valid)
				{
					--j;
					if (j != i)
						memcpy(values + (Size) i * esize, values + (Size) j * esize, esize);
				}
				else
					memset(values + (Size) i * esize, 0, esize);
				break;
		}
	}
}

/* Build row offsets from dense offsets: NULL rows get empty ranges. */
static void
spread_offsets(uint32 *offsets, const uint32 *dense, uint32 nrows,
			   const uint8 *validity)
{
	uint32		j = 0;

	for (uint32 i = 0; i < nrows; i++)
	{
		offsets[i] = dense[j];
		j += (validity[i >> 3] >> (i & 7)) & 1;
	}
	offsets[nrows] = dense[j];
}

/* ----------------------------------------------------------------
 *		choosing an encoding
 * ----------------------------------------------------------------
 */

/* Are all dense values equal? */
static bool
all_equal(const DenseValues *dv)
{
	for (uint32 i = 1; i < dv->n; i++)
	{
		if (!dense_equal(dv, 0, i))
			return false;
	}
	return true;
}

/* ----------------------------------------------------------------
 *		public interface
 * ----------------------------------------------------------------
 */

/*
 * Append the encoded image of vec to buf; returns the encoding chosen.
 */
ColumnarEncoding
ColumnarEncodeVector(const ColumnarVector *vec, StringInfo buf)
{
	EncHeader	hdr;
	DenseValues dv;
	ColumnarEncoding enc;
	int			esize = kind_esize(vec->kind, vec->fixed_len);

	if (vec->nrows > COLUMNAR_ENC_MAX_ROWS)
		elog(ERROR, "columnar vector of %u rows exceeds the maximum of %u",
			 vec->nrows, COLUMNAR_ENC_MAX_ROWS);
	if (vec->nnulls > vec->nrows)
		elog(ERROR, "columnar vector has more NULLs (%u) than rows (%u)",
			 vec->nnulls, vec->nrows);
	if (vec->kind == COLUMNAR_KIND_FIXED &&
		(vec->fixed_len <= 0 || vec->fixed_len > PG_UINT16_MAX))
		elog(ERROR, "invalid fixed length %d for a columnar vector", vec->fixed_len);
	if (vec->nnulls > 0 && vec->validity == NULL)
		elog(ERROR, "columnar vector has NULLs but no validity bitmap");

	gather_dense(vec, &dv);

	if (dv.n == 0)
		enc = COLUMNAR_ENC_ALL_NULL;
	else if (all_equal(&dv))
		enc = COLUMNAR_ENC_CONSTANT;
	else
		enc = COLUMNAR_ENC_PLAIN;

	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = COLUMNAR_ENC_MAGIC;
	hdr.version = COLUMNAR_ENC_VERSION;
	hdr.encoding = (uint8) enc;
	hdr.kind = (uint8) vec->kind;
	hdr.fixed_len = (vec->kind == COLUMNAR_KIND_FIXED) ? (uint16) esize : 0;
	hdr.nrows = vec->nrows;
	hdr.nnulls = vec->nnulls;
	appendBinaryStringInfo(buf, (const char *) &hdr, sizeof(hdr));

	if (vec->nnulls > 0 && dv.n > 0)
	{
		uint32		nbytes = (vec->nrows + 7) / 8;
		int			start = buf->len;

		appendBinaryStringInfo(buf, (const char *) vec->validity, nbytes);
		/* bits past nrows are zero in an image, whatever the caller had */
		if (vec->nrows % 8 != 0)
			buf->data[start + nbytes - 1] &= (uint8) ((1 << (vec->nrows % 8)) - 1);
	}

	switch (enc)
	{
		case COLUMNAR_ENC_ALL_NULL:
			break;
		case COLUMNAR_ENC_CONSTANT:
			append_value(buf, &dv, 0);
			break;
		case COLUMNAR_ENC_PLAIN:
			write_plain(buf, &dv);
			break;
		default:
			elog(ERROR, "unexpected columnar encoding %d", (int) enc);
	}

	return enc;
}

/*
 * Read and check an image's header; returns it.
 */
static EncHeader
read_header(const char *image, Size len)
{
	EncHeader	hdr;

	if (image == NULL || len < sizeof(EncHeader))
		corrupted(psprintf("image of %zu bytes is shorter than its header", len));
	memcpy(&hdr, image, sizeof(hdr));
	if (hdr.magic != COLUMNAR_ENC_MAGIC)
		corrupted(psprintf("bad magic number 0x%04x", hdr.magic));
	if (hdr.version != COLUMNAR_ENC_VERSION)
		corrupted(psprintf("unsupported image version %u", hdr.version));
	if (hdr.encoding >= COLUMNAR_ENC_COUNT)
		corrupted(psprintf("unknown encoding %u", hdr.encoding));
	return hdr;
}

/*
 * Decode an image made by ColumnarEncodeVector into *out.
 */
void
ColumnarDecodeVector(const char *image, Size len, ColumnarVector *out)
{
	EncHeader	hdr = read_header(image, len);
	ImageReader r;
	ColumnarValueKind kind = out->kind;
	int			esize = kind_esize(kind, out->fixed_len);
	bool		var = kind_is_var(kind);
	uint32		nrows = hdr.nrows;
	uint32		n;
	uint8	   *validity = NULL;
	char	   *values = NULL;
	VarOut		vo = {NULL, NULL};

	if (hdr.kind != (uint8) kind)
		corrupted(psprintf("image holds value kind %u, expected %u",
						   hdr.kind, (unsigned) kind));
	if (kind == COLUMNAR_KIND_FIXED ? hdr.fixed_len != out->fixed_len : hdr.fixed_len != 0)
		corrupted(psprintf("image holds values of %u bytes, expected %d",
						   hdr.fixed_len, esize));
	if (hdr.flags != 0)
		corrupted(psprintf("unknown flags 0x%02x", hdr.flags));
	if (nrows > COLUMNAR_ENC_MAX_ROWS)
		corrupted(psprintf("row count %u exceeds the maximum of %u",
						   nrows, COLUMNAR_ENC_MAX_ROWS));
	if (hdr.nnulls > nrows)
		corrupted(psprintf("NULL count %u exceeds row count %u", hdr.nnulls, nrows));
	n = nrows - hdr.nnulls;
	if ((n == 0) != (hdr.encoding == COLUMNAR_ENC_ALL_NULL))
		corrupted(psprintf("encoding %s does not fit %u non-NULL values",
						   encoding_names[hdr.encoding], n));

	r.pos = image + sizeof(EncHeader);
	r.end = image + len;
	r.encoding = (ColumnarEncoding) hdr.encoding;

	if (hdr.nnulls > 0)
	{
		uint32		nbytes = (nrows + 7) / 8;

		validity = palloc(nbytes > 0 ? nbytes : 1);
		if (n == 0)
			memset(validity, 0, nbytes);
		else
		{
			memcpy(validity, reader_take(&r, nbytes), nbytes);
			if (nrows % 8 != 0 &&
				(validity[nbytes - 1] & ~((1 << (nrows % 8)) - 1)) != 0)
				corrupted("validity bitmap has bits set past the last row");
			if (pg_popcount((const char *) validity, nbytes) != n)
				corrupted("validity bitmap does not match the NULL count");
		}
	}

	if (!var)
		values = alloc_huge((Size) nrows * esize);

	switch (hdr.encoding)
	{
		case COLUMNAR_ENC_ALL_NULL:
			break;
		case COLUMNAR_ENC_PLAIN:
			if (var)
				read_plain_var(&r, kind, n, &vo);
			else
				read_plain_fixed(&r, esize, n, values);
			break;
		case COLUMNAR_ENC_CONSTANT:
			if (var)
				read_constant_var(&r, kind, n, &vo);
			else
				read_constant_fixed(&r, esize, n, values);
			break;
		default:
			corrupted(psprintf("encoding %s is not valid for value kind %u",
							   encoding_names[hdr.encoding], (unsigned) kind));
	}

	if (r.pos != r.end)
		corrupted(psprintf("%zu bytes of garbage after the %s payload",
						   (Size) (r.end - r.pos), encoding_names[hdr.encoding]));

	if (kind == COLUMNAR_KIND_BOOL)
		check_bools((const uint8 *) values, n);

	out->nrows = nrows;
	out->nnulls = hdr.nnulls;
	out->validity = validity;
	if (var)
	{
		out->values = NULL;
		if (n == 0)
		{
			out->data = palloc(1);
			out->offsets = palloc0(sizeof(uint32) * ((Size) nrows + 1));
		}
		else if (hdr.nnulls == 0)
		{
			out->data = vo.data;
			out->offsets = vo.offsets;
		}
		else
		{
			out->data = vo.data;
			out->offsets = alloc_huge(sizeof(uint32) * ((Size) nrows + 1));
			spread_offsets(out->offsets, vo.offsets, nrows, validity);
			pfree(vo.offsets);
		}
	}
	else
	{
		if (hdr.nnulls > 0)
		{
			if (n == 0)
				memset(values, 0, (Size) nrows * esize);
			else
				spread_fixed(values, esize, nrows, validity);
		}
		out->values = values;
		out->offsets = NULL;
		out->data = NULL;
	}
}

/*
 * Return the encoding an image uses, without decoding it.
 */
ColumnarEncoding
ColumnarImageEncoding(const char *image, Size len)
{
	return (ColumnarEncoding) read_header(image, len).encoding;
}

/*
 * Return the name of an encoding.
 */
const char *
ColumnarEncodingName(ColumnarEncoding encoding)
{
	if ((int) encoding < 0 || (int) encoding >= COLUMNAR_ENC_COUNT)
		return "unknown";
	return encoding_names[encoding];
}
