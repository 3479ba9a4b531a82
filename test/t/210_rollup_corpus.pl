# 210_rollup_corpus.pl — routing to rollups, a generated corpus
#
# A warehouse of two tenant schemas over six weeks (both open and closed
# days) with three ready rollups (per store and day, per hour, food
# category and status, per client and month).  A seeded generator writes
# GROUP BY queries on public.foodlogstats and on a tenant's
# tenant_cX.foodlogstats: random keys (plain columns, date_trunc at five
# grains, ::date, expressions over keys), aggregates and filters, most
# drawn from what one rollup covers, the rest from anything (non-covered
# keys, DISTINCT, FILTER, float casts, filters off the grain).  Every query
# runs with biwh.enable_rollup_routing on and off and must return the same
# rows (compared as text, so types and scales count); the share of queries
# EXPLAIN shows on a rollup must stay healthy.
#
#   ROLLUP_CORPUS_SEED / ROLLUP_CORPUS_SIZE override the seed (12) and the
#   number of queries (320).

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";
my $seed = $ENV{ROLLUP_CORPUS_SEED} // 12;
my $size = $ENV{ROLLUP_CORPUS_SIZE} // 320;
srand($seed);

my $node = PostgreSQL::Test::Cluster->new('rollup');
$node->init;
$node->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
open(my $hba, '>', $node->data_dir . '/pg_hba.conf') or die $!;
print $hba "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba);
$node->start;
my $port = $node->port;

$node->safe_psql('postgres', q{CREATE ROLE corpus_src LOGIN PASSWORD 'c-secret'});
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', slurp_file("$src_dir/sql/source-foodlogstats.sql"));
$node->safe_psql('src', q{SELECT phood_generate('2025-09-01', 42, 60);
	GRANT SELECT ON ALL TABLES IN SCHEMA public TO corpus_src});
$node->safe_psql('postgres', 'CREATE DATABASE warehouse');
$node->safe_psql('warehouse', 'CREATE EXTENSION biwh CASCADE');
$node->safe_psql('warehouse', qq{
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_c', '127.0.0.1', $port, 'src', 'corpus_src', 'c-secret');
\\i $src_dir/sql/template-foodlogstats.sql
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_c', 'tenant_ca', '2025-09-01', '2025-09-20');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_c', 'tenant_cb', '2025-09-10', '2025-10-12');
SELECT _wh.update_public_view_by_template('foodlogstats');
});

# The rollups, and what each covers (keys, aggregates, filters)
my $rollups = qq{
\\i $src_dir/sql/rollup-helpers.sql
SELECT _wh.create_rollup('foodlogstats', 'fls_store_day',
	ARRAY['store', 'date_trunc(''day'', logged_time)', 'region'],
	ARRAY['count(*)', 'sum(weight)', 'count(weight)', 'min(weight)', 'max(weight)',
		  'sum(quantity)', 'count(quantity)', 'sum(action_taken_id)', 'count(action_taken_id)',
		  'sum(weight * cost_per_lb)']);
SELECT _wh.create_rollup('foodlogstats', 'fls_hour_category',
	ARRAY['date_trunc(''hour'', logged_time)', 'food_category', 'validation_status'],
	ARRAY['count(*)', 'sum(weight)', 'count(weight)', 'min(quantity)', 'max(quantity)']);
SELECT _wh.create_rollup('foodlogstats', 'fls_client_month',
	ARRAY['client', 'date_trunc(''month'', logged_time)'],
	ARRAY['count(*)', 'sum(weight)', 'count(weight)']);
};

sub pick { return $_[int(rand(@_))]; }

sub some
{
	my ($max, @from) = @_;
	my %seen;
	my @out;
	my $n = 1 + int(rand($max));
	for (1 .. $n) { my $x = pick(@from); push @out, $x unless $seen{$x}++; }
	return @out;
}

sub day_literal
{
	my $d = 1 + int(rand(45));
	my @t = (2025, 9, $d);
	if ($d > 30) { @t = (2025, 10, $d - 30); }
	return sprintf("'%04d-%02d-%02d'", @t);
}

sub hour_literal
{
	my $d = day_literal();
	$d =~ s/'$//;
	return sprintf("%s %02d:00'", $d, int(rand(24)));
}

