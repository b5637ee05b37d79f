-- Rules of the model that several views and functions share, each defined once:
-- the peer group of an organization, its peers, and its latest organization-wide
-- assessment of a framework. The functions are plain SQL and are inlined where they
-- are used, so a condition on an organization or a framework reaches the indexes.

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

-- The latest organization-wide assessment of each framework, for one organization.
CREATE FUNCTION @extschema@.latest_assessments(organization_id bigint)
RETURNS TABLE(assessment_id bigint, framework_id bigint, assessed_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT l.assessment_id, l.framework_id, l.assessed_on
    FROM @extschema@.latest_organization_assessments() l
    WHERE l.organization_id = latest_assessments.organization_id;
END;
COMMENT ON FUNCTION @extschema@.latest_assessments(bigint) IS
'The organization''s latest organization-wide assessment (department_id NULL) of each framework.';

-- ---------------------------------------------------------------------------
-- Scores, percentages and coverage of an assessment (README "Scores, percentages and
-- coverage"). Every view, the peer releases and the report read them from here.
--   answer percentage  a score: 100 x (score - min) / (max - min) on the node's scale (its
--                      own range, else the framework's); a result without a score: the
--                      framework's compliant_pct (default 100), partially_compliant_pct (50)
--                      or non_compliant_pct (0); not_assessed or no answer: none
--   in scope           a scored node of the framework, in one of the assessment's
--                      implementation groups when it selects some
--   applicable         in scope and not answered not applicable (not assessed stays in)
--   domain percentage  sum(weight x percentage) / sum(weight) over the answered nodes
--   domain score       the same mean on the framework's scale: min + percentage x (max - min) / 100
--                      (for a plain score: the score itself, so a domain of scores 2 and 3 is 2.5)
--   coverage           100 x answered / applicable
--   total score        sum over domains of n x domain score, n = the domain's scored
--                      requirements (all of them, whatever the scope, as the releases count)
-- ---------------------------------------------------------------------------

-- The percentage of its scale an answer counts for: its score's place on the scale, or the
-- framework's percentage for its result; NULL when it counts for nothing.
CREATE FUNCTION @extschema@.answer_percent(score integer, result text, scale_min integer, scale_max integer,
                                           compliant_pct double precision,
                                           partially_compliant_pct double precision,
                                           non_compliant_pct double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN score IS NOT NULL
            THEN 100 * (score - scale_min)::double precision / (scale_max - scale_min)
            WHEN result = 'compliant' THEN compliant_pct
            WHEN result = 'partially_compliant' THEN partially_compliant_pct
            WHEN result = 'non_compliant' THEN non_compliant_pct END;
COMMENT ON FUNCTION @extschema@.answer_percent(integer, text, integer, integer, double precision,
                                               double precision, double precision) IS
'Percentage of its scale an answer counts for: 100 x (score - min) / (max - min), else the framework''s percentage for its result (compliant, partially_compliant, non_compliant); NULL for not assessed or not applicable.';

-- Every scored requirement in the scope of an assessment, with its answer's value.
CREATE FUNCTION @extschema@.assessment_requirement_values(assessment_id bigint)
RETURNS TABLE(question_id bigint, domain_id bigint, weight double precision, applicable boolean,
              percentage double precision, score double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT q.question_id, q.domain_id, q.weight, NOT COALESCE(an.not_applicable, false),
           v.percentage,
           -- on the framework's scale; a plain score on it is kept as it is
           CASE WHEN q.score_min IS NULL AND an.score IS NOT NULL THEN an.score::double precision
                ELSE f.scale_min + v.percentage * (f.scale_max - f.scale_min) / 100 END
    FROM @extschema@.assessments a
    JOIN @extschema@.frameworks f ON f.framework_id = a.framework_id
    JOIN @extschema@.questions q ON q.framework_id = a.framework_id AND q.scored
         AND (a.implementation_groups IS NULL OR q.implementation_groups && a.implementation_groups)
    LEFT JOIN @extschema@.answers an ON an.assessment_id = a.assessment_id AND an.question_id = q.question_id
    CROSS JOIN LATERAL (
        SELECT @extschema@.answer_percent(an.score, an.result,
                                          COALESCE(q.score_min, f.scale_min), COALESCE(q.score_max, f.scale_max),
                                          f.compliant_pct, f.partially_compliant_pct, f.non_compliant_pct)
               AS percentage
    ) v
    WHERE a.assessment_id = assessment_requirement_values.assessment_id;
END;
COMMENT ON FUNCTION @extschema@.assessment_requirement_values(bigint) IS
'Every scored requirement in the scope of an assessment (its implementation groups, if any): domain, weight, whether applicable (not answered not applicable), the answer''s percentage of its scale and its score on the framework''s scale (NULL when unanswered or not assessed).';

-- Score, percentage, answered and applicable requirements and coverage of a domain in an assessment.
CREATE FUNCTION @extschema@.assessment_domain_score(assessment_id bigint, domain_id bigint)
RETURNS TABLE(score double precision, percentage double precision, answered bigint, applicable bigint,
              coverage double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL),
           pg_catalog.sum(r.weight * r.percentage) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL),
           pg_catalog.count(r.percentage),
           pg_catalog.count(*) FILTER (WHERE r.applicable),
           100 * pg_catalog.count(r.percentage)::double precision
               / NULLIF(pg_catalog.count(*) FILTER (WHERE r.applicable), 0)
    FROM @extschema@.assessment_requirement_values(assessment_domain_score.assessment_id) r
    WHERE r.domain_id = assessment_domain_score.domain_id;
END;
COMMENT ON FUNCTION @extschema@.assessment_domain_score(bigint, bigint) IS
'Of a domain in an assessment: weighted mean score (framework scale) and percentage of the answered scored requirements in scope, how many are answered and applicable, and coverage = 100 x answered / applicable.';

-- The totals of an assessment: per-domain means weighted by the domain's scored requirements.
CREATE FUNCTION @extschema@.assessment_total_score(assessment_id bigint)
RETURNS TABLE(total_score double precision, total_percentage double precision, mean_score double precision,
              mean_percentage double precision, requirements bigint, answered bigint, applicable bigint,
              coverage double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH r AS (
        SELECT * FROM @extschema@.assessment_requirement_values(assessment_total_score.assessment_id)
    ), a AS (
        SELECT f.framework_id, f.scale_min, f.scale_max
        FROM @extschema@.assessments x JOIN @extschema@.frameworks f ON f.framework_id = x.framework_id
        WHERE x.assessment_id = assessment_total_score.assessment_id
    ), d AS (
        -- every domain with scored requirements, their number (the whole framework's, so that
        -- totals of different scopes and the peer releases' add up alike) and the domain mean
        SELECT q.domain_id, pg_catalog.count(*) AS n,
               (SELECT pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL)
                FROM r WHERE r.domain_id IS NOT DISTINCT FROM q.domain_id) AS mean
        FROM a JOIN @extschema@.questions q ON q.framework_id = a.framework_id AND q.scored
        GROUP BY q.domain_id
    ), t AS (
        SELECT pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL) AS mean,
               pg_catalog.sum(r.weight * r.percentage) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL) AS pct,
               pg_catalog.count(*) AS n, pg_catalog.count(r.percentage) AS answered,
               pg_catalog.count(*) FILTER (WHERE r.applicable) AS applicable
        FROM r
    ), s AS (
        -- sum over domains of scored requirements x domain mean when every domain has a
        -- mean, else scored requirements x the mean over all answers
        SELECT COALESCE(CASE WHEN pg_catalog.count(d.mean) = pg_catalog.count(*) THEN pg_catalog.sum(d.n * d.mean) END,
                        pg_catalog.sum(d.n) * (SELECT t.mean FROM t)) AS total,
               pg_catalog.sum(d.n) AS n
        FROM d
    )
    SELECT s.total,
           100 * (s.total / s.n - a.scale_min) / (a.scale_max - a.scale_min),
           t.mean, t.pct, t.n, t.answered, t.applicable,
           100 * t.answered::double precision / NULLIF(t.applicable, 0)
    FROM s, t, a;
END;
COMMENT ON FUNCTION @extschema@.assessment_total_score(bigint) IS
'Totals of an assessment: total score = sum over domains of the framework''s scored requirements x domain mean (or scored requirements x the mean of all answers while a domain has none), its percentage of the scale, the mean score and percentage of the answers, requirements in scope, answered, applicable and coverage.';
