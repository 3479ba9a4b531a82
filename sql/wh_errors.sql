--
-- wh_errors: every way a load can fail says why (template, tenant, schema,
-- day), leaves the previous data in place, writes a failed run-log row, and
-- never shows a password.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_err_reader LOGIN PASSWORD 'Secret''pw\1';
CREATE DATABASE wh_src_e;
\c wh_src_e
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 7, 10) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_err_reader;
CREATE ROLE wh_err_super LOGIN SUPERUSER PASSWORD 'super';
\c biwh_regress
\set VERBOSITY terse
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset

INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_e', '127.0.0.1', :port, 'wh_src_e', 'wh_err_reader', 'Secret''pw\1');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
-- a copy of the template that the tests below break and repair
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
SELECT 'flog', source_sql, column_definitions, date_column FROM _wh.mv_templates
 WHERE template_name = 'foodlogstats';
CREATE TEMP TABLE good AS SELECT * FROM _wh.mv_templates WHERE template_name = 'flog';
SELECT _wh.update_mv_window_by_template('flog', 'tenant_e', 'tenant_e', '2025-09-01', '2025-09-03');
CREATE TEMP VIEW state AS
SELECT logged_time::date AS day, count(*) AS n, sum(weight) AS w FROM public.flog GROUP BY 1 ORDER BY 1;
CREATE TEMP TABLE state_before AS SELECT * FROM state;
CREATE TEMP VIEW intact AS
SELECT count(*) = 3 AND bool_and(s.n = b.n AND s.w = b.w) AS intact FROM state s JOIN state_before b USING (day);
CREATE TEMP VIEW last_failure AS
SELECT unit, status, sqlstate, split_part(message, E'\n', 1) AS message
  FROM _wh.run_log ORDER BY id DESC LIMIT 1;
SELECT * FROM intact;

-- Unreachable source
UPDATE _wh.tenant_connections SET port = 1, password = 'Secret''pw\1' WHERE tenant_name = 'tenant_e';
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'tenant_e', '2025-09-02', force => true);
SELECT * FROM intact;
SELECT * FROM last_failure;
SELECT message LIKE '%Connection refused%' AS says_why FROM _wh.run_log ORDER BY id DESC LIMIT 1;
UPDATE _wh.tenant_connections SET port = :port WHERE tenant_name = 'tenant_e';
-- pointing a tenant elsewhere forgot its password
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'tenant_e', '2025-09-02', force => true);
SELECT * FROM last_failure;
UPDATE _wh.tenant_connections SET password = 'Secret''pw\1' WHERE tenant_name = 'tenant_e';

-- Wrong password
UPDATE _wh.tenant_connections SET password = 'wrong''pw' WHERE tenant_name = 'tenant_e';
SELECT password FROM _wh.tenant_connections;
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'tenant_e', '2025-09-02', force => true);
SELECT * FROM intact;
SELECT * FROM last_failure;
SELECT message LIKE '%password authentication failed for user "wh_err_reader"%' AS says_why
  FROM _wh.run_log ORDER BY id DESC LIMIT 1;
UPDATE _wh.tenant_connections SET password = 'Secret''pw\1' WHERE tenant_name = 'tenant_e';

-- A source that logs in as a superuser is refused
UPDATE _wh.tenant_connections SET username = 'wh_err_super', password = 'super' WHERE tenant_name = 'tenant_e';
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'tenant_e', '2025-09-02', force => true);
UPDATE _wh.tenant_connections SET username = 'wh_err_reader', password = 'Secret''pw\1' WHERE tenant_name = 'tenant_e';
SELECT * FROM intact;

-- Failing template SQL
UPDATE _wh.mv_templates SET source_sql = 'SELECT * FROM no_such_table WHERE d >= {{start}}' WHERE template_name = 'flog';
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'tenant_e', '2025-09-02', force => true);
SELECT * FROM intact;
SELECT * FROM last_failure;

-- Type mismatch: the source's text does not fit the declared integer
UPDATE _wh.mv_templates SET source_sql = replace(g.source_sql, 'pf.id,', 'pl.name AS id,')
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'tenant_e', '2025-09-02', force => true);
SELECT * FROM intact;
SELECT * FROM last_failure;
-- and a result with the wrong number of columns
UPDATE _wh.mv_templates SET source_sql = 'SELECT 1, {{start}}::text' WHERE template_name = 'flog';
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'tenant_e', '2025-09-02', force => true);
SELECT * FROM intact;

