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
-- The plan guard. The library refuses EXPLAIN (with or without ANALYZE, any
-- format and option) and other plan instrumentation to tenants (src/plan_guard.c):
-- row-level security filters rows after a scan fetched them, so plan counters count
-- rows a tenant cannot see, and estimates come from statistics over every row. The
-- hooks exist only when the library was loaded at session start
-- (session_preload_libraries or shared_preload_libraries), so every tenant policy
-- that reads rows (USING) calls plan_guard_active(): in a session without the
-- guard, planning a tenant's query fails (55000) with a hint naming the setting,
-- before EXPLAIN prints anything and whatever the data. In a guarded session its
-- planner support function replaces the call by the constant true.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.plan_guard_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'ismseval_plan_guard_support'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.plan_guard_support(internal) IS
'Planner support of plan_guard_active(): runs its check when a query is planned, before EXPLAIN prints or a row is read.';

CREATE FUNCTION @extschema@.plan_guard_active()
RETURNS boolean
AS 'MODULE_PATHNAME', 'ismseval_plan_guard_active'
LANGUAGE C STABLE PARALLEL SAFE
SUPPORT @extschema@.plan_guard_support;
COMMENT ON FUNCTION @extschema@.plan_guard_active() IS
'True when this session loaded the ismseval library at session start, so its plan guard refuses EXPLAIN and plan instrumentation to tenants; otherwise false, or an error (55000) when a tenant acts. Every tenant policy calls it.';

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
    FOR SELECT TO ismseval_tenant USING (@extschema@.plan_guard_active() AND pg_catalog.pg_has_role(tenant_role, 'USAGE'));

ALTER TABLE @extschema@.organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY organizations_admin ON @extschema@.organizations
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY organizations_tenant_read ON @extschema@.organizations
    FOR SELECT TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations()));
CREATE POLICY organizations_tenant_update ON @extschema@.organizations
    FOR UPDATE TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations()))
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
                                  'USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations())) '
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
    USING (@extschema@.plan_guard_active() AND (organization_id IS NULL OR organization_id IN (SELECT @extschema@.my_organizations())));
CREATE POLICY threats_tenant_insert ON @extschema@.threats
    FOR INSERT TO ismseval_tenant
    WITH CHECK (organization_id IN (SELECT @extschema@.my_organizations()));
CREATE POLICY threats_tenant_update ON @extschema@.threats
    FOR UPDATE TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations()))
    WITH CHECK (organization_id IN (SELECT @extschema@.my_organizations()));
CREATE POLICY threats_tenant_delete ON @extschema@.threats
    FOR DELETE TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations()));

-- Answers and KPI measurements have no organization_id: they follow their parent row.
ALTER TABLE @extschema@.answers ENABLE ROW LEVEL SECURITY;
CREATE POLICY answers_admin ON @extschema@.answers
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY answers_tenant ON @extschema@.answers
    TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND assessment_id IN (SELECT a.assessment_id FROM @extschema@.assessments a
                             WHERE a.organization_id IN (SELECT @extschema@.my_organizations())))
    WITH CHECK (assessment_id IN (SELECT a.assessment_id FROM @extschema@.assessments a
                                  WHERE a.organization_id IN (SELECT @extschema@.my_organizations())));

ALTER TABLE @extschema@.kpi_measurements ENABLE ROW LEVEL SECURITY;
CREATE POLICY kpi_measurements_admin ON @extschema@.kpi_measurements
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY kpi_measurements_tenant ON @extschema@.kpi_measurements
    TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND kpi_id IN (SELECT k.kpi_id FROM @extschema@.kpis k
                      WHERE k.organization_id IN (SELECT @extschema@.my_organizations())))
    WITH CHECK (kpi_id IN (SELECT k.kpi_id FROM @extschema@.kpis k
                           WHERE k.organization_id IN (SELECT @extschema@.my_organizations())));

