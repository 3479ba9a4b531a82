--
-- wh_schedule: pg_cron schedules and the dispatcher.  pg_cron is preloaded
-- in the test cluster with cron.database_name = biwh_regress; the jobs made
-- here are switched off in the transaction that makes them, so that only
-- the explicit CALLs below run the dispatcher (TAP test 205 lets pg_cron
-- run it).  The warehouse's clock is set with the superuser-only setting
-- "now", to test days around midnight in zones far from GMT.
--
\set VERBOSITY terse
\setenv PGTZ UTC
\setenv PGDATESTYLE 'ISO, YMD'
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_s_reader LOGIN PASSWORD 's-secret';
CREATE ROLE wh_s_admin;
CREATE ROLE wh_s_bi;
CREATE DATABASE wh_src_s;
\c wh_src_s
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-20', 10, 6) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_s_reader;
\c biwh_regress
\set VERBOSITY terse
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_s', '127.0.0.1', :port, 'wh_src_s', 'wh_s_reader', 's-secret'),
	   ('tenant_x', '127.0.0.1', :port, 'wh_src_s', 'wh_s_reader', 'wrong-secret');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
SELECT _wh.grant_admin('wh_s_admin'), _wh.grant_reader('wh_s_bi');
-- helpers (in schema public: the test reconnects, which drops pg_temp)
-- run a statement, return its SQLSTATE, message and hint
CREATE FUNCTION wh_s_err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
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
-- the pieces: day, access method, final, rows
CREATE VIEW wh_s_pieces AS
SELECT p.schema_name, p.day, a.amname, p.final, p.rows
  FROM _wh.pieces p
  JOIN pg_class c ON c.oid = format('%I.%I', p.schema_name, p.relname)::regclass
  JOIN pg_am a ON a.oid = c.relam
 ORDER BY 1, 2;
-- the run log since a row id, without times
CREATE FUNCTION wh_s_log(since bigint)
RETURNS TABLE (kind text, unit text, status text, sqlstate text, message text)
LANGUAGE sql AS $$
	SELECT kind, unit, status, sqlstate, regexp_replace(left(message, 110), 'port [0-9]+', 'port N')
	  FROM _wh.run_log WHERE id > since ORDER BY id
$$;
SELECT 0 AS mark \gset

-- Refused before pg_cron is asked: unknown template or tenant, bad target,
-- bad times (nothing is written)
SELECT wh_s_err($$SELECT _wh.schedule_daily('nolog')$$);
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', 'nobody', 'nobody')$$);
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', 'tenant_s')$$);
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', NULL, 'tenant_s')$$);
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', 'tenant_s', 'public')$$);
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', 'tenant_s', 'Bad Name')$$);
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', 'tenant_s', 'tenant_s', '02:00:30')$$);
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', 'tenant_s', 'tenant_s', NULL)$$);
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', 'tenant_s', 'tenant_s', '24:00')$$);
SELECT wh_s_err($$SELECT _wh.schedule_hourly('foodlogstats', 'tenant_s', 'tenant_s', every_minutes => 7)$$);
SELECT wh_s_err($$SELECT _wh.schedule_hourly('foodlogstats', 'tenant_s', 'tenant_s', every_minutes => 120)$$);
SELECT wh_s_err($$SELECT _wh.schedule_hourly('foodlogstats', 'tenant_s', 'tenant_s', at_minute => 60)$$);
SELECT wh_s_err($$SELECT _wh.unschedule('foodlogstats')$$);
SELECT wh_s_err($$SELECT _wh.unschedule('foodlogstats', kind => 'weekly')$$);
-- a bad time zone is refused when set, not at the next run
SELECT wh_s_err($$INSERT INTO _wh.settings VALUES ('timezone', 'Mars/Olympus_Mons')$$);
SELECT wh_s_err($$INSERT INTO _wh.settings VALUES ('max_run_time', 'forever')$$);
SELECT wh_s_err($$INSERT INTO _wh.settings VALUES ('log_retention', '5 minutes')$$);
SELECT wh_s_err($$INSERT INTO _wh.settings VALUES ('now', 'yesterday-ish')$$);
-- the warehouse's clock is the superuser's alone
SET ROLE wh_s_admin;
SELECT wh_s_err($$INSERT INTO _wh.settings VALUES ('now', '2025-09-24 12:00+00')$$);
RESET ROLE;

