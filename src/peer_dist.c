/*
 * peer_dist.c: the peer_dist type, the exact distribution of one figure over
 * a peer group (every value kept, sorted), its text and binary forms, and the
 * peer figures read from it: percentile rank, deviation score, quantile,
 * count, mean and standard deviation.  Every figure is NULL for a group
 * smaller than ismseval.min_peer_group.  The aggregate is in peer_dist_agg.c.
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/float.h"

#include "ismseval.h"
#include "peer_dist.h"

PG_FUNCTION_INFO_V1(peer_dist_in);
PG_FUNCTION_INFO_V1(peer_dist_out);
PG_FUNCTION_INFO_V1(peer_dist_recv);
PG_FUNCTION_INFO_V1(peer_dist_send);
PG_FUNCTION_INFO_V1(peer_percentile);
PG_FUNCTION_INFO_V1(peer_deviation_score);
PG_FUNCTION_INFO_V1(peer_quantile);
PG_FUNCTION_INFO_V1(peer_count);
PG_FUNCTION_INFO_V1(peer_mean);
PG_FUNCTION_INFO_V1(peer_stddev);

/* Detoasts a peer_dist datum and checks its header: size, count, flags, floor. */
PeerDist *
peer_dist_from_datum(Datum d)
{
	PeerDist   *dist = (PeerDist *) PG_DETOAST_DATUM(d);
	Size		size = VARSIZE(dist);

	if (size < PEER_DIST_HEADER_SIZE || (size - PEER_DIST_HEADER_SIZE) % sizeof(double) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("peer_dist value is corrupted"),
				 errdetail("Its size is %zu bytes, not a %d-byte header and whole values.",
						   size, (int) PEER_DIST_HEADER_SIZE)));
	if ((dist->flags & ~PEER_DIST_FINALIZED) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("unsupported peer_dist format: flags 0x%x", (unsigned int) dist->flags),
				 errhint("The value was written by a newer version of ismseval, or is corrupted.")));
	if (dist->count < 0 || dist->count > peer_dist_capacity(dist) || dist->min_peer_group < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("peer_dist value is corrupted"),
				 errdetail("Its header holds %d values in room for %lld, floor %d.",
						   dist->count, (long long) peer_dist_capacity(dist), dist->min_peer_group)));
	return dist;
}

/* Allocates a zeroed, empty value with room for capacity values, in CurrentMemoryContext. */
PeerDist *
peer_dist_allocate(int64 capacity)
{
	PeerDist   *dist;

	if (capacity > PEER_DIST_MAX_COUNT)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a peer_dist cannot hold more than %d values", PEER_DIST_MAX_COUNT)));
	dist = (PeerDist *) palloc0(PEER_DIST_SIZE(capacity));
	SET_VARSIZE(dist, PEER_DIST_SIZE(capacity));
	return dist;
}

/* The number of values the storage of a value has room for. */
int64
peer_dist_capacity(const PeerDist *dist)
{
	return (int64) ((VARSIZE(dist) - PEER_DIST_HEADER_SIZE) / sizeof(double));
}

/*
 * Sorts the values of a value we own and stores their mean and sum of squared
 * deviations (M2), by two passes over the sorted values: a compensated sum for
 * the mean, then the corrected two-pass M2.  Raises an error if either
 * overflows.
 */
static void
peer_dist_finalize(PeerDist *dist)
{
	int32		n = dist->count;
	double		sum = 0.0;
	double		compensation = 0.0;
	double		mean = 0.0;
	double		m2 = 0.0;
	double		deviation_sum = 0.0;
	int32		i;

	if (n > 1)
		qsort(dist->values, n, sizeof(double), ismseval_compare_doubles);
	for (i = 0; i < n; i++)
	{
		double		x = dist->values[i];
		double		t = sum + x;

		/* Neumaier's compensated summation */
		compensation += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum;
		sum = t;
	}
	if (n > 0)
	{
		mean = (sum + compensation) / n;

		/*
		 * The rounded sum / n can land an ulp outside [min, max] (six 0.1s
		 * gave 0.10000000000000002); a finite mean is clamped back.  A sum
		 * that overflowed leaves NaN or inf, reported below.
		 */
		if (isfinite(mean))
		{
			mean = Max(mean, dist->values[0]);
			mean = Min(mean, dist->values[n - 1]);
		}
	}
	for (i = 0; i < n; i++)
	{
		double		d = dist->values[i] - mean;

		m2 += d * d;
		deviation_sum += d;
	}
	if (n > 0)
		m2 -= deviation_sum * deviation_sum / n;
	if (m2 < 0.0)
		m2 = 0.0;
	if (isnan(mean) || isinf(mean) || isnan(m2) || isinf(m2))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("peer_dist values are too large: their mean or variance is out of range for type double precision")));
	dist->mean = mean;
	dist->m2 = m2;
	dist->flags = PEER_DIST_FINALIZED;
}

