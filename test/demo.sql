-- bizinvoice demo: what the extension does so far.
\getenv corpus BIZINVOICE_CORPUS
\pset footer off
\set ECHO queries
\set SHOW_CONTEXT never
CREATE EXTENSION bizinvoice;
SET search_path = bizinvoice, public;

\echo
\echo '== Identifiers as people type them, stored and shown in canonical form.'
SELECT '732 829 320'::siren AS siren,
	   '732.829.320.00074'::siret AS siret,
	   'fr76 3000 6000 0112 3456 7890 189'::iban AS iban,
	   'bnpa fr pp xxx'::bic AS bic,
	   vat_id_from_siren('732829320') AS vat_id;

SELECT iban_print('FR7630006000011234567890189') AS printed,
	   iban_country('DE89370400440532013000') AS country,
	   '44306184100047'::siret::siren AS siren_of_siret;

\echo
\echo '== A mistyped identifier is refused with the reason.'
\set ON_ERROR_STOP 0
SELECT '732829321'::siren;
SELECT 'FR7630006000011234567890188'::iban;
SELECT 'FR45732829320'::vat_id;
\set ON_ERROR_STOP 1

\echo
\echo '== Checking without raising, e.g. in a form or a CHECK.'
SELECT input, is_valid_siren(input) AS siren, is_valid_siret(input) AS siret
FROM (VALUES ('732 829 320'), ('732829321'), ('35600000049837')) AS t(input);

\echo
\echo '== Identifiers as keys: typed any way, one company.'
CREATE TABLE company (siren siren PRIMARY KEY, name text NOT NULL);
INSERT INTO company VALUES ('732829320', 'Sample SA');
\set ON_ERROR_STOP 0
INSERT INTO company VALUES ('732 829 320', 'Sample SA again');
\set ON_ERROR_STOP 1
SELECT * FROM company;

\echo
\echo '== Two companies and a town hall (a public structure reached on the platform).'
CREATE ROLE demo_alice IN ROLE bizinvoice_user;
CREATE ROLE demo_bob IN ROLE bizinvoice_user;
CREATE ROLE demo_town_clerk IN ROLE bizinvoice_user;
CREATE ROLE demo_town_accountant IN ROLE bizinvoice_user;
SELECT register_party('{"name": "Alice Conseil SAS", "siret": "732 829 320 00074", "city": "Paris",
	"members": ["demo_alice"]}') AS alice,
	   register_party('{"name": "Bob Industrie SARL", "siret": "443 061 841 00047", "city": "Lyon",
	"members": ["demo_bob"]}') AS bob,
	   register_party('{"kind": "public_structure", "name": "Mairie de Sample", "siret": "35600000049837",
	"delivery": "direct", "requires_service_code": true, "services": [{"code": "VOIRIE", "name": "Voirie"}],
	"members": ["demo_town_clerk", {"role": "demo_town_accountant", "accountant": true}]}') AS town
\gset
SELECT id, kind, name, siren, siret, vat_id, delivery FROM party ORDER BY id;

