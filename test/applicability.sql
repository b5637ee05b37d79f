-- pgTAP: the Statement of Applicability (applicability_statements, statement_of_applicability)
-- and coverage of a framework through another's answers (framework_mapping_requirements,
-- framework_mapping_coverage). Every figure is worked out by hand from the rules in
-- src/sql/applicability.sql (README "Statement of Applicability and framework mappings").
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(39);

-- ---------------------------------------------------------------------------
-- Data. Framework S on 1-4 (the source, and the one with a SoA): domain SD with a grouping
-- node SG (not assessable) and under it S1 .. S9. Framework T on 0-100 with
-- partially_compliant_pct 40 (the target): domain TD, grouping node TG, T1 .. T9 under it,
-- T6 of weight 2. Framework V on 1-4 (SoA rows only, never assessed): V1, V2.
-- Organization O's assessments of S: 2026-01-10 (S1 1; ignored, older) and 2026-03-10:
--   S1 4, S2 2, S3 1, S4 not applicable, S5 not_assessed, S6 unanswered, S7 result
--   compliant (no score), S8 4, S9 3. A department of O assessed S on 2026-04-01 (S6 4;
--   ignored: not organization-wide). Organization N assessed nothing.
-- ---------------------------------------------------------------------------
INSERT INTO frameworks (code, name, scale_min, scale_max) VALUES ('S', 'Source', 1, 4), ('V', 'Only a SoA', 1, 4);
INSERT INTO frameworks (code, name, scale_min, scale_max, default_target, partially_compliant_pct)
VALUES ('T', 'Target', 0, 100, 50, 40);
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT framework_id, code || 'D', 'Domain of ' || code, 1 FROM frameworks WHERE code IN ('S', 'T', 'V');
INSERT INTO questions (framework_id, domain_id, code, text, name, assessable)
SELECT d.framework_id, d.domain_id, f.code || 'G', 'Group of ' || f.code, 'Section ' || f.code, false
FROM control_domains d JOIN frameworks f USING (framework_id) WHERE f.code IN ('S', 'T', 'V');
INSERT INTO questions (framework_id, domain_id, parent_id, code, ref_id, text, weight)
SELECT g.framework_id, g.domain_id, g.question_id, f.code || n, f.code || '.' || n, 'Requirement ' || f.code || n,
       CASE WHEN f.code || n = 'T6' THEN 2 ELSE 1 END
FROM questions g JOIN frameworks f USING (framework_id),
     generate_series(1, 9) n
WHERE g.code IN ('SG', 'TG') OR g.code = 'VG' AND n <= 2;
INSERT INTO organizations (code, name, core_business, size_band)
VALUES ('O', 'Org O', 'regulated', 'small'), ('N', 'Org N', 'regulated', 'small'), ('B', 'Org B', 'regulated', 'small');
INSERT INTO departments (organization_id, name) SELECT organization_id, 'IT' FROM organizations WHERE code = 'O';
INSERT INTO assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, d
FROM organizations o, frameworks f, (VALUES (DATE '2026-01-10'), ('2026-03-10')) v(d)
WHERE o.code = 'O' AND f.code = 'S';
INSERT INTO assessments (organization_id, department_id, framework_id, assessed_on)
SELECT d.organization_id, d.department_id, f.framework_id, DATE '2026-04-01' FROM departments d, frameworks f WHERE f.code = 'S';
INSERT INTO answers (assessment_id, question_id, score, result, not_applicable)
SELECT a.assessment_id, q.question_id, v.score, v.result, v.na
FROM (VALUES ('S1', 4, NULL, false), ('S2', 2, NULL, false), ('S3', 1, NULL, false), ('S4', NULL, NULL, true),
             ('S5', NULL, 'not_assessed', false), ('S7', NULL, 'compliant', false), ('S8', 4, NULL, false),
             ('S9', 3, NULL, false)) v(q, score, result, na)
