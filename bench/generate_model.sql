-- Deterministic benchmark data for the data model (workload 6, the dashboard views):
-- :orgs organizations in 12 peer groups (3 core businesses x 4 size bands, evenly), each with
-- one organization-wide assessment of the bench framework BENCH-100 (100 large questions over
-- the 6 NIST CSF 2.0 functions, so 100 answers per organization: 10 million at 100k), and in
-- proportion 5 assets, 10 risks, 4 KPIs measured monthly for 12 months, 2 objectives,
-- 6 incidents in the last 12 months, 2 nonconformities with a corrective action each, and
-- a domain target for every tenth organization.
-- Every fourth organization (i % 4 = 0, the one the dashboards look at included) also has an
-- assessment of BENCH-PCT, a framework of 0-100 scores shaped like an imported catalogue: a
-- tree of depth 3, 5 functions (not assessable) over 20 categories (the control domains,
-- domain_level 2) over 100 assessable requirements, 5 per category; its 100 answers are about
-- 82 % scores, 10 % results only (compliant, partially compliant, non-compliant), 3 % not
-- assessed and 5 % not applicable (2.5 million answers at 100k).
-- Organization :orgs / 2 + 1 (next to the one the dashboards look at) answers only 40 of its
-- BENCH-100 questions: below the minimum coverage of 50 %, no release holds it, and its
-- dashboard shows its group's figures (in_peer_release false), the path of a newcomer.
--
-- Why a bench framework: the preloaded NIST CSF 2.0 has 22 large questions (plus whatever
-- small yes/no questions a user adds), not 100. BENCH-100 keeps one assessment per
-- organization with 100 scored answers, the shape of the other workloads.
--
-- Set-based and fast: the rows are inserted in key order with session_replication_role =
-- replica, which skips the per-row triggers (answers_check, risks_check and the foreign-key
-- triggers). CHECK constraints still apply, and the rows are made to satisfy every trigger
-- rule too; the checks at the end count any row that breaks a trigger or foreign-key rule
-- and stop the load if there is one. Same :orgs, same rows (setseed, explicit keys); dates
-- are relative to CURRENT_DATE, as in the demo, so the 12-month figures stay filled.
-- Run with psql -v orgs=N, as a superuser.
\set ON_ERROR_STOP 1
-- A fresh extension: the quickest way to empty every model table (organizations cannot be
-- truncated without the threats that reference it, preloaded ones included).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ismseval CASCADE;
RESET client_min_messages;
CREATE EXTENSION ismseval;
SET search_path = ismseval, public;
SET max_parallel_workers_per_gather = 0;    -- random() keeps one sequence
SELECT setseed(0.17);

-- The bench framework.
INSERT INTO frameworks (code, name, version, scale_min, scale_max, default_target)
VALUES ('BENCH-100', 'Benchmark questionnaire (100 large questions on the NIST CSF 2.0 functions)', '1', 1, 4, 3);
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT f.framework_id, d.code, d.name, d.k
FROM frameworks f
CROSS JOIN (VALUES (1, 'GV', 'Govern'), (2, 'ID', 'Identify'), (3, 'PR', 'Protect'),
                   (4, 'DE', 'Detect'), (5, 'RS', 'Respond'), (6, 'RC', 'Recover')) d(k, code, name)
WHERE f.code = 'BENCH-100'
ORDER BY d.k;
INSERT INTO questions (framework_id, domain_id, code, text, display_order)
SELECT f.framework_id, d.domain_id, d.code || '-' || lpad(q::text, 3, '0'),
       'Bench question ' || q || ' of ' || d.name, q
FROM frameworks f
CROSS JOIN generate_series(0, 99) q
JOIN control_domains d ON d.framework_id = f.framework_id AND d.display_order = 1 + q % 6
WHERE f.code = 'BENCH-100'
ORDER BY q;

