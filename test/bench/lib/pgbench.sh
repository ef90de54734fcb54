# Sourced by the pgbench-based benchmarks: q, and tps.
#
# tps SCRIPT CLIENTS ROLE [PGBENCH OPTION...]: transactions per second of a
# pgbench script in prepared mode, BENCH_SECONDS each time, the median of
# BENCH_RUNS runs (default 3): single runs on a small machine vary by 10-20%.
# Each measure starts from a settled database, as pgbench's own runs do
# (it vacuums its tables first): the previous measure's dead rows vacuumed
# and its dirty pages written, so that no measure pays for another's
# autovacuum or checkpoint.  Before it, a run of BENCH_WARMUP seconds
# (default 5) that is not counted: the first measure of a fresh cluster
# otherwise paid alone for what later ones found done (WAL segments to
# create, caches to fill).

q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

tps() {
	local runs=${BENCH_RUNS:-3} i
	pgbench -n -M prepared -T "${BENCH_WARMUP:-5}" -c "$2" -j 2 -U "${3:-$USER}" "${@:4}" -f "$1" >/dev/null 2>&1
	q -c 'VACUUM (ANALYZE)' -c 'CHECKPOINT'
	for ((i = 0; i < runs; i++)); do
		pgbench -n -M prepared -T "$seconds" -c "$2" -j 2 -U "${3:-$USER}" "${@:4}" -f "$1" 2>&1 |
			sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
	done | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
