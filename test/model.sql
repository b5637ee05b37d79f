-- pgTAP: the model's catalogues, pg_dump registration, bad input rejected at write time
-- with clear messages, and load_csv (good and bad files, nothing half loaded).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(53);

-- Preloaded catalogues -------------------------------------------------------
SELECT is((SELECT count(*) FROM frameworks WHERE preloaded), 1::bigint, 'one preloaded framework');
SELECT is((SELECT string_agg(code, ' ' ORDER BY display_order) FROM control_domains WHERE framework_id = 1),
          'GV ID PR DE RS RC', 'NIST CSF 2.0: the 6 functions are the domains, in order');
SELECT is((SELECT string_agg(d.code || '=' || n, ' ' ORDER BY d.display_order)
           FROM control_domains d
           JOIN (SELECT domain_id, count(*) AS n FROM questions WHERE scored GROUP BY domain_id) q USING (domain_id)
           WHERE d.framework_id = 1),
          'GV=6 ID=3 PR=5 DE=2 RS=4 RC=2', '22 categories as large questions: 6 + 3 + 5 + 2 + 4 + 2');
SELECT is((SELECT string_agg(code, ' ' ORDER BY display_order) FROM questions WHERE framework_id = 1),
          'GV.OC GV.RM GV.RR GV.PO GV.OV GV.SC ID.AM ID.RA ID.IM PR.AA PR.AT PR.DS PR.PS PR.IR DE.CM DE.AE RS.MA RS.AN RS.CO RS.MI RC.RP RC.CO',
          'the 22 category codes');
SELECT is((SELECT count(*) FILTER (WHERE category = 'physical') || '+' || count(*) FILTER (WHERE category = 'information-system')
           FROM threats WHERE preloaded), '7+18', 'threat catalogue: 7 physical, 18 information-system threats');
SELECT ok((SELECT bool_and(preloaded) FROM (SELECT preloaded FROM frameworks UNION ALL SELECT preloaded FROM control_domains
           UNION ALL SELECT preloaded FROM questions UNION ALL SELECT preloaded FROM threats) s), 'every shipped row is marked preloaded');

-- pg_dump registration --------------------------------------------------------
SELECT set_eq(
    $$SELECT c.relname::text FROM pg_extension e, unnest(e.extconfig) AS x(oid) JOIN pg_class c ON c.oid = x.oid
      WHERE e.extname = 'ismseval' AND c.relkind = 'r'$$,
    $$SELECT relname::text FROM pg_class WHERE relnamespace = 'ismseval'::regnamespace AND relkind = 'r'$$,
    'every table of the extension is registered with pg_extension_config_dump');
SELECT set_eq(
    $$SELECT c.relname::text FROM pg_extension e, unnest(e.extconfig) AS x(oid) JOIN pg_class c ON c.oid = x.oid
      WHERE e.extname = 'ismseval' AND c.relkind = 'S'$$,
    $$SELECT relname::text FROM pg_class WHERE relnamespace = 'ismseval'::regnamespace AND relkind = 'S'$$,
    'and every sequence behind their keys');
SELECT set_eq(
    $$SELECT c.relname::text || ': ' || w FROM pg_extension e,
             unnest(e.extconfig, e.extcondition) AS x(oid, w) JOIN pg_class c ON c.oid = x.oid
      WHERE e.extname = 'ismseval' AND w <> ''$$,
    $$VALUES ('frameworks: WHERE NOT preloaded'), ('control_domains: WHERE NOT preloaded'),
             ('questions: WHERE NOT preloaded'), ('threats: WHERE NOT preloaded')$$,
    'catalogue tables dump only the user''s rows');

-- Fixtures ----------------------------------------------------------------------
INSERT INTO organizations (code, name, core_business, size_band) VALUES
    ('TAP-A', 'Tap A', 'regulated', 'small'), ('TAP-B', 'Tap B', 'mass-production', 'medium');
SELECT organization_id AS org_a FROM organizations WHERE code = 'TAP-A' \gset
SELECT organization_id AS org_b FROM organizations WHERE code = 'TAP-B' \gset
INSERT INTO assessments (organization_id, framework_id, assessed_on) VALUES (:org_a, 1, '2026-01-01');
SELECT assessment_id AS asm FROM assessments WHERE organization_id = :org_a \gset
INSERT INTO frameworks (code, name) VALUES ('TAP-FW', 'Other framework');
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT framework_id, 'X', 'X', 1 FROM frameworks WHERE code = 'TAP-FW';
INSERT INTO questions (framework_id, domain_id, code, text)
SELECT framework_id, domain_id, 'X.1', 'other question' FROM control_domains WHERE code = 'X';
SELECT question_id AS other_q FROM questions WHERE code = 'X.1' \gset
INSERT INTO questions (framework_id, domain_id, parent_id, code, text) VALUES (1, 1, 1, 'GV.OC-TAP', 'small one');
SELECT question_id AS small_q FROM questions WHERE code = 'GV.OC-TAP' \gset
INSERT INTO departments (organization_id, name) VALUES (:org_b, 'B dept');
SELECT department_id AS dept_b FROM departments WHERE name = 'B dept' \gset

