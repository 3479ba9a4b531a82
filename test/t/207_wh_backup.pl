# 207_wh_backup.pl — the seed's "Schema Backup Strategy", made to work
#
# The seed backs up with "pg_dump --schema=_wh warehouse_db": PostgreSQL
# dumps extension member objects only with their extension, so that dumps
# none of _wh's configuration; "pg_dump --schema=_wh --extension=biwh"
# dumps all of it (CREATE EXTENSION IF NOT EXISTS, every configuration
# table, the grants).  Restored into a fresh database with biwh on a new
# server, it brings back tenants, secrets, templates, settings, units,
# storage policies and schedules; _wh.rebuild_entire_warehouse() recreates
# the data, identical, and _wh.reschedule_all() the pg_cron jobs.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";

my $src = PostgreSQL::Test::Cluster->new('source');
$src->init;
$src->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
open(my $hba, '>', $src->data_dir . '/pg_hba.conf') or die $!;
print $hba "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba);
$src->start;
$src->safe_psql('postgres', q{CREATE ROLE reader LOGIN PASSWORD 'Bk-s3cret'});
for my $db ('src_a', 'src_b')
{
	$src->safe_psql('postgres', "CREATE DATABASE $db");
	$src->safe_psql($db, slurp_file("$src_dir/sql/source-foodlogstats.sql"));
	$src->safe_psql($db, 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
}
$src->safe_psql('src_a', "SELECT phood_generate('2025-09-01', 10, 40), phood_generate(current_date - 1, 2, 40)");
$src->safe_psql('src_b', "SELECT phood_generate('2025-09-05', 6, 25)");
my $sport = $src->port;

# A warehouse server with pg_cron, and a new one to restore onto
my @nodes;
for my $name ('warehouse', 'restored')
{
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', "cron.database_name = 'warehouse'\ncron.host = '" . $node->host . "'\n");
	$node->start;
	# roles are the cluster's (pg_dumpall --roles-only brings them over)
	$node->safe_psql('postgres', 'CREATE ROLE whadmin; CREATE ROLE phood_ro; CREATE ROLE tenant_b_ro');
	$node->safe_psql('postgres', 'CREATE DATABASE warehouse');
	$node->safe_psql('warehouse', 'CREATE EXTENSION pg_cron');
	push @nodes, $node;
}
my ($wh, $new) = @nodes;

$wh->safe_psql('warehouse', 'CREATE EXTENSION biwh CASCADE');
$wh->safe_psql('warehouse', qq{
SET log_statement = 'none';
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', $sport, 'src_a', 'reader', 'Bk-s3cret'),
	   ('tenant_b', '127.0.0.1', $sport, 'src_b', 'reader', 'Bk-s3cret');
});
$wh->safe_psql('warehouse', slurp_file("$src_dir/sql/template-foodlogstats.sql"));
$wh->safe_psql('warehouse', q{
INSERT INTO _wh.settings VALUES ('timezone', 'Europe/Paris'), ('swap_retries', '7');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', '2025-09-01', '2025-09-10');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'reports', _wh.today() - 1, _wh.today());
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_b', 'tenant_b', '2025-09-05', '2025-09-10');
SELECT _wh.update_public_view_by_template('foodlogstats');
SELECT _wh.grant_admin('whadmin'), _wh.grant_reader('phood_ro'), _wh.grant_tenant_reader('tenant_b_ro', 'tenant_b');
SELECT _wh.set_storage_policy('foodlogstats', 'tenant_b', drop_after_days => 3650);
SELECT _wh.schedule_daily('foodlogstats', at_time => '02:00');
SELECT _wh.schedule_hourly('foodlogstats', 'tenant_a', 'reports', every_minutes => 15);
UPDATE cron.job SET active = false;
});

# The seed's command as written: no configuration at all
my $seed_dump = $wh->basedir . '/seed.sql';
$wh->command_ok([ 'pg_dump', '--schema=_wh', '-f', $seed_dump, $wh->connstr('warehouse') ],
	'pg_dump --schema=_wh warehouse_db runs');
unlike(slurp_file($seed_dump), qr/^COPY _wh\./m, '... but dumps none of _wh (extension members go with their extension)');

# The one-command equivalent
my $dump = $wh->basedir . '/wh_infrastructure.sql';
$wh->command_ok([ 'pg_dump', '--schema=_wh', '--extension=biwh', '-f', $dump, $wh->connstr('warehouse') ],
	'pg_dump --schema=_wh --extension=biwh warehouse_db runs');
my $dumped = slurp_file($dump);
like($dumped, qr/^CREATE EXTENSION IF NOT EXISTS biwh /m, 'it creates the extension if missing');
for my $t (qw(tenant_connections tenant_secrets mv_templates settings units pieces role_grants tenant_readers
	storage_policies refresh_schedules))
{
	like($dumped, qr/^COPY _wh\.$t /m, "it dumps _wh.$t");
}
like($dumped, qr/^GRANT .* ON FUNCTION _wh\.update_mv_by_template\(.*\) TO whadmin;$/m, 'and the grants');
unlike($dumped, qr/^COPY (reports|tenant_b|public)\./m, 'no tenant data');

# Restore into a fresh database with biwh, on the new server
$new->safe_psql('warehouse', 'CREATE EXTENSION biwh CASCADE');
$new->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $new->connstr('warehouse'), '-f', $dump ],
	'the dump restores into a fresh database with biwh');
