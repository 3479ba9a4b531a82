/*
 * 20_wh_0_trust.sql: what the warehouse layer's privileged code may trust
 *
 * The loaders and the triggers of _wh run as the extension owner (a
 * superuser: SECURITY DEFINER), called by the warehouse admin, who is
 * trusted to run the warehouse but not with credentials nor with the
 * superuser's power.  So nothing they resolve or run may be an object that
 * a non-superuser can create or replace (DESIGN.md, "Trust boundary"):
 *
 * - search_path is "pg_catalog, pg_temp" in every function: functions and
 *   operators are then looked up in pg_catalog only (PostgreSQL never
 *   searches pg_temp for them), relations and types in pg_catalog first,
 *   and every other relation is named with its schema;
 * - a template's column types must be trusted (_wh.untrusted_type): types
 *   of pg_catalog, or types owned by a superuser in a schema owned by a
 *   superuser, with every type and function they are built from (element,
 *   base, range subtype, attribute, constraint and default) trusted too, so
 *   a temporary domain whose CHECK calls a function of the admin's is
 *   refused, and the refusal is checked again at every load;
 * - the schemas that hold tenant data must be owned by a superuser, with
 *   CREATE for nobody else (_wh.check_tenant_schema), and every relation a
 *   loader uses must be owned by the extension owner (_wh.check_owned):
 *   otherwise their owners could add triggers, defaults, indexes, rules or
 *   policies, or swap in views, that the loaders would run;
 * - dblink is called with arguments of exact types, so an overload that
 *   someone adds in schema public can never be chosen.
 *
 * - every connection to a tenant's source must have used its stored
 *   password (_wh.source_conninfo): dblink applies that rule to other users
 *   only, and the loaders call it as the extension owner.
 *
 * The C helpers of wh_security.c are declared here too: the statement-scoped
 * store that carries a password from the BEFORE trigger of
 * _wh.tenant_connections to its AFTER trigger, the password check of
 * sources, the SQL statement scanner, and the assignment-coercion test.
 */

/* The password store (see src/wh_security.c): the extension owner only */
CREATE FUNCTION _wh.secret_stash(tenant_name text, password text, replace boolean)
RETURNS void
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'wh_secret_stash';

CREATE FUNCTION _wh.secret_take(tenant_name text)
RETURNS text
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'wh_secret_take';

CREATE FUNCTION _wh.secret_clear()
RETURNS void
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'wh_secret_clear';

/*
 * Connect to a tenant's source with its connection string, refuse it
 * (invalid_authorization_specification) unless the server asked for the
 * password, and return the string pinned to the server reached, for
 * dblink_connect (see src/wh_security.c).  The extension owner only.
 */
CREATE FUNCTION _wh.source_conninfo(tenant_name text, conninfo text)
RETURNS text
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'wh_source_conninfo';

/* Read the catalog invalidations other sessions committed (see _wh.lock_trees) */
CREATE FUNCTION _wh.accept_invalidations()
RETURNS void
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'wh_accept_invalidations';

/*
 * Scan a query with PostgreSQL's lexer: its number of statements, its first
 * word, and its text without the semicolons that end it.
 */
CREATE FUNCTION _wh.scan_sql(query text, OUT statements integer, OUT first_word text, OUT body text)
RETURNS record
LANGUAGE C STRICT STABLE
AS 'MODULE_PATHNAME', 'wh_scan_sql';

/* Whether a value of type source may be stored in a column of type target */
CREATE FUNCTION _wh.can_assign(source regtype, target regtype)
RETURNS boolean
LANGUAGE C STRICT STABLE
AS 'MODULE_PATHNAME', 'wh_can_assign';

/*
 * Check that a query is one read-only statement (its first word SELECT,
 * WITH, VALUES, TABLE or a parenthesis); what names it in the errors
 * ("the direct query", "the query of template "x"").  Returns the statement without the
 * semicolons that end it.  Semicolons inside literals, quoted identifiers,
 * dollar quotes and comments are part of the statement.
 */
