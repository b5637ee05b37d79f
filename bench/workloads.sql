-- The benchmark workloads: for each, the ismseval query and the pure-SQL way to the same answer
-- ('sql'), plus a floor where one exists. Every query is timed by EXPLAIN ANALYZE, so its
-- result is computed in full but not sent to the client.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench_results;
DROP TABLE IF EXISTS bench_results.workloads;
CREATE TABLE bench_results.workloads (ord integer, workload text, variant text, query text);
INSERT INTO bench_results.workloads VALUES
-- 1. per-organization maturity radar.
(1, 'maturity radar per org', 'ismseval',
 $q$SELECT org_id, ismseval.maturity_radar(domain, score) FROM bench.answers GROUP BY org_id$q$),
(1, 'maturity radar per org', 'sql',
 $q$SELECT org_id, jsonb_object_agg(domain, m) FROM (SELECT org_id, domain, avg(score) AS m
    FROM bench.answers WHERE score IS NOT NULL GROUP BY org_id, domain) s GROUP BY org_id$q$),
(1, 'maturity radar per org', 'floor',
 $q$SELECT org_id, count(*) FROM bench.answers GROUP BY org_id$q$),
-- 2. the peer radar of every peer group, from the raw answers.
(2, 'peer radar per group', 'ismseval',
 $q$SELECT peer_group, ismseval.peer_radar(r) FROM (SELECT a.org_id, o.peer_group,
    ismseval.maturity_radar(a.domain, a.score) AS r FROM bench.answers a JOIN bench.orgs o USING (org_id)
    GROUP BY a.org_id, o.peer_group) s GROUP BY peer_group$q$),
(2, 'peer radar per group', 'sql',
 $q$SELECT peer_group, jsonb_object_agg(domain, pm) FROM (SELECT peer_group, domain, avg(m) AS pm
    FROM (SELECT a.org_id, o.peer_group, a.domain, avg(a.score) AS m FROM bench.answers a
          JOIN bench.orgs o USING (org_id) WHERE a.score IS NOT NULL GROUP BY a.org_id, o.peer_group, a.domain) s
    GROUP BY peer_group, domain HAVING count(*) >= 5) t GROUP BY peer_group$q$),
-- 3. every organization's percentile among its peers.
(3, 'percentile among peers', 'ismseval',
 $q$SELECT t.org_id, ismseval.peer_percentile(d.dist, t.total) FROM bench.org_totals t
    JOIN (SELECT peer_group, ismseval.peer_dist(total) AS dist FROM bench.org_totals GROUP BY peer_group) d
    USING (peer_group)$q$),
(3, 'percentile among peers', 'sql',
 $q$SELECT org_id, percent_rank() OVER (PARTITION BY peer_group ORDER BY total) FROM bench.org_totals$q$),
(3, 'percentile among peers', 'sql mid-rank',
 $q$SELECT org_id, 100.0 * (rank() OVER w - 1 + 0.5 * count(*) OVER (PARTITION BY peer_group, total))
    / count(*) OVER (PARTITION BY peer_group) FROM bench.org_totals WINDOW w AS (PARTITION BY peer_group ORDER BY total)$q$),
-- 1b, 3b. The same over the 0-100 framework (every fourth organization, 20 axes).
(11, 'maturity radar per org, 0-100', 'ismseval',
 $q$SELECT org_id, ismseval.maturity_radar(domain, score) FROM bench.pct_answers GROUP BY org_id$q$),
(11, 'maturity radar per org, 0-100', 'sql',
 $q$SELECT org_id, jsonb_object_agg(domain, m) FROM (SELECT org_id, domain, avg(score) AS m
    FROM bench.pct_answers WHERE score IS NOT NULL GROUP BY org_id, domain) s GROUP BY org_id$q$),
(11, 'maturity radar per org, 0-100', 'floor',
 $q$SELECT org_id, count(*) FROM bench.pct_answers GROUP BY org_id$q$),
(12, 'percentile among peers, 0-100', 'ismseval',
 $q$SELECT t.org_id, ismseval.peer_percentile(d.dist, t.total) FROM bench.pct_totals t
    JOIN (SELECT peer_group, ismseval.peer_dist(total) AS dist FROM bench.pct_totals GROUP BY peer_group) d
    USING (peer_group)$q$),
(12, 'percentile among peers, 0-100', 'sql',
 $q$SELECT org_id, percent_rank() OVER (PARTITION BY peer_group ORDER BY total) FROM bench.pct_totals$q$),
