-- The generalized assessment model (issue 12): a requirement tree of any depth, a 0-5 scale
-- with a node of its own 0-100 range, weights, results without scores, not applicable, not
-- assessed, implementation groups; every figure worked out by hand in the comment above it
-- from the definitions in README "Scores, percentages and coverage".
SET search_path = ismseval, public;
BEGIN;

-- Framework T05, scale 0-5 (percentage = 100 x score / 5), results count 100 / 50 / 0 %:
--   D1 Govern (domain, grouping)
--     D1.A (grouping)
--       D1.A-1  weight 1  groups {core}
--       D1.A-2  weight 3  groups {core, extra}
--     D1.B      weight 1  groups {extra}, its own range 0-100
--   D2 Protect (domain, grouping)
--     D2-1      weight 1  groups {core}
--     D2-2      weight 1  groups {core}
--     D2-3      weight 2  groups {core}
INSERT INTO frameworks (code, name, scale_min, scale_max, default_target, urn)
VALUES ('T05', 'Scoring test', 0, 5, 3, 'urn:test:framework:t05');
INSERT INTO implementation_groups (framework_id, code, name)
SELECT framework_id, g, 'Group ' || g FROM frameworks, (VALUES ('core'), ('extra')) v(g) WHERE code = 'T05';
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT framework_id, d, n, o FROM frameworks, (VALUES ('D1', 'Govern', 1), ('D2', 'Protect', 2)) v(d, n, o)
WHERE code = 'T05';
-- the tree, parents first: (code, parent, domain, assessable, weight, own range, groups)
CREATE TEMP TABLE tree (code text, parent text, domain text, assessable boolean, weight float8,
                        lo int, hi int, groups text[], ord int);
INSERT INTO tree VALUES
    ('D1', NULL, 'D1', false, 1, NULL, NULL, NULL, 1),
    ('D1.A', 'D1', NULL, false, 1, NULL, NULL, NULL, 2),
    ('D1.A-1', 'D1.A', NULL, true, 1, NULL, NULL, '{core}', 3),
    ('D1.A-2', 'D1.A', NULL, true, 3, NULL, NULL, '{core,extra}', 4),
    ('D1.B', 'D1', NULL, true, 1, 0, 100, '{extra}', 5),
    ('D2', NULL, 'D2', false, 1, NULL, NULL, NULL, 6),
    ('D2-1', 'D2', NULL, true, 1, NULL, NULL, '{core}', 7),
    ('D2-2', 'D2', NULL, true, 1, NULL, NULL, '{core}', 8),
    ('D2-3', 'D2', NULL, true, 2, NULL, NULL, '{core}', 9);
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM tree ORDER BY ord LOOP
        INSERT INTO ismseval.questions (framework_id, domain_id, parent_id, code, text, display_order, urn,
                                        ref_id, assessable, weight, score_min, score_max, implementation_groups,
                                        depth)
        SELECT f.framework_id,
               (SELECT d.domain_id FROM ismseval.control_domains d WHERE d.framework_id = f.framework_id AND d.code = t.domain),
               (SELECT p.question_id FROM ismseval.questions p WHERE p.framework_id = f.framework_id AND p.code = t.parent),
               t.code, 'Requirement ' || t.code, t.ord, 'urn:test:req:' || lower(t.code), t.code, t.assessable,
               t.weight, t.lo, t.hi, t.groups,
               -- a domain's own node: depth 1 given (a parentless node in a domain is
               -- otherwise one directly under it, at depth 2)
               CASE WHEN t.parent IS NULL THEN 1 END
        FROM ismseval.frameworks f WHERE f.code = 'T05';
    END LOOP;
END
$$;

