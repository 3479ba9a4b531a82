--
-- columnar_agg: GROUP BY and aggregates over one columnar table are
-- computed on column vectors by the ColumnarAgg node: final results in one
-- node, partial states below a Finalize Aggregate (serial, or parallel
-- below a Gather).  Every answer (rows, NULLs, display scales, errors)
-- equals the same query's on a heap copy; what the node does not do is
-- left to PostgreSQL's plan.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
SET max_parallel_workers_per_gather = 0;

CREATE TABLE h (id int, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8,
	n numeric, nn numeric(12,3), d date, tm time, ts timestamp, tz timestamptz,
	iv interval, tx text, tc text COLLATE "C", vc varchar(12), bc char(4), b bool,
	g int, s text);
INSERT INTO h SELECT x,
	CASE WHEN x % 11 = 0 THEN NULL ELSE (x % 300 - 150)::int2 END,
	CASE WHEN x % 13 = 0 THEN NULL ELSE x * 7919 % 100003 - 50000 END,
	CASE WHEN x % 17 = 0 THEN NULL ELSE x::int8 * 1000000007 END,
	CASE WHEN x % 19 = 0 THEN NULL ELSE (x % 1000) / 8.0 END,
	CASE WHEN x % 23 = 0 THEN NULL ELSE (x % 997) / 4.0 - 100 END,
	CASE WHEN x % 29 = 0 THEN NULL ELSE round((x % 5003) / 7.0, x % 4) END,
	CASE WHEN x % 31 = 0 THEN NULL ELSE (x % 7001) / 3.0 END,
	CASE WHEN x % 37 = 0 THEN NULL ELSE date '2025-01-01' + x % 400 END,
	CASE WHEN x % 41 = 0 THEN NULL ELSE time '00:00' + x * interval '17 seconds' END,
	CASE WHEN x % 43 = 0 THEN NULL ELSE timestamp '2025-01-01' + x * interval '7 minutes' END,
	CASE WHEN x % 47 = 0 THEN NULL ELSE timestamptz '2025-01-01 00:00+00' + x * interval '11 minutes' END,
	CASE WHEN x % 53 = 0 THEN NULL ELSE (x % 500) * interval '1 hour 1 second' END,
	CASE WHEN x % 59 = 0 THEN NULL ELSE (ARRAY['apple', 'Apple', 'banana', 'cherry', 'äpfel', 'Zebra'])[x % 6 + 1] END,
	CASE WHEN x % 61 = 0 THEN NULL ELSE (ARRAY['apple', 'Apple', 'banana', 'Zebra'])[x % 4 + 1] END,
	CASE WHEN x % 67 = 0 THEN NULL ELSE 'v' || (x % 250) END,
	CASE WHEN x % 71 = 0 THEN NULL ELSE (ARRAY['ab', 'ab  ', 'c', 'dd'])[x % 4 + 1] END,
	CASE WHEN x % 73 = 0 THEN NULL ELSE x % 3 = 0 END,
	x % 9,
	'store ' || (x % 12)
  FROM generate_series(1, 30000) x;
-- a group whose numerics and floats are NULL or special only
INSERT INTO h (id, n, f8, g, s) VALUES (30001, 'NaN', 'NaN', 100, 'special'),
	(30002, 'Infinity', 'Infinity', 101, 'special'), (30003, NULL, NULL, 102, 'special'),
	(30004, '-Infinity', '-Infinity', 101, 'special');
CREATE TABLE c (LIKE h) USING columnar WITH (row_group_size = 8000);
INSERT INTO c SELECT * FROM h;  -- in the heap's order: float sums add up alike
ANALYZE h;
ANALYZE c;

