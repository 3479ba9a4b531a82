/*
 * 20_wh_2_pieces.sql: daily pieces, the partition tree, loads and the run log
 *
 * Physical design (DESIGN.md section 3), for a template "foodlogstats" whose
 * tenant data goes to schema "reports":
 *
 *   public.foodlogstats                 PARTITION BY LIST (schema_name)
 *     reports.foodlogstats              FOR VALUES IN ('reports'),
 *                                       PARTITION BY RANGE (<date column>)
 *       reports.foodlogstats_2025_09_24 FOR VALUES FROM (day) TO (day + 1)
 *
 * schema_name is the first column of every level.  The tenant's data lives
 * in the target schema the caller names; which tenant feeds a (template,
 * schema) pair is recorded in _wh.units and cannot change silently.
 *
 * Loading a day: the day is fetched over dblink into a staging table created
 * in the tenant schema but outside the tree, with a CHECK constraint equal
 * to the partition bounds (rows are checked as they are inserted, and ATTACH
 * does not scan it), then analyzed;
 * then, with a short lock_timeout and a few retries (subtransactions), the
 * old piece is dropped, the new one renamed and attached.  The live tree is
 * locked only for that last step; the staging table is never visible to
 * others, because it is swapped in before the transaction commits.  An
 * advisory lock per (template, schema, day) makes a second load of the same
 * day fail at once.
 *
 * Closing days: a day loaded while it was open is a heap piece;
 * _wh.close_days copies each heap piece of a closed day into a columnar
 * staging table with the same CHECK and swaps it in the same way (same
 * advisory lock: a conversion skips a day being loaded, a load fails at once
 * on a day being converted).
 *
 * Errors: a failed load raises an error naming template, tenant, schema and
 * day, with passwords stripped, and writes a "failed" row in _wh.run_log
 * through a dblink loopback connection (an autonomous transaction), because
 * the error rolls back everything the load wrote locally.  Connection
 * strings are only ever passed to dblink as values, never pasted into SQL.
 */

/*
 * Return base || suffix, or, when that exceeds 63 bytes, base shortened and
 * followed by "_" and 8 hex digits of its hash, then suffix, so two long
 * names never collide (pieces: _wh.create_mv_name; rollup leaves:
 * _wh.rollup_leaf_name)
 */
