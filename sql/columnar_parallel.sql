--
-- columnar_parallel: parallel ColumnarScans hand out row groups to workers
-- through shared memory; Gather, partial aggregates and parallel joins
-- above them are PostgreSQL's.  Every answer equals the serial one and a
-- heap copy's.  Rows this transaction still buffers never reach a plan
-- that workers run: such plans are not made, cached ones are made again,
-- and the rest flush the rows first, or say why they cannot.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- par(q): how q (naming table "t") is planned on c (a parallel-aware
-- ColumnarScan, one below a Gather, or serial), and whether, run by the
-- workers alone (the leader only gathers), it gives the same rows (count
-- and md5 of their sorted text) as a serial plan and as the heap copy h
CREATE FUNCTION par(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	digest text := 'SELECT count(*) || '' rows '' || coalesce(md5(string_agg(x, E''\n'' ORDER BY x)), '''')
					  FROM (SELECT r::text AS x FROM (%s) r) s';
	qc text := format(digest, replace(q, ' t ', ' c '));
	qh text := format(digest, replace(q, ' t ', ' h '));
	line text;
	plan text := 'serial';
	d_par text;
	d_serial text;
	d_heap text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || qc LOOP
		IF line LIKE '%Parallel Custom Scan (Columnar%' THEN
			plan := 'parallel';
		ELSIF line LIKE '%Gather%' AND plan = 'serial' THEN
			plan := 'below gather';
		END IF;
	END LOOP;
	PERFORM set_config('parallel_leader_participation', 'off', true);
	EXECUTE qc INTO d_par;
	PERFORM set_config('parallel_leader_participation', 'on', true);
	PERFORM set_config('max_parallel_workers_per_gather', '0', true);
	EXECUTE qc INTO d_serial;
	EXECUTE qh INTO d_heap;
	PERFORM set_config('max_parallel_workers_per_gather', '2', true);
	RETURN format('%s; same as serial %s, as heap %s; %s',
				  plan, d_serial = d_par, d_heap = d_par,
				  split_part(d_par, ' ', 1));
END $$;

-- counts(q): the totals a parallel ColumnarScan's EXPLAIN ANALYZE shows,
-- and whether its workers' counters add up to them (the leader reads
-- nothing when it does not participate)
CREATE FUNCTION counts(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	plan json;
	node json;
	w json;
	sum_read bigint := 0;
	sum_skipped bigint := 0;
	sum_removed bigint := 0;
BEGIN
	PERFORM set_config('parallel_leader_participation', 'off', true);
	EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || q INTO plan;
	PERFORM set_config('parallel_leader_participation', 'on', true);
	node := plan -> 0 -> 'Plan';
	WHILE node ->> 'Node Type' <> 'Custom Scan' LOOP
		node := node -> 'Plans' -> 0;
	END LOOP;
	FOR w IN SELECT json_array_elements(node -> 'Columnar Workers') LOOP
		sum_read := sum_read + (w ->> 'Row Groups Read')::bigint;
		sum_skipped := sum_skipped + (w ->> 'Row Groups Skipped')::bigint;
		sum_removed := sum_removed + coalesce((w ->> 'Rows Removed by Vectorized Filter')::bigint, 0);
	END LOOP;
	RETURN format('%s: read %s, skipped %s, removed %s; workers add up: %s',
				  node ->> 'Parallel Aware',
				  node ->> 'Row Groups Read', node ->> 'Row Groups Skipped',
				  coalesce(node ->> 'Rows Removed by Vectorized Filter', '-'),
				  sum_read = (node ->> 'Row Groups Read')::bigint AND
				  sum_skipped = (node ->> 'Row Groups Skipped')::bigint AND
				  sum_removed = coalesce((node ->> 'Rows Removed by Vectorized Filter')::bigint, 0));
END $$;

-- 30 row groups of 1,000 rows, time-ordered ids (zone maps skip), a text
-- column for dictionary codes, numerics, NULLs, a NaN
CREATE TABLE c (id int, day date, s text, v numeric(10,2), n int, f float8)
	USING columnar WITH (row_group_size = 1000);
INSERT INTO c SELECT g, date '2025-01-01' + g / 2000, 's' || (g % 7), g / 100.0,
	CASE WHEN g % 11 = 0 THEN NULL ELSE g % 1000 END,
	CASE WHEN g = 777 THEN 'NaN' ELSE g / 7.0 END
  FROM generate_series(0, 29999) g;
CREATE TABLE h AS SELECT * FROM c;
ANALYZE c, h;

-- Plan shapes: Gather over a parallel ColumnarScan, partial aggregates,
-- Gather Merge, a parallel hash join with a heap table
EXPLAIN (COSTS OFF) SELECT * FROM c WHERE s = 's3';
EXPLAIN (COSTS OFF) SELECT count(*), sum(v) FROM c WHERE id > 15000;
EXPLAIN (COSTS OFF) SELECT day, count(*) FROM c GROUP BY day;
EXPLAIN (COSTS OFF) SELECT * FROM c WHERE s = 's1' ORDER BY id DESC LIMIT 10;
EXPLAIN (COSTS OFF) SELECT count(*) FROM c JOIN h USING (id) WHERE c.s = 's2';
-- the serial ColumnarScan is parallel-safe: with no partial path for c,
-- every worker scans all of it to build its own hash table
SET enable_parallel_hash = off;
ALTER TABLE c SET (parallel_workers = 0);
EXPLAIN (COSTS OFF) SELECT h.id, c.s FROM h JOIN c USING (id) WHERE c.s = 's2';
SELECT par('SELECT h2.id, x.s FROM h h2 JOIN t x USING (id) WHERE x.s = ''s2'' ');
ALTER TABLE c RESET (parallel_workers);
RESET enable_parallel_hash;
-- the whole plan in one worker
SET force_parallel_mode = on;
SET parallel_setup_cost = 1e9;
EXPLAIN (COSTS OFF) SELECT count(*) FROM c WHERE n IS NULL;
SELECT count(*) FROM c WHERE n IS NULL;
SELECT count(*) FROM h WHERE n IS NULL;
RESET force_parallel_mode;
SET parallel_setup_cost = 0;

-- What decides the workers: max_parallel_workers_per_gather, the
-- parallel_workers reloption, min_parallel_table_scan_size
SET max_parallel_workers_per_gather = 1;
EXPLAIN (COSTS OFF) SELECT sum(id) FROM c;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT sum(id) FROM c;
SET max_parallel_workers_per_gather = 2;
ALTER TABLE c SET (parallel_workers = 1);
EXPLAIN (COSTS OFF) SELECT sum(id) FROM c;
ALTER TABLE c SET (parallel_workers = 0);
EXPLAIN (COSTS OFF) SELECT sum(id) FROM c;
ALTER TABLE c RESET (parallel_workers);
SET min_parallel_table_scan_size = '1GB';
EXPLAIN (COSTS OFF) SELECT sum(id) FROM c;
SET min_parallel_table_scan_size = 0;
-- with the default costs, a scan this small is not worth the workers
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
EXPLAIN (COSTS OFF) SELECT s, count(*) FROM c GROUP BY s;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;

-- Parallel answers equal serial and heap ones: vectorized quals, skipped
-- row groups, quals ExecQual evaluates, aggregates, joins, Gather Merge
SELECT q, par(q) FROM (VALUES
	('SELECT * FROM t '),
	('SELECT * FROM t WHERE id BETWEEN 1500 AND 21234'),
	('SELECT id, s FROM t WHERE s IN (''s1'', ''s3'') AND v > 100'),
	('SELECT id, f FROM t WHERE f > 2500.5 OR id < 10'),
	('SELECT id FROM t WHERE f = ''NaN'''),
	('SELECT id FROM t WHERE id % 13 = 5'),
	('SELECT id, v FROM t WHERE s = ''s4'' AND id % 3 = 0'),
	('SELECT s, count(*), sum(v), min(id), max(f), avg(n) FROM t GROUP BY s'),
	('SELECT day, count(n) FROM t WHERE v < 150 GROUP BY day'),
	('SELECT * FROM t WHERE s = ''s1'' ORDER BY id DESC LIMIT 10'),
	('SELECT count(*) FROM t x JOIN h h2 USING (id) WHERE x.s = ''s2'' AND h2.v > 50'),
	('SELECT id FROM t WHERE id < 0')
) v(q);

