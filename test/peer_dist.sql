-- pgTAP: peer_dist, its aggregate and the peer figures: hand-worked values, pure-SQL oracles on
-- 20000 generated rows, serial against forced parallel plans, round trips, and every error path.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(70);

-- The peer group {1,2,2,3,4,6}: n = 6, mean 3, M2 = 4+1+1+0+1+9 = 16, sd = sqrt(16/6) = sqrt(8/3).
CREATE TEMP TABLE six AS
  SELECT peer_dist(x) AS d FROM unnest(ARRAY[4, 2, NULL, 6, 1, 3, 2]::float8[]) AS x;
SELECT is((SELECT d::text FROM six), '{1,2,2,3,4,6};min_peer_group=5',
          'aggregate: sorted, NULL skipped, the floor of its transitions (5) recorded');
SELECT is((SELECT peer_count(d) FROM six), 6::bigint, 'count 6');
SELECT is((SELECT peer_mean(d) FROM six), 3::float8, 'mean 18/6 = 3');
SELECT ok((SELECT abs(peer_stddev(d) - sqrt(8.0 / 3)) < 1e-12 FROM six), 'sd sqrt(16/6)');
SELECT ok((SELECT abs(peer_percentile(d, 2) - 100.0 / 3) < 1e-12 FROM six),
          'percentile of 2 = 100 x (1 + 0.5 x 2) / 6 = 33.33');
SELECT ok((SELECT abs(peer_percentile(d, 6) - 100.0 * 5.5 / 6) < 1e-12 FROM six),
          'percentile of 6 = 100 x (5 + 0.5) / 6 = 91.67');
SELECT is((SELECT peer_percentile(d, 3.5) FROM six), 200.0::float8 / 3,
          'percentile of 3.5 (not in the group) = 100 x 4 / 6');
SELECT is((SELECT peer_percentile(d, -10) FROM six), 0::float8, 'below the minimum: 0');
SELECT is((SELECT peer_percentile(d, 10) FROM six), 100::float8, 'above the maximum: 100');
SELECT ok((SELECT abs(peer_deviation_score(d, 4) - (50 + 10 / sqrt(8.0 / 3))) < 1e-12 FROM six),
          'deviation score of 4 = 50 + 10 x 1 / sqrt(8/3) = 56.12');
SELECT is((SELECT peer_deviation_score(d, 3) FROM six), 50::float8, 'deviation score of the mean = 50');
SELECT is((SELECT peer_quantile(d, 0) FROM six), 1::float8, 'quantile 0 = 1');
SELECT is((SELECT peer_quantile(d, 0.25) FROM six), 2::float8, 'quantile 0.25: position 1.25 between 2 and 2');
SELECT is((SELECT peer_quantile(d, 0.5) FROM six), 2.5::float8, 'quantile 0.5: position 2.5 between 2 and 3');
SELECT is((SELECT peer_quantile(d, 1) FROM six), 6::float8, 'quantile 1 = 6');

-- Minimum peer group, read at call time.
CREATE TEMP TABLE four AS SELECT '{1,2,3,4}'::peer_dist AS d;
SELECT is((SELECT ARRAY[peer_percentile(d, 2), peer_deviation_score(d, 2), peer_quantile(d, 0.5),
                        peer_count(d)::float8, peer_mean(d), peer_stddev(d)] FROM four),
          ARRAY[NULL, NULL, NULL, NULL, NULL, NULL]::float8[], 'group of 4 under a floor of 5: all NULL');
SET LOCAL ismseval.min_peer_group = 3;
SELECT is((SELECT ARRAY[peer_percentile(d, 2), peer_deviation_score(d, 2.5), peer_quantile(d, 0.5),
                        peer_count(d)::float8, peer_mean(d), peer_stddev(d)] FROM four),
          ARRAY[37.5, 50, 2.5, 4, 2.5, sqrt(1.25)]::float8[],
          'floor 3: percentile 100 x 1.5/4, score 50, median 2.5, n 4, mean 2.5, sd sqrt(1.25)');
SET LOCAL ismseval.min_peer_group = 5;
SELECT is((SELECT peer_deviation_score('{7,7,7,7,7}'::peer_dist, 9)), 50::float8, 'sd 0: deviation score 50');
SELECT is((SELECT peer_stddev('{7,7,7,7,7}'::peer_dist)), 0::float8, 'sd 0');
SELECT ok((SELECT peer_dist(x) FROM (SELECT 1::float8 WHERE false) AS t(x)) IS NULL, 'no rows: NULL');
SELECT ok((SELECT peer_dist(NULL::float8)) IS NULL, 'only NULLs: NULL');
-- The floor travels in the value (issue 10, Distributed): the transition records it.
SELECT is((SELECT peer_dist(x, 2)::text FROM unnest(ARRAY[3, 1, 2]::float8[]) x), '{1,2,3};min_peer_group=5',
          'peer_dist(x, 2) under a floor of 5: the floor is not lowered');
