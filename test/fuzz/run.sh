#!/bin/bash
# Runs the libFuzzer targets of fuzz.c (invoice, identifiers, document) for a bounded
# time each: builds them, loads them into a single-user postgres on a
# throwaway data directory, seeded with the sample invoices and Factur-X PDFs
# (invoice) and seeds/TARGET/ (inputs that found bugs: add each new one
# there).  Prints one pg_regress-style line a target; on a finding, also
# libFuzzer's report and the input (base64), which stays under
# OUT/TARGET/findings.  Replay one with: run.sh OUT 0 TARGET FILE.
#
# usage: run.sh OUT SECONDS [TARGET [libFuzzer arguments]]
set -euo pipefail

out=${1:?usage: run.sh OUT SECONDS [TARGET [libFuzzer arguments]]}
seconds=${2:?usage: run.sh OUT SECONDS [TARGET [libFuzzer arguments]]}
targets=${3:-invoice identifiers document}
shift $(($# < 3 ? $# : 3))
here=$(cd "$(dirname "$0")/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

mkdir -p "$out"
make -s -C "$here/test/fuzz" OUT="$out/build" PG_CONFIG="$PGBIN/pg_config" >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log"; exit 1; }
rm -rf "$out/data"
"$PGBIN/initdb" -D "$out/data" -A trust -N >"$out/initdb.log" 2>&1

failed=0
for target in $targets; do
	dir=$out/$target
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/findings"
	cp "$here"/test/fuzz/seeds/"$target"/* "$dir/corpus/"
	if [ "$target" = invoice ]; then
		cp "$here"/test/corpus/en16931/*/*.xml "$here"/test/corpus/facturx/*.pdf "$dir/corpus/"
	fi
	# -timeout: seconds per input before it counts as a hang
	args=("-max_total_time=$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		"-artifact_prefix=$dir/findings/")
	if [ $# -gt 0 ]; then args+=("$@"); else args+=("$dir/corpus"); fi
	list=$(printf "'%s'," "${args[@]}")
	rc=0
	printf '%s\n' "CREATE FUNCTION fuzz(text, text[]) RETURNS int AS '$out/build/fuzz.so', 'bizinvoice_fuzz' LANGUAGE C STRICT; SELECT fuzz('$target', ARRAY[${list%,}]);" |
		"$PGBIN/postgres" --single -D "$out/data" -c log_min_messages=error \
			-c client_min_messages=error postgres >"$dir/fuzz.log" 2>&1 || rc=$?

	# libFuzzer ends with status 0 and says what it ran when it found nothing
	done_line=$(grep -E '^Done [0-9]+ runs|^Executed ' "$dir/fuzz.log" | tail -n 1 || true)
	if [ "$rc" -eq 0 ] && [ -n "$done_line" ] && [ -z "$(ls -A "$dir/findings")" ]; then
		echo "fuzz_$target (${done_line#Done }) ... ok"
		continue
	fi
	failed=1
	echo "fuzz_$target (exit status $rc) ... FAILED"
	grep -vE '^#[0-9]+' "$dir/fuzz.log" | tail -n 40
	for f in "$dir"/findings/*; do
		[ -e "$f" ] || continue
		echo "input $(basename "$f") (base64):"
		base64 "$f" | head -c 20000
		echo
	done
done
exit $failed
