/*-------------------------------------------------------------------------
 *
 * wh_rollup_route.c
 *	  Answer aggregate queries on a warehouse master relation from a rollup.
 *
 * A rollup (issue 12, declared with _wh.create_rollup) keeps, for every
 * (tenant schema, day) piece of public.<template>, one row per distinct
 * tuple of its group keys with partial aggregates (count(*), count(x),
 * sum(x), min(x), max(x)).  This planner hook rewrites a Query node on
 * public.<template> (or on a tenant's <schema>.<template>) into the same
 * query over public.<rollup> (or <schema>.<rollup>) when the rollup covers
 * it, before standard_planner plans it; anything not covered is planned as
 * written.
 *
 * A Query node is covered when its only FROM item is the master relation,
 * it aggregates (aggregates or GROUP BY) without window functions, grouping
 * sets, sublinks, set operations, SRFs in the target list or row marks, and
 * every expression over the relation's columns can be derived from the
 * rollup's columns:
 *
 *	- outside aggregates (target list, GROUP BY, HAVING, WHERE, row-level
 *	  security quals): an expression equal to a key's tree is that key's
 *	  column; a column of a plain key, schema_name, and a date column of
 *	  type date (= the rollup's day) are substituted anywhere;
 *	  date_trunc(g2, ts) and ts::date on a timestamp date column come from
 *	  a date_trunc(g1, ts) key with a grain g1 finer than or equal to g2
 *	  (hour < day < week, day < month < quarter < year) or from day;
 *	  ts >= c and ts < c with c a constant at midnight become day >= c::date
 *	  and day < c::date (or compare an hour key when c is at an hour);
 *	- aggregates: count(*) and count(x) are the sum of the count column
 *	  (coalesced to 0 without GROUP BY, as over no rows), sum(x) the sum of
 *	  the sum column cast back to the base's type (sum of bigint partial
 *	  sums is numeric), min and max of the min / max column (or of a key
 *	  expression), avg(x) of an integer or numeric x numeric_div(sum of
 *	  sums, sum of counts), which is what avg computes from its own state,
 *	  so results, types and scales are those of the base query.  Floating
 *	  point sums and averages, DISTINCT, ORDER BY and FILTER are not routed.
 *
 * Permissions: the master's RTE stays in the range table, unreferenced and
 * not expanded, with the permissions the user needs on it (as PostgreSQL
 * keeps a view's), so the executor checks them; the rollup's RTE requires
 * none and carries the master's row-level security quals, which may only
 * reference schema_name (mapped to the rollup's schema_name).  Nothing
 * here runs code a non-superuser created: the catalog (_wh.rollups,
 * _wh.rollup_columns, _wh.mv_templates) is read directly under the query's
 * snapshot, and the nodes built call pg_catalog functions only.  The
 * catalog's trees are only compared with the query's expressions (equal()),
 * never planned or run: a matched expression becomes the rollup's column.
 *
 * Cost: a query without aggregation costs a tree walk; one with
 * aggregation reads _wh.rollups (a handful of rows; nothing when it is
 * empty or absent).  Plans cached with a rollup depend on the rollup
 * relation like on any relation they scan.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "wh_rollup_route.h"

/* A column of a rollup, as _wh.rollup_columns describes it */
typedef struct RouteColumn
{
	char	   *name;
	char	   *kind;			/* key, count_star, count, sum, min, max */
	char	   *grain;			/* date_trunc grain of a key, or NULL */
	Node	   *tree;			/* over the master root, varno 1; or NULL */
	Oid			type;
	int			position;
} RouteColumn;

/* A ready rollup of the catalog */
typedef struct RouteRollup
{
	char	   *name;
	char	   *template_name;
	bool		loaded;			/* columns and date column read */
	List	   *columns;		/* RouteColumn, in position order */
	char	   *date_column;
} RouteRollup;

/* A rollup bound to one Query node's relation */
typedef struct RouteBinding
{
	RouteRollup *rollup;
	Index		rti;			/* the relation's range table index */
	Oid			relid;			/* the rollup relation to scan */
	AttrNumber	schema_attno;	/* schema_name of the queried relation */
	AttrNumber	date_attno;		/* the date column of the queried relation */
	Oid			date_type;
	Expr	   *schema_var;		/* the rollup's schema_name and day */
	Expr	   *day_var;
	int			ncols;
	RouteColumn **cols;
	Node	  **trees;			/* per column: over the queried relation */
	Expr	  **vars;			/* per column: the rollup's column */
	ParamListInfo bound_params; /* of a custom plan, or NULL */
	bool		grouped;		/* the query has GROUP BY */
	bool		allow_aggs;		/* mutating the target list or HAVING */
	bool		failed;
} RouteBinding;

/* What one planner call knows */
typedef struct RouteState
{
	List	   *rollups;		/* RouteRollup, ready ones */
	Snapshot	snapshot;
	ParamListInfo bound_params;
	Oid			wh_namespace;
	int			routed;
} RouteState;

static bool route_enabled = true;
static planner_hook_type prev_planner_hook = NULL;

static PlannedStmt *route_planner(Query *parse, const char *query_string,
								  int cursorOptions, ParamListInfo boundParams);
static bool route_walker(Node *node, RouteState *state);
static void route_query(Query *q, RouteState *state);
static RouteBinding *route_bind(RouteState *state, RouteRollup *ru, Query *q,
								Index rti, RangeTblEntry *rte);
