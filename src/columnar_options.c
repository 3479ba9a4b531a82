/*-------------------------------------------------------------------------
 *
 * columnar_options.c
 *	  Per-table options of columnar tables (compression, compression_level,
 *	  row_group_size, sort_key), kept in pg_class.reloptions.
 *
 * The options live where PostgreSQL keeps every storage parameter: in the
 * table's pg_class.reloptions, so pg_dump writes them back as
 * CREATE TABLE ... WITH (compression='zstd', ...), \d+ shows them, and a
 * restore (psql, pg_restore, pg_upgrade) sets them again before COPY loads
 * the rows.  pg_class is the one source of truth.
 *
 * PostgreSQL 15 validates the storage parameters of every table with
 * heap's validator, which rejects ours.  So an event trigger on
 * ddl_command_start takes them out of CREATE TABLE ... WITH (...),
 * CREATE TABLE AS, CREATE MATERIALIZED VIEW and ALTER TABLE SET / RESET
 * (validating them), and ddl_command_end writes them into pg_class itself.
 * ALTER TABLE SET / RESET also validates the options a table already has,
 * so while such a statement runs the columnar ones are out of pg_class: they
 * are held in "pending" (which ColumnarReadOptions consults, for rewrites
 * in the same statement) and written back, merged, at its end.  An error
 * rolls the catalog back with the statement.
 *
 * The same work is done by a utility hook once the library is loaded (the
 * event triggers then stand by): pg_upgrade's schema dump creates the event
 * triggers last, after the tables, but creating the extension's C functions
 * before them has loaded the library.
 *
 * Rewrites (VACUUM FULL, CLUSTER, REFRESH, ALTER TABLE) copy reloptions to
 * the transient table, which therefore writes with the table's options.
 * ALTER TABLE ... SET ACCESS METHOD to another method removes the columnar
 * options, which that method would refuse.  Options given to a new table
 * that is not columnar (a dump restored with --no-table-access-method)
 * are dropped with a warning.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "catalog/toasting.h"
#include "commands/extension.h"
#include "commands/defrem.h"
#include "commands/event_trigger.h"
#include "commands/tablecmds.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "columnar_options.h"
#include "columnar_storage.h"

PG_FUNCTION_INFO_V1(columnar_ddl_event);
PG_FUNCTION_INFO_V1(columnar_table_options);

/* the settings for tables without the options (biwh.compression, ...) */
static int	columnar_default_compression = COLUMNAR_COMPRESSION_ZSTD;
static int	columnar_default_compression_level = 3;
static int	columnar_default_row_group_size = 120000;

static const struct config_enum_entry compression_options[] = {
	{"none", COLUMNAR_COMPRESSION_NONE, false},
	{"zstd", COLUMNAR_COMPRESSION_ZSTD, false},
	{NULL, 0, false}
};

/* sort key of CREATE TABLE AS ... WITH (sort_key = ...), while it runs */
static char *columnar_sort_key_override = NULL;

#define OPT_COMPRESSION		0
#define OPT_LEVEL			1
#define OPT_ROW_GROUP_SIZE	2
#define OPT_SORT_KEY		3
#define NUM_OPTIONS			4

static const char *const option_names[NUM_OPTIONS] = {
	"compression", "compression_level", "row_group_size", "sort_key"
};

/* the columnar options of one table, in canonical text form */
typedef struct OptionValues
{
	char	   *value[NUM_OPTIONS]; /* NULL: not set */
} OptionValues;

/* columnar options taken out of the DDL statement being run */
typedef struct PendingOptions
{
	bool		active;
	RangeVar   *rel;			/* CREATE: the table created */
	Oid			relid;			/* ALTER: the table altered */
	SubTransactionId subid;		/* where the statement began */
	OptionValues values;		/* to store at the end; in effect meanwhile */
	Oid			fix_relid;		/* RENAME / DROP COLUMN: fix sort keys */
	bool		fix_recurse;	/* also of the inheritors */
	char	   *fix_from;		/* column renamed (NULL: dropped ones) */
	char	   *fix_to;
	Oid			toast_relid;	/* SET ACCESS METHOD heap: add a TOAST table */
	bool		overridden;		/* settings changed for CREATE TABLE AS */
	int			saved_compression;
	int			saved_level;
	int			saved_row_group_size;
} PendingOptions;

static PendingOptions pending = {0};