/* Returns a compact, sorted and finalized value holding values[0..n). */
PeerDist *
peer_dist_make(const double *values, int32 n)
{
	PeerDist   *dist = peer_dist_allocate(n);

	if (n > 0)
		memcpy(dist->values, values, (Size) n * sizeof(double));
	dist->count = n;
	peer_dist_finalize(dist);
	return dist;
}

/* Returns the values of a value in sorted order: its own if finalized, else a sorted copy. */
static const double *
peer_dist_sorted_values(const PeerDist *dist)
{
	double	   *copy;

	if (dist->flags & PEER_DIST_FINALIZED)
		return dist->values;
	copy = (double *) palloc((Size) Max(dist->count, 1) * sizeof(double));
	if (dist->count > 0)
		memcpy(copy, dist->values, (Size) dist->count * sizeof(double));
	if (dist->count > 1)
		qsort(copy, dist->count, sizeof(double), ismseval_compare_doubles);
	return copy;
}

/* Returns a value sorted and finalized: itself if it is, else a finalized copy. */
static PeerDist *
peer_dist_finalized(PeerDist *dist)
{
	if (dist->flags & PEER_DIST_FINALIZED)
		return dist;
	return peer_dist_make(dist->values, dist->count);
}

/*
 * True if the group is large enough to publish figures: at least the floor
 * the aggregate recorded in the value, or ismseval.min_peer_group (read here)
 * for a value that carries none (a literal, or a value stored before 0.5.0).
 */
static bool
peer_dist_published(const PeerDist *dist)
{
	int32		floor = dist->min_peer_group > 0 ? dist->min_peer_group : ismseval_min_peer_group;

	return dist->count >= floor;
}

/*
 * Raises the text input error for a malformed literal: the primary message
 * quotes a short prefix of it, the detail (a format and its arguments) says
 * what was wrong and where.
 */
#define invalid_literal(literal, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION), \
			 errmsg("invalid input syntax for type peer_dist: \"%s\"", ismseval_excerpt(literal, -1)), \
			 errdetail(__VA_ARGS__)))

/*
 * Parses the optional ";min_peer_group=N" after the closing brace at p (the
 * floor an aggregate recorded); returns the position after it, *floor 0 when absent.
 */
static char *
parse_floor(char *p, const char *literal, int32 *floor)
{
	static const char key[] = "min_peer_group";
	int64		n = 0;

	*floor = 0;
	p = ismseval_skip_space(p);
	if (*p != ';')
		return p;
	p = ismseval_skip_space(p + 1);
	if (strncmp(p, key, sizeof(key) - 1) != 0)
		invalid_literal(literal, "Expected \"min_peer_group\" after \";\" at character %d.",
						(int) (p - literal) + 1);
	p = ismseval_skip_space(p + sizeof(key) - 1);
	if (*p != '=')
		invalid_literal(literal, "Expected \"=\" after \"min_peer_group\" at character %d.",
						(int) (p - literal) + 1);
	p = ismseval_skip_space(p + 1);
	if (!isdigit((unsigned char) *p))
		invalid_literal(literal, "Expected a number after \"min_peer_group=\" at character %d.",
						(int) (p - literal) + 1);
	while (isdigit((unsigned char) *p))
	{
		n = n * 10 + (*p++ - '0');
		if (n > PG_INT32_MAX)
			invalid_literal(literal, "The min_peer_group is out of range for type integer.");
	}
	if (n < 1)
		invalid_literal(literal, "The min_peer_group must be >= 1.");
	*floor = (int32) n;
	return ismseval_skip_space(p);
}

/*
 * peer_dist_in(cstring): reads '{v1,v2,...}' (finite numbers, any order) into
 * a sorted value, with an optional ';min_peer_group=N' after it.
 */
