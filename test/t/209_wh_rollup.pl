# 209_wh_rollup.pl — rollups kept in step with the pieces
#
# A rollup declared on a warehouse with data and filled a month of a schema
# at a time (CALL _wh.fill_rollup); loads, a failed load (the source's table gone:
# piece and rollup both stay old), a backfill, close_days, retention (drop
# and detach), rebuild_entire_warehouse; after each, the rollup's totals per
# (schema, day) equal the base's.  A reader looping while a day is refreshed
# again and again compares, in each of its snapshots, the rollup's totals
# with the base's for every day it sees.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";

my $node = PostgreSQL::Test::Cluster->new('rollup');
$node->init;
$node->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
open(my $hba, '>', $node->data_dir . '/pg_hba.conf') or die $!;
print $hba "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba);
$node->start;
my $port = $node->port;

$node->safe_psql('postgres', q{CREATE ROLE reader LOGIN PASSWORD 'pw'});
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', slurp_file("$src_dir/sql/source-foodlogstats.sql"));
$node->safe_psql('src', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');

$node->safe_psql('postgres', 'CREATE DATABASE warehouse');
$node->safe_psql('warehouse', 'CREATE EXTENSION biwh CASCADE');
$node->safe_psql('warehouse', qq{
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', $port, 'src', 'reader', 'pw');
});
$node->safe_psql('warehouse', slurp_file("$src_dir/sql/template-foodlogstats.sql"));
my $today = $node->safe_psql('warehouse', 'SELECT _wh.today()');
$node->safe_psql('src', "SELECT phood_generate('$today'::date - 6, 7, 300)");

sub wh { return $node->safe_psql('warehouse', $_[0]); }

# The differences between the rollup, re-aggregated per (schema, day,
# store), and GROUP BY on the master (the routing hook, if any, off)
wh(q{
CREATE FUNCTION rollup_diff() RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
	RETURN (WITH r AS (SELECT schema_name, day, store, sum(count)::bigint AS n, sum(sum_weight) AS w,
					  min(min_cost_per_lb) AS c, sum(sum_weight_cost_per_lb) AS wc
				 FROM public.store_daily GROUP BY 1, 2, 3),
		 b AS (SELECT schema_name, logged_time::date AS day, store, count(*) AS n, sum(weight) AS w,
					  min(cost_per_lb) AS c, sum(weight * cost_per_lb) AS wc
				 FROM public.foodlogstats GROUP BY 1, 2, 3)
	SELECT count(*) FROM ((TABLE r EXCEPT ALL TABLE b) UNION ALL (TABLE b EXCEPT ALL TABLE r)) x);
END
$$;
ALTER FUNCTION rollup_diff() SET biwh.enable_rollup_routing = off;
});
sub diff_ok
{
	my ($what) = @_;
	is(wh('SELECT rollup_diff()'), '0', "$what: the rollup's totals equal the base's");
	is(wh(q{SELECT count(*) FROM _wh.rollup_missing_days('store_daily')}), '0',
		"$what: every piece has its rollup rows");
}
my $fingerprint = qq{SELECT (SELECT count(*) || '/' || sum(weight) FROM reports.foodlogstats
							  WHERE logged_time >= '$today'::date - 1 AND logged_time < '$today'::date),
							(SELECT sum(count) || '/' || sum(sum_weight) FROM reports.store_daily
							  WHERE day = '$today'::date - 1)};

# Loads before the rollup exists
is(wh(qq{SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '$today'::date - 4, '$today')}),
	'5 days loaded (1500 rows), 0 skipped', 'five days loaded');
