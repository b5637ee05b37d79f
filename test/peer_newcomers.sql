-- pgTAP: peer figures of an organization that the latest peer release does not hold in its
-- peer group (a newcomer: assessed after the release, or moved to the group since). It sees
-- its group's published figures at once (count and mean over the release's members, which
-- do not include it), never a percentile, rank or deviation score until a release admits it;
-- and every protection of the members' figures holds for it: access (42501), the
-- hidden-party floor, the distinct-value rule, all-or-none score figures, release data only.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(38);

-- tenant_new owns the newcomers (login nu); tenant_other owns m6 (login ou).
CREATE ROLE tenant_new NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE tenant_other NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE nu IN ROLE tenant_new;
CREATE ROLE ou IN ROLE tenant_other;

-- Framework N, scale 1-4: domain N1 with scored NL1, NL2; domain N2 with scored NL3; the
-- small question NS1 (yes/no) under NL1. Total = 2 x N1 mean + 1 x N2 mean.
INSERT INTO ismseval.frameworks (code, name, scale_min, scale_max, default_target) VALUES ('N', 'Newcomers', 1, 4, 3);
INSERT INTO ismseval.control_domains (framework_id, code, name, display_order)
SELECT framework_id, d, 'Domain ' || d, o FROM ismseval.frameworks, (VALUES ('N1', 1), ('N2', 2)) v(d, o) WHERE code = 'N';
INSERT INTO ismseval.questions (framework_id, domain_id, code, text, display_order)
SELECT d.framework_id, d.domain_id, q, 'Large ' || q, o
FROM ismseval.control_domains d JOIN ismseval.frameworks f USING (framework_id),
     (VALUES ('NL1', 'N1', 1), ('NL2', 'N1', 2), ('NL3', 'N2', 3)) v(q, dc, o)
WHERE f.code = 'N' AND d.code = v.dc;
INSERT INTO ismseval.questions (framework_id, domain_id, parent_id, code, text)
SELECT framework_id, domain_id, question_id, 'NS1', 'Small' FROM ismseval.questions WHERE code = 'NL1';

