-- Times every workload of bench/workloads.sql on the data of bench/generate.sql:
-- psql -v scale=N -v reps=R. Each repetition runs every variant once (interleaved), with
-- parallel workers off and on; timings go to bench_results.timings.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS ismseval;
CREATE SCHEMA IF NOT EXISTS bench_results;
CREATE TABLE IF NOT EXISTS bench_results.timings (
    scale integer, workload text, variant text, parallel boolean, rep integer,
    ms double precision, workers integer);

-- The 4x4 matrix that the SQL CASE of the risk_level workload spells out.
DROP TABLE IF EXISTS bench.matrix;
CREATE TABLE bench.matrix AS
SELECT ismseval.risk_matrix_from_jsonb(jsonb_build_object(
    'probability', (SELECT jsonb_agg(jsonb_build_object('name', 'L' || p)) FROM generate_series(1, 4) p),
    'impact', (SELECT jsonb_agg(jsonb_build_object('name', 'I' || i)) FROM generate_series(1, 4) i),
    'risk', '[{"name":"low","hexcolor":"#2E7D32"},{"name":"medium","hexcolor":"#F9A825"},
              {"name":"high","hexcolor":"#EF6C00"},{"name":"critical","hexcolor":"#C62828"}]'::jsonb,
    'grid', (SELECT jsonb_agg(r ORDER BY p) FROM (
        SELECT p, jsonb_agg(CASE WHEN p * i >= 12 THEN 3 WHEN p * i >= 8 THEN 2 WHEN p * i >= 4 THEN 1 ELSE 0 END
                            ORDER BY i) AS r
        FROM generate_series(1, 4) p, generate_series(1, 4) i GROUP BY p) g))) AS m;

-- Runs one query under EXPLAIN ANALYZE; returns its execution time and the workers launched.
CREATE OR REPLACE FUNCTION bench_results.time_query(query text, OUT ms double precision, OUT workers integer)
LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || query INTO plan;
    ms := (plan -> 0 ->> 'Execution Time')::double precision;
    SELECT coalesce(sum(w::text::integer), 0) INTO workers
    FROM jsonb_path_query(plan, 'strict $.**."Workers Launched"') AS w;
END $$;

DELETE FROM bench_results.timings WHERE scale = :scale;
DO $$
DECLARE
    w record;
    par boolean;
    rep integer;
    t record;
    reps integer := current_setting('bench.reps')::integer;
    scale integer := current_setting('bench.scale')::integer;
    -- the dashboard workloads look at the organization in the middle of the id range (and
    -- at the next one, which no release holds)
    org bigint := (SELECT (min(organization_id) + max(organization_id)) / 2 FROM ismseval.organizations);
BEGIN
    FOREACH par IN ARRAY ARRAY[false, true] LOOP
        PERFORM set_config('max_parallel_workers_per_gather', CASE WHEN par THEN '2' ELSE '0' END, true);
        FOR rep IN 0 .. reps LOOP                       -- repetition 0 warms the cache, not recorded
            FOR w IN SELECT * FROM bench_results.workloads ORDER BY ord, variant LOOP
                t := bench_results.time_query(replace(replace(w.query, '{org}', org::text),
                                                      '{newcomer}', (org + 1)::text));
                IF rep > 0 THEN
                    INSERT INTO bench_results.timings
                    VALUES (scale, w.workload, w.variant, par, rep, t.ms, t.workers);
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;
END $$;
