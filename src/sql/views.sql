-- BI views over the model, the admin-only live peer distributions, and org_radar_svg.
--
-- Every view has plain column types only (integer, bigint, double precision,
-- text, boolean, date, timestamptz; enums cast to text) and a comment on
-- itself and every column. A peer of an organization is another organization
-- with the same core_business and size_band.
--
-- Shapes: each view starts from organizations (or a table keyed by
-- organization_id) and reaches everything else through LATERAL subqueries
-- keyed by that organization, so that "WHERE organization_id = X" turns into
-- index scans for X and, for peer figures, for X's peer group only.
--
-- Tenancy: the views are security_invoker, so row-level security on the tables
-- (tenancy.sql) applies to whoever queries them. Their peer figures come from the
-- published peer releases through the SECURITY DEFINER functions of
-- peer_benchmark.sql, never from live peer rows. The live distributions
-- (peer_domain_scores, peer_question_rates, peer_total_scores) list every peer's
-- value and are for administrators only.

-- The 0-based level rank of a residual score: the highest level among the
-- cells whose score is at most the residual score (the lowest level when none
-- is), never above the inherent level of the (likelihood, impact) cell.
CREATE FUNCTION @extschema@.residual_level_rank(matrix @extschema@.risk_matrix, likelihood integer,
                                                impact integer, residual double precision)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT LEAST(@extschema@.risk_level_rank(matrix, likelihood, impact),
                 COALESCE((SELECT pg_catalog.max(c.rank) FROM @extschema@.risk_matrix_cells(matrix) c
                           WHERE c.score <= residual), 0));
END;
COMMENT ON FUNCTION @extschema@.residual_level_rank(@extschema@.risk_matrix, integer, integer, double precision) IS
'Level rank of a residual score: the highest rank of the cells with score <= residual (0 when none), capped at the inherent rank of (likelihood, impact).';

-- The residual a risk's views use: its residual cell when rated (basis 'cell': score = residual
-- likelihood x residual impact, the level of that cell), else the effectiveness residual (basis
-- 'effectiveness': score = likelihood x impact x (1 - control effectiveness), its level by
-- residual_level_rank). The rank is NULL when the cell it is read from lies off the matrix; the
-- score is plain arithmetic, which no stored rating can make fail.
CREATE FUNCTION @extschema@.risk_residual(matrix @extschema@.risk_matrix, likelihood integer, impact integer,
                                          control_effectiveness double precision,
                                          residual_likelihood integer, residual_impact integer)
