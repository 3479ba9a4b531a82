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
