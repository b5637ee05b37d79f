-- pgTAP: import_ciso_assistant_library on the hand-made libraries of test/fixtures/ciso (read
-- as JSON through scripts/ismseval-import --to-json; pg_prove runs from the repository) and on
-- small inline documents, one per rule and error. Expected values are worked out from the
-- files and the rules of README "Importing from CISO Assistant".
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(88);
SET search_path = ismseval, public;

\set esb1 `scripts/ismseval-import --to-json test/fixtures/ciso/esb-v1.yaml`
\set esb2 `scripts/ismseval-import --to-json test/fixtures/ciso/esb-v2.yaml`
\set ecc `scripts/ismseval-import --to-json test/fixtures/ciso/ecc.json`
\set matrix `scripts/ismseval-import --to-json test/fixtures/ciso/matrix-3x3.yaml`
\set mapping `scripts/ismseval-import --to-json test/fixtures/ciso/esb-to-ecc.yaml`

-- A library around one framework with the nodes (and framework keys) given.
CREATE FUNCTION pg_temp.fw_lib(nodes jsonb, framework jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('urn', 'urn:t:lib:bad', 'objects', jsonb_build_object('framework',
               jsonb_build_object('urn', 'urn:t:fw:bad', 'ref_id', 'BAD', 'requirement_nodes', nodes) || framework))
$$;
-- A library around one mapping set ESB -> ECC with the mappings given.
CREATE FUNCTION pg_temp.map_lib(mappings jsonb, mapping_set jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('urn', 'urn:t:lib:map', 'objects', jsonb_build_object('requirement_mapping_sets',
               jsonb_build_array(jsonb_build_object('urn', 'urn:t:set:bad', 'name', 'bad set',
                   'source_framework_urn', 'urn:example:risk:framework:esb',
                   'target_framework_urn', 'urn:example:risk:framework:ecc',
                   'requirement_mappings', mappings) || mapping_set)))
$$;

-- ---------------------------------------------------------------------------
-- 1. The framework of esb-v1.yaml: 13 nodes on 3 levels, scale 0-5.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE r1 AS SELECT * FROM import_ciso_assistant_library(:'esb1');
SELECT set_eq($$SELECT kind, COALESCE(ref_id, urn) AS ref, action FROM r1$$,
    $$VALUES ('framework', 'ESB', 'created'),
             ('implementation_group', 'core', 'created'), ('implementation_group', 'plus', 'created'),
             ('control_domain', 'GOV', 'created'), ('control_domain', 'OPS', 'created'),
             ('requirement_node', 'GOV', 'created'), ('requirement_node', 'GOV.POL', 'created'),
             ('requirement_node', 'GOV.POL-1', 'created'), ('requirement_node', 'GOV.POL-2', 'created'),
             ('requirement_node', 'urn:example:risk:req_node:esb:gov.rol', 'created'),
             ('requirement_node', 'GOV.ROL-1', 'created'), ('requirement_node', 'OPS', 'created'),
             ('requirement_node', 'OPS.BAK', 'created'), ('requirement_node', 'OPS.BAK-1', 'created'),
             ('requirement_node', 'OPS.BAK-2', 'created'), ('requirement_node', 'OPS.LOG', 'created'),
             ('requirement_node', 'OPS.LOG-1', 'created'),
             ('reference_control', 'BK-TOOL', 'skipped')$$,
    'esb-v1: the framework, 2 groups, 2 domains and 13 nodes created, the reference control skipped');
SELECT is((SELECT count(*) FROM r1), 19::bigint, 'esb-v1: 19 rows (13 nodes, the two OPS.LOG-1 among them)');
SELECT is((SELECT reason FROM r1 WHERE kind = 'reference_control'),
          'reference controls are not part of ismseval''s model', 'a skipped object says why');
SELECT is((SELECT reason FROM r1 WHERE kind = 'framework'),
          'node fields not imported: annotation, reference_controls', 'the framework row names the fields not kept');
SELECT results_eq($$SELECT code, name, version, scale_min, scale_max, default_target, ref_id, description, provider,
                       domain_level, preloaded FROM frameworks WHERE urn = 'urn:example:risk:framework:esb'$$,
    $$VALUES ('ESB', 'Example Security Baseline', '1', 0, 5,
        3.33::double precision,     -- 0 + (5 - 0) x 2/3 = 3.333.. rounded to 2 decimals
        'ESB', 'Three levels: areas, topics, checks', 'ismseval tests', 1, false)$$,
    'the framework: code = ref_id, version and provider of the library, scale 0-5, target two thirds up');
SELECT is((SELECT score_labels FROM frameworks WHERE urn = 'urn:example:risk:framework:esb'),
          '[{"score": 0, "name": "Absent"}, {"score": 1, "name": "Initial"}, {"score": 2, "name": "Repeatable"},
            {"score": 3, "name": "Defined", "description": "Written down and followed",
             "translations": {"fr": {"name": "Defini"}}},
            {"score": 4, "name": "Managed"}, {"score": 5, "name": "Optimised"}]'::jsonb,
          'scores_definition -> score_labels, one per score, with description and translations');
SELECT results_eq($$SELECT g.code, g.name, g.description FROM implementation_groups g JOIN frameworks f USING (framework_id)
                    WHERE f.urn = 'urn:example:risk:framework:esb' ORDER BY g.code$$,
    $$VALUES ('core', 'Core checks', NULL), ('plus', 'Extended checks', 'For organizations with more at stake')$$,
    'implementation_groups_definition -> implementation_groups (code = ref_id)');
SELECT results_eq($$SELECT d.code, d.name, d.description, d.display_order FROM control_domains d JOIN frameworks f USING (framework_id)
                    WHERE f.urn = 'urn:example:risk:framework:esb' ORDER BY d.display_order$$,
    $$VALUES ('GOV', 'Governance', 'Who decides, and on what', 1), ('OPS', 'Operations', NULL, 2)$$,
    'domain level 1: the two top nodes are the control domains, in file order');
-- code: ref_id when unique, else the urn's last segment; text: name, else description, else ref_id
SELECT results_eq($$
    SELECT q.code, q.text, q.depth, p.code, d.code, q.display_order, q.assessable, q.weight, q.score_min, q.score_max,
           q.implementation_groups
    FROM questions q JOIN frameworks f USING (framework_id)
    LEFT JOIN questions p ON p.question_id = q.parent_id LEFT JOIN control_domains d ON d.domain_id = q.domain_id
    WHERE f.urn = 'urn:example:risk:framework:esb' ORDER BY q.display_order$$,
    $$VALUES
    ('GOV', 'Governance', 1, NULL, 'GOV', 1, false, 1::float8, NULL::int, NULL::int, '{core,plus}'::text[]),
    ('GOV.POL', 'Policies', 2, 'GOV', 'GOV', 2, false, 1, NULL, NULL, NULL),
    ('GOV.POL-1', 'A security policy is approved by management', 3, 'GOV.POL', 'GOV', 3, true, 1, NULL, NULL, '{core}'),
    ('GOV.POL-2', 'The policy is reviewed every year', 3, 'GOV.POL', 'GOV', 4, true, 2, NULL, NULL, '{plus}'),
    ('gov.rol', 'Roles', 2, 'GOV', 'GOV', 5, false, 1, NULL, NULL, NULL),
    ('GOV.ROL-1', 'Security officer', 3, 'gov.rol', 'GOV', 6, true, 1, NULL, NULL, '{core}'),
    ('OPS', 'Operations', 1, NULL, 'OPS', 7, false, 1, NULL, NULL, NULL),
    ('OPS.BAK', 'OPS.BAK', 2, 'OPS', 'OPS', 8, false, 1, NULL, NULL, NULL),
    ('OPS.BAK-1', 'Backups are taken every day', 3, 'OPS.BAK', 'OPS', 9, true, 1, NULL, NULL, '{core}'),
    ('OPS.BAK-2', 'A restore is tested', 3, 'OPS.BAK', 'OPS', 10, true, 1, 0, 1, '{plus}'),
    ('OPS.LOG', 'Logging', 2, 'OPS', 'OPS', 11, false, 1, NULL, NULL, NULL),
    ('ops.log-a', 'Logs are kept for 90 days', 3, 'OPS.LOG', 'OPS', 12, true, 1, NULL, NULL, NULL),
    ('ops.log-b', 'Clocks are synchronised', 3, 'OPS.LOG', 'OPS', 13, true, 1, NULL, NULL, NULL)$$,
    'the nodes: codes (gov.rol has no ref_id, OPS.LOG-1 is twice), texts, depths, parents, domains, file order, weight, own range, groups');
SELECT is((SELECT string_agg(DISTINCT answer_kind, ',') || '/' || count(*) FILTER (WHERE scored)
           FROM questions q JOIN frameworks f USING (framework_id) WHERE f.urn = 'urn:example:risk:framework:esb'),
          'score/7', 'every node takes a score; the 7 assessable ones are scored');
SELECT is((SELECT translations FROM questions WHERE urn = 'urn:example:risk:req_node:esb:gov.pol-1'),
          '{"fr": {"description": "Une politique de securite est approuvee par la direction"}}'::jsonb,
          'a node keeps its translations');
SELECT is((SELECT string_agg(action || ':' || n, ' ' ORDER BY action)
           FROM (SELECT action, count(*) AS n FROM import_ciso_assistant_library(:'esb1') GROUP BY action) s),
          'skipped:1 unchanged:18', 'imported again: everything unchanged (the reference control skipped again)');

-- ---------------------------------------------------------------------------
-- 2. ecc.json: no min_score/max_score, so CISO Assistant's 0-100.
-- ---------------------------------------------------------------------------
SELECT is((SELECT string_agg(action, ',') FROM import_ciso_assistant_library(:'ecc') WHERE kind = 'framework'),
          'created', 'ecc.json (JSON) is imported');
SELECT results_eq($$SELECT code, version, scale_min, scale_max, default_target, score_labels FROM frameworks
                WHERE urn = 'urn:example:risk:framework:ecc'$$,
    $$VALUES ('ECC', '3', 0, 100, 66.67::double precision, NULL::jsonb)$$,  -- 0 + 100 x 2/3 = 66.666..
    'without min_score/max_score the scale is 0-100 and the target 66.67');
SELECT is((SELECT count(*) FROM questions q JOIN frameworks f USING (framework_id) WHERE f.urn = 'urn:example:risk:framework:ecc'),
          6::bigint, 'its 6 nodes');

-- ---------------------------------------------------------------------------
-- 3. matrix-3x3.yaml: cell (p + 1, i + 1) has the level risk[grid[p][i]].
-- ---------------------------------------------------------------------------
SELECT is((SELECT string_agg(kind || ':' || action, ',') FROM import_ciso_assistant_library(:'matrix')),
          'risk_matrix:created', 'the matrix is created');
SELECT results_eq($$SELECT ref_id, name, description, translations, provider FROM risk_matrices WHERE urn = 'urn:example:risk:matrix:3x3'$$,
    $$VALUES ('example-3x3', 'Example 3x3', 'Three levels of likelihood, impact and risk',
        '{"fr": {"name": "Exemple 3x3"}}'::jsonb, 'ismseval tests')$$,
    'its catalogue row');
SELECT results_eq($$SELECT likelihood, impact, level, color FROM risk_matrix_cells(
                        (SELECT matrix FROM risk_matrices WHERE urn = 'urn:example:risk:matrix:3x3'))$$,
    $$VALUES -- grid [[0, 0, 1], [0, 1, 2], [1, 2, 2]] over Low #00FF00, Medium #FFFF00, High #FF0000
        (1, 1, 'Low', '#00FF00'), (1, 2, 'Low', '#00FF00'), (1, 3, 'Medium', '#FFFF00'),
        (2, 1, 'Low', '#00FF00'), (2, 2, 'Medium', '#FFFF00'), (2, 3, 'High', '#FF0000'),
        (3, 1, 'Medium', '#FFFF00'), (3, 2, 'High', '#FF0000'), (3, 3, 'High', '#FF0000')$$,
    'every cell has the level the grid gives');
SELECT is((SELECT string_agg(action, ',') FROM import_ciso_assistant_library(:'matrix')), 'unchanged',
          'imported again: unchanged');
SELECT is((SELECT action || ' / ' || reason FROM import_ciso_assistant_library(
               jsonb_set(:'matrix'::jsonb, '{objects,risk_matrix,0,grid,2,2}', '1'))),
          'updated / changed: matrix', 'a version with another grid updates the matrix');
SELECT is((SELECT risk_level(matrix, 3, 3) FROM risk_matrices WHERE urn = 'urn:example:risk:matrix:3x3'), 'Medium',
          'cell (3, 3) now has risk[1]');
SELECT throws_ok(format('SELECT * FROM ismseval.import_ciso_assistant_library(%L)',
                        jsonb_set(:'matrix'::jsonb, '{objects,risk_matrix,0,grid,0,0}', '3')),
                 '22023', NULL, 'a grid index past the levels: 22023');
SELECT throws_like(format('SELECT * FROM ismseval.import_ciso_assistant_library(%L)',
                          jsonb_set(:'matrix'::jsonb, '{objects,risk_matrix,0,grid,0,0}', '3')),
                   'risk matrix urn:example:risk:matrix:3x3: %', 'and the error names the matrix');

-- ---------------------------------------------------------------------------
-- 4. esb-to-ecc.yaml: 5 mappings; urns in upper case are found in lower case.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE r4 AS SELECT * FROM import_ciso_assistant_library(:'mapping');
SELECT is((SELECT string_agg(kind || ':' || action || ':' || n, ',' ORDER BY kind)
           FROM (SELECT kind, action, count(*) AS n FROM r4 GROUP BY 1, 2) s),
          'requirement_mapping:created:5,requirement_mapping_set:created:1', 'the set and its 5 mappings are created');
SELECT results_eq($$
    SELECT sq.code, tq.code, m.relationship, m.strength, m.rationale
    FROM requirement_mappings m JOIN requirement_mapping_sets s USING (mapping_set_id)
    JOIN questions sq ON sq.question_id = m.source_question_id JOIN questions tq ON tq.question_id = m.target_question_id
    WHERE s.urn = 'urn:example:risk:req_mapping_set:esb-to-ecc' ORDER BY sq.display_order, tq.display_order$$,
    $$VALUES ('GOV.POL-1', 'ACC-2', 'not_related', 0, NULL),
             ('GOV.POL-2', 'ACC-2', 'subset', NULL::int, NULL::text),
             ('GOV.ROL-1', 'ACC-1', 'intersect', 3, 'Both are about who holds administrator rights'),
             ('OPS.BAK-1', 'DAT-2', 'superset', 7, NULL),
             ('OPS.BAK-2', 'DAT-2', 'intersect', NULL, NULL)$$,
    'each mapping: source, target, relationship, strength_of_relationship, rationale');
SELECT results_eq($$SELECT s.name, s.description, sf.urn, tf.urn FROM requirement_mapping_sets s
                JOIN frameworks sf ON sf.framework_id = s.source_framework_id
                JOIN frameworks tf ON tf.framework_id = s.target_framework_id
                WHERE s.urn = 'urn:example:risk:req_mapping_set:esb-to-ecc'$$,
    $$VALUES ('ESB -> ECC', 'Which cloud checks cover the baseline', 'urn:example:risk:framework:esb', 'urn:example:risk:framework:ecc')$$,
    'the set between the two frameworks (target urn given in upper case)');
SELECT is((SELECT string_agg(DISTINCT action, ',') FROM import_ciso_assistant_library(:'mapping')), 'unchanged',
          'imported again: unchanged');
-- a new version of the set: mapping 3 related otherwise, mapping 5 dropped, mapping 1 repeated at the end
CREATE TEMP TABLE mapping_v2 AS
SELECT jsonb_set(m, '{objects,requirement_mapping_sets,0,requirement_mappings}',
                 (m #> '{objects,requirement_mapping_sets,0,requirement_mappings}') - 4
                 || (m #> '{objects,requirement_mapping_sets,0,requirement_mappings,0}')) AS doc
FROM (SELECT jsonb_set(:'mapping'::jsonb, '{objects,requirement_mapping_sets,0,requirement_mappings,2,relationship}',
                       '"equal"') AS m) v;
SELECT set_eq($$SELECT action, ref_id, COALESCE(reason, '') AS why FROM import_ciso_assistant_library((SELECT doc FROM mapping_v2))
                WHERE kind = 'requirement_mapping'$$,
    $$VALUES ('unchanged', 'GOV.ROL-1 -> ACC-1', ''), ('unchanged', 'OPS.BAK-1 -> DAT-2', ''),
             ('updated', 'OPS.BAK-2 -> DAT-2', 'changed: relationship'), ('unchanged', 'GOV.POL-1 -> ACC-2', ''),
             ('skipped', 'GOV.ROL-1 -> ACC-1', 'the same as mapping 1 of the set'),
             ('deleted', 'GOV.POL-2 -> ACC-2', 'absent from this version of the mapping set')$$,
    'a new version: a changed relationship updated, a repeated mapping skipped, a dropped one deleted');
SELECT lives_ok(format('SELECT * FROM ismseval.import_ciso_assistant_library(%L)', :'mapping'), 'back to the file''s version');

-- ---------------------------------------------------------------------------
-- 5. Domain level 2: the nodes at depth 2 are the axes, those above have no domain.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE lvl AS SELECT '{"urn": "urn:t:lib:lvl", "objects": {"framework": {"urn": "urn:t:fw:lvl", "ref_id": "LVL",
  "name": "Levels", "min_score": 1, "max_score": 4, "requirement_nodes": [
  {"urn": "urn:t:n:a", "ref_id": "A", "name": "Part A", "depth": 1},
  {"urn": "urn:t:n:a1", "parent_urn": "urn:t:n:a", "ref_id": "A1", "name": "Chapter A1"},
  {"urn": "urn:t:n:a1x", "parent_urn": "urn:t:n:a1", "ref_id": "A1.x", "assessable": true, "description": "check x"},
  {"urn": "urn:t:n:a2", "parent_urn": "urn:t:n:a", "ref_id": "A2", "name": "Chapter A2"},
  {"urn": "urn:t:n:a2x", "parent_urn": "urn:t:n:a2", "ref_id": "A2.x", "assessable": true, "description": "check y",
   "weight": 3},
  {"urn": "urn:t:n:b", "ref_id": "B", "name": "Part B"},
  {"urn": "urn:t:n:b1", "parent_urn": "urn:t:n:b", "ref_id": "B1", "name": "Chapter B1"},
  {"urn": "urn:t:n:b1x", "parent_urn": "urn:t:n:b1", "ref_id": "B1.x", "assessable": true, "description": "check z"}
  ]}}}'::jsonb AS doc;
SELECT is((SELECT count(*) FROM import_ciso_assistant_library((SELECT doc FROM lvl), domain_level => 2)
           WHERE action = 'created'), 12::bigint, 'level 2: framework, 3 domains and 8 nodes created');
SELECT results_eq($$SELECT d.code, d.name, d.display_order FROM control_domains d JOIN frameworks f USING (framework_id)
                    WHERE f.urn = 'urn:t:fw:lvl' ORDER BY d.display_order$$,
    $$VALUES ('A1', 'Chapter A1', 1), ('A2', 'Chapter A2', 2), ('B1', 'Chapter B1', 3)$$,
    'the depth-2 nodes are the domains, in file order');
SELECT results_eq($$SELECT q.code, q.depth, d.code FROM questions q JOIN frameworks f USING (framework_id)
                    LEFT JOIN control_domains d ON d.domain_id = q.domain_id
                    WHERE f.urn = 'urn:t:fw:lvl' ORDER BY q.display_order$$,
    $$VALUES ('A', 1, NULL::text), ('A1', 2, 'A1'), ('A1.x', 3, 'A1'), ('A2', 2, 'A2'), ('A2.x', 3, 'A2'),
             ('B', 1, NULL), ('B1', 2, 'B1'), ('B1.x', 3, 'B1')$$,
    'nodes above the level have no domain; below it, their parent''s');
SELECT is((SELECT domain_level || '/' || default_target FROM frameworks WHERE urn = 'urn:t:fw:lvl'), '2/3',
          'domain_level 2 is kept; target 1 + (4 - 1) x 2/3 = 3');
-- the imported tree is scored like any other: A1.x 4, A2.x 2 (weight 3), B1.x not applicable
INSERT INTO organizations (code, name, core_business, size_band) VALUES ('CISO-T', 'Import test', 'regulated', 'small');
INSERT INTO assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, '2026-03-01' FROM organizations o, frameworks f
WHERE o.code = 'CISO-T' AND f.urn = 'urn:t:fw:lvl';
INSERT INTO answers (assessment_id, question_id, score, not_applicable)
SELECT a.assessment_id, q.question_id, v.score, v.na
FROM assessments a JOIN questions q ON q.framework_id = a.framework_id
JOIN (VALUES ('A1.x', 4, false), ('A2.x', 2, false), ('B1.x', NULL, true)) v(code, score, na) ON v.code = q.code
JOIN organizations o ON o.organization_id = a.organization_id WHERE o.code = 'CISO-T';
SELECT results_eq($$SELECT t.total_score, t.total_percentage, t.coverage FROM assessments a JOIN organizations o USING (organization_id),
                    LATERAL assessment_total_score(a.assessment_id) t WHERE o.code = 'CISO-T'$$,
    -- domains A1 (1 node, mean 4) and A2 (1 node, mean 2): total 1 x 4 + 1 x 2 = 6; B1 has none answered,
    -- so requirements x the mean over all answers: 3 x (1 x 4 + 3 x 2) / (1 + 3) = 3 x 2.5 = 7.5;
    -- percentage 100 x (7.5 / 3 - 1) / 3 = 50; coverage 100 x 2 answered / 2 applicable = 100
    $$VALUES (7.5::float8, 50::float8, 100::float8)$$,
    'an assessment of the imported tree scores through the shared rules');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library((SELECT doc FROM lvl), 1)$$, '22023',
                 'framework urn:t:fw:lvl: it is loaded with domain level 2, not 1',
                 'importing again with another domain level: 22023');
