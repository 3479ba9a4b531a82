# 204_wh_security.pl — what each role can and cannot read, over every client
#
# A warehouse logging every statement (log_statement = 'all') loads two
# tenants from a second cluster.  The warehouse admin, the BI reader and a
# tenant reader then log in over TCP with passwords, through psql, psycopg2
# (python3-psycopg2) and JDBC (libpostgresql-jdbc-java: the metadata calls
# BI tools make, then queries), and try every way to read what they must
# not: biwh's tables and functions, other tenants' rows, daily pieces,
# dblink, pg_stat_activity during a load, error texts and NOTICEs, leaky
# functions against row-level security, and both leaks of issue 10 (a
# tenant pointed at a server of the admin's, which records any password it
# is sent; a template type that runs the admin's code).  Each attempt must
# be refused or show nothing secret, each role must still do its job, and
# the server log must never hold the tenants' password.

use strict;
use warnings;

use File::Path qw(make_path);
use IO::Socket::INET;
use IPC::Run;
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";
my $secret = 'Src-Pw-7q!';
my $secret_re = qr/Src-Pw-7q/;

# The tenants' source cluster: TCP, passwords required
my $src = PostgreSQL::Test::Cluster->new('source');
$src->init;
$src->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
# passwords over TCP: initdb's trust lines would come first (and biwh
# refuses a source that does not ask for the password)
open(my $hba_src, '>', $src->data_dir . '/pg_hba.conf') or die $!;
print $hba_src "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba_src);
$src->start;
$src->safe_psql('postgres', "CREATE ROLE reader LOGIN PASSWORD '$secret'");
for my $db ('src_a', 'src_b')
{
	$src->safe_psql('postgres', "CREATE DATABASE $db");
	$src->safe_psql($db, slurp_file("$src_dir/sql/source-foodlogstats.sql"));
	$src->safe_psql($db, 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
}
$src->safe_psql('src_a', "SELECT phood_generate('2025-09-01', 3, 10)");
$src->safe_psql('src_b', "SELECT phood_generate('2025-09-01', 2, 5)");
my $sport = $src->port;

# The warehouse: every statement logged; roles log in with passwords
my $wh = PostgreSQL::Test::Cluster->new('warehouse');
$wh->init;
$wh->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'\nlog_statement = 'all'");
# passwords over TCP: initdb's trust lines would come first (and biwh
# refuses a source that does not ask for the password)
open(my $hba_wh, '>', $wh->data_dir . '/pg_hba.conf') or die $!;
print $hba_wh "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba_wh);
$wh->start;
my $wport = $wh->port;
$wh->safe_psql('postgres', 'CREATE DATABASE warehouse');
$wh->safe_psql('warehouse', q{
CREATE EXTENSION biwh CASCADE;
CREATE ROLE whadmin LOGIN PASSWORD 'adm-pw';
CREATE ROLE phood_ro LOGIN PASSWORD 'ro-pw';
CREATE ROLE tenant_a_ro LOGIN PASSWORD 'ta-pw';
SELECT _wh.grant_admin('whadmin');
SELECT _wh.grant_reader('phood_ro');
SELECT _wh.grant_tenant_reader('tenant_a_ro', 'tenant_a');
});
# the passwords are set by the superuser with statement logging off for
# that statement only (README: "Security")
$wh->safe_psql('warehouse', qq{
SET log_statement = 'none';
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', $sport, 'src_a', 'reader', '$secret'),
       ('tenant_b', '127.0.0.1', $sport, 'src_b', 'reader', '$secret');
});

my %pw = (whadmin => 'adm-pw', phood_ro => 'ro-pw', tenant_a_ro => 'ta-pw');
sub dsn
{
	my ($role) = @_;
	return "host=127.0.0.1 port=$wport dbname=warehouse user=$role password=$pw{$role}";
}

# Run SQL as a role over TCP, stopping at the first error unless go_on;
# returns (exit code, stdout, stderr)
sub as_role
{
	my ($role, $sql, $go_on) = @_;
	my ($out, $err);
	my $rc = $wh->psql('warehouse', $sql, connstr => dsn($role),
		stdout => \$out, stderr => \$err, on_error_stop => !$go_on);
	return ($rc, $out // '', $err // '');
}

# The admin runs the seed's workflow
my ($rc, $out, $err) = as_role('whadmin', qq{
\\set ON_ERROR_STOP 1
\\i $src_dir/sql/template-foodlogstats.sql
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_a', 'tenant_a', '2025-09-01', '2025-09-03');
SELECT _wh.update_mv_window_by_template('foodlogstats', 'tenant_b', 'tenant_b', '2025-09-01', '2025-09-02');
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'tenant_a', 'tenant_a');
SELECT _wh.update_public_view_by_template('foodlogstats');
SELECT schema_name || '=' || count(*) FROM public.foodlogstats GROUP BY schema_name ORDER BY 1;
});
is($rc, 0, 'admin: the workflow runs') or diag($err);
like($out, qr/tenant_a=30\ntenant_b=10/, 'admin: sees every tenant');

# --- psql: what each role may and may not read --------------------------

my @forbidden_all = (
	[ 'secrets table', 'SELECT password FROM _wh.tenant_secrets' ],
	[ 'connection string', q{SELECT _wh.get_tenant_connection_string('tenant_a')} ],
	[ 'dblink', q{SELECT dblink_connect('out', 'host=127.0.0.1 dbname=postgres')} ],
	[ 'dblink query', q{SELECT * FROM dblink('host=127.0.0.1 dbname=postgres', 'SELECT 1') AS t(x int)} ],
	[ 'a daily piece', 'SELECT count(*) FROM tenant_a.foodlogstats_2025_09_01' ],
	[ 'the loader', q{SELECT _wh.load_day('foodlogstats', 'tenant_a', 'tenant_a', '2025-09-01', 'force')} ]);
my @forbidden_readers = (
	[ 'templates', 'SELECT source_sql FROM _wh.mv_templates' ],
	[ 'connections', 'SELECT * FROM _wh.tenant_connections' ],
	[ 'run log', 'SELECT * FROM _wh.run_log' ],
	[ 'a load', q{SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'tenant_a', '2025-09-01')} ],
	[ 'DirectQuery', q{SELECT * FROM _wh.direct_query('tenant_a', 'SELECT 1')} ]);
