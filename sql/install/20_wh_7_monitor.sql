/*
 * 20_wh_7_monitor.sql: monitoring views for the warehouse admin
 *
 * Read from the run log, the pieces, the catalogs and pg_cron; nothing
 * secret in them (messages are sanitized when logged, pg_cron's are
 * sanitized here, only biwh's jobs are shown).  _wh.grant_admin gives
 * SELECT on them; BI and tenant readers get nothing.
 *
 *   _wh.refresh_status    per (template, schema): last success and failure,
 *                         consecutive failures, freshness, load durations
 *   _wh.recent_failures   every failed row of the run log, newest first
 *   _wh.tenant_costs      per (schema, template): days, rows, bytes on disk
 *                         by access method and tablespace, compression
 *   _wh.cron_job_health   per biwh pg_cron job: last run, runs of 24 hours
 *   _wh.health            the seed's "Performance Queries" and the
 *                         dispatcher's last run
 */

/*
 * Per unit (template, schema): the last successful and failed load, the
 * failures since the last success, the newest day loaded and how many
 * days it is behind today, when today's piece was last refreshed and how
 * long ago, the median and longest load of the last 7 days (the seed wants
 * daily batches under an hour), and the state of its schedules.  The
 * units of _wh.units, and the (template, schema) pairs whose loads failed
 * before any succeeded (a new tenant that cannot be reached).
 */
CREATE VIEW _wh.refresh_status AS
WITH sc AS (
	SELECT su.template_name, su.schema_name,
		   string_agg(format('%s %s', su.kind, coalesce(st.last_status, 'not run yet')), ', ' ORDER BY su.kind) AS schedules,
		   max(st.failures) AS schedule_failures
	  FROM _wh.scheduled_units(_wh.now()) su
	  LEFT JOIN _wh.schedule_state st
		ON st.template_name = su.template_name AND st.schema_name = su.schema_name AND st.kind = su.kind
	 GROUP BY su.template_name, su.schema_name
)
SELECT u.template_name, u.schema_name, u.tenant_name,
	   ls.last_success, lf.last_failure, coalesce(cf.n, 0) AS consecutive_failures,
	   lf.sqlstate AS last_sqlstate, lf.message AS last_error,
	   nd.newest_day, _wh.today() - nd.newest_day AS days_behind,
	   td.loaded_at AS today_refreshed_at, now() - td.loaded_at AS today_lag,
	   dur.p50 AS load_p50_7d, dur.max AS load_max_7d, dur.n AS loads_7d,
	   sc.schedules, sc.schedule_failures
  FROM (SELECT un.template_name, un.schema_name, un.tenant_name FROM _wh.units un
		UNION
		SELECT DISTINCT r.template_name, r.schema_name, r.tenant_name FROM _wh.run_log r
		 WHERE r.kind = 'load' AND r.status = 'failed' AND r.template_name IS NOT NULL
		   AND r.schema_name IS NOT NULL
		   AND NOT EXISTS (SELECT 1 FROM _wh.units un
							WHERE un.template_name = r.template_name AND un.schema_name = r.schema_name)) u
  LEFT JOIN LATERAL (SELECT max(r.finished_at) AS last_success, max(r.id) AS id FROM _wh.run_log r
					  WHERE r.template_name = u.template_name AND r.schema_name = u.schema_name
						AND r.kind = 'load' AND r.status = 'succeeded') ls ON true
  LEFT JOIN LATERAL (SELECT r.finished_at AS last_failure, r.sqlstate, r.message FROM _wh.run_log r
					  WHERE r.template_name = u.template_name AND r.schema_name = u.schema_name
						AND r.kind = 'load' AND r.status = 'failed'
					  ORDER BY r.id DESC LIMIT 1) lf ON true
  LEFT JOIN LATERAL (SELECT count(*) AS n FROM _wh.run_log r
					  WHERE r.template_name = u.template_name AND r.schema_name = u.schema_name
						AND r.kind = 'load' AND r.status = 'failed' AND r.id > coalesce(ls.id, 0)) cf ON true
  LEFT JOIN LATERAL (SELECT max(p.day) AS newest_day FROM _wh.pieces p
					  WHERE p.template_name = u.template_name AND p.schema_name = u.schema_name) nd ON true
  LEFT JOIN _wh.pieces td
	ON td.template_name = u.template_name AND td.schema_name = u.schema_name AND td.day = _wh.today()
  LEFT JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY r.finished_at - r.started_at) AS p50,
							max(r.finished_at - r.started_at) AS max, count(*) AS n
					   FROM _wh.run_log r
					  WHERE r.template_name = u.template_name AND r.schema_name = u.schema_name
						AND r.kind = 'load' AND r.status = 'succeeded'
						AND r.started_at > now() - interval '7 days') dur ON true
  LEFT JOIN sc ON sc.template_name = u.template_name AND sc.schema_name = u.schema_name;
