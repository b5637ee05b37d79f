-- Quantitative risk, closed forms: normal_quantile, lognormal_from_ci, expected_annual_loss,
-- rosi, pert_mean.  Reference values from riskquant's tests and README (issue 14), compared at
-- 1e-12 relative; the other expected values are worked out from the definitions with
-- PostgreSQL's own ln and exp as the oracle.
SET search_path = ismseval, public;

-- The 90 % z: normal_quantile((1 + 0.9) / 2) = 1.6448536269514722 (AS241 promises ~1e-16;
-- we ask 1e-15 relative).  The median is exactly 0; 0.975 gives 1.959963984540054.
SELECT abs(normal_quantile(0.95) / 1.6448536269514722 - 1) < 1e-15 AS "z(0.95)",
       normal_quantile(0.5) = 0 AS "z(0.5)=0",
       abs(normal_quantile(0.975) / 1.959963984540054 - 1) < 1e-15 AS "z(0.975)",
       abs(normal_quantile(0.05) / -1.6448536269514722 - 1) < 1e-15 AS "z(0.05)=-z(0.95)",
       abs(normal_quantile(1e-10) / -6.361340902404056 - 1) < 1e-14 AS "far tail z(1e-10)";

-- riskquant: lognormal_from_ci(1, 10): mu = 1.151292546497023, sigma = 0.6999361691719633.
SELECT abs(mu / 1.151292546497023 - 1) < 1e-12 AS mu_ok,
       abs(sigma / 0.6999361691719633 - 1) < 1e-12 AS sigma_ok,
       -- mean exp(mu + sigma^2/2) = 4.040012826945727
       abs(exp(mu + sigma * sigma / 2) / 4.040012826945727 - 1) < 1e-12 AS mean_ok,
       -- the interval ends sit at z = -1.6449 and +1.6449: cdf 0.05 and 0.95
       abs((ln(1) - mu) / sigma / -1.6448536269514722 - 1) < 1e-12 AS cdf_low_005,
       abs((ln(10) - mu) / sigma / 1.6448536269514722 - 1) < 1e-12 AS cdf_high_095
FROM lognormal_from_ci(1, 10);
-- riskquant: lognormal_from_ci(635000, 19000000): mu = 15.060664907502773,
-- sigma = 1.0330916999449684, mean 5922706.83351131.
SELECT abs(mu / 15.060664907502773 - 1) < 1e-12 AS mu_ok,
       abs(sigma / 1.0330916999449684 - 1) < 1e-12 AS sigma_ok,
       abs(expected_annual_loss(1, 635000, 19000000) / 5922706.83351131 - 1) < 1e-12 AS mean_ok
FROM lognormal_from_ci(635000, 19000000);
-- By hand: (2, 8) at 90 %: mu = (ln 2 + 3 ln 2) / 2 = 2 ln 2 = ln 4; sigma = (3 ln 2 - ln 2) / (2 z) = ln 2 / z.
-- At 95 %: (1, 10) gives sigma = ln 10 / (2 x 1.959963984540054).  At 50 %, z = 0.6744897501960817.
SELECT abs(a.mu / ln(4) - 1) < 1e-12 AS "mu=ln4",
       abs(a.sigma / (ln(2) / 1.6448536269514722) - 1) < 1e-12 AS "sigma=ln2/z",
       abs(b.sigma / (ln(10) / (2 * 1.959963984540054)) - 1) < 1e-12 AS "95%",
       abs(c.sigma / (ln(10) / (2 * 0.6744897501960817)) - 1) < 1e-12 AS "50%"
FROM lognormal_from_ci(2, 8) a, lognormal_from_ci(1, 10, 0.95) b, lognormal_from_ci(1, 10, 0.5) c;

