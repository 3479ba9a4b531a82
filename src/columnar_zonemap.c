/*-------------------------------------------------------------------------
 *
 * columnar_zonemap.c
 *	  Zone maps: the smallest and largest value of every chunk, computed by
 *	  the writer and kept in the row-group catalog, and their stored form.
 *
 * A bound is stored as the bytes of the Datum itself, not as the type's
 * text output, so reading it back depends on no setting of the reading or
 * writing session (DateStyle, extra_float_digits, TimeZone, ...).  Bounds
 * are by the column's collation at write time, which the catalog keeps
 * beside them: readers use them only under that collation.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "utils/typcache.h"

#include "columnar_vector.h"
#include "columnar_zonemap.h"

/*
 * Return the stored form of a row group's min or max value of column att:
 * the bytes of the Datum itself (its attlen bytes for a fixed-length type,
 * the whole uncompressed 4-byte-header varlena, the string and its NUL for
 * cstring), which, unlike the type's text output, depends on no setting of
 * the writing session (DateStyle, extra_float_digits, TimeZone, ...).
 * Returns NULL for values longer than COLUMNAR_MAX_MINMAX_LEN bytes.
 */
char *
ColumnarBoundImage(Datum value, Form_pg_attribute att, uint32 *len)
{
	char	   *image;
	Size		n;

	if (att->attbyval)
	{
		n = att->attlen;
		image = palloc(Max(n, sizeof(Datum)));
		store_att_byval(image, value, att->attlen);
	}
	else
	{
		if (att->attlen > 0)
			n = att->attlen;
		else if (att->attlen == -1)
		{
			if (VARATT_IS_EXTENDED(DatumGetPointer(value)))
				return NULL;	/* the writer's values are plain: never here */
			n = VARSIZE(DatumGetPointer(value));
		}
		else
			n = strlen(DatumGetCString(value)) + 1;
		if (n > COLUMNAR_MAX_MINMAX_LEN + VARHDRSZ)
			return NULL;
		image = palloc(n);
		memcpy(image, DatumGetPointer(value), n);
	}
	*len = (uint32) n;
	return image;
}

/*
 * Turn a stored min or max image back into a Datum of a type of length
 * typlen; false (the bound is not used) when the image does not fit the
 * type, e.g. after the column's type changed.  The Datum points into image
 * for types passed by reference; image must be MAXALIGNed.
 */
bool
ColumnarBoundDatum(const char *image, uint32 len, int16 typlen, bool typbyval,
				   Datum *value)
{
	if (image == NULL)
		return false;
	if (typlen > 0)
	{
		if (len != (uint32) typlen || (typbyval && typlen > (int16) sizeof(Datum)))
			return false;
		*value = typbyval ? fetch_att(image, true, typlen) : PointerGetDatum(image);
		return true;
	}
	if (typlen == -1)
	{
		if (len < VARHDRSZ || VARATT_IS_EXTENDED(image) || VARSIZE(image) != len)
			return false;
		*value = PointerGetDatum(image);
		return true;
	}
	if (typlen == -2)
	{
		if (len == 0 || image[len - 1] != '\0' || strlen(image) != len - 1)
			return false;
		*value = CStringGetDatum(image);
		return true;
	}
	return false;
}

/*
 * Compute the stored forms (ColumnarBoundImage) of the smallest and largest
 * value of a vector; leaves them NULL for types without ordering or long
 * values.
 */
void
ColumnarVectorMinMax(const ColumnarVector *vec, Form_pg_attribute att,
					 char **min, char **max, uint32 *min_len, uint32 *max_len)
{
	TypeCacheEntry *tce;
	Datum		lo = 0,
				hi = 0;
	bool		found = false;
	Oid			collation = att->attcollation;

	*min = *max = NULL;
	if (att->attisdropped || vec->nnulls == vec->nrows)
		return;
	tce = lookup_type_cache(att->atttypid, TYPECACHE_CMP_PROC_FINFO);
	if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
		return;

	for (uint32 i = 0; i < vec->nrows; i++)
	{
		Datum		d;

		if (!COLUMNAR_VALID(vec, i))
			continue;
		d = ColumnarVectorDatum(vec, i, att->attbyval);
		if (!found)
		{
			lo = hi = d;
			found = true;
			continue;
		}
		if (DatumGetInt32(FunctionCall2Coll(&tce->cmp_proc_finfo, collation, d, lo)) < 0)
			lo = d;
		else if (DatumGetInt32(FunctionCall2Coll(&tce->cmp_proc_finfo, collation, d, hi)) > 0)
			hi = d;
	}
	if (!found)
		return;
	*min = ColumnarBoundImage(lo, att, min_len);
	*max = ColumnarBoundImage(hi, att, max_len);
	if (*min == NULL || *max == NULL)
		*min = *max = NULL;
}

/*
 * Merge the bounds of the n segments of a chunk of column att into the
 * chunk's: the smallest min and the largest max.  Segments without values
 * (all NULL) have no bounds and do not count; one with values but without
 * bounds (long values) leaves the chunk without them (*min = *max = NULL).
 * The results point to one of the given images.
 */
void
ColumnarMergeBounds(Form_pg_attribute att, int n, const bool *has_values,
					char **mins, const uint32 *min_lens,
					char **maxs, const uint32 *max_lens,
					char **min, uint32 *min_len, char **max, uint32 *max_len)
{
	TypeCacheEntry *tce = lookup_type_cache(att->atttypid, TYPECACHE_CMP_PROC_FINFO);
	Datum		lo = 0,
				hi = 0;
	bool		found = false;

	*min = *max = NULL;
	*min_len = *max_len = 0;
	if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
		return;
	for (int i = 0; i < n; i++)
	{
		Datum		dmin,
					dmax;

		if (!has_values[i])
			continue;
		if (!ColumnarBoundDatum(mins[i], min_lens[i], att->attlen, att->attbyval, &dmin) ||
			!ColumnarBoundDatum(maxs[i], max_lens[i], att->attlen, att->attbyval, &dmax))
		{
			*min = *max = NULL;
			return;
		}
		if (!found ||
			DatumGetInt32(FunctionCall2Coll(&tce->cmp_proc_finfo, att->attcollation,
											dmin, lo)) < 0)
		{
			lo = dmin;
			*min = mins[i];
			*min_len = min_lens[i];
		}
		if (!found ||
			DatumGetInt32(FunctionCall2Coll(&tce->cmp_proc_finfo, att->attcollation,
											dmax, hi)) > 0)
		{
			hi = dmax;
			*max = maxs[i];
			*max_len = max_lens[i];
		}
		found = true;
	}
}