/* holds what "pending" points to (event trigger contexts do not last) */
static MemoryContext pending_cxt = NULL;

/* the utility hook handles the statement: the event triggers stand by */
static bool in_utility_hook = false;

static ProcessUtility_hook_type prev_process_utility_hook = NULL;

/*
 * Return the index of a columnar option name, or -1.
 */
static int
option_index(const char *name)
{
	for (int i = 0; i < NUM_OPTIONS; i++)
		if (strcmp(name, option_names[i]) == 0)
			return i;
	return -1;
}

/*
 * Return an integer option's value, checking its range.
 */
static int
option_int(int which, const char *text, int min, int max, const char *hint)
{
	int			value;

	if (!parse_int(text, &value, 0, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", option_names[which], text),
				 errhint("%s", hint)));
	if (value < min || value > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %d is out of range", option_names[which], value),
				 errhint("%s", hint)));
	return value;
}

/*
 * Split a sort key into its column names, raising an error when it is not
 * a comma-separated list of identifiers.
 */
static List *
sort_key_names(const char *sort_key)
{
	List	   *names;

	if (!SplitIdentifierString(pstrdup(sort_key), ',', &names) || names == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid sort_key \"%s\"", sort_key),
				 errhint("Give a comma-separated list of the table's columns.")));
	return names;
}

/*
 * Validate the text of option "which" and return its canonical form, in
 * the current memory context.
 */
static char *
canonical_value(int which, const char *text)
{
	StringInfoData buf;
	ListCell   *lc;

	switch (which)
	{
		case OPT_COMPRESSION:
			return pstrdup(ColumnarCompressionName(ColumnarCompressionFromName(text)));
		case OPT_LEVEL:
			return psprintf("%d", option_int(which, text, 1, 19, "Valid levels are 1 to 19."));
		case OPT_ROW_GROUP_SIZE:
			return psprintf("%d", option_int(which, text, COLUMNAR_MIN_ROW_GROUP_SIZE,
											 COLUMNAR_MAX_ROW_GROUP_SIZE,
											 "Valid sizes are 1000 to 10000000 rows."));
		case OPT_SORT_KEY:
			initStringInfo(&buf);
			foreach(lc, sort_key_names(text))
				appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "",
								 quote_identifier(lfirst(lc)));
			return buf.data;
	}
	return NULL;
}

/*
 * Read the columnar options of relation relid from pg_class.reloptions
 * (allocated in the current memory context).
 */
static void
read_reloptions(Oid relid, OptionValues *values)
{
	HeapTuple	tup;
	Datum		datum;
	bool		isnull;
	ListCell   *lc;

	memset(values, 0, sizeof(*values));
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return;
	datum = SysCacheGetAttr(RELOID, tup, Anum_pg_class_reloptions, &isnull);
	if (!isnull)
	{
		foreach(lc, untransformRelOptions(datum))
		{
			DefElem    *def = lfirst(lc);
			int			which = option_index(def->defname);

			if (which >= 0)
				values->value[which] = defGetString(def);
		}
	}
	ReleaseSysCache(tup);
}

/*
 * Replace the columnar options in pg_class.reloptions of relation relid
 * with values (none when values is NULL), keeping the other options.
 */
static void
write_reloptions(Oid relid, const OptionValues *values)
{
	Relation	classrel;
	HeapTuple	tup;
	HeapTuple	newtup;
	Datum		old;
	Datum		new;
	bool		isnull;
	bool		changed = false;
	List	   *defs = NIL;
	ListCell   *lc;
	Datum		repl_val[Natts_pg_class];
	bool		repl_null[Natts_pg_class];
	bool		repl_repl[Natts_pg_class];

	classrel = table_open(RelationRelationId, RowExclusiveLock);
	tup = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	old = SysCacheGetAttr(RELOID, tup, Anum_pg_class_reloptions, &isnull);
	if (!isnull)
	{
		foreach(lc, untransformRelOptions(old))
		{
			DefElem    *def = lfirst(lc);

			if (option_index(def->defname) < 0)
				defs = lappend(defs, def);
			else
				changed = true;
		}
	}
	for (int i = 0; values != NULL && i < NUM_OPTIONS; i++)
	{
		if (values->value[i] == NULL)
			continue;
		defs = lappend(defs, makeDefElem(pstrdup(option_names[i]),
										 (Node *) makeString(pstrdup(values->value[i])), -1));
		changed = true;
	}
	if (!changed)
	{
		heap_freetuple(tup);
		table_close(classrel, RowExclusiveLock);
		return;
	}
	new = transformRelOptions((Datum) 0, defs, NULL, NULL, false, false);

	memset(repl_val, 0, sizeof(repl_val));
	memset(repl_null, false, sizeof(repl_null));
	memset(repl_repl, false, sizeof(repl_repl));
	repl_repl[Anum_pg_class_reloptions - 1] = true;
	if (new != (Datum) 0)
		repl_val[Anum_pg_class_reloptions - 1] = new;
	else
		repl_null[Anum_pg_class_reloptions - 1] = true;
	newtup = heap_modify_tuple(tup, RelationGetDescr(classrel), repl_val, repl_null, repl_repl);
	/* updating the pg_class row also invalidates the relcache entry */
	CatalogTupleUpdate(classrel, &newtup->t_self, newtup);
	heap_freetuple(newtup);
	heap_freetuple(tup);
	table_close(classrel, RowExclusiveLock);
	CommandCounterIncrement();
}

