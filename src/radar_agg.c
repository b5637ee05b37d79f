/*
 * radar_agg.c: the aggregates whose state is an ismseval.radar.
 *
 *   maturity_radar(axis, score [, weight])  per-axis (weighted) mean of scores
 *   radar_avg(radar)                        per-axis mean of radars, each input weight 1
 *   peer_radar(radar [, min_peer_group])    radar_avg without axes seen in fewer
 *                                           than the floor's inputs
 *
 * The state is a radar with slack (see radar.h).  Every axis folds
 * observations as a weighted mean,
 *   m = m1 + (m2 - m1) * W2 / (W1 + W2),  W = W1 + W2,  n = n1 + n2,
 * which is also how partial states combine, so combining is exact.
 *
 * Memory.  Run as an aggregate, the transition and combine functions update
 * the state in place while it has room.  When it has none, they build a state
 * with twice the room in the current (per-tuple) memory context and return
 * it; the executor copies every state returned at a new address into the
 * aggregate context and frees the old one (nodeAgg and nodeWindowAgg do so),
 * so nothing is left behind and growth costs amortized O(1) per axis.
 *
 * Trust.  The state argument is whatever the executor holds: our own state,
 * but also the initial value of a user-defined aggregate, the first input of
 * a strict one, or the result of a user's inverse (MINVFUNC) function, which
 * can be a stored value with a short (1-byte) header.  So the state is
 * detoasted (a short or compressed value becomes a copy we own) and its
 * header checked on every call; its axes are checked in full unless it
 * carries the tag this backend writes into a state it has checked at that
 * very address (see state_tag).  Every other radar argument is read through
 * radar_from_datum.  Called directly (not as an aggregate), the functions
 * never modify an argument.
 *
 * The floor of peer_radar travels in the state: its transition records the
 * largest of ismseval.min_peer_group (as set where the transition runs) and
 * the min_peer_group argument, the combine function keeps the larger of two
 * floors, and the final function reads only the state.
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "common/pg_prng.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
#include "utils/memutils.h"

#include "ismseval.h"
#include "radar.h"

PG_FUNCTION_INFO_V1(radar_accum);
PG_FUNCTION_INFO_V1(radar_accum_weighted);
PG_FUNCTION_INFO_V1(radar_avg_accum);
PG_FUNCTION_INFO_V1(peer_radar_accum);
PG_FUNCTION_INFO_V1(radar_combine);
PG_FUNCTION_INFO_V1(radar_final);
PG_FUNCTION_INFO_V1(peer_radar_final);

/*
 * Axis slots and label bytes of a new state: room for a framework of up to 8
 * domains without growing, in under 512 bytes (a partial state crosses the
 * Gather of a parallel plan with its slack).
 */
#define RADAR_INITIAL_AXES 8
#define RADAR_INITIAL_LABEL_BYTES 128

/* Up to this many axes, a lookup scans the keys instead of bisecting. */
#define RADAR_LINEAR_SEARCH_MAX 16

/* Raises 22003 unless a computed mean or weight is finite; returns it. */
static inline double
check_result(double value, const char *what)
{
	if (unlikely(!isfinite(value)))
		radar_check_result(value, what);
	return value;
}

/* Folds (mean, n, weight) into an axis as a weighted mean. */
static inline void
axis_fold(RadarAxis *a, double mean, int64 n, double weight)
{
	double		total = check_result(a->weight + weight, "weight");

	a->mean = check_result(a->mean + (mean - a->mean) * weight / total, "mean");
	a->weight = total;
	if (unlikely(pg_add_s64_overflow(a->n, n, &a->n)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("radar count n is out of range for type bigint")));
}

/* The secret of this backend's state tags (0 until the first state is tagged). */
static uint32 state_tag_secret = 0;

/*
 * The tag of a state checked in full at address r: the address mixed with a
 * per-backend random secret.  A state copied elsewhere (by the executor after
 * growing, or a value from anywhere else) does not carry it and is checked.
 */
static inline uint32
state_tag(const Radar *r)
{
	uint64		a = (uint64) (uintptr_t) r;

	if (unlikely(state_tag_secret == 0))
		state_tag_secret = pg_prng_uint32(&pg_global_prng_state) | 1;
	return (uint32) (a >> 3) ^ (uint32) (a >> 35) ^ state_tag_secret;
}

