/*-------------------------------------------------------------------------
 *
 * columnar_encoding_probe.c
 *	  SQL-callable diagnostics of the column-chunk encodings.
 *
 * These functions turn an array into a ColumnarVector the way the columnar
 * writer would, encode it, decode the image again and compare every value,
 * so the regression tests can exercise every kind and encoding from SQL,
 * including damaged and truncated images.  They are diagnostics for
 * developers: installed in schema biwh, not executable by PUBLIC.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "funcapi.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "columnar_encoding.h"
#include "columnar_vector.h"

PG_FUNCTION_INFO_V1(encoding_probe);
PG_FUNCTION_INFO_V1(encoding_image);
PG_FUNCTION_INFO_V1(encoding_decode_equal);
PG_FUNCTION_INFO_V1(encoding_probe_corrupt);

/*
 * Build a ColumnarVector from an array, as the columnar writer would.
 * Returns the vector; *raw_bytes gets the bytes its values occupy.
 */
static ColumnarVector *
vector_from_array(ArrayType *arr, int64 *raw_bytes)
{
	ColumnarVector *vec = palloc0(sizeof(ColumnarVector));
	Oid			typid = ARR_ELEMTYPE(arr);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *datums;
	bool	   *nulls;
	int			n;
	int			esize = 0;

	get_typlenbyvalalign(typid, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, typid, typlen, typbyval, typalign,
					  &datums, &nulls, &n);

	vec->typid = getBaseType(typid);
	vec->kind = ColumnarKindForType(vec->typid, typlen, typbyval, &vec->fixed_len);
	vec->nrows = n;
	vec->validity = palloc0((n + 7) / 8 + 1);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			vec->nnulls++;
		else
			vec->validity[i >> 3] |= 1 << (i & 7);
	}
	if (vec->nnulls == 0)
		vec->validity = NULL;

	esize = ColumnarKindWidth(vec->kind, vec->fixed_len);

	if (esize > 0)
	{
		char	   *values = palloc0((Size) n * esize + 1);

		for (int i = 0; i < n; i++)
		{
			char	   *dst = values + (Size) i * esize;

			if (nulls[i])
				continue;
			switch (vec->kind)
			{
				case COLUMNAR_KIND_INT16:
					*(int16 *) dst = DatumGetInt16(datums[i]);
					break;
				case COLUMNAR_KIND_INT32:
					*(int32 *) dst = DatumGetInt32(datums[i]);
					break;
				case COLUMNAR_KIND_INT64:
					*(int64 *) dst = DatumGetInt64(datums[i]);
					break;
				case COLUMNAR_KIND_FLOAT4:
					*(float4 *) dst = DatumGetFloat4(datums[i]);
					break;
				case COLUMNAR_KIND_FLOAT8:
					*(float8 *) dst = DatumGetFloat8(datums[i]);
					break;
				case COLUMNAR_KIND_BOOL:
					*(bool *) dst = DatumGetBool(datums[i]);
					break;
				default:
					if (typbyval)
						store_att_byval(dst, datums[i], typlen);
					else
						memcpy(dst, DatumGetPointer(datums[i]), esize);
					break;
			}
		}
		vec->values = values;
		*raw_bytes = (int64) n * esize;
	}
	else
	{
		Size		total = 0;
		Size		pos = 0;
		Datum	   *plain = palloc(sizeof(Datum) * (n + 1));

		for (int i = 0; i < n; i++)
		{
			if (nulls[i])
				continue;
			if (vec->kind == COLUMNAR_KIND_VARLENA)
			{
				plain[i] = PointerGetDatum(PG_DETOAST_DATUM(datums[i]));
				total = INTALIGN(total) + VARSIZE(DatumGetPointer(plain[i]));
			}
			else
				total += strlen(DatumGetCString(datums[i])) + 1;
		}
		vec->data = palloc0(total + 1);
		vec->offsets = palloc(sizeof(uint32) * (n + 1));
		for (int i = 0; i < n; i++)
		{
			if (vec->kind == COLUMNAR_KIND_VARLENA)
				pos = INTALIGN(pos);
			vec->offsets[i] = pos;
			if (nulls[i])
				continue;
			if (vec->kind == COLUMNAR_KIND_VARLENA)
			{
				Size		sz = VARSIZE(DatumGetPointer(plain[i]));

				memcpy(vec->data + pos, DatumGetPointer(plain[i]), sz);
				pos += sz;
			}
			else
			{
				Size		sz = strlen(DatumGetCString(datums[i])) + 1;

				memcpy(vec->data + pos, DatumGetCString(datums[i]), sz);
				pos += sz;
			}
		}
		vec->offsets[n] = pos;
		*raw_bytes = pos;
	}
	return vec;
}

/*
 * Is the decoded vector b identical to the original vector a?  Fixed-width
 * values are compared bit for bit (so NaN and -0 must survive), varlenas
 * with datumIsEqual, NULL slots must be zero / empty.
 */
