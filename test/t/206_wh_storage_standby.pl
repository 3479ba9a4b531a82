# 206_wh_storage_standby.pl — retention and tiering online; BI reads on a standby
#
# A primary warehouse with a streaming hot standby (the seed's "Read
# Replica Strategy").  While readers loop over public.foodlogstats on both,
# the dispatcher applies a storage policy: it drops exactly the expired
# days and moves exactly the cold ones to a cheap tablespace; no reader
# gets an error, and every answer is one the primary had committed.  Then,
# while the primary refreshes today again and again with new rows, the
# standby's answers are the primary's, and equal them once it caught up.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";

# Today is the warehouse's (UTC): keep away from midnight
my ($h, $m) = (gmtime)[2, 1];
if ($h == 23 && $m >= 57)
{
	note 'waiting for midnight UTC to pass';
	sleep((60 - $m) * 60 + 10);
}

my $src = PostgreSQL::Test::Cluster->new('source');
$src->init;
$src->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
# passwords over TCP (biwh refuses a source that does not ask for one)
open(my $hba, '>', $src->data_dir . '/pg_hba.conf') or die $!;
print $hba "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba);
$src->start;
$src->safe_psql('postgres', q{CREATE ROLE reader LOGIN PASSWORD 'pw'});
$src->safe_psql('postgres', 'CREATE DATABASE src');
$src->safe_psql('src', slurp_file("$src_dir/sql/source-foodlogstats.sql"));
$src->safe_psql('src', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
# 12 days to today, a different number of rows each day
for my $age (0 .. 11)
{
	$src->safe_psql('src', "SELECT phood_generate(current_date - $age, 1, " . (100 + $age * 10) . ')');
}
my $sport = $src->port;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "allow_in_place_tablespaces = on\n");
$primary->start;
$primary->safe_psql('postgres', 'CREATE DATABASE warehouse');
$primary->safe_psql('warehouse', 'CREATE EXTENSION biwh CASCADE');
$primary->safe_psql('warehouse', "CREATE TABLESPACE cold LOCATION ''");
$primary->safe_psql('warehouse', qq{
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', $sport, 'src', 'reader', 'pw');
});
$primary->safe_psql('warehouse', slurp_file("$src_dir/sql/template-foodlogstats.sql"));
$primary->safe_psql('warehouse', q{
CALL _wh.backfill('foodlogstats', 'tenant_a', 'tenant_a', current_date - 11, current_date);
SELECT _wh.update_public_view_by_template('foodlogstats');
});

# A reader: one query per transaction for secs seconds, each answer a notice
$primary->safe_psql('warehouse', q{
CREATE PROCEDURE bi_reader(secs double precision)
LANGUAGE plpgsql AS $$
DECLARE
	t0	timestamptz := clock_timestamp();
	n	bigint;
BEGIN
	WHILE clock_timestamp() < t0 + secs * interval '1 second' LOOP
		SELECT count(*) INTO n FROM public.foodlogstats WHERE schema_name = 'tenant_a';
		RAISE NOTICE 'rows %', n;
		COMMIT;
		PERFORM pg_sleep(0.01);
	END LOOP;
END
$$;
});

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

# Start a reader on a node; returns a handle and the refs of its output
sub start_reader
{
	my ($node, $secs) = @_;
	my ($out, $err) = ('', '');
	my $handle = IPC::Run::start(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('warehouse'),
		  '-c', "CALL bi_reader($secs)" ],
		'>', \$out, '2>', \$err);
	return [ $handle, \$out, \$err ];
}

# Wait for a reader; return its answers, failing the test on any error
sub finish_reader
{
	my ($r, $what) = @_;
	ok($r->[0]->finish, "$what: no error") or diag(${ $r->[2] });
	my @seen = (${ $r->[2] } =~ /NOTICE:  rows (\d+)/g);
	my @errors = grep { !/^NOTICE:/ } split /\n/, ${ $r->[2] };
	is(scalar(@errors), 0, "$what: nothing but answers") or diag(join("\n", @errors[0 .. 4]));
	cmp_ok(scalar(@seen), '>', 20, "$what: read many times");
	return @seen;
}

