--
-- wh_security: the extension creates no roles; grant_admin and
-- grant_reader give the seed's whadmin and phood_ro what they need and no
-- more; no password is readable but by the extension owner.
--
\set VERBOSITY terse
SELECT count(*) AS roles_before FROM pg_roles \gset
CREATE EXTENSION biwh CASCADE;
SELECT count(*) = :roles_before AS no_role_created FROM pg_roles;
-- every SECURITY DEFINER function of biwh has a fixed search_path of
-- pg_catalog then pg_temp (listed: those that do not)
SELECT p.oid::regprocedure AS secdef_without_fixed_search_path
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'biwh') AND p.prosecdef
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c
					WHERE c = 'search_path=pg_catalog, pg_temp')
 ORDER BY 1;
-- the others without one are C, or procedures that commit (they cannot
-- have SET clauses; their bodies resolve nothing through the caller's
-- search_path)
SELECT p.oid::regprocedure AS without_fixed_search_path, p.prokind
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'biwh')
   AND p.prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('c', 'internal'))
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c = 'search_path=pg_catalog, pg_temp')
 ORDER BY 1;
-- a body with a backslash in a string literal is read with
-- standard_conforming_strings on whatever the caller's setting (listed:
-- those that are not)
SELECT p.oid::regprocedure AS backslash_without_standard_strings
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'biwh')
   AND p.prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('c', 'internal'))
   AND strpos(p.prosrc, chr(92)) > 0
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c = 'standard_conforming_strings=on')
 ORDER BY 1;
-- nothing in _wh is open to PUBLIC
SELECT count(*) AS public_functions FROM pg_proc
 WHERE pronamespace = '_wh'::regnamespace
   AND (proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(proacl) a WHERE a.grantee = 0));
SELECT count(*) AS public_tables FROM pg_class
 WHERE relnamespace = '_wh'::regnamespace
   AND EXISTS (SELECT 1 FROM aclexplode(relacl) a WHERE a.grantee = 0);
-- every configuration table is kept by pg_dump
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS t(oid) JOIN pg_class c ON c.oid = t.oid
 WHERE e.extname = 'biwh' ORDER BY 1;

CREATE ROLE whadmin;
CREATE ROLE phood_ro;
CREATE ROLE wh_sec_reader LOGIN PASSWORD 'sec''ret';
SELECT _wh.grant_admin('whadmin');
SELECT _wh.grant_reader('phood_ro');
SELECT _wh.grant_reader('no_such_role');
SELECT * FROM _wh.role_grants ORDER BY 1;

CREATE DATABASE wh_src_s;
\c wh_src_s
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 3, 5) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_sec_reader;
\c biwh_regress
\set VERBOSITY terse
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset

-- The warehouse admin runs the workflow
SET ROLE whadmin;
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_s', '127.0.0.1', :port, 'wh_src_s', 'wh_sec_reader', 'sec''ret');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_s', 'tenant_s', '2025-09-01'::date, '2025-09-03'::date);
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'tenant_s', 'tenant_s');
SELECT _wh.update_public_view_by_template('foodlogstats');
SELECT count(*) FROM public.foodlogstats;
SELECT status, count(*) FROM _wh.run_log GROUP BY 1;
SELECT * FROM _wh.direct_query('tenant_s', 'SELECT count(*) AS n FROM phood_foodlogsum');
-- ... but reads no password
SELECT tenant_name, password FROM _wh.tenant_connections;
SELECT * FROM _wh.tenant_secrets;
SELECT _wh.get_tenant_connection_string('tenant_s');
SELECT _wh.load_day('foodlogstats', 'tenant_s', 'tenant_s', '2025-09-01', 'force');
ALTER TABLE _wh.tenant_connections DISABLE TRIGGER take_password;
DROP TRIGGER take_password ON _wh.tenant_connections;
CREATE TRIGGER steal BEFORE UPDATE ON _wh.tenant_connections
	FOR EACH ROW EXECUTE FUNCTION _wh.tenant_connections_take_password();
