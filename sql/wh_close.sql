--
-- wh_close: a day loaded while it was open is a heap piece; once the day
-- has closed, _wh.close_days (and every update_mv_by_template) converts it
-- to columnar with the same rows, CHECK and place in the tree.
--
\set VERBOSITY terse
-- the sessions run in UTC (see wh_api); "today" is the warehouse's
\setenv PGTZ UTC
SET TimeZone = 'UTC';
CREATE EXTENSION biwh CASCADE;
CREATE ROLE wh_c_reader LOGIN PASSWORD 'c''c';
CREATE ROLE wh_c_bi;
CREATE DATABASE wh_src_c;
\c wh_src_c
\set QUIET on
\i sql/source-foodlogstats.sql
\set QUIET off
-- the warehouse's today below is yesterday or today in UTC: both have rows
SELECT phood_generate('2025-09-01', 1, 24) + phood_generate(current_date - 1, 2, 24) AS rows;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO wh_c_reader;
\c biwh_regress
\set VERBOSITY terse
SELECT setting AS port FROM pg_settings WHERE name = 'port' \gset
SELECT format('host=127.0.0.1 port=%s user=postgres dbname=biwh_regress', :port) AS self \gset
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_c', '127.0.0.1', :port, 'wh_src_c', 'wh_c_reader', 'c''c');
\set QUIET on
\i sql/template-foodlogstats.sql
\set QUIET off
SELECT _wh.grant_reader('wh_c_bi');

-- Load "today" in UTC-12 into two schemas: heap pieces, not final
INSERT INTO _wh.settings VALUES ('timezone', 'Etc/GMT+12');
SELECT _wh.today() AS d1, _wh.create_mv_name('foodlogstats', _wh.today()) AS piece \gset
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_c', 'tenant_c', :'d1');
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_c', 'tenant_c2', :'d1');
SELECT p.schema_name, p.access_method, a.amname, p.final, p.rows
  FROM _wh.pieces p
  JOIN pg_class c ON c.oid = format('%I.%I', p.schema_name, p.relname)::regclass
  JOIN pg_am a ON a.oid = c.relam
 ORDER BY 1;
CREATE TABLE wh_c_saved AS SELECT * FROM public.foodlogstats WHERE schema_name = 'tenant_c';
SELECT sum(weight) AS saved_weight FROM wh_c_saved \gset
-- nothing to convert while the day is open
SELECT _wh.close_days();

-- The day passes: UTC+14 is 26 hours ahead of UTC-12, so at any hour of
-- the day the day loaded above is now closed
UPDATE _wh.settings SET value = 'Etc/GMT-14' WHERE name = 'timezone';
SELECT _wh.today() > :'d1'::date AS closed;

-- A load of the day running in another session holds the day's lock: the
-- conversion skips the day (with a notice naming it)
SELECT dblink_connect('hold', :'self');
SELECT dblink_exec('hold', 'BEGIN');
SELECT * FROM dblink('hold', format('SELECT pg_try_advisory_xact_lock(_wh.day_lock_key(%L, %L, %L))',
	'foodlogstats', 'tenant_c', :'d1')) AS t(locked boolean);
SET client_min_messages = warning;
SELECT _wh.close_days('foodlogstats', 'tenant_c');
RESET client_min_messages;
SELECT dblink_exec('hold', 'ROLLBACK');

-- A reader holding the piece longer than lock_timeout: that day's swap
-- fails, it stays heap and the failure is logged; the other day goes on
INSERT INTO _wh.settings VALUES ('lock_timeout', '50ms'), ('swap_retries', '1');
SELECT dblink_exec('hold', 'BEGIN');
SELECT dblink_exec('hold', format('LOCK TABLE tenant_c.%I IN ACCESS SHARE MODE', :'piece'));
SET client_min_messages = error;
SELECT _wh.close_days();
RESET client_min_messages;
SELECT dblink_exec('hold', 'ROLLBACK');
SELECT dblink_disconnect('hold');
DELETE FROM _wh.settings WHERE name IN ('lock_timeout', 'swap_retries');
SELECT p.schema_name, p.access_method, a.amname
  FROM _wh.pieces p
  JOIN pg_class c ON c.oid = format('%I.%I', p.schema_name, p.relname)::regclass
  JOIN pg_am a ON a.oid = c.relam
 ORDER BY 1;

-- Now it converts
SELECT _wh.close_days('foodlogstats');
-- columnar, not final (a day loaded while open is reloaded), size updated
SELECT p.schema_name, p.access_method, a.amname, p.final, p.rows,
       p.bytes = pg_total_relation_size(c.oid) AS bytes_ok
  FROM _wh.pieces p
  JOIN pg_class c ON c.oid = format('%I.%I', p.schema_name, p.relname)::regclass
  JOIN pg_am a ON a.oid = c.relam
 ORDER BY 1;
