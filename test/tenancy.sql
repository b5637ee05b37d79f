-- pgTAP: tenants. Two tenant roles with overlapping peer groups, an administrator
-- and a role mapped to nothing. Every test here fails if the protection it names
-- is removed (the policy, the grant, the floor on hidden peers, the pinned
-- search_path, the access check of the peer functions).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(172);

-- ---------------------------------------------------------------------------
-- Roles: tenant_alpha and tenant_beta are per-customer group roles; alice and bob
-- their users (inheriting), ada an administrator (not a superuser), mallory a
-- tenant mapped to nothing.
-- ---------------------------------------------------------------------------
CREATE ROLE tenant_alpha NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE tenant_beta NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE alice IN ROLE tenant_alpha;
CREATE ROLE bob IN ROLE tenant_beta;
CREATE ROLE mallory IN ROLE ismseval_tenant;
CREATE ROLE ada IN ROLE ismseval_admin;

-- ---------------------------------------------------------------------------
-- Data. Framework T: domains D1, D2; large questions L1 (D1), L2 (D2) on 1-4;
-- small questions S1 (under L1), S2 (under L2).
-- Peer groups and (L1, L2, S1) answers:
--   G1 regulated/small:         a1 (2,3,yes) a2 (4,1,no)  [alpha]  b1 (3,3,yes) [beta]
--                               p1 (1,2,no) p2 (2,2,yes) p3 (3,4,yes) p4 (4,4,no)
--   G2 planning-competitive/medium: a3 (2,2,yes) [alpha]  b2 (3,3,yes) b3 (1,1,no) b4 (4,4,yes) [beta]
--                               q1 (2,3,no) q2 (4,2,yes)
--   G3 mass-production/large:   b5 (3,3,yes) [beta]  r1 (1,1,no) r2 (2,2,no)
-- S2 is yes everywhere. Every organization also has one row in every other table.
-- ---------------------------------------------------------------------------
INSERT INTO ismseval.frameworks (code, name, scale_min, scale_max, default_target)
VALUES ('T', 'Tenancy test', 1, 4, 3);
INSERT INTO ismseval.control_domains (framework_id, code, name, display_order)
SELECT f.framework_id, d, 'Domain ' || d, o FROM ismseval.frameworks f, (VALUES ('D1', 1), ('D2', 2)) v(d, o)
WHERE f.code = 'T';
INSERT INTO ismseval.questions (framework_id, domain_id, code, text)
SELECT d.framework_id, d.domain_id, 'L' || right(d.code, 1), 'Large ' || d.code
FROM ismseval.control_domains d JOIN ismseval.frameworks f USING (framework_id) WHERE f.code = 'T';
INSERT INTO ismseval.questions (framework_id, domain_id, parent_id, code, text)
SELECT q.framework_id, q.domain_id, q.question_id, 'S' || right(q.code, 1), 'Small under ' || q.code
FROM ismseval.questions q JOIN ismseval.frameworks f USING (framework_id) WHERE f.code = 'T';

CREATE TEMP TABLE org_data (code text, grp text, tenant text, l1 int, l2 int, s1 boolean);
INSERT INTO org_data VALUES
    ('a1', 'G1', 'alpha', 2, 3, true), ('a2', 'G1', 'alpha', 4, 1, false), ('b1', 'G1', 'beta', 3, 3, true),
    ('p1', 'G1', NULL, 1, 2, false), ('p2', 'G1', NULL, 2, 2, true), ('p3', 'G1', NULL, 3, 4, true),
    ('p4', 'G1', NULL, 4, 4, false),
    ('a3', 'G2', 'alpha', 2, 2, true), ('b2', 'G2', 'beta', 3, 3, true), ('b3', 'G2', 'beta', 1, 1, false),
    ('b4', 'G2', 'beta', 4, 4, true), ('q1', 'G2', NULL, 2, 3, false), ('q2', 'G2', NULL, 4, 2, true),
    ('b5', 'G3', 'beta', 3, 3, true), ('r1', 'G3', NULL, 1, 1, false), ('r2', 'G3', NULL, 2, 2, false);
GRANT SELECT ON org_data TO PUBLIC;
-- Runs a statement; returns the number of rows it affected.
CREATE FUNCTION pg_temp.rows_affected(statement text) RETURNS bigint
LANGUAGE plpgsql AS $$ DECLARE n bigint; BEGIN EXECUTE statement; GET DIAGNOSTICS n = ROW_COUNT; RETURN n; END $$;

INSERT INTO ismseval.organizations (code, name, core_business, size_band)
SELECT code, 'Org ' || code,
       CASE grp WHEN 'G1' THEN 'regulated' WHEN 'G2' THEN 'planning-competitive' ELSE 'mass-production' END,
       CASE grp WHEN 'G1' THEN 'small' WHEN 'G2' THEN 'medium' ELSE 'large' END
FROM org_data;
INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
SELECT ('tenant_' || d.tenant)::regrole, o.organization_id
FROM org_data d JOIN ismseval.organizations o USING (code) WHERE d.tenant IS NOT NULL;

INSERT INTO ismseval.assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, DATE '2026-10-01'
FROM ismseval.organizations o JOIN org_data USING (code), ismseval.frameworks f WHERE f.code = 'T';
INSERT INTO ismseval.answers (assessment_id, question_id, score, answer_yes)
SELECT a.assessment_id, q.question_id,
       CASE q.code WHEN 'L1' THEN d.l1 WHEN 'L2' THEN d.l2 END,
       CASE q.code WHEN 'S1' THEN d.s1 WHEN 'S2' THEN true END
FROM ismseval.assessments a JOIN ismseval.organizations o USING (organization_id) JOIN org_data d USING (code)
JOIN ismseval.questions q ON q.framework_id = a.framework_id;

INSERT INTO ismseval.departments (organization_id, name)
SELECT organization_id, 'IT' FROM ismseval.organizations JOIN org_data USING (code);
INSERT INTO ismseval.maturity_targets (organization_id, domain_id, target)
SELECT o.organization_id, d.domain_id, 3.5
FROM ismseval.organizations o JOIN org_data USING (code)
JOIN ismseval.control_domains d ON d.code = 'D1'
JOIN ismseval.frameworks f ON f.framework_id = d.framework_id AND f.code = 'T';
INSERT INTO ismseval.threats (organization_id, code, category, name)
SELECT organization_id, 'OWN-1', 'other', 'Own threat of ' || code FROM ismseval.organizations JOIN org_data USING (code);
INSERT INTO ismseval.assets (organization_id, name, information_type, location, confidentiality, integrity, availability)
SELECT organization_id, 'Customer DB', 'customer records', 'server', 3, 4, 2
FROM ismseval.organizations JOIN org_data USING (code);
INSERT INTO ismseval.risks (organization_id, asset_id, threat_id, title, likelihood, impact)
SELECT a.organization_id, a.asset_id, t.threat_id, 'Leak of customer DB', 2, 3
FROM ismseval.assets a JOIN ismseval.threats t USING (organization_id);
INSERT INTO ismseval.kpis (organization_id, code, name, direction, target)
SELECT organization_id, 'K1', 'Patched servers', 'higher_is_better', 95
FROM ismseval.organizations JOIN org_data USING (code);
INSERT INTO ismseval.kpi_measurements (kpi_id, measured_on, value)
SELECT kpi_id, DATE '2026-10-01', 90 FROM ismseval.kpis;
INSERT INTO ismseval.objectives (organization_id, kpi_id, title, owner, set_on, due_on)
SELECT organization_id, kpi_id, 'Patch faster', 'CISO', DATE '2026-01-01', DATE '2027-03-31' FROM ismseval.kpis;
INSERT INTO ismseval.incidents (organization_id, title, occurred_at, detected_at, severity)
SELECT organization_id, 'Phishing', TIMESTAMPTZ '2026-10-01 08:00+00', TIMESTAMPTZ '2026-10-01 10:00+00', 2
FROM ismseval.organizations JOIN org_data USING (code);
INSERT INTO ismseval.nonconformities (organization_id, source, incident_id, description, owner, raised_on)
SELECT organization_id, 'incident', incident_id, 'Slow detection', 'CISO', DATE '2026-10-02' FROM ismseval.incidents;
INSERT INTO ismseval.corrective_actions (organization_id, nonconformity_id, description, owner, opened_on, due_on)
SELECT organization_id, nonconformity_id, 'Mail filter', 'IT', DATE '2026-10-02', DATE '2026-12-31'
FROM ismseval.nonconformities;
INSERT INTO ismseval.applicability_statements (organization_id, framework_id, question_id, applicable, justification)
SELECT o.organization_id, q.framework_id, q.question_id, false, 'No such process at ' || o.code
FROM ismseval.organizations o JOIN org_data USING (code)
JOIN ismseval.questions q ON q.code = 'L2'
JOIN ismseval.frameworks f ON f.framework_id = q.framework_id AND f.code = 'T';
INSERT INTO ismseval.applied_controls (organization_id, name, category, status)
SELECT organization_id, 'MFA for e-mail', 'technical', 'active' FROM ismseval.organizations JOIN org_data USING (code);
INSERT INTO ismseval.ciso_assistant_objects (organization_id, model, ciso_id, local_id)
SELECT organization_id, 'core.perimeter', 'perimeter-' || code, organization_id FROM ismseval.organizations JOIN org_data USING (code);

