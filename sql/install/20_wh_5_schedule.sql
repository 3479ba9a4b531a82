/*
 * 20_wh_5_schedule.sql: pg_cron schedules and the dispatcher
 *
 * A schedule is a row of _wh.refresh_schedules: a template for one schema
 * (fed by one tenant) or for every schema of the template ('*'), daily (at
 * a time of day in the warehouse time zone: load the days since the last
 * closed one, yesterday included, as final columnar pieces, and today) or
 * hourly (reload today, every hour or every N minutes).  Each row has one
 * pg_cron job, named biwh:<template>:<schema or *>:<daily|hourly> (or
 * biwh@<database>:... when pg_cron lives in another database), whose
 * command is always the same call, CALL _wh.run_due_refreshes(): no
 * credentials, no template SQL, nothing an admin wrote.
 *
 * Time zones.  Debian's pg_cron 1.4 reads its schedules in GMT, and a
 * local time maps to GMT hours that change with daylight saving time (and
 * with the warehouse's "timezone" setting), so no fixed cron expression
 * can say "02:00 in Europe/Paris".  The jobs are therefore only the clock:
 * every job ticks at least hourly, at the GMT minute(s) where the local
 * minute of the schedule falls, and the dispatcher decides in the
 * warehouse time zone what is due.  A unit is due when the latest slot of
 * its schedule (the last local 02:00 that has passed, the last full hour
 * plus the minute) is later than the slot it last completed; so a run
 * missed (server down, run-time bound, failure) is caught up at the next
 * tick, a DST change needs no rescheduling, and a new schedule brings its
 * unit up to date at the next tick.  Slots are absolute times
 * (timestamptz), local times read as PostgreSQL reads them: one that does
 * not exist (spring forward) is an hour later by the clock, a repeated one
 * (fall back) counts once.
 *
 * The dispatcher.  CALL _wh.run_due_refreshes() is a procedure, so it can
 * commit after every unit; procedures that commit can neither be SECURITY
 * DEFINER nor have SET clauses, so its body only calls _wh functions by
 * their qualified names with arguments of their exact types (no operator,
 * nothing resolved through the session's search_path): it runs in pg_cron
 * as the jobs' owner, the extension owner.  A session advisory lock makes
 * a second run skip (logged); each unit runs in a subtransaction (one
 * tenant's failure is logged with its SQLSTATE and sanitized message and
 * the others go on) and is retried at the next run; no unit starts after
 * max_run_time (setting); then storage steps (20_wh_6_storage.sql) and the
 * purge of old logs.
 *
 * pg_cron's place.  pg_cron keeps its jobs in one database
 * (cron.database_name).  If that is this one, biwh calls pg_cron there
 * directly; if it is another database of the cluster, biwh reaches it
 * through a dblink loopback connection as the extension owner (like the
 * run log's) and uses cron.schedule_in_database; if pg_cron is not
 * preloaded or not installed, the scheduling functions say so and how to
 * fix it.  Every statement biwh sends to pg_cron's database names its
 * functions and operators with their schema (its search_path is that
 * database's); schema cron must be a superuser's, closed to others.
 */

/* The schedules (dumped with the configuration; see _wh.reschedule_all) */
CREATE TABLE _wh.refresh_schedules (
	template_name	text NOT NULL,
	schema_name		text NOT NULL,
	tenant_name		text,
	kind			text NOT NULL CHECK (kind IN ('daily', 'hourly')),
	at_time			time,
	every_minutes	integer,
	at_minute		integer,
	created_at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (template_name, schema_name, kind),
	CHECK ((schema_name = '*') = (tenant_name IS NULL)),
	CHECK (kind <> 'daily' OR at_time IS NOT NULL),
	CHECK (kind <> 'hourly' OR (every_minutes IS NOT NULL AND at_minute IS NOT NULL))
);
COMMENT ON TABLE _wh.refresh_schedules IS 'pg_cron schedules: template, schema (''*'': every schema of the template), tenant, daily at a local time or hourly every N minutes';
SELECT pg_catalog.pg_extension_config_dump('_wh.refresh_schedules', '');

/* What each scheduled unit last did (state, not configuration: not dumped) */
CREATE TABLE _wh.schedule_state (
	template_name	text NOT NULL,
	schema_name		text NOT NULL,
	kind			text NOT NULL,
	done_slot		timestamptz,
	last_run		bigint,
	last_started	timestamptz,
	last_finished	timestamptz,
	last_status		text,
	last_sqlstate	text,
	last_message	text,
	failures		integer NOT NULL DEFAULT 0,
	PRIMARY KEY (template_name, schema_name, kind)
);
COMMENT ON TABLE _wh.schedule_state IS 'per scheduled unit: the last slot completed, the last attempt and its outcome, consecutive failures';

/* The command of every biwh job: one procedure call, always the same */
CREATE FUNCTION _wh.cron_command()
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT 'CALL _wh.run_due_refreshes()'::text
$$;

/*
 * Return the prefix of biwh's pg_cron job names for this database: "biwh"
 * when pg_cron keeps its jobs here, else "biwh@<database>" (pg_cron names
 * jobs per owner across databases).  SECURITY DEFINER: only superusers may
 * read cron.database_name.
 */
CREATE FUNCTION _wh.job_prefix()
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT 'biwh' || CASE WHEN coalesce(current_setting('cron.database_name', true), 'postgres') = current_database()
						  THEN '' ELSE '@' || current_database() END
$$;

