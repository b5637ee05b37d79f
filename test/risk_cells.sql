-- pgTAP: a risk's inherent, current and residual cells (issue 12), worked out by hand on a
-- small hand-made 4 x 4 matrix shaped like CISO Assistant's EBIOS RM one: the register, the
-- heat map, the management review, the history and the heat map chart; the residual from the
-- rated residual cell and from control effectiveness; the treatments and the strength of
-- knowledge; every validation of the new columns, matrix shrink included.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(40);

-- The matrix, CISO Assistant's shape: grid[p][i] is the 0-based level of probability index p and
-- impact index i; our likelihood l and impact i are 1-based, so level(l, i) = risk[grid[l-1][i-1]].
--             impact 1  2  3  4
--   likelihood 1     0  0  1  2        levels: 0 low #00AA00, 1 moderate #DDDD00,
--   likelihood 2     0  1  1  2                2 high #FF8800, 3 extreme #CC0000
--   likelihood 3     0  1  2  3        tolerance: moderate (rank 1)
--   likelihood 4     1  2  3  3
-- (asymmetric: (1, 4) is high, (4, 1) moderate, so a likelihood/impact swap shows.)
-- Cell scores l x i and ranks, for the effectiveness residual (residual_level_rank):
--   l 1: 1/0  2/0  3/1  4/2    l 2: 2/0  4/1  6/1  8/2
--   l 3: 3/0  6/1  9/2 12/3    l 4: 4/1  8/2 12/3 16/3
INSERT INTO organizations (code, name, core_business, size_band, risk_matrix, risk_tolerance)
VALUES ('RC', 'Risk cells', 'regulated', 'small', risk_matrix_from_jsonb('{
  "probability": [{"name": "rare"}, {"name": "unlikely"}, {"name": "likely"}, {"name": "certain"}],
  "impact": [{"name": "minor"}, {"name": "notable"}, {"name": "serious"}, {"name": "grave"}],
  "risk": [{"name": "low", "hexcolor": "#00AA00"}, {"name": "moderate", "hexcolor": "#DDDD00"},
           {"name": "high", "hexcolor": "#FF8800"}, {"name": "extreme", "hexcolor": "#CC0000"}],
  "grid": [[0, 0, 1, 2], [0, 1, 1, 2], [0, 1, 2, 3], [1, 2, 3, 3]]}'), 'moderate');
SELECT organization_id AS org FROM organizations WHERE code = 'RC' \gset

-- The risks, as (inherent; current; residual) cells, 0-based CISO Assistant indices in brackets:
--   A (4,4)[3,3] extreme; (3,2)[2,1] moderate; (1,4)[0,3] high. Effectiveness 0.9 would give
--     16 x 0.1 = 1.6, only cell (1,1) scores <= 1.6: low. The rated cell wins: high, score 1 x 4 = 4,
--     rank 2 > 1: outside tolerance. Strength of knowledge 2 (high). mitigate.
--   B (3,3)[2,2] high; (2,3)[1,2] moderate; no residual cell: effectiveness 0.5, 9 x 0.5 = 4.5, the
--     cells scoring <= 4.5 rank at most 2 ((1,4) scores 4, high), capped at the inherent 2: high,
--     outside. Strength 1 (medium).
--   C (2,1)[1,0] low; not rated; not rated: effectiveness 0, score 2, cells <= 2 are all low: low,
--     within. open, strength not given.
--   D (1,3)[0,2] moderate; (1,3)[0,2] moderate; (1,1)[0,0] low, score 1, within. cancelled, strength 0.
--   F (4,3)[3,2] extreme; (3,4)[2,3] extreme; (3,4)[2,3] extreme, score 12, outside. accepted by
--     the CFO until 2000-01-01: expired.
INSERT INTO risks (organization_id, title, likelihood, impact, control_effectiveness, treatment, owner,
                   acceptance_expires, current_likelihood, current_impact, residual_likelihood, residual_impact,
                   strength_of_knowledge)
VALUES (:org, 'A', 4, 4, 0.9, 'mitigate', NULL, NULL, 3, 2, 1, 4, 2),
       (:org, 'B', 3, 3, 0.5, 'mitigate', NULL, NULL, 2, 3, NULL, NULL, 1),
       (:org, 'C', 2, 1, 0, 'open', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
       (:org, 'D', 1, 3, 0, 'cancelled', NULL, NULL, 1, 3, 1, 1, 0),
       (:org, 'F', 4, 3, 0, 'accept', 'CFO', '2000-01-01', 3, 4, 3, 4, NULL);

-- risk_register -------------------------------------------------------------------
SELECT results_eq(
    $$SELECT title, likelihood, impact, inherent_level, inherent_level_rank, inherent_color
      FROM risk_register WHERE organization = 'RC' ORDER BY title$$,
    $$VALUES ('A', 4, 4, 'extreme', 3, '#CC0000'), ('B', 3, 3, 'high', 2, '#FF8800'),
             ('C', 2, 1, 'low', 0, '#00AA00'), ('D', 1, 3, 'moderate', 1, '#DDDD00'),
             ('F', 4, 3, 'extreme', 3, '#CC0000')$$,
    'inherent cells: risk[grid[l-1][i-1]] and its colour');
SELECT results_eq(
    $$SELECT title, current_likelihood, current_impact, current_level, current_level_rank, current_color
      FROM risk_register WHERE organization = 'RC' ORDER BY title$$,
    $$VALUES ('A', 3, 2, 'moderate', 1, '#DDDD00'), ('B', 2, 3, 'moderate', 1, '#DDDD00'),
             ('C', NULL, NULL, NULL, NULL, NULL), ('D', 1, 3, 'moderate', 1, '#DDDD00'),
             ('F', 3, 4, 'extreme', 3, '#CC0000')$$,
    'current cells: grid[2][1] = 1, grid[1][2] = 1, not rated, grid[0][2] = 1, grid[2][3] = 3');
SELECT results_eq(
    $$SELECT title, residual_likelihood, residual_impact, residual_basis, residual_score, residual_level,
             residual_level_rank, residual_color, within_tolerance
      FROM risk_register WHERE organization = 'RC' ORDER BY title$$,
    $$VALUES ('A', 1, 4, 'cell', 4::float8, 'high', 2, '#FF8800', false),
             ('B', NULL, NULL, 'effectiveness', 4.5::float8, 'high', 2, '#FF8800', false),
             ('C', NULL, NULL, 'effectiveness', 2::float8, 'low', 0, '#00AA00', true),
             ('D', 1, 1, 'cell', 1::float8, 'low', 0, '#00AA00', true),
             ('F', 3, 4, 'cell', 12::float8, 'extreme', 3, '#CC0000', false)$$,
    'residual: the rated cell (A, D, F), else inherent x (1 - effectiveness) (B, C)');
SELECT results_eq(
    $$SELECT title, treatment, strength_of_knowledge, strength_of_knowledge_name, acceptance_expired
      FROM risk_register WHERE organization = 'RC' ORDER BY title$$,
    $$VALUES ('A', 'mitigate', 2, 'high', false), ('B', 'mitigate', 1, 'medium', false),
             ('C', 'open', NULL, NULL, false), ('D', 'cancelled', 0, 'low', false),
             ('F', 'accept', NULL, NULL, true)$$,
    'treatments open and cancelled; strength of knowledge 0 low, 1 medium, 2 high');
-- The scale names of every rated cell: likelihood 1-4 = rare, unlikely, likely, certain; impact
-- 1-4 = minor, notable, serious, grave (the matrix above).
SELECT results_eq(
    $$SELECT title, inherent_likelihood_name, inherent_impact_name, current_likelihood_name, current_impact_name,
             residual_likelihood_name, residual_impact_name
      FROM risk_register WHERE organization = 'RC' ORDER BY title$$,
    $$VALUES ('A', 'certain', 'grave', 'likely', 'notable', 'rare', 'grave'),
             ('B', 'likely', 'serious', 'unlikely', 'serious', NULL, NULL),
             ('C', 'unlikely', 'minor', NULL, NULL, NULL, NULL),
             ('D', 'rare', 'serious', 'rare', 'serious', 'rare', 'minor'),
             ('F', 'certain', 'serious', 'likely', 'grave', 'likely', 'grave')$$,
    'scale names of every rated cell');
SELECT is(risk_matrix_likelihood_name(m, 3), risk_matrix_to_jsonb(m) -> 'probability' -> 2 ->> 'name',
          'risk_matrix_likelihood_name(m, 3) is probability[2].name of risk_matrix_to_jsonb')
FROM (SELECT risk_matrix FROM organizations WHERE code = 'RC') o(m);
SELECT is(risk_matrix_impact_name(m, 4), risk_matrix_to_jsonb(m) -> 'impact' -> 3 ->> 'name',
          'risk_matrix_impact_name(m, 4) is impact[3].name')
FROM (SELECT risk_matrix FROM organizations WHERE code = 'RC') o(m);
SELECT ok(risk_matrix_likelihood_name(m, 0) IS NULL AND risk_matrix_likelihood_name(m, 5) IS NULL
          AND risk_matrix_likelihood_name(m, -1) IS NULL AND risk_matrix_impact_name(m, 0) IS NULL
          AND risk_matrix_impact_name(m, 5) IS NULL AND risk_matrix_impact_name(m, -1) IS NULL
          AND risk_matrix_likelihood_name(m, NULL) IS NULL,
          'off the scale (0, 5, and -1, which must not count from the end) or NULL: NULL')
FROM (SELECT risk_matrix FROM organizations WHERE code = 'RC') o(m);
SELECT ok(risk_cell_on_matrix(m, 1, 1) AND risk_cell_on_matrix(m, 4, 4) AND NOT risk_cell_on_matrix(m, 5, 1)
          AND NOT risk_cell_on_matrix(m, 1, 0) AND risk_cell_on_matrix(m, NULL, 1) IS NULL,
          'risk_cell_on_matrix: 1..4 x 1..4')
FROM (SELECT risk_matrix FROM organizations WHERE code = 'RC') o(m);

-- risk_residual, both bases, called directly (default matrix, levels by score 1-2 low, 3-4
-- medium, 6-8 high, 9-16 critical):
--   (4, 4) at 0.5 with no residual cell: 16 x 0.5 = 8, high (2), capped at critical (3): 2
--   (4, 4) at 0.5 with residual cell (1, 2): 1 x 2 = 2, low (0); the effectiveness is not used
--   only half a residual cell (the table forbids it; the function reads it as not rated): 8, 2
SELECT results_eq($$SELECT basis, score, level_rank FROM risk_residual(default_risk_matrix(), 4, 4, 0.5, NULL, NULL)$$,
                  $$VALUES ('effectiveness', 8::float8, 2)$$, 'risk_residual by effectiveness: 16 x 0.5 = 8, high');
SELECT results_eq($$SELECT basis, score, level_rank FROM risk_residual(default_risk_matrix(), 4, 4, 0.5, 1, 2)$$,
                  $$VALUES ('cell', 2::float8, 0)$$, 'risk_residual by cell (1, 2): score 2, low');
SELECT results_eq($$SELECT basis, score, level_rank FROM risk_residual(default_risk_matrix(), 4, 4, 0.5, 1, NULL)$$,
                  $$VALUES ('effectiveness', 8::float8, 2)$$, 'half a residual cell counts as not rated');

-- risk_heatmap: per cell the risks by inherent, current and residual cell. Residual side: A (1,4),
-- D (1,1), F (3,4) rated; B at (residual_likelihood(3, 0.5) = ceil(1.5) = 2, 3), C at
-- (residual_likelihood(2, 0) = 2, 1). Cells with a count (l, i: inherent, current, residual):
--   (1,1) 0 0 1 D   (1,3) 1 1 0 D D   (1,4) 0 0 1 A   (2,1) 1 0 1 C C   (2,3) 0 1 1 B B
--   (3,2) 0 1 0 A   (3,3) 1 0 0 B     (3,4) 0 1 1 F F (4,3) 1 0 0 F     (4,4) 1 0 0 A
SELECT results_eq(
    $$SELECT likelihood, impact, risk_count, current_risk_count, residual_risk_count
      FROM risk_heatmap WHERE organization = 'RC' AND risk_count + current_risk_count + residual_risk_count > 0
      ORDER BY likelihood, impact$$,
    $$VALUES (1, 1, 0::bigint, 0::bigint, 1::bigint), (1, 3, 1, 1, 0), (1, 4, 0, 0, 1), (2, 1, 1, 0, 1),
             (2, 3, 0, 1, 1), (3, 2, 0, 1, 0), (3, 3, 1, 0, 0), (3, 4, 0, 1, 1), (4, 3, 1, 0, 0), (4, 4, 1, 0, 0)$$,
    'heat map counts by inherent, current and residual cell');
SELECT results_eq(
    $$SELECT count(*), sum(risk_count), sum(current_risk_count), sum(residual_risk_count)
      FROM risk_heatmap WHERE organization = 'RC'$$,
    $$VALUES (16::bigint, 5::numeric, 4::numeric, 5::numeric)$$,
    '16 cells; 5 inherent, 4 current (C not rated), 5 residual');
SELECT results_eq(
    $$SELECT level, level_rank, color, likelihood_name, impact_name FROM risk_heatmap
      WHERE organization = 'RC' AND (likelihood, impact) IN ((1, 4), (4, 1))  ORDER BY likelihood$$,
    $$VALUES ('high', 2, '#FF8800', 'rare', 'grave'), ('moderate', 1, '#DDDD00', 'certain', 'minor')$$,
    'cells (1, 4) = grid[0][3] high and (4, 1) = grid[3][0] moderate, with their scale names');

-- risk_heatmap_svg draws the heat map's counts, row-major by likelihood (16 inherent, then 16
-- residual): inherent 0 0 1 0 | 1 0 0 0 | 0 0 1 0 | 0 0 1 1; residual 1 0 0 1 | 1 0 1 0 | 0 0 0 1 | 0 0 0 0
SELECT is((SELECT array_agg(m[2]::int ORDER BY n)
           FROM regexp_matches(risk_heatmap_svg(:org),
                               'font-weight="bold" fill="#[0-9a-fA-F]{6}"( fill-opacity="0.35")?>([0-9]+)</text>', 'g')
                WITH ORDINALITY r(m, n)),
          ARRAY[0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1,
                1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0],
          'risk_heatmap_svg: inherent cells, then residual: the rated cell, else the likelihood lowered');

-- management_review: 5 risks; outside tolerance (rank > 1): A 2, B 2, F 3 = 3; inherent top level
-- (3): A, F = 2; current top: F = 1; residual top: F = 1; expired acceptance: F = 1.
SELECT results_eq(
    $$SELECT risks, risks_outside_tolerance, risks_top_level, risks_current_top_level, risks_residual_top_level,
             acceptances_expired
      FROM management_review WHERE organization = 'RC'$$,
    $$VALUES (5::bigint, 3::bigint, 2::bigint, 1::bigint, 1::bigint, 1::bigint)$$,
    'management review counts by inherent, current and residual level');

-- History ---------------------------------------------------------------------------
-- Each insert is recorded as opened with its cells and the residual the register shows.
SELECT results_eq(
    $$SELECT title, current_likelihood, current_impact, current_level_rank, residual_likelihood, residual_impact,
             residual_score, residual_level_rank, within_tolerance
      FROM risk_rating_changes WHERE organization_id = $$ || :org || $$ AND event = 'opened' ORDER BY title$$,
    $$VALUES ('A', 3, 2, 1, 1, 4, 4::float8, 2, false), ('B', 2, 3, 1, NULL, NULL, 4.5::float8, 2, false),
             ('C', NULL, NULL, NULL, NULL, NULL, 2::float8, 0, true), ('D', 1, 3, 1, 1, 1, 1::float8, 0, true),
             ('F', 3, 4, 3, 3, 4, 12::float8, 3, false)$$,
    'opened: current and residual cells, residual as the register reads it');
-- Re-ratings: A's residual cell withdrawn (the residual falls back to effectiveness: 16 x 0.1 = 1.6
-- (in binary floating point 16 x (1 - 0.9) = 1.5999999999999996, hence the rounding),
-- only (1,1) scores <= 1.6: low 0, within); C's current cell rated (2,2) = grid[1][1] = moderate 1;
-- a change of the strength of knowledge alone is not a rating: nothing recorded.
UPDATE risks SET residual_likelihood = NULL, residual_impact = NULL WHERE organization_id = :org AND title = 'A';
UPDATE risks SET current_likelihood = 2, current_impact = 2 WHERE organization_id = :org AND title = 'C';
UPDATE risks SET strength_of_knowledge = 0 WHERE organization_id = :org AND title = 'B';
SELECT results_eq(
    $$SELECT title, current_level_rank, residual_likelihood, round(residual_score::numeric, 12), residual_level_rank,
             within_tolerance
      FROM risk_rating_changes WHERE organization_id = $$ || :org || $$ AND event = 'rated' ORDER BY change_id$$,
    $$VALUES ('A', 1, NULL::int, 1.6, 0, true), ('C', 1, NULL, 2, 0, true)$$,
    'a new residual or current cell is a rating change; strength of knowledge alone is not');