RETURNS TABLE(basis text, score double precision, level_rank integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN x.rated THEN 'cell' ELSE 'effectiveness' END AS basis,
           CASE WHEN x.rated THEN (residual_likelihood * residual_impact)::double precision ELSE x.by_effectiveness END
               AS score,
           CASE WHEN x.rated
                THEN CASE WHEN @extschema@.risk_cell_on_matrix(matrix, residual_likelihood, residual_impact)
                          THEN @extschema@.risk_level_rank(matrix, residual_likelihood, residual_impact) END
                WHEN @extschema@.risk_cell_on_matrix(matrix, likelihood, impact)
                THEN @extschema@.residual_level_rank(matrix, likelihood, impact, x.by_effectiveness) END AS level_rank
    FROM (SELECT residual_likelihood IS NOT NULL AND residual_impact IS NOT NULL AS rated,
                 (likelihood * impact)::double precision * (1 - control_effectiveness) AS by_effectiveness) x;
END;
COMMENT ON FUNCTION @extschema@.risk_residual(@extschema@.risk_matrix, integer, integer, double precision, integer, integer) IS
'The residual of a risk: with a rated residual cell, basis ''cell'', score = residual likelihood x residual impact and that cell''s level rank; else basis ''effectiveness'', score = likelihood x impact x (1 - control effectiveness) and residual_level_rank of it. Rank NULL when the cell lies off the matrix.';

-- The likelihood a risk without a rated residual cell is drawn at on the residual side of a
-- heat map: controls are taken to lower the likelihood, to ceil(likelihood x (1 - control
-- effectiveness)), at least 1; the impact stays.
CREATE FUNCTION @extschema@.residual_likelihood(likelihood integer, control_effectiveness double precision)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN GREATEST(1, pg_catalog.ceil(likelihood * (1 - control_effectiveness) - 1e-9)::integer);
COMMENT ON FUNCTION @extschema@.residual_likelihood(integer, double precision) IS
'The likelihood a risk is drawn at on the residual side of risk_heatmap_svg: ceil(likelihood x (1 - control effectiveness)), at least 1.';

-- Each peer's domain means in its latest organization-wide assessment of a framework, as
-- one peer_dist per domain. Computed once per (organization, framework): a view joins it
-- laterally, and PL/pgSQL keeps it from being inlined into a per-domain rescan.
CREATE FUNCTION @extschema@.peer_domain_scores(organization_id bigint, framework_id bigint)
RETURNS TABLE(domain_id bigint, dist @extschema@.peer_dist)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT d.domain_id, @extschema@.peer_dist(s.score)
    FROM @extschema@.peer_organizations(peer_domain_scores.organization_id) p
    CROSS JOIN LATERAL (
        SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
        WHERE l.organization_id = p.peer_id AND l.framework_id = peer_domain_scores.framework_id
    ) pa
    JOIN @extschema@.control_domains d ON d.framework_id = peer_domain_scores.framework_id
    CROSS JOIN LATERAL @extschema@.assessment_domain_score(pa.assessment_id, d.domain_id) s
    WHERE s.score IS NOT NULL
    GROUP BY d.domain_id;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_domain_scores(bigint, bigint) IS
'Per control domain, the distribution of the peers'' domain means (latest organization-wide assessment of the framework; peers = other organizations of the same core business and size band).';

-- The peers' yes (100) / no (0) answers to each small question of a framework, as one
-- peer_dist per question; computed once per (organization, framework) like peer_domain_scores.
CREATE FUNCTION @extschema@.peer_question_rates(organization_id bigint, framework_id bigint)
RETURNS TABLE(question_id bigint, dist @extschema@.peer_dist)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT an.question_id,
           @extschema@.peer_dist(CASE WHEN an.answer_yes THEN 100::double precision ELSE 0::double precision END)
    FROM @extschema@.peer_organizations(peer_question_rates.organization_id) p
    CROSS JOIN LATERAL (
        SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
        WHERE l.organization_id = p.peer_id AND l.framework_id = peer_question_rates.framework_id
    ) pa
    JOIN @extschema@.answers an ON an.assessment_id = pa.assessment_id AND an.answer_yes IS NOT NULL
    GROUP BY an.question_id;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_question_rates(bigint, bigint) IS
'Per small question, the distribution of the peers'' answers as 100 (yes) or 0 (no); its peer_mean is the peer implementation rate in %.';

-- The peers' total scores (mean large-question score x number of large questions) in their
-- latest organization-wide assessment of a framework, and how many of them exceed own_total.
CREATE FUNCTION @extschema@.peer_total_scores(organization_id bigint, framework_id bigint,
                                              own_total double precision)
RETURNS TABLE(dist @extschema@.peer_dist, higher bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT @extschema@.peer_dist(pt.total), pg_catalog.count(*) FILTER (WHERE pt.total > own_total)
    FROM @extschema@.peer_organizations(peer_total_scores.organization_id) p
    CROSS JOIN LATERAL (
        SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
        WHERE l.organization_id = p.peer_id AND l.framework_id = peer_total_scores.framework_id
    ) pa
    CROSS JOIN LATERAL (
        SELECT t.total_score AS total FROM @extschema@.assessment_total_score(pa.assessment_id) t
    ) pt
    WHERE pt.total IS NOT NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_total_scores(bigint, bigint, double precision) IS
'The distribution of the peers'' total scores (latest organization-wide assessment of the framework) and the number of peers whose total exceeds own_total.';

-- ---------------------------------------------------------------------------
-- risk_register
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.risk_register WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       r.risk_id,
       r.title,
       a.name AS asset,
       a.location AS asset_location,
       a.asset_value,
       t.code AS threat_code,
       t.name AS threat,
       r.likelihood,
       r.impact,
       @extschema@.risk_score(r.likelihood, r.impact) AS inherent_score,
       CASE WHEN cell.inherent THEN @extschema@.risk_level(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level,
       CASE WHEN cell.inherent THEN @extschema@.risk_level_rank(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level_rank,
       CASE WHEN cell.inherent THEN @extschema@.risk_color(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_color,
       r.control_effectiveness,
       res.score AS residual_score,
       @extschema@.risk_matrix_level_name(o.risk_matrix, res.level_rank) AS residual_level,
       res.level_rank AS residual_level_rank,
       @extschema@.risk_matrix_level_color(o.risk_matrix, res.level_rank) AS residual_color,
       o.risk_tolerance AS tolerance_level,
       res.level_rank <= @extschema@.risk_level_rank(o.risk_matrix, o.risk_tolerance) AS within_tolerance,
       r.treatment,
       r.owner,
       r.acceptance_expires,
       (r.treatment = 'accept' AND r.acceptance_expires < CURRENT_DATE) AS acceptance_expired,
       r.identified_on,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.likelihood) AS inherent_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.impact) AS inherent_impact_name,
       r.current_likelihood,
       r.current_impact,
       CASE WHEN cell.current THEN @extschema@.risk_level(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_level,
       CASE WHEN cell.current THEN @extschema@.risk_level_rank(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_level_rank,
       CASE WHEN cell.current THEN @extschema@.risk_color(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_color,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.current_likelihood) AS current_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.current_impact) AS current_impact_name,
       r.residual_likelihood,
       r.residual_impact,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.residual_likelihood) AS residual_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.residual_impact) AS residual_impact_name,
       res.basis AS residual_basis,
       r.strength_of_knowledge,
       (ARRAY['low', 'medium', 'high'])[r.strength_of_knowledge + 1] AS strength_of_knowledge_name
FROM @extschema@.organizations o
JOIN @extschema@.risks r ON r.organization_id = o.organization_id
LEFT JOIN @extschema@.assets a ON a.asset_id = r.asset_id
LEFT JOIN @extschema@.threats t ON t.threat_id = r.threat_id
CROSS JOIN LATERAL (
    SELECT @extschema@.risk_cell_on_matrix(o.risk_matrix, r.likelihood, r.impact) AS inherent,
           @extschema@.risk_cell_on_matrix(o.risk_matrix, r.current_likelihood, r.current_impact) AS current
) cell
CROSS JOIN LATERAL @extschema@.risk_residual(o.risk_matrix, r.likelihood, r.impact, r.control_effectiveness,
                                             r.residual_likelihood, r.residual_impact) res;

COMMENT ON VIEW @extschema@.risk_register IS
'The risk register: the inherent, current and residual cells on the organization''s risk matrix with their levels, colours and scale names; the residual is the rated residual cell, else inherent score x (1 - control effectiveness) (residual_basis says which); tolerance, strength of knowledge and acceptance expiry. A rating outside its organization''s matrix (stored with the checks bypassed) has NULL levels, colours, ranks and names (and within_tolerance when it is the residual''s).';

-- ---------------------------------------------------------------------------
-- risk_heatmap
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.risk_heatmap WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       c.likelihood,
       c.impact,
       c.score,
       c.level,
       c.rank AS level_rank,
       c.color,
       n.risk_count,
       n.current_risk_count,
       n.residual_risk_count,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, c.likelihood) AS likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, c.impact) AS impact_name
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.risk_matrix_cells(o.risk_matrix) c
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE r.likelihood = c.likelihood AND r.impact = c.impact) AS risk_count,
           pg_catalog.count(*) FILTER (WHERE r.current_likelihood = c.likelihood AND r.current_impact = c.impact)
               AS current_risk_count,
           -- the rated residual cell, else the inherent cell with the likelihood lowered by the controls
           pg_catalog.count(*) FILTER (
               WHERE CASE WHEN r.residual_likelihood IS NOT NULL
                          THEN r.residual_likelihood = c.likelihood AND r.residual_impact = c.impact
                          ELSE @extschema@.risk_cell_on_matrix(o.risk_matrix, r.likelihood, r.impact)
                               AND r.impact = c.impact
                               AND @extschema@.residual_likelihood(r.likelihood, r.control_effectiveness) = c.likelihood
                     END) AS residual_risk_count
    FROM @extschema@.risks r
    WHERE r.organization_id = o.organization_id
) n;

