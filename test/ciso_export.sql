-- pgTAP: importing a CISO Assistant instance export (import_ciso_assistant_export), on the
-- hand-made export test/fixtures/ciso_export_small.json (read by psql from the repository
-- root, where make runs pg_prove) and a second one written below. Every expected value is
-- worked out by hand from the fixture; the arithmetic is in the comments.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(55);

-- The framework of the fixture's compliance assessment, loaded by plain SQL as a library
-- import would: MINI, scale 1-4; domains GV and PR are grouping nodes (not assessable) with
-- the requirements GV.1, GV.2, PR.1, PR.2, PR.3 under them.
INSERT INTO ismseval.frameworks (code, name, scale_min, scale_max, default_target, urn)
VALUES ('MINI', 'Mini framework', 1, 4, 3, 'urn:test:framework:mini');
INSERT INTO ismseval.control_domains (framework_id, code, name, display_order)
SELECT f.framework_id, v.code, v.name, v.o FROM ismseval.frameworks f,
       (VALUES ('GV', 'Govern', 1), ('PR', 'Protect', 2)) v(code, name, o) WHERE f.code = 'MINI';
INSERT INTO ismseval.questions (framework_id, domain_id, code, text, urn, assessable, depth, display_order)
SELECT d.framework_id, d.domain_id, d.code, d.name, 'urn:test:req:mini:' || lower(d.code), false, 1, d.display_order * 10
FROM ismseval.control_domains d JOIN ismseval.frameworks f USING (framework_id) WHERE f.code = 'MINI';
INSERT INTO ismseval.questions (framework_id, parent_id, code, text, urn, display_order)
SELECT p.framework_id, p.question_id, p.code || '.' || n, 'Requirement ' || p.code || '.' || n, p.urn || '.' || n,
       p.display_order + n
FROM ismseval.questions p JOIN ismseval.frameworks f USING (framework_id), generate_series(1, 3) n
WHERE f.code = 'MINI' AND p.parent_id IS NULL AND (p.code = 'PR' OR n <= 2);

\set export `cat test/fixtures/ciso_export_small.json`
CREATE TEMP TABLE export_doc AS SELECT :'export'::jsonb AS doc;

-- The export with fields of one object replaced.
CREATE FUNCTION pg_temp.patched(export jsonb, obj_id text, patch jsonb) RETURNS jsonb
LANGUAGE sql AS $$
    SELECT jsonb_set(export, '{objects}',
                     (SELECT jsonb_agg(CASE WHEN o ->> 'id' = obj_id THEN jsonb_set(o, '{fields}', (o -> 'fields') || patch) ELSE o END
                                       ORDER BY n)
                      FROM jsonb_array_elements(export -> 'objects') WITH ORDINALITY e(o, n)))
$$;
-- The export with one more object.
CREATE FUNCTION pg_temp.plus(export jsonb, obj jsonb) RETURNS jsonb
LANGUAGE sql AS $$ SELECT jsonb_set(export, '{objects}', (export -> 'objects') || jsonb_build_array(obj)) $$;

-- ---------------------------------------------------------------------------
-- 1. The first import: one line per object, in the order of the steps.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE first_run AS
SELECT * FROM ismseval.import_ciso_assistant_export((SELECT doc FROM export_doc)) WITH ORDINALITY;

SELECT results_eq(
    'SELECT kind, external_id, ref, action, reason FROM first_run ORDER BY ordinality',
    $$VALUES
    ('perimeter', 'p-harbor', 'HARBOR', 'created', 'organization HARBOR created (regulated, small)'),
    ('framework', 'fw-mini', 'urn:test:framework:mini', 'unchanged', 'framework MINI, loaded from its library'),
    ('framework', 'fw-absent', 'urn:test:framework:absent', 'skipped',
     'framework urn:test:framework:absent not loaded: import its library first'),
    ('threat', 'th-hijack', 'T-HIJ', 'created', 'organization HARBOR; category other'),
    -- availability is not enabled: the placeholder 3
    ('asset', 'as-crane', 'Crane controller', 'created', 'organization HARBOR; placeholders: location server, availability 3'),
    ('applied_control', 'ac-seg', 'Network segmentation', 'created', 'organization HARBOR'),
    ('compliance_assessment', 'ca-mini', 'Mini baseline', 'created', 'organization HARBOR; framework MINI on 2026-05-15'),
    ('compliance_assessment', 'ca-absent', 'Absent review', 'skipped',
     'framework urn:test:framework:absent not loaded: import its library first'),
    ('requirement_assessment', 'ra-gv', 'urn:test:req:mini:gv', 'skipped',
     'a grouping node (not assessable): its assessment carries no result'),
    ('requirement_assessment', 'ra-gv1', 'urn:test:req:mini:gv.1', 'created', 'organization HARBOR'),
    ('requirement_assessment', 'ra-gv2', 'urn:test:req:mini:gv.2', 'created', 'organization HARBOR'),
    ('requirement_assessment', 'ra-pr', 'urn:test:req:mini:pr', 'skipped',
     'a grouping node (not assessable): its result compliant is not loaded'),
    ('requirement_assessment', 'ra-pr1', 'urn:test:req:mini:pr.1', 'created', 'organization HARBOR'),
    ('requirement_assessment', 'ra-pr2', 'urn:test:req:mini:pr.2', 'created', 'organization HARBOR'),
    ('requirement_assessment', 'ra-pr3', 'urn:test:req:mini:pr.3', 'created', 'organization HARBOR'),
    ('requirement_assessment', 'ra-gone', 'urn:test:req:mini:gone', 'skipped', 'not a requirement of framework MINI'),
    ('requirement_assessment', 'ra-absent', 'urn:test:req:absent:1', 'skipped',
     'framework urn:test:framework:absent not loaded: import its library first'),
    -- levels Low, Medium, High; the default tolerance medium is none of them (case counts):
    -- the middle level, index (3 - 1) / 2 = 1, Medium
    ('risk_matrix', 'rm-3x3', 'urn:test:matrix:3x3', 'created',
     'organization HARBOR; tolerance Medium (the middle level: the export gives none)'),
    ('risk_assessment', 'risk-harbor', 'Harbor risks', 'created', 'organization HARBOR'),
    ('risk_scenario', 'sc-hijack', 'S1 Crane control hijack', 'created',
     'organization HARBOR; inherent cell = current cell (no inherent rating)'),
    ('risk_scenario', 'sc-flood', 'S2 Quay flooding', 'created',
     'organization HARBOR; current cell half rated (proba 1, impact -1), not rated'),
    ('risk_scenario', 'sc-unrated', 'S3 Unrated idea', 'skipped',
     'not rated: neither an inherent nor a current cell (-1 in CISO Assistant)'),
    ('loaded_library', 'lib-mini', 'MINI-LIB', 'skipped', 'a library is imported from its YAML file, not from an instance export'),
    ('reference_control', 'rc-seg', 'SEG', 'skipped',
     'reference controls are not imported: an applied control keeps its reference control''s urn'),
    ('evidence', 'ev-plan', 'Network plan', 'skipped', 'evidences are not imported: ismseval keeps no documents')$$,
    'the first import: every object of the export once, created, unchanged or skipped with the reason');