static bool route_rewrite(Query *q, RangeTblEntry *rte, RouteBinding *b);
static Node *route_mutator(Node *node, RouteBinding *b);
static Node *route_aggref(Aggref *agg, RouteBinding *b);
static Node *route_date_trunc(FuncExpr *fe, RouteBinding *b);
static Node *route_date_qual(OpExpr *op, RouteBinding *b);
static List *route_read_rollups(RouteState *state);
static void route_enabled_assign(bool newval, void *extra);
static bool route_biwh_schema(Oid nsp);
static Oid route_rel_owner(Oid relid);
static void route_load_columns(RouteState *state, RouteRollup *ru);

/*
 * biwh.enable_rollup_routing changed: forget cached plans, which were
 * routed (or not) by the old value.
 */
static void
route_enabled_assign(bool newval, void *extra)
{
	if (newval != route_enabled)
		ResetPlanCache();
}

/*
 * Register biwh.enable_rollup_routing and the planner hook.
 */
void
WhRollupRouteInit(void)
{
	DefineCustomBoolVariable("biwh.enable_rollup_routing",
							 "Answers aggregate queries on a warehouse master relation from a ready rollup that covers them.",
							 NULL,
							 &route_enabled,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, route_enabled_assign, NULL);
	prev_planner_hook = planner_hook;
	planner_hook = route_planner;
}

/* Plan with the previous hook or the standard planner */
static PlannedStmt *
route_next(Query *parse, const char *query_string, int cursorOptions,
		   ParamListInfo boundParams)
{
	if (prev_planner_hook)
		return prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/*
 * Tell whether a Query tree aggregates over a partitioned relation anywhere
 * (a cheap precheck, before any catalog is read)
 */
static bool
route_has_aggregation(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;

		if (q->hasAggs || q->groupClause != NIL)
		{
			ListCell   *lc;

			/* masters and tenant relations are partitioned tables */
			foreach(lc, q->rtable)
			{
				RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

				if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_PARTITIONED_TABLE)
					return true;
			}
		}
		return query_tree_walker(q, route_has_aggregation, context, 0);
	}
	return expression_tree_walker(node, route_has_aggregation, context);
}

/*
 * Tell whether the schema _wh is biwh's own: with biwh preloaded, the hook
 * runs in databases without the extension too, where anybody allowed to
 * create a schema could make a "_wh" of their own.
 */
static bool
route_biwh_schema(Oid nsp)
{
	Oid			ext = get_extension_oid("biwh", true);

	return OidIsValid(ext) && getExtensionOfObject(NamespaceRelationId, nsp) == ext;
}

/* Return the owner of a relation, or InvalidOid */
static Oid
route_rel_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * The planner hook: route every covered Query node of a copy of the tree,
 * then plan it.
 */
static PlannedStmt *
route_planner(Query *parse, const char *query_string, int cursorOptions,
			  ParamListInfo boundParams)
{
	RouteState	state;

	if (!route_enabled || parse->commandType != CMD_SELECT ||
		!ActiveSnapshotSet() || !IsTransactionState() ||
		!route_has_aggregation((Node *) parse, NULL))
		return route_next(parse, query_string, cursorOptions, boundParams);

	memset(&state, 0, sizeof(state));
	state.wh_namespace = get_namespace_oid("_wh", true);
	if (!OidIsValid(state.wh_namespace) || !route_biwh_schema(state.wh_namespace))
		return route_next(parse, query_string, cursorOptions, boundParams);
	state.snapshot = GetActiveSnapshot();
	state.bound_params = boundParams;
	state.rollups = route_read_rollups(&state);
	if (state.rollups != NIL)
	{
		Query	   *copy = copyObject(parse);

		route_walker((Node *) copy, &state);
		if (state.routed > 0)
			parse = copy;
	}
	return route_next(parse, query_string, cursorOptions, boundParams);
}

/* Visit every Query node: subqueries in FROM, CTEs, sublinks */
static bool
route_walker(Node *node, RouteState *state)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;

		route_query(q, state);
		return query_tree_walker(q, route_walker, state, 0);
	}
	return expression_tree_walker(node, route_walker, state);
}

/* Rank a rollup by its size: its keys, then its columns */
static int
route_size(RouteRollup *ru)
{
	ListCell   *lc;
	int			nkeys = 0;

	foreach(lc, ru->columns)
		if (strcmp(((RouteColumn *) lfirst(lc))->kind, "key") == 0)
			nkeys++;
	return nkeys * 1000 + list_length(ru->columns);
}

/*
 * Route one Query node to the first ready rollup of its relation that
 * covers it, the ones with fewer keys first.
 */
static void
route_query(Query *q, RouteState *state)
{
	RangeTblRef *rtr;
	RangeTblEntry *rte;
	char	   *relname;
	ListCell   *lc;
	RouteRollup *best[64];
	int			nbest = 0;

	if (q->commandType != CMD_SELECT || q->utilityStmt != NULL ||
		!(q->hasAggs || q->groupClause != NIL) ||
		q->hasWindowFuncs || q->hasTargetSRFs || q->hasSubLinks ||
		q->hasForUpdate || q->rowMarks != NIL || q->groupingSets != NIL ||
		q->windowClause != NIL || q->setOperations != NULL ||
		q->jointree == NULL || list_length(q->jointree->fromlist) != 1 ||
		!IsA(linitial(q->jointree->fromlist), RangeTblRef))
		return;
	rtr = linitial_node(RangeTblRef, q->jointree->fromlist);
	rte = rt_fetch(rtr->rtindex, q->rtable);
	if (rte->rtekind != RTE_RELATION || !rte->inh || rte->tablesample != NULL)
		return;
	relname = get_rel_name(rte->relid);
	if (relname == NULL)
		return;

	foreach(lc, state->rollups)
	{
		RouteRollup *ru = (RouteRollup *) lfirst(lc);

		if (strcmp(ru->template_name, relname) == 0 && nbest < lengthof(best))
			best[nbest++] = ru;
	}
	/* the smallest rollups first: fewer keys, fewer rows */
	for (int i = 0; i < nbest; i++)
	{
		route_load_columns(state, best[i]);
		for (int j = i; j > 0 && route_size(best[j]) < route_size(best[j - 1]); j--)
		{
			RouteRollup *t = best[j];

			best[j] = best[j - 1];
			best[j - 1] = t;
		}
	}
	for (int i = 0; i < nbest; i++)
	{
		RouteBinding *b;

		if (best[i]->columns == NIL)
			continue;
		b = route_bind(state, best[i], q, rtr->rtindex, rte);
		if (b != NULL && route_rewrite(q, rte, b))
		{
			state->routed++;
			return;
		}
	}
}

