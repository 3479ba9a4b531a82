/*-------------------------------------------------------------------------
 *
 * columnar_scan.h
 *	  The ColumnarScan custom scan node.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_SCAN_H
#define COLUMNAR_SCAN_H

#include "nodes/bitmapset.h"
#include "nodes/extensible.h"
#include "nodes/pg_list.h"

extern const CustomScanMethods ColumnarScanMethods;

extern void ColumnarScanInit(void);
extern Bitmapset *ColumnarColumnsUsed(List *exprs, Index scanrelid, int natts);

#endif							/* COLUMNAR_SCAN_H */