SELECT results_eq(
    $$SELECT name, core_business, size_band, risk_tolerance,
             (SELECT string_agg(l.name, ',' ORDER BY l.rank) FROM ismseval.risk_matrix_levels(risk_matrix) l),
             ismseval.risk_matrix_likelihood_size(risk_matrix), ismseval.risk_matrix_impact_size(risk_matrix)
      FROM ismseval.organizations WHERE code = 'HARBOR'$$,
    $$VALUES ('Harbor Logistics', 'regulated', 'small', 'Medium', 'Low,Medium,High', 3, 3)$$,
    'the perimeter is organization HARBOR (its ref_id), default peer group, the 3 x 3 matrix of its risk assessment');
-- grid [[0,0,1],[0,1,2],[1,2,2]] read cell by cell: (l, i) is risk[grid[l-1][i-1]]
SELECT results_eq(
    $$SELECT string_agg(level, ',' ORDER BY likelihood, impact) FROM ismseval.risk_matrix_cells(
          (SELECT risk_matrix FROM ismseval.organizations WHERE code = 'HARBOR'))$$,
    $$VALUES ('Low,Low,Medium,Low,Medium,High,Medium,High,High')$$,
    'its cells are the export''s grid');
SELECT results_eq(
    $$SELECT t.code, t.category, t.name, t.description FROM ismseval.threats t
      JOIN ismseval.organizations o USING (organization_id) WHERE o.code = 'HARBOR'$$,
    $$VALUES ('T-HIJ', 'other', 'Remote hijack', 'Someone takes over a controller')$$,
    'the threat is the organization''s own, code = ref_id, category other');
-- confidentiality stored 1 -> 1 + 1 = 2; integrity 3 -> 4; availability disabled -> 3
SELECT results_eq(
    $$SELECT a.name, a.information_type, a.location, a.confidentiality, a.integrity, a.availability, a.asset_value
      FROM ismseval.assets a JOIN ismseval.organizations o USING (organization_id) WHERE o.code = 'HARBOR'$$,
    $$VALUES ('Crane controller', 'supporting asset', 'server', 2, 4, 3, 4)$$,
    'the asset: C = 1 + 1, I = 3 + 1, A the placeholder 3 (not enabled); asset value max = 4');
SELECT results_eq(
    $$SELECT c.ref_id, c.name, c.description, c.category, c.csf_function, c.status, c.priority, c.effort, c.start_date,
             c.eta, c.expiry_date, c.link, c.reference_control_urn
      FROM ismseval.applied_controls c JOIN ismseval.organizations o USING (organization_id) WHERE o.code = 'HARBOR'$$,
    $$VALUES (NULL::text, 'Network segmentation', 'Cranes on their own VLAN', 'technical', 'protect', 'in_progress', 2, 'M',
              NULL::date, DATE '2026-03-31', NULL::date, NULL::text, 'urn:test:function:segmentation')$$,
    'the applied control, with the urn of its reference control');
SELECT results_eq(
    $$SELECT f.code, a.assessed_on, a.department_id, a.implementation_groups
      FROM ismseval.assessments a JOIN ismseval.frameworks f USING (framework_id)
      JOIN ismseval.organizations o USING (organization_id) WHERE o.code = 'HARBOR'$$,
    $$VALUES ('MINI', DATE '2026-05-15', NULL::bigint, NULL::text[])$$,
    'the compliance assessment: organization-wide, dated its eta, every requirement in scope');
