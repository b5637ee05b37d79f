-- Peer releases: peer figures are published
-- by an administrator in releases, and the views read the latest release.
--
-- Why. Figures computed at query time let a tenant (1) move its own score and read
-- its percentile at value after value, which tells it every peer's value, and (2)
-- compare figures before and after one peer's new assessment, which tells it that
-- peer's values. They also cost a read of the whole peer group on every dashboard.
--
-- A release stores, per organization and item, the organization's published value
-- and its figures among its peers. What a release may change is bounded so that the
-- difference between any two releases, and between linked items of one release, is
-- the work of more than ismseval.min_peer_group parties ("units": a tenant role,
-- with all organizations mapped to it, or an organization mapped to none):
--
--   - Score items (each domain mean, and the total) of a peer group and framework
--     are computed over one set of organizations, those with a scored answer in
--     every domain, and the total is linear in the domain means (sum over domains
--     of large questions x domain mean). So no combination of domain and total
--     figures isolates an organization that the other figures leave out.
--   - A domain takes the organizations' current means only when more than
--     min_peer_group units changed their mean of it since the last release;
--     otherwise it keeps the previously published means (which also keeps the
--     total from moving by a single party's change in it).
--   - Organizations join or leave that set only when, for every domain, the
--     joining and leaving units together with the units that changed the domain
--     are more than min_peer_group.
--   - A small question's figures are republished when more than min_peer_group
--     units changed their answer to it, else carried forward.
--
-- "More than", not "at least": the party reading the figures may itself be one of
-- the changed units, and the rest must still be min_peer_group. A tenant's own edits
-- alone never republish anything, so it cannot read its percentile at values of its
-- choosing. A dashboard reads a few rows by key, whatever the number of organizations.

CREATE TABLE @extschema@.peer_releases (
    release_id      bigserial PRIMARY KEY,
    released_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    min_changed     integer NOT NULL CONSTRAINT peer_releases_min_changed_positive CHECK (min_changed >= 2),
    note            text,
    min_coverage    integer NOT NULL CONSTRAINT peer_releases_min_coverage_percent CHECK (min_coverage BETWEEN 0 AND 100)
);
COMMENT ON TABLE @extschema@.peer_releases IS
'Releases of peer figures (release_peer_figures); the views show the latest.';
COMMENT ON COLUMN @extschema@.peer_releases.min_changed IS
'Changed units (tenant roles or unmapped organizations) an item needed to take new values in this release: ismseval.min_peer_group + 1.';
COMMENT ON COLUMN @extschema@.peer_releases.min_coverage IS
'ismseval.min_peer_coverage when this release was made: the coverage (%) an organization''s latest assessment needed for its domain means to count as current values (values carried forward keep the minimum of the release that published them; 0 for releases made before 0.5.0, which had none).';

CREATE TABLE @extschema@.peer_release_figures (
    release_id      bigint NOT NULL REFERENCES @extschema@.peer_releases ON DELETE CASCADE,
    organization_id bigint NOT NULL,
    framework_id    bigint NOT NULL,
    kind            text NOT NULL CONSTRAINT peer_release_figures_kind_known
        CHECK (kind IN ('domain', 'question', 'total')),
    item_id         bigint NOT NULL,
    peer_group      text NOT NULL,
    value           double precision NOT NULL,
    peer_count      bigint NOT NULL,
    peer_mean       double precision,
    peer_stddev     double precision,
    peers_below     bigint NOT NULL,
    peers_equal     bigint NOT NULL,
    peers_above     bigint NOT NULL,
    published_in    bigint NOT NULL,
    published_at    timestamptz NOT NULL,
    PRIMARY KEY (release_id, organization_id, framework_id, kind, item_id)
);
-- the peers of an item in value order: hidden-peer checks read its two ends
CREATE INDEX peer_release_figures_item_idx
    ON @extschema@.peer_release_figures (release_id, framework_id, kind, item_id, peer_group, value);
COMMENT ON TABLE @extschema@.peer_release_figures IS
'Per release, organization, framework and item (kind domain: item = domain_id, the domain mean; question: item = question_id, 100 yes / 0 no; total: item 0, the sum over domains of large questions x domain mean): the organization''s published value and the figures over its peers (same peer group, other organizations with a published value). Holds every organization''s values: administrators only.';
COMMENT ON COLUMN @extschema@.peer_release_figures.value IS
'The organization''s published value, from its latest organization-wide assessment when the item last took new values.';
COMMENT ON COLUMN @extschema@.peer_release_figures.peer_group IS
'core_business / size_band of the organization.';
COMMENT ON COLUMN @extschema@.peer_release_figures.peer_stddev IS
'Population standard deviation of the peers'' values (0 when they are all equal).';
COMMENT ON COLUMN @extschema@.peer_release_figures.published_in IS
'The release in which this item last took new values; older than release_id when it kept its values.';
COMMENT ON COLUMN @extschema@.peer_release_figures.published_at IS
'When release published_in was made (kept here: older releases may be deleted).';

-- The figures of each peer group as a whole: what an organization the release does not hold
-- in its group (assessed after it, or moved to the group) is shown at once.
CREATE TABLE @extschema@.peer_release_groups (
    release_id      bigint NOT NULL REFERENCES @extschema@.peer_releases ON DELETE CASCADE,
    framework_id    bigint NOT NULL,
    peer_group      text NOT NULL,
    kind            text NOT NULL CONSTRAINT peer_release_groups_kind_known
        CHECK (kind IN ('domain', 'question', 'total')),
    item_id         bigint NOT NULL,
    members         bigint NOT NULL,
    mean            double precision NOT NULL,
    published_at    timestamptz NOT NULL,
    PRIMARY KEY (release_id, framework_id, peer_group, kind, item_id)
);
COMMENT ON TABLE @extschema@.peer_release_groups IS
'Per release, framework, peer group and item (kinds as in peer_release_figures): the published values of all the group''s members in the release, as a count and a mean. The peer figures of an organization the release does not hold in its current group (a newcomer): administrators only.';
COMMENT ON COLUMN @extschema@.peer_release_groups.members IS
'Organizations of the group with a published value of the item in the release.';
COMMENT ON COLUMN @extschema@.peer_release_groups.mean IS
'Mean of their published values (for a question: the yes rate in %, as the values are 100 yes / 0 no).';
COMMENT ON COLUMN @extschema@.peer_release_groups.published_at IS
'When the item last took new values in the group (the latest publication among its members).';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.peer_releases', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.peer_releases_release_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.peer_release_figures', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.peer_release_groups', '');

-- Every organization's values: administrators only, also if a grant slips.
ALTER TABLE @extschema@.peer_release_figures ENABLE ROW LEVEL SECURITY;
CREATE POLICY peer_release_figures_admin ON @extschema@.peer_release_figures
    TO ismseval_admin USING (true) WITH CHECK (true);
ALTER TABLE @extschema@.peer_release_groups ENABLE ROW LEVEL SECURITY;
CREATE POLICY peer_release_groups_admin ON @extschema@.peer_release_groups
    TO ismseval_admin USING (true) WITH CHECK (true);
-- Only release_peer_figures (SECURITY DEFINER, as the owner) adds releases and figures: an
-- administrator could otherwise insert an empty newest release, after which the next release
-- would publish every current value at once.
GRANT SELECT, UPDATE, DELETE ON @extschema@.peer_releases, @extschema@.peer_release_figures,
    @extschema@.peer_release_groups TO ismseval_admin;
GRANT SELECT ON @extschema@.peer_releases_release_id_seq TO ismseval_admin;
GRANT SELECT ON @extschema@.peer_releases TO ismseval_tenant;

-- Population standard deviation of n values without one of them (value), from their mean,
-- sum of squared deviations m2, and the number of distinct values among the others:
-- exactly 0 when the others are all equal, else sqrt((m2 - (value - mean)^2 n / (n - 1)) / (n - 1)).
CREATE FUNCTION @extschema@.peer_stddev_without(value double precision, n bigint, mean double precision,
                                                m2 double precision, others_distinct bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN n <= 1 THEN NULL
            WHEN others_distinct <= 1 THEN 0::double precision
            ELSE pg_catalog.sqrt(GREATEST(m2 - (value - mean) * (value - mean) * n / (n - 1), 0) / (n - 1)) END;
COMMENT ON FUNCTION @extschema@.peer_stddev_without(double precision, bigint, double precision, double precision, bigint) IS
'Population standard deviation of n values without value: 0 when the others are all equal (others_distinct <= 1), else sqrt((m2 - (value - mean)^2 n / (n - 1)) / (n - 1)) from their mean and sum of squared deviations m2; NULL when n <= 1.';

-- The unit an organization's changes count for: the lowest tenant role mapped to it, else
-- itself. A set-returning SQL function of one row, so that it is inlined where it is joined
-- (LATERAL) and costs an index probe per organization rather than a function call.
CREATE FUNCTION @extschema@.peer_unit(organization_id bigint)
RETURNS TABLE(unit text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT COALESCE('role ' || pg_catalog.min(m.tenant_role::oid)::text,
                    'organization ' || peer_unit.organization_id::text)
    FROM @extschema@.tenant_organizations m
    WHERE m.organization_id = peer_unit.organization_id;
END;
COMMENT ON FUNCTION @extschema@.peer_unit(bigint) IS
'The unit an organization''s changes count for in a release: its lowest mapped tenant role, else the organization itself.';

-- Every organization's current values per framework (latest organization-wide assessment):
-- each domain mean, only for organizations with an answer in every domain of the framework
-- (a domain = one with scored requirements) and a coverage of at least
-- ismseval.min_peer_coverage %, and each yes/no answer as 100 / 0.
CREATE FUNCTION @extschema@.peer_current_values()
RETURNS TABLE(organization_id bigint, framework_id bigint, kind text, item_id bigint, value double precision,
              peer_group text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH latest AS (
        SELECT l.organization_id, l.framework_id, l.assessment_id
        FROM @extschema@.latest_organization_assessments() l
    ), domains AS (
        SELECT q.framework_id, pg_catalog.count(DISTINCT q.domain_id) AS n
        FROM @extschema@.questions q WHERE q.scored GROUP BY q.framework_id
    ), means AS (
        -- assessment_domain_score's mean, for every latest assessment at once
        SELECT l.organization_id, l.framework_id, r.domain_id,
               pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL)
                   AS value,
               -- the domains with an answer (an assessable node above the domain level has
               -- none: it counts for coverage only)
               pg_catalog.count(r.domain_id) OVER (PARTITION BY l.organization_id, l.framework_id) AS domains_scored,
               pg_catalog.sum(pg_catalog.count(r.percentage)) OVER (PARTITION BY l.organization_id, l.framework_id)
                   AS answered,
               pg_catalog.sum(pg_catalog.count(*) FILTER (WHERE r.applicable))
                   OVER (PARTITION BY l.organization_id, l.framework_id) AS applicable
        FROM latest l
        CROSS JOIN LATERAL @extschema@.assessment_requirement_values(l.assessment_id) r
        GROUP BY l.organization_id, l.framework_id, r.domain_id
        HAVING pg_catalog.count(r.percentage) > 0
    ), v AS (
        SELECT m.organization_id, m.framework_id, 'domain' AS kind, m.domain_id AS item_id, m.value
        FROM means m JOIN domains d ON d.framework_id = m.framework_id AND d.n = m.domains_scored
        -- coverage of the whole assessment at least the minimum for publishing
        WHERE m.domain_id IS NOT NULL
          AND 100 * m.answered >= pg_catalog.current_setting('ismseval.min_peer_coverage')::double precision
                                  * m.applicable
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
COMMENT ON FUNCTION @extschema@.peer_current_values() IS
'Every organization''s current values per framework (latest organization-wide assessment): domain means (only for organizations with a scored answer in every domain) and small answers as 100/0, with the peer group.';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_current_values() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.peer_current_values() TO ismseval_admin;

-- ---------------------------------------------------------------------------
-- The steps of a release, in the order release_peer_figures runs them under its lock.
-- Each reads and writes work tables pg_temp.ismseval_rel_* (dropped at commit), so a
-- step can be run and checked alone on tables made by hand. They run as the caller:
-- only release_peer_figures (SECURITY DEFINER) may write the release tables.
-- ---------------------------------------------------------------------------

-- Step 1, inputs: every organization's current values (ismseval_rel_cur), the figures of
-- release prev (ismseval_rel_base), and the unit of every organization in either
-- (ismseval_rel_units).
CREATE FUNCTION @extschema@.release_stage_inputs(prev bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    CREATE TEMP TABLE pg_temp.ismseval_rel_cur ON COMMIT DROP AS SELECT * FROM @extschema@.peer_current_values();
    CREATE TEMP TABLE pg_temp.ismseval_rel_base ON COMMIT DROP AS
    SELECT f.organization_id, f.framework_id, f.kind, f.item_id, f.peer_group, f.value, f.published_in,
           f.published_at
    FROM @extschema@.peer_release_figures f WHERE f.release_id = prev;
    -- An organization that moved to another peer group counts there only once its old
    -- group no longer holds it (which takes as many changed units there as any change).
    DELETE FROM pg_temp.ismseval_rel_cur c
    WHERE EXISTS (SELECT FROM pg_temp.ismseval_rel_base b
                  WHERE b.organization_id = c.organization_id AND b.framework_id = c.framework_id
                    AND b.peer_group <> c.peer_group);
    -- statistics for the planner: without them it nests loops over these tables
    ANALYZE pg_temp.ismseval_rel_cur;
    ANALYZE pg_temp.ismseval_rel_base;

    -- The unit of every organization with a value now or in the last release, looked up once.
    CREATE TEMP TABLE pg_temp.ismseval_rel_units ON COMMIT DROP AS
    SELECT o.organization_id, u.unit
    FROM (SELECT c.organization_id FROM pg_temp.ismseval_rel_cur c
          UNION SELECT b.organization_id FROM pg_temp.ismseval_rel_base b) o
    CROSS JOIN LATERAL @extschema@.peer_unit(o.organization_id) u;
    ANALYZE pg_temp.ismseval_rel_units;
END
$$;
COMMENT ON FUNCTION @extschema@.release_stage_inputs(bigint) IS
'Release step 1: work tables of the current values, the figures of release prev (the base) and each organization''s unit.';
REVOKE EXECUTE ON FUNCTION @extschema@.release_stage_inputs(bigint) FROM PUBLIC;

-- Step 2, what changed since the base: score members of each peer group and framework
-- now and before (ismseval_rel_members); per domain the changed units of staying members
-- and with those joining or leaving (ismseval_rel_domains); per group whether it is new
-- and whether its members may change, which takes need units in every domain
-- (ismseval_rel_groups).
CREATE FUNCTION @extschema@.release_stage_changes(need integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    -- Score members per peer group and framework: now (complete) and in the last release.
    CREATE TEMP TABLE pg_temp.ismseval_rel_members ON COMMIT DROP AS
    SELECT x.peer_group, x.framework_id, x.organization_id,
           pg_catalog.bool_or(x.now) AS now, pg_catalog.bool_or(NOT x.now) AS before,
           pg_catalog.min(u.unit) AS unit
    FROM (SELECT DISTINCT c.peer_group, c.framework_id, c.organization_id, true AS now
          FROM pg_temp.ismseval_rel_cur c WHERE c.kind = 'domain'
          UNION ALL
          SELECT b.peer_group, b.framework_id, b.organization_id, false
          FROM pg_temp.ismseval_rel_base b WHERE b.kind = 'total') x
    JOIN pg_temp.ismseval_rel_units u ON u.organization_id = x.organization_id
    GROUP BY x.peer_group, x.framework_id, x.organization_id;
    ANALYZE pg_temp.ismseval_rel_members;

    -- Per domain: the units of staying members that changed its mean, and with the
    -- joining and leaving units.
    CREATE TEMP TABLE pg_temp.ismseval_rel_domains ON COMMIT DROP AS
    WITH doms AS (
        SELECT DISTINCT c.peer_group, c.framework_id, c.item_id FROM pg_temp.ismseval_rel_cur c WHERE c.kind = 'domain'
        UNION
        SELECT DISTINCT b.peer_group, b.framework_id, b.item_id FROM pg_temp.ismseval_rel_base b WHERE b.kind = 'domain'
    ), changed AS (
        SELECT m.peer_group, m.framework_id, d.item_id, m.unit
        FROM pg_temp.ismseval_rel_members m
        JOIN doms d ON d.peer_group = m.peer_group AND d.framework_id = m.framework_id
        LEFT JOIN pg_temp.ismseval_rel_cur c ON c.kind = 'domain' AND c.organization_id = m.organization_id
         AND c.framework_id = m.framework_id AND c.item_id = d.item_id
        LEFT JOIN pg_temp.ismseval_rel_base b ON b.kind = 'domain' AND b.organization_id = m.organization_id
         AND b.framework_id = m.framework_id AND b.item_id = d.item_id AND b.peer_group = m.peer_group
        WHERE m.now AND m.before AND c.value IS DISTINCT FROM b.value
    ), moved AS (
        SELECT m.peer_group, m.framework_id, m.unit FROM pg_temp.ismseval_rel_members m WHERE m.now <> m.before
    )
    SELECT d.peer_group, d.framework_id, d.item_id,
           pg_catalog.count(DISTINCT u.unit) FILTER (WHERE u.staying) AS stay_units,
           pg_catalog.count(DISTINCT u.unit) AS all_units
    FROM doms d
    LEFT JOIN (SELECT ch.peer_group, ch.framework_id, ch.item_id, ch.unit, true AS staying FROM changed ch
               UNION ALL
               SELECT dm.peer_group, dm.framework_id, dm.item_id, mv.unit, false
               FROM moved mv JOIN doms dm ON dm.peer_group = mv.peer_group AND dm.framework_id = mv.framework_id) u
      ON u.peer_group = d.peer_group AND u.framework_id = d.framework_id AND u.item_id = d.item_id
    GROUP BY d.peer_group, d.framework_id, d.item_id;
    ANALYZE pg_temp.ismseval_rel_domains;

    -- Per peer group and framework: first publication, and whether members may join or leave.
    CREATE TEMP TABLE pg_temp.ismseval_rel_groups ON COMMIT DROP AS
    SELECT g.peer_group, g.framework_id,
           NOT pg_catalog.bool_or(g.before) AS first,
           pg_catalog.bool_or(g.now <> g.before) AS moved,
           (SELECT pg_catalog.min(d.all_units) FROM pg_temp.ismseval_rel_domains d
            WHERE d.peer_group = g.peer_group AND d.framework_id = g.framework_id) >= need AS members_change
    FROM pg_temp.ismseval_rel_members g
    GROUP BY g.peer_group, g.framework_id;
    ANALYZE pg_temp.ismseval_rel_groups;
END
$$;
COMMENT ON FUNCTION @extschema@.release_stage_changes(integer) IS
'Release step 2: score members now and before, changed units per domain, and per peer group whether it is new and whether its members may change (need units in every domain).';
REVOKE EXECUTE ON FUNCTION @extschema@.release_stage_changes(integer) FROM PUBLIC;

-- Step 3, the values to publish (ismseval_rel_values): domain means, totals, small
-- questions; an item takes current values only where need units changed it, else it keeps
-- the base's values with their publication (release rid at rat otherwise).
CREATE FUNCTION @extschema@.release_stage_values(need integer, rid bigint, rat timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    -- The published domain means: current ones where the domain (or the membership) may
    -- change, the last release's otherwise; members: now's, or the last release's.
    CREATE TEMP TABLE pg_temp.ismseval_rel_values ON COMMIT DROP AS
    SELECT m.peer_group, m.framework_id, 'domain'::text AS kind, d.item_id, m.organization_id,
           CASE WHEN r.regroup OR (r.renew AND m.now) THEN c.value ELSE b.value END AS value,
           CASE WHEN r.regroup OR r.renew THEN rid ELSE b.published_in END AS published_in,
           CASE WHEN r.regroup OR r.renew THEN rat ELSE b.published_at END AS published_at
    FROM pg_temp.ismseval_rel_members m
    JOIN pg_temp.ismseval_rel_groups g ON g.peer_group = m.peer_group AND g.framework_id = m.framework_id
    JOIN pg_temp.ismseval_rel_domains d ON d.peer_group = m.peer_group AND d.framework_id = m.framework_id
    LEFT JOIN pg_temp.ismseval_rel_cur c ON c.kind = 'domain' AND c.organization_id = m.organization_id
     AND c.framework_id = m.framework_id AND c.item_id = d.item_id
    LEFT JOIN pg_temp.ismseval_rel_base b ON b.kind = 'domain' AND b.organization_id = m.organization_id
     AND b.framework_id = m.framework_id AND b.item_id = d.item_id AND b.peer_group = m.peer_group
    -- regroup: the group is new, or its members change (then now's members are published);
    -- renew: enough staying units changed the domain
    CROSS JOIN LATERAL (SELECT g.first OR (g.moved AND g.members_change) AS regroup,
                               d.stay_units >= need AS renew) r
    WHERE CASE WHEN r.regroup THEN m.now ELSE m.before END;
    DELETE FROM pg_temp.ismseval_rel_values v WHERE v.value IS NULL;   -- a domain new to the framework, kept back
    ANALYZE pg_temp.ismseval_rel_values;

    -- The totals: sum over domains of large questions x published domain mean.
    INSERT INTO pg_temp.ismseval_rel_values
    SELECT v.peer_group, v.framework_id, 'total', 0, v.organization_id,
           pg_catalog.sum(nq.n * v.value), pg_catalog.max(v.published_in), pg_catalog.max(v.published_at)
    FROM pg_temp.ismseval_rel_values v
    JOIN (SELECT q.domain_id, pg_catalog.count(*) AS n FROM @extschema@.questions q WHERE q.scored
          GROUP BY q.domain_id) nq ON nq.domain_id = v.item_id
    GROUP BY v.peer_group, v.framework_id, v.organization_id;

    -- Small questions: new answers where enough units changed them, else the last release's.
    INSERT INTO pg_temp.ismseval_rel_values
    WITH j AS (
        SELECT COALESCE(c.peer_group, b.peer_group) AS peer_group,
               COALESCE(c.framework_id, b.framework_id) AS framework_id,
               COALESCE(c.item_id, b.item_id) AS item_id,
               COALESCE(c.organization_id, b.organization_id) AS organization_id,
               c.value AS now_value, b.value AS before_value, b.published_in, b.published_at,
               c.value IS DISTINCT FROM b.value AS changed
        FROM (SELECT * FROM pg_temp.ismseval_rel_cur WHERE kind = 'question') c
        FULL JOIN (SELECT * FROM pg_temp.ismseval_rel_base WHERE kind = 'question') b
          ON b.organization_id = c.organization_id AND b.framework_id = c.framework_id
         AND b.item_id = c.item_id AND b.peer_group = c.peer_group
    ), items AS (
        SELECT j.peer_group, j.framework_id, j.item_id,
               -- kept: published before, and too few units changed it since
               pg_catalog.bool_or(j.before_value IS NOT NULL)
               AND pg_catalog.count(DISTINCT u.unit) FILTER (WHERE j.changed) < need AS kept
        FROM j JOIN pg_temp.ismseval_rel_units u ON u.organization_id = j.organization_id
        GROUP BY j.peer_group, j.framework_id, j.item_id
    )
    SELECT j.peer_group, j.framework_id, 'question', j.item_id, j.organization_id,
           CASE WHEN i.kept THEN j.before_value ELSE j.now_value END,
           CASE WHEN i.kept THEN j.published_in ELSE rid END,
           CASE WHEN i.kept THEN j.published_at ELSE rat END
    FROM j JOIN items i ON i.peer_group = j.peer_group AND i.framework_id = j.framework_id AND i.item_id = j.item_id
    WHERE CASE WHEN i.kept THEN j.before_value ELSE j.now_value END IS NOT NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.release_stage_values(integer, bigint, timestamptz) IS
'Release step 3: the values release rid publishes: domain means, totals (sum of large questions x domain mean) and small answers, current where need units changed them, else the base''s.';
REVOKE EXECUTE ON FUNCTION @extschema@.release_stage_values(integer, bigint, timestamptz) FROM PUBLIC;

-- Step 4, the figures of release rid: every organization's value among the others of its
-- item (peer count, mean, population sd without it, below / equal / above), and each peer
-- group's item as a whole (members, mean).
CREATE FUNCTION @extschema@.release_write_figures(rid bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    -- The figures of every organization among the others of its item.
    INSERT INTO @extschema@.peer_release_figures
    SELECT rid, s.organization_id, s.framework_id, s.kind, s.item_id, s.peer_group, s.value,
           s.n - 1,
           (s.total - s.value) / NULLIF(s.n - 1, 0),
           @extschema@.peer_stddev_without(s.value, s.n, s.mean, s.m2,
                                           s.distinct_values - CASE WHEN s.equal = 1 THEN 1 ELSE 0 END),
           s.below, s.equal - 1, s.n - s.below - s.equal,
           s.published_in, s.published_at
    FROM (
        SELECT v.*,
               pg_catalog.count(*) OVER w AS n,
               pg_catalog.sum(v.value) OVER w AS total,
               pg_catalog.max(v.value_rank) OVER w AS distinct_values,
               g.mean, g.m2,
               pg_catalog.rank() OVER (w ORDER BY v.value) - 1 AS below,
               pg_catalog.count(*) OVER (PARTITION BY v.peer_group, v.framework_id, v.kind, v.item_id, v.value)
                   AS equal
        FROM (SELECT x.*, pg_catalog.dense_rank() OVER (PARTITION BY x.peer_group, x.framework_id, x.kind, x.item_id
                                                        ORDER BY x.value) AS value_rank
              FROM pg_temp.ismseval_rel_values x) v
        JOIN (
            -- each item's mean and sum of squared deviations, in two passes
            SELECT a.peer_group, a.framework_id, a.kind, a.item_id, a.mean,
                   pg_catalog.sum((y.value - a.mean) * (y.value - a.mean)) AS m2
            FROM (SELECT peer_group, framework_id, kind, item_id, pg_catalog.avg(value) AS mean
                  FROM pg_temp.ismseval_rel_values GROUP BY 1, 2, 3, 4) a
            JOIN pg_temp.ismseval_rel_values y USING (peer_group, framework_id, kind, item_id)
            GROUP BY a.peer_group, a.framework_id, a.kind, a.item_id, a.mean
        ) g ON g.peer_group = v.peer_group AND g.framework_id = v.framework_id AND g.kind = v.kind
           AND g.item_id = v.item_id
        WINDOW w AS (PARTITION BY v.peer_group, v.framework_id, v.kind, v.item_id)
    ) s;

    -- The figures of every group and item as a whole (for organizations it does not hold).
    INSERT INTO @extschema@.peer_release_groups
    SELECT rid, v.framework_id, v.peer_group, v.kind, v.item_id, pg_catalog.count(*), pg_catalog.avg(v.value),
           pg_catalog.max(v.published_at)
    FROM pg_temp.ismseval_rel_values v
    GROUP BY v.framework_id, v.peer_group, v.kind, v.item_id;
END
$$;
COMMENT ON FUNCTION @extschema@.release_write_figures(bigint) IS
'Release step 4: writes the figures of release rid from the published values: per organization and item, its value among the others (count, mean, sd, below, equal, above); per peer group and item, the count and mean of all its members.';
REVOKE EXECUTE ON FUNCTION @extschema@.release_write_figures(bigint) FROM PUBLIC;

-- Publishes a release (see the top of this file); returns its id.
CREATE FUNCTION @extschema@.release_peer_figures(note text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    need    integer;
    rid     bigint;
    rat     timestamptz;
    prev    bigint;
    cover   integer;
BEGIN
    -- Under READ COMMITTED every statement below takes a new snapshot, so what follows
    -- the lock sees the newest release and data at least as new.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'release_peer_figures must run in a READ COMMITTED transaction'
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = pg_catalog.format('This transaction is %s: its snapshot would predate the release lock, and a release that waited for another would compute against a stale base.',
                                             pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
                  HINT = 'Call it in a READ COMMITTED transaction (the default).';
    END IF;
    -- loads the module, which defines ismseval.min_peer_group, in a session that has not yet
    PERFORM @extschema@.calling_role();
    need := pg_catalog.current_setting('ismseval.min_peer_group')::integer + 1;
    -- recorded with the release; peer_current_values reads the same setting
    cover := pg_catalog.current_setting('ismseval.min_peer_coverage')::integer;
    LOCK TABLE @extschema@.peer_releases IN SHARE ROW EXCLUSIVE MODE;  -- one release at a time
    SELECT pg_catalog.max(r.release_id) INTO prev FROM @extschema@.peer_releases r;
    INSERT INTO @extschema@.peer_releases (min_changed, note, min_coverage) VALUES (need, note, cover)
    RETURNING release_id, released_at INTO rid, rat;

    PERFORM @extschema@.release_stage_inputs(prev);
    PERFORM @extschema@.release_stage_changes(need);
    PERFORM @extschema@.release_stage_values(need, rid, rat);
    PERFORM @extschema@.release_write_figures(rid);

    DROP TABLE pg_temp.ismseval_rel_cur, pg_temp.ismseval_rel_base, pg_temp.ismseval_rel_units,
               pg_temp.ismseval_rel_members, pg_temp.ismseval_rel_domains,
               pg_temp.ismseval_rel_groups, pg_temp.ismseval_rel_values;
    -- fresh statistics, so that a dashboard's lookup by organization takes the primary key
    -- (the function runs as the table's owner, which may)
    ANALYZE @extschema@.peer_release_figures;
    ANALYZE @extschema@.peer_release_groups;
    RETURN rid;
END
$$;
COMMENT ON FUNCTION @extschema@.release_peer_figures(text) IS
'Publishes a release of peer figures from every organization''s latest organization-wide assessments (score values only of assessments with a coverage of at least ismseval.min_peer_coverage %, recorded in the release); an item takes new values only when more than ismseval.min_peer_group units (tenant roles, unmapped organizations) changed it (see the README, Peer releases). Returns the release id. Administrators only; READ COMMITTED only (a snapshot older than its lock would compute against a stale base); the only way to add releases (SECURITY DEFINER).';
REVOKE EXECUTE ON FUNCTION @extschema@.release_peer_figures(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.release_peer_figures(text) TO ismseval_admin;

-- The newest release is the base of the next one: deleting or editing it would let the
-- next release publish changes from too few parties against an older base (or against
-- none). Older releases may be deleted.
CREATE FUNCTION @extschema@.peer_release_protect_newest()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '%.% cannot be truncated: its newest release is the base of the next', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Delete older releases: DELETE FROM ismseval.peer_releases WHERE release_id < (the newest).';
    END IF;
    IF OLD.release_id = (SELECT pg_catalog.max(r.release_id) FROM @extschema@.peer_releases r) THEN
        RAISE EXCEPTION 'release % is the newest and cannot be deleted or changed: it is the base of the next', OLD.release_id
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Delete older releases only.';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_release_protect_newest() IS
'Trigger: the newest peer release (and its figures) cannot be deleted, changed or truncated; older ones can be deleted.';
CREATE TRIGGER peer_releases_protect_newest BEFORE UPDATE OR DELETE ON @extschema@.peer_releases
    FOR EACH ROW EXECUTE FUNCTION @extschema@.peer_release_protect_newest();
CREATE TRIGGER peer_releases_no_truncate BEFORE TRUNCATE ON @extschema@.peer_releases
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.peer_release_protect_newest();
CREATE TRIGGER peer_release_figures_protect_newest BEFORE UPDATE OR DELETE ON @extschema@.peer_release_figures
    FOR EACH ROW EXECUTE FUNCTION @extschema@.peer_release_protect_newest();
CREATE TRIGGER peer_release_figures_no_truncate BEFORE TRUNCATE ON @extschema@.peer_release_figures
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.peer_release_protect_newest();
CREATE TRIGGER peer_release_groups_protect_newest BEFORE UPDATE OR DELETE ON @extschema@.peer_release_groups
    FOR EACH ROW EXECUTE FUNCTION @extschema@.peer_release_protect_newest();
CREATE TRIGGER peer_release_groups_no_truncate BEFORE TRUNCATE ON @extschema@.peer_release_groups
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.peer_release_protect_newest();
