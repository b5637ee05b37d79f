-- pgTAP: combined_effectiveness and effectiveness_state, hand-worked values and every error path
-- (the only harness for their errors; sql/effectiveness.sql shows the values).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SET LOCAL search_path = ismseval, public;
SELECT plan(63);

-- The SQLSTATE, primary message and detail of the error a statement raises:
-- "SQLSTATE: message (Detail.)", or "no error".
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL;
    RETURN state || ': ' || message || CASE WHEN detail <> '' THEN ' (' || detail || ')' ELSE '' END;
END
$f$;

-- EXPLAIN lines of a query, for plan checks.
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END $$;
-- Writes bytes as one binary COPY field to a file and loads it into eff_states.
CREATE TABLE eff_states (s effectiveness_state);
CREATE FUNCTION pg_temp.load_state(bytes bytea) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', bytes, current_setting('data_directory') || '/ismseval_effectiveness_state_tap.bin');
    EXECUTE format('COPY eff_states FROM %L (FORMAT binary)', current_setting('data_directory') || '/ismseval_effectiveness_state_tap.bin');
END $$;

-- the aggregate
SELECT is(combined_effectiveness(e), 0.75::float8, '{0.5, 0.5}: 1 - 0.5 x 0.5 = 0.75')
  FROM (VALUES (0.5::float8), (0.5)) AS t(e);
SELECT is(combined_effectiveness(e), 0.6::float8, '{0.2, 0.5, 0}: 1 - 0.8 x 0.5 x 1 = 0.6')
  FROM (VALUES (0.2::float8), (0.5), (0.0)) AS t(e);
SELECT is(combined_effectiveness(e), 1::float8, '{1, 0.3}: 1 - 0 x 0.7 = 1')
  FROM (VALUES (1::float8), (0.3)) AS t(e);
SELECT is(combined_effectiveness(e), 0::float8, '{0, 0}: 1 - 1 x 1 = 0')
  FROM (VALUES (0::float8), (0)) AS t(e);
SELECT is(combined_effectiveness(e), 0.75::float8, 'NULLs skipped: {NULL, 0.5, NULL, 0.5} = 0.75')
  FROM (VALUES (NULL::float8), (0.5), (NULL), (0.5)) AS t(e);
SELECT is(combined_effectiveness(e), NULL, 'all NULL gives NULL')
  FROM (VALUES (NULL::float8), (NULL)) AS t(e);
SELECT is(combined_effectiveness(e), NULL, 'no rows gives NULL')
  FROM (VALUES (0.5::float8)) AS t(e) WHERE false;

-- the support functions called directly
SELECT is(effectiveness_accum('(1,0.5)', 0.5)::text, '(2,0.25)', 'accum: (1,0.5) + 0.5 = (2,0.25)');
SELECT is(effectiveness_combine('(2,0.25)', '(1,0.5)')::text, '(3,0.125)', 'combine: (2,0.25) + (1,0.5) = (3,0.125)');
SELECT is(effectiveness_final('(3,0.125)'), 0.875::float8, 'final: 1 - 0.125 = 0.875');
SELECT is(effectiveness_final('(0,1)'), NULL, 'final of an empty state is NULL');
SELECT is(' ( 2 , 0.25 ) '::effectiveness_state::text, '(2,0.25)', 'white space around the parts is allowed');

-- the text form reads back exactly
SELECT is(s::text::effectiveness_state::text, s::text, '(1 - 0.1)(1 - 1/3): text round trip')
  FROM (SELECT effectiveness_accum(effectiveness_accum('(0,1)', 0.1), 1 / 3.0::float8) AS s) AS t;
SELECT is(float8send(effectiveness_final(s::text::effectiveness_state)), float8send(effectiveness_final(s)),
          '(1 - 0.1)(1 - 1/3): the final result is the same bits after the text round trip')
  FROM (SELECT effectiveness_accum(effectiveness_accum('(0,1)', 0.1), 1 / 3.0::float8) AS s) AS t;
SELECT is(s::text, '(3,0.7290000000000001)', '(1 - 0.1)^3 is printed shortest-exact')
  FROM (SELECT effectiveness_accum(effectiveness_accum(effectiveness_accum('(0,1)', 0.1), 0.1), 0.1) AS s) AS t;