SELECT results_eq(
    $$SELECT title, residual_basis, residual_level FROM risk_register WHERE organization = 'RC' AND title = 'A'$$,
    $$VALUES ('A', 'effectiveness', 'low')$$,
    'the register agrees: A''s residual now from effectiveness, low');
-- risk_history at this month's end: ranks inherent / current / residual of A 3/1/0, B 2/1/2, C 0/1/0,
-- D 1/1/0, F 3/3/3:
--   rank 0: inherent 1 (C), current 0, residual 3 (A, C, D)
--   rank 1: inherent 1 (D), current 4 (A, B, C, D), residual 0
--   rank 2: inherent 1 (B), current 0, residual 1 (B)
--   rank 3: inherent 2 (A, F), current 1 (F), residual 1 (F)
--   open 5, outside tolerance 2 (B, F)
SELECT results_eq(
    $$SELECT level_rank, inherent_risks, current_risks, residual_risks, open_risks, outside_tolerance
      FROM risk_history WHERE organization = 'RC' AND month = date_trunc('month', CURRENT_DATE)::date
      ORDER BY level_rank$$,
    $$VALUES (0, 1::bigint, 0::bigint, 3::bigint, 5::bigint, 2::bigint), (1, 1, 4, 0, 5, 2), (2, 1, 0, 1, 5, 2),
             (3, 2, 1, 1, 5, 2)$$,
    'risk_history by inherent, current and residual level');

