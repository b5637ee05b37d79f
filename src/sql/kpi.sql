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
