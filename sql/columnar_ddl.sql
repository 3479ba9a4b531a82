--
-- columnar_ddl: columnar tables in DDL: CREATE TABLE AS, materialized
-- views, partitions, default_table_access_method, SET ACCESS METHOD both
-- ways, temporary tables, column changes, cursors, triggers, and clear
-- errors for what is not supported.
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
CREATE FUNCTION am(r regclass) RETURNS name LANGUAGE sql AS
	$$ SELECT amname FROM pg_class k JOIN pg_am a ON a.oid = k.relam WHERE k.oid = r $$;

CREATE TABLE h AS SELECT g AS id, g % 10 AS grp, 'v' || g AS v FROM generate_series(1, 3500) g;

-- CREATE TABLE AS and SELECT INTO
CREATE TABLE c USING columnar AS SELECT * FROM h;
SELECT am('c'), * FROM compare('c', 'h');
SET default_table_access_method = columnar;
SELECT * INTO c_into FROM h;
CREATE TABLE c_default (a int);
SELECT am('c_into') AS c_into, am('c_default') AS c_default;
RESET default_table_access_method;
SELECT * FROM compare('c_into', 'h');
DROP TABLE c_into, c_default;

-- Materialized views and REFRESH
CREATE MATERIALIZED VIEW mv USING columnar AS SELECT grp, count(*) AS n FROM c GROUP BY grp;
CREATE MATERIALIZED VIEW mvh AS SELECT grp, count(*) AS n FROM h GROUP BY grp;
SELECT am('mv'), * FROM compare('mv', 'mvh');
INSERT INTO c SELECT id + 10000, grp, v FROM h WHERE grp < 3;
INSERT INTO h SELECT id + 10000, grp, v FROM h WHERE grp < 3;
REFRESH MATERIALIZED VIEW mv;
REFRESH MATERIALIZED VIEW mvh;
SELECT * FROM compare('mv', 'mvh');
SELECT * FROM mv ORDER BY grp LIMIT 3;
CREATE MATERIALIZED VIEW mv_empty USING columnar AS SELECT * FROM c WITH NO DATA;
SELECT * FROM mv_empty;
REFRESH MATERIALIZED VIEW mv_empty;
SELECT count(*) FROM mv_empty;
DROP MATERIALIZED VIEW mv, mvh, mv_empty;

-- Partitions: columnar and heap leaves side by side, rows routed by INSERT
-- and COPY
CREATE TABLE p (id int, grp int, v text) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (2000) USING columnar;
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (2000) TO (5000) USING columnar;
CREATE TABLE p3 PARTITION OF p FOR VALUES FROM (5000) TO (MAXVALUE);
INSERT INTO p SELECT * FROM h;
SELECT am(tableoid::regclass), tableoid::regclass, count(*) FROM p GROUP BY 2 ORDER BY 2;
SELECT * FROM compare('p', 'h');
-- a file in the data directory, so parallel runs do not share it
SELECT current_setting('data_directory') || '/biwh_columnar_ddl.copy' AS copyfile \gset
COPY (SELECT * FROM h WHERE id % 100 = 0) TO :'copyfile';
COPY p FROM :'copyfile';
SELECT tableoid::regclass, count(*) FROM p GROUP BY 1 ORDER BY 1;
EXPLAIN (COSTS OFF) SELECT count(*) FROM p WHERE id < 100;
SELECT count(*) FROM p WHERE id < 100;
CREATE TABLE p4 (LIKE p) USING columnar;
INSERT INTO p4 VALUES (-5, 1, 'attached');
ALTER TABLE p ATTACH PARTITION p4 FOR VALUES FROM (-10) TO (0);
SELECT * FROM p WHERE id < 0;
ALTER TABLE p DETACH PARTITION p4;
DROP TABLE p, p4;

-- SET ACCESS METHOD both ways keeps the rows
ALTER TABLE c SET ACCESS METHOD heap;
SELECT am('c'), * FROM compare('c', 'h');
ALTER TABLE c SET ACCESS METHOD columnar;
SELECT am('c'), * FROM compare('c', 'h');
SELECT count(*) > 0 AS has_row_groups FROM biwh.columnar_row_group;

-- Column changes: added (with a fixed or a volatile default), dropped,
-- retyped
ALTER TABLE c ADD COLUMN k int DEFAULT 7;
ALTER TABLE h ADD COLUMN k int DEFAULT 7;
SELECT * FROM compare('c', 'h');
ALTER TABLE c DROP COLUMN grp;
ALTER TABLE h DROP COLUMN grp;
SELECT * FROM compare('c', 'h');
INSERT INTO c VALUES (-1, 'new', 8);
INSERT INTO h VALUES (-1, 'new', 8);
ALTER TABLE c ALTER COLUMN id TYPE bigint;
ALTER TABLE h ALTER COLUMN id TYPE bigint;
SELECT * FROM compare('c', 'h');
SELECT * FROM c WHERE id < 3 ORDER BY id;
ALTER TABLE c ADD COLUMN r float8 DEFAULT random();
SELECT count(r) = count(*) AS all_set FROM c;
ALTER TABLE c DROP COLUMN r;

-- Temporary tables
CREATE TEMP TABLE tc USING columnar AS SELECT * FROM h;
SELECT am('tc'), * FROM compare('tc', 'h');
INSERT INTO tc SELECT * FROM h WHERE id < 10;
SELECT count(*) FROM tc;
DROP TABLE tc;
CREATE TEMP TABLE tc2 (a int) USING columnar ON COMMIT DROP;
BEGIN;
CREATE TEMP TABLE tc3 (a int) USING columnar ON COMMIT DELETE ROWS;
INSERT INTO tc3 SELECT generate_series(1, 5);
SELECT count(*) FROM tc3;
COMMIT;
SELECT count(*) FROM tc3;
DROP TABLE tc3;

