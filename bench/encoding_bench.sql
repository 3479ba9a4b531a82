-- encoding_bench.sql: encode/decode speed of each column-chunk encoding
--
-- Run on a cluster with biwh installed (e.g. make demo KEEP=1, then
-- psql -f bench/encoding_bench.sql); :n values per vector (default 100000),
-- each encoded and decoded :loops times (default 20).
\if :{?n}
\else
\set n 100000
\endif
\if :{?loops}
\else
\set loops 20
\endif
CREATE EXTENSION IF NOT EXISTS biwh CASCADE;

SELECT 'int8 plain (random)' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg((hashint4(i)::int8 << 32) | (hashint4(-i)::int8 & 4294967295)) FROM generate_series(1, :n) i), :loops)
UNION ALL
SELECT 'int4 constant' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg(42) FROM generate_series(1, :n) i), :loops)
UNION ALL
SELECT 'int4 rle (runs of 1000)' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg(i / 1000) FROM generate_series(1, :n) i), :loops)
UNION ALL
SELECT 'int4 for (10 bits)' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg(hashint4(i) & 1023) FROM generate_series(1, :n) i), :loops)
UNION ALL
SELECT 'int8 delta_for (ids)' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg(i::int8 * 3 + (hashint4(i) & 1)) FROM generate_series(1, :n) i), :loops)
UNION ALL
SELECT 'timestamp delta_for' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg('2024-01-01'::timestamp + i * interval '1 second') FROM generate_series(1, :n) i), :loops)
UNION ALL
SELECT 'float8 dict (6 values)' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg((hashint4(i) & 7 % 6)::float8 / 4) FROM generate_series(1, :n) i), :loops)
UNION ALL
SELECT 'text dict (16 values)' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg('tenant_' || (hashint4(i) & 15)) FROM generate_series(1, :n) i), :loops)
UNION ALL
SELECT 'text plain (md5)' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg(md5(i::text)) FROM generate_series(1, :n) i), :loops)
UNION ALL
SELECT 'numeric scaled (x.xx)' AS vector, encoding, nvalues,
       round(encode_ns_per_value::numeric, 2) AS encode_ns, round(decode_ns_per_value::numeric, 2) AS decode_ns
  FROM biwh.encoding_bench((SELECT array_agg((hashint4(i) & 1048575) * 0.01) FROM generate_series(1, :n) i), :loops);
