--
-- columnar_minmax: the min/max kept per row group do not depend on the
-- settings of the session that wrote them (float digits, DateStyle,
-- IntervalStyle, TimeZone) nor on those of the reader, so skipping never
-- drops a row; every result is compared with a heap table.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
SET biwh.row_group_size = 1000;

CREATE TABLE mm_c (f float8, d date, i interval, t timestamptz, n numeric, s text) USING columnar;
CREATE TABLE mm_h (f float8, d date, i interval, t timestamptz, n numeric, s text);
-- one row group per load below
CREATE FUNCTION load(f float8, d date, i interval, t timestamptz) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO mm_c VALUES (f, d, i, t, 1.5, 'x');
	INSERT INTO mm_h VALUES (f, d, i, t, 1.5, 'x');
$$;
-- both tables must give the same count
CREATE FUNCTION same(qual text, OUT columnar bigint, OUT heap bigint)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE 'SELECT count(*) FROM mm_c WHERE ' || qual INTO columnar;
	EXECUTE 'SELECT count(*) FROM mm_h WHERE ' || qual INTO heap;
END $$;

-- written with few float digits: 0.1 + 0.2 would be kept as "0.3"
SET extra_float_digits = 0;
SELECT load(0.1::float8 + 0.2::float8, '2025-03-04', '1 day', '2025-03-04 10:30+00');
RESET extra_float_digits;
SELECT * FROM same('f > 0.3');
SELECT * FROM same('f = 0.1::float8 + 0.2::float8');

-- written with DateStyle SQL, DMY: 04/03/2025 read as April 3 under MDY
SET DateStyle = 'SQL, DMY';
SELECT load(1, '2025-03-04', '1 day', '2025-03-04 10:30+00');
RESET DateStyle;
SET DateStyle = 'ISO, MDY';
SELECT * FROM same($$d = '2025-03-04'$$);
SELECT * FROM same($$d < '2025-03-10'$$);
RESET DateStyle;

-- written with IntervalStyle sql_standard
SET IntervalStyle = sql_standard;
SELECT load(2, '2025-01-01', '-1 days +2 hours', '2025-01-01 00:00+00');
SELECT load(3, '2025-01-01', '-1 days -2 hours', '2025-01-01 00:00+00');
RESET IntervalStyle;
SELECT * FROM same($$i = '-1 days +2 hours'$$);
SELECT * FROM same($$i > '-1 days'$$);
SELECT * FROM same($$i = '-1 days -2 hours'$$);

-- written with DateStyle SQL in Asia/Kolkata: "IST" read as Israel time
SET DateStyle = 'SQL, MDY';
SET TimeZone = 'Asia/Kolkata';
SELECT load(4, '2025-06-01', '1 hour', '2025-06-01 12:00+05:30');
RESET DateStyle;
RESET TimeZone;
SELECT * FROM same($$t = '2025-06-01 06:30+00'$$);
SELECT * FROM same($$t >= '2025-06-01 06:30+00'$$);

-- the same everywhere else too
SELECT * FROM same('n = 1.5');
SELECT * FROM same($$s = 'x'$$);
SELECT count(*) FROM biwh.columnar_row_group WHERE storage_id = biwh.columnar_storage_id('mm_c');

-- bounds shown as text for people
SELECT biwh.columnar_bound_text('mm_c', 1, chunk_min[1]) AS f,
	   biwh.columnar_bound_text('mm_c', 2, chunk_min[2]) AS d,
	   biwh.columnar_bound_text('mm_c', 3, chunk_min[3]) AS i,
	   biwh.columnar_bound_text('mm_c', 5, chunk_min[5]) AS n,
	   biwh.columnar_bound_text('mm_c', 6, chunk_min[6]) AS s
  FROM biwh.columnar_row_group WHERE storage_id = biwh.columnar_storage_id('mm_c')
 ORDER BY first_row;

-- stored bounds that do not fit the column's type are not used, no error
UPDATE biwh.columnar_row_group SET chunk_min[1] = '\x01', chunk_max[1] = '\x02',
	chunk_min[6] = '\x01', chunk_max[6] = '\x0000'
 WHERE storage_id = biwh.columnar_storage_id('mm_c');
SELECT * FROM same('f > 0.3');
SELECT * FROM same($$s = 'x'$$);
SELECT biwh.columnar_bound_text('mm_c', 1, '\x01');

DROP TABLE mm_c, mm_h;

-- min/max are kept with their collation: a column whose collation changes
-- without a rewrite is not skipped by the old order
CREATE TABLE co_c (s text COLLATE "und-x-icu") USING columnar;
CREATE TABLE co_h (s text COLLATE "und-x-icu");
INSERT INTO co_c VALUES ('a'), ('B');
INSERT INTO co_h VALUES ('a'), ('B');
SELECT biwh.columnar_bound_text('co_c', 1, chunk_min[1]) AS min,
	   biwh.columnar_bound_text('co_c', 1, chunk_max[1]) AS max,
	   chunk_collation[1]::regcollation
  FROM biwh.columnar_row_group WHERE storage_id = biwh.columnar_storage_id('co_c');
SELECT count(*) FROM co_c WHERE s = 'a';
ALTER TABLE co_c ALTER COLUMN s TYPE text COLLATE "C";
ALTER TABLE co_h ALTER COLUMN s TYPE text COLLATE "C";
SELECT count(*) FROM biwh.columnar_row_group WHERE storage_id = biwh.columnar_storage_id('co_c');
SELECT count(*) FROM co_c WHERE s = 'a';
SELECT count(*) FROM co_h WHERE s = 'a';
SELECT count(*) FROM co_c WHERE s > 'Z';
SELECT count(*) FROM co_h WHERE s > 'Z';
-- new row groups use the new collation and are skipped by it
INSERT INTO co_c VALUES ('c'), ('D');
SELECT chunk_collation[1]::regcollation FROM biwh.columnar_row_group
 WHERE storage_id = biwh.columnar_storage_id('co_c') ORDER BY first_row;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM co_c WHERE s = 'B';
DROP TABLE co_c, co_h;
DROP FUNCTION load, same;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
