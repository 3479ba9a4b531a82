# 202_wh_concurrency.pl — refreshing a day while it is read, and twice at once
#
# A reader counting one day in a loop (one transaction per count) while that
# day is refreshed again and again must see the old day or the new day,
# never a part of one.  Two refreshes of the same day at once: the second
# fails at once, the first succeeds, the data is intact.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(time);

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";

my $node = PostgreSQL::Test::Cluster->new('conc');
$node->init;
$node->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
# passwords over TCP: initdb's trust lines would come first (and biwh
# refuses a source that does not ask for the password)
open(my $hba_node, '>', $node->data_dir . '/pg_hba.conf') or die $!;
print $hba_node "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba_node);
$node->start;
my $port = $node->port;

$node->safe_psql('postgres', q{CREATE ROLE reader LOGIN PASSWORD 'pw'});
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', slurp_file("$src_dir/sql/source-foodlogstats.sql"));
$node->safe_psql('src', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
$node->safe_psql('src', 'SELECT phood_generate(current_date, 1, 3000)');

$node->safe_psql('postgres', 'CREATE DATABASE warehouse');
$node->safe_psql('warehouse', 'CREATE EXTENSION biwh CASCADE');
$node->safe_psql('warehouse', qq{
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', $port, 'src', 'reader', 'pw');
});
$node->safe_psql('warehouse', slurp_file("$src_dir/sql/template-foodlogstats.sql"));
is( $node->safe_psql('warehouse',
		"SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE)"),
	'loaded 3000 rows', 'today loaded');

# The reader: one count of today per transaction, for a few seconds
$node->safe_psql('warehouse', q{
CREATE TABLE reader_log (n bigint);
CREATE PROCEDURE reader(secs double precision)
LANGUAGE plpgsql AS $$
DECLARE
	t0	timestamptz := clock_timestamp();
	n	bigint;
BEGIN
	WHILE clock_timestamp() < t0 + secs * interval '1 second' LOOP
		SELECT count(*) INTO n FROM public.foodlogstats
		 WHERE schema_name = 'reports'
		   AND logged_time >= current_date AND logged_time < current_date + 1;
		INSERT INTO reader_log VALUES (n);
		COMMIT;
	END LOOP;
END
$$;
});

my ($rout, $rerr) = ('', '');
my $reader = IPC::Run::start(
	[ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('warehouse'), '-c', 'CALL reader(6)' ],
	'>', \$rout, '2>', \$rerr);

$node->poll_query_until('warehouse', 'SELECT count(*) > 0 FROM reader_log')
  or die "the reader did not start";

# Refresh today again and again, the source alternating 4000 and 3000 rows
my $refreshed = 0;
for my $i (1 .. 8)
{
	if ($i % 2)
	{
		$node->safe_psql('src', 'SELECT phood_generate(current_date, 1, 1000)');
	}
	else
	{
		$node->safe_psql('src', 'DELETE FROM phood_foodlogsum WHERE id > 3000');
	}
	my $res = $node->safe_psql('warehouse',
		"SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE)");
	$refreshed++ if $res eq ($i % 2 ? 'loaded 4000 rows' : 'loaded 3000 rows');
}
is($refreshed, 8, 'every refresh succeeded while the day was read');
$reader->finish;
is($?, 0, 'the reader ran without error') or diag($rerr);

my ($reads, $partial, $distinct) = split /\|/, $node->safe_psql('warehouse',
	'SELECT count(*), count(*) FILTER (WHERE n NOT IN (3000, 4000)), count(DISTINCT n) FROM reader_log');
cmp_ok($reads, '>', 20, "the reader counted the day $reads times");
is($partial, 0, 'the reader never saw a partial day');
is($distinct, 2, 'the reader saw both versions of the day');

# Two refreshes of the same day at once
$node->safe_psql('warehouse', q{
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
SELECT 'slowlog',
	   'WITH pause AS MATERIALIZED (SELECT pg_sleep(3)) '
	   || replace(source_sql, 'FROM phood_foodlogsum pf', 'FROM pause, phood_foodlogsum pf'),
	   column_definitions, date_column
  FROM _wh.mv_templates WHERE template_name = 'foodlogstats';
});
my $slow = "SELECT _wh.update_mv_by_template('slowlog', 'tenant_a', 'reports', CURRENT_DATE)";
is($node->safe_psql('warehouse', $slow), 'loaded 3000 rows', 'slow template loaded once');

my ($aout, $aerr) = ('', '');
my $first = IPC::Run::start(
	[ 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('warehouse'), '-c', $slow ],
	'>', \$aout, '2>', \$aerr);
$node->poll_query_until('warehouse',
	"SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND granted")
  or die "the first refresh did not start";
my $t0 = time();
my ($rc, $out, $err) = $node->psql('warehouse', $slow);
my $elapsed = time() - $t0;
isnt($rc, 0, 'the second refresh of the same day fails');
like($err, qr/could not load day \S+ of template "slowlog" for tenant "tenant_a" into schema "reports": another load of this day is running/,
	'and says why');
cmp_ok($elapsed, '<', 2, 'at once, without waiting for the first');
$first->finish;
is($aout, "loaded 3000 rows\n", 'the first refresh succeeds') or diag($aerr);
is( $node->safe_psql('warehouse',
		"SELECT count(*) FROM reports.slowlog WHERE logged_time >= current_date"),
	'3000', 'the day is intact');
is( $node->safe_psql('warehouse',
		"SELECT status || ':' || sqlstate FROM _wh.run_log WHERE template_name = 'slowlog' AND status = 'failed'"),
	'failed:55P03', 'the refused refresh has its run-log row');

# Two days of the same tenant load in parallel, not one after the other
my ($yout, $yerr) = ('', '');
my $yesterday = IPC::Run::start(
	[ 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('warehouse'), '-c',
	  "SELECT _wh.update_mv_by_template('slowlog', 'tenant_a', 'reports', CURRENT_DATE - 1)" ],
	'>', \$yout, '2>', \$yerr);
$node->poll_query_until('warehouse',
	"SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND granted")
  or die "the load of yesterday did not start";
$t0 = time();
is($node->safe_psql('warehouse', $slow), 'loaded 3000 rows', 'today loads while yesterday loads');
$elapsed = time() - $t0;
$yesterday->finish;
is($yout, "loaded 0 rows\n", 'and yesterday loads too') or diag($yerr);
cmp_ok($elapsed, '<', 5.5, 'in parallel (each waits 3 s at the source)');

$node->stop;
done_testing();
