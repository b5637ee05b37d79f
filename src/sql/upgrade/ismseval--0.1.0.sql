-- generated from src/sql/ by the Makefile; edit the fragments
\echo Use "CREATE EXTENSION ismseval" to load this file. \quit

-- src/sql/risk.sql
-- Risk scores and residual risk (src/risk.c).

CREATE FUNCTION @extschema@.risk_score(likelihood integer, impact integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'risk_score2_int'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_score(integer, integer) IS
'Risk score = likelihood x impact. Both >= 0; NULL in gives NULL out.';

CREATE FUNCTION @extschema@.risk_score(likelihood double precision, impact double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'risk_score2_float8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_score(double precision, double precision) IS
'Risk score = likelihood x impact. Both finite and >= 0; NULL in gives NULL out.';

CREATE FUNCTION @extschema@.risk_score(asset_value integer, threat integer, vulnerability integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'risk_score3_int'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_score(integer, integer, integer) IS
'Risk value = asset value x threat x vulnerability. All >= 0; NULL in gives NULL out.';

CREATE FUNCTION @extschema@.risk_score(asset_value double precision, threat double precision,
                                       vulnerability double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'risk_score3_float8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_score(double precision, double precision, double precision) IS
'Risk value = asset value x threat x vulnerability. All finite and >= 0; NULL in gives NULL out.';

CREATE FUNCTION @extschema@.residual_risk(inherent double precision, effectiveness double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'residual_risk'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.residual_risk(double precision, double precision) IS
'Residual risk = inherent x (1 - effectiveness); inherent finite and >= 0, effectiveness in [0, 1].';

-- src/sql/risk_matrix.sql
-- The risk_matrix type: a validated likelihood x impact matrix of named, coloured
-- levels, and its O(1) lookups (src/risk_matrix.c, src/risk_matrix_io.c).

CREATE TYPE @extschema@.risk_matrix;

CREATE FUNCTION @extschema@.risk_matrix_in(cstring)
RETURNS @extschema@.risk_matrix
AS 'MODULE_PATHNAME', 'risk_matrix_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_in(cstring) IS
'Text input of risk_matrix: likelihood N impact N levels ("name" #RRGGBB, ...) then thresholds (...) or grid ((...), ...).';

CREATE FUNCTION @extschema@.risk_matrix_out(@extschema@.risk_matrix)
RETURNS cstring
AS 'MODULE_PATHNAME', 'risk_matrix_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_out(@extschema@.risk_matrix) IS
'Canonical text output of risk_matrix, in the form (thresholds or grid) it was given in.';

CREATE FUNCTION @extschema@.risk_matrix_recv(internal)
RETURNS @extschema@.risk_matrix
AS 'MODULE_PATHNAME', 'risk_matrix_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_recv(internal) IS
'Binary input of risk_matrix; validates every count, length and value (22P03 otherwise).';

CREATE FUNCTION @extschema@.risk_matrix_send(@extschema@.risk_matrix)
RETURNS bytea
AS 'MODULE_PATHNAME', 'risk_matrix_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_send(@extschema@.risk_matrix) IS
'Binary output of risk_matrix.';

CREATE TYPE @extschema@.risk_matrix (
    INPUT = @extschema@.risk_matrix_in,
    OUTPUT = @extschema@.risk_matrix_out,
    RECEIVE = @extschema@.risk_matrix_recv,
    SEND = @extschema@.risk_matrix_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.risk_matrix IS
'A validated risk matrix: likelihood and impact scales (2 to 10 each), 2 to 100 named levels '
'(lowest first) with #RRGGBB colours, and the cell-to-level mapping given by score thresholds or cell by cell.';

CREATE FUNCTION @extschema@.risk_matrix_eq(@extschema@.risk_matrix, @extschema@.risk_matrix)
RETURNS boolean
AS 'MODULE_PATHNAME', 'risk_matrix_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_eq(@extschema@.risk_matrix, @extschema@.risk_matrix) IS
'True when both matrices have equal scales, levels (names and colours) and cell-to-level mapping.';

CREATE FUNCTION @extschema@.risk_matrix_ne(@extschema@.risk_matrix, @extschema@.risk_matrix)
RETURNS boolean
AS 'MODULE_PATHNAME', 'risk_matrix_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_ne(@extschema@.risk_matrix, @extschema@.risk_matrix) IS
'True when the matrices differ in scales, levels or cell-to-level mapping.';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.risk_matrix,
    RIGHTARG = @extschema@.risk_matrix,
    FUNCTION = @extschema@.risk_matrix_eq,
    COMMUTATOR = OPERATOR(@extschema@.=),
    NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = eqsel,
    JOIN = eqjoinsel
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.risk_matrix, @extschema@.risk_matrix) IS
'risk_matrix equality: equal scales, levels and cell-to-level mapping.';

CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.risk_matrix,
    RIGHTARG = @extschema@.risk_matrix,
    FUNCTION = @extschema@.risk_matrix_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>),
    NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = neqsel,
    JOIN = neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.risk_matrix, @extschema@.risk_matrix) IS
'risk_matrix inequality.';

CREATE FUNCTION @extschema@.risk_level(matrix @extschema@.risk_matrix, likelihood integer, impact integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_level'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_level(@extschema@.risk_matrix, integer, integer) IS
'The name of the level of cell (likelihood, impact); both 1-based and within the matrix scales (22003 otherwise).';

CREATE FUNCTION @extschema@.risk_level_rank(matrix @extschema@.risk_matrix, likelihood integer, impact integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'risk_matrix_level_rank'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_level_rank(@extschema@.risk_matrix, integer, integer) IS
'The 0-based rank (lowest level = 0) of the level of cell (likelihood, impact), for sorting.';

CREATE FUNCTION @extschema@.risk_color(matrix @extschema@.risk_matrix, likelihood integer, impact integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_color'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_color(@extschema@.risk_matrix, integer, integer) IS
'The colour (#RRGGBB, upper case) of the level of cell (likelihood, impact).';

CREATE FUNCTION @extschema@.risk_level_rank(matrix @extschema@.risk_matrix, level text)
RETURNS integer
AS 'MODULE_PATHNAME', 'risk_matrix_rank_of_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_level_rank(@extschema@.risk_matrix, text) IS
'The 0-based rank of the level named level (exact, case-sensitive match); 22023 for an unknown name.';

CREATE FUNCTION @extschema@.risk_matrix_likelihood_size(matrix @extschema@.risk_matrix)
RETURNS integer
AS 'MODULE_PATHNAME', 'risk_matrix_likelihood_size'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_likelihood_size(@extschema@.risk_matrix) IS
'The number of likelihood levels (2 to 10).';

CREATE FUNCTION @extschema@.risk_matrix_impact_size(matrix @extschema@.risk_matrix)
RETURNS integer
AS 'MODULE_PATHNAME', 'risk_matrix_impact_size'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_impact_size(@extschema@.risk_matrix) IS
'The number of impact levels (2 to 10).';

CREATE FUNCTION @extschema@.risk_matrix_levels(matrix @extschema@.risk_matrix)
RETURNS TABLE(rank integer, name text, color text)
AS 'MODULE_PATHNAME', 'risk_matrix_levels'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.risk_matrix_levels(@extschema@.risk_matrix) IS
'One row per level, lowest first: 0-based rank, name and colour (#RRGGBB).';

CREATE FUNCTION @extschema@.risk_matrix_cells(matrix @extschema@.risk_matrix)
RETURNS TABLE(likelihood integer, impact integer, score integer, rank integer, level text, color text)
AS 'MODULE_PATHNAME', 'risk_matrix_cells'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 25;
COMMENT ON FUNCTION @extschema@.risk_matrix_cells(@extschema@.risk_matrix) IS
'One row per cell, by likelihood then impact: score = likelihood x impact, and the level rank, name and colour.';

CREATE FUNCTION @extschema@.risk_matrix_from_jsonb(definition jsonb)
RETURNS @extschema@.risk_matrix
AS 'MODULE_PATHNAME', 'risk_matrix_from_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_from_jsonb(jsonb) IS
'A risk_matrix from a CISO Assistant definition: probability[], impact[], risk[] (name, hexcolor; lowest first) '
'and grid[probability][impact] of 0-based risk indices, at the top level or inside "fields" or "json_definition". '
'Probability index 0 is likelihood 1. 22023 on a bad shape.';

CREATE FUNCTION @extschema@.risk_matrix_to_jsonb(matrix @extschema@.risk_matrix)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'risk_matrix_to_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_to_jsonb(@extschema@.risk_matrix) IS
'The matrix in CISO Assistant''s shape (scale entries named "1".."n"); reads back through risk_matrix_from_jsonb to an equal matrix.';

-- src/sql/kpi.sql
-- KPI attainment, progress and red / amber / green status (src/kpi.c).

CREATE TYPE @extschema@.kpi_direction AS ENUM ('higher_is_better', 'lower_is_better');
COMMENT ON TYPE @extschema@.kpi_direction IS
'Whether a KPI is better higher (completion rate) or lower (click rate, MTTR, incidents).';

CREATE TYPE @extschema@.rag_status AS ENUM ('red', 'amber', 'green');
COMMENT ON TYPE @extschema@.rag_status IS
'Red / amber / green status of a KPI; sorts worst first (red < amber < green).';

CREATE FUNCTION @extschema@.kpi_attainment(actual double precision, target double precision,
                                           direction @extschema@.kpi_direction)
RETURNS double precision
AS 'MODULE_PATHNAME', 'kpi_attainment'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.kpi_attainment(double precision, double precision,
                                               @extschema@.kpi_direction) IS
'Attainment of a KPI, clamped to [0, 2]: actual / target when higher is better (target > 0), '
'target / actual when lower is better (target >= 0; a zero target is met (1) only by a zero '
'actual, else 0; a zero actual against a positive target gives 2). actual >= 0; all finite.';

CREATE FUNCTION @extschema@.kpi_progress(actual double precision, baseline double precision,
                                         target double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'kpi_progress'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.kpi_progress(double precision, double precision, double precision) IS
'Progress from baseline towards target = (actual - baseline) / (target - baseline), not clamped '
'(< 0 regressed, > 1 exceeded); NULL when baseline = target. All finite; works in either direction.';

CREATE FUNCTION @extschema@.kpi_status(actual double precision, target double precision,
                                       direction @extschema@.kpi_direction,
                                       amber_tolerance double precision DEFAULT 0.1)
RETURNS @extschema@.rag_status
AS 'MODULE_PATHNAME', 'kpi_status'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.kpi_status(double precision, double precision,
                                           @extschema@.kpi_direction, double precision) IS
'KPI status from kpi_attainment: green when attainment >= 1, amber when >= 1 - amber_tolerance, '
'else red. amber_tolerance in [0, 1], default 0.1.';

-- src/sql/effectiveness.sql
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
