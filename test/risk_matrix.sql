-- pgTAP: risk_matrix, hand-worked lookups and every error path with its SQLSTATE.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(85);

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
SELECT throws_ok($$SELECT ''::ismseval.risk_matrix$$, '22P02',
                 'invalid risk_matrix literal: empty input', 'empty string');
SELECT throws_ok($$SELECT '   '::ismseval.risk_matrix$$, '22P02',
                 'invalid risk_matrix literal: empty input', 'blank string');
SELECT throws_ok($$SELECT 'likelihood 1 impact 2 levels (a #000000, b #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: likelihood scale must have between 2 and 10 levels, got 1',
                 'likelihood scale of 1');
SELECT throws_ok($$SELECT 'likelihood 2 impact 11 levels (a #000000, b #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: impact scale must have between 2 and 10 levels, got 11',
                 'impact scale of 11');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 1), (1))'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: grid row 2 (likelihood 2) must have 2 cells (one per impact level), got 1',
                 'ragged grid: short row');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 1, 1), (1, 1))'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: more cells in grid row 1 than the 2 of the impact scale at character 66',
                 'ragged grid: long row');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 1))'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: grid must have 2 rows (one per likelihood level), got 1',
                 'grid with too few rows');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 1), (1, 1), (1, 1))'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: more grid rows than the 2 of the likelihood scale at character 75',
                 'grid with too many rows');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, c), (1, 1))'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: unknown risk level "c" in grid cell (likelihood 1, impact 2)',
                 'unknown level in grid');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) grid ((0, 2), (1, 1))'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: grid cell (likelihood 1, impact 2) must be a level index between 0 and 1, got 2',
                 'level index out of range');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, a #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: level 1 has the same name as level 0: "a"', 'duplicate names');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFF) thresholds (2)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: expected a colour "#RRGGBB" at character 44', 'five-digit colour');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #GGGGGG) thresholds (2)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: expected a colour "#RRGGBB" at character 44', 'non-hex colour');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels ("a #000000, b #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: unterminated quoted level name at end of input', 'unterminated quote');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds (2) x'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: unexpected trailing characters at character 68', 'trailing garbage');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000) grid ((0, 0), (0, 0))'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: a risk matrix must have between 2 and 100 levels, got 1', 'one level');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels ("" #000000, b #FFFFFF) thresholds (2)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: level 0 name must be between 1 and 255 bytes long, got 0', 'empty name');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds (5)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: threshold of level 1 must be between 2 and 4 (ascending, at most likelihood x impact = 4), got 5',
                 'threshold above the largest score');
SELECT throws_ok($$SELECT 'likelihood 2 impact 3 levels (a #000000, b #FFFFFF, c #FF0000) thresholds (3, 3)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: threshold of level 2 must be between 4 and 6 (ascending, at most likelihood x impact = 6), got 3',
                 'thresholds not ascending');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF, c #000000) thresholds (2)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: thresholds must have 2 entries (one per level above the first), got 1',
                 'too few thresholds');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) cells (2)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: expected "thresholds" or "grid" at character 53', 'unknown mapping');
SELECT throws_ok($$SELECT 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds (9999999999)'::ismseval.risk_matrix$$,
                 '22P02', 'invalid risk_matrix literal: a threshold is too large at character 74', 'huge number');

-- malformed jsonb: 22023
CREATE TEMP TABLE ok2 AS SELECT '{"probability": [{"name": "a"}, {"name": "b"}], "impact": [{"name": "a"}, {"name": "b"}],
  "risk": [{"name": "r", "hexcolor": "#000000"}, {"name": "s", "hexcolor": "#FFFFFF"}], "grid": [[0, 1], [1, 1]]}'::jsonb AS j;
