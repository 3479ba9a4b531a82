--
-- wh_untrusted: nothing a non-superuser can create or replace (in pg_temp,
-- in schemas it owns, in tenant schemas, in public) is ever resolved or run
-- by the loaders, which run as the extension owner.  Every attack below
-- plants pg_temp.spy(), which would print a NOTICE "SPY ..." and write a
-- row into spy_log: the expected output has no such NOTICE, and spy_log
-- stays empty.
--
\set VERBOSITY terse
\setenv PGTZ UTC
SET TimeZone = 'UTC';
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_u_admin;
CREATE ROLE wh_u_reader LOGIN PASSWORD 'u-secret';
SELECT _wh.grant_admin('wh_u_admin');
SELECT current_database() AS wh \gset
-- the admin may create schemas of its own in the warehouse database
GRANT CREATE ON DATABASE :"wh" TO wh_u_admin;
CREATE DATABASE wh_src_u;
\c wh_src_u
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
SELECT phood_generate('2025-09-01', 2, 4) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_u_reader;
\c :wh
\set VERBOSITY terse
SET TimeZone = 'UTC';
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_u', '127.0.0.1', :port, 'wh_src_u', 'wh_u_reader', 'u-secret');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'tenant_u', '2025-09-01');

-- The admin's spy: what any planted object would call
SET ROLE wh_u_admin;
CREATE TEMP TABLE spy_log (who text, what text);
CREATE FUNCTION pg_temp.spy(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'SPY % as %: %', what, current_user,
		(SELECT string_agg(s.password, ',') FROM _wh.tenant_secrets s);
	INSERT INTO pg_temp.spy_log VALUES (current_user, what);
	RETURN true;
EXCEPTION WHEN insufficient_privilege THEN
	INSERT INTO pg_temp.spy_log VALUES (current_user, what);
	RETURN true;
END
$$;
CREATE TEMP VIEW spied AS SELECT count(*) AS spy_ran FROM pg_temp.spy_log;
-- run a statement, return its error with the detail
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; m text; d text;
BEGIN
	EXECUTE stmt;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || m || coalesce(E'\n' || nullif(d, ''), '');
END
$$;

-- Leak 2 of the issue: a temporary domain whose CHECK calls a temporary
-- function, as a template column type
CREATE DOMAIN pg_temp.evil AS date CHECK (pg_temp.spy('domain check ' || VALUE));
SELECT pg_temp.err($$INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, {{date}}::date AS e', 'd date, e evil', 'd')$$) AS refused;
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, {{date}}::date AS e', 'd date, e pg_temp.evil', 'd');
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, {{date}}::date AS e', 'd evil, e date', 'd');
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, ARRAY[{{date}}::date] AS e', 'd date, e evil[]', 'd');
-- other kinds of types: of a schema the admin owns, an enum, a row type, a
-- range
CREATE SCHEMA wh_u_own;
CREATE DOMAIN wh_u_own.weight AS numeric CHECK (pg_temp.spy('own domain'));
CREATE TYPE wh_u_own.mood AS ENUM ('ok');
CREATE TEMP TABLE rowtype (a integer);
CREATE TYPE pg_temp.rng AS RANGE (subtype = date);
SELECT pg_temp.err($$INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, 1.0 AS w', 'd date, w wh_u_own.weight', 'd')$$) AS refused;
SELECT pg_temp.err($$INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, ''ok'' AS m', 'd date, m wh_u_own.mood', 'd')$$) AS refused;
SELECT pg_temp.err($$INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, NULL AS r', 'd date, r rowtype', 'd')$$) AS refused;
SELECT pg_temp.err($$INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, NULL AS r', 'd date, r rng', 'd')$$) AS refused;
-- a collation cannot even be named
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, ''x'' AS s', 'd date, s text COLLATE "C"', 'd');
SELECT count(*) AS ev_templates FROM _wh.mv_templates WHERE template_name = 'ev';
SELECT _wh.update_mv_by_template('ev', 'tenant_u', 'tenant_u', '2025-09-01');
SELECT * FROM spied;
RESET ROLE;

-- A superuser's domain is trusted, in a schema a superuser owns ...
CREATE SCHEMA wh_u_trusted;
CREATE DOMAIN wh_u_trusted.weight AS numeric CHECK (VALUE >= 0);
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('tw', 'SELECT {{date}}::date AS d, 1.5::numeric AS w', 'd date, w wh_u_trusted.weight', 'd');
SELECT _wh.update_mv_by_template('tw', 'tenant_u', 'tenant_u', '2025-09-01');
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'public.tw'::regclass AND attname = 'w';
-- ... unless it calls a function that a non-superuser owns
CREATE FUNCTION wh_u_own.own_check(numeric) RETURNS boolean LANGUAGE sql AS 'SELECT true';
ALTER FUNCTION wh_u_own.own_check(numeric) OWNER TO wh_u_admin;
CREATE DOMAIN wh_u_trusted.w3 AS numeric CHECK (wh_u_own.own_check(VALUE));
SELECT pg_temp.err($$INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('tw3', 'SELECT {{date}}::date AS d, 1.5::numeric AS w', 'd date, w wh_u_trusted.w3', 'd')$$) AS refused;
-- and a type trusted when the template was added is checked again at every
-- load: the admin who gets the domain and gives it a CHECK gains nothing
CREATE DOMAIN wh_u_trusted.w4 AS numeric;
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('tw4', 'SELECT {{date}}::date AS d, 1.5::numeric AS w', 'd date, w wh_u_trusted.w4', 'd');
ALTER DOMAIN wh_u_trusted.w4 OWNER TO wh_u_admin;
GRANT USAGE ON SCHEMA wh_u_trusted TO wh_u_admin;
SET ROLE wh_u_admin;
ALTER DOMAIN wh_u_trusted.w4 ADD CONSTRAINT spy CHECK (pg_temp.spy('w4 ' || VALUE));
SELECT _wh.update_mv_by_template('tw4', 'tenant_u', 'tenant_u', '2025-09-01');
SELECT * FROM spied;
RESET ROLE;
SELECT count(*) AS tw4_relations FROM pg_class WHERE relname LIKE 'tw4%';

-- Functions, operators and relations the admin plants in pg_temp under the
-- names the loaders use are never picked: PostgreSQL never searches pg_temp
-- for functions and operators, and the loaders' search_path puts pg_temp
-- after pg_catalog for relations and types
SET ROLE wh_u_admin;
CREATE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('now()'); RETURN pg_catalog.now(); END$$;
CREATE FUNCTION pg_temp.format(text, text, text) RETURNS text LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('format()'); RETURN ''; END$$;
CREATE FUNCTION pg_temp.to_char(date, text) RETURNS text LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('to_char()'); RETURN ''; END$$;
CREATE FUNCTION pg_temp.quote_literal(text) RETURNS text LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('quote_literal()'); RETURN ''; END$$;
CREATE FUNCTION pg_temp.dblink_connect(text, text) RETURNS text LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('dblink_connect()'); RETURN 'OK'; END$$;
CREATE FUNCTION pg_temp.spy_ge(timestamp, timestamp) RETURNS boolean LANGUAGE plpgsql AS
	$$BEGIN RETURN pg_temp.spy('>='); END$$;
CREATE OPERATOR pg_temp.>= (LEFTARG = timestamp, RIGHTARG = timestamp, FUNCTION = pg_temp.spy_ge);
CREATE FUNCTION pg_temp.spy_cat(text, text) RETURNS text LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('||'); RETURN $1; END$$;
CREATE OPERATOR pg_temp.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_temp.spy_cat);
CREATE TEMP VIEW pg_class AS SELECT * FROM pg_catalog.pg_class WHERE pg_temp.spy('pg_class');
CREATE TEMP VIEW pg_namespace AS SELECT * FROM pg_catalog.pg_namespace WHERE pg_temp.spy('pg_namespace');
CREATE TEMP VIEW pg_inherits AS SELECT * FROM pg_catalog.pg_inherits WHERE pg_temp.spy('pg_inherits');
CREATE TEMP VIEW pg_roles AS SELECT * FROM pg_catalog.pg_roles WHERE pg_temp.spy('pg_roles');
CREATE TEMP VIEW pg_am AS SELECT * FROM pg_catalog.pg_am WHERE pg_temp.spy('pg_am');
CREATE TEMP VIEW pg_policy AS SELECT * FROM pg_catalog.pg_policy WHERE pg_temp.spy('pg_policy');
CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (pg_temp.spy('text domain'));
CREATE DOMAIN pg_temp.date AS pg_catalog.date CHECK (pg_temp.spy('date domain'));
CREATE DOMAIN pg_temp.numeric AS pg_catalog.numeric CHECK (pg_temp.spy('numeric domain'));
CREATE TEMP TABLE mv_templates (template_name text);
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'tenant_u', '2025-09-02');
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'tenant_u', '2025-09-01', force => true);
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'tenant_u', 'tenant_u');
SELECT _wh.update_public_view_by_template('foodlogstats');
SELECT _wh.close_days();
SELECT _wh.rebuild_entire_warehouse();
SELECT count(*) FROM _wh.direct_query('tenant_u', 'SELECT 1 AS one');
-- a failed load runs the run log's loopback connection
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'tenant_u', 'infinity');
SELECT * FROM spied;
DROP VIEW pg_temp.pg_class, pg_temp.pg_namespace, pg_temp.pg_inherits, pg_temp.pg_roles,
	pg_temp.pg_am, pg_temp.pg_policy;
DROP TABLE pg_temp.mv_templates;
DROP DOMAIN pg_temp.text, pg_temp.date, pg_temp.numeric;
RESET ROLE;

-- The loopback connection of the run log runs with the database's
-- search_path, which a database owner may set: it names pg_catalog's
-- functions with their schema
CREATE TABLE wh_u_own.ran (what text);
GRANT INSERT ON wh_u_own.ran TO PUBLIC;
CREATE FUNCTION wh_u_own.clock_timestamp() RETURNS timestamptz LANGUAGE sql AS
	$$INSERT INTO wh_u_own.ran VALUES ('clock_timestamp as ' || current_user) RETURNING pg_catalog.now()$$;
ALTER FUNCTION wh_u_own.clock_timestamp() OWNER TO wh_u_admin;
ALTER DATABASE :"wh" SET search_path = wh_u_own, pg_catalog, public;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'tenant_u', '-infinity');
ALTER DATABASE :"wh" RESET search_path;
SELECT count(*) AS loopback_ran_planted FROM wh_u_own.ran;
SELECT count(*) AS failures_logged FROM _wh.run_log WHERE NOT isfinite(day);

