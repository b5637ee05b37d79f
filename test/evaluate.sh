#!/usr/bin/env bash
# The walk-through "Your own organization in five minutes" (README.md) and scripts/evaluate.sh:
# 1. evaluate.sh on templates/ against the running server (--db, a fresh database): it exits 0,
#    names the organization, loads every file, and writes a report that is well-formed and
#    parses as HTML and a well-formed radar SVG (xmllint, as test/charts_xml.sh checks them);
# 2. a copy of templates/ with one bad row (";"-separated, byte-order mark, CR LF): exit status
#    1, the message names the file and the line, nothing is loaded; a copy with the optional
#    columns result (self_assessment.csv) and the current and residual cells (risks.csv);
# 3. the section's ```sh blocks, run as written from the repository (HOME = a scratch directory,
#    so ~/my-isms is one; a command without --db starts its throwaway cluster on port PGPORT + 1;
#    the database isms its --db example creates is dropped again); the lines of a ```text block
#    after a sh block ("..." lines aside) must be lines of that block's output.
# Needs a running server named by the PG* variables (a superuser) and its programs in $PG_BINDIR.
# Prints one ok / not ok line per check; exit status 0 when all pass.
set -uo pipefail    # no -e: every check reports, and set-up steps exit on failure themselves
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ismseval-evaluate-test.XXXXXX")
failed=0
psql_q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
    psql_q -d postgres -c 'DROP DATABASE IF EXISTS ismseval_evaluate_test' -c 'DROP DATABASE IF EXISTS isms' 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
# ok/not ok for a condition; on failure shows the file given as $3.
check() {
    if [ "$2" = 0 ]; then echo "ok - $1"
    else echo "not ok - $1"; [ -n "${3:-}" ] && sed 's/^/#   /' "$3" | head -20; failed=1; fi
}
# The checks of charts_xml.sh: well-formed XML, and for HTML no parser error but unknown tags.
xml_ok() { xmllint --noout "$1" 2>"$WORK/xml.err"; }
html_ok() {
    xmllint --html --noout "$1" 2>&1 | grep -e 'parser error' -e 'error :' | grep -v 'Tag [a-zA-Z]* invalid' >"$WORK/xml.err" || true
    [ ! -s "$WORK/xml.err" ]
}
export ISMSEVAL_PG_BINDIR=$BIN PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

# 1. The templates, into a fresh database of the test server.
psql_q -d postgres -c 'DROP DATABASE IF EXISTS ismseval_evaluate_test' -c 'CREATE DATABASE ismseval_evaluate_test' || exit 1
psql_q -d ismseval_evaluate_test -c 'CREATE EXTENSION ismseval' || exit 1
rc=0
bash "$REPO/scripts/evaluate.sh" "$REPO/templates" --db dbname=ismseval_evaluate_test --out "$WORK/out" \
    >"$WORK/out.txt" 2>&1 || rc=$?
check "evaluate.sh templates --db: exit status 0" "$rc" "$WORK/out.txt"
grep -q '^== management review of HZL (Hoshizora Logistics)$' "$WORK/out.txt"; check "the output names the organization" $? "$WORK/out.txt"
grep -q '^organization_name  *| Hoshizora Logistics$' "$WORK/out.txt"; check "its management_review row is printed" $? "$WORK/out.txt"
grep -q '^no peer figures: no peer release yet' "$WORK/out.txt"; check "a new organization is told it has no peer figures yet" $? "$WORK/out.txt"
loaded=$(psql_q -d ismseval_evaluate_test -At -c "SELECT concat_ws(' ',
    (SELECT count(*) FROM ismseval.organizations), (SELECT count(*) FROM ismseval.assessments),
    (SELECT count(*) FROM ismseval.answers), (SELECT count(*) FROM ismseval.risks), (SELECT count(*) FROM ismseval.kpis),
    (SELECT count(*) FROM ismseval.kpi_measurements), (SELECT count(*) FROM ismseval.incidents))")