my @forbidden_tenant = (
	[ 'the other tenant relation', 'SELECT count(*) FROM tenant_b.foodlogstats' ],
	[ 'the other tenant piece', 'SELECT count(*) FROM tenant_b.foodlogstats_2025_09_01' ]);

for my $case (
	[ 'whadmin', @forbidden_all ],
	[ 'phood_ro', @forbidden_all, @forbidden_readers ],
	[ 'tenant_a_ro', @forbidden_all, @forbidden_readers, @forbidden_tenant ])
{
	my ($role, @tries) = @$case;
	for my $try (@tries)
	{
		my ($name, $sql) = @$try;
		my ($rc, $out, $err) = as_role($role, $sql);
		ok($rc != 0 && $err =~ /permission denied/, "psql $role: $name refused")
		  or diag("rc $rc, out $out, err $err");
		unlike("$out$err", $secret_re, "psql $role: $name shows no password");
	}
}
($rc, $out) = as_role('phood_ro', q{
SELECT schema_name || '=' || count(*) FROM public.foodlogstats GROUP BY schema_name ORDER BY 1;
SELECT 'tenant_b=' || count(*) FROM tenant_b.foodlogstats;});
is($out, "tenant_a=30\ntenant_b=10\ntenant_b=10", 'psql phood_ro: reads every tenant, also per tenant');
($rc, $out) = as_role('tenant_a_ro', q{
SELECT schema_name || '=' || count(*) FROM public.foodlogstats GROUP BY schema_name ORDER BY 1;
SELECT 'where tenant_b: ' || count(*) FROM public.foodlogstats WHERE schema_name = 'tenant_b';
SELECT 'own relation: ' || count(*) FROM tenant_a.foodlogstats;});
is($out, "tenant_a=30\nwhere tenant_b: 0\nown relation: 30", 'psql tenant_a_ro: its tenant only');
($rc, $out, $err) = as_role('tenant_a_ro', "SET row_security = off;\nSELECT count(*) FROM public.foodlogstats;");
like($err, qr/row-level security/, 'psql tenant_a_ro: row_security = off does not lift the policy');

