--
-- wh_api: the seed's Typical Workflow as written, against two source
-- databases of this cluster reached over TCP with password authentication,
-- and what the warehouse must then hold.
--
\set VERBOSITY terse
-- "Today" is the warehouse's (time zone UTC by default, as this cluster's);
-- pg_regress runs sessions in PST8PDT, so CURRENT_DATE would be another day
-- for eight hours of every day (\setenv: also for the sessions of \c)
\setenv PGTZ UTC
SET TimeZone = 'UTC';
CREATE EXTENSION biwh CASCADE;

-- Two tenant source databases, read by a role with a password (SCRAM);
-- the password holds a quote and a backslash
CREATE ROLE wh_src_reader LOGIN PASSWORD 'pw ''q\x';
CREATE DATABASE wh_src_a;
CREATE DATABASE wh_src_b;
\c wh_src_a
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-08-01', 61, 20) AS aug_sep, phood_generate(current_date - 3, 4, 20) AS recent;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_src_reader;
\c wh_src_b
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 30, 7) AS sep;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_src_reader;
\c biwh_regress
\set VERBOSITY terse
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
SELECT format('host=127.0.0.1 port=%s user=postgres dbname=wh_src_a', :port) AS src_a,
       format('host=127.0.0.1 port=%s user=postgres dbname=wh_src_b', :port) AS src_b \gset

-- 1. Set up tenant connection (direct SQL), as the seed writes it
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', :port, 'wh_src_a', 'wh_src_reader', 'pw ''q\x');
-- the password is not in the visible table, but kept apart
SELECT tenant_name, host, dbname, username, password FROM _wh.tenant_connections;
SELECT tenant_name, password = 'pw ''q\x' AS kept FROM _wh.tenant_secrets;
-- the connection string quotes the values
SELECT regexp_replace(_wh.get_tenant_connection_string('tenant_a'), 'port=''[0-9]+''', 'port=''PORT''') AS conninfo;

-- 2. Load template (if not already loaded)
\i sql/template-foodlogstats.sql
SELECT template_name, date_column, options FROM _wh.mv_templates;

-- 3. Backfill historical data (one month at a time to avoid timeouts)
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '2025-08-01'::date, '2025-08-31'::date);
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '2025-09-01'::date, '2025-09-30'::date);

-- 4. Create the tenant union view
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'tenant_a', 'reports');

-- 5. Create/update the public master view
SELECT _wh.update_public_view_by_template('foodlogstats');

-- 6. Daily operations: update current day
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE);

-- The physical layout: root by schema_name, tenant by day, one leaf a day
SELECT c.relname, c.relkind, pg_get_partkeydef(c.oid) AS partkey
  FROM pg_class c
 WHERE c.oid IN ('public.foodlogstats'::regclass, 'reports.foodlogstats'::regclass)
 ORDER BY 1, 2;
SELECT pg_get_expr(c.relpartbound, c.oid) AS bound
  FROM pg_class c WHERE c.oid = 'reports.foodlogstats'::regclass;
-- a closed day is columnar when the columnar access method exists, today heap
SELECT pg_get_expr(c.relpartbound, 'reports.foodlogstats_2025_09_24'::regclass) AS bound
  FROM pg_class c WHERE c.oid = 'reports.foodlogstats_2025_09_24'::regclass;
SELECT c.relname = 'foodlogstats_2025_09_24' AS closed_day,
       a.amname = CASE WHEN c.relname = 'foodlogstats_2025_09_24'
                        AND EXISTS (SELECT 1 FROM pg_am WHERE amname = 'columnar')
                       THEN 'columnar' ELSE 'heap' END AS am_ok
  FROM pg_class c JOIN pg_am a ON a.oid = c.relam
 WHERE c.oid IN ('reports.foodlogstats_2025_09_24'::regclass,
                 format('reports.%I', _wh.create_mv_name('foodlogstats', current_date))::regclass)
 ORDER BY c.relname = 'foodlogstats_2025_09_24' DESC;
SELECT level, count(*) FROM pg_partition_tree('public.foodlogstats') GROUP BY 1 ORDER BY 1;
SELECT attname FROM pg_attribute
 WHERE attrelid = 'public.foodlogstats'::regclass AND attnum > 0 ORDER BY attnum;

-- A one-tenant, two-day query reads two pieces only
EXPLAIN (COSTS OFF)
SELECT count(*) FROM public.foodlogstats
 WHERE schema_name = 'reports' AND logged_time >= '2025-09-03' AND logged_time < '2025-09-05';

-- Per-day counts and sums equal the source's, for every day
CREATE TEMP VIEW src_a_days AS
SELECT * FROM dblink(:'src_a',
	'SELECT logged_time::date, count(*), sum(weight), sum(quantity) FROM phood_foodlogsum GROUP BY 1')
	AS s(day date, n bigint, w numeric, q numeric);
CREATE TEMP VIEW wh_a_days AS
SELECT logged_time::date AS day, count(*) AS n, sum(weight) AS w, sum(quantity) AS q
  FROM public.foodlogstats WHERE schema_name = 'reports' GROUP BY 1;
SELECT count(*) AS days, count(*) FILTER (WHERE s.n = w.n AND s.w = w.w AND s.q = w.q) AS equal
  FROM src_a_days s FULL JOIN wh_a_days w USING (day);
-- (the three days before today are not loaded yet: today only)
SELECT day - current_date AS rel_day, n FROM wh_a_days WHERE day > '2025-12-31' ORDER BY 1;

-- The 20 columns of the seed, with their values
SELECT id, store, station, validation_status, region, action_taken_id, action_taken, name,
       quantity, average_weight, weight, client, food_category, cost_per_lb, target_weight,
       price_per_lb, action_reason, client_id, logged_time, flags
  FROM reports.foodlogstats ORDER BY id LIMIT 3;

