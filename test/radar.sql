-- pgTAP: the radar type, its aggregates and radar_svg; hand-worked values and every error path.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(102);

CREATE TEMP TABLE answers (org text, axis text, score double precision, weight double precision);
INSERT INTO answers VALUES
  ('A', 'Govern', 4, 2), ('A', 'Govern', 3, 1), ('A', 'Govern', 3, 1), ('A', 'Govern', 2, 0),
  ('A', 'Protect', 3, 1), ('A', 'Protect', 2, 3), ('A', 'Protect', NULL, 1),
  ('B', 'Govern', 1, 1), ('B', 'Detect', 4, NULL), ('B', 'Detect', 2, 1);

-- maturity_radar: A Govern (4+3+3+2)/4 = 3; Protect (3+2)/2 = 2.5, the NULL score skipped
SELECT is((SELECT maturity_radar(axis, score)::text FROM answers WHERE org = 'A'),
          '{"Govern":3/4,"Protect":2.5/2}', 'Govern 4,3,3,2 -> 3; Protect 3,2 (+ n/a) -> 2.5');
SELECT is((SELECT radar_value(maturity_radar(axis, score), 'Govern') FROM answers), 2.6::float8,
          'all orgs: Govern (4+3+3+2+1)/5 = 2.6');
-- weighted: A Govern (4x2 + 3 + 3 + 2x0)/4 = 3.5 with n 3 (weight 0 skipped); Protect (3 + 2x3)/4 = 2.25
SELECT is((SELECT maturity_radar(axis, score, weight)::text FROM answers WHERE org = 'A'),
          '{"Govern":3.5/3@4,"Protect":2.25/2@4}', 'weighted means, weight 0 not counted');
-- B Detect: the NULL weight row is skipped -> 2/1
SELECT is((SELECT maturity_radar(axis, score, weight)::text FROM answers WHERE org = 'B'),
          '{"Detect":2/1,"Govern":1/1}', 'a NULL weight skips the row');
SELECT ok((SELECT maturity_radar(axis, score) FROM answers WHERE false) IS NULL, 'no rows -> NULL');
SELECT ok((SELECT maturity_radar(axis, score) FROM answers WHERE score IS NULL) IS NULL,
          'only NULL scores -> NULL');
SELECT ok((SELECT maturity_radar(axis, score, 0) FROM answers) IS NULL, 'only weight 0 -> NULL');

-- called directly, the transition and combine functions copy their input
SELECT is(radar_accum('{"a":1/1}', 'a', 3)::text, '{"a":2/2}', 'radar_accum: (1 + 3)/2 = 2');
SELECT is(radar_accum('{"a":1/1}', 'b', 3, 0.5)::text, '{"a":1/1,"b":3/1@0.5}', 'radar_accum weighted, new axis');
SELECT is(radar_accum(NULL, 'a', NULL)::text, NULL, 'radar_accum: NULL score on NULL state -> NULL');
SELECT is(radar_combine('{"a":1/1,"c":2/2}', '{"a":4/2,"b":3/1@0.5}')::text,
          '{"a":3/3,"b":3/1@0.5,"c":2/2}', 'combine: a = 1 + (4 - 1) x 2/3 = 3');
SELECT is(radar_combine(NULL, '{"a":4/2}')::text, '{"a":4/2}', 'combine with a NULL state');
SELECT is(radar_avg_accum('{"a":2/1}', '{"a":4/9,"b":1/3}')::text, '{"a":3/2,"b":1/1}',
          'radar_avg_accum: each input mean counts once');

-- radar_avg: Govern (3+2+4)/3 = 3 (n 3), Protect (2+3)/2 = 2.5 (n 2)
SELECT is((SELECT radar_avg(r)::text FROM (VALUES ('{"Govern":3/4,"Protect":2/2}'::radar),
            ('{"Govern":2/1}'), ('{"Govern":4/2,"Protect":3/5}'), (NULL)) v(r)),
          '{"Govern":3/3,"Protect":2.5/2}', 'radar_avg of three departments, NULL skipped');