CREATE FUNCTION _wh.check_read_statement(query text, what text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET standard_conforming_strings = on
AS $$
DECLARE
	s	record;
BEGIN
	IF query IS NULL THEN
		RAISE EXCEPTION '% must not be null', what
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Give one SELECT statement.';
	END IF;
	s := _wh.scan_sql(query);
	IF s.statements = 0 THEN
		RAISE EXCEPTION '% is empty', what
			USING ERRCODE = 'syntax_error',
				  HINT = 'Give one SELECT statement.';
	END IF;
	IF s.statements > 1 THEN
		RAISE EXCEPTION '% has % statements', what, s.statements
			USING ERRCODE = 'syntax_error',
				  DETAIL = 'Only one statement is run, in a read-only transaction at the source.',
				  HINT = 'Remove the semicolons between statements (a semicolon inside a quoted string is fine).';
	END IF;
	IF s.first_word IS NULL OR s.first_word NOT IN ('select', 'with', 'values', 'table', '(') THEN
		RAISE EXCEPTION '% is not a read-only query', what
			USING ERRCODE = 'read_only_sql_transaction',
				  DETAIL = format('It begins with %s; only SELECT, WITH, VALUES and TABLE queries are run, in a read-only transaction at the source.',
								  coalesce(upper(s.first_word), 'something else than a keyword')),
				  HINT = 'Write a SELECT query.';
	END IF;
	RETURN s.body;
END
$$;

/* Return whether a role is a superuser (pg_database_owner: the database's owner) */
CREATE FUNCTION _wh.is_superuser(role oid)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce((SELECT r.rolsuper FROM pg_roles r
					  WHERE r.oid = CASE WHEN role = 'pg_database_owner'::regrole
										 THEN (SELECT d.datdba FROM pg_database d
												WHERE d.datname = current_database())
										 ELSE role END), false)
$$;

/* Return the extension owner (the role the SECURITY DEFINER functions run as) */
CREATE FUNCTION _wh.owner()
RETURNS oid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT e.extowner FROM pg_extension e WHERE e.extname = 'biwh'
$$;

/*
 * Return why a type may not be a template column type, or NULL when it is
 * trusted: the type, and every type and function it is built from (array
 * element, domain base, range subtype, composite attribute, the functions
 * and operators of its constraints and default, its I/O functions), must
 * be owned by a superuser, in pg_catalog or a schema owned by a superuser,
 * and not temporary.  The types of the core system (oid below 16384, all
 * in pg_catalog) are trusted at once.
 */
CREATE FUNCTION _wh.untrusted_type(typ oid)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	closure	oid[];
	cur		record;
	fn		record;
BEGIN
	IF typ < 16384 THEN
		IF (SELECT t.typtype FROM pg_type t WHERE t.oid = typ) = 'p' THEN
			RETURN format('Type %s is a pseudo-type.', typ::regtype);
		END IF;
		RETURN NULL;
	END IF;
	-- the type and every type it is built from (core types end the walk)
	WITH RECURSIVE types(oid) AS (
		SELECT typ
		UNION
		SELECT x.oid
		  FROM types t JOIN pg_type ty ON ty.oid = t.oid
		 CROSS JOIN LATERAL (
			SELECT unnest(ARRAY[ty.typelem, ty.typbasetype,
								(SELECT r.rngsubtype FROM pg_range r WHERE r.rngtypid = ty.oid),
								(SELECT r.rngtypid FROM pg_range r WHERE r.rngmultitypid = ty.oid)]
						  || ARRAY(SELECT a.atttypid FROM pg_attribute a
									WHERE a.attrelid = ty.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
						  || ARRAY(SELECT d.refobjid FROM pg_depend d
									WHERE d.refclassid = 'pg_type'::regclass
									  AND ((d.classid = 'pg_type'::regclass AND d.objid = ty.oid)
										   OR (d.classid = 'pg_constraint'::regclass
											   AND d.objid IN (SELECT c.oid FROM pg_constraint c
																WHERE c.contypid = ty.oid))))) AS oid
		 ) x
		 WHERE x.oid <> 0 AND t.oid >= 16384
	)
	SELECT array_agg(t.oid) INTO closure FROM types t;

	FOR cur IN SELECT t.oid, CASE WHEN n.nspname ~ '^pg_(toast_)?temp_' THEN 'pg_temp.' || quote_ident(t.typname)
										 ELSE t.oid::regtype::text END AS name, t.typtype, t.typowner, n.nspname, n.nspowner
				FROM unnest(closure) c(oid) JOIN pg_type t ON t.oid = c.oid
				JOIN pg_namespace n ON n.oid = t.typnamespace
			   ORDER BY t.oid
	LOOP
		IF cur.nspname ~ '^pg_(toast_)?temp_' THEN
			RETURN format('Type %s is temporary.', cur.name);
		ELSIF NOT _wh.is_superuser(cur.typowner) THEN
			RETURN format('Type %s is owned by role "%s", not by a superuser.', cur.name, cur.typowner::regrole);
		ELSIF cur.nspname <> 'pg_catalog' AND NOT _wh.is_superuser(cur.nspowner) THEN
			RETURN format('Type %s lives in schema "%s", which role "%s" owns, not a superuser.',
						  cur.name, cur.nspname, cur.nspowner::regrole);
		ELSIF cur.typtype = 'p' THEN
			RETURN format('Type %s is a pseudo-type.', cur.name);
		END IF;
		IF cur.oid < 16384 THEN
			CONTINUE;
		END IF;
		-- its I/O functions, and those of its constraints and default
		FOR fn IN SELECT DISTINCT p.oid::regprocedure AS name, p.proowner
				   FROM pg_type t
				  CROSS JOIN LATERAL unnest(ARRAY[t.typinput, t.typoutput, t.typreceive, t.typsend,
												  t.typmodin, t.typmodout, t.typanalyze, t.typsubscript,
												  (SELECT r.rngcanonical FROM pg_range r WHERE r.rngtypid = t.oid),
												  (SELECT r.rngsubdiff FROM pg_range r WHERE r.rngtypid = t.oid)]::oid[]
										|| ARRAY(SELECT CASE d.refclassid WHEN 'pg_proc'::regclass THEN d.refobjid
															 ELSE (SELECT o.oprcode::oid FROM pg_operator o WHERE o.oid = d.refobjid) END
												   FROM pg_depend d
												  WHERE d.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass)
													AND ((d.classid = 'pg_type'::regclass AND d.objid = t.oid)
														 OR (d.classid = 'pg_constraint'::regclass
															 AND d.objid IN (SELECT c.oid FROM pg_constraint c
																			  WHERE c.contypid = t.oid))))) AS u(oid)
				   JOIN pg_proc p ON p.oid = u.oid
				  WHERE t.oid = cur.oid
				  ORDER BY 1
		LOOP
			IF NOT _wh.is_superuser(fn.proowner) THEN
				RETURN format('Type %s runs function %s, which role "%s" owns, not a superuser.',
							  cur.name, fn.name, fn.proowner::regrole);
			END IF;
		END LOOP;
	END LOOP;
	RETURN NULL;
END
$$;

/*
 * Check that a schema may hold tenant data: if it exists, a superuser owns
 * it and nobody but superusers may create objects in it (so nobody else
 * can put there, or take away, what the loaders use).  Returns the name.
 */
CREATE FUNCTION _wh.check_tenant_schema(schema_name text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	n		record;
	creator	text;
BEGIN
	SELECT ns.oid, ns.nspowner, ns.nspacl INTO n FROM pg_namespace ns WHERE ns.nspname = schema_name;
	IF NOT FOUND THEN
		RETURN schema_name;
	END IF;
	IF NOT _wh.is_superuser(n.nspowner) THEN
		RAISE EXCEPTION 'schema "%" is owned by role "%", not by a superuser', schema_name, n.nspowner::regrole
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The loaders run as the extension owner: the owner of a tenant schema could put objects there that they would run.',
				  HINT = format('Let biwh create the schema (drop it first), or run ALTER SCHEMA %I OWNER TO a superuser.', schema_name);
	END IF;
	SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END INTO creator
	  FROM aclexplode(n.nspacl) a
	 WHERE a.privilege_type = 'CREATE' AND (a.grantee = 0 OR NOT _wh.is_superuser(a.grantee))
	 LIMIT 1;
	IF creator IS NOT NULL THEN
		RAISE EXCEPTION 'role "%" may create objects in schema "%"', creator, schema_name
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The loaders run as the extension owner: objects others create in a tenant schema could be run by them.',
				  HINT = format('REVOKE CREATE ON SCHEMA %I FROM %s.', schema_name, creator);
	END IF;
	RETURN schema_name;
END
$$;

/*
 * Check that an existing relation is owned by the extension owner (only
 * then have nothing but superusers given it triggers, defaults, indexes,
 * rules or policies); what names it in the error.  Returns it.
 */
CREATE FUNCTION _wh.check_owned(rel regclass, what text)
RETURNS regclass
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	own	oid;
BEGIN
	SELECT c.relowner INTO own FROM pg_class c WHERE c.oid = rel;
	IF own IS DISTINCT FROM _wh.owner() THEN
		RAISE EXCEPTION 'relation "%" is not a biwh % (it is owned by role "%")', rel::text, what, own::regrole
			USING ERRCODE = 'duplicate_table',
				  DETAIL = 'The loaders only use relations that the extension owner created.',
				  HINT = 'Drop or rename it, then try again.';
	END IF;
	RETURN rel;
END
$$;
