# ColumnarCorpus/Runner.pm — run a corpus on heap and columnar tables and compare
#
# A corpus is a list of blocks; a block is a list of steps run in order in
# one session:
#
#   { label => 'b7.1', kind => 'query', query => 'SELECT ... FROM {T} ...' }
#       a query, compared as a multiset of rows in their text form;
#   { label => 'b7.2', kind => 'query', sql => 'EXECUTE p7(1, 2)' }
#       a statement whose output is compared as it is (EXECUTE of a
#       prepared query, EXPLAIN), or with sorted => 1 as a multiset of
#       lines (FETCH);
#   { label => 'b7.1', kind => 'query', query => 'SELECT ...', ncols => 3 }
#       (also prepare => { ..., ncols => 3 } and the EXECUTE steps of it) a
#       query whose rows come back themselves, one line each ("r", then
#       its ncols columns' text separated by the byte 0x1f, NULL as \N),
#       for a comparison of the caller's (compare's equal option): with a
#       tolerance for floats, say;
#   { label => 'b7.1', kind => 'info', sql => 'EXPLAIN ...' }
#       a statement whose output is only looked at (not compared), and
#       left out of runs with skip_info;
#   { label => 'b7.0', kind => 'setup', sql => 'BEGIN' }
#   { label => 'b7.0', kind => 'setup', prepare => { name => 'p7',
#       types => ['int4'], query => 'SELECT ... WHERE a < $1' } }
#       statements whose outcome (success or SQLSTATE) is compared.
#
# {T} in a step is the table the block runs on.  A run is one psql session
# per table and variant (a list of SET statements ahead of the blocks):
# each query is wrapped so the server returns only its row count and a
# hash of the multiset of its rows' text, "n|h"; after each step psql
# echoes the step's label and SQLSTATE, so results, errors and a lost
# connection are matched to steps.  Scripts and their output are files
# (kept when asked, to rerun one by hand with psql -f).  When the
# connection is lost (a crash), the run goes on once the server is back:
# with the same block once more, since any session's crash restarts the
# server, then with the next.  A mismatch is explained by running its
# block again with the query's rows returned (md5 and a shortened text of
# each row) on both sides, and diffing them as multisets.

package ColumnarCorpus::Runner;

use strict;
use warnings;

use POSIX qw(WNOHANG);
use Time::HiRes qw(time);

# Make a runner: node, db, dir (where scripts and their output go), keep
# (leave them there), jobs (psql sessions run at once), timeout (per run,
# seconds).
sub new
{
	my ($class, %args) = @_;
	return bless { jobs => 2, timeout => 900, keep => 0, %args }, $class;
}

# Return query q wrapped to return "n|h": its row count and the sum of
# 64-bit hashes of its rows' text, a hash of the multiset of rows that
# needs no sort.
sub hash_wrap
{
	my ($q) = @_;
	return "SELECT count(*), coalesce(sum(hashtextextended(x, 0)::numeric), 0)"
	  . " FROM (SELECT r::text AS x FROM ($q) r) s";
}

# Return query q wrapped to return one "md5|shortened text" line per row.
sub detail_wrap
{
	my ($q) = @_;
	return "SELECT md5(x) || '|' || translate(left(x, 160), E'\\n\\r\\t', '   ')"
	  . " || CASE WHEN length(x) > 160 THEN '... (' || length(x) || ' characters)' ELSE '' END"
	  . " FROM (SELECT r::text AS x FROM ($q) r) s";
}

# Return query q of ncols columns wrapped to return one line per row: "r",
# then the columns' text separated by 0x1f, NULL as \N, line breaks as \n.
sub rows_wrap
{
	my ($q, $ncols) = @_;
	my @c = map { "c$_" } 0 .. $ncols - 1;
	my $col = q{coalesce(replace(replace(%s::text, '\\', '\\\\'), chr(10), '\\n'), '\\N')};
	return "SELECT 'r' || concat_ws(chr(31), " . join(', ', map { sprintf($col, $_) } @c)
	  . ") FROM ($q) s(" . join(', ', @c) . ')';
}

# Return the SQL of step s on table, its query wrapped by wrap (or by
# rows_wrap when the step says how many columns it has).
sub render_step
{
	my ($s, $table, $wrap) = @_;
	my $sql;
	if ($s->{prepare})
	{
		my $p = $s->{prepare};
		$sql = "PREPARE $p->{name}"
		  . (@{ $p->{types} } ? '(' . join(', ', @{ $p->{types} }) . ')' : '')
		  . ' AS ' . ($p->{ncols} && $wrap != \&identity ? rows_wrap($p->{query}, $p->{ncols}) : $wrap->($p->{query}));
	}
	elsif (defined $s->{query})
	{
		$sql = $s->{ncols} && $wrap != \&identity ? rows_wrap($s->{query}, $s->{ncols}) : $wrap->($s->{query});
	}
	else
	{
		$sql = $s->{sql};
	}
	$sql =~ s/\{T\}/$table/g;
	return $sql;
}

