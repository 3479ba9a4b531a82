#!/usr/bin/env python3
"""bi_bench.py — run the BI query set on every engine, compare, print tables

Called by bi_bench.sh once the PostgreSQL tables are loaded (schemas
bench_heap and bench_col, each with foodlogstats and the partitioned
fls_master) and the CSV file they were loaded from is written.  Loads the
same CSV file into DuckDB (when bench/duckdb_bench.js can run), then runs
every query of bench/queries/*.sql on:

    heap                  search_path = bench_heap (parallel workers as set)
    columnar              search_path = bench_col
    columnar, vect. off   the same with SET biwh.enable_vectorization = off
    DuckDB                SET threads = 2, a file database

Each engine gets one session for the whole run (a psql process, or a
node process serving the DuckDB file), opened before the first query.
Per query: a warm-up run on every engine, whose rows are kept for the
comparison, then three rounds of heap, columnar, columnar off, DuckDB (so
that load from other jobs on the machine falls on all engines alike); the
figure is the median of an engine's three runs.  Times are client-side
wall time over that connection: psql's \\timing, and performance.now()
around DuckDB's runAndReadAll; both include reading every result row into
the client, neither includes connecting.

Answers: the columnar runs must return exactly heap's rows (compared as
sorted lines of psql's output).  DuckDB's rows are compared with heap's
after normalizing both: rows sorted; NULL as NULL; true/false and t/f as
one spelling; timestamps with six fractional digits; a number written
with a point or an exponent rounded to 12 significant digits (DuckDB
returns avg() as a double, PostgreSQL as a numeric with 16 or more
digits), an integer literal compared exactly.  Any difference is printed
as MISMATCH and makes the exit status 1, after everything is printed.

Environment: PGHOST/PGPORT/PGDATABASE (the cluster), BENCH_SIZE, BI_CSV
(the CSV file), BI_TMP (a scratch directory), BI_MASTER_SELECT (the SELECT
that fills fls_master from foodlogstats), BI_LOAD_TIMES (a file of
"label<TAB>seconds" lines), BIWH_DUCKDB_MODULES (where @duckdb/node-api is
installed) or BI_DUCKDB_UNAVAILABLE (why it is not).
"""

import decimal
import glob
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPS = 3
SIGNIFICANT_DIGITS = 12
NULL = "\\N"
GROUPS = {"filter": "filter-heavy queries (issue 7)", "bi": "BI aggregates (issue 8)"}

ENGINES = [
    # key, search_path, extra SET
    ("heap", "bench_heap", None),
    ("col", "bench_col", None),
    ("coloff", "bench_col", "SET biwh.enable_vectorization = off;"),
]


def psql(*args, sql=None):
    """Run psql with args (and sql on stdin); return (rc, stdout, stderr)."""
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *args],
                       input=sql, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def pg_value(sql):
    """Return the single value of a PostgreSQL query as text."""
    rc, out, err = psql("-At", "-c", sql)
    if rc != 0:
        raise RuntimeError(f"psql: {err.strip()}")
    return out.strip()


def parse_queries():
    """Return [(group, name, {engine: sql})] from bench/queries/*.sql."""
    queries = []
    for path in sorted(glob.glob(os.path.join(HERE, "queries", "*.sql")),
                       key=lambda p: list(GROUPS).index(os.path.basename(p)[:-4])
                       if os.path.basename(p)[:-4] in GROUPS else 99):
        group = os.path.basename(path)[:-4]
        name = None
        parts = {}
        part = "all"
        for line in open(path, encoding="utf-8"):
            m = re.match(r"--\s*name:\s*(\S+)", line)
            if m:
                if name:
                    queries.append((group, name, parts))
                name, parts, part = m.group(1), {"all": ""}, "all"
                continue
            m = re.match(r"--\s*(postgres|duckdb):\s*$", line)
            if m and name:
                part = m.group(1)
                parts.setdefault(part, "")
                continue
            if name and not line.lstrip().startswith("--"):
                parts[part] += line
        if name:
            queries.append((group, name, parts))
    result = []
    for group, name, parts in queries:
        common = parts.get("all", "").strip()
        sql = {"postgres": parts.get("postgres", "").strip() or common,
               "duckdb": parts.get("duckdb", "").strip() or common}
        for k, v in sql.items():
            if not v.endswith(";"):
                sys.exit(f"bi_bench.py: query {name} ({k}) does not end with \";\"")
        result.append((group, name, sql))
    return result


