# ColumnarCorpus.pm — tables, data and predicates of biwh's differential corpora
#
# A corpus compares queries on columnar tables with the same queries on a
# heap copy of the same rows.  This module holds what every corpus shares:
#
#   - a seeded PRNG (xorshift128 on 32-bit words, so a seed gives the same
#     numbers on every platform and Perl, whatever else calls rand());
#   - one table definition, "ct", with a column of every supported type and
#     distribution (NULL-heavy, all-NULL, constant, sorted, random,
#     dictionary-friendly, NaN/±Infinity/-0.0, numeric of mixed scales,
#     non-ASCII, empty and long text, ±infinity dates and timestamps), its
#     generated rows written as COPY files, and its copies:
#         ct_h  heap (the reference)
#         ct_c  columnar, row_group_size 1000: several groups, the last partly filled
#         ct_s  columnar, loaded in many small transactions (small row groups)
#         ct_k  columnar, a sort_key, rows loaded shuffled, row_group_size
#               3000 (a group holds several of the scan's ~1-2k-row batches)
#         ct_x  heap, more rows of the same distributions, for transactions
#               that insert rows and query them while they are still buffered;
#   - the statistics queries draw constants from (min, max, values just
#     outside them, sampled values), read back from ct_h after loading;
#   - constants (typed, untyped, cross-type, NULL, special values, prepared
#     statement parameters, stable expressions) and random predicates: = <>
#     < <= > >= BETWEEN, IN / = ANY / <> ALL, IS [NOT] NULL, IS [NOT]
#     DISTINCT FROM, LIKE / ILIKE, column vs column, expressions on
#     columns, collations, nested with AND / OR / NOT.
#
# The scan corpus (t/110_scan_corpus.pl) builds filter queries from these
# predicates; the aggregate corpus (t/111_agg_corpus.pl) uses the same
# tables (with interval columns too: new(agg_columns => 1)), constants and
# predicates (for WHERE and FILTER) and ColumnarCorpus::Runner to run and
# compare.  Query text names the table as {T}; the runner substitutes it.

package ColumnarCorpus;

use strict;
use warnings;
use utf8;

use Math::BigInt;
use POSIX qw(floor);

# --- PRNG -----------------------------------------------------------------

package ColumnarCorpus::Rng;

