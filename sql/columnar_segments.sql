--
-- columnar_segments: chunks of row groups longer than 4096 rows are cut into
-- segments with zone maps of their own; scans skip the batches of segments
-- no row of which can pass, and decode only the segments they need.
-- Results always equal those of a heap copy.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;

-- same(q): the query gives the same rows on c as on h (q names table "t")
CREATE FUNCTION same(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	n1 bigint;
	n2 bigint;
	total bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x',
				   replace(q, ' t ', ' c '), replace(q, ' t ', ' h ')) INTO n1;
	EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x',
				   replace(q, ' t ', ' h '), replace(q, ' t ', ' c ')) INTO n2;
	EXECUTE format('SELECT count(*) FROM (%s) x', replace(q, ' t ', ' h ')) INTO total;
	RETURN format('%s rows, %s differ', total, n1 + n2);
END $$;

-- 1,000,000 rows arriving in time order (a year, 2,740 a day), with a
-- NULL-heavy column, a column NULL in whole stretches, a text column
CREATE TABLE c (id int, logged_time timestamp, v int, n int, s text) USING columnar;
INSERT INTO c SELECT g,
	timestamp '2025-01-01' + (g * (365.0 * 86400 / 1000000) + (hashint4(g) & 1023) / 100.0) * interval '1 second',
	g % 100,
	CASE WHEN g % 3 = 0 THEN g END,
	CASE WHEN (g / 10000) % 2 = 0 THEN 'even ' || (g / 10000) END
  FROM generate_series(1, 1000000) g;
CREATE TABLE h AS SELECT * FROM c;
SELECT row_groups, rows FROM biwh.columnar_verify('c');

-- A one-day filter reads under 2% of what a full scan of the column reads
-- (buffer accesses of table c, from its statistics: one statement each)
SET stats_fetch_consistency = none;
SELECT pg_stat_force_next_flush();
SELECT heap_blks_read + heap_blks_hit AS b0 FROM pg_statio_user_tables WHERE relname = 'c' \gset
SET biwh.enable_agg_pushdown = off;  -- a ColumnarScan reads the column
SELECT count(logged_time) FROM c;
RESET biwh.enable_agg_pushdown;
SELECT pg_stat_force_next_flush();
SELECT heap_blks_read + heap_blks_hit AS b1 FROM pg_statio_user_tables WHERE relname = 'c' \gset
SELECT count(*) FROM c WHERE logged_time >= '2025-06-01' AND logged_time < '2025-06-02';
SELECT pg_stat_force_next_flush();
SELECT heap_blks_read + heap_blks_hit AS b2 FROM pg_statio_user_tables WHERE relname = 'c' \gset
SELECT :b1 - :b0 > 300 AS full_scan_reads_the_column,
	   (:b2 - :b1)::numeric / (:b1 - :b0) < 0.02 AS one_day_under_2_percent;
RESET stats_fetch_consistency;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF)
	SELECT count(*) FROM c WHERE logged_time >= '2025-06-01' AND logged_time < '2025-06-02';

-- Segments of a stretch of NULLs, of no NULL, and a filter on another column
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF)
	SELECT count(*) FROM c WHERE s IS NOT NULL AND id < 30000;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF)
	SELECT count(*) FROM c WHERE s IS NULL AND id < 30000;

SELECT q, same(q) FROM (VALUES
	('SELECT * FROM t WHERE logged_time >= ''2025-06-01'' AND logged_time < ''2025-06-02'''),
	('SELECT id, v FROM t WHERE logged_time BETWEEN ''2025-12-31 12:00'' AND ''2026-01-02'''),
	('SELECT id FROM t WHERE id IN (1, 4095, 4096, 4097, 8192, 119999, 120000, 120001, 999999, 1000000)'),
	('SELECT id, n FROM t WHERE n IS NULL AND id < 10000'),
	('SELECT id, s FROM t WHERE s IS NULL AND id BETWEEN 5000 AND 25000'),
	('SELECT id, s FROM t WHERE s IS NOT NULL AND id BETWEEN 5000 AND 25000'),
	('SELECT id FROM t WHERE s = ''even 2'' OR id > 999990'),
	('SELECT count(*), min(id), max(id) FROM t WHERE v = 7 AND logged_time < ''2025-02-01'''),
	('SELECT id FROM t WHERE NOT (logged_time < ''2025-12-31'')')
) v(q);

-- A column added later has no segments: its default is a constant
ALTER TABLE c ADD COLUMN k int DEFAULT 5;
ALTER TABLE h ADD COLUMN k int DEFAULT 5;
SELECT q, same(q) FROM (VALUES
	('SELECT id, k FROM t WHERE k = 5 AND id BETWEEN 4000 AND 4200'),
	('SELECT count(*) FROM t WHERE k > 5')
) v(q);

-- Rows buffered in the transaction are read too, never skipped
BEGIN;
INSERT INTO c (id, logged_time, v) SELECT g, timestamp '2025-06-01 12:00', 1 FROM generate_series(2000001, 2010000) g;
INSERT INTO h (id, logged_time, v) SELECT g, timestamp '2025-06-01 12:00', 1 FROM generate_series(2000001, 2010000) g;
SELECT same('SELECT id, v FROM t WHERE logged_time >= ''2025-06-01'' AND logged_time < ''2025-06-02''');
COMMIT;

-- The same after the buffered rows are written: a row group of 10,000
-- rows (three segments) and one smaller than a segment
INSERT INTO c (id, v) SELECT g, 2 FROM generate_series(3000001, 3003000) g;
INSERT INTO h (id, v) SELECT g, 2 FROM generate_series(3000001, 3003000) g;
SELECT same('SELECT id, v FROM t WHERE logged_time >= ''2025-06-01'' AND logged_time < ''2025-06-02''');
SELECT same('SELECT id, v FROM t WHERE v = 2 OR id BETWEEN 2004000 AND 2004100');
SELECT row_groups, rows FROM biwh.columnar_verify('c');

-- A sorted table: segments follow the sort order within each row group
CREATE TABLE cs (store text, day date, qty int) USING columnar WITH (sort_key = 'store, day');
INSERT INTO cs SELECT 'store ' || (g % 20), date '2025-01-01' + (g % 365), g % 7
  FROM generate_series(1, 300000) g;
CREATE TABLE hs AS SELECT * FROM cs;
SELECT (SELECT count(*) FROM cs WHERE store = 'store 3' AND day = '2025-03-05') =
	   (SELECT count(*) FROM hs WHERE store = 'store 3' AND day = '2025-03-05') AS same_count;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF)
	SELECT count(*) FROM cs WHERE store = 'store 3' AND day = '2025-03-05';

DROP TABLE c, h, cs, hs;
DROP FUNCTION same(text);
DROP EXTENSION biwh;
DROP EXTENSION dblink;
