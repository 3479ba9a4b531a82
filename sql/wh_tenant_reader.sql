--
-- wh_tenant_reader: _wh.grant_tenant_reader(role, schema) makes a role that
-- reads one tenant's rows only, through public.<template> (row-level
-- security keyed on role membership) and <schema>.<template>, and nowhere
-- else, also for templates created later; the BI reader keeps seeing every
-- tenant.
--
\set VERBOSITY terse
\setenv PGTZ UTC
SET TimeZone = 'UTC';
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_t_admin;
CREATE ROLE wh_t_bi;
CREATE ROLE wh_t_a;
CREATE ROLE wh_t_b;
CREATE ROLE wh_t_src LOGIN PASSWORD 't-secret';
SELECT _wh.grant_admin('wh_t_admin');
SELECT _wh.grant_reader('wh_t_bi');
-- granted before any data exists: it applies to what is created later
SELECT _wh.grant_tenant_reader('wh_t_a', 'tenant_ta');
CREATE DATABASE wh_src_t;
\c wh_src_t
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 3, 4) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_t_src;
\c biwh_regress
\set VERBOSITY terse
SET TimeZone = 'UTC';
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_t', '127.0.0.1', :port, 'wh_src_t', 'wh_t_src', 't-secret');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
SET ROLE wh_t_admin;
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_t', 'tenant_ta', '2025-09-01', '2025-09-02');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_t', 'tenant_tb', '2025-09-01', '2025-09-03');
SELECT _wh.update_public_view_by_template('foodlogstats');
-- the admin sees every tenant
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
RESET ROLE;
-- granted after the data exists
SELECT _wh.grant_tenant_reader('wh_t_b', 'tenant_tb');
SELECT * FROM _wh.tenant_readers ORDER BY 1;

-- The master relation has row-level security, one policy per role
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'public.foodlogstats'::regclass;
SELECT p.polroles::regrole[] AS roles, pg_get_expr(p.polqual, p.polrelid) AS qual, p.polcmd, p.polpermissive
  FROM pg_policy p WHERE p.polrelid = 'public.foodlogstats'::regclass ORDER BY p.polroles::regrole[]::text;

-- A tenant reader sees its tenant's rows, through the master relation and
-- its tenant relation ...
SET ROLE wh_t_a;
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM public.foodlogstats WHERE schema_name = 'tenant_tb';
SELECT schema_name, count(*) FROM tenant_ta.foodlogstats GROUP BY 1;
-- ... and nothing else: not the other tenant, not a daily piece, not ONLY
-- the root, not _wh, not dblink
SELECT count(*) FROM tenant_tb.foodlogstats;
SELECT count(*) FROM tenant_ta.foodlogstats_2025_09_01;
SELECT count(*) FROM tenant_tb.foodlogstats_2025_09_01;
SELECT count(*) FROM ONLY public.foodlogstats;
SELECT count(*) FROM _wh.pieces;
SELECT public.dblink_connect('out', 'dbname=postgres');
-- the policy is keyed on role membership: no setting changes it
SET row_security = off;
SELECT count(*) FROM public.foodlogstats;
RESET row_security;
SET biwh.tenant = 'tenant_tb';
SELECT count(DISTINCT schema_name) FROM public.foodlogstats;
RESET biwh.tenant;

-- A leaky function in WHERE sees only the reader's rows: the policy's qual
-- is evaluated before every qual that is not leakproof, even a cheap one
CREATE TEMP TABLE seen (schema_name text, store text);
CREATE FUNCTION pg_temp.leak(s text, store text) RETURNS boolean
LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
	IF s <> 'tenant_ta' THEN
		RAISE NOTICE 'LEAK: % %', s, store;
	END IF;
	INSERT INTO pg_temp.seen VALUES (s, store);
	RETURN true;
