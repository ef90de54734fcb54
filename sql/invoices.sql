-- Creating and submitting invoices: the JSON document, checks, totals,
-- duplicates, and the freeze after deposit.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
SELECT id AS alice FROM party WHERE name = 'Alice SAS' \gset
SELECT id AS bob FROM party WHERE name = 'Bob SARL' \gset

SET ROLE regress_alice;
-- nobody acting yet
SELECT create_invoice('{"number": "F-1", "issue_date": "2026-11-02", "buyer": 2, "lines": []}');
SELECT act_as(:alice);

-- a full document: 3 lines, 2 VAT rates, a line allowance, a document
-- allowance and charge, notes, an attachment, stated totals to check
SELECT create_invoice($$
{
  "number": "F-2026-001",
  "issue_date": "2026-11-02",
  "type_code": 380,
  "currency": "EUR",
  "due_date": "2026-12-02",
  "buyer": {"siret": "443 061 841 00047"},
  "buyer_reference": "PO-REF-7",
  "purchase_order": "PO-7",
  "payment": {"means_code": "58", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "BNPAFRPP",
			  "terms": "30 days"},
  "notes": [{"subject_code": "PMT", "text": "Indemnité forfaitaire pour frais de recouvrement : 40 €"},
			{"subject_code": "PMD", "text": "Pénalités de retard : 3 fois le taux d'intérêt légal"}],
  "lines": [
	{"item_name": "Consulting", "quantity": 3, "unit_code": "HUR", "net_price": 120.50,
	 "vat_category": "S", "vat_rate": 20},
	{"item_name": "Licence", "quantity": "2", "net_price": "99.99", "allowance_amount": 10,
	 "vat_category": "S", "vat_rate": 20, "net_amount": 189.98},
	{"item_name": "Book", "quantity": 1, "net_price": 30, "vat_category": "S", "vat_rate": 5.5}
  ],
  "allowances": [{"amount": 20, "vat_category": "S", "vat_rate": 20, "reason": "Loyal customer"}],
  "charges": [{"amount": 15, "vat_category": "S", "vat_rate": 20, "reason": "Shipping"}],
  "totals": {"line_total": 581.48, "allowance_total": 20, "charge_total": 15,
			 "tax_exclusive_total": 576.48, "vat_total": 110.95, "tax_inclusive_total": 687.43,
			 "payable_amount": 687.43},
  "attachments": [{"filename": "timesheet.txt", "mime_type": "text/plain",
				   "content_base64": "aG91cnM6IDM="}]
}$$) AS inv1 \gset

SELECT channel, delivery, number, b2b_status, submitted_at IS NULL AS draft, payment_iban, payment_bic
FROM invoice WHERE id = :inv1;
SELECT line_no, line_id, item_name, quantity, unit_code, net_price, allowance_amount, vat_category, vat_rate
FROM invoice_line WHERE invoice_id = :inv1 ORDER BY line_no;
SELECT filename, encode(sha256, 'hex') FROM invoice_attachment WHERE invoice_id = :inv1;

-- submit computes lines, VAT breakdown and totals, then delivers to the buyer
SELECT submit(:inv1);
SELECT line_no, net_amount FROM invoice_line WHERE invoice_id = :inv1 ORDER BY line_no;
SELECT vat_category, vat_rate, taxable_amount, tax_amount
FROM invoice_vat_breakdown WHERE invoice_id = :inv1 ORDER BY vat_rate;
SELECT line_total, allowance_total, charge_total, tax_exclusive_total, vat_total,
	   tax_inclusive_total, payable_amount, b2b_status
FROM invoice WHERE id = :inv1;
SELECT submit(:inv1);

-- halves round away from zero: 0.125 -> 0.13, 1.005 * 1 -> 1.01
SELECT create_invoice('{"number": "F-2026-002", "issue_date": "2026-11-02", "buyer": {"siren": "443061841"},
	"lines": [{"item_name": "Half", "quantity": 1, "net_price": 0.125, "vat_rate": 20},
			  {"item_name": "Odd", "quantity": 1, "net_price": 1.005, "vat_rate": 20}]}') AS inv2 \gset
SELECT submit(:inv2);
SELECT line_no, net_amount FROM invoice_line WHERE invoice_id = :inv2 ORDER BY line_no;
SELECT line_total, vat_total, payable_amount FROM invoice WHERE id = :inv2;

