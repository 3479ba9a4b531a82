# 109_columnar_logical.pl — logical replication and columnar tables
#
# With wal_level = logical: columnar rows are not decoded, so biwh refuses
# to publish them (FOR TABLE / ADD TABLE fail, writes to a columnar table a
# FOR ALL TABLES publication covers fail), and never ships its row-group
# catalog as if it were user data: test_decoding sees no catalog insert,
# and a real subscriber of a FOR ALL TABLES publication gets the heap rows
# but not the publisher's catalog rows, whose storage ids would collide
# with its own.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->append_conf('postgresql.conf', "biwh.row_group_size = 1000\n");
$pub->start;
$pub->safe_psql('postgres', q{
	CREATE EXTENSION biwh CASCADE;
	CREATE TABLE h (id int PRIMARY KEY, v text);
	CREATE TABLE c (id int, v text) USING columnar;
	INSERT INTO c SELECT g, 'c' || g FROM generate_series(1, 2500) g;
});

# test_decoding: heap rows are decoded, biwh's catalog rows are not
$pub->safe_psql('postgres',
	q{SELECT 'ok' FROM pg_create_logical_replication_slot('td', 'test_decoding')});
$pub->safe_psql('postgres', q{
	INSERT INTO c SELECT g, 'c' || g FROM generate_series(2501, 3000) g;
	INSERT INTO h VALUES (1, 'one');
});
my $changes = $pub->safe_psql('postgres',
	q{SELECT string_agg(data, E'\n') FROM pg_logical_slot_get_changes('td', NULL, NULL)});
like($changes, qr/table public\.h: INSERT: id\[integer\]:1 v\[text\]:'one'/,
	'test_decoding decodes heap rows');
unlike($changes, qr/columnar_row_group: INSERT/,
	'test_decoding sees no row-group catalog insert');
$pub->safe_psql('postgres', q{SELECT pg_drop_replication_slot('td')});

# publishing a columnar table is refused, and creates nothing
my ($ret, $out, $err) = $pub->psql('postgres', 'CREATE PUBLICATION p FOR TABLE h, c');
like($err, qr/cannot publish columnar table "c"/, 'FOR TABLE columnar is refused');
like($err, qr/HINT:/, 'with a hint');
$pub->safe_psql('postgres', 'CREATE PUBLICATION p FOR TABLE h');
($ret, $out, $err) = $pub->psql('postgres', 'ALTER PUBLICATION p ADD TABLE c');
like($err, qr/cannot publish columnar table "c"/, 'ADD TABLE columnar is refused');
is($pub->safe_psql('postgres', q{SELECT string_agg(tablename, ',') FROM pg_publication_tables}),
	'h', 'the publication holds the heap table only');
$pub->safe_psql('postgres', 'DROP PUBLICATION p');

# FOR ALL TABLES: writes to columnar tables are refused
$pub->safe_psql('postgres', 'CREATE PUBLICATION pall FOR ALL TABLES');
($ret, $out, $err) = $pub->psql('postgres', q{INSERT INTO c VALUES (0, 'zero')});
like($err, qr/cannot write to columnar table "c": it is published/,
	'a write to a columnar table under FOR ALL TABLES is refused');

# a subscriber with its own columnar table
my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init;
$sub->start;
$sub->safe_psql('postgres', q{
	CREATE EXTENSION biwh CASCADE;
	CREATE TABLE h (id int PRIMARY KEY, v text);
	CREATE TABLE own (id int) USING columnar;
	INSERT INTO own SELECT generate_series(1, 10);
});
$pub->safe_psql('postgres', 'CREATE PUBLICATION ph FOR TABLE h');
my $connstr = $pub->connstr . ' dbname=postgres';
$sub->safe_psql('postgres', "CREATE SUBSCRIPTION s CONNECTION '$connstr' PUBLICATION ph");
$sub->wait_for_subscription_sync($pub, 's');
$pub->safe_psql('postgres', q{
	INSERT INTO h VALUES (2, 'two');
	DROP TABLE c;
	INSERT INTO h VALUES (3, 'three');
});
$pub->wait_for_catchup('s');
is($sub->safe_psql('postgres', 'SELECT count(*), sum(id) FROM h'), '3|6',
	'heap rows reach the subscriber, also after a columnar table was dropped');
is($sub->safe_psql('postgres', 'SELECT count(*), sum(id) FROM own'), '10|55',
	q{the subscriber's own columnar table is intact});

# a FOR ALL TABLES subscription copies extension tables too: rows of the
# row-group catalog applied in a replica session are dropped, never taken
# for the subscriber's own
is($sub->safe_psql('postgres', q{
		SET session_replication_role = replica;
		INSERT INTO biwh.columnar_row_group
		SELECT * FROM biwh.columnar_row_group;
		RESET session_replication_role;
		SELECT count(*) FROM biwh.columnar_row_group}),
	'1', 'catalog rows arriving in a replica session are dropped');
is($sub->safe_psql('postgres', 'SELECT count(*), sum(id) FROM own'), '10|55',
	q{and the subscriber's columnar table reads as before});

$sub->stop;
$pub->stop;
done_testing();
