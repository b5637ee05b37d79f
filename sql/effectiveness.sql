-- combined_effectiveness and its state type, with values worked out by hand.
SET search_path = ismseval, public;

-- 1 - (1 - 0.5)(1 - 0.5) = 1 - 0.25 = 0.75
SELECT combined_effectiveness(e) AS "0.75" FROM (VALUES (0.5::float8), (0.5)) AS t(e);
-- 1 - 0.8 x 0.5 x 1 = 1 - 0.4 = 0.6
SELECT combined_effectiveness(e) AS "0.6" FROM (VALUES (0.2::float8), (0.5), (0.0)) AS t(e);
-- a fully effective control: 1 - 0 x 0.7 = 1, whatever else is there
SELECT combined_effectiveness(e) AS "1" FROM (VALUES (1::float8), (0.3)) AS t(e);
-- NULLs are skipped: {NULL, 0.5, NULL, 0.5} -> 0.75; all NULL or no rows -> NULL
SELECT combined_effectiveness(e) AS "0.75" FROM (VALUES (NULL::float8), (0.5), (NULL), (0.5)) AS t(e);
SELECT combined_effectiveness(e) IS NULL AS all_null FROM (VALUES (NULL::float8), (NULL)) AS t(e);
SELECT combined_effectiveness(e) IS NULL AS no_rows FROM (VALUES (0.5::float8)) AS t(e) WHERE false;
-- per risk: R1 has controls 0.5 and 0.5 (0.75), R2 has 0.2, 0.5 and 0 (0.6), R3 only an unrated one (NULL)
SELECT risk, combined_effectiveness(e)
  FROM (VALUES ('R1', 0.5::float8), ('R1', 0.5), ('R2', 0.2), ('R2', 0.5), ('R2', 0.0),
               ('R3', NULL)) AS t(risk, e)
 GROUP BY risk ORDER BY risk;
-- with residual_risk: inherent 16 x (1 - 0.75) = 4
SELECT residual_risk(16, combined_effectiveness(e)) AS "16x0.25=4"
  FROM (VALUES (0.5::float8), (0.5)) AS t(e);

-- the state type: text form "(count,product)"
SELECT '(0,1)'::effectiveness_state AS initial, ' ( 2 , 0.25 ) '::effectiveness_state AS spaced,
       '(3,1e-3)'::effectiveness_state AS "0.001";
-- the support functions called directly: (1,0.5) + 0.5 -> (2,0.25); (2,0.25) combined with (1,0.5) -> (3,0.125)
SELECT effectiveness_accum('(1,0.5)', 0.5) AS "(2,0.25)",
       effectiveness_combine('(2,0.25)', '(1,0.5)') AS "(3,0.125)",
       effectiveness_final('(3,0.125)') AS "0.875",
       effectiveness_final('(0,1)') IS NULL AS "count 0 is NULL";
-- called directly they copy: the argument is unchanged
SELECT s AS "(1,0.5)", effectiveness_accum(s, 0.5) AS "(2,0.25)", s AS "(1,0.5)"
  FROM (SELECT '(1,0.5)'::effectiveness_state AS s) AS t;
-- the text form reads back exactly, even where the product is no short decimal:
-- (1 - 0.1)(1 - 1/3) and (1 - 0.1)^3 are rounded doubles, printed shortest-exact.
WITH s AS (SELECT effectiveness_accum(effectiveness_accum('(0,1)', 0.1), 1 / 3.0::float8) AS s1,
                  effectiveness_accum(effectiveness_accum(effectiveness_accum('(0,1)', 0.1), 0.1), 0.1) AS s2)
SELECT s1, s1::text::effectiveness_state::text = s1::text AS s1_text_round_trip,
       float8send(effectiveness_final(s1::text::effectiveness_state)) = float8send(effectiveness_final(s1))
           AS s1_final_same_bits,
       s2, s2::text::effectiveness_state::text = s2::text AS s2_text_round_trip,
       float8send(effectiveness_final(s2::text::effectiveness_state)) = float8send(effectiveness_final(s2))
           AS s2_final_same_bits
  FROM s;
