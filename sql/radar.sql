-- The radar type and its aggregates, with values worked out by hand on the
-- 4-point scale of DOMAIN.md section 3 (4 almost all done .. 1 almost nothing done).
SET search_path = ismseval, public;
SET extra_float_digits = 0;   -- the radar text form is shortest-exact regardless

CREATE TEMP TABLE answers (org text, axis text, score double precision, weight double precision);
INSERT INTO answers VALUES
  -- org A: Govern 4,3,3,2 -> 12/4 = 3; Protect 3,2 -> 2.5; Detect 1,2,2 (+ one n/a) -> 5/3
  ('A', 'Govern', 4, 2), ('A', 'Govern', 3, 1), ('A', 'Govern', 3, 1), ('A', 'Govern', 2, 0),
  ('A', 'Protect', 3, 1), ('A', 'Protect', 2, 3),
  ('A', 'Detect', 1, 1), ('A', 'Detect', 2, 1), ('A', 'Detect', 2, NULL), ('A', 'Detect', NULL, 1),
  -- org B: Govern 2,2 -> 2; Protect 4,4,3 (+ n/a) -> 11/3; Respond 1 -> 1
  ('B', 'Govern', 2, 1), ('B', 'Govern', 2, 1),
  ('B', 'Protect', 4, 1), ('B', 'Protect', 4, 1), ('B', 'Protect', 3, 1), ('B', 'Protect', NULL, 1),
  ('B', 'Respond', 1, 1),
  -- org C: Govern 3 -> 3; Detect 4,3 -> 3.5
  ('C', 'Govern', 3, 1), ('C', 'Detect', 4, 1), ('C', 'Detect', 3, 1),
  -- org D: only not-applicable answers -> no radar (NULL)
  ('D', 'Govern', NULL, 1);

-- per-axis means; n counts the scores that are not NULL
SELECT org, maturity_radar(axis, score) FROM answers GROUP BY org ORDER BY org;
SELECT org, (radar_axes(maturity_radar(axis, score))).* FROM answers GROUP BY org ORDER BY org, 2;
-- no rows -> NULL
SELECT maturity_radar(axis, score) IS NULL AS "no rows" FROM answers WHERE false;

-- weighted: A Govern (4x2 + 3x1 + 3x1 + 2x0) / (2+1+1) = 14/4 = 3.5, n = 3 (the weight 0 row is skipped);
-- A Protect (3x1 + 2x3)/4 = 2.25, n = 2, weight 4; A Detect (1 + 2)/2 = 1.5 (NULL weight skipped), n = 2
SELECT org, maturity_radar(axis, score, weight) FROM answers GROUP BY org ORDER BY org;
SELECT radar_value(maturity_radar(axis, score, weight), 'Govern') AS "14/4=3.5",
       radar_value(maturity_radar(axis, score, weight), 'Protect') AS "9/4=2.25"
  FROM answers WHERE org = 'A';

-- text round trip on aggregated states: same text, same bits
WITH s AS (SELECT org, maturity_radar(axis, score, weight) AS r FROM answers GROUP BY org)
SELECT org, r::text::radar::text = r::text AS same_text,
       (SELECT bool_and(float8send(a.value) = float8send(b.value) AND a.n = b.n AND a.axis = b.axis)
          FROM radar_axes(r) WITH ORDINALITY a(axis, value, n, i)
          JOIN radar_axes(r::text::radar) WITH ORDINALITY b(axis, value, n, i) USING (i)) AS same_bits
  FROM s ORDER BY org;

-- literals: spaces, any order, escapes, weights; the empty radar
SELECT ' { "b" : 2 / 1 , "a":3.25/4 @ 2.5 } '::radar AS sorted,
       '{}'::radar AS empty,
       '{"say \"hi\"":1/1,"back\\slash":2/2,"R&D":3/3}'::radar AS escaped,
       '{"x":-0.5/2@2,"y":1e-3/7}'::radar AS weight_equal_to_n_dropped;
SELECT radar_to_jsonb('{"say \"hi\"":1/1,"Govern":2.5/4@3.5}');
SELECT '{"Govern":3/4,"Detect":1.5/2}'::radar::jsonb;

