# 113_columnar_autovacuum.pl — autovacuum merges small row groups
#
# Many small transactions make many small row groups; autovacuum comes to
# the table (inserts are counted as for heap) and merges them once there
# are biwh.autovacuum_merge_row_groups, and frees the pages of an aborted
# load (its rows count as dead).  Results equal a heap copy before and
# after.  A merge runs while other sessions read the table and commit other
# transactions: readers always see every row once, during and after the
# merge (the merge's xid must be in their snapshots: a lazy VACUUM's is
# not, unless the merge leaves PROC_IN_VACUUM first).  A crash during a
# merge leaves the table as it was.  A table with an index is not merged,
# and VACUUM VERBOSE says why.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('autovacuum');
$node->init;
$node->append_conf('postgresql.conf', qq{
biwh.row_group_size = 1000
biwh.autovacuum_merge_row_groups = 10
autovacuum_naptime = 1
log_autovacuum_min_duration = 0
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION biwh CASCADE;
	CREATE TABLE c (id int, v text) USING columnar WITH (
		autovacuum_vacuum_insert_threshold = 20, autovacuum_vacuum_insert_scale_factor = 0,
		autovacuum_vacuum_threshold = 20, autovacuum_vacuum_scale_factor = 0);
	CREATE TABLE h (id int, v text);
});

my $state = q{SELECT count(*), sum(id), md5(string_agg(id || v, ',' ORDER BY id)) FROM %s};
sub state { my ($t) = @_; return $node->safe_psql('postgres', sprintf($state, $t)); }
sub groups
{
	my ($t) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT count(*) FROM biwh.columnar_row_group
		 WHERE storage_id = biwh.columnar_storage_id('$t') AND start_block >= 0});
}
sub autovacuums
{
	my ($t) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT autovacuum_count FROM pg_stat_user_tables WHERE relid = '$t'::regclass});
}
# Poll (for at most 90 s) until the query returns 't'.
sub wait_for
{
	my ($sql, $what) = @_;
	my $deadline = time() + 90;
	while (time() < $deadline)
	{
		return 1 if $node->safe_psql('postgres', $sql) eq 't';
		usleep(100_000);
	}
	diag("timed out waiting for $what");
	return 0;
}
sub verify
{
	my ($t, $what) = @_;
	is($node->safe_psql('postgres',
			qq{SELECT rows = (SELECT count(*) FROM $t) FROM biwh.columnar_verify('$t')}),
		't', "columnar_verify passes: $what");
}

# 40 single-row transactions: 40 small row groups, then autovacuum
my $sql = '';
$sql .= "INSERT INTO c VALUES ($_, md5('$_')); INSERT INTO h VALUES ($_, md5('$_'));\n"
  for 1 .. 40;
$node->safe_psql('postgres', $sql);
is(state('c'), state('h'), 'small inserts: columnar equals heap');
ok(wait_for(q{SELECT count(*) = 1 FROM biwh.columnar_row_group
				WHERE storage_id = biwh.columnar_storage_id('c') AND start_block >= 0},
		'the merge'), 'autovacuum merged the small row groups into one');
ok(autovacuums('c') > 0, 'pg_stat_user_tables counts the autovacuum runs');
is(state('c'), state('h'), 'after the merge: columnar equals heap');
verify('c', 'after the merge');
ok($node->wait_for_log(qr/columnar table "c": merged \d+ small row groups/),
	'the server log says what autovacuum merged');

# An aborted load: its pages at the end of the file go (its rows count as
# dead rows, which bring autovacuum), and so do the merged-away row groups'
# (autovacuum is off for the table until the pages are seen)
$node->safe_psql('postgres', q{ALTER TABLE c SET (autovacuum_enabled = false)});
my $before = $node->safe_psql('postgres', q{SELECT pg_relation_size('c')});
$node->safe_psql('postgres', q{
	BEGIN;
	INSERT INTO c SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
	ROLLBACK;});
