-- pgTAP: the plan guard (issue 10). A tenant cannot read plan output or statistics that
-- count rows row-level security hides from it: EXPLAIN in every form and from every
-- context is refused, instrumentation that auto_explain adds is refused, debug_print_plan
-- is refused, and harden_statistics() takes the counting statistics functions from PUBLIC.
-- The suite's database preloads the library (scripts/test.sh); test/plan_guard_session.sh
-- checks sessions that did not.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(45);

-- ---------------------------------------------------------------------------
-- Roles: two tenants (guard_alice acts for guard_tenant_a), an administrator, a role
-- that is both, a role with neither, and a monitoring role.
-- Data: organizations ga (tenant a), gb (tenant b), gc (unmapped) with 2, 3 and 4
-- incidents: guard_alice sees 2 of the 9.
-- ---------------------------------------------------------------------------
CREATE ROLE guard_tenant_a NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE guard_tenant_b NOLOGIN IN ROLE ismseval_tenant;
CREATE ROLE guard_alice IN ROLE guard_tenant_a;
CREATE ROLE guard_ada IN ROLE ismseval_admin;
CREATE ROLE guard_both IN ROLE guard_tenant_b, ismseval_admin;
CREATE ROLE guard_outsider;
CREATE ROLE guard_monitor IN ROLE pg_read_all_stats;

INSERT INTO ismseval.organizations (code, name, core_business, size_band)
VALUES ('ga', 'Guard A', 'regulated', 'small'), ('gb', 'Guard B', 'regulated', 'small'),
       ('gc', 'Guard C', 'regulated', 'small');
INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
SELECT ('guard_tenant_' || right(code, 1))::regrole, organization_id
FROM ismseval.organizations WHERE code IN ('ga', 'gb');
INSERT INTO ismseval.incidents (organization_id, title, occurred_at, detected_at, severity)
SELECT o.organization_id, o.code || ' incident ' || g, TIMESTAMPTZ '2026-10-01 08:00+00' + g * interval '1 second',
       TIMESTAMPTZ '2026-10-01 10:00+00', 2
FROM ismseval.organizations o
JOIN (VALUES ('ga', 2), ('gb', 3), ('gc', 4)) n(code, k) USING (code), generate_series(1, n.k) g;
GRANT SELECT ON ALL TABLES IN SCHEMA ismseval TO guard_monitor;

-- A SECURITY DEFINER function of the extension's owner (a superuser) that explains a query:
-- inside it current_user is the owner, the tenant is the session's outer role.
CREATE FUNCTION pg_temp.owner_explains(q text) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN (ANALYZE) ' || q; END $$;

SELECT ok(ismseval.plan_guard_active(), 'the suite''s sessions load the library at session start: the guard is active');
SELECT is_empty($$
    SELECT c.relname || '.' || p.polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
    WHERE c.relnamespace = 'ismseval'::regnamespace AND 'ismseval_tenant'::regrole = ANY (p.polroles)
      AND p.polqual IS NOT NULL AND pg_get_expr(p.polqual, p.polrelid) NOT LIKE '%plan_guard_active()%'$$,
    'every tenant policy that reads rows calls plan_guard_active()');

-- ---------------------------------------------------------------------------
-- 1. A tenant cannot EXPLAIN, with or without ANALYZE, in any format, from any context.
-- ---------------------------------------------------------------------------
SET ROLE guard_alice;
SELECT is((SELECT count(*) FROM ismseval.incidents), 2::bigint, 'guard_alice sees her organization''s 2 incidents');
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT throws_ok($$EXPLAIN (ANALYZE) SELECT * FROM ismseval.incidents WHERE occurred_at >= '2026-10-01 08:00:03+00'$$,
                 '42501', 'permission denied to instrument a query', 'EXPLAIN (ANALYZE) is refused to a tenant');
SELECT throws_ok($$EXPLAIN ANALYZE SELECT * FROM ismseval.incidents$$,
                 '42501', 'permission denied to instrument a query', 'EXPLAIN ANALYZE (old syntax) is refused');
SELECT throws_ok($$EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ismseval.incidents$$,
                 '42501', 'permission denied to instrument a query', 'EXPLAIN (ANALYZE, BUFFERS) is refused');
SELECT throws_ok(format($$EXPLAIN (ANALYZE, FORMAT %s) SELECT * FROM ismseval.incidents$$, f),
                 '42501', 'permission denied to instrument a query', format('EXPLAIN (ANALYZE, FORMAT %s) is refused', f))
FROM unnest(ARRAY['TEXT', 'JSON', 'XML', 'YAML']) f;
SELECT throws_ok($$EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, COSTS OFF) SELECT * FROM ismseval.incidents$$,
                 '42501', 'permission denied to instrument a query', 'EXPLAIN (ANALYZE, TIMING OFF) is refused (it still counts rows)');
