/*-------------------------------------------------------------------------
 *
 * columnar_vector.c
 *	  Column vectors as the executor sees them: the one mapping from a
 *	  column's type to the vector kind that holds its values, and the one
 *	  conversion of a vector value to a Datum.
 *
 * The writer buffers rows in vectors made here, the decoder fills vectors
 * of the kinds chosen here, and every reader turns vector values into
 * Datums (and rows into slots) here, so the rules cannot drift apart.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "access/detoast.h"
#include "access/htup_details.h"
#include "fmgr.h"
#include "catalog/pg_type.h"
#include "port/pg_bitutils.h"
#include "utils/lsyscache.h"

#include "columnar_storage.h"
#include "columnar_vector.h"

/*
 * Make malloc keep freed memory for the next row group, in backends that
 * write or read columnar tables.  Every row group's write buffer and
 * encoding scratch (tens of MB), and every decoded group's vectors (about a
 * MB a column), are freed when the next one starts; glibc would give them
 * back to the kernel (munmap, heap trimming down to 128 kB) and the next
 * group would fault every page in again: 155,000 page faults and about a
 * tenth of the time of a 1,000,000-row COPY, a third of a filtered scan's.
 * Allocations below 32 MB (glibc's own ceiling for its adaptive threshold)
 * come from the heap, which is trimmed only beyond 128 MB free and then
 * down to 64 MB.  Set once per backend.
 */
void
ColumnarKeepFreedMemory(void)
{
#ifdef __GLIBC__
	static bool done = false;

	if (done)
		return;
	done = true;
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
	mallopt(M_TOP_PAD, 64 * 1024 * 1024);
#endif
}

/*
 * Return the vector kind that holds values of a type (its base type for a
 * domain), setting *fixed_len for COLUMNAR_KIND_FIXED.  By-value types of
 * 2, 4 and 8 bytes are integers (date, timestamps, oids, ...), except the
 * two float types; by-value one-byte types but bool ("char") and every
 * other fixed-length type are raw bytes.
 */
ColumnarValueKind
ColumnarKindForType(Oid basetypid, int16 typlen, bool typbyval, int *fixed_len)
{
	*fixed_len = 0;
	if (typlen == -1)
		return COLUMNAR_KIND_VARLENA;
	if (typlen == -2)
		return COLUMNAR_KIND_CSTRING;
	if (typbyval && typlen == 1 && basetypid == BOOLOID)
		return COLUMNAR_KIND_BOOL;
	if (typbyval && typlen == 2)
		return COLUMNAR_KIND_INT16;
	if (typbyval && typlen == 4)
		return basetypid == FLOAT4OID ? COLUMNAR_KIND_FLOAT4 : COLUMNAR_KIND_INT32;
	if (typbyval && typlen == 8)
		return basetypid == FLOAT8OID ? COLUMNAR_KIND_FLOAT8 : COLUMNAR_KIND_INT64;
	*fixed_len = typlen;
	return COLUMNAR_KIND_FIXED;
}

/*
 * Set the vector kind, type and fixed length that represent values of att.
 */
void
ColumnarVectorSetKind(ColumnarVector *vec, Form_pg_attribute att)
{
	vec->typid = OidIsValid(att->atttypid) ? getBaseType(att->atttypid) : InvalidOid;
	vec->kind = ColumnarKindForType(vec->typid, att->attlen, att->attbyval,
									&vec->fixed_len);
}

/*
 * Make an empty vector for att with room for capacity rows.
 */
void
ColumnarVectorInit(ColumnarVector *vec, Form_pg_attribute att, uint32 capacity)
{
	memset(vec, 0, sizeof(*vec));
	ColumnarVectorSetKind(vec, att);
	if (vec->kind == COLUMNAR_KIND_VARLENA || vec->kind == COLUMNAR_KIND_CSTRING)
	{
		vec->offsets = palloc0(sizeof(uint32) * (capacity + 1));
		vec->data = palloc(1024);
	}
	else
		vec->values = palloc0((Size) ColumnarKindWidth(vec->kind, vec->fixed_len) *
							  capacity);
}

/*
 * Return a vector of nrows rows that all hold value (or NULL) of column
 * att: a DICT vector of one entry, or a FLAT one of NULLs.  For columns a
 * row group does not have (added after it was written).
 */