-- the scale 1-4 is the framework's: scores as they are; PR.1 not applicable drops its score 3;
-- PR.3 is not scored (is_scored false) so its score 3 is not read
SELECT results_eq(
    $$SELECT q.code, a.score, a.not_applicable, a.result FROM ismseval.answers a
      JOIN ismseval.questions q USING (question_id) ORDER BY q.code$$,
    $$VALUES ('GV.1', 4, false, 'compliant'), ('GV.2', 2, false, 'partially_compliant'),
             ('PR.1', NULL, true, 'not_applicable'), ('PR.2', NULL, false, 'not_assessed'),
             ('PR.3', NULL, false, 'non_compliant')$$,
    'the answers: results, scores only where scored, not applicable without its score');
-- S1: current (2, 1) -> cell (3, 2), level risk[grid[2][1]] = risk[2] = High; no inherent rating
--     so inherent = current; residual (0, 1) -> (1, 2), risk[grid[0][1]] = risk[0] = Low.
-- S2: inherent (2, 2) -> (3, 3), risk[grid[2][2]] = High; current (1, -1) not rated; residual
--     not rated: from effectiveness 0, score 3 x 3 x (1 - 0) = 9, the highest level scoring
--     <= 9 is High.
SELECT results_eq(
    $$SELECT title, asset, threat_code, likelihood, impact, inherent_level, current_likelihood, current_impact,
             current_level, residual_likelihood, residual_impact, residual_level, residual_basis, residual_score,
             treatment, strength_of_knowledge, identified_on
      FROM ismseval.risk_register WHERE organization = 'HARBOR' ORDER BY title$$,
    $$VALUES ('S1 Crane control hijack', 'Crane controller', 'T-HIJ', 3, 2, 'High', 3, 2, 'High', 1, 2, 'Low', 'cell',
              2::double precision, 'mitigate', 2, DATE '2026-04-02'),
             ('S2 Quay flooding', NULL, NULL, 3, 3, 'High', NULL, NULL, NULL, NULL, NULL, 'High', 'effectiveness',
              9::double precision, 'open', NULL, DATE '2026-04-03')$$,
    'the risks: cells = CISO Assistant''s indices + 1, levels risk[grid[p][i]], -1 not rated, identified on created_at');
SELECT results_eq(
    $$SELECT model, ciso_id FROM ismseval.ciso_assistant_objects ORDER BY model, ciso_id$$,
    $$VALUES ('core.appliedcontrol', 'ac-seg'), ('core.asset', 'as-crane'), ('core.complianceassessment', 'ca-mini'),
             ('core.perimeter', 'p-harbor'), ('core.riskassessment', 'risk-harbor'), ('core.riskmatrix', 'rm-3x3'),
             ('core.riskscenario', 'sc-flood'), ('core.riskscenario', 'sc-hijack'), ('core.threat', 'th-hijack')$$,
    'the mapping keeps the row of every imported object');
SELECT is((SELECT count(*) FROM pg_class WHERE relname LIKE 'ciso\_export\_%' AND relpersistence = 't'), 0::bigint,
          'the import leaves no working table behind');

-- ---------------------------------------------------------------------------
-- 2. Importing again: nothing changes; changes in the export update in place.
-- ---------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT kind, external_id, CASE WHEN action = 'skipped' THEN reason END,
             CASE WHEN action = 'skipped' THEN 'skipped' ELSE 'unchanged' END
      FROM first_run ORDER BY ordinality$$,
    $$SELECT kind, external_id, CASE WHEN action = 'skipped' THEN reason END, action
      FROM ismseval.import_ciso_assistant_export((SELECT doc FROM export_doc)) WITH ORDINALITY ORDER BY ordinality$$,
    'a second import: every line unchanged, or skipped for the same reason');
SELECT results_eq(
    $$SELECT (SELECT count(*) FROM ismseval.organizations), (SELECT count(*) FROM ismseval.risks),
             (SELECT count(*) FROM ismseval.answers), (SELECT count(*) FROM ismseval.assets),
             (SELECT count(*) FROM ismseval.threats WHERE organization_id IS NOT NULL),
             (SELECT count(*) FROM ismseval.applied_controls), (SELECT count(*) FROM ismseval.assessments)$$,
    $$VALUES (1::bigint, 2::bigint, 5::bigint, 1::bigint, 1::bigint, 1::bigint, 1::bigint)$$,
    'and no duplicates');

-- The user completes a placeholder; CISO Assistant changes a score, a rating, a residual cell.
UPDATE ismseval.assets SET location = 'network' WHERE name = 'Crane controller';
CREATE TEMP TABLE changed_run AS
SELECT * FROM ismseval.import_ciso_assistant_export(
    pg_temp.patched(pg_temp.patched(pg_temp.patched((SELECT doc FROM export_doc),
        'ra-gv2', '{"score": 3}'),
        'as-crane', '{"security_objectives": {"objectives": {"confidentiality": {"value": 4, "is_enabled": true},
                                                             "integrity": {"value": 3, "is_enabled": true}}}}'),
        'sc-hijack', '{"residual_proba": 1}')) WITH ORDINALITY;
SELECT results_eq(
    $$SELECT kind, external_id FROM changed_run WHERE action = 'updated' ORDER BY ordinality$$,
    $$VALUES ('asset', 'as-crane'), ('requirement_assessment', 'ra-gv2'), ('risk_scenario', 'sc-hijack')$$,
    'an export with three changes: those three lines updated');