SELECT is((SELECT peer_count(peer_dist(x, 7)) FROM unnest(ARRAY[4, 2, 6, 1, 3, 2]::float8[]) x), NULL::bigint,
          'peer_dist(x, 7): raised to 7, a group of 6 publishes nothing');
SELECT throws_ok($$SELECT ismseval.peer_dist(x, 0) FROM (VALUES (1::float8)) t(x)$$, '22003',
                 'min_peer_group must be at least 1, got 0', 'peer_dist(x, 0) is an error');
-- made under 5, read under 3 (as on a coordinator whose session set 3): the value's 5 applies
CREATE TEMP TABLE four_agg AS SELECT peer_dist(x) AS d FROM unnest(ARRAY[1, 2, 3, 4]::float8[]) x;
SET LOCAL ismseval.min_peer_group = 3;
SELECT is((SELECT peer_count(d) FROM four_agg), NULL::bigint, 'a group of 4 made under 5 stays NULL when read under 3');
SET LOCAL ismseval.min_peer_group = 5;

-- 20000 rows in 5 groups, with many ties.
CREATE TABLE peer_tap_rows AS
  SELECT i % 5 AS g, ((i * 7919) % 1000) / 10.0 + (i % 3) AS v FROM generate_series(1, 20000) AS i;
ANALYZE peer_tap_rows;
CREATE TEMP TABLE dists AS SELECT g, peer_dist(v) AS d FROM peer_tap_rows GROUP BY g;
CREATE TEMP TABLE probes AS SELECT p::float8 AS p FROM generate_series(-2.0, 102.0, 0.3) AS p;
SELECT is((SELECT count(*) FROM dists), 5::bigint, 'five groups');
SELECT is((SELECT count(*) FROM (
             SELECT r.g, pr.p,
                    100.0 * (count(*) FILTER (WHERE r.v < pr.p) + 0.5 * count(*) FILTER (WHERE r.v = pr.p))
                      / count(*) AS oracle
             FROM peer_tap_rows AS r CROSS JOIN probes AS pr GROUP BY r.g, pr.p) AS o
           JOIN dists USING (g)
           WHERE abs(peer_percentile(d, o.p) - o.oracle) <= 1e-9),
          (SELECT count(*) * 5 FROM probes),
          'peer_percentile = mid-rank by count(*) FILTER, every group and probe, within 1e-9');
SELECT is((SELECT count(*) FROM (
             SELECT g, q, percentile_cont(q) WITHIN GROUP (ORDER BY v) AS oracle
             FROM peer_tap_rows CROSS JOIN unnest(ARRAY[0, 0.001, 0.1, 0.25, 1.0 / 3, 0.5, 0.9, 0.999, 1]) AS q
             GROUP BY g, q) AS o
           JOIN dists USING (g)
           WHERE abs(peer_quantile(d, o.q) - o.oracle) <= 1e-9),
          45::bigint, 'peer_quantile = percentile_cont, 9 quantiles x 5 groups, within 1e-9');
SELECT is((SELECT count(*) FROM (SELECT g, avg(v) AS m, stddev_pop(v) AS s FROM peer_tap_rows GROUP BY g) AS o
           JOIN dists USING (g)
           WHERE abs(peer_mean(d) - o.m) <= 1e-9 AND abs(peer_stddev(d) - o.s) <= 1e-9
             AND peer_count(d) = 4000),
          5::bigint, 'peer_mean = avg, peer_stddev = stddev_pop, peer_count = 4000, within 1e-9');
SELECT is((SELECT count(*) FROM (SELECT g, avg(v) AS m, stddev_pop(v) AS s FROM peer_tap_rows GROUP BY g) AS o
           JOIN dists USING (g) CROSS JOIN probes
           WHERE abs(peer_deviation_score(d, p) - (50 + 10 * (p - o.m) / o.s)) <= 1e-9),
          (SELECT count(*) * 5 FROM probes), 'peer_deviation_score = 50 + 10 (x - avg) / stddev_pop within 1e-9');

-- Serial against a forced parallel plan (CREATE TABLE AS may run in parallel).
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS SELECT g, peer_dist(v)::text AS d, peer_dist(v, 9)::text AS d9 FROM peer_tap_rows GROUP BY g;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END;
$$;
SELECT matches(pg_temp.plan_of('CREATE TABLE peer_tap_parallel AS SELECT g, peer_dist(v)::text AS d, peer_dist(v, 9)::text AS d9 FROM peer_tap_rows GROUP BY g'),
               'Partial (Hash|Group)?Aggregate', 'forced parallel: the grouped plan has a partial aggregate');
