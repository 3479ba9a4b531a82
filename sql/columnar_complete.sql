--
-- columnar_complete: what issue 11 found missing or broken, each answer
-- compared with a heap table's: ON COMMIT DELETE ROWS, publications
-- refused (logical replication does not carry columnar rows; the TAP test
-- 109 decodes with wal_level = logical), refused commands that leave
-- nothing behind, CREATE SCHEMA ... CREATE TABLE ... WITH (...).
--
\set VERBOSITY default
CREATE EXTENSION biwh CASCADE;

-- ON COMMIT DELETE ROWS, outside an explicit transaction too
CREATE TEMP TABLE tc (i int) USING columnar ON COMMIT DELETE ROWS;
CREATE TEMP TABLE th (i int) ON COMMIT DELETE ROWS;
INSERT INTO tc VALUES (1);
INSERT INTO th VALUES (1);
SELECT (SELECT count(*) FROM tc) AS columnar, (SELECT count(*) FROM th) AS heap;
COPY tc FROM stdin;
2
\.
SELECT count(*) FROM tc;
BEGIN;
INSERT INTO tc VALUES (3), (4);
INSERT INTO th VALUES (3), (4);
SELECT (SELECT sum(i) FROM tc) AS columnar, (SELECT sum(i) FROM th) AS heap;
COMMIT;
SELECT (SELECT count(*) FROM tc) AS columnar, (SELECT count(*) FROM th) AS heap;
BEGIN;
INSERT INTO tc SELECT g FROM generate_series(1, 3000) g;
SAVEPOINT s;
INSERT INTO tc VALUES (5);
ROLLBACK TO s;
SELECT count(*) FROM tc;
COMMIT;
SELECT count(*) FROM tc;
INSERT INTO tc VALUES (6);
SELECT count(*) FROM tc;
DROP TABLE tc, th;

-- Publications: columnar tables are not published (their rows would not
-- reach a subscriber); nothing is created by a refused statement
\set VERBOSITY terse
CREATE TABLE c (i int, v text) USING columnar;
CREATE TABLE h (i int, v text);
CREATE TABLE part (i int, v text) PARTITION BY RANGE (i);
CREATE TABLE part_c PARTITION OF part FOR VALUES FROM (0) TO (100) USING columnar;
CREATE TABLE part_h PARTITION OF part FOR VALUES FROM (100) TO (200);
SET client_min_messages = error;	-- wal_level is not logical here
\set VERBOSITY default
CREATE PUBLICATION pub_c FOR TABLE c;
\set VERBOSITY terse
CREATE PUBLICATION pub_c FOR TABLE h, c;
CREATE PUBLICATION pub_c FOR TABLE part;
SELECT count(*) FROM pg_publication WHERE pubname = 'pub_c';
CREATE PUBLICATION pub_h FOR TABLE h;
ALTER PUBLICATION pub_h ADD TABLE c;
ALTER PUBLICATION pub_h SET TABLE c;
ALTER PUBLICATION pub_h ADD TABLE part;
SELECT tablename FROM pg_publication_tables WHERE pubname = 'pub_h';
INSERT INTO c VALUES (1, 'one');
INSERT INTO h VALUES (1, 'one');
-- a table covered by FOR ALL TABLES or FOR TABLES IN SCHEMA takes no writes
CREATE PUBLICATION pub_all FOR ALL TABLES;
\set VERBOSITY default
INSERT INTO c VALUES (2, 'two');
\set VERBOSITY terse
COPY c FROM stdin;
3	three
\.
INSERT INTO part VALUES (3, 'three');
INSERT INTO part VALUES (103, 'heap partition');
CREATE TABLE ctas USING columnar AS SELECT 1 AS i;
INSERT INTO h VALUES (2, 'two');
-- rewrites go on, temporary tables are never published
VACUUM FULL c;
ALTER TABLE c ALTER COLUMN i TYPE bigint;
CREATE TEMP TABLE tmp (i int) USING columnar;
INSERT INTO tmp VALUES (1);
DROP PUBLICATION pub_all;
CREATE PUBLICATION pub_sch FOR TABLES IN SCHEMA public;
INSERT INTO c VALUES (2, 'two');
DROP PUBLICATION pub_sch;
INSERT INTO c VALUES (2, 'two');
SELECT * FROM c ORDER BY i;
RESET client_min_messages;
DROP PUBLICATION pub_h;
DROP TABLE tmp, part;