SELECT is((SELECT count(*) FROM changed_run WHERE action NOT IN ('updated', 'unchanged', 'skipped')), 0::bigint,
          'the rest unchanged or skipped');
-- confidentiality stored 4 -> 5; availability no longer given: kept; location: the user's
SELECT results_eq(
    $$SELECT location, confidentiality, integrity, availability FROM ismseval.assets WHERE name = 'Crane controller'$$,
    $$VALUES ('network', 5, 4, 3)$$,
    'the asset takes the new rating and keeps what the export does not give (the user''s location)');
-- residual (1, 1) -> (2, 2): risk[grid[1][1]] = risk[1] = Medium
SELECT results_eq(
    $$SELECT residual_likelihood, residual_impact, residual_level FROM ismseval.risk_register WHERE title LIKE 'S1 %'$$,
    $$VALUES (2, 2, 'Medium')$$, 'the risk''s new residual cell (2, 2) is Medium');
SELECT results_eq(
    $$SELECT c.event, c.residual_likelihood, c.residual_impact FROM ismseval.risk_rating_changes c
      JOIN ismseval.risks r USING (risk_id) WHERE r.title LIKE 'S1 %' ORDER BY c.change_id$$,
    $$VALUES ('opened', 1, 2), ('rated', 2, 2)$$,
    'the rating history has the opening and the one change (no row for the unchanged import)');
SELECT is((SELECT score FROM ismseval.answers a JOIN ismseval.questions q USING (question_id) WHERE q.code = 'GV.2'), 3,
          'the answer''s new score');

-- A row the import made and the user deleted comes back.
DELETE FROM ismseval.risks WHERE title LIKE 'S2 %';
SELECT results_eq(
    $$SELECT external_id, action FROM ismseval.import_ciso_assistant_export((SELECT doc FROM export_doc))
      WHERE action IN ('created', 'updated')$$,
    -- the asset's confidentiality goes back to 1 + 1 = 2 (the user's location stays)
    $$VALUES ('as-crane', 'updated'), ('ra-gv2', 'updated'), ('sc-hijack', 'updated'), ('sc-flood', 'created')$$,
    'the original export again: the three changes undone, the deleted risk created anew');
SELECT is((SELECT count(*) FROM ismseval.risks), 2::bigint, 'two risks again');

-- ---------------------------------------------------------------------------
-- 3. A second export: scale conversion, domains with two perimeters, one matrix per
--    organization, links a risk cannot keep, scenarios the model refuses. Imported by an
--    administrator who is not a superuser.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE second_doc AS SELECT $json${"meta": {"schema_version": 2}, "objects": [
  {"model": "core.riskmatrix", "id": "rm-2x2", "fields": {"urn": "urn:test:matrix:2x2", "json_definition": {
     "probability": [{"name": "seldom"}, {"name": "often"}], "impact": [{"name": "small"}, {"name": "big"}],
     "risk": [{"name": "Green", "hexcolor": "#00AA00"}, {"name": "Red", "hexcolor": "#AA0000"}], "grid": [[0, 0], [0, 1]]}}},
  {"model": "core.riskmatrix", "id": "rm-3x3b", "fields": {"urn": "urn:test:matrix:3x3b", "json_definition": {
     "probability": [{"name": "a"}, {"name": "b"}, {"name": "c"}], "impact": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
     "risk": [{"name": "L", "hexcolor": "#00AA00"}, {"name": "H", "hexcolor": "#AA0000"}],
     "grid": [[0, 0, 0], [0, 0, 1], [0, 1, 1]]}}},
  {"model": "core.riskmatrix", "id": "rm-unused", "fields": {"urn": "urn:test:matrix:unused", "json_definition": {
     "probability": [{"name": "x"}, {"name": "y"}], "impact": [{"name": "x"}, {"name": "y"}],
     "risk": [{"name": "Ok", "hexcolor": "#00AA00"}, {"name": "Bad", "hexcolor": "#AA0000"}], "grid": [[0, 1], [1, 1]]}}},
  {"model": "core.perimeter", "id": "p-scale", "fields": {"ref_id": "SCALE", "name": "Scale Co", "folder": "f-two"}},
  {"model": "core.perimeter", "id": "p-second", "fields": {"ref_id": null, "name": "Second Site", "folder": "f-two"}},
  {"model": "core.threat", "id": "th-lost", "fields": {"folder": "f-empty", "name": "Lost laptop"}},
  {"model": "core.threat", "id": "th-a", "fields": {"folder": "f-two", "name": "Phishing"}},
  {"model": "core.threat", "id": "th-b", "fields": {"folder": "f-two", "name": "Tailgating"}},
  {"model": "core.asset", "id": "as-nas", "fields": {"folder": "f-two", "name": "Shared NAS", "type": "PR"}},
  {"model": "core.complianceassessment", "id": "ca-scale", "fields": {"name": "Scale review", "perimeter": "p-scale",
     "framework": "urn:test:framework:mini", "eta": null, "updated_at": "2026-05-20T23:30:00-02:00",
     "min_score": 0, "max_score": 100, "selected_implementation_groups": ["G1"]}},
  {"model": "core.requirementassessment", "id": "ra-s1", "fields": {"compliance_assessment": "ca-scale",
     "requirement": "urn:test:req:mini:gv.1", "result": "compliant", "score": 100, "is_scored": true}},
  {"model": "core.requirementassessment", "id": "ra-s2", "fields": {"compliance_assessment": "ca-scale",
     "requirement": "urn:test:req:mini:gv.2", "result": "partially_compliant", "score": 50, "is_scored": true}},
  {"model": "core.requirementassessment", "id": "ra-s3", "fields": {"compliance_assessment": "ca-scale",
     "requirement": "urn:test:req:mini:pr.1", "result": "non_compliant", "score": 10, "is_scored": true}},
  {"model": "core.requirementassessment", "id": "ra-s4", "fields": {"compliance_assessment": "ca-scale",
     "requirement": "urn:test:req:mini:gv.1", "result": "compliant", "score": null, "is_scored": false}},
  {"model": "core.requirementassessment", "id": "ra-s5", "fields": {"compliance_assessment": "ca-scale",
     "requirement": "urn:test:req:mini:pr.2", "result": "compliant", "score": 0, "is_scored": true}},
  {"model": "core.riskassessment", "id": "risk-s1", "fields": {"name": "Scale risks", "perimeter": "p-scale",
     "risk_matrix": "urn:test:matrix:2x2", "risk_tolerance": 0, "created_at": "2026-01-01T00:00:00Z"}},
  {"model": "core.riskassessment", "id": "risk-s2", "fields": {"name": "Site risks", "perimeter": "p-second",
     "risk_matrix": "rm-2x2", "created_at": "2026-01-01T00:00:00Z"}},
  {"model": "core.riskassessment", "id": "risk-s3", "fields": {"name": "Site risks, finer", "perimeter": "p-second",
     "risk_matrix": "urn:test:matrix:3x3b", "created_at": "2026-02-01T00:00:00Z"}},
  {"model": "core.riskscenario", "id": "sc-a", "fields": {"ref_id": "S-A", "name": "Two threats", "risk_assessment": "risk-s1",
     "treatment": "transfer", "threats": ["th-a", "th-b"], "assets": [], "current_proba": 1, "current_impact": 1,
     "residual_proba": 0, "residual_impact": 1, "strength_of_knowledge": 0, "created_at": "2026-01-05T00:00:00Z"}},
  {"model": "core.riskscenario", "id": "sc-b", "fields": {"name": "Accepted", "risk_assessment": "risk-s1",
     "treatment": "accept", "current_proba": 0, "current_impact": 0}},
  {"model": "core.riskscenario", "id": "sc-c", "fields": {"name": "Off the matrix", "risk_assessment": "risk-s1",
     "treatment": "open", "current_proba": 2, "current_impact": 0}},
  {"model": "core.riskscenario", "id": "sc-d", "fields": {"name": "On the finer matrix", "risk_assessment": "risk-s3",
     "treatment": "open", "current_proba": 2, "current_impact": 2}},
  {"model": "core.riskscenario", "id": "sc-e", "fields": {"name": "Residual only", "risk_assessment": "risk-s2",
     "treatment": "open", "current_proba": -1, "current_impact": -1, "residual_proba": 0, "residual_impact": 0}}
]}$json$::jsonb AS doc;