-- Bad input -----------------------------------------------------------------------
SELECT throws_ok(format('INSERT INTO ismseval.answers (assessment_id, question_id, score) VALUES (%s, 1, 5)', :asm),
    '23514', 'score of question GV.OC must be between 1 and 4 (framework NIST-CSF-2.0), got 5', 'score off the scale');
SELECT throws_ok(format('INSERT INTO ismseval.answers (assessment_id, question_id, score) VALUES (%s, 1, 0)', :asm),
    '23514', 'score of question GV.OC must be between 1 and 4 (framework NIST-CSF-2.0), got 0', 'score below the scale');
SELECT throws_ok(format('INSERT INTO ismseval.answers (assessment_id, question_id) VALUES (%s, 1)', :asm),
    '23514', 'answer to GV.OC needs a score between 1 and 4 (framework NIST-CSF-2.0) or a result', 'large question without a score or a result');
SELECT throws_ok(format('INSERT INTO ismseval.answers (assessment_id, question_id, score) VALUES (%s, %s, 2)', :asm, :other_q),
    '23514', format('question X.1 (id %s) is not a question of framework NIST-CSF-2.0 of assessment %s', :other_q, :asm),
    'answer to a question of another framework');
SELECT throws_ok(format('INSERT INTO ismseval.answers (assessment_id, question_id, score) VALUES (%s, %s, 2)', :asm, :small_q),
    '23514', 'question GV.OC-TAP is a yes/no question: give answer_yes, not a score', 'score for a small question');
SELECT throws_ok(format('INSERT INTO ismseval.answers (assessment_id, question_id) VALUES (%s, %s)', :asm, :small_q),
    '23514', 'yes/no question GV.OC-TAP needs answer_yes (true or false), a result or not_applicable', 'small question without an answer');
SELECT throws_ok(format('INSERT INTO ismseval.answers (assessment_id, question_id, score, not_applicable) VALUES (%s, 1, 3, true)', :asm),
    '23514', NULL, 'not applicable with a score');
SELECT lives_ok(format('INSERT INTO ismseval.answers (assessment_id, question_id, not_applicable) VALUES (%s, 2, true)', :asm),
    'not applicable without a score is fine');
-- the tree has any depth: a node under the small question (depth 3) is at depth 4, in its domain
INSERT INTO ismseval.questions (framework_id, parent_id, code, text) VALUES (1, :small_q, 'GV.OC-TAP-1', 'nested');
SELECT results_eq($$SELECT depth, domain_id, answer_kind FROM ismseval.questions WHERE code = 'GV.OC-TAP-1'$$,
                  $$VALUES (4, 1::bigint, 'score')$$, 'a node takes its depth and domain from its parent');
SELECT throws_ok('INSERT INTO ismseval.questions (framework_id, domain_id, parent_id, code, text) VALUES (1, 2, 1, ''ID.X'', ''x'')',
    '23514', 'requirement ID.X must be in the domain of its parent GV.OC', 'a node stays in the domain of its parent');
SELECT throws_ok(format($$INSERT INTO ismseval.incidents (organization_id, title, occurred_at, detected_at, resolved_at, severity)
                          VALUES (%s, 'i', '2026-01-02 10:00Z', '2026-01-02 10:00Z', '2026-01-02 09:00Z', 2)$$, :org_a),
    '23514', NULL, 'incident resolved before it occurred');
SELECT throws_like(format($$INSERT INTO ismseval.incidents (organization_id, title, occurred_at, detected_at, resolved_at, severity)
                            VALUES (%s, 'i', '2026-01-02 10:00Z', '2026-01-02 10:00Z', '2026-01-02 09:00Z', 2)$$, :org_a),
    '%violates check constraint "incidents_resolved_not_before_%', 'and the constraint named says so');
SELECT throws_ok(format($$INSERT INTO ismseval.incidents (organization_id, title, occurred_at, detected_at, severity)
                          VALUES (%s, 'i', '2026-01-02 10:00Z', '2026-01-01 10:00Z', 2)$$, :org_a),
    '23514', 'new row for relation "incidents" violates check constraint "incidents_detected_not_before_occurred"',
    'incident detected before it occurred');
SELECT throws_ok(format($$INSERT INTO ismseval.incidents (organization_id, title, occurred_at, severity)
                          VALUES (%s, 'i', '2026-01-02 10:00Z', 5)$$, :org_a),
    '23514', 'new row for relation "incidents" violates check constraint "incidents_severity_1_to_4"', 'severity off its scale');
