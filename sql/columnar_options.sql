--
-- columnar_options: per-table options (WITH, ALTER TABLE SET / RESET,
-- biwh.alter_columnar_table_set / _reset), the biwh.* settings they
-- override, the sort key, the write buffer cap, and the inspection
-- functions biwh.columnar_stats and biwh.columnar_verify.
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
-- row groups of a table: rows, and min/max of column n
CREATE FUNCTION groups(tbl regclass, n int)
RETURNS TABLE (row_count bigint, min text, max text) LANGUAGE sql AS $$
	SELECT row_count, biwh.columnar_bound_text(tbl, n, chunk_min[n]),
		   biwh.columnar_bound_text(tbl, n, chunk_max[n]) FROM biwh.columnar_row_group
	 WHERE storage_id = biwh.columnar_storage_id(tbl) ORDER BY first_row
$$;

SHOW biwh.compression;
SHOW biwh.compression_level;
SHOW biwh.row_group_size;
SHOW biwh.write_buffer_size;

CREATE TABLE h AS SELECT g AS id, (g * 7919) % 3000 AS k, 'store ' || (g % 13) AS store,
	date '2025-01-01' + (g * 7) % 365 AS day FROM generate_series(1, 3000) g;

-- WITH (...) at creation
CREATE TABLE c (id int, k int, store text, day date) USING columnar
	WITH (compression = none, row_group_size = 1000, sort_key = 'k');
SELECT * FROM biwh.columnar_table_options('c');
SELECT reloptions FROM pg_class WHERE oid = 'c'::regclass;
INSERT INTO c SELECT * FROM h;
SELECT * FROM compare('c', 'h');
-- sorted within each row group: k only goes down between the 3 groups
SELECT * FROM groups('c', 2);
SELECT count(*) FILTER (WHERE k < prev) AS descents
  FROM (SELECT k, lag(k) OVER () AS prev FROM c) x;
SELECT count(*) FILTER (WHERE e <> 'plain') AS non_plain FROM biwh.columnar_row_group r,
	unnest(r.chunk_encoding) e(x), LATERAL (SELECT biwh.columnar_encoding_name(x)) n(e)
 WHERE storage_id = biwh.columnar_storage_id('c');
SELECT bool_and(chunk_length[2] = chunk_raw_length[2] + 20) AS uncompressed
  FROM biwh.columnar_row_group WHERE storage_id = biwh.columnar_storage_id('c');

-- CREATE TABLE AS with options applies them to its own rows
CREATE TABLE c2 USING columnar WITH (row_group_size = 1500, sort_key = 'store, id',
	compression = zstd, compression_level = 9) AS SELECT * FROM h;
SELECT * FROM biwh.columnar_table_options('c2');
SELECT * FROM groups('c2', 3);
SELECT * FROM compare('c2', 'h');
SHOW biwh.row_group_size;
-- rewrites keep the options
VACUUM FULL c2;
SELECT * FROM groups('c2', 3);
ALTER TABLE c2 ALTER COLUMN k TYPE bigint;
SELECT row_count FROM groups('c2', 1);
SELECT * FROM compare('c2', 'h');

-- ALTER TABLE SET / RESET, and the functions
ALTER TABLE c SET (row_group_size = 2000, compression = zstd);
SELECT * FROM biwh.columnar_table_options('c');
ALTER TABLE c RESET (sort_key, compression);
SELECT * FROM biwh.columnar_table_options('c');
SELECT biwh.alter_columnar_table_set('c', compression_level => 5, sort_key => 'day');
SELECT * FROM biwh.columnar_table_options('c');
SELECT biwh.alter_columnar_table_reset('c', row_group_size => true, compression_level => true);
SELECT * FROM biwh.columnar_table_options('c');
INSERT INTO c SELECT * FROM h;
INSERT INTO h SELECT * FROM h;
SELECT * FROM compare('c', 'h');

-- Settings are the defaults of tables without options
SET biwh.row_group_size = 1200;
SET biwh.compression = none;
CREATE TABLE c3 USING columnar AS SELECT * FROM h;
SELECT * FROM biwh.columnar_table_options('c3');
SELECT row_count FROM groups('c3', 1) LIMIT 2;
RESET biwh.row_group_size;
RESET biwh.compression;

