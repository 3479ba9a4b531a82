/*-------------------------------------------------------------------------
 *
 * columnar_numeric.c
 *	  Scaled-integer numerics: a numeric value v / 10^scale held as an
 *	  integer (int64 in decoded vectors, int128 in aggregate sums), and
 *	  their way back to PostgreSQL's numeric.  The way back goes through
 *	  numeric_in, so the result is exactly the numeric PostgreSQL itself
 *	  would have made of the same digits.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "columnar_numeric.h"

/* 10^k for k <= COLUMNAR_NUMERIC_MAX_SCALE64 */
const int64 ColumnarPow10_64[COLUMNAR_NUMERIC_MAX_SCALE64 + 1] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
	100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
	1000000000000LL, 10000000000000LL, 100000000000000LL,
	1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL
};

/* Format an int128 in decimal into buf (room for 41 characters + NUL). */
char *
ColumnarInt128Text(int128 v, char *buf)
{
	char		tmp[48];
	int			n = 0;
	bool		neg = v < 0;
	uint128		u = neg ? (uint128) 0 - (uint128) v : (uint128) v;
	char	   *p = buf;

	do
	{
		tmp[n++] = '0' + (int) (u % 10);
		u /= 10;
	} while (u != 0);
	if (neg)
		*p++ = '-';
	while (n > 0)
		*p++ = tmp[--n];
	*p = '\0';
	return buf;
}

/*
 * Return the numeric sum / 10^scale with display scale dscale (<= scale:
 * the digits dropped are zeros).
 */
Datum
ColumnarScaledToNumeric(int128 sum, int scale, int dscale)
{
	char		digits[48];
	char		str[96];
	int			len;
	int			intlen;
	bool		neg = sum < 0;
	char	   *d = ColumnarInt128Text(neg ? -sum : sum, digits);
	char	   *p = str;

	Assert(dscale <= scale);
	len = strlen(d);
	if (neg)
		*p++ = '-';
	intlen = len - scale;
	if (intlen <= 0)
	{
		*p++ = '0';
		if (dscale > 0)
		{
			*p++ = '.';
			for (int k = 0; k < dscale; k++)
			{
				int			pos = k - (scale - len);	/* index into d */

				*p++ = pos >= 0 && pos < len ? d[pos] : '0';
			}
		}
	}
	else
	{
		memcpy(p, d, intlen);
		p += intlen;
		if (dscale > 0)
		{
			*p++ = '.';
			memcpy(p, d + intlen, dscale);
			p += dscale;
		}
	}
	*p = '\0';
	return DirectFunctionCall3(numeric_in, CStringGetDatum(str),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}
