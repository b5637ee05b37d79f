-- Quantitative risk, simulation: the loss_sim type, simulate_loss, portfolio_loss and the
-- read-outs.  Read-outs are checked on hand-made values; simulated figures against the
-- closed forms within stated statistical bounds (about 4 standard errors).
SET search_path = ismseval, public;

-- Text form: the losses of years 1..N in year order, shortest-exact, white space allowed.
SELECT ' { 0 , 10,20 ,30,40 } '::loss_sim AS "{0,10,20,30,40}",
       '{0.1,1e300,5e-324,0}'::loss_sim AS "extremes kept";
SET extra_float_digits = -15;
SELECT '{0.1,0.30000000000000004,3.141592653589793}'::loss_sim AS "all 17 digits kept";
RESET extra_float_digits;

-- Read-outs of {0,10,20,30,40} (N = 5):
-- mean (0 + 10 + 20 + 30 + 40) / 5 = 20; quantile at position q x 4:
-- q 0.5 -> 2 -> 20; q 0.9 -> 3.6 -> 30 + 0.6 x 10 = 36; q 0.99 -> 3.96 -> 39.6; q 0 -> 0; q 1 -> 40.
SELECT loss_years(s) AS "5", loss_mean(s) AS "20",
       loss_quantile(s, 0.5) AS "20", loss_quantile(s, 0.9) AS "36", loss_quantile(s, 0.99) AS "39.6",
       loss_quantile(s, 0) AS "0", loss_quantile(s, 1) AS "40"
FROM (SELECT '{40,0,30,10,20}'::loss_sim AS s) x;
-- expected shortfall: mean of the m = max(1, 5 - floor(5 q)) largest:
-- q 0.6 -> m 2 -> (30 + 40) / 2 = 35; q 0.99 -> m 1 -> 40; q 0 -> m 5 -> 20; q 0.5 -> m 3 -> 30.
-- exceedance: fraction >= amount: 30 -> 2/5; 31 -> 1/5; 0 -> 1; 41 -> 0; -5 -> 1.
SELECT loss_expected_shortfall(s, 0.6) AS "35", loss_expected_shortfall(s, 0.99) AS "40",
       loss_expected_shortfall(s, 0) AS "20", loss_expected_shortfall(s, 0.5) AS "30",
       loss_exceedance(s, 30) AS "0.4", loss_exceedance(s, 31) AS "0.2", loss_exceedance(s, 0) AS "1",
       loss_exceedance(s, 41) AS "0", loss_exceedance(s, -5) AS "1"
FROM (SELECT '{40,0,30,10,20}'::loss_sim AS s) x;
-- curve with 5 points: losses 40 x i / 4 = 0, 10, 20, 30, 40; P(L >= loss) = 5/5, 4/5, 3/5, 2/5, 1/5.
SELECT * FROM loss_exceedance_curve('{40,0,30,10,20}', 5);
-- 3 points: 0, 20, 40 -> 1, 0.6, 0.2; all-zero losses: every row (0, 1).
SELECT * FROM loss_exceedance_curve('{40,0,30,10,20}', 3);
SELECT * FROM loss_exceedance_curve('{0,0}', 2);

-- simulate_loss.  Frequency 0: every year 0.
SELECT simulate_loss(0, 1, 10, 4, 1) AS "{0,0,0,0}",
       simulate_loss(0, 1, 10, 3, 1, 'bernoulli') AS "{0,0,0}";
-- a single year
SELECT loss_years(s) AS "1", loss_quantile(s, 0.3) = loss_mean(s) AS "one value",
       loss_expected_shortfall(s, 0.99) = loss_mean(s) AS "es one value"
FROM (SELECT simulate_loss(2, 1, 10, 1, 7) AS s) x;
-- same arguments, same losses; another seed, other losses.
SELECT simulate_loss(0.5, 1000, 100000, 1000, 42)::text = simulate_loss(0.5, 1000, 100000, 1000, 42)::text AS same_seed,
       simulate_loss(0.5, 1000, 100000, 1000, 42)::text <> simulate_loss(0.5, 1000, 100000, 1000, 43)::text AS other_seed,
       simulate_loss(0.5, 1000, 100000, 1000, 42, 'bernoulli')::text
         <> simulate_loss(0.5, 1000, 100000, 1000, 42)::text AS other_model;
-- The generator is pinned: these are the first five years of seed 42 at frequency 1 on (1, 10)
-- (program output, not hand-worked: it fails if the generator, the normal or the Poisson method
-- changes, on any platform).
SELECT simulate_loss(1, 1, 10, 5, 42);