-- peer_radar: Govern in 5 inputs (1+2+3+4+5)/5 = 3; Detect in 2 inputs
CREATE TEMP TABLE peers (r radar);
INSERT INTO peers VALUES ('{"Govern":1/1,"Detect":2/1}'), ('{"Govern":2/1,"Detect":4/1}'),
  ('{"Govern":3/1}'), ('{"Govern":4/1}'), ('{"Govern":5/1}');
SET LOCAL ismseval.min_peer_group = 5;
SELECT is((SELECT peer_radar(r)::text FROM peers), '{"Govern":3/5}', 'min_peer_group 5: Detect (2 peers) left out');
SELECT is((SELECT peer_radar(r)::text FROM (SELECT r FROM peers LIMIT 4) s), '{}', '4 peers < 5: empty radar');
SET LOCAL ismseval.min_peer_group = 2;
SELECT is((SELECT peer_radar(r)::text FROM peers), '{"Detect":3/2,"Govern":3/5}', 'min_peer_group 2: both axes');

-- accessors
SELECT is(radar_gap('{"Govern":3/4,"Detect":1.5/2,"Protect":2/1}', '{"Govern":2.5/6,"Detect":3/4}')::text,
          '{"Detect":-1.5/2,"Govern":0.5/4}', 'gap = own - reference on shared axes, own n');
SELECT is(radar_value('{"Govern":3/4}', 'Govern'), 3::float8, 'radar_value');
SELECT is(radar_value('{"Govern":3/4}', 'govern'), NULL, 'radar_value is case-sensitive, absent -> NULL');
SELECT is(radar_mean('{"Govern":3/4,"Detect":2/2}'), 2.5::float8, 'radar_mean (3 + 2)/2');
SELECT is(radar_mean('{}'), NULL, 'radar_mean of an empty radar is NULL');
SELECT results_eq($$SELECT * FROM radar_axes('{"b":2/1,"a":3.25/4@2.5}')$$,
                  $$VALUES ('a'::text, 3.25::float8, 4::bigint), ('b', 2, 1)$$, 'radar_axes in label order');
SELECT is(radar_to_jsonb('{"Govern":2.5/4@3.5}'),
          '{"Govern": {"value": 2.5, "n": 4, "weight": 3.5}}'::jsonb, 'radar_to_jsonb shape');
SELECT is('{"a\"b":1/1}'::radar::jsonb, '{"a\"b": {"value": 1, "n": 1, "weight": 1}}'::jsonb, 'cast to jsonb');

-- text round trip, exact
SELECT is('{"x":0.1/3@0.30000000000000004,"y":1e-300/1}'::radar::text,
          '{"x":0.1/3@0.30000000000000004,"y":1e-300/1}', 'shortest-exact doubles read back');
SELECT is((SELECT bool_and(r::text::radar::text = r::text)
             FROM (SELECT maturity_radar('ax' || (i % 7), 1 + (i * 37 % 100) / 33.0, 1 + i % 3) r
                     FROM generate_series(1, 3000) i GROUP BY i % 5) s), true,
          'aggregated states round-trip through text');

-- text input errors
SELECT throws_ok($$SELECT 'Govern:3/4'::ismseval.radar$$, '22P02',
                 'invalid input syntax for type radar: "Govern:3/4"', 'no braces');
