--
-- columnar_index: B-tree and hash indexes on columnar tables, every answer
-- compared with the same query on a heap copy: index, index-only and
-- bitmap scans (also lossy) over stored and buffered rows, primary keys
-- and unique constraints, ON CONFLICT, REINDEX, CREATE INDEX
-- CONCURRENTLY, partitioned parents, ATTACH PARTITION, foreign keys to a
-- columnar table, REFRESH MATERIALIZED VIEW CONCURRENTLY, and the planner
-- keeping the ColumnarScan for analytic queries.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
SET biwh.row_group_size = 1000;

-- run a query with index or bitmap scans only, on the columnar tables and
-- on their heap copies (c: h, pc: ph, part: parth); return the rows in one
-- and not the other
CREATE FUNCTION diff(q text, how text DEFAULT 'index', OUT c_minus_h bigint, OUT h_minus_c bigint)
LANGUAGE plpgsql AS $$
DECLARE
	hq text;
BEGIN
	PERFORM set_config('enable_seqscan', 'off', true);
	PERFORM set_config('biwh.enable_custom_scan', 'off', true);
	PERFORM set_config('enable_indexscan', (how IN ('index', 'indexonly'))::text, true);
	PERFORM set_config('enable_indexonlyscan', (how = 'indexonly')::text, true);
	PERFORM set_config('enable_bitmapscan', (how = 'bitmap')::text, true);
	hq := regexp_replace(regexp_replace(regexp_replace(q, '\mc\M', 'h', 'g'),
										'\mpc\M', 'ph', 'g'), '\mpart\M', 'parth', 'g');
	EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x', q, hq) INTO c_minus_h;
	EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x', hq, q) INTO h_minus_c;
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('biwh.enable_custom_scan', 'on', true);
	PERFORM set_config('enable_indexscan', 'on', true);
	PERFORM set_config('enable_indexonlyscan', 'on', true);
	PERFORM set_config('enable_bitmapscan', 'on', true);
END $$;
-- the plan's scan nodes
CREATE FUNCTION scans(q text, how text DEFAULT 'index') RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	l text;
BEGIN
	IF how <> 'any' THEN
		PERFORM set_config('enable_seqscan', 'off', true);
		PERFORM set_config('biwh.enable_custom_scan', 'off', true);
		PERFORM set_config('enable_indexscan', (how IN ('index', 'indexonly'))::text, true);
		PERFORM set_config('enable_indexonlyscan', (how = 'indexonly')::text, true);
		PERFORM set_config('enable_bitmapscan', (how = 'bitmap')::text, true);
	END IF;
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		IF l ~ '(Scan|Agg)' THEN
			RETURN NEXT regexp_replace(l, '^[ >-]*', '');
		END IF;
	END LOOP;
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('biwh.enable_custom_scan', 'on', true);
	PERFORM set_config('enable_indexscan', 'on', true);
	PERFORM set_config('enable_indexonlyscan', 'on', true);
	PERFORM set_config('enable_bitmapscan', 'on', true);
END $$;

CREATE TABLE c (id int, v text, k int, t timestamptz, n numeric) USING columnar;
CREATE TABLE h (id int, v text, k int, t timestamptz, n numeric);
INSERT INTO c SELECT g, CASE WHEN g % 97 = 0 THEN NULL ELSE 'v' || (g % 500) END, g % 10,
	'2025-01-01'::timestamptz + g * interval '1 minute', (g % 1000) / 7.0
	FROM generate_series(1, 20000) g;
INSERT INTO h SELECT * FROM c;
CREATE INDEX c_id ON c (id);
CREATE INDEX h_id ON h (id);
CREATE INDEX c_v ON c (v);
CREATE INDEX h_v ON h (v);
CREATE INDEX c_k ON c USING hash (k);
CREATE INDEX h_k ON h USING hash (k);
CREATE INDEX c_lower ON c (lower(v)) WHERE k < 5;
CREATE INDEX h_lower ON h (lower(v)) WHERE k < 5;
CREATE INDEX c_tn ON c (t, n);
CREATE INDEX h_tn ON h (t, n);
ANALYZE c, h;

