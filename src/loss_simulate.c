/*
 * loss_simulate.c: simulate_loss and simulate_loss_pert, N years of annual
 * losses of one risk.  Each year draws a number of events (Poisson with the
 * frequency as mean, a yes/no event with the frequency as probability, or
 * Poisson with a BetaPERT-drawn mean), then each event's loss
 * exp(mu + sigma z) for a standard normal z, mu and sigma from the loss
 * interval (lognormal_from_ci at 90 %); the year's loss is their sum, added
 * in draw order.  All draws come, in year order, from one xoshiro256**
 * stream seeded by splitmix64 from the seed, so the same arguments give the
 * same losses on every platform and in every plan.  Risks are independent
 * when their seeds differ (pass the risk's key, e.g. its id, as the seed);
 * the same seed for a risk's inherent and residual figures gives them common
 * random numbers, which compares them with less noise.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "ismseval.h"
#include "loss_sim.h"
#include "quant_math.h"
#include "quant_random.h"
#include "quant_risk.h"

PG_FUNCTION_INFO_V1(simulate_loss);
PG_FUNCTION_INFO_V1(simulate_loss_pert);

/* How the number of events of a year is drawn. */
typedef enum FrequencyModel
{
	FREQUENCY_POISSON,			/* Poisson(frequency) */
	FREQUENCY_BERNOULLI,		/* 1 with probability frequency, else 0 */
	FREQUENCY_PERT				/* Poisson(lambda), lambda ~ BetaPERT(low, mode, high; 4) */
} FrequencyModel;

/* A risk's frequency model and its parameters. */
typedef struct FrequencySpec
{
	FrequencyModel model;
	double		frequency;		/* Poisson mean or Bernoulli probability */
	QuantPoisson poisson;		/* Poisson(frequency), prepared */
	double		pert_low;
	double		pert_mode;
	double		pert_high;
} FrequencySpec;

/* pyfair's default BetaPERT shape. */
#define PERT_GAMMA 4.0

/* The number of events of one year. */
static double
draw_events(QuantRandom *rng, const FrequencySpec *spec)
{
	switch (spec->model)
	{
		case FREQUENCY_POISSON:
			return quant_random_poisson(rng, &spec->poisson);
		case FREQUENCY_BERNOULLI:
			return quant_random_uniform(rng) < spec->frequency ? 1.0 : 0.0;
		case FREQUENCY_PERT:
			{
				QuantPoisson poisson;

				quant_poisson_prepare(&poisson, quant_random_pert(rng, spec->pert_low, spec->pert_mode,
																  spec->pert_high, PERT_GAMMA));
				return quant_random_poisson(rng, &poisson);
			}
	}
	return 0.0;					/* not reached */
}

/* Simulates the given number of years; the error names the year whose loss overflows. */
static LossSim *
simulate(const FrequencySpec *spec, LognormalParams magnitude, int32 years, int64 seed)
{
	LossSim    *sim = loss_sim_allocate(years);
	QuantRandom rng;
	int32		year;

	quant_random_seed(&rng, (uint64) seed);
	for (year = 0; year < years; year++)
	{
		double		events = draw_events(&rng, spec);
		double		loss = 0.0;
		double		i;

		for (i = 0; i < events; i += 1.0)
			loss += quant_exp(magnitude.mu + magnitude.sigma * quant_random_normal(&rng));
		if (isinf(loss))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the simulated loss of year %d is out of range for type double precision",
							year + 1),
					 errhint("Lower the loss interval.")));
		sim->losses[year] = loss;
		if ((year & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return sim;
}

/* Reads the model argument: 'poisson' or 'bernoulli'. */
static FrequencyModel
frequency_model(text *name)
{
	char	   *model = text_to_cstring(name);

	if (strcmp(model, "poisson") == 0)
		return FREQUENCY_POISSON;
	if (strcmp(model, "bernoulli") == 0)
		return FREQUENCY_BERNOULLI;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("model must be 'poisson' or 'bernoulli', got '%s'", model)));
	return FREQUENCY_POISSON;	/* not reached */
}

/*
 * simulate_loss(frequency, low, high, years, seed, model): 'poisson' draws
 * Poisson(frequency) events a year (frequency in [0, 10000]); 'bernoulli'
 * one event with probability frequency (in [0, 1]).
 */
Datum
simulate_loss(PG_FUNCTION_ARGS)
{
	FrequencySpec spec = {0};
	LognormalParams magnitude;
	int32		years;

	spec.model = frequency_model(PG_GETARG_TEXT_PP(5));
	if (spec.model == FREQUENCY_BERNOULLI)
		spec.frequency = ismseval_check_range(PG_GETARG_FLOAT8(0), "frequency", 0.0, 1.0);
	else
	{
		spec.frequency = quant_check_frequency(PG_GETARG_FLOAT8(0), "frequency");
		quant_poisson_prepare(&spec.poisson, spec.frequency);
	}
	magnitude = quant_lognormal_from_ci(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), 0.9);
	years = loss_sim_check_years(PG_GETARG_INT32(3), "years");
	PG_RETURN_POINTER(simulate(&spec, magnitude, years, PG_GETARG_INT64(4)));
}

/*
 * simulate_loss_pert(frequency_low, frequency_mode, frequency_high, low,
 * high, years, seed): each year's mean number of events drawn from BetaPERT
 * (gamma 4) on [frequency_low, frequency_high], then a Poisson count.
 */
Datum
simulate_loss_pert(PG_FUNCTION_ARGS)
{
	FrequencySpec spec = {0};
	LognormalParams magnitude;
	int32		years;

	spec.model = FREQUENCY_PERT;
	spec.pert_low = quant_check_frequency(PG_GETARG_FLOAT8(0), "frequency_low");
	spec.pert_mode = quant_check_frequency(PG_GETARG_FLOAT8(1), "frequency_mode");
	spec.pert_high = quant_check_frequency(PG_GETARG_FLOAT8(2), "frequency_high");
	if (!(spec.pert_low <= spec.pert_mode && spec.pert_mode <= spec.pert_high))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("frequency_mode must lie between frequency_low and frequency_high, got %g, %g, %g",
						spec.pert_low, spec.pert_mode, spec.pert_high)));
	magnitude = quant_lognormal_from_ci(PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4), 0.9);
	years = loss_sim_check_years(PG_GETARG_INT32(5), "years");
	PG_RETURN_POINTER(simulate(&spec, magnitude, years, PG_GETARG_INT64(6)));
}
