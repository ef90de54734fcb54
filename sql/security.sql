-- Row-level security: each party sees only its invoices; a reporting role
-- sees what the party it acts for sees.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
SELECT id AS alice FROM party WHERE name = 'Alice SAS' \gset
SELECT id AS bob FROM party WHERE name = 'Bob SARL' \gset
SELECT id AS carol FROM party WHERE name = 'Carol SA' \gset

-- Carol invoices Alice; Alice's invoices to Bob exist from earlier tests
SET ROLE regress_carol;
SELECT act_as(:carol);
SELECT create_invoice('{"number": "C-1", "issue_date": "2026-11-06", "buyer": {"siren": "732829320"},
	"lines": [{"item_name": "Paper", "quantity": 10, "net_price": 4.5, "vat_rate": 20}]}') AS c1 \gset
SELECT submit(:c1);
SELECT number, supplier, buyer, status FROM invoice_status ORDER BY invoice_id;
SELECT count(*) AS lines_seen FROM invoice_line;
SELECT count(*) AS history_seen, count(DISTINCT invoice_id) AS of_invoices FROM status_history;
-- another party's invoice, by id, is not there
SELECT open_invoice(1);
SELECT set_status(1, 'approved');
RESET ROLE;

-- Bob sees what he receives, not Carol's sale to Alice
SET ROLE regress_bob;
SELECT act_as(:bob);
SELECT count(*) AS invoices, count(*) FILTER (WHERE buyer_id = :bob) AS received,
	   count(*) FILTER (WHERE supplier_id = :carol OR buyer_id = :carol) AS carols
FROM invoice;
-- and nobody without acting sees anything
SELECT act_as(NULL);
SELECT count(*) FROM invoice;
SELECT count(*) FROM status_history;
RESET ROLE;

-- the reporting role acts for Bob, reads, and cannot change anything
SET ROLE regress_reporter;
SELECT act_as(:bob);
SELECT count(*) = (SELECT count(*) FROM invoice WHERE buyer_id = :bob OR supplier_id = :bob) AS all_of_bobs
FROM invoice_status;
SELECT count(*) FROM invoice_status WHERE supplier_id = :carol;
-- a reporting tool reading the inbox is no read receipt
SELECT count(*) AS unread_before FROM invoice WHERE buyer_id = :bob AND b2b_status = 'made_available' \gset
SELECT :unread_before > 0 AS has_unread, count(*) FILTER (WHERE first_read) AS receipts FROM inbox;
SELECT count(*) = :unread_before AS still_unread FROM invoice WHERE buyer_id = :bob AND b2b_status = 'made_available';
SELECT create_invoice('{}');
SELECT set_status(1, 'approved');
UPDATE invoice SET due_date = NULL;
SELECT act_as(:alice);
RESET ROLE;

-- only a superuser may silence the status notifications
SET ROLE regress_bob;
SET bizinvoice.status_notify = off;
SHOW bizinvoice.status_notify;
RESET ROLE;
-- its values: relay (the default), commit (on, true, yes and 1 too), off
SET bizinvoice.status_notify = on;
SHOW bizinvoice.status_notify;
SET bizinvoice.status_notify = relay;
SHOW bizinvoice.status_notify;
SET bizinvoice.status_notify = sometimes;
RESET bizinvoice.status_notify;

-- members see their own memberships only
SET ROLE regress_alice;
SELECT p.name, m.member FROM party_member m JOIN party p ON p.id = m.party_id;
-- the directory of parties is open to users, its writing to admins
SELECT count(*) FROM party;
UPDATE party SET name = 'Bob & Co' WHERE id = :bob;
INSERT INTO party_member VALUES (:bob, 'regress_alice', false);
RESET ROLE;

-- a membership holds for its role as named when written: a role of that OID
-- under another name (a dropped role's OID given to a new one, or a rename)
-- neither acts for the party nor sees the membership, until it is written again
SELECT member, member_name FROM party_member WHERE party_id = :bob;
ALTER ROLE regress_bob RENAME TO regress_bob_renamed;
SET ROLE regress_bob_renamed;
SELECT act_as(:bob);
SELECT count(*) AS memberships_seen FROM party_member;
RESET ROLE;
UPDATE party_member SET member = member WHERE party_id = :bob;
SET ROLE regress_bob_renamed;
SELECT act_as(:bob);
SELECT act_as(NULL);
RESET ROLE;
ALTER ROLE regress_bob_renamed RENAME TO regress_bob;
UPDATE party_member SET member = member WHERE party_id = :bob;
-- the name is the trigger's to write
UPDATE party_member SET member_name = 'regress_alice' WHERE party_id = :bob;
SELECT member, member_name FROM party_member WHERE party_id = :bob;

-- bizinvoice_admin sees every invoice, as the table owner does
SELECT count(*) AS total FROM invoice \gset
SET ROLE regress_admin;
SELECT act_as(NULL);
SELECT count(*) = :total AS sees_all, count(*) > 0 AS some FROM invoice;
RESET ROLE;