SELECT is((SELECT count(*) FROM (SELECT effectiveness_accum(effectiveness_accum('(0,1)', 1.0 / i), sqrt(i) / 100) AS s
                                   FROM generate_series(1, 1000) AS i) AS t
            WHERE s::text::effectiveness_state::text <> s::text
               OR float8send(effectiveness_final(s::text::effectiveness_state)) <> float8send(effectiveness_final(s))),
          0::bigint, '1000 states with products like (1 - 1/i)(1 - sqrt(i)/100) all read back to the same bits');
-- a partial state shipped as text and combined gives the same bits as one combined in place
SELECT is(float8send(effectiveness_final(effectiveness_combine(a::text::effectiveness_state, b::text::effectiveness_state))),
          float8send(effectiveness_final(effectiveness_combine(a, b))),
          'combining states that went through text changes no bit')
  FROM (SELECT effectiveness_accum('(0,1)', 0.1) AS a, effectiveness_accum('(0,1)', 1 / 3.0::float8) AS b) AS t;
SET LOCAL extra_float_digits = -15;
SELECT is('(1,0.1)'::effectiveness_state::text || effectiveness_accum('(0,1)', 1 / 3.0::float8)::text,
          '(1,0.1)(1,0.6666666666666667)', 'extra_float_digits does not shorten the text form');
RESET extra_float_digits;

-- the objects
SELECT is((SELECT count(*) FROM pg_proc
            WHERE pronamespace = 'ismseval'::regnamespace
              AND proname IN ('effectiveness_state_in', 'effectiveness_state_out', 'effectiveness_state_recv',
                              'effectiveness_state_send', 'effectiveness_accum', 'effectiveness_combine',
                              'effectiveness_final')
              AND provolatile = 'i' AND proisstrict AND proparallel = 's'
              AND obj_description(oid, 'pg_proc') IS NOT NULL),
          7::bigint, 'the seven support functions are IMMUTABLE STRICT PARALLEL SAFE with a comment');
SELECT ok((SELECT p.proparallel = 's' AND p.provolatile = 'i' AND a.aggcombinefn <> 0
                  AND a.aggtranstype = 'ismseval.effectiveness_state'::regtype
                  AND obj_description(p.oid, 'pg_proc') IS NOT NULL
             FROM pg_aggregate AS a JOIN pg_proc AS p ON p.oid = a.aggfnoid
            WHERE a.aggfnoid = 'ismseval.combined_effectiveness(double precision)'::regprocedure),
          'the aggregate is PARALLEL SAFE, IMMUTABLE, has a combine function, a real state type and a comment');
SELECT ok((SELECT typlen = 16 AND typalign = 'd' AND typsend <> 0 AND typreceive <> 0
                  AND obj_description(oid, 'pg_type') IS NOT NULL
             FROM pg_type WHERE oid = 'ismseval.effectiveness_state'::regtype),
          'effectiveness_state is 16 bytes, double-aligned, with send/recv and a comment');

-- a forced parallel plan over 100000 rows against the oracle 1 - exp(sum(ln(1 - e)))
CREATE TABLE eff_par AS
SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 10) * 1e-6::float8 END AS e
  FROM generate_series(1, 100000) AS i;
ANALYZE eff_par;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT ok(EXISTS (SELECT 1 FROM pg_temp.plan_of('SELECT ismseval.combined_effectiveness(e) FROM eff_par') AS l
                   WHERE l LIKE '%Partial Aggregate%')
          AND EXISTS (SELECT 1 FROM pg_temp.plan_of('SELECT ismseval.combined_effectiveness(e) FROM eff_par') AS l
                       WHERE l LIKE '%Gather%'),
          'the plan has a Partial Aggregate under a Gather');
SELECT cmp_ok(abs(combined_effectiveness(e) - (SELECT 1 - exp(sum(ln(1 - e))) FROM eff_par)), '<', 1e-12::float8,
              'parallel result within 1e-12 of the oracle')
  FROM eff_par;
SELECT is(round(combined_effectiveness(e)::numeric, 7), 0.3200365,
          '1 - exp(-(0.385715 + 1.2214e-6)) = 0.3200365 to 7 places')
  FROM eff_par;