COMMENT ON VIEW @extschema@.risk_heatmap IS
'Every cell of each organization''s risk matrix with its level, colour and scale names and the number of risks in it by their inherent, current and residual cells (0 included); a risk without a rated residual cell counts on the residual side at (residual_likelihood(likelihood, control effectiveness), impact), as risk_heatmap_svg draws it.';

-- ---------------------------------------------------------------------------
-- kpi_status
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.kpi_status WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       k.kpi_id,
       k.code AS kpi,
       k.name AS kpi_name,
       k.direction::text AS direction,
       k.unit,
       k.owner,
       k.frequency_days,
       k.target,
       k.baseline,
       cur.value AS latest_value,
       cur.measured_on AS latest_measured_on,
       prev.value AS previous_value,
       prev.measured_on AS previous_measured_on,
       cur.value - prev.value AS change,
       100 * @extschema@.kpi_attainment(cur.value, k.target, k.direction) AS attainment_pct,
       100 * @extschema@.kpi_progress(cur.value, k.baseline, k.target) AS progress_pct,
       @extschema@.kpi_status(cur.value, k.target, k.direction, k.amber_tolerance)::text AS status,
       CURRENT_DATE - cur.measured_on AS days_since_measured,
       (cur.measured_on IS NULL OR CURRENT_DATE - cur.measured_on > k.frequency_days) AS stale