-- For every table: an expression for a row's key and one for its organization.
CREATE TEMP TABLE table_keys (tbl text, key_sql text, org_sql text);
INSERT INTO table_keys VALUES
    ('organizations', 't.organization_id::text', 't.organization_id'),
    ('tenant_organizations', 't.tenant_role::text || ''/'' || t.organization_id', 't.organization_id'),
    ('departments', 't.department_id::text', 't.organization_id'),
    ('assessments', 't.assessment_id::text', 't.organization_id'),
    ('answers', 't.assessment_id || ''/'' || t.question_id',
     '(SELECT a.organization_id FROM ismseval.assessments a WHERE a.assessment_id = t.assessment_id)'),
    ('maturity_targets', 't.organization_id || ''/'' || t.domain_id', 't.organization_id'),
    ('threats', 't.threat_id::text', 't.organization_id'),
    ('assets', 't.asset_id::text', 't.organization_id'),
    ('risks', 't.risk_id::text', 't.organization_id'),
    ('kpis', 't.kpi_id::text', 't.organization_id'),
    ('kpi_measurements', 't.kpi_id || ''/'' || t.measured_on',
     '(SELECT k.organization_id FROM ismseval.kpis k WHERE k.kpi_id = t.kpi_id)'),
    ('objectives', 't.objective_id::text', 't.organization_id'),
    ('incidents', 't.incident_id::text', 't.organization_id'),
    ('nonconformities', 't.nonconformity_id::text', 't.organization_id'),
    ('corrective_actions', 't.action_id::text', 't.organization_id'),
    ('risk_rating_changes', 't.change_id::text', 't.organization_id'),
    ('applicability_statements', 't.organization_id || ''/'' || t.question_id', 't.organization_id'),
    ('applied_controls', 't.applied_control_id::text', 't.organization_id'),
    ('ciso_assistant_objects', 't.organization_id || ''/'' || t.model || ''/'' || t.ciso_id', 't.organization_id');
GRANT SELECT ON table_keys TO PUBLIC;

-- The rows each tenant must see: its organizations' rows, and the shared threats.
CREATE TEMP TABLE expected_rows (tenant text, tbl text, key text);
DO $$
DECLARE
    k record;
BEGIN
    FOR k IN SELECT * FROM table_keys LOOP
        EXECUTE format($q$
            INSERT INTO expected_rows
            SELECT d.tenant, %L, x.key
            FROM (SELECT %s AS key, %s AS org FROM ismseval.%I t) x
            JOIN (SELECT DISTINCT tenant FROM org_data WHERE tenant IS NOT NULL) d
              ON x.org IN (SELECT o.organization_id FROM ismseval.organizations o
                           JOIN org_data od USING (code) WHERE od.tenant = d.tenant)
              OR (%L = 'threats' AND x.org IS NULL)$q$, k.tbl, k.key_sql, k.org_sql, k.tbl, k.tbl);
    END LOOP;
END $$;
GRANT SELECT ON expected_rows TO PUBLIC;
CREATE TEMP VIEW tenant_orgs AS
SELECT d.tenant, o.organization_id, o.code FROM org_data d JOIN ismseval.organizations o USING (code);
GRANT SELECT ON tenant_orgs TO PUBLIC;

-- Peer figures come from releases; the first one publishes every item.
SELECT is((SELECT count(*) FROM ismseval.maturity_by_domain WHERE peer_count IS NOT NULL OR peer_figures_as_of IS NOT NULL),
          0::bigint, 'before the first release the views have no peer figures');
SELECT ismseval.release_peer_figures('first') AS first_release \gset
SELECT ok((SELECT count(*) FROM expected_rows WHERE tenant = 'alpha' AND tbl = 'risks') = 3
          AND (SELECT count(*) FROM ismseval.risks) = 16, 'the data: 16 organizations, 3 of them alpha''s');

-- ---------------------------------------------------------------------------
-- 1. Each tenant sees exactly its own rows in every table and view.
-- ---------------------------------------------------------------------------
SET ROLE alice;
SELECT set_eq(format('SELECT %s FROM ismseval.%I t', key_sql, tbl),
              format('SELECT key FROM expected_rows WHERE tenant = %L AND tbl = %L', 'alpha', tbl),
              format('alice (tenant_alpha) sees exactly alpha''s rows of %s', tbl))
FROM table_keys ORDER BY tbl;
SELECT set_eq(format('SELECT DISTINCT organization_id FROM ismseval.%I', v),
              'SELECT organization_id FROM tenant_orgs WHERE tenant = ''alpha''',
              format('alice sees exactly alpha''s organizations in view %s', v))
FROM unnest(ARRAY['risk_register', 'risk_heatmap', 'kpi_status', 'objective_status', 'maturity_by_domain',
                  'question_peer_rate', 'incident_metrics_monthly', 'org_benchmark', 'management_review',
                  'maturity_history', 'kpi_series', 'risk_history', 'statement_of_applicability']) v
ORDER BY v;

SET ROLE bob;
SELECT set_eq(format('SELECT %s FROM ismseval.%I t', key_sql, tbl),
              format('SELECT key FROM expected_rows WHERE tenant = %L AND tbl = %L', 'beta', tbl),
              format('bob (tenant_beta) sees exactly beta''s rows of %s', tbl))
FROM table_keys ORDER BY tbl;
SELECT set_eq(format('SELECT DISTINCT organization_id FROM ismseval.%I', v),
              'SELECT organization_id FROM tenant_orgs WHERE tenant = ''beta''',
              format('bob sees exactly beta''s organizations in view %s', v))
FROM unnest(ARRAY['risk_register', 'risk_heatmap', 'kpi_status', 'objective_status', 'maturity_by_domain',
                  'question_peer_rate', 'incident_metrics_monthly', 'org_benchmark', 'management_review',
                  'maturity_history', 'kpi_series', 'risk_history', 'statement_of_applicability']) v
ORDER BY v;

-- The rating history: a tenant's rating change is recorded (by the SECURITY DEFINER trigger),
-- but the tenant cannot write the history itself.
SELECT organization_id AS b1_id FROM tenant_orgs WHERE code = 'b1' \gset
SET ROLE alice;
UPDATE ismseval.risks SET likelihood = 3 WHERE organization_id = (SELECT organization_id FROM tenant_orgs WHERE code = 'a1');
SELECT is((SELECT count(*) FROM ismseval.risk_rating_changes c JOIN tenant_orgs t USING (organization_id)
           WHERE t.code = 'a1' AND c.event = 'rated' AND c.likelihood = 3), 1::bigint,
          'a tenant''s change of a risk rating is recorded in risk_rating_changes');