SELECT throws_ok('INSERT INTO ismseval.kpi_measurements (kpi_id, measured_on, value) VALUES (987654321, ''2026-01-01'', 3)',
    '23503', 'insert or update on table "kpi_measurements" violates foreign key constraint "kpi_measurements_of_a_known_kpi"',
    'measurement for an unknown KPI');
SELECT throws_ok(format($$INSERT INTO ismseval.kpis (organization_id, code, name, direction, target)
                          VALUES (%s, 'k', 'k', 'higher_is_better', 0)$$, :org_a),
    '23514', NULL, 'a higher-is-better KPI needs a positive target');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact) VALUES (%s, 'r', 5, 1)$$, :org_a),
    '23514', 'likelihood of risk "r" must be between 1 and 4 (the organization''s risk matrix), got 5', 'likelihood off the matrix');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact) VALUES (%s, 'r', 1, 0)$$, :org_a),
    '23514', 'impact of risk "r" must be between 1 and 4 (the organization''s risk matrix), got 0', 'impact off the matrix');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, control_effectiveness)
                          VALUES (%s, 'r', 1, 1, 1.5)$$, :org_a),
    '23514', 'new row for relation "risks" violates check constraint "risks_control_effectiveness_0_to_1"', 'effectiveness above 1');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, treatment)
                          VALUES (%s, 'r', 1, 1, 'accept')$$, :org_a),
    '23514', 'new row for relation "risks" violates check constraint "risks_accepted_risk_has_owner_and_expiry"',
    'an accepted risk needs an owner and an expiry');
SELECT throws_ok(format($$INSERT INTO ismseval.assets (organization_id, name, information_type, location, confidentiality, integrity, availability)
                          VALUES (%s, 'a', 'x', 'server', 6, 1, 1)$$, :org_a),
    '23514', 'new row for relation "assets" violates check constraint "assets_confidentiality_1_to_5"', 'C rating off its scale');
SELECT throws_ok(format($$INSERT INTO ismseval.assets (organization_id, name, information_type, location, confidentiality, integrity, availability)
                          VALUES (%s, 'a', 'x', 'cloud', 1, 1, 1)$$, :org_a),
    '23514', 'new row for relation "assets" violates check constraint "assets_location_known"', 'unknown location');
SELECT throws_ok(format($$UPDATE ismseval.organizations SET risk_tolerance = 'severe' WHERE organization_id = %s$$, :org_a),
    '22023', NULL, 'tolerance must be a level of the matrix');
SELECT throws_ok(format('INSERT INTO ismseval.departments (organization_id, parent_id, name) VALUES (%s, %s, %L)', :org_a, :dept_b, 'a'),
    '23503', NULL, 'a department''s parent is in the same organization');
SELECT throws_ok(format('INSERT INTO ismseval.maturity_targets (organization_id, domain_id, target) VALUES (%s, 1, 4.5)', :org_a),
    '23514', 'target of domain GV must be between 1 and 4 (framework NIST-CSF-2.0), got 4.5', 'target off the scale');
SELECT throws_ok('UPDATE ismseval.frameworks SET name = ''mine'' WHERE framework_id = 1',
    '23514', 'preloaded row of ismseval.frameworks cannot be changed or deleted', 'preloaded rows are read-only');
SELECT throws_ok('DELETE FROM ismseval.threats WHERE code = ''IS-05''',
    '23514', 'preloaded row of ismseval.threats cannot be changed or deleted', 'preloaded threats cannot be deleted');
SELECT throws_ok('INSERT INTO ismseval.frameworks (code, name, preloaded) VALUES (''FAKE'', ''x'', true)',
    '23514', 'new row for relation "frameworks" violates check constraint "frameworks_preloaded_id_range"',
    'a user row cannot pose as preloaded (it would be left out of dumps)');
