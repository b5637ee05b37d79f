-- pgTAP: the minimum coverage for publishing, ismseval.min_peer_coverage (percent, default
-- 50): a release takes an organization's domain means only when its latest assessment
-- answers at least that share of its applicable scored requirements, and records the
-- minimum it used in peer_releases.min_coverage. Run as a superuser (the setting is
-- PGC_SUSET).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(11);

CREATE ROLE cov_tenant NOLOGIN IN ROLE ismseval_tenant;

-- Frameworks C and CB (the same, CB made after the first release), scale 1-4: domain 1
-- with scored Q1, Q2, Q3, domain 2 with scored Q4, Q5. Total = 3 x domain 1 + 2 x domain 2.
CREATE FUNCTION pg_temp.add_framework(fw text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ismseval.frameworks (code, name, scale_min, scale_max, default_target) VALUES (fw, fw, 1, 4, 3);
    INSERT INTO ismseval.control_domains (framework_id, code, name, display_order)
    SELECT framework_id, d, d, o FROM ismseval.frameworks, (VALUES ('D1', 1), ('D2', 2)) v(d, o) WHERE code = fw;
    INSERT INTO ismseval.questions (framework_id, domain_id, code, text, display_order)
    SELECT d.framework_id, d.domain_id, q, q, o
    FROM ismseval.control_domains d JOIN ismseval.frameworks f USING (framework_id),
         (VALUES ('Q1', 'D1', 1), ('Q2', 'D1', 2), ('Q3', 'D1', 3), ('Q4', 'D2', 4), ('Q5', 'D2', 5)) v(q, dc, o)
    WHERE f.code = fw AND d.code = v.dc;
$$;
-- Organizations (group regulated / large) and their answers: c1-c5 answer all five with 1,
-- 2, 3, 4, 2; c40 answers Q1 2 and Q4 3 only: 2 answered of 5 applicable = 40 %; c50
-- answers Q1 3 and Q4 2, Q2 not assessed (applicable), Q5 not applicable: 2 of 4 = 50 %.
CREATE TEMP TABLE cov_answers (org text, q text, score int, result text);
INSERT INTO cov_answers
SELECT 'c' || i, 'Q' || q, CASE i WHEN 5 THEN 2 ELSE i END, NULL FROM generate_series(1, 5) i, generate_series(1, 5) q;
INSERT INTO cov_answers VALUES ('c40', 'Q1', 2, NULL), ('c40', 'Q4', 3, NULL),
    ('c50', 'Q1', 3, NULL), ('c50', 'Q4', 2, NULL), ('c50', 'Q2', NULL, 'not_assessed'),
    ('c50', 'Q5', NULL, 'not_applicable');
CREATE FUNCTION pg_temp.assess(fw text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ismseval.assessments (organization_id, framework_id, assessed_on)
    SELECT o.organization_id, f.framework_id, DATE '2026-10-01'
    FROM ismseval.organizations o, ismseval.frameworks f WHERE o.code IN (SELECT org FROM cov_answers) AND f.code = fw;
    INSERT INTO ismseval.answers (assessment_id, question_id, score, result)
    SELECT a.assessment_id, q.question_id, c.score, c.result
    FROM cov_answers c JOIN ismseval.organizations o ON o.code = c.org
    JOIN ismseval.assessments a ON a.organization_id = o.organization_id
    JOIN ismseval.frameworks f ON f.framework_id = a.framework_id AND f.code = fw
    JOIN ismseval.questions q ON q.framework_id = f.framework_id AND q.code = c.q;
$$;
-- An organization's score values (kind, value) in a release and framework, domains then total.
CREATE FUNCTION pg_temp.published(org text, note text, fw text) RETURNS TABLE(kind text, value double precision)
LANGUAGE sql AS $$
    SELECT p.kind, p.value FROM ismseval.peer_release_figures p
    JOIN ismseval.peer_releases r USING (release_id)
    JOIN ismseval.organizations o USING (organization_id)
    JOIN ismseval.frameworks f USING (framework_id)
    WHERE o.code = org AND r.note = published.note AND f.code = fw AND p.kind <> 'question'
    ORDER BY p.kind, p.item_id;
$$;

SELECT pg_temp.add_framework('C');
INSERT INTO ismseval.organizations (code, name, core_business, size_band)
SELECT DISTINCT org, 'Org ' || org, 'regulated', 'large' FROM cov_answers;
SELECT pg_temp.assess('C');

SELECT results_eq($$SELECT organization, round(coverage::numeric, 6) FROM ismseval.org_benchmark
                    WHERE organization IN ('c40', 'c50') ORDER BY organization$$,
                  $$VALUES ('c40', 40::numeric), ('c50', 50::numeric)$$,
                  'coverage: c40 100 x 2 / 5 = 40, c50 100 x 2 / 4 = 50 (not assessed stays applicable, not applicable leaves)');

-- At the default of 50: c50 is in (200 >= 50 x 4), c40 is not (200 < 50 x 5).
SELECT is(current_setting('ismseval.min_peer_coverage'), '50', 'the default minimum coverage is 50 %');
SELECT ismseval.release_peer_figures('at 50') IS NOT NULL AS released \gset
SELECT results_eq($$SELECT min_coverage, min_changed FROM ismseval.peer_releases WHERE note = 'at 50'$$,
                  $$VALUES (50, 6)$$, 'the release records the minimum coverage it used (50) beside min_changed');
SELECT results_eq($$SELECT * FROM pg_temp.published('c50', 'at 50', 'C')$$,
                  $$VALUES ('domain', 3::double precision), ('domain', 2::double precision), ('total', 13::double precision)$$,
                  'c50 (50 %) is published: D1 3, D2 2, total 3 x 3 + 2 x 2 = 13');
SELECT is((SELECT count(*) FROM pg_temp.published('c40', 'at 50', 'C')), 0::bigint, 'c40 (40 %) is left out');
-- Left out, it is a newcomer to its group: c1-c5 and c50, D1 (1 + 2 + 3 + 4 + 2 + 3) / 6 = 2.5.
SELECT results_eq($$SELECT peer_count, peer_score, in_peer_release FROM ismseval.maturity_by_domain
                    WHERE organization = 'c40' AND framework = 'C' AND domain = 'D1'$$,
                  $$VALUES (6::bigint, 2.5::double precision, false)$$,
                  'c40 sees its group''s figures: 6 members, D1 2.5, not in the release');

SET ROLE cov_tenant;
SELECT throws_ok('SET ismseval.min_peer_coverage = 0', '42501', NULL, 'a tenant cannot lower the minimum coverage');
RESET ROLE;
SELECT throws_ok('SET ismseval.min_peer_coverage = 101', '22023', NULL, 'the minimum coverage is a percentage (0-100)');

-- At 40: a new framework's first release publishes c40 (200 >= 40 x 5): D1 2, D2 3,
-- total 3 x 2 + 2 x 3 = 12. In C it would have to join (more than min_peer_group units
-- changing every domain with it): still out.
SELECT pg_temp.add_framework('CB');
SELECT pg_temp.assess('CB');
SET ismseval.min_peer_coverage = 40;
SELECT ismseval.release_peer_figures('at 40') IS NOT NULL AS released \gset
RESET ismseval.min_peer_coverage;
SELECT is((SELECT min_coverage FROM ismseval.peer_releases WHERE note = 'at 40'), 40, 'this release records 40');
SELECT results_eq($$SELECT * FROM pg_temp.published('c40', 'at 40', 'CB')$$,
                  $$VALUES ('domain', 2::double precision), ('domain', 3::double precision), ('total', 12::double precision)$$,
                  'at 40 %, c40 is in: D1 2, D2 3, total 3 x 2 + 2 x 3 = 12');
SELECT is((SELECT count(*) FROM pg_temp.published('c40', 'at 40', 'C')), 0::bigint,
          'in framework C, where it would have to join, it stays out');

SELECT * FROM finish();
ROLLBACK;