-- dblink is called with exact argument types: overloads planted in public
-- are never chosen
GRANT CREATE ON SCHEMA public TO wh_u_admin;
SET ROLE wh_u_admin;
CREATE FUNCTION public.dblink_connect(text, varchar) RETURNS text LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('dblink_connect(text, varchar)'); RETURN 'OK'; END$$;
CREATE FUNCTION public.dblink_exec(text, varchar) RETURNS text LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('dblink_exec(text, varchar)'); RETURN 'OK'; END$$;
CREATE FUNCTION public.dblink(text, varchar) RETURNS SETOF record LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('dblink(text, varchar)'); END$$;
CREATE FUNCTION public.dblink_disconnect(varchar) RETURNS text LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('dblink_disconnect(varchar)'); RETURN 'OK'; END$$;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'tenant_u', '2025-09-02');
SELECT count(*) FROM _wh.direct_query('tenant_u', 'SELECT 1 AS one');
-- ... and a master relation the admin creates in public before biwh does is
-- refused, with whatever it carries
CREATE FUNCTION public.spy_key(date) RETURNS date LANGUAGE plpgsql IMMUTABLE AS
	$$BEGIN PERFORM pg_temp.spy('index expression'); RETURN $1; END$$;
CREATE TABLE public.mine (schema_name text NOT NULL, d date) PARTITION BY LIST (schema_name);
CREATE INDEX ON public.mine (public.spy_key(d));
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('mine', 'SELECT {{date}}::date AS d', 'd date', 'd');
SELECT _wh.update_mv_by_template('mine', 'tenant_u', 'tenant_u', '2025-09-01');
SELECT * FROM spied;
DROP TABLE public.mine;
DROP FUNCTION public.spy_key(date), public.dblink_connect(text, varchar), public.dblink_exec(text, varchar),
	public.dblink(text, varchar), public.dblink_disconnect(varchar);
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM wh_u_admin;