/*
 * Raise an error unless every column of the sort key exists in relid.
 */
static void
check_sort_key(Oid relid, const char *sort_key)
{
	ListCell   *lc;

	foreach(lc, sort_key_names(sort_key))
	{
		if (get_attnum(relid, lfirst(lc)) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("sort key column \"%s\" does not exist in table \"%s\"",
							(char *) lfirst(lc), get_rel_name(relid)),
					 errhint("Give a comma-separated list of the table's columns.")));
	}
}

/*
 * Fill options with the table's options, falling back on the biwh.*
 * settings for those it does not set.
 */
void
ColumnarReadOptions(Relation rel, ColumnarOptions *options)
{
	OptionValues values;
	const char *sort_key = columnar_sort_key_override;
	Oid			relid = RelationGetRelid(rel);
	Oid			origid = InvalidOid;
	char		extra;

	memset(options, 0, sizeof(*options));
	options->compression = (ColumnarCompression) columnar_default_compression;
	options->compression_level = columnar_default_compression_level;
	options->row_group_size = columnar_default_row_group_size;

	/*
	 * While ALTER TABLE runs, the options of the table altered are those it
	 * is setting, also for the transient table of a rewrite, which
	 * make_new_heap names pg_temp_<oid of the table>.  Otherwise they are
	 * in pg_class (which rewrites copy to the transient table).
	 */
	if (sscanf(RelationGetRelationName(rel), "pg_temp_%u%c", &origid, &extra) != 1)
		origid = InvalidOid;
	if (pending.active && OidIsValid(pending.relid) &&
		(pending.relid == relid || pending.relid == origid))
		values = pending.values;
	else
		read_reloptions(relid, &values);

	if (values.value[OPT_COMPRESSION])
		options->compression = ColumnarCompressionFromName(values.value[OPT_COMPRESSION]);
	if (values.value[OPT_LEVEL])
		options->compression_level = atoi(values.value[OPT_LEVEL]);
	if (values.value[OPT_ROW_GROUP_SIZE])
		options->row_group_size = atoi(values.value[OPT_ROW_GROUP_SIZE]);
	if (values.value[OPT_SORT_KEY])
		sort_key = values.value[OPT_SORT_KEY];
	if (sort_key != NULL)
	{
		ListCell   *lc;

		/* columns dropped since are left out */
		foreach(lc, sort_key_names(sort_key))
		{
			AttrNumber	attnum = get_attnum(relid, lfirst(lc));

			if (attnum <= 0 && OidIsValid(origid))
				attnum = get_attnum(origid, lfirst(lc));
			if (attnum > 0 && options->nsortkeys < INDEX_MAX_KEYS)
				options->sortkeys[options->nsortkeys++] = attnum;
		}
	}
}

/*
 * Undo the settings overridden for CREATE TABLE AS and forget the pending
 * options.
 */
static void
clear_pending_options(void)
{
	if (pending.overridden)
	{
		columnar_default_compression = pending.saved_compression;
		columnar_default_compression_level = pending.saved_level;
		columnar_default_row_group_size = pending.saved_row_group_size;
		columnar_sort_key_override = NULL;
	}
	memset(&pending, 0, sizeof(pending));
	if (pending_cxt == NULL)
		pending_cxt = AllocSetContextCreate(TopMemoryContext, "columnar pending options",
											ALLOCSET_SMALL_SIZES);
	MemoryContextReset(pending_cxt);
}

