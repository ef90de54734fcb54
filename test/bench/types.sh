#!/bin/bash
# Identifier types against plain text, on the same million values each.
#
#   types.sh WORKDIR      (run by `make bench`, PG* variables set)
#
# Two measures per type, each the median of 5 runs, as a ratio to text:
#   - function: a scan calling the type's input (or output) function on every
#     value, against the same scan calling text's (textin / textout);
#   - COPY: loading the million values from a file into an unlogged table
#     (input), and writing them to /dev/null (output).
set -euo pipefail
dir=$1
mkdir -p "$dir"
rows=${BENCH_ROWS:-1000000}
runs=5

q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# median time in ms of running the SQL $runs times
time_sql() {
	local sql=$1 i
	for i in $(seq $runs); do
		q -c 'SET max_parallel_workers_per_gather = 0' -c '\timing on' -c "$sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
	done | sort -n | sed -n "$(((runs + 1) / 2))p"
}

q -c 'CREATE EXTENSION IF NOT EXISTS bizinvoice'
q <<SQL
SET search_path = public, bizinvoice;
DROP TABLE IF EXISTS bench_values;
CREATE UNLOGGED TABLE bench_values (type text, v text);
-- SIRENs: every valid number from 100000000 on
INSERT INTO bench_values
SELECT 'siren', s FROM (SELECT n::text || d AS s
						FROM generate_series(10000000, 10000000 + $rows - 1) n,
							 generate_series(0, 9) d) x
WHERE is_valid_siren(s);
-- SIRETs: one establishment of each SIREN
INSERT INTO bench_values
SELECT 'siret', c FROM (SELECT v || '0001' || d AS c
						FROM bench_values, generate_series(0, 9) d
						WHERE type = 'siren') x
WHERE is_valid_siret(c);
INSERT INTO bench_values
SELECT 'vat_id', vat_id_from_siren(v::siren)::text FROM bench_values WHERE type = 'siren';
-- French IBANs with their check digits
INSERT INTO bench_values
SELECT 'iban', 'FR' || lpad((98 - ((b || '152700')::numeric % 97))::text, 2, '0') || b
FROM (SELECT '3000600001' || lpad(n::text, 11, '0') || '00' AS b
	  FROM generate_series(1, $rows) n) x;
-- BICs: 8 and 11 characters
INSERT INTO bench_values
SELECT 'bic', chr(65 + n % 26) || chr(65 + n / 26 % 26) || chr(65 + n / 676 % 26) ||
			  chr(65 + n / 17576 % 26) || 'FRPP' ||
			  CASE WHEN n % 2 = 0 THEN lpad((n % 1000)::text, 3, '0') ELSE '' END
FROM generate_series(1, $rows) n;
SQL

printf '| type | values | input (function) | output (function) | COPY in | COPY out |\n'
printf '|---|---|---|---|---|---|\n'
for t in siren siret iban bic vat_id; do
	file=$dir/$t.txt
	q -c "COPY (SELECT v FROM bench_values WHERE type = '$t') TO '$file'"
	q <<SQL
DROP TABLE IF EXISTS bench_text, bench_typed;
CREATE UNLOGGED TABLE bench_text (v text);
CREATE UNLOGGED TABLE bench_typed (v bizinvoice.$t);
COPY bench_text FROM '$file';
COPY bench_typed FROM '$file';
VACUUM ANALYZE bench_text, bench_typed;
SQL
	n=$(q -At -c 'SELECT count(*) FROM bench_text')
	in_text=$(time_sql "SELECT count(textin(v::cstring)) FROM bench_text")
	in_type=$(time_sql "SELECT count(bizinvoice.${t}_in(v::cstring)) FROM bench_text")
	out_text=$(time_sql "SELECT count(textout(v)) FROM bench_text")
	out_type=$(time_sql "SELECT count(bizinvoice.${t}_out(v)) FROM bench_typed")
	cin_text=$(time_sql "TRUNCATE bench_text; COPY bench_text FROM '$file'")
	cin_type=$(time_sql "TRUNCATE bench_typed; COPY bench_typed FROM '$file'")
	cout_text=$(time_sql "COPY bench_text TO '/dev/null'")
	cout_type=$(time_sql "COPY bench_typed TO '/dev/null'")
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f ms vs %.0f ms: %.2f×", a, b, a / b }'; }
	printf '| %s | %s | %s | %s | %s | %s |\n' "$t" "$n" \
		"$(ratio "$in_type" "$in_text")" "$(ratio "$out_type" "$out_text")" \
		"$(ratio "$cin_type" "$cin_text")" "$(ratio "$cout_type" "$cout_text")"
done
q -c 'DROP TABLE bench_values, bench_text, bench_typed'
