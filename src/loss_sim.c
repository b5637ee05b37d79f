/*
 * loss_sim.c: the loss_sim type, N simulated annual losses in year order,
 * its text and binary forms, and what is read from it: the number of years,
 * the mean, the quantile (value at risk), the expected shortfall, the
 * probability of exceeding an amount and the loss exceedance curve.
 *
 * Quantile: the losses sorted ascending, x[0] <= ... <= x[N-1]; the
 * q-quantile is at position h = q (N - 1), x[floor h] + (h - floor h)
 * (x[ceil h] - x[floor h]) (percentile_cont, NumPy's default "linear").
 * Expected shortfall at q: the mean of the m largest losses,
 * m = max(1, N - floor(q N)).  Exceedance of an amount: the fraction of the
 * years whose loss is >= the amount.
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/tuplestore.h"

#include "ismseval.h"
#include "loss_sim.h"

PG_FUNCTION_INFO_V1(loss_sim_in);
PG_FUNCTION_INFO_V1(loss_sim_out);
PG_FUNCTION_INFO_V1(loss_sim_recv);
PG_FUNCTION_INFO_V1(loss_sim_send);
PG_FUNCTION_INFO_V1(loss_years);
PG_FUNCTION_INFO_V1(loss_mean);
PG_FUNCTION_INFO_V1(loss_quantile);
PG_FUNCTION_INFO_V1(loss_expected_shortfall);
PG_FUNCTION_INFO_V1(loss_exceedance);
PG_FUNCTION_INFO_V1(loss_exceedance_curve);

/* The most rows loss_exceedance_curve returns. */
#define LOSS_CURVE_MAX_POINTS 10000

/* Detoasts a loss_sim argument and checks its version, flags and size. */
LossSim *
loss_sim_from_datum(Datum datum)
{
	LossSim    *sim = (LossSim *) PG_DETOAST_DATUM(datum);
	Size		size = VARSIZE(sim);

	if (size < LOSS_SIM_HEADER_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("loss_sim value is too short: %zu bytes", size)));
	if (sim->version != LOSS_SIM_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("loss_sim value has version %d, this library reads version %d",
						sim->version, LOSS_SIM_VERSION)));
	if (sim->flags != 0 || sim->reserved1 != 0 || sim->reserved2 != 0 ||
		sim->years < 1 || sim->years > LOSS_SIM_MAX_YEARS || size != LOSS_SIM_SIZE(sim->years))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("loss_sim value is malformed: %d years in %zu bytes", sim->years, size)));
	return sim;
}

/* Allocates a zeroed value of the given number of years, in CurrentMemoryContext. */
LossSim *
loss_sim_allocate(int32 years)
{
	LossSim    *sim;

	Assert(years >= 1 && years <= LOSS_SIM_MAX_YEARS);
	sim = (LossSim *) palloc0(LOSS_SIM_SIZE(years));
	SET_VARSIZE(sim, LOSS_SIM_SIZE(years));
	sim->version = LOSS_SIM_VERSION;
	sim->years = years;
	return sim;
}

/* Checks a number of years: 1 .. LOSS_SIM_MAX_YEARS; returns it. */
int32
loss_sim_check_years(int64 years, const char *argname)
{
	if (years < 1 || years > LOSS_SIM_MAX_YEARS)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be between 1 and %d, got " INT64_FORMAT,
						argname, LOSS_SIM_MAX_YEARS, years)));
	return (int32) years;
}

/* A sorted (ascending) palloc'd copy of the losses. */
double *
loss_sim_sorted(const LossSim *sim)
{
	double	   *sorted = (double *) palloc((Size) sim->years * sizeof(double));

	memcpy(sorted, sim->losses, (Size) sim->years * sizeof(double));
	qsort(sorted, sim->years, sizeof(double), ismseval_compare_doubles);
	return sorted;
}

/* The fraction of the losses that are >= amount. */
double
loss_sim_exceedance_sorted(const double *sorted, int32 n, double amount)
{
	return (double) (n - ismseval_count_below(sorted, n, amount)) / n;
}

/* Neumaier's compensated sum of values[0..n). */
static double
compensated_sum(const double *values, int32 n)
{
	double		sum = 0.0;
	double		compensation = 0.0;
	int32		i;

	for (i = 0; i < n; i++)
	{
		double		x = values[i];
		double		t = sum + x;

		compensation += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum;
		sum = t;
	}
	return sum + compensation;
}

