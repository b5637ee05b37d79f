#!/usr/bin/env bash
# The plan guard per session: a tenant's session that did not load the library at session
# start fails closed (55000, whatever the query and the data); one that did can read and cannot
# EXPLAIN; auto_explain loaded before the guard cannot instrument a tenant's query. Runs against
# the server named by PGHOST/PGPORT/PGUSER (a superuser) with the client programs in $PG_BINDIR
# (scripts/test.sh provides both). Exit status 0 when every check passes.
set -euo pipefail
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB=ismseval_guard
PSQL=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)
NO_PRELOAD='-c session_preload_libraries='
PRELOAD='-c session_preload_libraries=ismseval'
status=0

cleanup() {
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    "${PSQL[@]}" -d postgres -c "DROP ROLE IF EXISTS guard_s_alice, guard_s_ada, guard_s_tenant" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION ismseval;
CREATE ROLE guard_s_tenant NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE guard_s_alice LOGIN IN ROLE guard_s_tenant;
CREATE ROLE guard_s_ada LOGIN IN ROLE ismseval_admin;
INSERT INTO ismseval.organizations (code, name, core_business, size_band)
VALUES ('sa', 'Session A', 'regulated', 'small'), ('sb', 'Session B', 'regulated', 'small');
INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
SELECT 'guard_s_tenant', organization_id FROM ismseval.organizations WHERE code = 'sa';
INSERT INTO ismseval.incidents (organization_id, title, occurred_at, detected_at, severity)
SELECT organization_id, 'Phishing', TIMESTAMPTZ '2026-10-01 08:00+00', TIMESTAMPTZ '2026-10-01 10:00+00', 2
FROM ismseval.organizations;
SQL

# expect DESCRIPTION WANT USER PGOPTIONS SQL...: runs the statements in one new session as USER
# with PGOPTIONS; WANT is "ok" (no error) or the SQLSTATE of the error it must stop at.
expect() {
    local desc=$1 want=$2 user=$3 opts=$4 out got args=()
    shift 4
    for s in "$@"; do args+=(-c "$s"); done
    if out=$(PGOPTIONS="$opts" "${PSQL[@]}" -v VERBOSITY=sqlstate -U "$user" -d "$DB" "${args[@]}" 2>&1 >/dev/null); then
        got=ok
    else
        got=$(printf '%s\n' "$out" | sed -n 's/^.*ERROR:  \([0-9A-Z]\{5\}\).*$/\1/p' | head -n 1)
    fi
    if [ "$got" = "$want" ]; then
        echo "ok - $desc"
    else
        echo "not ok - $desc: want $want, got ${got:-?} ($out)"; status=1
    fi
}

# answer USER PGOPTIONS SQL: the query's output (unaligned, tuples only).
answer() {
    PGOPTIONS="$2" "${PSQL[@]}" -At -U "$1" -d "$DB" -c "$3" 2>&1 || true
}

echo "# a session that did not load the library at session start"
expect "a tenant login's read fails closed (55000)" 55000 guard_s_alice '' \
    'SELECT count(*) FROM ismseval.incidents'
expect "a tenant's plain EXPLAIN as its first statement fails closed" 55000 guard_s_alice '' \
    'EXPLAIN SELECT * FROM ismseval.incidents'
expect "a tenant's EXPLAIN (ANALYZE) of a query no row matches fails closed too (the check does not depend on the data)" \
    55000 guard_s_alice '' \
    "EXPLAIN (ANALYZE) SELECT * FROM ismseval.incidents WHERE occurred_at > '2100-01-01'"
expect "a tenant's read of the mapping fails closed" 55000 guard_s_alice '' \
    'SELECT count(*) FROM ismseval.tenant_organizations'
expect "a tenant set by SET ROLE in a superuser's session fails closed" 55000 postgres "$NO_PRELOAD" \
    'SET ROLE guard_s_alice' 'SELECT count(*) FROM ismseval.organizations'
expect "so does one whose session loaded the library later (LOAD)" 55000 postgres "$NO_PRELOAD" \
    "LOAD 'ismseval'" 'SET ROLE guard_s_alice' 'SELECT count(*) FROM ismseval.organizations'
hint=$(answer guard_s_alice '' 'SELECT count(*) FROM ismseval.organizations')
if [[ $hint == *"ALTER DATABASE $DB SET session_preload_libraries = 'ismseval'"* ]]; then
    echo "ok - the error's hint names the setting and the database"
else
    echo "not ok - the error's hint names the setting and the database: $hint"; status=1
fi
expect "an administrator still reads" ok guard_s_ada '' 'SELECT count(*) FROM ismseval.incidents'
problems=$(answer guard_s_ada '' 'SELECT problem FROM ismseval.tenant_setup_problems()')
if [[ $problems == *"did not load the ismseval library at session start"* ]]; then
    echo "ok - tenant_setup_problems() reports the missing preload"
else
    echo "not ok - tenant_setup_problems() reports the missing preload: $problems"; status=1
fi

echo "# a session that loaded it at session start"
expect "a tenant reads" ok postgres "$PRELOAD" \
    'SET ROLE guard_s_alice' 'SELECT count(*) FROM ismseval.incidents'
expect "a tenant cannot EXPLAIN (42501)" 42501 postgres "$PRELOAD" \
    'SET ROLE guard_s_alice' 'EXPLAIN SELECT count(*) FROM ismseval.incidents'
expect "auto_explain loaded before the guard cannot instrument a tenant's query (42501)" 42501 postgres \
    "-c session_preload_libraries=auto_explain,ismseval -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c auto_explain.log_level=debug5" \
    'SET ROLE guard_s_alice' 'SELECT count(*) FROM ismseval.incidents'
expect "while an administrator's query runs under it" ok postgres \
    "-c session_preload_libraries=auto_explain,ismseval -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c auto_explain.log_level=debug5" \
    'SET ROLE guard_s_ada' 'SELECT count(*) FROM ismseval.incidents'

echo "# the administrator's setup: the database setting"
"${PSQL[@]}" -d postgres -c "ALTER DATABASE $DB SET session_preload_libraries = 'ismseval'"
seen=$(answer guard_s_alice '' 'SELECT count(*) FROM ismseval.incidents')
if [ "$seen" = "1" ]; then
    echo "ok - with ALTER DATABASE ... SET session_preload_libraries a tenant login reads its 1 incident"
else
    echo "not ok - with ALTER DATABASE ... SET session_preload_libraries a tenant login reads: $seen"; status=1
fi
expect "and cannot EXPLAIN (ANALYZE)" 42501 guard_s_alice '' 'EXPLAIN (ANALYZE) SELECT * FROM ismseval.incidents'
problems=$(answer guard_s_ada '' "SELECT count(*) FROM ismseval.tenant_setup_problems() WHERE problem LIKE '%session start%'")
if [ "$problems" = "0" ]; then
    echo "ok - tenant_setup_problems() no longer reports the preload"
else
    echo "not ok - tenant_setup_problems() still reports the preload: $problems"; status=1
fi
exit $status
