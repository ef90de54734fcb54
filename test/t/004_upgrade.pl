# Upgrading from each earlier release gives the same extension as installing
# the current version afresh: same functions, tables, columns, constraints,
# indexes, triggers, policies, grants, comments and dumped tables; and data
# written before is still there and usable after the upgrade.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

my $current = '0.9';
sub db { my ($v) = @_; $v =~ tr/./_/; return "from_$v" }
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION bizinvoice');
for my $old ('0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8')
{
	$node->safe_psql('postgres', "CREATE DATABASE " . db($old));
	# a B2B invoice, and a B2G one queued for Chorus Pro
	$node->safe_psql(db($old), qq{
		CREATE EXTENSION bizinvoice VERSION '$old';
		SELECT bizinvoice.register_party('{"name": "Alice SAS", "siret": "73282932000074"}');
		SELECT bizinvoice.register_party('{"name": "Bob SARL", "siret": "44306184100047"}');
		SELECT bizinvoice.register_party('{"kind": "public_structure", "name": "Mairie",
										   "siret": "35600000049837"}');
		SELECT bizinvoice.act_as(1);
		SELECT bizinvoice.submit(bizinvoice.create_invoice(jsonb_build_object(
			'number', 'F-' || b, 'issue_date', '2026-11-02', 'buyer', b,
			'lines', '[{"item_name": "A", "quantity": 2, "net_price": 50, "vat_rate": 20}]'::jsonb)))
		FROM generate_series(2, 3) b;
		-- a membership of a role dropped since (its OID free for a new role)
		CREATE ROLE upgrade_gone;
		INSERT INTO bizinvoice.party_member VALUES (1, 'upgrade_gone', false);
		DROP ROLE upgrade_gone;
		-- a draft like the first, left to submit after the upgrade
		SELECT bizinvoice.create_invoice(jsonb_build_object(
			'number', 'D-1', 'issue_date', '2026-11-02', 'buyer', 2,
			'lines', '[{"item_name": "A", "quantity": 2, "net_price": 50, "vat_rate": 20}]'::jsonb));
	});
	# Bob pays part of his invoice under a key (accounts 1 and 2: Alice's and Bob's)
	$node->safe_psql(db($old), q{
		SELECT bizinvoice.open_account(1), bizinvoice.open_account(2);
		SELECT bizinvoice.act_as(2);
		SELECT bizinvoice.fund(2, 500, 'wire', 'fund-before');
		SELECT bizinvoice.set_status(1, 'approved');
		SELECT bizinvoice.pay_invoice(1, 10, 'pay-before');
	});
	is($node->safe_psql(db($old),
		"SELECT extversion FROM pg_extension WHERE extname = 'bizinvoice'"), $old, "installed as $old");
	$node->safe_psql(db($old), 'ALTER EXTENSION bizinvoice UPDATE');
	is($node->safe_psql(db($old),
		"SELECT extversion FROM pg_extension WHERE extname = 'bizinvoice'"), $current,
		"updated from $old to $current");
}