# Return a generator for seed and a stream name (data and queries use
# separate streams, so changing one does not change the other).
sub new
{
	my ($class, $seed, $stream) = @_;
	my $h = 2166136261;
	for my $c (split //, "$seed/$stream")
	{
		$h = (($h ^ ord($c)) * 16777619) % 4294967296;
	}
	my $self = bless {
		x => $h || 1,
		y => 362436069,
		z => 521288629,
		w => ($seed % 4294967296) ^ 88675123,
	}, $class;
	$self->next32 for 1 .. 32;
	return $self;
}

# Return the next 32-bit unsigned number.
sub next32
{
	my ($self) = @_;
	my $t = ($self->{x} ^ (($self->{x} << 11) & 0xffffffff)) & 0xffffffff;
	@$self{qw(x y z)} = @$self{qw(y z w)};
	my $w = $self->{w};
	$self->{w} = ($w ^ ($w >> 19) ^ ($t ^ ($t >> 8))) & 0xffffffff;
	return $self->{w};
}

# Return a float in [0, 1).
sub float { return $_[0]->next32 / 4294967296; }

# Return an integer in [lo, hi] (a span below 2^32).
sub irand
{
	my ($self, $lo, $hi) = @_;
	return $lo + $self->next32 % ($hi - $lo + 1);
}

# Return true with probability p.
sub chance { return $_[0]->float < $_[1]; }

# Return one of the arguments.
sub pick
{
	my $self = shift;
	return $_[ $self->next32 % @_ ];
}

# Return one key of a hash of weights, chosen by weight.
sub weighted
{
	my ($self, %w) = @_;
	my $total = 0;
	$total += $w{$_} for sort keys %w;
	my $r = $self->float * $total;
	for my $k (sort keys %w)
	{
		return $k if ($r -= $w{$k}) < 0;
	}
	return (sort keys %w)[-1];
}

# Return a random decimal integer string of up to ndigits digits, signed.
sub digits
{
	my ($self, $ndigits) = @_;
	my $n = $self->irand(1, $ndigits);
	my $s = $self->irand(1, 9);
	$s .= $self->irand(0, 9) for 2 .. $n;
	return ($self->chance(0.5) ? '-' : '') . $s;
}

package ColumnarCorpus;

# --- text pieces ----------------------------------------------------------

# characters random text is made of: ASCII of both cases, digits, a space,
# LIKE's own % and _, quotes and a backslash, and non-ASCII (2, 3 and 4
# bytes in UTF-8)
my @CHARS = (
	'a' .. 'z', 'A' .. 'Z', '0' .. '9', ' ', '%', '_', "'", '"', '\\',
	'ä', 'Ä', 'é', 'É', 'ß', 'ø', 'ñ', '日', '本', '€', "\x{1F600}");
my @LOWER = ('a' .. 'z', 'ä', 'é');

sub word
{
	my ($rng, $min, $max) = @_;
	my $n = $rng->irand($min, $max);
	my $w = '';
	for (1 .. $n)
	{
		# mostly lower-case letters, so prefixes are shared and LIKE matches
		$w .= $rng->chance(0.7) ? $rng->pick(@LOWER) : $rng->pick(@CHARS);
	}
	return $w;
}

sub days_to_date
{
	my ($days) = @_;
	my @t = gmtime($days * 86400);
	return sprintf('%04d-%02d-%02d', $t[5] + 1900, $t[4] + 1, $t[3]);
}

# seconds since 1970 (with a fraction) as a timestamp's text
sub secs_to_ts
{
	my ($secs) = @_;
	my $whole = floor($secs);
	my $us = int(($secs - $whole) * 1e6 + 0.5);
	if ($us >= 1000000) { $whole++; $us -= 1000000; }
	my @t = gmtime($whole);
	my $s = sprintf('%04d-%02d-%02d %02d:%02d:%02d',
		$t[5] + 1900, $t[4] + 1, $t[3], $t[2], $t[1], $t[0]);
	$s .= sprintf('.%06d', $us) if $us;
	return $s;
}

sub maybe_null
{
	my ($rng, $p, $v) = @_;
	return $rng->chance($p) ? undef : $v;
}

# --- the columns ------------------------------------------------------------
#
# name, SQL type, family (what constants and operators fit), ptype (the
# type name for casts and parameters), and gen: ($rng, $id, $nrows) -> text
# form or undef for NULL.  "extreme" marks integer columns holding their
# type's bounds, where "c + 1" would overflow.

my @COLUMNS = (
	{ name => 'id', type => 'int4', family => 'int', gen => sub { $_[1] } },

	# integers
	{ name => 'i2_rnd', type => 'int2', family => 'int', extreme => 1,
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->chance(0.03) ? $r->pick(-32768, 32767) : $r->irand(0, 65535) - 32768) } },
	{ name => 'i2_dict', type => 'int2', family => 'int',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.1, $r->pick(-1, 0, 1, 7, 300)) } },
	{ name => 'i4_seq', type => 'int4', family => 'int', gen => sub { int($_[1] / 3) } },
	{ name => 'i4_runs', type => 'int4', family => 'int', gen => sub { int($_[1] / 100) } },
	{ name => 'i4_rnd', type => 'int4', family => 'int', extreme => 1,
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->chance(0.02) ? $r->pick(-2147483648, 2147483647)
		: $r->chance(0.5) ? $r->irand(-1000, 1000) : $r->next32 - 2147483648) } },
	{ name => 'i4_small', type => 'int4', family => 'int',
	  gen => sub { $_[0]->irand(0, 99) } },
	{ name => 'i4_nullh', type => 'int4', family => 'int',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.95, $r->irand(0, 1000)) } },
	{ name => 'i4_null', type => 'int4', family => 'int', gen => sub { undef } },
	{ name => 'i4_const', type => 'int4', family => 'int', gen => sub { 42 } },
	# NULL for the whole second row group of a 1000-row grouping
	{ name => 'i4_rgnull', type => 'int4', family => 'int',
	  gen => sub { ($_[1] > 1000 && $_[1] <= 2000) ? undef : $_[1] % 50 } },
	{ name => 'i8_rnd', type => 'int8', family => 'int', extreme => 1,
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->chance(0.02) ? $r->pick('-9223372036854775808', '9223372036854775807')
		: $r->digits($r->pick(3, 10, 18))) } },
	{ name => 'i8_seq', type => 'int8', family => 'int',
	  gen => sub { Math::BigInt->new($_[1])->bmul(1000000007)->bstr } },
	{ name => 'i8_dict', type => 'int8', family => 'int',
	  gen => sub { $_[0]->pick('-5000000000000000', '0', '1', '1099511627776') } },

	# floats
	{ name => 'f4_rnd', type => 'float4', family => 'float',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->chance(0.1) ? $r->pick('NaN', 'Infinity', '-Infinity', '-0', '0',
			'1.17549435e-38', '3.4028235e+38', '-3.4028235e+38', '0.1', '1.5')
		: sprintf('%.7g', ($r->float - 0.5) * 10**$r->irand(-3, 6))) } },
	{ name => 'f4_dict', type => 'float4', family => 'float',
	  gen => sub { $_[0]->pick('0.1', '0.5', '-0', '0', 'NaN') } },
	{ name => 'f8_rnd', type => 'float8', family => 'float',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->chance(0.1) ? $r->pick('NaN', 'Infinity', '-Infinity', '-0', '0',
			'2.2250738585072014e-308', '1.7976931348623157e+308',
			'-1.7976931348623157e+308', '0.1', '1.5')
		: sprintf('%.17g', ($r->float - 0.5) * 10**$r->irand(-5, 12))) } },
	{ name => 'f8_seq', type => 'float8', family => 'float',
	  gen => sub { sprintf('%.17g', $_[1] / 7) } },
	{ name => 'f8_nullh', type => 'float8', family => 'float',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.9,
		$r->chance(0.2) ? 'NaN' : sprintf('%.17g', $r->float * 100)) } },

	# numerics
	{ name => 'n_mix', type => 'numeric', family => 'numeric',
	  gen => sub {
		my ($r, $id) = @_;
		return undef if $r->chance(0.05);
		# NaN and infinities only in the third 1000-row group, so the other
		# groups can use the scaled-integer encoding
		return $r->pick('NaN', 'Infinity', '-Infinity')
		  if $id > 2000 && $id <= 3000 && $r->chance(0.1);
		my $k = $r->irand(0, 9);
		return $r->pick('1.5', '1.50', '1.500', '-0', '0.0', '-0.00') if $k == 0;
		return '123456789012345678901234567890.123456789' if $k == 1 && $r->chance(0.1);
		return '0.000000000000000000001' if $k == 1;
		return $r->digits(6) . '.' . join('', map { $r->irand(0, 9) } 1 .. $r->irand(1, 6)) if $k < 6;
		return $r->digits(9);
	  } },
	{ name => 'n_scl', type => 'numeric', family => 'numeric',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->pick('12.5', '12.50', '7', '-3.1415', '0.00', '100')) } },
	{ name => 'n_12_2', type => 'numeric(12,2)', family => 'numeric', ptype => 'numeric',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->digits(10) . '.' . sprintf('%02d', $r->irand(0, 99))) } },
	{ name => 'n_dict', type => 'numeric(12,2)', family => 'numeric', ptype => 'numeric',
	  gen => sub { $_[0]->pick('0.00', '1.50', '99.99', '-5.25', '1000000.00') } },
	{ name => 'n_seq', type => 'numeric', family => 'numeric',
	  gen => sub { sprintf('%.2f', $_[1] * 0.25) } },
	{ name => 'n_nullh', type => 'numeric(12,2)', family => 'numeric', ptype => 'numeric',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.9, $r->irand(0, 99999) / 100) } },

	# dates and times (2015-01-01 is day 16436)
	{ name => 'd_seq', type => 'date', family => 'date',
	  gen => sub { days_to_date(16436 + int($_[1] / 5)) } },
	{ name => 'd_rnd', type => 'date', family => 'date',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->chance(0.05) ? $r->pick('infinity', '-infinity', '0001-01-01 BC', '9999-12-31')
		: days_to_date($r->irand(-25567, 47482))) } },
	{ name => 'd_dict', type => 'date', family => 'date',
	  gen => sub { $_[0]->pick('2020-02-29', '2024-01-01', '1999-12-31', 'infinity') } },
	{ name => 'ts_seq', type => 'timestamp', family => 'ts',
	  gen => sub { secs_to_ts(1420070400 + $_[1] * 1023.25) } },
	{ name => 'ts_rnd', type => 'timestamp', family => 'ts',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->chance(0.04) ? $r->pick('infinity', '-infinity')
		: secs_to_ts(631152000 + $r->next32 % 1577836800 + $r->irand(0, 999999) / 1e6)) } },
	{ name => 'tz_seq', type => 'timestamptz', family => 'tstz',
	  gen => sub { secs_to_ts(1451606400 + $_[1] * 20000) . '+00' } },
	{ name => 'tz_rnd', type => 'timestamptz', family => 'tstz',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->chance(0.04) ? $r->pick('infinity', '-infinity')
		: secs_to_ts(946684800 + $r->next32 % 1262304000 + $r->irand(0, 999999) / 1e6)
		  . $r->pick('+00', '+05:30', '-08')) } },
	{ name => 'tz_nullh', type => 'timestamptz', family => 'tstz',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.9,
		secs_to_ts(1600000000 + $r->irand(0, 100000000)) . '+00') } },

	# booleans
	{ name => 'b_rnd', type => 'bool', family => 'bool',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.1, $r->pick('t', 'f')) } },
	{ name => 'b_nullh', type => 'bool', family => 'bool',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.9, $r->pick('t', 'f')) } },
	{ name => 'b_const', type => 'bool', family => 'bool', gen => sub { 't' } },

	# text
	{ name => 't_dict', type => 'text', family => 'text',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->pick('', 'alpha', 'Beta', 'gamma', 'Ärger', 'straße', '日本語', 'zeta',
			'a b', 'A%b_c')) } },
	{ name => 't_rnd', type => 'text', family => 'text',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05, word($r, 0, 20)) } },
	{ name => 't_long', type => 'text', family => 'text',
	  gen => sub {
		my ($r, $id) = @_;
		my $k = $r->float;
		return word($r, 1, 10) if $k < 0.96;
		# long values, some compressible and some not, longer than a
		# chunk's stored min/max and (some) than a heap page
		my $len = $k < 0.99 ? $r->irand(2000, 4000) : $r->irand(8200, 12000);
		my $v = $r->chance(0.5) ? word($r, 1, 8) x $len : word($r, $len, $len);
		return substr("$id:" . $v, 0, $len);
	  } },
	{ name => 't_seq', type => 'text', family => 'text',
	  gen => sub { sprintf('k%06d', $_[1]) } },
	{ name => 't_nullh', type => 'text', family => 'text',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.92, word($r, 0, 12)) } },
	{ name => 't_null', type => 'text', family => 'text', gen => sub { undef } },
	{ name => 't_const', type => 'text', family => 'text', gen => sub { 'same' } },
	{ name => 'vc_rnd', type => 'varchar(12)', family => 'text', ptype => 'varchar',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05, word($r, 0, 12)) } },
	{ name => 'vc_dict', type => 'varchar(8)', family => 'text', ptype => 'varchar',
	  gen => sub { $_[0]->pick('red', 'green', 'blue', '', 'Grün') } },
	{ name => 'bp_dict', type => 'char(5)', family => 'text', ptype => 'bpchar',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->pick('a', 'ab', 'abc  ', '', 'xyz', 'ÄÖü', 'ab ')) } },
	{ name => 'bp_rnd', type => 'char(10)', family => 'text', ptype => 'bpchar',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05, word($r, 0, 10)) } },
	# the collation is set in new(): ICU if the server has it
	{ name => 'tc_icu', type => 'text', family => 'text', icu => 1,
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->chance(0.3) ? word($r, 1, 8)
		: $r->pick('apple', 'Apple', 'äpple', 'Zebra', 'zebra', 'Éclair', 'eclair',
			'ß', 'ss', 'resume', 'résumé', 'Résumé', '10', '9', 'a-b', 'ab')) } },
);

