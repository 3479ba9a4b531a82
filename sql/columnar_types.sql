--
-- columnar_types: every kind of column round-trips exactly through the
-- columnar access method (by-value and by-reference, fixed and variable
-- width, NULLs everywhere, special floats, a 1 MB value), compared with a
-- heap copy of the same rows.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
SET biwh.row_group_size = 1000;

CREATE FUNCTION compare(c regclass, h regclass, OUT c_minus_h bigint, OUT h_minus_c bigint)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s) x', c, h)
		INTO c_minus_h;
	EXECUTE format('SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s) x', h, c)
		INTO h_minus_c;
END $$;

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pair AS (x int, y text);

CREATE TABLE h (
	i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, num numeric, num2 numeric(10,3),
	b bool, t text, vc varchar(20), ch char(5), "char" "char", nm name, by bytea,
	d date, tm time, tmtz timetz, ts timestamp, tstz timestamptz, iv interval,
	u uuid, j jsonb, ai int[], at text[], e mood, dom posint, comp pair, m money,
	ip inet
);

-- special values first, then generated rows
INSERT INTO h VALUES
	(32767, 2147483647, 9223372036854775807, 'NaN', 'NaN', 'NaN', 1.5,
	 true, '', '', '', 'a', 'name', '\x', '-infinity', '00:00', '00:00+00',
	 'infinity', '-infinity', '-178000000 years', '00000000-0000-0000-0000-000000000000',
	 'null', '{}', '{}', 'sad', 1, ROW(NULL, NULL), 0, '::1'),
	(-32768, -2147483648, -9223372036854775808, 'Infinity', '-Infinity',
	 '-1e-1000', -9999999.999, false, 'é ü 漢字', 'x', 'abcde', 'z', '', '\x00ff',
	 'infinity', '24:00', '23:59:59.999999-12', '-infinity', 'infinity',
	 '178000000 years', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
	 '{"a": [1, 2, {"b": null}], "c": "d"}', '{1,NULL,3}', '{"a b",NULL,""}', 'happy',
	 2147483647, ROW(1, 'one'), -92233720368547758.08, '10.1.2.3/8'),
	(0, 0, 0, '-Infinity', '-0', '0.000', 0, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL),
	(NULL, NULL, NULL, '-0', '1e-308', '123456789012345678901234567890.123456789',
	 NULL, NULL, repeat('x', 5000), NULL, 'a', NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, '1 mon 2 days 03:04:05.678', NULL, '[1, 2, 3]', '{{1,2},{3,4}}',
	 NULL, 'ok', NULL, NULL, NULL, NULL);
INSERT INTO h
SELECT CASE WHEN g % 7 = 0 THEN NULL ELSE (g % 500)::int2 END,
	CASE WHEN g % 5 = 0 THEN NULL ELSE g * 31 END,
	CASE WHEN g % 3 = 0 THEN NULL ELSE g::int8 * 1000000007 END,
	CASE WHEN g % 9 = 0 THEN NULL ELSE g / 7.0 END,
	CASE WHEN g % 10 = 0 THEN NULL ELSE g / 3.0 END,
	CASE WHEN g % 4 = 0 THEN NULL ELSE (g * 1.01)::numeric END,
	CASE WHEN g % 6 = 0 THEN NULL ELSE (g / 8.0)::numeric(10,3) END,
	CASE WHEN g % 11 = 0 THEN NULL ELSE g % 2 = 0 END,
	CASE WHEN g % 13 = 0 THEN NULL ELSE 'text ' || (g % 37) END,
	CASE WHEN g % 12 = 0 THEN NULL ELSE 'vc' || g END,
	CASE WHEN g % 8 = 0 THEN NULL ELSE (g % 10)::text END,
	CASE WHEN g % 14 = 0 THEN NULL ELSE chr(65 + g % 26)::"char" END,
	CASE WHEN g % 15 = 0 THEN NULL ELSE ('n' || g)::name END,
	CASE WHEN g % 16 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END,
	CASE WHEN g % 17 = 0 THEN NULL ELSE date '2024-01-01' + g END,
	CASE WHEN g % 18 = 0 THEN NULL ELSE time '00:00' + g * interval '17 seconds' END,
	CASE WHEN g % 19 = 0 THEN NULL ELSE (time '00:00' + g * interval '3 seconds')::timetz END,
	CASE WHEN g % 20 = 0 THEN NULL ELSE timestamp '2024-01-01' + g * interval '1 minute' END,
	CASE WHEN g % 21 = 0 THEN NULL ELSE timestamptz '2024-01-01 00:00+00' + g * interval '1 hour' END,
	CASE WHEN g % 22 = 0 THEN NULL ELSE g * interval '1 day 1 second' END,
	CASE WHEN g % 23 = 0 THEN NULL ELSE md5(g::text)::uuid END,
	CASE WHEN g % 24 = 0 THEN NULL ELSE jsonb_build_object('g', g, 'k', g % 3) END,
	CASE WHEN g % 25 = 0 THEN NULL ELSE ARRAY[g, g + 1, NULL] END,
	CASE WHEN g % 26 = 0 THEN NULL ELSE ARRAY['a' || g] END,
	CASE WHEN g % 27 = 0 THEN NULL ELSE (ARRAY['sad', 'ok', 'happy'])[g % 3 + 1]::mood END,
	CASE WHEN g % 28 = 0 THEN NULL ELSE g END,
	CASE WHEN g % 29 = 0 THEN NULL ELSE ROW(g, 'p' || g)::pair END,
	CASE WHEN g % 30 = 0 THEN NULL ELSE (g * 1.25)::money END,
	CASE WHEN g % 31 = 0 THEN NULL ELSE ('10.0.' || (g % 256) || '.1')::inet END
  FROM generate_series(1, 2500) g;

