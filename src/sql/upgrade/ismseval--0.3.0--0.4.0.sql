-- generated from src/sql/ by the Makefile; edit the fragments
\echo Use "ALTER EXTENSION ismseval UPDATE TO '0.4.0'" to load this file. \quit

-- src/sql/tenancy.sql
-- Tenants (issue 5): roles, the tenant -> organization mapping, and row-level
-- security on every table that holds an organization's data.
--
-- Two group roles (NOLOGIN), created here when the cluster does not have them
-- yet (roles are cluster-wide: they outlive DROP EXTENSION and are shared by
-- every database of the cluster that installs ismseval):
--   ismseval_admin   manages the catalogues, the organizations, the tenant
--                    mapping and every organization's data;
--   ismseval_tenant  reads and writes the data of the organizations mapped to
--                    it in tenant_organizations, and nothing else.
-- A platform grants ismseval_tenant to each tenant's role (a group role per
-- customer, say) and maps that role to the customer's organizations; its login
-- users are members of the customer's role. Row-level security follows
-- PostgreSQL's rules: it applies to current_user and not to the tables' owner
-- (the superuser who created the extension) nor to superusers.

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ismseval_admin') THEN
        CREATE ROLE ismseval_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ismseval_tenant') THEN
        CREATE ROLE ismseval_tenant NOLOGIN;
    END IF;
END
$roles$;

-- The session's outer role: the target of SET ROLE, else the session user. Unlike
-- current_user it is not the owner inside a SECURITY DEFINER function.
CREATE FUNCTION @extschema@.calling_role()
RETURNS regrole
AS 'MODULE_PATHNAME', 'ismseval_calling_role'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.calling_role() IS
'The role the session acts as: the target of SET ROLE, else the session user (unlike current_user, not the owner inside a SECURITY DEFINER function).';

-- ---------------------------------------------------------------------------
-- The mapping
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.tenant_organizations (
    tenant_role     regrole NOT NULL,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    granted_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_role, organization_id)
);
CREATE INDEX tenant_organizations_org_idx ON @extschema@.tenant_organizations (organization_id);
COMMENT ON TABLE @extschema@.tenant_organizations IS
'Which database roles may see which organizations: a role reads and writes the data of an organization (and its departments) when it has the privileges of a tenant_role mapped to it (it is that role or an inheriting member).';
COMMENT ON COLUMN @extschema@.tenant_organizations.tenant_role IS
'A database role (typically one group role per customer, granted ismseval_tenant); members that inherit its privileges get the same access.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant_organizations', '');

-- The organizations the current user may see as a tenant (its own mapped organizations).
CREATE FUNCTION @extschema@.my_organizations()
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT m.organization_id FROM @extschema@.tenant_organizations m
    WHERE pg_catalog.pg_has_role(m.tenant_role, 'USAGE');
END;
COMMENT ON FUNCTION @extschema@.my_organizations() IS
'The organizations mapped in tenant_organizations to a role whose privileges current_user has.';

-- True when role may see the organization: an administrator (or superuser), or a role
-- with the privileges of a tenant role mapped to it. For SECURITY DEFINER functions,
-- which pass calling_role().
CREATE FUNCTION @extschema@.role_may_access(role regrole, organization_id bigint)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.pg_has_role(role, 'ismseval_admin', 'USAGE')
        OR EXISTS (SELECT FROM @extschema@.tenant_organizations m
                   WHERE m.organization_id = role_may_access.organization_id
                     AND pg_catalog.pg_has_role(role, m.tenant_role, 'USAGE'));
END;
COMMENT ON FUNCTION @extschema@.role_may_access(regrole, bigint) IS
'True when role has the privileges of ismseval_admin (superusers do) or of a tenant role mapped to the organization.';

-- ---------------------------------------------------------------------------
-- Privileges. Nothing is granted to PUBLIC on tables; functions keep the
-- default EXECUTE for PUBLIC except those that return peers' data.
-- ---------------------------------------------------------------------------

GRANT USAGE ON SCHEMA @extschema@ TO ismseval_admin, ismseval_tenant;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    @extschema@.organizations, @extschema@.departments, @extschema@.frameworks,
    @extschema@.control_domains, @extschema@.questions, @extschema@.assessments, @extschema@.answers,
    @extschema@.maturity_targets, @extschema@.threats, @extschema@.assets, @extschema@.risks,
    @extschema@.kpis, @extschema@.kpi_measurements, @extschema@.objectives, @extschema@.incidents,
    @extschema@.nonconformities, @extschema@.corrective_actions, @extschema@.tenant_organizations
    TO ismseval_admin;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA @extschema@ TO ismseval_admin;

