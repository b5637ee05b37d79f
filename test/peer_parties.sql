-- pgTAP: the hidden-peer floor counts parties (issue 10). One customer mapped through two
-- tenant roles, cust_one (one organization per group) and cust_six (the others it owns);
-- its two logins together know every organization of both roles. Framework P: domain P1
-- with one large question PL1 (1-4) and one small question PS1 under it; the total is PL1.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(16);

CREATE ROLE cust_one NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE cust_six NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE cust_one_user IN ROLE cust_one;
CREATE ROLE cust_six_user IN ROLE cust_six;

INSERT INTO ismseval.frameworks (code, name, scale_min, scale_max, default_target) VALUES ('P', 'Parties', 1, 4, 3);
INSERT INTO ismseval.control_domains (framework_id, code, name, display_order)
SELECT framework_id, 'P1', 'Domain P1', 1 FROM ismseval.frameworks WHERE code = 'P';
INSERT INTO ismseval.questions (framework_id, domain_id, code, text)
SELECT framework_id, domain_id, 'PL1', 'Large' FROM ismseval.control_domains WHERE code = 'P1';
INSERT INTO ismseval.questions (framework_id, domain_id, parent_id, code, text)
SELECT framework_id, domain_id, question_id, 'PS1', 'Small' FROM ismseval.questions WHERE code = 'PL1';

-- Groups and (PL1, PS1):
--   A regulated / enterprise:          c0 (2, yes) [one]; c1 1 yes, c2 2 no, c3 3 yes, c4 4 no,
--                                      c5 1 yes, c6 2 no [six]; x 3 yes (unmapped): the attack
--   B planning-competitive / enterprise: d0 2 [one]; d1 1, d2 2, d3 4 [six]; x1-x5 all 3
--   C mass-production / medium:       e0 2 [one]; e1 1, e2 2, e3 4 [six]; z1 4, z2-z5 3
--   D regulated / medium:             f0 2 [one]; w1 1, w2-w6 3
CREATE TEMP TABLE party_data (code text, grp text, tenant text, l1 int, s1 boolean);
INSERT INTO party_data VALUES
    ('c0', 'A', 'cust_one', 2, true), ('c1', 'A', 'cust_six', 1, true), ('c2', 'A', 'cust_six', 2, false),
    ('c3', 'A', 'cust_six', 3, true), ('c4', 'A', 'cust_six', 4, false), ('c5', 'A', 'cust_six', 1, true),
    ('c6', 'A', 'cust_six', 2, false), ('x', 'A', NULL, 3, true),
    ('d0', 'B', 'cust_one', 2, true), ('d1', 'B', 'cust_six', 1, true), ('d2', 'B', 'cust_six', 2, false),
    ('d3', 'B', 'cust_six', 4, true), ('x1', 'B', NULL, 3, true), ('x2', 'B', NULL, 3, false),
    ('x3', 'B', NULL, 3, true), ('x4', 'B', NULL, 3, false), ('x5', 'B', NULL, 3, true),
    ('e0', 'C', 'cust_one', 2, true), ('e1', 'C', 'cust_six', 1, true), ('e2', 'C', 'cust_six', 2, false),
    ('e3', 'C', 'cust_six', 4, true), ('z1', 'C', NULL, 4, true), ('z2', 'C', NULL, 3, false),
    ('z3', 'C', NULL, 3, true), ('z4', 'C', NULL, 3, false), ('z5', 'C', NULL, 3, true),
    ('f0', 'D', 'cust_one', 2, true), ('w1', 'D', NULL, 1, true), ('w2', 'D', NULL, 3, false),
    ('w3', 'D', NULL, 3, true), ('w4', 'D', NULL, 3, false), ('w5', 'D', NULL, 3, true), ('w6', 'D', NULL, 3, false);
