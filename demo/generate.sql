-- Demo data generator (not part of the extension): ismseval_demo.generate(n_orgs, seed, as_of)
-- fills the ismseval tables with a deterministic, believable sample: organizations of the three
-- core business types and four size bands, departments (in the first 30 organizations with
-- their own assessments), two NIST CSF 2.0 self-assessments each
-- (a year apart; regulated firms stronger in governance, planning-competitive firms in protection,
-- mass-production firms in response and recovery; larger firms stronger overall), small yes/no
-- questions, assets and risks (a quarter of them re-rated), six KPIs measured for 12 months
-- (REPORT-24H computed from the incidents), objectives, incidents,
-- nonconformities and corrective actions. Dates are relative to as_of (default today), so the
-- demo reads the same whenever it runs.

CREATE SCHEMA IF NOT EXISTS ismseval_demo;

-- A standard normal deviate (Box-Muller) from the session's random() sequence.
CREATE OR REPLACE FUNCTION ismseval_demo.normal()
RETURNS double precision
LANGUAGE sql VOLATILE
RETURN sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random());

-- Picks one element of an array at random.
CREATE OR REPLACE FUNCTION ismseval_demo.pick(a text[])
RETURNS text
LANGUAGE sql VOLATILE
RETURN a[1 + floor(random() * cardinality(a))::int];

