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

/* Raises an error unless a state is one the aggregate could have built. */
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

/*
 * Raises 22P02 for a malformed text literal str: the detail names what was
 * expected at p.
 */
static void
pg_attribute_noreturn()
malformed_state(const char *str, const char *p, const char *expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type " STATE_TYPE_NAME ": \"%s\"",
					ismseval_excerpt(str, -1)),
			 *p == '\0' ?
			 errdetail("Expected %s at end of input.", expected) :
			 errdetail("Expected %s at character %d.", expected, (int) (p - str) + 1),
			 errhint("The form is \"(count,product)\", e.g. \"(2,0.25)\".")));
}

/* Parses the row count at p into *count; returns the position after it. */
static char *
parse_count(char *p, const char *str, int64 *count)
{
	char	   *end;

	errno = 0;
	*count = strtoi64(p, &end, 10);
	if (end == p)
		malformed_state(str, p, "the count (an integer)");
	if (errno == ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg(STATE_TYPE_NAME " count is out of range for type bigint"),
				 errdetail("The count is \"%s\".", ismseval_excerpt(p, end - p))));
	return end;
}

/* Parses the product at p into *product; returns the position after it. */
static char *
parse_product(char *p, const char *str, double *product)
{
	char	   *end;

	errno = 0;
	*product = strtod(p, &end);
	if (end == p)
		malformed_state(str, p, "the product (a number)");
	/* as float8in: underflow to a denormal is fine, to zero or overflow is not */
	if (errno == ERANGE && (*product == 0 || isinf(*product)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg(STATE_TYPE_NAME " product is out of range for type double precision"),
				 errdetail("The product is \"%s\".", ismseval_excerpt(p, end - p))));
	return end;
}

/* Text input: "(count,product)", white space allowed around each part. */
Datum
effectiveness_state_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *p = ismseval_skip_space(str);
	EffectivenessState *state = palloc(sizeof(EffectivenessState));

	if (*p != '(')
		malformed_state(str, p, "\"(\"");
	p = ismseval_skip_space(parse_count(ismseval_skip_space(p + 1), str, &state->count));
	if (*p != ',')
		malformed_state(str, p, "\",\" after the count");
	p = ismseval_skip_space(parse_product(ismseval_skip_space(p + 1), str, &state->product));
	if (*p != ')')
		malformed_state(str, p, "\")\" after the product");
	p = ismseval_skip_space(p + 1);
	if (*p != '\0')
		malformed_state(str, p, "nothing after \")\"");
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

	if (buf->len - buf->cursor != (int) sizeof(EffectivenessState))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type " STATE_TYPE_NAME),
				 errdetail("The value must be %d bytes (int8 count, float8 product), got %d.",
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

/*
 * The state argument argno, validated.  The type is fixed-length (no varlena
 * header to detoast), but any value of it may reach a function of a tenant's
 * own aggregate, so every one is checked before use.
 */
static EffectivenessState *
state_arg(FunctionCallInfo fcinfo, int argno)
{
	EffectivenessState *state = (EffectivenessState *) PG_GETARG_POINTER(argno);

	validate_state(state);
	return state;
}

/*
 * Returns the state to update: inside an aggregate the argument itself (the
 * executor keeps a by-reference state in the aggregate's own memory, copying
 * any new value it is given there, so the argument is this aggregate call's
 * own), else a copy.
 */
static EffectivenessState *
state_to_update(FunctionCallInfo fcinfo)
{
	EffectivenessState *state = state_arg(fcinfo, 0);
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
	EffectivenessState *other = state_arg(fcinfo, 1);
	EffectivenessState *state = state_to_update(fcinfo);

	add_count(state, other->count);
	state->product *= other->product;
	PG_RETURN_POINTER(state);
}

/* Final: NULL when no row was aggregated, else 1 - product. */
Datum
effectiveness_final(PG_FUNCTION_ARGS)
{
	EffectivenessState *state = state_arg(fcinfo, 0);

	if (state->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(1.0 - state->product);
}
