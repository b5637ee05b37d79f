/*
 * peer_dist_agg.c: the peer_dist(value) aggregate: transition, combine and
 * final functions over a peer_dist state.
 *
 * The state is a real peer_dist datum (never internal) whose varlena size
 * leaves room to grow.  Run as an aggregate, the transition and combine
 * functions append in place while there is room; when there is not, they
 * build a state twice as large in the current (per-tuple) memory context and
 * return it, and the executor copies it into the aggregate context and frees
 * the old state (nodeAgg and nodeWindowAgg do so for every by-reference
 * state returned at a new address).  Allocating the grown state directly in
 * the aggregate context would only leak it there, and repalloc would free the
 * state the executor still holds.  Called directly, they never modify their
 * arguments.
 *
 * Every argument is read through DatumGetPeerDist, which detoasts it (a
 * short-header or compressed value becomes a copy we own) and checks its
 * header, so a state that came from a stored value, a user's inverse
 * function or an initial value is never read or written outside its size.
 *
 * The floor of the figures travels in the value: the transition records
 * ismseval.min_peer_group as set where it runs (raised to the min_peer_group
 * argument of peer_dist(value, min_peer_group)), the combine function keeps
 * the larger of two floors, and the final function keeps it, so that the
 * read-out functions (peer_dist.c) do not depend on where they run.
 */
#include "postgres.h"

#include "fmgr.h"

#include "ismseval.h"
#include "peer_dist.h"

PG_FUNCTION_INFO_V1(peer_dist_accum);
PG_FUNCTION_INFO_V1(peer_dist_combine);
PG_FUNCTION_INFO_V1(peer_dist_final);

/* Smallest capacity of a transition state. */
#define PEER_DIST_MIN_CAPACITY 8

/* The capacity to grow to for needed values: doubling from current, capped at the limit. */
static int64
grown_capacity(int64 current, int64 needed)
{
	int64		capacity = Max(current, PEER_DIST_MIN_CAPACITY);

	while (capacity < needed && capacity < PEER_DIST_MAX_COUNT)
		capacity *= 2;
	if (capacity > PEER_DIST_MAX_COUNT)
		capacity = PEER_DIST_MAX_COUNT;
	return Max(capacity, needed);	/* above the limit, allocation raises the error */
}

/*
 * Appends values[0..n) to state (NULL for none yet) and returns the result,
 * unsorted and not finalized: state itself when in_place and it has room,
 * else a new value.
 */
static PeerDist *
peer_dist_append(PeerDist *state, const double *values, int32 n, bool in_place)
{
	int32		have = state != NULL ? state->count : 0;
	int64		needed = (int64) have + n;
	PeerDist   *result;

	if (state != NULL && in_place && needed <= peer_dist_capacity(state))
		result = state;
	else
	{
		int64		capacity = needed;

		if (in_place)
			capacity = grown_capacity(state != NULL ? peer_dist_capacity(state) : 0, needed);
		result = peer_dist_allocate(capacity);
		if (have > 0)
			memcpy(result->values, state->values, (Size) have * sizeof(double));
	}
	if (n > 0)
		memmove(result->values + have, values, (Size) n * sizeof(double));
	result->count = (int32) needed;
	result->flags = 0;
	result->mean = 0.0;
	result->m2 = 0.0;
	return result;
}

/*
 * peer_dist_accum(state, value [, min_peer_group]): appends a finite value and
 * records the floor (ismseval_transition_floor); NULL values are skipped.
 */
Datum
peer_dist_accum(PG_FUNCTION_ARGS)
{
	PeerDist   *state;
	PeerDist   *result;
	int32		floor = ismseval_transition_floor(fcinfo, 2);
	double		value;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	state = PG_ARGISNULL(0) ? NULL : DatumGetPeerDist(PG_GETARG_DATUM(0));
	value = ismseval_check_finite(PG_GETARG_FLOAT8(1), "value");
	result = peer_dist_append(state, &value, 1, AggCheckCallContext(fcinfo, NULL) != 0);
	result->min_peer_group = Max(state != NULL ? state->min_peer_group : 0, floor);
	PG_RETURN_POINTER(result);
}

/* peer_dist_combine(state, other): appends the values of other to state; keeps the larger floor. */
Datum
peer_dist_combine(PG_FUNCTION_ARGS)
{
	PeerDist   *state = DatumGetPeerDist(PG_GETARG_DATUM(0));
	PeerDist   *other = DatumGetPeerDist(PG_GETARG_DATUM(1));
	int32		floor = Max(state->min_peer_group, other->min_peer_group);
	PeerDist   *result;

	result = peer_dist_append(state, other->values, other->count,
							  AggCheckCallContext(fcinfo, NULL) != 0);
	result->min_peer_group = floor;
	PG_RETURN_POINTER(result);
}

/* peer_dist_final(state): the state's values as a compact, sorted, finalized value, with its floor. */
Datum
peer_dist_final(PG_FUNCTION_ARGS)
{
	PeerDist   *state = DatumGetPeerDist(PG_GETARG_DATUM(0));
	PeerDist   *result = peer_dist_make(state->values, state->count);

	result->min_peer_group = state->min_peer_group;
	PG_RETURN_POINTER(result);
}
