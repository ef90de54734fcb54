#!/bin/bash
# EN 16931 XML: imports per second of a 10-line UBL invoice (parse, validate,
# store) against create_invoice(jsonb) of the same invoice and against plain
# INSERTs of the same rows, in one run; validations per second; and a
# backend's memory over many validations and imports.
#
#   xml.sh WORKDIR      (run by `make bench`, PG* variables set)
#
# pgbench in prepared mode, default durability, each measure the median of
# BENCH_RUNS runs (default 3) of BENCH_SECONDS (default 10) with BENCH_CLIENTS
# clients (default 8); BENCH_VALIDATIONS
# (default 1,000,000) and BENCH_IMPORTS (default 50,000) for the memory
# measure, in one session.
set -euo pipefail
dir=$1
mkdir -p "$dir"
seconds=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-8}
validations=${BENCH_VALIDATIONS:-1000000}
imports=${BENCH_IMPORTS:-50000}

. "$(dirname "$0")/lib/pgbench.sh"

q -c 'CREATE EXTENSION IF NOT EXISTS bizinvoice'
q <<'SQL'
SET search_path = public, bizinvoice;
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_xml') THEN
		CREATE ROLE bench_xml LOGIN IN ROLE bizinvoice_user;
	END IF;
	-- each import reports, as a notice, what the model does not hold
	ALTER ROLE bench_xml SET client_min_messages = warning;
END
$$;
SELECT register_party('{"name": "XML Supplier", "siret": "85520088700013", "address_line1": "1 rue de la Paix",
	"postal_code": "75002", "city": "Paris", "members": ["bench_xml"]}') AS seller \gset
SELECT register_party('{"name": "XML Buyer", "siret": "38012986600014", "address_line1": "2 quai Rambaud",
	"postal_code": "69002", "city": "Lyon"}') AS buyer \gset

-- the 10-line invoice, written by the platform itself as UBL
SELECT act_as(:seller);
SELECT create_invoice(jsonb_build_object(
	'number', 'XML-0', 'issue_date', '2026-11-02', 'due_date', '2026-12-02', 'buyer', :buyer,
	'payment', '{"means_code": "58", "iban": "FR7630006000011234567890189", "bic": "BNPAFRPP"}'::jsonb,
	'notes', '[{"subject_code": "PMT", "text": "Indemnité forfaitaire pour frais de recouvrement : 40 €"}]'::jsonb,
	'lines', (SELECT jsonb_agg(jsonb_build_object('item_name', 'Item ' || i, 'quantity', i,
											   'unit_code', 'C62', 'net_price', i * 7 + 0.25,
											   'vat_rate', CASE WHEN i % 3 = 0 THEN 5.5 ELSE 20 END))
			  FROM generate_series(1, 10) i))) AS invoice_id \gset
SELECT submit(:invoice_id);
CREATE TABLE bench_doc AS
SELECT export_invoice(:invoice_id, 'ubl')::text AS ubl,
	   read_invoice_document(export_invoice(:invoice_id, 'ubl'))->'invoice'
		   || jsonb_build_object('buyer', :buyer) AS json;
SELECT act_as(NULL);