SELECT is(risk_level(risk_matrix_from_jsonb(j), 2, 1), 's', 'the valid 2x2 base of the jsonb error tests') FROM ok2;
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb('"x"')$$, '22023',
                 'invalid risk_matrix jsonb: the definition must be a JSON object', 'not an object');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(j - 'probability') FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: key "probability" is missing (looked at the top level and in "fields" and "json_definition")',
                 'missing probability');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(j - 'grid') FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: key "grid" is missing (looked at the top level and in "fields" and "json_definition")',
                 'missing grid');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(j - 'risk') FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: key "risk" is missing (looked at the top level and in "fields" and "json_definition")',
                 'missing risk');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{impact}', '{"a": 1}')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: "impact" must be an array, got object', 'impact not an array');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{probability}', '[{"name": "a"}]')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: "probability" must have between 2 and 10 entries, got 1', 'probability of 1');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{impact}',
                     (SELECT jsonb_agg(jsonb_build_object('name', g)) FROM generate_series(1, 11) g))) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: "impact" must have between 2 and 10 entries, got 11', 'impact of 11');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1], [1]]')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: grid[1] must have 2 entries (one per impact), got 1', 'ragged grid');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1], [1, 1], [1, 1]]')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: "grid" must have 2 rows (one per probability), got 3', 'grid rows do not match');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1], 1]')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: grid[1] must be an array, got number', 'grid row not an array');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 2], [1, 1]]')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: grid[0][1] must be a risk index between 0 and 1, got 2', 'risk index out of range');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, "1"], [1, 1]]')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: grid[0][1] must be an integer risk index, got string', 'risk index a string');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{grid}', '[[0, 1.5], [1, 1]]')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: grid[0][1] must be an integer risk index, got number', 'risk index not integral');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,1,name}', '"r"')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: risk[1].name duplicates risk[0].name: "r"', 'duplicate risk names');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,0,hexcolor}', '"#12345"')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: risk[0].hexcolor must be a colour "#RRGGBB", got "#12345"', 'bad colour');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(j #- '{risk,0,hexcolor}') FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: risk[0].hexcolor is missing', 'missing colour');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{impact,0,hexcolor}', '"blue"')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: impact[0].hexcolor must be a colour "#RRGGBB", got "blue"', 'bad impact colour');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(j #- '{probability,1,name}') FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: probability[1].name is missing', 'missing name');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,1,name}', '""')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: risk[1].name must be between 1 and 255 bytes long, got 0', 'empty name');
SELECT throws_ok($$SELECT ismseval.risk_matrix_from_jsonb(jsonb_set(j, '{risk,1}', '"s"')) FROM ok2$$, '22023',
                 'invalid risk_matrix jsonb: risk[1] must be an object, got string', 'risk entry not an object');

-- hostile binary input through binary COPY: 22P03
CREATE TEMP TABLE rm_bin (m risk_matrix);
CREATE FUNCTION pg_temp.recv_hex(bytes bytea) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    path text := '/tmp/ismseval_risk_matrix_tap.bin';
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
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0100000000020000')$$, '22P03',
                 'invalid risk_matrix binary input: impact scale size needs 4 bytes, only 2 left', 'truncated');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x')$$, '22P03',
                 'invalid risk_matrix binary input: header needs 2 bytes, only 0 left', 'empty');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002000000c861')$$, '22P03',
                 'invalid risk_matrix binary input: level 0 name needs 200 bytes, only 1 left', 'name length past the end');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0101000000020000000200000002000000016100000000000000016200ff00000000000000000001')$$, '22P03',
                 'invalid risk_matrix binary input: grid needs 16 bytes, only 8 left', 'grid past the end');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x01000000000200000002ffffffff')$$, '22P03',
                 'invalid risk_matrix binary input: number of levels must be between 2 and 100, got -1', 'negative level count');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002ffffffff')$$, '22P03',
                 'invalid risk_matrix binary input: level 0 name length must be between 1 and 255, got -1', 'negative name length');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0100000000000000000200000002')$$, '22P03',
                 'invalid risk_matrix binary input: likelihood scale size must be between 2 and 10, got 0', 'scale 0');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0101000000020000000200000002000000016100000000000000016200ff000000000000000000050000000100000001')$$, '22P03',
                 'invalid risk_matrix binary input: grid cell (likelihood 1, impact 2) must be a level index between 0 and 1, got 5',
                 'level index out of range');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002000000016100000000000000016100ff000000000002')$$, '22P03',
                 'invalid risk_matrix binary input: level 1 has the same name as level 0: "a"', 'duplicate names');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x010000000002000000020000000200000001ff00000000000000016200ff000000000002')$$, '22P03',
                 'invalid risk_matrix binary input: level 0 name is not valid text in the client encoding', 'invalid UTF-8');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002000000016101000000000000016200ff000000000002')$$, '22P03',
                 'invalid risk_matrix binary input: level 0 colour must be between 0 and 16777215, got 16777216', 'colour too large');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0107000000020000000200000002000000016100000000000000016200ff000000000002')$$, '22P03',
                 'invalid risk_matrix binary input: form must be 0 (thresholds) or 1 (grid), got 7', 'unknown form');
SELECT throws_ok($$SELECT pg_temp.recv_hex('\x0100000000020000000200000002000000016100000000000000016200ff00000000000200')$$, '22P03',
                 'invalid risk_matrix binary input: unexpected trailing bytes: 1', 'trailing byte');

SELECT * FROM finish();
ROLLBACK;
