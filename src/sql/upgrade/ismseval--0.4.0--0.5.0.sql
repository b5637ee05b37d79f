-- ismseval 0.4.0 -> 0.5.0. Hand-written delta: every object this release adds or
-- changes, in the form an update needs (CREATE, CREATE OR REPLACE, ALTER). The
-- definitions themselves live in src/sql/<concept>.sql; test/upgrade.sh checks
-- that an install updated through this script equals a fresh 0.5.0 install.
\echo Use "ALTER EXTENSION ismseval UPDATE TO '0.5.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- issue 13 (views.sql): incident_metrics_monthly lists months without incidents as zeros
-- ---------------------------------------------------------------------------
CREATE OR REPLACE VIEW @extschema@.incident_metrics_monthly WITH (security_invoker = true) AS
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
COMMENT ON COLUMN @extschema@.incident_metrics_monthly.month IS
'First day of the calendar month (UTC); every month from the organization''s first incident to the current month.';
COMMENT ON COLUMN @extschema@.incident_metrics_monthly.incidents IS
'Number of incidents that occurred in the month; 0 in a month without incidents.';

-- ---------------------------------------------------------------------------
-- issue 13 (history.sql, new): trends over time
-- ---------------------------------------------------------------------------

-- ---------------------------------------------------------------------------
-- Scores of one domain in one assessment
-- ---------------------------------------------------------------------------

-- Score, scored and applicable large questions and coverage of a domain in an assessment.
CREATE FUNCTION @extschema@.assessment_domain_score(assessment_id bigint, domain_id bigint)
RETURNS TABLE(score double precision, answered bigint, applicable bigint, coverage double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.avg(an.score)::double precision,
           pg_catalog.count(an.score),
           pg_catalog.count(*) FILTER (WHERE NOT COALESCE(an.not_applicable, false)),
           100 * pg_catalog.count(an.score)::double precision
               / NULLIF(pg_catalog.count(*) FILTER (WHERE NOT COALESCE(an.not_applicable, false)), 0)
    FROM @extschema@.questions q
    LEFT JOIN @extschema@.answers an
           ON an.question_id = q.question_id AND an.assessment_id = assessment_domain_score.assessment_id
    WHERE q.domain_id = assessment_domain_score.domain_id AND q.is_large;
END;
COMMENT ON FUNCTION @extschema@.assessment_domain_score(bigint, bigint) IS
'Of a domain in an assessment: mean score of the scored large questions, how many are scored, how many are applicable (not answered not_applicable) and coverage = 100 x scored / applicable.';

-- ---------------------------------------------------------------------------
-- maturity_history
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.maturity_history WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.framework_id,
       f.code AS framework,
       a.assessment_id,
       a.assessed_on,
       d.domain_id,
       d.code AS domain,
       d.name AS domain_name,
       d.display_order,
       s.score,
       100 * (s.score - f.scale_min) / (f.scale_max - f.scale_min) AS percentage,
       s.answered AS answered_questions,
       s.applicable AS applicable_questions,
       s.coverage,
       pa.assessed_on AS previous_assessed_on,
       ps.score AS previous_score,
       s.score - ps.score AS change_vs_previous,
       ya.assessed_on AS year_ago_assessed_on,
       ys.score AS year_ago_score,
       s.score - ys.score AS change_vs_year_ago
FROM @extschema@.organizations o
JOIN @extschema@.assessments a ON a.organization_id = o.organization_id AND a.department_id IS NULL
JOIN @extschema@.frameworks f ON f.framework_id = a.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = a.framework_id
CROSS JOIN LATERAL @extschema@.assessment_domain_score(a.assessment_id, d.domain_id) s
LEFT JOIN LATERAL (
    SELECT p.assessment_id, p.assessed_on FROM @extschema@.assessments p
    WHERE p.organization_id = a.organization_id AND p.framework_id = a.framework_id
      AND p.department_id IS NULL AND p.assessed_on < a.assessed_on
    ORDER BY p.assessed_on DESC, p.assessment_id DESC LIMIT 1
) pa ON true
LEFT JOIN LATERAL @extschema@.assessment_domain_score(pa.assessment_id, d.domain_id) ps ON pa.assessment_id IS NOT NULL
LEFT JOIN LATERAL (
    SELECT p.assessment_id, p.assessed_on FROM @extschema@.assessments p
    WHERE p.organization_id = a.organization_id AND p.framework_id = a.framework_id
      AND p.department_id IS NULL
      AND p.assessed_on BETWEEN a.assessed_on - 410 AND a.assessed_on - 320
    ORDER BY p.assessed_on DESC, p.assessment_id DESC LIMIT 1
) ya ON true
LEFT JOIN LATERAL @extschema@.assessment_domain_score(ya.assessment_id, d.domain_id) ys ON ya.assessment_id IS NOT NULL;

COMMENT ON VIEW @extschema@.maturity_history IS
'Per organization, framework, organization-wide assessment and control domain: score, percentage of the scale, coverage, and the change against the previous assessment and against the one about a year earlier (the latest 320-410 days before).';

-- ---------------------------------------------------------------------------
-- kpi_series
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.kpi_series WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       k.kpi_id,
       k.code AS kpi,
       k.direction::text AS direction,
       k.unit,
       k.target,
       w.measured_on,
       w.value,
       100 * @extschema@.kpi_attainment(w.value, k.target, k.direction) AS attainment_pct,
       @extschema@.kpi_status(w.value, k.target, k.direction, k.amber_tolerance)::text AS status,
       w.trend_points,
       CASE WHEN w.trend_points >= 3 THEN w.slope END AS trend_per_day,
       CASE WHEN w.trend_points >= 3 THEN w.slope * k.frequency_days END AS trend_per_period,
       CASE WHEN w.trend_points >= 3
            THEN w.intercept + w.slope * (w.measured_on - DATE '2000-01-01') END AS trend_value,
       ob.objective_id,
       ob.due_on,
       fc.forecast AS forecast_at_due,
       CASE WHEN k.direction = 'higher_is_better' THEN fc.forecast >= k.target
            ELSE fc.forecast <= k.target END AS on_track
FROM @extschema@.organizations o
JOIN @extschema@.kpis k ON k.organization_id = o.organization_id
CROSS JOIN LATERAL (
    SELECT m.measured_on, m.value,
           pg_catalog.regr_count(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
               OVER last6 AS trend_points,
           pg_catalog.regr_slope(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
               OVER last6 AS slope,
           pg_catalog.regr_intercept(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
               OVER last6 AS intercept
    FROM @extschema@.kpi_measurements m
    WHERE m.kpi_id = k.kpi_id
    WINDOW last6 AS (ORDER BY m.measured_on ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)
) w
LEFT JOIN LATERAL (
    SELECT x.objective_id, x.due_on FROM @extschema@.objectives x
    WHERE x.kpi_id = k.kpi_id
    ORDER BY x.due_on < w.measured_on, CASE WHEN x.due_on >= w.measured_on THEN x.due_on END,
             x.due_on DESC, x.objective_id
    LIMIT 1
) ob ON true
CROSS JOIN LATERAL (
    SELECT CASE WHEN w.trend_points >= 3 AND ob.due_on >= w.measured_on
                THEN LEAST(CASE WHEN k.unit = '%' THEN 100 END,
                           GREATEST(0, w.intercept + w.slope * (ob.due_on - DATE '2000-01-01'))) END AS forecast
) fc;

COMMENT ON VIEW @extschema@.kpi_series IS
'Per KPI and measurement: value, attainment and status, the least-squares trend over the last 6 measurements (per day, per measurement period, its value at the measurement), the value the trend line forecasts at the due date of the KPI''s objective (0-100 for a KPI in %) and whether that meets the target.';

-- ---------------------------------------------------------------------------
-- Risk rating history
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.risk_rating_changes (
    change_id       bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    risk_id         bigint NOT NULL,
    title           text NOT NULL,
    event           text NOT NULL
        CONSTRAINT risk_rating_changes_event_known CHECK (event IN ('opened', 'rated', 'closed')),
    changed_on      date NOT NULL,
    likelihood      integer NOT NULL,
    impact          integer NOT NULL,
    control_effectiveness double precision NOT NULL,
    treatment       text NOT NULL,
    inherent_level  text,
    inherent_level_rank integer,
    residual_score  double precision NOT NULL,
    residual_level_rank integer,
    within_tolerance boolean,
    recorded_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
CREATE INDEX risk_rating_changes_org_idx ON @extschema@.risk_rating_changes (organization_id, changed_on);
CREATE INDEX risk_rating_changes_risk_idx ON @extschema@.risk_rating_changes (risk_id, changed_on);
COMMENT ON TABLE @extschema@.risk_rating_changes IS
'The dated history of risk ratings, written by the trigger on risks: opened (insert, dated identified_on), rated (a change of likelihood, impact, control effectiveness or treatment, dated the day of the change) and closed (delete). Levels and tolerance as they were on the organization''s matrix at the time. Tenants read their organizations'' rows; only administrators write.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.risk_id IS
'The risk (no foreign key: the history outlives a deleted, that is closed, risk).';
COMMENT ON COLUMN @extschema@.risk_rating_changes.changed_on IS
'Date of the change: identified_on for opened, the current date for rated and closed.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.inherent_level IS
'Level of the (likelihood, impact) cell on the organization''s matrix at the time; NULL when the rating lay off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_level_rank IS
'0-based rank of the residual level (residual_level_rank of views.sql) on the matrix of the time; NULL off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.within_tolerance IS
'True when the residual level was at or below the organization''s tolerance at the time; NULL off the matrix.';

-- Records a risk's rating in risk_rating_changes (trigger on risks, AFTER INSERT/UPDATE/DELETE).
-- SECURITY DEFINER: a tenant writes its risks but cannot write the history itself.
CREATE FUNCTION @extschema@.risks_record_rating()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    r       record;
    org     record;
    ev      text;
    day     date;
    res     double precision;
    on_matrix boolean;
    lv      integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := OLD; ev := 'closed'; day := CURRENT_DATE;
    ELSIF TG_OP = 'INSERT' THEN
        r := NEW; ev := 'opened'; day := NEW.identified_on;
        -- a restore (pg_dump data) re-inserts risks whose history is already there
        IF EXISTS (SELECT FROM @extschema@.risk_rating_changes c WHERE c.risk_id = NEW.risk_id) THEN
            RETURN NULL;
        END IF;
    ELSE
        IF (NEW.likelihood, NEW.impact, NEW.control_effectiveness, NEW.treatment)
           IS NOT DISTINCT FROM (OLD.likelihood, OLD.impact, OLD.control_effectiveness, OLD.treatment) THEN
            RETURN NULL;
        END IF;
        r := NEW; ev := 'rated'; day := CURRENT_DATE;
    END IF;
    SELECT o.risk_matrix, o.risk_tolerance INTO org
    FROM @extschema@.organizations o WHERE o.organization_id = r.organization_id;
    IF NOT FOUND THEN
        RETURN NULL;    -- the organization is being deleted: its history goes with it
    END IF;
    -- residual = inherent x (1 - control effectiveness), as residual_risk computes it (in plain
    -- arithmetic, which a rating off the matrix, even a negative one, cannot make fail)
    res := (r.likelihood * r.impact)::double precision * (1 - r.control_effectiveness);
    -- a rating off the matrix (a risk stored past risks_check) is recorded without levels,
    -- so that it can still be re-rated or closed
    on_matrix := r.likelihood BETWEEN 1 AND @extschema@.risk_matrix_likelihood_size(org.risk_matrix)
                 AND r.impact BETWEEN 1 AND @extschema@.risk_matrix_impact_size(org.risk_matrix);
    IF on_matrix THEN
        lv := @extschema@.residual_level_rank(org.risk_matrix, r.likelihood, r.impact, res);
        INSERT INTO @extschema@.risk_rating_changes
            (organization_id, risk_id, title, event, changed_on, likelihood, impact, control_effectiveness,
             treatment, inherent_level, inherent_level_rank, residual_score, residual_level_rank, within_tolerance)
        VALUES (r.organization_id, r.risk_id, r.title, ev, day, r.likelihood, r.impact, r.control_effectiveness,
                r.treatment, @extschema@.risk_level(org.risk_matrix, r.likelihood, r.impact),
                @extschema@.risk_level_rank(org.risk_matrix, r.likelihood, r.impact), res, lv,
                lv <= @extschema@.risk_level_rank(org.risk_matrix, org.risk_tolerance));
    ELSE
        INSERT INTO @extschema@.risk_rating_changes
            (organization_id, risk_id, title, event, changed_on, likelihood, impact, control_effectiveness,
             treatment, residual_score)
        VALUES (r.organization_id, r.risk_id, r.title, ev, day, r.likelihood, r.impact, r.control_effectiveness,
                r.treatment, res);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.risks_record_rating() IS
'Trigger: records a risk''s opening, each change of its rating (likelihood, impact, control effectiveness, treatment) and its closing (delete) in risk_rating_changes.';
CREATE TRIGGER risks_record_rating AFTER INSERT OR UPDATE OR DELETE ON @extschema@.risks
    FOR EACH ROW EXECUTE FUNCTION @extschema@.risks_record_rating();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_rating_changes', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_rating_changes_change_id_seq', '');

GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.risk_rating_changes TO ismseval_admin;
GRANT USAGE, SELECT ON @extschema@.risk_rating_changes_change_id_seq TO ismseval_admin;
GRANT SELECT ON @extschema@.risk_rating_changes TO ismseval_tenant;
ALTER TABLE @extschema@.risk_rating_changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY risk_rating_changes_admin ON @extschema@.risk_rating_changes
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY risk_rating_changes_tenant ON @extschema@.risk_rating_changes
    FOR SELECT TO ismseval_tenant
    USING (organization_id IN (SELECT @extschema@.my_organizations()));

-- The state of each of the organization's risks at the end of a day: its latest change
-- on or before that day, when that is not a closing.
CREATE FUNCTION @extschema@.risk_states_on(organization_id bigint, day date)
RETURNS SETOF @extschema@.risk_rating_changes
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT s.* FROM (
        SELECT DISTINCT ON (c.risk_id) c.*
        FROM @extschema@.risk_rating_changes c
        WHERE c.organization_id = risk_states_on.organization_id AND c.changed_on <= risk_states_on.day
        ORDER BY c.risk_id, c.changed_on DESC, c.change_id DESC
    ) s
    WHERE s.event <> 'closed';
END;
COMMENT ON FUNCTION @extschema@.risk_states_on(bigint, date) IS
'The organization''s open risks at the end of day, each as its latest rating change on or before that day (risks whose latest change is a closing are left out).';

-- Risk figures of an organization over a window: risks opened and closed from from_date to
-- to_date (both included) and the open risks at the end of to_date.
CREATE FUNCTION @extschema@.risk_changes(organization_id bigint, from_date date, to_date date)
RETURNS TABLE(opened bigint, closed bigint, open_risks bigint, outside_tolerance bigint,
              rerated bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.risk_rating_changes c
            WHERE c.organization_id = risk_changes.organization_id AND c.event = 'opened'
              AND c.changed_on BETWEEN from_date AND to_date),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_rating_changes c
            WHERE c.organization_id = risk_changes.organization_id AND c.event = 'closed'
              AND c.changed_on BETWEEN from_date AND to_date),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_states_on(risk_changes.organization_id, to_date) s),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_states_on(risk_changes.organization_id, to_date) s
            WHERE NOT s.within_tolerance),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_rating_changes c
            WHERE c.organization_id = risk_changes.organization_id AND c.event = 'rated'
              AND c.changed_on BETWEEN from_date AND to_date);