-- index scans
SELECT * FROM scans('SELECT * FROM c WHERE id = 4321');
SELECT * FROM c WHERE id = 4321;
SELECT * FROM diff('SELECT * FROM c WHERE id = 4321');
SELECT * FROM diff('SELECT * FROM c WHERE id BETWEEN 990 AND 3010');
SELECT * FROM diff('SELECT * FROM c WHERE id IN (1, 999, 1000, 1001, 19999, 20000, 20001)');
SELECT * FROM diff('SELECT * FROM c WHERE v = ''v42''');
SELECT * FROM diff('SELECT * FROM c WHERE v IS NULL');
SELECT * FROM diff('SELECT * FROM c WHERE k = 3');
SELECT * FROM scans('SELECT * FROM c WHERE k = 3');
SELECT * FROM diff('SELECT id, v FROM c WHERE lower(v) = ''v7'' AND k < 5');
SELECT * FROM scans('SELECT id, v FROM c WHERE lower(v) = ''v7'' AND k < 5');
SELECT * FROM diff('SELECT * FROM c WHERE t >= ''2025-01-05'' AND t < ''2025-01-06'' AND n > 50');
-- ordered by the index, both directions, with LIMIT
SELECT * FROM scans('SELECT id FROM c ORDER BY id DESC LIMIT 5');
SELECT id, v FROM c ORDER BY id DESC LIMIT 5;
SELECT id, v FROM c WHERE id > 5000 ORDER BY id LIMIT 3;
SELECT * FROM diff('SELECT * FROM (SELECT id, v FROM c WHERE v > ''v49'' ORDER BY v, id LIMIT 100) x');
-- index-only scans (no visibility map: every row's visibility is fetched)
SELECT * FROM scans('SELECT id FROM c WHERE id < 50', 'indexonly');
SELECT * FROM diff('SELECT id FROM c WHERE id < 50', 'indexonly');
SELECT * FROM diff('SELECT count(*) FROM c WHERE id < 5000', 'indexonly');
-- bitmap scans: AND, OR, lossy
SELECT * FROM scans('SELECT * FROM c WHERE id < 3000 AND k = 3', 'bitmap');
SELECT * FROM diff('SELECT * FROM c WHERE id < 3000 AND k = 3', 'bitmap');
SELECT * FROM diff('SELECT * FROM c WHERE id < 100 OR v = ''v7''', 'bitmap');
SELECT * FROM diff('SELECT * FROM c WHERE id BETWEEN 100 AND 15000', 'bitmap');
SET work_mem = '64kB';
SELECT * FROM diff('SELECT * FROM c WHERE id BETWEEN 100 AND 15000', 'bitmap');
SELECT * FROM diff('SELECT * FROM c WHERE k IN (1, 2)', 'bitmap');
RESET work_mem;

-- the planner: point lookups use the index, analytic queries the columnar scan
SELECT * FROM scans('SELECT * FROM c WHERE id = 77', 'any');
SELECT * FROM scans('SELECT sum(n) FROM c WHERE id > 100', 'any');
SELECT * FROM scans('SELECT k, count(*) FROM c GROUP BY k', 'any');
SELECT * FROM scans('SELECT count(*) FROM c WHERE k = 3', 'any');
-- index costs know the indexed column's correlation (pg_stats): a short
-- range on a column in row order uses the index, a long one or an analytic
-- query the columnar scan; the answers are heap's
SELECT attname, round(correlation::numeric, 2) FROM pg_stats
	WHERE tablename = 'c' AND attname IN ('id', 't', 'k') ORDER BY 1;
SELECT * FROM scans('SELECT * FROM c WHERE id BETWEEN 5000 AND 5400', 'any');
SELECT * FROM scans('SELECT * FROM c WHERE t >= ''2025-01-05'' AND t < ''2025-01-05 06:00''', 'any');
SELECT * FROM scans('SELECT * FROM c WHERE id BETWEEN 2000 AND 19000', 'any');
SELECT * FROM scans('SELECT sum(n) FROM c WHERE t >= ''2025-01-05''', 'any');
SELECT count(*), sum(n) FROM c WHERE id BETWEEN 5000 AND 5400;
SELECT (SELECT count(*) FROM (SELECT * FROM c WHERE id BETWEEN 5000 AND 5400
		EXCEPT ALL SELECT * FROM h WHERE id BETWEEN 5000 AND 5400) x) AS c_minus_h,
	(SELECT count(*) FROM (SELECT * FROM h WHERE id BETWEEN 5000 AND 5400
		EXCEPT ALL SELECT * FROM c WHERE id BETWEEN 5000 AND 5400) x) AS h_minus_c;
SELECT (SELECT count(*) FROM (SELECT * FROM c WHERE t >= '2025-01-05' AND t < '2025-01-05 06:00'
		EXCEPT ALL SELECT * FROM h WHERE t >= '2025-01-05' AND t < '2025-01-05 06:00') x) AS c_minus_h,
	(SELECT count(*) FROM (SELECT * FROM h WHERE t >= '2025-01-05' AND t < '2025-01-05 06:00'
		EXCEPT ALL SELECT * FROM c WHERE t >= '2025-01-05' AND t < '2025-01-05 06:00') x) AS h_minus_c;

-- fetches by TID decode only the columns the scan reads (target list,
-- quals, rechecks, whole-row references), in index, bitmap (also lossy),
-- index-only and rescanned inner scans
SELECT * FROM diff('SELECT n FROM c WHERE id BETWEEN 990 AND 3010 AND v > ''v3''');
SELECT * FROM diff('SELECT t FROM c WHERE id IN (5, 500, 5000, 19999) AND k <> 1');
SELECT * FROM diff('SELECT c::text FROM c WHERE id BETWEEN 100 AND 140');
SELECT * FROM diff('SELECT x.id, (SELECT max(y.n) FROM c y WHERE y.id = x.id + 1) FROM c x WHERE x.id < 30');
SELECT * FROM diff('SELECT a.n, b.t FROM c a JOIN c b ON b.id = a.id * 7 WHERE a.id < 40');
SELECT * FROM diff('SELECT v, n FROM c WHERE id < 3000 AND k = 3 AND n > 10', 'bitmap');
SET work_mem = '64kB';
SELECT * FROM diff('SELECT length(v) FROM c WHERE id BETWEEN 100 AND 15000', 'bitmap');
RESET work_mem;
SELECT * FROM diff('SELECT count(*) FROM c WHERE id BETWEEN 10 AND 90', 'indexonly');

-- rows this transaction buffers are found by index, rolled back ones not
BEGIN;
INSERT INTO c VALUES (30000, 'buffered', 1, now(), 1);
INSERT INTO h VALUES (30000, 'buffered', 1, now(), 1);
SELECT * FROM diff('SELECT id, v FROM c WHERE id >= 20000');
SELECT * FROM diff('SELECT id, v FROM c WHERE v = ''buffered''', 'bitmap');
SELECT id, v FROM c WHERE id = 30000;
ROLLBACK;
SELECT * FROM diff('SELECT id, v FROM c WHERE id >= 20000');
-- in a cursor, scrolling both ways
BEGIN;
SET LOCAL enable_seqscan = off;
SET LOCAL biwh.enable_custom_scan = off;
DECLARE cur SCROLL CURSOR FOR SELECT id FROM c WHERE id BETWEEN 995 AND 1005 ORDER BY id;
FETCH 3 FROM cur;
FETCH BACKWARD 2 FROM cur;
FETCH LAST FROM cur;
COMMIT;

-- a sort key is not applied while indexes point at rows by TID; VACUUM
-- does not merge row groups of an indexed table; VACUUM FULL rewrites
-- table and indexes
ALTER TABLE c SET (sort_key = 'v');
INSERT INTO c SELECT g, 'z' || (30000 - g), 0, now(), 0 FROM generate_series(20001, 20100) g;
INSERT INTO h SELECT g, 'z' || (30000 - g), 0, now(), 0 FROM generate_series(20001, 20100) g;
INSERT INTO c VALUES (20101, 'a', 0, now(), 0);
INSERT INTO h VALUES (20101, 'a', 0, now(), 0);
SELECT * FROM diff('SELECT id, v FROM c WHERE id > 20000');
SELECT * FROM diff('SELECT id, v FROM c WHERE v >= ''z''');
SET client_min_messages = debug2;
VACUUM c;
RESET client_min_messages;
SELECT * FROM diff('SELECT id, v FROM c WHERE id > 20000');
VACUUM FULL c;
SELECT * FROM diff('SELECT id, v FROM c WHERE id > 20000');
SELECT * FROM diff('SELECT id, v FROM c WHERE v >= ''z''', 'bitmap');
ALTER TABLE c RESET (sort_key);
-- retyping a column rebuilds its indexes
ALTER TABLE c ALTER COLUMN k TYPE bigint;
ALTER TABLE h ALTER COLUMN k TYPE bigint;
SELECT * FROM diff('SELECT * FROM c WHERE k = 4');
-- REINDEX
REINDEX INDEX c_v;
REINDEX TABLE c;
REINDEX TABLE CONCURRENTLY c;
SELECT * FROM diff('SELECT * FROM c WHERE v = ''v42''');
SELECT * FROM diff('SELECT * FROM c WHERE k = 2', 'bitmap');
-- CREATE INDEX CONCURRENTLY
CREATE INDEX CONCURRENTLY c_n ON c (n);
CREATE INDEX CONCURRENTLY h_n ON h (n);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'c_n'::regclass;
SELECT * FROM diff('SELECT * FROM c WHERE n = 5');
-- TRUNCATE empties the indexes too
TRUNCATE c;
INSERT INTO c VALUES (1, 'one', 1, now(), 1);
SELECT id, v FROM c WHERE id = 1;
SELECT * FROM scans('SELECT id, v FROM c WHERE id = 1');
DROP TABLE c, h;

-- PRIMARY KEY and UNIQUE: checked against stored rows, rows buffered by
-- this transaction, rows of the same statement
CREATE TABLE pc (id int PRIMARY KEY, u text UNIQUE, x int) USING columnar;
CREATE TABLE ph (id int PRIMARY KEY, u text UNIQUE, x int);
INSERT INTO pc SELECT g, 'u' || g, g FROM generate_series(1, 3000) g;
INSERT INTO ph SELECT g, 'u' || g, g FROM generate_series(1, 3000) g;
INSERT INTO pc VALUES (5, 'new', 0);
INSERT INTO ph VALUES (5, 'new', 0);
INSERT INTO pc VALUES (3001, 'u7', 0);
INSERT INTO pc VALUES (3001, 'a', 0), (3002, 'b', 0), (3001, 'c', 0);
BEGIN;
INSERT INTO pc VALUES (3001, 'a', 0);
INSERT INTO pc VALUES (3001, 'b', 0);
ROLLBACK;
BEGIN;
INSERT INTO pc VALUES (3001, 'a', 0);
SAVEPOINT s;
INSERT INTO pc VALUES (3002, 'a', 0);
ROLLBACK TO s;
INSERT INTO pc VALUES (3002, 'b', 0);
COMMIT;
INSERT INTO ph VALUES (3001, 'a', 0), (3002, 'b', 0);
-- NULLs are not equal in a unique index
INSERT INTO pc VALUES (3003, NULL, 0), (3004, NULL, 0);
INSERT INTO ph VALUES (3003, NULL, 0), (3004, NULL, 0);
INSERT INTO pc VALUES (NULL, 'z', 0);
SELECT * FROM diff('SELECT * FROM pc WHERE id > 2990');
SELECT count(*), count(DISTINCT id), count(DISTINCT u) FROM pc;
-- adding a constraint to a table with duplicates fails and leaves nothing
CREATE TABLE dup (a int) USING columnar;
INSERT INTO dup VALUES (1), (2), (1);
ALTER TABLE dup ADD PRIMARY KEY (a);
CREATE UNIQUE INDEX CONCURRENTLY dup_a ON dup (a);
SELECT indexrelid::regclass, indisvalid FROM pg_index WHERE indrelid = 'dup'::regclass;
DROP INDEX dup_a;
DROP TABLE dup;
-- deferred uniqueness
CREATE TABLE dc (a int UNIQUE DEFERRABLE INITIALLY DEFERRED) USING columnar;
INSERT INTO dc VALUES (1), (2);
BEGIN;
INSERT INTO dc VALUES (1);
COMMIT;
SELECT * FROM dc ORDER BY a;
DROP TABLE dc;

-- INSERT ... ON CONFLICT: DO NOTHING works, DO UPDATE is refused
INSERT INTO pc VALUES (1, 'x', 0), (4000, 'u4000', 0) ON CONFLICT DO NOTHING;
INSERT INTO ph VALUES (1, 'x', 0), (4000, 'u4000', 0) ON CONFLICT DO NOTHING;
INSERT INTO pc VALUES (2, 'y', 0), (4001, 'u4001', 0) ON CONFLICT (id) DO NOTHING;
INSERT INTO ph VALUES (2, 'y', 0), (4001, 'u4001', 0) ON CONFLICT (id) DO NOTHING;
INSERT INTO pc VALUES (4002, 'u3', 0) ON CONFLICT (u) DO NOTHING;
INSERT INTO ph VALUES (4002, 'u3', 0) ON CONFLICT (u) DO NOTHING;
BEGIN;
INSERT INTO pc VALUES (4003, 'b4003', 0);
INSERT INTO ph VALUES (4003, 'b4003', 0);
INSERT INTO pc VALUES (4003, 'b', 0) ON CONFLICT DO NOTHING;
INSERT INTO ph VALUES (4003, 'b', 0) ON CONFLICT DO NOTHING;
COMMIT;
INSERT INTO pc SELECT g, 'w' || g, 0 FROM generate_series(3995, 4010) g ON CONFLICT DO NOTHING;
INSERT INTO ph SELECT g, 'w' || g, 0 FROM generate_series(3995, 4010) g ON CONFLICT DO NOTHING;
INSERT INTO pc VALUES (4003, 'b', 0) ON CONFLICT (id) DO UPDATE SET x = 1;
INSERT INTO pc VALUES (5000, 'c', 0) ON CONFLICT (id) DO UPDATE SET x = 1;
INSERT INTO ph VALUES (5000, 'c', 0) ON CONFLICT (id) DO UPDATE SET x = 1;
SELECT * FROM diff('SELECT * FROM pc WHERE id > 2990');
SELECT * FROM diff('SELECT * FROM pc', 'bitmap');

-- foreign keys referencing a columnar table
CREATE TABLE rh (id int REFERENCES pc, note text);
CREATE TABLE rc (id int REFERENCES pc, note text) USING columnar;
INSERT INTO rh VALUES (10, 'ok'), (NULL, 'null');
INSERT INTO rc VALUES (10, 'ok'), (3003, 'ok');
INSERT INTO rh VALUES (9999, 'missing');
INSERT INTO rc VALUES (9999, 'missing');
BEGIN;
INSERT INTO pc VALUES (9999, 'new', 0);
INSERT INTO rh VALUES (9999, 'now there');
INSERT INTO rc VALUES (9999, 'now there');
COMMIT;
SELECT * FROM rh ORDER BY id;
SELECT * FROM rc ORDER BY id;
TRUNCATE pc;
TRUNCATE pc CASCADE;
SELECT (SELECT count(*) FROM rh) + (SELECT count(*) FROM rc) AS referencing;
DROP TABLE rh, rc, pc, ph;

-- a partitioned table with columnar and heap partitions
CREATE TABLE part (d int, id int, v text) PARTITION BY RANGE (d);
CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (10) USING columnar;
CREATE TABLE part_2 PARTITION OF part FOR VALUES FROM (10) TO (20);
INSERT INTO part SELECT g % 20, g, 'p' || g FROM generate_series(1, 6000) g;
CREATE INDEX ON part (v);
ALTER TABLE part ADD PRIMARY KEY (d, id);
CREATE TABLE parth AS SELECT * FROM part;
CREATE INDEX ON parth (v);
SELECT * FROM diff('SELECT * FROM part WHERE v = ''p77'' OR v = ''p78''');
INSERT INTO part VALUES (3, 3, 'dup');
-- attaching a columnar table to the indexed parent builds its indexes and
-- checks the primary key
CREATE TABLE part_3 (d int NOT NULL, id int NOT NULL, v text) USING columnar;
INSERT INTO part_3 SELECT 20 + g % 10, g, 'q' || g FROM generate_series(1, 1000) g;
INSERT INTO part_3 VALUES (21, 1, 'dup');
ALTER TABLE part ATTACH PARTITION part_3 FOR VALUES FROM (20) TO (30);
DELETE FROM part_3;
TRUNCATE part_3;
INSERT INTO part_3 SELECT 20 + g % 10, g, 'q' || g FROM generate_series(1, 1000) g;
ALTER TABLE part ATTACH PARTITION part_3 FOR VALUES FROM (20) TO (30);
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'part_3'::regclass ORDER BY 1;
INSERT INTO part VALUES (25, 5, 'dup');
INSERT INTO parth SELECT * FROM part_3;
SELECT * FROM diff('SELECT * FROM part WHERE v IN (''q5'', ''p5'', ''q999'')');
DROP TABLE part, parth;

-- REFRESH MATERIALIZED VIEW CONCURRENTLY of a columnar materialized view
-- (a plain refresh underneath: rows that changed cannot be deleted)
CREATE TABLE src (id int, v text);
INSERT INTO src SELECT g, 's' || g FROM generate_series(1, 2000) g;
CREATE MATERIALIZED VIEW mv USING columnar AS SELECT * FROM src;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv;
CREATE UNIQUE INDEX mv_id ON mv (id);
CREATE MATERIALIZED VIEW mv_empty USING columnar AS SELECT * FROM src WITH NO DATA;
CREATE UNIQUE INDEX ON mv_empty (id);
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_empty;
DROP MATERIALIZED VIEW mv_empty;
DELETE FROM src WHERE id % 3 = 0;
UPDATE src SET v = 'changed' WHERE id % 5 = 0;
INSERT INTO src VALUES (5000, 'new');
REFRESH MATERIALIZED VIEW CONCURRENTLY mv;
SELECT (SELECT count(*) FROM (SELECT * FROM mv EXCEPT SELECT * FROM src) x) AS mv_minus_src,
       (SELECT count(*) FROM (SELECT * FROM src EXCEPT SELECT * FROM mv) x) AS src_minus_mv;
SELECT * FROM scans('SELECT * FROM mv WHERE id = 5000');
SELECT * FROM mv WHERE id = 5000;
DROP MATERIALIZED VIEW mv;
DROP TABLE src;

DROP FUNCTION diff, scans;
SELECT count(*) FROM biwh.columnar_row_group;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
