# 203_wh_source_killed.pl — the source server stops in the middle of a load
#
# The load fails with an error naming template, tenant, schema and day, the
# previous piece stays as it was, the run log has the failed row, and once
# the source is back the day loads again.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";

my $src = PostgreSQL::Test::Cluster->new('source');
$src->init;
$src->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
# passwords over TCP: initdb's trust lines would come first (and biwh
# refuses a source that does not ask for the password)
open(my $hba_src, '>', $src->data_dir . '/pg_hba.conf') or die $!;
print $hba_src "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba_src);
$src->start;
$src->safe_psql('postgres', q{CREATE ROLE reader LOGIN PASSWORD 'kill''me'});
$src->safe_psql('postgres', 'CREATE DATABASE src');
$src->safe_psql('src', slurp_file("$src_dir/sql/source-foodlogstats.sql"));
$src->safe_psql('src', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
$src->safe_psql('src', "SELECT phood_generate('2025-09-01', 2, 500)");
my $port = $src->port;

my $wh = PostgreSQL::Test::Cluster->new('warehouse');
$wh->init;
$wh->start;
$wh->safe_psql('postgres', 'CREATE EXTENSION biwh CASCADE');
$wh->safe_psql('postgres', qq{
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', $port, 'src', 'reader', 'kill''me');
});
$wh->safe_psql('postgres', slurp_file("$src_dir/sql/template-foodlogstats.sql"));
$wh->safe_psql('postgres',
	"SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '2025-09-01', '2025-09-02')");
my $fingerprint = q{SELECT count(*), sum(weight) FROM reports.foodlogstats WHERE logged_time < '2025-09-02'};
my $before = $wh->safe_psql('postgres', $fingerprint);
is($before, '500|1297.500', 'the day is loaded');

# Make the template slow, start a reload, and stop the source meanwhile
$wh->safe_psql('postgres', q{
UPDATE _wh.mv_templates
   SET source_sql = 'WITH pause AS MATERIALIZED (SELECT pg_sleep(30)) '
	   || replace(source_sql, 'FROM phood_foodlogsum pf', 'FROM pause, phood_foodlogsum pf')
 WHERE template_name = 'foodlogstats';
});
my ($out, $err) = ('', '');
my $load = IPC::Run::start(
	[ 'psql', '-X', '-At', '-d', $wh->connstr('postgres'), '-c',
	  "SELECT _wh.refresh_mv('reports', 'foodlogstats_2025_09_01')" ],
	'>', \$out, '2>', \$err);
$src->poll_query_until('src',
	"SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")
  or die "the load did not reach the source";
$src->stop('immediate');
$load->finish;

isnt($?, 0, 'the load fails');
like($err,
	qr/ERROR:  could not load day 2025-09-01 of template "foodlogstats" for tenant "tenant_a" into schema "reports": /,
	'the error names template, tenant, schema and day');
unlike($err, qr/kill'me|password=/, 'and shows no password');
is($wh->safe_psql('postgres', $fingerprint), $before, 'the previous data is intact');
like( $wh->safe_psql('postgres',
		q{SELECT status || ' ' || sqlstate || ' ' || unit FROM _wh.run_log ORDER BY id DESC LIMIT 1}),
	qr{^failed \w{5} foodlogstats/tenant_a/reports/2025-09-01$}, 'the run log has the failed row');

# With the source back, the day loads again
$src->start;
$wh->safe_psql('postgres', q{
UPDATE _wh.mv_templates
   SET source_sql = replace(replace(source_sql, 'WITH pause AS MATERIALIZED (SELECT pg_sleep(30)) ', ''),
							'FROM pause, phood_foodlogsum pf', 'FROM phood_foodlogsum pf')
 WHERE template_name = 'foodlogstats';
});
is($wh->safe_psql('postgres', "SELECT _wh.refresh_mv('reports', 'foodlogstats_2025_09_01')"),
	'loaded 500 rows', 'the day reloads once the source is back');
is($wh->safe_psql('postgres', $fingerprint), $before, 'with the same data');

$wh->stop;
$src->stop;
done_testing();