-- refusals of the document, each naming what and where
SELECT create_invoice('{"issue_date": "2026-11-02", "buyer": 2, "lines": [{}]}');
SELECT create_invoice('{"number": "F-9", "buyer": 2, "lines": [{}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "lines": [{}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2, "lines": []}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2, "lines": [{}], "colour": "red"}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2/11/2026", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": 20261102, "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-02-30", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "type_code": "three-eighty", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "type_code": [380], "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "payment": "cash", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "totals": {"vat": 1}, "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20},
			  {"item_name": "y", "quantity": "two", "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2,
	"lines": [{"item_name": "x", "qty": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": {"siret": "54205118000066"},
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": {"siret": "54205118000067"},
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice(format('{"number": "F-9", "issue_date": "2026-11-02", "buyer": %s,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}', :alice)::jsonb);
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": -1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "base_quantity": 0, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2, "type_code": 386,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2,
	"payment": {"iban": "FR7630006000011234567890188"},
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT create_invoice('{"number": "F-9", "issue_date": "2026-11-02", "buyer": 2, "type_code": 381,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]}');
SELECT count(*) AS invoices FROM invoice;

-- refusals at submit: wrong totals, wrong line amounts, VAT rates
SELECT create_invoice('{"number": "F-2026-003", "issue_date": "2026-11-02", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 2, "net_price": 10, "vat_rate": 20}],
	"totals": {"line_total": 20, "vat_total": 4.01, "payable_amount": 24}}') AS bad_totals \gset
SELECT submit(:bad_totals);
SELECT create_invoice('{"number": "F-2026-004", "issue_date": "2026-11-02", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 2, "net_price": 10, "vat_rate": 20, "net_amount": 21}]}') AS bad_line \gset
SELECT submit(:bad_line);
SELECT create_invoice('{"number": "F-2026-005", "issue_date": "2026-11-02", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 2, "net_price": 10, "vat_category": "S"}]}') AS no_rate \gset
SELECT submit(:no_rate);
SELECT create_invoice('{"number": "F-2026-006", "issue_date": "2026-11-02", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 2, "net_price": 10, "vat_category": "E", "vat_rate": 20}]}') AS bad_exempt \gset
SELECT submit(:bad_exempt);
SELECT create_invoice('{"number": "F-2026-007", "issue_date": "2026-11-02", "due_date": "2026-10-01", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 2, "net_price": 10, "vat_rate": 20}]}') AS early_due \gset
SELECT submit(:early_due);
-- a refused submit changes nothing: still drafts, nothing computed
SELECT id = :bad_totals AS bad_totals, submitted_at IS NULL AS draft, line_total, b2b_status,
	   (SELECT count(*) FROM invoice_vat_breakdown v WHERE v.invoice_id = i.id) AS vat_rows
FROM invoice i WHERE id IN (:bad_totals, :bad_line, :no_rate, :bad_exempt, :early_due) ORDER BY id;

-- DOUBLON: same supplier, number and year of issue date
SELECT create_invoice('{"number": "F-2026-001", "issue_date": "2026-12-15", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 10, "vat_rate": 20}]}') AS dup \gset
SELECT submit(:dup);
-- the same number in another year is another invoice
SELECT create_invoice('{"number": "F-2026-001", "issue_date": "2027-01-04", "buyer": 2,
	"lines": [{"item_name": "x", "quantity": 1, "net_price": 10, "vat_rate": 20}]}') AS next_year \gset
SELECT submit(:next_year);

-- a credit note refers to its invoice
SELECT create_invoice('{"number": "A-2026-001", "issue_date": "2026-11-20", "type_code": 381, "buyer": 2,
	"preceding_invoice": {"number": "F-2026-001", "issue_date": "2026-11-02"},
	"lines": [{"item_name": "Refund", "quantity": 1, "net_price": 30, "vat_rate": 5.5}]}') AS credit \gset
SELECT submit(:credit);
SELECT type_code, preceding_number, preceding_issue_date, payable_amount FROM invoice WHERE id = :credit;

-- users cannot write the tables, only call the functions
UPDATE invoice SET number = 'X' WHERE id = :inv1;
INSERT INTO invoice_line (invoice_id, line_no, line_id, item_name, quantity, net_price, vat_category)
VALUES (:inv1, 9, '9', 'sneaked in', 1, 1, 'S');
RESET ROLE;

-- after deposit nothing but the status moves, whoever tries
UPDATE invoice SET number = 'F-2026-001-bis' WHERE id = :inv1;
UPDATE invoice SET payment_iban = 'DE89370400440532013000' WHERE id = :inv1;
UPDATE invoice_line SET net_price = 1 WHERE invoice_id = :inv1;
INSERT INTO invoice_line (invoice_id, line_no, line_id, item_name, quantity, net_price, vat_category)
VALUES (:inv1, 9, '9', 'sneaked in', 1, 1, 'S');
DELETE FROM invoice_note WHERE invoice_id = :inv1;
DELETE FROM invoice_vat_breakdown WHERE invoice_id = :inv1;
UPDATE invoice_attachment SET content = 'x' WHERE invoice_id = :inv1;
-- a statement over a draft's lines and a submitted invoice's is refused whole
UPDATE invoice_line SET description = 'x' WHERE invoice_id IN (:bad_totals, :inv1);
SELECT count(*) AS changed FROM invoice_line WHERE description = 'x';
DELETE FROM invoice WHERE id = :inv1;
-- a draft stays editable by its owner through the tables
UPDATE invoice_line SET quantity = 3 WHERE invoice_id = :bad_totals;
SELECT quantity FROM invoice_line WHERE invoice_id = :bad_totals;