-- An index access method columnar tables cannot serve is refused before
-- anything is created, also by CREATE INDEX CONCURRENTLY (which commits an
-- invalid index before it builds)
\set VERBOSITY default
CREATE INDEX CONCURRENTLY c_brin ON c USING brin (i);
\set VERBOSITY terse
CREATE INDEX c_brin ON c USING brin (i);
SELECT count(*) FROM pg_index WHERE indrelid = 'c'::regclass;
TRUNCATE c;
VACUUM FULL c;
ALTER TABLE c ALTER COLUMN i TYPE int;
DROP TABLE c, h;

-- CREATE SCHEMA ... CREATE TABLE takes the columnar options
CREATE SCHEMA cs
	CREATE TABLE a (i int) USING columnar WITH (compression = none, row_group_size = 2000)
	CREATE TABLE b (i int) WITH (fillfactor = 50)
	CREATE TABLE d (i int) USING columnar;
SELECT relname, reloptions FROM pg_class WHERE relnamespace = 'cs'::regnamespace ORDER BY relname;
SELECT * FROM biwh.columnar_table_options('cs.a');
INSERT INTO cs.a SELECT g FROM generate_series(1, 5000) g;
SELECT * FROM biwh.columnar_stats('cs.a');
SELECT count(*), sum(i) FROM cs.a;
CREATE SCHEMA cs2 CREATE TABLE bad (i int) USING columnar WITH (compression = 'lz5');
SELECT count(*) FROM pg_namespace WHERE nspname = 'cs2';
DROP SCHEMA cs CASCADE;

-- Row locks: FOR KEY SHARE / FOR SHARE succeed for visible rows (stored
-- and buffered), as on heap; FOR UPDATE / FOR NO KEY UPDATE are refused
CREATE TABLE lc (i int, v text) USING columnar;
CREATE TABLE lh (i int, v text);
INSERT INTO lc SELECT g, 'v' || g FROM generate_series(1, 3000) g;
INSERT INTO lh SELECT g, 'v' || g FROM generate_series(1, 3000) g;
BEGIN;
INSERT INTO lc VALUES (0, 'buffered');
INSERT INTO lh VALUES (0, 'buffered');
SELECT * FROM lc WHERE i < 3 ORDER BY i FOR KEY SHARE;
SELECT (SELECT count(*) FROM (SELECT * FROM lc FOR SHARE) x) AS columnar,
       (SELECT count(*) FROM (SELECT * FROM lh FOR SHARE) x) AS heap;
SELECT * FROM lc WHERE i = 2999 FOR SHARE NOWAIT;
SELECT * FROM lc WHERE i = 2999 FOR KEY SHARE SKIP LOCKED;
COMMIT;
\set VERBOSITY default
SELECT * FROM lc WHERE i = 5 FOR UPDATE;
\set VERBOSITY terse
SELECT * FROM lc WHERE i = 5 FOR NO KEY UPDATE;
SELECT * FROM lc l JOIN lh h USING (i) WHERE i = 5 FOR UPDATE OF h;
SELECT * FROM lc l JOIN lh h USING (i) WHERE i = 5 FOR UPDATE OF l;
DROP TABLE lc, lh;

-- A columnar table referencing a heap table: checked on insert, and
-- deleting a referenced heap row is the usual violation
CREATE TABLE pk (id int PRIMARY KEY);
INSERT INTO pk SELECT generate_series(1, 10);
CREATE TABLE fkc (id int REFERENCES pk, v text) USING columnar;
CREATE TABLE fkh (id int REFERENCES pk, v text);
INSERT INTO fkc VALUES (1, 'a'), (2, 'b');
INSERT INTO fkh VALUES (1, 'a'), (2, 'b');
INSERT INTO fkc VALUES (11, 'x');
INSERT INTO fkh VALUES (11, 'x');
\set VERBOSITY default
DELETE FROM pk WHERE id = 1;
\set VERBOSITY terse
DELETE FROM fkh;
DELETE FROM pk WHERE id = 1;
DELETE FROM pk WHERE id = 5;
UPDATE pk SET id = 20 WHERE id = 2;
UPDATE pk SET id = 21 WHERE id = 3;
SELECT * FROM fkc ORDER BY id;
SELECT id FROM pk ORDER BY id;
BEGIN;
INSERT INTO fkc VALUES (4, 'buffered');
DELETE FROM pk WHERE id = 4;
ROLLBACK;
-- ON DELETE CASCADE would delete columnar rows: refused, nothing changes
CREATE TABLE fkcas (id int REFERENCES pk ON DELETE CASCADE) USING columnar;
INSERT INTO fkcas VALUES (6);
DELETE FROM pk WHERE id = 6;
SELECT count(*) FROM pk WHERE id = 6;
DROP TABLE fkc, fkh, fkcas, pk;

SELECT count(*) FROM biwh.columnar_row_group;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