-- The 0-100 framework: functions P1-P5 (depth 1), categories P1.1-P5.4 (depth 2, the control
-- domains), requirements P1.1.1-P5.4.5 (depth 3, scored).
INSERT INTO frameworks (code, name, version, scale_min, scale_max, default_target, domain_level)
VALUES ('BENCH-PCT', 'Benchmark requirements (0-100: 5 functions, 20 categories, 100 requirements)', '1', 0, 100, 70, 2);
INSERT INTO questions (framework_id, code, text, display_order, assessable)
SELECT f.framework_id, 'P' || k, 'Bench function ' || k, k, false
FROM frameworks f CROSS JOIN generate_series(1, 5) k WHERE f.code = 'BENCH-PCT' ORDER BY k;
INSERT INTO control_domains (framework_id, code, name, display_order)
SELECT f.framework_id, 'P' || (1 + (c - 1) / 4) || '.' || (1 + (c - 1) % 4), 'Bench category ' || c, c
FROM frameworks f CROSS JOIN generate_series(1, 20) c WHERE f.code = 'BENCH-PCT' ORDER BY c;
INSERT INTO questions (framework_id, domain_id, parent_id, code, text, display_order, assessable)
SELECT d.framework_id, d.domain_id, p.question_id, d.code, d.name, 10 + d.display_order, false
FROM control_domains d
JOIN frameworks f ON f.framework_id = d.framework_id AND f.code = 'BENCH-PCT'
JOIN questions p ON p.framework_id = d.framework_id AND p.code = split_part(d.code, '.', 1)
ORDER BY d.display_order;
INSERT INTO questions (framework_id, domain_id, parent_id, code, text, display_order)
SELECT c.framework_id, c.domain_id, c.question_id, c.code || '.' || r, 'Bench requirement ' || r || ' of ' || c.code,
       100 + 5 * (c.display_order - 11) + r
FROM questions c
JOIN frameworks f ON f.framework_id = c.framework_id AND f.code = 'BENCH-PCT'
CROSS JOIN generate_series(1, 5) r
WHERE c.depth = 2
ORDER BY c.display_order, r;

SET session_replication_role = replica;

CREATE TEMP TABLE bo AS
SELECT i, (ARRAY['regulated', 'planning-competitive', 'mass-production'])[1 + i % 3] AS core_business,
       (ARRAY['small', 'medium', 'large', 'enterprise'])[1 + (i / 3) % 4] AS size_band,
       1.6 + 2.0 * random() AS skill
FROM generate_series(1, :orgs) i;

INSERT INTO organizations (organization_id, code, name, core_business, industry, size_band, risk_tolerance)
SELECT i, 'B' || lpad(i::text, 6, '0'), 'Bench organization ' || i, core_business, 'Bench', size_band,
       CASE WHEN i % 4 = 0 THEN 'high' ELSE 'medium' END
FROM bo ORDER BY i;

INSERT INTO assessments (assessment_id, organization_id, framework_id, assessed_on)
SELECT i, i, f.framework_id, CURRENT_DATE - 30 - i % 60
FROM bo, frameworks f WHERE f.code = 'BENCH-100' ORDER BY i;

-- 100 answers each: a score 1-4 around the organization's skill, about 5% not applicable.
INSERT INTO answers (assessment_id, question_id, score, not_applicable, result)
SELECT s.i, s.question_id, s.score, s.score IS NULL, CASE WHEN s.score IS NULL THEN 'not_applicable' END
FROM (SELECT bo.i, q.question_id,
             CASE WHEN random() < 0.05 THEN NULL
                  ELSE least(4, greatest(1, round(bo.skill + random() * 1.6 - 0.8)))::int END AS score
      FROM bo CROSS JOIN (SELECT question_id FROM questions q JOIN frameworks f USING (framework_id)
                          WHERE f.code = 'BENCH-100') q
      ORDER BY bo.i, q.question_id) s;
-- The organization next to the dashboards' one leaves 60 questions unanswered (coverage about 40 %).
DELETE FROM answers an USING questions q
WHERE an.assessment_id = :orgs / 2 + 1 AND q.question_id = an.question_id AND q.display_order >= 40;

