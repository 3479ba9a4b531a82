#!/usr/bin/env bash
# wh_rollup_bench.sh — rollup routing (called by bench/run.sh, part "rollup")
#
#   1. a dashboard of 10 typical BI queries on public.foodlogstats (totals
#      per tenant per month, top stores, daily series, ...) over T tenants x
#      D days, with biwh.enable_rollup_routing on (answered from a rollup per
#      store and day) and off (the pieces), the same rows either way; the
#      geometric mean of the speedups;
#   2. the rollup's share of a day's load: one tenant-day refreshed through
#      biwh (refresh_mv) against computing that day's rollup rows from its
#      piece.
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
SELECT phood_generate('2024-01-01', $DAYS, $ROWS_PER_DAY) IS NOT NULL AS generated;
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

start=$SECONDS
# _wh.create_rollup without filling, then fill_rollup (a day a transaction)
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

# The rollup's share of a day's load: refresh one tenant-day, and compute
# that day's rollup rows from its piece (what the maintenance adds to it)
"${PSQL[@]}" <<SQL
\pset footer off
CREATE TEMP TABLE share (what text, ms numeric);
DO \$\$
DECLARE
	t0		timestamptz;
	piece	text := _wh.create_mv_name('foodlogstats', '$MIDDLE');
BEGIN
	FOR i IN 1 .. 5 LOOP
		t0 := clock_timestamp();
		PERFORM _wh.refresh_mv('rbench_t02', piece);
		INSERT INTO share VALUES ('load', extract(epoch FROM clock_timestamp() - t0) * 1000);
		t0 := clock_timestamp();
		EXECUTE format('CREATE TEMP TABLE rollup_day AS SELECT schema_name, logged_time::date AS day, store, region, '
					   'date_trunc(''day'', logged_time) AS d, count(*) AS n, sum(weight) AS w_sum, count(weight) AS w_n, '
					   'min(weight) AS w_min, max(weight) AS w_max, sum(quantity) AS q_sum, count(quantity) AS q_n, '
					   'sum(weight * cost_per_lb) AS c_sum FROM rbench_t02.%I GROUP BY 1, 2, 3, 4, 5', piece);
		DROP TABLE rollup_day;
		INSERT INTO share VALUES ('rollup', extract(epoch FROM clock_timestamp() - t0) * 1000);
	END LOOP;
END
\$\$;
\echo
\echo '== one tenant-day: refresh through biwh vs computing its rollup rows (median of 5, ms)'
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE what = 'load')::numeric, 1) AS load_ms,
	   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE what = 'rollup')::numeric, 1) AS rollup_rows_ms,
	   round(100 * (percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE what = 'rollup')
			 / percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE what = 'load'))::numeric, 1) AS rollup_share_pct
  FROM share;
SQL

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
