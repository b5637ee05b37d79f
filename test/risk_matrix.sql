-- pgTAP: risk_matrix, hand-worked lookups and every error path with its SQLSTATE, message and
-- detail (the only harness for risk_matrix errors; sql/risk_matrix.sql shows the values).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(149);

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
-- a risk without hexcolor (issue 12) takes the default palette's colour: 2 levels, rank 0 is
-- green #1A9850 (t = 0/1); cell (1, 1) is grid[0][0] = 0
SELECT is(risk_color(risk_matrix_from_jsonb(j #- '{risk,0,hexcolor}'), 1, 1), '#1A9850',
          'missing colour: rank 0 of 2 takes the palette''s green') FROM ok2;
SELECT is(risk_color(risk_matrix_from_jsonb(jsonb_set(j, '{risk,1,hexcolor}', 'null')), 2, 2), '#D73027',
          'null colour: rank 1 of 2 (t = 1) takes the palette''s red') FROM ok2;
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
SELECT is(pg_temp.error_of($$SELECT pg_temp.recv_hex('\x0300000000020000000200000002000000016100000000000000016200ff000000000002')$$),
          '22P03: invalid binary data for type risk_matrix (The format version must be 1 or 2, got 3.)',
          'format version 3');

-- ---------- labels (issue 12) ----------

-- The default palette by hand (README, "Default palette"): 5 levels, N - 1 = 4, t = k / 4:
--   k = 1: green->yellow at 2/4: R 26 + 228 x 0.5 = 140 (8C), G 152 + 72 x 0.5 = 188 (BC),
--          B 80 + 59 x 0.5 = 109.5 -> 110 (6E, rounded half up)                  -> #8CBC6E
--   k = 2: t = 1/2: yellow                                                        -> #FEE08B
--   k = 3: yellow->red at 2/4: R 254 - 39 x 0.5 = 234.5 -> 235 (EB), G 224 - 176 x 0.5 = 136 (88),
--          B 139 - 100 x 0.5 = 89 (59)                                            -> #EB8859
--   k = 0 and 4: the ends #1A9850 and #D73027. Three levels: k = 1 is t = 1/2, yellow.
SELECT is((SELECT string_agg(color, ' ' ORDER BY rank) FROM risk_matrix_levels(
            'likelihood 2 impact 3 levels (a, b, c, d, e) grid ((0, 1, 2), (2, 3, 4))')),
          '#1A9850 #8CBC6E #FEE08B #EB8859 #D73027', 'palette of 5 levels, worked out by hand');
SELECT is((SELECT string_agg(color || ':' || default_color, ' ' ORDER BY rank) FROM risk_matrix_levels(
            'likelihood 2 impact 2 levels (a, b #0000FF, c) grid ((0, 1), (1, 2))')),
          '#1A9850:true #0000FF:false #D73027:true', 'palette of 3 levels around a given colour');

-- text form: labels objects and scale entries
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a {"colour": "#000000"}, b) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a {"colour..." '
          '(Key "colour" of level 0 is not one of "abbreviation", "description" or "translations".)',
          'text: unknown key in a labels object');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a {"translations": {"fr": {"nom": "x"}}}, b) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a {"transl..." '
          '(Key "nom" of translation "fr" of level 0 is not one of "name" or "description".)',
          'text: unknown key in a translation');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a {"description": 5}, b) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a {"descri..." '
          '(Key "description" of level 0 must be a string, got number.)',
          'text: a description that is a number');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a {abbreviation: 1}, b) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type json (Token "abbreviation" is invalid.)',
          'text: a labels object that is not JSON');
SELECT matches(pg_temp.context_of($$SELECT 'likelihood 2 impact 2 levels (a {abbreviation: 1}, b) thresholds (2)'::ismseval.risk_matrix$$),
               'risk_matrix labels of level 0', 'the JSON error names the entry');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a {"x": "}"'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a {"x": "}..." '
          '(Unterminated labels object at end of input.)',
          'text: unterminated labels object (a "}" inside a string does not close it)');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 levels (a 5, b) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 levels (a 5, b) th..." '
          '(Expected a colour "#RRGGBB", a labels object "{...}", "," or ")" at character 33.)',
          'text: junk after a level name');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 (x) impact 2 levels (a, b) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 (x) impact 2 levels (a, b) ..." '
          '(The likelihood scale must list 2 entries, got 1.)',
          'text: too few scale entries');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 impact 2 (x, y, z) levels (a, b) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 impact 2 (x, y, z) levels (..." '
          '(More entries than the 2 of the impact scale at character 30.)',
          'text: too many scale entries');
