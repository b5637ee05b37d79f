#!/usr/bin/env bash
# Every chart and the report, drawn from test/charts_fixture.psql in both languages, checked
# with xmllint: each SVG well-formed XML, the report well-formed (polyglot) and parsable by
# libxml2's HTML parser with no error other than its not knowing HTML5/SVG element names.
# Needs a running server named by the PG* variables and its programs in $PG_BINDIR.
# Prints one ok / not ok line per check; exit status 0 when all pass.
set -euo pipefail
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ismseval-charts.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failed=0
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning -c ismseval.min_peer_group=3"
psql_q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_q -d postgres -c 'DROP DATABASE IF EXISTS ismseval_charts' -c 'CREATE DATABASE ismseval_charts'
psql_q -d ismseval_charts -c 'CREATE EXTENSION ismseval'
(cd "$HERE/.." && psql_q -d ismseval_charts -c 'SET search_path = ismseval, public' \
    -f test/charts_fixture.psql >/dev/null)
for lang in en ja; do
    for chart in "org_radar_svg(o.organization_id, lang => '$lang')" "risk_heatmap_svg(o.organization_id, '$lang')" \
                 "kpi_trend_svg(k.kpi_id, '$lang')" \
                 "peer_distribution_svg(o.organization_id, k.fw, '$lang')" \
                 "management_review_html(o.organization_id, lang => '$lang')"; do
        name=${chart%%(*}-$lang
        out=$WORK/$name.$([ "${name%%-*}" = management_review_html ] && echo html || echo svg)
        psql_q -d ismseval_charts -At -o "$out" -c "SELECT ismseval.$chart
            FROM ismseval.organizations o, (SELECT kpi_id, (SELECT framework_id FROM ismseval.frameworks WHERE code = 'C') AS fw
                                            FROM ismseval.kpis WHERE code = 'K') k WHERE o.code = 'A'"
        if xmllint --noout "$out" 2>"$WORK/err"; then echo "ok - $name is well-formed (xmllint)"
        else echo "not ok - $name is well-formed (xmllint)"; sed 's/^/#   /' "$WORK/err" | head -5; failed=1; fi
        if [ "${out##*.}" = html ]; then
            xmllint --html --noout "$out" 2>&1 | grep -e 'parser error' -e 'error :' \
                | grep -v 'Tag [a-zA-Z]* invalid' >"$WORK/err" || true
            if [ -s "$WORK/err" ]; then echo "not ok - $name parses as HTML"; sed 's/^/#   /' "$WORK/err" | head -5; failed=1
            else echo "ok - $name parses as HTML (xmllint --html)"; fi
        fi
    done
done
psql_q -d postgres -c 'DROP DATABASE ismseval_charts'
exit "$failed"
