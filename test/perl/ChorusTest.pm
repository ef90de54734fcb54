# What the Chorus Pro TAP tests share: the loopback mock (test/chorus_mock.py)
# and a cluster whose worker talks to it, with a supplier, public structures
# and a helper to submit B2G invoices.
package ChorusTest;

use strict;
use warnings;
use File::Basename qw(dirname);
use HTTP::Tiny;
use JSON::PP qw(encode_json decode_json);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Time::HiRes qw(usleep);

# The mock, on a free loopback port; it stops by itself after $lifetime s.
# With a certificate and key, it speaks HTTPS.
sub start_mock
{
	my ($lifetime, $cert, $key) = @_;
	my $port_file = PostgreSQL::Test::Utils::tempdir() . '/mock.port';
	my $script = dirname(__FILE__) . '/../chorus_mock.py';
	my $pid = fork() // die "fork: $!";
	if ($pid == 0)
	{
		exec('/usr/bin/python3', $script, '--port-file', $port_file,
			'--lifetime', $lifetime // 600, $cert ? ('--tls', $cert, $key) : ())
		  or die "exec: $!";
	}
	for (1 .. 100)
	{
		last if -s $port_file;
		usleep(100_000);
	}
	open my $fh, '<', $port_file or die "the Chorus Pro mock did not start";
	my $port = <$fh>;
	chomp $port;
	return bless { pid => $pid, port => $port, scheme => $cert ? 'https' : 'http',
		http => HTTP::Tiny->new(timeout => 30) };
}

# HTTP::Tiny speaks no TLS without IO::Socket::SSL: curl does, for the mock's own URLs
sub request
{
	my ($self, $method, $path, $body) = @_;
	return $self->{http}->request($method, $self->url . $path, { content => $body // '' })
	  if $self->{scheme} eq 'http';
	my $out = `curl -sk -X $method --data-binary \@- '@{[ $self->url . $path ]}' <<'EOF'
@{[ $body // '' ]}
EOF
`;
	return { success => $? == 0, status => $?, content => $out };
}

sub url { return "$_[0]{scheme}://127.0.0.1:$_[0]{port}" }

sub control
{
	my ($self, %args) = @_;
	my $r = $self->request('POST', '/_control', encode_json(\%args));
	die "mock control failed: $r->{status}" unless $r->{success};
	return;
}

sub stats
{
	my ($self) = @_;
	my $r = $self->request('GET', '/_stats');
	die "mock stats failed: $r->{status}" unless $r->{success};
	return decode_json($r->{content});
}

sub stop
{
	my ($self) = @_;
	return unless $self->{pid};
	kill 'TERM', $self->{pid};
	waitpid($self->{pid}, 0);
	$self->{pid} = 0;
	return;
}

sub DESTROY { $_[0]->stop }

# The settings that point a worker at the mock, with quick polls.
sub worker_conf
{
	my ($self, %over) = @_;
	my %conf = (
		'bizinvoice.chorus_database' => "'postgres'",
		'bizinvoice.chorus_token_url' => "'" . $self->url . "/api/oauth/token'",
		'bizinvoice.chorus_api_url' => "'" . $self->url . "'",
		'bizinvoice.chorus_naptime' => 50,
		'bizinvoice.chorus_flux_interval' => 100,
		'bizinvoice.chorus_status_interval' => 100,
		'bizinvoice.chorus_retry_base' => 50,
		'bizinvoice.chorus_retry_max' => 500,
		'bizinvoice.chorus_timeout' => 2000,
		'bizinvoice.chorus_doubt_window' => 1500,
		%over);
	return join('', map { "$_ = $conf{$_}\n" } sort keys %conf);
}

# The directory the mock starts with: the town hall needs a service code.
sub directory
{
	return [
		{ siret => '35600000049837', id => 42, name => 'Mairie de Sample',
		  service_required => JSON::PP::true,
		  services => [ { code => 'VOIRIE', name => 'Voirie' },
						{ code => 'ECOLES', name => 'Écoles', active => JSON::PP::false },
						{ code => 'FACTURES_PUBLIQUES', name => 'Factures publiques' } ] },
		{ siret => '55210055400013', id => 43, name => 'Préfecture' },
	];
}

# Parties on the platform: Alice (funded), the town hall, the prefecture,
# and a structure Chorus Pro does not know; b2g() submits an invoice.
sub setup_sql
{
	return q{
	CREATE EXTENSION bizinvoice;
	SELECT bizinvoice.chorus_set_credentials('bizinvoice-test', 'piste-secret',
		'TECH_bizinvoice@cpro.fr', 'cpro-password');
	SELECT bizinvoice.register_party('{"name": "Alice Conseil SAS", "siret": "73282932000074"}');
	SELECT bizinvoice.register_party(jsonb_build_object('kind', 'public_structure', 'name', n,
		'siret', s, 'services', '[{"code": "VOIRIE", "name": "Voirie"}, {"code": "ECOLES", "name": "Écoles"}]'::jsonb))
	FROM (VALUES ('Mairie de Sample', '35600000049837'), ('Préfecture', '55210055400013'),
				 ('Régie inconnue', '13000548100010')) v(n, s);
	SELECT bizinvoice.fund(bizinvoice.open_account(1), 100, 'initial', 'fund-1');
	CREATE FUNCTION b2g(number text, buyer text DEFAULT '35600000049837',
						service text DEFAULT 'VOIRIE') RETURNS bigint
	LANGUAGE plpgsql AS $$
	DECLARE
		id bigint;
	BEGIN
		PERFORM bizinvoice.act_as(1, local => true);
		id := bizinvoice.create_invoice(jsonb_build_object('number', number, 'issue_date', '2026-11-02',
			'buyer', jsonb_build_object('siret', buyer), 'buyer_reference', service,
			'lines', jsonb_build_array(jsonb_build_object('item_name', 'Entretien', 'quantity', 1,
														  'net_price', 100, 'vat_rate', 20))));
		PERFORM bizinvoice.submit(id);
		RETURN id;
	END
	$$;
	};
}

# A primary whose worker talks to the mock (directory loaded), set up.
sub node
{
	my ($name, $mock, %conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(allows_streaming => 1);
	$node->append_conf('postgresql.conf', $mock->worker_conf(%conf));
	$node->start;
	$mock->control(structures => directory());
	$node->safe_psql('postgres', setup_sql());
	return $node;
}

# Waits until every transmission is at rest: done, refused, rejected,
# failed, or back with the supplier (A_RECYCLER, SUSPENDUE).
sub wait_at_rest
{
	my ($node, $seconds) = @_;
	local $PostgreSQL::Test::Utils::timeout_default = $seconds // 60;
	return $node->poll_query_until('postgres',
		q{SELECT count(*) = 0 FROM bizinvoice.chorus_queue
		  WHERE state NOT IN ('done', 'refused', 'rejected', 'failed')
			AND NOT (state = 'following' AND b2g_status IN ('A_RECYCLER', 'SUSPENDUE'))});
}

1;
