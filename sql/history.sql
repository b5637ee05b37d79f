-- Trends (issue 13): maturity_history, kpi_series, risk_history, department_maturity,
-- incident_metrics_monthly with zero months, and the time-window functions, against a
-- small dataset; every expected figure is worked out by hand in the comment next to it.
SET search_path = ismseval, public;
SET TimeZone = 'UTC';
BEGIN;

-- Framework H on a 1-5 scale (percentage = 100 x (score - 1) / 4), default target 3:
-- domain D1 with large questions Q1, Q2, Q3; domain D2 with Q4.
INSERT INTO frameworks (code, name, scale_min, scale_max, default_target) VALUES ('H', 'History test', 1, 5, 3);
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT framework_id, d, 'Domain ' || d, o FROM frameworks, (VALUES ('D1', 1), ('D2', 2)) v(d, o) WHERE code = 'H';
INSERT INTO questions (framework_id, domain_id, code, text)
SELECT d.framework_id, d.domain_id, q, 'Question ' || q
FROM control_domains d JOIN frameworks f USING (framework_id),
     (VALUES ('Q1', 'D1'), ('Q2', 'D1'), ('Q3', 'D1'), ('Q4', 'D2')) v(q, dc)
WHERE f.code = 'H' AND d.code = v.dc;
INSERT INTO organizations (code, name, core_business, size_band) VALUES ('A', 'Org A', 'regulated', 'small');
INSERT INTO maturity_targets (organization_id, domain_id, target)
SELECT o.organization_id, d.domain_id, 3.5 FROM organizations o, control_domains d
WHERE o.code = 'A' AND d.code = 'D1' AND d.framework_id = (SELECT framework_id FROM frameworks WHERE code = 'H');

-- Organization-wide assessments of A (NA = not applicable, - = not answered):
--   2024-03-01   Q1 2  Q2 2  Q3 1   Q4 1
--   2025-01-15   Q1 3  Q2 2  Q3 NA  Q4 2   (320 days after 2024-03-01)
--   2025-03-10   Q1 4  Q2 3  Q3 -   Q4 5   (374 days after 2024-03-01, 54 after 2025-01-15)
CREATE TEMP TABLE hist_answers (assessed_on date, q text, score int, na boolean);
INSERT INTO hist_answers VALUES
    ('2024-03-01', 'Q1', 2, false), ('2024-03-01', 'Q2', 2, false), ('2024-03-01', 'Q3', 1, false), ('2024-03-01', 'Q4', 1, false),
    ('2025-01-15', 'Q1', 3, false), ('2025-01-15', 'Q2', 2, false), ('2025-01-15', 'Q3', NULL, true), ('2025-01-15', 'Q4', 2, false),
    ('2025-03-10', 'Q1', 4, false), ('2025-03-10', 'Q2', 3, false), ('2025-03-10', 'Q4', 5, false);
INSERT INTO assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, x.assessed_on
FROM organizations o, frameworks f, (SELECT DISTINCT assessed_on FROM hist_answers) x
WHERE o.code = 'A' AND f.code = 'H';
INSERT INTO answers (assessment_id, question_id, score, not_applicable)
SELECT a.assessment_id, q.question_id, h.score, h.na
FROM hist_answers h JOIN assessments a USING (assessed_on)
JOIN questions q ON q.code = h.q AND q.framework_id = a.framework_id;

