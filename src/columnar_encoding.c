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
 *	RLE			uint32 nruns, the runs' values (esize bytes each), uint8 w,
 *				packed(nruns, w) of run length - 1.  Fixed-width kinds.
 *	FOR			int64 reference (the minimum), uint8 w, packed(n, w) of
 *				value - reference in unsigned 64-bit arithmetic, so any
 *				int64 spread fits.  Integer kinds (and bool).
 *	DELTA_FOR	int64 first value, int64 reference (smallest delta), uint8 w,
 *				packed(n - 1, w) of delta - reference; deltas wrap around in
 *				64-bit arithmetic, so the sum reproduces every value exactly.
 *	DICT		uint32 nd, the nd distinct values (esize bytes each, or
 *				uint32 length[nd] then the bytes), uint8 w =
 *				bit_width(nd - 1), packed(n, w) of codes.  The entries are
 *				sorted and distinct (checked when decoding): integers by
 *				value, floats by their bits, everything else by bytes
 *				(memcmp, then length).  Byte order is not collation order,
 *				so predicates on codes may use it only for equality or for
 *				types whose order is their byte order.
 *	SCALED_NUMERIC	numeric (VARLENA) columns without NaN/Infinity whose
 *				values all fit an int64 at the largest display scale:
 *				uint16 scale, int64 reference, uint8 w, packed(n, w) of
 *				value * 10^scale - reference, uint16 dscale reference,
 *				uint8 dw, packed(n, dw) of display scale - reference (each
 *				value keeps its own dscale: 1.5 and 1.50 stay distinct).
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
	uint32		min_len;		/* VARLENA/CSTRING: shortest of lens */
	uint64	   *keys;			/* kinds of up to 8 bytes but FIXED: each
								 * value's bits, integers sign-extended */
} DenseValues;

/*
 * What the encoder learnt about a vector's values.
 */
typedef struct Analysis
{
	uint32		nruns;			/* runs of equal values */
	uint32		max_run;		/* longest run */
	int64		min;			/* integer kinds, scaled numeric: smallest value */
	int64		max;			/* integer kinds, scaled numeric: largest value */
	int64		dmin;			/* integer kinds: smallest delta; scaled
								 * numeric: smallest display scale */
	int64		dmax;			/* same, largest */
	uint32		ndistinct;		/* dictionary built: distinct values */
	uint32	   *codes;			/* dictionary: code of each value, first-seen */
	uint32	   *first;			/* dictionary: first index of each code */
	uint64		dict_bytes;		/* dictionary: bytes of its entries */
	int			scale;			/* scaled numeric: the common scale */
	uint64	   *scaled;			/* scaled numeric: value * 10^scale */
	uint64	   *dscales;		/* scaled numeric: display scales */
	bool		scaled_ok;		/* scaled numeric: analysis succeeded */
	uint32		argmin;			/* scaled numeric: index of a smallest value */
	uint32		argmax;			/* scaled numeric: index of a largest value */
} Analysis;

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

/*
 * Return the size in bytes of one value of a fixed-width kind, 0 for the
 * variable-width ones.
 */
int
ColumnarKindWidth(ColumnarValueKind kind, int fixed_len)
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

/* Is the kind an integer kind (FOR and delta-FOR apply)? */
static inline bool
kind_is_int(ColumnarValueKind kind)
{
	return kind == COLUMNAR_KIND_INT16 || kind == COLUMNAR_KIND_INT32 ||
		kind == COLUMNAR_KIND_INT64 || kind == COLUMNAR_KIND_BOOL;
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
 *		bit-packing
 * ----------------------------------------------------------------
 */

/* Return the number of bits needed to hold values 0 .. maxval. */
static inline int
bit_width(uint64 maxval)
{
	return maxval == 0 ? 0 : pg_leftmost_one_pos64(maxval) + 1;
}

/* Return the mask of the low w bits. */
static inline uint64
width_mask(int w)
{
	return w >= 64 ? ~UINT64CONST(0) : (UINT64CONST(1) << w) - 1;
}

/* Return the bytes of n values packed at w bits (whole 64-bit words). */
static inline uint64
packed_size(uint64 n, int w)
{
	return (n * (uint64) w + 63) / 64 * 8;
}

/*
 * Append vals[i] - ref for i < n, w bits each, packed into 64-bit words in
 * host order, value i at bit i * w.  Every difference must fit in w bits.
 */
static void
pack_append(StringInfo buf, const uint64 *vals, uint32 n, uint64 ref, int w)
{
	uint64		nbytes = packed_size(n, w);
	uint64	   *words;

	if (nbytes == 0)
		return;
	words = alloc_huge(nbytes);
	memset(words, 0, nbytes);
	for (uint32 i = 0; i < n; i++)
	{
		uint64		v = vals[i] - ref;
		uint64		bit = (uint64) i * w;
		uint64		word = bit >> 6;
		int			s = bit & 63;

		Assert(w == 64 || (v >> w) == 0);
		words[word] |= v << s;
		if (s + w > 64)
			words[word + 1] |= v >> (64 - s);
	}
	appendBinaryStringInfo(buf, (const char *) words, nbytes);
	pfree(words);
}

/* Return packed value i (w > 0) of a packed area. */
static inline uint64
unpack_at(const char *src, uint64 i, int w, uint64 mask)
{
	uint64		bit = i * (uint64) w;
	const char *p = src + (bit >> 6) * 8;
	int			s = bit & 63;
	uint64		v;

	memcpy(&v, p, 8);
	v >>= s;
	if (s + w > 64)
	{
		uint64		hi;

		memcpy(&hi, p + 8, 8);
		v |= hi << (64 - s);
	}
	return v & mask;
}

/* Read a bit width (at most maxw) and the n values packed with it. */
static const char *
reader_packed(ImageReader *r, uint32 n, int maxw, int *w)
{
	*w = *(const uint8 *) reader_take(r, 1);
	if (*w > maxw)
		corrupted(psprintf("%s bit width %d exceeds %d",
						   encoding_names[r->encoding], *w, maxw));
	return reader_take(r, packed_size(n, *w));
}

/* Read an int64 from the image. */
static inline int64
reader_i64(ImageReader *r)
{
	int64		v;

	memcpy(&v, reader_take(r, sizeof(v)), sizeof(v));
	return v;
}

/*
 * Typed unpacking loops: FOR (ref + packed value) and delta-FOR (running
 * sum of ref + packed delta, starting at first), one per integer width.
 */
#define DEFINE_UNPACK(T) \
static void \
unpack_for_##T(const char *src, uint32 n, int w, uint64 ref, T *dst) \
{ \
	uint64		mask = width_mask(w); \
	if (w == 0) \
	{ \
		for (uint32 i = 0; i < n; i++) \
			dst[i] = (T) ref; \
		return; \
	} \
	for (uint32 i = 0; i < n; i++) \
		dst[i] = (T) (ref + unpack_at(src, i, w, mask)); \
} \
static void \
unpack_delta_##T(const char *src, uint32 n, int w, uint64 ref, uint64 first, T *dst) \
{ \
	uint64		mask = width_mask(w); \
	uint64		acc = first; \
	if (n == 0) \
		return; \
	dst[0] = (T) acc; \
	if (w == 0) \
	{ \
		for (uint32 i = 1; i < n; i++) \
			dst[i] = (T) (acc += ref); \
		return; \
	} \
	for (uint32 i = 1; i < n; i++) \
	{ \
		acc += ref + unpack_at(src, i - 1, w, mask); \
		dst[i] = (T) acc; \
	} \
}

DEFINE_UNPACK(uint8)
DEFINE_UNPACK(int16)
DEFINE_UNPACK(int32)
DEFINE_UNPACK(int64)

/* ----------------------------------------------------------------
 *		gathering the values to encode
 * ----------------------------------------------------------------
 */

/*
 * Return the bits of n values of a kind of up to 8 bytes as uint64s,
 * integers sign-extended so that they compare as numbers.
 */
static uint64 *
make_keys(ColumnarValueKind kind, const char *src, uint32 n)
{
	uint64	   *keys = alloc_huge(sizeof(uint64) * (Size) n);

	switch (kind)
	{
		case COLUMNAR_KIND_INT16:
			for (uint32 i = 0; i < n; i++)
			{
				int16		v;

				memcpy(&v, src + (Size) i * 2, 2);
				keys[i] = (uint64) (int64) v;
			}
			break;
		case COLUMNAR_KIND_INT32:
			for (uint32 i = 0; i < n; i++)
			{
				int32		v;

				memcpy(&v, src + (Size) i * 4, 4);
				keys[i] = (uint64) (int64) v;
			}
			break;
		case COLUMNAR_KIND_FLOAT4:
			for (uint32 i = 0; i < n; i++)
			{
				uint32		v;

				memcpy(&v, src + (Size) i * 4, 4);
				keys[i] = v;
			}
			break;
		case COLUMNAR_KIND_INT64:
		case COLUMNAR_KIND_FLOAT8:
			memcpy(keys, src, (Size) n * 8);
			break;
		case COLUMNAR_KIND_BOOL:
			for (uint32 i = 0; i < n; i++)
				keys[i] = (uint8) src[i];
			break;
		default:
			elog(ERROR, "unexpected value kind %d", (int) kind);
	}
	return keys;
}

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
	dv->esize = ColumnarKindWidth(vec->kind, vec->fixed_len);
	dv->n = n;
	dv->fixed = NULL;
	dv->ptrs = NULL;
	dv->lens = NULL;
	dv->var_bytes = 0;
	dv->min_len = PG_UINT32_MAX;
	dv->keys = NULL;

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
		if (vec->kind != COLUMNAR_KIND_FIXED)
			dv->keys = make_keys(vec->kind, dv->fixed, n);
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
			dv->min_len = Min(dv->min_len, len);
			j++;
		}
		Assert(j == n);
	}
}

/* Are dense values a and b equal (bytewise)? */
static inline bool
dense_equal(const DenseValues *dv, uint32 a, uint32 b)
{
	if (dv->keys)
		return dv->keys[a] == dv->keys[b];
	if (dv->fixed)
		return memcmp(dv->fixed + (Size) a * dv->esize,
					  dv->fixed + (Size) b * dv->esize, dv->esize) == 0;
	return dv->lens[a] == dv->lens[b] &&
		memcmp(dv->ptrs[a], dv->ptrs[b], dv->lens[a]) == 0;
}

/* ----------------------------------------------------------------
 *		dictionaries: distinct values through simplehash
 * ----------------------------------------------------------------
 */

/* Hash a 64-bit key. */
static inline uint32
hash_u64(uint64 k)
{
	return hash_bytes_uint32((uint32) k ^ hash_bytes_uint32((uint32) (k >> 32)));
}

typedef struct DictU64Entry
{
	uint64		key;
	uint32		code;
	char		status;
} DictU64Entry;

#define SH_PREFIX dictu64
#define SH_ELEMENT_TYPE DictU64Entry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_u64(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_FILLFACTOR (0.5)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct ByteKey
{
	const char *ptr;
	uint32		len;
} ByteKey;

