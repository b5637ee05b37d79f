-- pgTAP: the functions of risk_matrix and effectiveness_state treat every argument as untrusted
-- (issue 10). A tenant builds its own aggregates and moving-window aggregates on every exported
-- support function, and feeds them values stored in a table (small varlena values are stored
-- with a 1-byte "short" header), values kept by the executor as states, and crafted values.
-- Every call either answers correctly (worked out by hand below) or raises a clean error.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(32);

-- The SQLSTATE and primary message of the error a statement raises, or 'no error'.
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    state text;
    message text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
    RETURN state || ': ' || message;
END
$f$;

-- Crafted values: a cast that reads any bytea as a risk_matrix. Only a superuser (or the type's
-- owner) can create one; it stands for a value damaged on disk or written by another version.
CREATE CAST (bytea AS ismseval.risk_matrix) WITHOUT FUNCTION;

-- A plain tenant (the default TEMP privilege lets it create its own functions and aggregates).
CREATE ROLE untrusted_scalars_tenant NOLOGIN IN ROLE ismseval_tenant;
SET LOCAL ROLE untrusted_scalars_tenant;
SET LOCAL search_path = ismseval, public;

-- ---------- risk_matrix ----------

-- Stored values. The 2x2 matrix packs into 26 bytes:
--   header 02 00 02 02 02 (layout 2, thresholds form, L = I = 2, N = 2),
--   grid 00 01 01 01 (scores 1, 2, 2, 4 against threshold 2), thresholds 00 02,
--   colours 000000 FFFFFF, name offsets 0000 0100 0200, names "a" "b", label area 00 (none);
-- stored with a 1-byte header it takes 27 bytes (with a 4-byte one, 30).
CREATE TEMP TABLE matrices (id int PRIMARY KEY, m risk_matrix);
INSERT INTO matrices VALUES
    (1, 'likelihood 2 impact 2 levels (a #000000, b #FFFFFF) thresholds (2)'),
    (2, 'likelihood 2 impact 3 levels (lo #00FF00, hi #FF0000) grid ((0, 0, 1), (0, 1, 1))');
SELECT is(pg_column_size(m), 27, 'the stored 2x2 matrix has a short (1-byte) varlena header')
  FROM matrices WHERE id = 1;

-- A value exactly as 0.1.0 to 0.4.0 stored it (layout version 1) still reads.
SELECT is(('\x01000202020001010100020000' || '00ffffff000001000200' || '6162')::text::bytea::risk_matrix::text,
          'likelihood 2 impact 2 levels ("a" #000000, "b" #FFFFFF) thresholds (2)',
          'a value stored by 0.1.0-0.4.0 (layout 1, bytes written out by hand) reads back');
-- and reads as a matrix without labels: equal to the same matrix stored now (layout 2), scale
-- entries named by their index, no palette colours, to_jsonb as before
SELECT is((SELECT m = v1 FROM matrices WHERE id = 1)::text
          || '/' || (SELECT string_agg(name || coalesce(color, '-') || coalesce(abbreviation, '-'), ',' ORDER BY likelihood)
                      FROM risk_matrix_likelihood_scale(v1))
          || '/' || (SELECT string_agg(name || default_color::text || coalesce(translations::text, '-'), ',' ORDER BY rank)
                      FROM risk_matrix_levels(v1))
          || '/' || risk_matrix_to_jsonb(v1)::text,
          'true/1--,2--/afalse-,bfalse-/{"grid": [[0, 1], [1, 1]], "risk": [{"name": "a", "hexcolor": "#000000"}, '
          '{"name": "b", "hexcolor": "#FFFFFF"}], "impact": [{"name": "1"}, {"name": "2"}], '
          '"probability": [{"name": "1"}, {"name": "2"}]}',
          'a layout 1 value through the label read-outs')
  FROM (SELECT ('\x01000202020001010100020000' || '00ffffff000001000200' || '6162')::text::bytea::risk_matrix AS v1) s;