FROM @extschema@.organizations o
JOIN @extschema@.kpis k ON k.organization_id = o.organization_id
LEFT JOIN LATERAL (
    SELECT m.measured_on, m.value FROM @extschema@.kpi_measurements m
    WHERE m.kpi_id = k.kpi_id ORDER BY m.measured_on DESC LIMIT 1
) cur ON true
LEFT JOIN LATERAL (
    SELECT m.measured_on, m.value FROM @extschema@.kpi_measurements m
    WHERE m.kpi_id = k.kpi_id AND m.measured_on < cur.measured_on ORDER BY m.measured_on DESC LIMIT 1
) prev ON true;

COMMENT ON VIEW @extschema@.kpi_status IS
'Each KPI with its latest and previous values, attainment, progress from baseline, red/amber/green status and staleness.';

-- ---------------------------------------------------------------------------
-- objective_status
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.objective_status WITH (security_invoker = true) AS
SELECT ob.organization_id,
       ks.organization,
       ob.objective_id,
       ob.title AS objective,
       ob.owner,
       ob.set_on,
       ob.due_on,
       ks.kpi,
       ks.latest_value,
       ks.target,
       ks.unit,
       ks.progress_pct,
       ks.status,
       COALESCE(ks.attainment_pct >= 100, false) AS achieved,
       (ob.due_on < CURRENT_DATE AND NOT COALESCE(ks.attainment_pct >= 100, false)) AS overdue,
       ob.due_on - CURRENT_DATE AS days_to_due
FROM @extschema@.objectives ob
JOIN @extschema@.kpi_status ks ON ks.kpi_id = ob.kpi_id;

COMMENT ON VIEW @extschema@.objective_status IS
'Information security objectives with their owner, due date, progress from their KPI, and whether they are achieved or overdue.';