/* Map a tree's Vars from the master root onto the queried relation */
typedef struct RouteMapContext
{
	Oid			root;
	Oid			relid;
	Index		rti;
	bool		failed;
} RouteMapContext;

static Node *
route_map_mutator(Node *node, RouteMapContext *ctx)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) copyObject(node);
		char	   *attname;
		AttrNumber	attno;
		Oid			type;
		int32		typmod;
		Oid			coll;

		attname = var->varattno > 0 ? get_attname(ctx->root, var->varattno, true) : NULL;
		if (var->varno != 1 || var->varlevelsup != 0 || attname == NULL)
		{
			ctx->failed = true;
			return (Node *) var;
		}
		get_atttypetypmodcoll(ctx->root, var->varattno, &type, &typmod, &coll);
		if (type != var->vartype || typmod != var->vartypmod || coll != var->varcollid)
			ctx->failed = true;
		attno = get_attnum(ctx->relid, attname);
		if (attno == InvalidAttrNumber)
		{
			ctx->failed = true;
			return (Node *) var;
		}
		get_atttypetypmodcoll(ctx->relid, attno, &type, &typmod, &coll);
		if (type != var->vartype || typmod != var->vartypmod || coll != var->varcollid)
			ctx->failed = true;
		var->varno = ctx->rti;
		var->varattno = attno;
		var->varnosyn = ctx->rti;
		var->varattnosyn = attno;
		var->location = -1;
		return (Node *) var;
	}
	return expression_tree_mutator(node, route_map_mutator, ctx);
}

/* Make a Var of the rollup relation's column, with the given type */
static Expr *
route_rollup_var(Index rti, Oid relid, const char *name, Oid type,
				 int32 typmod, Oid collid, bool check_coll)
{
	AttrNumber	attno = get_attnum(relid, name);
	Oid			atype;
	int32		atypmod;
	Oid			acoll;
	Var		   *var;

	if (attno <= 0)
		return NULL;
	get_atttypetypmodcoll(relid, attno, &atype, &atypmod, &acoll);
	if (atype != type || (check_coll && acoll != collid))
		return NULL;
	var = makeVar(rti, attno, atype, atypmod, acoll, 0);
	if (atypmod != typmod || acoll != collid)
		return (Expr *) makeRelabelType((Expr *) var, type, typmod, collid,
										COERCE_IMPLICIT_CAST);
	return (Expr *) var;
}

/*
 * Bind a rollup to the Query node's relation: find the rollup relation
 * matching it (public.<rollup> for public.<template>, <schema>.<rollup>
 * for the tenant's partition <schema>.<template>), lock it, and map every
 * column's tree onto the queried relation.  NULL when anything does not
 * match (the rollup is then not used).
 */
static RouteBinding *
route_bind(RouteState *state, RouteRollup *ru, Query *q, Index rti,
		   RangeTblEntry *rte)
{
	Oid			root = get_relname_relid(ru->template_name, PG_PUBLIC_NAMESPACE);
	Oid			nsp;
	Oid			relid;
	RouteBinding *b;
	int			i;
	ListCell   *lc;

	if (!OidIsValid(root))
		return NULL;
	if (rte->relid == root)
		nsp = PG_PUBLIC_NAMESPACE;
	else if (get_rel_relispartition(rte->relid) &&
			 get_partition_parent(rte->relid, true) == root)
		nsp = get_rel_namespace(rte->relid);
	else
		return NULL;
	relid = get_relname_relid(ru->name, nsp);
	if (!OidIsValid(relid))
		return NULL;
	LockRelationOid(relid, AccessShareLock);
	if (get_relname_relid(ru->name, nsp) != relid)
		return NULL;
	if (get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE &&
		get_rel_relkind(relid) != RELKIND_RELATION)
		return NULL;
	/* biwh's own: the master's owner made it (and, for a tenant, under public's) */
	if (route_rel_owner(relid) != route_rel_owner(root))
		return NULL;
	if (nsp != PG_PUBLIC_NAMESPACE &&
		(!get_rel_relispartition(relid) ||
		 get_partition_parent(relid, true) != get_relname_relid(ru->name, PG_PUBLIC_NAMESPACE)))
		return NULL;

	b = palloc0(sizeof(RouteBinding));
	b->rollup = ru;
	b->rti = rti;
	b->relid = relid;
	b->grouped = q->groupClause != NIL;
	b->bound_params = state->bound_params;
	b->schema_attno = get_attnum(rte->relid, "schema_name");
	b->date_attno = get_attnum(rte->relid, ru->date_column);
	if (b->schema_attno <= 0 || b->date_attno <= 0)
		return NULL;
	if (get_atttype(rte->relid, b->schema_attno) != TEXTOID)
		return NULL;
	b->date_type = get_atttype(rte->relid, b->date_attno);
	if (b->date_type != TIMESTAMPOID && b->date_type != DATEOID)
		return NULL;
	{
		Oid			type;
		int32		typmod;
		Oid			coll;

		get_atttypetypmodcoll(rte->relid, b->schema_attno, &type, &typmod, &coll);
		b->schema_var = route_rollup_var(rti, relid, "schema_name", TEXTOID, typmod,
										 coll, true);
	}
	b->day_var = route_rollup_var(rti, relid, "day", DATEOID, -1, InvalidOid, false);
	if (b->schema_var == NULL || b->day_var == NULL)
		return NULL;

	b->ncols = list_length(ru->columns);
	b->cols = palloc0(sizeof(RouteColumn *) * b->ncols);
	b->trees = palloc0(sizeof(Node *) * b->ncols);
	b->vars = palloc0(sizeof(Expr *) * b->ncols);
	i = 0;
	foreach(lc, ru->columns)
	{
		RouteColumn *col = (RouteColumn *) lfirst(lc);

		b->cols[i] = col;
		if (col->tree != NULL)
		{
			RouteMapContext ctx = {root, rte->relid, rti, false};

			b->trees[i] = route_map_mutator(col->tree, &ctx);
			if (ctx.failed)
				return NULL;
		}
		if (strcmp(col->kind, "key") == 0)
		{
			if (col->tree == NULL || exprType(b->trees[i]) != col->type)
				return NULL;
			b->vars[i] = route_rollup_var(rti, relid, col->name, col->type,
										  exprTypmod(b->trees[i]),
										  exprCollation(b->trees[i]), false);
		}
		else
		{
			bool		minmax = strcmp(col->kind, "min") == 0 || strcmp(col->kind, "max") == 0;
			Oid			coll = InvalidOid;

			if (minmax && col->tree)
				coll = exprCollation(b->trees[i]);
			b->vars[i] = route_rollup_var(rti, relid, col->name, col->type,
										  -1, coll, minmax);
			if (b->vars[i] != NULL && !minmax && IsA(b->vars[i], RelabelType))
				b->vars[i] = ((RelabelType *) b->vars[i])->arg;
		}
		if (b->vars[i] == NULL)
			return NULL;
		i++;
	}
	return b;
}

