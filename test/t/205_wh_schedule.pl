# 205_wh_schedule.pl — the real pg_cron runs biwh's dispatcher
#
# A warehouse cluster preloads pg_cron (cron.database_name = warehouse,
# reaching the server through its socket).  A refresh of today scheduled
# every minute reloads today's piece and writes the run log within two
# minutes; a tenant whose password is wrong fails at each run and does not
# stop the others; a second warehouse database of the same cluster
# schedules through pg_cron's database (cron.schedule_in_database) and is
# refreshed too; the seed's "Job Management" queries read the jobs.  A
# cluster without pg_cron preloaded still creates the extension, and the
# scheduling functions say what is missing.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $src_dir = $ENV{BIWH_SRC} or die "BIWH_SRC is not set";

# Without pg_cron preloaded
my $plain = PostgreSQL::Test::Cluster->new('no_cron');
$plain->init;
$plain->append_conf('postgresql.conf', "shared_preload_libraries = ''");
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION biwh CASCADE');
$plain->safe_psql('postgres', slurp_file("$src_dir/sql/template-foodlogstats.sql"));
my ($rc, $out, $err) = $plain->psql('postgres', q{SELECT _wh.schedule_daily('foodlogstats')});
isnt($rc, 0, 'scheduling without pg_cron fails');
like($err, qr/ERROR:  pg_cron is not loaded/, '... saying pg_cron is not loaded');
like($err, qr/HINT:  Add pg_cron to shared_preload_libraries and set cron\.database_name = 'postgres'/,
	'... and how to load it');
is($plain->safe_psql('postgres', 'SELECT count(*) FROM _wh.schedules'), '0', 'the list is empty, not an error');
is($plain->safe_psql('postgres', 'SELECT count(*) FROM _wh.cron_job_health'), '0', 'so is job health');
$plain->stop;

# Today is the warehouse's (UTC): keep away from midnight
my ($h, $m) = (gmtime)[2, 1];
if ($h == 23 && $m >= 55)
{
	note 'waiting for midnight UTC to pass';
	sleep((60 - $m) * 60 + 10);
}

