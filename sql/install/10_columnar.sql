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
 * Not user data for logical decoding: its rows are inserted without the
 * logical-decoding payload (HEAP_INSERT_NO_LOGICAL) and deleted without an
 * old key, which pgoutput does not send, so a FOR ALL TABLES publication
 * never ships them (columnar_guard.c refuses to publish columnar tables).
 */
ALTER TABLE biwh.columnar_row_group REPLICA IDENTITY NOTHING;

/*
 * biwh writes its catalog with heap_insert, never through SQL, so a row
 * arriving through SQL in a replica session is a logical-replication
 * subscriber copying a publisher's catalog (a FOR ALL TABLES publication's
 * initial copy covers extension tables): its storage ids mean nothing here
 * and would be taken for this database's own.  Such rows are dropped.
 */
CREATE FUNCTION biwh.columnar_row_group_replica_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF current_setting('session_replication_role') = 'replica' THEN
		RETURN NULL;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER replica_guard BEFORE INSERT OR UPDATE ON biwh.columnar_row_group
	FOR EACH ROW EXECUTE FUNCTION biwh.columnar_row_group_replica_guard();
ALTER TABLE biwh.columnar_row_group ENABLE ALWAYS TRIGGER replica_guard;

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
 * reject; after DDL: writes them into the table's pg_class.reloptions, so
 * that pg_dump dumps them with the table.  Once the library is loaded, its
 * utility hook does this work and the triggers stand by (pg_upgrade
 * creates them after the tables); see src/columnar_options.c.
 */
CREATE FUNCTION biwh.columnar_ddl_event()
RETURNS event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'columnar_ddl_event';

CREATE EVENT TRIGGER biwh_columnar_ddl_start ON ddl_command_start
	WHEN TAG IN ('DROP TABLE', 'DROP MATERIALIZED VIEW', 'DROP SCHEMA',
				 'DROP OWNED', 'DROP ACCESS METHOD', 'CREATE TABLE', 'CREATE TABLE AS',
				 'SELECT INTO', 'CREATE MATERIALIZED VIEW', 'ALTER TABLE',
				 'ALTER MATERIALIZED VIEW', 'CREATE SCHEMA')
	EXECUTE FUNCTION biwh.columnar_ddl_event();

/*
 * Before CREATE / ALTER PUBLICATION and CREATE INDEX: refuses to publish
 * columnar tables and index methods they cannot serve, before anything is
 * created; before REFRESH MATERIALIZED VIEW CONCURRENTLY of a columnar
 * view, makes it a plain refresh (a backend that has not loaded the
 * library yet; once loaded, its utility hook does it); see
 * src/columnar_guard.c.
 */
CREATE FUNCTION biwh.columnar_guard_event()
RETURNS event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'columnar_guard_event';

CREATE EVENT TRIGGER biwh_columnar_guard ON ddl_command_start
	WHEN TAG IN ('CREATE PUBLICATION', 'ALTER PUBLICATION', 'CREATE INDEX',
				 'REFRESH MATERIALIZED VIEW')
	EXECUTE FUNCTION biwh.columnar_guard_event();

CREATE EVENT TRIGGER biwh_columnar_ddl_end ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO',
				 'CREATE MATERIALIZED VIEW', 'ALTER TABLE', 'ALTER MATERIALIZED VIEW')
	EXECUTE FUNCTION biwh.columnar_ddl_event();

/* Raise an error unless tbl is a columnar table. */
CREATE FUNCTION biwh.columnar_check_table(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_class c JOIN pg_am a ON a.oid = c.relam
				   WHERE c.oid = tbl AND a.amname = 'columnar') THEN
		RAISE EXCEPTION 'table "%" is not a columnar table', tbl
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Columnar options apply to tables created USING columnar.';
	END IF;
END $$;

/*
 * The functions run ALTER TABLE ... SET / RESET (...): it checks ownership
 * and validates, and the event triggers store the options in pg_class.
 */
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
DECLARE
	opts text[] := '{}';
BEGIN
	PERFORM biwh.columnar_check_table(tbl);
	IF compression IS NOT NULL THEN
		opts := opts || format('compression = %L', compression);
	END IF;
	IF compression_level IS NOT NULL THEN
		opts := opts || format('compression_level = %L', compression_level);
	END IF;
	IF row_group_size IS NOT NULL THEN
		opts := opts || format('row_group_size = %L', row_group_size);
	END IF;
	IF sort_key IS NOT NULL THEN
		opts := opts || format('sort_key = %L', sort_key);
	END IF;
	IF cardinality(opts) > 0 THEN
		EXECUTE format('ALTER TABLE %s SET (%s)', tbl, array_to_string(opts, ', '));
	END IF;
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
DECLARE
	opts text[] := '{}';
BEGIN
	PERFORM biwh.columnar_check_table(tbl);
	IF compression THEN opts := opts || 'compression'::text; END IF;
	IF compression_level THEN opts := opts || 'compression_level'::text; END IF;
	IF row_group_size THEN opts := opts || 'row_group_size'::text; END IF;
	IF sort_key THEN opts := opts || 'sort_key'::text; END IF;
	IF cardinality(opts) > 0 THEN
		EXECUTE format('ALTER TABLE %s RESET (%s)', tbl, array_to_string(opts, ', '));
	END IF;
END $$;
COMMENT ON FUNCTION biwh.alter_columnar_table_reset(regclass, boolean, boolean, boolean, boolean) IS
	'reset options of a columnar table to the biwh.* settings';

/*
 * The options in effect for a table (its pg_class.reloptions), the
 * settings of this session filled in.
 */
CREATE FUNCTION biwh.columnar_table_options(tbl regclass,
	OUT compression text, OUT compression_level integer,
	OUT row_group_size integer, OUT sort_key name[])
RETURNS record
LANGUAGE C STRICT STABLE
AS 'MODULE_PATHNAME', 'columnar_table_options';

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
