/*
 * 20_wh_1_config.sql: the warehouse layer's configuration tables, names and
 * secrets
 *
 * Everything here lives in schema _wh, closed to PUBLIC.  The configuration
 * tables (tenant connections, their secrets, templates, settings, the units
 * loaded so far, the roles given access, storage policies; the schedules of
 * 20_wh_5_schedule.sql too) are marked with
 * pg_extension_config_dump so pg_dump keeps them; the data itself is rebuilt
 * from the sources by _wh.rebuild_entire_warehouse().
 *
 * Secrets: _wh.tenant_connections keeps the seed's columns, so the seed's
 * INSERT works as written, but its triggers move the password into
 * _wh.tenant_secrets, which only the extension owner can read, and leave
 * '********' in the visible column; a row not written (ON CONFLICT DO
 * NOTHING) changes no secret, and a new address without a new password
 * forgets it.  Only SECURITY DEFINER functions owned
 * by the extension owner ever build a connection string, and they never
 * interpolate it into SQL text that could surface in an error.
 */

/* The functions below call dblink as public.dblink*: check it lives there */
DO $$
BEGIN
	IF (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		 WHERE e.extname = 'dblink') IS DISTINCT FROM 'public' THEN
		RAISE EXCEPTION 'biwh needs extension "dblink" in schema "public"'
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Run CREATE EXTENSION dblink SCHEMA public, then CREATE EXTENSION biwh.';
	END IF;
END
$$;

/* Warehouse settings (name -> value); defaults live in _wh.setting() */
CREATE TABLE _wh.settings (
	name		text PRIMARY KEY,
	value		text NOT NULL
);
COMMENT ON TABLE _wh.settings IS 'warehouse settings: timezone (default UTC), lock_timeout (2s), swap_retries (5), max_window_days (366), max_run_time (50min), log_retention (30 days), log_conninfo, now';

/* The connections to the tenants' source databases, as the seed has them */
CREATE TABLE _wh.tenant_connections (
	tenant_name	text PRIMARY KEY,
	host		text NOT NULL,
	port		integer DEFAULT 5432,
	dbname		text NOT NULL,
	username	text NOT NULL,
	password	text NOT NULL,
	created_at	timestamp DEFAULT now(),
	updated_at	timestamp DEFAULT now()
);
COMMENT ON TABLE _wh.tenant_connections IS 'tenant source connections; the password column always reads ''********'' (the secret is kept apart)';
COMMENT ON COLUMN _wh.tenant_connections.password IS 'write the password here; it is moved to an owner-only store and reads back as ''********''';

/* The passwords, readable by the extension owner only */
CREATE TABLE _wh.tenant_secrets (
	tenant_name	text PRIMARY KEY,
	password	text NOT NULL
);
REVOKE ALL ON _wh.tenant_secrets FROM PUBLIC;
COMMENT ON TABLE _wh.tenant_secrets IS 'tenant passwords: owner only, never granted';

/*
 * The report templates: source SQL run on the tenant's database for one day,
 * with placeholders {{start}} and {{end}} (the day's bounds, [start, end)),
 * {{date}} or the seed's {date} (the day), each replaced by a quoted literal;
 * the column definition list of its result, and the name of the date column
 * that the daily pieces are partitioned on.
 */
CREATE TABLE _wh.mv_templates (
	template_name	text PRIMARY KEY,
	source_sql		text NOT NULL,
	column_definitions text NOT NULL,
	date_column		text NOT NULL,
	options			jsonb NOT NULL DEFAULT '{}',
	description		text,
	created_at		timestamp DEFAULT now(),
	updated_at		timestamp DEFAULT now()
);
REVOKE ALL ON _wh.mv_templates FROM PUBLIC;
COMMENT ON TABLE _wh.mv_templates IS 'report templates: source SQL with {{start}}/{{end}}/{{date}} placeholders, column definitions, date column';

/*
 * The units loaded so far: which tenant feeds which schema for a template,
 * and the days loaded (what rebuild_entire_warehouse recreates).
 * A (template, schema) pair is fed by exactly one tenant.
 */