SELECT throws_ok($$SELECT '{"Govern":3/4'::ismseval.radar$$, '22P02', NULL, 'no closing brace');
SELECT throws_ok($$SELECT '{"Gov'::ismseval.radar$$, '22P02', NULL, 'unterminated label');
SELECT throws_ok($$SELECT '{Govern:3/4}'::ismseval.radar$$, '22P02', NULL, 'unquoted label');
SELECT throws_ok($$SELECT '{"Govern"3/4}'::ismseval.radar$$, '22P02', NULL, 'no colon');
SELECT throws_ok($$SELECT '{"Govern":/4}'::ismseval.radar$$, '22P02', NULL, 'no mean');
SELECT throws_ok($$SELECT '{"Govern":x/4}'::ismseval.radar$$, '22P02', NULL, 'mean not a number');
SELECT throws_ok($$SELECT '{"Govern":NaN/4}'::ismseval.radar$$, '22P02', NULL, 'NaN mean');
SELECT throws_ok($$SELECT '{"Govern":3}'::ismseval.radar$$, '22P02', NULL, 'no count');
SELECT throws_ok($$SELECT '{"Govern":3/0}'::ismseval.radar$$, '22P02', NULL, 'count 0');
SELECT throws_ok($$SELECT '{"Govern":3/-2}'::ismseval.radar$$, '22P02', NULL, 'negative count');
SELECT throws_ok($$SELECT '{"Govern":3/9223372036854775808}'::ismseval.radar$$, '22P02', NULL, 'count overflow');
SELECT throws_ok($$SELECT '{"Govern":3/4@0}'::ismseval.radar$$, '22P02', NULL, 'weight 0');
SELECT throws_ok($$SELECT '{"Govern":3/4@-Infinity}'::ismseval.radar$$, '22P02', NULL, 'infinite weight');
SELECT throws_ok($$SELECT '{"Govern":3/4 "Detect":1/1}'::ismseval.radar$$, '22P02', NULL, 'no comma');
SELECT throws_ok($$SELECT '{"Govern":3/4,"Govern":1/1}'::ismseval.radar$$, '22P02', NULL, 'duplicate label');
SELECT throws_ok($$SELECT '{}{}'::ismseval.radar$$, '22P02', NULL, 'text after the closing brace');

