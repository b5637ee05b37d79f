-- Quantitative risk in the model: the risk columns, risk_quantified and
-- portfolio_loss_exceedance, on a small hand-made dataset.
SET search_path = ismseval, public;

INSERT INTO organizations (code, name, core_business, size_band) VALUES
    ('QA', 'Quant A', 'regulated', 'small'), ('QB', 'Quant B', 'regulated', 'small'),
    ('QC', 'Quant C (nothing quantified)', 'regulated', 'small');
-- QA: a treated risk (inherent 0.1 a year on (1000, 10000), residual 0.05 on the same interval,
-- treatment 100 a year), an untreated one (3 a year on (1, 10)), one with a cost but no
-- residual, and one not quantified.  QB: one risk (2 a year on (100, 1000)).
INSERT INTO risks (organization_id, title, likelihood, impact, inherent_frequency, inherent_loss_low,
                   inherent_loss_high, residual_frequency, residual_loss_low, residual_loss_high, treatment_cost)
SELECT o.organization_id, v.title, 2, 2, v.f, v.lo, v.hi, v.rf, v.rlo, v.rhi, v.cost
FROM (VALUES ('QA', 'treated', 0.1, 1000, 10000, 0.05, 1000, 10000, 100),
             ('QA', 'untreated', 3, 1, 10, NULL, NULL, NULL, NULL),
             ('QA', 'cost only', 2, 1, 10, NULL, NULL, NULL, 50),
             ('QA', 'not quantified', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
             ('QB', 'single', 2, 100, 1000, NULL, NULL, NULL, NULL),
             ('QC', 'not quantified either', NULL, NULL, NULL, NULL, NULL, NULL, NULL))
     v(org, title, f, lo, hi, rf, rlo, rhi, cost)
JOIN organizations o ON o.code = v.org;

-- ALE by hand: the mean of (1000, 10000) is 1000 x the mean of (1, 10) = 4040.012826945727
-- (scaling the interval shifts mu by ln 1000, sigma unchanged), so
--   treated:   inherent 0.1 x 4040.0128 = 404.0012826945727, residual 0.05 x 4040.0128 = 202.00064134728635,
--              rosi (404.0012826945727 - 202.00064134728635 - 100) / 100 = 1.0200064134728635;
--   untreated: 3 x 4.040012826945727 = 12.120038480837181, no residual, no rosi;
--   cost only: 2 x 4.040012826945727 = 8.080025653891454, no residual, so no rosi.
SELECT organization, title,
       abs(ale_inherent / CASE title WHEN 'treated' THEN 404.0012826945727 WHEN 'untreated' THEN 12.120038480837181
                                     WHEN 'cost only' THEN 8.080025653891454 ELSE 808.0025653891454 END - 1) < 1e-12 AS ale_inherent_ok,
       round(ale_inherent::numeric, 6) AS ale_inherent,
       round(ale_residual::numeric, 6) AS ale_residual,
       residual_quantified,
       treatment_cost,
       round(rosi::numeric, 9) AS rosi
FROM risk_quantified ORDER BY organization, title;
SELECT abs(ale_residual / 202.00064134728635 - 1) < 1e-12 AS ale_residual_ok,
       abs(rosi / 1.0200064134728635 - 1) < 1e-12 AS rosi_ok
FROM risk_quantified WHERE title = 'treated';

-- VaR and ES are those of 10,000 simulated years of the current loss (residual where quantified),
-- seeded by the risk id; VaR 95 <= VaR 99 <= ES 99.  For 'untreated' (3 a year on (1, 10)) the
-- annual loss has mean 12.12 and sd 8.9, so VaR 99 lies well inside (25, 60).
SELECT q.title,
       q.var_95 = loss_quantile(s, 0.95) AS var_95_is_the_simulation,
       q.var_99 = loss_quantile(s, 0.99) AS var_99_is_the_simulation,
       q.es_99 = loss_expected_shortfall(s, 0.99) AS es_99_is_the_simulation,
       q.var_95 <= q.var_99 AND q.var_99 <= q.es_99 AS ordered
FROM risk_quantified q
JOIN risks r USING (risk_id)
CROSS JOIN LATERAL (SELECT simulate_loss(COALESCE(r.residual_frequency, r.inherent_frequency),
                                         COALESCE(r.residual_loss_low, r.inherent_loss_low),
                                         COALESCE(r.residual_loss_high, r.inherent_loss_high),
                                         10000, r.risk_id) AS s) x
ORDER BY q.organization, q.title;
SELECT var_99 BETWEEN 25 AND 60 AS plausible_var_99 FROM risk_quantified WHERE title = 'untreated';

-- portfolio_loss_exceedance: 50 rows per organization with quantified risks (QA: 3 risks, QB: 1,
-- QC: none), from (0, 1) down to the largest simulated year (probability 1/10000 there: the
-- losses are continuous, so the maximum is one year), never increasing; the rows are
-- loss_exceedance_curve of the portfolio_loss of the same simulations.
SELECT organization, risk_count, count(*) AS rows, min(loss) AS first_loss, max(probability) AS first_probability,
       min(probability) AS last_probability
FROM portfolio_loss_exceedance GROUP BY organization, risk_count ORDER BY organization;
SELECT bool_and(probability <= prev) AS never_increasing
FROM (SELECT probability, lag(probability, 1, 1.0) OVER (PARTITION BY organization ORDER BY loss) AS prev
      FROM portfolio_loss_exceedance) x;
CREATE TABLE quant_qa_curve AS
SELECT c.loss, c.probability
FROM (SELECT portfolio_loss(simulate_loss(COALESCE(r.residual_frequency, r.inherent_frequency),
                                          COALESCE(r.residual_loss_low, r.inherent_loss_low),
                                          COALESCE(r.residual_loss_high, r.inherent_loss_high),
                                          10000, r.risk_id)) AS sim
      FROM risks r JOIN organizations o USING (organization_id)
      WHERE o.code = 'QA' AND r.inherent_frequency IS NOT NULL) p,
     loss_exceedance_curve(p.sim, 50) c;
SELECT (SELECT count(*) FROM (SELECT loss, probability FROM quant_qa_curve
                              EXCEPT ALL
                              SELECT loss, probability FROM portfolio_loss_exceedance WHERE organization = 'QA') a)
     + (SELECT count(*) FROM (SELECT loss, probability FROM portfolio_loss_exceedance WHERE organization = 'QA'
                              EXCEPT ALL
                              SELECT loss, probability FROM quant_qa_curve) b) AS "rows that differ: 0";

-- The chart of an organization is loss_exceedance_svg of the same portfolio, titled with its name;
-- none for an organization without quantified risks.
SELECT org_loss_exceedance_svg(o.organization_id, 'EUR')
       = loss_exceedance_svg((SELECT portfolio_loss(simulate_loss(COALESCE(r.residual_frequency, r.inherent_frequency),
                                                                  COALESCE(r.residual_loss_low, r.inherent_loss_low),
                                                                  COALESCE(r.residual_loss_high, r.inherent_loss_high),
                                                                  10000, r.risk_id))
                              FROM risks r WHERE r.organization_id = o.organization_id AND r.inherent_frequency IS NOT NULL),
                             'Loss exceedance: Quant A', 'EUR') AS same_chart
FROM organizations o WHERE o.code = 'QA';
SELECT org_loss_exceedance_svg(organization_id) IS NULL AS "QC: no chart" FROM organizations WHERE code = 'QC';

-- The new columns are checked: 23514.
\set VERBOSITY sqlstate
UPDATE risks SET inherent_frequency = -1 WHERE title = 'untreated';
UPDATE risks SET inherent_frequency = 10001 WHERE title = 'untreated';
UPDATE risks SET inherent_frequency = 'NaN' WHERE title = 'untreated';
UPDATE risks SET inherent_loss_low = 10 WHERE title = 'untreated';           -- low >= high
UPDATE risks SET inherent_loss_low = 0 WHERE title = 'untreated';            -- non-positive low
UPDATE risks SET inherent_loss_high = 'Infinity' WHERE title = 'untreated';
UPDATE risks SET inherent_loss_high = 'NaN' WHERE title = 'untreated';
UPDATE risks SET inherent_loss_low = NULL WHERE title = 'untreated';         -- part of a triple
UPDATE risks SET residual_frequency = 1 WHERE title = 'untreated';           -- part of a triple
UPDATE risks SET residual_frequency = 1, residual_loss_low = 1, residual_loss_high = 2
WHERE title = 'not quantified';                                              -- residual without inherent
UPDATE risks SET treatment_cost = -1 WHERE title = 'treated';
UPDATE risks SET treatment_cost = 'Infinity' WHERE title = 'treated';
\set VERBOSITY default

-- Tenants: they may write the new columns (like every other non-key column of risks) and
-- read the views, which show only their organizations (security_invoker, row-level security).
SELECT bool_and(has_column_privilege('ismseval_tenant', 'ismseval.risks', c, 'INSERT')
                AND has_column_privilege('ismseval_tenant', 'ismseval.risks', c, 'UPDATE')) AS tenant_writes_new_columns,
       has_table_privilege('ismseval_tenant', 'ismseval.risk_quantified', 'SELECT') AS tenant_reads_risk_quantified,
       has_table_privilege('ismseval_tenant', 'ismseval.portfolio_loss_exceedance', 'SELECT') AS tenant_reads_curve
FROM unnest(ARRAY['inherent_frequency', 'inherent_loss_low', 'inherent_loss_high', 'residual_frequency',
                  'residual_loss_low', 'residual_loss_high', 'treatment_cost']) c;
SELECT organization_id AS qa_id FROM organizations WHERE code = 'QA' \gset
CREATE ROLE quant_tenant_qb NOLOGIN IN ROLE ismseval_tenant;
INSERT INTO tenant_organizations (tenant_role, organization_id)
SELECT 'quant_tenant_qb', organization_id FROM organizations WHERE code = 'QB';
SET ROLE quant_tenant_qb;
SELECT DISTINCT organization FROM risk_quantified;
SELECT DISTINCT organization FROM portfolio_loss_exceedance;
UPDATE risks SET treatment_cost = 10 WHERE title = 'single';
SELECT title, treatment_cost FROM risk_quantified;
SELECT xml_is_well_formed_document(org_loss_exceedance_svg(organization_id)) AS own_chart
FROM organizations WHERE code = 'QB';
SELECT org_loss_exceedance_svg(:qa_id) IS NULL AS "QA's chart: NULL for QB's tenant";
RESET ROLE;
DELETE FROM tenant_organizations WHERE tenant_role = 'quant_tenant_qb'::regrole;
DROP ROLE quant_tenant_qb;

-- Every column of both views has a comment, and plain types only.
SELECT c.relname, count(*) AS columns, count(d.description) AS commented,
       string_agg(DISTINCT format_type(a.atttypid, a.atttypmod), ', ') AS types
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
LEFT JOIN pg_description d ON d.objoid = c.oid AND d.objsubid = a.attnum
WHERE c.relname IN ('risk_quantified', 'portfolio_loss_exceedance') AND c.relnamespace = 'ismseval'::regnamespace
GROUP BY c.relname ORDER BY c.relname;