-- ---------------------------------------------------------------------------
-- maturity_by_domain
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.maturity_by_domain WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.core_business,
       o.size_band,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       d.code AS domain,
       d.name AS domain_name,
       d.display_order,
       own.score AS own_score,
       own.answered AS answered_questions,
       pr.peer_mean AS peer_score,
       pr.peer_count AS peer_count,
       own.score - pr.peer_mean AS gap_to_peers,
       COALESCE(mt.target, f.default_target) AS target,
       own.score - COALESCE(mt.target, f.default_target) AS gap_to_target,
       pr.peer_percentile AS peer_percentile,
       pr.as_of AS peer_figures_as_of,
       f.framework_id,
       d.domain_id,
       own.percentage AS own_percentage,
       100 * (pr.peer_mean - f.scale_min) / (f.scale_max - f.scale_min) AS peer_percentage,
       100 * (COALESCE(mt.target, f.default_target) - f.scale_min) / (f.scale_max - f.scale_min) AS target_percentage,
       own.applicable AS applicable_questions,
       own.coverage,
       f.scale_min,
       f.scale_max,
       pr.in_peer_release
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = la.framework_id
CROSS JOIN LATERAL @extschema@.assessment_domain_score(la.assessment_id, d.domain_id) own
LEFT JOIN LATERAL @extschema@.peer_domain_benchmark(o.organization_id, la.framework_id) pr
       ON pr.domain_id = d.domain_id
LEFT JOIN @extschema@.maturity_targets mt
       ON mt.organization_id = o.organization_id AND mt.domain_id = d.domain_id;

COMMENT ON VIEW @extschema@.maturity_by_domain IS
'Per organization, its latest organization-wide assessment of each framework and each control domain (in display order): own mean score and its percentage of the scale, coverage, peers'' mean and count, gaps to peers and to target, own percentile among peers (in_peer_release says whether the latest peer release includes the organization; when not, the peer figures are its group''s, without a percentile).';

-- ---------------------------------------------------------------------------
-- question_peer_rate
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.question_peer_rate WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       d.code AS domain,
       lq.code AS large_question,
       q.question_id,
       q.code AS question,
       q.text AS question_text,
       an.answer_yes AS own_answer_yes,
       COALESCE(an.not_applicable, false) AS own_not_applicable,
       pr.peer_rate_pct AS peer_rate_pct,
       pr.peer_count AS peer_count,
       pr.as_of AS peer_figures_as_of,
       f.framework_id,
       an.result AS own_result,
       pr.in_peer_release
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.questions q ON q.framework_id = la.framework_id AND q.assessable AND q.answer_kind = 'yes_no'
LEFT JOIN @extschema@.questions lq ON lq.question_id = q.parent_id
LEFT JOIN @extschema@.control_domains d ON d.domain_id = q.domain_id
LEFT JOIN @extschema@.answers an ON an.assessment_id = la.assessment_id AND an.question_id = q.question_id
LEFT JOIN LATERAL @extschema@.peer_question_benchmark(o.organization_id, la.framework_id) pr
       ON pr.question_id = q.question_id;

COMMENT ON VIEW @extschema@.question_peer_rate IS
'Per small (yes/no) question of the organization''s latest assessment: its own answer and the peer implementation rate, the share of peers answering yes (%).';

-- ---------------------------------------------------------------------------
-- incident_metrics_monthly
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.incident_metrics_monthly WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       mo.month,
       COALESCE(m.incidents, 0) AS incidents,
       COALESCE(m.severe_incidents, 0) AS severe_incidents,
       m.max_leakage_risk,
       m.mttd_hours,
       m.mttd_hours_p90,
       m.mttr_hours,
       m.mttr_hours_p90,
       m.reported_within_24h_pct
FROM @extschema@.organizations o
-- every month from the organization's first incident to the current one (or the last
-- incident's, when that is later): months without incidents read as zero incidents
CROSS JOIN LATERAL (
    SELECT pg_catalog.min(i.occurred_at AT TIME ZONE 'UTC') AS first_at,
           pg_catalog.max(i.occurred_at AT TIME ZONE 'UTC') AS last_at
    FROM @extschema@.incidents i WHERE i.organization_id = o.organization_id
) span
CROSS JOIN LATERAL pg_catalog.generate_series(
    pg_catalog.date_trunc('month', span.first_at),
    pg_catalog.date_trunc('month', GREATEST(span.last_at, (CURRENT_DATE)::timestamp)),
    interval '1 month') g(m)
