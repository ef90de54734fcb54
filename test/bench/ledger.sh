#!/bin/bash
# The ledger: transfers and invoice payments per second with 1, 4 and 16
# clients, against a plain two-row UPDATE baseline in the same run.
#
#   ledger.sh WORKDIR      (run by `make bench`, PG* variables set)
#
# 16 buyers each pay invoices of their own supplier, so that clients do not
# all queue on the same two accounts: client c acts for buyer c % 16 + 1.
#   - transfer: fund() of one cent (outside account -> buyer), idempotent;
#   - payment: pay_invoice() of one cent on one of the buyer's 50 invoices;
#   - baseline: UPDATE of two balances (one debited, one credited);
#   - the writes of a payment: what pay_invoice writes, as plain SQL on plain
#     copies of its tables (same columns, defaults, indexes; no CHECK, foreign
#     key or trigger): its idempotency key, the two balances, the transfer,
#     the invoice's paid total, its status and its history entry.
# Each script looks its pair (and invoice) up in one query before its
# transaction, so that the harness costs every measure one round trip alike.
# pgbench in prepared mode, each measure the median of BENCH_RUNS runs
# (default 3) of BENCH_SECONDS (default 10).
set -euo pipefail
dir=$1
mkdir -p "$dir"
seconds=${BENCH_SECONDS:-10}

. "$(dirname "$0")/lib/pgbench.sh"

q -c 'CREATE EXTENSION IF NOT EXISTS bizinvoice'
q <<'SQL' >/dev/null
SET search_path = public, bizinvoice;
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_payer') THEN
		CREATE ROLE bench_payer LOGIN IN ROLE bizinvoice_admin;
	END IF;
END
$$;
-- 16 suppliers (odd ids), 16 buyers (even ids), with their accounts
SELECT register_party(jsonb_build_object('name', 'Ledger bench ' || n)) FROM generate_series(1, 32) n;
CREATE TEMP TABLE pairs AS
SELECT min(id) FILTER (WHERE rn % 2 = 1) AS supplier, min(id) FILTER (WHERE rn % 2 = 0) AS buyer, (rn + 1) / 2 AS pair
FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM party WHERE name LIKE 'Ledger bench %') p
GROUP BY (rn + 1) / 2;
SELECT open_account(supplier), open_account(buyer) FROM pairs;
SELECT act_as(buyer), fund(party_account(buyer, 'EUR'), 1000000, 'bench', 'bench-' || buyer) FROM pairs;
-- 50 approved invoices per pair
SELECT act_as(supplier), submit(create_invoice(jsonb_build_object(
	'number', 'LB-' || pair || '-' || k, 'issue_date', '2026-11-02', 'buyer', buyer,
	'lines', jsonb_build_array(jsonb_build_object('item_name', 'x', 'quantity', 1, 'net_price', 100000,
												  'vat_rate', 20)))))
