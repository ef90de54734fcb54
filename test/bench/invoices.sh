#!/bin/bash
# Invoices: create + submit of 10-line invoices, and status moves, each
# against plain INSERT/UPDATE of the same rows in plain tables, in one run.
#
#   invoices.sh WORKDIR      (run by `make bench`, PG* variables set)
#
# pgbench in prepared mode, default durability (fsync and synchronous_commit
# on), each measure the median of BENCH_RUNS runs (default 3) of BENCH_SECONDS
# (default 10) with BENCH_CLIENTS clients (default 8).  The bizinvoice scripts connect as the party's role and act for
# it in every transaction, as a pooled application would.
set -euo pipefail
dir=$1
mkdir -p "$dir"
seconds=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-8}

. "$(dirname "$0")/lib/pgbench.sh"

q -c 'CREATE EXTENSION IF NOT EXISTS bizinvoice'
q <<'SQL'
SET search_path = public, bizinvoice;
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_supplier') THEN
		CREATE ROLE bench_supplier LOGIN IN ROLE bizinvoice_user;
		CREATE ROLE bench_buyer LOGIN IN ROLE bizinvoice_user;
	END IF;
END
$$;
SELECT register_party('{"name": "Bench Supplier", "siret": "73282932000074", "members": ["bench_supplier"]}');
SELECT register_party('{"name": "Bench Buyer", "siret": "44306184100047", "members": ["bench_buyer"]}');
CREATE SEQUENCE bench_number;

