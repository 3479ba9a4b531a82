-- rollup-helpers.sql: helpers of the routing tests (sql/wh_rollup_route.sql,
-- t/210_rollup_corpus.pl), in pg_temp of the session that includes them:
--
--   \i sql/rollup-helpers.sql
--   SELECT pg_temp.same(query), pg_temp.routed(query);
--
-- explain_lines(q): EXPLAIN's lines of q;
-- same(q): whether q gives the same rows (as text, sorted) with routing on
-- and off; routed(q): the rollup EXPLAIN shows q scanning, or 'base'.

/* Tell whether routing on and off give the same rows (as text, sorted) */
CREATE FUNCTION pg_temp.same(q text)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
	a	text;
	b	text;
BEGIN
	SET LOCAL biwh.enable_rollup_routing = on;
	EXECUTE format('SELECT string_agg(t::text, %L ORDER BY t::text) FROM (%s) t', ' | ', q) INTO a;
	SET LOCAL biwh.enable_rollup_routing = off;
	EXECUTE format('SELECT string_agg(t::text, %L ORDER BY t::text) FROM (%s) t', ' | ', q) INTO b;
	SET LOCAL biwh.enable_rollup_routing = on;
	IF a IS NOT DISTINCT FROM b THEN
		RETURN 'same';
	END IF;
	RETURN format('DIFFERENT: on %s, off %s', a, b);
END
$$;

/* Tell which rollup EXPLAIN shows a query scanning, or 'base' */
CREATE FUNCTION pg_temp.routed(q text)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
	line	text;
	r		record;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q
	LOOP
		FOR r IN SELECT rollup_name FROM _wh.rollups
		LOOP
			IF line ~ ('\m' || r.rollup_name || '(_\d+)?\M') THEN
				RETURN r.rollup_name;
			END IF;
		END LOOP;
	END LOOP;
	RETURN 'base';
END
$$;

/* The lines of EXPLAIN (COSTS OFF) of a statement */
CREATE FUNCTION pg_temp.explain_lines(q text)
RETURNS SETOF text
LANGUAGE plpgsql
AS $$
BEGIN
	RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q;
END
$$;
