# The Chorus Pro worker when things go wrong: a stale or short-lived token,
# bursts of 429, 500 and 503, answers slower than the timeout, malformed
# JSON, the connection dropped after the deposit was recorded, and one
# invoice refused for good among others.  Every invoice ends deposited
# exactly once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use ChorusTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $mock = ChorusTest::start_mock();
my $node = ChorusTest::node('faults', $mock,
	'bizinvoice.chorus_timeout' => 1000,
	'bizinvoice.chorus_doubt_window' => 4000);

sub submit
{
	my ($prefix, $n) = @_;
	$node->safe_psql('postgres', "SELECT b2g('$prefix-' || n) FROM generate_series(1, $n) n");
	return;
}

sub outcome
{
	my ($prefix) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT string_agg(n || ' ' || c, ', ' ORDER BY n)
		FROM (SELECT state || '/' || coalesce(b2g_status::text, '-') AS n, count(*) AS c
			  FROM bizinvoice.chorus_queue WHERE number LIKE '$prefix-%' GROUP BY 1) s});
}

# each invoice of the prefix deposited exactly once
sub deposited_once
{
	my ($prefix, $n) = @_;
	my $deposits = $mock->stats->{deposits};
	my @numbers = grep { /^$prefix-/ } keys %$deposits;
	return @numbers == $n && !grep { $deposits->{$_} != 1 } @numbers;
}

# a token that is revoked, then tokens that live two seconds
submit('TOKEN', 3);
ok(ChorusTest::wait_at_rest($node), 'first invoices at rest');
my $tokens = $mock->stats->{tokens};
$mock->control(revoke_tokens => JSON::PP::true, token_ttl => 2);
submit('STALE', 3);
ok(ChorusTest::wait_at_rest($node), 'with a revoked token, invoices come to rest');
is(outcome('STALE'), 'done/MISE_EN_PAIEMENT 3', 'a 401 gets a new token and the call goes through');
sleep 3;
submit('SHORT', 3);
ok(ChorusTest::wait_at_rest($node), 'with short-lived tokens, invoices come to rest');
is(outcome('SHORT'), 'done/MISE_EN_PAIEMENT 3', 'tokens are renewed before they expire');
cmp_ok($mock->stats->{tokens}, '>=', $tokens + 2, 'new tokens were fetched');
ok(deposited_once('STALE', 3) && deposited_once('SHORT', 3), 'each deposited once');

# bursts of throttling and server errors on every call
$mock->control(token_ttl => 3600, faults => [
	{ path => 'deposer/flux', status => 429, count => 6 },
	{ path => 'deposer/flux', status => 503, count => 3 },
	{ path => 'deposer/flux', status => 500, count => 3 },
	{ path => 'consulterCRDetaille', status => 500, count => 5 },
	{ path => 'rechercher/fournisseur', status => 503, count => 5 },
	{ path => 'historique', status => 429, count => 8 },
	{ path => 'token', status => 500, count => 1 },
]);
submit('BURST', 10);
ok(ChorusTest::wait_at_rest($node), 'through bursts of 429, 500 and 503, invoices come to rest');
is(outcome('BURST'), 'done/MISE_EN_PAIEMENT 10', 'all of them to MISE_EN_PAIEMENT');
ok(deposited_once('BURST', 10), 'each deposited exactly once (500 on a deposit: searched before again)');

# no answer in time, a malformed one, a connection dropped after the deposit
$mock->control(faults => [
	{ path => 'deposer/flux', delay => 2, count => 1 },
	{ path => 'deposer/flux', drop_after_record => JSON::PP::true, count => 1 },
	{ path => 'deposer/flux', malformed => JSON::PP::true, count => 1 },
	{ path => 'historique', malformed => JSON::PP::true, count => 2 },
	{ path => 'consulterCRDetaille', delay => 2, count => 2 },
]);
submit('DOUBT', 4);
ok(ChorusTest::wait_at_rest($node), 'after timeouts, a dropped connection and malformed JSON, invoices come to rest');
is(outcome('DOUBT'), 'done/MISE_EN_PAIEMENT 4', 'all of them to MISE_EN_PAIEMENT')
  or diag($node->safe_psql('postgres', q{SELECT number, state, last_error, flux_number FROM bizinvoice.chorus_queue WHERE number LIKE 'DOUBT%'}), explain($mock->stats));
ok(deposited_once('DOUBT', 4),
	'each deposited exactly once: a deposit in doubt is found by number, not made twice');
like($node->safe_psql('postgres', q{
	SELECT string_agg(DISTINCT h.invoice_id::text, ',') FROM bizinvoice.status_history h
	JOIN bizinvoice.invoice i ON i.id = h.invoice_id WHERE i.number LIKE 'DOUBT-%'}),
	qr/^\d+,\d+,\d+,\d+$/, 'with their histories');

# one invoice refused for good does not hold back the others
$mock->control(faults => [ { path => 'deposer/flux', status => 400, count => 1 } ]);
submit('MIXED', 4);
ok(ChorusTest::wait_at_rest($node), 'invoices come to rest');
is(outcome('MIXED'), 'done/MISE_EN_PAIEMENT 3, failed/- 1', 'one failed, the others went through');
like($node->safe_psql('postgres',
		q{SELECT last_error FROM bizinvoice.chorus_queue WHERE number LIKE 'MIXED-%' AND state = 'failed'}),
	qr/^deposit refused: Chorus Pro answered 99999: injected fault$/, 'with the reason');

my ($requests, $retries, $errors) = split /\|/, $node->safe_psql('postgres',
	'SELECT requests, retries, errors FROM bizinvoice.worker_status');
cmp_ok($retries, '>', 20, 'worker_status counts the failed calls');
is($errors, 1, 'and errors: the one token request that failed');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bizinvoice.check_ledger()'), '0', 'the ledger holds');
is($node->safe_psql('postgres', q{SELECT count(*) FROM bizinvoice.fee_charge}),
	$node->safe_psql('postgres', q{SELECT count(*) FROM bizinvoice.chorus_outbox WHERE chorus_id IS NOT NULL}),
	'one fee per integrated invoice');

$node->stop;
$mock->stop;
done_testing();
