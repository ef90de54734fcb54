# The Chorus Pro worker and the server's life: the server killed with -9
# mid-transmission and restarted (every invoice deposited exactly once), the
# worker killed alone and restarted by the postmaster, SIGTERM obeyed at once
# even mid-transfer, SIGHUP reloading settings, and a standby sending nothing
# until it is promoted.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use ChorusTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $mock = ChorusTest::start_mock();
my $node = ChorusTest::node('crash', $mock, 'bizinvoice.chorus_doubt_window' => 10000,
	'restart_after_crash' => 'on');

sub worker_pid
{
	my ($n) = @_;
	$n->poll_query_until('postgres',
		q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'bizinvoice chorus worker'})
	  or return undef;
	return $n->safe_psql('postgres',
		q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'bizinvoice chorus worker'});
}

sub deposited_once
{
	my ($prefix, $n) = @_;
	my $deposits = $mock->stats->{deposits};
	my @numbers = grep { /^$prefix-/ } keys %$deposits;
	return (scalar(@numbers) == $n && !grep { $deposits->{$_} != 1 } @numbers)
	  || diag(explain({ map { $_ => $deposits->{$_} } @numbers }));
}

# -9 while deposits are in flight: slow answers keep them there
$mock->control(latency => 0.3);
$node->safe_psql('postgres', q{SELECT b2g('KILL-' || n) FROM generate_series(1, 40) n});
ok($node->poll_query_until('postgres', q{SELECT deposits >= 10 FROM bizinvoice.worker_status}),
	'deposits under way');
my $postmaster = $node->safe_psql('postgres', 'SELECT pid FROM pg_stat_activity WHERE backend_type IS NULL')
  || (split /\n/, slurp_file($node->data_dir . '/postmaster.pid'))[0];
$node->kill9;
# gone for good (and its children after it) before it starts again
usleep(100_000) while kill(0, $postmaster);
usleep(500_000);
$node->start;
my $in_doubt = $node->safe_psql('postgres',
	q{SELECT count(*) FROM bizinvoice.chorus_outbox WHERE state IN ('in_doubt', 'sending')});
note("$in_doubt deposits in doubt after the restart");
ok(ChorusTest::wait_at_rest($node, 120), 'after kill -9 and restart, every invoice comes to rest');
is($node->safe_psql('postgres', q{SELECT string_agg(DISTINCT state || '/' || b2g_status, ',')
								   FROM bizinvoice.chorus_queue WHERE number LIKE 'KILL-%'}),
	'done/MISE_EN_PAIEMENT', 'all of them to MISE_EN_PAIEMENT');
ok(deposited_once('KILL', 40), 'each deposited exactly once');
like($node->safe_psql('postgres', q{SELECT count(*) || ' ' || sum(t.amount)
	FROM bizinvoice.fee_charge f JOIN bizinvoice.transfer t ON t.id = f.transfer_id}),
	qr/^40 10.00$/, 'and charged its fee once');

# the worker alone killed: the postmaster restarts it (after a crash cycle)
my $pid = worker_pid($node);
kill 'KILL', $pid;
$node->poll_query_until('postgres', 'SELECT true') or die;
my $new_pid = worker_pid($node);
ok(defined $new_pid && $new_pid != $pid, 'a killed worker is started again');
$node->safe_psql('postgres', q{SELECT b2g('AFTER-' || n) FROM generate_series(1, 3) n});
ok(ChorusTest::wait_at_rest($node), 'and goes on working');

# SIGTERM mid-transfer: answers take 5 s, the worker must not wait for them
$mock->control(latency => 5);
$node->safe_psql('postgres', q{SELECT b2g('TERM-' || n) FROM generate_series(1, 3) n});
ok($node->poll_query_until('postgres', q{SELECT in_flight > 0 FROM bizinvoice.worker_status}),
	'requests in flight');
$pid = worker_pid($node);
my $start = time;
kill 'TERM', $pid;
usleep(20_000) while kill(0, $pid) && time - $start < 10;
my $took = time - $start;
ok($took < 1, sprintf('SIGTERM stops the worker mid-transfer within a second (%.2f s)', $took));
$mock->control(latency => 0);
ok(ChorusTest::wait_at_rest($node), 'restarted, it finishes what was cut short');
ok(deposited_once('TERM', 3), 'each deposited exactly once');

# SIGHUP: a new setting is taken without a restart
$pid = worker_pid($node);
$node->append_conf('postgresql.conf', "bizinvoice.chorus_concurrency = 3\n");
$node->reload;
$node->safe_psql('postgres', q{SELECT b2g('HUP-' || n) FROM generate_series(1, 5) n});
ok(ChorusTest::wait_at_rest($node), 'after SIGHUP the worker goes on');
is(worker_pid($node), $pid, 'in the same process');
like(slurp_file($node->logfile), qr/parameter "bizinvoice.chorus_concurrency" changed to "3"/,
	'with the new setting');

# a submit wakes the idle worker at its commit, long before its nap ends
$node->append_conf('postgresql.conf', "bizinvoice.chorus_naptime = '60s'\n");
$node->reload;
sleep 2;
my $deposits = $node->safe_psql('postgres', 'SELECT deposits FROM bizinvoice.worker_status');
$node->safe_psql('postgres', q{SELECT b2g('WAKE-1')});
{
	local $PostgreSQL::Test::Utils::timeout_default = 20;
	ok($node->poll_query_until('postgres', "SELECT deposits > $deposits FROM bizinvoice.worker_status"),
		'a submit wakes the worker napping for a minute');
}

# a standby sends nothing; promoted, it does
my $primary = PostgreSQL::Test::Cluster->new('quiet_primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', $mock->worker_conf('bizinvoice.chorus_database' => "''"));
$primary->start;
$primary->safe_psql('postgres', ChorusTest::setup_sql());
$primary->psql('postgres', q{SELECT b2g('STANDBY-' || n) FROM generate_series(1, 3) n});
$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->append_conf('postgresql.conf', $mock->worker_conf);
$standby->start;
$primary->wait_for_catchup($standby);
sleep 2;
is($standby->safe_psql('postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'bizinvoice chorus worker'}),
	'0', 'no worker runs on a standby');
is($standby->safe_psql('postgres', 'SELECT running FROM bizinvoice.worker_status'), 'f',
	'worker_status says so');
ok(!grep({ /^STANDBY-/ } keys %{ $mock->stats->{deposits} }), 'the standby sent nothing');
$primary->stop;
$standby->promote;
ok(ChorusTest::wait_at_rest($standby), 'promoted, it sends');
ok(deposited_once('STANDBY', 3), 'each once');

$standby->stop;
$node->stop;
$mock->stop;
done_testing();
