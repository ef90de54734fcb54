-- Who sees and does what: grants, row-level security, and pg_dump.
--
-- Functions that run with raised rights (SECURITY DEFINER) pin search_path.
-- The internal functions only they call carry no SET clause: they run under
-- their caller's pinned path, and a SET clause costs each call a change of
-- configuration (a payment makes a dozen such calls: a sixth of its time).

GRANT USAGE ON SCHEMA bizinvoice TO PUBLIC;	-- the identifier types are for everyone

DO $$
BEGIN
	-- role hierarchy: admin > user > reader (once per cluster)
	IF NOT pg_has_role('bizinvoice_user', 'bizinvoice_reader', 'MEMBER') THEN
		GRANT bizinvoice_reader TO bizinvoice_user;
	END IF;
	IF NOT pg_has_role('bizinvoice_admin', 'bizinvoice_user', 'MEMBER') THEN
		GRANT bizinvoice_user TO bizinvoice_admin;
	END IF;
END
$$;

GRANT SELECT ON account, transfer, account_balances, invoice_paid TO bizinvoice_reader;
GRANT INSERT ON account TO bizinvoice_admin;
REVOKE ALL ON FUNCTION system_account(text, text), fund(bigint, numeric, text, text),
	withdraw(bigint, numeric, iban, text), pay_invoice(bigint, numeric, text),
	open_account(bigint, text, numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fund(bigint, numeric, text, text), withdraw(bigint, numeric, iban, text),
	pay_invoice(bigint, numeric, text) TO bizinvoice_user;
GRANT EXECUTE ON FUNCTION open_account(bigint, text, numeric) TO bizinvoice_admin;
-- the ledger's check needs every row: not for parties, who see their own
REVOKE ALL ON FUNCTION check_ledger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION check_ledger() TO bizinvoice_admin;
GRANT SELECT ON fee_schedule, fee_charge, fees_by_month, payment_authorization TO bizinvoice_reader;
REVOKE ALL ON FUNCTION authorize_payment(bigint, numeric, text), settle(bigint, numeric, text),
	void(bigint, text), check_payable(invoice, boolean), open_authorization(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authorize_payment(bigint, numeric, text), settle(bigint, numeric, text),
	void(bigint, text) TO bizinvoice_user;
GRANT SELECT ON scheduled_payment TO bizinvoice_reader;
REVOKE ALL ON FUNCTION schedule_payment(bigint), run_scheduled_payments(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION schedule_payment(bigint) TO bizinvoice_user;
GRANT EXECUTE ON FUNCTION run_scheduled_payments(date) TO bizinvoice_admin;
GRANT INSERT ON fee_schedule TO bizinvoice_admin;
REVOKE ALL ON FUNCTION charge_fee(bigint, text), reverse_transfer(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION charge_fee(bigint, text), reverse_transfer(bigint, text, text) TO bizinvoice_admin;

GRANT SELECT ON party, public_service, party_member, invoice, invoice_line,
	invoice_allowance_charge, invoice_vat_breakdown, invoice_note, invoice_attachment,
	status_history, chorus_outbox, status_catalog, status_transitions, invoice_status,
	status_summary, receivables_aging, inbox, outbox
	TO bizinvoice_reader;
GRANT INSERT, UPDATE, DELETE ON party, public_service, party_member TO bizinvoice_admin;

REVOKE ALL ON FUNCTION create_invoice(jsonb), submit(bigint), set_status(bigint, text, text, numeric),
	open_invoice(bigint), acknowledge(bigint), register_party(jsonb), lock_invoice(bigint, boolean)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION create_invoice(jsonb), submit(bigint),
	set_status(bigint, text, text, numeric), open_invoice(bigint) TO bizinvoice_user;
GRANT EXECUTE ON FUNCTION acknowledge(bigint) TO bizinvoice_reader;
GRANT EXECUTE ON FUNCTION register_party(jsonb), mark_overdue(date),
	chorus_record_status(bigint, text, text, text) TO bizinvoice_admin;

-- A party sees the invoices it issues or receives; bizinvoice_admin sees all.
CREATE FUNCTION is_admin() RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE SET search_path = bizinvoice, pg_catalog, pg_temp
	AS $$ SELECT pg_has_role('bizinvoice_admin', 'USAGE') $$;
COMMENT ON FUNCTION is_admin() IS 'whether the current role acts as bizinvoice_admin';

ALTER TABLE invoice ENABLE ROW LEVEL SECURITY;
CREATE POLICY invoice_party ON invoice
	USING (supplier_id = (SELECT current_party()) OR buyer_id = (SELECT current_party())
		   OR (SELECT is_admin()));
COMMENT ON POLICY invoice_party ON invoice IS 'a party sees the invoices it issues or receives';

-- A party sees its own accounts and the transfers touching them.
ALTER TABLE account ENABLE ROW LEVEL SECURITY;
CREATE POLICY account_party ON account
	USING (party_id = (SELECT current_party()) OR (SELECT is_admin()));
COMMENT ON POLICY account_party ON account IS 'a party sees its own accounts';
ALTER TABLE transfer ENABLE ROW LEVEL SECURITY;
CREATE POLICY transfer_party ON transfer
	USING (EXISTS (SELECT FROM account a WHERE a.id IN (debit_account, credit_account)));
COMMENT ON POLICY transfer_party ON transfer IS 'a party sees the transfers touching its accounts';
ALTER TABLE idempotency_key ENABLE ROW LEVEL SECURITY;
CREATE POLICY idempotency_key_party ON idempotency_key
	USING (party_id = (SELECT current_party()) OR (SELECT is_admin()));
COMMENT ON POLICY idempotency_key_party ON idempotency_key IS 'a party sees its own requests';

ALTER TABLE party_member ENABLE ROW LEVEL SECURITY;
CREATE POLICY party_member_self ON party_member
	USING (pg_has_role(member, 'USAGE') OR (SELECT is_admin()));
COMMENT ON POLICY party_member_self ON party_member IS 'a role sees its own memberships';

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['invoice_line', 'invoice_allowance_charge', 'invoice_vat_breakdown',
							 'invoice_note', 'invoice_attachment', 'status_history', 'chorus_outbox',
							 'fee_charge', 'payment_authorization', 'scheduled_payment', 'invoice_paid']
	LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (EXISTS (SELECT FROM invoice i WHERE i.id = invoice_id))',
					   t || '_party', t);
		EXECUTE format('COMMENT ON POLICY %I ON %I IS %L', t || '_party', t,
					   'rows of the invoices the party may see');
	END LOOP;
END
$$;

-- pg_dump keeps the data of every table (the extension recreates the rest)
SELECT pg_catalog.pg_extension_config_dump('party', '');
SELECT pg_catalog.pg_extension_config_dump('public_service', '');
SELECT pg_catalog.pg_extension_config_dump('party_member', '');
SELECT pg_catalog.pg_extension_config_dump('invoice', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_line', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_allowance_charge', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_vat_breakdown', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_note', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_attachment', '');
SELECT pg_catalog.pg_extension_config_dump('status_history', '');
SELECT pg_catalog.pg_extension_config_dump('chorus_outbox', '');
-- and where the identity sequences stand, so that new ids follow restored ones
SELECT pg_catalog.pg_extension_config_dump('party_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('status_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('account', '');
SELECT pg_catalog.pg_extension_config_dump('transfer', '');
SELECT pg_catalog.pg_extension_config_dump('idempotency_key', '');
SELECT pg_catalog.pg_extension_config_dump('fee_schedule', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('fee_charge', '');
SELECT pg_catalog.pg_extension_config_dump('payment_authorization', '');
SELECT pg_catalog.pg_extension_config_dump('payment_authorization_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('scheduled_payment', '');
SELECT pg_catalog.pg_extension_config_dump('invoice_paid', '');
SELECT pg_catalog.pg_extension_config_dump('account_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('transfer_id_seq', '');
COMMENT ON SEQUENCE party_id_seq IS 'party ids';
COMMENT ON SEQUENCE invoice_id_seq IS 'invoice ids';
COMMENT ON SEQUENCE status_history_id_seq IS 'status history entry ids';
COMMENT ON SEQUENCE account_id_seq IS 'account ids';
COMMENT ON SEQUENCE transfer_id_seq IS 'transfer ids';
COMMENT ON SEQUENCE payment_authorization_id_seq IS 'payment authorisation ids';