-- A rating stored past risks_check (triggers disabled) off the matrix: current (5, 1), residual
-- (0, 2). The views do not fail: levels, ranks, colours and names NULL, within_tolerance NULL,
-- residual score 0 x 2 = 0; the heat map counts it only in its inherent cell (1,1): 5 + 1 inherent,
-- 5 current (A, B, C since its re-rating, D, F), 5 residual (A's now at (residual_likelihood(4, 0.9)
-- = ceil(0.4) = 1, 4), the same cell); the history records it with NULL ranks.
ALTER TABLE risks DISABLE TRIGGER risks_check;
INSERT INTO risks (organization_id, title, likelihood, impact, current_likelihood, current_impact,
                   residual_likelihood, residual_impact)
VALUES (:org, 'G', 1, 1, 5, 1, 0, 2);
ALTER TABLE risks ENABLE TRIGGER risks_check;
SELECT results_eq(
    $$SELECT current_level, current_level_rank, current_color, current_likelihood_name, residual_basis, residual_score,
             residual_level, residual_level_rank, residual_likelihood_name, within_tolerance
      FROM risk_register WHERE organization = 'RC' AND title = 'G'$$,
    $$VALUES (NULL::text, NULL::int, NULL::text, NULL::text, 'cell', 0::float8, NULL::text, NULL::int, NULL::text, NULL::boolean)$$,
    'cells off the matrix: NULL levels, no failure');
