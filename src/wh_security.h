/*-------------------------------------------------------------------------
 *
 * wh_security.h
 *	  The warehouse layer's C side: connection checks, sanitizing, the
 *	  guards of its SECURITY DEFINER paths (src/wh_security.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef WH_SECURITY_H
#define WH_SECURITY_H

extern void WhSecurityInit(void);

#endif							/* WH_SECURITY_H */