-- agg(q): how q (naming table "t") is planned on c (a ColumnarAgg with
-- final results, a partial one below a Finalize Aggregate, a parallel
-- partial one, or PostgreSQL's own plan), and whether it gives the same
-- rows (count and md5 of their sorted text), or the same error, as on h
-- (or on tables ct and ht)
CREATE FUNCTION agg(q text, ct text DEFAULT 'c', ht text DEFAULT 'h') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	digest text := 'SELECT count(*) || '' rows '' || coalesce(md5(string_agg(x, E''\n'' ORDER BY x)), '''')
					  FROM (SELECT r::text AS x FROM (%s) r) s';
	qc text := replace(q, ' t ', ' ' || ct || ' ');
	line text;
	plan text := 'PostgreSQL';
	dc text;
	dh text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || qc LOOP
		IF line LIKE '%Parallel Custom Scan (ColumnarAgg)%' THEN
			plan := 'parallel partial ColumnarAgg';
		ELSIF line LIKE '%Custom Scan (ColumnarAgg)%' THEN
			plan := 'ColumnarAgg';
		ELSIF line LIKE '%Partial: true%' AND plan = 'ColumnarAgg' THEN
			plan := 'partial ColumnarAgg';
		END IF;
	END LOOP;
	BEGIN
		EXECUTE format(digest, qc) INTO dc;
	EXCEPTION WHEN OTHERS THEN
		dc := 'error: ' || SQLERRM;
	END;
	BEGIN
		EXECUTE format(digest, replace(q, ' t ', ' ' || ht || ' ')) INTO dh;
	EXCEPTION WHEN OTHERS THEN
		dh := 'error: ' || SQLERRM;
	END;
	IF dc = dh THEN
		RETURN format('%s; same as heap; %s', plan,
					  CASE WHEN dc LIKE 'error:%' THEN dc ELSE split_part(dc, ' ', 1) || ' rows' END);
	END IF;
	RETURN format('%s; DIFFERS: %s / heap %s', plan, dc, dh);
END $$;

-- the plans
EXPLAIN (COSTS OFF) SELECT count(*) FROM c;
EXPLAIN (COSTS OFF) SELECT s, count(*), sum(i4) FROM c WHERE g > 2 GROUP BY s HAVING sum(i8) > 0;
EXPLAIN (COSTS OFF, VERBOSE) SELECT g, b, avg(n) FROM c GROUP BY g, b;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF)
	SELECT s, count(*) FROM c WHERE g = 4 GROUP BY s;

-- every aggregate of every type, without groups
SELECT q, agg(q) FROM (VALUES
	('SELECT count(*) FROM t '),
	('SELECT count(i2), count(i8), count(f4), count(n), count(d), count(iv), count(tx), count(bc), count(b) FROM t '),
	('SELECT sum(i2), sum(i4), sum(i8) FROM t '),
	('SELECT sum(f4), sum(f8) FROM t '),
	('SELECT sum(n), sum(nn), sum(iv) FROM t '),
	('SELECT avg(i2), avg(i4), avg(i8) FROM t '),
	('SELECT avg(f4), avg(f8), avg(n), avg(nn), avg(iv) FROM t '),
	('SELECT min(i2), max(i2), min(i4), max(i4), min(i8), max(i8) FROM t '),
	('SELECT min(f4), max(f4), min(f8), max(f8), min(n), max(n), min(nn), max(nn) FROM t '),
	('SELECT min(d), max(d), min(tm), max(tm), min(ts), max(ts), min(tz), max(tz), min(iv), max(iv) FROM t '),
	('SELECT min(tx), max(tx), min(tc), max(tc), min(vc), max(vc), min(bc), max(bc) FROM t '),
	('SELECT min(tx COLLATE "C"), max(tc COLLATE "en-x-icu") FROM t '),
	('SELECT bool_and(b), bool_or(b), every(b) FROM t '),
	('SELECT count(*), sum(i4), avg(n), min(tx), max(d), bool_or(b) FROM t WHERE id < 0'),
	('SELECT count(*), sum(n), avg(f8), min(n), max(f8) FROM t WHERE s = ''special'''),
	('SELECT count(*), sum(n), avg(n), sum(f8), avg(f8) FROM t WHERE g = 101'),
	('SELECT count(*), sum(n), avg(n), sum(f8) FROM t WHERE g = 100')
) v(q);

