-- 0.5.0, radar and peer_dist aggregates (issue 10): the peer floor travels in the state.

-- peer_radar gets its own transition function, which records the floor in the state
-- (radar_avg_accum keeps serving radar_avg only).

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

CREATE OR REPLACE AGGREGATE @extschema@.peer_radar(@extschema@.radar) (
    SFUNC = @extschema@.peer_radar_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.peer_radar_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.peer_radar(@extschema@.radar) IS
'radar_avg without the axes seen in fewer inputs than the floor: ismseval.min_peer_group as set where the transitions run (the state carries it to the final function).';

CREATE AGGREGATE @extschema@.peer_radar(@extschema@.radar, min_peer_group integer) (
    SFUNC = @extschema@.peer_radar_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.peer_radar_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.peer_radar(@extschema@.radar, integer) IS
'radar_avg without the axes seen in fewer inputs than greatest(min_peer_group, ismseval.min_peer_group): the floor can be raised, not lowered, and travels in the state (use this form on Citus).';

COMMENT ON FUNCTION @extschema@.radar_avg_accum(@extschema@.radar, @extschema@.radar) IS
'Transition function of radar_avg: each axis mean of the input counts once, weight 1.';
COMMENT ON FUNCTION @extschema@.peer_radar_final(@extschema@.radar) IS
'Final function of peer_radar: drops axes seen in fewer inputs than the floor recorded in the state (ismseval.min_peer_group for a state that carries none).';
COMMENT ON FUNCTION @extschema@.radar_combine(@extschema@.radar, @extschema@.radar) IS
'Combine function of the radar aggregates: per axis m = m1 + (m2 - m1) * W2 / (W1 + W2), n = n1 + n2; the larger floor.';
COMMENT ON FUNCTION @extschema@.radar_in(cstring) IS
'Text input of radar: {"label":mean/n[@weight],...}, then ;min_peer_group=N for a peer_radar state.';

-- peer_dist: the aggregate records the floor in its value; the figures read it from there.

ALTER FUNCTION @extschema@.peer_dist_accum(@extschema@.peer_dist, double precision) STABLE;
COMMENT ON FUNCTION @extschema@.peer_dist_accum(@extschema@.peer_dist, double precision) IS
'Transition function of peer_dist(value): appends a finite value and records the floor ismseval.min_peer_group as set where it runs; NULL values are skipped.';
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
COMMENT ON AGGREGATE @extschema@.peer_dist(double precision, integer) IS
'peer_dist(value) whose value carries the floor greatest(min_peer_group, ismseval.min_peer_group as set where the transitions run): the floor can be raised, not lowered (use this form on Citus to raise it for one query).';

COMMENT ON FUNCTION @extschema@.peer_dist_combine(@extschema@.peer_dist, @extschema@.peer_dist) IS
'Combine function of peer_dist(value): appends the values of other to state; the larger floor.';
COMMENT ON FUNCTION @extschema@.peer_dist_final(@extschema@.peer_dist) IS
'Final function of peer_dist(value): sorts the values and computes their mean and M2; keeps the floor.';
COMMENT ON FUNCTION @extschema@.peer_dist_in(cstring) IS
'Text input of peer_dist: {v1,v2,...} with finite numbers in any order, or {}; then ;min_peer_group=N for a value that carries its floor.';
COMMENT ON AGGREGATE @extschema@.peer_dist(double precision) IS
'Distribution of value over the rows of a group (a peer group); NULLs skipped, NaN and '
'infinity are errors, no rows give NULL. The value carries the floor of its figures: '
'ismseval.min_peer_group as set where the transitions ran.';
COMMENT ON FUNCTION @extschema@.peer_percentile(@extschema@.peer_dist, double precision) IS
'Percentile rank of value in the group, mid-rank: 100 x (below + 0.5 x equal) / n; '
'NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_deviation_score(@extschema@.peer_dist, double precision) IS
'Deviation score (hensachi) of value: 50 + 10 x (value - mean) / population standard deviation, '
'50 when that is 0; NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_quantile(@extschema@.peer_dist, double precision) IS
'q-quantile of the group (q in [0, 1]), interpolated as percentile_cont; '
'NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_count(@extschema@.peer_dist) IS
'Number of values in the group; NULL if it is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_mean(@extschema@.peer_dist) IS
'Mean of the group; NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_stddev(@extschema@.peer_dist) IS
'Population standard deviation of the group; NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
