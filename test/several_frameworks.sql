-- pgTAP: an organization that assessed two frameworks of different scales (1-4 and 0-100).
-- Every per-framework view row says which framework it is about (code and key), the
-- figures are those of that framework's own assessments, worked out by hand, and the
-- management review report has a headline row per framework.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(12);

-- ---------------------------------------------------------------------------
-- Framework FW4 on 1-4: domain A (A1, A2; S1 a yes/no question under A1), domain B (B1).
-- Framework FW100 on 0-100: domain C (C1 .. C4).
-- Organization M: FW4 on 2025-03-01 (A1 2, A2 2, B1 1) and on 2026-03-01 (A1 3, A2 4, B1 2,
-- S1 yes); FW100 on 2026-02-01 (C1 80, C2 45, C3 not applicable, C4 unanswered). Its
-- department Ops: FW4 on 2026-01-15 (A1 4, A2 2, B1 3).
-- ---------------------------------------------------------------------------
INSERT INTO frameworks (code, name, scale_min, scale_max, default_target) VALUES
    ('FW4', 'Four levels', 1, 4, 3), ('FW100', 'Percent scale', 0, 100, 75);
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT f.framework_id, v.d, 'Domain ' || v.d, v.o
FROM frameworks f JOIN (VALUES ('FW4', 'A', 1), ('FW4', 'B', 2), ('FW100', 'C', 1)) v(fw, d, o) ON v.fw = f.code;
INSERT INTO questions (framework_id, domain_id, code, text)
SELECT d.framework_id, d.domain_id, v.q, 'Question ' || v.q
FROM control_domains d
JOIN (VALUES ('A', 'A1'), ('A', 'A2'), ('B', 'B1'), ('C', 'C1'), ('C', 'C2'), ('C', 'C3'), ('C', 'C4')) v(d, q) ON v.d = d.code;
INSERT INTO questions (framework_id, domain_id, parent_id, code, text)
SELECT framework_id, domain_id, question_id, 'S1', 'Small question under A1' FROM questions WHERE code = 'A1';
INSERT INTO organizations (code, name, core_business, size_band) VALUES ('M', 'Org M', 'regulated', 'small');
INSERT INTO departments (organization_id, name) SELECT organization_id, 'Ops' FROM organizations WHERE code = 'M';
INSERT INTO assessments (organization_id, department_id, framework_id, assessed_on)
SELECT o.organization_id, CASE WHEN v.dept THEN d.department_id END, f.framework_id, v.day
FROM organizations o JOIN departments d USING (organization_id),
     (VALUES ('FW4', DATE '2025-03-01', false), ('FW4', '2026-03-01', false), ('FW100', '2026-02-01', false),
             ('FW4', '2026-01-15', true)) v(fw, day, dept)
JOIN frameworks f ON f.code = v.fw;
INSERT INTO answers (assessment_id, question_id, score, answer_yes, not_applicable)
SELECT a.assessment_id, q.question_id, v.score, v.yes, v.na
FROM (VALUES ('2025-03-01', 'A1', 2, NULL, false), ('2025-03-01', 'A2', 2, NULL, false), ('2025-03-01', 'B1', 1, NULL, false),
             ('2026-03-01', 'A1', 3, NULL, false), ('2026-03-01', 'A2', 4, NULL, false), ('2026-03-01', 'B1', 2, NULL, false),
             ('2026-03-01', 'S1', NULL, true, false),
             ('2026-02-01', 'C1', 80, NULL, false), ('2026-02-01', 'C2', 45, NULL, false), ('2026-02-01', 'C3', NULL, NULL, true),
             ('2026-01-15', 'A1', 4, NULL, false), ('2026-01-15', 'A2', 2, NULL, false), ('2026-01-15', 'B1', 3, NULL, false))
     v(day, q, score, yes, na)
JOIN assessments a ON a.assessed_on = v.day::date
JOIN questions q ON q.code = v.q AND q.framework_id = a.framework_id;

-- ---------------------------------------------------------------------------
-- 1. Every view that is about a framework names it by code and key.
-- ---------------------------------------------------------------------------
-- (a view with a column framework, or x_framework, also has framework_id, or x_framework_id)
SELECT is_empty($$SELECT c.table_name || '.' || c.column_name FROM information_schema.columns c
                  WHERE c.table_schema = 'ismseval' AND (c.column_name = 'framework' OR c.column_name LIKE '%\_framework')
                    AND c.table_name IN (SELECT table_name FROM information_schema.views WHERE table_schema = 'ismseval')
                    AND NOT EXISTS (SELECT FROM information_schema.columns k
                                    WHERE k.table_schema = c.table_schema AND k.table_name = c.table_name
                                      AND k.column_name = c.column_name || '_id')$$,
                'every view column naming a framework has its key beside it');
