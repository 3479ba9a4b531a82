# 110_scan_corpus.pl — a generated corpus of filter queries, columnar vs heap
#
# Random filter queries (seeded, reproducible) over a table with a column
# of every supported type and distribution (test/lib/ColumnarCorpus.pm),
# run on a heap copy and on three columnar copies (row groups of 1000 rows
# with a partly filled last one; many small row groups from small
# transactions; 3000-row groups sorted by a sort_key) under four settings:
# the defaults, biwh.enable_vectorization = off, biwh.enable_custom_scan =
# off, and forced parallel plans.  Every result must equal heap's as a
# multiset of rows in their text form (so -0 vs 0, 1.5 vs 1.50 and float
# digits count); an error on one side only, or another SQLSTATE, is a
# mismatch too.
#
# Queries: comparisons, BETWEEN, IN / ANY / ALL, NULL tests, IS DISTINCT
# FROM, LIKE / ILIKE, AND / OR / NOT, against constants, prepared-statement
# parameters (custom and generic plans) and stable expressions, cross-type,
# column vs column, expressions on columns, collations; some inside a
# transaction that has just inserted rows the columnar table still buffers,
# some rescanned with an outer value as parameter, some read through a
# scroll cursor backwards.  Each copy and setting is one test; its
# mismatches are listed with the query, the setting, the seed and the
# differing rows.  EXPLAIN of a sample checks that the columnar side runs
# the custom scan.
#
# Settings (environment, also as make variables):
#   BIWH_CORPUS_SEED     the seed (default 1; "random" picks one; printed)
#   BIWH_CORPUS_QUERIES  queries (default 1000)
#   BIWH_CORPUS_ROWS     rows of the table (default 3456)
#   BIWH_CORPUS_JOBS     psql sessions at once (default 2)
#   BIWH_CORPUS_DUMP     a directory to keep every run's psql script and
#                        output in (to rerun one by hand with psql -f)
# The default run takes about a minute on an idle two-core machine.  A
# larger one (about a quarter of an hour):
#   make test REGRESS=create_drop TAP_TESTS=t/110_scan_corpus.pl \
#     BIWH_CORPUS_SEED=random BIWH_CORPUS_QUERIES=4000 BIWH_CORPUS_ROWS=12000

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::RealBin/../lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use ColumnarCorpus;
use ColumnarCorpus::Runner;

use Encode qw(encode);

# test output is bytes (PostgreSQL::Test::Utils tees it into the log)
sub enc { return encode('UTF-8', join('', @_)); }

my $seed = $ENV{BIWH_CORPUS_SEED} // 1;
$seed = time() % 1000000 if $seed eq 'random';
die "BIWH_CORPUS_SEED must be an integer or \"random\"\n" unless $seed =~ /^\d+$/;
my $nqueries = $ENV{BIWH_CORPUS_QUERIES} // 1000;
my $nrows = $ENV{BIWH_CORPUS_ROWS} // 3456;
my $jobs = $ENV{BIWH_CORPUS_JOBS} // 2;
my $repro = "BIWH_CORPUS_SEED=$seed BIWH_CORPUS_QUERIES=$nqueries BIWH_CORPUS_ROWS=$nrows";
diag("scan corpus: $repro");

# Mismatches today's engine gives, each reported with its query; matched
# narrowly, and shown under TODO so the suite stays green until fixed.
# { what => 'description (reference)', match => sub { ($mismatch, $table, $variant) } }
my @KNOWN = ();

my %VARIANTS = (
	default => [],
	vectorization_off => ['SET biwh.enable_vectorization = off'],
	custom_scan_off => ['SET biwh.enable_custom_scan = off'],
	parallel => [
		'SET force_parallel_mode = on', 'SET parallel_setup_cost = 0',
		'SET parallel_tuple_cost = 0', 'SET min_parallel_table_scan_size = 0',
		'SET max_parallel_workers_per_gather = 2'
	],
);
my @VARIANT_ORDER = qw(default vectorization_off custom_scan_off parallel);
my @COPIES = qw(ct_c ct_s ct_k);

my $node = PostgreSQL::Test::Cluster->new('scan_corpus');
$node->init;
# no autovacuum: the copies keep the layout they were loaded with; after a
# crash the server comes back and the runs go on
$node->append_conf('postgresql.conf',
	"max_parallel_workers = 8\nautovacuum = off\nrestart_after_crash = on\n");
