#!/usr/bin/env bash
# The ismseval-import command, as make install put it beside psql ($PG_BINDIR), on the hand-made
# libraries of test/fixtures/ciso: what it prints, its exit status, all or nothing over several
# files, files it refuses before touching the database, and a document full of quotes,
# backslashes and psql syntax that must arrive unchanged. Needs a running server named by the
# PG* variables (a superuser). One ok / not ok line per check; exit status 1 on any failure.
set -euo pipefail
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
F=$REPO/test/fixtures/ciso
CMD=$BIN/ismseval-import
DB=ismseval_import_cli
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ismseval-import-test.XXXXXX")
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
failed=0
trap 'rm -rf "$WORK"; "$BIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT

# Prints "ok - $1" when the command status $2 equals $3, else "not ok" and the output in $WORK/out.
check_status() {
    if [ "$2" = "$3" ]; then echo "ok - $1"; else
        echo "not ok - $1 (exit status $2, wanted $3)"; sed 's/^/#   /' "$WORK/out"; failed=1; fi
}
# Prints "ok - $1" when the file $2 equals the text on standard input, else "not ok" and the diff.
check_text() {
    if diff -u - "$2" >"$WORK/diff"; then echo "ok - $1"; else
        echo "not ok - $1"; sed 's/^/#   /' "$WORK/diff"; failed=1; fi
}
# Runs ismseval-import with the arguments given; output in $WORK/out, status in $status.
run() { status=0; "$CMD" "$@" >"$WORK/out" 2>&1 || status=$?; }
sql() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
fresh_db() {
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    sql 'CREATE EXTENSION ismseval'
}

[ -x "$CMD" ] && echo "ok - make install put ismseval-import in $BIN" \
    || { echo "not ok - make install put ismseval-import in $BIN"; exit 1; }
fresh_db

# Several files: all or nothing. The mapping set needs ecc.json, which is not given.
run --db "$DB" "$F/esb-v1.yaml" "$F/esb-to-ecc.yaml"
check_status 'a mapping set whose target framework is missing: exit status 1' "$status" 1
grep -q '^ismseval-import: .*/esb-to-ecc.yaml: the import was refused; nothing was imported:$' "$WORK/out" &&
grep -q '^ERROR:  requirement mapping set urn:example:risk:req_mapping_set:esb-to-ecc: framework urn:example:risk:framework:ecc (target_framework_urn) is not loaded$' "$WORK/out" \
    && echo "ok - it names the file and the database's error" || { echo "not ok - it names the file and the error"; cat "$WORK/out"; failed=1; }
[ "$(sql "SELECT count(*) FROM ismseval.frameworks WHERE urn IS NOT NULL")" = 0 ] \
    && echo "ok - and the framework of the first file is not loaded either" \
    || { echo "not ok - the first file stayed loaded"; failed=1; }

run --db "$DB" "$F/esb-v1.yaml" "$F/ecc.json" "$F/matrix-3x3.yaml" "$F/esb-to-ecc.yaml"
check_status 'four libraries, frameworks before the mapping set: exit status 0' "$status" 0
check_text 'it prints what each library loaded' "$WORK/out" <<EOF
== $F/esb-v1.yaml (library urn:example:risk:library:esb)
  framework: 1 created
    created urn:example:risk:framework:esb (ESB): node fields not imported: annotation, reference_controls
  implementation_group: 2 created
  control_domain: 2 created
  requirement_node: 13 created
  reference_control: 1 skipped
    skipped 1: reference controls are not part of ismseval's model
== $F/ecc.json (library urn:example:risk:library:ecc)
  framework: 1 created
    created urn:example:risk:framework:ecc (ECC)
  control_domain: 2 created
  requirement_node: 6 created
== $F/matrix-3x3.yaml (library urn:example:risk:library:matrix-3x3)
  risk_matrix: 1 created
    created urn:example:risk:matrix:3x3 (example-3x3)
== $F/esb-to-ecc.yaml (library urn:example:risk:library:esb-to-ecc)
  requirement_mapping_set: 1 created
    created urn:example:risk:req_mapping_set:esb-to-ecc (esb-to-ecc)
  requirement_mapping: 5 created
EOF
run --db "$DB" "$F/ecc.json" "$F/matrix-3x3.yaml"
check_text 'imported again: unchanged' "$WORK/out" <<EOF
== $F/ecc.json (library urn:example:risk:library:ecc)
  framework: 1 unchanged
    unchanged urn:example:risk:framework:ecc (ECC)
  control_domain: 2 unchanged
  requirement_node: 6 unchanged
== $F/matrix-3x3.yaml (library urn:example:risk:library:matrix-3x3)
  risk_matrix: 1 unchanged
    unchanged urn:example:risk:matrix:3x3 (example-3x3)
