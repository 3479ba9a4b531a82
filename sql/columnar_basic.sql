--
-- columnar_basic: the columnar access method stores and returns exactly what
-- a heap table does, for INSERT, INSERT ... SELECT and COPY, over several
-- row groups; sizes, statistics and maintenance commands work.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
SET biwh.row_group_size = 1000;

-- compare(c, h): rows of c missing from h and rows of h missing from c
CREATE FUNCTION compare(c regclass, h regclass, OUT c_minus_h bigint, OUT h_minus_c bigint)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s) x', c, h)
		INTO c_minus_h;
	EXECUTE format('SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s) x', h, c)
		INTO h_minus_c;
END $$;

-- An empty table
CREATE TABLE c (id int, grp int, name text, amount numeric(12,2), ts timestamptz, flag bool) USING columnar;
SELECT amname FROM pg_class k JOIN pg_am a ON a.oid = k.relam WHERE k.oid = 'c'::regclass;
SELECT count(*), pg_relation_size('c') FROM c;
SELECT * FROM c;

-- INSERT of a few rows, then INSERT ... SELECT over several row groups
INSERT INTO c VALUES (1, 1, 'one', 1.5, '2025-01-01 10:00+00', true),
	(2, NULL, NULL, NULL, NULL, NULL);
INSERT INTO c SELECT g, g % 17, 'name ' || (g % 101), (g * 7 % 1000) / 4.0,
	timestamptz '2025-01-01 00:00+00' + g * interval '13 minutes',
	CASE WHEN g % 11 = 0 THEN NULL ELSE g % 3 = 0 END
  FROM generate_series(3, 5500) g;
CREATE TABLE h (LIKE c);
INSERT INTO h SELECT * FROM c;
SELECT * FROM compare('c', 'h');
SELECT count(*), sum(id), count(grp), sum(amount), min(ts), max(ts), count(flag) FROM c;
SELECT count(*), sum(id), count(grp), sum(amount), min(ts), max(ts), count(flag) FROM h;
SELECT * FROM c WHERE id IN (1, 2, 1000, 1001, 5500) ORDER BY id;
SELECT * FROM h WHERE id IN (1, 2, 1000, 1001, 5500) ORDER BY id;

-- Projection and expressions
SELECT grp, count(*), sum(amount) FROM c GROUP BY grp ORDER BY grp NULLS FIRST LIMIT 5;
SELECT grp, count(*), sum(amount) FROM h GROUP BY grp ORDER BY grp NULLS FIRST LIMIT 5;
SELECT name FROM c WHERE id = 4321;

-- Row groups: a 2-row one, then 1000-row ones, each with its chunks
SELECT count(*) AS row_groups, sum(row_count) AS rows, min(row_count), max(row_count)
  FROM biwh.columnar_row_group;
SELECT cardinality(chunk_offset) AS columns, count(*)
  FROM biwh.columnar_row_group GROUP BY 1;

-- COPY in and out
-- a file in the data directory, so parallel runs do not share it
SELECT current_setting('data_directory') || '/biwh_columnar_basic.copy' AS copyfile \gset
COPY (SELECT * FROM h WHERE id <= 3000 ORDER BY id) TO :'copyfile';
TRUNCATE c;
SELECT count(*) FROM c;
COPY c FROM :'copyfile';
COPY c FROM stdin;
3001	5	copied	12.50	2025-03-01 00:00:00+00	t
\N	\N	\N	\N	\N	\N
\.
SELECT count(*), sum(id), count(name) FROM c;
DELETE FROM h WHERE id > 3000;
INSERT INTO h VALUES (3001, 5, 'copied', 12.50, '2025-03-01 00:00:00+00', true),
	(NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM compare('c', 'h');

-- Sizes are real, ANALYZE gives the planner the row count
SELECT pg_relation_size('c') > 0 AS has_size,
       pg_relation_size('c') = pg_total_relation_size('c') AS no_toast_or_index;
ANALYZE c;
SELECT reltuples FROM pg_class WHERE oid = 'c'::regclass;
SELECT attname, null_frac > 0 AS has_nulls, n_distinct <> 0 AS has_ndistinct
  FROM pg_stats WHERE tablename = 'c' ORDER BY attname;
EXPLAIN (COSTS OFF) SELECT count(*) FROM c;

-- VACUUM leaves the data alone; VACUUM FULL rewrites it
VACUUM c;
SELECT * FROM compare('c', 'h');
VACUUM FULL c;
SELECT * FROM compare('c', 'h');
SELECT count(*) AS row_groups FROM biwh.columnar_row_group;

-- Tiny inserts in separate statements and transactions
CREATE TABLE small (a int) USING columnar;
INSERT INTO small VALUES (1);
INSERT INTO small VALUES (2);
BEGIN;
INSERT INTO small VALUES (3);
INSERT INTO small VALUES (4);
SELECT array_agg(a ORDER BY a) FROM small;
COMMIT;
SELECT array_agg(a ORDER BY a) FROM small;

-- A statement does not see its own rows; the next one does
INSERT INTO small SELECT a + 10 FROM small;
SELECT array_agg(a ORDER BY a) FROM small;
BEGIN;
INSERT INTO small SELECT a + 100 FROM small;
INSERT INTO small SELECT count(*) FROM small;
SELECT array_agg(a ORDER BY a) FROM small;
COMMIT;

-- VACUUM merges the small row groups of small transactions
CREATE TABLE small_h AS SELECT * FROM small;
SELECT count(*) AS row_groups FROM biwh.columnar_row_group
 WHERE storage_id = biwh.columnar_storage_id('small');
VACUUM small;
SELECT count(*) AS row_groups, sum(row_count) AS rows FROM biwh.columnar_row_group
 WHERE storage_id = biwh.columnar_storage_id('small');
SELECT * FROM compare('small', 'small_h');
SELECT * FROM biwh.columnar_verify('small');
VACUUM small;
SELECT count(*) AS row_groups FROM biwh.columnar_row_group
 WHERE storage_id = biwh.columnar_storage_id('small');
DROP TABLE small_h;

-- A table with no columns, and one with many
CREATE TABLE nocols () USING columnar;
INSERT INTO nocols DEFAULT VALUES;
INSERT INTO nocols SELECT FROM generate_series(1, 10);
SELECT count(*) FROM nocols;
SELECT format('CREATE TABLE wide (%s) USING columnar',
	string_agg(format('c%s int', i), ', ')) FROM generate_series(1, 200) i \gexec
INSERT INTO wide (c1, c100, c200) SELECT g, g * 2, g * 3 FROM generate_series(1, 1500) g;
SELECT count(*), sum(c1), sum(c100), sum(c200), count(c2) FROM wide;

-- DROP removes the catalog rows
DROP TABLE c, h, small, nocols, wide;
SELECT count(*) FROM biwh.columnar_row_group;
DROP FUNCTION compare;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
