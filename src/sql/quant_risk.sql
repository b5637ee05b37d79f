-- Quantitative risk: closed forms (src/quant_risk.c, src/quant_math.c), the
-- loss_sim type, the loss simulation and the portfolio_loss aggregate (src/loss_sim*.c),
-- the views risk_quantified and portfolio_loss_exceedance, and the loss exceedance chart
-- (src/loss_svg.c). The model columns they read (a risk's frequency, loss interval and
-- treatment cost) are in model.sql. See docs/quantitative-risk.md for every formula.

-- ---------------------------------------------------------------------------
-- Closed forms
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.normal_quantile(p double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'normal_quantile'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.normal_quantile(double precision) IS
'Standard normal quantile of p in (0, 1), Wichura''s AS241 (about 1e-16 relative), the same bits on every platform.';

CREATE FUNCTION @extschema@.lognormal_from_ci(low double precision, high double precision,
                                              confidence double precision DEFAULT 0.9,
                                              OUT mu double precision, OUT sigma double precision)
RETURNS record
AS 'MODULE_PATHNAME', 'lognormal_from_ci'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lognormal_from_ci(double precision, double precision, double precision) IS
'Lognormal loss magnitude whose central confidence interval is (low, high): mu = (ln low + ln high) / 2, '
'sigma = (ln high - ln low) / (2 z), z = normal_quantile((1 + confidence) / 2); 0 < low < high, 0 < confidence < 1.';

CREATE FUNCTION @extschema@.expected_annual_loss(frequency double precision, low double precision,
                                                 high double precision,
                                                 confidence double precision DEFAULT 0.9)
RETURNS double precision
AS 'MODULE_PATHNAME', 'expected_annual_loss'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_annual_loss(double precision, double precision, double precision, double precision) IS
'Expected annual loss (ALE) = frequency x exp(mu + sigma^2 / 2), the lognormal of lognormal_from_ci(low, high, confidence); '
'frequency in [0, 10000] events a year.';

CREATE FUNCTION @extschema@.rosi(ale_before double precision, ale_after double precision, cost double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'rosi'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rosi(double precision, double precision, double precision) IS
'Return on security investment = (ale_before - ale_after - cost) / cost; ALEs >= 0, cost > 0.';

CREATE FUNCTION @extschema@.pert_mean(low double precision, mode double precision, high double precision,
                                      gamma double precision DEFAULT 4)
RETURNS double precision
AS 'MODULE_PATHNAME', 'pert_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pert_mean(double precision, double precision, double precision, double precision) IS
'Mean of the BetaPERT distribution (pyfair): (low + gamma x mode + high) / (gamma + 2), low <= mode <= high.';

-- ---------------------------------------------------------------------------
-- loss_sim: N simulated annual losses of a risk or a portfolio
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.loss_sim;

CREATE FUNCTION @extschema@.loss_sim_in(cstring)
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'loss_sim_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_sim_in(cstring) IS
'Text input of loss_sim: {l1,l2,...}, the losses of years 1..N in year order (1 <= N <= 1000000, finite, >= 0).';

CREATE FUNCTION @extschema@.loss_sim_out(@extschema@.loss_sim)
RETURNS cstring
AS 'MODULE_PATHNAME', 'loss_sim_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_sim_out(@extschema@.loss_sim) IS
'Text output of loss_sim: {l1,l2,...} in year order, each loss shortest-exact (reads back to the same bits).';

CREATE FUNCTION @extschema@.loss_sim_recv(internal)
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'loss_sim_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_sim_recv(internal) IS
'Binary input of loss_sim: int8 version 1, int32 years N, then N finite float8 losses >= 0.';

CREATE FUNCTION @extschema@.loss_sim_send(@extschema@.loss_sim)
RETURNS bytea
AS 'MODULE_PATHNAME', 'loss_sim_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_sim_send(@extschema@.loss_sim) IS
'Binary output of loss_sim: int8 version 1, int32 years, the losses as float8 in year order.';

CREATE TYPE @extschema@.loss_sim (
    INPUT = @extschema@.loss_sim_in,
    OUTPUT = @extschema@.loss_sim_out,
    RECEIVE = @extschema@.loss_sim_recv,
    SEND = @extschema@.loss_sim_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.loss_sim IS
'Simulated annual losses of a risk or a portfolio, one per year in year order; made by simulate_loss, '
'summed by portfolio_loss, read with loss_mean, loss_quantile, loss_expected_shortfall, loss_exceedance, '
'loss_exceedance_curve and loss_exceedance_svg.';

CREATE FUNCTION @extschema@.simulate_loss(frequency double precision, low double precision,
                                          high double precision, years integer, seed bigint,
                                          model text DEFAULT 'poisson')
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'simulate_loss'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
COST 10000;  -- milliseconds a call: so that the planner spreads many risks over parallel workers
COMMENT ON FUNCTION @extschema@.simulate_loss(double precision, double precision, double precision, integer, bigint, text) IS
'years (1..1000000) simulated annual losses: per year Poisson(frequency) events (model ''poisson'', frequency in [0, 10000]) '
'or one event with probability frequency (''bernoulli''), each a lognormal loss with 90 % interval (low, high); '
'xoshiro256** seeded by splitmix64 from seed, the same bits on every platform. Give each risk its own seed (e.g. its id).';

CREATE FUNCTION @extschema@.simulate_loss_pert(frequency_low double precision, frequency_mode double precision,
                                               frequency_high double precision, low double precision,
                                               high double precision, years integer, seed bigint)
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'simulate_loss_pert'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
COST 10000;
COMMENT ON FUNCTION @extschema@.simulate_loss_pert(double precision, double precision, double precision, double precision, double precision, integer, bigint) IS
'As simulate_loss, with each year''s mean number of events drawn from BetaPERT(frequency_low, frequency_mode, '
'frequency_high; gamma 4) and the count from Poisson of that mean.';

CREATE FUNCTION @extschema@.portfolio_loss_add(state @extschema@.loss_sim, sim @extschema@.loss_sim)
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'portfolio_loss_add'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.portfolio_loss_add(@extschema@.loss_sim, @extschema@.loss_sim) IS
'Transition and combine function of portfolio_loss: state + sim year by year (same number of years); NULL sim is skipped.';

CREATE AGGREGATE @extschema@.portfolio_loss(@extschema@.loss_sim) (
    SFUNC = @extschema@.portfolio_loss_add,
    STYPE = @extschema@.loss_sim,
    COMBINEFUNC = @extschema@.portfolio_loss_add,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.portfolio_loss(@extschema@.loss_sim) IS
'Portfolio loss: the year-by-year sum of the simulated annual losses of the rows (all with the same years); '
'NULLs skipped, no rows give NULL.';

CREATE FUNCTION @extschema@.loss_years(sim @extschema@.loss_sim)
RETURNS integer
AS 'MODULE_PATHNAME', 'loss_years'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_years(@extschema@.loss_sim) IS
'Number of simulated years N.';

CREATE FUNCTION @extschema@.loss_mean(sim @extschema@.loss_sim)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loss_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_mean(@extschema@.loss_sim) IS
'Mean annual loss (compensated sum / N), the simulated ALE.';

CREATE FUNCTION @extschema@.loss_quantile(sim @extschema@.loss_sim, q double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loss_quantile'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_quantile(@extschema@.loss_sim, double precision) IS
'Value at risk: the q-quantile (q in [0, 1]) of the annual losses, sorted x[0..N-1], at position q (N - 1) '
'linearly interpolated (as percentile_cont and NumPy''s default).';

CREATE FUNCTION @extschema@.loss_expected_shortfall(sim @extschema@.loss_sim, q double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loss_expected_shortfall'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_expected_shortfall(@extschema@.loss_sim, double precision) IS
'Expected shortfall at q (q in [0, 1]): the mean of the m largest annual losses, m = max(1, N - floor(q N)).';

CREATE FUNCTION @extschema@.loss_exceedance(sim @extschema@.loss_sim, amount double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loss_exceedance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_exceedance(@extschema@.loss_sim, double precision) IS
'Probability that a year''s loss reaches amount: the fraction of the simulated years whose loss is >= amount.';

CREATE FUNCTION @extschema@.loss_exceedance_curve(sim @extschema@.loss_sim, points integer DEFAULT 50,
                                                  OUT loss double precision, OUT probability double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'loss_exceedance_curve'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 50;
COMMENT ON FUNCTION @extschema@.loss_exceedance_curve(@extschema@.loss_sim, integer) IS
'Loss exceedance curve: points rows (2..10000) at loss = max x i / (points - 1), i = 0..points - 1, with '
'probability = loss_exceedance(sim, loss).';

-- ---------------------------------------------------------------------------
-- risk_quantified: per quantified risk, ALE inherent and residual, VaR, ES, ROSI
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.risk_quantified WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       r.risk_id,
       r.title,
       r.treatment,
       r.inherent_frequency,
       r.inherent_loss_low,
       r.inherent_loss_high,
       @extschema@.expected_annual_loss(r.inherent_frequency, r.inherent_loss_low, r.inherent_loss_high) AS ale_inherent,
       r.residual_frequency,
       r.residual_loss_low,
       r.residual_loss_high,
       @extschema@.expected_annual_loss(r.residual_frequency, r.residual_loss_low, r.residual_loss_high) AS ale_residual,
       r.residual_frequency IS NOT NULL AS residual_quantified,
       @extschema@.loss_quantile(s.sim, 0.95) AS var_95,
       @extschema@.loss_quantile(s.sim, 0.99) AS var_99,
       @extschema@.loss_expected_shortfall(s.sim, 0.99) AS es_99,
       r.treatment_cost,
       CASE WHEN r.treatment_cost > 0 AND r.residual_frequency IS NOT NULL
            THEN @extschema@.rosi(
                     @extschema@.expected_annual_loss(r.inherent_frequency, r.inherent_loss_low, r.inherent_loss_high),
                     @extschema@.expected_annual_loss(r.residual_frequency, r.residual_loss_low, r.residual_loss_high),
                     r.treatment_cost)
       END AS rosi
FROM @extschema@.organizations o
JOIN @extschema@.risks r ON r.organization_id = o.organization_id
CROSS JOIN LATERAL (
    SELECT @extschema@.simulate_loss(COALESCE(r.residual_frequency, r.inherent_frequency),
                                     COALESCE(r.residual_loss_low, r.inherent_loss_low),
                                     COALESCE(r.residual_loss_high, r.inherent_loss_high),
                                     10000, r.risk_id) AS sim
) s
WHERE r.inherent_frequency IS NOT NULL;

COMMENT ON VIEW @extschema@.risk_quantified IS
'Quantified risks: expected annual loss (ALE) inherent and residual in closed form, value at risk and expected '
'shortfall of the current annual loss (residual if quantified, else inherent) from 10,000 simulated years seeded '
'by the risk id, and the return on security investment of the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.organization_id IS 'The organization''s key.';
COMMENT ON COLUMN @extschema@.risk_quantified.organization IS 'The organization''s code.';
COMMENT ON COLUMN @extschema@.risk_quantified.risk_id IS 'The risk''s key (also the seed of its simulation).';
COMMENT ON COLUMN @extschema@.risk_quantified.title IS 'The risk''s title.';
COMMENT ON COLUMN @extschema@.risk_quantified.treatment IS 'open, mitigate, accept, transfer, avoid or cancelled.';
COMMENT ON COLUMN @extschema@.risk_quantified.inherent_frequency IS 'Loss events a year without the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.inherent_loss_low IS 'Lower bound of the 90 % interval of an event''s loss without the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.inherent_loss_high IS 'Upper bound of the 90 % interval of an event''s loss without the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.ale_inherent IS 'Inherent expected annual loss = frequency x exp(mu + sigma^2 / 2).';
COMMENT ON COLUMN @extschema@.risk_quantified.residual_frequency IS 'Loss events a year with the treatment; NULL if not quantified.';
COMMENT ON COLUMN @extschema@.risk_quantified.residual_loss_low IS 'Lower bound of the 90 % interval of an event''s loss with the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.residual_loss_high IS 'Upper bound of the 90 % interval of an event''s loss with the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.ale_residual IS 'Residual expected annual loss; NULL if the residual is not quantified.';
COMMENT ON COLUMN @extschema@.risk_quantified.residual_quantified IS 'True when var_95, var_99 and es_99 are of the residual loss, false when of the inherent.';
COMMENT ON COLUMN @extschema@.risk_quantified.var_95 IS 'Value at risk 95 %: the 0.95 quantile of 10,000 simulated annual losses.';
COMMENT ON COLUMN @extschema@.risk_quantified.var_99 IS 'Value at risk 99 %: the 0.99 quantile of 10,000 simulated annual losses.';
COMMENT ON COLUMN @extschema@.risk_quantified.es_99 IS 'Expected shortfall 99 %: the mean of the 100 largest of 10,000 simulated annual losses.';
COMMENT ON COLUMN @extschema@.risk_quantified.treatment_cost IS 'Annual cost of the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.rosi IS 'Return on security investment = (ale_inherent - ale_residual - cost) / cost; NULL without a residual or a cost > 0.';

-- ---------------------------------------------------------------------------
-- portfolio_loss_exceedance: per organization, the loss exceedance curve of all its
-- quantified risks together
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.portfolio_loss_exceedance WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       p.risk_count,
       c.loss,
       c.probability
FROM @extschema@.organizations o
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risk_count,
           @extschema@.portfolio_loss(
               @extschema@.simulate_loss(COALESCE(r.residual_frequency, r.inherent_frequency),
                                         COALESCE(r.residual_loss_low, r.inherent_loss_low),
                                         COALESCE(r.residual_loss_high, r.inherent_loss_high),
                                         10000, r.risk_id)) AS sim
    FROM @extschema@.risks r
    WHERE r.organization_id = o.organization_id AND r.inherent_frequency IS NOT NULL
) p
CROSS JOIN LATERAL @extschema@.loss_exceedance_curve(p.sim, 50) c;

COMMENT ON VIEW @extschema@.portfolio_loss_exceedance IS
'Loss exceedance curve of each organization''s quantified risks together (residual where quantified, else '
'inherent): 50 rows per organization, from 10,000 simulated years, each risk seeded by its id; none for an '
'organization without quantified risks.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.organization_id IS 'The organization''s key.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.organization IS 'The organization''s code.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.risk_count IS 'Number of quantified risks in the portfolio.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.loss IS 'An annual loss amount: max x i / 49, i = 0..49, max the largest simulated annual loss.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.probability IS 'Probability that a year''s portfolio loss reaches the amount (fraction of the simulated years).';

GRANT SELECT ON @extschema@.risk_quantified, @extschema@.portfolio_loss_exceedance
    TO ismseval_admin, ismseval_tenant;

-- ---------------------------------------------------------------------------
-- The loss exceedance chart
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.loss_exceedance_svg(sim @extschema@.loss_sim, title text DEFAULT NULL,
                                                unit text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'loss_exceedance_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_exceedance_svg(@extschema@.loss_sim, text, text) IS
'A standalone SVG loss exceedance chart: P(annual loss >= x) on a logarithmic loss axis up to the 99.9 % quantile, with the mean, '
'VaR 95 % and VaR 99 % marked; unit labels the loss axis (e.g. EUR).  NULL sim gives NULL.';

-- The chart of an organization's quantified risks together, as portfolio_loss_exceedance
-- computes them (row-level security applies: NULL for an organization the caller cannot see).
CREATE FUNCTION @extschema@.org_loss_exceedance_svg(organization_id bigint, unit text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT @extschema@.loss_exceedance_svg(
               @extschema@.portfolio_loss(
                   @extschema@.simulate_loss(COALESCE(r.residual_frequency, r.inherent_frequency),
                                             COALESCE(r.residual_loss_low, r.inherent_loss_low),
                                             COALESCE(r.residual_loss_high, r.inherent_loss_high),
                                             10000, r.risk_id)),
               'Loss exceedance: ' || o.name, unit)
    FROM @extschema@.organizations o
    JOIN @extschema@.risks r ON r.organization_id = o.organization_id
    WHERE o.organization_id = org_loss_exceedance_svg.organization_id AND r.inherent_frequency IS NOT NULL
    GROUP BY o.organization_id, o.name;
END;
COMMENT ON FUNCTION @extschema@.org_loss_exceedance_svg(bigint, text) IS
'The loss exceedance chart (loss_exceedance_svg) of an organization''s quantified risks together, titled with its '
'name; the simulation of portfolio_loss_exceedance.  NULL without quantified risks or when the caller cannot see it.';