# a leaky function: its NOTICEs show the tenant reader's rows only
($rc, $out, $err) = as_role('tenant_a_ro', q{
CREATE FUNCTION pg_temp.peek(s text, w numeric) RETURNS boolean LANGUAGE plpgsql COST 0.000001 AS
  $$BEGIN RAISE NOTICE 'peek %', s; RETURN true; END$$;
SELECT count(*) FROM public.foodlogstats WHERE pg_temp.peek(schema_name, weight);});
is($out, '30', 'psql tenant_a_ro: a leaky function sees 30 rows');
my @peeks = $err =~ /peek (\w+)/g;
is(scalar(@peeks), 30, 'psql tenant_a_ro: 30 NOTICEs');
is(scalar(grep { $_ ne 'tenant_a' } @peeks), 0, 'psql tenant_a_ro: no NOTICE of another tenant');

# --- pg_stat_activity during a load ------------------------------------

$wh->safe_psql('warehouse', q{
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('slow', 'SELECT {{date}}::date AS d, pg_sleep(3)::text AS s', 'd date, s text', 'd');});
my ($lout, $lerr) = ('', '');
my $load = IPC::Run::start(
	[ 'psql', '-X', '-At', '-d', dsn('whadmin'), '-c',
	  q{SELECT _wh.update_mv_by_template('slow', 'tenant_a', 'tenant_a', '2025-09-01')} ],
	'>', \$lout, '2>', \$lerr);
my %activity;
my $sampled = 0;
for (1 .. 20)
{
	for my $role ('whadmin', 'phood_ro', 'tenant_a_ro')
	{
		my (undef, $a) = as_role($role,
			q{SELECT coalesce(string_agg(coalesce(query, '') || ' ' || coalesce(application_name, ''), ' | '), '')
			    FROM pg_stat_activity WHERE pid <> pg_backend_pid()});
		$activity{$role} .= $a;
	}
	$activity{source} .= $src->safe_psql('postgres',
		q{SELECT coalesce(string_agg(query || ' ' || application_name, ' | '), '') FROM pg_stat_activity
		   WHERE application_name = 'biwh'});
	$sampled++ if $activity{source} =~ /pg_sleep/;
	last if $sampled >= 2;
	select(undef, undef, undef, 0.2);
}
$load->finish;
like($lout, qr/loaded 1 rows/, 'the slow load succeeds') or diag($lerr);
ok($sampled >= 1, 'the source was sampled while the load ran');
like($activity{whadmin}, qr/update_mv_by_template\('slow'/, 'pg_stat_activity: the admin sees its own top-level call');
like($activity{phood_ro}, qr/insufficient privilege/, 'pg_stat_activity: the BI reader sees no other query');
unlike($activity{phood_ro}, qr/update_mv_by_template/, 'pg_stat_activity: ... not the load');
unlike($activity{tenant_a_ro}, qr/update_mv_by_template/, 'pg_stat_activity: the tenant reader neither');
for my $who (sort keys %activity)
{
	unlike($activity{$who}, qr/$secret_re|password/, "pg_stat_activity seen by $who: no password");
}

# --- Leak 1: a tenant pointed at the admin's server ---------------------

# A server of the admin's: it asks every client for a clear-text password
# and records what it gets
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $captured = "$tmp/captured";
my $fake = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5, ReuseAddr => 1)
  or die "listen: $!";
my $fport = $fake->sockport;
my $fake_pid = fork();
die "fork: $!" unless defined $fake_pid;
if ($fake_pid == 0)
{
	while (my $c = $fake->accept)
	{
		my $read = sub {
			my ($n) = @_;
			my $buf = '';
			while (length($buf) < $n)
			{
				my $got = sysread($c, $buf, $n - length($buf), length($buf));
				return undef unless $got;
			}
			return $buf;
		};
		open(my $log, '>>', $captured) or die;
		print $log "connection\n";
		while (1)
		{
			my $len = $read->(4) // last;
			my $body = $read->(unpack('N', $len) - 4) // last;
			my $code = unpack('N', $body);
			if ($code == 80877103 || $code == 80877104)	# SSL or GSS request
			{
				syswrite($c, 'N');
				next;
			}
			syswrite($c, pack('aNN', 'R', 8, 3));	# AuthenticationCleartextPassword
			my $type = $read->(1) // last;
			my $plen = $read->(4) // last;
			my $password = $read->(unpack('N', $plen) - 4) // last;
			$password =~ s/\0$//;
			print $log "password=$password\n";
			last;
		}
		close($log);
		close($c);
	}
	POSIX::_exit(0);	# not the test's END blocks
}
close($fake);

