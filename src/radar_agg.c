/*
 * radar_agg.c: the aggregates whose state is an ismseval.radar.
 *
 *   maturity_radar(axis, score [, weight])  per-axis (weighted) mean of scores
 *   radar_avg(radar)                        per-axis mean of radars, each input weight 1
 *   peer_radar(radar)                       radar_avg without axes seen in fewer
 *                                           than ismseval.min_peer_group inputs
 *
 * The state is a radar with slack (see radar.h), updated in place when called
 * as an aggregate.  When it must grow, a larger copy is made in the aggregate
 * context and returned; the executor then frees the old state itself.  Every
 * axis folds observations as a weighted mean,
 *   m = m1 + (m2 - m1) * W2 / (W1 + W2),  W = W1 + W2,  n = n1 + n2,
 * which is also how partial states combine, so combining is exact.
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
#include "utils/memutils.h"

#include "ismseval.h"
#include "radar.h"

PG_FUNCTION_INFO_V1(radar_accum);
PG_FUNCTION_INFO_V1(radar_accum_weighted);
PG_FUNCTION_INFO_V1(radar_avg_accum);
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

/* True when called as an aggregate or window aggregate (AggCheckCallContext's test, inline). */
static inline bool
called_as_aggregate(FunctionCallInfo fcinfo)
{
	return fcinfo->context != NULL &&
		(IsA(fcinfo->context, AggState) || IsA(fcinfo->context, WindowAggState));
}

/* The memory context a state lives in: the aggregate's, or the current one when called directly. */
static MemoryContext
state_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggctx;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		aggctx = CurrentMemoryContext;
	return aggctx;
}

/*
 * The state argument, ready to be updated: the argument itself inside an
 * aggregate (a new empty state in the aggregate context if it is NULL), a
 * copy in the current context when called directly.
 */
static inline Radar *
state_for_update(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		return radar_alloc(state_context(fcinfo), RADAR_INITIAL_AXES, RADAR_INITIAL_LABEL_BYTES);
	if (likely(called_as_aggregate(fcinfo)))
		return (Radar *) PG_GETARG_POINTER(0);
	return radar_copy_with_room(CurrentMemoryContext, PG_GETARG_RADAR_P(0), 0, 0);
}

/*
 * Inserts an axis (mean, n, weight) at position pos, growing the state into a
 * new allocation in ctx when it lacks room; returns the (possibly new) state.
 * The old state is not freed: inside an aggregate the executor frees it.
 */
