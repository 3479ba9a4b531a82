#!/usr/bin/env bash
# demo.sh — biwh's main job end to end, run by "make demo" on a throwaway
# cluster (PGHOST, PGPORT, PGDATABASE point at it; BIWH_SRC at the sources).
#
# Two tenant source databases of different sizes are created on the demo
# cluster and reached over TCP (127.0.0.1) with password authentication, as
# remote tenants would be; the seed's Typical Workflow then runs as written,
# a few BI questions are answered from public.foodlogstats, the tenants are
# scheduled with pg_cron, the dispatcher runs once, and the monitoring views
# are printed.
set -euo pipefail
cd "$BIWH_SRC"		# so that "\i sql/template-foodlogstats.sql" works as written
psql -X -v ON_ERROR_STOP=1 -v port="$PGPORT" -f demo/demo.sql
