--
-- wh_rollup_route: aggregate queries on a master relation are answered from
-- a ready rollup that covers them (biwh.enable_rollup_routing), with the
-- same rows and types as the base query; anything not covered runs on the
-- base relation; a tenant reader's row-level security applies through the
-- rollup.
--
\set VERBOSITY terse
\setenv PGTZ UTC
SET TimeZone = 'UTC';
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_r_a;
CREATE ROLE wh_r_src LOGIN PASSWORD 'r-secret';
CREATE DATABASE wh_src_r;
\c wh_src_r
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 5, 120) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_r_src;
\c biwh_regress
\set VERBOSITY terse
SET TimeZone = 'UTC';
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_r', '127.0.0.1', :port, 'wh_src_r', 'wh_r_src', 'r-secret');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_r', 'tenant_ra', '2025-09-01', '2025-09-03');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_r', 'tenant_rb', '2025-09-01', '2025-09-05');
SELECT _wh.update_public_view_by_template('foodlogstats');
SELECT _wh.grant_tenant_reader('wh_r_a', 'tenant_ra');

-- same(q) and routed(q)
\set ECHO none
\set QUIET on
\i sql/rollup-helpers.sql
\set QUIET off
\set ECHO all

-- A rollup per store per day
SELECT _wh.create_rollup('foodlogstats', 'fls_store_day',
	ARRAY['store', 'date_trunc(''day'', logged_time)', 'region'],
	ARRAY['count(*)', 'sum(weight)', 'count(weight)', 'min(weight)', 'max(weight)',
		  'sum(weight * cost_per_lb)', 'sum(action_taken_id)', 'count(action_taken_id)',
		  'sum(quantity)', 'count(quantity)']);
SELECT position, column_name, kind, grain, expression, column_type
  FROM _wh.rollup_columns ORDER BY position;

-- Routed: EXPLAIN scans the rollup's leaves
EXPLAIN (COSTS OFF)
SELECT store, count(*), sum(weight), avg(weight) FROM public.foodlogstats
 GROUP BY store ORDER BY store;
EXPLAIN (COSTS OFF)
SELECT date_trunc('month', logged_time) AS m, sum(weight * cost_per_lb)
  FROM public.foodlogstats
 WHERE logged_time >= '2025-09-02' AND logged_time < '2025-09-04' AND schema_name = 'tenant_rb'
 GROUP BY 1 ORDER BY 1;
EXPLAIN (COSTS OFF, VERBOSE)
SELECT count(*), min(weight), max(weight) FROM tenant_rb.foodlogstats;
SET biwh.enable_rollup_routing = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM tenant_rb.foodlogstats WHERE logged_time >= '2025-09-04';
RESET biwh.enable_rollup_routing;

-- Routed or not, and the same rows either way
CREATE VIEW public.fls_store_totals AS
SELECT store, count(*) AS n, sum(weight) AS w FROM public.foodlogstats GROUP BY store;
CREATE TEMP TABLE corpus (id serial, q text);
INSERT INTO corpus (q) VALUES
	('SELECT store, count(*), sum(weight), avg(weight), min(weight), max(weight) FROM public.foodlogstats GROUP BY store'),
	('SELECT schema_name, region, count(weight), sum(action_taken_id), avg(action_taken_id), avg(quantity) FROM public.foodlogstats GROUP BY 1, 2'),
	('SELECT date_trunc(''week'', logged_time), count(*) FROM public.foodlogstats GROUP BY 1'),
	('SELECT logged_time::date, store, sum(weight * cost_per_lb) FROM public.foodlogstats GROUP BY 1, 2 HAVING count(*) > 5'),
	('SELECT count(*), sum(weight) FROM public.foodlogstats WHERE logged_time >= ''2025-09-03'' AND store IN (''Store 1'', ''Store 2'')'),
	('SELECT count(*), sum(weight), avg(weight), min(store) FROM public.foodlogstats WHERE store = ''nowhere'''),
	('SELECT upper(store) || ''!'', max(weight) - min(weight) FROM tenant_ra.foodlogstats GROUP BY store ORDER BY 1 LIMIT 3'),
	('SELECT s, n FROM (SELECT store AS s, count(*) AS n FROM public.foodlogstats GROUP BY 1) x WHERE n > 40'),
	('WITH t AS (SELECT region, sum(weight) AS w FROM public.foodlogstats GROUP BY 1) SELECT * FROM t'),
	('SELECT count(*) FROM public.foodlogstats WHERE logged_time::date = ''2025-09-02'''),
	('SELECT * FROM public.fls_store_totals WHERE n > 1'),
	-- not covered: run on the base
	('SELECT store, count(DISTINCT station) FROM public.foodlogstats GROUP BY store'),
	('SELECT count(*) FROM public.foodlogstats WHERE weight > 1'),
	('SELECT count(*) FROM public.foodlogstats WHERE logged_time > ''2025-09-02'''),
	('SELECT count(*) FROM public.foodlogstats WHERE logged_time >= ''2025-09-02 10:30'''),
	('SELECT date_trunc(''hour'', logged_time), count(*) FROM public.foodlogstats GROUP BY 1'),
	('SELECT station, count(*) FROM public.foodlogstats GROUP BY 1'),
	('SELECT sum(weight) FILTER (WHERE store = ''Store 1'') FROM public.foodlogstats'),
	('SELECT sum(weight::float8) FROM public.foodlogstats'),
	('SELECT store, sum(weight), rank() OVER (ORDER BY sum(weight)) FROM public.foodlogstats GROUP BY store'),
	('SELECT count(*) FROM public.foodlogstats f JOIN tenant_ra.foodlogstats g USING (id)'),
	('SELECT count(*) FROM public.foodlogstats WHERE random() < 2'),
	('SELECT count(*) FROM ONLY public.foodlogstats'),
	('SELECT store, count(*) FROM public.foodlogstats GROUP BY ROLLUP (store)'),
	('SELECT store FROM public.foodlogstats GROUP BY store HAVING sum(weight) > (SELECT 1)');
