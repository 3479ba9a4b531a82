--
-- wh_storage: retention and tiering (storage policies applied by the
-- dispatcher), the purge, and the monitoring views.  The warehouse's
-- clock is set with the superuser-only setting "now"; pg_cron is not
-- installed in this database (the views say nothing of it, the dispatcher
-- runs by hand).
--
\set VERBOSITY terse
\setenv PGTZ UTC
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_t_reader LOGIN PASSWORD 't-secret';
CREATE ROLE wh_t_admin;
CREATE DATABASE wh_src_t;
\c wh_src_t
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 12, 5) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_t_reader;
\c biwh_regress
\set VERBOSITY terse
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_t', '127.0.0.1', :port, 'wh_src_t', 'wh_t_reader', 't-secret'),
	   ('tenant_u', '127.0.0.1', :port, 'wh_src_t', 'wh_t_reader', 't-secret');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
SELECT _wh.grant_admin('wh_t_admin');
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; m text; h text;
BEGIN
	EXECUTE stmt;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
	RETURN concat_ws(E'\n', st || ': ' || m, 'HINT: ' || nullif(h, ''));
END
$$;
-- every relation of the two schemas: day pieces with their access method,
-- tablespace and place in the tree
CREATE VIEW pg_temp.layout AS
SELECT n.nspname AS schema_name, c.relname, a.amname, coalesce(t.spcname, '-') AS tablespace,
	   coalesce(i.inhparent::regclass::text, '-') AS parent,
	   EXISTS (SELECT 1 FROM _wh.pieces p WHERE p.schema_name = n.nspname AND p.relname = c.relname) AS piece
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am a ON a.oid = c.relam
  LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace
  LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
 WHERE n.nspname IN ('tenant_t', 'tenant_u') AND c.relkind = 'r'
 ORDER BY 1, 2;

-- Ten days loaded on 2025-09-10 (warehouse clock), into two schemas
INSERT INTO _wh.settings VALUES ('now', '2025-09-10 12:00:00+00');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_t', 'tenant_t', '2025-09-01', '2025-09-10');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_u', 'tenant_u', '2025-09-05', '2025-09-10');
SELECT _wh.update_public_view_by_template('foodlogstats');

-- Refused policies (nothing is written)
SELECT pg_temp.err($$SELECT _wh.set_storage_policy('nolog', drop_after_days => 7)$$);
SELECT pg_temp.err($$SELECT _wh.set_storage_policy('foodlogstats', 'Bad Name', drop_after_days => 7)$$);
SELECT pg_temp.err($$SELECT _wh.set_storage_policy('foodlogstats', drop_after_days => 0)$$);
SELECT pg_temp.err($$SELECT _wh.set_storage_policy('foodlogstats', columnar_after_days => -1)$$);
SELECT pg_temp.err($$SELECT _wh.set_storage_policy('foodlogstats', detach => true)$$);
SELECT pg_temp.err($$SELECT _wh.set_storage_policy('foodlogstats', cold_tablespace => 'pg_default')$$);
SELECT pg_temp.err($$SELECT _wh.set_storage_policy('foodlogstats', cold_tablespace => 'nowhere', cold_after_days => 3)$$);
SELECT pg_temp.err($$SELECT _wh.remove_storage_policy('foodlogstats')$$);
SELECT count(*) AS policies FROM _wh.storage_policies;

-- The template's policy: drop after 7 days, heap kept for 2 days, cold
-- tablespace after 3; schema tenant_u's own: detach after 4 days
SET allow_in_place_tablespaces = on;
CREATE TABLESPACE wh_t_cold LOCATION '';
RESET allow_in_place_tablespaces;
SELECT _wh.set_storage_policy('foodlogstats', drop_after_days => 7, columnar_after_days => 2,
							  cold_tablespace => 'wh_t_cold', cold_after_days => 3);
SELECT _wh.set_storage_policy('foodlogstats', 'tenant_u', drop_after_days => 4, detach => true);
SELECT * FROM _wh.storage_policies ORDER BY 1, 2;
-- today is heap; yesterday and the day before too now (a load follows the
-- policy: 09-08, loaded when it was final, was made columnar)
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_t', 'tenant_t', '2025-09-09', force => true);
SELECT schema_name, day, action, tablespace FROM _wh.storage_actions() ORDER BY 1, 2;

-- The dispatcher applies them, one piece per step, each logged
CALL _wh.run_due_refreshes();
SELECT kind, unit, status, message FROM _wh.run_log WHERE kind NOT IN ('load') ORDER BY id;
SELECT * FROM pg_temp.layout;
SELECT template_name, schema_name, days FROM _wh.units ORDER BY 1, 2;
SELECT count(*) AS actions_left FROM _wh.storage_actions();
-- the kept days equal the source
SELECT schema_name, logged_time::date AS day, count(*) FROM public.foodlogstats GROUP BY 1, 2 ORDER BY 1, 2;
-- a rebuild does not bring back the dropped days
SELECT _wh.rebuild_entire_warehouse();