INSERT INTO ismseval.organizations (code, name, core_business, size_band)
SELECT code, 'Org ' || code,
       CASE grp WHEN 'B' THEN 'planning-competitive' WHEN 'C' THEN 'mass-production' ELSE 'regulated' END,
       CASE grp WHEN 'A' THEN 'enterprise' WHEN 'B' THEN 'enterprise' ELSE 'medium' END
FROM party_data;
INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
SELECT d.tenant::regrole, o.organization_id FROM party_data d JOIN ismseval.organizations o USING (code)
WHERE d.tenant IS NOT NULL;
INSERT INTO ismseval.assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, DATE '2026-10-01'
FROM ismseval.organizations o JOIN party_data USING (code), ismseval.frameworks f WHERE f.code = 'P';
INSERT INTO ismseval.answers (assessment_id, question_id, score, answer_yes)
SELECT a.assessment_id, q.question_id, CASE q.code WHEN 'PL1' THEN d.l1 END, CASE q.code WHEN 'PS1' THEN d.s1 END
FROM ismseval.assessments a JOIN ismseval.organizations o USING (organization_id) JOIN party_data d USING (code)
JOIN ismseval.questions q ON q.framework_id = a.framework_id;
SELECT ismseval.release_peer_figures('parties') IS NOT NULL AS released \gset

CREATE TEMP VIEW pids AS
SELECT (SELECT framework_id FROM ismseval.frameworks WHERE code = 'P') AS fw,
       (SELECT organization_id FROM ismseval.organizations WHERE code = 'c0') AS c0,
       (SELECT organization_id FROM ismseval.organizations WHERE code = 'd0') AS d0,
       (SELECT organization_id FROM ismseval.organizations WHERE code = 'e0') AS e0;
GRANT SELECT ON pids TO PUBLIC;
CREATE TEMP TABLE attack (what text, value double precision);
GRANT SELECT, INSERT ON attack TO PUBLIC;

-- ---------------------------------------------------------------------------
-- A: the attack. c0's peers are c1-c6 and x: 7 organizations hidden from cust_one_user,
-- but 2 parties (cust_six, x). Were the figures shown (7 >= 5), the customer would take
-- PL1: 7 x mean - (1 + 2 + 3 + 4 + 1 + 2) = 7 x 16/7 - 13 = 3, x's score;
-- PS1: 7 x rate / 100 - 3 yes (c1, c3, c5) = 7 x 4/7 - 3 = 1, x's yes.
-- ---------------------------------------------------------------------------
SET ROLE cust_one_user;
INSERT INTO attack
SELECT 'mean', (SELECT peer_mean FROM ismseval.peer_domain_benchmark((SELECT c0 FROM pids), (SELECT fw FROM pids)))
UNION ALL
SELECT 'total', (SELECT peer_mean_total FROM ismseval.peer_total_benchmark((SELECT c0 FROM pids), (SELECT fw FROM pids)))
UNION ALL
SELECT 'rate', (SELECT peer_rate_pct FROM ismseval.peer_question_benchmark((SELECT c0 FROM pids), (SELECT fw FROM pids)));
SET ROLE cust_six_user;
INSERT INTO attack
SELECT 'own sum', sum(an.score) FROM ismseval.answers an WHERE an.score IS NOT NULL
  AND an.assessment_id IN (SELECT a.assessment_id FROM ismseval.assessments a JOIN ismseval.organizations o USING (organization_id)
                           WHERE o.code LIKE 'c_')
UNION ALL
SELECT 'own yes', count(*) FILTER (WHERE an.answer_yes) FROM ismseval.answers an WHERE an.answer_yes IS NOT NULL
  AND an.assessment_id IN (SELECT a.assessment_id FROM ismseval.assessments a JOIN ismseval.organizations o USING (organization_id)
                           WHERE o.code LIKE 'c_');
RESET ROLE;
SELECT is((SELECT value FROM attack WHERE what = 'own sum'), 13::double precision,
          'the customer''s second login knows its six organizations'' PL1 sum: 1 + 2 + 3 + 4 + 1 + 2 = 13');
