#!/usr/bin/env bash
# Doc test: runs every ```sql block of README.md and docs/*.md (or of the files given as
# arguments) and compares its output with the ```text block that follows it. The blocks of
# one file run in order, in one psql session, in a fresh database with the extension
# created; the set-up is described in CONTRIBUTING.md ("Doc test").
#
#   PG_BINDIR=... PGHOST=... PGPORT=... PGUSER=... bash test/doctest.sh [FILE.md ...]
#
# Prints one "ok - FILE block N (line L)" or "not ok - ..." line per block, with a diff
# (expected, then actual) under each failure; exit status 1 when any block failed.
# Needs a superuser (CREATE EXTENSION, and file= blocks are written to the data directory).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB=${DOCTEST_DB:-ismseval_doctest}
export PGCLIENTENCODING=UTF8 PGTZ=UTC PGDATESTYLE='ISO, MDY'
unset PGOPTIONS PSQLRC

WORK=$(mktemp -d /tmp/ismseval-doctest.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [ $# -eq 0 ]; then
    shopt -s nullglob
    set -- "$REPO/README.md" "$REPO"/docs/*.md
    shopt -u nullglob
fi

# Drops the trailing blanks of every line, the psql:FILE:LINE: prefix psql puts in front of
# errors and notices when it reads a file, and blank lines at the start and the end.
normalize() {
    perl -e 'local $/; $_ = <STDIN>; s/^psql:[^\n]*?:\d+: //mg; s/[ \t]+$//mg; s/\A\n+//; s/\n*\z/\n/; s/\A\n\z//; print' <"$1"
}

failures=0
total=0
nfile=0
for md in "$@"; do
    name=${md#"$REPO"/}
    nfile=$((nfile + 1))
    dir=$WORK/$nfile-$(basename "$md" .md)
    if ! perl "$REPO/test/doctest_extract.pl" "$md" "$dir" 2>"$WORK/extract.err"; then
        echo "not ok - $name: cannot read its blocks: $(cat "$WORK/extract.err")"
        failures=$((failures + 1))
        continue
    fi
    if [ -s "$dir/problems" ]; then
        while read -r p; do echo "not ok - $name layout: $p"; done <"$dir/problems"
        failures=$((failures + $(wc -l <"$dir/problems")))
    fi
    nblocks=$(find "$dir" -maxdepth 1 -name '*.sql' | wc -l)
    [ "$nblocks" -eq 0 ] && continue

    # One script: the fixed set-up, the files, then each block between markers.
    script=$dir/session.psql
    {
        printf '%s\n' '\set ON_ERROR_STOP 1' '\set VERBOSITY default' '\set SHOW_CONTEXT never' \
            '\pset pager off' '\pset footer off' \
            "SET client_min_messages = notice;" "SET extra_float_digits = 1;" \
            "SET TimeZone = 'UTC';" "SET DateStyle = 'ISO, MDY';" "SET IntervalStyle = 'postgres';" \
            'CREATE EXTENSION ismseval;'
        for f in "$dir"/files/*; do
            [ -e "$f" ] || continue
            printf '%s\n' "SELECT pg_catalog.current_setting('data_directory') || '/$(basename "$f")' AS doctest_path \\gset" \
                "\\set doctest_content \`cat '$f'\`" \
                "COPY (SELECT pg_catalog.unnest(pg_catalog.string_to_array(:'doctest_content', E'\\n'))) TO :'doctest_path';"
        done
        for n in $(seq 1 "$nblocks"); do
            echo "\\echo '@@doctest block $n@@'"
            if [ "$(cat "$dir/$n.mode")" = error ]; then
                printf '%s\n' '\set ON_ERROR_STOP 0' "\\i $dir/$n.sql" '\set ON_ERROR_STOP 1'
            else
                echo "\\i $dir/$n.sql"
            fi
        done
        echo "\\echo '@@doctest end@@'"
    } >"$script"

    # Roles are cluster-wide: the ones an example creates are dropped after its file (not the
    # extension's two group roles, which other databases of the cluster may use).
    roles_before=$("$BIN/psql" -X -At -d postgres -c 'SELECT rolname FROM pg_roles' | LC_ALL=C sort)
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
        -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    status=0
    (cd "$dir" && "$BIN/psql" -X -q -d "$DB" -f "$script" >"$dir/session.out" 2>&1) || status=$?

    # Split the session output at the markers: <n>.actual per block that ran.
    perl -e 'my $d = shift; open my $o, ">", "$d/setup.actual" or die;
             while (<>) {
                 if (/^\@\@doctest (?:block (\d+)|end)\@\@$/) { close $o; open $o, ">", "$d/" . ($1 // "end") . ".actual" or die; next }
                 print $o $_;
             }' "$dir" "$dir/session.out"

    for n in $(seq 1 "$nblocks"); do
        total=$((total + 1))
        label="$name block $n (line $(cat "$dir/$n.line"))"
        if [ ! -e "$dir/$n.actual" ]; then
            if [ "$n" -eq 1 ] && [ -s "$dir/setup.actual" ]; then
                echo "not ok - $label # not run: the set-up failed:"; sed 's/^/    /' "$dir/setup.actual"
            else
                echo "not ok - $label # not run: the session stopped in an earlier block (psql status $status)"
            fi
            failures=$((failures + 1))
            continue
        fi
        normalize "$dir/$n.actual" >"$dir/$n.got"
        mode=$(cat "$dir/$n.mode")
        problem=
        if grep -q '^\(FATAL:\|PANIC:\|server closed the connection\|connection to server was lost\)' "$dir/$n.got"; then
            problem="lost the connection (did the server crash?)"
        elif [ "$mode" = ok ] && grep -q '^ERROR:' "$dir/$n.got"; then
            problem="failed (mark it \`\`\`sql error if it should)"
        elif [ "$mode" = error ] && ! grep -q '^ERROR:' "$dir/$n.got"; then
            problem="is marked error but raised none"
        elif [ -e "$dir/$n.expected" ]; then
            normalize "$dir/$n.expected" >"$dir/$n.want"
            cmp -s "$dir/$n.want" "$dir/$n.got" || problem="output differs from the text block (- expected, + actual)"
        fi
        if [ -z "$problem" ]; then
            echo "ok - $label"
            continue
        fi
        failures=$((failures + 1))
        echo "not ok - $label: $problem"
        if [ -e "$dir/$n.want" ]; then
            diff -u --label expected --label actual "$dir/$n.want" "$dir/$n.got" | sed 's/^/    /' || true
        else
            sed 's/^/    /' "$dir/$n.got"
        fi
    done
    "$BIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    new_roles=$(LC_ALL=C comm -13 <(echo "$roles_before") \
        <("$BIN/psql" -X -At -d postgres -c 'SELECT rolname FROM pg_roles' | LC_ALL=C sort) |
        grep -vx -e ismseval_admin -e ismseval_tenant || true)
    for role in $new_roles; do
        if ! echo 'DROP ROLE :"role";' | "$BIN/psql" -X -q -d postgres -v ON_ERROR_STOP=1 -v role="$role" >/dev/null 2>&1; then
            echo "not ok - $name: could not drop the role $role that an example created"
            failures=$((failures + 1))
        fi
    done
done

if [ "$failures" -gt 0 ]; then
    echo "doc test: $failures failures in $total blocks"
    exit 1
fi
echo "doc test: all $total blocks passed"
