#!/usr/bin/env bash
# A database in another encoding than UTF8 (issue 10): LATIN1, as
#   CREATE DATABASE x ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'.
# The loader wrote the byte-order mark as U&'\FEFF', which a LATIN1 database cannot parse, so
# CREATE EXTENSION failed. csv_strip_bom (src/sql/loader.sql) recognises the mark by its bytes.
# Part 1 checks csv_header_columns in a LATIN1 database; part 2 loads a file whose header
# starts with a UTF-8 byte-order mark there. (Updating an existing LATIN1 installation is not
# possible: the released 0.2.0--0.3.0 script, frozen, holds the literal; CREATE EXTENSION of
# 0.5.0 or later is.)
# Runs against the server named by PGHOST/PGPORT/PGUSER with the client programs in
# $PG_BINDIR (scripts/test.sh provides both). Prints TAP; exit status 0 when all pass.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB1=ismseval_latin1_defs
DB2=ismseval_latin1_ext
PSQL=("$BIN/psql" -X -q)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
CSV=$(mktemp /tmp/ismseval-latin1.XXXXXX)
n=0
failed=0

cleanup() {
    rm -f "$CSV"
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB1" -c "DROP DATABASE IF EXISTS $DB2" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup

# TAP result of one check: check "description" command...
check() {
    local desc=$1; shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
}
# is DB "SQL" "expected": the query's one value is the expected text.
is() { [ "$("${PSQL[@]}" -d "$1" -At -c "$2" 2>&1)" = "$3" ]; }

for db in $DB1 $DB2; do
    "${PSQL[@]}" -d postgres \
        -c "CREATE DATABASE $db ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'" || exit 1
done
echo "1..6"

# 1. The extension in a LATIN1 database, and its header parsing.
extension() { [ -z "$("${PSQL[@]}" -d "$DB1" -c 'CREATE EXTENSION ismseval' 2>&1)" ]; }
check "CREATE EXTENSION ismseval in a LATIN1 database" extension
check "the database is LATIN1" is "$DB1" "SELECT getdatabaseencoding()" LATIN1
# A UTF-8 byte-order mark read as LATIN1 is the three characters of bytes EF BB BF.
check "a header starting with the bytes of a UTF-8 byte-order mark gives its columns" \
    is "$DB1" "SELECT ismseval.csv_header_columns(convert_from('\\xefbbbf'::bytea, 'LATIN1') || 'code,\"na\"\"me\"')::text" \
    '{code,"na\"me"}'
check "a header without one is left alone" \
    is "$DB1" "SELECT ismseval.csv_header_columns('code,name' || E'\\r')::text" '{code,name}'

# 2. The extension itself. Its file: a UTF-8 byte-order mark, a header, one organization.
printf '\xef\xbb\xbfcode,name,core_business,size_band\nL-1,Latin one,regulated,large\n' > "$CSV"
chmod 644 "$CSV"
"${PSQL[@]}" -d "$DB2" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION ismseval" || exit 1
loads() { is "$DB2" "SELECT ismseval.load_csv('organizations', '$CSV')" 1; }
row() { is "$DB2" "SELECT name FROM ismseval.organizations WHERE code = 'L-1'" 'Latin one'; }
check "load_csv reads a file whose header starts with a UTF-8 byte-order mark" loads
check "its row is stored" row

exit $failed
