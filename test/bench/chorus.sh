#!/bin/bash
# The Chorus Pro worker: B2G invoices carried from submission to
# MISE_A_DISPOSITION per second against the loopback mock answering every
# call after BENCH_LATENCY seconds (default 0.05), with one request in flight
# and with BENCH_CONCURRENCY (default 128); the same steps driven in plain SQL
# with canned answers (the database's share, no network) as the baseline;
# and the worker's private memory over BENCH_MEMORY_INVOICES (default 100,000).
#
#   chorus.sh WORKDIR      (run by `make bench`, PG* variables set)
#
# Each invoice takes four calls: deposit, flux report, search, status
# history (the directory is read once per structure).  The cluster is
# restarted to start the worker on a database of its own.
set -euo pipefail
dir=$1
mkdir -p "$dir"
here=$(cd "$(dirname "$0")/../.." && pwd)
latency=${BENCH_LATENCY:-0.05}
serial=${BENCH_SERIAL:-40}
invoices=${BENCH_INVOICES:-3000}
concurrency=${BENCH_CONCURRENCY:-128}
memory_invoices=${BENCH_MEMORY_INVOICES:-100000}

q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

rm -f "$dir/mock.port"
python3 "$here/test/chorus_mock.py" --port-file "$dir/mock.port" --lifetime 3600 &
mock=$!
trap 'kill $mock 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$dir/mock.port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$dir/mock.port")
curl -s -o /dev/null -X POST "$url/_control" -d "{\"latency\": $latency, \"flux_delay\": 0,
	\"status_step\": 0, \"structures\": [{\"siret\": \"35600000049837\", \"id\": 42,
	\"services\": [{\"code\": \"VOIRIE\"}]}]}"

setup() {
	q -d "$1" <<'SQL'
CREATE EXTENSION IF NOT EXISTS bizinvoice;
SET search_path = bizinvoice, public;
SELECT chorus_set_credentials('bizinvoice-test', 'piste-secret', 'TECH_bizinvoice@cpro.fr', 'cpro-password');
SELECT register_party('{"name": "Bench Supplier", "siret": "73282932000074"}');
SELECT register_party('{"kind": "public_structure", "name": "Mairie", "siret": "35600000049837",
	"services": [{"code": "VOIRIE", "name": "Voirie"}]}');
SELECT fund(open_account(1), 1000000, 'initial', 'bench-fund');
-- STOP in the number: the mock keeps them at MISE_A_DISPOSITION
CREATE PROCEDURE public.submit_many(prefix text, n integer) LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bizinvoice.act_as(1, local => true);
	PERFORM bizinvoice.submit(bizinvoice.create_invoice(jsonb_build_object('number', prefix || '-STOP-' || k,
		'issue_date', '2026-11-02', 'buyer', 2, 'buyer_reference', 'VOIRIE',
		'lines', '[{"item_name": "Entretien", "quantity": 1, "net_price": 100, "vat_rate": 20}]'::jsonb)))
	FROM generate_series(1, n) k;
END
$$;
CREATE TABLE public.bench_start (prefix text PRIMARY KEY, at timestamptz NOT NULL);
SQL
}

q -c 'DROP DATABASE IF EXISTS bench_chorus WITH (FORCE)' -c 'CREATE DATABASE bench_chorus' \
	-c 'DROP DATABASE IF EXISTS bench_chorus_sql' -c 'CREATE DATABASE bench_chorus_sql'
setup bench_chorus >/dev/null
setup bench_chorus_sql >/dev/null
q <<SQL
ALTER SYSTEM SET bizinvoice.chorus_database = 'bench_chorus';
ALTER SYSTEM SET bizinvoice.chorus_token_url = '$url/api/oauth/token';
ALTER SYSTEM SET bizinvoice.chorus_api_url = '$url';
ALTER SYSTEM SET bizinvoice.chorus_naptime = 10;
ALTER SYSTEM SET bizinvoice.chorus_flux_interval = 1;
ALTER SYSTEM SET bizinvoice.chorus_status_interval = '1h';
ALTER SYSTEM SET bizinvoice.chorus_concurrency = 1;
SQL
data=$(q -At -c 'SHOW data_directory')
pg_ctl -D "$data" -l "$dir/server.log" -w -s restart

