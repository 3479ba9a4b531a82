/*-------------------------------------------------------------------------
 *
 * columnar_zonemap.h
 *	  Zone maps: the smallest and largest value of a chunk, computed when it
 *	  is written and stored as images that depend on no session setting.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_ZONEMAP_H
#define COLUMNAR_ZONEMAP_H

#include "access/tupdesc.h"

#include "columnar_encoding.h"

/* min/max of longer values are not kept */
#define COLUMNAR_MAX_MINMAX_LEN		64

extern char *ColumnarBoundImage(Datum value, Form_pg_attribute att, uint32 *len);
extern bool ColumnarBoundDatum(const char *image, uint32 len, int16 typlen,
							   bool typbyval, Datum *value);
extern void ColumnarVectorMinMax(const ColumnarVector *vec, Form_pg_attribute att,
								 char **min, char **max,
								 uint32 *min_len, uint32 *max_len);

extern void ColumnarMergeBounds(Form_pg_attribute att, int n, const bool *has_values,
								char **mins, const uint32 *min_lens,
								char **maxs, const uint32 *max_lens,
								char **min, uint32 *min_len,
								char **max, uint32 *max_len);

#endif							/* COLUMNAR_ZONEMAP_H */