# Columns only an aggregate corpus asks for (new(agg_columns => 1)), after
# the others, so the scan corpus's table and rows stay what they were:
# intervals (random with months, days and microseconds of both signs;
# dictionary-friendly with values that are equal but print differently,
# '1 day' = '24:00:00' and '1 mon' = '30 days'; NULL-heavy).
my @AGG_COLUMNS = (
	{ name => 'iv_rnd', type => 'interval', family => 'interval',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		sprintf('%d mons %d days %d.%06d seconds', $r->irand(-500, 500), $r->irand(-40, 40),
			$r->irand(-100000, 100000), $r->irand(0, 999999))) } },
	{ name => 'iv_dict', type => 'interval', family => 'interval',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.05,
		$r->pick('1 day', '24:00:00', '1 mon', '30 days', '00:00:00', '-1 day', '1 year 2 mons')) } },
	{ name => 'iv_nullh', type => 'interval', family => 'interval',
	  gen => sub { my ($r) = @_; maybe_null($r, 0.9, $r->irand(0, 100000) . ' seconds') } },
);

for my $c (@COLUMNS, @AGG_COLUMNS)
{
	$c->{ptype} //= $c->{type};
}

# --- tables -----------------------------------------------------------------

# Make a corpus: seed, rows (of ct_h), extra_rows (of ct_x), collation (an
# ICU or libc collation name for tc_icu, or undef for the default),
# agg_columns (true: the interval columns too).
sub new
{
	my ($class, %args) = @_;
	my $self = bless {
		seed => $args{seed},
		rows => $args{rows},
		extra_rows => $args{extra_rows} // 1600,
		collation => $args{collation},
		columns => [ map { {%$_} } @COLUMNS, ($args{agg_columns} ? @AGG_COLUMNS : ()) ],
	}, $class;
	for my $c (@{ $self->{columns} })
	{
		$c->{collation} = $self->{collation} if $c->{icu} && defined $self->{collation};
	}
	return $self;
}

sub columns { return @{ $_[0]->{columns} }; }
sub column { my ($self, $name) = @_; return (grep { $_->{name} eq $name } $self->columns)[0]; }
sub seed { return $_[0]->{seed}; }
sub rows { return $_[0]->{rows}; }
sub extra_rows { return $_[0]->{extra_rows}; }
sub collation { return $_[0]->{collation}; }

# The first of the collations given that the server has, or undef: ask with
# $node->safe_psql.
sub pick_collation
{
	my ($node, $db, @names) = @_;
	for my $n (@names)
	{
		return $n
		  if $node->safe_psql($db,
			"SELECT count(*) FROM pg_collation WHERE collname = '$n'"
			  . " AND collencoding IN (-1, pg_char_to_encoding('UTF8'))") eq '1';
	}
	return undef;
}

# The column list of CREATE TABLE.
sub column_ddl
{
	my ($self) = @_;
	return join(",\n\t",
		map {
			"$_->{name} $_->{type}"
			  . (defined $_->{collation} ? qq{ COLLATE "$_->{collation}"} : '')
			  . ($_->{name} eq 'id' ? ' NOT NULL' : '')
		} $self->columns);
}

sub copy_escape
{
	my ($v) = @_;
	return '\N' unless defined $v;
	$v =~ s/\\/\\\\/g;
	$v =~ s/\t/\\t/g;
	$v =~ s/\n/\\n/g;
	$v =~ s/\r/\\r/g;
	return $v;
}

# Write rows with ids first .. first + n - 1 to path in COPY text format.
sub write_rows
{
	my ($self, $rng, $path, $first, $n) = @_;
	open(my $fh, '>:encoding(UTF-8)', $path) or die "could not write $path: $!";
	for my $id ($first .. $first + $n - 1)
	{
		print $fh join("\t",
			map { copy_escape($_->{gen}->($rng, $id, $self->{rows})) } $self->columns),
		  "\n";
	}
	close($fh);
}

