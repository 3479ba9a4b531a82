--
-- columnar_scan: the ColumnarScan custom scan reads only the columns a
-- query needs and skips row groups whose min/max cannot match simple
-- quals, at run time; results always equal those of a heap copy.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;

CREATE FUNCTION compare(c regclass, h regclass, OUT c_minus_h bigint, OUT h_minus_c bigint)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s) x', c, h)
		INTO c_minus_h;
	EXECUTE format('SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s) x', h, c)
		INTO h_minus_c;
END $$;
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

CREATE TABLE c (id int, day date, ts timestamptz, store text, amount numeric(10,2),
	n int, f float8) USING columnar WITH (row_group_size = 1000);
INSERT INTO c SELECT g, date '2025-01-01' + g / 1000,
	timestamptz '2025-01-01 00:00+00' + g * interval '1 minute',
	'store ' || (g / 1000), g / 10.0, CASE WHEN g >= 5000 THEN NULL ELSE g END,
	CASE WHEN g = 9999 THEN 'NaN' ELSE g / 3.0 END
  FROM generate_series(0, 9999) g;
CREATE TABLE h AS SELECT * FROM c;
SELECT * FROM compare('c', 'h');

-- The custom scan replaces the sequential scan, and says what it reads
EXPLAIN (COSTS OFF) SELECT * FROM c;
EXPLAIN (COSTS OFF, VERBOSE) SELECT store, sum(amount) FROM c GROUP BY store;
SET biwh.enable_custom_scan = off;
EXPLAIN (COSTS OFF) SELECT * FROM c;
SELECT * FROM compare('c', 'h');
RESET biwh.enable_custom_scan;

-- Row groups skipped by =, <, <=, >, >=, BETWEEN, IN, IS NULL
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE id = 4321;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE id < 1500;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE 8500 <= id;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF)
	SELECT count(*) FROM c WHERE day BETWEEN '2025-01-03' AND '2025-01-04';
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF)
	SELECT sum(amount) FROM c WHERE store IN ('store 1', 'store 7');
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE n IS NULL;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE n IS NOT NULL;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF)
	SELECT count(*) FROM c WHERE ts > '2025-01-07 12:00+00';
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE amount >= 950.5;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE f > 3000;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE id = 4321 OR id = 5;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE id = -1;

-- the same answers as the heap table
SELECT q, same(q) FROM (VALUES
	('SELECT * FROM t WHERE id = 4321'),
	('SELECT id, day FROM t WHERE id < 1500'),
	('SELECT * FROM t WHERE 8500 <= id'),
	('SELECT store, ts FROM t WHERE day BETWEEN ''2025-01-03'' AND ''2025-01-04'''),
	('SELECT amount FROM t WHERE store IN (''store 1'', ''store 7'')'),
	('SELECT id FROM t WHERE n IS NULL'),
	('SELECT id, n FROM t WHERE n IS NOT NULL'),
	('SELECT * FROM t WHERE ts > ''2025-01-07 12:00+00'''),
	('SELECT amount FROM t WHERE amount >= 950.5'),
	('SELECT f FROM t WHERE f > 3000'),
	('SELECT f FROM t WHERE f = ''NaN'''),
	('SELECT id FROM t WHERE id = 4321 OR id = 5'),
	('SELECT id FROM t WHERE id::bigint > 9000::bigint'),
	('SELECT id FROM t WHERE store > ''store 8'' AND id < 9500'),
	('SELECT id FROM t WHERE store = ''store 3'' COLLATE "C"'),
	('SELECT day, count(*) FROM t WHERE id < 3000 GROUP BY day'),
	('SELECT count(*) FROM t WHERE id IN (1, 2, NULL)'),
	('SELECT count(*) FROM t WHERE id = NULL'),
	-- = ANY / <> ALL of more than 8 integers search a sorted copy
	('SELECT id, n FROM t WHERE id = ANY (''{3,3,5,77,1000,2001,4999,5000,5001,9999,-4,12345}'')'),
	('SELECT id FROM t WHERE n = ANY (''{1,2,3,4,5,6,7,8,9,NULL,4998,5000}''::int8[])'),
	('SELECT count(*) FROM t WHERE (n = ANY (''{1,2,3,4,5,6,7,8,9,NULL}''::int[])) IS NULL'),
	('SELECT count(*) FROM t WHERE n <> ALL (''{1,2,3,4,5,6,7,8,9,10,11}''::int2[])'),
	('SELECT count(*) FROM t WHERE (n <> ALL (''{1,2,3,4,5,6,7,8,9,10,NULL}'')) IS NULL'),
	('SELECT count(*) FROM t WHERE day = ANY (''{2025-01-02,2025-01-04,2025-01-05,2025-01-06,2025-01-07,2025-01-08,2025-01-09,2025-01-10,2025-01-11}''::date[])'),
	('SELECT count(*) FROM t WHERE id::int8 = ANY (''{-9223372036854775808,9223372036854775807,0,1,2,3,4,5,6,7}''::int8[])')
) v(q);