ok($node->safe_psql('postgres', q{SELECT pg_relation_size('c')}) > $before + 8192 * 20,
	'the aborted load left pages');
$node->safe_psql('postgres', q{ALTER TABLE c SET (autovacuum_enabled = true)});
ok(wait_for(qq{SELECT pg_relation_size('c') <= $before}, 'the reclaim'),
	'autovacuum truncated the pages of the aborted load');
is(state('c'), state('h'), 'after the reclaim: columnar equals heap');
verify('c', 'after the reclaim');

# Fewer small row groups than the threshold: autovacuum leaves them
$node->safe_psql('postgres', q{ALTER TABLE c SET (autovacuum_enabled = false)});
$sql = '';
$sql .= "INSERT INTO c VALUES ($_, md5('$_')); INSERT INTO h VALUES ($_, md5('$_'));\n"
  for 41 .. 45;
$sql .= "INSERT INTO c SELECT g, md5(g::text) FROM generate_series(46, 70) g;\n";
$sql .= "INSERT INTO h SELECT g, md5(g::text) FROM generate_series(46, 70) g;\n";
$node->safe_psql('postgres', $sql);
my $n = autovacuums('c');
$node->safe_psql('postgres', q{ALTER TABLE c SET (autovacuum_enabled = true)});
ok(wait_for(qq{SELECT autovacuum_count > $n FROM pg_stat_user_tables WHERE relid = 'c'::regclass},
		'autovacuum below the threshold'), 'autovacuum visits again');
is(groups('c'), 7, 'it leaves 6 small row groups (below the threshold of 10)');
is(state('c'), state('h'), 'below the threshold: columnar equals heap');

# A merge of many row groups while a reader checks every row, over and
# over, and a writer commits transactions elsewhere (so the readers'
# snapshots are taken after younger transactions than the merge's ended).
# First with an explicit VACUUM, then with autovacuum.
for my $who ('VACUUM', 'autovacuum')
{
	$node->safe_psql('postgres', q{
		DROP TABLE IF EXISTS c2, h2, other;
		CREATE TABLE c2 (id int, v text) USING columnar WITH (autovacuum_enabled = false,
			autovacuum_vacuum_insert_threshold = 20, autovacuum_vacuum_insert_scale_factor = 0);
		CREATE TABLE h2 (id int, v text);
		CREATE TABLE other (i int);
		DO $$ BEGIN
			FOR i IN 1..1500 LOOP
				INSERT INTO c2 VALUES (i, md5(i::text));
				INSERT INTO h2 VALUES (i, md5(i::text));
				COMMIT;
			END LOOP;
		END $$;});
	is(groups('c2'), 1500, "$who: 1500 small row groups");
	my $connstr = $node->connstr('postgres');
	my ($rout, $rerr, $wout, $werr) = ('', '', '', '');
	my $reader = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $connstr, '-c', q{
			DO $$ DECLARE n bigint; s bigint; BEGIN
				FOR i IN 1..1500 LOOP
					SELECT count(*), sum(id) INTO n, s FROM c2;
					IF n <> 1500 OR s <> 1125750 THEN
						RAISE EXCEPTION 'reader saw % rows, sum %', n, s;
					END IF;
					EXIT WHEN i > 300 AND (SELECT count(*) FROM biwh.columnar_row_group
						WHERE storage_id = biwh.columnar_storage_id('c2')) <= 2;
				END LOOP;
			END $$;} ],
		'>', \$rout, '2>', \$rerr);
	my $writer = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $connstr, '-c', q{
			DO $$ BEGIN
				FOR i IN 1..20000 LOOP
					INSERT INTO other VALUES (i);
					COMMIT;
					EXIT WHEN i > 500 AND (SELECT count(*) FROM biwh.columnar_row_group
						WHERE storage_id = biwh.columnar_storage_id('c2')) <= 2;
				END LOOP;
			END $$;} ],
		'>', \$wout, '2>', \$werr);
	usleep(300_000);
	if ($who eq 'VACUUM')
	{
		$node->safe_psql('postgres', 'VACUUM c2');
	}
	else
	{
		$node->safe_psql('postgres', q{ALTER TABLE c2 SET (autovacuum_enabled = true)});
		ok(wait_for(q{SELECT count(*) <= 2 FROM biwh.columnar_row_group
						WHERE storage_id = biwh.columnar_storage_id('c2') AND start_block >= 0},
				'the merge of c2'), 'autovacuum merged 1500 row groups');
	}
	$reader->finish;
	$writer->finish;
	is($rerr, '', "$who: the reader saw every row once during the merge");
	is($werr, '', "$who: the writer went on");
	is(groups('c2'), 2, "$who: 1500 rows in 2 row groups");
	is(state('c2'), state('h2'), "$who: after the merge: columnar equals heap");
	verify('c2', "$who: after the merge");
}

