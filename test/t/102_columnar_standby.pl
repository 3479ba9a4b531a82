# 102_columnar_standby.pl — a streaming hot standby reads columnar tables
#
# Like contrib/bloom's t/001_wal.pl: after each change on the primary (loads,
# COPY, rollbacks, VACUUM truncating and freeing pages, loads into freed
# pages, TRUNCATE, a rewrite, DROP), the standby, replaying only
# generic WAL with no biwh preload, returns the same answers.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "biwh.row_group_size = 1000\n");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION biwh CASCADE');

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

my $query = q{
	SELECT count(*), sum(id), count(v), md5(string_agg(id || ':' || coalesce(v, '-'), ',' ORDER BY id, v))
	  FROM c
};

# Run sql on the primary, wait for the standby and compare the answers.
sub check
{
	my ($sql, $what) = @_;
	$primary->safe_psql('postgres', $sql);
	$primary->wait_for_catchup($standby);
	my $p = $primary->safe_psql('postgres', $query);
	my $s = $standby->safe_psql('postgres', $query);
	is($s, $p, "standby equals primary: $what");
	return $p;
}

$primary->safe_psql('postgres', 'CREATE TABLE c (id int, v text) USING columnar');
check(q{INSERT INTO c SELECT g, 'v' || (g % 50) FROM generate_series(1, 10000) g},
	'INSERT ... SELECT over ten row groups');
check(q{INSERT INTO c VALUES (-1, NULL), (-2, 'two')}, 'a small INSERT');
check(q{COPY c (id) FROM PROGRAM 'seq 20001 23000'}, 'COPY');
check(q{BEGIN; INSERT INTO c SELECT g, 'rolled back' FROM generate_series(1, 5000) g; ROLLBACK},
	'a rolled-back load');
check(q{BEGIN; INSERT INTO c VALUES (7, 'kept'); SAVEPOINT s; INSERT INTO c SELECT g, 'gone' FROM generate_series(1, 3000) g; ROLLBACK TO s; COMMIT},
	'savepoints');
check(q{VACUUM c}, 'VACUUM truncating the rolled-back pages');
check(q{BEGIN; INSERT INTO c SELECT g, 'hole' FROM generate_series(1, 3000) g; ROLLBACK; INSERT INTO c VALUES (8, 'tail')},
	'a rolled-back load in the middle');
check(q{VACUUM c}, 'VACUUM listing free pages');
check(q{INSERT INTO c SELECT g, 'reused ' || g FROM generate_series(30001, 31500) g},
	'a load reusing free pages');
check(q{VACUUM c}, 'VACUUM merging small row groups');
check(q{VACUUM c}, 'VACUUM freeing the merged-away pages');
check(q{INSERT INTO c SELECT g, 'after merge' FROM generate_series(40001, 40700) g},
	'a load into the merged-away pages');
is($standby->safe_psql('postgres', q{SELECT rows = (SELECT count(*) FROM c) FROM biwh.columnar_verify('c')}),
	't', 'columnar_verify passes on the standby');
my $before = check(q{SELECT 1}, 'nothing changed');
check(q{VACUUM FULL c}, 'VACUUM FULL');
check(q{ALTER TABLE c SET ACCESS METHOD heap}, 'to heap');
check(q{ALTER TABLE c SET ACCESS METHOD columnar}, 'back to columnar');
is($primary->safe_psql('postgres', $query), $before, 'rewrites keep the rows');
check(q{TRUNCATE c; INSERT INTO c SELECT g, 'after truncate' FROM generate_series(1, 1500) g},
	'TRUNCATE and reload');

# A standby query whose snapshot still sees row groups that the primary
# merged away, then freed and reused: replaying the catalog's prune record
# cancels it (conflict with recovery) before the pages change, so it either
# reads the old rows right or is canceled, never reads the new bytes.
$standby->append_conf('postgresql.conf', "max_standby_streaming_delay = 200ms\n");
$standby->reload;
$primary->safe_psql('postgres', q{
	CREATE TABLE m (id int, v text) USING columnar;
	CREATE TABLE other (a int);
	DO $$ BEGIN FOR i IN 1..10 LOOP
		INSERT INTO m SELECT g, 'old ' || g FROM generate_series(i * 100, i * 100 + 99) g;
	END LOOP; END $$;
});
$primary->wait_for_catchup($standby);
my $m_query = q{SELECT count(*), sum(id), md5(string_agg(v, ',' ORDER BY id)) FROM m};
my $m_old = $primary->safe_psql('postgres', $m_query);
my $old = $standby->background_psql('postgres', on_error_stop => 0);
$old->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
$old->query_safe('SELECT count(*) FROM other');
$primary->safe_psql('postgres', 'VACUUM m');
$primary->safe_psql('postgres', 'VACUUM m');
$primary->safe_psql('postgres', q{INSERT INTO m SELECT g, 'new ' || g FROM generate_series(1, 3000) g});
$primary->wait_for_catchup($standby);
my $m_seen = eval { $old->query($m_query) };
my $m_err = ($@ // '') . ($old->{stderr} // '');
if (defined $m_seen && $m_seen eq $m_old)
{
	pass('the old standby snapshot reads the merged-away row groups right');
}
else
{
	unlike($m_err, qr/corrupt|missing block/, 'the old standby snapshot never reads reused pages');
	like($m_err, qr/conflict with recovery|terminating connection|server closed|connection/,
		'the old standby snapshot was canceled by the prune conflict');
}
eval { $old->quit; };
is($standby->safe_psql('postgres', $m_query), $primary->safe_psql('postgres', $m_query),
	'a new standby snapshot reads the reused pages right');
is($standby->safe_psql('postgres', q{SELECT rows FROM biwh.columnar_verify('m')}), '4000',
	'columnar_verify passes on the standby after the reuse');
$primary->safe_psql('postgres', 'DROP TABLE m, other');

# The standby cannot write, but says so clearly
my ($ret, $stdout, $stderr) = $standby->psql('postgres', q{INSERT INTO c VALUES (1, 'x')});
like($stderr, qr/read-only transaction/, 'the standby refuses writes');

# After promotion the former standby writes on its own
$primary->safe_psql('postgres', 'DROP TABLE c');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT count(*) FROM biwh.columnar_row_group'),
	'0', 'DROP removes the catalog rows on the standby too');
$primary->safe_psql('postgres', q{CREATE TABLE d USING columnar AS SELECT generate_series(1, 2500) AS id});
$primary->wait_for_catchup($standby);
$primary->stop;
$standby->promote;
$standby->safe_psql('postgres', q{INSERT INTO d SELECT generate_series(2501, 3000)});
is($standby->safe_psql('postgres', 'SELECT count(*), sum(id) FROM d'),
	'3000|4501500', 'the promoted standby reads and writes');

$standby->stop;
done_testing();