CROSS JOIN LATERAL (SELECT g.m::date AS month) mo
LEFT JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents,
           pg_catalog.max(i.leakage_risk) AS max_leakage_risk,
           pg_catalog.avg(h.ttd) AS mttd_hours,
           pg_catalog.percentile_cont(0.9) WITHIN GROUP (ORDER BY h.ttd) AS mttd_hours_p90,
           pg_catalog.avg(h.ttr) AS mttr_hours,
           pg_catalog.percentile_cont(0.9) WITHIN GROUP (ORDER BY h.ttr) AS mttr_hours_p90,
           100 * (pg_catalog.count(*) FILTER (WHERE h.ttreport <= 24))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct
    FROM @extschema@.incidents i
    CROSS JOIN LATERAL (
        SELECT pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600 AS ttd,
               pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600 AS ttr,
               pg_catalog.date_part('epoch', i.reported_at - i.detected_at) / 3600 AS ttreport
    ) h
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= (g.m AT TIME ZONE 'UTC')
      AND i.occurred_at < ((g.m + interval '1 month') AT TIME ZONE 'UTC')
) m ON true;

COMMENT ON VIEW @extschema@.incident_metrics_monthly IS
'Per organization and calendar month (UTC) of occurrence, every month from its first incident to the current month (months without incidents as 0 incidents): incidents, mean time to detect and to resolve in hours (mean and 90th percentile), share reported within 24 hours of detection.';

-- ---------------------------------------------------------------------------
-- org_benchmark
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.org_benchmark WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       o.core_business,
       o.size_band,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       own.total_score,
       own.mean_score,
       own.answered AS answered_questions,
       pr.peer_count AS peer_count,
       pr.peer_mean_total AS peer_mean_total,
       pr.peer_percentile AS peer_percentile,
       pr.deviation_score AS deviation_score,
       pr.peer_rank AS peer_rank,
       CASE WHEN pr.in_peer_release THEN pr.peer_count + 1 END AS ranked_organizations,
       pr.as_of AS peer_figures_as_of,
       f.framework_id,
       own.total_percentage,
       100 * (pr.peer_mean_total / own.requirements - f.scale_min) / (f.scale_max - f.scale_min)
           AS peer_mean_total_percentage,
       own.mean_percentage,
       own.requirements AS scored_questions,
       own.applicable AS applicable_questions,
       own.coverage,
       pr.in_peer_release
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
CROSS JOIN LATERAL @extschema@.assessment_total_score(la.assessment_id) own
LEFT JOIN LATERAL @extschema@.peer_total_benchmark(o.organization_id, la.framework_id) pr ON true;

COMMENT ON VIEW @extschema@.org_benchmark IS
'Per organization and framework (latest organization-wide assessment): total score, peer group, peer count, percentile, deviation score and rank among peers (in_peer_release says whether the latest peer release includes the organization; when not, the peer count and mean are its group''s, without percentile, deviation score or rank).';

