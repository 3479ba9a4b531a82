# 106_columnar_dump.pl — pg_dump / pg_restore round trip of columnar tables
#
# Columnar tables with non-default options (also columnar partitions of a
# partitioned table, and a materialized view) are dumped in plain and custom
# format and restored into new databases with psql and pg_restore.  The
# restored tables hold the same rows (md5 of the ordered rows), the same
# options (biwh.columnar_table_options, which reads pg_class.reloptions)
# and row groups of the dumped sizes: the options were in effect when the
# restore's COPY loaded the rows.  A temporary table of another session is
# not dumped.  A dump without access methods restores as heap tables.
# pg_upgrade, whose schema dump creates the event triggers after the
# tables, keeps tables and options too.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
	CREATE EXTENSION biwh CASCADE;
	CREATE TABLE t1 (id int, grp text, day date, amount numeric(12,2)) USING columnar
		WITH (compression = none, row_group_size = 5000, sort_key = 'grp, id');
	INSERT INTO t1 SELECT g, 'g' || (g % 17), date '2025-01-01' + g % 365, g * 1.25
	  FROM generate_series(1, 12000) g;
	CREATE TABLE t2 ("Mixed Case" int, v text) USING columnar
		WITH (compression = zstd, compression_level = 9, row_group_size = 1000,
			  sort_key = '"Mixed Case"', fillfactor = 90);
	INSERT INTO t2 SELECT (g * 7919) % 4000, md5(g::text) FROM generate_series(1, 4000) g;
	CREATE TABLE p (day date, tenant int, v bigint) PARTITION BY RANGE (day);
	CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2025-01-01') TO ('2025-07-01')
		USING columnar WITH (row_group_size = 2000, sort_key = 'tenant');
	CREATE TABLE p2 PARTITION OF p FOR VALUES FROM ('2025-07-01') TO ('2026-01-01')
		USING columnar WITH (compression = none);
	CREATE TABLE p3 PARTITION OF p FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') USING heap;
	INSERT INTO p SELECT date '2025-01-01' + g % 700, g % 5, g FROM generate_series(1, 9000) g;
	CREATE MATERIALIZED VIEW mv USING columnar WITH (row_group_size = 1500)
		AS SELECT tenant, count(*) AS n, sum(v) AS v FROM p GROUP BY tenant, day;
});

# a temporary table of another session, alive while the dumps run
my $bg = $node->background_psql('src');
$bg->query_safe(q{
	CREATE TEMP TABLE tmp_c USING columnar WITH (row_group_size = 1000)
		AS SELECT g AS id FROM generate_series(1, 3000) g
});

my @tables = qw(t1 t2 p1 p2 p3 mv);

# Return a line per table: rows, md5 of the ordered rows, options, row groups.
sub describe
{
	my ($db, $on) = @_;
	my $n = $on // $node;
	my $out = '';
	for my $t (@tables)
	{
		$out .= $n->safe_psql($db, qq{
			SELECT '$t', count(*), md5(string_agg(x::text, '|' ORDER BY x::text))
			  FROM $t x
		}) . ' ';
		$out .= $n->safe_psql($db, qq{
			SELECT a.amname, o.*
			  FROM pg_class c JOIN pg_am a ON a.oid = c.relam, biwh.columnar_table_options(c.oid) o
			 WHERE c.oid = '$t'::regclass
		}) . ' ';
		$out .= $n->safe_psql($db, qq{
			SELECT coalesce(string_agg(row_count::text, ',' ORDER BY first_row), '-')
			  FROM biwh.columnar_row_group
			 WHERE (SELECT amname FROM pg_am a JOIN pg_class c ON c.relam = a.oid
					 WHERE c.oid = '$t'::regclass) = 'columnar'
			   AND storage_id = biwh.columnar_storage_id('$t')
		}) . "\n";
	}
	return $out;
}

my $source = describe('src');
like($source, qr/^t1\|12000\|\w+ columnar\|none\|3\|5000\|\{grp,id\} 5000,5000,2000$/m,
	't1 has its options and row groups of 5000');
like($source, qr/^t2\|4000\|\w+ columnar\|zstd\|9\|1000\|\{"Mixed Case"\} 1000,1000,1000,1000$/m,
	't2 has its options');
