-- The ismseval demo: generates a deterministic sample of 300 organizations, then prints the
-- management review of one of them (Sakura Trust Bank, ORG-0001) with its top risks, KPI status,
-- maturity by domain and trends, and writes its charts (radar.svg, heatmap.svg, kpi-patch.svg,
-- peers.svg) and its management review report (management_review_html: report.html, and
-- report-ja.html in Japanese) into the current directory.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET search_path = ismseval, public;

\echo '== generating the sample data (300 organizations, seed 0.42)'
\ir generate.sql
SELECT * FROM ismseval_demo.generate(300, 0.42);

\echo '== answering the ISMS essentials self-check (0-100; imported from demo/isms-essentials.yaml)'
-- Every organization answers it 60-89 days ago, small ones only its baseline group. An answer's
-- level is the organization's NIST CSF total percentage plus noise (sd 20); half the answers
-- give a score (to the nearest 5), a third a result only (compliant from 80, partially compliant
-- from 40, else non-compliant), the rest are not applicable or not assessed. The noise comes from
-- hashes of the organization and the requirement, so the answers are the same on every run.
CREATE FUNCTION pg_temp.unit_hash(key text) RETURNS double precision
LANGUAGE sql IMMUTABLE RETURN ((hashtext(key) & 2147483647) + 0.5) / 2147483648.0;
INSERT INTO assessments (organization_id, framework_id, assessed_on, implementation_groups)
SELECT o.organization_id, f.framework_id, CURRENT_DATE - 60 - (o.organization_id % 30)::int,
       CASE WHEN o.size_band = 'small' THEN '{baseline}'::text[] END
FROM organizations o, frameworks f WHERE f.urn = 'urn:ismseval:demo:framework:isms-essentials';
INSERT INTO answers (assessment_id, question_id, score, result, not_applicable)
SELECT a.assessment_id, q.question_id,
       CASE WHEN x.kind < 0.5 THEN (5 * round(greatest(0, least(100, x.level)) / 5))::int END,
       CASE WHEN x.kind >= 0.5 AND x.kind < 0.83
            THEN CASE WHEN x.level >= 80 THEN 'compliant' WHEN x.level >= 40 THEN 'partially_compliant'
                      ELSE 'non_compliant' END
            WHEN x.kind >= 0.92 THEN 'not_assessed' END,
       x.kind >= 0.83 AND x.kind < 0.92
FROM assessments a
JOIN frameworks f ON f.framework_id = a.framework_id AND f.urn = 'urn:ismseval:demo:framework:isms-essentials'
JOIN questions q ON q.framework_id = a.framework_id AND q.scored
     AND (a.implementation_groups IS NULL OR q.implementation_groups && a.implementation_groups)
CROSS JOIN LATERAL (SELECT b.total_percentage FROM org_benchmark b
                    WHERE b.organization_id = a.organization_id AND b.framework = 'NIST-CSF-2.0') nb
CROSS JOIN LATERAL (
    SELECT nb.total_percentage
           + 20 * sqrt(-2 * ln(pg_temp.unit_hash(a.organization_id || ':' || q.code || ':u')))
                * cos(2 * pi() * pg_temp.unit_hash(a.organization_id || ':' || q.code || ':v')) AS level,
           pg_temp.unit_hash(a.organization_id || ':' || q.code || ':k') AS kind
) x;

\echo '== publishing the peer figures (release_peer_figures)'
SELECT release_peer_figures('demo') AS release_id \gset
SELECT r.release_id, r.released_at::date AS released_on,
       (SELECT count(*) FROM peer_release_figures f WHERE f.release_id = r.release_id) AS figures
FROM peer_releases r WHERE r.release_id = :release_id;

SELECT organization_id AS org FROM organizations WHERE code = 'ORG-0001' \gset

\echo
\echo '== management review of ORG-0001'
\x on
SELECT organization, organization_name, peer_group, framework, assessed_on,
       round(total_score::numeric, 1) AS total_score, round(peer_mean_total::numeric, 1) AS peer_mean_total,
       peer_count, round(peer_percentile::numeric, 1) AS peer_percentile,
       round(deviation_score::numeric, 1) AS deviation_score, peer_rank, ranked_organizations,
       weakest_domain, domains_below_target, domains_below_peers,
       risks, risks_outside_tolerance, risks_top_level, acceptances_expired,
       kpis, kpis_green, kpis_amber, kpis_red, kpis_stale,
       objectives, objectives_achieved, objectives_overdue,
       incidents_12m, severe_incidents_12m, round(mttd_hours_12m::numeric, 1) AS mttd_hours_12m,
       round(mttr_hours_12m::numeric, 1) AS mttr_hours_12m,
       round(reported_within_24h_pct_12m::numeric, 1) AS reported_within_24h_pct_12m,
       nonconformities_open, corrective_actions_overdue
FROM management_review WHERE organization_id = :org ORDER BY assessed_on DESC LIMIT 1;
\x off