GRANT SELECT ON second_doc TO PUBLIC;
CREATE ROLE ciso_ada IN ROLE ismseval_admin;
CREATE ROLE ciso_tom IN ROLE ismseval_tenant;
SET ROLE ciso_tom;
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export((SELECT doc FROM second_doc))$$,
                 '42501', NULL, 'a tenant cannot run the import');
RESET ROLE;

SET ROLE ciso_ada;
CREATE TEMP TABLE second_run AS
SELECT * FROM ismseval.import_ciso_assistant_export((SELECT doc FROM second_doc), 'planning-competitive', 'medium')
WITH ORDINALITY;
RESET ROLE;
SELECT results_eq(
    'SELECT kind, external_id, ref, action, reason FROM second_run ORDER BY ordinality',
    $$VALUES
    ('perimeter', 'p-scale', 'SCALE', 'created', 'organization SCALE created (planning-competitive, medium)'),
    ('perimeter', 'p-second', 'Second Site', 'created', 'organization Second Site created (planning-competitive, medium)'),
    ('threat', 'th-lost', 'Lost laptop', 'skipped',
     'its domain (folder f-empty) has no perimeter in the export: ismseval keeps it per organization'),
    -- folder f-two has two perimeters: one line per organization
    ('threat', 'th-a', 'Phishing', 'created', 'organization SCALE; category other'),
    ('threat', 'th-a', 'Phishing', 'created', 'organization Second Site; category other'),
    ('threat', 'th-b', 'Tailgating', 'created', 'organization SCALE; category other'),
    ('threat', 'th-b', 'Tailgating', 'created', 'organization Second Site; category other'),
    ('asset', 'as-nas', 'Shared NAS', 'created',
     'organization SCALE; placeholders: location server, confidentiality 3, integrity 3, availability 3'),
    ('asset', 'as-nas', 'Shared NAS', 'created',
     'organization Second Site; placeholders: location server, confidentiality 3, integrity 3, availability 3'),
    -- no eta: the UTC day of updated_at, 2026-05-20 23:30 at -02:00 = 2026-05-21 01:30 UTC
    ('compliance_assessment', 'ca-scale', 'Scale review', 'created',
     'organization SCALE; framework MINI on 2026-05-21; scores on 0-100 read on the framework''s 1-4'),
    -- 1 + (100 - 0) x (4 - 1) / (100 - 0) = 4
    ('requirement_assessment', 'ra-s1', 'urn:test:req:mini:gv.1', 'created',
     'organization SCALE; score 100 on 0-100 read as 4 on 1-4'),
    -- 1 + 50 x 3 / 100 = 2.5, halves away from zero: 3
    ('requirement_assessment', 'ra-s2', 'urn:test:req:mini:gv.2', 'created',
     'organization SCALE; score 50 on 0-100 read as 3 on 1-4'),
    -- 1 + 10 x 3 / 100 = 1.3: 1
    ('requirement_assessment', 'ra-s3', 'urn:test:req:mini:pr.1', 'created',
     'organization SCALE; score 10 on 0-100 read as 1 on 1-4'),
    ('requirement_assessment', 'ra-s4', 'urn:test:req:mini:gv.1', 'skipped',
     'requirement GV.1 is answered by requirement assessment ra-s1 of the same compliance assessment'),
    -- 1 + 0 x 3 / 100 = 1, kept beside the result compliant (the score counts)
    ('requirement_assessment', 'ra-s5', 'urn:test:req:mini:pr.2', 'created',
     'organization SCALE; score 0 on 0-100 read as 1 on 1-4'),
    ('risk_matrix', 'rm-2x2', 'urn:test:matrix:2x2', 'created',
     'organization SCALE; tolerance Green (the risk assessment''s risk_tolerance)'),
    -- two levels: the middle one is index (2 - 1) / 2 = 0, Green
    ('risk_matrix', 'rm-2x2', 'urn:test:matrix:2x2', 'created',
     'organization Second Site; tolerance Green (the middle level: the export gives none)'),
    ('risk_assessment', 'risk-s1', 'Scale risks', 'created', 'organization SCALE'),
    ('risk_assessment', 'risk-s2', 'Site risks', 'created', 'organization Second Site'),
    ('risk_assessment', 'risk-s3', 'Site risks, finer', 'skipped',
     'organization Second Site takes the matrix urn:test:matrix:2x2 of risk assessment risk-s2: one matrix per organization'),
    ('risk_matrix', 'rm-3x3b', 'urn:test:matrix:3x3b', 'skipped', 'no imported risk assessment uses it'),
    ('risk_matrix', 'rm-unused', 'urn:test:matrix:unused', 'skipped', 'no imported risk assessment uses it'),
    ('risk_scenario', 'sc-a', 'S-A Two threats', 'created',
     'organization SCALE; inherent cell = current cell (no inherent rating); threats th-b not linked (a risk has one)'),
    ('risk_scenario', 'sc-b', 'Accepted', 'skipped',
     'treatment accept needs owner and acceptance_expires, which the export does not carry: import the scenario with another treatment, set them, then import again'),
    -- proba 2 is likelihood 3 on a 2 x 2 matrix (risks_check)
    ('risk_scenario', 'sc-c', 'Off the matrix', 'skipped',
     'likelihood of risk "Off the matrix" must be between 1 and 2 (the organization''s risk matrix), got 3'),
    ('risk_scenario', 'sc-d', 'On the finer matrix', 'skipped',
     'organization Second Site takes the matrix urn:test:matrix:2x2 of risk assessment risk-s2: one matrix per organization'),
    ('risk_scenario', 'sc-e', 'Residual only', 'skipped',
     'not rated: neither an inherent nor a current cell (-1 in CISO Assistant), only a residual one')$$,
    'a second export, by an administrator: every object reported');
