/*-------------------------------------------------------------------------
 *
 * wh_security.c
 *	  C helpers of the warehouse layer's security (declared in sql/install/
 *	  20_wh_0_trust.sql and 20_wh_4_security.sql): a statement-scoped store
 *	  for passwords on their way to _wh.tenant_secrets, the check that a
 *	  tenant's source really asks for its password, a scanner that counts
 *	  SQL statements, an assignment-coercion test, and the event trigger
 *	  that cleans up and gives dblink back to PUBLIC when biwh is dropped.
 *
 * Passwords.  A password written into _wh.tenant_connections must reach
 * _wh.tenant_secrets only for rows really inserted or updated: an
 * INSERT ... ON CONFLICT DO NOTHING that inserts nothing must change
 * nothing, yet the BEFORE INSERT trigger runs before the conflict is found.
 * So the BEFORE ROW trigger hands the password to this store (backend
 * memory: never a table, a catalog or a setting, so nothing another role
 * or a later statement could read), and the AFTER ROW trigger, which runs
 * only for rows written, takes it out and stores it.  An AFTER STATEMENT
 * trigger clears what is left (rows that were not written), and so do the
 * end of the transaction and the abort of the subtransaction that stored
 * it.  Memory is zeroed when an entry is forgotten.  The SQL functions are
 * executable by the extension owner only.
 *
 * Entries are kept per row, in the order the rows were seen, and found by
 * tenant name (the primary key: the AFTER trigger sees the name the BEFORE
 * trigger saw).  A BEFORE INSERT adds an entry, even when one is kept for
 * the same tenant: in INSERT ... VALUES ('a', 'p1'), ('a', 'p2') ON
 * CONFLICT DO NOTHING only the first row is written, and it must get p1,
 * the oldest entry, which the AFTER trigger takes.  A BEFORE UPDATE
 * replaces the tenant's entries: in an upsert, the DO UPDATE's password
 * wins over the one its VALUES gave for the same row.
 *
 * Sources.  biwh calls dblink as the extension owner, a superuser, so
 * dblink's own rule for other users (the server must have asked for the
 * password) does not apply.  Yet a source that lets the connection in
 * without a password (trust, peer or ident, such as the warehouse server
 * itself on its local socket) would run the template as whatever user the
 * admin named, e.g. one that reads the secrets.  So before dblink connects,
 * wh_source_conninfo connects with the same string and checks with
 * PQconnectionUsedPassword that the server asked for the password; it then
 * returns the string pinned to the server it reached (host, hostaddr and
 * port of that connection), so dblink cannot reach another one through a
 * host list or a DNS name that changes in between.
 *
 * Statements.  A template, or a DirectQuery, must be one read-only
 * statement.  A semicolon may stand inside a string literal, a quoted
 * identifier, a dollar-quoted string or a comment, so statements are
 * counted with PostgreSQL's own lexer (core_yylex), not by searching for
 * ";".  Only the lexer runs: nothing is parsed, resolved or executed, so
 * the check is the same for every source version.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/xact.h"
#include "lib/stringinfo.h"
#include "libpq-fe.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "parser/parse_coerce.h"
#include "parser/scanner.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/formatting.h"
#include "utils/memutils.h"

#include "wh_security.h"

PG_FUNCTION_INFO_V1(wh_secret_stash);
PG_FUNCTION_INFO_V1(wh_secret_take);
PG_FUNCTION_INFO_V1(wh_secret_clear);
PG_FUNCTION_INFO_V1(wh_source_conninfo);
PG_FUNCTION_INFO_V1(wh_accept_invalidations);
PG_FUNCTION_INFO_V1(wh_scan_sql);
PG_FUNCTION_INFO_V1(wh_can_assign);
PG_FUNCTION_INFO_V1(wh_drop_extension_event);

/* one password waiting for its row to be written */
typedef struct PendingSecret
{
	char	   *tenant;
	char	   *password;
	SubTransactionId subid;		/* where it was stored */
} PendingSecret;

static List *pending_secrets = NIL;
static MemoryContext secrets_cxt = NULL;

/*
 * Zero and free one entry.
 */