SELECT throws_ok($$INSERT INTO ismseval.risk_rating_changes (organization_id, risk_id, title, event, changed_on,
                       likelihood, impact, control_effectiveness, treatment, inherent_level, inherent_level_rank,
                       residual_score, residual_level_rank, within_tolerance)
                   SELECT organization_id, 0, 'forged', 'closed', CURRENT_DATE, 1, 1, 0, 'mitigate', 'low', 0, 1, 0, true
                   FROM tenant_orgs WHERE code = 'a1'$$,
                 '42501', NULL, 'a tenant cannot write the rating history itself');
-- The report and the charts run as the caller: alice gets a1's report, and b1 (beta's) does
-- not exist for her.
SELECT ok(ismseval.management_review_html((SELECT organization_id FROM tenant_orgs WHERE code = 'a1'))
              LIKE '%<svg %', 'a tenant gets the management review report of its organization');
SELECT throws_ok('SELECT ismseval.management_review_html(' || :'b1_id' || ')',
                 '22023', NULL, 'another tenant''s organization does not exist for the report');
RESET ROLE;

SET ROLE mallory;
SELECT is((SELECT count(*) FROM ismseval.organizations) + (SELECT count(*) FROM ismseval.answers)
          + (SELECT count(*) FROM ismseval.management_review), 0::bigint,
          'a tenant role mapped to no organization sees no organization, answer or view row');
SELECT is((SELECT count(*) FROM ismseval.threats WHERE organization_id IS NOT NULL), 0::bigint,
          'nor any organization''s own threat');

SET ROLE ada;
SELECT is((SELECT count(*) FROM ismseval.management_review), 16::bigint,
          'an administrator (member of ismseval_admin, not a superuser) sees every organization');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- 2. Peer figures: computed over every peer, shown only when enough peers the
--    caller cannot see stand behind them (floor 5).
-- ---------------------------------------------------------------------------
SET ROLE alice;
-- a1, D1: peers a2 4, b1 3, p1 1, p2 2, p3 3, p4 4 (6; hidden from alice: b1 p1-p4 = 5 >= 5).
-- mean 17/6; own 2: 1 below (p1), 1 equal (p2) -> 100 x (1 + 0.5) / 6 = 25.
SELECT results_eq($$SELECT peer_count, round(peer_score::numeric, 12), peer_percentile
                    FROM ismseval.maturity_by_domain WHERE organization = 'a1' AND domain = 'D1'$$,
                  $$VALUES (6::bigint, round(17 / 6.0, 12), 25::double precision)$$,
                  'a1 D1: 6 peers, peer mean 17/6, own percentile 25');
-- a1, S1: peers a2 no, b1 yes, p1 no, p2 yes, p3 yes, p4 no -> 3 of 6 = 50 %.
SELECT results_eq($$SELECT peer_count, peer_rate_pct FROM ismseval.question_peer_rate
                    WHERE organization = 'a1' AND question = 'S1'$$,
                  $$VALUES (6::bigint, 50::double precision)$$, 'a1 S1: peer implementation rate 3/6 = 50 %');
-- a1, S2: every peer says yes. A rate of 100 % would tell alice each hidden peer's answer.
SELECT is((SELECT peer_rate_pct FROM ismseval.question_peer_rate WHERE organization = 'a1' AND question = 'S2'),
          NULL::double precision, 'a1 S2: no rate for a tenant when every hidden peer gave the same answer');
-- a1 total 2 + 3 = 5; peers' totals a2 5, b1 6, p1 3, p2 4, p3 7, p4 8: mean 33/6 = 5.5;
-- population sd sqrt(17.5 / 6) = 1.707825127659933 -> deviation 50 + 10 x (5 - 5.5) / sd = 47.0723
-- below 5: 3, 4 (2), equal: 1 -> 100 x 2.5 / 6; higher: 6, 7, 8 -> rank 4 of 7.
SELECT results_eq($$SELECT peer_count, peer_mean_total, round(peer_percentile::numeric, 9),
                           round(deviation_score::numeric, 4), peer_rank, ranked_organizations
                    FROM ismseval.org_benchmark WHERE organization = 'a1'$$,
                  $$VALUES (6::bigint, 5.5::double precision, round(250 / 6.0, 9), 47.0723, 4::bigint, 7::bigint)$$,
                  'a1 total: mean 5.5, percentile 41.67, deviation 47.07, rank 4 of 7');
-- a3, D1 (G2): peers b2 3, b3 1, b4 4, q1 2, q2 4: all 5 hidden from alice, but b2, b3 and b4
-- are one party (tenant_beta): 3 hidden parties < 5. (An administrator's figures: mean 14/5 = 2.8,
-- own 2: 1 below, 1 equal -> 100 x 1.5 / 5 = 30, in section 8.)
SELECT results_eq($$SELECT peer_count, peer_score, peer_percentile
                    FROM ismseval.maturity_by_domain WHERE organization = 'a3' AND domain = 'D1'$$,
                  $$VALUES (NULL::bigint, NULL::double precision, NULL::double precision)$$,
                  'a3 D1: 5 peers hidden from alice but 3 parties (tenant_beta''s three count once): no figure');
-- Probing: alice gives a1 a newer assessment scoring 3 in D1 and reads again. Her own score
-- moves; the percentile is still that of her value at publication (2), not of 3.
INSERT INTO ismseval.assessments (organization_id, framework_id, assessed_on)
SELECT a1.organization_id, f.framework_id, DATE '2026-11-01'
FROM tenant_orgs a1, ismseval.frameworks f WHERE a1.code = 'a1' AND f.code = 'T';
INSERT INTO ismseval.answers (assessment_id, question_id, score)
SELECT a.assessment_id, q.question_id, 3 FROM ismseval.assessments a JOIN ismseval.questions q USING (framework_id)
WHERE a.assessed_on = DATE '2026-11-01' AND q.code = 'L1';
SELECT results_eq($$SELECT own_score, round(peer_score::numeric, 12), peer_percentile
                    FROM ismseval.maturity_by_domain WHERE organization = 'a1' AND domain = 'D1'$$,
                  $$VALUES (3::double precision, round(17 / 6.0, 12), 25::double precision)$$,
                  'a tenant that moves its own score reads the released percentile of its published value, not of the new one');
DELETE FROM ismseval.assessments WHERE assessed_on = DATE '2026-11-01';

SET ROLE bob;
-- b1, D1 (G1): peers a1 2, a2 4, p1 1, p2 2, p3 3, p4 4 (6 hidden); mean 16/6;
-- own 3: below 2, 1, 2 (3), equal 1 (p3) -> 100 x 3.5 / 6.
SELECT results_eq($$SELECT peer_count, round(peer_score::numeric, 12), round(peer_percentile::numeric, 9)
                    FROM ismseval.maturity_by_domain WHERE organization = 'b1' AND domain = 'D1'$$,
                  $$VALUES (6::bigint, round(16 / 6.0, 12), round(350 / 6.0, 9))$$,
                  'b1 D1 (group shared with alice): 6 peers, mean 16/6, percentile 58.33');
-- b2 (G2): 5 peers a3, b3, b4, q1, q2, but b3 and b4 are bob's own: only 3 hidden < 5.
-- Shown, bob could subtract b3 and b4 from the mean. No figure.
SELECT results_eq($$SELECT peer_count, peer_score, peer_percentile FROM ismseval.maturity_by_domain
                    WHERE organization = 'b2' AND domain = 'D1'$$,
                  $$VALUES (NULL::bigint, NULL::double precision, NULL::double precision)$$,
                  'b2 D1: 5 peers but only 3 hidden from bob: no peer figure (differencing)');