# 1 organization, 1 assessment of 22 answers, 3 risks, 3 KPIs, 9 measurements, 3 incidents
[ "$loaded" = "1 1 22 3 3 9 3" ]; check "every row of the templates loaded (got $loaded)" $?
for f in report-HZL.html radar-HZL.svg; do
    [ -s "$WORK/out/$f" ] && xml_ok "$WORK/out/$f"; check "$f is written and well-formed (xmllint)" $? "$WORK/xml.err"
done
html_ok "$WORK/out/report-HZL.html"; check "report-HZL.html parses as HTML (xmllint --html)" $? "$WORK/xml.err"

# 2. One bad row in a ";"-separated risks.csv with a byte-order mark and CR LF: line 3 has
#    likelihood 5, off the 4 x 4 matrix.
psql_q -d postgres -c 'DROP DATABASE ismseval_evaluate_test' -c 'CREATE DATABASE ismseval_evaluate_test' || exit 1
psql_q -d ismseval_evaluate_test -c 'CREATE EXTENSION ismseval' || exit 1
cp -r "$REPO/templates" "$WORK/bad" || exit 1
printf '\xef\xbb\xbf%s\r\n' \
    'organization;title;threat;likelihood;impact;control_effectiveness;treatment;owner;acceptance_expires;identified_on' \
    'HZL;Ransomware on the dispatch system;IS-05;3;4;0.5;mitigate;IT manager;;2026-04-01' \
    'HZL;"Driver tablet lost on a route; with delivery addresses";PH-05;5;2;0.25;mitigate;Operations manager;;2026-05-12' \
    | sed '2,$s/^\xef\xbb\xbf//' >"$WORK/bad/risks.csv"
rc=0
bash "$REPO/scripts/evaluate.sh" "$WORK/bad" --db dbname=ismseval_evaluate_test --out "$WORK/out-bad" \
    >"$WORK/bad.txt" 2>&1 || rc=$?
[ "$rc" = 1 ]; check "a bad row: exit status 1 (got $rc)" $? "$WORK/bad.txt"
grep -q '^ERROR:  risks.csv: line 3: likelihood of risk "Driver tablet lost on a route; with delivery addresses" must be between 1 and 4' "$WORK/bad.txt"
check "the message names the file and the line" $? "$WORK/bad.txt"
n=$(psql_q -d ismseval_evaluate_test -At -c 'SELECT count(*) FROM ismseval.organizations')
[ "$n" = 0 ]; check "nothing was loaded (organizations: $n)" $?

# 2b. The optional columns: a result instead of a score (GV.OC partially compliant: 50 % of
#     1-4 = 2.5 instead of 3, so GV's mean drops by 0.5 / 6 and the total by 6 x 0.5 / 6 = 0.5
#     to 55.5) and a risk's current and residual cells (residual 2 x 2 = 4 on the default
#     matrix: medium, from the cell rather than 3 x 4 x (1 - 0.5) = 6, high).
psql_q -d postgres -c 'DROP DATABASE ismseval_evaluate_test' -c 'CREATE DATABASE ismseval_evaluate_test' || exit 1
psql_q -d ismseval_evaluate_test -c 'CREATE EXTENSION ismseval' || exit 1
cp -r "$REPO/templates" "$WORK/more" || exit 1
sed -e '1s/$/,result/' -e '2s/^\(HZL,NIST-CSF-2.0,2026-10-15,GV.OC\),3,,$/\1,,,,partially_compliant/' -e '3,$s/$/,/' \
    "$REPO/templates/self_assessment.csv" >"$WORK/more/self_assessment.csv"
sed -e '1s/$/,current_likelihood,current_impact,residual_likelihood,residual_impact,strength_of_knowledge/' \
    -e '2s/$/,3,3,2,2,1/' -e '3,$s/$/,,,,,/' "$REPO/templates/risks.csv" >"$WORK/more/risks.csv"