/*
 * The state argument of a transition or combine function run as an
 * aggregate, ready to be updated in place: detoasted (a copy we own when it
 * was short or compressed), header checked, axes checked unless tagged.
 */
static Radar *
aggregate_state(FunctionCallInfo fcinfo)
{
	Radar	   *r = radar_detoast_header(PG_GETARG_DATUM(0));

	if (unlikely(r == NULL))
		return radar_from_datum(PG_GETARG_DATUM(0));	/* format 0: a copy, checked */
	if (unlikely(r->owner != state_tag(r)))
	{
		radar_check_axes(r);
		r->owner = state_tag(r);
	}
	return r;
}

/*
 * The state argument, ready to be updated: inside an aggregate the executor's
 * state (see aggregate_state), a new empty one when it is NULL, a copy when
 * called directly.  New states are allocated in the current context.
 */
static inline Radar *
state_for_update(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		return radar_alloc(CurrentMemoryContext, RADAR_INITIAL_AXES, RADAR_INITIAL_LABEL_BYTES);
	if (likely(AggCheckCallContext(fcinfo, NULL)))
		return aggregate_state(fcinfo);
	return radar_copy_with_room(CurrentMemoryContext, PG_GETARG_RADAR_P(0), 0, 0);
}

/*
 * Makes room in r for extra_axes more axes and extra_label more label bytes:
 * r itself when it has the room, else a copy in the current context with at
 * least twice r's room (the executor frees r when r is its state).
 */
static Radar *
make_room(Radar *r, int64 extra_axes, int64 extra_label)
{
	int64		axes_needed = (int64) r->naxes + extra_axes;
	int64		label_needed = (int64) r->label_used + extra_label;

	if (axes_needed <= r->axis_cap && label_needed <= r->label_cap)
		return r;
	return radar_copy_with_room(CurrentMemoryContext, r,
								Max(axes_needed, 2 * (int64) r->axis_cap) - r->naxes,
								Max(label_needed, 2 * (int64) r->label_cap) - r->label_used);
}

/* Inserts an axis (mean, n, weight) at position pos; returns the (possibly new) state. */
static Radar *
insert_axis(Radar *r, int pos, const char *label, int len, double mean, int64 n, double weight)
{
	RadarAxis  *a;

	r = make_room(r, 1, len);
	memmove(&RADAR_AXES(r)[pos + 1], &RADAR_AXES(r)[pos], (r->naxes - pos) * sizeof(RadarAxis));
	memmove(&RADAR_KEYS(r)[pos + 1], &RADAR_KEYS(r)[pos], (r->naxes - pos) * sizeof(uint64));
	RADAR_KEYS(r)[pos] = radar_label_key(label, len);
	a = &RADAR_AXES(r)[pos];
	a->mean = mean;
	a->weight = weight;
	a->n = n;
	a->label_off = r->label_used;
	a->label_len = (uint32) len;
	memcpy(radar_label_area(r) + r->label_used, label, len);
	r->label_used += len;
	r->naxes++;
	return r;
}

/*
 * Finds a label: returns its index, or (-1 - insertion point) when absent.
 * A few axes are scanned (one unpredictable branch instead of one per step
 * of a bisection); more are bisected.
 */
static pg_attribute_always_inline int
find_axis(const Radar *r, uint64 key, const char *label, int len)
{
	if (r->naxes <= RADAR_LINEAR_SEARCH_MAX)
	{
		const uint64 *keys = RADAR_KEYS(r);
		int			i;

		for (i = 0; i < r->naxes; i++)
			if (keys[i] == key && radar_axis_cmp(r, i, key, label, len) == 0)
				return i;
	}
	return radar_find_keyed(r, key, label, len);
}

/* Adds one (axis, score, weight) row to the state; returns the state. */
static pg_attribute_always_inline Datum
accum_row(FunctionCallInfo fcinfo, double score, double weight)
{
	Radar	   *state = state_for_update(fcinfo);
	struct varlena *axis = (struct varlena *) PG_GETARG_POINTER(1);
	const char *label;
	int			len;
	uint64		key;
	int			i = state->last;

	/* a short or plain in-line text is read where it is, without a copy */
	if (unlikely(VARATT_IS_EXTERNAL(axis) || VARATT_IS_COMPRESSED(axis)))
		axis = pg_detoast_datum_packed(axis);
	label = VARDATA_ANY(axis);
	len = VARSIZE_ANY_EXHDR(axis);
	key = radar_label_key(label, len);

	/* rows of one axis often come together: try the last axis first */
	if (i >= state->naxes || radar_axis_cmp(state, i, key, label, len) != 0)
	{
		i = find_axis(state, key, label, len);
		if (i < 0)
		{
			i = -1 - i;
			state = insert_axis(state, i, label, len, score, 1, weight);
			state->last = i;
			PG_RETURN_RADAR_P(state);
		}
		state->last = i;
	}
	axis_fold(&RADAR_AXES(state)[i], score, 1, weight);
	PG_RETURN_RADAR_P(state);
}