static void
forget_secret(PendingSecret *s)
{
	explicit_bzero(s->password, strlen(s->password));
	pfree(s->password);
	pfree(s->tenant);
	pfree(s);
}

/*
 * Forget the entries stored in subtransaction subid or later ones (all when
 * subid is InvalidSubTransactionId).
 */
static void
forget_secrets_from(SubTransactionId subid)
{
	ListCell   *lc;

	foreach(lc, pending_secrets)
	{
		PendingSecret *s = lfirst(lc);

		if (subid == InvalidSubTransactionId || s->subid >= subid)
		{
			pending_secrets = foreach_delete_current(pending_secrets, lc);
			forget_secret(s);
		}
	}
	if (pending_secrets == NIL && secrets_cxt != NULL)
		MemoryContextReset(secrets_cxt);
}

/*
 * Return the oldest entry of a tenant, or NULL.
 */
static PendingSecret *
find_secret(const char *tenant)
{
	ListCell   *lc;

	foreach(lc, pending_secrets)
	{
		PendingSecret *s = lfirst(lc);

		if (strcmp(s->tenant, tenant) == 0)
			return s;
	}
	return NULL;
}

/*
 * SQL: keep a tenant's password until its row is written: after the ones
 * kept for other rows of the same tenant, or, when replace is true (an
 * UPDATE), instead of them.
 */
Datum
wh_secret_stash(PG_FUNCTION_ARGS)
{
	char	   *tenant = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *password = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		replace = PG_GETARG_BOOL(2);
	PendingSecret *s;
	MemoryContext old;

	while (replace && (s = find_secret(tenant)) != NULL)
	{
		pending_secrets = list_delete_ptr(pending_secrets, s);
		forget_secret(s);
	}
	if (secrets_cxt == NULL)
		secrets_cxt = AllocSetContextCreate(TopMemoryContext, "biwh pending secrets",
											ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(secrets_cxt);
	s = palloc(sizeof(PendingSecret));
	s->tenant = pstrdup(tenant);
	s->password = pstrdup(password);
	s->subid = GetCurrentSubTransactionId();
	pending_secrets = lappend(pending_secrets, s);
	MemoryContextSwitchTo(old);
	explicit_bzero(password, strlen(password));
	PG_RETURN_VOID();
}

/*
 * SQL: return the oldest password kept for a tenant and forget it; NULL if
 * none.
 */
Datum
wh_secret_take(PG_FUNCTION_ARGS)
{
	char	   *tenant = text_to_cstring(PG_GETARG_TEXT_PP(0));
	PendingSecret *s = find_secret(tenant);
	text	   *result;

	if (s == NULL)
		PG_RETURN_NULL();
	result = cstring_to_text(s->password);
	pending_secrets = list_delete_ptr(pending_secrets, s);
	forget_secret(s);
	PG_RETURN_TEXT_P(result);
}

/*
 * SQL: forget every password kept (the end of the statement).
 */
Datum
wh_secret_clear(PG_FUNCTION_ARGS)
{
	forget_secrets_from(InvalidSubTransactionId);
	PG_RETURN_VOID();
}

/*
 * Forget kept passwords when the transaction ends.
 */
static void
secrets_xact_callback(XactEvent event, void *arg)
{
	if (pending_secrets != NIL &&
		(event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		 event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_ABORT))
		forget_secrets_from(InvalidSubTransactionId);
}

/*
 * Forget the passwords kept in a subtransaction that aborts.
 */
static void
secrets_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && pending_secrets != NIL)
		forget_secrets_from(mySubid);
}

/*
 * Append keyword='value' to a libpq connection string, the value quoted as
 * libpq reads it (a backslash before every quote and backslash).
 */
