#!/usr/bin/env bash
# The benchmark suite: ismseval against the pure-SQL way, same data, same run.
# Usage: bash bench/run.sh [SCALE ...]   (default: 1000 10000 100000 organizations)
# BENCH_REPS (default 5) repetitions; the table is printed and saved as
# bench/results/bench-results.csv.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

SCALES=("$@"); [ ${#SCALES[@]} -gt 0 ] || SCALES=(1000 10000 100000)
REPS=${BENCH_REPS:-5}
export ISMSEVAL_PGOPTS="-c shared_buffers=4GB -c work_mem=256MB -c max_wal_size=8GB"
install_packages
build_and_install
cluster_start

PSQL=("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres)
mkdir -p "$REPO/bench/results"
"${PSQL[@]}" -c 'CREATE EXTENSION ismseval'
"${PSQL[@]}" -f "$REPO/bench/workloads.sql"
for scale in "${SCALES[@]}"; do
    echo "== scale $scale: generating"
    "${PSQL[@]}" -v orgs="$scale" -f "$REPO/bench/generate.sql" >/dev/null
    echo "== scale $scale: timing ($REPS repetitions)"
    PGOPTIONS="-c bench.scale=$scale -c bench.reps=$REPS" \
        "${PSQL[@]}" -v scale="$scale" -f "$REPO/bench/bench.sql"
done
(cd "$REPO/bench/results" && "$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -d postgres -f "$REPO/bench/report.sql")