bash "$REPO/scripts/evaluate.sh" "$WORK/more" --db dbname=ismseval_evaluate_test --out "$WORK/out-more" \
    >"$WORK/more.txt" 2>&1; check "results and risk cells: exit status 0" $? "$WORK/more.txt"
got=$(psql_q -d ismseval_evaluate_test -At -F ' ' -c "SELECT a.result, round(b.total_score::numeric, 1)
    FROM ismseval.answers a JOIN ismseval.questions q USING (question_id), ismseval.org_benchmark b
    WHERE q.code = 'GV.OC'")
[ "$got" = "partially_compliant 55.5" ]; check "a result without a score counts 50 % (got $got, want partially_compliant 55.5)" $?
got=$(psql_q -d ismseval_evaluate_test -At -F ' ' -c "SELECT current_level, residual_level, residual_basis
    FROM ismseval.risk_register WHERE title = 'Ransomware on the dispatch system'")
[ "$got" = "critical medium cell" ]; check "risk cells load (got $got, want critical medium cell)" $?

# 3. The README section's blocks, as written.
perl -e '
    my ($in, $n, $tag) = (0, 0, "");
    my $dir = shift;
    while (<>) {
        if (/^## /) { $in = /^## Your own organization in five minutes/ ? 1 : 0; next }
        next unless $in;
        if (!$tag && /^```(\w+)\s*$/) { $tag = $1; $n++ if $tag eq "sh"; open(OUT, ">", "$dir/block$n.$tag") if $n; next }
        if ($tag && /^```\s*$/) { close OUT if $n; $tag = ""; next }
        print OUT $_ if $tag && $n && ($tag eq "sh" || $tag eq "text");
    }' "$WORK" "$REPO/README.md"
mkdir -p "$WORK/home"
psql_q -d postgres -c 'DROP DATABASE IF EXISTS isms' || exit 1
nblocks=0
for block in "$WORK"/block*.sh; do
    [ -e "$block" ] || break
    nblocks=$((nblocks + 1))
    name=$(basename "$block" .sh)
    rc=0
    (cd "$REPO" && HOME="$WORK/home" ISMSEVAL_OUT="$WORK/evaluation-$name" ISMSEVAL_PGPORT=$((PGPORT + 1)) \
        PATH="$BIN:$PATH" bash -euo pipefail "$block") >"$WORK/$name.out" 2>&1 || rc=$?
    check "README walk-through, sh block $nblocks ($(head -c 60 "$block" | head -1)...) runs" "$rc" "$WORK/$name.out"
    [ "$rc" = 0 ] || continue
    grep -q '^== management review of HZL (Hoshizora Logistics)$' "$WORK/$name.out"
    check "README walk-through, sh block $nblocks names the organization" $? "$WORK/$name.out"
    if [ -f "$WORK/$name.text" ]; then
        sed 's/[[:space:]]*$//' "$WORK/$name.out" >"$WORK/$name.trimmed"
        : >"$WORK/$name.missing"
        while IFS= read -r line; do
            line=${line%"${line##*[![:space:]]}"}
            [ "$line" = "..." ] || [ -z "$line" ] && continue
            grep -qxF -- "$line" "$WORK/$name.trimmed" || printf '%s\n' "$line" >>"$WORK/$name.missing"
        done <"$WORK/$name.text"
        [ ! -s "$WORK/$name.missing" ]
        check "README walk-through, sh block $nblocks: every line of the text block after it is in its output" $? "$WORK/$name.missing"
    fi
done
[ "$nblocks" -ge 3 ]; check "README walk-through: $nblocks sh blocks found (3 expected at least)" $?
for report in "$WORK"/evaluation-block1/report-HZL.html "$WORK"/home/my-isms/evaluation/report-HZL.html; do
    [ -s "$report" ] && xml_ok "$report" && html_ok "$report"
    check "README walk-through: ${report#"$WORK"/} is written, well-formed and parses as HTML" $? "$WORK/xml.err"
done
exit "$failed"
