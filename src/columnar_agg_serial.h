/*-------------------------------------------------------------------------
 *
 * columnar_agg_serial.h
 *	  The partial states of sum/avg over int8 and numeric in the bytes this
 *	  server's own serial functions write, checked against them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_AGG_SERIAL_H
#define COLUMNAR_AGG_SERIAL_H

#include "fmgr.h"

extern bool ColumnarAggSerialKnown(void);
extern bytea *ColumnarSerialInt8Avg(int64 n, int128 sum);
extern bytea *ColumnarSerialNumericAvg(int64 n, Datum sum, int32 maxscale,
									   int64 maxscale_count, int64 nan,
									   int64 pinf, int64 ninf);

#endif							/* COLUMNAR_AGG_SERIAL_H */