SELECT matches(pg_temp.plan_of('CREATE TABLE peer_tap_parallel_all AS SELECT peer_dist(v)::text AS d FROM peer_tap_rows'),
               'Partial Aggregate', 'forced parallel: the plan has a Partial Aggregate');
CREATE TABLE peer_tap_parallel AS SELECT g, peer_dist(v)::text AS d, peer_dist(v, 9)::text AS d9 FROM peer_tap_rows GROUP BY g;
CREATE TABLE peer_tap_parallel_all AS SELECT peer_dist(v)::text AS d FROM peer_tap_rows;
SELECT is((SELECT count(*) FROM serial JOIN peer_tap_parallel AS p USING (g) WHERE p.d = serial.d), 5::bigint,
          'grouped: parallel and serial distributions identical');
SELECT is((SELECT count(*) FROM serial JOIN peer_tap_parallel AS p USING (g)
            WHERE p.d9 = serial.d9 AND p.d9 LIKE '%};min_peer_group=9'), 5::bigint,
          'grouped peer_dist(v, 9): the floor 9 crosses the Gather in the partial states');
SELECT is((SELECT d FROM peer_tap_parallel_all), (SELECT peer_dist(v)::text FROM peer_tap_rows WHERE g >= 0),
          'ungrouped: parallel and serial distributions identical');
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;

-- Round trips.
SELECT is((SELECT count(*) FROM dists WHERE d::text::peer_dist::text = d::text), 5::bigint, 'text round trip');
SELECT is((SELECT '{0.1,-0,0,5e-324,1.2345678901234567e150,-3.3333333333333335}'::peer_dist::text),
          '{-3.3333333333333335,-0,0,5e-324,0.1,1.2345678901234567e+150}', 'extreme values read back exactly');
SELECT is((SELECT peer_dist_accum(peer_dist_accum(NULL, 2), 1)::text::peer_dist::text), '{1,2};min_peer_group=5',
          'a transition state (not finalized) prints sorted and reads back');
CREATE TEMP TABLE bin_in (g int, d peer_dist);
SELECT current_setting('data_directory') || '/ismseval_peer_dist_tap.bin' AS peer_dist_tap_file \gset
COPY (SELECT g, d FROM dists) TO :'peer_dist_tap_file' (FORMAT binary);
COPY bin_in FROM :'peer_dist_tap_file' (FORMAT binary);
SELECT is((SELECT count(*) FROM bin_in JOIN dists USING (g) WHERE bin_in.d::text = dists.d::text), 5::bigint,
          'binary round trip through binary COPY');
SELECT is((SELECT peer_dist_send('{3,1,2}')), '\x000000033ff000000000000040000000000000004008000000000000'::bytea,
          'binary form: int32 count, then the sorted values as float8');

-- Errors: malformed text, 22P02.
SELECT throws_ok($$SELECT 'x'::ismseval.peer_dist$$, '22P02',
                 'invalid input syntax for type peer_dist: "x"', 'no opening brace');
SELECT throws_ok($$SELECT '{1,2'::ismseval.peer_dist$$, '22P02', NULL, 'no closing brace');
SELECT throws_ok($$SELECT '{1,,2}'::ismseval.peer_dist$$, '22P02', NULL, 'empty element');
SELECT throws_ok($$SELECT '{1;2}'::ismseval.peer_dist$$, '22P02', NULL, 'wrong separator');
SELECT throws_ok($$SELECT '{1} 2'::ismseval.peer_dist$$, '22P02', NULL, 'junk after the brace');
SELECT throws_ok($$SELECT '{one}'::ismseval.peer_dist$$, '22P02', NULL, 'not a number');
SELECT throws_ok($$SELECT '{1,nan}'::ismseval.peer_dist$$, '22P02', NULL, 'NaN in a literal');
SELECT throws_ok($$SELECT '{inf}'::ismseval.peer_dist$$, '22P02', NULL, 'infinity in a literal');
SELECT throws_ok($$SELECT '{1e999}'::ismseval.peer_dist$$, '22003', NULL, 'number out of range for float8');
SELECT throws_ok($$SELECT '{-1e308,-1.5e308}'::ismseval.peer_dist$$, '22003',
                 'peer_dist values are too large: their mean or variance is out of range for type double precision',
                 'mean overflows');
-- Errors: the aggregate, 22023.
SELECT throws_ok($$SELECT ismseval.peer_dist(x) FROM unnest('{1,NaN}'::float8[]) AS x$$, '22023',
                 'value must be a finite number, got NaN', 'NaN into the aggregate');