-- The same rows in a columnar table, by INSERT ... SELECT and by COPY
CREATE TABLE c (LIKE h) USING columnar;
INSERT INTO c SELECT * FROM h;
SELECT * FROM compare('c', 'h');
SELECT count(*) FROM c;
SELECT i2, i4, i8, f4, f8, left(num::text, 20) AS num, num2, b,
	left(t, 10) AS t, length(t) AS t_len, vc, ch, "char", nm, by FROM c LIMIT 4;
SELECT d, tm, tmtz, ts, tstz, iv, u FROM c LIMIT 4;
SELECT j, ai, at, e, dom, comp, m, ip FROM c LIMIT 4;
SELECT i4, f4, f8, num, num2, t, d, tstz, j, e, comp FROM c WHERE i4 BETWEEN 31 AND 93 ORDER BY i4;
SELECT i4, f4, f8, num, num2, t, d, tstz, j, e, comp FROM h WHERE i4 BETWEEN 31 AND 93 ORDER BY i4;
CREATE TABLE c2 (LIKE h) USING columnar;
-- a file in the data directory, so parallel runs do not share it
SELECT current_setting('data_directory') || '/biwh_columnar_types.copy' AS copyfile \gset
COPY h TO :'copyfile';
COPY c2 FROM :'copyfile';
SELECT * FROM compare('c2', 'h');

-- A column of all NULLs, and a column of one value
SELECT count(*) FROM c WHERE i2 IS NULL;
CREATE TABLE c3 USING columnar AS SELECT NULL::text AS n, 7 AS k, g FROM generate_series(1, 3000) g;
SELECT count(n), count(k), sum(k), sum(g) FROM c3;

-- Per-column NULL counts agree with the data
SELECT sum(x) FROM biwh.columnar_row_group r, unnest(r.chunk_null_count) x
 WHERE r.storage_id = (SELECT max(storage_id) FROM biwh.columnar_row_group);

-- A 1 MB value, and a row group of many wide values
CREATE TABLE big (id int, v text, b bytea) USING columnar;
CREATE TABLE bigh (id int, v text, b bytea);
INSERT INTO bigh VALUES (1, repeat('abcdefghij', 100000), decode(repeat('00ff', 500000), 'hex')),
	(2, NULL, NULL),
	(3, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 33000) g), '\x01');
INSERT INTO big SELECT * FROM bigh;
SELECT id, length(v), md5(v), length(b), md5(b) FROM big ORDER BY id;
SELECT * FROM compare('big', 'bigh');

-- Values stored out of line (TOAST) in the heap come back whole
CREATE TABLE toasted (id int, v text);
ALTER TABLE toasted ALTER v SET STORAGE EXTERNAL;
INSERT INTO toasted SELECT g, repeat(g::text, 3000) FROM generate_series(1, 20) g;
CREATE TABLE ctoasted USING columnar AS SELECT * FROM toasted;
SELECT * FROM compare('ctoasted', 'toasted');

DROP TABLE c, c2, c3, h, big, bigh, toasted, ctoasted;
DROP TYPE mood, pair;
DROP DOMAIN posint;
DROP FUNCTION compare;
SELECT count(*) FROM biwh.columnar_row_group;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
