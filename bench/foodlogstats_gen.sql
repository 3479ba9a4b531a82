-- foodlogstats_gen.sql: a generator for the seed's foodlogstats report
--
-- bench_foodlogstats(n, days) returns n rows of the report's 20 columns with
-- realistic shapes: 40 stores (skewed), 5 regions, 8 stations, ~400 item
-- names (skewed) in 12 food categories with per-item prices, quantities and
-- weights as numerics with 2 decimals, 20-60 % NULLs in the optional
-- columns, and logged_time increasing over `days` days, as a daily load
-- would deliver it.  Deterministic: setseed() before calling for the same
-- data every run.
CREATE OR REPLACE FUNCTION bench_foodlogstats(n bigint, days int DEFAULT 365)
RETURNS TABLE (
    id integer, store text, station text, validation_status text,
    region text, action_taken_id integer, action_taken text, name text,
    quantity numeric, average_weight numeric, weight numeric, client text,
    food_category text, cost_per_lb numeric, target_weight numeric,
    price_per_lb numeric, action_reason text, client_id text,
    logged_time timestamp, flags text)
LANGUAGE sql
AS $$
SELECT g::int AS id,
       'Store ' || lpad(s::text, 2, '0') AS store,
       'Station ' || (1 + (g * 7 + s) % 8) AS station,
       (ARRAY['validated', 'validated', 'validated', 'pending', 'rejected'])[1 + (r1 * 5)::int % 5] AS validation_status,
       (ARRAY['North', 'South', 'East', 'West', 'Central'])[1 + s % 5] AS region,
       a AS action_taken_id,
       (ARRAY['Donated', 'Composted', 'Discarded', 'Repurposed', 'Sold', 'Staff meal'])[a] AS action_taken,
       'Item ' || lpad(i::text, 3, '0') AS name,
       round((1 + r2 * 20)::numeric, 0) AS quantity,
       round((0.2 + i % 17 * 0.15 + r3 * 0.1)::numeric, 2) AS average_weight,
       round(((0.2 + i % 17 * 0.15) * (1 + r2 * 20) * (0.9 + r3 * 0.2))::numeric, 2) AS weight,
       'Phood Foods' AS client,
       (ARRAY['Produce', 'Bakery', 'Dairy', 'Meat', 'Seafood', 'Deli', 'Prepared',
              'Frozen', 'Beverages', 'Pantry', 'Snacks', 'Other'])[1 + i % 12] AS food_category,
       round((0.5 + (i % 40) * 0.25)::numeric, 2) AS cost_per_lb,
       CASE WHEN r1 < 0.3 THEN NULL ELSE round((1 + i % 23 * 0.5)::numeric, 2) END AS target_weight,
       round((1.0 + (i % 40) * 0.4)::numeric, 2) AS price_per_lb,
       CASE WHEN r2 < 0.6 THEN NULL
            ELSE (ARRAY['Expired', 'Damaged', 'Overproduction', 'Quality', 'Customer return',
                        'Spoiled', 'Recall', 'Trim', 'Plate waste', 'Other'])[1 + (r3 * 10)::int % 10] END AS action_reason,
       'C-' || lpad((1 + s % 3)::text, 3, '0') AS client_id,
       timestamp '2025-01-01' + (g - 1) * (days * interval '1 day') / n AS logged_time,
       CASE WHEN r3 < 0.8 THEN NULL WHEN r3 < 0.9 THEN 'manual' WHEN r3 < 0.97 THEN 'late' ELSE 'manual,late' END AS flags
  FROM (SELECT g,
               1 + floor(40 * power(random(), 2))::int AS s,
               1 + floor(400 * power(random(), 3))::int AS i,
               1 + floor(6 * power(random(), 2))::int AS a,
               random() AS r1, random() AS r2, random() AS r3
          FROM generate_series(1::bigint, n) AS g) AS x
$$;
