/*-------------------------------------------------------------------------
 *
 * columnar_qual.h
 *	  The quals of a columnar scan, compiled at executor start.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_QUAL_H
#define COLUMNAR_QUAL_H

#include "nodes/execnodes.h"
#include "nodes/pg_list.h"
#include "utils/rel.h"

#include "columnar_catalog.h"

typedef struct ColumnarSkipQual ColumnarSkipQual;

extern List *ColumnarCompileSkipQuals(List *quals, Relation rel, EState *estate);
extern bool ColumnarRefuteRowGroup(List *skipquals, ColumnarRowGroupMeta *meta);

#endif							/* COLUMNAR_QUAL_H */