-- binary input errors, fed through binary COPY
CREATE TEMP TABLE hostile (r radar);
CREATE FUNCTION pg_temp.recv(bytes bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', bytes, current_setting('data_directory') || '/ismseval_radar_tap.bin');
  TRUNCATE hostile;
  EXECUTE format('COPY hostile FROM %L (FORMAT binary)', current_setting('data_directory') || '/ismseval_radar_tap.bin');
  RETURN (SELECT r::text FROM hostile);
END $$;
SELECT is(pg_temp.recv('\x000000010000000141400800000000000000000000000000024000000000000000'), '{"A":3/2}',
          'binary: a valid radar is received');
SELECT throws_ok($$SELECT pg_temp.recv('\x')$$, '22P03', 'invalid binary representation of type radar', 'binary: empty');
SELECT throws_ok($$SELECT pg_temp.recv('\xffffffff')$$, '22P03', NULL, 'binary: negative axis count');
SELECT throws_ok($$SELECT pg_temp.recv('\x7fffffff')$$, '22P03', NULL, 'binary: axis count past the end');
SELECT throws_ok($$SELECT pg_temp.recv('\x00000001ffffffff000000000000000000000000000000000000000000000000')$$,
                 '22P03', NULL, 'binary: negative label length');
SELECT throws_ok($$SELECT pg_temp.recv('\x000000017fffffff000000000000000000000000000000000000000000000000')$$,
                 '22P03', NULL, 'binary: label length past the end');
SELECT throws_ok($$SELECT pg_temp.recv('\x0000000100000001414008000000000000ffffffffffffffff3ff0000000000000')$$,
                 '22P03', NULL, 'binary: negative n');
SELECT throws_ok($$SELECT pg_temp.recv('\x0000000100000001417ff000000000000000000000000000013ff0000000000000')$$,
                 '22P03', NULL, 'binary: infinite mean');
SELECT throws_ok($$SELECT pg_temp.recv('\x00000001000000014140080000000000000000000000000001bff0000000000000')$$,
                 '22P03', NULL, 'binary: negative weight');
SELECT throws_ok($$SELECT pg_temp.recv('\x000000010000000141400800000000000000000000000000017ff8000000000000')$$,
                 '22P03', NULL, 'binary: NaN weight');
SELECT throws_ok($$SELECT pg_temp.recv('\x000000020000000141400800000000000000000000000000013ff00000000000000000000141400800000000000000000000000000013ff0000000000000')$$,
                 '22P03', NULL, 'binary: duplicate labels');
SELECT throws_ok($$SELECT pg_temp.recv('\x000000020000000142400800000000000000000000000000013ff00000000000000000000141400800000000000000000000000000013ff0000000000000')$$,
                 '22P03', NULL, 'binary: unsorted labels');
SELECT throws_ok($$SELECT pg_temp.recv('\x0000000100000002c328400800000000000000000000000000013ff0000000000000')$$,
                 '22P03', NULL, 'binary: invalid UTF-8 label');
SELECT throws_ok($$SELECT pg_temp.recv('\x000000010000000141400800000000000000000000000000013ff000000000000000')$$,
                 '22P03', NULL, 'binary: trailing byte');

-- aggregate and accessor errors
SELECT throws_ok($$SELECT ismseval.maturity_radar(NULL::text, 3::float8)$$, '22004',
                 'axis must not be NULL when a score is given', 'NULL axis with a score');
SELECT throws_ok($$SELECT ismseval.maturity_radar('Govern', 'NaN'::float8)$$, '22023',
                 'score must be a finite number, got NaN', 'NaN score');
SELECT throws_ok($$SELECT ismseval.maturity_radar('Govern', '-Infinity'::float8, 1)$$, '22023',
                 'score must be a finite number, got -Infinity', 'infinite score (weighted)');
SELECT throws_ok($$SELECT ismseval.maturity_radar('Govern', 3, -0.5)$$, '22003',
                 'weight must be >= 0, got -0.5', 'negative weight');
SELECT throws_ok($$SELECT ismseval.maturity_radar('Govern', 3, 'Infinity')$$, '22023',
                 'weight must be a finite number, got Infinity', 'infinite weight');
SELECT throws_ok($$SELECT ismseval.maturity_radar(a, s) FROM (VALUES ('a', 1e308::float8), ('a', -1e308)) v(a, s)$$,
                 '22003', 'radar mean is out of range for type double precision', 'mean overflow');
SELECT throws_ok($$SELECT ismseval.maturity_radar('a', 1, w) FROM (VALUES (1e308::float8), (1e308)) v(w)$$,
                 '22003', 'radar weight is out of range for type double precision', 'weight sum overflow');
SELECT throws_ok($$SELECT ismseval.radar_combine('{"a":1/9223372036854775807}', '{"a":1/1}')$$,
                 '22003', 'radar count n is out of range for type bigint', 'count overflow in combine');
SELECT throws_ok($$SELECT ismseval.radar_gap('{"a":1e308/1}', '{"a":-1e308/1}')$$,
                 '22003', 'radar gap is out of range for type double precision', 'gap overflow');

-- radar_svg
SELECT ok(xml_is_well_formed_document(radar_svg(ARRAY['{"R&D":3/1,"<script>alert(1)</script>":2/1}'::radar],
            ARRAY['R&D <b>'], NULL, 1, 4, 'Title & "quotes" ''x''')), 'SVG is a well-formed XML document');
SELECT is(radar_svg(ARRAY['{"a":3/1,"b":1/1}'::radar, '{"a":2/1}'], title => 't'),
          radar_svg(ARRAY['{"a":3/1,"b":1/1}'::radar, '{"a":2/1}'], title => 't'), 'SVG is deterministic');
SELECT ok(position('<script' in radar_svg(ARRAY['{"<script>alert(1)</script>":2/1}'::radar])) = 0
          AND position('&lt;script&gt;alert(1)&lt;/script&gt;' in radar_svg(ARRAY['{"<script>alert(1)</script>":2/1}'::radar])) > 0,
          'a <script> label comes out escaped');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY[]::ismseval.radar[])$$, '22023',
                 'series must contain at least one radar, got an empty array', 'empty series');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY['{}'::ismseval.radar, NULL])$$, '22004',
                 'series must not contain NULL, element 2 is NULL', 'NULL series element');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY['{}'::ismseval.radar], ARRAY['a', 'b'])$$, '22023',
                 'names must have as many elements as series (1), got 2', 'names length');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY['{}'::ismseval.radar], scale_min => 4, scale_max => 1)$$, '22003',
                 'scale_max must be greater than scale_min (4), got 1', 'scale_min >= scale_max');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY['{}'::ismseval.radar], scale_max => 'NaN')$$, '22023',
                 'scale_max must be a finite number, got NaN', 'NaN scale_max');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY['{}'::ismseval.radar], scale_min => NULL)$$, '22004',
                 'scale_min must not be NULL', 'NULL scale_min');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY['{}'::ismseval.radar], scale_min => -1e308, scale_max => 1e308)$$,
                 '22003', 'scale_max - scale_min must be finite, got 1e+308 - -1e+308', 'scale range overflow');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY['{}'::ismseval.radar], axis_order => ARRAY['a', NULL])$$, '22004',
                 'axis_order must not contain NULL, element 2 is NULL', 'NULL in axis_order');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY['{}'::ismseval.radar], axis_order => ARRAY['a', 'a'])$$, '22023',
                 'axis_order must not repeat an axis', 'duplicate in axis_order (the axis is named in the detail)');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY[ARRAY['{}'::ismseval.radar]])$$, '22023',
                 'series must be a one-dimensional array, got 2 dimensions', '2-D series');