-- ---------------------------------------------------------------------------
-- Statistics that count hidden rows. The cumulative statistics count every
-- tuple and block a scan fetched, before row-level security filters it: after a
-- query with a leakproof index condition, pg_stat_xact_user_tables.idx_tup_fetch
-- (pg_stat_get_xact_tuples_fetched) answers "how many rows of anyone match" in
-- the same transaction, as EXPLAIN ANALYZE did; pg_stat_user_tables,
-- pg_statio_* and pg_stat_database do after the counts are flushed. These
-- functions are in pg_catalog and executable by PUBLIC; only a superuser can
-- change that, per database, with harden_statistics().
-- ---------------------------------------------------------------------------

-- The statistics functions whose counts include rows that row-level security hides.
CREATE FUNCTION @extschema@.hidden_row_statistics()
RETURNS SETOF regprocedure
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT f.f::regprocedure
    FROM (VALUES ('pg_catalog.pg_stat_get_tuples_returned(oid)'), ('pg_catalog.pg_stat_get_tuples_fetched(oid)'),
                 ('pg_catalog.pg_stat_get_blocks_fetched(oid)'), ('pg_catalog.pg_stat_get_blocks_hit(oid)'),
                 ('pg_catalog.pg_stat_get_xact_tuples_returned(oid)'), ('pg_catalog.pg_stat_get_xact_tuples_fetched(oid)'),
                 ('pg_catalog.pg_stat_get_xact_blocks_fetched(oid)'), ('pg_catalog.pg_stat_get_xact_blocks_hit(oid)'),
                 ('pg_catalog.pg_stat_get_db_tuples_returned(oid)'), ('pg_catalog.pg_stat_get_db_tuples_fetched(oid)'),
                 ('pg_catalog.pg_stat_get_db_blocks_fetched(oid)'), ('pg_catalog.pg_stat_get_db_blocks_hit(oid)')) f(f);
END;
COMMENT ON FUNCTION @extschema@.hidden_row_statistics() IS
'The statistics functions whose counts include rows that row-level security hides: tuples and blocks that scans of a table or index fetched (cumulative and in the current transaction), and the database totals. harden_statistics() takes them from PUBLIC.';

-- Takes EXECUTE on hidden_row_statistics() from PUBLIC and gives it to pg_read_all_stats. Superusers only.
CREATE FUNCTION @extschema@.harden_statistics()
RETURNS SETOF regprocedure
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f   regprocedure;
BEGIN
    IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        RAISE EXCEPTION 'permission denied to harden statistics'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Only a superuser can change the privileges of functions in pg_catalog.';
    END IF;
    FOR f IN SELECT s.f FROM @extschema@.hidden_row_statistics() s(f) LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO pg_read_all_stats', f);
        RETURN NEXT f;
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.harden_statistics() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.harden_statistics() IS
'Superusers only, once per database: takes EXECUTE on hidden_row_statistics() from PUBLIC and grants it to pg_read_all_stats, so tenants cannot count hidden rows through pg_stat_user_tables, pg_statio_user_tables, pg_stat_xact_user_tables or pg_stat_database (whose views then fail for other roles too); returns the functions.';