END;
COMMENT ON FUNCTION @extschema@.risk_changes(bigint, date, date) IS
'Risks of an organization opened, closed and re-rated from from_date to to_date (both included), and the open risks and those outside tolerance at the end of to_date.';

-- ---------------------------------------------------------------------------
-- risk_history
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.risk_history WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       m.month,
       m.month_end,
       l.name AS level,
       l.rank AS level_rank,
       l.color,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.inherent_ranks) x WHERE x = l.rank) AS inherent_risks,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.residual_ranks) x WHERE x = l.rank) AS residual_risks,
       st.open_risks,
       st.outside_tolerance,
       ch.opened,
       ch.closed
FROM @extschema@.organizations o
CROSS JOIN LATERAL (
    SELECT pg_catalog.min(c.changed_on) AS first_day FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id
) f
CROSS JOIN LATERAL pg_catalog.generate_series(pg_catalog.date_trunc('month', f.first_day::timestamp),
                                              pg_catalog.date_trunc('month', CURRENT_DATE::timestamp),
                                              interval '1 month') g(m)
CROSS JOIN LATERAL (
    SELECT g.m::date AS month, (g.m + interval '1 month')::date - 1 AS month_end
) m
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS open_risks,
           pg_catalog.count(*) FILTER (WHERE NOT s.within_tolerance) AS outside_tolerance,
           pg_catalog.array_agg(s.inherent_level_rank) AS inherent_ranks,
           pg_catalog.array_agg(s.residual_level_rank) AS residual_ranks
    FROM @extschema@.risk_states_on(o.organization_id, m.month_end) s
) st
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE c.event = 'opened') AS opened,
           pg_catalog.count(*) FILTER (WHERE c.event = 'closed') AS closed
    FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id AND c.changed_on BETWEEN m.month AND m.month_end
) ch
CROSS JOIN LATERAL @extschema@.risk_matrix_levels(o.risk_matrix) l;

COMMENT ON VIEW @extschema@.risk_history IS
'Per organization, calendar month (from the month of its first recorded risk rating to the current month) and level of its current risk matrix: the open risks at the month''s end at that inherent and residual level; and per month (repeated on each level row, count them once with level_rank = 0): open risks, those outside tolerance, risks opened and closed in the month.';