# Create and load ct_h, ct_x, ct_c, ct_s and ct_k in database db, writing
# the COPY files into dir.  Returns the sizes of ct_s's load transactions.
sub create_tables
{
	my ($self, $node, $db, $dir) = @_;
	my $rng = ColumnarCorpus::Rng->new($self->{seed}, 'data');
	my $n = $self->{rows};
	$self->write_rows($rng, "$dir/ct.copy", 1, $n);
	$self->write_rows($rng, "$dir/ct_x.copy", $n + 1, $self->{extra_rows});
	my $cols = $self->column_ddl;
	$node->safe_psql($db, qq{
		CREATE TABLE ct_h ($cols);
		CREATE TABLE ct_x (LIKE ct_h);
		COPY ct_h FROM '$dir/ct.copy';
		COPY ct_x FROM '$dir/ct_x.copy';
		CREATE TABLE ct_c (LIKE ct_h) USING columnar WITH (row_group_size = 1000);
		COPY ct_c FROM '$dir/ct.copy';
		CREATE TABLE ct_s (LIKE ct_h) USING columnar;
		CREATE TABLE ct_k (LIKE ct_h) USING columnar
			WITH (row_group_size = 3000, sort_key = 'tc_icu, d_rnd');
		INSERT INTO ct_k SELECT * FROM ct_h ORDER BY md5(id::text || '$self->{seed}');
		ANALYZE ct_h, ct_x, ct_c, ct_k;
	});

	# many small transactions: one row group each, some of a few rows
	my @sizes;
	my $script = '';
	for (my $id = 1; $id <= $n;)
	{
		my $k = $rng->chance(0.2) ? $rng->irand(1, 10) : $rng->irand(100, 500);
		$script .= sprintf("INSERT INTO ct_s SELECT * FROM ct_h WHERE id BETWEEN %d AND %d;\n",
			$id, $id + $k - 1);
		push @sizes, $k;
		$id += $k;
	}
	$node->safe_psql($db, $script . "ANALYZE ct_s;\n");
	return @sizes;
}

# --- statistics ---------------------------------------------------------------

sub quote
{
	my ($s) = @_;
	$s =~ s/'/''/g;
	return "'$s'";
}

# Read each column's min, max, values just outside them, a sample of its
# values and the min and max of each group of 1000 rows (ct_c's row groups,
# so their bounds are tested exactly) from ct_h, in one psql session.
sub load_stats
{
	my ($self, $node, $db) = @_;
	my $seed = quote($self->{seed});
	# values as x<hex of UTF-8> (N for NULL): safe in one line
	my $hex = sub { "coalesce('x' || encode(convert_to($_[0], 'UTF8'), 'hex'), 'N')" };
	my $sql = '';
	for my $c ($self->columns)
	{
		my $n = $c->{name};
		my $f = $c->{family};
		my $finite = {
			float => "$n NOT IN ('NaN', 'Infinity', '-Infinity')",
			numeric => "$n NOT IN ('NaN', 'Infinity', '-Infinity')",
			date => "isfinite($n)", ts => "isfinite($n)", tstz => "isfinite($n)",
		}->{$f} // 'true';
		my $outside = {
			numeric => "min($n) - 0.001, max($n) + 0.001",
			date => "min($n) - 1, max($n) + 1",
			ts => "min($n) - interval '1 microsecond', max($n) + interval '1 microsecond'",
			tstz => "min($n) - interval '1 microsecond', max($n) + interval '1 microsecond'",
			interval => "min($n) - interval '1 microsecond', max($n) + interval '1 microsecond'",
		}->{$f} // 'NULL, NULL';
		my $minmax = $f eq 'bool' ? 'NULL, NULL' : "min($n), max($n)";
		# the sample: distinct values in a seeded order, short ones first,
		# and one long value
		$sql .= "SELECT concat_ws(' ', '$n', "
		  . join(', ', map { $hex->("${_}::text") } qw(x y lo hi))
		  . ", coalesce((SELECT " . $hex->("${n}::text") . " FROM ct_h"
		  . "  WHERE length(${n}::text) > 2000 ORDER BY md5(${n}::text || $seed) LIMIT 1), ''),"
		  . " (SELECT coalesce(string_agg(" . $hex->('v') . ", ','), '') FROM"
		  . " (SELECT v FROM (SELECT DISTINCT ${n}::text AS v FROM ct_h WHERE $n IS NOT NULL) d"
		  . "  ORDER BY length(v) > 200, md5(v || $seed) LIMIT 12) s),"
		  . " (SELECT coalesce(string_agg(" . $hex->('v') . ", ','), '') FROM"
		  . " (SELECT DISTINCT v FROM (SELECT $minmax FROM ct_h GROUP BY (id - 1) / 1000) g(a, b),"
		  . "  LATERAL (VALUES (a::text), (b::text)) x(v) WHERE length(v) <= 200) e))"
		  . " FROM (SELECT $minmax, $outside FROM ct_h WHERE $finite) s(x, y, lo, hi);\n";
	}
	my %stats;
	for my $line (split /\n/, $node->safe_psql($db, $sql))
	{
		my ($name, @v) = split / /, $line, -1;
		my $dec = sub {
			my $t = $_[0] =~ /^x(.*)/ ? pack('H*', $1) : undef;
			utf8::decode($t) if defined $t;
			return $t;
		};
		$stats{$name} = [ (map { $dec->($_) } @v[ 0 .. 4 ]),
			map { [ map { $dec->($_) } split /,/, $_ ] } @v[ 5, 6 ] ];
	}
	for my $c ($self->columns)
	{
		my ($min, $max, $lo, $hi, $long, $samples, $edges) = @{ $stats{ $c->{name} } };
		my @s = @$samples;
		my $f = $c->{family};
		if ($f eq 'int' && defined $min)
		{
			$lo = Math::BigInt->new($min)->bdec->bstr;
			$hi = Math::BigInt->new($max)->binc->bstr;
		}
		elsif ($f eq 'float' && defined $min)
		{
			($lo, $hi) = map {
				my $v = $_->[0] - abs($_->[0]) * 1e-6 * $_->[1] - 1e-6 * $_->[1];
				abs($v) < ($c->{ptype} eq 'float4' ? 3.4e38 : 1e308) ? sprintf('%.17g', $v) : undef
			} ([ $min, 1 ], [ $max, -1 ]);
		}
		elsif ($f eq 'text' && defined $min)
		{
			$lo = $min eq '' ? undef : '';
			$hi = $max . 'z';
		}
		# at most one long sample, to keep the scripts small
		@s = grep { defined $_ && length($_) <= 200 } @s;
		push @s, $long if defined $long;
		@$c{qw(min max lo_out hi_out)} = ($min, $max, $lo, $hi);
		$c->{samples} = \@s;
		$c->{edges} = [ grep { defined } @$edges ];
	}
}

