#!/bin/bash
# The one entry point behind `make demo`, `make test`, `make fuzz` and `make bench`.
#
# On any Debian 12 machine, as root or not: installs the packages the project
# needs (root only; others are told what to install), builds, installs the
# extension into a private copy of the PostgreSQL installation (never the
# system's), and runs what was asked against throwaway clusters listening on
# a Unix socket in a private folder (so no TCP port can collide).  Everything
# it creates lives in one temporary folder, removed on exit whatever happens.
#
# PostgreSQL refuses to run as root: run as root, this script copies the tree
# to the temporary folder and runs the rest as the unprivileged user
# $BIZINVOICE_USER (default postgres).
#
# BIZINVOICE_KEEP=DIR keeps the test results there (to update expected/).
set -euo pipefail

mode=${1:?usage: harness.sh demo|test|fuzz|bench}
here=$(cd "$(dirname "$0")/.." && pwd)
PG_MAJOR=15
PGBIN=/usr/lib/postgresql/$PG_MAJOR/bin
PGLIB=/usr/lib/postgresql/$PG_MAJOR/lib
PGSHARE=/usr/share/postgresql/$PG_MAJOR
PGXS_TEST=$PGLIB/pgxs/src/test
PACKAGES="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR libxml2-dev
	libcurl4-openssl-dev libssl-dev libqpdf-dev pkg-config make gcc perl libipc-run-perl python3 curl openssl
	clang-14 libclang-rt-14-dev"

say() { printf '== %s\n' "$*"; }

install_packages() {
	local missing=()
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]}" >&2
		echo "install them as root: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Stops any cluster left under $1 (used on every exit path).
stop_clusters() {
	local pidfile pid
	for pidfile in $(find "$1" -name postmaster.pid 2>/dev/null); do
		pid=$(head -n 1 "$pidfile" 2>/dev/null) || continue
		kill -TERM "$pid" 2>/dev/null || continue
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
}

# --- as root: set up, then hand over to the unprivileged user -------------
if [ "$(id -u)" -eq 0 ] && [ -z "${BIZINVOICE_INNER:-}" ]; then
	install_packages
	user=${BIZINVOICE_USER:-postgres}
	work=$(mktemp -d /tmp/bizinvoice.XXXXXX)
	trap 'stop_clusters "$work"; rm -rf "$work"' EXIT
	mkdir "$work/src"
	tar -C "$here" --exclude=.git -cf - . | tar -C "$work/src" -xf -
	chown -R "$user" "$work"
	rc=0
	runuser -u "$user" -- env BIZINVOICE_INNER=1 BIZINVOICE_WORK="$work" \
		HOME="$work" "$work/src/test/harness.sh" "$mode" || rc=$?
	exit $rc
fi

# --- as the unprivileged user ---------------------------------------------
install_packages
mock_pid=
stop_mock() { if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; fi; }
if [ -n "${BIZINVOICE_WORK:-}" ]; then
	work=$BIZINVOICE_WORK
	trap stop_mock EXIT
else
	work=$(mktemp -d /tmp/bizinvoice.XXXXXX)
	trap 'stop_mock; stop_clusters "$work"; rm -rf "$work"' EXIT
fi
cd "$here"

# A private copy of the installation: PostgreSQL finds its share and lib
# folders relative to its own binary, so copied binaries beside symlinked
# share and lib trees make an installation we may add the extension to.
inst=$work/inst
bindir=$inst$PGBIN
say "building"
make -s PG_CONFIG=$PGBIN/pg_config >"$work/build.log" 2>&1 || {
	cat "$work/build.log"
	exit 1
}
mkdir -p "$inst/usr/lib/postgresql/$PG_MAJOR" "$inst/usr/share/postgresql"
cp -r "$PGBIN" "$bindir"
cp -rs "$PGLIB" "$inst$PGLIB"
cp -rs "$PGSHARE" "$inst$PGSHARE"
make -s PG_CONFIG=$PGBIN/pg_config DESTDIR="$inst" install >>"$work/build.log" 2>&1 || {
	cat "$work/build.log"
	exit 1
}
export PATH=$bindir:$PATH
# the EN 16931 samples the XML tests read (server side, hence absolute)
export BIZINVOICE_CORPUS=$here/test/corpus/en16931
conf=$work/bizinvoice.conf
printf "shared_preload_libraries = 'bizinvoice'\n" >"$conf"

make_var() { make -s --no-print-directory PG_CONFIG=$PGBIN/pg_config print-"$1"; }

# A cluster for the demo and the benchmarks: socket in $work, no TCP.
start_cluster() {
	export PGHOST=$work/sock PGPORT=5432 PGDATABASE=postgres
	mkdir -p "$PGHOST"
	initdb -D "$work/data" -A trust -N >"$work/initdb.log" 2>&1
	cat "$conf" >>"$work/data/postgresql.conf"
	pg_ctl -D "$work/data" -l "$work/server.log" -w -s \
		-o "-c listen_addresses='' -k $PGHOST" start
}

stop_cluster() {
	pg_ctl -D "$work/data" -m fast -w -s stop
}

passed=0 failed=0

# Counts "... ok" and "... FAILED" lines of pg_regress-style output; a run
# that failed without naming a test counts as one failure.
count_regress() {
	local log=$1 rc=$2 ok bad
	ok=$(grep -cE '\.\.\. ok' "$log" || true)
	bad=$(grep -cE '\.\.\. (FAILED|failed)' "$log" || true)
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	passed=$((passed + ok)) failed=$((failed + bad))
}

