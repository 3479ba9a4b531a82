#!/usr/bin/env bash
# columnar_bench.sh — columnar against heap on the seed's foodlogstats report
#
# Generates BENCH_SIZE rows (default 1,000,000) shaped like the seed's
# foodlogstats daily pieces (bench/foodlogstats.sql: 20 columns, tens of
# stores, a few regions, hundreds of item names with a skewed distribution,
# some NULLs, timestamps over a year), loads them into a heap and a
# columnar table by COPY and by INSERT ... SELECT, each in a fresh backend,
# and prints: on-disk size, load times, peak RSS of the loading backend,
# pages read by a one-day count, and full-scan count/sum times.  Needs a
# superuser connection (PGHOST, PGPORT, PGDATABASE) to a cluster with biwh
# available; leaves nothing behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

N=${BENCH_SIZE:-1000000}
[ -n "$N" ] || N=1000000
COPYFILE=$(mktemp -u /tmp/biwh_bench_XXXXXX.copy)
q() { psql -X -At -v ON_ERROR_STOP=1 -q "$@"; }

q -c "CREATE EXTENSION IF NOT EXISTS biwh CASCADE" 2>/dev/null
q -f "$here/foodlogstats.sql"
q <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_src, bench_heap, bench_col, bench_heap2, bench_col2;
CREATE UNLOGGED TABLE bench_src AS SELECT * FROM bench_foodlogstats($N);
COPY bench_src TO '$COPYFILE';
CREATE TABLE bench_heap (LIKE bench_src);
CREATE TABLE bench_col (LIKE bench_src) USING columnar;
CREATE TABLE bench_heap2 (LIKE bench_src);
CREATE TABLE bench_col2 (LIKE bench_src) USING columnar;
CHECKPOINT;
SQL

# Run one load in a fresh backend; print "seconds peak_rss_kB".
load()
{
	q <<SQL
SELECT clock_timestamp() AS t0 \gset
$1;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) || ' ' ||
	substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\s*(\d+)');
SQL
}

read -r copy_heap_s copy_heap_rss < <(load "COPY bench_heap FROM '$COPYFILE'")
read -r copy_col_s copy_col_rss < <(load "COPY bench_col FROM '$COPYFILE'")
read -r ins_heap_s ins_heap_rss < <(load "INSERT INTO bench_heap2 SELECT * FROM bench_src")
read -r ins_col_s ins_col_rss < <(load "INSERT INTO bench_col2 SELECT * FROM bench_src")
rm -f "$COPYFILE" 2>/dev/null || q -c "SELECT 1" >/dev/null
q -c "VACUUM ANALYZE bench_heap" -c "ANALYZE bench_col" -c "CHECKPOINT"

size_heap=$(q -c "SELECT pg_total_relation_size('bench_heap')")
size_col=$(q -c "SELECT pg_total_relation_size('bench_col')")
same=$(q -c "SELECT count(*) FROM (SELECT * FROM bench_col EXCEPT ALL SELECT * FROM bench_heap) x")

# pages (buffers hit + read) of the top node of a query's plan
pages()
{
	q -c "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) $1" |
		python3 -c 'import json,sys; p=json.load(sys.stdin)[0]["Plan"]; print(p["Shared Hit Blocks"] + p["Shared Read Blocks"])'
}
DAY="WHERE logged_time >= '2025-06-01' AND logged_time < '2025-06-02'"
day_heap=$(pages "SELECT count(*) FROM bench_heap $DAY")
day_col=$(pages "SELECT count(*) FROM bench_col $DAY")
day_count_heap=$(q -c "SELECT count(*) FROM bench_heap $DAY")
day_count_col=$(q -c "SELECT count(*) FROM bench_col $DAY")

# best of 3 of a query, in ms
best()
{
	q <<SQL
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE times (ms float8);
DO \$\$
DECLARE t timestamptz; r record;
BEGIN
	FOR i IN 1 .. 3 LOOP
		t := clock_timestamp();
		EXECUTE \$q\$ $1 \$q\$ INTO r;
		INSERT INTO times VALUES (extract(epoch FROM clock_timestamp() - t) * 1000);
	END LOOP;
END \$\$;
SELECT round(min(ms)::numeric, 1) FROM times;
SQL
}
FULL="SELECT count(*), sum(weight), sum(quantity), avg(price_per_lb) FROM"
scan_heap=$(best "$FULL bench_heap")
scan_col=$(best "$FULL bench_col")
scan_heap_day=$(best "SELECT count(*) FROM bench_heap $DAY")
scan_col_day=$(best "SELECT count(*) FROM bench_col $DAY")

mb() { python3 -c "print(f'{$1 / 1048576:.1f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
cat <<EOF2
columnar vs heap, foodlogstats shape, $N rows (20 columns), 1 run, PostgreSQL $(q -c 'SHOW server_version')

| measure | heap | columnar | columnar / heap |
|---|---|---|---|
| on-disk size (MB) | $(mb $size_heap) | $(mb $size_col) | $(ratio $size_col $size_heap) |
| COPY time (s) | $copy_heap_s | $copy_col_s | $(ratio $copy_col_s $copy_heap_s) |
| COPY peak RSS of the backend (MB) | $((copy_heap_rss / 1024)) | $((copy_col_rss / 1024)) | $(ratio $copy_col_rss $copy_heap_rss) |
| INSERT ... SELECT time (s) | $ins_heap_s | $ins_col_s | $(ratio $ins_col_s $ins_heap_s) |
| INSERT ... SELECT peak RSS (MB) | $((ins_heap_rss / 1024)) | $((ins_col_rss / 1024)) | $(ratio $ins_col_rss $ins_heap_rss) |
| pages read by a one-day count | $day_heap | $day_col | $(ratio $day_col $day_heap) |
| one-day count time (ms, best of 3) | $scan_heap_day | $scan_col_day | $(ratio $scan_col_day $scan_heap_day) |
| full-scan count/sum/avg time (ms, best of 3) | $scan_heap | $scan_col | $(ratio $scan_col $scan_heap) |

Checks: one-day count heap $day_count_heap, columnar $day_count_col; rows of columnar missing from heap: $same.
Peak RSS is the backend's VmHWM, which includes the shared buffers it touched.
EOF2

q -c "DROP TABLE bench_src, bench_heap, bench_col, bench_heap2, bench_col2" -c "DROP FUNCTION bench_foodlogstats(integer)"
