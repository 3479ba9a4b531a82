-- rollup-by-hand.sql: build a ready rollup of a template by hand, for the
-- routing tests (as a superuser, in the warehouse):
--
--   \i sql/rollup-by-hand.sql
--   SELECT pg_temp.make_rollup('foodlogstats', 'fls_store_day',
--          ARRAY['store|key||store', 'd|key|day|date_trunc(''day'', logged_time)',
--                'n|count_star||', 'w_sum|sum||weight', 'w_n|count||weight']);
--
-- Each column is 'name|kind|grain|expression' (kind key, count_star, count,
-- sum, min, max).  It writes what _wh.create_rollup keeps: the catalog rows
-- of ROLLUP_CONTRACT.md (creating _wh.rollups and _wh.rollup_columns when
-- they do not exist yet), trees and types from _wh.rollup_parse,
-- public.<rollup> partitioned by schema_name then by day with
-- one leaf per loaded (schema, day), filled from the master with routing
-- off.  When _wh.create_rollup exists, make_rollup calls it instead (the
-- names and grains of the columns are then its own).  With only_schema, only that schema's part is built (the first call
-- also writes the catalog; mark_ready says whether to mark the rollup ready), so
-- a large warehouse is built one transaction per tenant.

CREATE FUNCTION pg_temp.make_rollup(tmpl text, rname text, cols text[],
									only_schema text DEFAULT NULL, mark_ready boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	datecol	text;
	c		text;
	parts	text[];
	i		integer := 0;
	typ		text;
	tree	text;
	defs	text := '';
	sel		text := '';
	grp		text := '';
	r		record;
	n		bigint;
BEGIN
	SET LOCAL biwh.enable_rollup_routing = off;
	-- the SQL layer, when it is there
	IF to_regproc('_wh.create_rollup') IS NOT NULL AND only_schema IS NULL THEN
		PERFORM _wh.create_rollup(tmpl, rname,
			ARRAY(SELECT split_part(x, '|', 4) FROM unnest(cols) x WHERE split_part(x, '|', 2) = 'key'),
			ARRAY(SELECT CASE split_part(x, '|', 2) WHEN 'count_star' THEN 'count(*)'
						 ELSE format('%s(%s)', split_part(x, '|', 2), split_part(x, '|', 4)) END
					FROM unnest(cols) x WHERE split_part(x, '|', 2) <> 'key'));
		EXECUTE format('SELECT count(*) FROM public.%I', rname) INTO n;
		RETURN n;
	END IF;
	SELECT t.date_column INTO datecol FROM _wh.mv_templates t WHERE t.template_name = tmpl;
	IF to_regclass('_wh.rollups') IS NULL THEN
		CREATE TABLE _wh.rollups (
			rollup_name   text PRIMARY KEY,
			template_name text NOT NULL REFERENCES _wh.mv_templates (template_name),
			group_by      text[] NOT NULL,
			aggregates    text[] NOT NULL,
			ready         boolean NOT NULL DEFAULT false,
			created_at    timestamptz NOT NULL DEFAULT now());
		CREATE TABLE _wh.rollup_columns (
			rollup_name text NOT NULL REFERENCES _wh.rollups ON DELETE CASCADE,
			position    integer NOT NULL,
			column_name text NOT NULL,
			kind        text NOT NULL,
			grain       text,
			expression  text,
			tree        text,
			column_type regtype NOT NULL,
			PRIMARY KEY (rollup_name, position));
		REVOKE ALL ON _wh.rollups, _wh.rollup_columns FROM PUBLIC;
	END IF;
	IF EXISTS (SELECT 1 FROM _wh.rollups WHERE rollup_name = rname) THEN
		SELECT string_agg(format(', %s', CASE kind WHEN 'count_star' THEN 'count(*)' WHEN 'key' THEN expression
							 ELSE format('%s(%s)', kind, expression) END), '' ORDER BY position),
			   coalesce(string_agg(', ' || expression, '' ORDER BY position) FILTER (WHERE kind = 'key'), '')
		  INTO sel, grp FROM _wh.rollup_columns WHERE rollup_name = rname;
		cols := '{}';
	ELSE
		INSERT INTO _wh.rollups (rollup_name, template_name, group_by, aggregates, ready)
		VALUES (rname, tmpl, '{}', '{}', false);
	END IF;
	FOREACH c IN ARRAY cols
	LOOP
		i := i + 1;
		parts := string_to_array(c, '|');
		SELECT p.tree, p.type::text INTO tree, typ
		  FROM _wh.rollup_parse(format('public.%I', tmpl)::regclass,
								CASE parts[2] WHEN 'key' THEN parts[4]
								WHEN 'count_star' THEN 'count(*)'
								ELSE format('%s(%s)', parts[2], parts[4]) END) p;
		IF parts[2] = 'count_star' THEN
			sel := sel || ', count(*)';
		ELSIF parts[2] = 'key' THEN
			sel := sel || ', ' || parts[4];
			grp := grp || ', ' || parts[4];
		ELSE
			sel := sel || format(', %s(%s)', parts[2], parts[4]);
		END IF;
		defs := defs || format(', %I %s', parts[1], typ);
		INSERT INTO _wh.rollup_columns VALUES
			(rname, i, parts[1], parts[2], nullif(parts[3], ''), nullif(parts[4], ''), tree, typ::regtype);
	END LOOP;
	IF to_regclass(format('public.%I', rname)) IS NULL THEN
		EXECUTE format('CREATE TABLE public.%I (schema_name text NOT NULL, day date NOT NULL%s) PARTITION BY LIST (schema_name)',
					   rname, defs);
	END IF;
	FOR r IN EXECUTE format('SELECT DISTINCT schema_name FROM public.%I WHERE %L IS NULL OR schema_name = %L',
							tmpl, only_schema, only_schema)
	LOOP
		EXECUTE format('CREATE TABLE %I.%I PARTITION OF public.%I FOR VALUES IN (%L) PARTITION BY RANGE (day)',
					   r.schema_name, rname, rname, r.schema_name);
	END LOOP;
	FOR r IN EXECUTE format('SELECT DISTINCT schema_name, %I::date AS d FROM public.%I WHERE %L IS NULL OR schema_name = %L',
							datecol, tmpl, only_schema, only_schema)
	LOOP
		EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)',
					   r.schema_name, rname || '_' || to_char(r.d, 'YYYYMMDD'), r.schema_name, rname,
					   r.d, r.d + 1);
	END LOOP;
	EXECUTE format('INSERT INTO public.%I SELECT schema_name, %I::date%s FROM public.%I WHERE %L IS NULL OR schema_name = %L GROUP BY schema_name, %I::date%s',
				   rname, datecol, sel, tmpl, only_schema, only_schema, datecol, grp);
	GET DIAGNOSTICS n = ROW_COUNT;
	UPDATE _wh.rollups u SET ready = mark_ready WHERE u.rollup_name = rname;
	RETURN n;
END
$$;

/* Drop a rollup made by make_rollup */
CREATE FUNCTION pg_temp.drop_rollup(rname text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	IF to_regproc('_wh.drop_rollup') IS NOT NULL THEN
		PERFORM _wh.drop_rollup(rname);
		RETURN;
	END IF;
	DELETE FROM _wh.rollups WHERE rollup_name = rname;
	EXECUTE format('DROP TABLE public.%I', rname);
END
$$;

/* Drop the catalog tables make_rollup created (not the extension's own) */
CREATE FUNCTION pg_temp.drop_rollup_catalog()
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	IF to_regclass('_wh.rollups') IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM pg_depend d
		 WHERE d.classid = 'pg_class'::regclass AND d.objid = '_wh.rollups'::regclass
		   AND d.deptype = 'e') THEN
		DROP TABLE _wh.rollup_columns, _wh.rollups;
	END IF;
END
$$;

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
