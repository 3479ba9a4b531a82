/*
 * 20_wh_6_storage.sql: retention, tiering, and the purge of old logs
 *
 * A storage policy (_wh.storage_policies, set with _wh.set_storage_policy)
 * belongs to a template (every schema) or to one schema, whose own policy
 * then replaces the template's.  Ages are counted in days of the
 * warehouse time zone: a day's age is _wh.today() - day, and "after N
 * days" means an age above N (N = 0: as soon as the day has closed).
 *
 * - drop_after_days: the day's piece is dropped, or with detach detached
 *   and kept as a plain table under its name (no longer in the tree, in
 *   _wh.pieces or in the unit's days, so no rebuild brings it back);
 * - columnar_after_days (default 0): a heap piece is converted to columnar
 *   (_wh.close_days and new loads follow the same threshold);
 * - cold_after_days with cold_tablespace: the piece moves to that
 *   tablespace (the seed's cheap storage for cold data); loads of such a
 *   day go there directly.
 *
 * The dispatcher applies them one piece per step (a transaction each),
 * after its scheduled units, and logs each step in _wh.run_log (kinds
 * retention, close, tiering).  Moves and conversions copy the piece into a
 * staging table and swap it in like a load (_wh.rewrite_piece), drops and
 * detaches take the tree's lock with the loads' short lock_timeout and
 * retries (_wh.with_lock_retries): readers are never blocked for longer.
 * A step that fails (or finds its day being loaded) is retried at the
 * next run.
 *
 * The purge (_wh.purge_logs, run by every dispatcher run) deletes the rows
 * of _wh.run_log and of cron.job_run_details (biwh's jobs only) older than
 * setting log_retention (default 30 days).
 */

/*
 * Set the storage policy of a template (target_schema NULL: every schema)
 * or of one schema (replacing the template's there), as a whole: the
 * arguments not given are NULL (keep every day, convert every closed day,
 * no cold tablespace).  Returns a summary.
 */
CREATE FUNCTION _wh.set_storage_policy(template_name text, target_schema text DEFAULT NULL,
									   drop_after_days integer DEFAULT NULL, detach boolean DEFAULT false,
									   columnar_after_days integer DEFAULT NULL,
									   cold_tablespace text DEFAULT NULL, cold_after_days integer DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	t		_wh.mv_templates := _wh.get_template(template_name);
	target	text := coalesce(target_schema, '*');
BEGIN
	IF target <> '*' THEN
		PERFORM _wh.check_schema_name(target);
	END IF;
	IF drop_after_days IS NOT NULL AND drop_after_days < 1 THEN
		RAISE EXCEPTION 'invalid drop_after_days %', drop_after_days
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a number of days of at least 1 (days older than that are dropped), or NULL to keep every day.';
	END IF;
	IF columnar_after_days < 0 OR cold_after_days < 0 THEN
		RAISE EXCEPTION 'invalid number of days %', least(columnar_after_days, cold_after_days)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give 0 (as soon as the day has closed) or more.';
	END IF;
	IF detach IS NULL OR (detach AND drop_after_days IS NULL) THEN
		RAISE EXCEPTION 'detach needs drop_after_days'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the age after which days are detached (kept as tables outside the tree).';
	END IF;
	IF (cold_tablespace IS NULL) <> (cold_after_days IS NULL) THEN
		RAISE EXCEPTION 'cold_tablespace and cold_after_days go together'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give both (days older than cold_after_days move to cold_tablespace), or neither.';
	END IF;
	IF cold_tablespace IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM pg_tablespace ts WHERE ts.spcname = cold_tablespace AND ts.spcname <> 'pg_global') THEN
		RAISE EXCEPTION 'tablespace "%" does not exist', left(cold_tablespace, 80)
			USING ERRCODE = 'undefined_object',
				  HINT = 'A superuser creates it: CREATE TABLESPACE name LOCATION ''/path/to/cheap/storage''.';
	END IF;
	INSERT INTO _wh.storage_policies AS sp VALUES (t.template_name, target, drop_after_days, detach,
												   columnar_after_days, cold_tablespace, cold_after_days)
	ON CONFLICT ON CONSTRAINT storage_policies_pkey DO UPDATE
		SET drop_after_days = EXCLUDED.drop_after_days, detach = EXCLUDED.detach,
			columnar_after_days = EXCLUDED.columnar_after_days, cold_tablespace = EXCLUDED.cold_tablespace,
			cold_after_days = EXCLUDED.cold_after_days;
	RETURN format('%s in %s: %s', t.template_name,
				  CASE WHEN target = '*' THEN 'every schema' ELSE 'schema ' || target END,
				  concat_ws('; ',
					  CASE WHEN drop_after_days IS NULL THEN 'keep every day'
						   ELSE format('%s days older than %s', CASE WHEN detach THEN 'detach' ELSE 'drop' END, drop_after_days) END,
					  format('columnar after %s days', coalesce(columnar_after_days, 0)),
					  CASE WHEN cold_tablespace IS NOT NULL
						   THEN format('tablespace %s after %s days', cold_tablespace, cold_after_days) END));
