# 107_columnar_large.pl — millions of rows over many row groups, and one
# statement loading many partitions
#
# A columnar table of 3,000,000 rows (25 row groups) and its heap copy must
# hold the same rows; one INSERT ... SELECT into 50 columnar partitions
# under a small write buffer must too, with every partition verified.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('large');
$node->init;
$node->append_conf('postgresql.conf', 'max_wal_size = 4GB');
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION biwh CASCADE');

$node->safe_psql(
	'postgres', q{
	CREATE TABLE big_h (id bigint, day date, store text, qty int, amount numeric(12,2), note text);
	INSERT INTO big_h
	SELECT g, date '2025-01-01' + (g / 10000)::int, 'Store ' || (g % 37),
	       (g % 97)::int, round((g % 1000) / 7.0, 2),
	       CASE WHEN g % 11 = 0 THEN NULL ELSE md5(g::text) END
	  FROM generate_series(1, 3000000) g;
	CREATE TABLE big_c (LIKE big_h) USING columnar;
	INSERT INTO big_c SELECT * FROM big_h;
});

is( $node->safe_psql(
		'postgres',
		'SELECT row_groups, rows FROM biwh.columnar_verify(\'big_c\')'),
	'25|3000000',
	'3,000,000 rows in 25 verified row groups');

my $agg =
  q{SELECT count(*), count(note), sum(id), sum(qty), sum(amount), min(day), max(day), count(DISTINCT store), md5(string_agg(note, ',' ORDER BY id)) FROM };
is( $node->safe_psql('postgres', $agg . 'big_c'),
	$node->safe_psql('postgres', $agg . 'big_h'),
	'aggregates over every column equal the heap copy');
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) FROM (SELECT * FROM big_c EXCEPT ALL SELECT * FROM big_h) d'),
	'0',
	'no columnar row missing from heap');
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*) FROM big_c WHERE day = '2025-03-01'}),
	$node->safe_psql(
		'postgres', q{SELECT count(*) FROM big_h WHERE day = '2025-03-01'}),
	'a one-day count (skipping) equals the heap count');

# One statement loading 50 partitions under a small write buffer
$node->safe_psql(
	'postgres', q{
	CREATE TABLE parts (id bigint, k int, v text) PARTITION BY LIST (k);
	DO $$
	BEGIN
		FOR i IN 0..49 LOOP
			EXECUTE format('CREATE TABLE parts_%s PARTITION OF parts FOR VALUES IN (%s) USING columnar', i, i);
		END LOOP;
	END $$;
});
$node->safe_psql(
	'postgres', q{
	SET biwh.write_buffer_size = '8MB';
	INSERT INTO parts SELECT id, (id % 50)::int, note FROM big_h WHERE id <= 1000000;
});
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*), sum(id), count(v) FROM parts}),
	$node->safe_psql(
		'postgres',
		q{SELECT count(*), sum(id), count(note) FROM big_h WHERE id <= 1000000}),
	'50 partitions loaded by one statement hold every row');
is( $node->safe_psql(
		'postgres', q{
	SELECT sum(r.rows) FROM pg_inherits i, LATERAL biwh.columnar_verify(i.inhrelid::regclass) r
	 WHERE i.inhparent = 'parts'::regclass}),
	'1000000',
	'every partition verifies');

$node->stop;
done_testing();
