/*-------------------------------------------------------------------------
 *
 * columnar_agg_serial.c
 *	  The partial states of sum/avg over int8 and numeric in the bytes this
 *	  server's own serial functions write, checked against them.
 *
 * Why.  A partial ColumnarAgg below a Finalize Aggregate hands the
 * transition states of sum(int8), avg(int8), sum(numeric) and
 * avg(numeric) over as bytea: the bytes int8_avg_serialize and
 * numeric_avg_serialize write, which the Finalize Aggregate reads back
 * with int8_avg_deserialize and numeric_avg_deserialize.  Those bytes are
 * private to the server, and their layout has changed within a major
 * version: the numeric inside them was once numeric_send's (int16 header
 * fields, digits stripped of zeros), then four int32 fields followed by
 * the int16 digits of the accumulator's variable.
 *
 * How.  The module writes either layout.  Once per backend it asks the
 * server which one it uses: it runs the server's own transition functions
 * (int8_avg_accum, numeric_avg_accum) over probe values that cover signs,
 * fractions, zeros, more than 64 bits and NaN and infinities, serializes
 * the states with the server's serial functions, reads those bytes under
 * each layout (defensively: a wrong layout reads as garbage, never as an
 * error) and keeps the layout in which they say exactly what this
 * module's bytes for the same state say.  When neither layout does, the
 * aggregates are not computed partially: ColumnarAggSerialKnown is false
 * and the planner leaves such plans to PostgreSQL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "libpq/pqformat.h"
#include "nodes/execnodes.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "columnar_agg_serial.h"

/* How a numeric is laid out inside a serialized state */
typedef enum SerialLayout
{
	LAYOUT_UNPROBED,
	LAYOUT_SEND,				/* numeric_send's int16 fields */
	LAYOUT_VAR,					/* int32 ndigits, weight, sign, dscale */
	LAYOUT_UNKNOWN				/* neither: no partial states */
} SerialLayout;

static SerialLayout layout = LAYOUT_UNPROBED;

/* the sign field of a negative numeric, in both layouts */
#define SERIAL_NUMERIC_NEG	0x4000
#define SERIAL_NUMERIC_NBASE 10000
#define SERIAL_MAX_DIGITS	1000	/* a probe state never has more */

/* A numeric's fields, as either layout carries them */
typedef struct SerialNumeric
{
	int			ndigits;
	int			weight;
	int			sign;
	int			dscale;
	int16		digits[SERIAL_MAX_DIGITS];
} SerialNumeric;

/* Append the fields of num to buf in layout lay. */
static void
put_fields(StringInfo buf, const SerialNumeric *num, SerialLayout lay)
{
	if (lay == LAYOUT_SEND)
	{
		pq_sendint16(buf, (uint16) num->ndigits);
		pq_sendint16(buf, (uint16) (int16) num->weight);
		pq_sendint16(buf, (uint16) num->sign);
		pq_sendint16(buf, (uint16) num->dscale);
	}
	else
	{
		pq_sendint32(buf, (uint32) num->ndigits);
		pq_sendint32(buf, (uint32) num->weight);
		pq_sendint32(buf, (uint32) num->sign);
		pq_sendint32(buf, (uint32) num->dscale);
	}
	for (int i = 0; i < num->ndigits; i++)
		pq_sendint16(buf, (uint16) num->digits[i]);
}

/* Read n bytes of in big-endian, or return false when in has fewer. */
static bool
get_bytes(StringInfo in, int n, uint64 *v)
{
	if (in->cursor + n > in->len)
		return false;
	*v = 0;
	for (int i = 0; i < n; i++)
		*v = (*v << 8) | (unsigned char) in->data[in->cursor++];
	return true;
}

/*
 * Read the fields of a numeric from in in layout lay, or return false
 * when the bytes cannot be one.
 */