-- Options are storage parameters: pg_class.reloptions holds them (so
-- pg_dump dumps them), next to PostgreSQL's own; quoted values are what
-- pg_dump writes
CREATE TABLE hr AS SELECT * FROM h;
CREATE TABLE r (id int, k int, store text, day date) USING columnar
	WITH (fillfactor = 80, row_group_size = '1500', compression = 'none',
		  compression_level = '4', sort_key = 'Store , "id"');
SELECT reloptions FROM pg_class WHERE oid = 'r'::regclass;
SELECT * FROM biwh.columnar_table_options('r');
INSERT INTO r SELECT * FROM hr;
SELECT array_agg(row_count) FROM groups('r', 1);
-- PostgreSQL's options still work next to ours
ALTER TABLE r SET (fillfactor = 90, autovacuum_enabled = false);
ALTER TABLE r RESET (fillfactor);
SELECT reloptions FROM pg_class WHERE oid = 'r'::regclass;
-- ours and a rewrite in one statement: the rewrite uses the new options
ALTER TABLE r SET (row_group_size = 2500), ALTER COLUMN k TYPE bigint;
SELECT reloptions FROM pg_class WHERE oid = 'r'::regclass;
SELECT array_agg(row_count) FROM groups('r', 1);
SELECT * FROM compare('r', 'hr');
-- a failed ALTER leaves them as they were (also in a savepoint)
BEGIN;
SAVEPOINT s;
ALTER TABLE r SET (row_group_size = 3000, sort_key = 'nosuch');
ROLLBACK TO s;
SELECT reloptions FROM pg_class WHERE oid = 'r'::regclass;
INSERT INTO r SELECT * FROM hr WHERE id <= 1300;
COMMIT;
INSERT INTO hr SELECT * FROM hr WHERE id <= 1300;
SELECT array_agg(row_count) FROM groups('r', 1);
-- IF NOT EXISTS does not touch an existing table's options
CREATE TABLE IF NOT EXISTS r (a int) USING columnar WITH (row_group_size = 9999);
SELECT reloptions FROM pg_class WHERE oid = 'r'::regclass;
-- SET ACCESS METHOD heap drops them (heap would refuse them); back to
-- columnar with options in the same statement
ALTER TABLE r SET ACCESS METHOD heap;
SELECT reloptions, reltoastrelid <> 0 AS has_toast FROM pg_class WHERE oid = 'r'::regclass;
-- (the heap table got a TOAST table: a long value fits)
INSERT INTO r SELECT 0, 0, string_agg(md5(g::text), ''), NULL FROM generate_series(1, 2000) g;
INSERT INTO hr SELECT 0, 0, string_agg(md5(g::text), ''), NULL FROM generate_series(1, 2000) g;
ALTER TABLE r SET (compression = zstd);
ALTER TABLE r SET ACCESS METHOD columnar, SET (row_group_size = 4000, sort_key = 'k');
SELECT reloptions FROM pg_class WHERE oid = 'r'::regclass;
SELECT row_count, min, max FROM groups('r', 2);
SELECT * FROM compare('r', 'hr');
-- a table that is not columnar (a dump restored with
-- --no-table-access-method) drops them with a warning
CREATE TABLE nh (a int) USING heap WITH (compression = zstd, fillfactor = 70);
SELECT reloptions FROM pg_class WHERE oid = 'nh'::regclass;
CREATE TABLE nh2 USING heap WITH (row_group_size = 5000) AS SELECT 1 AS a;
SELECT reloptions FROM pg_class WHERE oid = 'nh2'::regclass;
-- partitions, temporary tables and materialized views have them too
CREATE TABLE pt (day date, v int) PARTITION BY RANGE (day);
CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM ('2025-01-01') TO ('2025-07-01')
	USING columnar WITH (row_group_size = 1000, sort_key = 'v');
CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM ('2025-07-01') TO ('2026-01-01');
INSERT INTO pt SELECT day, id FROM h WHERE id <= 2500;
SELECT array_agg(row_count), bool_and(min::int < max::int) AS sorted FROM groups('pt1', 2);
SELECT c.relname, c.reloptions, a.amname FROM pg_class c LEFT JOIN pg_am a ON a.oid = c.relam
 WHERE c.relname LIKE 'pt%' ORDER BY 1;
