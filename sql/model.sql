-- The model's views against a small fixed dataset, every figure worked out by hand.
-- Dates are relative to today (TimeZone UTC), so the figures do not age.
SET search_path = ismseval, public;
SET TimeZone = 'UTC';
SET ismseval.min_peer_group = 3;
BEGIN;

-- A framework T on a 1-4 scale, target 3: domain D1 (Q1, Q2), domain D2 (Q3); small S1 under Q1.
INSERT INTO frameworks (code, name, scale_min, scale_max, default_target) VALUES ('T', 'Test framework', 1, 4, 3);
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT framework_id, d, 'Domain ' || d, o FROM frameworks, (VALUES ('D1', 1), ('D2', 2)) v(d, o) WHERE code = 'T';
INSERT INTO questions (framework_id, domain_id, code, text)
SELECT d.framework_id, d.domain_id, q, 'Question ' || q
FROM control_domains d JOIN frameworks f USING (framework_id), (VALUES ('Q1', 'D1'), ('Q2', 'D1'), ('Q3', 'D2')) v(q, dc)
WHERE f.code = 'T' AND d.code = v.dc;
INSERT INTO questions (framework_id, domain_id, parent_id, code, text)
SELECT framework_id, domain_id, question_id, 'S1', 'Small question S1' FROM questions WHERE code = 'Q1';

-- A and its peers P1-P4 (regulated, small); X is not a peer (mass-production).
INSERT INTO organizations (code, name, core_business, size_band) VALUES
    ('A', 'Org A', 'regulated', 'small'), ('P1', 'Peer 1', 'regulated', 'small'),
    ('P2', 'Peer 2', 'regulated', 'small'), ('P3', 'Peer 3', 'regulated', 'small'),
    ('P4', 'Peer 4', 'regulated', 'small'),
    ('X', 'Other', 'mass-production', 'small');

-- Answers (NA = not applicable); A's older assessment must be ignored.
--        Q1 Q2 Q3  S1
--   A     2  4  3  yes    (2025 assessment: 1 1 1)
--   P1    3  3  2  yes
--   P2    4  2  NA no
--   P3    1  1  4  yes
--   P4    3  4  1  no
--   X     4  4  4  -
INSERT INTO assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, v.d::date
FROM organizations o, frameworks f,
     (VALUES ('A', '2025-01-10'), ('A', '2026-01-10'), ('P1', '2026-02-01'), ('P2', '2025-12-01'),
             ('P3', '2026-01-20'), ('P4', '2026-02-15'), ('X', '2026-01-05')) v(org, d)
WHERE f.code = 'T' AND o.code = v.org;
INSERT INTO answers (assessment_id, question_id, score, answer_yes, not_applicable)
SELECT a.assessment_id, q.question_id, v.score, v.yes, v.na
FROM (VALUES ('A', '2025-01-10', 'Q1', 1, NULL, false), ('A', '2025-01-10', 'Q2', 1, NULL, false),
             ('A', '2025-01-10', 'Q3', 1, NULL, false),
             ('A', '2026-01-10', 'Q1', 2, NULL, false), ('A', '2026-01-10', 'Q2', 4, NULL, false),
             ('A', '2026-01-10', 'Q3', 3, NULL, false), ('A', '2026-01-10', 'S1', NULL, true, false),
             ('P1', '2026-02-01', 'Q1', 3, NULL, false), ('P1', '2026-02-01', 'Q2', 3, NULL, false),
             ('P1', '2026-02-01', 'Q3', 2, NULL, false), ('P1', '2026-02-01', 'S1', NULL, true, false),
             ('P2', '2025-12-01', 'Q1', 4, NULL, false), ('P2', '2025-12-01', 'Q2', 2, NULL, false),
             ('P2', '2025-12-01', 'Q3', NULL, NULL, true), ('P2', '2025-12-01', 'S1', NULL, false, false),
             ('P3', '2026-01-20', 'Q1', 1, NULL, false), ('P3', '2026-01-20', 'Q2', 1, NULL, false),
             ('P3', '2026-01-20', 'Q3', 4, NULL, false), ('P3', '2026-01-20', 'S1', NULL, true, false),
             ('P4', '2026-02-15', 'Q1', 3, NULL, false), ('P4', '2026-02-15', 'Q2', 4, NULL, false),
             ('P4', '2026-02-15', 'Q3', 1, NULL, false), ('P4', '2026-02-15', 'S1', NULL, false, false),
             ('X', '2026-01-05', 'Q1', 4, NULL, false), ('X', '2026-01-05', 'Q2', 4, NULL, false),
             ('X', '2026-01-05', 'Q3', 4, NULL, false)) v(org, d, q, score, yes, na)