\echo '== the frameworks it assessed: totals on their own scales, as a percentage, and coverage'
SELECT framework, assessed_on, round(total_score::numeric, 1) AS total_score,
       round(total_percentage::numeric, 1) AS total_pct, round(coverage::numeric, 1) AS coverage,
       round(peer_mean_total_percentage::numeric, 1) AS peer_mean_pct, peer_count,
       round(peer_percentile::numeric, 1) AS peer_percentile, peer_rank, ranked_organizations
FROM management_review WHERE organization_id = :org ORDER BY framework;

\echo '== top risks (by residual score)'
SELECT title, likelihood AS l, impact AS i, inherent_score AS inherent, inherent_level,
       round(control_effectiveness::numeric, 2) AS controls, round(residual_score::numeric, 2) AS residual,
       residual_level, within_tolerance, treatment, owner
FROM risk_register WHERE organization_id = :org
ORDER BY residual_score DESC, inherent_score DESC, risk_id LIMIT 8;

\echo '== KPI status'
SELECT kpi, latest_value, unit, target, round(attainment_pct::numeric) AS attainment_pct,
       round(progress_pct::numeric) AS progress_pct, round(change::numeric, 1) AS change, status, stale
FROM kpi_status WHERE organization_id = :org ORDER BY status, kpi;

\echo '== objectives'
SELECT objective, owner, due_on, round(progress_pct::numeric) AS progress_pct, status, achieved, overdue
FROM objective_status WHERE organization_id = :org ORDER BY due_on;

\echo '== maturity by domain (latest assessment of each framework)'
SELECT framework, domain, domain_name, round(own_score::numeric, 2) AS own, round(own_percentage::numeric, 1) AS own_pct,
       round(coverage::numeric) AS coverage, round(peer_score::numeric, 2) AS peers,
       peer_count, round(gap_to_peers::numeric, 2) AS gap_to_peers, target,
       round(gap_to_target::numeric, 2) AS gap_to_target, round(peer_percentile::numeric) AS percentile
FROM maturity_by_domain WHERE organization_id = :org ORDER BY framework, display_order;

\echo '== peer groups: mean domain scores by core business type (all sizes)'
SELECT core_business, domain, round(avg(own_score)::numeric, 2) AS mean_score, count(*) AS organizations
FROM maturity_by_domain WHERE framework = 'NIST-CSF-2.0'
GROUP BY core_business, domain, display_order ORDER BY core_business, display_order;

\echo '== maturity history (changes against the previous assessment and the one about a year earlier)'
SELECT assessed_on, domain, round(score::numeric, 2) AS score, round(percentage::numeric, 1) AS pct,
       round(coverage::numeric) AS coverage, previous_assessed_on, round(change_vs_previous::numeric, 2) AS vs_previous,
       year_ago_assessed_on, round(change_vs_year_ago::numeric, 2) AS vs_year_ago
FROM maturity_history WHERE organization_id = :org ORDER BY assessed_on DESC, display_order LIMIT 6;

\echo '== KPI trends (least-squares slope of the last 6 measurements, forecast at the objective''s due date)'
SELECT DISTINCT ON (kpi) kpi, measured_on, value, status, round(trend_per_period::numeric, 2) AS trend_per_period,
       due_on, round(forecast_at_due::numeric, 1) AS forecast_at_due, on_track
FROM kpi_series WHERE organization_id = :org ORDER BY kpi, measured_on DESC;

\echo '== REPORT-24H agrees with the incidents: its latest value and incident_metrics over the same 91 days'
SELECT s.measured_on, s.value AS kpi_value,
       round(im.reported_within_24h_pct::numeric, 1) AS from_incidents, im.incidents
FROM kpi_series s, incident_metrics(s.organization_id, s.measured_on - 90, s.measured_on) im
WHERE s.organization_id = :org AND s.kpi = 'REPORT-24H' ORDER BY s.measured_on DESC LIMIT 1;

\echo '== risk history (open risks at each month''s end, opened and closed in the month)'
SELECT month, open_risks, outside_tolerance, opened, closed
FROM risk_history WHERE organization_id = :org AND level_rank = 0 ORDER BY month DESC LIMIT 6;

\echo '== writing radar.svg, heatmap.svg, kpi-patch.svg, peers.svg, radar-essentials.svg, report.html and report-ja.html'
\pset format unaligned
\pset tuples_only on
\o radar.svg
SELECT org_radar_svg(:org);
\o heatmap.svg
SELECT risk_heatmap_svg(:org);
\o kpi-patch.svg
SELECT kpi_trend_svg(kpi_id) FROM kpis WHERE organization_id = :org AND code = 'PATCH-14D';
\o peers.svg
SELECT peer_distribution_svg(:org, (SELECT framework_id FROM latest_assessments(:org) ORDER BY assessed_on DESC LIMIT 1));
\o radar-essentials.svg
SELECT org_radar_svg(:org, 'ISMS-ESSENTIALS');
\o report.html
SELECT management_review_html(:org);
\o report-ja.html
SELECT management_review_html(:org, lang => 'ja');
\o
\pset format aligned
\pset tuples_only off
\echo 'done'