run_regress() {
	local out=$work/regress rc=0
	say "pg_regress"
	mkdir -p "$out"
	"$PGXS_TEST/regress/pg_regress" --temp-instance="$out/instance" \
		--bindir="$bindir" --inputdir="$here" --outputdir="$out" \
		--temp-config="$conf" $(make_var REGRESS_OPTS) \
		$(make_var REGRESS) 2>&1 | tee "$out/output.txt" || rc=$?
	[ -f "$out/regression.diffs" ] && cat "$out/regression.diffs"
	count_regress "$out/output.txt" "$rc"
}

run_isolation() {
	local out=$work/isolation rc=0
	say "isolation"
	mkdir -p "$out"
	"$PGXS_TEST/isolation/pg_isolation_regress" --temp-instance="$out/instance" \
		--bindir="$bindir" --outputdir="$out" \
		--temp-config="$conf" $(make_var ISOLATION_OPTS) \
		$(make_var ISOLATION) 2>&1 | tee "$out/output.txt" || rc=$?
	[ -f "$out/regression.diffs" ] && cat "$out/regression.diffs"
	count_regress "$out/output.txt" "$rc"
}

run_tap() {
	local out=$work/tap rc=0 ok bad
	say "TAP"
	mkdir -p "$out"
	(cd "$out" && TESTDIR=$out PG_REGRESS="$PGXS_TEST/regress/pg_regress" \
		TEMP_CONFIG="$conf" prove -v -I "$PGXS_TEST/perl" -I "$here/test/perl" "$here"/test/t/*.pl) \
		2>&1 | tee "$out/output.txt" || rc=$?
	ok=$(grep -cE '^ *ok [0-9]' "$out/output.txt" || true)
	bad=$(grep -cE '^ *not ok [0-9]' "$out/output.txt" || true)
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	if [ "$rc" -ne 0 ]; then
		find "$out" -name '*.log' -path '*log*' -exec tail -n 30 {} + || true
	fi
	passed=$((passed + ok)) failed=$((failed + bad))
}

# The libFuzzer targets (invoice documents, identifiers, JSON documents), each for a bounded
# time (BIZINVOICE_FUZZ_SECONDS, default 60).
run_fuzz() {
	local out=$work/fuzz rc=0
	say "fuzz"
	mkdir -p "$out"
	PGBIN=$PGBIN bash "$here/test/fuzz/run.sh" "$out" "${BIZINVOICE_FUZZ_SECONDS:-60}" \
		2>&1 | tee "$out/output.txt" || rc=$?
	count_regress "$out/output.txt" "$rc"
}

# The demo's Chorus Pro: the loopback mock, its directory, and a worker
# pointed at it; it stops with the demo (or by itself after ten minutes).
start_chorus_mock() {
	python3 "$here/test/chorus_mock.py" --port-file "$work/mock.port" --lifetime 600 \
		--control '{"structures": [{"siret": "55210055400013", "id": 4201, "name": "Préfecture de Sample",
			"services": [{"code": "ACHATS", "name": "Achats"}]}], "flux_delay": 0.5, "status_step": 0.3}' &
	mock_pid=$!
	for _ in $(seq 50); do [ -s "$work/mock.port" ] && break; sleep 0.1; done
	local url=http://127.0.0.1:$(cat "$work/mock.port")
	cat >>"$conf" <<-EOF
	bizinvoice.chorus_database = 'postgres'
	bizinvoice.chorus_token_url = '$url/api/oauth/token'
	bizinvoice.chorus_api_url = '$url'
	bizinvoice.chorus_naptime = 50
	bizinvoice.chorus_flux_interval = 200
	bizinvoice.chorus_status_interval = 200
	EOF
}

case $mode in
demo)
	start_chorus_mock
	start_cluster
	say "demo"
	psql -X -v ON_ERROR_STOP=1 -f "$here/test/demo.sql" || {
		rc=$?
		cat "$work/server.log"
		exit $rc
	}
	stop_cluster
	;;
test)
	run_regress
	run_isolation
	run_tap
	run_fuzz
	if [ -n "${BIZINVOICE_KEEP:-}" ]; then
		cp -r "$work/regress/results" "$BIZINVOICE_KEEP/regress"
		cp -r "$work/isolation/results" "$BIZINVOICE_KEEP/isolation"
	fi
	echo "tests: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	;;
fuzz)
	run_fuzz
	echo "tests: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	;;
bench)
	# a worker serving the benchmarks' database, to relay notifications
	printf "bizinvoice.chorus_database = 'postgres'\n" >>"$conf"
	start_cluster
	for script in "$here"/test/bench/*.sh; do
		# BIZINVOICE_BENCH="invoices ledger": only these
		if [ -n "${BIZINVOICE_BENCH:-}" ] &&
			! [[ " $BIZINVOICE_BENCH " == *" $(basename "$script" .sh) "* ]]; then
			continue
		fi
		say "benchmark $(basename "$script")"
		bash "$script" "$work/bench"
	done
	stop_cluster
	;;
*)
	echo "usage: harness.sh demo|test|fuzz|bench" >&2
	exit 2
	;;
esac
