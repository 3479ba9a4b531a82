-- demo.sql: what "make demo" runs on its throwaway cluster
\pset footer off
\echo '== CREATE EXTENSION biwh CASCADE'
CREATE EXTENSION biwh CASCADE;
SELECT biwh.build_info();
\echo '== extensions'
SELECT extname, extversion FROM pg_extension ORDER BY extname;
\echo '== what biwh created'
SELECT pg_describe_object(classid, objid, objsubid) AS object
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'biwh')
   AND deptype = 'e'
 ORDER BY 1;