-- and in every row of every such view the code is that of the key (M's data and nothing else here)
CREATE FUNCTION pg_temp.framework_mismatches() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    c   record;
    n   bigint;
BEGIN
    FOR c IN SELECT table_name, column_name FROM information_schema.columns
             WHERE table_schema = 'ismseval' AND (column_name = 'framework' OR column_name LIKE '%\_framework')
               AND table_name IN (SELECT table_name FROM information_schema.views WHERE table_schema = 'ismseval') LOOP
        EXECUTE format('SELECT count(*) FROM ismseval.%I v LEFT JOIN ismseval.frameworks f ON f.framework_id = v.%I
                        WHERE v.%I IS DISTINCT FROM f.code', c.table_name, c.column_name || '_id', c.column_name) INTO n;
        IF n > 0 THEN RETURN NEXT c.table_name || '.' || c.column_name || ': ' || n; END IF;
    END LOOP;
END $$;
SELECT is_empty('SELECT * FROM pg_temp.framework_mismatches()', 'in every row the framework code is that of the framework key');

-- ---------------------------------------------------------------------------
-- 2. The figures, per framework
-- ---------------------------------------------------------------------------
-- FW4 latest (2026-03-01): A (3 + 4) / 2 = 3.5, B 2; total 2 x 3.5 + 1 x 2 = 9 of 3 requirements;
--   % of the scale 100 x (9 / 3 - 1) / (4 - 1) = 200/3 = 66.67; mean (3 + 4 + 2) / 3 = 3;
--   coverage 3 / 3 = 100; weakest domain B.
-- FW100 (2026-02-01): C mean (80 + 45) / 2 = 62.5 (C3 not applicable, C4 unanswered); total 4 x 62.5
--   = 250; % 100 x (250 / 4 - 0) / 100 = 62.5; coverage 2 answered / 3 applicable = 66.67.
SELECT results_eq($$SELECT m.framework, m.framework_id = f.framework_id, m.assessed_on, m.total_score, m.mean_score,
                           round(m.total_percentage::numeric, 10), round(m.coverage::numeric, 10), m.weakest_domain
                    FROM management_review m JOIN frameworks f ON f.code = m.framework
                    WHERE m.organization = 'M' ORDER BY m.framework$$,
                  $$VALUES ('FW100', true, DATE '2026-02-01', 250::double precision, 62.5::double precision,
                            62.5000000000, round(200 / 3.0, 10), 'C'),
                           ('FW4', true, DATE '2026-03-01', 9, 3, round(200 / 3.0, 10), 100.0000000000, 'B')$$,
                  'management_review: one row per framework, each from its own latest assessment on its own scale');
SELECT results_eq($$SELECT framework, scored_questions, applicable_questions, answered_questions,
                           round(total_percentage::numeric, 10)
                    FROM org_benchmark WHERE organization = 'M' ORDER BY framework$$,
                  $$VALUES ('FW100', 4::bigint, 3::bigint, 2::bigint, 62.5000000000),
                           ('FW4', 3::bigint, 3::bigint, 3::bigint, round(200 / 3.0, 10))$$,
                  'org_benchmark: FW100 4 scored, 3 applicable, 2 answered; FW4 3, 3, 3');
-- maturity_by_domain: A 3.5 -> 100 x 2.5 / 3 = 83.33 %; B 2 -> 33.33 %; C 62.5 -> 62.5 %
SELECT results_eq($$SELECT framework, domain, own_score, round(own_percentage::numeric, 10), scale_min, scale_max
                    FROM maturity_by_domain WHERE organization = 'M' ORDER BY framework, display_order$$,
                  $$VALUES ('FW100', 'C', 62.5::double precision, 62.5000000000, 0, 100),
                           ('FW4', 'A', 3.5, round(250 / 3.0, 10), 1, 4),
                           ('FW4', 'B', 2, round(100 / 3.0, 10), 1, 4)$$,
                  'maturity_by_domain: each domain on its framework''s scale');
-- maturity_history: FW4 2025 A 2 (33.33 %), B 1 (0 %); 2026 A 3.5 (+1.5), B 2 (+1); FW100 C 62.5 (no previous)
SELECT results_eq($$SELECT framework, assessed_on, domain, score, round(percentage::numeric, 10), change_vs_previous
                    FROM maturity_history WHERE organization = 'M' ORDER BY framework, assessed_on, display_order$$,
                  $$VALUES ('FW100', DATE '2026-02-01', 'C', 62.5::double precision, 62.5000000000, NULL::double precision),
                           ('FW4', '2025-03-01', 'A', 2, round(100 / 3.0, 10), NULL),
                           ('FW4', '2025-03-01', 'B', 1, 0.0000000000, NULL),
                           ('FW4', '2026-03-01', 'A', 3.5, round(250 / 3.0, 10), 1.5),
                           ('FW4', '2026-03-01', 'B', 2, round(100 / 3.0, 10), 1)$$,
                  'maturity_history: each assessment against the previous one of the same framework');
-- department_maturity: Ops FW4 A (4 + 2) / 2 = 3, B 3
SELECT results_eq($$SELECT framework, framework_id = (SELECT framework_id FROM frameworks WHERE code = 'FW4'), domain, score
                    FROM department_maturity WHERE organization = 'M' ORDER BY display_order$$,
                  $$VALUES ('FW4', true, 'A', 3::double precision), ('FW4', true, 'B', 3)$$,
                  'department_maturity names its framework by code and key');
SELECT results_eq($$SELECT framework, question, own_answer_yes FROM question_peer_rate WHERE organization = 'M'$$,
                  $$VALUES ('FW4', 'S1', true)$$, 'question_peer_rate: the yes/no question of FW4');

-- ---------------------------------------------------------------------------
-- 3. The report: a headline row per framework (in code order), the report's own framework marked.
-- FW4: 66.7 %, previous 2025-03-01 total 2 x 2 + 1 = 5: 100 x (5 / 3 - 1) / 3 = 22.22 %, change
-- 200/3 - 200/9 = 44.44 -> +44.4 points, coverage 100 %. FW100: 62.5 %, no previous, 67 %.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE report AS
SELECT f.code AS asked, management_review_html(o.organization_id, f.framework_id) AS html
FROM organizations o, frameworks f WHERE o.code = 'M' AND f.code IN ('FW4', 'FW100')
UNION ALL SELECT 'default', management_review_html(organization_id) FROM organizations WHERE code = 'M';
CREATE FUNCTION pg_temp.headline(html text) RETURNS text LANGUAGE sql AS $$
    SELECT btrim(substring(html FROM '<h2>Headline figures</h2><table>(.*?)</table>'), chr(10)) $$;
SELECT is((SELECT pg_temp.headline(html) FROM report WHERE asked = 'default'),
          '<tr><th>Framework</th><th>Assessed</th><th class="n">Maturity (total, % of the scale)</th>'
          '<th class="n">change since the previous assessment (points)</th><th class="n">Coverage</th></tr>' || chr(10)
          || '<tr><td>FW100 Percent scale</td><td class="d">' || DATE '2026-02-01' || '</td><td class="n">62.5 %</td><td class="n">&#8211;</td><td class="n">67 %</td></tr>' || chr(10)
          || '<tr class="this"><td>FW4 Four levels</td><td class="d">' || DATE '2026-03-01' || '</td><td class="n">66.7 %</td><td class="n pos">+44.4</td><td class="n">100 %</td></tr>',
          'the report''s headline: FW100 62.5 %, coverage 67 %; FW4 66.7 %, +44.4 points, 100 % (the default framework, the latest assessed, marked)');
SELECT ok((SELECT pg_temp.headline(html) LIKE '%<tr class="this"><td>FW100 %' AND pg_temp.headline(html) LIKE '%<tr><td>FW4 %'
           AND html LIKE '%<h2>Maturity by domain and changes since the last review (FW100)</h2>%'
           FROM report WHERE asked = 'FW100'),
          'asked for FW100: the same two rows, FW100 marked, and the sections below name FW100');
SELECT is((SELECT html FROM report WHERE asked = 'FW4'), (SELECT html FROM report WHERE asked = 'default'),
          'asked for FW4: the default report');
SELECT ok((SELECT bool_and(xml_is_well_formed_document(html)) FROM report), 'the reports are well-formed');

SELECT * FROM finish();
ROLLBACK;
