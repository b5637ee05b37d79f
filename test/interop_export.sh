#!/usr/bin/env bash
# Interoperability: a real CISO Assistant instance export through import_ciso_assistant_export.
# Reads ../shared/interop/ciso-assistant/ (from the repository root; or $ISMSEVAL_INTEROP_DIR)
# when it exists, as test input only, and says it skipped when it does not. In a fresh database
# it loads the NIST CSF 2.0 and ISO/IEC 27001:2022 libraries (with import_ciso_assistant_library
# when the extension has it, else with the small YAML-to-SQL loader below, which lives only in
# this test), imports export/sample-domain-schema-4.json twice and checks, against values
# computed here in Python from the files:
#   - every object of the export has a line in the summary, and every requirement assessment
#     exactly one: created, or skipped with a reason;
#   - each created answer holds the export's result (and no score when it is not scored);
#   - every risk scenario's current and residual levels are CISO Assistant's risk[grid[p][i]]
#     of the export's matrix (NULL for -1), its inherent level the current one;
#   - the second import creates nothing: every line unchanged or skipped for the same reason.
# Needs a running server named by the PG* variables and its programs in $PG_BINDIR.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DIR=${ISMSEVAL_INTEROP_DIR:-$REPO/../shared/interop/ciso-assistant}
EXPORT=$DIR/export/sample-domain-schema-4.json
if [ ! -f "$EXPORT" ] || [ ! -f "$DIR/frameworks/nist-csf-2.0.yaml" ] || [ ! -f "$DIR/frameworks/iso27001-2022.yaml" ]; then
    echo "skipped: $DIR (CISO Assistant export and libraries) not found"
    exit 0
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
    echo "skipped: python3 with PyYAML not found (needed to read the libraries)"
    exit 0
