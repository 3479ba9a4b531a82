-- template-foodlogstats.sql: the foodlogstats report template
--
--   \i sql/template-foodlogstats.sql      (as the warehouse admin, in the warehouse)
--
-- One day of the tenant's food log, joined to stores, stations, foods and
-- actions, with the seed's 20 columns.  {{start}} and {{end}} are replaced
-- by the day's bounds as quoted literals; the pieces are partitioned on
-- logged_time.  Running it again updates the template.

INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column, description)
VALUES ('foodlogstats',
$template$
SELECT pf.id,
       pl.name AS store,
       ps.name AS station,
       pf.validation_status,
       pl.region,
       pf.action_taken_id,
       pa.name AS action_taken,
       fd.name,
       pf.quantity,
       fd.average_weight,
       pf.weight,
       pc.name AS client,
       fd.food_category,
       fd.cost_per_lb,
       fd.target_weight,
       fd.price_per_lb,
       pf.action_reason,
       pc.client_id,
       pf.logged_time,
       pf.flags
  FROM phood_foodlogsum pf
  JOIN phood_station ps ON ps.id = pf.station_id
  JOIN phood_location pl ON pl.id = ps.location_id
  JOIN phood_client pc ON pc.id = pl.client
  JOIN phood_food fd ON fd.id = pf.food_id
  LEFT JOIN phood_action pa ON pa.id = pf.action_taken_id
 WHERE pf.logged_time >= {{start}}
   AND pf.logged_time < {{end}}
$template$,
'id integer, store text, station text, validation_status text, region text,
 action_taken_id integer, action_taken text, name text, quantity numeric,
 average_weight numeric, weight numeric, client text, food_category text,
 cost_per_lb numeric, target_weight numeric, price_per_lb numeric,
 action_reason text, client_id text, logged_time timestamp, flags text',
'logged_time',
'Food log per day: one row per logged item, with store, station, food and action')
ON CONFLICT (template_name) DO UPDATE
   SET source_sql = EXCLUDED.source_sql,
       column_definitions = EXCLUDED.column_definitions,
       date_column = EXCLUDED.date_column,
       description = EXCLUDED.description;