-- groups: by one key of each kind, by several, with WHERE, FILTER, HAVING
SELECT q, agg(q) FROM (VALUES
	('SELECT g, count(*), sum(i4), avg(n), min(tx), max(ts) FROM t GROUP BY g'),
	('SELECT s, count(*), sum(i8), avg(i8), sum(nn), min(f8), max(f4) FROM t GROUP BY s'),
	('SELECT tx, count(*), sum(n), max(tc) FROM t GROUP BY tx'),
	('SELECT tc, count(*), min(tx) FROM t GROUP BY tc'),
	('SELECT vc, count(*), avg(i2) FROM t GROUP BY vc'),
	('SELECT bc, count(*), max(bc) FROM t GROUP BY bc'),
	('SELECT b, count(*), bool_and(b), sum(f8) FROM t GROUP BY b'),
	('SELECT d, count(*), sum(iv), avg(iv) FROM t GROUP BY d'),
	('SELECT ts, count(*) FROM t GROUP BY ts'),
	('SELECT i8, count(*), sum(i4) FROM t GROUP BY i8'),
	('SELECT nn, count(*), min(id) FROM t GROUP BY nn'),
	('SELECT n, count(*) FROM t GROUP BY n'),
	('SELECT f8, count(*) FROM t GROUP BY f8'),
	('SELECT g, b, count(*), sum(i4) FROM t GROUP BY g, b'),
	('SELECT s, tx, bc, count(*), avg(nn) FROM t GROUP BY s, tx, bc'),
	('SELECT i4, s, count(*) FROM t GROUP BY i4, s'),
	('SELECT g FROM t GROUP BY g'),
	('SELECT g, count(*) FROM t WHERE s IN (''store 1'', ''store 7'') AND i4 > 0 GROUP BY g'),
	('SELECT s, sum(n) FROM t WHERE d BETWEEN ''2025-02-01'' AND ''2025-03-01'' OR tc = ''Zebra'' GROUP BY s'),
	('SELECT g, count(*) FROM t WHERE tx LIKE ''a%'' GROUP BY g'),
	('SELECT g, count(*) FILTER (WHERE i4 > 0), sum(n) FILTER (WHERE s = ''store 3''), avg(f8) FILTER (WHERE b) FROM t GROUP BY g'),
	('SELECT count(*) FILTER (WHERE tx IS NULL), min(i4) FILTER (WHERE g = 2) FROM t '),
	('SELECT s, count(*) FROM t GROUP BY s HAVING count(*) > 2500'),
	('SELECT s, avg(n) FROM t GROUP BY s HAVING sum(i4) > 0 AND max(tx) = ''cherry'''),
	('SELECT g, sum(i4) + 1 AS x, avg(n)::int, count(*) * 2 FROM t GROUP BY g ORDER BY x DESC LIMIT 3'),
	('SELECT upper(s), count(*) FROM t GROUP BY s'),
	('SELECT g, count(*) FROM t WHERE id < 0 GROUP BY g'),
	('SELECT g, sum(i4), sum(n) FROM t WHERE g >= 100 GROUP BY g')
) v(q);

-- sum and avg of numeric expressions of columns (*, +, - of numeric
-- columns, integer columns cast to numeric, constants): scaled integers
-- where they fit, PostgreSQL's numeric functions for the other rows
SELECT q, agg(q) FROM (VALUES
	('SELECT sum(n * nn), avg(n * nn), sum(nn * 1.5), sum(nn * (1 - 0.1)), sum(n + nn), avg(nn - n) FROM t '),
	('SELECT s, sum(nn * i4), sum(i2 * nn + i8), avg(i4 * 0.001), sum(n * n * n) FROM t GROUP BY s'),
	('SELECT g, sum(n * 1e15), sum(nn * 123456789012.345), sum(n * ''NaN'') FROM t GROUP BY g'),
	('SELECT sum(n - n), sum(nn * 0), avg(n * nn) FILTER (WHERE g = 1) FROM t WHERE i4 > 0'),
	('SELECT g, sum(nn * nn) FROM t WHERE id < 0 GROUP BY g'),
	('SELECT sum(n / 2), sum(n * f8::numeric) FROM t ')
) v(q);
-- overflow of the numeric format, as PostgreSQL raises it
SELECT agg('SELECT sum(nn * 1e131071) FROM t ');

