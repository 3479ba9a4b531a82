/*-------------------------------------------------------------------------
 *
 * columnar_guard.h
 *	  Commands on columnar tables refused before they start (publications,
 *	  index access methods).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_GUARD_H
#define COLUMNAR_GUARD_H

#include "utils/rel.h"

extern void ColumnarCheckNotPublished(Relation rel);
extern void ColumnarGuardInit(void);

#endif							/* COLUMNAR_GUARD_H */
