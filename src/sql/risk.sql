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