SELECT throws_ok($$EXPLAIN SELECT * FROM ismseval.incidents WHERE occurred_at >= '2026-10-01 08:00:03+00'$$,
                 '42501', 'permission denied to explain a query', 'plain EXPLAIN is refused (estimates come from every tenant''s rows)');
SELECT throws_ok($$EXPLAIN (BUFFERS) SELECT * FROM ismseval.incidents$$,
                 '42501', 'permission denied to explain a query', 'EXPLAIN (BUFFERS) without ANALYZE is refused');
SELECT throws_ok($$EXPLAIN (ANALYZE) UPDATE ismseval.incidents SET severity = 3 WHERE occurred_at >= '2026-10-01 08:00:01+00'$$,
                 '42501', 'permission denied to instrument a query', 'EXPLAIN (ANALYZE) of an UPDATE is refused');
SELECT throws_ok($q$DO $do$ DECLARE r record; BEGIN
                     FOR r IN EXECUTE 'EXPLAIN (ANALYZE) SELECT * FROM ismseval.incidents' LOOP END LOOP; END $do$$q$,
                 '42501', 'permission denied to instrument a query', 'EXPLAIN (ANALYZE) through plpgsql EXECUTE is refused');
CREATE FUNCTION pg_temp.alice_explains(q text) RETURNS SETOF text
LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || q; END $$;
SELECT throws_ok($$SELECT pg_temp.alice_explains('SELECT * FROM ismseval.incidents')$$,
                 '42501', 'permission denied to instrument a query', 'EXPLAIN (ANALYZE) in a tenant''s own function is refused');
SELECT throws_ok($$SELECT pg_temp.owner_explains('SELECT * FROM ismseval.incidents')$$,
                 '42501', 'permission denied to instrument a query',
                 'EXPLAIN (ANALYZE) in a superuser''s SECURITY DEFINER function is refused to a tenant caller (outer role)');
PREPARE guard_probe(timestamptz) AS SELECT * FROM ismseval.incidents WHERE occurred_at >= $1;
SELECT throws_ok($$EXPLAIN (ANALYZE) EXECUTE guard_probe('2026-10-01 08:00:03+00')$$,
                 '42501', 'permission denied to instrument a query', 'EXPLAIN (ANALYZE) EXECUTE of a prepared statement is refused');
SELECT throws_ok($$EXPLAIN EXECUTE guard_probe('2026-10-01 08:00:03+00')$$,
                 '42501', 'permission denied to explain a query', 'EXPLAIN EXECUTE of a prepared statement is refused');
DEALLOCATE guard_probe;
SELECT throws_ok($$EXPLAIN (ANALYZE) CREATE TEMP TABLE guard_copy AS SELECT * FROM ismseval.incidents$$,
                 '42501', 'permission denied to instrument a query', 'EXPLAIN (ANALYZE) CREATE TABLE AS is refused');
