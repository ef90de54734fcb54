# pg_dump and pg_restore keep every identifier and its constraints, with the
# library preloaded as in production.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'),
	'bizinvoice', 'the library is preloaded');

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
	CREATE EXTENSION bizinvoice;
	CREATE TABLE company (
		siren bizinvoice.siren PRIMARY KEY,
		siret bizinvoice.siret UNIQUE,
		iban bizinvoice.iban,
		bic bizinvoice.bic,
		vat bizinvoice.vat_id
	);
	CREATE INDEX company_iban ON company USING hash (iban);
	INSERT INTO company VALUES
		('732 829 320', '73282932000074', 'FR76 3000 6000 0112 3456 7890 189',
		 'BNPAFRPPXXX', 'FR44732829320'),
		('356000000', '35600000049837', 'GB29NWBK60161331926819', 'PSSTFRPPPAR',
		 'FR39356000000'),
		('005520135', NULL, NULL, 'AGRIFRPP882', 'fr92 005520135');
});
my $query = 'SELECT * FROM company ORDER BY siren';
my $before = $node->safe_psql('src', $query);

my $dir = PostgreSQL::Test::Utils::tempdir;
for my $format ('custom', 'plain')
{
	my $db = "dst_$format";
	my $file = "$dir/src.$format";
	$node->command_ok(
		[ 'pg_dump', '--format', $format, '--file', $file, $node->connstr('src') ],
		"pg_dump in $format format");
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	if ($format eq 'custom')
	{
		$node->command_ok(
			[ 'pg_restore', '--exit-on-error', '--dbname', $node->connstr($db), $file ],
			'pg_restore of the custom dump');
	}
	else
	{
		$node->command_ok(
			[ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-q', '-f', $file, '-d',
			  $node->connstr($db) ],
			'psql replay of the plain dump');
	}
	is($node->safe_psql($db, $query), $before, "every value survives ($format)");
	is($node->safe_psql($db,
		"SELECT extversion FROM pg_extension WHERE extname = 'bizinvoice'"),
		$node->safe_psql($db,
			"SELECT default_version FROM pg_available_extensions WHERE name = 'bizinvoice'"),
		"the extension is recreated, not copied ($format)");
	my ($rc, $out, $err) = $node->psql($db,
		"INSERT INTO company (siren) VALUES ('732.829.320')");
	like($err, qr/duplicate key value violates unique constraint/,
		"the primary key still guards the SIREN ($format)");
	is($node->safe_psql($db,
		"SELECT count(*) FROM pg_indexes WHERE tablename = 'company'"),
		'3', "every index is restored ($format)");
}

$node->stop;
done_testing();
