/*
 * 05_encoding.sql: diagnostics of the column-chunk encodings
 *
 * These functions encode an array the way the columnar writer encodes a
 * column chunk, decode it back and compare; they exist for tests and
 * developers, not for users, so PUBLIC cannot execute them.
 */

CREATE FUNCTION biwh.encoding_probe(anyarray,
	OUT encoding text, OUT nrows int, OUT nnulls int,
	OUT raw_bytes int, OUT encoded_bytes int, OUT roundtrip_equal bool)
RETURNS record
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'encoding_probe';
COMMENT ON FUNCTION biwh.encoding_probe(anyarray) IS
	'diagnostic: encode an array as one column chunk, decode it, report the encoding chosen, sizes and whether every value round-trips';
REVOKE EXECUTE ON FUNCTION biwh.encoding_probe(anyarray) FROM PUBLIC;

CREATE FUNCTION biwh.encoding_image(anyarray)
RETURNS bytea
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'encoding_image';
COMMENT ON FUNCTION biwh.encoding_image(anyarray) IS
	'diagnostic: the encoded column-chunk image of an array';
REVOKE EXECUTE ON FUNCTION biwh.encoding_image(anyarray) FROM PUBLIC;

CREATE FUNCTION biwh.encoding_decode_equal(image bytea, original anyarray)
RETURNS bool
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'encoding_decode_equal';
COMMENT ON FUNCTION biwh.encoding_decode_equal(bytea, anyarray) IS
	'diagnostic: decode a (possibly damaged) column-chunk image with the array''s value kind and say whether it equals the array; malformed images raise data_corrupted';
REVOKE EXECUTE ON FUNCTION biwh.encoding_decode_equal(bytea, anyarray) FROM PUBLIC;

CREATE FUNCTION biwh.encoding_probe_corrupt(anyarray, byte_offset int, new_byte int)
RETURNS bool
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'encoding_probe_corrupt';
COMMENT ON FUNCTION biwh.encoding_probe_corrupt(anyarray, int, int) IS
	'diagnostic: encode an array, overwrite one byte of the image, decode it and say whether the values still equal the array; malformed images raise data_corrupted';
REVOKE EXECUTE ON FUNCTION biwh.encoding_probe_corrupt(anyarray, int, int) FROM PUBLIC;

CREATE FUNCTION biwh.encoding_bench(anyarray, loops int,
	OUT encoding text, OUT nvalues int,
	OUT encode_ns_per_value float8, OUT decode_ns_per_value float8)
RETURNS record
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'encoding_bench';
COMMENT ON FUNCTION biwh.encoding_bench(anyarray, int) IS
	'diagnostic: time encoding and decoding an array as one column chunk, loops times, in nanoseconds per value';
REVOKE EXECUTE ON FUNCTION biwh.encoding_bench(anyarray, int) FROM PUBLIC;
