#!/usr/bin/env bash
# "Your own organization in five minutes" (README): loads a folder of CSV files made from
# templates/ (README.md#the-template-files) and prints the organization's management review and
# maturity by domain; writes its HTML report and radar chart to the output directory.
#
#   bash scripts/evaluate.sh DIR [--db CONNINFO] [--out OUTDIR]
#
# Without --db, as command 1 does (scripts/demo.sh): installs the missing
# packages, builds, installs, starts a private throwaway cluster, creates the extension, loads
# the demo's 300 organizations (demo/generate.sql) as peers, loads DIR and publishes a peer
# release, so the organization gets its percentile and rank. With --db: loads DIR into that
# database (which must have the extension) and publishes nothing. The loading is one
# transaction (scripts/evaluate_load.psql): a bad row names its file and line, and nothing is
# loaded. OUTDIR defaults to $ISMSEVAL_OUT, else ./evaluation.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    echo "usage: bash scripts/evaluate.sh DIR [--db CONNINFO] [--out OUTDIR]" >&2
    exit 2
}
DIR= DB= OUT=${ISMSEVAL_OUT:-evaluation}
while [ $# -gt 0 ]; do
    case $1 in
        --db) [ $# -ge 2 ] || usage; DB=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "evaluate: unknown option $1" >&2; usage ;;
        *) [ -z "$DIR" ] || usage; DIR=$1; shift ;;
    esac
done
[ -n "$DIR" ] || usage
[ -d "$DIR" ] || { echo "evaluate: $DIR is not a directory" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ismseval-evaluate.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# psql with the settings every step uses; messages in English whatever the locale.
PSQL=$PG_BINDIR/psql
[ -x "$PSQL" ] || PSQL=psql
run_psql() { LC_MESSAGES=C "$PSQL" -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=default "$@"; }

# psql's messages without what points into the scripts (psql:FILE:LINE:, PL/pgSQL context):
# what is left names the CSV file and its line.
clean_messages() {
    sed -E 's/^psql:[^ ]*:[0-9]+: //' \
        | awk '/^CONTEXT:  (PL\/pgSQL|SQL statement)/ { skip = 1; next } /^[A-Z]+:  / { skip = 0 } !skip'
}

if [ -z "$DB" ]; then
    install_packages
    build_and_install
    cluster_start
    trap 'rm -rf "$WORK"; cluster_stop' EXIT
    run_psql -d postgres -c 'CREATE DATABASE ismseval_evaluate'
    preload_ismseval ismseval_evaluate
    DB="dbname=ismseval_evaluate"
    run_psql -d "$DB" -c 'CREATE EXTENSION ismseval'
    echo "== the peers: the demo's 300 organizations (demo/generate.sql)"
    run_psql -d "$DB" -c 'SET search_path = ismseval, public' -f "$REPO/demo/generate.sql" \
        -c 'SELECT count(*) FROM ismseval_demo.generate(300, 0.42)' >/dev/null
    RELEASE=1
fi

if [ "$(run_psql -d "$DB" -At -c "SELECT count(*) FROM pg_extension WHERE extname = 'ismseval'")" != 1 ]; then
    echo "evaluate: the database has no ismseval extension: CREATE EXTENSION ismseval in it first (README.md#installing-into-your-own-postgresql)" >&2
    exit 1
fi

echo "== loading $DIR"
files=$(cd "$DIR" && find . -maxdepth 1 -type f -name '*.csv' -printf '%f ' | tr -s ' ')
if ! (cd "$DIR" && run_psql -d "$DB" --single-transaction -v files="$files" -v work="$WORK" \
        -v review="$REPO/scripts/evaluate_review.psql" -f "$REPO/scripts/evaluate_load.psql") 2>"$WORK/load.err"; then
    clean_messages <"$WORK/load.err" >&2
    echo "evaluate: nothing was loaded" >&2
    exit 1
fi
clean_messages <"$WORK/load.err" >&2

if [ -n "${RELEASE:-}" ]; then
    echo "== publishing the peer figures (release_peer_figures)"
    run_psql -d "$DB" -c "SELECT ismseval.release_peer_figures('evaluate') AS release_id"
fi

(cd "$OUT" && run_psql -d "$DB" -f "$WORK/review.psql")
echo "== files written to $OUT"