/*
 * Load the first and last up to 8 bytes of a short value (len <= 16) as two
 * words, with overlapping loads that never leave the value: together they
 * cover every byte, so two values of one length are equal exactly when
 * their words are.
 */
static inline void
short_words(const char *p, uint32 len, uint64 *w0, uint64 *w1)
{
	if (len >= 8)
	{
		memcpy(w0, p, 8);
		memcpy(w1, p + len - 8, 8);
	}
	else if (len >= 4)
	{
		uint32		a;
		uint32		b;

		memcpy(&a, p, 4);
		memcpy(&b, p + len - 4, 4);
		*w0 = a;
		*w1 = b;
	}
	else
	{
		*w0 = len > 0 ? (uint8) p[0] | ((uint64) (uint8) p[len / 2] << 8) |
			((uint64) (uint8) p[len - 1] << 16) : 0;
		*w1 = 0;
	}
}

/*
 * Hash a dictionary key: short values (most text and numerics) from their
 * two words with PostgreSQL's integer hashes, longer ones with hash_bytes.
 */
static inline uint32
hash_key(const ByteKey *k)
{
	uint64		w0;
	uint64		w1;

	if (k->len > 16)
		return hash_bytes((const unsigned char *) k->ptr, (int) k->len);
	short_words(k->ptr, k->len, &w0, &w1);
	return hash_u64(hash_combine64(w0, w1 + k->len));
}

/* Are two dictionary keys equal (bytewise)? */
static inline bool
keys_equal(const ByteKey *a, const ByteKey *b)
{
	uint64		a0;
	uint64		a1;
	uint64		b0;
	uint64		b1;

	if (a->len != b->len)
		return false;
	if (a->len > 16)
		return memcmp(a->ptr, b->ptr, a->len) == 0;
	short_words(a->ptr, a->len, &a0, &a1);
	short_words(b->ptr, b->len, &b0, &b1);
	return a0 == b0 && a1 == b1;
}

typedef struct DictBytesEntry
{
	ByteKey		key;
	uint32		hash;
	uint32		code;
	char		status;
} DictBytesEntry;

#define SH_PREFIX dictbytes
#define SH_ELEMENT_TYPE DictBytesEntry
#define SH_KEY_TYPE ByteKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_key(&(k))
#define SH_EQUAL(tb, a, b) keys_equal(&(a), &(b))
#define SH_FILLFACTOR (0.5)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* Return the bits of one value of a kind of up to 8 bytes, as make_keys. */
static inline uint64
value_key(ColumnarValueKind kind, const char *p)
{
	switch (kind)
	{
		case COLUMNAR_KIND_INT16:
			{
				int16		v;

				memcpy(&v, p, 2);
				return (uint64) (int64) v;
			}
		case COLUMNAR_KIND_INT32:
			{
				int32		v;

				memcpy(&v, p, 4);
				return (uint64) (int64) v;
			}
		case COLUMNAR_KIND_FLOAT4:
			{
				uint32		v;

				memcpy(&v, p, 4);
				return v;
			}
		case COLUMNAR_KIND_BOOL:
			return *(const uint8 *) p;
		default:
			{
				uint64		v;

				memcpy(&v, p, 8);
				return v;
			}
	}
}

/*
 * Compare two values in dictionary order: integers by value, floats by
 * their bits, everything else by bytes (memcmp, then length).  Byte order
 * is not collation order: predicates on codes may use it only for
 * equality, or for types whose order is their byte order.
 */