INSERT INTO risks (organization_id, title, likelihood, impact) VALUES (:org_a, 'four', 4, 4);
SELECT throws_ok(format($$UPDATE ismseval.organizations SET risk_matrix = ismseval.risk_matrix_from_jsonb(
    '{"probability": [{"name": "l"}, {"name": "h"}], "impact": [{"name": "l"}, {"name": "h"}],
      "risk": [{"name": "low", "hexcolor": "#00FF00"}, {"name": "medium", "hexcolor": "#FFFF00"}],
      "grid": [[0, 1], [1, 1]]}') WHERE organization_id = %s$$, :org_a),
    '23514', 'the new risk matrix of organization TAP-A does not fit risk "four" (likelihood 4, impact 4)',
    'a matrix its risks no longer fit is rejected');

-- load_csv ------------------------------------------------------------------------
SELECT current_setting('data_directory') || '/ismseval_tap_' || pg_backend_pid() AS f \gset
COPY (VALUES ('code,name,core_business,size_band,industry'), ('CSV-1,"Csv, one",regulated,large,finance'),
             ('CSV-2,Csv two,planning-competitive,small,')) TO :'f';
SELECT is(load_csv('organizations', :'f'), 2::bigint, 'good file: 2 rows loaded');
SELECT is((SELECT string_agg(code || '|' || name || '|' || coalesce(industry, '-'), ' ' ORDER BY code) FROM organizations WHERE code LIKE 'CSV-%'),
          'CSV-1|Csv, one|finance CSV-2|Csv two|-', 'with their values (quoted comma, empty = NULL)');
COPY (VALUES ('code,name,core_business,size_band'), ('CSV-3,three,regulated,large'), ('CSV-4,four,banking,large'),
             ('CSV-5,five,regulated,large')) TO :'f';
SELECT throws_ok(format('SELECT ismseval.load_csv(%L, %L)', 'organizations', :'f'), '23514',
    format('load_csv: %s: line 3: new row for relation "organizations" violates check constraint "organizations_core_business_known"', :'f'),
    'bad row reported by line number');
SELECT is((SELECT count(*) FROM organizations WHERE code IN ('CSV-3', 'CSV-4', 'CSV-5')), 0::bigint, 'nothing of the bad file loaded');
COPY (VALUES ('code,name,core_business,size_band'), ('CSV-6,six,regulated,large'), ('CSV-6,six again,regulated,large')) TO :'f';
SELECT throws_ok(format('SELECT ismseval.load_csv(%L, %L)', 'organizations', :'f'), '23505',
    format('load_csv: %s: line 3: duplicate key value violates unique constraint "organizations_code_key"', :'f'),
    'duplicate within the file: the second one is reported');
COPY (VALUES ('kpi_id,measured_on,value'), ('987654321,2026-01-31,4')) TO :'f';
SELECT throws_ok(format('SELECT ismseval.load_csv(%L, %L)', 'kpi_measurements', :'f'), '23503',
    format('load_csv: %s: line 2: insert or update on table "kpi_measurements" violates foreign key constraint "kpi_measurements_of_a_known_kpi"', :'f'),
    'measurement for an unknown KPI, by line');
COPY (VALUES ('organization_id,title,occurred_at,severity'), (:org_a || ',ok,2026-01-01 10:00Z,2'),
             (:org_a || ',bad date,2026-13-01 10:00Z,2')) TO :'f';
SELECT throws_ok(format('SELECT ismseval.load_csv(%L, %L)', 'incidents', :'f'), '22008', NULL, 'a bad timestamp keeps its SQLSTATE');
SELECT throws_like(format('SELECT ismseval.load_csv(%L, %L)', 'incidents', :'f'), format('load_csv: %s: line 3: %%', :'f'),
    'and is reported at line 3');
SELECT is((SELECT count(*) FROM incidents WHERE organization_id = :org_a), 0::bigint, 'the good incident row before it was not kept');
COPY (VALUES ('code,name,colour'), ('X,y,z')) TO :'f';
SELECT throws_ok(format('SELECT ismseval.load_csv(%L, %L)', 'organizations', :'f'), '22023',
    format('load_csv: %s: line 1: "colour" is not a column of table organizations', :'f'), 'unknown header column');
COPY (VALUES ('organization_id,name,information_type,location,confidentiality,integrity,availability,asset_value'),
             (:org_a || ',a,x,server,1,1,1,1')) TO :'f';
SELECT throws_ok(format('SELECT ismseval.load_csv(%L, %L)', 'assets', :'f'), '22023',
    format('load_csv: %s: line 1: column "asset_value" of table assets is computed and cannot be loaded', :'f'),
    'computed column in the header');
COPY (VALUES ('code,name,core_business,size_band'), ('CSV-7,seven,regulated,large'), ('CSV-8,eight,regulated')) TO :'f';
SELECT throws_ok(format('SELECT ismseval.load_csv(%L, %L)', 'organizations', :'f'), '22P04',
    format('load_csv: %s: line 3: missing data for column "size_band"', :'f'), 'short row reported by line');
SELECT throws_ok(format('SELECT ismseval.load_csv(%L, %L)', 'pg_authid', :'f'), '22023', NULL, 'only model tables can be loaded');
SELECT throws_ok('SELECT ismseval.load_csv(NULL, NULL)', '22004', NULL, 'NULL arguments');
SELECT is((SELECT count(*) FROM organizations WHERE code IN ('CSV-6', 'CSV-7', 'CSV-8')), 0::bigint, 'no bad file left rows behind');

SELECT * FROM finish();
ROLLBACK;