-- keys computed from a timestamp column: date_trunc to a second, minute,
-- hour or day, and the date; infinities and times before 2000 included;
-- other units and timestamptz (TimeZone-dependent) are PostgreSQL's
CREATE TABLE tsh (id int, ts timestamp, tz timestamptz, v int);
INSERT INTO tsh SELECT x, CASE WHEN x % 97 = 0 THEN NULL
		ELSE timestamp '1999-12-31 22:00' + x * interval '1.37 seconds' END,
	timestamptz '2025-03-30 00:00+00' + x * interval '3 seconds', x % 7
  FROM generate_series(1, 20000) x;
INSERT INTO tsh VALUES (0, 'infinity', 'infinity', 1), (-1, '-infinity', '-infinity', 2),
	(-2, '1960-03-01 12:34:56.789', NULL, 3), (-3, '1960-03-01 00:00:00', NULL, 3);
CREATE TABLE tsc (LIKE tsh) USING columnar WITH (row_group_size = 5000);
INSERT INTO tsc SELECT * FROM tsh;
ANALYZE tsh, tsc;
SELECT q, agg(q, 'tsc', 'tsh') FROM (VALUES
	('SELECT date_trunc(''minute'', ts), count(*), sum(v) FROM t GROUP BY 1'),
	('SELECT date_trunc(''Hour'', ts) AS h, v, count(*), min(ts) FROM t GROUP BY 1, 2'),
	('SELECT date_trunc(''second'', ts), count(*) FROM t GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5'),
	('SELECT CAST(ts AS date), count(*), max(id) FROM t GROUP BY 1'),
	('SELECT ts::date AS d, date_trunc(''day'', ts), count(*) FROM t WHERE v > 2 GROUP BY 1, 2 HAVING count(*) > 1'),
	('SELECT date(ts), count(*) FILTER (WHERE v = 1) FROM t GROUP BY date(ts)'),
	('SELECT date_trunc(''week'', ts), count(*) FROM t GROUP BY 1'),
	('SELECT date_trunc(''minute'', tz), count(*) FROM t GROUP BY 1'),
	('SELECT date_trunc(''minute'', ts), ts, count(*) FROM t GROUP BY 1, 2'),
	('SELECT date_trunc(''hrs'', ts), date_trunc(''SECS'', ts), count(*) FROM t GROUP BY 1, 2')
) v(q);
EXPLAIN (COSTS OFF) SELECT date_trunc('minute', ts), count(*) FROM tsc GROUP BY 1;
-- the unit spelled as date_trunc reads it (DecodeUnits)
EXPLAIN (COSTS OFF) SELECT date_trunc('hrs', ts), count(*) FROM tsc GROUP BY 1;
DROP TABLE tsh, tsc;

-- count(DISTINCT x) of a column, final results only, where statistics say
-- the groups and their values fit (equality as PostgreSQL's: numeric 1.0 =
-- 1.00, float -0 = 0 and NaN = NaN, bpchar trailing spaces, intervals,
-- collations)
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SET work_mem = '32MB';
SELECT q, agg(q) FROM (VALUES
	('SELECT count(DISTINCT g), count(DISTINCT i2), count(DISTINCT i8), count(DISTINCT f4), count(DISTINCT f8) FROM t '),
	('SELECT count(DISTINCT n), count(DISTINCT nn), count(DISTINCT d), count(DISTINCT tm), count(DISTINCT ts), count(DISTINCT tz), count(DISTINCT iv) FROM t '),
	('SELECT count(DISTINCT tx), count(DISTINCT tc), count(DISTINCT vc), count(DISTINCT bc), count(DISTINCT b), count(DISTINCT tx COLLATE ci) FROM t '),
	('SELECT g, count(DISTINCT tx), count(DISTINCT n), count(*), sum(i4) FROM t GROUP BY g'),
	('SELECT s, b, count(DISTINCT f8) FILTER (WHERE i4 > 0), count(DISTINCT iv) FROM t WHERE g < 5 GROUP BY s, b'),
	('SELECT count(DISTINCT tx) FROM t WHERE id < 0'),
	('SELECT g, count(DISTINCT s) FROM t GROUP BY g HAVING count(DISTINCT i2) > 100')
) v(q);
SET work_mem = '64kB';  -- 27,000 distinct values do not fit: PostgreSQL's plan
SELECT agg('SELECT count(DISTINCT i4) FROM t ');
RESET work_mem;
EXPLAIN (COSTS OFF) SELECT g, count(DISTINCT tx) FROM c GROUP BY g;
DROP COLLATION ci;