like($source, qr/^p3\|\d+\|\w+ heap\|zstd\|3\|120000\| -$/m, 'p3 is a heap partition');

my $dir = PostgreSQL::Test::Utils::tempdir;

# plain format, restored with psql
$node->command_ok([ 'pg_dump', '-d', $node->connstr('src'), '-f', "$dir/plain.sql" ],
	'pg_dump plain');
my $plain = slurp_file("$dir/plain.sql");
like($plain, qr/WITH \(compression='none', row_group_size='5000', sort_key='grp, id'\)/,
	'the plain dump has the options of t1');
unlike($plain, qr/tmp_c/, 'the temporary table is not dumped');
$node->safe_psql('postgres', 'CREATE DATABASE dst_plain');
$node->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('dst_plain'),
	  '-f', "$dir/plain.sql" ],
	'psql restores the plain dump');
is(describe('dst_plain'), $source, 'plain dump: same rows, options and row groups');

# custom format, restored with pg_restore
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', "$dir/custom.dump" ],
	'pg_dump custom');
$node->safe_psql('postgres', 'CREATE DATABASE dst_custom');
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst_custom'), "$dir/custom.dump" ],
	'pg_restore restores the custom dump');
is(describe('dst_custom'), $source, 'custom dump: same rows, options and row groups');

# the restored tables take new options as any other
$node->safe_psql('dst_custom', q{
	ALTER TABLE t1 SET (row_group_size = 3000), RESET (sort_key);
	VACUUM FULL t1;
});
is($node->safe_psql('dst_custom', q{
	SELECT string_agg(row_count::text, ',' ORDER BY first_row) FROM biwh.columnar_row_group
	 WHERE storage_id = biwh.columnar_storage_id('t1')
}), '3000,3000,3000,3000', 'a restored table is altered and rewritten with new options');

# without access methods: heap tables, the columnar options dropped with a warning
$node->command_ok(
	[ 'pg_dump', '--no-table-access-method', '-d', $node->connstr('src'), '-f', "$dir/noam.sql" ],
	'pg_dump --no-table-access-method');
$node->safe_psql('postgres', 'CREATE DATABASE dst_noam');
my ($ret, $stdout, $stderr) = $node->psql('dst_noam', slurp_file("$dir/noam.sql"));
is($ret, 0, 'a dump without access methods restores');
like($stderr, qr/WARNING:  columnar options of table "t1" are ignored/, 'with a warning');
is($node->safe_psql('dst_noam', q{
	SELECT string_agg(c.relname || ':' || a.amname || ':' || coalesce(c.reloptions::text, '-'), ' ' ORDER BY c.relname)
	  FROM pg_class c JOIN pg_am a ON a.oid = c.relam
	 WHERE c.relname IN ('t1', 't2', 'p1', 'mv')
}), 'mv:heap:- p1:heap:- t1:heap:- t2:heap:{fillfactor=90}', 'heap tables, heap options kept');
is($node->safe_psql('dst_noam', q{SELECT count(*), sum(id) FROM t1}), '12000|72006000',
	'with the rows');

# pg_upgrade into a new cluster
$bg->quit;
my $new = PostgreSQL::Test::Cluster->new('upgraded');
$new->init;
$node->stop;
my $bindir = $node->config_data('--bindir');
chdir $dir;
command_ok(
	[ 'pg_upgrade', '--no-sync', '-d', $node->data_dir, '-D', $new->data_dir,
	  '-b', $bindir, '-B', $bindir, '-s', $new->host, '-p', $node->port, '-P', $new->port ],
	'pg_upgrade');
$new->start;
is(describe('src', $new), $source, 'pg_upgrade: same rows, options and row groups');
$new->safe_psql('src', q{INSERT INTO t1 SELECT * FROM t1 WHERE id <= 6000});
is($new->safe_psql('src', q{
	SELECT string_agg(row_count::text, ',' ORDER BY first_row) FROM biwh.columnar_row_group
	 WHERE storage_id = biwh.columnar_storage_id('t1')
}), '5000,5000,2000,5000,1000', 'an upgraded table is written with its options');
$new->stop;
done_testing();
