/*
 * quant_math.c: the elementary functions of quantitative risk, computed the
 * same way on every platform (see quant_math.h): natural logarithm and
 * exponential by argument reduction and a fixed polynomial, the standard
 * normal quantile by Wichura's algorithm AS241 (Applied Statistics 37, 1988,
 * 477-484), and ln(k!) for the Poisson sampler.
 */
#include "postgres.h"

#include <math.h>

#include "quant_math.h"

/* The bits of a double (memcpy: no aliasing questions). */
static inline uint64
double_bits(double d)
{
	uint64		b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

/* The double with the given bits. */
static inline double
bits_double(uint64 b)
{
	double		d;

	memcpy(&d, &b, sizeof(d));
	return d;
}

/* ln 2 split so that k x LN2_HI is exact for |k| < 2^11 (the high part has 21 trailing zero bits). */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define INV_LN2 1.44269504088896338700e+00
#define HALF_LN_2PI 0.91893853320467274178

/* Above this e^x overflows; below EXP_UNDERFLOW it is 0. */
#define EXP_OVERFLOW 709.782712893383973096
#define EXP_UNDERFLOW -745.133219101941108420

/*
 * Natural logarithm.  x = 2^k m with m in [sqrt(1/2), sqrt(2)), f = m - 1,
 * s = f / (2 + f); then ln m = 2 atanh s = f - s (f - 2 s^2 P(s^2)) with
 * P(z) = 1/3 + z/5 + ... + z^10/23 (|s| <= 0.1716, so the first omitted term
 * is below 1e-17 of the result), and ln x = k ln 2 + ln m.  k and m are read
 * from the bits of x (frexp for subnormal x); P is evaluated by Estrin's
 * scheme, a fixed order of operations with a short dependency chain.
 */
double
quant_log(double x)
{
	uint64		bits;
	int			k;
	double		m;
	double		f;
	double		s;
	double		z;
	double		z2;
	double		z4;
	double		p;

	if (isnan(x) || x < 0.0)
		return NAN;
	if (x == 0.0)
		return -HUGE_VAL;
	if (isinf(x))
		return x;
	bits = double_bits(x);
	if ((bits >> 52) == 0)
		m = frexp(x, &k);		/* subnormal: exact, m in [0.5, 1) */
	else
	{
		k = (int) (bits >> 52) - 1022;
		m = bits_double((bits & UINT64CONST(0x000fffffffffffff)) | UINT64CONST(0x3fe0000000000000));
	}
	if (m < M_SQRT1_2)
	{
		m *= 2.0;
		k--;
	}
	f = m - 1.0;				/* exact (Sterbenz) */
	s = f / (2.0 + f);
	z = s * s;
	z2 = z * z;
	z4 = z2 * z2;
	p = ((1.0 / 3 + z * (1.0 / 5)) + z2 * (1.0 / 7 + z * (1.0 / 9)))
		+ z4 * (((1.0 / 11 + z * (1.0 / 13)) + z2 * (1.0 / 15 + z * (1.0 / 17)))
				+ z4 * ((1.0 / 19 + z * (1.0 / 21)) + z2 * (1.0 / 23)));
	return k * LN2_HI + ((f - s * (f - 2.0 * z * p)) + k * LN2_LO);
}

/*
 * Exponential.  x = k ln 2 + r with k the integer nearest x / ln 2 (halves
 * away from zero), |r| <= 0.347; e^r - 1 = r (1 + r/2 + ... + r^12/13!) by
 * its Taylor series (the first omitted term is below 5e-18), evaluated by
 * Estrin's scheme; then e^x = 2^k (1 + (e^r - 1)), the scaling by 2^k exact
 * (a multiplication by a power of two made from its bits; ldexp at the ends
 * of the range).
 */
double
quant_exp(double x)
{
	double		t;
	int			k;
	double		r;
	double		r2;
	double		r4;
	double		r8;
	double		p;
	double		y;

	if (isnan(x))
		return x;
	if (x > EXP_OVERFLOW)
		return HUGE_VAL;
	if (x < EXP_UNDERFLOW)
		return 0.0;
	t = x * INV_LN2;
	k = (int) (t >= 0.0 ? t + 0.5 : t - 0.5);	/* conversion truncates */
	r = (x - k * LN2_HI) - k * LN2_LO;
	r2 = r * r;
	r4 = r2 * r2;
	r8 = r4 * r4;
	p = (((1.0 + r * 0.5) + r2 * (1.0 / 6 + r * (1.0 / 24)))
		 + r4 * ((1.0 / 120 + r * (1.0 / 720)) + r2 * (1.0 / 5040 + r * (1.0 / 40320))))
		+ r8 * (((1.0 / 362880 + r * (1.0 / 3628800)) + r2 * (1.0 / 39916800 + r * (1.0 / 479001600)))
				+ r4 * (1.0 / 6227020800.0));
	y = 1.0 + p * r;
	if (k < -1022 || k > 1023)
		return ldexp(y, k);
	return y * bits_double((uint64) (k + 1023) << 52);
}

/* Evaluates c[0] + c[1] x + ... + c[7] x^7 by Horner's rule. */
static double
horner8(const double *c, double x)
{
	double		v = c[7];
	int			i;

	for (i = 6; i >= 0; i--)
		v = v * x + c[i];
	return v;
}

/* Evaluates c[0] + c[1] x + ... + c[7] x^7 by Estrin's scheme (a shorter dependency chain). */
static inline double
estrin8(const double *c, double x)
{
	double		x2 = x * x;
	double		x4 = x2 * x2;

	return ((c[0] + c[1] * x) + x2 * (c[2] + c[3] * x))
		+ x4 * ((c[4] + c[5] * x) + x2 * (c[6] + c[7] * x));
}

/* AS241 (PPND16): central region |p - 1/2| <= 0.425, numerator and denominator in r = 0.180625 - q^2. */
static const double as241_a[8] = {
	3.3871328727963666080e0, 1.3314166789178437745e+2, 1.9715909503065514427e+3,
	1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
	3.3430575583588128105e+4, 2.5090809287301226727e+3
};
static const double as241_b[8] = {
	1.0, 4.2313330701600911252e+1, 6.8718700749205790830e+2, 5.3941960214247511077e+3,
	2.1213794301586595867e+4, 3.9307895800092710610e+4, 2.8729085735721942674e+4,
	5.2264952788528545610e+3
};

/* AS241: tail region with r = sqrt(-ln min(p, 1 - p)) <= 5, in r - 1.6. */
static const double as241_c[8] = {
	1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
	3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
	2.27238449892691845833e-2, 7.74545014278341407640e-4
};
static const double as241_d[8] = {
	1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
	1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
	1.05075007164441684324e-9
};

/* AS241: far tail r > 5, in r - 5. */
static const double as241_e[8] = {
	6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
	2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
	2.71155556874348757815e-5, 2.01033439929228813265e-7
};
static const double as241_f[8] = {
	1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
	7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
	2.04426310338993978564e-15
};

/*
 * The standard normal quantile (AS241, PPND16): a rational function of
 * degree 7/7 in three regions, relative error about 1e-16; the central
 * region (85 % of the draws of the simulation) by Estrin's scheme.  p must be in
 * (0, 1); 0 and 1 give -inf and +inf.
 */
double
quant_normal_quantile(double p)
{
	double		q = p - 0.5;
	double		r;
	double		value;

	if (fabs(q) <= 0.425)
	{
		r = 0.180625 - q * q;
		return q * estrin8(as241_a, r) / estrin8(as241_b, r);
	}
	r = q < 0.0 ? p : 1.0 - p;
	if (r <= 0.0)
		return q < 0.0 ? -HUGE_VAL : HUGE_VAL;
	r = sqrt(-quant_log(r));
	if (r <= 5.0)
	{
		r -= 1.6;
		value = horner8(as241_c, r) / horner8(as241_d, r);
	}
	else
	{
		r -= 5.0;
		value = horner8(as241_e, r) / horner8(as241_f, r);
	}
	return q < 0.0 ? -value : value;
}

/*
 * ln(k!) for a whole number k >= 0.  Below 10, the logarithm of the exact
 * product; from 10 on, Stirling's series for ln Gamma(x), x = k + 1 >= 11:
 * (x - 1/2) ln x - x + ln(2 pi)/2 + 1/(12x) - 1/(360x^3) + 1/(1260x^5)
 * - 1/(1680x^7) + 1/(1188x^9), whose first omitted term is below 1e-15 of it.
 */
double
quant_log_factorial(double k)
{
	double		x;
	double		x2;
	double		series;

	if (k < 10.0)
	{
		double		product = 1.0;

		for (x = 2.0; x <= k; x += 1.0)
			product *= x;
		return quant_log(product);
	}
	x = k + 1.0;
	x2 = x * x;
	series = (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * x2)) / x2) / x2) / x2) / x;
	return (x - 0.5) * quant_log(x) - x + HALF_LN_2PI + series;
}
