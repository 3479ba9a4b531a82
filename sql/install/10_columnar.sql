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
	chunk_min			text[] NOT NULL,
	chunk_max			text[] NOT NULL,
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
 * Loads the library before DROP commands, so that its object access hook
 * can remove the catalog rows of the columnar tables they drop.
 */
CREATE FUNCTION biwh.columnar_ddl_start()
RETURNS event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'columnar_ddl_start';

CREATE EVENT TRIGGER biwh_columnar_ddl_start ON ddl_command_start
	WHEN TAG IN ('DROP TABLE', 'DROP MATERIALIZED VIEW', 'DROP SCHEMA',
				 'DROP OWNED', 'DROP ACCESS METHOD')
	EXECUTE FUNCTION biwh.columnar_ddl_start();