SELECT throws_ok($$SELECT ismseval.radar_svg(ARRAY['{}'::ismseval.radar], ARRAY[ARRAY['a']])$$, '22023',
                 'names must be a one-dimensional array, got 2 dimensions', '2-D names');

-- ---------------------------------------------------------------------------
-- 4,000 distinct axes (issue 10: the grown states used to pile up in the aggregate context,
-- 800 MB here). Axis k = 0..3999 is "axis-0000k"; the inputs come in a scrambled order
-- (k = i x 7919 mod 4000 is a permutation, 7919 being prime to 4000).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE wide AS
  SELECT i, (i * 7919) % 4000 AS k FROM generate_series(0, 3999) i;
-- the expected text: every axis once, mean k mod 4 + 1, n 1
CREATE TEMP TABLE wide_expected AS
  SELECT '{' || string_agg(format('"axis-%s":%s/1', lpad(k::text, 5, '0'), k % 4 + 1), ',' ORDER BY k) || '}' AS t
  FROM wide;
SELECT is((SELECT radar_avg(format('{"axis-%s":%s/1}', lpad(k::text, 5, '0'), k % 4 + 1)::radar)::text FROM wide),
          (SELECT t FROM wide_expected), 'radar_avg of 4000 one-axis radars: every axis, its mean, n 1');
SELECT is((SELECT maturity_radar(format('axis-%s', lpad(k::text, 5, '0')), k % 4 + 1)::text FROM wide),
          (SELECT t FROM wide_expected), 'maturity_radar over 4000 axes');
-- each axis twice, means m and m + 1 (two radars of 2000 axes each, halves interleaved):
-- mean m + 0.5, n 2
SELECT is((SELECT radar_avg(r)::text FROM (
             SELECT format('{%s}', string_agg(format('"axis-%s":%s/1', lpad(k::text, 5, '0'), k % 4 + 1 + j), ',')) ::radar AS r
             FROM wide, generate_series(0, 1) j GROUP BY j, k % 2) s),
          (SELECT '{' || string_agg(format('"axis-%s":%s/2', lpad(k::text, 5, '0'), k % 4 + 1.5), ',' ORDER BY k) || '}' FROM wide),
          'radar_avg of 4 radars of 2000 axes, each axis twice: (m + m + 1) / 2, n 2');