CREATE FUNCTION _wh.suffixed_name(base text, suffix text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	-- 63 = base + "_" + 8 hex digits + suffix
	SELECT CASE WHEN octet_length(base) + octet_length(suffix) <= 63 THEN base || suffix
				ELSE left(base, 63 - 9 - octet_length(suffix)) || '_' || left(md5(base), 8) || suffix END
$$;

/*
 * Return the name of a template's piece for a day: "<mvname>_YYYY_MM_DD",
 * shortened as _wh.suffixed_name does
 */
CREATE FUNCTION _wh.create_mv_name(mvname text, target_date date)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	PERFORM _wh.check_name(mvname, 'template');
	RETURN _wh.suffixed_name(mvname, to_char(target_date, '_YYYY_MM_DD'));
END
$$;

/* Return a template's row, or raise an error if it does not exist */
CREATE FUNCTION _wh.get_template(template_name text)
RETURNS _wh.mv_templates
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	t	_wh.mv_templates;
BEGIN
	PERFORM _wh.check_name(template_name, 'template');
	SELECT * INTO t FROM _wh.mv_templates m WHERE m.template_name = get_template.template_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'template "%" does not exist', template_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'Load it into _wh.mv_templates, e.g. \i sql/template-foodlogstats.sql.';
	END IF;
	RETURN t;
END
$$;

/*
 * Return the table access method of a day's piece of a template in a
 * schema: the one place that decides.  A closed day goes to columnar (the
 * access method belongs to this extension) once it is older than the
 * storage policy's columnar_after_days (default 0: as soon as it closes);
 * the current day stays heap, as it is reloaded during the day.
 */
CREATE FUNCTION _wh.piece_access_method(template_name text, schema_name text, day date)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT CASE WHEN _wh.today() - day > coalesce((_wh.storage_policy(template_name, schema_name)).columnar_after_days, 0)
				THEN 'columnar' ELSE 'heap' END
$$;

/* Return the name of this database's default tablespace */
CREATE FUNCTION _wh.default_tablespace()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT t.spcname::text FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace
	 WHERE d.datname = current_database()
$$;

/* Return a tablespace's name by oid, NULL for the database's default (or 0) */
CREATE FUNCTION _wh.tablespace_of_oid(spc oid)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT nullif((SELECT t.spcname::text FROM pg_tablespace t WHERE t.oid = spc), _wh.default_tablespace())
$$;

/* Return the tablespace a relation lives in, NULL for the database's default */
CREATE FUNCTION _wh.tablespace_of(rel regclass)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT _wh.tablespace_of_oid((SELECT c.reltablespace FROM pg_class c WHERE c.oid = rel))
$$;

/*
 * Return the tablespace of a day's piece of a template in a schema: the
 * storage policy's cold_tablespace once the day is older than
 * cold_after_days, else NULL (the database's default tablespace).
 */
CREATE FUNCTION _wh.piece_tablespace(template_name text, schema_name text, day date)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT CASE WHEN _wh.today() - day > p.cold_after_days
				THEN nullif(p.cold_tablespace, _wh.default_tablespace()) END
	  FROM _wh.storage_policy(template_name, schema_name) p
$$;

/* Return the SQL type of a template's date column */
CREATE FUNCTION _wh.date_column_type(t _wh.mv_templates)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT c.column_type FROM _wh.parse_columns(t.column_definitions) c
	 WHERE c.column_name = t.date_column
$$;

/*
 * Return the bounds [lo, hi) of a day as literals of the date column's type;
 * a timestamptz day starts at midnight in the warehouse time zone.
 */
CREATE FUNCTION _wh.day_bounds(date_type text, day date, OUT lo text, OUT hi text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	IF date_type = 'timestamp with time zone' THEN
		lo := (day::timestamp AT TIME ZONE _wh.setting('timezone'))::text;
		hi := ((day + 1)::timestamp AT TIME ZONE _wh.setting('timezone'))::text;
	ELSE
		lo := day::text;
		hi := (day + 1)::text;
	END IF;
END
$$;

/*
 * Return a template's source SQL for one day: {{start}}, {{end}}, {{date}}
 * and {date} replaced by quoted literals.  Any other {{...}} is an error.
 */
CREATE FUNCTION _wh.template_sql(t _wh.mv_templates, day date)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	b		record;
	s		text;
	bad		text;
BEGIN
	b := _wh.day_bounds(_wh.date_column_type(t), day);
	s := replace(t.source_sql, '{{start}}', quote_literal(b.lo));
	s := replace(s, '{{end}}', quote_literal(b.hi));
	s := replace(s, '{{date}}', quote_literal(day::text));
	s := replace(s, '{date}', quote_literal(day::text));
	bad := substring(s FROM '\{\{[^}]*\}\}');
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'unknown placeholder % in template "%"', left(bad, 40), t.template_name
			USING ERRCODE = 'syntax_error',
				  HINT = 'Known placeholders are {{start}}, {{end}}, {{date}} and {date}.';
	END IF;
	RETURN s;
END
$$;

/*
 * Give the registered roles access to a template's roots: admins and BI
 * readers SELECT on public.<template> and, when schema_name is given, USAGE
 * on the schema and SELECT on <schema>.<template>; tenant readers SELECT on
 * public.<template> (row-level security shows them their schemas' rows) and
 * on the relations of their own schemas only.  Never the daily pieces.
 * The same for the template's rollups (public.<rollup>, <schema>.<rollup>)
 * whose relations exist.  Then the roots' policies (_wh.apply_policies).
 */
CREATE FUNCTION _wh.grant_roots(template_name text, schema_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	r	record;
	x	text;
BEGIN
	-- concurrent GRANTs on one relation fail ("tuple concurrently updated")
	PERFORM _wh.lock_trees();
	FOR r IN SELECT rr.role_name, rr.schema_name AS only_schema FROM _wh.registered_roles() rr
	LOOP
		EXECUTE format('GRANT SELECT ON public.%I TO %I', template_name, r.role_name);
		IF schema_name IS NOT NULL AND (r.only_schema IS NULL OR r.only_schema = schema_name) THEN
			EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', schema_name, r.role_name);
			EXECUTE format('GRANT SELECT ON %I.%I TO %I', schema_name, template_name, r.role_name);
		END IF;
		FOR x IN SELECT rr FROM _wh.rollup_roots(template_name) rr
		LOOP
			EXECUTE format('GRANT SELECT ON public.%I TO %I', x, r.role_name);
			IF schema_name IS NOT NULL AND (r.only_schema IS NULL OR r.only_schema = schema_name)
			   AND to_regclass(format('%I.%I', schema_name, x)) IS NOT NULL THEN
				EXECUTE format('GRANT SELECT ON %I.%I TO %I', schema_name, x, r.role_name);
			END IF;
		END LOOP;
	END LOOP;
	PERFORM _wh.apply_policies(template_name);
END
$$;

/*
 * Take the lock that serializes changes to the warehouse's trees (creating
 * master and tenant relations and tenant schemas, granting them, their
 * policies), held to the end of the transaction, and then read the
 * catalog changes that sessions which held it before have committed.
 *
 * One key for every tree: two loads of different templates may create the
 * same tenant schema, and one transaction (a window, a rebuild) may create
 * several trees, which per-template or per-schema keys would let deadlock.
 * Held to commit, because what was created is visible to others only then.
 * Waiting for an advisory lock does not make a backend read the catalog
 * invalidations sent meanwhile, so a lookup made before the wait (the fast
 * path of _wh.ensure_tree) could still answer from its cache that a
 * relation which another load just created is missing: hence
 * _wh.accept_invalidations.
 */
CREATE FUNCTION _wh.lock_trees()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_advisory_xact_lock(hashtextextended('biwh trees', 0));
	SELECT _wh.accept_invalidations();
$$;

/*
 * Make sure public.<template> exists, and, when schema_name is given, that
 * the schema exists and <schema>.<template> is its partition.  Idempotent,
 * and safe when loads of new templates or tenants run at once: they create
 * the tree one after the other (_wh.lock_trees), each seeing what the
 * others created.
 */
CREATE FUNCTION _wh.ensure_tree(t _wh.mv_templates, schema_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	root	regclass;
	rel		regclass;
	created	boolean := false;
	coldefs	text;
	parent	regclass;
BEGIN
	IF schema_name IS NOT NULL THEN
		PERFORM _wh.check_tenant_schema(schema_name);
	END IF;
	-- fast path: everything is there (no lock, so loads run in parallel)
	root := to_regclass(format('public.%I', t.template_name));
	IF root IS NOT NULL AND schema_name IS NOT NULL THEN
		PERFORM _wh.check_owned(root, 'master relation');
		rel := to_regclass(format('%I.%I', schema_name, t.template_name));
		IF rel IS NOT NULL AND EXISTS (SELECT 1 FROM pg_inherits i
										WHERE i.inhrelid = rel AND i.inhparent = root) THEN
			PERFORM _wh.check_owned(rel, 'tenant relation');
			RETURN;
		END IF;
	END IF;

	-- one creator at a time, the lock held to commit (_wh.lock_trees)
	PERFORM _wh.lock_trees();

	root := to_regclass(format('public.%I', t.template_name));
	IF root IS NOT NULL THEN
		-- public may be someone else's: the root checked must be the one kept
		PERFORM _wh.check_owned(root, 'master relation');
		EXECUTE format('LOCK TABLE ONLY public.%I IN ACCESS SHARE MODE', t.template_name);
		IF to_regclass(format('public.%I', t.template_name)) IS DISTINCT FROM root THEN
			RAISE EXCEPTION 'relation "public.%" was replaced concurrently', t.template_name
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Try again.';
		END IF;
	END IF;
	IF root IS NULL THEN
		SELECT string_agg(format('%I %s', c.column_name, c.column_type), ', ' ORDER BY c.ord)
		  INTO coldefs FROM _wh.parse_columns(t.column_definitions) c;
		EXECUTE format('CREATE TABLE public.%I (schema_name text NOT NULL, %s) PARTITION BY LIST (schema_name)',
					   t.template_name, coldefs);
		-- tenant readers see their own schemas' rows (policies: _wh.apply_policies)
		EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t.template_name);
		EXECUTE format('COMMENT ON TABLE public.%I IS %L', t.template_name,
					   format('biwh: template %s, all tenants (partitioned by schema_name)', t.template_name));
		root := to_regclass(format('public.%I', t.template_name));
		created := true;
	ELSIF (SELECT c.relkind FROM pg_class c WHERE c.oid = root) <> 'p' THEN
		RAISE EXCEPTION 'relation "public.%" exists and is not a biwh master relation', t.template_name
			USING ERRCODE = 'duplicate_table',
				  HINT = 'Drop or rename it, then try again.';
	END IF;

	IF schema_name IS NOT NULL THEN
		IF to_regnamespace(quote_ident(schema_name)) IS NULL THEN
			EXECUTE format('CREATE SCHEMA %I', schema_name);
		END IF;
		rel := to_regclass(format('%I.%I', schema_name, t.template_name));
		IF rel IS NULL THEN
			EXECUTE format('CREATE TABLE %I.%I PARTITION OF public.%I FOR VALUES IN (%L) PARTITION BY RANGE (%I)',
						   schema_name, t.template_name, t.template_name, schema_name, t.date_column);
			EXECUTE format('COMMENT ON TABLE %I.%I IS %L', schema_name, t.template_name,
						   format('biwh: template %s, schema %s (one partition per day)', t.template_name, schema_name));
			created := true;
		ELSE
			PERFORM _wh.check_owned(rel, 'tenant relation');
			SELECT i.inhparent INTO parent FROM pg_inherits i WHERE i.inhrelid = rel;
			IF parent IS NULL AND (SELECT c.relkind FROM pg_class c WHERE c.oid = rel) = 'p' THEN
				EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION %I.%I FOR VALUES IN (%L)',
							   t.template_name, schema_name, t.template_name, schema_name);
			ELSIF parent IS DISTINCT FROM root THEN
				RAISE EXCEPTION 'relation "%.%" exists and is not a biwh tenant relation', schema_name, t.template_name
					USING ERRCODE = 'duplicate_table',
						  HINT = 'Drop or rename it, or choose another target schema.';
			END IF;
		END IF;
	END IF;

	IF created THEN
		PERFORM _wh.grant_roots(t.template_name, schema_name);
	END IF;
END
$$;

/*
 * Return the connection string of a loopback connection as the current
 * user (the extension owner) to a database of this cluster: setting
 * "log_conninfo" (with dbname replaced when another database is asked
 * for), or the local socket.
 */
CREATE FUNCTION _wh.loopback_conninfo(dbname text, application text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	sockdir		text := nullif(trim(split_part(current_setting('unix_socket_directories'), ',', 1)), '');
	conninfo	text := _wh.setting('log_conninfo');
BEGIN
	IF conninfo IS NOT NULL THEN
		-- libpq takes the last of a repeated keyword
		RETURN conninfo || CASE WHEN dbname <> current_database()
								THEN ' dbname=' || _wh.conninfo_quote(dbname) ELSE '' END;
	END IF;
	RETURN concat_ws(' ',
		'dbname=' || _wh.conninfo_quote(dbname),
		'user=' || _wh.conninfo_quote(current_user),
		'port=' || _wh.conninfo_quote(current_setting('port')),
		'host=' || _wh.conninfo_quote(coalesce(sockdir, 'localhost')),
		'application_name=' || _wh.conninfo_quote(application));
END
$$;

/*
 * Write a run-log row in its own transaction, through a dblink loopback
 * connection to this database, so it survives the rollback of the failed
 * load.  Connection: setting "log_conninfo", or the local socket as the
 * extension owner.  Never fails: a problem is reported as a warning.  The
 * statement names every function with its schema: the loopback session
 * runs with the database's search_path, which the database owner may set.
 */
CREATE FUNCTION _wh.log_autonomous(unit text, template_name text, tenant_name text,
								   schema_name text, day date, started_at timestamptz,
								   status text, sqlstate text, message text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	conninfo	text := _wh.loopback_conninfo(current_database(), 'biwh run log');
	stmt		text;
BEGIN
	stmt := format('INSERT INTO _wh.run_log (unit, template_name, tenant_name, schema_name, day, '
				   'started_at, finished_at, status, sqlstate, message) '
				   'VALUES (%L, %L, %L, %L, %L, %L, pg_catalog.clock_timestamp(), %L, %L, %L)',
				   unit, left(template_name, 80), left(tenant_name, 80), left(schema_name, 80),
				   day, started_at, status, sqlstate, message);
	PERFORM public.dblink_exec(conninfo, stmt);
EXCEPTION WHEN OTHERS THEN
	RAISE WARNING 'could not write the run log row of "%": %', unit, _wh.sanitize(SQLERRM)
		USING HINT = 'Set _wh.settings "log_conninfo" to a connection string reaching this database as its owner.';
END
$$;

/* Close the named dblink connection if it is open */
CREATE FUNCTION _wh.dblink_close(conname text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	IF conname = ANY (coalesce(public.dblink_get_connections(), '{}'::text[])) THEN
		PERFORM public.dblink_disconnect(conname::text);
	END IF;
END
$$;

/*
 * Open the named dblink connection to a tenant's source, refusing sources
 * that let it in without asking for the stored password
 * (_wh.source_conninfo: e.g. the warehouse's own server on its local
 * socket), and sources that log in as a superuser or as a member of a role
 * that reads or writes the server's files or runs programs there (a
 * template's SQL must not run with those rights).  The connection string never appears in SQL text.  Every
 * argument of dblink has its exact type, so no overload added to schema
 * public can be chosen.
 */
CREATE FUNCTION _wh.dblink_open(conname text, tenant_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	power	text;
BEGIN
	PERFORM _wh.dblink_close(conname);
	-- the server must ask for the stored password (no trust, peer or ident:
	-- dblink does not check it for the extension owner)
	PERFORM public.dblink_connect(conname, _wh.source_conninfo(tenant_name, _wh.get_tenant_connection_string(tenant_name)));
	SELECT r.p INTO power
	  FROM public.dblink(conname,
			'SELECT CASE WHEN r.rolsuper THEN ''superuser'' ELSE (SELECT g.rolname::text FROM pg_catalog.pg_roles g'
			' WHERE g.rolname IN (''pg_execute_server_program'', ''pg_read_server_files'', ''pg_write_server_files'')'
			' AND pg_catalog.pg_has_role(r.oid, g.oid, ''USAGE'') LIMIT 1) END'
			' FROM pg_catalog.pg_roles r WHERE r.rolname = current_user'::text) AS r(p text);
	IF power = 'superuser' THEN
		RAISE EXCEPTION 'tenant "%" connects to its source as a superuser', tenant_name
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Use a read-only role of the source database.';
	ELSIF power IS NOT NULL THEN
		RAISE EXCEPTION 'tenant "%" connects to its source as a member of "%"', tenant_name, power
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Members of that role read or write the source server''s files or run programs there.',
				  HINT = 'Use a read-only role of the source database.';
	END IF;
END
$$;

/*
 * Check, at the source, that a template's query returns the template's
 * columns: as many, and of types that fit (the same type, one an INSERT
 * would convert by assignment, or any type for a text column).  Runs the
 * query planned only (LIMIT 0) on the open connection conname, in its
 * read-only transaction.  The error names the columns that differ.
 */
CREATE FUNCTION _wh.check_source_columns(conname text, t _wh.mv_templates, query text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	declared	integer;
	returned	integer;
	aliases		text;
	typeofs		text;
	bad			text;
	planned		text := ' FROM (SELECT 1) AS d LEFT JOIN (SELECT * FROM (' || query || E'\n) AS s LIMIT 0) AS q';
BEGIN
	SELECT count(*), string_agg(format('biwh_c%s', c.ord), ', ' ORDER BY c.ord),
		   string_agg(format('(%s, pg_catalog.pg_typeof(q.biwh_c%s))', c.ord, c.ord), ', ' ORDER BY c.ord)
	  INTO declared, aliases, typeofs
	  FROM _wh.parse_columns(t.column_definitions) c;
	SELECT x.n INTO returned
	  FROM public.dblink(conname::text,
			('SELECT (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(pg_catalog.to_jsonb(ROW(q.*))))::integer'
			 || planned || ' ON true')::text) AS x(n integer);
	IF returned <> declared THEN
		SELECT CASE WHEN returned < declared
					THEN format('The template''s columns %s have no column of the query.',
								string_agg(format('%s "%s"', c.ord, c.column_name), ', ' ORDER BY c.ord))
					ELSE format('The query''s columns %s to %s are not among the template''s columns.',
								declared + 1, returned) END
		  INTO bad FROM _wh.parse_columns(t.column_definitions) c WHERE c.ord > returned;
		RAISE EXCEPTION 'the query of template "%" returns % columns, the template declares %',
			t.template_name, returned, declared
			USING ERRCODE = 'datatype_mismatch',
				  DETAIL = bad,
				  HINT = 'Make column_definitions list one column for each column of the query, in its order.';
	END IF;
	SELECT string_agg(format('column %s "%s": the query returns %s, the template declares %s',
							 c.ord, c.column_name,
							 CASE WHEN r.nsp = 'pg_catalog'
								  THEN coalesce(format_type(to_regtype(format('pg_catalog.%I', r.typ)), NULL), r.typ)
								  ELSE format('%I.%I', r.nsp, r.typ) END, c.column_type), '; ' ORDER BY c.ord)
	  INTO bad
	  FROM _wh.parse_columns(t.column_definitions) c
	  JOIN public.dblink(conname::text,
			('SELECT v.ord, n.nspname::text, t.typname::text' || planned || '(' || aliases || ') ON true'
			 || ' CROSS JOIN LATERAL (VALUES ' || typeofs || ') AS v(ord, typ)'
			 || ' JOIN pg_catalog.pg_type t ON t.oid = v.typ::pg_catalog.oid'
			 || ' JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace')::text)
		   AS r(ord integer, nsp text, typ text) ON r.ord = c.ord
	 WHERE NOT coalesce(
			(r.nsp = 'pg_catalog' AND _wh.can_assign(to_regtype(format('pg_catalog.%I', r.typ)), c.type_oid))
			OR (SELECT ty.typcategory = 'S' FROM pg_type ty WHERE ty.oid = c.type_oid)
			OR (SELECT format('%I.%I', n.nspname, ty.typname) FROM pg_type ty JOIN pg_namespace n ON n.oid = ty.typnamespace
				 WHERE ty.oid = c.type_oid) = format('%I.%I', r.nsp, r.typ), false);
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'the query of template "%" returns columns of other types than the template''s', t.template_name
			USING ERRCODE = 'datatype_mismatch',
				  DETAIL = bad || '.',
				  HINT = 'Cast those columns in the template''s query (e.g. "pl.name::text"), or declare the types the query returns.';
	END IF;
END
$$;

/*
 * Return the advisory lock key of a (template, schema, day): a load and a
 * conversion of the same day take it, so they never run together.
 */
CREATE FUNCTION _wh.day_lock_key(template_name text, schema_name text, day date)
RETURNS bigint
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT hashtextextended(format('biwh load %s %s %s', template_name, schema_name,
								   to_char(day, 'YYYY-MM-DD')), 0)
$$;

/*
 * The advisory lock key of a template: shared by its loads, taken
 * exclusively by _wh.create_rollup
 */
CREATE FUNCTION _wh.template_lock_key(template_name text)
RETURNS bigint
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT hashtextextended(format('biwh template %s', template_name), 0)
$$;

/*
 * The column definitions of a relation (names, types with their modifiers,
 * collations, NOT NULL), for a CREATE TABLE with the same columns without
 * locking it (CREATE TABLE ... LIKE would hold a lock on it to commit, and
 * two loads of one schema, each then dropping a partition of it, would
 * deadlock)
 */
CREATE FUNCTION _wh.relation_coldefs(rel regclass)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod))
					  || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
							  THEN format(' COLLATE %s', a.attcollation::regcollation) ELSE '' END
					  || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END, ', ' ORDER BY a.attnum)
	  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
	 WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
$$;

/*
 * Create a staging table for a day's piece in the tenant schema, outside the
 * tree: the columns of <schema>.<template>, the given access method and
 * tablespace (NULL: the default), and a CHECK equal to the partition
 * bounds, there from the start so rows are checked as they arrive (no
 * validation scan) and ATTACH does not scan it.
 */
CREATE FUNCTION _wh.create_stage(t _wh.mv_templates, p_schema text, stage text, p_day date, am text,
								 tblspc text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	date_type	text := _wh.date_column_type(t);
	b			record;
BEGIN
	b := _wh.day_bounds(date_type, p_day);
	EXECUTE format('CREATE TABLE %I.%I (%s, CONSTRAINT biwh_day_bounds CHECK '
				   '(schema_name IS NOT NULL AND schema_name = %L AND %I IS NOT NULL '
				   'AND %I >= %L::%s AND %I < %L::%s)) USING %I',
				   p_schema, stage,
				   _wh.relation_coldefs(format('%I.%I', p_schema, t.template_name)::regclass),
				   p_schema, t.date_column,
				   t.date_column, b.lo, date_type, t.date_column, b.hi, date_type, am)
			|| CASE WHEN tblspc IS NOT NULL THEN format(' TABLESPACE %I', tblspc) ELSE '' END;
END
$$;

/*
 * Run DDL statements on the live tree all or nothing, waiting at most
 * lock_timeout (setting) for their locks and retrying swap_retries times
 * (readers are blocked for at most that long); what names the change in
 * the error ("swap the new piece in").  The caller's transaction keeps
 * the locks to its commit.
 */
CREATE FUNCTION _wh.with_lock_retries(statements text[], what text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	old_timeout	text := current_setting('lock_timeout');
	retries		integer := greatest(_wh.setting('swap_retries')::integer, 1);
	done		boolean := false;
	stmt		text;
BEGIN
	PERFORM set_config('lock_timeout', _wh.setting('lock_timeout'), true);
	FOR attempt IN 1 .. retries LOOP
		BEGIN
			FOREACH stmt IN ARRAY statements LOOP
				EXECUTE stmt;
			END LOOP;
			done := true;
			EXIT;
		EXCEPTION WHEN lock_not_available THEN
			IF attempt < retries THEN
				PERFORM pg_sleep(0.1 * attempt);
			END IF;
		END;
	END LOOP;
	PERFORM set_config('lock_timeout', old_timeout, true);
	IF NOT done THEN
		RAISE EXCEPTION 'could not %: readers held their locks too long', what
			USING ERRCODE = 'lock_not_available',
				  DETAIL = format('Tried %s times with lock_timeout %s.', retries, _wh.setting('lock_timeout'));
	END IF;
END
$$;

/*
 * Swap a staging table in as a day's piece: drop the old piece (when
 * drop_old), rename the staging table and attach it with the day's bounds
 * [lo, hi), then run the statements extra (the day's rollup rows into
 * their month leaves, _wh.rollup_stage), all or nothing, with short lock waits
 * (_wh.with_lock_retries).
 */
CREATE FUNCTION _wh.swap_piece(p_schema text, p_template text, stage text, piece text,
							   lo text, hi text, drop_old boolean, extra text[] DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	PERFORM _wh.with_lock_retries(
		CASE WHEN drop_old THEN ARRAY[format('DROP TABLE %I.%I', p_schema, piece)] ELSE '{}'::text[] END
		|| format('ALTER TABLE %I.%I RENAME TO %I', p_schema, stage, piece)
		|| format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
				  p_schema, p_template, p_schema, piece, lo, hi)
		|| coalesce(extra, '{}'),
		'swap the new piece in');
END
$$;

/*
 * Check that a (template, schema) pair is fed by no other tenant than the
 * one given (_wh.units): each pair has exactly one.
 */
CREATE FUNCTION _wh.check_feeder(template_name text, schema_name text, tenant_name text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	feeder	text;
BEGIN
	SELECT u.tenant_name INTO feeder FROM _wh.units u
	 WHERE u.template_name = check_feeder.template_name AND u.schema_name = check_feeder.schema_name;
	IF feeder IS NOT NULL AND feeder <> tenant_name THEN
		RAISE EXCEPTION 'schema "%" already holds template "%" of tenant "%"', schema_name, template_name, feeder
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Give each tenant a target schema of its own.';
	END IF;
END
$$;

/*
 * Load one day of a template for a tenant into a schema.  mode: 'create'
 * (the piece must not exist), 'update' (load a missing or still-open day;
 * closed days are final), 'yesterday' (update, and reload yesterday too),
 * 'refresh' (reload whatever the day), 'force' (reload whatever the day,
 * even with no rows where the piece had some).  Returns what it did.
 */
CREATE FUNCTION _wh.load_day(p_template text, p_tenant text, p_schema text, p_day date, p_mode text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	started		timestamptz := clock_timestamp();
	unit		text;
	t			_wh.mv_templates;
	today		date;
	piece		text;
	stage		text;
	conname		text := 'biwh_load';
	old			_wh.pieces;
	rel_exists	boolean;
	date_type	text;
	b			record;
	src_sql		text;
	coldefs		text;
	am			text;
	nrows		bigint;
	nbytes		bigint;
	st			text;
	msg			text;
	det			text;
	hnt			text;
	cname		text;
	tblspc		text;
	rstmts		text[];
BEGIN
	unit := format('%s/%s/%s/%s', left(p_template, 80), left(p_tenant, 80), left(p_schema, 80), p_day);
	BEGIN
		PERFORM _wh.check_name(p_template, 'template');
		PERFORM _wh.check_name(p_tenant, 'tenant');
		PERFORM _wh.check_schema_name(p_schema);
		IF p_day IS NULL THEN
			RAISE EXCEPTION 'day must not be null' USING ERRCODE = 'null_value_not_allowed';
		END IF;
		IF NOT isfinite(p_day) THEN
			RAISE EXCEPTION 'day % is not a calendar day', p_day
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Give a date such as 2025-09-24.';
		END IF;
		t := _wh.get_template(p_template);
		PERFORM _wh.check_tenant(p_tenant);
		PERFORM _wh.check_feeder(p_template, p_schema, p_tenant);
		today := _wh.today();
		IF p_day > today THEN
			RAISE EXCEPTION 'day % is in the future', p_day
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('Today is %s in the warehouse time zone %s.', today, _wh.setting('timezone'));
		END IF;

		piece := _wh.create_mv_name(p_template, p_day);
		PERFORM _wh.check_tenant_schema(p_schema);
		rel_exists := to_regclass(format('%I.%I', p_schema, piece)) IS NOT NULL;
		IF rel_exists THEN
			PERFORM _wh.check_owned(format('%I.%I', p_schema, piece)::regclass, 'daily piece');
		END IF;
		SELECT * INTO old FROM _wh.pieces p
		 WHERE p.template_name = p_template AND p.schema_name = p_schema AND p.day = p_day;
		IF FOUND AND NOT rel_exists THEN
			DELETE FROM _wh.pieces p
			 WHERE p.template_name = p_template AND p.schema_name = p_schema AND p.day = p_day;
			old := NULL;
		END IF;

		IF p_mode = 'create' AND rel_exists THEN
			RAISE EXCEPTION 'piece "%.%" already exists', p_schema, piece
				USING ERRCODE = 'duplicate_table',
					  HINT = 'Use _wh.update_mv_by_template or _wh.refresh_mv to reload it.';
		END IF;
		-- a closed day loaded after it ended is final
		IF p_mode IN ('update', 'yesterday') AND rel_exists AND coalesce(old.final, false)
		   AND NOT (p_mode = 'yesterday' AND p_day = today - 1) THEN
			RETURN 'skipped: day is final';
		END IF;

		-- shared by every load of the template: _wh.create_rollup takes it
		-- exclusively, to see every piece a load was adding when it started
		PERFORM pg_advisory_xact_lock_shared(_wh.template_lock_key(p_template));
		-- shared with _wh.close_days: a load and a conversion never overlap
		IF NOT pg_try_advisory_xact_lock(_wh.day_lock_key(p_template, p_schema, p_day)) THEN
			RAISE EXCEPTION 'another load of this day is running'
				USING ERRCODE = 'lock_not_available',
					  HINT = 'Wait for it to finish (a load, or _wh.close_days converting the day to columnar).';
		END IF;

		-- before any tree's lock (20_wh_8_rollup.sql)
		PERFORM _wh.lock_rollups(p_template);
		PERFORM _wh.ensure_tree(t, p_schema);
		date_type := _wh.date_column_type(t);
		b := _wh.day_bounds(date_type, p_day);
		src_sql := _wh.check_read_statement(_wh.template_sql(t, p_day), format('the query of template "%s"', p_template));
		SELECT string_agg(format('%I %s', c.column_name, c.column_type), ', ' ORDER BY c.ord)
		  INTO coldefs FROM _wh.parse_columns(t.column_definitions) c;

		-- fetch the day into a staging table outside the tree
		stage := '_wh_stage_' || left(md5(p_template || ' ' || p_day), 16);
		am := _wh.piece_access_method(p_template, p_schema, p_day);
		tblspc := _wh.piece_tablespace(p_template, p_schema, p_day);
		PERFORM _wh.create_stage(t, p_schema, stage, p_day, am, tblspc);
		PERFORM _wh.dblink_open(conname, p_tenant);
		-- the template runs read-only at the source, after a first query
		-- (so it cannot switch the transaction to read-write)
		PERFORM public.dblink_exec(conname, 'BEGIN READ ONLY'::text);
		PERFORM _wh.check_source_columns(conname, t, src_sql);
		BEGIN
			EXECUTE format('INSERT INTO %I.%I SELECT $1, r.* FROM public.dblink($2, $3) AS r(%s)',
						   p_schema, stage, coldefs)
				USING p_schema, conname, src_sql;
		EXCEPTION WHEN check_violation THEN
			GET STACKED DIAGNOSTICS cname = CONSTRAINT_NAME;
			IF cname IS DISTINCT FROM 'biwh_day_bounds' THEN
				RAISE;
			END IF;
			RAISE EXCEPTION 'source returned rows outside the day'
				USING ERRCODE = 'check_violation',
					  DETAIL = format('Every %s must be in [%s, %s).', t.date_column, b.lo, b.hi),
					  HINT = 'Restrict the template''s query with {{start}} and {{end}}.';
		END;
		GET DIAGNOSTICS nrows = ROW_COUNT;
		PERFORM public.dblink_exec(conname, 'ROLLBACK'::text);
		PERFORM _wh.dblink_close(conname);

		IF nrows = 0 AND coalesce(old.rows, 0) > 0 AND p_mode <> 'force' THEN
			RAISE EXCEPTION 'source returned no rows, the piece keeps its % rows', old.rows
				USING ERRCODE = 'no_data_found',
					  HINT = 'Reload it with _wh.update_mv_by_template(..., force => true) if the day is really empty now.';
		END IF;
		EXECUTE format('ANALYZE %I.%I', p_schema, stage);
		-- the day's rollup rows, from the new piece (20_wh_8_rollup.sql)
		rstmts := _wh.rollup_stage(p_template, p_schema, stage, p_day);

		-- swap: drop the old piece, attach the new one, put the day's rollup rows in
		-- their month leaves, with short lock waits
		PERFORM _wh.swap_piece(p_schema, p_template, stage, piece, b.lo, b.hi, rel_exists, rstmts);

		nbytes := pg_total_relation_size(format('%I.%I', p_schema, piece)::regclass);
		INSERT INTO _wh.pieces AS p (template_name, schema_name, day, relname, tenant_name,
									 final, rows, bytes, access_method, loaded_at)
		VALUES (p_template, p_schema, p_day, piece, p_tenant, p_day < today, nrows, nbytes, am, now())
		ON CONFLICT (template_name, schema_name, day) DO UPDATE
			SET relname = EXCLUDED.relname, tenant_name = EXCLUDED.tenant_name,
				final = EXCLUDED.final, rows = EXCLUDED.rows, bytes = EXCLUDED.bytes,
				access_method = EXCLUDED.access_method, loaded_at = EXCLUDED.loaded_at;
		INSERT INTO _wh.units AS u (template_name, schema_name, tenant_name, days)
		VALUES (p_template, p_schema, p_tenant, datemultirange(daterange(p_day, p_day, '[]')))
		ON CONFLICT (template_name, schema_name) DO UPDATE
			SET days = u.days + EXCLUDED.days;
		INSERT INTO _wh.run_log (unit, template_name, tenant_name, schema_name, day, started_at,
								 finished_at, status, rows, bytes)
		VALUES (unit, p_template, p_tenant, p_schema, p_day, started, clock_timestamp(),
				'succeeded', nrows, nbytes);
		RETURN format('loaded %s rows', nrows);
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		-- query_canceled too (cancel, statement_timeout): the named connection
		-- must not stay open in the caller's session, logged in as the tenant
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
								det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
		BEGIN
			PERFORM _wh.dblink_close(conname);
		EXCEPTION WHEN OTHERS THEN
			NULL;
		END;
		msg := _wh.sanitize(msg);
		det := _wh.sanitize(nullif(det, ''));
		PERFORM _wh.log_autonomous(unit, p_template, p_tenant, p_schema, p_day, started,
								   'failed', st, concat_ws(E'\n', msg, det));
		msg := format('could not load day %s of template "%s" for tenant "%s" into schema "%s": %s',
					  p_day, left(p_template, 80), left(p_tenant, 80), left(p_schema, 80), msg);
		hnt := _wh.sanitize(nullif(hnt, ''));
		IF det IS NOT NULL AND hnt IS NOT NULL THEN
			RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det, HINT = hnt;
		ELSIF det IS NOT NULL THEN
			RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det;
		ELSIF hnt IS NOT NULL THEN
			RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, HINT = hnt;
		ELSE
			RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg;
		END IF;
	END;
END
$$;

/*
 * Write a run-log row in the caller's transaction for a step on one day
 * of a unit (a conversion, a scheduled run, retention, tiering): kind,
 * status, SQLSTATE and message as given, the unit named
 * template/tenant/schema/day, finished now.
 */
CREATE FUNCTION _wh.log_step(kind text, template_name text, tenant_name text, schema_name text,
							 day date, started_at timestamptz, status text, sqlstate text,
							 message text, rows bigint DEFAULT NULL, bytes bigint DEFAULT NULL)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	INSERT INTO _wh.run_log (unit, kind, template_name, tenant_name, schema_name, day, started_at,
							 finished_at, status, sqlstate, message, rows, bytes)
	VALUES (format('%s/%s/%s/%s', left(template_name, 80), left(tenant_name, 80), left(schema_name, 80), day),
			kind, template_name, tenant_name, schema_name, day, started_at, clock_timestamp(),
			status, sqlstate, _wh.sanitize(message), rows, bytes)
$$;

/*
 * Rewrite a day's piece into a new table of access method am, in
 * tablespace tblspc (NULL: the database's default): its rows are copied
 * into a staging table with the same CHECK, analyzed and swapped in as
 * load_day does, so readers see the old piece or the new one, never part
 * of one.  Its _wh.pieces row keeps its "final" flag.  status is 'busy'
 * when the day is being loaded (its advisory lock is taken: nothing done),
 * 'unchanged' when the piece is gone or already so (a load that committed
 * meanwhile), else 'rewritten'.  Errors are raised to the caller.
 */
CREATE FUNCTION _wh.rewrite_piece(p_template text, p_schema text, p_day date, am text, tblspc text,
								  OUT status text, OUT rows bigint, OUT bytes bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	pc		_wh.pieces;
	t		_wh.mv_templates;
	b		record;
	rel		regclass;
	stage	text;
BEGIN
	-- shared with load_day; held to commit, or released if this day fails
	IF NOT pg_try_advisory_xact_lock(_wh.day_lock_key(p_template, p_schema, p_day)) THEN
		status := 'busy';
		RETURN;
	END IF;
	SELECT * INTO pc FROM _wh.pieces p
	 WHERE p.template_name = p_template AND p.schema_name = p_schema AND p.day = p_day;
	rel := to_regclass(format('%I.%I', p_schema, pc.relname));
	IF rel IS NULL
	   OR ((SELECT a.amname::text FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = rel) = am
		   AND _wh.tablespace_of(rel) IS NOT DISTINCT FROM nullif(tblspc, _wh.default_tablespace())) THEN
		status := 'unchanged';
		RETURN;
	END IF;
	PERFORM _wh.check_tenant_schema(p_schema);
	PERFORM _wh.check_owned(rel, 'daily piece');
	t := _wh.get_template(p_template);
	b := _wh.day_bounds(_wh.date_column_type(t), p_day);
	stage := '_wh_rewrite_' || left(md5(p_template || ' ' || p_day), 16);
	PERFORM _wh.create_stage(t, p_schema, stage, p_day, am, tblspc);
	EXECUTE format('INSERT INTO %I.%I SELECT * FROM %I.%I', p_schema, stage, p_schema, pc.relname);
	GET DIAGNOSTICS rows = ROW_COUNT;
	EXECUTE format('ANALYZE %I.%I', p_schema, stage);
	-- the day's rollup rows go with the piece (their month leaf follows the
	-- access method of the month's pieces)
	PERFORM _wh.swap_piece(p_schema, p_template, stage, pc.relname, b.lo, b.hi, true,
						   _wh.rollup_stage(p_template, p_schema, stage, p_day));
	bytes := pg_total_relation_size(format('%I.%I', p_schema, pc.relname)::regclass);
	UPDATE _wh.pieces p
	   SET access_method = am, bytes = rewrite_piece.bytes, rows = rewrite_piece.rows
	 WHERE p.template_name = p_template AND p.schema_name = p_schema AND p.day = p_day;
	status := 'rewritten';
END
$$;

/*
 * Convert the heap pieces of closed days to columnar (days older than the
 * storage policy's columnar_after_days, by default every day before
 * _wh.today()), for one template (NULL: all) and one schema (NULL: all),
 * with _wh.rewrite_piece (into the day's tablespace, _wh.piece_tablespace).
 * "final" is left as it was (the next allowed reload still happens).  A
 * day being loaded is skipped with a notice; the next call converts it,
 * unless that load wrote it columnar.  An error on one day is logged in
 * _wh.run_log, reported as a warning, and the other days go on.  Returns a
 * summary.
 */
CREATE FUNCTION _wh.close_days(template_name text DEFAULT NULL, schema_name text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	p			record;
	r			record;
	started		timestamptz;
	converted	integer := 0;
	failed		integer := 0;
	skipped		integer := 0;
	st			text;
	msg			text;
	det			text;
BEGIN
	IF template_name IS NOT NULL THEN
		PERFORM _wh.check_name(template_name, 'template');
	END IF;
	IF schema_name IS NOT NULL THEN
		PERFORM _wh.check_schema_name(schema_name);
	END IF;
	-- the one catalog query when there is nothing to convert
	FOR p IN SELECT pc.template_name, pc.schema_name, pc.day, pc.tenant_name
			   FROM _wh.pieces pc
			   JOIN pg_namespace n ON n.nspname = pc.schema_name
			   JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pc.relname
			   JOIN pg_am a ON a.oid = c.relam
			  WHERE a.amname = 'heap'
				AND pc.day < _wh.today()
				AND (close_days.template_name IS NULL OR pc.template_name = close_days.template_name)
				AND (close_days.schema_name IS NULL OR pc.schema_name = close_days.schema_name)
				AND _wh.piece_access_method(pc.template_name, pc.schema_name, pc.day) = 'columnar'
			  ORDER BY pc.template_name, pc.schema_name, pc.day
	LOOP
		started := clock_timestamp();
		BEGIN
			r := _wh.rewrite_piece(p.template_name, p.schema_name, p.day, 'columnar',
								   _wh.piece_tablespace(p.template_name, p.schema_name, p.day));
			IF r.status = 'busy' THEN
				RAISE NOTICE 'day % of template "%" in schema "%" is being loaded, not converted now',
					p.day, p.template_name, p.schema_name;
				skipped := skipped + 1;
			ELSIF r.status = 'rewritten' THEN
				PERFORM _wh.log_step('close', p.template_name, p.tenant_name, p.schema_name, p.day, started,
									 'succeeded', NULL, 'closed: converted from heap to columnar', r.rows, r.bytes);
				converted := converted + 1;
			END IF;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
			msg := _wh.sanitize(msg);
			-- this transaction goes on: the row is written here
			PERFORM _wh.log_step('close', p.template_name, p.tenant_name, p.schema_name, p.day, started,
								 'failed', st, concat_ws(E'\n', 'could not convert to columnar: ' || msg, nullif(det, '')));
			RAISE WARNING 'could not convert day % of template "%" in schema "%" to columnar: %',
				p.day, p.template_name, p.schema_name, msg;
			failed := failed + 1;
		END;
	END LOOP;
	RETURN format('%s days converted to columnar, %s failed', converted, failed)
		|| CASE WHEN skipped > 0 THEN format(', %s skipped (being loaded)', skipped) ELSE '' END;
END
$$;