CREATE TABLE _wh.units (
	template_name	text NOT NULL,
	schema_name		text NOT NULL,
	tenant_name		text NOT NULL,
	days			datemultirange NOT NULL DEFAULT '{}',
	PRIMARY KEY (template_name, schema_name)
);
COMMENT ON TABLE _wh.units IS 'which tenant feeds which schema for each template, and the days loaded';

/*
 * The daily pieces present.  Dumped too, so a restored warehouse knows which
 * of its pieces are final; rows whose relation is missing are dropped by
 * the next load of their day.
 */
CREATE TABLE _wh.pieces (
	template_name	text NOT NULL,
	schema_name		text NOT NULL,
	day				date NOT NULL,
	relname			text NOT NULL,
	tenant_name		text NOT NULL,
	final			boolean NOT NULL,
	rows			bigint NOT NULL,
	bytes			bigint NOT NULL,
	access_method	text NOT NULL,
	loaded_at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (template_name, schema_name, day),
	UNIQUE (schema_name, relname)
);
COMMENT ON TABLE _wh.pieces IS 'daily pieces: final means loaded after the day had ended';

/* Roles given access by _wh.grant_admin / _wh.grant_reader */
CREATE TABLE _wh.role_grants (
	role_name	text PRIMARY KEY,
	kind		text NOT NULL CHECK (kind IN ('admin', 'reader'))
);
COMMENT ON TABLE _wh.role_grants IS 'roles given warehouse access; new tenant and public relations are granted to them too';

/* Roles given one tenant schema's rows by _wh.grant_tenant_reader */
CREATE TABLE _wh.tenant_readers (
	role_name	text NOT NULL,
	schema_name	text NOT NULL,
	PRIMARY KEY (role_name, schema_name)
);
COMMENT ON TABLE _wh.tenant_readers IS 'tenant readers: each role reads the rows of its schemas only, also through public.<template> (row-level security)';

/*
 * Storage policies per template (schema_name '*') or per schema (which
 * then replaces the template's): days older than drop_after_days are
 * dropped (or detached, keeping the table), heap days older than
 * columnar_after_days (default 0: every closed day) are converted to
 * columnar, days older than cold_after_days move to cold_tablespace.  The
 * dispatcher applies them (20_wh_6_storage.sql).
 */
CREATE TABLE _wh.storage_policies (
	template_name		text NOT NULL,
	schema_name			text NOT NULL,
	drop_after_days		integer CHECK (drop_after_days >= 1),
	detach				boolean NOT NULL DEFAULT false,
	columnar_after_days	integer CHECK (columnar_after_days >= 0),
	cold_tablespace		text,
	cold_after_days		integer CHECK (cold_after_days >= 0),
	PRIMARY KEY (template_name, schema_name),
	CHECK ((cold_tablespace IS NULL) = (cold_after_days IS NULL))
);
COMMENT ON TABLE _wh.storage_policies IS 'retention and tiering per template (schema_name ''*'') or per schema: drop or detach, convert to columnar, move to a cold tablespace after N days';

/* Every load writes a row here, failed ones included */
CREATE TABLE _wh.run_log (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	unit			text NOT NULL,
	template_name	text,
	tenant_name		text,
	schema_name		text,
	day				date,
	started_at		timestamptz NOT NULL,
	finished_at		timestamptz,
	status			text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
	sqlstate		text,
	message			text,
	rows			bigint,
	bytes			bigint,
	kind			text NOT NULL DEFAULT 'load'
					CHECK (kind IN ('load', 'close', 'daily', 'hourly', 'dispatcher', 'retention', 'tiering', 'purge'))
);
CREATE INDEX run_log_unit_idx ON _wh.run_log (template_name, schema_name, day);
CREATE INDEX run_log_started_idx ON _wh.run_log (started_at);
COMMENT ON TABLE _wh.run_log IS 'one row per load, conversion, scheduled run, dispatcher run, retention or tiering step and purge: kind, status, SQLSTATE, sanitized message, rows, bytes';

SELECT pg_catalog.pg_extension_config_dump('_wh.settings', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.tenant_connections', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.tenant_secrets', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.mv_templates', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.units', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.pieces', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.role_grants', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.tenant_readers', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.storage_policies', '');