-- ---------------------------------------------------------------------------
-- management_review
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       b.framework,
       b.assessed_on,
       b.total_score,
       b.mean_score,
       b.peer_mean_total,
       b.peer_count,
       b.peer_percentile,
       b.deviation_score,
       b.peer_rank,
       b.ranked_organizations,
       md.weakest_domain,
       md.domains_below_target,
       md.domains_below_peers,
       rk.risks,
       rk.risks_outside_tolerance,
       rk.risks_top_level,
       rk.acceptances_expired,
       kp.kpis,
       kp.kpis_green,
       kp.kpis_amber,
       kp.kpis_red,
       kp.kpis_stale,
       ob.objectives,
       ob.objectives_achieved,
       ob.objectives_overdue,
       inc.incidents_12m,
       inc.severe_incidents_12m,
       inc.mttd_hours_12m,
       inc.mttr_hours_12m,
       inc.reported_within_24h_pct_12m,
       nc.nonconformities_open,
       nc.corrective_actions_overdue,
       b.peer_figures_as_of,
       b.framework_id,
       b.total_percentage,
       b.peer_mean_total_percentage,
       b.coverage,
       rk.risks_current_top_level,
       rk.risks_residual_top_level,
       b.in_peer_release
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id,
           bm.peer_figures_as_of, bm.framework_id, bm.total_percentage, bm.peer_mean_total_percentage,
           bm.coverage, bm.in_peer_release
    FROM @extschema@.org_benchmark bm
    WHERE bm.organization_id = o.organization_id
) b ON true
LEFT JOIN LATERAL (
    SELECT (pg_catalog.array_agg(m.domain ORDER BY m.own_score, m.display_order)
                FILTER (WHERE m.own_score IS NOT NULL))[1] AS weakest_domain,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_target < 0) AS domains_below_target,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_peers < 0) AS domains_below_peers
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = o.organization_id AND m.assessment_id = b.assessment_id
) md ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risks,
           pg_catalog.count(*) FILTER (WHERE NOT r.within_tolerance) AS risks_outside_tolerance,
           pg_catalog.count(*) FILTER (WHERE r.inherent_level_rank = top.rank) AS risks_top_level,
           pg_catalog.count(*) FILTER (WHERE r.acceptance_expired) AS acceptances_expired,
           pg_catalog.count(*) FILTER (WHERE r.current_level_rank = top.rank) AS risks_current_top_level,
           pg_catalog.count(*) FILTER (WHERE r.residual_level_rank = top.rank) AS risks_residual_top_level
    FROM @extschema@.risk_register r
    CROSS JOIN (SELECT @extschema@.risk_matrix_level_count(o.risk_matrix) - 1 AS rank) top
    WHERE r.organization_id = o.organization_id
) rk
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS kpis,
           pg_catalog.count(*) FILTER (WHERE k.status = 'green') AS kpis_green,
           pg_catalog.count(*) FILTER (WHERE k.status = 'amber') AS kpis_amber,
           pg_catalog.count(*) FILTER (WHERE k.status = 'red') AS kpis_red,
           pg_catalog.count(*) FILTER (WHERE k.stale) AS kpis_stale
    FROM @extschema@.kpi_status k
    WHERE k.organization_id = o.organization_id
) kp
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS objectives,
           pg_catalog.count(*) FILTER (WHERE s.achieved) AS objectives_achieved,
           pg_catalog.count(*) FILTER (WHERE s.overdue) AS objectives_overdue
    FROM @extschema@.objective_status s
    WHERE s.organization_id = o.organization_id
) ob
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents_12m,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600) AS mttd_hours_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600) AS mttr_hours_12m,
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct_12m
    FROM @extschema@.incidents i
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= CURRENT_DATE - interval '12 months'
) inc
CROSS JOIN LATERAL (
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.nonconformities n
            WHERE n.organization_id = o.organization_id AND n.closed_on IS NULL) AS nonconformities_open,
           (SELECT pg_catalog.count(*) FROM @extschema@.corrective_actions c
            WHERE c.organization_id = o.organization_id AND c.closed_on IS NULL
              AND c.due_on < CURRENT_DATE) AS corrective_actions_overdue
) nc;

COMMENT ON VIEW @extschema@.management_review IS
'One row per organization and framework it assessed (one row with no framework when it assessed none): the headline figures of a management review (ISO/IEC 27001 9.3) from the latest organization-wide assessment of the framework, with its coverage, and the organization''s risk register, KPIs, objectives, last 12 months of incidents and open nonconformities (the same on each of its rows).';

-- ---------------------------------------------------------------------------
-- Indexes the views need (beyond the keys of model.sql)
-- ---------------------------------------------------------------------------

CREATE INDEX nonconformities_open_idx ON @extschema@.nonconformities (organization_id) WHERE closed_on IS NULL;
CREATE INDEX corrective_actions_open_idx ON @extschema@.corrective_actions (organization_id, due_on)
    WHERE closed_on IS NULL;

