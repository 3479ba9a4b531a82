/*-------------------------------------------------------------------------
 *
 * wh_rollup_parse.c
 *	  Parsing one group key or aggregate of a rollup declaration
 *	  (_wh.rollup_parse, declared in sql/install/20_wh_8_rollup_parse.sql).
 *
 * A rollup keeps, per tenant schema and day, one row per distinct key
 * tuple with aggregates that can be combined across days and across
 * coarser keys: count(*), count(x), sum(x), min(x), max(x), and avg(x)
 * kept as sum(x) and count(x).  This file turns one declared expression
 * into what the warehouse layer stores about it (kind, grain, column,
 * normalized text, analyzed tree, column type) and refuses what cannot be
 * maintained or matched:
 *	- a group key is a column of the master relation or
 *	  date_trunc('hour' | 'day' | 'week' | 'month', <timestamp column>);
 *	- aggregates other than the five, or with DISTINCT, ORDER BY or FILTER,
 *	  are not decomposable;
 *	- keys and aggregate arguments must be immutable (a stored value must
 *	  not depend on the loader's session settings, such as its time zone),
 *	  contain no subquery, window function or set-returning function.
 *
 * Trust.  The normalized text is later run by the loader (a SECURITY
 * DEFINER path) to compute the rollup rows, so every function, operator
 * and type the expression uses must live in pg_catalog: nothing a
 * non-superuser created may run there.  The expression is parsed with the
 * SQL function's fixed search_path (pg_catalog, pg_temp, where pg_temp is
 * never searched for functions or operators), and the analyzed tree is
 * then checked node by node, so a name that resolved elsewhere is refused
 * rather than trusted.  Parsing runs the parser only: nothing is executed.
 *
 * The tree is nodeToString() of the analyzed key or argument, its Vars
 * with varno 1 and the master's attribute numbers: the routing hook
 * compares it with the expressions of a query on the master.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "access/nbtree.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_func.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(rollup_parse);

/* What one declared expression is */
typedef struct RollupItem
{
	const char *kind;			/* key, count_star, count, sum, min, max, avg */
	const char *grain;			/* date_trunc grain of a key, or NULL */
	const char *column;			/* the column of a key, or NULL */
	Node	   *expr;			/* the key, or the aggregate's argument */
	Oid			type;			/* the rollup column's type */
} RollupItem;

/* The grains a date_trunc key may have */
static const char *const rollup_grains[] = {"hour", "day", "week", "month"};

/*
 * Return whether the object in namespace nsp is biwh's to trust.
 */
static bool
trusted_namespace(Oid nsp)
{
	return nsp == PG_CATALOG_NAMESPACE;
}

/*
 * Return the namespace of a type.
 */
static Oid
type_namespace(Oid typid)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	Oid			nsp;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", typid);
	nsp = ((Form_pg_type) GETSTRUCT(tup))->typnamespace;
	ReleaseSysCache(tup);
	return nsp;
}

/*
 * check_functions_in_node callback: true when a function is not in
 * pg_catalog.
 */
static bool
untrusted_function(Oid funcid, void *context)
{
	return !trusted_namespace(get_func_namespace(funcid));
}

/*
 * Walker: refuse any function, operator or type outside pg_catalog.
 */