($rc, $out, $err) = as_role('whadmin', qq{
UPDATE _wh.tenant_connections SET port = $fport, password = NULL WHERE tenant_name = 'tenant_b';
UPDATE _wh.tenant_connections SET port = $fport, password = '' WHERE tenant_name = 'tenant_b';}, 1);
like($err, qr/must not be null.*must not be empty/s, 'leak 1: a NULL or empty password is refused');
($rc, $out, $err) = as_role('whadmin', qq{
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_b', '127.0.0.1', $fport, 'src_b', 'reader', 'x') ON CONFLICT DO NOTHING;
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_b', 'tenant_b', '2025-09-01', force => true);
UPDATE _wh.tenant_connections SET port = $fport WHERE tenant_name = 'tenant_b';
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_b', 'tenant_b', '2025-09-01', force => true);
UPDATE _wh.tenant_connections SET port = $sport, password = '********' WHERE tenant_name = 'tenant_a';
UPDATE _wh.tenant_connections SET port = $fport WHERE tenant_name = 'tenant_a';
SELECT * FROM _wh.direct_query('tenant_a', 'SELECT 1');}, 1);
like($out, qr/loaded 5 rows/, 'leak 1: ON CONFLICT DO NOTHING kept the password (the load still works)');
like($err, qr/tenant "tenant_b" has no password.*tenant "tenant_a" has no password/s,
	'leak 1: a moved tenant has no password any more');
ok(!-e $captured, "leak 1: the admin's server was never contacted")
  or diag(slurp_file($captured));