SELECT results_eq(
    $$SELECT sum(risk_count), sum(current_risk_count), sum(residual_risk_count) FROM risk_heatmap WHERE organization = 'RC'$$,
    $$VALUES (6::numeric, 5::numeric, 5::numeric)$$,
    'the heat map counts G in its inherent cell only');
SELECT results_eq(
    $$SELECT current_level_rank, residual_level_rank, within_tolerance FROM risk_rating_changes WHERE title = 'G'$$,
    $$VALUES (NULL::int, NULL::int, NULL::boolean)$$, 'and the history records it without ranks');
DELETE FROM risks WHERE organization_id = :org AND title = 'G';

-- Validations: each new cell on the matrix (1..4), both halves of a cell or none, the strength of
-- knowledge 0..2, the treatments; the accept rule unchanged.
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, current_likelihood, current_impact)
                          VALUES (%s, 'x', 1, 1, 5, 1)$$, :org),
    '23514', 'current likelihood of risk "x" must be between 1 and 4 (the organization''s risk matrix), got 5',
    'current likelihood off the matrix');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, current_likelihood, current_impact)
                          VALUES (%s, 'x', 1, 1, 1, 0)$$, :org),
    '23514', 'current impact of risk "x" must be between 1 and 4 (the organization''s risk matrix), got 0',
    'current impact off the matrix');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, residual_likelihood, residual_impact)
                          VALUES (%s, 'x', 1, 1, 0, 1)$$, :org),
    '23514', 'residual likelihood of risk "x" must be between 1 and 4 (the organization''s risk matrix), got 0',
    'residual likelihood off the matrix');
