-- pgTAP: risk_matrix, hand-worked lookups and every error path with its SQLSTATE, message and
-- detail (the only harness for risk_matrix errors; sql/risk_matrix.sql shows the values).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(106);

-- The SQLSTATE, primary message and detail of the error a statement raises:
-- "SQLSTATE: message (Detail.)", or "no error".
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL;
    RETURN state || ': ' || message || CASE WHEN detail <> '' THEN ' (' || detail || ')' ELSE '' END;
END
$f$;
-- The CONTEXT and the HINT of the error a statement raises ('' without one).
CREATE FUNCTION pg_temp.context_of(statement text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    context text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS context = PG_EXCEPTION_CONTEXT;
    RETURN context;
END
$f$;
CREATE FUNCTION pg_temp.hint_of(statement text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    hint text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
    RETURN hint;
END
$f$;

-- The working group's 4x4 matrix by thresholds (3, 6, 12):
-- low score 1-2, medium 3-4, high 6-9, critical 12-16 (see sql/risk_matrix.sql for all 16 cells).
CREATE TEMP TABLE m4 AS SELECT 'likelihood 4 impact 4 levels (low #00B050, medium #FFFF00, high #FFC000, '
    'critical #FF0000) thresholds (3, 6, 12)'::risk_matrix AS m;
-- The same 2x2 matrix used by the malformed-literal tests: levels a, b; cell (2,2) is b.
CREATE TEMP TABLE m2 AS SELECT 'likelihood 2 impact 2 levels (a #000000, b #ffffff) grid ((0, 0), (0, 1))'::risk_matrix AS m;

SELECT is(risk_level(m, 1, 1), 'low', '1 x 1 = 1 < 3: low') FROM m4;
SELECT is(risk_level(m, 1, 3), 'medium', '1 x 3 = 3: medium') FROM m4;
SELECT is(risk_level(m, 2, 2), 'medium', '2 x 2 = 4 < 6: medium') FROM m4;
SELECT is(risk_level(m, 2, 3), 'high', '2 x 3 = 6: high') FROM m4;
SELECT is(risk_level(m, 3, 3), 'high', '3 x 3 = 9 < 12: high') FROM m4;
SELECT is(risk_level(m, 3, 4), 'critical', '3 x 4 = 12: critical') FROM m4;
SELECT is(risk_level_rank(m, 4, 4), 3, '4 x 4 = 16: rank 3') FROM m4;
SELECT is(risk_level_rank(m, 2, 1), 0, '2 x 1 = 2: rank 0') FROM m4;
SELECT is(risk_color(m, 4, 2), '#FFC000', '4 x 2 = 8: high, #FFC000') FROM m4;
SELECT is(risk_level_rank(m, 'critical'), 3, 'critical is rank 3') FROM m4;
SELECT is(risk_matrix_likelihood_size(m), 4, 'likelihood size 4') FROM m4;
SELECT is(risk_matrix_impact_size(m), 4, 'impact size 4') FROM m4;
SELECT is((SELECT count(*) FROM risk_matrix_cells(m) WHERE level = 'high'), 5::bigint,
          'high: cells (2,3) (2,4) (3,2) (3,3) (4,2)') FROM m4;
SELECT is((SELECT string_agg(name, ',' ORDER BY rank) FROM risk_matrix_levels(m)),
          'low,medium,high,critical', 'levels lowest first') FROM m4;
SELECT is(m::text::risk_matrix, m, 'text round trip') FROM m4;
SELECT is(risk_matrix_from_jsonb(risk_matrix_to_jsonb(m)), m, 'jsonb round trip') FROM m4;
SELECT is('likelihood 4 impact 4 levels (low #00B050, medium #FFFF00, high #FFC000, critical #FF0000) '
          'grid ((0, 0, 1, 1), (0, 1, 2, 2), (1, 2, 2, 3), (1, 2, 3, 3))'::risk_matrix = m, true,
          'grid form of the same cells is equal') FROM m4;
SELECT is(m::text, 'likelihood 2 impact 2 levels ("a" #000000, "b" #FFFFFF) grid ((0, 0), (0, 1))',
          'canonical output: quoted names, upper-case colours') FROM m2;
-- CISO Assistant 3x3, asymmetric: grid[0][2] = 0 is (1,3); grid[2][0] = 2 is (3,1)
SELECT is(risk_level(risk_matrix_from_jsonb('{"json_definition": {"probability": [{"name": "L"}, {"name": "M"}, {"name": "H"}],
    "impact": [{"name": "1"}, {"name": "2"}, {"name": "3"}],
    "risk": [{"name": "lo", "hexcolor": "#00ff00"}, {"name": "mid", "hexcolor": "#ffff00"}, {"name": "hi", "hexcolor": "#ff0000"}],
    "grid": [[0, 0, 0], [0, 1, 1], [2, 2, 2]]}}'), 3, 1), 'hi', 'grid[2][0] is likelihood 3, impact 1');
SELECT is(risk_level(risk_matrix_from_jsonb('{"fields": {"probability": [{"name": "L"}, {"name": "M"}, {"name": "H"}],
    "impact": [{"name": "1"}, {"name": "2"}, {"name": "3"}],
    "risk": [{"name": "lo", "hexcolor": "#00ff00"}, {"name": "mid", "hexcolor": "#ffff00"}, {"name": "hi", "hexcolor": "#ff0000"}],
    "grid": [[0, 0, 0], [0, 1, 1], [2, 2, 2]]}}'), 1, 3), 'lo', 'grid[0][2] is likelihood 1, impact 3');
SELECT is(risk_level(NULL, 1, 1), NULL, 'NULL matrix: NULL');
SELECT is(risk_level(m, NULL, 1), NULL, 'NULL likelihood: NULL') FROM m4;

-- lookups off the scale: 22003
SELECT throws_ok($$SELECT ismseval.risk_level(m, 5, 1) FROM m4$$, '22003',
                 'likelihood must be between 1 and 4, got 5', 'likelihood above the scale');
SELECT throws_ok($$SELECT ismseval.risk_level(m, 0, 1) FROM m4$$, '22003',
                 'likelihood must be between 1 and 4, got 0', 'likelihood 0');
SELECT throws_ok($$SELECT ismseval.risk_level_rank(m, 1, 5) FROM m4$$, '22003',
                 'impact must be between 1 and 4, got 5', 'impact above the scale (rank)');
SELECT throws_ok($$SELECT ismseval.risk_color(m, 1, -1) FROM m4$$, '22003',
                 'impact must be between 1 and 4, got -1', 'negative impact (color)');
SELECT throws_ok($$SELECT ismseval.risk_level_rank(m, 'Critical') FROM m4$$, '22023',
                 'unknown risk level "Critical"', 'unknown level name');

-- malformed literals: 22P02
SELECT is(pg_temp.error_of($$SELECT ''::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "" (The input is empty.)',
          'empty string');
SELECT is(pg_temp.error_of($$SELECT '   '::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "   " (The input is empty.)',
          'blank string');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 1 impact 2 levels (a #000000, b #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 1 impact 2 levels (a #000000,..." (The likelihood scale must have between 2 and 10 levels, got 1.)',
          'likelihood scale of 1');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 11 levels (a #000000, b #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 11 levels (a #000000..." (The impact scale must have between 2 and 10 levels, got 11.)',
          'impact scale of 11');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 1), (1))'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (Grid row 2 (likelihood 2) must have 2 cells (one per impact level), got 1.)',
          'ragged grid: short row');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 1, 1), (1, 1))'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (More cells in grid row 1 than the 2 of the impact scale at character 66.)',
          'ragged grid: long row');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 1))'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (The grid must have 2 rows (one per likelihood level), got 1.)',
          'grid with too few rows');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 1), (1, 1), (1, 1))'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (More grid rows than the 2 of the likelihood scale at character 75.)',
          'grid with too many rows');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, c), (1, 1))'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (Grid cell (likelihood 1, impact 2) names an unknown level "c".)',
          'unknown level in grid');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 2), (1, 1))'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (Grid cell (likelihood 1, impact 2) must be a level index between 0 and 1, got 2.)',
          'level index out of range');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, a #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (Level 1 has the same name as level 0: "a".)',
          'duplicate names');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFF) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (Expected a colour "#RRGGBB" at character 44.)',
          'five-digit colour');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #GGGGGG) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (Expected a colour "#RRGGBB" at character 44.)',
          'non-hex colour');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels ("a #000000, b #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels ("a #000000..." (Unterminated quoted level name at end of input.)',
          'unterminated quote');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds (2) x'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (Unexpected characters after the mapping at character 68.)',
          'trailing garbage');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000) grid ((0, 0), (0, 0))'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000)..." (A risk matrix must have between 2 and 100 levels, got 1.)',
          'one level');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels ("" #000000, b #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels ("" #000000..." (The name of level 0 must be between 1 and 255 bytes long, got 0.)',
          'empty name');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds (5)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (The threshold of level 1 must be between 2 and 4 (ascending, at most likelihood x impact = 4), got 5.)',
          'threshold above the largest score');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 3 levels (a #000000, b #FFFFFF, c #FF0000) thresholds (3, 3)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 3 levels (a #000000,..." (The threshold of level 2 must be between 4 and 6 (ascending, at most likelihood x impact = 6), got 3.)',
          'thresholds not ascending');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF, c #000000) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (The thresholds must have 2 entries (one per level above the first), got 1.)',
          'too few thresholds');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) cells (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (Expected "thresholds" or "grid" at character 53.)',
          'unknown mapping');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds (9999999999)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." (Too many digits in a threshold at character 74.)',
          'huge number');

