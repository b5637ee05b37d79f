-- ismseval 0.4.0 -> 0.5.0. Hand-written delta: every object this release adds or
-- changes, in the form an update needs (CREATE, CREATE OR REPLACE, ALTER). The
-- definitions themselves live in src/sql/<concept>.sql; test/upgrade.sh checks
-- that an install updated through this script equals a fresh 0.5.0 install.
\echo Use "ALTER EXTENSION ismseval UPDATE TO '0.5.0'" to load this file. \quit

-- Shared rules, defined once (rules.sql): the peer group key, the peers of an organization,
-- the latest organization-wide assessment; the functions and views that restated them now use them.
-- The peer group of an organization: its core business type and size band.
CREATE FUNCTION @extschema@.peer_group(core_business text, size_band text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN core_business || ' / ' || size_band;
COMMENT ON FUNCTION @extschema@.peer_group(text, text) IS
'The peer group key of an organization: core_business / size_band.';

-- The peers of an organization: the other organizations of its peer group.
CREATE FUNCTION @extschema@.peer_organizations(organization_id bigint)
RETURNS TABLE(peer_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT p.organization_id
    FROM @extschema@.organizations o
    JOIN @extschema@.organizations p
      ON p.core_business = o.core_business AND p.size_band = o.size_band
     AND p.organization_id <> o.organization_id
    WHERE o.organization_id = peer_organizations.organization_id;
END;
COMMENT ON FUNCTION @extschema@.peer_organizations(bigint) IS
'The peers of an organization: the other organizations with the same core_business and size_band.';

-- The latest organization-wide assessment (department_id NULL) of every organization and
-- framework: the one assessed last, the highest key among those of the same day.
CREATE FUNCTION @extschema@.latest_organization_assessments()
RETURNS TABLE(organization_id bigint, framework_id bigint, assessment_id bigint, assessed_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT ON (a.organization_id, a.framework_id)
           a.organization_id, a.framework_id, a.assessment_id, a.assessed_on
    FROM @extschema@.assessments a
    WHERE a.department_id IS NULL
    ORDER BY a.organization_id, a.framework_id, a.assessed_on DESC, a.assessment_id DESC;
END;
COMMENT ON FUNCTION @extschema@.latest_organization_assessments() IS
'The latest organization-wide assessment (department_id NULL) of each organization and framework: latest assessed_on, then highest assessment_id.';

CREATE OR REPLACE FUNCTION @extschema@.latest_assessments(organization_id bigint)
RETURNS TABLE(assessment_id bigint, framework_id bigint, assessed_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT l.assessment_id, l.framework_id, l.assessed_on
    FROM @extschema@.latest_organization_assessments() l
    WHERE l.organization_id = latest_assessments.organization_id;
END;

CREATE OR REPLACE FUNCTION @extschema@.peer_domain_scores(organization_id bigint, framework_id bigint)
RETURNS TABLE(domain_id bigint, dist @extschema@.peer_dist)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.domain_id, @extschema@.peer_dist(s.score)
    FROM (
        SELECT q.domain_id, pa.assessment_id, pg_catalog.avg(an.score)::double precision AS score
        FROM @extschema@.peer_organizations(peer_domain_scores.organization_id) p
        CROSS JOIN LATERAL (
            SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
            WHERE l.organization_id = p.peer_id AND l.framework_id = peer_domain_scores.framework_id
        ) pa
        JOIN @extschema@.answers an ON an.assessment_id = pa.assessment_id
        JOIN @extschema@.questions q ON q.question_id = an.question_id AND q.is_large
        GROUP BY q.domain_id, pa.assessment_id
    ) s
    WHERE s.score IS NOT NULL
    GROUP BY s.domain_id;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.peer_question_rates(organization_id bigint, framework_id bigint)
RETURNS TABLE(question_id bigint, dist @extschema@.peer_dist)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT an.question_id,
           @extschema@.peer_dist(CASE WHEN an.answer_yes THEN 100::double precision ELSE 0::double precision END)
    FROM @extschema@.peer_organizations(peer_question_rates.organization_id) p
    CROSS JOIN LATERAL (
        SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
        WHERE l.organization_id = p.peer_id AND l.framework_id = peer_question_rates.framework_id
    ) pa
    JOIN @extschema@.answers an ON an.assessment_id = pa.assessment_id AND an.answer_yes IS NOT NULL
    GROUP BY an.question_id;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.peer_total_scores(organization_id bigint, framework_id bigint,
                                              own_total double precision)
RETURNS TABLE(dist @extschema@.peer_dist, higher bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT @extschema@.peer_dist(pt.total), pg_catalog.count(*) FILTER (WHERE pt.total > own_total)
    FROM @extschema@.peer_organizations(peer_total_scores.organization_id) p
    CROSS JOIN LATERAL (
        SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
        WHERE l.organization_id = p.peer_id AND l.framework_id = peer_total_scores.framework_id
    ) pa
    CROSS JOIN LATERAL (
        SELECT pg_catalog.avg(an.score)::double precision
               * (SELECT pg_catalog.count(*) FROM @extschema@.questions q
                  WHERE q.framework_id = peer_total_scores.framework_id AND q.is_large) AS total
        FROM @extschema@.answers an
        WHERE an.assessment_id = pa.assessment_id AND an.score IS NOT NULL
    ) pt
    WHERE pt.total IS NOT NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.peer_current_values()
RETURNS TABLE(organization_id bigint, framework_id bigint, kind text, item_id bigint, value double precision,
              peer_group text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH latest AS (
        SELECT l.organization_id, l.framework_id, l.assessment_id
        FROM @extschema@.latest_organization_assessments() l
    ), domains AS (
        SELECT q.framework_id, pg_catalog.count(DISTINCT q.domain_id) AS n
        FROM @extschema@.questions q WHERE q.is_large GROUP BY q.framework_id
    ), means AS (
        SELECT l.organization_id, l.framework_id, q.domain_id, pg_catalog.avg(an.score)::double precision AS value,
               pg_catalog.count(*) OVER (PARTITION BY l.organization_id, l.framework_id) AS domains_scored
        FROM latest l
        JOIN @extschema@.answers an ON an.assessment_id = l.assessment_id AND an.score IS NOT NULL
        JOIN @extschema@.questions q ON q.question_id = an.question_id AND q.is_large
        GROUP BY l.organization_id, l.framework_id, q.domain_id
    ), v AS (
        SELECT m.organization_id, m.framework_id, 'domain' AS kind, m.domain_id AS item_id, m.value
        FROM means m JOIN domains d ON d.framework_id = m.framework_id AND d.n = m.domains_scored
        UNION ALL
        SELECT l.organization_id, l.framework_id, 'question', an.question_id,
               CASE WHEN an.answer_yes THEN 100::double precision ELSE 0::double precision END
        FROM latest l
        JOIN @extschema@.answers an ON an.assessment_id = l.assessment_id AND an.answer_yes IS NOT NULL
    )
    SELECT v.organization_id, v.framework_id, v.kind, v.item_id, v.value,
           @extschema@.peer_group(o.core_business, o.size_band)
    FROM v JOIN @extschema@.organizations o ON o.organization_id = v.organization_id;
END;

CREATE OR REPLACE VIEW @extschema@.org_benchmark WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       o.core_business,
       o.size_band,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       COALESCE(bd.total, own.total_score) AS total_score,
       own.mean_score,
       own.answered AS answered_questions,
       pr.peer_count AS peer_count,
       pr.peer_mean_total AS peer_mean_total,
       pr.peer_percentile AS peer_percentile,
       pr.deviation_score AS deviation_score,
       pr.peer_rank AS peer_rank,
       pr.peer_count + 1 AS ranked_organizations,
       pr.as_of AS peer_figures_as_of
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS n FROM @extschema@.questions q
    WHERE q.framework_id = la.framework_id AND q.is_large
) nq
CROSS JOIN LATERAL (
    SELECT pg_catalog.avg(an.score)::double precision * nq.n AS total_score,
           pg_catalog.avg(an.score)::double precision AS mean_score,
           pg_catalog.count(an.score) AS answered
    FROM @extschema@.answers an
    WHERE an.assessment_id = la.assessment_id AND an.score IS NOT NULL
) own
CROSS JOIN LATERAL (
    -- the total as the peer figures rank it: sum over domains of large questions x domain
    -- mean, when every domain has a scored answer (the same as above when all are answered)
    SELECT CASE WHEN pg_catalog.count(d.mean) = pg_catalog.count(*) THEN pg_catalog.sum(d.n * d.mean) END AS total
    FROM (SELECT q.domain_id, pg_catalog.count(*) AS n, pg_catalog.avg(an.score)::double precision AS mean
          FROM @extschema@.questions q
          LEFT JOIN @extschema@.answers an ON an.question_id = q.question_id AND an.assessment_id = la.assessment_id
          WHERE q.framework_id = la.framework_id AND q.is_large
          GROUP BY q.domain_id) d
) bd
LEFT JOIN LATERAL @extschema@.peer_total_benchmark(o.organization_id, la.framework_id) pr ON true;

CREATE OR REPLACE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       b.framework,
       b.assessed_on,
       b.total_score,
       b.mean_score,
       b.peer_mean_total,
       b.peer_count,
       b.peer_percentile,
       b.deviation_score,
       b.peer_rank,
       b.ranked_organizations,
       md.weakest_domain,
       md.domains_below_target,
       md.domains_below_peers,
       rk.risks,
       rk.risks_outside_tolerance,
       rk.risks_top_level,
       rk.acceptances_expired,
       kp.kpis,
       kp.kpis_green,
       kp.kpis_amber,
       kp.kpis_red,
       kp.kpis_stale,
       ob.objectives,
       ob.objectives_achieved,
       ob.objectives_overdue,
       inc.incidents_12m,
       inc.severe_incidents_12m,
       inc.mttd_hours_12m,
       inc.mttr_hours_12m,
       inc.reported_within_24h_pct_12m,
       nc.nonconformities_open,
       nc.corrective_actions_overdue,
       b.peer_figures_as_of
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id,
           bm.peer_figures_as_of
    FROM @extschema@.org_benchmark bm
    WHERE bm.organization_id = o.organization_id
    ORDER BY bm.assessed_on DESC, bm.assessment_id DESC LIMIT 1
) b ON true
LEFT JOIN LATERAL (
    SELECT (pg_catalog.array_agg(m.domain ORDER BY m.own_score, m.display_order)
                FILTER (WHERE m.own_score IS NOT NULL))[1] AS weakest_domain,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_target < 0) AS domains_below_target,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_peers < 0) AS domains_below_peers
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = o.organization_id AND m.assessment_id = b.assessment_id
) md ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risks,
           pg_catalog.count(*) FILTER (WHERE NOT r.within_tolerance) AS risks_outside_tolerance,
           pg_catalog.count(*) FILTER (
               WHERE r.inherent_level_rank = (SELECT pg_catalog.max(l.rank)
                                              FROM @extschema@.risk_matrix_levels(o.risk_matrix) l))
               AS risks_top_level,
           pg_catalog.count(*) FILTER (WHERE r.acceptance_expired) AS acceptances_expired
    FROM @extschema@.risk_register r
    WHERE r.organization_id = o.organization_id
) rk
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS kpis,
           pg_catalog.count(*) FILTER (WHERE k.status = 'green') AS kpis_green,
           pg_catalog.count(*) FILTER (WHERE k.status = 'amber') AS kpis_amber,
           pg_catalog.count(*) FILTER (WHERE k.status = 'red') AS kpis_red,
           pg_catalog.count(*) FILTER (WHERE k.stale) AS kpis_stale
    FROM @extschema@.kpi_status k
    WHERE k.organization_id = o.organization_id
) kp
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS objectives,
           pg_catalog.count(*) FILTER (WHERE s.achieved) AS objectives_achieved,
           pg_catalog.count(*) FILTER (WHERE s.overdue) AS objectives_overdue
    FROM @extschema@.objective_status s
    WHERE s.organization_id = o.organization_id
) ob
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents_12m,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600) AS mttd_hours_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600) AS mttr_hours_12m,
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct_12m
    FROM @extschema@.incidents i
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= CURRENT_DATE - interval '12 months'
) inc
CROSS JOIN LATERAL (
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.nonconformities n
            WHERE n.organization_id = o.organization_id AND n.closed_on IS NULL) AS nonconformities_open,
           (SELECT pg_catalog.count(*) FROM @extschema@.corrective_actions c
            WHERE c.organization_id = o.organization_id AND c.closed_on IS NULL
              AND c.due_on < CURRENT_DATE) AS corrective_actions_overdue
) nc;

