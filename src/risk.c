/*
 * risk.c: risk scores (likelihood x impact; asset value x threat x
 * vulnerability) and residual risk after controls.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "common/int.h"
#include "fmgr.h"

#include "ismseval.h"

PG_FUNCTION_INFO_V1(risk_score2_int);
PG_FUNCTION_INFO_V1(risk_score2_float8);
PG_FUNCTION_INFO_V1(risk_score3_int);
PG_FUNCTION_INFO_V1(risk_score3_float8);
PG_FUNCTION_INFO_V1(residual_risk);

/* Raises an error unless an integer factor is >= 0; returns it. */
static int32
check_int_factor(int32 value, const char *argname)
{
	if (value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be >= 0, got %d", argname, value)));
	return value;
}

/* Multiplies two non-negative integer factors, raising an error on overflow. */
static int32
multiply_int_factors(int32 a, int32 b)
{
	int32		product;

	if (pg_mul_s32_overflow(a, b, &product))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("risk score is out of range for type integer")));
	return product;
}

/* Raises an error unless a floating-point product stayed finite; returns it, zero as +0. */
static double
check_float_product(double product)
{
	if (isinf(product))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("risk score is out of range for type double precision")));
	/* a factor of -0 (accepted as >= 0) would otherwise give a score of -0 */
	if (product == 0)
		product = 0.0;
	return product;
}

/* risk_score(likelihood integer, impact integer) = likelihood x impact. */
Datum
risk_score2_int(PG_FUNCTION_ARGS)
{
	int32		likelihood = check_int_factor(PG_GETARG_INT32(0), "likelihood");
	int32		impact = check_int_factor(PG_GETARG_INT32(1), "impact");

	PG_RETURN_INT32(multiply_int_factors(likelihood, impact));
}

/* risk_score(likelihood float8, impact float8) = likelihood x impact. */
Datum
risk_score2_float8(PG_FUNCTION_ARGS)
{
	double		likelihood = ismseval_check_nonnegative(PG_GETARG_FLOAT8(0), "likelihood");
	double		impact = ismseval_check_nonnegative(PG_GETARG_FLOAT8(1), "impact");

	PG_RETURN_FLOAT8(check_float_product(likelihood * impact));
}

/*
 * risk_score(asset_value, threat, vulnerability integer) = their product,
 * raising an error only if the product itself is out of range.
 */
Datum
risk_score3_int(PG_FUNCTION_ARGS)
{
	int32		asset_value = check_int_factor(PG_GETARG_INT32(0), "asset_value");
	int32		threat = check_int_factor(PG_GETARG_INT32(1), "threat");
	int32		vulnerability = check_int_factor(PG_GETARG_INT32(2), "vulnerability");

	/* a zero factor gives 0 even when the other two overflow (65536 x 65536 x 0) */
	if (asset_value == 0 || threat == 0 || vulnerability == 0)
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(multiply_int_factors(multiply_int_factors(asset_value, threat),
										 vulnerability));
}

/*
 * The product of three finite non-negative factors, raising an error only if
 * the product itself is out of range.  A zero factor gives 0 (never inf x 0 =
 * NaN), and an intermediate product out of range does not matter: the
 * mantissas (each in [0.5, 1)) are multiplied apart from the exponents, which
 * rounds exactly as a x b x c does whenever that does not overflow.
 */
static double
multiply_float_factors3(double a, double b, double c)
{
	int			ea;
	int			eb;
	int			ec;
	double		mantissa;

	if (a == 0 || b == 0 || c == 0)
		return 0.0;
	mantissa = frexp(a, &ea) * frexp(b, &eb) * frexp(c, &ec);
	return check_float_product(ldexp(mantissa, ea + eb + ec));
}

/* risk_score(asset_value, threat, vulnerability float8) = their product. */
Datum
risk_score3_float8(PG_FUNCTION_ARGS)
{
	double		asset_value = ismseval_check_nonnegative(PG_GETARG_FLOAT8(0), "asset_value");
	double		threat = ismseval_check_nonnegative(PG_GETARG_FLOAT8(1), "threat");
	double		vulnerability = ismseval_check_nonnegative(PG_GETARG_FLOAT8(2), "vulnerability");

	PG_RETURN_FLOAT8(multiply_float_factors3(asset_value, threat, vulnerability));
}

/*
 * residual_risk(inherent, effectiveness) = inherent x (1 - effectiveness).
 * Arguments in range take the inline test (NaN fails every comparison); any
 * other goes through the shared checks, which raise the errors.
 */
Datum
residual_risk(PG_FUNCTION_ARGS)
{
	double		inherent = PG_GETARG_FLOAT8(0);
	double		effectiveness = PG_GETARG_FLOAT8(1);
	double		residual;

	if (unlikely(!(inherent >= 0 && inherent <= DBL_MAX &&
				   effectiveness >= 0 && effectiveness <= 1)))
	{
		ismseval_check_nonnegative(inherent, "inherent");
		ismseval_check_range(effectiveness, "effectiveness", 0, 1);
	}
	residual = inherent * (1.0 - effectiveness);

	/* an inherent risk of -0 (accepted as >= 0) would otherwise give -0 */
	if (residual == 0)
		residual = 0.0;
	PG_RETURN_FLOAT8(residual);
}