# --- constants ------------------------------------------------------------------

# special values of each family, typed as the column
my %SPECIALS = (
	int => [ '0', '-1', '1' ],
	float => [ 'NaN', 'Infinity', '-Infinity', '-0', '0', '0.1', '1.5' ],
	numeric => [ 'NaN', 'Infinity', '-Infinity', '0', '1.5', '1.50', '-0.001' ],
	date => [ 'infinity', '-infinity', '2015-01-01', '2020-02-29' ],
	ts => [ 'infinity', '-infinity', '2015-01-01 00:00:00', '2020-02-29 12:00:00.5' ],
	tstz => [ 'infinity', '-infinity', '2016-01-01 00:00:00+00', '2025-06-01 12:00:00+02' ],
	bool => [ 't', 'f' ],
	text => [ '', 'a', 'zzz', 'Ä', 'same', 'alpha', 'k000100' ],
	interval => [ '0', '1 day', '24:00:00', '-1 mon', '1 mon -30 days', '100000 seconds' ],
);
my %TYPE_BOUNDS = (
	int2 => [ '-32768', '32767' ],
	int4 => [ '-2147483648', '2147483647' ],
	int8 => [ '-9223372036854775808', '9223372036854775807' ],
);

# stable expressions of each family, evaluated once per query.  Heap and
# columnar runs happen a minute apart, so the clock is read only to the
# year: otherwise a row stamped between the two runs' now() would count as
# a mismatch.
my %STABLE = (
	int => [ q{extract(year from now())::int - 2020}, q{length(current_user)} ],
	numeric => [ q{extract(year from current_date) / 4} ],
	date => [
		q{date_trunc('year', current_date)::date}, q{date_trunc('year', current_date)::date - 3650},
		q{(date_trunc('year', now()) - interval '9 years')::date}
	],
	ts => [
		q{date_trunc('year', localtimestamp)}, q{date_trunc('year', localtimestamp) - interval '8 years'},
		q{date_trunc('year', now())::timestamp}
	],
	tstz => [
		q{date_trunc('year', now())}, q{date_trunc('year', now()) - interval '5 years'},
		q{date_trunc('year', current_timestamp) + interval '1 year'}
	],
	text => [ q{current_setting('TimeZone')}, q{lower(current_setting('TimeZone'))} ],
);

sub int_fits
{
	my ($v, $type) = @_;
	return 0 unless $v =~ /^-?\d+$/;
	my $b = $TYPE_BOUNDS{$type};
	my $x = Math::BigInt->new($v);
	return $x >= Math::BigInt->new($b->[0]) && $x <= Math::BigInt->new($b->[1]);
}

# Return a value for column c: { text, null } drawn from its statistics
# (sampled values, row-group bounds, min, max, just outside them), its
# family's special values, type bounds or NULL.
sub value
{
	my ($self, $rng, $c) = @_;
	my $f = $c->{family};
	my %w = (sample => 32, edge => 12, min => 7, max => 7, lo_out => 5, hi_out => 5,
		special => 12, null => 4, bound => ($f eq 'int' ? 4 : 0), random => 8);
	for (1 .. 20)
	{
		my $k = $rng->weighted(%w);
		return { null => 1 } if $k eq 'null';
		my $t;
		if ($k eq 'sample') { $t = $rng->pick(@{ $c->{samples} }) if @{ $c->{samples} }; }
		elsif ($k eq 'edge') { $t = $rng->pick(@{ $c->{edges} }) if @{ $c->{edges} }; }
		elsif ($k eq 'special') { $t = $rng->pick(@{ $SPECIALS{$f} }); }
		elsif ($k eq 'bound') { $t = $rng->pick(@{ $TYPE_BOUNDS{ $c->{ptype} } }); }
		elsif ($k eq 'random')
		{
			$t = $f eq 'int' ? $rng->irand(-2000, 2000)
			  : $f eq 'text' ? word($rng, 0, 6)
			  : $f eq 'float' ? sprintf('%.6g', ($rng->float - 0.5) * 1000)
			  : $f eq 'numeric' ? sprintf('%.3f', ($rng->float - 0.5) * 1000)
			  : $f eq 'bool' ? $rng->pick('t', 'f')
			  : $f eq 'date' ? days_to_date($rng->irand(0, 25000))
			  : $f eq 'interval' ? $rng->irand(-300, 300) . ' days ' . $rng->irand(-99999, 99999) . ' seconds'
			  : secs_to_ts($rng->irand(0, 2000000000)) . ($f eq 'tstz' ? '+00' : '');
		}
		else { $t = $c->{$k}; }
		next unless defined $t;
		# a value that does not fit the column's integer type would make the
		# literal another type: only as a literal, never typed as the column
		return { text => $t, wide => ($f eq 'int' && !int_fits($t, $c->{ptype})) };
	}
	return { null => 1 };
}

# Return the types a value of column c may be given besides the column's
# own (cross-type comparisons).
sub cross_types
{
	my ($c, $v) = @_;
	my $f = $c->{family};
	my $t = $v->{text};
	return () if $v->{null};
	if ($f eq 'int')
	{
		return grep { int_fits($t, $_) } qw(int2 int4 int8), 'numeric'
		  if $t =~ /^-?\d+$/;
		return ('numeric');
	}
	return ('float8') if $c->{ptype} eq 'float4';
	if ($c->{ptype} eq 'float8')
	{
		# only values float4 can hold without an out-of-range error
		return ('float4', 'numeric') if $t =~ /^-?(?:\d{1,6}(?:\.\d{1,5})?|0\.1|1\.5)$/;
		return ('float4') if $t =~ /^-?(?:NaN|Infinity|0)$/;
		return ();
	}
	if ($f eq 'numeric')
	{
		my @t = ('float8');
		push @t, 'int4', 'int8' if $t =~ /^-?\d{1,9}$/;
		return $t =~ /^-?\d+(\.\d+)?$|^(NaN|-?Infinity)$/ ? @t : ();
	}
	if ($f eq 'date') { return ('timestamp', 'timestamptz'); }
	if ($f eq 'ts') { return ('date', 'timestamptz'); }
	if ($f eq 'tstz') { return ('timestamp', 'date'); }
	if ($f eq 'text') { return $c->{ptype} eq 'text' ? ('varchar') : ('text'); }
	return ();
}