SELECT throws_ok(format($$UPDATE ismseval.risks SET residual_likelihood = 1, residual_impact = 5
                          WHERE organization_id = %s AND title = 'C'$$, :org),
    '23514', 'residual impact of risk "C" must be between 1 and 4 (the organization''s risk matrix), got 5',
    'residual impact off the matrix, on update');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, current_likelihood)
                          VALUES (%s, 'x', 1, 1, 1)$$, :org),
    '23514', 'new row for relation "risks" violates check constraint "risks_current_cell_both_or_none"',
    'a current likelihood without an impact');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, residual_impact)
                          VALUES (%s, 'x', 1, 1, 2)$$, :org),
    '23514', 'new row for relation "risks" violates check constraint "risks_residual_cell_both_or_none"',
    'a residual impact without a likelihood');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, strength_of_knowledge)
                          VALUES (%s, 'x', 1, 1, 3)$$, :org),
    '23514', 'new row for relation "risks" violates check constraint "risks_strength_of_knowledge_0_to_2"',
    'strength of knowledge above 2');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, strength_of_knowledge)
                          VALUES (%s, 'x', 1, 1, -1)$$, :org),
    '23514', 'new row for relation "risks" violates check constraint "risks_strength_of_knowledge_0_to_2"',
    'strength of knowledge -1 (CISO Assistant''s "not given") is stored as NULL, not -1');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, treatment)
                          VALUES (%s, 'x', 1, 1, 'retain')$$, :org),
    '23514', 'new row for relation "risks" violates check constraint "risks_treatment_known"', 'an unknown treatment');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, treatment)
                          VALUES (%s, 'x', 1, 1, 'accept')$$, :org),
    '23514', 'new row for relation "risks" violates check constraint "risks_accepted_risk_has_owner_and_expiry"',
    'accept still needs an owner and an expiry');
