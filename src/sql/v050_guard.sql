-- 0.5.0, issue 10: plan output must not count rows a tenant cannot see.
--
-- The library refuses EXPLAIN (with or without ANALYZE, any format and option)
-- and other plan instrumentation to tenants (src/plan_guard.c). Its hooks exist
-- only when the library was loaded at session start (session_preload_libraries
-- or shared_preload_libraries), so every tenant policy that reads rows (USING)
-- now also calls plan_guard_active(): in a session without the guard, planning a
-- tenant's query on any table fails (55000) with a hint naming the setting, before
-- EXPLAIN prints anything and whatever the data. In a guarded session its planner
-- support function replaces the call by the constant true: no cost per row.

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

-- The tenant policies: the same conditions as in 0.4.0, and the guard.
ALTER POLICY tenant_organizations_tenant ON @extschema@.tenant_organizations
    USING (@extschema@.plan_guard_active() AND pg_catalog.pg_has_role(tenant_role, 'USAGE'));

ALTER POLICY organizations_tenant_read ON @extschema@.organizations
    USING (@extschema@.plan_guard_active()
           AND organization_id IN (SELECT @extschema@.my_organizations()));
ALTER POLICY organizations_tenant_update ON @extschema@.organizations
    USING (@extschema@.plan_guard_active()
           AND organization_id IN (SELECT @extschema@.my_organizations()));

DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['departments', 'assessments', 'maturity_targets', 'assets', 'risks', 'kpis',
                             'objectives', 'incidents', 'nonconformities', 'corrective_actions'] LOOP
        EXECUTE pg_catalog.format('ALTER POLICY %I ON @extschema@.%I '
                                  'USING (@extschema@.plan_guard_active() '
                                  'AND organization_id IN (SELECT @extschema@.my_organizations()))',
                                  t || '_tenant', t);
    END LOOP;
END
$policies$;

ALTER POLICY threats_tenant_read ON @extschema@.threats
    USING (@extschema@.plan_guard_active()
           AND (organization_id IS NULL OR organization_id IN (SELECT @extschema@.my_organizations())));
ALTER POLICY threats_tenant_update ON @extschema@.threats
    USING (@extschema@.plan_guard_active()
           AND organization_id IN (SELECT @extschema@.my_organizations()));
ALTER POLICY threats_tenant_delete ON @extschema@.threats
    USING (@extschema@.plan_guard_active()
           AND organization_id IN (SELECT @extschema@.my_organizations()));

ALTER POLICY answers_tenant ON @extschema@.answers
    USING (@extschema@.plan_guard_active()
           AND assessment_id IN (SELECT a.assessment_id FROM @extschema@.assessments a
                                 WHERE a.organization_id IN (SELECT @extschema@.my_organizations())));
ALTER POLICY kpi_measurements_tenant ON @extschema@.kpi_measurements
    USING (@extschema@.plan_guard_active()
           AND kpi_id IN (SELECT k.kpi_id FROM @extschema@.kpis k
                          WHERE k.organization_id IN (SELECT @extschema@.my_organizations())));

