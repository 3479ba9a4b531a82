/*-------------------------------------------------------------------------
 *
 * wh_rollup_route.h
 *	  Routing aggregate queries on a warehouse master relation to a ready
 *	  rollup that covers them (src/wh_rollup_route.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef WH_ROLLUP_ROUTE_H
#define WH_ROLLUP_ROUTE_H

extern void WhRollupRouteInit(void);

#endif							/* WH_ROLLUP_ROUTE_H */
