/*
 * 20_wh_8_rollup.sql: rollups (aggregation tables) maintained with the
 * daily pieces
 *
 * A rollup of a template is declared with _wh.create_rollup(template,
 * rollup_name, group_by, aggregates): group keys are template columns or
 * date_trunc('hour'|'day'|'week'|'month', <the date column>), aggregates
 * count(*), count(x), sum(x), min(x), max(x) and avg(x) (kept as sum(x)
 * and count(x)), x an immutable expression of columns.  Each is parsed by
 * _wh.rollup_parse (src/wh_rollup_parse.c); the catalog is _wh.rollups and
 * _wh.rollup_columns.  Its relations mirror the master's:
 *
 *   public.<rollup>                  PARTITION BY LIST (schema_name)
 *     <schema>.<rollup>              FOR VALUES IN ('<schema>'),
 *                                    PARTITION BY RANGE (day)
 *       <schema>.<rollup>_YYYY_MM_DD FOR VALUES FROM (day) TO (day + 1)
 *
 * columns schema_name, day (the day of the master piece the rows come
 * from), then the rollup's columns; one row per distinct key tuple of the
 * day's piece.  A leaf has the access method and tablespace of its piece.
 *
 * Maintenance.  Every change of a piece (load_day, rewrite_piece for
 * close_days and tiering, retention) computes the rollup leaves of that
 * (schema, day) from the piece's staging table in the same transaction,
 * and swaps them in with the piece in the same statement list of
 * _wh.with_lock_retries: a reader sees the old piece with the old leaves
 * or the new piece with the new ones.  The rollups of a template are read
 * after the day's advisory lock is taken, and filling a day takes that
 * lock too, so a fill and a load of one day never interleave.
 *
 * Filling.  create_rollup(..., fill => true) (the default) fills every
 * loaded day in its own transaction and marks the rollup ready; with fill
 * => false it only declares it (ready = false) and CALL
 * _wh.fill_rollup(name) fills it day by day, committing each day, and can
 * be run again after an interruption (it resumes at the missing days).
 * Loads running meanwhile write their days' leaves.  ready becomes true
 * when every existing piece of the master has its leaf; only ready
 * rollups are used by the routing hook.
 */

