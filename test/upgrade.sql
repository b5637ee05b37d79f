-- pgTAP: the update chain. Install the first release, update one version at a time, and end
-- with exactly the objects of a fresh install of the default version.
BEGIN;
SELECT plan(17);

SELECT set_eq($$SELECT version FROM pg_available_extension_versions WHERE name = 'ismseval'$$,
              ARRAY['0.1.0', '0.2.0', '0.3.0', '0.4.0', '0.5.0'], 'every released version is installable');
SELECT is((SELECT default_version FROM pg_available_extensions WHERE name = 'ismseval'), '0.5.0',
          'the default version is the newest');

CREATE EXTENSION ismseval VERSION '0.1.0';
SELECT has_function('ismseval', 'risk_score', ARRAY['integer', 'integer'], '0.1.0 has risk_score');
SELECT has_type('ismseval', 'risk_matrix', '0.1.0 has risk_matrix');
SELECT hasnt_type('ismseval', 'peer_dist', '0.1.0 has no peer_dist yet');
-- a value made under 0.1.0 survives the updates
CREATE TABLE upgrade_probe AS
SELECT 'likelihood 2 impact 2 levels (low #00FF00, high #FF0000) thresholds (3)'::ismseval.risk_matrix AS m;

ALTER EXTENSION ismseval UPDATE TO '0.2.0';
SELECT has_type('ismseval', 'peer_dist', '0.2.0 adds peer_dist');
SELECT has_type('ismseval', 'radar', '0.2.0 adds radar');

ALTER EXTENSION ismseval UPDATE TO '0.3.0';
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'ismseval'), '0.3.0', 'updated to 0.3.0');
SELECT is((SELECT ismseval.risk_level(m, 2, 2) FROM upgrade_probe), 'high',
          'a risk_matrix stored under 0.1.0 still reads after the updates');
-- an organization stored under 0.3.0 keeps its rows and its view rows through 0.4.0
INSERT INTO ismseval.organizations (code, name, core_business, size_band)
VALUES ('upg', 'Upgrade Ltd', 'regulated', 'small');

ALTER EXTENSION ismseval UPDATE TO '0.4.0';
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'ismseval'), '0.4.0', 'updated to 0.4.0');
SELECT is((SELECT organization_name FROM ismseval.management_review WHERE organization = 'upg'), 'Upgrade Ltd',
          'an organization stored under 0.3.0 is in the views after the update');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'ismseval.risks'::regclass),
          '0.4.0 turns row-level security on');
ALTER EXTENSION ismseval UPDATE TO '0.5.0';

CREATE TEMP TABLE updated_objects AS
SELECT pg_describe_object(classid, objid, objsubid) AS what
FROM pg_depend WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ismseval') AND deptype = 'e';
-- policies and privileges are not extension members: compare them too
CREATE TEMP VIEW security_state AS
SELECT 'policy ' || c.relname || '.' || p.polname || ' ' || p.polcmd::text || ' ' || p.polroles::regrole[]::text
       || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' / '
       || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') AS what
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = 'ismseval'::regnamespace
UNION ALL
SELECT 'acl ' || c.relname || ' ' || coalesce(c.relacl::text, '') || ' rls ' || c.relrowsecurity
FROM pg_class c WHERE c.relnamespace = 'ismseval'::regnamespace
UNION ALL
SELECT 'acl ' || p.oid::regprocedure::text || ' ' || coalesce(p.proacl::text, '') || ' ' || p.prosecdef
FROM pg_proc p WHERE p.pronamespace = 'ismseval'::regnamespace
UNION ALL
SELECT 'acl column ' || a.attrelid::regclass::text || '.' || a.attname || ' ' || a.attacl::text
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'ismseval'::regnamespace AND a.attacl IS NOT NULL;
CREATE TEMP TABLE updated_security AS SELECT what FROM security_state;
DROP TABLE upgrade_probe;
DROP EXTENSION ismseval;
CREATE EXTENSION ismseval;
CREATE TEMP TABLE fresh_objects AS
SELECT pg_describe_object(classid, objid, objsubid) AS what
FROM pg_depend WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ismseval') AND deptype = 'e';
CREATE TEMP TABLE fresh_security AS SELECT what FROM security_state;

SELECT ok((SELECT count(*) FROM fresh_objects) > 50, 'a fresh install has its objects');
SELECT set_eq('SELECT what FROM updated_objects', 'SELECT what FROM fresh_objects',
              'an updated install has exactly the objects of a fresh one');
SELECT set_eq('SELECT what FROM updated_security', 'SELECT what FROM fresh_security',
              'an updated install has exactly the policies and privileges of a fresh one');
SELECT ok((SELECT count(*) FROM fresh_security WHERE what LIKE 'policy %') >= 30, 'a fresh install has its policies');
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'ismseval'), '0.5.0',
          'a fresh install is the default version');

SELECT * FROM finish();
ROLLBACK;
