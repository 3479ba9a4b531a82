/* 10_columnar.sql: the columnar table access method and its catalog */

/*
 * Storage ids name a columnar relation's storage (kept in its metapage);
 * never reused, so TRUNCATE and rewrites need no cleanup race.
 */
CREATE SEQUENCE biwh.columnar_storage_id_seq;

/*
 * One row per row group of a columnar relation.  A row group is visible
 * exactly when its row is: MVCC of the data comes from this table.  The
 * chunk_* arrays have one element per column, in attribute number order.
 * chunk_min / chunk_max hold the bytes of the smallest and largest value
 * (the Datum image, independent of any session setting; NULL when unknown
 * or long), ordered by the collation in chunk_collation (the column's
 * when the row group was written); biwh.columnar_bound_text shows them.
 */
CREATE TABLE biwh.columnar_row_group (
	storage_id			bigint NOT NULL,
	first_row			bigint NOT NULL,
	row_count			bigint NOT NULL,
	start_block			bigint NOT NULL,
	data_length			bigint NOT NULL,
	chunk_offset		bigint[] NOT NULL,
	chunk_length		bigint[] NOT NULL,
	chunk_raw_length	bigint[] NOT NULL,
	chunk_encoding		smallint[] NOT NULL,
	chunk_null_count	bigint[] NOT NULL,
	chunk_min			bytea[] NOT NULL,
	chunk_max			bytea[] NOT NULL,
	chunk_collation		oid[] NOT NULL,
	PRIMARY KEY (storage_id, first_row)
);
COMMENT ON TABLE biwh.columnar_row_group IS 'row groups of columnar tables: location, encodings and min/max of every column chunk';

/*
 * Per-table options of columnar tables; a missing row or NULL means the
 * biwh.* setting of the writing session.
 */
CREATE TABLE biwh.columnar_options (
	relid				oid PRIMARY KEY,
	compression			text CHECK (compression IN ('none', 'zstd')),
	compression_level	integer CHECK (compression_level BETWEEN 1 AND 19),
	row_group_size		integer CHECK (row_group_size BETWEEN 1000 AND 10000000),
	sort_key			name[]
);
COMMENT ON TABLE biwh.columnar_options IS 'per-table options of columnar tables';

CREATE FUNCTION biwh.columnar_handler(internal)
RETURNS table_am_handler
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'columnar_handler';

CREATE ACCESS METHOD columnar TYPE TABLE HANDLER biwh.columnar_handler;
COMMENT ON ACCESS METHOD columnar IS 'biwh column store: row groups of encoded, compressed column chunks';

/*
 * Before DDL: loads the library (so that its object access hook removes the
 * catalog rows of the columnar tables a DROP drops) and takes the columnar
 * options (compression, compression_level, row_group_size, sort_key) out
 * of CREATE TABLE ... WITH (...), CREATE TABLE AS, CREATE MATERIALIZED
 * VIEW and ALTER TABLE ... SET / RESET (...), which PostgreSQL would
 * reject; after DDL: stores them in biwh.columnar_options.
 */
CREATE FUNCTION biwh.columnar_ddl_event()
RETURNS event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'columnar_ddl_event';

CREATE EVENT TRIGGER biwh_columnar_ddl_start ON ddl_command_start
	WHEN TAG IN ('DROP TABLE', 'DROP MATERIALIZED VIEW', 'DROP SCHEMA',
				 'DROP OWNED', 'DROP ACCESS METHOD', 'CREATE TABLE', 'CREATE TABLE AS',
				 'SELECT INTO', 'CREATE MATERIALIZED VIEW', 'ALTER TABLE',
				 'ALTER MATERIALIZED VIEW')
	EXECUTE FUNCTION biwh.columnar_ddl_event();

CREATE EVENT TRIGGER biwh_columnar_ddl_end ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO',
				 'CREATE MATERIALIZED VIEW', 'ALTER TABLE', 'ALTER MATERIALIZED VIEW')
	EXECUTE FUNCTION biwh.columnar_ddl_event();