# Everything of schema bizinvoice, by name, as text.
my %catalog = (
	functions => q{
		SELECT p.oid::regprocedure::text, p.prosrc, p.prosecdef, p.provolatile, p.proconfig,
			   p.proacl, obj_description(p.oid, 'pg_proc')
		FROM pg_proc p WHERE p.pronamespace = 'bizinvoice'::regnamespace ORDER BY 1},
	relations => q{
		SELECT c.relname, c.relkind, c.relacl, c.relrowsecurity, obj_description(c.oid, 'pg_class')
		FROM pg_class c WHERE c.relnamespace = 'bizinvoice'::regnamespace ORDER BY 1},
	columns => q{
		SELECT c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			   a.attgenerated, a.attcompression, a.attstorage, pg_get_expr(d.adbin, d.adrelid),
			   col_description(c.oid, a.attnum)
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
			 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE c.relnamespace = 'bizinvoice'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY 1, 3},
	constraints => q{
		SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
		FROM pg_constraint WHERE connamespace = 'bizinvoice'::regnamespace ORDER BY 1, 2},
	indexes => q{
		SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
		FROM pg_index WHERE indrelid IN (SELECT oid FROM pg_class
										 WHERE relnamespace = 'bizinvoice'::regnamespace)
		ORDER BY 1},
	triggers => q{
		SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
		FROM pg_trigger WHERE NOT tgisinternal
		  AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'bizinvoice'::regnamespace)
		ORDER BY 1, 2},
	policies => q{
		SELECT schemaname, tablename, policyname, roles, cmd, qual, with_check
		FROM pg_policies WHERE schemaname = 'bizinvoice' ORDER BY 2, 3},
	types => q{
		SELECT t.typname, t.typtype, obj_description(t.oid, 'pg_type'),
			   (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid)
		FROM pg_type t WHERE t.typnamespace = 'bizinvoice'::regnamespace ORDER BY 1},
	dumped => q{
		SELECT c.relname, e.extcondition[array_position(e.extconfig, c.oid)]
		FROM pg_extension e, unnest(e.extconfig) r(oid) JOIN pg_class c ON c.oid = r.oid
		WHERE e.extname = 'bizinvoice' ORDER BY 1},
	members => q{
		SELECT pg_describe_object(classid, objid, objsubid)
		FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
		  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'bizinvoice')
		ORDER BY 1});

for my $what (sort keys %catalog)
{
	my $fresh = $node->safe_psql('fresh', $catalog{$what});
	ok($fresh ne '', "$what: the fresh install has some");
	for my $old ('0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8')
	{
		is($node->safe_psql(db($old), $catalog{$what}), $fresh,
			"$what: upgraded from $old as installed afresh");
	}
}

for my $old ('0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8')
{
	# earlier data goes on: the invoice exports and validates
	is($node->safe_psql(db($old), q{
		SELECT count(*) FROM bizinvoice.validate_invoice(bizinvoice.export_invoice(1, 'cii'))
		WHERE severity = 'fatal'}), '0', "an invoice of $old exports as valid CII after the upgrade");
	# a payment made before, repeated with its key, is the same payment;
	# a new one goes through, and the ledger holds
	is($node->safe_psql(db($old), q{
		SELECT bizinvoice.act_as(2);
		SELECT bizinvoice.pay_invoice(1, 10, 'pay-before') = t.id AND count(*) OVER () = 1
		FROM bizinvoice.transfer t WHERE t.kind = 'payment';
		SELECT bizinvoice.pay_invoice(1, 5, 'pay-after') IS NOT NULL;
		SELECT paid || ' ' || (SELECT count(*) FROM bizinvoice.check_ledger())
		FROM bizinvoice.invoice_paid WHERE invoice_id = 1;
	}), "\nt\nt\n15.00 0", "a payment made under $old is repeated by its key, and paying goes on, after the upgrade");
	# the dropped role's membership is gone: a new role given its OID would have acted
	is($node->safe_psql(db($old), q{SELECT count(*) FROM bizinvoice.party_member}), '0',
		"a membership of a role dropped under $old is gone after the upgrade");
	# a draft made before is submitted as the first was
	is($node->safe_psql(db($old), q{
		SELECT bizinvoice.act_as(1);
		SELECT bizinvoice.submit(3);
		SELECT count(*) FROM (
			SELECT line_total, vat_total, payable_amount FROM bizinvoice.invoice WHERE id IN (1, 3)
			GROUP BY 1, 2, 3) t;
		SELECT string_agg(vat_category || vat_rate || '/' || taxable_amount || '/' || tax_amount, ' ')
		FROM bizinvoice.invoice_vat_breakdown GROUP BY invoice_id HAVING invoice_id IN (1, 3);
	}), "\nmade_available\n1\nS20.00/100.00/20.00\nS20.00/100.00/20.00",
		"a draft made under $old is submitted after the upgrade as one was before");
	# and the B2G invoice queued before waits for the worker like a new one
	is($node->safe_psql(db($old), q{SELECT state || ' ' || attempts FROM bizinvoice.chorus_queue}),
		'queued 0', "a B2G invoice queued under $old is queued for the worker");
}

$node->stop;
done_testing();
