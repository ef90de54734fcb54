# A bounded randomized stress of the ledger: several clients fund, withdraw,
# pay invoices in both directions between the same parties (opposite
# transfers), authorise, settle and void, for about 20 seconds; then every
# ledger invariant must hold, no money appeared or vanished, and no deadlock
# was reported; then a crash, after which all of it is still there.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $clients = 6;
my $seconds = 20;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION bizinvoice;
	SELECT bizinvoice.register_party(jsonb_build_object('name', 'P' || n, 'siren', s))
	FROM (VALUES (1, '732829320'), (2, '443061841'), (3, '542051180'), (4, '552032534')) AS v(n, s);
	SELECT bizinvoice.open_account(id) FROM bizinvoice.party ORDER BY id;
	-- 400 approved invoices, each party billing each other one
	SELECT bizinvoice.act_as(s), bizinvoice.submit(bizinvoice.create_invoice(jsonb_build_object(
		'number', 'X-' || k, 'issue_date', '2026-11-02', 'buyer', b,
		'lines', jsonb_build_array(jsonb_build_object('item_name', 'x', 'quantity', 1,
													  'net_price', 10 + k % 90, 'vat_rate', 20)))))
	FROM generate_series(1, 400) k,
		 LATERAL (SELECT 1 + k % 4 AS s, 1 + (k + 1 + k / 4 % 3) % 4 AS b) p
	WHERE s <> b;
	SELECT bizinvoice.act_as(buyer_id), bizinvoice.set_status(id, 'approved')
	FROM bizinvoice.invoice ORDER BY id;
	SELECT bizinvoice.act_as(NULL);

	-- One random operation; the refusals the ledger is expected to make
	-- (insufficient funds, nothing left to pay, already resolved) are part of
	-- the game and do not stop the client.
	CREATE FUNCTION stress(op int, party int, target int, amount numeric, key text) RETURNS text
	LANGUAGE plpgsql AS $$
	DECLARE
		auth bigint;
	BEGIN
		PERFORM bizinvoice.act_as(party, local => true);
		CASE op
			WHEN 0 THEN PERFORM bizinvoice.fund(party, amount, 'stress', key);
			WHEN 1 THEN PERFORM bizinvoice.withdraw(party, amount, 'FR7630006000011234567890189', key);
			WHEN 2, 3, 4 THEN
				PERFORM bizinvoice.pay_invoice(i.id, least(amount, bizinvoice.invoice_payable_now(i.id)), key)
				FROM bizinvoice.invoice i
				WHERE i.buyer_id = party AND i.id % 50 = target AND bizinvoice.invoice_payable_now(i.id) > 0
				ORDER BY i.id LIMIT 1;
			WHEN 5 THEN
				PERFORM bizinvoice.authorize_payment(i.id, least(amount, bizinvoice.invoice_payable_now(i.id)), key)
				FROM bizinvoice.invoice i
				WHERE i.buyer_id = party AND i.id % 50 = target AND bizinvoice.invoice_payable_now(i.id) > 0
				ORDER BY i.id LIMIT 1;
			ELSE
				SELECT a.id INTO auth FROM bizinvoice.payment_authorization a
				JOIN bizinvoice.account c ON c.id = a.account_id
				WHERE c.party_id = party AND a.state = 'authorized' ORDER BY a.id LIMIT 1;
				IF auth IS NOT NULL AND op = 6 THEN
					PERFORM bizinvoice.settle(auth, NULL, key);
				ELSIF auth IS NOT NULL THEN
					PERFORM bizinvoice.void(auth, key);
				END IF;
		END CASE;
		RETURN 'done';
	EXCEPTION
		WHEN check_violation OR object_not_in_prerequisite_state OR invalid_parameter_value THEN
			RETURN SQLERRM;
	END
	$$;
});

my $funded_before = $node->safe_psql('postgres',
	q{SELECT sum(balance) FROM bizinvoice.account WHERE kind = 'party'});

$node->pgbench(
	"--no-vacuum --client=$clients --jobs=2 --time=$seconds",
	0,
	[qr{processed: [1-9]}],
	[qr{^$}],
	'randomized ledger operations run without error',
	{
		'ledger_stress' => q{
			\set op random(0, 7)
			\set party random(1, 4)
			\set target random(0, 49)
			\set cents random(100, 30000)
			SELECT stress(:op, :party, :target, :cents / 100.0, 'k-' || :client_id || '-' || random());
		}
	});

is($node->safe_psql('postgres', 'SELECT count(*) FROM bizinvoice.check_ledger()'),
	'0', 'every ledger invariant holds after the stress');
is($node->safe_psql('postgres', q{
	SELECT sum(balance) = -(SELECT balance FROM bizinvoice.account WHERE kind = 'outside')
	FROM bizinvoice.account WHERE kind <> 'outside'}),
	't', 'the money inside is exactly what came from outside');
ok($node->safe_psql('postgres', 'SELECT count(*) FROM bizinvoice.transfer') > 100,
	'the stress moved money');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM bizinvoice.invoice WHERE bizinvoice.invoice_outstanding(id) < 0}),
	'0', 'no invoice is paid beyond its amount');
my $log = slurp_file($node->logfile);
unlike($log, qr/deadlock detected/, 'no deadlock');

# The rows a payment writes from C (balances, transfers, paid totals, keys,
# moves and their history) are logged as the executor's are: after a crash
# and recovery (no checkpoint since the stress) every committed one is
# back, the ledger holds, and every index of those tables lists every row.
my $state = q{
	SELECT (SELECT count(*) FROM bizinvoice.transfer) || ' ' || (SELECT sum(balance) FROM bizinvoice.account)
		|| ' ' || (SELECT count(*) FROM bizinvoice.idempotency_key)
		|| ' ' || (SELECT count(*) FROM bizinvoice.status_history)
		|| ' ' || (SELECT sum(paid) FROM bizinvoice.invoice_paid)};
my $before_crash = $node->safe_psql('postgres', $state);
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', $state), $before_crash, 'after a crash, every committed write is back');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bizinvoice.check_ledger()'),
	'0', 'after a crash, every ledger invariant holds');
is($node->safe_psql('postgres', q{
	CREATE EXTENSION amcheck;
	SELECT bool_and(bt_index_check(i.indexrelid, true)::text = '') FROM pg_index i
	WHERE i.indrelid IN ('bizinvoice.account'::regclass, 'bizinvoice.transfer'::regclass,
						 'bizinvoice.invoice_paid'::regclass, 'bizinvoice.idempotency_key'::regclass,
						 'bizinvoice.invoice'::regclass, 'bizinvoice.status_history'::regclass)}),
	't', 'after a crash, every index of the tables written from C is sound');

$node->stop;
done_testing();