SELECT lives_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, treatment)
                         VALUES (%s, 'x1', 1, 1, 'open'), (%s, 'x2', 1, 1, 'cancelled'), (%s, 'x3', 1, 1, 'transfer'),
                                (%s, 'x4', 1, 1, 'avoid')$$, :org, :org, :org, :org),
    'open, cancelled, transfer and avoid need no owner');
DELETE FROM risks WHERE organization_id = :org AND title LIKE 'x_';

-- A matrix shrink must fit every rated cell, not only the inherent one: shrinking to 4 x 3 (impact 4
-- gone), with the risks left below, each message names the risk and the cell that does not fit.
CREATE TEMP TABLE shrunk AS SELECT risk_matrix_from_jsonb(
    '{"probability": [{"name": "1"}, {"name": "2"}, {"name": "3"}, {"name": "4"}],
      "impact": [{"name": "1"}, {"name": "2"}, {"name": "3"}],
      "risk": [{"name": "low", "hexcolor": "#00AA00"}, {"name": "moderate", "hexcolor": "#DDDD00"}],
      "grid": [[0, 0, 1], [0, 1, 1], [0, 1, 1], [1, 1, 1]]}') AS m;
DELETE FROM risks WHERE organization_id = :org AND title <> 'D';
-- D: inherent (1,3), current (1,3), residual (1,1) fit 4 x 3; a new risk with only its residual off
INSERT INTO risks (organization_id, title, likelihood, impact, residual_likelihood, residual_impact)
VALUES (:org, 'R', 1, 1, 2, 4);
SELECT throws_ok(format('UPDATE ismseval.organizations SET risk_matrix = (SELECT m FROM shrunk) WHERE organization_id = %s', :org),
    '23514', 'the new risk matrix of organization RC does not fit risk "R" (residual likelihood 2, impact 4)',
    'shrink: the residual cell is checked, the message names the risk and the cell');
