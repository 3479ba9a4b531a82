/*-------------------------------------------------------------------------
 *
 * columnar_agg_distinct.c
 *	  The distinct values of one column per group, for count(DISTINCT x)
 *	  computed on column vectors (columnar_agg.c).
 *
 * One hash table (simplehash.h) per aggregate holds (group, value) pairs.
 * Values are equal as the type's default equality says, under the
 * aggregate's collation, and hashed by the type's hash function, the
 * pair PostgreSQL's hashed grouping uses; for integer-like types whose
 * equal values have equal Datums, the Datum itself is compared and hashed.
 * PostgreSQL computes count(DISTINCT) by sorting with the type's btree
 * order; for the types accepted here, the two notions of equality agree
 * (numeric 1.0 = 1.00, float -0 = 0 and NaN = NaN, interval '1 day' = '24
 * hours', bpchar ignoring trailing spaces, text under nondeterministic
 * collations).
 *
 * By-reference values are copied into the table's memory context; the
 * caller's memory accounting sees them (ColumnarAgg nodes bound their
 * context).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/datum.h"
#include "utils/typcache.h"

#include "columnar_agg_distinct.h"
#include "columnar_vector.h"

typedef struct DistinctKey
{
	uint32		group;
	uint32		hash;
	Datum		value;
} DistinctKey;

typedef struct DistinctEntry
{
	DistinctKey key;
	char		status;
} DistinctEntry;

struct ColumnarDistinctSet
{
	struct distinctset_hash *table;
	MemoryContext cxt;
	Oid			collation;
	int16		typlen;
	bool		typbyval;
	bool		bitwise;		/* equal values have equal Datums */
	FmgrInfo	hash;
	FmgrInfo	eq;
};

static inline bool distinct_equal(ColumnarDistinctSet *set, const DistinctKey *a,
								  const DistinctKey *b);

#define SH_PREFIX distinctset
#define SH_ELEMENT_TYPE DistinctEntry
#define SH_KEY_TYPE DistinctKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) ((k).hash)
#define SH_EQUAL(tb, a, b) distinct_equal((ColumnarDistinctSet *) (tb)->private_data, &(a), &(b))
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->key.hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

static inline bool
distinct_equal(ColumnarDistinctSet *set, const DistinctKey *a, const DistinctKey *b)
{
	if (a->group != b->group)
		return false;
	if (set->bitwise)
		return a->value == b->value;
	return DatumGetBool(FunctionCall2Coll(&set->eq, set->collation, a->value, b->value));
}

/* Is every pair of equal values of typid the same Datum? */
static inline bool
bitwise_type(Oid typid)
{
	return ColumnarTypeIntegerOrdered(typid) || typid == BOOLOID;
}

/*
 * Return whether count(DISTINCT) of a column of (base) type typid is
 * computed here: the types the vectors hold whose hash equality is their
 * sort equality.
 */
bool
ColumnarDistinctSupported(Oid typid)
{
	switch (typid)
	{
		case BOOLOID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
		case DATEOID:
		case TIMEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case INTERVALOID:
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			return true;
	}
	return false;
}

/*
 * Make an empty set of (group, value) pairs for values of (base) type
 * typid, compared under collation, in memory context cxt.
 */
ColumnarDistinctSet *
ColumnarDistinctCreate(Oid typid, Oid collation, int16 typlen, bool typbyval,
					   MemoryContext cxt)
{
	ColumnarDistinctSet *set = MemoryContextAllocZero(cxt, sizeof(ColumnarDistinctSet));

	set->cxt = cxt;
	set->collation = collation;
	set->typlen = typlen;
	set->typbyval = typbyval;
	set->bitwise = bitwise_type(typid) && typbyval;
	if (!set->bitwise)
	{
		TypeCacheEntry *tce = lookup_type_cache(typid, TYPECACHE_HASH_PROC_FINFO |
												TYPECACHE_EQ_OPR_FINFO);

		if (!OidIsValid(tce->hash_proc_finfo.fn_oid) || !OidIsValid(tce->eq_opr_finfo.fn_oid))
			elog(ERROR, "no hash function or equality for type %u", typid);
		fmgr_info_cxt(tce->hash_proc_finfo.fn_oid, &set->hash, cxt);
		fmgr_info_cxt(tce->eq_opr_finfo.fn_oid, &set->eq, cxt);
	}
	set->table = distinctset_create(cxt, 256, set);
	return set;
}

/*
 * Add value (not NULL) to the values of group; return whether it is new
 * there.
 */
bool
ColumnarDistinctAdd(ColumnarDistinctSet *set, uint32 group, Datum value)
{
	DistinctKey key;
	DistinctEntry *entry;
	bool		found;
	uint32		vhash;

	if (set->bitwise)
		vhash = hash_combine(murmurhash32((uint32) value), murmurhash32((uint32) ((uint64) value >> 32)));
	else
		vhash = DatumGetUInt32(FunctionCall1Coll(&set->hash, set->collation, value));
	key.group = group;
	key.hash = hash_combine(murmurhash32(group), vhash);
	key.value = value;
	entry = distinctset_insert(set->table, key, &found);
	if (!found && !set->typbyval)
	{
		MemoryContext old = MemoryContextSwitchTo(set->cxt);

		entry->key.value = datumCopy(value, false, set->typlen);
		MemoryContextSwitchTo(old);
	}
	return !found;
}
