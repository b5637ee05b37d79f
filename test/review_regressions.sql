-- pgTAP: regression tests for the bugs found by the robustness review of the merged C code
-- (risk.c, kpi.c, effectiveness.c, peer_dist*.c).  Each test failed before its fix.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(3);

-- risk_score with three float factors: a zero factor gives 0, even when the product of the
-- other two overflows (it was inf x 0 = NaN); a product in range is returned even when an
-- intermediate one is not (1e200 x 1e200 overflowed before x 1e-200 brought it back).
SELECT is(risk_score(1e200::float8, 1e200::float8, 0::float8), 0::float8,
          'risk_score(1e200, 1e200, 0) = 0, not NaN');
SELECT is(risk_score(0::float8, 1e300::float8, 1e300::float8), 0::float8,
          'risk_score(0, 1e300, 1e300) = 0, not NaN');
SELECT ok(abs(risk_score(1e200::float8, 1e200::float8, 1e-200::float8) / 1e200 - 1) < 1e-15,
          'risk_score(1e200, 1e200, 1e-200) = 1e200 (1e400 x 1e-200), no spurious overflow');

SELECT * FROM finish();
ROLLBACK;
