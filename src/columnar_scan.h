/*-------------------------------------------------------------------------
 *
 * columnar_scan.h
 *	  The ColumnarScan custom scan node.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_SCAN_H
#define COLUMNAR_SCAN_H

#include "nodes/extensible.h"

extern const CustomScanMethods ColumnarScanMethods;

extern void ColumnarScanInit(void);

#endif							/* COLUMNAR_SCAN_H */