-- riskquant: the mean of 10,000 simulated years of (0.1; 1, 10) lies in (0.36, 0.45) (ALE 0.404),
-- for each of five seeds.
SELECT seed, loss_mean(simulate_loss(0.1, 1, 10, 10000, seed)) BETWEEN 0.36 AND 0.45 AS in_range
FROM generate_series(1, 5) seed;
-- P(at least one event) at f = 0.1 is 1 - exp(-0.1) = 0.09516258196404048; over 100,000 years the
-- standard error is sqrt(0.0952 x 0.9048 / 100000) = 0.00093, so within 0.0037 (4 standard errors).
SELECT abs(loss_exceedance(simulate_loss(0.1, 1, 10, 100000, seed), 1e-300) - 0.09516258196404048) < 0.0037 AS p_any
FROM generate_series(1, 3) seed;
-- Bernoulli: one event with probability 0.1: P(loss > 0) = 0.1 (standard error 0.00095),
-- and never more than one event: p = 1 gives a loss every year.
SELECT abs(loss_exceedance(simulate_loss(0.1, 1, 10, 100000, 5, 'bernoulli'), 1e-300) - 0.1) < 0.0038 AS p_year,
       loss_exceedance(simulate_loss(1, 1, 10, 1000, 5, 'bernoulli'), 1e-300) AS "1";
-- Simulated mean against the closed form: f = 3 on (1, 10), ALE 12.120038480837177; the annual
-- loss has variance f E[X^2] = 3 exp(2 mu + 2 sigma^2) = 3 x 4.040^2 x exp(0.6999^2) = 79.8, so the
-- standard error of a 100,000-year mean is 0.0283: within 0.12.  Large mean (PTRS): f = 50,
-- ALE 202.0006, standard error sqrt(50 x 26.6 / 100000) = 0.115: within 0.5.
SELECT abs(loss_mean(simulate_loss(3, 1, 10, 100000, 11)) - 12.120038480837177) < 0.12 AS ale_3,
       abs(loss_mean(simulate_loss(50, 1, 10, 100000, 11)) - 202.00064134728635) < 0.5 AS ale_50;
-- The lognormal itself: with f = 1 Bernoulli-free Poisson is not needed: p = 1 Bernoulli gives
-- one loss a year, whose 5 % and 95 % quantiles are the interval (1, 10) (standard error of
-- the 95 % quantile of 100,000 draws ~ 0.07): within 0.3 and 0.03.
SELECT abs(loss_quantile(s, 0.95) - 10) < 0.3 AS q95, abs(loss_quantile(s, 0.05) - 1) < 0.03 AS q05
FROM (SELECT simulate_loss(1, 1, 10, 100000, 3, 'bernoulli') AS s) x;
-- riskquant: PERT frequency (0, 10, 5) over 10^4 draws has mean in (4.7, 5.3); with an interval
-- (1, 1.000000001) each event costs 1, so the mean loss is the mean number of events
-- (pert_mean(0, 5, 10) = 5).
SELECT loss_mean(simulate_loss_pert(0, 5, 10, 1, 1.000000001, 10000, seed)) BETWEEN 4.7 AND 5.3 AS pert_mean
FROM generate_series(1, 3) seed;

-- Round trips: text and binary give back the same bits.
CREATE TABLE quant_sims (id int, s loss_sim);
INSERT INTO quant_sims SELECT i, simulate_loss(3, 1000, 1000000, 1000, i) FROM generate_series(1, 3) i;
SELECT id, s::text::loss_sim::text = s::text AS text_round_trip FROM quant_sims ORDER BY id;
SELECT current_setting('data_directory') || '/ismseval_quant_sims.bin' AS quant_sims_file \gset
COPY quant_sims TO :'quant_sims_file' (FORMAT binary);
CREATE TABLE quant_sims_back (id int, s loss_sim);
COPY quant_sims_back FROM :'quant_sims_file' (FORMAT binary);
SELECT a.id, a.s::text = b.s::text AS binary_round_trip FROM quant_sims a JOIN quant_sims_back b USING (id) ORDER BY id;