-- and whatever extra_float_digits says
SET extra_float_digits = -15;
SELECT '(1,0.1)'::effectiveness_state AS "(1,0.1)", effectiveness_accum('(0,1)', 1 / 3.0::float8) AS "(1,2/3)";
RESET extra_float_digits;
-- binary send: int8 count 2, float8 0.25 = 0x3fd0000000000000
SELECT effectiveness_state_send('(2,0.25)') AS "2, 0.25";

-- a forced parallel plan over 100000 rows (every 7th NULL), against the pure-SQL oracle
-- 1 - exp(sum(ln(1 - e))); e = (i % 10) x 1e-6 keeps the product far from 0 and 1:
-- 85715 non-NULL rows, sum e = 0.385715, sum e^2 / 2 = 1.2214e-6 (ln(1 - e) = -e - e^2/2 - ...),
-- so the result is 1 - exp(-0.3857162214) = 0.3200365 to 7 places.
CREATE TABLE eff_par AS
SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 10) * 1e-6::float8 END AS e
  FROM generate_series(1, 100000) AS i;
ANALYZE eff_par;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT combined_effectiveness(e) FROM eff_par;
-- and the workers really run: two partial states, one row each, combined by the leader
-- (85715 non-NULL of 100000 rows, half a scan per worker on average)
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT combined_effectiveness(e) FROM eff_par;
CREATE TABLE eff_par_result AS SELECT combined_effectiveness(e) AS parallel FROM eff_par;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT combined_effectiveness(e) FROM eff_par;
SELECT abs(r.parallel - o.oracle) < 1e-12 AS parallel_matches_oracle,
       abs(s.serial - o.oracle) < 1e-12 AS serial_matches_oracle,
       round(r.parallel::numeric, 7) AS "0.3200365"
  FROM eff_par_result AS r,
       (SELECT 1 - exp(sum(ln(1 - e))) AS oracle FROM eff_par) AS o,
       (SELECT combined_effectiveness(e) AS serial FROM eff_par) AS s;
RESET max_parallel_workers_per_gather;
DROP TABLE eff_par, eff_par_result;

-- hostile binary input through binary COPY: the bytes go out as a bytea field, come back as the type
CREATE TABLE eff_states (s effectiveness_state);
-- the file lives in the cluster's own directory (no path in the output)
SELECT current_setting('data_directory') || '/ismseval_effectiveness_state.bin' AS eff_bin \gset
-- a good one: count 2, product 0.25
COPY (SELECT '\x00000000000000023fd0000000000000'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
SELECT s AS "(2,0.25)" FROM eff_states;
-- and a binary round trip of a product that is no short decimal
TRUNCATE eff_states;
INSERT INTO eff_states VALUES (effectiveness_accum(effectiveness_accum('(0,1)', 0.1), 1 / 3.0::float8));
COPY eff_states TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
SELECT count(*) AS "2", count(DISTINCT s::text) AS "1" FROM eff_states;
\set VERBOSITY sqlstate
-- too short (8 bytes), empty
COPY (SELECT '\x0000000000000001'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
COPY (SELECT '\x'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
-- a trailing byte
COPY (SELECT '\x00000000000000023fd000000000000000'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
-- count -1
COPY (SELECT '\xffffffffffffffff3ff0000000000000'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
-- product NaN, +Infinity
COPY (SELECT '\x00000000000000017ff8000000000000'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
COPY (SELECT '\x00000000000000017ff0000000000000'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
-- product 1.5, -0.5
COPY (SELECT '\x00000000000000013ff8000000000000'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
COPY (SELECT '\x0000000000000001bfe0000000000000'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
-- count 0 with product 0.5
COPY (SELECT '\x00000000000000003fe0000000000000'::bytea) TO :'eff_bin' (FORMAT binary);
COPY eff_states FROM :'eff_bin' (FORMAT binary);
\set VERBOSITY default
SELECT count(*) AS "still 2" FROM eff_states;
DROP TABLE eff_states;

-- errors: every error path, with SQLSTATE, message and detail, is in test/effectiveness.sql.