-- Zero rows never replace a loaded day (except when forced)
UPDATE _wh.mv_templates SET source_sql = g.source_sql || ' AND false'
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT _wh.refresh_mv('tenant_e', 'flog_2025_09_02');
SELECT * FROM intact;
SELECT * FROM last_failure;

-- Rows outside the day
UPDATE _wh.mv_templates SET source_sql = replace(g.source_sql, 'pf.logged_time < {{end}}', 'true')
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT _wh.refresh_mv('tenant_e', 'flog_2025_09_02');
SELECT * FROM intact;
SELECT * FROM last_failure;

-- Unknown placeholder
UPDATE _wh.mv_templates SET source_sql = replace(g.source_sql, '{{end}}', '{{stop}}')
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT _wh.refresh_mv('tenant_e', 'flog_2025_09_02');
SELECT * FROM intact;
SELECT * FROM last_failure;
UPDATE _wh.mv_templates SET source_sql = g.source_sql FROM good g WHERE mv_templates.template_name = 'flog';

-- A second load of the same day fails at once, and a swap that cannot get
-- its locks gives up, the previous data intact
SELECT format('host=%s port=%s dbname=biwh_regress user=postgres',
              (SELECT setting FROM pg_settings WHERE name = 'unix_socket_directories'), :port) AS self \gset
SELECT dblink_connect('holder', :'self');
SELECT dblink_exec('holder', 'BEGIN');
SELECT * FROM dblink('holder', $$SELECT pg_advisory_xact_lock(hashtextextended('biwh load flog tenant_e 2025-09-02', 0))$$) AS t(x text);
SELECT _wh.refresh_mv('tenant_e', 'flog_2025_09_02');
SELECT * FROM last_failure;
SELECT dblink_exec('holder', 'ROLLBACK');
INSERT INTO _wh.settings VALUES ('lock_timeout', '50ms'), ('swap_retries', '2');
SELECT dblink_exec('holder', 'BEGIN');
SELECT * FROM dblink('holder', 'SELECT count(*) FROM tenant_e.flog') AS t(n bigint);
SELECT _wh.refresh_mv('tenant_e', 'flog_2025_09_02');
SELECT * FROM last_failure;
SELECT dblink_exec('holder', 'ROLLBACK');
SELECT dblink_disconnect('holder');
DELETE FROM _wh.settings;
SELECT * FROM intact;
SELECT _wh.refresh_mv('tenant_e', 'flog_2025_09_02');
SELECT * FROM intact;

-- Bad names and injection attempts are rejected, never executed
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'Tenant_E', '2025-09-02');
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'x"; DROP TABLE good; --', '2025-09-02');
SELECT _wh.update_mv_by_template('flog', 'tenant''e', 'tenant_e', '2025-09-02');
SELECT _wh.update_mv_by_template('fl og', 'tenant_e', 'tenant_e', '2025-09-02');
SELECT _wh.update_mv_by_template('flog', 'tenant_e', repeat('s', 64), '2025-09-02');
SELECT _wh.update_mv_by_template('flog', 'tenant_e', 'pg_catalog', '2025-09-02');
SELECT _wh.update_mv_by_template('flog', 'tenant_e', '_wh', '2025-09-02');
SELECT _wh.update_mv_by_template('nosuch', 'tenant_e', 'tenant_e', '2025-09-02');
SELECT _wh.update_mv_by_template('flog', 'nosuch', 'other', '2025-09-02');
SELECT _wh.update_tenant_union_view_by_template('flog', 'tenant_e', 'a-b');
SELECT _wh.create_mv_name('Bad Name', '2025-09-02');
SELECT _wh.refresh_mv('tenant_e', 'flog_2025_09_02; DROP TABLE good');
INSERT INTO _wh.tenant_connections (tenant_name, host, dbname, username, password)
VALUES ('bad-tenant', 'h', 'd', 'u', 'p');
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('t1', 'SELECT 1', 'd date); DROP TABLE good; --', 'd');
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('t1', 'SELECT 1', 'd no_such_type', 'd');
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('t1', 'SELECT 1', 'd date, n integer', 'e');
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('t1', 'SELECT 1', 'd date, n integer', 'n');
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('t1', 'SELECT 1', 'schema_name text, d date', 'd');
SELECT count(*) AS good_survives FROM good;
SELECT * FROM _wh.parse_columns('a integer, b numeric(10, 2), c timestamp with time zone, d text[], "E" text');
SELECT * FROM _wh.parse_columns('a integer, b numeric(10, 2), c timestamp with time zone, d text[]');

