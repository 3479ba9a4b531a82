# 001_create_extension.pl — biwh on a second, TAP-started cluster
#
# Proves the TAP path: PostgreSQL::Test::Cluster starts a cluster of its own
# with the harness's settings (pg_cron preloaded), and CREATE EXTENSION biwh
# CASCADE works there, survives a restart, and drops cleanly.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'),
	'pg_cron', 'pg_cron is preloaded');

$node->safe_psql('postgres', 'CREATE EXTENSION biwh CASCADE');
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'"
	),
	'biwh,dblink',
	'biwh and dblink are installed');

like($node->safe_psql('postgres', 'SELECT biwh.build_info()'),
	qr/^biwh 0\.1\.0, zstd \d+\.\d+\.\d+$/, 'the library loads');

$node->restart;
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_namespace WHERE nspname IN ('_wh', 'biwh')"),
	'2',
	'schemas survive a restart');

$node->safe_psql('postgres', 'DROP EXTENSION biwh; DROP EXTENSION dblink');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_namespace WHERE nspname IN ('_wh', 'biwh')"),
	'0',
	'DROP EXTENSION removes the schemas');

$node->stop;
done_testing();
