/*-------------------------------------------------------------------------
 *
 * columnar_agg_group.c
 *	  Grouping rows of column vectors into dense group numbers, for the
 *	  vectorized aggregate.
 *
 * Two levels.  Each key column numbers its distinct values densely (a NULL
 * is a value of its own, as in GROUP BY): integer-ordered and boolean
 * values in a hash table (simplehash.h) on their raw 64-bit value, text
 * under a deterministic collation on its bytes, everything else with the
 * type's own hash and equality functions under the key's collation (so
 * 1.5 and 1.50, or -0 and 0, fall into one group, as PostgreSQL groups
 * them).  A DICT vector is looked up once per dictionary entry, not per
 * row: its rows then take the number of their code.  The first value seen
 * of a group is the one returned for it, as PostgreSQL's hashed
 * aggregation returns the first row's.
 *
 * With one key, an array maps value numbers to groups (a dictionary's
 * entries are numbered ahead of its rows, so a value may have a number
 * and, until a row of it passes, no group).  With several, the tuple of
 * value numbers is the group: found in a direct array indexed by
 * the numbers while the product of the keys' value counts (rounded up to
 * powers of two) stays within COLUMNAR_DIRECT_GROUPS entries, in a hash
 * table on the tuple beyond.  So GROUP BY of a few low-cardinality columns
 * costs an array lookup per row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "columnar_agg_group.h"

/* entries of the direct array of a multi-key grouping, at most */
#define COLUMNAR_DIRECT_GROUPS	(1 << 16)

typedef enum KeyMode
{
	KM_INT,						/* raw value as int64 */
	KM_BYTES,					/* text bytes, deterministic collation */
	KM_GENERIC					/* the type's hash and equality functions */
} KeyMode;

struct KeyColumn;