-- The same matrix in layout 2 with labels, bytes written out by hand: label area 01, then
-- likelihood 1: flags 05 (name, abbreviation), "x" (0100 78), "X" (0100 58); likelihood 2,
-- impact 1, impact 2: 00; level 0: flags 20 (translations), 1 translation, language "fr"
-- (02 6672), flags 01 (name), "aa" (0200 6161); level 1: 00.
SELECT is(('\x02000202020001010100020000' || '00ffffff000001000200' || '6162'
           || '01' || '0501007801005800' || '0000' || '2001026672010200616100')::text::bytea::risk_matrix::text,
          'likelihood 2 ("x" {"abbreviation": "X"}, "2") impact 2 levels ("a" #000000 {"translations": {"fr": {"name": "aa"}}}, '
          '"b" #FFFFFF) thresholds (2)',
          'a value in layout 2 with labels (bytes written out by hand) reads back');

-- Every lookup on the stored (short-header) values, worked out by hand:
-- matrix 1: cell (2, 1) has score 2 >= threshold 2: level b, rank 1, #FFFFFF.
SELECT is(risk_level(m, 2, 1) || risk_level_rank(m, 2, 1) || risk_color(m, 2, 1)
          || risk_level_rank(m, 'a') || risk_matrix_likelihood_size(m) || risk_matrix_impact_size(m),
          'b1#FFFFFF022', 'lookups on a stored matrix: b, 1, #FFFFFF, rank of a 0, sizes 2 and 2')
  FROM matrices WHERE id = 1;
SELECT is((SELECT string_agg(c.level, ',' ORDER BY c.likelihood, c.impact) FROM risk_matrix_cells(m) c)
          || '/' || (SELECT string_agg(l.name, ',' ORDER BY l.rank) FROM risk_matrix_levels(m) l),
          'lo,lo,hi,lo,hi,hi/lo,hi', 'cells and levels of the stored 2x3 grid matrix')
  FROM matrices WHERE id = 2;
SELECT is(risk_matrix_from_jsonb(risk_matrix_to_jsonb(m)) = m AND m::text::risk_matrix = m
          AND (SELECT count(*) FROM matrices b WHERE b.m = a.m) = 1
          AND (SELECT count(*) FROM matrices b WHERE b.m <> a.m) = 1, true,
          'jsonb and text round trips, = and <> on stored matrices')
  FROM matrices a WHERE id = 2;

-- Aggregates whose final function is one of ours: the state is a stored value, copied by the
-- executor with its short header.
CREATE FUNCTION pg_temp.rm_pick(state risk_matrix, m risk_matrix) RETURNS risk_matrix
    LANGUAGE sql IMMUTABLE AS 'SELECT m';
CREATE FUNCTION pg_temp.rm_unpick(state risk_matrix, m risk_matrix) RETURNS risk_matrix
    LANGUAGE sql STABLE AS 'SELECT x.m FROM pg_temp.matrices x WHERE x.id = 1';
CREATE AGGREGATE pg_temp.rm_last_likelihood(risk_matrix) (
    SFUNC = pg_temp.rm_pick, STYPE = risk_matrix, FINALFUNC = risk_matrix_likelihood_size);
CREATE AGGREGATE pg_temp.rm_last_impact(risk_matrix) (
    SFUNC = pg_temp.rm_pick, STYPE = risk_matrix, FINALFUNC = risk_matrix_impact_size);
CREATE AGGREGATE pg_temp.rm_last_jsonb(risk_matrix) (
    SFUNC = pg_temp.rm_pick, STYPE = risk_matrix, FINALFUNC = risk_matrix_to_jsonb);
CREATE AGGREGATE pg_temp.rm_last_bytes(risk_matrix) (
    SFUNC = pg_temp.rm_pick, STYPE = risk_matrix, FINALFUNC = risk_matrix_send);
-- moving: the inverse transition returns matrix 1 read from the table
CREATE AGGREGATE pg_temp.rm_moving_impact(risk_matrix) (
    SFUNC = pg_temp.rm_pick, STYPE = risk_matrix, FINALFUNC = risk_matrix_impact_size,
    MSFUNC = pg_temp.rm_pick, MINVFUNC = pg_temp.rm_unpick, MSTYPE = risk_matrix,
    MFINALFUNC = risk_matrix_impact_size);

SELECT is(pg_temp.rm_last_likelihood(m ORDER BY id)::text || pg_temp.rm_last_impact(m ORDER BY id),
          '23', 'aggregates ending in risk_matrix_likelihood_size/impact_size: last is 2x3')
  FROM matrices;
