#!/usr/bin/env bash
# Quantitative risk benchmark (issue 14): the same portfolio Monte Carlo in NumPy and in
# ismseval, same run.  Usage: bash bench/quant_loss.sh [RISKS [YEARS ...]]
# (default 1000 risks, 10000 and 100000 years).  Model: RISKS risks, each Poisson frequency
# x lognormal magnitude (bench/quant_loss.py has the parameters), summed year by year, VaR 99.
# ismseval: SELECT portfolio_loss(simulate_loss(...)) serial and with 2 parallel workers.
# NumPy: Debian's python3-numpy, vectorized per risk, single thread.
# The psql output (with the parallel plan) goes to bench/results/quant_loss-RISKS-YEARS.txt.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

RISKS=${1:-1000}
shift || true
YEARS=("$@"); [ ${#YEARS[@]} -gt 0 ] || YEARS=(10000 100000)
PACKAGES+=(python3-numpy)
install_packages
build_and_install
cluster_start

PSQL=("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres)
mkdir -p "$REPO/bench/results"
"${PSQL[@]}" -c 'CREATE EXTENSION ismseval'
printf '%-8s %-8s %-22s %10s %16s %12s %10s\n' risks years engine seconds "VaR 99" "state bytes" "numpy/x"
for years in "${YEARS[@]}"; do
    read -r _ np_seconds np_var np_bytes < <(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
        /usr/bin/python3 "$REPO/bench/quant_loss.py" "$RISKS" "$years")
    printf '%-8s %-8s %-22s %10.3f %16.1f %12s %10s\n' "$RISKS" "$years" "numpy" "$np_seconds" "$np_var" "$np_bytes" "1.00"
    out="$REPO/bench/results/quant_loss-$RISKS-$years.txt"
    PGOPTIONS="-c bench.years=$years" "${PSQL[@]}" -v risks="$RISKS" -v years="$years" \
        -f "$REPO/bench/quant_loss.sql" >"$out"
    grep -q 'Partial Aggregate' "$out" || { echo "no parallel plan, see $out"; exit 1; }
    grep -E '^(t|f) ' "$out" | while read -r serial seconds var bytes; do
        engine=$([ "$serial" = t ] && echo "ismseval serial" || echo "ismseval 2 workers")
        printf '%-8s %-8s %-22s %10.3f %16.1f %12s %10.2f\n' "$RISKS" "$years" "$engine" "$seconds" "$var" "$bytes" \
            "$(awk -v a="$np_seconds" -v b="$seconds" 'BEGIN { print a / b }')"
    done
done