-- radar_combine as a transition over partial states of 1, 2, ... axes: the same as radar_avg
CREATE AGGREGATE pg_temp.combine_all(radar) (SFUNC = radar_combine, STYPE = radar);
SELECT is((SELECT pg_temp.combine_all(format('{"axis-%s":%s/1}', lpad(k::text, 5, '0'), k % 4 + 1)::radar)::text FROM wide),
          (SELECT t FROM wide_expected), 'radar_combine folding 4000 one-axis states');
SET LOCAL ismseval.min_peer_group = 1;
SELECT is((SELECT peer_radar(format('{"axis-%s":%s/1}', lpad(k::text, 5, '0'), k % 4 + 1)::radar)::text FROM wide),
          (SELECT t FROM wide_expected), 'peer_radar under a floor of 1 over 4000 axes');

-- ---------------------------------------------------------------------------
-- radar_mean without intermediate overflow (issue 10): (1e308 - 1e308 + 1e308) / 3 = 1e308 / 3;
-- the old running mean went 1e308, then 1e308 + (-1e308 - 1e308) / 2 = -inf, then NaN.
-- ---------------------------------------------------------------------------
SELECT is(radar_mean('{"a":1e308/1,"b":-1e308/1,"c":1e308/1}'), 1e308::float8 / 3,
          'radar_mean of 1e308, -1e308, 1e308 = 1e308 / 3');
-- 1.7e308 x 3 overflows a plain sum; the mean is 1.7e308 itself
SELECT is(radar_mean('{"a":1.7e308/1,"b":1.7e308/1,"c":1.7e308/1}'), 1.7e308::float8,
          'radar_mean of three 1.7e308 = 1.7e308');
SELECT is(radar_mean('{"a":-1.7976931348623157e308/1,"b":-1.7976931348623157e308/1}'), -1.7976931348623157e308::float8,
          'radar_mean of two -DBL_MAX = -DBL_MAX');
-- compensated: the doubles nearest 0.1, 0.2, 0.3 are 0.1000000000000000055511,
-- 0.2000000000000000111022 and 0.2999999999999999888978; their exact mean is
-- 0.6000000000000000055511 / 3 = 0.2000000000000000018504, whose nearest double is 0.2
-- (a plain sum gives 0.6000000000000001 / 3 = 0.20000000000000004)
SELECT is(radar_mean('{"a":0.1/1,"b":0.2/1,"c":0.3/1}'), 0.2::float8,
          'radar_mean of 0.1, 0.2, 0.3 = 0.2 (compensated sum)');

-- ---------------------------------------------------------------------------
-- The floor of peer_radar travels in the state (issue 10, Distributed). Inputs: Govern in 5,
-- Detect in 2 (the peers table above).
-- ---------------------------------------------------------------------------
SET LOCAL ismseval.min_peer_group = 5;
SELECT is((SELECT peer_radar(r, 2)::text FROM peers), '{"Govern":3/5}',
          'peer_radar(r, 2) under a floor of 5: the floor is not lowered, Detect left out');
SELECT is((SELECT peer_radar(r, 6)::text FROM peers), '{}', 'peer_radar(r, 6): raised to 6, Govern (5) left out');
SELECT throws_ok($$SELECT ismseval.peer_radar(r, 0) FROM peers$$, '22003', 'min_peer_group must be at least 1, got 0',
                 'min_peer_group 0 is an error');
-- A partial state made here (a user aggregate without final function: the state itself), then
-- finished elsewhere with another setting: the final function reads the floor from the state.
CREATE AGGREGATE pg_temp.peer_state(radar) (SFUNC = peer_radar_accum, STYPE = radar);
CREATE TEMP TABLE peer_partial AS SELECT pg_temp.peer_state(r) AS s FROM peers;
SELECT is((SELECT s::text FROM peer_partial), '{"Detect":3/2,"Govern":3/5};min_peer_group=5',
          'the state carries the floor 5 in its text form');