SELECT results_eq($$SELECT peer_count, peer_mean_total, peer_percentile, deviation_score, peer_rank,
                           ranked_organizations FROM ismseval.org_benchmark WHERE organization = 'b2'$$,
                  $$VALUES (NULL::bigint, NULL::double precision, NULL::double precision, NULL::double precision,
                            NULL::bigint, NULL::bigint)$$,
                  'b2 total: no peer count, mean, percentile, deviation or rank for bob');
SELECT is((SELECT count(*) FROM ismseval.question_peer_rate WHERE organization = 'b2' AND peer_rate_pct IS NOT NULL),
          0::bigint, 'b2: no peer implementation rate for bob');
SELECT is((SELECT count(*) FROM ismseval.peer_domain_benchmark(
               (SELECT organization_id FROM tenant_orgs WHERE code = 'b2'),
               (SELECT framework_id FROM ismseval.frameworks WHERE code = 'T'))), 0::bigint,
          'b2: peer_domain_benchmark called directly gives no row either');
-- b5 (G3): 2 peers, below the floor for everyone.
SELECT is((SELECT peer_count FROM ismseval.org_benchmark WHERE organization = 'b5'), NULL::bigint,
          'b5: a group of 2 peers gives no figure');

SET ROLE ada;
SELECT is((SELECT peer_rate_pct FROM ismseval.question_peer_rate WHERE organization = 'a1' AND question = 'S2'),
          100::double precision, 'an administrator gets a1 S2: 100 %');
-- An administrator. a1 D1 (own 2): peers a2 4, b1 3, p1 1, p2 2,
-- p3 3, p4 4: below 1 (p1), equal 1 (p2) -> 100 x (1 + 0.5) / 6 = 25.
SELECT results_eq($$SELECT peer_count, peer_percentile FROM ismseval.maturity_by_domain
                    WHERE organization = 'a1' AND domain = 'D1'$$,
                  $$VALUES (6::bigint, 25::double precision)$$, 'a1 D1 for an administrator: percentile 25');
-- a1 total 5 among a2 5, b1 6, p1 3, p2 4, p3 7, p4 8: below 2, equal 1 -> 100 x 2.5 / 6;
-- higher 3 -> rank 4 of 7.
SELECT results_eq($$SELECT round(peer_percentile::numeric, 9), peer_rank FROM ismseval.org_benchmark
                    WHERE organization = 'a1'$$,
                  $$VALUES (round(250 / 6.0, 9), 4::bigint)$$, 'a1 total for an administrator: percentile 41.67, rank 4');
-- a3 total 4; peers' totals b2 6, b3 2, b4 8, q1 5, q2 6: below 1 (b3), equal 0 -> 100 x 1 / 5 = 20;
-- higher 4 -> rank 5 of 6.
SELECT results_eq($$SELECT peer_count, peer_percentile, peer_rank, ranked_organizations
                    FROM ismseval.org_benchmark WHERE organization = 'a3'$$,
                  $$VALUES (5::bigint, 20::double precision, 5::bigint, 6::bigint)$$,
                  'a3 total for an administrator: percentile 20, rank 5 of 6');
-- For an administrator, who reads every row anyway, the plain floor: b2 has 5 peers.
-- D1: a3 2, b3 1, b4 4, q1 2, q2 4: mean 13/5 = 2.6; own 3: 3 below -> 100 x 3 / 5 = 60.
SELECT results_eq($$SELECT peer_count, round(peer_score::numeric, 12), peer_percentile
                    FROM ismseval.maturity_by_domain WHERE organization = 'b2' AND domain = 'D1'$$,
                  $$VALUES (5::bigint, 2.6::numeric, 60::double precision)$$,
                  'b2 D1 for an administrator: 5 peers, mean 2.6, percentile 60');
SELECT is((SELECT peer_count FROM ismseval.org_benchmark WHERE organization = 'b5'), NULL::bigint,
          'b5: below the floor for an administrator too');
RESET ROLE;

-- carol can SET ROLE to both tenants (NOINHERIT member of each). Acting as tenant_beta, the
-- peers of b1 she could read as tenant_alpha (a1, a2) are not hidden from her: p1-p4 = 4 < 5.
CREATE ROLE carol LOGIN NOINHERIT IN ROLE tenant_alpha, tenant_beta;
SET SESSION AUTHORIZATION carol;
SET ROLE tenant_beta;
SELECT results_eq($$SELECT peer_count, peer_score FROM ismseval.maturity_by_domain
                    WHERE organization = 'b1' AND domain = 'D1'$$,
                  $$VALUES (NULL::bigint, NULL::double precision)$$,
                  'a login that can also become tenant_alpha gets no b1 figure as tenant_beta (4 peers hidden from her)');
RESET SESSION AUTHORIZATION;

-- The floor is the administrator's: at 3, bob's 3 hidden peers of b2 are enough.
SET ismseval.min_peer_group = 3;
-- b2 for bob: hidden a3 (tenant_alpha), q1, q2: 3 parties, the floor of 3. But D1 is a3 2, q1 2,
-- q2 4 and D2 a3 2, q1 3, q2 2: outside one party (q2, resp. q1) the others share one value, which
-- a reader knowing that party would learn. So still no score figure.
SET ROLE bob;
SELECT results_eq($$SELECT peer_count, peer_score FROM ismseval.maturity_by_domain
                    WHERE organization = 'b2' AND domain = 'D1'$$,
                  $$VALUES (NULL::bigint, NULL::double precision)$$,
                  'with ismseval.min_peer_group = 3, b2''s 3 hidden parties meet the floor, but outside one of them all share a value: no figure');
RESET ROLE;
-- carol as tenant_beta, b1: hidden p1-p4 (4 parties; D1 1, 2, 3, 4; D2 2, 2, 4, 4: outside any one
-- party two values remain): 4 >= 3, shown. Peers a1 2, a2 4, p1 1, p2 2, p3 3, p4 4: 6, mean 16/6.
SET SESSION AUTHORIZATION carol;
SET ROLE tenant_beta;
SELECT results_eq($$SELECT peer_count, round(peer_score::numeric, 12) FROM ismseval.maturity_by_domain
                    WHERE organization = 'b1' AND domain = 'D1'$$,
                  $$VALUES (6::bigint, round(16 / 6.0, 12))$$,
                  'with ismseval.min_peer_group = 3, carol''s 4 hidden parties of b1 are enough');
RESET SESSION AUTHORIZATION;
RESET ismseval.min_peer_group;

-- ---------------------------------------------------------------------------
-- 3. A tenant cannot lower the floor.
-- ---------------------------------------------------------------------------
SET ROLE alice;
SELECT throws_ok('SET ismseval.min_peer_group = 1', '42501', NULL, 'a tenant cannot SET ismseval.min_peer_group');
SELECT throws_ok($$SELECT set_config('ismseval.min_peer_group', '1', true)$$, '42501', NULL,
                 'nor change it with set_config');
SELECT throws_ok('ALTER ROLE alice SET ismseval.min_peer_group = 1', '42501', NULL,
                 'nor as a per-role default');
SELECT is(current_setting('ismseval.min_peer_group'), '5', 'the floor is still 5');

-- ---------------------------------------------------------------------------
-- 4. A tenant cannot write another tenant's rows.
-- ---------------------------------------------------------------------------
SELECT throws_ok($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact)
                   SELECT organization_id, 'planted', 1, 1 FROM tenant_orgs WHERE code = 'b1'$$,
                 '42501', 'new row violates row-level security policy for table "risks"',
                 'alice cannot insert a risk into beta''s organization');
SELECT is(pg_temp.rows_affected($$UPDATE ismseval.risks SET title = 'defaced'
                      WHERE organization_id = (SELECT organization_id FROM tenant_orgs WHERE code = 'b1')$$), 0::bigint,
          'alice''s UPDATE of beta''s risks changes no row');