/* Declared rollups (see the banner) */
CREATE TABLE _wh.rollups (
	rollup_name		text PRIMARY KEY,
	template_name	text NOT NULL REFERENCES _wh.mv_templates (template_name),
	group_by		text[] NOT NULL,
	aggregates		text[] NOT NULL,
	ready			boolean NOT NULL DEFAULT false,
	created_at		timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE _wh.rollups IS 'rollups of templates (_wh.create_rollup); ready: every loaded piece has its rollup rows';

/* The columns of each rollup after schema_name and day, in order */
CREATE TABLE _wh.rollup_columns (
	rollup_name		text NOT NULL REFERENCES _wh.rollups ON DELETE CASCADE,
	position		integer NOT NULL,
	column_name		text NOT NULL,
	kind			text NOT NULL CHECK (kind IN ('key', 'count_star', 'count', 'sum', 'min', 'max')),
	grain			text,
	expression		text,
	tree			text,
	column_type		regtype NOT NULL,
	PRIMARY KEY (rollup_name, position),
	UNIQUE (rollup_name, column_name)
);
COMMENT ON TABLE _wh.rollup_columns IS 'columns of each rollup relation after schema_name and day (_wh.create_rollup)';

SELECT pg_catalog.pg_extension_config_dump('_wh.rollups', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.rollup_columns', '');

/* Return the names of a template's rollups (NULL: every rollup) whose public relation exists */
CREATE FUNCTION _wh.rollup_roots(template_name text)
RETURNS SETOF text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
	SELECT r.rollup_name FROM _wh.rollups r
	 WHERE (rollup_roots.template_name IS NULL OR r.template_name = rollup_roots.template_name)
	   AND to_regclass(format('public.%I', r.rollup_name)) IS NOT NULL
	 ORDER BY 1
$$;

/* Return a rollup's row, or raise an error if it does not exist */
CREATE FUNCTION _wh.get_rollup(rollup_name text)
RETURNS _wh.rollups
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
DECLARE
	r	_wh.rollups;
BEGIN
	PERFORM _wh.check_name(rollup_name, 'rollup');
	SELECT * INTO r FROM _wh.rollups x WHERE x.rollup_name = get_rollup.rollup_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'rollup "%" does not exist', rollup_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'SELECT * FROM _wh.rollups lists them.';
	END IF;
	RETURN r;
END
$$;

/*
 * Return the column name a rollup gives an expression: its text with
 * everything but letters and digits turned into underscores, at most 50
 * bytes (the caller makes it unique).
 */
CREATE FUNCTION _wh.rollup_column_name(prefix text, expression text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
	SELECT left(trim(BOTH '_' FROM regexp_replace(lower(concat_ws('_', prefix, expression)),
												  '[^a-z0-9]+', '_', 'g')), 50)
$$;

/*
 * Return the statement that computes the rows of a rollup for one day of
 * one schema from the relation src (a piece or its staging table) into the
 * relation dst: INSERT ... SELECT <keys>, <aggregates> GROUP BY <keys>.
 * The expressions are _wh.rollup_parse's normalized text, to be run with
 * search_path pg_catalog, pg_temp.
 */
CREATE FUNCTION _wh.rollup_insert_sql(rollup_name text, schema_name text, day date, src text, dst text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
	SELECT format('INSERT INTO %I.%I (schema_name, day, %s) SELECT %L, %L::date, %s FROM %I.%I GROUP BY %s',
				  schema_name, dst,
				  string_agg(format('%I', c.column_name), ', ' ORDER BY c.position),
				  schema_name, day,
				  string_agg(CASE c.kind
								 WHEN 'key' THEN c.expression
								 WHEN 'count_star' THEN 'count(*)'
								 ELSE format('%s(%s)', c.kind, c.expression) END, ', ' ORDER BY c.position),
				  schema_name, src,
				  -- keys by their place in the select list, after schema_name and day
				  string_agg(CASE WHEN c.kind = 'key' THEN (c.position + 2)::text END, ', ' ORDER BY c.position))
	  FROM _wh.rollup_columns c
	 WHERE c.rollup_name = rollup_insert_sql.rollup_name
$$;

/*
 * Make sure public.<rollup> exists, and, when schema_name is given, that
 * <schema>.<rollup> is its partition (the schema exists: its master
 * partition does).  Serialized with the master trees (_wh.lock_trees);
 * grants and policies as for the master (_wh.grant_roots).
 */
CREATE FUNCTION _wh.ensure_rollup_tree(rollup_name text, schema_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	r		_wh.rollups := _wh.get_rollup(rollup_name);
	root	regclass;
	rel		regclass;
	coldefs	text;
BEGIN
	root := to_regclass(format('public.%I', rollup_name));
	IF root IS NOT NULL AND schema_name IS NOT NULL THEN
		rel := to_regclass(format('%I.%I', schema_name, rollup_name));
		IF rel IS NOT NULL AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = rel AND i.inhparent = root) THEN
			RETURN;
		END IF;
	END IF;
	PERFORM _wh.lock_trees();
	root := to_regclass(format('public.%I', rollup_name));
	IF root IS NULL THEN
		SELECT string_agg(format('%I %s', c.column_name, format_type(c.column_type, NULL)), ', ' ORDER BY c.position)
		  INTO coldefs FROM _wh.rollup_columns c WHERE c.rollup_name = ensure_rollup_tree.rollup_name;
		EXECUTE format('CREATE TABLE public.%I (schema_name text NOT NULL, day date NOT NULL, %s) '
					   'PARTITION BY LIST (schema_name)', rollup_name, coldefs);
		EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', rollup_name);
		EXECUTE format('COMMENT ON TABLE public.%I IS %L', rollup_name,
					   format('biwh: rollup %s of template %s, all tenants (partitioned by schema_name)',
							  rollup_name, r.template_name));
	ELSE
		PERFORM _wh.check_owned(root, 'rollup relation');
	END IF;
	IF schema_name IS NOT NULL THEN
		PERFORM _wh.check_tenant_schema(schema_name);
		rel := to_regclass(format('%I.%I', schema_name, rollup_name));
		IF rel IS NULL THEN
			EXECUTE format('CREATE TABLE %I.%I PARTITION OF public.%I FOR VALUES IN (%L) PARTITION BY RANGE (day)',
						   schema_name, rollup_name, rollup_name, schema_name);
			EXECUTE format('COMMENT ON TABLE %I.%I IS %L', schema_name, rollup_name,
						   format('biwh: rollup %s of template %s, schema %s (one partition per day)',
								  rollup_name, r.template_name, schema_name));
		ELSIF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = rel
							 AND i.inhparent = to_regclass(format('public.%I', rollup_name))) THEN
			RAISE EXCEPTION 'relation "%.%" exists and is not a biwh rollup relation', schema_name, rollup_name
				USING ERRCODE = 'duplicate_table',
					  HINT = 'Drop or rename it, then try again.';
		END IF;
	END IF;
	PERFORM _wh.grant_roots(r.template_name, schema_name);
END
$$;

/*
 * Compute the leaves of every rollup of a template for one (schema, day)
 * from the relation src of that schema (the day's new piece, not yet
 * attached): each into a staging table of access method am and tablespace
 * tblspc, with a CHECK equal to its bounds, analyzed.  Returns the
 * statements that swap them in (drop the old leaf, rename, attach), for
 * the caller to run with the piece's (_wh.swap_piece).  Call it holding
 * the day's advisory lock.
 */
CREATE FUNCTION _wh.rollup_stage(template_name text, schema_name text, src text, day date,
								 am text, tblspc text)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	r		record;
	leaf	text;
	stage	text;
	stmts	text[] := '{}';
BEGIN
	FOR r IN SELECT x.rollup_name FROM _wh.rollups x
			  WHERE x.template_name = rollup_stage.template_name ORDER BY 1
	LOOP
		PERFORM _wh.ensure_rollup_tree(r.rollup_name, schema_name);
		leaf := _wh.create_mv_name(r.rollup_name, day);
		stage := '_wh_rstage_' || left(md5(r.rollup_name || ' ' || day), 16);
		EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I, CONSTRAINT biwh_day_bounds CHECK '
					   '(schema_name IS NOT NULL AND schema_name = %L AND day IS NOT NULL '
					   'AND day >= %L::date AND day < %L::date)) USING %I',
					   schema_name, stage, schema_name, r.rollup_name, schema_name, day, day + 1, am)
				|| CASE WHEN tblspc IS NOT NULL THEN format(' TABLESPACE %I', tblspc) ELSE '' END;
		EXECUTE _wh.rollup_insert_sql(r.rollup_name, schema_name, day, src, stage);
		EXECUTE format('ANALYZE %I.%I', schema_name, stage);
		IF to_regclass(format('%I.%I', schema_name, leaf)) IS NOT NULL THEN
			PERFORM _wh.check_owned(format('%I.%I', schema_name, leaf)::regclass, 'rollup leaf');
			stmts := stmts || format('DROP TABLE %I.%I', schema_name, leaf);
		END IF;
		stmts := stmts
			|| format('ALTER TABLE %I.%I RENAME TO %I', schema_name, stage, leaf)
			|| format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
					  schema_name, r.rollup_name, schema_name, leaf, day, day + 1);
	END LOOP;
	RETURN stmts;
END
$$;

/*
 * Return the statements that drop the rollup leaves of a template's
 * (schema, day), for retention to run with the piece's drop or detach
 */
CREATE FUNCTION _wh.rollup_drop_statements(template_name text, schema_name text, day date)
RETURNS text[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
	SELECT coalesce(array_agg(format('DROP TABLE %I.%I', schema_name, _wh.create_mv_name(r.rollup_name, day))
							  ORDER BY r.rollup_name), '{}')
	  FROM _wh.rollups r
	 WHERE r.template_name = rollup_drop_statements.template_name
	   AND to_regclass(format('%I.%I', schema_name, _wh.create_mv_name(r.rollup_name, day))) IS NOT NULL
$$;

/*
 * Return the pieces of a rollup's template (that exist) whose leaf is
 * missing, oldest day first
 */
CREATE FUNCTION _wh.rollup_missing_days(rollup_name text)
RETURNS TABLE (schema_name text, day date)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
	SELECT p.schema_name, p.day
	  FROM _wh.rollups r
	  JOIN _wh.pieces p ON p.template_name = r.template_name
	 WHERE r.rollup_name = rollup_missing_days.rollup_name
	   AND to_regclass(format('%I.%I', p.schema_name, p.relname)) IS NOT NULL
	   AND to_regclass(format('%I.%I', p.schema_name, _wh.create_mv_name(r.rollup_name, p.day))) IS NULL
	 ORDER BY p.day, p.schema_name
$$;

/*
 * Fill one (schema, day) of one rollup from the day's live piece, if its
 * leaf is missing: waits for the day's advisory lock (a load of the day
 * running writes the leaf itself), computes the leaf and attaches it with
 * short lock waits.  Returns whether it wrote a leaf.
 */
CREATE FUNCTION _wh.fill_rollup_day(rollup_name text, schema_name text, day date)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	r		_wh.rollups := _wh.get_rollup(rollup_name);
	pc		_wh.pieces;
	rel		regclass;
	leaf	text := _wh.create_mv_name(rollup_name, day);
	stage	text := '_wh_rstage_' || left(md5(rollup_name || ' ' || day), 16);
	am		text;
	tblspc	text;
BEGIN
	PERFORM pg_advisory_xact_lock(_wh.day_lock_key(r.template_name, schema_name, day));
	SELECT * INTO pc FROM _wh.pieces p
	 WHERE p.template_name = r.template_name AND p.schema_name = fill_rollup_day.schema_name
	   AND p.day = fill_rollup_day.day;
	rel := to_regclass(format('%I.%I', schema_name, pc.relname));
	IF rel IS NULL OR to_regclass(format('%I.%I', schema_name, leaf)) IS NOT NULL THEN
		RETURN false;
	END IF;
	PERFORM _wh.check_tenant_schema(schema_name);
	PERFORM _wh.check_owned(rel, 'daily piece');
	PERFORM _wh.ensure_rollup_tree(rollup_name, schema_name);
	SELECT a.amname::text INTO am FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = rel;
	tblspc := _wh.tablespace_of(rel);
	EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I, CONSTRAINT biwh_day_bounds CHECK '
				   '(schema_name IS NOT NULL AND schema_name = %L AND day IS NOT NULL '
				   'AND day >= %L::date AND day < %L::date)) USING %I',
				   schema_name, stage, schema_name, rollup_name, schema_name, day, day + 1, am)
			|| CASE WHEN tblspc IS NOT NULL THEN format(' TABLESPACE %I', tblspc) ELSE '' END;
	EXECUTE _wh.rollup_insert_sql(rollup_name, schema_name, day, pc.relname, stage);
	EXECUTE format('ANALYZE %I.%I', schema_name, stage);
	PERFORM _wh.with_lock_retries(ARRAY[
		format('ALTER TABLE %I.%I RENAME TO %I', schema_name, stage, leaf),
		format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
			   schema_name, rollup_name, schema_name, leaf, day, day + 1)],
		'attach the rollup''s leaf');
	RETURN true;