JOIN questions q ON q.code = v.q
JOIN assessments a ON a.framework_id = q.framework_id AND a.assessed_on = '2026-03-10';
INSERT INTO answers (assessment_id, question_id, score)
SELECT a.assessment_id, q.question_id, v.score
FROM (VALUES ('S1', DATE '2026-01-10', 1), ('S6', '2026-04-01', 4)) v(q, d, score)
JOIN questions q ON q.code = v.q JOIN assessments a ON a.framework_id = q.framework_id AND a.assessed_on = v.d;

-- Mappings of set "S to T" (source -> target, relationship):
--   T1 <- S1 equal;  T2 <- S1 subset;  T3 <- S1 equal, S3 intersect;  T4 <- S4 equal;
--   T5 <- S4 superset;  T6 <- S2 superset, S7 equal;  T7 <- S5 equal, S1 equal;
--   T8 <- S6 intersect, S3 not_related;  T9 <- SG equal (SG is not assessable).
INSERT INTO requirement_mapping_sets (name, source_framework_id, target_framework_id)
SELECT 'S to T', s.framework_id, t.framework_id FROM frameworks s, frameworks t WHERE s.code = 'S' AND t.code = 'T';
INSERT INTO requirement_mappings (mapping_set_id, source_framework_id, source_question_id, target_framework_id,
                                  target_question_id, relationship)
SELECT m.mapping_set_id, s.framework_id, s.question_id, t.framework_id, t.question_id, v.rel
FROM (VALUES ('T1', 'S1', 'equal'), ('T2', 'S1', 'subset'), ('T3', 'S1', 'equal'), ('T3', 'S3', 'intersect'),
             ('T4', 'S4', 'equal'), ('T5', 'S4', 'superset'), ('T6', 'S2', 'superset'), ('T6', 'S7', 'equal'),
             ('T7', 'S5', 'equal'), ('T7', 'S1', 'equal'), ('T8', 'S6', 'intersect'), ('T8', 'S3', 'not_related'),
             ('T9', 'SG', 'equal')) v(t, s, rel)
JOIN questions s ON s.code = v.s JOIN questions t ON t.code = v.t, requirement_mapping_sets m;

-- O's Statement of Applicability for S (and V1 of V):
--   S1 applicable implemented;  S2 applicable implemented ("Risk R-3");  S3 applicable implemented;
--   S4 applicable partially_implemented;  S5 excluded "No development";  S6 excluded "No suppliers";
--   S7 excluded "Outsourced";  S8 applicable planned;  S9 no row.  V1 excluded "No cloud".
INSERT INTO applicability_statements (organization_id, framework_id, question_id, applicable, justification,
                                      implementation_status, owner, reviewed_on)
SELECT o.organization_id, q.framework_id, q.question_id, v.app, v.j, v.st, 'CISO', DATE '2026-03-15'
FROM (VALUES ('S1', true, NULL, 'implemented'), ('S2', true, 'Risk R-3', 'implemented'),
             ('S3', true, NULL, 'implemented'), ('S4', true, NULL, 'partially_implemented'),
             ('S5', false, 'No development', NULL), ('S6', false, 'No suppliers', NULL),
             ('S7', false, 'Outsourced', NULL), ('S8', true, NULL, 'planned'), ('V1', false, 'No cloud', NULL)) v(q, app, j, st)
JOIN questions q ON q.code = v.q, organizations o WHERE o.code = 'O';

-- ---------------------------------------------------------------------------
-- 1. The rules
-- ---------------------------------------------------------------------------
-- answer_result on 1-4: a result wins; else 4 (top) compliant, 1 (bottom) non_compliant, 2 and 3 between.
SELECT results_eq($$SELECT answer_result(4, NULL, 1, 4), answer_result(1, NULL, 1, 4), answer_result(2, NULL, 1, 4),
                           answer_result(3, 'compliant', 1, 4), answer_result(NULL, 'not_assessed', 1, 4),
                           answer_result(NULL, NULL, 1, 4), answer_result(0, NULL, 0, 100)$$,
                  $$VALUES ('compliant', 'non_compliant', 'partially_compliant', 'compliant', 'not_assessed',
                            NULL::text, 'non_compliant')$$,
                  'answer_result: the result, else top compliant, bottom non_compliant, between partially_compliant');
