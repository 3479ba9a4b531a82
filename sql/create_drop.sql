--
-- create_drop: CREATE EXTENSION biwh needs dblink, not pg_cron, and
-- DROP EXTENSION removes every object it created.
--
\set VERBOSITY terse

-- Catalog sizes before anything biwh exists
SELECT (SELECT count(*) FROM pg_class) AS n_class,
       (SELECT count(*) FROM pg_proc) AS n_proc,
       (SELECT count(*) FROM pg_type) AS n_type,
       (SELECT count(*) FROM pg_namespace) AS n_namespace,
       (SELECT count(*) FROM pg_depend) AS n_depend,
       (SELECT count(*) FROM pg_am) AS n_am
\gset before_

-- Without CASCADE, a missing dblink is a clear error
SELECT count(*) FROM pg_extension WHERE extname IN ('dblink', 'biwh');
CREATE EXTENSION biwh;
SELECT count(*) FROM pg_extension WHERE extname IN ('dblink', 'biwh');

-- CASCADE pulls dblink; pg_cron is not needed
CREATE EXTENSION biwh CASCADE;
SELECT extname, extversion, extrelocatable
  FROM pg_extension WHERE extname IN ('biwh', 'dblink', 'pg_cron')
 ORDER BY extname;

-- The version in the catalog is the one of the library
SELECT biwh.build_info() ~ '^biwh 0\.1\.0, zstd [0-9]+\.[0-9]+\.[0-9]+$' AS build_info_ok;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'biwh')
  FROM pg_extension WHERE extname = 'biwh';

-- Every member lives in _wh or biwh, except objects that have no schema
SELECT o.type, o.identity
  FROM pg_depend d, pg_identify_object(d.classid, d.objid, d.objsubid) o
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'biwh')
   AND d.deptype = 'e'
   AND o.schema IS DISTINCT FROM '_wh' AND o.schema IS DISTINCT FROM 'biwh'
 ORDER BY 1, 2;

-- Both schemas belong to the extension and are closed to PUBLIC
SELECT nspname, has_schema_privilege('public', oid, 'USAGE') AS public_usage
  FROM pg_namespace WHERE nspname IN ('_wh', 'biwh') ORDER BY 1;

-- A second CREATE is refused, IF NOT EXISTS is not
CREATE EXTENSION biwh;
CREATE EXTENSION IF NOT EXISTS biwh;

-- DROP removes everything: catalogs are back to their sizes
DROP EXTENSION biwh;
DROP EXTENSION dblink;
SELECT count(*) FROM pg_namespace WHERE nspname IN ('_wh', 'biwh');
SELECT (SELECT count(*) FROM pg_class) = :before_n_class AS class_same,
       (SELECT count(*) FROM pg_proc) = :before_n_proc AS proc_same,
       (SELECT count(*) FROM pg_type) = :before_n_type AS type_same,
       (SELECT count(*) FROM pg_namespace) = :before_n_namespace AS namespace_same,
       (SELECT count(*) FROM pg_depend) = :before_n_depend AS depend_same,
       (SELECT count(*) FROM pg_am) = :before_n_am AS am_same;

-- And it can be created again afterwards
CREATE EXTENSION biwh CASCADE;
SELECT count(*) FROM pg_namespace WHERE nspname IN ('_wh', 'biwh');
DROP EXTENSION biwh;
DROP EXTENSION dblink;

-- dblink is closed to PUBLIC while biwh exists, and as it was after DROP
CREATE EXTENSION dblink;
REVOKE EXECUTE ON FUNCTION dblink_exec(text) FROM PUBLIC;
CREATE TEMP TABLE dblink_acl AS
SELECT p.oid::regprocedure::text AS f, p.proacl FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'dblink';
SELECT count(*) > 20 AS many, count(*) FILTER (WHERE has_function_privilege('public', f::regprocedure, 'EXECUTE')) > 20 AS open
  FROM dblink_acl;
CREATE EXTENSION biwh;
SELECT count(*) AS public_may_call_dblink FROM dblink_acl WHERE has_function_privilege('public', f::regprocedure, 'EXECUTE');
DROP EXTENSION biwh;
SELECT count(*) AS acl_changed FROM dblink_acl a JOIN pg_proc p ON p.oid = a.f::regprocedure
 WHERE ARRAY(SELECT x::text FROM unnest(coalesce(p.proacl, acldefault('f', p.proowner))) x ORDER BY 1)
	   <> ARRAY(SELECT x::text FROM unnest(coalesce(a.proacl, acldefault('f', p.proowner))) x ORDER BY 1);
SELECT has_function_privilege('public', 'dblink_exec(text)', 'EXECUTE') AS closed_before_stays_closed;
DROP TABLE dblink_acl;
DROP EXTENSION dblink;