-- Quantitative risk (quant_risk.sql): closed forms, loss_sim and its simulation, the
-- portfolio aggregate, read-outs, the model columns on risks, two views and the charts.
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
-- The model: a risk's frequency and 90 % loss interval, inherent and residual, and the
-- cost of its treatment.  All NULL for a risk that is not quantified.
-- ---------------------------------------------------------------------------

ALTER TABLE @extschema@.risks
    ADD COLUMN inherent_frequency double precision
        CONSTRAINT risks_inherent_frequency_range
        CHECK (inherent_frequency >= 0 AND inherent_frequency <= 10000),
    ADD COLUMN inherent_loss_low double precision,
    ADD COLUMN inherent_loss_high double precision,
    ADD COLUMN residual_frequency double precision
        CONSTRAINT risks_residual_frequency_range
        CHECK (residual_frequency >= 0 AND residual_frequency <= 10000),
    ADD COLUMN residual_loss_low double precision,
    ADD COLUMN residual_loss_high double precision,
    ADD COLUMN treatment_cost double precision
        CONSTRAINT risks_treatment_cost_range
        CHECK (treatment_cost >= 0 AND treatment_cost < 'Infinity'),
    -- NaN compares above every number in SQL, so these reject NaN and infinity too
    ADD CONSTRAINT risks_inherent_loss_interval
        CHECK (inherent_loss_low > 0 AND inherent_loss_high > inherent_loss_low
               AND inherent_loss_high < 'Infinity'),
    ADD CONSTRAINT risks_residual_loss_interval
        CHECK (residual_loss_low > 0 AND residual_loss_high > residual_loss_low
               AND residual_loss_high < 'Infinity'),
    ADD CONSTRAINT risks_inherent_quantified_together
        CHECK (pg_catalog.num_nulls(inherent_frequency, inherent_loss_low, inherent_loss_high) IN (0, 3)),
    ADD CONSTRAINT risks_residual_quantified_together
        CHECK (pg_catalog.num_nulls(residual_frequency, residual_loss_low, residual_loss_high) IN (0, 3)),
    ADD CONSTRAINT risks_residual_needs_inherent
        CHECK (residual_frequency IS NULL OR inherent_frequency IS NOT NULL);