-- EXPLAIN ANALYZE: the totals of all participants, and each worker's
SELECT counts('SELECT sum(id) FROM c');
SELECT counts('SELECT count(*) FROM c WHERE id >= 22500');
SELECT counts('SELECT id FROM c WHERE s = ''s5'' AND id < 10000');
-- in text, each worker's line follows the totals (its numbers vary)
CREATE FUNCTION explain_masked(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
		IF line ~ 'Worker \d+:|Workers Launched' THEN
			line := regexp_replace(line, '\d+', 'N', 'g');
		END IF;
		RETURN NEXT regexp_replace(line, 'rows=\d+ loops=\d+', 'rows=N loops=N');
	END LOOP;
END $$;
SELECT explain_masked('SELECT count(*) FROM c WHERE id >= 22500 AND s = ''s5''');

-- Rescans: the Gather below a nested loop runs three times
SET enable_material = off;
EXPLAIN (COSTS OFF)
SELECT x, ss.* FROM (SELECT count(*), sum(v) FROM c WHERE s = 's6' AND id > 10000) ss
	RIGHT JOIN (VALUES (1), (2), (3)) v(x) ON true;
SELECT x, ss.* FROM (SELECT count(*), sum(v) FROM c WHERE s = 's6' AND id > 10000) ss
	RIGHT JOIN (VALUES (1), (2), (3)) v(x) ON true;
SELECT count(*), sum(v) FROM h WHERE s = 's6' AND id > 10000;
-- a Limit shuts the Gather down early: each loop sets up the DSM anew
SELECT x, count(ss.id), count(DISTINCT ss.s) FROM
	(SELECT id, s FROM c WHERE s = 's6' AND id > 10000 LIMIT 5) ss
	RIGHT JOIN (VALUES (1), (2), (3)) v(x) ON true GROUP BY x ORDER BY x;
RESET enable_material;

-- Partitions: a Parallel Append over columnar and heap leaves
CREATE TABLE p (id int, s text) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10000)
	USING columnar WITH (row_group_size = 1000);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10000) TO (20000)
	USING columnar WITH (row_group_size = 1000);