/*
 * Set (non-NULL arguments) or reset (true reset_* arguments) options of a
 * columnar table, validating them.  Internal: no ownership check; the
 * callers check (the alter_columnar_table_* functions, or CREATE / ALTER
 * TABLE themselves for WITH (...) and SET (...)).
 */
CREATE FUNCTION biwh.columnar_set_options(
	tbl regclass,
	compression text, compression_level integer, row_group_size integer, sort_key text,
	reset_compression boolean, reset_compression_level boolean,
	reset_row_group_size boolean, reset_sort_key boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
DECLARE
	keys name[];
	k text;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_class c JOIN pg_am a ON a.oid = c.relam
				   WHERE c.oid = tbl AND a.amname = 'columnar') THEN
		RAISE EXCEPTION 'table "%" is not a columnar table', tbl
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Columnar options apply to tables created USING columnar.';
	END IF;
	IF lower(compression) NOT IN ('none', 'zstd') THEN
		RAISE EXCEPTION 'unrecognized compression type "%"', compression
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Valid types are "none" and "zstd".';
	END IF;
	IF compression_level NOT BETWEEN 1 AND 19 THEN
		RAISE EXCEPTION 'compression_level % is out of range', compression_level
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Valid levels are 1 to 19.';
	END IF;
	IF row_group_size NOT BETWEEN 1000 AND 10000000 THEN
		RAISE EXCEPTION 'row_group_size % is out of range', row_group_size
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Valid sizes are 1000 to 10000000 rows.';
	END IF;
	IF sort_key IS NOT NULL THEN
		keys := '{}';
		FOREACH k IN ARRAY regexp_split_to_array(btrim(sort_key), '\s*,\s*') LOOP
			IF NOT EXISTS (SELECT FROM pg_attribute
						   WHERE attrelid = tbl AND attname = k AND attnum > 0
							 AND NOT attisdropped) THEN
				RAISE EXCEPTION 'sort key column "%" does not exist in table "%"', k, tbl
					USING ERRCODE = 'undefined_column',
						  HINT = 'Give a comma-separated list of the table''s columns.';
			END IF;
			keys := keys || k::name;
		END LOOP;
	END IF;
	INSERT INTO biwh.columnar_options AS o (relid, compression, compression_level, row_group_size, sort_key)
	VALUES (tbl, lower(compression), compression_level, row_group_size, keys)
	ON CONFLICT (relid) DO UPDATE SET
		compression = CASE WHEN reset_compression THEN NULL
						   ELSE coalesce(EXCLUDED.compression, o.compression) END,
		compression_level = CASE WHEN reset_compression_level THEN NULL
								 ELSE coalesce(EXCLUDED.compression_level, o.compression_level) END,
		row_group_size = CASE WHEN reset_row_group_size THEN NULL
							  ELSE coalesce(EXCLUDED.row_group_size, o.row_group_size) END,
		sort_key = CASE WHEN reset_sort_key THEN NULL
						ELSE coalesce(EXCLUDED.sort_key, o.sort_key) END;
END $$;

/* Raise an error unless the current user owns the table. */
CREATE FUNCTION biwh.columnar_check_owner(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
	IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = tbl), 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of table %', tbl
			USING ERRCODE = 'insufficient_privilege';
	END IF;
END $$;

