-- bi.sql — BI aggregate queries (issue 8's benchmark), run by bi_bench.sh
--
-- Format as in filter.sql.  foodlogstats is the generated report
-- (bench/foodlogstats.sql); fls_master is the warehouse's master shape:
-- LIST (schema_name) over 10 tenants, then RANGE (logged_time) over 60
-- daily leaves each, holding the rows of 2025-01-01 .. 2025-03-01 (in
-- DuckDB one flat table with the same rows and schema_name column).

-- name: count_star
SELECT count(*) FROM foodlogstats;

-- name: count_filter
SELECT count(*) FROM foodlogstats WHERE action_taken = 'donated';

-- name: sum_avg_numeric
SELECT sum(weight), avg(weight), sum(price_per_lb), avg(cost_per_lb) FROM foodlogstats;

-- name: sum_avg_integer
SELECT sum(action_taken_id), avg(action_taken_id), sum(id), avg(id) FROM foodlogstats;

-- name: group_low_card_text
SELECT action_taken, count(*), sum(weight) FROM foodlogstats
 GROUP BY action_taken ORDER BY action_taken;

-- name: group_nullable_text
SELECT action_reason, count(*), avg(weight) FROM foodlogstats
 GROUP BY action_reason ORDER BY action_reason;

-- name: group_two_texts
SELECT station, food_category, count(*), avg(weight) FROM foodlogstats
 GROUP BY station, food_category ORDER BY station, food_category;

-- name: group_high_card_top20
SELECT store, name, count(*), sum(weight) FROM foodlogstats
 GROUP BY store, name ORDER BY 4 DESC, 1, 2 LIMIT 20;

-- name: group_by_minute_top10
SELECT date_trunc('minute', logged_time), count(*), sum(weight) FROM foodlogstats
 GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 10;

-- name: min_max_timestamp
SELECT min(logged_time), max(logged_time) FROM foodlogstats;

-- name: one_month_group_top10
SELECT name, count(*), sum(weight) FROM foodlogstats
 WHERE logged_time >= TIMESTAMP '2025-03-01' AND logged_time < TIMESTAMP '2025-04-01'
 GROUP BY name ORDER BY 3 DESC, 1 LIMIT 10;

-- name: daily_series_one_region
SELECT CAST(logged_time AS date), count(*), sum(weight) FROM foodlogstats
 WHERE region = 'East' GROUP BY 1 ORDER BY 1;

-- name: count_distinct_low
SELECT region, count(DISTINCT food_category) FROM foodlogstats
 GROUP BY region ORDER BY region;

-- name: count_distinct_high
SELECT count(DISTINCT id) FROM foodlogstats;

-- name: tpch_q1_shape
SELECT validation_status, action_taken,
       sum(quantity), sum(weight), sum(weight * price_per_lb),
       sum(weight * price_per_lb * (1 - 0.1)), avg(quantity), avg(price_per_lb),
       count(*)
  FROM foodlogstats
 WHERE logged_time <= TIMESTAMP '2025-11-01'
 GROUP BY validation_status, action_taken
 ORDER BY validation_status, action_taken;

-- name: master_tenants_one_month
SELECT schema_name, count(*), sum(weight), avg(price_per_lb) FROM fls_master
 WHERE logged_time >= TIMESTAMP '2025-01-15' AND logged_time < TIMESTAMP '2025-02-15'
 GROUP BY schema_name ORDER BY schema_name;