/*
 * Rewrite the Query node over the bound rollup; false (and the node
 * unchanged) when something is not covered.
 */
static bool
route_rewrite(Query *q, RangeTblEntry *rte, RouteBinding *b)
{
	List	   *tlist;
	Node	   *having;
	Node	   *quals;
	List	   *secquals;
	ListCell   *lc;
	RangeTblEntry *rollup_rte;
	RangeTblEntry *master_rte;
	Relation	rel;
	List	   *colnames = NIL;

	/* the security quals may only look at schema_name */
	foreach(lc, pull_var_clause((Node *) rte->securityQuals, 0))
	{
		Var		   *var = (Var *) lfirst(lc);

		if (!IsA(var, Var) || var->varattno != b->schema_attno)
			return false;
	}
	if (contain_volatile_functions((Node *) q->targetList) ||
		contain_volatile_functions(q->havingQual) ||
		contain_volatile_functions(q->jointree->quals) ||
		contain_volatile_functions((Node *) rte->securityQuals))
		return false;

	b->failed = false;
	b->allow_aggs = true;
	tlist = (List *) route_mutator((Node *) q->targetList, b);
	having = route_mutator(q->havingQual, b);
	b->allow_aggs = false;
	quals = route_mutator(q->jointree->quals, b);
	secquals = (List *) route_mutator((Node *) rte->securityQuals, b);
	if (b->failed)
		return false;

	rel = table_open(b->relid, NoLock);
	for (int i = 0; i < RelationGetNumberOfAttributes(rel); i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), i);

		colnames = lappend(colnames,
						   makeString(pstrdup(att->attisdropped ? "" : NameStr(att->attname))));
	}
	rollup_rte = makeNode(RangeTblEntry);
	rollup_rte->rtekind = RTE_RELATION;
	rollup_rte->relid = b->relid;
	rollup_rte->relkind = rel->rd_rel->relkind;
	rollup_rte->rellockmode = AccessShareLock;
	rollup_rte->inh = true;
	rollup_rte->inFromCl = true;
	rollup_rte->requiredPerms = 0;
	rollup_rte->eref = makeAlias(b->rollup->name, colnames);
	rollup_rte->securityQuals = secquals;
	table_close(rel, NoLock);

	/* the master's RTE keeps the user's permission check, nothing else */
	master_rte = copyObject(rte);
	master_rte->inh = false;
	master_rte->securityQuals = NIL;
	master_rte->inFromCl = false;

	list_nth_cell(q->rtable, b->rti - 1)->ptr_value = rollup_rte;
	q->rtable = lappend(q->rtable, master_rte);
	q->targetList = tlist;
	q->havingQual = having;
	q->jointree->quals = quals;
	return true;
}

/* The binding's column of a kind whose tree is equal to arg (NULL: none) */
static int
route_find(RouteBinding *b, const char *kind, Node *arg)
{
	for (int i = 0; i < b->ncols; i++)
	{
		if (strcmp(b->cols[i]->kind, kind) != 0)
			continue;
		if (arg == NULL ? b->trees[i] == NULL :
			(b->trees[i] != NULL && equal(arg, b->trees[i])))
			return i;
	}
	return -1;
}

/* Tell whether a date_trunc grain g2 can be computed from grain g1 */
static bool
route_grain_derives(const char *g1, const char *g2)
{
	static const char *const chain[] = {"hour", "day", "month", "quarter", "year",
	"decade", "century", "millennium"};
	int			r1 = -1;
	int			r2 = -1;

	if (strcmp(g1, g2) == 0)
		return true;
	if (strcmp(g2, "week") == 0)
		return strcmp(g1, "hour") == 0 || strcmp(g1, "day") == 0;
	for (int i = 0; i < lengthof(chain); i++)
	{
		if (strcmp(g1, chain[i]) == 0)
			r1 = i;
		if (strcmp(g2, chain[i]) == 0)
			r2 = i;
	}
	return r1 >= 0 && r2 >= 0 && r1 <= r2;
}