/* The mean of values[0..n); an error if their sum overflows. */
static double
checked_mean(const double *values, int32 n, const char *what)
{
	double		mean = compensated_sum(values, n) / n;

	if (!isfinite(mean))		/* an overflowed compensated sum is inf or NaN */
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range for type double precision", what)));
	return mean;
}

/* Raises the text input error for a malformed literal, with a detail saying what was wrong. */
static void
pg_attribute_noreturn()
invalid_literal(const char *literal, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type loss_sim: \"%s\"", literal),
			 errdetail("%s", detail)));
}

/* Advances past white space. */
static char *
skip_space(char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
		p++;
	return p;
}

/* Reads one loss of a literal at p (finite, >= 0) and returns it; *end is set past it. */
static double
read_loss(char *p, char **end, const char *literal)
{
	double		value;

	if (*p == ',' || *p == '}' || *p == '\0')
		invalid_literal(literal, "Expected a number.");
	value = float8in_internal(p, end, "loss_sim", literal);
	if (isnan(value) || isinf(value))
		invalid_literal(literal, "loss_sim losses must be finite numbers.");
	if (value < 0.0)
		invalid_literal(literal, "loss_sim losses must be >= 0.");
	return value;
}

/* loss_sim_in(cstring): '{l1,l2,...}', the losses of years 1..N (1 <= N <= 1000000, finite, >= 0). */
Datum
loss_sim_in(PG_FUNCTION_ARGS)
{
	char	   *literal = PG_GETARG_CSTRING(0);
	char	   *p = skip_space(literal);
	int32		capacity = 16;
	int32		n = 0;
	double	   *values = (double *) palloc(capacity * sizeof(double));
	LossSim    *sim;

	if (*p != '{')
		invalid_literal(literal, "A loss_sim literal starts with \"{\".");
	p = skip_space(p + 1);
	for (;;)
	{
		char	   *end;

		if (n >= LOSS_SIM_MAX_YEARS)
			invalid_literal(literal, psprintf("A loss_sim holds at most %d years.", LOSS_SIM_MAX_YEARS));
		if (n >= capacity)
		{
			capacity = Min(capacity * 2, LOSS_SIM_MAX_YEARS);
			values = (double *) repalloc(values, capacity * sizeof(double));
		}
		values[n++] = read_loss(p, &end, literal);
		p = skip_space(end);
		if (*p == '}')
			break;
		if (*p != ',')
			invalid_literal(literal, "Expected \",\" or \"}\" after a number.");
		p = skip_space(p + 1);
	}
	if (*skip_space(p + 1) != '\0')
		invalid_literal(literal, "Junk after the closing \"}\".");
	sim = loss_sim_allocate(n);
	memcpy(sim->losses, values, (Size) n * sizeof(double));
	PG_RETURN_POINTER(sim);
}

/* loss_sim_out(loss_sim): '{l1,l2,...}' in year order, each loss shortest-exact. */
Datum
loss_sim_out(PG_FUNCTION_ARGS)
{
	LossSim    *sim = PG_GETARG_LOSS_SIM(0);
	StringInfoData buf;
	char		number[DOUBLE_SHORTEST_DECIMAL_LEN];
	int32		i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < sim->years; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		double_to_shortest_decimal_buf(sim->losses[i], number);
		appendStringInfoString(&buf, number);
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

/* Raises the binary input error with the given message. */
static void
pg_attribute_noreturn()
invalid_binary(const char *message)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary loss_sim: %s", message)));
}

/*
 * loss_sim_recv(internal): int8 version (1), int32 years N, then N float8
 * losses (finite, >= 0), nothing after.  The count is checked against the
 * bytes left before anything is allocated.
 */
