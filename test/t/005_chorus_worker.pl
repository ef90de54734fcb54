# The Chorus Pro worker against the loopback mock: the happy path to
# MISE_EN_PAIEMENT with its fee, the directory checks (unknown buyer, missing
# or inactive service code), a duplicate number, the three returns with
# Chorus Pro's own messages, sending again, and the secrets kept secret.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use ChorusTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $mock = ChorusTest::start_mock();
my $node = ChorusTest::node('chorus', $mock);
$mock->control(preexisting => [ { number => 'PORTAIL-1', supplier => '73282932000074',
								 buyer => '35600000049837', date => '2026-10-01', amount => '120.00' } ]);

# the worker runs and says so
ok($node->poll_query_until('postgres', 'SELECT running FROM bizinvoice.worker_status'),
	'the worker runs');

$node->safe_psql('postgres', q{
	SELECT b2g('OK-1'), b2g('OK-2'), b2g('RECYCLE-1'), b2g('SUSPEND-1'), b2g('REJECT-1'),
		   b2g('PORTAIL-1'), b2g('NOSVC-1', service => NULL),
		   b2g('OFF-1', service => 'ECOLES'), b2g('UNKNOWN-1', buyer => '13000548100010');
});
ok(ChorusTest::wait_at_rest($node), 'every transmission comes to rest');

my %state = map { split /\|/ } split /\n/, $node->safe_psql('postgres',
	q{SELECT number || '|' || state || ' ' || coalesce(b2g_status::text, '-')
	  FROM bizinvoice.chorus_queue ORDER BY invoice_id});
is($state{'OK-1'}, 'done MISE_EN_PAIEMENT', 'an invoice is followed to MISE_EN_PAIEMENT');
is($state{'OK-2'}, 'done MISE_EN_PAIEMENT', 'and another one');
is($node->safe_psql('postgres', q{
	SELECT string_agg(coalesce(from_status::text, '-') || '>' || to_status, ' ' ORDER BY h.id)
	FROM bizinvoice.status_history h JOIN bizinvoice.invoice i ON i.id = h.invoice_id
	WHERE i.number = 'OK-1'}),
	'->DEPOSEE DEPOSEE>MISE_A_DISPOSITION MISE_A_DISPOSITION>SERVICE_FAIT SERVICE_FAIT>MANDATEE '
	  . 'MANDATEE>MISE_A_DISPOSITION_COMPTABLE MISE_A_DISPOSITION_COMPTABLE>COMPTABILISEE '
	  . 'COMPTABILISEE>MISE_EN_PAIEMENT',
	'its whole life cycle is in the history, raw codes kept');

# returns to the supplier, with Chorus Pro's message
is($state{'RECYCLE-1'}, 'following A_RECYCLER', 'A_RECYCLER is followed');
is($state{'SUSPEND-1'}, 'following SUSPENDUE', 'SUSPENDUE is followed');
is($state{'REJECT-1'}, 'done REJETEE', 'REJETEE is final');
is($node->safe_psql('postgres', q{
	SELECT string_agg(i.number || ': ' || h.reason, '; ' ORDER BY i.number)
	FROM bizinvoice.status_history h JOIN bizinvoice.invoice i ON i.id = h.invoice_id
	WHERE h.to_status IN ('A_RECYCLER', 'SUSPENDUE', 'REJETEE')}),
	"RECYCLE-1: Code service inconnu du destinataire; REJECT-1: Montant erroné; "
	  . "SUSPEND-1: Pièce justificative manquante",
	'returns carry Chorus Pro\'s own message');

# the supplier answers: re-routes the one sent back, completes the suspended one
my ($rc, $out, $err) = $node->psql('postgres', q{
	SELECT bizinvoice.act_as(1);
	SELECT bizinvoice.chorus_resend(id) FROM bizinvoice.invoice WHERE number = 'RECYCLE-1'});