-- ---------------------------------------------------------------------------
-- department_maturity (the working group's case A)
-- ---------------------------------------------------------------------------

-- The latest assessment of each framework of a department.
CREATE FUNCTION @extschema@.latest_department_assessments(department_id bigint)
RETURNS TABLE(assessment_id bigint, framework_id bigint, assessed_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT ON (a.framework_id) a.assessment_id, a.framework_id, a.assessed_on
    FROM @extschema@.assessments a
    WHERE a.department_id = latest_department_assessments.department_id
    ORDER BY a.framework_id, a.assessed_on DESC, a.assessment_id DESC;
END;
COMMENT ON FUNCTION @extschema@.latest_department_assessments(bigint) IS
'The department''s latest assessment of each framework.';

CREATE VIEW @extschema@.department_maturity WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       dp.department_id,
       dp.name AS department,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       d.code AS domain,
       d.name AS domain_name,
       d.display_order,
       s.score,
       100 * (s.score - f.scale_min) / (f.scale_max - f.scale_min) AS percentage,
       s.coverage,
       COALESCE(mt.target, f.default_target) AS target,
       s.score - COALESCE(mt.target, f.default_target) AS gap_to_target,
       cw.company_mean,
       s.score - cw.company_mean AS gap_to_company,
       cw.departments AS company_departments
FROM @extschema@.organizations o
JOIN @extschema@.departments dp ON dp.organization_id = o.organization_id
CROSS JOIN LATERAL @extschema@.latest_department_assessments(dp.department_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = la.framework_id
CROSS JOIN LATERAL @extschema@.assessment_domain_score(la.assessment_id, d.domain_id) s
CROSS JOIN LATERAL (
    SELECT pg_catalog.avg(x.score) AS company_mean, pg_catalog.count(x.score) AS departments
    FROM @extschema@.departments d2
    CROSS JOIN LATERAL @extschema@.latest_department_assessments(d2.department_id) l2
    CROSS JOIN LATERAL @extschema@.assessment_domain_score(l2.assessment_id, d.domain_id) x
    WHERE d2.organization_id = o.organization_id AND l2.framework_id = la.framework_id
) cw
LEFT JOIN @extschema@.maturity_targets mt
       ON mt.organization_id = o.organization_id AND mt.domain_id = d.domain_id;

COMMENT ON VIEW @extschema@.department_maturity IS
'Per department, its latest assessment of each framework and each control domain: score against the target and against the company-wide mean (the mean over the organization''s departments of their latest assessment''s domain score, each department counted once).';

-- ---------------------------------------------------------------------------
-- incident_metrics: a time window
-- ---------------------------------------------------------------------------

-- Incident figures of an organization for the incidents that occurred from from_date to
-- to_date (UTC days, both included).
CREATE FUNCTION @extschema@.incident_metrics(organization_id bigint, from_date date, to_date date)
RETURNS TABLE(incidents bigint, severe_incidents bigint, mttd_hours double precision,
              mttr_hours double precision, reported_within_24h_pct double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.count(*),
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3),
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600),
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600),
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0)
    FROM @extschema@.incidents i
    WHERE i.organization_id = incident_metrics.organization_id
      AND i.occurred_at >= (from_date::timestamp AT TIME ZONE 'UTC')
      AND i.occurred_at < ((to_date + 1)::timestamp AT TIME ZONE 'UTC');
END;
COMMENT ON FUNCTION @extschema@.incident_metrics(bigint, date, date) IS
'Incidents of an organization that occurred from from_date to to_date (UTC days, both included): count, severe (severity 3-4), mean hours to detect and to resolve, and 100 x reported within 24 hours of detection / detected.';