SELECT is(risk_matrix_from_jsonb(pg_temp.rm_last_jsonb(m ORDER BY id)), (SELECT m FROM matrices WHERE id = 2),
          'an aggregate ending in risk_matrix_to_jsonb') FROM matrices;
SELECT is(pg_temp.rm_last_bytes(m ORDER BY id), risk_matrix_send((SELECT m FROM matrices WHERE id = 2)),
          'an aggregate ending in risk_matrix_send') FROM matrices;
-- window rows ordered 1, 2, 2, 2 with a frame of the current row only: row 1 adds matrix 1
-- (impact 2); row 2 removes it (state: matrix 1 from the table) and adds matrix 2 (impact 3); ...
SELECT is(array_agg(w ORDER BY i), '{2,3,3,3}'::int[],
          'a moving-window aggregate whose inverse returns a stored matrix')
  FROM (SELECT i, pg_temp.rm_moving_impact(m) OVER (ORDER BY i ROWS BETWEEN CURRENT ROW AND CURRENT ROW) AS w
          FROM (SELECT g AS i, (SELECT m FROM matrices WHERE id = least(g, 2)) AS m
                  FROM generate_series(1, 4) g) s) t;

-- Crafted values, stored: none crashes or reads outside the value; each raises a clean error.
CREATE TEMP TABLE crafted (id int PRIMARY KEY, what text, m risk_matrix);
INSERT INTO crafted VALUES
    (1, 'layout version 3', '\x0300020202000101010002000000ffffff000001000200616200'::bytea::risk_matrix),
    (2, 'empty', '\x'::bytea::risk_matrix),
    (3, '10 x 10 x 100 levels announced, no data', '\x01000a0a64'::bytea::risk_matrix),
    (4, 'grid rank 5 of 2 levels', '\x0100020202000101050002000000ffffff0000010002006162'::bytea::risk_matrix),
    (5, 'name offsets past the end', '\x0100020202000101010002000000ffffff000001000fff6162'::bytea::risk_matrix),
    (6, 'form 7', '\x0107020202000101010002000000ffffff0000010002006162'::bytea::risk_matrix),
    (7, 'one byte too many', '\x0100020202000101010002000000ffffff000001000200616263'::bytea::risk_matrix),
    (8, 'name of level 0 is byte ff (not UTF-8)', '\x0100020202000101010002000000ffffff000001000200ff62'::bytea::risk_matrix),
    (9, 'name of level 0 is a zero byte', '\x0100020202000101010002000000ffffff0000010002000062'::bytea::risk_matrix),
    -- layout 2: the matrix above (colours 000000 FFFFFF), then a damaged label area
    (10, 'label area starts with 2', '\x0200020202000101010002000000ffffff000001000200616202'::bytea::risk_matrix),
    (11, 'label area 0 and one more byte', '\x0200020202000101010002000000ffffff00000100020061620000'::bytea::risk_matrix),
    (12, 'labels cut short', ('\x0200020202000101010002000000ffffff0000010002006162' || '0105')::bytea::risk_matrix),
    (13, 'a level with a name flag', ('\x0200020202000101010002000000ffffff0000010002006162' || '01000000000100')::bytea::risk_matrix),
    (14, 'palette flag on level 0, whose colour is 000000', ('\x0200020202000101010002000000ffffff0000010002006162' || '01000000001000')::bytea::risk_matrix),
    (15, 'abbreviation of likelihood 1 is byte ff', ('\x0200020202000101010002000000ffffff0000010002006162' || '01040100ff0000000000')::bytea::risk_matrix),
    (16, 'only empty entries', ('\x0200020202000101010002000000ffffff0000010002006162' || '01000000000000')::bytea::risk_matrix),
    (17, 'translations fr then de', ('\x0200020202000101010002000000ffffff0000010002006162' || '0100000000' || '2002026672000264650000')::bytea::risk_matrix),
    (18, 'likelihood 1 named "1"', ('\x0200020202000101010002000000ffffff0000010002006162' || '01010100310000000000')::bytea::risk_matrix),
    (19, 'a byte after the labels', ('\x0200020202000101010002000000ffffff0000010002006162' || '01040100580000000000' || '00')::bytea::risk_matrix);

