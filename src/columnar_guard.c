/*-------------------------------------------------------------------------
 *
 * columnar_guard.c
 *	  Commands on columnar tables that biwh refuses before they start, so
 *	  that a refusal leaves nothing behind: publishing columnar tables for
 *	  logical replication, and index access methods other than B-tree and
 *	  hash.
 *
 * Logical replication: columnar rows live in pages written with generic
 * WAL, which logical decoding cannot turn into row changes, so a
 * subscriber would silently lack them.  biwh refuses instead:
 *	- CREATE PUBLICATION ... FOR TABLE and ALTER PUBLICATION ... ADD / SET
 *	  TABLE naming a columnar table, or a partitioned table with a columnar
 *	  partition, fail before the publication is changed;
 *	- a write (INSERT, COPY, CREATE TABLE AS ...) to a columnar table that a
 *	  publication covers anyway (FOR ALL TABLES, FOR TABLES IN SCHEMA, a
 *	  published parent it was attached to) fails (ColumnarCheckNotPublished,
 *	  called by the table AM).  Rewrites of such a table (VACUUM FULL, ALTER
 *	  TABLE) write into a transient table and are allowed.
 * The row-group catalog is never shipped as if it were user data: its rows
 * are inserted without logical-decoding payload and deleted without an old
 * key (see 10_columnar.sql).
 *
 * REFRESH MATERIALIZED VIEW CONCURRENTLY of a columnar materialized view
 * runs as a plain refresh (see refresh_in_place).
 *
 * Indexes: the table AM builds B-tree and hash indexes (and whatever else
 * uses only index_build_range_scan and TIDs would work, but is not tested),
 * BRIN needs block ranges of the table that columnar TIDs do not map to.
 * Refusing in the build would be too late for CREATE INDEX CONCURRENTLY,
 * which commits an invalid index before it builds.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "access/xact.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "columnar_guard.h"
#include "columnar_storage.h"
#include "columnar_writer.h"

PG_FUNCTION_INFO_V1(columnar_guard_event);

static ProcessUtility_hook_type prev_process_utility_hook = NULL;

static bool refresh_in_place(RefreshMatViewStmt *stmt);

/* the utility hook checked the statement: the event trigger stands by */
static bool in_guard_hook = false;

/*
 * Return a columnar relation among relid and its partitions, or InvalidOid.
 */
static Oid
columnar_member(Oid relid)
{
	char		relkind = get_rel_relkind(relid);
	List	   *rels;
	ListCell   *lc;
	Oid			found = InvalidOid;

	if (relkind != RELKIND_PARTITIONED_TABLE)
		return ColumnarIsColumnarRelid(relid) ? relid : InvalidOid;
	rels = find_all_inheritors(relid, NoLock, NULL);
	foreach(lc, rels)
	{
		if (ColumnarIsColumnarRelid(lfirst_oid(lc)))
		{
			found = lfirst_oid(lc);
			break;
		}
	}
	list_free(rels);
	return found;
}

/*
 * Refuse a publication list naming a columnar table.
 */
static void
check_publication_objects(List *pubobjects)
{
	ListCell   *lc;

	foreach(lc, pubobjects)
	{
		PublicationObjSpec *obj = lfirst(lc);
		Oid			relid;
		Oid			member;

		if (obj->pubobjtype != PUBLICATIONOBJ_TABLE || obj->pubtable == NULL)
			continue;
		relid = RangeVarGetRelid(obj->pubtable->relation, NoLock, true);
		if (!OidIsValid(relid))
			continue;			/* PostgreSQL says it does not exist */
		member = columnar_member(relid);
		if (OidIsValid(member))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot publish columnar table \"%s\"",
							get_rel_name(member)),
					 errdetail("Logical replication does not carry the rows of columnar tables."),
					 errhint("Publish a heap copy of the table, or replicate the whole cluster with streaming replication.")));
	}
}

/*
 * Refuse an index access method the columnar table AM cannot serve.
 */
static void
check_index(IndexStmt *stmt)
{
	Oid			relid;
	Oid			member;

	if (stmt->accessMethod == NULL ||
		strcmp(stmt->accessMethod, "btree") == 0 ||
		strcmp(stmt->accessMethod, "hash") == 0)
		return;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid))
		return;
	member = columnar_member(relid);
	if (OidIsValid(member))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("index access method \"%s\" is not supported on columnar tables",
						stmt->accessMethod),
				 errdetail("Table \"%s\" is columnar; columnar tables take B-tree and hash indexes.",
						   get_rel_name(member)),
				 errhint("Use a B-tree or hash index.")));
}

/*
 * Return whether REFRESH MATERIALIZED VIEW CONCURRENTLY of a columnar
 * materialized view must run as a plain refresh: the concurrent one
 * deletes the rows that changed, which a columnar table cannot do; the
 * plain one writes a new copy and swaps it in (readers wait for it).  The
 * conditions of CONCURRENTLY still hold: the view must be populated and
 * have a unique index without a WHERE clause.
 */