-- pg_cron preloaded but not installed in this database
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', 'tenant_s', 'tenant_s')$$);
SELECT count(*) AS schedules FROM _wh.refresh_schedules;
SELECT count(*) AS listed FROM _wh.schedules;

-- A warehouse in another database than cron.database_name
CREATE DATABASE wh_sched_other;
\c wh_sched_other
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
\set QUIET on
\i sql/template-foodlogstats.sql
CREATE FUNCTION wh_s_err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
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
\set QUIET off
-- pg_cron is not installed where it keeps its jobs
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats')$$);
\c biwh_regress
CREATE EXTENSION pg_cron;
\c wh_sched_other
\set VERBOSITY terse
-- biwh cannot connect there: the error says how to schedule by hand
INSERT INTO _wh.settings VALUES ('log_conninfo', 'host=/nonexistent port=1');
SELECT wh_s_err($$SELECT _wh.schedule_daily('foodlogstats', at_time => '03:00')$$);
DELETE FROM _wh.settings;
-- it can: biwh schedules there with cron.schedule_in_database, under a
-- name that carries this database's
SELECT _wh.schedule_daily('foodlogstats', at_time => '03:00');
SELECT jobname, cron_schedule, command, job_exists FROM _wh.schedules;
SELECT jobname, cron_schedule FROM _wh.cron_job_health;
SELECT _wh.unschedule('foodlogstats');
SELECT count(*) AS listed FROM _wh.schedules;
\c biwh_regress
\set VERBOSITY terse
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT count(*) AS jobs_left FROM cron.job;
DROP DATABASE wh_sched_other WITH (FORCE);

-- Schedules here.  Cron expressions are GMT: a daily run ticks every hour
-- at the GMT minute of its local minute (a zone 5:30 from GMT: minute 30)
INSERT INTO _wh.settings VALUES ('timezone', 'Asia/Kolkata');
BEGIN;
SELECT _wh.schedule_daily('foodlogstats', 'tenant_s', 'tenant_s', '02:00');
SELECT _wh.schedule_hourly('foodlogstats', every_minutes => 20, at_minute => 5);
UPDATE cron.job SET active = false;
COMMIT;
SELECT template_name, schema_name, tenant_name, kind, runs, timezone, jobname, cron_schedule, command, job_exists
  FROM _wh.schedules ORDER BY jobname;
-- the seed's "Job Management" query reads them as written
SELECT jobid > 0 AS has_id, schedule, command, jobname, active FROM cron.job ORDER BY jobname;
-- every job's command is the same call, whatever the admin gave
SELECT DISTINCT command, username FROM cron.job;
-- scheduling again replaces the schedule and its job
BEGIN;
SELECT _wh.schedule_daily('foodlogstats', 'tenant_s', 'tenant_s', '02:45');
UPDATE cron.job SET active = false;
COMMIT;
SELECT jobname, runs, cron_schedule FROM _wh.schedules WHERE kind = 'daily';
SELECT count(*) AS jobs FROM cron.job;
SELECT _wh.unschedule('foodlogstats', kind => 'hourly');

