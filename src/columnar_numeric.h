/*-------------------------------------------------------------------------
 *
 * columnar_numeric.h
 *	  Scaled-integer numerics: a numeric value v / 10^scale held as an
 *	  integer, as the encodings decode them and the aggregates sum them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_NUMERIC_H
#define COLUMNAR_NUMERIC_H

/* The largest scale whose power of ten fits an int64 */
#define COLUMNAR_NUMERIC_MAX_SCALE64 18

extern const int64 ColumnarPow10_64[COLUMNAR_NUMERIC_MAX_SCALE64 + 1];

extern char *ColumnarInt128Text(int128 v, char *buf);
extern Datum ColumnarScaledToNumeric(int128 v, int scale, int dscale);

/* Return 10^k as an int128 (k <= 38). */
static inline int128
ColumnarPow10_128(int k)
{
	int128		p = 1;

	while (k-- > 0)
		p *= 10;
	return p;
}

#endif							/* COLUMNAR_NUMERIC_H */