# the control: a password the admin gives does reach the admin's server
as_role('whadmin', q{UPDATE _wh.tenant_connections SET password = 'admin-known' WHERE tenant_name = 'tenant_b';
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_b', 'tenant_b', '2025-09-01', force => true);}, 1);
my $got = -e $captured ? slurp_file($captured) : '';
like($got, qr/password=admin-known/, "leak 1 control: the admin's server records what it is sent");
unlike($got, $secret_re, "leak 1: the tenants' password never reached it");
kill 'TERM', $fake_pid;
waitpid($fake_pid, 0);
# point both back at their source: the superuser sets the password again
$wh->safe_psql('warehouse', qq{
SET log_statement = 'none';
UPDATE _wh.tenant_connections SET port = $sport, password = '$secret';});

# --- Leak 2: a template whose type runs the admin's code ---------------

($rc, $out, $err) = as_role('whadmin', q{
CREATE FUNCTION pg_temp.spy(d date) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RAISE LOG 'SPY ran as %', current_user; RAISE NOTICE 'SPY ran as %', current_user; RETURN true; END$$;
CREATE DOMAIN pg_temp.evil AS date CHECK (pg_temp.spy(VALUE));
INSERT INTO _wh.mv_templates (template_name, source_sql, column_definitions, date_column)
VALUES ('ev', 'SELECT {{date}}::date AS d, {{date}}::date AS e', 'd date, e evil', 'd');
SELECT _wh.update_mv_by_template('ev', 'tenant_a', 'tenant_a', '2025-09-01');
CREATE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE plpgsql AS
  $$BEGIN RAISE NOTICE 'SPY now()'; RETURN pg_catalog.now(); END$$;
CREATE TEMP VIEW pg_class AS SELECT * FROM pg_catalog.pg_class WHERE pg_temp.spy(NULL);
SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'tenant_a', '2025-09-02', force => true);}, 1);
like($err, qr/type "evil" of column "e" is not trusted/, 'leak 2: the temporary domain is refused');
like($out, qr/loaded 10 rows/, 'leak 2: loads go on with planted functions and views around');
unlike($err, qr/SPY/, "leak 2: the admin's code never ran");

# --- psycopg2 -----------------------------------------------------------

my $py = "$tmp/probe.py";
open(my $fh, '>', $py) or die;
print $fh <<'PY';
import sys
import psycopg2
conn = psycopg2.connect(sys.argv[1])
conn.autocommit = True
cur = conn.cursor()
def run(name, sql, args=None):
    try:
        cur.execute(sql, args)
        rows = cur.fetchall() if cur.description else []
        print("%s: OK %s" % (name, ";".join(",".join(str(v) for v in r) for r in rows)))
    except psycopg2.Error as e:
        print("%s: ERROR %s %s" % (name, e.pgcode, (e.pgerror or "").strip().replace("\n", " ")))
run("schemas", "SELECT string_agg(schema_name, ',' ORDER BY schema_name) FROM information_schema.schemata")
run("columns", "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'foodlogstats'")
run("rows", "SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1")
run("bound", "SELECT count(*) FROM public.foodlogstats WHERE schema_name = %s", ("tenant_b",))
run("secrets", "SELECT password FROM _wh.tenant_secrets")
run("conninfo", "SELECT _wh.get_tenant_connection_string(%s)", ("tenant_a",))
run("dblink", "SELECT dblink_connect('x', 'host=127.0.0.1 dbname=postgres')")
run("piece", "SELECT count(*) FROM tenant_b.foodlogstats_2025_09_01")
run("other", "SELECT count(*) FROM tenant_b.foodlogstats")
run("leakfn", "CREATE FUNCTION pg_temp.peek(s text) RETURNS boolean LANGUAGE plpgsql COST 0.000001 AS "
    "$$BEGIN RAISE NOTICE 'peek %', s; RETURN true; END$$")
run("leak", "SELECT count(*) FROM public.foodlogstats WHERE pg_temp.peek(schema_name)")
print("notices: %s" % ",".join(sorted(set(n.strip().split()[-1] for n in conn.notices if "peek" in n))))
PY
close($fh);

sub psycopg
{
	my ($role) = @_;
	my ($o, $e) = ('', '');
	IPC::Run::run([ '/usr/bin/python3', $py, dsn($role) ], '>', \$o, '2>', \$e);
	diag($e) if $e ne '';
	return $o;
}
$out = psycopg('phood_ro');
like($out, qr/^rows: OK tenant_a,30;tenant_b,10$/m, 'psycopg2 phood_ro: every tenant');
like($out, qr/^bound: OK 10$/m, 'psycopg2 phood_ro: with a bound parameter');
like($out, qr/^columns: OK 21$/m, 'psycopg2 phood_ro: information_schema shows the columns');
like($out, qr/^notices: tenant_a,tenant_b$/m, 'psycopg2 phood_ro: its own function sees every tenant');
$out .= psycopg('tenant_a_ro');
like($out, qr/^rows: OK tenant_a,30$/m, 'psycopg2 tenant_a_ro: its tenant only');
like($out, qr/^bound: OK 0$/m, 'psycopg2 tenant_a_ro: no row of tenant_b');
like($out, qr/^other: ERROR 42501/m, 'psycopg2 tenant_a_ro: the other tenant relation is refused');
like($out, qr/^notices: tenant_a$/m, 'psycopg2 tenant_a_ro: a leaky function sees its tenant only');
$out .= psycopg('whadmin');
for my $name ('secrets', 'conninfo', 'dblink', 'piece')
{
	my @lines = $out =~ /^$name: (.*)$/mg;
	is(scalar(@lines), 3, "psycopg2: $name tried by the three roles");
	is(scalar(grep { /^ERROR 42501 / } @lines), 3, "psycopg2: $name refused to all three");
}
unlike($out, $secret_re, 'psycopg2: no password in any result, error or NOTICE');

# --- JDBC, as BI tools use it --------------------------------------------

my $java_dir = "$tmp/java";
make_path($java_dir);
open($fh, '>', "$java_dir/BiwhProbe.java") or die;
print $fh <<'JAVA';
import java.sql.*;
import java.util.*;

public class BiwhProbe {
    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0], args[1], args[2])) {
            DatabaseMetaData md = c.getMetaData();
            List<String> l = new ArrayList<>();
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) l.add(rs.getString("TABLE_SCHEM"));
            }
            System.out.println("schemas: " + String.join(",", l));
            l.clear();
            try (ResultSet rs = md.getTables(null, "public", "%", null)) {
                while (rs.next()) l.add(rs.getString("TABLE_NAME") + "/" + rs.getString("TABLE_TYPE"));
            }
            System.out.println("public tables: " + String.join(",", l));
            l.clear();
            try (ResultSet rs = md.getColumns(null, "public", "foodlogstats", "%")) {
                while (rs.next()) l.add(rs.getString("COLUMN_NAME"));
            }
            System.out.println("columns: " + l.size() + " " + l.get(0));
            String[][] queries = {
                {"rows", "SELECT schema_name, count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 1"},
                {"tenant_b", "SELECT schema_name, count(*) FROM tenant_b.foodlogstats GROUP BY 1"},
                {"secrets", "SELECT password FROM _wh.tenant_secrets"},
                {"templates", "SELECT source_sql FROM _wh.mv_templates"},
                {"conninfo", "SELECT _wh.get_tenant_connection_string('tenant_a')"},
                {"dblink", "SELECT dblink_connect('x', 'host=127.0.0.1 dbname=postgres')"},
                {"piece", "SELECT count(*) FROM tenant_a.foodlogstats_2025_09_01"}};
            for (String[] q : queries) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q[1])) {
                    l.clear();
                    while (rs.next()) {
                        StringBuilder b = new StringBuilder();
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++)
                            b.append(i > 1 ? "," : "").append(rs.getString(i));
                        l.add(b.toString());
                    }
                    System.out.println(q[0] + ": OK " + String.join(";", l));
                } catch (SQLException e) {
                    System.out.println(q[0] + ": ERROR " + e.getSQLState() + " " + e.getMessage().replace('\n', ' '));
                }
            }
        }
    }
}
JAVA
close($fh);
my $jar = '/usr/share/java/postgresql.jar';
my ($jo, $je) = ('', '');
ok(IPC::Run::run([ 'javac', '-d', $java_dir, "$java_dir/BiwhProbe.java" ], '>', \$jo, '2>', \$je),
	'JDBC: the probe compiles') or diag($je);

