/*-------------------------------------------------------------------------
 *
 * columnar_aggscan.h
 *	  The ColumnarAgg custom scan node.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_AGGSCAN_H
#define COLUMNAR_AGGSCAN_H

#include "nodes/extensible.h"

extern const CustomScanMethods ColumnarAggMethods;

extern void ColumnarAggScanInit(void);

#endif							/* COLUMNAR_AGGSCAN_H */