SELECT is(pg_temp.error_of('SELECT risk_level(m, 1, 1) FROM crafted WHERE id = 1'),
          '0A000: unsupported risk_matrix layout version 3', 'crafted: unknown layout version');
SELECT is(array_agg(pg_temp.error_of(format('SELECT risk_level(m, 1, 1) FROM crafted WHERE id = %s', id))
                    ORDER BY id),
          array_fill('XX001: invalid stored risk_matrix value'::text, ARRAY[6]),
          'crafted: risk_level raises XX001 for each inconsistent value')
  FROM crafted WHERE id BETWEEN 2 AND 7;
-- every other function on every crafted value
SELECT is(count(*) FILTER (WHERE e NOT LIKE 'XX001: %' AND e NOT LIKE '0A000: %'), 0::bigint,
          'crafted: every risk_matrix function raises XX001 or 0A000 on every crafted value')
  FROM crafted c,
       LATERAL unnest(ARRAY[
           'SELECT risk_level_rank(m, 1, 1) FROM crafted WHERE id = ' || c.id,
           'SELECT risk_color(m, 2, 2) FROM crafted WHERE id = ' || c.id,
           'SELECT risk_level_rank(m, ''a'') FROM crafted WHERE id = ' || c.id,
           'SELECT risk_matrix_likelihood_size(m) FROM crafted WHERE id = ' || c.id,
           'SELECT risk_matrix_impact_size(m) FROM crafted WHERE id = ' || c.id,
           'SELECT count(*) FROM crafted, risk_matrix_levels(m) WHERE id = ' || c.id,
           'SELECT count(*) FROM crafted, risk_matrix_likelihood_scale(m) WHERE id = ' || c.id,
           'SELECT count(*) FROM crafted, risk_matrix_impact_scale(m) WHERE id = ' || c.id,
           'SELECT count(*) FROM crafted, risk_matrix_cells(m) WHERE id = ' || c.id,
           'SELECT m::text FROM crafted WHERE id = ' || c.id,
           'SELECT risk_matrix_send(m) FROM crafted WHERE id = ' || c.id,
           'SELECT risk_matrix_to_jsonb(m) FROM crafted WHERE id = ' || c.id,
           'SELECT m = m FROM crafted WHERE id = ' || c.id,
           'SELECT m <> (SELECT m FROM matrices WHERE id = 1) FROM crafted WHERE id = ' || c.id,
           'SELECT pg_temp.rm_last_jsonb(m) FROM crafted WHERE id = ' || c.id,
           'SELECT pg_temp.rm_last_likelihood(m) FROM crafted WHERE id = ' || c.id
       ]) AS q(statement),
       LATERAL pg_temp.error_of(q.statement) AS e
 WHERE c.id <= 7 OR c.id IN (10, 11);
-- a level name that is not text: whatever shows a name raises XX001 (cell (1, 1) is level 0);
-- the sizes, ranks and equality, which show no name, still answer
SELECT is(array_agg(pg_temp.error_of(q.statement) ORDER BY c.id, q.n),
          array_fill('XX001: invalid stored risk_matrix value'::text, ARRAY[12]),
          'crafted names: risk_level, levels, cells, text, jsonb and binary output raise XX001')
  FROM crafted c,
       LATERAL unnest(ARRAY[
           'SELECT risk_level(m, 1, 1) FROM crafted WHERE id = ' || c.id,
           'SELECT count(*) FROM crafted, risk_matrix_levels(m) WHERE id = ' || c.id,
           'SELECT count(*) FROM crafted, risk_matrix_cells(m) WHERE id = ' || c.id,
           'SELECT m::text FROM crafted WHERE id = ' || c.id,
           'SELECT risk_matrix_to_jsonb(m) FROM crafted WHERE id = ' || c.id,
           'SELECT risk_matrix_send(m) FROM crafted WHERE id = ' || c.id
       ]) WITH ORDINALITY AS q(statement, n)
 WHERE c.id IN (8, 9);
SELECT is(risk_level_rank(m, 2, 2)::text || risk_level_rank(m, 'b') || risk_matrix_likelihood_size(m)
          || (m = m) || risk_color(m, 1, 1), '112true#000000',
          'crafted names: ranks, sizes, equality and colours still answer')
  FROM crafted WHERE id = 8;
