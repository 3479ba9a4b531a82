# 108_columnar_parallel_standby.pl — parallel scans on a hot standby
#
# A streaming standby plans the same parallel ColumnarScans as its primary
# (Gather over Parallel Custom Scan, partial aggregates), its workers list
# the row groups with the standby's snapshot, and after every load the
# primary sends (loads, COPY, a rollback, a savepoint, VACUUM merging row
# groups) the standby's parallel answers equal the primary's and its own
# serial ones, also with the workers reading everything alone.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $parallel = q{
max_parallel_workers_per_gather = 2
parallel_setup_cost = 0
parallel_tuple_cost = 0
min_parallel_table_scan_size = 0
};

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', $parallel);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION biwh CASCADE');
$primary->safe_psql('postgres', q{
	CREATE TABLE c (id int, g int, s text, v numeric(10,2)) USING columnar
		WITH (row_group_size = 1000);
	INSERT INTO c SELECT i, i % 7, 's' || (i % 13), i / 10.0 FROM generate_series(1, 20000) i;
});

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

my @queries = (
	q{SELECT count(*), sum(id), md5(string_agg(id || ':' || coalesce(s, '-'), ',' ORDER BY id)) FROM c},
	q{SELECT count(*), sum(v) FROM c WHERE s = 's3' AND id > 5000},
	q{SELECT g, count(*), min(id), max(id), sum(v) FROM c WHERE id % 3 <> 0 GROUP BY g ORDER BY g},
);

# The standby plans each query in parallel and launches workers
foreach my $q (@queries)
{
	like($standby->safe_psql('postgres', "EXPLAIN (COSTS OFF) $q"),
		qr/Gather.*Parallel Custom Scan \(Columnar(?:Scan|Agg)\) on c/s,
		"the standby plans a parallel ColumnarScan or ColumnarAgg: $q");
}
like($standby->safe_psql('postgres',
		"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $queries[0]"),
	qr/Workers Launched: [12].*Row Groups Read: 20\n/s,
	'the standby launches workers, and the participants read every row group once');

# Compare the standby's parallel answers (with and without the leader's
# help) with the primary's and with its own serial ones.
sub check
{
	my ($sql, $what) = @_;
	$primary->safe_psql('postgres', $sql);
	$primary->wait_for_catchup($standby);
	foreach my $q (@queries)
	{
		my $p = $primary->safe_psql('postgres', $q);
		is($standby->safe_psql('postgres', $q), $p,
			"after $what: the standby's parallel scan equals the primary's");
		is($standby->safe_psql('postgres', "SET parallel_leader_participation = off; $q"), $p,
			"after $what: the standby's workers alone equal the primary");
		is($standby->safe_psql('postgres', "SET max_parallel_workers_per_gather = 0; $q"), $p,
			"after $what: the standby's serial scan equals the primary's");
	}
	return;
}

check(q{SELECT 1}, 'the first load');
check(q{INSERT INTO c SELECT i, i % 7, 's' || (i % 13), i / 10.0 FROM generate_series(20001, 45500) i},
	'a load of 26 more row groups');
check(q{COPY c (id) FROM PROGRAM 'seq 50001 52500'}, 'COPY');
check(q{BEGIN; INSERT INTO c SELECT i, 0, 'gone', 0 FROM generate_series(1, 5000) i; ROLLBACK},
	'a rolled-back load');
check(q{BEGIN; INSERT INTO c VALUES (-1, 1, 'kept', 1); SAVEPOINT s;
	INSERT INTO c SELECT i, 0, 'gone', 0 FROM generate_series(1, 3000) i; ROLLBACK TO s; COMMIT},
	'a savepoint rolled back');
check(q{INSERT INTO c VALUES (-2, 2, 'small', 2); INSERT INTO c VALUES (-3, 3, 'small', 3)},
	'small inserts');
check(q{VACUUM c}, 'VACUUM merging small row groups');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM c'), '48003',
	'the standby counts every row');

$standby->stop;
$primary->stop;
done_testing();
