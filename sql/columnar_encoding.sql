--
-- Column-chunk encodings: every kind and encoding must round-trip exactly,
-- and damaged or truncated images must raise data_corrupted.
--
\set VERBOSITY terse
CREATE EXTENSION biwh CASCADE;

-- damage(a): truncate the image of a at every length and append a byte
-- (each must raise data_corrupted), then flip every byte (each must either
-- raise data_corrupted or decode); any other error fails the test.
CREATE FUNCTION enc_damage(a anyarray) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	img bytea := biwh.encoding_image(a);
	n int := length(img);
	trunc_raised int := 0;
	flip_raised int := 0;
	flip_decoded int := 0;
BEGIN
	FOR k IN 0 .. n - 1 LOOP
		BEGIN
			PERFORM biwh.encoding_decode_equal(substring(img FROM 1 FOR k), a);
		EXCEPTION WHEN data_corrupted THEN
			trunc_raised := trunc_raised + 1;
		END;
	END LOOP;
	BEGIN
		PERFORM biwh.encoding_decode_equal(img || '\x00'::bytea, a);
	EXCEPTION WHEN data_corrupted THEN
		trunc_raised := trunc_raised + 1;
	END;
	FOR k IN 0 .. n - 1 LOOP
		BEGIN
			PERFORM biwh.encoding_decode_equal(set_byte(img, k, get_byte(img, k) # 255), a);
			flip_decoded := flip_decoded + 1;
		EXCEPTION WHEN data_corrupted THEN
			flip_raised := flip_raised + 1;
		END;
	END LOOP;
	RETURN format('%s: %s bytes, truncations raised %s, flips raised %s, decoded %s',
				  (biwh.encoding_probe(a)).encoding, n,
				  CASE WHEN trunc_raised = n + 1 THEN 'all' ELSE trunc_raised || ' of ' || n + 1 END,
				  flip_raised, flip_decoded);
END
$$;

-- p(a): the probe as one line
CREATE FUNCTION p(a anyarray) RETURNS text
LANGUAGE sql AS $$
	SELECT format('%s rows=%s nulls=%s raw=%s enc=%s ok=%s', encoding, nrows,
				  nnulls, raw_bytes, encoded_bytes, roundtrip_equal)
	FROM biwh.encoding_probe(a)
$$;

-- diagnostics are not for PUBLIC
SELECT has_function_privilege('public', 'biwh.encoding_probe(anyarray)', 'execute') AS public_can_probe;

-- empty, single value, all NULL
SELECT p('{}'::int4[]) AS empty;
SELECT p('{7}'::int4[]) AS single;
SELECT p('{NULL,NULL,NULL}'::int4[]) AS all_null;
SELECT p('{NULL}'::text[]) AS all_null_text;
SELECT p('{}'::text[]) AS empty_text;

-- constant, with and without NULLs
SELECT p(array_fill(5::int2, ARRAY[1000])) AS const_int2;
SELECT p(array_fill(-5::int8, ARRAY[1000])) AS const_int8;
SELECT p('{1.5,NULL,1.5,NULL,1.5}'::float8[]) AS const_float8_nulls;
SELECT p('{t,t,t}'::bool[]) AS const_bool;
SELECT p(array_fill('abc'::text, ARRAY[100])) AS const_text;
SELECT p('{x,NULL,x}'::text[]) AS const_text_nulls;
SELECT p(array_fill('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, ARRAY[10])) AS const_uuid;
SELECT p('{NaN,NaN}'::float4[]) AS const_nan;
SELECT p('{0,-0}'::float8[]) AS zero_and_minus_zero;

-- plain, every kind
SELECT p('{1,-2,32767,-32768,NULL,0}'::int2[]) AS int2;
SELECT p('{1,-2,2147483647,-2147483648,NULL,0}'::int4[]) AS int4;
SELECT p('{1,-2,9223372036854775807,-9223372036854775808,NULL,0}'::int8[]) AS int8;
SELECT p('{NaN,Infinity,-Infinity,-0,0,1.5,NULL}'::float4[]) AS float4;
SELECT p('{NaN,Infinity,-Infinity,-0,0,1e308,NULL,4.9e-324}'::float8[]) AS float8;
SELECT p('{t,f,NULL,t}'::bool[]) AS bool;
SELECT p('{2024-01-01,1999-12-31,NULL,infinity}'::date[]) AS date;
SELECT p('{2024-01-01 10:00,1999-12-31 23:59:59.999999,NULL}'::timestamp[]) AS ts;
SELECT p('{2024-01-01 10:00+02,NULL,-infinity}'::timestamptz[]) AS tstz;
SELECT p('{10:00,23:59:59.5,NULL}'::time[]) AS time;
SELECT p(ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL, '00000000-0000-0000-0000-000000000000']::uuid[]) AS uuid;
SELECT p('{1 day,-3 months 2 hours,NULL,0}'::interval[]) AS interval;
SELECT p('{a,"",NULL,ünïcødé ✓ 日本語,""}'::text[]) AS text;
SELECT p('{"\\x00ff",NULL,"\\x"}'::bytea[]) AS bytea;
SELECT p('{1.50,1.5,NULL,NaN,-0.001,123456789012345678901234567890}'::numeric[]) AS numeric;
SELECT p('{a,b,NULL,""}'::cstring[]) AS cstring;
SELECT p('{abc,NULL,def}'::name[]) AS name;
SELECT p('{a,b,NULL}'::"char"[]) AS char1;
SELECT p(ARRAY[repeat('x', 1024 * 1024), 'y', repeat('é', 300000)]) AS megabyte_values;

-- RLE: runs of equal values, fixed-width kinds
SELECT p(array_agg(i / 100)) AS rle_int4 FROM generate_series(0, 999) i;
SELECT p(array_agg((i / 100)::float8 / 3)) AS rle_float8 FROM generate_series(0, 999) i;
SELECT p(array_agg(i / 250 % 2 = 0)) AS rle_bool FROM generate_series(0, 999) i;
SELECT p(array_agg(CASE WHEN i < 500 THEN 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid ELSE '00000000-0000-0000-0000-000000000000' END)) AS rle_uuid
FROM generate_series(0, 999) i;
SELECT p(array_agg(CASE WHEN i % 7 = 0 THEN NULL ELSE i / 100 END)) AS rle_nulls FROM generate_series(0, 999) i;

-- FOR: frame of reference + bit-packing, integer kinds
SELECT p(array_agg((hashint4(i) & 1023) + 1000000)) AS for_int4 FROM generate_series(1, 1000) i;
SELECT p(array_agg(((hashint4(i) & 1023) - 512)::int2)) AS for_int2 FROM generate_series(1, 1000) i;
SELECT p(array_agg((hashint4(i) & 65535)::int8 - 9223372036854775807)) AS for_int8_low FROM generate_series(1, 1000) i;
SELECT p(array_agg(9223372036854775807 - (hashint4(i) & 65535)::int8)) AS for_int8_high FROM generate_series(1, 1000) i;
SELECT p(array_agg(hashint4(i) % 2 = 0)) AS for_bool FROM generate_series(1, 1000) i;
SELECT p(array_agg('2024-01-01'::date + (hashint4(i) & 63))) AS for_date FROM generate_series(1, 1000) i;
SELECT p(array_agg(CASE WHEN i % 5 = 0 THEN NULL ELSE -(hashint4(i) & 4095) END)) AS for_nulls FROM generate_series(1, 1000) i;
-- max - min overflows int64: FOR would need 64 bits; the wrapping deltas
-- are narrower
SELECT p(array_agg(CASE WHEN hashint4(i) % 2 = 0 THEN -9223372036854775808 + (hashint4(i) & 255) ELSE 9223372036854775807 - (hashint4(i) & 255) END)) AS int8_extremes
FROM generate_series(1, 1000) i;
-- full-range random int8: nothing beats plain
SELECT p(array_agg((hashint4(i)::int8 << 32) | (hashint4(-i)::int8 & 4294967295))) AS int8_random FROM generate_series(1, 1000) i;

-- DELTA_FOR: sorted or nearly sorted integers and timestamps
SELECT p(array_agg(i * 1000 + (hashint4(i) & 7)::int8)) AS delta_int8 FROM generate_series(1, 1000) i;
SELECT p(array_agg(t)) AS delta_ts
FROM generate_series('2024-01-01'::timestamp, '2024-01-01'::timestamp + interval '999 minutes', interval '1 minute') t;
SELECT p(array_agg(t + (hashint4(extract(epoch FROM t)::int) & 1023) * interval '1 microsecond')) AS delta_tstz_jitter
FROM generate_series('2024-01-01'::timestamptz, '2024-01-02'::timestamptz, interval '90 seconds') t;
SELECT p(array_agg(-i * 7)) AS delta_descending FROM generate_series(1, 1000) i;
SELECT p(array_agg(CASE WHEN i % 2 = 0 THEN -9223372036854775808 ELSE 9223372036854775807 END)) AS alternating_extremes
FROM generate_series(1, 1000) i;
SELECT p(array_agg(i::int2)) AS delta_int2 FROM generate_series(-500, 499) i;
SELECT p(array_agg(i)) AS delta_big FROM generate_series(1, 100000) i;

-- DICT: few distinct values, codes bit-packed
SELECT p(array_agg((ARRAY['apple', 'banana', 'cherry', '', 'ünïcødé ✓ 日本語'])[1 + abs(hashint4(i) % 5)])) AS dict_text
FROM generate_series(1, 1000) i;
SELECT p(array_agg(CASE WHEN i % 3 = 0 THEN NULL ELSE 'tenant_' || (hashint4(i) & 15) END)) AS dict_text_nulls
FROM generate_series(1, 1000) i;
SELECT p(array_agg(('k' || (hashint4(i) & 7))::cstring)) AS dict_cstring FROM generate_series(1, 1000) i;
SELECT p(array_agg(('n' || (hashint4(i) & 7))::name)) AS dict_name FROM generate_series(1, 1000) i;
SELECT p(array_agg(md5((hashint4(i) & 3)::text)::uuid)) AS dict_uuid FROM generate_series(1, 1000) i;
SELECT p(array_agg((hashint4(i) & 3) * interval '1 day 7 hours')) AS dict_interval FROM generate_series(1, 1000) i;
SELECT p(array_agg((ARRAY[-9223372036854775808, 0, 9223372036854775807, 42])[1 + (hashint4(i) & 3)])) AS dict_int8_extremes
FROM generate_series(1, 1000) i;
SELECT p(array_agg((ARRAY['NaN', 'Infinity', '-Infinity', '-0', '0', '1.5']::float8[])[1 + (hashint4(i) & 7) % 6])) AS dict_float8
FROM generate_series(1, 1000) i;
SELECT p(array_agg((ARRAY['NaN', '-0', '0', '3.25']::float4[])[1 + (hashint4(i) & 3)])) AS dict_float4
FROM generate_series(1, 1000) i;
SELECT p(array_agg(repeat(chr(65 + (hashint4(i) & 3)), 200000))) AS dict_big_values
FROM generate_series(1, 20) i;
SELECT p(array_agg('status_' || (i % 10))) AS dict_big FROM generate_series(1, 100000) i;

-- SCALED_NUMERIC: numerics as int64 at one scale, display scales kept
SELECT p(array_agg(((hashint4(i) & 1048575) / 100.0)::numeric(12,2))) AS scaled_prices FROM generate_series(1, 1000) i;
SELECT p('{1.5,1.50,2,-0.001,0,0.00,-12345.6789,NULL,100000000,99999999.9999}'::numeric[]) AS scaled_mixed_dscale;
SELECT p(array_agg(i::numeric * 10000)) AS scaled_weight FROM generate_series(-500, 499) i;
SELECT p('{9223372036854775807,-9223372036854775807,0}'::numeric[]) AS numeric_int64_edges_tie_plain;
SELECT p('{0.00000000000000000001,0.00000000000000000002,0.00000000000000000003}'::numeric[]) AS scaled_tiny;
SELECT p('{9223372036854775808,1,2,3}'::numeric[]) AS numeric_too_big;
SELECT p('{1.5,2.5,NaN,3.5}'::numeric[]) AS numeric_nan;
SELECT p('{1.5,2.5,Infinity,-Infinity}'::numeric[]) AS numeric_inf;
SELECT p('{1e100,2e100,3e-100}'::numeric[]) AS numeric_wide;
SELECT p(array_agg(CASE WHEN i % 4 = 0 THEN NULL ELSE round((i * 1.01)::numeric, 1 + i % 3) END)) AS scaled_nulls_dscales
FROM generate_series(1, 1000) i;
SELECT p(array_agg(i * 0.01)) AS scaled_big FROM generate_series(1, 100000) i;

-- NULLs everywhere
SELECT p(array_agg(CASE WHEN i % 3 = 0 THEN NULL ELSE i END)) AS nulls_int4
FROM generate_series(1, 1000) i;
SELECT p(array_agg(CASE WHEN i % 2 = 0 THEN NULL ELSE md5(i::text) END)) AS nulls_text
FROM generate_series(1, 999) i;

-- 100k elements
SELECT p(array_agg(hashint4(i))) AS big_int4 FROM generate_series(1, 100000) i;
SELECT p(array_agg(md5(i::text))) AS big_text FROM generate_series(1, 100000) i;

-- damaged and truncated images raise data_corrupted
SELECT enc_damage('{}'::int4[]);
SELECT enc_damage('{NULL,NULL}'::int8[]);
SELECT enc_damage('{1,NULL,1}'::int4[]);
SELECT enc_damage('{1,-2,NULL,300000}'::int4[]);
SELECT enc_damage('{1,-2,NULL,3}'::int2[]);
SELECT enc_damage('{1,-2,NULL,3}'::int8[]);
SELECT enc_damage('{1.5,1.5,1.5,1.5,1.5,1.5,2.5,2.5,2.5,2.5,2.5,2.5}'::float8[]);
SELECT enc_damage(array_fill(5::int8, ARRAY[100]) || NULL::int8 || array_fill(7::int8, ARRAY[100]));
SELECT enc_damage('{1000,1001,1003,1002,1000,1007}'::int8[]);
SELECT enc_damage(array_agg(CASE WHEN i = 7 THEN NULL ELSE (hashint4(i) & 15)::int2 END)) FROM generate_series(1, 40) i;
SELECT enc_damage('{t,f,t,t,f,f,t,f,t,t,f,t,f,f,t,t,t,f,f,t,t,f,t,f}'::bool[]);
SELECT enc_damage('{100,200,300,400,500,600,700,800,900}'::int8[]);
SELECT enc_damage('{100,200,300,400,500,600,700,800,900,1000,1100,1300}'::int4[]);
SELECT enc_damage('{apple,banana,apple,banana,apple,cherry,apple,banana}'::text[]);
SELECT enc_damage('{apple,NULL,banana,apple,banana,apple,cherry,apple,banana}'::cstring[]);
SELECT enc_damage('{1,5000000000,1,5000000000,-7000000000,1,5000000000,1,1,5000000000}'::int8[]);
SELECT enc_damage('{1.5,2.5,1.5,2.5,NaN,1.5,2.5,1.5,2.5,NaN}'::float8[]);
SELECT enc_damage(array_agg(md5((i % 2)::text)::uuid)) FROM generate_series(1, 6) i;
SELECT enc_damage('{1.5,1.50,2,-0.001,NULL,0.00,-12345.6789}'::numeric[]);
SELECT enc_damage('{10.25,10.50,10.75,11.00}'::numeric[]);
SELECT enc_damage('{1.5,NaN,NULL}'::float4[]);
SELECT enc_damage('{1.5,NaN,NULL}'::float8[]);
SELECT enc_damage('{t,f,NULL}'::bool[]);
SELECT enc_damage('{1 day,NULL,2 days}'::interval[]);
SELECT enc_damage('{a,NULL,bc}'::text[]);
SELECT enc_damage('{a,NULL,a}'::text[]);
SELECT enc_damage('{a,NULL,bc}'::cstring[]);

-- the SQLSTATE of a damaged image
DO $$
BEGIN
	PERFORM biwh.encoding_probe_corrupt('{1,2,3}'::int4[], 0, 0);
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'bad magic: % %', SQLSTATE, SQLERRM;
END
$$;
DO $$
BEGIN
	PERFORM biwh.encoding_decode_equal(substring(biwh.encoding_image('{a,b}'::text[]) FROM 1 FOR 20), '{a,b}'::text[]);
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'truncated: % %', SQLSTATE, SQLERRM;
END
$$;
-- an image decoded as the wrong kind
SELECT biwh.encoding_decode_equal(biwh.encoding_image('{1,2}'::int4[]), '{1,2}'::int8[]);
-- a value byte changed: decodes, but differs
SELECT biwh.encoding_probe_corrupt('{1,2,3}'::int4[], 16, 9) AS still_equal;

DROP FUNCTION enc_damage(anyarray);
DROP FUNCTION p(anyarray);
DROP EXTENSION biwh;
DROP EXTENSION dblink;