ColumnarVector *
ColumnarVectorConstant(Form_pg_attribute att, Datum value, bool isnull,
					   uint32 nrows)
{
	ColumnarVector *vec = palloc0(sizeof(ColumnarVector));
	ColumnarVector *dict;

	ColumnarVectorSetKind(vec, att);
	vec->nrows = nrows;
	if (isnull)
	{
		ColumnarVectorInit(vec, att, Max(nrows, 1));
		vec->nrows = nrows;
		vec->nnulls = nrows;
		vec->validity = palloc0(nrows / 8 + 1);
		return vec;
	}
	dict = palloc0(sizeof(ColumnarVector));
	ColumnarVectorInit(dict, att, 1);
	dict->nrows = 1;
	switch (dict->kind)
	{
		case COLUMNAR_KIND_VARLENA:
			{
				struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));
				Size		len = VARSIZE_ANY_EXHDR(v);

				dict->data = palloc0(INTALIGN(len + VARHDRSZ));
				SET_VARSIZE(dict->data, len + VARHDRSZ);
				memcpy(dict->data + VARHDRSZ, VARDATA_ANY(v), len);
				dict->offsets[1] = INTALIGN(len + VARHDRSZ);
				break;
			}
		case COLUMNAR_KIND_CSTRING:
			{
				Size		len = strlen(DatumGetCString(value)) + 1;

				dict->data = palloc(len);
				memcpy(dict->data, DatumGetCString(value), len);
				dict->offsets[1] = len;
				break;
			}
		default:
			if (att->attbyval)
				store_att_byval(dict->values, value, att->attlen);
			else
				memcpy(dict->values, DatumGetPointer(value), att->attlen);
			break;
	}
	vec->form = COLUMNAR_FORM_DICT;
	vec->dict = dict;
	vec->dict_serial = ColumnarDictSerial();
	return vec;
}

/*
 * Is (base) type typid one whose values, read as signed integers, are
 * ordered and equal as the type's own comparison says: int2/4/8, date,
 * time, timestamp, timestamptz?  (Quals, groups and aggregates take them
 * as int64.)
 */
bool
ColumnarTypeIntegerOrdered(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case DATEOID:
		case TIMEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return true;
	}
	return false;
}

/*
 * Make *out a view of rows start .. start + n - 1 of vec (any form),
 * sharing its arrays; start must be a multiple of 8 (validity bytes).
 * With count_nulls, out's NULL count is counted (and its validity dropped
 * when there is none), as the encoder needs; otherwise it is vec's.
 */
void
ColumnarVectorSlice(const ColumnarVector *vec, uint32 start, uint32 n,
					bool count_nulls, ColumnarVector *out)
{
	int			esize = ColumnarKindWidth(vec->kind, vec->fixed_len);

	Assert(start % 8 == 0 && start + n <= vec->nrows);
	*out = *vec;
	out->nrows = n;
	if (vec->validity)
	{
		out->validity = vec->validity + start / 8;
		if (count_nulls)
		{
			uint32		valid = 0;

			if (n / 8 > 0)
				valid = (uint32) pg_popcount((const char *) out->validity, n / 8);
			for (uint32 i = n & ~7U; i < n; i++)
				valid += COLUMNAR_VALID(out, i);
			out->nnulls = n - valid;
			if (out->nnulls == 0)
				out->validity = NULL;
		}
	}
	switch (vec->form)
	{
		case COLUMNAR_FORM_FLAT:
			if (vec->offsets)
				out->offsets = vec->offsets + start;
			else
				out->values = (char *) vec->values + (Size) start * esize;
			break;
		case COLUMNAR_FORM_DICT:
			if (vec->codes)
				out->codes = vec->codes + start;
			break;
		case COLUMNAR_FORM_SCALED:
			out->scaled = vec->scaled + start;
			if (vec->dscales)
				out->dscales = vec->dscales + start;
			break;
	}
}

/*
 * Return a FLAT vector of rows rows[0 .. n - 1] of the FLAT vector vec,
 * without validity: for non-NULL rows, or for a caller that sets the
 * validity itself.
 */
ColumnarVector *
ColumnarVectorGather(const ColumnarVector *vec, const uint32 *rows, uint32 n)
{
	ColumnarVector *out = palloc(sizeof(ColumnarVector));

	*out = *vec;
	out->nrows = n;
	out->nnulls = 0;
	out->validity = NULL;
	if (vec->offsets)
	{
		uint32		pos = 0;

		out->offsets = palloc(sizeof(uint32) * (n + 1));
		for (uint32 i = 0; i < n; i++)
			pos += vec->offsets[rows[i] + 1] - vec->offsets[rows[i]];
		out->data = palloc(Max(pos, 1));
		pos = 0;
		for (uint32 i = 0; i < n; i++)
		{
			uint32		start = vec->offsets[rows[i]];
			uint32		len = vec->offsets[rows[i] + 1] - start;

			/* lengths include the alignment padding, so offsets stay aligned */
			out->offsets[i] = pos;
			memcpy(out->data + pos, vec->data + start, len);
			pos += len;
		}
		out->offsets[n] = pos;
	}
	else
	{
		int			w = ColumnarKindWidth(vec->kind, vec->fixed_len);

		out->values = palloc((Size) w * Max(n, 1));
		for (uint32 i = 0; i < n; i++)
			memcpy((char *) out->values + (Size) w * i,
				   (char *) vec->values + (Size) w * rows[i], w);
	}
	return out;
}

/*
 * Return one FLAT vector of the rows of the FLAT vectors parts[0 .. n - 1]
 * in turn; every part but the last must have a multiple of 8 rows.
 */
