-- How submit() writes a draft's VAT breakdown and deposit: directly while
-- the tables are as the extension made them, through INSERT and UPDATE
-- statements once a DBA gave them triggers of their own.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
SELECT id AS alice FROM party WHERE name = 'Alice SAS' \gset
SELECT id AS bob FROM party WHERE name = 'Bob SARL' \gset
CREATE EXTENSION IF NOT EXISTS amcheck;

CREATE FUNCTION pg_temp.draft(number text, lines jsonb, extra jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE sql AS $$
	SELECT bizinvoice.create_invoice(jsonb_build_object('number', number, 'issue_date', '2026-11-02',
		'buyer', (SELECT id FROM bizinvoice.party WHERE name = 'Bob SARL'), 'lines', lines) || extra)
$$;

-- three VAT groups, an allowance and a charge, stated totals that hold
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT pg_temp.draft('SB-1', '[{"item_name": "A", "quantity": 3, "net_price": 10.005, "vat_rate": 20},
	{"item_name": "B", "quantity": 1, "net_price": 7, "vat_category": "Z", "vat_rate": 0},
	{"item_name": "C", "quantity": 2, "net_price": 4.5, "vat_category": "O"},
	{"item_name": "D", "quantity": 1, "net_price": 100, "vat_rate": 5.5, "net_amount": 100}]',
	'{"allowances": [{"amount": 5, "vat_rate": 20}], "charges": [{"amount": 1.25, "vat_rate": 5.5}],
	  "totals": {"line_total": "146.02", "vat_total": 10.57, "payable_amount": 152.84}}') AS sb1 \gset
