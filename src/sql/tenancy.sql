-- Tenants: roles, the tenant -> organization mapping, and row-level
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
