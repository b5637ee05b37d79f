-- risk_matrix: the type, its lookups and its text, binary and jsonb forms,
-- with every expected value worked out by hand.
SET search_path = ismseval, public;

-- 1. The 4x4 working-group matrix (DOMAIN.md section 2) by score thresholds.
--    impact: 1 hardly any, 2 some, 3 large, 4 severe;
--    likelihood: 1 hardly ever, 2 possible, 3 has happened at other companies, 4 has happened here.
--    thresholds (3, 6, 12): score = likelihood x impact;
--      low      score < 3        -> 1, 2
--      medium   3 <= score < 6   -> 3, 4
--      high     6 <= score < 12  -> 6, 8, 9
--      critical score >= 12      -> 12, 16
--    All 16 cells (row = likelihood, column = impact, score in brackets):
--      L1: (1) low     (2) low     (3) medium    (4) medium
--      L2: (2) low     (4) medium  (6) high      (8) high
--      L3: (3) medium  (6) high    (9) high      (12) critical
--      L4: (4) medium  (8) high    (12) critical (16) critical
CREATE TABLE rm_named (id text PRIMARY KEY, m risk_matrix NOT NULL);
INSERT INTO rm_named VALUES ('wg4', 'likelihood 4 impact 4 levels (low #00B050, medium #FFFF00, '
                                    'high #FFC000, critical #FF0000) thresholds (3, 6, 12)');
SELECT m FROM rm_named WHERE id = 'wg4';
SELECT risk_matrix_likelihood_size(m) AS "L=4", risk_matrix_impact_size(m) AS "I=4"
  FROM rm_named WHERE id = 'wg4';
SELECT * FROM risk_matrix_levels((SELECT m FROM rm_named WHERE id = 'wg4'));
-- every cell, compared with the hand-worked table above
WITH hand(likelihood, impact, level) AS (VALUES
    (1, 1, 'low'), (1, 2, 'low'), (1, 3, 'medium'), (1, 4, 'medium'),
    (2, 1, 'low'), (2, 2, 'medium'), (2, 3, 'high'), (2, 4, 'high'),
    (3, 1, 'medium'), (3, 2, 'high'), (3, 3, 'high'), (3, 4, 'critical'),
    (4, 1, 'medium'), (4, 2, 'high'), (4, 3, 'critical'), (4, 4, 'critical'))
SELECT c.likelihood, c.impact, c.score, c.rank, c.level, c.color,
       c.level = h.level AS as_by_hand,
       risk_level(r.m, c.likelihood, c.impact) = c.level AS risk_level_agrees,
       risk_level_rank(r.m, c.likelihood, c.impact) = c.rank AS rank_agrees,
       risk_color(r.m, c.likelihood, c.impact) = c.color AS color_agrees
  FROM rm_named r, risk_matrix_cells(r.m) c
  JOIN hand h USING (likelihood, impact)
 WHERE r.id = 'wg4'
 ORDER BY c.likelihood, c.impact;
-- has happened here (4) x large (3) = 12 -> critical, rank 3, #FF0000;
-- possible (2) x hardly any (1) = 2 -> low, rank 0, #00B050.
SELECT risk_level(m, 4, 3) AS critical, risk_level_rank(m, 4, 3) AS "3", risk_color(m, 4, 3) AS "#FF0000",
       risk_level(m, 2, 1) AS low, risk_level_rank(m, 2, 1) AS "0", risk_color(m, 2, 1) AS "#00B050"
  FROM rm_named WHERE id = 'wg4';
SELECT risk_level_rank(m, 'low') AS "0", risk_level_rank(m, 'high') AS "2",
       risk_level_rank(m, 'critical') AS "3"
  FROM rm_named WHERE id = 'wg4';