/*
 * Check a setting on every change: a known name and a valid value, so that
 * a mistake is refused when it is made, not at the next load.
 * log_conninfo is the connection string of the run log's loopback
 * connection, made as the extension owner: only a superuser may set it
 * (else an admin could send the owner's connection anywhere), and it may
 * not hold a password, since admins read this table.
 */
CREATE FUNCTION _wh.settings_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	n		bigint;
	ms		bigint;
	iv		interval;
	ts		timestamptz;
BEGIN
	IF NEW.name IS NULL OR NEW.name NOT IN ('timezone', 'lock_timeout', 'swap_retries', 'max_window_days',
											'max_run_time', 'log_retention', 'log_conninfo', 'now') THEN
		RAISE EXCEPTION 'unrecognized warehouse setting "%"', left(coalesce(NEW.name, '(null)'), 80)
			USING ERRCODE = 'undefined_object',
				  HINT = 'Settings are timezone, lock_timeout, swap_retries, max_window_days, max_run_time, log_retention, log_conninfo and now.';
	END IF;
	IF NEW.name = 'timezone' THEN
		BEGIN
			PERFORM now() AT TIME ZONE NEW.value;
		EXCEPTION WHEN invalid_parameter_value OR feature_not_supported THEN
			RAISE EXCEPTION 'invalid value for setting "timezone": "%"', left(NEW.value, 80)
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Use a time zone name of pg_timezone_names, such as UTC or Europe/Paris.';
		END;
	ELSIF NEW.name = 'lock_timeout' THEN
		-- PostgreSQL's own parser of the value, in a subtransaction always
		-- rolled back (which undoes the set_config)
		BEGIN
			PERFORM set_config('lock_timeout', NEW.value, true);
			ms := (SELECT st.setting::bigint FROM pg_settings st WHERE st.name = 'lock_timeout');
			RAISE EXCEPTION USING ERRCODE = 'BW001';
		EXCEPTION WHEN SQLSTATE 'BW001' THEN
			NULL;
		WHEN OTHERS THEN
			ms := NULL;
		END;
		IF ms IS NULL OR ms < 1 OR ms > 3600000 THEN
			RAISE EXCEPTION 'invalid value for setting "lock_timeout": "%"', left(NEW.value, 80)
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Give a duration from 1ms to 1h, such as 2s or 500ms: a swap waits that long for readers.';
		END IF;
	ELSIF NEW.name IN ('swap_retries', 'max_window_days') THEN
		n := CASE WHEN NEW.value ~ '^\s*[0-9]{1,9}\s*$' THEN NEW.value::bigint END;
		IF n IS NULL OR n < 1 OR (NEW.name = 'swap_retries' AND n > 100)
		   OR (NEW.name = 'max_window_days' AND n > 36600) THEN
			RAISE EXCEPTION 'invalid value for setting "%": "%"', NEW.name, left(NEW.value, 80)
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = CASE NEW.name WHEN 'swap_retries' THEN 'Give a whole number from 1 to 100.'
							 ELSE 'Give a whole number of days from 1 to 36600.' END;
		END IF;
		NEW.value := n::text;
	ELSIF NEW.name IN ('max_run_time', 'log_retention') THEN
		BEGIN
			iv := NEW.value::interval;
		EXCEPTION WHEN OTHERS THEN
			iv := NULL;
		END;
		IF iv IS NULL OR (NEW.name = 'max_run_time' AND (iv < interval '1 second' OR iv > interval '1 day'))
		   OR (NEW.name = 'log_retention' AND (iv < interval '1 hour' OR iv > interval '100 years')) THEN
			RAISE EXCEPTION 'invalid value for setting "%": "%"', NEW.name, left(NEW.value, 80)
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = CASE NEW.name WHEN 'max_run_time'
							 THEN 'Give a duration from 1s to 1 day, such as 50min: a dispatcher run starts no unit after it.'
							 ELSE 'Give a duration from 1 hour to 100 years, such as 30 days: older run log rows are purged.' END;
		END IF;
	ELSIF NEW.name = 'now' THEN
		-- the clock of the warehouse's day computations, for tests: a load
		-- of a day marks it final by this clock, so only a superuser may
		-- move it
		IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user) THEN
			RAISE EXCEPTION 'only a superuser may set "now"'
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = 'It replaces the clock of the warehouse''s days (tests).';
		END IF;
		BEGIN
			ts := NEW.value::timestamptz;
		EXCEPTION WHEN OTHERS THEN
			ts := NULL;
		END;
		IF ts IS NULL OR NOT isfinite(ts) THEN
			RAISE EXCEPTION 'invalid value for setting "now": "%"', left(NEW.value, 80)
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Give a timestamp with a time zone, such as 2025-09-24 23:30:00+00.';
		END IF;
		-- stored in UTC, so it reads the same in any session
		NEW.value := to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00';
	ELSIF NEW.name = 'log_conninfo' THEN
		IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user) THEN
			RAISE EXCEPTION 'only a superuser may set "log_conninfo"'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
		IF NEW.value ~* '(password|passwd|pwd)\s*=' THEN
			RAISE EXCEPTION '"log_conninfo" must not contain a password'
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'Warehouse admins can read _wh.settings.',
					  HINT = 'Use a ~/.pgpass file of the server''s operating system user, or peer or trust authentication on the local socket.';
		END IF;
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER check_setting
	BEFORE INSERT OR UPDATE ON _wh.settings
	FOR EACH ROW EXECUTE FUNCTION _wh.settings_check();