-- Backfill commits day by day and resumes after a failure
UPDATE _wh.mv_templates
   SET source_sql = g.source_sql || ' AND 1 / (CASE WHEN {{date}} = ''2025-09-05'' THEN 0 ELSE 1 END) = 1'
  FROM good g WHERE mv_templates.template_name = 'flog';
CALL _wh.backfill('flog', 'tenant_e', 'tenant_e', '2025-09-01', '2025-09-07');
SELECT day, rows FROM _wh.pieces WHERE template_name = 'flog' ORDER BY day;
UPDATE _wh.mv_templates SET source_sql = g.source_sql FROM good g WHERE mv_templates.template_name = 'flog';
CALL _wh.backfill('flog', 'tenant_e', 'tenant_e', '2025-09-01', '2025-09-07');
SELECT day, rows FROM _wh.pieces WHERE template_name = 'flog' ORDER BY day;

-- A window is one transaction: a failure rolls it back
UPDATE _wh.mv_templates SET source_sql = 'SELECT broken' WHERE template_name = 'flog';
SELECT _wh.update_mv_window_by_template('flog', 'tenant_e', 'tenant_e', '2025-08-30', '2025-09-02');
SELECT count(*) FROM _wh.pieces WHERE template_name = 'flog' AND day < '2025-09-01';
UPDATE _wh.mv_templates SET source_sql = g.source_sql FROM good g WHERE mv_templates.template_name = 'flog';
SELECT _wh.update_mv_window_by_template('flog', 'tenant_e', 'tenant_e', '2025-09-07', '2025-09-01');

-- DirectQuery: read-only, one statement, rows as jsonb
SELECT * FROM _wh.direct_query('tenant_e', 'SELECT count(*) AS n, sum(weight) AS w FROM phood_foodlogsum');
SELECT r->>'store' AS store, (r->>'n')::int AS n
  FROM _wh.direct_query('tenant_e', $$SELECT pl.name AS store, count(*) AS n FROM phood_foodlogsum f
       JOIN phood_station s ON s.id = f.station_id JOIN phood_location pl ON pl.id = s.location_id
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 2$$) r;
SELECT * FROM _wh.direct_query('tenant_e', $$SELECT phood_generate('2025-01-01', 1, 1)$$);
SELECT * FROM _wh.direct_query('tenant_e', 'SELECT 1; DELETE FROM phood_foodlogsum');
SELECT * FROM _wh.direct_query('tenant_e', 'SELECT 1;');
UPDATE _wh.tenant_connections SET password = 'wrong' WHERE tenant_name = 'tenant_e';
SELECT * FROM _wh.direct_query('tenant_e', 'SELECT 1');
UPDATE _wh.tenant_connections SET password = 'Secret''pw\1' WHERE tenant_name = 'tenant_e';

-- No dblink connection is left open by the failures above
SELECT dblink_get_connections() AS open_connections;

-- Messages are sanitized: no password anywhere in the run log
SELECT _wh.sanitize($$could not connect: host='h' password='a b\'c' user=u password=plain, PASSWORD = "x y"$$);
SELECT status, sqlstate, count(*) FROM _wh.run_log GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS leaks FROM _wh.run_log
 WHERE message ~* 'secret|wrong''pw' OR unit ~* 'secret';

-- Clean up
DROP VIEW intact, last_failure, state;
DROP TABLE good, state_before;
DROP SCHEMA tenant_e CASCADE;
DROP TABLE public.flog;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_e;
DROP ROLE wh_err_reader;
DROP ROLE wh_err_super;