-- 2. A 5x5 matrix given cell by cell, asymmetric so rows and columns cannot be swapped:
--      L1: 0 0 0 1 1   L2: 0 1 1 2 2   L3: 1 1 2 3 3   L4: 1 2 3 3 4   L5: 2 3 3 4 4
--    levels 0 "very low", 1 low, 2 medium, 3 high, 4 "very high".
INSERT INTO rm_named VALUES ('g5',
  'likelihood 5 impact 5 levels ("very low" #2E7D32, low #8BC34A, medium #FFEB3B, high #FF9800, '
  '"very high" #F44336) grid ((0, 0, 0, 1, 1), (0, 1, 1, 2, 2), (1, 1, 2, 3, 3), (1, 2, 3, 3, 4), '
  '(2, 3, 3, 4, 4))');
SELECT m FROM rm_named WHERE id = 'g5';
-- (1,5): row L1 column 5 = 1 low; (5,1): row L5 column 1 = 2 medium; (5,5) = 4 very high;
-- (3,3) = 2 medium; (2,4) = 2 medium; (4,2) = 2 medium; (1,1) = 0 very low.
SELECT risk_level(m, 1, 5) AS low, risk_level(m, 5, 1) AS medium, risk_level(m, 5, 5) AS "very high",
       risk_level_rank(m, 3, 3) AS "2", risk_level_rank(m, 2, 4) AS "2", risk_level_rank(m, 4, 2) AS "2",
       risk_level(m, 1, 1) AS "very low", risk_color(m, 5, 5) AS "#F44336"
  FROM rm_named WHERE id = 'g5';
-- cells per level (likelihood,impact): very low 4 (1,1 1,2 1,3 2,1);
-- low 7 (1,4 1,5 2,2 2,3 3,1 3,2 4,1); medium 5 (2,4 2,5 3,3 4,2 5,1);
-- high 6 (3,4 3,5 4,3 4,4 5,2 5,3); very high 3 (4,5 5,4 5,5); 4+7+5+6+3 = 25
SELECT rank, level, count(*) FROM risk_matrix_cells((SELECT m FROM rm_named WHERE id = 'g5'))
 GROUP BY rank, level ORDER BY rank;

-- 3. A 3x3 matrix from CISO Assistant jsonb; asymmetric grid [[0,0,0],[1,1,2],[1,2,2]]:
--    grid[p][i] is likelihood p+1, impact i+1, so
--    grid[0][2] = 0 -> (1,3) Low;  grid[2][0] = 1 -> (3,1) Medium;  grid[1][2] = 2 -> (2,3) High.
INSERT INTO rm_named SELECT 'ciso3', risk_matrix_from_jsonb('{
  "name": "3x3 example",
  "probability": [{"abbreviation": "L", "name": "Low", "description": "rare"},
                  {"abbreviation": "M", "name": "Medium"}, {"abbreviation": "H", "name": "High", "hexcolor": null}],
  "impact": [{"name": "Minor", "hexcolor": "#CCCCCC"}, {"name": "Moderate"}, {"name": "Major"}],
  "risk": [{"abbreviation": "L", "name": "Low", "hexcolor": "#BBF7D0"},
           {"abbreviation": "M", "name": "Medium", "hexcolor": "#FEF08A"},
           {"abbreviation": "H", "name": "High", "hexcolor": "#fca5a5"}],
  "grid": [[0, 0, 0], [1, 1, 2], [1, 2, 2]]}');
SELECT m FROM rm_named WHERE id = 'ciso3';
SELECT risk_level(m, 1, 3) AS "Low", risk_level(m, 3, 1) AS "Medium", risk_level(m, 2, 3) AS "High",
       risk_color(m, 3, 3) AS "#FCA5A5 (normalised)"
  FROM rm_named WHERE id = 'ciso3';
-- the same definition inside "fields", and inside "json_definition" (as an object and as a string)
SELECT risk_matrix_from_jsonb(jsonb_build_object('fields', d)) = m AS in_fields,
       risk_matrix_from_jsonb(jsonb_build_object('json_definition', d)) = m AS in_json_definition,
       risk_matrix_from_jsonb(jsonb_build_object('json_definition', d::text)) = m AS as_string,
       risk_matrix_from_jsonb(jsonb_build_object('fields', jsonb_build_object('json_definition', d::text))) = m
         AS in_fields_json_definition
  FROM rm_named, LATERAL (SELECT risk_matrix_to_jsonb(m) AS d) x WHERE id = 'ciso3';