/* Return a warehouse setting, or its default */
CREATE FUNCTION _wh.setting(setting_name text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT coalesce((SELECT value FROM _wh.settings WHERE name = setting_name),
		CASE setting_name
			WHEN 'timezone' THEN 'UTC'
			WHEN 'lock_timeout' THEN '2s'
			WHEN 'swap_retries' THEN '5'
			WHEN 'max_window_days' THEN '366'
			WHEN 'max_run_time' THEN '50min'
			WHEN 'log_retention' THEN '30 days'
		END)
$$;

/*
 * Return the warehouse's clock: now(), or setting "now" when a superuser
 * set it (tests of days around midnight; see _wh.settings_check)
 */
CREATE FUNCTION _wh.now()
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT coalesce((SELECT s.value::timestamptz FROM _wh.settings s WHERE s.name = 'now'), now())
$$;

/* Return today's date in the warehouse time zone (setting "timezone") */
CREATE FUNCTION _wh.today()
RETURNS date
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT (_wh.now() AT TIME ZONE _wh.setting('timezone'))::date
$$;

/*
 * Check that a tenant, schema, template or column name is a plain lower-case
 * identifier of at most 63 bytes; raise invalid_name otherwise.  Returns it.
 */
CREATE FUNCTION _wh.check_name(name text, what text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	IF name IS NULL OR name !~ '^[a-z_][a-z0-9_]*$' OR octet_length(name) > 63 THEN
		RAISE EXCEPTION 'invalid % name "%"', what, left(coalesce(name, '(null)'), 80)
			USING ERRCODE = 'invalid_name',
				  DETAIL = 'Names must be plain lower-case identifiers of at most 63 bytes.',
				  HINT = 'Use letters a-z, digits and underscores, starting with a letter or an underscore.';
	END IF;
	RETURN name;
END
$$;

/* Check a target schema name: a valid name, and not a system or biwh schema */
CREATE FUNCTION _wh.check_schema_name(name text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
BEGIN
	PERFORM _wh.check_name(name, 'schema');
	IF name IN ('public', 'information_schema', '_wh', 'biwh', 'cron') OR name LIKE 'pg\_%' THEN
		RAISE EXCEPTION 'cannot use schema "%" for tenant data', name
			USING ERRCODE = 'invalid_name',
				  HINT = 'Use a schema of its own for each tenant.';
	END IF;
	RETURN name;
END
$$;

/* Remove passwords from a message before it is logged or raised */
CREATE FUNCTION _wh.sanitize(message text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
	SELECT regexp_replace(message,
		'(password|passwd|pwd)(\s*[=:]\s*)(''([^''\\]|\\.|'''')*''|"[^"]*"|[^\s,;)]+)',
		'\1\2********', 'gi')
$$;

/*
 * Before a row is written: check the password given and hand it to the
 * statement's password store (_wh.secret_stash), leave '********' in the
 * row.  A password is given when the row's value is not '********' (what
 * every row reads): NULL and '' are refused.  The secret is stored by the
 * AFTER trigger, which runs only for rows really written: an INSERT ... ON
 * CONFLICT DO NOTHING that inserts nothing changes nothing.
 */
CREATE FUNCTION _wh.tenant_connections_take_password()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	PERFORM _wh.check_name(NEW.tenant_name, 'tenant');
	IF NEW.password IS NULL THEN
		RAISE EXCEPTION 'password of tenant "%" must not be null', NEW.tenant_name
			USING ERRCODE = 'not_null_violation',
				  DETAIL = 'Nothing was changed.',
				  HINT = CASE TG_OP WHEN 'INSERT' THEN 'Give the password the tenant''s source database expects.'
						 ELSE 'Leave password out of the UPDATE to keep it, or give the new one.' END;
	END IF;
	IF NEW.password = '' THEN
		RAISE EXCEPTION 'password of tenant "%" must not be empty', NEW.tenant_name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Nothing was changed.',
				  HINT = CASE TG_OP WHEN 'INSERT' THEN 'Give the password the tenant''s source database expects.'
						 ELSE 'Leave password out of the UPDATE to keep it, or give the new one.' END;
	END IF;
	IF NEW.password <> '********' THEN
		-- per row: an INSERT adds, an UPDATE (an upsert's too) replaces
		PERFORM _wh.secret_stash(NEW.tenant_name, NEW.password, TG_OP = 'UPDATE');
	END IF;
	NEW.password := '********';
	IF TG_OP = 'UPDATE' THEN
		NEW.updated_at := now();
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER take_password
	BEFORE INSERT OR UPDATE ON _wh.tenant_connections
	FOR EACH ROW EXECUTE FUNCTION _wh.tenant_connections_take_password();

/*
 * After a row is written: store the password given for it in the same
 * statement, if any (_wh.secret_take).  Pointing a tenant elsewhere (host,
 * port, database or user) without a new password forgets the old one:
 * otherwise whoever may edit connections could send the secret to a
 * server of their own.  A renamed tenant keeps its secret.
 */
CREATE FUNCTION _wh.tenant_connections_store_password()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	secret	text := _wh.secret_take(NEW.tenant_name);
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.tenant_name <> OLD.tenant_name THEN
		UPDATE _wh.tenant_secrets SET tenant_name = NEW.tenant_name
		 WHERE tenant_name = OLD.tenant_name;
	END IF;
	IF secret IS NOT NULL THEN
		INSERT INTO _wh.tenant_secrets AS s (tenant_name, password)
		VALUES (NEW.tenant_name, secret)
		ON CONFLICT (tenant_name) DO UPDATE SET password = EXCLUDED.password;
	ELSIF TG_OP = 'INSERT'
		  OR (NEW.host, NEW.port, NEW.dbname, NEW.username)
			 IS DISTINCT FROM (OLD.host, OLD.port, OLD.dbname, OLD.username) THEN
		-- a new row with '********' keeps nothing: a secret left by a
		-- TRUNCATE or a restore is not the new address's
		DELETE FROM _wh.tenant_secrets WHERE tenant_name = NEW.tenant_name;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER store_password
	AFTER INSERT OR UPDATE ON _wh.tenant_connections
	FOR EACH ROW EXECUTE FUNCTION _wh.tenant_connections_store_password();

/* At the end of the statement, forget the passwords of rows not written */
CREATE FUNCTION _wh.tenant_connections_clear_passwords()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	PERFORM _wh.secret_clear();
	RETURN NULL;
END
$$;

CREATE TRIGGER clear_passwords
	AFTER INSERT OR UPDATE ON _wh.tenant_connections
	FOR EACH STATEMENT EXECUTE FUNCTION _wh.tenant_connections_clear_passwords();

/* Forget the secret of a removed tenant */
CREATE FUNCTION _wh.tenant_connections_forget_password()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	DELETE FROM _wh.tenant_secrets WHERE tenant_name = OLD.tenant_name;
	RETURN OLD;
END
$$;

CREATE TRIGGER forget_password
	AFTER DELETE ON _wh.tenant_connections
	FOR EACH ROW EXECUTE FUNCTION _wh.tenant_connections_forget_password();

/* Quote a libpq connection-string value: single quotes, backslashes escaped */
CREATE FUNCTION _wh.conninfo_quote(value text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
	SELECT '''' || replace(replace(value, '\', '\\'), '''', '\''') || ''''
$$;

/* Check that a tenant exists in _wh.tenant_connections; return its name */
CREATE FUNCTION _wh.check_tenant(tenant_name text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	PERFORM _wh.check_name(tenant_name, 'tenant');
	IF NOT EXISTS (SELECT 1 FROM _wh.tenant_connections c WHERE c.tenant_name = check_tenant.tenant_name) THEN
		RAISE EXCEPTION 'tenant "%" does not exist', tenant_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'Add it with INSERT INTO _wh.tenant_connections.';
	END IF;
	RETURN tenant_name;
END
$$;

/*
 * Return the storage policy of a template in a schema: the schema's own
 * row of _wh.storage_policies, else the template's (schema_name '*'), else
 * a row of NULLs (keep every day, convert closed days, no cold tablespace).
 */
CREATE FUNCTION _wh.storage_policy(template_name text, schema_name text)
RETURNS _wh.storage_policies
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT sp.* FROM _wh.storage_policies sp
	 WHERE sp.template_name = storage_policy.template_name
	   AND sp.schema_name IN (storage_policy.schema_name, '*')
	 ORDER BY sp.schema_name = '*' LIMIT 1
$$;

/*
 * Return the libpq connection string of a tenant's source database.  Only
 * the extension owner may call it (EXECUTE is granted to nobody).
 */
CREATE FUNCTION _wh.get_tenant_connection_string(tenant_name text)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	c		record;
	secret	text;
BEGIN
	PERFORM _wh.check_tenant(tenant_name);
	SELECT * INTO c FROM _wh.tenant_connections t
	 WHERE t.tenant_name = get_tenant_connection_string.tenant_name;
	SELECT s.password INTO secret FROM _wh.tenant_secrets s
	 WHERE s.tenant_name = get_tenant_connection_string.tenant_name;
	IF secret IS NULL THEN
		RAISE EXCEPTION 'tenant "%" has no password', tenant_name
			USING ERRCODE = 'invalid_authorization_specification',
				  DETAIL = 'Changing a tenant''s host, port, database or user forgets its password.',
				  HINT = 'Set it again with UPDATE _wh.tenant_connections SET password = ...';
	END IF;
	RETURN concat_ws(' ',
		'host=' || _wh.conninfo_quote(c.host),
		'port=' || _wh.conninfo_quote(coalesce(c.port, 5432)::text),
		'dbname=' || _wh.conninfo_quote(c.dbname),
		'user=' || _wh.conninfo_quote(c.username),
		'password=' || _wh.conninfo_quote(secret),
		'application_name=' || _wh.conninfo_quote('biwh'),
		'connect_timeout=' || _wh.conninfo_quote('10'));
END
$$;

/*
 * Split a column definition list ("id integer, price numeric(10,2), ...")
 * into names, types and type oids, checking every name and type.  Types
 * may only hold letters, digits, spaces, a schema name, a typmod and [],
 * must name an existing type, and must be trusted (_wh.untrusted_type):
 * the loaders, which run as the extension owner, create and fill columns
 * of these types.  Every load parses (and so checks) them again.
 */
CREATE FUNCTION _wh.parse_columns(column_definitions text)
RETURNS TABLE (ord integer, column_name text, column_type text, type_oid oid)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	item	text;
	m		text[];
	n		integer := 0;
	why		text;
BEGIN
	FOREACH item IN ARRAY regexp_split_to_array(column_definitions, ',(?![^(]*\))')
	LOOP
		n := n + 1;
		m := regexp_match(item, '^\s*([A-Za-z_][A-Za-z0-9_]*)\s+((?:[A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?([A-Za-z ]*)(\[\])?)\s*$');
		IF m IS NULL OR to_regtype(m[2]) IS NULL THEN
			RAISE EXCEPTION 'invalid column definition "%"', left(trim(item), 80)
				USING ERRCODE = 'invalid_column_definition',
					  HINT = 'Write "name type" pairs separated by commas, e.g. "id integer, weight numeric".';
		END IF;
		ord := n;
		column_name := _wh.check_name(lower(m[1]), 'column');
		IF column_name = 'schema_name' THEN
			RAISE EXCEPTION 'column name "schema_name" is reserved'
				USING ERRCODE = 'invalid_name',
					  DETAIL = 'Every warehouse relation gets a schema_name column as its tenant key.';
		END IF;
		type_oid := to_regtype(m[2]);
		why := _wh.untrusted_type(type_oid);
		IF why IS NOT NULL THEN
			RAISE EXCEPTION 'type "%" of column "%" is not trusted', trim(m[2]), column_name
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = why,
					  HINT = 'Use a type of pg_catalog, or one a superuser owns in a schema a superuser owns (domains too): the loaders run as the extension owner.';
		END IF;
		column_type := format_type(type_oid, NULL);
		-- keep a typmod as written (checked digits only)
		IF m[3] IS NOT NULL THEN
			column_type := lower(regexp_replace(trim(m[2]), '\s+', ' ', 'g'));
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;

/*
 * Check a template row on every change: names, columns, date column, and
 * a source query of one read-only statement.  The columns, date column and
 * name of a template whose relations exist cannot change (they were
 * created with them).
 */
CREATE FUNCTION _wh.mv_templates_check()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	date_type	text;
	root		regclass;
BEGIN
	PERFORM _wh.check_name(NEW.template_name, 'template');
	PERFORM _wh.check_read_statement(NEW.source_sql, format('the query of template "%s"', NEW.template_name));
	-- room for "_YYYY_MM_DD" piece names is made by _wh.create_mv_name
	date_type := _wh.date_column_type(NEW);
	IF date_type IS NULL THEN
		RAISE EXCEPTION 'date column "%" is not among the columns of template "%"',
			NEW.date_column, NEW.template_name
			USING ERRCODE = 'undefined_column';
	END IF;
	IF date_type NOT IN ('date', 'timestamp without time zone', 'timestamp with time zone') THEN
		RAISE EXCEPTION 'date column "%" of template "%" has type %', NEW.date_column, NEW.template_name, date_type
			USING ERRCODE = 'datatype_mismatch',
				  HINT = 'The date column must be of type date, timestamp or timestamptz.';
	END IF;
	IF TG_OP = 'UPDATE' THEN
		root := to_regclass(format('public.%I', OLD.template_name));
		IF root IS NOT NULL
		   AND (NEW.template_name <> OLD.template_name OR NEW.date_column <> OLD.date_column
				OR ARRAY(SELECT (c.column_name, c.column_type) FROM _wh.parse_columns(NEW.column_definitions) c ORDER BY c.ord)::text
				   <> ARRAY(SELECT (c.column_name, c.column_type) FROM _wh.parse_columns(OLD.column_definitions) c ORDER BY c.ord)::text) THEN
			RAISE EXCEPTION 'cannot change the columns, date column or name of template "%": its relations exist', OLD.template_name
				USING ERRCODE = 'object_in_use',
					  DETAIL = format('public.%s and its tenant relations and daily pieces were created with them.', OLD.template_name),
					  HINT = format('Add the changed template under a new name, or have a superuser drop public.%s (every tenant''s data of the template) first.', OLD.template_name);
		END IF;
	END IF;
	-- an INSERT keeps the time it is given (a restored dump's)
	IF TG_OP = 'UPDATE' THEN
		NEW.updated_at := now();
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER check_template
	BEFORE INSERT OR UPDATE ON _wh.mv_templates
	FOR EACH ROW EXECUTE FUNCTION _wh.mv_templates_check();
