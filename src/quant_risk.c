/*
 * quant_risk.c: the closed forms of quantitative risk: the lognormal loss
 * magnitude from a confidence interval (riskquant's model), the expected
 * annual loss, the return on security investment, the BetaPERT mean and the
 * standard normal quantile.  Logarithms and exponentials are the portable
 * ones of quant_math.c, so these give the same bits as the simulation uses.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"

#include "ismseval.h"
#include "quant_math.h"
#include "quant_risk.h"

PG_FUNCTION_INFO_V1(normal_quantile);
PG_FUNCTION_INFO_V1(lognormal_from_ci);
PG_FUNCTION_INFO_V1(expected_annual_loss);
PG_FUNCTION_INFO_V1(rosi);
PG_FUNCTION_INFO_V1(pert_mean);

/* Raises 22003 with a message for a finite value outside an open or half-open range. */
static void
pg_attribute_noreturn()
out_of_range(const char *message)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s", message)));
}

/* Checks a probability strictly between 0 and 1; returns it. */
static double
check_open_probability(double p, const char *argname)
{
	ismseval_check_finite(p, argname);
	if (!(p > 0.0 && p < 1.0))
		out_of_range(psprintf("%s must be greater than 0 and less than 1, got %g", argname, p));
	return p;
}

/* Checks 0 < low < high, both finite. */
static void
check_interval(double low, double high)
{
	ismseval_check_finite(low, "low");
	ismseval_check_finite(high, "high");
	if (!(low > 0.0))
		out_of_range(psprintf("low must be greater than 0, got %g", low));
	if (!(high > low))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("high must be greater than low, got low %g and high %g", low, high),
				 errhint("low and high are the bounds of the loss interval, low first.")));
}

/* mu and sigma of the lognormal whose central confidence interval is (low, high). */
LognormalParams
quant_lognormal_from_ci(double low, double high, double confidence)
{
	LognormalParams params;
	double		ln_low;
	double		ln_high;
	double		z;

	check_interval(low, high);
	check_open_probability(confidence, "confidence");
	ln_low = quant_log(low);
	ln_high = quant_log(high);
	z = quant_normal_quantile((1.0 + confidence) / 2.0);
	params.mu = (ln_low + ln_high) / 2.0;
	params.sigma = (ln_high - ln_low) / (2.0 * z);
	if (!(params.sigma > 0.0) || isinf(params.sigma))	/* low and high one ulp apart, or confidence ~ 0 */
		out_of_range(psprintf("the loss interval (%g, %g) at confidence %g gives no usable spread",
							  low, high, confidence));
	return params;
}

/* Checks an annual event frequency: finite and in [0, QUANT_MAX_FREQUENCY]. */
double
quant_check_frequency(double frequency, const char *argname)
{
	return ismseval_check_range(frequency, argname, 0.0, QUANT_MAX_FREQUENCY);
}

/* The mean of the lognormal, exp(mu + sigma^2 / 2); an error if it overflows. */
static double
lognormal_mean(LognormalParams params)
{
	double		mean = quant_exp(params.mu + params.sigma * params.sigma / 2.0);

	if (isinf(mean))
		out_of_range("the mean loss of the interval is out of range for type double precision");
	return mean;
}

/* normal_quantile(p): the standard normal quantile of p in (0, 1) (AS241). */
Datum
normal_quantile(PG_FUNCTION_ARGS)
{
	double		p = check_open_probability(PG_GETARG_FLOAT8(0), "p");

	PG_RETURN_FLOAT8(quant_normal_quantile(p));
}

/* lognormal_from_ci(low, high, confidence) -> (mu, sigma). */
Datum
lognormal_from_ci(PG_FUNCTION_ARGS)
{
	LognormalParams params = quant_lognormal_from_ci(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1),
													 PG_GETARG_FLOAT8(2));
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "lognormal_from_ci must return a composite");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(params.mu);
	values[1] = Float8GetDatum(params.sigma);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* expected_annual_loss(frequency, low, high, confidence) = frequency x exp(mu + sigma^2 / 2). */
Datum
expected_annual_loss(PG_FUNCTION_ARGS)
{
	double		frequency = quant_check_frequency(PG_GETARG_FLOAT8(0), "frequency");
	LognormalParams params = quant_lognormal_from_ci(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2),
													 PG_GETARG_FLOAT8(3));
	double		ale = frequency * lognormal_mean(params);

	if (isinf(ale))
		out_of_range("expected annual loss is out of range for type double precision");
	PG_RETURN_FLOAT8(ale);
}

/* rosi(ale_before, ale_after, cost) = (ale_before - ale_after - cost) / cost, cost > 0. */
Datum
rosi(PG_FUNCTION_ARGS)
{
	double		before = ismseval_check_nonnegative(PG_GETARG_FLOAT8(0), "ale_before");
	double		after = ismseval_check_nonnegative(PG_GETARG_FLOAT8(1), "ale_after");
	double		cost = ismseval_check_finite(PG_GETARG_FLOAT8(2), "cost");
	double		result;

	if (!(cost > 0.0))
		out_of_range(psprintf("cost must be greater than 0, got %g", cost));
	result = (before - after - cost) / cost;
	if (isinf(result))
		out_of_range("rosi is out of range for type double precision");
	PG_RETURN_FLOAT8(result);
}

/* pert_mean(low, mode, high, gamma) = (low + gamma mode + high) / (gamma + 2). */
Datum
pert_mean(PG_FUNCTION_ARGS)
{
	double		low = ismseval_check_finite(PG_GETARG_FLOAT8(0), "low");
	double		mode = ismseval_check_finite(PG_GETARG_FLOAT8(1), "mode");
	double		high = ismseval_check_finite(PG_GETARG_FLOAT8(2), "high");
	double		gamma = ismseval_check_nonnegative(PG_GETARG_FLOAT8(3), "gamma");
	double		result;

	if (!(low <= mode && mode <= high))
		out_of_range(psprintf("mode must lie between low and high, got low %g, mode %g, high %g",
							  low, mode, high));
	result = (low + gamma * mode + high) / (gamma + 2.0);
	if (isinf(result))
		out_of_range("pert_mean is out of range for type double precision");
	PG_RETURN_FLOAT8(result);
}
