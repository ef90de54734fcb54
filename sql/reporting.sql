-- Views for reporting tools: status, summary, aging, inbox and outbox.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
SELECT id AS alice FROM party WHERE name = 'Alice SAS' \gset
SELECT id AS bob FROM party WHERE name = 'Bob SARL' \gset
SELECT id AS carol FROM party WHERE name = 'Carol SA' \gset
SELECT id AS town FROM party WHERE name = 'Commune de Sample' \gset

-- Carol invoices Bob, due at different dates relative to today, for aging
SET ROLE regress_carol;
SELECT act_as(:carol);
SELECT submit(create_invoice(jsonb_build_object(
	'number', 'AG-' || d, 'issue_date', current_date - 120, 'due_date', current_date - d,
	'buyer', jsonb_build_object('siret', '44306184100047'),
	'lines', jsonb_build_array(jsonb_build_object('item_name', 'Item', 'quantity', 1,
												  'net_price', 100 * (abs(d) + 1), 'vat_rate', 20)))))
FROM unnest(ARRAY[-10, 0, 1, 30, 31, 60, 61, 90, 91]) AS d ORDER BY d;
-- the buyer only submitting: refused
SELECT submit(create_invoice(jsonb_build_object('number', 'AG-x', 'issue_date', current_date,
	'buyer', :bob, 'lines', '[{"item_name": "x", "quantity": 1, "net_price": 1, "vat_rate": 20}]'::jsonb)));
RESET ROLE;

-- Bob's inbox: the first read is the read receipt, once per invoice
SET ROLE regress_bob;
SELECT act_as(:bob);
SELECT number, status, first_read FROM inbox WHERE supplier_id = :carol ORDER BY number;
SELECT number, status, first_read FROM inbox WHERE supplier_id = :carol ORDER BY number;
SELECT submit(invoice_id) FROM inbox WHERE number = 'AG-0';
RESET ROLE;

SET ROLE regress_carol;
SELECT act_as(:carol);
SELECT number, buyer, status, status_label_fr, status_code, next_actors, final, payable_amount
FROM outbox ORDER BY number;
SELECT supplier, buyer, not_due, days_1_30, days_31_60, days_61_90, over_90, outstanding
FROM receivables_aging ORDER BY supplier, buyer;
RESET ROLE;

-- both channels side by side, for the party acting
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT channel, status, status_label_fr, invoices, payable_amount
FROM status_summary ORDER BY channel, status;
SELECT channel, number, status, status_code, next_actors, final
FROM invoice_status WHERE channel = 'B2G' ORDER BY number, invoice_id;
RESET ROLE;
