-- The Statement of Applicability (ISO/IEC 27001 6.1.3 d) of an organization, and what its
-- answers to one framework say of another through requirement mappings (requirements.sql).
--
-- Rules (README "Statement of Applicability and framework mappings"):
--   answer result     an answer's result; for a score without one, its place on the node's
--                     scale: compliant at the top, non_compliant at the bottom,
--                     partially_compliant between; NULL when unanswered
--   consistent        of a SoA row against the latest organization-wide assessment's answer:
--                     false when an excluded requirement is answered compliant, partially
--                     compliant or non-compliant; when an applicable one is answered not
--                     applicable; when an implemented one is answered non-compliant; when a
--                     not implemented or planned one is answered compliant. NULL without a row
--   mapped result     what one source answer (a missing one counts as not_assessed) says of a
--                     target requirement through one mapping:
--                       equal, superset     the source's result; not_applicable only through equal
--                       subset, intersect   compliant and partially_compliant give
--                                           partially_compliant; non_compliant and not_assessed
--                                           stay; not_applicable says nothing
--                       not_related         nothing
--   inferred result   the weakest mapped result of a target requirement, in the order
--                     non_compliant < partially_compliant < not_assessed < compliant <
--                     not_applicable (CISO Assistant's order): a target is read as met only
--                     when every source that maps to it says so
--   covered           inferred result compliant, partially_compliant, non_compliant or
--                     not_applicable
--   coverage          100 x covered / assessable target requirements
--
-- The table has organization data: row-level security like the tables of tenancy.sql.
-- The views are security_invoker and comment their columns one by one.

-- ---------------------------------------------------------------------------
-- Results of answers and mappings
-- ---------------------------------------------------------------------------

-- The result an answer stands for: its result, else where its score lies on the scale.
CREATE FUNCTION @extschema@.answer_result(score integer, result text, scale_min integer, scale_max integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN COALESCE(result, CASE WHEN score >= scale_max THEN 'compliant'
                             WHEN score <= scale_min THEN 'non_compliant'
                             WHEN score IS NOT NULL THEN 'partially_compliant' END);
COMMENT ON FUNCTION @extschema@.answer_result(integer, text, integer, integer) IS
'The result an answer stands for: its result when it has one, else from its score: compliant at scale_max, non_compliant at scale_min, partially_compliant between; NULL without either.';

-- What a source requirement's result says of a target requirement through one mapping.
CREATE FUNCTION @extschema@.mapped_result(relationship text, source_result text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN relationship NOT IN ('equal', 'superset', 'subset', 'intersect') THEN NULL
            WHEN source_result = 'not_applicable'
                THEN CASE WHEN relationship = 'equal' THEN 'not_applicable' END
            WHEN relationship IN ('subset', 'intersect') AND source_result = 'compliant'
                THEN 'partially_compliant'
            ELSE source_result END;
COMMENT ON FUNCTION @extschema@.mapped_result(text, text) IS
'What a source requirement''s result says of a target requirement through a mapping: equal and superset pass it on (not_applicable only through equal); subset and intersect turn compliant into partially_compliant and pass non_compliant, partially_compliant and not_assessed on; not_related, and not_applicable through anything but equal, say nothing (NULL).';

-- The place of a result in the order results combine in: 1 = the most restrictive.
CREATE FUNCTION @extschema@.result_rank(result text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.array_position(
           ARRAY['non_compliant', 'partially_compliant', 'not_assessed', 'compliant', 'not_applicable'], result);
COMMENT ON FUNCTION @extschema@.result_rank(text) IS
'Rank of a result when several combine, the weakest winning: 1 non_compliant, 2 partially_compliant, 3 not_assessed, 4 compliant, 5 not_applicable; NULL for anything else.';

-- ---------------------------------------------------------------------------
-- applicability_statements: the Statement of Applicability's rows
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.applicability_statements (
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    framework_id    bigint NOT NULL,
    question_id     bigint NOT NULL,
    applicable      boolean NOT NULL,
    justification   text,
    implementation_status text
        CONSTRAINT applicability_statements_implementation_status_known
        CHECK (implementation_status IN ('not_implemented', 'planned', 'partially_implemented', 'implemented')),
    owner           text,
    reviewed_on     date,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (organization_id, question_id),
    CONSTRAINT applicability_statements_requirement_of_the_framework
        FOREIGN KEY (framework_id, question_id)
        REFERENCES @extschema@.questions (framework_id, question_id) ON DELETE CASCADE,
    CONSTRAINT applicability_statements_exclusion_justified
        CHECK (applicable OR justification IS NOT NULL AND pg_catalog.btrim(justification) <> '')
);
CREATE INDEX applicability_statements_framework_idx
    ON @extschema@.applicability_statements (organization_id, framework_id);
CREATE INDEX applicability_statements_requirement_idx
    ON @extschema@.applicability_statements (framework_id, question_id);
COMMENT ON TABLE @extschema@.applicability_statements IS
'The Statement of Applicability (ISO/IEC 27001 6.1.3 d): per organization and assessable requirement (typically an Annex A control), whether it applies, why, and how far it is implemented.';
COMMENT ON COLUMN @extschema@.applicability_statements.framework_id IS
'The requirement''s framework (with question_id, a foreign key to questions).';
COMMENT ON COLUMN @extschema@.applicability_statements.question_id IS
'The requirement: an assessable node of the framework.';
COMMENT ON COLUMN @extschema@.applicability_statements.applicable IS
'True when the requirement is included (applies), false when it is excluded.';
COMMENT ON COLUMN @extschema@.applicability_statements.justification IS
'Why the requirement is excluded (required when applicable is false) or, optionally, why it is included.';
COMMENT ON COLUMN @extschema@.applicability_statements.implementation_status IS
'not_implemented, planned, partially_implemented or implemented (CISO Assistant''s applied-control statuses to_do, in_progress and active correspond to not_implemented or planned, partially_implemented and implemented); NULL = not stated.';
COMMENT ON COLUMN @extschema@.applicability_statements.owner IS
'Person or role responsible for the requirement.';
COMMENT ON COLUMN @extschema@.applicability_statements.reviewed_on IS
'When the row was last reviewed.';

-- Checks that a SoA row is about a requirement that takes answers.
CREATE FUNCTION @extschema@.applicability_statements_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    q   record;
BEGIN
    SELECT qq.code, qq.urn, qq.assessable INTO q
    FROM @extschema@.questions qq
    WHERE qq.question_id = NEW.question_id AND qq.framework_id = NEW.framework_id;
    IF FOUND AND NOT q.assessable THEN
        RAISE EXCEPTION 'requirement % is not assessable: it has no place in the Statement of Applicability',
            q.code || COALESCE(' (' || q.urn || ')', '')
            USING ERRCODE = 'check_violation', HINT = 'State the applicability of the assessable requirements under it.';
    END IF;
    RETURN NEW;     -- the foreign key reports a requirement of another framework or none
END
$$;
COMMENT ON FUNCTION @extschema@.applicability_statements_check() IS
'Trigger: a Statement of Applicability row is about an assessable requirement.';
CREATE TRIGGER applicability_statements_check BEFORE INSERT OR UPDATE ON @extschema@.applicability_statements
    FOR EACH ROW EXECUTE FUNCTION @extschema@.applicability_statements_check();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.applicability_statements', '');

-- Row-level security and privileges as for the organization tables of tenancy.sql: tenants
-- read and write their organizations' rows (every column: the table has no surrogate key).
ALTER TABLE @extschema@.applicability_statements ENABLE ROW LEVEL SECURITY;
CREATE POLICY applicability_statements_admin ON @extschema@.applicability_statements
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY applicability_statements_tenant ON @extschema@.applicability_statements
    TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations()))
    WITH CHECK (organization_id IN (SELECT @extschema@.my_organizations()));
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.applicability_statements TO ismseval_admin;
GRANT SELECT, DELETE,
    INSERT (organization_id, framework_id, question_id, applicable, justification, implementation_status,
            owner, reviewed_on, created_at),
    UPDATE (organization_id, framework_id, question_id, applicable, justification, implementation_status,
            owner, reviewed_on, created_at)
    ON @extschema@.applicability_statements TO ismseval_tenant;

-- ---------------------------------------------------------------------------
-- statement_of_applicability
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.statement_of_applicability WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.framework_id,
       f.code AS framework,
       q.question_id,
       q.ref_id,
       q.code,
       COALESCE(q.name, q.text) AS name,
       p.code AS parent_code,
       COALESCE(p.name, p.text) AS parent_name,
       s.applicable,
       s.justification,
       s.implementation_status,
       s.owner,
       s.reviewed_on,
       la.assessment_id,
       la.assessed_on,
       v.result,
       an.score,
       v.percentage,
       CASE WHEN s.applicable IS NOT NULL THEN c.inconsistency IS NULL END AS consistent,
       c.inconsistency
FROM @extschema@.organizations o
-- the frameworks the organization assessed (organization-wide) or has SoA rows for
CROSS JOIN LATERAL (
    SELECT l.framework_id FROM @extschema@.latest_assessments(o.organization_id) l
    UNION
    SELECT x.framework_id FROM @extschema@.applicability_statements x WHERE x.organization_id = o.organization_id
) fw
JOIN @extschema@.frameworks f ON f.framework_id = fw.framework_id
LEFT JOIN LATERAL (
    SELECT l.assessment_id, l.assessed_on FROM @extschema@.latest_assessments(o.organization_id) l
    WHERE l.framework_id = fw.framework_id
) la ON true
JOIN @extschema@.questions q ON q.framework_id = fw.framework_id AND q.assessable
LEFT JOIN @extschema@.questions p ON p.question_id = q.parent_id
LEFT JOIN @extschema@.applicability_statements s
       ON s.organization_id = o.organization_id AND s.question_id = q.question_id
LEFT JOIN @extschema@.answers an ON an.assessment_id = la.assessment_id AND an.question_id = q.question_id
CROSS JOIN LATERAL (
    SELECT @extschema@.answer_result(an.score, an.result, COALESCE(q.score_min, f.scale_min),
                                     COALESCE(q.score_max, f.scale_max)) AS result,
           @extschema@.answer_percent(an.score, an.result, COALESCE(q.score_min, f.scale_min),
                                      COALESCE(q.score_max, f.scale_max), f.compliant_pct,
                                      f.partially_compliant_pct, f.non_compliant_pct) AS percentage
) v
CROSS JOIN LATERAL (
    SELECT CASE WHEN NOT s.applicable AND v.result IN ('compliant', 'partially_compliant', 'non_compliant')
                    THEN 'excluded but answered ' || v.result
                WHEN s.applicable AND v.result = 'not_applicable'
                    THEN 'applicable but answered not_applicable'
                WHEN s.applicable AND s.implementation_status = 'implemented' AND v.result = 'non_compliant'
                    THEN 'implemented but answered non_compliant'
                WHEN s.applicable AND s.implementation_status IN ('not_implemented', 'planned')
                     AND v.result = 'compliant'
                    THEN s.implementation_status || ' but answered compliant' END AS inconsistency
) c;

COMMENT ON VIEW @extschema@.statement_of_applicability IS
'The Statement of Applicability as an auditor reads it: per organization, framework it assessed organization-wide or has SoA rows for, and assessable requirement, whether it applies and why, its implementation status, the answer of the latest organization-wide assessment and whether the two agree. Requirements without a SoA row are listed with applicable NULL (not decided).';
COMMENT ON COLUMN @extschema@.statement_of_applicability.organization_id IS 'Key of the organization.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.organization IS 'Code of the organization.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.framework_id IS 'Key of the framework.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.framework IS 'Code of the framework.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.question_id IS 'Key of the requirement (questions.question_id).';
COMMENT ON COLUMN @extschema@.statement_of_applicability.ref_id IS 'Reference of the requirement in its framework (e.g. A.5.1); NULL when it has none.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.code IS 'Code of the requirement, unique in its framework.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.name IS 'Name of the requirement, else its display text.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.parent_code IS 'Code of the section the requirement belongs to (its parent node); NULL at the top.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.parent_name IS 'Name of that section, else its display text.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.applicable IS 'True included, false excluded, NULL not decided (no row in applicability_statements).';
COMMENT ON COLUMN @extschema@.statement_of_applicability.justification IS 'Why the requirement is excluded (or included).';
COMMENT ON COLUMN @extschema@.statement_of_applicability.implementation_status IS 'not_implemented, planned, partially_implemented or implemented; NULL when not stated.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.owner IS 'Person or role responsible for the requirement.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.reviewed_on IS 'When the SoA row was last reviewed.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.assessment_id IS 'The organization''s latest organization-wide assessment of the framework; NULL when it has none.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.assessed_on IS 'Date of that assessment.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.result IS 'The answer''s result (answer_result: for a score without a result, compliant at the top of the scale, non_compliant at the bottom, partially_compliant between); NULL when unanswered.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.score IS 'The answer''s score on the requirement''s scale; NULL when none.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.percentage IS 'The answer''s percentage of its scale (answer_percent: 100 x (score - min) / (max - min), else the framework''s percentage for its result); NULL when unanswered, not assessed or not applicable.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.consistent IS 'Whether the SoA row and the answer agree: false when an excluded requirement is answered (compliant, partially or non-compliant), an applicable one answered not_applicable, an implemented one non_compliant, a not implemented or planned one compliant; NULL when not decided.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.inconsistency IS 'What disagrees, when consistent is false (e.g. ''excluded but answered compliant''); NULL otherwise.';

-- ---------------------------------------------------------------------------
-- framework_mapping_requirements and framework_mapping_coverage
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.framework_mapping_requirements WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       ms.mapping_set_id,
       ms.name AS mapping_set,
       sf.framework_id AS source_framework_id,
       sf.code AS source_framework,
       la.assessment_id AS source_assessment_id,
       la.assessed_on AS source_assessed_on,
       tf.framework_id AS target_framework_id,
       tf.code AS target_framework,
       t.question_id,
       t.ref_id,
       t.code,
       COALESCE(t.name, t.text) AS name,
       t.weight,
       inf.mapped_sources,
       inf.sources,
       inf.result AS inferred_result,
       @extschema@.answer_percent(NULL, inf.result, tf.scale_min, tf.scale_max, tf.compliant_pct,
                                  tf.partially_compliant_pct, tf.non_compliant_pct) AS inferred_percentage,
       COALESCE(inf.result <> 'not_assessed', false) AS covered
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.requirement_mapping_sets ms ON ms.source_framework_id = la.framework_id
JOIN @extschema@.frameworks sf ON sf.framework_id = ms.source_framework_id
JOIN @extschema@.frameworks tf ON tf.framework_id = ms.target_framework_id
JOIN @extschema@.questions t ON t.framework_id = ms.target_framework_id AND t.assessable
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS mapped_sources,
           (pg_catalog.array_agg(m.mapped ORDER BY @extschema@.result_rank(m.mapped))
                FILTER (WHERE m.mapped IS NOT NULL))[1] AS result,
           pg_catalog.string_agg(m.line, '; ' ORDER BY m.code) AS sources
    FROM (
        SELECT s.code, @extschema@.mapped_result(rm.relationship, r.result) AS mapped,
               s.code || ' ' || rm.relationship || ' ' || r.result AS line
        FROM @extschema@.requirement_mappings rm
        JOIN @extschema@.questions s ON s.question_id = rm.source_question_id AND s.assessable
        LEFT JOIN @extschema@.answers an ON an.assessment_id = la.assessment_id AND an.question_id = s.question_id
        CROSS JOIN LATERAL (
            SELECT COALESCE(@extschema@.answer_result(an.score, an.result, COALESCE(s.score_min, sf.scale_min),
                                                      COALESCE(s.score_max, sf.scale_max)),
                            'not_assessed') AS result
        ) r
        WHERE rm.mapping_set_id = ms.mapping_set_id AND rm.target_question_id = t.question_id
          AND rm.relationship <> 'not_related'
    ) m
) inf;

COMMENT ON VIEW @extschema@.framework_mapping_requirements IS
'Per organization, mapping set whose source framework it assessed organization-wide, and assessable requirement of the target framework: the mapped source requirements with their results in the latest assessment, and the result and percentage they infer for the target (README "Statement of Applicability and framework mappings").';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.organization_id IS 'Key of the organization.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.organization IS 'Code of the organization.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.mapping_set_id IS 'Key of the mapping set (requirement_mapping_sets).';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.mapping_set IS 'Name of the mapping set.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.source_framework_id IS 'Key of the source framework, the one assessed.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.source_framework IS 'Code of the source framework.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.source_assessment_id IS 'The organization''s latest organization-wide assessment of the source framework.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.source_assessed_on IS 'Date of that assessment.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.target_framework_id IS 'Key of the target framework, the one inferred.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.target_framework IS 'Code of the target framework.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.question_id IS 'Key of the target requirement.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.ref_id IS 'Reference of the target requirement in its framework; NULL when it has none.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.code IS 'Code of the target requirement.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.name IS 'Name of the target requirement, else its display text.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.weight IS 'Weight of the target requirement in the inferred percentage.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.mapped_sources IS 'Assessable source requirements mapped to it with a relationship other than not_related; 0 when none.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.sources IS 'Those mappings as "source code, relationship, source result" (a missing answer as not_assessed), by source code, separated by "; "; NULL when none.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.inferred_result IS 'The weakest mapped result (mapped_result of each mapping, ranked by result_rank: non_compliant < partially_compliant < not_assessed < compliant < not_applicable); NULL when no mapping says anything.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.inferred_percentage IS 'The inferred result as a percentage of the target framework''s scale (answer_percent: its compliant_pct, partially_compliant_pct or non_compliant_pct); NULL for not_assessed, not_applicable or none.';
COMMENT ON COLUMN @extschema@.framework_mapping_requirements.covered IS 'True when the inferred result is compliant, partially_compliant, non_compliant or not_applicable.';

CREATE VIEW @extschema@.framework_mapping_coverage WITH (security_invoker = true) AS
SELECT r.organization_id,
       r.organization,
       r.mapping_set_id,
       r.mapping_set,
       r.source_framework_id,
       r.source_framework,
       r.source_assessment_id,
       r.source_assessed_on,
       r.target_framework_id,
       r.target_framework,
       pg_catalog.count(*) AS target_requirements,
       pg_catalog.count(*) FILTER (WHERE r.mapped_sources > 0) AS mapped_requirements,
       pg_catalog.count(*) FILTER (WHERE r.covered) AS covered_requirements,
       pg_catalog.count(*) FILTER (WHERE r.inferred_result = 'compliant') AS compliant,
       pg_catalog.count(*) FILTER (WHERE r.inferred_result = 'partially_compliant') AS partially_compliant,
       pg_catalog.count(*) FILTER (WHERE r.inferred_result = 'non_compliant') AS non_compliant,
       pg_catalog.count(*) FILTER (WHERE r.inferred_result = 'not_applicable') AS not_applicable,
       pg_catalog.sum(r.weight * r.inferred_percentage)
           / pg_catalog.sum(r.weight) FILTER (WHERE r.inferred_percentage IS NOT NULL) AS inferred_percentage,
       100 * (pg_catalog.count(*) FILTER (WHERE r.covered))::double precision / pg_catalog.count(*) AS coverage
FROM @extschema@.framework_mapping_requirements r
GROUP BY r.organization_id, r.organization, r.mapping_set_id, r.mapping_set, r.source_framework_id,
         r.source_framework, r.source_assessment_id, r.source_assessed_on, r.target_framework_id,
         r.target_framework;

COMMENT ON VIEW @extschema@.framework_mapping_coverage IS
'Per organization and mapping set whose source framework it assessed organization-wide: how much of the target framework its latest source assessment covers through the mappings, and the inferred percentage (README "Statement of Applicability and framework mappings"; per requirement: framework_mapping_requirements).';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.organization_id IS 'Key of the organization.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.organization IS 'Code of the organization.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.mapping_set_id IS 'Key of the mapping set.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.mapping_set IS 'Name of the mapping set.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.source_framework_id IS 'Key of the source framework, the one assessed.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.source_framework IS 'Code of the source framework.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.source_assessment_id IS 'The organization''s latest organization-wide assessment of the source framework.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.source_assessed_on IS 'Date of that assessment.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.target_framework_id IS 'Key of the target framework, the one inferred.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.target_framework IS 'Code of the target framework.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.target_requirements IS 'Assessable requirements of the target framework.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.mapped_requirements IS 'Of them, those with at least one mapped source (relationship other than not_related).';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.covered_requirements IS 'Of them, those covered: inferred result compliant, partially_compliant, non_compliant or not_applicable.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.compliant IS 'Target requirements inferred compliant.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.partially_compliant IS 'Target requirements inferred partially_compliant.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.non_compliant IS 'Target requirements inferred non_compliant.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.not_applicable IS 'Target requirements inferred not_applicable.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.inferred_percentage IS 'sum(weight x inferred percentage) / sum(weight) over the target requirements with an inferred percentage; NULL when none has one.';
COMMENT ON COLUMN @extschema@.framework_mapping_coverage.coverage IS 'Coverage in %: 100 x covered requirements / target requirements.';

GRANT SELECT ON @extschema@.statement_of_applicability, @extschema@.framework_mapping_requirements,
    @extschema@.framework_mapping_coverage TO ismseval_admin, ismseval_tenant;
