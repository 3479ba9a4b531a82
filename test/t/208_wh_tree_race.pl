# 208_wh_tree_race.pl — first loads of new templates and tenants at once
#
# The first load of a template for a tenant creates the tree: the master
# relation public.<template>, the tenant schema and <schema>.<template>.
# Two sessions doing that at once must both succeed, each seeing what the
# other created: one waits for the other to commit (_wh.lock_trees), then
# finds the relations, not an error.  Session A loads in a transaction it
# keeps open for a few seconds; session B starts its load meanwhile:
#   1. the same new template, two new tenants (B must find A's master
#      relation, which it looked up and did not find before waiting);
#   2. two templates, one new tenant schema (B must find A's schema).

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";

my $node = PostgreSQL::Test::Cluster->new('race');
$node->init;
$node->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
# the sources ask for the password over TCP (biwh refuses those that do not)
open(my $hba, '>', $node->data_dir . '/pg_hba.conf') or die $!;
print $hba "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba);
$node->start;
my $port = $node->port;

$node->safe_psql('postgres', q{CREATE ROLE reader LOGIN PASSWORD 'pw'});
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', slurp_file("$src_dir/sql/source-foodlogstats.sql"));
$node->safe_psql('src', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
$node->safe_psql('src', "SELECT phood_generate('2025-09-01', 1, 10)");

$node->safe_psql('postgres', 'CREATE DATABASE warehouse');
$node->safe_psql('warehouse', 'CREATE EXTENSION biwh CASCADE');
$node->safe_psql('warehouse', qq{
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', $port, 'src', 'reader', 'pw'),
	   ('tenant_b', '127.0.0.1', $port, 'src', 'reader', 'pw');
});
$node->safe_psql('warehouse', slurp_file("$src_dir/sql/template-foodlogstats.sql"));
$node->safe_psql('warehouse', q{
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
SELECT 'foodlogcopy', source_sql, column_definitions, date_column
  FROM _wh.mv_templates WHERE template_name = 'foodlogstats';
CREATE ROLE whadmin;
SELECT _wh.grant_admin('whadmin');
});

# Run load A in a transaction held open 3 s after it, and load B while A
# holds it; return what each printed and B's exit code.
sub race
{
	my ($load_a, $load_b, $label) = @_;
	my $script = $node->basedir . '/race_a.sql';
	open(my $fh, '>', $script) or die $!;
	print $fh "BEGIN;\nSELECT $load_a;\nSELECT pg_sleep(3);\nCOMMIT;\n";
	close($fh);
	my ($aout, $aerr) = ('', '');
	my $a = IPC::Run::start(
		[ 'psql', '-X', '-Atq', '-v', 'ON_ERROR_STOP=1',
		  '-d', $node->connstr('warehouse') . ' application_name=race_a', '-f', $script ],
		'>', \$aout, '2>', \$aerr);
	$node->poll_query_until('warehouse', q{
		SELECT count(*) > 0 FROM pg_stat_activity
		 WHERE application_name = 'race_a' AND query LIKE '%pg_sleep%' AND wait_event = 'PgSleep'})
	  or die "load A of $label did not finish";
	my ($bout, $berr) = ('', '');
	my $b = IPC::Run::start(
		[ 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1',
		  '-d', $node->connstr('warehouse') . ' application_name=race_b',
		  '-c', "SELECT $load_b" ],
		'>', \$bout, '2>', \$berr);
	# B waits for A (a lock), until A commits
	my $waited = $node->poll_query_until('warehouse', q{
		SELECT count(*) > 0 FROM pg_stat_activity
		 WHERE application_name = 'race_b' AND wait_event_type = 'Lock'});
	$a->finish;
	$b->finish;
	my $brc = $?;
	ok($waited, "$label: B waited for A");
	is($aout, "loaded 10 rows\n\n", "$label: A loaded") or diag($aerr);
	is($brc, 0, "$label: B succeeded") or diag($berr);
	is($bout, "loaded 10 rows\n", "$label: B loaded");
}

race(q{_wh.update_mv_by_template('foodlogstats', 'tenant_a', 'tenant_a', '2025-09-01')},
	 q{_wh.update_mv_by_template('foodlogstats', 'tenant_b', 'tenant_b', '2025-09-01')},
	 'same new template, two new tenants');
is( $node->safe_psql('warehouse',
		'SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1'),
	"tenant_a|10\ntenant_b|10", 'both tenants are in the master relation');

race(q{_wh.update_mv_by_template('foodlogcopy', 'tenant_a', 'shared', '2025-09-01')},
	 q{_wh.update_mv_by_template('foodlogstats', 'tenant_a', 'shared', '2025-09-01')},
	 'two templates, one new tenant schema');
is( $node->safe_psql('warehouse', q{
		SELECT (SELECT count(*) FROM shared.foodlogstats) || ' ' || (SELECT count(*) FROM shared.foodlogcopy)}),
	'10 10', 'both templates are in the new schema');
is( $node->safe_psql('warehouse', q{
		SELECT count(*) FROM pg_policy WHERE polrelid IN ('public.foodlogstats'::regclass, 'public.foodlogcopy'::regclass)}),
	'2', 'one policy per master relation for the admin, no duplicate');
is( $node->safe_psql('warehouse', q{SELECT count(*) FROM _wh.run_log WHERE status <> 'succeeded'}),
	'0', 'no load failed');

$node->stop;
done_testing();