-- Daylight saving time: slots are absolute times.  A daily 02:30 in
-- Europe/Paris on the spring-forward night (no 02:30) comes at 03:30 by
-- the clock (01:30 GMT), on the fall-back night (02:30 twice) once; the
-- hourly slots stay an hour apart
UPDATE _wh.settings SET value = 'Europe/Paris' WHERE name = 'timezone';
SELECT t AS at, _wh.latest_slot('daily', '02:30', NULL, NULL, t) AS daily_0230,
	   _wh.latest_slot('hourly', NULL, 60, 15, t) AS hourly_15
  FROM unnest(ARRAY['2025-03-30 00:20+00', '2025-03-30 01:10+00', '2025-03-30 01:40+00',
					'2025-10-26 00:40+00', '2025-10-26 01:20+00', '2025-10-26 01:40+00']::timestamptz[]) t;

-- Days around midnight, far east of GMT (UTC+14): 23:30 on 09-24 there.
-- A new schedule brings its unit up to date at the next run: the daily
-- run loads yesterday (final, columnar) and today (heap)
UPDATE _wh.settings SET value = 'Pacific/Kiritimati' WHERE name = 'timezone';
INSERT INTO _wh.settings VALUES ('now', '2025-09-24 09:30:00+00');
BEGIN;
SELECT _wh.schedule_daily('foodlogstats', 'tenant_s', 'tenant_s', '00:30');
SELECT _wh.schedule_hourly('foodlogstats', 'tenant_s', 'tenant_s');
UPDATE cron.job SET active = false;
COMMIT;
SELECT cron_schedule FROM _wh.schedules ORDER BY kind;
SELECT _wh.today();
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
SELECT * FROM wh_s_pieces;
SELECT max(id) AS mark FROM _wh.run_log \gset
-- nothing is due again in the same hour
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
-- 00:05 on 09-25 there (10:05 GMT on 09-24): the hourly run loads the new
-- day; its update closes 09-24 (columnar, still not final)
UPDATE _wh.settings SET value = '2025-09-24 10:05:00+00' WHERE name = 'now';
SELECT _wh.today();
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
SELECT * FROM wh_s_pieces;
SELECT max(id) AS mark FROM _wh.run_log \gset
-- 00:31 there: the daily run reloads 09-24 as final, and today
UPDATE _wh.settings SET value = '2025-09-24 10:31:00+00' WHERE name = 'now';
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
SELECT * FROM wh_s_pieces;
SELECT max(id) AS mark FROM _wh.run_log \gset

-- Far west of GMT (UTC-12): 23:50 on 09-25 there is 11:50 GMT on 09-26.
-- The daily slot of 09-25 00:30 there has passed: 09-25 is reloaded (it
-- is today there), 09-24 is final and skipped
UPDATE _wh.settings SET value = 'Etc/GMT+12' WHERE name = 'timezone';
UPDATE _wh.settings SET value = '2025-09-26 11:50:00+00' WHERE name = 'now';
SELECT _wh.today();
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
SELECT max(id) AS mark FROM _wh.run_log \gset
-- 00:10 on 09-26 there: the hourly run loads 09-26 and closes 09-25
UPDATE _wh.settings SET value = '2025-09-26 12:10:00+00' WHERE name = 'now';
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
SELECT * FROM wh_s_pieces;
SELECT max(id) AS mark FROM _wh.run_log \gset
-- the warehouse equals the source for those days
SELECT (SELECT array_agg(ROW(d, n) ORDER BY d) FROM (SELECT logged_time::date AS d, count(*) AS n
		  FROM public.foodlogstats GROUP BY 1) w) = ARRAY[ROW('2025-09-23'::date, 6::bigint),
		  ROW('2025-09-24'::date, 6::bigint), ROW('2025-09-25'::date, 6::bigint), ROW('2025-09-26'::date, 6::bigint)]
	   AS equal_to_source;

