#!/usr/bin/env bash
# index_bench.sh — B-tree indexes on columnar tables against heap
#
# Generates BENCH_SIZE rows (default 1,000,000) of the foodlogstats report
# (bench/foodlogstats.sql, 20 columns, id in row order), copies them into a
# heap and a columnar table, and prints: the build time of the primary key
# (a B-tree on id), a point lookup by primary key (median of 20 ids, each
# a statement planned and run in PL/pgSQL), 1,000 random lookups as one
# query with id = ANY (array) and as 1,000 statements, and an index range
# scan of 10,000 rows (planner's choice and forced index scan).  Query
# times are executor times (EXPLAIN ANALYZE, TIMING OFF: no rows sent to
# the client) or PL/pgSQL loop times; SELECT * everywhere, so every column
# is fetched.  Needs a superuser connection (PGHOST, PGPORT, PGDATABASE) to
# a cluster with biwh available; leaves nothing behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

N=${BENCH_SIZE:-1000000}
[ -n "$N" ] || N=1000000
q() { psql -X -At -v ON_ERROR_STOP=1 -q "$@"; }

q -c "CREATE EXTENSION IF NOT EXISTS biwh CASCADE" 2>/dev/null
q -f "$here/foodlogstats.sql"
q <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS ibench_src, ibench_heap, ibench_col;
CREATE UNLOGGED TABLE ibench_src AS SELECT * FROM bench_foodlogstats($N);
CREATE TABLE ibench_heap AS SELECT * FROM ibench_src;
CREATE TABLE ibench_col USING columnar AS SELECT * FROM ibench_src;
DROP TABLE ibench_src;
VACUUM ANALYZE ibench_heap;
ANALYZE ibench_col;
CHECKPOINT;
SQL

# build the primary key in a fresh backend; print seconds
build()
{
	q <<SQL
SET maintenance_work_mem = '256MB';
SELECT clock_timestamp() AS t0 \gset
ALTER TABLE $1 ADD PRIMARY KEY (id);
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2);
SQL
}
build_heap=$(build ibench_heap)
build_col=$(build ibench_col)
q -c "ANALYZE ibench_heap" -c "ANALYZE ibench_col"

# 1,000 ids spread over the table, the same for both tables
IDS="SELECT array_agg(1 + (hashint4(g + 99) & 2147483647) % $N) FROM generate_series(1, 1000) g"

# per table: point lookup median (ms), = ANY best of 3 (ms), its plan node,
# 1,000 statements (ms), range scan of 10,000 rows (planner's choice, ms),
# its plan node, forced index range scan (ms)
measure()
{
	local t=$1
	q <<SQL
SET max_parallel_workers_per_gather = 0;
CREATE FUNCTION pg_temp.exec_ms(q text, runs int DEFAULT 3) RETURNS float8
LANGUAGE plpgsql AS \$\$
DECLARE
	plan json;
	best float8;
BEGIN
	FOR i IN 1 .. runs LOOP
		EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q INTO plan;
		best := least(best, (plan -> 0 ->> 'Execution Time')::float8);
	END LOOP;
	RETURN best;
END \$\$;
CREATE FUNCTION pg_temp.point_median(t regclass, ids int[]) RETURNS float8
LANGUAGE plpgsql AS \$\$
DECLARE
	r record;
	t0 timestamptz;
	ms float8[] := '{}';
BEGIN
	FOR i IN 1 .. 20 LOOP
		t0 := clock_timestamp();
		EXECUTE format('SELECT * FROM %s WHERE id = \$1', t) INTO r USING ids[i];
		ms := ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
	RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(ms) x);
END \$\$;
CREATE FUNCTION pg_temp.statements_ms(ids int[]) RETURNS float8
LANGUAGE plpgsql AS \$\$
DECLARE
	r record;
	t0 timestamptz := clock_timestamp();
BEGIN
	FOR i IN 1 .. array_length(ids, 1) LOOP
		SELECT * INTO r FROM $t WHERE id = ids[i];
	END LOOP;
	RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END \$\$;
