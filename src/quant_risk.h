/*
 * quant_risk.h: the lognormal loss magnitude from a confidence interval
 * (quant_risk.c), shared with the loss simulation.
 */
#ifndef QUANT_RISK_H
#define QUANT_RISK_H

/* Parameters of ln X ~ Normal(mu, sigma^2). */
typedef struct LognormalParams
{
	double		mu;
	double		sigma;
} LognormalParams;

/*
 * Checks 0 < low < high (finite) and 0 < confidence < 1, then returns
 * mu = (ln low + ln high) / 2 and sigma = (ln high - ln low) / (2 z), z the
 * standard normal quantile of (1 + confidence) / 2.
 */
extern LognormalParams quant_lognormal_from_ci(double low, double high, double confidence);

/* Checks an annual event frequency: finite and in [0, 10000]. */
extern double quant_check_frequency(double frequency, const char *argname);

/* The largest mean number of events a year that the simulation accepts. */
#define QUANT_MAX_FREQUENCY 10000.0

#endif							/* QUANT_RISK_H */
