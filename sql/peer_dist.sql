-- peer_dist: the distribution type, its aggregate and the peer figures, with values worked
-- out by hand from the definitions (DOMAIN.md section 5).
SET search_path = ismseval, public;

-- Text form: any order in, sorted out, shortest-exact numbers, white space allowed.
SELECT '{4,2.5,1,2}'::peer_dist AS "{1,2,2.5,4}",
       ' { 3 , -1.5,3 } '::peer_dist AS "{-1.5,3,3}",
       '{}'::peer_dist AS "empty",
       '{0.1,1e20,0,-0,1e-300,-2.5e-7}'::peer_dist AS "sorted, -0 before 0";
-- ... and reads back to the same bits whatever extra_float_digits says.
SET extra_float_digits = -15;
SELECT '{0.1,0.30000000000000004,3.141592653589793}'::peer_dist AS "all 17 digits kept";
RESET extra_float_digits;

-- The peer group {1,2,2,3,4,6}: n = 6, mean = 18 / 6 = 3,
-- squared deviations 4 + 1 + 1 + 0 + 1 + 9 = 16, variance 16 / 6 = 8/3, sd = sqrt(8/3) = 1.6329931618554521.
CREATE TABLE peer_answers (org text, grp text, score double precision);
INSERT INTO peer_answers VALUES
  ('a', 'six', 4), ('b', 'six', 2), ('c', 'six', 6), ('d', 'six', 1), ('e', 'six', 3), ('f', 'six', 2),
  ('g', 'six', NULL),                                           -- skipped
  ('h', 'four', 1), ('i', 'four', 2), ('j', 'four', 3), ('k', 'four', 4),
  ('l', 'flat', 5), ('m', 'flat', 5), ('n', 'flat', 5), ('o', 'flat', 5), ('p', 'flat', 5),
  ('q', 'none', NULL);
CREATE TABLE peer_groups AS SELECT grp, peer_dist(score) AS dist FROM peer_answers GROUP BY grp;
SELECT grp, dist FROM peer_groups ORDER BY grp;

SELECT peer_count(dist) AS "6", peer_mean(dist) AS "3", peer_stddev(dist) AS "sqrt(8/3)"
FROM peer_groups WHERE grp = 'six';
-- mid-rank percentile 100 x (below + 0.5 x equal) / 6
SELECT peer_percentile(dist, 2) AS "100x(1+0.5x2)/6=33.33",
       peer_percentile(dist, 6) AS "100x(5+0.5)/6=91.67",
       peer_percentile(dist, 1) AS "100x0.5/6=8.33",
       peer_percentile(dist, 4) AS "100x4.5/6=75",
       peer_percentile(dist, 2.5) AS "100x3/6=50",
       peer_percentile(dist, 0) AS "below min=0",
       peer_percentile(dist, 7) AS "above max=100"
FROM peer_groups WHERE grp = 'six';
-- deviation score 50 + 10 x (x - 3) / sqrt(8/3); 10 / sqrt(8/3) = 6.123724356957945
SELECT peer_deviation_score(dist, 4) AS "50+6.1237=56.1237",
       peer_deviation_score(dist, 3) AS "50",
       peer_deviation_score(dist, 1) AS "50-12.2474=37.7526",
       peer_deviation_score(dist, 9) AS "50+36.7423=86.7423"
FROM peer_groups WHERE grp = 'six';
-- quantiles as percentile_cont: position q x (6 - 1) in the sorted values [1,2,2,3,4,6]
SELECT peer_quantile(dist, 0) AS "q0=1",
       peer_quantile(dist, 0.25) AS "pos1.25:2+0.25x0=2",
       peer_quantile(dist, 0.5) AS "pos2.5:2+0.5x1=2.5",
       peer_quantile(dist, 0.75) AS "pos3.75:3+0.75x1=3.75",
       peer_quantile(dist, 0.9) AS "pos4.5:4+0.5x2=5",
       peer_quantile(dist, 1) AS "q1=6"
FROM peer_groups WHERE grp = 'six';

-- Minimum peer group: the group of 4 publishes nothing under the default floor of 5.
SHOW ismseval.min_peer_group;
SELECT peer_count(dist) IS NULL AS count_null, peer_mean(dist) IS NULL AS mean_null,
       peer_stddev(dist) IS NULL AS sd_null, peer_percentile(dist, 2) IS NULL AS pct_null,
       peer_deviation_score(dist, 2) IS NULL AS dev_null, peer_quantile(dist, 0.5) IS NULL AS q_null
FROM peer_groups WHERE grp = 'four';
-- The aggregate records the floor (ismseval.min_peer_group where its transitions run) in
-- its value, and the figures read it from there, wherever they run.
SET ismseval.min_peer_group = 3;
-- {1,2,3,4} aggregated under a floor of 3 carries it:
-- mean 2.5, sd = sqrt((2.25 + 0.25 + 0.25 + 2.25) / 4) = sqrt(1.25) = 1.118033988749895
SELECT dist AS "{1,2,3,4};min_peer_group=3",
       peer_count(dist) AS "4", peer_mean(dist) AS "2.5", peer_stddev(dist) AS "sqrt(1.25)",
       peer_percentile(dist, 3) AS "100x(2+0.5)/4=62.5", peer_quantile(dist, 0.5) AS "pos1.5=2.5",
       peer_deviation_score(dist, 2.5) AS "50"
