# 112_columnar_index.pl — indexes on columnar tables under concurrency and
# crashes
#
# Uniqueness across transactions: a second inserter of a key another
# transaction still buffers waits for it, then fails (commit) or goes on
# (rollback), as with heap; many clients racing with ON CONFLICT DO NOTHING
# never store a key twice.  Parallel index builds equal serial ones.  A
# backend killed while building an index (plain or CONCURRENTLY) leaves a
# table that reads, verifies and indexes as before.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('index');
$node->init;
$node->append_conf('postgresql.conf', "biwh.row_group_size = 1000\nmax_connections = 30\nrestart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION biwh CASCADE;
	CREATE TABLE u (id int PRIMARY KEY, v text) USING columnar;
	INSERT INTO u SELECT g, 'stored' FROM generate_series(1, 5000) g;
});

# Start "INSERT INTO u VALUES (k, ...)" in a second session while a first
# one buffers k; return the second's output once the first ends with $end.
sub race
{
	my ($k, $end, $second) = @_;
	my $a = $node->background_psql('postgres', on_error_stop => 0);
	$a->query_safe("BEGIN; INSERT INTO u VALUES ($k, 'first')");
	my $b = $node->background_psql('postgres', on_error_stop => 0);
	my $bpid = $b->query_safe('SELECT pg_backend_pid()');
	$b->{stdin} .= "$second;\n\\echo done\n";
	$b->{run}->pump_nb();
	ok( $node->poll_query_until('postgres',
			"SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $bpid"),
		"the second inserter of $k waits for the first");
	$a->query_safe($end);
	$b->{run}->pump() until $b->{stdout} =~ /done/ || $b->{stderr} =~ /ERROR/;
	my $out = $b->{stderr};
	$b->quit;
	$a->quit;
	return $out;
}

like(race(6001, 'COMMIT', q{INSERT INTO u VALUES (6001, 'second')}),
	qr/duplicate key value violates unique constraint "u_pkey"/,
	'it fails once the first commits');
unlike(race(6002, 'ROLLBACK', q{INSERT INTO u VALUES (6002, 'second')}),
	qr/ERROR/, 'it goes on once the first rolls back');
unlike(race(6003, 'COMMIT', q{INSERT INTO u VALUES (6003, 'second') ON CONFLICT DO NOTHING}),
	qr/ERROR/, 'ON CONFLICT DO NOTHING waits, then skips');
is($node->safe_psql('postgres', q{SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM u WHERE id > 6000}),
	'6001:first,6002:second,6003:first', 'each key once, from the right session');

# many clients racing for the same keys
$node->safe_psql('postgres', 'CREATE TABLE r (k int PRIMARY KEY, c int) USING columnar');
$node->pgbench(
	'--no-vacuum --client=8 --transactions=100 --max-tries=1000',
	0,
	[qr{processed: 800/800}],
	[qr{^$}],
	'concurrent ON CONFLICT DO NOTHING',
	{
		'111_race' => q{
\set k random(1, 300)
BEGIN;
INSERT INTO r VALUES (:k, :client_id) ON CONFLICT DO NOTHING;
INSERT INTO r VALUES (:k + 300, :client_id) ON CONFLICT (k) DO NOTHING;
COMMIT;
}
	});
is($node->safe_psql('postgres', q{
		SET enable_seqscan = off; SET biwh.enable_custom_scan = off;
		SELECT count(*) = count(DISTINCT k) FROM r}),
	't', 'no key is stored twice');
is($node->safe_psql('postgres', q{
		SET enable_indexscan = off; SET enable_bitmapscan = off;
		SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM (SELECT DISTINCT k FROM r) x)}),
	$node->safe_psql('postgres', q{
		SET enable_seqscan = off; SET biwh.enable_custom_scan = off;
		SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM (SELECT DISTINCT k FROM r) x)}),
	'the index has every row');

# parallel index builds
$node->safe_psql('postgres', q{
	CREATE TABLE p (id int, v text) USING columnar;
	INSERT INTO p SELECT g, 'v' || (g % 777) FROM generate_series(1, 60000) g;
	CREATE TABLE ph AS SELECT * FROM p;
	ALTER TABLE p SET (parallel_workers = 2);
});
my ($ret, $out, $err) = $node->psql('postgres', q{
	SET client_min_messages = debug1;
	CREATE INDEX p_v ON p (v);
	CREATE UNIQUE INDEX p_id ON p (id);
});
like($err, qr/building index "p_v" on table "p" with request for 2 parallel workers/,
	'the build is parallel');
is($node->safe_psql('postgres', q{
		SET enable_seqscan = off; SET biwh.enable_custom_scan = off;
		SELECT count(*) FROM (SELECT * FROM p WHERE v IN ('v1', 'v500') OR id < 100
		                      EXCEPT ALL
		                      SELECT * FROM ph WHERE v IN ('v1', 'v500') OR id < 100) x}),
	'0', 'a parallel build indexes every row');
is($node->safe_psql('postgres', q{SELECT count(*) FROM p WHERE v IN ('v1', 'v500') OR id < 100}),
	$node->safe_psql('postgres', q{SELECT count(*) FROM ph WHERE v IN ('v1', 'v500') OR id < 100}),
	'and no row twice');

# a backend killed while it builds an index
$node->safe_psql('postgres', q{
	CREATE FUNCTION slow(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS
		$$BEGIN IF $1 = 2500 THEN PERFORM pg_sleep(300); END IF; RETURN $1; END$$;
});
my $expected = $node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM u');
for my $how ('', 'CONCURRENTLY')
{
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $bg->query_safe('SELECT pg_backend_pid()');
	$bg->{stdin} .= "CREATE INDEX $how u_slow ON u (slow(id));\n";
	$bg->{run}->pump_nb();
	ok( $node->poll_query_until('postgres',
			"SELECT wait_event = 'PgSleep' FROM pg_stat_activity WHERE pid = $pid"),
		"CREATE INDEX $how is under way");
	kill 'KILL', $pid;
	eval { $bg->quit; };
	$node->poll_query_until('postgres', 'SELECT 1', '1')
	  or die "the server did not come back";
	is($node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM u'), $expected,
		"after a crash in CREATE INDEX $how the table reads as before");
	# CONCURRENTLY leaves an invalid index, as with heap: it does no harm
	$node->safe_psql('postgres', qq{
		INSERT INTO u VALUES (7000 + length('$how'), 'after');
		VACUUM FULL u;
		DROP INDEX IF EXISTS u_slow;
	});
	$expected = $node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM u');
	is($node->safe_psql('postgres', q{
			SET enable_seqscan = off; SET biwh.enable_custom_scan = off;
			SELECT v FROM u WHERE id = 4321}),
		'stored', "the primary key still finds rows after CREATE INDEX $how crashed");
	is($node->safe_psql('postgres', q{
			SELECT rows = (SELECT count(*) FROM u) FROM biwh.columnar_verify('u')}),
		't', 'columnar_verify reads every chunk');
}
$node->safe_psql('postgres', 'CREATE INDEX u_v ON u (v); REINDEX TABLE u; VACUUM FULL u');
is($node->safe_psql('postgres', q{
		SET enable_seqscan = off; SET biwh.enable_custom_scan = off;
		SELECT count(*) FROM u WHERE v = 'stored'}),
	'5000', 'indexes build again');

$node->stop;
done_testing();