-- BENCH-PCT for every fourth organization (assessments :orgs + 1, ...): scores 0-100 around the
-- skill (1.6-3.6 on BENCH-100's 1-4, here 20-87), results only, not assessed, not applicable.
INSERT INTO assessments (assessment_id, organization_id, framework_id, assessed_on)
SELECT :orgs + bo.i / 4, bo.i, f.framework_id, CURRENT_DATE - 20 - bo.i % 60
FROM bo, frameworks f WHERE f.code = 'BENCH-PCT' AND bo.i % 4 = 0 ORDER BY bo.i;
INSERT INTO answers (assessment_id, question_id, score, not_applicable, result)
SELECT :orgs + s.i / 4, s.question_id,
       CASE WHEN s.r >= 0.18 THEN least(100, greatest(0, round(100 * (s.skill - 1) / 3 + s.noise)))::int END,
       s.r < 0.05,
       CASE WHEN s.r < 0.05 THEN 'not_applicable'
            WHEN s.r < 0.15 THEN CASE WHEN s.noise < -10 THEN 'non_compliant' WHEN s.noise < 10 THEN 'partially_compliant'
                                      ELSE 'compliant' END
            WHEN s.r < 0.18 THEN 'not_assessed' END
FROM (SELECT bo.i, bo.skill, q.question_id, random() AS r, random() * 40 - 20 AS noise
      FROM bo CROSS JOIN (SELECT question_id FROM questions q JOIN frameworks f USING (framework_id)
                          WHERE f.code = 'BENCH-PCT' AND q.scored) q
      WHERE bo.i % 4 = 0
      ORDER BY bo.i, q.question_id) s;

INSERT INTO maturity_targets (organization_id, domain_id, target)
SELECT bo.i, d.domain_id, 3.5
FROM bo JOIN frameworks f ON f.code = 'BENCH-100'
JOIN control_domains d ON d.framework_id = f.framework_id AND d.code = 'GV'
WHERE bo.i % 10 = 0 ORDER BY bo.i;

INSERT INTO assets (asset_id, organization_id, name, information_type, location, confidentiality, integrity,
                    availability, owner)
SELECT (bo.i - 1) * 5 + a.k, bo.i, a.name, a.info, a.loc, a.c, a.ig, a.av, 'Information Systems'
FROM bo CROSS JOIN (VALUES
    (1, 'Customer database', 'personal data', 'server', 4, 3, 3),
    (2, 'Core business system', 'transactions', 'server', 3, 4, 4),
    (3, 'Staff laptops', 'working documents', 'terminal', 3, 2, 2),
    (4, 'Corporate network', 'communications', 'network', 2, 3, 4),
    (5, 'Backup tapes', 'backups', 'media', 4, 3, 2)) a(k, name, info, loc, c, ig, av)
ORDER BY bo.i, a.k;

-- 10 risks each, 2 per asset, on the 4 x 4 default matrix; every eighth one accepted.
INSERT INTO risks (risk_id, organization_id, asset_id, threat_id, title, likelihood, impact,
                   control_effectiveness, treatment, owner, acceptance_expires, identified_on)
SELECT (s.i - 1) * 10 + s.r, s.i, (s.i - 1) * 5 + 1 + (s.r - 1) / 2, 1 + (s.i * 7 + s.r * 3) % 25,
       'Bench risk ' || s.r, s.lik, s.imp, s.eff,
       CASE WHEN s.r % 8 = 0 THEN 'accept' ELSE 'mitigate' END,
       CASE WHEN s.r % 8 = 0 OR s.r % 3 = 0 THEN 'Head of Information Systems' END,
       CASE WHEN s.r % 8 = 0 THEN CURRENT_DATE + (s.i % 400) - 100 END,
       CURRENT_DATE - 30 - s.i % 500
FROM (SELECT bo.i, r, 1 + floor(random() * 4)::int AS lik, 1 + floor(random() * 4)::int AS imp,
             round((random() * 0.9)::numeric, 2)::double precision AS eff
      FROM bo CROSS JOIN generate_series(1, 10) r ORDER BY bo.i, r) s;

INSERT INTO kpis (kpi_id, organization_id, code, name, direction, unit, target, baseline, amber_tolerance,
                  frequency_days, owner)
SELECT (bo.i - 1) * 4 + k.k, bo.i, k.code, k.name, k.dir::kpi_direction, k.unit, k.target, k.baseline, 0.1, 30, 'CISO'
FROM bo CROSS JOIN (VALUES
    (1, 'TRAINING', 'Security training completion', 'higher_is_better', '%', 100, 70),
    (2, 'PHISH-CLICK', 'Phishing drill click rate', 'lower_is_better', '%', 5, 20),
    (3, 'PATCH-14D', 'Critical patches applied within 14 days', 'higher_is_better', '%', 95, 60),
    (4, 'MISSEND', 'E-mail mis-sends', 'lower_is_better', 'count', 0, 4)) k(k, code, name, dir, unit, target, baseline)
ORDER BY bo.i, k.k;

INSERT INTO kpi_measurements (kpi_id, measured_on, value)
SELECT k.kpi_id, (date_trunc('month', CURRENT_DATE) - make_interval(months => m - 1))::date - 1,
       round(greatest(0, k.baseline + (k.target - k.baseline) * (13 - m) / 12.0 * random() * 1.2)::numeric, 1)::float8
FROM kpis k CROSS JOIN generate_series(1, 12) m
ORDER BY k.kpi_id, m;

INSERT INTO objectives (organization_id, kpi_id, title, owner, set_on, due_on)
SELECT k.organization_id, k.kpi_id, 'Objective on ' || k.code, 'CISO', CURRENT_DATE - 300,
       CURRENT_DATE + CASE WHEN k.code = 'TRAINING' THEN 60 ELSE -15 END
FROM kpis k WHERE k.code IN ('TRAINING', 'PHISH-CLICK') ORDER BY k.kpi_id;

-- 6 incidents each over the last 12 months; times never run backwards.
INSERT INTO incidents (incident_id, organization_id, title, category, occurred_at, detected_at, reported_at,
                       resolved_at, severity, leakage_risk)
SELECT (s.i - 1) * 6 + s.n, s.i, 'Bench incident ' || s.n, 'Malware infection', s.occ, s.occ + s.ttd,
       s.occ + s.ttd + s.trep, s.occ + s.ttd + s.tres, s.sev, s.leak
FROM (SELECT bo.i, n,
             (CURRENT_DATE - (random() * 360)::int)::timestamptz AS occ,
             make_interval(hours => (random() * 72)::int) AS ttd,
             make_interval(hours => (random() * 48)::int) AS trep,
             make_interval(hours => (random() * 200)::int) AS tres,
             1 + floor(random() * 4)::int AS sev, 1 + floor(random() * 4)::int AS leak
      FROM bo CROSS JOIN generate_series(1, 6) n ORDER BY bo.i, n) s;

INSERT INTO nonconformities (nonconformity_id, organization_id, source, description, severity, owner,
                             raised_on, due_on, closed_on)
SELECT (bo.i - 1) * 2 + k, bo.i, 'internal-audit', 'Bench nonconformity ' || k, 'minor', 'CISO',
       CURRENT_DATE - 100 * k, CURRENT_DATE - 100 * k + 90,
       CASE WHEN (bo.i + k) % 3 = 0 THEN CURRENT_DATE - 100 * k + 60 END
FROM bo CROSS JOIN generate_series(1, 2) k ORDER BY bo.i, k;

INSERT INTO corrective_actions (organization_id, nonconformity_id, description, owner, opened_on, due_on, closed_on)
SELECT n.organization_id, n.nonconformity_id, 'Correct: ' || n.description, n.owner, n.raised_on,
       n.raised_on + 60, n.closed_on
FROM nonconformities n ORDER BY n.nonconformity_id;

SET session_replication_role = origin;
SELECT setval('organizations_organization_id_seq', :orgs),
       setval('assessments_assessment_id_seq', :orgs + :orgs / 4),
       setval('assets_asset_id_seq', :orgs * 5),
       setval('risks_risk_id_seq', :orgs * 10),
       setval('kpis_kpi_id_seq', :orgs * 4),
       setval('incidents_incident_id_seq', :orgs * 6),
       setval('nonconformities_nonconformity_id_seq', :orgs * 2);

-- The rules the skipped triggers enforce, checked set-based over every row.
DO $$
DECLARE
    bad bigint;
BEGIN
    SELECT count(*) INTO bad
    FROM answers an
    LEFT JOIN questions q USING (question_id)
    LEFT JOIN assessments a USING (assessment_id)
    LEFT JOIN frameworks f ON f.framework_id = a.framework_id
    WHERE q.question_id IS NULL OR a.assessment_id IS NULL OR q.framework_id <> a.framework_id
       OR NOT q.assessable OR an.not_applicable <> (an.result IS NOT DISTINCT FROM 'not_applicable')
       OR (an.not_applicable AND (an.score IS NOT NULL OR an.answer_yes IS NOT NULL))
       OR (NOT an.not_applicable AND q.scored
           AND (an.answer_yes IS NOT NULL OR (an.score IS NULL AND an.result IS NULL)
                OR an.score NOT BETWEEN f.scale_min AND f.scale_max
                OR (an.score IS NOT NULL AND (an.result = 'not_assessed'
                                              OR an.result = 'compliant' AND an.score = f.scale_min
                                              OR an.result = 'non_compliant' AND an.score = f.scale_max))))
       OR (NOT an.not_applicable AND NOT q.scored AND (an.score IS NOT NULL OR an.answer_yes IS NULL));
    IF bad > 0 THEN RAISE EXCEPTION 'bench data: % answers break answers_check or a foreign key', bad; END IF;
    SELECT count(*) INTO bad
    FROM risks r LEFT JOIN organizations o USING (organization_id)
    LEFT JOIN assets s ON (s.organization_id, s.asset_id) = (r.organization_id, r.asset_id)
    LEFT JOIN threats t ON t.threat_id = r.threat_id
    WHERE o.organization_id IS NULL OR (r.asset_id IS NOT NULL AND s.asset_id IS NULL)
       OR (r.threat_id IS NOT NULL AND (t.threat_id IS NULL OR t.organization_id <> r.organization_id))
       OR r.likelihood NOT BETWEEN 1 AND risk_matrix_likelihood_size(o.risk_matrix)
       OR r.impact NOT BETWEEN 1 AND risk_matrix_impact_size(o.risk_matrix);
    IF bad > 0 THEN RAISE EXCEPTION 'bench data: % risks break risks_check or a foreign key', bad; END IF;
    SELECT (SELECT count(*) FROM assessments a WHERE NOT EXISTS
                (SELECT FROM organizations o WHERE o.organization_id = a.organization_id)
                OR NOT EXISTS (SELECT FROM frameworks f WHERE f.framework_id = a.framework_id))
         + (SELECT count(*) FROM assets a WHERE NOT EXISTS
                (SELECT FROM organizations o WHERE o.organization_id = a.organization_id))
         + (SELECT count(*) FROM maturity_targets m JOIN control_domains d USING (domain_id)
                JOIN frameworks f USING (framework_id)
            WHERE m.target NOT BETWEEN f.scale_min AND f.scale_max
               OR NOT EXISTS (SELECT FROM organizations o WHERE o.organization_id = m.organization_id))
         + (SELECT count(*) FROM kpis k WHERE NOT EXISTS
                (SELECT FROM organizations o WHERE o.organization_id = k.organization_id))
         + (SELECT count(*) FROM kpi_measurements m WHERE NOT EXISTS
                (SELECT FROM kpis k WHERE k.kpi_id = m.kpi_id))
         + (SELECT count(*) FROM objectives b WHERE NOT EXISTS
                (SELECT FROM kpis k WHERE (k.organization_id, k.kpi_id) = (b.organization_id, b.kpi_id)))
         + (SELECT count(*) FROM incidents i WHERE NOT EXISTS
                (SELECT FROM organizations o WHERE o.organization_id = i.organization_id))
         + (SELECT count(*) FROM nonconformities n WHERE NOT EXISTS
                (SELECT FROM organizations o WHERE o.organization_id = n.organization_id))
         + (SELECT count(*) FROM corrective_actions c WHERE NOT EXISTS
                (SELECT FROM nonconformities n
                 WHERE (n.organization_id, n.nonconformity_id) = (c.organization_id, c.nonconformity_id)))
      INTO bad;
    IF bad > 0 THEN RAISE EXCEPTION 'bench data: % rows break a foreign key', bad; END IF;
END $$;

VACUUM ANALYZE organizations, assessments, answers, maturity_targets, assets, risks, kpis, kpi_measurements,
               objectives, incidents, nonconformities, corrective_actions, questions, control_domains, frameworks;

-- The dashboards read the peer figures of the latest release.
SELECT ismseval.release_peer_figures('bench data') AS release_id;
