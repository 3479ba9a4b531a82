# 104_columnar_concurrency.pl — concurrent loads into one columnar table
#
# Several backends load the same table at once (pgbench clients running
# INSERT ... SELECT, COPY-sized batches, single rows, and rollbacks) while
# others read it: page ranges and row numbers never collide, readers never
# see a partial row group, every committed row is there exactly once, and
# biwh.columnar_verify finds every chunk intact.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('concurrent');
$node->init;
$node->append_conf('postgresql.conf', "biwh.row_group_size = 1000\nmax_connections = 30\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION biwh CASCADE;
	CREATE TABLE c (client int, batch int, n int, v text) USING columnar;
	CREATE TABLE done (client int, batch int, rows int);
});

# each transaction loads a batch and records it in a heap table; a
# quarter of them roll back
$node->pgbench(
	'--no-vacuum --client=6 --transactions=25',
	0,
	[qr{processed: 150/150}],
	[qr{^$}],
	'concurrent loads',
	{
		'104_load' => q{
\set rows random(1, 2500)
\set rb random(1, 4)
BEGIN;
INSERT INTO c SELECT :client_id, :scale * 0 + (SELECT count(*) FROM done WHERE client = :client_id), g, md5(g::text) FROM generate_series(1, :rows) g;
INSERT INTO done SELECT :client_id, (SELECT count(*) FROM done WHERE client = :client_id), :rows WHERE :rb > 1;
SELECT count(*) FROM c;
\if :rb = 1
ROLLBACK;
\else
COMMIT;
\endif
}
	});

is( $node->safe_psql('postgres', q{
		SELECT (SELECT count(*) FROM c) = (SELECT sum(rows) FROM done)}),
	't', 'every committed row is there, no rolled-back row is');
is( $node->safe_psql('postgres', q{
		SELECT count(*) FROM (SELECT client, batch, count(*) AS n FROM c GROUP BY 1, 2) x
		  JOIN done d USING (client, batch) WHERE x.n <> d.rows}),
	'0', 'each batch is whole');
is( $node->safe_psql('postgres', q{
		SELECT rows = (SELECT count(*) FROM c) FROM biwh.columnar_verify('c')}),
	't', 'columnar_verify reads every chunk');
is( $node->safe_psql('postgres', q{
		SELECT count(*) FROM (SELECT client, batch, n FROM c GROUP BY 1, 2, 3 HAVING count(*) > 1) x}),
	'0', 'no row twice');
is( $node->safe_psql('postgres', q{
		SELECT count(DISTINCT ctid) = count(*) FROM c}),
	't', 'TIDs are unique');

# First writes (which make the metapage) racing with readers of the same
# tables: a reader sees an empty table or the rows, never an error (the
# metapage buffer is locked before it becomes valid).  TRUNCATE empties a
# table again so that there are many first writes.
$node->safe_psql('postgres', q{
	DO $$ BEGIN
		FOR i IN 1..50 LOOP
			EXECUTE format('CREATE TABLE ft_%s (a int) USING columnar', i);
		END LOOP;
	END $$;
});
$node->pgbench(
	'--no-vacuum --client=6 --transactions=300',
	0,
	[qr{processed: 1800/1800}],
	[qr{^$}],
	'first writes racing with readers',
	{
		'104_first' => q{
\set t random(1, 50)
\set op random(1, 10)
\if :op <= 5
SELECT count(*) FROM ft_:t;
\elif :op <= 9
INSERT INTO ft_:t VALUES (:client_id);
\else
TRUNCATE ft_:t;
\endif
}
	});
is($node->safe_psql('postgres', q{
	DO $$ BEGIN
		FOR i IN 1..50 LOOP
			PERFORM biwh.columnar_verify(format('ft_%s', i)::regclass);
		END LOOP;
	END $$;
	SELECT 'ok';
}), 'ok', 'every table verifies after the race');

$node->stop;
done_testing();
