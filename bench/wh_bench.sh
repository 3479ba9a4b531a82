#!/usr/bin/env bash
# wh_bench.sh — the warehouse layer's benchmarks (called by bench/run.sh)
#
#   1. planning: a one-tenant, one-week query on T tenants x D days, on
#      biwh's partitioned design (public.foodlogstats) and on the seed's
#      design (one materialized view per tenant-day, UNION ALL views per
#      tenant and across tenants) built from the same data, in the same run;
#   2. refresh: one large tenant-day through biwh's refresh path vs a plain
#      INSERT INTO heap SELECT * FROM dblink(...).
#
# PGHOST, PGPORT, PGDATABASE point at the cluster; BIWH_SRC at the sources.
# BENCH_SIZE (default 1,000,000) is the row count of the refreshed day.
# WH_BENCH_REFRESH_ONLY=1 skips the planning part (1.) while iterating.
set -euo pipefail

SIZE=${BENCH_SIZE:-1000000}
TENANTS=10
DAYS=365
ROWS_PER_DAY=10
BIG_DAY_ROWS=$SIZE
REPS=20
REFRESH_ONLY=${WH_BENCH_REFRESH_ONLY:-0}
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

cd "$BIWH_SRC"
echo "== warehouse benchmark: $TENANTS tenants x $DAYS days, $ROWS_PER_DAY rows a day; refresh of a $BIG_DAY_ROWS-row day (BENCH_SIZE=$SIZE)"

"${PSQL[@]}" <<SQL
CREATE EXTENSION IF NOT EXISTS biwh CASCADE;
CREATE ROLE wh_bench_reader LOGIN PASSWORD 'bench';
CREATE DATABASE wh_bench_src;
CREATE DATABASE wh_bench_big;
\c wh_bench_src
\i sql/source-foodlogstats.sql
SELECT phood_generate('2024-01-01', CASE WHEN $REFRESH_ONLY = 1 THEN 1 ELSE $DAYS END, $ROWS_PER_DAY);
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_bench_reader;
\c wh_bench_big
\i sql/source-foodlogstats.sql
SELECT phood_generate('2024-06-01', 1, $BIG_DAY_ROWS);
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_bench_reader;
SQL

if [ "$REFRESH_ONLY" != 1 ]; then
# biwh's design: every tenant reads the same source, into a schema of its own
start=$SECONDS
for t in $(seq -w 1 $TENANTS); do
	"${PSQL[@]}" -v port="$PGPORT" <<SQL >/dev/null
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('bench_t$t', '127.0.0.1', :port, 'wh_bench_src', 'wh_bench_reader', 'bench');
\i sql/template-foodlogstats.sql
SELECT _wh.update_mv_window_by_template('foodlogstats', 'bench_t$t', 'bench_t$t', '2024-01-01', '2024-01-01'::date + $DAYS - 1);
SQL
done
"${PSQL[@]}" -c "SELECT _wh.update_public_view_by_template('foodlogstats')" >/dev/null
load_s=$((SECONDS - start))

# The seed's design, on the same data: one materialized view per tenant-day
start=$SECONDS
for t in $(seq -w 1 $TENANTS); do
	"${PSQL[@]}" <<SQL
CREATE SCHEMA seed_t$t;
DO \$\$
DECLARE
	d		date;
	branches text[] := '{}';
	cols	text := 'id, store, station, validation_status, region, action_taken_id, action_taken, name, quantity, average_weight, weight, client, food_category, cost_per_lb, target_weight, price_per_lb, action_reason, client_id, logged_time, flags';
BEGIN
	FOR d IN SELECT g::date FROM generate_series('2024-01-01'::date, '2024-01-01'::date + $DAYS - 1, interval '1 day') g LOOP
		EXECUTE format('CREATE MATERIALIZED VIEW seed_t$t.%I AS SELECT %s FROM bench_t$t.%I',
					   _wh.create_mv_name('foodlogstats', d), cols, _wh.create_mv_name('foodlogstats', d));
		branches := branches || format('SELECT * FROM seed_t$t.%I', _wh.create_mv_name('foodlogstats', d));
	END LOOP;
	EXECUTE 'CREATE VIEW seed_t$t.foodlogstats AS ' || array_to_string(branches, ' UNION ALL ');
END
\$\$;
SQL
done
"${PSQL[@]}" <<SQL
DO \$\$
BEGIN
	EXECUTE 'CREATE VIEW public.seed_foodlogstats AS '
		|| (SELECT string_agg(format('SELECT %L::text AS schema_name, * FROM %I.foodlogstats', 'bench_t' || t, 'seed_t' || t), ' UNION ALL ')
			  FROM (SELECT lpad(g::text, length('$TENANTS'), '0') AS t FROM generate_series(1, $TENANTS) g) s);
END
\$\$;
SQL
seed_s=$((SECONDS - start))

# Planning time and end-to-end latency of the same one-tenant one-week query
"${PSQL[@]}" <<'SQL'
CREATE TEMP TABLE wh_bench_result (design text, planning_ms numeric, total_ms numeric);
CREATE FUNCTION pg_temp.measure(design text, rel text, reps integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	q		text := format('SELECT count(*), sum(weight) FROM %s WHERE schema_name = %L '
						   'AND logged_time >= %L AND logged_time < %L',
						   rel, 'bench_t03', '2024-06-03', '2024-06-10');
	plan	json;
	plans	numeric[] := '{}';
	totals	numeric[] := '{}';
	t0		timestamptz;
BEGIN
	EXECUTE q;		-- warm the caches
	FOR i IN 1 .. reps LOOP
		EXECUTE 'EXPLAIN (SUMMARY, FORMAT JSON) ' || q INTO plan;
		plans := plans || (plan -> 0 ->> 'Planning Time')::numeric;
		t0 := clock_timestamp();
		EXECUTE q;
		totals := totals || (extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric;
	END LOOP;
	INSERT INTO wh_bench_result
	SELECT design,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(plans) x)::numeric,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(totals) x)::numeric;