static bool
check_trusted_walker(Node *node, void *context)
{
	const char *source = (const char *) context;

	if (node == NULL)
		return false;
	if (check_functions_in_node(node, untrusted_function, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("rollup expression \"%s\" uses a function that is not built in", source),
				 errdetail("Rollups are computed by the loader, which runs only functions and operators of pg_catalog."),
				 errhint("Write the expression with built-in functions and operators.")));
	if (IsA(node, OpExpr) || IsA(node, DistinctExpr) || IsA(node, NullIfExpr) ||
		IsA(node, ScalarArrayOpExpr))
	{
		Oid			opno = IsA(node, ScalarArrayOpExpr) ?
			((ScalarArrayOpExpr *) node)->opno : ((OpExpr *) node)->opno;
		HeapTuple	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
		Oid			nsp;

		if (!HeapTupleIsValid(tup))
			elog(ERROR, "cache lookup failed for operator %u", opno);
		nsp = ((Form_pg_operator) GETSTRUCT(tup))->oprnamespace;
		ReleaseSysCache(tup);
		if (!trusted_namespace(nsp))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("rollup expression \"%s\" uses an operator that is not built in", source),
					 errdetail("Rollups are computed by the loader, which runs only functions and operators of pg_catalog."),
					 errhint("Write the expression with built-in functions and operators.")));
	}
	if (IsA(node, Aggref) &&
		!trusted_namespace(get_func_namespace(((Aggref *) node)->aggfnoid)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("rollup expression \"%s\" uses an aggregate that is not built in", source),
				 errhint("Rollups keep count, sum, min, max and avg.")));
	if (!IsA(node, List) && !IsA(node, TargetEntry))
	{
		Oid			typid = exprType(node);

		if (OidIsValid(typid) && !trusted_namespace(type_namespace(typid)))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("rollup expression \"%s\" uses type %s, which is not built in",
							source, format_type_be(typid)),
					 errhint("Use built-in types in rollup expressions.")));
	}
	return expression_tree_walker(node, check_trusted_walker, context);
}

/*
 * Refuse a key or argument whose value could depend on anything but the
 * row.
 */
static void
check_immutable(Node *expr, const char *source)
{
	if (contain_mutable_functions(expr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rollup expression \"%s\" is not immutable", source),
				 errdetail("A rollup stores values computed when a day is loaded, so they must not depend on settings such as the time zone, or change between calls."),
				 errhint("Use immutable functions only (date_trunc on a timestamp without time zone column, not on timestamptz or date).")));
}

/*
 * Return the type of sum(argtype), for keeping avg(x) as sum and count.
 */
static Oid
sum_result_type(Oid argtype, const char *source)
{
	Oid			funcid;

	funcid = LookupFuncName(list_make2(makeString("pg_catalog"), makeString("sum")),
							1, &argtype, true);
	if (!OidIsValid(funcid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("aggregate \"%s\" cannot be kept in a rollup", source),
				 errdetail("There is no sum(%s) to keep avg as sum and count.", format_type_be(argtype))));
	return get_func_rettype(funcid);
}

/*
 * Classify an aggregate call; refuse what cannot be combined across days.
 */
static void
classify_aggregate(Aggref *agg, const char *source, RollupItem *item)
{
	const char *name = get_func_name(agg->aggfnoid);

	if (agg->aggdistinct != NIL || agg->aggorder != NIL || agg->aggfilter != NULL ||
		agg->aggkind != AGGKIND_NORMAL || agg->agglevelsup != 0 || agg->aggvariadic ||
		agg->aggdirectargs != NIL || !trusted_namespace(get_func_namespace(agg->aggfnoid)) ||
		name == NULL ||
		(strcmp(name, "count") != 0 && strcmp(name, "sum") != 0 &&
		 strcmp(name, "min") != 0 && strcmp(name, "max") != 0 && strcmp(name, "avg") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("aggregate \"%s\" is not decomposable", source),
				 errdetail("A rollup keeps aggregates that can be combined across days and coarser keys: count(*), count(x), sum(x), min(x), max(x) and avg(x), without DISTINCT, ORDER BY or FILTER."),
				 errhint("Other aggregates are computed from the master relation.")));

	item->type = agg->aggtype;
	if (agg->aggstar)
	{
		item->kind = "count_star";
		item->expr = NULL;
		return;
	}
	if (list_length(agg->args) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("aggregate \"%s\" is not decomposable", source),
				 errhint("Rollup aggregates take one argument.")));
	item->expr = (Node *) linitial_node(TargetEntry, agg->args)->expr;
	item->kind = name;
	if (strcmp(name, "avg") == 0)
		item->type = sum_result_type(exprType(item->expr), source);
}

/*
 * Return whether values of typid that are equal (under collid) are the same
 * value, image for image (btree's "equalimage"): a rollup keeps one value
 * per group, so a key of numeric (2.5 = 2.50), float (-0 = 0) or a
 * nondeterministic collation would give back another spelling than the
 * master's rows have.
 */