SELECT is((SELECT string_agg(DISTINCT action, ',') FROM import_ciso_assistant_library((SELECT doc FROM lvl))), 'unchanged',
          'NULL keeps the level it was loaded with: unchanged');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(
                     jsonb_set((SELECT doc FROM lvl), '{objects,framework,max_score}', '5'))$$, '23514',
                 'framework urn:t:fw:lvl: it has answers on the scale 1 to 4, which this version changes to 1 to 5',
                 'a new scale under answers: 23514');

-- ---------------------------------------------------------------------------
-- 6. esb-v2.yaml: GOV.POL-2 (no answers) goes, OPS.BAK-1 (answered) stays, OPS.BAK-3 comes.
-- ---------------------------------------------------------------------------
INSERT INTO assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, '2026-03-01' FROM organizations o, frameworks f
WHERE o.code = 'CISO-T' AND f.urn = 'urn:example:risk:framework:esb';
INSERT INTO answers (assessment_id, question_id, score)
SELECT a.assessment_id, q.question_id, 4 FROM assessments a JOIN questions q ON q.framework_id = a.framework_id
WHERE q.urn = 'urn:example:risk:req_node:esb:ops.bak-1';
CREATE TEMP TABLE r6 AS SELECT * FROM import_ciso_assistant_library(:'esb2');
SELECT set_eq($$SELECT kind, COALESCE(ref_id, urn) AS ref, action, COALESCE(reason, '') AS why FROM r6 WHERE action <> 'unchanged'$$,
    $$VALUES ('framework', 'ESB', 'updated', 'changed: name, version; node fields not imported: annotation'),
             ('requirement_node', 'GOV.POL-1', 'updated', 'changed: text, description'),
             -- file positions after the removed GOV.POL-2 move up by one, after OPS.BAK-3 back down
             ('requirement_node', 'urn:example:risk:req_node:esb:gov.rol', 'updated', 'changed: display_order'),
             ('requirement_node', 'GOV.ROL-1', 'updated', 'changed: display_order'),
             ('requirement_node', 'OPS', 'updated', 'changed: display_order'),
             ('requirement_node', 'OPS.BAK', 'updated', 'changed: display_order'),
             ('requirement_node', 'OPS.BAK-2', 'updated', 'changed: display_order'),
             ('requirement_node', 'OPS.LOG', 'updated', 'changed: display_order'),
             ('requirement_node', 'OPS.LOG-1', 'updated', 'changed: display_order'),
             ('requirement_node', 'OPS.LOG-1', 'updated', 'changed: display_order'),
             ('requirement_node', 'OPS.BAK-3', 'created', ''),
             ('requirement_node', 'OPS.BAK-1', 'kept',
              'absent from this version of the library; kept: it or a requirement under it has answers'),
             ('requirement_node', 'GOV.POL-2', 'deleted', 'absent from this version of the library'),
             ('requirement_mapping', 'GOV.POL-2 -> ACC-2', 'deleted',
              'one of its requirement nodes is removed from framework urn:example:risk:framework:esb'),
             ('reference_control', 'BK-TOOL', 'skipped', 'reference controls are not part of ismseval''s model')$$,
    'esb-v2: renamed, one text changed, one node added, the answered one kept, the other deleted with its mapping');
