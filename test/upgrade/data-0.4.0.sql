-- 0.4.0: a tenant mapping and a peer release.
CREATE ROLE ismseval_upgrade_tenant NOLOGIN IN ROLE ismseval_tenant;
INSERT INTO ismseval.tenant_organizations (tenant_role, organization_id)
SELECT 'ismseval_upgrade_tenant', organization_id FROM ismseval.organizations WHERE code = 'upg';
SELECT ismseval.release_peer_figures('upgrade probe') IS NOT NULL AS released;