-- Organizations (NL1, NL2, NL3, NS1); phase r1 = assessed before release R1, new = after it.
--   G regulated / small:              m1 (1,1,2,y) m2 (2,2,3,n) m3 (3,3,1,y) m4 (4,4,4,n)
--                                     m5 (2,4,2,y) m6 (3,1,3,n) [m6: tenant_other]; n1 (4,4,4,y) new
--   H regulated / medium:             h1 (1,1,1) h2 (2,2,2) h3 (3,3,3) [tenant_new],
--                                     h4 (4,4,4) h5 (1,2,3) h6 (2,3,4) h7 (3,4,1); n2 new
--   J mass-production / small:        j1 (1,1,1,y) j2 (3,3,2,n) j3 (3,3,3,y) j4 (3,3,4,n)
--                                     j5 (3,3,1,y) j6 (3,3,2,n); n3 new
--   K mass-production / medium:       k1 (1,1,1) k2 (2,2,2) k3 (3,3,3) k4 (4,4,4); n4 new
--   M planning-competitive / small:   p1 (1,1,1,y) p2 (2,2,2,n) p3 (3,3,3,y) p4 (4,4,4,n)
--                                     p5 (1,1,2,y) p6 (2,2,1,n); t1 (4,4,4,y) [tenant_new]; n5 new
-- Every newcomer n1-n5 is tenant_new's.
CREATE TEMP TABLE nc_data (code text, grp text, tenant text, l1 int, l2 int, l3 int, s1 boolean, phase text);
INSERT INTO nc_data VALUES
    ('m1', 'G', NULL, 1, 1, 2, true, 'r1'), ('m2', 'G', NULL, 2, 2, 3, false, 'r1'),
    ('m3', 'G', NULL, 3, 3, 1, true, 'r1'), ('m4', 'G', NULL, 4, 4, 4, false, 'r1'),
    ('m5', 'G', NULL, 2, 4, 2, true, 'r1'), ('m6', 'G', 'tenant_other', 3, 1, 3, false, 'r1'),
    ('n1', 'G', 'tenant_new', 4, 4, 4, true, 'new'),
    ('h1', 'H', 'tenant_new', 1, 1, 1, true, 'r1'), ('h2', 'H', 'tenant_new', 2, 2, 2, false, 'r1'),
    ('h3', 'H', 'tenant_new', 3, 3, 3, true, 'r1'), ('h4', 'H', NULL, 4, 4, 4, false, 'r1'),
    ('h5', 'H', NULL, 1, 2, 3, true, 'r1'), ('h6', 'H', NULL, 2, 3, 4, false, 'r1'),
    ('h7', 'H', NULL, 3, 4, 1, true, 'r1'), ('n2', 'H', 'tenant_new', 2, 2, 2, true, 'new'),
    ('j1', 'J', NULL, 1, 1, 1, true, 'r1'), ('j2', 'J', NULL, 3, 3, 2, false, 'r1'),
    ('j3', 'J', NULL, 3, 3, 3, true, 'r1'), ('j4', 'J', NULL, 3, 3, 4, false, 'r1'),
    ('j5', 'J', NULL, 3, 3, 1, true, 'r1'), ('j6', 'J', NULL, 3, 3, 2, false, 'r1'),
    ('n3', 'J', 'tenant_new', 2, 2, 2, true, 'new'),
    ('k1', 'K', NULL, 1, 1, 1, true, 'r1'), ('k2', 'K', NULL, 2, 2, 2, false, 'r1'),
    ('k3', 'K', NULL, 3, 3, 3, true, 'r1'), ('k4', 'K', NULL, 4, 4, 4, false, 'r1'),
    ('n4', 'K', 'tenant_new', 2, 2, 2, true, 'new'),
    ('p1', 'M', NULL, 1, 1, 1, true, 'r1'), ('p2', 'M', NULL, 2, 2, 2, false, 'r1'),
    ('p3', 'M', NULL, 3, 3, 3, true, 'r1'), ('p4', 'M', NULL, 4, 4, 4, false, 'r1'),
    ('p5', 'M', NULL, 1, 1, 2, true, 'r1'), ('p6', 'M', NULL, 2, 2, 1, false, 'r1'),
    ('t1', 'M', 'tenant_new', 4, 4, 4, true, 'r1'), ('n5', 'M', 'tenant_new', 1, 1, 1, true, 'new');
GRANT SELECT ON nc_data TO PUBLIC;

-- Adds the organizations of a phase with their assessment (on day) and answers.
CREATE FUNCTION pg_temp.add_phase(p text, day date) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ismseval.organizations (code, name, core_business, size_band)
    SELECT code, 'Org ' || code,
           CASE grp WHEN 'J' THEN 'mass-production' WHEN 'K' THEN 'mass-production'
                    WHEN 'M' THEN 'planning-competitive' ELSE 'regulated' END,
           CASE grp WHEN 'H' THEN 'medium' WHEN 'K' THEN 'medium' ELSE 'small' END
    FROM nc_data WHERE phase = p;
    INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
    SELECT d.tenant::regrole, o.organization_id FROM nc_data d JOIN ismseval.organizations o USING (code)
    WHERE d.phase = p AND d.tenant IS NOT NULL;
    INSERT INTO ismseval.assessments (organization_id, framework_id, assessed_on)
    SELECT o.organization_id, f.framework_id, day
    FROM nc_data d JOIN ismseval.organizations o USING (code), ismseval.frameworks f WHERE d.phase = p AND f.code = 'N';
    INSERT INTO ismseval.answers (assessment_id, question_id, score, answer_yes)
    SELECT a.assessment_id, q.question_id,
           CASE q.code WHEN 'NL1' THEN d.l1 WHEN 'NL2' THEN d.l2 WHEN 'NL3' THEN d.l3 END,
           CASE q.code WHEN 'NS1' THEN d.s1 END
    FROM nc_data d JOIN ismseval.organizations o USING (code)
    JOIN ismseval.assessments a ON a.organization_id = o.organization_id
    JOIN ismseval.questions q ON q.framework_id = a.framework_id
    WHERE d.phase = p;
