#!/usr/bin/env bash
# wh_rollup_bench.sh — rollup routing (called by bench/run.sh, part "rollup")
#
#   1. a dashboard of 10 typical BI queries on public.foodlogstats (totals
#      per tenant per month, top stores, daily series, ...) over T tenants x
#      D days, with biwh.enable_rollup_routing on (answered from a rollup per
#      store and day) and off (the pieces), the same rows either way; the
#      geometric mean of the speedups;
#   2. the rollup's share of a day's load: tenant-days loaded through biwh
#      before the rollup exists and after, when the load also computes the
#      day's rollup rows and puts them in the month's leaf in the piece's
#      swap: new days (their first load) and a closed day reloaded.
#
# PGHOST, PGPORT, PGDATABASE point at the cluster; BIWH_SRC at the sources.
# BENCH_SIZE (default 3,650,000) is the master's row count, spread over
# ROLLUP_BENCH_TENANTS (10) x ROLLUP_BENCH_DAYS (365) days.
set -euo pipefail

TENANTS=${ROLLUP_BENCH_TENANTS:-10}
DAYS=${ROLLUP_BENCH_DAYS:-365}
SIZE=${BENCH_SIZE:-3650000}
ROWS_PER_DAY=$(( SIZE / (TENANTS * DAYS) ))
[ "$ROWS_PER_DAY" -ge 1 ] || ROWS_PER_DAY=1
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
# dates inside the loaded span: the last 30 days, the first month, a middle day
LAST30=$(date -u -d "2024-01-01 + $(( DAYS > 30 ? DAYS - 30 : 0 )) days" +%F)
MONTH_END=$(date -u -d "2024-01-01 + $(( DAYS > 31 ? 31 : DAYS )) days" +%F)
MIDDLE=$(date -u -d "2024-01-01 + $(( DAYS / 2 )) days" +%F)

cd "$BIWH_SRC"
echo "== rollup routing: $TENANTS tenants x $DAYS days, $ROWS_PER_DAY rows a tenant-day ($((TENANTS * DAYS * ROWS_PER_DAY)) rows; BENCH_SIZE=$SIZE)"

"${PSQL[@]}" <<SQL
CREATE EXTENSION IF NOT EXISTS biwh CASCADE;
CREATE ROLE wh_rbench_reader LOGIN PASSWORD 'bench';
CREATE DATABASE wh_rbench_src;
\c wh_rbench_src
\i sql/source-foodlogstats.sql
-- 10 days more than the warehouse loads at first: the new days of the load timings
SELECT phood_generate('2024-01-01', $DAYS + 10, $ROWS_PER_DAY) IS NOT NULL AS generated;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_rbench_reader;
SQL

start=$SECONDS
for t in $(seq -f %02g 1 "$TENANTS"); do
	"${PSQL[@]}" -v port="$PGPORT" <<SQL >/dev/null
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('rbench_t$t', '127.0.0.1', :port, 'wh_rbench_src', 'wh_rbench_reader', 'bench');
\i sql/template-foodlogstats.sql
SELECT _wh.update_mv_window_by_template('foodlogstats', 'rbench_t$t', 'rbench_t$t', '2024-01-01', '2024-01-01'::date + $DAYS - 1);
SQL
done
"${PSQL[@]}" -c "SELECT _wh.update_public_view_by_template('foodlogstats')" >/dev/null
load_s=$((SECONDS - start))

# Loads of one tenant through biwh, median of 5 in ms: "reload" refreshes
# a closed day of the middle of the span again and again; "new N" loads
# the 5 days after the span from its N-th day (a day's first load, the
# daily job's case)
time_loads() {
	"${PSQL[@]}" -At <<SQL
-- the rollup's own functions timed inside the same loads (PL/pgSQL only:
-- tracking SQL functions would stop their inlining)
SET track_functions = 'pl';
SELECT count(pg_stat_reset_single_function_counters(p.oid)) FROM pg_proc p
 WHERE p.pronamespace = '_wh'::regnamespace \\g /dev/null
CREATE TEMP TABLE share (ms numeric);
DO \$\$
DECLARE
	t0		timestamptz;
BEGIN
	FOR i IN 0 .. 4 LOOP
		t0 := clock_timestamp();
		IF '$1' = 'reload' THEN
			PERFORM _wh.refresh_mv('rbench_t02', _wh.create_mv_name('foodlogstats', '$MIDDLE'));
		ELSE
			PERFORM _wh.update_mv_by_template('foodlogstats', 'rbench_t02', 'rbench_t02',
											  '2024-01-01'::date + $DAYS + ${2:-0} + i);
		END IF;
		INSERT INTO share VALUES (extract(epoch FROM clock_timestamp() - t0) * 1000);
	END LOOP;