END
$$;
SELECT pg_temp.measure('biwh: partitions (public.foodlogstats)', 'public.foodlogstats', 20);
SELECT pg_temp.measure('seed: MV per day + UNION ALL views', 'public.seed_foodlogstats', 5);
\echo
\echo '== one tenant, one week (median; planning from EXPLAIN, total = parse + plan + execute)'
\pset footer off
SELECT design, round(planning_ms, 3) AS planning_ms, round(total_ms, 3) AS total_ms
  FROM wh_bench_result ORDER BY 1;
SELECT round(max(planning_ms) FILTER (WHERE design LIKE 'seed%') / max(planning_ms) FILTER (WHERE design LIKE 'biwh%'), 0) AS planning_speedup_x,
       round(max(total_ms) FILTER (WHERE design LIKE 'seed%') / max(total_ms) FILTER (WHERE design LIKE 'biwh%'), 0) AS total_speedup_x
  FROM wh_bench_result;
SQL
fi

# Refresh of one large day: biwh's path vs a plain INSERT ... SELECT FROM dblink
"${PSQL[@]}" -v port="$PGPORT" <<SQL
\pset footer off
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('bench_big', '127.0.0.1', :port, 'wh_bench_big', 'wh_bench_reader', 'bench');
\i sql/template-foodlogstats.sql
SELECT _wh.update_mv_by_template('foodlogstats', 'bench_big', 'bench_big', '2024-06-01') AS first_load;
CREATE TEMP TABLE plain_heap AS SELECT * FROM bench_big.foodlogstats WITH NO DATA;
CREATE TABLE public.plain_logged AS SELECT * FROM bench_big.foodlogstats WITH NO DATA;
CREATE TEMP TABLE refresh_result (path text, ms numeric);
DO \$\$
DECLARE
	t0		timestamptz;
	src		text := (SELECT source_sql FROM _wh.mv_templates WHERE template_name = 'foodlogstats');
	cols	text := (SELECT string_agg(format('%I %s', column_name, column_type), ', ' ORDER BY ord)
					   FROM _wh.parse_columns((SELECT column_definitions FROM _wh.mv_templates WHERE template_name = 'foodlogstats')));
BEGIN
	src := replace(replace(src, '{{start}}', quote_literal('2024-06-01')), '{{end}}', quote_literal('2024-06-02'));
	FOR i IN 1 .. 5 LOOP
		t0 := clock_timestamp();
		PERFORM _wh.refresh_mv('bench_big', 'foodlogstats_2024_06_01');
		INSERT INTO refresh_result VALUES ('biwh refresh_mv (staging, ANALYZE, CHECK, swap)',
										   extract(epoch FROM clock_timestamp() - t0) * 1000);
		TRUNCATE plain_heap;
		t0 := clock_timestamp();
		EXECUTE format('INSERT INTO plain_heap SELECT %L, r.* FROM dblink(%L, %L) AS r(%s)',
					   'bench_big', 'host=127.0.0.1 port=$PGPORT dbname=wh_bench_big user=wh_bench_reader password=bench',
					   src, cols);
		INSERT INTO refresh_result VALUES ('plain INSERT INTO heap SELECT FROM dblink (temp table)',
										   extract(epoch FROM clock_timestamp() - t0) * 1000);
		TRUNCATE public.plain_logged;
		t0 := clock_timestamp();
		EXECUTE format('INSERT INTO public.plain_logged SELECT %L, r.* FROM dblink(%L, %L) AS r(%s)',
					   'bench_big', 'host=127.0.0.1 port=$PGPORT dbname=wh_bench_big user=wh_bench_reader password=bench',
					   src, cols);
		INSERT INTO refresh_result VALUES ('plain INSERT INTO heap SELECT FROM dblink (logged table)',
										   extract(epoch FROM clock_timestamp() - t0) * 1000);
	END LOOP;
END
\$\$;
\echo
\echo '== refresh of one tenant-day of $BIG_DAY_ROWS rows (median of 5)'
SELECT path, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS ms,
       round($BIG_DAY_ROWS / (percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric / 1000)) AS rows_per_s
  FROM refresh_result GROUP BY 1 ORDER BY 1;
SQL

[ "$REFRESH_ONLY" = 1 ] || echo
[ "$REFRESH_ONLY" = 1 ] || echo "load through dblink of $TENANTS x $DAYS days (biwh): $load_s s; building the seed's $((TENANTS * DAYS)) materialized views from them: $seed_s s"

# Clean up
"${PSQL[@]}" <<SQL >/dev/null 2>&1 || true
DROP VIEW IF EXISTS public.seed_foodlogstats;
$(for t in $(seq -w 1 $TENANTS); do echo "DROP SCHEMA IF EXISTS seed_t$t CASCADE; DROP SCHEMA IF EXISTS bench_t$t CASCADE;"; done)
DROP SCHEMA IF EXISTS bench_big CASCADE;
DROP TABLE IF EXISTS public.plain_logged;
DROP TABLE IF EXISTS public.foodlogstats;
DELETE FROM _wh.tenant_connections WHERE tenant_name LIKE 'bench%';
DELETE FROM _wh.units;
DELETE FROM _wh.pieces;
\c postgres
DROP DATABASE wh_bench_src;
DROP DATABASE wh_bench_big;
DROP ROLE wh_bench_reader;
SQL
