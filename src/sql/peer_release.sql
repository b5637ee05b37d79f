-- Peer releases (issue 5 after review, and issue 6): peer figures are published
-- by an administrator in releases, and the views read the latest release.
--
-- Why. Figures computed at query time let a tenant (1) move its own score and read
-- its percentile at value after value, which tells it every peer's value, and (2)
-- compare figures before and after one peer's new assessment, which tells it that
-- peer's values. They also cost a read of the whole peer group on every dashboard.
-- A release freezes, for every organization, its own values and its figures among
-- its peers; and a release changes the figures of a peer group's item (a domain, a
-- small question, the total) only when at least ismseval.min_peer_group "units"
-- (tenant roles, or unmapped organizations) changed a value of it since the figures
-- were last published; otherwise it carries the previous figures forward. So the
-- difference between two published figures is the work of at least that many
-- parties, a tenant's own edits alone never republish, and a dashboard reads a few
-- rows by key whatever the number of organizations.

CREATE TABLE @extschema@.peer_releases (
    release_id      bigserial PRIMARY KEY,
    released_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    min_changed     integer NOT NULL CONSTRAINT peer_releases_min_changed_positive CHECK (min_changed >= 1),
    note            text
);
COMMENT ON TABLE @extschema@.peer_releases IS
'Releases of peer figures (release_peer_figures); the views show the latest. min_changed: the ismseval.min_peer_group in force, the number of changed units an item needs to be republished.';
COMMENT ON COLUMN @extschema@.peer_releases.min_changed IS
'Changed units (tenant roles or unmapped organizations) a peer group''s item needed to get new figures in this release.';

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
    PRIMARY KEY (release_id, organization_id, framework_id, kind, item_id)
);
COMMENT ON TABLE @extschema@.peer_release_figures IS
'Per release, organization, framework and item (kind domain: item = domain_id, the domain mean; question: item = question_id, 100 yes / 0 no; total: item 0, the total score): the organization''s value and the figures over its peers (same peer group, other organizations) as published in release published_in. Holds every organization''s values: administrators only.';
COMMENT ON COLUMN @extschema@.peer_release_figures.value IS
'The organization''s own value the figures were computed with (its latest organization-wide assessment at publication).';
COMMENT ON COLUMN @extschema@.peer_release_figures.peer_group IS
'core_business / size_band of the organization at publication.';
COMMENT ON COLUMN @extschema@.peer_release_figures.peer_stddev IS
'Population standard deviation of the peers'' values.';
COMMENT ON COLUMN @extschema@.peer_release_figures.published_in IS
'The release that computed these figures; older than release_id when they were carried forward.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.peer_releases', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.peer_releases_release_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.peer_release_figures', '');

-- Every organization's values: administrators only, also if a grant slips.
ALTER TABLE @extschema@.peer_release_figures ENABLE ROW LEVEL SECURITY;
CREATE POLICY peer_release_figures_admin ON @extschema@.peer_release_figures
    TO ismseval_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.peer_releases, @extschema@.peer_release_figures
    TO ismseval_admin;
GRANT USAGE, SELECT ON @extschema@.peer_releases_release_id_seq TO ismseval_admin;
GRANT SELECT ON @extschema@.peer_releases TO ismseval_tenant;

