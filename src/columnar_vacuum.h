/*-------------------------------------------------------------------------
 *
 * columnar_vacuum.h
 *	  VACUUM of columnar tables.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_VACUUM_H
#define COLUMNAR_VACUUM_H

#include "utils/rel.h"

struct VacuumParams;

extern void ColumnarVacuum(Relation rel, struct VacuumParams *params);
extern void ColumnarVacuumInit(void);

#endif							/* COLUMNAR_VACUUM_H */