# A crash in the middle of a merge: after recovery the table is as before
# (the merge's transaction never committed), and the next VACUUM merges it
# and frees the pages the interrupted merge wrote
$node->safe_psql('postgres', q{
	DROP TABLE IF EXISTS c2, h2;
	CREATE TABLE c2 (id int, v text) USING columnar WITH (autovacuum_enabled = false);
	CREATE TABLE h2 (id int, v text);
	DO $$ BEGIN
		FOR i IN 1..3000 LOOP
			INSERT INTO c2 VALUES (i, md5(i::text));
			INSERT INTO h2 VALUES (i, md5(i::text));
			COMMIT;
		END LOOP;
	END $$;
	CHECKPOINT;});
# a row lock on a catalog row holds the merge after it wrote two row
# groups (the 2,001st of the 3,000 it deletes)
my $locker = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', q{
		BEGIN;
		SELECT 1 FROM biwh.columnar_row_group WHERE storage_id = biwh.columnar_storage_id('c2')
		 ORDER BY first_row OFFSET 2500 LIMIT 1 FOR UPDATE;
		SELECT pg_sleep(600);} ],
	'>', \my $lout, '2>', \my $lerr);
ok(wait_for(q{SELECT count(*) = 1 FROM pg_locks WHERE mode = 'RowShareLock' AND granted
			   AND relation = 'biwh.columnar_row_group'::regclass}, 'the row lock'),
	'a session locks a catalog row');
my $vac = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'VACUUM c2' ],
	'>', \my $vout, '2>', \my $verr);
ok(wait_for(q{SELECT count(*) = 1 FROM pg_stat_activity WHERE query = 'VACUUM c2'
			   AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL},
		'the merge to wait'),
	'the merge has written and waits');
$node->stop('immediate');
$vac->finish;
$locker->finish;
$node->start;
is(groups('c2'), 3000, 'after the crash: the 3000 row groups are there');
is(state('c2'), state('h2'), 'after the crash: columnar equals heap');
verify('c2', 'after the crash');
$node->safe_psql('postgres', 'VACUUM c2');
$node->safe_psql('postgres', 'VACUUM c2');
is(groups('c2'), 3, 'the next VACUUM merges them');
is(state('c2'), state('h2'), 'after the merge: columnar equals heap');
verify('c2', 'after the merge');

# A table with an index is not merged, and VACUUM VERBOSE says why
$node->safe_psql('postgres', q{
	CREATE TABLE ci (id int PRIMARY KEY, v text) USING columnar;
	INSERT INTO ci VALUES (1, 'a');
	INSERT INTO ci VALUES (2, 'b');
	INSERT INTO ci VALUES (3, 'c');});
my ($ret, $out, $err) = $node->psql('postgres', 'VACUUM (VERBOSE) ci');
like($err, qr/small row groups not merged.*\n.*neither VACUUM nor autovacuum merges/,
	'VACUUM VERBOSE says why an indexed table is not merged');
is(groups('ci'), 3, 'its row groups stay');
is($node->safe_psql('postgres', q{SELECT string_agg(v, ',' ORDER BY id) FROM ci WHERE id > 0}),
	'a,b,c', 'and its index still finds every row');

$node->stop;
done_testing();