SELECT results_eq(
    $$SELECT q.code, a.score, a.result FROM ismseval.answers a JOIN ismseval.questions q USING (question_id)
      JOIN ismseval.assessments s USING (assessment_id) JOIN ismseval.organizations o USING (organization_id)
      WHERE o.code = 'SCALE' ORDER BY q.code$$,
    $$VALUES ('GV.1', 4, 'compliant'), ('GV.2', 3, 'partially_compliant'), ('PR.1', 1, 'non_compliant'),
             ('PR.2', 1, 'compliant')$$,
    'scores on 0-100 read on the framework''s 1-4: 100 -> 4, 50 -> 3, 10 -> 1, 0 -> 1');
SELECT results_eq(
    $$SELECT assessed_on, implementation_groups FROM ismseval.assessments a
      JOIN ismseval.organizations o USING (organization_id) WHERE o.code = 'SCALE'$$,
    $$VALUES (DATE '2026-05-21', ARRAY['G1'])$$,
    'dated the UTC day of updated_at, scoped to the selected implementation groups');
SELECT results_eq(
    $$SELECT code, core_business, size_band, risk_tolerance FROM ismseval.organizations
      WHERE code IN ('SCALE', 'Second Site') ORDER BY code$$,
    $$VALUES ('SCALE', 'planning-competitive', 'medium', 'Green'), ('Second Site', 'planning-competitive', 'medium', 'Green')$$,
    'the peer group from the arguments; tolerances from risk_tolerance 0 and from the middle level');
-- S-A: current (1, 1) -> (2, 2), risk[grid[1][1]] = risk[1] = Red; residual (0, 1) -> (1, 2),
-- risk[grid[0][1]] = Green; its first threat only
SELECT results_eq(
    $$SELECT title, threat, likelihood, impact, inherent_level, current_level, residual_level, treatment,
             strength_of_knowledge_name, within_tolerance
      FROM ismseval.risk_register WHERE organization = 'SCALE'$$,
    $$VALUES ('S-A Two threats', 'Phishing', 2, 2, 'Red', 'Red', 'Green', 'transfer', 'low', true)$$,
    'the scenario on the 2 x 2 matrix: Red now, Green once treated, within the Green tolerance; the first threat');
