#!/usr/bin/env bash
#
# harness.sh — run biwh's tests, demo or benchmarks on a throwaway cluster
#
#   test/harness.sh test            pg_regress tests ($REGRESS) and TAP tests
#   test/harness.sh demo [--keep]   the warehouse workflow end to end
#   test/harness.sh bench           the benchmark tables (BENCH_SIZE)
#
# Every mode does the same set-up:
#   1. as root, installs the Debian packages that are missing; as another
#      user, says which are missing and stops;
#   2. builds biwh, and installs it into a private copy of the PostgreSQL 15
#      installation under a fresh temporary directory (PostgreSQL finds its
#      share and lib directories relative to its binaries), so the system's
#      installation and clusters are never touched;
#   3. starts a cluster there, on a free port, listening on 127.0.0.1 and a
#      private socket directory, with pg_cron preloaded and
#      cron.database_name set to the test database;
#   4. runs as an unprivileged OS user: as root, everything from here on runs
#      as "postgres" (initdb refuses root).
# It stops what it started on every exit path.

set -euo pipefail

MODE=${1:-test}
shift || true

REPO=$(cd "$(dirname "$0")/.." && pwd)
PACKAGES="postgresql-15 postgresql-server-dev-15 postgresql-15-cron libzstd-dev libipc-run-perl python3-psycopg2 libpostgresql-jdbc-java default-jdk-headless"
RUN_USER=postgres
TEST_DB=biwh_regress

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'harness: %s\n' "$*" >&2; exit 1; }

# Install the Debian packages biwh needs that are not installed yet.
install_dependencies()
{
	local missing=""
	local p
	for p in $PACKAGES; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "missing Debian packages:$missing (install them as root, or run this as root)"
	fi
	log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# All of them, so the installed ones move to the same minor version as
	# the server development files.
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
}

# Build biwh and install it with a private copy of the server into $WORK/inst.
build_and_install()
{
	PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
	[ -x "$PG_CONFIG" ] || PG_CONFIG=$(command -v pg_config) || die "pg_config not found"
	log "building with $PG_CONFIG ($("$PG_CONFIG" --version))"
	make -C "$REPO" -s PG_CONFIG="$PG_CONFIG" >/dev/null

	local d
	for d in bindir sharedir pkglibdir; do
		d=$("$PG_CONFIG" --$d)
		mkdir -p "$WORK/inst$(dirname "$d")"
		cp -a "$d" "$WORK/inst$d"
	done
	make -C "$REPO" -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$WORK/inst" >/dev/null
	BINDIR=$WORK/inst$("$PG_CONFIG" --bindir)
	# .../lib/pgxs/src/makefiles/pgxs.mk -> .../lib/pgxs
	PGXS_DIR=$(dirname "$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")")
}

# Copy what the tests read into $WORK/src, so the run never needs access to
# the repository (which root may keep where "postgres" cannot read).
stage_sources()
{
	mkdir -p "$WORK/src"
	local d
	for d in sql expected test demo bench biwh.control META.json Makefile; do
		if [ -e "$REPO/$d" ]; then cp -a "$REPO/$d" "$WORK/src/"; fi
	done
}

# --- the part that runs as the unprivileged user -------------------------

# Write the settings every cluster of the run gets (also TAP ones, through
# TEMP_CONFIG): pg_cron preloaded, stable messages and time zone.
write_test_config()
{
	cat >"$WORK/test.conf" <<EOF
shared_preload_libraries = 'pg_cron'
cron.database_name = '$TEST_DB'
lc_messages = 'C'
timezone = 'UTC'
fsync = off
max_prepared_transactions = 10
max_worker_processes = 16
EOF
}

