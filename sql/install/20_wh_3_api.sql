/*
 * 20_wh_3_api.sql: the seed's warehouse functions, backfill, DirectQuery,
 * roles
 *
 * The functions keep the seed's names and signatures (seeds/
 * warehouse-design.md) over the partitioned design of 20_wh_2_pieces.sql:
 * a "materialized view" of the seed is a daily piece, the tenant "union
 * view" is the tenant's partition, the public "master view" is the root.
 * They are SECURITY DEFINER with a fixed search_path, and EXECUTE is granted
 * by _wh.grant_admin only.
 */

/* Load a day that is not loaded yet (error if its piece exists) */
CREATE FUNCTION _wh.create_mv_from_template(template_name text, tenant_connection_name text,
											target_schema text, target_date date)
RETURNS text
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT _wh.load_day(template_name, tenant_connection_name, target_schema, target_date, 'create')
$$;

/*
 * Load or reload a day: missing or still-open days are loaded, the current
 * day is reloaded, closed days loaded after they ended are final and
 * skipped, except yesterday when allow_refresh_yesterday, or any day when
 * force.  Then the heap pieces of closed days of the template in the schema
 * are converted to columnar (_wh.close_days), so the daily update of the
 * current day also closes yesterday.
 */
CREATE FUNCTION _wh.update_mv_by_template(template_name text, tenant_connection_name text,
										  target_schema text, target_date date,
										  allow_refresh_yesterday boolean DEFAULT false,
										  force boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	res		text;
BEGIN
	res := _wh.load_day(template_name, tenant_connection_name, target_schema, target_date,
						CASE WHEN force THEN 'force'
							 WHEN allow_refresh_yesterday THEN 'yesterday'
							 ELSE 'update' END);
	PERFORM _wh.close_days(template_name, target_schema);
	RETURN res;
END
$$;

/*
 * Check a window of days [start_date, end_date]: finite dates, start not
 * after end, and at most max_window_days days (setting, default 366), so
 * that a typo never starts loading a century of pieces.
 */
CREATE FUNCTION _wh.check_window(start_date date, end_date date)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	max_days	integer := _wh.setting('max_window_days')::integer;
BEGIN
	IF start_date IS NULL OR end_date IS NULL OR NOT isfinite(start_date) OR NOT isfinite(end_date) THEN
		RAISE EXCEPTION 'invalid window [%, %]', coalesce(start_date::text, 'null'), coalesce(end_date::text, 'null')
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Both ends of a window must be calendar days.',
				  HINT = 'Give dates such as 2025-09-01 and 2025-09-30.';
	END IF;
	IF end_date < start_date THEN
		RAISE EXCEPTION 'invalid window [%, %]', start_date, end_date
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a start date not after the end date.';
	END IF;
	IF end_date - start_date + 1 > max_days THEN
		RAISE EXCEPTION 'window [%, %] has % days, more than max_window_days (%)',
			start_date, end_date, end_date - start_date + 1, max_days
			USING ERRCODE = 'program_limit_exceeded',
				  DETAIL = 'Each day is a piece of its own.',
				  HINT = 'Load a shorter window (the seed loads a month at a time), or raise the setting: INSERT INTO _wh.settings VALUES (''max_window_days'', ''...'').';
	END IF;
END
$$;

/*
 * Load every day of [start_date, end_date] as update_mv_by_template does, in
 * one transaction: a failure rolls the whole window back (use CALL
 * _wh.backfill to commit day by day).  Days after today are left out.
 * Returns a summary.
 */
CREATE FUNCTION _wh.update_mv_window_by_template(template_name text, tenant_connection_name text,
												 target_schema text, start_date date, end_date date)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	d		date;
	res		text;
	loaded	integer := 0;
	skipped	integer := 0;
	future	integer := 0;
	nrows	bigint := 0;
BEGIN
	PERFORM _wh.check_window(start_date, end_date);
	FOR d IN SELECT g::date FROM generate_series(start_date, end_date, interval '1 day') g
	LOOP
		-- a window may reach past today: those days are left for later
		IF d > _wh.today() THEN
			future := future + 1;
			CONTINUE;
		END IF;
		res := _wh.load_day(template_name, tenant_connection_name, target_schema, d, 'update');
		IF res LIKE 'loaded %' THEN
			loaded := loaded + 1;
			nrows := nrows + split_part(res, ' ', 2)::bigint;
		ELSE
			skipped := skipped + 1;
		END IF;
	END LOOP;
	RETURN format('%s days loaded (%s rows), %s skipped', loaded, nrows, skipped)
		|| CASE WHEN future > 0 THEN format(', %s in the future', future) ELSE '' END;
END
$$;

/*
 * One day of _wh.backfill: load day n (0 for start_date) of [start_date,
 * end_date] as update_mv_by_template does, with a progress notice.  Returns
 * whether backfill goes on: false past end_date or at a day in the future.
 * The window is checked at day 0.
 */
CREATE FUNCTION _wh.backfill_step(template_name text, tenant_connection_name text,
								  target_schema text, start_date date, end_date date, n integer)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	d		date;
	total	integer;
	res		text;
BEGIN
	IF n = 0 THEN
		PERFORM _wh.check_window(start_date, end_date);
	END IF;
	d := start_date + n;
	total := end_date - start_date + 1;
	IF d > end_date THEN
		RETURN false;
	END IF;
	IF d > _wh.today() THEN
		RAISE NOTICE 'backfill of "%" into "%": % (day %/%): in the future, stopping',
			template_name, target_schema, to_char(d, 'YYYY-MM-DD'), n + 1, total;
		RETURN false;
	END IF;
	res := _wh.update_mv_by_template(template_name, tenant_connection_name, target_schema, d);
	RAISE NOTICE 'backfill of "%" into "%": % (day %/%): %', template_name, target_schema, to_char(d, 'YYYY-MM-DD'), n + 1, total, res;
	RETURN true;
END
$$;

/*
 * Backfill [start_date, end_date] committing day by day, with a progress
 * notice per day; run again after a failure, it skips the final days already
 * loaded and resumes.  A procedure that commits can be neither SECURITY
 * DEFINER nor have SET clauses, so it runs with its caller's search_path
 * (a superuser's, in pg_cron or psql): its body resolves nothing through
 * it, it only calls _wh.backfill_step by its qualified name with arguments
 * of their exact types and adds with pg_catalog's operator.
 */
CREATE PROCEDURE _wh.backfill(template_name text, tenant_connection_name text,
							  target_schema text, start_date date, end_date date)
LANGUAGE plpgsql
AS $$
DECLARE
	n	pg_catalog.int4 := 0;
BEGIN
	WHILE _wh.backfill_step(template_name, tenant_connection_name, target_schema, start_date, end_date, n) LOOP
		COMMIT;
		n := n OPERATOR(pg_catalog.+) 1;
	END LOOP;
END
$$;

/*
 * Create or complete the tenant's relation <schema>.<template> (the seed's
 * union view): the partition of public.<template> for the schema, with every
 * existing piece attached.  Idempotent.  Returns a summary.
 */
CREATE FUNCTION _wh.update_tenant_union_view_by_template(template_name text, tenant_connection_name text,
														 target_schema text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	t		_wh.mv_templates;
	feeder	text;
	p		record;
	b		record;
	n		integer := 0;
BEGIN
	t := _wh.get_template(template_name);
	PERFORM _wh.check_name(tenant_connection_name, 'tenant');
	PERFORM _wh.check_schema_name(target_schema);
	SELECT u.tenant_name INTO feeder FROM _wh.units u
	 WHERE u.template_name = t.template_name AND u.schema_name = target_schema;
	IF feeder IS NULL THEN
		-- a tenant relation holds days loaded: nothing is created before
		RAISE EXCEPTION 'schema "%" has no day of template "%"', target_schema, t.template_name
			USING ERRCODE = 'no_data_found',
				  DETAIL = 'Nothing was created.',
				  HINT = format('Load days first: SELECT _wh.update_mv_window_by_template(%L, %L, %L, <first day>, <last day>).',
								t.template_name, tenant_connection_name, target_schema);
	END IF;
	IF feeder <> tenant_connection_name THEN
		RAISE EXCEPTION 'schema "%" already holds template "%" of tenant "%"', target_schema, t.template_name, feeder
			USING ERRCODE = 'duplicate_object';
	END IF;
	PERFORM _wh.ensure_tree(t, target_schema);
	-- attach pieces that exist but were detached
	FOR p IN SELECT pc.day, pc.relname FROM _wh.pieces pc
			  WHERE pc.template_name = t.template_name AND pc.schema_name = target_schema
			  ORDER BY pc.day
	LOOP
		IF to_regclass(format('%I.%I', target_schema, p.relname)) IS NULL THEN
			CONTINUE;
		END IF;
		n := n + 1;
		PERFORM _wh.check_owned(format('%I.%I', target_schema, p.relname)::regclass, 'daily piece');
		IF NOT EXISTS (SELECT 1 FROM pg_inherits i
						WHERE i.inhrelid = format('%I.%I', target_schema, p.relname)::regclass) THEN
			b := _wh.day_bounds(_wh.date_column_type(t), p.day);
			EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
						   target_schema, t.template_name, target_schema, p.relname, b.lo, b.hi);
		END IF;
	END LOOP;
	PERFORM _wh.grant_roots(t.template_name, target_schema);
	RETURN format('%s.%s: %s days', target_schema, t.template_name, n);
END
$$;

/*
 * Create or complete public.<template> (the seed's master view): every
 * schema loaded for the template is attached.  Idempotent.  Returns a
 * summary.
 */
CREATE FUNCTION _wh.update_public_view_by_template(template_name text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	t	_wh.mv_templates;
	u	record;
	n	integer := 0;
BEGIN
	t := _wh.get_template(template_name);
	PERFORM _wh.ensure_tree(t, NULL);
	FOR u IN SELECT un.schema_name FROM _wh.units un
			  WHERE un.template_name = t.template_name ORDER BY 1
	LOOP
		PERFORM _wh.ensure_tree(t, u.schema_name);
		PERFORM _wh.grant_roots(t.template_name, u.schema_name);
		n := n + 1;
	END LOOP;
	PERFORM _wh.grant_roots(t.template_name, NULL);
	RETURN format('public.%s: %s schemas', t.template_name, n);
END
$$;

/* Return whether relation <target_schema>.<view_name> exists */
CREATE FUNCTION _wh.does_mv_exist(target_schema text, view_name text)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
					WHERE n.nspname = target_schema AND c.relname = view_name
					  AND c.relkind IN ('r', 'p', 'm', 'v', 'f'))
$$;

/* Reload a daily piece, whatever its day */
CREATE FUNCTION _wh.refresh_mv(target_schema text, view_name text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	p	_wh.pieces;
BEGIN
	PERFORM _wh.check_schema_name(target_schema);
	PERFORM _wh.check_name(view_name, 'piece');
	SELECT * INTO p FROM _wh.pieces pc
	 WHERE pc.schema_name = target_schema AND pc.relname = view_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION '"%.%" is not a daily piece of the warehouse', target_schema, view_name
			USING ERRCODE = 'undefined_table',
				  HINT = 'Load a day with _wh.update_mv_by_template first.';
	END IF;
	RETURN _wh.load_day(p.template_name, p.tenant_name, p.schema_name, p.day, 'refresh');
END
$$;

/*
 * Recreate every missing piece of every unit (template, tenant, schema) for
 * the days it had loaded, and the tenant and public relations; existing
 * pieces are kept.  Then every rollup's relations, and the rollup rows
 * missing for existing pieces (a reloaded piece got its rows with it).
 * Idempotent.  Returns a summary.
 */
CREATE FUNCTION _wh.rebuild_entire_warehouse()
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	u		record;
	units	integer := 0;
	days	integer := 0;
	d		date;
	res		text;
BEGIN
	FOR u IN SELECT * FROM _wh.units ORDER BY template_name, schema_name
	LOOP
		units := units + 1;
		PERFORM _wh.ensure_tree(_wh.get_template(u.template_name), u.schema_name);
		FOR d IN SELECT g::date FROM unnest(u.days) r,
					 generate_series(lower(r), upper(r) - 1, interval '1 day') g ORDER BY 1
		LOOP
			res := _wh.load_day(u.template_name, u.tenant_name, u.schema_name, d, 'update');
			IF res LIKE 'loaded %' THEN
				days := days + 1;
			END IF;
		END LOOP;
		PERFORM _wh.update_tenant_union_view_by_template(u.template_name, u.tenant_name, u.schema_name);
	END LOOP;
	FOR u IN SELECT DISTINCT template_name FROM _wh.units ORDER BY 1
	LOOP
		PERFORM _wh.update_public_view_by_template(u.template_name);
	END LOOP;
	-- the rollups: their relations, and the rows of pieces kept above
	FOR u IN SELECT r.rollup_name, r.template_name FROM _wh.rollups r ORDER BY 1
	LOOP
		PERFORM _wh.ensure_rollup_tree(u.rollup_name, NULL);
		FOR res IN SELECT DISTINCT un.schema_name FROM _wh.units un
					WHERE un.template_name = u.template_name ORDER BY 1
		LOOP
			PERFORM _wh.ensure_rollup_tree(u.rollup_name, res);
		END LOOP;
		PERFORM _wh.fill_rollup_all(u.rollup_name);
	END LOOP;
	RETURN format('%s units, %s days loaded', units, days);
END
$$;

/*
 * DirectQuery: run one read-only query on a tenant's source and return its
 * rows as jsonb.  The query runs inside a READ ONLY transaction at the
 * source and must be a single read-only statement (_wh.check_read_statement:
 * a semicolon inside a string literal is part of it).
 */
CREATE FUNCTION _wh.direct_query(tenant_name text, query text)
RETURNS SETOF jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	conname	text := 'biwh_direct';
	q		text;
	st		text;
	msg		text;
	det		text;
	hnt		text;
BEGIN
	PERFORM _wh.check_name(tenant_name, 'tenant');
	q := _wh.check_read_statement(query, 'the direct query');
	BEGIN
		PERFORM _wh.dblink_open(conname, tenant_name);
		PERFORM public.dblink_exec(conname, 'BEGIN READ ONLY'::text);
		RETURN QUERY
			SELECT r.j::jsonb
			  FROM public.dblink(conname, ('SELECT pg_catalog.to_jsonb(q)::text FROM (' || q || E'\n) AS q')::text) AS r(j text);
		PERFORM public.dblink_exec(conname, 'ROLLBACK'::text);
		PERFORM _wh.dblink_close(conname);
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		-- also on cancel: never leave the connection open in the session
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
								hnt = PG_EXCEPTION_HINT;
		PERFORM _wh.dblink_close(conname);
		IF nullif(hnt, '') IS NULL THEN
			RAISE EXCEPTION 'direct query on tenant "%" failed: %', tenant_name, _wh.sanitize(msg)
				USING ERRCODE = st, DETAIL = coalesce(_wh.sanitize(nullif(det, '')), 'No detail.');
		END IF;
		RAISE EXCEPTION 'direct query on tenant "%" failed: %', tenant_name, _wh.sanitize(msg)
			USING ERRCODE = st, DETAIL = coalesce(_wh.sanitize(nullif(det, '')), 'No detail.'),
				  HINT = _wh.sanitize(hnt);
	END;
END
$$;

/* Check that a role exists; return its name */
CREATE FUNCTION _wh.check_role(role_name text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	IF role_name IS NULL OR to_regrole(quote_ident(role_name)) IS NULL THEN
		RAISE EXCEPTION 'role "%" does not exist', left(coalesce(role_name, '(null)'), 80)
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create the role first: the extension creates no roles.';
	END IF;
	RETURN role_name;
END
$$;

/*
 * Grant SELECT on every existing public and tenant root to a role (an admin
 * or BI reader, already in _wh.role_grants), and its policies on the public
 * roots
 */
CREATE FUNCTION _wh.grant_existing_roots(role_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	u	record;
BEGIN
	-- the masters, and the policy that shows the role every tenant's rows
	FOR u IN SELECT r AS template_name FROM _wh.existing_roots() r
	LOOP
		EXECUTE format('GRANT SELECT ON public.%I TO %I', u.template_name, role_name);
		PERFORM _wh.apply_policies(u.template_name);
	END LOOP;
	FOR u IN SELECT un.template_name, un.schema_name FROM _wh.units un
			  WHERE to_regclass(format('%I.%I', un.schema_name, un.template_name)) IS NOT NULL ORDER BY 1, 2
	LOOP
		EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', u.schema_name, role_name);
		EXECUTE format('GRANT SELECT ON %I.%I TO %I', u.schema_name, u.template_name, role_name);
	END LOOP;
	-- the rollups' relations, like their masters'
	FOR u IN SELECT r.rollup_name, un.schema_name FROM _wh.rollups r
			   JOIN _wh.units un ON un.template_name = r.template_name
			  WHERE to_regclass(format('public.%I', r.rollup_name)) IS NOT NULL ORDER BY 1, 2
	LOOP
		EXECUTE format('GRANT SELECT ON public.%I TO %I', u.rollup_name, role_name);
		IF to_regclass(format('%I.%I', u.schema_name, u.rollup_name)) IS NOT NULL THEN
			EXECUTE format('GRANT SELECT ON %I.%I TO %I', u.schema_name, u.rollup_name, role_name);
		END IF;
	END LOOP;
END
$$;

/*
 * Make a role a warehouse administrator (the seed's whadmin): it runs the
 * _wh API, manages tenant connections and templates, reads the run log and
 * every root relation, but reads no password (get_tenant_connection_string
 * stays the owner's).
 */
CREATE FUNCTION _wh.grant_admin(role_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	f	text;
BEGIN
	PERFORM _wh.check_role(role_name);
	PERFORM _wh.check_role_separation(role_name, 'all');
	EXECUTE format('GRANT USAGE ON SCHEMA _wh TO %I', role_name);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON _wh.tenant_connections, _wh.mv_templates, _wh.settings TO %I', role_name);
	EXECUTE format('GRANT SELECT ON _wh.run_log, _wh.units, _wh.pieces, _wh.refresh_schedules, _wh.schedule_state, '
				   '_wh.storage_policies, _wh.schedules, _wh.refresh_status, _wh.recent_failures, '
				   '_wh.tenant_costs, _wh.cron_job_health, _wh.health, _wh.rollups, _wh.rollup_columns, _wh.rollup_leaves TO %I', role_name);
	FOREACH f IN ARRAY ARRAY[
		'_wh.create_mv_from_template(text, text, text, date)',
		'_wh.update_mv_by_template(text, text, text, date, boolean, boolean)',
		'_wh.update_mv_window_by_template(text, text, text, date, date)',
		'_wh.backfill_step(text, text, text, date, date, integer)',
		'_wh.update_tenant_union_view_by_template(text, text, text)',
		'_wh.update_public_view_by_template(text)',
		'_wh.does_mv_exist(text, text)',
		'_wh.refresh_mv(text, text)',
		'_wh.create_mv_name(text, date)',
		'_wh.suffixed_name(text, text)',
		'_wh.rebuild_entire_warehouse()',
		'_wh.close_days(text, text)',
		'_wh.direct_query(text, text)',
		'_wh.check_name(text, text)',
		'_wh.setting(text)',
		'_wh.today()',
		'_wh.now()',
		'_wh.schedule_daily(text, text, text, time)',
		'_wh.schedule_hourly(text, text, text, integer, integer)',
		'_wh.unschedule(text, text, text, text)',
		'_wh.reschedule_all()',
		'_wh.dispatch_begin()',
		'_wh.dispatch_step(bigint)',
		'_wh.dispatch_end(bigint)',
		'_wh.set_storage_policy(text, text, integer, boolean, integer, text, integer)',
		'_wh.remove_storage_policy(text, text)',
		'_wh.purge_logs()',
		'_wh.create_rollup(text, text, text[], text[], boolean)',
		'_wh.drop_rollup(text)',
		'_wh.fill_rollup_step(text)',
		-- what the monitoring views call
		'_wh.cron_jobs()',
		'_wh.job_name(text, text, text)',
		'_wh.job_prefix()',
		'_wh.scheduled_units(timestamptz)',
		'_wh.latest_slot(text, time, integer, integer, timestamptz)']
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, role_name);
	END LOOP;
	EXECUTE format('GRANT EXECUTE ON PROCEDURE _wh.backfill(text, text, text, date, date) TO %I', role_name);
	EXECUTE format('GRANT EXECUTE ON PROCEDURE _wh.run_due_refreshes() TO %I', role_name);
	EXECUTE format('GRANT EXECUTE ON PROCEDURE _wh.fill_rollup(text) TO %I', role_name);
	INSERT INTO _wh.role_grants (role_name, kind) VALUES (grant_admin.role_name, 'admin')
	ON CONFLICT ON CONSTRAINT role_grants_pkey DO UPDATE SET kind = 'admin';
	PERFORM _wh.grant_existing_roots(role_name);
END
$$;

/*
 * Make a role a BI reader (the seed's phood_ro): USAGE on the tenant
 * schemas and SELECT on the public and tenant root relations (never on the
 * daily pieces), now and for relations created later; nothing in _wh.
 */
CREATE FUNCTION _wh.grant_reader(role_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	PERFORM _wh.check_role(role_name);
	PERFORM _wh.check_role_separation(role_name, 'all');
	INSERT INTO _wh.role_grants (role_name, kind) VALUES (grant_reader.role_name, 'reader')
	ON CONFLICT ON CONSTRAINT role_grants_pkey DO NOTHING;
	PERFORM _wh.grant_existing_roots(role_name);
END
$$;

/* Nothing in _wh runs for PUBLIC: access comes from grant_admin only */
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA _wh FROM PUBLIC;
REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA _wh FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA _wh FROM PUBLIC;