-- What a database still lacks for tenants: one row per problem, with its fix. Nothing when all is set up.
-- (session_preload_libraries and shared_preload_libraries can only be read by superusers and
-- pg_read_all_settings: the check reads whether this session has the guard, and the role settings.)
CREATE FUNCTION @extschema@.tenant_setup_problems()
RETURNS TABLE (problem text, fix text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leaky       text;
BEGIN
    IF NOT @extschema@.plan_guard_active() THEN
        problem := 'this session did not load the ismseval library at session start: tenant sessions with the same settings cannot read ismseval''s tables (55000), and without that check EXPLAIN would count rows they cannot see';
        fix := pg_catalog.format('add ismseval to session_preload_libraries (ALTER DATABASE %I SET session_preload_libraries = ''ismseval'', keeping any libraries it lists) or to shared_preload_libraries, then reconnect',
                                 pg_catalog.current_database());
        RETURN NEXT;
    END IF;
    FOR problem, fix IN
        SELECT pg_catalog.format('role %s has the privileges of ismseval_tenant and its own session_preload_libraries without ismseval (%s): unless shared_preload_libraries has it, its sessions cannot read ismseval''s tables',
                                 r.rolname, s.value),
               pg_catalog.format('ALTER ROLE %I%s SET session_preload_libraries = %L, or RESET it',
                                 r.rolname, CASE WHEN d.setdatabase <> 0 THEN pg_catalog.format(' IN DATABASE %I', db.datname) ELSE '' END,
                                 pg_catalog.concat_ws(', ', NULLIF(s.value, ''), 'ismseval'))
        FROM pg_catalog.pg_db_role_setting d
        JOIN pg_catalog.pg_roles r ON r.oid = d.setrole
        LEFT JOIN pg_catalog.pg_database db ON db.oid = d.setdatabase
        CROSS JOIN LATERAL pg_catalog.unnest(d.setconfig) c(setting)
        CROSS JOIN LATERAL (SELECT pg_catalog.substr(c.setting, pg_catalog.length('session_preload_libraries=') + 1)) s(value)
        WHERE d.setdatabase IN (0, (SELECT o.oid FROM pg_catalog.pg_database o WHERE o.datname = pg_catalog.current_database()))
          AND c.setting LIKE 'session\_preload\_libraries=%'
          AND s.value !~ '(^|[,/\s"])ismseval(\.so)?("?\s*(,|$))'
          AND pg_catalog.pg_has_role(r.oid, 'ismseval_tenant', 'USAGE')
          AND NOT r.rolsuper AND NOT pg_catalog.pg_has_role(r.oid, 'ismseval_admin', 'USAGE')
        ORDER BY r.rolname
    LOOP
        RETURN NEXT;
    END LOOP;
    SELECT pg_catalog.string_agg(s.f::text, ', ' ORDER BY s.f::text) INTO leaky
    FROM @extschema@.hidden_row_statistics() s(f)
    WHERE pg_catalog.has_function_privilege('ismseval_tenant', s.f, 'EXECUTE');
    IF leaky IS NOT NULL THEN
        problem := 'tenants can execute statistics functions that count rows row-level security hides: ' || leaky;
        fix := 'SELECT ismseval.harden_statistics(); as a superuser, in this database';
        RETURN NEXT;
    END IF;
    SELECT pg_catalog.string_agg(p.oid::regprocedure::text, ', ') INTO leaky
    FROM pg_catalog.pg_proc p
    WHERE p.proname = 'pg_stat_statements' AND pg_catalog.has_function_privilege('ismseval_tenant', p.oid, 'EXECUTE');
    IF leaky IS NOT NULL THEN
        problem := 'tenants can read pg_stat_statements, whose block counts of their own queries include blocks of rows they cannot see: ' || leaky;
        fix := 'REVOKE EXECUTE ON FUNCTION ' || leaky || ' FROM PUBLIC; GRANT it to pg_read_all_stats';
        RETURN NEXT;
    END IF;
    IF COALESCE(pg_catalog.current_setting('auto_explain.log_min_duration', true), '-1') <> '-1' THEN
        problem := 'auto_explain logs plans in this session, with estimates over every tenant''s rows, at auto_explain.log_level, which a tenant receives when it sets client_min_messages; with auto_explain.log_analyze on, every tenant query is refused (42501)';
        fix := 'do not load auto_explain in tenant sessions, or ALTER ROLE ... SET auto_explain.log_min_duration = -1 for each tenant login role';
        RETURN NEXT;
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.tenant_setup_problems() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.tenant_setup_problems() TO ismseval_admin;
COMMENT ON FUNCTION @extschema@.tenant_setup_problems() IS
'For administrators: what this database and session still lack so that tenants cannot count rows they cannot see (the library not loaded at session start, a tenant role''s own session_preload_libraries without it, statistics functions tenants can execute, pg_stat_statements readable by tenants, auto_explain active), one row per problem with its fix; no row when all is set up.';
