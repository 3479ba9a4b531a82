--
-- wh_rollup: rollups of a template (_wh.create_rollup): declaration and
-- its errors (a refused declaration leaves nothing behind), filling on a
-- warehouse with data, maintenance by loads, totals equal to the base's
-- for every (schema, day), grants and row-level security, drop.
--
\set VERBOSITY terse
\setenv PGTZ UTC
SET TimeZone = 'UTC';
-- the base queries below must read the base (the routing hook, if any, off)
SET biwh.enable_rollup_routing = off;
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_r_reader LOGIN PASSWORD 'r''r';
CREATE ROLE wh_r_bi;
CREATE ROLE wh_r_t1;
CREATE ROLE wh_r_admin;
CREATE DATABASE wh_src_r;
\c wh_src_r
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 4, 40) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_r_reader;
\c biwh_regress
\set VERBOSITY terse
SET biwh.enable_rollup_routing = off;
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_r', '127.0.0.1', :port, 'wh_src_r', 'wh_r_reader', 'r''r');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
SELECT _wh.grant_reader('wh_r_bi');
SELECT _wh.grant_admin('wh_r_admin');
SELECT _wh.grant_tenant_reader('wh_r_t1', 'wh_r1');

-- three days in two schemas
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_r', 'wh_r1', '2025-09-01', '2025-09-03');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_r', 'wh_r2', '2025-09-02', '2025-09-03');