sub identity { return $_[0]; }

# Return a step as a user would type it (for reports).
sub step_text
{
	my ($s, $table) = @_;
	return render_step($s, $table, \&identity);
}

# Write the script of blocks (from index first) on table after the header
# statements; returns the script and the label of each of its lines.
sub script
{
	my ($header, $blocks, $first, $table, %opts) = @_;
	my $wrap = $opts{detail} ? \&detail_wrap : \&hash_wrap;
	my @lines = (undef);	# psql numbers lines from 1
	my $out = '';
	my $add = sub {
		my ($label, $sql) = @_;
		$sql .= ';' unless $sql =~ /;\s*$/;
		my $text = "$sql\n\\echo \@\@$label :SQLSTATE\n";
		$out .= $text;
		push @lines, ($label) x ($text =~ tr/\n//);
	};
	my $i = 0;
	$add->('h' . $i++, $_) for @$header;
	for my $bi ($first .. $#$blocks)
	{
		for my $s (@{ $blocks->[$bi]{steps} })
		{
			next if $opts{only} && $s->{kind} eq 'query' && $s->{label} ne $opts{only};
			next if $opts{skip_info} && $s->{kind} eq 'info';
			$add->($s->{label}, render_step($s, $table, $wrap));
		}
	}
	return ($out, \@lines);
}

# Start psql on a script (written to a file in dir, named name); returns
# the job.
sub start_psql
{
	my ($self, $script, $lines, $name) = @_;
	(my $base = "$self->{dir}/$name") =~ s/[^\w.\/-]+/_/g;
	my $job = { lines => $lines, file => "$base.sql", out => "$base.out", err => "$base.err",
		deadline => time + $self->{timeout} };
	open(my $fh, '>:encoding(UTF-8)', $job->{file}) or die "could not write $job->{file}: $!";
	print $fh $script;
	close($fh);
	my @cmd = ('psql', '-XAtq', '-v', 'ON_ERROR_STOP=0', '-d',
		$self->{node}->connstr($self->{db}), '-f', $job->{file});
	my $pid = fork() // die "could not fork: $!";
	if ($pid == 0)
	{
		# never return into the test (its END blocks would stop the node)
		open(STDIN, '<', '/dev/null')
		  && open(STDOUT, '>', $job->{out})
		  && open(STDERR, '>', $job->{err})
		  && exec(@cmd);
		POSIX::_exit(127);
	}
	$job->{pid} = $pid;
	return $job;
}

# Return whether job has ended (after waiting for it when wait is true);
# kills it when its time is up.
sub job_done
{
	my ($self, $job, $wait) = @_;
	return 1 if defined $job->{rc};
	while (1)
	{
		my $r = waitpid($job->{pid}, WNOHANG);
		if ($r == $job->{pid})
		{
			$job->{rc} = $? >> 8;
			return 1;
		}
		if (time > $job->{deadline})
		{
			kill('KILL', $job->{pid});
			waitpid($job->{pid}, 0);
			$job->{rc} = -1;
			$job->{timed_out} = 1;
			return 1;
		}
		return 0 unless $wait;
		select(undef, undef, undef, 0.02);
	}
}

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<:encoding(UTF-8)', $path) or return '';
	local $/;
	my $s = <$fh>;
	close($fh);
	return $s // '';
}

# Wait for a psql job; returns { label => { state, out, error } } and the
# psql exit code.
sub finish_psql
{
	my ($self, $job) = @_;
	$self->job_done($job, 1);
	my %res;
	my @buf;
	for my $l (split /\n/, slurp($job->{out}))
	{
		if ($l =~ /^\@\@(\S+) (\S+)$/)
		{
			$res{$1} = { state => $2, out => join("\n", @buf) };
			@buf = ();
		}
		else
		{
			push @buf, $l;
		}
	}
	my @err = split /\n/, slurp($job->{err});
	push @err, "psql timed out after $self->{timeout} s" if $job->{timed_out};
	for my $l (@err)
	{
		next unless $l =~ /^psql:.*?:(\d+): (?:ERROR|FATAL|PANIC):\s+(.*)/
		  || $l =~ /^psql:.*?:(\d+): (.*server closed.*|.*connection.*lost.*)/;
		my $label = $job->{lines}[$1] // next;
		$res{$label}{error} //= $2 if $res{$label};
		$job->{lost} //= [ $label, $2 ] unless $res{$label};
	}
	$job->{tail} = join("\n", @err > 3 ? @err[ -3 .. -1 ] : @err);
	unlink($job->{out}, $job->{err}, $job->{file}) unless $self->{keep};
	return (\%res, $job->{rc});
}

# Wait until the server accepts connections again (after a crash); returns
# false when it does not within a minute.
sub wait_for_server
{
	my ($self) = @_;
	for (1 .. 60)
	{
		return 1 if $self->{node}->psql($self->{db}, 'SELECT 1') == 0;
		sleep 1;
	}
	return 0;
}

# Carry out runs { name, table, header, blocks }: each runs its blocks on
# its table after its header statements, in one psql session (more after a
# crash); at most jobs of them at a time, never two on the same table.
# Stores each run's { label => result } in {results}, its lost
# connections in {crashes} and its time in {seconds}; returns the runs.
sub run_all
{
	my ($self, @runs) = @_;
	my @queue = @runs;
	my %busy;
	my @active;
	for (@runs)
	{
		@$_{qw(results first restarts crashes retried)} = ({}, 0, 0, [], {});
	}
	while (@queue || @active)
	{
		while (@active < $self->{jobs})
		{
			my ($i) = grep { !$busy{ $queue[$_]{table} } } 0 .. $#queue;
			last unless defined $i;
			my $run = splice(@queue, $i, 1);
			my ($script, $lines) = script($run->{header}, $run->{blocks}, $run->{first},
				$run->{table}, skip_info => $run->{skip_info});
			$run->{job} = $self->start_psql($script, $lines, "$run->{name}.$run->{first}");
			$run->{started} //= time;
			$busy{ $run->{table} } = 1;
			push @active, $run;
		}
		# wait for any of them to end
		my $done;
		while (!defined $done)
		{
			($done) = grep { $self->job_done($active[$_]{job}, 0) } 0 .. $#active;
			select(undef, undef, undef, 0.02) unless defined $done;
		}
		my $run = splice(@active, $done, 1);
		my ($res, $rc) = $self->finish_psql($run->{job});
		%{ $run->{results} } = (%{ $run->{results} }, %$res);
		delete $busy{ $run->{table} };
		my $next = $self->resume_point($run, $res);
		if (defined $next && $next <= $#{ $run->{blocks} } && $run->{restarts}++ < 20
			&& !$self->{server_gone})
		{
			# the rest of the run, once the server is back; when it does not
			# come back, every later step is lost
			if ($self->wait_for_server)
			{
				$run->{first} = $next;
				unshift @queue, $run;
				next;
			}
			$self->{server_gone} = 1;
		}
		$run->{seconds} = time - $run->{started};
		delete $run->{job};
	}
	return @runs;
}

# After a run ended early, return the index of the block to go on with
# (undef when every block ran): the block it was in, once more, since the
# server may have restarted for another session's crash; after a second
# loss, the next one, the first block's missing steps recorded as lost.
sub resume_point
{
	my ($self, $run, $res) = @_;
	my $blocks = $run->{blocks};
	for my $bi ($run->{first} .. $#$blocks)
	{
		my @steps = grep { !($run->{skip_info} && $_->{kind} eq 'info') } @{ $blocks->[$bi]{steps} };
		next unless grep { !$res->{ $_->{label} } } @steps;
		return $bi unless $run->{retried}{$bi}++;
		my $why = $run->{job}{lost} ? $run->{job}{lost}[1] : $run->{job}{tail};
		for my $s (@steps)
		{
			$run->{results}{ $s->{label} } //= { state => 'LOST', out => '', error => $why };
		}
		my ($lost) = grep { $run->{results}{ $_->{label} }{state} eq 'LOST' } @steps;
		push @{ $run->{crashes} }, { step => $lost, why => $why };
		return $bi + 1;
	}
	return undef;
}

# Return the mismatches of run got against the reference run ref: a step
# whose SQLSTATE differs, or a query whose rows differ.  Option equal:
# sub { (step, ref result, got result, run) } deciding for the queries
# with ncols instead (both results are there, neither LOST).
sub compare
{
	my ($self, $ref, $got, %opts) = @_;
	my @mm;
	for my $b (@{ $got->{blocks} })
	{
		for my $s (@{ $b->{steps} })
		{
			next if $s->{kind} eq 'info';
			my $r = $ref->{results}{ $s->{label} } // { state => 'LOST', out => '' };
			my $g = $got->{results}{ $s->{label} } // { state => 'LOST', out => '' };
			if ($opts{equal} && $s->{kind} eq 'query' && ncols($b, $s)
				&& $r->{state} ne 'LOST' && $g->{state} ne 'LOST')
			{
				next if $opts{equal}->($s, $r, $g, $got);
			}
			elsif ($r->{state} eq $g->{state}
			  && ($s->{kind} ne 'query' || output($s, $r) eq output($s, $g)))
			{
				next;
			}
			push @mm, { block => $b, step => $s, ref => $r, got => $got->{results}{ $s->{label} } // $g };
		}
	}
	return @mm;
}

# Return whether step s returns a wrapped query's "n|h" (a query, or
# EXECUTE of one prepared wrapped).
sub wrapped
{
	my ($s) = @_;
	return !$s->{ncols} && (defined $s->{query} || ($s->{sql} // '') =~ /^EXECUTE /);
}

# Return the number of columns of step s of block b when it returns its
# rows themselves (rows_wrap), or 0: its own, or its prepared query's.
sub ncols
{
	my ($b, $s) = @_;
	return $s->{ncols} if $s->{ncols};
	my ($name) = ($s->{sql} // '') =~ /^EXECUTE (\w+)/ or return 0;
	my ($p) = grep { $_->{prepare} && $_->{prepare}{name} eq $name } @{ $b->{steps} };
	return $p ? $p->{prepare}{ncols} // 0 : 0;
}

# The output of step s in result x, as compared.
sub output
{
	my ($s, $x) = @_;
	return $s->{sorted} ? join("\n", sort split /\n/, $x->{out}) : $x->{out};
}

# Return lines (text => [count, text]) as detail_rows does.
sub count_lines
{
	my %rows;
	for my $l (@_)
	{
		$rows{$l} //= [ 0, short($l, 200) ];
		$rows{$l}[0]++;
	}
	return \%rows;
}

# Return the rows (md5 => [count, text]) step s of block gives on table
# after header, run alone with its block's setup steps.
sub detail_rows
{
	my ($self, $header, $block, $s, $table) = @_;
	my ($script, $lines) = script($header, [$block], 0, $table, detail => 1, only => $s->{label});
	my ($res) = $self->finish_psql($self->start_psql($script, $lines, "detail.$table.$s->{label}"));
	my $r = $res->{ $s->{label} } // return undef;
	return undef unless $r->{state} eq '00000';
	my %rows;
	for my $l (split /\n/, $r->{out})
	{
		my ($md5, $text) = split /\|/, $l, 2;
		$rows{$md5} //= [ 0, $text ];
		$rows{$md5}[0]++;
	}
	return \%rows;
}

# Return the lines reporting mismatch m of a run on table (with header)
# against the reference on ref_table (with ref_header).
sub explain_mismatch
{
	my ($self, $m, $ref_table, $ref_header, $table, $header) = @_;
	my ($block, $s, $r, $g) = @$m{qw(block step ref got)};
	my @out;
	push @out, "step $s->{label}: " . step_text($s, $table);
	# the statements run before it in its block (a transaction's inserts,
	# PREPARE)
	my @before;
	for my $x (@{ $block->{steps} })
	{
		last if $x == $s;
		push @before, $x if $x->{kind} eq 'setup';
	}
	push @out, '  after: ' . join('; ', map { short(step_text($_, $table), 300) } @before)
	  if @before;
	my $side = sub {
		my ($x) = @_;
		return "error $x->{state}: " . ($x->{error} // '?') if $x->{state} ne '00000';
		return 'ok' if $s->{kind} ne 'query';
		return 'ok, ' . scalar(split /\n/, $x->{out}) . ' rows' if ncols($block, $s);
		return 'ok, ' . scalar(split /\n/, $x->{out}) . ' lines' unless wrapped($s);
		return 'ok, ' . (split /\|/, $x->{out})[0] . ' rows';
	};
	push @out, '  heap: ' . $side->($r), '  columnar: ' . $side->($g);
	return @out unless $r->{state} eq '00000' && $g->{state} eq '00000';
	my ($hr, $gr);
	if ($s->{sorted} || ncols($block, $s))
	{
		($hr, $gr) = map { count_lines(map { s/\x1f/ | /gr } split /\n/, $_->{out}) } $r, $g;
	}
	elsif (wrapped($s))
	{
		$hr = $self->detail_rows($ref_header, $block, $s, $ref_table);
		$gr = $self->detail_rows($header, $block, $s, $table);
	}
	else
	{
		return @out;
	}
	return (@out, '  (the rows could not be fetched again)') unless $hr && $gr;
	for my $d ([ 'only in heap', $hr, $gr ], [ 'only in columnar', $gr, $hr ])
	{
		my ($what, $x, $y) = @$d;
		my @diff;
		for my $k (sort { $x->{$a}[1] cmp $x->{$b}[1] } keys %$x)
		{
			my $n = $x->{$k}[0] - ($y->{$k} ? $y->{$k}[0] : 0);
			push @diff, ($n > 1 ? "$n x " : '') . $x->{$k}[1] if $n > 0;
		}
		next unless @diff;
		push @out, "  $what (" . scalar(@diff) . " distinct rows):";
		push @out, map { '    ' . $_ } @diff[ 0 .. ($#diff < 4 ? $#diff : 4) ];
	}
	return @out;
}

sub short
{
	my ($s, $n) = @_;
	return length($s) > $n ? substr($s, 0, $n) . '...' : $s;
}

1;