-- portfolio_loss: the year-by-year sum. {1,2} + {10,20} + {100,200} = {111,222}; NULLs skipped;
-- no rows, NULL.
SELECT portfolio_loss(s) AS "{111,222}"
FROM (VALUES ('{1,2}'::loss_sim), ('{10,20}'), (NULL), ('{100,200}')) v(s);
SELECT portfolio_loss(s) IS NULL AS "no rows" FROM quant_sims WHERE false;
-- as a window function: running sums {1,2}, {11,22}, {111,222}
SELECT i, portfolio_loss(s) OVER (ORDER BY i)
FROM (VALUES (1, '{1,2}'::loss_sim), (2, '{10,20}'), (3, '{100,200}')) v(i, s) ORDER BY i;
-- Stored one-year values (24 bytes) have a 1-byte header on disk (1 + 12 + 8 = 21 bytes): read and summed all the same ({5} + {7}).
CREATE TABLE quant_small (s loss_sim);
INSERT INTO quant_small VALUES ('{5}'), ('{7}');
SELECT portfolio_loss(s) AS "{12}", pg_column_size(s) AS "1 + 12 + 8 = 21" FROM quant_small GROUP BY 2;

-- A tenant may build aggregates over our functions.  One without a final function, with an
-- initial value: every group starts from {1000,1000} (the initial value is never updated).
CREATE AGGREGATE quant_from_base(loss_sim) (SFUNC = portfolio_loss_add, STYPE = loss_sim,
                                            INITCOND = '{1000,1000}');
SELECT g, quant_from_base(s) FROM (VALUES (1, '{1,2}'::loss_sim), (2, '{10,20}'), (1, '{3,4}')) v(g, s)
GROUP BY g ORDER BY g;
-- Called directly on a stored value, portfolio_loss_add never updates it: 20 years (176 bytes,
-- stored uncompressed with a 4-byte header, so the argument points into the table's buffer).
CREATE TABLE quant_stored AS SELECT s, s::text AS t FROM (SELECT simulate_loss(1, 1, 10, 20, 9) AS s) x;
SELECT pg_column_size(s) AS "176" FROM quant_stored;
SELECT loss_mean(portfolio_loss_add(s, s)) = 2 * loss_mean(s) AS doubled FROM quant_stored;
SELECT s::text = t AS stored_value_unchanged FROM quant_stored;

-- Serial and forced parallel plans give the same portfolio up to the last bits of the sums:
-- every year within 1e-12 relative, and both match the pure-SQL year-by-year sum.
CREATE TABLE quant_portfolio AS
SELECT i AS risk_id, (i % 7) * 0.5 AS frequency, 1000.0 * (1 + i % 5) AS low, 100000.0 * (1 + i % 3) AS high
FROM generate_series(1, 600) i;
ANALYZE quant_portfolio;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE quant_serial AS
SELECT portfolio_loss(simulate_loss(frequency, low, high, 1000, risk_id)) AS p FROM quant_portfolio;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT portfolio_loss(simulate_loss(frequency, low, high, 1000, risk_id)) FROM quant_portfolio;
CREATE TABLE quant_parallel AS
SELECT portfolio_loss(simulate_loss(frequency, low, high, 1000, risk_id)) AS p FROM quant_portfolio;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
WITH s AS (SELECT y, v FROM quant_serial, unnest(p::text::float8[]) WITH ORDINALITY u(v, y)),
     p AS (SELECT y, v FROM quant_parallel, unnest(p::text::float8[]) WITH ORDINALITY u(v, y)),
     o AS (SELECT y, sum(v) AS v
           FROM quant_portfolio, unnest(simulate_loss(frequency, low, high, 1000, risk_id)::text::float8[])
                WITH ORDINALITY u(v, y)
           GROUP BY y)
SELECT count(*) AS "1000 years",
       max(abs(p.v - s.v) / s.v) < 1e-12 AS parallel_equals_serial,
       max(abs(o.v - s.v) / s.v) < 1e-12 AS serial_equals_oracle
FROM s JOIN p USING (y) JOIN o USING (y);
RESET max_parallel_workers_per_gather;

-- Hostile binary input (int8 version, int32 years, float8 losses) through binary COPY.
CREATE TABLE quant_bin (b bytea);
CREATE TABLE quant_recv (s loss_sim);
\set VERBOSITY sqlstate
-- the good one: version 1, 2 years, 1.0 and 2.0
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x01000000023ff00000000000004000000000000000');
SELECT current_setting('data_directory') || '/ismseval_quant_bin.bin' AS quant_bin_file \gset
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
SELECT s AS "{1,2}" FROM quant_recv;
-- version 2: 22P03
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x02000000013ff0000000000000');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
-- shorter than the header
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x010000');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
-- 0 years; 2^31 - 1 years with 8 bytes; 3 years with one loss; one year and a byte too many
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x0100000000');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x017fffffff3ff0000000000000');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x01000000033ff0000000000000');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x01000000013ff000000000000000');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
-- negative years; a negative loss; NaN; infinity
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x01ffffffff');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x0100000001bff0000000000000');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x01000000017ff8000000000000');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
TRUNCATE quant_bin; INSERT INTO quant_bin VALUES ('\x01000000017ff0000000000000');
COPY quant_bin TO :'quant_bin_file' (FORMAT binary);
COPY quant_recv FROM :'quant_bin_file' (FORMAT binary);
SELECT count(*) AS "only the good one" FROM quant_recv;