static bool
get_fields(StringInfo in, SerialNumeric *num, SerialLayout lay)
{
	int			width = lay == LAYOUT_SEND ? 2 : 4;
	uint64		f[4];
	uint64		d;

	for (int i = 0; i < 4; i++)
		if (!get_bytes(in, width, &f[i]))
			return false;
	num->ndigits = width == 2 ? (int16) f[0] : (int32) f[0];
	num->weight = width == 2 ? (int16) f[1] : (int32) f[1];
	num->sign = (int) f[2];
	num->dscale = (int) f[3];
	if (num->ndigits < 0 || num->ndigits > SERIAL_MAX_DIGITS ||
		(num->sign != 0 && num->sign != SERIAL_NUMERIC_NEG))
		return false;
	for (int i = 0; i < num->ndigits; i++)
	{
		if (!get_bytes(in, 2, &d) || (int16) d < 0 || (int16) d >= SERIAL_NUMERIC_NBASE)
			return false;
		num->digits[i] = (int16) d;
	}
	return true;
}

/* Strip leading and trailing zero digits (a zero: no digits, positive). */
static void
strip_fields(SerialNumeric *num)
{
	int			lead = 0;

	while (lead < num->ndigits && num->digits[lead] == 0)
		lead++;
	memmove(num->digits, num->digits + lead, sizeof(int16) * (num->ndigits - lead));
	num->ndigits -= lead;
	num->weight -= lead;
	while (num->ndigits > 0 && num->digits[num->ndigits - 1] == 0)
		num->ndigits--;
	if (num->ndigits == 0)
	{
		num->weight = 0;
		num->sign = 0;
	}
}

/* The fields of a numeric value (finite), from numeric_send. */
static void
numeric_fields(Datum value, SerialNumeric *num)
{
	bytea	   *b = DatumGetByteaPP(DirectFunctionCall1(numeric_send, value));
	StringInfoData in;

	in.data = VARDATA_ANY(b);
	in.len = VARSIZE_ANY_EXHDR(b);
	in.maxlen = in.len;
	in.cursor = 0;
	if (!get_fields(&in, num, LAYOUT_SEND))
		elog(ERROR, "unexpected numeric_send output");
}

/*
 * The fields of an int128 as the server's accumulator holds it: digits
 * from the most significant, zeros kept (stripped when read back).
 */
static void
int128_fields(int128 v, SerialNumeric *num, SerialLayout lay)
{
	uint128		u = v < 0 ? (uint128) 0 - (uint128) v : (uint128) v;
	int16		rev[12];
	int			n = 0;

	do
	{
		rev[n++] = (int16) (u % SERIAL_NUMERIC_NBASE);
		u /= SERIAL_NUMERIC_NBASE;
	} while (u != 0);
	num->ndigits = n;
	num->weight = n - 1;
	num->sign = v < 0 ? SERIAL_NUMERIC_NEG : 0;
	num->dscale = 0;
	for (int i = 0; i < n; i++)
		num->digits[i] = rev[n - 1 - i];
	if (lay == LAYOUT_SEND)
		strip_fields(num);
}

/* The bytes of int8_avg_serialize in layout lay. */
static bytea *
serial_int8_avg(int64 n, int128 sum, SerialLayout lay)
{
	StringInfoData buf;
	SerialNumeric *num = palloc(sizeof(SerialNumeric));

	pq_begintypsend(&buf);
	pq_sendint64(&buf, n);
	int128_fields(sum, num, lay);
	put_fields(&buf, num, lay);
	pfree(num);
	return pq_endtypsend(&buf);
}

/* The bytes of numeric_avg_serialize in layout lay. */
static bytea *
serial_numeric_avg(int64 n, Datum sum, int32 maxscale, int64 maxscale_count,
				   int64 nan, int64 pinf, int64 ninf, SerialLayout lay)
{
	StringInfoData buf;
	SerialNumeric *num = palloc(sizeof(SerialNumeric));

	pq_begintypsend(&buf);
	pq_sendint64(&buf, n);
	numeric_fields(sum, num);
	put_fields(&buf, num, lay);
	pq_sendint32(&buf, maxscale);
	pq_sendint64(&buf, maxscale_count);
	pq_sendint64(&buf, nan);
	pq_sendint64(&buf, pinf);
	pq_sendint64(&buf, ninf);
	pfree(num);
	return pq_endtypsend(&buf);
}

