-- Model rows as 0.3.0 stored them: a framework, two organizations with assessments and
-- answers, a risk, a KPI with measurements, an incident.
SET search_path = ismseval, public;
INSERT INTO frameworks (code, name, scale_min, scale_max, default_target) VALUES ('UPG', 'Upgrade framework', 1, 4, 3);
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT framework_id, 'D1', 'Domain 1', 1 FROM frameworks WHERE code = 'UPG';
INSERT INTO questions (framework_id, domain_id, code, text)
SELECT framework_id, domain_id, 'Q1', 'Question 1' FROM control_domains WHERE code = 'D1';
INSERT INTO organizations (code, name, core_business, size_band) VALUES
    ('upg', 'Upgrade Ltd', 'regulated', 'small'), ('upg2', 'Upgrade Two', 'regulated', 'small');
INSERT INTO assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, DATE '2026-01-10' FROM organizations o, frameworks f WHERE f.code = 'UPG';
INSERT INTO answers (assessment_id, question_id, score)
SELECT a.assessment_id, q.question_id, CASE o.code WHEN 'upg' THEN 2 ELSE 3 END
FROM assessments a JOIN organizations o USING (organization_id) JOIN questions q ON q.framework_id = a.framework_id;
INSERT INTO risks (organization_id, title, likelihood, impact, control_effectiveness, treatment)
SELECT organization_id, 'Lost laptop', 3, 2, 0.5, 'mitigate' FROM organizations WHERE code = 'upg';
INSERT INTO kpis (organization_id, code, name, direction, target, unit)
SELECT organization_id, 'K1', 'Patched hosts', 'higher_is_better', 95, '%' FROM organizations WHERE code = 'upg';
INSERT INTO kpi_measurements (kpi_id, measured_on, value)
SELECT kpi_id, d, v FROM kpis, (VALUES (DATE '2026-01-31', 90.0), (DATE '2026-02-28', 96.5)) m(d, v);
INSERT INTO incidents (organization_id, title, severity, occurred_at, detected_at, resolved_at)
SELECT organization_id, 'Phishing', 2, TIMESTAMPTZ '2026-02-01 08:00Z', TIMESTAMPTZ '2026-02-01 10:00Z',
       TIMESTAMPTZ '2026-02-02 08:00Z'
FROM organizations WHERE code = 'upg';
RESET search_path;