COMMENT ON VIEW _wh.refresh_status IS 'per template and schema: last success and failure, consecutive failures, freshness, load durations over 7 days, schedules';

/* Every failure of the run log (loads, scheduled runs, storage steps), newest first */
CREATE VIEW _wh.recent_failures AS
SELECT r.id, r.kind, r.unit, r.template_name, r.tenant_name, r.schema_name, r.day,
	   r.started_at, r.finished_at, r.sqlstate, r.message
  FROM _wh.run_log r
 WHERE r.status = 'failed'
 ORDER BY r.id DESC;
COMMENT ON VIEW _wh.recent_failures IS 'failed loads, scheduled runs and storage steps, newest first (SELECT ... LIMIT n for the last n)';

/*
 * Per schema (tenant) and template: days, rows, the bytes on disk now of
 * its heap and columnar pieces and of those in a cold tablespace, and the
 * compression ratio: bytes per row of its heap pieces over bytes per row
 * of its columnar ones (NULL until it has both).  Cost tracking per tenant.
 */
CREATE VIEW _wh.tenant_costs AS
SELECT x.schema_name, x.tenant_name, x.template_name,
	   count(*) AS days, sum(x.rows) AS rows,
	   count(*) FILTER (WHERE x.amname = 'heap') AS heap_days,
	   count(*) FILTER (WHERE x.amname = 'columnar') AS columnar_days,
	   coalesce(sum(x.bytes) FILTER (WHERE x.amname = 'heap'), 0) AS heap_bytes,
	   coalesce(sum(x.bytes) FILTER (WHERE x.amname = 'columnar'), 0) AS columnar_bytes,
	   coalesce(sum(x.bytes) FILTER (WHERE x.cold), 0) AS cold_bytes,
	   sum(x.bytes) AS total_bytes,
	   round((sum(x.bytes) FILTER (WHERE x.amname = 'heap')::numeric
			  / nullif(sum(x.rows) FILTER (WHERE x.amname = 'heap'), 0))
			 / nullif(sum(x.bytes) FILTER (WHERE x.amname = 'columnar')::numeric
					  / nullif(sum(x.rows) FILTER (WHERE x.amname = 'columnar'), 0), 0), 1) AS compression_ratio
  FROM (SELECT p.schema_name, p.tenant_name, p.template_name, p.rows, a.amname,
			   pg_total_relation_size(c.oid) AS bytes, c.reltablespace <> 0 AS cold
		  FROM _wh.pieces p
		  JOIN pg_namespace n ON n.nspname = p.schema_name
		  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.relname
		  JOIN pg_am a ON a.oid = c.relam) x
 GROUP BY x.schema_name, x.tenant_name, x.template_name;
COMMENT ON VIEW _wh.tenant_costs IS 'per tenant schema and template: days, rows, bytes on disk (heap, columnar, cold tablespace), compression ratio';

/* Per biwh pg_cron job of this database: its last run and the runs of the last 24 hours */
CREATE VIEW _wh.cron_job_health AS
SELECT j.jobname, j.jobid, j.schedule AS cron_schedule, j.active, j.last_status, j.last_start,
	   j.last_end - j.last_start AS last_duration, j.last_message, j.runs_24h, j.failed_24h
  FROM _wh.cron_jobs() j;
COMMENT ON VIEW _wh.cron_job_health IS 'biwh pg_cron jobs: last run status and time, runs and failures of the last 24 hours';

/*
 * One row: the seed's "Performance Queries" (connections against
 * max_connections, the cache hit ratio of this database), its size, and
 * the dispatcher's last run and the units failing now.
 */
CREATE VIEW _wh.health AS
SELECT c.connections, c.max_connections,
	   round(100.0 * c.connections / c.max_connections, 1) AS connections_pct,
	   (SELECT round(d.blks_hit::numeric / nullif(d.blks_hit + d.blks_read, 0) * 100, 2)
		  FROM pg_stat_database d WHERE d.datname = current_database()) AS cache_hit_ratio,
	   pg_database_size(current_database()) AS database_bytes,
	   dr.started_at AS dispatcher_last_run, dr.status AS dispatcher_status, dr.message AS dispatcher_message,
	   (SELECT count(*) FROM _wh.refresh_status rs WHERE rs.consecutive_failures > 0) AS units_failing
  FROM (SELECT (SELECT count(*) FROM pg_stat_activity a WHERE a.backend_type = 'client backend') AS connections,
			   current_setting('max_connections')::integer AS max_connections) c
  LEFT JOIN LATERAL (SELECT r.started_at, r.status, r.message FROM _wh.run_log r
					  WHERE r.kind = 'dispatcher' AND r.status <> 'skipped'
					  ORDER BY r.id DESC LIMIT 1) dr ON true;
COMMENT ON VIEW _wh.health IS 'connections against max_connections, cache hit ratio, database size, the dispatcher''s last run, units failing';

REVOKE ALL ON ALL TABLES IN SCHEMA _wh FROM PUBLIC;