/* ----------------------------------------------------------------
 *		the probe
 * ----------------------------------------------------------------
 */

/*
 * Do two serialized states say the same in layout lay: the same counts
 * and the same numeric (after stripping zeros), nothing left over?  Reads
 * a leading int64, one numeric, then trailing (4-byte, then 8-byte)
 * integers of tail bytes.
 */
static bool
same_state(bytea *a, bytea *b, SerialLayout lay)
{
	StringInfoData in[2];
	SerialNumeric *num[2];
	uint64		v[2];
	bool		ok = true;

	for (int i = 0; i < 2; i++)
	{
		bytea	   *s = i == 0 ? a : b;

		in[i].data = VARDATA_ANY(s);
		in[i].len = VARSIZE_ANY_EXHDR(s);
		in[i].maxlen = in[i].len;
		in[i].cursor = 0;
		num[i] = palloc(sizeof(SerialNumeric));
		ok = ok && get_bytes(&in[i], 8, &v[i]);
	}
	ok = ok && v[0] == v[1];
	for (int i = 0; i < 2 && ok; i++)
	{
		ok = get_fields(&in[i], num[i], lay);
		if (ok)
			strip_fields(num[i]);
	}
	ok = ok && num[0]->ndigits == num[1]->ndigits && num[0]->weight == num[1]->weight &&
		num[0]->sign == num[1]->sign && num[0]->dscale == num[1]->dscale &&
		memcmp(num[0]->digits, num[1]->digits, sizeof(int16) * num[0]->ndigits) == 0;
	/* what follows: byte for byte */
	ok = ok && in[0].len - in[0].cursor == in[1].len - in[1].cursor &&
		memcmp(in[0].data + in[0].cursor, in[1].data + in[1].cursor,
			   in[0].len - in[0].cursor) == 0;
	pfree(num[0]);
	pfree(num[1]);
	return ok;
}

/*
 * Call a transition or serial function of the server in an aggregate's
 * context (a bare AggState whose aggregate memory is the current
 * context: all AggCheckCallContext gives them).
 */
static Datum
call_in_agg(PGFunction fn, AggState *agg, Datum state, bool state_null, Datum arg, int nargs)
{
	LOCAL_FCINFO(fcinfo, 2);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, nargs, InvalidOid, (Node *) agg, NULL);
	fcinfo->args[0].value = state;
	fcinfo->args[0].isnull = state_null;
	fcinfo->args[1].value = arg;
	fcinfo->args[1].isnull = false;
	result = fn(fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "unexpected null from an aggregate support function");
	return result;
}

/* numeric_in of a constant */
static Datum
numeric_const(const char *s)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(s), ObjectIdGetDatum(InvalidOid),
							   Int32GetDatum(-1));
}

/* Does this module's int8 state for values equal the server's in lay? */
static bool
probe_int8(AggState *agg, const int64 *values, int nvalues, SerialLayout lay)
{
	Datum		state = (Datum) 0;
	int128		sum = 0;

	for (int i = 0; i < nvalues; i++)
	{
		state = call_in_agg(int8_avg_accum, agg, state, i == 0, Int64GetDatum(values[i]), 2);
		sum += values[i];
	}
	return same_state(DatumGetByteaPP(call_in_agg(int8_avg_serialize, agg, state, false, 0, 1)),
					  serial_int8_avg(nvalues, sum, lay), lay);
}

