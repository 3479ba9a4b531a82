--
-- columnar_transactions: visibility of columnar rows follows PostgreSQL's
-- MVCC: rollback, savepoints, TRUNCATE in a transaction, prepared
-- transactions, and what a second session (over dblink) sees.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
SET biwh.row_group_size = 1000;

CREATE TABLE c (a int, b text) USING columnar;

-- Rollback leaves nothing visible, also for several row groups
BEGIN;
INSERT INTO c SELECT g, 'x' || g FROM generate_series(1, 2500) g;
SELECT count(*) FROM c;
ROLLBACK;
SELECT count(*) FROM c;
SELECT count(*) FROM biwh.columnar_row_group;

-- Savepoints: a rolled-back subtransaction loses its rows only
BEGIN;
INSERT INTO c VALUES (1, 'kept');
SAVEPOINT s1;
INSERT INTO c VALUES (2, 'rolled back');
INSERT INTO c SELECT g, 'rolled back' FROM generate_series(100, 1600) g;
SELECT count(*) FROM c;
ROLLBACK TO s1;
SELECT * FROM c ORDER BY a;
INSERT INTO c VALUES (3, 'after rollback to');
SAVEPOINT s2;
INSERT INTO c VALUES (4, 'released');
SAVEPOINT s3;
INSERT INTO c VALUES (5, 'nested, rolled back');
ROLLBACK TO s3;
RELEASE s2;
COMMIT;
SELECT * FROM c ORDER BY a;

-- PL/pgSQL exception blocks are subtransactions too
DO $$
BEGIN
	INSERT INTO c VALUES (6, 'block kept');
	BEGIN
		INSERT INTO c VALUES (7, 'block failed');
		PERFORM 1 / 0;
	EXCEPTION WHEN division_by_zero THEN
		NULL;
	END;
	BEGIN
		INSERT INTO c VALUES (8, 'block ok');
	EXCEPTION WHEN others THEN
		NULL;
	END;
END $$;
SELECT * FROM c ORDER BY a;

-- An error aborts the whole statement's rows
INSERT INTO c SELECT g, (10 / (g - 2000))::text FROM generate_series(1000, 3000) g;
SELECT count(*) FROM c;

-- TRUNCATE in a transaction: rolled back, then committed
BEGIN;
TRUNCATE c;
SELECT count(*) FROM c;
INSERT INTO c VALUES (100, 'after truncate');
SELECT * FROM c;
ROLLBACK;
SELECT * FROM c ORDER BY a;
BEGIN;
INSERT INTO c VALUES (9, 'before truncate');
SAVEPOINT s;
TRUNCATE c;
ROLLBACK TO s;
SELECT * FROM c ORDER BY a;
TRUNCATE c;
INSERT INTO c VALUES (200, 'after truncate');
COMMIT;
SELECT * FROM c ORDER BY a;
SELECT count(*) FROM biwh.columnar_row_group;

-- TRUNCATE of a table created in the same transaction
BEGIN;
CREATE TABLE t2 (a int) USING columnar;
INSERT INTO t2 SELECT generate_series(1, 1500);
TRUNCATE t2;
INSERT INTO t2 VALUES (42);
SELECT * FROM t2;
COMMIT;
SELECT * FROM t2;
DROP TABLE t2;

-- A rolled-back CREATE TABLE ... AS
BEGIN;
CREATE TABLE t3 USING columnar AS SELECT generate_series(1, 2000) AS a;
SELECT count(*) FROM t3;
ROLLBACK;
SELECT count(*) FROM biwh.columnar_row_group;

-- Prepared transactions: rows appear at COMMIT PREPARED only
BEGIN;
INSERT INTO c SELECT g, 'prepared' FROM generate_series(1, 1200) g;
PREPARE TRANSACTION 'biwh_columnar_p1';
SELECT count(*) FROM c;
COMMIT PREPARED 'biwh_columnar_p1';
SELECT count(*) FROM c;
BEGIN;
INSERT INTO c VALUES (300, 'prepared, rolled back');
PREPARE TRANSACTION 'biwh_columnar_p2';
ROLLBACK PREPARED 'biwh_columnar_p2';
SELECT count(*) FROM c WHERE b = 'prepared, rolled back';

-- A second session sees committed rows only, and REPEATABLE READ keeps
-- its snapshot
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s',
	split_part(current_setting('unix_socket_directories'), ',', 1),
	current_setting('port'), current_database()));
BEGIN;
INSERT INTO c SELECT g, 'uncommitted' FROM generate_series(1, 1500) g;
SELECT * FROM dblink('other', 'SELECT count(*) FROM c') AS t(n bigint);
SELECT count(*) FROM c;
COMMIT;
SELECT * FROM dblink('other', 'SELECT count(*) FROM c') AS t(n bigint);
SELECT dblink_exec('other', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
SELECT * FROM dblink('other', 'SELECT count(*) FROM c') AS t(n bigint);
INSERT INTO c SELECT g, 'later' FROM generate_series(1, 1100) g;
SELECT * FROM dblink('other', 'SELECT count(*) FROM c') AS t(n bigint);
SELECT dblink_exec('other', 'COMMIT');
SELECT * FROM dblink('other', 'SELECT count(*) FROM c') AS t(n bigint);
SELECT count(*) FROM c;

-- Rows the other session writes are ours after it commits
SELECT dblink_exec('other', 'INSERT INTO c SELECT g, ''from other'' FROM generate_series(1, 50) g');
SELECT count(*) FROM c WHERE b = 'from other';
SELECT dblink_disconnect('other');

-- Cursors: a cursor keeps its snapshot while the table grows
BEGIN;
DECLARE cur CURSOR FOR SELECT a FROM c WHERE b = 'kept';
INSERT INTO c VALUES (1, 'kept');
FETCH ALL FROM cur;
SELECT count(*) FROM c WHERE b = 'kept';
COMMIT;

-- ANALYZE sees rows loaded earlier in its own transaction, as on heap
CREATE TABLE an_c (a int, b text) USING columnar;
CREATE TABLE an_h (a int, b text);
BEGIN;
INSERT INTO an_c SELECT g, 'v' || g % 7 FROM generate_series(1, 1000) g;
INSERT INTO an_h SELECT g, 'v' || g % 7 FROM generate_series(1, 1000) g;
ANALYZE an_c;
ANALYZE an_h;
SELECT relname, reltuples FROM pg_class WHERE relname IN ('an_c', 'an_h') ORDER BY 1;
SELECT tablename, attname, n_distinct FROM pg_stats
 WHERE tablename IN ('an_c', 'an_h') AND attname = 'b' ORDER BY 1;
COMMIT;
SELECT count(*) FROM (SELECT * FROM an_c EXCEPT ALL SELECT * FROM an_h) x;
SELECT count(*) FROM (SELECT * FROM an_h EXCEPT ALL SELECT * FROM an_c) x;
DROP TABLE an_c, an_h;

DROP TABLE c;
SELECT count(*) FROM biwh.columnar_row_group;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
