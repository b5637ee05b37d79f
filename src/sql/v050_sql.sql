-- 0.5.0, issue 10 (SQL side): the peer floor counts parties, writes that must agree
-- serialize, releases compute against the newest base and only release_peer_figures
-- writes them, the loader's bad-row path is linear and works in any database encoding,
-- and every trigger function and SECURITY DEFINER function pins search_path.

-- ---------------------------------------------------------------------------
-- 1. The hidden-peer floor counts parties, not organizations.
--
-- One customer mapped through two tenant roles (one organization under the first, six
-- under the second) plus one unmapped organization: the first role's login saw 7 hidden
-- peers and got the figures; the customer knows its six, so 7 x mean - their sum gave the
-- eighth organization's values. A party is the unit a release counts (peer_unit: the
-- lowest tenant role mapped to the organization, else the organization): a figure is
-- shown to a tenant only when at least ismseval.min_peer_group parties stand behind it
-- among the peers the session cannot see, and when the hidden peers outside any one of
-- those parties do not all share one value (a reader that knows one hidden party, such as
-- its own customer's other role, would otherwise learn every other hidden peer's value;
-- this also covers a unanimous group).
-- ---------------------------------------------------------------------------

-- Per item of the organization's figures in a release (of the given kinds): the parties
-- among the peers hidden from the session (not in visible), and how many of them are left
-- once the largest set of parties sharing one single value is set aside.
CREATE FUNCTION @extschema@.peer_release_hidden_parties(release_id bigint, organization_id bigint,
                                                        framework_id bigint, kinds text[], visible bigint[])
RETURNS TABLE(kind text, item_id bigint, parties bigint, varied_parties bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH own AS (
        SELECT f.kind, f.item_id, f.peer_group
        FROM @extschema@.peer_release_figures f
        WHERE f.release_id = peer_release_hidden_parties.release_id
          AND f.organization_id = peer_release_hidden_parties.organization_id
          AND f.framework_id = peer_release_hidden_parties.framework_id
          AND f.kind = ANY (peer_release_hidden_parties.kinds)
    ), hidden AS (
        SELECT g.kind, g.item_id, g.organization_id, g.value
        FROM own o
        JOIN @extschema@.peer_release_figures g
          ON g.release_id = peer_release_hidden_parties.release_id
         AND g.framework_id = peer_release_hidden_parties.framework_id
         AND g.kind = o.kind AND g.item_id = o.item_id AND g.peer_group = o.peer_group
        WHERE g.organization_id <> peer_release_hidden_parties.organization_id
          AND g.organization_id <> ALL (peer_release_hidden_parties.visible)
    ), units AS (
        -- each hidden organization's party, looked up once
        SELECT h.organization_id, @extschema@.peer_unit(h.organization_id) AS unit
        FROM (SELECT DISTINCT x.organization_id FROM hidden x) h
    ), party AS (
        SELECT h.kind, h.item_id, u.unit, pg_catalog.min(h.value) AS lo, pg_catalog.max(h.value) AS hi
        FROM hidden h JOIN units u ON u.organization_id = h.organization_id
        GROUP BY h.kind, h.item_id, u.unit
    ), by_value AS (
        -- parties per lowest value; "pure" when all the party's hidden peers have that value
        SELECT p.kind, p.item_id, p.lo = p.hi AS pure, pg_catalog.count(*) AS n
        FROM party p
        GROUP BY p.kind, p.item_id, p.lo, p.lo = p.hi
    )
    SELECT o.kind, o.item_id,
           COALESCE(pg_catalog.sum(b.n), 0)::bigint,
           (COALESCE(pg_catalog.sum(b.n), 0) - COALESCE(pg_catalog.max(b.n) FILTER (WHERE b.pure), 0))::bigint
    FROM own o
    LEFT JOIN by_value b ON b.kind = o.kind AND b.item_id = o.item_id
    GROUP BY o.kind, o.item_id;
END;
COMMENT ON FUNCTION @extschema@.peer_release_hidden_parties(bigint, bigint, bigint, text[], bigint[]) IS
'Per item of an organization''s figures in a release: parties (units: a tenant role, or an unmapped organization) among the peers outside the visible organizations, and varied_parties = parties minus the largest number of them whose hidden peers all share one single value. A tenant sees a figure when parties >= ismseval.min_peer_group and varied_parties >= 2.';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_release_hidden_parties(bigint, bigint, bigint, text[], bigint[]) FROM PUBLIC;

-- The organization's published figures of one kind in the latest release, those the caller
-- may get. Score figures (domains and total) come all or none: the total is the domains
-- combined, so withholding one domain alone would not hide it.
CREATE OR REPLACE FUNCTION @extschema@.peer_release_rows(organization_id bigint, framework_id bigint, kind text)
RETURNS SETOF @extschema@.peer_release_figures
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    caller      regrole := @extschema@.calling_role();
    is_admin    boolean := @extschema@.peer_access(caller, organization_id);
    visible     bigint[] := ARRAY(SELECT @extschema@.session_visible_organizations(caller));
    k           integer := pg_catalog.current_setting('ismseval.min_peer_group')::integer;
    rel         bigint := (SELECT pg_catalog.max(r.release_id) FROM @extschema@.peer_releases r);
    kinds       text[] := CASE WHEN kind = 'question' THEN ARRAY['question'] ELSE ARRAY['domain', 'total'] END;
BEGIN
    RETURN QUERY
    WITH figs AS (
        SELECT f.* FROM @extschema@.peer_release_figures f
        WHERE f.release_id = rel AND f.organization_id = peer_release_rows.organization_id
          AND f.framework_id = peer_release_rows.framework_id AND f.kind = ANY (kinds)
    ), shown AS (
        -- administrators, who read every row anyway: the plain floor; tenants: by parties
        SELECT f.kind, f.item_id,
               f.peer_count >= k AND (is_admin OR (p.parties >= k AND p.varied_parties >= 2)) AS ok
        FROM figs f
        LEFT JOIN @extschema@.peer_release_hidden_parties(
                      rel, peer_release_rows.organization_id, peer_release_rows.framework_id,
                      CASE WHEN is_admin THEN '{}'::text[] ELSE kinds END, visible) p
               ON p.kind = f.kind AND p.item_id = f.item_id
    )
    SELECT f.* FROM figs f JOIN shown s ON s.kind = f.kind AND s.item_id = f.item_id
    WHERE f.kind = peer_release_rows.kind
      AND CASE WHEN f.kind = 'question' THEN s.ok
               -- a score figure: it and every other score figure of the organization shown
               ELSE NOT EXISTS (SELECT FROM shown t WHERE NOT t.ok) END;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_release_rows(bigint, bigint, text) IS
'The organization''s rows of the latest peer release of a framework and kind that the calling role may get (42501 for an organization it may not see): for an administrator those with at least ismseval.min_peer_group peers; for a tenant those with at least that many parties among the peers it cannot see, not all of one value outside any one party (peer_release_hidden_parties); score figures all or none.';

-- Replaced by peer_release_hidden_parties, which counts parties.
DROP FUNCTION @extschema@.peer_release_figure_shown(@extschema@.peer_release_figures, boolean, bigint[]);