/* Does this module's numeric state for values equal the server's in lay? */
static bool
probe_numeric(AggState *agg, const char *const *values, int nvalues, SerialLayout lay)
{
	Datum		state = (Datum) 0;
	Datum		sum = numeric_const("0");
	int64		n = 0,
				maxscale_count = 0,
				nan = 0,
				pinf = 0,
				ninf = 0;
	int32		maxscale = 0;

	for (int i = 0; i < nvalues; i++)
	{
		Datum		v = numeric_const(values[i]);
		Numeric		num = DatumGetNumeric(v);

		state = call_in_agg(numeric_avg_accum, agg, state, i == 0, v, 2);
		if (numeric_is_nan(num))
			nan++;
		else if (numeric_is_inf(num))
		{
			if (strcmp(values[i], "Infinity") == 0)
				pinf++;
			else
				ninf++;
		}
		else
		{
			int32		scale = DatumGetInt32(DirectFunctionCall1(numeric_scale, v));

			n++;
			sum = DirectFunctionCall2(numeric_add, sum, v);
			if (scale > maxscale)
			{
				maxscale = scale;
				maxscale_count = 1;
			}
			else if (scale == maxscale)
				maxscale_count++;
		}
	}
	return same_state(DatumGetByteaPP(call_in_agg(numeric_avg_serialize, agg, state, false, 0, 1)),
					  serial_numeric_avg(n, sum, maxscale, maxscale_count, nan, pinf, ninf, lay),
					  lay);
}

/* Is lay the layout of every probe state? */
static bool
probe_layout(SerialLayout lay)
{
	static const int64 ints1[] = {PG_INT64_MAX, PG_INT64_MAX, -5, 40000};
	static const int64 ints2[] = {0};
	static const int64 ints3[] = {-10000, PG_INT64_MIN, PG_INT64_MIN};
	static const char *const nums1[] = {"1.50", "-12345678.901", "NaN", "Infinity",
	"-Infinity", "7"};
	static const char *const nums2[] = {"0.00012"};
	static const char *const nums3[] = {"0.000", "0"};
	static const char *const nums4[] = {"-Infinity"};
	static const char *const nums5[] = {"-99999999999999999999999999.5", "100000000"};
	AggState   *agg = makeNode(AggState);
	ExprContext *econtext = makeNode(ExprContext);

	econtext->ecxt_per_tuple_memory = CurrentMemoryContext;
	agg->curaggcontext = econtext;
	return probe_int8(agg, ints1, lengthof(ints1), lay) &&
		probe_int8(agg, ints2, lengthof(ints2), lay) &&
		probe_int8(agg, ints3, lengthof(ints3), lay) &&
		probe_numeric(agg, nums1, lengthof(nums1), lay) &&
		probe_numeric(agg, nums2, lengthof(nums2), lay) &&
		probe_numeric(agg, nums3, lengthof(nums3), lay) &&
		probe_numeric(agg, nums4, lengthof(nums4), lay) &&
		probe_numeric(agg, nums5, lengthof(nums5), lay);
}

/*
 * Does this module know how this server serializes the states (probing it
 * the first time)?
 */
bool
ColumnarAggSerialKnown(void)
{
	if (layout == LAYOUT_UNPROBED)
	{
		MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
												  "columnar serial probe",
												  ALLOCSET_SMALL_SIZES);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		SerialLayout found = LAYOUT_UNKNOWN;

		if (probe_layout(LAYOUT_VAR))
			found = LAYOUT_VAR;
		else if (probe_layout(LAYOUT_SEND))
			found = LAYOUT_SEND;
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		layout = found;
	}
	return layout != LAYOUT_UNKNOWN;
}

/*
 * Return the partial state of sum/avg(int8) of n values summing to sum,
 * as int8_avg_serialize would.
 */
bytea *
ColumnarSerialInt8Avg(int64 n, int128 sum)
{
	if (!ColumnarAggSerialKnown())
		elog(ERROR, "the serialized layout of int8 aggregate states is unknown");
	return serial_int8_avg(n, sum, layout);
}

/*
 * Return the partial state of sum/avg(numeric) of n finite values summing
 * to sum (their largest display scale maxscale, that of maxscale_count of
 * them) and nan, pinf and ninf special ones, as numeric_avg_serialize
 * would.
 */
bytea *
ColumnarSerialNumericAvg(int64 n, Datum sum, int32 maxscale, int64 maxscale_count,
						 int64 nan, int64 pinf, int64 ninf)
{
	if (!ColumnarAggSerialKnown())
		elog(ERROR, "the serialized layout of numeric aggregate states is unknown");
	return serial_numeric_avg(n, sum, maxscale, maxscale_count, nan, pinf, ninf, layout);
}