(12, 'percentile among peers, 0-100', 'sql mid-rank',
 $q$SELECT org_id, 100.0 * (rank() OVER w - 1 + 0.5 * count(*) OVER (PARTITION BY peer_group, total))
    / count(*) OVER (PARTITION BY peer_group) FROM bench.pct_totals WINDOW w AS (PARTITION BY peer_group ORDER BY total)$q$),
-- 4. scalar functions over every risk.
(4, 'risk_score', 'ismseval',
 $q$SELECT ismseval.risk_score(likelihood, impact) FROM bench.risks$q$),
(4, 'risk_score', 'sql',
 $q$SELECT likelihood * impact FROM bench.risks$q$),
(5, 'risk_level', 'ismseval',
 $q$SELECT ismseval.risk_level((SELECT m FROM bench.matrix), likelihood, impact) FROM bench.risks$q$),
(5, 'risk_level', 'sql',
 $q$SELECT CASE WHEN likelihood * impact >= 12 THEN 'critical' WHEN likelihood * impact >= 8 THEN 'high'
    WHEN likelihood * impact >= 4 THEN 'medium' ELSE 'low' END FROM bench.risks$q$),
(6, 'residual_risk', 'ismseval',
 $q$SELECT ismseval.residual_risk(likelihood * impact, effectiveness) FROM bench.risks$q$),
(6, 'residual_risk', 'sql',
 $q$SELECT (likelihood * impact) * (1 - effectiveness) FROM bench.risks$q$),
-- 5. combined effectiveness of the controls on each risk.
(7, 'combined_effectiveness', 'ismseval',
 $q$SELECT risk_id, ismseval.combined_effectiveness(effectiveness) FROM bench.controls GROUP BY risk_id$q$),
(7, 'combined_effectiveness', 'sql',
 $q$SELECT risk_id, 1 - exp(sum(ln(1 - effectiveness))) FROM bench.controls GROUP BY risk_id$q$),
-- 6. one organization's dashboard rows from the views over the model tables (bench/generate_model.sql);
-- {org} is the organization in the middle of the id range (assessed in BENCH-100 and BENCH-PCT:
-- 26 domains, two management review rows). The floor is the organization's own domain means
-- alone, without the peer figures. {newcomer}, the next organization, is in no release (its
-- coverage is below the minimum): its rows show its group's figures.
(8, 'dashboard: management_review', 'ismseval',
 $q$SELECT * FROM ismseval.management_review WHERE organization_id = {org}$q$),
(9, 'dashboard: maturity_by_domain', 'ismseval',
 $q$SELECT * FROM ismseval.maturity_by_domain WHERE organization_id = {org}$q$),
(13, 'dashboard: management_review, not in the release', 'ismseval',
 $q$SELECT * FROM ismseval.management_review WHERE organization_id = {newcomer}$q$),
(14, 'dashboard: maturity_by_domain, not in the release', 'ismseval',
 $q$SELECT * FROM ismseval.maturity_by_domain WHERE organization_id = {newcomer}$q$),
(9, 'dashboard: maturity_by_domain', 'floor',
 $q$SELECT d.code, avg(an.score) FROM ismseval.assessments a
    JOIN ismseval.answers an ON an.assessment_id = a.assessment_id
    JOIN ismseval.questions q ON q.question_id = an.question_id AND q.scored
    JOIN ismseval.control_domains d ON d.domain_id = q.domain_id
    WHERE a.organization_id = {org} AND a.department_id IS NULL GROUP BY d.code$q$),
-- The peer release the dashboards read: every organization's figures published anew
-- (bench_results.full_peer_release empties the releases first, so every repetition is a
-- full publication, the heavier of the two paths; an unchanged item is only copied).
(10, 'peer release: every organization', 'ismseval',
 $q$SELECT bench_results.full_peer_release()$q$);

-- Empties the peer releases and publishes a new one from scratch; returns its id.
CREATE OR REPLACE FUNCTION bench_results.full_peer_release() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    -- (the newest release is protected by triggers, which replica mode does not fire)
    SET LOCAL session_replication_role = replica;
    TRUNCATE ismseval.peer_releases, ismseval.peer_release_figures, ismseval.peer_release_groups;
    SET LOCAL session_replication_role = origin;
    RETURN ismseval.release_peer_figures('bench');
END $$;