/* Make an aggregate call of one argument */
static Expr *
route_make_agg(Oid aggfnoid, Oid restype, Expr *arg, Oid inputcollid)
{
	Aggref	   *agg = makeNode(Aggref);

	agg->aggfnoid = aggfnoid;
	agg->aggtype = restype;
	agg->aggcollid = InvalidOid;
	agg->inputcollid = inputcollid;
	agg->aggargtypes = list_make1_oid(exprType((Node *) arg));
	agg->args = list_make1(makeTargetEntry(arg, 1, NULL, false));
	agg->aggkind = AGGKIND_NORMAL;
	agg->aggsplit = AGGSPLIT_SIMPLE;
	agg->aggno = -1;
	agg->aggtransno = -1;
	agg->location = -1;
	return (Expr *) agg;
}

/* Make a call of a pg_catalog function */
static Expr *
route_make_func(Oid funcid, Oid restype, List *args)
{
	return (Expr *) makeFuncExpr(funcid, restype, args, InvalidOid, InvalidOid,
								 COERCE_EXPLICIT_CALL);
}

/* sum(<bigint count column>)::bigint, coalesced to 0 without GROUP BY */
static Node *
route_count(RouteBinding *b, int col)
{
	Expr	   *sum;

	if (b->cols[col]->type != INT8OID)
	{
		b->failed = true;
		return NULL;
	}
	sum = route_make_agg(F_SUM_INT8, NUMERICOID, copyObject(b->vars[col]), InvalidOid);
	sum = route_make_func(F_INT8_NUMERIC, INT8OID, list_make1(sum));
	if (!b->grouped)
	{
		CoalesceExpr *ce = makeNode(CoalesceExpr);

		ce->coalescetype = INT8OID;
		ce->coalescecollid = InvalidOid;
		ce->args = list_make2(sum, makeConst(INT8OID, -1, InvalidOid, 8,
											 Int64GetDatum(0), false, FLOAT8PASSBYVAL));
		ce->location = -1;
		return (Node *) ce;
	}
	return (Node *) sum;
}

/* The sum of a sum column, as numeric (for avg) or as sum(x)'s type */
static Expr *
route_sum(RouteBinding *b, int col, Oid argtype, bool as_numeric)
{
	Oid			coltype = b->cols[col]->type;
	Expr	   *var = copyObject(b->vars[col]);

	switch (argtype)
	{
		case INT2OID:
		case INT4OID:
			if (coltype != INT8OID)
				return NULL;
			if (as_numeric)
				return route_make_agg(F_SUM_INT8, NUMERICOID, var, InvalidOid);
			return route_make_func(F_INT8_NUMERIC, INT8OID,
								   list_make1(route_make_agg(F_SUM_INT8, NUMERICOID,
															 var, InvalidOid)));
		case INT8OID:
		case NUMERICOID:
			if (coltype != NUMERICOID)
				return NULL;
			return route_make_agg(F_SUM_NUMERIC, NUMERICOID, var, InvalidOid);
		case MONEYOID:
			if (coltype != MONEYOID || as_numeric)
				return NULL;
			return route_make_agg(F_SUM_MONEY, MONEYOID, var, InvalidOid);
		case INTERVALOID:
			if (coltype != INTERVALOID || as_numeric)
				return NULL;
			return route_make_agg(F_SUM_INTERVAL, INTERVALOID, var, InvalidOid);
		default:
			return NULL;
	}
}

/*
 * Rewrite an aggregate of the base into aggregates of the rollup's
 * columns with the same result.
 */
static Node *
route_aggref(Aggref *agg, RouteBinding *b)
{
	Node	   *arg = NULL;
	Oid			argtype = InvalidOid;
	int			col;
	Expr	   *res = NULL;

	if (!b->allow_aggs || agg->agglevelsup != 0 || agg->aggdistinct != NIL ||
		agg->aggorder != NIL || agg->aggfilter != NULL ||
		agg->aggkind != AGGKIND_NORMAL || agg->aggvariadic ||
		agg->aggdirectargs != NIL || agg->aggsplit != AGGSPLIT_SIMPLE)
		goto fail;
	if (!agg->aggstar)
	{
		if (list_length(agg->args) != 1)
			goto fail;
		arg = (Node *) linitial_node(TargetEntry, agg->args)->expr;
		argtype = exprType(arg);
	}

	switch (agg->aggfnoid)
	{
		case F_COUNT_:
			if ((col = route_find(b, "count_star", NULL)) < 0)
				goto fail;
			return route_count(b, col);
		case F_COUNT_ANY:
			if ((col = route_find(b, "count", arg)) < 0)
				goto fail;
			return route_count(b, col);
		case F_SUM_INT2:
		case F_SUM_INT4:
		case F_SUM_INT8:
		case F_SUM_NUMERIC:
		case F_SUM_MONEY:
		case F_SUM_INTERVAL:
			if ((col = route_find(b, "sum", arg)) < 0)
				goto fail;
			res = route_sum(b, col, argtype, false);
			if (res == NULL || exprType((Node *) res) != agg->aggtype)
				goto fail;
			return (Node *) res;
		case F_AVG_INT2:
		case F_AVG_INT4:
		case F_AVG_INT8:
		case F_AVG_NUMERIC:
			{
				int			ccol = route_find(b, "count", arg);
				Expr	   *sum;
				Expr	   *count;

				if ((col = route_find(b, "sum", arg)) < 0 || ccol < 0 ||
					agg->aggtype != NUMERICOID || b->cols[ccol]->type != INT8OID)
					goto fail;
				sum = route_sum(b, col, argtype, true);
				if (sum == NULL)
					goto fail;
				count = route_make_agg(F_SUM_INT8, NUMERICOID,
									   copyObject(b->vars[ccol]), InvalidOid);
				/* NULL over no rows or only NULLs: the sum is NULL, and strict */
				return (Node *) route_make_func(F_NUMERIC_DIV, NUMERICOID,
												list_make2(sum, count));
			}
		default:
			break;
	}

	/* min and max of pg_catalog: of the min / max column, or of a key */
	if (arg != NULL && get_func_namespace(agg->aggfnoid) == PG_CATALOG_NAMESPACE)
	{
		char	   *name = get_func_name(agg->aggfnoid);

		if (name != NULL && (strcmp(name, "min") == 0 || strcmp(name, "max") == 0))
		{
			Aggref	   *copy = copyObject(agg);
			Node	   *x;

			col = route_find(b, name, arg);
			if (col >= 0)
				x = (Node *) copyObject(b->vars[col]);
			else
			{
				bool		allow = b->allow_aggs;

				b->allow_aggs = false;
				x = route_mutator(arg, b);
				b->allow_aggs = allow;
				if (b->failed)
					return (Node *) agg;
			}
			if (exprType(x) != argtype)
				goto fail;
			linitial_node(TargetEntry, copy->args)->expr = (Expr *) x;
			return (Node *) copy;
		}
	}

fail:
	b->failed = true;
	return (Node *) agg;
}