static bool
refresh_in_place(RefreshMatViewStmt *stmt)
{
	Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	Relation	rel;
	bool		populated;

	if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_MATVIEW ||
		!ColumnarIsColumnarRelid(relid))
		return false;
	rel = table_open(relid, AccessShareLock);
	populated = RelationIsPopulated(rel);
	if (populated)
	{
		List	   *indexes = RelationGetIndexList(rel);
		ListCell   *lc;
		bool		unique = false;

		/* PostgreSQL's condition for CONCURRENTLY: a plain unique index */
		foreach(lc, indexes)
		{
			Relation	index = index_open(lfirst_oid(lc), AccessShareLock);

			if (index->rd_index->indisunique && index->rd_index->indimmediate &&
				index->rd_index->indisvalid &&
				heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL))
				unique = true;
			index_close(index, AccessShareLock);
		}
		list_free(indexes);
		populated = unique;
	}
	table_close(rel, NoLock);
	if (!populated)
		return false;			/* PostgreSQL says what CONCURRENTLY needs */
	if (stmt->skipData)
		return false;			/* PostgreSQL refuses WITH NO DATA */
	return true;
}

/*
 * Refuse writes to a columnar table that a publication covers.
 */
void
ColumnarCheckNotPublished(Relation rel)
{
	PublicationDesc pubdesc;

	if (OidIsValid(rel->rd_rel->relrewrite) ||
		rel->rd_rel->relpersistence != RELPERSISTENCE_PERMANENT)
		return;
	RelationBuildPublicationDesc(rel, &pubdesc);
	if (pubdesc.pubactions.pubinsert)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot write to columnar table \"%s\": it is published for logical replication",
						RelationGetRelationName(rel)),
				 errdetail("Logical replication does not carry the rows of columnar tables; a subscriber would miss them."),
				 errhint("Leave the table out of the publication (publish tables FOR TABLE rather than FOR ALL TABLES or FOR TABLES IN SCHEMA), or use a heap table.")));
}

/*
 * Check a statement before it runs.
 */
static void
check_statement(Node *parsetree)
{
	if (IsA(parsetree, CreatePublicationStmt))
		check_publication_objects(((CreatePublicationStmt *) parsetree)->pubobjects);
	else if (IsA(parsetree, AlterPublicationStmt))
	{
		AlterPublicationStmt *stmt = (AlterPublicationStmt *) parsetree;

		if (stmt->action != AP_DropObjects)
			check_publication_objects(stmt->pubobjects);
	}
	else if (IsA(parsetree, IndexStmt))
		check_index((IndexStmt *) parsetree);
}

/*
 * Event trigger on ddl_command_start: the checks, in a backend that loaded
 * the library only now.
 */
Datum
columnar_guard_event(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "columnar_guard_event must be called as an event trigger");
	trigdata = (EventTriggerData *) fcinfo->context;
	if (in_guard_hook)
		PG_RETURN_VOID();
	if (IsA(trigdata->parsetree, RefreshMatViewStmt))
	{
		RefreshMatViewStmt *stmt = (RefreshMatViewStmt *) trigdata->parsetree;

		/* the statement runs from this very tree, as the options' triggers */
		if (stmt->concurrent && refresh_in_place(stmt))
			stmt->concurrent = false;
	}
	else
		check_statement(trigdata->parsetree);
	PG_RETURN_VOID();
}

static void
guard_process_utility(PlannedStmt *pstmt, const char *queryString,
					  bool readOnlyTree, ProcessUtilityContext context,
					  ParamListInfo params, QueryEnvironment *queryEnv,
					  DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	bool		save = in_guard_hook;

	if (IsTransactionState() &&
		(IsA(parsetree, CreatePublicationStmt) || IsA(parsetree, AlterPublicationStmt) ||
		 IsA(parsetree, IndexStmt)) &&
		OidIsValid(get_extension_oid("biwh", true)))
	{
		check_statement(parsetree);
		in_guard_hook = true;
	}
	else if (IsA(parsetree, RefreshMatViewStmt) && IsTransactionState() &&
			 ((RefreshMatViewStmt *) parsetree)->concurrent &&
			 refresh_in_place((RefreshMatViewStmt *) parsetree))
	{
		pstmt = copyObject(pstmt);
		((RefreshMatViewStmt *) pstmt->utilityStmt)->concurrent = false;
		readOnlyTree = false;
	}
	if (IsA(parsetree, RefreshMatViewStmt))
		in_guard_hook = true;

	/*
	 * Statements that may build indexes: the rows this backend buffers go
	 * to row groups first, which parallel workers of the build can read
	 */
	if ((IsA(parsetree, IndexStmt) || IsA(parsetree, AlterTableStmt) ||
		 IsA(parsetree, ReindexStmt)) && IsTransactionState() &&
		ColumnarHasPendingRows(InvalidOid, NULL))
		ColumnarFlushSubxact();
	PG_TRY();
	{
		if (prev_process_utility_hook)
			prev_process_utility_hook(pstmt, queryString, readOnlyTree, context,
									  params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		in_guard_hook = save;
	}
	PG_END_TRY();
}

/*
 * Register the utility hook of the guard.
 */
void
ColumnarGuardInit(void)
{
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = guard_process_utility;
}