static bool
key_equal_image(Oid typid, Oid collid)
{
	TypeCacheEntry *tc = lookup_type_cache(typid, TYPECACHE_BTREE_OPFAMILY);
	Oid			proc;

	if (!OidIsValid(tc->btree_opf))
		return false;
	proc = get_opfamily_proc(tc->btree_opf, tc->btree_opintype, tc->btree_opintype,
							 BTEQUALIMAGE_PROC);
	if (!OidIsValid(proc))
		return false;
	return DatumGetBool(OidFunctionCall1Coll(proc, collid, ObjectIdGetDatum(tc->btree_opintype)));
}

/*
 * Classify a group key: a column, or date_trunc(grain, timestamp column).
 */
static void
classify_key(Relation rel, Node *expr, const char *source, RollupItem *item)
{
	item->kind = "key";
	item->expr = expr;
	item->type = exprType(expr);

	if (IsA(expr, Var))
	{
		item->column = get_attname(RelationGetRelid(rel), ((Var *) expr)->varattno, false);
		if (!key_equal_image(item->type, exprCollation(expr)))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column \"%s\" of type %s cannot be a rollup group key",
							item->column, format_type_be(item->type)),
					 errdetail("Equal values of this type can differ in how they are written (such as 2.5 and 2.50), and a rollup keeps one of them per group."),
					 errhint("Group by a column of an integer, text, date, timestamp or boolean type.")));
		return;
	}
	if (IsA(expr, FuncExpr) && ((FuncExpr *) expr)->funcid == F_DATE_TRUNC_TEXT_TIMESTAMP)
	{
		FuncExpr   *f = (FuncExpr *) expr;
		Node	   *unit = linitial(f->args);
		Node	   *arg = lsecond(f->args);

		if (IsA(unit, Const) && !((Const *) unit)->constisnull && IsA(arg, Var))
		{
			char	   *grain = TextDatumGetCString(((Const *) unit)->constvalue);
			int			i;

			for (i = 0; i < lengthof(rollup_grains); i++)
			{
				if (strcmp(grain, rollup_grains[i]) == 0)
				{
					item->grain = rollup_grains[i];
					item->column = get_attname(RelationGetRelid(rel), ((Var *) arg)->varattno, false);
					return;
				}
			}
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("expression \"%s\" cannot be a rollup group key", source),
			 errdetail("A group key is a column of the template or date_trunc('hour' | 'day' | 'week' | 'month', <column>) of a timestamp (without time zone) column."),
			 errhint("Write the grain in lower case, as a string literal.")));
}

/*
 * Raw-tree walker: refuse, before anything is analyzed, every type,
 * function and operator named outside pg_catalog.  Analysis itself may run
 * code: a literal is converted by its type's input function, and an array
 * or range of a domain checks the domain's constraints there, as the
 * current user (the extension owner, in create_rollup); the walker over
 * the analyzed tree would come too late.
 */
static bool
check_raw_names_walker(Node *node, void *context)
{
	const char *source = (const char *) context;
	List	   *qualified = NIL;

	if (node == NULL)
		return false;
	if (IsA(node, TypeName))
	{
		Oid			typid = LookupTypeNameOid(NULL, (TypeName *) node, true);

		if (OidIsValid(typid) && !trusted_namespace(type_namespace(typid)))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("rollup expression \"%s\" uses type %s, which is not built in",
							source, format_type_be(typid)),
					 errhint("Use built-in types in rollup expressions.")));
		return false;
	}
	if (IsA(node, FuncCall))
		qualified = ((FuncCall *) node)->funcname;
	else if (IsA(node, A_Expr))
		qualified = ((A_Expr *) node)->name;
	if (list_length(qualified) > 1 &&
		strcmp(strVal(linitial(qualified)), "pg_catalog") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("rollup expression \"%s\" uses a function or operator that is not built in", source),
				 errdetail("Rollups are computed by the loader, which runs only functions and operators of pg_catalog."),
				 errhint("Write the expression with built-in functions and operators.")));
	return raw_expression_tree_walker(node, check_raw_names_walker, context);
}

