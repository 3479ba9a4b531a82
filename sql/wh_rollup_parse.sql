--
-- wh_rollup_parse: what _wh.rollup_parse says about each group key and
-- aggregate of a rollup declaration, and what it refuses (not
-- decomposable, not immutable, not built in, not one expression).
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;
CREATE TABLE rp_master (schema_name text NOT NULL, id integer, store text,
	weight numeric(10,2), qty integer, big bigint, ts timestamp, tz timestamptz, d date)
	PARTITION BY LIST (schema_name);

-- accepted: kind, grain, column, normalized text, column type
SELECT e, p.kind, p.grain, p.column_name, p.normalized, p.type, p.tree IS NOT NULL AS has_tree
  FROM unnest(ARRAY['store', 'd', 'date_trunc(''hour'', ts)', 'date_trunc(''day'', ts)',
					'date_trunc(''week'', ts)', 'date_trunc(''month'', ts)',
					'count(*)', 'count(weight)', 'sum(qty)', 'sum(big)', 'sum(weight)',
					'sum(weight * qty)', 'avg(qty)', 'avg(weight)', 'min(store)', 'max(ts)',
					'max(tz)', 'min(d)']) WITH ORDINALITY AS u(e, n),
	   LATERAL _wh.rollup_parse('rp_master', e) p
 ORDER BY n;

-- the tree is the analyzed expression over the master (varno 1)
SELECT tree ~ '^\{VAR :varno 1 :varattno 3 ' AS store_is_attribute_3
  FROM _wh.rollup_parse('rp_master', 'store');

-- refused: not decomposable
SELECT * FROM _wh.rollup_parse('rp_master', 'count(DISTINCT store)');
SELECT * FROM _wh.rollup_parse('rp_master', 'stddev(qty)');
SELECT * FROM _wh.rollup_parse('rp_master', 'array_agg(qty)');
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(qty) FILTER (WHERE qty > 1)');
SELECT * FROM _wh.rollup_parse('rp_master', 'string_agg(store, '','' ORDER BY store)');
SELECT * FROM _wh.rollup_parse('rp_master', 'percentile_cont(0.5) WITHIN GROUP (ORDER BY qty)');
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(qty) + 1');
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(sum(qty))');
-- refused: not a group key
SELECT * FROM _wh.rollup_parse('rp_master', 'qty + 1');
SELECT * FROM _wh.rollup_parse('rp_master', 'date_trunc(''year'', ts)');
SELECT * FROM _wh.rollup_parse('rp_master', 'date_trunc(''Day'', ts)');
SELECT * FROM _wh.rollup_parse('rp_master', 'date_trunc(''day'', tz)');
SELECT * FROM _wh.rollup_parse('rp_master', 'date_trunc(''day'', d)');
-- equal values that print differently (2.5 = 2.50): one would stand for all
SELECT * FROM _wh.rollup_parse('rp_master', 'weight');
-- refused: not immutable
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(random())');
SELECT * FROM _wh.rollup_parse('rp_master', 'max(ts::text)');
-- refused: not one expression, unknown column, subqueries, windows, SRFs
SELECT * FROM _wh.rollup_parse('rp_master', '');
SELECT * FROM _wh.rollup_parse('rp_master', '*');
SELECT * FROM _wh.rollup_parse('rp_master', 'rp_master.*');
SELECT * FROM _wh.rollup_parse('rp_master', 'store AS s');
SELECT * FROM _wh.rollup_parse('rp_master', 'store FROM pg_class');
SELECT * FROM _wh.rollup_parse('rp_master', 'store; DROP TABLE rp_master');
SELECT * FROM _wh.rollup_parse('rp_master', 'nope');
SELECT * FROM _wh.rollup_parse('rp_master', '(SELECT 1)');
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(qty) OVER ()');
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(generate_series(1, qty))');
-- refused: anything not built in
CREATE FUNCTION public.rp_f(integer) RETURNS integer IMMUTABLE LANGUAGE sql AS 'SELECT $1';
CREATE OPERATOR public.## (FUNCTION = int4pl, LEFTARG = integer, RIGHTARG = integer);
CREATE DOMAIN public.rp_d AS integer;
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(public.rp_f(qty))');
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(rp_f(qty))');
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(qty OPERATOR(public.##) qty)');
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(qty ## qty)');
SELECT * FROM _wh.rollup_parse('rp_master', 'sum(qty::public.rp_d)');
SELECT * FROM _wh.rollup_parse('rp_master', 'count(rp_master.*)');
-- nothing of theirs runs while the expression is analyzed either: a
-- literal of an array of a domain would check the domain there
CREATE FUNCTION pg_temp.rp_check(integer) RETURNS boolean LANGUAGE plpgsql
	AS $$BEGIN RAISE NOTICE 'rp_check ran'; RETURN true; END$$;
CREATE DOMAIN pg_temp.rp_dom AS integer CHECK (pg_temp.rp_check(VALUE));
SELECT * FROM _wh.rollup_parse('rp_master', 'max(''{1}''::rp_dom[])');
SELECT * FROM _wh.rollup_parse('rp_master', 'max(CAST(''1'' AS pg_temp.rp_dom))');
SELECT kind, normalized FROM _wh.rollup_parse('rp_master', 'sum(qty OPERATOR(pg_catalog.+) pg_catalog.abs(qty))');
SELECT kind FROM _wh.rollup_parse('pg_class', 'count(*)');
SELECT * FROM _wh.rollup_parse('pg_class_oid_index', 'count(*)');

DROP FUNCTION public.rp_f(integer);
DROP OPERATOR public.## (integer, integer);
DROP DOMAIN public.rp_d;
DROP DOMAIN pg_temp.rp_dom;
DROP FUNCTION pg_temp.rp_check(integer);
DROP TABLE rp_master;
DROP EXTENSION biwh;
DROP EXTENSION dblink;