SELECT results_eq($$SELECT q.code, q.display_order, (SELECT count(*) FROM answers a WHERE a.question_id = q.question_id)
                    FROM questions q JOIN frameworks f USING (framework_id)
                    WHERE f.urn = 'urn:example:risk:framework:esb' AND q.code LIKE 'OPS.BAK%' ORDER BY q.code$$,
    $$VALUES ('OPS.BAK', 7, 0::bigint), ('OPS.BAK-1', 9, 1::bigint), ('OPS.BAK-2', 8, 0::bigint), ('OPS.BAK-3', 9, 0::bigint)$$,
    'the kept node keeps its code, place and answer');
SELECT is((SELECT name || ' ' || version FROM frameworks WHERE urn = 'urn:example:risk:framework:esb'),
          'Example Security Baseline 2 2', 'the framework is renamed, version 2');
SELECT is((SELECT string_agg(action || ':' || n, ' ' ORDER BY action)
           FROM (SELECT action, count(*) AS n FROM import_ciso_assistant_library(:'esb2') GROUP BY action) s),
          'kept:1 skipped:1 unchanged:17', 'v2 imported again: unchanged, the kept node reported again');
SELECT throws_ok(format('SELECT * FROM ismseval.import_ciso_assistant_library(%L)', :'mapping'), '23514',
                 'requirement mapping set urn:example:risk:req_mapping_set:esb-to-ecc, mapping 5: requirement urn:example:risk:req_node:esb:gov.pol-2 (source_requirement_urn) is not loaded in framework urn:example:risk:framework:esb',
                 'a mapping to a requirement that is not loaded: 23514');

