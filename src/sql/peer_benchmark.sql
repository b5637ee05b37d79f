-- Peer figures for tenants: read from the latest peer release
-- (peer_release.sql), returned only as aggregates, for an organization the caller
-- may see.
--
-- The live distributions (peer_domain_scores, peer_question_rates,
-- peer_total_scores in views.sql) return peer_dist values, whose text form lists
-- every peer's value; they are for administrators only. The views get their peer
-- figures from the three functions below instead. Each is SECURITY DEFINER (it reads the
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


-- The peers of an organization's item (kind, item_id, peer group) in a release that the
-- session cannot see (not the organization, not in visible), each with its unit (peer_unit).
CREATE FUNCTION @extschema@.peer_release_hidden_peers(release_id bigint, organization_id bigint, framework_id bigint,
                                                      kind text, item_id bigint, peer_group text, visible bigint[])
RETURNS TABLE(organization_id bigint, value double precision, unit text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT g.organization_id, g.value, u.unit
    FROM @extschema@.peer_release_figures g
    CROSS JOIN LATERAL @extschema@.peer_unit(g.organization_id) u
    WHERE g.release_id = peer_release_hidden_peers.release_id AND g.framework_id = peer_release_hidden_peers.framework_id
      AND g.kind = peer_release_hidden_peers.kind AND g.item_id = peer_release_hidden_peers.item_id
      AND g.peer_group = peer_release_hidden_peers.peer_group
      AND g.organization_id <> peer_release_hidden_peers.organization_id
      AND g.organization_id <> ALL (peer_release_hidden_peers.visible);
END;
COMMENT ON FUNCTION @extschema@.peer_release_hidden_peers(bigint, bigint, bigint, text, bigint, text, bigint[]) IS
'The peers of an organization''s item in a release outside the visible organizations, with their value and unit (peer_unit: the lowest tenant role mapped, else the organization).';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_release_hidden_peers(bigint, bigint, bigint, text, bigint, text, bigint[]) FROM PUBLIC;

-- True when a tenant may be shown the figure of an item of an organization in a release: at
-- least k parties among the hidden peers, and outside any one of those parties the hidden peers
-- do not all share one value. The hidden peers are read in value order (the item's index),
-- stopping early: the parties until k are found; and since a party outside which all hidden
-- peers share one value v holds every hidden peer of another value, it is the party of the
-- lowest or of the highest hidden peer (one of them differs from v), so only those two are tried.
CREATE FUNCTION @extschema@.peer_release_item_shown(release_id bigint, organization_id bigint, framework_id bigint,
                                                    kind text, item_id bigint, peer_group text, visible bigint[],
                                                    k integer)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
-- its statements are the same for every item but their parameters: planned once, not per call
SET plan_cache_mode = force_generic_plan AS
$$
DECLARE
    parties     text[] := '{}';
    unit        text;
    lowest      text;
    vmin_l      double precision;
    vmax_l      double precision;
    vmin_h      double precision;
    vmax_h      double precision;
BEGIN
    FOR unit IN
        SELECT h.unit FROM @extschema@.peer_release_hidden_peers(release_id, organization_id, framework_id, kind,
                                                                 item_id, peer_group, visible) h
        ORDER BY h.value
    LOOP
        lowest := COALESCE(lowest, unit);
        IF unit <> ALL (parties) THEN
            parties := parties || unit;
            EXIT WHEN pg_catalog.cardinality(parties) >= k;
        END IF;
    END LOOP;
    IF pg_catalog.cardinality(parties) < k THEN
        RETURN false;
    END IF;
    -- the lowest and highest hidden values outside the party of the lowest and outside the
    -- party of the highest hidden peer, in one statement
    SELECT (SELECT h.value FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
            WHERE h.unit <> lowest ORDER BY h.value LIMIT 1),
           (SELECT h.value FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
            WHERE h.unit <> lowest ORDER BY h.value DESC LIMIT 1),
           (SELECT h.value FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
            WHERE h.unit <> t.highest ORDER BY h.value LIMIT 1),
           (SELECT h.value FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
            WHERE h.unit <> t.highest ORDER BY h.value DESC LIMIT 1)
    INTO vmin_l, vmax_l, vmin_h, vmax_h
    FROM (SELECT (SELECT h.unit FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
                  ORDER BY h.value DESC LIMIT 1) AS highest) t;
    RETURN COALESCE(vmin_l < vmax_l AND vmin_h < vmax_h, false);
END
$$;
COMMENT ON FUNCTION @extschema@.peer_release_item_shown(bigint, bigint, bigint, text, bigint, text, bigint[], integer) IS
'True when a tenant may be shown an organization''s figure of an item in a release: at least k parties (units: a tenant role, or an unmapped organization) among the peers outside the visible organizations, and outside any one of those parties the hidden peers do not all share one value.';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_release_item_shown(bigint, bigint, bigint, text, bigint, text, bigint[], integer) FROM PUBLIC;

-- The organization's figures of one kind in the latest release, those the caller may get.
-- Where the release holds the organization in its current peer group (in_release), its own
-- figures among its peers (the others); otherwise (a newcomer: assessed after the release,
-- below its minimum coverage then, or moved to the group since) the group's figures over the
-- release's members, which do not include it: a count and a mean, no value of its own, so no
-- percentile, rank or deviation score. Score items (domains and total) follow the
-- organization's total: its own all, or the group's all; a question, its own row. The
-- hidden-peer rule is the same for both. Score figures come all or none: the total is the
-- domains combined, so withholding one domain alone would not hide it.
CREATE FUNCTION @extschema@.peer_release_rows(organization_id bigint, framework_id bigint, kind text)
RETURNS TABLE(item_id bigint, in_release boolean, peer_count bigint, peer_mean double precision,
              peer_stddev double precision, value double precision, peers_below bigint, peers_equal bigint,
              peers_above bigint, published_at timestamptz)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    caller      regrole := @extschema@.calling_role();
    is_admin    boolean := @extschema@.peer_access(caller, organization_id);
    visible     bigint[] := ARRAY(SELECT @extschema@.session_visible_organizations(caller));
    k           integer := pg_catalog.current_setting('ismseval.min_peer_group')::integer;
    rel         bigint := (SELECT pg_catalog.max(r.release_id) FROM @extschema@.peer_releases r);
    grp         text := (SELECT @extschema@.peer_group(o.core_business, o.size_band) FROM @extschema@.organizations o
                         WHERE o.organization_id = peer_release_rows.organization_id);
    kinds       text[] := CASE WHEN kind = 'question' THEN ARRAY['question'] ELSE ARRAY['domain', 'total'] END;
BEGIN
    RETURN QUERY
    WITH own AS (
        -- the organization's rows in its current group
        SELECT f.* FROM @extschema@.peer_release_figures f
        WHERE f.release_id = rel AND f.organization_id = peer_release_rows.organization_id
          AND f.framework_id = peer_release_rows.framework_id AND f.kind = ANY (kinds) AND f.peer_group = grp
    ), figs AS (
        SELECT f.kind, f.item_id, true AS in_release, f.peer_count, f.peer_mean, f.peer_stddev, f.value,
               f.peers_below, f.peers_equal, f.peers_above, f.published_at
        FROM own f
        UNION ALL
        -- the group's, for the items the organization is not in
        SELECT g.kind, g.item_id, false, g.members, g.mean, NULL, NULL, NULL, NULL, NULL, g.published_at
        FROM @extschema@.peer_release_groups g
        WHERE g.release_id = rel AND g.framework_id = peer_release_rows.framework_id AND g.peer_group = grp
          AND g.kind = ANY (kinds)
          AND NOT EXISTS (SELECT FROM own o
                          WHERE o.kind = 'total' OR (o.kind = g.kind AND o.item_id = g.item_id))
    ), shown AS (
        -- administrators, who read every row anyway: the plain floor; tenants: by parties
        SELECT f.kind, f.item_id,
               f.peer_count >= k
               AND (is_admin OR @extschema@.peer_release_item_shown(rel, peer_release_rows.organization_id,
                                                                   peer_release_rows.framework_id, f.kind,
                                                                   f.item_id, grp, visible, k)) AS ok
        FROM figs f
    )
    SELECT f.item_id, f.in_release, f.peer_count, f.peer_mean, f.peer_stddev, f.value, f.peers_below,
           f.peers_equal, f.peers_above, f.published_at
    FROM figs f JOIN shown s ON s.kind = f.kind AND s.item_id = f.item_id
    WHERE f.kind = peer_release_rows.kind
      AND CASE WHEN f.kind = 'question' THEN s.ok
               -- a score figure: it and every other score figure of the organization shown
               ELSE NOT EXISTS (SELECT FROM shown t WHERE NOT t.ok) END;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_release_rows(bigint, bigint, text) IS
'The organization''s figures of a framework and kind in the latest peer release that the calling role may get (42501 for an organization it may not see): its own among its peers where the release holds it in its current peer group (in_release), else its group''s over the release''s members (count and mean only); for an administrator those with at least ismseval.min_peer_group peers; for a tenant those with at least that many parties among the peers it cannot see, not all of one value outside any one party (peer_release_item_shown); score figures all or none.';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_release_rows(bigint, bigint, text) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The three peer-figure functions
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.peer_domain_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(domain_id bigint, peer_count bigint, peer_mean double precision,
              peer_percentile double precision, as_of timestamptz, in_peer_release boolean)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT f.item_id, f.peer_count, f.peer_mean,
           -- of the organization's published value: none when the release does not hold it
           CASE WHEN f.in_release
                THEN 100 * (f.peers_below + 0.5 * f.peers_equal)::double precision / f.peer_count END,
           f.published_at, f.in_release
    FROM @extschema@.peer_release_rows(peer_domain_benchmark.organization_id,
                                       peer_domain_benchmark.framework_id, 'domain') f;
END;
COMMENT ON FUNCTION @extschema@.peer_domain_benchmark(bigint, bigint) IS
'Per control domain, from the latest peer release: number of peers, their mean domain score, the organization''s percentile among them (mid-rank, of its value at publication) and when the figures were published. in_peer_release false: the release does not hold the organization in its peer group (assessed after it, below the minimum coverage then, or moved to the group since), and the figures are the group''s members'' (not including it), without a percentile. Only for organizations the caller may see, and only where enough peers hidden from the caller stand behind the figures.';

CREATE FUNCTION @extschema@.peer_question_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(question_id bigint, peer_count bigint, peer_rate_pct double precision, as_of timestamptz,
              in_peer_release boolean)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT f.item_id, f.peer_count, f.peer_mean, f.published_at, f.in_release
    FROM @extschema@.peer_release_rows(peer_question_benchmark.organization_id,
                                       peer_question_benchmark.framework_id, 'question') f;
END;
COMMENT ON FUNCTION @extschema@.peer_question_benchmark(bigint, bigint) IS
'Per small question, from the latest peer release: peers answering yes or no and the peer implementation rate, 100 x yes / (yes + no); in_peer_release false: the release does not hold the organization''s answer in its peer group, and the figures are over all the group''s members that answered. Same access and floor rules as peer_domain_benchmark.';

CREATE FUNCTION @extschema@.peer_total_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(peer_count bigint, peer_mean_total double precision, peer_percentile double precision,
              deviation_score double precision, peer_rank bigint, as_of timestamptz, in_peer_release boolean)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT f.peer_count, f.peer_mean,
           -- percentile, deviation score and rank of the organization's published total:
           -- none when the release does not hold it
           CASE WHEN f.in_release
                THEN 100 * (f.peers_below + 0.5 * f.peers_equal)::double precision / f.peer_count END,
           CASE WHEN NOT f.in_release THEN NULL
                WHEN f.peer_stddev = 0 THEN 50::double precision
                ELSE 50 + 10 * (f.value - f.peer_mean) / f.peer_stddev END,
           CASE WHEN f.in_release THEN f.peers_above + 1 END,
           f.published_at, f.in_release
    FROM @extschema@.peer_release_rows(peer_total_benchmark.organization_id,
                                       peer_total_benchmark.framework_id, 'total') f;
END;
COMMENT ON FUNCTION @extschema@.peer_total_benchmark(bigint, bigint) IS
'From the latest peer release: number of peers, their mean total score, the organization''s percentile, deviation score (50 + 10 x (own - mean) / population sd; 50 when sd = 0) and rank (1 + peers with a higher total) among them, of its total at publication, and when published; no row below the floor. in_peer_release false: the release does not hold the organization in its peer group, and the count and mean are the group''s members'' (not including it), without percentile, deviation score or rank. Same access and floor rules as peer_domain_benchmark.';