# Whether a list of answers only holds allowed values, in a monotone order
sub answers_ok
{
	my ($seen, $allowed, $dir) = @_;
	my %ok = map { $_ => 1 } @$allowed;
	for my $i (0 .. $#$seen)
	{
		return "unexpected answer $seen->[$i]" unless $ok{ $seen->[$i] };
		return "answers went back: $seen->[$i - 1] then $seen->[$i]"
		  if $i > 0 && ($seen->[$i] - $seen->[$i - 1]) * $dir < 0;
	}
	return 'ok';
}

my $days_query = q{SELECT logged_time::date, count(*), sum(weight) FROM public.foodlogstats GROUP BY 1 ORDER BY 1};
my $total = $primary->safe_psql('warehouse', q{SELECT count(*) FROM public.foodlogstats});
is($total, 100 * 12 + 10 * 66, 'twelve days loaded');
is($standby->safe_psql('warehouse', $days_query), $primary->safe_psql('warehouse', $days_query),
	'the standby has them');

# Retention and tiering while both are read: drop days older than 8,
# move days older than 4 to tablespace cold
$primary->safe_psql('warehouse', q{
SELECT _wh.set_storage_policy('foodlogstats', drop_after_days => 8, cold_tablespace => 'cold', cold_after_days => 4)});
my @r = (start_reader($primary, 6), start_reader($standby, 6));
sleep 1;
$primary->safe_psql('warehouse', 'CALL _wh.run_due_refreshes()');
# what a reader may see: the total, less the dropped days, oldest first
my @allowed = ($total);
push @allowed, $allowed[-1] - (100 + $_ * 10) for reverse(9 .. 11);
my @seen_p = finish_reader($r[0], 'reader on the primary during retention');
my @seen_s = finish_reader($r[1], 'reader on the standby during retention');
is(answers_ok(\@seen_p, \@allowed, -1), 'ok', 'the primary\'s reader saw whole days only');
is(answers_ok(\@seen_s, \@allowed, -1), 'ok', 'the standby\'s reader saw whole days only');

is($primary->safe_psql('warehouse', q{
	SELECT string_agg(format('%s %s %s', kind, status, n), ', ' ORDER BY kind, status) FROM (
	  SELECT kind, status, count(*) AS n FROM _wh.run_log
	   WHERE kind IN ('retention', 'tiering', 'close') GROUP BY 1, 2) x}),
	'retention succeeded 3, tiering succeeded 4', 'three days dropped, four moved, nothing failed');
is($primary->safe_psql('warehouse', q{
	SELECT string_agg(format('%s:%s', current_date - p.day, coalesce(t.spcname, '-')), ' ' ORDER BY p.day)
	  FROM _wh.pieces p JOIN pg_class c ON c.oid = format('tenant_a.%I', p.relname)::regclass
	  LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace}),
	'8:cold 7:cold 6:cold 5:cold 4:- 3:- 2:- 1:- 0:-',
	'exactly the days older than 8 are gone, exactly those older than 4 are cold');
is($primary->safe_psql('warehouse', q{SELECT count(*) FROM pg_partition_tree('public.foodlogstats') WHERE isleaf}),
	'9', 'nine pieces in the tree');
my $src_days = q{SELECT logged_time::date, count(*), sum(weight) FROM phood_foodlogsum
	WHERE logged_time >= current_date - 8 AND logged_time < current_date + 1 GROUP BY 1 ORDER BY 1};
is($primary->safe_psql('warehouse', $days_query), $src->safe_psql('src', $src_days),
	'the kept days equal the source');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('warehouse', $days_query), $primary->safe_psql('warehouse', $days_query),
	'the standby answers as the primary, cold pieces included');

# The standby while the primary refreshes today with new rows
my @counts = ($primary->safe_psql('warehouse', q{SELECT count(*) FROM public.foodlogstats WHERE schema_name = 'tenant_a'}));
my $sr = start_reader($standby, 5);
sleep 1;
for my $i (1 .. 4)
{
	$src->safe_psql('src', 'SELECT phood_generate(current_date, 1, 50)');
	$primary->safe_psql('warehouse',
		q{SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'tenant_a', CURRENT_DATE)});
	push @counts, $primary->safe_psql('warehouse', q{SELECT count(*) FROM public.foodlogstats WHERE schema_name = 'tenant_a'});
	select(undef, undef, undef, 0.5);
}
my @seen = finish_reader($sr, 'reader on the standby during refreshes');
is(answers_ok(\@seen, \@counts, 1), 'ok', 'every answer of the standby is one the primary committed');
cmp_ok(scalar(keys %{ { map { $_ => 1 } @seen } }), '>', 1, 'the standby saw the refreshes come in');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('warehouse', $days_query), $primary->safe_psql('warehouse', $days_query),
	'caught up, the standby equals the primary');
is($standby->safe_psql('warehouse', q{SELECT count(*) FROM public.foodlogstats WHERE logged_time >= current_date}),
	$src->safe_psql('src', q{SELECT count(*) FROM phood_foodlogsum WHERE logged_time >= current_date}),
	'today on the standby equals the source');

$standby->stop;
$primary->stop;
$src->stop;
done_testing();