-- mapped_result, every relationship x every result (the table of the README).
SELECT set_eq($$SELECT r, x, mapped_result(r, x)
                FROM unnest('{equal,superset,subset,intersect,not_related}'::text[]) r,
                     unnest('{compliant,partially_compliant,non_compliant,not_assessed,not_applicable}'::text[]) x$$,
              $$VALUES ('equal', 'compliant', 'compliant'), ('equal', 'partially_compliant', 'partially_compliant'),
                       ('equal', 'non_compliant', 'non_compliant'), ('equal', 'not_assessed', 'not_assessed'),
                       ('equal', 'not_applicable', 'not_applicable'),
                       ('superset', 'compliant', 'compliant'), ('superset', 'partially_compliant', 'partially_compliant'),
                       ('superset', 'non_compliant', 'non_compliant'), ('superset', 'not_assessed', 'not_assessed'),
                       ('superset', 'not_applicable', NULL),
                       ('subset', 'compliant', 'partially_compliant'), ('subset', 'partially_compliant', 'partially_compliant'),
                       ('subset', 'non_compliant', 'non_compliant'), ('subset', 'not_assessed', 'not_assessed'),
                       ('subset', 'not_applicable', NULL),
                       ('intersect', 'compliant', 'partially_compliant'), ('intersect', 'partially_compliant', 'partially_compliant'),
                       ('intersect', 'non_compliant', 'non_compliant'), ('intersect', 'not_assessed', 'not_assessed'),
                       ('intersect', 'not_applicable', NULL),
                       ('not_related', 'compliant', NULL), ('not_related', 'partially_compliant', NULL),
                       ('not_related', 'non_compliant', NULL), ('not_related', 'not_assessed', NULL),
                       ('not_related', 'not_applicable', NULL)$$,
              'mapped_result: equal and superset pass the result on (not_applicable only equal), subset and intersect cap at partially_compliant, not_related says nothing');
SELECT is((SELECT string_agg(x, ' < ' ORDER BY result_rank(x))
           FROM unnest('{compliant,not_applicable,non_compliant,not_assessed,partially_compliant}'::text[]) x),
          'non_compliant < partially_compliant < not_assessed < compliant < not_applicable',
          'result_rank: the order results combine in, weakest first');

