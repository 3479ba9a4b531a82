/*-------------------------------------------------------------------------
 *
 * columnar_tableam.h
 *	  The columnar table access method.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_TABLEAM_H
#define COLUMNAR_TABLEAM_H

extern void ColumnarTableAmInit(void);

#endif							/* COLUMNAR_TABLEAM_H */
