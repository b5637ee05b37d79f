-- pgTAP: regression tests for the bugs found by the robustness review of the merged C code
-- (risk.c, kpi.c, effectiveness.c, peer_dist*.c).  Each test failed before its fix.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(8);

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

SELECT * FROM finish();
ROLLBACK;