Datum
peer_dist_in(PG_FUNCTION_ARGS)
{
	char	   *literal = PG_GETARG_CSTRING(0);
	char	   *p = ismseval_skip_space(literal);
	int64		capacity = 16;
	int32		n = 0;
	int32		floor;
	double	   *values = (double *) palloc(capacity * sizeof(double));
	PeerDist   *dist;

	if (*p != '{')
		invalid_literal(literal, "A peer_dist literal starts with \"{\".");
	p = ismseval_skip_space(p + 1);
	if (*p == '}')
		p++;
	else
	{
		for (;;)
		{
			char	   *end;
			double		value;
			bool		bad = false;

			if (*p == ',' || *p == '}' || *p == '\0')
				invalid_literal(literal, "Value %d: expected a number at character %d.",
								n + 1, (int) (p - literal) + 1);
			value = float8in_internal_opt_error(p, &end, "peer_dist", literal, &bad);
			if (bad && ismseval_number_out_of_range(p))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("value %d of the peer_dist literal is out of range for type double precision",
								n + 1)));
			if (bad)
				invalid_literal(literal, "Value %d at character %d is not a number of type double precision.",
								n + 1, (int) (p - literal) + 1);
			if (isnan(value) || isinf(value))
				invalid_literal(literal, "Value %d is not finite: peer_dist values must be finite numbers.",
								n + 1);
			if (n >= capacity)
			{
				if (capacity >= PEER_DIST_MAX_COUNT)
					peer_dist_allocate((int64) n + 1);	/* raises the limit error */
				capacity = Min(capacity * 2, PEER_DIST_MAX_COUNT);
				values = (double *) repalloc(values, capacity * sizeof(double));
			}
			values[n++] = value;
			p = end;
			if (*p == ',')
				p++;
			else if (*p == '}')
			{
				p++;
				break;
			}
			else
				invalid_literal(literal, "Value %d: expected \",\" or \"}\" after it at character %d.",
								n, (int) (p - literal) + 1);
		}
	}
	p = parse_floor(p, literal, &floor);
	if (*p != '\0')
		invalid_literal(literal, "Unexpected text after the closing \"}\" at character %d.",
						(int) (p - literal) + 1);
	dist = peer_dist_make(values, n);
	dist->min_peer_group = floor;
	PG_RETURN_POINTER(dist);
}

/* peer_dist_out(peer_dist): '{v1,v2,...}', sorted, each value shortest-exact; then the floor if any. */
Datum
peer_dist_out(PG_FUNCTION_ARGS)
{
	PeerDist   *dist = DatumGetPeerDist(PG_GETARG_DATUM(0));
	const double *values = peer_dist_sorted_values(dist);
	StringInfoData buf;
	char		number[DOUBLE_SHORTEST_DECIMAL_LEN];
	int32		i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < dist->count; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		double_to_shortest_decimal_buf(values[i], number);
		appendStringInfoString(&buf, number);
	}
	appendStringInfoChar(&buf, '}');
	if (dist->min_peer_group > 0)
		appendStringInfo(&buf, ";min_peer_group=%d", dist->min_peer_group);
	PG_RETURN_CSTRING(buf.data);
}

/* Raises the binary input error; the arguments are the detail's format and values. */
#define invalid_binary(...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), \
			 errmsg("invalid binary representation of type peer_dist"), \
			 errdetail(__VA_ARGS__)))

/*
 * peer_dist_recv(internal): int32 count, then count float8 values (any order,
 * all finite), then, when the aggregate recorded one, an int32 floor >= 1;
 * nothing after.  Every count is checked against the bytes left before
 * anything is allocated.
 */
Datum
peer_dist_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		count;
	int			left;
	int32		floor = 0;
	PeerDist   *dist;
	int32		i;

	if (buf->len - buf->cursor < (int) sizeof(int32))
		invalid_binary("The value is shorter than its 4-byte count.");
	count = (int32) pq_getmsgint(buf, sizeof(int32));
	if (count < 0)
		invalid_binary("The count must be >= 0, got %d.", count);
	left = buf->len - buf->cursor;
	if (count > left / (int) sizeof(double))
		invalid_binary("The count %d needs %lld bytes of values, only %d are left.",
					   count, (long long) count * (long long) sizeof(double), left);
	left -= count * (int) sizeof(double);
	if (left != 0 && left != (int) sizeof(int32))
		invalid_binary("%d bytes follow the %d values, expected none or a 4-byte min_peer_group.",
					   left, count);
	dist = peer_dist_allocate(count);
	for (i = 0; i < count; i++)
	{
		double		value = pq_getmsgfloat8(buf);

		if (isnan(value) || isinf(value))
			invalid_binary("Value %d must be a finite number, got %s.", i + 1,
						   isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"));
		dist->values[i] = value;
	}
	if (left != 0)
	{
		floor = (int32) pq_getmsgint(buf, sizeof(int32));
		if (floor < 1)
			invalid_binary("The min_peer_group after the values must be >= 1, got %d.", floor);
	}
	dist->count = count;
	peer_dist_finalize(dist);
	dist->min_peer_group = floor;
	PG_RETURN_POINTER(dist);
}

