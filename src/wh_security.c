/*-------------------------------------------------------------------------
 *
 * wh_security.c
 *	  C helpers of the warehouse layer's security (declared in sql/install/
 *	  20_wh_0_trust.sql and 20_wh_4_security.sql): a statement-scoped store
 *	  for passwords on their way to _wh.tenant_secrets, a scanner that counts
 *	  SQL statements, an assignment-coercion test, and the event trigger
 *	  that gives dblink back to PUBLIC when biwh is dropped.
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
#include "catalog/pg_collation.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "parser/parse_coerce.h"
#include "parser/scanner.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/memutils.h"

#include "biwh.h"

PG_FUNCTION_INFO_V1(wh_secret_stash);
PG_FUNCTION_INFO_V1(wh_secret_take);
PG_FUNCTION_INFO_V1(wh_secret_clear);
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
 * Return the entry of a tenant, or NULL.
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
 * SQL: keep a tenant's password until its row is written (replacing one
 * kept before for the same tenant).
 */
Datum
wh_secret_stash(PG_FUNCTION_ARGS)
{
	char	   *tenant = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *password = text_to_cstring(PG_GETARG_TEXT_PP(1));
	PendingSecret *s = find_secret(tenant);
	MemoryContext old;

	if (s != NULL)
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
 * SQL: return the password kept for a tenant and forget it; NULL if none.
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
 * the extensions dropped, give PUBLIC back EXECUTE on the dblink functions
 * that CREATE EXTENSION biwh took it from (_wh.restore_dblink_grants()).
 */
Datum
wh_drop_extension_event(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	DropStmt   *stmt;
	ListCell   *lc;
	bool		dropping_biwh = false;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "wh_drop_extension_event must be called as an event trigger");
	trigdata = (EventTriggerData *) fcinfo->context;
	if (!IsA(trigdata->parsetree, DropStmt))
		PG_RETURN_VOID();
	stmt = (DropStmt *) trigdata->parsetree;
	if (stmt->removeType != OBJECT_EXTENSION)
		PG_RETURN_VOID();
	foreach(lc, stmt->objects)
	{
		if (strcmp(strVal(lfirst(lc)), "biwh") == 0)
			dropping_biwh = true;
	}
	if (!dropping_biwh)
		PG_RETURN_VOID();
	SPI_connect();
	if (SPI_execute("SELECT _wh.restore_dblink_grants()", false, 0) != SPI_OK_SELECT)
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