-- Values known only at run time: parameters of generic plans, now()
PREPARE q(int, text) AS SELECT count(*) FROM c WHERE id < $1 AND store = $2;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) EXECUTE q(1500, 'store 1');
EXECUTE q(1500, 'store 1');
EXECUTE q(9000, 'store 9');
RESET plan_cache_mode;
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF)
	SELECT count(*) FROM c WHERE ts > now() - interval '1000 years';
-- parameters of a nested loop are not used for skipping, and still right
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT count(*) FROM h JOIN c ON c.id = h.id WHERE h.id < 3;
RESET enable_hashjoin;
RESET enable_mergejoin;

-- Rows still buffered in this transaction are never skipped
BEGIN;
INSERT INTO c VALUES (100000, '2030-01-01', NULL, 'late', 1, NULL, NULL);
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM c WHERE id > 50000;
SELECT id, store FROM c WHERE id > 50000;
ROLLBACK;

-- A column added later has no chunk in older row groups
ALTER TABLE c ADD COLUMN extra int DEFAULT 5;
ALTER TABLE h ADD COLUMN extra int DEFAULT 5;
SELECT count(*) FROM c WHERE extra = 5;
SELECT same('SELECT id FROM t WHERE extra = 5 AND id > 9990');

-- Scrollable cursors over the custom scan
BEGIN;
DECLARE cur SCROLL CURSOR FOR SELECT id FROM c WHERE id BETWEEN 998 AND 1002;
FETCH ALL FROM cur;
FETCH BACKWARD 3 FROM cur;
FETCH FIRST FROM cur;
COMMIT;

-- Partitions: each leaf gets the custom scan
CREATE TABLE p (id int, v text) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (5000) USING columnar;
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (5000) TO (10000);
INSERT INTO p SELECT id, store FROM h;
EXPLAIN (COSTS OFF) SELECT count(*) FROM p WHERE id % 2 = 0;
SELECT count(*) FROM p WHERE id % 2 = 0;

-- LIKE 'literal%' and LIKE 'literal' on text compare bytes (also on
-- dictionary entries); other patterns call LIKE itself
ALTER TABLE c RENAME TO c_;
ALTER TABLE h RENAME TO h_;
CREATE TABLE c (v text, w varchar(20)) USING columnar WITH (row_group_size = 1000);
INSERT INTO c SELECT CASE WHEN g % 13 = 0 THEN NULL
		ELSE (ARRAY['Item 29', 'Item 290', 'item 29', 'Ítem 29', 'Item 2', '', '50%_off', 'a\b'])[g % 8 + 1]
			|| CASE WHEN g % 3 = 0 THEN '' ELSE ' x' END END,
	'w' || (g % 50) FROM generate_series(1, 3000) g;
CREATE TABLE h AS SELECT * FROM c;
SELECT p, same(format('SELECT v FROM t WHERE v LIKE %L', p)) AS "LIKE",
	same(format('SELECT v FROM t WHERE v NOT LIKE %L', p)) AS "NOT LIKE"
  FROM unnest(ARRAY['Item 29%', 'Item 29', 'Item 2%%', 'Ítem%', '%', '', 'Item _9%',
					'50\%%', 'a\\b%', 'item%']) p;
SELECT same('SELECT w FROM t WHERE w LIKE ''w1%''');
EXPLAIN (COSTS OFF) SELECT count(*) FROM c WHERE v LIKE 'Item 29%';
DROP TABLE c, h;
ALTER TABLE c_ RENAME TO c;
ALTER TABLE h_ RENAME TO h;

DROP TABLE c, h, p;
DROP FUNCTION compare, same;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