# Start the throwaway cluster on a free port; sets PGPORT and PGHOST.
start_cluster()
{
	export PATH="$BINDIR:$PATH"
	initdb -D "$WORK/data" -A trust -U postgres --no-sync -E UTF8 --locale=C >"$WORK/initdb.log" 2>&1 \
		|| { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
	mkdir -p "$WORK/sock"
	cat "$WORK/test.conf" >>"$WORK/data/postgresql.conf"
	cat >>"$WORK/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK/sock'
EOF
	# md5/scram over TCP for roles with a password, trust on the socket
	cat >"$WORK/data/pg_hba.conf" <<EOF
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
EOF
	local port tries=0
	while :; do
		port=$(( 20000 + (RANDOM % 20000) ))
		tries=$((tries + 1))
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue		# something already listens there
		fi
		if pg_ctl -D "$WORK/data" -l "$WORK/server.log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
			break
		fi
		[ $tries -ge 10 ] && { tail -20 "$WORK/server.log" >&2; die "could not start the cluster"; }
	done
	STARTED=1
	export PGPORT=$port PGHOST=$WORK/sock PGUSER=postgres
	createdb "$TEST_DB"
	log "cluster on port $PGPORT, data in $WORK/data"
}

stop_cluster()
{
	if [ "${STARTED:-0}" = 1 ]; then
		pg_ctl -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 \
			|| pg_ctl -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true
		STARTED=0
	fi
}

# Run the pg_regress tests; adds to PASSED and FAILED.
run_regress()
{
	[ -n "${REGRESS:-}" ] || return 0
	local out=$WORK/regress
	mkdir -p "$out"
	log "pg_regress:$REGRESS"
	# From the staged repository root, so tests can "\i sql/<file>.sql" as a
	# user would from a checkout.
	cd "$WORK/src"
	# shellcheck disable=SC2086
	"$PGXS_DIR/src/test/regress/pg_regress" --use-existing --bindir="$BINDIR" \
		--host="$PGHOST" --port="$PGPORT" --user=postgres --dbname="$TEST_DB" \
		--inputdir="$WORK/src" --outputdir="$out" $REGRESS \
		| tee "$out/pg_regress.log" || true
	local ok bad
	ok=$(grep -cE '^ *(test +)?[[:alnum:]_]+ +\.\.\. ok' "$out/pg_regress.log" || true)
	bad=$(grep -cE '^ *(test +)?[[:alnum:]_]+ +\.\.\. FAILED' "$out/pg_regress.log" || true)
	local total
	total=$(echo $REGRESS | wc -w)
	# a test that produced no line at all (pg_regress died) counts as failed
	if [ $((ok + bad)) -lt "$total" ]; then
		bad=$((total - ok))
	fi
	if [ -s "$out/regression.diffs" ]; then
		echo "---- regression.diffs ----"
		cat "$out/regression.diffs"
		echo "---- end of regression.diffs ----"
	fi
	PASSED=$((PASSED + ok))
	FAILED=$((FAILED + bad))
	cd "$WORK"
}

# Run the TAP tests (test/t/*.pl), each with its own clusters; adds to
# PASSED and FAILED, one per test file.
run_tap()
{
	local files
	# TAP_TESTS (e.g. "t/2*.pl", or "none") limits the run to some files
	# shellcheck disable=SC2086
	files=$(cd "$WORK/src/test" && ls ${TAP_TESTS:-t/*.pl} 2>/dev/null || true)
	[ -n "$files" ] || return 0
	log "TAP:" $files
	mkdir -p "$WORK/tap/tmp_check/log"
	local f
	for f in $files; do
		if (cd "$WORK/src/test" && \
			TESTDIR="$WORK/tap" PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
			TEMP_CONFIG="$WORK/test.conf" BIWH_SRC="$WORK/src" \
			env -u PGPORT -u PGHOST -u PGUSER -u PGDATABASE \
			prove -I "$PGXS_DIR/src/test/perl" --timer "$f"); then
			PASSED=$((PASSED + 1))
		else
			FAILED=$((FAILED + 1))
			for l in "$WORK"/tap/tmp_check/log/regress_log_*; do
				[ -f "$l" ] || continue
				echo "---- $l (last 40 lines) ----"
				tail -40 "$l"
			done
		fi
	done
}

inner_test()
{
	PASSED=0 FAILED=0
	write_test_config
	start_cluster
	run_regress
	stop_cluster
	run_tap
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
}

inner_demo()
{
	write_test_config
	start_cluster
	PGDATABASE=$TEST_DB BIWH_SRC="$WORK/src" bash "$WORK/src/demo/demo.sh"
	if [ "${KEEP:-0}" = 1 ]; then
		STARTED=0		# keep it running
		cat <<EOF

The demo cluster is still running.
  connect:  psql -h $PGHOST -p $PGPORT -U postgres $TEST_DB
            (or over TCP: psql -h 127.0.0.1 -p $PGPORT -U postgres $TEST_DB)
  stop:     ${AS_USER}$BINDIR/pg_ctl -D $WORK/data stop && rm -rf $WORK
EOF
	fi
}

inner_bench()
{
	write_test_config
	start_cluster
	PGDATABASE=$TEST_DB BIWH_SRC="$WORK/src" BENCH_SIZE="${BENCH_SIZE:-}" bash "$WORK/src/bench/run.sh"
}

# Entry point of the unprivileged part: "$0" inner MODE WORK BINDIR PGXS_DIR
if [ "$MODE" = inner ]; then
	MODE=$1 WORK=$2 BINDIR=$3 PGXS_DIR=$4
	STARTED=0
	trap stop_cluster EXIT
	trap 'exit 130' INT TERM
	cd "$WORK"
	"inner_$MODE"
	exit $?
fi

# --- the part that runs as the invoking user ------------------------------

case "$MODE" in
	test|demo|bench) ;;
	*) die "unknown mode \"$MODE\" (use test, demo or bench)" ;;
esac
KEEP=0
for a in "$@"; do
	case "$a" in
		--keep) KEEP=1 ;;
		*) die "unknown option \"$a\"" ;;
	esac
done

install_dependencies
WORK=$(mktemp -d "${TMPDIR:-/tmp}/biwh_$MODE.XXXXXX")
cleanup()
{
	local rc=$?
	if [ "$KEEP" = 1 ] && [ $rc -eq 0 ]; then
		return
	fi
	if [ $rc -ne 0 ] && [ "$MODE" = test ]; then
		log "failed: logs kept in $WORK"
		return
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
build_and_install
stage_sources

RUNNER=()
if [ "$(id -u)" -eq 0 ]; then
	id "$RUN_USER" >/dev/null 2>&1 || die "user \"$RUN_USER\" not found (it comes with the postgresql-15 package)"
	chown -R "$RUN_USER" "$WORK"
	chmod 755 "$WORK"
	RUNNER=(runuser -u "$RUN_USER" --)
fi
cp "$REPO/test/harness.sh" "$WORK/harness.sh"
"${RUNNER[@]}" env REGRESS="${REGRESS:-}" TAP_TESTS="${TAP_TESTS:-}" KEEP="$KEEP" BENCH_SIZE="${BENCH_SIZE:-}" \
	AS_USER="$([ ${#RUNNER[@]} -gt 0 ] && echo "runuser -u $RUN_USER -- ")" \
	bash "$WORK/harness.sh" inner "$MODE" "$WORK" "$BINDIR" "$PGXS_DIR"