# The source: TCP, passwords
my $src = PostgreSQL::Test::Cluster->new('source');
$src->init;
$src->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
# passwords over TCP (the default file trusts 127.0.0.1 first)
open(my $hba, '>', $src->data_dir . '/pg_hba.conf') or die $!;
print $hba "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba);
$src->start;
$src->safe_psql('postgres', q{CREATE ROLE reader LOGIN PASSWORD 'Zq7-cron'});
for my $db ('src_a', 'src_c')
{
	$src->safe_psql('postgres', "CREATE DATABASE $db");
	$src->safe_psql($db, slurp_file("$src_dir/sql/source-foodlogstats.sql"));
	$src->safe_psql($db, 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
	$src->safe_psql($db, 'SELECT phood_generate(current_date, 1, 30)');
}
my $sport = $src->port;

# The warehouse cluster, pg_cron keeping its jobs in database "warehouse"
my $wh = PostgreSQL::Test::Cluster->new('warehouse');
$wh->init;
$wh->append_conf('postgresql.conf', "cron.database_name = 'warehouse'\ncron.host = '" . $wh->host . "'\n");
$wh->start;
$wh->safe_psql('postgres', 'CREATE DATABASE warehouse');
$wh->safe_psql('postgres', 'CREATE DATABASE wh_two');
$wh->safe_psql('warehouse', 'CREATE EXTENSION pg_cron');
for my $db ('warehouse', 'wh_two')
{
	$wh->safe_psql($db, 'CREATE EXTENSION biwh CASCADE');
	$wh->safe_psql($db, slurp_file("$src_dir/sql/template-foodlogstats.sql"));
}
$wh->safe_psql('warehouse', qq{
SET log_statement = 'none';
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_a', '127.0.0.1', $sport, 'src_a', 'reader', 'Zq7-cron'),
	   ('tenant_bad', '127.0.0.1', $sport, 'src_a', 'reader', 'Zq7-wrong');
});
$wh->safe_psql('wh_two', qq{
SET log_statement = 'none';
INSERT INTO _wh.tenant_connections (tenant_name, host, port, dbname, username, password)
VALUES ('tenant_c', '127.0.0.1', $sport, 'src_c', 'reader', 'Zq7-cron');
});

# Today loaded once by hand; then the source gets more rows for today
is($wh->safe_psql('warehouse',
		q{SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_a', 'tenant_a', CURRENT_DATE)}),
	'loaded 30 rows', 'today loaded by hand');
is($wh->safe_psql('wh_two',
		q{SELECT _wh.update_mv_by_template('foodlogstats', 'tenant_c', 'tenant_c', CURRENT_DATE)}),
	'loaded 30 rows', 'today loaded by hand in the second database');
$src->safe_psql('src_a', 'SELECT phood_generate(current_date, 1, 12)');
$src->safe_psql('src_c', 'SELECT phood_generate(current_date, 1, 7)');

# Every minute: reload today
my $t0 = time;
is($wh->safe_psql('warehouse', q{
	SELECT _wh.schedule_hourly('foodlogstats', 'tenant_a', 'tenant_a', every_minutes => 1);
	SELECT _wh.schedule_hourly('foodlogstats', 'tenant_bad', 'tenant_bad', every_minutes => 1);
}), "biwh:foodlogstats:tenant_a:hourly\nbiwh:foodlogstats:tenant_bad:hourly", 'scheduled every minute');
is($wh->safe_psql('wh_two',
		q{SELECT _wh.schedule_hourly('foodlogstats', 'tenant_c', 'tenant_c', every_minutes => 1)}),
	'biwh@wh_two:foodlogstats:tenant_c:hourly', 'scheduled from the second database');
is($wh->safe_psql('warehouse', q{SELECT string_agg(format('%s|%s|%s|%s', jobname, database, schedule, command), E'\n' ORDER BY jobname) FROM cron.job}),
	"biwh:foodlogstats:tenant_a:hourly|warehouse|* * * * *|CALL _wh.run_due_refreshes()\n"
	  . "biwh:foodlogstats:tenant_bad:hourly|warehouse|* * * * *|CALL _wh.run_due_refreshes()\n"
	  . "biwh\@wh_two:foodlogstats:tenant_c:hourly|wh_two|* * * * *|CALL _wh.run_due_refreshes()",
	'pg_cron has the jobs, each calling the dispatcher');

# Within two minutes, pg_cron has run the dispatcher in both databases
my $today_rows = q{SELECT count(*) FROM public.foodlogstats WHERE schema_name IN ('tenant_a', 'tenant_c')
	AND logged_time >= current_date};
my ($a_rows, $c_rows) = (0, 0);
while (time - $t0 < 120)
{
	$a_rows = $wh->safe_psql('warehouse', $today_rows);
	$c_rows = $wh->safe_psql('wh_two', $today_rows);
	last if $a_rows == 42 && $c_rows == 37
	  && $wh->safe_psql('warehouse', q{SELECT count(*) FROM _wh.run_log WHERE kind = 'hourly' AND status = 'failed'}) > 0;
	sleep 2;
}
my $took = time - $t0;
is($a_rows, 42, "today's piece reloaded by pg_cron (in ${\ int($took)} s)");
is($c_rows, 37, 'the second database too, scheduled through pg_cron\'s database');
cmp_ok($took, '<', 120, 'within two minutes');

# Pause the jobs and let a run going end, so what follows is stable
$wh->safe_psql('warehouse', 'UPDATE cron.job SET active = false');
$wh->poll_query_until('warehouse',
	q{SELECT count(*) = 0 FROM cron.job_run_details WHERE status IN ('starting', 'running', 'sending', 'connecting')})
  or die 'a pg_cron run does not end';

is($wh->safe_psql('warehouse', q{
	SELECT string_agg(DISTINCT format('%s %s %s', kind, schema_name, status), ', ')
	  FROM _wh.run_log WHERE kind IN ('hourly', 'load') AND started_at > now() - interval '5 minutes'}),
	'hourly tenant_a succeeded, hourly tenant_bad failed, load tenant_a succeeded, load tenant_bad failed',
	'the run log: the good tenant refreshed, the bad one failed beside it');
like($wh->safe_psql('warehouse', q{
	SELECT sqlstate || ' ' || message FROM _wh.run_log WHERE kind = 'hourly' AND status = 'failed' ORDER BY id LIMIT 1}),
	qr/^08001 0 days loaded, 0 skipped, 1 failed: could not load day .*: could not establish connection\n.*password authentication failed/,
	'the failure is logged with its SQLSTATE and message');
is($wh->safe_psql('warehouse', q{SELECT count(*) FROM _wh.run_log WHERE message ~ 'Zq7'}), '0',
	'no password in the run log');
is($wh->safe_psql('warehouse', q{
	SELECT schema_name || ' ' || last_status FROM _wh.schedule_state ORDER BY 1}),
	"tenant_a succeeded\ntenant_bad failed", 'the schedule state of each unit');

# The seed's Job Management queries, as written
like($wh->safe_psql('warehouse', q{SELECT jobid, schedule, command, jobname, active FROM cron.job}),
	qr/\|\* \* \* \* \*\|CALL _wh\.run_due_refreshes\(\)\|biwh:foodlogstats:tenant_a:hourly\|f/,
	'View all scheduled jobs');
like($wh->safe_psql('warehouse', q{
SELECT j.jobname, r.status, r.start_time, r.end_time, r.return_message
FROM cron.job j
LEFT JOIN cron.job_run_details r ON j.jobid = r.jobid
ORDER BY r.start_time DESC LIMIT 10}),
	qr/^biwh\S*:foodlogstats:tenant_\w+:hourly\|succeeded\|.*\|CALL$/m, 'View job execution history');
is($wh->safe_psql('warehouse', q{
SELECT j.jobname, r.status, r.return_message, r.start_time
FROM cron.job j
JOIN cron.job_run_details r ON j.jobid = r.jobid
WHERE r.status != 'succeeded'
  AND r.start_time > NOW() - INTERVAL '24 hours'}),
	'', 'Monitor failed jobs: none (a tenant\'s failure is the run log\'s, not the job\'s)');
like($wh->safe_psql('warehouse', q{SELECT string_agg(jobname || ' ' || last_status, ', ' ORDER BY jobname) FROM _wh.cron_job_health}),
	qr/^biwh:foodlogstats:tenant_a:hourly succeeded, biwh:foodlogstats:tenant_bad:hourly succeeded$/,
	'job health, this database\'s jobs only');
like($wh->safe_psql('wh_two', q{SELECT string_agg(jobname || ' ' || last_status, ', ') FROM _wh.cron_job_health}),
	qr/^biwh\@wh_two:foodlogstats:tenant_c:hourly succeeded$/, 'job health seen from the second database');

# Remove them: the jobs go
is($wh->safe_psql('warehouse', q{SELECT _wh.unschedule('foodlogstats', 'tenant_a') + _wh.unschedule('foodlogstats', 'tenant_bad')}),
	'2', 'unscheduled');
is($wh->safe_psql('wh_two', q{SELECT _wh.unschedule('foodlogstats', 'tenant_c')}), '1', 'unscheduled there');
is($wh->safe_psql('warehouse', 'SELECT count(*) FROM cron.job'), '0', 'no job left');

unlike(slurp_file($wh->logfile), qr/(ERROR|WARNING|DETAIL|CONTEXT|HINT):[^\n]*Zq7/,
	'no password in any server message');

$wh->stop;
$src->stop;
done_testing();