-- ---------------------------------------------------------------------------
-- 7. Documents that are not libraries (22023, 22004).
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(NULL)$$, '22004',
                 'import_ciso_assistant_library: library must not be NULL', 'NULL: 22004');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library('[1, 2]')$$, '22023',
                 'not a CISO Assistant library: the document is a JSON array, not an object', 'a list: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library('{"urn": "urn:t:lib:x", "name": "x"}')$$, '22023',
                 'not a CISO Assistant library: it has no "objects" mapping', 'no objects: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library('{"meta": {"schema_version": 2}, "objects": []}')$$,
                 '22023', 'not a CISO Assistant library: this is an instance export (meta and a list of objects)',
                 'an instance export is named as such: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library('{"urn": "urn:t:lib:x", "objects": {"recipes": []}}')$$,
                 '22023', 'not a CISO Assistant library: its objects have none of the kinds CISO Assistant knows',
                 'objects of unknown kinds only: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library('{"objects": {"risk_matrix": []}}')$$, '22023',
                 'the library has no urn', 'no urn: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library('{"urn": "u", "objects": {"framework": {}, "frameworks": []}}')$$,
                 '22023', 'a library cannot have both "framework" and "frameworks" objects', 'both keys: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library('{"urn": "u", "objects": {"frameworks": "x"}}')$$,
                 '22023', 'the library''s "frameworks" must be an object or a list, got string', 'objects of the wrong type: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library('{"urn": "u", "objects": {"framework": {"ref_id": "X"}}}')$$,
                 '22023', 'a framework of the library has no urn', 'a framework without urn: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[]'))$$, '22023',
                 'framework urn:t:fw:bad: "requirement_nodes" must be a non-empty list', 'no nodes: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('["urn:t:n:a"]'))$$, '22023',
                 'requirement node 1 of framework urn:t:fw:bad must be an object, got string', 'a node that is not an object: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "name": {"en": "A"}}]'))$$,
                 '22023', 'requirement node urn:t:n:a: "name" must be a string, got object', 'a name that is not text: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "assessable": "yes"}]'))$$,
                 '22023', 'requirement node urn:t:n:a: "assessable" must be true or false, got "yes"', 'assessable not a boolean: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "depth": 1.5}]'))$$,
                 '22023', 'requirement node urn:t:n:a: "depth" must be a whole number, got 1.5', 'a fractional depth: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "implementation_groups": "core"}]'))$$,
                 '22023', 'requirement node urn:t:n:a: "implementation_groups" must be a list of strings, got "core"',
                 'groups not a list: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "ref_id": "A"}]'), 0)$$,
                 '22023', 'domain_level must be between 1 and 100, got 0', 'domain level 0: 22023');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "ref_id": "A"}]'), 2)$$,
                 '22023', 'framework urn:t:fw:bad: domain level 2 is deeper than its tree (depth 1)',
                 'a domain level deeper than the tree: 22023');

