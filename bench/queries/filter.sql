-- filter.sql — filter-heavy queries (issue 7's benchmark), run by bi_bench.sh
--
-- Each query follows a "-- name: <name>" line and ends with ";".  The same
-- text runs on PostgreSQL (search_path set to the heap or the columnar
-- schema) and on DuckDB.  Where the engines need different text, a query
-- holds a "-- postgres:" and a "-- duckdb:" part side by side (none needs
-- it today).  Results are compared across engines as sorted rows, so every
-- ORDER BY ... LIMIT breaks ties down to unique rows.

-- name: count_one_filter
SELECT count(*) FROM foodlogstats WHERE store = 'Store 07';

-- name: count_three_filters
SELECT count(*) FROM foodlogstats
 WHERE station = 'Station 3' AND validation_status = 'pending' AND weight > 10;

-- name: count_in_list
SELECT count(*), sum(quantity) FROM foodlogstats
 WHERE food_category IN ('dairy', 'meat', 'seafood');

-- name: count_like_prefix
SELECT count(*) FROM foodlogstats WHERE name LIKE 'Item 29%';

-- name: one_week_range
SELECT count(*), sum(weight) FROM foodlogstats
 WHERE logged_time >= TIMESTAMP '2025-06-02' AND logged_time < TIMESTAMP '2025-06-09';

-- name: numeric_filter
SELECT count(*), sum(weight) FROM foodlogstats WHERE price_per_lb > 15.50;

-- name: select_star_top10
SELECT * FROM foodlogstats
 WHERE store = 'Store 07' AND station = 'Station 3'
 ORDER BY logged_time DESC LIMIT 10;

-- name: select_star_few_hundred
SELECT * FROM foodlogstats WHERE name = 'Item 299' AND flags = 'manual';
