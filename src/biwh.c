/*-------------------------------------------------------------------------
 *
 * biwh.c
 *	  Entry point of the biwh extension.
 *
 * _PG_init only calls each module's Init function, which registers that
 * module's GUCs (all named biwh.*) and hooks.  Nothing here may require the
 * library to be in shared_preload_libraries: a fresh backend loads it on the
 * first use of a biwh function or table access method.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <zstd.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "biwh.h"
#include "columnar_aggscan.h"
#include "columnar_fetch.h"
#include "columnar_guard.h"
#include "columnar_indexpath.h"
#include "columnar_options.h"
#include "columnar_parallel.h"
#include "columnar_planner.h"
#include "columnar_scan.h"
#include "columnar_storage.h"
#include "columnar_tableam.h"
#include "columnar_vacuum.h"
#include "columnar_writer.h"
#include "wh_rollup_route.h"
#include "wh_security.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(biwh_build_info);

/*
 * Register every module's settings and hooks.
 */
void
_PG_init(void)
{
	ColumnarStorageInit();
	ColumnarOptionsInit();
	ColumnarWriterInit();
	ColumnarTableAmInit();
	ColumnarVacuumInit();
	ColumnarGuardInit();
	ColumnarFetchInit();
	ColumnarIndexPathInit();	/* before ColumnarPlannerInit: its hook runs first */
	ColumnarScanInit();
	ColumnarAggScanInit();
	ColumnarParallelInit();
	ColumnarPlannerInit();
	WhSecurityInit();
	WhRollupRouteInit();
}

/*
 * Return the library's version and the zstd library it runs with, so a DBA
 * can tell which build a server loaded.
 */
Datum
biwh_build_info(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("biwh %s, zstd %s",
											  BIWH_VERSION,
											  ZSTD_versionString())));
}