JOIN organizations o ON o.code = v.org
JOIN assessments a ON a.organization_id = o.organization_id AND a.assessed_on = v.d::date
JOIN questions q ON q.code = v.q AND q.framework_id = a.framework_id;
-- A's own target for D2 is 3.5.
INSERT INTO maturity_targets (organization_id, domain_id, target)
SELECT o.organization_id, d.domain_id, 3.5 FROM organizations o, control_domains d WHERE o.code = 'A' AND d.code = 'D2';

-- Peer figures come from a release (release_peer_figures); the first publishes every item.
-- Domain and total figures are over the organizations with a score in every domain: P2 has
-- none in D2 (Q3 not applicable), so it is left out of them (it still counts for S1).
SELECT release_peer_figures() > 0 AS released;

-- maturity_by_domain of A:
--   D1: own (2+4)/2 = 3; peers P1 (3+3)/2 = 3, P3 (1+1)/2 = 1, P4 (3+4)/2 = 3.5: mean 7.5/3 = 2.5, n 3,
--       gap 3 - 2.5 = 0.5; target 3, gap 0; percentile of 3 in {3, 1, 3.5} = 100 (1 + 0.5 x 1)/3 = 50
--   D2: own 3; peers P1 2, P3 4, P4 1: mean 7/3 = 2.3333, n 3, gap 0.6667; target 3.5, gap -0.5;
--       percentile of 3 in {2, 4, 1} = 100 x 2/3 = 66.6667
SELECT domain, display_order, own_score AS "own 3", answered_questions, round(peer_score::numeric, 4) AS peer_score,
       peer_count, round(gap_to_peers::numeric, 4) AS gap_to_peers, target, gap_to_target,
       round(peer_percentile::numeric, 4) AS peer_percentile, assessed_on
FROM maturity_by_domain m JOIN organizations o USING (organization_id)
WHERE o.code = 'A' ORDER BY display_order;

-- question_peer_rate of A: S1 own yes; peers P1 yes, P2 no, P3 yes, P4 no: 100 x 2/4 = 50 %, n 4.
SELECT large_question, question, own_answer_yes, own_not_applicable,
       round(peer_rate_pct::numeric, 4) AS "50", peer_count
FROM question_peer_rate WHERE organization = 'A';

-- org_benchmark of A, 3 large questions: total_score = mean x 3: A (2+4+3)/3 x 3 = 9, P3 6/3 x 3 = 6.
-- The peer figures use the total as 2 x D1 mean + 1 x D2 mean (the same sum when all is answered),
-- over A, P1, P3, P4: A 2x3 + 3 = 9; P1 2x3 + 2 = 8; P3 2x1 + 4 = 6; P4 2x3.5 + 1 = 8.
--   A's peers {8, 6, 8}: mean 22/3 = 7.3333; percentile of 9 = 100 x 3/3 = 100;
--   population sd = sqrt(((2/3)^2 + (4/3)^2 + (2/3)^2)/3) = sqrt(8/9) = 0.9428;
--   deviation = 50 + 10 (9 - 22/3)/0.9428 = 67.6777; rank 1 (no peer above 9) of 4.
SELECT organization, framework, peer_group, total_score, mean_score, answered_questions, peer_count,
       round(peer_mean_total::numeric, 4) AS peer_mean_total, round(peer_percentile::numeric, 4) AS peer_percentile,
       round(deviation_score::numeric, 4) AS deviation_score, peer_rank, ranked_organizations
FROM org_benchmark WHERE organization IN ('A', 'P3') ORDER BY organization;
-- P3 (total 6) among {9, 8, 8}: percentile 0, rank 4; mean 25/3 = 8.3333;
--   sd = sqrt(((2/3)^2 + (1/3)^2 + (1/3)^2)/3) = sqrt(2/9) = 0.4714; deviation = 50 + 10 (6 - 25/3)/0.4714 = 0.5025.

-- Risks of A on the default 4 x 4 matrix (tolerance medium = rank 1):
--   R1 4x4 = 16 critical, effectiveness 0.5: residual 8; the highest level among cells scoring <= 8 is high
--      (2x4, 4x2, 2x3, 3x2), so high (rank 2) > medium: outside tolerance.
--   R2 1x4 = 4 medium, effectiveness 0: residual 4, medium: within; accepted until 2000-01-01: expired.
--   R3 2x2 = 4 medium, effectiveness 1: residual 0: no cell scores <= 0: low.
INSERT INTO risks (organization_id, title, likelihood, impact, control_effectiveness, treatment, owner, acceptance_expires)
SELECT o.organization_id, v.t, v.l, v.i, v.e, v.tr, v.ow, v.ex::date
FROM organizations o,
     (VALUES ('R1', 4, 4, 0.5, 'mitigate', NULL, NULL), ('R2', 1, 4, 0, 'accept', 'CFO', '2000-01-01'),
             ('R3', 2, 2, 1, 'mitigate', 'CIO', NULL)) v(t, l, i, e, tr, ow, ex)