-- A failing tenant does not stop the others, and is retried at the next run
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_s', 'tenant_bad', '2025-09-25');
UPDATE _wh.units SET tenant_name = 'tenant_x' WHERE schema_name = 'tenant_bad';
UPDATE _wh.pieces SET tenant_name = 'tenant_x' WHERE schema_name = 'tenant_bad';
BEGIN;
SELECT _wh.unschedule('foodlogstats', 'tenant_s');
SELECT _wh.schedule_hourly('foodlogstats');
UPDATE cron.job SET active = false;
COMMIT;
SELECT max(id) AS mark FROM _wh.run_log \gset
UPDATE _wh.settings SET value = '2025-09-26 13:10:00+00' WHERE name = 'now';
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
SELECT schema_name, kind, last_status, last_sqlstate, failures FROM _wh.schedule_state ORDER BY 1, 2;
SELECT max(id) AS mark FROM _wh.run_log \gset
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
SELECT schema_name, kind, last_status, failures FROM _wh.schedule_state ORDER BY 1, 2;
-- the right password: the next run loads it
SET log_statement = 'none';
UPDATE _wh.tenant_connections SET password = 's-secret' WHERE tenant_name = 'tenant_x';
RESET log_statement;
SELECT max(id) AS mark FROM _wh.run_log \gset
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
SELECT schema_name, kind, last_status, failures FROM _wh.schedule_state ORDER BY 1, 2;
SELECT count(*) AS leaks FROM _wh.run_log WHERE message ~ 'secret';
SELECT max(id) AS mark FROM _wh.run_log \gset

-- A second dispatcher run while one is going skips, and says so.  The
-- first one runs in another session on a template whose source is slow.
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
SELECT 'slowstats', 'SELECT x.* FROM (' || source_sql || ') x CROSS JOIN pg_sleep(2)', column_definitions, date_column
  FROM _wh.mv_templates WHERE template_name = 'foodlogstats';
BEGIN;
SELECT _wh.unschedule('foodlogstats');
SELECT _wh.schedule_hourly('slowstats', 'tenant_s', 'tenant_s');
UPDATE cron.job SET active = false;
COMMIT;
SELECT format('host=%s port=%s user=postgres dbname=biwh_regress',
			  (SELECT setting FROM pg_settings WHERE name = 'unix_socket_directories'), :port) AS self \gset
SELECT dblink_connect('first', :'self');
SELECT dblink_send_query('first', 'CALL _wh.run_due_refreshes()');
DO $$
BEGIN
	FOR i IN 1 .. 200 LOOP
		EXIT WHEN EXISTS (SELECT 1 FROM pg_locks l, _wh.dispatcher_lock() k
						   WHERE l.locktype = 'advisory' AND l.granted AND l.classid = k.key1::oid
							 AND l.objid = k.key2::oid AND l.objsubid = 2);
		PERFORM pg_sleep(0.05);
	END LOOP;
END
$$;
CALL _wh.run_due_refreshes();
SELECT * FROM dblink_get_result('first') AS r(res text);
SELECT dblink_disconnect('first');
SELECT kind, status, regexp_replace(message, '[0-9]+', 'N', 'g') AS message
  FROM _wh.run_log WHERE id > :mark AND kind = 'dispatcher' ORDER BY id;
SELECT * FROM wh_s_log(:mark) WHERE kind <> 'dispatcher';
SELECT max(id) AS mark FROM _wh.run_log \gset

-- A run stops starting units after max_run_time, leaving them for the
-- next run.  (The run here is driven step by step and aged by an hour.)
UPDATE _wh.settings SET value = '2025-09-26 14:10:00+00' WHERE name = 'now';
SELECT _wh.dispatch_begin() AS run \gset
UPDATE _wh.run_log SET started_at = started_at - interval '1 hour' WHERE id = :run;
SELECT _wh.dispatch_step(:run) AS started_a_unit;
SELECT _wh.dispatch_end(:run);
SELECT status, message FROM _wh.run_log WHERE id = :run;
-- a run that never ended (here: begun, then forgotten, in this very
-- session) is marked failed by the next one, which does the work
SELECT _wh.dispatch_begin() IS NOT NULL AS began;
CALL _wh.run_due_refreshes();
SELECT * FROM wh_s_log(:mark);
SELECT max(id) AS mark FROM _wh.run_log \gset