END
$$;

/* Remove the storage policy of a template (target_schema NULL) or of one schema */
CREATE FUNCTION _wh.remove_storage_policy(template_name text, target_schema text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	PERFORM _wh.check_name(template_name, 'template');
	DELETE FROM _wh.storage_policies sp
	 WHERE sp.template_name = remove_storage_policy.template_name
	   AND sp.schema_name = coalesce(target_schema, '*');
	IF NOT FOUND THEN
		RAISE EXCEPTION 'template "%" has no storage policy for %', template_name,
			CASE WHEN target_schema IS NULL THEN 'every schema' ELSE format('schema "%s"', target_schema) END
			USING ERRCODE = 'undefined_object',
				  HINT = 'SELECT * FROM _wh.storage_policies lists them.';
	END IF;
END
$$;

/*
 * Return the pieces a storage policy wants changed now, and how: 'drop' or
 * 'detach' (older than drop_after_days), else 'columnar' (a heap piece
 * older than columnar_after_days, default 0), else 'move' (older than
 * cold_after_days and not in cold_tablespace, named in tablespace).
 * Oldest day first.
 */
CREATE FUNCTION _wh.storage_actions()
RETURNS TABLE (template_name text, schema_name text, tenant_name text, day date, relname text,
			   access_method text, action text, drop_after_days integer, tablespace text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	WITH d AS (SELECT _wh.today() AS today, _wh.default_tablespace() AS def)
	SELECT p.template_name, p.schema_name, p.tenant_name, p.day, p.relname, a.amname::text, x.action,
		   pol.drop_after_days, CASE WHEN x.action = 'move' THEN coalesce(pol.cold_tablespace, d.def) END
	  FROM d, _wh.pieces p
	  JOIN pg_namespace n ON n.nspname = p.schema_name
	  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.relname
	  JOIN pg_am a ON a.oid = c.relam
	  LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
	  LEFT JOIN LATERAL (SELECT sp.* FROM _wh.storage_policies sp
						  WHERE sp.template_name = p.template_name AND sp.schema_name IN (p.schema_name, '*')
						  ORDER BY sp.schema_name = '*' LIMIT 1) pol ON true
	 CROSS JOIN LATERAL (SELECT CASE
			WHEN d.today - p.day > pol.drop_after_days THEN CASE WHEN pol.detach THEN 'detach' ELSE 'drop' END
			WHEN a.amname = 'heap' AND d.today - p.day > coalesce(pol.columnar_after_days, 0) THEN 'columnar'
			WHEN d.today - p.day > pol.cold_after_days
				 AND nullif(ts.spcname::text, d.def) IS DISTINCT FROM nullif(pol.cold_tablespace, d.def) THEN 'move'
		END AS action) x
	 WHERE x.action IS NOT NULL
	 ORDER BY p.day, p.template_name, p.schema_name
$$;

/*
 * Do the next storage step of a dispatcher run: one piece of
 * _wh.storage_actions not yet tried in this run.  Returns false when there
 * is none.  A failure is logged (and retried at the next run), never
 * raised.
 */
CREATE FUNCTION _wh.storage_step(run bigint)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	a		record;
	r		record;
	kind	text;
	started	timestamptz := clock_timestamp();
	target	text;
	st		text;
	msg		text;
BEGIN
	SELECT * INTO a FROM _wh.storage_actions() sa
	 WHERE NOT EXISTS (SELECT 1 FROM _wh.run_log l
						WHERE l.id > run AND l.kind IN ('retention', 'close', 'tiering')
						  AND l.status IN ('failed', 'skipped') AND l.template_name = sa.template_name
						  AND l.schema_name = sa.schema_name AND l.day = sa.day)
	 LIMIT 1;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	kind := CASE a.action WHEN 'columnar' THEN 'close' WHEN 'move' THEN 'tiering' ELSE 'retention' END;
	BEGIN
		IF a.action IN ('drop', 'detach') THEN
			IF NOT pg_try_advisory_xact_lock(_wh.day_lock_key(a.template_name, a.schema_name, a.day)) THEN
				PERFORM _wh.log_step(kind, a.template_name, a.tenant_name, a.schema_name, a.day, started,
									 'skipped', NULL, 'the day is being loaded: left for the next run');
				RETURN true;
			END IF;
			PERFORM _wh.check_tenant_schema(a.schema_name);
			PERFORM _wh.check_owned(format('%I.%I', a.schema_name, a.relname)::regclass, 'daily piece');
			PERFORM _wh.with_lock_retries(ARRAY[CASE a.action
				WHEN 'drop' THEN format('DROP TABLE %I.%I', a.schema_name, a.relname)
				ELSE format('ALTER TABLE %I.%I DETACH PARTITION %I.%I', a.schema_name, a.template_name,
							a.schema_name, a.relname) END]
				-- the day's rollup rows leave their month leaves in both cases
				|| _wh.rollup_drop_statements(a.template_name, a.schema_name, a.day),
				format('%s day %s', a.action, a.day));
			DELETE FROM _wh.pieces p
			 WHERE p.template_name = a.template_name AND p.schema_name = a.schema_name AND p.day = a.day;
			UPDATE _wh.units u SET days = u.days - datemultirange(daterange(a.day, a.day, '[]'))
			 WHERE u.template_name = a.template_name AND u.schema_name = a.schema_name;
			PERFORM _wh.log_step(kind, a.template_name, a.tenant_name, a.schema_name, a.day, started, 'succeeded', NULL,
								 CASE a.action WHEN 'drop' THEN format('retention: dropped (older than %s days)', a.drop_after_days)
								 ELSE format('retention: detached (older than %s days), kept as table %I.%I',
											 a.drop_after_days, a.schema_name, a.relname) END);
		ELSE
			target := _wh.piece_tablespace(a.template_name, a.schema_name, a.day);
			r := _wh.rewrite_piece(a.template_name, a.schema_name, a.day,
								   CASE a.action WHEN 'columnar' THEN 'columnar' ELSE a.access_method END, target);
			IF r.status = 'busy' THEN
				PERFORM _wh.log_step(kind, a.template_name, a.tenant_name, a.schema_name, a.day, started,
									 'skipped', NULL, 'the day is being loaded: left for the next run');
			ELSIF r.status = 'rewritten' THEN
				PERFORM _wh.log_step(kind, a.template_name, a.tenant_name, a.schema_name, a.day, started, 'succeeded', NULL,
									 CASE a.action WHEN 'columnar' THEN 'closed: converted from heap to columnar'
									 ELSE 'tiering: moved to tablespace ' || coalesce(target, _wh.default_tablespace()) END
									 || CASE WHEN a.action = 'columnar' AND target IS NOT NULL
											 THEN ' in tablespace ' || target ELSE '' END,
									 r.rows, r.bytes);
			END IF;
		END IF;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
		PERFORM _wh.log_step(kind, a.template_name, a.tenant_name, a.schema_name, a.day, started, 'failed', st,
							 CASE a.action WHEN 'columnar' THEN 'could not convert to columnar: ' || msg
							 WHEN 'move' THEN format('could not move to tablespace %s: %s', a.tablespace, msg)
							 ELSE msg END);
	END;
	RETURN true;
END
$$;

/*
 * Delete the rows of _wh.run_log, and of cron.job_run_details for biwh's
 * jobs of this database, older than setting log_retention (default 30
 * days); logs a "purge" row when it deleted any.  Returns a summary.
 */
CREATE FUNCTION _wh.purge_logs()
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	keep		interval := _wh.setting('log_retention')::interval;
	started		timestamptz := clock_timestamp();
	n			bigint;
	m			bigint;
	loc			record;
	summary		text;
BEGIN
	DELETE FROM _wh.run_log r WHERE r.started_at < now() - keep AND r.status <> 'running';
	GET DIAGNOSTICS n = ROW_COUNT;
	BEGIN
		loc := _wh.cron_location();
		SELECT count(*) INTO m FROM _wh.cron_query(loc.database, format(
			'DELETE FROM cron.job_run_details r USING cron.job j WHERE r.jobid OPERATOR(pg_catalog.=) j.jobid'
			' AND j.database OPERATOR(pg_catalog.=) %L AND j.username OPERATOR(pg_catalog.=) %L'
			' AND pg_catalog.left(j.jobname, %s) OPERATOR(pg_catalog.=) %L'
			' AND r.start_time OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) %L::pg_catalog.interval)'
			' RETURNING r.runid',
			current_database(), pg_get_userbyid(_wh.owner())::text,
			length(_wh.job_prefix()) + 1, _wh.job_prefix() || ':', keep::text));
	EXCEPTION WHEN OTHERS THEN
		m := NULL;
	END;
	summary := format('purged %s run log rows and %s pg_cron run details older than %s',
					  n, coalesce(m::text, 'no'), _wh.setting('log_retention'));
	IF n + coalesce(m, 0) > 0 THEN
		INSERT INTO _wh.run_log (unit, kind, started_at, finished_at, status, message, rows)
		VALUES ('purge', 'purge', started, clock_timestamp(), 'succeeded', summary, n + coalesce(m, 0));
	END IF;
	RETURN summary;
END
$$;

/* Nothing here runs for PUBLIC */
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA _wh FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA _wh FROM PUBLIC;