SELECT is(pg_temp.rows_affected($$DELETE FROM ismseval.answers
                      WHERE question_id IN (SELECT question_id FROM ismseval.questions WHERE code = 'S2')$$), 3::bigint,
          'alice''s DELETE of every S2 answer deletes only her 3 organizations'' 3');
SELECT throws_ok($$UPDATE ismseval.risks SET organization_id = (SELECT organization_id FROM tenant_orgs WHERE code = 'b1'),
                                          asset_id = NULL, threat_id = NULL
                   WHERE organization_id = (SELECT organization_id FROM tenant_orgs WHERE code = 'a1')$$,
                 '42501', NULL, 'alice cannot move her risk into beta''s organization');
SELECT is(pg_temp.rows_affected($$INSERT INTO ismseval.answers (assessment_id, question_id, score)
                   SELECT a.assessment_id, q.question_id, 4 FROM ismseval.questions q, (
                       SELECT assessment_id FROM ismseval.assessments
                       WHERE organization_id = (SELECT organization_id FROM tenant_orgs WHERE code = 'b1')) a
                   WHERE q.code = 'L1' AND q.framework_id = (SELECT framework_id FROM ismseval.frameworks WHERE code = 'T')$$),
          0::bigint, 'alice cannot find beta''s assessment to answer in');
SELECT throws_ok(format($$INSERT INTO ismseval.answers (assessment_id, question_id, score) VALUES (%s, %s, 4)$$,
                        (SELECT min(key)::bigint FROM expected_rows WHERE tenant = 'beta' AND tbl = 'assessments'),
                        (SELECT question_id FROM ismseval.questions WHERE code = 'L1'
                           AND framework_id = (SELECT framework_id FROM ismseval.frameworks WHERE code = 'T'))),
                 '42501', 'new row violates row-level security policy for table "answers"',
                 'alice cannot add an answer to beta''s assessment by its id');
SELECT throws_ok(format($$INSERT INTO ismseval.kpi_measurements (kpi_id, measured_on, value) VALUES (%s, '2026-11-01', 1)$$,
                        (SELECT min(key)::bigint FROM expected_rows WHERE tenant = 'beta' AND tbl = 'kpis')),
                 '42501', 'new row violates row-level security policy for table "kpi_measurements"',
                 'alice cannot add a measurement to beta''s KPI by its id');
SELECT throws_ok(format($$INSERT INTO ismseval.risks (organization_id, threat_id, title, likelihood, impact)
                          VALUES (%s, %s, 'borrowed threat', 1, 1)$$,
                        (SELECT organization_id FROM tenant_orgs WHERE code = 'a1'),
                        (SELECT min(key)::bigint FROM expected_rows WHERE tenant = 'beta' AND tbl = 'threats'
                           AND key::bigint > 100000)),
                 '23503', NULL, 'alice''s risk cannot use beta''s private threat (reported as not existing)');
SELECT throws_ok(format($$INSERT INTO ismseval.incidents (incident_id, organization_id, title, occurred_at, severity)
                          VALUES (%s, %s, 'probe', now(), 1)$$,
                        (SELECT min(key) FROM expected_rows WHERE tenant = 'beta' AND tbl = 'incidents'),
                        (SELECT organization_id FROM tenant_orgs WHERE code = 'a1')),
                 '42501', NULL, 'a tenant cannot choose a key (a duplicate-key error would reveal other tenants'' keys)');
SELECT throws_ok($$UPDATE ismseval.incidents SET incident_id = incident_id + 1000000$$, '42501', NULL,
                 'nor change one');
SELECT throws_ok($$INSERT INTO ismseval.threats (code, category, name) VALUES ('SH-1', 'other', 'shared')$$,
                 '42501', NULL, 'a tenant cannot add a shared threat');
SELECT throws_ok($$UPDATE ismseval.organizations SET size_band = 'large'$$, '42501', NULL,
                 'a tenant cannot move its organization to another peer group');
SELECT throws_ok($$UPDATE ismseval.organizations SET code = 'b1'$$, '42501', NULL,
                 'a tenant cannot change its organization''s code (unique across tenants)');
SELECT is(pg_temp.rows_affected($$UPDATE ismseval.organizations SET name = 'Alpha One' WHERE code = 'a1'$$), 1::bigint, 'a tenant can rename its own organization');
SELECT throws_ok($$INSERT INTO ismseval.organizations (code, name, core_business, size_band)
                   VALUES ('x1', 'X', 'regulated', 'small')$$, '42501', NULL,
                 'a tenant cannot create organizations');
SELECT throws_ok($$DELETE FROM ismseval.organizations$$, '42501', NULL, 'a tenant cannot delete organizations');
SELECT throws_ok($$INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
                   SELECT 'tenant_alpha', organization_id FROM tenant_orgs WHERE code = 'b1'$$, '42501', NULL,
                 'a tenant cannot map itself to another organization');
SELECT throws_ok($$INSERT INTO ismseval.frameworks (code, name) VALUES ('X', 'X')$$, '42501', NULL,
                 'a tenant cannot change the catalogues');
SELECT is(pg_temp.rows_affected($$INSERT INTO ismseval.applied_controls (organization_id, name)
                   SELECT organization_id, 'Backups' FROM tenant_orgs WHERE code = 'a1'$$), 1::bigint,
          'alice adds an applied control to her organization');
SELECT throws_ok($$INSERT INTO ismseval.applied_controls (organization_id, name)
                   SELECT organization_id, 'planted' FROM tenant_orgs WHERE code = 'b1'$$,
                 '42501', 'new row violates row-level security policy for table "applied_controls"',
                 'but not to beta''s');
SELECT throws_ok(format($$INSERT INTO ismseval.applied_controls (applied_control_id, organization_id, name) VALUES (%s, %s, 'probe')$$,
                        (SELECT min(key) FROM expected_rows WHERE tenant = 'beta' AND tbl = 'applied_controls'),
                        (SELECT organization_id FROM tenant_orgs WHERE code = 'a1')),
                 '42501', NULL, 'nor choose an applied control''s key');
SELECT throws_ok($$INSERT INTO ismseval.ciso_assistant_objects (organization_id, model, ciso_id, local_id)
                   SELECT organization_id, 'core.riskscenario', 'forged', 1 FROM tenant_orgs WHERE code = 'a1'$$,
                 '42501', NULL, 'a tenant reads the CISO Assistant mapping of its organizations but cannot write it');
RESET ROLE;
SELECT is((SELECT count(*) FROM ismseval.risks WHERE title IN ('planted', 'defaced', 'borrowed threat')), 0::bigint,
          'beta''s risks are untouched');
SELECT is((SELECT count(*) FROM ismseval.answers a JOIN ismseval.questions q USING (question_id) WHERE q.code = 'S2'),
          13::bigint, 'the other 13 organizations keep their S2 answers');

-- ---------------------------------------------------------------------------
-- 5. The peer functions: only for organizations the caller may see, and the
--    functions that return whole distributions are for administrators only.
-- ---------------------------------------------------------------------------
CREATE TEMP VIEW ids AS
SELECT (SELECT organization_id FROM tenant_orgs WHERE code = 'a1') AS a1,
       (SELECT organization_id FROM tenant_orgs WHERE code = 'b1') AS b1,
       (SELECT framework_id FROM ismseval.frameworks WHERE code = 'T') AS fw;
GRANT SELECT ON ids TO PUBLIC;

SET ROLE alice;
SELECT throws_ok($$SELECT * FROM ismseval.peer_total_benchmark((SELECT b1 FROM ids), (SELECT fw FROM ids))$$,
                 '42501', NULL, 'alice cannot ask for the peer figures of beta''s organization');
SELECT throws_ok($$SELECT * FROM ismseval.peer_domain_benchmark((SELECT b1 FROM ids), (SELECT fw FROM ids))$$,
                 '42501', NULL, 'nor its domain figures');
SELECT throws_ok($$SELECT * FROM ismseval.peer_question_benchmark((SELECT b1 FROM ids), (SELECT fw FROM ids))$$,
                 '42501', NULL, 'nor its question rates');
