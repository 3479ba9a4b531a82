/*
 * 20_wh_4_security.sql: per-tenant readers (row-level security on the
 * master relations), and dblink closed to PUBLIC
 *
 * Tenant readers.  _wh.grant_tenant_reader(role, schema) lets a role read
 * the rows of one tenant schema, and nothing else: through
 * <schema>.<template> (SELECT on it: that partition holds the schema's rows
 * only) and through public.<template>, on which row-level security is
 * enabled when biwh creates it.  Its policies are keyed on role membership,
 * not on a setting a session could change: one permissive SELECT policy per
 * role, "TO <role> USING (schema_name = '<schema>')" for a tenant reader,
 * "TO <role> USING (true)" for the admins and BI readers of _wh.grant_admin
 * and _wh.grant_reader, who see every tenant.  PostgreSQL applies a policy
 * to the role named and to every member of it.  The qual is a constant
 * comparison with the partition key, so a tenant reader's queries are
 * pruned to its partition at plan time, and PostgreSQL evaluates it before
 * any qual of the query that is not leakproof (a function of the reader's
 * that raises a NOTICE sees only the reader's rows).  Row-level security of
 * a partitioned table applies to queries on that table only, so readers
 * get SELECT on roots only, never on the daily pieces; the table owner and
 * superusers bypass it.  Policies are made for every master relation
 * created later too (_wh.grant_roots calls _wh.apply_policies).  No view is
 * created over the roots (a view's owner would be the one whose policies
 * apply).
 *
 * dblink.  CREATE EXTENSION dblink lets PUBLIC run dblink_connect and
 * friends, i.e. open connections from the warehouse server to any host.
 * biwh calls dblink as its owner only, so it takes EXECUTE on every dblink
 * function away from PUBLIC in this database when it is created, records
 * which it took, and gives them back when it is dropped (an event trigger
 * on DROP EXTENSION, src/wh_security.c): dropping biwh leaves dblink as it
 * found it.  The same event trigger refuses DROP EXTENSION biwh while the
 * warehouse holds data, and with CASCADE drops it too (_wh.drop_warehouse).
 */

/*
 * Return the roles given warehouse access that exist: admins and BI readers
 * (schema_name NULL: every tenant) and tenant readers (one row per schema).
 */
