-- Trends over time (issue 13): maturity across assessments, KPI series with their
-- least-squares trend and forecast, the dated history of risk ratings, department
-- scores against the company, and time-window functions for BI tools.
--
-- Definitions (docs/history-and-charts.md has the worked examples):
--   score, percentage, coverage   of a domain in an assessment: assessment_domain_score
--                (rules.sql, README "Scores, percentages and coverage")
--   previous     the organization's latest organization-wide assessment of the framework
--                dated before this one
--   a year ago   the latest such assessment dated 320 to 410 days (365 -/+ 45) before this one
--   KPI trend    least-squares slope of value on date over the last 6 measurements up to
--                and including this one (at least 3), in units per day:
--                b = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2), x in days
--   forecast     the fitted line a + b x at the due date of the KPI's objective (the
--                earliest due on or after the measurement), not below 0 and, for a KPI in
--                %, not above 100; none when every objective of the KPI was due before the
--                measurement
--
-- Views are security_invoker like those of views.sql: row-level security decides
-- what each role sees.

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
       s.percentage,
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
    recorded_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    current_likelihood integer,
    current_impact  integer,
    current_level_rank integer,
    residual_likelihood integer,
    residual_impact integer
);
CREATE INDEX risk_rating_changes_org_idx ON @extschema@.risk_rating_changes (organization_id, changed_on);
CREATE INDEX risk_rating_changes_risk_idx ON @extschema@.risk_rating_changes (risk_id, changed_on);
COMMENT ON TABLE @extschema@.risk_rating_changes IS
'The dated history of risk ratings, written by the trigger on risks: opened (insert, dated identified_on), rated (a change of the inherent, current or residual cell, control effectiveness or treatment, dated the day of the change) and closed (delete). Levels and tolerance as they were on the organization''s matrix at the time. Tenants read their organizations'' rows; only administrators write.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.risk_id IS
'The risk (no foreign key: the history outlives a deleted, that is closed, risk).';
COMMENT ON COLUMN @extschema@.risk_rating_changes.changed_on IS
'Date of the change: identified_on for opened, the current date for rated and closed.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.inherent_level IS
'Level of the (likelihood, impact) cell on the organization''s matrix at the time; NULL when the rating lay off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_score IS
'The residual score as risk_register gives it (risk_residual): residual likelihood x residual impact when the residual cell is rated, else likelihood x impact x (1 - control effectiveness).';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_level_rank IS
'0-based rank of the residual level (risk_residual: of the rated residual cell, else of the effectiveness residual) on the matrix of the time; NULL off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.current_likelihood IS
'The current likelihood (with today''s controls); NULL when not rated.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.current_impact IS
'The current impact; NULL when not rated.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.current_level_rank IS
'0-based rank of the level of the current cell on the matrix of the time; NULL when not rated or off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_likelihood IS
'The rated residual likelihood; NULL when the residual came from control effectiveness.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_impact IS
'The rated residual impact; NULL when the residual came from control effectiveness.';
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
    res     record;
    inh     boolean;
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
        IF (NEW.likelihood, NEW.impact, NEW.current_likelihood, NEW.current_impact, NEW.residual_likelihood,
            NEW.residual_impact, NEW.control_effectiveness, NEW.treatment)
           IS NOT DISTINCT FROM (OLD.likelihood, OLD.impact, OLD.current_likelihood, OLD.current_impact,
                                 OLD.residual_likelihood, OLD.residual_impact, OLD.control_effectiveness, OLD.treatment) THEN
            RETURN NULL;
        END IF;
        r := NEW; ev := 'rated'; day := CURRENT_DATE;
    END IF;
    SELECT o.risk_matrix, o.risk_tolerance INTO org
    FROM @extschema@.organizations o WHERE o.organization_id = r.organization_id;
    IF NOT FOUND THEN
        RETURN NULL;    -- the organization is being deleted: its history goes with it
    END IF;
    -- the residual as risk_register reads it; a rating off the matrix (a risk stored past
    -- risks_check) is recorded without its level, so that it can still be re-rated or closed
    SELECT * INTO res FROM @extschema@.risk_residual(org.risk_matrix, r.likelihood, r.impact, r.control_effectiveness,
                                                     r.residual_likelihood, r.residual_impact);
    inh := @extschema@.risk_cell_on_matrix(org.risk_matrix, r.likelihood, r.impact);
    INSERT INTO @extschema@.risk_rating_changes
        (organization_id, risk_id, title, event, changed_on, likelihood, impact, control_effectiveness,
         treatment, inherent_level, inherent_level_rank, residual_score, residual_level_rank, within_tolerance,
         current_likelihood, current_impact, current_level_rank, residual_likelihood, residual_impact)
    VALUES (r.organization_id, r.risk_id, r.title, ev, day, r.likelihood, r.impact, r.control_effectiveness,
            r.treatment,
            CASE WHEN inh THEN @extschema@.risk_level(org.risk_matrix, r.likelihood, r.impact) END,
            CASE WHEN inh THEN @extschema@.risk_level_rank(org.risk_matrix, r.likelihood, r.impact) END,
            res.score, res.level_rank,
            res.level_rank <= @extschema@.risk_level_rank(org.risk_matrix, org.risk_tolerance),
            r.current_likelihood, r.current_impact,
            CASE WHEN @extschema@.risk_cell_on_matrix(org.risk_matrix, r.current_likelihood, r.current_impact)
                 THEN @extschema@.risk_level_rank(org.risk_matrix, r.current_likelihood, r.current_impact) END,
            r.residual_likelihood, r.residual_impact);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.risks_record_rating() IS