# The text of value v for type: a date part of a timestamp for date, a
# time added to a date for the timestamps.
sub convert_text
{
	my ($c, $v, $type) = @_;
	my $t = $v->{text};
	return $t if $t =~ /infinity/ || $type eq $c->{ptype};
	if ($type eq 'date' && $c->{family} =~ /^ts/)
	{
		$t =~ s/^(\S+).*?( BC)?$/$1 . ($2 \/\/ '')/e;
		return $t;
	}
	if ($c->{family} eq 'date' && $type =~ /^timestamp/)
	{
		my $bc = $t =~ s/ BC$// ? ' BC' : '';
		return $t . ' 12:34:56.5' . ($type eq 'timestamptz' ? '+02' : '') . $bc;
	}
	return $t;
}

# Return [sql, type] for a literal of value v compared with column c:
# typed as the column, untyped, or of another type.
sub literal
{
	my ($self, $rng, $c, $v, %opts) = @_;
	my $own = $c->{ptype};
	if ($v->{null})
	{
		return [ 'NULL', $own ] if !$opts{typed} && $rng->chance(0.3);
		return [ "NULL::$own", $own ];
	}
	my $k = $rng->float;
	my @cross = cross_types($c, $v);
	if ($v->{wide} || (@cross && $k < 0.2))
	{
		my $type = $v->{wide} ? 'numeric' : $rng->pick(@cross);
		my $t = convert_text($c, $v, $type);
		return [ $t, $type ] if $c->{family} eq 'int' && $t =~ /^-?\d+$/ && $rng->chance(0.5);
		return [ quote($t) . "::$type", $type ];
	}
	if ($c->{family} eq 'int' && $k < 0.6)
	{
		# a plain number: int4, int8 or numeric as its size says
		return [ $v->{text}, $own ];
	}
	return [ quote($v->{text}), $own ] if $k < 0.45 && !$opts{typed};
	return [ quote($v->{text}) . "::$own", $own ];
}

# --- predicates -------------------------------------------------------------
#
# A predicate context holds the PRNG, the corpus and, when building a
# prepared statement, its parameters: constants become $n (a type and a
# generator of further values for each EXECUTE).

sub context
{
	my ($self, $rng, %opts) = @_;
	return { rng => $rng, corpus => $self, params => ($opts{params} ? [] : undef) };
}

# Return a constant for column c: a literal, or a parameter in a prepared
# statement's context.
sub constant
{
	my ($ctx, $c, %opts) = @_;
	my ($rng, $self) = @$ctx{qw(rng corpus)};
	my $lit = $self->literal($rng, $c, $self->value($rng, $c), %opts);
	return $lit->[0] unless $ctx->{params} && $rng->chance(0.7);
	my $type = $lit->[1];
	my $gen = sub {
		# another value that fits the parameter's type
		for (1 .. 10)
		{
			my $v = $self->value($rng, $c);
			return 'NULL' if $v->{null};
			next if $v->{wide} && $type ne 'numeric';
			next unless $type eq $c->{ptype} || grep { $_ eq $type } cross_types($c, $v);
			return quote(convert_text($c, $v, $type));
		}
		return 'NULL';
	};
	push @{ $ctx->{params} }, { type => $type, first => $lit->[0], gen => $gen };
	return '$' . scalar @{ $ctx->{params} };
}

# Return an array constant of k elements for column c (sometimes a NULL
# array, '{}' when no element fits).
sub array_constant
{
	my ($ctx, $c, $k) = @_;
	my ($rng, $self) = @$ctx{qw(rng corpus)};
	my $type = $c->{ptype};
	if ($c->{family} eq 'int' && $rng->chance(0.3))
	{
		# a cross-type array: int column = ANY (int8[])
		$type = 'int8';
	}
	my $mk = sub {
		return "NULL::${type}[]" if $rng->chance(0.04);
		my @e;
		for (1 .. $k)
		{
			my $v = $self->value($rng, $c);
			if ($v->{null}) { push @e, 'NULL'; next; }
			next if $v->{wide} || ($type eq 'int8' && !int_fits($v->{text}, 'int8'));
			push @e, quote($v->{text});
		}
		return "'{}'::${type}[]" unless @e;
		return 'ARRAY[' . join(', ', @e) . "]::${type}[]";
	};
	return $mk->() unless $ctx->{params} && $rng->chance(0.6);
	push @{ $ctx->{params} }, { type => "${type}[]", first => $mk->(), gen => $mk };
	return '$' . scalar @{ $ctx->{params} };
}

# A list of k constants for IN (...).
sub in_list
{
	my ($ctx, $c, $k) = @_;
	return join(', ', map { constant($ctx, $c, typed => 1) } 1 .. $k);
}

# Expressions on a column: [sql, family of the result, column whose values
# fit the result (undef: the family's specials and small numbers)].
sub column_exprs
{
	my ($c) = @_;
	my $n = $c->{name};
	my $f = $c->{family};
	if ($f eq 'int')
	{
		return ([ "(${n}::numeric + 1)", 'numeric' ], [ "($n % 7)", 'int' ])
		  if $c->{extreme};
		return ([ "($n + 1)", 'int', $c ], [ "($n * 2)", 'int' ], [ "(-$n)", 'int' ],
			[ "abs($n)", 'int' ], [ "($n % 7)", 'int' ], [ "(${n}::int8 + 1)", 'int', $c ]);
	}
	if ($f eq 'float')
	{
		return ([ "($n + 1)", 'float', $c ], [ "(-$n)", 'float' ], [ "abs($n)", 'float' ],
			[ "floor($n)", 'float' ], [ "${n}::float8", 'float', $c ]);
	}
	if ($f eq 'numeric')
	{
		return ([ "($n + 1)", 'numeric', $c ], [ "($n * 2)", 'numeric' ],
			[ "round($n)", 'numeric' ], [ "abs($n)", 'numeric' ], [ "(-$n)", 'numeric' ],
			[ "trunc($n, 1)", 'numeric', $c ]);
	}
	if ($f eq 'date')
	{
		return ([ "($n + 1)", 'date', $c ], [ "extract(dow from $n)", 'numeric' ],
			[ "${n}::timestamp", 'ts' ]);
	}
	if ($f eq 'ts' || $f eq 'tstz')
	{
		return ([ "($n + interval '1 day')", $f, $c ], [ "date_trunc('day', $n)", $f, $c ],
			[ "${n}::date", 'date' ], [ "extract(hour from $n)", 'numeric' ]);
	}
	if ($f eq 'bool')
	{
		return ([ "(NOT $n)", 'bool' ], [ "coalesce($n, false)", 'bool' ]);
	}
	if ($f eq 'interval')
	{
		return ([ "($n + interval '1 day')", 'interval', $c ], [ "justify_hours($n)", 'interval', $c ],
			[ "extract(epoch from $n)", 'numeric' ]);
	}
	return ([ "lower($n)", 'text', $c ], [ "upper($n)", 'text', $c ],
		[ "length($n)", 'int' ], [ "($n || 'x')", 'text', $c ], [ "left($n, 2)", 'text', $c ],
		[ "substr($n, 2, 3)", 'text' ], [ "md5($n)", 'text' ], [ "${n}::text", 'text', $c ]);
}

