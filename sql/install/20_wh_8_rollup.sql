/*
 * 20_wh_8_rollup.sql: rollups (aggregation tables) maintained with the
 * daily pieces
 *
 * A rollup of a template is declared with _wh.create_rollup(template,
 * rollup_name, group_by, aggregates): group keys are template columns or
 * date_trunc('hour'|'day'|'week'|'month', <the date column>), aggregates
 * count(*), count(x), sum(x), min(x), max(x) and avg(x) (kept as sum(x)
 * and count(x)), x an immutable expression of columns.  Each is parsed by
 * _wh.rollup_parse (src/wh_rollup_parse.c); the catalog is _wh.rollups,
 * _wh.rollup_columns and _wh.rollup_leaves.  Its relations:
 *
 *   public.<rollup>                PARTITION BY LIST (schema_name)
 *     <schema>.<rollup>            FOR VALUES IN ('<schema>'),
 *                                  PARTITION BY RANGE (day)
 *       <schema>.<rollup>_YYYY_MM  FOR VALUES FROM (month) TO (next month)
 *
 * columns schema_name, day (the day of the master piece the rows come
 * from), then the rollup's columns; one row per distinct key tuple of a
 * day's piece.  A leaf holds a month of days, not one: a rollup is read
 * whole by the queries routed to it, and a few hundred leaves of a month
 * plan and start in milliseconds where thousands of daily ones took
 * hundreds (bench/RESULTS.md).  _wh.rollup_leaves records which days each
 * leaf holds.  A leaf is columnar once every piece of its month is
 * (closed days), heap while one is not, and in the tablespace its pieces
 * share (else the default one).
 *
 * Maintenance.  Every change of a piece (load_day, rewrite_piece for
 * close_days and tiering, retention) computes the rollup rows of that
 * (schema, day) from the piece's staging table before its swap
 * (_wh.rollup_stage), and the statements swapping the piece in then put
 * them in the day's month leaf (_wh.rollup_swap_days) in the same
 * transaction: a reader sees the old piece with the old rows or the new
 * piece with the new ones.  A heap leaf (a month with open days) has the
 * day's rows deleted and inserted in place; a columnar one gaining a day
 * is appended to; a columnar one losing or replacing rows, or changing
 * access method or tablespace, is rebuilt aside and swapped in with short
 * lock waits.  Writers of one (schema, month) take turns on its row of
 * _wh.rollup_leaves.  A rollup whose rows cannot be computed for a day
 * (an expression failing on the day's data) never fails the load: the
 * day is taken out of its leaf, the rollup is marked not ready (queries
 * go to the pieces) and a warning says why.
 *
 * Locks.  Loads, retention and fills lock their rollups' rows (FOR KEY
 * SHARE) before touching a rollup relation (loads before any tree's lock,
 * _wh.lock_rollups), so drop_rollup (which deletes the row first) waits
 * for them.  create_rollup takes the template's lock
 * (_wh.template_lock_key) exclusively and every load shares it: a load
 * that started before the rollup existed has committed when the rollup is
 * filled and marked ready.
 *
 * Filling.  create_rollup(..., fill => true) (the default) fills every
 * loaded day in its own transaction (loads of the template wait for it)
 * and marks the rollup ready; with fill => false it only declares it
 * (ready = false) and CALL _wh.fill_rollup(name) fills it a month of a
 * schema at a time, committing each, and can be run again after an
 * interruption (it resumes at the missing days).  Loads running meanwhile
 * write their days' rows.  ready becomes true when every existing piece
 * of the master has its rows; only ready rollups are used by the routing
 * hook.
 *
 * Names.  Rollups and templates share one name space: a rollup is never
 * named like a template, a daily piece or a leaf (_YYYY_MM, _YYYY_MM_DD),
 * and a template never like a rollup or one of its leaves.  Relations are
 * replaced or dropped only when they are the partitions they should be.
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

/* The days each leaf of a rollup holds (see the banner) */
CREATE TABLE _wh.rollup_leaves (
	rollup_name		text NOT NULL REFERENCES _wh.rollups ON DELETE CASCADE,
	schema_name		text NOT NULL,
	month			date NOT NULL CHECK (month = date_trunc('month', month)::date),
	days			datemultirange NOT NULL,
	PRIMARY KEY (rollup_name, schema_name, month)
);
COMMENT ON TABLE _wh.rollup_leaves IS 'leaves of each rollup: one per (schema, month), with the days whose rows it holds';