-- Tenant schemas: one the admin owns, or may create objects in, is refused
-- (its owner could drop biwh's relations and put its own with triggers,
-- indexes or defaults in their place), and nothing is created in it
SET ROLE wh_u_admin;
CREATE SCHEMA wh_u_mine;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'wh_u_mine', '2025-09-01');
RESET ROLE;
CREATE SCHEMA wh_u_open;
GRANT CREATE ON SCHEMA wh_u_open TO wh_u_admin;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'wh_u_open', '2025-09-01');
SELECT n.nspname, count(c.oid) AS relations FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
 WHERE n.nspname IN ('wh_u_mine', 'wh_u_open') GROUP BY 1 ORDER BY 1;

-- What the admin cannot do to the relations the loaders write: triggers,
-- defaults, rules, policies, indexes on biwh's tables, event triggers, casts
SET ROLE wh_u_admin;
CREATE FUNCTION pg_temp.spy_trigger() RETURNS trigger LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('trigger'); RETURN NEW; END$$;
CREATE TRIGGER spy BEFORE INSERT ON tenant_u.foodlogstats FOR EACH ROW EXECUTE FUNCTION pg_temp.spy_trigger();
CREATE TRIGGER spy BEFORE INSERT ON _wh.run_log FOR EACH ROW EXECUTE FUNCTION pg_temp.spy_trigger();
ALTER TABLE tenant_u.foodlogstats ALTER COLUMN flags SET DEFAULT 'x';
ALTER TABLE _wh.pieces ALTER COLUMN loaded_at SET DEFAULT now();
CREATE RULE spy AS ON INSERT TO _wh.run_log DO ALSO NOTHING;
CREATE POLICY spy ON public.foodlogstats USING (pg_temp.spy('policy'));
CREATE INDEX ON tenant_u.foodlogstats (id);
CREATE FUNCTION pg_temp.spy_event() RETURNS event_trigger LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('event trigger'); END$$;
CREATE EVENT TRIGGER spy ON ddl_command_start EXECUTE FUNCTION pg_temp.spy_event();
CREATE FUNCTION pg_temp.spy_cast(text) RETURNS date LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_temp.spy('cast'); RETURN NULL; END$$;
CREATE CAST (text AS date) WITH FUNCTION pg_temp.spy_cast(text);
SELECT * FROM spied;
RESET ROLE;

-- A schema given to the admin after it was loaded is refused from then on
ALTER SCHEMA tenant_u OWNER TO wh_u_admin;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'tenant_u', '2025-01-15');
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'tenant_u', 'tenant_u');
ALTER SCHEMA tenant_u OWNER TO CURRENT_USER;

-- A source role that may read the server's files is refused like a superuser
GRANT pg_read_server_files TO wh_u_reader;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_u', 'tenant_u', '2025-09-01', force => true);
REVOKE pg_read_server_files FROM wh_u_reader;

-- Clean up
DROP SCHEMA tenant_u, wh_u_own, wh_u_trusted, wh_u_mine, wh_u_open CASCADE;
DROP TABLE public.foodlogstats, public.tw;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_u;
REVOKE CREATE ON DATABASE :"wh" FROM wh_u_admin;
DROP OWNED BY wh_u_admin;
DROP ROLE wh_u_admin;
DROP ROLE wh_u_reader;
