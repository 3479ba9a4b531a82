# 201_wh_workflow.pl — the seed's workflow against a second cluster
#
# Two tenant source databases live on a SECOND cluster reached over TCP with
# password (SCRAM) authentication.  The warehouse runs the seed's Typical
# Workflow as written, its data must equal the sources', pg_dump keeps the
# _wh configuration, and after restoring the dump into a new database and
# dropping the tenant schemas, rebuild_entire_warehouse() recreates the
# same data.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";
my $source_sql = slurp_file("$src_dir/sql/source-foodlogstats.sql");

# The source cluster: TCP on 127.0.0.1, passwords required
my $src = PostgreSQL::Test::Cluster->new('source');
$src->init;
$src->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
# passwords over TCP: initdb's trust lines would come first (and biwh
# refuses a source that does not ask for the password)
open(my $hba_src, '>', $src->data_dir . '/pg_hba.conf') or die $!;
print $hba_src "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba_src);
$src->start;
$src->safe_psql('postgres', q{CREATE ROLE reader LOGIN PASSWORD 'r''ead\er'});
for my $db ('src_a', 'src_b')
{
	$src->safe_psql('postgres', "CREATE DATABASE $db");
	$src->safe_psql($db, $source_sql);
	$src->safe_psql($db, 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
}
$src->safe_psql('src_a',
	"SELECT phood_generate('2025-08-01', 61, 40), phood_generate(current_date - 2, 3, 40)");
$src->safe_psql('src_b', "SELECT phood_generate('2025-09-01', 30, 15)");
my $port = $src->port;

# The warehouse
my $wh = PostgreSQL::Test::Cluster->new('warehouse');
$wh->init;
$wh->start;
$wh->safe_psql('postgres', 'CREATE DATABASE warehouse');
$wh->safe_psql('warehouse', 'CREATE EXTENSION biwh CASCADE');

my $workflow = <<"SQL";
\\set ON_ERROR_STOP 1
-- 1. Set up tenant connection (direct SQL)
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', $port, 'src_a', 'reader', 'r''ead\\er');
-- 2. Load template (if not already loaded)
\\i $src_dir/sql/template-foodlogstats.sql
-- 3. Backfill historical data (one month at a time to avoid timeouts)
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '2025-08-01'::date, '2025-08-31'::date);
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '2025-09-01'::date, '2025-09-30'::date);
-- 4. Create the tenant union view
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'tenant_a', 'reports');
-- 5. Create/update the public master view
SELECT _wh.update_public_view_by_template('foodlogstats');
-- 6. Daily operations: update current day
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'reports', CURRENT_DATE);
SQL
my ($rc, $out, $err) = $wh->psql('warehouse', $workflow);
is($rc, 0, 'the Typical Workflow runs as written') or diag($err);
like($out, qr/31 days loaded \(1240 rows\)/, 'August loaded');
like($out, qr/30 days loaded \(1200 rows\)/, 'September loaded');

# A second tenant, in a schema of its own, added later
$wh->safe_psql('warehouse', qq{
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_b', '127.0.0.1', $port, 'src_b', 'reader', 'r''ead\\er');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_b', 'tenant_b', '2025-09-01', '2025-09-30');
SELECT _wh.update_public_view_by_template('foodlogstats');
});

# The warehouse equals the sources, day by day
my $src_days = q{SELECT logged_time::date, count(*), sum(weight), sum(quantity)
	FROM phood_foodlogsum WHERE logged_time < '2026-01-01' OR logged_time::date = current_date
	GROUP BY 1 ORDER BY 1};
is( $wh->safe_psql('warehouse',
		q{SELECT logged_time::date, count(*), sum(weight), sum(quantity) FROM public.foodlogstats
		   WHERE schema_name = 'reports' GROUP BY 1 ORDER BY 1}),
	$src->safe_psql('src_a', $src_days),
	'tenant_a: every day equals the source');
is( $wh->safe_psql('warehouse',
		q{SELECT logged_time::date, count(*), sum(weight), sum(quantity) FROM tenant_b.foodlogstats
		   GROUP BY 1 ORDER BY 1}),
	$src->safe_psql('src_b', $src_days),
	'tenant_b: every day equals the source');

# No password in the visible table, in the run log, or in the server log
is($wh->safe_psql('warehouse', "SELECT string_agg(DISTINCT password, ',') FROM _wh.tenant_connections"),
	'********', 'passwords are hidden');
# (the TAP cluster logs every statement, the INSERT included: only messages
# of the server's own are checked)
unlike(slurp_file($wh->logfile), qr/(ERROR|WARNING|DETAIL|CONTEXT|HINT):[^\n]*ead\\er/,
	'no password in any server message');

# pg_dump keeps the _wh configuration
my $dump = $wh->basedir . '/warehouse.sql';
$wh->command_ok([ 'pg_dump', '-d', $wh->connstr('warehouse'), '-f', $dump ], 'pg_dump');
my $dumped = slurp_file($dump);
like($dumped, qr/^COPY _wh\.tenant_connections /m, 'tenant connections are dumped');
like($dumped, qr/^COPY _wh\.tenant_secrets /m, 'secrets are dumped (for the owner to restore)');
like($dumped, qr/^COPY _wh\.mv_templates /m, 'templates are dumped');
like($dumped, qr/^COPY _wh\.units /m, 'units are dumped');

my $fingerprint = q{SELECT count(*), md5(string_agg(t::text, ',' ORDER BY schema_name, id))
	FROM public.foodlogstats t};
my $before = $wh->safe_psql('warehouse', $fingerprint);

# Restore into a new database, drop the tenant data, rebuild from the sources
$wh->safe_psql('postgres', 'CREATE DATABASE restored');
$wh->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $wh->connstr('restored'), '-f', $dump ],
	'the dump restores');
is($wh->safe_psql('restored', 'SELECT count(*) FROM _wh.tenant_connections'), '2', 'tenants restored');
is($wh->safe_psql('restored', $fingerprint), $before, 'restored data equals the original');
like($wh->safe_psql('restored', 'SELECT _wh.rebuild_entire_warehouse()'),
	qr/^2 units, 1 days loaded$/, 'a restored warehouse knows its final days: only today reloads');
$wh->safe_psql('restored', 'DROP SCHEMA reports CASCADE; DROP SCHEMA tenant_b CASCADE');
is($wh->safe_psql('restored', 'SELECT count(*) FROM public.foodlogstats'), '0', 'tenant data dropped');
like($wh->safe_psql('restored', 'SELECT _wh.rebuild_entire_warehouse()'),
	qr/^2 units, 92 days loaded$/, 'rebuild_entire_warehouse reloads every day');
is($wh->safe_psql('restored', $fingerprint), $before, 'the rebuilt warehouse holds the same data');
is($wh->safe_psql('restored', q{SELECT count(*) FROM pg_partition_tree('public.foodlogstats') WHERE isleaf}),
	'92', 'one piece per day');

$wh->stop;
$src->stop;
done_testing();