SELECT throws_ok($$SELECT * FROM ismseval.peer_total_benchmark(-1, (SELECT fw FROM ids))$$,
                 '42501', NULL, 'an organization that does not exist is refused the same way');
SELECT throws_ok($$SELECT ismseval.peer_dist_out(dist) FROM ismseval.peer_domain_scores((SELECT a1 FROM ids), (SELECT fw FROM ids))$$,
                 '42501', NULL, 'peer_domain_scores (every peer''s value in a peer_dist) is for administrators only');
SELECT throws_ok($$SELECT * FROM ismseval.peer_question_rates((SELECT a1 FROM ids), (SELECT fw FROM ids))$$,
                 '42501', NULL, 'so is peer_question_rates');
SELECT throws_ok($$SELECT * FROM ismseval.peer_total_scores((SELECT a1 FROM ids), (SELECT fw FROM ids), 0)$$,
                 '42501', NULL, 'so is peer_total_scores');
SELECT throws_ok($$SELECT * FROM ismseval.peer_release_rows((SELECT a1 FROM ids), (SELECT fw FROM ids), 'domain')$$,
                 '42501', NULL, 'and peer_release_rows (rows of the release, whole)');
-- The peer functions take no value from the caller: the only way to narrow a group
-- would be to change the organization's peer group, which a tenant cannot (section 4),
-- or to aggregate peers' rows itself, which it cannot see:
SELECT is((SELECT ismseval.peer_count(ismseval.peer_dist(score::double precision)) FROM ismseval.answers
           WHERE score IS NOT NULL), 6::bigint,
          'a peer_dist a tenant builds itself covers only the answers it can read: its own 6 scores');
SELECT is((SELECT count(*) FROM ismseval.answers), 9::bigint,
          '(alice reads 9 answers: 3 organizations x L1, L2, S1; S2 deleted above)');
SELECT throws_ok('SELECT * FROM ismseval.peer_release_figures', '42501', NULL,
                 'a tenant cannot read the releases'' figures (they hold every organization''s values)');
SELECT throws_ok('SELECT ismseval.release_peer_figures()', '42501', NULL, 'nor publish a release');
SELECT is((SELECT count(*) FROM ismseval.peer_releases), 1::bigint, 'it can see that one release exists');
SET ROLE mallory;
SELECT throws_ok($$SELECT * FROM ismseval.peer_total_benchmark((SELECT a1 FROM ids), (SELECT fw FROM ids))$$,
                 '42501', NULL, 'a tenant mapped to nothing gets no peer figure of anyone');
SET ROLE ada;
SELECT is((SELECT peer_count FROM ismseval.peer_total_benchmark((SELECT b1 FROM ids), (SELECT fw FROM ids))),
          6::bigint, 'an administrator may ask for any organization');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- 6. Leaky functions: a function a tenant puts in a query sees only rows the
--    tenant may see, however cheap it claims to be.
-- ---------------------------------------------------------------------------
SET ROLE alice;
CREATE TEMP TABLE seen (org bigint);
CREATE FUNCTION pg_temp.leak(org bigint) RETURNS boolean
LANGUAGE plpgsql COST 0.0000001 AS $$ BEGIN INSERT INTO seen VALUES (org); RETURN true; END $$;
SELECT ok((SELECT count(*) FROM ismseval.risks WHERE pg_temp.leak(organization_id)) >= 0, 'a leaky filter on risks');
SELECT ok((SELECT count(*) FROM ismseval.answers a WHERE pg_temp.leak(a.assessment_id)) >= 0,
          'a leaky filter on answers (records assessment ids)');
SELECT ok((SELECT count(*) FROM ismseval.maturity_by_domain WHERE pg_temp.leak(organization_id)) >= 0,
          'a leaky filter on maturity_by_domain');
SELECT ok((SELECT count(*) FROM ismseval.org_benchmark ORDER BY 1 LIMIT 1) >= 0
          AND (SELECT count(*) FROM ismseval.management_review WHERE pg_temp.leak(organization_id)) >= 0,
          'a leaky filter on management_review');
SELECT is_empty($$SELECT org FROM seen
                  EXCEPT SELECT organization_id FROM tenant_orgs WHERE tenant = 'alpha'
                  EXCEPT SELECT key::bigint FROM expected_rows WHERE tenant = 'alpha' AND tbl = 'assessments'$$,
                'the leaky function saw only alpha''s organizations and assessments');
SELECT ok((SELECT count(*) FROM seen) > 0, '(and it did run)');

-- ---------------------------------------------------------------------------
-- 7. search_path: a tenant's objects cannot hijack the SECURITY DEFINER
--    functions. alice owns a schema with a bigint = operator that fails.
-- ---------------------------------------------------------------------------
RESET ROLE;
CREATE SCHEMA evil AUTHORIZATION alice;
SET ROLE alice;
CREATE FUNCTION evil.hijacked_eq(bigint, bigint) RETURNS boolean
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked'; END $$;
CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.hijacked_eq);
-- Runs a query with evil first in search_path; returns 'ok' or the error message.
CREATE FUNCTION pg_temp.with_evil_path(query text) RETURNS text
LANGUAGE plpgsql SET search_path = evil, pg_catalog, ismseval, public AS
$$ BEGIN EXECUTE query; RETURN 'ok'; EXCEPTION WHEN OTHERS THEN RETURN SQLERRM; END $$;
SELECT is(pg_temp.with_evil_path('SELECT 1::bigint = 1::bigint'), 'hijacked',
          'the trap works: with evil first in search_path, bigint = bigint is alice''s operator');
SELECT is(pg_temp.with_evil_path('SELECT * FROM ismseval.peer_total_benchmark((SELECT a1 FROM ids), (SELECT fw FROM ids))'),
          'ok', 'peer_total_benchmark does not use it (search_path pinned)');
SELECT is(pg_temp.with_evil_path('SELECT * FROM ismseval.peer_domain_benchmark((SELECT a1 FROM ids), (SELECT fw FROM ids))'),
          'ok', 'nor does peer_domain_benchmark');
SELECT is(pg_temp.with_evil_path('SELECT * FROM ismseval.peer_question_benchmark((SELECT a1 FROM ids), (SELECT fw FROM ids))'),
          'ok', 'nor does peer_question_benchmark');
SELECT is(pg_temp.with_evil_path('SELECT * FROM ismseval.management_review'), 'ok',
          'nor do the views');
RESET ROLE;
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                  WHERE p.pronamespace = 'ismseval'::regnamespace AND p.prosecdef
                    AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp']$$,
                'every SECURITY DEFINER function of the extension pins search_path to pg_catalog, pg_temp');
SELECT set_eq($$SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'ismseval'::regnamespace AND p.prosecdef$$,
              ARRAY['peer_domain_benchmark', 'peer_question_benchmark', 'peer_total_benchmark',
                    'release_peer_figures', 'risks_record_rating'],
              'the SECURITY DEFINER functions are exactly the three peer-figure functions, release_peer_figures and the rating-history trigger');

-- ---------------------------------------------------------------------------
-- 8. Releases: an item is republished only when enough parties changed it.
--    (G1 D1 now: a1 2, a2 4, b1 3, p1 1, p2 2, p3 3, p4 4; published so in 'first'.)
-- ---------------------------------------------------------------------------
CREATE TEMP VIEW a1_d1 AS
SELECT peer_count, round(peer_score::numeric, 12) AS peer_score, round(peer_percentile::numeric, 9) AS pct,
       peer_figures_as_of = (SELECT released_at FROM ismseval.peer_releases WHERE note = 'first') AS from_first