-- Slope and forecast of a KPI over the measurements from from_date to to_date.
CREATE FUNCTION @extschema@.kpi_trend(kpi_id bigint, from_date date, to_date date)
RETURNS TABLE(points bigint, first_value double precision, last_value double precision,
              trend_per_day double precision, forecast_at_to double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.count(*),
           (pg_catalog.array_agg(m.value ORDER BY m.measured_on))[1],
           (pg_catalog.array_agg(m.value ORDER BY m.measured_on DESC))[1],
           CASE WHEN pg_catalog.count(*) >= 2
                THEN pg_catalog.regr_slope(m.value, (m.measured_on - DATE '2000-01-01')::double precision) END,
           CASE WHEN pg_catalog.count(*) >= 2
                THEN LEAST((SELECT CASE WHEN k.unit = '%' THEN 100 END FROM @extschema@.kpis k
                            WHERE k.kpi_id = kpi_trend.kpi_id),
                           GREATEST(0, pg_catalog.regr_intercept(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
                                       + pg_catalog.regr_slope(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
                                         * (to_date - DATE '2000-01-01'))) END
    FROM @extschema@.kpi_measurements m
    WHERE m.kpi_id = kpi_trend.kpi_id AND m.measured_on BETWEEN from_date AND to_date;
END;
COMMENT ON FUNCTION @extschema@.kpi_trend(bigint, date, date) IS
'A KPI''s measurements from from_date to to_date (both included): how many, the first and last value, the least-squares slope in units per day (at least 2 points) and the fitted line at to_date (not below 0; for a KPI in %, not above 100).';

-- ---------------------------------------------------------------------------
-- Column comments and privileges
-- ---------------------------------------------------------------------------

DO $comments$
DECLARE
    c       record;
    missing text;
BEGIN
    FOR c IN
        WITH described(view_name, column_name, description) AS (VALUES
            ('*', 'organization_id', 'Key of the organization (organizations.organization_id).'),
            ('*', 'organization', 'Code of the organization.'),
            ('*', 'framework_id', 'Key of the framework.'),
            ('*', 'framework', 'Code of the framework assessed.'),
            ('*', 'assessment_id', 'Key of the assessment.'),
            ('*', 'assessed_on', 'Date of the assessment.'),
            ('*', 'domain_id', 'Key of the control domain.'),
            ('*', 'domain', 'Code of the control domain.'),
            ('*', 'domain_name', 'Name of the control domain.'),
            ('*', 'display_order', 'Display order of the domain in its framework.'),
            ('*', 'score', 'Mean score of the scored large questions of the domain in the assessment (framework scale); NULL when none is scored.'),
            ('*', 'percentage', 'The score as a percentage of the framework scale: 100 x (score - scale_min) / (scale_max - scale_min).'),
            ('*', 'coverage', 'Coverage in %: 100 x scored large questions / applicable large questions of the domain (not answered not_applicable; unanswered ones count as applicable); NULL when none is applicable.'),
            ('*', 'target', 'Target value.'),
            ('*', 'unit', 'Unit of the KPI values.'),
            ('*', 'direction', 'higher_is_better or lower_is_better.'),
            ('*', 'level', 'Name of a level of the organization''s current risk matrix.'),
            ('*', 'level_rank', '0-based rank of the level (0 = lowest).'),
            ('*', 'color', 'Colour of the level (#RRGGBB).'),

            ('maturity_history', 'answered_questions', 'Large questions of the domain answered with a score.'),
            ('maturity_history', 'applicable_questions', 'Large questions of the domain not answered not_applicable.'),
            ('maturity_history', 'previous_assessed_on', 'Date of the previous organization-wide assessment of the framework (the latest before this one); NULL when none.'),
            ('maturity_history', 'previous_score', 'The domain''s score in the previous assessment.'),
            ('maturity_history', 'change_vs_previous', 'score - previous_score, in scale points.'),
            ('maturity_history', 'year_ago_assessed_on', 'Date of the assessment about a year earlier: the latest organization-wide assessment of the framework 320 to 410 days (365 -/+ 45) before this one; NULL when none.'),
            ('maturity_history', 'year_ago_score', 'The domain''s score in the assessment about a year earlier.'),
            ('maturity_history', 'change_vs_year_ago', 'score - year_ago_score, in scale points.'),

            ('kpi_series', 'kpi_id', 'Key of the KPI.'),
            ('kpi_series', 'kpi', 'Code of the KPI.'),
            ('kpi_series', 'target', 'Target value of the KPI.'),
            ('kpi_series', 'measured_on', 'Date of the measurement.'),
            ('kpi_series', 'value', 'The measured value.'),
            ('kpi_series', 'attainment_pct', 'Attainment in %, 0-200: 100 x value / target (higher is better) or 100 x target / value (lower is better).'),
            ('kpi_series', 'status', 'red, amber or green (kpi_status) of this value.'),
            ('kpi_series', 'trend_points', 'Measurements the trend is fitted on: the last 6 up to and including this one (fewer at the start of the series).'),
            ('kpi_series', 'trend_per_day', 'Least-squares slope of value on date over those measurements, in units per day: sum((x - mean x)(y - mean y)) / sum((x - mean x)^2), x in days; NULL with fewer than 3.'),
            ('kpi_series', 'trend_per_period', 'trend_per_day x frequency_days: the change per measurement period.'),
            ('kpi_series', 'trend_value', 'The trend line (least-squares intercept + slope x date) at this measurement''s date; NULL with fewer than 3 measurements.'),
            ('kpi_series', 'objective_id', 'The KPI''s objective the forecast is for: the earliest due on or after the measurement, else the latest due; NULL when the KPI has none.'),
            ('kpi_series', 'due_on', 'Due date of that objective.'),
            ('kpi_series', 'forecast_at_due', 'The trend line (least-squares intercept + slope x date) at due_on, not below 0 and, for a KPI in %, not above 100; NULL without a trend, without an objective or when due_on has passed at this measurement.'),
            ('kpi_series', 'on_track', 'True when forecast_at_due meets the target (>= for higher is better, <= for lower is better); NULL without a forecast.'),

            ('risk_history', 'month', 'First day of the calendar month.'),
            ('risk_history', 'month_end', 'Last day of the month: the states counted are those at its end.'),
            ('risk_history', 'inherent_risks', 'Open risks at the month''s end whose inherent level (as rated then) has this rank.'),
            ('risk_history', 'residual_risks', 'Open risks at the month''s end whose residual level (as rated then) has this rank.'),
            ('risk_history', 'open_risks', 'Open risks at the month''s end (per month: repeated on every level row).'),
            ('risk_history', 'outside_tolerance', 'Of them, risks whose residual level was above the tolerance when rated (per month).'),
            ('risk_history', 'opened', 'Risks opened (identified) in the month (per month).'),
            ('risk_history', 'closed', 'Risks closed (deleted) in the month (per month).'),

            ('department_maturity', 'department_id', 'Key of the department.'),
            ('department_maturity', 'department', 'Name of the department.'),
            ('department_maturity', 'assessment_id', 'The department''s latest assessment of the framework.'),
            ('department_maturity', 'target', 'Target maturity of the domain: maturity_targets, else the framework''s default_target.'),
            ('department_maturity', 'gap_to_target', 'score - target (negative: below target).'),
            ('department_maturity', 'company_mean', 'Company-wide mean: mean over the organization''s departments of the domain score of their latest assessment of the framework (each department once).'),
            ('department_maturity', 'gap_to_company', 'score - company_mean (negative: below the company).'),
            ('department_maturity', 'company_departments', 'Departments with a score in the company-wide mean.')
        )
        SELECT cl.relname AS view_name, a.attname AS column_name,
               COALESCE(s.description, g.description) AS description
        FROM pg_catalog.pg_class cl
        JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN described s ON s.view_name = cl.relname AND s.column_name = a.attname
        LEFT JOIN described g ON g.view_name = '*' AND g.column_name = a.attname
        WHERE cl.relnamespace = '@extschema@'::regnamespace AND cl.relkind = 'v'
          AND cl.relname IN ('maturity_history', 'kpi_series', 'risk_history', 'department_maturity')
        ORDER BY 1, a.attnum
    LOOP
        IF c.description IS NULL THEN
            missing := COALESCE(missing || ', ', '') || c.view_name || '.' || c.column_name;
        ELSE
            EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.%I IS %L',
                                      c.view_name, c.column_name, c.description);
        END IF;
    END LOOP;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'view columns without a comment: %', missing;
    END IF;
END
$comments$;

GRANT SELECT ON @extschema@.maturity_history, @extschema@.kpi_series, @extschema@.risk_history,
    @extschema@.department_maturity TO ismseval_admin, ismseval_tenant;

-- Risks that exist before the update get their opening in the history, with their
-- current rating, dated identified_on (their earlier ratings were not kept); a rating off
-- the organization's matrix without levels, as the trigger records it.
INSERT INTO @extschema@.risk_rating_changes
    (organization_id, risk_id, title, event, changed_on, likelihood, impact, control_effectiveness,
     treatment, inherent_level, inherent_level_rank, residual_score, residual_level_rank, within_tolerance)
SELECT r.organization_id, r.risk_id, r.title, 'opened', r.identified_on, r.likelihood, r.impact,
       r.control_effectiveness, r.treatment,
       CASE WHEN m.on_matrix THEN @extschema@.risk_level(o.risk_matrix, r.likelihood, r.impact) END,
       CASE WHEN m.on_matrix THEN @extschema@.risk_level_rank(o.risk_matrix, r.likelihood, r.impact) END,
       m.residual,
       CASE WHEN m.on_matrix THEN @extschema@.residual_level_rank(o.risk_matrix, r.likelihood, r.impact, m.residual) END,
       CASE WHEN m.on_matrix THEN @extschema@.residual_level_rank(o.risk_matrix, r.likelihood, r.impact, m.residual)
                                  <= @extschema@.risk_level_rank(o.risk_matrix, o.risk_tolerance) END
FROM @extschema@.risks r
JOIN @extschema@.organizations o ON o.organization_id = r.organization_id
CROSS JOIN LATERAL (
    SELECT (r.likelihood * r.impact)::double precision * (1 - r.control_effectiveness) AS residual,
           r.likelihood BETWEEN 1 AND @extschema@.risk_matrix_likelihood_size(o.risk_matrix)
           AND r.impact BETWEEN 1 AND @extschema@.risk_matrix_impact_size(o.risk_matrix) AS on_matrix
) m
ORDER BY r.risk_id;

-- ---------------------------------------------------------------------------
-- issue 13 (charts.sql, new): SVG charts
-- ---------------------------------------------------------------------------
-- ---------------------------------------------------------------------------
-- Labels
-- ---------------------------------------------------------------------------

-- The label key in language lang ('en' or 'ja'); 22023 for another language, the key itself
-- for an unknown key.
CREATE FUNCTION @extschema@.report_label(key text, lang text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
DECLARE
    result  text;
BEGIN
    IF lang NOT IN ('en', 'ja') THEN
        RAISE EXCEPTION 'lang must be ''en'' or ''ja'', got ''%''', lang
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN lang = 'ja' THEN l.ja ELSE l.en END INTO result
    FROM (VALUES
        ('own', 'Own', '自組織'),
        ('peers', 'Peers (mean)', '同業他社（平均）'),
        ('peers_missing', 'Peers: not shown (too few peers)', '同業他社：表示なし（社数不足）'),
        ('target', 'Target', '目標'),
        ('maturity', 'maturity', '成熟度'),
        ('scale_note', 'scale %s-%s, centre = %s', '尺度 %s～%s、中心 = %s'),
        ('inherent', 'Inherent risk', '固有リスク'),
        ('residual', 'Residual risk (controls lower the likelihood)', '残留リスク（管理策で発生可能性を低減）'),
        ('likelihood', 'Likelihood', '発生可能性'),
        ('impact', 'Impact', '影響度'),
        ('risk_map', 'risk map', 'リスクマップ'),
        ('risks', 'risks', '件のリスク'),
        ('forecast', 'forecast', '予測'),
        ('green', 'green', '緑'),
        ('amber', 'amber', '黄'),
        ('red', 'red', '赤'),
        ('peer_position', 'position among peers', '同業他社の中での位置'),
        ('peer_mean', 'peer mean', '同業他社平均'),
        ('peers_below', 'peers below', '下位の社'),
        ('peers_equal', 'equal', '同点'),
        ('peers_above', 'peers above', '上位の社'),
        ('total_pct', 'total score, % of the scale', '総合点（尺度に対する%）'),
        ('percentile', 'percentile', 'パーセンタイル'),
        ('rank_of', 'rank %1$s of %2$s', '%2$s社中 %1$s位'),
        ('deviation', 'deviation score', '偏差値'),
        ('published', 'peer figures published', '同業他社の数値の公表日'),
        ('no_peer_figures', 'No peer figures: too few peers, or none published yet.', '同業他社の数値なし：社数不足または未公表。'),
        ('review_title', 'Information security management review', '情報セキュリティ マネジメントレビュー'),
        ('peer_group', 'Peer group', '同業グループ'),
        ('framework', 'Framework', 'フレームワーク'),
        ('assessed_on', 'assessment of', '評価日'),
        ('report_of', 'Report of', '作成日'),
        ('period', 'Incident and risk period', 'インシデント・リスクの対象期間'),
        ('headline', 'Headline figures', '主要指標'),
        ('maturity_total', 'Maturity (total, % of the scale)', '成熟度（総合、尺度に対する%）'),
        ('change_prev', 'change since the previous assessment', '前回評価からの変化'),
        ('pp', 'points', 'ポイント'),
        ('risks_outside', 'Risks outside tolerance', '許容範囲外のリスク'),
        ('of_n', 'of %s', '全 %s 件中'),
        ('kpis_rag', 'KPIs green / amber / red', 'KPI 緑／黄／赤'),
        ('objectives_on_track', 'Objectives on track', '達成見込みの目標'),
        ('incidents_12m', 'Incidents, last 12 months', 'インシデント（過去12か月）'),
        ('severe_n', '%s severe', '重大 %s 件'),
        ('severe_col', 'Severe', '重大'),
        ('nc_open', 'Open nonconformities', '未完了の不適合'),
        ('actions_overdue_n', '%s corrective actions overdue', '是正処置の期限超過 %s 件'),
        ('coverage', 'Coverage', '回答率'),
        ('changes', 'Maturity by domain and changes since the last review', '領域別の成熟度と前回レビューからの変化'),
        ('domain', 'Domain', '領域'),
        ('score', 'Score', 'スコア'),
        ('vs_prev', 'vs previous', '前回比'),
        ('vs_year', 'vs a year ago', '前年比'),
        ('radar_heading', 'Maturity against peers and target', '成熟度：同業他社・目標との比較'),
        ('heatmap_heading', 'Risk map', 'リスクマップ'),
        ('kpi_heading', 'KPI trends', 'KPIの推移'),
        ('objectives_heading', 'Objectives', '情報セキュリティ目標'),
        ('objective', 'Objective', '目標'),
        ('due', 'Due', '期限'),
        ('latest', 'Latest', '最新値'),
        ('forecast_at_due', 'Forecast at due date', '期限時点の予測'),
        ('on_track', 'On track', '達成見込み'),
        ('status', 'Status', '状態'),
        ('yes', 'yes', 'はい'),
        ('no', 'no', 'いいえ'),
        ('achieved', 'achieved', '達成'),
        ('overdue', 'overdue', '期限超過'),
        ('incidents_heading', 'Incidents by month', '月別インシデント'),
        ('month', 'Month', '月'),
        ('incidents', 'Incidents', '件数'),
        ('mttd', 'Mean time to detect (h)', '平均検知時間（時間）'),
        ('mttr', 'Mean time to resolve (h)', '平均復旧時間（時間）'),
        ('reported24', 'Reported within 24 h (%)', '24時間以内の報告（%）'),
        ('nc_heading', 'Nonconformities and corrective actions', '不適合と是正処置'),
        ('raised', 'Raised', '発生日'),
        ('description', 'Description', '内容'),
        ('owner', 'Owner', '責任者'),
        ('peer_heading', 'Standing among peers', '同業他社の中での位置'),
        ('explain_deviation', 'The deviation score places the total score among the peers: 50 is the peer mean and every 10 points is one standard deviation (60 is above about 84 % of a normal distribution). The percentile is the share of peers below the organization, ties counted as half. Both are of the value published in the latest peer release.', '偏差値は総合点が同業他社の中でどの位置にあるかを示します。50が平均で、10ポイントが標準偏差1つ分です（60は正規分布のおよそ84%を上回ります）。パーセンタイルは自組織より下位の同業他社の割合で、同点は半分と数えます。いずれも最新の公表値に基づきます。'),
        ('explain_coverage', 'Coverage is the share of the applicable large questions answered with a score; where it is low, the score rests on few answers.', '回答率は、該当する大設問のうちスコアが付いた割合です。回答率が低い領域のスコアは少数の回答に基づいています。'),
        ('explain_forecast', 'Forecast: the least-squares trend of the last 6 measurements, extended to the objective''s due date.', '予測：直近6回の測定値の最小二乗トレンドを目標の期限まで延長した値。'),
        ('note_peers', 'Peer figures come from the latest published release and are shown only where enough peers stand behind them.', '同業他社の数値は最新の公表値で、十分な社数がある場合にのみ表示されます。'),
        ('generated', 'Generated by ismseval', 'ismseval により作成'),
        ('none', 'none', 'なし'),
        ('dept_heading', 'Departments against the company-wide mean', '部門別：全社平均との比較'),
        ('department', 'Department', '部門'),
        ('company_mean', 'Company-wide mean', '全社平均'),
        ('explain_departments', 'Each department''s domain score in its latest assessment: green above the company-wide mean (the mean over the departments, each counted once), red below.', '各部門の最新の評価における領域スコア。全社平均（各部門を1回ずつ数えた平均）より高いものを緑、低いものを赤で示します。')
    ) l(key, en, ja)
    WHERE l.key = report_label.key;
    RETURN COALESCE(result, key);
END
$$;
COMMENT ON FUNCTION @extschema@.report_label(text, text) IS
'The text of a chart or report label in English (lang ''en'') or Japanese (''ja''); 22023 for another language.';

-- ---------------------------------------------------------------------------
-- Drawing functions (C)
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.heatmap_svg(matrix @extschema@.risk_matrix, inherent_counts integer[],
                                        residual_counts integer[], title text DEFAULT NULL,
                                        labels text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'heatmap_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.heatmap_svg(@extschema@.risk_matrix, integer[], integer[], text, text[]) IS
'A standalone SVG of the risk matrix drawn twice side by side with a count in each cell: inherent_counts and residual_counts hold one count per cell, row-major by likelihood (element (l - 1) x impact size + i for cell (l, i)); labels: the two panel captions and the likelihood and impact axis names.';

CREATE FUNCTION @extschema@.trend_svg(dates date[], vals double precision[], target double precision,
                                      higher_is_better boolean, amber_tolerance double precision,
                                      forecast_from date DEFAULT NULL,
                                      forecast_from_value double precision DEFAULT NULL,
                                      forecast_on date DEFAULT NULL,
                                      forecast_value double precision DEFAULT NULL,
                                      title text DEFAULT NULL, unit text DEFAULT NULL,
                                      labels text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'trend_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.trend_svg(date[], double precision[], double precision, boolean, double precision,
                                          date, double precision, date, double precision, text, text, text[]) IS
'A standalone SVG of a KPI series over time: the values (dates strictly increasing), the target line, the red/amber/green bands of kpi_status and, when all four forecast arguments are given, a dotted forecast line to (forecast_on, forecast_value); labels: target and forecast captions, then the green, amber and red band names.';

CREATE FUNCTION @extschema@.peer_position_svg(own_pct double precision, peer_mean_pct double precision,
                                              peers_below bigint, peers_equal bigint, peers_above bigint,
                                              title text DEFAULT NULL, labels text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'peer_position_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_position_svg(double precision, double precision, bigint, bigint, bigint, text, text[]) IS
'A standalone SVG of an organization''s place among its peers from aggregates only: its value and the peer mean on a 0-100 % scale, and the peer group as one bar of peers below, equal and above with a marker at the mid-rank percentile; labels: own, peer mean, below, equal, above, a footnote, the scale caption.';

-- ---------------------------------------------------------------------------
-- Charts of an organization's data
-- ---------------------------------------------------------------------------

-- The residual cell of a risk: controls are taken to lower the likelihood, to
-- ceil(likelihood x (1 - control effectiveness)), at least 1; the impact stays.
CREATE FUNCTION @extschema@.residual_likelihood(likelihood integer, control_effectiveness double precision)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN GREATEST(1, pg_catalog.ceil(likelihood * (1 - control_effectiveness) - 1e-9)::integer);
COMMENT ON FUNCTION @extschema@.residual_likelihood(integer, double precision) IS
'The likelihood a risk is drawn at on the residual side of risk_heatmap_svg: ceil(likelihood x (1 - control effectiveness)), at least 1.';

CREATE FUNCTION @extschema@.risk_heatmap_svg(organization_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    org     record;
    nlik    integer;
    nimp    integer;
    inh     integer[];
    res     integer[];
    n       bigint;
BEGIN
    SELECT o.name, o.risk_matrix INTO org FROM @extschema@.organizations o
    WHERE o.organization_id = risk_heatmap_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', risk_heatmap_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    nlik := @extschema@.risk_matrix_likelihood_size(org.risk_matrix);
    nimp := @extschema@.risk_matrix_impact_size(org.risk_matrix);
    -- one count per cell, row-major by likelihood; risks off the matrix are left out
    SELECT pg_catalog.array_agg((SELECT pg_catalog.count(*) FROM @extschema@.risks r
                                 WHERE r.organization_id = risk_heatmap_svg.organization_id
                                   AND r.likelihood = c.l AND r.impact = c.i)::integer ORDER BY c.l, c.i),
           pg_catalog.array_agg((SELECT pg_catalog.count(*) FROM @extschema@.risks r
                                 WHERE r.organization_id = risk_heatmap_svg.organization_id
                                   AND r.likelihood <= nlik AND r.impact = c.i
                                   AND @extschema@.residual_likelihood(r.likelihood, r.control_effectiveness) = c.l)::integer
                                ORDER BY c.l, c.i)
      INTO inh, res
    FROM pg_catalog.generate_series(1, nlik) l(l), pg_catalog.generate_series(1, nimp) i(i),
         LATERAL (SELECT l.l, i.i) c;
    SELECT pg_catalog.sum(x) INTO n FROM pg_catalog.unnest(inh) x;
    RETURN @extschema@.heatmap_svg(org.risk_matrix, inh, res,
        pg_catalog.format('%s: %s (%s %s)', org.name, @extschema@.report_label('risk_map', lang), n,
                          @extschema@.report_label('risks', lang)),
        ARRAY[@extschema@.report_label('inherent', lang), @extschema@.report_label('residual', lang),
              @extschema@.report_label('likelihood', lang), @extschema@.report_label('impact', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.risk_heatmap_svg(bigint, text) IS
'SVG heat map of an organization''s risks on its matrix, inherent (at likelihood x impact) and residual (at residual_likelihood x impact) side by side, with level colours, scale labels and a count per cell; lang ''en'' or ''ja''.';

CREATE FUNCTION @extschema@.kpi_trend_svg(kpi_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    k       record;
    last    record;
    days    date[];
    vals    double precision[];
    fc_from_value double precision;
BEGIN
    SELECT kk.code, kk.name, kk.unit, kk.target, kk.direction, kk.amber_tolerance INTO k
    FROM @extschema@.kpis kk WHERE kk.kpi_id = kpi_trend_svg.kpi_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'KPI % does not exist', kpi_trend_svg.kpi_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.array_agg(m.measured_on ORDER BY m.measured_on), pg_catalog.array_agg(m.value ORDER BY m.measured_on)
      INTO days, vals
    FROM @extschema@.kpi_measurements m WHERE m.kpi_id = kpi_trend_svg.kpi_id;
    SELECT s.measured_on, s.value, s.trend_value, s.due_on, s.forecast_at_due INTO last
    FROM @extschema@.kpi_series s WHERE s.kpi_id = kpi_trend_svg.kpi_id
    ORDER BY s.measured_on DESC LIMIT 1;
    -- the forecast line starts on the trend line at the last measurement
    fc_from_value := last.trend_value;
    RETURN @extschema@.trend_svg(COALESCE(days, ARRAY[]::date[]), COALESCE(vals, ARRAY[]::double precision[]),
        k.target, k.direction = 'higher_is_better', k.amber_tolerance,
        CASE WHEN last.forecast_at_due IS NOT NULL THEN last.measured_on END,
        CASE WHEN last.forecast_at_due IS NOT NULL THEN fc_from_value END,
        last.due_on, last.forecast_at_due,
        pg_catalog.format('%s %s', k.code, k.name), NULLIF(k.unit, ''),
        ARRAY[pg_catalog.format('%s %s', @extschema@.report_label('target', lang), k.target),
              pg_catalog.format('%s %s', @extschema@.report_label('forecast', lang),
                                pg_catalog.round(last.forecast_at_due::numeric, 1)),
              @extschema@.report_label('green', lang), @extschema@.report_label('amber', lang),
              @extschema@.report_label('red', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.kpi_trend_svg(bigint, text) IS
'SVG of a KPI''s measurements with its target line, red/amber/green bands and the kpi_series forecast (least-squares trend of the last 6 measurements) as a dotted line from the trend value at the last measurement to the forecast at its objective''s due date; lang ''en'' or ''ja''.';

CREATE FUNCTION @extschema@.peer_distribution_svg(organization_id bigint, framework_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    org     record;
    fw      record;
    own     double precision;
    nq      bigint;
    pb      record;
    above   bigint;
    equal   bigint;
    below   bigint;
    note    text;
BEGIN
    SELECT o.name INTO org FROM @extschema@.organizations o WHERE o.organization_id = peer_distribution_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', peer_distribution_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT f.code, f.scale_min, f.scale_max INTO fw FROM @extschema@.frameworks f
    WHERE f.framework_id = peer_distribution_svg.framework_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'framework % does not exist', peer_distribution_svg.framework_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.count(*) INTO nq FROM @extschema@.questions q
    WHERE q.framework_id = peer_distribution_svg.framework_id AND q.is_large;
    SELECT b.total_score INTO own FROM @extschema@.org_benchmark b
    WHERE b.organization_id = peer_distribution_svg.organization_id AND b.framework = fw.code;
    IF own IS NULL THEN
        RAISE EXCEPTION 'organization % has no scored organization-wide assessment of framework %',
            peer_distribution_svg.organization_id, fw.code USING ERRCODE = 'no_data_found';
    END IF;
    -- published aggregates only (SECURITY DEFINER, floor applied): no peer's own value
    SELECT * INTO pb FROM @extschema@.peer_total_benchmark(peer_distribution_svg.organization_id,
                                                           peer_distribution_svg.framework_id);
    IF pb.peer_count IS NOT NULL THEN
        -- rank = 1 + peers above; percentile = 100 x (below + equal / 2) / peers
        above := pb.peer_rank - 1;
        equal := pg_catalog.round(2 * ((pb.peer_count - above) - pb.peer_percentile * pb.peer_count / 100))::bigint;
        below := pb.peer_count - above - equal;
        note := pg_catalog.format('%s %s · %s · %s %s · %s %s',
            @extschema@.report_label('percentile', lang), pg_catalog.round(pb.peer_percentile::numeric, 1),
            pg_catalog.format(@extschema@.report_label('rank_of', lang), pb.peer_rank, pb.peer_count + 1),
            @extschema@.report_label('deviation', lang), pg_catalog.round(pb.deviation_score::numeric, 1),
            @extschema@.report_label('published', lang), (pb.as_of AT TIME ZONE 'UTC')::date);
    ELSE
        above := 0; equal := 0; below := 0;
        note := @extschema@.report_label('no_peer_figures', lang);
    END IF;
    RETURN @extschema@.peer_position_svg(
        100 * (own / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
        100 * (pb.peer_mean_total / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
        below, equal, above,
        pg_catalog.format('%s: %s %s', org.name, fw.code, @extschema@.report_label('peer_position', lang)),
        ARRAY[pg_catalog.format('%s %s %%', @extschema@.report_label('own', lang),
                                pg_catalog.round((100 * (own / nq - fw.scale_min) / (fw.scale_max - fw.scale_min))::numeric, 1)),
              pg_catalog.format('%s %s %%', @extschema@.report_label('peer_mean', lang),
                                pg_catalog.round((100 * (pb.peer_mean_total / nq - fw.scale_min) / (fw.scale_max - fw.scale_min))::numeric, 1)),
              @extschema@.report_label('peers_below', lang), @extschema@.report_label('peers_equal', lang),
              @extschema@.report_label('peers_above', lang), note, @extschema@.report_label('total_pct', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.peer_distribution_svg(bigint, bigint, text) IS
'SVG of an organization''s place in its peer group for a framework: its total score as a percentage of the scale (100 x (total / large questions - scale_min) / (scale_max - scale_min)), the peers'' mean, and the peers below, equal and above it with its percentile, rank and deviation score, all from the latest published release through peer_total_benchmark (nothing below the floor); lang ''en'' or ''ja''.';

-- ---------------------------------------------------------------------------
-- issue 13 (views.sql): org_radar_svg takes lang and keeps colours by meaning
-- ---------------------------------------------------------------------------
DROP FUNCTION @extschema@.org_radar_svg(bigint, text);
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
-- issue 13 (report.sql, new): the management review report
-- ---------------------------------------------------------------------------
-- Text escaped for HTML (& < > " '); NULL gives an en dash.
CREATE FUNCTION @extschema@.html_text(value text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN COALESCE(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
           value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'), '&#8211;');
COMMENT ON FUNCTION @extschema@.html_text(text) IS
'The text escaped for HTML (& < > " and single quote); NULL gives an en dash.';

-- A number rounded to digits decimals for a report, a sign when signed; NULL gives an en dash.
CREATE FUNCTION @extschema@.report_number(value double precision, digits integer DEFAULT 1,
                                          signed boolean DEFAULT false)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN COALESCE(CASE WHEN signed AND pg_catalog.round(value::numeric, digits) > 0 THEN '+' ELSE '' END
                || pg_catalog.round(value::numeric, digits)::text, '&#8211;');
COMMENT ON FUNCTION @extschema@.report_number(double precision, integer, boolean) IS
'A number rounded to digits decimals (with + when signed and positive) for a report; NULL gives an en dash.';

CREATE FUNCTION @extschema@.management_review_html(organization_id bigint, framework_id bigint DEFAULT NULL,
                                                   lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
DECLARE
    t           jsonb;
    org         record;
    mr          record;
    fw          record;
    la          record;
    nq          bigint;
    total_pct   double precision;
    prev_pct    double precision;
    cov         double precision;
    on_track    bigint;
    tracked     bigint;
    today       date := CURRENT_DATE;
    html        text;
    sect        text;
BEGIN
    t := (SELECT pg_catalog.jsonb_object_agg(k, @extschema@.report_label(k, lang))
          FROM pg_catalog.unnest(ARRAY['review_title', 'peer_group', 'framework', 'assessed_on', 'report_of', 'period',
                                       'headline', 'maturity_total', 'change_prev', 'pp', 'risks_outside', 'of_n',
                                       'kpis_rag', 'objectives_on_track', 'incidents_12m', 'severe_n', 'nc_open', 'severe_col',
                                       'actions_overdue_n', 'coverage', 'changes', 'domain', 'score', 'vs_prev', 'vs_year',
                                       'radar_heading', 'heatmap_heading', 'kpi_heading', 'objectives_heading',
                                       'objective', 'due', 'latest', 'forecast_at_due', 'on_track', 'status', 'yes',
                                       'no', 'achieved', 'overdue', 'incidents_heading', 'month', 'incidents', 'mttd',
                                       'mttr', 'reported24', 'nc_heading', 'raised', 'description', 'owner',
                                       'peer_heading', 'explain_deviation', 'explain_coverage', 'explain_forecast',
                                       'note_peers', 'generated', 'none', 'target', 'green', 'amber', 'red',
                                       'dept_heading', 'department', 'company_mean', 'explain_departments']) k);
    SELECT o.name, o.code INTO org FROM @extschema@.organizations o
    WHERE o.organization_id = management_review_html.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', management_review_html.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO mr FROM @extschema@.management_review m
    WHERE m.organization_id = management_review_html.organization_id;
    -- the framework asked for, else the one of the latest organization-wide assessment
    SELECT l.assessment_id, l.framework_id, l.assessed_on INTO la
    FROM @extschema@.latest_assessments(management_review_html.organization_id) l
    WHERE management_review_html.framework_id IS NULL OR l.framework_id = management_review_html.framework_id
    ORDER BY l.assessed_on DESC, l.assessment_id DESC LIMIT 1;
    IF la.assessment_id IS NULL THEN
        RAISE EXCEPTION 'organization % has no organization-wide assessment%', management_review_html.organization_id,
            CASE WHEN management_review_html.framework_id IS NULL THEN ''
                 ELSE ' of framework ' || management_review_html.framework_id END
            USING ERRCODE = 'no_data_found';
    END IF;
    SELECT f.framework_id, f.code, f.name, f.scale_min, f.scale_max INTO fw
    FROM @extschema@.frameworks f WHERE f.framework_id = la.framework_id;
    SELECT pg_catalog.count(*) INTO nq FROM @extschema@.questions q WHERE q.framework_id = fw.framework_id AND q.is_large;
    -- total as a percentage of the scale: 100 x (sum over domains of large questions x domain
    -- score / large questions - scale_min) / (scale_max - scale_min), now and at the previous assessment
    SELECT 100 * (pg_catalog.sum(n.n * h.score) / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
           100 * (pg_catalog.sum(n.n * h.previous_score) / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
           100 * pg_catalog.sum(h.answered_questions)::double precision / NULLIF(pg_catalog.sum(h.applicable_questions), 0)
      INTO total_pct, prev_pct, cov
    FROM @extschema@.maturity_history h
    CROSS JOIN LATERAL (SELECT pg_catalog.count(*) AS n FROM @extschema@.questions q
                        WHERE q.domain_id = h.domain_id AND q.is_large) n
    WHERE h.assessment_id = la.assessment_id;
    SELECT pg_catalog.count(*) FILTER (WHERE s.on_track), pg_catalog.count(s.on_track) INTO on_track, tracked
    FROM @extschema@.kpis k
    CROSS JOIN LATERAL (SELECT x.on_track FROM @extschema@.kpi_series x WHERE x.kpi_id = k.kpi_id
                        ORDER BY x.measured_on DESC LIMIT 1) s
    WHERE k.organization_id = management_review_html.organization_id;

    -- departments (case A): one row per department, one column per domain; NULL when none
    SELECT '<section><h2>' || @extschema@.html_text(t->>'dept_heading') || '</h2><table><tr><th>'
               || @extschema@.html_text(t->>'department') || '</th>'
               || (SELECT pg_catalog.string_agg('<th class="n">' || @extschema@.html_text(d.code) || '</th>', '' ORDER BY d.display_order)
                   FROM @extschema@.control_domains d WHERE d.framework_id = fw.framework_id) || '</tr>'
               || pg_catalog.string_agg(r.line, E'\n' ORDER BY r.department, r.department_id)
               || (SELECT '<tr><th>' || @extschema@.html_text(t->>'company_mean') || '</th>'
                          || pg_catalog.string_agg('<th class="n">' || @extschema@.report_number(c.mean, 2) || '</th>', '' ORDER BY c.display_order)
                          || '</tr><tr><th>' || @extschema@.html_text(t->>'target') || '</th>'
                          || pg_catalog.string_agg('<th class="n">' || @extschema@.report_number(c.target, 2) || '</th>', '' ORDER BY c.display_order)
                          || '</tr>'
                   FROM (SELECT m.display_order, pg_catalog.max(m.company_mean) AS mean, pg_catalog.max(m.target) AS target
                         FROM @extschema@.department_maturity m
                         WHERE m.organization_id = management_review_html.organization_id AND m.framework = fw.code
                         GROUP BY m.display_order) c)
               || '</table><p class="note">' || @extschema@.html_text(t->>'explain_departments') || '</p></section>'
      INTO sect
    FROM (SELECT m.department_id, m.department,
                 '<tr><td>' || @extschema@.html_text(m.department) || '</td>'
                 || pg_catalog.string_agg(pg_catalog.format('<td class="n%s">%s</td>',
                        CASE WHEN m.gap_to_company < 0 THEN ' neg' WHEN m.gap_to_company > 0 THEN ' pos' ELSE '' END,
                        @extschema@.report_number(m.score, 2)), '' ORDER BY m.display_order) || '</tr>' AS line
          FROM @extschema@.department_maturity m
          WHERE m.organization_id = management_review_html.organization_id AND m.framework = fw.code
          GROUP BY m.department_id, m.department) r;

    html := pg_catalog.concat_ws(E'\n',
        '<!DOCTYPE html>',
        pg_catalog.format('<html lang="%s"><head><meta charset="utf-8"/>', lang),
        pg_catalog.format('<title>%s: %s</title>', @extschema@.html_text(org.name), @extschema@.html_text(t->>'review_title')),
        '<style>
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", "Noto Sans", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo, Arial, sans-serif;
       color: #212121; margin: 20px auto; max-width: 1000px; font-size: 12.5px; line-height: 1.4; }
h1 { font-size: 21px; margin: 0 0 4px; }
h2 { font-size: 15px; border-bottom: 2px solid #37474F; padding-bottom: 2px; margin: 18px 0 6px; }
.sub { color: #616161; margin-bottom: 10px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.card { border: 1px solid #CFD8DC; border-radius: 6px; padding: 6px 10px; }
.card .v { font-size: 19px; font-weight: bold; } .card .k { color: #616161; font-size: 11px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ECEFF1; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #ECEFF1; font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n, td.d { white-space: nowrap; }
.badge { color: #fff; border-radius: 3px; padding: 1px 6px; font-size: 11px; white-space: nowrap; }
.neg { color: #C62828; } .pos { color: #2E7D32; } .note { color: #616161; font-size: 11px; }
.chart { text-align: center; } .chart svg { max-width: 100%; height: auto; }
.chart.wide svg { width: 680px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.chart, .cards, tr { break-inside: avoid; page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { break-after: avoid; }
               .chart.wide svg { width: 128mm; } .chart.map svg { width: 160mm; } }
</style></head><body>',
        pg_catalog.format('<h1>%s: %s</h1>', @extschema@.html_text(org.name), @extschema@.html_text(t->>'review_title')),
        pg_catalog.format('<div class="sub">%s %s &#183; %s %s (%s) %s %s &#183; %s %s &#8211; %s &#183; %s %s</div>',
            @extschema@.html_text(t->>'peer_group'), @extschema@.html_text(mr.peer_group),
            @extschema@.html_text(t->>'framework'), @extschema@.html_text(fw.code), @extschema@.html_text(fw.name),
            @extschema@.html_text(t->>'assessed_on'), la.assessed_on,
            @extschema@.html_text(t->>'period'), today - 365, today,
            @extschema@.html_text(t->>'report_of'), today),

        -- headline figures
        '<section><h2>' || @extschema@.html_text(t->>'headline') || '</h2><div class="cards">',
        pg_catalog.format('<div class="card"><div class="v">%s %%</div><div class="k">%s; %s %s %s</div></div>',
            @extschema@.report_number(total_pct), @extschema@.html_text(t->>'maturity_total'),
            @extschema@.html_text(t->>'change_prev'), @extschema@.report_number(total_pct - prev_pct, 1, true),
            @extschema@.html_text(t->>'pp')),
        pg_catalog.format('<div class="card"><div class="v">%s %%</div><div class="k">%s (%s)</div></div>',
            @extschema@.report_number(cov, 0), @extschema@.html_text(t->>'coverage'), @extschema@.html_text(fw.code)),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.risks_outside_tolerance, @extschema@.html_text(t->>'risks_outside'),
            @extschema@.html_text(pg_catalog.format(t->>'of_n', mr.risks))),
        pg_catalog.format('<div class="card"><div class="v"><span class="badge" style="background:#2E7D32">%s</span> '
                          '<span class="badge" style="background:#F9A825;color:#212121">%s</span> '
                          '<span class="badge" style="background:#C62828">%s</span></div><div class="k">%s</div></div>',
            mr.kpis_green, mr.kpis_amber, mr.kpis_red, @extschema@.html_text(t->>'kpis_rag')),
        pg_catalog.format('<div class="card"><div class="v">%s / %s</div><div class="k">%s</div></div>',
            on_track, tracked, @extschema@.html_text(t->>'objectives_on_track')),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.incidents_12m, @extschema@.html_text(t->>'incidents_12m'),
            @extschema@.html_text(pg_catalog.format(t->>'severe_n', mr.severe_incidents_12m))),
        pg_catalog.format('<div class="card"><div class="v">%s h / %s h</div><div class="k">%s / %s</div></div>',
            @extschema@.report_number(mr.mttd_hours_12m), @extschema@.report_number(mr.mttr_hours_12m),
            @extschema@.html_text(t->>'mttd'), @extschema@.html_text(t->>'mttr')),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.nonconformities_open, @extschema@.html_text(t->>'nc_open'),
            @extschema@.html_text(pg_catalog.format(t->>'actions_overdue_n', mr.corrective_actions_overdue))),
        '</div></section>',

        -- maturity: changes and radar
        '<section><h2>' || @extschema@.html_text(t->>'changes') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th class="n">%s</th><th class="n">%%</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'domain'), @extschema@.html_text(t->>'score'), @extschema@.html_text(t->>'vs_prev'),
            @extschema@.html_text(t->>'vs_year'), @extschema@.html_text(t->>'coverage')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s %s</td><td class="n">%s</td><td class="n">%s</td><td class="n%s">%s</td><td class="n%s">%s</td><td class="n">%s %%</td></tr>',
                    @extschema@.html_text(h.domain), @extschema@.html_text(h.domain_name), @extschema@.report_number(h.score, 2),
                    @extschema@.report_number(h.percentage, 0),
                    CASE WHEN h.change_vs_previous < 0 THEN ' neg' WHEN h.change_vs_previous > 0 THEN ' pos' ELSE '' END,
                    @extschema@.report_number(h.change_vs_previous, 2, true),
                    CASE WHEN h.change_vs_year_ago < 0 THEN ' neg' WHEN h.change_vs_year_ago > 0 THEN ' pos' ELSE '' END,
                    @extschema@.report_number(h.change_vs_year_ago, 2, true), @extschema@.report_number(h.coverage, 0)),
                E'\n' ORDER BY h.display_order)
         FROM @extschema@.maturity_history h WHERE h.assessment_id = la.assessment_id),
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_coverage') || '</p></section>',
        '<section><h2>' || @extschema@.html_text(t->>'radar_heading') || '</h2><div class="chart wide">',
        @extschema@.org_radar_svg(management_review_html.organization_id, fw.code, lang),
        '</div></section>',

        -- risks
        '<section><h2>' || @extschema@.html_text(t->>'heatmap_heading') || '</h2><div class="chart map">',
        @extschema@.risk_heatmap_svg(management_review_html.organization_id, lang),
        '</div></section>',

        -- KPIs and objectives
        '<section><h2>' || @extschema@.html_text(t->>'kpi_heading') || '</h2><div class="grid2">',
        (SELECT pg_catalog.string_agg('<div class="chart">' || @extschema@.kpi_trend_svg(k.kpi_id, lang) || '</div>',
                                      E'\n' ORDER BY k.code)
         FROM @extschema@.kpis k
         WHERE k.organization_id = management_review_html.organization_id
           AND EXISTS (SELECT FROM @extschema@.kpi_measurements m WHERE m.kpi_id = k.kpi_id)),
        '</div></section>',
        '<section><h2>' || @extschema@.html_text(t->>'objectives_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th>%s</th><th>%s</th></tr>',
            @extschema@.html_text(t->>'objective'), 'KPI', @extschema@.html_text(t->>'due'), @extschema@.html_text(t->>'latest'),
            @extschema@.html_text(t->>'target'), @extschema@.html_text(t->>'forecast_at_due'),
            @extschema@.html_text(t->>'on_track'), @extschema@.html_text(t->>'status')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s</td><td class="d">%s</td><td class="d">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td>%s</td><td>%s</td></tr>',
                    @extschema@.html_text(os.objective), @extschema@.html_text(os.kpi), os.due_on,
                    @extschema@.report_number(os.latest_value), @extschema@.report_number(os.target),
                    @extschema@.report_number(CASE WHEN s.objective_id = os.objective_id THEN s.forecast_at_due END),
                    CASE WHEN s.objective_id = os.objective_id AND s.on_track IS NOT NULL
                         THEN @extschema@.html_text(CASE WHEN s.on_track THEN t->>'yes' ELSE t->>'no' END)
                         ELSE '&#8211;' END,
                    CASE WHEN os.achieved THEN '<span class="badge" style="background:#2E7D32">' || @extschema@.html_text(t->>'achieved') || '</span>'
                         WHEN os.overdue THEN '<span class="badge" style="background:#C62828">' || @extschema@.html_text(t->>'overdue') || '</span>'
                         ELSE pg_catalog.format('<span class="badge" style="background:%s">%s</span>',
                                  CASE os.status WHEN 'green' THEN '#2E7D32' WHEN 'amber' THEN '#B28704' WHEN 'red' THEN '#C62828' ELSE '#757575' END,
                                  @extschema@.html_text(COALESCE(t->>os.status, os.status))) END),
                E'\n' ORDER BY os.due_on, os.objective_id)
         FROM @extschema@.objective_status os
         JOIN @extschema@.kpis k ON k.kpi_id = (SELECT x.kpi_id FROM @extschema@.objectives x WHERE x.objective_id = os.objective_id)
         LEFT JOIN LATERAL (SELECT x.objective_id, x.forecast_at_due, x.on_track FROM @extschema@.kpi_series x
                            WHERE x.kpi_id = k.kpi_id ORDER BY x.measured_on DESC LIMIT 1) s ON true
         WHERE os.organization_id = management_review_html.organization_id),
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_forecast') || '</p></section>',

        -- incidents
        '<section><h2>' || @extschema@.html_text(t->>'incidents_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'month'), @extschema@.html_text(t->>'incidents'), @extschema@.html_text(t->>'severe_col'),
            @extschema@.html_text(t->>'mttd'), @extschema@.html_text(t->>'mttr'), @extschema@.html_text(t->>'reported24')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                    pg_catalog.to_char(i.month, 'YYYY-MM'), i.incidents, i.severe_incidents,
                    @extschema@.report_number(i.mttd_hours), @extschema@.report_number(i.mttr_hours),
                    @extschema@.report_number(i.reported_within_24h_pct, 0)), E'\n' ORDER BY i.month)
         FROM @extschema@.incident_metrics_monthly i
         WHERE i.organization_id = management_review_html.organization_id
           AND i.month > pg_catalog.date_trunc('month', (today - 365)::timestamp)::date),
        '</table></section>',

        -- nonconformities
        '<section><h2>' || @extschema@.html_text(t->>'nc_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>',
            @extschema@.html_text(t->>'raised'), @extschema@.html_text(t->>'description'), @extschema@.html_text(t->>'owner'),
            @extschema@.html_text(t->>'due')),
        COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format('<tr><td class="d">%s</td><td>%s</td><td>%s</td><td class="d%s">%s</td></tr>',
                    n.raised_on, @extschema@.html_text(n.description), @extschema@.html_text(n.owner),
                    CASE WHEN n.due_on < today THEN ' neg' ELSE '' END, @extschema@.html_text(n.due_on::text)),
                    E'\n' ORDER BY n.raised_on, n.nonconformity_id)
                  FROM @extschema@.nonconformities n
                  WHERE n.organization_id = management_review_html.organization_id AND n.closed_on IS NULL),
                 '<tr><td colspan="4">' || @extschema@.html_text(t->>'none') || '</td></tr>'),
        '</table></section>',

        -- departments
        sect,

        -- peers
        '<section><h2>' || @extschema@.html_text(t->>'peer_heading') || '</h2><div class="chart">',
        @extschema@.peer_distribution_svg(management_review_html.organization_id, fw.framework_id, lang),
        '</div><p class="note">' || @extschema@.html_text(t->>'explain_deviation') || ' '
            || @extschema@.html_text(t->>'note_peers') || '</p></section>',
        pg_catalog.format('<p class="note">%s %s.</p>', @extschema@.html_text(t->>'generated'), today),
        '</body></html>');
    RETURN html;
END
$$;
COMMENT ON FUNCTION @extschema@.management_review_html(bigint, bigint, text) IS
'A self-contained HTML management review (ISO/IEC 27001 9.3) of an organization for a framework (default: that of its latest organization-wide assessment): headline figures, maturity by domain with changes and coverage, radar, risk heat map, KPI trends, objectives with forecasts, incidents by month, open nonconformities and peer standing; inline SVG, print CSS for A4; lang ''en'' or ''ja''.';
