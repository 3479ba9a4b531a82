--
-- columnar_load: what the load path computes from the encoder's analysis.
-- Every chunk's min/max (found among the few rows the analysis points at:
-- dictionary entries, the constant, the smallest and largest integer or
-- scaled numeric) must equal min()/max() in the type's own order, with
-- NULLs, collations whose order is not byte order, types stored as integers
-- but not ordered as signed integers (oid), floats with NaN and -0, numerics
-- with mixed display scales or NaN; values loaded from heap tuples (short
-- headers), compressed and out-of-line (TOAST) values must round-trip.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;

CREATE TABLE h (
	i2 int2, i4 int4, i8 int8, d date, ts timestamp, tz timestamptz, t time,
	b bool, o oid, f8 float8, n numeric, nn numeric, s text, sc text,
	sl text, u uuid, bp char(3)
);
INSERT INTO h
SELECT CASE WHEN g % 5 = 0 THEN NULL ELSE (g * 37) % 2001 - 1000 END,
	(g * 7919) % 100003 - 50000,
	CASE WHEN g % 3 = 0 THEN NULL ELSE (g::int8 * 1000003) % 9999991 - 5000000 END,
	date '2025-01-01' + (g * 13) % 400,
	timestamp '2025-01-01' + g * interval '17 minutes',
	timestamptz '2025-01-01 00:00+00' - g * interval '1 hour',
	time '00:00' + (g * 7 % 1440) * interval '1 minute',
	g % 4 = 1,
	(4000000000::int8 - (g * 104729) % 300000000)::oid,
	CASE g % 500 WHEN 0 THEN 'NaN'::float8 WHEN 1 THEN '-0'::float8
		ELSE ((g * 31) % 97) / 7.0 - 5 END,
	CASE WHEN g % 9 = 0 THEN NULL
		 WHEN g % 2 = 0 THEN round(((g * 53) % 4001) / 100.0 - 20, 2)
		 ELSE round(((g * 53) % 4001) / 10.0 - 200, 1) END,
	CASE WHEN g = 777 THEN 'NaN'::numeric ELSE (g % 17)::numeric / 4 END,
	CASE WHEN g % 6 = 0 THEN NULL ELSE (ARRAY['apple', 'Banana', 'cherry', 'Äpfel', 'zebra', 'Zebra', '_x', '10', '9'])[1 + g % 9] END,
	'value ' || md5(g::text),
	CASE WHEN g % 1000 = 1 THEN repeat('compressible ', 500) || g
		 WHEN g % 1000 = 2 THEN (SELECT string_agg(md5((g * 100 + k)::text), '') FROM generate_series(1, 200) k)
		 WHEN g % 2 = 0 THEN 'a short ' || (g % 50)
		 ELSE 'z short ' || (g % 50) END,
	md5((g % 40)::text)::uuid,
	(ARRAY['ab', 'AB', 'z', 'aa '])[1 + g % 4]
FROM generate_series(1, 5000) g;

-- one row group with NULLs and one without (row groups of 1,000 rows too)
CREATE TABLE c (LIKE h) USING columnar WITH (row_group_size = 100000);
INSERT INTO c SELECT * FROM h;
CREATE TABLE c2 (LIKE h) USING columnar WITH (row_group_size = 1000);
INSERT INTO c2 SELECT * FROM h WHERE i2 IS NOT NULL ORDER BY i4;
-- a row group of constants and NULLs
CREATE TABLE c3 (LIKE h) USING columnar;
INSERT INTO c3 SELECT 1, NULL, 3, '2025-01-01', '2025-01-01', '2025-01-01',
	'00:00', true, 4000000000, 1.5, 1.50, NULL, 'x', 'y', repeat('z', 3000), NULL, 'a'
FROM generate_series(1, 100);

-- every row round-trips
SELECT count(*) AS missing FROM (SELECT * FROM h EXCEPT ALL SELECT * FROM c) x;
SELECT count(*) AS extra FROM (SELECT * FROM c EXCEPT ALL SELECT * FROM h) x;
SELECT count(*) AS missing2 FROM (SELECT * FROM h WHERE i2 IS NOT NULL EXCEPT ALL SELECT * FROM c2) x;
SELECT sum(length(sl)) = (SELECT sum(length(sl)) FROM h) AS long_values_equal FROM c;

-- chunk min/max against min()/max() over the same rows, column by column
CREATE FUNCTION check_minmax(tbl regclass) RETURNS TABLE (col name, groups bigint, wrong bigint)
LANGUAGE plpgsql AS $$
DECLARE
	a record;
	g record;
	lo text;
	hi text;
	n_wrong bigint;
	n_groups bigint;
BEGIN
	FOR a IN SELECT attnum, attname FROM pg_attribute
			  WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped ORDER BY attnum LOOP
		n_wrong := 0;
		n_groups := 0;
		FOR g IN SELECT first_row, row_count,
					   biwh.columnar_bound_text(tbl, a.attnum, chunk_min[a.attnum]) AS mn,
					   biwh.columnar_bound_text(tbl, a.attnum, chunk_max[a.attnum]) AS mx
				   FROM biwh.columnar_row_group
				  WHERE storage_id = biwh.columnar_storage_id(tbl) ORDER BY first_row LOOP
			n_groups := n_groups + 1;
			/* the group's rows (TIDs of a columnar table number rows), in the
			 * type's order; format() prints with the output function */
			EXECUTE format($q$WITH r AS (
				SELECT %1$I AS v FROM %2$s
				 WHERE ((ctid::text::point)[0] * 291 + (ctid::text::point)[1] - 1)::int8
					   BETWEEN $1 AND $1 + $2 - 1)
				SELECT (SELECT format('%%s', v) FROM r WHERE v IS NOT NULL ORDER BY v LIMIT 1),
					   (SELECT format('%%s', v) FROM r WHERE v IS NOT NULL ORDER BY v DESC LIMIT 1)$q$,
				a.attname, tbl)
				INTO lo, hi USING g.first_row, g.row_count;
			/* bounds longer than 64 bytes are not kept */
			IF octet_length(lo) > 64 OR octet_length(hi) > 64 THEN
				lo := NULL;
				hi := NULL;
			END IF;
			IF lo IS DISTINCT FROM g.mn OR hi IS DISTINCT FROM g.mx THEN
				RAISE NOTICE '% group %: min % / %, max % / %', a.attname, g.first_row, g.mn, lo, g.mx, hi;
				n_wrong := n_wrong + 1;
			END IF;
		END LOOP;
		col := a.attname;
		groups := n_groups;
		wrong := n_wrong;
		RETURN NEXT;
	END LOOP;
END $$;
SELECT * FROM check_minmax('c');
SELECT * FROM check_minmax('c2');
SELECT * FROM check_minmax('c3');

DROP FUNCTION check_minmax(regclass);
DROP TABLE h, c, c2, c3;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