SELECT is(pg_temp.error_of($$SELECT 'likelihood 2 ("", y) impact 2 levels (a, b) thresholds (2)'::ismseval.risk_matrix$$),
          '22P02: invalid input syntax for type risk_matrix: "likelihood 2 ("", y) impact 2 levels (a,..." '
          '(The name of likelihood 1 must be between 1 and 255 bytes long, got 0.)',
          'text: empty scale entry name');
-- a scale entry named by its own index stores no name, so the list that holds nothing else goes
SELECT is('likelihood 2 ("1", "2") impact 2 levels (a, b) thresholds (2)'::risk_matrix::text,
          'likelihood 2 impact 2 levels ("a", "b") thresholds (2)', 'scale entries named 1, 2 are no labels');
SELECT is('likelihood 2 ("2", "1") impact 2 levels (a, b) thresholds (2)'::risk_matrix::text,
          'likelihood 2 ("2", "1") impact 2 levels ("a", "b") thresholds (2)', 'swapped index names are names');

-- jsonb: the key and the entry are named
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,0,description}', '5')) FROM ok2$$),
          '22023: invalid risk matrix definition (Key "description" of risk[0] must be a string, got number.)',
          'jsonb: description a number');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{probability,1,abbreviation}', '["P"]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Key "abbreviation" of probability[1] must be a string or a number, got array.)',
          'jsonb: abbreviation an array');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{impact,0,translations}', '[]')) FROM ok2$$),
          '22023: invalid risk matrix definition (Key "translations" of impact[0] must be an object, got array.)',
          'jsonb: translations an array');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,1,translations}', '{"fr": "x"}')) FROM ok2$$),
          '22023: invalid risk matrix definition (The translation "fr" of risk[1] must be an object, got string.)',
          'jsonb: a translation that is a string');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,1,translations}', '{"fr": {"name": 1}}')) FROM ok2$$),
          '22023: invalid risk matrix definition (Key "name" of translation "fr" of risk[1] must be a string, got number.)',
          'jsonb: a translated name that is a number');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,0,translations}',
                     (SELECT jsonb_object_agg('l' || g, '{}'::jsonb) FROM generate_series(1, 33) g))) FROM ok2$$),
          '22023: invalid risk matrix definition (Key "translations" of risk[0] must have at most 32 languages, got 33.)',
          'jsonb: 33 translations');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,0,translations}', '{"f r": {}}')) FROM ok2$$),
          '22023: invalid risk matrix definition (The language "f r" of a translation of risk[0] must be 1 to 35 ASCII '
          'letters, digits, "-" or "_".)',
          'jsonb: a language code with a space');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,0,translations}',
                     jsonb_build_object(repeat('a', 36), '{}'::jsonb))) FROM ok2$$),
          '22023: invalid risk matrix definition (The language "' || repeat('a', 36) || '" of a translation of risk[0] '
          'must be 1 to 35 ASCII letters, digits, "-" or "_".)',
          'jsonb: a language code of 36 letters');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,0,description}', to_jsonb(repeat('d', 4097)))) FROM ok2$$),
          '22023: invalid risk matrix definition (The description of risk[0] must be between 0 and 4096 bytes long, got 4097.)',
          'jsonb: a description of 4097 bytes');
SELECT is(risk_matrix_from_jsonb(jsonb_set(j, '{risk,0,description}', to_jsonb(repeat('d', 4096)))) IS NOT NULL, true,
          'jsonb: a description of 4096 bytes is kept') FROM ok2;
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{probability,0,abbreviation}', to_jsonb(repeat('é', 33)))) FROM ok2$$),
          '22023: invalid risk matrix definition (The abbreviation of probability[0] must be between 0 and 64 bytes long, got 66.)',
          'jsonb: an abbreviation of 33 two-byte characters = 66 bytes');
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,0,translations}',
                     jsonb_build_object('fr', jsonb_build_object('name', repeat('n', 256))))) FROM ok2$$),
          '22023: invalid risk matrix definition (The name of translation "fr" of risk[0] must be between 0 and 255 bytes long, got 256.)',
          'jsonb: a translated name of 256 bytes');
-- the label area is at most 1 MiB. 8 levels, each with 32 translations ("l00".."l31") of a
-- 4096-byte description: 1 (lead byte) + 4 x (1 flags + 2 length + 1 byte: the scale entries
-- of ok2 are named "a" and "b") + 8 x (1 flags + 1 count + 32 x (1 + 3 language + 1 flags + 2
-- + 4096)) = 17 + 8 x 131298 = 1050401 bytes; 7 such levels take 17 + 7 x 131298 = 919103.
CREATE TEMP TABLE big_labels AS
  SELECT n, jsonb_build_object('probability', j->'probability', 'impact', j->'impact', 'grid', '[[0, 1], [1, 1]]'::jsonb,
         'risk', (SELECT jsonb_agg(jsonb_build_object('name', 'r' || k, 'hexcolor', '#000000', 'translations',
                                    (SELECT jsonb_object_agg('l' || lpad(t::text, 2, '0'),
                                                             jsonb_build_object('description', repeat('x', 4096)))
                                       FROM generate_series(0, 31) t)))
                    FROM generate_series(1, n) k)) AS d
  FROM ok2, (VALUES (7), (8)) v(n);
