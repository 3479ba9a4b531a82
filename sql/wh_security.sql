--
-- wh_security: the extension creates no roles; grant_admin and
-- grant_reader give the seed's whadmin and phood_ro what they need and no
-- more; no password is readable but by the extension owner.
--
\set VERBOSITY terse
SELECT count(*) AS roles_before FROM pg_roles \gset
CREATE EXTENSION biwh CASCADE;
SELECT count(*) = :roles_before AS no_role_created FROM pg_roles;
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

-- Clean up
DROP SCHEMA tenant_s CASCADE;
DROP TABLE public.foodlogstats;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_s;
DROP ROLE whadmin;
DROP ROLE phood_ro;
DROP ROLE wh_sec_reader;