-- (set inside the tested block: the error undoes it, so throws_ok's own queries plan without it)
SELECT throws_ok($q$DO $do$ BEGIN SET debug_print_plan = on; PERFORM count(*) FROM ismseval.incidents; END $do$$q$,
                 '42501', 'permission denied to print plans', 'a tenant cannot plan with debug_print_plan on');
-- A tenant's SECURITY DEFINER function runs as the tenant, also when an administrator calls it.
CREATE FUNCTION pg_temp.alice_definer() RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN SELECT * FROM ismseval.incidents'; END $$;
GRANT EXECUTE ON FUNCTION pg_temp.alice_definer() TO guard_ada;
SELECT is((SELECT count(*) FROM ismseval.incidents WHERE severity = 3), 0::bigint, 'the refused EXPLAIN (ANALYZE) UPDATE changed nothing');

SET ROLE guard_ada;
SELECT throws_ok($$SELECT pg_temp.alice_definer()$$,
                 '42501', 'permission denied to explain a query',
                 'a tenant''s SECURITY DEFINER function cannot EXPLAIN, also when an administrator calls it (current_user)');

-- ---------------------------------------------------------------------------
-- 2. Administrators, superusers, a role that is tenant and administrator, and roles that
--    are not tenants still can.
-- ---------------------------------------------------------------------------
SELECT lives_ok($$EXPLAIN (ANALYZE) SELECT * FROM ismseval.incidents WHERE occurred_at >= '2026-10-01 08:00:03+00'$$,
                'an administrator can EXPLAIN (ANALYZE)');
SELECT lives_ok($$EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM ismseval.incidents$$,
                'an administrator can EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)');
SET ROLE guard_both;
SELECT lives_ok($$EXPLAIN (ANALYZE) SELECT * FROM ismseval.incidents$$,
                'a role with the privileges of ismseval_admin and a tenant can EXPLAIN (ANALYZE) (it sees every row)');
SET ROLE guard_outsider;
SELECT lives_ok($$EXPLAIN (ANALYZE) SELECT * FROM pg_catalog.pg_class$$,
                'a role that is not a tenant can EXPLAIN (ANALYZE) (the guard refuses tenants only)');
RESET ROLE;
SELECT lives_ok($$EXPLAIN (ANALYZE) SELECT * FROM ismseval.incidents$$, 'a superuser can EXPLAIN (ANALYZE)');
-- Where the guard is active, planning folds plan_guard_active() to true: the policies cost
-- nothing per row.
CREATE FUNCTION pg_temp.plan_text(q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE r record; t text := ''; BEGIN
    FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP t := t || r."QUERY PLAN" || E'\n'; END LOOP;
    RETURN t;
END $$;
SELECT doesnt_match(pg_temp.plan_text('SELECT title FROM ismseval.incidents WHERE ismseval.plan_guard_active()'),
                    'plan_guard_active', 'where the guard is active, plan_guard_active() is the constant true in plans');

-- ---------------------------------------------------------------------------
-- 3. auto_explain with log_analyze asks for instrumentation in the executor: refused to a
--    tenant (auto_explain loaded after the guard here; plan_guard_session.sh loads it first).
-- ---------------------------------------------------------------------------
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = debug5;
-- (the tenant acts in a nested statement: throws_ok's own query runs as the superuser)
SELECT throws_ok($q$DO $do$ BEGIN SET LOCAL ROLE guard_alice; PERFORM count(*) FROM ismseval.incidents; END $do$$q$,
                 '42501', 'permission denied to instrument a query', 'auto_explain.log_analyze is refused to a tenant');
SET ROLE guard_ada;
SELECT is((SELECT count(*) FROM ismseval.incidents), 9::bigint, 'an administrator''s queries run under auto_explain.log_analyze');
SELECT ok((SELECT count(*) > 0 FROM ismseval.tenant_setup_problems() WHERE problem LIKE 'auto_explain logs plans%'),
          'tenant_setup_problems() reports auto_explain');
RESET ROLE;
SET auto_explain.log_min_duration = -1;
SET auto_explain.log_analyze = off;
RESET auto_explain.log_nested_statements;
RESET auto_explain.log_level;

-- ---------------------------------------------------------------------------
-- 4. Statistics. Before harden_statistics(), the counters of the transaction tell a tenant
--    how many rows of anyone its index scan fetched: that is the channel. After it, the
--    counting functions (and the views over them) are refused to tenants.
-- ---------------------------------------------------------------------------
SET ROLE guard_alice;
CREATE TEMP VIEW guard_fetched AS
SELECT idx_tup_fetch AS n FROM pg_stat_xact_user_tables WHERE relid = 'ismseval.incidents'::regclass;
CREATE TEMP TABLE guard_fetched_before AS SELECT n FROM guard_fetched;
SELECT is((SELECT count(*) FROM (SELECT title FROM ismseval.incidents WHERE incident_id > 0) x), 2::bigint,
          'an index scan as guard_alice returns her 2 incidents');
SELECT is((SELECT n FROM guard_fetched) - (SELECT n FROM guard_fetched_before), 9::bigint,
          'before hardening, pg_stat_xact_user_tables shows it fetched 9 = 2 + 3 + 4 rows of all organizations');
SET ROLE guard_ada;
SELECT is((SELECT count(*) FROM ismseval.tenant_setup_problems() WHERE problem LIKE 'tenants can execute statistics functions%'),
          1::bigint, 'tenant_setup_problems() reports the statistics functions');
SELECT throws_ok($$SELECT ismseval.harden_statistics()$$, '42501', NULL,
                 'an administrator cannot run harden_statistics() (a superuser must)');
RESET ROLE;
SELECT is((SELECT count(*) FROM ismseval.harden_statistics()), 12::bigint, 'a superuser hardens the 12 counting functions');
SET ROLE guard_alice;
SELECT throws_ok($$SELECT pg_stat_get_xact_tuples_fetched('ismseval.incidents_pkey'::regclass)$$, '42501', NULL,
                 'after hardening, a tenant cannot read the tuples its transaction fetched through an index');
SELECT throws_ok(format('SELECT * FROM %s', v), '42501', NULL, format('after hardening, a tenant cannot read %s', v))
FROM unnest(ARRAY['pg_stat_xact_user_tables', 'pg_stat_user_tables', 'pg_statio_user_tables',
                  'pg_stat_user_indexes', 'pg_stat_database']) v;
SET ROLE guard_monitor;
SELECT lives_ok($$SELECT idx_tup_fetch FROM pg_stat_xact_user_tables$$,
                'a member of pg_read_all_stats still reads them');
SET ROLE guard_ada;
SELECT is_empty($$SELECT problem FROM ismseval.tenant_setup_problems()$$,
                'tenant_setup_problems() lists nothing in a preloaded session after hardening');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
