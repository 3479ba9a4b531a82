/* 00_schemas.sql: the extension's two schemas and build information */

/*
 * Every table of the extension is a heap table, whatever the session's
 * default (biwh's C code reads its catalogs as heap; CREATE EXTENSION
 * restores the setting afterwards).
 */
SET default_table_access_method = heap;

/*
 * biwh: the extension's internal schema (columnar storage catalog, build
 * information).  Not for BI roles.
 */
CREATE SCHEMA biwh;
REVOKE ALL ON SCHEMA biwh FROM PUBLIC;
COMMENT ON SCHEMA biwh IS 'biwh internals: columnar storage catalog and engine functions';

/*
 * _wh: the warehouse management API (tenants, templates, pieces, schedules).
 * Only the warehouse administrator role is given access, by _wh functions.
 */
CREATE SCHEMA _wh;
REVOKE ALL ON SCHEMA _wh FROM PUBLIC;
COMMENT ON SCHEMA _wh IS 'biwh warehouse layer: tenants, templates, daily pieces, schedules';

CREATE FUNCTION biwh.build_info()
RETURNS text
LANGUAGE C STRICT STABLE
AS 'MODULE_PATHNAME', 'biwh_build_info';
COMMENT ON FUNCTION biwh.build_info() IS 'version of the loaded biwh library and of the zstd library it uses';