$$;
-- Sets an organization's three scores.
CREATE FUNCTION pg_temp.set_scores(org text, l1 int, l2 int, l3 int) RETURNS void LANGUAGE sql AS $$
    UPDATE ismseval.answers an
    SET score = CASE q.code WHEN 'NL1' THEN l1 WHEN 'NL2' THEN l2 ELSE l3 END
    FROM ismseval.assessments a, ismseval.organizations o, ismseval.questions q
    WHERE a.assessment_id = an.assessment_id AND o.organization_id = a.organization_id AND o.code = org
      AND q.question_id = an.question_id AND q.code IN ('NL1', 'NL2', 'NL3');
$$;
CREATE TEMP VIEW nc_ids AS
SELECT (SELECT framework_id FROM ismseval.frameworks WHERE code = 'N') AS fw,
       (SELECT organization_id FROM ismseval.organizations WHERE code = 'n1') AS n1,
       (SELECT organization_id FROM ismseval.organizations WHERE code = 'm1') AS m1;
GRANT SELECT ON nc_ids TO PUBLIC;
-- A tenant's view of an organization's domains: peer count, mean, its percentage of the
-- scale, percentile, whether in the release.
CREATE TEMP VIEW nc_domains AS
SELECT organization, domain, peer_count, round(peer_score::numeric, 9) AS peer_score,
       round(peer_percentage::numeric, 9) AS peer_pct, round(peer_percentile::numeric, 6) AS pct, in_peer_release
FROM ismseval.maturity_by_domain WHERE framework = 'N';
GRANT SELECT ON nc_domains TO PUBLIC;

SELECT pg_temp.add_phase('r1', DATE '2026-10-01');
SELECT ismseval.release_peer_figures('R1') IS NOT NULL AS released \gset
SELECT released_at AS r1_at FROM ismseval.peer_releases WHERE note = 'R1' \gset
SELECT pg_temp.add_phase('new', DATE '2026-11-01');

-- ---------------------------------------------------------------------------
-- 1. A newcomer sees its group's figures at once. n1 in G; R1 holds m1-m6:
--    N1 means m1 1, m2 2, m3 3, m4 4, m5 3, m6 2: 15/6 = 2.5, 100 x (2.5 - 1) / 3 = 50 % of the scale;
--    N2 2, 3, 1, 4, 2, 3: 15/6 = 2.5 (50 %); totals 2 x N1 + N2: 4, 7, 7, 12, 8, 7: 45/6 = 7.5,
--    100 x (7.5 / 3 - 1) / 3 = 50 %; NS1 yes m1 m3 m5: 3 of 6 = 50 %.
--    Hidden from nu: m1-m5 and m6 (tenant_other): 6 parties, values varied.
-- ---------------------------------------------------------------------------
SET ROLE nu;
SELECT results_eq($$SELECT domain, peer_count, peer_score, peer_pct, pct, in_peer_release FROM nc_domains
                    WHERE organization = 'n1' ORDER BY domain$$,
                  $$VALUES ('N1', 6::bigint, 2.5::numeric, 50::numeric, NULL::numeric, false),
                           ('N2', 6::bigint, 2.5::numeric, 50::numeric, NULL::numeric, false)$$,
                  'newcomer n1: its group''s domain means over R1''s 6 members (2.5, 50 % of the scale), no percentile');
SELECT is((SELECT bool_and(peer_figures_as_of = :'r1_at'::timestamptz) FROM ismseval.maturity_by_domain
           WHERE organization = 'n1'), true, 'as of R1');
SELECT results_eq($$SELECT total_score, peer_count, peer_mean_total, peer_mean_total_percentage, peer_percentile,
                           deviation_score, peer_rank, ranked_organizations, in_peer_release
                    FROM ismseval.org_benchmark WHERE organization = 'n1'$$,
                  $$VALUES (12::double precision, 6::bigint, 7.5::double precision, 50::double precision,
                            NULL::double precision, NULL::double precision, NULL::bigint, NULL::bigint, false)$$,
                  'newcomer n1: total 2 x 4 + 4 = 12; the group''s mean total 7.5 (50 %), no percentile, deviation or rank');
SELECT results_eq($$SELECT peer_rate_pct, peer_count, in_peer_release FROM ismseval.question_peer_rate
                    WHERE organization = 'n1' AND question = 'NS1'$$,
                  $$VALUES (50::double precision, 6::bigint, false)$$, 'newcomer n1: NS1 rate 3 of 6 = 50 %');
