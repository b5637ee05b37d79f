-- Medians of bench_results.timings, and each variant's ratio to the pure-SQL variant of
-- the same workload, scale and parallel setting (and to the floor where there is one); for
-- the dashboard workloads (one organization), the ratio to the same query at the smallest
-- scale measured (target: 100k organizations no more than 2x 1k).
\set ON_ERROR_STOP 1
DROP VIEW IF EXISTS bench_results.summary;
CREATE VIEW bench_results.summary AS
WITH med AS (
    SELECT t.scale, w.ord, t.workload, t.variant, t.parallel,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS median_ms,
           max(t.workers) AS workers, count(*) AS reps
    FROM bench_results.timings t
    JOIN (SELECT DISTINCT ord, workload FROM bench_results.workloads) w USING (workload)
    GROUP BY t.scale, w.ord, t.workload, t.variant, t.parallel)
SELECT m.scale, m.workload, m.variant, m.parallel, m.workers, m.reps,
       round(m.median_ms::numeric, 1) AS median_ms,
       round((m.median_ms / s.median_ms)::numeric, 2) AS ratio_to_sql,
       round((m.median_ms / f.median_ms)::numeric, 2) AS ratio_to_floor,
       CASE WHEN m.workload LIKE 'dashboard:%' THEN round((m.median_ms / z.median_ms)::numeric, 2) END
           AS ratio_to_smallest_scale,
       m.ord
FROM med m
LEFT JOIN med z ON (z.workload, z.variant, z.parallel) = (m.workload, m.variant, m.parallel)
              AND z.scale = (SELECT min(scale) FROM med)
LEFT JOIN med s ON (s.scale, s.workload, s.parallel, s.variant) = (m.scale, m.workload, m.parallel, 'sql')
LEFT JOIN med f ON (f.scale, f.workload, f.parallel, f.variant) = (m.scale, m.workload, m.parallel, 'floor');

SELECT scale, workload, variant, CASE WHEN parallel THEN 'on' ELSE 'off' END AS parallel,
       workers, median_ms, ratio_to_sql, ratio_to_floor, ratio_to_smallest_scale AS ratio_to_scale1
FROM bench_results.summary ORDER BY scale, ord, parallel, variant;
\copy (SELECT scale, workload, variant, parallel, workers, reps, median_ms, ratio_to_sql, ratio_to_floor, ratio_to_smallest_scale FROM bench_results.summary ORDER BY scale, ord, parallel, variant) TO 'bench-results.csv' WITH (FORMAT csv, HEADER)