static void
append_conninfo(StringInfo buf, const char *keyword, const char *value)
{
	const char *p;

	if (buf->len > 0)
		appendStringInfoChar(buf, ' ');
	appendStringInfo(buf, "%s='", keyword);
	for (p = value; *p != '\0'; p++)
	{
		if (*p == '\'' || *p == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '\'');
}

/*
 * SQL: connect to a tenant's source with its connection string and check
 * that the server asked for the password (see the banner); return the
 * string pinned to the host, address and port reached.  A connection that
 * fails raises what dblink_connect would; the password is in no message.
 */
Datum
wh_source_conninfo(PG_FUNCTION_ARGS)
{
	char	   *tenant = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *conninfo = text_to_cstring(PG_GETARG_TEXT_PP(1));
	PGconn	   *volatile conn = NULL;
	PQconninfoOption *volatile options = NULL;
	StringInfoData buf;
	text	   *result;

	initStringInfo(&buf);
	if (!AcquireExternalFD())
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not establish connection"),
				 errdetail("There are too many open files on the local server."),
				 errhint("Raise the server's max_files_per_process and/or \"ulimit -n\" limits.")));
	PG_TRY();
	{
		PQconninfoOption *o;
		const char *hostaddr;

		conn = PQconnectdb(conninfo);
		if (conn == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Could not allocate a connection to the source of tenant \"%s\".", tenant)));
		if (PQstatus(conn) != CONNECTION_OK)
			ereport(ERROR,
					(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
					 errmsg("could not establish connection"),
					 errdetail_internal("%s", pchomp(PQerrorMessage(conn)))));
		if (!PQconnectionUsedPassword(conn))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
					 errmsg("the source of tenant \"%s\" did not ask for its password", tenant),
					 errdetail("Server \"%s\" port %s let user \"%s\" in without a password (trust, peer or ident authentication); "
							   "biwh connects as the extension owner, a superuser, so it only runs queries where the stored password was checked.",
							   PQhost(conn), PQport(conn), PQuser(conn)),
					 errhint("Connect as a role that the source server authenticates with its password (md5 or scram-sha-256 in its pg_hba.conf).")));

		options = PQconninfoParse(conninfo, NULL);
		if (options == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Could not read the connection string of tenant \"%s\".", tenant)));
		for (o = options; o->keyword != NULL; o++)
		{
			if (o->val == NULL || strcmp(o->keyword, "host") == 0 ||
				strcmp(o->keyword, "hostaddr") == 0 || strcmp(o->keyword, "port") == 0)
				continue;
			append_conninfo(&buf, o->keyword, o->val);
		}
		append_conninfo(&buf, "host", PQhost(conn));
		hostaddr = PQhostaddr(conn);
		if (hostaddr != NULL && hostaddr[0] != '\0')
			append_conninfo(&buf, "hostaddr", hostaddr);
		append_conninfo(&buf, "port", PQport(conn));
	}
	PG_FINALLY();
	{
		if (options != NULL)
		{
			PQconninfoOption *o;

			for (o = options; o->keyword != NULL; o++)
				if (o->val != NULL)
					explicit_bzero(o->val, strlen(o->val));
			PQconninfoFree(options);
		}
		if (conn != NULL)
			PQfinish(conn);
		ReleaseExternalFD();
		explicit_bzero(conninfo, strlen(conninfo));
	}
	PG_END_TRY();

	result = cstring_to_text(buf.data);
	explicit_bzero(buf.data, buf.len);
	pfree(buf.data);
	PG_RETURN_TEXT_P(result);
}

/*
 * SQL: scan a query with PostgreSQL's lexer.  Returns the number of
 * non-empty statements, the first word of the first one (lower case; "("
 * for a parenthesized query, NULL when it does not begin with a word), and
 * the query without the semicolons that end it.  An unterminated literal
 * or comment is a syntax_error.
 */