-- ---------------------------------------------------------------------------
-- 8. Trees and scales that break a rule (23514), each naming the node.
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "ref_id": "A"},
                     {"urn": "urn:t:n:b", "ref_id": "B", "parent_urn": "urn:t:n:c"}, {"urn": "urn:t:n:c", "ref_id": "C", "parent_urn": "urn:t:n:b"}]'))$$,
                 '23514', 'requirement node urn:t:n:b (B): its parent_urn chain is a cycle', 'a cycle: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "ref_id": "A", "parent_urn": "urn:t:n:a"}]'))$$,
                 '23514', 'requirement node urn:t:n:a (A): its parent_urn chain is a cycle', 'a node that is its own parent: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "ref_id": "A"},
                     {"urn": "urn:t:n:b", "ref_id": "B", "parent_urn": "urn:t:n:zz"}]'))$$,
                 '23514', 'requirement node urn:t:n:b (B): parent_urn urn:t:n:zz is not a node of framework urn:t:fw:bad',
                 'an unknown parent_urn: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "ref_id": "A"},
                     {"urn": "URN:T:N:A", "ref_id": "A2"}]'))$$,
                 '23514', 'framework urn:t:fw:bad: requirement node urn urn:t:n:a appears 2 times', 'a duplicate urn (in any case): 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "ref_id": "A", "depth": 1},
                     {"urn": "urn:t:n:b", "ref_id": "B", "parent_urn": "urn:t:n:a", "depth": 3}]'))$$,
                 '23514', 'requirement node urn:t:n:b (B): depth 3 in the library, but 2 in its tree', 'a depth unlike the tree''s: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a"}]', '{"min_score": 5, "max_score": 5}'))$$,
                 '23514', 'framework urn:t:fw:bad: min_score 5 must be below max_score 5', 'min_score = max_score: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a"}]', '{"min_score": 4, "max_score": 1}'))$$,
                 '23514', 'framework urn:t:fw:bad: min_score 4 must be below max_score 1', 'min_score > max_score: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "ref_id": "A", "weight": 0}]'))$$,
                 '23514', 'requirement node urn:t:n:a (A): weight must be above 0, got 0', 'weight 0: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:a", "ref_id": "A", "max_score": 0}]',
                     '{"min_score": 1, "max_score": 4}'))$$,
                 '23514', 'requirement node urn:t:n:a (A): min_score 1 must be below max_score 0', 'a node''s own range upside down: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:solo"}]',
                     '{"min_score": 1, "max_score": 4, "scores_definition": [{"score": 0, "name": "none"}]}'))$$,
                 '23514', 'framework urn:t:fw:bad: score label 1 must have a score of its own between 1 and 4, got 0',
                 'a score label off the scale: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:solo"}]',
                     '{"scores_definition": [{"score": 1, "name": "a"}, {"score": 1, "name": "b"}]}'))$$,
                 '23514', 'framework urn:t:fw:bad: score label 2 must have a score of its own between 0 and 100, got 1',
                 'a score labelled twice: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:solo"}]',
                     '{"implementation_groups_definition": [{"ref_id": "g"}, {"ref_id": "g"}]}'))$$,
                 '23514', 'framework urn:t:fw:bad: implementation group g is defined twice', 'a group defined twice: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:example:risk:req_node:esb:gov"}]'))$$,
                 '23514', 'framework urn:t:fw:bad: requirement node urn:example:risk:req_node:esb:gov is already a node of framework urn:example:risk:framework:esb',
                 'a node of another framework: 23514');

