-- kpi_attainment, kpi_progress and kpi_status, with values worked out by hand.
SET search_path = ismseval, public;

-- the enums, in declaration order: rag_status sorts worst first.
SELECT enum_range(NULL::kpi_direction) AS directions, enum_range(NULL::rag_status) AS statuses;
SELECT s FROM unnest(ARRAY['green', 'red', 'amber']::rag_status[]) AS s ORDER BY s;

-- higher is better: actual / target, clamped to [0, 2].
SELECT kpi_attainment(92, 100, 'higher_is_better') AS "92/100=0.92",
       kpi_attainment(150, 100, 'higher_is_better') AS "150/100=1.5",
       kpi_attainment(250, 100, 'higher_is_better') AS "250/100=2.5->2",
       kpi_attainment(0, 100, 'higher_is_better') AS "0/100=0";
-- incidents reported within 24 h: 95 % against a target of 90 % = 95/90 = 1.0555...
SELECT kpi_attainment(95, 90, 'higher_is_better') AS "95/90",
       round(kpi_attainment(95, 90, 'higher_is_better')::numeric, 4) AS "1.0556";
-- lower is better: target / actual, clamped to [0, 2].
SELECT kpi_attainment(8, 5, 'lower_is_better') AS "5/8=0.625",
       kpi_attainment(4, 5, 'lower_is_better') AS "5/4=1.25",
       kpi_attainment(1, 5, 'lower_is_better') AS "5/1=5->2",
       kpi_attainment(20, 5, 'lower_is_better') AS "5/20=0.25";
-- zero targets and zero actuals: 0 against 0 is met (1), 3 against 0 is 0, 0 against 5 is the clamp.
SELECT kpi_attainment(0, 0, 'lower_is_better') AS "0vs0=1",
       kpi_attainment(3, 0, 'lower_is_better') AS "3vs0=0",
       kpi_attainment(0, 5, 'lower_is_better') AS "0vs5=2";
-- NULL in, NULL out.
SELECT kpi_attainment(NULL, 5, 'lower_is_better') IS NULL AS n1,
       kpi_attainment(1, 5, NULL) IS NULL AS n2,
       kpi_progress(1, NULL, 3) IS NULL AS n3,
       kpi_status(1, 2, 'higher_is_better', NULL) IS NULL AS n4;

-- progress = (actual - baseline) / (target - baseline), not clamped.
-- click rate from 20 % towards 5 %: at 8 %, (8-20)/(5-20) = -12/-15 = 0.8; at 25 %, 5/-15 = -1/3 (regressed).
SELECT kpi_progress(8, 20, 5) AS "0.8", kpi_progress(25, 20, 5) AS "-1/3",
       kpi_progress(20, 20, 5) AS "0", kpi_progress(5, 20, 5) AS "1";
-- completion from 50 % towards 90 %: at 100 %, 50/40 = 1.25 (exceeded); baseline = target gives NULL.
SELECT kpi_progress(100, 50, 90) AS "1.25", kpi_progress(70, 50, 50) IS NULL AS "null",
       kpi_progress(0, -10, 10) AS "10/20=0.5";

-- status: training completion 92 of 100 -> 0.92 >= 1 - 0.1: amber;
-- phishing click rate 8 % against 5 % -> 0.625 < 0.9: red; reported within 24 h 95 % vs 90 % -> green.
SELECT kpi_status(92, 100, 'higher_is_better', 0.1) AS amber,
       kpi_status(8, 5, 'lower_is_better') AS red,
       kpi_status(95, 90, 'higher_is_better') AS green;
-- the default tolerance is 0.1: 0.90 is amber, 0.89 is red.
SELECT kpi_status(90, 100, 'higher_is_better') AS "0.90 amber",
       kpi_status(89, 100, 'higher_is_better') AS "0.89 red";
-- boundaries with tolerance 0.25 (all exact in binary): 1 is green, 0.75 = 1 - 0.25 is amber.
SELECT kpi_status(100, 100, 'higher_is_better', 0.25) AS "1 green",
       kpi_status(75, 100, 'higher_is_better', 0.25) AS "0.75 amber",
       kpi_status(74.99, 100, 'higher_is_better', 0.25) AS "0.7499 red",
       kpi_status(4, 4, 'lower_is_better', 0.25) AS "4/4=1 green",
       kpi_status(4, 3, 'lower_is_better', 0.25) AS "3/4=0.75 amber",
       kpi_status(5, 3, 'lower_is_better', 0.25) AS "3/5=0.6 red";
-- tolerance 0: anything below 1 is red; tolerance 1: nothing is red (0 >= 1 - 1).
SELECT kpi_status(99, 100, 'higher_is_better', 0) AS "0.99 red",
       kpi_status(0, 100, 'higher_is_better', 1) AS "0 amber",
       kpi_status(3, 0, 'lower_is_better', 1) AS "0 amber";
-- a table of KPIs sorted worst first, the way a management review reads them.
SELECT kpi, kpi_attainment(actual, target, direction) AS attainment,
       kpi_status(actual, target, direction) AS status
  FROM (VALUES ('training completion %', 92::float8, 100::float8, 'higher_is_better'::kpi_direction),
               ('phishing click rate %', 8, 5, 'lower_is_better'),
               ('reported within 24 h %', 95, 90, 'higher_is_better'),
               ('e-mail mis-sends', 0, 0, 'lower_is_better')) AS k(kpi, actual, target, direction)
 ORDER BY status, kpi;

-- errors: every error path, with SQLSTATE and message, is in test/kpi.sql.