COMMENT ON COLUMN @extschema@.risks.inherent_frequency IS
'Quantified risk: expected loss events a year without the treatment (Poisson mean, 0..10000); NULL when not quantified.';
COMMENT ON COLUMN @extschema@.risks.inherent_loss_low IS
'Quantified risk: lower bound of the 90 % interval of one event''s loss without the treatment (> 0).';
COMMENT ON COLUMN @extschema@.risks.inherent_loss_high IS
'Quantified risk: upper bound of the 90 % interval of one event''s loss without the treatment (> low).';
COMMENT ON COLUMN @extschema@.risks.residual_frequency IS
'Quantified risk: expected loss events a year with the treatment; NULL when the treatment is not quantified.';
COMMENT ON COLUMN @extschema@.risks.residual_loss_low IS
'Quantified risk: lower bound of the 90 % interval of one event''s loss with the treatment (> 0).';
COMMENT ON COLUMN @extschema@.risks.residual_loss_high IS
'Quantified risk: upper bound of the 90 % interval of one event''s loss with the treatment (> low).';
COMMENT ON COLUMN @extschema@.risks.treatment_cost IS
'Annual cost of the risk''s treatment (same currency as the losses, >= 0), for its return on security investment.';

-- Tenants write every column of their risks but the key (tenancy.sql); the new ones too.
GRANT INSERT (inherent_frequency, inherent_loss_low, inherent_loss_high, residual_frequency,
              residual_loss_low, residual_loss_high, treatment_cost),
      UPDATE (inherent_frequency, inherent_loss_low, inherent_loss_high, residual_frequency,
              residual_loss_low, residual_loss_high, treatment_cost)
    ON @extschema@.risks TO ismseval_tenant;

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
COMMENT ON COLUMN @extschema@.risk_quantified.treatment IS 'mitigate, accept, transfer or avoid.';
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