$node->start;
my $db = 'corpus';
$node->safe_psql('postgres',
	"CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
$node->safe_psql($db, 'CREATE EXTENSION biwh CASCADE');

# a collation other than "C" for tc_icu: ICU if the server has it
my $coll = ColumnarCorpus::pick_collation($node, $db, 'und-x-icu', 'en-x-icu', 'en_US.utf8',
	'de_DE.utf8', 'C.utf8');
diag(defined $coll
	? "tc_icu uses collation \"$coll\""
	: 'no ICU or libc collation besides "C": tc_icu uses the default collation');

my $corpus = ColumnarCorpus->new(seed => $seed, rows => $nrows, collation => $coll);
my @small = $corpus->create_tables($node, $db, PostgreSQL::Test::Utils::tempdir());
$corpus->load_stats($node, $db);

# --- the tables are what the corpus needs -------------------------------------

for my $t (@COPIES)
{
	is( $node->safe_psql($db,
			"SELECT (SELECT count(*) FROM (TABLE $t EXCEPT ALL TABLE ct_h) a)"
			  . " + (SELECT count(*) FROM (TABLE ct_h EXCEPT ALL TABLE $t) b)"),
		'0', "$t holds the rows of ct_h");
}
my $groups = int(($nrows + 999) / 1000);
is( $node->safe_psql($db, "SELECT row_groups, rows FROM biwh.columnar_verify('ct_c')"),
	"$groups|$nrows", "ct_c has $groups row groups" . ($nrows % 1000 ? ', the last partly filled' : ''));
is( $node->safe_psql($db, "SELECT row_groups FROM biwh.columnar_verify('ct_s')"),
	scalar(@small), 'ct_s has one small row group per load transaction');
note('encodings of ct_c: '
	  . $node->safe_psql($db,
		"SELECT string_agg(column_name || ' ' || encodings, '; ') FROM biwh.columnar_stats('ct_c')"));

my $has_vec = $node->safe_psql($db,
	"LOAD 'biwh'; SELECT count(*) FROM pg_settings WHERE name = 'biwh.enable_vectorization'");
note($has_vec
	? 'biwh.enable_vectorization exists'
	: 'biwh.enable_vectorization does not exist yet: that variant sets a placeholder');

# --- the queries ----------------------------------------------------------------

my $rng = ColumnarCorpus::Rng->new($seed, 'queries');

# Return a select list and whether it is an aggregate.
sub select_list
{
	my ($ctx) = @_;
	my @cols = $corpus->columns;
	my $k = $rng->weighted(count => 25, star => 12, cols => 38, exprs => 20, distinct => 5);
	return ('count(*)', 1) if $k eq 'count';
	return ('*', 0) if $k eq 'star';
	my @some = map { $rng->pick(@cols) } 1 .. $rng->irand(1, 4);
	if ($k eq 'distinct')
	{
		# not of numerics or floats: which of the equal 1.5 and 1.50 (or 0
		# and -0) is kept depends on the order of the rows
		my @d = grep { $_->{family} !~ /^(numeric|float)$/ } @some;
		@d = ($corpus->column('t_dict')) unless @d;
		return ('DISTINCT ' . join(', ', map { $_->{name} } @d[ 0 .. ($#d > 1 ? 1 : $#d) ]), 1);
	}
	if ($k eq 'exprs')
	{
		my $i = 0;
		my @e = map {
			my $c = $_;
			$rng->pick(
				(map { $_->[0] } ColumnarCorpus::column_exprs($c)),
				"$c->{name} IS NULL", "$c->{name}::text", '1')
			  . ' AS e' . $i++
		} @some;
		return (join(', ', ($rng->chance(0.7) ? 'id' : ()), @e), 0);
	}
	return (join(', ', ($rng->chance(0.7) ? 'id' : ()), map { $_->{name} } @some), 0);
}

# Return a filter query on {T}; with force_limit, one that ends in ORDER BY
# id DESC LIMIT (to look at the newest rows).
sub scan_query
{
	my ($ctx, %opts) = @_;
	my ($list, $agg) = $opts{force_limit} ? ('*', 0) : select_list($ctx);
	my $where = $rng->chance(0.03) ? '' : ' WHERE ' . ColumnarCorpus::predicate($ctx, $rng->pick(0, 1, 1, 2, 2, 3));
	my $tail = '';
	if ($opts{force_limit} || (!$agg && $rng->chance(0.3)))
	{
		# LIMIT only with an order on the unique id
		$tail = ' ORDER BY id' . ($opts{force_limit} || $rng->chance(0.5) ? ' DESC' : '')
		  . ' LIMIT ' . $rng->pick(1, 3, 10, 100)
		  . ($rng->chance(0.2) ? ' OFFSET ' . $rng->pick(1, 5, 50) : '');
	}
	elsif (!$agg && $rng->chance(0.15))
	{
		my $c = $rng->pick($corpus->columns);
		$tail = " ORDER BY $c->{name}" . $rng->pick('', ' DESC', ' NULLS FIRST', ' DESC NULLS LAST');
	}
	return "SELECT $list FROM {T}$where$tail";
}

# Return a query that scans {T} once per outer row with the outer value as
# a parameter (a rescan): a correlated subquery or a LATERAL one with a LIMIT.
sub rescan_query
{
	my ($ctx) = @_;
	my $c = $rng->pick($corpus->columns);
	my $values = join(', ', map { '(' . ColumnarCorpus::constant($ctx, $c, typed => 1) . ')' } 1 .. $rng->irand(2, 4));
	my $op = $rng->pick('=', '<>', '<', '<=', '>', '>=', 'IS DISTINCT FROM');
	my $cond = "$c->{name} $op v.k" . ($rng->chance(0.6) ? ' AND ' . ColumnarCorpus::predicate($ctx, 1) : '');
	if ($rng->chance(0.5))
	{
		return "SELECT v.k, (SELECT count(*) FROM {T} WHERE $cond) FROM (VALUES $values) v(k)";
	}
	my ($list) = select_list($ctx);
	$list = 'id, t_dict' if $list =~ /count|DISTINCT/;
	return "SELECT v.k, x.* FROM (VALUES $values) v(k),"
	  . " LATERAL (SELECT $list FROM {T} WHERE $cond ORDER BY id LIMIT 7) x";
}

my @blocks;
my %kinds;
my $nquery_steps = 0;
while ($nquery_steps < $nqueries)
{
	my $n = scalar @blocks;
	my $kind = $rng->weighted(plain => 66, prepared => 12, transaction => 14, rescan => 5, cursor => 3);
	my $b;
	if ($kind eq 'plain')
	{
		$b = $corpus->plain_block($n, scan_query($corpus->context($rng)));
	}
	elsif ($kind eq 'rescan')
	{
		$b = $corpus->plain_block($n, rescan_query($corpus->context($rng)));
	}
	elsif ($kind eq 'prepared')
	{
		$b = $corpus->prepared_block($rng, $n, \&scan_query);
		$kinds{generic}++ if $b->{generic};
	}
	elsif ($kind eq 'transaction')
	{
		# some look at the newest rows: those just inserted
		$b = $corpus->transaction_block($rng, $n,
			sub { scan_query($_[0], force_limit => $rng->chance(0.3)) });
	}
	else
	{
		# a few short columns: FETCH returns the rows themselves
		my $list = join(', ', 'id', map { $_->{name} } grep { $_->{name} ne 't_long' }
			  map { $rng->pick($corpus->columns) } 1 .. 3);
		$b = $corpus->cursor_block($rng, $n, "SELECT $list FROM {T} WHERE "
			  . ColumnarCorpus::predicate($corpus->context($rng), $rng->pick(0, 1, 2)));
	}
	$kinds{$kind}++;
	$nquery_steps += grep { $_->{kind} eq 'query' } @{ $b->{steps} };
	# the copy this block runs on under each non-default setting
	$b->{copy}{$_} = $rng->pick(@COPIES) for @VARIANT_ORDER;
	push @blocks, $b;
}
note(sprintf('%d queries in %d blocks: %d prepared (%d generic plans), %d transactions with buffered'
	  . ' rows, %d rescanned with parameters, %d scroll cursors',
	$nquery_steps, scalar @blocks, map { $kinds{$_} // 0 } qw(prepared generic transaction rescan cursor)));

# --- the runs ------------------------------------------------------------------

my $runner = ColumnarCorpus::Runner->new(node => $node, db => $db, jobs => $jobs,
	dir => $ENV{BIWH_CORPUS_DUMP} // PostgreSQL::Test::Utils::tempdir(),
	keep => defined $ENV{BIWH_CORPUS_DUMP});
my @runs = ({ name => 'heap', table => 'ct_h', variant => 'default', header => [], blocks => \@blocks });
for my $v (@VARIANT_ORDER)
{
	for my $t (@COPIES)
	{
		my @mine = $v eq 'default' ? @blocks : grep { $_->{copy}{$v} eq $t } @blocks;
		push @runs, { name => "$t [$v]", table => $t, variant => $v, header => $VARIANTS{$v},
			blocks => \@mine };
	}
}
my $t0 = time;
$runner->run_all(@runs);
my ($ref, @col) = @runs;
my $executed = 0;
for my $r (@runs)
{
	$executed += grep { $_->{kind} eq 'query' } map { @{ $_->{steps} } } @{ $r->{blocks} };
}
note(sprintf('%d query executions in %d runs, %.0f s', $executed, scalar @runs, time - $t0));

# the generator's health: queries that fail on heap compare nothing
my %errors;
my ($empty, $total) = (0, 0);
for my $b (@blocks)
{
	for my $s (grep { $_->{kind} eq 'query' } @{ $b->{steps} })
	{
		my $r = $ref->{results}{ $s->{label} } // next;
		$total++;
		if ($r->{state} ne '00000')
		{
			# the first failing query of each error, for the report
			my $e = "$r->{state} " . ($r->{error} // '');
			$errors{$e} //= [ 0, ColumnarCorpus::Runner::step_text($s, 'ct_h') ];
			$errors{$e}[0]++;
		}
		elsif ($r->{out} =~ /^0\|/)
		{
			$empty++;
		}
	}
}
my $nerr = 0;
$nerr += $_->[0] for values %errors;
ok($nerr <= $total / 200, "at most 0.5% of the queries fail on heap ($nerr of $total)")
  or diag(enc(join("\n", map { "$_ ($errors{$_}[0] x), e.g. $errors{$_}[1]" } sort keys %errors)));
note("$empty of $total queries return no rows on heap");

# --- the comparisons -------------------------------------------------------------

for my $run (@col)
{
	my @failed_header = grep { ($run->{results}{"h$_"}{state} // 'LOST') ne '00000' } 0 .. $#{ $run->{header} };
	my @mm = $runner->compare($ref, $run);
	my (@known, @new);
	for my $m (@mm)
	{
		my ($k) = grep { $_->{match}->($m, $run->{table}, $run->{variant}) } @KNOWN;
		if ($k)
		{
			$m->{known} = $k;
			push @known, $m;
		}
		else
		{
			push @new, $m;
		}
	}
	my $nsteps = grep { $_->{kind} eq 'query' } map { @{ $_->{steps} } } @{ $run->{blocks} };
	my $report = sub {
		my @list = @_;
		my @lines = ("$run->{name}: " . scalar(@list) . " mismatches ($repro)");
		my $i = 0;
		for my $m (@list)
		{
			if ($i++ >= 20)
			{
				push @lines, '  ... and ' . (@list - 20) . ' more: '
				  . join(' ', map { $_->{step}{label} } @list[ 20 .. $#list ]);
				last;
			}
			push @lines, ($m->{known} ? "  [$m->{known}{what}]" : ()),
			  map { "  $_" } $runner->explain_mismatch($m, 'ct_h', [], $run->{table}, $run->{header});
		}
		return join("\n", @lines);
	};
	my $crashes = join("\n", map {
		"  the connection was lost at step $_->{step}{label} ($_->{why}): "
		  . ColumnarCorpus::Runner::step_text($_->{step}, $run->{table})
	} @{ $run->{crashes} });
	ok(!@new && !@failed_header && !@{ $run->{crashes} },
		sprintf('%s: %d queries equal heap (%.0f s)', $run->{name}, $nsteps, $run->{seconds}))
	  or diag(enc(@failed_header ? "settings failed: @{ $run->{header} }\n" : '', $report->(@new),
		$crashes ? "\n$crashes" : ''));
  TODO:
	{
		local $TODO = join('; ', sort keys %{ { map { $_->{known}{what} => 1 } @known } });
		ok(0, "$run->{name}: known mismatches") or diag(enc($report->(@known))) if @known;
	}
}

# --- the comparison itself finds differences ------------------------------------

# the first plain queries run on ct_x (other rows) must mostly differ from
# heap, and a difference must be shown row by row
my @control = (grep { @{ $_->{steps} } == 1 && $_->{steps}[0]{query} !~ /count\(\*\)/ } @blocks)[ 0 .. 19 ];
my ($ctl) = $runner->run_all({ name => 'control', table => 'ct_x', header => [], blocks => \@control });
my @cm = $runner->compare($ref, $ctl);
my @shown = $runner->explain_mismatch((grep { $_->{got}{state} eq '00000' && $_->{got}{out} !~ /^0\|/ } @cm)[0],
	'ct_h', [], 'ct_x', []);
note(enc(join("\n", @shown)));
ok(@cm >= 10 && grep(/only in (heap|columnar) \(\d+ distinct rows\):/, @shown),
	scalar(@cm) . ' of 20 queries on other rows differ from heap, and the rows are shown');

# --- the corpus really used the columnar scan -----------------------------------

# EXPLAIN of a sample of the plain queries: wherever heap's plan scans
# ct_h, the columnar plan has the custom scan under the defaults and not
# with it switched off; forced parallel plans do run heap in parallel.
my @sample = grep { defined $_->{steps}[0]{query} && $_->{steps}[0]{kind} eq 'query' && @{ $_->{steps} } == 1 }
  @blocks;
@sample = @sample[ grep { $_ % int(@sample / 40 + 1) == 0 } 0 .. $#sample ];
my @explain = map {
	{ steps => [ { label => $_->{steps}[0]{label}, kind => 'query',
		sql => "EXPLAIN (COSTS OFF) $_->{steps}[0]{query}" } ] }
} @sample;
my @eruns = (
	{ name => 'explain heap', table => 'ct_h', header => [], blocks => \@explain },
	{ name => 'explain heap parallel', table => 'ct_h', header => $VARIANTS{parallel}, blocks => \@explain },
	(map { { name => "explain $_", table => $_, header => [], blocks => \@explain } } @COPIES),
	{ name => 'explain ct_c custom_scan_off', table => 'ct_c', header => $VARIANTS{custom_scan_off},
	  blocks => \@explain },
	{ name => 'explain ct_c parallel', table => 'ct_c', header => $VARIANTS{parallel}, blocks => \@explain },
);
$runner->run_all(@eruns);
my ($eh, $ehp, @ec) = @eruns;
my ($ecoff, $ecpar) = @ec[ 3, 4 ];
my $plan = sub { my ($run, $b) = @_; return $run->{results}{ $b->{steps}[0]{label} }{out} // ''; };
my @scanned = grep { $plan->($eh, $_) =~ /Seq Scan on ct_h/ } @explain;
ok(@scanned >= @explain * 0.7,
	scalar(@scanned) . ' of ' . scalar(@explain) . ' sampled queries scan the table');
for my $i (0 .. 2)
{
	my @missing = grep { $plan->($ec[$i], $_) !~ /Custom Scan \(Columnar\w*\) on $COPIES[$i]/ } @scanned;
	ok(!@missing, "$COPIES[$i]: every sampled plan has a columnar custom scan")
	  or diag(enc(join("\n", map { "$_->{steps}[0]{sql}:\n" . $plan->($ec[$i], $_) } @missing[ 0 .. ($#missing < 2 ? $#missing : 2) ])));
}
ok(!(grep { $plan->($ecoff, $_) =~ /ColumnarScan/ } @scanned),
	'with biwh.enable_custom_scan = off no sampled plan has the ColumnarScan');
my $hgather = grep { $plan->($ehp, $_) =~ /Gather/ } @scanned;
ok($hgather >= @scanned * 0.8, "forced parallel settings give heap parallel plans ($hgather of "
	  . scalar(@scanned) . ')');
note(scalar(grep { $plan->($ecpar, $_) =~ /Gather/ } @scanned) . ' of ' . scalar(@scanned)
	  . ' sampled ct_c plans are parallel under forced parallel settings');

$node->stop;
done_testing();