# The other columns column c can be compared with: [sql of the other side,
# extra COLLATE clause].
sub comparable
{
	my ($self, $c) = @_;
	my %fam = (
		int => [qw(int numeric float)], float => [qw(float int)], numeric => [qw(numeric int)],
		date => [qw(date ts tstz)], ts => [qw(ts date tstz)], tstz => [qw(tstz ts date)],
		bool => ['bool'], text => ['text'], interval => ['interval']);
	my %ok = map { $_ => 1 } @{ $fam{ $c->{family} } };
	return grep { $ok{ $_->{family} } && $_->{name} ne $c->{name} } $self->columns;
}

my @CMP = ('=', '<>', '<', '<=', '>', '>=');

# Return a random atom on column c.
sub atom
{
	my ($ctx, $c) = @_;
	my ($rng, $self) = @$ctx{qw(rng corpus)};
	my $n = $c->{name};
	my $f = $c->{family};
	my $text = $f eq 'text';
	my %w = (
		cmp => 24, between => 7, in => 9, null => 6, distinct => 5,
		expr => 8, colcol => 6, stable => ($STABLE{$f} ? 4 : 0),
		like => ($text ? 9 : 0), collate => ($text ? 6 : 0), bool => ($f eq 'bool' ? 10 : 0),
		special => ($f =~ /^(float|numeric|int)$/ ? 5 : 0));
	my $k = $rng->weighted(%w);
	my $op = $rng->pick(@CMP);

	if ($k eq 'cmp')
	{
		my $lit = constant($ctx, $c);
		return $rng->chance(0.25) ? "$lit $op $n" : "$n $op $lit";
	}
	if ($k eq 'special')
	{
		# constants at the edges: NaN, -0, infinities, the type's bounds
		my @v = $f eq 'int' ? @{ $TYPE_BOUNDS{ $c->{ptype} } } : @{ $SPECIALS{$f} };
		my $t = $rng->pick(@v);
		my $type = $f eq 'float' && $rng->chance(0.4) ? $rng->pick('float4', 'float8') : $c->{ptype};
		return "$n $op " . quote($t) . "::$type";
	}
	if ($k eq 'between')
	{
		my ($a, $b) = (constant($ctx, $c, typed => 1), constant($ctx, $c, typed => 1));
		my $not = $rng->chance(0.3) ? 'NOT ' : '';
		my $sym = $rng->chance(0.2) ? 'SYMMETRIC ' : '';
		return "$n ${not}BETWEEN $sym$a AND $b";
	}
	if ($k eq 'in')
	{
		my $m = $rng->pick(1, 2, 3, 5, 8);
		my $form = $rng->pick('in', 'notin', 'any', 'all', 'empty');
		return "$n IN (" . in_list($ctx, $c, $m) . ')' if $form eq 'in';
		return "$n NOT IN (" . in_list($ctx, $c, $m) . ')' if $form eq 'notin';
		return "$n = ANY(" . array_constant($ctx, $c, $m) . ')' if $form eq 'any';
		return "$n <> ALL(" . array_constant($ctx, $c, $m) . ')' if $form eq 'all';
		# IN () is not SQL; empty arrays are
		return "$n " . $rng->pick('= ANY', '<> ALL', '< ANY', '>= ALL') . "('{}'::$c->{ptype}\[])";
	}
	if ($k eq 'null')
	{
		return "$n IS " . $rng->pick('NULL', 'NOT NULL');
	}
	if ($k eq 'distinct')
	{
		my $other = $rng->chance(0.2) ? $rng->pick($self->comparable($c)) : undef;
		my $rhs = $other ? collate_pair($self, $c, $other) : constant($ctx, $c, typed => 1);
		return "$n IS " . $rng->pick('', 'NOT ') . "DISTINCT FROM $rhs";
	}
	if ($k eq 'expr')
	{
		my $e = $rng->pick(column_exprs($c));
		my ($sql, $rf, $src) = @$e;
		if ($rf eq 'bool')
		{
			return $rng->chance(0.5) ? $sql : "$sql = " . $rng->pick('true', 'false');
		}
		my $lit = $src ? constant($ctx, $src) : small_constant($rng, $rf);
		return "$sql $op $lit";
	}
	if ($k eq 'colcol')
	{
		my $other = $rng->pick($self->comparable($c)) // return "$n IS NULL";
		return "$n $op " . collate_pair($self, $c, $other);
	}
	if ($k eq 'stable')
	{
		return "$n $op " . $rng->pick(@{ $STABLE{$f} });
	}
	if ($k eq 'bool')
	{
		return $rng->pick($n, "NOT $n", "$n IS TRUE", "$n IS NOT TRUE", "$n IS FALSE",
			"$n IS NOT FALSE", "$n IS UNKNOWN", "$n IS NOT UNKNOWN", "$n = true", "$n <> false",
			"$n = " . constant($ctx, $c));
	}
	if ($k eq 'like')
	{
		return like_atom($ctx, $c);
	}
	if ($k eq 'collate')
	{
		my $v = $self->value($rng, $c);
		my $lit = $v->{null} ? 'NULL::text' : quote($v->{text});
		my @coll = ('"C"', '"POSIX"');
		push @coll, qq{"$self->{collation}"} if defined $self->{collation};
		my $coll = $rng->pick(@coll);
		return $rng->chance(0.5) ? "$n $op $lit COLLATE $coll" : "$n COLLATE $coll $op $lit";
	}
	die "unknown atom kind $k";
}

