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

DROP EXTENSION biwh;
DROP EXTENSION dblink;