CREATE FUNCTION _wh.registered_roles()
RETURNS TABLE (role_name text, schema_name text, kind text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT g.role_name, NULL::text, g.kind FROM _wh.role_grants g
	 WHERE to_regrole(quote_ident(g.role_name)) IS NOT NULL
	UNION ALL
	SELECT tr.role_name, tr.schema_name, 'tenant reader' FROM _wh.tenant_readers tr
	 WHERE to_regrole(quote_ident(tr.role_name)) IS NOT NULL
	ORDER BY 1, 2
$$;

/* Return the templates whose master relation public.<template> exists */
CREATE FUNCTION _wh.existing_roots()
RETURNS SETOF text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT m.template_name FROM _wh.mv_templates m
	 WHERE to_regclass(format('public.%I', m.template_name)) IS NOT NULL
	 ORDER BY 1
$$;

/* Return the name of the policy of a role (and a tenant schema, or NULL) */
CREATE FUNCTION _wh.policy_name(role_name text, schema_name text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN schema_name IS NULL
				THEN 'biwh_all_tenants_' || left(md5(role_name), 16)
				ELSE 'biwh_tenant_' || left(md5(role_name || '/' || schema_name), 16) END
$$;

/*
 * Make sure public.<template>, and public.<rollup> of each of its rollups,
 * have row-level security and one policy per registered role (see the
 * banner).  Only reads the catalogs when nothing is missing (CREATE POLICY
 * would lock out the readers).
 */
CREATE FUNCTION _wh.apply_policies(template_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	x		text;
BEGIN
	IF to_regclass(format('public.%I', template_name)) IS NULL THEN
		RETURN;
	END IF;
	PERFORM _wh.apply_policies_on(template_name);
	FOR x IN SELECT r FROM _wh.rollup_roots(template_name) r
	LOOP
		PERFORM _wh.apply_policies_on(x);
	END LOOP;
END
$$;

/* _wh.apply_policies for one root public.<relname> (a master or a rollup) */
CREATE FUNCTION _wh.apply_policies_on(template_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	root	regclass := to_regclass(format('public.%I', template_name));
	r		record;
	pol		text;
BEGIN
	IF root IS NULL THEN
		RETURN;
	END IF;
	-- two sessions must not both find a policy missing and create it
	PERFORM _wh.lock_trees();
	IF NOT (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = root) THEN
		EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', template_name);
	END IF;
	FOR r IN SELECT * FROM _wh.registered_roles()
	LOOP
		pol := _wh.policy_name(r.role_name, r.schema_name);
		IF EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = root AND p.polname = pol) THEN
			CONTINUE;
		END IF;
		IF r.schema_name IS NULL THEN
			EXECUTE format('CREATE POLICY %I ON public.%I AS PERMISSIVE FOR SELECT TO %I USING (true)',
						   pol, template_name, r.role_name);
			EXECUTE format('COMMENT ON POLICY %I ON public.%I IS %L', pol, template_name,
						   format('biwh: %s %s reads every tenant', r.kind, r.role_name));
		ELSE
			EXECUTE format('CREATE POLICY %I ON public.%I AS PERMISSIVE FOR SELECT TO %I USING (schema_name = %L)',
						   pol, template_name, r.role_name, r.schema_name);
			EXECUTE format('COMMENT ON POLICY %I ON public.%I IS %L', pol, template_name,
						   format('biwh: tenant reader %s reads schema %s', r.role_name, r.schema_name));
		END IF;
	END LOOP;
END
$$;

/*
 * Refuse to make a role a tenant reader ('tenant') when it would see every
 * tenant anyway, or an admin or BI reader ('all') when a tenant reader is a
 * member of it (and would then see every tenant).
 */
CREATE FUNCTION _wh.check_role_separation(role_name text, kind text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	other	text;
BEGIN
	IF kind = 'tenant' THEN
		IF (SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r WHERE r.rolname = check_role_separation.role_name) THEN
			RAISE EXCEPTION 'role "%" bypasses row-level security and cannot be a tenant reader', role_name
				USING ERRCODE = 'invalid_grant_operation',
					  HINT = 'Use a role that is neither a superuser nor BYPASSRLS.';
		END IF;
		SELECT g.role_name INTO other FROM _wh.role_grants g
		 WHERE to_regrole(quote_ident(g.role_name)) IS NOT NULL
		   AND pg_has_role(check_role_separation.role_name, g.role_name, 'MEMBER')
		 ORDER BY 1 LIMIT 1;
		IF other IS NOT NULL THEN
			RAISE EXCEPTION 'role "%" cannot be a tenant reader: it is warehouse admin or reader "%", or a member of it', role_name, other
				USING ERRCODE = 'invalid_grant_operation',
					  DETAIL = format('Role "%s" reads every tenant.', other),
					  HINT = 'Use a role of its own for each tenant reader.';
		END IF;
	ELSE
		SELECT tr.role_name INTO other FROM _wh.tenant_readers tr
		 WHERE to_regrole(quote_ident(tr.role_name)) IS NOT NULL
		   AND pg_has_role(tr.role_name, check_role_separation.role_name, 'MEMBER')
		 ORDER BY 1 LIMIT 1;
		IF other IS NOT NULL THEN
			RAISE EXCEPTION 'role "%" cannot read every tenant: tenant reader "%" is that role or a member of it', role_name, other
				USING ERRCODE = 'invalid_grant_operation',
					  DETAIL = format('Tenant reader "%s" would then read every tenant.', other),
					  HINT = format('Revoke the tenant reader first: SELECT _wh.revoke_tenant_reader(%L, <schema>).', other);
		END IF;
	END IF;
END
$$;

/*
 * Make a role a tenant reader of a schema: it reads the rows of that
 * schema, through public.<template> and <schema>.<template>, for every
 * template, now and for relations created later; nothing else (no other
 * schema, no daily piece, nothing in _wh).  A role may read several schemas.
 */
CREATE FUNCTION _wh.grant_tenant_reader(role_name text, schema_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	t	record;
BEGIN
	PERFORM _wh.check_role(role_name);
	PERFORM _wh.check_schema_name(schema_name);
	PERFORM _wh.check_role_separation(role_name, 'tenant');
	INSERT INTO _wh.tenant_readers AS tr (role_name, schema_name)
	VALUES (grant_tenant_reader.role_name, grant_tenant_reader.schema_name)
	ON CONFLICT ON CONSTRAINT tenant_readers_pkey DO NOTHING;
	FOR t IN SELECT r AS template_name FROM _wh.existing_roots() r
	LOOP
		PERFORM _wh.grant_roots(t.template_name,
								CASE WHEN to_regclass(format('%I.%I', grant_tenant_reader.schema_name, t.template_name)) IS NOT NULL
									 THEN grant_tenant_reader.schema_name END);
	END LOOP;
END
$$;

/* Undo _wh.grant_tenant_reader: the role no longer reads the schema */
CREATE FUNCTION _wh.revoke_tenant_reader(role_name text, schema_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	t			record;
	keeps_other	boolean;
BEGIN
	PERFORM _wh.check_role(role_name);
	DELETE FROM _wh.tenant_readers tr
	 WHERE tr.role_name = revoke_tenant_reader.role_name AND tr.schema_name = revoke_tenant_reader.schema_name;
	keeps_other := EXISTS (SELECT 1 FROM _wh.tenant_readers tr WHERE tr.role_name = revoke_tenant_reader.role_name);
	FOR t IN SELECT r AS template_name FROM _wh.existing_roots() r
			 UNION ALL SELECT r FROM _wh.rollup_roots(NULL) r
	LOOP
		EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I',
					   _wh.policy_name(role_name, schema_name), t.template_name);
		IF NOT keeps_other THEN
			EXECUTE format('REVOKE SELECT ON public.%I FROM %I', t.template_name, role_name);
		END IF;
		IF to_regclass(format('%I.%I', schema_name, t.template_name)) IS NOT NULL THEN
			EXECUTE format('REVOKE SELECT ON %I.%I FROM %I', schema_name, t.template_name, role_name);
		END IF;
	END LOOP;
	IF to_regnamespace(quote_ident(schema_name)) IS NOT NULL THEN
		EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM %I', schema_name, role_name);
	END IF;
END
$$;

/* The dblink functions whose EXECUTE biwh took from PUBLIC */
CREATE TABLE _wh.dblink_revoked (
	function	text PRIMARY KEY
);
COMMENT ON TABLE _wh.dblink_revoked IS 'dblink functions that CREATE EXTENSION biwh closed to PUBLIC, opened again by DROP EXTENSION biwh';

/*
 * Take EXECUTE on every dblink function away from PUBLIC, and record which
 * had it.  Run by CREATE EXTENSION biwh; run it again after ALTER EXTENSION
 * dblink UPDATE adds functions.  Returns how many were closed.
 */
CREATE FUNCTION _wh.revoke_dblink_from_public()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	f	record;
	n	integer := 0;
BEGIN
	FOR f IN SELECT p.oid::regprocedure::text AS sig
			   FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
			  WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass
				AND d.deptype = 'e'
				AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'dblink')
				AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
							 WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
			  ORDER BY 1
	LOOP
		EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f.sig);
		INSERT INTO _wh.dblink_revoked VALUES (f.sig) ON CONFLICT DO NOTHING;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

SELECT _wh.revoke_dblink_from_public();

/*
 * Give PUBLIC back EXECUTE on the dblink functions biwh took it from (run
 * by DROP EXTENSION biwh).  Returns how many.
 */
CREATE FUNCTION _wh.restore_dblink_grants()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	f	record;
	n	integer := 0;
BEGIN
	FOR f IN SELECT r.function FROM _wh.dblink_revoked r
			  WHERE to_regprocedure(r.function) IS NOT NULL ORDER BY 1
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f.function);
		n := n + 1;
	END LOOP;
	DELETE FROM _wh.dblink_revoked;
	RETURN n;
END
$$;

/*
 * Return the tenant schemas biwh created that exist: those fed by a unit,
 * holding pieces, or read by a tenant reader (a superuser owns them; see
 * _wh.check_tenant_schema).
 */
CREATE FUNCTION _wh.tenant_schemas()
RETURNS SETOF text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT DISTINCT x.schema_name FROM (
		SELECT u.schema_name FROM _wh.units u
		UNION SELECT p.schema_name FROM _wh.pieces p
		UNION SELECT tr.schema_name FROM _wh.tenant_readers tr) x
	  JOIN pg_namespace n ON n.nspname = x.schema_name
	 WHERE _wh.is_superuser(n.nspowner)
	 ORDER BY 1
$$;

/*
 * Run by DROP EXTENSION biwh (the event trigger below), before anything
 * is dropped.  Without CASCADE, refuse (dependent_objects_still_exist)
 * while the warehouse holds data or pg_cron jobs: PostgreSQL itself would
 * only see the columnar pieces, and leave the master relations, tenant
 * schemas and heap pieces, their policies and grants, and jobs calling
 * functions that no longer exist.  With CASCADE, remove them: biwh's
 * pg_cron jobs, the rollup and master relations the extension owner owns (with every
 * tenant relation and daily piece: their partitions), then the tenant
 * schemas left empty (one holding anything else is kept, with a notice);
 * so the roles given access hold nothing of biwh's any more and can be
 * dropped.  Then give PUBLIC back the dblink functions biwh took.
 */
CREATE FUNCTION _wh.drop_warehouse(cascade boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	roots	text[] := ARRAY(SELECT r FROM _wh.existing_roots() r
							 WHERE (SELECT c.relowner FROM pg_class c
									 WHERE c.oid = to_regclass(format('public.%I', r))) = _wh.owner());
	schemas	text[] := ARRAY(SELECT s FROM _wh.tenant_schemas() s);
	jobs	text[] := ARRAY(SELECT j.jobname FROM _wh.cron_jobs() j ORDER BY 1);
	rollups	text[] := ARRAY(SELECT r FROM _wh.rollup_roots(NULL) r
							 WHERE (SELECT c.relowner FROM pg_class c
									 WHERE c.oid = to_regclass(format('public.%I', r))) = _wh.owner());
	loc		record;
	x		text;
BEGIN
	IF NOT cascade AND (cardinality(roots) > 0 OR cardinality(schemas) > 0 OR cardinality(jobs) > 0) THEN
		RAISE EXCEPTION 'cannot drop extension biwh because the warehouse still holds data or schedules'
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = concat_ws(' ',
					CASE WHEN cardinality(roots) > 0 THEN format('Master relations: %s.',
						(SELECT string_agg(format('public.%I', r), ', ') FROM unnest(roots) r)) END,
					CASE WHEN cardinality(schemas) > 0 THEN format('Tenant schemas: %s.',
						(SELECT string_agg(format('%I', s), ', ') FROM unnest(schemas) s)) END,
					CASE WHEN cardinality(jobs) > 0 THEN format('pg_cron jobs: %s.', array_to_string(jobs, ', ')) END),
				  HINT = 'Use DROP EXTENSION biwh CASCADE to drop them with it (every tenant''s data), or drop them first.';
	END IF;
	IF cardinality(jobs) > 0 THEN
		loc := _wh.cron_location();
		FOREACH x IN ARRAY jobs LOOP
			PERFORM _wh.cron_remove(loc, x);
		END LOOP;
	END IF;
	-- the rollups' relations (their partitions are in the tenant schemas)
	FOREACH x IN ARRAY rollups LOOP
		EXECUTE format('DROP TABLE public.%I CASCADE', x);
	END LOOP;
	FOREACH x IN ARRAY roots LOOP
		EXECUTE format('DROP TABLE public.%I CASCADE', x);
	END LOOP;
	FOREACH x IN ARRAY schemas LOOP
		BEGIN
			EXECUTE format('DROP SCHEMA %I', x);
		EXCEPTION WHEN dependent_objects_still_exist THEN
			RAISE NOTICE 'schema "%" is kept: it holds objects that are not part of a master relation', x
				USING HINT = format('Drop what is left in it, then DROP SCHEMA %I.', x);
		END;
	END LOOP;
	PERFORM _wh.restore_dblink_grants();
END
$$;

CREATE FUNCTION _wh.drop_extension_event()
RETURNS event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'wh_drop_extension_event';

CREATE EVENT TRIGGER biwh_drop_extension ON ddl_command_start
	WHEN TAG IN ('DROP EXTENSION')
	EXECUTE FUNCTION _wh.drop_extension_event();

/* Nothing here runs for PUBLIC either */
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA _wh FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA _wh FROM PUBLIC;
