--
-- wh_inputs: every input the warehouse refuses gets an error with its
-- SQLSTATE, a message naming what is wrong, and a hint, and changes
-- nothing: the per-day row counts, pieces, units and schemas stay as they
-- were (view "intact").
--
\set VERBOSITY terse
\setenv PGTZ UTC
SET TimeZone = 'UTC';
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_i_reader LOGIN PASSWORD 'i-secret';
CREATE DATABASE wh_src_i;
\c wh_src_i
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 4, 5) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_i_reader;
\c biwh_regress
\set VERBOSITY terse
SET TimeZone = 'UTC';
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_i', '127.0.0.1', :port, 'wh_src_i', 'wh_i_reader', 'i-secret');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
SELECT 'flog', source_sql, column_definitions, date_column FROM _wh.mv_templates
 WHERE template_name = 'foodlogstats';
CREATE TEMP TABLE good AS SELECT * FROM _wh.mv_templates WHERE template_name = 'flog';
SELECT _wh.update_mv_window_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-01', '2025-09-03');
CREATE TEMP VIEW state AS
SELECT (SELECT string_agg(format('%s:%s', d, n), ' ' ORDER BY d)
		  FROM (SELECT logged_time::date AS d, count(*) AS n FROM public.flog GROUP BY 1) x) AS days,
	   (SELECT count(*) FROM _wh.pieces) AS pieces, (SELECT count(*) FROM _wh.units) AS units,
	   (SELECT count(*) FROM pg_namespace) AS schemas,
	   (SELECT count(*) FROM pg_class WHERE relpersistence <> 't') AS relations,
	   (SELECT count(*) FROM _wh.settings) AS settings,
	   (SELECT count(*) FROM _wh.tenant_connections) AS tenants,
	   (SELECT md5(string_agg(concat_ws('|', template_name, source_sql, column_definitions, date_column), ','
							  ORDER BY template_name)) FROM _wh.mv_templates) AS templates;
CREATE TEMP TABLE state_before AS SELECT * FROM state;
CREATE TEMP VIEW intact AS SELECT s.days, s IS NOT DISTINCT FROM b AS intact FROM state s, state_before b;
SELECT * FROM intact;
-- run a statement, return its SQLSTATE, message, detail and hint
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; m text; d text; h text;
BEGIN
	EXECUTE stmt;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL,
							h = PG_EXCEPTION_HINT;
	RETURN concat_ws(E'\n', st || ': ' || m, 'DETAIL: ' || nullif(d, ''), 'HINT: ' || nullif(h, ''));
END
$$;

-- A template's columns, date column and name cannot change once its
-- relations exist (accepted and ignored before)
SELECT pg_temp.err($$UPDATE _wh.mv_templates SET column_definitions = replace(column_definitions, 'flags text', 'flags integer')
   WHERE template_name = 'flog'$$);
UPDATE _wh.mv_templates SET column_definitions = column_definitions || ', extra text' WHERE template_name = 'flog';
UPDATE _wh.mv_templates SET date_column = 'id' WHERE template_name = 'flog';
UPDATE _wh.mv_templates SET template_name = 'flog_renamed' WHERE template_name = 'flog';
SELECT * FROM intact;
-- the same columns written again are fine, and so is new source SQL
UPDATE _wh.mv_templates SET column_definitions = regexp_replace(column_definitions, '\s+', ' ', 'g'),
	   source_sql = source_sql || ' '
 WHERE template_name = 'flog';
UPDATE _wh.mv_templates SET column_definitions = g.column_definitions, source_sql = g.source_sql
  FROM good g WHERE mv_templates.template_name = 'flog';
-- and a template without relations may change
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('fresh', 'SELECT {{date}}::date AS d', 'd date', 'd');
UPDATE _wh.mv_templates SET column_definitions = 'd date, n integer' WHERE template_name = 'fresh';
DELETE FROM _wh.mv_templates WHERE template_name = 'fresh';

-- The tenant relation of a schema that has no data is not created (a
-- schema, an empty partition and a units row were)
SELECT pg_temp.err($$SELECT _wh.update_tenant_union_view_by_template('flog', 'tenant_i', 'tenant_none')$$);
SELECT to_regnamespace('tenant_none') AS schema_created;
SELECT * FROM intact;

