-- How a transfer is written (post_transfer): on the rows directly while the
-- ledger's tables are as the extension made it, through statements once a
-- DBA gave them triggers of their own (which then see every transfer).
-- Either way: the tables' constraints hold, every index lists every row,
-- and a refused transfer changes nothing.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
CREATE EXTENSION IF NOT EXISTS amcheck;
CREATE ROLE regress_p_alice LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_p_bob LOGIN IN ROLE bizinvoice_user;
SELECT register_party('{"name": "Post Alice", "members": ["regress_p_alice"]}') AS alice \gset
SELECT register_party('{"name": "Post Bob", "members": ["regress_p_bob"]}') AS bob \gset
SELECT open_account(:alice) AS alice_eur, open_account(:bob) AS bob_eur,
	   open_account(:bob, 'USD') AS bob_usd \gset
SET ROLE regress_p_alice;
SELECT act_as(:alice);
SELECT submit(create_invoice(format('{"number": "P-%s", "issue_date": "2026-11-02", "buyer": %s,
	"lines": [{"item_name": "Work", "quantity": 1, "net_price": 100, "vat_rate": 20}]}', n, :bob)::jsonb))
FROM generate_series(1, 3) n;
SELECT min(id) AS inv, min(id) + 1 AS inv2, max(id) AS inv3 FROM invoice WHERE number LIKE 'P-%' \gset
RESET ROLE;
SET ROLE regress_p_bob;
SELECT act_as(:bob);
SELECT fund(:bob_eur, 500, 'wire', 'p-fund');
SELECT set_status(:inv, 'approved'), set_status(:inv2, 'approved'), set_status(:inv3, 'approved');

-- forty payments in one transaction: the accounts' versions leave their
-- page, so that later ones go to another and into every index
BEGIN;
SELECT count(pay_invoice(:inv, 0.5, 'p-' || n)) FROM generate_series(1, 40) n;
COMMIT;
RESET ROLE;
SELECT a.id = :bob_eur AS buyer, a.balance FROM account a WHERE a.id IN (:alice_eur, :bob_eur) ORDER BY a.id;
SELECT paid FROM invoice_paid WHERE invoice_id = :inv;
SELECT count(*) AS payments, sum(amount) AS total, min(created_by) AS by, min(currency) AS currency
FROM transfer WHERE invoice_id = :inv AND kind = 'payment';
SELECT i.indexrelid::regclass AS index, bt_index_check(i.indexrelid, true)::text = '' AS sound
FROM pg_index i WHERE i.indrelid IN ('account'::regclass, 'transfer'::regclass, 'invoice_paid'::regclass)
ORDER BY 1::text;

-- refusals change nothing: balances, transfers, paid totals stay
SELECT sum(balance) AS balances, (SELECT count(*) FROM transfer) AS transfers,
	   (SELECT sum(paid) FROM invoice_paid) AS paid FROM account \gset before_
SELECT post_transfer(next_transfer_id(), :bob_eur, :bob_eur, 1, 'funding');
SELECT post_transfer(next_transfer_id(), :bob_eur, :alice_eur, 1000, 'payment', :inv2);
SELECT post_transfer(next_transfer_id(), :bob_eur, :alice_eur, 1, 'payment', 0);
SELECT post_transfer(next_transfer_id(), :bob_eur, :alice_eur, 1, 'payment');
SELECT post_transfer(next_transfer_id(), :bob_eur, :alice_eur, 1, 'reversal', NULL, 'x', 0);
\set VERBOSITY terse
SELECT post_transfer(next_transfer_id(), :bob_eur, :alice_eur, 1, 'gift');
\set VERBOSITY default
SELECT post_transfer(next_transfer_id(), :bob_eur, :bob_usd, 1, 'funding');
SELECT post_transfer(next_transfer_id(), :bob_eur, 0, 1, 'funding');
SELECT post_transfer(next_transfer_id(), :bob_eur, :alice_eur, NULL, 'funding');
SELECT post_transfer(next_transfer_id(), :bob_eur, :alice_eur, 0.001, 'funding');
SELECT post_transfer(NULL, :bob_eur, :alice_eur, 1, 'funding');
-- a balance beyond numeric(19, 2) is refused as an assignment would be
SELECT post_transfer(next_transfer_id(), system_account('outside', 'EUR'), :bob_eur, 99999999999999999, 'funding');
SELECT sum(balance) = :before_balances AS same_balances,
	   (SELECT count(*) FROM transfer) = :before_transfers AS same_transfers,
	   (SELECT sum(paid) FROM invoice_paid) = :before_paid AS same_paid
FROM account;
-- an amount is kept to the cent in its column's scale
SELECT post_transfer(next_transfer_id(), :bob_eur, :alice_eur, 1.500, 'payment', :inv2) AS t \gset
SELECT amount::text, reference FROM transfer WHERE id = :t;
SELECT paid::text FROM invoice_paid WHERE invoice_id = :inv2;
-- a payment's reversal takes it off the invoice's paid total
SELECT reverse_transfer(:t, 'posted twice', 'p-rev') AS r \gset
SELECT kind, reverses = :t AS mirrors, debit_account = :alice_eur AS from_supplier FROM transfer WHERE id = :r;
SELECT paid::text FROM invoice_paid WHERE invoice_id = :inv2;
SELECT reverse_transfer(:t, 'again', 'p-rev-2');

-- a constraint the DBA adds holds at once, in the same session
ALTER TABLE account ADD CONSTRAINT regress_cap CHECK (balance < 1000) NOT VALID;
SET ROLE regress_p_bob;
SELECT act_as(:bob);
\set VERBOSITY terse
SELECT fund(:bob_eur, 600, 'wire', 'p-fund-cap');
\set VERBOSITY default
RESET ROLE;
ALTER TABLE account DROP CONSTRAINT regress_cap;

-- a DBA's triggers on the ledger's tables see every transfer
CREATE FUNCTION regress_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'audit: % on %', TG_OP, TG_TABLE_NAME;
	RETURN NULL;
END
$$;
CREATE TRIGGER regress_audit AFTER INSERT ON transfer FOR EACH ROW EXECUTE FUNCTION regress_audit();
CREATE TRIGGER regress_audit AFTER UPDATE ON account FOR EACH ROW EXECUTE FUNCTION regress_audit();
CREATE TRIGGER regress_audit AFTER INSERT OR UPDATE ON invoice_paid FOR EACH ROW EXECUTE FUNCTION regress_audit();
CREATE TRIGGER regress_audit AFTER INSERT ON idempotency_key FOR EACH ROW EXECUTE FUNCTION regress_audit();
SET ROLE regress_p_bob;
SELECT act_as(:bob);
SELECT pay_invoice(:inv2, 10, 'p-audit') AS audited \gset
-- (a request repeated: its key read back through the statement too)
SELECT pay_invoice(:inv2, 10, 'p-audit') = :audited AS same_transfer;
SELECT pay_invoice(:inv2, 11, 'p-audit');
SELECT pay_invoice(:inv3, 10, 'p-audit-first') IS NOT NULL AS paid;
SELECT pay_invoice(:inv2, 1000, 'p-audit-over');
RESET ROLE;
SELECT paid FROM invoice_paid WHERE invoice_id IN (:inv2, :inv3) ORDER BY invoice_id;
-- (disabled, they are not called)
ALTER TABLE transfer DISABLE TRIGGER regress_audit;
ALTER TABLE account DISABLE TRIGGER regress_audit;
ALTER TABLE invoice_paid DISABLE TRIGGER regress_audit;
ALTER TABLE idempotency_key DISABLE TRIGGER regress_audit;
SET ROLE regress_p_bob;
SELECT act_as(:bob);
SELECT pay_invoice(:inv2, 10, 'p-quiet') IS NOT NULL AS paid;
SELECT pay_invoice(:inv2, 10, 'p-audit') = :audited AS same_transfer;
RESET ROLE;
DROP TRIGGER regress_audit ON transfer;
DROP TRIGGER regress_audit ON account;
DROP TRIGGER regress_audit ON invoice_paid;
DROP TRIGGER regress_audit ON idempotency_key;
DROP FUNCTION regress_audit();

-- a foreign key a DBA made deferrable is checked at commit, also for a row
-- whose balance a transfer changed (written by a statement then)
ALTER TABLE account ALTER CONSTRAINT account_party_id_fkey DEFERRABLE INITIALLY DEFERRED;
BEGIN;
INSERT INTO account (kind, party_id, currency) VALUES ('party', 999999, 'EUR') RETURNING id AS ghost \gset
SELECT post_transfer(next_transfer_id(), system_account('outside', 'EUR'), :ghost, 1, 'funding') > 0 AS posted;
COMMIT;
ALTER TABLE account ALTER CONSTRAINT account_party_id_fkey NOT DEFERRABLE;
SELECT count(*) AS ghost_accounts FROM account WHERE party_id = 999999;

-- without the indexes a payment reads accounts and authorisations by, the
-- same payment by scanning their tables
BEGIN;
DROP INDEX account_party_currency, payment_authorization_invoice;
SET ROLE regress_p_bob;
SELECT act_as(:bob);
SELECT authorize_payment(:inv3, 5, 'p-auth-noindex') IS NOT NULL AS authorized;
SELECT outstanding, payable_now FROM invoice_dues(:inv3);
SAVEPOINT refused;
SELECT pay_invoice(:inv3, 106, 'p-noindex-over');
ROLLBACK TO refused;
SELECT pay_invoice(:inv3, 10, 'p-noindex') IS NOT NULL AS paid;
RESET ROLE;
SELECT paid FROM invoice_paid WHERE invoice_id = :inv3;
ROLLBACK;

-- a read-only transaction posts nothing
BEGIN READ ONLY;
SELECT post_transfer(999999, :bob_eur, :alice_eur, 1, 'funding');
ROLLBACK;
SELECT * FROM check_ledger();
DROP ROLE regress_p_alice, regress_p_bob;
