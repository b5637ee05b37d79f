-- pgTAP: a tenant builds its own aggregates and moving-window aggregates on every exported
-- support function of radar and peer_dist (transition, combine, final), and feeds them
-- stored values (short 1-byte varlena headers, compressed values), values of the 0.4.0
-- layout, and crafted values that break the layout. Every call gives the right value or a
-- clean error; none may crash the server (issue 10, "a tenant can crash the server").
-- The expected values are worked out by hand in the comments.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(57);

CREATE ROLE ua_tenant IN ROLE ismseval_tenant;

-- ---------------------------------------------------------------------------
-- Stored values, readable by the tenant. On disk a value under 127 bytes has a short
-- (1-byte) header; 'big' (300 axes, about 15 kB, compressible) is compressed.
-- ---------------------------------------------------------------------------
CREATE TABLE public.ua_stored (k text PRIMARY KEY, r ismseval.radar, d ismseval.peer_dist);
INSERT INTO public.ua_stored VALUES
  ('small', '{"a":1/1,"b":2/1}', '{1,2}'),
  ('empty', '{}', '{}');
INSERT INTO public.ua_stored
  SELECT 'big', ('{' || string_agg(format('"axis-%s":%s/1', lpad(i::text, 4, '0'), i % 4 + 1), ',') || '}')::ismseval.radar, NULL
  FROM generate_series(1, 300) i;
GRANT SELECT ON public.ua_stored TO ua_tenant;

