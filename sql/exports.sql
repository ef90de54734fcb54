-- Accounting exports: the FEC, CSV of invoices and payments, batches of
-- UBL or CII documents; and that a party's export holds only its own data.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
CREATE ROLE regress_x_alice LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_x_bob LOGIN IN ROLE bizinvoice_user;
CREATE ROLE regress_x_reader LOGIN IN ROLE bizinvoice_reader;
SELECT register_party('{"name": "Export Alice", "siret": "90000001900001",
	"members": ["regress_x_alice", "regress_x_reader"]}') AS alice \gset
SELECT register_party('{"name": "Export Bob | Fils", "siret": "91000001700004", "members": ["regress_x_bob"]}') AS bob \gset
SELECT register_party('{"name": "Export Carol", "siret": "92000001500007"}') AS carol \gset
SELECT open_account(:alice) AS alice_eur, open_account(:bob) AS bob_eur, open_account(:carol) AS carol_eur \gset

-- Alice sells to Bob (two VAT rates, a credit note) and buys from Carol;
-- Bob pays in part; a fee; Carol and Bob deal between themselves.
CREATE FUNCTION pg_temp.bill(supplier bigint, buyer bigint, number text, lines jsonb, extra jsonb DEFAULT '{}')
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	id bigint;
BEGIN
	PERFORM bizinvoice.act_as(supplier, local => true);
	id := bizinvoice.create_invoice(jsonb_build_object('number', number, 'issue_date', '2026-03-10',
		'buyer', buyer, 'lines', lines) || extra);
	PERFORM bizinvoice.submit(id);
	RETURN id;
END
$$;
SELECT pg_temp.bill(:alice, :bob, 'X-1', '[{"item_name": "Conseil", "quantity": 3, "net_price": 850, "vat_rate": 20},
	{"item_name": "Livre", "quantity": 2, "net_price": 24.90, "vat_rate": 5.5}]') AS x1 \gset
SELECT pg_temp.bill(:alice, :bob, 'X-2', '[{"item_name": "Remise", "quantity": 1, "net_price": 100, "vat_rate": 20}]',
	'{"type_code": 381, "preceding_invoice": {"number": "X-1", "issue_date": "2026-03-10"}}') AS x2 \gset
SELECT pg_temp.bill(:carol, :alice, 'C-9', '[{"item_name": "Fournitures", "quantity": 10, "net_price": 12.5, "vat_rate": 20}]') AS c9 \gset
SELECT pg_temp.bill(:carol, :bob, 'C-10', '[{"item_name": "Autre", "quantity": 1, "net_price": 999, "vat_rate": 20}]') AS c10 \gset
-- refused: not booked
SELECT pg_temp.bill(:alice, :bob, 'X-3', '[{"item_name": "Refusé", "quantity": 1, "net_price": 50, "vat_rate": 20}]') AS x3 \gset
SELECT act_as(:bob);
SELECT set_status(:x1, 'approved'), set_status(:x3, 'refused', reason => 'pas commandé');
SELECT fund(:bob_eur, 5000, 'virement', 'x-fund-1') IS NOT NULL AS funded;
SELECT pay_invoice(:x1, 1000, idempotency_key => 'x-pay-1') IS NOT NULL AS paid;
SELECT act_as(NULL);
SELECT charge_fee(:x1, 'chorus_transmission') IS NOT NULL AS fee_charged;
-- and the fee reversed (a correction is a reversing transfer: booked the other way)
SELECT reverse_transfer((SELECT id FROM transfer WHERE kind = 'fee' AND invoice_id = :x1), 'offert', 'x-rev-1')
	IS NOT NULL AS reversed;

SET ROLE regress_x_alice;
SELECT act_as(:alice);
-- (ValidDate, the day of submission, is today: left out)
SELECT "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
	   "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
	   "Montantdevise", "Idevise"
FROM fec_entries(:alice, '2026-01-01', '2026-12-31') WHERE "JournalCode" <> 'BQ';
-- the bank journal's dates are today's: shown without them
SELECT "JournalCode", "EcritureNum", "CompteNum", "CompteLib", "CompAuxNum", "CompAuxLib", "EcritureLib",
	   "Debit", "Credit"
FROM fec_entries(:alice, '2026-01-01', '2099-12-31') WHERE "JournalCode" = 'BQ';

-- every entry balanced
SELECT "JournalCode", "EcritureNum",
	   sum(replace("Debit", ',', '.')::numeric) AS debit, sum(replace("Credit", ',', '.')::numeric) AS credit
FROM fec_entries(:alice, '2026-01-01', '2099-12-31')
GROUP BY 1, 2 HAVING sum(replace("Debit", ',', '.')::numeric) <> sum(replace("Credit", ',', '.')::numeric);
-- numbered without gaps per journal
SELECT "JournalCode", count(DISTINCT "EcritureNum") AS entries, max("EcritureNum"::int) AS last
FROM fec_entries(:alice, '2026-01-01', '2099-12-31') GROUP BY 1 ORDER BY 1;
-- every amount traced to an invoice or a transfer of Alice's
SELECT count(*) AS untraced
FROM fec_entries(:alice, '2026-01-01', '2099-12-31') e
WHERE NOT EXISTS (SELECT FROM invoice i WHERE i.number = e."PieceRef"
					AND :alice IN (i.supplier_id, i.buyer_id))
  AND NOT EXISTS (SELECT FROM transfer t JOIN account a ON a.id IN (t.debit_account, t.credit_account)
				  WHERE 'T' || t.id = e."PieceRef" AND a.party_id = :alice);
