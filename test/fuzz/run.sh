#!/bin/bash
# Runs the libFuzzer target (fuzz_invoice.c) for a bounded time: builds it,
# loads it into a single-user postgres on a throwaway data directory, seeded
# with the sample invoices, the Factur-X PDFs and regressions/ (inputs that
# found bugs: add each new one there).  Prints one pg_regress-style
# line; on a finding, also libFuzzer's report and the input (base64), which
# stays under OUT/findings.  Reproduce one with: run.sh OUT 0 FILE.
#
# usage: run.sh OUT SECONDS [libFuzzer arguments]
set -euo pipefail

out=${1:?usage: run.sh OUT SECONDS [libFuzzer arguments]}
seconds=${2:?usage: run.sh OUT SECONDS [libFuzzer arguments]}
shift 2
here=$(cd "$(dirname "$0")/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

mkdir -p "$out/corpus" "$out/findings"
make -s -C "$here/test/fuzz" OUT="$out/build" PG_CONFIG="$PGBIN/pg_config" >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log"; exit 1; }
rm -rf "$out/data"
"$PGBIN/initdb" -D "$out/data" -A trust -N >"$out/initdb.log" 2>&1
# the samples, and the inputs that found bugs before
cp "$here"/test/corpus/en16931/*/*.xml "$here"/test/corpus/facturx/*.pdf \
	"$here"/test/fuzz/regressions/* "$out/corpus/"

# -timeout: seconds per input before it counts as a hang
args=("-max_total_time=$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
	"-artifact_prefix=$out/findings/")
if [ $# -gt 0 ]; then args+=("$@"); else args+=("$out/corpus"); fi
list=$(printf "'%s'," "${args[@]}")
rc=0
printf '%s\n' "CREATE FUNCTION fuzz(text[]) RETURNS int AS '$out/build/fuzz_invoice.so', 'bizinvoice_fuzz' LANGUAGE C STRICT; SELECT fuzz(ARRAY[${list%,}]);" |
	"$PGBIN/postgres" --single -D "$out/data" -c log_min_messages=error \
		-c client_min_messages=error postgres >"$out/fuzz.log" 2>&1 || rc=$?

# libFuzzer ends with status 0 and says what it ran when it found nothing
done_line=$(grep -E '^Done [0-9]+ runs|^Executed ' "$out/fuzz.log" | tail -n 1 || true)
if [ "$rc" -eq 0 ] && [ -n "$done_line" ] && [ -z "$(ls -A "$out/findings")" ]; then
	echo "fuzz_invoice (${done_line#Done }) ... ok"
	exit 0
fi
echo "fuzz_invoice (exit status $rc) ... FAILED"
grep -vE '^#[0-9]+' "$out/fuzz.log" | tail -n 40
for f in "$out"/findings/*; do
	[ -e "$f" ] || continue
	echo "input $(basename "$f") (base64):"
	base64 "$f" | head -c 20000
	echo
done
exit 1
