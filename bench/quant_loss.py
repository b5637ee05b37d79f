#!/usr/bin/python3
"""The NumPy side of bench/quant_loss.sh: the same portfolio as bench/quant_loss.sql.

Risk i (1..risks): frequency 0.1 + 0.2 (i mod 10) events a year (Poisson), loss per event
lognormal with 90 % interval low = 1000 (1 + i mod 7), high = low (10 + i mod 13).
Per risk, vectorized: Poisson counts for every year, lognormal magnitudes for every event,
summed into their years with bincount; the portfolio is the year-by-year sum; VaR 99 is
np.quantile(portfolio, 0.99) (linear, as loss_quantile).  Single thread (NumPy's generators
are; BLAS threads are pinned to 1 by the caller).  Prints seconds, VaR 99 and the bytes of the
portfolio array.
Usage: quant_loss.py RISKS YEARS
"""
import sys
import time

import numpy as np

Z90 = 1.6448536269514722


def main():
    risks, years = int(sys.argv[1]), int(sys.argv[2])
    start = time.perf_counter()
    rng = np.random.default_rng(2026)
    portfolio = np.zeros(years)
    for i in range(1, risks + 1):
        frequency = 0.1 + 0.2 * (i % 10)
        low = 1000.0 * (1 + i % 7)
        high = low * (10 + i % 13)
        mu = (np.log(low) + np.log(high)) / 2
        sigma = (np.log(high) - np.log(low)) / (2 * Z90)
        counts = rng.poisson(frequency, years)
        magnitudes = rng.lognormal(mu, sigma, counts.sum())
        portfolio += np.bincount(np.repeat(np.arange(years), counts), weights=magnitudes,
                                 minlength=years)
    var99 = np.quantile(portfolio, 0.99)
    seconds = time.perf_counter() - start
    print(f"numpy {seconds:.3f} {var99!r} {portfolio.nbytes}")


if __name__ == "__main__":
    main()