/* Checks a score that is not NULL and the axis that goes with it. */
static double
checked_score(FunctionCallInfo fcinfo)
{
	double		score = PG_GETARG_FLOAT8(2);

	if (unlikely(!isfinite(score)))
		ismseval_check_finite(score, "score");

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("axis must not be NULL when a score is given")));
	return score;
}

/*
 * The state argument returned unchanged for a row that is skipped (NULL when
 * it is NULL).  Inside an aggregate the executor's state is returned as is:
 * the executor copies any value returned at another address.
 */
static Datum
state_unchanged(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* maturity_radar(axis, score) transition: a NULL score skips the row. */
Datum
radar_accum(PG_FUNCTION_ARGS)
{
	double		score;

	if (PG_ARGISNULL(2))
		return state_unchanged(fcinfo);
	score = checked_score(fcinfo);
	return accum_row(fcinfo, score, 1.0);
}

/*
 * maturity_radar(axis, score, weight) transition: a NULL score or weight skips
 * the row, and so does a weight of 0 (after the score and weight are checked).
 */
Datum
radar_accum_weighted(PG_FUNCTION_ARGS)
{
	double		score;
	double		weight;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		return state_unchanged(fcinfo);
	score = checked_score(fcinfo);
	weight = ismseval_check_nonnegative(PG_GETARG_FLOAT8(3), "weight");
	if (weight == 0)
		return state_unchanged(fcinfo);
	return accum_row(fcinfo, score, weight);
}

/* Compares axis i of a with axis j of b in label byte order, by their keys first. */
static inline int
axes_cmp(const Radar *a, int i, const Radar *b, int j)
{
	return radar_axis_cmp(a, i, RADAR_KEYS(b)[j], radar_label(b, j), RADAR_AXES(b)[j].label_len);
}

/* Counts the axes of in that state does not have, and their label bytes. */
static int
count_missing(const Radar *state, const Radar *in, int64 *label_bytes)
{
	int			i = 0,
				j = 0,
				missing = 0;

	*label_bytes = 0;
	while (j < in->naxes)
	{
		int			c = i < state->naxes ? axes_cmp(state, i, in, j) : 1;

		if (c < 0)
			i++;
		else
		{
			if (c > 0)
			{
				missing++;
				*label_bytes += RADAR_AXES(in)[j].label_len;
			}
			else
				i++;
			j++;
		}
	}
	return missing;
}

/* Moves axis from of r to slot to (to >= from), with its key. */
static inline void
move_axis(Radar *r, int from, int to)
{
	if (from != to)
	{
		RADAR_AXES(r)[to] = RADAR_AXES(r)[from];
		RADAR_KEYS(r)[to] = RADAR_KEYS(r)[from];
	}
}

/*
 * Folds every axis of in into state; unit says each axis of in counts as one
 * observation of weight 1 (radar_avg) rather than as a partial state.
 * Returns the state, a new one when it lacked room.  The merge runs from the
 * last axis down, in place: the merged axis k is written at or after the
 * state axis i it comes from, so nothing is overwritten before it is read.
 */
static Radar *
merge_radar(Radar *state, const Radar *in, bool unit)
{
	int64		label_bytes;
	int			missing = count_missing(state, in, &label_bytes);
	int			i,
				j,
				k;

	state = make_room(state, missing, label_bytes);
	i = state->naxes - 1;
	j = in->naxes - 1;
	k = state->naxes + missing - 1;
	while (j >= 0)
	{
		const RadarAxis *b = &RADAR_AXES(in)[j];
		int			c = i >= 0 ? axes_cmp(state, i, in, j) : -1;

		if (c > 0)
			move_axis(state, i--, k--);
		else if (c == 0)
		{
			axis_fold(&RADAR_AXES(state)[i], b->mean, unit ? 1 : b->n, unit ? 1.0 : b->weight);
			move_axis(state, i--, k--);
			j--;
		}
		else
		{
			RadarAxis  *a = &RADAR_AXES(state)[k];

			RADAR_KEYS(state)[k] = RADAR_KEYS(in)[j];
			a->mean = b->mean;
			a->n = unit ? 1 : b->n;
			a->weight = unit ? 1.0 : b->weight;
			a->label_off = state->label_used;
			a->label_len = b->label_len;
			memcpy(radar_label_area(state) + state->label_used, radar_label(in, j), b->label_len);
			state->label_used += b->label_len;
			k--;
			j--;
		}
	}
	state->naxes += missing;
	state->last = 0;
	return state;
}

/*
 * Folds the radar of argument 1 into the state of argument 0 (NULLs skipped);
 * unit_weight as merge_radar's unit.  Combining (not unit) keeps the larger
 * of the two floors.
 */
static Datum
fold_radar_argument(FunctionCallInfo fcinfo, bool unit_weight)
{
	Radar	   *state;
	Radar	   *in;

	if (PG_ARGISNULL(1))
		return state_unchanged(fcinfo);
	in = PG_GETARG_RADAR_P(1);
	/* combining into nothing gives the partial state itself: copy it, with room */
	if (PG_ARGISNULL(0) && !unit_weight)
		PG_RETURN_RADAR_P(radar_copy_with_room(CurrentMemoryContext, in,
											   RADAR_INITIAL_AXES, RADAR_INITIAL_LABEL_BYTES));
	state = merge_radar(state_for_update(fcinfo), in, unit_weight);
	if (!unit_weight)
		state->min_peer_group = Max(state->min_peer_group, in->min_peer_group);
	PG_RETURN_RADAR_P(state);
}

/* radar_avg transition: folds each axis mean of the input with weight 1. */
Datum
radar_avg_accum(PG_FUNCTION_ARGS)
{
	return fold_radar_argument(fcinfo, true);
}

/*
 * peer_radar transition, with or without a min_peer_group argument: as
 * radar_avg's, and records in the state the floor of the result, the largest
 * of ismseval.min_peer_group (as set here), the argument and the state's.
 */
Datum
peer_radar_accum(PG_FUNCTION_ARGS)
{
	int32		floor = ismseval_transition_floor(fcinfo, 2);
	Radar	   *state;

	if (PG_ARGISNULL(1))
		return state_unchanged(fcinfo);
	/* a state to update: ours, in place, or a new one */
	state = (Radar *) DatumGetPointer(fold_radar_argument(fcinfo, true));
	state->min_peer_group = Max(state->min_peer_group, floor);
	PG_RETURN_RADAR_P(state);
}

/* Combine function of every radar aggregate: folds one partial state into another. */
Datum
radar_combine(PG_FUNCTION_ARGS)
{
	return fold_radar_argument(fcinfo, false);
}

/* Final function of maturity_radar and radar_avg: the state, compact. */
Datum
radar_final(PG_FUNCTION_ARGS)
{
	PG_RETURN_RADAR_P(radar_compact(PG_GETARG_RADAR_P(0)));
}

/*
 * Final function of peer_radar: the axes seen in at least the state's floor
 * of inputs.  Only a state made by another transition function carries no
 * floor; ismseval.min_peer_group, as set here, is its floor.
 */
Datum
peer_radar_final(PG_FUNCTION_ARGS)
{
	Radar	   *state = PG_GETARG_RADAR_P(0);
	int32		floor = state->min_peer_group > 0 ? state->min_peer_group : ismseval_min_peer_group;
	int			keep = 0;
	int64		label_bytes = 0;
	Radar	   *out;
	int			i;

	for (i = 0; i < state->naxes; i++)
		if (RADAR_AXES(state)[i].n >= floor)
		{
			keep++;
			label_bytes += RADAR_AXES(state)[i].label_len;
		}
	out = radar_alloc(CurrentMemoryContext, keep, label_bytes);
	for (i = 0; i < state->naxes; i++)
		if (RADAR_AXES(state)[i].n >= floor)
			radar_append(out, radar_label(state, i), RADAR_AXES(state)[i].label_len,
						 RADAR_AXES(state)[i].mean, RADAR_AXES(state)[i].n, RADAR_AXES(state)[i].weight);
	PG_RETURN_RADAR_P(out);
}