-- ---------------------------------------------------------------------------
-- 9. Mapping sets that break a rule.
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.map_lib('[]', '{"target_framework_urn": "urn:t:fw:none"}'))$$,
                 '23514', 'requirement mapping set urn:t:set:bad: framework urn:t:fw:none (target_framework_urn) is not loaded',
                 'a mapping set to a framework that is not loaded: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.map_lib('[{"source_requirement_urn": "urn:example:risk:req_node:esb:gov.pol-1",
                     "target_requirement_urn": "urn:example:risk:req_node:ecc:zz", "relationship": "equal"}]'))$$,
                 '23514', 'requirement mapping set urn:t:set:bad, mapping 1: requirement urn:example:risk:req_node:ecc:zz (target_requirement_urn) is not loaded in framework urn:example:risk:framework:ecc',
                 'a mapping to an unknown target requirement: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.map_lib('[{"source_requirement_urn": "urn:example:risk:req_node:ecc:acc-1",
                     "target_requirement_urn": "urn:example:risk:req_node:ecc:acc-2", "relationship": "equal"}]'))$$,
                 '23514', 'requirement mapping set urn:t:set:bad, mapping 1: requirement urn:example:risk:req_node:ecc:acc-1 (source_requirement_urn) is not loaded in framework urn:example:risk:framework:esb',
                 'a source requirement of the other framework: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.map_lib('[{"source_requirement_urn": "urn:example:risk:req_node:esb:gov.pol-1",
                     "target_requirement_urn": "urn:example:risk:req_node:ecc:acc-1", "relationship": "similar"}]'))$$,
                 '23514', 'requirement mapping set urn:t:set:bad, mapping 1: relationship must be equal, subset, superset, intersect or not_related, got similar',
                 'an unknown relationship: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.map_lib('[{"source_requirement_urn": "urn:example:risk:req_node:esb:gov.pol-1",
                     "target_requirement_urn": "urn:example:risk:req_node:ecc:acc-1", "relationship": "equal", "strength_of_relationship": 11}]'))$$,
                 '23514', 'requirement mapping set urn:t:set:bad, mapping 1: strength_of_relationship must be between 0 and 10, got 11',
                 'a strength above 10: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.map_lib('[{"source_requirement_urn": "urn:example:risk:req_node:esb:gov.pol-1",
                     "target_requirement_urn": "urn:example:risk:req_node:ecc:acc-1", "relationship": "equal"},
                     {"source_requirement_urn": "urn:example:risk:req_node:esb:gov.pol-1",
                     "target_requirement_urn": "urn:example:risk:req_node:ecc:acc-1", "relationship": "subset"}]'))$$,
                 '23514', 'requirement mapping set urn:t:set:bad: urn:example:risk:req_node:esb:gov.pol-1 -> urn:example:risk:req_node:ecc:acc-1 is mapped twice, differently',
                 'one pair mapped twice, differently: 23514');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.map_lib('[]', '{"target_framework_urn": "urn:example:risk:framework:esb"}'))$$,
                 '23514', 'requirement mapping set urn:t:set:bad: source and target are the same framework urn:example:risk:framework:esb',
                 'a set from a framework to itself: 23514');