SELECT pg_catalog.pg_extension_config_dump('_wh.rollups', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.rollup_columns', '');
SELECT pg_catalog.pg_extension_config_dump('_wh.rollup_leaves', '');

/*
 * Return the name of a rollup's leaf of a month: <rollup>_YYYY_MM,
 * shortened as _wh.suffixed_name does
 */
CREATE FUNCTION _wh.rollup_leaf_name(rollup_name text, month date)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
BEGIN
	PERFORM _wh.check_name(rollup_name, 'rollup');
	RETURN _wh.suffixed_name(rollup_name, to_char(month, '_YYYY_MM'));
END
$$;

/*
 * Return whether the name a could be one of the leaves of a rollup named
 * b (a leaf name of b with any month)
 */
CREATE FUNCTION _wh.is_leaf_name_of(a text, b text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a ~ '_[0-9]{4}_[0-9]{2}$' AND a = _wh.suffixed_name(b, right(a, 8))
$$;

/*
 * Check that a rollup or template name leaves every relation name of the
 * other kind alone (see the banner): raise duplicate_object if not.  kind
 * is 'rollup' or 'template'.
 */
CREATE FUNCTION _wh.check_rollup_name_space(kind text, name text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
DECLARE
	other	text;
BEGIN
	IF kind = 'rollup' THEN
		IF name ~ '_[0-9]{4}_[0-9]{2}(_[0-9]{2})?$' OR name LIKE '\_wh\_%' THEN
			RAISE EXCEPTION 'rollup name "%" has the form of a biwh relation name', name
				USING ERRCODE = 'invalid_name',
					  DETAIL = 'Names ending in _YYYY_MM or _YYYY_MM_DD are those of rollup leaves and daily pieces; names starting with _wh_ those of staging tables.',
					  HINT = 'Choose another name.';
		END IF;
		SELECT m.template_name INTO other FROM _wh.mv_templates m
		 WHERE m.template_name = name OR _wh.is_leaf_name_of(m.template_name, name) LIMIT 1;
	ELSE
		SELECT r.rollup_name INTO other FROM _wh.rollups r
		 WHERE r.rollup_name = name OR _wh.is_leaf_name_of(name, r.rollup_name) LIMIT 1;
	END IF;
	IF other IS NOT NULL THEN
		RAISE EXCEPTION '% name "%" clashes with % "%"', kind, name,
			CASE kind WHEN 'rollup' THEN 'template' ELSE 'rollup' END, other
			USING ERRCODE = 'duplicate_object',
				  DETAIL = 'Templates and rollups share the relation names of the tenant schemas and of public: a rollup''s leaves are named <rollup>_YYYY_MM.',
				  HINT = 'Choose another name.';
	END IF;
END
$$;

/* The same check for every new or renamed template */
CREATE FUNCTION _wh.mv_templates_check_names()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
BEGIN
	-- create_rollup checks under the same lock: no two clashing names pass at once
	PERFORM _wh.lock_trees();
	PERFORM _wh.check_rollup_name_space('template', NEW.template_name);
	RETURN NEW;
END
$$;

CREATE TRIGGER check_template_names
	BEFORE INSERT OR UPDATE OF template_name ON _wh.mv_templates
	FOR EACH ROW EXECUTE FUNCTION _wh.mv_templates_check_names();

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
 * The column definitions of a rollup's relations: schema_name, day, then
 * its columns (_wh.rollup_columns), for CREATE TABLE (tables are not made
 * LIKE a rollup relation: that would lock it until commit)
 */
CREATE FUNCTION _wh.rollup_coldefs(rollup_name text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT 'schema_name text NOT NULL, day date NOT NULL, '
		   || string_agg(format('%I %s', c.column_name, format_type(c.column_type, NULL)), ', ' ORDER BY c.position)
	  FROM _wh.rollup_columns c
	 WHERE c.rollup_name = rollup_coldefs.rollup_name
$$;

/*
 * Create a table for rows of a rollup's schema between two days, outside
 * its tree (a staging table, or a leaf being built): its CHECK constraint
 * is the partition bound, so attaching it does not scan it
 */
CREATE FUNCTION _wh.rollup_create_table(rollup_name text, schema_name text, relname text, lo date, hi date,
										am text DEFAULT 'heap', tblspc text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
BEGIN
	EXECUTE format('CREATE TABLE %I.%I (%s, CONSTRAINT biwh_bounds CHECK '
				   '(schema_name IS NOT NULL AND schema_name = %L AND day IS NOT NULL '
				   'AND day >= %L::date AND day < %L::date)) USING %I',
				   schema_name, relname, _wh.rollup_coldefs(rollup_name), schema_name, lo, hi, am)
			|| CASE WHEN tblspc IS NOT NULL THEN format(' TABLESPACE %I', tblspc) ELSE '' END;
END
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
		EXECUTE format('CREATE TABLE public.%I (%s) PARTITION BY LIST (schema_name)',
					   rollup_name, _wh.rollup_coldefs(rollup_name));
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
						   format('biwh: rollup %s of template %s, schema %s (one partition per month)',
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
 * Return a rollup's leaf of a month in a schema: NULL if no relation has
 * its name, an error (duplicate_table) if one has and is not a partition
 * of <schema>.<rollup> owned by the extension owner.
 */
CREATE FUNCTION _wh.rollup_leaf(rollup_name text, schema_name text, month date)
RETURNS regclass
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	rel		regclass := to_regclass(format('%I.%I', schema_name, _wh.rollup_leaf_name(rollup_name, month)));
BEGIN
	IF rel IS NULL THEN
		RETURN NULL;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_inherits i
					WHERE i.inhrelid = rel AND i.inhparent = to_regclass(format('%I.%I', schema_name, rollup_name))) THEN
		RAISE EXCEPTION 'relation "%" is not a leaf of rollup "%"', rel::text, rollup_name
			USING ERRCODE = 'duplicate_table',
				  DETAIL = format('biwh replaces or drops only the partitions of %I.%I.', schema_name, rollup_name),
				  HINT = 'Drop or rename it, then try again.';
	END IF;
	RETURN _wh.check_owned(rel, 'rollup leaf');
END
$$;

/*
 * Put a rollup's rows of some days of one (schema, month) in the month's
 * leaf: the rows of the days given are replaced by those of the relation
 * stage of that schema (NULL: the days are taken out), the other days'
 * rows are kept; the leaf's days in _wh.rollup_leaves follow; stage is
 * dropped.  Run it with the pieces' swap (_wh.with_lock_retries), after
 * the pieces of these days are in place.
 *
 * The leaf is columnar when every piece of the days it holds is, heap
 * otherwise, in the tablespace those pieces share (else the default one).
 * When the leaf exists with that access method and tablespace, its rows
 * are changed in place (readers keep their snapshot's rows: no lock waits
 * them out); columnar rows cannot be deleted, so a columnar leaf losing
 * rows, a new leaf, or one changing access method or tablespace is built
 * aside and swapped in (the other days' rows copied).  A leaf left
 * without days is dropped.  Writers of one (schema, month) take turns on
 * its row of _wh.rollup_leaves, locked first.  A rollup dropped meanwhile
 * is left alone.
 */
CREATE FUNCTION _wh.rollup_swap_days(rollup_name text, schema_name text, month date, days date[], stage text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	r		_wh.rollups;
	hi		date := (month + interval '1 month')::date;
	leaf	text := _wh.rollup_leaf_name(rollup_name, month);
	old		regclass;
	changed	datemultirange := (SELECT range_agg(daterange(d, d, '[]')) FROM unnest(days) d);
	held	datemultirange;
	created	boolean;
	now_in	datemultirange;
	tmp		text := '_wh_rleaf_' || left(md5(rollup_name || ' ' || month), 16);
	nsp		oid := to_regnamespace(quote_ident(schema_name));
	am		text;
	tblspc	text;
	tblspcs	integer;
	tsoid	oid;
	old_am	text;
	old_ts	text;
	parts	text[] := '{}';
BEGIN
	IF cardinality(days) IS NULL OR EXISTS (SELECT 1 FROM unnest(days) d WHERE d IS NULL OR d < month OR d >= hi) THEN
		RAISE EXCEPTION 'days % are not days of month %', days, month
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT * INTO r FROM _wh.rollups x WHERE x.rollup_name = rollup_swap_days.rollup_name FOR KEY SHARE;
	IF NOT FOUND OR to_regclass(format('%I.%I', schema_name, rollup_name)) IS NULL THEN
		IF stage IS NOT NULL THEN
			EXECUTE format('DROP TABLE IF EXISTS %I.%I', schema_name, stage);
		END IF;
		RETURN;
	END IF;
	-- the month's row, locked (made if missing) first: writers take turns
	INSERT INTO _wh.rollup_leaves AS l (rollup_name, schema_name, month, days)
	VALUES (r.rollup_name, schema_name, month, '{}')
	ON CONFLICT ON CONSTRAINT rollup_leaves_pkey DO UPDATE SET days = l.days
	RETURNING l.days, (l.xmax = 0) INTO held, created;
	old := _wh.rollup_leaf(rollup_name, schema_name, month);
	IF old IS NULL THEN
		held := '{}';
	ELSIF created THEN
		-- a leaf without its row (restored by hand?): its rows say which days it holds
		EXECUTE format('SELECT coalesce(range_agg(daterange(day, day, ''[]'')), ''{}'') FROM (SELECT DISTINCT day FROM %s) x', old)
			INTO held;
	END IF;
	now_in := (held - changed) + CASE WHEN stage IS NOT NULL THEN changed ELSE '{}'::datemultirange END;

	IF isempty(now_in) THEN
		IF old IS NOT NULL THEN
			EXECUTE format('DROP TABLE %s', old);
		END IF;
		DELETE FROM _wh.rollup_leaves l
		 WHERE l.rollup_name = r.rollup_name AND l.schema_name = rollup_swap_days.schema_name
		   AND l.month = rollup_swap_days.month;
	ELSE
		-- the access method and tablespace of the pieces of the days held (swapped in already)
		-- (the pieces' names, as _wh.create_mv_name makes them; the template's
		-- name was checked when it was declared)
		WITH names AS MATERIALIZED (
			SELECT _wh.suffixed_name(r.template_name, to_char(g, '_YYYY_MM_DD')) AS relname
			  FROM generate_series(month, hi - 1, interval '1 day') g WHERE now_in @> g::date)
		SELECT CASE WHEN bool_and(a.amname = 'columnar') THEN 'columnar' ELSE 'heap' END,
			   count(DISTINCT c.reltablespace), min(c.reltablespace)
		  INTO am, tblspcs, tsoid
		  FROM names n
		  JOIN pg_class c ON c.relname = n.relname AND c.relnamespace = nsp
		  JOIN pg_am a ON a.oid = c.relam
		  JOIN pg_inherits i ON i.inhrelid = c.oid
							AND i.inhparent = to_regclass(format('%I.%I', schema_name, r.template_name));
		tblspc := CASE WHEN tblspcs = 1 THEN _wh.tablespace_of_oid(tsoid) END;
		am := coalesce(am, 'heap');
		IF old IS NOT NULL THEN
			SELECT a.amname, _wh.tablespace_of_oid(c.reltablespace) INTO old_am, old_ts
			  FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = old;
		END IF;
		IF old IS NOT NULL AND old_am = am AND old_ts IS NOT DISTINCT FROM tblspc
		   AND (am = 'heap' OR isempty(held * changed)) THEN
			-- in place
			IF NOT isempty(held * changed) THEN
				EXECUTE format('DELETE FROM %s WHERE day = ANY (%L::date[])', old, days);
			END IF;
			IF stage IS NOT NULL THEN
				EXECUTE format('INSERT INTO %s SELECT * FROM %I.%I ORDER BY day', old, schema_name, stage);
			END IF;
		ELSE
			-- built aside, then swapped in
			PERFORM _wh.rollup_create_table(rollup_name, schema_name, tmp, month, hi, am, tblspc);
			IF old IS NOT NULL AND NOT isempty(held - changed) THEN
				parts := parts || format('SELECT * FROM %s WHERE day <@ %L::datemultirange', old, held - changed);
			END IF;
			IF stage IS NOT NULL THEN
				parts := parts || format('SELECT * FROM %I.%I', schema_name, stage);
			END IF;
			-- in day order, so that a columnar leaf's row groups can be skipped by day
			EXECUTE format('INSERT INTO %I.%I SELECT * FROM (%s) x ORDER BY day',
						   schema_name, tmp, array_to_string(parts, ' UNION ALL '));
			EXECUTE format('ANALYZE %I.%I', schema_name, tmp);
			IF old IS NOT NULL THEN
				EXECUTE format('DROP TABLE %s', old);
			END IF;
			EXECUTE format('ALTER TABLE %I.%I RENAME TO %I', schema_name, tmp, leaf);
			EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
						   schema_name, rollup_name, schema_name, leaf, month, hi);
		END IF;
		UPDATE _wh.rollup_leaves l SET days = now_in
		 WHERE l.rollup_name = r.rollup_name AND l.schema_name = rollup_swap_days.schema_name
		   AND l.month = rollup_swap_days.month;
	END IF;
	IF stage IS NOT NULL THEN
		EXECUTE format('DROP TABLE %I.%I', schema_name, stage);
	END IF;
END
$$;

/*
 * Lock the rows of a template's rollups (FOR KEY SHARE, in name order),
 * as a load does before it touches any tree: drop_rollup, which deletes
 * the row and then takes the trees' lock, waits for the load instead of
 * deadlocking with it
 */
CREATE FUNCTION _wh.lock_rollups(template_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM 1 FROM _wh.rollups x WHERE x.template_name = lock_rollups.template_name
	  ORDER BY x.rollup_name FOR KEY SHARE;
END
$$;

/*
 * Compute the rows of every rollup of a template for one (schema, day)
 * from the relation src of that schema (the day's new piece, not yet
 * attached), each into a staging table; return the statements that put
 * them in their month leaves (_wh.rollup_swap_days), for the caller to run
 * with the piece's swap (_wh.swap_piece).  A rollup whose rows cannot be
 * computed is marked not ready, warned about, and its statement takes the
 * day out of its leaf.  Call it holding the day's advisory lock.
 */
CREATE FUNCTION _wh.rollup_stage(template_name text, schema_name text, src text, day date)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	r		record;
	stage	text;
	month	date := date_trunc('month', day)::date;
	stmts	text[] := '{}';
	msg		text;
BEGIN
	-- locked first: drop_rollup waits for this load (see the banner)
	FOR r IN SELECT x.rollup_name FROM _wh.rollups x
			  WHERE x.template_name = rollup_stage.template_name ORDER BY 1 FOR KEY SHARE
	LOOP
		PERFORM _wh.ensure_rollup_tree(r.rollup_name, schema_name);
		stage := '_wh_rstage_' || left(md5(r.rollup_name || ' ' || day), 16);
		BEGIN
			PERFORM _wh.rollup_create_table(r.rollup_name, schema_name, stage, day, day + 1);
			EXECUTE _wh.rollup_insert_sql(r.rollup_name, schema_name, day, src, stage);
		EXCEPTION WHEN data_exception THEN
			-- an expression failing on the day's data (division by zero,
			-- overflow, ...); anything else fails the load
			GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
			RAISE WARNING 'rollup "%" is not ready any more: its rows for day % of schema "%" could not be computed: %',
				r.rollup_name, day, schema_name, _wh.sanitize(msg)
				USING HINT = format('Queries on the template go to its pieces meanwhile; fix the data or drop the rollup, then CALL _wh.fill_rollup(%L).', r.rollup_name);
			UPDATE _wh.rollups x SET ready = false WHERE x.rollup_name = r.rollup_name AND x.ready;
			stage := NULL;
		END;
		stmts := stmts || format('SELECT _wh.rollup_swap_days(%L, %L, %L::date, ARRAY[%L]::date[], %L)',
								 r.rollup_name, schema_name, month, day, stage);
	END LOOP;
	RETURN stmts;
END
$$;

/*
 * Return the statements that take a day of a template's schema out of its
 * rollups' leaves, for retention to run with the piece's drop or detach
 */
CREATE FUNCTION _wh.rollup_drop_statements(template_name text, schema_name text, day date)
RETURNS text[]
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
	-- locked first: drop_rollup waits (see the banner)
	SELECT coalesce(array_agg(format('SELECT _wh.rollup_swap_days(%L, %L, %L::date, ARRAY[%L]::date[], NULL)',
									 x.rollup_name, schema_name, date_trunc('month', day)::date, day)
							  ORDER BY x.rollup_name), '{}')
	  FROM (SELECT r.rollup_name FROM _wh.rollups r
			 WHERE r.template_name = rollup_drop_statements.template_name
			   AND EXISTS (SELECT 1 FROM _wh.rollup_leaves l
							WHERE l.rollup_name = r.rollup_name AND l.schema_name = rollup_drop_statements.schema_name
							  AND l.month = date_trunc('month', rollup_drop_statements.day)::date
							  AND l.days @> rollup_drop_statements.day)
			 FOR KEY SHARE) x
$$;

/*
 * Return the pieces of a rollup's template (that exist) whose rows the
 * rollup lacks (their leaf does not hold the day, or is gone), oldest day
 * first
 */
CREATE FUNCTION _wh.rollup_missing_days(rollup_name text)
RETURNS TABLE (schema_name text, day date, relname text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
	SELECT p.schema_name, p.day, p.relname
	  FROM _wh.rollups r
	  JOIN _wh.pieces p ON p.template_name = r.template_name
	 WHERE r.rollup_name = rollup_missing_days.rollup_name
	   AND to_regclass(format('%I.%I', p.schema_name, p.relname)) IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM _wh.rollup_leaves l
						WHERE l.rollup_name = r.rollup_name AND l.schema_name = p.schema_name
						  AND l.month = date_trunc('month', p.day)::date AND l.days @> p.day
						  AND to_regclass(format('%I.%I', l.schema_name,
												 _wh.rollup_leaf_name(l.rollup_name, l.month))) IS NOT NULL)
	 ORDER BY p.day, p.schema_name
$$;

/*
 * Fill the missing days of one (schema, month) of a rollup from their live
 * pieces: waits for each day's advisory lock (a load of the day running
 * writes its rows itself), computes the days' rows and rewrites the leaf
 * with short lock waits.  Returns how many days it wrote.
 */
CREATE FUNCTION _wh.fill_rollup_month(rollup_name text, schema_name text, month date)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	r		_wh.rollups;
	m		record;
	days	date[] := '{}';
	stage	text := '_wh_rfill_' || left(md5(rollup_name || ' ' || month), 16);
BEGIN
	PERFORM _wh.check_name(rollup_name, 'rollup');
	SELECT * INTO r FROM _wh.rollups x WHERE x.rollup_name = fill_rollup_month.rollup_name FOR KEY SHARE;
	IF NOT FOUND THEN
		PERFORM _wh.get_rollup(rollup_name);
	END IF;
	FOR m IN SELECT md.day FROM _wh.rollup_missing_days(rollup_name) md
			  WHERE md.schema_name = fill_rollup_month.schema_name
				AND md.day >= month AND md.day < month + interval '1 month'
			  ORDER BY md.day
	LOOP
		PERFORM pg_advisory_xact_lock(_wh.day_lock_key(r.template_name, schema_name, m.day));
	END LOOP;
	-- again under the locks: loads and retention may have changed them
	PERFORM _wh.check_tenant_schema(schema_name);
	PERFORM _wh.ensure_rollup_tree(rollup_name, schema_name);
	FOR m IN SELECT md.day, md.relname FROM _wh.rollup_missing_days(rollup_name) md
			  WHERE md.schema_name = fill_rollup_month.schema_name
				AND md.day >= month AND md.day < month + interval '1 month'
			  ORDER BY md.day
	LOOP
		-- (a day that went missing since the first list: its lock too)
		PERFORM pg_advisory_xact_lock(_wh.day_lock_key(r.template_name, schema_name, m.day));
		IF cardinality(days) = 0 THEN
			PERFORM _wh.rollup_create_table(rollup_name, schema_name, stage, month, (month + interval '1 month')::date);
		END IF;
		PERFORM _wh.check_owned(format('%I.%I', schema_name, m.relname)::regclass, 'daily piece');
		EXECUTE _wh.rollup_insert_sql(rollup_name, schema_name, m.day, m.relname, stage);
		days := days || m.day;
	END LOOP;
	IF cardinality(days) = 0 THEN
		RETURN 0;
	END IF;
	PERFORM _wh.with_lock_retries(ARRAY[
		format('SELECT _wh.rollup_swap_days(%L, %L, %L::date, %L::date[], %L)',
			   rollup_name, schema_name, month, days, stage)],
		'rewrite the rollup''s leaf');
	RETURN cardinality(days);
END
$$;

/*
 * Mark a rollup ready when no loaded piece lacks its rows, not ready
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
 * One step of _wh.fill_rollup: fill the next (schema, month) with missing
 * days of a rollup; when none is missing, mark it ready and return false.
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
	n	integer;
BEGIN
	PERFORM _wh.get_rollup(rollup_name);
	SELECT md.schema_name, date_trunc('month', md.day)::date AS month INTO m
	  FROM _wh.rollup_missing_days(rollup_name) md LIMIT 1;
	IF NOT FOUND THEN
		PERFORM _wh.update_rollup_ready(rollup_name);
		RETURN false;
	END IF;
	n := _wh.fill_rollup_month(rollup_name, m.schema_name, m.month);
	RAISE NOTICE 'rollup "%": filled % days of % in schema "%"', rollup_name, n, to_char(m.month, 'YYYY-MM'), m.schema_name;
	RETURN true;
END
$$;

/*
 * Fill every missing day of a rollup in this transaction, then mark it
 * ready.  Returns how many days were written.
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
	FOR m IN SELECT DISTINCT md.schema_name, date_trunc('month', md.day)::date AS month
			   FROM _wh.rollup_missing_days(rollup_name) md ORDER BY 2, 1
	LOOP
		n := n + _wh.fill_rollup_month(rollup_name, m.schema_name, m.month);
	END LOOP;
	-- a load that committed meanwhile wrote its rows; a day still missing
	-- (a piece created after the list was read) is filled next time
	PERFORM _wh.update_rollup_ready(rollup_name);
	RETURN n;
END
$$;

/*
 * Fill a rollup declared with fill => false (or left unfinished) a month
 * of a schema at a time, committing each, then mark it ready; run again after an
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
	-- loads of the template that started before the rollup existed finish
	-- first, and later ones see it (see the banner)
	PERFORM pg_advisory_xact_lock(_wh.template_lock_key(t.template_name));
	IF EXISTS (SELECT 1 FROM _wh.rollups r WHERE r.rollup_name = create_rollup.rollup_name) THEN
		RAISE EXCEPTION 'rollup "%" already exists', rollup_name
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Drop it first with _wh.drop_rollup, or choose another name.';
	END IF;
	PERFORM _wh.lock_trees();
	PERFORM _wh.check_rollup_name_space('rollup', rollup_name);
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
		BEGIN
			filled := _wh.fill_rollup_all(rollup_name);
		EXCEPTION WHEN out_of_memory THEN
			-- the lock table: one transaction reads every piece
			GET STACKED DIAGNOSTICS e = MESSAGE_TEXT;
			RAISE EXCEPTION 'could not fill rollup "%" in one transaction: %', rollup_name, e
				USING ERRCODE = 'out_of_memory',
					  HINT = format('Declare it with fill => false, then CALL _wh.fill_rollup(%L): it commits a month at a time.', rollup_name);
		END;
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
	root	regclass;
BEGIN
	-- first: waits for the loads, fills and retention writing its rows (see the banner)
	DELETE FROM _wh.rollups x WHERE x.rollup_name = r.rollup_name;
	IF NOT FOUND THEN
		-- dropped by another session meanwhile
		PERFORM _wh.get_rollup(rollup_name);
	END IF;
	PERFORM _wh.lock_trees();
	root := to_regclass(format('public.%I', rollup_name));
	IF root IS NOT NULL THEN
		PERFORM _wh.check_owned(root, 'rollup relation');
		PERFORM _wh.with_lock_retries(ARRAY[format('DROP TABLE public.%I CASCADE', rollup_name)],
									  'drop the rollup''s relations');
	END IF;
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