Datum
loss_sim_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	int32		years;
	int			left;
	LossSim    *sim;
	int32		i;

	if (buf->len - buf->cursor < 5)
		invalid_binary("the value is shorter than its 1-byte version and 4-byte year count");
	version = pq_getmsgbyte(buf);
	if (version != LOSS_SIM_VERSION)
		invalid_binary(psprintf("version must be %d, got %d", LOSS_SIM_VERSION, version));
	years = (int32) pq_getmsgint(buf, sizeof(int32));
	if (years < 1 || years > LOSS_SIM_MAX_YEARS)
		invalid_binary(psprintf("years must be between 1 and %d, got %d", LOSS_SIM_MAX_YEARS, years));
	left = buf->len - buf->cursor;
	if (left != years * (int) sizeof(double))
		invalid_binary(psprintf("%d years need %d bytes of losses, got %d",
								years, years * (int) sizeof(double), left));
	sim = loss_sim_allocate(years);
	for (i = 0; i < years; i++)
	{
		double		value = pq_getmsgfloat8(buf);

		if (isnan(value) || isinf(value) || value < 0.0)
			invalid_binary(psprintf("the loss of year %d must be a finite number >= 0, got %g",
									i + 1, value));
		sim->losses[i] = value;
	}
	PG_RETURN_POINTER(sim);
}

/* loss_sim_send(loss_sim): int8 version, int32 years, the losses as float8 in year order. */
Datum
loss_sim_send(PG_FUNCTION_ARGS)
{
	LossSim    *sim = PG_GETARG_LOSS_SIM(0);
	StringInfoData buf;
	int32		i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, LOSS_SIM_VERSION);
	pq_sendint32(&buf, sim->years);
	for (i = 0; i < sim->years; i++)
		pq_sendfloat8(&buf, sim->losses[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* loss_years(sim): the number of simulated years. */
Datum
loss_years(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_LOSS_SIM(0)->years);
}

/* loss_mean(sim): the mean annual loss (compensated sum / N). */
Datum
loss_mean(PG_FUNCTION_ARGS)
{
	LossSim    *sim = PG_GETARG_LOSS_SIM(0);

	PG_RETURN_FLOAT8(checked_mean(sim->losses, sim->years, "mean loss"));
}

/* loss_quantile(sim, q): the q-quantile of the annual losses (value at risk at q). */
Datum
loss_quantile(PG_FUNCTION_ARGS)
{
	LossSim    *sim = PG_GETARG_LOSS_SIM(0);
	double		q = ismseval_check_range(PG_GETARG_FLOAT8(1), "q", 0.0, 1.0);

	PG_RETURN_FLOAT8(ismseval_quantile_sorted(loss_sim_sorted(sim), sim->years, q));
}

/* loss_expected_shortfall(sim, q): the mean of the max(1, N - floor(q N)) largest losses. */
Datum
loss_expected_shortfall(PG_FUNCTION_ARGS)
{
	LossSim    *sim = PG_GETARG_LOSS_SIM(0);
	double		q = ismseval_check_range(PG_GETARG_FLOAT8(1), "q", 0.0, 1.0);
	int32		n = sim->years;
	int32		tail = n - (int32) floor(q * n);
	double	   *sorted = loss_sim_sorted(sim);

	tail = Max(tail, 1);
	PG_RETURN_FLOAT8(checked_mean(sorted + (n - tail), tail, "expected shortfall"));
}

/* loss_exceedance(sim, amount): the fraction of the years whose loss is >= amount. */
Datum
loss_exceedance(PG_FUNCTION_ARGS)
{
	LossSim    *sim = PG_GETARG_LOSS_SIM(0);
	double		amount = ismseval_check_finite(PG_GETARG_FLOAT8(1), "amount");

	PG_RETURN_FLOAT8(loss_sim_exceedance_sorted(loss_sim_sorted(sim), sim->years, amount));
}

/*
 * loss_exceedance_curve(sim, points): rows (loss, probability) at the
 * amounts max x i / (points - 1), i = 0 .. points - 1, probability the
 * fraction of the years whose loss is >= that amount.
 */
Datum
loss_exceedance_curve(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LossSim    *sim = PG_GETARG_LOSS_SIM(0);
	int32		points = PG_GETARG_INT32(1);
	double	   *sorted;
	double		max;
	int32		i;

	if (points < 2 || points > LOSS_CURVE_MAX_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("points must be between 2 and %d, got %d", LOSS_CURVE_MAX_POINTS, points)));
	InitMaterializedSRF(fcinfo, 0);
	sorted = loss_sim_sorted(sim);
	max = sorted[sim->years - 1];
	for (i = 0; i < points; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		double		amount = max * ((double) i / (points - 1));

		values[0] = Float8GetDatum(amount);
		values[1] = Float8GetDatum(loss_sim_exceedance_sorted(sorted, sim->years, amount));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