static Radar *
insert_axis(Radar *r, int pos, const char *label, int len,
			double mean, int64 n, double weight, MemoryContext ctx)
{
	RadarAxis  *a;

	if (r->naxes == r->axis_cap || (int64) r->label_used + len > r->label_cap)
	{
		Radar	   *grown = radar_copy_with_room(ctx, r,
												 Max(r->axis_cap, RADAR_INITIAL_AXES),
												 Max((int64) r->label_cap, len) + len);

		r = grown;
	}
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
			state = insert_axis(state, i, label, len, score, 1, weight, state_context(fcinfo));
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

/* maturity_radar(axis, score) transition: a NULL score skips the row. */
Datum
radar_accum(PG_FUNCTION_ARGS)
{
	double		score;

	if (PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
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
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	score = checked_score(fcinfo);
	weight = ismseval_check_nonnegative(PG_GETARG_FLOAT8(3), "weight");
	if (weight == 0)
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	return accum_row(fcinfo, score, weight);
}

/* Compares axis i of a with axis j of b in label byte order, by their keys first. */
static inline int
axes_cmp(const Radar *a, int i, const Radar *b, int j)
{
	return radar_axis_cmp(a, i, RADAR_KEYS(b)[j], radar_label(b, j), RADAR_AXES(b)[j].label_len);
}

/* Counts the axes of in that state does not have. */
static int
count_missing(const Radar *state, const Radar *in)
{
	int			i = 0,
				j = 0,
				missing = 0;

	while (j < in->naxes)
	{
		int			c = i < state->naxes ? axes_cmp(state, i, in, j) : 1;

		if (c < 0)
			i++;
		else
		{
			if (c > 0)
				missing++;
			else
				i++;
			j++;
		}
	}
	return missing;
}

/*
 * Folds every axis of in into state; unit says each axis of in counts as one
 * observation of weight 1 (radar_avg) rather than as a partial state.
 * Returns the state, a new one in ctx when axes had to be added.
 */
static Radar *
merge_radar(Radar *state, const Radar *in, bool unit, MemoryContext ctx)
{
	int			missing = count_missing(state, in);
	Radar	   *out = state;
	int			i = 0,
				j = 0;

	if (missing > 0)
	{
		int64		label_bytes = 0;

		for (j = 0; j < in->naxes; j++)
			label_bytes += RADAR_AXES(in)[j].label_len;
		out = radar_alloc(ctx, (int64) state->naxes + missing + RADAR_INITIAL_AXES,
						  (int64) state->label_used + label_bytes + RADAR_INITIAL_LABEL_BYTES);
		j = 0;
	}
	/* merge: in place when nothing is missing, into out otherwise */
	while (i < state->naxes || j < in->naxes)
	{
		int			c;

		if (i >= state->naxes)
			c = 1;
		else if (j >= in->naxes)
			c = -1;
		else
			c = axes_cmp(state, i, in, j);
		if (c <= 0)
		{
			RadarAxis  *a;

			if (out != state)
				radar_append(out, radar_label(state, i), RADAR_AXES(state)[i].label_len,
							 RADAR_AXES(state)[i].mean, RADAR_AXES(state)[i].n, RADAR_AXES(state)[i].weight);
			a = out != state ? &RADAR_AXES(out)[out->naxes - 1] : &RADAR_AXES(state)[i];
			if (c == 0)
			{
				axis_fold(a, RADAR_AXES(in)[j].mean, unit ? 1 : RADAR_AXES(in)[j].n,
						  unit ? 1.0 : RADAR_AXES(in)[j].weight);
				j++;
			}
			i++;
		}
		else
		{
			radar_append(out, radar_label(in, j), RADAR_AXES(in)[j].label_len, RADAR_AXES(in)[j].mean,
						 unit ? 1 : RADAR_AXES(in)[j].n, unit ? 1.0 : RADAR_AXES(in)[j].weight);
			j++;
		}
	}
	return out;
}

/* Folds the radar of argument 1 into the state of argument 0 (NULLs skipped); unit_weight as merge_radar's unit. */
static Datum
fold_radar_argument(FunctionCallInfo fcinfo, bool unit_weight)
{
	Radar	   *state;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	/* combining into nothing gives the partial state itself: copy it, with room */
	if (PG_ARGISNULL(0) && !unit_weight)
		PG_RETURN_RADAR_P(radar_copy_with_room(state_context(fcinfo), PG_GETARG_RADAR_P(1),
											   RADAR_INITIAL_AXES, RADAR_INITIAL_LABEL_BYTES));
	state = state_for_update(fcinfo);
	PG_RETURN_RADAR_P(merge_radar(state, PG_GETARG_RADAR_P(1), unit_weight, state_context(fcinfo)));
}

/* radar_avg / peer_radar transition: folds each axis mean of the input with weight 1. */
Datum
radar_avg_accum(PG_FUNCTION_ARGS)
{
	return fold_radar_argument(fcinfo, true);
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

/* Final function of peer_radar: the axes seen in at least ismseval.min_peer_group inputs. */
Datum
peer_radar_final(PG_FUNCTION_ARGS)
{
	Radar	   *state = PG_GETARG_RADAR_P(0);
	int			keep = 0;
	int64		label_bytes = 0;
	Radar	   *out;
	int			i;

	for (i = 0; i < state->naxes; i++)
		if (RADAR_AXES(state)[i].n >= ismseval_min_peer_group)
		{
			keep++;
			label_bytes += RADAR_AXES(state)[i].label_len;
		}
	out = radar_alloc(CurrentMemoryContext, keep, label_bytes);
	for (i = 0; i < state->naxes; i++)
		if (RADAR_AXES(state)[i].n >= ismseval_min_peer_group)
			radar_append(out, radar_label(state, i), RADAR_AXES(state)[i].label_len,
						 RADAR_AXES(state)[i].mean, RADAR_AXES(state)[i].n, RADAR_AXES(state)[i].weight);
	PG_RETURN_RADAR_P(out);
}
