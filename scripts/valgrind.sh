#!/usr/bin/env bash
# Developer tool, not CI: runs the pg_regress and pgTAP suites against a private cluster whose
# postmaster runs under valgrind memcheck (every backend is a fork of it, so every backend is
# checked), then reports the valgrind errors whose stacks go through ismseval.so.
#
#   flock /tmp/ismseval-test.lock bash scripts/valgrind.sh      # builds and installs first
#   VG_SKIP_INSTALL=1 VG_PG_BINDIR=/other/bin bash scripts/valgrind.sh   # an existing install
#   VG_FUZZ_CASES=5000 ...   # cases per path in test/fuzz_inputs.sql (default 1000)
#
# Exit status: 0 when no error touches ismseval.so, 1 otherwise.  The logs stay in
# $VG_LOGDIR (default /tmp/ismseval-valgrind).  Debian's postgres is not built with
# USE_VALGRIND, so overruns inside a palloc block are invisible; large (> 8 kB) chunks,
# reads of uninitialised memory and wild pointers are caught.  Expect it to be ~30x slower.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PG_BINDIR=${VG_PG_BINDIR:-$PG_BINDIR}
LOGDIR=${VG_LOGDIR:-/tmp/ismseval-valgrind}
PORT=${VG_PGPORT:-54339}

if [ -z "${VG_SKIP_INSTALL:-}" ]; then
    install_packages
    build_and_install
fi
command -v valgrind >/dev/null || as_root apt-get install -y -qq valgrind

rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
PG_TMP=$(mktemp -d /tmp/ismseval-vg.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_TMP" "$LOGDIR"
export PGHOST=$PG_TMP PGPORT=$PORT PGUSER=postgres
stop() {
    as_pg_owner "$PG_BINDIR/pg_ctl" -D "$PG_TMP/data" -m fast -w -t 300 stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
}
trap stop EXIT
as_pg_owner "$PG_BINDIR/initdb" -D "$PG_TMP/data" -U postgres --auth=trust --no-locale -E UTF8 \
    --no-sync >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log"; exit 1; }

echo "== postmaster under valgrind, logs in $LOGDIR"
as_pg_owner valgrind --quiet --trace-children=yes --track-origins=yes --read-var-info=no \
    --leak-check=no --num-callers=30 --log-file="$LOGDIR/vg.%p.log" \
    "$PG_BINDIR/postgres" -D "$PG_TMP/data" -c listen_addresses='' -k "$PG_TMP" -p "$PORT" \
    -c fsync=off -c max_parallel_workers_per_gather=2 -c statement_timeout=0 \
    >"$PG_TMP/server.log" 2>&1 &
for _ in $(seq 1 120); do
    "$PG_BINDIR/pg_isready" -q && break
    sleep 1
done
"$PG_BINDIR/pg_isready" -q || { cat "$PG_TMP/server.log"; exit 1; }

status=0
echo "== pg_regress"
make -C "$REPO" -s PG_CONFIG="$PG_CONFIG" installcheck || status=$?
echo "== pgTAP (fuzz: ${VG_FUZZ_CASES:-1000} cases per path)"
"$PG_BINDIR/psql" -X -q -d postgres -c 'DROP DATABASE IF EXISTS ismseval_tap' \
    -c 'CREATE DATABASE ismseval_tap'
preload_ismseval ismseval_tap
"$PG_BINDIR/psql" -X -q -d ismseval_tap -c 'CREATE EXTENSION pgtap'
PGOPTIONS="-c ismseval_fuzz.cases=${VG_FUZZ_CASES:-1000}" \
    make -C "$REPO" -s PG_CONFIG="$PG_CONFIG" PROVE_DB=ismseval_tap prove || status=$?
stop
trap - EXIT

echo "== valgrind"
errors=$(cat "$LOGDIR"/vg.*.log | grep -c '^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|Mismatched\|overlap\)' || true)
ours=$(grep -l 'ismseval\.so' "$LOGDIR"/vg.*.log || true)
echo "$errors valgrind error reports in all, in $(ls "$LOGDIR" | wc -l) process logs"
if [ -n "$ours" ]; then
    echo "errors through ismseval.so in:"
    echo "$ours"
    grep -h -B2 -A30 'ismseval\.so' $ours | head -200
    exit 1
fi
echo "no valgrind error goes through ismseval.so"
[ "$status" -eq 0 ] || echo "(but a test suite failed: status $status)"
exit "$status"
