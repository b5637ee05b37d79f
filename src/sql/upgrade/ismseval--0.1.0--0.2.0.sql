-- generated from src/sql/ by the Makefile; edit the fragments
\echo Use "ALTER EXTENSION ismseval UPDATE TO '0.2.0'" to load this file. \quit

-- src/sql/radar.sql
-- The maturity radar (src/radar.c, src/radar_agg.c, src/radar_svg.c).

CREATE TYPE @extschema@.radar;

CREATE FUNCTION @extschema@.radar_in(cstring)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_in(cstring) IS
'Text input of radar: {"label":mean/n[@weight],...}.';

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
'Transition function of radar_avg and peer_radar: each axis mean of the input counts once, weight 1.';

CREATE FUNCTION @extschema@.radar_combine(state @extschema@.radar, other @extschema@.radar)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'radar_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.radar_combine(@extschema@.radar, @extschema@.radar) IS
'Combine function of the radar aggregates: per axis m = m1 + (m2 - m1) * W2 / (W1 + W2), n = n1 + n2.';

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
'Final function of peer_radar: drops axes seen in fewer than ismseval.min_peer_group inputs.';

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
    SFUNC = @extschema@.radar_avg_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.peer_radar_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.peer_radar(@extschema@.radar) IS
'radar_avg without the axes seen in fewer than ismseval.min_peer_group inputs.';

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

-- src/sql/peer_dist.sql
-- Peer benchmarks: the peer_dist type, its aggregate and the peer figures (src/peer_dist.c,
-- src/peer_dist_agg.c).  Every figure is NULL for a group smaller than ismseval.min_peer_group.

CREATE TYPE @extschema@.peer_dist;

CREATE FUNCTION @extschema@.peer_dist_in(cstring)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_in(cstring) IS
'Text input of peer_dist: {v1,v2,...} with finite numbers in any order, or {}.';

CREATE FUNCTION @extschema@.peer_dist_out(@extschema@.peer_dist)
RETURNS cstring
AS 'MODULE_PATHNAME', 'peer_dist_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_out(@extschema@.peer_dist) IS
'Text output of peer_dist: {v1,v2,...}, sorted, each value shortest-exact.';

CREATE FUNCTION @extschema@.peer_dist_recv(internal)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_recv(internal) IS
'Binary input of peer_dist: int32 count, then count finite float8 values.';

CREATE FUNCTION @extschema@.peer_dist_send(@extschema@.peer_dist)
RETURNS bytea
AS 'MODULE_PATHNAME', 'peer_dist_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_send(@extschema@.peer_dist) IS
'Binary output of peer_dist: int32 count, then the values sorted, as float8.';

CREATE TYPE @extschema@.peer_dist (
    INPUT = @extschema@.peer_dist_in,
    OUTPUT = @extschema@.peer_dist_out,
    RECEIVE = @extschema@.peer_dist_recv,
    SEND = @extschema@.peer_dist_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.peer_dist IS
'Exact distribution of one figure over a peer group (every value kept, sorted); read it with '
'peer_percentile, peer_deviation_score, peer_quantile, peer_count, peer_mean, peer_stddev. '
'Its text form lists every value: grant it only to those who may see every peer.';

CREATE FUNCTION @extschema@.peer_dist_accum(state @extschema@.peer_dist, value double precision)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_accum(@extschema@.peer_dist, double precision) IS
'Transition function of peer_dist(value): appends a finite value; NULL values are skipped.';

CREATE FUNCTION @extschema@.peer_dist_combine(state @extschema@.peer_dist, other @extschema@.peer_dist)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_combine(@extschema@.peer_dist, @extschema@.peer_dist) IS
'Combine function of peer_dist(value): appends the values of other to state.';

CREATE FUNCTION @extschema@.peer_dist_final(state @extschema@.peer_dist)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_final(@extschema@.peer_dist) IS
'Final function of peer_dist(value): sorts the values and computes their mean and M2.';

CREATE AGGREGATE @extschema@.peer_dist(value double precision) (
    SFUNC = @extschema@.peer_dist_accum,
    STYPE = @extschema@.peer_dist,
    COMBINEFUNC = @extschema@.peer_dist_combine,
    FINALFUNC = @extschema@.peer_dist_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.peer_dist(double precision) IS
'Distribution of value over the rows of a group (a peer group); NULLs skipped, NaN and '
'infinity are errors, no rows give NULL.';

CREATE FUNCTION @extschema@.peer_percentile(dist @extschema@.peer_dist, value double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_percentile'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_percentile(@extschema@.peer_dist, double precision) IS
'Percentile rank of value in the group, mid-rank: 100 x (below + 0.5 x equal) / n; '
'NULL if n < ismseval.min_peer_group.';

CREATE FUNCTION @extschema@.peer_deviation_score(dist @extschema@.peer_dist, value double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_deviation_score'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_deviation_score(@extschema@.peer_dist, double precision) IS
'Deviation score (hensachi) of value: 50 + 10 x (value - mean) / population standard deviation, '
'50 when that is 0; NULL if n < ismseval.min_peer_group.';

CREATE FUNCTION @extschema@.peer_quantile(dist @extschema@.peer_dist, q double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_quantile'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_quantile(@extschema@.peer_dist, double precision) IS
'q-quantile of the group (q in [0, 1]), interpolated as percentile_cont; '
'NULL if n < ismseval.min_peer_group.';

CREATE FUNCTION @extschema@.peer_count(dist @extschema@.peer_dist)
RETURNS bigint
AS 'MODULE_PATHNAME', 'peer_count'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_count(@extschema@.peer_dist) IS
'Number of values in the group; NULL if it is below ismseval.min_peer_group.';

CREATE FUNCTION @extschema@.peer_mean(dist @extschema@.peer_dist)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_mean'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_mean(@extschema@.peer_dist) IS
'Mean of the group; NULL if n < ismseval.min_peer_group.';

CREATE FUNCTION @extschema@.peer_stddev(dist @extschema@.peer_dist)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_stddev'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_stddev(@extschema@.peer_dist) IS
'Population standard deviation of the group; NULL if n < ismseval.min_peer_group.';
