/*-------------------------------------------------------------------------
 *
 * columnar_indexpath.h
 *	  Index and bitmap scans of columnar tables: costs, no prefetching.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_INDEXPATH_H
#define COLUMNAR_INDEXPATH_H

extern void ColumnarIndexPathInit(void);

#endif							/* COLUMNAR_INDEXPATH_H */