-- the same rows as the heap piece had
SELECT count(*) AS rows,
       (SELECT count(*) FROM (SELECT * FROM public.foodlogstats WHERE schema_name = 'tenant_c'
                              EXCEPT ALL SELECT * FROM wh_c_saved) x) AS missing_in_saved,
       (SELECT count(*) FROM (SELECT * FROM wh_c_saved
                              EXCEPT ALL SELECT * FROM public.foodlogstats WHERE schema_name = 'tenant_c') x) AS missing_in_piece
  FROM tenant_c.foodlogstats;
-- the bounds' CHECK, statistics, and still a partition of the tenant relation
SELECT k.conname, c.reltuples, i.inhparent::regclass AS parent,
       pg_get_expr(c.relpartbound, c.oid) = format('FOR VALUES FROM (%L) TO (%L)',
           :'d1'::date::timestamp, (:'d1'::date + 1)::timestamp) AS bounds_ok
  FROM pg_class c
  JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'c'
  JOIN pg_inherits i ON i.inhrelid = c.oid
 WHERE c.oid = format('tenant_c.%I', :'piece')::regclass;
SELECT count(*) > 0 AS has_stats FROM pg_stats
 WHERE schemaname = 'tenant_c' AND tablename = :'piece';
-- one run-log row per conversion, and the failed one
SELECT schema_name, day = :'d1' AS d1, status, sqlstate, message, rows, bytes > 0 AS bytes
  FROM _wh.run_log WHERE message LIKE '%columnar%' ORDER BY id;
-- a second call has nothing to do
SELECT _wh.close_days();
-- a BI reader reads the converted days through the roots
SET ROLE wh_c_bi;
SELECT schema_name, count(*), sum(weight) = :saved_weight AS same_sum
  FROM public.foodlogstats GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM tenant_c.foodlogstats;
RESET ROLE;

-- The day was loaded while open, so it is not final: the next update
-- reloads it, now final
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_c', 'tenant_c', :'d1');
SELECT p.access_method, p.final FROM _wh.pieces p WHERE p.schema_name = 'tenant_c';

-- update_mv_by_template closes the schema's open days too: a heap piece
-- of d1 again (UTC-12), then the day passes and another day is loaded
UPDATE _wh.settings SET value = 'Etc/GMT+12' WHERE name = 'timezone';
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_c', 'tenant_c2', :'d1');
UPDATE _wh.settings SET value = 'Etc/GMT-14' WHERE name = 'timezone';
-- while another session converts the day (not committed yet), a load of
-- that day fails at once
SELECT dblink_connect('hold', :'self');
SELECT dblink_exec('hold', 'BEGIN');
SELECT * FROM dblink('hold', $$SELECT _wh.close_days('foodlogstats', 'tenant_c2')$$) AS t(res text);
SELECT set_config('wh_close.d1', :'d1', false) IS NOT NULL AS set;
DO $$
BEGIN
	PERFORM _wh.update_mv_by_template('foodlogstats', 'tenant_c', 'tenant_c2',
									  current_setting('wh_close.d1')::date);
EXCEPTION WHEN lock_not_available THEN
	RAISE NOTICE 'load while converting: %', regexp_replace(SQLERRM, '^.*: ', '');
END
$$;
SELECT dblink_exec('hold', 'ROLLBACK');
SELECT dblink_disconnect('hold');
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_c', 'tenant_c2', '2025-09-01');
SELECT p.day = :'d1' AS d1, p.access_method, a.amname, p.final
  FROM _wh.pieces p
  JOIN pg_class c ON c.oid = format('%I.%I', p.schema_name, p.relname)::regclass
  JOIN pg_am a ON a.oid = c.relam
 WHERE p.schema_name = 'tenant_c2'
 ORDER BY p.day;
SELECT count(*) AS close_rows FROM _wh.run_log
 WHERE schema_name = 'tenant_c2' AND message LIKE 'closed:%';

-- The warehouse admin may run it, a BI reader may not
CREATE ROLE wh_c_admin;
SELECT _wh.grant_admin('wh_c_admin');
SELECT has_function_privilege('wh_c_admin', '_wh.close_days(text, text)', 'EXECUTE') AS admin,
       has_function_privilege('wh_c_bi', '_wh.close_days(text, text)', 'EXECUTE') AS reader;

-- Bad input
SELECT _wh.close_days('Bad Name');
SELECT _wh.close_days('foodlogstats', 'public');

-- Clean up
DROP TABLE wh_c_saved;
DROP SCHEMA tenant_c CASCADE;
DROP SCHEMA tenant_c2 CASCADE;
DROP TABLE public.foodlogstats;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
DROP DATABASE wh_src_c;
DROP ROLE wh_c_reader;
DROP ROLE wh_c_bi;
DROP ROLE wh_c_admin;