EOF
run --db "$DB" --verbose "$F/esb-v2.yaml"
grep -q '^    deleted urn:example:risk:req_node:esb:gov.pol-2 (GOV.POL-2): absent from this version of the library$' "$WORK/out" &&
grep -q '^    deleted urn:example:risk:req_node:esb:gov.pol-2 -> urn:example:risk:req_node:ecc:acc-2 (GOV.POL-2 -> ACC-2): ' "$WORK/out" &&
grep -q '^    created urn:example:risk:req_node:esb:ops.bak-3 (OPS.BAK-3)$' "$WORK/out" \
    && echo "ok - --verbose lists every object, deletions with their reason" \
    || { echo "not ok - --verbose lists every object"; cat "$WORK/out"; failed=1; }

# Files refused before the database is touched (exit status 2).
run --db "$DB" "$F/not-a-library.yaml"
check_status 'a YAML file that is neither a library nor an export: exit status 2' "$status" 2
grep -q 'not-a-library.yaml: neither a CISO Assistant library' "$WORK/out" && echo "ok - and it says so" \
    || { echo "not ok - and it says so"; failed=1; }
printf 'urn: [unclosed\n' >"$WORK/broken.yaml"
run --db "$DB" "$WORK/broken.yaml"
check_status 'a file that is not YAML: exit status 2' "$status" 2
printf '{"urn": ' >"$WORK/broken.json"
run --db "$DB" "$WORK/broken.json"
check_status 'a .json file that is not JSON: exit status 2' "$status" 2
run --db "$DB" "$WORK/missing.yaml"
check_status 'a file that does not exist: exit status 2' "$status" 2
run "$F/ecc.json"
check_status 'no --db: exit status 2' "$status" 2

# An instance export goes to import_ciso_assistant_export: the hand-made one of test/ciso_export.sql
# (its framework first, by plain SQL as that test loads it), summarised by kind and action.
run --db "$DB" "$F/export-minimal.json"
check_status 'an empty instance export: exit status 0' "$status" 0
grep -q 'export-minimal.json (export)' "$WORK/out" \
    && echo "ok - it is read as an export" || { echo "not ok - it is read as an export"; cat "$WORK/out"; failed=1; }
sql "ALTER EXTENSION ismseval DROP FUNCTION ismseval.import_ciso_assistant_export(jsonb, text, text); DROP FUNCTION ismseval.import_ciso_assistant_export(jsonb, text, text)" >/dev/null || exit 1
run --db "$DB" "$F/export-minimal.json"
check_status 'an instance export where import_ciso_assistant_export is missing: exit status 1' "$status" 1
grep -q 'a CISO Assistant instance export, but the database has no ismseval.import_ciso_assistant_export(jsonb)' "$WORK/out" \
    && echo "ok - and it says which function is missing" || { echo "not ok - it says which function is missing"; cat "$WORK/out"; failed=1; }

# --to-json: what the function receives (a YAML date becomes ISO text).
"$CMD" --to-json "$F/esb-v1.yaml" >"$WORK/out"
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d["publication_date"] != "2026-01-15")' "$WORK/out" \
    && echo "ok - --to-json prints the JSON, dates as ISO text" || { echo "not ok - --to-json"; failed=1; }

# Quotes, backslashes, psql variables and backticks reach the database as they are.
cat >"$WORK/hostile.yaml" <<'EOF'
urn: urn:example:risk:library:hostile
ref_id: HOSTILE
version: 1
objects:
  framework:
    urn: urn:example:risk:framework:hostile
    ref_id: HOSTILE
    name: "it's \\ :'doc' :doc `echo hi` $$ '); DROP TABLE ismseval.frameworks; --"
    requirement_nodes:
    - urn: urn:example:risk:req_node:hostile:a
      ref_id: A
      name: "\\set x 1\n\\! echo hi"
EOF
run --db "$DB" "$WORK/hostile.yaml"
check_status 'a document full of quotes and psql syntax: exit status 0' "$status" 0
[ "$(sql "SELECT name = \$x\$it's \\ :'doc' :doc \`echo hi\` \$\$ '); DROP TABLE ismseval.frameworks; --\$x\$
          FROM ismseval.frameworks WHERE urn = 'urn:example:risk:framework:hostile'")" = t ] &&
[ "$(sql "SELECT text = E'\\\\set x 1\\n\\\\! echo hi' FROM ismseval.questions WHERE urn = 'urn:example:risk:req_node:hostile:a'")" = t ] \
    && echo "ok - and its texts arrive unchanged" || { echo "not ok - its texts arrive unchanged"; failed=1; }

exit $failed
