#!/usr/bin/env bash
# The update chain, tested for real. For each released version: install it from its
# frozen scripts (src/sql/upgrade/), store data as that version knew it
# (test/upgrade/data-<version>.sql, cumulatively), update to the newest version, then
#   - the data read back the same (test/upgrade/snapshot.sql, over the columns each
#     table had before the update), and
#   - the schema equals a fresh install of the newest version: pg_dump --schema-only
#     --binary-upgrade (the mode that dumps an extension's member objects) of both,
#     normalized by dropping what differs between any two databases (OIDs and
#     relfrozenxid/attribute-version bookkeeping lines, the \restrict key), the storage
#     bookkeeping an ALTER TABLE leaves (dropped-column slots, the stored default of a
#     column added to existing rows: binary_upgrade_set_missing_value), the
#     sequences' positions (data, not schema) and the probe schema that holds the
#     test's own tables.
# Needs a running server named by the PG* variables and its programs in $PG_BINDIR.
# Prints one ok / not ok line per check; exit status 0 when all pass.
set -euo pipefail
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RELEASES=(0.1.0 0.2.0 0.3.0 0.4.0)
NEWEST=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$HERE/../ismseval.control")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ismseval-upgrade.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failed=0
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

psql_q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

# The schema of database $1 as pg_dump sees it, normalized (see above).
schema_of() {
    "$BIN/pg_dump" --schema-only --binary-upgrade --exclude-schema=probe -d "$1" 2>"$WORK/pg_dump.err" |
        sed -E -e '/^\\(un)?restrict /d' \
               -e '/^SELECT pg_catalog\.binary_upgrade_set_next_/d' \
               -e '/^SET relfrozenxid = /d' -e "/^WHERE oid = '[0-9]+';$/d" \
               -e '/^SELECT pg_catalog\.setval\(/d' \
               -e "s/'\{[0-9,]+\}'::pg_catalog\.oid\[\]|'\{[0-9,]+\}'/'{OIDS}'/" |
        perl -0pe 's/-- set missing value\.\nSELECT pg_catalog\.binary_upgrade_set_missing_value\([^\n]*\n\n\n//g;
                   s/    "\.+pg\.dropped\.\d+\.+" [^\n]*\n//g;
                   s/-- For binary upgrade, recreate dropped column\.\n(?:[^\n]+\n)+?ALTER TABLE ONLY [^\n]+ DROP COLUMN "\.+pg\.dropped\.\d+\.+";\n\n//g'
}

# Prints "ok - $1" when the files $2 and $3 are equal, else "not ok" and their diff.
check_same() {
    if diff -u "$2" "$3" >"$WORK/diff"; then
        echo "ok - $1"
    else
        echo "not ok - $1"
        head -80 "$WORK/diff" | sed 's/^/#   /'
        failed=1
    fi
}

psql_q -d postgres -c 'DROP DATABASE IF EXISTS ismseval_upgrade_fresh' -c 'CREATE DATABASE ismseval_upgrade_fresh'
psql_q -d ismseval_upgrade_fresh -c 'CREATE EXTENSION ismseval'
schema_of ismseval_upgrade_fresh >"$WORK/fresh.sql"
[ "$(grep -c '^CREATE ' "$WORK/fresh.sql")" -gt 100 ] && echo "ok - a fresh $NEWEST install dumps its objects" \
    || { echo "not ok - a fresh install dumps its objects"; failed=1; }

for version in "${RELEASES[@]}"; do
    db=ismseval_upgrade_${version//./_}
    psql_q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    psql_q -d "$db" -c "CREATE EXTENSION ismseval VERSION '$version'"
    for data in "${RELEASES[@]}"; do
        psql_q -d "$db" -f "$HERE/upgrade/data-$data.sql" >/dev/null
        [ "$data" = "$version" ] && break
    done
    psql_q -d "$db" -At -f "$HERE/upgrade/snapshot.sql" >"$WORK/queries.sql"
    psql_q -d "$db" -At -f "$WORK/queries.sql" >"$WORK/before.txt"
    psql_q -d "$db" -c 'ALTER EXTENSION ismseval UPDATE'
    updated=$(psql_q -d "$db" -At -c "SELECT extversion FROM pg_extension WHERE extname = 'ismseval'")
    if [ "$updated" = "$NEWEST" ]; then echo "ok - $version updates to $NEWEST"
    else echo "not ok - $version updates to $NEWEST (got $updated)"; failed=1; fi
    psql_q -d "$db" -At -f "$WORK/queries.sql" >"$WORK/after.txt"
    check_same "data stored under $version reads back the same after the update ($(wc -l <"$WORK/before.txt") tables)" \
        "$WORK/before.txt" "$WORK/after.txt"
    if [ "$version" = 0.4.0 ]; then
        # 0.5.0 gives the releases made before it their groups' figures and a minimum coverage of 0:
        # the release of data-0.4.0.sql holds upg (D1 2) and upg2 (D1 3), one group, total = D1.
        got=$(psql_q -d "$db" -At -c "SELECT string_agg(g.kind || ' ' || g.members || ' ' || g.mean || ' ' || r.min_coverage,
                                                        ', ' ORDER BY g.kind)
                                      FROM ismseval.peer_release_groups g JOIN ismseval.peer_releases r USING (release_id)")
        if [ "$got" = "domain 2 2.5 0, total 2 2.5 0" ]; then
            echo "ok - the 0.4.0 release gets its groups' figures (2 members, mean (2 + 3) / 2 = 2.5) and minimum coverage 0"
        else
            echo "not ok - the 0.4.0 release's groups' figures: got '$got'"; failed=1
        fi
    fi
    schema_of "$db" >"$WORK/updated.sql"
    check_same "$version updated to $NEWEST has the schema of a fresh $NEWEST install" \
        "$WORK/fresh.sql" "$WORK/updated.sql"
    psql_q -d postgres -c "DROP DATABASE $db"
done
psql_q -d postgres -c 'DROP DATABASE ismseval_upgrade_fresh'
psql_q -d postgres -c 'DROP ROLE IF EXISTS ismseval_upgrade_tenant'
exit "$failed"