-- PostgreSQL's plan for what the node does not do; a switch turns it off
SELECT q, agg(q) FROM (VALUES
	('SELECT count(DISTINCT g + 1) FROM t '),
	('SELECT count(DISTINCT (g, s)) FROM t '),
	('SELECT sum(i4 + 1) FROM t '),
	('SELECT sum(n * f8) FROM t '),
	('SELECT g, string_agg(s, '','' ORDER BY s) FROM t GROUP BY g'),
	('SELECT g + 1, count(*) FROM t GROUP BY g + 1'),
	('SELECT g, count(*) FROM t GROUP BY ROLLUP (g)'),
	('SELECT g, count(*) FROM t WHERE id % 7 = 0 GROUP BY g'),
	('SELECT g, sum(i4), sum(sum(i4)) OVER () FROM t GROUP BY g'),
	('SELECT s, stddev(f8) FROM t GROUP BY s')
) v(q);
SET biwh.enable_agg_pushdown = off;
SELECT agg('SELECT g, count(*) FROM t GROUP BY g');
RESET biwh.enable_agg_pushdown;

-- overflow: the same errors as PostgreSQL's
CREATE TABLE oh (g int, f8 float8, iv interval, i8 int8, n numeric);
INSERT INTO oh VALUES (1, 1e308, interval '170000000 years', 9223372036854775807, 1e100),
	(1, 1e308, interval '170000000 years', 9223372036854775807, 1e100),
	(2, -1e308, interval '1 day', -9223372036854775808, -1),
	(2, 5, interval '2 days', -9223372036854775808, 0.5);
CREATE TABLE oc (LIKE oh) USING columnar;
INSERT INTO oc SELECT * FROM oh;
SELECT q, agg(q, 'oc', 'oh') FROM (VALUES
	('SELECT sum(f8) FROM t '),
	('SELECT avg(f8) FROM t '),
	('SELECT g, sum(f8) FROM t GROUP BY g'),
	('SELECT sum(iv) FROM t '),
	('SELECT g, avg(iv) FROM t GROUP BY g'),
	('SELECT g, sum(i8), avg(i8) FROM t GROUP BY g'),
	('SELECT sum(n), avg(n) FROM t ')
) v(q);

-- rescans with new parameters, prepared statements, rows this
-- transaction still buffers
SELECT agg('SELECT o.g, (SELECT count(*) FROM t WHERE g = o.g) FROM generate_series(0, 10) o(g)');
SELECT agg('SELECT o.k, (SELECT sum(i4) FROM t WHERE i4 > o.k) FROM generate_series(-40000, 40000, 10000) o(k)');
SET plan_cache_mode = force_generic_plan;
PREPARE pc(int) AS SELECT g, count(*), sum(i8) FROM c WHERE i4 > $1 GROUP BY g ORDER BY g;
PREPARE ph(int) AS SELECT g, count(*), sum(i8) FROM h WHERE i4 > $1 GROUP BY g ORDER BY g;
EXPLAIN (COSTS OFF) EXECUTE pc(0);
CREATE TEMP TABLE rc1 AS EXECUTE pc(0);
CREATE TEMP TABLE rh1 AS EXECUTE ph(0);
CREATE TEMP TABLE rc2 AS EXECUTE pc(-30000);
CREATE TEMP TABLE rh2 AS EXECUTE ph(-30000);
SELECT (SELECT count(*) FROM rc1) AS rows1, (SELECT count(*) FROM (TABLE rc1 EXCEPT ALL TABLE rh1) x) AS differ1,
	(SELECT count(*) FROM (TABLE rh1 EXCEPT ALL TABLE rc1) x) AS differ1h,
	(SELECT count(*) FROM (TABLE rc2 EXCEPT ALL TABLE rh2) x) AS differ2,
	(SELECT count(*) FROM (TABLE rh2 EXCEPT ALL TABLE rc2) x) AS differ2h;