-- Backfill as a procedure: commits day by day, reports progress per day
SET client_min_messages = warning;
CALL _wh.backfill('foodlogstats', 'tenant_a', 'reports', current_date - 3, current_date - 1);
RESET client_min_messages;
SELECT day - current_date AS rel_day, n FROM wh_a_days WHERE day > '2025-12-31' ORDER BY 1;
SELECT day - current_date AS rel_day, final, rows FROM _wh.pieces
 WHERE schema_name = 'reports' AND day > '2025-12-31' ORDER BY 1;

-- Today's change is visible after update_mv_by_template(..., CURRENT_DATE)
SELECT n AS dummy FROM dblink(:'src_a', 'SELECT phood_generate(current_date, 1, 5)') AS t(n bigint);
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE);
SELECT n FROM wh_a_days WHERE day = current_date;

-- Yesterday only when allowed
SELECT n AS dummy FROM dblink(:'src_a', 'SELECT phood_generate(current_date - 1, 1, 3)') AS t(n bigint);
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE - 1);
SELECT n FROM wh_a_days WHERE day = current_date - 1;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE - 1, true);
SELECT n FROM wh_a_days WHERE day = current_date - 1;
-- older closed days are final, even with allow_refresh_yesterday; force reloads
SELECT n AS dummy FROM dblink(:'src_a', 'SELECT phood_generate(current_date - 2, 1, 2)') AS t(n bigint);
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE - 2, true);
SELECT n FROM wh_a_days WHERE day = current_date - 2;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE - 2, force => true);
SELECT n FROM wh_a_days WHERE day = current_date - 2;
-- a window reaching past today loads up to today
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE - 1, CURRENT_DATE + 2);
-- re-running a window skips what is final
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '2025-09-01'::date, '2025-09-30'::date);
-- days outside those reloads were loaded once, and still equal the source
SELECT count(*) AS days, max(n) AS loads FROM (
	SELECT day, count(*) AS n FROM _wh.run_log
	 WHERE schema_name = 'reports' AND status = 'succeeded' AND day < '2025-12-31' GROUP BY 1) l;
SELECT count(*) AS days, count(*) FILTER (WHERE s.n = w.n AND s.w = w.w AND s.q = w.q) AS equal
  FROM src_a_days s FULL JOIN wh_a_days w USING (day);
-- future days are refused
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', '2999-01-01');

-- Utility functions
SELECT _wh.create_mv_name('foodlogstats', '2025-09-24');
SELECT _wh.create_mv_name(repeat('x', 60), '2025-09-24') AS long_a,
       _wh.create_mv_name(repeat('x', 59) || 'y', '2025-09-24') AS long_b;
SELECT octet_length(_wh.create_mv_name(repeat('x', 63), '2025-09-24')) AS len;
SELECT _wh.does_mv_exist('reports', 'foodlogstats_2025_09_24') AS piece,
       _wh.does_mv_exist('reports', 'foodlogstats') AS tenant,
       _wh.does_mv_exist('reports', 'foodlogstats_2024_01_01') AS missing;
SELECT _wh.refresh_mv('reports', 'foodlogstats_2025_09_24');
SELECT _wh.refresh_mv('reports', 'foodlogstats');
SELECT _wh.create_mv_from_template('foodlogstats', 'tenant_a', 'reports', '2025-09-24');
SELECT _wh.create_mv_from_template('foodlogstats', 'tenant_a', 'reports', '2025-07-31');
SELECT count(*) FROM reports.foodlogstats_2025_07_31;

-- A tenant added later, with its own schema, appears in public
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_b', '127.0.0.1', :port, 'wh_src_b', 'wh_src_reader', 'pw ''q\x');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_b', 'tenant_b', '2025-09-01'::date, '2025-09-30'::date);
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'tenant_b', 'tenant_b');
SELECT _wh.update_public_view_by_template('foodlogstats');
SELECT _wh.update_public_view_by_template('foodlogstats');
SELECT schema_name, count(*), sum(weight) FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
SELECT sum(n) AS n, sum(w) AS w
  FROM dblink(:'src_b', 'SELECT count(*), sum(weight) FROM phood_foodlogsum') AS s(n bigint, w numeric);
-- a schema is fed by one tenant only
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_b', 'reports', '2025-09-02');
SELECT template_name, schema_name, tenant_name FROM _wh.units ORDER BY 1, 2;

-- The run log: one row per load
SELECT status, count(*), sum(rows) FILTER (WHERE day < '2025-12-31') AS rows_2025
  FROM _wh.run_log GROUP BY 1 ORDER BY 1;

-- Disaster recovery: drop the tenant schemas, rebuild, same data
SELECT md5(string_agg(t::text, ',' ORDER BY schema_name, id)) AS before_md5,
       count(*) AS before_n FROM public.foodlogstats t \gset
DROP SCHEMA reports CASCADE;
DROP SCHEMA tenant_b CASCADE;
SELECT count(*) FROM public.foodlogstats;
SELECT _wh.rebuild_entire_warehouse();
SELECT md5(string_agg(t::text, ',' ORDER BY schema_name, id)) = :'before_md5' AS same_data,
       count(*) = :before_n AS same_rows FROM public.foodlogstats t;
-- again: only today, which is still open, is reloaded
SELECT _wh.rebuild_entire_warehouse();

-- Clean up
DROP SCHEMA reports CASCADE;
DROP SCHEMA tenant_b CASCADE;
DROP VIEW src_a_days, wh_a_days;
DROP TABLE public.foodlogstats;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_a;
DROP DATABASE wh_src_b;
DROP ROLE wh_src_reader;
