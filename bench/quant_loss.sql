-- The ismseval side of bench/quant_loss.sh: the portfolio of bench/quant_loss.py.
-- psql variables: risks, years.  Prints (t = serial, f = parallel) the seconds, VaR 99 and the bytes of the portfolio
-- state for a serial plan and for a parallel plan with 2 workers.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP TABLE IF EXISTS quant_bench_risks;
-- One risk a page (fillfactor 10, a filler), so a parallel scan spreads the risks evenly.
CREATE TABLE quant_bench_risks (risk_id int, frequency float8, low float8, high float8, filler text)
    WITH (fillfactor = 10);
ALTER TABLE quant_bench_risks ALTER COLUMN filler SET STORAGE plain;
INSERT INTO quant_bench_risks
SELECT i, 0.1 + 0.2 * (i % 10), 1000.0 * (1 + i % 7), 1000.0 * (1 + i % 7) * (10 + i % 13), repeat('x', 700)
FROM generate_series(1, :risks) i;
VACUUM ANALYZE quant_bench_risks;

-- The timed query is a top-level SELECT (a query inside PL/pgSQL never runs in parallel).
-- serial
SET max_parallel_workers_per_gather = 0;
SELECT clock_timestamp() AS t0 \gset
SELECT ismseval.loss_quantile(p, 0.99) AS var99, pg_column_size(p) AS state_bytes
FROM (SELECT ismseval.portfolio_loss(ismseval.simulate_loss(frequency, low, high, :years, risk_id)) AS p
      FROM quant_bench_risks) x \gset
SELECT 't', round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 3), :var99, :state_bytes \g (format=unaligned tuples_only=on fieldsep=' ')

-- parallel, 2 workers (the leader only gathers)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT ismseval.loss_quantile(p, 0.99) AS var99, pg_column_size(p) AS state_bytes
FROM (SELECT ismseval.portfolio_loss(ismseval.simulate_loss(frequency, low, high, :years, risk_id)) AS p
      FROM quant_bench_risks) x;
SELECT clock_timestamp() AS t0 \gset
SELECT ismseval.loss_quantile(p, 0.99) AS var99, pg_column_size(p) AS state_bytes
FROM (SELECT ismseval.portfolio_loss(ismseval.simulate_loss(frequency, low, high, :years, risk_id)) AS p
      FROM quant_bench_risks) x \gset
SELECT 'f', round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 3), :var99, :state_bytes \g (format=unaligned tuples_only=on fieldsep=' ')