SELECT is((SELECT 7 * m.value - s.value FROM attack m, attack s WHERE m.what = 'mean' AND s.what = 'own sum'),
          NULL::double precision,
          '7 x peer mean - own sum does not give x''s score (c0''s 7 hidden peers are 2 parties: no domain figure)');
SELECT is((SELECT value FROM attack WHERE what = 'total'), NULL::double precision, 'nor a total figure');
SELECT is((SELECT 7 * m.value / 100 - s.value FROM attack m, attack s WHERE m.what = 'rate' AND s.what = 'own yes'),
          NULL::double precision, 'nor x''s answer from 7 x rate - own yes (no rate either)');
SET ROLE cust_six_user;
-- c1's peers hidden from cust_six_user: c0 and x, 2 parties.
SELECT is((SELECT count(*) FROM ismseval.peer_domain_benchmark(
               (SELECT organization_id FROM ismseval.organizations WHERE code = 'c1'), (SELECT fw FROM pids))),
          0::bigint, 'the other login gets no figure of c1 either (hidden: c0 and x, 2 parties)');
RESET ROLE;
-- The figures exist: an administrator (the superuser here) gets them with the plain floor.
-- c0's peers: c1-c6 and x: 7, PL1 mean (1 + 2 + 3 + 4 + 1 + 2 + 3) / 7 = 16/7.
SELECT results_eq($$SELECT peer_count, round(peer_mean::numeric, 12)
                    FROM ismseval.peer_domain_benchmark((SELECT c0 FROM pids), (SELECT fw FROM pids))$$,
                  $$VALUES (7::bigint, round(16 / 7.0, 12))$$, 'an administrator gets c0''s figure: 7 peers, mean 16/7');
-- The rule alone, for the domain item of c0 (2 hidden parties) and of e0 (6, below) as
-- cust_one_user sees them, at the floor of 5.
SELECT results_eq($$SELECT o.code, ismseval.peer_release_item_shown(f.release_id, f.organization_id, f.framework_id, f.kind,
                                                                   f.item_id, f.peer_group,
                                                                   ARRAY(SELECT ismseval.session_visible_organizations('cust_one_user')), 5)
                    FROM ismseval.peer_release_figures f JOIN ismseval.organizations o USING (organization_id)
                    WHERE o.code IN ('c0', 'e0') AND f.kind = 'domain' ORDER BY o.code$$,
                  $$VALUES ('c0', false), ('e0', true)$$,
                  'peer_release_item_shown: c0''s domain (hidden: cust_six, x) no, e0''s yes');

