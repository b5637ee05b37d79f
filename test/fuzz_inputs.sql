-- pgTAP: deterministic fuzz of every input path a user controls.  Random and mutated text
-- literals go to each type's text input, random and mutated bytes to each receive function
-- (through binary COPY), hand-made states to the aggregate support functions called directly,
-- and the aggregates run as window functions.  Each case must either succeed with a value that
-- round-trips (out -> in -> out gives the same text, send -> recv -> out too) or fail with one
-- of the documented SQLSTATEs; nothing may crash or change its arguments.
--
-- Fixed seed, a few hundred cases per input path by default.  A longer run (as
-- scripts/valgrind.sh does): PGOPTIONS='-c ismseval_fuzz.cases=5000' pg_prove test/fuzz_inputs.sql
--
-- To cover a new type: add a literal generator (fz_<type>_literal), a byte generator
-- (fz_<type>_bytes) and one line per path to the checks at the end, as for peer_dist below.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SET LOCAL ismseval.min_peer_group = 1;
SELECT plan(17);
SELECT setseed(0.4242);

-- Cases per input path.
CREATE FUNCTION pg_temp.fz_cases() RETURNS int LANGUAGE sql AS
$$ SELECT coalesce(nullif(current_setting('ismseval_fuzz.cases', true), '')::int, 300) $$;

-- The SQLSTATEs bad input may raise.
CREATE FUNCTION pg_temp.fz_allowed(state text) RETURNS boolean LANGUAGE sql AS
$$ SELECT state IN ('22P02', '22P03', '22003', '22023', '54000') $$;

-- A random integer in [low, high].
CREATE FUNCTION pg_temp.fz_int(low bigint, high bigint) RETURNS int LANGUAGE sql AS
$$ SELECT (low + floor(random() * (high - low + 1)))::int $$;

-- A random element of an array.
CREATE FUNCTION pg_temp.fz_pick(options text[]) RETURNS text LANGUAGE sql AS
$$ SELECT options[pg_temp.fz_int(1, pg_catalog.array_length(options, 1))] $$;

-- n random bytes.
CREATE FUNCTION pg_temp.fz_random_bytes(n int) RETURNS bytea LANGUAGE sql AS
$$ SELECT coalesce(pg_catalog.decode(string_agg(lpad(to_hex(pg_temp.fz_int(0, 255)::int), 2, '0'), ''), 'hex'), '')
   FROM generate_series(1, n) $$;

-- A number literal: edge cases, odd spellings and random values of every magnitude.
CREATE FUNCTION pg_temp.fz_number() RETURNS text LANGUAGE sql AS $$
SELECT CASE WHEN random() < 0.5 THEN
    pg_temp.fz_pick(ARRAY['0', '-0', '+0', '1', '-1', '0.5', '1e999', '-1e999', '1e-999', '5e-324',
        '4.9e-324', '2.2250738585072014e-308', '1.7976931348623157e308', '-1.7976931348623157e308',
        '1.8e308', 'nan', 'NaN', 'inf', '-inf', 'Infinity', '-Infinity', '0x10', '0x1p-1074', '1,',
        ',1', '', ' ', '  ', '.', '-', '+', 'e5', '1e', '1e+', '.5', '5.', '00001', '1_000',
        '１', '9223372036854775808', '-9223372036854775809', '1' || repeat('0', 400),
        '0.' || repeat('0', 400) || '1', repeat('9', 30)])
  ELSE (CASE WHEN random() < 0.3 THEN '-' ELSE '' END)
       || ((random() * 10) ^ pg_temp.fz_int(-5, 5))::text END
$$;

