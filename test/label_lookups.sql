-- pgTAP: a risk's scale names and residual level are read without decoding every label of its
-- organization's matrix (attack review of 0.5.0). risk_register called risk_matrix_to_jsonb
-- six times and risk_matrix_levels once per risk: a tenant's matrix with 1 MB of labels
-- (15 kB stored) made every read of risk_register, and of management_review and the report
-- that read it, cost about 70 ms per risk of that organization, for every reader. The lookups
-- are now C functions that read the label area only up to the entry they name
-- (risk_matrix_likelihood_name, risk_matrix_impact_name) or not at all
-- (risk_matrix_level_name, risk_matrix_level_color). Tests never assert timings: the calls
-- are counted instead (track_functions).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(13);

-- Matrix M: likelihood 3 (rare with a description and a French translation; the 2nd entry
-- named "2", its position, which is stored as no name of its own; häufig), impact 2 (minor, major),
-- levels low #00FF00 (a description) and high #FF0000 (a translation),
-- grid (likelihood rows) [[low, low], [low, high], [high, high]].
CREATE TEMP TABLE m AS
SELECT ismseval.risk_matrix_from_jsonb('{
  "probability": [{"name": "rare", "description": "once in a century",
                   "translations": {"fr": {"name": "rare", "description": "une fois par siècle"}}},
                  {"name": "2", "abbreviation": "P"},
                  {"name": "häufig"}],
  "impact": [{"name": "minor"}, {"name": "major", "description": "a bad day"}],
  "risk": [{"name": "low", "hexcolor": "#00ff00", "description": "fine"},
           {"name": "high", "hexcolor": "#FF0000", "translations": {"de": {"name": "hoch"}}}],
  "grid": [[0, 0], [0, 1], [1, 1]]}'::jsonb) AS m;

-- The lookups, against the definition above.
SELECT is((SELECT array_agg(ismseval.risk_matrix_likelihood_name(m, l) ORDER BY l) FROM m, generate_series(0, 4) l),
          ARRAY[NULL, 'rare', '2', 'häufig', NULL],
          'likelihood names: own names, the position for an entry without one, NULL off the scale (0 and 4)');
SELECT is((SELECT array_agg(ismseval.risk_matrix_impact_name(m, i) ORDER BY i) FROM m, generate_series(0, 3) i),
          ARRAY[NULL, 'minor', 'major', NULL],
          'impact names: read past the labels of every likelihood entry; NULL off the scale (0 and 3)');
SELECT is((SELECT array_agg(ismseval.risk_matrix_level_name(m, r) || ' ' || ismseval.risk_matrix_level_color(m, r) ORDER BY r)
           FROM m, generate_series(0, 1) r),
          ARRAY['low #00FF00', 'high #FF0000'],
          'level name and colour by rank, as risk_matrix_levels lists them (colour upper case)');
SELECT is((SELECT ROW(ismseval.risk_matrix_level_name(m, -1), ismseval.risk_matrix_level_name(m, 2),
                      ismseval.risk_matrix_level_color(m, 2), ismseval.risk_matrix_level_name(m, NULL))::text FROM m),
          '(,,,)', 'a rank the matrix does not have (-1, 2) or NULL gives NULL');
-- a matrix without labels, read through binary version 1 (0.4.0's, which has none): 2 x 2,
-- levels a and b (colour #000000), thresholds form, b from score 2
CREATE TEMP TABLE m1 (m ismseval.risk_matrix);
DO $$
DECLARE
    path text := current_setting('data_directory') || '/ismseval_label_lookups.bin';
BEGIN
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)',
                   '\x010000000002000000020000000200000001610000000000000001620000000000000002', path);
    EXECUTE format('COPY m1 FROM %L (FORMAT binary)', path);
END
$$;
SELECT is((SELECT ROW(ismseval.risk_matrix_likelihood_name(m, 2), ismseval.risk_matrix_impact_name(m, 1),
                      ismseval.risk_matrix_level_name(m, 1))::text FROM m1),
          '(2,1,b)', 'a matrix without labels: scale entries by position, levels by their names');

