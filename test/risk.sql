-- pgTAP: risk_score and residual_risk, hand-worked values and every error path.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(20);

SELECT is(risk_score(4, 4), 16, '4x4 scale: severe x has happened here = 16');
SELECT is(risk_score(1, 4), 4, 'hardly ever x severe = 4');
SELECT is(risk_score(5, 5), 25, '5x5 scale corner = 25');
SELECT is(risk_score(3::float8, 0.5::float8), 1.5::float8, 'float form 3 x 0.5 = 1.5');
SELECT is(risk_score(4, 3, 2), 24, 'asset value 4 x threat 3 x vulnerability 2 = 24');
SELECT is(risk_score(2.0, 2.0, 0.5), 2::float8, 'float form 2 x 2 x 0.5 = 2');
SELECT is(residual_risk(20, 0.4), 12::float8, '20 x (1 - 0.4) = 12');
SELECT is(risk_score(NULL::int, NULL::int), NULL, 'NULL in, NULL out');

SELECT throws_ok('SELECT ismseval.risk_score(-1, 2)', '22003', 'likelihood must be >= 0, got -1',
                 'negative likelihood');
SELECT throws_ok('SELECT ismseval.risk_score(1, -2)', '22003', 'impact must be >= 0, got -2',
                 'negative impact');
SELECT throws_ok('SELECT ismseval.risk_score(-1, 2, 3)', '22003', 'asset_value must be >= 0, got -1',
                 'negative asset value');
SELECT throws_ok('SELECT ismseval.risk_score(1, 2, -3)', '22003', 'vulnerability must be >= 0, got -3',
                 'negative vulnerability');
SELECT throws_ok('SELECT ismseval.risk_score(50000, 50000)', '22003', NULL, 'integer overflow');
SELECT throws_ok($$SELECT ismseval.risk_score('NaN'::float8, 1::float8)$$, '22023',
                 'likelihood must be a finite number, got NaN', 'NaN likelihood');
SELECT throws_ok($$SELECT ismseval.risk_score(1::float8, '-Infinity'::float8)$$, '22023',
                 'impact must be a finite number, got -Infinity', 'infinite impact');
SELECT throws_ok($$SELECT ismseval.risk_score(1e300::float8, 1e300::float8)$$, '22003', NULL,
                 'float overflow');
SELECT throws_ok('SELECT ismseval.residual_risk(1, 1.01)', '22003',
                 'effectiveness must be between 0 and 1, got 1.01', 'effectiveness above 1');
SELECT throws_ok('SELECT ismseval.residual_risk(1, -0.01)', '22003',
                 'effectiveness must be between 0 and 1, got -0.01', 'effectiveness below 0');
SELECT throws_ok('SELECT ismseval.residual_risk(-1, 0.5)', '22003',
                 'inherent must be >= 0, got -1', 'negative inherent');
SELECT throws_ok($$SELECT ismseval.residual_risk('NaN', 0.5)$$, '22023',
                 'inherent must be a finite number, got NaN', 'NaN inherent');

SELECT * FROM finish();
ROLLBACK;
