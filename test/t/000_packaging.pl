# 000_packaging.pl — the package metadata agrees with itself
#
# META.json is valid PGXN meta-spec 1.0.0, its version is the control file's
# default_version, and every install script it implies exists.

use strict;
use warnings;

use JSON::PP;
use Test::More;

my $src = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";

sub slurp
{
	my $f = shift;
	open(my $fh, '<', $f) or die "could not open $f: $!";
	local $/;
	return scalar <$fh>;
}

my $meta = decode_json(slurp("$src/META.json"));
my $control = slurp("$src/biwh.control");
my ($default_version) = $control =~ /^default_version\s*=\s*'([^']+)'/m;

ok(defined $default_version, 'the control file has a default_version');
is($meta->{version}, $default_version, 'META.json version is the default_version');
is($meta->{'meta-spec'}{version}, '1.0.0', 'meta-spec 1.0.0');
for my $key (qw(name abstract version maintainer license provides))
{
	ok(exists $meta->{$key}, "META.json has \"$key\"");
}
like($meta->{version}, qr/^\d+\.\d+\.\d+$/, 'the version is semantic');
is($meta->{provides}{biwh}{version}, $default_version, 'provides.biwh.version matches');
ok(-f "$src/$meta->{provides}{biwh}{file}", 'provides.biwh.file exists');
ok(-f "$src/sql/biwh--$default_version.sql", 'the install script of the default version exists');
like($control, qr/^requires\s*=\s*'dblink'/m, 'dblink is required, nothing else');

done_testing();