SET LOCAL ismseval.min_peer_group = 2;
SELECT is((SELECT peer_radar_final(s::text::radar)::text FROM peer_partial), '{"Govern":3/5}',
          'finished under a setting of 2, the state''s floor 5 still applies (text round trip)');
SELECT is((SELECT peer_radar_final(radar_combine(s, '{"Detect":1/1};min_peer_group=3'))::text FROM peer_partial),
          '{"Govern":3/5}', 'combine keeps the larger floor (5, not 3): Detect (3 inputs) left out');
SELECT is((SELECT radar_recv_check FROM (SELECT radar_send(s) = radar_send(s::text::radar) AS radar_recv_check
             FROM peer_partial) x), true, 'the binary form carries the floor too (send of the text round trip is equal)');
SET LOCAL ismseval.min_peer_group = 5;
-- Forced parallel plan: partial states with their floor cross the Gather.
CREATE TABLE public.radar_peers_big AS
  SELECT g, g % 7 AS grp, format('{"Govern":%s/1,"Detect":%s/1}', g % 4 + 1, g % 3 + 1)::radar AS r
  FROM generate_series(1, 4000) g;
ALTER TABLE public.radar_peers_big SET (parallel_workers = 2);
ANALYZE public.radar_peers_big;
CREATE TEMP TABLE peers_big_serial AS SELECT grp, peer_radar(r)::text AS pr, peer_radar(r, 600)::text AS pr600
  FROM public.radar_peers_big GROUP BY grp;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;
SET LOCAL max_parallel_workers_per_gather = 2;
CREATE FUNCTION pg_temp.radar_plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP plan := plan || line || E'\n'; END LOOP;
    RETURN plan;
END;
$$;
SELECT matches(pg_temp.radar_plan('SELECT grp, peer_radar(r), peer_radar(r, 600) FROM public.radar_peers_big GROUP BY grp'),
               'Partial (Hash|Group)?Aggregate', 'forced parallel: peer_radar runs as partial aggregates');
-- 4000 rows in 7 groups of 571 or 572: under the floor 5 every axis is kept; under 600, none
SELECT is((SELECT count(*) FROM (SELECT grp, peer_radar(r)::text AS pr, peer_radar(r, 600)::text AS pr600
                                  FROM public.radar_peers_big GROUP BY grp) p JOIN peers_big_serial s USING (grp)
            WHERE p.pr = s.pr AND p.pr600 = s.pr600 AND p.pr600 = '{}' AND p.pr LIKE '{"Detect":%'), 7::bigint,
          'parallel = serial for peer_radar(r) and peer_radar(r, 600); 600 > 572 inputs drops every axis');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;

-- ---------------------------------------------------------------------------
-- Text input errors quote a short prefix of the literal and name the axis (issue 10 Low).
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.input_error(literal text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE msg text; detail text;
BEGIN
    PERFORM literal::ismseval.radar;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || msg || ' / ' || detail;
END;
$$;
SELECT is(pg_temp.input_error('{"a":1/1,"b":x/1' || repeat(' ', 4000000) || '}'),
          '22P02: invalid input syntax for type radar: "{"a":1/1,"b":x/1                        ..." / '
          || 'Axis 2: its mean at character 14 is not a number of type double precision.',
          'a 4 MB literal: 40 bytes quoted, the axis named');
SELECT is(pg_temp.input_error('{"a":1/1,"a":2/1}'),
          '22P02: invalid input syntax for type radar: "{"a":1/1,"a":2/1}" / The axis label "a" appears more than once.',
          'a duplicate label is named');
SELECT is(pg_temp.input_error('{"a":1e999/1}'),
          '22003: mean of radar axis 1 is out of range for type double precision / ',
          'a mean out of range: 22003');

SELECT * FROM finish();
ROLLBACK;