# The other side of a column-vs-column comparison, with COLLATE "C" when
# the two columns' collations differ (else PostgreSQL cannot choose one).
sub collate_pair
{
	my ($self, $c, $other) = @_;
	my $differ = ($c->{collation} // '') ne ($other->{collation} // '');
	return $other->{name} . ($c->{family} eq 'text' && $differ ? ' COLLATE "C"' : '');
}

# A constant for an expression's result when no column's values fit it.
sub small_constant
{
	my ($rng, $family) = @_;
	return $rng->pick(0, 1, 2, 3, 5, 6, 10, 20, -1, 100) if $family eq 'int';
	return $rng->pick('0', '1.5', '2', '-1', '3', '100.25', "'NaN'::numeric") if $family eq 'numeric';
	return $rng->pick("'NaN'::float8", '0', '1.5', "'-0'::float8", '1e6') if $family eq 'float';
	return quote($rng->pick('a', '', 'ab', '0', 'k')) if $family eq 'text';
	return quote($rng->pick(@{ $SPECIALS{$family} })) . "::" . {
		date => 'date', ts => 'timestamp', tstz => 'timestamptz' }->{$family}
	  if $SPECIALS{$family};
	return 'NULL';
}

# LIKE, NOT LIKE, ILIKE on a text column, mostly with prefixes of its values.
sub like_atom
{
	my ($ctx, $c) = @_;
	my ($rng, $self) = @$ctx{qw(rng corpus)};
	my $n = $c->{name};
	my @s = grep { length($_) <= 200 } @{ $c->{samples} };
	my $base = @s ? $rng->pick(@s) : word($rng, 1, 4);
	my $pre = substr($base, 0, $rng->irand(0, 3));
	$pre =~ s/([%_\\])/\\$1/g;
	my $pat = $rng->weighted(prefix => 6, infix => 2, underscore => 1, exact => 1, empty => 1);
	my $p = $pat eq 'prefix' ? "$pre%"
	  : $pat eq 'infix' ? "%$pre%"
	  : $pat eq 'underscore' ? "_$pre%"
	  : $pat eq 'exact' ? $pre : '';
	my $op = $rng->weighted(LIKE => 5, 'NOT LIKE' => 2, ILIKE => 2, 'NOT ILIKE' => 1);
	$p = uc($p) if $op =~ /ILIKE/ && $rng->chance(0.5);
	my $lhs = $rng->chance(0.15) ? "$n COLLATE \"C\"" : $n;
	my $lit = quote($p);
	return "$lhs $op $lit" unless $ctx->{params} && $rng->chance(0.5);
	push @{ $ctx->{params} }, { type => 'text', first => $lit, gen => sub { $lit } };
	return "$lhs $op \$" . scalar @{ $ctx->{params} };
}

# Return a random predicate: atoms on random columns nested with AND, OR
# and NOT to at most depth levels.
sub predicate
{
	my ($ctx, $depth) = @_;
	my ($rng, $self) = @$ctx{qw(rng corpus)};
	if ($depth <= 0 || $rng->chance(0.45))
	{
		return atom($ctx, $rng->pick($self->columns));
	}
	my $k = $rng->weighted(AND => 45, OR => 38, NOT => 17);
	return 'NOT (' . predicate($ctx, $depth - 1) . ')' if $k eq 'NOT';
	my @parts = map { predicate($ctx, $depth - 1) } 1 .. $rng->pick(2, 2, 3);
	return '(' . join(" $k ", @parts) . ')';
}


# --- blocks -------------------------------------------------------------------
#
# A block is the steps one session runs in order (see ColumnarCorpus::Runner),
# labelled b<n>.<i>; its queries come from a callback, so every corpus
# shares these shapes.

# Return an empty block n and the function that adds a step to it.
sub new_block
{
	my ($n) = @_;
	my $b = { steps => [] };
	my $i = 0;
	return ($b, sub { push @{ $b->{steps} }, { label => "b$n." . $i++, @_ }; });
}

# A block of one query.
sub plain_block
{
	my ($self, $n, $query) = @_;
	my ($b, $step) = new_block($n);
	$step->(kind => 'query', query => $query);
	return $b;
}

# A prepared query with parameters (from make->(ctx), a query on {T} whose
# constants may be parameters), run two or three times with other values
# under a plan_cache_mode; {generic} says whether plans are generic.
sub prepared_block
{
	my ($self, $rng, $n, $make) = @_;
	my ($b, $step) = new_block($n);
	my $ctx = $self->context($rng, params => 1);
	my $q = $make->($ctx);
	if (!@{ $ctx->{params} })
	{
		my $rows = $self->{rows};
		$q =~ s/ FROM \{T\}( WHERE |)/ FROM {T} WHERE id >= \$1@{[ $1 ? ' AND ' : '' ]}/;
		push @{ $ctx->{params} }, { type => 'int4', first => '0', gen => sub { $rng->irand(0, $rows) } };
	}
	my $mode = $rng->pick('force_generic_plan', 'force_generic_plan', 'force_custom_plan', 'auto');
	$b->{generic} = $mode eq 'force_generic_plan';
	$step->(kind => 'setup', sql => "SET plan_cache_mode = $mode");
	$step->(kind => 'setup',
		prepare => { name => "p$n", types => [ map { $_->{type} } @{ $ctx->{params} } ], query => $q });
	for my $i (1 .. $rng->pick(2, 3))
	{
		my @args = map { $i == 1 ? $_->{first} : $_->{gen}->() } @{ $ctx->{params} };
		$step->(kind => 'query', sql => "EXECUTE p$n(" . join(', ', @args) . ')');
	}
	$step->(kind => 'setup', sql => "DEALLOCATE p$n");
	$step->(kind => 'setup', sql => 'RESET plan_cache_mode');
	return $b;
}

# Return an INSERT into {T} of k rows of ct_x from its first + offset.
sub insert_extra
{
	my ($self, $offset, $k) = @_;
	my $first = $self->{rows} + 1 + $offset;
	return "INSERT INTO {T} SELECT * FROM ct_x WHERE id BETWEEN $first AND " . ($first + $k - 1);
}

# A transaction that inserts rows (fewer than, about and more than a row
# group: some flushed as an uncommitted row group, the rest still
# buffered) and runs three to five queries from make->(ctx) on them.
sub transaction_block
{
	my ($self, $rng, $n, $make) = @_;
	my ($b, $step) = new_block($n);
	my $k = $rng->weighted(few => 2, some => 1, many => 1);
	$k = $k eq 'few' ? $rng->irand(1, 50) : $k eq 'some' ? $rng->irand(200, 900) : $rng->irand(1000, 1500);
	my $off = $rng->irand(0, $self->{extra_rows} - $k - 60);
	$step->(kind => 'setup', sql => 'BEGIN');
	$step->(kind => 'setup', sql => $self->insert_extra($off, $k));
	$step->(kind => 'setup', sql => $self->insert_extra($off + $k + $rng->irand(0, 9), $rng->irand(1, 40)))
	  if $rng->chance(0.4);
	$step->(kind => 'query', query => $make->($self->context($rng))) for 1 .. $rng->irand(3, 5);
	$step->(kind => 'setup', sql => 'ROLLBACK');
	return $b;
}

# A scroll cursor over select (a query on {T}), perhaps with rows inserted
# just before, read forwards, backwards and forwards again: each FETCH ALL
# returns every row, compared in whatever order.
sub cursor_block
{
	my ($self, $rng, $n, $select) = @_;
	my ($b, $step) = new_block($n);
	$step->(kind => 'setup', sql => 'BEGIN');
	$step->(kind => 'setup', sql => $self->insert_extra(0, $rng->irand(1, 30))) if $rng->chance(0.5);
	$step->(kind => 'setup', sql => "DECLARE c SCROLL CURSOR FOR $select");
	$step->(kind => 'query', sorted => 1, sql => "FETCH $_ FROM c") for 'ALL', 'BACKWARD ALL', 'FORWARD ALL';
	$step->(kind => 'setup', sql => 'ROLLBACK');
	return $b;
}

1;