RESET plan_cache_mode;
BEGIN;
INSERT INTO c SELECT * FROM h WHERE id <= 500;
INSERT INTO h SELECT * FROM h WHERE id <= 500;
SELECT agg('SELECT s, count(*), sum(i4), min(tx) FROM t GROUP BY s');
SELECT agg('SELECT count(*), sum(n) FROM t ');
ROLLBACK;

-- many groups: a partial node that fills work_mem returns its groups and
-- goes on; the Finalize Aggregate above combines them
CREATE TABLE manyc (LIKE h) USING columnar;
CREATE TABLE manyh AS SELECT * FROM h;
INSERT INTO manyc SELECT * FROM h;
SET work_mem = '64kB';
CREATE FUNCTION flushes(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	plan json;
	node json;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || q INTO plan;
	node := plan -> 0 -> 'Plan';
	WHILE node ->> 'Node Type' <> 'Custom Scan' LOOP
		node := node -> 'Plans' -> 0;
	END LOOP;
	RETURN format('%s groups returned, %s flushes',
				  node ->> 'Groups', CASE WHEN (node ->> 'Memory Flushes')::int > 0 THEN 'some' ELSE 'no' END);
END $$;
-- (no statistics on manyc: the planner cannot promise the groups fit)
SELECT agg('SELECT id, count(*), sum(n), avg(i8), min(tx) FROM t GROUP BY id', 'manyc', 'manyh');
SELECT flushes('SELECT id, count(*), sum(n), avg(i8), min(tx) FROM manyc GROUP BY id');
EXPLAIN (COSTS OFF) SELECT id, count(*) FROM manyc GROUP BY id;

-- a final node whose groups outgrow what statistics promised by far stops
-- with an error, and nothing changed
CREATE TABLE stale (k int, v int) USING columnar;
INSERT INTO stale SELECT x % 5, x FROM generate_series(1, 1000) x;
ANALYZE stale;
INSERT INTO stale SELECT x, x FROM generate_series(1, 60000) x;
EXPLAIN (COSTS OFF) SELECT k, sum(v) FROM stale GROUP BY k;
SELECT count(*) FROM (SELECT k, sum(v) FROM stale GROUP BY k) x;
ANALYZE stale;
SELECT count(*) FROM (SELECT k, sum(v) FROM stale GROUP BY k) x;
RESET work_mem;

-- from the catalog: without keys or quals, count(*), count(x) and min/max
-- of integers, dates, times, timestamps and text under a deterministic
-- collation take each stored row group from its catalog entry unread;
-- buffered rows, long values (no zone map), another collation, numeric
-- and float min/max read the data
CREATE FUNCTION answered(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	res text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
		IF line ~ 'Row Groups (Read|Answered)' THEN
			res := res || ltrim(line) || ' ';
		END IF;
	END LOOP;
	RETURN res;
END $$;
SELECT q, agg(q), answered(replace(q, ' t ', ' c ')) FROM (VALUES
	('SELECT count(*) FROM t '),
	('SELECT count(*), count(i8), min(i2), max(i4), min(i8), max(d), min(tm), max(ts), min(tz), max(tx), min(vc) FROM t '),
	('SELECT max(tx COLLATE "C"), min(tc) FROM t '),
	('SELECT min(n) FROM t '),
	('SELECT max(f8), count(*) FROM t '),
	('SELECT count(*) FILTER (WHERE g = 1), max(i4) FROM t ')
) v(q);
CREATE TABLE lc (k int, v text) USING columnar WITH (row_group_size = 1000);
INSERT INTO lc SELECT x, 'short ' || x FROM generate_series(1, 3000) x;
INSERT INTO lc VALUES (3001, repeat('z', 100));  -- too long for a zone map
ALTER TABLE lc ADD COLUMN late int DEFAULT 7;
CREATE TABLE lh AS SELECT * FROM lc;
SELECT q, agg(q, 'lc', 'lh'), answered(replace(q, ' t ', ' lc ')) FROM (VALUES
	('SELECT count(*), min(v), max(v) FROM t '),
	('SELECT min(late), count(late), max(k) FROM t ')
) v(q);
BEGIN;
INSERT INTO lc VALUES (0, 'a buffered row', NULL), (-1, NULL, -5);
INSERT INTO lh VALUES (0, 'a buffered row', NULL), (-1, NULL, -5);
SELECT q, agg(q, 'lc', 'lh'), answered(replace(q, ' t ', ' lc ')) FROM (VALUES
	('SELECT count(*), min(k), max(v), count(v) FROM t '),
	('SELECT min(late), count(late) FROM t ')
) v(q);
ROLLBACK;
DROP TABLE lc, lh;
DROP FUNCTION answered;

-- partitioned tables: a Finalize Aggregate over an Append of one partial
-- grouping per leaf (a ColumnarAgg for each columnar leaf, PostgreSQL's
-- partial Aggregate for the heap ones), nested levels, pruned leaves
CREATE TABLE pc (s text, g int, i8 int8, n numeric, d date) PARTITION BY LIST (s);
CREATE TABLE pc_a PARTITION OF pc FOR VALUES IN ('a') PARTITION BY RANGE (d);
CREATE TABLE pc_a1 PARTITION OF pc_a FOR VALUES FROM ('2025-01-01') TO ('2025-01-02') USING columnar;
CREATE TABLE pc_a2 PARTITION OF pc_a FOR VALUES FROM ('2025-01-02') TO ('2025-01-03') USING columnar;
CREATE TABLE pc_a3 PARTITION OF pc_a FOR VALUES FROM ('2025-01-03') TO ('2025-01-04');
CREATE TABLE pc_b PARTITION OF pc FOR VALUES IN ('b') USING columnar;
CREATE TABLE pc_c PARTITION OF pc FOR VALUES IN ('c');
CREATE TABLE pc_e PARTITION OF pc FOR VALUES IN ('e') USING columnar;  -- empty
INSERT INTO pc SELECT (ARRAY['a', 'b', 'c'])[1 + x % 3], x % 37,
	CASE WHEN x % 11 = 0 THEN NULL ELSE x * 1000003::int8 END, (x % 1000) / 100.0,
	date '2025-01-01' + (x / 7) % 3
	FROM generate_series(1, 30000) x;
CREATE TABLE ph AS SELECT * FROM pc;
CREATE TABLE hc (LIKE pc) PARTITION BY LIST (s);  -- heap leaves only
CREATE TABLE hc_a PARTITION OF hc FOR VALUES IN ('a');
CREATE TABLE hc_b PARTITION OF hc FOR VALUES IN ('b', 'c');
INSERT INTO hc SELECT * FROM pc;
ANALYZE pc, ph, hc;
EXPLAIN (COSTS OFF) SELECT g, count(*), sum(n) FROM pc WHERE i8 > 0 GROUP BY g;
EXPLAIN (COSTS OFF) SELECT count(*), max(d) FROM pc WHERE s = 'a';
EXPLAIN (COSTS OFF) SELECT g, count(*) FROM hc GROUP BY g;
SELECT q, agg(q, 'pc', 'ph') FROM (VALUES
	('SELECT count(*), count(i8), sum(i8), avg(i8), sum(n), avg(n), min(d), max(s) FROM t '),
	('SELECT s, d, count(*), sum(n), min(g), max(n) FROM t GROUP BY s, d'),
	('SELECT g, sum(i8), avg(n) FROM t WHERE d > ''2025-01-01'' GROUP BY g HAVING count(*) > 300'),
	('SELECT g, count(*) FILTER (WHERE n > 5), sum(n) FILTER (WHERE s = ''b'') FROM t GROUP BY g'),
	('SELECT s, count(*) FROM t WHERE s IN (''a'', ''b'') GROUP BY s'),
	('SELECT count(*), sum(n) FROM t WHERE s = ''e'''),
	('SELECT count(*), sum(n) FROM t WHERE g > 1000'),
	('SELECT sum(i8 * 10000000000) FROM t '),
	('SELECT g, count(*) FROM t GROUP BY g ORDER BY count(*) DESC, g LIMIT 3')
) v(q);
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF) SELECT s, d, count(*) FROM pc GROUP BY s, d;
SELECT q, agg(q, 'pc', 'ph') FROM (VALUES
	('SELECT s, d, count(*), sum(n), avg(i8) FROM t GROUP BY s, d'),
	('SELECT g, sum(n), avg(n) FROM t GROUP BY g')
) v(q);
RESET enable_partitionwise_aggregate;
-- a generic plan: quals with parameters leave the grouping to
-- PostgreSQL's plan, whose Append prunes the leaves at run time
PREPARE pq(text) AS SELECT g, count(*), sum(n) FROM pc WHERE s = $1 GROUP BY g;
SET plan_cache_mode = force_generic_plan;
CREATE TEMP TABLE pq_c AS EXECUTE pq('b');
CREATE TEMP TABLE pq_h AS SELECT g, count(*), sum(n) FROM ph WHERE s = 'b' GROUP BY g;
SELECT count(*) AS rows, (SELECT count(*) FROM (TABLE pq_c EXCEPT ALL TABLE pq_h) x) AS differ FROM pq_c;
RESET plan_cache_mode;
DEALLOCATE pq;
DROP TABLE pc, ph, hc, pq_c, pq_h;

-- an inheritance parent is its children too: never one table's storage
CREATE TABLE ip (a int, b text) USING columnar;
CREATE TABLE ic (c int) INHERITS (ip);
INSERT INTO ip SELECT x, 'p' FROM generate_series(1, 1000) x;
INSERT INTO ic SELECT x, 'c', x FROM generate_series(1, 500) x;
ANALYZE ip, ic;
SELECT count(*), max(a), min(b) FROM ip;
SELECT b, count(*) FROM ip GROUP BY b ORDER BY b;
DROP TABLE ip CASCADE;

-- parallel: partial ColumnarAggs in the workers, states (also int8's and
-- numeric's serialized ones) combined by the Finalize Aggregate
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT q, agg(q) FROM (VALUES
	('SELECT count(*), sum(i2), sum(i4), sum(i8), sum(n), sum(nn), sum(iv) FROM t '),
	('SELECT avg(i2), avg(i4), avg(i8), avg(n), avg(nn), avg(iv) FROM t '),
	('SELECT round(sum(f8)::numeric, 6), round(avg(f8)::numeric, 6), round(sum(f4)::numeric, 1) FROM t '),
	('SELECT min(i8), max(n), min(tx), max(tc), min(d), max(tz), bool_and(b) FROM t '),
	('SELECT s, count(*), sum(i8), avg(i8), sum(n), avg(n), min(tx), max(iv) FROM t GROUP BY s'),
	('SELECT g, b, count(*) FILTER (WHERE i4 > 0), sum(nn) FROM t WHERE g < 100 GROUP BY g, b HAVING count(*) > 10'),
	('SELECT g, sum(n), avg(n), sum(i8) FROM t WHERE s = ''special'' GROUP BY g'),
	('SELECT s, sum(n * nn), avg(nn * i4), sum(nn - 1.25) FROM t GROUP BY s'),
	('SELECT count(*), sum(n), avg(i8) FROM t WHERE id < 0')
) v(q);

DROP TABLE c, h, oc, oh, manyc, manyh, stale;
DROP FUNCTION agg, flushes;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
