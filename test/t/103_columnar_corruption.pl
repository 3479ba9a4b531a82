# 103_columnar_corruption.pl — damaged columnar pages raise errors, not
# crashes
#
# With the server stopped, bytes of data pages (inside a chunk, in a page
# header, the metapage) are overwritten or the file is truncated; reading
# the table then fails with ERRCODE_DATA_CORRUPTED (SQLSTATE XX001) and the
# server stays up, and biwh.columnar_verify-style full reads report it.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('corrupt');
$node->init;
$node->append_conf('postgresql.conf', "biwh.row_group_size = 1000\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION biwh CASCADE');

my $blcksz = $node->safe_psql('postgres', 'SHOW block_size');

# Make table $name with compression $comp; return its file path.
sub make_table
{
	my ($name, $comp) = @_;
	$node->safe_psql('postgres', qq{
		SET biwh.compression = '$comp';
		CREATE TABLE $name (id int, v text, f float8) USING columnar;
		INSERT INTO $name SELECT g, md5(g::text), g / 7.0 FROM generate_series(1, 5000) g;
	});
	return $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('$name')");
}

# Overwrite $len bytes at $offset of $file with $byte.
sub damage
{
	my ($file, $offset, $len, $byte) = @_;
	open(my $fh, '+<', $file) or die "open $file: $!";
	binmode $fh;
	seek($fh, $offset, 0) or die "seek: $!";
	print $fh ($byte x $len);
	close $fh;
}

# Read every column of $name; check it fails with XX001 and the server lives.
sub check_corrupted
{
	my ($name, $what) = @_;
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"\\set VERBOSITY verbose\nSELECT count(*), sum(id), count(v), sum(f) FROM $name");
	like($stderr, qr/ERROR:  XX001/, "$what: data_corrupted error");
	is($node->safe_psql('postgres', 'SELECT 1'), '1', "$what: the server is up");
}

my %files;
$files{$_->[0]} = make_table(@$_) for (['cz', 'zstd'], ['cn', 'none'], ['ch', 'zstd'],
	['cm', 'none'], ['ct', 'zstd']);
is($node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM cz'), '5000|12502500',
	'the table reads before damage');
$node->stop;

# inside the chunks of the first row group (its first page is full)
damage($files{cz}, 1 * $blcksz + 2000, 64, "\x55");
damage($files{cn}, 1 * $blcksz + 2000, 64, "\x55");
# a data page header (pd_lower / pd_upper)
damage($files{ch}, 2 * $blcksz + 12, 4, "\xff");
# the metapage
damage($files{cm}, 30, 16, "\x00");
# truncated file: only the metapage and one data page left
truncate($files{ct}, 2 * $blcksz) or die "truncate: $!";

$node->start;
check_corrupted('cz', 'zstd chunk bytes');
check_corrupted('cn', 'uncompressed chunk bytes');
check_corrupted('ch', 'page header');
check_corrupted('cm', 'metapage');
check_corrupted('ct', 'truncated file');

# a damaged table can still be emptied and dropped
my ($ret) = $node->psql('postgres', 'TRUNCATE cm');
is($ret, 0, 'a table with a damaged metapage can be truncated');
is($node->safe_psql('postgres', 'INSERT INTO cm (id) VALUES (1); SELECT count(*) FROM cm'), '1',
	'the truncated table takes new rows');
$files{cm} = $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('cm')");
$node->stop;
damage($files{cm}, 30, 16, "\x00");
$node->start;
($ret) = $node->psql('postgres', 'DROP TABLE cm');
is($ret, 0, 'a table with a damaged metapage can be dropped');

# undamaged tables of the same database still read
$node->safe_psql('postgres', q{CREATE TABLE ok USING columnar AS SELECT generate_series(1, 3000) AS id});
is($node->safe_psql('postgres', 'SELECT count(*) FROM ok'), '3000', 'other tables still read');

$node->stop;
done_testing();