-- ---------------------------------------------------------------------------
-- maturity_history
--   2024-03-01  D1 (2+2+1)/3 = 1.6667, 100 x 0.6667/4 = 16.67 %, coverage 3/3 = 100;
--               D2 1 = 0 %; no previous, no assessment 320-410 days earlier.
--   2025-01-15  D1 (3+2)/2 = 2.5 = 37.5 %, coverage 2 scored / 2 applicable = 100 (Q3 NA);
--               D2 2 = 25 %; previous 2024-03-01: D1 2.5 - 1.6667 = 0.8333, D2 2 - 1 = 1;
--               year ago: 2024-03-01 is 320 days earlier, the edge of 320-410: the same.
--   2025-03-10  D1 (4+3)/2 = 3.5 = 62.5 %, coverage 2 / 3 = 66.67 (Q3 unanswered counts);
--               D2 5 = 100 %; previous 2025-01-15: D1 3.5 - 2.5 = 1, D2 5 - 2 = 3;
--               year ago 2024-03-01 (374 days): D1 3.5 - 1.6667 = 1.8333, D2 5 - 1 = 4.
-- ---------------------------------------------------------------------------
SELECT assessed_on, domain, round(score::numeric, 4) AS score, round(percentage::numeric, 2) AS pct,
       answered_questions AS answered, applicable_questions AS applicable, round(coverage::numeric, 2) AS coverage,
       previous_assessed_on AS prev_on, round(change_vs_previous::numeric, 4) AS chg_prev,
       year_ago_assessed_on AS year_ago_on, round(change_vs_year_ago::numeric, 4) AS chg_year
FROM maturity_history WHERE organization = 'A' ORDER BY assessed_on, display_order;