wh(qq{SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports2', '$today'::date - 3, '$today'::date - 1)});

# Declared without filling, then filled day by day
like(wh(q{SELECT _wh.create_rollup('foodlogstats', 'store_daily', ARRAY['store'],
		ARRAY['count(*)', 'sum(weight)', 'min(cost_per_lb)', 'sum(weight * cost_per_lb)'], fill => false)}),
	qr/not ready/, 'rollup declared, not filled');
is(wh(q{SELECT ready FROM _wh.rollups}), 'f', 'not ready');
# a load while the rollup is not filled writes its day's rows
wh(qq{SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', '$today')});
is(wh(q{SELECT count(*) FROM _wh.rollup_missing_days('store_daily')}), '7', "the load wrote its day's rows");
wh(q{CALL _wh.fill_rollup('store_daily')});
is(wh(q{SELECT ready FROM _wh.rollups}), 't', 'ready once filled');
diff_ok('filled');

# Loads: a changed day at the source, reloaded
$node->safe_psql('src', "SELECT phood_generate('$today'::date - 1, 1, 50)");
wh(qq{SELECT _wh.refresh_mv('reports', _wh.create_mv_name('foodlogstats', '$today'::date - 1))});
diff_ok('after a reload');

# A failed load: the source's table is gone; piece and rollup stay old
my $before = wh($fingerprint);
$node->safe_psql('src', "SELECT phood_generate('$today'::date - 1, 1, 70)");
$node->safe_psql('src', 'ALTER TABLE phood_foodlogsum RENAME TO phood_gone');
my ($rc, $out, $err) = $node->psql('warehouse',
	qq{SELECT _wh.refresh_mv('reports', _wh.create_mv_name('foodlogstats', '$today'::date - 1))});
isnt($rc, 0, 'the load fails');
like($err, qr/could not load day/, 'and says so');
is(wh($fingerprint), $before, 'piece and rollup are both the old ones');
$node->safe_psql('src', 'ALTER TABLE phood_gone RENAME TO phood_foodlogsum');
wh(qq{SELECT _wh.refresh_mv('reports', _wh.create_mv_name('foodlogstats', '$today'::date - 1))});
isnt(wh($fingerprint), $before, 'the next load changes both');
diff_ok('after a failed load and a good one');

# Two loads of days of one month in one schema at once: both wait at the
# swap for the month's row of _wh.rollup_leaves (held by a third session),
# then take turns; neither fails (no deadlock) and the rollup stays exact
my ($d1, $d2) = split /\|/, wh(q{
	SELECT min(day), max(day) FROM (SELECT day, count(*) OVER (PARTITION BY date_trunc('month', day)) AS n
									   FROM _wh.pieces WHERE schema_name = 'reports') p
	 WHERE n >= 2 AND date_trunc('month', day) = (SELECT max(date_trunc('month', day)) FROM _wh.pieces
												   WHERE schema_name = 'reports' GROUP BY date_trunc('month', day)
												  HAVING count(*) >= 2 ORDER BY 1 DESC LIMIT 1)});
$node->safe_psql('src', "SELECT phood_generate('$d1', 1, 40), phood_generate('$d2', 1, 40)");
my ($hout, $herr) = ('', '');
my $holder = IPC::Run::start(
	[ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('warehouse'), '-c',
	  qq{BEGIN; SELECT 1 FROM _wh.rollup_leaves WHERE schema_name = 'reports' AND month = date_trunc('month', '$d1'::date)::date FOR UPDATE; SELECT pg_sleep(4); COMMIT;} ],
	'>', \$hout, '2>', \$herr);
$node->poll_query_until('warehouse', q{SELECT count(*) = 1 FROM pg_stat_activity WHERE query ~ 'pg_sleep\(4\)' AND wait_event = 'PgSleep'})
  or die "the lock holder did not start: $herr";
my @loads;
for my $d ($d1, $d2)
{
	my ($o, $e) = ('', '');
	push @loads, [ IPC::Run::start(
		[ 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('warehouse'), '-c',
		  qq{SELECT _wh.refresh_mv('reports', _wh.create_mv_name('foodlogstats', '$d'))} ],
		'>', \$o, '2>', \$e), \$o, \$e ];
}
ok($node->poll_query_until('warehouse', q{SELECT count(*) = 2 FROM pg_stat_activity WHERE query ~ 'refresh_mv' AND wait_event_type = 'Lock'}),
	'both loads wait at the swap');
$holder->finish;
for my $l (@loads)
{
	$l->[0]->finish;
	is($? >> 8, 0, 'a load of the same month at the same time succeeds') or diag(${ $l->[2] });
	like(${ $l->[1] }, qr/^loaded/, 'and loads its day');
}
diff_ok('after two loads of one month at once');

# A backfill into a new schema (a procedure committing per day)
wh(qq{CALL _wh.backfill('foodlogstats', 'tenant_a', 'reports3', '$today'::date - 6, '$today'::date - 2)});
is(wh(q{SELECT count(*) FROM _wh.pieces WHERE schema_name = 'reports3'}), '5', 'backfilled five days');
diff_ok('after a backfill');

# close_days: heap pieces of closed days become columnar, their leaves too
wh(q{SELECT _wh.set_storage_policy('foodlogstats', 'reports2', columnar_after_days => 30)});
wh(qq{SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports2', '$today'::date - 2, force => true)});
wh(qq{SELECT _wh.refresh_mv('reports2', _wh.create_mv_name('foodlogstats', '$today'::date - 2))});
# the piece of today - 2, and its month's leaf (columnar when every piece of
# the month is)
my $am_of = qq{SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
				WHERE c.oid = format('reports2.%I', _wh.create_mv_name('foodlogstats', '$today'::date - 2))::regclass};
my $leaf_am = qq{SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
				WHERE c.oid = format('reports2.%I', _wh.rollup_leaf_name('store_daily',
									 date_trunc('month', '$today'::date - 2)::date))::regclass};
my $month_am = qq{SELECT CASE WHEN bool_and(a.amname = 'columnar') THEN 'columnar' ELSE 'heap' END
				FROM _wh.pieces p JOIN pg_class c ON c.oid = format('reports2.%I', p.relname)::regclass
				JOIN pg_am a ON a.oid = c.relam
			   WHERE p.schema_name = 'reports2' AND date_trunc('month', p.day) = date_trunc('month', '$today'::date - 2)};
is(wh($am_of) . '/' . wh($leaf_am), 'heap/heap', 'an open-policy day is heap, piece and leaf');
wh(q{SELECT _wh.remove_storage_policy('foodlogstats', 'reports2')});
like(wh(q{SELECT _wh.close_days('foodlogstats', 'reports2')}), qr/^[1-9]\d* days converted/, 'close_days converted');
is(wh($am_of), 'columnar', 'the piece is columnar');
is(wh($leaf_am), wh($month_am), 'its leaf is columnar when every piece of its month is');
diff_ok('after close_days');

# Retention: reports drops days older than 2, reports2 detaches them
wh(q{SELECT _wh.set_storage_policy('foodlogstats', 'reports', drop_after_days => 2)});
wh(q{SELECT _wh.set_storage_policy('foodlogstats', 'reports2', drop_after_days => 2, detach => true)});
wh(q{DO $$ DECLARE run bigint := (SELECT coalesce(max(id), 0) FROM _wh.run_log);
	 BEGIN WHILE _wh.storage_step(run) LOOP END LOOP; END $$});
is(wh(q{SELECT count(*) FROM _wh.run_log WHERE kind = 'retention' AND status = 'failed'}), '0', 'no retention step failed');
is(wh(qq{SELECT count(*) FROM public.foodlogstats WHERE schema_name IN ('reports', 'reports2')
		   AND logged_time < '$today'::date - 2}), '0', 'the old days are gone from the master');
is(wh(qq{SELECT count(*) FROM public.store_daily WHERE schema_name IN ('reports', 'reports2')
		   AND day < '$today'::date - 2}), '0', 'and from the rollup');
is(wh(qq{SELECT count(*) FROM _wh.rollup_leaves WHERE schema_name IN ('reports', 'reports2')
		   AND days && datemultirange(daterange(NULL, '$today'::date - 2))}), '0', 'their days are out of the leaves');
is(wh(qq{SELECT to_regclass(format('reports2.%I', _wh.create_mv_name('foodlogstats', '$today'::date - 3))) IS NOT NULL}),
	't', 'the detached piece is kept');
diff_ok('after retention');
wh(q{SELECT _wh.remove_storage_policy('foodlogstats', 'reports')});
wh(q{SELECT _wh.remove_storage_policy('foodlogstats', 'reports2')});

# Rebuild: a piece and another schema's leaf (a month of days) are lost;
# both come back
my $lost = wh(qq{SELECT count(*) FROM _wh.pieces WHERE schema_name = 'reports3'
				   AND date_trunc('month', day) = date_trunc('month', '$today'::date - 4)});
wh(qq{DROP TABLE reports.@{[ wh(qq{SELECT _wh.create_mv_name('foodlogstats', '$today'::date - 1)}) ]}});
wh(qq{DROP TABLE reports3.@{[ wh(qq{SELECT _wh.rollup_leaf_name('store_daily', date_trunc('month', '$today'::date - 4)::date)}) ]}});
is(wh(q{SELECT count(*) FROM _wh.rollup_missing_days('store_daily')}), $lost, 'the days of the lost leaf are missing');
wh(q{SELECT _wh.rebuild_entire_warehouse()});
is(wh(qq{SELECT count(*) FROM reports.foodlogstats WHERE logged_time >= '$today'::date - 1 AND logged_time < '$today'}),
	'420', 'the piece is back');
diff_ok('after rebuild');
is(wh(q{SELECT ready FROM _wh.rollups}), 't', 'still ready');

# A reader comparing, in each snapshot, the rollup's totals with the base's
# for every (schema, day) it sees, while today is refreshed again and again
wh(q{
CREATE TABLE reader_log (days integer, bad integer, total bigint);
CREATE PROCEDURE reader(secs double precision)
LANGUAGE plpgsql AS $$
DECLARE
	t0	timestamptz := clock_timestamp();
BEGIN
	WHILE clock_timestamp() < t0 + secs * interval '1 second' LOOP
		INSERT INTO reader_log
		SELECT count(*), count(*) FILTER (WHERE r IS DISTINCT FROM b), sum(b.n)
		  FROM (SELECT schema_name, day, sum(count)::bigint AS n, sum(sum_weight) AS w
				  FROM public.store_daily GROUP BY 1, 2) r
		  FULL JOIN (SELECT schema_name, logged_time::date AS day, count(*) AS n, sum(weight) AS w
					   FROM public.foodlogstats GROUP BY 1, 2) b USING (schema_name, day);
		COMMIT;
	END LOOP;
END
$$;
});
my ($rout, $rerr) = ('', '');
my $reader = IPC::Run::start(
	[ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('warehouse'),
	  '-c', 'SET biwh.enable_rollup_routing = off', '-c', 'CALL reader(8)' ],
	'>', \$rout, '2>', \$rerr);
$node->poll_query_until('warehouse', 'SELECT count(*) > 0 FROM reader_log')
  or die "the reader did not start: " . ($reader->pumpable ? '' : $rerr);
my $refreshed = 0;
for my $i (1 .. 8)
{
	if ($i % 2)
	{
		$node->safe_psql('src', "SELECT phood_generate('$today', 1, 200)");
	}
	else
	{
		$node->safe_psql('src', "DELETE FROM phood_foodlogsum WHERE logged_time >= '$today' AND id > (SELECT min(id) + 299 FROM phood_foodlogsum WHERE logged_time >= '$today')");
	}
	$refreshed++
	  if wh(qq{SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', '$today')}) =~ /^loaded/;
}
is($refreshed, 8, 'every refresh succeeded while the reader ran');
$reader->finish;
is($?, 0, 'the reader ran without error') or diag($rerr);
my ($reads, $bad, $totals) = split /\|/,
  wh('SELECT count(*), coalesce(sum(bad), 0), count(DISTINCT total) FROM reader_log');
cmp_ok($reads, '>', 10, "the reader compared $reads times");
is($bad, '0', 'the rollup never disagreed with the base in a snapshot');
cmp_ok($totals, '>=', 2, 'the reader saw several versions of today');
diff_ok('after the refreshes');

# Dropping the rollup leaves the master as it was
my $master = wh('SELECT count(*), sum(weight) FROM public.foodlogstats');
wh(q{SELECT _wh.drop_rollup('store_daily')});
is(wh(q{SELECT count(*) FROM pg_class WHERE relname LIKE 'store\_daily%'}), '0', 'the rollup relations are gone');
is(wh('SELECT count(*), sum(weight) FROM public.foodlogstats'), $master, 'the master is unchanged');
wh(qq{SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', '$today')});

$node->stop;
done_testing();