/*
 * Take the columnar options out of a WITH / SET / RESET list, validating
 * them, into values (in pending_cxt; a RESET sets reset[i]); returns the
 * list of the other options, allocated where the statement lives.
 */
static List *
take_options(Node *stmt, List *options, bool is_reset, OptionValues *values,
			 bool *reset, bool *found)
{
	List	   *rest = NIL;
	ListCell   *lc;
	MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(stmt));

	foreach(lc, options)
	{
		DefElem    *def = lfirst(lc);
		int			which = def->defnamespace ? -1 : option_index(def->defname);

		if (which < 0)
		{
			rest = lappend(rest, def);
			continue;
		}
		*found = true;
		if (is_reset)
		{
			reset[which] = true;
			values->value[which] = NULL;
			continue;
		}
		if (def->arg == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" requires a value", def->defname)));
		reset[which] = false;
		values->value[which] = MemoryContextStrdup(pending_cxt,
												   canonical_value(which, defGetString(def)));
	}
	MemoryContextSwitchTo(old);
	return rest;
}

/*
 * Return whether a new relation with access method name am (NULL: the
 * default) will be columnar.
 */
static bool
creates_columnar(const char *am)
{
	if (am == NULL)
		am = default_table_access_method;
	return am != NULL && strcmp(am, "columnar") == 0;
}

/*
 * Take the options of a new table out of its WITH list; returns the rest.
 * They are dropped, with a warning, when the table will not be columnar
 * (e.g. a dump restored with --no-table-access-method), and when it exists
 * already (IF NOT EXISTS).
 */
static List *
take_create_options(Node *stmt, List *options, RangeVar *rv, bool columnar,
					bool if_not_exists)
{
	OptionValues values;
	bool		reset[NUM_OPTIONS];
	bool		found = false;
	List	   *rest;

	memset(&values, 0, sizeof(values));
	memset(reset, 0, sizeof(reset));
	if (!columnar)
	{
		ListCell   *lc;
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(stmt));

		rest = NIL;
		foreach(lc, options)
		{
			DefElem    *def = lfirst(lc);

			if (def->defnamespace == NULL && option_index(def->defname) >= 0)
				found = true;
			else
				rest = lappend(rest, def);
		}
		MemoryContextSwitchTo(old);
		if (!found)
			return options;
		ereport(WARNING,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("columnar options of table \"%s\" are ignored", rv->relname),
				 errdetail("The table does not use the columnar access method."),
				 errhint("Add USING columnar, or set default_table_access_method to columnar.")));
		return rest;
	}
	rest = take_options(stmt, options, false, &values, reset, &found);
	if (!found || (if_not_exists && OidIsValid(RangeVarGetRelid(rv, NoLock, true))))
		return rest;
	pending.active = true;
	pending.values = values;
	{
		MemoryContext old = MemoryContextSwitchTo(pending_cxt);

		pending.rel = copyObjectImpl(rv);
		MemoryContextSwitchTo(old);
	}
	return rest;
}

/*
 * Remember that a column of rv (and of its inheritors unless ONLY) is
 * renamed (from, to) or dropped (NULL), to fix the sort keys at the end.
 */
static void
track_columns(RangeVar *rv, const char *from, const char *to)
{
	Oid			relid = RangeVarGetRelid(rv, NoLock, true);

	if (!OidIsValid(relid))
		return;
	pending.active = true;
	pending.fix_relid = relid;
	pending.fix_recurse = rv->inh;
	pending.fix_from = from ? MemoryContextStrdup(pending_cxt, from) : NULL;
	pending.fix_to = to ? MemoryContextStrdup(pending_cxt, to) : NULL;
}

/*
 * Rename column from to "to" in the sort keys of relid (and of its
 * inheritors when recurse), and leave out the columns that no longer
 * exist, so that the sort keys always name columns (a dump restores).
 */