-- Catalogues: read only. The tenant's own organizations: read, and a few columns
-- writable; code (unique across tenants), the peer group and the key are not.
GRANT SELECT ON @extschema@.frameworks, @extschema@.control_domains, @extschema@.questions,
    @extschema@.tenant_organizations TO ismseval_tenant;
GRANT SELECT, UPDATE (name, industry, risk_matrix, risk_tolerance) ON @extschema@.organizations
    TO ismseval_tenant;
-- The rest of an organization's data: read, delete, and insert or update every column but
-- the surrogate key, which only its sequence gives (with explicit keys, a duplicate-key
-- error would tell a tenant which keys other tenants' rows hold).
DO $grants$
DECLARE
    t       text;
    cols    text;
BEGIN
    FOREACH t IN ARRAY ARRAY['departments', 'assessments', 'answers', 'maturity_targets', 'threats', 'assets',
                             'risks', 'kpis', 'kpi_measurements', 'objectives', 'incidents',
                             'nonconformities', 'corrective_actions'] LOOP
        SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
        FROM pg_catalog.pg_attribute a
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = pg_catalog.format('@extschema@.%I', t)::regclass
          AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
          AND NOT COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false);
        EXECUTE pg_catalog.format('GRANT SELECT, DELETE, INSERT (%s), UPDATE (%s) ON @extschema@.%I TO ismseval_tenant',
                                  cols, cols, t);
    END LOOP;
END
$grants$;
GRANT USAGE ON
    @extschema@.departments_department_id_seq, @extschema@.assessments_assessment_id_seq,
    @extschema@.threats_threat_id_seq, @extschema@.assets_asset_id_seq, @extschema@.risks_risk_id_seq,
    @extschema@.kpis_kpi_id_seq, @extschema@.objectives_objective_id_seq,
    @extschema@.incidents_incident_id_seq, @extschema@.nonconformities_nonconformity_id_seq,
    @extschema@.corrective_actions_action_id_seq
    TO ismseval_tenant;

GRANT SELECT ON @extschema@.risk_register, @extschema@.risk_heatmap, @extschema@.kpi_status,
    @extschema@.objective_status, @extschema@.maturity_by_domain, @extschema@.question_peer_rate,
    @extschema@.incident_metrics_monthly, @extschema@.org_benchmark, @extschema@.management_review
    TO ismseval_admin, ismseval_tenant;