/*
 * Error context callback: report a parser's error position as a position
 * in the rollup expression rather than in the statement that called
 * _wh.rollup_parse.
 */
static void
expression_error_callback(void *arg)
{
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery((const char *) arg);
	}
}

/*
 * Parse one expression over the master relation and analyze it.
 */
static Node *
parse_over_relation(Relation rel, const char *source)
{
	ErrorContextCallback errcallback;
	List	   *raw;
	SelectStmt *stmt;
	ResTarget  *target;
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	Node	   *expr;

	errcallback.callback = expression_error_callback;
	errcallback.arg = (void *) source;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	raw = raw_parser(source, RAW_PARSE_PLPGSQL_EXPR);
	stmt = (SelectStmt *) linitial_node(RawStmt, raw)->stmt;
	if (!IsA(stmt, SelectStmt) || list_length(stmt->targetList) != 1 ||
		stmt->distinctClause != NIL || stmt->fromClause != NIL ||
		stmt->whereClause != NULL || stmt->groupClause != NIL ||
		stmt->havingClause != NULL || stmt->windowClause != NIL ||
		stmt->sortClause != NIL || stmt->limitCount != NULL ||
		stmt->limitOffset != NULL || stmt->lockingClause != NIL ||
		linitial_node(ResTarget, stmt->targetList)->name != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("rollup expression \"%s\" is not a single expression", source),
				 errhint("Give each group key and each aggregate as its own array element, without AS, FROM or WHERE.")));
	target = linitial_node(ResTarget, stmt->targetList);
	if (IsA(target->val, ColumnRef) &&
		IsA(llast(((ColumnRef *) target->val)->fields), A_Star))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("rollup expression \"%s\" is not a single expression", source),
				 errhint("Name the columns one by one.")));

	check_raw_names_walker(target->val, (void *) source);

	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = source;
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL, false, true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	expr = transformExpr(pstate, target->val, EXPR_KIND_SELECT_TARGET);
	assign_expr_collations(pstate, expr);

	if (pstate->p_hasWindowFuncs || pstate->p_hasSubLinks || pstate->p_hasTargetSRFs ||
		IsA(expr, RowExpr) || exprType(expr) == RECORDOID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rollup expression \"%s\" cannot contain subqueries, window functions, set-returning functions or rows", source)));
	free_parsestate(pstate);
	error_context_stack = errcallback.previous;
	return expr;
}

/*
 * _wh.rollup_parse(master regclass, expression text): what a rollup
 * stores about one group key or aggregate; see the file banner.
 */
Datum
rollup_parse(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *source = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Relation	rel;
	Node	   *expr;
	RollupItem	item = {0};
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	rel = relation_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", RelationGetRelationName(rel))));

	expr = parse_over_relation(rel, source);
	if (IsA(expr, Aggref))
		classify_aggregate((Aggref *) expr, source, &item);
	else if (contain_agg_clause(expr))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("aggregate \"%s\" is not decomposable", source),
				 errdetail("An aggregate of a rollup is one call of count, sum, min, max or avg, not an expression over aggregates."),
				 errhint("Compute expressions over the rollup's aggregates when querying it.")));
	else
		classify_key(rel, expr, source, &item);
	if (item.expr != NULL)
	{
		check_trusted_walker(item.expr, (void *) source);
		check_immutable(item.expr, source);
	}

	values[0] = CStringGetTextDatum(item.kind);
	nulls[1] = item.grain == NULL;
	if (item.grain)
		values[1] = CStringGetTextDatum(item.grain);
	nulls[2] = item.column == NULL;
	if (item.column)
		values[2] = CStringGetTextDatum(item.column);
	nulls[3] = nulls[4] = item.expr == NULL;
	if (item.expr)
	{
		List	   *context = deparse_context_for(RelationGetRelationName(rel), relid);

		values[3] = CStringGetTextDatum(deparse_expression(item.expr, context, false, false));
		values[4] = CStringGetTextDatum(nodeToString(item.expr));
	}
	values[5] = ObjectIdGetDatum(item.type);

	relation_close(rel, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