sub jdbc
{
	my ($role) = @_;
	my ($o, $e) = ('', '');
	IPC::Run::run([ 'java', '-cp', "$java_dir:$jar", 'BiwhProbe',
		"jdbc:postgresql://127.0.0.1:$wport/warehouse", $role, $pw{$role} ], '>', \$o, '2>', \$e);
	diag($e) if $e ne '';
	return $o;
}
my %jdbc = map { $_ => jdbc($_) } ('whadmin', 'phood_ro', 'tenant_a_ro');
for my $role (sort keys %jdbc)
{
	like($jdbc{$role}, qr/^columns: 21 schema_name$/m, "JDBC $role: getColumns of public.foodlogstats");
	like($jdbc{$role}, qr/^public tables: .*foodlogstats\/PARTITIONED TABLE/m, "JDBC $role: getTables lists it");
	like($jdbc{$role}, qr/^schemas: .*tenant_a/m, "JDBC $role: getSchemas lists the tenant schemas");
	for my $name ('secrets', 'conninfo', 'dblink', 'piece')
	{
		like($jdbc{$role}, qr/^$name: ERROR 42501 /m, "JDBC $role: $name refused");
	}
	unlike($jdbc{$role}, $secret_re, "JDBC $role: no password anywhere");
}
like($jdbc{phood_ro}, qr/^rows: OK tenant_a,30;tenant_b,10$/m, 'JDBC phood_ro: every tenant');
like($jdbc{phood_ro}, qr/^templates: ERROR 42501 /m, 'JDBC phood_ro: no template SQL');
like($jdbc{tenant_a_ro}, qr/^rows: OK tenant_a,30$/m, 'JDBC tenant_a_ro: its tenant only');
like($jdbc{tenant_a_ro}, qr/^tenant_b: ERROR 42501 /m, 'JDBC tenant_a_ro: the other tenant relation is refused');
like($jdbc{whadmin}, qr/^templates: OK /m, 'JDBC whadmin: reads the templates');

# --- The server log, with every statement logged ------------------------

$wh->stop;
my $log = slurp_file($wh->logfile);
like($log, qr/statement: SELECT _wh.update_mv_window_by_template/, 'the log holds the statements');
unlike($log, $secret_re, "the server log never holds the tenants' password");
unlike($log, qr/LOG:\s+SPY ran/, "the server log shows no run of the admin's code");
$src->stop;
done_testing();