FROM ismseval.maturity_by_domain WHERE organization = 'a1' AND domain = 'D1';
GRANT SELECT ON a1_d1 TO PUBLIC;
CREATE FUNCTION pg_temp.set_l1(codes text[], new_score int) RETURNS void LANGUAGE sql AS $$
    UPDATE ismseval.answers an SET score = new_score
    FROM ismseval.assessments a, ismseval.organizations o, ismseval.questions q
    WHERE a.assessment_id = an.assessment_id AND o.organization_id = a.organization_id AND o.code = ANY (codes)
      AND q.question_id = an.question_id AND q.code = 'L1' $$;

-- alice moves a1's D1 from 2 to 3 (one unit: tenant_alpha); a new release carries G1 D1 forward.
SET ROLE alice;
SELECT pg_temp.set_l1(ARRAY['a1'], 3);
RESET ROLE;
SELECT ismseval.release_peer_figures('alice moved') IS NOT NULL AS released \gset
SET ROLE alice;
SELECT results_eq('SELECT * FROM a1_d1', $$VALUES (6::bigint, round(17 / 6.0, 12), 25.000000000, true)$$,
                  'a tenant''s own change alone does not republish: a1 D1 is still the first release''s (percentile of 2)');
RESET ROLE;

-- A newcomer n1 joins G1 with D1 = 4 (one more unit): still carried forward, so the change
-- of the figures cannot be n1's value over 7.
INSERT INTO ismseval.organizations (code, name, core_business, size_band) VALUES ('n1', 'Newcomer', 'regulated', 'small');
INSERT INTO ismseval.assessments (organization_id, framework_id, assessed_on)
SELECT (SELECT organization_id FROM ismseval.organizations WHERE code = 'n1'), fw, DATE '2026-11-01' FROM ids;
INSERT INTO ismseval.answers (assessment_id, question_id, score)
SELECT a.assessment_id, q.question_id, 4 FROM ismseval.assessments a JOIN ismseval.questions q USING (framework_id)
WHERE a.organization_id = (SELECT organization_id FROM ismseval.organizations WHERE code = 'n1') AND q.code IN ('L1', 'L2');
SELECT ismseval.release_peer_figures('newcomer') IS NOT NULL AS released \gset
SET ROLE alice;
SELECT results_eq('SELECT * FROM a1_d1', $$VALUES (6::bigint, round(17 / 6.0, 12), 25.000000000, true)$$,
                  'a newcomer alone does not republish: a1 D1 still has 6 peers and mean 17/6');
RESET ROLE;
SELECT is((SELECT count(*) FROM ismseval.peer_release_figures f JOIN ismseval.peer_releases r USING (release_id)
           WHERE r.note = 'newcomer' AND f.organization_id = (SELECT organization_id FROM ismseval.organizations WHERE code = 'n1')
             AND f.kind = 'domain'), 0::bigint, 'and the newcomer has no figures of its own yet');

-- b1 3 -> 1, p1 1 -> 2, p2 2 -> 1, p3 3 -> 1, p4 4 -> 1: with tenant_alpha's a1 (2 -> 3),
-- 6 units changed D1 among the members, more than the floor of 5: D1 takes the new means.
-- D2 changed for nobody: with the newcomer n1 that is 1 unit, so n1 does not join yet.
SELECT pg_temp.set_l1(ARRAY['b1', 'p2', 'p3', 'p4'], 1);
SELECT pg_temp.set_l1(ARRAY['p1'], 2);
SELECT ismseval.release_peer_figures('round 2') IS NOT NULL AS released \gset
-- a1 (now 3) among a2 4, b1 1, p1 2, p2 1, p3 1, p4 1: 6 peers, mean 10/6;
-- below 3: b1 p1 p2 p3 p4 (5), equal 0 -> 100 x 5 / 6 = 83.333333333 (as an administrator reads it).
SET ROLE ada;
SELECT results_eq('SELECT * FROM a1_d1', $$VALUES (6::bigint, round(10 / 6.0, 12), 83.333333333, false)$$,
                  'more than the floor of changed parties republish: a1 D1 has mean 10/6, percentile 83.33 of its new 3');
-- Hidden from alice: b1 1, p1 2, p2 1, p3 1, p4 1: 5 parties, but outside p1 all are 1; a reader
-- who knew p1's value would learn the other four. No figure for alice.
SET ROLE alice;
SELECT is((SELECT peer_count FROM a1_d1), NULL::bigint,
          'alice gets no a1 D1 figure: outside one hidden party (p1) every hidden peer has 1');
RESET ROLE;
SELECT is((SELECT count(*) FROM ismseval.peer_release_figures f JOIN ismseval.peer_releases r USING (release_id)
           WHERE r.note = 'round 2' AND f.organization_id = (SELECT organization_id FROM ismseval.organizations WHERE code = 'n1')),
          0::bigint, 'the newcomer joins only when every domain has enough changes with it');
SELECT is((SELECT count(*) FROM ismseval.peer_release_figures f JOIN ismseval.peer_releases r USING (release_id)
           WHERE r.note = 'round 2' AND f.published_in <> f.release_id AND f.kind = 'domain'
             AND f.peer_group = 'regulated / small'
             AND f.item_id = (SELECT domain_id FROM ismseval.control_domains WHERE code = 'D1'
                                AND framework_id = (SELECT fw FROM ids))), 0::bigint,
          'every G1 D1 figure of round 2 is newly published');
SELECT is((SELECT count(*) FROM ismseval.peer_release_figures f JOIN ismseval.peer_releases r USING (release_id)
           WHERE r.note = 'round 2' AND f.published_in <> f.release_id AND f.kind = 'domain'
             AND f.peer_group = 'planning-competitive / medium'), 12::bigint,
          'while G2, where nothing changed, carries its 6 organizations x 2 domains forward');

-- Linked items: p1 alone changes D2 (2 -> 4) while 6 units change D1 again (a1 3 -> 2, b1,
-- p2, p3, p4 1 -> 2, p1 2 -> 3). D1 takes the new means, D2 keeps p1's published 2, and p1's
-- total is 1 x D1 + 1 x D2 of the published means, so the totals cannot show p1's D2 change.
SELECT pg_temp.set_l1(ARRAY['a1', 'b1', 'p2', 'p3', 'p4'], 2);
SELECT pg_temp.set_l1(ARRAY['p1'], 3);
UPDATE ismseval.answers an SET score = 4 FROM ismseval.assessments a, ismseval.organizations o, ismseval.questions q
WHERE a.assessment_id = an.assessment_id AND o.organization_id = a.organization_id AND o.code = 'p1'
  AND q.question_id = an.question_id AND q.code = 'L2';
SELECT ismseval.release_peer_figures('round 3') IS NOT NULL AS released \gset
SELECT results_eq($$SELECT f.kind, f.value FROM ismseval.peer_release_figures f JOIN ismseval.peer_releases r USING (release_id)
                    WHERE r.note = 'round 3' AND f.organization_id = (SELECT organization_id FROM ismseval.organizations WHERE code = 'p1')
                      AND f.kind <> 'question' ORDER BY f.kind, f.item_id$$,
                  $$VALUES ('domain', 3::double precision), ('domain', 2::double precision), ('total', 5::double precision)$$,
                  'p1 in round 3: D1 3 (new), D2 2 (its lone change to 4 held back), total 3 + 2 = 5');
-- Exactly the floor (5 units: b1 p1 p2 p3 p4) is not enough: the reader may be one of them.
SELECT pg_temp.set_l1(ARRAY['b1', 'p1', 'p2', 'p3', 'p4'], 4);
SELECT ismseval.release_peer_figures('five units') IS NOT NULL AS released \gset
SELECT is((SELECT f.published_in = (SELECT release_id FROM ismseval.peer_releases WHERE note = 'round 3')
           FROM ismseval.peer_release_figures f JOIN ismseval.peer_releases r USING (release_id)
           WHERE r.note = 'five units' AND f.organization_id = (SELECT a1 FROM ids) AND f.kind = 'domain'
             AND f.item_id = (SELECT domain_id FROM ismseval.control_domains WHERE code = 'D1'
                                AND framework_id = (SELECT fw FROM ids))), true,
          'five changed units (the floor) keep D1''s round 3 means: more than the floor is needed');