ColumnarVector *
ColumnarVectorConcat(ColumnarVector **parts, int n)
{
	ColumnarVector *out = palloc0(sizeof(ColumnarVector));
	uint32		nrows = 0;
	uint64		nbytes = 0;
	uint32		nnulls = 0;
	int			esize;
	uint32		row = 0;

	Assert(n > 0);
	*out = *parts[0];
	esize = ColumnarKindWidth(out->kind, out->fixed_len);
	for (int k = 0; k < n; k++)
	{
		Assert(parts[k]->form == COLUMNAR_FORM_FLAT);
		Assert(k == n - 1 || parts[k]->nrows % 8 == 0);
		nrows += parts[k]->nrows;
		nnulls += parts[k]->nnulls;
		if (parts[k]->offsets)
			nbytes += parts[k]->offsets[parts[k]->nrows];
	}
	if (nbytes > PG_UINT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column chunk of a columnar row group exceeds 4 GB")));
	out->nrows = nrows;
	out->nnulls = nnulls;
	out->validity = nnulls > 0 ? palloc0(nrows / 8 + 1) : NULL;
	if (out->offsets)
	{
		uint32		pos = 0;

		out->offsets = palloc(sizeof(uint32) * ((Size) nrows + 1));
		out->data = palloc(Max(nbytes, 1));
		for (int k = 0; k < n; k++)
		{
			const ColumnarVector *p = parts[k];
			uint32		len = p->offsets[p->nrows];

			for (uint32 i = 0; i < p->nrows; i++)
				out->offsets[row + i] = pos + p->offsets[i];
			memcpy(out->data + pos, p->data, len);
			pos += len;
			row += p->nrows;
		}
		out->offsets[nrows] = pos;
	}
	else
	{
		out->values = palloc((Size) Max(nrows, 1) * esize);
		for (int k = 0; k < n; k++)
		{
			memcpy((char *) out->values + (Size) row * esize, parts[k]->values,
				   (Size) parts[k]->nrows * esize);
			row += parts[k]->nrows;
		}
	}
	if (out->validity)
	{
		row = 0;
		for (int k = 0; k < n; k++)
		{
			const ColumnarVector *p = parts[k];

			if (p->validity)
				memcpy(out->validity + row / 8, p->validity, (p->nrows + 7) / 8);
			else
				memset(out->validity + row / 8, 0xFF, (p->nrows + 7) / 8);
			row += p->nrows;
		}
		/* bits past the last row stay clear */
		if (nrows % 8 != 0)
			out->validity[nrows / 8] &= (uint8) ((1 << (nrows % 8)) - 1);
	}
	return out;
}

/*
 * Return the Datum of row i of a FLAT or DICT vector holding values of a
 * type passed by value or not (typbyval); row i must not be NULL.  The
 * Datum of a DICT vector points into its dictionary.
 */
Datum
ColumnarVectorDatum(const ColumnarVector *vec, uint32 i, bool typbyval)
{
	if (unlikely(vec->form != COLUMNAR_FORM_FLAT))
	{
		if (vec->form != COLUMNAR_FORM_DICT)
			elog(ERROR, "columnar vector of form %d has no Datums", (int) vec->form);
		i = vec->codes ? vec->codes[i] : 0;
		vec = vec->dict;
	}
	switch (vec->kind)
	{
		case COLUMNAR_KIND_INT16:
			return Int16GetDatum(((int16 *) vec->values)[i]);
		case COLUMNAR_KIND_INT32:
			return Int32GetDatum(((int32 *) vec->values)[i]);
		case COLUMNAR_KIND_INT64:
			return Int64GetDatum(((int64 *) vec->values)[i]);
		case COLUMNAR_KIND_FLOAT4:
			return Float4GetDatum(((float4 *) vec->values)[i]);
		case COLUMNAR_KIND_FLOAT8:
			return Float8GetDatum(((float8 *) vec->values)[i]);
		case COLUMNAR_KIND_BOOL:
			return BoolGetDatum(((bool *) vec->values)[i]);
		case COLUMNAR_KIND_FIXED:
			if (typbyval)
				return CharGetDatum(((char *) vec->values)[i]);
			return PointerGetDatum((char *) vec->values + (Size) vec->fixed_len * i);
		case COLUMNAR_KIND_VARLENA:
		case COLUMNAR_KIND_CSTRING:
			return PointerGetDatum(vec->data + vec->offsets[i]);
	}
	return (Datum) 0;
}

/*
 * Store row `row` of batch into slot as a virtual tuple with its TID.
 */
void
ColumnarBatchToSlot(ColumnarBatch *batch, uint32 row, TupleTableSlot *slot)
{
	TupleDesc	desc = slot->tts_tupleDescriptor;

	ExecClearTuple(slot);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (i >= batch->ncols)
		{
			/* a column added after the row group was written */
			slot->tts_values[i] = getmissingattr(desc, i + 1, &slot->tts_isnull[i]);
			continue;
		}
		if (att->attisdropped || batch->vectors[i] == NULL ||
			!COLUMNAR_VALID(batch->vectors[i], row))
		{
			slot->tts_values[i] = (Datum) 0;
			slot->tts_isnull[i] = true;
			continue;
		}
		slot->tts_values[i] = ColumnarVectorDatum(batch->vectors[i], row, att->attbyval);
		slot->tts_isnull[i] = false;
	}
	ExecStoreVirtualTuple(slot);
	ColumnarRowToTid(batch->first_row + row, &slot->tts_tid);
}
