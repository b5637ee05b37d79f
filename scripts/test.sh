#!/usr/bin/env bash
# Command 2: installs what is needed, builds, and runs the whole test suite
# (pg_regress, pgTAP, the plan-guard sessions, the doc test, the ismseval-import command,
# CISO Assistant's own libraries, matrices and a real export when ../shared/interop/ciso-assistant
# is there, dump and restore, races, a LATIN1 database, xmllint on the charts, the links in
# messages, the README walk-through with scripts/evaluate.sh, the update chain) against a
# private throwaway cluster.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_packages
build_and_install
cluster_start

echo "== pg_regress"
if ! make -C "$REPO" -s PG_CONFIG="$PG_CONFIG" installcheck; then
    [ -f "$REPO/regression.diffs" ] && cat "$REPO/regression.diffs"
    exit 1
fi

echo "== pgTAP"
"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c 'DROP DATABASE IF EXISTS ismseval_tap' -c 'CREATE DATABASE ismseval_tap'
preload_ismseval ismseval_tap
"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d ismseval_tap -c 'CREATE EXTENSION pgtap'
make -C "$REPO" -s PG_CONFIG="$PG_CONFIG" PROVE_DB=ismseval_tap prove

echo "== plan guard per session"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/plan_guard_session.sh"

echo "== doc test (README.md, docs/*.md)"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/doctest.sh"

echo "== ismseval-import (the command make install puts beside psql)"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/ismseval_import.sh"

echo "== CISO Assistant's own libraries (test/interop_library.sh)"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/interop_library.sh"

echo "== dump and restore"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/dump_restore.sh"

echo "== races (two sessions)"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/races.sh"

echo "== a LATIN1 database"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/encoding.sh"

echo "== charts and report through xmllint"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/charts_xml.sh"

echo "== links to the documentation in messages"
bash "$REPO/test/doc_links.sh"

echo "== the walk-through: scripts/evaluate.sh on templates/ (README, Your own organization in five minutes)"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/evaluate.sh"

echo "== CISO Assistant risk matrices (interop)"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/interop_matrices.sh"

echo "== a real CISO Assistant export (when ../shared/interop/ciso-assistant exists)"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/interop_export.sh"

echo "== update chain"
PG_BINDIR="$PG_BINDIR" bash "$REPO/test/upgrade.sh"
