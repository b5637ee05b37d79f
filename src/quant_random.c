/*
 * quant_random.c: the generator of the loss simulation.  xoshiro256**
 * (Blackman and Vigna, 2018) with its state filled by splitmix64 from a
 * 64-bit seed, as its authors recommend; 64-bit integer arithmetic only, so
 * every platform gives the same bits.  The continuous draws use the portable
 * functions of quant_math.c.
 */
#include "postgres.h"

#include <math.h>

#include "quant_math.h"
#include "quant_random.h"

/* Rotates x left by k bits (0 < k < 64). */
static inline uint64
rotl64(uint64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* One step of splitmix64 (Steele, Lea and Flood, 2014): advances *x and returns its output. */
static uint64
splitmix64_next(uint64 *x)
{
	uint64		z = (*x += UINT64CONST(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Sets the state to four successive outputs of splitmix64 started at seed (never all zero). */
void
quant_random_seed(QuantRandom *rng, uint64 seed)
{
	uint64		x = seed;
	int			i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64_next(&x);
}

/* The next 64 bits of xoshiro256**. */
uint64
quant_random_next(QuantRandom *rng)
{
	uint64	   *s = rng->s;
	uint64		result = rotl64(s[1] * 5, 7) * 9;
	uint64		t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* A uniform draw in [0, 1): the top 53 bits times 2^-53. */
double
quant_random_uniform(QuantRandom *rng)
{
	return (double) (int64) (quant_random_next(rng) >> 11) * 0x1.0p-53;
}

/* A uniform draw in (0, 1): (top 53 bits + 1/2) times 2^-53, symmetric about 1/2. */
double
quant_random_open(QuantRandom *rng)
{
	return ((double) (int64) (quant_random_next(rng) >> 11) + 0.5) * 0x1.0p-53;
}

/* A standard normal draw by inversion: AS241 of an open uniform draw (|z| < 8.3). */
double
quant_random_normal(QuantRandom *rng)
{
	return quant_normal_quantile(quant_random_open(rng));
}

/* Prepares a Poisson distribution with mean lambda >= 0: the constants of its sampler. */
void
quant_poisson_prepare(QuantPoisson *poisson, double lambda)
{
	memset(poisson, 0, sizeof(*poisson));
	poisson->lambda = lambda;
	if (lambda <= 0.0)
		return;
	if (lambda < 10.0)
	{
		double		term = quant_exp(-lambda);
		double		cdf = term;
		int			k = 0;

		/* P(N <= k) by p(k) = p(k - 1) lambda / k, until it rounds to 1 or the table is full */
		poisson->cdf[0] = cdf;
		while (cdf < 1.0 && k + 1 < QUANT_POISSON_TABLE)
		{
			k++;
			term = term * lambda / k;
			cdf += term;
			poisson->cdf[k] = cdf;
		}
		poisson->table_size = k + 1;
		return;
	}
	poisson->loglam = quant_log(lambda);
	poisson->b = 0.931 + 2.53 * sqrt(lambda);
	poisson->a = -0.059 + 0.02483 * poisson->b;
	poisson->log_invalpha = quant_log(1.1239 + 1.1328 / (poisson->b - 3.4));
	poisson->vr = 0.9277 - 3.6224 / (poisson->b - 2.0);
}

/*
 * Inversion for a small mean: the smallest k with u <= P(N <= k), u an open
 * uniform draw, by a sequential search of the cumulative table.  Below mean
 * 10 the table of 48 entries holds P(N <= 47) > 1 - 1e-16; a draw above its
 * last entry (a probability below 1e-16) gives its last k.
 */
static double
poisson_inversion(QuantRandom *rng, const QuantPoisson *poisson)
{
	double		u = quant_random_open(rng);
	int			last = poisson->table_size - 1;
	int			k = 0;

	while (k < last && u > poisson->cdf[k])
		k++;
	return (double) k;
}

/*
 * Hormann's transformed rejection with squeeze, PTRS (Insurance:
 * Mathematics and Economics 12, 1993, 39-45), exact for lambda >= 10.
 */
static double
poisson_ptrs(QuantRandom *rng, const QuantPoisson *poisson)
{
	double		lambda = poisson->lambda;
	double		a = poisson->a;
	double		b = poisson->b;

	for (;;)
	{
		double		u = quant_random_uniform(rng) - 0.5;
		double		v = quant_random_uniform(rng);
		double		us = 0.5 - fabs(u);
		double		k;

		if (us < 0.013 && v > us)
			continue;			/* also rejects us = 0 */
		k = floor((2.0 * a / us + b) * u + lambda + 0.43);
		if (us >= 0.07 && v <= poisson->vr)
			return k;
		if (k < 0.0)
			continue;
		if (quant_log(v) + poisson->log_invalpha - quant_log(a / (us * us) + b)
			<= -lambda + k * poisson->loglam - quant_log_factorial(k))
			return k;
	}
}

/* A Poisson draw: 0 for mean 0, table inversion below 10, PTRS from 10. */
double
quant_random_poisson(QuantRandom *rng, const QuantPoisson *poisson)
{
	if (poisson->lambda <= 0.0)
		return 0.0;
	if (poisson->lambda < 10.0)
		return poisson_inversion(rng, poisson);
	return poisson_ptrs(rng, poisson);
}

/*
 * A gamma draw, shape >= 1, scale 1 (Marsaglia and Tsang, ACM TOMS 26, 2000):
 * d = shape - 1/3, c = 1/sqrt(9d); v = (1 + c x)^3 for a normal x, accepted
 * by the squeeze u < 1 - 0.0331 x^4 or by ln u < x^2/2 + d (1 - v + ln v).
 */
double
quant_random_gamma(QuantRandom *rng, double shape)
{
	double		d = shape - 1.0 / 3.0;
	double		c = 1.0 / sqrt(9.0 * d);

	for (;;)
	{
		double		x;
		double		v;
		double		u;

		do
		{
			x = quant_random_normal(rng);
			v = 1.0 + c * x;
		} while (v <= 0.0);
		v = v * v * v;
		u = quant_random_open(rng);
		if (u < 1.0 - 0.0331 * (x * x) * (x * x))
			return d * v;
		if (quant_log(u) < 0.5 * x * x + d * (1.0 - v + quant_log(v)))
			return d * v;
	}
}

/*
 * A BetaPERT draw (pyfair's FairBetaPert): low + (high - low) B with
 * B ~ Beta(alpha, beta), alpha = 1 + gamma (mode - low) / (high - low),
 * beta = 1 + gamma (high - mode) / (high - low); B = X / (X + Y) for gamma
 * draws X, Y of shapes alpha and beta.  Mean (low + gamma mode + high) / (gamma + 2).
 */
double
quant_random_pert(QuantRandom *rng, double low, double mode, double high, double gamma)
{
	double		range = high - low;
	double		x;
	double		y;

	if (range <= 0.0)
		return low;
	x = quant_random_gamma(rng, 1.0 + gamma * (mode - low) / range);
	y = quant_random_gamma(rng, 1.0 + gamma * (high - mode) / range);
	return low + range * (x / (x + y));
}
