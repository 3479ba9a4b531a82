--
-- columnar_vacuum: VACUUM reclaims the pages of aborted loads (truncating
-- the relation after the last page in use) and of row groups merged away by
-- compaction (freed by the next VACUUM, reused by later writes).
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
SET biwh.row_group_size = 1000;

CREATE TABLE v (id int, t text) USING columnar WITH (autovacuum_enabled = false);
INSERT INTO v SELECT g, md5(g::text) FROM generate_series(1, 3000) g;
CREATE TABLE v_heap AS SELECT * FROM v;
CREATE TEMP TABLE sizes (step text PRIMARY KEY, bytes bigint);
INSERT INTO sizes VALUES ('loaded', pg_relation_size('v'));

-- A rolled-back load of many row groups leaves pages at the end
BEGIN;
INSERT INTO v SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
ROLLBACK;
INSERT INTO sizes VALUES ('rolled back', pg_relation_size('v'));
SELECT (SELECT bytes FROM sizes WHERE step = 'rolled back') >
	   5 * (SELECT bytes FROM sizes WHERE step = 'loaded') AS grew;

-- VACUUM truncates them away: the size is that of the committed rows again
VACUUM v;
SELECT pg_relation_size('v') = (SELECT bytes FROM sizes WHERE step = 'loaded') AS back_to_loaded,
	   biwh.columnar_free_pages('v') AS free_pages;
SELECT row_groups, rows FROM biwh.columnar_verify('v');
SELECT count(*) FROM (SELECT * FROM v EXCEPT ALL SELECT * FROM v_heap) d;
SELECT count(*) FROM (SELECT * FROM v_heap EXCEPT ALL SELECT * FROM v) d;

-- A second VACUUM finds nothing more to do
VACUUM v;
SELECT pg_relation_size('v') = (SELECT bytes FROM sizes WHERE step = 'loaded') AS unchanged;

-- An aborted load in the middle: its pages become a free range that the
-- next load fills before the file grows
BEGIN;
INSERT INTO v SELECT g, md5(g::text) FROM generate_series(1, 2000) g;
ROLLBACK;
INSERT INTO v SELECT g, 'tail' FROM generate_series(3001, 3100) g;
INSERT INTO v_heap SELECT g, 'tail' FROM generate_series(3001, 3100) g;
INSERT INTO sizes VALUES ('hole', pg_relation_size('v'));
VACUUM v;
SELECT pg_relation_size('v') = (SELECT bytes FROM sizes WHERE step = 'hole') AS not_truncated,
	   biwh.columnar_free_pages('v') > 0 AS has_free_pages;
INSERT INTO v SELECT g, md5(g::text) FROM generate_series(3101, 4100) g;
INSERT INTO v_heap SELECT g, md5(g::text) FROM generate_series(3101, 4100) g;
SELECT pg_relation_size('v') = (SELECT bytes FROM sizes WHERE step = 'hole') AS reused;
SELECT row_groups, rows FROM biwh.columnar_verify('v');
SELECT count(*) FROM (SELECT * FROM v EXCEPT ALL SELECT * FROM v_heap) d;
SELECT count(*) FROM (SELECT * FROM v_heap EXCEPT ALL SELECT * FROM v) d;

-- Small row groups: the first VACUUM merges them into one new row group;
-- their pages are still needed until it commits, so the second VACUUM
-- frees them, and later loads reuse them
CREATE TABLE s (id int, t text) USING columnar WITH (autovacuum_enabled = false);
INSERT INTO s VALUES (0, 'first');
DO $$
BEGIN
	FOR i IN 1..8 LOOP
		INSERT INTO s SELECT g, 'small ' || g FROM generate_series(i * 100, i * 100 + 99) g;
	END LOOP;
END $$;
SELECT count(*) AS row_groups FROM biwh.columnar_row_group
 WHERE storage_id = biwh.columnar_storage_id('s');
INSERT INTO sizes VALUES ('small', pg_relation_size('s'));
VACUUM s;
SELECT count(*) AS row_groups FROM biwh.columnar_row_group
 WHERE storage_id = biwh.columnar_storage_id('s');