like($err, qr/cannot be re-routed/, 're-routing needs the corrected routing');
is($node->safe_psql('postgres', q{
	SELECT bizinvoice.act_as(1);
	SELECT bizinvoice.chorus_resend(id, purchase_order => 'EJ-2026-9') FROM bizinvoice.invoice WHERE number = 'RECYCLE-1';
	SELECT bizinvoice.chorus_resend(id, comment => 'Bon de livraison joint') FROM bizinvoice.invoice WHERE number = 'SUSPEND-1'}),
	"\nrecycled\ncompleted", 'the supplier re-routes one and completes the other');
ok($node->poll_query_until('postgres', q{SELECT count(*) = 2 FROM bizinvoice.chorus_queue
										  WHERE number IN ('RECYCLE-1', 'SUSPEND-1') AND state = 'done'}),
	'both go on to the end');
is($node->safe_psql('postgres', q{
	SELECT string_agg(i.number || ': ' || h.from_status || '>' || h.to_status || '/' || h.raw_code, ', '
					  ORDER BY i.number, h.id)
	FROM bizinvoice.status_history h JOIN bizinvoice.invoice i ON i.id = h.invoice_id
	WHERE h.from_status IN ('A_RECYCLER', 'SUSPENDUE')}),
	'RECYCLE-1: A_RECYCLER>DEPOSEE/DEPOSEE, SUSPEND-1: SUSPENDUE>MISE_A_DISPOSITION/COMPLETEE',
	'back from A_RECYCLER and SUSPENDUE, raw codes kept');
is($node->safe_psql('postgres', q{SELECT purchase_order FROM bizinvoice.invoice WHERE number = 'RECYCLE-1'}),
	'EJ-2026-9', 'the re-routed invoice carries its new commitment');
is($mock->stats->{deposits}{'RECYCLE-1'}, 1, 'and was not deposited again');

# refused before sending, with the reason
is($state{'NOSVC-1'}, 'refused -', 'a missing service code is refused before sending');
is($state{'OFF-1'}, 'refused -', 'an inactive service is refused before sending');
is($state{'UNKNOWN-1'}, 'refused -', 'a buyer Chorus Pro does not know is refused before sending');
like($node->safe_psql('postgres',
		q{SELECT string_agg(last_error, ' | ' ORDER BY number) FROM bizinvoice.chorus_queue
		  WHERE state = 'refused'}),
	qr/requires a service code.*"ECOLES" is not an active service.*not a structure of the Chorus Pro directory/,
	'each refusal says why');
my $stats = $mock->stats;
ok(!exists $stats->{deposits}{'NOSVC-1'} && !exists $stats->{deposits}{'UNKNOWN-1'}
	  && !exists $stats->{deposits}{'OFF-1'},
	'nothing refused was sent');

# the directory, now known, refuses at once when submitting
($rc, $out, $err) = $node->psql('postgres', q{SELECT b2g('NOSVC-2', service => NULL)});
like($err, qr/DETAIL:  Mairie de Sample requires a service code/,
	'submit refuses at once what the directory says (its record follows the directory)');
is($node->safe_psql('postgres', q{SELECT count(*) FROM bizinvoice.invoice WHERE number = 'NOSVC-2'}),
	'0', 'and nothing of it stays');
($rc, $out, $err) = $node->psql('postgres', q{SELECT b2g('FP-1', service => 'FACTURES_PUBLIQUES')});
like($err, qr/cannot be sent to Chorus Pro\nDETAIL:  Service code FACTURES_PUBLIQUES is reserved/,
	'FACTURES_PUBLIQUES is refused, though the directory lists it');

# a number Chorus Pro already has: the flux is rejected, with its message
is($state{'PORTAIL-1'}, 'rejected -', 'a duplicate number is rejected by Chorus Pro');
like($node->safe_psql('postgres', q{SELECT last_error FROM bizinvoice.chorus_queue WHERE number = 'PORTAIL-1'}),
	qr/rejected flux CPP\d+ \(IN_REJETE\): Doublon/, 'with the flux report\'s message');