-- ---------------------------------------------------------------------------
-- 2. Bad SoA rows are rejected
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.soa_insert(q text, applicable boolean, justification text, status text DEFAULT NULL,
                                   org text DEFAULT 'N', fw text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO ismseval.applicability_statements (organization_id, framework_id, question_id, applicable,
                                                   justification, implementation_status)
    SELECT o.organization_id, COALESCE((SELECT f.framework_id FROM ismseval.frameworks f WHERE f.code = fw), qq.framework_id),
           qq.question_id, applicable, justification, status
    FROM ismseval.organizations o, ismseval.questions qq WHERE o.code = org AND qq.code = q $$;
SELECT throws_ok($$SELECT pg_temp.soa_insert('S1', false, NULL)$$, '23514',
                 'new row for relation "applicability_statements" violates check constraint "applicability_statements_exclusion_justified"',
                 'an exclusion needs a justification');
SELECT throws_ok($$SELECT pg_temp.soa_insert('S1', false, '   ')$$, '23514', NULL,
                 'a blank justification is none');
SELECT lives_ok($$SELECT pg_temp.soa_insert('S1', true, NULL)$$, 'an inclusion needs none');
SELECT throws_ok($$SELECT pg_temp.soa_insert('S2', true, NULL, 'done')$$, '23514',
                 'new row for relation "applicability_statements" violates check constraint "applicability_statements_implementation_status_known"',
                 'implementation_status is one of the four');
SELECT throws_ok($$SELECT pg_temp.soa_insert('SG', true, NULL)$$, '23514',
                 'requirement SG is not assessable: it has no place in the Statement of Applicability',
                 'a grouping node (not assessable) takes no SoA row');
SELECT throws_ok($$SELECT pg_temp.soa_insert('S2', true, NULL, NULL, 'N', 'T')$$, '23503', NULL,
                 'the requirement must be of the row''s framework');
SELECT throws_ok($$SELECT pg_temp.soa_insert('S1', true, NULL)$$, '23505', NULL,
                 'one row per organization and requirement');
SELECT throws_ok($$UPDATE applicability_statements SET applicable = false
                   WHERE organization_id = (SELECT organization_id FROM organizations WHERE code = 'N')$$, '23514', NULL,
                 'an update that excludes without a justification is rejected too');
DELETE FROM applicability_statements WHERE organization_id = (SELECT organization_id FROM organizations WHERE code = 'N');

-- ---------------------------------------------------------------------------
-- 3. statement_of_applicability
-- ---------------------------------------------------------------------------
-- S (latest organization-wide assessment 2026-03-10, scale 1-4, percentage 100 x (score - 1) / 3):
--   S1 4 compliant 100, implemented: consistent.   S2 2 partially 33.33, implemented: consistent.
--   S3 1 non_compliant 0, implemented: "implemented but answered non_compliant".
--   S4 not_applicable (no percentage), applicable: "applicable but answered not_applicable".
--   S5 not_assessed, excluded: consistent (not an answer).  S6 unanswered (the department's 4 is
--   not organization-wide), excluded: consistent.  S7 compliant without a score: compliant_pct 100,
--   excluded: "excluded but answered compliant".  S8 4 compliant 100, planned: "planned but
--   answered compliant".  S9 3 partially 66.67, no row: not decided, consistent NULL.
-- V (SoA rows only): V1 excluded, V2 not decided; no assessment.
SELECT results_eq($$SELECT framework, code, ref_id, name, parent_code, parent_name, applicable, implementation_status,
                           result, score, round(percentage::numeric, 2), consistent, inconsistency
                    FROM statement_of_applicability WHERE organization = 'O' ORDER BY framework, code$$,
                  $$VALUES ('S', 'S1', 'S.1', 'Requirement S1', 'SG', 'Section S', true, 'implemented', 'compliant', 4, 100.00, true, NULL),
                           ('S', 'S2', 'S.2', 'Requirement S2', 'SG', 'Section S', true, 'implemented', 'partially_compliant', 2, 33.33, true, NULL),
                           ('S', 'S3', 'S.3', 'Requirement S3', 'SG', 'Section S', true, 'implemented', 'non_compliant', 1, 0.00, false,
                            'implemented but answered non_compliant'),
                           ('S', 'S4', 'S.4', 'Requirement S4', 'SG', 'Section S', true, 'partially_implemented', 'not_applicable', NULL, NULL, false,
                            'applicable but answered not_applicable'),
                           ('S', 'S5', 'S.5', 'Requirement S5', 'SG', 'Section S', false, NULL, 'not_assessed', NULL, NULL, true, NULL),
                           ('S', 'S6', 'S.6', 'Requirement S6', 'SG', 'Section S', false, NULL, NULL, NULL, NULL, true, NULL),
                           ('S', 'S7', 'S.7', 'Requirement S7', 'SG', 'Section S', false, NULL, 'compliant', NULL, 100.00, false,
                            'excluded but answered compliant'),
                           ('S', 'S8', 'S.8', 'Requirement S8', 'SG', 'Section S', true, 'planned', 'compliant', 4, 100.00, false,
                            'planned but answered compliant'),
                           ('S', 'S9', 'S.9', 'Requirement S9', 'SG', 'Section S', NULL, NULL, 'partially_compliant', 3, 66.67, NULL, NULL),
                           ('V', 'V1', 'V.1', 'Requirement V1', 'VG', 'Section V', false, NULL, NULL, NULL, NULL, true, NULL),
                           ('V', 'V2', 'V.2', 'Requirement V2', 'VG', 'Section V', NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                  'O''s SoA: every assessable requirement of S and V, the latest organization-wide answer and the hand-worked consistency');
SELECT results_eq($$SELECT DISTINCT framework, assessment_id, assessed_on, justification IS NOT NULL
                    FROM statement_of_applicability WHERE organization = 'O' AND code IN ('S5', 'V1') ORDER BY 1$$,
                  $$SELECT 'S', (SELECT a.assessment_id FROM assessments a JOIN frameworks f USING (framework_id)
                                  WHERE f.code = 'S' AND a.assessed_on = '2026-03-10'), DATE '2026-03-10', true
                    UNION ALL SELECT 'V', NULL::bigint, NULL::date, true$$,
                  'the SoA reads the latest organization-wide assessment; V, never assessed, has none');
SELECT is((SELECT count(*) FROM statement_of_applicability WHERE organization IN ('N', 'B')), 0::bigint,
          'an organization with neither an assessment nor a SoA row has no SoA rows');
SELECT is((SELECT string_agg(DISTINCT framework || '=' || framework_id, ',' ORDER BY framework || '=' || framework_id)
           FROM statement_of_applicability),
          (SELECT string_agg(code || '=' || framework_id, ',' ORDER BY code) FROM frameworks WHERE code IN ('S', 'V')),
          'each row names its framework by code and key');

-- ---------------------------------------------------------------------------
-- 4. framework_mapping_requirements and framework_mapping_coverage
-- ---------------------------------------------------------------------------
-- Source results (latest assessment): S1 compliant, S2 partially, S3 non_compliant, S4 not_applicable,
-- S5 not_assessed, S6 unanswered -> not_assessed, S7 compliant. Target percentages: compliant 100,
-- partially 40 (T's partially_compliant_pct), non_compliant 0.
--   T1 S1 equal compliant                        -> compliant 100, covered
--   T2 S1 subset compliant -> partially          -> partially_compliant 40, covered
--   T3 min(S1 equal compliant, S3 intersect non) -> non_compliant 0, covered
--   T4 S4 equal not_applicable                   -> not_applicable, covered, no percentage
--   T5 S4 superset not_applicable: says nothing  -> none, not covered (1 mapped source)
--   T6 min(S2 superset partially, S7 equal compliant) -> partially_compliant 40 (weight 2), covered
--   T7 min(S5 equal not_assessed, S1 equal compliant) -> not_assessed, not covered
--   T8 S6 intersect not_assessed (S3 not_related ignored) -> not_assessed, not covered
--   T9 SG is not assessable: no mapped source    -> none, not covered
SELECT results_eq($$SELECT code, mapped_sources, sources, inferred_result, inferred_percentage, covered
                    FROM framework_mapping_requirements WHERE organization = 'O' ORDER BY code$$,
                  $$VALUES ('T1', 1::bigint, 'S1 equal compliant', 'compliant', 100::double precision, true),
                           ('T2', 1::bigint, 'S1 subset compliant', 'partially_compliant', 40, true),
                           ('T3', 2::bigint, 'S1 equal compliant; S3 intersect non_compliant', 'non_compliant', 0, true),
                           ('T4', 1::bigint, 'S4 equal not_applicable', 'not_applicable', NULL, true),
                           ('T5', 1::bigint, 'S4 superset not_applicable', NULL, NULL, false),
                           ('T6', 2::bigint, 'S2 superset partially_compliant; S7 equal compliant', 'partially_compliant', 40, true),
                           ('T7', 2::bigint, 'S1 equal compliant; S5 equal not_assessed', 'not_assessed', NULL, false),
                           ('T8', 1::bigint, 'S6 intersect not_assessed', 'not_assessed', NULL, false),
                           ('T9', 0::bigint, NULL, NULL, NULL, false)$$,
                  'per target requirement: mapped sources, their results, the weakest mapped result and its percentage');
-- 9 target requirements (TG is not assessable), 8 with a mapped source (not T9), covered T1 T2 T3
-- T4 T6 = 5: coverage 100 x 5 / 9 = 55.56; inferred percentage (1 x 100 + 1 x 40 + 1 x 0 + 2 x 40)
-- / (1 + 1 + 1 + 2) = 220 / 5 = 44 (T4, not applicable, has none).
SELECT results_eq($$SELECT mapping_set, source_framework, source_assessed_on, target_framework, target_requirements,
                           mapped_requirements, covered_requirements, compliant, partially_compliant, non_compliant,
                           not_applicable, inferred_percentage, round(coverage::numeric, 10)
                    FROM framework_mapping_coverage WHERE organization = 'O'$$,
                  $$VALUES ('S to T', 'S', DATE '2026-03-10', 'T', 9::bigint, 8::bigint, 5::bigint, 1::bigint, 2::bigint,
                            1::bigint, 1::bigint, 44::double precision, round(500 / 9.0, 10))$$,
                  'coverage of T through O''s S answers: 5 of 9 covered (55.56 %), inferred 220 / 5 = 44 %');
SELECT results_eq($$SELECT source_framework_id, target_framework_id, source_assessment_id FROM framework_mapping_coverage$$,
                  $$SELECT s.framework_id, t.framework_id, a.assessment_id FROM frameworks s, frameworks t, assessments a
                    WHERE s.code = 'S' AND t.code = 'T' AND a.framework_id = s.framework_id AND a.assessed_on = '2026-03-10'$$,
                  'only O, which assessed S, has a coverage row: with the frameworks'' keys and its latest organization-wide assessment');
-- A second source requirement that is compliant does not lift T3: the weakest result wins.
INSERT INTO requirement_mappings (mapping_set_id, source_framework_id, source_question_id, target_framework_id,
                                  target_question_id, relationship)
SELECT m.mapping_set_id, s.framework_id, s.question_id, t.framework_id, t.question_id, 'equal'
FROM requirement_mapping_sets m, questions s, questions t WHERE s.code = 'S8' AND t.code = 'T3';
SELECT is((SELECT inferred_result FROM framework_mapping_requirements WHERE code = 'T3'), 'non_compliant',
          'T3 with a third, compliant source is still non_compliant');
-- Answering S5 (2 -> partially) moves T7 from not_assessed to partially_compliant: covered 6 of 9,
-- inferred (100 + 40 + 0 + 2 x 40 + 40) / 6 = 260 / 6.
UPDATE answers SET score = 2, result = NULL
WHERE question_id = (SELECT question_id FROM questions WHERE code = 'S5')
  AND assessment_id = (SELECT assessment_id FROM assessments WHERE assessed_on = '2026-03-10');
SELECT results_eq($$SELECT covered_requirements, round(inferred_percentage::numeric, 10), round(coverage::numeric, 10)
                    FROM framework_mapping_coverage$$,
                  $$VALUES (6::bigint, round(260 / 6.0, 10), round(600 / 9.0, 10))$$,
                  'answering S5 (score 2) covers T7: 6 of 9, inferred 260 / 6');

-- ---------------------------------------------------------------------------
-- 5. Tenants. soa_alice (soa_alpha) has O, soa_bob (soa_beta) has B; soa_mallory nothing;
--    soa_ada administers. B has a SoA row for S1 and S2 and an assessment of S.
-- ---------------------------------------------------------------------------
CREATE ROLE soa_alpha NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE soa_beta NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE soa_alice IN ROLE soa_alpha;
CREATE ROLE soa_bob IN ROLE soa_beta;
CREATE ROLE soa_mallory IN ROLE ismseval_tenant;
CREATE ROLE soa_ada IN ROLE ismseval_admin;
INSERT INTO tenant_organizations (tenant_role, organization_id)
SELECT v.r::regrole, o.organization_id FROM (VALUES ('soa_alpha', 'O'), ('soa_beta', 'B')) v(r, c)
JOIN organizations o ON o.code = v.c;
INSERT INTO applicability_statements (organization_id, framework_id, question_id, applicable, justification)
SELECT o.organization_id, q.framework_id, q.question_id, q.code = 'S1', 'Beta''s reason'
FROM organizations o, questions q WHERE o.code = 'B' AND q.code IN ('S1', 'S2');
INSERT INTO assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, DATE '2026-03-01' FROM organizations o, frameworks f WHERE o.code = 'B' AND f.code = 'S';
CREATE TEMP TABLE ids AS
SELECT (SELECT organization_id FROM organizations WHERE code = 'O') AS o,
       (SELECT organization_id FROM organizations WHERE code = 'B') AS b,
       (SELECT framework_id FROM frameworks WHERE code = 'S') AS s,
       (SELECT question_id FROM questions WHERE code = 'S9') AS s9,
       (SELECT question_id FROM questions WHERE code = 'S1') AS s1;
GRANT SELECT ON ids TO PUBLIC;
-- Runs a statement; returns the number of rows it affected.
CREATE FUNCTION pg_temp.rows_affected(statement text) RETURNS bigint
LANGUAGE plpgsql AS $$ DECLARE n bigint; BEGIN EXECUTE statement; GET DIAGNOSTICS n = ROW_COUNT; RETURN n; END $$;
-- What the calling role sees of B, the other tenant's organization: SoA rows and view rows.
CREATE FUNCTION pg_temp.foreign_rows_seen() RETURNS bigint LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM ismseval.applicability_statements WHERE organization_id = (SELECT b FROM ids))
         + (SELECT count(*) FROM ismseval.statement_of_applicability WHERE organization_id = (SELECT b FROM ids))
         + (SELECT count(*) FROM ismseval.framework_mapping_requirements WHERE organization_id = (SELECT b FROM ids))
         + (SELECT count(*) FROM ismseval.framework_mapping_coverage WHERE organization_id = (SELECT b FROM ids)) $$;
-- Tries to write B's SoA: insert, update, delete, move an own row there. Returns what got through.
CREATE FUNCTION pg_temp.foreign_writes() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    got text := '';
    n   bigint;
BEGIN
    BEGIN
        INSERT INTO ismseval.applicability_statements (organization_id, framework_id, question_id, applicable)
        SELECT b, s, s9, true FROM ids;
        got := got || 'insert ';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    UPDATE ismseval.applicability_statements SET justification = 'defaced' WHERE organization_id = (SELECT b FROM ids);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN got := got || 'update '; END IF;
    DELETE FROM ismseval.applicability_statements WHERE organization_id = (SELECT b FROM ids) AND applicable;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN got := got || 'delete '; END IF;
    BEGIN
        UPDATE ismseval.applicability_statements SET organization_id = (SELECT b FROM ids)
        WHERE organization_id = (SELECT o FROM ids) AND question_id = (SELECT s1 FROM ids);
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 THEN got := got || 'move '; END IF;
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    RETURN NULLIF(got, '');
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.rows_affected(text), pg_temp.foreign_rows_seen(), pg_temp.foreign_writes() TO PUBLIC;

SET ROLE soa_alice;
SELECT is((SELECT count(*) FROM applicability_statements), 9::bigint, 'soa_alice sees O''s 9 SoA rows');
SELECT is((SELECT count(DISTINCT organization_id) FROM statement_of_applicability), 1::bigint,
          'and only O in statement_of_applicability');
SELECT is(pg_temp.foreign_rows_seen(), 0::bigint,
          'she sees none of B''s SoA rows, in the table or through any of the three views');
SELECT throws_ok($$INSERT INTO applicability_statements (organization_id, framework_id, question_id, applicable)
                   SELECT b, s, s9, true FROM ids$$,
                 '42501', 'new row violates row-level security policy for table "applicability_statements"',
                 'she cannot insert a SoA row for B');
SELECT is(pg_temp.rows_affected($$UPDATE applicability_statements SET justification = 'defaced'
                                  WHERE organization_id = (SELECT b FROM ids)$$), 0::bigint,
          'her UPDATE of B''s rows changes none');
SELECT is(pg_temp.rows_affected($$DELETE FROM applicability_statements WHERE organization_id = (SELECT b FROM ids)$$),
          0::bigint, 'her DELETE of B''s rows deletes none');
SELECT throws_ok($$UPDATE applicability_statements SET organization_id = (SELECT b FROM ids)
                   WHERE organization_id = (SELECT o FROM ids) AND question_id = (SELECT s1 FROM ids)$$,
                 '42501', NULL, 'she cannot move her row into B');
SELECT throws_ok('TRUNCATE applicability_statements', '42501', NULL, 'nor truncate the table');
SELECT is(pg_temp.rows_affected($$UPDATE applicability_statements SET reviewed_on = DATE '2026-06-30'
                                  WHERE organization_id = (SELECT o FROM ids)$$), 9::bigint,
          'she updates her own 9 rows');
SELECT lives_ok($$INSERT INTO applicability_statements (organization_id, framework_id, question_id, applicable)
                  SELECT o, s, s9, true FROM ids$$, 'and adds her own');
SELECT is(pg_temp.foreign_writes(), NULL, 'none of her writes to B''s rows got through (insert, update, delete, move)');
SET ROLE soa_mallory;
SELECT is((SELECT count(*) FROM applicability_statements) + (SELECT count(*) FROM statement_of_applicability)
          + (SELECT count(*) FROM framework_mapping_coverage), 0::bigint,
          'a tenant mapped to nothing sees no SoA row, SoA view row or coverage row');
SET ROLE soa_ada;
SELECT is((SELECT count(*) FROM applicability_statements), 12::bigint,
          'an administrator sees every SoA row: O''s 10 and B''s 2');
RESET ROLE;
SELECT results_eq($$SELECT count(*), min(justification) FROM applicability_statements WHERE organization_id = (SELECT b FROM ids)$$,
                  $$VALUES (2::bigint, 'Beta''s reason')$$, 'B''s rows are untouched');

-- Mutation check: with a tenant policy that forgot the organization, the same probes report
-- the leak (so the assertions above would fail). The changes are rolled back with the test.
ALTER POLICY applicability_statements_tenant ON applicability_statements
    USING (plan_guard_active()) WITH CHECK (true);
SET ROLE soa_alice;
SELECT ok(pg_temp.foreign_rows_seen() > 0, 'mutation: a policy without the organization condition lets her see B''s rows');
SELECT is(pg_temp.foreign_writes(), 'insert update delete move ', 'mutation: and write them');
RESET ROLE;
ALTER POLICY applicability_statements_tenant ON applicability_statements
    USING (plan_guard_active() AND organization_id IN (SELECT my_organizations()))
    WITH CHECK (organization_id IN (SELECT my_organizations()));
SET ROLE soa_alice;
SELECT is(pg_temp.foreign_rows_seen(), 0::bigint, 'with the policy restored she sees none again');
RESET ROLE;

SELECT is_empty($$SELECT p.polname::text FROM pg_policy p
                  WHERE p.polrelid = 'ismseval.applicability_statements'::regclass
                    AND 'ismseval_tenant'::regrole = ANY (p.polroles)
                    AND pg_get_expr(p.polqual, p.polrelid) NOT LIKE '(plan_guard_active() AND %'$$,
                'the tenant policy''s USING starts with plan_guard_active()');
SELECT is((SELECT string_agg(pg_catalog.format('%s %s', c.relname, c.condition), ', ')
           FROM (SELECT cl.relname, x.w AS condition FROM pg_extension e, unnest(e.extconfig, e.extcondition) x(oid, w)
                 JOIN pg_class cl ON cl.oid = x.oid WHERE e.extname = 'ismseval' AND cl.relname = 'applicability_statements') c),
          'applicability_statements ', 'the table is registered with pg_extension_config_dump (all rows)');
SELECT * FROM finish();
ROLLBACK;