FROM (SELECT peer_dist(score) AS dist FROM peer_answers WHERE grp = 'four') AS s;
-- the stored 'four' was computed under 5: it stays NULL under a session floor of 3
SELECT peer_count(dist) IS NULL AS "stored under 5: NULL" FROM peer_groups WHERE grp = 'four';
SET ismseval.min_peer_group = 7;
-- the stored 'six' (6 values) keeps its floor 5; aggregated again under 7 it is NULL
SELECT peer_count(dist) AS "6 (floor 5 kept)",
       (SELECT peer_count(peer_dist(score)) FROM peer_answers WHERE grp = 'six') IS NULL AS "six below 7"
FROM peer_groups WHERE grp = 'six';
-- a literal carries no floor: the setting where the figure runs applies (6 < 7: NULL)
SELECT peer_count('{1,2,2,3,4,6}'::peer_dist) IS NULL AS "literal below 7",
       peer_count('{1,2,2,3,4,6};min_peer_group=6'::peer_dist) AS "6 (its own floor 6)";
RESET ismseval.min_peer_group;

-- Standard deviation 0: every deviation score is 50.
SELECT peer_stddev(dist) AS "0", peer_deviation_score(dist, 7) AS "50", peer_deviation_score(dist, 5) AS "50",
       peer_percentile(dist, 5) AS "100x2.5/5=50"
FROM peer_groups WHERE grp = 'flat';
-- No rows (or only NULLs) give NULL.
SELECT dist IS NULL AS "only NULLs: NULL" FROM peer_groups WHERE grp = 'none';
SELECT peer_dist(score) IS NULL AS "no rows: NULL" FROM peer_answers WHERE false;

-- The support functions called directly never modify their arguments; a state that is not
-- finalized yet prints sorted and is read correctly by every figure.
WITH s AS (SELECT '{1,2,3}'::peer_dist AS d)
SELECT peer_dist_combine(d, d) AS "{1,1,2,2,3,3}", d AS "{1,2,3}",
       peer_dist_accum(d, 0) AS "{0,1,2,3}", peer_dist_accum(d, NULL) AS "{1,2,3}"
FROM s;
WITH s AS (SELECT peer_dist_accum(peer_dist_accum(peer_dist_accum(peer_dist_accum(peer_dist_accum(
                    NULL, 5), 1), 4), 2), 3) AS d)
SELECT d AS "{1,2,3,4,5}", d::text::peer_dist AS "reads back",
       peer_percentile(d, 2) AS "100x1.5/5=30", peer_mean(d) AS "3", peer_quantile(d, 0.5) AS "3",
       peer_stddev(d) AS "sqrt(2)", peer_deviation_score(d, 3) AS "50"
FROM s;
SELECT peer_dist_accum(NULL, NULL) IS NULL AS "NULL state, NULL value: NULL";

-- Serial and forced parallel plans give identical distributions (20000 rows, 7 groups).
CREATE TABLE peer_rows AS
  SELECT i % 7 AS g, ((i * 7919) % 1000) / 8.0 + (i % 3) AS v
  FROM generate_series(1, 20000) AS i;
ANALYZE peer_rows;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE peer_serial AS SELECT g, peer_dist(v)::text AS dist FROM peer_rows GROUP BY g;
CREATE TABLE peer_serial_all AS SELECT peer_dist(v)::text AS dist FROM peer_rows;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT peer_dist(v) FROM peer_rows;
SELECT (SELECT peer_dist(v)::text FROM peer_rows) = dist AS "parallel = serial" FROM peer_serial_all;
SELECT count(*) AS "7 groups", count(*) FILTER (WHERE p.dist = s.dist) AS "7 identical"
FROM (SELECT g, peer_dist(v)::text AS dist FROM peer_rows GROUP BY g) AS p JOIN peer_serial AS s USING (g);
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;

-- Text round trip is exact: same text, same figures.
SELECT count(*) AS "7", count(*) FILTER (WHERE dist::peer_dist::text = dist) AS "7 same text"
FROM peer_serial;
SELECT count(*) FILTER (WHERE peer_mean(d) = peer_mean(d::text::peer_dist)
                          AND peer_stddev(d) = peer_stddev(d::text::peer_dist)) AS "7 same figures"
FROM (SELECT peer_dist(v / 3.0) AS d FROM peer_rows GROUP BY g) AS x;