-- to_jsonb: every label kept (probability[2]'s "hexcolor": null is no colour), colours upper
-- case; reads back equal
SELECT risk_matrix_to_jsonb(m) FROM rm_named WHERE id = 'ciso3';
SELECT id, risk_matrix_from_jsonb(risk_matrix_to_jsonb(m)) = m AS jsonb_round_trip
  FROM rm_named ORDER BY id;

-- 4. Text round trip and canonical output.
SELECT id, m::text::risk_matrix = m AS text_round_trip, m::text::risk_matrix::text = m::text AS same_text
  FROM rm_named ORDER BY id;
-- two spellings of wg4 (keyword case, spacing, bare vs quoted names, colour case) print identically
SELECT 'LIKELIHOOD 4 Impact 4 levels("low" #00b050,medium #ffff00 ,"high"#FFC000,critical #ff0000)thresholds(3,6,12)'::risk_matrix::text
     = 'likelihood 4 impact 4 levels (low #00B050, "medium" #FFFF00, high #ffc000, "critical" #FF0000) thresholds ( 3 , 6 , 12 )'::risk_matrix::text
       AS same_canonical_text;
-- grid cells may name their level; the output gives indices
SELECT 'likelihood 2 impact 2 levels (ok #00ff00, "not ok" #ff0000) grid ((ok, "not ok"), (1, "not ok"))'::risk_matrix;
-- names with spaces, quotes and non-ASCII: quoted, '"' doubled
SELECT m, risk_level(m, 2, 2) AS "say ""hi""", risk_level_rank(m, '高い') AS "1"
  FROM (SELECT 'likelihood 2 impact 3 levels ("低い" #00FF00, 高い #FF0000, "say ""hi""" #0000ff) thresholds (2, 4)'::risk_matrix AS m) s;

-- 5. Equality: scales, levels and resolved cells; the form given does not matter.
--    wg4 cell by cell (from the table in 1.) equals wg4 by thresholds.
SELECT m = 'likelihood 4 impact 4 levels (low #00B050, medium #FFFF00, high #FFC000, critical #FF0000)
            grid ((0, 0, 1, 1), (0, 1, 2, 2), (1, 2, 2, 3), (1, 2, 3, 3))' AS grid_equals_thresholds,
       -- no cell of a 4x4 matrix scores 5, so thresholds (3, 5, 12) resolve to the same cells
       m = 'likelihood 4 impact 4 levels (low #00B050, medium #FFFF00, high #FFC000, critical #FF0000)
            thresholds (3, 5, 12)' AS same_cells,
       m <> 'likelihood 4 impact 4 levels (low #00B050, medium #FFFF00, high #FFC000, critical #FF0001)
            thresholds (3, 6, 12)' AS other_colour,
       m <> 'likelihood 4 impact 4 levels (low #00B050, medium #FFFF00, High #FFC000, critical #FF0000)
            thresholds (3, 6, 12)' AS other_name,
       m <> 'likelihood 4 impact 4 levels (low #00B050, medium #FFFF00, high #FFC000, critical #FF0000)
            thresholds (3, 6, 16)' AS other_cells,
       m <> 'likelihood 4 impact 3 levels (low #00B050, medium #FFFF00, high #FFC000, critical #FF0000)
            thresholds (3, 6, 12)' AS other_scale
  FROM rm_named WHERE id = 'wg4';
SELECT count(*) AS "3 matrices, each equal only to itself" FROM rm_named a JOIN rm_named b ON a.m = b.m;

-- 6. NULL in, NULL out.
SELECT risk_level(NULL, 1, 1) IS NULL AS n1, risk_level(m, NULL, 1) IS NULL AS n2,
       risk_level_rank(m, 1, NULL) IS NULL AS n3, risk_color(m, NULL, NULL) IS NULL AS n4,
       risk_level_rank(m, NULL::text) IS NULL AS n5, risk_matrix_from_jsonb(NULL) IS NULL AS n6,
       risk_matrix_to_jsonb(NULL) IS NULL AS n7, (m = NULL) IS NULL AS n8,
       (SELECT count(*) FROM risk_matrix_cells(NULL)) = 0 AS n9
  FROM rm_named WHERE id = 'wg4';

-- 7. Binary round trip through COPY (FORMAT binary).
SELECT current_setting('data_directory') || '/ismseval_risk_matrix_rt.bin' AS risk_matrix_rt_file \gset
COPY rm_named TO :'risk_matrix_rt_file' (FORMAT binary);
CREATE TABLE rm_back (LIKE rm_named);
COPY rm_back FROM :'risk_matrix_rt_file' (FORMAT binary);
SELECT a.id, a.m = b.m AS equal, a.m::text = b.m::text AS same_text
  FROM rm_named a JOIN rm_back b USING (id) ORDER BY a.id;

-- 8. A large matrix (10x10, 100 levels with 245-byte names, about 25 kB) stored compressed
--    in one table and out of line, uncompressed, in another: the lookups read it through
--    the detoast cache. Cell (l, i) is given level (l-1) x 10 + (i-1), named
--    repeat('level ', 40) || rank, colour #0000xx with xx = rank in hex.
CREATE TABLE rm_big (m risk_matrix);
CREATE TABLE rm_big_ext (m risk_matrix);
ALTER TABLE rm_big_ext ALTER m SET STORAGE EXTERNAL;
INSERT INTO rm_big SELECT risk_matrix_from_jsonb(jsonb_build_object(
    'probability', (SELECT jsonb_agg(jsonb_build_object('name', g::text)) FROM generate_series(1, 10) g),
    'impact', (SELECT jsonb_agg(jsonb_build_object('name', g::text)) FROM generate_series(1, 10) g),
    'risk', (SELECT jsonb_agg(jsonb_build_object('name', repeat('level ', 40) || k,
                                                'hexcolor', '#0000' || lpad(to_hex(k), 2, '0')) ORDER BY k)
               FROM generate_series(0, 99) k),
    'grid', (SELECT jsonb_agg((SELECT jsonb_agg((l - 1) * 10 + (i - 1) ORDER BY i) FROM generate_series(1, 10) i)
                              ORDER BY l) FROM generate_series(1, 10) l)));
INSERT INTO rm_big_ext SELECT m::text::risk_matrix FROM rm_big;  -- a fresh, uncompressed value
-- compressed: stored in fewer bytes than its 25 kB; each of the 100 cells checked, twice over
SELECT pg_column_size(m) < 10000 AS compressed, octet_length(m::text) > 25000 AS large_text FROM rm_big;
-- external: stored uncompressed, so at least the 100 x 245 name bytes
SELECT pg_column_size(m) > 24500 AS uncompressed FROM rm_big_ext;
SELECT t, count(*) AS "200",
       count(*) FILTER (WHERE risk_level_rank(m, l, i) = (l - 1) * 10 + (i - 1)
                          AND risk_level(m, l, i) = repeat('level ', 40) || ((l - 1) * 10 + (i - 1))
                          AND risk_color(m, l, i) = '#0000' || upper(lpad(to_hex((l - 1) * 10 + (i - 1)), 2, '0'))
                          AND risk_level_rank(m, repeat('level ', 40) || '99') = 99) AS all_right
  FROM (SELECT 'compressed' AS t, m FROM rm_big UNION ALL SELECT 'external', m FROM rm_big_ext) s,
       generate_series(1, 10) l, generate_series(1, 10) i, generate_series(1, 2) rep
 GROUP BY t ORDER BY t;
SELECT a.m = b.m AS equal FROM rm_big a, rm_big_ext b;

-- 9. Labels (issue 12): a hand-made matrix in CISO Assistant's library shape (extra keys such as
--    urn and id are ignored), with abbreviations (one given as a number, as YAML writes 1),
--    descriptions, translations, a coloured likelihood and two levels without hexcolor.
--    grid[p][i] = [[0, 0, 1], [0, 1, 2], [1, 2, 2]]: (1,3) Medium, (3,1) Medium, (2,3) High.
--    Low and High take the default palette of 3 levels: rank 0 green #1A9850, rank 2 red #D73027.
CREATE TABLE rm_labelled (id text PRIMARY KEY, m risk_matrix NOT NULL);
INSERT INTO rm_labelled SELECT 'lab3', risk_matrix_from_jsonb('{
  "urn": "urn:example:risk:matrix:lab3", "name": "Lab 3x3",
  "probability": [
    {"id": 0, "abbreviation": "R", "name": "Rare", "description": "less than once in ten years", "hexcolor": "#e0f2f1",
     "translations": {"fr": {"name": "Rare", "description": "moins d''une fois en dix ans"}, "ja": {"name": "まれ"}}},
    {"id": 1, "abbreviation": "P", "name": "Possible", "description": "once in a few years"},
    {"id": 2, "abbreviation": "F", "name": "Frequent", "translations": {"fr": {"name": "Fréquent"}}}],
  "impact": [
    {"abbreviation": 1, "name": "Minor"},
    {"abbreviation": 2, "name": "Serious", "description": "a customer notices"},
    {"abbreviation": 3, "name": "3", "translations": {"de": {"name": "Schwer", "description": "meldepflichtig"}}}],
  "risk": [
    {"abbreviation": "L", "name": "Low", "description": "accept",
     "translations": {"fr": {"name": "Faible", "description": "accepter"}}},
    {"abbreviation": "M", "name": "Medium", "description": "treat within a year", "hexcolor": "#FFBF00"},
    {"abbreviation": "H", "name": "High", "description": "treat \"now\"", "translations": {"fr": {"name": "Élevé"}}}],
  "grid": [[0, 0, 1], [0, 1, 2], [1, 2, 2]]}');
