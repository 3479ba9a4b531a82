#!/usr/bin/env bash
# run.sh — biwh's benchmarks, run by "make bench" on a throwaway cluster
# (PGHOST, PGPORT, PGDATABASE point at it; BENCH_SIZE sets the data size).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
bash "$HERE/columnar_bench.sh"
bash "$HERE/wh_bench.sh"