-- riskquant: ALE(0.1; 1, 10) = 0.4040012826945718, ALE(3; 1, 10) = 12.120038480837177,
-- ALE(0.1; 100000, 1000000) = 40400.12826945728.  ALE(0; ...) = 0.
SELECT abs(expected_annual_loss(0.1, 1, 10) / 0.4040012826945718 - 1) < 1e-12 AS ale_01,
       abs(expected_annual_loss(3.0, 1, 10) / 12.120038480837177 - 1) < 1e-12 AS ale_3,
       abs(expected_annual_loss(0.10, 100000, 1000000) / 40400.12826945728 - 1) < 1e-12 AS ale_big,
       expected_annual_loss(0, 1, 10) AS "0",
       -- (2, 8): 2 x exp(ln 4 + (ln 2 / z)^2 / 2)
       abs(expected_annual_loss(2, 2, 8) / (2 * exp(ln(4) + (ln(2) / 1.6448536269514722) ^ 2 / 2)) - 1) < 1e-12 AS ale_hand;

-- rosi = (before - after - cost) / cost: (100 - 40 - 20) / 20 = 2; (10 - 10 - 5) / 5 = -1;
-- (1000 - 250 - 300) / 300 = 1.5.
SELECT rosi(100, 40, 20) AS "2", rosi(10, 10, 5) AS "-1", rosi(1000, 250, 300) AS "1.5";

-- pyfair BetaPERT mean (low + gamma mode + high) / (gamma + 2): (0 + 4x5 + 10) / 6 = 5;
-- (1 + 4x2 + 9) / 6 = 3; gamma 0: (1 + 9) / 2 = 5; gamma 1: (1 + 2 + 9) / 3 = 4.
SELECT pert_mean(0, 5, 10) AS "5", pert_mean(1, 2, 9) AS "3", pert_mean(1, 2, 9, 0) AS "5",
       pert_mean(1, 2, 9, 1) AS "4";

-- NULL in, NULL out.
SELECT lognormal_from_ci(NULL, 10) IS NULL AS a, expected_annual_loss(1, 1, NULL) IS NULL AS b,
       rosi(1, NULL, 1) IS NULL AS c;

-- errors
\set VERBOSITY sqlstate
SELECT lognormal_from_ci(10, 1);                 -- low >= high: 22003
SELECT lognormal_from_ci(5, 5);                  -- 22003
SELECT lognormal_from_ci(0, 10);                 -- non-positive low: 22003
SELECT lognormal_from_ci(-1, 10);                -- 22003
SELECT lognormal_from_ci('NaN', 10);             -- 22023
SELECT lognormal_from_ci(1, 'Infinity');         -- 22023
SELECT lognormal_from_ci(1, 10, 0);              -- confidence outside (0, 1): 22003
SELECT lognormal_from_ci(1, 10, 1);              -- 22003
SELECT lognormal_from_ci(1, 10, 1.5);            -- 22003
SELECT lognormal_from_ci(1, 10, 'NaN');          -- 22023
SELECT expected_annual_loss(-0.1, 1, 10);        -- negative frequency: 22003
SELECT expected_annual_loss(10001, 1, 10);       -- above 10000 a year: 22003
SELECT expected_annual_loss('NaN', 1, 10);       -- 22023
SELECT expected_annual_loss(1, 1e-300, 1e300);   -- mean overflows: 22003
SELECT normal_quantile(0);                       -- 22003
SELECT normal_quantile(1);                       -- 22003
SELECT normal_quantile('-Infinity');             -- 22023
SELECT rosi(100, 40, 0);                         -- cost 0: 22003
SELECT rosi(100, 40, -5);                        -- 22003
SELECT rosi(-1, 0, 5);                           -- negative ALE: 22003
SELECT rosi(1, 'NaN', 5);                        -- 22023
SELECT pert_mean(0, 11, 10);                     -- mode outside: 22003
SELECT pert_mean(0, 5, 10, -1);                  -- 22003
\set VERBOSITY default
-- the messages name the argument and the range
SELECT lognormal_from_ci(10, 1);
SELECT lognormal_from_ci(1, 10, 1);
