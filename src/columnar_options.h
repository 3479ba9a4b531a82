/*-------------------------------------------------------------------------
 *
 * columnar_options.h
 *	  Per-table options of columnar tables and the settings that give their
 *	  defaults.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_OPTIONS_H
#define COLUMNAR_OPTIONS_H

#include "access/attnum.h"
#include "utils/rel.h"

#include "columnar_storage.h"

#define COLUMNAR_MIN_ROW_GROUP_SIZE	1000
#define COLUMNAR_MAX_ROW_GROUP_SIZE	10000000

/* Options that govern how a table's row groups are written */
typedef struct ColumnarOptions
{
	ColumnarCompression compression;
	int			compression_level;
	int			row_group_size;
	int			nsortkeys;
	AttrNumber	sortkeys[INDEX_MAX_KEYS];
} ColumnarOptions;

extern void ColumnarOptionsInit(void);
extern void ColumnarReadOptions(Relation rel, ColumnarOptions *options);

#endif							/* COLUMNAR_OPTIONS_H */