ALTER TABLE pt SET (compression = zstd);
CREATE TABLE hpt AS SELECT day, id AS v FROM h WHERE id <= 2500;
SELECT * FROM compare('pt', 'hpt');
-- sort keys follow RENAME COLUMN and lose dropped columns (also through a
-- partitioned table): they always name columns, so a dump restores
ALTER TABLE pt RENAME COLUMN v TO "Value";
ALTER TABLE r RENAME COLUMN k TO kk;
SELECT relname, reloptions FROM pg_class WHERE relname IN ('pt1', 'r') ORDER BY 1;
ALTER TABLE r DROP COLUMN kk;
SELECT reloptions FROM pg_class WHERE oid = 'r'::regclass;
CREATE TEMP TABLE tt USING columnar WITH (row_group_size = 1200) AS SELECT * FROM h;
SELECT array_agg(row_count) FROM groups('tt', 1);
CREATE MATERIALIZED VIEW mv USING columnar WITH (row_group_size = 1100) AS SELECT * FROM h;
ALTER MATERIALIZED VIEW mv SET (row_group_size = 1300);
REFRESH MATERIALIZED VIEW mv;
SELECT reloptions FROM pg_class WHERE oid = 'mv'::regclass;
SELECT array_agg(row_count) FROM groups('mv', 1);
SELECT * FROM compare('mv', 'h');
-- once the library is loaded a utility hook does the work of the event
-- triggers: pg_upgrade creates them after the tables
ALTER EVENT TRIGGER biwh_columnar_ddl_start DISABLE;
ALTER EVENT TRIGGER biwh_columnar_ddl_end DISABLE;
CREATE TABLE up (a int, b text) USING columnar WITH (row_group_size = '3000', sort_key = 'b');
ALTER TABLE up SET (compression = none);
ALTER TABLE up RENAME b TO c;
SELECT reloptions FROM pg_class WHERE oid = 'up'::regclass;
ALTER EVENT TRIGGER biwh_columnar_ddl_start ENABLE;
ALTER EVENT TRIGGER biwh_columnar_ddl_end ENABLE;
DROP TABLE up;
DROP TABLE r, hr, nh, nh2, pt, hpt, tt;
DROP MATERIALIZED VIEW mv;

-- Bad options and settings
CREATE TABLE bad (a int) USING columnar WITH (compression = lz4);
CREATE TABLE bad (a int) USING columnar WITH (compression_level = 0);
CREATE TABLE bad (a int) USING columnar WITH (row_group_size = 10);
CREATE TABLE bad (a int) USING columnar WITH (sort_key = 'nosuch');
CREATE TABLE bad (a int) USING columnar WITH (fillfactor = 50);
DROP TABLE bad;
CREATE TABLE bad (a int) WITH (compression = zstd, fillfactor = 101);
ALTER TABLE c SET (compression = 'brotli');
ALTER TABLE c SET (row_group_size = 'many');
ALTER TABLE c SET (sort_key = 'a,,b');
ALTER TABLE c SET (sort_key);
SELECT biwh.alter_columnar_table_set('h', compression => 'zstd');
SET biwh.compression = lz4;
SET biwh.row_group_size = 10;
SELECT count(*) FROM pg_class WHERE relname = 'bad';

-- The write buffer is capped in bytes: row groups are flushed early
SET biwh.write_buffer_size = '1MB';
CREATE TABLE wide (id int, v text) USING columnar;
INSERT INTO wide SELECT g, repeat(md5(g::text), 100) FROM generate_series(1, 2000) g;
SELECT count(*) > 1 AS several_groups, max(row_count) < 2000 AS flushed_early,
	sum(row_count) AS rows FROM groups('wide', 1);
RESET biwh.write_buffer_size;

-- Statistics per column, and verification of every chunk
SELECT attnum, column_name, row_groups, null_count, encodings IS NOT NULL AS has_encodings,
	raw_bytes > 0 AS has_raw, stored_bytes > 0 AS has_stored
  FROM biwh.columnar_stats('c2');
SELECT sum(stored_bytes) < sum(raw_bytes) AS compressed FROM biwh.columnar_stats('c2');
SELECT * FROM biwh.columnar_verify('c');
SELECT * FROM biwh.columnar_verify('c2');
SELECT * FROM biwh.columnar_verify('wide');
CREATE TABLE empty (a int) USING columnar;
SELECT * FROM biwh.columnar_verify('empty');
SELECT * FROM biwh.columnar_stats('empty');
SELECT * FROM biwh.columnar_verify('h');

-- Options go with the table
DROP TABLE c, c2, c3, h, wide, empty;
SELECT count(*) FROM biwh.columnar_row_group;
DROP FUNCTION compare, groups;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