UPDATE risks SET residual_likelihood = NULL, residual_impact = NULL, current_likelihood = 4, current_impact = 4
WHERE organization_id = :org AND title = 'R';
SELECT throws_ok(format('UPDATE ismseval.organizations SET risk_matrix = (SELECT m FROM shrunk) WHERE organization_id = %s', :org),
    '23514', 'the new risk matrix of organization RC does not fit risk "R" (current likelihood 4, impact 4)',
    'shrink: the current cell is checked');
UPDATE risks SET current_likelihood = 4, current_impact = 3 WHERE organization_id = :org AND title = 'R';
SELECT lives_ok(format('UPDATE ismseval.organizations SET risk_matrix = (SELECT m FROM shrunk) WHERE organization_id = %s', :org),
    'shrink: accepted once every cell fits');
SELECT throws_ok(format($$UPDATE ismseval.risks SET current_impact = 4 WHERE organization_id = %s AND title = 'R'$$, :org),
    '23514', 'current impact of risk "R" must be between 1 and 3 (the organization''s risk matrix), got 4',
    'and the new size is the bound of every cell');

-- Tenants write the new columns like every other column of their risks.
SELECT ok(bool_and(has_column_privilege('ismseval_tenant', 'ismseval.risks', c, 'INSERT')
                   AND has_column_privilege('ismseval_tenant', 'ismseval.risks', c, 'UPDATE')),
          'ismseval_tenant may insert and update the new columns')
FROM unnest(ARRAY['current_likelihood', 'current_impact', 'residual_likelihood', 'residual_impact',
                  'strength_of_knowledge']) c;

SELECT * FROM finish();
ROLLBACK;
