-- The risk_matrix type: a validated likelihood x impact matrix of named, coloured
-- levels, and its O(1) lookups (src/risk_matrix.c, src/risk_matrix_io.c).

CREATE TYPE @extschema@.risk_matrix;

CREATE FUNCTION @extschema@.risk_matrix_in(cstring)
RETURNS @extschema@.risk_matrix
AS 'MODULE_PATHNAME', 'risk_matrix_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_in(cstring) IS
'Text input of risk_matrix: likelihood N [(entries)] impact N [(entries)] levels ("name" [#RRGGBB] [{labels}], ...) then thresholds (...) or grid ((...), ...).';

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
'(lowest first) with #RRGGBB colours, and the cell-to-level mapping given by score thresholds or cell by cell; '
'every scale entry and level may carry an abbreviation, a description and translations.';

CREATE FUNCTION @extschema@.risk_matrix_eq(@extschema@.risk_matrix, @extschema@.risk_matrix)
RETURNS boolean
AS 'MODULE_PATHNAME', 'risk_matrix_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_eq(@extschema@.risk_matrix, @extschema@.risk_matrix) IS
'True when both matrices have equal scales, levels (names and colours), cell-to-level mapping and labels.';

CREATE FUNCTION @extschema@.risk_matrix_ne(@extschema@.risk_matrix, @extschema@.risk_matrix)
RETURNS boolean
AS 'MODULE_PATHNAME', 'risk_matrix_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_ne(@extschema@.risk_matrix, @extschema@.risk_matrix) IS
'True when the matrices differ in scales, levels, cell-to-level mapping or labels.';

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
'risk_matrix equality: equal scales, levels, cell-to-level mapping and labels.';

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

CREATE FUNCTION @extschema@.risk_matrix_level_count(matrix @extschema@.risk_matrix)
RETURNS integer
AS 'MODULE_PATHNAME', 'risk_matrix_level_count'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_level_count(@extschema@.risk_matrix) IS
'The number of risk levels; the top level''s rank is one less. Reads no labels, so it costs the same whatever they hold.';

CREATE FUNCTION @extschema@.risk_matrix_levels(matrix @extschema@.risk_matrix)
RETURNS TABLE(rank integer, name text, color text, abbreviation text, description text,
              translations jsonb, default_color boolean)
AS 'MODULE_PATHNAME', 'risk_matrix_levels'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.risk_matrix_levels(@extschema@.risk_matrix) IS
'One row per level, lowest first: 0-based rank, name, colour (#RRGGBB), abbreviation, description, '
'translations ({"fr": {"name": ..., "description": ...}}; NULL when none) and whether the colour is the default palette''s.';

CREATE FUNCTION @extschema@.risk_matrix_likelihood_scale(matrix @extschema@.risk_matrix)
RETURNS TABLE(likelihood integer, name text, color text, abbreviation text, description text,
              translations jsonb)
AS 'MODULE_PATHNAME', 'risk_matrix_likelihood_scale'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.risk_matrix_likelihood_scale(@extschema@.risk_matrix) IS
'One row per likelihood, 1 first: its name (the likelihood as text when it has none), colour (#RRGGBB or NULL), '
'abbreviation, description and translations (jsonb; NULL when none).';

CREATE FUNCTION @extschema@.risk_matrix_impact_scale(matrix @extschema@.risk_matrix)
RETURNS TABLE(impact integer, name text, color text, abbreviation text, description text,
              translations jsonb)
AS 'MODULE_PATHNAME', 'risk_matrix_impact_scale'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.risk_matrix_impact_scale(@extschema@.risk_matrix) IS
'One row per impact, 1 first: its name (the impact as text when it has none), colour (#RRGGBB or NULL), '
'abbreviation, description and translations (jsonb; NULL when none).';

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
'A risk_matrix from a CISO Assistant definition: probability[], impact[], risk[] (name, abbreviation, description, '
'hexcolor, translations; risk lowest first, a risk without hexcolor takes the default palette''s) '
'and grid[probability][impact] of 0-based risk indices, at the top level or inside "fields" or "json_definition". '
'Probability index 0 is likelihood 1. 22023 on a bad shape.';

CREATE FUNCTION @extschema@.risk_matrix_to_jsonb(matrix @extschema@.risk_matrix)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'risk_matrix_to_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_to_jsonb(@extschema@.risk_matrix) IS
'The matrix in CISO Assistant''s shape with every label (a scale entry without a name is named by its index; '
'a level coloured by the default palette has no hexcolor); reads back through risk_matrix_from_jsonb to an equal matrix.';

-- True when (likelihood, impact) is a cell of the matrix.
CREATE FUNCTION @extschema@.risk_cell_on_matrix(matrix @extschema@.risk_matrix, likelihood integer, impact integer)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN likelihood BETWEEN 1 AND @extschema@.risk_matrix_likelihood_size(matrix)
       AND impact BETWEEN 1 AND @extschema@.risk_matrix_impact_size(matrix);
COMMENT ON FUNCTION @extschema@.risk_cell_on_matrix(@extschema@.risk_matrix, integer, integer) IS
'True when (likelihood, impact) is a cell of the matrix: both 1-based and within its scales.';

-- The name of a likelihood level: its scale entry's name as risk_matrix_to_jsonb gives it (the
-- position, "1" .. "n", for an entry without a name). In C, reading the labels up to that entry
-- only: risk_register looks names up per risk, and must not decode every label each time.
CREATE FUNCTION @extschema@.risk_matrix_likelihood_name(matrix @extschema@.risk_matrix, likelihood integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_likelihood_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_likelihood_name(@extschema@.risk_matrix, integer) IS
'The name of likelihood level likelihood (1-based) of the matrix, as risk_matrix_to_jsonb gives its scale; NULL off the scale.';

-- The name of an impact level, as risk_matrix_likelihood_name.
CREATE FUNCTION @extschema@.risk_matrix_impact_name(matrix @extschema@.risk_matrix, impact integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_impact_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_impact_name(@extschema@.risk_matrix, integer) IS
'The name of impact level impact (1-based) of the matrix, as risk_matrix_to_jsonb gives its scale; NULL off the scale.';

-- The name and colour of a level by its rank, without reading the labels (risk_register reads
-- them per risk; risk_matrix_levels would decode every label each time).
CREATE FUNCTION @extschema@.risk_matrix_level_name(matrix @extschema@.risk_matrix, rank integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_level_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_level_name(@extschema@.risk_matrix, integer) IS
'The name of the level of 0-based rank rank (as risk_matrix_levels lists it); NULL for a rank the matrix does not have.';

CREATE FUNCTION @extschema@.risk_matrix_level_color(matrix @extschema@.risk_matrix, rank integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_level_color'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_level_color(@extschema@.risk_matrix, integer) IS
'The colour (#RRGGBB, upper case) of the level of 0-based rank rank; NULL for a rank the matrix does not have.';