-- ---------------------------------------------------------------------------
-- department_maturity (case A). Departments' assessments of H:
--   Sales 2025-03-01: Q1 2 Q2 4 Q3 3 Q4 1  -> D1 3, D2 1
--   IT    2025-03-01: Q1 4 Q2 4 Q3 4 Q4 3  -> D1 4, D2 3   (its 2024-06-01 one, all 1, is older)
-- Company mean D1 (3 + 4)/2 = 3.5, D2 (1 + 3)/2 = 2. Targets: D1 3.5 (A's own), D2 3 (default).
--   Sales D1 gap_to_target 3 - 3.5 = -0.5, gap_to_company 3 - 3.5 = -0.5
--   Sales D2 1 - 3 = -2, 1 - 2 = -1;  IT D1 4 - 3.5 = 0.5, 0.5;  IT D2 3 - 3 = 0, 3 - 2 = 1
-- ---------------------------------------------------------------------------
INSERT INTO departments (organization_id, name) SELECT organization_id, n FROM organizations, (VALUES ('Sales'), ('IT')) v(n)
WHERE code = 'A';
INSERT INTO assessments (organization_id, department_id, framework_id, assessed_on)
SELECT d.organization_id, d.department_id, f.framework_id, x.on_
FROM departments d, frameworks f, (VALUES (DATE '2025-03-01'), (DATE '2024-06-01')) x(on_)
WHERE f.code = 'H' AND (x.on_ = '2025-03-01' OR d.name = 'IT');
INSERT INTO answers (assessment_id, question_id, score)
SELECT a.assessment_id, q.question_id,
       CASE WHEN a.assessed_on = '2024-06-01' THEN 1
            WHEN d.name = 'IT' THEN CASE q.code WHEN 'Q4' THEN 3 ELSE 4 END
            ELSE CASE q.code WHEN 'Q1' THEN 2 WHEN 'Q2' THEN 4 WHEN 'Q3' THEN 3 ELSE 1 END END
FROM assessments a JOIN departments d USING (department_id) JOIN questions q ON q.framework_id = a.framework_id;

SELECT department, assessed_on, domain, score, percentage AS pct, target, gap_to_target, company_mean,
       gap_to_company, company_departments AS n
FROM department_maturity WHERE organization = 'A' ORDER BY department, display_order;
-- the department assessments are not organization-wide: maturity_history still has 3 x 2 rows
SELECT count(*) AS org_wide_rows FROM maturity_history WHERE organization = 'A';

-- ---------------------------------------------------------------------------
-- kpi_series. K1 higher is better, target 90, amber tolerance 0.1, monthly (30 days).
-- x = days since 2025-01-01:  0 60 | 30 66 | 60 72 | 90 75 | 120 81 | 150 81 | 180 84 | 240 86
-- Objectives: O-early due 2025-02-15, O-late due 2025-07-30 (x = 210).
--   row 1 (x 0):  1 point, no trend; objective O-early (earliest due on or after 2025-01-01)
--   row 2 (x 30): 2 points, no trend (needs 3); O-early
--   row 3 (x 60): points 0..60: 60 66 72 on a line, slope 0.2/day, 6 per 30-day period,
--                 trend value 72; O-late; line at 210: 66 + 0.2 x (210 - 30) = 102, a KPI in %:
--                 forecast min(100, 102) = 100 >= 90: on track
--   row 4 (x 90): mean x 45, mean y 68.25; sum dxdy = (-45)(-8.25) + (-15)(-2.25) + 15 x 3.75
--                 + 45 x 6.75 = 765; sum dx2 = 4500; slope 0.17; forecast 68.25 + 0.17 x 165 = 96.3;
--                 trend value 68.25 + 0.17 x (90 - 45) = 75.9
--   row 5 (x 120): mean x 60, mean y 70.8; sum dxdy = 648 + 144 + 0 + 126 + 612 = 1530,
--                 sum dx2 = 9000, slope 0.17; forecast 70.8 + 0.17 x 150 = 96.3; trend value 70.8 + 10.2 = 81;
--                 attainment 100 x 81/90 = 90, amber (>= 1 - 0.1)
--   row 6 (x 150): 6 points 0..150, mean 75 / 72.5; sum dxdy = 937.5 + 292.5 + 7.5 + 37.5 + 382.5
--                 + 637.5 = 2295, sum dx2 = 15750, slope 0.145714; forecast 72.5 + 0.145714 x 135 = 92.1714;
--                 trend value 72.5 + 0.145714 x 75 = 83.4286
--   row 7 (x 180): the last 6 points, 30..180: mean 105 / 76.5; sum dxdy = 787.5 + 202.5 + 22.5
--                 + 67.5 + 202.5 + 562.5 = 1845, slope 1845/15750 = 0.117143;
--                 forecast 76.5 + 0.117143 x 105 = 88.8 < 90: not on track; attainment 93.33, amber;
--                 trend value 76.5 + 0.117143 x 75 = 85.2857
--   row 8 (x 240, 2025-08-29, after every due date): objective falls back to the latest due,
--                 O-late, but no forecast (its due date has passed) and no on_track; last 6 points
--                 x 60 90 120 150 180 240, y 72 75 81 81 84 86: means 140 / 79.8333; sum dxdy =
--                 (-80)(-7.8333) + (-50)(-4.8333) + (-20)(1.1667) + 10 x 1.1667 + 40 x 4.1667
--                 + 100 x 6.1667 = 1640, sum dx2 = 21000, slope 0.078095, x 30 = 2.3429;
--                 trend value 79.8333 + 0.078095 x 100 = 87.6429;
--                 attainment 100 x 86/90 = 95.56, amber
-- ---------------------------------------------------------------------------
INSERT INTO kpis (organization_id, code, name, direction, unit, target, amber_tolerance, frequency_days)
SELECT organization_id, 'K1', 'Patched within 30 days', 'higher_is_better', '%', 90, 0.1, 30
FROM organizations WHERE code = 'A';
INSERT INTO kpi_measurements (kpi_id, measured_on, value)
SELECT kpi_id, d, v FROM kpis,
    (VALUES (DATE '2025-01-01', 60), ('2025-01-31', 66), ('2025-03-02', 72), ('2025-04-01', 75),
            ('2025-05-01', 81), ('2025-05-31', 81), ('2025-06-30', 84), ('2025-08-29', 86)) m(d, v)
WHERE code = 'K1';
INSERT INTO objectives (organization_id, kpi_id, title, owner, set_on, due_on)
SELECT organization_id, kpi_id, t, 'CISO', DATE '2024-12-01', d FROM kpis,
    (VALUES ('O-early', DATE '2025-02-15'), ('O-late', DATE '2025-07-30')) o(t, d)
WHERE code = 'K1';

SELECT s.measured_on, s.value, round(s.attainment_pct::numeric, 2) AS attain, s.status, s.trend_points AS n,
       round(s.trend_per_day::numeric, 6) AS per_day, round(s.trend_per_period::numeric, 4) AS per_period,
       round(s.trend_value::numeric, 4) AS trend_value, o.title AS objective, s.due_on, round(s.forecast_at_due::numeric, 4) AS forecast, s.on_track
FROM kpi_series s LEFT JOIN objectives o USING (objective_id)
WHERE s.kpi = 'K1' ORDER BY s.measured_on;

-- kpi_trend over 2025-01-01 .. 2025-03-02: 3 points (60, 66, 72), slope 0.2, line at x 60 = 72
SELECT points, first_value, last_value, round(trend_per_day::numeric, 6) AS per_day,
       round(forecast_at_to::numeric, 4) AS at_to
FROM kpis k, kpi_trend(k.kpi_id, '2025-01-01', '2025-03-02') WHERE k.code = 'K1';

-- ---------------------------------------------------------------------------
-- Risk history. Default 4 x 4 matrix (levels low 0, medium 1, high 2, critical 3), tolerance medium.
--   R1 opened 2025-01-10: L4 I4 (16, critical 3), controls 0: residual 16, critical, outside
--   R2 opened 2025-01-20: L2 I2 (4, medium 1), controls 0.5: residual 2, low 0 (cells <= 2 are low), within
--   R3 opened 2025-02-05: L3 I3 (9, critical 3), controls 0: residual 9, critical, outside
--   R1 re-rated (dated 2025-03-15): controls 0.75: residual 4, medium 1 (highest cell <= 4), within
--   R3 closed (deleted, dated 2025-03-20)
-- Month ends:   open  outside  opened  closed   inherent by rank     residual by rank
--   2025-01     2     1        2       0        medium 1, crit 1    low 1, crit 1
--   2025-02     3     2        1       0        medium 1, crit 2    low 1, crit 2
--   2025-03     2     0        0       1        medium 1, crit 1    low 1, medium 1
--   2025-04..   2     0        0       0        (as March)
-- ---------------------------------------------------------------------------
INSERT INTO risks (organization_id, title, likelihood, impact, control_effectiveness, identified_on)
SELECT organization_id, t, l, i, ce, d FROM organizations,
    (VALUES ('R1', 4, 4, 0.0, DATE '2025-01-10'), ('R2', 2, 2, 0.5, '2025-01-20'), ('R3', 3, 3, 0.0, '2025-02-05')) r(t, l, i, ce, d)
WHERE code = 'A';
UPDATE risks SET owner = 'CISO' WHERE title = 'R2';              -- not a rating change: nothing recorded
UPDATE risks SET control_effectiveness = 0.75 WHERE title = 'R1';
UPDATE risk_rating_changes SET changed_on = '2025-03-15' WHERE title = 'R1' AND event = 'rated';
DELETE FROM risks WHERE title = 'R3';
UPDATE risk_rating_changes SET changed_on = '2025-03-20' WHERE title = 'R3' AND event = 'closed';

SELECT title, event, changed_on, likelihood AS l, impact AS i, control_effectiveness AS ce, inherent_level,
       residual_score, residual_level_rank AS res_rank, within_tolerance
FROM risk_rating_changes ORDER BY change_id;

SELECT month, month_end, open_risks, outside_tolerance, opened, closed,
       string_agg(level || ' ' || inherent_risks || '/' || residual_risks, ', ' ORDER BY level_rank) AS "level inherent/residual"
FROM risk_history WHERE organization = 'A' AND month <= '2025-04-01'
GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY month;
-- one row per level (4) and month from 2025-01 to the current month
SELECT count(*) = 4 * (12 * (date_part('year', CURRENT_DATE) - 2025) + date_part('month', CURRENT_DATE)) AS every_month,
       max(month) = date_trunc('month', CURRENT_DATE)::date AS up_to_this_month
FROM risk_history WHERE organization = 'A';

-- risk_changes over 2025-02-01 .. 2025-03-31: opened R3, closed R3, re-rated R1; open at the
-- end R1, R2, none outside tolerance.  Over 2025-01-01 .. 2025-02-28: opened 3, open 3, outside 2.
SELECT opened, closed, open_risks, outside_tolerance, rerated
FROM organizations o, risk_changes(o.organization_id, '2025-02-01', '2025-03-31') WHERE o.code = 'A';
SELECT opened, closed, open_risks, outside_tolerance, rerated
FROM organizations o, risk_changes(o.organization_id, '2025-01-01', '2025-02-28') WHERE o.code = 'A';

-- Deleting the organization takes its risks and their history (the trigger records no closing).
INSERT INTO organizations (code, name, core_business, size_band) VALUES ('Z', 'Org Z', 'regulated', 'small');
INSERT INTO risks (organization_id, title, likelihood, impact)
SELECT organization_id, 'Z1', 1, 1 FROM organizations WHERE code = 'Z';
SELECT count(*) AS z_history FROM risk_rating_changes WHERE title = 'Z1';    -- 1 (opened)
DELETE FROM organizations WHERE code = 'Z';
SELECT count(*) AS z_history_after FROM risk_rating_changes WHERE title = 'Z1';    -- 0

-- A risk stored past risks_check (triggers disabled), off the 4 x 4 matrix at likelihood 5,
-- is recorded without levels and can still be closed: opened and closed rows, levels NULL,
-- residual 5 x 4 x (1 - 0) = 20.
ALTER TABLE risks DISABLE TRIGGER risks_check;
INSERT INTO risks (organization_id, title, likelihood, impact, identified_on)
SELECT organization_id, 'R-off', 5, 4, DATE '2025-04-02' FROM organizations WHERE code = 'A';
ALTER TABLE risks ENABLE TRIGGER risks_check;
DELETE FROM risks WHERE title = 'R-off';
SELECT title, event, likelihood AS l, impact AS i, inherent_level, inherent_level_rank, residual_score,
       residual_level_rank, within_tolerance
FROM risk_rating_changes WHERE title = 'R-off' ORDER BY change_id;

-- ---------------------------------------------------------------------------
-- Incidents: months without incidents are zero rows.
--   I1 2025-01-10 08:00, detected 10:00 (2 h), reported 2025-01-11 09:00 (23 h after detection:
--      within 24 h), resolved 20:00 (12 h), severity 3
--   I2 2025-03-05 00:00, detected 06:00 (6 h), reported 2025-03-06 07:00 (25 h: not within),
--      resolved 2025-03-06 00:00 (24 h), severity 1
--   2025-01: 1, severe 1, MTTD 2, MTTR 12, within 24 h 100 %
--   2025-02: 0, severe 0, the rest NULL
--   2025-03: 1, severe 0, MTTD 6, MTTR 24, within 24 h 0 %
-- ---------------------------------------------------------------------------
INSERT INTO incidents (organization_id, title, occurred_at, detected_at, reported_at, resolved_at, severity)
SELECT organization_id, t, o, d, r, s, sev FROM organizations,
    (VALUES ('I1', TIMESTAMPTZ '2025-01-10 08:00+00', TIMESTAMPTZ '2025-01-10 10:00+00', TIMESTAMPTZ '2025-01-11 09:00+00',
             TIMESTAMPTZ '2025-01-10 20:00+00', 3),
            ('I2', '2025-03-05 00:00+00', '2025-03-05 06:00+00', '2025-03-06 07:00+00', '2025-03-06 00:00+00', 1)) i(t, o, d, r, s, sev)
WHERE code = 'A';
SELECT month, incidents, severe_incidents, mttd_hours, mttr_hours, reported_within_24h_pct
FROM incident_metrics_monthly WHERE organization = 'A' AND month <= '2025-04-01' ORDER BY month;
SELECT count(*) = 12 * (date_part('year', CURRENT_DATE) - 2025) + date_part('month', CURRENT_DATE) AS every_month,
       sum(incidents) AS incidents
FROM incident_metrics_monthly WHERE organization = 'A';

-- incident_metrics over 2025-01-01 .. 2025-03-31: 2 incidents, 1 severe, MTTD (2 + 6)/2 = 4,
-- MTTR (12 + 24)/2 = 18, within 24 h 1 of 2 = 50 %.  Over 2025-01-11 .. 2025-03-05: only I2
-- (the window's last day is included).
SELECT i.* FROM organizations o, incident_metrics(o.organization_id, '2025-01-01', '2025-03-31') i WHERE o.code = 'A';
SELECT i.* FROM organizations o, incident_metrics(o.organization_id, '2025-01-11', '2025-03-05') i WHERE o.code = 'A';

ROLLBACK;