static bool
vectors_equal(const ColumnarVector *a, const ColumnarVector *b)
{
	int			esize = 0;

	if (a->nrows != b->nrows || a->nnulls != b->nnulls)
		return false;
	if ((b->validity == NULL) != (a->nnulls == 0))
		return false;

	esize = ColumnarKindWidth(a->kind, a->fixed_len);

	for (uint32 i = 0; i < a->nrows; i++)
	{
		bool		va = COLUMNAR_VALID(a, i);

		if (va != COLUMNAR_VALID(b, i))
			return false;
		if (esize > 0)
		{
			/* a's NULL slots are zero, b's must be too */
			if (memcmp((char *) a->values + (Size) i * esize,
					   (char *) b->values + (Size) i * esize, esize) != 0)
				return false;
		}
		else if (!va)
		{
			if (b->offsets[i] != b->offsets[i + 1])
				return false;
		}
		else if (a->kind == COLUMNAR_KIND_VARLENA)
		{
			if (b->offsets[i] % sizeof(int32) != 0)
				return false;
			if (!datumIsEqual(PointerGetDatum(a->data + a->offsets[i]),
							  PointerGetDatum(b->data + b->offsets[i]),
							  false, -1))
				return false;
		}
		else
		{
			if (strcmp(a->data + a->offsets[i], b->data + b->offsets[i]) != 0)
				return false;
		}
	}
	return true;
}

/*
 * Is row k of out, for every k < n, row rows[k] of orig (validity and
 * value, compared as vectors_equal compares)?
 */
static bool
rows_equal(const ColumnarVector *orig, const uint32 *rows, const ColumnarVector *out,
		   uint32 n)
{
	int			esize = ColumnarKindWidth(orig->kind, orig->fixed_len);

	if (out->nrows != n)
		return false;
	for (uint32 k = 0; k < n; k++)
	{
		uint32		i = rows[k];
		bool		va = COLUMNAR_VALID(orig, i);

		if (va != COLUMNAR_VALID(out, k))
			return false;
		if (!va)
			continue;
		if (esize > 0)
		{
			if (memcmp((char *) orig->values + (Size) i * esize,
					   (char *) out->values + (Size) k * esize, esize) != 0)
				return false;
		}
		else if (orig->kind == COLUMNAR_KIND_VARLENA)
		{
			if (!datumIsEqual(PointerGetDatum(orig->data + orig->offsets[i]),
							  PointerGetDatum(out->data + out->offsets[k]),
							  false, -1))
				return false;
		}
		else if (strcmp(orig->data + orig->offsets[i], out->data + out->offsets[k]) != 0)
			return false;
	}
	return true;
}

/*
 * Decode image into a vector shaped like orig and compare with orig; then
 * decode it again in the DICT and SCALED forms where its encoding has them,
 * flatten that, and compare again.
 */
static bool
decode_and_compare(const ColumnarVector *orig, const char *image, Size len)
{
	ColumnarVector out;
	bool		equal;

	memset(&out, 0, sizeof(out));
	out.kind = orig->kind;
	out.typid = orig->typid;
	out.fixed_len = orig->fixed_len;
	ColumnarDecodeVector(image, len, &out);
	equal = vectors_equal(orig, &out);

	memset(&out, 0, sizeof(out));
	out.kind = orig->kind;
	out.typid = orig->typid;
	out.fixed_len = orig->fixed_len;
	ColumnarDecodeVectorForms(image, len, &out,
							  COLUMNAR_ACCEPT_DICT | COLUMNAR_ACCEPT_SCALED);
	ColumnarFlattenVector(&out);
	equal = equal && vectors_equal(orig, &out);

	/* some rows only: the first, every third, the last */
	if (orig->nrows > 0)
	{
		uint32	   *rows = palloc(sizeof(uint32) * (orig->nrows / 3 + 2));
		uint32		n = 0;

		for (uint32 i = 0; i < orig->nrows; i += 3)
			rows[n++] = i;
		if (rows[n - 1] != orig->nrows - 1)
			rows[n++] = orig->nrows - 1;
		memset(&out, 0, sizeof(out));
		out.kind = orig->kind;
		out.typid = orig->typid;
		out.fixed_len = orig->fixed_len;
		ColumnarDecodeRows(image, len, &out, rows, n);
		equal = equal && rows_equal(orig, rows, &out, n);
	}
	return equal;
}

/*
 * encoding_probe(anyarray) RETURNS TABLE(encoding text, nrows int,
 * nnulls int, raw_bytes int, encoded_bytes int, roundtrip_equal bool):
 * encode the array as one vector, decode it and compare.
 */
