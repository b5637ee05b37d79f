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
FROM management_review WHERE organization_id = :org;
\x off

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

\echo '== maturity by domain (latest assessment)'
SELECT domain, domain_name, round(own_score::numeric, 2) AS own, round(peer_score::numeric, 2) AS peers,
       peer_count, round(gap_to_peers::numeric, 2) AS gap_to_peers, target,
       round(gap_to_target::numeric, 2) AS gap_to_target, round(peer_percentile::numeric) AS percentile
FROM maturity_by_domain WHERE organization_id = :org ORDER BY display_order;

\echo '== peer groups: mean domain scores by core business type (all sizes)'
SELECT core_business, domain, round(avg(own_score)::numeric, 2) AS mean_score, count(*) AS organizations
FROM maturity_by_domain GROUP BY core_business, domain, display_order ORDER BY core_business, display_order;

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

\echo '== writing radar.svg, heatmap.svg, kpi-patch.svg, peers.svg, report.html and report-ja.html'
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
\o report.html
SELECT management_review_html(:org);
\o report-ja.html
SELECT management_review_html(:org, lang => 'ja');
\o
\pset format aligned
\pset tuples_only off
\echo 'done'
