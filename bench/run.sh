#!/usr/bin/env bash
# The benchmark suite: ismseval against the pure-SQL way, same data, same run.
# Usage: bash bench/run.sh [SCALE ...]   (default: 1000 10000 100000 organizations)
# BENCH_REPS (default 5) repetitions; the table is printed and saved as
# bench/results/bench-results.csv, and the plans of the dashboard workloads as
# bench/results/plans-<scale>.txt. Needs about 1.5 GB of disk per 10k organizations.
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
    start=$SECONDS
    "${PSQL[@]}" -v orgs="$scale" -f "$REPO/bench/generate.sql" >/dev/null
    "${PSQL[@]}" -v orgs="$scale" -f "$REPO/bench/generate_model.sql" >/dev/null
    echo "   generated in $((SECONDS - start)) s; database $("${PSQL[@]}" -At -c \
        "SELECT pg_size_pretty(pg_database_size(current_database()))")"
    start=$SECONDS
    echo "== scale $scale: timing ($REPS repetitions)"
    PGOPTIONS="-c bench.scale=$scale -c bench.reps=$REPS" \
        "${PSQL[@]}" -v scale="$scale" -f "$REPO/bench/bench.sql"
    "${PSQL[@]}" -f "$REPO/bench/plans.sql" >"$REPO/bench/results/plans-$scale.txt" 2>&1
    echo "   timed in $((SECONDS - start)) s; plans in bench/results/plans-$scale.txt"
done
(cd "$REPO/bench/results" && "$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -d postgres -f "$REPO/bench/report.sql")