-- Bad text: 22P02
SELECT '{}'::loss_sim;
SELECT '{1,-2}'::loss_sim;
SELECT '{1,NaN}'::loss_sim;
SELECT '{1,Infinity}'::loss_sim;
SELECT '{1,2'::loss_sim;
SELECT '{1,,2}'::loss_sim;
SELECT '{1} x'::loss_sim;
SELECT '1,2'::loss_sim;
-- Bad arguments
SELECT simulate_loss(1, 1, 10, 0, 1);             -- years below 1: 22003
SELECT simulate_loss(1, 1, 10, 1000001, 1);       -- years above 1,000,000: 22003
SELECT simulate_loss(-1, 1, 10, 10, 1);           -- negative frequency: 22003
SELECT simulate_loss('NaN', 1, 10, 10, 1);        -- 22023
SELECT simulate_loss(1, 10, 1, 10, 1);            -- low >= high: 22003
SELECT simulate_loss(1, 0, 10, 10, 1);            -- non-positive low: 22003
SELECT simulate_loss(1.5, 1, 10, 10, 1, 'bernoulli'); -- a probability above 1: 22003
SELECT simulate_loss(1, 1, 10, 10, 1, 'gamma');   -- unknown model: 22023
SELECT simulate_loss(100, 1e306, 1e308, 10, 1);   -- a year's loss overflows: 22003
SELECT simulate_loss_pert(0, 11, 10, 1, 10, 10, 1); -- mode outside: 22003
SELECT simulate_loss_pert(-1, 0, 10, 1, 10, 10, 1); -- 22003
SELECT portfolio_loss(s) FROM (VALUES ('{1,2}'::loss_sim), ('{1,2,3}')) v(s); -- years differ: 22023
SELECT portfolio_loss(s) FROM (VALUES ('{1e308}'::loss_sim), ('{1e308}')) v(s); -- sum overflows: 22003
SELECT loss_quantile('{1,2}', 1.5);               -- 22003
SELECT loss_quantile('{1,2}', 'NaN');             -- 22023
SELECT loss_expected_shortfall('{1,2}', -0.1);    -- 22003
SELECT loss_exceedance('{1,2}', 'Infinity');      -- 22023
SELECT * FROM loss_exceedance_curve('{1,2}', 1);  -- 22003
SELECT loss_mean('{1e308,1e308}');                -- the mean overflows: 22003
\set VERBOSITY default
SELECT simulate_loss(1, 1, 10, 0, 1);
SELECT portfolio_loss(s) FROM (VALUES ('{1,2}'::loss_sim), ('{1,2,3}')) v(s);

-- A value that did not come through loss_sim_in or loss_sim_recv (here forged by a superuser:
-- byteasend returns its argument's bytes unchanged, declared to return a loss_sim) is checked
-- whenever it is read: a version other than 1, flags, or a size that does not match its years
-- are XX001 data_corrupted.  (After the version byte come flags, 2 reserved bytes, int32 years,
-- int32 reserved, then the losses; the cases below do not depend on the byte order.)
CREATE FUNCTION quant_forge(bytea) RETURNS loss_sim LANGUAGE internal IMMUTABLE STRICT AS 'byteasend';
\set VERBOSITY sqlstate
SELECT loss_mean(quant_forge('\x020000000000000000000000'));  -- version 2
SELECT loss_mean(quant_forge('\x000100000000000000000000'));  -- version 0
SELECT loss_mean(quant_forge('\x010100000000000000000000'));  -- flags 1
SELECT loss_mean(quant_forge('\x010000000000000000000000'));  -- 0 years
SELECT loss_mean(quant_forge('\x0100'));                      -- shorter than the header
SELECT loss_sim_out(quant_forge('\x020000000000000000000000'));
\set VERBOSITY default
SELECT loss_mean(quant_forge('\x020000000000000000000000'));
DROP FUNCTION quant_forge(bytea);