/* peer_dist_send(peer_dist): int32 count, then the values sorted, as float8; then the floor if any. */
Datum
peer_dist_send(PG_FUNCTION_ARGS)
{
	PeerDist   *dist = DatumGetPeerDist(PG_GETARG_DATUM(0));
	const double *values = peer_dist_sorted_values(dist);
	StringInfoData buf;
	int32		i;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, dist->count);
	for (i = 0; i < dist->count; i++)
		pq_sendfloat8(&buf, values[i]);
	if (dist->min_peer_group > 0)
		pq_sendint32(&buf, dist->min_peer_group);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* The number of sorted values at or below value (binary search). */
static int32
count_at_or_below(const double *values, int32 n, double value)
{
	int32		low = 0;
	int32		high = n;

	while (low < high)
	{
		int32		mid = low + (high - low) / 2;

		if (values[mid] <= value)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

/* The population standard deviation of a finalized, non-empty value. */
static double
population_stddev(const PeerDist *dist)
{
	return sqrt(dist->m2 / dist->count);
}

/* peer_percentile(dist, value) = 100 x (below + 0.5 x equal) / n, the mid-rank. */
Datum
peer_percentile(PG_FUNCTION_ARGS)
{
	PeerDist   *dist = DatumGetPeerDist(PG_GETARG_DATUM(0));
	double		value = ismseval_check_finite(PG_GETARG_FLOAT8(1), "value");
	int32		below;
	int32		at_or_below;

	if (!peer_dist_published(dist))
		PG_RETURN_NULL();
	dist = peer_dist_finalized(dist);
	below = ismseval_count_below(dist->values, dist->count, value);
	at_or_below = count_at_or_below(dist->values, dist->count, value);
	PG_RETURN_FLOAT8(100.0 * (below + 0.5 * (at_or_below - below)) / dist->count);
}

/* peer_deviation_score(dist, value) = 50 + 10 x (value - mean) / sd; 50 when sd = 0. */
Datum
peer_deviation_score(PG_FUNCTION_ARGS)
{
	PeerDist   *dist = DatumGetPeerDist(PG_GETARG_DATUM(0));
	double		value = ismseval_check_finite(PG_GETARG_FLOAT8(1), "value");
	double		sd;
	double		score;

	if (!peer_dist_published(dist))
		PG_RETURN_NULL();
	dist = peer_dist_finalized(dist);
	sd = population_stddev(dist);
	if (sd == 0.0)
		PG_RETURN_FLOAT8(50.0);
	score = 50.0 + 10.0 * ((value - dist->mean) / sd);
	if (isnan(score) || isinf(score))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("deviation score is out of range for type double precision")));
	PG_RETURN_FLOAT8(score);
}

/* peer_quantile(dist, q): the q-quantile interpolated as percentile_cont does. */
Datum
peer_quantile(PG_FUNCTION_ARGS)
{
	PeerDist   *dist = DatumGetPeerDist(PG_GETARG_DATUM(0));
	double		q = ismseval_check_range(PG_GETARG_FLOAT8(1), "q", 0.0, 1.0);

	if (!peer_dist_published(dist))
		PG_RETURN_NULL();
	dist = peer_dist_finalized(dist);
	PG_RETURN_FLOAT8(ismseval_quantile_sorted(dist->values, dist->count, q));
}

/* peer_count(dist): the number of values in the group. */
Datum
peer_count(PG_FUNCTION_ARGS)
{
	PeerDist   *dist = DatumGetPeerDist(PG_GETARG_DATUM(0));

	if (!peer_dist_published(dist))
		PG_RETURN_NULL();
	PG_RETURN_INT64((int64) dist->count);
}

/* peer_mean(dist): the mean of the group. */
Datum
peer_mean(PG_FUNCTION_ARGS)
{
	PeerDist   *dist = DatumGetPeerDist(PG_GETARG_DATUM(0));

	if (!peer_dist_published(dist))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(peer_dist_finalized(dist)->mean);
}

/* peer_stddev(dist): the population standard deviation of the group. */
Datum
peer_stddev(PG_FUNCTION_ARGS)
{
	PeerDist   *dist = DatumGetPeerDist(PG_GETARG_DATUM(0));

	if (!peer_dist_published(dist))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(population_stddev(peer_dist_finalized(dist)));
}