SELECT id, pg_temp.routed(q), pg_temp.same(q) FROM corpus ORDER BY id;
DROP VIEW public.fls_store_totals;

-- Types and values are the base's: count stays bigint, sum of integers
-- bigint, sum and avg of numeric numeric with the base's scale
SELECT count(*), pg_typeof(count(*)), sum(action_taken_id), pg_typeof(sum(action_taken_id)),
	   avg(action_taken_id), pg_typeof(avg(action_taken_id)), sum(weight), avg(weight)
  FROM public.foodlogstats;
SET biwh.enable_rollup_routing = off;
SELECT count(*), pg_typeof(count(*)), sum(action_taken_id), pg_typeof(sum(action_taken_id)),
	   avg(action_taken_id), pg_typeof(avg(action_taken_id)), sum(weight), avg(weight)
  FROM public.foodlogstats;
RESET biwh.enable_rollup_routing;
-- no rows: one row, count 0, the rest NULL, as the base (all leaves pruned)
EXPLAIN (COSTS OFF)
SELECT count(*) FROM public.foodlogstats WHERE logged_time < '2025-01-01';
SELECT count(*), count(weight), sum(weight), avg(weight), min(weight)
  FROM public.foodlogstats WHERE logged_time < '2025-01-01';
SELECT count(*) FROM public.foodlogstats WHERE logged_time < '2025-01-01' GROUP BY store;

-- Parameters: one value for every row; a custom plan folds them into the
-- date filter, a generic plan keeps them and then runs on the base
PREPARE q(timestamp, text) AS
SELECT count(*), sum(weight) FROM public.foodlogstats WHERE logged_time >= $1 AND store = $2;
EXPLAIN (COSTS OFF) EXECUTE q('2025-09-04', 'Store 3');
EXECUTE q('2025-09-04', 'Store 3');
SET biwh.enable_rollup_routing = off;
EXECUTE q('2025-09-04', 'Store 3');
RESET biwh.enable_rollup_routing;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE q('2025-09-04', 'Store 3');
EXECUTE q('2025-09-04', 'Store 3');
RESET plan_cache_mode;
DEALLOCATE q;
-- a cached plan follows the setting (a statement without parameters keeps
-- its generic plan)
PREPARE t AS SELECT count(*) FROM public.foodlogstats;
EXECUTE t;
SELECT count(*) > 0 AS routed_plan FROM pg_temp.explain_lines('EXECUTE t') l WHERE l LIKE '%fls_store_day%';
SET biwh.enable_rollup_routing = off;
SELECT count(*) > 0 AS routed_plan FROM pg_temp.explain_lines('EXECUTE t') l WHERE l LIKE '%fls_store_day%';
RESET biwh.enable_rollup_routing;
SELECT count(*) > 0 AS routed_plan FROM pg_temp.explain_lines('EXECUTE t') l WHERE l LIKE '%fls_store_day%';
DEALLOCATE t;

-- A rollup that is not ready is not used, also by cached plans
PREPARE t AS SELECT count(*) FROM public.foodlogstats;
EXECUTE t;
UPDATE _wh.rollups SET ready = false;
SELECT pg_temp.routed('SELECT count(*) FROM public.foodlogstats');
SELECT count(*) > 0 AS routed_plan FROM pg_temp.explain_lines('EXECUTE t') l WHERE l LIKE '%fls_store_day%';
UPDATE _wh.rollups SET ready = true;
SELECT count(*) > 0 AS routed_plan FROM pg_temp.explain_lines('EXECUTE t') l WHERE l LIKE '%fls_store_day%';
DEALLOCATE t;

-- Of two rollups that cover a query, the one with fewer keys answers it
SELECT _wh.create_rollup('foodlogstats', 'fls_region', ARRAY['region'],
	ARRAY['count(*)', 'sum(weight)']);
SELECT pg_temp.routed('SELECT region, count(*) FROM public.foodlogstats GROUP BY 1') AS region,
	   pg_temp.routed('SELECT count(*), sum(weight) FROM public.foodlogstats') AS total,
	   pg_temp.routed('SELECT store, count(*) FROM public.foodlogstats GROUP BY 1') AS store,
	   pg_temp.same('SELECT region, count(*), sum(weight) FROM public.foodlogstats GROUP BY 1') AS same;
SELECT _wh.drop_rollup('fls_region');

-- A tenant reader: routed, under its row-level security (only its rows),
-- without any privilege on the rollup (revoked here) or on _wh
REVOKE ALL ON public.fls_store_day FROM wh_r_a;
SET ROLE wh_r_a;
SELECT has_table_privilege('public.fls_store_day', 'SELECT') AS rollup_granted;
EXPLAIN (COSTS OFF)
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1;
SELECT schema_name, count(*), sum(weight) FROM public.foodlogstats GROUP BY 1;
SET biwh.enable_rollup_routing = off;
SELECT schema_name, count(*), sum(weight) FROM public.foodlogstats GROUP BY 1;
RESET biwh.enable_rollup_routing;
SELECT count(*) FROM tenant_rb.foodlogstats;
RESET ROLE;

-- Clean up
SELECT _wh.drop_rollup('fls_store_day');
SELECT _wh.revoke_tenant_reader('wh_r_a', 'tenant_ra');
DROP SCHEMA tenant_ra, tenant_rb CASCADE;
DROP TABLE public.foodlogstats;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_r;
DROP ROLE wh_r_a, wh_r_src;