-- Binary round trip through binary COPY.
CREATE TABLE peer_bin (g int, dist peer_dist);
SELECT current_setting('data_directory') || '/ismseval_peer_dist_rt.bin' AS peer_dist_rt_file \gset
COPY (SELECT g, peer_dist(v) FROM peer_rows GROUP BY g) TO :'peer_dist_rt_file' (FORMAT binary);
COPY peer_bin FROM :'peer_dist_rt_file' (FORMAT binary);
SELECT count(*) AS "7 identical after binary COPY" FROM peer_bin AS b JOIN peer_serial AS s USING (g)
WHERE b.dist::text = s.dist;
-- hand-made binary: count 3, then 2.0, 1.0, 3.0 (any order is accepted and sorted)
SELECT current_setting('data_directory') || '/ismseval_peer_dist_in.bin' AS peer_dist_in_file \gset
COPY (SELECT '\x0000000340000000000000003ff00000000000004008000000000000'::bytea) TO :'peer_dist_in_file' (FORMAT binary);
CREATE TABLE peer_one (dist peer_dist);
COPY peer_one FROM :'peer_dist_in_file' (FORMAT binary);
SELECT dist AS "{1,2,3}" FROM peer_one;

-- errors
\set VERBOSITY sqlstate
-- malformed literals: 22P02 (a number out of range for double precision: 22003)
SELECT ''::peer_dist;
SELECT '1,2'::peer_dist;
SELECT '{'::peer_dist;
SELECT '{1,'::peer_dist;
SELECT '{1,,2}'::peer_dist;
SELECT '{,}'::peer_dist;
SELECT '{1 2}'::peer_dist;
SELECT '{1}x'::peer_dist;
SELECT '{a}'::peer_dist;
SELECT '{NaN}'::peer_dist;
SELECT '{1,-Infinity}'::peer_dist;
SELECT '{1e400}'::peer_dist;
-- values whose mean overflows: 22003
SELECT '{1.7e308,1.7e308}'::peer_dist;
-- NaN / infinity into the aggregate: 22023
SELECT peer_dist(x) FROM (VALUES (1::float8), ('NaN')) AS t(x);
SELECT peer_dist(x) FROM (VALUES (1::float8), ('-Infinity')) AS t(x);
-- arguments of the figures
SELECT peer_percentile('{1,2,3,4,5}', 'NaN');
SELECT peer_deviation_score('{1,2,3,4,5}', 'Infinity');
SELECT peer_quantile('{1,2,3,4,5}', 1.5);
SELECT peer_quantile('{1,2,3,4,5}', -0.1);
SELECT peer_quantile('{1,2,3,4,5}', 'NaN');
-- sd = 4e-151 (group {0,0,0,0,1e-150}), so 10 x 1e300 / sd overflows: 22003
SELECT peer_deviation_score('{0,0,0,0,1e-150}', 1e300);
-- hostile binary input: 22P03
CREATE TABLE peer_hostile (n int, bytes bytea);
INSERT INTO peer_hostile VALUES
  (1, '\x'),                                          -- shorter than the count
  (2, '\x000001'),                                    -- 3 bytes
  (3, '\xffffffff'),                                  -- count -1
  (4, '\x000000023ff0000000000000'),                  -- count 2, one value
  (5, '\x7fffffff'),                                  -- count 2^31 - 1, nothing after
  (6, '\x000000017ff8000000000000'),                  -- NaN
  (7, '\x000000017ff0000000000000'),                  -- Infinity
  (8, '\x00000002fff00000000000003ff0000000000000'),  -- -Infinity
  (9, '\x0000000000'),                                -- a byte after the values
  (10, '\x000000027fefffffffffffff7fefffffffffffff'); -- two DBL_MAX: mean overflows, 22003
SELECT current_setting('data_directory') || '/ismseval_peer_dist_h.bin' AS peer_dist_h_file \gset
COPY (SELECT bytes FROM peer_hostile WHERE n = 1) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
COPY (SELECT bytes FROM peer_hostile WHERE n = 2) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
COPY (SELECT bytes FROM peer_hostile WHERE n = 3) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
COPY (SELECT bytes FROM peer_hostile WHERE n = 4) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
COPY (SELECT bytes FROM peer_hostile WHERE n = 5) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
COPY (SELECT bytes FROM peer_hostile WHERE n = 6) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
COPY (SELECT bytes FROM peer_hostile WHERE n = 7) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
COPY (SELECT bytes FROM peer_hostile WHERE n = 8) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
COPY (SELECT bytes FROM peer_hostile WHERE n = 9) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
COPY (SELECT bytes FROM peer_hostile WHERE n = 10) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
\set VERBOSITY default
-- the messages name the argument and the allowed range
SELECT '{1,x}'::peer_dist;
SELECT '{1 2}'::peer_dist;
SELECT peer_quantile('{1,2,3,4,5}', 1.5);
SELECT peer_dist(x) FROM (VALUES ('NaN'::float8)) AS t(x);
COPY (SELECT bytes FROM peer_hostile WHERE n = 4) TO :'peer_dist_h_file' (FORMAT binary);
COPY peer_one FROM :'peer_dist_h_file' (FORMAT binary);
SELECT count(*) AS "still 1 row" FROM peer_one;

DROP TABLE peer_answers, peer_groups, peer_rows, peer_serial, peer_serial_all, peer_bin, peer_one,
           peer_hostile;