-- thresholds: an empty list; a first threshold of 1 (level 0 must hold score 1, so level 1
-- starts at 2 or above); more entries than the levels above the first
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds ()'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." '
          '(Expected a threshold (a non-negative integer) at character 65.)',
          'empty threshold list');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds (1)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." '
          '(The threshold of level 1 must be between 2 and 4 (ascending, at most likelihood x impact = 4), got 1.)',
          'threshold below 2');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds (2, 3)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." '
          '(More thresholds than the 1 expected (one per level above the first) at character 68.)',
          'too many thresholds');
SELECT is(pg_temp.error_of($$SELECT 'likelihood two'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood two" '
          '(Expected the likelihood scale size (a non-negative integer) at character 12.)',
          'scale size not a number');
-- long input is quoted as its first 40 characters and "..." (issue 10): a 4 MB literal, a 1 MB level name
SELECT is(pg_temp.error_of($$SELECT ('likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((a, '
                               || repeat('z', 4 * 1024 * 1024) || '), (a, b))')::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a #000000,..." '
          || '(Grid cell (likelihood 1, impact 2) names an unknown level "' || repeat('z', 40) || '...".)',
          'a 4 MB literal with an unknown level: both quoted in part');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_level_rank(m, repeat('z', 1024 * 1024)) FROM m2$$),
          '22023: unknown risk level "' || repeat('z', 40) || '..."',
          'an unknown 1 MB level name is quoted in part');