-- The purge: run log rows and biwh's pg_cron run details older than
-- log_retention; other jobs' details are kept
INSERT INTO _wh.settings VALUES ('log_retention', '7 days');
INSERT INTO _wh.run_log (unit, kind, started_at, finished_at, status)
SELECT 'old', 'load', now() - interval '8 days', now() - interval '8 days', 'succeeded' FROM generate_series(1, 3);
SELECT cron.schedule('not_biwh', '0 0 1 1 *', 'SELECT 1') AS other_job \gset
INSERT INTO cron.job_run_details (jobid, runid, database, username, command, status, start_time, end_time)
SELECT j.jobid, nextval('cron.runid_seq'), 'biwh_regress', 'postgres', j.command, 'succeeded',
	   now() - interval '8 days', now() - interval '8 days'
  FROM cron.job j;
SELECT _wh.purge_logs();
SELECT j.jobname, count(r.*) AS details FROM cron.job j LEFT JOIN cron.job_run_details r USING (jobid)
 GROUP BY 1 ORDER BY 1;
SELECT count(*) AS old_rows FROM _wh.run_log WHERE started_at < now() - interval '7 days';
SELECT cron.unschedule(:other_job);
DELETE FROM _wh.settings WHERE name = 'log_retention';

-- What the admin sees, and the BI reader does not
BEGIN;
SET ROLE wh_s_admin;
SELECT schema_name, kind, runs FROM _wh.schedules;
SELECT template_name, schema_name, consecutive_failures, newest_day, schedules FROM _wh.refresh_status ORDER BY 1, 2;
SELECT jobname, cron_schedule, active FROM _wh.cron_job_health;
SELECT wh_s_err($$SELECT _wh.schedule_daily('slowstats', 'tenant_s', 'tenant_s', '05:00')$$);
SELECT wh_s_err($$UPDATE cron.job SET command = 'SELECT 1'$$);
RESET ROLE;
UPDATE cron.job SET active = false;
COMMIT;
SET ROLE wh_s_bi;
SELECT wh_s_err($$SELECT * FROM _wh.schedules$$);
SELECT wh_s_err($$CALL _wh.run_due_refreshes()$$);
RESET ROLE;

-- After a restore, pg_cron's jobs are rebuilt from biwh's rows; stray
-- biwh jobs of this database go
DELETE FROM cron.job;
SELECT jobname, job_exists FROM _wh.schedules ORDER BY 1;
BEGIN;
SELECT _wh.reschedule_all();
SELECT jobname, job_exists FROM _wh.schedules ORDER BY 1;
UPDATE cron.job SET active = false;
COMMIT;
DELETE FROM _wh.refresh_schedules;
SELECT _wh.reschedule_all();
SELECT count(*) AS jobs FROM cron.job;

-- Removing schedules removes their jobs and the state of their units
BEGIN;
SELECT _wh.schedule_daily('slowstats', 'tenant_s', 'tenant_s', '06:00');
SELECT _wh.schedule_hourly('slowstats', 'tenant_s', 'tenant_s');
SELECT _wh.schedule_hourly('foodlogstats');
UPDATE cron.job SET active = false;
COMMIT;
SELECT _wh.unschedule('slowstats', 'tenant_s');
SELECT jobname FROM cron.job ORDER BY 1;
SELECT _wh.unschedule('foodlogstats');
SELECT count(*) AS jobs FROM cron.job;
SELECT count(*) AS states FROM _wh.schedule_state;

-- Clean up
DROP VIEW wh_s_pieces;
DROP FUNCTION wh_s_log(bigint);
DROP FUNCTION wh_s_err(text);
DROP EXTENSION pg_cron;
DROP SCHEMA tenant_s CASCADE;
DROP SCHEMA tenant_bad CASCADE;
DROP TABLE public.foodlogstats;
DROP TABLE IF EXISTS public.slowstats;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_s;
DROP ROLE wh_s_reader;
DROP ROLE wh_s_admin;
DROP ROLE wh_s_bi;