-- a damaged label area after a sound start (layout 2): whatever shows labels raises XX001;
-- lookups, sizes, cells and equality, which read no label, still answer
SELECT is(array_agg(pg_temp.error_of(q.statement) ORDER BY c.id, q.n),
          array_fill('XX001: invalid stored risk_matrix value'::text, ARRAY[48]),
          'crafted labels: levels, scales, text, jsonb and binary output raise XX001')
  FROM crafted c,
       LATERAL unnest(ARRAY[
           'SELECT count(*) FROM crafted, risk_matrix_levels(m) WHERE id = ' || c.id,
           'SELECT count(*) FROM crafted, risk_matrix_likelihood_scale(m) WHERE id = ' || c.id,
           'SELECT count(*) FROM crafted, risk_matrix_impact_scale(m) WHERE id = ' || c.id,
           'SELECT m::text FROM crafted WHERE id = ' || c.id,
           'SELECT risk_matrix_to_jsonb(m) FROM crafted WHERE id = ' || c.id,
           'SELECT risk_matrix_send(m) FROM crafted WHERE id = ' || c.id
       ]) WITH ORDINALITY AS q(statement, n)
 WHERE c.id BETWEEN 12 AND 19;
-- cell (2, 2) scores 4 >= 2: b, rank 1, #FFFFFF; 4 cells; each value equals itself
SELECT is(string_agg(risk_level(m, 2, 2) || risk_level_rank(m, 2, 2) || risk_color(m, 2, 2)
                     || risk_matrix_likelihood_size(m) || (SELECT count(*) FROM risk_matrix_cells(m)) || (m = m),
                     ',' ORDER BY id),
          array_to_string(array_fill('b1#FFFFFF24true'::text, ARRAY[8]), ','),
          'crafted labels: lookups, sizes, cells and equality still answer')
  FROM crafted WHERE id BETWEEN 12 AND 19;
SELECT is(pg_temp.error_of('SELECT residual_level_rank(m, 1, 1, 1) FROM crafted WHERE id = 4'),
          'XX001: invalid stored risk_matrix value', 'crafted: residual_level_rank (SQL over risk_matrix_cells)');

-- ---------- effectiveness_state ----------

-- A fixed-length 16-byte type: no header to detoast, but every value is checked before use and a
-- stored value is never updated in place (the executor copies a new state into its own memory).
CREATE TEMP TABLE states (id int PRIMARY KEY, s effectiveness_state);
INSERT INTO states VALUES (1, '(1,0.5)'), (2, '(2,0.25)'), (3, '(0,1)'),
                          (4, '(9223372036854775807,1)');

CREATE AGGREGATE pg_temp.eff_of_states(effectiveness_state) (
    SFUNC = effectiveness_combine, STYPE = effectiveness_state, FINALFUNC = effectiveness_final);
CREATE AGGREGATE pg_temp.eff_state_of_states(effectiveness_state) (
    SFUNC = effectiveness_combine, STYPE = effectiveness_state, INITCOND = '(0,1)');
CREATE FUNCTION pg_temp.eff_unadd(state effectiveness_state, e double precision) RETURNS effectiveness_state
    LANGUAGE sql STABLE STRICT AS 'SELECT x.s FROM pg_temp.states x WHERE x.id = 1';
CREATE FUNCTION pg_temp.eff_uncombine(state effectiveness_state, other effectiveness_state)
    RETURNS effectiveness_state LANGUAGE sql STABLE STRICT AS 'SELECT x.s FROM pg_temp.states x WHERE x.id = 3';
CREATE AGGREGATE pg_temp.eff_moving(double precision) (
    SFUNC = effectiveness_accum, STYPE = effectiveness_state, INITCOND = '(0,1)', FINALFUNC = effectiveness_final,
    MSFUNC = effectiveness_accum, MINVFUNC = pg_temp.eff_unadd, MSTYPE = effectiveness_state,
    MINITCOND = '(0,1)', MFINALFUNC = effectiveness_final);