Datum
encoding_probe(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int64		raw_bytes;
	ColumnarVector *vec = vector_from_array(arr, &raw_bytes);
	StringInfoData buf;
	ColumnarEncoding enc;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	initStringInfo(&buf);
	enc = ColumnarEncodeVector(vec, &buf);

	values[0] = CStringGetTextDatum(ColumnarEncodingName(enc));
	values[1] = Int32GetDatum((int32) vec->nrows);
	values[2] = Int32GetDatum((int32) vec->nnulls);
	values[3] = Int32GetDatum((int32) raw_bytes);
	values[4] = Int32GetDatum(buf.len);
	values[5] = BoolGetDatum(ColumnarImageEncoding(buf.data, buf.len) == enc &&
							 decode_and_compare(vec, buf.data, buf.len));

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * encoding_image(anyarray) RETURNS bytea: the encoded image of the array.
 */
Datum
encoding_image(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int64		raw_bytes;
	ColumnarVector *vec = vector_from_array(arr, &raw_bytes);
	StringInfoData buf;
	bytea	   *result;

	initStringInfo(&buf);
	ColumnarEncodeVector(vec, &buf);
	result = palloc(VARHDRSZ + buf.len);
	SET_VARSIZE(result, VARHDRSZ + buf.len);
	memcpy(VARDATA(result), buf.data, buf.len);
	PG_RETURN_BYTEA_P(result);
}

/*
 * encoding_decode_equal(image bytea, original anyarray) RETURNS bool:
 * decode an image (possibly damaged) with the array's value kind and say
 * whether it equals the array.
 */
Datum
encoding_decode_equal(PG_FUNCTION_ARGS)
{
	bytea	   *image = PG_GETARG_BYTEA_PP(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	int64		raw_bytes;
	ColumnarVector *vec = vector_from_array(arr, &raw_bytes);
	Size		len = VARSIZE_ANY_EXHDR(image);
	char	   *copy = palloc(len + 1);

	/* decode from an exactly-sized copy so overreads show up in tools */
	memcpy(copy, VARDATA_ANY(image), len);
	PG_RETURN_BOOL(decode_and_compare(vec, copy, len));
}

/*
 * encoding_probe_corrupt(anyarray, byte_offset int, new_byte int) RETURNS
 * bool: encode the array, overwrite one byte of the image, decode it and
 * say whether the values still equal the array (damage in value bytes can
 * go unnoticed; damage to structure raises ERRCODE_DATA_CORRUPTED).
 */
Datum
encoding_probe_corrupt(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int32		offset = PG_GETARG_INT32(1);
	int32		newbyte = PG_GETARG_INT32(2);
	int64		raw_bytes;
	ColumnarVector *vec = vector_from_array(arr, &raw_bytes);
	StringInfoData buf;

	initStringInfo(&buf);
	ColumnarEncodeVector(vec, &buf);
	if (offset < 0 || offset >= buf.len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("byte offset %d is outside the image of %d bytes",
						offset, buf.len)));
	buf.data[offset] = (char) newbyte;
	PG_RETURN_BOOL(decode_and_compare(vec, buf.data, buf.len));
}

PG_FUNCTION_INFO_V1(encoding_bench);

/*
 * encoding_bench(anyarray, loops int) RETURNS TABLE(encoding text,
 * nvalues int, encode_ns_per_value float8, decode_ns_per_value float8):
 * time encoding and decoding the array as one vector, loops times each.
 */
Datum
encoding_bench(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int32		loops = PG_GETARG_INT32(1);
	int64		raw_bytes;
	ColumnarVector *vec = vector_from_array(arr, &raw_bytes);
	StringInfoData buf;
	ColumnarEncoding enc = COLUMNAR_ENC_PLAIN;
	MemoryContext tmp;
	MemoryContext old;
	instr_time	start;
	instr_time	enc_time;
	instr_time	dec_time;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	double		nv = Max(vec->nrows, 1) * (double) Max(loops, 1);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (loops < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("loops must be at least 1")));

	tmp = AllocSetContextCreate(CurrentMemoryContext, "encoding_bench",
								ALLOCSET_DEFAULT_SIZES);
	initStringInfo(&buf);

	INSTR_TIME_SET_CURRENT(start);
	for (int i = 0; i < loops; i++)
	{
		resetStringInfo(&buf);
		old = MemoryContextSwitchTo(tmp);
		enc = ColumnarEncodeVector(vec, &buf);
		MemoryContextSwitchTo(old);
		MemoryContextReset(tmp);
		CHECK_FOR_INTERRUPTS();
	}
	INSTR_TIME_SET_CURRENT(enc_time);
	INSTR_TIME_SUBTRACT(enc_time, start);

	INSTR_TIME_SET_CURRENT(start);
	for (int i = 0; i < loops; i++)
	{
		ColumnarVector out;

		memset(&out, 0, sizeof(out));
		out.kind = vec->kind;
		out.typid = vec->typid;
		out.fixed_len = vec->fixed_len;
		old = MemoryContextSwitchTo(tmp);
		ColumnarDecodeVector(buf.data, buf.len, &out);
		MemoryContextSwitchTo(old);
		MemoryContextReset(tmp);
		CHECK_FOR_INTERRUPTS();
	}
	INSTR_TIME_SET_CURRENT(dec_time);
	INSTR_TIME_SUBTRACT(dec_time, start);
	MemoryContextDelete(tmp);

	values[0] = CStringGetTextDatum(ColumnarEncodingName(enc));
	values[1] = Int32GetDatum((int32) vec->nrows);
	values[2] = Float8GetDatum(INSTR_TIME_GET_DOUBLE(enc_time) * 1e9 / nv);
	values[3] = Float8GetDatum(INSTR_TIME_GET_DOUBLE(dec_time) * 1e9 / nv);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