CREATE TABLE p3 PARTITION OF p FOR VALUES FROM (20000) TO (30000);
INSERT INTO p SELECT id, s FROM h;
ANALYZE p;
EXPLAIN (COSTS OFF) SELECT s, count(*) FROM p WHERE id % 5 = 1 GROUP BY s;
SELECT s, count(*) FROM p WHERE id % 5 = 1 GROUP BY s ORDER BY s;
SELECT s, count(*) FROM h WHERE id % 5 = 1 GROUP BY s ORDER BY s;

-- Rows this transaction buffers: no parallel plan is made, and the plan
-- made reads them (also with force_parallel_mode)
CREATE TABLE b (id int, s text) USING columnar WITH (row_group_size = 1000);
INSERT INTO b SELECT g, 's' || (g % 3) FROM generate_series(1, 20000) g;
ANALYZE b;
EXPLAIN (COSTS OFF) SELECT sum(id) FROM b;
BEGIN;
INSERT INTO b SELECT g, 'new' FROM generate_series(20001, 20500) g;
EXPLAIN (COSTS OFF) SELECT sum(id) FROM b;
EXPLAIN (COSTS OFF) SELECT count(*) FROM b JOIN h USING (id);
SET LOCAL force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT sum(id) FROM b;
SELECT count(*), sum(id), count(*) FILTER (WHERE s = 'new') FROM b;
SAVEPOINT s1;
INSERT INTO b SELECT g, 'sub' FROM generate_series(20501, 20600) g;
EXPLAIN (COSTS OFF) SELECT sum(id) FROM b;
SELECT count(*), count(*) FILTER (WHERE s = 'sub') FROM b;
ROLLBACK TO s1;
SELECT count(*), count(*) FILTER (WHERE s = 'sub') FROM b;
COMMIT;
-- flushed at commit: parallel again
EXPLAIN (COSTS OFF) SELECT sum(id) FROM b;
SELECT count(*), sum(id), count(*) FILTER (WHERE s = 'new') FROM b;

