#!/usr/bin/env bash
# Interoperability: imports CISO Assistant's own libraries (shared/interop/ciso-assistant, test
# input only, never copied into the repository) with ismseval-import, then checks what was
# loaded against the files themselves: every expected number is computed here from the YAML,
# none is written down. NIST CSF 2.0 at domain level 1, ISO/IEC 27001:2022 at domain level 2,
# the mapping sets between them, every risk matrix (each cell's level = risk[grid[p][i]]), and a
# second import that must report everything unchanged.
# The folder is $ISMSEVAL_INTEROP_DIR, else ../shared/interop/ciso-assistant beside the
# repository; without it the script says it skipped. Needs a running server named by the PG*
# variables (a superuser) and its programs in $PG_BINDIR. One ok / not ok line per check.
set -euo pipefail
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${ISMSEVAL_INTEROP_DIR:-$REPO/../shared/interop/ciso-assistant}
if [ ! -d "$DIR/frameworks" ] || [ ! -d "$DIR/matrices" ]; then
    echo "skipped: $DIR not found"
    exit 0
fi
DIR=$(cd "$DIR" && pwd)
DB=ismseval_interop
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c 'CREATE EXTENSION ismseval'
trap '"$BIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT

/usr/bin/python3 - "$REPO" "$DIR" "$BIN" "$DB" <<'PYTHON'
import csv, glob, io, json, os, subprocess, sys, tempfile
import yaml

repo, folder, bindir, db = sys.argv[1:5]
psql = os.path.join(bindir, 'psql')
importer = os.path.join(repo, 'scripts', 'ismseval-import')
failed = 0


def check(ok, what, detail=''):
    """Prints one ok / not ok line."""
    global failed
    print(('ok - ' if ok else 'not ok - ') + what)
    if not ok:
        failed = 1
        for line in str(detail).splitlines()[:20]:
            print('#   ' + line)


