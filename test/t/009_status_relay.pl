# bizinvoice.status_notify = relay: the worker of bizinvoice.chorus_database
# sends the notifications of status moves, in batches.  Every move is
# notified exactly once, by the worker, with its history id; two identical
# moves stay two notifications; moves made while the worker is away are sent
# when it is back, a crash of the server included; a database the worker
# does not serve notifies at commit.  An idle worker sleeps between naps.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run qw(start finish timeout);

my $node = PostgreSQL::Test::Cluster->new('relay');
$node->init;
$node->append_conf('postgresql.conf', q{
bizinvoice.chorus_database = 'postgres'
bizinvoice.status_notify = relay
bizinvoice.chorus_naptime = 100
});
$node->start;

my $setup = q{
	CREATE EXTENSION bizinvoice;
	SELECT bizinvoice.register_party('{"name": "Alice SAS", "siret": "73282932000074"}');
	SELECT bizinvoice.register_party('{"name": "Bob SARL", "siret": "44306184100047"}');
};
$node->safe_psql('postgres', $setup);
$node->safe_psql('postgres', 'CREATE DATABASE elsewhere');
$node->safe_psql('elsewhere', $setup);

# n invoices submitted (draft → deposited → made_available), approved and
# paid twice in part: five moves each, the last two alike
sub moves
{
	my ($db, $first, $n) = @_;
	$node->safe_psql($db, qq{
		SELECT bizinvoice.act_as(1);
		CREATE TEMP TABLE batch AS
		SELECT bizinvoice.create_invoice(jsonb_build_object(
			'number', 'R-' || i, 'issue_date', '2026-11-02', 'buyer', 2,
			'lines', '[{"item_name": "A", "quantity": 1, "net_price": 100, "vat_rate": 20}]'::jsonb)) AS id
		FROM generate_series($first, $first + $n - 1) i;
		SELECT bizinvoice.submit(id) FROM batch ORDER BY id;
		SELECT bizinvoice.act_as(2);
		SELECT bizinvoice.set_status(id, 'approved') FROM batch ORDER BY id;
		SELECT bizinvoice.set_status(id, 'partially_paid', amount => 10) FROM batch ORDER BY id;
		SELECT bizinvoice.set_status(id, 'partially_paid', amount => 20) FROM batch ORDER BY id;
	});
	return;
}

# A session listening while $work runs; the notifications it got, once
# nothing is left to relay.
sub listened
{
	my ($db, $work) = @_;
	my ($in, $out, $err) = ("LISTEN bizinvoice_status;\n", '', '');
	my $h = start([ 'psql', '-X', '-d', $node->connstr($db) ], \$in, \$out, \$err,
		timeout($PostgreSQL::Test::Utils::timeout_default));
	$h->pump until $out =~ /LISTEN/;
	$work->();
	$node->poll_query_until($db, 'SELECT count(*) = 0 FROM bizinvoice.status_event')
	  or die 'the queue was not relayed';
	$in .= "SELECT 'done';\n\\q\n";
	finish($h);
	my @got;
	while ($out =~ /payload "(\{.*?\})" received from server process with PID (\d+)/g)
	{
		push @got, { payload => $1, pid => $2 };
	}
	return @got;
}

sub history
{
	my ($db) = @_;
	return $node->safe_psql($db, q{
		SELECT string_agg(format('{"invoice_id": %s, "channel": "%s", "from": %s, "to": "%s", "history_id": %s}',
			invoice_id, channel, coalesce('"' || from_status || '"', 'null'), to_status, id), E'\n' ORDER BY id)
		FROM bizinvoice.status_history});
}

ok($node->poll_query_until('postgres', 'SELECT running FROM bizinvoice.worker_status'), 'the worker runs');
my $worker = $node->safe_psql('postgres', 'SELECT pid FROM bizinvoice.worker_status');

# idle without Chorus Pro credentials, it sleeps its naps (100 ms here): about
# 30 wake-ups in 3 s, not one a millisecond
sub wakeups
{
	open my $fh, '<', "/proc/$worker/status" or die "no /proc/$worker/status: $!";
	my ($n) = join('', <$fh>) =~ /^voluntary_ctxt_switches:\s+(\d+)/m;
	return $n;
}
my $before = wakeups();
sleep 3;
cmp_ok(wakeups() - $before, '<', 100, 'the idle worker sleeps between naps');

# 1. every move once, by the worker, as status_history has it
my @got = listened('postgres', sub { moves('postgres', 1, 40) });
is(scalar(@got), 200, '40 invoices: 200 notifications');
is(join("\n", sort { ($a =~ /"history_id": (\d+)/)[0] <=> ($b =~ /"history_id": (\d+)/)[0] }
		map { $_->{payload} } @got),
	history('postgres'), 'one for each move, with its history id');
is(scalar(grep { $_->{pid} != $worker } @got), 0, 'all sent by the worker');
is(scalar(grep { $_->{payload} =~ /"from": "partially_paid", "to": "partially_paid"/ } @got), 40,
	'identical moves are not folded into one');
my %seen;
my $ordered = 1;
for my $g (@got)
{
	my ($inv, $hid) = $g->{payload} =~ /"invoice_id": (\d+).*"history_id": (\d+)/;
	$ordered = 0 if ($seen{$inv} // 0) > $hid;
	$seen{$inv} = $hid;
}
ok($ordered, "each invoice's moves in order");

# 2. the worker away: moves are queued, then sent when it is back
$node->safe_psql('postgres', 'SELECT pg_terminate_backend(pid) FROM bizinvoice.worker_status');
@got = listened('postgres', sub {
	moves('postgres', 100, 5);
	ok($node->safe_psql('postgres', 'SELECT count(*) FROM bizinvoice.status_event') > 0,
		'moves made while the worker is away wait in the queue');
});
is(scalar(@got), 25, 'and are sent once it is back');
isnt($node->safe_psql('postgres', 'SELECT pid FROM bizinvoice.worker_status'), $worker,
	'by the worker started again');

# 2b. queued moves survive a crash: the server killed while they wait, they
# are sent once it is back (the queue is a table, not memory)
$node->safe_psql('postgres', 'SELECT pg_terminate_backend(pid) FROM bizinvoice.worker_status');
moves('postgres', 200, 4);
my $queued = $node->safe_psql('postgres', 'SELECT count(*) FROM bizinvoice.status_event');
ok($queued > 0, 'moves queued while the worker is away');
$node->stop('immediate');
$node->start;
ok($node->poll_query_until('postgres', 'SELECT count(*) = 0 FROM bizinvoice.status_event'),
	'after a crash and restart, the worker sends what was queued');

# 3. a database the worker does not serve: each move's own session notifies
@got = listened('elsewhere', sub { moves('elsewhere', 1, 3) });
is(scalar(@got), 15, 'elsewhere, every move notified');
is($node->safe_psql('elsewhere', 'SELECT count(*) FROM bizinvoice.status_event'), '0',
	'at commit, not queued');

$node->stop;
done_testing();