-- ---------------------------------------------------------------------------
-- Crafted values (a superuser's tool, never available to a tenant): any bytes reinterpreted
-- as radar or peer_dist through a binary-compatible type. The bytes follow the 4-byte
-- varlena header; numbers are little-endian as this machine stores them.
-- ---------------------------------------------------------------------------
CREATE TYPE public.ua_raw;
CREATE FUNCTION public.ua_raw_in(cstring) RETURNS public.ua_raw LANGUAGE internal IMMUTABLE STRICT AS 'byteain';
CREATE FUNCTION public.ua_raw_out(public.ua_raw) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'byteaout';
CREATE TYPE public.ua_raw (INPUT = public.ua_raw_in, OUTPUT = public.ua_raw_out,
                           INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);
CREATE CAST (public.ua_raw AS ismseval.radar) WITHOUT FUNCTION;
CREATE CAST (public.ua_raw AS ismseval.peer_dist) WITHOUT FUNCTION;
-- n little-endian bytes of an integer; the 8 bytes of a float8, little-endian.
CREATE FUNCTION pg_temp.le(x bigint, n int) RETURNS bytea LANGUAGE sql AS
$$ SELECT decode(string_agg(lpad(to_hex((x >> (8 * i)) & 255), 2, '0'), '' ORDER BY i), 'hex')
   FROM generate_series(0, n - 1) i $$;
CREATE FUNCTION pg_temp.lef(x float8) RETURNS bytea LANGUAGE sql AS
$$ SELECT decode(string_agg(substr(encode(float8send(x), 'hex'), 15 - 2 * i, 2), '' ORDER BY i), 'hex')
   FROM generate_series(0, 7) i $$;
-- A radar of format 1 with one axis labelled 'a' (1 byte): header words after vl_len_
-- (format, naxes, axis_cap, label_cap, label_used, last, min_peer_group, owner, reserved),
-- key, axis (mean, weight, n, label_off, label_len), label.
CREATE FUNCTION pg_temp.radar1(format bigint, naxes int, label_off int, last int, key bigint)
RETURNS bytea LANGUAGE sql AS
$$ SELECT pg_temp.le(format, 4) || pg_temp.le(naxes, 4) || pg_temp.le(1, 4) || pg_temp.le(1, 4)
       || pg_temp.le(1, 4) || pg_temp.le(last, 4) || pg_temp.le(0, 4) || pg_temp.le(0, 4) || pg_temp.le(0, 4)
       || pg_temp.le(key, 8)
       || pg_temp.lef(2) || pg_temp.lef(1.5) || pg_temp.le(3, 8) || pg_temp.le(label_off, 4) || pg_temp.le(1, 4)
       || '\x61'::bytea $$;
CREATE FUNCTION pg_temp.raw(b bytea) RETURNS public.ua_raw LANGUAGE sql AS
$$ SELECT ('\x' || encode(b, 'hex'))::public.ua_raw $$;

-- 'a' as a key: its one byte at the top of a big-endian 8-byte integer.
CREATE TABLE public.ua_crafted (k text PRIMARY KEY, r ismseval.radar, d ismseval.peer_dist);
INSERT INTO public.ua_crafted (k, r) VALUES
  -- format 1, valid: {"a":2/3@1.5}
  ('valid', pg_temp.raw(pg_temp.radar1(x'52410001'::bigint, 1, 0, 0, x'6100000000000000'::bigint))::ismseval.radar),
  -- the 0.4.0 layout (format 0): header naxes 1, axis_cap 1, label_cap 1, label_used 1, last 0,
  -- then key, axis, label: {"a":2/3@1.5}
  ('format0', pg_temp.raw(pg_temp.le(1, 4) || pg_temp.le(1, 4) || pg_temp.le(1, 4) || pg_temp.le(1, 4)
                          || pg_temp.le(0, 4) || pg_temp.le(x'6100000000000000'::bigint, 8)
                          || pg_temp.lef(2) || pg_temp.lef(1.5) || pg_temp.le(3, 8) || pg_temp.le(0, 4)
                          || pg_temp.le(1, 4) || '\x61'::bytea)::ismseval.radar),
  -- an axis count far beyond the size
  ('naxes', pg_temp.raw(pg_temp.radar1(x'52410001'::bigint, 100000, 0, 0, x'6100000000000000'::bigint))::ismseval.radar),
  -- a label offset outside the label area
  ('label_off', pg_temp.raw(pg_temp.radar1(x'52410001'::bigint, 1, 1000000, 0, x'6100000000000000'::bigint))::ismseval.radar),
  -- the transition's "last axis" hint beyond the axes
  ('last', pg_temp.raw(pg_temp.radar1(x'52410001'::bigint, 1, 0, 7, x'6100000000000000'::bigint))::ismseval.radar),
  -- a key that does not match its label
  ('key', pg_temp.raw(pg_temp.radar1(x'52410001'::bigint, 1, 0, 0, 42))::ismseval.radar),
  -- a later format version
  ('version', pg_temp.raw(pg_temp.radar1(x'52410002'::bigint, 1, 0, 0, x'6100000000000000'::bigint))::ismseval.radar),
  -- 4 bytes: less than any header
  ('short', pg_temp.raw('\x01000000')::ismseval.radar);
INSERT INTO public.ua_crafted (k, d) VALUES
  -- peer_dist: count 1000 in room for 1 value (count, flags, floor, mean, m2, one value)
  ('d_count', pg_temp.raw(pg_temp.le(1000, 4) || pg_temp.le(0, 4) || pg_temp.le(0, 4) || pg_temp.lef(0)
                          || pg_temp.lef(0) || pg_temp.lef(1))::ismseval.peer_dist),
  -- flags of a later format
  ('d_flags', pg_temp.raw(pg_temp.le(1, 4) || pg_temp.le(256, 4) || pg_temp.le(0, 4) || pg_temp.lef(0)
                          || pg_temp.lef(0) || pg_temp.lef(1))::ismseval.peer_dist),
  -- a size that is not a whole number of values
  ('d_size', pg_temp.raw(pg_temp.le(0, 4) || pg_temp.le(0, 4) || pg_temp.le(0, 4) || pg_temp.lef(0)
                         || pg_temp.lef(0) || '\x01'::bytea)::ismseval.peer_dist);
GRANT SELECT ON public.ua_crafted TO ua_tenant;

-- The fixtures are as intended: short headers and compression on disk.
SELECT is((SELECT pg_column_size(r) < 127 AND pg_column_size(d) < 127 FROM public.ua_stored WHERE k = 'small'),
          true, 'small stored values have short (1-byte) headers');
SELECT ok((SELECT pg_column_size(r) < octet_length(r::text) FROM public.ua_stored WHERE k = 'big'),
          'the big stored radar is compressed');

-- ---------------------------------------------------------------------------
-- From here on, the tenant.
-- ---------------------------------------------------------------------------
SET ROLE ua_tenant;
SET search_path = ismseval, public;

-- Inverse functions that replace the state with a stored or crafted value.
CREATE FUNCTION pg_temp.inv_stored(s radar, r radar) RETURNS radar LANGUAGE sql AS
$$ SELECT r FROM public.ua_stored WHERE k = 'small' $$;
CREATE FUNCTION pg_temp.inv_stored_big(s radar, r radar) RETURNS radar LANGUAGE sql AS
$$ SELECT r FROM public.ua_stored WHERE k = 'big' $$;
CREATE FUNCTION pg_temp.inv_crafted(s radar, r radar) RETURNS radar LANGUAGE sql AS
$$ SELECT r FROM public.ua_crafted WHERE k = current_setting('ua.crafted') $$;
CREATE FUNCTION pg_temp.inv_stored3(s radar, axis text, score float8) RETURNS radar LANGUAGE sql AS
$$ SELECT r FROM public.ua_stored WHERE k = 'small' $$;
CREATE FUNCTION pg_temp.inv_stored4(s radar, axis text, score float8, w float8) RETURNS radar LANGUAGE sql AS
$$ SELECT r FROM public.ua_stored WHERE k = 'small' $$;
CREATE FUNCTION pg_temp.inv_crafted3(s radar, axis text, score float8) RETURNS radar LANGUAGE sql AS
$$ SELECT r FROM public.ua_crafted WHERE k = current_setting('ua.crafted') $$;
CREATE FUNCTION pg_temp.inv_stored_floor(s radar, r radar, f int) RETURNS radar LANGUAGE sql AS
$$ SELECT r FROM public.ua_stored WHERE k = 'small' $$;
CREATE FUNCTION pg_temp.inv_dist(s peer_dist, v float8) RETURNS peer_dist LANGUAGE sql AS
$$ SELECT d FROM public.ua_stored WHERE k = 'small' $$;
CREATE FUNCTION pg_temp.inv_dist_crafted(s peer_dist, v float8) RETURNS peer_dist LANGUAGE sql AS
$$ SELECT d FROM public.ua_crafted WHERE k = current_setting('ua.crafted') $$;
CREATE FUNCTION pg_temp.inv_dist2(s peer_dist, v peer_dist) RETURNS peer_dist LANGUAGE sql STRICT AS
$$ SELECT d FROM public.ua_stored WHERE k = 'small' $$;
CREATE FUNCTION pg_temp.inv_combine(s radar, r radar) RETURNS radar LANGUAGE sql AS
$$ SELECT r FROM public.ua_stored WHERE k = 'small' $$;

-- Moving aggregates on every transition and combine function.
CREATE AGGREGATE pg_temp.m_avg(radar) (SFUNC = radar_avg_accum, STYPE = radar,
  MSFUNC = radar_avg_accum, MINVFUNC = pg_temp.inv_stored, MSTYPE = radar);
CREATE AGGREGATE pg_temp.m_avg_big(radar) (SFUNC = radar_avg_accum, STYPE = radar,
  MSFUNC = radar_avg_accum, MINVFUNC = pg_temp.inv_stored_big, MSTYPE = radar);
CREATE AGGREGATE pg_temp.m_avg_crafted(radar) (SFUNC = radar_avg_accum, STYPE = radar,
  MSFUNC = radar_avg_accum, MINVFUNC = pg_temp.inv_crafted, MSTYPE = radar);
CREATE AGGREGATE pg_temp.m_peer(radar) (SFUNC = peer_radar_accum, STYPE = radar,
  MSFUNC = peer_radar_accum, MINVFUNC = pg_temp.inv_stored, MSTYPE = radar);
CREATE AGGREGATE pg_temp.m_peer_floor(radar, int) (SFUNC = peer_radar_accum, STYPE = radar,
  MSFUNC = peer_radar_accum, MINVFUNC = pg_temp.inv_stored_floor, MSTYPE = radar);
CREATE AGGREGATE pg_temp.m_combine(radar) (SFUNC = radar_combine, STYPE = radar,
  MSFUNC = radar_combine, MINVFUNC = pg_temp.inv_combine, MSTYPE = radar);
CREATE AGGREGATE pg_temp.m_accum(text, float8) (SFUNC = radar_accum, STYPE = radar,
  MSFUNC = radar_accum, MINVFUNC = pg_temp.inv_stored3, MSTYPE = radar);
CREATE AGGREGATE pg_temp.m_accum_crafted(text, float8) (SFUNC = radar_accum, STYPE = radar,
  MSFUNC = radar_accum, MINVFUNC = pg_temp.inv_crafted3, MSTYPE = radar);
CREATE AGGREGATE pg_temp.m_accum_w(text, float8, float8) (SFUNC = radar_accum, STYPE = radar,
  MSFUNC = radar_accum, MINVFUNC = pg_temp.inv_stored4, MSTYPE = radar);
CREATE AGGREGATE pg_temp.m_dist(float8) (SFUNC = peer_dist_accum, STYPE = peer_dist,
  MSFUNC = peer_dist_accum, MINVFUNC = pg_temp.inv_dist, MSTYPE = peer_dist);
CREATE AGGREGATE pg_temp.m_dist_crafted(float8) (SFUNC = peer_dist_accum, STYPE = peer_dist,
  MSFUNC = peer_dist_accum, MINVFUNC = pg_temp.inv_dist_crafted, MSTYPE = peer_dist);
CREATE AGGREGATE pg_temp.m_dist_combine(peer_dist) (SFUNC = peer_dist_combine, STYPE = peer_dist,
  MSFUNC = peer_dist_combine, MINVFUNC = pg_temp.inv_dist2, MSTYPE = peer_dist);

-- The window: rows 1..4, each frame the previous row and the current one. Row 2 adds its row
-- to row 1's state; from row 3 on the inverse function (removing the row that left the frame)
-- replaces the state with the stored value S = {"a":1/1,"b":2/1} (as a state: a mean 1 n 1
-- weight 1, b mean 2 n 1 weight 1), then the current row is added.
CREATE TEMP TABLE ua_rows AS
  SELECT g, '{"a":3/1,"c":5/1}'::radar AS r, 'a'::text AS axis, 3::float8 AS score FROM generate_series(1, 4) g;

-- radar_avg_accum, row R = {"a":3,"c":5} with weight 1: row 1: R itself, {"a":3/1,"c":5/1};
-- row 2: R + R: a (3 + 3) / 2 = 3, n 2; c 5, n 2; rows 3-4: S + R: a (1 x 1 + 3 x 1) / 2 = 2, n 2;
-- b 2, n 1; c 5, n 1.
SELECT is(array_agg(x::text ORDER BY g),
          ARRAY['{"a":3/1,"c":5/1}', '{"a":3/2,"c":5/2}', '{"a":2/2,"b":2/1,"c":5/1}',
                '{"a":2/2,"b":2/1,"c":5/1}'],
          'radar_avg_accum, inverse returns a short-header stored value: right values')
FROM (SELECT g, pg_temp.m_avg(r) OVER w AS x FROM ua_rows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;
-- the big stored value (compressed): rows 3-4 are its 300 axes with R's "a" and "c": 302 axes
SELECT is((SELECT array_agg((SELECT count(*) FROM radar_axes(x)) ORDER BY g)
             FROM (SELECT g, pg_temp.m_avg_big(r) OVER (ORDER BY g ROWS 1 PRECEDING) AS x FROM ua_rows) s),
          ARRAY[2, 2, 302, 302]::bigint[], 'radar_avg_accum, inverse returns a compressed stored value: 302 axes');
-- peer_radar_accum (no final function: the states): as radar_avg_accum, with the floor 5 recorded
-- again after the inverse function replaced the state with a value that has none.
SELECT is(array_agg(x::text ORDER BY g),
          ARRAY['{"a":3/1,"c":5/1};min_peer_group=5', '{"a":3/2,"c":5/2};min_peer_group=5',
                '{"a":2/2,"b":2/1,"c":5/1};min_peer_group=5', '{"a":2/2,"b":2/1,"c":5/1};min_peer_group=5'],
          'peer_radar_accum, inverse returns a short-header stored value: floor recorded')
FROM (SELECT g, pg_temp.m_peer(r) OVER w AS x FROM ua_rows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;
SELECT is(array_agg(x::text ORDER BY g),
          ARRAY['{"a":3/1,"c":5/1};min_peer_group=7', '{"a":3/2,"c":5/2};min_peer_group=7',
                '{"a":2/2,"b":2/1,"c":5/1};min_peer_group=7', '{"a":2/2,"b":2/1,"c":5/1};min_peer_group=7'],
          'peer_radar_accum(radar, 7) as a plain moving aggregate: floor 7 in the state')
FROM (SELECT g, pg_temp.m_peer_floor(r, 7) OVER w AS x FROM ua_rows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;
-- radar_combine: partial states. Row 1: R; row 2: R and R, a (3 x 1 + 3 x 1) / 2 = 3, n 2;
-- rows 3-4: S combined with R: a (1 x 1 + 3 x 1) / 2 = 2.
SELECT is(array_agg(x::text ORDER BY g),
          ARRAY['{"a":3/1,"c":5/1}', '{"a":3/2,"c":5/2}', '{"a":2/2,"b":2/1,"c":5/1}',
                '{"a":2/2,"b":2/1,"c":5/1}'],
          'radar_combine, inverse returns a short-header stored value: right values')
FROM (SELECT g, pg_temp.m_combine(r) OVER w AS x FROM ua_rows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;
-- radar_accum ('a', 3): row 1 {"a":3/1}; row 2 {"a":3/2}; rows 3-4: S + ('a', 3): a (1 + 3) / 2 = 2,
-- n 2; b 2/1.
SELECT is(array_agg(x::text ORDER BY g),
          ARRAY['{"a":3/1}', '{"a":3/2}', '{"a":2/2,"b":2/1}', '{"a":2/2,"b":2/1}'],
          'radar_accum, inverse returns a short-header stored value: right values')
FROM (SELECT g, pg_temp.m_accum(axis, score) OVER w AS x FROM ua_rows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;
-- radar_accum ('a', 3, weight 3): row 2: a 3, n 2, weight 6; rows 3-4: a (1 x 1 + 3 x 3) / 4 = 2.5,
-- n 2, weight 4.
SELECT is(array_agg(x::text ORDER BY g),
          ARRAY['{"a":3/1@3}', '{"a":3/2@6}', '{"a":2.5/2@4,"b":2/1}', '{"a":2.5/2@4,"b":2/1}'],
          'radar_accum (weighted), inverse returns a short-header stored value: right values')
FROM (SELECT g, pg_temp.m_accum_w(axis, score, 3) OVER w AS x FROM ua_rows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;

-- Crafted states through the inverse function: the 0.4.0 layout reads back; the others
-- are clean errors (XX001 corrupted, never a crash).
SET ua.crafted = 'format0';
-- S0 = {"a":2/3@1.5} as a state, + R with weight 1: a (2 x 1.5 + 3 x 1) / 2.5 = 2.4, n 4, weight 2.5
SELECT is(array_agg(x::text ORDER BY g),
          ARRAY['{"a":3/1,"c":5/1}', '{"a":3/2,"c":5/2}', '{"a":2.4/4@2.5,"c":5/1}', '{"a":2.4/4@2.5,"c":5/1}'],
          'a state in the 0.4.0 layout is read (and converted) by the transition function')
FROM (SELECT g, pg_temp.m_avg_crafted(r) OVER w AS x FROM ua_rows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;
SET ua.crafted = 'valid';
SELECT is(array_agg(x::text ORDER BY g),
          ARRAY['{"a":3/1}', '{"a":3/2}', '{"a":2.4/4@2.5}', '{"a":2.4/4@2.5}'],
          'a crafted but valid state: (2 x 1.5 + 3 x 1) / 2.5 = 2.4')
FROM (SELECT g, pg_temp.m_accum_crafted(axis, score) OVER w AS x FROM ua_rows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;
-- Runs a query that must fail cleanly; returns its SQLSTATE.
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END;
$$;
SELECT is(pg_temp.sqlstate_of(format($$SET ua.crafted = %L; SELECT pg_temp.m_avg_crafted(r) OVER (ORDER BY g ROWS 1 PRECEDING) FROM ua_rows$$, k)),
          'XX001', format('radar_avg_accum, crafted state %s: XX001', k))
FROM unnest(ARRAY['naxes', 'label_off', 'last', 'key', 'version', 'short']) k;
SELECT is(pg_temp.sqlstate_of(format($$SET ua.crafted = %L; SELECT pg_temp.m_accum_crafted(axis, score) OVER (ORDER BY g ROWS 1 PRECEDING) FROM ua_rows$$, k)),
          'XX001', format('radar_accum, crafted state %s: XX001', k))
FROM unnest(ARRAY['naxes', 'label_off', 'last', 'key']) k;

-- Crafted and stored values as the input (not the state) of every radar function.
SELECT is(pg_temp.sqlstate_of(format($$SELECT %s FROM public.ua_crafted WHERE k = %L$$, f, k)), 'XX001',
          format('%s of crafted %s: XX001', f, k))
FROM unnest(ARRAY['radar_avg(r)', 'peer_radar(r)', 'peer_radar(r, 3)', 'radar_out(r)', 'radar_send(r)',
                  'radar_to_jsonb(r)', 'radar_mean(r)', 'radar_value(r, ''a'')', 'radar_gap(r, r)',
                  '(radar_axes(r)).axis', 'radar_svg(ARRAY[r])', 'radar_combine(NULL, r)',
                  'radar_final(r)', 'peer_radar_final(r)']) f,
     unnest(ARRAY['label_off']) k;
SELECT is((SELECT radar_avg(r)::text FROM public.ua_crafted WHERE k IN ('valid', 'format0')), '{"a":2/2}',
          'radar_avg of the valid crafted value and the 0.4.0-layout one: a (2 + 2) / 2, n 2');
SELECT is((SELECT radar_avg(r)::text FROM public.ua_stored WHERE k IN ('small', 'empty')), '{"a":1/1,"b":2/1}',
          'radar_avg of short-header stored values');

-- User aggregates whose final function is ours, over a state made by a SQL transition that
-- returns a crafted value: a clean error.
CREATE FUNCTION pg_temp.sf_crafted(s radar, x int) RETURNS radar LANGUAGE sql AS
$$ SELECT r FROM public.ua_crafted WHERE k = 'label_off' $$;
CREATE AGGREGATE pg_temp.f_final(int) (SFUNC = pg_temp.sf_crafted, STYPE = radar, FINALFUNC = radar_final);
CREATE AGGREGATE pg_temp.f_peer_final(int) (SFUNC = pg_temp.sf_crafted, STYPE = radar, FINALFUNC = peer_radar_final);
SELECT is(pg_temp.sqlstate_of('SELECT pg_temp.f_final(g) FROM ua_rows'), 'XX001', 'radar_final of a crafted state: XX001');
SELECT is(pg_temp.sqlstate_of('SELECT pg_temp.f_peer_final(g) FROM ua_rows'), 'XX001',
          'peer_radar_final of a crafted state: XX001');
-- A user aggregate without a final function returns our raw state (with slack); stored and fed
-- back as the state of another one, it reads right: {"a":3/4} + ('a', 1): (3 x 4 + 1) / 5 = 2.6.
CREATE AGGREGATE pg_temp.raw_state(text, float8) (SFUNC = radar_accum, STYPE = radar);
CREATE TEMP TABLE ua_states AS SELECT pg_temp.raw_state(axis, score) AS s FROM ua_rows;
SELECT is((SELECT radar_accum(s, 'a', 1)::text FROM ua_states), '{"a":2.6/5}',
          'a raw state with slack, stored and called directly: (3 x 4 + 1) / 5');
SELECT is((SELECT s::text FROM ua_states), '{"a":3/4}', 'and the stored state is unchanged');

-- peer_dist: the transition and combine functions with short-header and crafted states.
-- Row values 3: row 1 {3}; row 2 {3,3}; rows 3-4: S {1,2} + 3 = {1,2,3} (floor 5 recorded by
-- the transition).
CREATE TEMP TABLE ua_drows AS SELECT g, 3::float8 AS v, '{3}'::peer_dist AS d FROM generate_series(1, 4) g;
SELECT is(array_agg(x::text ORDER BY g),
          ARRAY['{3};min_peer_group=5', '{3,3};min_peer_group=5', '{1,2,3};min_peer_group=5', '{1,2,3};min_peer_group=5'],
          'peer_dist_accum, inverse returns a short-header stored value: right values')
FROM (SELECT g, pg_temp.m_dist(v) OVER w AS x FROM ua_drows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;
SELECT is(array_agg(x::text ORDER BY g), ARRAY['{3}', '{3,3}', '{1,2,3}', '{1,2,3}'],
          'peer_dist_combine, inverse returns a short-header stored value: right values')
FROM (SELECT g, pg_temp.m_dist_combine(d) OVER w AS x FROM ua_drows WINDOW w AS (ORDER BY g ROWS 1 PRECEDING)) s;
SELECT is(pg_temp.sqlstate_of(format($$SET ua.crafted = %L; SELECT pg_temp.m_dist_crafted(v) OVER (ORDER BY g ROWS 1 PRECEDING) FROM ua_drows$$, k)),
          'XX001', format('peer_dist_accum, crafted state %s: XX001', k))
FROM unnest(ARRAY['d_count', 'd_flags', 'd_size']) k;
SELECT is(pg_temp.sqlstate_of(format($$SELECT %s FROM public.ua_crafted WHERE k = 'd_count'$$, f)), 'XX001',
          format('%s of a crafted peer_dist: XX001', f))
FROM unnest(ARRAY['peer_dist_out(d)', 'peer_dist_send(d)', 'peer_count(d)', 'peer_mean(d)', 'peer_stddev(d)',
                  'peer_percentile(d, 1)', 'peer_quantile(d, 0.5)', 'peer_deviation_score(d, 1)',
                  'peer_dist_final(d)', 'peer_dist_combine(d, d)', 'peer_dist_accum(d, 1)']) f;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