-- ---------------------------------------------------------------------------
-- 10. All or nothing; who may import.
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_library(pg_temp.fw_lib('[{"urn": "urn:t:n:ok", "ref_id": "OK"}]')
                     || '{"objects": {"framework": {"urn": "urn:t:fw:half", "requirement_nodes": [{"urn": "urn:t:n:ok"}]},
                                      "requirement_mapping_sets": [{"urn": "urn:t:set:half", "source_framework_urn": "urn:t:fw:half",
                                                                    "target_framework_urn": "urn:t:fw:none"}]}}')$$,
                 '23514', NULL, 'a good framework and a bad mapping set in one library: 23514');
SELECT is((SELECT count(*) FROM frameworks WHERE urn = 'urn:t:fw:half'), 0::bigint, 'and the framework is not half loaded');
SELECT is((SELECT count(*) FROM questions WHERE urn = 'urn:t:n:ok'), 0::bigint, 'nor its node');

CREATE ROLE ciso_tap_admin IN ROLE ismseval_admin;
CREATE ROLE ciso_tap_tenant IN ROLE ismseval_tenant;
SET ROLE ciso_tap_tenant;
SELECT throws_ok(format('SELECT * FROM ismseval.import_ciso_assistant_library(%L)', :'matrix'), '42501', NULL,
                 'a tenant cannot import (42501)');