SET session_replication_role = replica;
-- nor sends it elsewhere: moving a tenant forgets its password
UPDATE _wh.tenant_connections SET host = '127.0.0.2' WHERE tenant_name = 'tenant_s';
UPDATE _wh.tenant_connections SET host = '127.0.0.1' WHERE tenant_name = 'tenant_s';
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_s', 'tenant_s', '2025-09-01', force => true);
UPDATE _wh.tenant_connections SET password = 'sec''ret' WHERE tenant_name = 'tenant_s';
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_s', 'tenant_s', '2025-09-01', force => true);
-- (leak 1) also with a NULL or empty password, which are refused, changing
-- nothing, and with '********', the value every row reads
UPDATE _wh.tenant_connections SET port = 1, password = NULL WHERE tenant_name = 'tenant_s';
UPDATE _wh.tenant_connections SET port = 1, password = '' WHERE tenant_name = 'tenant_s';
SELECT port = :port AS port_unchanged FROM _wh.tenant_connections WHERE tenant_name = 'tenant_s';
UPDATE _wh.tenant_connections SET port = 1, password = '********' WHERE tenant_name = 'tenant_s';
UPDATE _wh.tenant_connections SET port = :port WHERE tenant_name = 'tenant_s';
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_s', 'tenant_s', '2025-09-01', force => true);
UPDATE _wh.tenant_connections SET password = 'sec''ret' WHERE tenant_name = 'tenant_s';
-- INSERT ... ON CONFLICT DO NOTHING of an existing tenant changes nothing,
-- and leaves nothing behind for a later statement of the transaction
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_s', '127.0.0.1', :port, 'wh_src_s', 'wh_sec_reader', 'not-it') ON CONFLICT DO NOTHING;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_s', 'tenant_s', '2025-09-01', force => true);
BEGIN;
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_s', '127.0.0.1', 1, 'wh_src_s', 'wh_sec_reader', 'not-it') ON CONFLICT DO NOTHING;
UPDATE _wh.tenant_connections SET port = 1 WHERE tenant_name = 'tenant_s';
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_s', 'tenant_s', '2025-09-01', force => true);
ROLLBACK;
-- ... an upsert that writes the row stores the password of its VALUES (the
-- caller gave it)
INSERT INTO _wh.tenant_connections AS c (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_s', '127.0.0.1', :port, 'wh_src_s', 'wh_sec_reader', 'sec''ret')
ON CONFLICT (tenant_name) DO UPDATE SET port = EXCLUDED.port, password = EXCLUDED.password;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_s', 'tenant_s', '2025-09-01', force => true);
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_n', 'h', 5432, 'd', 'u', NULL);
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_n', 'h', 5432, 'd', 'u', '');
SELECT count(*) AS no_tenant_n FROM _wh.tenant_connections WHERE tenant_name = 'tenant_n';
RESET ROLE;
SELECT tenant_name, password = 'sec''ret' AS secret_kept FROM _wh.tenant_secrets ORDER BY 1;

-- The BI reader reads the public and tenant roots, nothing else
SET ROLE phood_ro;
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1;
SELECT count(*) FROM tenant_s.foodlogstats;
SELECT count(*) FROM tenant_s.foodlogstats_2025_09_01;
SELECT * FROM _wh.tenant_connections;
SELECT * FROM _wh.mv_templates;
SELECT * FROM _wh.run_log;
SELECT _wh.get_tenant_connection_string('tenant_s');
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_s', 'tenant_s', '2025-09-01');
SELECT * FROM _wh.direct_query('tenant_s', 'SELECT 1');
SELECT count(*) AS matviews FROM pg_matviews;
RESET ROLE;
SELECT count(*) AS wh_relations_readable FROM pg_class
 WHERE relnamespace = '_wh'::regnamespace AND relkind IN ('r', 'v', 'S')
   AND has_table_privilege('phood_ro', oid, 'SELECT');
SELECT count(*) AS wh_functions_callable FROM pg_proc
 WHERE pronamespace = '_wh'::regnamespace AND has_function_privilege('phood_ro', oid, 'EXECUTE');
SELECT has_schema_privilege('phood_ro', '_wh', 'USAGE') AS wh_usage;
-- dblink is closed to PUBLIC, so to the BI reader and the admin: they
-- cannot connect from the warehouse server anywhere (biwh calls it as its
-- owner)
SELECT count(*) AS dblink_callable FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'dblink'
 WHERE has_function_privilege('public', p.oid, 'EXECUTE') OR has_function_privilege('phood_ro', p.oid, 'EXECUTE')
	OR has_function_privilege('whadmin', p.oid, 'EXECUTE');
SET ROLE phood_ro;
SELECT dblink_connect('out', 'host=127.0.0.1 dbname=postgres');
SELECT * FROM dblink('host=127.0.0.1 dbname=postgres', 'SELECT 1') AS t(x int);
SET ROLE whadmin;
SELECT dblink_exec('host=127.0.0.1 dbname=postgres', 'SELECT 1');
RESET ROLE;
-- the admin reads connections, templates and the log, but no secret
SELECT c.relname, has_table_privilege('whadmin', c.oid, 'SELECT') AS admin_select
  FROM pg_class c WHERE c.relnamespace = '_wh'::regnamespace AND c.relkind = 'r' ORDER BY 1;
SELECT has_function_privilege('whadmin', '_wh.get_tenant_connection_string(text)', 'EXECUTE') AS admin_conninfo;

-- A tenant added later is readable at once
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_t', '127.0.0.1', :port, 'wh_src_s', 'wh_sec_reader', 'sec''ret');
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_t', 'tenant_t', '2025-09-02');
SET ROLE phood_ro;
SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM tenant_t.foodlogstats;
RESET ROLE;

-- No path shows a password: failing connections, remote errors, DirectQuery,
-- the run log, bookkeeping tables, function sources and, while a load runs,
-- pg_stat_activity of every backend (read by a template at the source).
UPDATE _wh.tenant_connections SET password = 'Zq7-pw' WHERE tenant_name = 'tenant_t';
CREATE FUNCTION pg_temp.leaks(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	m text; d text; h text; c text;
BEGIN
	EXECUTE stmt;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL,
							h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
	RETURN CASE WHEN concat_ws(' ', m, d, h, c) ~ 'Zq7|sec''ret|password=' THEN 'LEAK: ' ELSE '' END
		|| left(split_part(m, ': ', 2), 40);
END
$$;
SELECT pg_temp.leaks(format('SELECT _wh.load_day(%L, %L, %L, %L, %L)',
		'foodlogstats', 'tenant_t', 'tenant_t', '2025-09-02', 'force')) AS wrong_password;
UPDATE _wh.tenant_connections SET port = 1, password = 'Zq7-pw' WHERE tenant_name = 'tenant_t';
SELECT pg_temp.leaks($$SELECT _wh.refresh_mv('tenant_t', 'foodlogstats_2025_09_02')$$) AS refused;
SELECT pg_temp.leaks($$SELECT * FROM _wh.direct_query('tenant_t', 'SELECT 1')$$) AS direct_refused;
UPDATE _wh.tenant_connections SET host = '/nonexistent', password = 'Zq7-pw' WHERE tenant_name = 'tenant_t';
SELECT pg_temp.leaks($$SELECT _wh.refresh_mv('tenant_t', 'foodlogstats_2025_09_02')$$) AS no_socket;
UPDATE _wh.tenant_connections SET host = '127.0.0.1', port = :port, dbname = 'no_such_db', password = 'Zq7-pw'
 WHERE tenant_name = 'tenant_t';
SELECT pg_temp.leaks($$SELECT _wh.refresh_mv('tenant_t', 'foodlogstats_2025_09_02')$$) AS no_db;
-- the right password from here on, with a role that sees every backend
ALTER ROLE wh_sec_reader PASSWORD 'Zq7-pw';
GRANT pg_read_all_stats TO wh_sec_reader;
UPDATE _wh.tenant_connections SET dbname = 'wh_src_s', password = 'Zq7-pw' WHERE tenant_name = 'tenant_t';
SELECT pg_temp.leaks($$SELECT * FROM _wh.direct_query('tenant_t', 'SELECT no_such_column')$$) AS direct_remote_error;
SELECT pg_temp.leaks($$SELECT * FROM _wh.direct_query('tenant_t', 'SELECT 1/0')$$) AS direct_division;
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('secprobe', 'SELECT {{date}}::date AS day, application_name AS app, query AS q FROM pg_stat_activity',
		'day date, app text, q text', 'day');
SELECT _wh.update_mv_by_template('secprobe', 'tenant_t', 'tenant_t', '2025-09-02');
SELECT count(*) > 0 AS saw_the_loader, count(*) FILTER (WHERE q ~ 'Zq7|sec''ret|password') AS leaks
  FROM public.secprobe WHERE q LIKE '%update_mv_by_template%';
SELECT count(*) FILTER (WHERE q ~ 'Zq7|sec''ret|password') AS activity_leaks FROM public.secprobe;
UPDATE _wh.mv_templates SET source_sql = 'SELECT {{date}}::date, 1/0, ''x''' WHERE template_name = 'secprobe';
SELECT pg_temp.leaks($$SELECT _wh.refresh_mv('tenant_t', 'secprobe_2025_09_02')$$) AS remote_error;
UPDATE _wh.mv_templates SET source_sql = 'SELECT {{date}}::date + 1, ''x'', ''x''' WHERE template_name = 'secprobe';
SELECT pg_temp.leaks($$SELECT _wh.refresh_mv('tenant_t', 'secprobe_2025_09_02')$$) AS outside_day;
-- a canceled load or DirectQuery leaves no connection open in the session
-- (it would let the caller reuse the tenant's login)
UPDATE _wh.mv_templates SET source_sql = 'SELECT {{date}}::date, ''x'', pg_sleep(0.5)::text' WHERE template_name = 'secprobe';
SET statement_timeout = '100ms';
SELECT _wh.refresh_mv('tenant_t', 'secprobe_2025_09_02');
SELECT * FROM _wh.direct_query('tenant_t', 'SELECT pg_sleep(0.5)');
RESET statement_timeout;
SELECT dblink_get_connections() AS open_connections;
-- nothing stored or readable holds it
SELECT count(*) AS run_log_leaks FROM _wh.run_log WHERE concat_ws(' ', unit, message) ~ 'Zq7|sec''ret|password=';
SELECT count(*) AS failed_loads_logged FROM _wh.run_log WHERE status = 'failed' AND tenant_name = 'tenant_t';
SELECT count(*) AS table_leaks FROM (
	SELECT to_jsonb(p)::text AS j FROM _wh.pieces p UNION ALL SELECT to_jsonb(u)::text FROM _wh.units u
	UNION ALL SELECT to_jsonb(c)::text FROM _wh.tenant_connections c
	UNION ALL SELECT to_jsonb(s)::text FROM _wh.settings s) x WHERE j ~ 'Zq7|sec''ret';
SELECT count(*) AS prosrc_leaks FROM pg_proc
 WHERE prosrc ~ 'Zq7|sec''ret' AND pronamespace <> pg_my_temp_schema();
SELECT count(*) AS comment_leaks FROM pg_description WHERE description ~ 'Zq7|sec''ret';
-- log_conninfo is read by whadmin: it may not hold a password, and only a
-- superuser may point the owner's loopback connection somewhere
SET ROLE whadmin;
INSERT INTO _wh.settings VALUES ('log_conninfo', 'host=/tmp dbname=x');
RESET ROLE;
INSERT INTO _wh.settings VALUES ('log_conninfo', 'host=/tmp password=Zq7-pw');
REVOKE pg_read_all_stats FROM wh_sec_reader;
DROP SCHEMA tenant_t CASCADE;
DROP TABLE public.secprobe;

-- A source that lets biwh in without asking for the password is refused
-- (biwh calls dblink as a superuser, whom dblink does not check): here the
-- warehouse's own server on its local socket (trust) as a role that reads
-- every table, the secrets too, and over TCP as postgres (trust)
CREATE ROLE wh_loop_reader LOGIN;
GRANT pg_read_all_data TO wh_loop_reader;
SELECT current_setting('unix_socket_directories') AS sockdir \gset
SET ROLE whadmin;
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_loop', :'sockdir', :port, current_database(), 'wh_loop_reader', 'any'),
	   ('tenant_loop_pg', '127.0.0.1', :port, current_database(), 'postgres', 'any');
SELECT * FROM _wh.direct_query('tenant_loop', 'SELECT count(*) AS secrets FROM _wh.tenant_secrets');
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_loop', 'tenant_loop', '2025-09-01');
SELECT * FROM _wh.direct_query('tenant_loop_pg', 'SELECT count(*) AS secrets FROM _wh.tenant_secrets');
SELECT to_regnamespace('tenant_loop') IS NULL AS no_schema_left;
RESET ROLE;
CREATE FUNCTION pg_temp.error_of(stmt text, OUT state text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
	detail := regexp_replace(detail, '^Server "[^"]*" port [0-9]+', 'Server "..." port ...');
END
$$;
SET ROLE whadmin;
SELECT * FROM pg_temp.error_of($$SELECT * FROM _wh.direct_query('tenant_loop', 'SELECT 1')$$);
DELETE FROM _wh.tenant_connections WHERE tenant_name LIKE 'tenant_loop%';
RESET ROLE;
DROP ROLE wh_loop_reader;

-- Passwords are carried per row: a multi-row INSERT or UPDATE stores each
-- tenant's own, a second row of a tenant that is not written (ON CONFLICT
-- DO NOTHING) does not replace the first's, an upsert's DO UPDATE wins
-- over its VALUES, and nothing is left once the statement is over
CREATE ROLE wh_row_a LOGIN PASSWORD 'row-a-1';
CREATE ROLE wh_row_b LOGIN PASSWORD 'row-b-1';
SET ROLE whadmin;
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_ra', '127.0.0.1', :port, 'wh_src_s', 'wh_row_a', 'row-a-1'),
	   ('tenant_rb', '127.0.0.1', :port, 'wh_src_s', 'wh_row_b', 'row-b-1'),
	   ('tenant_ra', '127.0.0.1', :port, 'wh_src_s', 'wh_row_a', 'not-it')
ON CONFLICT DO NOTHING;
SELECT * FROM _wh.direct_query('tenant_ra', 'SELECT current_user AS u');
SELECT * FROM _wh.direct_query('tenant_rb', 'SELECT current_user AS u');
RESET ROLE;
ALTER ROLE wh_row_a PASSWORD 'row-a-2';
ALTER ROLE wh_row_b PASSWORD 'row-b-2';
SET ROLE whadmin;
UPDATE _wh.tenant_connections
   SET password = CASE tenant_name WHEN 'tenant_ra' THEN 'row-a-2' ELSE 'row-b-2' END
 WHERE tenant_name IN ('tenant_ra', 'tenant_rb');
SELECT * FROM _wh.direct_query('tenant_ra', 'SELECT current_user AS u');
SELECT * FROM _wh.direct_query('tenant_rb', 'SELECT current_user AS u');
RESET ROLE;
ALTER ROLE wh_row_a PASSWORD 'row-a-3';
SET ROLE whadmin;
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_ra', '127.0.0.1', :port, 'wh_src_s', 'wh_row_a', 'not-it')
ON CONFLICT (tenant_name) DO UPDATE SET password = 'row-a-3';
SELECT * FROM _wh.direct_query('tenant_ra', 'SELECT current_user AS u');
RESET ROLE;
SELECT _wh.secret_take('tenant_ra') IS NULL AND _wh.secret_take('tenant_rb') IS NULL AS nothing_kept;
-- a new row that gives no password ('********') has none, even if a
-- secret of that name was left behind (a TRUNCATE, a restore)
INSERT INTO _wh.tenant_secrets VALUES ('tenant_rc', 'row-a-3');
SET ROLE whadmin;
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_rc', '127.0.0.1', :port, 'wh_src_s', 'wh_row_a', '********');
SELECT * FROM _wh.direct_query('tenant_rc', 'SELECT current_user AS u');
DELETE FROM _wh.tenant_connections WHERE tenant_name IN ('tenant_ra', 'tenant_rb', 'tenant_rc');
RESET ROLE;
DROP ROLE wh_row_a;
DROP ROLE wh_row_b;

-- With standard_conforming_strings off, a password and a database name
-- holding a quote and a backslash reach the source as they are, and a
-- failed connection still shows no password
CREATE ROLE wh_q_reader LOGIN PASSWORD E'q\'\\pw';
CREATE DATABASE "wh_q'\db";
SET standard_conforming_strings = off;
SET ROLE whadmin;
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_q', '127.0.0.1', :port, E'wh_q\'\\db', 'wh_q_reader', E'q\'\\pw');
SELECT * FROM _wh.direct_query('tenant_q', 'SELECT current_database() AS db, current_user AS u');
SELECT _wh.create_mv_from_template('foodlogstats', 'tenant_q', 'tenant_q', '2025-09-01');
UPDATE _wh.tenant_connections SET password = E'Zq7\'\\wrong' WHERE tenant_name = 'tenant_q';
SELECT pg_temp.leaks($$SELECT * FROM _wh.direct_query('tenant_q', 'SELECT 1')$$) AS wrong_password;
DELETE FROM _wh.tenant_connections WHERE tenant_name = 'tenant_q';
RESET ROLE;
SELECT _wh.sanitize(E'password=\'q\\\'\\\\wrong\' x') AS sanitized;
RESET standard_conforming_strings;
DROP DATABASE "wh_q'\db";
DROP ROLE wh_q_reader;

-- DROP EXTENSION biwh is refused while the warehouse holds data (tenants,
-- readers); with CASCADE it leaves nothing of the warehouse: no relation,
-- tenant schema or policy, no privilege of its roles, which can then be
-- dropped; and PUBLIC may call dblink again
CREATE ROLE wh_sec_tenant;
SELECT _wh.grant_tenant_reader('wh_sec_tenant', 'tenant_s');
\set VERBOSITY default
\set SHOW_CONTEXT never
DROP EXTENSION biwh;
\set SHOW_CONTEXT errors
\set VERBOSITY terse
SELECT to_regclass('public.foodlogstats') IS NOT NULL AS root_kept;
DROP EXTENSION biwh CASCADE;
SELECT to_regnamespace('tenant_s') IS NULL AS schema_dropped, to_regclass('public.foodlogstats') IS NULL AS root_dropped,
	   (SELECT count(*) FROM pg_class WHERE relname LIKE 'foodlogstats%' OR relname LIKE 'secprobe%') AS relations_left,
	   (SELECT count(*) FROM pg_policy WHERE polname LIKE 'biwh%') AS policies_left;
-- (dblink_connect_u is closed to PUBLIC by dblink itself)
SELECT p.oid::regprocedure AS dblink_closed_to_public FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'dblink'
 WHERE NOT has_function_privilege('public', p.oid, 'EXECUTE')
 ORDER BY 1;
DROP ROLE whadmin;
DROP ROLE phood_ro;
DROP ROLE wh_sec_tenant;

-- Clean up
CREATE EXTENSION biwh;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_s;
DROP ROLE wh_sec_reader;
