-- pgTAP: what must hold whatever the stored data and whoever writes (issue 10): the views
-- read a risk left outside its organization's matrix without failing, and only
-- release_peer_figures adds releases (an administrator cannot insert an empty newest one).
-- The concurrent cases (a risk and a matrix change, two releases) are in test/races.sh.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(13);

CREATE ROLE wi_admin IN ROLE ismseval_admin;

-- ---------------------------------------------------------------------------
-- A risk outside the matrix. 0.4.0's race could leave one (a risk written while the matrix
-- shrank); here a superuser writes it with the triggers off. Organization WI: 4 x 4 default
-- matrix, risks "inside" (2, 3) and "outside" (4, 4), then the matrix becomes 3 x 3.
-- ---------------------------------------------------------------------------
INSERT INTO ismseval.organizations (code, name, core_business, size_band)
VALUES ('WI', 'Write integrity', 'regulated', 'small');
INSERT INTO ismseval.risks (organization_id, title, likelihood, impact, control_effectiveness)
SELECT organization_id, 'inside', 2, 3, 0.5 FROM ismseval.organizations WHERE code = 'WI';
SET LOCAL session_replication_role = replica;
INSERT INTO ismseval.risks (organization_id, title, likelihood, impact)
SELECT organization_id, 'outside', 4, 4 FROM ismseval.organizations WHERE code = 'WI';
-- 3 x 3, levels low / high, cells of score >= 4 high; tolerance high (a level of the new matrix)
UPDATE ismseval.organizations
SET risk_matrix = 'likelihood 3 impact 3 levels (low #00FF00, high #FF0000) thresholds (4)', risk_tolerance = 'high'
WHERE code = 'WI';
SET LOCAL session_replication_role = origin;

-- inside (2, 3): score 6 >= 4: high (rank 1); residual 6 x (1 - 0.5) = 3 < 4: low (rank 0),
-- within the tolerance high (rank 1). outside (4, 4): score 16, residual 16 x (1 - 0) = 16.
SELECT lives_ok($$SELECT * FROM ismseval.risk_register WHERE organization = 'WI'$$,
                'risk_register reads an organization with a risk outside its matrix');
SELECT results_eq($$SELECT title, inherent_score, inherent_level, inherent_level_rank, inherent_color, residual_score,
                           residual_level, residual_level_rank, residual_color, within_tolerance
                    FROM ismseval.risk_register WHERE organization = 'WI' ORDER BY title$$,
                  $$VALUES ('inside', 6, 'high', 1, '#FF0000', 3::double precision, 'low', 0, '#00FF00', true),
                           ('outside', 16, NULL, NULL, NULL, 16::double precision, NULL, NULL, NULL, NULL::boolean)$$,
                  'the risk inside has its levels (6 high, residual 3 low); the one outside (4, 4) has NULL levels');
SELECT lives_ok($$SELECT * FROM ismseval.management_review WHERE organization = 'WI'$$,
                'management_review reads it too');
-- risks 2; outside tolerance: inside is within, outside unknown (NULL): 0; top level (high,
-- rank 1): inside only: 1.
SELECT results_eq($$SELECT risks, risks_outside_tolerance, risks_top_level
                    FROM ismseval.management_review WHERE organization = 'WI'$$,
                  $$VALUES (2::bigint, 0::bigint, 1::bigint)$$,
                  'management_review counts 2 risks, 0 outside tolerance, 1 at the top level (the one outside counts only as a risk)');
SELECT is((SELECT sum(risk_count) FROM ismseval.risk_heatmap WHERE organization = 'WI'), 1::numeric,
          'risk_heatmap: the 9 cells of the 3 x 3 matrix hold the one risk inside');
-- With the triggers on, the matrix cannot strand a risk: 4 x 4 back, then 3 x 3 is refused.
UPDATE ismseval.organizations SET risk_matrix = ismseval.default_risk_matrix(), risk_tolerance = 'medium'
WHERE code = 'WI';
SELECT throws_ok($$UPDATE ismseval.organizations
                   SET risk_matrix = 'likelihood 3 impact 3 levels (low #00FF00, high #FF0000) thresholds (4)',
                       risk_tolerance = 'high'
                   WHERE code = 'WI'$$,
                 '23514', 'the new risk matrix of organization WI does not fit risk "outside" (likelihood 4, impact 4)',
                 'with the triggers on, a matrix the risks do not fit is refused');

-- The share lock a risk write takes on its organization's row needs UPDATE on some column of
-- organizations, which a tenant has (name, industry, risk_matrix, risk_tolerance) for its own.
CREATE ROLE wi_tenant IN ROLE ismseval_tenant;
INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
SELECT 'wi_tenant', organization_id FROM ismseval.organizations WHERE code = 'WI';
SET ROLE wi_tenant;
SELECT lives_ok($$INSERT INTO ismseval.risks (organization_id, title, likelihood, impact)
                  SELECT organization_id, 'by the tenant', 1, 2 FROM ismseval.organizations WHERE code = 'WI'$$,
                'a tenant writes a risk of its own organization (the row lock is granted to it)');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Releases: only release_peer_figures adds them. An empty newest release inserted by an
-- administrator would be the base of the next, which would then publish every current
-- value at once.
-- ---------------------------------------------------------------------------
SET ROLE wi_admin;
SELECT lives_ok($$SELECT ismseval.release_peer_figures('by an administrator')$$,
                'an administrator (not a superuser) publishes a release');
SELECT throws_ok($$INSERT INTO ismseval.peer_releases (min_changed, note) VALUES (6, 'empty')$$,
                 '42501', 'permission denied for table peer_releases',
                 'an administrator cannot insert a release itself');
SELECT throws_ok($$INSERT INTO ismseval.peer_release_figures
                   SELECT * FROM ismseval.peer_release_figures LIMIT 0$$,
                 '42501', 'permission denied for table peer_release_figures',
                 'nor figures');
SELECT throws_ok($$INSERT INTO ismseval.peer_release_groups
                   SELECT * FROM ismseval.peer_release_groups LIMIT 0$$,
                 '42501', 'permission denied for table peer_release_groups',
                 'nor group figures (what newcomers read)');
SELECT is((SELECT note FROM ismseval.peer_releases ORDER BY release_id DESC LIMIT 1), 'by an administrator',
          'the newest release is the one release_peer_figures made');
SELECT lives_ok($$DELETE FROM ismseval.peer_releases
                  WHERE release_id < (SELECT max(release_id) FROM ismseval.peer_releases)$$,
                'an administrator can still delete older releases');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
