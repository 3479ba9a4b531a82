# 105_columnar_vacuum.pl — VACUUM reclaims columnar pages safely
#
# VACUUM truncates the pages of aborted loads and frees those of row groups
# merged away, but never a page someone may still need: not while another
# session is loading (its row groups are in progress), not while an older
# snapshot can still see a merged-away row group.  A crash right after a
# load into freed pages and a truncation recovers the same data.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('vacuum');
$node->init;
$node->append_conf('postgresql.conf', "biwh.row_group_size = 1000\nautovacuum = off\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION biwh CASCADE;
	CREATE TABLE c (id int, v text) USING columnar;
	CREATE TABLE h (id int, v text);
});

my $load = q{INSERT INTO %s SELECT g, md5(g::text) FROM generate_series(%d, %d) g;};
my $state = q{SELECT count(*), sum(id), md5(string_agg(id || v, ',' ORDER BY id)) FROM %s};

sub state { my ($t) = @_; return $node->safe_psql('postgres', sprintf($state, $t)); }
sub verify
{
	my ($what) = @_;
	is($node->safe_psql('postgres',
			q{SELECT rows = (SELECT count(*) FROM c) FROM biwh.columnar_verify('c')}),
		't', "columnar_verify passes: $what");
}
sub blocks { return $node->safe_psql('postgres', q{SELECT pg_relation_size('c') / 8192}); }

for my $t ('c', 'h') { $node->safe_psql('postgres', sprintf($load, $t, 1, 5000)); }
my $loaded = blocks();

# A rolled-back load leaves pages at the end; then another session loads
# (in progress, not committed) while VACUUM runs: VACUUM cannot take the
# table's AccessExclusiveLock, so it truncates nothing, and in particular
# not the loader's fresh pages, whose catalog rows nobody sees yet.
$node->safe_psql('postgres', 'BEGIN; ' . sprintf($load, 'c', 1, 20000) . ' ROLLBACK;');
my $bg = $node->background_psql('postgres', on_error_stop => 1);
$bg->query_safe('BEGIN');
$bg->query_safe(sprintf($load, 'c', 5001, 12000));
my ($ret, $out, $err) = $node->psql('postgres', 'VACUUM (VERBOSE) c');
like($err, qr/pages not reclaimed/, 'VACUUM leaves the pages while a load is in progress');
$bg->query_safe(sprintf($load, 'h', 5001, 12000));
$bg->query_safe('COMMIT');
is(state('c'), state('h'), 'the concurrent load is whole after its commit');
verify('after the concurrent load');

# Now nobody is writing: the aborted load's pages in the middle become free
# and the next loads reuse them instead of growing the file
$node->safe_psql('postgres', 'VACUUM c');
ok($node->safe_psql('postgres', q{SELECT biwh.columnar_free_pages('c')}) > 0,
	'the aborted pages in the middle are free');
my $before = blocks();
for my $t ('c', 'h') { $node->safe_psql('postgres', sprintf($load, $t, 12001, 14000)); }
is(blocks(), $before, 'a later load reuses them');
is(state('c'), state('h'), 'data equals the heap copy after reuse');
verify('after reuse');

# An older snapshot still sees the row groups merged away: they stay until
# it is gone.  The snapshot is taken on another table, so it holds no lock
# on c (a lock alone would stop VACUUM).
$node->safe_psql('postgres', q{
	CREATE TABLE s (id int, v text) USING columnar;
	CREATE TABLE s_heap (id int, v text);
	CREATE TABLE other (a int);
	DO $$ BEGIN FOR i IN 1..10 LOOP
		INSERT INTO s SELECT g, 'row ' || g FROM generate_series(i * 100, i * 100 + 99) g;
		INSERT INTO s_heap SELECT g, 'row ' || g FROM generate_series(i * 100, i * 100 + 99) g;
	END LOOP; END $$;
});
my $old = $node->background_psql('postgres', on_error_stop => 1);
$old->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
$old->query_safe('SELECT count(*) FROM other');
$node->safe_psql('postgres', 'VACUUM s');
$node->safe_psql('postgres', 'VACUUM s');
is($node->safe_psql('postgres', q{SELECT biwh.columnar_free_pages('s')}), '0',
	'merged-away row groups an old snapshot sees are not freed');
$node->safe_psql('postgres', q{INSERT INTO s SELECT g, 'new' FROM generate_series(5000, 5999) g});
is($old->query_safe(q{SELECT count(*), sum(id), md5(string_agg(id || v, ',' ORDER BY id)) FROM s}),
	$node->safe_psql('postgres', q{SELECT count(*), sum(id), md5(string_agg(id || v, ',' ORDER BY id)) FROM s_heap}),
	'the old snapshot still reads the merged-away row groups');