-- Declaration errors: each leaves nothing behind
SELECT _wh.create_rollup('nosuch', 'r_x', ARRAY['store'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['nosuch'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store'], ARRAY['sum(nosuch)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store'], ARRAY['count(DISTINCT name)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store'], ARRAY['stddev(weight)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store'], ARRAY['sum(weight * random())']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store'], ARRAY['max(to_char(logged_time, ''YYYY''))']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['lower(store)'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['date_trunc(''year'', logged_time)'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['sum(weight)'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store'], ARRAY['store']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store', 'store'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store'], ARRAY['count(*)', 'count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['schema_name'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', '{}', ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store'], '{}');
SELECT _wh.create_rollup('foodlogstats', 'r_x', ARRAY['store'], NULL);
SELECT _wh.create_rollup('foodlogstats', 'Bad Name', ARRAY['store'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'foodlogstats', ARRAY['store'], ARRAY['count(*)']);
CREATE TABLE public.r_taken (a int);
SELECT _wh.create_rollup('foodlogstats', 'r_taken', ARRAY['store'], ARRAY['count(*)']);
DROP TABLE public.r_taken;
-- names of biwh's relations: a daily piece's, a leaf's, a staging table's
SELECT _wh.create_rollup('foodlogstats', 'foodlogstats_2025_09_01', ARRAY['store'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', 'r_2025_09', ARRAY['store'], ARRAY['count(*)']);
SELECT _wh.create_rollup('foodlogstats', '_wh_stage_r', ARRAY['store'], ARRAY['count(*)']);
SELECT (SELECT count(*) FROM _wh.rollups) AS rollups, (SELECT count(*) FROM _wh.rollup_columns) AS columns,
       (SELECT count(*) FROM pg_class WHERE relname LIKE 'r\_x%') AS relations;

-- Declared on a warehouse with data: filled for every loaded day, ready
SELECT _wh.create_rollup('foodlogstats', 'store_daily',
	ARRAY['store', 'date_trunc(''day'', logged_time)'],
	ARRAY['count(*)', 'sum(weight)', 'avg(quantity)', 'min(cost_per_lb)', 'max(logged_time)',
		  'sum(weight * cost_per_lb)', 'count(action_taken)', 'avg(weight)']);
SELECT rollup_name, template_name, ready FROM _wh.rollups;
SELECT position, column_name, kind, grain, expression, column_type, tree IS NOT NULL AS has_tree
  FROM _wh.rollup_columns WHERE rollup_name = 'store_daily' ORDER BY position;
SELECT _wh.create_rollup('foodlogstats', 'store_daily', ARRAY['store'], ARRAY['count(*)']);
-- its relations: root, one partition per schema, one leaf per month,
-- with the days it holds
SELECT c.oid::regclass AS rel, c.relkind, a.amname, pg_get_expr(c.relpartbound, c.oid) AS bound
  FROM pg_class c LEFT JOIN pg_am a ON a.oid = c.relam
 WHERE c.relname LIKE 'store\_daily%' ORDER BY c.relname, c.relnamespace::regnamespace::text COLLATE "C";
SELECT schema_name, month, days FROM _wh.rollup_leaves WHERE rollup_name = 'store_daily' ORDER BY 1, 2;
-- a template is never named like a rollup or one of its leaves
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
SELECT n, source_sql, column_definitions, date_column FROM _wh.mv_templates, (VALUES ('store_daily_2025_10')) v(n)
 WHERE template_name = 'foodlogstats';
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
SELECT n, source_sql, column_definitions, date_column FROM _wh.mv_templates, (VALUES ('store_daily')) v(n)
 WHERE template_name = 'foodlogstats';
SELECT count(*) AS templates FROM _wh.mv_templates;

-- Totals per (schema, day, store) equal the base's: re-aggregated from the
-- rollup, against GROUP BY on the master
CREATE VIEW wh_r_diff AS
WITH r AS (SELECT schema_name, day, store, sum(count)::bigint AS n, sum(sum_weight) AS w,
				  sum(sum_quantity) / sum(count_quantity) AS avg_q, min(min_cost_per_lb) AS min_c,
				  max(max_logged_time) AS max_t, sum(sum_weight_cost_per_lb) AS wc,
				  sum(count_action_taken)::bigint AS na
			 FROM public.store_daily GROUP BY 1, 2, 3),
	 b AS (SELECT schema_name, logged_time::date AS day, store, count(*) AS n, sum(weight) AS w,
				  avg(quantity) AS avg_q, min(cost_per_lb) AS min_c, max(logged_time) AS max_t,
				  sum(weight * cost_per_lb) AS wc, count(action_taken) AS na
			 FROM public.foodlogstats GROUP BY 1, 2, 3)
SELECT 'rollup only' AS side, * FROM (TABLE r EXCEPT ALL TABLE b) x
UNION ALL SELECT 'base only', * FROM (TABLE b EXCEPT ALL TABLE r) y;
SELECT count(*) AS differences FROM wh_r_diff;

-- The stored expressions are run with standard_conforming_strings on,
-- whatever the caller's setting (a backslash in a literal stays one)
SELECT _wh.create_rollup('foodlogstats', 'bs_daily', ARRAY['store'], ARRAY['max(store || ''\'')'], fill => false);
SET client_min_messages = warning;
SET standard_conforming_strings = off;
CALL _wh.fill_rollup('bs_daily');
RESET standard_conforming_strings;
RESET client_min_messages;
SELECT expression FROM _wh.rollup_columns WHERE rollup_name = 'bs_daily' AND kind = 'max';
DO $$
DECLARE
	col	text := (SELECT column_name FROM _wh.rollup_columns WHERE rollup_name = 'bs_daily' AND kind = 'max');
	a	text;
	b	text;
BEGIN
	EXECUTE format('SELECT max(%I) FROM public.bs_daily', col) INTO a;
	SELECT max(store || '\') INTO b FROM public.foodlogstats;
	RAISE NOTICE 'rollup %, base %, same %', a, b, a = b;
END
$$;
SELECT _wh.drop_rollup('bs_daily');
SELECT schema_name, day, sum(count) AS rows FROM public.store_daily GROUP BY 1, 2 ORDER BY 1, 2;
SELECT schema_name, logged_time::date AS day, count(*) AS rows FROM public.foodlogstats GROUP BY 1, 2 ORDER BY 1, 2;

-- Loads write the rollup with the piece: a new day, a reload, a new schema
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_r', 'wh_r1', '2025-09-04');
SELECT _wh.refresh_mv('wh_r1', _wh.create_mv_name('foodlogstats', '2025-09-02'));
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_r', 'wh_r3', '2025-09-01');
SELECT count(*) AS differences FROM wh_r_diff;
SELECT schema_name, day, sum(count) AS rows FROM public.store_daily GROUP BY 1, 2 ORDER BY 1, 2;
SELECT ready FROM _wh.rollups WHERE rollup_name = 'store_daily';

SELECT schema_name, month, days FROM _wh.rollup_leaves WHERE rollup_name = 'store_daily' ORDER BY 1, 2;

-- A rollup whose expression fails on a day's data does not fail the load:
-- it is not ready any more, and the day is out of its leaf
SELECT _wh.create_rollup('foodlogstats', 'bad_daily', ARRAY['store'], ARRAY['sum(1 / (quantity - 12345))']);
SELECT ready FROM _wh.rollups WHERE rollup_name = 'bad_daily';
\c wh_src_r
UPDATE phood_foodlogsum SET quantity = 12345
 WHERE id = (SELECT min(id) FROM phood_foodlogsum WHERE logged_time >= '2025-09-03' AND logged_time < '2025-09-04');
\c biwh_regress
\set VERBOSITY terse
SET biwh.enable_rollup_routing = off;
SELECT _wh.refresh_mv('wh_r1', _wh.create_mv_name('foodlogstats', '2025-09-03'));
SELECT ready FROM _wh.rollups WHERE rollup_name = 'bad_daily';
SELECT schema_name, month, days FROM _wh.rollup_leaves WHERE rollup_name = 'bad_daily' ORDER BY 1, 2;
CALL _wh.fill_rollup('bad_daily');
SELECT _wh.drop_rollup('bad_daily');
SELECT count(*) AS differences FROM wh_r_diff;

-- Declared without filling: not ready, filled by CALL _wh.fill_rollup
SELECT _wh.create_rollup('foodlogstats', 'client_month', ARRAY['client', 'date_trunc(''month'', logged_time)'],
						 ARRAY['sum(weight)', 'count(*)'], fill => false);
SELECT ready, (SELECT count(*) FROM _wh.rollup_missing_days('client_month')) AS missing
  FROM _wh.rollups WHERE rollup_name = 'client_month';
SET client_min_messages = warning;
CALL _wh.fill_rollup('client_month');
RESET client_min_messages;
SELECT ready, (SELECT count(*) FROM _wh.rollup_missing_days('client_month')) AS missing
  FROM _wh.rollups WHERE rollup_name = 'client_month';
SELECT count(*) AS differences FROM (
	(SELECT schema_name, day, client, sum(count)::bigint, sum(sum_weight) FROM public.client_month GROUP BY 1, 2, 3
	 EXCEPT ALL
	 SELECT schema_name, logged_time::date, client, count(*), sum(weight) FROM public.foodlogstats GROUP BY 1, 2, 3)
	UNION ALL
	(SELECT schema_name, logged_time::date, client, count(*), sum(weight) FROM public.foodlogstats GROUP BY 1, 2, 3
	 EXCEPT ALL
	 SELECT schema_name, day, client, sum(count)::bigint, sum(sum_weight) FROM public.client_month GROUP BY 1, 2, 3)) d;

-- Readers read it like the master; a tenant reader sees its schema's rows only
SET ROLE wh_r_bi;
SELECT count(DISTINCT schema_name) AS bi_schemas FROM public.store_daily;
RESET ROLE;
SET ROLE wh_r_t1;
SELECT DISTINCT schema_name FROM public.store_daily;
SELECT count(*) > 0 AS own_partition FROM wh_r1.store_daily;
SELECT count(*) FROM wh_r2.store_daily;
RESET ROLE;
SELECT has_table_privilege('wh_r_admin', '_wh.rollups', 'SELECT') AS admin_reads,
       has_table_privilege('wh_r_admin', '_wh.rollup_columns', 'INSERT') AS admin_writes,
       has_function_privilege('wh_r_admin', '_wh.create_rollup(text, text, text[], text[], boolean)', 'EXECUTE') AS admin_creates,
       has_function_privilege('wh_r_bi', '_wh.create_rollup(text, text, text[], text[], boolean)', 'EXECUTE') AS bi_creates;

-- Drop: relations and catalog rows go
SELECT _wh.drop_rollup('client_month');
SELECT _wh.drop_rollup('client_month');
SELECT rollup_name FROM _wh.rollups;
SELECT count(*) AS relations FROM pg_class WHERE relname LIKE 'client\_month%';

-- Clean up: DROP EXTENSION CASCADE drops the rollups' relations too
DROP VIEW wh_r_diff;
SELECT _wh.revoke_tenant_reader('wh_r_t1', 'wh_r1');
SET client_min_messages = warning;
DROP EXTENSION biwh CASCADE;
RESET client_min_messages;
SELECT count(*) AS left_over FROM pg_class WHERE relname LIKE 'store\_daily%' OR relname LIKE 'foodlogstats%';
DROP EXTENSION dblink;
DROP DATABASE wh_src_r;
DROP ROLE wh_r_reader;
DROP ROLE wh_r_bi;
DROP ROLE wh_r_t1;
DROP ROLE wh_r_admin;
