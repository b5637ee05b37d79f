-- More of a framework than its requirement tree (model.sql: frameworks, control_domains,
-- questions): its implementation groups. Catalogue tables: no organization data, so on
-- Citus they can be reference tables; tenants read them.

-- Named subsets of a framework's requirements (CISO Assistant's implementation groups,
-- e.g. ISO/IEC 27001's clauses and its Annex A); an assessment may select some of them.
CREATE TABLE @extschema@.implementation_groups (
    framework_id    bigint NOT NULL REFERENCES @extschema@.frameworks ON DELETE CASCADE,
    code            text NOT NULL CHECK (code <> ''),
    name            text NOT NULL,
    description     text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (framework_id, code)
);
COMMENT ON TABLE @extschema@.implementation_groups IS
'Implementation groups of a framework: named subsets of its requirements (questions.implementation_groups lists a node''s groups).';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.implementation_groups', '');
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.implementation_groups TO ismseval_admin;
GRANT SELECT ON @extschema@.implementation_groups TO ismseval_tenant;