my $config = q{SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
	SELECT 'c ' || t::text AS x FROM _wh.tenant_connections t
	UNION ALL SELECT 's ' || t::text FROM _wh.tenant_secrets t
	UNION ALL SELECT 'm ' || t::text FROM _wh.mv_templates t
	UNION ALL SELECT 'g ' || t::text FROM _wh.settings t
	UNION ALL SELECT 'u ' || t::text FROM _wh.units t
	UNION ALL SELECT 'p ' || (t.template_name, t.schema_name, t.day, t.final)::text FROM _wh.pieces t
	UNION ALL SELECT 'r ' || t::text FROM _wh.role_grants t
	UNION ALL SELECT 't ' || t::text FROM _wh.tenant_readers t
	UNION ALL SELECT 'o ' || t::text FROM _wh.storage_policies t
	UNION ALL SELECT 'h ' || t::text FROM _wh.refresh_schedules t) q};
is($new->safe_psql('warehouse', $config), $wh->safe_psql('warehouse', $config),
	'the whole _wh configuration came back, secrets included');
is($new->safe_psql('warehouse', q{SELECT has_function_privilege('whadmin', '_wh.update_mv_by_template(text, text, text, date, boolean, boolean)', 'EXECUTE')}),
	't', 'the admin\'s grants came back');
is($new->safe_psql('warehouse', q{SELECT count(*) FROM cron.job}), '0', 'no pg_cron job yet');

# Rebuild the data and the schedules
like($new->safe_psql('warehouse', 'SELECT _wh.rebuild_entire_warehouse()'),
	qr/^2 units, 18 days loaded$/, 'rebuild_entire_warehouse reloads every day');
my $fingerprint = q{SELECT count(*), md5(string_agg(t::text, ',' ORDER BY schema_name, id)) FROM public.foodlogstats t};
is($new->safe_psql('warehouse', $fingerprint), $wh->safe_psql('warehouse', $fingerprint),
	'the rebuilt warehouse holds the same data');
my $layout = q{SELECT string_agg(format('%s.%s %s', n.nspname, c.relname, a.amname), ' ' ORDER BY 1)
	FROM pg_partition_tree('public.foodlogstats') t JOIN pg_class c ON c.oid = t.relid
	JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam WHERE t.isleaf};
is($new->safe_psql('warehouse', $layout), $wh->safe_psql('warehouse', $layout), 'the same pieces, heap and columnar');
is($new->safe_psql('warehouse', 'SELECT _wh.reschedule_all()'), '2 jobs scheduled in database warehouse, 0 removed',
	'reschedule_all recreates the pg_cron jobs');
my $jobs = q{SELECT string_agg(jobname || ' ' || schedule || ' ' || command, E'\n' ORDER BY jobname) FROM cron.job};
is($new->safe_psql('warehouse', $jobs), $wh->safe_psql('warehouse', $jobs), 'the same jobs');
$new->safe_psql('warehouse', 'UPDATE cron.job SET active = false');

# The restored readers read as before
is($new->safe_psql('warehouse', q{SET ROLE tenant_b_ro; SELECT string_agg(DISTINCT schema_name, ',') FROM public.foodlogstats}),
	'tenant_b', 'the tenant reader sees its rows only');

$new->stop;
$wh->stop;
$src->stop;
done_testing();
