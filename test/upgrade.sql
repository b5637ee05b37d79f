-- pgTAP: the update chain. Install the first release, update one version at a time, and end
-- with exactly the objects of a fresh install of the default version.
BEGIN;
SELECT plan(12);

SELECT set_eq($$SELECT version FROM pg_available_extension_versions WHERE name = 'ismseval'$$,
              ARRAY['0.1.0', '0.2.0', '0.3.0'], 'every released version is installable');
SELECT is((SELECT default_version FROM pg_available_extensions WHERE name = 'ismseval'), '0.3.0',
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

CREATE TEMP TABLE updated_objects AS
SELECT pg_describe_object(classid, objid, objsubid) AS what
FROM pg_depend WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ismseval') AND deptype = 'e';
DROP TABLE upgrade_probe;
DROP EXTENSION ismseval;
CREATE EXTENSION ismseval;
CREATE TEMP TABLE fresh_objects AS
SELECT pg_describe_object(classid, objid, objsubid) AS what
FROM pg_depend WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ismseval') AND deptype = 'e';

SELECT ok((SELECT count(*) FROM fresh_objects) > 50, 'a fresh install has its objects');
SELECT set_eq('SELECT what FROM updated_objects', 'SELECT what FROM fresh_objects',
              'an updated install has exactly the objects of a fresh one');
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'ismseval'), '0.3.0',
          'a fresh install is the default version');

SELECT * FROM finish();
ROLLBACK;
