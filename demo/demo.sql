-- The ismseval demo: generates a deterministic sample of 300 organizations, then prints the
-- management review of one of them (Sakura Trust Bank, ORG-0001) with its top risks, KPI status
-- and maturity by domain, and writes its radar chart (radar.svg) and a one-page HTML report
-- (report.html) into the current directory.
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

\echo '== writing radar.svg and report.html'
\pset format unaligned
\pset tuples_only on
\o radar.svg
SELECT org_radar_svg(:org);
\o report.html
\ir report.sql
\o
\pset format aligned
\pset tuples_only off
\echo 'done'
