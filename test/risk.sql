-- pgTAP: risk_score and residual_risk, hand-worked values and every error path
-- (the only harness for these functions).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(41);

-- likelihood x impact, integer form: corners and middle of the 4x4 and 5x5 scales.
SELECT is(risk_score(1, 1), 1, '1 x 1 = 1');
SELECT is(risk_score(4, 4), 16, '4x4 scale: severe x has happened here = 16');
SELECT is(risk_score(1, 4), 4, 'hardly ever x severe = 4');
SELECT is(risk_score(2, 3), 6, '2 x 3 = 6');
SELECT is(risk_score(3, 2), 6, '3 x 2 = 6');
SELECT is(risk_score(0, 4), 0, '0 x 4 = 0');
SELECT is(risk_score(5, 5), 25, '5x5 scale corner = 25');
-- the double precision form.
SELECT is(risk_score(3::float8, 0.5::float8), 1.5::float8, 'float form 3 x 0.5 = 1.5');
SELECT is(risk_score(2.5::float8, 4::float8), 10::float8, 'float form 2.5 x 4 = 10');
SELECT is(risk_score(0.5::float8, 0.5::float8), 0.25::float8, 'float form 0.5 x 0.5 = 0.25');
-- asset value x threat x vulnerability.
SELECT is(risk_score(4, 3, 2), 24, 'asset value 4 x threat 3 x vulnerability 2 = 24');
SELECT is(risk_score(greatest(3, 2, 1), 2, 3), 18,
          'asset value max(C=3, I=2, A=1) = 3, x threat 2 x vulnerability 3 = 18');
SELECT is(risk_score(2.0, 2.0, 0.5), 2::float8, 'float form 2 x 2 x 0.5 = 2');
SELECT is(risk_score(1.5, 2.0, 2.0), 6::float8, 'float form 1.5 x 2 x 2 = 6');
-- a zero factor gives 0 even where the product of the other two is out of range:
-- 65536 x 65536 = 2^32 > 2^31 - 1, but 65536 x 65536 x 0 = 0 (issue 10).
SELECT is(risk_score(65536, 65536, 0), 0, '65536 x 65536 x 0 = 0 (integer)');
SELECT is(risk_score(65536, 0, 65536), 0, '65536 x 0 x 65536 = 0 (integer)');
SELECT is(risk_score(0, 65536, 65536), 0, '0 x 65536 x 65536 = 0 (integer)');
SELECT is(risk_score(1e200::float8, 1e200::float8, 0::float8), 0::float8,
          '1e200 x 1e200 x 0 = 0 (float)');
-- 1024 x 1024 x 2047 = 2^20 x 2047 = 2146435072 <= 2^31 - 1 = 2147483647: in range.
SELECT is(risk_score(1024, 1024, 2047), 2146435072, '1024 x 1024 x 2047 = 2146435072');
-- residual = inherent x (1 - e).
SELECT is(residual_risk(20, 0.4), 12::float8, '20 x (1 - 0.4) = 12');
SELECT is(residual_risk(12, 0.25), 9::float8, '12 x (1 - 0.25) = 9');
SELECT is(residual_risk(16, 1), 0::float8, '16 x (1 - 1) = 0');
SELECT is(residual_risk(9, 0), 9::float8, '9 x (1 - 0) = 9');
-- NULL in, NULL out.
SELECT ok(risk_score(NULL::int, NULL::int) IS NULL AND risk_score(NULL::int, 3) IS NULL
          AND risk_score(2, NULL::int, 3) IS NULL AND residual_risk(NULL, 0.5) IS NULL,
          'NULL in, NULL out');

SELECT throws_ok('SELECT ismseval.risk_score(-1, 2)', '22003', 'likelihood must be >= 0, got -1',
                 'negative likelihood');
SELECT throws_ok('SELECT ismseval.risk_score(1, -2)', '22003', 'impact must be >= 0, got -2',
                 'negative impact');
SELECT throws_ok('SELECT ismseval.risk_score(-1, 2, 3)', '22003', 'asset_value must be >= 0, got -1',
                 'negative asset value');
SELECT throws_ok('SELECT ismseval.risk_score(1, 2, -3)', '22003', 'vulnerability must be >= 0, got -3',
                 'negative vulnerability');
-- 50000 x 50000 = 2.5e9 > 2^31 - 1; 1024 x 1024 x 2049 = 2148532224 > 2^31 - 1.
SELECT throws_ok('SELECT ismseval.risk_score(50000, 50000)', '22003',
                 'risk score is out of range for type integer', 'integer overflow');
SELECT throws_ok('SELECT ismseval.risk_score(1024, 1024, 2049)', '22003',
                 'risk score is out of range for type integer', 'integer overflow, three factors');
SELECT throws_ok($$SELECT ismseval.risk_score('NaN'::float8, 1::float8)$$, '22023',
                 'likelihood must be a finite number, got NaN', 'NaN likelihood');
SELECT throws_ok($$SELECT ismseval.risk_score(1::float8, '-Infinity'::float8)$$, '22023',
                 'impact must be a finite number, got -Infinity', 'infinite impact');
SELECT throws_ok($$SELECT ismseval.risk_score(-0.5::float8, 2::float8)$$, '22003',
                 'likelihood must be >= 0, got -0.5', 'negative float likelihood');
SELECT throws_ok($$SELECT ismseval.risk_score(1::float8, 2::float8, 'NaN'::float8)$$, '22023',
                 'vulnerability must be a finite number, got NaN', 'NaN vulnerability');
SELECT throws_ok($$SELECT ismseval.risk_score(1e300::float8, 1e300::float8)$$, '22003',
                 'risk score is out of range for type double precision', 'float overflow');
SELECT throws_ok('SELECT ismseval.residual_risk(1, 1.01)', '22003',
                 'effectiveness must be between 0 and 1, got 1.01', 'effectiveness above 1');
SELECT throws_ok('SELECT ismseval.residual_risk(1, -0.01)', '22003',
                 'effectiveness must be between 0 and 1, got -0.01', 'effectiveness below 0');
SELECT throws_ok($$SELECT ismseval.residual_risk(10, 'NaN')$$, '22023',
                 'effectiveness must be a finite number, got NaN', 'NaN effectiveness');
SELECT throws_ok('SELECT ismseval.residual_risk(-1, 0.5)', '22003',
                 'inherent must be >= 0, got -1', 'negative inherent');
SELECT throws_ok($$SELECT ismseval.residual_risk('NaN', 0.5)$$, '22023',
                 'inherent must be a finite number, got NaN', 'NaN inherent');
SELECT throws_ok($$SELECT ismseval.residual_risk('Infinity', 0.5)$$, '22023',
                 'inherent must be a finite number, got Infinity', 'infinite inherent');

SELECT * FROM finish();
ROLLBACK;
