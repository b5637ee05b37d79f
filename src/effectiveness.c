/*
 * effectiveness.c: the combined effectiveness of independent controls on one
 * risk, 1 - prod(1 - e), as a parallel-safe aggregate, and its state type.
 *
 * effectiveness_state is a fixed-length 16-byte type: the number of rows
 * aggregated and the product of (1 - e) over them. Its text form is
 * "(count,product)" with the product printed shortest-exact, so a partial
 * state shipped between nodes as text reads back to the same bits.
 */
#include "postgres.h"

#include <errno.h>
#include <math.h>

#include "common/int.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/float.h"

#include "ismseval.h"

/* The aggregate state: rows seen and the product of (1 - e) over them. */
typedef struct EffectivenessState
{
	int64		count;
	double		product;
} EffectivenessState;

StaticAssertDecl(sizeof(EffectivenessState) == 16,
				 "effectiveness_state must be 16 bytes, as its INTERNALLENGTH says");

#define STATE_TYPE_NAME "effectiveness_state"

PG_FUNCTION_INFO_V1(effectiveness_state_in);
PG_FUNCTION_INFO_V1(effectiveness_state_out);
PG_FUNCTION_INFO_V1(effectiveness_state_recv);
PG_FUNCTION_INFO_V1(effectiveness_state_send);
PG_FUNCTION_INFO_V1(effectiveness_accum);
PG_FUNCTION_INFO_V1(effectiveness_combine);
PG_FUNCTION_INFO_V1(effectiveness_final);

/* Raises an error unless a decoded state is one the aggregate could have built. */
static void
validate_state(const EffectivenessState *state)
{
	if (state->count < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg(STATE_TYPE_NAME " count must be >= 0, got " INT64_FORMAT,
						state->count)));
	ismseval_check_range(state->product, STATE_TYPE_NAME " product", 0, 1);
	if (state->count == 0 && state->product != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(STATE_TYPE_NAME " product must be 1 when count is 0, got %g",
						state->product)));
}

/* Raises a 22P02 error for a malformed text literal of the state type. */
static void
malformed_state(const char *str)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type " STATE_TYPE_NAME ": \"%s\"", str),
			 errdetail("Expected \"(count,product)\", e.g. \"(2,0.25)\".")));
}

/* Parses the row count at p into *count; returns the position after it. */
static char *
parse_count(char *p, const char *str, int64 *count)
{
	char	   *end;

	errno = 0;
	*count = strtoi64(p, &end, 10);
	if (end == p)
		malformed_state(str);
	if (errno == ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg(STATE_TYPE_NAME " count is out of range for type bigint: \"%s\"", str)));
	return end;
}

/* Text input: "(count,product)", white space allowed around each part. */
Datum
effectiveness_state_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *p = ismseval_skip_space(str);
	EffectivenessState *state = palloc(sizeof(EffectivenessState));

	if (*p++ != '(')
		malformed_state(str);
	p = ismseval_skip_space(p);
	if (*p == '\0')
		malformed_state(str);
	p = ismseval_skip_space(parse_count(p, str, &state->count));
	if (*p++ != ',')
		malformed_state(str);
	/* float8in_internal skips white space on both sides and raises 22P02 on bad syntax */
	state->product = float8in_internal(p, &p, STATE_TYPE_NAME, str);
	if (*p++ != ')')
		malformed_state(str);
	if (*ismseval_skip_space(p) != '\0')
		malformed_state(str);
	validate_state(state);
	PG_RETURN_POINTER(state);
}

/* Text output: "(count,product)", the product shortest-exact. */
Datum
effectiveness_state_out(PG_FUNCTION_ARGS)
{
	EffectivenessState *state = (EffectivenessState *) PG_GETARG_POINTER(0);
	char		product[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(state->product, product);
	PG_RETURN_CSTRING(psprintf("(" INT64_FORMAT ",%s)", state->count, product));
}

/* Binary input: int8 count, float8 product, validated as the text input is. */
Datum
effectiveness_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	EffectivenessState *state;

	if (buf->len - buf->cursor < (int) sizeof(EffectivenessState))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary " STATE_TYPE_NAME " must be %d bytes, got %d",
						(int) sizeof(EffectivenessState), buf->len - buf->cursor)));
	state = palloc(sizeof(EffectivenessState));
	state->count = pq_getmsgint64(buf);
	state->product = pq_getmsgfloat8(buf);
	validate_state(state);
	PG_RETURN_POINTER(state);
}

/* Binary output: int8 count, float8 product. */
Datum
effectiveness_state_send(PG_FUNCTION_ARGS)
{
	EffectivenessState *state = (EffectivenessState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, state->count);
	pq_sendfloat8(&buf, state->product);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Returns the state to update: the argument itself inside an aggregate, else a copy. */
static EffectivenessState *
state_to_update(FunctionCallInfo fcinfo)
{
	EffectivenessState *state = (EffectivenessState *) PG_GETARG_POINTER(0);
	EffectivenessState *copy;

	if (AggCheckCallContext(fcinfo, NULL))
		return state;
	copy = palloc(sizeof(EffectivenessState));
	*copy = *state;
	return copy;
}

/* Adds a count to a state's count, raising an error on overflow. */
static void
add_count(EffectivenessState *state, int64 count)
{
	if (pg_add_s64_overflow(state->count, count, &state->count))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg(STATE_TYPE_NAME " count is out of range for type bigint")));
}

/* Transition: count the row and multiply the product by (1 - effectiveness). */
Datum
effectiveness_accum(PG_FUNCTION_ARGS)
{
	double		effectiveness = ismseval_check_range(PG_GETARG_FLOAT8(1), "effectiveness", 0, 1);
	EffectivenessState *state = state_to_update(fcinfo);

	add_count(state, 1);
	state->product *= 1.0 - effectiveness;
	PG_RETURN_POINTER(state);
}

/* Combine: add the counts and multiply the products of two partial states. */
Datum
effectiveness_combine(PG_FUNCTION_ARGS)
{
	EffectivenessState *other = (EffectivenessState *) PG_GETARG_POINTER(1);
	EffectivenessState *state = state_to_update(fcinfo);

	add_count(state, other->count);
	state->product *= other->product;
	PG_RETURN_POINTER(state);
}

/* Final: NULL when no row was aggregated, else 1 - product. */
Datum
effectiveness_final(PG_FUNCTION_ARGS)
{
	EffectivenessState *state = (EffectivenessState *) PG_GETARG_POINTER(0);

	if (state->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(1.0 - state->product);
}