WHERE o.code = 'A';
SELECT title, likelihood, impact, inherent_score, inherent_level, inherent_level_rank, inherent_color,
       residual_score, residual_level, residual_level_rank, residual_color, tolerance_level, within_tolerance,
       treatment, acceptance_expired
FROM risk_register WHERE organization = 'A' ORDER BY title;

-- risk_heatmap of A: 16 cells, 3 risks in (4,4), (1,4), (2,2).
SELECT count(*) AS "cells 16", sum(risk_count) AS "risks 3",
       string_agg(format('(%s,%s)', likelihood, impact), ' ' ORDER BY likelihood, impact) FILTER (WHERE risk_count > 0) AS cells
FROM risk_heatmap WHERE organization = 'A';
SELECT likelihood, impact, score, level, level_rank, color, risk_count
FROM risk_heatmap WHERE organization = 'A' AND likelihood IN (1, 4) ORDER BY likelihood, impact;

-- KPIs of A:
--   K1 training (higher, target 100, baseline 50, amber 0.1, monthly): 80 forty days ago, 95 ten days ago:
--      change 15, attainment 95 %, progress (95-50)/(100-50) = 90 %, amber (0.95 >= 0.9), not stale.
--   K2 mis-sends (lower, target 0, baseline 4, monthly): 0 forty-five days ago: attainment 100 % (0 of 0),
--      progress (0-4)/(0-4) = 100 %, green, stale (45 > 30).
--   K3 click rate (lower, target 5, quarterly): never measured: NULL status, stale.
INSERT INTO kpis (organization_id, code, name, direction, unit, target, baseline, amber_tolerance, frequency_days)
SELECT o.organization_id, v.c, v.n, v.d::kpi_direction, v.u, v.t, v.b, 0.1, v.f
FROM organizations o,
     (VALUES ('K1', 'Training completion', 'higher_is_better', '%', 100, 50, 30),
             ('K2', 'E-mail mis-sends', 'lower_is_better', 'count', 0, 4, 30),
             ('K3', 'Phishing click rate', 'lower_is_better', '%', 5, NULL, 91)) v(c, n, d, u, t, b, f)
WHERE o.code = 'A';
INSERT INTO kpi_measurements (kpi_id, measured_on, value)
SELECT k.kpi_id, CURRENT_DATE - v.ago, v.val
FROM kpis k JOIN (VALUES ('K1', 40, 80), ('K1', 10, 95), ('K2', 45, 0)) v(c, ago, val) ON v.c = k.code;
SELECT kpi, direction, unit, frequency_days, target, baseline, latest_value, previous_value, change,
       attainment_pct, progress_pct, status, days_since_measured, stale,
       latest_measured_on = CURRENT_DATE - 10 AS latest_10_days_ago
FROM kpi_status WHERE organization = 'A' ORDER BY kpi;

-- objectives: O1 on K1 due yesterday, 95 % attained: overdue; O2 on K2 due in 30 days: achieved.
INSERT INTO objectives (organization_id, kpi_id, title, owner, set_on, due_on)
SELECT k.organization_id, k.kpi_id, v.t, 'CISO', CURRENT_DATE - 100, CURRENT_DATE + v.due
FROM kpis k JOIN (VALUES ('K1', 'All staff trained', -1), ('K2', 'No mis-sends', 30)) v(c, t, due) ON v.c = k.code;
SELECT objective, owner, kpi, latest_value, target, unit, progress_pct, status, achieved, overdue, days_to_due
FROM objective_status WHERE organization = 'A' ORDER BY objective;

-- Incidents of A in the month :m0 two months back and the month after it (UTC):
--   I1 day 1: detected +2 h, reported 1 h later, resolved at +10 h; severity 3, leakage 2
--   I2 day 15: detected +6 h, reported 30 h later, resolved at +20 h; severity 1, leakage 1
--   I3 day 20: not detected yet; severity 2
--   I4 next month day 2: detected +1 h, reported exactly 24 h later, resolved at +3 h; severity 4, leakage 4
-- month 0: 3 incidents, 1 severe, max leakage 2; MTTD (2+6)/2 = 4, p90 2 + 0.9 x 4 = 5.6;
--          MTTR (10+20)/2 = 15, p90 10 + 0.9 x 10 = 19; within 24 h: 1 of 2 detected = 50 %
-- month 1: 1 incident, 1 severe, leakage 4; MTTD 1, MTTR 3 (p90 the same); 1 of 1 = 100 %
-- month 2 (the current month): no incident: a row of zeros (counts 0, the figures NULL)
SELECT (date_trunc('month', CURRENT_DATE) - interval '2 months')::date AS m0 \gset
INSERT INTO incidents (organization_id, title, occurred_at, detected_at, reported_at, resolved_at, severity, leakage_risk)
SELECT o.organization_id, v.t, :'m0'::timestamptz + v.occ, :'m0'::timestamptz + v.occ + v.det,
       :'m0'::timestamptz + v.occ + v.det + v.rep, :'m0'::timestamptz + v.occ + v.res, v.sev, v.leak