-- Population standard deviation of a group's values without one of them, from the
-- group's size n, mean and sum of squared deviations m2 (NULL without others; 0 when
-- what is left is rounding noise of equal values).
CREATE FUNCTION @extschema@.peer_stddev_without(value double precision, n bigint, mean double precision,
                                                m2 double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN n > 1 THEN
    CASE WHEN m2 - (value - mean) * (value - mean) * n / (n - 1)
              <= (n - 1) * pg_catalog.power(1e-12 * GREATEST(1, pg_catalog.abs(mean)), 2)
         THEN 0::double precision
         ELSE pg_catalog.sqrt((m2 - (value - mean) * (value - mean) * n / (n - 1)) / (n - 1)) END
END;
COMMENT ON FUNCTION @extschema@.peer_stddev_without(double precision, bigint, double precision, double precision) IS
'Population standard deviation of n values without value, from their mean and sum of squared deviations m2: sqrt((m2 - (value - mean)^2 n / (n - 1)) / (n - 1)); 0 below relative rounding noise (1e-12), NULL when n <= 1.';

-- Every organization's current values: per framework, from its latest organization-wide
-- assessment, each domain mean, each small answer (100 yes, 0 no) and the total score
-- (mean large-question score x number of large questions), with its peer group and its
-- unit (the lowest tenant role mapped to it, else the organization itself).
CREATE FUNCTION @extschema@.peer_current_values()
RETURNS TABLE(organization_id bigint, framework_id bigint, kind text, item_id bigint, value double precision,
              peer_group text, unit text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH latest AS (
        SELECT DISTINCT ON (a.organization_id, a.framework_id) a.organization_id, a.framework_id, a.assessment_id
        FROM @extschema@.assessments a
        WHERE a.department_id IS NULL
        ORDER BY a.organization_id, a.framework_id, a.assessed_on DESC, a.assessment_id DESC
    ), large AS (
        SELECT q.framework_id, pg_catalog.count(*) AS n FROM @extschema@.questions q WHERE q.is_large
        GROUP BY q.framework_id
    ), v AS (
        SELECT l.organization_id, l.framework_id, 'domain' AS kind, q.domain_id AS item_id,
               pg_catalog.avg(an.score)::double precision AS value
        FROM latest l
        JOIN @extschema@.answers an ON an.assessment_id = l.assessment_id
        JOIN @extschema@.questions q ON q.question_id = an.question_id AND q.is_large
        GROUP BY l.organization_id, l.framework_id, q.domain_id
        UNION ALL
        SELECT l.organization_id, l.framework_id, 'question', an.question_id,
               CASE WHEN an.answer_yes THEN 100::double precision ELSE 0::double precision END
        FROM latest l
        JOIN @extschema@.answers an ON an.assessment_id = l.assessment_id AND an.answer_yes IS NOT NULL
        UNION ALL
        SELECT l.organization_id, l.framework_id, 'total', 0,
               pg_catalog.avg(an.score)::double precision * lg.n
        FROM latest l
        JOIN large lg ON lg.framework_id = l.framework_id
        JOIN @extschema@.answers an ON an.assessment_id = l.assessment_id AND an.score IS NOT NULL
        GROUP BY l.organization_id, l.framework_id, lg.n
    )
    SELECT v.organization_id, v.framework_id, v.kind, v.item_id, v.value,
           o.core_business || ' / ' || o.size_band,
           COALESCE((SELECT 'role ' || pg_catalog.min(m.tenant_role::oid)::text FROM @extschema@.tenant_organizations m
                     WHERE m.organization_id = v.organization_id),
                    'organization ' || v.organization_id::text)
    FROM v JOIN @extschema@.organizations o ON o.organization_id = v.organization_id
    WHERE v.value IS NOT NULL;
END;
COMMENT ON FUNCTION @extschema@.peer_current_values() IS
'Every organization''s current values per framework (latest organization-wide assessment): domain means, small answers as 100/0, total score; with its peer group and its unit for the change count (lowest mapped tenant role, else the organization).';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_current_values() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.peer_current_values() TO ismseval_admin;

-- Publishes a release: new figures for each peer group's item with enough changed units
-- (or never published), the previous figures carried forward for the others.
CREATE FUNCTION @extschema@.release_peer_figures(note text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS
$$
DECLARE
    k       integer := pg_catalog.current_setting('ismseval.min_peer_group')::integer;
    rid     bigint;
    prev    bigint;
BEGIN
    -- one release at a time, and no release reads a half-written one
    LOCK TABLE @extschema@.peer_releases IN SHARE ROW EXCLUSIVE MODE;
    SELECT pg_catalog.max(r.release_id) INTO prev FROM @extschema@.peer_releases r;
    INSERT INTO @extschema@.peer_releases (min_changed, note) VALUES (k, note) RETURNING release_id INTO rid;

    CREATE TEMP TABLE ismseval_release_current ON COMMIT DROP AS
    SELECT * FROM @extschema@.peer_current_values();

    -- per peer group's item: changed units since the figures now published (all new when none)
    CREATE TEMP TABLE ismseval_release_decision ON COMMIT DROP AS
    SELECT j.peer_group, j.framework_id, j.kind, j.item_id,
           pg_catalog.bool_or(j.had) AS had_figures,
           pg_catalog.count(DISTINCT j.unit) FILTER (WHERE j.changed) AS changed_units
    FROM (
        SELECT COALESCE(c.peer_group, p.peer_group) AS peer_group,
               COALESCE(c.framework_id, p.framework_id) AS framework_id,
               COALESCE(c.kind, p.kind) AS kind, COALESCE(c.item_id, p.item_id) AS item_id,
               p.organization_id IS NOT NULL AS had,
               COALESCE(c.unit, (SELECT 'role ' || pg_catalog.min(m.tenant_role::oid)::text
                                 FROM @extschema@.tenant_organizations m
                                 WHERE m.organization_id = p.organization_id),
                        'organization ' || p.organization_id::text) AS unit,
               c.value IS DISTINCT FROM p.value AS changed
        FROM ismseval_release_current c
        FULL JOIN (SELECT f.* FROM @extschema@.peer_release_figures f WHERE f.release_id = prev) p
          ON p.organization_id = c.organization_id AND p.framework_id = c.framework_id
         AND p.kind = c.kind AND p.item_id = c.item_id AND p.peer_group = c.peer_group
    ) j
    GROUP BY j.peer_group, j.framework_id, j.kind, j.item_id;

    -- carried forward: items with figures whose changes come from fewer than k units
    INSERT INTO @extschema@.peer_release_figures
    SELECT rid, f.organization_id, f.framework_id, f.kind, f.item_id, f.peer_group, f.value, f.peer_count,
           f.peer_mean, f.peer_stddev, f.peers_below, f.peers_equal, f.peers_above, f.published_in
    FROM @extschema@.peer_release_figures f
    JOIN ismseval_release_decision d
      ON d.peer_group = f.peer_group AND d.framework_id = f.framework_id AND d.kind = f.kind
     AND d.item_id = f.item_id
    WHERE f.release_id = prev AND d.had_figures AND d.changed_units < k;

    -- published: the others, from the current values
    INSERT INTO @extschema@.peer_release_figures
    SELECT rid, s.organization_id, s.framework_id, s.kind, s.item_id, s.peer_group, s.value,
           s.n - 1,
           (s.total - s.value) / NULLIF(s.n - 1, 0),
           @extschema@.peer_stddev_without(s.value, s.n, s.mean, s.m2),
           s.below, s.equal - 1, s.n - s.below - s.equal, rid
    FROM (
        SELECT c.*,
               pg_catalog.count(*) OVER w AS n,
               pg_catalog.sum(c.value) OVER w AS total,
               g.mean, g.m2,
               pg_catalog.rank() OVER (PARTITION BY c.peer_group, c.framework_id, c.kind, c.item_id
                                       ORDER BY c.value) - 1 AS below,
               pg_catalog.count(*) OVER (PARTITION BY c.peer_group, c.framework_id, c.kind, c.item_id, c.value)
                   AS equal
        FROM ismseval_release_current c
        JOIN ismseval_release_decision d
          ON d.peer_group = c.peer_group AND d.framework_id = c.framework_id AND d.kind = c.kind
         AND d.item_id = c.item_id
        JOIN (
            -- each group's mean and sum of squared deviations (two passes: exact for equal values)
            SELECT x.peer_group, x.framework_id, x.kind, x.item_id, x.mean,
                   pg_catalog.sum((y.value - x.mean) * (y.value - x.mean)) AS m2
            FROM (SELECT peer_group, framework_id, kind, item_id, pg_catalog.avg(value) AS mean
                  FROM ismseval_release_current GROUP BY 1, 2, 3, 4) x
            JOIN ismseval_release_current y USING (peer_group, framework_id, kind, item_id)
            GROUP BY x.peer_group, x.framework_id, x.kind, x.item_id, x.mean
        ) g ON g.peer_group = c.peer_group AND g.framework_id = c.framework_id AND g.kind = c.kind
           AND g.item_id = c.item_id
        WHERE NOT d.had_figures OR d.changed_units >= k
        WINDOW w AS (PARTITION BY c.peer_group, c.framework_id, c.kind, c.item_id)
    ) s;

    DROP TABLE ismseval_release_current;
    DROP TABLE ismseval_release_decision;
    RETURN rid;
END
$$;
COMMENT ON FUNCTION @extschema@.release_peer_figures(text) IS
'Publishes a release of peer figures from every organization''s latest organization-wide assessments: a peer group''s item (domain, small question, total) gets new figures when never published or when at least ismseval.min_peer_group units (tenant roles, unmapped organizations) changed a value of it since; otherwise its figures are carried forward. Returns the release id. Administrators only.';
REVOKE EXECUTE ON FUNCTION @extschema@.release_peer_figures(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.release_peer_figures(text) TO ismseval_admin;
