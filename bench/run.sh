#!/usr/bin/env bash
# run.sh — biwh's benchmarks, run by "make bench" on a throwaway cluster
# (PGHOST, PGPORT, PGDATABASE point at it; BENCH_SIZE sets the data size).
# BENCH_ONLY (e.g. "bi", or "columnar,wh") runs some of the parts:
#   columnar  columnar_bench.sh, load and size against heap
#   wh        wh_bench.sh, the warehouse layer
#   bi        bi_bench.sh, BI queries on heap, columnar and DuckDB
#   index     index_bench.sh, B-tree build, lookups and range scans
#   rollup    wh_rollup_bench.sh, a dashboard with rollup routing on and off
# Every selected part runs; the exit status is non-zero if any failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

parts=${BENCH_ONLY:-columnar,wh,bi,index,rollup}
parts=${parts//,/ }
for p in $parts; do
	case "$p" in
		columnar|wh|bi|index|rollup) ;;
		*) echo "run.sh: unknown benchmark \"$p\" in BENCH_ONLY (use columnar, wh, bi, index, rollup)" >&2; exit 2 ;;
	esac
done
want() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }

rc=0
if want columnar; then
	echo "## Columnar tables against heap"
	bash "$here/columnar_bench.sh" || rc=1
	echo
fi
if want wh; then
	echo "## Warehouse layer"
	bash "$here/wh_bench.sh" || rc=1
	echo
fi
if want bi; then
	echo "## BI queries: heap, columnar, DuckDB"
	bash "$here/bi_bench.sh" || rc=1
	echo
fi
if want index; then
	echo "## Indexes on columnar tables against heap"
	bash "$here/index_bench.sh" || rc=1
	echo
fi
if want rollup; then
	echo "## Rollup routing"
	bash "$here/wh_rollup_bench.sh" || rc=1
fi
exit $rc