-- Organization LL with matrix M; one risk: inherent (3, 2) = high, current (2, 1) = low,
-- residual (1, 1) = low.
INSERT INTO ismseval.organizations (code, name, core_business, size_band, risk_matrix, risk_tolerance)
SELECT 'LL', 'Label lookups', 'regulated', 'small', m, 'high' FROM m;
INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, current_likelihood, current_impact,
                            residual_likelihood, residual_impact)
SELECT organization_id, 'r', 3, 2, 2, 1, 1, 1 FROM ismseval.organizations WHERE code = 'LL';

SET LOCAL track_functions = 'all';
CREATE TEMP TABLE calls_before AS
SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE schemaname = 'ismseval';
CREATE TEMP TABLE reg AS SELECT * FROM ismseval.risk_register WHERE organization = 'LL';

SELECT is((SELECT ROW(inherent_likelihood_name, inherent_impact_name, inherent_level, inherent_color)::text FROM reg),
          '(häufig,major,high,#FF0000)', 'risk_register: inherent (3, 2) is häufig x major, high');
SELECT is((SELECT ROW(current_likelihood_name, current_impact_name, current_level)::text FROM reg),
          '(2,minor,low)', 'risk_register: current (2, 1) is 2 (no name) x minor, low');
SELECT is((SELECT ROW(residual_likelihood_name, residual_impact_name, residual_level, residual_level_rank, residual_color)::text FROM reg),
          '(rare,minor,low,0,#00FF00)', 'risk_register: residual (1, 1) is rare x minor, low (rank 0, #00FF00)');

-- What risk_register called: no function that decodes every label (the jsonb form, the level
-- and scale listings); the lookups by entry and by rank instead.
SELECT is((SELECT COALESCE(sum(s.calls - COALESCE(b.calls, 0)), 0)::integer
           FROM pg_stat_xact_user_functions s LEFT JOIN calls_before b USING (funcname)
           WHERE s.schemaname = 'ismseval'
             AND s.funcname IN ('risk_matrix_to_jsonb', 'risk_matrix_levels', 'risk_matrix_likelihood_scale',
                                'risk_matrix_impact_scale')),
          0, 'risk_register decodes no matrix''s whole label area');
SELECT ok((SELECT sum(s.calls - COALESCE(b.calls, 0)) > 0
           FROM pg_stat_xact_user_functions s LEFT JOIN calls_before b USING (funcname)
           WHERE s.schemaname = 'ismseval' AND s.funcname = 'risk_matrix_likelihood_name'),
          'the count works: risk_register''s calls of risk_matrix_likelihood_name are counted');

-- The heat map reads the names through the same lookups: cell (3, 2) and (2, 1).
SELECT is((SELECT array_agg(likelihood_name || ' x ' || impact_name || ': ' || level ORDER BY likelihood DESC, impact DESC)
           FROM ismseval.risk_heatmap WHERE organization = 'LL' AND (likelihood, impact) IN ((3, 2), (2, 1))),
          ARRAY['häufig x major: high', '2 x minor: low'], 'risk_heatmap: scale names of cells (3, 2) and (2, 1)');
-- management_review's top level and risk_history's levels: counted and named by rank, no labels
SELECT is((SELECT ROW(ismseval.risk_matrix_level_count(m), risks_top_level, risks_current_top_level)::text
           FROM m, ismseval.management_review WHERE organization = 'LL'),
          '(2,1,0)', 'two levels: the top is high (rank 1), the inherent level of the one risk; its current is low');
SELECT is((SELECT ismseval.risk_matrix_likelihood_name(m, 1) FROM m),
          ismseval.risk_matrix_to_jsonb((SELECT m FROM m)) -> 'probability' -> 0 ->> 'name',
          'risk_matrix_likelihood_name agrees with risk_matrix_to_jsonb');

SELECT * FROM finish();
ROLLBACK;