SELECT throws_ok($$SELECT ismseval.peer_dist(x) FROM unnest('{Infinity}'::float8[]) AS x$$, '22023',
                 'value must be a finite number, got Infinity', 'infinity into the aggregate');
-- Errors: the figures.
SELECT throws_ok($$SELECT ismseval.peer_percentile('{1,2,3,4,5}', 'NaN')$$, '22023',
                 'value must be a finite number, got NaN', 'percentile of NaN');
SELECT throws_ok($$SELECT ismseval.peer_percentile('{1,2,3,4,5}', '-Infinity')$$, '22023',
                 'value must be a finite number, got -Infinity', 'percentile of -infinity');
SELECT throws_ok($$SELECT ismseval.peer_deviation_score('{1,2,3,4,5}', 'NaN')$$, '22023',
                 'value must be a finite number, got NaN', 'deviation score of NaN');
SELECT throws_ok($$SELECT ismseval.peer_deviation_score('{0,0,0,0,1e-150}', 1e300)$$, '22003',
                 'deviation score is out of range for type double precision', 'deviation score overflows');
SELECT throws_ok($$SELECT ismseval.peer_quantile('{1,2,3,4,5}', 1.01)$$, '22003',
                 'q must be between 0 and 1, got 1.01', 'q above 1');
SELECT throws_ok($$SELECT ismseval.peer_quantile('{1,2,3,4,5}', -0.5)$$, '22003',
                 'q must be between 0 and 1, got -0.5', 'q below 0');
SELECT throws_ok($$SELECT ismseval.peer_quantile('{1,2,3,4,5}', 'NaN')$$, '22023',
                 'q must be a finite number, got NaN', 'q NaN');
-- Errors: hostile binary input through binary COPY, 22P03.
CREATE TEMP TABLE hostile_in (d peer_dist);
CREATE FUNCTION pg_temp.copy_bytes(bytes bytea) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', bytes, current_setting('data_directory') || '/ismseval_peer_dist_tap_h.bin');
    EXECUTE format('COPY hostile_in FROM %L (FORMAT binary)', current_setting('data_directory') || '/ismseval_peer_dist_tap_h.bin');
END;
$$;
SELECT lives_ok($$SELECT pg_temp.copy_bytes('\x0000000240000000000000003ff0000000000000')$$,
                'binary count 2: 2, 1 is accepted');
SELECT is((SELECT d::text FROM hostile_in), '{1,2}', 'and read sorted');
-- The SQLSTATE, message and detail of the error that binary input raises.
CREATE FUNCTION pg_temp.binary_error(bytes bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; msg text; detail text;
BEGIN
    PERFORM pg_temp.copy_bytes(bytes);
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    RETURN state || ': ' || msg || ': ' || detail;
END;
$$;
SELECT is(pg_temp.binary_error('\x0000'),
          '22P03: invalid binary representation of type peer_dist: The value is shorter than its 4-byte count.',
          'no count');
SELECT is(pg_temp.binary_error('\xfffffffe'),
          '22P03: invalid binary representation of type peer_dist: The count must be >= 0, got -2.', 'negative count');
SELECT is(pg_temp.binary_error('\x000000033ff00000000000003ff0000000000000'),
          '22P03: invalid binary representation of type peer_dist: The count 3 needs 24 bytes of values, only 16 are left.',
          'count larger than the bytes left');
SELECT is(pg_temp.binary_error('\x7fffffff'),
          '22P03: invalid binary representation of type peer_dist: The count 2147483647 needs 17179869176 bytes of values, only 0 are left.',
          'huge count, nothing allocated');
SELECT is(pg_temp.binary_error('\x000000013ff000000000000000'),
          '22P03: invalid binary representation of type peer_dist: 1 bytes follow the 1 values, expected none or a 4-byte min_peer_group.',
          'trailing byte');
SELECT is(pg_temp.binary_error('\x000000023ff00000000000007ff8000000000000'),
          '22P03: invalid binary representation of type peer_dist: Value 2 must be a finite number, got NaN.', 'NaN value');
SELECT is(pg_temp.binary_error('\x000000017ff0000000000000'),
          '22P03: invalid binary representation of type peer_dist: Value 1 must be a finite number, got Infinity.',
          'infinite value');
SELECT is(pg_temp.binary_error('\x00000001fff0000000000000'),
          '22P03: invalid binary representation of type peer_dist: Value 1 must be a finite number, got -Infinity.',
          '-infinite value');
SELECT throws_ok($$SELECT pg_temp.copy_bytes('\x000000027fefffffffffffff7fefffffffffffff')$$, '22003',
                 NULL, 'binary values whose mean overflows');

SELECT * FROM finish();
ROLLBACK;