# invoices/s from the submitting commit to the last MISE_A_DISPOSITION
carry() {
	local prefix=$1 n=$2 conc=$3
	q -d bench_chorus -c "ALTER SYSTEM SET bizinvoice.chorus_concurrency = $conc" -c 'SELECT pg_reload_conf()' >/dev/null
	sleep 1
	q -d bench_chorus -c "SET client_min_messages = error" -c "CALL submit_many('$prefix', $n)" \
		-c "INSERT INTO bench_start VALUES ('$prefix', clock_timestamp())"
	local waited=0
	until [ "$(q -d bench_chorus -At -c "SELECT count(*) FROM bizinvoice.invoice
			WHERE number LIKE '$prefix-%' AND b2g_status = 'MISE_A_DISPOSITION'")" -ge "$n" ]; do
		sleep 0.2
		waited=$((waited + 1))
		if [ $waited -gt 6000 ]; then
			echo "chorus.sh: $prefix not carried within 20 minutes" >&2
			exit 1
		fi
	done
	q -d bench_chorus -At -c "SELECT round($n / extract(epoch FROM max(h.changed_at) - s.at), 1)
		FROM bizinvoice.status_history h JOIN bizinvoice.invoice i ON i.id = h.invoice_id,
			 bench_start s
		WHERE s.prefix = '$prefix' AND i.number LIKE '$prefix-%' AND h.to_status = 'MISE_A_DISPOSITION'
		GROUP BY s.at"
}

# the same steps in plain SQL, answers canned: what the database does per invoice
sql_only() {
	q -d bench_chorus_sql -At <<SQL
SET client_min_messages = error;
SET search_path = bizinvoice, public;
INSERT INTO chorus_structure (siret, structure_id, refreshed_at) VALUES ('35600000049837', 42, now());
INSERT INTO chorus_service VALUES ('35600000049837', 'VOIRIE', 'Voirie', true);
CALL submit_many('SQL', $invoices);
CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS at;
CREATE PROCEDURE pg_temp.drive() LANGUAGE plpgsql AS \$\$
DECLARE
	r record;
	n integer;
BEGIN
	LOOP
		n := 0;
		FOR r IN SELECT * FROM chorus_claim(64, '{}') LOOP
			n := n + 1;
			PERFORM chorus_answer(r.job, r.step, 200, CASE r.step
				WHEN 'deposit' THEN jsonb_build_object('codeRetour', 0, 'numeroFluxDepot', 'F' || r.job)
				WHEN 'report' THEN '{"codeRetour": 0, "etatCourantDepotFlux": "IN_INTEGRE"}'
				WHEN 'history' THEN jsonb_build_object('codeRetour', 0, 'historiquesDesStatuts',
					jsonb_build_object('histoStatut', jsonb_build_array(
						jsonb_build_object('histoStatutId', 1, 'histoStatutCode', 'DEPOSEE'),
						jsonb_build_object('histoStatutId', 2, 'histoStatutCode', 'MISE_A_DISPOSITION'))))
				END, NULL);
		END LOOP;
		-- the search, chained by the report's answer, as the worker would send it
		FOR r IN SELECT o.invoice_id, o.flux_number, i.number, i.tax_inclusive_total
				 FROM chorus_outbox o JOIN invoice i ON i.id = o.invoice_id WHERE o.state = 'integrated' LOOP
			n := n + 1;
			PERFORM chorus_answer('invoice:' || r.invoice_id, 'find', 200,
				jsonb_build_object('codeRetour', 0, 'listeFactures', jsonb_build_array(jsonb_build_object(
					'identifiantFactureCPP', r.invoice_id, 'numeroFacture', r.number,
					'montantTTC', r.tax_inclusive_total, 'numeroFluxDepot', r.flux_number))), NULL);
		END LOOP;
		COMMIT;
		EXIT WHEN n = 0;
	END LOOP;
END
\$\$;
CALL pg_temp.drive();
SELECT round(count(*) / extract(epoch FROM clock_timestamp() - (SELECT at FROM t0)), 1)
FROM invoice WHERE b2g_status = 'MISE_A_DISPOSITION';
SQL
}

rss() {
	local pid
	pid=$(q -d bench_chorus -At -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'bizinvoice chorus worker'")
	awk '/RssAnon/ {print int($2 / 1024)}' "/proc/$pid/status"
}

one=$(carry ONE "$serial" 1)
many=$(carry MANY "$invoices" "$concurrency")
plain=$(sql_only | tail -n 1)
m0=$(rss)
carry MEM1 $((memory_invoices / 2)) "$concurrency" >/dev/null
m1=$(rss)
carry MEM2 $((memory_invoices / 2)) "$concurrency" >/dev/null
m2=$(rss)

# the cluster as make bench started it, for the scripts that follow: its
# settings, and without these databases, whose autovacuum would run during
# their first measures
q -c 'ALTER SYSTEM RESET ALL' >/dev/null
pg_ctl -D "$data" -l "$dir/server.log" -w -s restart
q -c 'DROP DATABASE bench_chorus WITH (FORCE)' -c 'DROP DATABASE bench_chorus_sql WITH (FORCE)'
printf '%s\n' \
	"Chorus Pro worker, mock answering each call after ${latency}s (4 calls an invoice):" \
	"  1 request in flight:            $one invoices/s to MISE_A_DISPOSITION ($serial invoices)" \
	"  $concurrency requests in flight:          $many invoices/s ($invoices invoices)" \
	"  baseline, the same steps in plain SQL with canned answers: $plain invoices/s" \
	"  worker's private memory (RssAnon) over $memory_invoices invoices: ${m0} -> ${m1} -> ${m2} MB"
