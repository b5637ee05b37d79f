-- The maturity radar (src/radar.c, src/radar_agg.c, src/radar_svg.c).

CREATE TYPE @extschema@.radar;

CREATE FUNCTION @extschema@.radar_in(cstring)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_in(cstring) IS
'Text input of radar: {"label":mean/n[@weight],...}, then ;min_peer_group=N for a peer_radar state.';

CREATE FUNCTION @extschema@.radar_out(@extschema@.radar)
RETURNS cstring
AS 'MODULE_PATHNAME', 'radar_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_out(@extschema@.radar) IS
'Text output of radar: axes in label order, numbers shortest-exact.';

CREATE FUNCTION @extschema@.radar_recv(internal)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_recv(internal) IS
'Binary input of radar, fully validated.';

CREATE FUNCTION @extschema@.radar_send(@extschema@.radar)
RETURNS bytea
AS 'MODULE_PATHNAME', 'radar_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_send(@extschema@.radar) IS
'Binary output of radar: int4 axis count, then per axis int4 label length, label, float8 mean, int8 n, float8 weight.';

CREATE TYPE @extschema@.radar (
    INPUT = @extschema@.radar_in,
    OUTPUT = @extschema@.radar_out,
    RECEIVE = @extschema@.radar_recv,
    SEND = @extschema@.radar_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.radar IS
'Maturity radar: per axis (control domain) a mean score, a count n and a weight sum; axes sorted by label.';

-- jsonb

CREATE FUNCTION @extschema@.radar_to_jsonb(r @extschema@.radar)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'radar_to_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_to_jsonb(@extschema@.radar) IS
'The radar as jsonb: {"label": {"value": mean, "n": n, "weight": weight}, ...}.';

CREATE CAST (@extschema@.radar AS jsonb)
    WITH FUNCTION @extschema@.radar_to_jsonb(@extschema@.radar);
COMMENT ON CAST (@extschema@.radar AS jsonb) IS
'The radar as jsonb, as radar_to_jsonb.';

-- accessors

CREATE FUNCTION @extschema@.radar_gap(own @extschema@.radar, reference @extschema@.radar)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_gap'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_gap(@extschema@.radar, @extschema@.radar) IS
'own - reference per axis present in both; n and weight are own''s.';

CREATE FUNCTION @extschema@.radar_value(r @extschema@.radar, axis text)
RETURNS double precision
AS 'MODULE_PATHNAME', 'radar_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_value(@extschema@.radar, text) IS
'The mean of one axis; NULL when the radar has no such axis.';

CREATE FUNCTION @extschema@.radar_mean(r @extschema@.radar)
RETURNS double precision
AS 'MODULE_PATHNAME', 'radar_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_mean(@extschema@.radar) IS
'The unweighted mean of the axis means; NULL for an empty radar.';

CREATE FUNCTION @extschema@.radar_axes(r @extschema@.radar)
RETURNS TABLE(axis text, value double precision, n bigint)
AS 'MODULE_PATHNAME', 'radar_axes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.radar_axes(@extschema@.radar) IS
'One row per axis (label, mean, n), in label order.';

-- aggregates

CREATE FUNCTION @extschema@.radar_accum(state @extschema@.radar, axis text, score double precision)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_accum(@extschema@.radar, text, double precision) IS
'Transition function of maturity_radar(axis, score): a NULL score skips the row.';

CREATE FUNCTION @extschema@.radar_accum(state @extschema@.radar, axis text, score double precision,
                                        weight double precision)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_accum_weighted'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_accum(@extschema@.radar, text, double precision, double precision) IS
'Transition function of maturity_radar(axis, score, weight): a NULL score or weight, or a weight of 0, skips the row.';

CREATE FUNCTION @extschema@.radar_avg_accum(state @extschema@.radar, r @extschema@.radar)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_avg_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_avg_accum(@extschema@.radar, @extschema@.radar) IS
'Transition function of radar_avg: each axis mean of the input counts once, weight 1.';

CREATE FUNCTION @extschema@.radar_combine(state @extschema@.radar, other @extschema@.radar)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_combine(@extschema@.radar, @extschema@.radar) IS
'Combine function of the radar aggregates: per axis m = m1 + (m2 - m1) * W2 / (W1 + W2), n = n1 + n2; the larger floor.';

CREATE FUNCTION @extschema@.radar_final(state @extschema@.radar)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_final(@extschema@.radar) IS
'Final function of maturity_radar and radar_avg: the state without its spare room.';

CREATE FUNCTION @extschema@.peer_radar_final(state @extschema@.radar)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'peer_radar_final'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_radar_final(@extschema@.radar) IS
'Final function of peer_radar: drops axes seen in fewer inputs than the floor recorded in the state (ismseval.min_peer_group for a state that carries none).';

CREATE FUNCTION @extschema@.peer_radar_accum(state @extschema@.radar, r @extschema@.radar)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'peer_radar_accum'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.peer_radar_accum(@extschema@.radar, @extschema@.radar) IS
'Transition function of peer_radar(radar): as radar_avg_accum, and records in the state the floor ismseval.min_peer_group as set where it runs.';

CREATE FUNCTION @extschema@.peer_radar_accum(state @extschema@.radar, r @extschema@.radar,
                                             min_peer_group integer)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'peer_radar_accum'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.peer_radar_accum(@extschema@.radar, @extschema@.radar, integer) IS
'Transition function of peer_radar(radar, min_peer_group): records in the state the floor greatest(min_peer_group, ismseval.min_peer_group as set where it runs); min_peer_group < 1 is an error.';

CREATE AGGREGATE @extschema@.peer_radar(@extschema@.radar, min_peer_group integer) (
    SFUNC = @extschema@.peer_radar_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.peer_radar_final,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.maturity_radar(axis text, score double precision) (
    SFUNC = @extschema@.radar_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.radar_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.maturity_radar(text, double precision) IS
'Per axis, the mean score and the number of scores; NULL scores are skipped. NULL when no row counts.';

CREATE AGGREGATE @extschema@.maturity_radar(axis text, score double precision, weight double precision) (
    SFUNC = @extschema@.radar_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.radar_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.maturity_radar(text, double precision, double precision) IS
'Per axis, the weighted mean score sum(w x)/sum(w), n = rows counted; rows with a NULL score or weight or a weight of 0 are skipped.';

CREATE AGGREGATE @extschema@.radar_avg(@extschema@.radar) (
    SFUNC = @extschema@.radar_avg_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.radar_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.radar_avg(@extschema@.radar) IS
'Per axis, the mean of the input radars'' axis means, each input weighted equally; n = inputs with the axis.';

CREATE AGGREGATE @extschema@.peer_radar(@extschema@.radar) (
    SFUNC = @extschema@.peer_radar_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.peer_radar_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.peer_radar(@extschema@.radar) IS
'radar_avg without the axes seen in fewer inputs than the floor: ismseval.min_peer_group as set where the transitions run (the state carries it to the final function).';

COMMENT ON AGGREGATE @extschema@.peer_radar(@extschema@.radar, integer) IS
'radar_avg without the axes seen in fewer inputs than greatest(min_peer_group, ismseval.min_peer_group): the floor can be raised, not lowered, and travels in the state (use this form on Citus).';

-- the chart

CREATE FUNCTION @extschema@.radar_svg(series @extschema@.radar[], names text[] DEFAULT NULL,
                                      axis_order text[] DEFAULT NULL,
                                      scale_min double precision DEFAULT 1,
                                      scale_max double precision DEFAULT 4,
                                      title text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'radar_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_svg(@extschema@.radar[], text[], text[], double precision,
                                          double precision, text) IS
'A standalone SVG radar chart of the series (one polygon each) over grid rings from scale_min to scale_max.';
