#!/usr/bin/env bash
#
# columnar_bench.sh — columnar against heap on the seed's foodlogstats report
#
# Generates BENCH_SIZE rows (default 1,000,000) of the 20-column report over
# a year, loads them into a heap table and a columnar table on the same
# server, and prints one table of ratios: on-disk size, COPY and INSERT ...
# SELECT time, peak memory of the loading backend, pages read by a one-day
# count, and full-scan count(*)/sum times (median of 3).  Runs on the
# cluster that PGHOST/PGPORT/PGDATABASE name (make bench starts one).
set -euo pipefail

N=${BENCH_SIZE:-1000000}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At)

# Print the wall time in ms of running the given psql arguments.
ms()
{
	local t0 t1
	t0=$(date +%s%N)
	"${PSQL[@]}" "$@" >/dev/null
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}

# Median of three timings of one query.
median3()
{
	local a b c
	a=$(ms -c "$1"); b=$(ms -c "$1"); c=$(ms -c "$1")
	printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | sed -n 2p
}

# Peak resident memory (VmHWM, kB) of a backend after running a statement in
# it; VmHWM counts the shared buffers the backend touched as well.
peak_kb()
{
	"${PSQL[@]}" -c "$1" -c "SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+(\d+)'))[1]" | tail -1
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == 0 || b == 0) print "n/a"; else printf "%.2f", a / b }'; }

HAVE_COLUMNAR=$("${PSQL[@]}" -c "SELECT count(*) FROM pg_am WHERE amname = 'columnar'")
if [ "$HAVE_COLUMNAR" = 0 ]; then
	"${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS biwh CASCADE" 2>/dev/null || true
	HAVE_COLUMNAR=$("${PSQL[@]}" -c "SELECT count(*) FROM pg_am WHERE amname = 'columnar'")
fi

echo "## Columnar vs heap: foodlogstats, $N rows"
echo
"${PSQL[@]}" -f "$HERE/foodlogstats_gen.sql"
"${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_src, bench_h, bench_c, bench_h2, bench_c2" 2>/dev/null
"${PSQL[@]}" -o /dev/null -c "SELECT setseed(0.42)" -c "CREATE UNLOGGED TABLE bench_src AS SELECT * FROM bench_foodlogstats($N)"
"${PSQL[@]}" -c "COPY bench_src TO '$TMP/foodlogstats.csv' (FORMAT csv)"
"${PSQL[@]}" -c "CREATE TABLE bench_h (LIKE bench_src)" -c "CREATE TABLE bench_h2 (LIKE bench_src)"
if [ "$HAVE_COLUMNAR" = 0 ]; then
	echo "The columnar access method is not available in this build: heap figures only."
	echo
fi
[ "$HAVE_COLUMNAR" = 1 ] && "${PSQL[@]}" -c "CREATE TABLE bench_c (LIKE bench_src) USING columnar" \
	-c "CREATE TABLE bench_c2 (LIKE bench_src) USING columnar"
"${PSQL[@]}" -c "CHECKPOINT"

copy_h=$(ms -c "COPY bench_h FROM '$TMP/foodlogstats.csv' (FORMAT csv)")
ins_h=$(ms -c "INSERT INTO bench_h2 SELECT * FROM bench_src")
mem_h=$(peak_kb "TRUNCATE bench_h2; INSERT INTO bench_h2 SELECT * FROM bench_src")
copy_c=0 ins_c=0 mem_c=0
if [ "$HAVE_COLUMNAR" = 1 ]; then
	copy_c=$(ms -c "COPY bench_c FROM '$TMP/foodlogstats.csv' (FORMAT csv)")
	ins_c=$(ms -c "INSERT INTO bench_c2 SELECT * FROM bench_src")
	mem_c=$(peak_kb "TRUNCATE bench_c2; INSERT INTO bench_c2 SELECT * FROM bench_src")
fi
"${PSQL[@]}" -c "VACUUM ANALYZE bench_h"
[ "$HAVE_COLUMNAR" = 1 ] && "${PSQL[@]}" -c "VACUUM ANALYZE bench_c"

size_h=$("${PSQL[@]}" -c "SELECT pg_total_relation_size('bench_h')")
size_c=0
[ "$HAVE_COLUMNAR" = 1 ] && size_c=$("${PSQL[@]}" -c "SELECT pg_total_relation_size('bench_c')")

# Blocks touched by a one-day count, against the table's blocks.
DAY="logged_time >= '2025-06-01' AND logged_time < '2025-06-02'"
blocks()
{
	"${PSQL[@]}" -c "CREATE FUNCTION pg_temp.blocks(q text) RETURNS bigint LANGUAGE plpgsql AS \$\$
		DECLARE j json;
		BEGIN
			EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ' || q INTO j;
			RETURN (j->0->'Plan'->>'Shared Hit Blocks')::bigint
				 + (j->0->'Plan'->>'Shared Read Blocks')::bigint;
		END \$\$" \
		-c "SELECT pg_temp.blocks(\$q\$SELECT count(*) FROM $1 WHERE $DAY\$q\$)" | tail -1
}
pages_h=$(( size_h / 8192 ))
day_h=$(blocks bench_h)
day_c=0 pages_c=0
if [ "$HAVE_COLUMNAR" = 1 ]; then
	pages_c=$(( size_c / 8192 ))
	day_c=$(blocks bench_c)
	# the same answer from both
	"${PSQL[@]}" -c "SELECT CASE WHEN (SELECT count(*) FROM bench_h WHERE $DAY) = (SELECT count(*) FROM bench_c WHERE $DAY) THEN 1 ELSE 1/0 END"
fi

FULL="SELECT count(*), sum(weight), sum(quantity) FROM"
scan_h=$(median3 "$FULL bench_h")
scan_c=0
if [ "$HAVE_COLUMNAR" = 1 ]; then
	scan_c=$(median3 "$FULL bench_c")
	"${PSQL[@]}" -c "SELECT CASE WHEN (SELECT row($FULL bench_h)::text) = (SELECT row($FULL bench_c)::text) THEN 1 ELSE 1/0 END" >/dev/null
fi

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f %%", 100 * a / b }'; }
echo "| measure | heap | columnar | columnar / heap | goal |"
echo "|---|---:|---:|---:|---|"
echo "| on-disk size (MB) | $((size_h / 1048576)) | $((size_c / 1048576)) | $(ratio "$size_c" "$size_h") | ≤ 0.10 |"
echo "| COPY (ms) | $copy_h | $copy_c | $(ratio "$copy_c" "$copy_h") | ≤ 1.00 |"
echo "| INSERT ... SELECT (ms) | $ins_h | $ins_c | $(ratio "$ins_c" "$ins_h") | ≤ 1.00 |"
echo "| peak RSS of the loading backend (MB) | $((mem_h / 1024)) | $((mem_c / 1024)) | $(ratio "$mem_c" "$mem_h") | columnar < 256 MB |"
echo "| blocks read by a one-day count | $day_h ($(pct "$day_h" "$pages_h")) | $day_c ($(pct "$day_c" "$pages_c")) | $(ratio "$day_c" "$day_h") | columnar < 2 % of its pages |"
echo "| full scan count/sum (ms, median of 3) | $scan_h | $scan_c | $(ratio "$scan_c" "$scan_h") | |"
echo
"${PSQL[@]}" -c "DROP TABLE bench_src, bench_h, bench_h2" -c "DROP FUNCTION bench_foodlogstats(bigint, int)"
[ "$HAVE_COLUMNAR" = 1 ] && "${PSQL[@]}" -c "DROP TABLE bench_c, bench_c2"
exit 0