\echo
\echo '== Alice writes a draft from JSON, then submits it: checked, totalled, frozen, delivered.'
SET ROLE demo_alice;
SELECT act_as(:alice);
SELECT create_invoice('{
  "number": "F-2026-0042", "issue_date": "2026-11-02", "due_date": "2026-12-02",
  "buyer": {"siret": "44306184100047"},
  "payment": {"iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "BNPAFRPP"},
  "notes": [{"subject_code": "PMT", "text": "Indemnité forfaitaire pour frais de recouvrement : 40 €"}],
  "lines": [
    {"item_name": "Conseil", "quantity": 3, "unit_code": "DAY", "net_price": 850, "vat_rate": 20},
    {"item_name": "Frais de déplacement", "quantity": 1, "net_price": 120.45, "vat_rate": 20},
    {"item_name": "Ouvrage", "quantity": 2, "net_price": 24.90, "vat_rate": 5.5}
  ]}') AS inv \gset
SELECT submit(:inv);
SELECT vat_category, vat_rate, taxable_amount, tax_amount FROM invoice_vat_breakdown
WHERE invoice_id = :inv ORDER BY vat_rate;
SELECT line_total, tax_exclusive_total, vat_total, payable_amount FROM invoice WHERE id = :inv;
RESET ROLE;

\echo
\echo '== The same invoice as EN 16931 XML: UBL for Chorus Pro and most software, CII for Factur-X.'
SET ROLE demo_alice;
SELECT act_as(:alice);
CREATE TEMP TABLE exported AS SELECT export_invoice(:inv, 'ubl')::text AS ubl;
SELECT string_agg(line, E'\n' ORDER BY n) AS first_lines_of_the_ubl
FROM exported, regexp_split_to_table(ubl, E'\n') WITH ORDINALITY AS l(line, n) WHERE n <= 14;
SELECT format, count(v.*) FILTER (WHERE v.severity = 'fatal') AS fatal_findings
FROM (VALUES ('ubl'), ('cii')) f(format)
	 LEFT JOIN LATERAL validate_invoice(export_invoice(:inv, f.format)) v ON true
GROUP BY format ORDER BY format;
RESET ROLE;

\echo
\echo '== A document from elsewhere: validated (an error names its rule and where), then imported.'
SELECT v.rule_id, v.severity, v.location, v.message
FROM exported, validate_invoice(regexp_replace(ubl, '(<cbc:PayableAmount currencyID="EUR">)[0-9.]+', '\19999.99')) v;
-- an administrator, acting for no party, imports for the document's seller
SELECT act_as(NULL);
SET client_min_messages = warning;
SELECT import_invoice(pg_read_binary_file(:'corpus' || '/french/ubl-21-en16931.xml')) AS imported \gset
RESET client_min_messages;
SELECT i.number, s.name AS supplier, b.name AS buyer, i.channel, i.b2b_status,
	   (SELECT count(*) FROM invoice_line WHERE invoice_id = i.id) AS lines,
	   cardinality(src.not_mapped) AS terms_not_held
FROM invoice i JOIN party s ON s.id = i.supplier_id JOIN party b ON b.id = i.buyer_id
	 JOIN invoice_source src ON src.invoice_id = i.id
WHERE i.id = :imported;

\echo
\echo '== Payment accounts: Bob and the town hall fund theirs.'
SELECT open_account(:alice) AS alice_eur, open_account(:bob) AS bob_eur,
	   open_account(:town) AS town_eur \gset
SET ROLE demo_bob;
SELECT act_as(:bob);
SELECT fund(:bob_eur, 5000, 'virement initial', 'demo-fund-1');
-- the same request again (same idempotency key) moves nothing twice
SELECT fund(:bob_eur, 5000, 'virement initial', 'demo-fund-1');
RESET ROLE;
SET ROLE demo_town_accountant;
SELECT act_as(:town);
SELECT fund(:town_eur, 10000, 'budget voirie', 'demo-fund-2');
RESET ROLE;

\echo
\echo '== Bob reads his inbox (the read receipt), approves, and pays in two parts.'
SET ROLE demo_bob;
SELECT act_as(:bob);
SELECT number, supplier, payable_amount, status, first_read FROM inbox;
SELECT set_status(:inv, 'approved');
SELECT pay_invoice(:inv, 1500, idempotency_key => 'demo-pay-1');
SELECT invoice_outstanding(:inv), b2b_status FROM invoice WHERE id = :inv;
\set ON_ERROR_STOP 0
SELECT pay_invoice(:inv, 5000, idempotency_key => 'demo-pay-2');
\set ON_ERROR_STOP 1
SELECT pay_invoice(:inv, NULL, idempotency_key => 'demo-pay-3');
SELECT invoice_outstanding(:inv), b2b_status FROM invoice WHERE id = :inv;
RESET ROLE;

\echo
\echo '== A scheduled payment (CASH invoicing): paid by the platform on the due date.'
SET ROLE demo_alice;
SELECT act_as(:alice);
SELECT create_invoice(format('{"number": "F-2026-0044", "issue_date": "2026-11-15", "due_date": "2026-12-15",
	"buyer": %s, "lines": [{"item_name": "Maintenance", "quantity": 1, "net_price": 400, "vat_rate": 20}]}',
	:bob)::jsonb) AS sched \gset
SELECT submit(:sched);
RESET ROLE;
SET ROLE demo_bob;
SELECT act_as(:bob);
SELECT set_status(:sched, 'approved'), schedule_payment(:sched);
RESET ROLE;
SELECT * FROM run_scheduled_payments('2026-12-14');
SELECT * FROM run_scheduled_payments('2026-12-15');

\echo
\echo '== Alice bills the town hall; its clerk certifies, its accountant pays.'
SET ROLE demo_alice;
SELECT act_as(:alice);
SELECT create_invoice(format('{"number": "F-2026-0043", "issue_date": "2026-11-05", "buyer": %s,
	"buyer_reference": "VOIRIE",
	"lines": [{"item_name": "Étude de voirie", "quantity": 1, "net_price": 4200, "vat_rate": 20}]}',
	:town)::jsonb) AS g \gset
SELECT submit(:g);
RESET ROLE;
SET ROLE demo_town_clerk;
SELECT act_as(:town);
SELECT set_status(:g, 'SERVICE_FAIT'), set_status(:g, 'MANDATEE');
RESET ROLE;
SET ROLE demo_town_accountant;
SELECT act_as(:town);
SELECT pay_invoice(:g, idempotency_key => 'demo-pay-g');
RESET ROLE;

