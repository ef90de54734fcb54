-- The ledger, continued: two-phase payments, fees, reversals, statements.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
CREATE ROLE regress_m_alice LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_m_bob LOGIN IN ROLE bizinvoice_user;
SELECT register_party('{"name": "More Alice", "siret": "85520088700013", "members": ["regress_m_alice"]}') AS alice \gset
SELECT register_party('{"name": "More Bob", "siret": "38012986600014", "members": ["regress_m_bob"]}') AS bob \gset
SELECT open_account(:alice) AS alice_eur, open_account(:bob, overdraft_limit => 50) AS bob_eur \gset

SET ROLE regress_m_alice;
SELECT act_as(:alice);
SELECT submit(create_invoice(format('{"number": "M-%s", "issue_date": "2026-11-02", "buyer": %s,
	"lines": [{"item_name": "Work", "quantity": 1, "net_price": 250, "vat_rate": 20}]}', n, :bob)::jsonb))
FROM generate_series(1, 2) n;
SELECT min(id) AS inv, max(id) AS inv2 FROM invoice WHERE number IN ('M-1', 'M-2') \gset
RESET ROLE;

-- two phases: reserve, then settle (at most the reserved amount) or void, once
SET ROLE regress_m_bob;
SELECT act_as(:bob);
SELECT fund(:bob_eur, 400, 'wire', 'm-fund');
SELECT set_status(:inv, 'approved'), set_status(:inv2, 'approved');
SELECT authorize_payment(:inv, 200, 'auth-1') AS a1 \gset
SELECT authorize_payment(:inv, 200, 'auth-1') = :a1 AS same_authorisation;
-- the buyer reads what remains and what may still be committed (less the 200 authorised)
SELECT outstanding, payable_now, invoice_payable_now(:inv) = payable_now AS same FROM invoice_dues(:inv);
SELECT * FROM invoice_dues(0);
SELECT balance, reserved, available FROM account_balances WHERE account_id = :bob_eur;
SELECT authorize_payment(:inv, 150, 'auth-2');
SELECT authorize_payment(:inv2, 300, 'auth-3');
SELECT withdraw(:bob_eur, 300, 'FR7630006000011234567890189', 'm-wd');
SELECT settle(:a1, 250, 'settle-1');
SELECT settle(:a1, 120, 'settle-1') IS NOT NULL AS settled;
SELECT settle(:a1, 120, 'settle-2');
SELECT void(:a1, 'void-1');
SELECT state, amount FROM payment_authorization WHERE id = :a1;
SELECT balance, reserved, available FROM account_balances WHERE account_id = :bob_eur;
SELECT invoice_outstanding(:inv), b2b_status FROM invoice WHERE id = :inv;
SELECT authorize_payment(:inv2, 230, 'auth-4') AS a2 \gset
SELECT void(:a2, 'void-2');
SELECT void(:a2, 'void-2');
SELECT void(:a2, 'void-3');
SELECT settle(:a2, NULL, 'settle-after-void');
SELECT state FROM payment_authorization WHERE id = :a2;
-- the overdraft limit counts: 400 funded, 120 paid, 280 + 50 available
SELECT pay_invoice(:inv2, 300, 'pay-m2');
SELECT pay_invoice(:inv2, NULL, 'pay-m2b') IS NOT NULL AS paid;
SELECT balance, available FROM account_balances WHERE account_id = :bob_eur;
RESET ROLE;

-- a refused invoice is not paid; money never crosses currencies
SET ROLE regress_m_alice;
SELECT act_as(:alice);
SELECT submit(create_invoice(format('{"number": "M-3", "issue_date": "2026-11-02", "buyer": %s,
	"lines": [{"item_name": "Work", "quantity": 1, "net_price": 10, "vat_rate": 20}]}', :bob)::jsonb));
RESET ROLE;
SET ROLE regress_m_bob;
SELECT act_as(:bob);
SELECT set_status(id, 'refused', reason => 'DEST_INC') FROM invoice WHERE number = 'M-3';
SELECT pay_invoice(id, NULL, 'pay-refused') FROM invoice WHERE number = 'M-3';
RESET ROLE;
SELECT open_account(:alice, 'USD') AS alice_usd \gset
SELECT post_transfer(next_transfer_id(), :alice_eur, :alice_usd, 1, 'payment');

-- fees: once per invoice and event, at the price of the day
SELECT charge_fee(:inv, 'chorus_transmission') AS fee1 \gset
SELECT charge_fee(:inv, 'chorus_transmission') = :fee1 AS charged_once;
SELECT charge_fee(:inv, 'courier');
INSERT INTO fee_schedule (event, valid_from, amount, description)
VALUES ('chorus_transmission', now() - interval '1 second', 0.30, 'new price');
SELECT charge_fee(:inv2, 'chorus_transmission') AS fee2 \gset
SELECT amount FROM transfer WHERE id IN (:fee1, :fee2) ORDER BY id;
UPDATE fee_schedule SET amount = 1 WHERE event = 'chorus_transmission';
SELECT event, supplier, fees, amount FROM fees_by_month ORDER BY event, supplier;
SELECT kind, currency, balance FROM account WHERE kind = 'platform_fees';

-- reversals: the mirror image, once, with a reason
SELECT reverse_transfer(:fee2, 'waived', 'rev-1') AS rev \gset
SELECT reverse_transfer(:fee2, 'waived', 'rev-1') = :rev AS same_reversal;
SELECT reverse_transfer(:fee2, 'again', 'rev-2');
SELECT reverse_transfer(:rev, 'undo', 'rev-3');
SELECT reverse_transfer(:fee1, '', 'rev-4');
SELECT event, fees, amount FROM fees_by_month ORDER BY event;
SET ROLE regress_m_alice;
SELECT act_as(:alice);
SELECT reverse_transfer(:fee1, 'please', 'rev-5');
-- Alice's statement: opening balance, each transfer, running balance
SELECT kind, reference, debit, credit, balance
FROM account_statement(:alice_eur, current_date - 1, current_date) ORDER BY transfer_id NULLS FIRST;
-- not Bob's, though some of its transfers are with her; nor the ledger's check
SELECT count(*) FROM account_statement(:bob_eur, current_date - 1, current_date);
SELECT * FROM check_ledger();
RESET ROLE;
SELECT * FROM check_ledger();

DROP ROLE regress_m_alice, regress_m_bob;

-- scheduled payments (CASH invoicing): paid on the due date, or overdue and retried daily
CREATE ROLE regress_s_alice LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_s_bob LOGIN IN ROLE bizinvoice_user;
SELECT register_party('{"name": "Cash Alice", "siret": "63201210000012", "members": ["regress_s_alice"]}') AS salice \gset
SELECT register_party('{"name": "Cash Bob", "siret": "65201405100013", "members": ["regress_s_bob"]}') AS sbob \gset
SELECT open_account(:salice) AS salice_eur, open_account(:sbob) AS sbob_eur \gset
SET ROLE regress_s_alice;
SELECT act_as(:salice);
SELECT submit(create_invoice(format('{"number": "S-%s", "issue_date": "2026-11-02", "due_date": "2026-12-%s",
	"buyer": %s, "lines": [{"item_name": "Rent", "quantity": 1, "net_price": 100, "vat_rate": 20}]}',
	n, 10 + n, :sbob)::jsonb))
FROM generate_series(1, 3) n;
SELECT min(id) AS s1, min(id) + 1 AS s2, max(id) AS s3 FROM invoice WHERE supplier_id = :salice \gset
RESET ROLE;
SET ROLE regress_s_bob;
SELECT act_as(:sbob);
SELECT fund(:sbob_eur, 200, 'wire', 's-fund');
SELECT schedule_payment(:s1);
SELECT set_status(:s1, 'approved'), set_status(:s2, 'approved'), set_status(:s3, 'approved');
SELECT schedule_payment(:s1), schedule_payment(:s2), schedule_payment(:s3);
SELECT schedule_payment(:s1);
SELECT run_scheduled_payments('2026-12-11');
-- the buyer takes the third one back
SELECT set_status(:s3, 'approved');
RESET ROLE;
SELECT * FROM run_scheduled_payments('2026-12-10');
SELECT * FROM run_scheduled_payments('2026-12-13');
SELECT * FROM run_scheduled_payments('2026-12-13');
SELECT number, b2b_status, attempts, last_attempt, paid_transfer IS NOT NULL AS paid, cancelled_at IS NOT NULL AS cancelled
FROM scheduled_payment JOIN invoice ON id = invoice_id WHERE supplier_id = :salice ORDER BY number;
SET ROLE regress_s_bob;
SELECT act_as(:sbob);
SELECT fund(:sbob_eur, 100, 'wire', 's-fund-2');
RESET ROLE;
SELECT * FROM run_scheduled_payments('2026-12-14');
SELECT number, b2b_status, attempts, paid_transfer IS NOT NULL AS paid FROM scheduled_payment
JOIN invoice ON id = invoice_id WHERE supplier_id = :salice ORDER BY number;
SELECT from_status, to_status, actor FROM status_history WHERE invoice_id = :s2 ORDER BY id;
SELECT * FROM check_ledger();
DROP ROLE regress_s_alice, regress_s_bob;