/* Tell whether a node is the queried relation's date column */
static bool
route_is_date_var(Node *node, RouteBinding *b)
{
	return node != NULL && IsA(node, Var) &&
		((Var *) node)->varno == b->rti &&
		((Var *) node)->varlevelsup == 0 &&
		((Var *) node)->varattno == b->date_attno;
}

/*
 * date_trunc(g2, ts) and ts::date on a timestamp date column, from a
 * date_trunc key of a finer grain or from day; NULL when neither.
 */
static Node *
route_date_trunc(FuncExpr *fe, RouteBinding *b)
{
	Node	   *grain_arg;
	char	   *g2;

	if (b->date_type != TIMESTAMPOID)
		return NULL;
	if (fe->funcid == F_DATE_TIMESTAMP && list_length(fe->args) == 1 &&
		route_is_date_var(linitial(fe->args), b))
		return (Node *) copyObject(b->day_var);
	if (fe->funcid != F_DATE_TRUNC_TEXT_TIMESTAMP || list_length(fe->args) != 2 ||
		!route_is_date_var(lsecond(fe->args), b))
		return NULL;
	grain_arg = linitial(fe->args);
	if (!IsA(grain_arg, Const) || ((Const *) grain_arg)->constisnull)
		return NULL;
	g2 = TextDatumGetCString(((Const *) grain_arg)->constvalue);
	for (char *p = g2; *p; p++)
		*p = pg_ascii_tolower((unsigned char) *p);

	for (int i = 0; i < b->ncols; i++)
	{
		FuncExpr   *key = (FuncExpr *) b->trees[i];

		if (b->cols[i]->grain == NULL || strcmp(b->cols[i]->kind, "key") != 0 ||
			!IsA(key, FuncExpr) || key->funcid != F_DATE_TRUNC_TEXT_TIMESTAMP ||
			list_length(key->args) != 2 || !route_is_date_var(lsecond(key->args), b) ||
			!route_grain_derives(b->cols[i]->grain, g2))
			continue;
		return (Node *) route_make_func(F_DATE_TRUNC_TEXT_TIMESTAMP, TIMESTAMPOID,
										list_make2(copyObject(grain_arg),
												   copyObject(b->vars[i])));
	}
	if (strcmp(g2, "hour") == 0 || !route_grain_derives("day", g2))
		return NULL;
	{
		Expr	   *ts = route_make_func(F_TIMESTAMP_DATE, TIMESTAMPOID,
										 list_make1(copyObject(b->day_var)));

		if (strcmp(g2, "day") == 0)
			return (Node *) ts;
		return (Node *) route_make_func(F_DATE_TRUNC_TEXT_TIMESTAMP, TIMESTAMPOID,
										list_make2(copyObject(grain_arg), ts));
	}
}

/* Make "left <strategy> right" with the type's btree operator */
static Node *
route_make_cmp(Expr *left, Expr *right, Oid type, int strategy)
{
	TypeCacheEntry *tce = lookup_type_cache(type, TYPECACHE_BTREE_OPFAMILY);
	Oid			opno = get_opfamily_member(tce->btree_opf, type, type, strategy);
	OpExpr	   *op;

	if (!OidIsValid(opno))
		return NULL;
	op = (OpExpr *) make_opclause(opno, BOOLOID, false, left, right,
								  InvalidOid, InvalidOid);
	op->opfuncid = get_opcode(opno);
	return (Node *) op;
}

/*
 * ts >= c and ts < c on a timestamp date column, with c a constant
 * timestamp at midnight (or a date), as day >= c::date / day < c::date;
 * with c at an hour, on an hour key.  NULL when not of that form.
 */