CREATE FUNCTION biwh.alter_columnar_table_set(
	tbl regclass,
	compression text DEFAULT NULL,
	compression_level integer DEFAULT NULL,
	row_group_size integer DEFAULT NULL,
	sort_key text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
	PERFORM biwh.columnar_check_owner(tbl);
	PERFORM biwh.columnar_set_options(tbl, compression, compression_level, row_group_size,
									  sort_key, false, false, false, false);
END $$;
COMMENT ON FUNCTION biwh.alter_columnar_table_set(regclass, text, integer, integer, text) IS
	'set options of a columnar table (NULL arguments are left unchanged); applies to row groups written afterwards';

CREATE FUNCTION biwh.alter_columnar_table_reset(
	tbl regclass,
	compression boolean DEFAULT false,
	compression_level boolean DEFAULT false,
	row_group_size boolean DEFAULT false,
	sort_key boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
	PERFORM biwh.columnar_check_owner(tbl);
	PERFORM biwh.columnar_set_options(tbl, NULL, NULL, NULL, NULL,
									  compression, compression_level, row_group_size, sort_key);
END $$;
COMMENT ON FUNCTION biwh.alter_columnar_table_reset(regclass, boolean, boolean, boolean, boolean) IS
	'reset options of a columnar table to the biwh.* settings';

/* The options in effect for a columnar table, settings filled in. */
CREATE FUNCTION biwh.columnar_table_options(tbl regclass,
	OUT compression text, OUT compression_level integer,
	OUT row_group_size integer, OUT sort_key name[])
RETURNS record
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
	SELECT coalesce(o.compression, current_setting('biwh.compression')),
		   coalesce(o.compression_level, current_setting('biwh.compression_level')::int),
		   coalesce(o.row_group_size, current_setting('biwh.row_group_size')::int),
		   o.sort_key
	  FROM (SELECT tbl AS relid) t LEFT JOIN biwh.columnar_options o USING (relid)
$$;

/* The storage id in a columnar table's metapage (NULL while it is empty). */
CREATE FUNCTION biwh.columnar_storage_id(regclass)
RETURNS bigint
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'columnar_storage_id';

/* Pages of a columnar table that VACUUM found free, for writers to reuse. */
CREATE FUNCTION biwh.columnar_free_pages(regclass)
RETURNS bigint
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'columnar_free_pages';

/* Every chunk of every row group is read, checked and decoded. */
CREATE FUNCTION biwh.columnar_verify(tbl regclass,
	OUT row_groups bigint, OUT chunks bigint, OUT rows bigint)
RETURNS record
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'columnar_verify';

/* The text form of a stored min or max of column attnum of a columnar table. */
CREATE FUNCTION biwh.columnar_bound_text(tbl regclass, attnum integer, image bytea)
RETURNS text
LANGUAGE C STRICT STABLE
AS 'MODULE_PATHNAME', 'columnar_bound_text';

CREATE FUNCTION biwh.columnar_encoding_name(smallint)
RETURNS text
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'columnar_encoding_name';

/* Per column: encodings used (with chunk counts), raw and stored bytes. */
CREATE FUNCTION biwh.columnar_stats(tbl regclass)
RETURNS TABLE (attnum integer, column_name name, row_groups bigint, null_count numeric,
			   encodings text, raw_bytes numeric, stored_bytes numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
	WITH chunks AS (
		SELECT c.i::int AS attnum, r.chunk_encoding[c.i] AS enc, r.chunk_null_count[c.i] AS nulls,
			   r.chunk_raw_length[c.i] AS raw, r.chunk_length[c.i] AS stored
		  FROM biwh.columnar_row_group r,
			   generate_subscripts(r.chunk_encoding, 1) AS c(i)
		 WHERE r.storage_id = biwh.columnar_storage_id(tbl)
	), per_enc AS (
		SELECT attnum, enc, count(*) AS n FROM chunks GROUP BY attnum, enc
	)
	SELECT a.attnum::int, a.attname, count(ch.attnum), sum(ch.nulls),
		   (SELECT string_agg(biwh.columnar_encoding_name(p.enc) || ':' || p.n, ', ' ORDER BY p.enc)
			  FROM per_enc p WHERE p.attnum = a.attnum),
		   sum(ch.raw), sum(ch.stored)
	  FROM pg_attribute a LEFT JOIN chunks ch ON ch.attnum = a.attnum
	 WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
	 GROUP BY a.attnum, a.attname
	 ORDER BY a.attnum
$$;
