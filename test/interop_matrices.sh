#!/usr/bin/env bash
# Interop: every risk-matrix library of CISO Assistant (YAML) goes into risk_matrix through
# risk_matrix_from_jsonb and comes back whole. Reads the real files when the folder is there
# ($ISMSEVAL_INTEROP_DIR, else ../shared/interop/ciso-assistant from the repository root; test
# input only, nothing of them is kept) and says it skipped when it is not. For each matrix:
#   - every cell (p + 1, i + 1) has level risk[grid[p][i]] (name, rank, colour);
#   - risk_matrix_to_jsonb gives back every name, abbreviation, description, hexcolor and
#     translation of the file (abbreviations as text; a risk without hexcolor has none);
#   - risk_matrix_levels / _likelihood_scale / _impact_scale list the same labels, and a level
#     without hexcolor is marked default_color;
#   - the text, jsonb and binary (COPY) forms read back to an equal matrix.
# The file is turned into JSON by python3 with PyYAML (Debian python3-yaml) and nothing else:
# no import function of the extension is used. Needs a running server named by the PG*
# variables (superuser, for the binary COPY) and its programs in $PG_BINDIR.
# Prints one ok / not ok line per check; exit status 0 when all pass or when skipped.
set -euo pipefail
BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${ISMSEVAL_INTEROP_DIR:-$HERE/../../shared/interop/ciso-assistant}
MATRICES=$DIR/matrices
DB=ismseval_interop

if [ ! -d "$MATRICES" ]; then
    echo "skipped: CISO Assistant matrices: $MATRICES not found"
    exit 0
fi
PYTHON=
for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null && "$py" -c 'import yaml' 2>/dev/null; then PYTHON=$py; break; fi
done
if [ -z "$PYTHON" ]; then
    echo "not ok - python3 with PyYAML (Debian package python3-yaml) is needed to read $MATRICES"
    exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ismseval-interop.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql_q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

# One SQL script of checks for all the files; each check prints "ok - ..." or "not ok - ...".
"$PYTHON" - "$MATRICES" >"$WORK/checks.sql" <<'PY'
import glob, json, os, sys, yaml

def lit(value):
    """A SQL string literal (standard_conforming_strings on)."""
    return "'" + str(value).replace("'", "''") + "'"

def text(value):
    return None if value is None else str(value)

def entry(e, colour):
    """The entry as risk_matrix_to_jsonb gives it back: labels present in the file, as text."""
    out = {"name": e["name"]}
    for key in ("abbreviation", "description"):
        if e.get(key) is not None:
            out[key] = text(e[key])
    if colour and e.get("hexcolor") is not None:
        out["hexcolor"] = e["hexcolor"].upper()
    tr = {}
    for lang, t in (e.get("translations") or {}).items():
        tr[lang] = {k: text(t[k]) for k in ("name", "description") if t.get(k) is not None}
    if tr:
        out["translations"] = tr
    return out

def check(name, condition):
    print("SELECT CASE WHEN (%s) IS TRUE THEN 'ok' ELSE 'not ok' END || %s;" % (condition, lit(" - " + name)))

print("SET search_path = ismseval, public;")
print("CREATE TEMP TABLE m (id text PRIMARY KEY, m risk_matrix, expected jsonb);")
print("CREATE TEMP TABLE back (LIKE m);")
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml"))):
    with open(path, encoding="utf-8") as f:
        library = yaml.safe_load(f)
    for n, matrix in enumerate(library["objects"]["risk_matrix"]):
        mid = "%s#%d" % (os.path.basename(path), n)
        definition = json.dumps(matrix, ensure_ascii=False, default=str)
        expected = {
            "probability": [entry(e, True) for e in matrix["probability"]],
            "impact": [entry(e, True) for e in matrix["impact"]],
            "risk": [entry(e, True) for e in matrix["risk"]],
            "grid": matrix["grid"],
        }
        print("INSERT INTO m VALUES (%s, risk_matrix_from_jsonb(%s), %s);"
              % (lit(mid), lit(definition), lit(json.dumps(expected, ensure_ascii=False))))
        cells = ", ".join("(%d, %d, %d, %s, %s)" % (p + 1, i + 1, r, lit(matrix["risk"][r]["name"]),
                                                     lit((matrix["risk"][r].get("hexcolor") or "").upper()))
                          for p, row in enumerate(matrix["grid"]) for i, r in enumerate(row))
        sel = "FROM m WHERE id = %s" % lit(mid)
        check("%s: %dx%d, %d levels, every cell is risk[grid[p][i]] (name, rank, hexcolor when given)"
              % (mid, len(matrix["probability"]), len(matrix["impact"]), len(matrix["risk"])),
              "SELECT count(*) = %d AND bool_and(c.level = h.name AND c.rank = h.rank AND "
              "(h.colour = '' OR c.color = h.colour)) FROM m, risk_matrix_cells(m.m) c "
              "JOIN (VALUES %s) h(likelihood, impact, rank, name, colour) USING (likelihood, impact) "
              "WHERE m.id = %s" % (len(matrix["grid"]) * len(matrix["grid"][0]), cells, lit(mid)))
        check(mid + ": risk_matrix_to_jsonb gives back every name, abbreviation, description, "
              "hexcolor and translation", "SELECT risk_matrix_to_jsonb(m) = expected " + sel)
        check(mid + ": risk_matrix_levels lists the risk labels, default_color where hexcolor is missing",
              "SELECT (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('name', l.name, "
              "'abbreviation', l.abbreviation, 'description', l.description, 'translations', l.translations, "
              "'hexcolor', CASE WHEN NOT l.default_color THEN l.color END)) ORDER BY l.rank) "
              "FROM risk_matrix_levels(m) l) = expected->'risk' " + sel)
        for fn, key in (("risk_matrix_likelihood_scale", "probability"), ("risk_matrix_impact_scale", "impact")):
            col = "likelihood" if key == "probability" else "impact"
            check("%s: %s lists the %s labels" % (mid, fn, key),
                  "SELECT (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('name', s.name, "
                  "'abbreviation', s.abbreviation, 'description', s.description, 'translations', s.translations, "
                  "'hexcolor', s.color)) ORDER BY s.%s) FROM %s(m) s) = expected->'%s' %s" % (col, fn, key, sel))
        check(mid + ": text and jsonb round trips give an equal matrix that prints the same",
              "SELECT m::text::risk_matrix = m AND m::text::risk_matrix::text = m::text "
              "AND risk_matrix_from_jsonb(risk_matrix_to_jsonb(m)) = m " + sel)
print("SELECT current_setting('data_directory') || '/ismseval_interop_matrices.bin' AS f \\gset")
print("COPY m TO :'f' (FORMAT binary);")
print("COPY back FROM :'f' (FORMAT binary);")
check("binary COPY round trip of every matrix: equal, same text",
      "SELECT count(*) = (SELECT count(*) FROM m) AND bool_and(a.m = b.m AND a.m::text = b.m::text) "
      "FROM m a JOIN back b USING (id)")
PY

psql_q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql_q -d "$DB" -c 'CREATE EXTENSION ismseval'
psql_q -d "$DB" -At -f "$WORK/checks.sql" >"$WORK/out.txt" || { cat "$WORK/out.txt"; exit 1; }
psql_q -d postgres -c "DROP DATABASE $DB"
cat "$WORK/out.txt"
files=$(ls "$MATRICES"/*.yaml | wc -l)
echo "# $files files from $MATRICES"
if grep -q '^not ok' "$WORK/out.txt"; then exit 1; fi
