-- pgTAP: the BI views: plain column types, a comment on every view and column, plans that
-- push an organization filter down into index scans, and the helper functions' edge cases.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(17);

SELECT set_eq(
    $$SELECT relname::text FROM pg_class WHERE relnamespace = 'ismseval'::regnamespace AND relkind = 'v'$$,
    ARRAY['risk_register', 'risk_heatmap', 'kpi_status', 'objective_status', 'maturity_by_domain',
          'question_peer_rate', 'incident_metrics_monthly', 'org_benchmark', 'management_review',
          'risk_quantified', 'portfolio_loss_exceedance',
          'maturity_history', 'kpi_series', 'risk_history', 'department_maturity',
          'statement_of_applicability', 'framework_mapping_requirements', 'framework_mapping_coverage'],
    'the eighteen views');

SELECT is_empty(
    $$SELECT c.relname || '.' || a.attname || ': ' || format_type(a.atttypid, a.atttypmod)
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      JOIN pg_type t ON t.oid = a.atttypid
      WHERE c.relnamespace = 'ismseval'::regnamespace AND c.relkind = 'v'
        AND (t.typnamespace <> 'pg_catalog'::regnamespace
             OR t.typtype <> 'b' OR t.typcategory = 'A'
             OR t.typname NOT IN ('int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'text', 'bool',
                                  'date', 'timestamptz'))$$,
    'every view column has a plain type (no arrays, intervals, enums, domains or custom types)');

SELECT is_empty(
    $$SELECT c.relname::text FROM pg_class c
      WHERE c.relnamespace = 'ismseval'::regnamespace AND c.relkind = 'v'
        AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''$$,
    'every view has a comment');

SELECT is_empty(
    $$SELECT c.relname || '.' || a.attname FROM pg_class c
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relnamespace = 'ismseval'::regnamespace AND c.relkind = 'v'
        AND coalesce(col_description(c.oid, a.attnum), '') = ''$$,
    'every view column has a comment');

SELECT is_empty(
    $$SELECT c.relname::text FROM pg_class c
      WHERE c.relnamespace = 'ismseval'::regnamespace AND c.relkind = 'r'
        AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''$$,
    'every table has a comment');

-- An organization's dashboard rows are reached through indexes: with sequential scans
-- disabled, no plan may still need one on a table that grows with the organizations.
CREATE FUNCTION pg_temp.seq_scans(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF line ~ 'Seq Scan on (organizations|departments|assessments|answers|assets|risks|kpis|kpi_measurements|objectives|incidents|nonconformities|corrective_actions|maturity_targets|applicability_statements)\M' THEN
            RETURN NEXT line;
        END IF;
    END LOOP;
END $$;
SET LOCAL enable_seqscan = off;
SELECT is_empty($$SELECT * FROM pg_temp.seq_scans('SELECT * FROM ismseval.management_review WHERE organization_id = 42')$$,
                'management_review for one organization: index scans only');
SELECT is_empty($$SELECT * FROM pg_temp.seq_scans('SELECT * FROM ismseval.maturity_by_domain WHERE organization_id = 42')$$,
                'maturity_by_domain for one organization: index scans only');
SELECT is_empty($$SELECT * FROM pg_temp.seq_scans('SELECT * FROM ismseval.question_peer_rate WHERE organization_id = 42')$$,
                'question_peer_rate for one organization: index scans only');
SELECT is_empty($$SELECT * FROM pg_temp.seq_scans('SELECT * FROM ismseval.incident_metrics_monthly WHERE organization_id = 42')$$,
                'incident_metrics_monthly for one organization: index scans only');
SELECT is_empty($$SELECT * FROM pg_temp.seq_scans('SELECT * FROM ismseval.statement_of_applicability WHERE organization_id = 42')$$,
                'statement_of_applicability for one organization: index scans only');
SELECT is_empty($$SELECT * FROM pg_temp.seq_scans('SELECT * FROM ismseval.framework_mapping_requirements WHERE organization_id = 42')$$,
                'framework_mapping_requirements for one organization: index scans only');
SELECT is_empty($$SELECT * FROM pg_temp.seq_scans('SELECT * FROM ismseval.framework_mapping_coverage WHERE organization_id = 42')$$,
                'framework_mapping_coverage for one organization: index scans only');
RESET enable_seqscan;

-- residual_level_rank on the default 4 x 4 matrix (levels by score 1-2 low, 3-4 medium, 6-8 high, 9-16 critical):
-- 4x4 at residual 8 -> high (2); residual 0.5 -> no cell scores <= 0.5 -> low (0).
SELECT is(residual_level_rank(default_risk_matrix(), 4, 4, 8), 2, 'residual 8 of a 4x4 risk: high');
SELECT is(residual_level_rank(default_risk_matrix(), 4, 4, 0.5), 0, 'residual 0.5: low');
-- The cap only matters where a cell scoring no more than the residual ranks above the risk's own
-- cell, which a thresholds matrix (level by score) never has. A 3 x 3 grid where impact weighs
-- more than likelihood (ranks: low 0, medium 1, high 2; one row per likelihood, impact 1 first):
--   likelihood 1: 0 1 2 / likelihood 2: 0 1 2 / likelihood 3: 1 2 2
-- A likely but minor risk, cell (3, 1): score 3, inherent rank 1 (medium). With no control its
-- residual is 3. Cells with score <= 3: (1,1) 1 -> 0, (1,2) 2 -> 1, (1,3) 3 -> 2, (2,1) 2 -> 0,
-- (3,1) 3 -> 1; their highest rank is 2 (high, from the unlikely but severe cell (1, 3)).
-- least(inherent 1, 2) = 1: medium, not high.
SELECT is(residual_level_rank('likelihood 3 impact 3 levels (low #00FF00, medium #FFFF00, high #FF0000) '
                              'grid ((0, 1, 2), (0, 1, 2), (1, 2, 2))', 3, 1, 3),
          1, 'never above the inherent level');

SELECT throws_ok('SELECT ismseval.org_radar_svg(-1)', '22023', 'organization -1 does not exist', 'radar of an unknown organization');
INSERT INTO organizations (code, name, core_business, size_band) VALUES ('TAP-EMPTY', 'Empty', 'regulated', 'small');
SELECT throws_ok(format('SELECT ismseval.org_radar_svg(%s)', (SELECT organization_id FROM organizations WHERE code = 'TAP-EMPTY')),
                 'P0002', NULL, 'radar of an organization without an assessment');

SELECT * FROM finish();
ROLLBACK;
