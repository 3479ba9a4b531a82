--
-- columnar_subxact: rows buffered by a transaction survive DDL that a
-- savepoint rolls back (DROP, TRUNCATE), and fetching rows by TID follows
-- the snapshot; every result is compared with a heap table doing the same.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;

-- DROP TABLE rolled back to a savepoint keeps the rows buffered before it
CREATE TABLE dr_c (a int) USING columnar;
CREATE TABLE dr_h (a int);
BEGIN;
INSERT INTO dr_c VALUES (1);
INSERT INTO dr_h VALUES (1);
SAVEPOINT s;
DROP TABLE dr_c;
DROP TABLE dr_h;
ROLLBACK TO s;
SELECT count(*) FROM dr_c;
SELECT count(*) FROM dr_h;
COMMIT;
SELECT count(*) FROM dr_c;
SELECT count(*) FROM dr_h;

-- the same in a PL/pgSQL exception block
BEGIN;
INSERT INTO dr_c VALUES (2);
INSERT INTO dr_h VALUES (2);
DO $$
BEGIN
	DROP TABLE dr_c;
	DROP TABLE dr_h;
	RAISE EXCEPTION 'undo';
EXCEPTION WHEN OTHERS THEN
	NULL;
END $$;
COMMIT;
SELECT count(*), sum(a) FROM dr_c;
SELECT count(*), sum(a) FROM dr_h;

-- a committed DROP after buffered rows leaves nothing behind
SELECT biwh.columnar_storage_id('dr_c') AS dr_sid \gset
BEGIN;
INSERT INTO dr_c VALUES (3);
SAVEPOINT s;
INSERT INTO dr_c VALUES (4);
DROP TABLE dr_c;
RELEASE s;
COMMIT;
SELECT count(*) FROM biwh.columnar_row_group WHERE storage_id = :dr_sid;
DROP TABLE dr_h;

-- TRUNCATE twice in a savepoint (the second one in place), rolled back
CREATE TABLE tt_c (a int) USING columnar;
CREATE TABLE tt_h (a int);
BEGIN;
INSERT INTO tt_c VALUES (1);
INSERT INTO tt_h VALUES (1);
SAVEPOINT s;
TRUNCATE tt_c;
TRUNCATE tt_h;
INSERT INTO tt_c VALUES (2);
INSERT INTO tt_h VALUES (2);
TRUNCATE tt_c;
TRUNCATE tt_h;
INSERT INTO tt_c VALUES (3);
INSERT INTO tt_h VALUES (3);
ROLLBACK TO s;
SELECT count(*), sum(a) FROM tt_c;
SELECT count(*), sum(a) FROM tt_h;
COMMIT;
SELECT count(*), sum(a) FROM tt_c;
SELECT count(*), sum(a) FROM tt_h;

-- and released: only the rows written after the second TRUNCATE stay
BEGIN;
INSERT INTO tt_c VALUES (10);
INSERT INTO tt_h VALUES (10);
SAVEPOINT s;
TRUNCATE tt_c;
TRUNCATE tt_h;
INSERT INTO tt_c VALUES (20);
INSERT INTO tt_h VALUES (20);
TRUNCATE tt_c;
TRUNCATE tt_h;
INSERT INTO tt_c VALUES (30);
INSERT INTO tt_h VALUES (30);
RELEASE s;
COMMIT;
SELECT count(*), sum(a) FROM tt_c;
SELECT count(*), sum(a) FROM tt_h;
DROP TABLE tt_c, tt_h;

-- a fetch by TID (Tid Scan) sees buffered rows only as its snapshot does
CREATE TABLE tid_c (a int) USING columnar;
CREATE TABLE tid_h (a int);
SET biwh.enable_custom_scan = off;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM tid_c WHERE ctid = '(0,1)';
BEGIN;
DECLARE cc CURSOR FOR SELECT * FROM tid_c WHERE ctid = '(0,1)';
DECLARE ch CURSOR FOR SELECT * FROM tid_h WHERE ctid = '(0,1)';
INSERT INTO tid_c VALUES (42);
INSERT INTO tid_h VALUES (42);
FETCH ALL cc;
FETCH ALL ch;
-- a later statement sees them
SELECT * FROM tid_c WHERE ctid = '(0,1)';
SELECT * FROM tid_h WHERE ctid = '(0,1)';
COMMIT;
SELECT * FROM tid_c WHERE ctid = '(0,1)';
RESET biwh.enable_custom_scan;
RESET enable_seqscan;
DROP TABLE tid_c, tid_h;

-- ALTER TABLE SET TABLESPACE in a savepoint keeps the parent's buffered rows
SET allow_in_place_tablespaces = on;
CREATE TABLESPACE regress_columnar_ts LOCATION '';
CREATE TABLE ts_c (a int) USING columnar;
CREATE TABLE ts_h (a int);
BEGIN;
INSERT INTO ts_c VALUES (1);
INSERT INTO ts_h VALUES (1);
SAVEPOINT s;
INSERT INTO ts_c VALUES (2);
INSERT INTO ts_h VALUES (2);
ALTER TABLE ts_c SET TABLESPACE regress_columnar_ts;
ALTER TABLE ts_h SET TABLESPACE regress_columnar_ts;
INSERT INTO ts_c VALUES (3);
INSERT INTO ts_h VALUES (3);
SELECT count(*), sum(a) FROM ts_c;
SELECT count(*), sum(a) FROM ts_h;
RELEASE s;
COMMIT;
SELECT count(*), sum(a) FROM ts_c;
SELECT count(*), sum(a) FROM ts_h;
-- and rolled back: the rows stay with the old file
BEGIN;
INSERT INTO ts_c VALUES (10);
INSERT INTO ts_h VALUES (10);
SAVEPOINT s;
ALTER TABLE ts_c SET TABLESPACE pg_default;
ALTER TABLE ts_h SET TABLESPACE pg_default;
INSERT INTO ts_c VALUES (20);
INSERT INTO ts_h VALUES (20);
SELECT count(*), sum(a) FROM ts_c;
SELECT count(*), sum(a) FROM ts_h;
ROLLBACK TO s;
COMMIT;
SELECT count(*), sum(a) FROM ts_c;
SELECT count(*), sum(a) FROM ts_h;
SELECT spcname FROM pg_class c JOIN pg_tablespace t ON t.oid = c.reltablespace
 WHERE relname IN ('ts_c', 'ts_h') ORDER BY relname;
-- moved, then truncated in place in the same savepoint: the rows go
BEGIN;
INSERT INTO ts_c VALUES (100);
INSERT INTO ts_h VALUES (100);
SAVEPOINT s;
ALTER TABLE ts_c SET TABLESPACE pg_default;
ALTER TABLE ts_h SET TABLESPACE pg_default;
TRUNCATE ts_c;
TRUNCATE ts_h;
INSERT INTO ts_c VALUES (200);
INSERT INTO ts_h VALUES (200);
RELEASE s;
COMMIT;
SELECT count(*), sum(a) FROM ts_c;
SELECT count(*), sum(a) FROM ts_h;
DROP TABLE ts_c, ts_h;
DROP TABLESPACE regress_columnar_ts;
RESET allow_in_place_tablespaces;

DROP EXTENSION biwh;
DROP EXTENSION dblink;