# exactly one deposit each, one fee per integrated invoice
$stats = $mock->stats;
is_deeply([ sort map { "$_=$stats->{deposits}{$_}" } keys %{ $stats->{deposits} } ],
	[ 'OK-1=1', 'OK-2=1', 'PORTAIL-1=1', 'RECYCLE-1=1', 'REJECT-1=1', 'SUSPEND-1=1' ],
	'each invoice sent was deposited once');
is($node->safe_psql('postgres', q{
	SELECT count(*) || ' fees, ' || sum(t.amount) || ' EUR'
	FROM bizinvoice.fee_charge f JOIN bizinvoice.transfer t ON t.id = f.transfer_id
	WHERE f.event = 'chorus_transmission'}),
	'5 fees, 1.25 EUR', 'the 0.25 EUR fee is charged once per integrated invoice');
is($node->safe_psql('postgres', q{SELECT balance FROM bizinvoice.account_balances WHERE party_id = 1}),
	'98.75', 'from the supplier\'s account');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bizinvoice.check_ledger()'), '0',
	'the ledger holds');

# the supplier sends a refused invoice again once the directory changed
$mock->control(structures => [ { siret => '13000548100010', id => 44, name => 'Régie',
								 services => [ { code => 'VOIRIE', name => 'Voirie' } ] } ]);
$node->safe_psql('postgres', q{
	SELECT bizinvoice.act_as(1);
	SELECT bizinvoice.chorus_resend(id) FROM bizinvoice.invoice WHERE number = 'UNKNOWN-1';
});
ok(ChorusTest::wait_at_rest($node), 'the invoice sent again comes to rest');
is($node->safe_psql('postgres', q{SELECT state || ' ' || coalesce(b2g_status::text, last_error)
								   FROM bizinvoice.chorus_queue WHERE number = 'UNKNOWN-1'}),
	'done MISE_EN_PAIEMENT', 'and goes through once the directory knows its buyer');
($rc, $out, $err) = $node->psql('postgres', q{
	SELECT bizinvoice.act_as(1);
	SELECT bizinvoice.chorus_resend(id) FROM bizinvoice.invoice WHERE number = 'OK-1'});
like($err, qr/cannot be sent again.*\n.*DETAIL:  Its transmission is done/,
	'an invoice Chorus Pro has is not sent again');

# secrets: superusers only, never in a setting or in the log
$node->safe_psql('postgres', q{
	CREATE ROLE clerk LOGIN IN ROLE bizinvoice_admin, bizinvoice_reader;
});
($rc, $out, $err) = $node->psql('postgres', 'SELECT * FROM bizinvoice.chorus_credential',
	extra_params => [ '-U', 'clerk' ]);
like($err, qr/permission denied/, 'an administrator cannot read the credentials');
($rc, $out, $err) = $node->psql('postgres',
	q{SELECT bizinvoice.chorus_set_credentials('a', 'b', 'c', 'd')}, extra_params => [ '-U', 'clerk' ]);
like($err, qr/permission denied/, 'nor set them');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_settings
								   WHERE name LIKE 'bizinvoice.%' AND setting ~ 'secret|password'}),
	'0', 'no setting holds a secret');
my @log = split /\n/, slurp_file($node->logfile);
my %worker = map { /\[(\d+)\].*Chorus Pro worker started/ ? ($1 => 1) : () } @log;
my @worker_log = grep { /\[(\d+)\]/ && $worker{$1} } @log;
ok(@worker_log > 0 && !grep({ /piste-secret|cpro-password|VEVDSF9iaXppbnZvaWNl/ } @worker_log),
	'the worker\'s log lines show no secret');
is($node->safe_psql('postgres', q{SELECT count(*) FROM bizinvoice.chorus_queue}),
	'9', 'the queue lists every transmission');
is($node->psql('postgres', 'SELECT count(*) FROM bizinvoice.chorus_queue', extra_params => [ '-U', 'clerk' ]),
	0, 'a reporting role reads the queue');

$node->stop;
$mock->stop;
done_testing();
