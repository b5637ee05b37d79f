#!/usr/bin/env bash
# Races (issue 10), for real: two psql sessions with a controlled interleaving. Session a
# holds its transaction open until session b is seen waiting for a lock (or has finished),
# so the order of the writes is fixed by the test, not by timing; the tests assert outcomes
# (which write was refused, what is stored), never timings.
#   1. a risk insert, then a matrix shrink of the same organization, concurrently;
#   2. a matrix shrink, then a risk insert, concurrently;
#   3. a matrix shrink in a REPEATABLE READ transaction whose snapshot predates a risk;
#   4. a release in a REPEATABLE READ (and SERIALIZABLE) transaction, waiting for another.
# Runs against the server named by PGHOST/PGPORT/PGUSER with the client programs in
# $PG_BINDIR (scripts/test.sh provides both). Prints TAP; exit status 0 when all pass.
set -uo pipefail
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB=ismseval_races
WORK=$(mktemp -d /tmp/ismseval-races.XXXXXX)
PSQL=("$BIN/psql" -X -q)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
n=0
failed=0
pids=()

cleanup() {
    exec 7>&- 8>&- 2>/dev/null
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

# TAP result of one check: check "description" command...
check() {
    local desc=$1; shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
}

# One SQL statement (or psql command) in a fresh connection; prints its output.
sql() { "${PSQL[@]}" -d "$DB" -At -c "$1"; }

# Opens sessions a (fd 7) and b (fd 8): psql reading a fifo, output in $WORK/<name>.out.
open_sessions() {
    local s fd
    for s in a b; do
        rm -f "$WORK/$s.in" "$WORK/$s.out"
        mkfifo "$WORK/$s.in"
        PGAPPNAME=races_$s "${PSQL[@]}" -d "$DB" -v VERBOSITY=default <"$WORK/$s.in" >"$WORK/$s.out" 2>&1 &
        pids+=($!)
    done
    exec 7>"$WORK/a.in" 8>"$WORK/b.in"
}
close_sessions() {
    exec 7>&- 8>&-
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    pids=()
}
# send a|b "SQL": sends a line to a session (it runs when psql reads it).
send() { if [ "$1" = a ]; then printf '%s\n' "$2" >&7; else printf '%s\n' "$2" >&8; fi; }
# synced a|b: true once the session has run everything sent so far (a marker comes back).
synced() {
    local s=$1 mark="sync_${1}_$RANDOM$RANDOM" i
    send "$s" "\\echo $mark"
    for i in $(seq 1 600); do
        grep -q "$mark" "$WORK/$s.out" && return 0
        sleep 0.05
    done
    return 1
}
# waiting b: true once session b is waiting for a lock (gives up after 10 s: then it is not).
waiting() {
    local i
    for i in $(seq 1 200); do
        [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'races_$1' AND wait_event_type = 'Lock'")" = 1 ] \
            && return 0
        sleep 0.05
    done
    return 1
}
# says a|b 'text': the session's output contains the text.
says() { grep -qF -- "$2" "$WORK/$1.out"; }
# The risks of the organization that lie outside its matrix (must stay 0), and whether
# risk_register and management_review read it.
outside() {
    sql "SELECT count(*) FROM ismseval.risks r JOIN ismseval.organizations o USING (organization_id)
         WHERE o.code = '$1' AND (r.likelihood > ismseval.risk_matrix_likelihood_size(o.risk_matrix)
                                  OR r.impact > ismseval.risk_matrix_impact_size(o.risk_matrix))"
}
consistent() { [ "$(outside "$1")" = 0 ]; }
views_read() {
    sql "SELECT count(*) FROM ismseval.risk_register WHERE organization = '$1'" >/dev/null 2>&1 \
        && sql "SELECT count(*) FROM ismseval.management_review WHERE organization = '$1'" >/dev/null 2>&1
}

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || exit 1
"${PSQL[@]}" -d "$DB" -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || exit 1
SET client_min_messages = warning;
CREATE EXTENSION ismseval;
-- R1, R2, R3: the default 4 x 4 matrix, no risks yet
INSERT INTO ismseval.organizations (code, name, core_business, size_band)
VALUES ('R1', 'Race one', 'regulated', 'small'), ('R2', 'Race two', 'regulated', 'small'),
       ('R3', 'Race three', 'regulated', 'small');
SQL
SMALL="'likelihood 3 impact 3 levels (low #00FF00, medium #FFFF00, high #FF0000) thresholds (3, 6)'"
RISK44="INSERT INTO ismseval.risks (organization_id, title, likelihood, impact)
        SELECT organization_id, 'corner', 4, 4 FROM ismseval.organizations WHERE code ="

echo "1..16"

# 1. a inserts a risk at (4, 4) and holds; b shrinks the matrix to 3 x 3. b must wait for a
#    (the risk's share lock on the organization row), then see the risk and be refused.
open_sessions
send a "BEGIN; $RISK44 'R1';"
synced a
send b "UPDATE ismseval.organizations SET risk_matrix = $SMALL WHERE code = 'R1';"
check "a matrix change waits for a transaction that wrote a risk of the organization" waiting b
send a "COMMIT;"
synced a; synced b
close_sessions
check "then it sees the committed risk and is refused (23514, does not fit risk \"corner\")" \
    says b 'does not fit risk "corner" (likelihood 4, impact 4)'
check "R1: no risk outside the matrix" consistent R1
check "R1: risk_register and management_review read the organization" views_read R1

# 2. a shrinks the matrix and holds; b inserts a risk at (4, 4): b must wait, then read the
#    new matrix and be refused.
open_sessions
send a "BEGIN; UPDATE ismseval.organizations SET risk_matrix = $SMALL WHERE code = 'R2';"
synced a
send b "$RISK44 'R2';"
check "a risk write waits for a transaction that changed the organization's matrix" waiting b
send a "COMMIT;"
synced a; synced b
close_sessions
check "then it reads the new 3 x 3 matrix and is refused (likelihood must be between 1 and 3)" \
    says b 'likelihood of risk "corner" must be between 1 and 3'
check "R2: no risk outside the matrix" consistent R2

# 3. b opens a REPEATABLE READ transaction and takes its snapshot; a then commits a risk at
#    (4, 4); b shrinks the matrix. Its check would read the risks as of its snapshot and miss
#    the new one: a shrink is refused outside READ COMMITTED.
open_sessions
send b "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM ismseval.risks;"
synced b
send a "$RISK44 'R3';"
synced a
send b "UPDATE ismseval.organizations SET risk_matrix = $SMALL WHERE code = 'R3';"
send b "COMMIT;"
synced b
close_sessions
check "a matrix shrink in a REPEATABLE READ transaction is refused (0A000)" \
    says b 'the risk matrix of organization R3 can only shrink in a READ COMMITTED transaction'
check "R3: no risk outside the matrix" consistent R3
check "R3: risk_register and management_review read the organization" views_read R3
check "R3 keeps its 4 x 4 matrix" \
    test "$(sql "SELECT ismseval.risk_matrix_likelihood_size(risk_matrix) FROM ismseval.organizations WHERE code = 'R3'")" = 4
# Under READ COMMITTED the same shrink is checked against the committed risk and refused.
shrink_r3_refused() {
    local out
    out=$("${PSQL[@]}" -d "$DB" -c "UPDATE ismseval.organizations SET risk_matrix = $SMALL WHERE code = 'R3'" 2>&1)
    grep -qF 'does not fit risk "corner"' <<<"$out"
}
check "the same shrink under READ COMMITTED is refused for the risk it now sees" shrink_r3_refused

# 4. a publishes a release and holds; b, in REPEATABLE READ with a snapshot taken before, asks
#    for the next one. Were it let through, it would wait for a's lock and then compute
#    against the release before a's (its snapshot's newest): refused at once instead.
open_sessions
send a "BEGIN; SELECT ismseval.release_peer_figures('a') IS NOT NULL;"
synced a
send b "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM ismseval.peer_releases;"
synced b
send b "SELECT ismseval.release_peer_figures('b');"
# b is refused at once; were it not, it would wait for a's lock: let a commit either way
for i in $(seq 1 200); do
    says b 'READ COMMITTED' && break
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'races_b' AND wait_event_type = 'Lock'")" = 1 ] && break
    sleep 0.05
done
send a "COMMIT;"
synced a
send b "COMMIT;"
synced b
close_sessions
check "a release in a REPEATABLE READ transaction is refused (0A000)" \
    says b 'release_peer_figures must run in a READ COMMITTED transaction'
check "only a's release was made (none against a stale base)" \
    test "$(sql "SELECT string_agg(note, ',' ORDER BY release_id) FROM ismseval.peer_releases")" = a
serializable_release_refused() {
    local out
    out=$("${PSQL[@]}" -d "$DB" -c 'BEGIN ISOLATION LEVEL SERIALIZABLE' -c 'SELECT ismseval.release_peer_figures()' 2>&1)
    grep -qF 'release_peer_figures must run in a READ COMMITTED transaction' <<<"$out"
}
check "a release in a SERIALIZABLE transaction is refused too" serializable_release_refused
check "a release under READ COMMITTED goes through" \
    test "$(sql "SELECT ismseval.release_peer_figures('c') IS NOT NULL")" = t

exit $failed