-- Depths come from the tree (1 for the domains' nodes), domains from the parents, every
-- assessable node is scored.
SELECT q.code, q.depth, (SELECT d.code FROM control_domains d WHERE d.domain_id = q.domain_id) AS domain,
       q.assessable, q.answer_kind, q.scored
FROM questions q JOIN frameworks f USING (framework_id) WHERE f.code = 'T05' ORDER BY q.display_order;

-- Domains one level down (domain_level 2), as ISO/IEC 27001's clauses and Annex A themes under
-- their two top nodes: the top nodes have no domain, the level-2 nodes are the domains.
INSERT INTO frameworks (code, name, scale_min, scale_max, default_target, domain_level) VALUES ('L2', 'Level two', 0, 100, 60, 2);
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT framework_id, d, d, o FROM frameworks, (VALUES ('A.5', 1), ('A.6', 2)) v(d, o) WHERE code = 'L2';
INSERT INTO questions (framework_id, code, text, assessable) SELECT framework_id, 'A', 'Annex A', false FROM frameworks WHERE code = 'L2';
INSERT INTO questions (framework_id, domain_id, parent_id, code, text, assessable)
SELECT f.framework_id, d.domain_id, p.question_id, d.code, d.code, false
FROM frameworks f JOIN control_domains d USING (framework_id) JOIN questions p ON p.framework_id = f.framework_id AND p.code = 'A'
WHERE f.code = 'L2';
INSERT INTO questions (framework_id, parent_id, code, text)
SELECT p.framework_id, p.question_id, p.code || '.1', 'control' FROM questions p JOIN frameworks f USING (framework_id)
WHERE f.code = 'L2' AND p.depth = 2;
SELECT q.code, q.depth, d.code AS domain, q.scored
FROM questions q JOIN frameworks f USING (framework_id) LEFT JOIN control_domains d ON d.domain_id = q.domain_id
WHERE f.code = 'L2' ORDER BY q.depth, q.code;
INSERT INTO organizations (code, name, core_business, size_band) VALUES ('S', 'Scoring org', 'regulated', 'small');
CREATE TEMP TABLE given (assessed_on date, scope text[], code text, score int, result text, na boolean);
-- Assessment A (2026-01-10, every requirement in scope):
--   D1.A-1 score 4        80 %  (100 x 4 / 5)            score 4
--   D1.A-2 partially      50 %  (partially_compliant_pct) score 0 + 50 x 5 / 100 = 2.5
--   D1.B   score 30 of 0-100  30 %                       score 30 x 5 / 100 = 1.5
--   D2-1   compliant     100 %                           score 5
--   D2-2   not applicable: out of the denominator
--   D2-3   not assessed: applicable, not answered
INSERT INTO given VALUES
    ('2026-01-10', NULL, 'D1.A-1', 4, NULL, false), ('2026-01-10', NULL, 'D1.A-2', NULL, 'partially_compliant', false),
    ('2026-01-10', NULL, 'D1.B', 30, NULL, false), ('2026-01-10', NULL, 'D2-1', NULL, 'compliant', false),
    ('2026-01-10', NULL, 'D2-2', NULL, NULL, true), ('2026-01-10', NULL, 'D2-3', NULL, 'not_assessed', false),
-- Assessment B (2026-02-10, scope {core}: D1.B is out):
--   D1.A-1 score 2        40 %,  D1.A-2 score 5 and compliant  100 %,
--   D2-1 non_compliant     0 %,  D2-2 not answered,  D2-3 score 3  60 %
    ('2026-02-10', '{core}', 'D1.A-1', 2, NULL, false), ('2026-02-10', '{core}', 'D1.A-2', 5, 'compliant', false),
    ('2026-02-10', '{core}', 'D2-1', NULL, 'non_compliant', false), ('2026-02-10', '{core}', 'D2-3', 3, NULL, false),
-- Assessment C (2026-03-10, every requirement): only D1.A-1, score 5
    ('2026-03-10', NULL, 'D1.A-1', 5, NULL, false);
INSERT INTO assessments (organization_id, framework_id, assessed_on, implementation_groups)
SELECT DISTINCT o.organization_id, f.framework_id, g.assessed_on, g.scope
FROM organizations o, frameworks f, given g WHERE o.code = 'S' AND f.code = 'T05';
INSERT INTO answers (assessment_id, question_id, score, result, not_applicable)
SELECT a.assessment_id, q.question_id, g.score, g.result, g.na
FROM given g JOIN assessments a USING (assessed_on)
JOIN questions q ON q.framework_id = a.framework_id AND q.code = g.code;

-- The result a score-only answer keeps (NULL), and the one the not-applicable flag gives.
SELECT a.assessed_on, q.code, an.score, an.result, an.not_applicable
FROM answers an JOIN assessments a USING (assessment_id) JOIN questions q USING (question_id)
ORDER BY 1, q.display_order;

-- Per domain (weights in brackets):
--   A D1: percentage (1 x 80 + 3 x 50 + 1 x 30) / 5 = 260 / 5 = 52; score (4 + 3 x 2.5 + 1.5) / 5
--         = 13 / 5 = 2.6; answered 3, applicable 3, coverage 100
--   A D2: percentage 100 and score 5 (D2-1 only); applicable D2-1, D2-3 = 2; coverage 50
--   B D1: percentage (1 x 40 + 3 x 100) / 4 = 85; score (2 + 3 x 5) / 4 = 4.25; coverage 2 / 2 = 100
--   B D2: percentage (1 x 0 + 2 x 60) / 3 = 40; score (0 + 2 x 3) / 3 = 2; applicable 3
--         (D2-2 unanswered stays in); coverage 2 / 3 = 66.67
--   C D1: D1.A-1 only: 100 %, score 5; applicable 3; coverage 33.33.  C D2: nothing: NULL, coverage 0
SELECT a.assessed_on, d.code AS domain, round(s.score::numeric, 4) AS score, round(s.percentage::numeric, 4) AS pct,
       s.answered, s.applicable, round(s.coverage::numeric, 2) AS coverage
FROM assessments a JOIN control_domains d USING (framework_id)
CROSS JOIN LATERAL assessment_domain_score(a.assessment_id, d.domain_id) s
ORDER BY a.assessed_on, d.display_order;

-- Totals (n = the domain's scored requirements, all of them whatever the scope, not-applicable
-- ones included: D1 3, D2 3):
--   A: total 3 x 2.6 + 3 x 5 = 22.8; percentage 100 x (22.8 / 6) / 5 = 76;
--      mean score (4 + 7.5 + 1.5 + 5) / (1 + 3 + 1 + 1) = 18 / 6 = 3; mean percentage
--      (80 + 150 + 30 + 100) / 6 = 60; 6 requirements, 4 answered, 5 applicable, coverage 80
--   B: total 3 x 4.25 + 3 x 2 = 18.75 (D1.B, out of scope, counts at D1's mean like every
--      requirement without an answer); percentage 100 x (18.75 / 6) / 5 = 62.5;
--      mean score (2 + 15 + 0 + 6) / 7 = 3.2857; mean percentage (40 + 300 + 0 + 120) / 7 = 65.7143;
--      5 requirements in scope, 4 answered, 5 applicable, coverage 80
--   C: D2 has no mean, so 6 requirements x mean 5 = 30; percentage 100 x (30 / 6) / 5 = 100;
--      coverage 1 / 6 = 16.67
SELECT a.assessed_on, round(t.total_score::numeric, 4) AS total, round(t.total_percentage::numeric, 4) AS total_pct,
       round(t.mean_score::numeric, 4) AS mean, round(t.mean_percentage::numeric, 4) AS mean_pct,
       t.requirements, t.answered, t.applicable, round(t.coverage::numeric, 2) AS coverage
FROM assessments a CROSS JOIN LATERAL assessment_total_score(a.assessment_id) t
ORDER BY a.assessed_on;

-- The views read the latest assessment (C): native score, percentage and coverage side by
-- side; target 3 = 60 % of 0-5.
SELECT framework, domain, round(own_score::numeric, 4) AS own, round(own_percentage::numeric, 2) AS own_pct,
       answered_questions AS answered, applicable_questions AS applicable, round(coverage::numeric, 2) AS coverage,
       target, target_percentage AS target_pct, scale_min, scale_max
FROM maturity_by_domain WHERE organization = 'S' ORDER BY display_order;
SELECT framework, total_score, total_percentage, scored_questions, answered_questions, applicable_questions,
       round(coverage::numeric, 2) AS coverage
FROM org_benchmark WHERE organization = 'S';
SELECT framework, total_score, round(total_percentage::numeric, 2) AS total_pct, round(coverage::numeric, 2) AS coverage
FROM management_review WHERE organization = 'S';

-- A framework that counts partially compliant as 40 % and compliant as 90 %: A's D1.A-2
-- counts 40 % (score 2), D2-1 90 % (score 4.5): D1 percentage (80 + 3 x 40 + 30) / 5 = 46,
-- score (4 + 3 x 2 + 1.5) / 5 = 2.3; D2 percentage 90, score 4.5.
SAVEPOINT pcts;
UPDATE frameworks SET compliant_pct = 90, partially_compliant_pct = 40 WHERE code = 'T05';
SELECT d.code AS domain, round(s.score::numeric, 4) AS score, round(s.percentage::numeric, 4) AS pct
FROM assessments a JOIN control_domains d USING (framework_id)
CROSS JOIN LATERAL assessment_domain_score(a.assessment_id, d.domain_id) s
WHERE a.assessed_on = '2026-01-10' ORDER BY d.display_order;
ROLLBACK TO pcts;

-- An assessable node above the domain level (B, depth 1, no domain) counts for coverage but is
-- no domain: an organization answering A.5.1 3 %, A.6.1 40 % and B 100 % is a release member
-- with domain values 3 and 40 (coverage 3 of 3); its total counts B as a group of its own:
-- 1 x 3 + 1 x 40 + 1 x 100 = 143, 100 x (143 / 3) / 100 = 47.67 % of 0-100.
INSERT INTO questions (framework_id, code, text) SELECT framework_id, 'B', 'Top requirement' FROM frameworks WHERE code = 'L2';
INSERT INTO organizations (code, name, core_business, size_band) VALUES ('L2ORG', 'Level two org', 'regulated', 'small');
INSERT INTO assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, '2026-01-01' FROM organizations o, frameworks f WHERE o.code = 'L2ORG' AND f.code = 'L2';
INSERT INTO answers (assessment_id, question_id, score)
SELECT a.assessment_id, q.question_id, v.s FROM assessments a JOIN questions q USING (framework_id)
JOIN (VALUES ('A.5.1', 3), ('A.6.1', 40), ('B', 100)) v(c, s) ON v.c = q.code
JOIN organizations o USING (organization_id) WHERE o.code = 'L2ORG';
SELECT c.kind, d.code AS domain, c.value
FROM peer_current_values() c JOIN organizations o USING (organization_id)
LEFT JOIN control_domains d ON d.domain_id = c.item_id
WHERE o.code = 'L2ORG' ORDER BY d.code;
SELECT round(t.total_score::numeric, 2) AS total, round(t.total_percentage::numeric, 2) AS total_pct, t.coverage
FROM assessments a JOIN organizations o USING (organization_id)
CROSS JOIN LATERAL assessment_total_score(a.assessment_id) t WHERE o.code = 'L2ORG';

-- answer_percent alone: a score on 1-4 (3 -> 100 x 2 / 3), the results, nothing for not assessed.
SELECT round(answer_percent(3, NULL, 1, 4, 100, 50, 0)::numeric, 4) AS score_3_of_1_4,
       answer_percent(NULL, 'compliant', 1, 4, 100, 50, 0) AS compliant,
       answer_percent(NULL, 'partially_compliant', 1, 4, 100, 50, 0) AS partially,
       answer_percent(NULL, 'non_compliant', 1, 4, 100, 50, 0) AS non_compliant,
       answer_percent(NULL, 'not_assessed', 1, 4, 100, 50, 0) AS not_assessed,
       answer_percent(750, 'compliant', 0, 1000, 100, 50, 0) AS score_750_of_1000;

-- Bad answers and trees: each a clear error naming the requirement.
\set VERBOSITY terse
SAVEPOINT s;
INSERT INTO answers (assessment_id, question_id, score)
SELECT a.assessment_id, q.question_id, 101 FROM assessments a JOIN questions q USING (framework_id)
WHERE a.assessed_on = '2026-03-10' AND q.code = 'D1.B';
ROLLBACK TO s;
INSERT INTO answers (assessment_id, question_id, result)
SELECT a.assessment_id, q.question_id, 'compliant' FROM assessments a JOIN questions q USING (framework_id)
WHERE a.assessed_on = '2026-03-10' AND q.code = 'D1.A';
ROLLBACK TO s;
-- a score beside a result is a second dimension, not a contradiction: compliant with score 1
-- counts as the score, 100 x 1 / 5 = 20 %
INSERT INTO answers (assessment_id, question_id, score, result)
SELECT a.assessment_id, q.question_id, 1, 'compliant' FROM assessments a JOIN questions q USING (framework_id)
WHERE a.assessed_on = '2026-03-10' AND q.code = 'D2-1';
SELECT round(s.percentage::numeric, 4) AS d2_pct FROM assessments a JOIN control_domains d USING (framework_id)
CROSS JOIN LATERAL assessment_domain_score(a.assessment_id, d.domain_id) s
WHERE a.assessed_on = '2026-03-10' AND d.code = 'D2';
ROLLBACK TO s;
INSERT INTO answers (assessment_id, question_id, score, result)
SELECT a.assessment_id, q.question_id, 3, 'not_assessed' FROM assessments a JOIN questions q USING (framework_id)
WHERE a.assessed_on = '2026-03-10' AND q.code = 'D2-1';
ROLLBACK TO s;
INSERT INTO answers (assessment_id, question_id, result, not_applicable)
SELECT a.assessment_id, q.question_id, 'compliant', true FROM assessments a JOIN questions q USING (framework_id)
WHERE a.assessed_on = '2026-03-10' AND q.code = 'D2-1';
ROLLBACK TO s;
-- a cycle: D1.A under its own child D1.A-1
UPDATE questions SET parent_id = (SELECT question_id FROM questions WHERE code = 'D1.A-1')
WHERE code = 'D1.A' AND framework_id = (SELECT framework_id FROM frameworks WHERE code = 'T05');
ROLLBACK TO s;
-- a second node of domain D2 at the domain level
INSERT INTO questions (framework_id, domain_id, code, text, depth)
SELECT framework_id, domain_id, 'D2bis', 'x', 1 FROM control_domains WHERE code = 'D2'
AND framework_id = (SELECT framework_id FROM frameworks WHERE code = 'T05');
ROLLBACK TO s;
-- a top-level node without a domain, in a framework whose domains are the top level
INSERT INTO questions (framework_id, parent_id, code, text)
SELECT framework_id, NULL, 'LOOSE', 'x' FROM frameworks WHERE code = 'T05';
ROLLBACK TO s;
-- a node in another domain than its parent's
INSERT INTO questions (framework_id, domain_id, parent_id, code, text)
SELECT f.framework_id, d.domain_id, p.question_id, 'CROSS', 'x'
FROM frameworks f JOIN control_domains d ON d.framework_id = f.framework_id AND d.code = 'D2'
JOIN questions p ON p.framework_id = f.framework_id AND p.code = 'D1.A' WHERE f.code = 'T05';
ROLLBACK TO s;
-- a node's own range must be a range
UPDATE questions SET score_min = 10, score_max = 5 WHERE code = 'D2-2';
ROLLBACK TO s;
-- changes that would leave answers off their scale: a narrower framework scale (A's D1.A-1
-- has 4 and 5), a narrower range of D1.B (A's D1.B has 30), and a new domain level
UPDATE frameworks SET scale_max = 4 WHERE code = 'T05';
ROLLBACK TO s;
UPDATE questions SET score_min = 0, score_max = 20 WHERE code = 'D1.B';
ROLLBACK TO s;
UPDATE frameworks SET domain_level = 2 WHERE code = 'T05';
ROLLBACK TO s;
-- an assessment with answers keeps its framework (its answers would point at another's requirements)
UPDATE assessments SET framework_id = (SELECT framework_id FROM frameworks WHERE code = 'L2')
WHERE assessed_on = '2026-03-10';
ROLLBACK TO s;
-- scales: any min < max up to 1000 and beyond; not min >= max
INSERT INTO frameworks (code, name, scale_min, scale_max, default_target) VALUES ('K', 'Thousand', 0, 1000, 500);
INSERT INTO frameworks (code, name, scale_min, scale_max, default_target) VALUES ('K2', 'Empty', 5, 5, 5);
ROLLBACK TO s;
ROLLBACK;