RESET ROLE;
-- written directly: no statement, so no statement trigger called (the
-- parts' freeze, whose check holds for a draft the transaction locked)
BEGIN;
SET LOCAL track_functions = 'all';
SET LOCAL ROLE regress_alice;
SELECT submit(:sb1);
SELECT coalesce(pg_stat_get_xact_function_calls('invoice_parts_freeze'::regproc), 0) AS freeze_calls;
COMMIT;
SELECT line_total, allowance_total, charge_total, tax_exclusive_total, vat_total, tax_inclusive_total,
	   payable_amount, b2b_status, status_seq, submitted_at IS NOT NULL AS submitted
FROM invoice WHERE id = :sb1;
SELECT vat_category, vat_rate, taxable_amount, tax_amount FROM invoice_vat_breakdown
WHERE invoice_id = :sb1 ORDER BY vat_category, vat_rate;
SELECT from_status, to_status, actor, changed_by FROM status_history WHERE invoice_id = :sb1 ORDER BY id;
-- the rows written directly are in every index (the invoice's update was not HOT:
-- submitted_at is in the unique index's predicate)
SELECT i.indexrelid::regclass AS index, bt_index_check(i.indexrelid, true)::text = '' AS sound
FROM pg_index i
WHERE i.indrelid IN ('invoice'::regclass, 'invoice_vat_breakdown'::regclass) ORDER BY 1;
SET enable_seqscan = off;
SELECT count(*) AS found_by_number FROM invoice
WHERE supplier_id = :alice AND number = 'SB-1' AND extract(year FROM issue_date) = 2026
  AND submitted_at IS NOT NULL;
RESET enable_seqscan;

-- refusals, each leaving the draft as it was
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT submit(NULL);
SELECT submit(:sb1);
SELECT pg_temp.draft('SB-2', '[{"item_name": "A", "quantity": 1, "net_price": 10, "vat_rate": 20}]',
	'{"totals": {"tax_inclusive_total": "twelve"}}') AS bad_total \gset
SELECT submit(:bad_total);
SELECT pg_temp.draft('SB-3', '[{"item_name": "A", "quantity": 1, "net_price": 10, "vat_rate": 20}]')
	AS lineless \gset
RESET ROLE;
DELETE FROM invoice_line WHERE invoice_id = :lineless;
SET ROLE regress_alice;
SELECT submit(:lineless);
-- not in a read-only transaction
SELECT pg_temp.draft('SB-6', '[{"item_name": "A", "quantity": 1, "net_price": 10, "vat_rate": 20}]')
	AS read_only \gset
BEGIN READ ONLY;
SELECT submit(:read_only);
ROLLBACK;
-- a duplicate is named, by the unique index or, if a DBA dropped it, by a scan
SELECT pg_temp.draft('SB-1', '[{"item_name": "A", "quantity": 1, "net_price": 10, "vat_rate": 20}]')
	AS dup \gset
SELECT submit(:dup) AS "fails: named by the index";
RESET ROLE;
BEGIN;
DROP INDEX invoice_number_unique;
SET ROLE regress_alice;
SELECT submit(:dup) AS "fails: named by a scan";
ROLLBACK;
SELECT count(*) FILTER (WHERE submitted_at IS NOT NULL) AS submitted, count(*) AS drafts,
	   (SELECT count(*) FROM invoice_vat_breakdown v WHERE v.invoice_id = ANY (array_agg(i.id))) AS vat_rows,
	   (SELECT count(*) FROM status_history h WHERE h.invoice_id = ANY (array_agg(i.id))) AS moves
FROM invoice i WHERE id IN (:bad_total, :lineless, :read_only, :dup);

-- a CHECK a DBA added to the breakdown holds for the rows written directly
ALTER TABLE invoice_vat_breakdown ADD CONSTRAINT regress_small_tax CHECK (tax_amount <> 2000);
SET ROLE regress_alice;
SELECT submit(pg_temp.draft('SB-4', '[{"item_name": "A", "quantity": 1, "net_price": 10000, "vat_rate": 20}]'));
RESET ROLE;
ALTER TABLE invoice_vat_breakdown DROP CONSTRAINT regress_small_tax;

-- a DBA's triggers on the breakdown and the invoice: statements write the
-- rows, the triggers see them, the guard and the history work as before
CREATE TABLE regress_seen (what text, invoice_id bigint, detail text);
CREATE FUNCTION regress_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'invoice' THEN
		INSERT INTO bizinvoice.regress_seen VALUES ('invoice', NEW.id,
			coalesce(OLD.b2b_status::text, '-') || ' > ' || NEW.b2b_status || ' ' || NEW.payable_amount);
	ELSE
		INSERT INTO bizinvoice.regress_seen VALUES ('vat', NEW.invoice_id, NEW.vat_rate || ' ' || NEW.tax_amount);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER regress_seen AFTER UPDATE ON invoice FOR EACH ROW EXECUTE FUNCTION regress_seen();
CREATE TRIGGER regress_seen AFTER INSERT ON invoice_vat_breakdown FOR EACH ROW EXECUTE FUNCTION regress_seen();
SET ROLE regress_alice;
SELECT submit(pg_temp.draft('SB-5', '[{"item_name": "A", "quantity": 2, "net_price": 10, "vat_rate": 20},
	{"item_name": "B", "quantity": 1, "net_price": 3, "vat_category": "E", "vat_rate": 0}]')) AS through_statements;
SELECT id AS sb5 FROM invoice WHERE number = 'SB-5' \gset
RESET ROLE;
-- the same with no trigger of a DBA's on the breakdown: written directly again
DROP TRIGGER regress_seen ON invoice_vat_breakdown;
BEGIN;
SET LOCAL track_functions = 'all';
SET LOCAL ROLE regress_alice;
SELECT submit(pg_temp.draft('SB-7', '[{"item_name": "A", "quantity": 1, "net_price": 10, "vat_rate": 20}]'));
SELECT coalesce(pg_stat_get_xact_function_calls('invoice_parts_freeze'::regproc), 0) AS "freeze_calls (create_invoice's lines)";
COMMIT;
SET ROLE regress_alice;
-- a duplicate submitted through the UPDATE is refused the same way
SELECT submit(pg_temp.draft('SB-5', '[{"item_name": "A", "quantity": 1, "net_price": 10, "vat_rate": 20}]'));
RESET ROLE;
SELECT what, detail FROM regress_seen WHERE invoice_id = :sb5 ORDER BY what, detail;
SELECT from_status, to_status, actor FROM status_history WHERE invoice_id = :sb5 ORDER BY id;
SELECT vat_category, vat_rate, taxable_amount, tax_amount FROM invoice_vat_breakdown
WHERE invoice_id = :sb5 ORDER BY vat_category;
DROP TRIGGER regress_seen ON invoice;
DROP FUNCTION regress_seen();
DROP TABLE regress_seen;
SELECT act_as(NULL);