'Trigger: records a risk''s opening, each change of its rating (inherent, current or residual cell, control effectiveness, treatment) and its closing (delete) in risk_rating_changes.';
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
    USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations()));

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
       ch.closed,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.current_ranks) x WHERE x = l.rank) AS current_risks
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
           pg_catalog.array_agg(s.residual_level_rank) AS residual_ranks,
           pg_catalog.array_agg(s.current_level_rank) AS current_ranks
    FROM @extschema@.risk_states_on(o.organization_id, m.month_end) s
) st
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE c.event = 'opened') AS opened,
           pg_catalog.count(*) FILTER (WHERE c.event = 'closed') AS closed
    FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id AND c.changed_on BETWEEN m.month AND m.month_end
) ch
-- the matrix's levels by rank, their names and colours read without the labels
CROSS JOIN LATERAL (
    SELECT r.rank, @extschema@.risk_matrix_level_name(o.risk_matrix, r.rank) AS name,
           @extschema@.risk_matrix_level_color(o.risk_matrix, r.rank) AS color
    FROM pg_catalog.generate_series(0, @extschema@.risk_matrix_level_count(o.risk_matrix) - 1) r(rank)
) l;

COMMENT ON VIEW @extschema@.risk_history IS
'Per organization, calendar month (from the month of its first recorded risk rating to the current month) and level of its current risk matrix: the open risks at the month''s end at that inherent, residual and current level; and per month (repeated on each level row, count them once with level_rank = 0): open risks, those outside tolerance, risks opened and closed in the month.';

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
       s.percentage,
       s.coverage,
       COALESCE(mt.target, f.default_target) AS target,
       s.score - COALESCE(mt.target, f.default_target) AS gap_to_target,
       cw.company_mean,
       s.score - cw.company_mean AS gap_to_company,
       cw.departments AS company_departments,
       f.framework_id
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
-- Privileges (column comments: view_comments.sql)
-- ---------------------------------------------------------------------------

GRANT SELECT ON @extschema@.maturity_history, @extschema@.kpi_series, @extschema@.risk_history,
    @extschema@.department_maturity TO ismseval_admin, ismseval_tenant;
