-- The ledger: accounts, funding, withdrawals, invoice payments, invariants.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
CREATE ROLE regress_l_alice LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_l_bob LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_l_clerk LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_l_accountant LOGIN IN ROLE bizinvoice_user;
SELECT register_party('{"name": "Ledger Alice", "siret": "54205118000066", "members": ["regress_l_alice"]}') AS alice \gset
SELECT register_party('{"name": "Ledger Bob", "siret": "55203253400018", "members": ["regress_l_bob"]}') AS bob \gset
SELECT register_party('{"kind": "public_structure", "name": "Ledger Town", "siret": "13000548100010",
	"delivery": "direct", "members": ["regress_l_clerk", {"role": "regress_l_accountant", "accountant": true}]}') AS town \gset

-- accounts: one per party and currency
SELECT open_account(:alice) AS alice_eur, open_account(:bob) AS bob_eur,
	   open_account(:bob, 'usd') AS bob_usd, open_account(:town) AS town_eur \gset
SELECT open_account(:bob, 'EUR');
SELECT open_account(999999);
SELECT open_account(:alice, 'euro');
SELECT party, currency, balance, available FROM account_balances ORDER BY account_id;

-- funding and withdrawal, idempotent by key
SET ROLE regress_l_bob;
SELECT act_as(:bob);
SELECT fund(:bob_eur, 1000, 'wire 2026-11-02', 'fund-1') AS f1 \gset
SELECT fund(:bob_eur, 1000, 'wire 2026-11-02', 'fund-1') = :f1 AS same_transfer;
SELECT fund(:bob_eur, 999, 'wire 2026-11-02', 'fund-1');
SELECT fund(:bob_eur, 10, 'x', NULL);
SELECT fund(:bob_eur, 0, 'x', 'fund-2');
SELECT fund(:bob_eur, -5, 'x', 'fund-3');
SELECT fund(:bob_eur, 1.005, 'x', 'fund-4');
SELECT fund(:alice_eur, 10, 'x', 'fund-5');
SELECT withdraw(:bob_eur, 5000, 'FR7630006000011234567890189', 'wd-1');
SELECT withdraw(:bob_eur, 200, 'FR7630006000011234567890189', 'wd-2') IS NOT NULL AS withdrawn;
SELECT withdraw(:bob_eur, 200, 'FR7630006000011234567890188', 'wd-3');
SELECT balance, available FROM account_balances WHERE account_id = :bob_eur;
-- a key belongs to its party: Alice may use the same one
RESET ROLE;
SET ROLE regress_l_alice;
SELECT act_as(:alice);
SELECT fund(:alice_eur, 50, 'capital', 'fund-1') <> :f1 AS another_transfer;
SELECT count(*) AS accounts_seen FROM account_balances;
RESET ROLE;

-- paying an invoice: approved first, partially, never beyond what is due
SET ROLE regress_l_alice;
SELECT act_as(:alice);
SELECT create_invoice(format('{"number": "L-1", "issue_date": "2026-11-02", "buyer": %s,
	"lines": [{"item_name": "Work", "quantity": 1, "net_price": 100, "vat_rate": 20}]}', :bob)::jsonb) AS inv \gset
SELECT submit(:inv);
SELECT pay_invoice(:inv, 10, 'pay-0');
RESET ROLE;
SET ROLE regress_l_bob;
SELECT act_as(:bob);
SELECT pay_invoice(:inv, 10, 'pay-1');
SELECT set_status(:inv, 'approved');
SELECT pay_invoice(:inv, 50, 'pay-1') AS p1 \gset
SELECT pay_invoice(:inv, 50, 'pay-1') = :p1 AS paid_once;
SELECT invoice_outstanding(:inv), b2b_status FROM invoice WHERE id = :inv;
SELECT pay_invoice(:inv, 100, 'pay-2');
SELECT pay_invoice(:inv, NULL, 'pay-3') IS NOT NULL AS paid_the_rest;
SELECT invoice_outstanding(:inv), b2b_status FROM invoice WHERE id = :inv;
SELECT pay_invoice(:inv, NULL, 'pay-4');
SELECT from_status, to_status, actor, amount FROM status_history WHERE invoice_id = :inv ORDER BY id;
SELECT kind, amount, debit_account = :bob_eur AS from_bob, credit_account = :alice_eur AS to_alice,
	   reference
FROM transfer WHERE invoice_id = :inv ORDER BY id;
SELECT balance FROM account_balances WHERE account_id = :bob_eur;
RESET ROLE;

-- no payment without both accounts in the invoice's currency
SET ROLE regress_l_alice;
SELECT act_as(:alice);
SELECT create_invoice(format('{"number": "L-2", "issue_date": "2026-11-02", "buyer": %s, "currency": "USD",
	"lines": [{"item_name": "Work", "quantity": 1, "net_price": 10, "vat_rate": 20}]}', :bob)::jsonb) AS usd \gset
SELECT submit(:usd);
RESET ROLE;
SET ROLE regress_l_bob;
SELECT act_as(:bob);
SELECT set_status(:usd, 'approved');
SELECT pay_invoice(:usd, NULL, 'pay-usd');
RESET ROLE;

-- a public structure pays through its accountant, who did not certify the service
SET ROLE regress_l_alice;
SELECT act_as(:alice);
SELECT create_invoice(format('{"number": "L-3", "issue_date": "2026-11-02", "buyer": %s,
	"lines": [{"item_name": "Study", "quantity": 1, "net_price": 300, "vat_rate": 20}]}', :town)::jsonb) AS g \gset
SELECT submit(:g);
RESET ROLE;
SET ROLE regress_l_accountant;
SELECT act_as(:town);
SELECT fund(:town_eur, 500, 'budget', 'town-fund');
RESET ROLE;
SET ROLE regress_l_clerk;
SELECT act_as(:town);
SELECT set_status(:g, 'SERVICE_FAIT'), set_status(:g, 'MANDATEE');
SELECT pay_invoice(:g, NULL, 'g-pay-clerk');
RESET ROLE;
-- the clerk is made accountant too: still not for an invoice it certified
UPDATE party_member SET accountant = true WHERE member = 'regress_l_clerk'::regrole;
SET ROLE regress_l_clerk;
SELECT act_as(:town);
SELECT pay_invoice(:g, NULL, 'g-pay-clerk2');
RESET ROLE;
SET ROLE regress_l_accountant;
SELECT act_as(:town);
SELECT pay_invoice(:g, 100, 'g-pay-part');
SELECT pay_invoice(:g, NULL, 'g-pay') IS NOT NULL AS paid;
SELECT b2g_status, invoice_outstanding(id) FROM invoice WHERE id = :g;
RESET ROLE;

-- transfers are immutable; the ledger checks out, and notices tampering
UPDATE transfer SET amount = 1 WHERE id = :f1;
DELETE FROM transfer WHERE id = :f1;
SELECT * FROM check_ledger();
SELECT kind, currency, balance FROM account WHERE kind <> 'party' ORDER BY kind, currency;
UPDATE account SET balance = balance + 1 WHERE id = :bob_eur;
SELECT * FROM check_ledger();
UPDATE account SET balance = balance - 1 WHERE id = :bob_eur;
UPDATE invoice_paid SET paid = paid - 1 WHERE invoice_id = :inv;
SELECT * FROM check_ledger();
UPDATE invoice_paid SET paid = paid + 1 WHERE invoice_id = :inv;
SELECT count(*) AS violations FROM check_ledger();

DROP ROLE regress_l_alice, regress_l_bob, regress_l_clerk, regress_l_accountant;
