-- Peer figures for tenants (issue 5): computed over every peer, returned only
-- as aggregates, for an organization the caller may see.
--
-- The 0.3.0 helpers (peer_domain_scores, peer_question_rates, peer_total_scores)
-- return peer_dist values, whose text form lists every peer's value; they are
-- now for administrators only (tenancy.sql). The views get their peer figures
-- from the three functions below instead. Each is SECURITY DEFINER (it reads
-- the peers' rows, which row-level security hides from a tenant) with
-- search_path pinned to pg_catalog, pg_temp and every name qualified, and:
--   - refuses (42501) an organization the calling role may not see
--     (role_may_access(calling_role(), organization_id));
--   - takes no value from the caller: the organization's own score is read from its
--     stored assessment;
--   - gives the percentile and the rank to administrators only. A tenant can write its
--     own assessment, so for a tenant the own score is a value of its choosing: reading
--     the percentile (or rank) of one value after another would tell it how many peers
--     hold each value, that is every peer's value (found in review). The count, mean and
--     deviation score depend on the peers only through their number, mean and standard
--     deviation, which no choice of own score reveals more of;
--   - publishes a figure only when at least ismseval.min_peer_group of the peers
--     behind it are organizations the caller may NOT see. A tenant that can see
--     some peers (its own other organizations) knows their values; were they
--     counted towards the floor, it could subtract them from a mean and isolate
--     the rest. Administrators, who may read every row anyway, get the plain
--     floor (at least ismseval.min_peer_group peers), as in 0.3.0.

-- Each peer of an organization (same core_business and size_band, not itself) with
-- its latest organization-wide assessment of a framework, and whether the session may
-- see the peer as a tenant: the peer is mapped to a role that role is a member of, or
-- that the session user is a member of (it could SET ROLE to it and read the peer's
-- rows) unless the session user is an administrator (superusers are), trusted to act
-- for the role it sets, as a platform's pooled connection does.
CREATE FUNCTION @extschema@.peer_assessments(organization_id bigint, framework_id bigint, role regrole)
RETURNS TABLE(peer_id bigint, assessment_id bigint, visible boolean)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT p.organization_id, pa.assessment_id,
           EXISTS (SELECT FROM @extschema@.tenant_organizations m
                   WHERE m.organization_id = p.organization_id
                     AND (pg_catalog.pg_has_role(role, m.tenant_role, 'MEMBER')
                          OR (NOT pg_catalog.pg_has_role(SESSION_USER, 'ismseval_admin', 'USAGE')
                              AND pg_catalog.pg_has_role(SESSION_USER, m.tenant_role, 'MEMBER'))))
    FROM @extschema@.organizations o
    JOIN @extschema@.organizations p
      ON p.core_business = o.core_business AND p.size_band = o.size_band
     AND p.organization_id <> o.organization_id
    CROSS JOIN LATERAL (
        SELECT a.assessment_id FROM @extschema@.assessments a
        WHERE a.organization_id = p.organization_id AND a.framework_id = peer_assessments.framework_id
          AND a.department_id IS NULL
        ORDER BY a.assessed_on DESC, a.assessment_id DESC LIMIT 1
    ) pa
    WHERE o.organization_id = peer_assessments.organization_id;
END;
COMMENT ON FUNCTION @extschema@.peer_assessments(bigint, bigint, regrole) IS
'The peers of an organization with their latest organization-wide assessment of the framework, and whether role sees each peer through tenant_organizations.';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_assessments(bigint, bigint, regrole) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.peer_assessments(bigint, bigint, regrole) TO ismseval_admin;

-- The organization's own latest organization-wide assessment of a framework.
CREATE FUNCTION @extschema@.own_assessment(organization_id bigint, framework_id bigint)
RETURNS bigint
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT la.assessment_id FROM @extschema@.latest_assessments(own_assessment.organization_id) la
    WHERE la.framework_id = own_assessment.framework_id;
END;
COMMENT ON FUNCTION @extschema@.own_assessment(bigint, bigint) IS
'The organization''s latest organization-wide assessment of the framework (NULL when none).';

-- Raises 42501 unless the calling role may see the organization; returns whether
-- the caller is an administrator (who gets the plain floor).
CREATE FUNCTION @extschema@.peer_access(role regrole, organization_id bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
BEGIN
    IF role IS NULL OR organization_id IS NULL
       OR NOT @extschema@.role_may_access(role, organization_id) THEN
        RAISE EXCEPTION 'permission denied for peer figures of organization %', organization_id
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Peer figures are given for the organizations mapped to your role in ismseval.tenant_organizations.';
    END IF;
    RETURN pg_catalog.pg_has_role(role, 'ismseval_admin', 'USAGE');
END
$$;
COMMENT ON FUNCTION @extschema@.peer_access(regrole, bigint) IS
'Raises 42501 unless role may see the organization; true when role is an administrator.';

-- True when a figure over peers may be shown: administrators need the plain floor
-- (checked by the peer_dist functions), tenants that many peers they cannot see.
CREATE FUNCTION @extschema@.peer_floor_met(is_admin boolean, hidden_peers bigint)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN is_admin OR hidden_peers >= pg_catalog.current_setting('ismseval.min_peer_group')::integer;
COMMENT ON FUNCTION @extschema@.peer_floor_met(boolean, bigint) IS
'True for administrators, else when hidden_peers (peers the caller cannot see) reaches ismseval.min_peer_group.';

-- ---------------------------------------------------------------------------
-- The three peer-figure functions
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.peer_domain_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(domain_id bigint, peer_count bigint, peer_mean double precision,
              peer_percentile double precision)
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
#variable_conflict use_column
DECLARE
    caller      regrole := @extschema@.calling_role();
    is_admin    boolean := @extschema@.peer_access(caller, organization_id);
    own_id      bigint := @extschema@.own_assessment(organization_id, framework_id);
BEGIN
    RETURN QUERY
    WITH peer_scores AS (
        SELECT q.domain_id, pa.visible, pg_catalog.avg(an.score)::double precision AS score
        FROM @extschema@.peer_assessments(peer_domain_benchmark.organization_id,
                                          peer_domain_benchmark.framework_id, caller) pa
        JOIN @extschema@.answers an ON an.assessment_id = pa.assessment_id
        JOIN @extschema@.questions q ON q.question_id = an.question_id AND q.is_large
        GROUP BY q.domain_id, pa.peer_id, pa.visible
    ), dists AS (
        SELECT s.domain_id, @extschema@.peer_dist(s.score) AS dist,
               pg_catalog.count(*) FILTER (WHERE NOT s.visible) AS hidden
        FROM peer_scores s WHERE s.score IS NOT NULL
        GROUP BY s.domain_id
    ), own AS (
        SELECT q.domain_id, pg_catalog.avg(an.score)::double precision AS score
        FROM @extschema@.answers an
        JOIN @extschema@.questions q ON q.question_id = an.question_id AND q.is_large
        WHERE an.assessment_id = own_id
        GROUP BY q.domain_id
    )
    SELECT d.domain_id, @extschema@.peer_count(d.dist), @extschema@.peer_mean(d.dist),
           CASE WHEN is_admin THEN @extschema@.peer_percentile(d.dist, own.score) END
    FROM dists d LEFT JOIN own ON own.domain_id = d.domain_id
    WHERE @extschema@.peer_floor_met(is_admin, d.hidden);
END
$$;
COMMENT ON FUNCTION @extschema@.peer_domain_benchmark(bigint, bigint) IS
'Per control domain: number of peers, their mean domain score and (for administrators) the organization''s own percentile among them (latest organization-wide assessments of the framework); only for organizations the caller may see, and only where enough peers hidden from the caller stand behind the figures.';

CREATE FUNCTION @extschema@.peer_question_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(question_id bigint, peer_count bigint, peer_rate_pct double precision)
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
#variable_conflict use_column
DECLARE
    caller      regrole := @extschema@.calling_role();
    is_admin    boolean := @extschema@.peer_access(caller, organization_id);
BEGIN
    RETURN QUERY
    WITH dists AS (
        SELECT an.question_id,
               @extschema@.peer_dist(CASE WHEN an.answer_yes THEN 100::double precision
                                          ELSE 0::double precision END) AS dist,
               pg_catalog.count(*) FILTER (WHERE NOT pa.visible) AS hidden
        FROM @extschema@.peer_assessments(peer_question_benchmark.organization_id,
                                          peer_question_benchmark.framework_id, caller) pa
        JOIN @extschema@.answers an ON an.assessment_id = pa.assessment_id AND an.answer_yes IS NOT NULL
        GROUP BY an.question_id
    )
    SELECT d.question_id, @extschema@.peer_count(d.dist), @extschema@.peer_mean(d.dist)
    FROM dists d
    WHERE @extschema@.peer_floor_met(is_admin, d.hidden);
END
$$;
COMMENT ON FUNCTION @extschema@.peer_question_benchmark(bigint, bigint) IS
'Per small question: number of peers answering yes or no and the peer implementation rate, 100 x yes / (yes + no); same access and floor rules as peer_domain_benchmark.';

CREATE FUNCTION @extschema@.peer_total_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(peer_count bigint, peer_mean_total double precision, peer_percentile double precision,
              deviation_score double precision, peer_rank bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
#variable_conflict use_column
DECLARE
    caller      regrole := @extschema@.calling_role();
    is_admin    boolean := @extschema@.peer_access(caller, organization_id);
    own_id      bigint := @extschema@.own_assessment(organization_id, framework_id);
    large       bigint;
    own_total   double precision;
BEGIN
    SELECT pg_catalog.count(*) INTO large FROM @extschema@.questions q
    WHERE q.framework_id = peer_total_benchmark.framework_id AND q.is_large;
    SELECT pg_catalog.avg(an.score)::double precision * large INTO own_total
    FROM @extschema@.answers an WHERE an.assessment_id = own_id AND an.score IS NOT NULL;
    RETURN QUERY
    WITH totals AS (
        SELECT pa.visible, t.total
        FROM @extschema@.peer_assessments(peer_total_benchmark.organization_id,
                                          peer_total_benchmark.framework_id, caller) pa
        CROSS JOIN LATERAL (
            SELECT pg_catalog.avg(an.score)::double precision * large AS total
            FROM @extschema@.answers an
            WHERE an.assessment_id = pa.assessment_id AND an.score IS NOT NULL
        ) t
        WHERE t.total IS NOT NULL
    ), agg AS (
        SELECT @extschema@.peer_dist(t.total) AS dist,
               pg_catalog.count(*) FILTER (WHERE NOT t.visible) AS hidden,
               pg_catalog.count(*) FILTER (WHERE t.total > own_total) AS higher
        FROM totals t
    )
    SELECT @extschema@.peer_count(a.dist), @extschema@.peer_mean(a.dist),
           CASE WHEN is_admin THEN @extschema@.peer_percentile(a.dist, own_total) END,
           @extschema@.peer_deviation_score(a.dist, own_total),
           CASE WHEN is_admin AND @extschema@.peer_count(a.dist) IS NOT NULL AND own_total IS NOT NULL
                THEN a.higher + 1 END
    FROM agg a
    WHERE @extschema@.peer_floor_met(is_admin, a.hidden);
END
$$;
COMMENT ON FUNCTION @extschema@.peer_total_benchmark(bigint, bigint) IS
'The organization''s total score among its peers: number of peers, their mean total, its deviation score, and (for administrators) its percentile and rank (1 + peers with a higher total); no row below the floor. Same access and floor rules as peer_domain_benchmark.';

-- ---------------------------------------------------------------------------
-- The views take their peer figures from these functions (same columns, so
-- their comments, grants and dependent views stay).
-- ---------------------------------------------------------------------------

CREATE OR REPLACE VIEW @extschema@.maturity_by_domain WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.core_business,
       o.size_band,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       d.code AS domain,
       d.name AS domain_name,
       d.display_order,
       own.score AS own_score,
       own.answered AS answered_questions,
       pr.peer_mean AS peer_score,
       pr.peer_count AS peer_count,
       own.score - pr.peer_mean AS gap_to_peers,
       COALESCE(mt.target, f.default_target) AS target,
       own.score - COALESCE(mt.target, f.default_target) AS gap_to_target,
       pr.peer_percentile AS peer_percentile
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = la.framework_id
CROSS JOIN LATERAL (
    SELECT pg_catalog.avg(an.score)::double precision AS score, pg_catalog.count(an.score) AS answered
    FROM @extschema@.questions q
    JOIN @extschema@.answers an ON an.question_id = q.question_id AND an.assessment_id = la.assessment_id
    WHERE q.domain_id = d.domain_id AND q.is_large
) own
LEFT JOIN LATERAL @extschema@.peer_domain_benchmark(o.organization_id, la.framework_id) pr
       ON pr.domain_id = d.domain_id
LEFT JOIN @extschema@.maturity_targets mt
       ON mt.organization_id = o.organization_id AND mt.domain_id = d.domain_id;

CREATE OR REPLACE VIEW @extschema@.question_peer_rate WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       d.code AS domain,
       lq.code AS large_question,
       q.question_id,
       q.code AS question,
       q.text AS question_text,
       an.answer_yes AS own_answer_yes,
       COALESCE(an.not_applicable, false) AS own_not_applicable,
       pr.peer_rate_pct AS peer_rate_pct,
       pr.peer_count AS peer_count
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.questions q ON q.framework_id = la.framework_id AND NOT q.is_large
JOIN @extschema@.questions lq ON lq.question_id = q.parent_id
JOIN @extschema@.control_domains d ON d.domain_id = q.domain_id
LEFT JOIN @extschema@.answers an ON an.assessment_id = la.assessment_id AND an.question_id = q.question_id
LEFT JOIN LATERAL @extschema@.peer_question_benchmark(o.organization_id, la.framework_id) pr
       ON pr.question_id = q.question_id;

CREATE OR REPLACE VIEW @extschema@.org_benchmark WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       o.core_business,
       o.size_band,
       o.core_business || ' / ' || o.size_band AS peer_group,
       own.total_score,
       own.mean_score,
       own.answered AS answered_questions,
       pr.peer_count AS peer_count,
       pr.peer_mean_total AS peer_mean_total,
       pr.peer_percentile AS peer_percentile,
       pr.deviation_score AS deviation_score,
       pr.peer_rank AS peer_rank,
       pr.peer_count + 1 AS ranked_organizations
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
LEFT JOIN LATERAL @extschema@.peer_total_benchmark(o.organization_id, la.framework_id) pr ON true;

-- management_review read maturity_by_domain twice (once for the weakest domain, once
-- for the counts), so each dashboard computed the peer domain figures twice; one pass
-- now gives all three (same columns, same values).
CREATE OR REPLACE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       o.core_business || ' / ' || o.size_band AS peer_group,
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
       nc.corrective_actions_overdue
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id
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


-- Column comments that change with tenancy (percentile and rank: administrators only).
DO $comments$
DECLARE
    v text;
BEGIN
    FOREACH v IN ARRAY ARRAY['maturity_by_domain', 'org_benchmark', 'management_review'] LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.peer_percentile IS %L', v,
            'Percentile of the organization among its peers, mid-rank: 100 x (peers below + 0.5 x peers equal) / peers; '
            'NULL below the minimum peer group, and for tenants (a tenant sets its own score, so its percentile '
            'at chosen scores would reveal the peers'' values).');
    END LOOP;
    FOREACH v IN ARRAY ARRAY['org_benchmark', 'management_review'] LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.peer_rank IS %L', v,
            'Rank of the total among the organization and its peers: 1 + peers with a higher total; '
            'NULL below the minimum peer group, and for tenants (as peer_percentile).');
    END LOOP;
END
$comments$;