-- One day later: one more day dropped and detached, one more moved, the
-- day before yesterday converted; a reload of a cold day goes to the cold
-- tablespace directly
UPDATE _wh.settings SET value = '2025-09-11 12:00:00+00' WHERE name = 'now';
SELECT max(id) AS mark FROM _wh.run_log \gset
SELECT _wh.refresh_mv('tenant_t', 'foodlogstats_2025_09_06');
SELECT schema_name, relname, amname, tablespace FROM pg_temp.layout WHERE relname = 'foodlogstats_2025_09_06';
CALL _wh.run_due_refreshes();
SELECT kind, unit, status, message FROM _wh.run_log WHERE id > :mark AND kind NOT IN ('load') ORDER BY id;
SELECT * FROM pg_temp.layout;
SELECT count(*) AS actions_left FROM _wh.storage_actions();

-- A step that fails is logged and retried at the next run; the others go on
SELECT max(id) AS mark FROM _wh.run_log \gset
UPDATE _wh.settings SET value = '2025-09-12 12:00:00+00' WHERE name = 'now';
INSERT INTO _wh.settings VALUES ('lock_timeout', '50ms'), ('swap_retries', '1');
SELECT format('host=%s port=%s user=postgres dbname=biwh_regress',
			  (SELECT setting FROM pg_settings WHERE name = 'unix_socket_directories'), :port) AS self \gset
SELECT dblink_connect('hold', :'self');
SELECT dblink_exec('hold', 'BEGIN');
SELECT dblink_exec('hold', 'LOCK TABLE tenant_t.foodlogstats_2025_09_04 IN ACCESS SHARE MODE');
CALL _wh.run_due_refreshes();
SELECT dblink_exec('hold', 'ROLLBACK');
SELECT dblink_disconnect('hold');
DELETE FROM _wh.settings WHERE name IN ('lock_timeout', 'swap_retries');
SELECT kind, unit, status, sqlstate, message FROM _wh.run_log WHERE id > :mark AND kind NOT IN ('load') ORDER BY id;
SELECT max(id) AS mark FROM _wh.run_log \gset
CALL _wh.run_due_refreshes();
SELECT kind, unit, status, message FROM _wh.run_log WHERE id > :mark AND kind NOT IN ('load') ORDER BY id;
SELECT count(*) AS actions_left FROM _wh.storage_actions();

-- Monitoring views: per unit, failures, costs per tenant, pg_cron (not
-- here: no rows), health
SELECT template_name, schema_name, tenant_name, last_success IS NOT NULL AS succeeded,
	   consecutive_failures, newest_day, days_behind, today_refreshed_at IS NOT NULL AS today_loaded,
	   load_p50_7d <= load_max_7d AS durations, loads_7d > 0 AS loads, schedules
  FROM _wh.refresh_status ORDER BY 1, 2;
SELECT kind, unit, sqlstate FROM _wh.recent_failures LIMIT 3;
SELECT schema_name, tenant_name, template_name, days, rows, heap_days, columnar_days,
	   heap_bytes > 0 AS heap, columnar_bytes > 0 AS columnar, cold_bytes > 0 AS cold,
	   total_bytes = heap_bytes + columnar_bytes AS total, compression_ratio > 0 AS ratio
  FROM _wh.tenant_costs ORDER BY 1, 3;
SELECT count(*) AS cron_jobs FROM _wh.cron_job_health;
SELECT connections > 0 AS connections, max_connections, connections_pct > 0 AS pct,
	   cache_hit_ratio BETWEEN 0 AND 100 AS cache_hit_ratio, database_bytes > 0 AS size,
	   dispatcher_status, units_failing
  FROM _wh.health;
-- a unit whose loads fail: consecutive failures and the last error
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_v', '127.0.0.1', :port, 'wh_src_t_missing', 'wh_t_reader', 't-secret');
SELECT pg_temp.err($$SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_v', 'tenant_v', '2025-09-12')$$) IS NOT NULL AS failed;
SELECT pg_temp.err($$SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_v', 'tenant_v', '2025-09-12')$$) IS NOT NULL AS failed;
SELECT template_name, schema_name, consecutive_failures, last_sqlstate, split_part(last_error, E'\n', 1) AS last_error
  FROM _wh.refresh_status ORDER BY 1, 2;
SELECT units_failing FROM _wh.health;
-- the admin reads them; nothing in them is secret
SET ROLE wh_t_admin;
SELECT count(*) > 0 AS reads FROM _wh.refresh_status, _wh.tenant_costs, _wh.health;
SELECT count(*) AS failures FROM _wh.recent_failures;
SELECT _wh.set_storage_policy('foodlogstats', 'tenant_t', drop_after_days => 30);
SELECT _wh.remove_storage_policy('foodlogstats', 'tenant_t');
RESET ROLE;
SELECT count(*) AS leaks FROM _wh.recent_failures WHERE message ~ 't-secret';

-- The purge keeps the run log to log_retention
INSERT INTO _wh.run_log (unit, kind, started_at, finished_at, status)
VALUES ('old', 'load', now() - interval '40 days', now() - interval '40 days', 'succeeded');
SELECT _wh.purge_logs();
SELECT count(*) AS old_rows FROM _wh.run_log WHERE started_at < now() - interval '30 days';
SELECT kind, status, message FROM _wh.run_log WHERE kind = 'purge';

-- Clean up
DROP VIEW pg_temp.layout;
DROP SCHEMA tenant_t CASCADE;
DROP SCHEMA tenant_u CASCADE;
DROP TABLE public.foodlogstats;
DROP TABLESPACE wh_t_cold;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_t;
DROP ROLE wh_t_reader;
DROP ROLE wh_t_admin;