FROM organizations o,
     (VALUES ('I1', interval '0 days', interval '2 hours', interval '1 hour', interval '10 hours', 3, 2),
             ('I2', interval '14 days', interval '6 hours', interval '30 hours', interval '20 hours', 1, 1),
             ('I3', interval '19 days', NULL, NULL, NULL, 2, NULL),
             ('I4', interval '1 month 1 day', interval '1 hour', interval '24 hours', interval '3 hours', 4, 4))
     v(t, occ, det, rep, res, sev, leak)
WHERE o.code = 'A';
SELECT (month - :'m0'::date) / 28 AS month_index, incidents, severe_incidents, max_leakage_risk,
       mttd_hours, round(mttd_hours_p90::numeric, 4) AS mttd_hours_p90, mttr_hours,
       round(mttr_hours_p90::numeric, 4) AS mttr_hours_p90, reported_within_24h_pct
FROM incident_metrics_monthly WHERE organization = 'A' ORDER BY month;

-- A nonconformity with an overdue corrective action, and a closed one.
INSERT INTO nonconformities (organization_id, source, description, owner, raised_on, closed_on)
SELECT organization_id, 'internal-audit', v.d, 'CISO', CURRENT_DATE - 20, v.closed
FROM organizations, (VALUES ('open one', NULL::date), ('closed one', CURRENT_DATE - 5)) v(d, closed) WHERE code = 'A';
INSERT INTO corrective_actions (organization_id, nonconformity_id, description, owner, opened_on, due_on)
SELECT organization_id, nonconformity_id, 'fix it', 'CISO', CURRENT_DATE - 20, CURRENT_DATE - 1
FROM nonconformities WHERE description = 'open one';

-- management_review of A: the figures above; weakest domain D1 (D1 = D2 = 3, first in display order);
-- below target: D2 (-0.5); below peers: none (D1 +0.5, D2 +0.6667); 3 risks, 1 outside tolerance, 1 critical,
-- 1 expired acceptance; KPIs 1 green, 1 amber, 0 red, 2 stale; objectives 1 achieved, 1 overdue;
-- 12 months: 4 incidents, 2 severe, MTTD (2+6+1)/3 = 3, MTTR (10+20+3)/3 = 11, within 24 h 2 of 3 = 66.6667 %;
-- 1 open nonconformity, 1 overdue corrective action. X has no data at all: zeros and NULLs, no error.
\x on
SELECT organization, organization_name, peer_group, framework, total_score, mean_score,
       round(peer_mean_total::numeric, 4) AS peer_mean_total, peer_count, round(peer_percentile::numeric, 4) AS peer_percentile,
       round(deviation_score::numeric, 4) AS deviation_score, peer_rank, ranked_organizations, weakest_domain,
       domains_below_target, domains_below_peers, risks, risks_outside_tolerance, risks_top_level, acceptances_expired,
       kpis, kpis_green, kpis_amber, kpis_red, kpis_stale, objectives, objectives_achieved, objectives_overdue,
       incidents_12m, severe_incidents_12m, mttd_hours_12m, mttr_hours_12m,
       round(reported_within_24h_pct_12m::numeric, 4) AS reported_within_24h_pct_12m,
       nonconformities_open, corrective_actions_overdue
FROM management_review WHERE organization IN ('A', 'X') ORDER BY organization;
\x off

-- The radar of A: an SVG with its three series.
SELECT left(s, 4) AS svg, s LIKE '%Org A: T maturity%' AS titled,
       s LIKE '%Own%' AND s LIKE '%Peers (mean)%' AND s LIKE '%Target%' AS three_series
FROM (SELECT org_radar_svg(organization_id) AS s FROM organizations WHERE code = 'A') t;

-- With the default minimum peer group of 5, every peer figure of A is NULL.
RESET ismseval.min_peer_group;
SELECT domain, own_score, peer_score, peer_count, peer_percentile FROM maturity_by_domain
WHERE organization = 'A' ORDER BY display_order;
SELECT peer_count, peer_percentile, deviation_score, peer_rank FROM org_benchmark WHERE organization = 'A';
SELECT peer_rate_pct, peer_count FROM question_peer_rate WHERE organization = 'A';
ROLLBACK;
