/*
 * quant_random.h: the seeded random number generator of the loss simulation
 * (quant_random.c): xoshiro256** seeded by splitmix64, and the uniform,
 * normal, Poisson, gamma and BetaPERT draws built on it.  Every draw uses
 * only the portable functions of quant_math.h, so a seed gives the same
 * sequence on every platform.
 */
#ifndef QUANT_RANDOM_H
#define QUANT_RANDOM_H

#include "postgres.h"

/* The 256-bit state of xoshiro256**. */
typedef struct QuantRandom
{
	uint64		s[4];
} QuantRandom;

/* Sets the state to four successive outputs of splitmix64 started at seed. */
extern void quant_random_seed(QuantRandom *rng, uint64 seed);

/* The next 64 bits of xoshiro256**. */
extern uint64 quant_random_next(QuantRandom *rng);

/* A uniform draw in [0, 1): the top 53 bits times 2^-53. */
extern double quant_random_uniform(QuantRandom *rng);

/* A uniform draw in (0, 1): (top 53 bits + 1/2) times 2^-53. */
extern double quant_random_open(QuantRandom *rng);

/* A standard normal draw: the normal quantile of an open uniform draw (inversion). */
extern double quant_random_normal(QuantRandom *rng);

/* Entries of the cumulative table of a Poisson distribution with a small mean. */
#define QUANT_POISSON_TABLE 48

/* A Poisson distribution with the constants of its sampler, computed once. */
typedef struct QuantPoisson
{
	double		lambda;			/* the mean */
	int			table_size;		/* inversion: entries of cdf in use */
	double		cdf[QUANT_POISSON_TABLE];	/* inversion: P(N <= k) */
	double		loglam;			/* PTRS: ln lambda and the constants of Hormann (1993) */
	double		a;
	double		b;
	double		log_invalpha;
	double		vr;
} QuantPoisson;

/* Prepares a Poisson distribution with mean lambda >= 0. */
extern void quant_poisson_prepare(QuantPoisson *poisson, double lambda);

/* A Poisson draw: 0 for mean 0, inversion by a cumulative table below 10, Hormann's PTRS from 10. */
extern double quant_random_poisson(QuantRandom *rng, const QuantPoisson *poisson);

/* A gamma draw with the given shape >= 1 and scale 1 (Marsaglia and Tsang, 2000). */
extern double quant_random_gamma(QuantRandom *rng, double shape);

/* A BetaPERT draw on [low, high] with the given mode and shape gamma (pyfair: 4). */
extern double quant_random_pert(QuantRandom *rng, double low, double mode, double high,
								double gamma);

#endif							/* QUANT_RANDOM_H */