-- radar_avg of departments: Govern (3+2+4)/3 = 3, n 3; Protect (2+3)/2 = 2.5, n 2; Detect 4, n 1
CREATE TEMP TABLE departments (dept text, r radar);
INSERT INTO departments VALUES
  ('D1', '{"Govern":3/4,"Protect":2/2}'), ('D2', '{"Govern":2/1,"Detect":4/3}'),
  ('D3', '{"Govern":4/2,"Protect":3/5}'), ('D4', NULL);
SELECT radar_avg(r) AS "Detect 4/1, Govern 3/3, Protect 2.5/2" FROM departments;
SELECT radar_avg(r) IS NULL AS "only NULL inputs" FROM departments WHERE dept = 'D4';

-- peer_radar over 6 organizations: Govern 1,2,3,4,2,3 -> 15/6 = 2.5 (n 6); Detect 4,3,2,3 -> 3 (n 4)
CREATE TEMP TABLE peers (org text, r radar);
INSERT INTO peers VALUES
  ('P1', '{"Govern":1/3,"Detect":4/2}'), ('P2', '{"Govern":2/1,"Detect":3/1}'),
  ('P3', '{"Govern":3/2,"Detect":2/5}'), ('P4', '{"Govern":4/2,"Detect":3/2}'),
  ('P5', '{"Govern":2/2}'), ('P6', '{"Govern":3/8}');
SET ismseval.min_peer_group = 5;
SELECT peer_radar(r) AS "Detect (4 peers) left out" FROM peers;
SELECT peer_radar(r) AS "fewer than 5 peers: empty" FROM peers WHERE org IN ('P1', 'P2', 'P3');
SET ismseval.min_peer_group = 4;
SELECT peer_radar(r) AS "Detect 3/4, Govern 2.5/6" FROM peers;
RESET ismseval.min_peer_group;

-- gap, value, mean, axes
SELECT radar_gap('{"Govern":3/4,"Protect":2.5/2,"Detect":1.5/2}', '{"Govern":2.5/6,"Detect":3/4,"Respond":2/2}')
       AS "Detect -1.5/2, Govern 0.5/4";
SELECT radar_value('{"Govern":3/4}', 'Govern') AS "3", radar_value('{"Govern":3/4}', 'Detect') IS NULL AS absent,
       radar_mean('{"Govern":3/4,"Protect":2.5/2,"Detect":1.5/2}') AS "(3+2.5+1.5)/3 = 2.33..",
       radar_mean('{}') IS NULL AS "empty mean is NULL";
SELECT * FROM radar_axes('{"b":2/1,"a":3.25/4@2.5,"C":1/1}');

-- a pure-SQL oracle: avg(score) GROUP BY org, axis on 50 000 generated rows
CREATE TEMP TABLE big AS
SELECT 'org' || (i % 23) AS org,
       (ARRAY['Govern', 'Identify', 'Protect', 'Detect', 'Respond', 'Recover', 'R&D', 'Ä'])[1 + (i * 7) % 8] AS axis,
       CASE WHEN i % 17 = 0 THEN NULL ELSE 1 + ((i::bigint * 2654435761) % 1000) / 333.0 END AS score
  FROM generate_series(1, 50000) i;
WITH o AS (SELECT org, axis, avg(score) AS value, count(score) AS n FROM big WHERE score IS NOT NULL GROUP BY org, axis),
     r AS (SELECT org, (radar_axes(maturity_radar(axis, score))).* FROM big GROUP BY org)
SELECT count(*) AS "184 = 23 orgs x 8 axes", max(abs(o.value - r.value)) < 1e-9 AS "within 1e-9",
       bool_and(o.n = r.n) AS same_n
  FROM o FULL JOIN r USING (org, axis);

-- 300 axes with 46-byte labels: the state grows past its first 16 axes and 256 label bytes
-- (and is bisected instead of scanned); labels share their first 8 bytes
WITH g AS (SELECT 'axis ' || lpad((i * 7919 % 300)::text, 41, 'x') AS axis, (i % 4 + 1)::float8 AS score
             FROM generate_series(1, 6000) i),
     o AS (SELECT axis, avg(score) AS value, count(*) AS n FROM g GROUP BY axis),
     r AS (SELECT (radar_axes(maturity_radar(axis, score))).* FROM g)
