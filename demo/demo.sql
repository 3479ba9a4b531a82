-- demo.sql: what "make demo" runs on its throwaway cluster (see demo.sh)
\pset footer off
\set QUIET on
\set wh :DBNAME

\echo '== CREATE EXTENSION biwh CASCADE'
CREATE EXTENSION biwh CASCADE;
SELECT biwh.build_info();

\echo '== two tenant source databases, read by a role with a password'
CREATE ROLE demo_reader LOGIN PASSWORD 'demo ''secret''';
CREATE DATABASE phood_east;
CREATE DATABASE phood_west;
\c phood_east
\i sql/source-foodlogstats.sql
SELECT phood_generate('2025-08-01', 61, 400) + phood_generate(current_date - 2, 3, 400) AS phood_east_rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO demo_reader;
\c phood_west
\i sql/source-foodlogstats.sql
SELECT phood_generate('2025-08-01', 61, 60) + phood_generate(current_date - 2, 3, 60) AS phood_west_rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO demo_reader;
\c :wh

\echo
\echo '== the seed''s Typical Workflow, as written (with this cluster''s host and port)'
\set QUIET off
\set ECHO queries
-- 1. Set up tenant connection (direct SQL)
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', :port, 'phood_east', 'demo_reader', 'demo ''secret''');

-- 2. Load template (if not already loaded)
\i sql/template-foodlogstats.sql

-- 3. Backfill historical data (one month at a time to avoid timeouts)
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '2025-08-01'::date, '2025-08-31'::date);
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '2025-09-01'::date, '2025-09-30'::date);

-- 4. Create the tenant union view
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'tenant_a', 'reports');

-- 5. Create/update the public master view
SELECT _wh.update_public_view_by_template('foodlogstats');

-- 6. Daily operations: update current day
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE);

-- A second tenant, in a schema of its own, backfilled day by day
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_b', '127.0.0.1', :port, 'phood_west', 'demo_reader', 'demo ''secret''');
SET client_min_messages = warning;
CALL _wh.backfill('foodlogstats', 'tenant_b', 'tenant_b', '2025-08-01', '2025-09-30');
RESET client_min_messages;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_b', 'tenant_b', CURRENT_DATE);
SELECT _wh.update_public_view_by_template('foodlogstats');
\set ECHO none
\set QUIET on

\echo
\echo '== what the admin sees of the connections (no password)'
SELECT tenant_name, host, dbname, username, password FROM _wh.tenant_connections ORDER BY 1;

\echo '== the warehouse: one partition per tenant, one piece per day'
SELECT t.parentrelid::regclass AS parent, count(*) AS pieces
  FROM pg_partition_tree('public.foodlogstats') t
 WHERE t.isleaf GROUP BY 1 ORDER BY 1;

\echo '== BI: rows and weight per tenant'
SELECT schema_name, count(*) AS rows, round(sum(weight), 1) AS total_weight_lb,
       round(sum(weight * cost_per_lb), 2) AS waste_cost
  FROM public.foodlogstats GROUP BY 1 ORDER BY 1;

\echo '== BI: top stores by weight, all tenants'
SELECT schema_name, store, region, round(sum(weight), 1) AS weight_lb
  FROM public.foodlogstats GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2 LIMIT 5;

\echo '== BI: one tenant, one week'
SELECT logged_time::date AS day, count(*) AS items, round(sum(weight), 1) AS weight_lb,
       round(avg(weight - target_weight), 3) AS avg_over_target
  FROM public.foodlogstats
 WHERE schema_name = 'reports' AND logged_time >= '2025-09-08' AND logged_time < '2025-09-15'
 GROUP BY 1 ORDER BY 1;
\echo '   ... which reads 7 daily pieces only (pruned at plan time):'
EXPLAIN (COSTS OFF)
SELECT count(*) FROM public.foodlogstats
 WHERE schema_name = 'reports' AND logged_time >= '2025-09-08' AND logged_time < '2025-09-15';

\echo '== BI on closed (columnar) days: vectorized aggregation, one partial ColumnarAgg per daily piece'
SELECT store, count(*) AS items, round(sum(weight), 1) AS weight_lb, max(logged_time) AS last_item
  FROM public.foodlogstats
 WHERE schema_name = 'reports' AND logged_time >= '2025-09-01' AND logged_time < '2025-09-03'
 GROUP BY store ORDER BY store;
EXPLAIN (COSTS OFF)
SELECT store, count(*) AS items, round(sum(weight), 1) AS weight_lb, max(logged_time) AS last_item
  FROM public.foodlogstats
 WHERE schema_name = 'reports' AND logged_time >= '2025-09-01' AND logged_time < '2025-09-03'
 GROUP BY store ORDER BY store;
\echo '== a tenant reader: _wh.grant_tenant_reader(role, schema), row-level security on the master'
CREATE ROLE demo_tenant_b;
SELECT _wh.grant_tenant_reader('demo_tenant_b', 'tenant_b') AS granted \gset
SET ROLE demo_tenant_b;
SELECT schema_name, count(*) AS rows FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
\echo '   ... also where it asks for another tenant, and it cannot read tenant_b''s pieces or _wh:'
SELECT count(*) AS rows_of_reports FROM public.foodlogstats WHERE schema_name = 'reports';
SELECT has_table_privilege('tenant_b.foodlogstats_2025_09_01', 'SELECT') AS reads_a_piece,
       has_schema_privilege('_wh', 'USAGE') AS reads_wh;