class PsqlSession:
    """One psql process, one connection, driven through its stdin and stdout."""

    def __init__(self, search_path, extra_sql):
        self.proc = subprocess.Popen(["psql", "-X", "-q"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        self.marks = 0
        self.send(r"\pset format unaligned", r"\pset tuples_only on",
                  r"\pset fieldsep '\t'", r"\pset null '\\N'",
                  f"SET search_path = {search_path}, public;", *([extra_sql] if extra_sql else []),
                  r"\timing on")
        self.wait()

    def send(self, *lines):
        self.proc.stdin.write("\n".join(lines) + "\n")
        self.proc.stdin.flush()

    def wait(self):
        """Return the output lines up to a fresh marker."""
        self.marks += 1
        mark = f"@@bi_bench {self.marks}"
        self.send(rf"\echo '{mark}'")
        out = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("psql ended: " + " ".join(out[-3:]))
            if line.rstrip("\n") == mark:
                return out
            out.append(line.rstrip("\n"))

    def run(self, sql, resultfile=None):
        """Run sql once (rows to resultfile, or dropped); return (ms, error)."""
        self.send(rf"\o {resultfile or '/dev/null'}", sql, r"\o /dev/null")
        out = self.wait()
        errors = [l for l in out if re.match(r"^(psql:\S* )?(ERROR|FATAL):", l)]
        if errors:
            return None, re.sub(r"^(psql:\S* )?(ERROR|FATAL):\s+", "", errors[0])
        times = [float(m) for l in out for m in re.findall(r"^Time: ([0-9.]+) ms", l)]
        if len(times) != 1:
            return None, f"expected one timing, got: {out}"
        return times[0], None

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def node(*args):
    """Run duckdb_bench.js; return its output or raise."""
    p = subprocess.run(["node", os.path.join(HERE, "duckdb_bench.js"), *args],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError((p.stderr or p.stdout).strip())
    return p.stdout.strip()


class DuckSession:
    """One duckdb_bench.js serve process on the database file: JSON lines."""

    def __init__(self, db):
        self.proc = subprocess.Popen(["node", os.path.join(HERE, "duckdb_bench.js"), "serve", db],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.ask({"sql": "SELECT 1"})

    def ask(self, request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("duckdb_bench.js serve ended")
        return json.loads(line)

    def run(self, sql, resultfile=None):
        """Run sql once (rows to resultfile, or dropped); return (ms, error)."""
        r = self.ask({"sql": sql, "result": resultfile})
        return r.get("ms"), r.get("error")

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def duckdb_columns():
    """Return the PostgreSQL table's columns as [[name, DuckDB type]]."""
    rows = pg_value("""
        SELECT json_agg(json_build_array(attname, format_type(atttypid, atttypmod)) ORDER BY attnum)
          FROM pg_attribute
         WHERE attrelid = 'bench_heap.foodlogstats'::regclass AND attnum > 0 AND NOT attisdropped""")
    cols = json.loads(rows)
    numeric = [c for c, t in cols if t == "numeric"]
    scales = {}
    if numeric:
        # an unconstrained numeric becomes DECIMAL(18, its largest scale),
        # checked to hold its largest value
        exprs = ", ".join(f"max(scale({c})), max(abs({c}))" for c in numeric)
        vals = pg_value(f"SELECT concat_ws(' ', {exprs}) FROM bench_heap.foodlogstats").split()
        for i, c in enumerate(numeric):
            scale, biggest = int(vals[2 * i]), decimal.Decimal(vals[2 * i + 1])
            if biggest >= decimal.Decimal(10) ** (18 - scale):
                sys.exit(f"bi_bench.py: column {c} does not fit DECIMAL(18,{scale})")
            scales[c] = scale
    types = {"integer": "INTEGER", "bigint": "BIGINT", "smallint": "SMALLINT",
             "text": "VARCHAR", "timestamp without time zone": "TIMESTAMP",
             "date": "DATE", "double precision": "DOUBLE", "boolean": "BOOLEAN"}
    out = []
    for c, t in cols:
        if t == "numeric":
            out.append([c, f"DECIMAL(18,{scales[c]})"])
        elif t in types:
            out.append([c, types[t]])
        else:
            sys.exit(f"bi_bench.py: no DuckDB type for column {c} ({t})")
    return out


TS_RE = re.compile(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$")
NUM_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
INT_RE = re.compile(r"^[+-]?\d+$")


def norm_cell(v):
    """Return one value in the form both engines' answers are compared in."""
    if v == NULL:
        return "NULL"
    if v in ("t", "true"):
        return "true"
    if v in ("f", "false"):
        return "false"
    m = TS_RE.match(v)
    if m:
        return f"{m.group(1)} {m.group(2)}.{(m.group(3) or '').ljust(6, '0')}"
    if INT_RE.match(v):
        return str(int(v))
    if NUM_RE.match(v):
        d = decimal.Decimal(v)
        if d == 0:
            return "0"
        q = decimal.Decimal(1).scaleb(d.adjusted() - SIGNIFICANT_DIGITS + 1)
        d = d.quantize(q, rounding=decimal.ROUND_HALF_EVEN).normalize()
        return format(d, "f")
    if v in ("NaN", "Infinity", "-Infinity", "inf", "-inf", "nan"):
        return v.lower().replace("infinity", "inf")
    return v


def read_rows(path):
    """Return the result file's lines."""
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def normalized(lines):
    """Return sorted rows of normalized cells."""
    return sorted("\t".join(norm_cell(c) for c in line.split("\t")) for line in lines)


def differences(a, b, limit=5):
    """Return up to limit lines of each side that the other lacks."""
    ca, cb = {}, {}
    for x in a:
        ca[x] = ca.get(x, 0) + 1
    for x in b:
        cb[x] = cb.get(x, 0) + 1
    only_a = [x for x in a if ca[x] > cb.get(x, 0)]
    only_b = [x for x in b if cb[x] > ca.get(x, 0)]
    return only_a[:limit], only_b[:limit], len(only_a), len(only_b)


def gmean(xs):
    """Geometric mean of positive numbers, or None."""
    xs = [x for x in xs if x is not None and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt_ms(x):
    if x is None:
        return "n/a"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def fmt_ratio(x):
    if x is None:
        return "n/a"
    return f"{x:,.0f}x" if x >= 100 else f"{x:.1f}x" if x >= 1 else f"{x:.2f}x"


def size(nbytes):
    return f"{nbytes / 1048576:,.1f} MB"


def machine_facts(duckdb_version):
    """Print what the run ran on."""
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1048576:.1f} GiB"
    except OSError:
        pass
    settings = pg_value("""SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
                             FROM pg_settings WHERE name IN ('max_parallel_workers_per_gather', 'jit',
                             'shared_buffers', 'work_mem', 'max_parallel_workers')""")
    print(f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"- machine: {os.cpu_count()} cores (nproc), {cpu}, {mem} RAM, {platform.system()} {platform.release()}")
    print(f"- PostgreSQL: {pg_value('SELECT version()')}")
    print(f"- PostgreSQL settings: {settings}")
    print(f"- DuckDB: {duckdb_version}")


def main():
    nrows = int(os.environ.get("BENCH_SIZE") or 1000000)
    tmp = os.environ["BI_TMP"]
    csv = os.environ["BI_CSV"]
    queries = parse_queries()

    # DuckDB: load the same CSV file, or say why not
    duck_db = os.path.join(tmp, "bench.duckdb")
    duck_reason = os.environ.get("BI_DUCKDB_UNAVAILABLE", "")
    duck_version = f"unavailable ({duck_reason})" if duck_reason else "?"
    duck_load = None
    load_times = []
    if os.environ.get("BI_LOAD_TIMES") and os.path.exists(os.environ["BI_LOAD_TIMES"]):
        load_times = [l.split("\t", 1) for l in read_rows(os.environ["BI_LOAD_TIMES"]) if l]
    if not duck_reason:
        try:
            duck_version = node("version")
            t0 = time.time()
            duck_load = json.loads(node("load", duck_db, csv, json.dumps(duckdb_columns()),
                                        os.environ["BI_MASTER_SELECT"]))
            load_times.append(["DuckDB read_csv + CREATE TABLE AS (both tables) + CHECKPOINT",
                               f"{time.time() - t0:.1f}"])
            if duck_load["rows"] != nrows:
                raise RuntimeError(f"DuckDB loaded {duck_load['rows']} rows, not {nrows}")
        except (RuntimeError, ValueError) as e:
            duck_reason = str(e).splitlines()[0] if str(e) else "load failed"
            duck_version = f"unavailable ({duck_reason})"
            duck_load = None

    # Is biwh.enable_vectorization a setting SET accepts (biwh's own or a
    # placeholder)?  After the library is loaded, a reserved prefix refuses it.
    rc, out, err = psql("-At", sql="SELECT count(*) FROM bench_col.foodlogstats WHERE false;\n"
                        "SET biwh.enable_vectorization = off;\n"
                        "SELECT count(*) FROM pg_settings WHERE name = 'biwh.enable_vectorization' "
                        "AND vartype <> 'string';\n")
    vect_off_ok = rc == 0
    vect_defined = vect_off_ok and out.strip().splitlines()[-1] == "1"

    print(f"### BI queries: heap, columnar and DuckDB on the same {nrows:,} rows, one run")
    print()
    machine_facts(duck_version)
    if vect_defined:
        print("- biwh.enable_vectorization: defined by biwh")
    elif vect_off_ok:
        print("- biwh.enable_vectorization: not defined by this build (a placeholder: "
              "the \"vectorization off\" column runs the same configuration as \"columnar\")")
    else:
        print(f"- biwh.enable_vectorization: SET refused ({err.strip().splitlines()[0] if err.strip() else rc}); "
              "the \"vectorization off\" column runs without it")
    print(f"- times: client-side wall time in ms over one connection per engine, median of {REPS}; "
          f"per query a warm-up on every engine, then {REPS} rounds of heap, columnar, columnar off, DuckDB; "
          f"speed-up = heap time / columnar time; "
          f"columnar / DuckDB = columnar time / DuckDB time")
    sys.stdout.flush()

    # one session per engine for the whole run; per query, a warm-up on
    # every engine, then REPS rounds of heap, columnar, columnar off, DuckDB,
    # so that a burst of load from other jobs falls on all of them alike
    sessions = {key: PsqlSession(path, extra if vect_off_ok else None)
                for key, path, extra in ENGINES}
    if duck_load:
        sessions["duck"] = DuckSession(duck_db)
    results = {}    # name -> engine -> (median ms, error)
    mismatches = []
    rows_of = {}
    for group, name, sql in queries:
        errors = {}
        times = {key: [] for key in sessions}
        for key, session in sessions.items():
            rfile = os.path.join(tmp, f"{name}.{key}.out")
            _, errors[key] = session.run(sql["duckdb" if key == "duck" else "postgres"], rfile)
        for _ in range(REPS):
            for key, session in sessions.items():
                if not errors[key]:
                    ms, errors[key] = session.run(sql["duckdb" if key == "duck" else "postgres"])
                    times[key].append(ms)
        results[name] = {key: (statistics.median(times[key]) if not errors[key] else None, errors[key])
                         for key in sessions}
        if "duck" not in results[name]:
            results[name]["duck"] = (None, None)

        # answers: the columnar runs exactly heap's rows, DuckDB's normalized
        for key in sessions:
            if errors[key]:
                mismatches.append((name, key, [f"ERROR: {errors[key]}"], [], 1, 0))
        if errors["heap"]:
            continue
        heap_lines = read_rows(os.path.join(tmp, f"{name}.heap.out"))
        rows_of[name] = len(heap_lines)
        for key in sessions:
            if key == "heap" or errors[key]:
                continue
            lines = read_rows(os.path.join(tmp, f"{name}.{key}.out"))
            if key == "duck":
                a, b, na, nb = differences(normalized(lines), normalized(heap_lines))
            else:
                a, b, na, nb = differences(sorted(lines), sorted(heap_lines))
            if na or nb:
                mismatches.append((name, key, a, b, na, nb))
        r = results[name]
        print(f"  {name}: " + ", ".join(f"{k} {fmt_ms(r[k][0])}" for k in r), file=sys.stderr)
    for session in sessions.values():
        session.close()

    # the tables, one per group, each with its geometric means
    for group in GROUPS:
        names = [n for g, n, _ in queries if g == group]
        if not names:
            continue
        print()
        print(f"#### {GROUPS[group]}")
        print()
        print("| query | rows | heap ms | columnar ms | columnar, vectorization off ms | DuckDB ms "
              "| columnar speed-up over heap | columnar / DuckDB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        cols = {k: [] for k in ("heap", "col", "coloff", "duck")}
        for n in names:
            r = results[n]
            med = {k: r[k][0] for k in cols}
            for k in cols:
                cols[k].append(med[k])
            speed = med["heap"] / med["col"] if med["heap"] and med["col"] else None
            vs_duck = med["col"] / med["duck"] if med["col"] and med["duck"] else None
            cells = [fmt_ms(med[k]) if not r[k][1] else "error" for k in cols]
            print(f"| {n} | {rows_of.get(n, '?')} | " + " | ".join(cells)
                  + f" | {fmt_ratio(speed)} | {fmt_ratio(vs_duck)} |")
        g = {k: gmean(v) for k, v in cols.items()}
        speed = g["heap"] / g["col"] if g["heap"] and g["col"] else None
        vs_duck = g["col"] / g["duck"] if g["col"] and g["duck"] else None
        print(f"| **geometric mean ({len(names)} queries)** | | " + " | ".join(fmt_ms(g[k]) for k in cols)
              + f" | **{fmt_ratio(speed)}** | **{fmt_ratio(vs_duck)}** |")

    # sizes
    def relsize(rel):
        return int(pg_value(f"""SELECT coalesce((SELECT sum(pg_total_relation_size(relid))
                                                   FROM pg_partition_tree('{rel}') WHERE isleaf),
                                                pg_total_relation_size('{rel}'))"""))
    print()
    print("#### On-disk size and load")
    print()
    print("| | heap | columnar | DuckDB |")
    print("|---|---:|---:|---:|")
    fh, fc = relsize("bench_heap.foodlogstats"), relsize("bench_col.foodlogstats")
    mh, mc = relsize("bench_heap.fls_master"), relsize("bench_col.fls_master")
    df = size(duck_load["bytes_foodlogstats"]) if duck_load else "n/a"
    dt = size(duck_load["bytes_total"]) if duck_load else "n/a"
    print(f"| foodlogstats ({nrows:,} rows) | {size(fh)} | {size(fc)} ({fc / fh:.3f} of heap) | {df} (file) |")
    nmaster = pg_value("SELECT count(*) FROM bench_heap.fls_master")
    print(f"| fls_master ({int(nmaster):,} rows, 600 leaves) | {size(mh)} | {size(mc)} | |")
    print(f"| DuckDB file with both tables | | | {dt} |")
    print()
    print(f"CSV file: {size(os.path.getsize(csv))}. Load times: "
          + "; ".join(f"{label} {secs} s" for label, secs in load_times) + ".")

    # answers
    print()
    names = {"col": "columnar", "coloff": "columnar (vectorization off)", "duck": "DuckDB"}
    if not mismatches:
        engines = "heap, columnar, columnar with vectorization off"
        if duck_load:
            engines += f" and DuckDB (compared to {SIGNIFICANT_DIGITS} significant digits)"
        print(f"Answers: all {len(queries)} queries return the same rows on {engines}.")
    for name, key, a, b, na, nb in mismatches:
        if a and a[0].startswith("ERROR:"):
            print(f"MISMATCH {name}: {names.get(key, key)} failed: {a[0]}")
            continue
        print(f"MISMATCH {name}: {names.get(key, key)} differs from heap "
              f"({na} rows only in {names.get(key, key)}, {nb} only in heap)")
        for x in a:
            print(f"    {names.get(key, key)}: {x}")
        for x in b:
            print(f"    heap:     {x}")
    if not duck_load:
        print(f"DuckDB unavailable: {duck_reason}; the PostgreSQL figures above stand alone.")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