SELECT is(ismseval.peer_stddev_without(3, 4, 1.5, 3, 1), 0::double precision,
          'peer sd without 3 of {3, 1, 1, 1}: the others are all equal, exactly 0');
SELECT is(round(ismseval.peer_stddev_without(4, 4, 2.5, 5, 3)::numeric, 12), round(sqrt(2 / 3.0), 12),
          'peer sd without 4 of {4, 1, 2, 3}: (5 - 1.5^2 x 4/3) / 3 = 2/3, sqrt 0.816496580928');

-- In G2, b2 b3 b4 (all tenant_beta: one unit) and q1 q2 change D1: 5 organizations but 3
-- units, fewer than 5: a3's D1 keeps its first-release figures (5 peers, mean 2.8).
SELECT pg_temp.set_l1(ARRAY['b2', 'b3', 'b4', 'q1', 'q2'], 4);
SELECT pg_temp.set_l1(ARRAY['b4', 'q2'], 3);
SELECT ismseval.release_peer_figures('one tenant, many organizations') IS NOT NULL AS released \gset
SET ROLE ada;
SELECT results_eq($$SELECT peer_count, round(peer_score::numeric, 12) FROM ismseval.maturity_by_domain
                    WHERE organization = 'a3' AND domain = 'D1'$$,
                  $$VALUES (5::bigint, 2.8::numeric)$$,
                  'changes count by party, not by organization: one tenant''s 3 organizations and 2 others do not republish');
RESET ROLE;

-- Deleting the older releases keeps the latest one whole, with its publication dates.
DELETE FROM ismseval.peer_releases WHERE release_id < (SELECT max(release_id) FROM ismseval.peer_releases);
SET ROLE ada;
SELECT results_eq($$SELECT peer_count, peer_figures_as_of IS NOT NULL FROM ismseval.maturity_by_domain
                    WHERE organization = 'a3' AND domain = 'D1'$$,
                  $$VALUES (5::bigint, true)$$,
                  'after older releases are deleted, carried-forward figures still show, with their date');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- 9. Linked figures, the newest release, and an organization changing group.
--    Framework U: domain E1 (one large question U1), E2 (two: U2, U3). Group
--    mass-production / enterprise: u0 (alpha; U3 not applicable) and u1-u6, who all
--    score 4 on U1.
-- ---------------------------------------------------------------------------
INSERT INTO ismseval.frameworks (code, name) VALUES ('U', 'Linked');
INSERT INTO ismseval.control_domains (framework_id, code, name, display_order)
SELECT framework_id, d, d, o FROM ismseval.frameworks, (VALUES ('E1', 1), ('E2', 2)) v(d, o) WHERE code = 'U';
INSERT INTO ismseval.questions (framework_id, domain_id, code, text)
SELECT d.framework_id, d.domain_id, q, q FROM ismseval.control_domains d JOIN ismseval.frameworks f USING (framework_id),
       (VALUES ('U1', 'E1'), ('U2', 'E2'), ('U3', 'E2')) v(q, dc) WHERE f.code = 'U' AND d.code = v.dc;
INSERT INTO ismseval.organizations (code, name, core_business, size_band)
SELECT c, 'Org ' || c, 'mass-production', 'enterprise' FROM unnest('{u0,u1,u2,u3,u4,u5,u6}'::text[]) c;
INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
SELECT 'tenant_alpha', organization_id FROM ismseval.organizations WHERE code = 'u0';
INSERT INTO ismseval.assessments (organization_id, framework_id, assessed_on)
SELECT o.organization_id, f.framework_id, DATE '2026-10-01'
FROM ismseval.organizations o, ismseval.frameworks f WHERE o.code LIKE 'u_' AND f.code = 'U';
INSERT INTO ismseval.answers (assessment_id, question_id, score, not_applicable)
SELECT a.assessment_id, q.question_id, v.score, v.score IS NULL
FROM (VALUES ('u0', 'U1', 2), ('u0', 'U2', 3), ('u0', 'U3', NULL),
             ('u1', 'U1', 4), ('u1', 'U2', 1), ('u1', 'U3', 2), ('u2', 'U1', 4), ('u2', 'U2', 2), ('u2', 'U3', 2),
             ('u3', 'U1', 4), ('u3', 'U2', 3), ('u3', 'U3', 1), ('u4', 'U1', 4), ('u4', 'U2', 4), ('u4', 'U3', 4),
             ('u5', 'U1', 4), ('u5', 'U2', 1), ('u5', 'U3', 1), ('u6', 'U1', 4), ('u6', 'U2', 2), ('u6', 'U3', 3))
     v(org, q, score)
JOIN ismseval.organizations o ON o.code = v.org
JOIN ismseval.assessments a ON a.organization_id = o.organization_id
JOIN ismseval.questions q ON q.code = v.q AND q.framework_id = a.framework_id;
SELECT ismseval.release_peer_figures('linked') IS NOT NULL AS released \gset

-- u0's total: 1 x E1 2 + 2 x E2 3 (U3 not applicable takes E2's mean) = 8, not 2.5 x 3.
SELECT is((SELECT total_score FROM ismseval.org_benchmark WHERE organization = 'u0'), 8::double precision,
          'total_score: 1 x 2 + 2 x 3 = 8 (a not-applicable question takes its domain''s mean)');
SET ROLE ada;
SELECT results_eq($$SELECT domain, peer_count, round(peer_score::numeric, 12) FROM ismseval.maturity_by_domain
                    WHERE organization = 'u0' ORDER BY display_order$$,
                  $$VALUES ('E1', 6::bigint, 4.000000000000), ('E2', 6::bigint, round(26 / 12.0, 12))$$,
                  'an administrator sees u0''s peers: E1 all 4, E2 (1.5+2+2+4+1+2.5)/6 = 13/6');
SET ROLE alice;
-- Every hidden peer has E1 = 4: E1 is withheld, and so are E2 and the total, which would give
-- it back (total mean - 2 x E2 mean = E1 mean).
SELECT is((SELECT count(*) FROM ismseval.maturity_by_domain WHERE organization = 'u0' AND peer_score IS NOT NULL)
          + (SELECT count(*) FROM ismseval.org_benchmark WHERE organization = 'u0' AND peer_mean_total IS NOT NULL),
          0::bigint, 'one unanimous domain withholds all of u0''s score figures from a tenant (total and E2 too)');
RESET ROLE;

SELECT throws_ok($$DELETE FROM ismseval.peer_releases WHERE release_id = (SELECT max(release_id) FROM ismseval.peer_releases)$$,
                 '23001', NULL, 'the newest release cannot be deleted (it is the base of the next)');
SELECT throws_ok('TRUNCATE ismseval.peer_releases, ismseval.peer_release_figures, ismseval.peer_release_groups', '23001', NULL,
                 'nor can the releases be truncated');
SELECT throws_ok($$UPDATE ismseval.peer_release_figures SET value = 0
                   WHERE release_id = (SELECT max(release_id) FROM ismseval.peer_releases)$$,
                 '23001', NULL, 'nor its figures changed');

-- u6 moves to mass-production / large (b5, r1, r2): it stays in its old group's figures
-- until that group lets it go, and the release does not trip over it.
UPDATE ismseval.organizations SET size_band = 'large' WHERE code = 'u6';
SELECT lives_ok($$SELECT ismseval.release_peer_figures('moved')$$, 'a release after an organization changed group');
SELECT results_eq($$SELECT DISTINCT f.peer_group FROM ismseval.peer_release_figures f
                    JOIN ismseval.peer_releases r USING (release_id)
                    WHERE r.note = 'moved' AND f.organization_id = (SELECT organization_id FROM ismseval.organizations WHERE code = 'u6')$$,
                  $$VALUES ('mass-production / enterprise')$$,
                  'the moved organization is still counted in its old group only');

SELECT * FROM finish();
ROLLBACK;