static void
fix_sort_keys(Oid relid, bool recurse, const char *from, const char *to)
{
	List	   *rels = recurse ? find_all_inheritors(relid, NoLock, NULL) : list_make1_oid(relid);
	ListCell   *lc;

	foreach(lc, rels)
	{
		Oid			rel = lfirst_oid(lc);
		OptionValues values;
		StringInfoData buf;
		ListCell   *lc2;

		if (!ColumnarIsColumnarRelid(rel))
			continue;
		read_reloptions(rel, &values);
		if (values.value[OPT_SORT_KEY] == NULL)
			continue;
		initStringInfo(&buf);
		foreach(lc2, sort_key_names(values.value[OPT_SORT_KEY]))
		{
			char	   *name = lfirst(lc2);

			if (from != NULL && strcmp(name, from) == 0)
				name = pstrdup(to);
			if (get_attnum(rel, name) > 0)
				appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "",
								 quote_identifier(name));
		}
		if (strcmp(buf.data, values.value[OPT_SORT_KEY]) == 0)
			continue;
		values.value[OPT_SORT_KEY] = buf.len > 0 ? buf.data : NULL;
		write_reloptions(rel, &values);
	}
}

/*
 * ddl_command_start of ALTER TABLE: take the columnar options out of SET /
 * RESET, and the table's options out of pg_class while the statement runs.
 */
static void
alter_table_start(AlterTableStmt *stmt)
{
	ListCell   *lc;
	bool		has_options = false;
	bool		our_options = false;
	const char *new_am = NULL;
	Oid			relid;
	bool		columnar;
	OptionValues values;
	bool		reset[NUM_OPTIONS];

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);

		if (cmd->subtype == AT_DropColumn)
			track_columns(stmt->relation, NULL, NULL);
		if (cmd->subtype == AT_SetRelOptions || cmd->subtype == AT_ResetRelOptions)
		{
			ListCell   *lc2;

			has_options = true;
			foreach(lc2, (List *) cmd->def)
			{
				DefElem    *def = lfirst(lc2);

				if (def->defnamespace == NULL && option_index(def->defname) >= 0 &&
					cmd->subtype == AT_SetRelOptions)
					our_options = true;
			}
		}
		else if (cmd->subtype == AT_SetAccessMethod)
			new_am = cmd->name ? cmd->name : default_table_access_method;
	}
	if (!has_options && new_am == NULL)
		return;

	/* as AlterTable will: lock, check ownership */
	relid = AlterTableLookupRelation(stmt, AlterTableGetLockLevel(stmt->cmds));
	if (!OidIsValid(relid))
		return;
	columnar = ColumnarIsColumnarRelid(relid);
	if (new_am != NULL)
	{
		if (columnar && strcmp(new_am, "columnar") != 0)
		{
			write_reloptions(relid, NULL);	/* the other method would refuse them */
			/* columnar tables have no TOAST table, nor does the rewrite */
			pending.active = true;
			pending.toast_relid = relid;
		}
		columnar = strcmp(new_am, "columnar") == 0;
	}
	if (!columnar)
	{
		if (our_options)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("table \"%s\" is not a columnar table", get_rel_name(relid)),
					 errhint("Columnar options apply to tables created USING columnar.")));
		return;
	}
	if (!has_options)
		return;

	memset(reset, 0, sizeof(reset));
	{
		MemoryContext old = MemoryContextSwitchTo(pending_cxt);

		read_reloptions(relid, &values);
		MemoryContextSwitchTo(old);
	}
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);
		bool		found = false;

		if (cmd->subtype == AT_SetRelOptions || cmd->subtype == AT_ResetRelOptions)
			cmd->def = (Node *) take_options((Node *) stmt, (List *) cmd->def,
											 cmd->subtype == AT_ResetRelOptions,
											 &values, reset, &found);
	}
	pending.active = true;
	pending.relid = relid;
	pending.values = values;
	/* heap's validator must not see them (they come back at the end) */
	write_reloptions(relid, NULL);
}

/*
 * ddl_command_start: take the columnar options out of the statement.
 */
