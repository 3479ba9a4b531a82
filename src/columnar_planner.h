/*-------------------------------------------------------------------------
 *
 * columnar_planner.h
 *	  Planning scans of columnar tables.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_PLANNER_H
#define COLUMNAR_PLANNER_H

extern void ColumnarPlannerInit(void);

#endif							/* COLUMNAR_PLANNER_H */
