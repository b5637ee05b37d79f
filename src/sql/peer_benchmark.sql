-- Peer figures for tenants (issue 5): read from the latest peer release
-- (peer_release.sql), returned only as aggregates, for an organization the caller
-- may see.
--
-- The 0.3.0 helpers (peer_domain_scores, peer_question_rates, peer_total_scores)
-- return peer_dist values, whose text form lists every peer's value; they are
-- now for administrators only (tenancy.sql). The views get their peer figures
-- from the three functions below instead. Each is SECURITY DEFINER (it reads the
-- release, which holds every organization's values and which no tenant may read)
-- with search_path pinned to pg_catalog, pg_temp and every name qualified, and:
--   - refuses (42501) an organization the calling role may not see
--     (role_may_access(calling_role(), organization_id));
--   - takes no value from the caller, and reads the figures of the latest release,
--     in which the organization's own value is the one frozen at publication and
--     the figures change only when enough other parties changed theirs (see
--     peer_release.sql): the percentile or rank of a value a tenant just wrote is
--     never computed;
--   - returns a figure only when at least ismseval.min_peer_group of the peers
--     behind it are organizations the session cannot see: a tenant that can see
--     some peers (its own other organizations, or those of another tenant role its
--     login can SET ROLE to) knows their values; were they counted towards the
--     floor, it could subtract them from a mean and isolate the rest.
--     Administrators, who may read every row anyway, get the plain floor (at least
--     ismseval.min_peer_group peers).

-- The organizations the session can see as a tenant: those mapped to a role that role
-- is a member of, or that the session user is a member of (it could SET ROLE to it and
-- read them), unless the session user is an administrator (superusers are), which is
-- trusted to act for the role it sets, as a platform's pooled connection does.
CREATE FUNCTION @extschema@.session_visible_organizations(role regrole)
RETURNS SETOF bigint
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT m.organization_id
    FROM @extschema@.tenant_organizations m
    WHERE m.tenant_role IN (
        SELECT r.oid FROM pg_catalog.pg_roles r
        WHERE pg_catalog.pg_has_role(role, r.oid, 'MEMBER')
           OR (NOT pg_catalog.pg_has_role(SESSION_USER, 'ismseval_admin', 'USAGE')
               AND pg_catalog.pg_has_role(SESSION_USER, r.oid, 'MEMBER')));
END;
COMMENT ON FUNCTION @extschema@.session_visible_organizations(regrole) IS
'Organizations mapped to a role that role, or the session user (unless an administrator), is a member of: the peers whose values the session may know.';
REVOKE EXECUTE ON FUNCTION @extschema@.session_visible_organizations(regrole) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.session_visible_organizations(regrole) TO ismseval_admin;

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

-- True when a published figure may be shown: for an administrator at least the floor of
-- peers; for a tenant at least the floor of peers it cannot see (peers in the visible
-- organizations do not count), and those hidden peers not all of one value (were they,
-- a mean or a rate would tell each one's value: 100 % yes means every peer said yes).
CREATE FUNCTION @extschema@.peer_release_figure_shown(f @extschema@.peer_release_figures, is_admin boolean,
                                                      visible bigint[])
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN f.peer_count >= pg_catalog.current_setting('ismseval.min_peer_group')::integer
   AND (is_admin
        OR (f.peer_count - (SELECT pg_catalog.count(*)
                            FROM pg_catalog.unnest(visible) v(organization_id)
                            JOIN @extschema@.peer_release_figures g
                              ON g.release_id = f.release_id AND g.organization_id = v.organization_id
                             AND g.framework_id = f.framework_id AND g.kind = f.kind AND g.item_id = f.item_id
                             AND g.peer_group = f.peer_group
                            WHERE v.organization_id <> f.organization_id)
                >= pg_catalog.current_setting('ismseval.min_peer_group')::integer
            AND (SELECT pg_catalog.max(g.value) > pg_catalog.min(g.value)
                 FROM @extschema@.peer_release_figures g
                 WHERE g.release_id = f.release_id AND g.framework_id = f.framework_id AND g.kind = f.kind
                   AND g.item_id = f.item_id AND g.peer_group = f.peer_group
                   AND g.organization_id <> f.organization_id
                   AND g.organization_id <> ALL (visible))));
COMMENT ON FUNCTION @extschema@.peer_release_figure_shown(@extschema@.peer_release_figures, boolean, bigint[]) IS
'True when a published figure may be shown: at least ismseval.min_peer_group peers; for a tenant at least that many peers outside the visible organizations, with at least two different values among them.';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_release_figure_shown(@extschema@.peer_release_figures, boolean, bigint[]) FROM PUBLIC;

-- The organization's published figures of one kind in the latest release, those the caller
-- may get. Score figures (domains and total) come all or none: the total is the domains
-- combined, so withholding one domain alone would not hide it.
CREATE FUNCTION @extschema@.peer_release_rows(organization_id bigint, framework_id bigint, kind text)
RETURNS SETOF @extschema@.peer_release_figures
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    caller      regrole := @extschema@.calling_role();
    is_admin    boolean := @extschema@.peer_access(caller, organization_id);
    visible     bigint[] := ARRAY(SELECT @extschema@.session_visible_organizations(caller));
BEGIN
    RETURN QUERY
    SELECT f.* FROM @extschema@.peer_release_figures f
    WHERE f.release_id = (SELECT pg_catalog.max(r.release_id) FROM @extschema@.peer_releases r)
      AND f.organization_id = peer_release_rows.organization_id
      AND f.framework_id = peer_release_rows.framework_id AND f.kind = peer_release_rows.kind
      AND CASE WHEN f.kind = 'question' THEN @extschema@.peer_release_figure_shown(f, is_admin, visible)
               -- a score figure: it and every other score figure of the organization shown
               ELSE NOT EXISTS (SELECT FROM @extschema@.peer_release_figures g
                                WHERE g.release_id = f.release_id AND g.organization_id = f.organization_id
                                  AND g.framework_id = f.framework_id AND g.kind IN ('domain', 'total')
                                  AND NOT @extschema@.peer_release_figure_shown(g, is_admin, visible)) END;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_release_rows(bigint, bigint, text) IS
'The organization''s rows of the latest peer release of a framework and kind that the calling role may get (42501 for an organization it may not see).';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_release_rows(bigint, bigint, text) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The three peer-figure functions
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.peer_domain_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(domain_id bigint, peer_count bigint, peer_mean double precision,
              peer_percentile double precision, as_of timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT f.item_id, f.peer_count, f.peer_mean,
           100 * (f.peers_below + 0.5 * f.peers_equal)::double precision / f.peer_count, f.published_at
    FROM @extschema@.peer_release_rows(peer_domain_benchmark.organization_id,
                                       peer_domain_benchmark.framework_id, 'domain') f;
END;
COMMENT ON FUNCTION @extschema@.peer_domain_benchmark(bigint, bigint) IS
'Per control domain, from the latest peer release: number of peers, their mean domain score, the organization''s percentile among them (mid-rank, of its value at publication) and when the figures were published; only for organizations the caller may see, and only where enough peers hidden from the caller stand behind the figures.';

CREATE FUNCTION @extschema@.peer_question_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(question_id bigint, peer_count bigint, peer_rate_pct double precision, as_of timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT f.item_id, f.peer_count, f.peer_mean, f.published_at
    FROM @extschema@.peer_release_rows(peer_question_benchmark.organization_id,
                                       peer_question_benchmark.framework_id, 'question') f;
END;
COMMENT ON FUNCTION @extschema@.peer_question_benchmark(bigint, bigint) IS
'Per small question, from the latest peer release: peers answering yes or no and the peer implementation rate, 100 x yes / (yes + no); same access and floor rules as peer_domain_benchmark.';

CREATE FUNCTION @extschema@.peer_total_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(peer_count bigint, peer_mean_total double precision, peer_percentile double precision,
              deviation_score double precision, peer_rank bigint, as_of timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT f.peer_count, f.peer_mean,
           100 * (f.peers_below + 0.5 * f.peers_equal)::double precision / f.peer_count,
           CASE WHEN f.peer_stddev = 0 THEN 50::double precision
                ELSE 50 + 10 * (f.value - f.peer_mean) / f.peer_stddev END,
           f.peers_above + 1, f.published_at
    FROM @extschema@.peer_release_rows(peer_total_benchmark.organization_id,
                                       peer_total_benchmark.framework_id, 'total') f;
END;
COMMENT ON FUNCTION @extschema@.peer_total_benchmark(bigint, bigint) IS
'From the latest peer release: number of peers, their mean total score, the organization''s percentile, deviation score (50 + 10 x (own - mean) / population sd; 50 when sd = 0) and rank (1 + peers with a higher total) among them, of its total at publication, and when published; no row below the floor. Same access and floor rules as peer_domain_benchmark.';

-- ---------------------------------------------------------------------------
-- The views take their peer figures from these functions (same columns, and one
-- more at the end, peer_figures_as_of; comments, grants and dependent views stay).
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
       pr.peer_percentile AS peer_percentile,
       pr.as_of AS peer_figures_as_of
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
       pr.peer_count AS peer_count,
       pr.as_of AS peer_figures_as_of
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


-- Column comments that change with peer releases, and the new column.
DO $comments$
DECLARE
    v text;
BEGIN
    FOREACH v IN ARRAY ARRAY['maturity_by_domain', 'org_benchmark', 'management_review'] LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.peer_percentile IS %L', v,
            'Percentile of the organization among its peers in the latest peer release, mid-rank: '
            '100 x (peers below + 0.5 x peers equal) / peers, of its value at publication; '
            'NULL below the minimum peer group (for a tenant: peers it cannot see).');
    END LOOP;
    FOREACH v IN ARRAY ARRAY['org_benchmark', 'management_review'] LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.peer_rank IS %L', v,
            'Rank of the total among the organization and its peers in the latest peer release: '
            '1 + peers with a higher total; NULL below the minimum peer group.');
    END LOOP;
    FOREACH v IN ARRAY ARRAY['org_benchmark', 'management_review'] LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.total_score IS %L', v,
            'Total score: sum over domains of large questions x domain mean (the plain sum when every question is '
            'answered; a not-applicable question takes its domain''s mean); when a domain has no scored answer, '
            'mean large-question score x number of large questions.');
    END LOOP;
    FOREACH v IN ARRAY ARRAY['maturity_by_domain', 'question_peer_rate', 'org_benchmark', 'management_review'] LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.peer_figures_as_of IS %L', v,
            'When the peer figures of the row were published (release_peer_figures); '
            'NULL when there are none: no release yet, or below the minimum peer group.');
    END LOOP;
END
$comments$;
