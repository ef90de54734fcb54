-- How set_status() writes a move: on the row directly while the invoice
-- table is as the extension made it, through an UPDATE once a DBA added a
-- trigger of their own (which then takes part in every move).
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
SELECT id AS alice FROM party WHERE name = 'Alice SAS' \gset
SELECT id AS bob FROM party WHERE name = 'Bob SARL' \gset
CREATE EXTENSION IF NOT EXISTS amcheck;

SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT submit(create_invoice(jsonb_build_object('number', 'MV-1', 'issue_date', '2026-11-02',
	'buyer', :bob, 'lines', '[{"item_name": "Audit", "quantity": 1, "net_price": 1000, "vat_rate": 20}]'::jsonb)))
	IS NOT NULL AS submitted;
SELECT id AS inv FROM invoice WHERE number = 'MV-1' \gset
RESET ROLE;

-- sixty partial payments in one transaction: the row's versions fill its
-- page, so that later ones go to another page and into every index
SET ROLE regress_bob;
BEGIN;
SELECT act_as(:bob, local => true);
-- (the counts may hold earlier transactions' not yet reported)
SELECT pg_stat_get_xact_tuples_updated('invoice'::regclass) AS updated,
	   pg_stat_get_xact_tuples_hot_updated('invoice'::regclass) AS hot \gset
SELECT set_status(:inv, 'approved');
SELECT count(set_status(:inv, 'partially_paid', amount => 10)) FROM generate_series(1, 60);
SELECT pg_stat_get_xact_tuples_updated('invoice'::regclass) - :updated AS updates,
	   pg_stat_get_xact_tuples_hot_updated('invoice'::regclass) - :hot < 61 AS some_not_hot;
COMMIT;
RESET ROLE;
SELECT b2b_status, status_amount, status_seq FROM invoice WHERE id = :inv;
SELECT count(*) AS entries, count(*) FILTER (WHERE to_status = 'partially_paid') AS partial,
	   sum(amount) AS paid FROM status_history WHERE invoice_id = :inv;
-- every version is in every index (the partial and expression one too)
SELECT i.indexrelid::regclass AS index, bt_index_check(i.indexrelid, true)::text = '' AS sound
FROM pg_index i WHERE i.indrelid = 'invoice'::regclass ORDER BY 1;
SET enable_seqscan = off;
SELECT count(*) AS found_by_key FROM invoice WHERE id = :inv;
SELECT count(*) AS found_by_number FROM invoice
WHERE supplier_id = :alice AND number = 'MV-1' AND extract(year FROM issue_date) = 2026
  AND submitted_at IS NOT NULL;
RESET enable_seqscan;

-- a refused move changes nothing, on the row or in the history
SET ROLE regress_bob;
SELECT act_as(:bob);
SELECT set_status(:inv, 'draft');
SELECT set_status(:inv, 'refused');
RESET ROLE;
SELECT b2b_status, status_seq, (SELECT count(*) FROM status_history WHERE invoice_id = :inv) AS entries
FROM invoice WHERE id = :inv;

-- nor in a read-only transaction (a hot standby's included)
SET ROLE regress_bob;
BEGIN READ ONLY;
SELECT set_status(:inv, 'partially_paid', amount => 5);
ROLLBACK;
RESET ROLE;
SELECT status_seq FROM invoice WHERE id = :inv;

-- a DBA's own trigger on the table: moves are UPDATEs again, and it sees them
CREATE TABLE regress_audit (invoice_id bigint, from_status text, to_status text);
CREATE FUNCTION regress_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO bizinvoice.regress_audit VALUES (NEW.id, OLD.b2b_status, NEW.b2b_status);
	RETURN NULL;
END $$;
CREATE TRIGGER regress_audit AFTER UPDATE ON invoice FOR EACH ROW EXECUTE FUNCTION regress_audit();
SET ROLE regress_bob;
SELECT set_status(:inv, 'payment_sent');
RESET ROLE;
SELECT * FROM regress_audit;
SELECT to_status, count(*) FROM status_history WHERE invoice_id = :inv AND to_status = 'payment_sent'
GROUP BY to_status;
-- the guard still judges, and a refused move reaches no trigger
SET ROLE regress_bob;
SELECT set_status(:inv, 'approved');
RESET ROLE;
SELECT count(*) AS audited FROM regress_audit;
-- disabled, it takes no part (and the moves are direct again)
ALTER TABLE invoice DISABLE TRIGGER regress_audit;
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT set_status(:inv, 'cashed');
RESET ROLE;
SELECT count(*) AS audited FROM regress_audit;
SELECT b2b_status, status_seq FROM invoice WHERE id = :inv;
DROP TRIGGER regress_audit ON invoice;
DROP FUNCTION regress_audit();
DROP TABLE regress_audit;
SELECT act_as(NULL);
