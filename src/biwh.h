/*-------------------------------------------------------------------------
 *
 * biwh.h
 *	  Module-wide declarations of the biwh extension: each module's Init
 *	  function, called once from _PG_init, and the biwh.* settings.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BIWH_H
#define BIWH_H

#define BIWH_VERSION "0.1.0"

extern void _PG_init(void);

/* wh_security.c: the warehouse layer's password store */
#endif							/* BIWH_H */