-- malformed jsonb: 22023
CREATE TEMP TABLE ok2 AS SELECT '{"probability": [{"name": "a"}, {"name": "b"}], "impact": [{"name": "a"}, {"name": "b"}],
  "risk": [{"name": "r", "hexcolor": "#000000"}, {"name": "s", "hexcolor": "#FFFFFF"}], "grid": [[0, 1], [1, 1]]}'::jsonb AS j;
SELECT is(risk_level(risk_matrix_from_jsonb(j), 2, 1), 's', 'the valid 2x2 base of the jsonb error tests') FROM ok2;
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb('"x"')$$),
          '22023: invalid risk matrix definition (The definition must be a JSON object, not a scalar.)',
          'not an object');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb('[1, 2]')$$),
          '22023: invalid risk matrix definition (The definition must be a JSON object, not an array.)',
          'an array, not an object');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{impact,1,name}', '2')) FROM ok2$$),
          '22023: invalid risk matrix definition (The name of impact[1] must be a string, got number.)',
          'a name that is a number');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '"none"')) FROM ok2$$),
          '22023: invalid risk matrix definition (Key "grid" must hold an array, got string.)',
          'grid a string');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(j #- '{risk,1}') FROM ok2$$),
          '22023: invalid risk matrix definition (Array "risk" must have between 2 and 100 entries, got 1.)',
          'one risk level');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(j - 'probability') FROM ok2$$),
          '22023: invalid risk matrix definition (Key "probability" is missing.)',
          'missing probability');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(j - 'grid') FROM ok2$$),
          '22023: invalid risk matrix definition (Key "grid" is missing.)',
          'missing grid');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(j - 'risk') FROM ok2$$),
          '22023: invalid risk matrix definition (Key "risk" is missing.)',
          'missing risk');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{impact}', '{"a": 1}')) FROM ok2$$),
          '22023: invalid risk matrix definition (Key "impact" must hold an array, got object.)',
          'impact not an array');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{probability}', '[{"name": "a"}]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Array "probability" must have between 2 and 10 entries, got 1.)',
          'probability of 1');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{impact}',
                     (SELECT jsonb_agg(jsonb_build_object('name', g)) FROM generate_series(1, 11) g))) FROM ok2$$),
          '22023: invalid risk matrix definition (Array "impact" must have between 2 and 10 entries, got 11.)',
          'impact of 11');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1], [1]]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Row grid[1] must have 2 entries (one per impact), got 1.)',
          'ragged grid');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1], [1, 1], [1, 1]]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Array "grid" must have 2 rows (one per probability), got 3.)',
          'grid rows do not match');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1], 1]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Row grid[1] must be an array, got number.)',
          'grid row not an array');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 2], [1, 1]]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Cell grid[0][1] must be a risk index between 0 and 1, got 2.)',
          'risk index out of range');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, "1"], [1, 1]]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Cell grid[0][1] must be a number (a risk index), got string.)',
          'risk index a string');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1.5], [1, 1]]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Cell grid[0][1] must be a whole number (a risk index), got 1.5.)',
          'risk index not integral');
