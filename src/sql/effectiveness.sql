-- combined_effectiveness: 1 - prod(1 - e) over independent controls, and its state type
-- (src/effectiveness.c).

CREATE TYPE @extschema@.effectiveness_state;

CREATE FUNCTION @extschema@.effectiveness_state_in(cstring)
RETURNS @extschema@.effectiveness_state
AS 'MODULE_PATHNAME', 'effectiveness_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.effectiveness_state_in(cstring) IS
'Text input of effectiveness_state: "(count,product)", count >= 0, product finite in [0, 1], '
'product 1 when count is 0.';

CREATE FUNCTION @extschema@.effectiveness_state_out(@extschema@.effectiveness_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'effectiveness_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.effectiveness_state_out(@extschema@.effectiveness_state) IS
'Text output of effectiveness_state: "(count,product)", the product printed shortest-exact so it '
'reads back to the same bits.';

CREATE FUNCTION @extschema@.effectiveness_state_recv(internal)
RETURNS @extschema@.effectiveness_state
AS 'MODULE_PATHNAME', 'effectiveness_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.effectiveness_state_recv(internal) IS
'Binary input of effectiveness_state: int8 count, float8 product, validated as the text input is.';

CREATE FUNCTION @extschema@.effectiveness_state_send(@extschema@.effectiveness_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'effectiveness_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.effectiveness_state_send(@extschema@.effectiveness_state) IS
'Binary output of effectiveness_state: int8 count, float8 product.';

CREATE TYPE @extschema@.effectiveness_state (
    INPUT = @extschema@.effectiveness_state_in,
    OUTPUT = @extschema@.effectiveness_state_out,
    RECEIVE = @extschema@.effectiveness_state_recv,
    SEND = @extschema@.effectiveness_state_send,
    INTERNALLENGTH = 16,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.effectiveness_state IS
'State of combined_effectiveness: rows aggregated and the product of (1 - e) over them, '
'written "(count,product)", e.g. "(2,0.25)". Its text form reads back exactly, so partial '
'states can travel between nodes as text.';

CREATE FUNCTION @extschema@.effectiveness_accum(state @extschema@.effectiveness_state,
                                                effectiveness double precision)
RETURNS @extschema@.effectiveness_state
AS 'MODULE_PATHNAME', 'effectiveness_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.effectiveness_accum(@extschema@.effectiveness_state, double precision) IS
'Transition function of combined_effectiveness: count + 1, product x (1 - effectiveness); '
'effectiveness finite in [0, 1].';

CREATE FUNCTION @extschema@.effectiveness_combine(state @extschema@.effectiveness_state,
                                                  other @extschema@.effectiveness_state)
RETURNS @extschema@.effectiveness_state
AS 'MODULE_PATHNAME', 'effectiveness_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.effectiveness_combine(@extschema@.effectiveness_state,
                                                      @extschema@.effectiveness_state) IS
'Combine function of combined_effectiveness: counts added, products multiplied.';

CREATE FUNCTION @extschema@.effectiveness_final(state @extschema@.effectiveness_state)
RETURNS double precision
AS 'MODULE_PATHNAME', 'effectiveness_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.effectiveness_final(@extschema@.effectiveness_state) IS
'Final function of combined_effectiveness: NULL when count is 0, else 1 - product.';

CREATE AGGREGATE @extschema@.combined_effectiveness(effectiveness double precision) (
    SFUNC = @extschema@.effectiveness_accum,
    STYPE = @extschema@.effectiveness_state,
    FINALFUNC = @extschema@.effectiveness_final,
    COMBINEFUNC = @extschema@.effectiveness_combine,
    INITCOND = '(0,1)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.combined_effectiveness(double precision) IS
'Combined effectiveness of independent controls = 1 - prod(1 - e) over the non-NULL rows; '
'NULL when there are none. Each e finite in [0, 1].';
