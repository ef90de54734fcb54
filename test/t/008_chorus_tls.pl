# TLS verification is on: against a mock speaking HTTPS with a certificate
# no CA vouches for, the worker sends nothing (not even the credentials);
# given that certificate's CA through bizinvoice.chorus_ca_file and SIGHUP,
# it goes through.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use ChorusTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = PostgreSQL::Test::Utils::tempdir();
system("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout $dir/key.pem -out $dir/cert.pem "
	  . "-subj /CN=chorus-mock -addext subjectAltName=IP:127.0.0.1 2>/dev/null") == 0
  or die 'openssl could not make a certificate';

my $mock = ChorusTest::start_mock(600, "$dir/cert.pem", "$dir/key.pem");
my $node = ChorusTest::node('tls', $mock);
$node->safe_psql('postgres', q{SELECT b2g('TLS-1')});

ok($node->poll_query_until('postgres',
		q{SELECT token_fetches >= 2 AND last_error ~ 'certificate' FROM bizinvoice.worker_status}),
	'an unknown certificate is refused, and the worker says why');
my $stats = $mock->stats;
is($stats->{tokens}, 0, 'no token was asked for: the credentials never left');
is_deeply($stats->{deposits}, {}, 'nothing was deposited');
is($node->safe_psql('postgres', q{SELECT state FROM bizinvoice.chorus_queue}), 'queued',
	'the invoice waits');

$node->append_conf('postgresql.conf', "bizinvoice.chorus_ca_file = '$dir/cert.pem'\n");
$node->reload;
ok(ChorusTest::wait_at_rest($node), 'with the CA given, the invoice goes through');
is($node->safe_psql('postgres', q{SELECT state || ' ' || b2g_status FROM bizinvoice.chorus_queue}),
	'done MISE_EN_PAIEMENT', 'to MISE_EN_PAIEMENT');
is($mock->stats->{deposits}{'TLS-1'}, 1, 'deposited once');

$node->stop;
$mock->stop;
done_testing();