-- These return every peer's value (a peer_dist holds them all): administrators only.
REVOKE EXECUTE ON FUNCTION @extschema@.peer_domain_scores(bigint, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.peer_question_rates(bigint, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.peer_total_scores(bigint, bigint, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.peer_domain_scores(bigint, bigint) TO ismseval_admin;
GRANT EXECUTE ON FUNCTION @extschema@.peer_question_rates(bigint, bigint) TO ismseval_admin;
GRANT EXECUTE ON FUNCTION @extschema@.peer_total_scores(bigint, bigint, double precision) TO ismseval_admin;

-- ---------------------------------------------------------------------------
-- Row-level security. Per table one policy for administrators (everything)
-- and one for tenants (their organizations' rows, for reading and writing
-- alike); roles with neither see no row. The tenant predicate reads the mapping
-- once per query (a hashed subplan).
-- ---------------------------------------------------------------------------

ALTER TABLE @extschema@.tenant_organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_organizations_admin ON @extschema@.tenant_organizations
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY tenant_organizations_tenant ON @extschema@.tenant_organizations
    FOR SELECT TO ismseval_tenant USING (pg_catalog.pg_has_role(tenant_role, 'USAGE'));

ALTER TABLE @extschema@.organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY organizations_admin ON @extschema@.organizations
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY organizations_tenant_read ON @extschema@.organizations
    FOR SELECT TO ismseval_tenant
    USING (organization_id IN (SELECT @extschema@.my_organizations()));
CREATE POLICY organizations_tenant_update ON @extschema@.organizations
    FOR UPDATE TO ismseval_tenant
    USING (organization_id IN (SELECT @extschema@.my_organizations()))
    WITH CHECK (organization_id IN (SELECT @extschema@.my_organizations()));

-- Tables whose rows carry organization_id: the same two policies each.
DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['departments', 'assessments', 'maturity_targets', 'assets', 'risks', 'kpis',
                             'objectives', 'incidents', 'nonconformities', 'corrective_actions'] LOOP
        EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON @extschema@.%I TO ismseval_admin '
                                  'USING (true) WITH CHECK (true)', t || '_admin', t);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON @extschema@.%I TO ismseval_tenant '
                                  'USING (organization_id IN (SELECT @extschema@.my_organizations())) '
                                  'WITH CHECK (organization_id IN (SELECT @extschema@.my_organizations()))',
                                  t || '_tenant', t);
    END LOOP;
END
$policies$;

-- Threats: shared rows (organization_id NULL) are read by all, written by administrators.
ALTER TABLE @extschema@.threats ENABLE ROW LEVEL SECURITY;
CREATE POLICY threats_admin ON @extschema@.threats
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY threats_tenant_read ON @extschema@.threats
    FOR SELECT TO ismseval_tenant
    USING (organization_id IS NULL OR organization_id IN (SELECT @extschema@.my_organizations()));
CREATE POLICY threats_tenant_insert ON @extschema@.threats
    FOR INSERT TO ismseval_tenant
    WITH CHECK (organization_id IN (SELECT @extschema@.my_organizations()));
CREATE POLICY threats_tenant_update ON @extschema@.threats
    FOR UPDATE TO ismseval_tenant
    USING (organization_id IN (SELECT @extschema@.my_organizations()))
    WITH CHECK (organization_id IN (SELECT @extschema@.my_organizations()));
CREATE POLICY threats_tenant_delete ON @extschema@.threats
    FOR DELETE TO ismseval_tenant
    USING (organization_id IN (SELECT @extschema@.my_organizations()));

-- Answers and KPI measurements have no organization_id: they follow their parent row.
ALTER TABLE @extschema@.answers ENABLE ROW LEVEL SECURITY;
CREATE POLICY answers_admin ON @extschema@.answers
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY answers_tenant ON @extschema@.answers
    TO ismseval_tenant
    USING (assessment_id IN (SELECT a.assessment_id FROM @extschema@.assessments a
                             WHERE a.organization_id IN (SELECT @extschema@.my_organizations())))
    WITH CHECK (assessment_id IN (SELECT a.assessment_id FROM @extschema@.assessments a
                                  WHERE a.organization_id IN (SELECT @extschema@.my_organizations())));

ALTER TABLE @extschema@.kpi_measurements ENABLE ROW LEVEL SECURITY;
CREATE POLICY kpi_measurements_admin ON @extschema@.kpi_measurements
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY kpi_measurements_tenant ON @extschema@.kpi_measurements
    TO ismseval_tenant
    USING (kpi_id IN (SELECT k.kpi_id FROM @extschema@.kpis k
                      WHERE k.organization_id IN (SELECT @extschema@.my_organizations())))
    WITH CHECK (kpi_id IN (SELECT k.kpi_id FROM @extschema@.kpis k
                           WHERE k.organization_id IN (SELECT @extschema@.my_organizations())));

-- ---------------------------------------------------------------------------
-- Triggers under row-level security. risks_check ran the threat check on the
-- threats the caller can see, so a tenant's risk could point at another
-- tenant's private threat (the foreign key sees every row). Now a threat the
-- caller cannot see is reported like one that does not exist.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.risks_check()
RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
    m           @extschema@.risk_matrix;
    nlik        integer;
    nimp        integer;
    threat      record;
BEGIN
    SELECT o.risk_matrix INTO m FROM @extschema@.organizations o
    WHERE o.organization_id = NEW.organization_id;
    IF m IS NOT NULL THEN
        nlik := @extschema@.risk_matrix_likelihood_size(m);
        nimp := @extschema@.risk_matrix_impact_size(m);
        IF NEW.likelihood < 1 OR NEW.likelihood > nlik THEN
            RAISE EXCEPTION 'likelihood of risk "%" must be between 1 and % (the organization''s risk matrix), got %',
                NEW.title, nlik, NEW.likelihood USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.impact < 1 OR NEW.impact > nimp THEN
            RAISE EXCEPTION 'impact of risk "%" must be between 1 and % (the organization''s risk matrix), got %',
                NEW.title, nimp, NEW.impact USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.threat_id IS NOT NULL THEN
        SELECT t.organization_id INTO threat FROM @extschema@.threats t WHERE t.threat_id = NEW.threat_id;
        IF NOT FOUND THEN
            -- for a tenant, another tenant's threat is invisible and reported the same way
            RAISE EXCEPTION 'threat % of risk "%" does not exist', NEW.threat_id, NEW.title
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF threat.organization_id <> NEW.organization_id THEN
            RAISE EXCEPTION 'threat % of risk "%" belongs to another organization', NEW.threat_id, NEW.title
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- src/sql/peer_release.sql
-- Peer releases (issue 5 after review, and issue 6): peer figures are published
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
    note            text
);
COMMENT ON TABLE @extschema@.peer_releases IS
'Releases of peer figures (release_peer_figures); the views show the latest.';
COMMENT ON COLUMN @extschema@.peer_releases.min_changed IS
'Changed units (tenant roles or unmapped organizations) an item needed to take new values in this release: ismseval.min_peer_group + 1.';

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