static void
ddl_command_start(Node *parsetree)
{
	clear_pending_options();
	pending.subid = GetCurrentSubTransactionId();
	if (IsA(parsetree, CreateStmt))
	{
		CreateStmt *stmt = (CreateStmt *) parsetree;

		if (stmt->partspec == NULL)
			stmt->options = take_create_options(parsetree, stmt->options, stmt->relation,
												creates_columnar(stmt->accessMethod),
												stmt->if_not_exists);
	}
	else if (IsA(parsetree, CreateTableAsStmt))
	{
		CreateTableAsStmt *stmt = (CreateTableAsStmt *) parsetree;
		IntoClause *into = stmt->into;

		if (into == NULL)
			return;
		into->options = take_create_options(parsetree, into->options, into->rel,
											creates_columnar(into->accessMethod),
											stmt->if_not_exists);
		if (pending.active)
		{
			const OptionValues *v = &pending.values;

			/* the rows are written before ddl_command_end: apply now */
			pending.overridden = true;
			pending.saved_compression = columnar_default_compression;
			pending.saved_level = columnar_default_compression_level;
			pending.saved_row_group_size = columnar_default_row_group_size;
			if (v->value[OPT_COMPRESSION])
				columnar_default_compression =
					ColumnarCompressionFromName(v->value[OPT_COMPRESSION]);
			if (v->value[OPT_LEVEL])
				columnar_default_compression_level = atoi(v->value[OPT_LEVEL]);
			if (v->value[OPT_ROW_GROUP_SIZE])
				columnar_default_row_group_size = atoi(v->value[OPT_ROW_GROUP_SIZE]);
			columnar_sort_key_override = v->value[OPT_SORT_KEY];
		}
	}
	else if (IsA(parsetree, AlterTableStmt))
		alter_table_start((AlterTableStmt *) parsetree);
	else if (IsA(parsetree, RenameStmt))
	{
		RenameStmt *stmt = (RenameStmt *) parsetree;

		if (stmt->renameType == OBJECT_COLUMN && stmt->relation != NULL)
			track_columns(stmt->relation, stmt->subname, stmt->newname);
	}
}

/*
 * ddl_command_end: store the options taken out of the statement.
 */
static void
ddl_command_end(void)
{
	Oid			relid = InvalidOid;
	OptionValues values;
	Oid			fix_relid = pending.fix_relid;
	bool		fix_recurse = pending.fix_recurse;
	char	   *fix_from = pending.fix_from ? pstrdup(pending.fix_from) : NULL;
	char	   *fix_to = pending.fix_to ? pstrdup(pending.fix_to) : NULL;
	Oid			toast_relid = pending.toast_relid;

	if (!pending.active)
		return;
	if (OidIsValid(pending.relid))
		relid = pending.relid;
	else if (pending.rel != NULL)
		relid = RangeVarGetRelid(pending.rel, NoLock, false);
	for (int i = 0; i < NUM_OPTIONS; i++)
		values.value[i] = pending.values.value[i] ? pstrdup(pending.values.value[i]) : NULL;
	clear_pending_options();
	if (OidIsValid(relid))
	{
		if (values.value[OPT_SORT_KEY])
			check_sort_key(relid, values.value[OPT_SORT_KEY]);
		write_reloptions(relid, &values);
	}
	if (OidIsValid(fix_relid))
		fix_sort_keys(fix_relid, fix_recurse, fix_from, fix_to);
	if (OidIsValid(toast_relid))
		AlterTableCreateToastTable(toast_relid, (Datum) 0, AccessExclusiveLock);
}

/*
 * Event trigger around DDL: loads the library (hence the object access
 * hook that cleans up after DROP) and handles the columnar options of
 * CREATE TABLE / ALTER TABLE.
 */
Datum
columnar_ddl_event(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "columnar_ddl_event must be called as an event trigger");
	trigdata = (EventTriggerData *) fcinfo->context;
	if (in_utility_hook)
		PG_RETURN_VOID();
	if (strcmp(trigdata->event, "ddl_command_start") == 0)
		ddl_command_start(trigdata->parsetree);
	else if (strcmp(trigdata->event, "ddl_command_end") == 0)
		ddl_command_end();
	PG_RETURN_VOID();
}

/*
 * Handle the columnar options of CREATE / ALTER TABLE around the statement,
 * as the event triggers do, once the library is loaded.  The event
 * triggers alone do not do: pg_upgrade (pg_dump --binary-upgrade) creates
 * them after the tables, whose WITH (...) PostgreSQL would then refuse;
 * the library is loaded by then (creating its C functions loads it).
 */