-- Scrollable cursors move both ways across row groups
BEGIN;
DECLARE cur SCROLL CURSOR FOR SELECT id FROM c WHERE id BETWEEN 998 AND 1003 OR id = 3500;
FETCH 3 FROM cur;
FETCH BACKWARD 2 FROM cur;
FETCH LAST FROM cur;
FETCH BACKWARD 3 FROM cur;
FETCH ABSOLUTE 5 FROM cur;
FETCH RELATIVE -4 FROM cur;
FETCH PRIOR FROM cur;
FETCH NEXT FROM cur;
MOVE ABSOLUTE 0 IN cur;
FETCH FORWARD 2 FROM cur;
CLOSE cur;
DECLARE cur2 SCROLL CURSOR FOR SELECT id FROM c ORDER BY id DESC LIMIT 2;
FETCH ALL FROM cur2;
FETCH BACKWARD ALL FROM cur2;
COMMIT;

-- Triggers: BEFORE and AFTER row triggers (which fetch rows by TID, here
-- from flushed row groups too), statement triggers with transition tables
CREATE TABLE tlog (op text, id bigint, v text);
CREATE FUNCTION row_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO tlog VALUES (TG_WHEN || ' ' || TG_OP, NEW.id, NEW.v);
	IF TG_WHEN = 'BEFORE' THEN
		NEW.v := NEW.v || ' (before)';
	END IF;
	RETURN NEW;
END $$;
CREATE FUNCTION stmt_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO tlog SELECT 'STATEMENT', count(*), max(v) FROM newrows;
	RETURN NULL;
END $$;
CREATE TABLE ct (id bigint, v text) USING columnar;
CREATE TRIGGER b BEFORE INSERT ON ct FOR EACH ROW EXECUTE FUNCTION row_trg();
CREATE TRIGGER a AFTER INSERT ON ct FOR EACH ROW EXECUTE FUNCTION row_trg();
CREATE TRIGGER s AFTER INSERT ON ct REFERENCING NEW TABLE AS newrows
	FOR EACH STATEMENT EXECUTE FUNCTION stmt_trg();
INSERT INTO ct VALUES (1, 'one'), (2, 'two');
SELECT * FROM ct ORDER BY id;
SELECT * FROM tlog ORDER BY op, id;
TRUNCATE tlog;
INSERT INTO ct SELECT g, 'g' || g FROM generate_series(3, 2502) g;
SELECT op, count(*), count(DISTINCT id), min(id), max(id), max(v) FROM tlog GROUP BY op ORDER BY op;
SELECT count(*) FROM tlog t JOIN ct USING (id) WHERE t.op = 'AFTER INSERT' AND t.v = ct.v;
DROP TABLE ct, tlog;
DROP FUNCTION row_trg, stmt_trg;

-- TID access
SELECT ctid, id FROM c WHERE ctid = '(0,3)';
SELECT id FROM c WHERE ctid = '(0,9999)';

-- What is not supported fails clearly
UPDATE c SET v = 'x' WHERE id = 1;
DELETE FROM c WHERE id = 1;
SELECT * FROM c WHERE id = 1 FOR UPDATE;
SELECT * FROM c WHERE id = 1 FOR KEY SHARE;
-- (indexes, primary keys and row locks work: columnar_index, columnar_complete)
CREATE UNLOGGED TABLE bad (a int) USING columnar;
ALTER TABLE c SET UNLOGGED;
SELECT count(*) FROM c TABLESAMPLE SYSTEM (10);
MERGE INTO c USING h ON c.id = h.id WHEN MATCHED THEN UPDATE SET v = 'x';
-- (with no arbiter index, ON CONFLICT DO NOTHING is a plain insert)
INSERT INTO c VALUES (1, 'dup', 7) ON CONFLICT DO NOTHING;
INSERT INTO h VALUES (1, 'dup', 7) ON CONFLICT DO NOTHING;
SELECT count(*) FROM c WHERE id = 1;
SELECT * FROM compare('c', 'h');

DROP TABLE c, h;

-- A user without any right on schema biwh uses columnar tables fully
CREATE ROLE regress_columnar_user;
GRANT CREATE ON SCHEMA public TO regress_columnar_user;
SET ROLE regress_columnar_user;
CREATE TABLE uc (a int, b text) USING columnar WITH (row_group_size = 2000, compression = none);
INSERT INTO uc SELECT g, g::text FROM generate_series(1, 5000) g;
ALTER TABLE uc SET (sort_key = 'b');
INSERT INTO uc VALUES (0, 'zero');
SELECT count(*), sum(a) FROM uc;
TRUNCATE uc;
INSERT INTO uc VALUES (2, 'y');
SELECT * FROM uc;
-- (the storage catalog stays closed to it)
SELECT * FROM biwh.columnar_row_group;
RESET ROLE;
SELECT reloptions FROM pg_class WHERE relname = 'uc';

-- DROP in a new backend, which has not loaded the library yet, still
-- removes the catalog rows (the options go with the pg_class row)
\c -
SET ROLE regress_columnar_user;
DROP TABLE uc;
RESET ROLE;
SELECT count(*) FROM biwh.columnar_row_group;
REVOKE CREATE ON SCHEMA public FROM regress_columnar_user;
DROP ROLE regress_columnar_user;

\set VERBOSITY terse
DROP FUNCTION compare, am;
SELECT count(*) FROM biwh.columnar_row_group;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
