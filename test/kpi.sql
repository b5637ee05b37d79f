-- pgTAP: kpi_attainment, kpi_progress and kpi_status, hand-worked values and every error path.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(53);

-- attainment, higher is better: actual / target clamped to [0, 2]
SELECT is(kpi_attainment(92, 100, 'higher_is_better'), 0.92::float8, 'training completion 92 of 100 = 0.92');
SELECT is(kpi_attainment(150, 100, 'higher_is_better'), 1.5::float8, '150 of 100 = 1.5');
SELECT is(kpi_attainment(250, 100, 'higher_is_better'), 2::float8, '250 of 100 = 2.5, clamped to 2');
SELECT is(kpi_attainment(0, 100, 'higher_is_better'), 0::float8, '0 of 100 = 0');
SELECT is(round(kpi_attainment(95, 90, 'higher_is_better')::numeric, 4), 1.0556,
          'reported within 24 h: 95 % against 90 % = 95/90 = 1.0556');
-- attainment, lower is better: target / actual clamped to [0, 2]
SELECT is(kpi_attainment(8, 5, 'lower_is_better'), 0.625::float8, 'phishing click rate 8 % against 5 % = 5/8 = 0.625');
SELECT is(kpi_attainment(4, 5, 'lower_is_better'), 1.25::float8, '4 against 5 = 1.25');
SELECT is(kpi_attainment(1, 5, 'lower_is_better'), 2::float8, '1 against 5 = 5, clamped to 2');
SELECT is(kpi_attainment(0, 0, 'lower_is_better'), 1::float8, 'zero target met by zero actual = 1');
SELECT is(kpi_attainment(3, 0, 'lower_is_better'), 0::float8, '3 against a zero target = 0');
SELECT is(kpi_attainment(0, 5, 'lower_is_better'), 2::float8, 'zero actual against 5 = the clamp, 2');
SELECT is(kpi_attainment(NULL, 5, 'lower_is_better'), NULL, 'NULL in, NULL out');

-- progress = (actual - baseline) / (target - baseline), not clamped
SELECT is(kpi_progress(8, 20, 5), 0.8::float8, 'click rate 20 % -> 5 %, now 8 %: -12/-15 = 0.8');
SELECT is(kpi_progress(35, 20, 5), -1::float8, 'click rate 20 % -> 5 %, now 35 %: 15/-15 = -1 (regressed)');
SELECT is(kpi_progress(100, 50, 90), 1.25::float8, 'completion 50 % -> 90 %, now 100 %: 50/40 = 1.25 (exceeded)');
SELECT is(kpi_progress(20, 20, 5)::text, '0', 'no progress is 0, not -0');
SELECT is(kpi_progress(7, 3, 3), NULL, 'baseline = target gives NULL');

-- status from attainment
SELECT is(kpi_status(92, 100, 'higher_is_better', 0.1), 'amber'::rag_status, '0.92 >= 0.9: amber');
SELECT is(kpi_status(8, 5, 'lower_is_better'), 'red'::rag_status, '0.625 < 0.9: red');
SELECT is(kpi_status(95, 90, 'higher_is_better'), 'green'::rag_status, '1.0556 >= 1: green');
SELECT is(kpi_status(90, 100, 'higher_is_better'), 'amber'::rag_status, 'default tolerance 0.1: 0.9 is amber');
SELECT is(kpi_status(100, 100, 'higher_is_better', 0.25), 'green'::rag_status, 'exactly 1: green');
SELECT is(kpi_status(75, 100, 'higher_is_better', 0.25), 'amber'::rag_status, 'exactly 1 - 0.25 = 0.75: amber');
SELECT is(kpi_status(4, 3, 'lower_is_better', 0.25), 'amber'::rag_status, 'lower: 3/4 = 0.75: amber');
SELECT is(kpi_status(74.99, 100, 'higher_is_better', 0.25), 'red'::rag_status, '0.7499 < 0.75: red');
SELECT is(kpi_status(99, 100, 'higher_is_better', 0), 'red'::rag_status, 'tolerance 0: 0.99 is red');
-- one call site over many rows, directions mixed: the cached label OIDs serve every row
SELECT is((SELECT string_agg(kpi_status(i, 4, 'higher_is_better', 0.25)::text || '/' ||
                             kpi_status(i, 4, 'lower_is_better', 0.25)::text, ',' ORDER BY i)
             FROM generate_series(0, 6) AS i),
          'red/green,red/green,red/green,amber/green,green/green,green/amber,green/red',
          'i/4 (higher) and 4/i (lower, 4/0 clamped to 2) for i = 0..6 at tolerance 0.25');
SELECT is(ARRAY(SELECT s FROM unnest(ARRAY['green', 'red', 'amber']::rag_status[]) AS s ORDER BY s),
          ARRAY['red', 'amber', 'green']::rag_status[], 'rag_status sorts worst first');
SELECT is((SELECT count(*) FROM pg_proc
            WHERE pronamespace = 'ismseval'::regnamespace
              AND proname IN ('kpi_attainment', 'kpi_progress', 'kpi_status')
              AND provolatile = 'i' AND proisstrict AND proparallel = 's'
              AND obj_description(oid, 'pg_proc') IS NOT NULL),
          3::bigint, 'the three functions are IMMUTABLE STRICT PARALLEL SAFE with a comment');