-- any JSON number that is a whole number is a risk index, however written: 1.0, 1e0 and 10e-1 are 1
-- (issue 10: 1.0 was rejected where 1e0 was accepted); cell grid[0][1] is likelihood 1, impact 2.
SELECT is(risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1.0], [1, 1]]')), risk_matrix_from_jsonb(j),
          'grid entry 1.0 is index 1') FROM ok2;
SELECT is(risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1e0], [1, 1]]')), risk_matrix_from_jsonb(j),
          'grid entry 1e0 is index 1') FROM ok2;
SELECT is(risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0.00, 10e-1], [1, 1]]')), risk_matrix_from_jsonb(j),
          'grid entries 0.00 and 10e-1 are indices 0 and 1') FROM ok2;
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1e-1], [1, 1]]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Cell grid[0][1] must be a whole number (a risk index), got 0.1.)',
          'risk index 1e-1 = 0.1 is not whole');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, -1], [1, 1]]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Cell grid[0][1] must be a risk index between 0 and 1, got -1.)',
          'negative risk index');
-- 1e60 is whole but beyond int4; its 61 digits are quoted as the first 40 and "..."
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1e60], [1, 1]]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Cell grid[0][1] must be a risk index between 0 and 1, got '
          || '1' || repeat('0', 39) || '....)',
          'huge risk index, quoted in part');
-- a json_definition string that is not JSON: jsonb's own error, with a context line naming the key
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb('{"json_definition": "{probability: 1"}')$$),
          '22P02: invalid input syntax for type json (Token "probability" is invalid.)',
          'json_definition string that is not JSON');
SELECT matches(pg_temp.context_of($$SELECT ismseval.risk_matrix_from_jsonb('{"json_definition": "{probability: 1"}')$$),
               'risk matrix definition, string in key "json_definition" parsed as JSON',
               'the error names the key json_definition');
SELECT is(pg_temp.hint_of($$SELECT ismseval.risk_matrix_from_jsonb(j - 'grid') FROM ok2$$),
          'The keys of a definition are looked for at the top level and inside "fields" or "json_definition".',
          'a missing key: the hint says where keys are looked for');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,1,name}', '"r"')) FROM ok2$$),
          '22023: invalid risk matrix definition (Entries risk[0] and risk[1] have the same name "r".)',
          'duplicate risk names');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,0,hexcolor}', '"#12345"')) FROM ok2$$),
          '22023: invalid risk matrix definition (The hexcolor of risk[0] must be a colour "#RRGGBB", got "#12345".)',
          'bad colour');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(j #- '{risk,0,hexcolor}') FROM ok2$$),
          '22023: invalid risk matrix definition (Entry risk[0] has no "hexcolor".)',
          'missing colour');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{impact,0,hexcolor}', '"blue"')) FROM ok2$$),
          '22023: invalid risk matrix definition (The hexcolor of impact[0] must be a colour "#RRGGBB", got "blue".)',
          'bad impact colour');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(j #- '{probability,1,name}') FROM ok2$$),
          '22023: invalid risk matrix definition (Entry probability[1] has no "name".)',
          'missing name');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,1,name}', '""')) FROM ok2$$),
          '22023: invalid risk matrix definition (The name of risk[1] must be between 1 and 255 bytes long, got 0.)',
          'empty name');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,1}', '"s"')) FROM ok2$$),
          '22023: invalid risk matrix definition (Entry risk[1] must be an object, got string.)',
          'risk entry not an object');