END
\$\$;
-- the session's function counts, flushed when it goes idle after this
SELECT pg_stat_force_next_flush() \\g /dev/null
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)
	   || ' ' || (SELECT round(coalesce(sum(f.total_time), 0)::numeric / 5, 1)
				    FROM pg_stat_user_functions f
				   WHERE f.schemaname = '_wh'
				     AND f.funcname IN ('lock_rollups', 'rollup_stage', 'rollup_swap_days'))
  FROM share;
SQL
}
# before timing: a checkpoint, and no autovacuum worker running (at most a minute)
settle() {
	"${PSQL[@]}" -c "CHECKPOINT" -c "DO \$\$ BEGIN FOR i IN 1 .. 120 LOOP
		PERFORM pg_stat_clear_snapshot();
		EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'autovacuum worker');
		PERFORM pg_sleep(0.5); END LOOP; END \$\$"
}
settle
read -r plain_new_ms _ <<<"$(time_loads new 0)"
read -r plain_reload_ms _ <<<"$(time_loads reload)"

start=$SECONDS
# _wh.create_rollup without filling, then fill_rollup (a month of a tenant a transaction)
"${PSQL[@]}" >/dev/null <<'SQL'
SELECT _wh.create_rollup('foodlogstats', 'fls_bench_store_day',
	ARRAY['store', 'region', 'date_trunc(''day'', logged_time)'],
	ARRAY['count(*)', 'sum(weight)', 'count(weight)', 'min(weight)', 'max(weight)', 'sum(quantity)',
		  'count(quantity)', 'sum(weight * cost_per_lb)'], fill => false);
SET client_min_messages = warning;
CALL _wh.fill_rollup('fls_bench_store_day');
ANALYZE public.fls_bench_store_day;
SQL
rollup_s=$((SECONDS - start))

"${PSQL[@]}" <<SQL
\pset footer off
CREATE TEMP TABLE dashboard (id integer, title text, q text);
INSERT INTO dashboard VALUES
 (1, 'totals per tenant per month', 'SELECT schema_name, date_trunc(''month'', logged_time), count(*), sum(weight) FROM public.foodlogstats GROUP BY 1, 2'),
 (2, 'top 5 stores by cost', 'SELECT store, sum(weight * cost_per_lb) FROM public.foodlogstats GROUP BY 1 ORDER BY 2 DESC LIMIT 5'),
 (3, 'daily series, one tenant', 'SELECT logged_time::date, count(*), sum(weight) FROM public.foodlogstats WHERE schema_name = ''rbench_t$(printf %02d $(( TENANTS < 3 ? TENANTS : 3 )))'' GROUP BY 1 ORDER BY 1'),
 (4, 'daily series, last 30 days', 'SELECT date_trunc(''day'', logged_time), sum(weight) FROM public.foodlogstats WHERE logged_time >= ''$LAST30'' GROUP BY 1 ORDER BY 1'),
 (5, 'weekly average per region', 'SELECT region, date_trunc(''week'', logged_time), avg(weight) FROM public.foodlogstats GROUP BY 1, 2'),
 (6, 'grand totals', 'SELECT count(*), sum(weight), avg(weight), min(weight), max(weight) FROM public.foodlogstats'),
 (7, 'one tenant, one month, by store', 'SELECT store, count(*), sum(weight), avg(quantity) FROM public.foodlogstats WHERE schema_name = ''rbench_t$(printf %02d $(( TENANTS < 5 ? TENANTS : 5 )))'' AND logged_time >= ''2024-01-01'' AND logged_time < ''$MONTH_END'' GROUP BY 1'),
 (8, 'min/max per tenant and store', 'SELECT schema_name, store, min(weight), max(weight) FROM public.foodlogstats GROUP BY 1, 2'),
 (9, 'totals per quarter', 'SELECT date_trunc(''quarter'', logged_time), count(*), sum(weight * cost_per_lb) FROM public.foodlogstats GROUP BY 1'),
 (10, 'average quantity per tenant and region', 'SELECT schema_name, region, avg(quantity), count(quantity) FROM public.foodlogstats GROUP BY 1, 2');