-- errors
SELECT throws_ok($$SELECT ismseval.kpi_attainment(-1, 5, 'higher_is_better')$$, '22003',
                 'actual must be >= 0, got -1', 'negative actual, higher is better');
SELECT throws_ok($$SELECT ismseval.kpi_attainment(-1, 5, 'lower_is_better')$$, '22003',
                 'actual must be >= 0, got -1', 'negative actual, lower is better');
SELECT throws_ok($$SELECT ismseval.kpi_attainment(5, 0, 'higher_is_better')$$, '22003',
                 'target must be > 0 when direction is higher_is_better, got 0', 'zero target, higher is better');
SELECT throws_ok($$SELECT ismseval.kpi_attainment(5, -1, 'higher_is_better')$$, '22003',
                 'target must be > 0 when direction is higher_is_better, got -1', 'negative target, higher is better');
SELECT throws_ok($$SELECT ismseval.kpi_attainment(5, -1, 'lower_is_better')$$, '22003',
                 'target must be >= 0, got -1', 'negative target, lower is better');
SELECT throws_ok($$SELECT ismseval.kpi_attainment('NaN', 5, 'higher_is_better')$$, '22023',
                 'actual must be a finite number, got NaN', 'NaN actual');
SELECT throws_ok($$SELECT ismseval.kpi_attainment('-Infinity', 5, 'lower_is_better')$$, '22023',
                 'actual must be a finite number, got -Infinity', 'infinite actual');
SELECT throws_ok($$SELECT ismseval.kpi_attainment(5, 'Infinity', 'higher_is_better')$$, '22023',
                 'target must be a finite number, got Infinity', 'infinite target');
SELECT throws_ok($$SELECT ismseval.kpi_attainment(5, 'NaN', 'lower_is_better')$$, '22023',
                 'target must be a finite number, got NaN', 'NaN target');
SELECT throws_ok($$SELECT ismseval.kpi_progress('NaN', 1, 2)$$, '22023',
                 'actual must be a finite number, got NaN', 'progress: NaN actual');
SELECT throws_ok($$SELECT ismseval.kpi_progress(1, 'Infinity', 2)$$, '22023',
                 'baseline must be a finite number, got Infinity', 'progress: infinite baseline');
SELECT throws_ok($$SELECT ismseval.kpi_progress(1, 0, '-Infinity')$$, '22023',
                 'target must be a finite number, got -Infinity', 'progress: infinite target');
SELECT throws_ok($$SELECT ismseval.kpi_progress(1e308, -1e308, 0)$$, '22003',
                 'kpi_progress is out of range for type double precision', 'progress: difference overflows');
SELECT throws_ok($$SELECT ismseval.kpi_progress(1, 0, 1e-320)$$, '22003',
                 'kpi_progress is out of range for type double precision', 'progress: quotient overflows');
SELECT throws_ok($$SELECT ismseval.kpi_status(1, 1, 'higher_is_better', -0.1)$$, '22003',
                 'amber_tolerance must be between 0 and 1, got -0.1', 'negative tolerance');
SELECT throws_ok($$SELECT ismseval.kpi_status(1, 1, 'higher_is_better', 1.5)$$, '22003',
                 'amber_tolerance must be between 0 and 1, got 1.5', 'tolerance above 1');
SELECT throws_ok($$SELECT ismseval.kpi_status(1, 1, 'higher_is_better', 'NaN')$$, '22023',
                 'amber_tolerance must be a finite number, got NaN', 'NaN tolerance');
SELECT throws_ok($$SELECT ismseval.kpi_status(-1, 1, 'lower_is_better')$$, '22003',
                 'actual must be >= 0, got -1', 'status: negative actual');
SELECT throws_ok($$SELECT ismseval.kpi_status(1, 0, 'higher_is_better')$$, '22003',
                 'target must be > 0 when direction is higher_is_better, got 0', 'status: zero target, higher');
SELECT throws_ok($$SELECT ismseval.kpi_status(1, -2, 'lower_is_better')$$, '22003',
                 'target must be >= 0, got -2', 'status: negative target, lower');
SELECT throws_ok($$SELECT ismseval.kpi_status('Infinity', 1, 'higher_is_better')$$, '22023',
                 'actual must be a finite number, got Infinity', 'status: infinite actual');
SELECT throws_ok($$SELECT ismseval.kpi_status(1, 'NaN', 'lower_is_better')$$, '22023',
                 'target must be a finite number, got NaN', 'status: NaN target');
SELECT throws_ok($$SELECT ismseval.kpi_attainment(1, 1, 'sideways')$$, '22P02', NULL,
                 'a direction that is no label of kpi_direction');
-- a label of another enum reaching the C function (through an alias taking rag_status) is
-- named by its label, never by its OID
CREATE FUNCTION ismseval.kpi_attainment_by_status(double precision, double precision, ismseval.rag_status)
RETURNS double precision AS '$libdir/ismseval', 'kpi_attainment' LANGUAGE C STRICT;
SELECT throws_ok($$SELECT ismseval.kpi_attainment_by_status(1, 1, 'amber')$$, '22023',
                 'direction must be higher_is_better or lower_is_better, got "amber"',
                 'an unexpected direction label is named, not its OID');

SELECT * FROM finish();
ROLLBACK;