-- the baseline: the same rows in plain tables with the same indexes, no logic
-- (the other scripts' baselines share names: each starts afresh)
SET client_min_messages = warning;
DROP TABLE IF EXISTS plain_source, plain_line, plain_history, plain_vat, plain_invoice;
RESET client_min_messages;
CREATE TABLE plain_invoice (LIKE invoice INCLUDING DEFAULTS INCLUDING INDEXES);
ALTER TABLE plain_invoice ALTER id ADD GENERATED ALWAYS AS IDENTITY;
CREATE TABLE plain_line (LIKE invoice_line INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE plain_vat (LIKE invoice_vat_breakdown INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE plain_history (LIKE status_history INCLUDING DEFAULTS INCLUDING INDEXES,
	FOREIGN KEY (invoice_id) REFERENCES plain_invoice);
ALTER TABLE plain_history ALTER id ADD GENERATED ALWAYS AS IDENTITY;
GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO PUBLIC;
SQL

lines=$(for i in $(seq 10); do
	printf '{"item_name": "Item %d", "quantity": %d, "unit_code": "C62", "net_price": %d.%02d, "vat_rate": %s}' \
		"$i" "$i" "$((i * 7))" "$((i * 13 % 100))" "$([ $((i % 3)) -eq 0 ] && echo 5.5 || echo 20)"
	if [ "$i" -lt 10 ]; then printf ', '; fi
done)

cat >"$dir/create_submit.sql" <<SQL
BEGIN;
SELECT bizinvoice.act_as(1);
SELECT bizinvoice.submit(bizinvoice.create_invoice(('{"number": "B-' || nextval('bench_number') || '",
	"issue_date": "2026-11-02", "due_date": "2026-12-02", "buyer": 2, "lines": [$lines]}')::jsonb));
COMMIT;
SQL

# the same rows, written plainly: invoice, 10 lines, 2 VAT rows, totals,
# two status updates and their two history rows
cat >"$dir/plain_insert.sql" <<'SQL'
BEGIN;
INSERT INTO plain_invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, due_date, b2b_status)
VALUES (1, 2, 'B2B', 'platform', 'P-' || nextval('bench_number'), '2026-11-02', '2026-12-02', 'draft')
RETURNING id AS inv \gset
INSERT INTO plain_line (invoice_id, line_no, line_id, item_name, quantity, unit_code, net_price, vat_category, vat_rate)
SELECT :inv, i, i::text, 'Item ' || i, i, 'C62', i * 7 + (i * 13 % 100) / 100.0, 'S',
	   CASE WHEN i % 3 = 0 THEN 5.5 ELSE 20 END
FROM generate_series(1, 10) i;
INSERT INTO plain_vat VALUES (:inv, 'S', 5.5, 100, 5.5), (:inv, 'S', 20, 1000, 200);
UPDATE plain_invoice SET line_total = 1100, allowance_total = 0, charge_total = 0, tax_exclusive_total = 1100,
	vat_total = 205.5, tax_inclusive_total = 1305.5, payable_amount = 1305.5, submitted_at = now()
WHERE id = :inv;
UPDATE plain_invoice SET b2b_status = 'deposited', status_seq = 1 WHERE id = :inv;
INSERT INTO plain_history (invoice_id, channel, from_status, to_status, changed_at, changed_by, actor)
VALUES (:inv, 'B2B', 'draft', 'deposited', now(), current_user, 'platform');
UPDATE plain_invoice SET b2b_status = 'made_available', status_seq = 2 WHERE id = :inv;
INSERT INTO plain_history (invoice_id, channel, from_status, to_status, changed_at, changed_by, actor)
VALUES (:inv, 'B2B', 'deposited', 'made_available', now(), current_user, 'platform');
COMMIT;
SQL

create_tps=$(tps "$dir/create_submit.sql" "$clients" bench_supplier)
plain_create_tps=$(tps "$dir/plain_insert.sql" "$clients" bench_supplier)

# status moves: the buyer records partial payments on 1,000 approved invoices
q -c 'SET ROLE bench_buyer' -c 'SELECT bizinvoice.act_as(2)' \
	-c "SELECT bizinvoice.set_status(id, 'approved') FROM bizinvoice.invoice ORDER BY id LIMIT 1000" \
	-c "SELECT bizinvoice.set_status(id, 'partially_paid', amount => 1) FROM bizinvoice.invoice WHERE b2b_status = 'approved'" >/dev/null
first=$(q -At -c "SELECT min(id) FROM bizinvoice.invoice WHERE b2b_status = 'partially_paid'")
cat >"$dir/move.sql" <<SQL
\set id random($first, $((first + 999)))
BEGIN;
SELECT bizinvoice.act_as(2);
SELECT bizinvoice.set_status(:id, 'partially_paid', amount => 1);
COMMIT;
SQL
# the same by a session acting for its party from its first transaction on
# (act_as once per connection; above, every transaction calls it first, as
# behind a pooler in transaction mode)
cat >"$dir/session_move.sql" <<SQL
\set id random($first, $((first + 999)))
\if :acted = 0
SELECT bizinvoice.act_as(2);
\set acted 1
\endif
BEGIN;
SELECT bizinvoice.set_status(:id, 'partially_paid', amount => 1);
COMMIT;
SQL
cat >"$dir/plain_move.sql" <<SQL
\set id random($first, $((first + 999)))
BEGIN;
UPDATE plain_invoice SET b2b_status = 'partially_paid', status_amount = 1, status_seq = status_seq + 1,
	status_changed_at = now() WHERE id = :id;
INSERT INTO plain_history (invoice_id, channel, from_status, to_status, changed_at, changed_by, actor, amount)
VALUES (:id, 'B2B', 'partially_paid', 'partially_paid', now(), current_user, 'buyer', 1);
COMMIT;
SQL
# the plain rows to move, with the same ids
q -c "INSERT INTO plain_invoice (id, supplier_id, buyer_id, channel, delivery, number, issue_date, b2b_status)
	OVERRIDING SYSTEM VALUE SELECT n, 1, 2, 'B2B', 'platform', 'M-' || n, '2026-11-02', 'partially_paid'
	FROM generate_series($first, $((first + 999))) n ON CONFLICT DO NOTHING"
move_tps=$(tps "$dir/move.sql" "$clients" bench_buyer)
session_move_tps=$(tps "$dir/session_move.sql" "$clients" bench_buyer -D acted=0)
plain_move_tps=$(tps "$dir/plain_move.sql" "$clients" bench_buyer)

# the same with the notifications sent by each moving transaction
# (PostgreSQL serialises the commits of notifying transactions), and
# without any; the default (relay) ran above, through make bench's worker
relay_left=$(q -At -c 'SELECT count(*) FROM bizinvoice.status_event')
q -c "ALTER DATABASE $PGDATABASE SET bizinvoice.status_notify = commit"
commit_create_tps=$(tps "$dir/create_submit.sql" "$clients" bench_supplier)
commit_move_tps=$(tps "$dir/move.sql" "$clients" bench_buyer)
q -c "ALTER DATABASE $PGDATABASE SET bizinvoice.status_notify = off"
quiet_create_tps=$(tps "$dir/create_submit.sql" "$clients" bench_supplier)
quiet_move_tps=$(tps "$dir/move.sql" "$clients" bench_buyer)
q -c "ALTER DATABASE $PGDATABASE RESET bizinvoice.status_notify"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f/s vs %.0f/s plain: %.2f× the cost", a, b, b / a }'; }
printf '| measure (%d clients, median of %d × %d s) | bizinvoice vs plain SQL |\n|---|---|\n' \
	"$clients" "${BENCH_RUNS:-3}" "$seconds"
printf '| create + submit, 10-line invoice | %s |\n' "$(ratio "$create_tps" "$plain_create_tps")"
printf '| the same, bizinvoice.status_notify = commit | %s |\n' "$(ratio "$commit_create_tps" "$plain_create_tps")"
printf '| the same, bizinvoice.status_notify off | %s |\n' "$(ratio "$quiet_create_tps" "$plain_create_tps")"
printf '| status move (partial payment) | %s |\n' "$(ratio "$move_tps" "$plain_move_tps")"
printf '| the same, the session acting for its party (act_as once) | %s |\n' "$(ratio "$session_move_tps" "$plain_move_tps")"
printf '| the same, bizinvoice.status_notify = commit | %s |\n' "$(ratio "$commit_move_tps" "$plain_move_tps")"
printf '| the same, bizinvoice.status_notify off | %s |\n' "$(ratio "$quiet_move_tps" "$plain_move_tps")"
printf '\nnotifications queued by the default runs still unsent after the plain ones: %s\n' "$relay_left"