SELECT biwh.columnar_free_pages('s') AS free_after_first_vacuum;
SELECT row_groups, rows FROM biwh.columnar_verify('s');
-- (the second VACUUM runs from another session, retried for a while: an
-- autovacuum worker's snapshot or pin can hold the merged-away row groups
-- back for a moment, and this session must hold no lock on s meanwhile)
SELECT format('host=127.0.0.1 port=%s dbname=%s user=postgres',
			  current_setting('port'), current_database()) AS self \gset
SELECT dblink_connect('vac', :'self');
DO $$
BEGIN
	FOR i IN 1..100 LOOP
		PERFORM dblink_exec('vac', 'VACUUM s');
		EXIT WHEN (SELECT n FROM dblink('vac', 'SELECT biwh.columnar_free_pages(''s'')') AS r(n bigint)) > 0;
		PERFORM pg_sleep(0.1);
	END LOOP;
END $$;
SELECT dblink_disconnect('vac');
SELECT biwh.columnar_free_pages('s') > 0 AS free_after_second_vacuum;
SELECT row_groups, rows FROM biwh.columnar_verify('s');
INSERT INTO sizes VALUES ('merged', pg_relation_size('s'));
INSERT INTO s SELECT g, 'small ' || g FROM generate_series(1000, 1099) g;
SELECT pg_relation_size('s') = (SELECT bytes FROM sizes WHERE step = 'merged') AS reused;
SELECT row_groups, rows FROM biwh.columnar_verify('s');
SELECT count(*), sum(id), count(DISTINCT t) FROM s;

-- VACUUM (TRUNCATE false) leaves the file alone
BEGIN;
INSERT INTO s SELECT g, md5(g::text) FROM generate_series(1, 5000) g;
ROLLBACK;
INSERT INTO sizes VALUES ('before no truncate', pg_relation_size('s'));
VACUUM (TRUNCATE false) s;
SELECT pg_relation_size('s') = (SELECT bytes FROM sizes WHERE step = 'before no truncate') AS kept;
VACUUM s;
SELECT pg_relation_size('s') < (SELECT bytes FROM sizes WHERE step = 'before no truncate') AS truncated;
SELECT row_groups, rows FROM biwh.columnar_verify('s');

-- A table emptied by a rolled-back first load keeps only its metapage
CREATE TABLE e (id int) USING columnar WITH (autovacuum_enabled = false);
BEGIN;
INSERT INTO e SELECT generate_series(1, 5000);
ROLLBACK;
VACUUM e;
SELECT pg_relation_size('e') / current_setting('block_size')::int AS blocks;
INSERT INTO e SELECT generate_series(1, 10);
SELECT count(*), sum(id) FROM e;

-- VACUUM reports to the statistics as heap's VACUUM does (autovacuum comes
-- for the inserts counted since the last vacuum, and for dead rows): the
-- rows merged away are dead until the next VACUUM frees their pages
SHOW biwh.autovacuum_merge_row_groups;
CREATE TABLE st (id int) USING columnar WITH (autovacuum_enabled = false);
INSERT INTO st SELECT generate_series(1, 100);
INSERT INTO st SELECT generate_series(101, 150);
SELECT pg_stat_force_next_flush();
SELECT n_ins_since_vacuum, vacuum_count FROM pg_stat_user_tables WHERE relname = 'st';
VACUUM st;
SELECT n_live_tup, n_dead_tup, n_ins_since_vacuum, vacuum_count
  FROM pg_stat_user_tables WHERE relname = 'st';
VACUUM st;
SELECT n_live_tup, n_dead_tup, n_ins_since_vacuum, vacuum_count
  FROM pg_stat_user_tables WHERE relname = 'st';
SELECT count(*), sum(id) FROM st;

-- VERBOSE says what happened
BEGIN;
INSERT INTO e SELECT generate_series(1, 3000);
ROLLBACK;
VACUUM (VERBOSE) e;

-- Nothing left to free: VACUUM does not ask for the lock at all, so
-- another session reading the table does not make it give up
SELECT dblink_connect('rd', :'self');
SELECT dblink_exec('rd', 'BEGIN');
SELECT * FROM dblink('rd', 'SELECT count(*) FROM e') AS r(n bigint);
VACUUM (VERBOSE) e;
SELECT dblink_exec('rd', 'COMMIT');
SELECT dblink_disconnect('rd');

DROP TABLE v, v_heap, s, e, st;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