-- the baseline: the same rows in plain tables with the same indexes, no logic
-- (the other scripts' baselines share names: each starts afresh)
SET client_min_messages = warning;
DROP TABLE IF EXISTS plain_source, plain_line, plain_history, plain_vat, plain_invoice;
RESET client_min_messages;
CREATE TABLE plain_invoice (LIKE invoice INCLUDING DEFAULTS INCLUDING INDEXES);
ALTER TABLE plain_invoice ALTER id ADD GENERATED ALWAYS AS IDENTITY;
CREATE TABLE plain_line (LIKE invoice_line INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE plain_source (LIKE invoice_source INCLUDING DEFAULTS INCLUDING INDEXES);
GRANT SELECT ON bench_doc TO PUBLIC;
GRANT ALL ON plain_invoice, plain_line, plain_source TO PUBLIC;
SQL
seller=$(q -At -c "SELECT id FROM bizinvoice.party WHERE siret::text = '85520088700013'")

cat >"$dir/import.sql" <<SQL
BEGIN;
SELECT bizinvoice.act_as($seller);
SELECT bizinvoice.import_invoice((SELECT ubl FROM bench_doc));
COMMIT;
SQL
cat >"$dir/create.sql" <<SQL
BEGIN;
SELECT bizinvoice.act_as($seller);
SELECT bizinvoice.create_invoice((SELECT json FROM bench_doc));
COMMIT;
SQL
# the same rows, written plainly: the invoice, its 10 lines, the document
cat >"$dir/plain.sql" <<'SQL'
BEGIN;
INSERT INTO plain_invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, due_date, b2b_status)
VALUES (1, 2, 'B2B', 'platform', 'XML-0', '2026-11-02', '2026-12-02', 'draft')
RETURNING id AS inv \gset
INSERT INTO plain_line (invoice_id, line_no, line_id, item_name, quantity, unit_code, net_price, vat_category, vat_rate)
SELECT :inv, i, i::text, 'Item ' || i, i, 'C62', i * 7 + 0.25, 'S', CASE WHEN i % 3 = 0 THEN 5.5 ELSE 20 END
FROM generate_series(1, 10) i;
INSERT INTO plain_source (invoice_id, syntax, document, not_mapped, findings)
SELECT :inv, 'ubl', convert_to(ubl, 'UTF8'), '{}', '[]' FROM bench_doc;
COMMIT;
SQL
cat >"$dir/validate.sql" <<'SQL'
SELECT count(*) FROM bizinvoice.validate_invoice((SELECT ubl FROM bench_doc));
SQL

import_tps=$(tps "$dir/import.sql" "$clients" bench_xml)
create_tps=$(tps "$dir/create.sql" "$clients" bench_xml)
plain_tps=$(tps "$dir/plain.sql" "$clients" bench_xml)
validate_tps=$(tps "$dir/validate.sql" "$clients" bench_xml)

# private memory of one backend (RssAnon: not the shared buffers it touches)
# before, halfway and after: flat means no leak
rss="SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'RssAnon:\s+(\d+)'))[1]::bigint / 1024"
memory=$(q -At <<SQL
SET client_min_messages = warning;
-- one statement per call, as applications make them
CREATE PROCEDURE pg_temp.validations(n integer) LANGUAGE plpgsql AS \$\$
BEGIN
	FOR i IN 1 .. n LOOP
		PERFORM count(*) FROM bizinvoice.validate_invoice((SELECT ubl FROM bench_doc));
	END LOOP;
END
\$\$;
CREATE PROCEDURE pg_temp.imports(n integer) LANGUAGE plpgsql AS \$\$
BEGIN
	FOR i IN 1 .. n LOOP
		PERFORM bizinvoice.import_invoice((SELECT ubl FROM bench_doc));
		IF i % 1000 = 0 THEN COMMIT; END IF;
	END LOOP;
END
\$\$;
SELECT count(*) FROM bizinvoice.validate_invoice((SELECT ubl FROM bench_doc)) \\g /dev/null
SELECT bizinvoice.act_as($seller, false) \\g /dev/null
$rss;
CALL pg_temp.validations($validations / 2);
$rss;
CALL pg_temp.validations($validations / 2);
$rss;
CALL pg_temp.imports($imports / 2);
$rss;
CALL pg_temp.imports($imports / 2);
$rss;
SQL
)
read -r m0 m1 m2 m3 m4 <<<"$(echo $memory)"

ratio() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { printf "%.0f/s; create_invoice(jsonb) %.0f/s; plain INSERTs %.0f/s (%.1f× the cost)", a, b, c, c / a }'; }
printf '| measure (%d clients, median of %d × %d s) | figures |\n|---|---|\n' \
	"$clients" "${BENCH_RUNS:-3}" "$seconds"
printf '| import of a 10-line UBL invoice (parse, validate, store) | %s |\n' "$(ratio "$import_tps" "$create_tps" "$plain_tps")"
printf '| validation alone | %.0f/s |\n' "$validate_tps"
printf '| backend private memory (RssAnon) over %d validations, then %d imports | %s MB, %s MB, %s MB; %s MB, %s MB |\n' \
	"$validations" "$imports" "$m0" "$m1" "$m2" "$m3" "$m4"