-- ---------------------------------------------------------------------------
-- org_radar_svg
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.org_radar_svg(organization_id bigint, framework text DEFAULT NULL,
                                          lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    fw          text;
    fw_min      double precision;
    fw_max      double precision;
    org_name    text;
    assessed    date;
    own         @extschema@.radar;
    peers       @extschema@.radar;
    target      @extschema@.radar;
    axes        text[];
BEGIN
    SELECT o.name INTO org_name FROM @extschema@.organizations o
    WHERE o.organization_id = org_radar_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', org_radar_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- the framework asked for, else the one of the latest assessment
    SELECT f.code, f.scale_min, f.scale_max, la.assessed_on INTO fw, fw_min, fw_max, assessed
    FROM @extschema@.latest_assessments(org_radar_svg.organization_id) la
    JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
    WHERE framework IS NULL OR f.code = framework
    ORDER BY la.assessed_on DESC, la.assessment_id DESC LIMIT 1;
    IF fw IS NULL THEN
        RAISE EXCEPTION 'organization % has no organization-wide assessment%', org_radar_svg.organization_id,
            CASE WHEN framework IS NULL THEN '' ELSE ' of framework ' || framework END
            USING ERRCODE = 'no_data_found';
    END IF;
    -- axes labelled "code name"; a series without data is an empty radar, so that own,
    -- peers and target keep their positions, hence their colours
    SELECT @extschema@.maturity_radar(m.domain || ' ' || m.domain_name, m.own_score),
           @extschema@.maturity_radar(m.domain || ' ' || m.domain_name, m.peer_score),
           @extschema@.maturity_radar(m.domain || ' ' || m.domain_name, m.target),
           pg_catalog.array_agg(m.domain || ' ' || m.domain_name ORDER BY m.display_order)
      INTO own, peers, target, axes
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = org_radar_svg.organization_id AND m.framework = fw;
    RETURN @extschema@.radar_svg(
        ARRAY[COALESCE(own, '{}'::@extschema@.radar), COALESCE(peers, '{}'::@extschema@.radar),
              COALESCE(target, '{}'::@extschema@.radar)],
        ARRAY[@extschema@.report_label('own', lang),
              @extschema@.report_label(CASE WHEN NOT EXISTS (SELECT FROM @extschema@.radar_axes(peers))
                                            THEN 'peers_missing' ELSE 'peers' END, lang),
              @extschema@.report_label('target', lang)],
        axes, fw_min, fw_max,
        pg_catalog.format('%s: %s %s (%s), ', org_name, fw, @extschema@.report_label('maturity', lang), assessed)
            || pg_catalog.format(@extschema@.report_label('scale_note', lang), fw_min, fw_max, fw_min));
END
$$;
COMMENT ON FUNCTION @extschema@.org_radar_svg(bigint, text, text) IS
'SVG radar of an organization''s latest assessment (of framework, or the latest of any): own domain means (blue, filled), peers'' means (orange; greyed in the legend when the peer group is too small) and targets (green, dashed), axes labelled with domain code and name, the scale stated in the title; lang ''en'' or ''ja''.';

-- ---------------------------------------------------------------------------
-- Privileges (roles: tenancy.sql). The views run as the caller (security_invoker),
-- so row-level security decides what each role sees through them.
-- ---------------------------------------------------------------------------

GRANT SELECT ON @extschema@.risk_register, @extschema@.risk_heatmap, @extschema@.kpi_status,
    @extschema@.objective_status, @extschema@.maturity_by_domain, @extschema@.question_peer_rate,
    @extschema@.incident_metrics_monthly, @extschema@.org_benchmark, @extschema@.management_review
    TO ismseval_admin, ismseval_tenant;

-- These return every peer's value (a peer_dist holds them all): administrators only.
REVOKE EXECUTE ON FUNCTION @extschema@.peer_domain_scores(bigint, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.peer_question_rates(bigint, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.peer_total_scores(bigint, bigint, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.peer_domain_scores(bigint, bigint) TO ismseval_admin;
GRANT EXECUTE ON FUNCTION @extschema@.peer_question_rates(bigint, bigint) TO ismseval_admin;
GRANT EXECUTE ON FUNCTION @extschema@.peer_total_scores(bigint, bigint, double precision) TO ismseval_admin;