-- Mutates a literal: deletes, inserts, duplicates or swaps a few characters.
CREATE FUNCTION pg_temp.fz_mutate(s text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    k int;
    pos int;
    len int;
BEGIN
    FOR k IN 1..pg_temp.fz_int(1, 3) LOOP
        len := length(s);
        pos := pg_temp.fz_int(1, len + 1);
        CASE pg_temp.fz_int(0, 4)
            WHEN 0 THEN s := overlay(s PLACING '' FROM pos FOR 1);
            WHEN 1 THEN s := overlay(s PLACING pg_temp.fz_pick(ARRAY['{', '}', '(', ')', ',', ',,',
                             '.', '-', '+', 'e', 'E', ' ', E'\t', E'\n', '0', '1', '9', 'x', 'n',
                             'inf', 'nan', '"', '\', 'é', '{}', '()']) FROM pos FOR 0);
            WHEN 2 THEN s := overlay(s PLACING substr(s, pos, pg_temp.fz_int(1, 8)) FROM pos FOR 0);
            WHEN 3 THEN s := overlay(s PLACING pg_temp.fz_number() FROM pos FOR 0);
            ELSE s := substr(s, 1, pos - 1);
        END CASE;
    END LOOP;
    RETURN s;
END
$$;

-- A peer_dist literal: valid, valid with odd spacing, or mutated.
CREATE FUNCTION pg_temp.fz_peer_dist_literal() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    s text;
BEGIN
    SELECT '{' || coalesce(string_agg(pg_temp.fz_number(), pg_temp.fz_pick(ARRAY[',', ' ,', ', ', ','])), '') || '}'
      INTO s FROM generate_series(1, pg_temp.fz_int(0, 6));
    IF random() < 0.2 THEN
        s := pg_temp.fz_pick(ARRAY['{}', '{,}', '{1,,2}', '{1,}', '{,1}', '{', '}', '', ' ', '{{1}}',
               '{1}}', '{1} x', ' { 1 , 2 } ', '{1 2}', '[1,2]', '{"1"}', '{NULL}', '{1;2}'])
             || CASE WHEN random() < 0.5 THEN '' ELSE ' ' END;
    END IF;
    IF random() < 0.5 THEN
        s := pg_temp.fz_mutate(s);
    END IF;
    RETURN s;
END
$$;

-- An effectiveness_state literal: valid, edge, or mutated.
CREATE FUNCTION pg_temp.fz_effectiveness_state_literal() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    s text;
BEGIN
    s := '(' || pg_temp.fz_pick(ARRAY['0', '1', '2', '-1', '-0', '+3', ' 4', '9223372036854775807',
             '9223372036854775808', '-9223372036854775808', '0x10', '1.5', '', '1e3',
             pg_temp.fz_int(0, 1000000)::text])
         || pg_temp.fz_pick(ARRAY[',', ' , ', ',,', ''])
         || CASE WHEN random() < 0.5 THEN random()::text ELSE pg_temp.fz_number() END
         || pg_temp.fz_pick(ARRAY[')', ' ) ', '', '))', ') x']);
    IF random() < 0.1 THEN
        s := pg_temp.fz_pick(ARRAY['(0,1)', '(0, 1)', '( 0 , 1 )', '(0,0.5)', '(1,-0)', '(1,-0.0)',
               '(2,0.25)', '(1,2)', '(1,NaN)', '()', '(', ')', '', '(,)', '(1)', '(1,2,3)']);
    END IF;
    IF random() < 0.5 THEN
        s := pg_temp.fz_mutate(s);
    END IF;
    RETURN s;
END
$$;

-- A risk_matrix entry's tail: a colour (either case) or none (a level then takes the palette's),
-- then, sometimes, a labels object (valid, or with a wrong key, type, language or brace).
CREATE FUNCTION pg_temp.fz_risk_matrix_tail() RETURNS text LANGUAGE sql AS $$
SELECT CASE WHEN random() < 0.8
            THEN ' #' || CASE WHEN random() < 0.5 THEN lpad(to_hex(pg_temp.fz_int(0, 16777215)::int), 6, '0')
                              ELSE upper(lpad(to_hex(pg_temp.fz_int(0, 16777215)::int), 6, '0')) END
            ELSE '' END
    || CASE WHEN random() < 0.3
            THEN ' ' || pg_temp.fz_pick(ARRAY['{"abbreviation": "A"}', '{"abbreviation": 1}', '{}',
                 '{"description": "d é \"q\"", "translations": {"fr": {"name": "n"}, "de": {"description": "x"}}}',
                 '{"translations": {"f r": {}}}', '{"translations": []}', '{"bad": 1}', '{"abbreviation": "A"',
                 '{"description": "}"}', '{abbreviation: 1}', '{"translations": {"fr": {"nom": 1}}}'])
            ELSE '' END
$$;

-- A risk_matrix scale size and, sometimes, its entries (names, colours, labels; sometimes one
-- entry too many or too few).
CREATE FUNCTION pg_temp.fz_risk_matrix_scale(n int) RETURNS text LANGUAGE sql AS $$
SELECT n::text || CASE WHEN random() < 0.3
    THEN ' (' || (SELECT string_agg(pg_temp.fz_pick(ARRAY['"' || k || '"', 'S' || k, '"é ' || k || '"', '""'])
                                    || pg_temp.fz_risk_matrix_tail(), ', ')
                    FROM generate_series(1, greatest(n + CASE WHEN random() < 0.9 THEN 0 ELSE pg_temp.fz_int(-1, 1)::int END, 1)) k)
         || ')'
    ELSE '' END
$$;

-- A risk_matrix literal: a random valid matrix (thresholds or grid, names bare or quoted,
-- colours in either case or none, labels, scale entries), edge sizes, or mutated.
CREATE FUNCTION pg_temp.fz_risk_matrix_literal() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    nlik int := CASE WHEN random() < 0.9 THEN pg_temp.fz_int(2, 10) ELSE pg_temp.fz_int(0, 12) END;
    nimp int := CASE WHEN random() < 0.9 THEN pg_temp.fz_int(2, 10) ELSE pg_temp.fz_int(0, 12) END;
    nlevels int := CASE WHEN random() < 0.9 THEN pg_temp.fz_int(2, 5) ELSE pg_temp.fz_int(0, 6) END;
    levels text;
    mapping text;
    s text;
BEGIN
    SELECT string_agg(CASE WHEN random() < 0.8 THEN pg_temp.fz_pick(ARRAY['L' || k, '"l x' || k || '"',
                                                                          '"é ' || k || '"', '"a""b' || k || '"'])
                           ELSE pg_temp.fz_pick(ARRAY['lo', '""', '"', '1a', '"x""']) END
                      || pg_temp.fz_risk_matrix_tail(),
                      pg_temp.fz_pick(ARRAY[', ', ',', ' , ']))
      INTO levels FROM generate_series(1, nlevels) k;
    IF random() < 0.5 THEN
        SELECT 'thresholds (' || coalesce(string_agg((1 + k * greatest(nlik * nimp / greatest(nlevels, 1), 1)
                                                      + pg_temp.fz_int(-1, 1))::text, ', '), '') || ')'
          INTO mapping FROM generate_series(1, nlevels - 1) k;
    ELSE
        SELECT 'grid (' || string_agg('(' || (SELECT string_agg(pg_temp.fz_int(0, nlevels - CASE WHEN random() < 0.95 THEN 1 ELSE 0 END)::text, ', ')
                                              FROM generate_series(1, nimp) i WHERE l > 0) -- a new row each l
                                      || ')', ', ') || ')'
          INTO mapping FROM generate_series(1, nlik) l;
    END IF;
    s := format('likelihood %s impact %s levels (%s) %s', pg_temp.fz_risk_matrix_scale(nlik),
                pg_temp.fz_risk_matrix_scale(nimp), levels, mapping);
    IF random() < 0.5 THEN
        s := pg_temp.fz_mutate(s);
    END IF;
    RETURN s;
END
$$;

-- A float8 for binary values: edge bit patterns or random ones.
CREATE FUNCTION pg_temp.fz_float8_bytes() RETURNS bytea LANGUAGE sql AS $$
SELECT CASE pg_temp.fz_int(0, 3)
    WHEN 0 THEN float8send(pg_temp.fz_pick(ARRAY['0', '-0', '1', '-1', '0.5', '5e-324', '-5e-324',
        '2.2250738585072014e-308', '1.7976931348623157e308', '-1.7976931348623157e308', 'NaN',
        'Infinity', '-Infinity'])::float8)
    WHEN 1 THEN '\x7ff8000000000001'::bytea   -- a NaN with a payload
    ELSE pg_temp.fz_random_bytes(8) END
$$;

-- Mutates bytes: flips, truncates or extends.
CREATE FUNCTION pg_temp.fz_mutate_bytes(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    pos int;
BEGIN
    CASE pg_temp.fz_int(0, 3)
        WHEN 0 THEN
            IF length(b) > 0 THEN
                pos := pg_temp.fz_int(0, length(b) - 1);
                b := set_byte(b, pos, pg_temp.fz_int(0, 255)::int);
            END IF;
        WHEN 1 THEN b := substr(b, 1, pg_temp.fz_int(0, length(b)));
        WHEN 2 THEN b := b || pg_temp.fz_random_bytes(pg_temp.fz_int(1, 9)::int);
        ELSE NULL;
    END CASE;
    RETURN b;
END
$$;

-- peer_dist binary input: count then float8 values, with lying counts and hostile values.
CREATE FUNCTION pg_temp.fz_peer_dist_bytes() RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    n int := pg_temp.fz_int(0, 6);
    b bytea;
BEGIN
    SELECT coalesce(string_agg(CASE WHEN random() < 0.8
                                    THEN float8send((random() * 200 - 100)::float8)
                                    ELSE pg_temp.fz_float8_bytes() END, ''::bytea), '')
      INTO b FROM generate_series(1, n);
    b := int4send(CASE pg_temp.fz_int(0, 5)
                      WHEN 0 THEN pg_temp.fz_int(-2147483648, 2147483647)::int
                      WHEN 1 THEN n + pg_temp.fz_int(-2, 2)::int
                      WHEN 2 THEN pg_temp.fz_pick(ARRAY['-1', '268435455', '268435456', '536870911',
                                                         '2147483647', '-2147483648'])::int
                      ELSE n END) || b;
    IF random() < 0.4 THEN
        b := pg_temp.fz_mutate_bytes(b);
    END IF;
    RETURN b;
END
$$;

-- effectiveness_state binary input: int8 count, float8 product.
CREATE FUNCTION pg_temp.fz_effectiveness_state_bytes() RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    b bytea;
BEGIN
    b := int8send(CASE pg_temp.fz_int(0, 3)
                      WHEN 0 THEN pg_temp.fz_int(0, 10)
                      WHEN 1 THEN pg_temp.fz_pick(ARRAY['-1', '9223372036854775807',
                                                         '-9223372036854775808'])::bigint
                      ELSE pg_temp.fz_int(-100, 1000000) END)
         || CASE WHEN random() < 0.6 THEN float8send(random()) ELSE pg_temp.fz_float8_bytes() END;
    IF random() < 0.4 THEN
        b := pg_temp.fz_mutate_bytes(b);
    END IF;
    RETURN b;
END
$$;

-- risk_matrix binary input: the binary form of a random literal that parses, or random
-- bytes, mutated.
CREATE FUNCTION pg_temp.fz_risk_matrix_bytes() RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    b bytea;
BEGIN
    BEGIN
        b := risk_matrix_send(pg_temp.fz_risk_matrix_literal()::risk_matrix);
    EXCEPTION WHEN OTHERS THEN
        b := '\x0100'::bytea || pg_temp.fz_random_bytes(pg_temp.fz_int(0, 40)::int);
    END;
    IF random() < 0.6 THEN
        b := pg_temp.fz_mutate_bytes(b);
    END IF;
    RETURN b;
END
$$;

-- A stored risk_matrix value: the stored bytes of a random valid matrix, mutated in place (a
-- value damaged on disk or written by another version; made through a bytea cast that only a
-- superuser can create).
CREATE CAST (bytea AS risk_matrix) WITHOUT FUNCTION;
CREATE CAST (risk_matrix AS bytea) WITHOUT FUNCTION;
CREATE FUNCTION pg_temp.fz_risk_matrix_stored() RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    b bytea;
    k int;
BEGIN
    LOOP
        BEGIN
            b := pg_temp.fz_risk_matrix_literal()::risk_matrix::bytea;
            EXIT;
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
    END LOOP;
    FOR k IN 1..pg_temp.fz_int(1, 3) LOOP
        b := pg_temp.fz_mutate_bytes(b);
    END LOOP;
    RETURN b;
END
$$;

-- Reads a literal as typname: 'ok' if it round-trips, 'err' if it fails with an allowed
-- SQLSTATE, else a description of what went wrong.
CREATE FUNCTION pg_temp.fz_text_case(typname text, literal text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    out1 text;
    out2 text;
BEGIN
    EXECUTE format('SELECT %L::%s::text', literal, typname) INTO out1;
    EXECUTE format('SELECT %L::%s::text', out1, typname) INTO out2;
    IF out1 IS DISTINCT FROM out2 THEN
        RETURN format('%s %L -> %L -> %L does not round-trip', typname, literal, out1, out2);
    END IF;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    IF pg_temp.fz_allowed(SQLSTATE) THEN
        RETURN 'err';
    END IF;
    RETURN format('%s %L: unexpected %s %s', typname, literal, SQLSTATE, SQLERRM);
END
$$;

CREATE TEMP TABLE fz_in_peer_dist (v peer_dist);
CREATE TEMP TABLE fz_in_effectiveness_state (v effectiveness_state);
CREATE TEMP TABLE fz_in_risk_matrix (v risk_matrix);

-- Loads bytes as one binary COPY field into a one-column table of typname; returns its text.
CREATE FUNCTION pg_temp.fz_copy_in(typname text, bytes bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    path text := current_setting('data_directory') || format('/ismseval_fuzz_%s.bin', pg_backend_pid());
    result text;
BEGIN
    EXECUTE format('TRUNCATE fz_in_%s', typname);
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', bytes, path);
    EXECUTE format('COPY fz_in_%s FROM %L (FORMAT binary)', typname, path);
    EXECUTE format('SELECT v::text FROM fz_in_%s', typname) INTO result;
    RETURN result;
END
$$;

-- Receives bytes as typname: 'ok' if the value round-trips through text and through
-- send/recv, 'err' if it fails with an allowed SQLSTATE, else what went wrong.
CREATE FUNCTION pg_temp.fz_binary_case(typname text, bytes bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    out1 text;
    out2 text;
    out3 text;
    sent bytea;
BEGIN
    out1 := pg_temp.fz_copy_in(typname, bytes);
    EXECUTE format('SELECT %L::%s::text', out1, typname) INTO out2;
    EXECUTE format('SELECT %s_send(%L::%s)', typname, out1, typname) INTO sent;
    out3 := pg_temp.fz_copy_in(typname, sent);
    IF out1 IS DISTINCT FROM out2 OR out1 IS DISTINCT FROM out3 THEN
        RETURN format('%s %s -> %L -> %L / %L does not round-trip', typname, bytes, out1, out2, out3);
    END IF;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    IF pg_temp.fz_allowed(SQLSTATE) THEN
        RETURN 'err';
    END IF;
    RETURN format('%s %s: unexpected %s %s', typname, bytes, SQLSTATE, SQLERRM);
END
$$;

-- Reads stored bytes as a risk_matrix through every function that reads one: 'ok' when they
-- all answer, 'err' when they raise XX001 (an inconsistent value, or a level name that is not
-- valid text) or 0A000 (an unknown layout version), else what went wrong.
CREATE FUNCTION pg_temp.fz_stored_case(typname text, bytes bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m risk_matrix := bytes::risk_matrix;
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM risk_matrix_cells(m) c
     WHERE risk_level(m, c.likelihood, c.impact) IS DISTINCT FROM c.level
        OR risk_level_rank(m, c.likelihood, c.impact) IS DISTINCT FROM c.rank
        OR risk_color(m, c.likelihood, c.impact) IS DISTINCT FROM c.color;
    IF n > 0 THEN
        RETURN format('stored %s: lookups disagree with risk_matrix_cells', bytes);
    END IF;
    PERFORM count(*) FROM risk_matrix_levels(m);
    PERFORM count(*) FROM risk_matrix_likelihood_scale(m);
    PERFORM count(*) FROM risk_matrix_impact_scale(m);
    PERFORM risk_matrix_send(m), m = m, risk_matrix_likelihood_size(m), risk_matrix_impact_size(m),
            m::text, risk_matrix_to_jsonb(m);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    IF SQLSTATE IN ('XX001', '0A000') THEN
        RETURN 'err';
    END IF;
    RETURN format('stored %s: unexpected %s %s', bytes, SQLSTATE, SQLERRM);
END
$$;

-- Runs n cases of a generator through a checker; returns the failures (empty when all passed)
-- and leaves the outcome counts in fz_outcomes.
CREATE TEMP TABLE fz_outcomes (path text, outcome text, cases int);
CREATE FUNCTION pg_temp.fz_run(path text, checker text, typname text, generator text)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    i int;
    r text;
    ok int := 0;
    err int := 0;
BEGIN
    FOR i IN 1..pg_temp.fz_cases() LOOP
        EXECUTE format('SELECT pg_temp.%s(%L, pg_temp.%s())', checker, typname, generator) INTO r;
        IF r = 'ok' THEN
            ok := ok + 1;
        ELSIF r = 'err' THEN
            err := err + 1;
        ELSE
            RETURN NEXT r;
        END IF;
    END LOOP;
    INSERT INTO fz_outcomes VALUES (path, 'ok', ok), (path, 'err', err);
END
$$;

-- 1-4: text and binary input of each type.
SELECT is_empty($$SELECT * FROM pg_temp.fz_run('peer_dist text', 'fz_text_case', 'peer_dist',
                                               'fz_peer_dist_literal')$$,
                'peer_dist text input: every literal round-trips or fails cleanly');
SELECT is_empty($$SELECT * FROM pg_temp.fz_run('peer_dist binary', 'fz_binary_case', 'peer_dist',
                                               'fz_peer_dist_bytes')$$,
                'peer_dist binary input: every byte string round-trips or fails cleanly');
SELECT is_empty($$SELECT * FROM pg_temp.fz_run('effectiveness_state text', 'fz_text_case',
                                               'effectiveness_state', 'fz_effectiveness_state_literal')$$,
                'effectiveness_state text input: every literal round-trips or fails cleanly');
SELECT is_empty($$SELECT * FROM pg_temp.fz_run('effectiveness_state binary', 'fz_binary_case',
                                               'effectiveness_state', 'fz_effectiveness_state_bytes')$$,
                'effectiveness_state binary input: every byte string round-trips or fails cleanly');

SELECT is_empty($$SELECT * FROM pg_temp.fz_run('risk_matrix text', 'fz_text_case',
                                               'risk_matrix', 'fz_risk_matrix_literal')$$,
                'risk_matrix text input: every literal round-trips or fails cleanly');
SELECT is_empty($$SELECT * FROM pg_temp.fz_run('risk_matrix binary', 'fz_binary_case',
                                               'risk_matrix', 'fz_risk_matrix_bytes')$$,
                'risk_matrix binary input: every byte string round-trips or fails cleanly');
SELECT is_empty($$SELECT * FROM pg_temp.fz_run('risk_matrix stored', 'fz_stored_case',
                                               'risk_matrix', 'fz_risk_matrix_stored')$$,
                'risk_matrix stored values: every damaged value answers or fails cleanly');

-- 5: the fuzz reached both outcomes on every path (it is not only testing one branch).
SELECT is((SELECT count(*) FROM fz_outcomes WHERE cases > 0), 14::bigint,
          'every path saw both accepted and rejected inputs');

-- Valid values for the direct calls below: random groups of random sizes.
CREATE TEMP TABLE fz_dists AS
  SELECT g, (SELECT peer_dist(((random() * 20)::int - 10) / 4.0 + 0 * x) FROM generate_series(0, g % 7) x) AS d
  FROM generate_series(1, pg_temp.fz_cases()) g;
CREATE TEMP TABLE fz_states AS
  SELECT g, format('(%s,%s)', g % 4, CASE WHEN g % 4 = 0 THEN 1 ELSE random() END)::effectiveness_state AS s,
         random() AS e
  FROM generate_series(1, pg_temp.fz_cases()) g;

-- The sorted text form of a float8 array as peer_dist prints it (without the floor an aggregate adds).
CREATE FUNCTION pg_temp.fz_sorted(v float8[]) RETURNS text LANGUAGE sql AS
$$ SELECT '{' || coalesce(string_agg(x::text, ',' ORDER BY x), '') || '}' FROM unnest(v) x $$;
CREATE FUNCTION pg_temp.fz_values(d peer_dist) RETURNS float8[] LANGUAGE sql AS
$$ SELECT pg_catalog.string_to_array(pg_catalog.btrim(pg_catalog.split_part(d::text, ';', 1), '{}'), ',')::float8[] $$;

-- 6-8: the support functions called directly build the right value and leave their arguments alone.
SELECT is_empty($$
  SELECT a.g FROM fz_dists a JOIN fz_dists b ON b.g = a.g % 50 + 1,
         LATERAL (SELECT a.d::text AS a0, b.d::text AS b0) before,
         LATERAL (SELECT peer_dist_combine(a.d, b.d) AS c, peer_dist_accum(a.d, a.g / 8.0) AS s,
                         peer_dist_accum(a.d, NULL) AS sn, peer_dist_final(a.d) AS f) r
  WHERE r.c::text <> pg_temp.fz_sorted(pg_temp.fz_values(a.d) || pg_temp.fz_values(b.d)) || ';min_peer_group=1'
     OR r.s::text <> pg_temp.fz_sorted(pg_temp.fz_values(a.d) || (a.g / 8.0)::float8) || ';min_peer_group=1'
     OR r.sn::text <> a0 OR r.f::text <> a0
     OR a.d::text <> a0 OR b.d::text <> b0$$,
  'peer_dist_accum, _combine, _final called directly: right values, arguments untouched');
SELECT is_empty($$
  SELECT a.g FROM fz_states a JOIN fz_states b ON b.g = a.g % 50 + 1,
         LATERAL (SELECT a.s::text AS a0, b.s::text AS b0) before,
         LATERAL (SELECT effectiveness_combine(a.s, b.s) AS c, effectiveness_accum(a.s, a.e) AS s,
                         effectiveness_final(a.s) AS f) r
  WHERE r.c::text <> format('(%s,%s)', split_part(btrim(a0, '()'), ',', 1)::bigint
                             + split_part(btrim(b0, '()'), ',', 1)::bigint,
                            split_part(btrim(a0, '()'), ',', 2)::float8
                             * split_part(btrim(b0, '()'), ',', 2)::float8)
     OR r.s::text <> format('(%s,%s)', split_part(btrim(a0, '()'), ',', 1)::bigint + 1,
                            split_part(btrim(a0, '()'), ',', 2)::float8 * (1 - a.e))
     OR r.f IS DISTINCT FROM CASE WHEN a.g % 4 = 0 THEN NULL
                                  ELSE 1 - split_part(btrim(a0, '()'), ',', 2)::float8 END
     OR a.s::text <> a0 OR b.s::text <> b0$$,
  'effectiveness_accum, _combine, _final called directly: right values, arguments untouched');
SELECT is_empty($$
  SELECT d FROM fz_dists
  WHERE peer_count(d) <> pg_catalog.cardinality(pg_temp.fz_values(d))
     OR peer_quantile(d, 0) <> (pg_temp.fz_values(d))[1]
     OR peer_quantile(d, 1) <> (pg_temp.fz_values(d))[peer_count(d)]
     OR peer_mean(d) NOT BETWEEN peer_quantile(d, 0) AND peer_quantile(d, 1)
     OR peer_stddev(d) < 0 OR peer_percentile(d, peer_quantile(d, 0.5)) NOT BETWEEN 0 AND 100$$,
  'peer figures of random groups are consistent with their values');

-- 9: a group of n equal values has exactly that mean and no spread.
SELECT is_empty($$
  SELECT x, n FROM (SELECT (random() * 10 ^ pg_temp.fz_int(-10, 10))::float8 AS x,
                           pg_temp.fz_int(1, 40)::int AS n
                    FROM generate_series(1, pg_temp.fz_cases())) c,
         LATERAL (SELECT peer_dist(x + 0 * i) AS d FROM generate_series(1, n) i) a
  WHERE peer_mean(d) <> x OR peer_stddev(d) <> 0 OR peer_deviation_score(d, x) <> 50$$,
  'n equal values: mean is the value, stddev 0, deviation score 50');

-- 10-13: the aggregates as window functions, growing and sliding frames, against plain aggregates.
CREATE TEMP TABLE fz_rows AS
  SELECT i, ((random() * 40)::int - 20) / 8.0 AS x, (random() * 4)::int / 4.0 AS e
  FROM generate_series(1, least(pg_temp.fz_cases(), 200)) i;
SELECT is_empty($$
  SELECT i FROM (SELECT i, x, peer_dist(x) OVER (ORDER BY i) AS w,
                        peer_percentile(peer_dist(x) OVER (ORDER BY i), x) AS p FROM fz_rows) r
  WHERE w::text <> (SELECT peer_dist(x)::text FROM fz_rows s WHERE s.i <= r.i)
     OR p <> (SELECT peer_percentile(peer_dist(s.x), r.x) FROM fz_rows s WHERE s.i <= r.i)$$,
  'peer_dist over a growing frame equals the aggregate over the same rows');
SELECT is_empty($$
  SELECT i FROM (SELECT i, peer_dist(x) OVER (ORDER BY i ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING
                                              EXCLUDE CURRENT ROW) AS w FROM fz_rows) r
  WHERE w::text IS DISTINCT FROM (SELECT peer_dist(x)::text FROM fz_rows s
                                  WHERE s.i BETWEEN r.i - 3 AND r.i + 1 AND s.i <> r.i)$$,
  'peer_dist over a sliding frame equals the aggregate over the same rows');
SELECT is_empty($$
  SELECT i FROM (SELECT i, combined_effectiveness(e) OVER (ORDER BY i) AS w FROM fz_rows) r
  WHERE w IS DISTINCT FROM (SELECT combined_effectiveness(e ORDER BY i) FROM fz_rows s WHERE s.i <= r.i)$$,
  'combined_effectiveness over a growing frame equals the aggregate over the same rows');
SELECT is_empty($$
  SELECT i FROM (SELECT i, combined_effectiveness(e) OVER (ORDER BY i ROWS BETWEEN 2 PRECEDING
                                                           AND CURRENT ROW) AS w FROM fz_rows) r
  WHERE w IS DISTINCT FROM (SELECT combined_effectiveness(e ORDER BY i) FROM fz_rows s
                            WHERE s.i BETWEEN r.i - 2 AND r.i)$$,
  'combined_effectiveness over a sliding frame equals the aggregate over the same rows');

-- 14: the text forms of the window results still read back (no state was scribbled on).
SELECT is_empty($$
  SELECT w FROM (SELECT peer_dist(x) OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)::text AS w
                 FROM fz_rows) r
  WHERE w::peer_dist::text <> w$$,
  'window results round-trip through text');

SELECT * FROM finish();
ROLLBACK;
