#!/usr/bin/env bash
# demo.sh — biwh's main job end to end, run by "make demo" on a throwaway
# cluster (PGHOST, PGPORT, PGDATABASE point at it; BIWH_SRC at the sources).
set -euo pipefail
psql -X -v ON_ERROR_STOP=1 -f "$BIWH_SRC/demo/demo.sql"