-- hostile binary input through binary COPY: 22P03
CREATE TEMP TABLE rm_bin (m risk_matrix);
CREATE FUNCTION pg_temp.recv_hex(bytes bytea) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    path text := current_setting('data_directory') || '/ismseval_risk_matrix_tap.bin';
    n bigint;
BEGIN
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', bytes, path);
    EXECUTE format('COPY rm_bin FROM %L (FORMAT binary)', path);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
-- valid: version 1, thresholds form, L=2, I=2, N=2, "a" #000000, "b" #FF0000, threshold 2
SELECT is(pg_temp.recv_hex('\x0100000000020000000200000002000000016100000000000000016200ff000000000002'), 1::bigint,
          'valid binary value is accepted');
SELECT is((SELECT m::text FROM rm_bin), 'likelihood 2 impact 2 levels ("a" #000000, "b" #FF0000) thresholds (2)',
          'and reads as built by hand');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0100000000020000')$$),
          '22P03: invalid binary data for type risk_matrix (The impact scale size needs 4 bytes, the data has only 2.)',
          'truncated');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x')$$),
          '22P03: invalid binary data for type risk_matrix (The header needs 2 bytes, the data has only 0.)',
          'empty');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002000000c861')$$),
          '22P03: invalid binary data for type risk_matrix (The name of level 0 needs 200 bytes, the data has only 1.)',
          'name length past the end');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0101000000020000000200000002000000016100000000000000016200ff00000000000000000001')$$),
          '22P03: invalid binary data for type risk_matrix (The grid needs 16 bytes, the data has only 8.)',
          'grid past the end');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x01000000000200000002ffffffff')$$),
          '22P03: invalid binary data for type risk_matrix (The number of levels must be between 2 and 100, got -1.)',
          'negative level count');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002ffffffff')$$),
          '22P03: invalid binary data for type risk_matrix (The name length of level 0 must be between 1 and 255, got -1.)',
          'negative name length');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0100000000000000000200000002')$$),
          '22P03: invalid binary data for type risk_matrix (The likelihood scale size must be between 2 and 10, got 0.)',
          'scale 0');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0101000000020000000200000002000000016100000000000000016200ff000000000000000000050000000100000001')$$),
          '22P03: invalid binary data for type risk_matrix (Grid cell (likelihood 1, impact 2) must be a level index between 0 and 1, got 5.)',
          'level index out of range');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002000000016100000000000000016100ff000000000002')$$),
          '22P03: invalid binary data for type risk_matrix (Level 1 has the same name as level 0: "a".)',
          'duplicate names');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x010000000002000000020000000200000001ff00000000000000016200ff000000000002')$$),
          '22P03: invalid binary data for type risk_matrix (The name of level 0 is not valid text in the client encoding.)',
          'invalid UTF-8');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002000000016101000000000000016200ff000000000002')$$),
          '22P03: invalid binary data for type risk_matrix (The colour of level 0 must be between 0 and 16777215, got 16777216.)',
          'colour too large');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0107000000020000000200000002000000016100000000000000016200ff000000000002')$$),
          '22P03: invalid binary data for type risk_matrix (The mapping form must be 0 (thresholds) or 1 (grid), got 7.)',
          'unknown form');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002000000016100000000000000016200ff00000000000200')$$),
          '22P03: invalid binary data for type risk_matrix (1 byte is left after the mapping.)',
          'trailing byte');

-- the colour of level 1 cut short (1 byte of 4); layout version 2
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x01000000000200000002000000020000000161000000000000000162ff')$$),
          '22P03: invalid binary data for type risk_matrix (The colour of level 1 needs 4 bytes, the data has only 1.)',
          'colour cut short');
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0200000000020000000200000002000000016100000000000000016200ff000000000002')$$),
          '22P03: invalid binary data for type risk_matrix (The format version must be 1, got 2.)',
          'format version 2');
SELECT * FROM finish();
ROLLBACK;