my @stores = map { "'Store $_'" } 1 .. 8;
my %cover = (
	store_day => {
		keys => [ 'store', 'region', "date_trunc('day', logged_time)",
				  "date_trunc('week', logged_time)", "date_trunc('month', logged_time)",
				  'logged_time::date', 'schema_name', 'upper(store)', "store || '/' || region",
				  "date_trunc('quarter', logged_time)" ],
		aggs => [ 'count(*)', 'count(weight)', 'sum(weight)', 'avg(weight)', 'min(weight)',
				  'max(weight)', 'sum(quantity)', 'avg(quantity)', 'count(quantity)',
				  'sum(action_taken_id)', 'avg(action_taken_id)', 'count(action_taken_id)',
				  'sum(weight * cost_per_lb)', 'min(store)', 'max(region)',
				  'max(weight) - min(weight)', 'count(*) * 2' ],
		filters => [ sub { 'logged_time >= ' . day_literal() },
					 sub { 'logged_time < ' . day_literal() },
					 sub { 'logged_time >= DATE ' . day_literal() },
					 sub { 'logged_time < DATE ' . day_literal() },
					 sub { 'store = ' . pick(@stores) },
					 sub { 'store IN (' . join(', ', some(3, @stores)) . ')' },
					 sub { "region <> 'North'" },
					 sub { "schema_name = 'tenant_ca'" },
					 sub { 'logged_time::date = ' . day_literal() },
					 sub { "upper(store) LIKE 'STORE 1%'" } ],
	},
	hour => {
		keys => [ "date_trunc('hour', logged_time)", "date_trunc('day', logged_time)",
				  "date_trunc('week', logged_time)", "date_trunc('month', logged_time)",
				  'logged_time::date', 'food_category', 'validation_status', 'schema_name' ],
		aggs => [ 'count(*)', 'count(weight)', 'sum(weight)', 'avg(weight)',
				  'min(quantity)', 'max(quantity)', 'min(food_category)' ],
		filters => [ sub { 'logged_time >= ' . hour_literal() },
					 sub { 'logged_time < ' . hour_literal() },
					 sub { 'logged_time >= ' . day_literal() },
					 sub { "food_category = 'Produce'" },
					 sub { "validation_status = 'validated'" },
					 sub { "schema_name = 'tenant_cb'" } ],
	},
	client_month => {
		keys => [ 'client', "date_trunc('month', logged_time)", "date_trunc('year', logged_time)",
				  'schema_name' ],
		aggs => [ 'count(*)', 'sum(weight)', 'count(weight)', 'avg(weight)' ],
		filters => [ sub { "client = 'Phood Demo Co'" },
					 sub { "logged_time >= '2025-10-01'" },
					 sub { "logged_time < '2025-10-01'" } ],
	},
);
# not covered by any rollup
my @other_keys = ('station', 'name', 'action_reason', "date_trunc('minute', logged_time)",
	'quantity', 'id % 3');
my @other_aggs = ('count(DISTINCT store)', 'sum(cost_per_lb)', 'stddev(weight)',
	"sum(weight) FILTER (WHERE store = 'Store 1')", 'avg(weight::float8)',
	'max(logged_time)', 'count(flags)', 'sum(weight ORDER BY weight)');
my @other_filters = (sub { 'weight > 1' }, sub { 'logged_time > ' . day_literal() },
	sub { 'logged_time <= ' . day_literal() },
	sub { 'logged_time >= ' . day_literal() . "::timestamp + interval '30 minutes'" },
	sub { 'id % 2 = 0' }, sub { "station = 'Grill'" });

my @queries;
for my $i (1 .. $size)
{
	my $c = $cover{ pick(sort keys %cover) };
	my (@keys, @aggs, @filters);
	if (rand() < 0.65)
	{
		@keys = rand() < 0.15 ? () : some(3, @{ $c->{keys} });
		@aggs = some(3, @{ $c->{aggs} });
		@filters = rand() < 0.4 ? () : map { $_->() } some(2, @{ $c->{filters} });
	}
	else
	{
		my @k = (@{ $c->{keys} }, @other_keys);
		my @a = (@{ $c->{aggs} }, @other_aggs);
		my @f = (@{ $c->{filters} }, @other_filters);
		@keys = rand() < 0.15 ? () : some(3, @k);
		@aggs = some(3, @a);
		@filters = rand() < 0.3 ? () : map { $_->() } some(2, @f);
	}
	my $rel = rand() < 0.8 ? 'public.foodlogstats' : pick('tenant_ca.foodlogstats', 'tenant_cb.foodlogstats');
	my $q = 'SELECT ' . join(', ', @keys, @aggs) . " FROM $rel";
	$q .= ' WHERE ' . join(' AND ', @filters) if @filters;
	$q .= ' GROUP BY ' . join(', ', 1 .. scalar(@keys)) if @keys;
	$q .= ' HAVING count(*) > 2' if @keys && rand() < 0.1;
	push @queries, $q;
}

my $values = join(",\n", map { my $q = $_; $q =~ s/'/''/g; "('$q')" } @queries);
my $out = $node->safe_psql('warehouse', qq{
\\set QUIET on
$rollups
CREATE TEMP TABLE corpus (id serial, q text);
INSERT INTO corpus (q) VALUES $values;
SELECT id, pg_temp.routed(q), pg_temp.same(q) FROM corpus ORDER BY id;
});

my ($n, $routed, $bad) = (0, 0, 0);
my %by_rollup;
for my $line (split /\n/, $out)
{
	my ($id, $where, $same) = split /\|/, $line, 3;
	next unless defined $same && $id =~ /^\d+$/;
	$n++;
	if ($where ne 'base') { $routed++; $by_rollup{$where}++; }
	diag("$id $where $same: $queries[$id - 1]") if $ENV{ROLLUP_CORPUS_SHOW};
	if ($same ne 'same')
	{
		$bad++;
		diag("query $id ($where): $queries[$id - 1]\n  $same") if $bad <= 10;
	}
}
is($n, $size, "$size generated queries ran");
is($bad, 0, 'every query returns the same rows with routing on and off');
diag(sprintf('routed: %d of %d (%s)', $routed, $n,
	join(', ', map { "$_ $by_rollup{$_}" } sort keys %by_rollup)));
cmp_ok($routed, '>=', 0.4 * $size, 'at least 40% of the corpus is answered from a rollup');
cmp_ok(scalar(keys %by_rollup), '==', 3, 'each rollup answers some query');

$node->stop;
done_testing();
