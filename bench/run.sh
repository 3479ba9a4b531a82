#!/usr/bin/env bash
# run.sh — biwh's benchmarks, run by "make bench" on a throwaway cluster
# (PGHOST, PGPORT, PGDATABASE point at it; BENCH_SIZE sets the data size).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

echo "## Columnar tables against heap"
bash "$here/columnar_bench.sh"
echo
echo "## Warehouse layer"
bash "$here/wh_bench.sh"