static Node *
route_date_qual(OpExpr *op, RouteBinding *b)
{
	Node	   *left;
	Node	   *right;
	Node	   *other;
	bool		ge;
	bool		var_left;
	Const	   *c;
	Timestamp	ts;

	if (b->date_type != TIMESTAMPOID || list_length(op->args) != 2)
		return NULL;
	left = linitial(op->args);
	right = lsecond(op->args);
	var_left = route_is_date_var(left, b);
	if (!var_left && !route_is_date_var(right, b))
		return NULL;
	other = var_left ? right : left;
	switch (get_opcode(op->opno))
	{
		case F_TIMESTAMP_GE:
		case F_TIMESTAMP_GE_DATE:
			ge = true;
			if (!var_left)
				return NULL;
			break;
		case F_TIMESTAMP_LT:
		case F_TIMESTAMP_LT_DATE:
			ge = false;
			if (!var_left)
				return NULL;
			break;
		case F_TIMESTAMP_LE:
		case F_DATE_LE_TIMESTAMP:
			ge = true;			/* c <= ts */
			if (var_left)
				return NULL;
			break;
		case F_TIMESTAMP_GT:
		case F_DATE_GT_TIMESTAMP:
			ge = false;			/* c > ts */
			if (var_left)
				return NULL;
			break;
		default:
			return NULL;
	}
	if (contain_var_clause(other) || contain_mutable_functions(other))
		return NULL;
	{
		/*
		 * Fold the constant side; a custom plan's parameters count as
		 * constants (the plan is used for those values only), as the
		 * planner's own folding does.
		 */
		PlannerGlobal glob;
		PlannerInfo root;

		memset(&glob, 0, sizeof(glob));
		memset(&root, 0, sizeof(root));
		glob.type = T_PlannerGlobal;
		glob.boundParams = b->bound_params;
		root.type = T_PlannerInfo;
		root.glob = &glob;
		other = eval_const_expressions(&root, copyObject(other));
	}
	if (!IsA(other, Const) || ((Const *) other)->constisnull)
		return NULL;
	c = (Const *) other;
	if (c->consttype == DATEOID)
		return route_make_cmp(copyObject(b->day_var),
							  (Expr *) makeConst(DATEOID, -1, InvalidOid, 4,
												 c->constvalue, false, true),
							  DATEOID, ge ? BTGreaterEqualStrategyNumber : BTLessStrategyNumber);
	if (c->consttype != TIMESTAMPOID)
		return NULL;
	ts = DatumGetTimestamp(c->constvalue);
	if (DatumGetTimestamp(DirectFunctionCall2(timestamp_trunc,
											  CStringGetTextDatum("day"),
											  TimestampGetDatum(ts))) == ts)
	{
		Datum		d = DirectFunctionCall1(timestamp_date, TimestampGetDatum(ts));

		return route_make_cmp(copyObject(b->day_var),
							  (Expr *) makeConst(DATEOID, -1, InvalidOid, 4,
												 d, false, true),
							  DATEOID, ge ? BTGreaterEqualStrategyNumber : BTLessStrategyNumber);
	}
	if (DatumGetTimestamp(DirectFunctionCall2(timestamp_trunc,
											  CStringGetTextDatum("hour"),
											  TimestampGetDatum(ts))) != ts)
		return NULL;
	for (int i = 0; i < b->ncols; i++)
	{
		FuncExpr   *key = (FuncExpr *) b->trees[i];

		if (b->cols[i]->grain == NULL || strcmp(b->cols[i]->grain, "hour") != 0 ||
			strcmp(b->cols[i]->kind, "key") != 0 ||
			!IsA(key, FuncExpr) || key->funcid != F_DATE_TRUNC_TEXT_TIMESTAMP ||
			list_length(key->args) != 2 || !route_is_date_var(lsecond(key->args), b))
			continue;
		return route_make_cmp(copyObject(b->vars[i]), (Expr *) copyObject(c),
							  TIMESTAMPOID,
							  ge ? BTGreaterEqualStrategyNumber : BTLessStrategyNumber);
	}
	return NULL;
}

/*
 * Rewrite an expression over the queried relation into one over the
 * rollup's columns; sets b->failed when some part cannot be derived.
 */
static Node *
route_mutator(Node *node, RouteBinding *b)
{
	Node	   *res;

	if (node == NULL || b->failed)
		return node;

	/* an expression equal to a key is its column */
	if (!IsA(node, Const) && !IsA(node, List) && !IsA(node, TargetEntry))
	{
		for (int i = 0; i < b->ncols; i++)
		{
			if (strcmp(b->cols[i]->kind, "key") == 0 && equal(node, b->trees[i]))
				return (Node *) copyObject(b->vars[i]);
		}
	}

	switch (nodeTag(node))
	{
		case T_Var:
			{
				Var		   *var = (Var *) node;

				if (var->varlevelsup != 0 || var->varno != b->rti)
					break;
				if (var->varattno == b->schema_attno)
					return (Node *) copyObject(b->schema_var);
				if (var->varattno == b->date_attno && b->date_type == DATEOID)
					return (Node *) copyObject(b->day_var);
				break;
			}
		case T_Aggref:
			return route_aggref((Aggref *) node, b);
		case T_FuncExpr:
			if ((res = route_date_trunc((FuncExpr *) node, b)) != NULL)
				return res;
			return expression_tree_mutator(node, route_mutator, b);
		case T_OpExpr:
			if ((res = route_date_qual((OpExpr *) node, b)) != NULL)
				return res;
			return expression_tree_mutator(node, route_mutator, b);
		case T_Param:
			/* a statement's parameter is one value for every row */
			if (((Param *) node)->paramkind == PARAM_EXTERN)
				return (Node *) copyObject(node);
			break;
		case T_SubLink:
		case T_SubPlan:
		case T_WindowFunc:
		case T_GroupingFunc:
		case T_PlaceHolderVar:
		case T_CurrentOfExpr:
		case T_NextValueExpr:
			break;
		default:
			return expression_tree_mutator(node, route_mutator, b);
	}
	b->failed = true;
	return node;
}

