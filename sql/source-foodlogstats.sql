-- source-foodlogstats.sql: a tenant's source database for the foodlogstats
-- template (what the warehouse reads over dblink), with a data generator.
--
--   \i sql/source-foodlogstats.sql
--   SELECT phood_generate('2025-08-01', 61, 200);   -- 61 days, 200 rows a day
--
-- Shaped so that the template's query (sql/template-foodlogstats.sql)
-- returns the seed's 20 columns.  The generator is deterministic: the same
-- arguments give the same rows, so tests can compare sums.

CREATE TABLE phood_client (
	id			integer PRIMARY KEY,
	name		text NOT NULL,
	client_id	text NOT NULL
);

CREATE TABLE phood_location (
	id			integer PRIMARY KEY,
	name		text NOT NULL,
	region		text NOT NULL,
	client		integer NOT NULL REFERENCES phood_client
);

CREATE TABLE phood_station (
	id			integer PRIMARY KEY,
	location_id	integer NOT NULL REFERENCES phood_location,
	name		text NOT NULL
);

CREATE TABLE phood_food (
	id				integer PRIMARY KEY,
	name			text NOT NULL,
	food_category	text NOT NULL,
	cost_per_lb		numeric(10,2) NOT NULL,
	price_per_lb	numeric(10,2) NOT NULL,
	average_weight	numeric(10,3) NOT NULL,
	target_weight	numeric(10,3) NOT NULL
);

CREATE TABLE phood_action (
	id		integer PRIMARY KEY,
	name	text NOT NULL
);

CREATE TABLE phood_foodlogsum (
	id					integer PRIMARY KEY,
	station_id			integer NOT NULL REFERENCES phood_station,
	food_id				integer NOT NULL REFERENCES phood_food,
	action_taken_id		integer REFERENCES phood_action,
	action_reason		text,
	validation_status	text NOT NULL,
	quantity			numeric(10,2) NOT NULL,
	weight				numeric(10,3) NOT NULL,
	logged_time			timestamp NOT NULL,
	flags				text
);
CREATE INDEX phood_foodlogsum_logged_time_idx ON phood_foodlogsum (logged_time);

INSERT INTO phood_client VALUES (1, 'Phood Demo Co', 'C-001');
INSERT INTO phood_location
SELECT i, 'Store ' || i, (ARRAY['North', 'South', 'East', 'West'])[1 + i % 4], 1
  FROM generate_series(1, 8) i;
INSERT INTO phood_station
SELECT i, 1 + (i - 1) / 3, (ARRAY['Grill', 'Salad bar', 'Bakery'])[1 + i % 3]
  FROM generate_series(1, 24) i;
INSERT INTO phood_food
SELECT i, 'Food ' || i,
	   (ARRAY['Produce', 'Protein', 'Dairy', 'Grain', 'Prepared'])[1 + i % 5],
	   1 + (i % 7) * 0.75, 2 + (i % 9) * 1.25, 0.5 + (i % 4) * 0.25, 0.4 + (i % 5) * 0.2
  FROM generate_series(1, 40) i;
INSERT INTO phood_action VALUES (1, 'Donated'), (2, 'Composted'), (3, 'Discarded'), (4, 'Repurposed');

-- Add rows_per_day rows for each of n_days days from first_day; returns the
-- number of rows added.  Ids continue after the largest one.
CREATE FUNCTION phood_generate(first_day date, n_days integer, rows_per_day integer)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	base	integer;
	n		bigint;
BEGIN
	SELECT coalesce(max(id), 0) INTO base FROM phood_foodlogsum;
	INSERT INTO phood_foodlogsum
	SELECT base + d * rows_per_day + i + 1,
		   1 + (i * 7 + d) % 24,
		   1 + (i * 13 + d * 3) % 40,
		   CASE WHEN i % 11 = 0 THEN NULL ELSE 1 + (i + d) % 4 END,
		   CASE WHEN i % 5 = 0 THEN 'Overproduction' WHEN i % 5 = 1 THEN 'Spoiled' END,
		   CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'validated' END,
		   1 + (i % 6),
		   round((0.1 + ((i * 37 + d * 11) % 500) / 100.0)::numeric, 3),
		   (first_day + d)::timestamp + make_interval(secs => (i::double precision * 86399) / rows_per_day),
		   CASE WHEN i % 17 = 0 THEN 'late' END
	  FROM generate_series(0, n_days - 1) d, generate_series(0, rows_per_day - 1) i;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
