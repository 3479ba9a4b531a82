-- foodlogstats.sql — the generator of the benchmarks' report data
--
--   psql -f bench/foodlogstats.sql
--   CREATE TABLE t AS SELECT * FROM bench_foodlogstats(1000000);
--   COPY (SELECT * FROM bench_foodlogstats(1000000)) TO '/tmp/f.csv' (FORMAT csv);
--
-- Rows shaped like the seed's foodlogstats report (the 20 columns and types
-- of sql/template-foodlogstats.sql): 40 stores in 4 regions, 5 clients
-- (8 stores each), 8 stations, 300 item names with a cubic skew ("Item 0"
-- is the most common), 6 actions, 12 food categories, numeric quantities
-- (scale 0) and weights and prices (scale 2), 1 in 7 target_weight NULL,
-- 60% NULL action_reason, 2% flags, logged_time spread evenly over 2025 in
-- id order.  Every value is a function of the row number, so a size gives
-- the same rows on every run.  Used by columnar_bench.sh and bi_bench.sh.
--
-- An immutable one-statement SQL function: the planner inlines it, so the
-- rows stream from generate_series without being materialized first.

CREATE OR REPLACE FUNCTION public.bench_foodlogstats(nrows integer)
RETURNS TABLE (id integer, store text, station text, validation_status text,
			   region text, action_taken_id integer, action_taken text,
			   name text, quantity numeric, average_weight numeric,
			   weight numeric, client text, food_category text,
			   cost_per_lb numeric, target_weight numeric,
			   price_per_lb numeric, action_reason text, client_id text,
			   logged_time timestamp, flags text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT g,
	'Store ' || lpad((1 + (hashint4(g) & 2147483647) % 40)::text, 2, '0'),
	'Station ' || (1 + (hashint4(g + 1) & 2147483647) % 8),
	(ARRAY['validated', 'validated', 'validated', 'pending', 'rejected'])[1 + (hashint4(g + 2) & 2147483647) % 5],
	(ARRAY['North', 'South', 'East', 'West'])[1 + ((hashint4(g) & 2147483647) % 40) / 10],
	1 + (hashint4(g + 3) & 2147483647) % 6,
	(ARRAY['donated', 'composted', 'discarded', 'repurposed', 'sold', 'staff meal'])[1 + (hashint4(g + 3) & 2147483647) % 6],
	'Item ' || floor(300 * power(((hashint4(g + 4) & 2147483647) % 10000) / 10000.0, 3))::int,
	round((1 + (hashint4(g + 5) & 2147483647) % 5)::numeric, 0),
	round(0.1 + ((hashint4(g + 6) & 2147483647) % 500) / 100.0, 2),
	round(0.1 + ((hashint4(g + 7) & 2147483647) % 2000) / 100.0, 2),
	'Client ' || (1 + (hashint4(g) & 2147483647) % 40 / 8),
	(ARRAY['produce', 'dairy', 'bakery', 'meat', 'seafood', 'prepared', 'grains', 'beverages', 'frozen', 'deli', 'snacks', 'other'])[1 + (hashint4(g + 8) & 2147483647) % 12],
	round(0.5 + ((hashint4(g + 9) & 2147483647) % 900) / 100.0, 2),
	CASE WHEN g % 7 = 0 THEN NULL ELSE round(1 + ((hashint4(g + 10) & 2147483647) % 1000) / 100.0, 2) END,
	round(1 + ((hashint4(g + 11) & 2147483647) % 1500) / 100.0, 2),
	CASE WHEN (hashint4(g + 12) & 2147483647) % 10 < 6 THEN NULL
		 ELSE (ARRAY['expired', 'overproduction', 'damaged', 'quality'])[1 + (hashint4(g + 12) & 2147483647) % 4] END,
	md5('client' || (1 + (hashint4(g) & 2147483647) % 40 / 8)),
	timestamp '2025-01-01' + (g::float8 / nrows) * interval '365 days',
	CASE WHEN g % 50 = 0 THEN 'manual' ELSE NULL END
  FROM generate_series(1, nrows) g
$$;