\echo
\echo '== Alice bills the prefecture, reached through Chorus Pro (here a local stand-in): the'
\echo '   worker checks the directory, deposits the UBL, follows the flux and the statuses; 0.25 € fee.'
SELECT chorus_set_credentials('bizinvoice-test', 'piste-secret', 'TECH_bizinvoice@cpro.fr', 'cpro-password');
SELECT register_party('{"kind": "public_structure", "name": "Préfecture de Sample", "siret": "55210055400013",
	"services": [{"code": "ACHATS", "name": "Achats"}]}') AS prefecture \gset
SET ROLE demo_alice;
SELECT act_as(:alice);
SELECT create_invoice(format('{"number": "F-2026-0045", "issue_date": "2026-11-20", "buyer": %s,
	"buyer_reference": "ACHATS", "purchase_order": "EJ-2026-118",
	"lines": [{"item_name": "Formation", "quantity": 2, "unit_code": "DAY", "net_price": 900, "vat_rate": 20}]}',
	:prefecture)::jsonb) AS cp \gset
SELECT submit(:cp);
RESET ROLE;
-- the worker does the rest; wait for it (at most a minute)
SELECT set_config('demo.cp', :'cp', false) \g /dev/null
DO $$
BEGIN
	FOR i IN 1 .. 600 LOOP
		EXIT WHEN (SELECT state = 'done' FROM bizinvoice.chorus_queue
				   WHERE invoice_id = current_setting('demo.cp')::bigint);
		PERFORM pg_sleep(0.1);
	END LOOP;
END
$$;
SELECT number, state, flux_number, flux_state, chorus_id, chorus_status, fee_charged
FROM chorus_queue WHERE invoice_id = :cp;
SELECT from_status, to_status, raw_code, actor FROM status_history WHERE invoice_id = :cp ORDER BY id;
SELECT running, requests, deposits, token_fetches, errors FROM worker_status;

\echo
\echo '== Balances, Bob''s statement, and the ledger''s own check.'
SELECT party, kind, currency, balance, available FROM account_balances ORDER BY account_id;
SELECT kind, reference, debit, credit, balance
FROM account_statement(:bob_eur, current_date, current_date) ORDER BY transfer_id NULLS FIRST;
SELECT count(*) AS ledger_violations FROM check_ledger();

\echo
\echo '== Every move is kept (append-only), with who made it and as what.'
SELECT invoice_id, from_status, to_status, changed_by, actor, amount FROM status_history ORDER BY id;

\echo
\echo '== The status views, B2B and B2G side by side (as Alice sees them).'
SET ROLE demo_alice;
SELECT act_as(:alice);
SELECT channel, number, buyer, payable_amount, status, status_label_fr, status_code, final
FROM invoice_status ORDER BY invoice_id;
SELECT * FROM status_summary ORDER BY channel, status;
RESET ROLE;
SELECT channel, count(*) AS rules FROM status_transitions GROUP BY channel ORDER BY channel;

\echo
\echo '== Alice''s books for 2026, as her accounting software takes them: the FEC (sales, purchases,'
\echo '   VAT, payments, the Chorus Pro fee), under its official name; then her invoices as CSV.'
SET ROLE demo_alice;
SELECT act_as(:alice);
SELECT fec_file_name(:alice, '2026-12-31') AS fec_file_name;
\pset format unaligned
\pset tuples_only on
SELECT replace(fec_file(:alice, '2026-01-01', '2026-12-31'), E'\r', '');
SELECT replace(invoices_csv(:alice, '2026-01-01', '2026-12-31'), E'\r', '');
\pset format aligned
\pset tuples_only off
SELECT number, file_name FROM export_invoices(:alice, '2026-01-01', '2026-12-31', 'ubl') ORDER BY invoice_id;
RESET ROLE;

\echo
\echo '== Status notifications: every move sends NOTIFY bizinvoice_status. Under the default'
\echo '   bizinvoice.status_notify = relay, the worker sends them in batches, from its own process'
\echo '   (commits no longer queue behind one another): Alice archives her two cashed invoices.'
LISTEN bizinvoice_status;
SET ROLE demo_alice;
SELECT act_as(:alice);
SELECT number, set_status(id, 'archived') FROM invoice
WHERE supplier_id = :alice AND b2b_status = 'cashed' ORDER BY id;
RESET ROLE;
SELECT pid AS worker_pid FROM worker_status;
SELECT pg_sleep(0.5) AS worker_relaying;
SELECT count(*) AS still_queued FROM status_event;
UNLISTEN *;
