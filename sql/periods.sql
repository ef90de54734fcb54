-- The invoicing period (BG-14) and the delivery (BG-13), new in 0.4: taken
-- from JSON, UBL and CII, checked, frozen with the rest of the invoice, and
-- written back; an intra-community supply needs them (BR-IC-11, BR-IC-12).
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
SELECT id AS alice FROM party WHERE name = 'Alice SAS' \gset
SELECT id AS bob FROM party WHERE name = 'Bob SARL' \gset
SET ROLE regress_alice;
SELECT act_as(:alice);

-- from JSON
SELECT create_invoice(jsonb_build_object('number', 'P-1', 'issue_date', '2026-11-30', 'buyer', :bob,
	'invoicing_period', '{"start_date": "2026-11-01", "end_date": "2026-11-30"}'::jsonb,
	'delivery', '{"date": "2026-11-15", "name": "Entrepôt Lyon", "country": "fr"}'::jsonb,
	'lines', '[{"item_name": "Maintenance", "quantity": 1, "net_price": 500, "vat_rate": 20}]'::jsonb)) AS p1 \gset
SELECT period_start, period_end, delivery_date, deliver_to_name, deliver_to_country FROM invoice WHERE id = :p1;
-- refusals, naming what is wrong
SELECT create_invoice(jsonb_build_object('number', 'P-2', 'issue_date', '2026-11-30', 'buyer', :bob,
	'invoicing_period', '{"start_date": "2026-11-30", "end_date": "2026-11-01"}'::jsonb,
	'lines', '[{"item_name": "A", "quantity": 1, "net_price": 1, "vat_rate": 20}]'::jsonb));
SELECT create_invoice(jsonb_build_object('number', 'P-2', 'issue_date', '2026-11-30', 'buyer', :bob,
	'invoicing_period', '{"start_date": "November"}'::jsonb,
	'lines', '[{"item_name": "A", "quantity": 1, "net_price": 1, "vat_rate": 20}]'::jsonb));
SELECT create_invoice(jsonb_build_object('number', 'P-2', 'issue_date', '2026-11-30', 'buyer', :bob,
	'delivery', '{"country": "France"}'::jsonb,
	'lines', '[{"item_name": "A", "quantity": 1, "net_price": 1, "vat_rate": 20}]'::jsonb));
SELECT create_invoice(jsonb_build_object('number', 'P-2', 'issue_date', '2026-11-30', 'buyer', :bob,
	'delivery', '{"when": "2026-11-15"}'::jsonb,
	'lines', '[{"item_name": "A", "quantity": 1, "net_price": 1, "vat_rate": 20}]'::jsonb));
SELECT count(*) AS p2_written FROM invoice WHERE number = 'P-2';

-- written to UBL and CII, valid, and read back the same
SELECT submit(:p1);
SELECT f, (SELECT count(*) FROM validate_invoice(export_invoice(:p1, f)) WHERE severity = 'fatal') AS fatal,
	   read_invoice_document(export_invoice(:p1, f)) #> '{invoice,invoicing_period}' AS period,
	   read_invoice_document(export_invoice(:p1, f)) #> '{invoice,delivery}' AS delivery
FROM unnest(ARRAY['ubl', 'cii']) f;
-- frozen once submitted
RESET ROLE;
UPDATE invoice SET period_end = '2026-12-31' WHERE id = :p1;
UPDATE invoice SET deliver_to_country = 'DE' WHERE id = :p1;
SELECT count(*) AS frozen_kept FROM invoice WHERE id = :p1 AND period_end = '2026-11-30' AND deliver_to_country = 'FR';
-- the table keeps its own order and country checks, drafts included
SET ROLE regress_alice;
SELECT create_invoice(jsonb_build_object('number', 'P-6', 'issue_date', '2026-11-30', 'buyer', :bob,
	'lines', '[{"item_name": "A", "quantity": 1, "net_price": 1, "vat_rate": 20}]'::jsonb)) AS p6 \gset
RESET ROLE;
UPDATE invoice SET period_start = '2026-12-01', period_end = '2026-11-01' WHERE id = :p6;
UPDATE invoice SET deliver_to_country = 'fr' WHERE id = :p6;
UPDATE invoice SET period_start = '2026-11-01', period_end = '2026-11-01', deliver_to_country = 'IT' WHERE id = :p6;
SELECT period_start, period_end, deliver_to_country FROM invoice WHERE id = :p6;

-- an intra-community supply (K) says when and where it was delivered
-- (BR-IC-11, BR-IC-12); the rules check the same in documents
SET ROLE regress_alice;
SELECT create_invoice(jsonb_build_object('number', 'P-3', 'issue_date', '2026-11-30', 'buyer', :bob,
	'lines', '[{"item_name": "Machine", "quantity": 1, "net_price": 900, "vat_category": "K", "vat_rate": 0}]'::jsonb)) AS p3 \gset
SELECT submit(:p3);
RESET ROLE;
UPDATE invoice SET delivery_date = '2026-11-20' WHERE id = :p3;
SET ROLE regress_alice;
SELECT submit(:p3);
SELECT create_invoice(jsonb_build_object('number', 'P-4', 'issue_date', '2026-11-30', 'buyer', :bob,
	'delivery', '{"date": "2026-11-20", "country": "DE"}'::jsonb,
	'lines', '[{"item_name": "Machine", "quantity": 1, "net_price": 900, "vat_category": "K", "vat_rate": 0}]'::jsonb)) AS p4 \gset
SELECT submit(:p4);
SELECT f, count(v.*) FILTER (WHERE v.severity = 'fatal') AS fatal
FROM unnest(ARRAY['ubl', 'cii']) f LEFT JOIN LATERAL validate_invoice(export_invoice(:p4, f)) v ON true
GROUP BY f ORDER BY f;
SELECT set_status(:p4, 'cancelled', reason => 'test of the import below');
SELECT import_invoice(replace(export_invoice(:p4, 'cii')::text, 'P-4', 'P-5')) AS p5 \gset
SELECT number, delivery_date, deliver_to_country, period_start FROM invoice WHERE id = :p5;
RESET ROLE;

-- an administrator's import that fails (here the buyer is the seller) leaves
-- no party acting behind it
CREATE TEMP TABLE self_billed AS
SELECT replace(export_invoice(:p4, 'cii')::text, '44306184100047', '73282932000074') AS doc;
SELECT act_as(NULL);
BEGIN;
DO $$
BEGIN
	PERFORM bizinvoice.import_invoice((SELECT doc FROM self_billed));
EXCEPTION WHEN invalid_parameter_value THEN
	RAISE NOTICE 'refused: %', SQLERRM;
END
$$;
SELECT current_party() IS NULL AS nobody_acting;
COMMIT;
