# biwh — PGXS build, tests, demo and benchmarks
#
#   make            build the shared library
#   make install    install into the PostgreSQL that PG_CONFIG names
#   make test       install what is missing (as root), build, run every test
#                   on a throwaway cluster; ends with "N passed, N failed"
#                   (REGRESS="a b" and TAP_TESTS="t/2*.pl" or "none" run a part)
#   make demo       the warehouse workflow end to end on a throwaway cluster
#                   (make demo KEEP=1 leaves it running and says how to stop it)
#   make bench      print the benchmark tables (BENCH_SIZE sets the data size,
#                   BENCH_ONLY="bi", "index" or "columnar,wh" runs some of them)

EXTENSION = biwh
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\(.*\)'/\1/p" $(EXTENSION).control)

# Each area keeps its own lists, so work on one does not touch the others.
CORE_OBJS = src/biwh.o
ENCODING_OBJS = src/columnar_encoding.o src/columnar_encoding_probe.o
COLUMNAR_OBJS = src/columnar_storage.o src/columnar_compression.o src/columnar_vector.o src/columnar_chunk.o \
	src/columnar_zonemap.o src/columnar_catalog.o src/columnar_options.o \
	src/columnar_writer.o src/columnar_parallel.o src/columnar_reader.o src/columnar_qual.o src/columnar_agg.o src/columnar_agg_serial.o src/columnar_agg_group.o src/columnar_agg_distinct.o src/columnar_agg_key.o src/columnar_agg_expr.o src/columnar_numeric.o \
	src/columnar_pipeline.o src/columnar_scan.o src/columnar_aggscan.o src/columnar_planner.o src/columnar_vacuum.o \
	src/columnar_tableam.o src/columnar_fetch.o src/columnar_indexpath.o src/columnar_guard.o src/columnar_inspect.o
WH_OBJS = src/wh_security.o src/wh_rollup_parse.o src/wh_rollup_route.o

# pg_regress tests, in order: sql/<name>.sql against expected/<name>.out
CORE_REGRESS = create_drop
ENCODING_REGRESS = columnar_encoding columnar_load
COLUMNAR_REGRESS = columnar_basic columnar_types columnar_transactions columnar_ddl columnar_options columnar_scan columnar_subxact columnar_minmax columnar_vacuum columnar_segments columnar_parallel columnar_agg columnar_complete columnar_index
WH_REGRESS = wh_api wh_rollup_parse wh_errors wh_security wh_untrusted wh_tenant_reader wh_inputs wh_pieces wh_close wh_storage wh_schedule wh_rollup wh_rollup_route

MODULE_big = biwh
OBJS = $(CORE_OBJS) $(ENCODING_OBJS) $(COLUMNAR_OBJS) $(WH_OBJS)
REGRESS = $(CORE_REGRESS) $(ENCODING_REGRESS) $(COLUMNAR_REGRESS) $(WH_REGRESS)

# The install script of the current version is built from the fragments in
# sql/install/, concatenated in name order (00_schemas.sql first); upgrade
# scripts biwh--A--B.sql are written by hand.
BIWH_INSTALL_SCRIPT = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA_built = $(BIWH_INSTALL_SCRIPT)
DATA = $(filter-out $(BIWH_INSTALL_SCRIPT),$(wildcard sql/$(EXTENSION)--*.sql))

PG_CPPFLAGS = -I$(srcdir)/src -I$(libpq_srcdir)
# libpq: wh_security.c checks that a tenant's source asks for its password
SHLIB_LINK = -lzstd $(libpq)

# Prefer PostgreSQL 15's own pg_config: /usr/bin/pg_config follows the newest
# server-dev package installed, which may be another major version.
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

# test, demo and bench install the build dependencies themselves, so they must
# work before PGXS exists on the machine.
ifneq ($(filter-out test demo bench,$(or $(MAKECMDGOALS),all)),)
ifeq ($(PGXS),)
$(error PostgreSQL 15 server development files not found: install postgresql-server-dev-15 and libzstd-dev, or run "make test" as root to install them)
endif
endif

ifneq ($(PGXS),)
include $(PGXS)
endif

$(BIWH_INSTALL_SCRIPT): $(sort $(wildcard sql/install/*.sql)) $(EXTENSION).control
	{ echo '-- $(notdir $@): generated from the fragments in sql/install; edit those'; \
	  echo; \
	  printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION) CASCADE" to load this file. \quit'; \
	  for f in $(sort $(wildcard sql/install/*.sql)); do echo; cat $$f; done; } > $@

# Rebuild every object when a header changes (on-page structs live there).
$(OBJS): $(wildcard src/*.h)

.PHONY: test demo bench

test:
	PG_CONFIG="$(PG_CONFIG)" REGRESS="$(REGRESS)" TAP_TESTS="$(TAP_TESTS)" test/harness.sh test

demo:
	PG_CONFIG="$(PG_CONFIG)" test/harness.sh demo $(if $(KEEP),--keep)

bench:
	PG_CONFIG="$(PG_CONFIG)" BENCH_SIZE="$(BENCH_SIZE)" BENCH_ONLY="$(BENCH_ONLY)" test/harness.sh bench