SELECT is((SELECT count(*) FROM ismseval.risk_matrices WHERE urn = 'urn:example:risk:matrix:3x3'), 1::bigint,
          'tenants read the matrix catalogue');
SET ROLE ciso_tap_admin;
SELECT is((SELECT string_agg(action, ',') FROM ismseval.import_ciso_assistant_library(
               jsonb_set(:'matrix'::jsonb, '{objects,risk_matrix,0,name}', '"Example 3x3 (admin)"'))),
          'updated', 'an administrator (not a superuser) can import');
SELECT is((SELECT string_agg(action || ':' || n, ' ' ORDER BY action)
           FROM (SELECT action, count(*) AS n FROM ismseval.import_ciso_assistant_library(:'esb2') GROUP BY action) s),
          'kept:1 skipped:1 unchanged:17', 'and sees the answers that keep a node (row-level security lets administrators read them)');
RESET ROLE;
SELECT is(has_function_privilege('public', 'ismseval.import_ciso_assistant_library(jsonb, integer)', 'EXECUTE'), false,
          'EXECUTE is revoked from PUBLIC');
SELECT is(has_function_privilege('ismseval_admin', 'ismseval.import_ciso_assistant_library(jsonb, integer)', 'EXECUTE'), true,
          'and granted to ismseval_admin');

SELECT * FROM finish();
ROLLBACK;