def query(sql):
    """Rows of a query as lists of strings (NULL as None)."""
    proc = subprocess.run([psql, '-X', '-q', '--csv', '-v', 'ON_ERROR_STOP=1', '-d', db, '-f', '-'],
                          input="\\pset null '(null)'\n" + sql, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit('query failed: ' + proc.stderr)
    rows = list(csv.reader(io.StringIO(proc.stdout)))[1:]
    return [[None if v == '(null)' else v for v in r] for r in rows]


def literal(text):
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def load(path):
    """A library file's content."""
    with open(path, encoding='utf-8') as f:
        return yaml.safe_load(f)


def run_import(paths, level=None):
    """ismseval-import on the files; returns (exit status, output)."""
    cmd = [importer, '--db', db, '--psql', psql] + (['--domain-level', str(level)] if level else []) + paths
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def reimport_actions(path, level=None):
    """The actions the function reports when the file is imported again, as a set."""
    text = subprocess.run([importer, '--to-json', path], capture_output=True, text=True, check=True).stdout
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        f.write(text)
    try:
        rows = query(f"\\set doc `cat {literal(f.name)}`\n"
                     f"SELECT DISTINCT action FROM ismseval.import_ciso_assistant_library(:'doc', "
                     f"{level if level else 'NULL'});\n")
    finally:
        os.unlink(f.name)
    return {r[0] for r in rows}


def check_framework(path, level):
    """Imports a framework library at a domain level and checks nodes, tree and domains against the file."""
    name = os.path.basename(path)
    fw = load(path)['objects']['framework']
    nodes = fw['requirement_nodes']
    status, out = run_import([path], level)
    check(status == 0, f'{name}: ismseval-import exits 0', out)
    urn = fw['urn'].lower()
    loaded = {r[0]: r[1:] for r in query(
        "SELECT q.urn, q.depth, p.urn, q.assessable, d.code, q.display_order FROM ismseval.questions q "
        "JOIN ismseval.frameworks f USING (framework_id) LEFT JOIN ismseval.questions p ON p.question_id = q.parent_id "
        f"LEFT JOIN ismseval.control_domains d ON d.domain_id = q.domain_id WHERE f.urn = {literal(urn)};")}
    check(len(loaded) == len(nodes), f'{name}: {len(nodes)} nodes in the file, {len(loaded)} loaded')
    expected = {n['urn'].lower(): [str(n['depth']), (n.get('parent_urn') or '').lower() or None,
                                   't' if n.get('assessable') else 'f'] for n in nodes}
    bad = [u for u, e in expected.items() if loaded.get(u, [None] * 5)[:3] != e]
    check(not bad, f'{name}: every node has the depth, parent and assessable of the file '
                   f'({sum(e[2] == "t" for e in expected.values())} assessable)', bad[:5])
    order = [n['urn'].lower() for n in nodes]
    check([loaded[u][4] for u in order] == [str(i + 1) for i in range(len(order))],
          f'{name}: display order = file order')
    axes = [n for n in nodes if n['depth'] == level]
    domains = query("SELECT d.code FROM ismseval.control_domains d JOIN ismseval.frameworks f USING (framework_id) "
                    f"WHERE f.urn = {literal(urn)} ORDER BY d.display_order;")
    check([d[0] for d in domains] == [n['ref_id'] for n in axes],
          f'{name}: domain level {level}: {len(axes)} domains, the depth-{level} nodes in file order',
          f'{[d[0] for d in domains]} vs {[n["ref_id"] for n in axes]}')
    above = [u for u, e in expected.items() if int(e[0]) < level and loaded[u][3] is not None]
    check(not above, f'{name}: nodes above depth {level} have no domain', above[:5])
    scale = query(f"SELECT scale_min, scale_max, domain_level, COALESCE(jsonb_array_length(score_labels), 0) "
                  f"FROM ismseval.frameworks WHERE urn = {literal(urn)};")
    labels = fw.get('scores_definition') or []
    want = [str(fw.get('min_score', 0)), str(fw.get('max_score', 100)), str(level), str(len(labels))]
    check(scale == [want], f'{name}: scale {want[0]}-{want[1]} (CISO Assistant default 0-100), {want[3]} score labels',
          f'{scale} vs {want}')
    groups = query("SELECT g.code FROM ismseval.implementation_groups g JOIN ismseval.frameworks f USING (framework_id) "
                   f"WHERE f.urn = {literal(urn)} ORDER BY 1;")
    check([g[0] for g in groups] == sorted(g['ref_id'] for g in fw.get('implementation_groups_definition') or []),
          f'{name}: implementation groups of the file')


def check_mappings(path):
    """Imports the mapping library and checks each set's mappings against the file."""
    name = os.path.basename(path)
    status, out = run_import([path])
    check(status == 0, f'{name}: ismseval-import exits 0', out)
    for ms in load(path)['objects']['requirement_mapping_sets']:
        pairs = [(m['source_requirement_urn'].lower(), m['target_requirement_urn'].lower(), m['relationship'])
                 for m in ms['requirement_mappings']]
        loaded = query("SELECT s.urn, t.urn, m.relationship FROM ismseval.requirement_mappings m "
                       "JOIN ismseval.requirement_mapping_sets ms USING (mapping_set_id) "
                       "JOIN ismseval.questions s ON s.question_id = m.source_question_id "
                       "JOIN ismseval.questions t ON t.question_id = m.target_question_id "
                       f"WHERE ms.urn = {literal(ms['urn'].lower())};")
        check(sorted(map(tuple, loaded)) == sorted(set(pairs)),
              f'{name}: set {ms["urn"]}: {len(pairs)} mappings in the file, {len(set(pairs))} distinct, '
              f'{len(loaded)} loaded ({len(pairs) - len(set(pairs))} repeated ones skipped)')
    return status


def matrix_without_colour_accepted():
    """Whether risk_matrix_from_jsonb takes levels without hexcolor (CISO Assistant accepts them)."""
    proc = subprocess.run([psql, '-X', '-q', '-d', db, '-c',
                           """SELECT ismseval.risk_matrix_from_jsonb('{"probability": [{"name": "a"}, {"name": "b"}],
                              "impact": [{"name": "a"}, {"name": "b"}], "risk": [{"name": "x"}, {"name": "y"}],
                              "grid": [[0, 1], [1, 1]]}')"""], capture_output=True, text=True)
    return proc.returncode == 0


def check_matrices(paths):
    """Imports every matrix library and checks every cell against the file's grid."""
    colourless_ok = matrix_without_colour_accepted()
    taken = []
    for path in paths:
        if all('hexcolor' in r for m in load(path)['objects']['risk_matrix'] for r in m['risk']) or colourless_ok:
            taken.append(path)
        else:
            print(f'skipped: {os.path.basename(path)}: its levels have no hexcolor, which this build\'s '
                  'risk_matrix_from_jsonb does not take yet')
    status, out = run_import(taken)
    check(status == 0, f'ismseval-import of {len(taken)} matrix libraries exits 0', out)
    for path in taken:
        for m in load(path)['objects']['risk_matrix']:
            cells = query("SELECT c.likelihood, c.impact, c.level FROM ismseval.risk_matrices r, "
                          f"ismseval.risk_matrix_cells(r.matrix) c WHERE r.urn = {literal(m['urn'].lower())} "
                          "ORDER BY 1, 2;")
            want = [[str(p + 1), str(i + 1), m['risk'][m['grid'][p][i]]['name']]
                    for p in range(len(m['probability'])) for i in range(len(m['impact']))]
            check(cells == want, f'{os.path.basename(path)}: {len(m["probability"])} x {len(m["impact"])}, '
                                 'every cell\'s level is risk[grid[p][i]]', f'{cells} vs {want}')
    return taken


nist = os.path.join(folder, 'frameworks', 'nist-csf-2.0.yaml')
iso = os.path.join(folder, 'frameworks', 'iso27001-2022.yaml')
mapping = os.path.join(folder, 'frameworks', 'mapping-nist-csf-2.0-to-iso27001-2022.yaml')
check_framework(nist, 1)
check_framework(iso, 2)
check_mappings(mapping)
matrices = check_matrices(sorted(glob.glob(os.path.join(folder, 'matrices', '*.yaml'))))
again = [(nist, None), (iso, None), (mapping, None)] + [(m, None) for m in matrices]
changed = {os.path.basename(p): a - {'unchanged', 'skipped'} for p, l in again for a in [reimport_actions(p, l)]}
check(not any(changed.values()), f'imported again, all {len(again)} libraries report every object unchanged (or skipped)',
      {k: v for k, v in changed.items() if v})
sys.exit(failed)
PYTHON