RESET max_parallel_workers_per_gather;
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT cmp_ok(abs(combined_effectiveness(e) - (SELECT 1 - exp(sum(ln(1 - e))) FROM eff_par)), '<', 1e-12::float8,
              'serial result within 1e-12 of the oracle')
  FROM eff_par;
RESET max_parallel_workers_per_gather;

-- binary input: good, then hostile
SELECT lives_ok($$SELECT pg_temp.load_state('\x00000000000000023fd0000000000000')$$, 'binary (2, 0.25) loads');
SELECT is((SELECT s::text FROM eff_states), '(2,0.25)', 'and reads (2,0.25)');
SELECT is(pg_temp.error_of($$SELECT pg_temp.load_state('\x0000000000000001')$$),
          '22P03: invalid binary data for type effectiveness_state (The value must be 16 bytes (int8 count, float8 product), got 8.)',
          'binary: 8 bytes');
SELECT is(pg_temp.error_of($$SELECT pg_temp.load_state('\x')$$),
          '22P03: invalid binary data for type effectiveness_state (The value must be 16 bytes (int8 count, float8 product), got 0.)',
          'binary: empty');
SELECT is(pg_temp.error_of($$SELECT pg_temp.load_state('\x00000000000000023fd000000000000000')$$),
          '22P03: invalid binary data for type effectiveness_state (The value must be 16 bytes (int8 count, float8 product), got 17.)',
          'binary: a trailing byte');
SELECT throws_ok($$SELECT pg_temp.load_state('\xffffffffffffffff3ff0000000000000')$$, '22003',
                 'effectiveness_state count must be >= 0, got -1', 'binary: count -1');
SELECT throws_ok($$SELECT pg_temp.load_state('\x00000000000000017ff8000000000000')$$, '22023',
                 'effectiveness_state product must be a finite number, got NaN', 'binary: product NaN');
SELECT throws_ok($$SELECT pg_temp.load_state('\x00000000000000017ff0000000000000')$$, '22023',
                 'effectiveness_state product must be a finite number, got Infinity', 'binary: product Infinity');
SELECT throws_ok($$SELECT pg_temp.load_state('\x00000000000000013ff8000000000000')$$, '22003',
                 'effectiveness_state product must be between 0 and 1, got 1.5', 'binary: product 1.5');
SELECT throws_ok($$SELECT pg_temp.load_state('\x0000000000000001bfe0000000000000')$$, '22003',
                 'effectiveness_state product must be between 0 and 1, got -0.5', 'binary: product -0.5');
SELECT throws_ok($$SELECT pg_temp.load_state('\x00000000000000003fe0000000000000')$$, '22023',
                 'effectiveness_state product must be 1 when count is 0, got 0.5', 'binary: count 0, product 0.5');

-- errors
SELECT throws_ok($$SELECT ismseval.combined_effectiveness(e) FROM (VALUES (0.5::float8), (1.5)) AS t(e)$$, '22003',
                 'effectiveness must be between 0 and 1, got 1.5', 'effectiveness above 1');
SELECT throws_ok($$SELECT ismseval.combined_effectiveness(-0.1::float8)$$, '22003',
                 'effectiveness must be between 0 and 1, got -0.1', 'effectiveness below 0');
SELECT throws_ok($$SELECT ismseval.combined_effectiveness('NaN'::float8)$$, '22023',
                 'effectiveness must be a finite number, got NaN', 'NaN effectiveness');
SELECT throws_ok($$SELECT ismseval.effectiveness_accum('(0,1)', '-Infinity')$$, '22023',
                 'effectiveness must be a finite number, got -Infinity', 'accum called directly: infinite effectiveness');
SELECT throws_ok($$SELECT ismseval.effectiveness_combine('(9223372036854775807,1)', '(1,1)')$$, '22003',
                 'effectiveness_state count is out of range for type bigint', 'combine: count overflows');
