#!/usr/bin/env bash
# Command 1: installs what is needed, builds, installs, starts a private
# throwaway cluster and runs the demo evaluation (demo/demo.sql). Results are
# printed; charts and reports are written to demo-output/ (or $ISMSEVAL_OUT).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

OUT=${ISMSEVAL_OUT:-$REPO/demo-output}
install_packages
build_and_install
cluster_start

mkdir -p "$OUT"
"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE ismseval_demo'
# What an administrator does for tenants (README, Security): load the library at session start,
# and take the statistics that count hidden rows from PUBLIC; then check nothing is missing.
preload_ismseval ismseval_demo
"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d ismseval_demo -c 'CREATE EXTENSION ismseval' \
    -c 'SELECT count(*) AS hardened_statistics FROM ismseval.harden_statistics()' \
    -c 'SELECT * FROM ismseval.tenant_setup_problems()'
echo "== importing demo/isms-essentials.yaml (a CISO Assistant-shaped library) with ismseval-import"
"$PG_BINDIR/ismseval-import" --db "dbname=ismseval_demo" "$REPO/demo/isms-essentials.yaml"
echo "== demo evaluation"
(cd "$OUT" && "$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -d ismseval_demo -f "$REPO/demo/demo.sql")
echo "== files written to $OUT:"
ls -l "$OUT"