SELECT results_eq($$SELECT peer_count, peer_mean_total, peer_percentile, deviation_score, peer_rank,
                           ranked_organizations, domains_below_peers, in_peer_release
                    FROM ismseval.management_review WHERE organization = 'n1'$$,
                  $$VALUES (6::bigint, 7.5::double precision, NULL::double precision, NULL::double precision,
                            NULL::bigint, NULL::bigint, 0::bigint, false)$$,
                  'newcomer n1 in management_review: peer count and mean, no ranking; below peers in no domain (4 > 2.5 twice)');
SELECT ok(ismseval.peer_distribution_svg((SELECT n1 FROM nc_ids), (SELECT fw FROM nc_ids))
              LIKE '%Not in the peer release yet: the mean of the group&#39;s 6 organizations in it%'
          AND ismseval.peer_distribution_svg((SELECT n1 FROM nc_ids), (SELECT fw FROM nc_ids)) NOT LIKE '%peers below%',
          'its peer chart says so and draws no place among the peers');

-- Nothing it writes moves its figures: nu changes n1's NL1 from 4 to 1.
SELECT pg_temp.set_scores('n1', 1, 4, 4);
SELECT results_eq($$SELECT m.own_score, x.peer_count, x.peer_score, x.pct FROM nc_domains x
                    JOIN ismseval.maturity_by_domain m USING (organization, domain)
                    WHERE organization = 'n1' AND domain = 'N1'$$,
                  $$VALUES (2.5::double precision, 6::bigint, 2.5::numeric, NULL::numeric)$$,
                  'n1 moves its own N1 to (1 + 4) / 2 = 2.5: the group''s figures stay, still no percentile');
RESET ROLE;
-- Nor do live peer rows: m1 raises NL1 to 4 without a release.
SELECT pg_temp.set_scores('m1', 4, 1, 2);
SET ROLE nu;
SELECT results_eq($$SELECT peer_count, peer_score FROM nc_domains WHERE organization = 'n1' ORDER BY domain$$,
                  $$VALUES (6::bigint, 2.5::numeric), (6::bigint, 2.5::numeric)$$,
                  'a peer''s live change does not show: the figures are R1''s');

-- ---------------------------------------------------------------------------
-- 2. Access: only for organizations the caller may see.
-- ---------------------------------------------------------------------------
SET ROLE ou;
SELECT throws_ok($$SELECT * FROM ismseval.peer_domain_benchmark((SELECT n1 FROM nc_ids), (SELECT fw FROM nc_ids))$$,
                 '42501', NULL, 'another tenant gets no group figures of a newcomer it may not see');
SELECT throws_ok($$SELECT * FROM ismseval.peer_total_benchmark((SELECT n1 FROM nc_ids), (SELECT fw FROM nc_ids))$$,
                 '42501', NULL, 'nor its total figures');
SELECT throws_ok($$SELECT * FROM ismseval.peer_question_benchmark((SELECT n1 FROM nc_ids), (SELECT fw FROM nc_ids))$$,
                 '42501', NULL, 'nor its rates');
SET ROLE nu;
SELECT throws_ok($$SELECT * FROM ismseval.peer_domain_benchmark((SELECT m1 FROM nc_ids), (SELECT fw FROM nc_ids))$$,
                 '42501', NULL, 'nor does a tenant get an unmapped organization''s');
SELECT throws_ok($$SELECT * FROM ismseval.peer_release_groups$$, '42501', NULL,
                 'a tenant cannot read the groups'' figures of the releases');