-- Days that are not calendar days
SELECT pg_temp.err($$SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', 'infinity')$$);
SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', '-infinity');
SELECT _wh.create_mv_from_template('flog', 'tenant_i', 'tenant_i', '-infinity');
SELECT pg_temp.err($$SELECT _wh.update_mv_window_by_template('flog', 'tenant_i', 'tenant_i', '-infinity', '2025-09-02')$$);
SELECT _wh.update_mv_window_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-01', 'infinity');
CALL _wh.backfill('flog', 'tenant_i', 'tenant_i', '-infinity', '2025-09-02');
DELETE FROM _wh.run_log WHERE NOT isfinite(day);
SELECT * FROM intact;

-- A window longer than max_window_days (default 366): a 100-year window
-- tried to create 36,525 pieces in one transaction
SELECT pg_temp.err($$SELECT _wh.update_mv_window_by_template('flog', 'tenant_i', 'tenant_i', '1925-09-01', '2025-09-01')$$);
CALL _wh.backfill('flog', 'tenant_i', 'tenant_i', '1925-09-01', '2025-09-01');
INSERT INTO _wh.settings VALUES ('max_window_days', '2');
SELECT _wh.update_mv_window_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-01', '2025-09-03');
SELECT _wh.update_mv_window_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-02', '2025-09-03');
DELETE FROM _wh.settings;
SELECT * FROM intact;

-- A template query of two statements, or one that is not a query
SELECT pg_temp.err($$UPDATE _wh.mv_templates SET source_sql = source_sql || '; DELETE FROM phood_foodlogsum'
   WHERE template_name = 'flog'$$);
UPDATE _wh.mv_templates SET source_sql = 'DELETE FROM phood_foodlogsum RETURNING *' WHERE template_name = 'flog';
UPDATE _wh.mv_templates SET source_sql = 'SET TRANSACTION READ WRITE' WHERE template_name = 'flog';
UPDATE _wh.mv_templates SET source_sql = '  ;  -- nothing' WHERE template_name = 'flog';
UPDATE _wh.mv_templates SET source_sql = 'SELECT ''unterminated' WHERE template_name = 'flog';
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('two', 'SELECT {{date}}::date AS d; SELECT {{date}}::date AS d', 'd date', 'd');
-- semicolons in literals, quoted names, dollar quotes and comments are part
-- of the one statement; semicolons at the end are dropped
UPDATE _wh.mv_templates SET source_sql = replace(g.source_sql, 'pf.flags', $$CASE WHEN pf.flags = ';' THEN 'x;y' ELSE pf.flags END AS "fl;ags"$$)
	|| E' /* a; b */ AND $q$;$q$ = $q$;$q$ -- ;\n;;'
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-03', force => true);
UPDATE _wh.mv_templates SET source_sql = g.source_sql FROM good g WHERE mv_templates.template_name = 'flog';
-- a template query that writes is refused at the source too (read-only
-- transaction), e.g. through a data-modifying WITH
UPDATE _wh.mv_templates SET source_sql = 'WITH d AS (DELETE FROM phood_foodlogsum RETURNING *) ' || g.source_sql
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-02', force => true);
UPDATE _wh.mv_templates SET source_sql = g.source_sql FROM good g WHERE mv_templates.template_name = 'flog';
SELECT n AS source_rows FROM dblink(format('host=127.0.0.1 port=%s dbname=wh_src_i user=postgres', :port),
	'SELECT count(*) FROM phood_foodlogsum') AS t(n bigint);
SELECT * FROM intact;

-- A query whose columns do not match the template's, in number or types:
-- the error says which columns
UPDATE _wh.mv_templates SET source_sql = replace(g.source_sql, 'pf.flags', 'pf.flags, 1 AS one')
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT pg_temp.err($$SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-02', force => true)$$);
UPDATE _wh.mv_templates SET source_sql = replace(g.source_sql, ',
       pf.flags', '')
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT pg_temp.err($$SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-02', force => true)$$);
UPDATE _wh.mv_templates SET source_sql = replace(replace(g.source_sql, 'pf.id,', 'pl.name AS id,'), 'pf.logged_time,', 'pf.logged_time::text,')
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT pg_temp.err($$SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-02', force => true)$$);
-- types an INSERT would convert are fine (integer to numeric, anything to text)
UPDATE _wh.mv_templates SET source_sql = replace(replace(g.source_sql, 'pf.quantity,', 'pf.id AS quantity,'), 'pf.flags', 'pf.id AS flags')
  FROM good g WHERE mv_templates.template_name = 'flog';
SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-02', force => true);
UPDATE _wh.mv_templates SET source_sql = g.source_sql FROM good g WHERE mv_templates.template_name = 'flog';
SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-02', force => true);
DELETE FROM _wh.run_log WHERE status = 'failed';
SELECT * FROM intact;

-- DirectQuery: a write statement, an empty or NULL query, two statements,
-- an unterminated literal; a semicolon inside a literal is fine
SELECT pg_temp.err($$SELECT * FROM _wh.direct_query('tenant_i', 'DELETE FROM phood_foodlogsum')$$);
SELECT * FROM _wh.direct_query('tenant_i', 'INSERT INTO phood_action VALUES (99, ''x'')');
SELECT * FROM _wh.direct_query('tenant_i', 'CREATE TABLE x (a int)');
SELECT * FROM _wh.direct_query('tenant_i', '');
SELECT * FROM _wh.direct_query('tenant_i', ' ; -- nothing');
SELECT pg_temp.err($$SELECT * FROM _wh.direct_query('tenant_i', NULL)$$);
SELECT * FROM _wh.direct_query('tenant_i', 'SELECT 1; SELECT 2');
SELECT * FROM _wh.direct_query('tenant_i', 'SELECT ''a');
SELECT * FROM _wh.direct_query('tenant_i', 'SELECT ''a;b'' AS s, "c;d".n FROM (SELECT 1 AS n) AS "c;d" /* ; */;');
SELECT * FROM _wh.direct_query('tenant_i', $q$SELECT $$;$$ AS s -- ;$q$);
SELECT * FROM _wh.direct_query('tenant_i', 'WITH n AS (SELECT count(*) AS n FROM phood_action) SELECT n FROM n');
SELECT * FROM _wh.direct_query('tenant_i', 'VALUES (1)');
SELECT * FROM intact;

-- A NULL or empty password
SELECT pg_temp.err($$UPDATE _wh.tenant_connections SET password = NULL WHERE tenant_name = 'tenant_i'$$);
UPDATE _wh.tenant_connections SET host = 'elsewhere', password = '' WHERE tenant_name = 'tenant_i';
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_j', 'h', 5432, 'd', 'u', NULL);
SELECT tenant_name, host FROM _wh.tenant_connections ORDER BY 1;
SELECT _wh.update_mv_by_template('flog', 'tenant_i', 'tenant_i', '2025-09-02', force => true);
SELECT * FROM intact;

-- Settings: unknown names and values out of range are refused when set
SELECT pg_temp.err($$INSERT INTO _wh.settings VALUES ('swap_retries', '-5')$$);
SELECT pg_temp.err($$INSERT INTO _wh.settings VALUES ('swap_retry', '5')$$);
INSERT INTO _wh.settings VALUES ('swap_retries', 'many');
INSERT INTO _wh.settings VALUES ('swap_retries', '1000');
INSERT INTO _wh.settings VALUES ('max_window_days', '0');
INSERT INTO _wh.settings VALUES ('lock_timeout', 'soon');
INSERT INTO _wh.settings VALUES ('lock_timeout', '0');
INSERT INTO _wh.settings VALUES ('lock_timeout', '2h');
SELECT pg_temp.err($$INSERT INTO _wh.settings VALUES ('timezone', 'Mars/Olympus_Mons')$$);
INSERT INTO _wh.settings VALUES (NULL, '1');
SELECT * FROM intact;
-- valid values are kept (numbers as numbers), and checking lock_timeout
-- does not change this session's
INSERT INTO _wh.settings VALUES ('swap_retries', ' 3 '), ('lock_timeout', '250ms'),
	('timezone', 'Europe/Paris'), ('max_window_days', '31');
SELECT * FROM _wh.settings ORDER BY 1;
SHOW lock_timeout;
UPDATE _wh.settings SET value = '-1' WHERE name = 'swap_retries';
UPDATE _wh.settings SET value = 'Nowhere' WHERE name = 'timezone';
SELECT * FROM _wh.settings ORDER BY 1;
DELETE FROM _wh.settings;
SELECT * FROM intact;

-- Clean up
DROP VIEW intact, state;
DROP TABLE good, state_before;
DROP SCHEMA tenant_i CASCADE;
DROP TABLE public.flog;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_i;
DROP ROLE wh_i_reader;