-- The unit an organization's changes count for: the lowest tenant role mapped to it, else itself.
CREATE FUNCTION @extschema@.peer_unit(organization_id bigint)
RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT COALESCE((SELECT 'role ' || pg_catalog.min(m.tenant_role::oid)::text
                     FROM @extschema@.tenant_organizations m
                     WHERE m.organization_id = peer_unit.organization_id),
                    'organization ' || peer_unit.organization_id::text);
END;
COMMENT ON FUNCTION @extschema@.peer_unit(bigint) IS
'The unit an organization''s changes count for in a release: its lowest mapped tenant role, else the organization itself.';

-- Every organization's current values per framework (latest organization-wide assessment):
-- each domain mean, only for organizations with a scored answer in every domain of the
-- framework (a domain = one with large questions), and each small answer as 100 / 0.
CREATE FUNCTION @extschema@.peer_current_values()
RETURNS TABLE(organization_id bigint, framework_id bigint, kind text, item_id bigint, value double precision,
              peer_group text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH latest AS (
        SELECT DISTINCT ON (a.organization_id, a.framework_id) a.organization_id, a.framework_id, a.assessment_id
        FROM @extschema@.assessments a
        WHERE a.department_id IS NULL
        ORDER BY a.organization_id, a.framework_id, a.assessed_on DESC, a.assessment_id DESC
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
    SELECT v.organization_id, v.framework_id, v.kind, v.item_id, v.value, o.core_business || ' / ' || o.size_band
    FROM v JOIN @extschema@.organizations o ON o.organization_id = v.organization_id;
END;
COMMENT ON FUNCTION @extschema@.peer_current_values() IS
'Every organization''s current values per framework (latest organization-wide assessment): domain means (only for organizations with a scored answer in every domain) and small answers as 100/0, with the peer group.';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_current_values() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.peer_current_values() TO ismseval_admin;

-- Publishes a release (see the top of this file); returns its id.
CREATE FUNCTION @extschema@.release_peer_figures(note text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS
$$
DECLARE
    need    integer;
    rid     bigint;
    rat     timestamptz;
    prev    bigint;
BEGIN
    -- loads the module, which defines ismseval.min_peer_group, in a session that has not yet
    PERFORM @extschema@.calling_role();
    need := pg_catalog.current_setting('ismseval.min_peer_group')::integer + 1;
    LOCK TABLE @extschema@.peer_releases IN SHARE ROW EXCLUSIVE MODE;  -- one release at a time
    SELECT pg_catalog.max(r.release_id) INTO prev FROM @extschema@.peer_releases r;
    INSERT INTO @extschema@.peer_releases (min_changed, note) VALUES (need, note)
    RETURNING release_id, released_at INTO rid, rat;

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
    SELECT o.organization_id, @extschema@.peer_unit(o.organization_id) AS unit
    FROM (SELECT c.organization_id FROM pg_temp.ismseval_rel_cur c
          UNION SELECT b.organization_id FROM pg_temp.ismseval_rel_base b) o;
    ANALYZE pg_temp.ismseval_rel_units;

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

    -- The published domain means: current ones where the domain (or the membership) may
    -- change, the last release's otherwise; members: now's, or the last release's.
    CREATE TEMP TABLE pg_temp.ismseval_rel_values ON COMMIT DROP AS
    SELECT m.peer_group, m.framework_id, 'domain'::text AS kind, d.item_id, m.organization_id,
           CASE WHEN g.first OR (g.moved AND g.members_change) OR (d.stay_units >= need AND m.now)
                THEN c.value ELSE b.value END AS value,
           CASE WHEN g.first OR (g.moved AND g.members_change) OR d.stay_units >= need
                THEN rid ELSE b.published_in END AS published_in,
           CASE WHEN g.first OR (g.moved AND g.members_change) OR d.stay_units >= need
                THEN rat ELSE b.published_at END AS published_at
    FROM pg_temp.ismseval_rel_members m
    JOIN pg_temp.ismseval_rel_groups g ON g.peer_group = m.peer_group AND g.framework_id = m.framework_id
    JOIN pg_temp.ismseval_rel_domains d ON d.peer_group = m.peer_group AND d.framework_id = m.framework_id
    LEFT JOIN pg_temp.ismseval_rel_cur c ON c.kind = 'domain' AND c.organization_id = m.organization_id
     AND c.framework_id = m.framework_id AND c.item_id = d.item_id
    LEFT JOIN pg_temp.ismseval_rel_base b ON b.kind = 'domain' AND b.organization_id = m.organization_id
     AND b.framework_id = m.framework_id AND b.item_id = d.item_id AND b.peer_group = m.peer_group
    WHERE CASE WHEN g.first OR (g.moved AND g.members_change) THEN m.now ELSE m.before END;
    DELETE FROM pg_temp.ismseval_rel_values v WHERE v.value IS NULL;   -- a domain new to the framework, kept back
    ANALYZE pg_temp.ismseval_rel_values;

    -- The totals: sum over domains of large questions x published domain mean.
    INSERT INTO pg_temp.ismseval_rel_values
    SELECT v.peer_group, v.framework_id, 'total', 0, v.organization_id,
           pg_catalog.sum(nq.n * v.value), pg_catalog.max(v.published_in), pg_catalog.max(v.published_at)
    FROM pg_temp.ismseval_rel_values v
    JOIN (SELECT q.domain_id, pg_catalog.count(*) AS n FROM @extschema@.questions q WHERE q.is_large
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
               pg_catalog.bool_or(j.before_value IS NOT NULL) AS had,
               pg_catalog.count(DISTINCT u.unit) FILTER (WHERE j.changed) AS units
        FROM j JOIN pg_temp.ismseval_rel_units u ON u.organization_id = j.organization_id
        GROUP BY j.peer_group, j.framework_id, j.item_id
    )
    SELECT j.peer_group, j.framework_id, 'question', j.item_id, j.organization_id,
           CASE WHEN i.had AND i.units < need THEN j.before_value ELSE j.now_value END,
           CASE WHEN i.had AND i.units < need THEN j.published_in ELSE rid END,
           CASE WHEN i.had AND i.units < need THEN j.published_at ELSE rat END
    FROM j JOIN items i ON i.peer_group = j.peer_group AND i.framework_id = j.framework_id AND i.item_id = j.item_id
    WHERE CASE WHEN i.had AND i.units < need THEN j.before_value ELSE j.now_value END IS NOT NULL;

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

    DROP TABLE pg_temp.ismseval_rel_cur, pg_temp.ismseval_rel_base, pg_temp.ismseval_rel_units,
               pg_temp.ismseval_rel_members, pg_temp.ismseval_rel_domains,
               pg_temp.ismseval_rel_groups, pg_temp.ismseval_rel_values;
    -- fresh statistics, so that a dashboard's lookup by organization takes the primary key
    -- (only the table's owner may; autovacuum does it later otherwise)
    IF pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c
                               WHERE c.oid = '@extschema@.peer_release_figures'::regclass), 'USAGE') THEN
        ANALYZE @extschema@.peer_release_figures;
    END IF;
    RETURN rid;
END
$$;
COMMENT ON FUNCTION @extschema@.release_peer_figures(text) IS
'Publishes a release of peer figures from every organization''s latest organization-wide assessments; an item takes new values only when more than ismseval.min_peer_group units (tenant roles, unmapped organizations) changed it (see the README, Peer releases). Returns the release id. Administrators only.';
REVOKE EXECUTE ON FUNCTION @extschema@.release_peer_figures(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.release_peer_figures(text) TO ismseval_admin;

-- The newest release is the base of the next one: deleting or editing it would let the
-- next release publish changes from too few parties against an older base (or against
-- none). Older releases may be deleted.
CREATE FUNCTION @extschema@.peer_release_protect_newest()
RETURNS trigger
LANGUAGE plpgsql AS
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

-- src/sql/peer_benchmark.sql
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