END
$$;
SELECT count(*) FROM public.foodlogstats WHERE pg_temp.leak(schema_name, store);
SELECT count(*) FROM public.foodlogstats WHERE pg_temp.leak(schema_name, store) OR schema_name = 'tenant_tb';
CREATE FUNCTION pg_temp.leak_eq(text, text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
	$$BEGIN RETURN pg_temp.leak($1, $2); END$$;
CREATE OPERATOR pg_temp.=== (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_temp.leak_eq);
SELECT count(*) FROM public.foodlogstats WHERE schema_name OPERATOR(pg_temp.===) store;
SELECT schema_name, count(*) FROM pg_temp.seen GROUP BY 1;
-- the statistics of the master relation are hidden from it (PostgreSQL's
-- pg_stats hides tables whose row-level security applies to the reader)
RESET ROLE;
ANALYZE public.foodlogstats;
SELECT count(*) > 0 AS stats_exist FROM pg_stats WHERE schemaname = 'public' AND tablename = 'foodlogstats';
SET ROLE wh_t_a;
SELECT count(*) AS stats_seen FROM pg_stats WHERE schemaname = 'public' AND tablename = 'foodlogstats';

-- Its queries are pruned to its partition at plan time, also by day
EXPLAIN (COSTS OFF)
SELECT count(*) FROM public.foodlogstats;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM public.foodlogstats WHERE logged_time >= '2025-09-02' AND logged_time < '2025-09-03';
RESET ROLE;

-- Every relation it may read: the roots of its schema and the masters
SELECT c.oid::regclass AS readable FROM pg_class c
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND has_table_privilege('wh_t_a', c.oid, 'SELECT')
   AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
   AND c.relnamespace <> pg_my_temp_schema()
 ORDER BY c.oid::regclass::text;
SELECT n.nspname FROM pg_namespace n
 WHERE has_schema_privilege('wh_t_a', n.oid, 'USAGE') AND n.nspname NOT LIKE 'pg\_%'
   AND n.nspname <> 'information_schema'
 ORDER BY 1;
-- no view over the roots (a view's owner would decide which policies apply)
SELECT count(*) AS views_on_roots FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
 WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = 'public.foodlogstats'::regclass;

-- The other tenant reader, the BI reader, and a member of a tenant reader
SET ROLE wh_t_b;
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
SET ROLE wh_t_bi;
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM tenant_ta.foodlogstats;
RESET ROLE;
CREATE ROLE wh_t_a_member IN ROLE wh_t_a;
SET ROLE wh_t_a_member;
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
RESET ROLE;

-- A template created later: the same rules, at once
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
SELECT 'flog2', source_sql, column_definitions, date_column FROM _wh.mv_templates
 WHERE template_name = 'foodlogstats';
SELECT _wh.update_mv_by_template('flog2', 'tenant_t', 'tenant_tb', '2025-09-01');
SELECT _wh.update_mv_by_template('flog2', 'tenant_t', 'tenant_ta', '2025-09-02');
SET ROLE wh_t_a;
SELECT schema_name, count(*) FROM public.flog2 GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM tenant_ta.flog2;
SELECT count(*) FROM tenant_tb.flog2;
SET ROLE wh_t_bi;
SELECT schema_name, count(*) FROM public.flog2 GROUP BY 1 ORDER BY 1;
RESET ROLE;

-- Roles that would see every tenant cannot be tenant readers, and back
SELECT _wh.grant_tenant_reader('wh_t_bi', 'tenant_ta');
SELECT _wh.grant_tenant_reader('wh_t_admin', 'tenant_ta');
SELECT _wh.grant_tenant_reader(current_user, 'tenant_ta');
CREATE ROLE wh_t_bi_member IN ROLE wh_t_bi;
SELECT _wh.grant_tenant_reader('wh_t_bi_member', 'tenant_ta');
SELECT _wh.grant_reader('wh_t_a');
CREATE ROLE wh_t_group;
GRANT wh_t_group TO wh_t_a;
SELECT _wh.grant_reader('wh_t_group');
SELECT _wh.grant_admin('wh_t_group');
SELECT _wh.grant_tenant_reader('wh_t_a', 'public');
SELECT _wh.grant_tenant_reader('no_such_role', 'tenant_ta');
SELECT count(*) AS tenant_readers FROM _wh.tenant_readers;

-- A second schema for one reader, then revoking both
SELECT _wh.grant_tenant_reader('wh_t_a', 'tenant_tb');
SET ROLE wh_t_a;
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
RESET ROLE;
SELECT _wh.revoke_tenant_reader('wh_t_a', 'tenant_tb');
SET ROLE wh_t_a;
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM tenant_tb.foodlogstats;
RESET ROLE;
SELECT _wh.revoke_tenant_reader('wh_t_a', 'tenant_ta');
SET ROLE wh_t_a;
SELECT count(*) FROM public.foodlogstats;
SELECT count(*) FROM tenant_ta.foodlogstats;
RESET ROLE;

-- Clean up
DROP OPERATOR pg_temp.=== (text, text);
DROP FUNCTION pg_temp.leak_eq(text, text), pg_temp.leak(text, text);
DROP TABLE pg_temp.seen;
DROP SCHEMA tenant_ta, tenant_tb CASCADE;
DROP TABLE public.foodlogstats, public.flog2;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_t;
DROP ROLE wh_t_admin, wh_t_bi, wh_t_a_member, wh_t_bi_member, wh_t_group, wh_t_a, wh_t_b, wh_t_src;