-- ---------------------------------------------------------------------------
-- 3. The hidden-party floor, the distinct-value rule, all or none, for newcomers.
-- ---------------------------------------------------------------------------
-- H: n2's group holds h1-h3, which nu sees (it knows their values), and h4-h7: 4 hidden
-- parties < 5. (Counting tenant_new's h1-h3 as one more party would make 5.)
SELECT is((SELECT count(*) FROM ismseval.maturity_by_domain WHERE organization = 'n2' AND peer_count IS NOT NULL)
          + (SELECT count(*) FROM ismseval.org_benchmark WHERE organization = 'n2' AND peer_count IS NOT NULL)
          + (SELECT count(*) FROM ismseval.question_peer_rate WHERE organization = 'n2' AND peer_count IS NOT NULL),
          0::bigint, 'n2: 7 members, but the 3 the tenant sees do not count: 4 hidden parties, no figure');
-- J: n3's group: every hidden peer but j1 has N1 = 3 (outside one party all share a value):
-- no N1 figure, so no N2 or total either; NS1 varies (yes j1 j3 j5: 3 of 6 = 50 %).
SELECT is((SELECT count(*) FROM ismseval.maturity_by_domain WHERE organization = 'n3' AND peer_count IS NOT NULL)
          + (SELECT count(*) FROM ismseval.org_benchmark WHERE organization = 'n3' AND peer_count IS NOT NULL),
          0::bigint, 'n3: outside j1 every hidden N1 is 3: no score figure at all (N2 and total withheld too)');
SELECT results_eq($$SELECT peer_rate_pct, peer_count, in_peer_release FROM ismseval.question_peer_rate
                    WHERE organization = 'n3' AND question = 'NS1'$$,
                  $$VALUES (50::double precision, 6::bigint, false)$$, 'n3: its NS1 rate is shown, 3 of 6 = 50 %');
-- M: t1 is tenant_new's member of M; n5 is a newcomer to M. t1's N1 among p1-p6 (1, 2, 3,
-- 4, 1, 2): 13/6; its 4: 5 below, 1 equal -> 100 x 5.5 / 6 = 91.666667. n5 sees M's 7
-- members: (13 + 4) / 7 = 17/7.
SELECT results_eq($$SELECT organization, peer_count, peer_score, pct, in_peer_release FROM nc_domains
                    WHERE organization IN ('t1', 'n5') AND domain = 'N1' ORDER BY organization$$,
                  $$VALUES ('n5', 7::bigint, round(17 / 7.0, 9), NULL::numeric, false),
                           ('t1', 6::bigint, round(13 / 6.0, 9), 91.666667, true)$$,
                  'M: member t1 among its 6 peers (13/6, percentile 91.67), newcomer n5 the group of 7 (17/7)');
-- What the two give together is t1's own value, which the tenant has: 7 x 17/7 - 6 x 13/6 = 4.
SELECT is((SELECT round((7 * n.peer_score - 6 * t.peer_score)::numeric, 9) = round(t.own_score::numeric, 9)
           FROM ismseval.maturity_by_domain n, ismseval.maturity_by_domain t
           WHERE n.organization = 'n5' AND t.organization = 't1' AND n.domain = 'N1' AND t.domain = 'N1'), true,
          'a newcomer''s group mean and its tenant''s member''s peer mean differ only by that member''s own value (4)');
-- The fresh-organization attack needs what a tenant cannot do.
SELECT throws_ok($$INSERT INTO ismseval.organizations (code, name, core_business, size_band)
                   VALUES ('probe', 'Probe', 'regulated', 'small')$$, '42501', NULL,
                 'a tenant cannot create an organization to become a newcomer of a group');
SELECT throws_ok($$UPDATE ismseval.organizations SET size_band = 'small' WHERE code = 'n2'$$, '42501', NULL,
                 'nor move one into another group');
RESET ROLE;
-- Administrators get the plain floor: H has 7 members (N1 1, 2, 3, 4, 1.5, 2.5, 3.5: 17.5/7 = 2.5);
-- K has 4 < 5.
SELECT results_eq($$SELECT domain, peer_count, peer_score, pct, in_peer_release FROM nc_domains
                    WHERE organization = 'n2' ORDER BY domain$$,
                  $$VALUES ('N1', 7::bigint, 2.5::numeric, NULL::numeric, false),
                           ('N2', 7::bigint, round(18 / 7.0, 9), NULL::numeric, false)$$,
                  'an administrator gets n2''s group figures: 7 members, N1 2.5, N2 (1+2+3+4+3+4+1)/7 = 18/7');
SELECT results_eq($$SELECT domain, peer_score FROM nc_domains WHERE organization = 'n3' ORDER BY domain$$,
                  $$VALUES ('N1', round(16 / 6.0, 9)), ('N2', round(13 / 6.0, 9))$$,
                  'and n3''s: N1 (1 + 5 x 3) / 6, N2 (1+2+3+4+1+2) / 6');
SELECT is((SELECT count(*) FROM ismseval.maturity_by_domain WHERE organization = 'n4' AND peer_count IS NOT NULL),
          0::bigint, 'n4: a group of 4 members gives no figure, to an administrator either');

-- ---------------------------------------------------------------------------
-- 4. A member moved to another group (by an administrator) is a newcomer there: the
--    release still holds t1 in M (until M lets it go), so t1 now sees G's group figures.
-- ---------------------------------------------------------------------------
UPDATE ismseval.organizations SET core_business = 'regulated' WHERE code = 't1';
SET ROLE nu;
SELECT results_eq($$SELECT domain, peer_count, peer_score, pct, in_peer_release FROM nc_domains
                    WHERE organization = 't1' ORDER BY domain$$,
                  $$VALUES ('N1', 6::bigint, 2.5::numeric, NULL::numeric, false),
                           ('N2', 6::bigint, 2.5::numeric, NULL::numeric, false)$$,
                  't1 moved to G: G''s group figures (2.5, 6 members), no longer its M figures nor a percentile');
SELECT results_eq($$SELECT peer_mean_total, peer_rank, in_peer_release FROM ismseval.org_benchmark WHERE organization = 't1'$$,
                  $$VALUES (7.5::double precision, NULL::bigint, false)$$, 'and G''s mean total, no rank');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- 5. Releases. One that does not admit n1 (in G only m1 changed, 1 unit, and n1 joins: 2
--    units < 6) leaves it a newcomer with R1's figures; one that does gives it its place.
-- ---------------------------------------------------------------------------
SELECT ismseval.release_peer_figures('not yet') IS NOT NULL AS released \gset
SET ROLE nu;
SELECT results_eq($$SELECT domain, peer_count, peer_score, in_peer_release FROM nc_domains
                    WHERE organization = 'n1' ORDER BY domain$$,
                  $$VALUES ('N1', 6::bigint, 2.5::numeric, false), ('N2', 6::bigint, 2.5::numeric, false)$$,
                  'a release without enough changes keeps n1 out: still the group''s R1 figures');
SELECT is((SELECT bool_and(peer_figures_as_of = :'r1_at'::timestamptz) FROM ismseval.maturity_by_domain
           WHERE organization = 'n1'), true, 'published in R1');
RESET ROLE;
-- m1-m5 change both domains (5 staying units) and n1 joins (1): 6 > 5 in every domain.
--   m1 (2,2,3) N1 2 N2 3 total 7; m2 (3,3,4) 3 4 10; m3 (4,4,2) 4 2 10; m4 (1,1,1) 1 1 3;
--   m5 (1,3,3) 2 3 7; m6 (3,1,3) 2 3 7 (unchanged); n1 (1,4,4) 2.5 4 9.
SELECT pg_temp.set_scores('m1', 2, 2, 3), pg_temp.set_scores('m2', 3, 3, 4), pg_temp.set_scores('m3', 4, 4, 2),
       pg_temp.set_scores('m4', 1, 1, 1), pg_temp.set_scores('m5', 1, 3, 3);
SELECT ismseval.release_peer_figures('R2') IS NOT NULL AS released \gset
SET ROLE nu;
-- n1 among m1-m6: N1 2, 3, 4, 1, 2, 2: 14/6; its 2.5: 4 below -> 100 x 4 / 6 = 66.666667.
-- N2 3, 4, 2, 1, 3, 3: 16/6; its 4: 5 below, 1 equal -> 100 x 5.5 / 6 = 91.666667.
SELECT results_eq($$SELECT domain, peer_count, peer_score, pct, in_peer_release FROM nc_domains
                    WHERE organization = 'n1' ORDER BY domain$$,
                  $$VALUES ('N1', 6::bigint, round(14 / 6.0, 9), 66.666667, true),
                           ('N2', 6::bigint, round(16 / 6.0, 9), 91.666667, true)$$,
                  'R2 admits n1: its own figures among m1-m6, with percentiles 66.67 and 91.67');
-- Totals 7, 10, 10, 3, 7, 7: mean 44/6 = 22/3; n1's 9: 4 below, 2 above -> percentile 66.67,
-- rank 3 of 7; population sd: squares of -1/3, 8/3, 8/3, -13/3, -1/3, -1/3 sum to 300/9,
-- / 6 = 50/9, sd = 5 sqrt(2) / 3; deviation 50 + 10 x (9 - 22/3) / sd = 50 + 10 / sqrt(2) = 57.0710678.
SELECT results_eq($$SELECT peer_count, round(peer_mean_total::numeric, 9), round(peer_percentile::numeric, 6),
                           round(deviation_score::numeric, 6), peer_rank, ranked_organizations, in_peer_release,
                           peer_figures_as_of = (SELECT released_at FROM ismseval.peer_releases WHERE note = 'R2')
                    FROM ismseval.org_benchmark WHERE organization = 'n1'$$,
                  $$VALUES (6::bigint, round(22 / 3.0, 9), 66.666667, round(50 + 10 / sqrt(2.0), 6), 3::bigint, 7::bigint,
                            true, true)$$,
                  'and its total: mean 22/3, percentile 66.67, deviation 57.07, rank 3 of 7, as of R2');
-- NS1 changed for n1 alone (1 unit): the item keeps R1's figures, and n1's answer is not in them.
SELECT results_eq($$SELECT peer_rate_pct, peer_count, in_peer_release FROM ismseval.question_peer_rate
                    WHERE organization = 'n1' AND question = 'NS1'$$,
                  $$VALUES (50::double precision, 6::bigint, false)$$,
                  'a question goes by its own publication: NS1 still R1''s, n1 not in it (50 %, 6)');
SELECT ok(ismseval.peer_distribution_svg((SELECT n1 FROM nc_ids), (SELECT fw FROM nc_ids)) LIKE '%rank 3 of 7%',
          'its peer chart now shows its rank');
-- t1 (moved) is still held by M: in G it is a newcomer, now among R2's 7 members of G (m1-m6
-- and n1: N1 (14 + 2.5) / 7 = 16.5/7); hidden from nu: m1-m6, 6 parties.
SELECT results_eq($$SELECT peer_count, peer_score, in_peer_release FROM nc_domains
                    WHERE organization = 't1' AND domain = 'N1'$$,
                  $$VALUES (7::bigint, round(16.5 / 7, 9), false)$$,
                  'moved t1 is still a newcomer in G: the group of 7 in R2 (16.5/7)');