-- A generic plan made before the rows were buffered is made again, in
-- serial, when they become visible; and in parallel after commit
SET plan_cache_mode = force_generic_plan;
PREPARE q AS SELECT count(*), sum(id) FROM b WHERE id > $1;
EXPLAIN (COSTS OFF) EXECUTE q(100);
EXECUTE q(100);
BEGIN;
INSERT INTO b SELECT g, 'prep' FROM generate_series(30001, 30200) g;
EXPLAIN (COSTS OFF) EXECUTE q(100);
EXECUTE q(100);
SAVEPOINT s2;
INSERT INTO b VALUES (40000, 'prep2');
EXECUTE q(100);
ROLLBACK TO s2;
EXECUTE q(100);
ROLLBACK;
EXPLAIN (COSTS OFF) EXECUTE q(100);
EXECUTE q(100);
BEGIN;
INSERT INTO b SELECT g, 'prep' FROM generate_series(30001, 30200) g;
COMMIT;
EXPLAIN (COSTS OFF) EXECUTE q(100);
EXECUTE q(100);
DEALLOCATE q;
RESET plan_cache_mode;

-- A SQL function plans its SELECT before its INSERT runs: the parallel
-- plan flushes the rows first (one more row group, inside the
-- transaction, gone with its rollback), so workers alone count them
CREATE FUNCTION ins_count(lo int) RETURNS bigint LANGUAGE sql AS $$
	INSERT INTO b SELECT g, 'fn' FROM generate_series(lo, lo + 299) g;
	SELECT count(*) FROM b WHERE s = 'fn';
$$;
SELECT count(*) AS groups FROM biwh.columnar_row_group
 WHERE storage_id = biwh.columnar_storage_id('b') \gset
SET parallel_leader_participation = off;
BEGIN;
SELECT ins_count(50001);
SELECT ins_count(60001);
SELECT count(*) - :groups AS new_groups FROM biwh.columnar_row_group
 WHERE storage_id = biwh.columnar_storage_id('b');
SELECT count(*), count(*) FILTER (WHERE s = 'fn') FROM b;
ROLLBACK;
SELECT count(*), count(*) FILTER (WHERE s = 'fn') FROM b;
BEGIN;
SELECT ins_count(50001);
COMMIT;
SELECT count(*), count(*) FILTER (WHERE s = 'fn') FROM b;
RESET parallel_leader_participation;

-- Rows buffered before a savepoint cannot be flushed inside it: a plan
-- made before them (a SQL function's, kept by a cursor) says so; with no
-- workers to launch, the leader reads them itself
CREATE FUNCTION count_b() RETURNS bigint LANGUAGE sql AS $$ SELECT count(id) FROM b WHERE id <> 0 $$;
BEGIN;
DECLARE cur CURSOR FOR SELECT count_b() FROM generate_series(1, 4);
DECLARE cur2 CURSOR FOR SELECT count_b() FROM generate_series(1, 4);
FETCH cur;
FETCH cur2;
INSERT INTO b VALUES (-1, 'cur');
FETCH cur;
INSERT INTO b VALUES (-2, 'cur');
SAVEPOINT s3;
FETCH cur;
ROLLBACK TO s3;
SAVEPOINT s4;
SET LOCAL max_parallel_workers = 0;
FETCH cur2;
RELEASE s4;
COMMIT;
SELECT count(*) FROM b;

DROP TABLE b, c, h, p;
DROP FUNCTION par, counts, explain_masked, ins_count, count_b;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