Datum
wh_scan_sql(PG_FUNCTION_ARGS)
{
	char	   *query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			statements = 0;
	bool		in_statement = false;
	int			trailing = -1;	/* first ";" after the last other token */
	char	   *first_word = NULL;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	MemoryContext cxt = CurrentMemoryContext;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	PG_TRY();
	{
		int			token;

		scanner = scanner_init(query, &yyextra, &ScanKeywords, ScanKeywordTokens);
		while ((token = core_yylex(&yylval, &yylloc, scanner)) != 0)
		{
			if (token == ';')
			{
				in_statement = false;
				if (trailing < 0)
					trailing = yylloc;
				continue;
			}
			trailing = -1;
			if (in_statement)
				continue;
			in_statement = true;
			if (++statements == 1)
			{
				const char *p = query + yylloc;
				int			n = 0;

				if (*p == '(')
					first_word = pstrdup("(");
				else
				{
					while (isalnum((unsigned char) p[n]) || p[n] == '_')
						n++;
					if (n > 0 && !isdigit((unsigned char) p[0]))
						first_word = str_tolower(p, n, C_COLLATION_OID);
				}
			}
		}
		scanner_finish(scanner);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("could not read the query: %s", edata->message),
				 errhint("Check that every quoted string, quoted identifier and comment is closed.")));
	}
	PG_END_TRY();

	if (trailing >= 0)
		query[trailing] = '\0';
	values[0] = Int32GetDatum(statements);
	if (first_word != NULL)
		values[1] = CStringGetTextDatum(first_word);
	else
		nulls[1] = true;
	values[2] = CStringGetTextDatum(query);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * SQL: read the catalog invalidations that other sessions have committed,
 * so the next lookups see their relations and schemas (a wait for an
 * advisory lock does not do it, unlike one for a relation lock).
 */
Datum
wh_accept_invalidations(PG_FUNCTION_ARGS)
{
	AcceptInvalidationMessages();
	PG_RETURN_VOID();
}

/*
 * SQL: whether a value of type source can be stored in a column of type
 * target (an assignment coercion exists, as INSERT would apply).  Only
 * reads pg_cast and pg_type: no function runs.
 */
Datum
wh_can_assign(PG_FUNCTION_ARGS)
{
	Oid			source = PG_GETARG_OID(0);
	Oid			target = PG_GETARG_OID(1);

	PG_RETURN_BOOL(can_coerce_type(1, &source, &target, COERCION_ASSIGNMENT));
}

/*
 * Event trigger on ddl_command_start of DROP EXTENSION: when biwh is among
 * the extensions dropped (or dblink, with CASCADE, which drops biwh too),
 * run _wh.drop_warehouse(cascade): without CASCADE it refuses while the
 * warehouse holds data; with CASCADE it drops the warehouse's relations,
 * tenant schemas and pg_cron jobs; then it gives PUBLIC back EXECUTE on
 * the dblink functions that CREATE EXTENSION biwh took it from.
 */
Datum
wh_drop_extension_event(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	DropStmt   *stmt;
	ListCell   *lc;
	bool		dropping_biwh = false;
	bool		cascade;
	Oid			argtypes[1] = {BOOLOID};
	Datum		values[1];

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "wh_drop_extension_event must be called as an event trigger");
	trigdata = (EventTriggerData *) fcinfo->context;
	if (!IsA(trigdata->parsetree, DropStmt))
		PG_RETURN_VOID();
	stmt = (DropStmt *) trigdata->parsetree;
	if (stmt->removeType != OBJECT_EXTENSION)
		PG_RETURN_VOID();
	cascade = (stmt->behavior == DROP_CASCADE);
	foreach(lc, stmt->objects)
	{
		const char *name = strVal(lfirst(lc));

		if (strcmp(name, "biwh") == 0 || (cascade && strcmp(name, "dblink") == 0))
			dropping_biwh = true;
	}
	if (!dropping_biwh)
		PG_RETURN_VOID();
	values[0] = BoolGetDatum(cascade);
	SPI_connect();
	/* a database whose biwh SQL predates drop_warehouse only gives dblink back */
	if (SPI_execute("SELECT 1 WHERE pg_catalog.to_regprocedure('_wh.drop_warehouse(boolean)') IS NOT NULL",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not look up _wh.drop_warehouse");
	if (SPI_processed > 0)
	{
		if (SPI_execute_with_args("SELECT _wh.drop_warehouse($1)", 1, argtypes, values, NULL,
								  false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not run _wh.drop_warehouse");
	}
	else if (SPI_execute("SELECT _wh.restore_dblink_grants()", false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not give dblink back to PUBLIC");
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * Register the transaction callbacks of the password store.
 */
void
WhSecurityInit(void)
{
	RegisterXactCallback(secrets_xact_callback, NULL);
	RegisterSubXactCallback(secrets_subxact_callback, NULL);
}
