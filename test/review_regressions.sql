-- pgTAP: regression tests for the bugs found by the robustness review of the merged C code
-- (risk.c, kpi.c, effectiveness.c, peer_dist*.c).  Each test failed before its fix.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(12);

-- risk_score with three float factors: a zero factor gives 0, even when the product of the
-- other two overflows (it was inf x 0 = NaN); a product in range is returned even when an
-- intermediate one is not (1e200 x 1e200 overflowed before x 1e-200 brought it back).
SELECT is(risk_score(1e200::float8, 1e200::float8, 0::float8), 0::float8,
          'risk_score(1e200, 1e200, 0) = 0, not NaN');
SELECT is(risk_score(0::float8, 1e300::float8, 1e300::float8), 0::float8,
          'risk_score(0, 1e300, 1e300) = 0, not NaN');
SELECT ok(abs(risk_score(1e200::float8, 1e200::float8, 1e-200::float8) / 1e200 - 1) < 1e-15,
          'risk_score(1e200, 1e200, 1e-200) = 1e200 (1e400 x 1e-200), no spurious overflow');

-- -0 is accepted where a value must be >= 0; the results are 0, never -0 (kpi_progress already
-- promised this; text output showed '-0').
SELECT is(risk_score('-0'::float8, 5::float8)::text, '0', 'risk_score(-0, 5) = 0, not -0');
SELECT is(risk_score('-0'::float8, 5::float8, 2::float8)::text, '0', 'risk_score(-0, 5, 2) = 0, not -0');
SELECT is(residual_risk('-0'::float8, 0.5)::text, '0', 'residual_risk(-0, 0.5) = 0, not -0');
SELECT is(kpi_attainment('-0'::float8, 10, 'higher_is_better')::text, '0',
          'kpi_attainment(-0, 10, higher) = 0, not -0');
SELECT is(kpi_attainment(0, 10, 'higher_is_better')::text, '0', 'kpi_attainment(0, 10, higher) = 0');

-- The mean of a peer group lies within [min, max]: the rounded sum of six 0.1s is
-- 0.6000000000000001, and / 6 gave 0.10000000000000002, above every value.
SET LOCAL ismseval.min_peer_group = 1;
SELECT is(peer_mean('{0.1,0.1,0.1,0.1,0.1,0.1}'), 0.1::float8, 'mean of six 0.1s = 0.1');
SELECT is(peer_mean('{0.7,0.7,0.7,0.7,0.7,0.7}'), 0.7::float8, 'mean of six 0.7s = 0.7');
SELECT is((SELECT peer_mean(peer_dist(0.2::float8)) FROM generate_series(1, 12)), 0.2::float8,
          'mean of twelve 0.2s from the aggregate = 0.2');
SELECT throws_ok($$SELECT '{1.7e308,1.7e308,1}'::peer_dist$$, '22003', NULL,
                 'a sum that overflows is still an error, not clamped into range');

SELECT * FROM finish();
ROLLBACK;
