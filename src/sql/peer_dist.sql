-- Peer benchmarks: the peer_dist type, its aggregate and the peer figures (src/peer_dist.c,
-- src/peer_dist_agg.c).  Every figure is NULL for a group smaller than ismseval.min_peer_group.

CREATE TYPE @extschema@.peer_dist;

CREATE FUNCTION @extschema@.peer_dist_in(cstring)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_in(cstring) IS
'Text input of peer_dist: {v1,v2,...} with finite numbers in any order, or {}; then ;min_peer_group=N for a value that carries its floor.';

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
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_accum(@extschema@.peer_dist, double precision) IS
'Transition function of peer_dist(value): appends a finite value and records the floor ismseval.min_peer_group as set where it runs; NULL values are skipped.';

CREATE FUNCTION @extschema@.peer_dist_combine(state @extschema@.peer_dist, other @extschema@.peer_dist)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_combine(@extschema@.peer_dist, @extschema@.peer_dist) IS
'Combine function of peer_dist(value): appends the values of other to state; the larger floor.';

CREATE FUNCTION @extschema@.peer_dist_final(state @extschema@.peer_dist)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_final(@extschema@.peer_dist) IS
'Final function of peer_dist(value): sorts the values and computes their mean and M2; keeps the floor.';

CREATE FUNCTION @extschema@.peer_dist_accum(state @extschema@.peer_dist, value double precision,
                                            min_peer_group integer)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_accum'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.peer_dist_accum(@extschema@.peer_dist, double precision, integer) IS
'Transition function of peer_dist(value, min_peer_group): appends a finite value and records the floor greatest(min_peer_group, ismseval.min_peer_group as set where it runs); min_peer_group < 1 is an error.';

CREATE AGGREGATE @extschema@.peer_dist(value double precision, min_peer_group integer) (
    SFUNC = @extschema@.peer_dist_accum,
    STYPE = @extschema@.peer_dist,
    COMBINEFUNC = @extschema@.peer_dist_combine,
    FINALFUNC = @extschema@.peer_dist_final,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.peer_dist(value double precision) (
    SFUNC = @extschema@.peer_dist_accum,
    STYPE = @extschema@.peer_dist,
    COMBINEFUNC = @extschema@.peer_dist_combine,
    FINALFUNC = @extschema@.peer_dist_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.peer_dist(double precision) IS
'Distribution of value over the rows of a group (a peer group); NULLs skipped, NaN and '
'infinity are errors, no rows give NULL. The value carries the floor of its figures: '
'ismseval.min_peer_group as set where the transitions ran.';

COMMENT ON AGGREGATE @extschema@.peer_dist(double precision, integer) IS
'peer_dist(value) whose value carries the floor greatest(min_peer_group, ismseval.min_peer_group as set where the transitions run): the floor can be raised, not lowered (use this form on Citus to raise it for one query).';

CREATE FUNCTION @extschema@.peer_percentile(dist @extschema@.peer_dist, value double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_percentile'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_percentile(@extschema@.peer_dist, double precision) IS
'Percentile rank of value in the group, mid-rank: 100 x (below + 0.5 x equal) / n; '
'NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';

CREATE FUNCTION @extschema@.peer_deviation_score(dist @extschema@.peer_dist, value double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_deviation_score'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_deviation_score(@extschema@.peer_dist, double precision) IS
'Deviation score (hensachi) of value: 50 + 10 x (value - mean) / population standard deviation, '
'50 when that is 0; NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';

CREATE FUNCTION @extschema@.peer_quantile(dist @extschema@.peer_dist, q double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_quantile'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_quantile(@extschema@.peer_dist, double precision) IS
'q-quantile of the group (q in [0, 1]), interpolated as percentile_cont; '
'NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';

CREATE FUNCTION @extschema@.peer_count(dist @extschema@.peer_dist)
RETURNS bigint
AS 'MODULE_PATHNAME', 'peer_count'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_count(@extschema@.peer_dist) IS
'Number of values in the group; NULL if it is below the floor the value carries (ismseval.min_peer_group when it carries none).';

CREATE FUNCTION @extschema@.peer_mean(dist @extschema@.peer_dist)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_mean'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_mean(@extschema@.peer_dist) IS
'Mean of the group; NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';

CREATE FUNCTION @extschema@.peer_stddev(dist @extschema@.peer_dist)
RETURNS double precision
AS 'MODULE_PATHNAME', 'peer_stddev'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_stddev(@extschema@.peer_dist) IS
'Population standard deviation of the group; NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