CREATE FUNCTION pg_temp.plan_node(q text) RETURNS text
LANGUAGE plpgsql AS \$\$
DECLARE
	plan json;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO plan;
	RETURN coalesce(plan -> 0 -> 'Plan' ->> 'Custom Plan Provider', plan -> 0 -> 'Plan' ->> 'Node Type');
END \$\$;
SELECT ($IDS) AS ids \gset
SELECT round(pg_temp.point_median('$t', :'ids')::numeric, 2);
SELECT round(pg_temp.exec_ms(format('SELECT * FROM $t WHERE id = ANY (%L::int[])', :'ids'))::numeric, 1);
SELECT pg_temp.plan_node(format('SELECT * FROM $t WHERE id = ANY (%L::int[])', :'ids'));
SELECT pg_temp.statements_ms(:'ids');
SELECT round(pg_temp.statements_ms(:'ids')::numeric, 1);
SELECT round(pg_temp.exec_ms('SELECT * FROM $t WHERE id BETWEEN $((N / 2)) AND $((N / 2 + 9999))')::numeric, 1);
SELECT pg_temp.plan_node('SELECT * FROM $t WHERE id BETWEEN $((N / 2)) AND $((N / 2 + 9999))');
SET enable_seqscan = off; SET enable_bitmapscan = off; SET biwh.enable_custom_scan = off;
SELECT round(pg_temp.exec_ms('SELECT * FROM $t WHERE id BETWEEN $((N / 3)) AND $((N / 3 + 9999))')::numeric, 1);
SQL
}
mapfile -t H < <(measure ibench_heap)
mapfile -t C < <(measure ibench_col)
# H/C: 0 point, 1 any, 2 any plan, 3 statements (warm-up), 4 statements,
# 5 range, 6 range plan, 7 forced index range

same=$(q <<SQL
SELECT ($IDS) AS ids \gset
SELECT (SELECT count(*) FROM (SELECT * FROM ibench_col WHERE id = ANY (:'ids'::int[])
		EXCEPT ALL SELECT * FROM ibench_heap WHERE id = ANY (:'ids'::int[])) x) +
	(SELECT count(*) FROM (SELECT * FROM ibench_heap WHERE id = ANY (:'ids'::int[])
		EXCEPT ALL SELECT * FROM ibench_col WHERE id = ANY (:'ids'::int[])) x);
SQL
)
nrange=$(q -c "SELECT count(*) FROM ibench_col WHERE id BETWEEN $((N / 2)) AND $((N / 2 + 9999))")

ratio() { python3 -c "print(f'{$1 / max($2, 0.001):.2f}')"; }
cat <<EOF
B-tree indexes, columnar vs heap, foodlogstats shape, $N rows (20 columns, SELECT *), PostgreSQL $(q -c 'SHOW server_version')

| measure | heap | columnar | columnar / heap |
|---|---|---|---|
| primary key (B-tree) build (s) | $build_heap | $build_col | $(ratio "$build_col" "$build_heap") |
| point lookup by primary key (ms, median of 20 statements) | ${H[0]} | ${C[0]} | $(ratio "${C[0]}" "${H[0]}") |
| 1,000 random lookups, one query id = ANY (ms, best of 3) | ${H[1]} (${H[2]}) | ${C[1]} (${C[2]}) | $(ratio "${C[1]}" "${H[1]}") |
| 1,000 random lookups, 1,000 statements (ms) | ${H[4]} | ${C[4]} | $(ratio "${C[4]}" "${H[4]}") |
| range of 10,000 rows by id, planner's choice (ms, best of 3) | ${H[5]} (${H[6]}) | ${C[5]} (${C[6]}) | $(ratio "${C[5]}" "${H[5]}") |
| index range scan of 10,000 rows (ms, best of 3) | ${H[7]} | ${C[7]} | $(ratio "${C[7]}" "${H[7]}") |

Checks: rows of the = ANY query differing between columnar and heap: $same; rows in the range: $nrange.
Query times are executor times (EXPLAIN ANALYZE, TIMING OFF) or PL/pgSQL loops; the plan node is in parentheses.
EOF

q -c "DROP TABLE ibench_heap, ibench_col" -c "DROP FUNCTION bench_foodlogstats(integer)"