$old->query_safe('COMMIT');
$old->quit;
$node->safe_psql('postgres', 'VACUUM s');
ok($node->safe_psql('postgres', q{SELECT biwh.columnar_free_pages('s')}) > 0,
	'once the snapshot is gone, the next VACUUM frees them');
is($node->safe_psql('postgres', q{SELECT rows FROM biwh.columnar_verify('s')}), '2000',
	'columnar_verify passes after compaction');

# Loads (a third of them rolled back, some small enough to be merged) race
# with VACUUMs that merge, truncate and free pages, and with readers:
# every committed row is there once, each batch whole, every chunk intact.
$node->safe_psql('postgres', q{
	CREATE TABLE cc (client int, batch int, n int, v text) USING columnar;
	CREATE TABLE done (client int, batch int, rows int);
});
$node->pgbench(
	'--no-vacuum --client=3 --transactions=40',
	0,
	[qr{processed: 120/120}],
	[qr{^$}],
	'loads racing with VACUUM',
	{
		'105_load@4' => q{
\set rows random(1, 2500)
\set rb random(1, 3)
BEGIN;
INSERT INTO cc SELECT :client_id, (SELECT count(*) FROM done WHERE client = :client_id), g, md5(g::text) FROM generate_series(1, :rows) g;
INSERT INTO done SELECT :client_id, (SELECT count(*) FROM done WHERE client = :client_id), :rows WHERE :rb > 1;
SELECT count(*) FROM cc;
\if :rb = 1
ROLLBACK;
\else
COMMIT;
\endif
},
		'105_vacuum@1' => q{
VACUUM cc;
}
	});
my $cc_check = q{
	SELECT (SELECT count(*) FROM cc) = (SELECT coalesce(sum(rows), 0) FROM done),
		   (SELECT count(*) FROM (SELECT client, batch, count(*) AS n FROM cc GROUP BY 1, 2) x
			  JOIN done d USING (client, batch) WHERE x.n <> d.rows),
		   (SELECT rows = (SELECT count(*) FROM cc) FROM biwh.columnar_verify('cc'))
};
is($node->safe_psql('postgres', $cc_check), 't|0|t',
	'after loads racing with VACUUM: every committed row, each batch whole, verify passes');
$node->safe_psql('postgres', 'VACUUM cc');
$node->safe_psql('postgres', 'VACUUM cc');
is($node->safe_psql('postgres', $cc_check), 't|0|t', 'and after two more VACUUMs');

# A crash right after a load into freed pages and a truncation: recovery
# gives the same data, size and free list (all of it only in WAL: no
# checkpoint since)
$node->safe_psql('postgres', 'CHECKPOINT');
$node->safe_psql('postgres', 'BEGIN; ' . sprintf($load, 'c', 1, 4000) . ' ROLLBACK;');
for my $t ('c', 'h') { $node->safe_psql('postgres', sprintf($load, $t, 14001, 14100)); }
$node->safe_psql('postgres', 'VACUUM c');
my $free = $node->safe_psql('postgres', q{SELECT biwh.columnar_free_pages('c')});
for my $t ('c', 'h') { $node->safe_psql('postgres', sprintf($load, $t, 14101, 15100)); }
ok($node->safe_psql('postgres', q{SELECT biwh.columnar_free_pages('c')}) < $free,
	'a committed load went to freed pages');
$node->safe_psql('postgres', 'BEGIN; ' . sprintf($load, 'c', 1, 30000) . ' ROLLBACK;');
my $grown = blocks();
$node->safe_psql('postgres', 'VACUUM c');
my $after = blocks();
ok($after < $grown, "VACUUM truncated ($grown -> $after blocks)");
my $expected = state('h');
$free = $node->safe_psql('postgres', q{SELECT biwh.columnar_free_pages('c')});
$node->stop('immediate');
$node->start;
is(state('c'), $expected, 'after a crash right after the truncation, the data is the same');
is(blocks(), $after, 'and so is the size');
is($node->safe_psql('postgres', q{SELECT biwh.columnar_free_pages('c')}), $free,
	'and so is the free list');
verify('after crash recovery');
for my $t ('c', 'h') { $node->safe_psql('postgres', sprintf($load, $t, 20001, 23000)); }
is(state('c'), state('h'), 'the table takes new rows after recovery');
verify('after new rows');

$bg->quit;
$node->stop;
done_testing();