SELECT is((SELECT count(*) FROM risk_matrix_levels(risk_matrix_from_jsonb(d))), 7::bigint,
          'labels of 919103 bytes are kept') FROM big_labels WHERE n = 7;
SELECT is(pg_temp.error_of($$SELECT ismseval.risk_matrix_from_jsonb(d) FROM big_labels WHERE n = 8$$),
          '22023: invalid risk matrix definition (The labels take 1050401 bytes, more than the 1048576 allowed.)',
          'labels of 1050401 bytes are refused');

-- binary: version 2 with labels, by hand. L = I = N = 2, thresholds (2); "a" takes the palette
-- (colour 0x1A9850 sent), "b" #FF0000; likelihood 1: flags 05 (name, abbreviation) "x", "X";
-- likelihood 2, impact 1, impact 2: 00; level 0: flags 30 (palette, translations), 1
-- translation "fr" with flags 01 (name) "aa"; level 1: 00.
CREATE TEMP TABLE v2 AS SELECT
    '\x0200000000020000000200000002' || '000000016100' || '1a9850' || '000000016200ff0000' || '00000002' AS head,
    '05' || '0000000178' || '0000000158' || '000000' AS scales,
    '30' || '00000001' || '000000026672' || '01' || '000000026161' || '00' AS levels;
TRUNCATE rm_bin;
SELECT is(pg_temp.recv_hex((head || scales || levels)::bytea), 1::bigint, 'version 2 with labels is accepted') FROM v2;
SELECT is((SELECT m::text FROM rm_bin),
          'likelihood 2 ("x" {"abbreviation": "X"}, "2") impact 2 levels ("a" {"translations": {"fr": {"name": "aa"}}}, '
          '"b" #FF0000) thresholds (2)', 'and reads as built by hand');
SELECT is(risk_matrix_send(m), (head || scales || levels)::bytea, 'and is sent back byte for byte')
  FROM rm_bin, v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', replace(head, '1a9850', '000000') || scales || levels)),
          '22P03: invalid binary data for type risk_matrix (Level 0 takes the default palette''s colour #1A9850, but #000000 is given.)',
          'binary: a palette level with another colour') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head || scales || '0100')),
          '22P03: invalid binary data for type risk_matrix (The label flags of level 0 must be a combination of 0x3C, got 0x01.)',
          'binary: a level with a name flag') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head || '10000000' || levels)),
          '22P03: invalid binary data for type risk_matrix (The label flags of likelihood 1 must be a combination of 0x2F, got 0x10.)',
          'binary: a scale entry with the palette flag') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head)),
          '22P03: invalid binary data for type risk_matrix (The label flags of likelihood 1 needs 1 byte, the data has only 0.)',
          'binary: version 2 without its labels') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head || scales || '2000000000' || '00')),
          '22P03: invalid binary data for type risk_matrix (The number of translations of level 0 must be between 1 and 32, got 0.)',
          'binary: zero translations') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head || scales || '2000000001' || '00000000' || '00')),
          '22P03: invalid binary data for type risk_matrix (The language length of translation 0 of level 0 must be between 1 and 35, got 0.)',
          'binary: an empty language') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head || scales || '2000000001' || '000000026672' || '04' || '00')),
          '22P03: invalid binary data for type risk_matrix (The flags of translation 0 of level 0 must be a combination of 0x03, got 0x04.)',
          'binary: unknown translation flags') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head || scales || '2000000002' || '00000002667200' || '00000002667200' || '00')),
          '22P03: invalid binary data for type risk_matrix (Two translations of level 0 have the language "fr".)',
          'binary: two translations "fr"') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head || scales || '2000000001' || '00000003662072' || '00' || '00')),
          '22P03: invalid binary data for type risk_matrix (The language "f r" of a translation of level 0 must be 1 to 35 ASCII '
          'letters, digits, "-" or "_".)',
          'binary: a language with a space') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head || '0400000001ff' || '000000' || levels)),
          '22P03: invalid binary data for type risk_matrix (The abbreviation of likelihood 1 is not valid text in the client encoding.)',
          'binary: an abbreviation that is not UTF-8') FROM v2;
SELECT is(pg_temp.error_of(format('SELECT pg_temp.recv_hex(%L)', head || scales || levels || '00')),
          '22P03: invalid binary data for type risk_matrix (1 byte is left after the labels.)',
          'binary: a byte after the labels') FROM v2;
SELECT * FROM finish();
ROLLBACK;
