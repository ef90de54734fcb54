# pg_dump and pg_restore keep every invoice, line, status and history entry;
# the restored database goes on: new ids follow the old ones, the rules and
# the freeze still hold.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
	CREATE EXTENSION bizinvoice;	-- creates the bizinvoice_* roles
	CREATE ROLE tap_alice IN ROLE bizinvoice_user;
	CREATE ROLE tap_bob IN ROLE bizinvoice_user;
	SELECT bizinvoice.register_party('{"name": "Alice SAS", "siret": "73282932000074", "members": ["tap_alice"]}');
	SELECT bizinvoice.register_party('{"name": "Bob SARL", "siret": "44306184100047", "members": ["tap_bob"]}');
	SELECT bizinvoice.register_party('{"kind": "public_structure", "name": "Commune", "siret": "35600000049837",
		"delivery": "direct", "services": [{"code": "VOIRIE", "name": "Voirie"}]}');
	SET ROLE tap_alice;
	SELECT bizinvoice.act_as(1);
	SELECT bizinvoice.submit(bizinvoice.create_invoice(jsonb_build_object(
		'number', 'F-' || n, 'issue_date', '2026-11-02', 'due_date', '2026-12-02', 'buyer', 2,
		'notes', '[{"subject_code": "PMT", "text": "40 EUR"}]'::jsonb,
		'attachments', '[{"filename": "a.txt", "content_base64": "aGVsbG8="}]'::jsonb,
		'lines', jsonb_build_array(
			jsonb_build_object('item_name', 'A', 'quantity', n, 'net_price', 12.34, 'vat_rate', 20),
			jsonb_build_object('item_name', 'B', 'quantity', 1, 'net_price', 5, 'vat_rate', 5.5)))))
	FROM generate_series(1, 5) n;
	SELECT bizinvoice.create_invoice('{"number": "DRAFT-1", "issue_date": "2026-11-03", "buyer": 2,
		"lines": [{"item_name": "A", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
	SELECT bizinvoice.submit(bizinvoice.create_invoice('{"number": "G-1", "issue_date": "2026-11-03",
		"buyer": 3, "buyer_reference": "VOIRIE",
		"lines": [{"item_name": "A", "quantity": 1, "net_price": 100, "vat_rate": 20}]}'));
	RESET ROLE;
	SET ROLE tap_bob;
	SELECT bizinvoice.act_as(2);
	SELECT bizinvoice.open_invoice(1);
	SELECT bizinvoice.set_status(1, 'approved');
	SELECT bizinvoice.set_status(2, 'refused', reason => 'DOUBLON');
	SELECT bizinvoice.set_status(3, 'partially_approved', amount => 10);
	SELECT bizinvoice.set_status(3, 'partially_paid', amount => 4);
	SELECT bizinvoice.set_status(3, 'partially_paid', amount => 6);
	RESET ROLE;
	SELECT bizinvoice.open_account(1), bizinvoice.open_account(2);
	SET ROLE tap_bob;
	SELECT bizinvoice.act_as(2);
	SELECT bizinvoice.fund(2, 500, 'wire', 'k1');
	SELECT bizinvoice.pay_invoice(1, 10, 'k2');
});

my %queries = (
	invoices => 'SELECT * FROM bizinvoice.invoice ORDER BY id',
	lines => 'SELECT * FROM bizinvoice.invoice_line ORDER BY invoice_id, line_no',
	vat => 'SELECT * FROM bizinvoice.invoice_vat_breakdown ORDER BY 1, 2, 3',
	notes => 'SELECT * FROM bizinvoice.invoice_note ORDER BY 1, 2',
	attachments => 'SELECT invoice_id, seq, filename, encode(sha256, \'hex\') FROM bizinvoice.invoice_attachment ORDER BY 1, 2',
	history => 'SELECT * FROM bizinvoice.status_history ORDER BY id',
	parties => 'SELECT * FROM bizinvoice.party ORDER BY id',
	members => 'SELECT * FROM bizinvoice.party_member ORDER BY 1, 2',
	accounts => 'SELECT * FROM bizinvoice.account ORDER BY id',
	transfers => 'SELECT * FROM bizinvoice.transfer ORDER BY id',
	'idempotency keys' => 'SELECT * FROM bizinvoice.idempotency_key ORDER BY 1, 2');
my %before = map { $_ => $node->safe_psql('src', $queries{$_}) } keys %queries;
ok($before{history} =~ /partially_paid\|partially_paid/, 'the source has a history to keep');

my $dir = PostgreSQL::Test::Utils::tempdir;
$node->command_ok([ 'pg_dump', '--format', 'custom', '--file', "$dir/src.dump", $node->connstr('src') ],
	'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->command_ok([ 'pg_restore', '--exit-on-error', '--dbname', $node->connstr('dst'), "$dir/src.dump" ],
	'pg_restore');

for my $what (sort keys %queries)
{
	is($node->safe_psql('dst', $queries{$what}), $before{$what}, "$what: restored as they were");
}

# the restored database goes on as before
my $last = $node->safe_psql('src', 'SELECT max(id) FROM bizinvoice.invoice');
my $next = $node->safe_psql('dst', q{
	SET ROLE tap_alice;
	SELECT bizinvoice.act_as(1);
	SELECT bizinvoice.create_invoice('{"number": "F-6", "issue_date": "2026-11-04", "buyer": 2,
		"lines": [{"item_name": "A", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
});
is((split /\n/, $next)[-1], $last + 1, 'new invoice ids follow the restored ones');
my ($rc, $out, $err) = $node->psql('dst', q{
	SET ROLE tap_bob; SELECT bizinvoice.act_as(2); SELECT bizinvoice.set_status(2, 'approved');});
like($err, qr/cannot move from refused to approved/, 'the status rules hold after restore');
($rc, $out, $err) = $node->psql('dst', q{UPDATE bizinvoice.invoice SET number = 'X' WHERE id = 1});
like($err, qr/is submitted and cannot be changed/, 'the freeze holds after restore');
is($node->safe_psql('dst', 'SELECT count(*) FROM bizinvoice.check_ledger()'), '0',
	'the restored ledger holds');
is($node->safe_psql('dst', q{
	SET ROLE tap_bob; SELECT bizinvoice.act_as(2);
	SELECT bizinvoice.fund(2, 500, 'wire', 'k1') = 1;}) =~ s/.*\n//sr,
	't', 'an idempotency key used before the dump still returns its first transfer');
($rc, $out, $err) = $node->psql('dst', q{DELETE FROM bizinvoice.status_history});
like($err, qr/append-only/, 'the history stays append-only after restore');
is($node->safe_psql('dst', q{
	SET ROLE tap_bob; SELECT bizinvoice.act_as(2);
	SELECT bizinvoice.set_status(3, 'payment_sent');
	SELECT count(*) FROM bizinvoice.status_history WHERE invoice_id = 3;}) =~ s/.*\n//sr,
	'6', 'a restored invoice moves on, its history growing');

$node->stop;
done_testing();