-- ---------------------------------------------------------------------------
-- B: 6 hidden parties (cust_six, x1-x5), but outside cust_six every hidden peer has PL1 = 3:
-- the customer, who knows d1-d3, would learn that each of x1-x5 scored 3 (the peers' mean
-- 22/8 minus its own 7 leaves 15 over five; the deviation score's sd leaves no spread).
-- PS1: cust_six (yes, no, yes), x1 yes, x2 no, x3 yes, x4 no, x5 yes: outside any one party
-- both answers remain; peers yes: d1 d3 x1 x3 x5 = 5 of 8 -> 62.5 %.
-- ---------------------------------------------------------------------------
SET ROLE cust_one_user;
SELECT is((SELECT count(*) FROM ismseval.peer_domain_benchmark((SELECT d0 FROM pids), (SELECT fw FROM pids)))
          + (SELECT count(*) FROM ismseval.peer_total_benchmark((SELECT d0 FROM pids), (SELECT fw FROM pids))),
          0::bigint, 'd0: 6 hidden parties, but outside one of them (cust_six) all score 3: no score figure');
SELECT results_eq($$SELECT peer_count, peer_rate_pct
                    FROM ismseval.peer_question_benchmark((SELECT d0 FROM pids), (SELECT fw FROM pids))$$,
                  $$VALUES (8::bigint, 62.5::double precision)$$,
                  'd0 PS1: answers vary outside any one party: 5 yes of 8 = 62.5 %');

-- ---------------------------------------------------------------------------
-- C: 6 hidden parties; outside cust_six: z1 4 and z2-z5 3, so two values remain outside any
-- one party. Peers e1 1, e2 2, e3 4, z1 4, z2-z5 3: 8, mean (1 + 2 + 4 + 4 + 12) / 8 = 2.875;
-- e0's 2: below 1 (e1), equal 1 (e2) -> 100 x 1.5 / 8 = 18.75. Total = PL1 (one question).
-- ---------------------------------------------------------------------------
SELECT results_eq($$SELECT peer_count, peer_mean, peer_percentile
                    FROM ismseval.peer_domain_benchmark((SELECT e0 FROM pids), (SELECT fw FROM pids))$$,
                  $$VALUES (8::bigint, 2.875::double precision, 18.75::double precision)$$,
                  'e0: 6 hidden parties with two values outside any one: 8 peers, mean 2.875, percentile 18.75');
SELECT results_eq($$SELECT peer_count, peer_mean_total
                    FROM ismseval.peer_total_benchmark((SELECT e0 FROM pids), (SELECT fw FROM pids))$$,
                  $$VALUES (8::bigint, 2.875::double precision)$$, 'and its total figure: mean 2.875');

-- D: 6 hidden parties (w1-w6, unmapped); w1, the lowest, scores 1 and the other five 3: a
-- reader who knew w1 would learn that each of the others scored 3 (the same test as B, with
-- the odd party at the low end).
SELECT is((SELECT count(*) FROM ismseval.peer_domain_benchmark(
               (SELECT organization_id FROM ismseval.organizations WHERE code = 'f0'), (SELECT fw FROM pids))),
          0::bigint, 'f0: outside w1 (the lowest hidden peer) all score 3: no score figure');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- E: a newcomer. cust_one's c9 joins group A after the release (PL1 2, PS1 yes): it would
-- get A's figures over all 8 members (c0-c6, x), from which the customer, knowing c0 and
-- c1-c6, would take x's: 8 x mean - (2 + 13) = 8 x 18/8 - 15 = 3. Hidden from cust_one_user:
-- c1-c6 (cust_six) and x: 2 parties. No figure, score or rate.
-- ---------------------------------------------------------------------------
INSERT INTO ismseval.organizations (code, name, core_business, size_band) VALUES ('c9', 'Org c9', 'regulated', 'enterprise');
INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
SELECT 'cust_one', organization_id FROM ismseval.organizations WHERE code = 'c9';
INSERT INTO ismseval.assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, DATE '2026-11-01'
FROM ismseval.organizations o, ismseval.frameworks f WHERE o.code = 'c9' AND f.code = 'P';
INSERT INTO ismseval.answers (assessment_id, question_id, score, answer_yes)
SELECT a.assessment_id, q.question_id, CASE q.code WHEN 'PL1' THEN 2 END, CASE q.code WHEN 'PS1' THEN true END
FROM ismseval.assessments a JOIN ismseval.organizations o USING (organization_id)
JOIN ismseval.questions q ON q.framework_id = a.framework_id WHERE o.code = 'c9';
SET ROLE cust_one_user;
SELECT is((SELECT count(*) FROM ismseval.peer_domain_benchmark(
               (SELECT organization_id FROM ismseval.organizations WHERE code = 'c9'), (SELECT fw FROM pids)))
          + (SELECT count(*) FROM ismseval.peer_total_benchmark(
               (SELECT organization_id FROM ismseval.organizations WHERE code = 'c9'), (SELECT fw FROM pids)))
          + (SELECT count(*) FROM ismseval.peer_question_benchmark(
               (SELECT organization_id FROM ismseval.organizations WHERE code = 'c9'), (SELECT fw FROM pids))),
          0::bigint, 'newcomer c9: A''s group of 8 hides 2 parties from the customer: no group figure');
RESET ROLE;
-- The group figures exist: an administrator gets them. A's PL1 (2 + 1 + 2 + 3 + 4 + 1 + 2 + 3) / 8 = 18/8.
SELECT results_eq($$SELECT peer_count, peer_mean, peer_percentile, in_peer_release
                    FROM ismseval.peer_domain_benchmark((SELECT organization_id FROM ismseval.organizations WHERE code = 'c9'),
                                                        (SELECT fw FROM pids))$$,
                  $$VALUES (8::bigint, 2.25::double precision, NULL::double precision, false)$$,
                  'an administrator gets c9''s group figure: 8 members, mean 18/8, no percentile');
-- A group where only the party count stands in the way: planning-competitive / medium holds
-- cust_six's g1-g4 (PL1 1, 2, 3, 4) and unmapped y1 (2), y2 (3), all in a second release
-- (a new group publishes everyone); then cust_one's newcomer g9. Hidden from cust_one_user:
-- 6 organizations but 3 parties (cust_six, y1, y2), and outside any one of them two values
-- remain. Shown, the customer would take y1 + y2 = 6 x mean - (1 + 2 + 3 + 4) = 5.
CREATE TEMP TABLE e_data (code text, tenant text, l1 int, phase int);
INSERT INTO e_data VALUES ('g1', 'cust_six', 1, 1), ('g2', 'cust_six', 2, 1), ('g3', 'cust_six', 3, 1),
    ('g4', 'cust_six', 4, 1), ('y1', NULL, 2, 1), ('y2', NULL, 3, 1), ('g9', 'cust_one', 2, 2);
CREATE FUNCTION pg_temp.add_e(p int) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ismseval.organizations (code, name, core_business, size_band)
    SELECT code, 'Org ' || code, 'planning-competitive', 'medium' FROM e_data WHERE phase = p;
    INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
    SELECT d.tenant::regrole, o.organization_id FROM e_data d JOIN ismseval.organizations o USING (code)
    WHERE d.phase = p AND d.tenant IS NOT NULL;
    INSERT INTO ismseval.assessments (organization_id, framework_id, assessed_on)
    SELECT o.organization_id, f.framework_id, DATE '2026-11-01'
    FROM e_data d JOIN ismseval.organizations o USING (code), ismseval.frameworks f WHERE d.phase = p AND f.code = 'P';
    INSERT INTO ismseval.answers (assessment_id, question_id, score)
    SELECT a.assessment_id, q.question_id, d.l1
    FROM e_data d JOIN ismseval.organizations o USING (code) JOIN ismseval.assessments a USING (organization_id)
    JOIN ismseval.questions q ON q.framework_id = a.framework_id AND q.code = 'PL1' WHERE d.phase = p;
$$;
SELECT pg_temp.add_e(1);
SELECT ismseval.release_peer_figures('group E') IS NOT NULL AS released \gset
SELECT pg_temp.add_e(2);
SET ROLE cust_one_user;
SELECT is((SELECT count(*) FROM ismseval.peer_domain_benchmark(
               (SELECT organization_id FROM ismseval.organizations WHERE code = 'g9'), (SELECT fw FROM pids))),
          0::bigint, 'newcomer g9: 6 hidden organizations but 3 parties: no group figure');
RESET ROLE;
SELECT results_eq($$SELECT peer_count, peer_mean FROM ismseval.peer_domain_benchmark(
                        (SELECT organization_id FROM ismseval.organizations WHERE code = 'g9'), (SELECT fw FROM pids))$$,
                  $$VALUES (6::bigint, 2.5::double precision)$$,
                  '(an administrator gets it: 6 members, (1 + 2 + 3 + 4 + 2 + 3) / 6 = 2.5)');

SELECT * FROM finish();
ROLLBACK;
