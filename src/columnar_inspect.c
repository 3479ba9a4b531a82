/*-------------------------------------------------------------------------
 *
 * columnar_inspect.c
 *	  SQL diagnostics of columnar tables: storage id, free pages, encoding
 *	  names, zone-map bounds as text, and the full check of every chunk.
 *
 * Installed in schema biwh (sql/install/10_columnar.sql), which BI roles
 * cannot use.  Each function opens its table through open_columnar, which
 * refuses anything but a columnar table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "columnar_catalog.h"
#include "columnar_reader.h"
#include "columnar_storage.h"
#include "columnar_zonemap.h"

PG_FUNCTION_INFO_V1(columnar_storage_id);
PG_FUNCTION_INFO_V1(columnar_free_pages);
PG_FUNCTION_INFO_V1(columnar_encoding_name);
PG_FUNCTION_INFO_V1(columnar_bound_text);
PG_FUNCTION_INFO_V1(columnar_verify);

/*
 * Open relid with AccessShareLock; raise wrong_object_type unless it is a
 * columnar table.
 */
static Relation
open_columnar(Oid relid)
{
	Relation	rel = relation_open(relid, AccessShareLock);

	if (!ColumnarIsColumnarRelation(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("table \"%s\" is not a columnar table",
						RelationGetRelationName(rel))));
	return rel;
}

/*
 * SQL: the storage id of a columnar table, NULL while it has none.
 */
Datum
columnar_storage_id(PG_FUNCTION_ARGS)
{
	Relation	rel = open_columnar(PG_GETARG_OID(0));
	uint64		id;

	id = ColumnarStorageId(rel);
	relation_close(rel, AccessShareLock);
	if (id == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64((int64) id);
}

/*
 * SQL: the number of pages of a columnar table in its free list.
 */
Datum
columnar_free_pages(PG_FUNCTION_ARGS)
{
	Relation	rel = open_columnar(PG_GETARG_OID(0));
	BlockNumber n;

	n = ColumnarFreePages(rel);
	relation_close(rel, AccessShareLock);
	PG_RETURN_INT64((int64) n);
}

/*
 * SQL: the name of an encoding number.
 */
Datum
columnar_encoding_name(PG_FUNCTION_ARGS)
{
	int			enc = PG_GETARG_INT16(0);

	if (enc < 0 || enc >= COLUMNAR_ENC_COUNT)
		PG_RETURN_TEXT_P(cstring_to_text(psprintf("unknown (%d)", enc)));
	PG_RETURN_TEXT_P(cstring_to_text(ColumnarEncodingName((ColumnarEncoding) enc)));
}

/*
 * SQL: the text form of a stored min or max image of column attnum of a
 * columnar table (for people; NULL when it does not fit the column's type).
 */
Datum
columnar_bound_text(PG_FUNCTION_ARGS)
{
	Relation	rel = open_columnar(PG_GETARG_OID(0));
	int			attnum = PG_GETARG_INT32(1);
	bytea	   *b = PG_GETARG_BYTEA_PP(2);
	uint32		len = VARSIZE_ANY_EXHDR(b);
	char	   *image = palloc(Max(len, sizeof(Datum)));
	Form_pg_attribute att;
	Datum		value;
	Oid			outfunc;
	bool		isvarlena;
	char	   *result;

	if (attnum < 1 || attnum > RelationGetDescr(rel)->natts ||
		TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attisdropped)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column %d of table \"%s\" does not exist",
						attnum, RelationGetRelationName(rel))));
	att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	memcpy(image, VARDATA_ANY(b), len);
	if (!ColumnarBoundDatum(image, len, att->attlen, att->attbyval, &value))
	{
		relation_close(rel, AccessShareLock);
		PG_RETURN_NULL();
	}
	getTypeOutputInfo(att->atttypid, &outfunc, &isvarlena);
	result = OidOutputFunctionCall(outfunc, value);
	relation_close(rel, AccessShareLock);
	PG_RETURN_TEXT_P(cstring_to_text(result));
}


/*
 * SQL: read, check and decode every chunk of a columnar table; returns the
 * row groups, chunks and rows checked, or raises ERRCODE_DATA_CORRUPTED.
 */
Datum
columnar_verify(PG_FUNCTION_ARGS)
{
	Relation	rel = open_columnar(PG_GETARG_OID(0));
	TupleDesc	resdesc;
	Snapshot	snapshot;
	List	   *groups;
	ListCell   *lc;
	MemoryContext cxt;
	BlockNumber nblocks;
	int64		ngroups = 0,
				nchunks = 0,
				nrows = 0;
	uint64		next_first = 0;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &resdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	groups = ColumnarCatalogRowGroups(ColumnarStorageId(rel), snapshot);
	nblocks = RelationGetNumberOfBlocks(rel);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "columnar verify",
								ALLOCSET_DEFAULT_SIZES);
	foreach(lc, groups)
	{
		ColumnarRowGroupMeta *meta = lfirst(lc);
		BlockNumber nb = ColumnarStreamPages(meta->data_length);
		ColumnarBatch *batch;

		CHECK_FOR_INTERRUPTS();
		if (meta->first_row < next_first ||
			meta->start_block == 0 || meta->start_block + nb > nblocks)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("columnar table \"%s\" has an inconsistent row group at row %llu",
							RelationGetRelationName(rel),
							(unsigned long long) meta->first_row),
					 errdetail("It overlaps another row group or lies outside the %u blocks of the relation.",
							   nblocks)));
		next_first = meta->first_row + meta->row_count;
		MemoryContextReset(cxt);
		batch = ColumnarLoadRowGroup(rel, meta, RelationGetDescr(rel), true, NULL, cxt);
		for (int i = 0; i < batch->ncols; i++)
			if (batch->vectors[i] != NULL)
				nchunks++;
		ngroups++;
		nrows += meta->row_count;
	}
	MemoryContextDelete(cxt);
	UnregisterSnapshot(snapshot);
	relation_close(rel, AccessShareLock);

	values[0] = Int64GetDatum(ngroups);
	values[1] = Int64GetDatum(nchunks);
	values[2] = Int64GetDatum(nrows);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(resdesc), values, nulls)));
}