SELECT is(pg_temp.error_of($$SELECT ''::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "" (Expected "(" at end of input.)',
          'text: empty');
SELECT is(pg_temp.error_of($$SELECT '(1;0.5)'::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "(1;0.5)" (Expected "," after the count at character 3.)',
          'text: no comma');
SELECT is(pg_temp.error_of($$SELECT '(x,0.5)'::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "(x,0.5)" (Expected the count (an integer) at character 2.)',
          'text: count not a number');
SELECT is(pg_temp.error_of($$SELECT '(1,abc)'::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "(1,abc)" (Expected the product (a number) at character 4.)',
          'text: product not a number');
SELECT is(pg_temp.error_of($$SELECT '(1,0.5'::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "(1,0.5" (Expected ")" after the product at end of input.)',
          'text: no closing parenthesis');
-- a 4 MB literal is quoted as its first 40 characters and "..." (issue 10: it was echoed whole)
SELECT is(pg_temp.error_of($$SELECT ('(' || repeat('x', 4 * 1024 * 1024) || ',0.5)')::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "(' || repeat('x', 39)
          || '..." (Expected the count (an integer) at character 2.)',
          'text: a long literal is quoted in part; the detail says where');
-- white space is what every input of the extension skips: space, \t, \n, \r, \f, \v
SELECT is((E'\f(' || chr(11) || E'1 ,\t0.5\r)\n')::effectiveness_state::text, '(1,0.5)',
          'text: form feed and vertical tab (chr(11)) are white space');
-- a product that underflows to 0 is out of range, as in float8in; a denormal is kept (count 1, product 5e-324)
SELECT is(pg_temp.error_of($$SELECT '(1,1e-400)'::ismseval.effectiveness_state$$),
          '22003: effectiveness_state product is out of range for type double precision (The product is "1e-400".)',
          'text: product underflows to 0');
SELECT is('(1,5e-324)'::effectiveness_state::text, '(1,5e-324)', 'text: the smallest denormal product reads back');
SELECT is(pg_temp.error_of($$SELECT '(1,0.5) x'::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "(1,0.5) x" (Expected nothing after ")" at character 9.)',
          'text: trailing garbage');
SELECT is(pg_temp.error_of($$SELECT '(99999999999999999999,0.5)'::ismseval.effectiveness_state$$),
          '22003: effectiveness_state count is out of range for type bigint (The count is "99999999999999999999".)',
          'text: count beyond bigint');
SELECT throws_ok($$SELECT '(-1,0.5)'::ismseval.effectiveness_state$$, '22003',
                 'effectiveness_state count must be >= 0, got -1', 'text: negative count');
SELECT throws_ok($$SELECT '(1,1.5)'::ismseval.effectiveness_state$$, '22003',
                 'effectiveness_state product must be between 0 and 1, got 1.5', 'text: product above 1');
SELECT throws_ok($$SELECT '(1,NaN)'::ismseval.effectiveness_state$$, '22023',
                 'effectiveness_state product must be a finite number, got NaN', 'text: product NaN');
SELECT throws_ok($$SELECT '(0,0.5)'::ismseval.effectiveness_state$$, '22023',
                 'effectiveness_state product must be 1 when count is 0, got 0.5', 'text: count 0, product 0.5');

SELECT throws_ok($$SELECT ismseval.combined_effectiveness('Infinity'::float8)$$, '22023',
                 'effectiveness must be a finite number, got Infinity', 'infinite effectiveness');
SELECT is(pg_temp.error_of($$SELECT '(,0.5)'::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "(,0.5)" (Expected the count (an integer) at character 2.)',
          'text: count missing');
SELECT is(pg_temp.error_of($$SELECT '(1,)'::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "(1,)" (Expected the product (a number) at character 4.)',
          'text: product missing');
SELECT is(pg_temp.error_of($$SELECT '1,0.5'::ismseval.effectiveness_state$$),
          '22P02: invalid input syntax for type effectiveness_state: "1,0.5" (Expected "(" at character 1.)',
          'text: no parentheses');
SELECT is(pg_temp.error_of($$SELECT '(1,1e400)'::ismseval.effectiveness_state$$),
          '22003: effectiveness_state product is out of range for type double precision (The product is "1e400".)',
          'text: product overflows double precision');
SELECT throws_ok($$SELECT '(1,-0.5)'::ismseval.effectiveness_state$$, '22003',
                 'effectiveness_state product must be between 0 and 1, got -0.5', 'text: negative product');
SELECT throws_ok($$SELECT '(1,-Infinity)'::ismseval.effectiveness_state$$, '22023',
                 'effectiveness_state product must be a finite number, got -Infinity', 'text: product -Infinity');
SELECT * FROM finish();
ROLLBACK;