-- the text form: each scale listed with its entries, labels as a JSON object after the name
-- and colour; no colour on Low and High (the palette's); impact 3 is named "3", its own index,
-- which is the name of an entry without one, so it prints as "3"
\x on
SELECT m FROM rm_labelled;
\x off
SELECT risk_level(m, 1, 3) AS "Medium", risk_level(m, 3, 1) AS "Medium", risk_level(m, 2, 3) AS "High",
       risk_color(m, 1, 1) AS "#1A9850", risk_color(m, 3, 3) AS "#D73027"
  FROM rm_labelled;
SELECT * FROM risk_matrix_levels((SELECT m FROM rm_labelled));
SELECT * FROM risk_matrix_likelihood_scale((SELECT m FROM rm_labelled));
SELECT * FROM risk_matrix_impact_scale((SELECT m FROM rm_labelled));
-- a matrix without labels: every scale entry is named by its index, no colour, no labels
SELECT * FROM risk_matrix_impact_scale((SELECT m FROM rm_named WHERE id = 'wg4')) WHERE impact <= 2;
-- to_jsonb gives every label back (the abbreviation 1 as "1"); Low and High have no hexcolor
SELECT jsonb_pretty(risk_matrix_to_jsonb(m)) FROM rm_labelled;
-- the same matrix written in the text form; and the round trips
INSERT INTO rm_labelled VALUES ('lab3 text', 'likelihood 3 (Rare #E0F2F1 {"abbreviation": "R", "description": '
  '"less than once in ten years", "translations": {"ja": {"name": "まれ"}, "fr": {"name": "Rare", "description": '
  '"moins d''une fois en dix ans"}}}, Possible {"abbreviation": "P", "description": "once in a few years"}, Frequent '
  '{"abbreviation": "F", "translations": {"fr": {"name": "Fréquent"}}}) impact 3 (Minor {"abbreviation": "1"}, '
  'Serious {"abbreviation": "2", "description": "a customer notices"}, "3" {"abbreviation": "3", "translations": '
  '{"de": {"name": "Schwer", "description": "meldepflichtig"}}}) levels (Low {"abbreviation": "L", "description": '
  '"accept", "translations": {"fr": {"name": "Faible", "description": "accepter"}}}, Medium #ffbf00 '
  '{"description": "treat within a year", "abbreviation": "M"}, High {"abbreviation": "H", "description": '
  '"treat \"now\"", "translations": {"fr": {"name": "Élevé"}}}) grid ((Low, Low, Medium), (0, 1, 2), (1, 2, 2))');
SELECT a.m = b.m AS text_form_equal, a.m::text = b.m::text AS same_text,
       a.m::text::risk_matrix = a.m AS text_round_trip,
       risk_matrix_from_jsonb(risk_matrix_to_jsonb(a.m)) = a.m AS jsonb_round_trip
  FROM rm_labelled a, rm_labelled b WHERE a.id = 'lab3' AND b.id = 'lab3 text';
-- labels count in equality: the same matrix without labels (same colours, Low and High still
-- the palette's), or with one description changed, or with Low given the palette's colour
-- #1A9850 explicitly, is another value
SELECT m <> 'likelihood 3 impact 3 levels (Low, Medium #FFBF00, High)
             grid ((0, 0, 1), (0, 1, 2), (1, 2, 2))' AS without_labels,
       m <> risk_matrix_from_jsonb(jsonb_set(risk_matrix_to_jsonb(m), '{risk,0,description}', '"accepted"'))
         AS other_description,
       m <> risk_matrix_from_jsonb(jsonb_set(risk_matrix_to_jsonb(m), '{risk,0,hexcolor}', '"#1A9850"'))
         AS explicit_colour
  FROM rm_labelled WHERE id = 'lab3';
-- binary round trip through COPY (FORMAT binary), labels included
SELECT current_setting('data_directory') || '/ismseval_risk_matrix_labels.bin' AS risk_matrix_labels_file \gset
COPY rm_labelled TO :'risk_matrix_labels_file' (FORMAT binary);
CREATE TABLE rm_labelled_back (LIKE rm_labelled);
COPY rm_labelled_back FROM :'risk_matrix_labels_file' (FORMAT binary);
SELECT a.id, a.m = b.m AS equal, a.m::text = b.m::text AS same_text
  FROM rm_labelled a JOIN rm_labelled_back b USING (id) ORDER BY a.id;

-- 10. The default palette (README, "Default palette"): rank k of N levels, t = k / (N - 1);
--     green (26, 152, 80) at t = 0, yellow (254, 224, 139) at 1/2, red (215, 48, 39) at 1,
--     linear between, each channel rounded half up. Six levels (N - 1 = 5):
--       k = 0: t = 0                      -> #1A9850
--       k = 1: green->yellow at 2/5: R 26 + 228 x 0.4 = 117.2 -> 117 (75), G 152 + 72 x 0.4
--              = 180.8 -> 181 (B5), B 80 + 59 x 0.4 = 103.6 -> 104 (68)         -> #75B568
--       k = 2: at 4/5: R 26 + 182.4 = 208.4 -> D0, G 152 + 57.6 = 209.6 -> D2,
--              B 80 + 47.2 = 127.2 -> 7F                                          -> #D0D27F
--       k = 3: yellow->red at 1/5: R 254 - 39 x 0.2 = 246.2 -> F6, G 224 - 176 x 0.2 = 188.8
--              -> BD, B 139 - 100 x 0.2 = 119 -> 77                               -> #F6BD77
--       k = 4: at 3/5: R 254 - 23.4 = 230.6 -> E7, G 224 - 105.6 = 118.4 -> 76,
--              B 139 - 60 = 79 -> 4F                                              -> #E7764F
--       k = 5: t = 1                      -> #D73027
SELECT rank, name, color, default_color
  FROM risk_matrix_levels('likelihood 3 impact 3 levels (a, b, c, d, e, f) grid ((0, 1, 2), (1, 3, 4), (2, 4, 5))');

-- 11. Errors: every error path, with SQLSTATE, message and detail, is in test/risk_matrix.sql.

DROP TABLE rm_named, rm_back, rm_big, rm_big_ext, rm_labelled, rm_labelled_back;