RESET ROLE;

\echo '== an aggregation table: a rollup per store per day, kept with the daily pieces'
SELECT _wh.create_rollup('foodlogstats', 'foodlogstats_store_day',
       ARRAY['store', 'date_trunc(''day'', logged_time)'],
       ARRAY['count(*)', 'sum(weight)', 'sum(weight * cost_per_lb)']) AS rollup_rows;
SELECT rollup_name, template_name, group_by, aggregates, ready FROM _wh.rollups;
SELECT schema_name, count(*) AS rollup_rows, count(DISTINCT day) AS days
  FROM public.foodlogstats_store_day GROUP BY 1 ORDER BY 1;
\echo '   ... one leaf per tenant and month, columnar once its days are closed:'
SELECT l.schema_name, l.month, l.days, a.amname AS access_method
  FROM _wh.rollup_leaves l
  JOIN pg_class c ON c.oid = format('%I.%I', l.schema_name, _wh.rollup_leaf_name(l.rollup_name, l.month))::regclass
  JOIN pg_am a ON a.oid = c.relam
 ORDER BY 1, 2;
\echo '   ... a BI query on the master (top stores of one tenant, one week), answered from the rollup:'
SELECT store, count(*) AS items, round(sum(weight), 1) AS weight_lb,
       round(sum(weight * cost_per_lb), 2) AS cost
  FROM public.foodlogstats
 WHERE schema_name = 'reports' AND logged_time >= '2025-09-08' AND logged_time < '2025-09-15'
 GROUP BY store ORDER BY cost DESC LIMIT 3;
EXPLAIN (COSTS OFF)
SELECT store, count(*) AS items, round(sum(weight), 1) AS weight_lb,
       round(sum(weight * cost_per_lb), 2) AS cost
  FROM public.foodlogstats
 WHERE schema_name = 'reports' AND logged_time >= '2025-09-08' AND logged_time < '2025-09-15'
 GROUP BY store ORDER BY cost DESC LIMIT 3;
\echo '   ... the same answer from the daily pieces (biwh.enable_rollup_routing off):'
SET biwh.enable_rollup_routing = off;
SELECT store, count(*) AS items, round(sum(weight), 1) AS weight_lb,
       round(sum(weight * cost_per_lb), 2) AS cost
  FROM public.foodlogstats
 WHERE schema_name = 'reports' AND logged_time >= '2025-09-08' AND logged_time < '2025-09-15'
 GROUP BY store ORDER BY cost DESC LIMIT 3;
RESET biwh.enable_rollup_routing;

\echo '== pg_cron: every tenant daily at 01:00 in the warehouse time zone, tenant_a every hour'
CREATE EXTENSION pg_cron;
SELECT _wh.schedule_daily('foodlogstats', at_time => '01:00') AS job;
SELECT _wh.schedule_hourly('foodlogstats', 'tenant_a', 'reports') AS job;
SELECT schema_name, kind, runs, timezone, jobname, cron_schedule AS "cron (GMT)", command
  FROM _wh.schedules ORDER BY jobname;
\echo '   ... the seed''s "Job Management" query on cron.job, as written:'
SELECT jobid, schedule, command, jobname, active FROM cron.job;

\echo '== the dispatcher, run once by hand (every job calls it; it decides what is due)'
CALL _wh.run_due_refreshes();
SELECT kind, unit, status, message FROM _wh.run_log
 WHERE kind <> 'load' ORDER BY id DESC LIMIT 4;

\echo '== monitoring: _wh.refresh_status (per template and tenant schema)'
SELECT schema_name, tenant_name, last_success::timestamp(0) AS last_success, consecutive_failures AS failures,
       newest_day, days_behind, date_trunc('second', today_lag) AS today_lag,
       date_trunc('milliseconds', load_p50_7d) AS load_p50, date_trunc('milliseconds', load_max_7d) AS load_max,
       loads_7d, schedules
  FROM _wh.refresh_status ORDER BY 1;
\echo '== monitoring: _wh.tenant_costs (cost tracking per tenant)'
SELECT schema_name, days, rows, heap_days, columnar_days, pg_size_pretty(heap_bytes) AS heap,
       pg_size_pretty(columnar_bytes) AS columnar, pg_size_pretty(total_bytes) AS total, compression_ratio
  FROM _wh.tenant_costs ORDER BY 1;
\echo '== monitoring: _wh.cron_job_health, _wh.health, _wh.recent_failures'
SELECT jobname, cron_schedule, active, last_status, runs_24h, failed_24h FROM _wh.cron_job_health;
SELECT connections, max_connections, connections_pct, cache_hit_ratio, pg_size_pretty(database_bytes) AS size,
       dispatcher_last_run::timestamp(0) AS dispatcher_last_run, dispatcher_status, units_failing
  FROM _wh.health;
SELECT count(*) AS recent_failures FROM _wh.recent_failures;

\echo '== the run log'
SELECT schema_name, kind, status, count(*), sum(rows) AS rows,
       pg_size_pretty(sum(bytes)) AS size,
       round(extract(epoch FROM max(finished_at) - min(started_at))::numeric, 2) AS seconds
  FROM _wh.run_log GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT unit, status, rows, pg_size_pretty(bytes) AS size,
       round(extract(epoch FROM finished_at - started_at)::numeric * 1000, 1) AS ms
  FROM _wh.run_log WHERE kind = 'load' ORDER BY id DESC LIMIT 3;
