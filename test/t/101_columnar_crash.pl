# 101_columnar_crash.pl — columnar tables survive crashes
#
# Rows of committed transactions are all there after an immediate stop, or
# after kill -9 of a backend (the postmaster then restarts with crash
# recovery), in the middle of a load; rows of the load that
# was running are not, and the table takes new rows afterwards.  The data
# pages exist only in WAL at the crash (no checkpoint after the load), so
# this also tests that every write is WAL-logged.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', "biwh.row_group_size = 1000\nrestart_after_crash = on\n");
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION biwh CASCADE;
	CREATE TABLE c (id int, v text, ts timestamptz) USING columnar;
	CREATE TABLE h (id int, v text, ts timestamptz);
	CHECKPOINT;
});

my $load = q{
	INSERT INTO %s SELECT g, 'value ' || (g %% 97), timestamptz '2025-01-01 00:00+00' + g * interval '1 minute'
	  FROM generate_series(%d, %d) g;
};

# committed loads: INSERT ... SELECT, a COPY, small inserts
for my $t ('c', 'h')
{
	$node->safe_psql('postgres', sprintf($load, $t, 1, 25000));
	$node->safe_psql('postgres', "COPY $t (id) FROM PROGRAM 'seq 25001 25500'");
	$node->safe_psql('postgres', "INSERT INTO $t VALUES (-1, 'small', '2025-06-01 12:00+00')");
}
my $expected = $node->safe_psql('postgres',
	'SELECT count(*), sum(id), count(v), md5(string_agg(v, \',\' ORDER BY id)) FROM h');

# A load still running when the server dies: its row groups are on disk
# and their catalog rows inserted, but it never commits.
sub crash_during_load
{
	my ($mode) = @_;
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $bg->query_safe('SELECT pg_backend_pid()');
	$bg->query_until(qr/loaded/,
		"BEGIN;\n" . sprintf($load, 'c', 100000, 130000) . "\\echo loaded\n");
	if ($mode eq 'immediate')
	{
		$node->stop('immediate');
	}
	else
	{
		# SIGKILL of a backend: the postmaster reinitializes, like a crash
		kill 'KILL', $pid;
	}
	eval { $bg->quit; };
	if ($mode eq 'immediate')
	{
		$node->start;
	}
	else
	{
		$node->poll_query_until('postgres', 'SELECT 1', '1')
		  or die "the server did not come back";
	}
}

crash_during_load('immediate');
is($node->safe_psql('postgres',
		'SELECT count(*), sum(id), count(v), md5(string_agg(v, \',\' ORDER BY id)) FROM c'),
	$expected, 'after an immediate stop, committed rows are all there and no others');

$node->safe_psql('postgres', sprintf($load, 'c', 200000, 201500));
$node->safe_psql('postgres', sprintf($load, 'h', 200000, 201500));
$expected = $node->safe_psql('postgres',
	'SELECT count(*), sum(id), count(v), md5(string_agg(v, \',\' ORDER BY id)) FROM h');

crash_during_load('kill9');
is($node->safe_psql('postgres',
		'SELECT count(*), sum(id), count(v), md5(string_agg(v, \',\' ORDER BY id)) FROM c'),
	$expected, 'after kill -9 of a backend, committed rows are all there and no others');

is($node->safe_psql('postgres',
		'SELECT count(*) FROM (SELECT * FROM c EXCEPT ALL SELECT * FROM h) x'),
	'0', 'the columnar table equals the heap table row by row');

# the table keeps working: more rows, a truncate, a rewrite
$node->safe_psql('postgres', sprintf($load, 'c', 300000, 300999));
is($node->safe_psql('postgres', 'SELECT count(*) FROM c WHERE id >= 300000'),
	'1000', 'new rows after recovery');
$node->safe_psql('postgres', 'VACUUM FULL c');
is($node->safe_psql('postgres', 'SELECT count(*) FROM c'),
	$node->safe_psql('postgres', 'SELECT count(*) + 1000 FROM h'), 'VACUUM FULL after recovery');

# A crash right after a table's first write: the file was extended with an
# all-zero block 0 for the metapage, but the metapage's WAL never reached
# disk.  The table must read as empty (as a heap table does) and take
# writes, TRUNCATE and DROP.  First the real thing (kill -9 before commit),
# then the state it can leave, made by hand so it is always tested.
$node->safe_psql('postgres', q{
	CREATE TABLE crash2 (a int) USING columnar;
	CREATE TABLE crash2h (a int);
	CHECKPOINT;
});
{
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $bg->query_safe('SELECT pg_backend_pid()');
	$bg->query_until(qr/inserted/,
		"BEGIN;\nINSERT INTO crash2 VALUES (1);\nINSERT INTO crash2h VALUES (1);\n\\echo inserted\n");
	kill 'KILL', $pid;
	eval { $bg->quit; };
	$node->poll_query_until('postgres', 'SELECT 1', '1')
	  or die "the server did not come back";
}
is($node->safe_psql('postgres', 'SELECT count(*) FROM crash2'),
	$node->safe_psql('postgres', 'SELECT count(*) FROM crash2h'),
	'a crash during the first write leaves an empty table, as heap');

$node->safe_psql('postgres', q{
	CREATE TABLE zb1 (a int) USING columnar;
	CREATE TABLE zb2 (a int) USING columnar;
	CREATE TABLE zb3 (a int) USING columnar;
});
my %zfile;
$zfile{$_} = $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('$_')")
  for qw(zb1 zb2 zb3);
$node->stop;
for my $f (values %zfile)
{
	open(my $fh, '>>', $f) or die "open $f: $!";
	binmode $fh;
	print $fh ("\0" x 8192);
	close $fh;
}
$node->start;
is(-s $zfile{zb1}, 8192, 'the table has one all-zero block');
is($node->safe_psql('postgres', 'SELECT count(*) FROM zb1'), '0',
	'an all-zero metapage block reads as an empty table');
$node->safe_psql('postgres', 'INSERT INTO zb1 SELECT generate_series(1, 10)');
is($node->safe_psql('postgres', 'SELECT count(*), sum(a) FROM zb1'), '10|55',
	'an all-zero metapage block takes writes');
$node->safe_psql('postgres', 'TRUNCATE zb2');
$node->safe_psql('postgres', 'INSERT INTO zb2 VALUES (7)');
is($node->safe_psql('postgres', 'SELECT sum(a) FROM zb2'), '7',
	'an all-zero metapage block can be truncated');
my ($ret) = $node->psql('postgres', 'DROP TABLE zb3');
is($ret, 0, 'a table with an all-zero metapage block can be dropped');
# the same after a restart (the metapage now comes from disk)
$node->restart;
is($node->safe_psql('postgres', 'SELECT count(*), sum(a) FROM zb1'), '10|55',
	'the metapage made over the zero block survives a restart');
$node->safe_psql('postgres', 'DROP TABLE crash2, crash2h, zb1, zb2');

$node->stop;
done_testing();