/* Mix the bits of a 64-bit value into a 32-bit hash (a finalizer mix). */
static inline uint32
mix64(uint64 k)
{
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64CONST(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return (uint32) k;
}

/* a value's number, by raw integer */
typedef struct IntEntry
{
	int64		key;
	uint32		id;
	char		status;
} IntEntry;

#define SH_PREFIX inttab
#define SH_ELEMENT_TYPE IntEntry
#define SH_KEY_TYPE int64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) mix64((uint64) (k))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* a value's number, by Datum (bytes or the type's functions) */
typedef struct DatumEntry
{
	Datum		key;
	uint32		hash;
	uint32		id;
	char		status;
} DatumEntry;

static uint32 datum_hash(struct KeyColumn *kc, Datum d);
static bool datum_equal(struct KeyColumn *kc, Datum a, Datum b);

#define SH_PREFIX datumtab
#define SH_ELEMENT_TYPE DatumEntry
#define SH_KEY_TYPE Datum
#define SH_KEY key
#define SH_HASH_KEY(tb, k) datum_hash((struct KeyColumn *) (tb)->private_data, (k))
#define SH_EQUAL(tb, a, b) datum_equal((struct KeyColumn *) (tb)->private_data, (a), (b))
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* a group's number, by the tuple of its keys' value numbers */
typedef struct CompKey
{
	uint32		ids[COLUMNAR_MAX_GROUP_KEYS];
} CompKey;

typedef struct CompEntry
{
	CompKey		key;
	uint32		hash;
	uint32		gid;
	char		status;
} CompEntry;

static inline uint32
comp_hash(const CompKey *k)
{
	uint64		h = ((uint64) k->ids[0] << 32) | k->ids[1];
	uint64		h2 = ((uint64) k->ids[2] << 32) | k->ids[3];

	return mix64(h ^ ((uint64) mix64(h2) << 32 | mix64(h2 + 1)));
}

#define SH_PREFIX comptab
#define SH_ELEMENT_TYPE CompEntry
#define SH_KEY_TYPE CompKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) comp_hash(&(k))
#define SH_EQUAL(tb, a, b) (memcmp(&(a), &(b), sizeof(CompKey)) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct KeyColumn
{
	int			col;
	Oid			typid;			/* base type */
	Oid			collation;
	int16		typlen;
	bool		typbyval;
	KeyMode		mode;
	FmgrInfo	hash_fn;		/* KM_GENERIC */
	FmgrInfo	eq_fn;
	/* the values numbered so far */
	uint32		nvalues;
	uint32		cap;
	int64	   *ivals;			/* KM_INT: by number */
	Datum	   *dvals;			/* others: copies, by number */
	int64		null_id;		/* the number of NULL, or -1 */
	inttab_hash *itab;
	datumtab_hash *dtab;
	/* the last DICT vector's entries, numbered */
	const ColumnarVector *dict_seen;
	uint64		dict_serial;
	uint32	   *dict_ids;
	uint32		dict_cap;
	uint32	   *ids;			/* scratch: the window's rows' numbers */
	/*
	 * KM_GENERIC: per group, the value of its first row.  Equal values may
	 * print apart (numeric 0.0 and 0.00, float -0 and 0, interval 1 day
	 * and 24:00:00, text under a nondeterministic collation): a group
	 * shows its first row's, as PostgreSQL's hashed grouping does.
	 */
	Datum	   *gvals;
	uint32		gcap;
} KeyColumn;

struct ColumnarGrouper
{
	int			nkeys;
	KeyColumn	keys[COLUMNAR_MAX_GROUP_KEYS];
	uint32		ngroups;
	uint32		cap;
	uint32	   *group_ids;		/* per group, its keys' numbers */
	uint32	   *value_group;	/* nkeys == 1: per value number, its group */
	uint32		value_group_cap;
	bool		use_direct;
	uint32		dcap[COLUMNAR_MAX_GROUP_KEYS];	/* powers of two */
	uint32	   *direct;			/* the direct array, PG_UINT32_MAX = empty */
	Size		direct_len;
	comptab_hash *ctab;
	MemoryContext cxt;
	Size		mem;
};

/* ----------------------------------------------------------------
 *		key columns
 * ----------------------------------------------------------------
 */

/* Is a key type grouped by its raw value read as a signed integer? */
static inline bool
integer_key(Oid typid)
{
	return ColumnarTypeIntegerOrdered(typid) || typid == BOOLOID;
}

/*
 * Return whether values of typid can be grouped here: integer-ordered
 * types, or types with a hash and an equality function (text of any
 * collation among them).
 */
bool
ColumnarGroupKeySupported(Oid typid, Oid collation)
{
	TypeCacheEntry *tce;

	typid = getBaseType(typid);
	if (integer_key(typid))
		return true;
	tce = lookup_type_cache(typid, TYPECACHE_HASH_PROC_FINFO | TYPECACHE_EQ_OPR_FINFO);
	return OidIsValid(tce->hash_proc_finfo.fn_oid) && OidIsValid(tce->eq_opr_finfo.fn_oid);
}

static uint32
datum_hash(KeyColumn *kc, Datum d)
{
	if (kc->mode == KM_BYTES)
	{
		text	   *t = (text *) DatumGetPointer(d);

		return hash_bytes((const unsigned char *) VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	return DatumGetUInt32(FunctionCall1Coll(&kc->hash_fn, kc->collation, d));
}

static bool
datum_equal(KeyColumn *kc, Datum a, Datum b)
{
	if (kc->mode == KM_BYTES)
	{
		text	   *ta = (text *) DatumGetPointer(a);
		text	   *tb = (text *) DatumGetPointer(b);

		return VARSIZE_ANY_EXHDR(ta) == VARSIZE_ANY_EXHDR(tb) &&
			memcmp(VARDATA_ANY(ta), VARDATA_ANY(tb), VARSIZE_ANY_EXHDR(ta)) == 0;
	}
	return DatumGetBool(FunctionCall2Coll(&kc->eq_fn, kc->collation, a, b));
}

/* Make room for one more value number in a key column. */
static void
grow_values(ColumnarGrouper *g, KeyColumn *kc)
{
	uint32		cap;

	if (kc->nvalues < kc->cap)
		return;
	cap = Max(kc->cap * 2, 64);
	if (kc->mode == KM_INT)
		kc->ivals = kc->ivals ? repalloc_huge(kc->ivals, sizeof(int64) * cap) :
			MemoryContextAllocHuge(g->cxt, sizeof(int64) * cap);
	else
		kc->dvals = kc->dvals ? repalloc_huge(kc->dvals, sizeof(Datum) * cap) :
			MemoryContextAllocHuge(g->cxt, sizeof(Datum) * cap);
	g->mem += (Size) (cap - kc->cap) * sizeof(Datum);
	kc->cap = cap;
}

/* Return the number of NULL in a key column, numbering it if new. */
static inline uint32
null_number(ColumnarGrouper *g, KeyColumn *kc)
{
	if (kc->null_id < 0)
	{
		grow_values(g, kc);
		kc->null_id = kc->nvalues;
		if (kc->mode == KM_INT)
			kc->ivals[kc->nvalues] = 0;
		else
			kc->dvals[kc->nvalues] = (Datum) 0;
		kc->nvalues++;
	}
	return (uint32) kc->null_id;
}

/* Return the number of the integer value v, numbering it if new. */
static inline uint32
int_number(ColumnarGrouper *g, KeyColumn *kc, int64 v)
{
	bool		found;
	IntEntry   *e = inttab_insert(kc->itab, v, &found);

	if (!found)
	{
		grow_values(g, kc);
		e->id = kc->nvalues;
		kc->ivals[kc->nvalues++] = v;
		g->mem += sizeof(IntEntry) * 2;
	}
	return e->id;
}

/* Return the number of the non-NULL value d, numbering (copying) it if new. */
static inline uint32
datum_number(ColumnarGrouper *g, KeyColumn *kc, Datum d)
{
	bool		found;
	DatumEntry *e = datumtab_insert(kc->dtab, d, &found);

	if (!found)
	{
		MemoryContext old = MemoryContextSwitchTo(g->cxt);
		Datum		copy = datumCopy(d, kc->typbyval, kc->typlen);

		MemoryContextSwitchTo(old);
		grow_values(g, kc);
		e->key = copy;			/* same hash and equality: the copy stays */
		e->id = kc->nvalues;
		kc->dvals[kc->nvalues++] = copy;
		g->mem += sizeof(DatumEntry) * 2 +
			(kc->typbyval ? 0 : datumGetSize(copy, kc->typbyval, kc->typlen));
	}
	return e->id;
}

/* Return the number of the non-NULL row i of a FLAT or DICT entry vector. */
static inline uint32
row_number(ColumnarGrouper *g, KeyColumn *kc, const ColumnarVector *vec, uint32 i)
{
	if (kc->mode == KM_INT)
	{
		switch (vec->kind)
		{
			case COLUMNAR_KIND_INT16:
				return int_number(g, kc, ((const int16 *) vec->values)[i]);
			case COLUMNAR_KIND_INT32:
				return int_number(g, kc, ((const int32 *) vec->values)[i]);
			case COLUMNAR_KIND_BOOL:
				return int_number(g, kc, ((const bool *) vec->values)[i]);
			default:
				return int_number(g, kc, ((const int64 *) vec->values)[i]);
		}
	}
	return datum_number(g, kc, ColumnarVectorDatum(vec, i, kc->typbyval));
}

/*
 * Set kc->ids[k] to the number of row sel[k] of the window view vec, for
 * k < nsel.
 */
static void
number_rows(ColumnarGrouper *g, KeyColumn *kc, const ColumnarVector *vec,
			const uint32 *sel, uint32 nsel)
{
	uint32	   *ids = kc->ids;

	if (vec->form == COLUMNAR_FORM_DICT)
	{
		const ColumnarVector *dict = vec->dict;

		if (kc->dict_seen != dict || kc->dict_serial != vec->dict_serial)
		{
			if (kc->dict_cap < dict->nrows)
			{
				if (kc->dict_ids)
					pfree(kc->dict_ids);
				kc->dict_cap = Max(dict->nrows, 64);
				kc->dict_ids = MemoryContextAlloc(g->cxt, sizeof(uint32) * kc->dict_cap);
			}
			for (uint32 e = 0; e < dict->nrows; e++)
				kc->dict_ids[e] = row_number(g, kc, dict, e);
			kc->dict_seen = dict;
			kc->dict_serial = vec->dict_serial;
		}
		for (uint32 k = 0; k < nsel; k++)
		{
			uint32		i = sel[k];

			if (!COLUMNAR_VALID(vec, i))
				ids[k] = null_number(g, kc);
			else
				ids[k] = kc->dict_ids[vec->codes ? vec->codes[i] : 0];
		}
		return;
	}
	Assert(vec->form == COLUMNAR_FORM_FLAT);
	for (uint32 k = 0; k < nsel; k++)
	{
		uint32		i = sel[k];

		if (!COLUMNAR_VALID(vec, i))
			ids[k] = null_number(g, kc);
		else if (k > 0 && kc->mode == KM_INT && COLUMNAR_VALID(vec, sel[k - 1]) &&
				 vec->kind == COLUMNAR_KIND_INT64 &&
				 ((const int64 *) vec->values)[i] == ((const int64 *) vec->values)[sel[k - 1]])
			ids[k] = ids[k - 1];	/* runs of one value (sorted columns) */
		else
			ids[k] = row_number(g, kc, vec, i);
	}
}

/* ----------------------------------------------------------------
 *		groups
 * ----------------------------------------------------------------
 */

/*
 * Make a grouper of rows of a table of descriptor desc by the 0-based
 * columns cols[0 .. nkeys - 1] (nkeys <= COLUMNAR_MAX_GROUP_KEYS, types
 * ColumnarGroupKeySupported), compared under collations[]; everything in
 * cxt.
 */
ColumnarGrouper *
ColumnarGrouperCreate(TupleDesc desc, int nkeys, const int *cols,
					  const Oid *collations, MemoryContext cxt)
{
	ColumnarGrouper *g = MemoryContextAllocZero(cxt, sizeof(ColumnarGrouper));

	Assert(nkeys >= 0 && nkeys <= COLUMNAR_MAX_GROUP_KEYS);
	g->nkeys = nkeys;
	g->cxt = cxt;
	g->use_direct = nkeys > 1;
	for (int k = 0; k < nkeys; k++)
	{
		KeyColumn  *kc = &g->keys[k];
		Form_pg_attribute att = TupleDescAttr(desc, cols[k]);

		kc->col = cols[k];
		kc->typid = getBaseType(att->atttypid);
		kc->collation = collations[k];
		kc->typlen = att->attlen;
		kc->typbyval = att->attbyval;
		kc->null_id = -1;
		kc->ids = MemoryContextAlloc(cxt, sizeof(uint32) * COLUMNAR_WINDOW_ROWS);
		if (integer_key(kc->typid))
		{
			kc->mode = KM_INT;
			kc->itab = inttab_create(cxt, 256, kc);
		}
		else
		{
			TypeCacheEntry *tce = lookup_type_cache(kc->typid,
													TYPECACHE_HASH_PROC_FINFO |
													TYPECACHE_EQ_OPR_FINFO);

			kc->mode = (kc->typid == TEXTOID || kc->typid == VARCHAROID) &&
				OidIsValid(kc->collation) && get_collation_isdeterministic(kc->collation) ?
				KM_BYTES : KM_GENERIC;
			fmgr_info_cxt(tce->hash_proc_finfo.fn_oid, &kc->hash_fn, cxt);
			fmgr_info_cxt(tce->eq_opr_finfo.fn_oid, &kc->eq_fn, cxt);
			kc->dtab = datumtab_create(cxt, 256, kc);
		}
		g->dcap[k] = 16;
	}
	if (g->use_direct)
	{
		g->direct_len = 1;
		for (int k = 0; k < nkeys; k++)
			g->direct_len *= g->dcap[k];
		if (g->direct_len > COLUMNAR_DIRECT_GROUPS)
			g->use_direct = false;
	}
	if (g->use_direct)
	{
		g->direct = MemoryContextAlloc(cxt, sizeof(uint32) * g->direct_len);
		memset(g->direct, 0xFF, sizeof(uint32) * g->direct_len);
	}
	else if (nkeys > 1)
		g->ctab = comptab_create(cxt, 256, NULL);
	if (nkeys == 0)
		g->ngroups = 1;			/* one group of everything */
	return g;
}

/* Return the direct array index of a tuple of value numbers. */
static inline Size
direct_index(const ColumnarGrouper *g, const uint32 *ids)
{
	Size		idx = 0;

	for (int k = g->nkeys - 1; k >= 0; k--)
		idx = idx * g->dcap[k] + ids[k];
	return idx;
}

/*
 * Record a new group with the value numbers ids, first seen at row row of
 * the window views keys; returns its number.
 */
static uint32
new_group(ColumnarGrouper *g, const uint32 *ids, ColumnarVector **keys, uint32 row)
{
	uint32		gid = g->ngroups;

	for (int k = 0; k < g->nkeys; k++)
	{
		KeyColumn  *kc = &g->keys[k];
		MemoryContext old;

		if (kc->mode != KM_GENERIC)
			continue;
		if (gid >= kc->gcap)
		{
			uint32		cap = Max(kc->gcap * 2, 64);

			kc->gvals = kc->gvals ?
				repalloc_huge(kc->gvals, sizeof(Datum) * (Size) cap) :
				MemoryContextAllocHuge(g->cxt, sizeof(Datum) * (Size) cap);
			g->mem += sizeof(Datum) * (Size) (cap - kc->gcap);
			kc->gcap = cap;
		}
		kc->gvals[gid] = (Datum) 0;
		if ((int64) ids[k] == kc->null_id || !COLUMNAR_VALID(keys[k], row))
			continue;
		old = MemoryContextSwitchTo(g->cxt);
		kc->gvals[gid] = datumCopy(ColumnarVectorDatum(keys[k], row, kc->typbyval),
								   kc->typbyval, kc->typlen);
		MemoryContextSwitchTo(old);
		if (!kc->typbyval)
			g->mem += datumGetSize(kc->gvals[gid], false, kc->typlen);
	}

	if (gid >= g->cap)
	{
		uint32		cap = Max(g->cap * 2, 64);

		g->group_ids = g->group_ids ?
			repalloc_huge(g->group_ids, sizeof(uint32) * g->nkeys * (Size) cap) :
			MemoryContextAllocHuge(g->cxt, sizeof(uint32) * g->nkeys * (Size) cap);
		g->mem += sizeof(uint32) * g->nkeys * (Size) (cap - g->cap);
		g->cap = cap;
	}
	memcpy(g->group_ids + (Size) gid * g->nkeys, ids, sizeof(uint32) * g->nkeys);
	g->ngroups++;
	return gid;
}

/* Put every group into the composite hash table (leaving the direct array). */
static void
leave_direct(ColumnarGrouper *g)
{
	g->use_direct = false;
	if (g->direct)
		pfree(g->direct);
	g->direct = NULL;
	g->ctab = comptab_create(g->cxt, Max(g->ngroups * 2, 256), NULL);
	for (uint32 gid = 0; gid < g->ngroups; gid++)
	{
		CompKey		key;
		bool		found;
		CompEntry  *e;

		memset(&key, 0, sizeof(key));
		memcpy(key.ids, g->group_ids + (Size) gid * g->nkeys, sizeof(uint32) * g->nkeys);
		e = comptab_insert(g->ctab, key, &found);
		e->gid = gid;
	}
}

/*
 * Make the direct array cover value numbers up to ids (growing a key's
 * power of two), or leave it for the hash table when it would be too big.
 */
static void
grow_direct(ColumnarGrouper *g, const uint32 *ids)
{
	uint32		dcap[COLUMNAR_MAX_GROUP_KEYS];
	Size		len = 1;

	for (int k = 0; k < g->nkeys; k++)
	{
		dcap[k] = g->dcap[k];
		while (dcap[k] <= ids[k])
			dcap[k] *= 2;
		len *= dcap[k];
		if (len > COLUMNAR_DIRECT_GROUPS)
		{
			leave_direct(g);
			return;
		}
	}
	memcpy(g->dcap, dcap, sizeof(dcap));
	g->direct_len = len;
	g->direct = repalloc(g->direct, sizeof(uint32) * len);
	memset(g->direct, 0xFF, sizeof(uint32) * len);
	for (uint32 gid = 0; gid < g->ngroups; gid++)
		g->direct[direct_index(g, g->group_ids + (Size) gid * g->nkeys)] = gid;
}

/*
 * Give each row sel[k] (k < nsel) of a window its group number in
 * gids[k], making new groups as needed; keys[i] is the window view of key
 * column i (FLAT or DICT).
 */
void
ColumnarGrouperAssign(ColumnarGrouper *g, ColumnarVector **keys, const uint32 *sel,
					  uint32 nsel, uint32 *gids)
{
	uint32		ids[COLUMNAR_MAX_GROUP_KEYS];

	if (g->nkeys == 0)
	{
		memset(gids, 0, sizeof(uint32) * nsel);
		return;
	}
	for (int k = 0; k < g->nkeys; k++)
		number_rows(g, &g->keys[k], keys[k], sel, nsel);
	if (g->nkeys == 1)
	{
		KeyColumn  *kc = &g->keys[0];

		if (g->value_group_cap < kc->nvalues)
		{
			uint32		cap = Max(g->value_group_cap, 64);

			while (cap < kc->nvalues)
				cap *= 2;
			g->value_group = g->value_group ?
				repalloc_huge(g->value_group, sizeof(uint32) * (Size) cap) :
				MemoryContextAllocHuge(g->cxt, sizeof(uint32) * (Size) cap);
			memset(g->value_group + g->value_group_cap, 0xFF,
				   sizeof(uint32) * (Size) (cap - g->value_group_cap));
			g->mem += sizeof(uint32) * (Size) (cap - g->value_group_cap);
			g->value_group_cap = cap;
		}
		for (uint32 r = 0; r < nsel; r++)
		{
			uint32		id = kc->ids[r];
			uint32		gid = g->value_group[id];

			if (gid == PG_UINT32_MAX)
				gid = g->value_group[id] = new_group(g, &id, keys, sel[r]);
			gids[r] = gid;
		}
		return;
	}
	for (uint32 r = 0; r < nsel; r++)
	{
		for (int k = 0; k < g->nkeys; k++)
			ids[k] = g->keys[k].ids[r];
		if (g->use_direct)
		{
			bool		fits = true;

			for (int k = 0; k < g->nkeys; k++)
				fits = fits && ids[k] < g->dcap[k];
			if (!fits)
				grow_direct(g, ids);
		}
		if (g->use_direct)
		{
			Size		idx = direct_index(g, ids);
			uint32		gid = g->direct[idx];

			if (gid == PG_UINT32_MAX)
				gid = g->direct[idx] = new_group(g, ids, keys, sel[r]);
			gids[r] = gid;
		}
		else
		{
			CompKey		key;
			bool		found;
			CompEntry  *e;

			memset(&key, 0, sizeof(key));
			memcpy(key.ids, ids, sizeof(uint32) * g->nkeys);
			e = comptab_insert(g->ctab, key, &found);
			if (!found)
			{
				e->gid = new_group(g, ids, keys, sel[r]);
				g->mem += sizeof(CompEntry) * 2;
			}
			gids[r] = e->gid;
		}
	}
}

/* Return the number of groups made so far. */
uint32
ColumnarGrouperCount(const ColumnarGrouper *g)
{
	return g->ngroups;
}

/* Return about how many bytes the grouper holds. */
Size
ColumnarGrouperMemory(const ColumnarGrouper *g)
{
	return g->mem + g->direct_len * sizeof(uint32);
}

/* Return how groups are found, for EXPLAIN. */
const char *
ColumnarGrouperStrategy(const ColumnarGrouper *g)
{
	if (g->nkeys == 0)
		return "Plain";
	if (g->nkeys == 1)
		return g->keys[0].mode == KM_INT ? "Hashed (integer)" : "Hashed";
	return g->use_direct ? "Direct" : "Hashed";
}

/* Return the value of key column key of a group. */
void
ColumnarGrouperKey(const ColumnarGrouper *g, uint32 group, int key,
				   Datum *value, bool *isnull)
{
	const KeyColumn *kc = &g->keys[key];
	uint32		id = g->group_ids[(Size) group * g->nkeys + key];

	*isnull = (int64) id == kc->null_id;
	if (*isnull)
	{
		*value = (Datum) 0;
		return;
	}
	if (kc->mode == KM_GENERIC)
	{
		*value = kc->gvals[group];
		return;
	}
	if (kc->mode != KM_INT)
	{
		*value = kc->dvals[id];
		return;
	}
	switch (kc->typid)
	{
		case INT2OID:
			*value = Int16GetDatum((int16) kc->ivals[id]);
			break;
		case INT4OID:
		case DATEOID:
			*value = Int32GetDatum((int32) kc->ivals[id]);
			break;
		case BOOLOID:
			*value = BoolGetDatum(kc->ivals[id] != 0);
			break;
		default:
			*value = Int64GetDatum(kc->ivals[id]);
			break;
	}
}