/* Return the pg_cron job name of a schedule: biwh:<template>:<schema>:<kind> */
CREATE FUNCTION _wh.job_name(template_name text, schema_name text, kind text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('%s:%s:%s:%s', _wh.job_prefix(), template_name, schema_name, kind)
$$;

/*
 * Return the pg_cron expression (GMT) of a schedule: daily schedules tick
 * every hour at the GMT minute of their local minute, hourly ones at the
 * GMT minutes of each local slot (see the banner).  The zone's offset is
 * taken now: in the rare zones whose offset changes by a fraction of an
 * hour, the ticks are then late by that fraction for part of the year.
 */
CREATE FUNCTION _wh.cron_expression(kind text, at_time time, every_minutes integer, at_minute integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH z AS (
		SELECT (extract(epoch FROM (_wh.now() AT TIME ZONE _wh.setting('timezone'))
								  - (_wh.now() AT TIME ZONE 'UTC')) / 60)::integer AS off
	)
	SELECT CASE
		WHEN kind = 'daily' THEN
			format('%s * * * *', (((extract(minute FROM at_time)::integer - z.off) % 60) + 60) % 60)
		WHEN every_minutes = 1 THEN '* * * * *'
		ELSE (SELECT string_agg(m::text, ',' ORDER BY m) || ' * * * *'
				FROM (SELECT DISTINCT ((((at_minute + k * every_minutes - z.off) % 60) + 60) % 60) AS m
						FROM generate_series(0, 60 / every_minutes - 1) k) ms)
		END
	  FROM z
$$;

/*
 * Return the latest slot of a schedule at or before the moment "at": for
 * a daily one the last local at_time that has passed, for an hourly one
 * the last local minute at_minute + k * every_minutes.  Absolute times, so
 * DST gaps and repeats count once.
 */
CREATE FUNCTION _wh.latest_slot(kind text, at_time time, every_minutes integer, at_minute integer,
								at timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH z AS (SELECT _wh.setting('timezone') AS tz)
	SELECT CASE kind
		WHEN 'daily' THEN
			(SELECT max(s.slot) FROM (
				SELECT ((((at AT TIME ZONE z.tz)::date + k) + at_time) AT TIME ZONE z.tz) AS slot
				  FROM generate_series(-2, 0) k) s
			  WHERE s.slot <= at)
		ELSE
			date_trunc('minute', at)
			- make_interval(mins => ((((extract(minute FROM at AT TIME ZONE z.tz)::integer - at_minute)
									   % every_minutes) + every_minutes) % every_minutes))
		END
	  FROM z
$$;

/*
 * Return the scheduled units and their latest slot at the moment "at":
 * every unit of a template scheduled for '*' (unless the schema has a
 * schedule of the same kind of its own) and every schema scheduled by
 * name; due when that slot is later than the slot the unit completed.
 * Daily units first, oldest slot first.
 */
CREATE FUNCTION _wh.scheduled_units(at timestamptz)
RETURNS TABLE (template_name text, schema_name text, tenant_name text, kind text,
			   slot timestamptz, due boolean, jobname text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	WITH targets AS (
		SELECT s.template_name, s.schema_name AS scheduled_as, u.schema_name, u.tenant_name, s.kind,
			   s.at_time, s.every_minutes, s.at_minute
		  FROM _wh.refresh_schedules s
		  JOIN _wh.units u ON u.template_name = s.template_name
		 WHERE s.schema_name = '*'
		   AND NOT EXISTS (SELECT 1 FROM _wh.refresh_schedules o
							WHERE o.template_name = s.template_name AND o.schema_name = u.schema_name
							  AND o.kind = s.kind)
		UNION ALL
		SELECT s.template_name, s.schema_name, s.schema_name, s.tenant_name, s.kind,
			   s.at_time, s.every_minutes, s.at_minute
		  FROM _wh.refresh_schedules s
		 WHERE s.schema_name <> '*'
	)
	SELECT t.template_name, t.schema_name, t.tenant_name, t.kind, x.slot,
		   st.done_slot IS NULL OR st.done_slot < x.slot,
		   _wh.job_name(t.template_name, t.scheduled_as, t.kind)
	  FROM targets t
	 CROSS JOIN LATERAL (SELECT _wh.latest_slot(t.kind, t.at_time, t.every_minutes, t.at_minute, at) AS slot) x
	  LEFT JOIN _wh.schedule_state st
		ON st.template_name = t.template_name AND st.schema_name = t.schema_name AND st.kind = t.kind
	 ORDER BY x.slot, t.kind, t.template_name, t.schema_name
$$;

/*
 * Find where pg_cron keeps its jobs, or raise a clear error saying why it
 * cannot be used and how to fix it: not preloaded, not installed (here or
 * in cron.database_name), too old, or its schema open to others.  local
 * is true when that database is this one.  job_sql, when given, is the
 * call to run in pg_cron's database by hand if biwh cannot connect there.
 */
CREATE FUNCTION _wh.cron_location(job_sql text DEFAULT NULL, OUT database text, OUT local boolean)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	ext		record;
BEGIN
	IF current_setting('shared_preload_libraries') !~ '(^|,)\s*"?(\$libdir/)?pg_cron"?\s*(,|$)' THEN
		RAISE EXCEPTION 'pg_cron is not loaded'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'pg_cron runs its jobs from a background worker that starts only when the server preloads it.',
				  HINT = format('Add pg_cron to shared_preload_libraries and set cron.database_name = %L in postgresql.conf, restart the server, then run CREATE EXTENSION pg_cron in database %s (package postgresql-15-cron).',
								current_database(), current_database());
	END IF;
	database := coalesce(current_setting('cron.database_name', true), 'postgres');
	local := database = current_database();
	IF local THEN
		SELECT e.extversion, n.nspname, _wh.is_superuser(n.nspowner) AS trusted_owner,
			   (SELECT a.grantee FROM aclexplode(n.nspacl) a
				 WHERE a.privilege_type = 'CREATE' AND (a.grantee = 0 OR NOT _wh.is_superuser(a.grantee)) LIMIT 1) AS creator
		  INTO ext
		  FROM pg_extension e LEFT JOIN pg_namespace n ON n.nspname = 'cron'
		 WHERE e.extname = 'pg_cron';
	ELSE
		BEGIN
			SELECT (j ->> 'extversion') AS extversion, (j ->> 'nspname') AS nspname,
				   (j ->> 'trusted_owner')::boolean AS trusted_owner, (j ->> 'creator')::oid AS creator
			  INTO ext
			  FROM _wh.cron_query(database,
					'SELECT e.extversion, n.nspname, (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) n.nspowner) AS trusted_owner,'
					' (SELECT a.grantee FROM pg_catalog.aclexplode(n.nspacl) a JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee'
					'   WHERE a.privilege_type OPERATOR(pg_catalog.=) ''CREATE'' AND NOT r.rolsuper LIMIT 1) AS creator'
					' FROM pg_catalog.pg_extension e LEFT JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) ''cron'''
					' WHERE e.extname OPERATOR(pg_catalog.=) ''pg_cron''') j;
		EXCEPTION WHEN sqlclient_unable_to_establish_sqlconnection OR connection_exception THEN
			RAISE EXCEPTION 'could not connect to database "%", where pg_cron keeps its jobs', database
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = format('cron.database_name is "%s", not "%s"; biwh connects there as the extension owner over the local socket, or with _wh.settings "log_conninfo": %s',
									  database, current_database(), _wh.sanitize(SQLERRM)),
					  HINT = format('Allow that connection in pg_hba.conf, or schedule from database %s yourself: %s',
									database, coalesce(job_sql, format('SELECT cron.schedule_in_database(''biwh:<template>:<schema>:daily'', ''0 * * * *'', %L, %L);',
																		_wh.cron_command(), current_database())));
		END;
	END IF;
	IF ext.extversion IS NULL THEN
		RAISE EXCEPTION 'extension "pg_cron" is not installed in database "%"', database
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = CASE WHEN local THEN 'pg_cron keeps its jobs in this database (cron.database_name).'
							ELSE format('pg_cron keeps its jobs in database "%s" (cron.database_name), not in "%s".', database, current_database()) END,
				  HINT = CASE WHEN local THEN 'Run CREATE EXTENSION pg_cron as a superuser.'
							ELSE format('Run CREATE EXTENSION pg_cron as a superuser in database %s, or set cron.database_name = %L and restart the server.',
										database, current_database()) END;
	END IF;
	IF ext.nspname IS NULL
	   OR coalesce((regexp_match(ext.extversion, '^(\d+)\.(\d+)'))[1:2]::integer[] < ARRAY[1, 4], true) THEN
		RAISE EXCEPTION 'pg_cron % cannot be used', ext.extversion
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'biwh needs pg_cron 1.4 or later in schema cron: run ALTER EXTENSION pg_cron UPDATE.';
	END IF;
	IF NOT ext.trusted_owner OR ext.creator IS NOT NULL THEN
		RAISE EXCEPTION 'schema "cron" of database "%" is not a superuser''s alone', database
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'biwh calls pg_cron as the extension owner: others must not be able to put objects in schema cron.',
				  HINT = 'Make a superuser own schema cron and revoke CREATE on it from other roles.';
	END IF;
END
$$;

/*
 * Run a query in pg_cron's database and return its rows as jsonb: here
 * (EXECUTE), or through a dblink loopback connection as the extension
 * owner (_wh.loopback_conninfo).  The queries are biwh's own, with every
 * function and operator named with its schema; a DELETE ... RETURNING is
 * a query too (it runs as a WITH clause).
 */
CREATE FUNCTION _wh.cron_query(database text, query text)
RETURNS SETOF jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	conname	text := 'biwh_cron';
BEGIN
	IF database = current_database() THEN
		RETURN QUERY EXECUTE format('WITH q AS (%s) SELECT pg_catalog.to_jsonb(q) FROM q', query);
		RETURN;
	END IF;
	BEGIN
		PERFORM _wh.dblink_close(conname);
		PERFORM public.dblink_connect(conname, _wh.loopback_conninfo(database, 'biwh scheduler'));
		RETURN QUERY
			SELECT r.j::jsonb FROM public.dblink(conname,
				format('WITH q AS (%s) SELECT pg_catalog.to_jsonb(q)::pg_catalog.text FROM q', query)) AS r(j text);
		PERFORM _wh.dblink_close(conname);
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		PERFORM _wh.dblink_close(conname);
		RAISE;
	END;
END
$$;

/*
 * Return biwh's pg_cron jobs for this database (named with
 * _wh.job_prefix(), owned by the extension owner), with their last run and the runs of the last 24
 * hours; no rows when pg_cron cannot be used.  Only these jobs: other
 * jobs' commands may hold anything.
 */
CREATE FUNCTION _wh.cron_jobs()
RETURNS TABLE (jobid bigint, jobname text, schedule text, command text, active boolean,
			   last_status text, last_start timestamptz, last_end timestamptz, last_message text,
			   runs_24h bigint, failed_24h bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	loc		record;
BEGIN
	BEGIN
		loc := _wh.cron_location();
	EXCEPTION WHEN OTHERS THEN
		RETURN;
	END;
	RETURN QUERY
		SELECT (j ->> 'jobid')::bigint, j ->> 'jobname', j ->> 'schedule', j ->> 'command',
			   (j ->> 'active')::boolean, j ->> 'status', (j ->> 'start_time')::timestamptz,
			   (j ->> 'end_time')::timestamptz, _wh.sanitize(j ->> 'return_message'),
			   (j ->> 'runs')::bigint, (j ->> 'failed')::bigint
		  FROM _wh.cron_query(loc.database, format(
			'SELECT j.jobid, j.jobname, j.schedule, j.command, j.active, l.status, l.start_time, l.end_time,'
			' l.return_message, d.runs, d.failed'
			' FROM cron.job j'
			' LEFT JOIN LATERAL (SELECT r.status, r.start_time, r.end_time, r.return_message FROM cron.job_run_details r'
			'   WHERE r.jobid OPERATOR(pg_catalog.=) j.jobid ORDER BY r.runid DESC LIMIT 1) l ON true'
			' LEFT JOIN LATERAL (SELECT pg_catalog.count(*) AS runs,'
			'   pg_catalog.count(*) FILTER (WHERE r.status OPERATOR(pg_catalog.<>) ''succeeded'') AS failed'
			'   FROM cron.job_run_details r WHERE r.jobid OPERATOR(pg_catalog.=) j.jobid'
			'   AND r.start_time OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) ''24 hours''::pg_catalog.interval)) d ON true'
			' WHERE j.database OPERATOR(pg_catalog.=) %L AND j.username OPERATOR(pg_catalog.=) %L'
			' AND pg_catalog.left(j.jobname, %s) OPERATOR(pg_catalog.=) %L',
			current_database(), pg_get_userbyid(_wh.owner())::text,
			length(_wh.job_prefix()) + 1, _wh.job_prefix() || ':')) j
		 ORDER BY 2;
END
$$;

/*
 * Create or update the pg_cron job of a schedule row, in pg_cron's
 * database (loc, from _wh.cron_location).  A job of the same name and
 * owner that runs in another database is refused (pg_cron would move it).
 */
CREATE FUNCTION _wh.cron_upsert(loc record, s _wh.refresh_schedules)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	jobname	text := _wh.job_name(s.template_name, s.schema_name, s.kind);
	expr	text := _wh.cron_expression(s.kind, s.at_time, s.every_minutes, s.at_minute);
	other	text;
BEGIN
	SELECT j ->> 'database' INTO other
	  FROM _wh.cron_query(loc.database, format(
		'SELECT j.database FROM cron.job j WHERE j.jobname OPERATOR(pg_catalog.=) %L'
		' AND j.username OPERATOR(pg_catalog.=) %L AND j.database OPERATOR(pg_catalog.<>) %L',
		jobname, pg_get_userbyid(_wh.owner())::text, current_database())) j;
	IF other IS NOT NULL THEN
		RAISE EXCEPTION 'pg_cron job "%" runs in database "%"', jobname, other
			USING ERRCODE = 'duplicate_object',
				  DETAIL = 'pg_cron names jobs per owner: another warehouse database of this cluster has the same schedule.',
				  HINT = format('Remove it there first (SELECT _wh.unschedule(...) in database %s), or use another target schema.', other);
	END IF;
	RETURN (SELECT (j ->> 'jobid')::bigint
			  FROM _wh.cron_query(loc.database, format(
				'SELECT cron.schedule_in_database(%L::pg_catalog.text, %L::pg_catalog.text, %L::pg_catalog.text, %L::pg_catalog.text) AS jobid',
				jobname, expr, _wh.cron_command(), current_database())) j);
END
$$;

/* Remove biwh's pg_cron job of a name for this database, if it exists */
CREATE FUNCTION _wh.cron_remove(loc record, jobname text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	PERFORM FROM _wh.cron_query(loc.database, format(
		'SELECT cron.unschedule(j.jobid) AS removed FROM cron.job j WHERE j.jobname OPERATOR(pg_catalog.=) %L'
		' AND j.username OPERATOR(pg_catalog.=) %L AND j.database OPERATOR(pg_catalog.=) %L',
		jobname, pg_get_userbyid(_wh.owner())::text, current_database()));
END
$$;

/*
 * Resolve the target of a schedule: (tenant, schema) for one unit, or
 * (NULL, '*') for every schema of the template when both are NULL.  A
 * tenant without a schema names the one schema it feeds for the template;
 * a schema without a tenant, the tenant feeding it.
 */
CREATE FUNCTION _wh.schedule_target(template_name text, tenant_name text, target_schema text,
									OUT tenant text, OUT schema_name text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	n		integer;
	feeder	text;
BEGIN
	IF tenant_name IS NULL AND target_schema IS NULL THEN
		schema_name := '*';
		RETURN;
	END IF;
	IF target_schema IS NULL THEN
		PERFORM _wh.check_tenant(tenant_name);
		SELECT count(*), min(u.schema_name) INTO n, schema_name FROM _wh.units u
		 WHERE u.template_name = schedule_target.template_name AND u.tenant_name = schedule_target.tenant_name;
		IF n = 0 THEN
			RAISE EXCEPTION 'tenant "%" has no schema of template "%" yet', tenant_name, template_name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Name the target schema too.';
		ELSIF n > 1 THEN
			RAISE EXCEPTION 'tenant "%" feeds % schemas with template "%"', tenant_name, n, template_name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Name the target schema too.';
		END IF;
		tenant := tenant_name;
		RETURN;
	END IF;
	PERFORM _wh.check_schema_name(target_schema);
	schema_name := target_schema;
	SELECT u.tenant_name INTO feeder FROM _wh.units u
	 WHERE u.template_name = schedule_target.template_name AND u.schema_name = target_schema;
	IF tenant_name IS NULL THEN
		IF feeder IS NULL THEN
			RAISE EXCEPTION 'schema "%" has no day of template "%"', target_schema, template_name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Name the tenant that feeds it too.';
		END IF;
		tenant := feeder;
		RETURN;
	END IF;
	PERFORM _wh.check_tenant(tenant_name);
	PERFORM _wh.check_feeder(template_name, target_schema, tenant_name);
	PERFORM _wh.check_tenant_schema(target_schema);
	tenant := tenant_name;
END
$$;

/*
 * Add or replace a schedule row and its pg_cron job (nothing changes when
 * pg_cron cannot be used).  Returns the job name.
 */
CREATE FUNCTION _wh.add_schedule(s _wh.refresh_schedules)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	jobname	text := _wh.job_name(s.template_name, s.schema_name, s.kind);
	loc		record;
BEGIN
	loc := _wh.cron_location(format('SELECT cron.schedule_in_database(%L, %L, %L, %L);', jobname,
									_wh.cron_expression(s.kind, s.at_time, s.every_minutes, s.at_minute),
									_wh.cron_command(), current_database()));
	INSERT INTO _wh.refresh_schedules AS r
	VALUES (s.template_name, s.schema_name, s.tenant_name, s.kind, s.at_time, s.every_minutes, s.at_minute, _wh.now())
	ON CONFLICT (template_name, schema_name, kind) DO UPDATE
		SET tenant_name = EXCLUDED.tenant_name, at_time = EXCLUDED.at_time,
			every_minutes = EXCLUDED.every_minutes, at_minute = EXCLUDED.at_minute;
	PERFORM _wh.cron_upsert(loc, s);
	RETURN jobname;
END
$$;

/*
 * Schedule the daily run of a template for one tenant's schema, or for
 * every schema of the template when tenant and schema are NULL: at at_time
 * in the warehouse time zone, load the days since the newest one loaded
 * (up to 7 days back, yesterday always) as final pieces, and today.
 * Returns the pg_cron job name.
 */
CREATE FUNCTION _wh.schedule_daily(template_name text, tenant_connection_name text DEFAULT NULL,
								   target_schema text DEFAULT NULL, at_time time DEFAULT '01:00')
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	t		_wh.mv_templates := _wh.get_template(template_name);
	target	record := _wh.schedule_target(template_name, tenant_connection_name, target_schema);
BEGIN
	IF at_time IS NULL OR at_time <> date_trunc('minute', at_time)::time OR at_time >= '24:00' THEN
		RAISE EXCEPTION 'invalid daily time "%"', coalesce(at_time::text, 'null')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a time of day in whole minutes, such as 02:00, in the warehouse time zone (setting "timezone").';
	END IF;
	RETURN _wh.add_schedule(ROW(t.template_name, target.schema_name, target.tenant, 'daily',
								at_time, NULL, NULL, NULL)::_wh.refresh_schedules);
END
$$;

/*
 * Schedule the reload of today for one tenant's schema, or for every
 * schema of the template when tenant and schema are NULL: every
 * every_minutes minutes (60, or a divisor of 60), from the local minute
 * at_minute of each hour.  Returns the pg_cron job name.
 */
CREATE FUNCTION _wh.schedule_hourly(template_name text, tenant_connection_name text DEFAULT NULL,
									target_schema text DEFAULT NULL, every_minutes integer DEFAULT 60,
									at_minute integer DEFAULT 0)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	t		_wh.mv_templates := _wh.get_template(template_name);
	target	record := _wh.schedule_target(template_name, tenant_connection_name, target_schema);
BEGIN
	IF every_minutes IS NULL OR every_minutes NOT IN (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60) THEN
		RAISE EXCEPTION 'invalid refresh interval of % minutes', coalesce(every_minutes::text, 'null')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give 60 (every hour) or a divisor of 60: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30.';
	END IF;
	IF at_minute IS NULL OR at_minute < 0 OR at_minute > 59 THEN
		RAISE EXCEPTION 'invalid minute %', coalesce(at_minute::text, 'null')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the minute of the hour of the first reload, 0 to 59.';
	END IF;
	RETURN _wh.add_schedule(ROW(t.template_name, target.schema_name, target.tenant, 'hourly',
								NULL, every_minutes, at_minute % every_minutes, NULL)::_wh.refresh_schedules);
END
$$;

/*
 * Remove schedules of a template: one schema's (by tenant or schema), or
 * the template-wide one ('*') when both are NULL; kind 'daily', 'hourly'
 * or NULL (both).  Their pg_cron jobs go too (if pg_cron cannot be reached,
 * a warning says so and the rows are removed anyway).  Returns how many.
 */
CREATE FUNCTION _wh.unschedule(template_name text, tenant_connection_name text DEFAULT NULL,
							   target_schema text DEFAULT NULL, kind text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	target	text;
	gone	_wh.refresh_schedules;
	loc		record;
	reached	boolean := true;
	n		integer := 0;
BEGIN
	PERFORM _wh.check_name(template_name, 'template');
	IF kind IS NOT NULL AND kind NOT IN ('daily', 'hourly') THEN
		RAISE EXCEPTION 'invalid schedule kind "%"', left(kind, 80)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give daily, hourly, or NULL for both.';
	END IF;
	IF tenant_connection_name IS NOT NULL THEN
		PERFORM _wh.check_name(tenant_connection_name, 'tenant');
	END IF;
	target := coalesce(target_schema, CASE WHEN tenant_connection_name IS NULL THEN '*' END);
	IF target IS NOT NULL AND target <> '*' THEN
		PERFORM _wh.check_schema_name(target);
	END IF;
	IF NOT EXISTS (SELECT 1 FROM _wh.refresh_schedules s
					WHERE s.template_name = unschedule.template_name
					  AND (unschedule.kind IS NULL OR s.kind = unschedule.kind)
					  AND (target IS NULL OR s.schema_name = target)
					  AND (unschedule.tenant_connection_name IS NULL OR s.tenant_name = unschedule.tenant_connection_name)) THEN
		RAISE EXCEPTION 'template "%" has no such schedule', template_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'SELECT * FROM _wh.schedules lists them.';
	END IF;
	BEGIN
		loc := _wh.cron_location();
	EXCEPTION WHEN OTHERS THEN
		reached := false;
		RAISE WARNING 'pg_cron cannot be reached: %', SQLERRM
			USING HINT = 'Remove the jobs named biwh:... by hand where pg_cron keeps them (SELECT cron.unschedule(jobid) ...).';
	END;
	FOR gone IN DELETE FROM _wh.refresh_schedules s
				 WHERE s.template_name = unschedule.template_name
				   AND (unschedule.kind IS NULL OR s.kind = unschedule.kind)
				   AND (target IS NULL OR s.schema_name = target)
				   AND (unschedule.tenant_connection_name IS NULL OR s.tenant_name = unschedule.tenant_connection_name)
				RETURNING s.*
	LOOP
		n := n + 1;
		IF reached THEN
			PERFORM _wh.cron_remove(loc, _wh.job_name(gone.template_name, gone.schema_name, gone.kind));
		END IF;
	END LOOP;
	-- forget the state of units no longer scheduled
	DELETE FROM _wh.schedule_state st
	 WHERE NOT EXISTS (SELECT 1 FROM _wh.scheduled_units(_wh.now()) su
						WHERE su.template_name = st.template_name AND su.schema_name = st.schema_name
						  AND su.kind = st.kind);
	RETURN n;
END
$$;

/*
 * Recreate the pg_cron job of every schedule row (after a restore, or a
 * change of time zone to one whose offset is not whole hours), and remove
 * biwh's jobs of this database that no row has.  Returns a summary.
 */
CREATE FUNCTION _wh.reschedule_all()
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	loc		record := _wh.cron_location();
	s		_wh.refresh_schedules;
	j		record;
	n		integer := 0;
	removed	integer := 0;
BEGIN
	FOR s IN SELECT * FROM _wh.refresh_schedules ORDER BY template_name, schema_name, kind
	LOOP
		PERFORM _wh.cron_upsert(loc, s);
		n := n + 1;
	END LOOP;
	FOR j IN SELECT cj.jobname FROM _wh.cron_jobs() cj
			  WHERE NOT EXISTS (SELECT 1 FROM _wh.refresh_schedules r
								 WHERE _wh.job_name(r.template_name, r.schema_name, r.kind) = cj.jobname)
	LOOP
		PERFORM _wh.cron_remove(loc, j.jobname);
		removed := removed + 1;
	END LOOP;
	RETURN format('%s jobs scheduled in database %s, %s removed', n, loc.database, removed);
END
$$;

/*
 * The schedules with their pg_cron jobs: the job name, its cron
 * expression (GMT) and whether pg_cron has it (job_exists false: run
 * _wh.reschedule_all()).
 */
CREATE VIEW _wh.schedules AS
SELECT s.template_name, s.schema_name, s.tenant_name, s.kind,
	   CASE s.kind WHEN 'daily' THEN format('daily at %s', to_char(s.at_time, 'HH24:MI'))
			WHEN 'hourly' THEN CASE WHEN s.every_minutes = 60 THEN format('every hour at minute %s', s.at_minute)
									ELSE format('every %s minutes from minute %s', s.every_minutes, s.at_minute) END
	   END AS runs,
	   _wh.setting('timezone') AS timezone,
	   _wh.job_name(s.template_name, s.schema_name, s.kind) AS jobname,
	   j.jobid, j.schedule AS cron_schedule, j.command, j.active,
	   j.jobid IS NOT NULL AS job_exists, s.created_at
  FROM _wh.refresh_schedules s
  LEFT JOIN _wh.cron_jobs() j ON j.jobname = _wh.job_name(s.template_name, s.schema_name, s.kind);
COMMENT ON VIEW _wh.schedules IS 'biwh schedules joined with their pg_cron jobs (cron expressions are in GMT; the dispatcher decides in the warehouse time zone)';

/* The advisory lock of the dispatcher: "biwh", "disp" */
CREATE FUNCTION _wh.dispatcher_lock(OUT key1 integer, OUT key2 integer)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT 1651078248, 1684632432
$$;

/*
 * Start a dispatcher run: take the dispatcher's session advisory lock, or
 * log a "skipped" row and return NULL when another run holds it.  A run
 * left "running" by an interrupted one is marked failed.  Returns the id
 * of the run's row in _wh.run_log.
 */
CREATE FUNCTION _wh.dispatch_begin()
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	k		record := _wh.dispatcher_lock();
	holder	integer;
	since	timestamptz;
	run		bigint;
BEGIN
	-- a run of this session that was canceled leaves its lock behind
	IF EXISTS (SELECT 1 FROM pg_locks l
				WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
				  AND l.classid = k.key1::oid AND l.objid = k.key2::oid AND l.objsubid = 2) THEN
		PERFORM pg_advisory_unlock(k.key1, k.key2);
	END IF;
	IF NOT pg_try_advisory_lock(k.key1, k.key2) THEN
		SELECT l.pid INTO holder FROM pg_locks l
		 WHERE l.locktype = 'advisory' AND l.granted
		   AND l.classid = k.key1::oid AND l.objid = k.key2::oid AND l.objsubid = 2;
		SELECT max(r.started_at) INTO since FROM _wh.run_log r
		 WHERE r.kind = 'dispatcher' AND r.status = 'running';
		INSERT INTO _wh.run_log (unit, kind, started_at, finished_at, status, message)
		VALUES ('dispatcher', 'dispatcher', clock_timestamp(), clock_timestamp(), 'skipped',
				format('skipped: another dispatcher run is going (process %s%s)', coalesce(holder::text, '?'),
					   CASE WHEN since IS NOT NULL THEN format(', started at %s', since) ELSE '' END));
		RETURN NULL;
	END IF;
	UPDATE _wh.run_log r SET status = 'failed', finished_at = coalesce(r.finished_at, clock_timestamp()),
							 message = 'interrupted before it finished'
	 WHERE r.kind = 'dispatcher' AND r.status = 'running';
	INSERT INTO _wh.run_log (unit, kind, started_at, status)
	VALUES ('dispatcher', 'dispatcher', clock_timestamp(), 'running')
	RETURNING id INTO run;
	RETURN run;
END
$$;

/*
 * Record the outcome of a scheduled unit in _wh.schedule_state: done_slot
 * moves to slot when it succeeded (NULL slot: left as it was), failures
 * counts the failures in a row.
 */
CREATE FUNCTION _wh.record_unit(template_name text, schema_name text, kind text, run bigint,
								slot timestamptz, started timestamptz, succeeded boolean,
								sqlstate text, message text)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	INSERT INTO _wh.schedule_state AS s (template_name, schema_name, kind, done_slot, last_run, last_started,
										 last_finished, last_status, last_sqlstate, last_message, failures)
	VALUES (template_name, schema_name, kind, CASE WHEN succeeded THEN slot END, run, started,
			clock_timestamp(), CASE WHEN succeeded THEN 'succeeded' ELSE 'failed' END, sqlstate,
			_wh.sanitize(message), CASE WHEN succeeded THEN 0 ELSE 1 END)
	ON CONFLICT ON CONSTRAINT schedule_state_pkey DO UPDATE
		SET done_slot = coalesce(EXCLUDED.done_slot, s.done_slot), last_run = EXCLUDED.last_run,
			last_started = EXCLUDED.last_started, last_finished = EXCLUDED.last_finished,
			last_status = EXCLUDED.last_status, last_sqlstate = EXCLUDED.last_sqlstate,
			last_message = EXCLUDED.last_message,
			failures = CASE WHEN EXCLUDED.failures = 0 THEN 0 ELSE s.failures + 1 END
$$;

/*
 * Return the units due at the warehouse's clock that a dispatcher run has
 * not tried yet, in the order it runs them
 */
CREATE FUNCTION _wh.pending_units(run bigint)
RETURNS TABLE (template_name text, schema_name text, tenant_name text, kind text, slot timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
	SELECT su.template_name, su.schema_name, su.tenant_name, su.kind, su.slot
	  FROM _wh.scheduled_units(_wh.now()) su
	  LEFT JOIN _wh.schedule_state s
		ON s.template_name = su.template_name AND s.schema_name = su.schema_name AND s.kind = su.kind
	 WHERE su.due AND s.last_run IS DISTINCT FROM run
	 ORDER BY su.slot, su.kind, su.template_name, su.schema_name
$$;

/*
 * Run one scheduled unit: a daily run loads the days since the newest one
 * loaded (at most 7 days back, never days the storage policy drops, and
 * yesterday always) as final pieces, then today; an hourly run reloads
 * today.  Each day is loaded with _wh.update_mv_by_template (which also
 * closes the unit's days) in a subtransaction, so one failed day does not
 * undo the others.  Records the outcome in _wh.schedule_state (the slot is
 * done only when every day loaded) and a row in _wh.run_log.
 */
CREATE FUNCTION _wh.run_unit(run bigint, u record)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	started	timestamptz := clock_timestamp();
	today	date := _wh.today();
	newest	date;
	keep	integer := (_wh.storage_policy(u.template_name, u.schema_name)).drop_after_days;
	days	date[];
	d		date;
	res		text;
	loaded	integer := 0;
	skipped	integer := 0;
	failed	integer := 0;
	nrows	bigint := 0;
	st		text;
	msg		text;
	det		text;
	first_st	text;
	first_msg	text;
BEGIN
	IF u.kind = 'daily' THEN
		SELECT max(p.day) INTO newest FROM _wh.pieces p
		 WHERE p.template_name = u.template_name AND p.schema_name = u.schema_name AND p.day < today;
		days := ARRAY(SELECT g::date FROM generate_series(today - 7, today - 1, interval '1 day') g
					   WHERE (g::date = today - 1 OR g::date > coalesce(newest, today)
							  OR EXISTS (SELECT 1 FROM _wh.pieces p
										  WHERE p.template_name = u.template_name AND p.schema_name = u.schema_name
											AND p.day = g::date AND NOT p.final))
						 AND (keep IS NULL OR today - g::date <= keep)
					   ORDER BY 1);
	END IF;
	days := days || today;
	FOREACH d IN ARRAY days
	LOOP
		BEGIN
			res := _wh.update_mv_by_template(u.template_name, u.tenant_name, u.schema_name, d);
			IF res LIKE 'loaded %' THEN
				loaded := loaded + 1;
				nrows := nrows + split_part(res, ' ', 2)::bigint;
			ELSE
				skipped := skipped + 1;
			END IF;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
			failed := failed + 1;
			IF first_st IS NULL THEN
				first_st := st;
				first_msg := _wh.sanitize(concat_ws(E'\n', msg, nullif(det, '')));
			END IF;
		END;
	END LOOP;
	PERFORM _wh.record_unit(u.template_name, u.schema_name, u.kind, run, u.slot, started, failed = 0,
							first_st, first_msg);
	-- a daily run that loaded today also did the unit's reload of today
	IF u.kind = 'daily' AND failed = 0 THEN
		PERFORM _wh.record_unit(su.template_name, su.schema_name, su.kind, run, su.slot, started, true,
								NULL, 'done by the daily run')
		   FROM _wh.scheduled_units(_wh.now()) su
		  WHERE su.template_name = u.template_name AND su.schema_name = u.schema_name
			AND su.kind = 'hourly' AND su.due;
	END IF;
	PERFORM _wh.log_step(u.kind, u.template_name, u.tenant_name, u.schema_name, today, started,
						 CASE WHEN failed = 0 THEN 'succeeded' ELSE 'failed' END, first_st,
						 concat_ws(': ', format('%s days loaded, %s skipped, %s failed', loaded, skipped, failed),
								   first_msg),
						 nrows);
END
$$;

/*
 * Do the next step of a dispatcher run: the next due unit not yet tried in
 * this run, else the next storage step (20_wh_6_storage.sql).  Returns
 * false when there is nothing left, or when the run has used max_run_time
 * (setting): what is left is due at the next run.  Never raises for a
 * unit's failure (the unit is logged failed and retried next run).
 */
CREATE FUNCTION _wh.dispatch_step(run bigint)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	began	timestamptz;
	u		record;
	st		text;
	msg		text;
BEGIN
	SELECT r.started_at INTO began FROM _wh.run_log r
	 WHERE r.id = run AND r.kind = 'dispatcher' AND r.status = 'running';
	IF NOT FOUND OR clock_timestamp() - began > _wh.setting('max_run_time')::interval THEN
		RETURN false;
	END IF;
	SELECT * INTO u FROM _wh.pending_units(run) LIMIT 1;
	IF NOT FOUND THEN
		RETURN _wh.storage_step(run);
	END IF;
	BEGIN
		PERFORM _wh.run_unit(run, u);
	EXCEPTION WHEN OTHERS THEN
		-- not a load's failure (run_unit catches those): still never stop the run
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
		PERFORM _wh.record_unit(u.template_name, u.schema_name, u.kind, run, NULL, clock_timestamp(), false,
								st, msg);
		PERFORM _wh.log_step(u.kind, u.template_name, u.tenant_name, u.schema_name, _wh.today(),
							 clock_timestamp(), 'failed', st, msg);
	END;
	RETURN true;
END
$$;

/*
 * End a dispatcher run: purge old logs (_wh.purge_logs), write the run's
 * summary (or forget the run's row when it did nothing), release the lock.
 */
CREATE FUNCTION _wh.dispatch_end(run bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	k		record := _wh.dispatcher_lock();
	c		record;
	left_n	integer;
BEGIN
	BEGIN
		PERFORM _wh.purge_logs();
	EXCEPTION WHEN OTHERS THEN
		RAISE WARNING 'could not purge the logs: %', _wh.sanitize(SQLERRM);
	END;
	SELECT count(*) FILTER (WHERE r.kind IN ('daily', 'hourly') AND r.status = 'succeeded') AS units_ok,
		   count(*) FILTER (WHERE r.kind IN ('daily', 'hourly') AND r.status = 'failed') AS units_failed,
		   count(*) FILTER (WHERE r.kind IN ('retention', 'tiering', 'close') AND r.status = 'succeeded') AS steps_ok,
		   count(*) FILTER (WHERE r.kind IN ('retention', 'tiering', 'close') AND r.status = 'failed') AS steps_failed,
		   count(*) FILTER (WHERE r.kind = 'purge') AS purged
	  INTO c FROM _wh.run_log r WHERE r.id > run AND r.kind <> 'load';
	SELECT count(*) INTO left_n FROM _wh.pending_units(run);
	IF c.units_ok + c.units_failed + c.steps_ok + c.steps_failed + c.purged + left_n = 0 THEN
		DELETE FROM _wh.run_log r WHERE r.id = run;
	ELSE
		UPDATE _wh.run_log r
		   SET status = 'succeeded', finished_at = clock_timestamp(),
			   message = format('%s units refreshed, %s failed; %s storage steps, %s failed', c.units_ok,
								c.units_failed, c.steps_ok, c.steps_failed)
						 || CASE WHEN left_n > 0 THEN format('; %s units left for the next run (max_run_time %s)',
															 left_n, _wh.setting('max_run_time')) ELSE '' END
		 WHERE r.id = run;
	END IF;
	PERFORM pg_advisory_unlock(k.key1, k.key2);
END
$$;

/*
 * The dispatcher, what every biwh pg_cron job calls: run every due unit,
 * then the storage steps, committing after each (see the banner).  Call it
 * by itself (CALL _wh.run_due_refreshes()), not inside a transaction
 * block.  Its body names everything with its schema: it runs in pg_cron
 * sessions as the extension owner, with the database's search_path.
 */
CREATE PROCEDURE _wh.run_due_refreshes()
LANGUAGE plpgsql
AS $$
DECLARE
	run		pg_catalog.int8;
BEGIN
	run := _wh.dispatch_begin();
	COMMIT;
	IF run IS NULL THEN
		RETURN;
	END IF;
	WHILE _wh.dispatch_step(run) LOOP
		COMMIT;
	END LOOP;
	PERFORM _wh.dispatch_end(run);
	COMMIT;
END
$$;

/* Nothing here runs for PUBLIC */
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA _wh FROM PUBLIC;
REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA _wh FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA _wh FROM PUBLIC;
