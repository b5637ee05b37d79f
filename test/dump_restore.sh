#!/usr/bin/env bash
# pg_dump, then restore into a fresh database: every user row is kept and no preloaded row is
# dropped or doubled. Runs against the server named by PGHOST/PGPORT/PGUSER with the client
# programs in $PG_BINDIR (scripts/test.sh provides both). Exit status 0 when the check passes.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
SRC=ismseval_dump_src
DST=ismseval_dump_dst
DUMP=$(mktemp /tmp/ismseval-dump.XXXXXX)
PSQL=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)

cleanup() {
    rm -f "$DUMP" "$DUMP.src" "$DUMP.dst" "$DUMP.log"
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $SRC" -c "DROP DATABASE IF EXISTS $DST" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $SRC" -c "CREATE DATABASE $DST"

# A database with user rows in every table, including user rows in the catalogue tables
# (a framework, its domains and questions, small questions under preloaded ones, a threat,
# imported CISO Assistant libraries: frameworks, a mapping set, a risk matrix).
"${PSQL[@]}" -d "$SRC" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION ismseval;
\i $REPO/demo/generate.sql
SELECT count(*) FROM ismseval_demo.generate(12, 0.5, '2026-06-30');
INSERT INTO ismseval.frameworks (code, name, scale_min, scale_max, default_target) VALUES ('MINE', 'My questionnaire', 1, 5, 4);
INSERT INTO ismseval.control_domains (framework_id, code, name, display_order)
SELECT framework_id, 'M1', 'Mine 1', 1 FROM ismseval.frameworks WHERE code = 'MINE';
INSERT INTO ismseval.questions (framework_id, domain_id, code, text)
SELECT framework_id, domain_id, 'M1.1', 'My question' FROM ismseval.control_domains WHERE code = 'M1';
INSERT INTO ismseval.threats (code, category, name) VALUES ('MY-01', 'other', 'My threat');
INSERT INTO ismseval.maturity_targets (organization_id, domain_id, target)
SELECT organization_id, 3, 3.5 FROM ismseval.organizations ORDER BY organization_id LIMIT 2;
-- Statement of Applicability rows of two organizations on the preloaded NIST CSF categories
INSERT INTO ismseval.applicability_statements (organization_id, framework_id, question_id, applicable, justification,
                                               implementation_status)
SELECT o.organization_id, q.framework_id, q.question_id, q.code <> 'RC.CO',
       CASE WHEN q.code = 'RC.CO' THEN 'Communication is the group''s' END, 'implemented'
FROM (SELECT organization_id FROM ismseval.organizations ORDER BY organization_id LIMIT 2) o, ismseval.questions q
WHERE q.framework_id = 1 AND q.code IN ('GV.OC', 'RC.CO');
-- a tenant mapped to two organizations (roles are cluster-wide: the restore finds it)
DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ismseval_dump_tenant') THEN
        CREATE ROLE ismseval_dump_tenant NOLOGIN IN ROLE ismseval_tenant;
    END IF;
END \$\$;
INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
SELECT 'ismseval_dump_tenant', organization_id FROM ismseval.organizations ORDER BY organization_id LIMIT 2;
-- CISO Assistant libraries: a framework tree, a mapping set and the risk_matrices catalogue
\set lib \`$REPO/scripts/ismseval-import --to-json $REPO/test/fixtures/ciso/esb-v1.yaml\`
SELECT count(*) FROM ismseval.import_ciso_assistant_library(:'lib');
\set lib \`$REPO/scripts/ismseval-import --to-json $REPO/test/fixtures/ciso/ecc.json\`
SELECT count(*) FROM ismseval.import_ciso_assistant_library(:'lib');
\set lib \`$REPO/scripts/ismseval-import --to-json $REPO/test/fixtures/ciso/esb-to-ecc.yaml\`
SELECT count(*) FROM ismseval.import_ciso_assistant_library(:'lib');
\set lib \`$REPO/scripts/ismseval-import --to-json $REPO/test/fixtures/ciso/matrix-3x3.yaml\`
SELECT count(*) FROM ismseval.import_ciso_assistant_library(:'lib');
SELECT ismseval.release_peer_figures('before the dump');
-- rows in the CISO Assistant import's tables (its framework is not loaded: assets, risks, controls)
\\set export \`cat $REPO/test/fixtures/ciso_export_small.json\`
SELECT count(*) FROM ismseval.import_ciso_assistant_export(:'export');
SQL

# One line per table: name, row count, preloaded row count, md5 of all rows in a fixed order
# (created_at left out: preloaded rows are recreated by CREATE EXTENSION at restore time).
fingerprint() {
    "${PSQL[@]}" -At -d "$1" <<'SQL'
DO $$
DECLARE t text; n bigint; p bigint; h text;
BEGIN
    CREATE TEMP TABLE fp (t text, n bigint, p bigint, h text);
    FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'ismseval'::regnamespace AND c.relkind = 'r' ORDER BY 1 LOOP
        EXECUTE format('SELECT count(*), %s, md5(coalesce(string_agg((to_jsonb(x) - ''created_at'')::text, E''\n'' ORDER BY (to_jsonb(x) - ''created_at'')::text), '''')) FROM ismseval.%I x',
                       CASE WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = format('ismseval.%I', t)::regclass
                                         AND attname = 'preloaded') THEN 'count(*) FILTER (WHERE x.preloaded)' ELSE '0' END, t)
            INTO n, p, h;
        INSERT INTO fp VALUES (t, n, p, h);
    END LOOP;
END $$;
SELECT t || ' rows=' || n || ' preloaded=' || p || ' md5=' || h FROM fp ORDER BY t;
SQL
}
fingerprint "$SRC" > "$DUMP.src"
# (pg_dump warns that questions references itself: harmless, its rows are restored in one COPY.)
"$BIN/pg_dump" -Fc -d "$SRC" -f "$DUMP" 2>"$DUMP.log" || { cat "$DUMP.log"; exit 1; }
"$BIN/pg_restore" --exit-on-error -d "$DST" "$DUMP"
fingerprint "$DST" > "$DUMP.dst"

status=0
if ! diff -u "$DUMP.src" "$DUMP.dst"; then
    echo "not ok - dump and restore changed the data (diff above)"; status=1
else
    echo "ok - dump/restore kept every row of $(wc -l < "$DUMP.src") tables:"
    sed 's/ md5=.*//; s/^/    /' "$DUMP.src"
fi
# Preloaded rows are those of a fresh install, once each.
fresh=$("${PSQL[@]}" -At -d "$DST" -c "SELECT (SELECT count(*) FROM ismseval.frameworks WHERE preloaded) || '/' ||
    (SELECT count(*) FROM ismseval.control_domains WHERE preloaded) || '/' || (SELECT count(*) FROM ismseval.questions WHERE preloaded)
    || '/' || (SELECT count(*) FROM ismseval.threats WHERE preloaded)")
if [ "$fresh" = "1/6/22/25" ]; then echo "ok - preloaded rows after restore: $fresh"; else echo "not ok - preloaded rows after restore: $fresh, want 1/6/22/25"; status=1; fi
# Row-level security is back on: the tenant sees its two organizations and their answers only
# (in a session that loads the library at its start, as tenants' sessions must).
seen=$(PGOPTIONS='-c session_preload_libraries=ismseval' "${PSQL[@]}" -At -d "$DST" -c "SET ROLE ismseval_dump_tenant;
    SELECT (SELECT count(*) FROM ismseval.organizations) || '/' ||
           (SELECT count(DISTINCT a.organization_id) FROM ismseval.answers an JOIN ismseval.assessments a USING (assessment_id))")
if [ "$seen" = "2/2" ]; then echo "ok - after restore the tenant sees its 2 organizations only"; else echo "not ok - after restore the tenant sees $seen organizations, want 2/2"; status=1; fi
# A release from a fresh session (nothing has loaded the module, which defines the setting yet).
if "${PSQL[@]}" -d "$DST" -c "SELECT ismseval.release_peer_figures('fresh session')" >/dev/null; then
    echo "ok - a release from a fresh session"
else
    echo "not ok - a release from a fresh session fails"; status=1
fi
# The key sequences came along: new rows do not collide with restored ones.
if "${PSQL[@]}" -d "$DST" -c "INSERT INTO ismseval.organizations (code, name, core_business, size_band) VALUES ('NEW', 'New', 'regulated', 'small');
    INSERT INTO ismseval.frameworks (code, name) VALUES ('NEW', 'New'); INSERT INTO ismseval.threats (code, category, name) VALUES ('NEW', 'other', 'New');" >/dev/null; then
    echo "ok - new rows get fresh keys after restore"
else
    echo "not ok - new rows collide with restored keys"; status=1
fi
rm -f "$DUMP.src" "$DUMP.dst" "$DUMP.log"
exit $status