/* Read a text attribute of a catalog row, NULL when null */
static char *
route_text_attr(HeapTuple tup, TupleDesc desc, const char *name)
{
	AttrNumber	attno = InvalidAttrNumber;
	bool		isnull;
	Datum		d;

	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped &&
			strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
			attno = i + 1;
	if (attno == InvalidAttrNumber)
		return NULL;
	d = heap_getattr(tup, attno, desc, &isnull);
	if (isnull)
		return NULL;
	if (TupleDescAttr(desc, attno - 1)->atttypid == TEXTOID)
		return TextDatumGetCString(d);
	if (TupleDescAttr(desc, attno - 1)->atttypid == BOOLOID)
		return pstrdup(DatumGetBool(d) ? "t" : "f");
	if (TupleDescAttr(desc, attno - 1)->atttypid == INT4OID)
		return psprintf("%d", DatumGetInt32(d));
	if (TupleDescAttr(desc, attno - 1)->atttypid == REGTYPEOID ||
		TupleDescAttr(desc, attno - 1)->atttypid == OIDOID)
		return psprintf("%u", DatumGetObjectId(d));
	return NULL;
}

/* Open a table of _wh by name, or return NULL when it does not exist */
static Relation
route_open_catalog(RouteState *state, const char *name)
{
	Oid			relid = get_relname_relid(name, state->wh_namespace);

	Relation	rel;

	if (!OidIsValid(relid))
		return NULL;
	/* dropped since the name was looked up: as if it did not exist */
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		return NULL;
	/* read with heap_getnext: biwh's tables are heap ones (00_schemas.sql) */
	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
	{
		table_close(rel, AccessShareLock);
		return NULL;
	}
	return rel;
}

/*
 * Read the ready rollups of _wh.rollups under the query's snapshot,
 * ordered by name.
 */
static List *
route_read_rollups(RouteState *state)
{
	Relation	rel = route_open_catalog(state, "rollups");
	TableScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	if (rel == NULL)
		return NIL;
	scan = table_beginscan(rel, state->snapshot, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		char	   *ready = route_text_attr(tup, RelationGetDescr(rel), "ready");
		RouteRollup *ru;

		if (ready == NULL || strcmp(ready, "t") != 0)
			continue;
		ru = palloc0(sizeof(RouteRollup));
		ru->name = route_text_attr(tup, RelationGetDescr(rel), "rollup_name");
		ru->template_name = route_text_attr(tup, RelationGetDescr(rel), "template_name");
		if (ru->name != NULL && ru->template_name != NULL)
			result = lappend(result, ru);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/* Order rollup columns by position */
static int
route_column_cmp(const ListCell *a, const ListCell *b)
{
	int			pa = ((RouteColumn *) lfirst(a))->position;
	int			pb = ((RouteColumn *) lfirst(b))->position;

	return pa - pb;
}

/*
 * Read a rollup's columns from _wh.rollup_columns and its template's date
 * column from _wh.mv_templates (columns NIL when unusable).
 */
static void
route_load_columns(RouteState *state, RouteRollup *ru)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	List	   *cols = NIL;

	if (ru->loaded)
		return;
	ru->loaded = true;

	if ((rel = route_open_catalog(state, "mv_templates")) == NULL)
		return;
	scan = table_beginscan(rel, state->snapshot, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		char	   *name = route_text_attr(tup, RelationGetDescr(rel), "template_name");

		if (name != NULL && strcmp(name, ru->template_name) == 0)
			ru->date_column = route_text_attr(tup, RelationGetDescr(rel), "date_column");
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	if (ru->date_column == NULL)
		return;

	if ((rel = route_open_catalog(state, "rollup_columns")) == NULL)
		return;
	scan = table_beginscan(rel, state->snapshot, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		TupleDesc	desc = RelationGetDescr(rel);
		char	   *name = route_text_attr(tup, desc, "rollup_name");
		RouteColumn *col;
		char	   *tree;
		char	   *pos;
		char	   *type;

		if (name == NULL || strcmp(name, ru->name) != 0)
			continue;
		col = palloc0(sizeof(RouteColumn));
		col->name = route_text_attr(tup, desc, "column_name");
		col->kind = route_text_attr(tup, desc, "kind");
		col->grain = route_text_attr(tup, desc, "grain");
		tree = route_text_attr(tup, desc, "tree");
		pos = route_text_attr(tup, desc, "position");
		type = route_text_attr(tup, desc, "column_type");
		if (col->name == NULL || col->kind == NULL || pos == NULL || type == NULL ||
			(tree == NULL && strcmp(col->kind, "count_star") != 0))
		{
			cols = NIL;
			break;
		}
		if (tree != NULL)
			col->tree = stringToNode(tree);
		col->position = atoi(pos);
		col->type = (Oid) strtoul(type, NULL, 10);
		cols = lappend(cols, col);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);

	list_sort(cols, route_column_cmp);
	ru->columns = cols;
}

PG_FUNCTION_INFO_V1(rollup_invalidate_plans);

/*
 * _wh.rollup_invalidate_plans(master): invalidate the relation cache
 * entries of a master and of its tenant relations at commit, and with
 * them the cached plans that read them (_wh.rollups' trigger).
 */
Datum
rollup_invalidate_plans(PG_FUNCTION_ARGS)
{
	Oid			master = PG_GETARG_OID(0);
	ListCell   *lc;

	CacheInvalidateRelcacheByRelid(master);
	foreach(lc, find_inheritance_children(master, NoLock))
		CacheInvalidateRelcacheByRelid(lfirst_oid(lc));
	PG_RETURN_VOID();
}