-- the VAT collected is what the invoices say, less the credit note
SELECT sum(replace("Credit", ',', '.')::numeric) - sum(replace("Debit", ',', '.')::numeric) AS vat_collected
FROM fec_entries(:alice, '2026-01-01', '2026-12-31') WHERE "CompteNum" = '445710';
SELECT sum(CASE WHEN type_code = 381 THEN -vat_total ELSE vat_total END) AS vat_invoiced
FROM invoice WHERE supplier_id = :alice AND number IN ('X-1', 'X-2');

-- the file, line by line: header, 18 fields, dates, comma decimals, CRLF
SELECT fec_file_name(:alice, '2026-12-31');
-- (the bank lines, dated today, left out)
SELECT row_number() OVER (ORDER BY n) AS n, regexp_replace(line, '\|\d{8}\|\|$', '|(today)||') AS line
FROM regexp_split_to_table(fec_file(:alice, '2026-01-01', '2026-12-31'), E'\r\n') WITH ORDINALITY l(line, n)
WHERE line NOT LIKE 'BQ%';
SELECT count(*) AS lines,
	   count(*) FILTER (WHERE cardinality(string_to_array(line, '|')) = 18) AS with_18_fields,
	   count(*) FILTER (WHERE split_part(line, '|', 4) ~ '^\d{8}$' AND split_part(line, '|', 12) ~ '^\d+,\d\d$'
						AND split_part(line, '|', 13) ~ '^\d+,\d\d$') AS well_formed
FROM regexp_split_to_table(fec_file(:alice, '2026-01-01', '2099-12-31'), E'\r\n') l(line)
WHERE line <> '' AND line NOT LIKE 'JournalCode%';
-- a name with the separator in it does not split a field
SELECT count(*) AS bob_lines FROM regexp_split_to_table(fec_file(:alice, '2026-01-01', '2099-12-31'), E'\r\n') l(line)
WHERE line LIKE '%Export Bob   Fils%';
SELECT left(fec_file(:alice, '2026-01-01', '2026-12-31', E'\t'), 40);
SELECT fec_file(:alice, '2026-01-01', '2026-12-31', ';');

-- its own chart of accounts
SELECT set_accounting_account(:alice, 'customers', '411ab', 'Clients France');
SELECT DISTINCT "CompteNum", "CompteLib" FROM fec_entries(:alice, '2026-01-01', '2026-12-31')
WHERE "CompteLib" LIKE 'Clients%';
SELECT set_accounting_account(:alice, 'customers', '41', 'Trop court');
SELECT set_accounting_account(:alice, 'stock', '310000', 'Stocks');

-- CSV
SELECT invoices_csv(:alice, '2026-01-01', '2026-12-31');
SELECT regexp_replace(payments_csv(:alice, '2000-01-01', '2099-12-31'), '\d{4}-\d\d-\d\d', 'DATE', 'g');
-- UBL or CII, many at once
SELECT number, file_name, (SELECT count(*) FROM validate_invoice(document) v WHERE v.severity = 'fatal') AS fatal
FROM export_invoices(:alice, '2026-01-01', '2026-12-31', 'cii') ORDER BY invoice_id;
SELECT count(*) FROM export_invoices(:alice, '2026-01-01', '2026-12-31', 'pdf');

-- only its own: Carol's deal with Bob is in none of Alice's exports
SELECT position('C-10' IN fec_file(:alice, '2000-01-01', '2099-12-31')) AS in_fec,
	   position('C-10' IN invoices_csv(:alice, '2000-01-01', '2099-12-31')) AS in_csv,
	   (SELECT count(*) FROM export_invoices(:alice, '2000-01-01', '2099-12-31') WHERE number = 'C-10') AS in_batch;
-- and no other party's books
SELECT * FROM fec_entries(:bob, '2026-01-01', '2026-12-31');
SELECT invoices_csv(:carol, '2026-01-01', '2026-12-31');
SELECT count(*) FROM export_invoices(:bob, '2026-01-01', '2026-12-31');
SELECT set_accounting_account(:bob, 'customers', '411999', 'Clients');
RESET ROLE;
-- a reporting role acting for Alice reads her books
SET ROLE regress_x_reader;
SELECT act_as(:alice);
SELECT count(*) AS lines FROM fec_entries(:alice, '2026-01-01', '2099-12-31');
RESET ROLE;
-- an administrator acting for no party exports any; Bob's books mirror Alice's sale
SELECT act_as(NULL);
SELECT "JournalCode", "CompteNum", "CompAuxLib", "PieceRef", "Debit", "Credit"
FROM fec_entries(:bob, '2026-01-01', '2026-12-31') WHERE "PieceRef" = 'X-1';

-- a company registered without a SIREN has no FEC file name
SELECT register_party('{"name": "Export Dan"}') AS dan \gset
SELECT fec_file_name(:dan, '2026-12-31');

SELECT act_as(NULL);
DROP ROLE regress_x_alice, regress_x_bob, regress_x_reader;
