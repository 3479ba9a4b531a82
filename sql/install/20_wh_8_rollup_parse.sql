/*
 * 20_wh_8_rollup_parse.sql: parsing one group key or aggregate of a rollup
 *
 * _wh.rollup_parse(master, expression) parses the expression over the
 * master relation with pg_catalog's functions and operators only and says
 * what a rollup stores about it (src/wh_rollup_parse.c):
 *   kind         'key', 'count_star', 'count', 'sum', 'min', 'max' or 'avg'
 *   grain        a key's date_trunc grain ('hour', 'day', 'week', 'month'), or NULL
 *   column_name  the column of a key, or NULL
 *   normalized   the key, or the aggregate's argument, as SQL text
 *   tree         the same, analyzed (nodeToString; Vars of varno 1)
 *   type         the rollup column's type (for avg: that of sum)
 * and refuses keys that are not columns or date_trunc of a timestamp
 * column, aggregates that are not decomposable, and expressions that are
 * not immutable or use anything outside pg_catalog.  It only parses.
 */
CREATE FUNCTION _wh.rollup_parse(master regclass, expression text,
								 OUT kind text, OUT grain text, OUT column_name text,
								 OUT normalized text, OUT tree text, OUT type regtype)
RETURNS record
LANGUAGE C STRICT STABLE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'rollup_parse';

/* Nothing in _wh runs for PUBLIC (create_rollup calls it as the owner) */
REVOKE EXECUTE ON FUNCTION _wh.rollup_parse(regclass, text) FROM PUBLIC;