SELECT is((SELECT count(*) FROM ismseval.assets WHERE name = 'Shared NAS'), 2::bigint,
          'a domain''s asset is in the organization of each of its perimeters');
SELECT is((SELECT count(*) FROM ismseval.threats WHERE name = 'Lost laptop'), 0::bigint,
          'an object of a domain without a perimeter is not imported');

-- A perimeter whose code an organization already has takes it over, with its own peer group.
INSERT INTO ismseval.organizations (code, name, core_business, size_band)
VALUES ('FIRST', 'First Ltd', 'mass-production', 'enterprise');
SELECT results_eq(
    $$SELECT action, reason FROM ismseval.import_ciso_assistant_export(
          '{"objects": [{"model": "core.perimeter", "id": "p-first", "fields": {"ref_id": "FIRST", "name": "Renamed"}}]}')$$,
    $$VALUES ('unchanged', 'organization FIRST')$$,
    'an existing organization with the perimeter''s code is reused');
SELECT results_eq(
    $$SELECT name, core_business, size_band FROM ismseval.organizations WHERE code = 'FIRST'$$,
    $$VALUES ('First Ltd', 'mass-production', 'enterprise')$$,
    'unchanged: its name and peer group are the user''s');

-- ---------------------------------------------------------------------------
-- 4. Bad exports: a clear error, nothing imported.
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(NULL)$$,
                 '22004', 'export must not be NULL', 'NULL export');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export('[1, 2]')$$,
                 '22023', 'a CISO Assistant export must be a jsonb object with an "objects" array', 'not an export');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export('{"objects": [{"model": "core.asset", "id": "a"}]}')$$,
                 '22023', 'object 1 of the export must be {"model": text, "id": text, "fields": {...}}', 'an object without fields');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(
                     '{"objects": [{"model": "core.asset", "id": "a", "fields": {}}, {"model": "core.asset", "id": "a", "fields": {}}]}')$$,
                 '22023', 'object 2 of the export repeats core.asset a', 'an object twice');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export((SELECT doc FROM export_doc), 'bank')$$,
                 '22023', 'core_business must be regulated, planning-competitive or mass-production, got bank', 'a bad core_business');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export((SELECT doc FROM export_doc), 'regulated', 'huge')$$,
                 '22023', 'size_band must be small, medium, large or enterprise, got huge', 'a bad size_band');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(pg_temp.plus((SELECT doc FROM second_doc),
                     '{"model": "core.requirementassessment", "id": "ra-lost",
                       "fields": {"compliance_assessment": "ca-nowhere", "requirement": "urn:test:req:mini:gv.1"}}'))$$,
                 '23503', 'requirement assessment ra-lost refers to compliance assessment ca-nowhere, which is not in the export',
                 'a requirement assessment of a compliance assessment the export does not have');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(pg_temp.plus((SELECT doc FROM export_doc),
                     '{"model": "core.riskscenario", "id": "sc-lost", "fields": {"name": "Lost", "risk_assessment": "risk-nowhere"}}'))$$,
                 '23503', 'risk scenario sc-lost refers to risk assessment risk-nowhere, which is not in the export',
                 'a risk scenario of a risk assessment the export does not have');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(pg_temp.patched((SELECT doc FROM export_doc),
                     'sc-hijack', '{"threats": ["th-hijack", "th-nowhere"]}'))$$,
                 '23503', 'risk scenario sc-hijack refers to threat th-nowhere, which is not in the export',
                 'a risk scenario naming a threat the export does not have');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(pg_temp.patched((SELECT doc FROM export_doc),
                     'sc-flood', '{"current_proba": 1.5}'))$$,
                 '22023', 'current_proba of risk scenario sc-flood must be an integer, got 1.5', 'a cell index that is not an integer');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(pg_temp.patched((SELECT doc FROM export_doc),
                     'ca-mini', '{"eta": "mid-May"}'))$$,
                 '22007', 'eta of compliance assessment ca-mini must be a date or a timestamp, got mid-May', 'a date that is none');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(
                     '{"objects": [{"model": "core.perimeter", "id": "p-1", "fields": {"name": "Twin"}},
                                   {"model": "core.perimeter", "id": "p-2", "fields": {"name": "Twin"}}]}')$$,
                 '22023', 'perimeters p-1 and p-2 of the export would both be organization Twin', 'two perimeters, one code');
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(
                     '{"objects": [{"model": "core.perimeter", "id": "p-other", "fields": {"ref_id": "HARBOR"}}]}')$$,
                 '22023', 'perimeter p-other would be organization HARBOR, which perimeter p-harbor was imported into',
                 'a perimeter with the code of another perimeter''s organization');
-- A failure late in the import (an applied control's date, after the organizations were
-- created) leaves nothing behind.
SELECT throws_ok($$SELECT * FROM ismseval.import_ciso_assistant_export(pg_temp.plus(
                     '{"objects": [{"model": "core.perimeter", "id": "p-late", "fields": {"ref_id": "LATE", "folder": "f-late"}}]}',
                     '{"model": "core.appliedcontrol", "id": "ac-late", "fields": {"folder": "f-late", "name": "Late", "eta": "soon"}}'))$$,
                 '22007', 'eta of applied control ac-late must be a date or a timestamp, got soon', 'a bad date after the organizations');