CREATE TEMP TABLE timing (id integer, routing boolean, ms numeric, rows text, routed boolean);
CREATE FUNCTION pg_temp.run(id integer, q text, routing boolean, reps integer)
RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
	t0		timestamptz;
	ms		numeric[] := '{}';
	res		text;
	line	text;
	routed	boolean := false;
BEGIN
	PERFORM set_config('biwh.enable_rollup_routing', CASE WHEN routing THEN 'on' ELSE 'off' END, true);
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		routed := routed OR line ~ 'fls_bench_store_day';
	END LOOP;
	EXECUTE format('SELECT string_agg(t::text, %L ORDER BY t::text) FROM (%s) t', ' | ', q) INTO res;
	FOR i IN 1 .. reps LOOP
		t0 := clock_timestamp();
		EXECUTE format('SELECT count(*) FROM (%s) t', q);
		ms := ms || (extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric;
	END LOOP;
	INSERT INTO timing
	SELECT id, routing, percentile_cont(0.5) WITHIN GROUP (ORDER BY x), md5(res), routed
	  FROM unnest(ms) x;
END
\$\$;
\\o /dev/null
$(for i in $(seq 1 10); do echo "SELECT pg_temp.run(id, q, false, 5) FROM dashboard WHERE id = $i;"; echo "SELECT pg_temp.run(id, q, true, 5) FROM dashboard WHERE id = $i;"; done)
\\o
\echo
\echo '== the dashboard (median of 5, ms): routing off (pieces) vs on (rollup)'
SELECT d.id, d.title, round(off.ms, 2) AS off_ms, round(on_.ms, 2) AS on_ms,
	   round(off.ms / nullif(on_.ms, 0), 1) AS speedup_x, on_.routed,
	   off.rows = on_.rows AS same_rows
  FROM dashboard d JOIN timing off ON off.id = d.id AND NOT off.routing
  JOIN timing on_ ON on_.id = d.id AND on_.routing ORDER BY d.id;
SELECT round(exp(avg(ln(off.ms / on_.ms)))::numeric, 1) AS geomean_speedup_x,
	   bool_and(off.rows = on_.rows) AS all_same_rows, count(*) FILTER (WHERE on_.routed) AS routed
  FROM timing off JOIN timing on_ ON on_.id = off.id AND on_.routing WHERE NOT off.routing;
SQL

# The rollup's share of a day's load: the same loads again, now that they
# maintain the rollup (5 more new days)
settle
read -r rollup_new_ms rollup_new_fn <<<"$(time_loads new 5)"
read -r rollup_reload_ms rollup_reload_fn <<<"$(time_loads reload)"
share() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * (b - a) / a }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }
echo
echo "== one tenant-day loaded through biwh (median of 5, ms): without the rollup vs with it;"
echo "   in_rollup_functions: time spent in the rollup's functions in the same loads (mean)"
echo "a new day (first load): without=$plain_new_ms with=$rollup_new_ms rollup_share_pct=$(share "$plain_new_ms" "$rollup_new_ms")" \
	 "in_rollup_functions=$rollup_new_fn ms ($(pct "$rollup_new_fn" "$rollup_new_ms")%)"
echo "a closed day reloaded:  without=$plain_reload_ms with=$rollup_reload_ms rollup_share_pct=$(share "$plain_reload_ms" "$rollup_reload_ms")" \
	 "in_rollup_functions=$rollup_reload_fn ms ($(pct "$rollup_reload_fn" "$rollup_reload_ms")%)"

echo
echo "load through dblink of $TENANTS x $DAYS days: $load_s s; building the rollup over all of it: $rollup_s s"

# Clean up
"${PSQL[@]}" <<SQL >/dev/null 2>&1 || true
SELECT _wh.drop_rollup('fls_bench_store_day') WHERE to_regproc('_wh.drop_rollup') IS NOT NULL;
DELETE FROM _wh.rollups WHERE rollup_name = 'fls_bench_store_day';
DROP TABLE IF EXISTS public.fls_bench_store_day;
$(for t in $(seq -f %02g 1 "$TENANTS"); do echo "DROP SCHEMA IF EXISTS rbench_t$t CASCADE;"; done)
DROP TABLE IF EXISTS public.foodlogstats;
DELETE FROM _wh.tenant_connections WHERE tenant_name LIKE 'rbench%';
DELETE FROM _wh.units;
DELETE FROM _wh.pieces;
\c postgres
DROP DATABASE wh_rbench_src;
DROP ROLE wh_rbench_reader;
SQL
