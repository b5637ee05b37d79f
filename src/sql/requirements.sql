-- More of a framework than its requirement tree (model.sql: frameworks, control_domains,
-- questions): its implementation groups and its mappings to other frameworks. Catalogue
-- tables with no organization data, so on Citus they can be reference tables; tenants
-- read them.

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

-- Mapping sets between two frameworks (CISO Assistant's requirement mapping sets): which
-- requirement of the source framework relates to which of the target, and how.
CREATE TABLE @extschema@.requirement_mapping_sets (
    mapping_set_id      bigserial PRIMARY KEY,
    urn                 text UNIQUE CHECK (urn <> ''),
    ref_id              text,
    name                text NOT NULL CHECK (name <> ''),
    description         text,
    source_framework_id bigint NOT NULL REFERENCES @extschema@.frameworks ON DELETE CASCADE,
    target_framework_id bigint NOT NULL REFERENCES @extschema@.frameworks ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (mapping_set_id, source_framework_id, target_framework_id),
    CONSTRAINT requirement_mapping_sets_two_frameworks CHECK (source_framework_id <> target_framework_id)
);
COMMENT ON TABLE @extschema@.requirement_mapping_sets IS
'Mapping sets between frameworks: requirement_mappings relate requirements of source_framework_id to those of target_framework_id.';

CREATE TABLE @extschema@.requirement_mappings (
    mapping_set_id      bigint NOT NULL,
    source_framework_id bigint NOT NULL,
    source_question_id  bigint NOT NULL,
    target_framework_id bigint NOT NULL,
    target_question_id  bigint NOT NULL,
    relationship        text NOT NULL
        CONSTRAINT requirement_mappings_relationship_known
        CHECK (relationship IN ('equal', 'subset', 'superset', 'intersect', 'not_related')),
    strength            integer
        CONSTRAINT requirement_mappings_strength_0_to_10 CHECK (strength BETWEEN 0 AND 10),
    rationale           text,
    PRIMARY KEY (mapping_set_id, source_question_id, target_question_id),
    CONSTRAINT requirement_mappings_of_the_set
        FOREIGN KEY (mapping_set_id, source_framework_id, target_framework_id)
        REFERENCES @extschema@.requirement_mapping_sets (mapping_set_id, source_framework_id, target_framework_id)
        ON DELETE CASCADE,
    CONSTRAINT requirement_mappings_source_in_source_framework
        FOREIGN KEY (source_framework_id, source_question_id)
        REFERENCES @extschema@.questions (framework_id, question_id) ON DELETE CASCADE,
    CONSTRAINT requirement_mappings_target_in_target_framework
        FOREIGN KEY (target_framework_id, target_question_id)
        REFERENCES @extschema@.questions (framework_id, question_id) ON DELETE CASCADE
);
CREATE INDEX requirement_mappings_target_idx ON @extschema@.requirement_mappings (target_question_id);
COMMENT ON TABLE @extschema@.requirement_mappings IS
'One relation of a mapping set: source requirement (of the set''s source framework) to target requirement (of its target framework), relationship equal / subset / superset / intersect / not_related (the source''s requirement is equal to, a subset of, ... the target''s) and an optional strength 0-10.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.requirement_mapping_sets', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.requirement_mapping_sets_mapping_set_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.requirement_mappings', '');
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.requirement_mapping_sets, @extschema@.requirement_mappings
    TO ismseval_admin;
GRANT USAGE, SELECT ON @extschema@.requirement_mapping_sets_mapping_set_id_seq TO ismseval_admin;
GRANT SELECT ON @extschema@.requirement_mapping_sets, @extschema@.requirement_mappings TO ismseval_tenant;
