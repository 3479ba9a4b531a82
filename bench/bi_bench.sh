#!/usr/bin/env bash
# bi_bench.sh — BI queries on heap, columnar and DuckDB, same data, one run
#
# Writes BENCH_SIZE rows (default 1,000,000) of the foodlogstats report
# (bench/foodlogstats.sql) once to a CSV file and loads that file into a
# heap table (bench_heap.foodlogstats) and a columnar one
# (bench_col.foodlogstats); builds the warehouse's master shape from the
# first 60 days of them in each schema (fls_master: LIST (schema_name) over
# 10 tenants, RANGE (logged_time) over 60 daily leaves each, heap leaves in
# bench_heap, columnar leaves in bench_col).  Installs DuckDB's Node.js
# client (@duckdb/node-api, pinned) with npm into a cache directory outside
# the repository, reused across runs; then bi_bench.py loads the same CSV
# file into DuckDB, runs bench/queries/*.sql everywhere, compares the
# answers and prints the tables.  Without npm, node or the registry the
# PostgreSQL figures are still printed and DuckDB is said to be unavailable.
#
# PGHOST, PGPORT, PGDATABASE: a superuser connection to a cluster with biwh
# available.  Exits non-zero when any answer differs (after printing all).
# Leaves nothing behind but the npm cache.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

N=${BENCH_SIZE:-1000000}
[ -n "$N" ] || N=1000000
DUCKDB_NODE_API=1.5.6-r.1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/biwh_bi.XXXXXX")
chmod 755 "$TMP"
CSV=$TMP/foodlogstats.csv
q() { psql -X -At -v ON_ERROR_STOP=1 -q "$@"; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{$(now) - $1:.1f}')"; }

cleanup()
{
	q -c "SET client_min_messages = warning" \
	  -c "DROP SCHEMA IF EXISTS bench_heap, bench_col CASCADE" \
	  -c "DROP FUNCTION IF EXISTS bench_foodlogstats(integer)" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

# The rows of the master: tenant t01..t10 from the id, the first 60 days.
# The same text fills DuckDB's flat fls_master from its foodlogstats.
MASTER_SELECT="SELECT 't' || lpad(CAST(1 + id % 10 AS TEXT), 2, '0') AS schema_name, * FROM foodlogstats WHERE logged_time < TIMESTAMP '2025-03-02' ORDER BY 1, logged_time"

# Install @duckdb/node-api into the cache (once); set BIWH_DUCKDB_MODULES,
# or BI_DUCKDB_UNAVAILABLE to the reason it cannot be had.
install_duckdb()
{
	local base=${XDG_CACHE_HOME:-$HOME/.cache}/biwh-bench
	if ! mkdir -p "$base" 2>/dev/null || [ ! -w "$base" ]; then
		base=$TMP/cache		# not reused: the cache directory is not writable
	fi
	local dir=$base/duckdb-$DUCKDB_NODE_API
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		BI_DUCKDB_UNAVAILABLE="node or npm not installed"
		return
	fi
	if [ ! -f "$dir/node_modules/@duckdb/node-api/package.json" ]; then
		echo "== installing @duckdb/node-api@$DUCKDB_NODE_API into $dir" >&2
		mkdir -p "$dir"
		if ! timeout 600 npm install --prefix "$dir" --cache "$base/npm-cache" \
				--no-audit --no-fund --loglevel=error \
				"@duckdb/node-api@$DUCKDB_NODE_API" >"$TMP/npm.log" 2>&1; then
			BI_DUCKDB_UNAVAILABLE="npm install @duckdb/node-api@$DUCKDB_NODE_API failed: $(grep -m1 -i err "$TMP/npm.log" || tail -1 "$TMP/npm.log")"
			rm -rf "$dir"
			return
		fi
	fi
	BIWH_DUCKDB_MODULES=$dir
}

BI_DUCKDB_UNAVAILABLE=
BIWH_DUCKDB_MODULES=
install_duckdb

q -c "CREATE EXTENSION IF NOT EXISTS biwh CASCADE" 2>/dev/null
q -f "$here/foodlogstats.sql"
q <<SQL
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench_heap, bench_col CASCADE;
CREATE SCHEMA bench_heap;
CREATE SCHEMA bench_col;
CREATE TABLE bench_heap.foodlogstats AS SELECT * FROM bench_foodlogstats(0);
CREATE TABLE bench_col.foodlogstats (LIKE bench_heap.foodlogstats) USING columnar;
SQL

echo "== BI benchmark: writing $N rows to $CSV" >&2
: >"$TMP/load_times"
t0=$(now)
q -c "COPY (SELECT * FROM bench_foodlogstats($N)) TO '$CSV' WITH (FORMAT csv, HEADER)"
printf '%s\t%s\n' "generating the CSV file" "$(since "$t0")" >>"$TMP/load_times"
for am in heap col; do
	t0=$(now)
	q -c "COPY bench_$am.foodlogstats FROM '$CSV' WITH (FORMAT csv, HEADER)"
	printf '%s\t%s\n' "COPY into $([ $am = heap ] && echo heap || echo columnar)" "$(since "$t0")" >>"$TMP/load_times"
done

# The master trees, filled from the heap table (the same rows in both)
echo "== BI benchmark: the master shape, 10 tenants x 60 days, in both schemas" >&2
q <<SQL
DO \$\$
DECLARE
	s		text;
	t		text;
	d		date;
BEGIN
	FOREACH s IN ARRAY ARRAY['bench_heap', 'bench_col'] LOOP
		EXECUTE format('CREATE TABLE %I.fls_master (schema_name text NOT NULL, LIKE %I.foodlogstats) '
					   'PARTITION BY LIST (schema_name)', s, s);
		FOR t IN SELECT 't' || lpad(g::text, 2, '0') FROM generate_series(1, 10) g LOOP
			EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.fls_master FOR VALUES IN (%L) '
						   'PARTITION BY RANGE (logged_time)', s, 'fls_' || t, s, t);
			FOR d IN SELECT g::date FROM generate_series(date '2025-01-01', date '2025-03-01', interval '1 day') g LOOP
				EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L) USING %s',
							   s, 'fls_' || t || '_' || to_char(d, 'YYYYMMDD'), s, 'fls_' || t,
							   d, d + 1, CASE s WHEN 'bench_heap' THEN 'heap' ELSE 'columnar' END);
			END LOOP;
		END LOOP;
	END LOOP;
END
\$\$;
SET search_path = bench_heap;
INSERT INTO bench_heap.fls_master $MASTER_SELECT;
INSERT INTO bench_col.fls_master $MASTER_SELECT;
SQL
t0=$(now)
q -c "VACUUM ANALYZE bench_heap.foodlogstats" -c "ANALYZE bench_col.foodlogstats" \
  -c "VACUUM ANALYZE bench_heap.fls_master" -c "ANALYZE bench_col.fls_master" -c "CHECKPOINT"
printf '%s\t%s\n' "VACUUM ANALYZE (heap) and ANALYZE (columnar) of both tables" "$(since "$t0")" >>"$TMP/load_times"

echo "== BI benchmark: running the queries" >&2
BENCH_SIZE=$N BI_TMP=$TMP BI_CSV=$CSV BI_MASTER_SELECT=$MASTER_SELECT \
	BI_LOAD_TIMES=$TMP/load_times BIWH_DUCKDB_MODULES=$BIWH_DUCKDB_MODULES \
	BI_DUCKDB_UNAVAILABLE=$BI_DUCKDB_UNAVAILABLE \
	python3 "$here/bi_bench.py"