static int
compare_values(ColumnarValueKind kind, const char *a, uint32 alen,
			   const char *b, uint32 blen)
{
	int			c;

	if (kind_is_int(kind))
	{
		int64		x = (int64) value_key(kind, a);
		int64		y = (int64) value_key(kind, b);

		return (x > y) - (x < y);
	}
	if (kind == COLUMNAR_KIND_FLOAT4 || kind == COLUMNAR_KIND_FLOAT8)
	{
		uint64		x = value_key(kind, a);
		uint64		y = value_key(kind, b);

		return (x > y) - (x < y);
	}
	c = memcmp(a, b, Min(alen, blen));
	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* Point *p / *len at dense value i. */
static inline void
dense_value(const DenseValues *dv, uint32 i, const char **p, uint32 *len)
{
	if (dv->fixed)
	{
		*p = dv->fixed + (Size) i * dv->esize;
		*len = dv->esize;
	}
	else
	{
		*p = dv->ptrs[i];
		*len = dv->lens[i];
	}
}

/* values looked at before deciding how large a dictionary may get */
#define DICT_SAMPLE 256

/*
 * Give every value a code in first-seen order, stopping when more than cap
 * distinct values show up; returns whether the dictionary was built.
 */
static bool
build_dict(const DenseValues *dv, Analysis *an, uint32 cap)
{
	uint32		n = dv->n;
	uint32		nd = 0;
	uint64		bytes = 0;
	/*
	 * Start small: a table sized for the cap would be zeroed (megabytes) for
	 * every chunk, mostly to find few values.  When the first values are
	 * mostly distinct, size it for the cap at once rather than doubling it
	 * again and again.  Tables are kept at most half full (SH_FILLFACTOR):
	 * nearly every value is a lookup of an existing entry.
	 */
	uint32		hint = Min(Min(cap, n), 2 * DICT_SAMPLE);
	uint32		big = Min(cap, n);

	an->codes = alloc_huge(sizeof(uint32) * (Size) n);
	an->first = alloc_huge(sizeof(uint32) * (Size) cap);
	if (dv->keys)
	{
		dictu64_hash *h = dictu64_create(CurrentMemoryContext, hint, NULL);

		for (uint32 i = 0; i < n; i++)
		{
			bool		found;
			DictU64Entry *e = dictu64_insert(h, dv->keys[i], &found);

			if (!found)
			{
				if (nd == cap)
				{
					dictu64_destroy(h);
					return false;
				}
				e->code = nd;
				an->first[nd++] = i;
			}
			an->codes[i] = e->code;
			if (i + 1 == DICT_SAMPLE && nd > DICT_SAMPLE / 2 &&
				h->size < pg_nextpower2_64((uint64) big * 2 + 2))
				dictu64_grow(h, pg_nextpower2_64((uint64) big * 2 + 2));
		}
		dictu64_destroy(h);
		bytes = (uint64) nd * dv->esize;
	}
	else
	{
		dictbytes_hash *h = dictbytes_create(CurrentMemoryContext, hint, NULL);

		for (uint32 i = 0; i < n; i++)
		{
			bool		found;
			ByteKey		k;
			DictBytesEntry *e;

			dense_value(dv, i, &k.ptr, &k.len);
			e = dictbytes_insert(h, k, &found);
			if (!found)
			{
				if (nd == cap)
				{
					dictbytes_destroy(h);
					return false;
				}
				e->code = nd;
				an->first[nd++] = i;
				bytes += k.len + (dv->fixed ? 0 : sizeof(uint32));
			}
			an->codes[i] = e->code;
			if (i + 1 == DICT_SAMPLE && nd > DICT_SAMPLE / 2 &&
				h->size < pg_nextpower2_64((uint64) big * 2 + 2))
				dictbytes_grow(h, pg_nextpower2_64((uint64) big * 2 + 2));
		}
		dictbytes_destroy(h);
	}
	an->ndistinct = nd;
	an->dict_bytes = bytes;
	return true;
}

typedef struct DictSortArg
{
	const DenseValues *dv;
	const uint32 *first;
} DictSortArg;

/* qsort_arg comparator of dictionary entries (first-seen codes). */
static int
dict_sort_cmp(const void *a, const void *b, void *arg)
{
	DictSortArg *s = (DictSortArg *) arg;
	const char *pa;
	const char *pb;
	uint32		la;
	uint32		lb;

	dense_value(s->dv, s->first[*(const uint32 *) a], &pa, &la);
	dense_value(s->dv, s->first[*(const uint32 *) b], &pb, &lb);
	return compare_values(s->dv->kind, pa, la, pb, lb);
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

/* RLE: uint32 nruns, the runs' values, run lengths - 1 bit-packed. */
static void
write_rle(StringInfo buf, const DenseValues *dv, const Analysis *an)
{
	uint64	   *lens = alloc_huge(sizeof(uint64) * (Size) an->nruns);
	uint32		nruns = an->nruns;
	uint32		run = 0;
	uint32		start = 0;
	int			w = bit_width(an->max_run - 1);

	appendBinaryStringInfo(buf, (const char *) &nruns, sizeof(nruns));
	for (uint32 i = 1; i <= dv->n; i++)
	{
		if (i == dv->n || !dense_equal(dv, i, i - 1))
		{
			append_value(buf, dv, start);
			lens[run++] = i - start - 1;
			start = i;
		}
	}
	Assert(run == nruns);
	appendStringInfoCharMacro(buf, (char) w);
	pack_append(buf, lens, nruns, 0, w);
	pfree(lens);
}

/* FOR: int64 reference (the minimum), values - reference bit-packed. */
static void
write_for(StringInfo buf, const DenseValues *dv, const Analysis *an)
{
	int			w = bit_width((uint64) an->max - (uint64) an->min);

	appendBinaryStringInfo(buf, (const char *) &an->min, sizeof(int64));
	appendStringInfoCharMacro(buf, (char) w);
	pack_append(buf, dv->keys, dv->n, (uint64) an->min, w);
}

/*
 * DELTA_FOR: int64 first value, int64 reference (the smallest delta), then
 * the n - 1 deltas - reference bit-packed.  Deltas wrap around in 64-bit
 * arithmetic, so any sequence is exact.
 */
static void
write_delta_for(StringInfo buf, const DenseValues *dv, const Analysis *an)
{
	uint64	   *deltas = alloc_huge(sizeof(uint64) * (Size) dv->n);
	int			w = bit_width((uint64) an->dmax - (uint64) an->dmin);

	for (uint32 i = 1; i < dv->n; i++)
		deltas[i - 1] = dv->keys[i] - dv->keys[i - 1];
	appendBinaryStringInfo(buf, (const char *) &dv->keys[0], sizeof(uint64));
	appendBinaryStringInfo(buf, (const char *) &an->dmin, sizeof(int64));
	appendStringInfoCharMacro(buf, (char) w);
	pack_append(buf, deltas, dv->n - 1, (uint64) an->dmin, w);
	pfree(deltas);
}

/*
 * DICT: uint32 ndistinct, the distinct values sorted (see compare_values;
 * fixed-width: ndistinct * esize bytes, variable-width: uint32 lengths then
 * bytes), then one code per value bit-packed at bit_width(ndistinct - 1).
 */
static void
write_dict(StringInfo buf, const DenseValues *dv, const Analysis *an)
{
	uint32		nd = an->ndistinct;
	uint32	   *order = palloc(sizeof(uint32) * nd);
	uint32	   *remap = palloc(sizeof(uint32) * nd);
	uint64	   *codes = alloc_huge(sizeof(uint64) * (Size) dv->n);
	DictSortArg sarg = {dv, an->first};
	int			w = bit_width(nd - 1);

	for (uint32 k = 0; k < nd; k++)
		order[k] = k;
	qsort_arg(order, nd, sizeof(uint32), dict_sort_cmp, &sarg);
	for (uint32 k = 0; k < nd; k++)
		remap[order[k]] = k;

	appendBinaryStringInfo(buf, (const char *) &nd, sizeof(nd));
	if (dv->fixed)
	{
		for (uint32 k = 0; k < nd; k++)
			appendBinaryStringInfo(buf, dv->fixed + (Size) an->first[order[k]] * dv->esize,
								   dv->esize);
	}
	else
	{
		for (uint32 k = 0; k < nd; k++)
			appendBinaryStringInfo(buf, (const char *) &dv->lens[an->first[order[k]]],
								   sizeof(uint32));
		for (uint32 k = 0; k < nd; k++)
		{
			uint32		i = an->first[order[k]];

			appendBinaryStringInfo(buf, dv->ptrs[i], dv->lens[i]);
		}
	}
	for (uint32 i = 0; i < dv->n; i++)
		codes[i] = remap[an->codes[i]];
	appendStringInfoCharMacro(buf, (char) w);
	pack_append(buf, codes, dv->n, 0, w);
	pfree(codes);
	pfree(remap);
	pfree(order);
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

/* Fill dst[0 .. count) with the value at v (esize bytes). */
static inline void
fill_fixed(char *dst, const char *v, int esize, uint32 count)
{
	switch (esize)
	{
		case 1:
			memset(dst, *v, count);
			break;
		case 2:
			{
				int16		c;

				memcpy(&c, v, 2);
				for (uint32 i = 0; i < count; i++)
					((int16 *) dst)[i] = c;
				break;
			}
		case 4:
			{
				int32		c;

				memcpy(&c, v, 4);
				for (uint32 i = 0; i < count; i++)
					((int32 *) dst)[i] = c;
				break;
			}
		case 8:
			{
				int64		c;

				memcpy(&c, v, 8);
				for (uint32 i = 0; i < count; i++)
					((int64 *) dst)[i] = c;
				break;
			}
		default:
			for (uint32 i = 0; i < count; i++)
				memcpy(dst + (Size) i * esize, v, esize);
			break;
	}
}

/* RLE, fixed-width kinds. */
static void
read_rle_fixed(ImageReader *r, int esize, uint32 n, char *dst)
{
	uint32		nruns = reader_u32(r);
	const char *vals;
	const char *packed;
	int			w;
	uint64		mask;
	uint64		pos = 0;

	if (nruns == 0 || nruns > n)
		corrupted(psprintf("rle run count %u does not fit %u values", nruns, n));
	vals = reader_take(r, (uint64) nruns * esize);
	packed = reader_packed(r, nruns, 32, &w);
	mask = width_mask(w);
	for (uint32 k = 0; k < nruns; k++)
	{
		uint64		len = (w > 0 ? unpack_at(packed, k, w, mask) : 0) + 1;

		if (len > n - pos)
			corrupted("rle runs exceed the value count");
		fill_fixed(dst + pos * esize, vals + (Size) k * esize, esize, (uint32) len);
		pos += len;
	}
	if (pos != n)
		corrupted("rle runs do not cover the value count");
}

/* FOR, integer kinds. */
static void
read_for(ImageReader *r, ColumnarValueKind kind, int esize, uint32 n, char *dst)
{
	uint64		ref = (uint64) reader_i64(r);
	int			w;
	const char *packed = reader_packed(r, n, esize * 8, &w);

	switch (kind)
	{
		case COLUMNAR_KIND_BOOL:
			unpack_for_uint8(packed, n, w, ref, (uint8 *) dst);
			break;
		case COLUMNAR_KIND_INT16:
			unpack_for_int16(packed, n, w, ref, (int16 *) dst);
			break;
		case COLUMNAR_KIND_INT32:
			unpack_for_int32(packed, n, w, ref, (int32 *) dst);
			break;
		case COLUMNAR_KIND_INT64:
			unpack_for_int64(packed, n, w, ref, (int64 *) dst);
			break;
		default:
			corrupted("for encoding of a non-integer kind");
	}
}

/* DELTA_FOR, integer kinds. */
static void
read_delta_for(ImageReader *r, ColumnarValueKind kind, uint32 n, char *dst)
{
	uint64		first = (uint64) reader_i64(r);
	uint64		ref = (uint64) reader_i64(r);
	int			w;
	const char *packed = reader_packed(r, n - 1, 64, &w);

	switch (kind)
	{
		case COLUMNAR_KIND_BOOL:
			unpack_delta_uint8(packed, n, w, ref, first, (uint8 *) dst);
			break;
		case COLUMNAR_KIND_INT16:
			unpack_delta_int16(packed, n, w, ref, first, (int16 *) dst);
			break;
		case COLUMNAR_KIND_INT32:
			unpack_delta_int32(packed, n, w, ref, first, (int32 *) dst);
			break;
		case COLUMNAR_KIND_INT64:
			unpack_delta_int64(packed, n, w, ref, first, (int64 *) dst);
			break;
		default:
			corrupted("delta_for encoding of a non-integer kind");
	}
}

/* Read a dictionary's code area: its width must be bit_width(nd - 1). */
static const char *
reader_codes(ImageReader *r, uint32 n, uint32 nd, int *w)
{
	const char *packed = reader_packed(r, n, 32, w);

	if (*w != bit_width(nd - 1))
		corrupted(psprintf("dictionary of %u entries with codes of %d bits", nd, *w));
	return packed;
}

/* Raise unless code c is below nd. */
static inline void
check_code(uint64 c, uint32 nd)
{
	if (unlikely(c >= nd))
		corrupted(psprintf("dictionary code %llu out of range", (unsigned long long) c));
}

/*
 * Typed dictionary lookups: dst[i] = entries[code i], one per width.
 */
#define DEFINE_DICT_LOOKUP(T) \
static void \
dict_lookup_##T(const char *packed, uint32 n, int w, const T *entries, uint32 nd, T *dst) \
{ \
	uint64		mask = width_mask(w); \
	if (w == 0) \
	{ \
		for (uint32 i = 0; i < n; i++) \
			dst[i] = entries[0]; \
		return; \
	} \
	for (uint32 i = 0; i < n; i++) \
	{ \
		uint64		c = unpack_at(packed, i, w, mask); \
		check_code(c, nd); \
		dst[i] = entries[c]; \
	} \
}

DEFINE_DICT_LOOKUP(uint8)
DEFINE_DICT_LOOKUP(int16)
DEFINE_DICT_LOOKUP(int32)
DEFINE_DICT_LOOKUP(int64)

/* DICT, fixed-width kinds. */
static void
read_dict_fixed(ImageReader *r, ColumnarValueKind kind, int esize, uint32 n, char *dst)
{
	uint32		nd = reader_u32(r);
	char	   *entries;
	const char *packed;
	int			w;

	if (nd == 0 || nd > n)
		corrupted(psprintf("dictionary of %u entries for %u values", nd, n));
	entries = alloc_huge((Size) nd * esize);
	memcpy(entries, reader_take(r, (uint64) nd * esize), (Size) nd * esize);
	for (uint32 k = 1; k < nd; k++)
	{
		if (compare_values(kind, entries + (Size) (k - 1) * esize, esize,
						   entries + (Size) k * esize, esize) >= 0)
			corrupted("dictionary entries are not sorted");
	}
	packed = reader_codes(r, n, nd, &w);

	switch (esize)
	{
		case 1:
			dict_lookup_uint8(packed, n, w, (uint8 *) entries, nd, (uint8 *) dst);
			break;
		case 2:
			dict_lookup_int16(packed, n, w, (int16 *) entries, nd, (int16 *) dst);
			break;
		case 4:
			dict_lookup_int32(packed, n, w, (int32 *) entries, nd, (int32 *) dst);
			break;
		case 8:
			dict_lookup_int64(packed, n, w, (int64 *) entries, nd, (int64 *) dst);
			break;
		default:
			{
				uint64		mask = width_mask(w);

				for (uint32 i = 0; i < n; i++)
				{
					uint64		c = w > 0 ? unpack_at(packed, i, w, mask) : 0;

					check_code(c, nd);
					memcpy(dst + (Size) i * esize, entries + c * esize, esize);
				}
			}
			break;
	}
	pfree(entries);
}

/* DICT, variable-width kinds. */
static void
read_dict_var(ImageReader *r, ColumnarValueKind kind, uint32 n, VarOut *vo)
{
	uint32		nd = reader_u32(r);
	const char *lens_img;
	const char *src;
	const char **eptr;
	uint32	   *elen;
	uint32	   *codes;
	uint64		in_total = 0;
	uint64		out_total = 0;
	uint64		pos = 0;
	const char *packed;
	int			w;
	uint64		mask;

	if (nd == 0 || nd > n)
		corrupted(psprintf("dictionary of %u entries for %u values", nd, n));
	lens_img = reader_take(r, (uint64) nd * sizeof(uint32));
	eptr = palloc(sizeof(char *) * nd);
	elen = palloc(sizeof(uint32) * nd);
	for (uint32 k = 0; k < nd; k++)
	{
		elen[k] = load_u32(lens_img + (Size) k * sizeof(uint32));
		in_total += elen[k];
	}
	src = reader_take(r, in_total);
	for (uint32 k = 0; k < nd; k++)
	{
		eptr[k] = src;
		src += elen[k];
		if (k > 0 && compare_values(kind, eptr[k - 1], elen[k - 1], eptr[k], elen[k]) >= 0)
			corrupted("dictionary entries are not sorted");
	}
	packed = reader_codes(r, n, nd, &w);
	mask = width_mask(w);

	codes = alloc_huge(sizeof(uint32) * (Size) n);
	for (uint32 i = 0; i < n; i++)
	{
		uint64		c = w > 0 ? unpack_at(packed, i, w, mask) : 0;

		check_code(c, nd);
		codes[i] = (uint32) c;
		out_total += var_out_size(kind, elen[c]);
	}
	varout_alloc(vo, n, out_total);
	for (uint32 i = 0; i < n; i++)
	{
		uint32		c = codes[i];

		vo->offsets[i] = (uint32) pos;
		var_emit(kind, vo->data + pos, eptr[c], elen[c]);
		pos += var_out_size(kind, elen[c]);
	}
	vo->offsets[n] = (uint32) pos;
	pfree(codes);
	pfree(eptr);
	pfree(elen);
}

/* ----------------------------------------------------------------
 *		numeric as scaled integers
 *
 * numeric's on-disk format (PostgreSQL's utils/adt/numeric.c): after the
 * varlena header a uint16 header word, then base-10000 int16 digits.  The
 * short form (bit 0x8000) packs sign 0x2000, dscale 0x1F80 >> 7 and a 7-bit
 * signed weight; the long form has sign 0xC000 (0x4000 negative) and dscale
 * 0x3FFF in the first word and an int16 weight after it; 0xC000 marks
 * NaN/Infinity.  Values are canonical: no leading or trailing zero digits,
 * zero has weight 0 and positive sign, and the short form is used whenever
 * dscale <= 63 and -64 <= weight <= 63.  The encoder accepts a column only
 * when rebuilding every value from its scaled integer gives back exactly
 * the same bytes, so nothing here relies on values being canonical.
 * ----------------------------------------------------------------
 */

#define NUM_SIGN_MASK		0xC000
#define NUM_NEG				0x4000
#define NUM_SHORT			0x8000
#define NUM_SPECIAL			0xC000
#define NUM_SHORT_SIGN		0x2000
#define NUM_SHORT_DSCALE_MASK	0x1F80
#define NUM_SHORT_DSCALE_SHIFT	7
#define NUM_SHORT_WEIGHT_SIGN	0x0040
#define NUM_SHORT_WEIGHT_MASK	0x003F
#define NUM_DSCALE_MASK		0x3FFF
#define NUM_MAX_BUILT		24		/* bytes a rebuilt value may take */

typedef struct NumParts
{
	bool		neg;
	int			weight;
	int			dscale;
	int			ndigits;
	const char *digits;
} NumParts;

/* Split a numeric's bytes (after the varlena header); false for NaN/Inf. */
static bool
numeric_parts(const char *p, uint32 len, NumParts *np)
{
	uint16		h;

	if (len < 2)
		return false;
	memcpy(&h, p, 2);
	if ((h & NUM_SIGN_MASK) == NUM_SPECIAL)
		return false;
	if (h & NUM_SHORT)
	{
		np->neg = (h & NUM_SHORT_SIGN) != 0;
		np->dscale = (h & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
		np->weight = (h & NUM_SHORT_WEIGHT_MASK) -
			((h & NUM_SHORT_WEIGHT_SIGN) ? NUM_SHORT_WEIGHT_MASK + 1 : 0);
		np->digits = p + 2;
		len -= 2;
	}
	else
	{
		int16		w;

		if (len < 4)
			return false;
		np->neg = (h & NUM_SIGN_MASK) == NUM_NEG;
		np->dscale = h & NUM_DSCALE_MASK;
		memcpy(&w, p + 2, 2);
		np->weight = w;
		np->digits = p + 4;
		len -= 4;
	}
	if (len % 2 != 0)
		return false;
	np->ndigits = len / 2;
	return true;
}

/* Compute value * 10^scale as an int64; false if inexact or too big. */
static bool
numeric_to_scaled(const NumParts *np, int scale, int64 *out)
{
	uint64		mag = 0;
	int			frac;

	if (np->ndigits == 0)
	{
		*out = 0;
		return true;
	}
	for (int i = 0; i < np->ndigits; i++)
	{
		int16		d;

		memcpy(&d, np->digits + i * 2, 2);
		if (d < 0 || d > 9999 || mag > (PG_UINT64_MAX - d) / 10000)
			return false;
		mag = mag * 10000 + d;
	}
	/* decimal digits after the point that mag holds */
	frac = 4 * (np->ndigits - 1 - np->weight);
	for (; frac < scale; frac++)
	{
		if (mag > PG_UINT64_MAX / 10)
			return false;
		mag *= 10;
	}
	for (; frac > scale; frac--)
	{
		if (mag % 10 != 0)
			return false;
		mag /= 10;
	}
	if (mag > (uint64) PG_INT64_MAX)
		return false;
	*out = np->neg ? -(int64) mag : (int64) mag;
	return true;
}

/*
 * Write the canonical numeric u / 10^scale with display scale dscale,
 * varlena header included, at dst; returns its size.
 */
static uint32
numeric_build(char *dst, int64 u, int scale, int dscale)
{
	static const uint64 pow10[] = {1, 10, 100, 1000, 10000};
	uint64		mag = u < 0 ? (uint64) 0 - (uint64) u : (uint64) u;
	bool		neg = u < 0;
	int16		digs[8];
	int			nd = 0;
	int			lo = 0;
	int			pad = (4 - scale % 4) % 4;
	int			low_weight = -((scale + pad) / 4);
	int			weight = 0;
	uint32		len;
	char	   *p;

	if (mag != 0)
	{
		/* the lowest base-10000 digit ends at the decimal point's grid */
		digs[nd++] = (int16) ((mag % pow10[4 - pad]) * pow10[pad]);
		mag /= pow10[4 - pad];
		while (mag != 0)
		{
			digs[nd++] = (int16) (mag % 10000);
			mag /= 10000;
		}
	}
	while (lo < nd && digs[lo] == 0)
		lo++;
	while (nd > lo && digs[nd - 1] == 0)
		nd--;
	if (nd == lo)
	{
		nd = lo = 0;
		neg = false;
	}
	else
		weight = low_weight + nd - 1;

	if (dscale <= (NUM_SHORT_DSCALE_MASK >> NUM_SHORT_DSCALE_SHIFT) &&
		weight <= NUM_SHORT_WEIGHT_MASK && weight >= -(NUM_SHORT_WEIGHT_MASK + 1))
	{
		uint16		h = NUM_SHORT | (neg ? NUM_SHORT_SIGN : 0) |
			(dscale << NUM_SHORT_DSCALE_SHIFT) |
			(weight < 0 ? NUM_SHORT_WEIGHT_SIGN : 0) |
			(weight & NUM_SHORT_WEIGHT_MASK);

		len = VARHDRSZ + 2 + (nd - lo) * 2;
		memcpy(dst + VARHDRSZ, &h, 2);
		p = dst + VARHDRSZ + 2;
	}
	else
	{
		uint16		h = (neg ? NUM_NEG : 0) | (dscale & NUM_DSCALE_MASK);
		int16		w = (int16) weight;

		len = VARHDRSZ + 4 + (nd - lo) * 2;
		memcpy(dst + VARHDRSZ, &h, 2);
		memcpy(dst + VARHDRSZ + 2, &w, 2);
		p = dst + VARHDRSZ + 4;
	}
	SET_VARSIZE(dst, len);
	for (int k = nd - 1; k >= lo; k--)
	{
		memcpy(p, &digs[k], 2);
		p += 2;
	}
	return len;
}

/*
 * Is the numeric at p (parsed into *np, digits already range-checked by
 * numeric_to_scaled) in the one form numeric_build writes for its value and
 * display scale?  That is: no leading or trailing zero digit, zero with
 * weight 0 and a positive sign, and the short header exactly when the
 * display scale and weight fit it (numeric_parts read every other header
 * bit into *np).  PostgreSQL makes every numeric this way; one that is not
 * (written by old releases) makes the column use another encoding.  This
 * spares rebuilding every value to compare it, which cost as much as the
 * rest of the analysis.
 */
static inline bool
numeric_canonical(const char *p, const NumParts *np)
{
	uint16		h;
	bool		short_fits;
	int16		d;

	memcpy(&h, p, 2);
	short_fits = np->dscale <= (NUM_SHORT_DSCALE_MASK >> NUM_SHORT_DSCALE_SHIFT) &&
		np->weight <= NUM_SHORT_WEIGHT_MASK &&
		np->weight >= -(NUM_SHORT_WEIGHT_MASK + 1);
	if (((h & NUM_SHORT) != 0) != short_fits)
		return false;
	if (np->ndigits == 0)
		return !np->neg && np->weight == 0;
	memcpy(&d, np->digits, 2);
	if (d == 0)
		return false;
	memcpy(&d, np->digits + (np->ndigits - 1) * 2, 2);
	return d != 0;
}

/*
 * Can every numeric be stored as an int64 at one scale (the largest
 * dscale), with its own dscale beside it?  Fills the scaled values and
 * display scales in *an when so.
 */
static bool
analyse_numeric(const DenseValues *dv, Analysis *an)
{
	uint32		n = dv->n;
	int			scale = 0;
#ifdef USE_ASSERT_CHECKING
	union
	{
		char		bytes[NUM_MAX_BUILT + 8];
		int32		align;
	}			scratch;
#endif

	for (uint32 i = 0; i < n; i++)
	{
		NumParts	np;

		if (!numeric_parts(dv->ptrs[i], dv->lens[i], &np))
			return false;
		scale = Max(scale, np.dscale);
	}
	an->scale = scale;
	an->scaled = alloc_huge(sizeof(uint64) * (Size) n);
	an->dscales = alloc_huge(sizeof(uint64) * (Size) n);
	an->min = PG_INT64_MAX;
	an->max = PG_INT64_MIN;
	an->dmin = PG_INT64_MAX;
	an->dmax = PG_INT64_MIN;
	for (uint32 i = 0; i < n; i++)
	{
		NumParts	np;
		int64		u;

		numeric_parts(dv->ptrs[i], dv->lens[i], &np);
		if (!numeric_to_scaled(&np, scale, &u) ||
			!numeric_canonical(dv->ptrs[i], &np))
			return false;
#ifdef USE_ASSERT_CHECKING
		/* the decoder's rebuild gives back exactly these bytes */
		Assert(numeric_build(scratch.bytes, u, scale, np.dscale) == dv->lens[i] + VARHDRSZ &&
			   memcmp(scratch.bytes + VARHDRSZ, dv->ptrs[i], dv->lens[i]) == 0);
#endif
		an->scaled[i] = (uint64) u;
		an->dscales[i] = np.dscale;
		if (u < an->min)
		{
			an->min = u;
			an->argmin = i;
		}
		if (u > an->max)
		{
			an->max = u;
			an->argmax = i;
		}
		an->dmin = Min(an->dmin, np.dscale);
		an->dmax = Max(an->dmax, np.dscale);
	}
	an->scaled_ok = true;
	return true;
}

/* Return the payload size of SCALED_NUMERIC once analysed. */
static uint64
scaled_size(const DenseValues *dv, const Analysis *an)
{
	return 2 + sizeof(int64) + 1 +
		packed_size(dv->n, bit_width((uint64) an->max - (uint64) an->min)) +
		2 + 1 + packed_size(dv->n, bit_width((uint64) (an->dmax - an->dmin)));
}

/*
 * SCALED_NUMERIC: uint16 scale, int64 reference, uint8 w, packed(n, w) of
 * value * 10^scale - reference, uint16 dscale reference, uint8 dw,
 * packed(n, dw) of each value's display scale - dscale reference.
 */
static void
write_scaled_numeric(StringInfo buf, const DenseValues *dv, const Analysis *an)
{
	uint16		scale = (uint16) an->scale;
	uint16		dref = (uint16) an->dmin;
	int			w = bit_width((uint64) an->max - (uint64) an->min);
	int			dw = bit_width((uint64) (an->dmax - an->dmin));

	appendBinaryStringInfo(buf, (const char *) &scale, 2);
	appendBinaryStringInfo(buf, (const char *) &an->min, sizeof(int64));
	appendStringInfoCharMacro(buf, (char) w);
	pack_append(buf, an->scaled, dv->n, (uint64) an->min, w);
	appendBinaryStringInfo(buf, (const char *) &dref, 2);
	appendStringInfoCharMacro(buf, (char) dw);
	pack_append(buf, an->dscales, dv->n, dref, dw);
}

/* SCALED_NUMERIC, VARLENA kind. */
static void
read_scaled_numeric(ImageReader *r, uint32 n, VarOut *vo)
{
	uint16		scale;
	uint16		dref;
	uint64		ref;
	const char *packed;
	const char *dpacked;
	int			w;
	int			dw;
	uint64		mask;
	uint64		dmask;
	uint64		pos = 0;

	memcpy(&scale, reader_take(r, 2), 2);
	if (scale > NUM_DSCALE_MASK)
		corrupted(psprintf("numeric scale %u out of range", scale));
	ref = (uint64) reader_i64(r);
	packed = reader_packed(r, n, 64, &w);
	memcpy(&dref, reader_take(r, 2), 2);
	dpacked = reader_packed(r, n, 14, &dw);
	mask = width_mask(w);
	dmask = width_mask(dw);

	varout_alloc(vo, n, (uint64) n * NUM_MAX_BUILT);
	for (uint32 i = 0; i < n; i++)
	{
		uint64		u = ref + (w > 0 ? unpack_at(packed, i, w, mask) : 0);
		uint64		ds = dref + (dw > 0 ? unpack_at(dpacked, i, dw, dmask) : 0);

		if (ds > NUM_DSCALE_MASK)
			corrupted(psprintf("numeric display scale %llu out of range",
							   (unsigned long long) ds));
		vo->offsets[i] = (uint32) pos;
		pos += INTALIGN(numeric_build(vo->data + pos, (int64) u, scale, (int) ds));
	}
	vo->offsets[n] = (uint32) pos;
}

/* ----------------------------------------------------------------
 *		decoding into the DICT and SCALED forms
 * ----------------------------------------------------------------
 */

/* Unpack n dictionary codes, each checked against nd, into codes. */
static void
unpack_codes(const char *packed, uint32 n, int w, uint32 nd, uint32 *codes)
{
	uint64		mask = width_mask(w);

	if (w == 0)
	{
		memset(codes, 0, sizeof(uint32) * (Size) n);
		return;
	}
	for (uint32 i = 0; i < n; i++)
	{
		uint64		c = unpack_at(packed, i, w, mask);

		check_code(c, nd);
		codes[i] = (uint32) c;
	}
}

/*
 * DICT, as codes and entries: the n dense codes go to codes, the entries
 * (checked sorted and distinct, as read_dict_fixed / read_dict_var do) to
 * dict, a FLAT vector whose kind is already set.
 */
static void
read_dict_form(ImageReader *r, uint32 n, uint32 *codes, ColumnarVector *dict)
{
	ColumnarValueKind kind = dict->kind;
	int			esize = ColumnarKindWidth(kind, dict->fixed_len);
	uint32		nd = reader_u32(r);
	const char *packed;
	int			w;

	if (nd == 0 || nd > n)
		corrupted(psprintf("dictionary of %u entries for %u values", nd, n));
	if (!kind_is_var(kind))
	{
		char	   *entries = alloc_huge((Size) nd * esize);

		memcpy(entries, reader_take(r, (uint64) nd * esize), (Size) nd * esize);
		for (uint32 k = 1; k < nd; k++)
		{
			if (compare_values(kind, entries + (Size) (k - 1) * esize, esize,
							   entries + (Size) k * esize, esize) >= 0)
				corrupted("dictionary entries are not sorted");
		}
		dict->values = entries;
	}
	else
	{
		const char *lens_img = reader_take(r, (uint64) nd * sizeof(uint32));
		uint64		in_total = 0;
		uint64		out_total = 0;
		uint64		pos = 0;
		const char *src;
		const char *prev = NULL;
		uint32		prev_len = 0;
		VarOut		vo;

		for (uint32 k = 0; k < nd; k++)
		{
			uint32		len = load_u32(lens_img + (Size) k * sizeof(uint32));

			in_total += len;
			out_total += var_out_size(kind, len);
		}
		src = reader_take(r, in_total);
		varout_alloc(&vo, nd, out_total);
		for (uint32 k = 0; k < nd; k++)
		{
			uint32		len = load_u32(lens_img + (Size) k * sizeof(uint32));

			if (k > 0 && compare_values(kind, prev, prev_len, src, len) >= 0)
				corrupted("dictionary entries are not sorted");
			vo.offsets[k] = (uint32) pos;
			var_emit(kind, vo.data + pos, src, len);
			pos += var_out_size(kind, len);
			prev = src;
			prev_len = len;
			src += len;
		}
		vo.offsets[nd] = (uint32) pos;
		dict->data = vo.data;
		dict->offsets = vo.offsets;
	}
	dict->nrows = nd;
	packed = reader_codes(r, n, nd, &w);
	unpack_codes(packed, n, w, nd, codes);
}

/* CONSTANT, as a dictionary of one entry (dict's kind is set). */
static void
read_constant_form(ImageReader *r, ColumnarVector *dict)
{
	if (kind_is_var(dict->kind))
	{
		VarOut		vo;

		read_constant_var(r, dict->kind, 1, &vo);
		dict->data = vo.data;
		dict->offsets = vo.offsets;
	}
	else
	{
		int			esize = ColumnarKindWidth(dict->kind, dict->fixed_len);

		dict->values = alloc_huge(esize);
		memcpy(dict->values, reader_take(r, esize), esize);
		if (dict->kind == COLUMNAR_KIND_BOOL)
			check_bools(dict->values, 1);
	}
	dict->nrows = 1;
}

/*
 * SCALED_NUMERIC, as scaled integers: the n dense values go to scaled and,
 * unless every value has the same display scale (returned in *dscale,
 * *dscales set to NULL), their display scales to dscales.
 */
static void
read_scaled_form(ImageReader *r, uint32 n, int64 *scaled, uint16 *dscales,
				 int *scale, int *dscale, bool *uniform)
{
	uint16		sc;
	uint16		dref;
	uint64		ref;
	const char *packed;
	const char *dpacked;
	int			w;
	int			dw;
	uint64		mask;
	uint64		dmask;

	memcpy(&sc, reader_take(r, 2), 2);
	if (sc > NUM_DSCALE_MASK)
		corrupted(psprintf("numeric scale %u out of range", sc));
	ref = (uint64) reader_i64(r);
	packed = reader_packed(r, n, 64, &w);
	memcpy(&dref, reader_take(r, 2), 2);
	dpacked = reader_packed(r, n, 14, &dw);
	mask = width_mask(w);
	dmask = width_mask(dw);
	for (uint32 i = 0; i < n; i++)
		scaled[i] = (int64) (ref + (w > 0 ? unpack_at(packed, i, w, mask) : 0));
	*scale = sc;
	*uniform = dw == 0;
	*dscale = dref;
	if (dref > NUM_DSCALE_MASK)
		corrupted(psprintf("numeric display scale %u out of range", dref));
	if (dw > 0)
	{
		for (uint32 i = 0; i < n; i++)
		{
			uint64		ds = dref + unpack_at(dpacked, i, dw, dmask);

			if (ds > NUM_DSCALE_MASK)
				corrupted(psprintf("numeric display scale %llu out of range",
								   (unsigned long long) ds));
			dscales[i] = (uint16) ds;
		}
	}
}

/* ----------------------------------------------------------------
 *		spreading dense values over rows
 * ----------------------------------------------------------------
 */

/*
 * Move the n dense fixed-width values at the start of values to their rows,
 * zeroing NULL slots; values has room for nrows values, and validity has
 * exactly n bits set (the decoder has checked it).
 */
static void
spread_fixed(char *values, int esize, uint32 nrows, uint32 n,
			 const uint8 *validity)
{
	int64		j = n;

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

/* Return the payload size of PLAIN for dv. */
static uint64
plain_size(const DenseValues *dv)
{
	if (dv->fixed)
		return (uint64) dv->n * dv->esize;
	return (uint64) dv->n * sizeof(uint32) + dv->var_bytes;
}

/* Return the payload size of DICT once the dictionary is built. */
static uint64
dict_size(const DenseValues *dv, const Analysis *an)
{
	return sizeof(uint32) + an->dict_bytes + 1 +
		packed_size(dv->n, bit_width(an->ndistinct - 1));
}

/*
 * Return the most distinct values a dictionary of dv's variable-width
 * values can have and still be smaller than size bytes: each entry takes at
 * least its uint32 length and the shortest value's bytes, and the codes
 * need bit_width(nd - 1) bits each.  Stopping a dictionary there changes no
 * choice, it only spares building dictionaries that cannot win.
 */
static uint32
dict_cap_below(const DenseValues *dv, uint64 size)
{
	uint32		n = dv->n;
	uint64		entry = sizeof(uint32) + dv->min_len;
	uint64		fixed = sizeof(uint32) + 1;
	uint64		cap = 0;

	if (size <= fixed)
		return 0;
	for (int w = 0; w <= 32; w++)
	{
		uint64		codes = packed_size(n, w);
		uint64		by_bits;
		uint64		by_bytes;

		if (fixed + codes >= size)
			break;
		/* nd distinct values need w >= bit_width(nd - 1) */
		by_bits = (w >= 32) ? PG_UINT32_MAX : ((uint64) 1 << w);
		by_bytes = (size - fixed - codes - 1) / entry;
		cap = Max(cap, Min(by_bits, by_bytes));
	}
	return (uint32) Min(cap, PG_UINT32_MAX);
}

/* Count runs of equal values and the longest run. */
static void
analyse_runs(const DenseValues *dv, Analysis *an)
{
	uint32		nruns = 1;
	uint32		start = 0;
	uint32		max_run = 0;

	for (uint32 i = 1; i < dv->n; i++)
	{
		bool		same = dv->keys ? dv->keys[i] == dv->keys[i - 1] :
			dense_equal(dv, i, i - 1);

		if (!same)
		{
			max_run = Max(max_run, i - start);
			start = i;
			nruns++;
		}
	}
	an->nruns = nruns;
	an->max_run = Max(max_run, dv->n - start);
}

/* Find the minimum, maximum and smallest and largest delta of integers. */
static void
analyse_ints(const DenseValues *dv, Analysis *an)
{
	const uint64 *k = dv->keys;
	int64		min = (int64) k[0];
	int64		max = min;
	int64		dmin = PG_INT64_MAX;
	int64		dmax = PG_INT64_MIN;

	for (uint32 i = 1; i < dv->n; i++)
	{
		int64		v = (int64) k[i];
		int64		d = (int64) (k[i] - k[i - 1]);

		min = Min(min, v);
		max = Max(max, v);
		dmin = Min(dmin, d);
		dmax = Max(dmax, d);
	}
	an->min = min;
	an->max = max;
	an->dmin = dmin;
	an->dmax = dmax;
}

/*
 * Analyse the values and return the encoding with the smallest payload;
 * PLAIN wins ties, being the fastest to decode.
 */
static ColumnarEncoding
choose_encoding(const DenseValues *dv, Oid typid, Analysis *an)
{
	ColumnarEncoding best = COLUMNAR_ENC_PLAIN;
	uint64		best_size;

#define CONSIDER(enc, size) \
	do { \
		uint64		sz_ = (size); \
		if (sz_ < best_size) \
		{ \
			best = (enc); \
			best_size = sz_; \
		} \
	} while (0)

	if (dv->n == 0)
		return COLUMNAR_ENC_ALL_NULL;
	best_size = plain_size(dv);

	if (kind_is_var(dv->kind))
	{
		uint32		cap;

		if (all_equal(dv))
			return COLUMNAR_ENC_CONSTANT;

		/* numerics first: a dictionary must then beat the scaled integers */
		if (dv->kind == COLUMNAR_KIND_VARLENA && typid == NUMERICOID &&
			analyse_numeric(dv, an))
			CONSIDER(COLUMNAR_ENC_SCALED_NUMERIC, scaled_size(dv, an));
		cap = Min(dv->n - dv->n / 4, dict_cap_below(dv, best_size));
		if (cap >= 2 && build_dict(dv, an, cap))
			CONSIDER(COLUMNAR_ENC_DICT, dict_size(dv, an));
		return best;
	}

	analyse_runs(dv, an);
	if (an->nruns == 1)
		return COLUMNAR_ENC_CONSTANT;
	CONSIDER(COLUMNAR_ENC_RLE,
			 sizeof(uint32) + (uint64) an->nruns * dv->esize + 1 +
			 packed_size(an->nruns, bit_width(an->max_run - 1)));

	if (kind_is_int(dv->kind))
	{
		analyse_ints(dv, an);
		CONSIDER(COLUMNAR_ENC_FOR,
				 sizeof(int64) + 1 +
				 packed_size(dv->n, bit_width((uint64) an->max - (uint64) an->min)));
		CONSIDER(COLUMNAR_ENC_DELTA_FOR,
				 2 * sizeof(int64) + 1 +
				 packed_size(dv->n - 1, bit_width((uint64) an->dmax - (uint64) an->dmin)));
	}

	/*
	 * A dictionary pays off for few distinct values; for integers only when
	 * their spread is wide, else FOR is as small and faster to build.
	 */
	if (dv->kind != COLUMNAR_KIND_BOOL &&
		(!kind_is_int(dv->kind) ||
		 bit_width((uint64) an->max - (uint64) an->min) > 8) &&
		build_dict(dv, an, Min(dv->n / 2 + 1,
							   kind_is_int(dv->kind) ? 4096 : 65536)))
		CONSIDER(COLUMNAR_ENC_DICT, dict_size(dv, an));
	return best;
#undef CONSIDER
}

/* ----------------------------------------------------------------
 *		public interface
 * ----------------------------------------------------------------
 */

/*
 * Is the type's order that of its values read as (sign-extended) integers?
 */
static bool
integer_ordered(const ColumnarVector *vec)
{
	switch (vec->typid)
	{
		case INT2OID:
			return vec->kind == COLUMNAR_KIND_INT16;
		case INT4OID:
		case DATEOID:
			return vec->kind == COLUMNAR_KIND_INT32;
		case INT8OID:
		case TIMEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return vec->kind == COLUMNAR_KIND_INT64;
		case BOOLOID:
			return vec->kind == COLUMNAR_KIND_BOOL;
		default:
			return false;
	}
}

/*
 * Fill stats->minmax_rows from what the analysis found (see
 * ColumnarEncodeStats): the first row of every dictionary entry, the
 * constant's row, or the rows of the smallest and largest integer or
 * scaled numeric.
 */
static void
find_minmax_rows(const ColumnarVector *vec, const DenseValues *dv,
				 const Analysis *an, ColumnarEncoding enc,
				 ColumnarEncodeStats *stats)
{
	uint32	   *idx;
	uint32		k = 0;

	stats->minmax_rows = NULL;
	stats->nminmax_rows = 0;
	if (dv->n == 0)
		return;
	if (enc == COLUMNAR_ENC_CONSTANT)
	{
		idx = palloc(sizeof(uint32));
		idx[k++] = 0;
	}
	else if (an->scaled_ok || (dv->keys && integer_ordered(vec)))
	{
		uint32		lo = 0;
		uint32		hi = 0;

		if (an->scaled_ok)
		{
			lo = an->argmin;
			hi = an->argmax;
		}
		else
		{
			for (uint32 i = 1; i < dv->n; i++)
			{
				if ((int64) dv->keys[i] < (int64) dv->keys[lo])
					lo = i;
				else if ((int64) dv->keys[i] > (int64) dv->keys[hi])
					hi = i;
			}
		}
		idx = palloc(sizeof(uint32) * 2);
		idx[k++] = Min(lo, hi);
		if (hi != lo)
			idx[k++] = Max(lo, hi);
	}
	else if (an->ndistinct > 0)
	{
		/* first-seen order: ascending already */
		if (an->ndistinct > dv->n / 2)
			return;
		idx = palloc(sizeof(uint32) * an->ndistinct);
		memcpy(idx, an->first, sizeof(uint32) * an->ndistinct);
		k = an->ndistinct;
	}
	else
		return;

	/* dense indexes to row numbers */
	if (vec->nnulls > 0)
	{
		uint32		j = 0;
		uint32		t = 0;

		for (uint32 i = 0; i < vec->nrows && t < k; i++)
		{
			if (!COLUMNAR_VALID(vec, i))
				continue;
			if (j == idx[t])
				idx[t++] = i;
			j++;
		}
		Assert(t == k);
	}
	stats->minmax_rows = idx;
	stats->nminmax_rows = k;
}

/*
 * Append the encoded image of vec to buf; returns the encoding chosen.
 */
ColumnarEncoding
ColumnarEncodeVector(const ColumnarVector *vec, StringInfo buf)
{
	return ColumnarEncodeVectorStats(vec, buf, NULL);
}

/*
 * Append the encoded image of vec to buf and describe it in *stats (unless
 * stats is NULL); returns the encoding chosen.
 */
ColumnarEncoding
ColumnarEncodeVectorStats(const ColumnarVector *vec, StringInfo buf,
						  ColumnarEncodeStats *stats)
{
	EncHeader	hdr;
	DenseValues dv;
	Analysis	an;
	ColumnarEncoding enc;
	int			esize = ColumnarKindWidth(vec->kind, vec->fixed_len);

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
	memset(&an, 0, sizeof(an));
	enc = choose_encoding(&dv, vec->typid, &an);

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
		case COLUMNAR_ENC_RLE:
			write_rle(buf, &dv, &an);
			break;
		case COLUMNAR_ENC_FOR:
			write_for(buf, &dv, &an);
			break;
		case COLUMNAR_ENC_DELTA_FOR:
			write_delta_for(buf, &dv, &an);
			break;
		case COLUMNAR_ENC_DICT:
			write_dict(buf, &dv, &an);
			break;
		case COLUMNAR_ENC_SCALED_NUMERIC:
			write_scaled_numeric(buf, &dv, &an);
			break;
		default:
			elog(ERROR, "unexpected columnar encoding %d", (int) enc);
	}

	if (stats)
		find_minmax_rows(vec, &dv, &an, enc, stats);
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
 * Check an image's header against the vector it is decoded into; returns
 * its number of non-NULL values.
 */
static uint32
check_header(const EncHeader *hdr, const ColumnarVector *out)
{
	uint32		n;

	if (hdr->kind != (uint8) out->kind)
		corrupted(psprintf("image holds value kind %u, expected %u",
						   hdr->kind, (unsigned) out->kind));
	if (out->kind == COLUMNAR_KIND_FIXED ? hdr->fixed_len != out->fixed_len : hdr->fixed_len != 0)
		corrupted(psprintf("image holds values of %u bytes, expected %d",
						   hdr->fixed_len, ColumnarKindWidth(out->kind, out->fixed_len)));
	if (hdr->flags != 0)
		corrupted(psprintf("unknown flags 0x%02x", hdr->flags));
	if (hdr->nrows > COLUMNAR_ENC_MAX_ROWS)
		corrupted(psprintf("row count %u exceeds the maximum of %u",
						   hdr->nrows, COLUMNAR_ENC_MAX_ROWS));
	if (hdr->nnulls > hdr->nrows)
		corrupted(psprintf("NULL count %u exceeds row count %u", hdr->nnulls, hdr->nrows));
	n = hdr->nrows - hdr->nnulls;
	if ((n == 0) != (hdr->encoding == COLUMNAR_ENC_ALL_NULL))
		corrupted(psprintf("encoding %s does not fit %u non-NULL values",
						   encoding_names[hdr->encoding], n));
	return n;
}

/*
 * Read and check the validity bitmap of an image with n non-NULL values;
 * returns a palloc'd copy, or NULL when there are no NULLs.
 */
static uint8 *
read_validity(ImageReader *r, const EncHeader *hdr, uint32 n)
{
	uint32		nrows = hdr->nrows;
	uint32		nbytes = (nrows + 7) / 8;
	uint8	   *validity;

	if (hdr->nnulls == 0)
		return NULL;
	validity = palloc(nbytes > 0 ? nbytes : 1);
	if (n == 0)
		memset(validity, 0, nbytes);
	else
	{
		memcpy(validity, reader_take(r, nbytes), nbytes);
		if (nrows % 8 != 0 &&
			(validity[nbytes - 1] & ~((1 << (nrows % 8)) - 1)) != 0)
			corrupted("validity bitmap has bits set past the last row");
		if (pg_popcount((const char *) validity, nbytes) != n)
			corrupted("validity bitmap does not match the NULL count");
	}
	return validity;
}

/*
 * Decode an image made by ColumnarEncodeVector into *out.
 */
void
ColumnarDecodeVector(const char *image, Size len, ColumnarVector *out)
{
	ColumnarDecodeVectorForms(image, len, out, 0);
}

/*
 * Decode an image into *out, in the DICT or SCALED form where accept allows
 * (see columnar_encoding.h).
 */
void
ColumnarDecodeVectorForms(const char *image, Size len, ColumnarVector *out,
						  int accept)
{
	EncHeader	hdr = read_header(image, len);
	ImageReader r;
	ColumnarValueKind kind = out->kind;
	int			esize = ColumnarKindWidth(kind, out->fixed_len);
	bool		var = kind_is_var(kind);
	uint32		nrows = hdr.nrows;
	uint32		n;
	uint8	   *validity = NULL;
	char	   *values = NULL;
	VarOut		vo = {NULL, NULL};
	ColumnarVectorForm form = COLUMNAR_FORM_FLAT;
	uint32	   *codes = NULL;
	ColumnarVector *dict = NULL;
	int64	   *scaled = NULL;
	uint16	   *dscales = NULL;
	int			scale = 0;
	int			dscale = 0;

	n = check_header(&hdr, out);
	r.pos = image + sizeof(EncHeader);
	r.end = image + len;
	r.encoding = (ColumnarEncoding) hdr.encoding;
	validity = read_validity(&r, &hdr, n);

	if ((accept & COLUMNAR_ACCEPT_DICT) &&
		(hdr.encoding == COLUMNAR_ENC_DICT || hdr.encoding == COLUMNAR_ENC_CONSTANT))
	{
		form = COLUMNAR_FORM_DICT;
		dict = palloc0(sizeof(ColumnarVector));
		dict->kind = kind;
		dict->typid = out->typid;
		dict->fixed_len = out->fixed_len;
	}
	else if ((accept & COLUMNAR_ACCEPT_SCALED) &&
			 hdr.encoding == COLUMNAR_ENC_SCALED_NUMERIC && kind == COLUMNAR_KIND_VARLENA)
		form = COLUMNAR_FORM_SCALED;

	if (form == COLUMNAR_FORM_DICT)
	{
		if (hdr.encoding == COLUMNAR_ENC_DICT)
		{
			codes = alloc_huge(sizeof(uint32) * (Size) Max(nrows, 1));
			read_dict_form(&r, n, codes, dict);
		}
		else
			read_constant_form(&r, dict);
	}
	else if (form == COLUMNAR_FORM_SCALED)
	{
		bool		uniform;

		scaled = alloc_huge(sizeof(int64) * (Size) Max(nrows, 1));
		dscales = alloc_huge(sizeof(uint16) * (Size) Max(nrows, 1));
		read_scaled_form(&r, n, scaled, dscales, &scale, &dscale, &uniform);
		if (uniform)
		{
			pfree(dscales);
			dscales = NULL;
		}
	}
	else
	{
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
					fill_fixed(values, reader_take(&r, esize), esize, n);
				break;
			case COLUMNAR_ENC_RLE:
				if (var)
					goto invalid;
				read_rle_fixed(&r, esize, n, values);
				break;
			case COLUMNAR_ENC_FOR:
				if (!kind_is_int(kind))
					goto invalid;
				read_for(&r, kind, esize, n, values);
				break;
			case COLUMNAR_ENC_DELTA_FOR:
				if (!kind_is_int(kind))
					goto invalid;
				read_delta_for(&r, kind, n, values);
				break;
			case COLUMNAR_ENC_DICT:
				if (var)
					read_dict_var(&r, kind, n, &vo);
				else
					read_dict_fixed(&r, kind, esize, n, values);
				break;
			case COLUMNAR_ENC_SCALED_NUMERIC:
				if (kind != COLUMNAR_KIND_VARLENA)
					goto invalid;
				read_scaled_numeric(&r, n, &vo);
				break;
			default:
		invalid:
				corrupted(psprintf("encoding %s is not valid for value kind %u",
								   encoding_names[hdr.encoding], (unsigned) kind));
		}
	}

	if (r.pos != r.end)
		corrupted(psprintf("%zu bytes of garbage after the %s payload",
						   (Size) (r.end - r.pos), encoding_names[hdr.encoding]));

	out->nrows = nrows;
	out->nnulls = hdr.nnulls;
	out->validity = validity;
	out->form = form;
	if (form == COLUMNAR_FORM_DICT)
	{
		if (kind == COLUMNAR_KIND_BOOL)
			check_bools((const uint8 *) dict->values, dict->nrows);
		if (codes && hdr.nnulls > 0)
			spread_fixed((char *) codes, sizeof(uint32), nrows, n, validity);
		out->codes = codes;
		out->dict = dict;
		out->dict_serial = ColumnarDictSerial();
		out->values = NULL;
		out->offsets = NULL;
		out->data = NULL;
		return;
	}
	if (form == COLUMNAR_FORM_SCALED)
	{
		if (hdr.nnulls > 0)
		{
			spread_fixed((char *) scaled, sizeof(int64), nrows, n, validity);
			if (dscales)
				spread_fixed((char *) dscales, sizeof(uint16), nrows, n, validity);
		}
		out->scaled = scaled;
		out->scale = scale;
		out->dscales = dscales;
		out->dscale = dscale;
		out->values = NULL;
		out->offsets = NULL;
		out->data = NULL;
		return;
	}
	if (kind == COLUMNAR_KIND_BOOL)
		check_bools((const uint8 *) values, n);
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
				spread_fixed(values, esize, nrows, n, validity);
		}
		out->values = values;
		out->offsets = NULL;
		out->data = NULL;
	}
}

/*
 * Return the value of row d of a FOR or DICT code area as the kind's
 * integer (FOR: ref + packed value, wrapped like the flat decoder does).
 */
static inline int64
for_value(ColumnarValueKind kind, uint64 ref, const char *packed, int w,
		  uint64 mask, uint64 d)
{
	uint64		v = ref + (w > 0 ? unpack_at(packed, d, w, mask) : 0);

	switch (kind)
	{
		case COLUMNAR_KIND_BOOL:
			return (uint8) v;
		case COLUMNAR_KIND_INT16:
			return (int16) v;
		case COLUMNAR_KIND_INT32:
			return (int32) v;
		default:
			return (int64) v;
	}
}

/* Store integer v as a value of a fixed-width integer kind at dst. */
static inline void
store_int(ColumnarValueKind kind, char *dst, int64 v)
{
	switch (kind)
	{
		case COLUMNAR_KIND_BOOL:
			*(uint8 *) dst = (uint8) v;
			break;
		case COLUMNAR_KIND_INT16:
			*(int16 *) dst = (int16) v;
			break;
		case COLUMNAR_KIND_INT32:
			*(int32 *) dst = (int32) v;
			break;
		default:
			*(int64 *) dst = v;
			break;
	}
}

/*
 * Decode only rows rows[0 .. nsel - 1] (ascending, each below the image's
 * row count) of an image into *out, a FLAT vector of nsel rows whose kind,
 * typid and fixed_len the caller set: row k of out is row rows[k] of the
 * image.  The whole image is still checked as ColumnarDecodeVector checks
 * it, but only the chosen values are unpacked and built, so picking a few
 * rows out of a segment costs little more than reading it.
 */
/*
 * Return how many of the rows from .. to - 1 a validity bitmap says are
 * not NULL (whole bytes counted at once: a fetch by TID asks for one row
 * far into a segment).
 */
static uint64
count_valid(const uint8 *validity, uint32 from, uint32 to)
{
	uint64		n = 0;

	while (from < to && (from & 7) != 0)
	{
		n += (validity[from >> 3] >> (from & 7)) & 1;
		from++;
	}
	if (to - from >= 8)
	{
		uint32		nbytes = (to - from) / 8;

		n += pg_popcount((const char *) validity + (from >> 3), nbytes);
		from += nbytes * 8;
	}
	while (from < to)
	{
		n += (validity[from >> 3] >> (from & 7)) & 1;
		from++;
	}
	return n;
}

void
ColumnarDecodeRows(const char *image, Size len, ColumnarVector *out,
				   const uint32 *rows, uint32 nsel)
{
	EncHeader	hdr = read_header(image, len);
	ImageReader r;
	ColumnarValueKind kind = out->kind;
	int			esize = ColumnarKindWidth(kind, out->fixed_len);
	bool		var = kind_is_var(kind);
	uint32		n = check_header(&hdr, out);
	uint8	   *validity;
	int64	   *dense;			/* per chosen row: its non-NULL index, or -1 */
	const char **vptr = NULL;	/* var kinds: each chosen value's bytes */
	uint32	   *vlen = NULL;
	char	   *values = NULL;
	uint32		nnulls = 0;

	r.pos = image + sizeof(EncHeader);
	r.end = image + len;
	r.encoding = (ColumnarEncoding) hdr.encoding;
	validity = read_validity(&r, &hdr, n);

	/* which non-NULL value each chosen row holds */
	dense = palloc(sizeof(int64) * Max(nsel, 1));
	{
		uint32		row = 0;
		int64		d = 0;

		for (uint32 k = 0; k < nsel; k++)
		{
			if (rows[k] >= hdr.nrows || (k > 0 && rows[k] <= rows[k - 1]))
				elog(ERROR, "columnar rows to decode are out of order or range");
			d += validity == NULL ? rows[k] - row : count_valid(validity, row, rows[k]);
			row = rows[k];
			if (validity != NULL && !((validity[row >> 3] >> (row & 7)) & 1))
			{
				dense[k] = -1;
				nnulls++;
			}
			else
				dense[k] = d;
		}
	}
	if (var)
	{
		vptr = palloc0(sizeof(char *) * Max(nsel, 1));
		vlen = palloc0(sizeof(uint32) * Max(nsel, 1));
	}
	else
		values = palloc0((Size) Max(nsel, 1) * esize);

	switch (hdr.encoding)
	{
		case COLUMNAR_ENC_ALL_NULL:
			break;
		case COLUMNAR_ENC_PLAIN:
			if (var)
			{
				const char *lens = reader_take(&r, (uint64) n * sizeof(uint32));
				uint64		total = 0;
				uint64		pos = 0;
				uint32		i = 0;
				const char *src;

				for (uint32 j = 0; j < n; j++)
					total += load_u32(lens + (Size) j * sizeof(uint32));
				src = reader_take(&r, total);
				for (uint32 k = 0; k < nsel; k++)
				{
					if (dense[k] < 0)
						continue;
					for (; i < dense[k]; i++)
						pos += load_u32(lens + (Size) i * sizeof(uint32));
					vptr[k] = src + pos;
					vlen[k] = load_u32(lens + (Size) i * sizeof(uint32));
				}
			}
			else
			{
				const char *src = reader_take(&r, (uint64) n * esize);

				for (uint32 k = 0; k < nsel; k++)
					if (dense[k] >= 0)
						memcpy(values + (Size) k * esize, src + (Size) dense[k] * esize, esize);
			}
			break;
		case COLUMNAR_ENC_CONSTANT:
			if (var)
			{
				uint32		vl = reader_u32(&r);
				const char *src = reader_take(&r, vl);

				for (uint32 k = 0; k < nsel; k++)
					if (dense[k] >= 0)
					{
						vptr[k] = src;
						vlen[k] = vl;
					}
			}
			else
			{
				const char *src = reader_take(&r, esize);

				for (uint32 k = 0; k < nsel; k++)
					if (dense[k] >= 0)
						memcpy(values + (Size) k * esize, src, esize);
			}
			break;
		case COLUMNAR_ENC_RLE:
			{
				uint32		nruns;
				const char *vals;
				const char *packed;
				int			w;
				uint64		mask;
				uint64		run_end = 0;
				uint32		run = 0;
				uint32		k = 0;

				if (var)
					goto invalid;
				nruns = reader_u32(&r);
				if (nruns == 0 || nruns > n)
					corrupted(psprintf("rle run count %u does not fit %u values", nruns, n));
				vals = reader_take(&r, (uint64) nruns * esize);
				packed = reader_packed(&r, nruns, 32, &w);
				mask = width_mask(w);
				for (run = 0; run < nruns; run++)
				{
					uint64		rl = (w > 0 ? unpack_at(packed, run, w, mask) : 0) + 1;

					if (rl > n - run_end)
						corrupted("rle runs exceed the value count");
					run_end += rl;
					for (; k < nsel && (dense[k] < 0 || (uint64) dense[k] < run_end); k++)
						if (dense[k] >= 0)
							memcpy(values + (Size) k * esize, vals + (Size) run * esize, esize);
				}
				if (run_end != n)
					corrupted("rle runs do not cover the value count");
			}
			break;
		case COLUMNAR_ENC_FOR:
			{
				uint64		ref;
				const char *packed;
				int			w;
				uint64		mask;

				if (!kind_is_int(kind))
					goto invalid;
				ref = (uint64) reader_i64(&r);
				packed = reader_packed(&r, n, esize * 8, &w);
				mask = width_mask(w);
				for (uint32 k = 0; k < nsel; k++)
					if (dense[k] >= 0)
						store_int(kind, values + (Size) k * esize,
								  for_value(kind, ref, packed, w, mask, dense[k]));
			}
			break;
		case COLUMNAR_ENC_DELTA_FOR:
			{
				uint64		first;
				uint64		ref;
				const char *packed;
				int			w;
				uint64		mask;
				uint64		acc;
				int64		at = 0;

				if (!kind_is_int(kind))
					goto invalid;
				first = (uint64) reader_i64(&r);
				ref = (uint64) reader_i64(&r);
				packed = reader_packed(&r, n - 1, 64, &w);
				mask = width_mask(w);
				acc = first;
				for (uint32 k = 0; k < nsel; k++)
				{
					if (dense[k] < 0)
						continue;
					for (; at < dense[k]; at++)
						acc += ref + (w > 0 ? unpack_at(packed, at, w, mask) : 0);
					store_int(kind, values + (Size) k * esize,
							  for_value(kind, acc, NULL, 0, 0, 0));
				}
			}
			break;
		case COLUMNAR_ENC_DICT:
			{
				uint32		nd = reader_u32(&r);
				const char *entries = NULL;
				const char *lens_img = NULL;
				uint32	   *eoff = NULL;
				const char *packed;
				int			w;
				uint64		mask;

				if (nd == 0 || nd > n)
					corrupted(psprintf("dictionary of %u entries for %u values", nd, n));
				if (var)
				{
					uint64		total = 0;

					lens_img = reader_take(&r, (uint64) nd * sizeof(uint32));
					eoff = palloc(sizeof(uint32) * (nd + 1));
					for (uint32 e = 0; e < nd; e++)
					{
						if (total > PG_UINT32_MAX)
							corrupted("dictionary entries exceed 4 GB");
						eoff[e] = (uint32) total;
						total += load_u32(lens_img + (Size) e * sizeof(uint32));
					}
					entries = reader_take(&r, total);
					for (uint32 e = 1; e < nd; e++)
						if (compare_values(kind, entries + eoff[e - 1],
										   load_u32(lens_img + (Size) (e - 1) * sizeof(uint32)),
										   entries + eoff[e],
										   load_u32(lens_img + (Size) e * sizeof(uint32))) >= 0)
							corrupted("dictionary entries are not sorted");
				}
				else
				{
					entries = reader_take(&r, (uint64) nd * esize);
					for (uint32 e = 1; e < nd; e++)
						if (compare_values(kind, entries + (Size) (e - 1) * esize, esize,
										   entries + (Size) e * esize, esize) >= 0)
							corrupted("dictionary entries are not sorted");
				}
				packed = reader_codes(&r, n, nd, &w);
				mask = width_mask(w);
				for (uint32 k = 0; k < nsel; k++)
				{
					uint64		c;

					if (dense[k] < 0)
						continue;
					c = w > 0 ? unpack_at(packed, dense[k], w, mask) : 0;
					check_code(c, nd);
					if (var)
					{
						vptr[k] = entries + eoff[c];
						vlen[k] = load_u32(lens_img + (Size) c * sizeof(uint32));
					}
					else
						memcpy(values + (Size) k * esize, entries + (Size) c * esize, esize);
				}
			}
			break;
		case COLUMNAR_ENC_SCALED_NUMERIC:
			{
				uint16		scale;
				uint16		dref;
				uint64		ref;
				const char *packed;
				const char *dpacked;
				int			w;
				int			dw;
				uint64		mask;
				uint64		dmask;
				char	   *built;

				if (kind != COLUMNAR_KIND_VARLENA)
					goto invalid;
				memcpy(&scale, reader_take(&r, 2), 2);
				if (scale > NUM_DSCALE_MASK)
					corrupted(psprintf("numeric scale %u out of range", scale));
				ref = (uint64) reader_i64(&r);
				packed = reader_packed(&r, n, 64, &w);
				memcpy(&dref, reader_take(&r, 2), 2);
				dpacked = reader_packed(&r, n, 14, &dw);
				mask = width_mask(w);
				dmask = width_mask(dw);
				built = palloc((Size) Max(nsel, 1) * NUM_MAX_BUILT);
				for (uint32 k = 0; k < nsel; k++)
				{
					uint64		u;
					uint64		ds;
					uint32		bl;

					if (dense[k] < 0)
						continue;
					u = ref + (w > 0 ? unpack_at(packed, dense[k], w, mask) : 0);
					ds = dref + (dw > 0 ? unpack_at(dpacked, dense[k], dw, dmask) : 0);
					if (ds > NUM_DSCALE_MASK)
						corrupted(psprintf("numeric display scale %llu out of range",
										   (unsigned long long) ds));
					/* built holds the whole varlena: emitted below as is */
					bl = numeric_build(built + (Size) k * NUM_MAX_BUILT, (int64) u, scale, (int) ds);
					vptr[k] = built + (Size) k * NUM_MAX_BUILT + VARHDRSZ;
					vlen[k] = bl - VARHDRSZ;
				}
			}
			break;
		default:
	invalid:
			corrupted(psprintf("encoding %s is not valid for value kind %u",
							   encoding_names[hdr.encoding], (unsigned) kind));
	}
	if (r.pos != r.end)
		corrupted(psprintf("%zu bytes of garbage after the %s payload",
						   (Size) (r.end - r.pos), encoding_names[hdr.encoding]));
	if (kind == COLUMNAR_KIND_BOOL)
		for (uint32 k = 0; k < nsel; k++)
			if (dense[k] >= 0 && (uint8) values[k] > 1)
				corrupted("boolean value out of range");

	out->form = COLUMNAR_FORM_FLAT;
	out->nrows = nsel;
	out->nnulls = nnulls;
	out->validity = NULL;
	if (nnulls > 0)
	{
		out->validity = palloc0(nsel / 8 + 1);
		for (uint32 k = 0; k < nsel; k++)
			if (dense[k] >= 0)
				out->validity[k >> 3] |= 1 << (k & 7);
	}
	if (var)
	{
		uint64		total = 0;
		uint64		pos = 0;
		VarOut		vo;

		for (uint32 k = 0; k < nsel; k++)
			if (vptr[k])
				total += var_out_size(kind, vlen[k]);
		varout_alloc(&vo, nsel, total);
		for (uint32 k = 0; k < nsel; k++)
		{
			vo.offsets[k] = (uint32) pos;
			if (vptr[k])
			{
				var_emit(kind, vo.data + pos, vptr[k], vlen[k]);
				pos += var_out_size(kind, vlen[k]);
			}
		}
		vo.offsets[nsel] = (uint32) pos;
		out->data = vo.data;
		out->offsets = vo.offsets;
		out->values = NULL;
	}
	else
	{
		out->values = values;
		out->offsets = NULL;
		out->data = NULL;
	}
	pfree(dense);
}

/*
 * Return a number no other dictionary of this backend has had, so that
 * code caching results per dictionary can tell a new one from a freed one
 * at the same address.
 */
uint64
ColumnarDictSerial(void)
{
	static uint64 serial = 0;

	return ++serial;
}

/*
 * Write a numeric of the SCALED form (see columnar_encoding.h).
 */
uint32
ColumnarScaledNumeric(char *dst, int64 scaled, int scale, int dscale)
{
	return numeric_build(dst, scaled, scale, dscale);
}

/*
 * Turn a DICT or SCALED vector into the FLAT form, allocating its values
 * in CurrentMemoryContext; a FLAT vector is left alone.
 */
void
ColumnarFlattenVector(ColumnarVector *vec)
{
	uint32		nrows = vec->nrows;

	if (vec->form == COLUMNAR_FORM_DICT)
	{
		ColumnarVector *dict = vec->dict;

		if (!kind_is_var(vec->kind))
		{
			int			esize = ColumnarKindWidth(vec->kind, vec->fixed_len);
			char	   *values = alloc_huge((Size) Max(nrows, 1) * esize);

			for (uint32 i = 0; i < nrows; i++)
			{
				char	   *dst = values + (Size) i * esize;

				if (!COLUMNAR_VALID(vec, i))
					memset(dst, 0, esize);
				else
					memcpy(dst, (char *) dict->values +
						   (Size) (vec->codes ? vec->codes[i] : 0) * esize, esize);
			}
			vec->values = values;
		}
		else
		{
			uint64		total = 0;
			uint64		pos = 0;
			VarOut		vo;

			for (uint32 i = 0; i < nrows; i++)
			{
				uint32		c = vec->codes ? vec->codes[i] : 0;

				if (COLUMNAR_VALID(vec, i))
					total += dict->offsets[c + 1] - dict->offsets[c];
			}
			varout_alloc(&vo, nrows, total);
			for (uint32 i = 0; i < nrows; i++)
			{
				uint32		c = vec->codes ? vec->codes[i] : 0;

				vo.offsets[i] = (uint32) pos;
				if (COLUMNAR_VALID(vec, i))
				{
					uint32		len = dict->offsets[c + 1] - dict->offsets[c];

					memcpy(vo.data + pos, dict->data + dict->offsets[c], len);
					pos += len;
				}
			}
			vo.offsets[nrows] = (uint32) pos;
			vec->data = vo.data;
			vec->offsets = vo.offsets;
		}
		vec->codes = NULL;
		vec->dict = NULL;
	}
	else if (vec->form == COLUMNAR_FORM_SCALED)
	{
		uint64		pos = 0;
		VarOut		vo;

		varout_alloc(&vo, nrows, (uint64) (nrows - vec->nnulls) * NUM_MAX_BUILT);
		for (uint32 i = 0; i < nrows; i++)
		{
			vo.offsets[i] = (uint32) pos;
			if (COLUMNAR_VALID(vec, i))
				pos += INTALIGN(numeric_build(vo.data + pos, vec->scaled[i], vec->scale,
											  vec->dscales ? vec->dscales[i] : vec->dscale));
		}
		vo.offsets[nrows] = (uint32) pos;
		vec->data = vo.data;
		vec->offsets = vo.offsets;
		vec->scaled = NULL;
		vec->dscales = NULL;
	}
	vec->form = COLUMNAR_FORM_FLAT;
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
 * Set the row and NULL counts an image's header states, without decoding
 * it.
 */
void
ColumnarImageCounts(const char *image, Size len, uint32 *nrows, uint32 *nnulls)
{
	EncHeader	hdr = read_header(image, len);

	*nrows = hdr.nrows;
	*nnulls = hdr.nnulls;
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