static void
options_process_utility(PlannedStmt *pstmt, const char *queryString,
						bool readOnlyTree, ProcessUtilityContext context,
						ParamListInfo params, QueryEnvironment *queryEnv,
						DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	bool		handle;

	/*
	 * As event triggers: not the statements a command runs for itself; but
	 * the tables of CREATE SCHEMA ... CREATE TABLE (the one command running
	 * CREATE TABLE as a subcommand), which event triggers do not see.
	 */
	handle = !in_utility_hook &&
		(context != PROCESS_UTILITY_SUBCOMMAND || IsA(parsetree, CreateStmt)) &&
		(IsA(parsetree, CreateStmt) || IsA(parsetree, CreateTableAsStmt) ||
		 IsA(parsetree, AlterTableStmt) || IsA(parsetree, RenameStmt)) &&
		IsTransactionState() && OidIsValid(get_extension_oid("biwh", true));
	if (!handle)
	{
		if (prev_process_utility_hook)
			prev_process_utility_hook(pstmt, queryString, readOnlyTree, context,
									  params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
		return;
	}

	/* the options are taken out of the statement: work on a copy */
	if (readOnlyTree)
		pstmt = copyObject(pstmt);
	in_utility_hook = true;
	PG_TRY();
	{
		ddl_command_start(pstmt->utilityStmt);
		if (prev_process_utility_hook)
			prev_process_utility_hook(pstmt, queryString, false, context,
									  params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, false, context,
									params, queryEnv, dest, qc);
		ddl_command_end();
	}
	PG_FINALLY();
	{
		in_utility_hook = false;
	}
	PG_END_TRY();
}

/*
 * SQL: the options in effect for a table, the settings filled in.
 */
Datum
columnar_table_options(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	OptionValues values;
	TupleDesc	tupdesc;
	Datum		result[NUM_OPTIONS];
	bool		nulls[NUM_OPTIONS];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (ColumnarIsColumnarRelid(relid))
		read_reloptions(relid, &values);
	else
		memset(&values, 0, sizeof(values));
	memset(nulls, 0, sizeof(nulls));
	result[OPT_COMPRESSION] = CStringGetTextDatum(values.value[OPT_COMPRESSION] ?
												  values.value[OPT_COMPRESSION] :
												  ColumnarCompressionName(columnar_default_compression));
	result[OPT_LEVEL] = Int32GetDatum(values.value[OPT_LEVEL] ?
									  atoi(values.value[OPT_LEVEL]) :
									  columnar_default_compression_level);
	result[OPT_ROW_GROUP_SIZE] = Int32GetDatum(values.value[OPT_ROW_GROUP_SIZE] ?
											   atoi(values.value[OPT_ROW_GROUP_SIZE]) :
											   columnar_default_row_group_size);
	if (values.value[OPT_SORT_KEY])
	{
		List	   *names = sort_key_names(values.value[OPT_SORT_KEY]);
		Datum	   *elems = palloc(sizeof(Datum) * list_length(names));
		ListCell   *lc;
		int			n = 0;

		foreach(lc, names)
		{
			Name		name = palloc0(NAMEDATALEN);

			namestrcpy(name, lfirst(lc));
			elems[n++] = NameGetDatum(name);
		}
		result[OPT_SORT_KEY] = PointerGetDatum(construct_array(elems, n, NAMEOID, NAMEDATALEN,
															   false, TYPALIGN_CHAR));
	}
	else
		nulls[OPT_SORT_KEY] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), result, nulls)));
}

/*
 * Forget pending options when a transaction ends (e.g. the DDL failed).
 */
static void
options_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PREPARE)
		clear_pending_options();
}

/*
 * Forget pending options when the subtransaction of their statement aborts.
 */
static void
options_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && pending.active && pending.subid == mySubid)
		clear_pending_options();
}

/*
 * Register the settings, the transaction callbacks and the utility hook of
 * the options.
 */
void
ColumnarOptionsInit(void)
{
	DefineCustomEnumVariable("biwh.compression",
							 "Compression of new columnar row groups.",
							 "A table's compression option overrides it.",
							 &columnar_default_compression,
							 COLUMNAR_COMPRESSION_ZSTD,
							 compression_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("biwh.compression_level",
							"zstd level of new columnar row groups.",
							"A table's compression_level option overrides it.",
							&columnar_default_compression_level,
							3, 1, 19,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("biwh.row_group_size",
							"Rows per columnar row group.",
							"A table's row_group_size option overrides it.",
							&columnar_default_row_group_size,
							120000, COLUMNAR_MIN_ROW_GROUP_SIZE, COLUMNAR_MAX_ROW_GROUP_SIZE,
							PGC_USERSET, 0, NULL, NULL, NULL);

	RegisterXactCallback(options_xact_callback, NULL);
	RegisterSubXactCallback(options_subxact_callback, NULL);
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = options_process_utility;
}