SELECT count(*) AS "300 axes", max(abs(o.value - r.value)) < 1e-12 AS "within 1e-12", bool_and(o.n = r.n) AS same_n,
       (SELECT array_agg(axis ORDER BY axis COLLATE "C") = array_agg(axis) FROM r) AS label_order
  FROM o FULL JOIN r USING (axis);

-- serial vs forced parallel plan: equal counts, means within 1e-12 relative
CREATE TEMP TABLE serial AS SELECT org, maturity_radar(axis, score) AS r FROM big GROUP BY org;
CREATE TABLE radar_par AS SELECT * FROM big;   -- temp tables are not scanned in parallel
ANALYZE radar_par;
CREATE FUNCTION pg_temp.plan_has(q text, pattern text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    IF line ~ pattern THEN RETURN true; END IF;
  END LOOP;
  RETURN false;
END $$;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off; SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.plan_has('SELECT org, maturity_radar(axis, score) FROM radar_par GROUP BY org', 'Partial .*Aggregate')
       AS "grouped: Partial Aggregate",
       pg_temp.plan_has('SELECT maturity_radar(axis, score, 1 + score) FROM radar_par', 'Partial Aggregate')
       AS "plain: Partial Aggregate";
CREATE TEMP TABLE par AS SELECT org, maturity_radar(axis, score) AS r FROM radar_par GROUP BY org;
SELECT count(*) AS "184 axes", max(abs(s.value - p.value) / s.value) < 1e-12 AS "within 1e-12", bool_and(s.n = p.n) AS same_n
  FROM (SELECT org, (radar_axes(r)).* FROM serial) s FULL JOIN (SELECT org, (radar_axes(r)).* FROM par) p USING (org, axis);
-- whole-table weighted radar and radar_avg / peer_radar through the combine function
CREATE TEMP TABLE par2 AS SELECT maturity_radar(axis, score, 1 + score) AS w,
  (SELECT radar_avg(r) FROM (SELECT maturity_radar(axis, score) r FROM radar_par GROUP BY org) d) AS a FROM radar_par;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET parallel_leader_participation; RESET max_parallel_workers_per_gather;
SELECT bool_and(abs(s.value - p.value) < 1e-12 * s.value AND s.n = p.n) AS "weighted: serial = parallel", count(*) AS "8 axes"
  FROM radar_axes((SELECT maturity_radar(axis, score, 1 + score) FROM big)) s
  JOIN radar_axes((SELECT w FROM par2)) p USING (axis);
SELECT bool_and(abs(s.value - p.value) < 1e-12 * s.value AND s.n = p.n AND s.n = 23) AS "radar_avg: serial = parallel, n = 23"
  FROM radar_axes((SELECT radar_avg(r) FROM serial)) s JOIN radar_axes((SELECT a FROM par2)) p USING (axis);
-- the aggregated states print and read back exactly
SELECT bool_and(r::text::radar::text = r::text) AS text_round_trip FROM par;
DROP TABLE radar_par;

-- binary round trip through binary COPY
CREATE TEMP TABLE bin_in (org text, r radar);
SELECT current_setting('data_directory') || '/ismseval_radar_roundtrip.bin' AS radar_bin \gset
COPY (SELECT org, r FROM serial UNION ALL SELECT 'empty', '{}' UNION ALL SELECT 'esc', '{"q\"\\":1.5/2@0.25}')
  TO :'radar_bin' (FORMAT binary);
COPY bin_in FROM :'radar_bin' (FORMAT binary);
SELECT count(*) AS "25 rows", bool_and(b.r::text = coalesce(s.r::text, b.r::text)) AS same
  FROM bin_in b LEFT JOIN serial s USING (org);
SELECT r FROM bin_in WHERE org IN ('empty', 'esc') ORDER BY org;

-- hostile binary input: a bytea field carries the crafted bytes to radar_recv
CREATE TEMP TABLE hostile (r radar);
CREATE FUNCTION pg_temp.recv(bytes bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', bytes, current_setting('data_directory') || '/ismseval_radar_hostile.bin');
  TRUNCATE hostile;
  EXECUTE format('COPY hostile FROM %L (FORMAT binary)', current_setting('data_directory') || '/ismseval_radar_hostile.bin');
  RETURN (SELECT r::text FROM hostile);
END $$;
-- valid: 1 axis: label length 1, "A" (41), mean 3 (4008...), n 2, weight 2 (4000...)
SELECT pg_temp.recv('\x000000010000000141400800000000000000000000000000024000000000000000') AS valid;
SELECT pg_temp.recv('\x00000000') AS empty;
-- "A" < "AB": a prefix sorts first
SELECT pg_temp.recv('\x000000020000000141400800000000000000000000000000013ff0000000000000000000024142400800000000000000000000000000013ff0000000000000') AS prefix;
\set VERBOSITY sqlstate
SELECT pg_temp.recv('\x');                                        -- no axis count
SELECT pg_temp.recv('\xffffffff');                                -- negative axis count
SELECT pg_temp.recv('\x000003e8');                                -- 1000 axes, no data
SELECT pg_temp.recv('\x00000001ffffffff000000000000000000000000000000000000000000000000');  -- negative label length
SELECT pg_temp.recv('\x0000000100000064000000000000000000000000000000000000000000000000');  -- label past the end
SELECT pg_temp.recv('\x000000010000000141400800000000000000000000000000013ff0000000');  -- truncated axis
SELECT pg_temp.recv('\x0000000100000001414008000000000000ffffffffffffffff3ff0000000000000');  -- n = -1
SELECT pg_temp.recv('\x000000010000000141400800000000000000000000000000003ff0000000000000');  -- n = 0
SELECT pg_temp.recv('\x0000000100000001417ff800000000000000000000000000013ff0000000000000');  -- NaN mean
SELECT pg_temp.recv('\x000000010000000141fff000000000000000000000000000013ff0000000000000');  -- -Infinity mean
SELECT pg_temp.recv('\x00000001000000014140080000000000000000000000000001bff0000000000000');  -- weight -1
SELECT pg_temp.recv('\x000000010000000141400800000000000000000000000000010000000000000000');  -- weight 0
SELECT pg_temp.recv('\x000000010000000141400800000000000000000000000000017ff0000000000000');  -- weight Infinity
SELECT pg_temp.recv('\x000000020000000141400800000000000000000000000000013ff00000000000000000000141400800000000000000000000000000013ff0000000000000');  -- "A" twice
SELECT pg_temp.recv('\x000000020000000142400800000000000000000000000000013ff00000000000000000000141400800000000000000000000000000013ff0000000000000');  -- "B" before "A"
SELECT pg_temp.recv('\x0000000100000001ff400800000000000000000000000000013ff0000000000000');  -- invalid UTF-8 byte ff
SELECT pg_temp.recv('\x0000000100000001c3400800000000000000000000000000013ff0000000000000');  -- truncated UTF-8 sequence
SELECT pg_temp.recv('\x000000010000000100400800000000000000000000000000013ff0000000000000');  -- NUL byte in label
SELECT pg_temp.recv('\x000000010000000141400800000000000000000000000000013ff000000000000000');  -- trailing byte

-- malformed literals
SELECT 'Govern:3/4'::radar;
SELECT '{"Govern":3/4'::radar;
SELECT '{"Govern":3/4,}'::radar;
SELECT '{"Govern":3}'::radar;
SELECT '{"Govern":3/0}'::radar;
SELECT '{"Govern":3/-1}'::radar;
SELECT '{"Govern":3/99999999999999999999}'::radar;
SELECT '{"Govern":NaN/4}'::radar;
SELECT '{"Govern":Infinity/4}'::radar;
SELECT '{"Govern":3/4@0}'::radar;
SELECT '{"Govern":3/4@-1}'::radar;
SELECT '{"Govern":x/4}'::radar;
SELECT '{"Govern":3/4,"Govern":2/1}'::radar;
SELECT '{"Gov'::radar;
SELECT '{Govern:3/4}'::radar;
SELECT '{} x'::radar;
-- aggregate errors
SELECT maturity_radar(axis, score) FROM (VALUES (NULL::text, 3::float8)) v(axis, score);
SELECT maturity_radar('Govern', 'NaN'::float8);
SELECT maturity_radar('Govern', 'Infinity'::float8);
SELECT maturity_radar('Govern', 3, -1);
SELECT maturity_radar('Govern', 3, 'NaN');
SELECT maturity_radar(axis, score) FROM (VALUES ('a', 1e308::float8), ('a', -1e308::float8)) v(axis, score);
SELECT radar_gap('{"a":1e308/1}', '{"a":-1e308/1}');
\set VERBOSITY default
SELECT '{"Govern":3/0}'::radar;
SELECT maturity_radar('Govern', 3, -1);

-- radar_svg: a standalone, well-formed, deterministic SVG document
CREATE TEMP TABLE charts AS
SELECT radar_svg(ARRAY['{"Govern":3/4,"Protect":2.5/2,"Detect":1.5/2,"Respond":4/1,"R&D":2/1}'::radar,
                       '{"Govern":2.5/6,"Protect":3/6,"Detect":3/4,"Identify":2/3}'::radar],
                 ARRAY['Org A <script>alert(1)</script>', 'Peers & co'], NULL, 1, 4,
                 'Maturity "A" vs peers') AS svg;
SELECT xml_is_well_formed_document(svg) AS well_formed,
       svg = radar_svg(ARRAY['{"Govern":3/4,"Protect":2.5/2,"Detect":1.5/2,"Respond":4/1,"R&D":2/1}'::radar,
                             '{"Govern":2.5/6,"Protect":3/6,"Detect":3/4,"Identify":2/3}'::radar],
                       ARRAY['Org A <script>alert(1)</script>', 'Peers & co'], NULL, 1, 4,
                       'Maturity "A" vs peers') AS deterministic,
       position('<script' in svg) = 0 AS no_script_tag,
       position('&lt;script&gt;alert(1)&lt;/script&gt;' in svg) > 0 AS script_escaped,
       position('R&amp;D' in svg) > 0 AS "R&D escaped",
       position('Peers &amp; co' in svg) > 0 AS "name escaped",
       position('Maturity &quot;A&quot; vs peers' in svg) > 0 AS "title escaped",
       (xpath('count(//svg:polygon)', svg::xml, ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))[1]::text AS "2 polygons",
       (xpath('count(//svg:g[@class="grid"]/svg:circle)', svg::xml, ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))[1]::text AS "3 rings (1..4)",
       (xpath('count(//svg:g[@class="grid"]/svg:line)', svg::xml, ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))[1]::text AS "6 spokes"
  FROM charts;
-- the document itself, small: one series, two axes, scale 0..2 (2 rings); Govern 3 is clamped to the rim,
-- "a" is missing in the series and drawn at the centre; control characters are removed from labels
SELECT radar_svg(ARRAY[E'{"Govern":3/1,"b\u0001x":0.5/1}'::radar], axis_order => ARRAY['Govern', E'b\u0001x', 'a'],
                 scale_min => 0, scale_max => 2);
-- default names, 25 steps -> 5 rings labelled 0, 5, ... 25; NULL series -> NULL
SELECT (xpath('//svg:g[@class="ring-labels"]/svg:text/text()', s::xml, ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))::text[] AS ring_labels,
       (xpath('//svg:g[@class="legend"]/svg:text/text()', s::xml, ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))::text[] AS names
  FROM (SELECT radar_svg(ARRAY['{"a":10/1}'::radar, '{}'], scale_min => 0, scale_max => 25) AS s) x;
SELECT radar_svg(NULL) IS NULL AS "NULL series";
\set VERBOSITY sqlstate
SELECT radar_svg(ARRAY[]::radar[]);
SELECT radar_svg(ARRAY['{}'::radar, NULL]);
SELECT radar_svg(ARRAY['{}'::radar], ARRAY['a', 'b']);
SELECT radar_svg(ARRAY['{}'::radar], scale_min => 4, scale_max => 4);
SELECT radar_svg(ARRAY['{}'::radar], scale_min => 'NaN');
SELECT radar_svg(ARRAY['{}'::radar], scale_max => 'Infinity');
SELECT radar_svg(ARRAY['{}'::radar], scale_min => NULL);
SELECT radar_svg(ARRAY['{}'::radar], scale_min => -1e308, scale_max => 1e308);
SELECT radar_svg(ARRAY['{}'::radar], axis_order => ARRAY['a', NULL]);
SELECT radar_svg(ARRAY['{}'::radar], axis_order => ARRAY['a', 'a']);
SELECT radar_svg(ARRAY[ARRAY['{}'::radar]]);
\set VERBOSITY default
SELECT radar_svg(ARRAY['{}'::radar], ARRAY['a', 'b']);