fi
DB=ismseval_interop_export
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ismseval-interop.XXXXXX")
PSQL=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)
cleanup() {
    rm -rf "$WORK"
    "${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
"${PSQL[@]}" -d "$DB" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION ismseval'

export PSQL_BIN="$BIN/psql" DB WORK EXPORT DIR
python3 - <<'PYTHON'
import json, os, subprocess, sys, yaml

psql, db, work = os.environ['PSQL_BIN'], os.environ['DB'], os.environ['WORK']
failed = False


def sql(script, *vars):
    """Runs a psql script; returns its unaligned, tab-separated output rows."""
    args = [psql, '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', db, '-f', '-']
    for v in vars:
        args[1:1] = ['-v', v]
    out = subprocess.run(args, input=script, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit('psql failed:\n' + out.stderr)
    return [line.split('\t') for line in out.stdout.splitlines() if line != '']


def check(ok, what, detail=''):
    """Prints one ok / not ok line."""
    global failed
    print(('ok - ' if ok else 'not ok - ') + what)
    if not ok:
        failed = True
        print('#   ' + str(detail)[:2000].replace('\n', '\n#   '))


def q(s):
    """A SQL string literal (standard_conforming_strings on)."""
    return 'NULL' if s is None else "'" + str(s).replace("'", "''") + "'"


def library_sql(fw, domain_level):
    """The SQL loading a framework of a library the way import_ciso_assistant_library does:
    nodes at domain_level are the control domains, every assessable node takes scores."""
    nodes = fw['requirement_nodes']
    lo, hi = fw.get('min_score', 0), fw.get('max_score', 100)
    code = 'CA-' + fw['ref_id']
    out = [f"INSERT INTO ismseval.frameworks (code, name, scale_min, scale_max, default_target, urn, ref_id, domain_level)"
           f" VALUES ({q(code)}, {q(fw['name'])}, {lo}, {hi}, {hi}, {q(fw['urn'])}, {q(fw['ref_id'])}, {domain_level});"]
    codes = set()
    for n, node in enumerate(nodes, 1):
        ref = node.get('ref_id')
        node_code = ref if ref and ref not in codes else node['urn'].rsplit(':', 1)[1]
        codes.add(node_code)
        text = node.get('name') or node.get('description') or ref or node_code
        fwid = f"(SELECT framework_id FROM ismseval.frameworks WHERE urn = {q(fw['urn'])})"
        parent = f"(SELECT question_id FROM ismseval.questions WHERE urn = {q(node['parent_urn'])})" if node.get('parent_urn') else 'NULL'
        domain = 'NULL'
        if node['depth'] == domain_level:
            out.append(f"INSERT INTO ismseval.control_domains (framework_id, code, name, display_order)"
                       f" VALUES ({fwid}, {q(node_code)}, {q(text)}, {n});")
            domain = f"(SELECT domain_id FROM ismseval.control_domains WHERE framework_id = {fwid} AND code = {q(node_code)})"
        groups = 'NULL' if not node.get('implementation_groups') else \
            'ARRAY[' + ', '.join(q(g) for g in node['implementation_groups']) + ']'
        out.append(f"INSERT INTO ismseval.questions (framework_id, domain_id, parent_id, code, text, display_order, urn,"
                   f" ref_id, name, assessable, answer_kind, depth, implementation_groups)"
                   f" VALUES ({fwid}, {domain}, {parent}, {q(node_code)}, {q(text)}, {n}, {q(node['urn'])}, {q(ref)},"
                   f" {q(node.get('name'))}, {str(bool(node.get('assessable'))).lower()}, 'score',"
                   f" {'NULL' if node.get('parent_urn') else 1}, {groups});")
    return '\n'.join(out)


# 1. The libraries.
libraries = [('nist-csf-2.0.yaml', 1), ('iso27001-2022.yaml', 2)]
has_import = sql("SELECT to_regprocedure('ismseval.import_ciso_assistant_library(jsonb, integer)') IS NOT NULL")[0][0] == 't'
for name, level in libraries:
    lib = yaml.safe_load(open(os.path.join(os.environ['DIR'], 'frameworks', name)))
    if has_import:
        path = os.path.join(work, name + '.json')
        json.dump(lib, open(path, 'w'), default=str)
        sql(f"\\set lib `cat {path}`\nSELECT count(*) FROM ismseval.import_ciso_assistant_library(:'lib'::jsonb, {level});")
    else:
        sql('BEGIN;\n' + library_sql(lib['objects']['framework'], level) + '\nCOMMIT;')
print('# libraries loaded with ' + ('import_ciso_assistant_library' if has_import else 'the test\'s own loader'))

# 2. What the export holds, computed from the file.
export = json.load(open(os.environ['EXPORT']))
objects = export['objects']
by_model = {}
for o in objects:
    by_model.setdefault(o['model'], []).append(o)
ras = by_model['core.requirementassessment']
matrices = {m['fields']['urn']: m['fields']['json_definition'] for m in by_model['core.riskmatrix']}
risk_assessments = {r['id']: r['fields'] for r in by_model['core.riskassessment']}


def level(matrix, p, i):
    """CISO Assistant's level of a cell: risk[grid[p][i]].name, None when either index is -1."""
    if p is None or i is None or p < 0 or i < 0:
        return None
    return matrix['risk'][matrix['grid'][p][i]]['name']


expected_levels = {}
for s in by_model['core.riskscenario']:
    f = s['fields']
    m = matrices[risk_assessments[f['risk_assessment']]['risk_matrix']]
    cur = level(m, f.get('current_proba'), f.get('current_impact'))
    inh = level(m, f.get('inherent_proba'), f.get('inherent_impact')) or cur
    expected_levels[s['id']] = (inh, cur, level(m, f.get('residual_proba'), f.get('residual_impact')))

# 3. Import twice.
sql(f"\\set export `cat {os.environ['EXPORT']}`\n"
    "CREATE TABLE first_run AS SELECT * FROM ismseval.import_ciso_assistant_export(:'export') WITH ORDINALITY;\n"
    "CREATE TABLE second_run AS SELECT * FROM ismseval.import_ciso_assistant_export(:'export') WITH ORDINALITY;")
first = sql("SELECT kind, external_id, coalesce(ref, ''), action, coalesce(reason, '') FROM first_run ORDER BY ordinality")
second = sql("SELECT kind, external_id, coalesce(ref, ''), action, coalesce(reason, '') FROM second_run ORDER BY ordinality")
print(f'# {len(objects)} objects, {len(ras)} requirement assessments, {len(first)} summary lines')

reported = {(r[0], r[1]) for r in first}
kind_of = {'core.' + k.replace('_', ''): k for k in {r[0] for r in first}}
missing = [(o['model'], o['id']) for o in objects if (kind_of.get(o['model'], o['model']), o['id']) not in reported]
check(not missing, 'every object of the export has a line in the summary', missing[:10])

ra_lines = [r for r in first if r[0] == 'requirement_assessment']
ra_ids = [r[1] for r in ra_lines]
check(sorted(ra_ids) == sorted(o['id'] for o in ras),
      f'each of the export\'s {len(ras)} requirement assessments has exactly one line ({len(ra_lines)})',
      sorted(set(ra_ids) ^ {o['id'] for o in ras})[:10])
bad = [r for r in ra_lines if not (r[3] == 'created' or (r[3] == 'skipped' and r[4]))]
check(not bad, 'each is created, or skipped with a reason', bad[:5])
counts = {}
for r in ra_lines:
    counts[r[3]] = counts.get(r[3], 0) + 1
print('# requirement assessments: ' + ', '.join(f'{n} {a}' for a, n in sorted(counts.items())))
reasons = {}
for r in ra_lines:
    if r[3] == 'skipped':
        reasons[r[4]] = reasons.get(r[4], 0) + 1
for k, n in sorted(reasons.items()):
    print(f'#   skipped {n}: {k}')

# the answers hold the results of the created lines
answers = {r[0]: r[1:] for r in sql("""
    SELECT s.external_id, a.result, coalesce(a.score::text, '')
    FROM first_run s
    JOIN ismseval.ciso_assistant_objects m ON m.model = 'core.complianceassessment'
    JOIN ismseval.answers a ON a.assessment_id = m.local_id
    JOIN ismseval.questions q ON q.question_id = a.question_id
    WHERE s.kind = 'requirement_assessment' AND s.action = 'created' AND q.urn = s.ref""")}
ra_by_id = {o['id']: o['fields'] for o in ras}
created = [r[1] for r in ra_lines if r[3] == 'created']
wrong = [(i, answers.get(i), ra_by_id[i]['result'], ra_by_id[i]['score'], ra_by_id[i]['is_scored']) for i in created
         if answers.get(i) is None or answers[i][0] != ra_by_id[i]['result']
         or answers[i][1] != (str(ra_by_id[i]['score']) if ra_by_id[i]['is_scored'] and ra_by_id[i]['score'] is not None
                              and ra_by_id[i]['result'] != 'not_applicable' else '')]
check(len(answers) == len(created) and not wrong,
      f'the {len(created)} created answers hold the export\'s results and scores', wrong[:5])

# 4. Risk levels.
got = {r[0]: tuple(x or None for x in r[1:]) for r in sql("""
    SELECT m.ciso_id, coalesce(r.inherent_level, ''), coalesce(r.current_level, ''),
           CASE WHEN r.residual_basis = 'cell' THEN r.residual_level ELSE '' END
    FROM ismseval.ciso_assistant_objects m JOIN ismseval.risk_register r ON r.risk_id = m.local_id
    WHERE m.model = 'core.riskscenario'""")}
check(got == expected_levels,
      f'the {len(expected_levels)} risk scenarios\' inherent, current and residual levels are risk[grid[p][i]] of the export\'s matrix',
      {k: (got.get(k), v) for k, v in expected_levels.items() if got.get(k) != v})

# 5. The second import.
check(len(second) == len(first) and all(b[3] == ('skipped' if a[3] == 'skipped' else 'unchanged') and a[:3] == b[:3]
                                        and (a[3] != 'skipped' or a[4] == b[4]) for a, b in zip(first, second)),
      'a second import of the same export: every line unchanged, or skipped for the same reason',
      [(a, b) for a, b in zip(first, second) if b[3] not in ('unchanged', 'skipped')][:5])
dupes = sql("""SELECT (SELECT count(*) FROM ismseval.organizations) || ' ' || (SELECT count(*) FROM ismseval.risks)
                      || ' ' || (SELECT count(*) FROM ismseval.answers) || ' ' || (SELECT count(*) FROM ismseval.applied_controls)""")[0][0]
created_counts = {k: sum(1 for r in first if r[0] == k and r[3] == 'created')
                  for k in ('perimeter', 'risk_scenario', 'requirement_assessment', 'applied_control')}
check(dupes == f"{created_counts['perimeter']} {created_counts['risk_scenario']} {created_counts['requirement_assessment']} "
               f"{created_counts['applied_control']}",
      'and makes no duplicates (organizations, risks, answers, applied controls as the first import created)', dupes)
sys.exit(1 if failed else 0)
PYTHON