CREATE AGGREGATE pg_temp.eff_moving_states(effectiveness_state) (
    SFUNC = effectiveness_combine, STYPE = effectiveness_state, INITCOND = '(0,1)',
    FINALFUNC = effectiveness_final,
    MSFUNC = effectiveness_combine, MINVFUNC = pg_temp.eff_uncombine, MSTYPE = effectiveness_state,
    MINITCOND = '(0,1)', MFINALFUNC = effectiveness_final);

-- states 1 to 3 combined: count 1 + 2 + 0 = 3, product 0.5 x 0.25 x 1 = 0.125; final 1 - 0.125
SELECT is(pg_temp.eff_of_states(s), 0.875::float8, 'combine over stored states: 1 - 0.5 x 0.25 = 0.875')
  FROM states WHERE id <= 3;
SELECT is(pg_temp.eff_state_of_states(s)::text, '(3,0.125)', 'the state itself: (3,0.125)')
  FROM states WHERE id <= 3;
SELECT is(pg_temp.error_of('SELECT pg_temp.eff_of_states(s) FROM states WHERE id IN (1, 4)'),
          '22003: effectiveness_state count is out of range for type bigint',
          'combine: count 1 + (2^63 - 1) overflows');
-- four rows of e = 0.5, frame = the previous and the current row. Row 1: (1,0.5) -> 0.5.
-- Row 2: (2,0.25) -> 0.75. Rows 3, 4: the inverse returns stored (1,0.5), then row 3 (4)
-- is added: (2,0.25) -> 0.75.
SELECT is(array_agg(w ORDER BY i), '{0.5,0.75,0.75,0.75}'::float8[],
          'a moving-window aggregate whose inverse returns a stored state')
  FROM (SELECT i, pg_temp.eff_moving(0.5) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS w
          FROM generate_series(1, 4) i) t;
-- states in order 1, 2, 1 with a frame of the current row only; the inverse returns stored (0,1).
-- Row 1: (1,0.5) -> 0.5. Row 2: (0,1) combined with (2,0.25) -> 0.75. Row 3: (1,0.5) -> 0.5.
SELECT is(array_agg(w ORDER BY i), '{0.5,0.75,0.5}'::float8[],
          'a moving-window aggregate over stored states, inverse returning a stored state')
  FROM (SELECT i, pg_temp.eff_moving_states(s) OVER (ORDER BY i ROWS BETWEEN CURRENT ROW AND CURRENT ROW) AS w
          FROM (VALUES (1, 1), (2, 2), (3, 1)) v(i, id) JOIN states USING (id)) t;
-- nothing the aggregates did changed a stored state
SELECT is(array_agg(s::text ORDER BY id), '{"(1,0.5)","(2,0.25)","(0,1)","(9223372036854775807,1)"}'::text[],
          'the stored states are unchanged')
  FROM states;
-- called directly, the support functions never modify their arguments
SELECT is(effectiveness_accum(s, 0.5)::text || effectiveness_combine(s, s)::text || s::text,
          '(2,0.25)(2,0.25)(1,0.5)', 'direct calls return new states and leave the argument alone')
  FROM states WHERE id = 1;
SELECT is(effectiveness_final(s), NULL, 'final of (0,1): no row, NULL') FROM states WHERE id = 3;
-- the state type's input validates what the functions rely on
SELECT is(pg_temp.error_of($$SELECT '(0,0.5)'::effectiveness_state$$),
          '22023: effectiveness_state product must be 1 when count is 0, got 0.5', 'input: (0,0.5)');
SELECT is(pg_temp.error_of($$SELECT '(1,2)'::effectiveness_state$$),
          '22003: effectiveness_state product must be between 0 and 1, got 2', 'input: (1,2)');
SELECT is(pg_temp.error_of($$SELECT '(-1,1)'::effectiveness_state$$),
          '22003: effectiveness_state count must be >= 0, got -1', 'input: (-1,1)');
-- binary form of (1,0.5): int8 1, float8 0.5 = 0x3FE0000000000000
SELECT is(effectiveness_state_send(s), '\x00000000000000013fe0000000000000'::bytea,
          'binary form of a stored state') FROM states WHERE id = 1;
-- ordinary use by the tenant still works on its own data
SELECT is(combined_effectiveness(e), 0.75::float8, '1 - (1 - 0.5)(1 - 0.5) = 0.75')
  FROM (VALUES (0.5::float8), (0.5)) v(e);

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
