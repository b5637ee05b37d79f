/*
 * quant_math.h: portable elementary functions for quantitative risk
 * (quant_math.c).  They use only IEEE-754 binary64 +, -, *, / and sqrt
 * (correctly rounded everywhere) and exact scaling by powers of two, so a
 * result is the same bits on every platform that evaluates double
 * expressions in double (SSE2 on x86-64, AArch64, POWER; not the x87 FPU)
 * and does not fuse multiply-adds (the Makefile builds with
 * -ffp-contract=off).  libm's exp and log are not required to round the same
 * way on every platform, which would make simulations differ.
 */
#ifndef QUANT_MATH_H
#define QUANT_MATH_H

/* Natural logarithm of x > 0 (finite); within 2 ulp of the exact value. */
extern double quant_log(double x);

/* e^x; within 2 ulp; +inf above 709.78, 0 below -745.13. */
extern double quant_exp(double x);

/* The standard normal quantile of p in (0, 1) (Wichura's AS241, a few 1e-16 relative). */
extern double quant_normal_quantile(double p);

/* ln(k!) for k >= 0: exact products below 10, Stirling's series above (1e-15 relative). */
extern double quant_log_factorial(double k);

#endif							/* QUANT_MATH_H */