SELECT is((SELECT count(*) FROM ismseval.organizations WHERE code = 'LATE'), 0::bigint, 'all or nothing: no organization LATE');

-- ---------------------------------------------------------------------------
-- 5. The pieces.
-- ---------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT ismseval.rescale_score(75, 0, 100, 1, 4), ismseval.rescale_score(50, 0, 100, 1, 4),
             ismseval.rescale_score(0, 0, 100, 1, 4), ismseval.rescale_score(100, 0, 100, 1, 4),
             ismseval.rescale_score(3, 1, 4, 0, 100), ismseval.rescale_score(2, 1, 4, 1, 4)$$,
    -- 1 + 75 x 3 / 100 = 3.25 -> 3; 2.5 -> 3; 1; 4; 0 + (3 - 1) x 100 / 3 = 66.67 -> 67; same scale: 2
    $$VALUES (3, 3, 1, 4, 67, 2)$$,
    'rescale_score: the rule of three, rounded, halves away from zero');
SELECT results_eq(
    $$SELECT c.likelihood, c.impact FROM (VALUES ('{"current_proba": 0, "current_impact": 3}'::jsonb),
                                                 ('{"current_proba": -1, "current_impact": 3}'),
                                                 ('{"current_proba": 2}'), ('{}')) v(f),
             ismseval.ciso_cell(v.f, 'current', 'x') c$$,
    $$VALUES (1, 4), (NULL::integer, NULL::integer), (NULL, NULL), (NULL, NULL)$$,
    'ciso_cell: 0-based indices + 1; -1 or a missing half is not rated');
SELECT results_eq(
    $$SELECT ismseval.ciso_asset_rating(f, 'confidentiality') FROM (VALUES
          ('{"security_objectives": {"objectives": {"confidentiality": {"value": 0, "is_enabled": true}}}}'::jsonb),
          ('{"security_objectives": {"objectives": {"confidentiality": {"value": 4}}}}'),
          ('{"security_objectives": {"objectives": {"confidentiality": {"value": 2, "is_enabled": false}}}}'),
          ('{"security_objectives": {"objectives": {"confidentiality": {"value": 7, "is_enabled": true}}}}'),
          ('{}')) v(f)$$,
    $$VALUES (1), (5), (NULL::integer), (NULL), (NULL)$$,
    'ciso_asset_rating: stored 0-4 + 1 when enabled; disabled, off 0-4 or absent: not given');
SELECT results_eq(
    $$SELECT t.level, t.why FROM (VALUES (5, 'medium'), (NULL, 'High'), (NULL, 'medium'), (0, NULL)) v(given, cur),
             ismseval.ciso_matrix_tolerance((SELECT risk_matrix FROM ismseval.organizations WHERE code = 'HARBOR'), v.given, v.cur) t$$,
    $$VALUES ('Medium', 'the middle level: the export gives none'), ('High', 'kept'),
             ('Medium', 'the middle level: the export gives none'), ('Low', 'the risk assessment''s risk_tolerance')$$,
    'ciso_matrix_tolerance: a valid risk_tolerance index, else the current level when the matrix has it, else the middle');
SELECT results_eq(
    $$SELECT ismseval.ciso_field_date(f, 'd', 'x') FROM (VALUES ('{"d": "2026-02-28"}'::jsonb),
          ('{"d": "2026-02-28T23:00:00-05:00"}'), ('{"d": null}'), ('{"d": " "}')) v(f)$$,
    -- 23:00 at -05:00 is 04:00 UTC the next day
    $$VALUES (DATE '2026-02-28'), (DATE '2026-03-01'), (NULL::date), (NULL::date)$$,
    'ciso_field_date: a date, or the UTC day of a timestamp; null or blank: none');
SELECT throws_ok($$SELECT ismseval.ciso_field_date('{"d": "2026-02-30"}', 'd', 'thing t')$$,
                 '22007', 'd of thing t must be a date or a timestamp, got 2026-02-30', 'ciso_field_date: no 30 February');

-- ---------------------------------------------------------------------------
-- 6. Privileges and tenancy of the new tables.
-- ---------------------------------------------------------------------------
SELECT ok(NOT has_function_privilege('public', 'ismseval.import_ciso_assistant_export(jsonb, text, text)', 'EXECUTE')
          AND has_function_privilege('ismseval_admin', 'ismseval.import_ciso_assistant_export(jsonb, text, text)', 'EXECUTE'),
          'the import is for administrators: EXECUTE revoked from PUBLIC');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                  WHERE p.pronamespace = 'ismseval'::regnamespace AND p.proname LIKE 'ciso\_export\_%'
                    AND has_function_privilege('public', p.oid, 'EXECUTE')$$,
                'and so is every step of it');
SELECT ok(NOT has_column_privilege('ismseval_tenant', 'ismseval.applied_controls', 'applied_control_id', 'INSERT')
          AND has_column_privilege('ismseval_tenant', 'ismseval.applied_controls', 'name', 'UPDATE')
          AND NOT has_table_privilege('ismseval_tenant', 'ismseval.ciso_assistant_objects', 'INSERT')
          AND has_table_privilege('ismseval_tenant', 'ismseval.ciso_assistant_objects', 'SELECT'),
          'tenants write their applied controls but not the key, and read the mapping only');

SELECT * FROM finish();
ROLLBACK;