RESET ROLE;
SELECT is((SELECT peer_group FROM ismseval.peer_release_figures f JOIN ismseval.peer_releases r USING (release_id)
           WHERE r.note = 'R2' AND f.kind = 'total'
             AND f.organization_id = (SELECT organization_id FROM ismseval.organizations WHERE code = 't1')),
          'planning-competitive / small', 'while the release still holds it in M');

-- The groups' figures in the release: G at R2 has 7 members for N1 with mean 16.5/7.
SELECT results_eq($$SELECT g.members, round(g.mean::numeric, 9) FROM ismseval.peer_release_groups g
                    JOIN ismseval.peer_releases r USING (release_id)
                    JOIN ismseval.control_domains d ON d.domain_id = g.item_id
                    WHERE r.note = 'R2' AND g.peer_group = 'regulated / small' AND g.kind = 'domain' AND d.code = 'N1'$$,
                  $$VALUES (7::bigint, round(16.5 / 7, 9))$$, 'peer_release_groups: G''s N1 in R2, 7 members, 16.5/7');
SELECT throws_ok($$DELETE FROM ismseval.peer_release_groups WHERE release_id = (SELECT max(release_id) FROM ismseval.peer_releases)$$,
                 '23001', NULL, 'the newest release''s group figures cannot be deleted');
SELECT throws_ok($$UPDATE ismseval.peer_release_groups SET mean = 0 WHERE release_id = (SELECT max(release_id) FROM ismseval.peer_releases)$$,
                 '23001', NULL, 'nor changed');
SELECT lives_ok($$DELETE FROM ismseval.peer_releases WHERE note = 'R1'$$, 'an older release goes with its group figures');
SELECT is((SELECT count(*) FROM ismseval.peer_release_groups g JOIN ismseval.peer_releases r USING (release_id)
           WHERE r.note = 'R1'), 0::bigint, '(none left)');

SELECT * FROM finish();
ROLLBACK;