CREATE OR REPLACE FUNCTION ismseval_demo.generate(n_orgs integer DEFAULT 300, seed double precision DEFAULT 0.42,
                                                  as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE(table_name text, row_count bigint)
LANGUAGE plpgsql
SET max_parallel_workers_per_gather = 0
SET search_path = ismseval, ismseval_demo, public
AS
$$
BEGIN
    PERFORM setseed(seed);

    -- Organizations; the first one is the showcase of the demo.
    CREATE TEMP TABLE demo_org ON COMMIT DROP AS
    SELECT i,
           CASE WHEN i = 1 THEN 'regulated'
                WHEN r1 < 0.35 THEN 'regulated' WHEN r1 < 0.65 THEN 'planning-competitive'
                ELSE 'mass-production' END AS core_business,
           CASE WHEN i = 1 THEN 'large'
                WHEN r2 < 0.35 THEN 'small' WHEN r2 < 0.70 THEN 'medium' WHEN r2 < 0.90 THEN 'large'
                ELSE 'enterprise' END AS size_band,
           CASE WHEN i = 1 THEN 0.05 ELSE normal() * 0.35 END AS ability
    FROM (SELECT i, random() AS r1, random() AS r2 FROM generate_series(1, n_orgs) i) s;

    INSERT INTO organizations (code, name, core_business, industry, size_band, risk_tolerance)
    SELECT format('ORG-%s', lpad(i::text, greatest(4, length(i::text)), '0')),
           CASE WHEN i = 1 THEN 'Sakura Trust Bank'
                ELSE pick(ARRAY['Kita', 'Minami', 'Higashi', 'Nishi', 'Aoba', 'Midori', 'Hikari', 'Sora',
                                'Umi', 'Yama', 'Kawa', 'Mori', 'Hoshi', 'Tsuki', 'Kaze'])
                     || ' ' || ind || ' ' || pick(ARRAY['Co.', 'Ltd.', 'Inc.', 'Holdings', 'Group']) END,
           core_business, ind, size_band,
           CASE WHEN core_business = 'planning-competitive' AND random() < 0.5 THEN 'high' ELSE 'medium' END
    FROM (SELECT i, core_business, size_band,
                 CASE WHEN i = 1 THEN 'Finance'
                      WHEN core_business = 'regulated' THEN pick(ARRAY['Finance', 'Pharma', 'Energy', 'Telecom', 'Defence'])
                      WHEN core_business = 'planning-competitive' THEN pick(ARRAY['Games', 'Advertising', 'Design', 'Media'])
                      ELSE pick(ARRAY['Daily Goods', 'Food', 'Logistics', 'Retail', 'Facility Services']) END AS ind
          FROM demo_org ORDER BY i) s
    ORDER BY i;
    ALTER TABLE demo_org ADD COLUMN organization_id bigint;
    UPDATE demo_org d SET organization_id = o.organization_id
    FROM organizations o WHERE o.code = format('ORG-%s', lpad(d.i::text, greatest(4, length(d.i::text)), '0'));

    INSERT INTO departments (organization_id, name)
    SELECT d.organization_id, dept
    FROM demo_org d
    CROSS JOIN LATERAL unnest(ARRAY['Information Systems', 'Human Resources', 'Finance', 'Sales',
                                    'Operations', 'Research and Development', 'Legal']) WITH ORDINALITY u(dept, k)
    WHERE k <= 3 + (d.i % 5)
    ORDER BY d.i, k;

    -- Small yes/no questions: two under each NIST CSF 2.0 category.
    INSERT INTO questions (framework_id, domain_id, parent_id, code, text, display_order)
    SELECT 1, q.domain_id, q.question_id, q.code || '-Q' || k, t, q.display_order * 10 + k::int
    FROM questions q
    JOIN (VALUES
        ('GV.OC', 1, 'Is the organization''s mission, and the part security plays in it, written down?'),
        ('GV.OC', 2, 'Are legal, regulatory and contractual security requirements listed?'),
        ('GV.RM', 1, 'Has top management stated a risk appetite?'),
        ('GV.RM', 2, 'Is there a documented risk assessment method?'),
        ('GV.RR', 1, 'Is a CISO or equivalent appointed with a mandate from top management?'),
        ('GV.RR', 2, 'Are security responsibilities part of job descriptions?'),
        ('GV.PO', 1, 'Is there an information security policy approved by top management?'),
        ('GV.PO', 2, 'Is the policy reviewed at least yearly?'),
        ('GV.OV', 1, 'Does management review security results at least yearly?'),
        ('GV.OV', 2, 'Are internal audits of the ISMS carried out?'),
        ('GV.SC', 1, 'Are suppliers assessed for security before contracting?'),
        ('GV.SC', 2, 'Do contracts with suppliers include security requirements?'),
        ('ID.AM', 1, 'Is there an up-to-date inventory of hardware and software?'),
        ('ID.AM', 2, 'Are information assets classified by confidentiality?'),
        ('ID.RA', 1, 'Are vulnerabilities of systems scanned regularly?'),
        ('ID.RA', 2, 'Is threat intelligence followed (advisories, JPCERT/CC, vendors)?'),
        ('ID.IM', 1, 'Are lessons learned from incidents turned into improvements?'),
        ('ID.IM', 2, 'Are improvement actions tracked to closure?'),
        ('PR.AA', 1, 'Is multi-factor authentication used for remote and administrative access?'),
        ('PR.AA', 2, 'Are accounts of leavers removed promptly?'),
        ('PR.AT', 1, 'Does every employee take security training each year?'),
        ('PR.AT', 2, 'Are phishing drills run?'),
        ('PR.DS', 1, 'Are laptops and removable media encrypted?'),
        ('PR.DS', 2, 'Are backups taken and restore-tested?'),
        ('PR.PS', 1, 'Are critical patches applied within a set time?'),
        ('PR.PS', 2, 'Are secure configuration baselines used?'),
        ('PR.IR', 1, 'Are networks segmented by trust level?'),
        ('PR.IR', 2, 'Is capacity of key systems monitored?'),
        ('DE.CM', 1, 'Are logs of key systems collected centrally?'),
        ('DE.CM', 2, 'Is endpoint detection and response deployed?'),
        ('DE.AE', 1, 'Are alerts triaged by a named team?'),
        ('DE.AE', 2, 'Are incident declaration criteria defined?'),
        ('RS.MA', 1, 'Is there an incident response plan?'),
        ('RS.MA', 2, 'Is the plan exercised at least yearly?'),
        ('RS.AN', 1, 'Are root causes of incidents analysed?'),
        ('RS.AN', 2, 'Is evidence preserved for forensics?'),
        ('RS.CO', 1, 'Are incidents reported to management within 24 hours?'),
        ('RS.CO', 2, 'Are regulators and customers notified as required?'),
        ('RS.MI', 1, 'Can infected hosts be isolated quickly?'),
        ('RS.MI', 2, 'Are newly found vulnerabilities mitigated or accepted?'),
        ('RC.RP', 1, 'Is there a tested recovery plan for critical systems?'),
        ('RC.RP', 2, 'Are recovery time objectives defined?'),
        ('RC.CO', 1, 'Is there a communication plan for recovery?'),
        ('RC.CO', 2, 'Are stakeholders informed of recovery progress?')
    ) AS s(cat, k, t) ON s.cat = q.code
    WHERE q.framework_id = 1 AND q.scored
    ORDER BY q.question_id, k;

    -- Two assessments per organization, a year apart; the latter a little better.
    INSERT INTO assessments (organization_id, framework_id, assessed_on)
    SELECT d.organization_id, 1, as_of - (365 * (2 - n) + 30 + (d.i % 20))
    FROM demo_org d CROSS JOIN generate_series(1, 2) n
    ORDER BY d.i, n;

    INSERT INTO answers (assessment_id, question_id, score, not_applicable)
    SELECT s.assessment_id, s.question_id, s.score, s.score IS NULL
    FROM (
    SELECT a.assessment_id, q.question_id,
           CASE WHEN random() < 0.03 AND q.code NOT LIKE 'GV%' THEN NULL
                ELSE greatest(1, least(4, round(2.45 + d.ability + 0.3 * normal()
                    + CASE d.size_band WHEN 'small' THEN -0.25 WHEN 'medium' THEN 0 WHEN 'large' THEN 0.2 ELSE 0.35 END
                    + CASE WHEN a.assessed_on > as_of - 365 THEN 0.2 ELSE 0 END
                    + CASE d.core_business
                        WHEN 'regulated' THEN CASE cd.code WHEN 'GV' THEN 0.55 WHEN 'ID' THEN 0.3 WHEN 'DE' THEN 0.1 ELSE 0 END
                        WHEN 'planning-competitive' THEN CASE cd.code WHEN 'PR' THEN 0.35 WHEN 'GV' THEN -0.35 WHEN 'RC' THEN -0.2 ELSE 0 END
                        ELSE CASE cd.code WHEN 'RS' THEN 0.3 WHEN 'RC' THEN 0.45 WHEN 'GV' THEN -0.15 ELSE 0 END END
                    )))::int END AS score
    FROM demo_org d
    JOIN assessments a ON a.organization_id = d.organization_id
    JOIN questions q ON q.framework_id = 1 AND q.scored
    JOIN control_domains cd ON cd.domain_id = q.domain_id
    ORDER BY a.assessment_id, q.question_id
    ) s;

    -- Department self-assessments (the working group's case A) in the first 30 organizations:
    -- each department scores the large questions around its organization's latest score.
    INSERT INTO assessments (organization_id, department_id, framework_id, assessed_on)
    SELECT dp.organization_id, dp.department_id, 1, as_of - 45 - (dp.department_id % 20)::int
    FROM demo_org d JOIN departments dp ON dp.organization_id = d.organization_id
    WHERE d.i <= 30
    ORDER BY dp.department_id;
    INSERT INTO answers (assessment_id, question_id, score)
    SELECT da.assessment_id, oa.question_id,
           greatest(1, least(4, round(coalesce(oa.score, 2) + 0.8 * normal())))::int
    FROM assessments da
    JOIN LATERAL (SELECT a.assessment_id FROM assessments a
                  WHERE a.organization_id = da.organization_id AND a.department_id IS NULL
                  ORDER BY a.assessed_on DESC LIMIT 1) la ON true
    JOIN answers oa ON oa.assessment_id = la.assessment_id AND oa.score IS NOT NULL
    WHERE da.department_id IS NOT NULL
    ORDER BY da.assessment_id, oa.question_id;

    -- Small questions: yes more likely the better the large question is scored.
    INSERT INTO answers (assessment_id, question_id, answer_yes)
    SELECT la.assessment_id, q.question_id,
           random() < 0.08 + 0.26 * (coalesce(la.score, 2) - 1)
    FROM answers la
    JOIN questions q ON q.parent_id = la.question_id
    ORDER BY la.assessment_id, q.question_id;

    -- Assets and risks.
    INSERT INTO assets (organization_id, name, information_type, location, confidentiality, integrity, availability, owner)
    SELECT d.organization_id, a.name, a.info, a.loc,
           greatest(1, least(4, a.c + (random() < 0.3)::int - (random() < 0.2)::int)),
           greatest(1, least(4, a.ig + CASE WHEN d.core_business = 'regulated' THEN 1 ELSE 0 END - (random() < 0.3)::int)),
           greatest(1, least(4, a.av + CASE WHEN d.core_business = 'mass-production' THEN 1 ELSE 0 END - (random() < 0.3)::int)),
           a.owner
    FROM demo_org d
    CROSS JOIN (VALUES
        (1, 'Customer database', 'personal data', 'server', 4, 3, 3, 'Information Systems'),
        (2, 'Core business system', 'transactions', 'server', 3, 4, 4, 'Information Systems'),
        (3, 'Staff laptops', 'working documents', 'terminal', 3, 2, 2, 'Information Systems'),
        (4, 'Corporate network', 'communications', 'network', 2, 3, 4, 'Information Systems'),
        (5, 'Backup tapes', 'backups', 'media', 4, 3, 2, 'Operations'),
        (6, 'Smartphones', 'e-mail and contacts', 'mobile', 3, 2, 2, 'Information Systems'),
        (7, 'Contracts and HR files', 'personal data', 'paper', 4, 2, 1, 'Human Resources'),
        (8, 'Product designs', 'intellectual property', 'server', 4, 3, 2, 'Research and Development')
    ) AS a(k, name, info, loc, c, ig, av, owner)
    WHERE a.k <= 5 + (d.i % 4)
    ORDER BY d.i, a.k;

    INSERT INTO risks (organization_id, asset_id, threat_id, title, likelihood, impact, control_effectiveness,
                       treatment, owner, acceptance_expires, identified_on)
    SELECT s.organization_id, s.asset_id, s.threat_id, s.threat_name || ' - ' || s.asset_name,
           s.likelihood, s.impact, s.eff,
           CASE WHEN s.accept THEN 'accept' WHEN s.likelihood * s.impact >= 12 AND s.r < 0.1 THEN 'transfer' ELSE 'mitigate' END,
           CASE WHEN s.accept OR s.r < 0.7 THEN 'Head of ' || s.owner END,
           CASE WHEN s.accept THEN as_of + (floor(s.r * 540) - 120)::int END,
           as_of - (30 + floor(s.r * 600))::int
    FROM (
        SELECT d.organization_id, a.asset_id, a.name AS asset_name, a.owner, t.threat_id, t.name AS threat_name,
               greatest(1, least(4, round(2.3 - d.ability + 0.8 * normal())))::int AS likelihood,
               greatest(1, least(4, round(a.asset_value - 0.5 + 0.7 * normal())))::int AS impact,
               round(greatest(0, least(0.9, 0.45 + d.ability * 0.3 + 0.15 * normal()))::numeric, 2)::float8 AS eff,
               random() < 0.12 AS accept, random() AS r
        FROM demo_org d
        JOIN assets a ON a.organization_id = d.organization_id
        JOIN threats t ON t.preloaded AND t.threat_id = 1 + ((a.asset_id * 7 + d.i * 3) % 25)
        ORDER BY d.i, a.asset_id
    ) s;
    INSERT INTO risks (organization_id, asset_id, threat_id, title, likelihood, impact, control_effectiveness, owner)
    SELECT d.organization_id, a.asset_id, t.threat_id, t.name || ' - ' || a.name,
           greatest(1, least(4, round(2.6 - d.ability + 0.8 * normal())))::int,
           greatest(1, least(4, round(a.asset_value - 0.3 + 0.7 * normal())))::int,
           round(greatest(0, least(0.9, 0.4 + d.ability * 0.3 + 0.15 * normal()))::numeric, 2)::float8,
           'Head of ' || a.owner
    FROM demo_org d
    JOIN assets a ON a.organization_id = d.organization_id AND a.location IN ('server', 'terminal', 'mobile')
    JOIN threats t ON t.code = CASE a.location WHEN 'server' THEN 'IS-05' WHEN 'terminal' THEN 'IS-12' ELSE 'PH-05' END
    ORDER BY d.i, a.asset_id;

    -- Six KPIs per organization, measured monthly for 12 months (some stopped: stale).
    INSERT INTO kpis (organization_id, code, name, direction, unit, target, baseline, amber_tolerance, frequency_days, owner)
    SELECT d.organization_id, k.code, k.name, k.dir::kpi_direction, k.unit, k.target, k.baseline, k.tol, k.freq, k.owner
    FROM demo_org d
    CROSS JOIN (VALUES
        (1, 'TRAINING', 'Security training completion', 'higher_is_better', '%', 100, 70, 0.05, 30, 'Human Resources'),
        (2, 'PHISH-CLICK', 'Phishing drill click rate', 'lower_is_better', '%', 5, 20, 0.3, 30, 'CISO office'),
        (3, 'PATCH-14D', 'Critical patches applied within 14 days', 'higher_is_better', '%', 95, 60, 0.1, 30, 'Information Systems'),
        (4, 'LEAVERS-3D', 'Leaver accounts removed within 3 days', 'higher_is_better', '%', 100, 80, 0.05, 30, 'Human Resources'),
        (5, 'MISSEND', 'E-mail mis-sends', 'lower_is_better', 'count', 0, 4, 0.1, 30, 'CISO office'),
        (6, 'REPORT-24H', 'Incidents reported within 24 hours', 'higher_is_better', '%', 90, 60, 0.1, 91, 'CISO office')
    ) AS k(k, code, name, dir, unit, target, baseline, tol, freq, owner)
    ORDER BY d.i, k.k;

    INSERT INTO kpi_measurements (kpi_id, measured_on, value)
    SELECT k.kpi_id, (date_trunc('month', as_of) - make_interval(months => m - 1))::date - 1,
           round(greatest(0, CASE
               WHEN k.unit = '%' THEN least(100, k.baseline + (k.target - k.baseline)
                                       * least(1.1, (13 - m) / 12.0 * (0.7 + d.ability)) + 4 * normal())
               ELSE k.baseline * (1 - (13 - m) / 14.0 * (0.6 + d.ability)) + normal() END)::numeric, 1)::float8
    FROM demo_org d
    JOIN kpis k ON k.organization_id = d.organization_id
    CROSS JOIN generate_series(1, 12) m
    WHERE (k.frequency_days = 30 OR m % 3 = 1)
      AND NOT (m <= 3 AND (d.i + k.kpi_id) % 11 = 0)
      AND k.code <> 'REPORT-24H'        -- measured from the incidents below
    ORDER BY d.i, k.kpi_id, m;

    INSERT INTO objectives (organization_id, kpi_id, title, owner, set_on, due_on)
    SELECT k.organization_id, k.kpi_id, o.title, o.owner, as_of - 300, as_of + o.due
    FROM demo_org d
    JOIN kpis k ON k.organization_id = d.organization_id
    JOIN (VALUES
        ('TRAINING', 'Every employee completes security training', 'Head of Human Resources', 60),
        ('PHISH-CLICK', 'Phishing click rate at or below 5 %', 'CISO', -15),
        ('PATCH-14D', '95 % of critical patches within 14 days', 'Head of Information Systems', 150),
        ('MISSEND', 'Zero e-mail mis-sends', 'CISO', -40)
    ) AS o(code, title, owner, due) ON o.code = k.code
    ORDER BY d.i, k.kpi_id;

    -- Incidents over the last 12 months: stronger organizations detect and recover faster.
    INSERT INTO incidents (organization_id, title, category, occurred_at, detected_at, reported_at, resolved_at,
                           severity, leakage_risk)
    SELECT s.organization_id, s.cat, s.cat, s.occ, s.occ + s.ttd, s.occ + s.ttd + s.trep, s.occ + s.ttd + s.tres,
           s.sev, s.leak
    FROM (
        SELECT d.organization_id, d.i, n,
               pick(ARRAY['Malware infection', 'Phishing', 'Lost device', 'E-mail mis-send', 'Unauthorised access',
                          'System outage', 'Misconfiguration']) AS cat,
               (as_of - (random() * 360)::int)::timestamptz + make_interval(hours => (random() * 24)::int) AS occ,
               make_interval(hours => (exp(2.5 - 1.5 * d.ability + normal()))::int) AS ttd,
               make_interval(hours => (exp(2.0 - d.ability + 1.2 * normal()))::int) AS trep,
               make_interval(hours => (exp(3.5 - d.ability + normal()))::int) AS tres,
               greatest(1, least(4, round(1.8 + 0.9 * normal())))::int AS sev,
               greatest(1, least(4, round(1.6 + 0.9 * normal())))::int AS leak
        FROM demo_org d
        CROSS JOIN generate_series(1, 12) n
        WHERE n <= CASE d.size_band WHEN 'small' THEN 3 WHEN 'medium' THEN 5 WHEN 'large' THEN 8 ELSE 12 END
                   - round(d.ability * 4)
    ) s
    ORDER BY s.i, s.n;

    -- REPORT-24H is measured from the incidents themselves, so that the KPI and the incident
    -- views agree: each quarter's value is incident_metrics over the 91 days up to the
    -- measurement date (no value for a quarter without a detected incident).
    INSERT INTO kpi_measurements (kpi_id, measured_on, value)
    SELECT k.kpi_id, x.md, round(im.reported_within_24h_pct::numeric, 1)::float8
    FROM demo_org d
    JOIN kpis k ON k.organization_id = d.organization_id AND k.code = 'REPORT-24H'
    CROSS JOIN generate_series(1, 12) m
    CROSS JOIN LATERAL (SELECT (date_trunc('month', as_of) - make_interval(months => m - 1))::date - 1 AS md) x
    CROSS JOIN LATERAL incident_metrics(d.organization_id, x.md - 90, x.md) im
    WHERE m % 3 = 1 AND im.reported_within_24h_pct IS NOT NULL
    ORDER BY d.i, m;

    -- Risks keep a dated history of their ratings (risk_rating_changes, written by a trigger):
    -- every fourth risk had its controls improved halfway between being identified and as_of.
    UPDATE risks r SET control_effectiveness = least(0.95, r.control_effectiveness + 0.25)
    FROM demo_org d WHERE r.organization_id = d.organization_id AND r.risk_id % 4 = 0;
    UPDATE risk_rating_changes c SET changed_on = r.identified_on + (as_of - r.identified_on) / 2
    FROM risks r JOIN demo_org d ON d.organization_id = r.organization_id
    WHERE c.risk_id = r.risk_id AND c.event = 'rated';

    INSERT INTO nonconformities (organization_id, source, description, severity, owner, raised_on, due_on, closed_on)
    SELECT d.organization_id, nc.source, nc.description, nc.severity, nc.owner,
           as_of - nc.age, as_of - nc.age + 90,
           CASE WHEN nc.age > 150 OR (d.i + nc.k) % 3 = 0 THEN as_of - nc.age + 60 END
    FROM demo_org d
    CROSS JOIN (VALUES
        (1, 'internal-audit', 'Access rights not reviewed for two quarters', 'minor', 'Head of Information Systems', 200),
        (2, 'incident', 'Backup restore not tested before the outage', 'major', 'Head of Operations', 120),
        (3, 'monitoring', 'Phishing click rate above objective', 'minor', 'CISO', 75),
        (4, 'external-audit', 'Supplier contracts lack security clauses', 'minor', 'Head of Legal', 40)
    ) AS nc(k, source, description, severity, owner, age)
    WHERE nc.k <= 2 + (d.i % 3)
    ORDER BY d.i, nc.k;

    INSERT INTO corrective_actions (organization_id, nonconformity_id, description, owner, opened_on, due_on, closed_on)
    SELECT n.organization_id, n.nonconformity_id, 'Correct: ' || lower(n.description), n.owner, n.raised_on,
           n.raised_on + 60, n.closed_on
    FROM nonconformities n JOIN demo_org d ON d.organization_id = n.organization_id
    ORDER BY n.nonconformity_id;

    RETURN QUERY
    SELECT t.tn, t.cnt FROM (VALUES
        ('organizations', (SELECT count(*) FROM organizations)),
        ('departments', (SELECT count(*) FROM departments)),
        ('assessments', (SELECT count(*) FROM assessments)),
        ('answers', (SELECT count(*) FROM answers)),
        ('assets', (SELECT count(*) FROM assets)),
        ('risks', (SELECT count(*) FROM risks)),
        ('kpis', (SELECT count(*) FROM kpis)),
        ('kpi_measurements', (SELECT count(*) FROM kpi_measurements)),
        ('objectives', (SELECT count(*) FROM objectives)),
        ('incidents', (SELECT count(*) FROM incidents)),
        ('nonconformities', (SELECT count(*) FROM nonconformities)),
        ('corrective_actions', (SELECT count(*) FROM corrective_actions))
    ) AS t(tn, cnt);
END
$$;
