--
-- wh_pieces: the access method of daily pieces (closed days columnar when
-- the columnar access method exists, the current day heap), and day bounds
-- of a timestamptz date column in the warehouse time zone.
--
\set VERBOSITY terse
-- "Today" is the warehouse's (time zone UTC by default, as this cluster's);
-- pg_regress runs sessions in PST8PDT, so CURRENT_DATE would be another day
-- for eight hours of every day (\setenv: also for the sessions of \c)
\setenv PGTZ UTC
SET TimeZone = 'UTC';
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_p_reader LOGIN PASSWORD 'p''p';
CREATE DATABASE wh_src_p;
\c wh_src_p
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 3, 24) + phood_generate(current_date, 1, 24) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_p_reader;
\c biwh_regress
\set VERBOSITY terse
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_p', '127.0.0.1', :port, 'wh_src_p', 'wh_p_reader', 'p''p');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off

-- A closed day becomes a columnar piece, today stays heap
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_p', 'tenant_p', '2025-09-01');
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_p', 'tenant_p', CURRENT_DATE);
SELECT p.day = current_date AS today, p.access_method, a.amname
  FROM _wh.pieces p
  JOIN pg_class c ON c.oid = format('%I.%I', p.schema_name, p.relname)::regclass
  JOIN pg_am a ON a.oid = c.relam
 ORDER BY 1;
-- the parent relations have no access method of their own
SELECT c.oid::regclass AS rel, c.relam = 0 AS no_am FROM pg_class c
 WHERE c.oid IN ('public.foodlogstats'::regclass, 'tenant_p.foodlogstats'::regclass) ORDER BY 1;
-- statistics and the bounds' CHECK come with every piece
SELECT c.reltuples, (SELECT count(*) FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c') AS checks
  FROM pg_class c WHERE c.oid = 'tenant_p.foodlogstats_2025_09_01'::regclass;
SELECT count(*) > 0 AS has_stats FROM pg_stats
 WHERE schemaname = 'tenant_p' AND tablename = 'foodlogstats_2025_09_01';
DROP SCHEMA tenant_p CASCADE;
DROP TABLE public.foodlogstats;
DELETE FROM _wh.units;
DELETE FROM _wh.pieces;

-- A timestamptz date column: days start at midnight in the warehouse time zone
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
SELECT 'flogtz',
       replace(replace(replace(source_sql,
           'pf.logged_time,', '(pf.logged_time AT TIME ZONE ''UTC'') AS logged_time,'),
           'pf.logged_time >= {{start}}', '(pf.logged_time AT TIME ZONE ''UTC'') >= {{start}}::timestamptz'),
           'pf.logged_time < {{end}}', '(pf.logged_time AT TIME ZONE ''UTC'') < {{end}}::timestamptz'),
       replace(column_definitions, 'logged_time timestamp', 'logged_time timestamptz'),
       date_column
  FROM _wh.mv_templates WHERE template_name = 'foodlogstats';
INSERT INTO _wh.settings VALUES ('timezone', 'America/New_York');
SELECT _wh.update_mv_by_template('flogtz', 'tenant_p', 'tenant_p', '2025-09-02');
SET timezone = 'UTC';
SELECT pg_get_expr(c.relpartbound, c.oid) AS bound
  FROM pg_class c WHERE c.oid = 'tenant_p.flogtz_2025_09_02'::regclass;
SELECT min(logged_time), max(logged_time), count(*) FROM public.flogtz;
SELECT * FROM dblink(format('host=127.0.0.1 port=%s dbname=wh_src_p user=postgres', :port),
	$$SELECT count(*) FROM phood_foodlogsum
	   WHERE logged_time >= '2025-09-02 04:00' AND logged_time < '2025-09-03 04:00'$$) AS t(n bigint);
RESET timezone;

-- Clean up
DROP SCHEMA tenant_p CASCADE;
DROP TABLE public.flogtz;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_p;
DROP ROLE wh_p_reader;