END
$$;

/*
 * Mark a rollup ready when no loaded piece lacks its leaf, not ready
 * otherwise (the trigger on _wh.rollups fires only on a change).
 */
CREATE FUNCTION _wh.update_rollup_ready(rollup_name text)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
	UPDATE _wh.rollups r SET ready = m.complete
	  FROM (SELECT NOT EXISTS (SELECT 1 FROM _wh.rollup_missing_days(update_rollup_ready.rollup_name))
				   AS complete) m
	 WHERE r.rollup_name = update_rollup_ready.rollup_name AND r.ready IS DISTINCT FROM m.complete;
$$;

/*
 * One step of _wh.fill_rollup: fill the next missing day of a rollup;
 * when none is missing, mark it ready and return false.
 */
CREATE FUNCTION _wh.fill_rollup_step(rollup_name text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	m	record;
BEGIN
	PERFORM _wh.get_rollup(rollup_name);
	SELECT * INTO m FROM _wh.rollup_missing_days(rollup_name) LIMIT 1;
	IF NOT FOUND THEN
		PERFORM _wh.update_rollup_ready(rollup_name);
		RETURN false;
	END IF;
	PERFORM _wh.fill_rollup_day(rollup_name, m.schema_name, m.day);
	RAISE NOTICE 'rollup "%": filled day % of schema "%"', rollup_name, to_char(m.day, 'YYYY-MM-DD'), m.schema_name;
	RETURN true;
END
$$;

/*
 * Fill every missing day of a rollup in this transaction, then mark it
 * ready.  Returns how many leaves were written.
 */
CREATE FUNCTION _wh.fill_rollup_all(rollup_name text)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	m	record;
	n	integer := 0;
BEGIN
	FOR m IN SELECT * FROM _wh.rollup_missing_days(rollup_name)
	LOOP
		IF _wh.fill_rollup_day(rollup_name, m.schema_name, m.day) THEN
			n := n + 1;
		END IF;
	END LOOP;
	-- a load that committed meanwhile wrote its leaf; one still missing
	-- (a piece created after the list was read) is filled next time
	PERFORM _wh.update_rollup_ready(rollup_name);
	RETURN n;
END
$$;

/*
 * Fill a rollup declared with fill => false (or left unfinished) day by
 * day, committing each day, then mark it ready; run again after an
 * interruption, it resumes at the missing days.  Like _wh.backfill it
 * cannot be SECURITY DEFINER: it only calls _wh.fill_rollup_step by its
 * qualified name with an argument of its exact type.
 */
CREATE PROCEDURE _wh.fill_rollup(rollup_name text)
LANGUAGE plpgsql
AS $$
BEGIN
	WHILE _wh.fill_rollup_step(rollup_name) LOOP
		COMMIT;
	END LOOP;
END
$$;

/*
 * Declare a rollup of a template (see the banner): parse and check every
 * group key and aggregate, record it in _wh.rollups and
 * _wh.rollup_columns, create public.<rollup> and its tenant partitions,
 * then, with fill (the default), fill every loaded day in this
 * transaction and mark it ready.  Returns a summary.  Any error leaves
 * nothing behind.
 */
CREATE FUNCTION _wh.create_rollup(template_name text, rollup_name text, group_by text[], aggregates text[],
								  fill boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	t		_wh.mv_templates := _wh.get_template(template_name);
	master	regclass;
	e		text;
	p		record;
	cols	jsonb := '[]';
	names	text[] := ARRAY['schema_name', 'day'];
	nm		text;
	k		integer;
	u		record;
	filled	integer := 0;
BEGIN
	PERFORM _wh.check_name(rollup_name, 'rollup');
	IF EXISTS (SELECT 1 FROM _wh.rollups r WHERE r.rollup_name = create_rollup.rollup_name) THEN
		RAISE EXCEPTION 'rollup "%" already exists', rollup_name
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Drop it first with _wh.drop_rollup, or choose another name.';
	END IF;
	IF EXISTS (SELECT 1 FROM _wh.mv_templates m WHERE m.template_name = create_rollup.rollup_name) THEN
		RAISE EXCEPTION 'rollup name "%" is the name of a template', rollup_name
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Choose another name.';
	END IF;
	IF to_regclass(format('public.%I', rollup_name)) IS NOT NULL
	   OR EXISTS (SELECT 1 FROM _wh.units un WHERE to_regclass(format('%I.%I', un.schema_name, rollup_name)) IS NOT NULL) THEN
		RAISE EXCEPTION 'relation "%" already exists', rollup_name
			USING ERRCODE = 'duplicate_table',
				  HINT = 'Choose another name, or drop or rename that relation.';
	END IF;
	IF group_by IS NULL OR cardinality(group_by) = 0 OR aggregates IS NULL OR cardinality(aggregates) = 0 THEN
		RAISE EXCEPTION 'a rollup needs at least one group key and one aggregate'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'E.g. _wh.create_rollup(''foodlogstats'', ''store_daily'', ARRAY[''store''], ARRAY[''count(*)'', ''sum(weight)'']).';
	END IF;
	IF array_position(group_by, NULL) IS NOT NULL OR array_position(aggregates, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'group keys and aggregates must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;

	PERFORM _wh.ensure_tree(t, NULL);
	master := format('public.%I', t.template_name)::regclass;

	-- the keys
	FOREACH e IN ARRAY group_by LOOP
		p := _wh.rollup_parse(master, e);
		IF p.kind <> 'key' THEN
			RAISE EXCEPTION 'group key "%" is an aggregate', left(e, 80)
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'List aggregates in the aggregates argument.';
		END IF;
		IF p.column_name = 'schema_name' THEN
			RAISE EXCEPTION 'schema_name is always a key of a rollup'
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Leave it out of group_by.';
		END IF;
		IF p.grain IS NOT NULL AND p.column_name IS DISTINCT FROM t.date_column THEN
			RAISE EXCEPTION 'group key "%" truncates column "%", not the date column "%" of template "%"',
				left(e, 80), p.column_name, t.date_column, t.template_name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'date_trunc is allowed on the template''s date column only; group by other columns as they are.';
		END IF;
		IF EXISTS (SELECT 1 FROM jsonb_array_elements(cols) c
					WHERE c->>'kind' = 'key' AND c->>'expression' = p.normalized) THEN
			RAISE EXCEPTION 'group key "%" is listed twice', left(e, 80)
				USING ERRCODE = 'duplicate_column';
		END IF;
		cols := cols || jsonb_build_object('kind', 'key', 'grain', p.grain, 'expression', p.normalized,
										   'tree', p.tree, 'type', p.type::oid,
										   'base', CASE WHEN p.grain IS NULL THEN p.column_name
														ELSE p.column_name || '_' || p.grain END);
	END LOOP;

	-- the aggregates (avg kept as sum and count of its argument)
	FOREACH e IN ARRAY aggregates LOOP
		p := _wh.rollup_parse(master, e);
		IF p.kind = 'key' THEN
			RAISE EXCEPTION '"%" is not an aggregate', left(e, 80)
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Aggregates are count(*), count(x), sum(x), min(x), max(x) and avg(x); list group keys in group_by.';
		END IF;
		IF EXISTS (SELECT 1 FROM jsonb_array_elements(cols) c
					WHERE c->>'kind' = p.kind AND c->>'expression' IS NOT DISTINCT FROM p.normalized
					  AND (c->>'declared')::boolean) THEN
			RAISE EXCEPTION 'aggregate "%" is listed twice', left(e, 80)
				USING ERRCODE = 'duplicate_column';
		END IF;
		FOR nm IN SELECT unnest(CASE WHEN p.kind = 'avg' THEN ARRAY['sum', 'count'] ELSE ARRAY[p.kind] END)
		LOOP
			IF EXISTS (SELECT 1 FROM jsonb_array_elements(cols) c
						WHERE c->>'kind' = nm AND c->>'expression' IS NOT DISTINCT FROM p.normalized) THEN
				-- already kept (e.g. sum(x) and avg(x)); a declared one counts as declared
				IF p.kind <> 'avg' THEN
					cols := (SELECT jsonb_agg(CASE WHEN c->>'kind' = nm AND c->>'expression' IS NOT DISTINCT FROM p.normalized
												   THEN c || '{"declared": true}' ELSE c END ORDER BY o)
							   FROM jsonb_array_elements(cols) WITH ORDINALITY AS x(c, o));
				END IF;
				CONTINUE;
			END IF;
			cols := cols || jsonb_build_object('kind', CASE WHEN nm = 'count' AND p.normalized IS NULL THEN 'count_star' ELSE nm END,
											   'grain', NULL, 'expression', p.normalized, 'tree', p.tree,
											   'type', CASE WHEN nm = 'count' THEN 'bigint'::regtype::oid ELSE p.type::oid END,
											   'declared', p.kind <> 'avg',
											   'base', CASE WHEN p.normalized IS NULL THEN 'count'
															ELSE _wh.rollup_column_name(nm, p.normalized) END);
		END LOOP;
	END LOOP;

	INSERT INTO _wh.rollups (rollup_name, template_name, group_by, aggregates, ready)
	VALUES (rollup_name, t.template_name, group_by, aggregates, false);
	FOR p IN SELECT c, o FROM jsonb_array_elements(cols) WITH ORDINALITY AS x(c, o) ORDER BY o
	LOOP
		-- unique names, never schema_name or day
		nm := coalesce(nullif(left(p.c->>'base', 50), ''), 'c');
		k := 1;
		WHILE nm = ANY (names) LOOP
			k := k + 1;
			nm := coalesce(nullif(left(p.c->>'base', 50), ''), 'c') || '_' || k;
		END LOOP;
		names := names || nm;
		INSERT INTO _wh.rollup_columns (rollup_name, position, column_name, kind, grain, expression, tree, column_type)
		VALUES (rollup_name, p.o, nm, p.c->>'kind', p.c->>'grain', p.c->>'expression', p.c->>'tree',
				(p.c->>'type')::oid::regtype);
	END LOOP;

	PERFORM _wh.ensure_rollup_tree(rollup_name, NULL);
	FOR u IN SELECT DISTINCT un.schema_name FROM _wh.units un
			  WHERE un.template_name = t.template_name
				AND to_regclass(format('%I.%I', un.schema_name, t.template_name)) IS NOT NULL
			  ORDER BY 1
	LOOP
		PERFORM _wh.ensure_rollup_tree(rollup_name, u.schema_name);
	END LOOP;
	IF fill THEN
		filled := _wh.fill_rollup_all(rollup_name);
	END IF;
	RETURN format('rollup %s of %s: %s columns, %s days filled%s', rollup_name, t.template_name,
				  jsonb_array_length(cols), filled,
				  CASE WHEN NOT fill THEN ' (not ready: CALL _wh.fill_rollup(' || quote_literal(rollup_name) || '))'
					   ELSE '' END);
END
$$;

/*
 * Drop a rollup: its relations (public.<rollup>, its partitions and
 * leaves, with short lock waits) and its catalog rows
 */
CREATE FUNCTION _wh.drop_rollup(rollup_name text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	r		_wh.rollups := _wh.get_rollup(rollup_name);
	root	regclass := to_regclass(format('public.%I', rollup_name));
BEGIN
	PERFORM _wh.lock_trees();
	IF root IS NOT NULL THEN
		PERFORM _wh.check_owned(root, 'rollup relation');
		PERFORM _wh.with_lock_retries(ARRAY[format('DROP TABLE public.%I CASCADE', rollup_name)],
									  'drop the rollup''s relations');
	END IF;
	DELETE FROM _wh.rollups x WHERE x.rollup_name = r.rollup_name;
	RETURN format('rollup %s dropped', rollup_name);
END
$$;

/*
 * Cached plans of queries on a master were routed to its ready rollups, or
 * not, by the rollups of their time: when a rollup comes, goes, or becomes
 * ready or not, the plans of its master and tenant relations are
 * invalidated (src/wh_rollup_route.c), so that they are planned again.
 */
CREATE FUNCTION _wh.rollup_invalidate_plans(master regclass)
RETURNS void
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'rollup_invalidate_plans';

CREATE FUNCTION _wh.rollups_changed()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
DECLARE
	root	regclass := to_regclass(format('public.%I',
							CASE TG_OP WHEN 'DELETE' THEN OLD.template_name ELSE NEW.template_name END));
BEGIN
	IF root IS NOT NULL THEN
		PERFORM _wh.rollup_invalidate_plans(root);
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER invalidate_plans
AFTER INSERT OR DELETE OR UPDATE OF ready ON _wh.rollups
FOR EACH ROW EXECUTE FUNCTION _wh.rollups_changed();

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA _wh FROM PUBLIC;
REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA _wh FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA _wh FROM PUBLIC;