FROM pairs, generate_series(1, 50) k;
SELECT act_as(i.buyer_id), set_status(i.id, 'approved')
FROM invoice i WHERE i.number LIKE 'LB-%';
SELECT act_as(NULL);
CREATE TABLE bench_pair (pair int PRIMARY KEY, buyer bigint, buyer_account bigint, supplier_account bigint);
INSERT INTO bench_pair
SELECT pair, buyer, party_account(buyer, 'EUR'), party_account(supplier, 'EUR') FROM pairs;
CREATE TABLE bench_invoice (pair int, k int, id bigint, PRIMARY KEY (pair, k));
INSERT INTO bench_invoice
SELECT split_part(number, '-', 2)::int, split_part(number, '-', 3)::int - 1, id
FROM invoice WHERE number LIKE 'LB-%';
-- the baseline's accounts: the same balances, a plain table
CREATE TABLE plain_account (id bigint PRIMARY KEY, balance numeric(19, 2) NOT NULL);
INSERT INTO plain_account SELECT id, balance FROM account;
-- the payment's tables, plain
CREATE TABLE plain_payment_key (LIKE idempotency_key INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE plain_payment_transfer (LIKE transfer INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING IDENTITY);
CREATE TABLE plain_payment_paid (LIKE invoice_paid INCLUDING INDEXES);
CREATE TABLE plain_payment_invoice (LIKE invoice INCLUDING DEFAULTS INCLUDING INDEXES);
INSERT INTO plain_payment_invoice SELECT * FROM invoice WHERE number LIKE 'LB-%';
CREATE TABLE plain_payment_history (LIKE status_history INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING IDENTITY);
GRANT ALL ON bench_pair, bench_invoice, plain_account, plain_payment_key, plain_payment_transfer,
	plain_payment_paid, plain_payment_invoice, plain_payment_history TO PUBLIC;
SQL

cat >"$dir/transfer.sql" <<'SQL'
\set pair :client_id % 16 + 1
SELECT buyer, buyer_account FROM bench_pair WHERE pair = :pair \gset
BEGIN;
SELECT bizinvoice.act_as(:buyer);
SELECT bizinvoice.fund(:buyer_account, 0.01, 'bench', 'f-' || :client_id || '-' || random());
COMMIT;
SQL
cat >"$dir/payment.sql" <<'SQL'
\set pair :client_id % 16 + 1
\set k random(0, 49)
SELECT p.buyer, i.id AS inv FROM bench_pair p JOIN bench_invoice i USING (pair)
WHERE pair = :pair AND i.k = :k \gset
BEGIN;
SELECT bizinvoice.act_as(:buyer);
SELECT bizinvoice.pay_invoice(:inv, 0.01, 'p-' || :client_id || '-' || random());
COMMIT;
SQL
cat >"$dir/plain.sql" <<'SQL'
\set pair :client_id % 16 + 1
SELECT buyer_account, supplier_account FROM bench_pair WHERE pair = :pair \gset
BEGIN;
UPDATE plain_account SET balance = balance - 0.01 WHERE id = :buyer_account;
UPDATE plain_account SET balance = balance + 0.01 WHERE id = :supplier_account;
COMMIT;
SQL

cat >"$dir/plain_payment.sql" <<'SQL'
\set pair :client_id % 16 + 1
\set k random(0, 49)
SELECT p.buyer, p.buyer_account, p.supplier_account, i.id AS inv
FROM bench_pair p JOIN bench_invoice i USING (pair) WHERE pair = :pair AND i.k = :k \gset
BEGIN;
INSERT INTO plain_payment_key (party_id, key, operation, arguments, result)
VALUES (:buyer, 'p-' || :client_id || '-' || random(), 'pay_invoice',
		jsonb_build_object('invoice', :inv::bigint, 'amount', 0.01), jsonb_build_object('transfer', 0));
UPDATE plain_account SET balance = balance + CASE id WHEN :buyer_account THEN -0.01 ELSE 0.01 END
WHERE id IN (:buyer_account, :supplier_account);
INSERT INTO plain_payment_transfer (debit_account, credit_account, amount, currency, kind, invoice_id, reference, created_by)
VALUES (:buyer_account, :supplier_account, 0.01, 'EUR', 'payment', :inv, 'LB', current_user);
INSERT INTO plain_payment_paid AS p VALUES (:inv, 0.01)
ON CONFLICT (invoice_id) DO UPDATE SET paid = p.paid + EXCLUDED.paid;
UPDATE plain_payment_invoice SET b2b_status = 'partially_paid', status_seq = status_seq + 1 WHERE id = :inv;
INSERT INTO plain_payment_history (invoice_id, channel, from_status, to_status, changed_at, changed_by, actor,
								  party_id, amount)
VALUES (:inv, 'B2B', 'partially_paid', 'partially_paid', now(), current_user, 'buyer', :buyer, 0.01);
COMMIT;
SQL

printf '| clients | transfer (fund) | invoice payment | plain two-row UPDATE | payment vs plain | the writes of a payment, plain |\n'
printf '|---|---|---|---|---|---|\n'
for c in 1 4 16; do
	t=$(tps "$dir/transfer.sql" "$c" bench_payer)
	p=$(tps "$dir/payment.sql" "$c" bench_payer)
	b=$(tps "$dir/plain.sql" "$c")
	w=$(tps "$dir/plain_payment.sql" "$c")
	printf '| %s | %.0f/s | %.0f/s | %.0f/s | %s | %.0f/s |\n' "$c" "$t" "$p" "$b" \
		"$(awk -v a="$p" -v b="$b" 'BEGIN { printf "%.2f× the cost", b / a }')" "$w"
done
for mode in commit off; do
	q -c "ALTER DATABASE $PGDATABASE SET bizinvoice.status_notify = $mode"
	p=$(tps "$dir/payment.sql" 16 bench_payer)
	q -c "ALTER DATABASE $PGDATABASE RESET bizinvoice.status_notify"
	printf '| 16, status_notify %s | | %.0f/s | | | |\n' "$mode" "$p"
done
violations=$(q -At -c 'SELECT count(*) FROM bizinvoice.check_ledger()')
printf '\ncheck_ledger() after the run: %s violations\n' "$violations"
