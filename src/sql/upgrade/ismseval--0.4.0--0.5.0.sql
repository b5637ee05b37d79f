-- ismseval 0.4.0 -> 0.5.0. Hand-written delta: every object this release adds or
-- changes, in the form an update needs (CREATE, CREATE OR REPLACE, ALTER). The
-- definitions themselves live in src/sql/<concept>.sql; test/upgrade.sh checks
-- that an install updated through this script equals a fresh 0.5.0 install.
\echo Use "ALTER EXTENSION ismseval UPDATE TO '0.5.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- The assessment model, generalized (issue 12): a framework is a tree of requirement
-- nodes of any depth (questions) with a scale of any range, per-node ranges and weights,
-- implementation groups and result-based answers. Added first: the rest of this script
-- already reads questions.scored.
-- ---------------------------------------------------------------------------

ALTER TABLE @extschema@.frameworks
    DROP CONSTRAINT frameworks_scale_valid,
    ADD COLUMN urn text UNIQUE CHECK (urn <> ''),
    ADD COLUMN ref_id text,
    ADD COLUMN description text,
    ADD COLUMN provider text,
    ADD COLUMN translations jsonb,
    ADD COLUMN score_labels jsonb,
    ADD COLUMN domain_level integer NOT NULL DEFAULT 1
        CONSTRAINT frameworks_domain_level_positive CHECK (domain_level BETWEEN 1 AND 100),
    ADD COLUMN compliant_pct double precision NOT NULL DEFAULT 100,
    ADD COLUMN partially_compliant_pct double precision NOT NULL DEFAULT 50,
    ADD COLUMN non_compliant_pct double precision NOT NULL DEFAULT 0,
    ADD CONSTRAINT frameworks_scale_valid
        CHECK (scale_min < scale_max AND scale_min >= -1000000 AND scale_max <= 1000000),
    ADD CONSTRAINT frameworks_result_pcts_ordered
        CHECK (0 <= non_compliant_pct AND non_compliant_pct <= partially_compliant_pct
               AND partially_compliant_pct <= compliant_pct AND compliant_pct <= 100),
    ADD CONSTRAINT frameworks_score_labels_array
        CHECK (score_labels IS NULL OR pg_catalog.jsonb_typeof(score_labels) = 'array');
COMMENT ON TABLE @extschema@.frameworks IS
'Control frameworks / questionnaires: a tree of requirement nodes (questions) whose scored nodes take scores on scale_min..scale_max (or a node''s own range).';
COMMENT ON COLUMN @extschema@.frameworks.default_target IS
'The target maturity for every domain unless maturity_targets says otherwise.';
COMMENT ON COLUMN @extschema@.frameworks.preloaded IS
'True for rows shipped with the extension (ids <= 100000); pg_dump skips them.';
COMMENT ON COLUMN @extschema@.frameworks.urn IS
'The framework''s URN (CISO Assistant libraries), unique; imports find the framework by it.';
COMMENT ON COLUMN @extschema@.frameworks.score_labels IS
'Optional labels of scores: a jsonb array of {score, name, description, translations}.';
COMMENT ON COLUMN @extschema@.frameworks.domain_level IS
'The depth of the requirement tree whose nodes are the control domains (radar axes); 1 = the top level.';
COMMENT ON COLUMN @extschema@.frameworks.compliant_pct IS
'Percentage of the scale an answer counts for when it has the result compliant and no score (default 100: the top).';
COMMENT ON COLUMN @extschema@.frameworks.partially_compliant_pct IS
'Percentage of the scale an answer counts for when it has the result partially_compliant and no score (default 50: the midpoint).';
COMMENT ON COLUMN @extschema@.frameworks.non_compliant_pct IS
'Percentage of the scale an answer counts for when it has the result non_compliant and no score (default 0: the bottom).';

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

ALTER TABLE @extschema@.questions
    ALTER COLUMN domain_id DROP NOT NULL,
    ADD COLUMN urn text UNIQUE CHECK (urn <> ''),
    ADD COLUMN ref_id text,
    ADD COLUMN name text,
    ADD COLUMN description text,
    ADD COLUMN assessable boolean NOT NULL DEFAULT true,
    ADD COLUMN answer_kind text
        CONSTRAINT questions_answer_kind_known CHECK (answer_kind IN ('score', 'yes_no')),
    ADD COLUMN depth integer CHECK (depth >= 1),
    ADD COLUMN weight double precision NOT NULL DEFAULT 1
        CONSTRAINT questions_weight_positive CHECK (weight > 0 AND weight < 'Infinity'),
    ADD COLUMN score_min integer,
    ADD COLUMN score_max integer,
    ADD COLUMN implementation_groups text[],
    ADD COLUMN translations jsonb,
    ADD COLUMN scored boolean GENERATED ALWAYS AS (assessable AND answer_kind = 'score') STORED,
    ADD CONSTRAINT questions_not_own_parent CHECK (parent_id <> question_id),
    ADD CONSTRAINT questions_score_range_valid
        CHECK (pg_catalog.num_nulls(score_min, score_max) IN (0, 2) AND score_min < score_max
               AND score_min >= -1000000 AND score_max <= 1000000);
-- The working group's scheme as a case of the tree: large questions (no parent) are scored
-- nodes directly under their domain (depth 2), small ones yes/no nodes under them (depth 3).
ALTER TABLE @extschema@.questions DISABLE TRIGGER questions_preloaded_read_only;
UPDATE @extschema@.questions
SET answer_kind = CASE WHEN parent_id IS NULL THEN 'score' ELSE 'yes_no' END,
    depth = CASE WHEN parent_id IS NULL THEN 2 ELSE 3 END;
ALTER TABLE @extschema@.questions ENABLE TRIGGER questions_preloaded_read_only;
ALTER TABLE @extschema@.questions ALTER COLUMN answer_kind SET NOT NULL, ALTER COLUMN depth SET NOT NULL;
COMMENT ON TABLE @extschema@.questions IS
'Requirement nodes of a framework (questions), a tree of any depth through parent_id. A node with a domain_id lies in that control domain; parent_id NULL with a domain_id hangs directly under the domain (the working group''s large questions). Assessable nodes take answers: scored nodes (answer_kind score) a score on the framework''s scale or their own, yes/no nodes answer_yes (the working group''s small questions, default for a node under a scored node).';
COMMENT ON COLUMN @extschema@.questions.domain_id IS
'The control domain (radar axis) the node lies in; NULL only for nodes above the framework''s domain level.';
COMMENT ON COLUMN @extschema@.questions.assessable IS
'Whether the node takes answers (false for grouping nodes such as functions and categories).';
COMMENT ON COLUMN @extschema@.questions.answer_kind IS
'score (a score and/or result) or yes_no (answer_yes); when not given: yes_no under a scored node, else score.';
COMMENT ON COLUMN @extschema@.questions.depth IS
'Depth in the tree: 1 for top-level nodes; a node directly under a domain without a node of its own is at domain_level + 1. Set by the trigger.';
COMMENT ON COLUMN @extschema@.questions.weight IS
'Weight of the node''s answer in domain and total percentages (> 0, default 1).';
COMMENT ON COLUMN @extschema@.questions.score_min IS
'The node''s own scale minimum (with score_max), overriding the framework''s scale; NULL = the framework''s.';
COMMENT ON COLUMN @extschema@.questions.implementation_groups IS
'Codes of the implementation groups the node belongs to; NULL = none.';
COMMENT ON COLUMN @extschema@.questions.scored IS
'True for assessable nodes with answer_kind score: those that count in domain and total scores.';

-- Fills a requirement node's depth and default answer kind, and checks that its parent
-- is in its framework and domain, that the tree has no cycle and that its domain fits
-- the framework's domain level.
CREATE FUNCTION @extschema@.questions_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    parent      record;
    level       integer;
    ancestor    bigint;
    steps       integer := 0;
BEGIN
    SELECT f.domain_level INTO level FROM @extschema@.frameworks f WHERE f.framework_id = NEW.framework_id;
    level := COALESCE(level, 1);   -- the foreign key reports an unknown framework
    IF NEW.parent_id IS NULL THEN
        -- a top-level node, the node of a top-level domain, or a node directly under a
        -- domain that has no node of its own (the working group's large questions)
        NEW.depth := COALESCE(NEW.depth, CASE WHEN NEW.domain_id IS NULL THEN 1 ELSE level + 1 END);
        IF NOT (NEW.depth = 1 AND (NEW.domain_id IS NULL OR level = 1)
                OR NEW.depth = level + 1 AND NEW.domain_id IS NOT NULL) THEN
            RAISE EXCEPTION 'requirement % without a parent cannot be at depth %', NEW.code, NEW.depth
                USING ERRCODE = 'check_violation',
                      DETAIL = pg_catalog.format('The framework''s domains are at depth %s.', level);
        END IF;
        NEW.answer_kind := COALESCE(NEW.answer_kind, 'score');
    ELSE
        SELECT p.depth, p.domain_id, p.scored, p.code INTO parent
        FROM @extschema@.questions p
        WHERE p.question_id = NEW.parent_id AND p.framework_id = NEW.framework_id;
        IF NOT FOUND THEN
            RETURN NEW;     -- the foreign key reports a parent of another framework or none
        END IF;
        NEW.depth := parent.depth + 1;
        NEW.answer_kind := COALESCE(NEW.answer_kind, CASE WHEN parent.scored THEN 'yes_no' ELSE 'score' END);
        NEW.domain_id := COALESCE(NEW.domain_id, parent.domain_id);
        IF parent.domain_id IS NOT NULL AND NEW.domain_id <> parent.domain_id THEN
            RAISE EXCEPTION 'requirement % must be in the domain of its parent %', NEW.code, parent.code
                USING ERRCODE = 'check_violation';
        END IF;
        -- a cycle: walking up from the parent reaches the node itself
        ancestor := NEW.parent_id;
        WHILE ancestor IS NOT NULL AND steps <= 1000 LOOP
            IF ancestor = NEW.question_id THEN
                RAISE EXCEPTION 'requirement % cannot be its own ancestor', NEW.code
                    USING ERRCODE = 'check_violation', DETAIL = 'Its parent chain leads back to it (a cycle).';
            END IF;
            SELECT p.parent_id INTO ancestor FROM @extschema@.questions p WHERE p.question_id = ancestor;
            steps := steps + 1;
        END LOOP;
    END IF;
    IF NEW.domain_id IS NULL AND NEW.depth >= level THEN
        RAISE EXCEPTION 'requirement % (depth %) needs a domain: the framework''s domains are at depth %',
            NEW.code, NEW.depth, level USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.domain_id IS NOT NULL AND NEW.depth < level THEN
        RAISE EXCEPTION 'requirement % (depth %) is above the domain level % and cannot be in a domain',
            NEW.code, NEW.depth, level USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.domain_id IS NOT NULL AND NEW.depth = level
       AND EXISTS (SELECT FROM @extschema@.questions o
                   WHERE o.domain_id = NEW.domain_id AND o.depth = level AND o.question_id <> NEW.question_id) THEN
        RAISE EXCEPTION 'domain of requirement % already has its node at depth %', NEW.code, level
            USING ERRCODE = 'check_violation', DETAIL = 'A control domain is one node of the domain level.';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.depth <> OLD.depth OR NEW.domain_id IS DISTINCT FROM OLD.domain_id)
       AND EXISTS (SELECT FROM @extschema@.questions c WHERE c.parent_id = NEW.question_id) THEN
        RAISE EXCEPTION 'requirement % has children: its depth and domain cannot change', NEW.code
            USING ERRCODE = 'check_violation', HINT = 'Move or delete its children first.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.questions_check() IS
'Trigger: fills depth and the default answer kind of a requirement node; its parent is in its framework and domain, the tree has no cycle, and nodes in a domain are at or below the framework''s domain level.';
CREATE TRIGGER questions_check BEFORE INSERT OR UPDATE ON @extschema@.questions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.questions_check();

ALTER TABLE @extschema@.assessments ADD COLUMN implementation_groups text[];
COMMENT ON COLUMN @extschema@.assessments.implementation_groups IS
'The implementation groups in scope (codes); NULL = every requirement of the framework. A requirement is in scope when it belongs to one of them.';

ALTER TABLE @extschema@.answers ADD COLUMN result text
    CONSTRAINT answers_result_known
    CHECK (result IN ('compliant', 'partially_compliant', 'non_compliant', 'not_assessed', 'not_applicable'));
COMMENT ON TABLE @extschema@.answers IS
'Answers to assessable requirement nodes: a score on the node''s scale and/or a result for a scored node, yes/no (or the result compliant / non_compliant) for a yes/no node, or not applicable.';
COMMENT ON COLUMN @extschema@.answers.result IS
'compliant, partially_compliant, non_compliant, not_assessed or not_applicable (CISO Assistant''s results); filled from the score, answer_yes or not_applicable when not given.';

-- Checks an answer against its requirement and its assessment's framework, fills the result
-- a score, answer_yes or not_applicable implies and rejects a result that contradicts them.
CREATE OR REPLACE FUNCTION @extschema@.answers_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    q   record;
    a   record;
    ref text;
BEGIN
    SELECT qq.code, qq.framework_id, qq.assessable, qq.answer_kind, qq.urn,
           COALESCE(qq.score_min, f.scale_min) AS scale_min, COALESCE(qq.score_max, f.scale_max) AS scale_max
    INTO q
    FROM @extschema@.questions qq JOIN @extschema@.frameworks f USING (framework_id)
    WHERE qq.question_id = NEW.question_id;
    SELECT aa.framework_id, f.code INTO a
    FROM @extschema@.assessments aa JOIN @extschema@.frameworks f USING (framework_id)
    WHERE aa.assessment_id = NEW.assessment_id;
    IF q.framework_id IS NULL OR a.framework_id IS NULL THEN
        RETURN NEW;     -- the foreign keys report unknown questions and assessments
    END IF;
    ref := q.code || COALESCE(' (' || q.urn || ')', '');
    IF q.framework_id <> a.framework_id THEN
        RAISE EXCEPTION 'question % (id %) is not a question of framework % of assessment %',
            ref, NEW.question_id, a.code, NEW.assessment_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NOT q.assessable THEN
        RAISE EXCEPTION 'requirement % is not assessable: it takes no answer', ref
            USING ERRCODE = 'check_violation', HINT = 'Answer the assessable requirements under it.';
    END IF;
    -- not applicable, as the flag or the result
    IF NEW.result = 'not_applicable' AND NOT NEW.not_applicable THEN
        NEW.not_applicable := NEW.score IS NULL AND NEW.answer_yes IS NULL;
    END IF;
    IF NEW.not_applicable THEN
        IF NEW.result IS DISTINCT FROM 'not_applicable' AND NEW.result IS NOT NULL THEN
            RAISE EXCEPTION 'answer to % is not applicable but has the result %', ref, NEW.result
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.result := 'not_applicable';
        RETURN NEW;
    END IF;
    IF NEW.result = 'not_applicable' THEN
        RAISE EXCEPTION 'answer to % has the result not_applicable and a value', ref
            USING ERRCODE = 'check_violation', HINT = 'A requirement that does not apply has no score and no yes/no.';
    END IF;
    IF q.answer_kind = 'score' THEN
        IF NEW.answer_yes IS NOT NULL THEN
            RAISE EXCEPTION 'question % takes a score, not answer_yes', ref
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.score IS NULL AND NEW.result IS NULL THEN
            RAISE EXCEPTION 'answer to % needs a score between % and % (framework %) or a result', ref,
                q.scale_min, q.scale_max, a.code
                USING ERRCODE = 'check_violation',
                      HINT = 'Give a score, a result (compliant, partially_compliant, non_compliant, not_assessed) or not_applicable.';
        END IF;
        IF NEW.score < q.scale_min OR NEW.score > q.scale_max THEN
            RAISE EXCEPTION 'score of question % must be between % and % (framework %), got %', ref,
                q.scale_min, q.scale_max, a.code, NEW.score
                USING ERRCODE = 'check_violation',
                      HINT = 'Set not_applicable = true for a question that does not apply.';
        END IF;
        -- a result that contradicts having a score: not assessed (not applicable is refused
        -- above). A score beside compliant, partially or non-compliant is a second dimension
        -- (CISO Assistant scores maturity beside compliance): kept, and the score counts.
        IF NEW.score IS NOT NULL AND NEW.result = 'not_assessed' THEN
            RAISE EXCEPTION 'answer to % has the result not_assessed and the score %, which contradict', ref, NEW.score
                USING ERRCODE = 'check_violation',
                      HINT = 'A scored requirement is assessed: give its result (or none) with the score.';
        END IF;
    ELSE
        IF NEW.score IS NOT NULL THEN
            RAISE EXCEPTION 'question % is a yes/no question: give answer_yes, not a score', ref
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.result = 'partially_compliant' THEN
            RAISE EXCEPTION 'yes/no question % cannot be partially compliant', ref
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.answer_yes IS NULL AND NEW.result IN ('compliant', 'non_compliant') THEN
            NEW.answer_yes := NEW.result = 'compliant';
        END IF;
        IF NEW.answer_yes IS NULL AND NEW.result IS DISTINCT FROM 'not_assessed' THEN
            RAISE EXCEPTION 'yes/no question % needs answer_yes (true or false), a result or not_applicable', ref
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.answer_yes IS NOT NULL AND NEW.result = 'not_assessed'
           OR NEW.answer_yes AND NEW.result = 'non_compliant'
           OR NOT NEW.answer_yes AND NEW.result = 'compliant' THEN
            RAISE EXCEPTION 'answer to % has answer_yes % and the result %, which contradict', ref, NEW.answer_yes, NEW.result
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.result := COALESCE(NEW.result, CASE WHEN NEW.answer_yes THEN 'compliant' ELSE 'non_compliant' END);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.answers_check() IS
'Trigger: an answer''s requirement is assessable and of its assessment''s framework; a scored one takes a score on its scale and/or a result (not_assessed and not_applicable take no score), a yes/no one answer_yes or compliant/non_compliant; fills the result from answer_yes and not_applicable.';
-- Tenants write every column of their assessments and answers but the keys (tenancy.sql); the new ones too.
GRANT INSERT (implementation_groups), UPDATE (implementation_groups) ON @extschema@.assessments TO ismseval_tenant;
GRANT INSERT (result), UPDATE (result) ON @extschema@.answers TO ismseval_tenant;
-- Existing answers get the result their yes/no or not-applicable flag implies (as the trigger fills it).
UPDATE @extschema@.answers SET result = result;

-- ---------------------------------------------------------------------------
-- Scores, percentages and coverage of an assessment (README "Scores, percentages and
-- coverage"). Every view, the peer releases and the report read them from here.
--   answer percentage  a score: 100 x (score - min) / (max - min) on the node's scale (its
--                      own range, else the framework's); a result without a score: the
--                      framework's compliant_pct (default 100), partially_compliant_pct (50)
--                      or non_compliant_pct (0); not_assessed or no answer: none
--   in scope           a scored node of the framework, in one of the assessment's
--                      implementation groups when it selects some
--   applicable         in scope and not answered not applicable (not assessed stays in)
--   domain percentage  sum(weight x percentage) / sum(weight) over the answered nodes
--   domain score       the same mean on the framework's scale: min + percentage x (max - min) / 100
--                      (for a plain score: the score itself, so a domain of scores 2 and 3 is 2.5)
--   coverage           100 x answered / applicable
--   total score        sum over domains of n x domain score, n = the domain's scored
--                      requirements (all of them, whatever the scope, as the releases count)
-- ---------------------------------------------------------------------------

-- The percentage of its scale an answer counts for: its score's place on the scale, or the
-- framework's percentage for its result; NULL when it counts for nothing.
CREATE FUNCTION @extschema@.answer_percent(score integer, result text, scale_min integer, scale_max integer,
                                           compliant_pct double precision,
                                           partially_compliant_pct double precision,
                                           non_compliant_pct double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN score IS NOT NULL
            THEN 100 * (score - scale_min)::double precision / (scale_max - scale_min)
            WHEN result = 'compliant' THEN compliant_pct
            WHEN result = 'partially_compliant' THEN partially_compliant_pct
            WHEN result = 'non_compliant' THEN non_compliant_pct END;
COMMENT ON FUNCTION @extschema@.answer_percent(integer, text, integer, integer, double precision,
                                               double precision, double precision) IS
'Percentage of its scale an answer counts for: 100 x (score - min) / (max - min), else the framework''s percentage for its result (compliant, partially_compliant, non_compliant); NULL for not assessed or not applicable.';

-- Every scored requirement in the scope of an assessment, with its answer's value.
CREATE FUNCTION @extschema@.assessment_requirement_values(assessment_id bigint)
RETURNS TABLE(question_id bigint, domain_id bigint, weight double precision, applicable boolean,
              percentage double precision, score double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT q.question_id, q.domain_id, q.weight, NOT COALESCE(an.not_applicable, false),
           v.percentage,
           -- on the framework's scale; a plain score on it is kept as it is
           CASE WHEN q.score_min IS NULL AND an.score IS NOT NULL THEN an.score::double precision
                ELSE f.scale_min + v.percentage * (f.scale_max - f.scale_min) / 100 END
    FROM @extschema@.assessments a
    JOIN @extschema@.frameworks f ON f.framework_id = a.framework_id
    JOIN @extschema@.questions q ON q.framework_id = a.framework_id AND q.scored
         AND (a.implementation_groups IS NULL OR q.implementation_groups && a.implementation_groups)
    LEFT JOIN @extschema@.answers an ON an.assessment_id = a.assessment_id AND an.question_id = q.question_id
    CROSS JOIN LATERAL (
        SELECT @extschema@.answer_percent(an.score, an.result,
                                          COALESCE(q.score_min, f.scale_min), COALESCE(q.score_max, f.scale_max),
                                          f.compliant_pct, f.partially_compliant_pct, f.non_compliant_pct)
               AS percentage
    ) v
    WHERE a.assessment_id = assessment_requirement_values.assessment_id;
END;
COMMENT ON FUNCTION @extschema@.assessment_requirement_values(bigint) IS
'Every scored requirement in the scope of an assessment (its implementation groups, if any): domain, weight, whether applicable (not answered not applicable), the answer''s percentage of its scale and its score on the framework''s scale (NULL when unanswered or not assessed).';

-- Score, percentage, answered and applicable requirements and coverage of a domain in an assessment.
CREATE FUNCTION @extschema@.assessment_domain_score(assessment_id bigint, domain_id bigint)
RETURNS TABLE(score double precision, percentage double precision, answered bigint, applicable bigint,
              coverage double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL),
           pg_catalog.sum(r.weight * r.percentage) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL),
           pg_catalog.count(r.percentage),
           pg_catalog.count(*) FILTER (WHERE r.applicable),
           100 * pg_catalog.count(r.percentage)::double precision
               / NULLIF(pg_catalog.count(*) FILTER (WHERE r.applicable), 0)
    FROM @extschema@.assessment_requirement_values(assessment_domain_score.assessment_id) r
    WHERE r.domain_id = assessment_domain_score.domain_id;
END;
COMMENT ON FUNCTION @extschema@.assessment_domain_score(bigint, bigint) IS
'Of a domain in an assessment: weighted mean score (framework scale) and percentage of the answered scored requirements in scope, how many are answered and applicable, and coverage = 100 x answered / applicable.';

-- The totals of an assessment: per-domain means weighted by the domain's scored requirements.
CREATE FUNCTION @extschema@.assessment_total_score(assessment_id bigint)
RETURNS TABLE(total_score double precision, total_percentage double precision, mean_score double precision,
              mean_percentage double precision, requirements bigint, answered bigint, applicable bigint,
              coverage double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH r AS (
        SELECT * FROM @extschema@.assessment_requirement_values(assessment_total_score.assessment_id)
    ), a AS (
        SELECT f.framework_id, f.scale_min, f.scale_max
        FROM @extschema@.assessments x JOIN @extschema@.frameworks f ON f.framework_id = x.framework_id
        WHERE x.assessment_id = assessment_total_score.assessment_id
    ), d AS (
        -- every domain with scored requirements, their number (the whole framework's, so that
        -- totals of different scopes and the peer releases' add up alike) and the domain mean
        SELECT q.domain_id, pg_catalog.count(*) AS n,
               (SELECT pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL)
                FROM r WHERE r.domain_id IS NOT DISTINCT FROM q.domain_id) AS mean
        FROM a JOIN @extschema@.questions q ON q.framework_id = a.framework_id AND q.scored
        GROUP BY q.domain_id
    ), t AS (
        SELECT pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL) AS mean,
               pg_catalog.sum(r.weight * r.percentage) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL) AS pct,
               pg_catalog.count(*) AS n, pg_catalog.count(r.percentage) AS answered,
               pg_catalog.count(*) FILTER (WHERE r.applicable) AS applicable
        FROM r
    ), s AS (
        -- sum over domains of scored requirements x domain mean when every domain has a
        -- mean, else scored requirements x the mean over all answers
        SELECT COALESCE(CASE WHEN pg_catalog.count(d.mean) = pg_catalog.count(*) THEN pg_catalog.sum(d.n * d.mean) END,
                        pg_catalog.sum(d.n) * (SELECT t.mean FROM t)) AS total,
               pg_catalog.sum(d.n) AS n
        FROM d
    )
    SELECT s.total,
           100 * (s.total / s.n - a.scale_min) / (a.scale_max - a.scale_min),
           t.mean, t.pct, t.n, t.answered, t.applicable,
           100 * t.answered::double precision / NULLIF(t.applicable, 0)
    FROM s, t, a;
END;
COMMENT ON FUNCTION @extschema@.assessment_total_score(bigint) IS
'Totals of an assessment: total score = sum over domains of the framework''s scored requirements x domain mean (or scored requirements x the mean of all answers while a domain has none), its percentage of the scale, the mean score and percentage of the answers, requirements in scope, answered, applicable and coverage.';

-- Shared rules, defined once (rules.sql): the peer group key, the peers of an organization,
-- the latest organization-wide assessment; the functions and views that restated them now use them.
-- The peer group of an organization: its core business type and size band.
CREATE FUNCTION @extschema@.peer_group(core_business text, size_band text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN core_business || ' / ' || size_band;
COMMENT ON FUNCTION @extschema@.peer_group(text, text) IS
'The peer group key of an organization: core_business / size_band.';

-- The peers of an organization: the other organizations of its peer group.
CREATE FUNCTION @extschema@.peer_organizations(organization_id bigint)
RETURNS TABLE(peer_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT p.organization_id
    FROM @extschema@.organizations o
    JOIN @extschema@.organizations p
      ON p.core_business = o.core_business AND p.size_band = o.size_band
     AND p.organization_id <> o.organization_id
    WHERE o.organization_id = peer_organizations.organization_id;
END;
COMMENT ON FUNCTION @extschema@.peer_organizations(bigint) IS
'The peers of an organization: the other organizations with the same core_business and size_band.';

-- The latest organization-wide assessment (department_id NULL) of every organization and
-- framework: the one assessed last, the highest key among those of the same day.
CREATE FUNCTION @extschema@.latest_organization_assessments()
RETURNS TABLE(organization_id bigint, framework_id bigint, assessment_id bigint, assessed_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT ON (a.organization_id, a.framework_id)
           a.organization_id, a.framework_id, a.assessment_id, a.assessed_on
    FROM @extschema@.assessments a
    WHERE a.department_id IS NULL
    ORDER BY a.organization_id, a.framework_id, a.assessed_on DESC, a.assessment_id DESC;
END;
COMMENT ON FUNCTION @extschema@.latest_organization_assessments() IS
'The latest organization-wide assessment (department_id NULL) of each organization and framework: latest assessed_on, then highest assessment_id.';

-- peer_unit returns a one-row set, inlined where it is joined: the release and the hidden-peer
-- floor share its one definition.
DROP FUNCTION @extschema@.peer_unit(bigint);
CREATE FUNCTION @extschema@.peer_unit(organization_id bigint)
RETURNS TABLE(unit text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT COALESCE('role ' || pg_catalog.min(m.tenant_role::oid)::text,
                    'organization ' || peer_unit.organization_id::text)
    FROM @extschema@.tenant_organizations m
    WHERE m.organization_id = peer_unit.organization_id;
END;
COMMENT ON FUNCTION @extschema@.peer_unit(bigint) IS
'The unit an organization''s changes count for in a release: its lowest mapped tenant role, else the organization itself.';

CREATE OR REPLACE FUNCTION @extschema@.latest_assessments(organization_id bigint)
RETURNS TABLE(assessment_id bigint, framework_id bigint, assessed_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT l.assessment_id, l.framework_id, l.assessed_on
    FROM @extschema@.latest_organization_assessments() l
    WHERE l.organization_id = latest_assessments.organization_id;
END;

CREATE OR REPLACE FUNCTION @extschema@.peer_domain_scores(organization_id bigint, framework_id bigint)
RETURNS TABLE(domain_id bigint, dist @extschema@.peer_dist)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.domain_id, @extschema@.peer_dist(s.score)
    FROM (
        SELECT q.domain_id, pa.assessment_id, pg_catalog.avg(an.score)::double precision AS score
        FROM @extschema@.peer_organizations(peer_domain_scores.organization_id) p
        CROSS JOIN LATERAL (
            SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
            WHERE l.organization_id = p.peer_id AND l.framework_id = peer_domain_scores.framework_id
        ) pa
        JOIN @extschema@.answers an ON an.assessment_id = pa.assessment_id
        JOIN @extschema@.questions q ON q.question_id = an.question_id AND q.scored
        GROUP BY q.domain_id, pa.assessment_id
    ) s
    WHERE s.score IS NOT NULL
    GROUP BY s.domain_id;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.peer_question_rates(organization_id bigint, framework_id bigint)
RETURNS TABLE(question_id bigint, dist @extschema@.peer_dist)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT an.question_id,
           @extschema@.peer_dist(CASE WHEN an.answer_yes THEN 100::double precision ELSE 0::double precision END)
    FROM @extschema@.peer_organizations(peer_question_rates.organization_id) p
    CROSS JOIN LATERAL (
        SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
        WHERE l.organization_id = p.peer_id AND l.framework_id = peer_question_rates.framework_id
    ) pa
    JOIN @extschema@.answers an ON an.assessment_id = pa.assessment_id AND an.answer_yes IS NOT NULL
    GROUP BY an.question_id;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.peer_total_scores(organization_id bigint, framework_id bigint,
                                              own_total double precision)
RETURNS TABLE(dist @extschema@.peer_dist, higher bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT @extschema@.peer_dist(pt.total), pg_catalog.count(*) FILTER (WHERE pt.total > own_total)
    FROM @extschema@.peer_organizations(peer_total_scores.organization_id) p
    CROSS JOIN LATERAL (
        SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
        WHERE l.organization_id = p.peer_id AND l.framework_id = peer_total_scores.framework_id
    ) pa
    CROSS JOIN LATERAL (
        SELECT pg_catalog.avg(an.score)::double precision
               * (SELECT pg_catalog.count(*) FROM @extschema@.questions q
                  WHERE q.framework_id = peer_total_scores.framework_id AND q.scored) AS total
        FROM @extschema@.answers an
        WHERE an.assessment_id = pa.assessment_id AND an.score IS NOT NULL
    ) pt
    WHERE pt.total IS NOT NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.peer_current_values()
RETURNS TABLE(organization_id bigint, framework_id bigint, kind text, item_id bigint, value double precision,
              peer_group text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH latest AS (
        SELECT l.organization_id, l.framework_id, l.assessment_id
        FROM @extschema@.latest_organization_assessments() l
    ), domains AS (
        SELECT q.framework_id, pg_catalog.count(DISTINCT q.domain_id) AS n
        FROM @extschema@.questions q WHERE q.scored GROUP BY q.framework_id
    ), means AS (
        SELECT l.organization_id, l.framework_id, q.domain_id, pg_catalog.avg(an.score)::double precision AS value,
               pg_catalog.count(*) OVER (PARTITION BY l.organization_id, l.framework_id) AS domains_scored
        FROM latest l
        JOIN @extschema@.answers an ON an.assessment_id = l.assessment_id AND an.score IS NOT NULL
        JOIN @extschema@.questions q ON q.question_id = an.question_id AND q.scored
        GROUP BY l.organization_id, l.framework_id, q.domain_id
    ), v AS (
        SELECT m.organization_id, m.framework_id, 'domain' AS kind, m.domain_id AS item_id, m.value
        FROM means m JOIN domains d ON d.framework_id = m.framework_id AND d.n = m.domains_scored
        UNION ALL
        SELECT l.organization_id, l.framework_id, 'question', an.question_id,
               CASE WHEN an.answer_yes THEN 100::double precision ELSE 0::double precision END
        FROM latest l
        JOIN @extschema@.answers an ON an.assessment_id = l.assessment_id AND an.answer_yes IS NOT NULL
    )
    SELECT v.organization_id, v.framework_id, v.kind, v.item_id, v.value,
           @extschema@.peer_group(o.core_business, o.size_band)
    FROM v JOIN @extschema@.organizations o ON o.organization_id = v.organization_id;
END;

CREATE OR REPLACE VIEW @extschema@.org_benchmark WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       o.core_business,
       o.size_band,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       COALESCE(bd.total, own.total_score) AS total_score,
       own.mean_score,
       own.answered AS answered_questions,
       pr.peer_count AS peer_count,
       pr.peer_mean_total AS peer_mean_total,
       pr.peer_percentile AS peer_percentile,
       pr.deviation_score AS deviation_score,
       pr.peer_rank AS peer_rank,
       pr.peer_count + 1 AS ranked_organizations,
       pr.as_of AS peer_figures_as_of
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS n FROM @extschema@.questions q
    WHERE q.framework_id = la.framework_id AND q.scored
) nq
CROSS JOIN LATERAL (
    SELECT pg_catalog.avg(an.score)::double precision * nq.n AS total_score,
           pg_catalog.avg(an.score)::double precision AS mean_score,
           pg_catalog.count(an.score) AS answered
    FROM @extschema@.answers an
    WHERE an.assessment_id = la.assessment_id AND an.score IS NOT NULL
) own
CROSS JOIN LATERAL (
    -- the total as the peer figures rank it: sum over domains of large questions x domain
    -- mean, when every domain has a scored answer (the same as above when all are answered)
    SELECT CASE WHEN pg_catalog.count(d.mean) = pg_catalog.count(*) THEN pg_catalog.sum(d.n * d.mean) END AS total
    FROM (SELECT q.domain_id, pg_catalog.count(*) AS n, pg_catalog.avg(an.score)::double precision AS mean
          FROM @extschema@.questions q
          LEFT JOIN @extschema@.answers an ON an.question_id = q.question_id AND an.assessment_id = la.assessment_id
          WHERE q.framework_id = la.framework_id AND q.scored
          GROUP BY q.domain_id) d
) bd
LEFT JOIN LATERAL @extschema@.peer_total_benchmark(o.organization_id, la.framework_id) pr ON true;

CREATE OR REPLACE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       b.framework,
       b.assessed_on,
       b.total_score,
       b.mean_score,
       b.peer_mean_total,
       b.peer_count,
       b.peer_percentile,
       b.deviation_score,
       b.peer_rank,
       b.ranked_organizations,
       md.weakest_domain,
       md.domains_below_target,
       md.domains_below_peers,
       rk.risks,
       rk.risks_outside_tolerance,
       rk.risks_top_level,
       rk.acceptances_expired,
       kp.kpis,
       kp.kpis_green,
       kp.kpis_amber,
       kp.kpis_red,
       kp.kpis_stale,
       ob.objectives,
       ob.objectives_achieved,
       ob.objectives_overdue,
       inc.incidents_12m,
       inc.severe_incidents_12m,
       inc.mttd_hours_12m,
       inc.mttr_hours_12m,
       inc.reported_within_24h_pct_12m,
       nc.nonconformities_open,
       nc.corrective_actions_overdue,
       b.peer_figures_as_of
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id,
           bm.peer_figures_as_of
    FROM @extschema@.org_benchmark bm
    WHERE bm.organization_id = o.organization_id
    ORDER BY bm.assessed_on DESC, bm.assessment_id DESC LIMIT 1
) b ON true
LEFT JOIN LATERAL (
    SELECT (pg_catalog.array_agg(m.domain ORDER BY m.own_score, m.display_order)
                FILTER (WHERE m.own_score IS NOT NULL))[1] AS weakest_domain,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_target < 0) AS domains_below_target,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_peers < 0) AS domains_below_peers
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = o.organization_id AND m.assessment_id = b.assessment_id
) md ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risks,
           pg_catalog.count(*) FILTER (WHERE NOT r.within_tolerance) AS risks_outside_tolerance,
           pg_catalog.count(*) FILTER (
               WHERE r.inherent_level_rank = (SELECT pg_catalog.max(l.rank)
                                              FROM @extschema@.risk_matrix_levels(o.risk_matrix) l))
               AS risks_top_level,
           pg_catalog.count(*) FILTER (WHERE r.acceptance_expired) AS acceptances_expired
    FROM @extschema@.risk_register r
    WHERE r.organization_id = o.organization_id
) rk
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS kpis,
           pg_catalog.count(*) FILTER (WHERE k.status = 'green') AS kpis_green,
           pg_catalog.count(*) FILTER (WHERE k.status = 'amber') AS kpis_amber,
           pg_catalog.count(*) FILTER (WHERE k.status = 'red') AS kpis_red,
           pg_catalog.count(*) FILTER (WHERE k.stale) AS kpis_stale
    FROM @extschema@.kpi_status k
    WHERE k.organization_id = o.organization_id
) kp
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS objectives,
           pg_catalog.count(*) FILTER (WHERE s.achieved) AS objectives_achieved,
           pg_catalog.count(*) FILTER (WHERE s.overdue) AS objectives_overdue
    FROM @extschema@.objective_status s
    WHERE s.organization_id = o.organization_id
) ob
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents_12m,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600) AS mttd_hours_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600) AS mttr_hours_12m,
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct_12m
    FROM @extschema@.incidents i
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= CURRENT_DATE - interval '12 months'
) inc
CROSS JOIN LATERAL (
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.nonconformities n
            WHERE n.organization_id = o.organization_id AND n.closed_on IS NULL) AS nonconformities_open,
           (SELECT pg_catalog.count(*) FROM @extschema@.corrective_actions c
            WHERE c.organization_id = o.organization_id AND c.closed_on IS NULL
              AND c.due_on < CURRENT_DATE) AS corrective_actions_overdue
) nc;

-- Quantitative risk (quant_risk.sql): closed forms, loss_sim and its simulation, the
-- portfolio aggregate, read-outs, the model columns on risks, two views and the charts.
CREATE FUNCTION @extschema@.normal_quantile(p double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'normal_quantile'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.normal_quantile(double precision) IS
'Standard normal quantile of p in (0, 1), Wichura''s AS241 (about 1e-16 relative), the same bits on every platform.';

CREATE FUNCTION @extschema@.lognormal_from_ci(low double precision, high double precision,
                                              confidence double precision DEFAULT 0.9,
                                              OUT mu double precision, OUT sigma double precision)
RETURNS record
AS 'MODULE_PATHNAME', 'lognormal_from_ci'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lognormal_from_ci(double precision, double precision, double precision) IS
'Lognormal loss magnitude whose central confidence interval is (low, high): mu = (ln low + ln high) / 2, '
'sigma = (ln high - ln low) / (2 z), z = normal_quantile((1 + confidence) / 2); 0 < low < high, 0 < confidence < 1.';

CREATE FUNCTION @extschema@.expected_annual_loss(frequency double precision, low double precision,
                                                 high double precision,
                                                 confidence double precision DEFAULT 0.9)
RETURNS double precision
AS 'MODULE_PATHNAME', 'expected_annual_loss'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_annual_loss(double precision, double precision, double precision, double precision) IS
'Expected annual loss (ALE) = frequency x exp(mu + sigma^2 / 2), the lognormal of lognormal_from_ci(low, high, confidence); '
'frequency in [0, 10000] events a year.';

CREATE FUNCTION @extschema@.rosi(ale_before double precision, ale_after double precision, cost double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'rosi'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rosi(double precision, double precision, double precision) IS
'Return on security investment = (ale_before - ale_after - cost) / cost; ALEs >= 0, cost > 0.';

CREATE FUNCTION @extschema@.pert_mean(low double precision, mode double precision, high double precision,
                                      gamma double precision DEFAULT 4)
RETURNS double precision
AS 'MODULE_PATHNAME', 'pert_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pert_mean(double precision, double precision, double precision, double precision) IS
'Mean of the BetaPERT distribution (pyfair): (low + gamma x mode + high) / (gamma + 2), low <= mode <= high.';

-- ---------------------------------------------------------------------------
-- loss_sim: N simulated annual losses of a risk or a portfolio
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.loss_sim;

CREATE FUNCTION @extschema@.loss_sim_in(cstring)
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'loss_sim_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_sim_in(cstring) IS
'Text input of loss_sim: {l1,l2,...}, the losses of years 1..N in year order (1 <= N <= 1000000, finite, >= 0).';

CREATE FUNCTION @extschema@.loss_sim_out(@extschema@.loss_sim)
RETURNS cstring
AS 'MODULE_PATHNAME', 'loss_sim_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_sim_out(@extschema@.loss_sim) IS
'Text output of loss_sim: {l1,l2,...} in year order, each loss shortest-exact (reads back to the same bits).';

CREATE FUNCTION @extschema@.loss_sim_recv(internal)
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'loss_sim_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_sim_recv(internal) IS
'Binary input of loss_sim: int8 version 1, int32 years N, then N finite float8 losses >= 0.';

CREATE FUNCTION @extschema@.loss_sim_send(@extschema@.loss_sim)
RETURNS bytea
AS 'MODULE_PATHNAME', 'loss_sim_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_sim_send(@extschema@.loss_sim) IS
'Binary output of loss_sim: int8 version 1, int32 years, the losses as float8 in year order.';

CREATE TYPE @extschema@.loss_sim (
    INPUT = @extschema@.loss_sim_in,
    OUTPUT = @extschema@.loss_sim_out,
    RECEIVE = @extschema@.loss_sim_recv,
    SEND = @extschema@.loss_sim_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.loss_sim IS
'Simulated annual losses of a risk or a portfolio, one per year in year order; made by simulate_loss, '
'summed by portfolio_loss, read with loss_mean, loss_quantile, loss_expected_shortfall, loss_exceedance, '
'loss_exceedance_curve and loss_exceedance_svg.';

CREATE FUNCTION @extschema@.simulate_loss(frequency double precision, low double precision,
                                          high double precision, years integer, seed bigint,
                                          model text DEFAULT 'poisson')
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'simulate_loss'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
COST 10000;  -- milliseconds a call: so that the planner spreads many risks over parallel workers
COMMENT ON FUNCTION @extschema@.simulate_loss(double precision, double precision, double precision, integer, bigint, text) IS
'years (1..1000000) simulated annual losses: per year Poisson(frequency) events (model ''poisson'', frequency in [0, 10000]) '
'or one event with probability frequency (''bernoulli''), each a lognormal loss with 90 % interval (low, high); '
'xoshiro256** seeded by splitmix64 from seed, the same bits on every platform. Give each risk its own seed (e.g. its id).';

CREATE FUNCTION @extschema@.simulate_loss_pert(frequency_low double precision, frequency_mode double precision,
                                               frequency_high double precision, low double precision,
                                               high double precision, years integer, seed bigint)
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'simulate_loss_pert'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
COST 10000;
COMMENT ON FUNCTION @extschema@.simulate_loss_pert(double precision, double precision, double precision, double precision, double precision, integer, bigint) IS
'As simulate_loss, with each year''s mean number of events drawn from BetaPERT(frequency_low, frequency_mode, '
'frequency_high; gamma 4) and the count from Poisson of that mean.';

CREATE FUNCTION @extschema@.portfolio_loss_add(state @extschema@.loss_sim, sim @extschema@.loss_sim)
RETURNS @extschema@.loss_sim
AS 'MODULE_PATHNAME', 'portfolio_loss_add'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.portfolio_loss_add(@extschema@.loss_sim, @extschema@.loss_sim) IS
'Transition and combine function of portfolio_loss: state + sim year by year (same number of years); NULL sim is skipped.';

CREATE AGGREGATE @extschema@.portfolio_loss(@extschema@.loss_sim) (
    SFUNC = @extschema@.portfolio_loss_add,
    STYPE = @extschema@.loss_sim,
    COMBINEFUNC = @extschema@.portfolio_loss_add,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.portfolio_loss(@extschema@.loss_sim) IS
'Portfolio loss: the year-by-year sum of the simulated annual losses of the rows (all with the same years); '
'NULLs skipped, no rows give NULL.';

CREATE FUNCTION @extschema@.loss_years(sim @extschema@.loss_sim)
RETURNS integer
AS 'MODULE_PATHNAME', 'loss_years'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_years(@extschema@.loss_sim) IS
'Number of simulated years N.';

CREATE FUNCTION @extschema@.loss_mean(sim @extschema@.loss_sim)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loss_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_mean(@extschema@.loss_sim) IS
'Mean annual loss (compensated sum / N), the simulated ALE.';

CREATE FUNCTION @extschema@.loss_quantile(sim @extschema@.loss_sim, q double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loss_quantile'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_quantile(@extschema@.loss_sim, double precision) IS
'Value at risk: the q-quantile (q in [0, 1]) of the annual losses, sorted x[0..N-1], at position q (N - 1) '
'linearly interpolated (as percentile_cont and NumPy''s default).';

CREATE FUNCTION @extschema@.loss_expected_shortfall(sim @extschema@.loss_sim, q double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loss_expected_shortfall'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_expected_shortfall(@extschema@.loss_sim, double precision) IS
'Expected shortfall at q (q in [0, 1]): the mean of the m largest annual losses, m = max(1, N - floor(q N)).';

CREATE FUNCTION @extschema@.loss_exceedance(sim @extschema@.loss_sim, amount double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loss_exceedance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_exceedance(@extschema@.loss_sim, double precision) IS
'Probability that a year''s loss reaches amount: the fraction of the simulated years whose loss is >= amount.';

CREATE FUNCTION @extschema@.loss_exceedance_curve(sim @extschema@.loss_sim, points integer DEFAULT 50,
                                                  OUT loss double precision, OUT probability double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'loss_exceedance_curve'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 50;
COMMENT ON FUNCTION @extschema@.loss_exceedance_curve(@extschema@.loss_sim, integer) IS
'Loss exceedance curve: points rows (2..10000) at loss = max x i / (points - 1), i = 0..points - 1, with '
'probability = loss_exceedance(sim, loss).';

-- ---------------------------------------------------------------------------
-- The model: a risk's frequency and 90 % loss interval, inherent and residual, and the
-- cost of its treatment.  All NULL for a risk that is not quantified.
-- ---------------------------------------------------------------------------

ALTER TABLE @extschema@.risks
    ADD COLUMN inherent_frequency double precision
        CONSTRAINT risks_inherent_frequency_range
        CHECK (inherent_frequency >= 0 AND inherent_frequency <= 10000),
    ADD COLUMN inherent_loss_low double precision,
    ADD COLUMN inherent_loss_high double precision,
    ADD COLUMN residual_frequency double precision
        CONSTRAINT risks_residual_frequency_range
        CHECK (residual_frequency >= 0 AND residual_frequency <= 10000),
    ADD COLUMN residual_loss_low double precision,
    ADD COLUMN residual_loss_high double precision,
    ADD COLUMN treatment_cost double precision
        CONSTRAINT risks_treatment_cost_range
        CHECK (treatment_cost >= 0 AND treatment_cost < 'Infinity'),
    -- NaN compares above every number in SQL, so these reject NaN and infinity too
    ADD CONSTRAINT risks_inherent_loss_interval
        CHECK (inherent_loss_low > 0 AND inherent_loss_high > inherent_loss_low
               AND inherent_loss_high < 'Infinity'),
    ADD CONSTRAINT risks_residual_loss_interval
        CHECK (residual_loss_low > 0 AND residual_loss_high > residual_loss_low
               AND residual_loss_high < 'Infinity'),
    ADD CONSTRAINT risks_inherent_quantified_together
        CHECK (pg_catalog.num_nulls(inherent_frequency, inherent_loss_low, inherent_loss_high) IN (0, 3)),
    ADD CONSTRAINT risks_residual_quantified_together
        CHECK (pg_catalog.num_nulls(residual_frequency, residual_loss_low, residual_loss_high) IN (0, 3)),
    ADD CONSTRAINT risks_residual_needs_inherent
        CHECK (residual_frequency IS NULL OR inherent_frequency IS NOT NULL);
COMMENT ON COLUMN @extschema@.risks.inherent_frequency IS
'Quantified risk: expected loss events a year without the treatment (Poisson mean, 0..10000); NULL when not quantified.';
COMMENT ON COLUMN @extschema@.risks.inherent_loss_low IS
'Quantified risk: lower bound of the 90 % interval of one event''s loss without the treatment (> 0).';
COMMENT ON COLUMN @extschema@.risks.inherent_loss_high IS
'Quantified risk: upper bound of the 90 % interval of one event''s loss without the treatment (> low).';
COMMENT ON COLUMN @extschema@.risks.residual_frequency IS
'Quantified risk: expected loss events a year with the treatment; NULL when the treatment is not quantified.';
COMMENT ON COLUMN @extschema@.risks.residual_loss_low IS
'Quantified risk: lower bound of the 90 % interval of one event''s loss with the treatment (> 0).';
COMMENT ON COLUMN @extschema@.risks.residual_loss_high IS
'Quantified risk: upper bound of the 90 % interval of one event''s loss with the treatment (> low).';
COMMENT ON COLUMN @extschema@.risks.treatment_cost IS
'Annual cost of the risk''s treatment (same currency as the losses, >= 0), for its return on security investment.';

-- Tenants write every column of their risks but the key (tenancy.sql); the new ones too.
GRANT INSERT (inherent_frequency, inherent_loss_low, inherent_loss_high, residual_frequency,
              residual_loss_low, residual_loss_high, treatment_cost),
      UPDATE (inherent_frequency, inherent_loss_low, inherent_loss_high, residual_frequency,
              residual_loss_low, residual_loss_high, treatment_cost)
    ON @extschema@.risks TO ismseval_tenant;

-- ---------------------------------------------------------------------------
-- risk_quantified: per quantified risk, ALE inherent and residual, VaR, ES, ROSI
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.risk_quantified WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       r.risk_id,
       r.title,
       r.treatment,
       r.inherent_frequency,
       r.inherent_loss_low,
       r.inherent_loss_high,
       @extschema@.expected_annual_loss(r.inherent_frequency, r.inherent_loss_low, r.inherent_loss_high) AS ale_inherent,
       r.residual_frequency,
       r.residual_loss_low,
       r.residual_loss_high,
       @extschema@.expected_annual_loss(r.residual_frequency, r.residual_loss_low, r.residual_loss_high) AS ale_residual,
       r.residual_frequency IS NOT NULL AS residual_quantified,
       @extschema@.loss_quantile(s.sim, 0.95) AS var_95,
       @extschema@.loss_quantile(s.sim, 0.99) AS var_99,
       @extschema@.loss_expected_shortfall(s.sim, 0.99) AS es_99,
       r.treatment_cost,
       CASE WHEN r.treatment_cost > 0 AND r.residual_frequency IS NOT NULL
            THEN @extschema@.rosi(
                     @extschema@.expected_annual_loss(r.inherent_frequency, r.inherent_loss_low, r.inherent_loss_high),
                     @extschema@.expected_annual_loss(r.residual_frequency, r.residual_loss_low, r.residual_loss_high),
                     r.treatment_cost)
       END AS rosi
FROM @extschema@.organizations o
JOIN @extschema@.risks r ON r.organization_id = o.organization_id
CROSS JOIN LATERAL (
    SELECT @extschema@.simulate_loss(COALESCE(r.residual_frequency, r.inherent_frequency),
                                     COALESCE(r.residual_loss_low, r.inherent_loss_low),
                                     COALESCE(r.residual_loss_high, r.inherent_loss_high),
                                     10000, r.risk_id) AS sim
) s
WHERE r.inherent_frequency IS NOT NULL;

COMMENT ON VIEW @extschema@.risk_quantified IS
'Quantified risks: expected annual loss (ALE) inherent and residual in closed form, value at risk and expected '
'shortfall of the current annual loss (residual if quantified, else inherent) from 10,000 simulated years seeded '
'by the risk id, and the return on security investment of the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.organization_id IS 'The organization''s key.';
COMMENT ON COLUMN @extschema@.risk_quantified.organization IS 'The organization''s code.';
COMMENT ON COLUMN @extschema@.risk_quantified.risk_id IS 'The risk''s key (also the seed of its simulation).';
COMMENT ON COLUMN @extschema@.risk_quantified.title IS 'The risk''s title.';
COMMENT ON COLUMN @extschema@.risk_quantified.treatment IS 'mitigate, accept, transfer or avoid.';
COMMENT ON COLUMN @extschema@.risk_quantified.inherent_frequency IS 'Loss events a year without the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.inherent_loss_low IS 'Lower bound of the 90 % interval of an event''s loss without the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.inherent_loss_high IS 'Upper bound of the 90 % interval of an event''s loss without the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.ale_inherent IS 'Inherent expected annual loss = frequency x exp(mu + sigma^2 / 2).';
COMMENT ON COLUMN @extschema@.risk_quantified.residual_frequency IS 'Loss events a year with the treatment; NULL if not quantified.';
COMMENT ON COLUMN @extschema@.risk_quantified.residual_loss_low IS 'Lower bound of the 90 % interval of an event''s loss with the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.residual_loss_high IS 'Upper bound of the 90 % interval of an event''s loss with the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.ale_residual IS 'Residual expected annual loss; NULL if the residual is not quantified.';
COMMENT ON COLUMN @extschema@.risk_quantified.residual_quantified IS 'True when var_95, var_99 and es_99 are of the residual loss, false when of the inherent.';
COMMENT ON COLUMN @extschema@.risk_quantified.var_95 IS 'Value at risk 95 %: the 0.95 quantile of 10,000 simulated annual losses.';
COMMENT ON COLUMN @extschema@.risk_quantified.var_99 IS 'Value at risk 99 %: the 0.99 quantile of 10,000 simulated annual losses.';
COMMENT ON COLUMN @extschema@.risk_quantified.es_99 IS 'Expected shortfall 99 %: the mean of the 100 largest of 10,000 simulated annual losses.';
COMMENT ON COLUMN @extschema@.risk_quantified.treatment_cost IS 'Annual cost of the treatment.';
COMMENT ON COLUMN @extschema@.risk_quantified.rosi IS 'Return on security investment = (ale_inherent - ale_residual - cost) / cost; NULL without a residual or a cost > 0.';

-- ---------------------------------------------------------------------------
-- portfolio_loss_exceedance: per organization, the loss exceedance curve of all its
-- quantified risks together
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.portfolio_loss_exceedance WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       p.risk_count,
       c.loss,
       c.probability
FROM @extschema@.organizations o
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risk_count,
           @extschema@.portfolio_loss(
               @extschema@.simulate_loss(COALESCE(r.residual_frequency, r.inherent_frequency),
                                         COALESCE(r.residual_loss_low, r.inherent_loss_low),
                                         COALESCE(r.residual_loss_high, r.inherent_loss_high),
                                         10000, r.risk_id)) AS sim
    FROM @extschema@.risks r
    WHERE r.organization_id = o.organization_id AND r.inherent_frequency IS NOT NULL
) p
CROSS JOIN LATERAL @extschema@.loss_exceedance_curve(p.sim, 50) c;

COMMENT ON VIEW @extschema@.portfolio_loss_exceedance IS
'Loss exceedance curve of each organization''s quantified risks together (residual where quantified, else '
'inherent): 50 rows per organization, from 10,000 simulated years, each risk seeded by its id; none for an '
'organization without quantified risks.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.organization_id IS 'The organization''s key.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.organization IS 'The organization''s code.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.risk_count IS 'Number of quantified risks in the portfolio.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.loss IS 'An annual loss amount: max x i / 49, i = 0..49, max the largest simulated annual loss.';
COMMENT ON COLUMN @extschema@.portfolio_loss_exceedance.probability IS 'Probability that a year''s portfolio loss reaches the amount (fraction of the simulated years).';

GRANT SELECT ON @extschema@.risk_quantified, @extschema@.portfolio_loss_exceedance
    TO ismseval_admin, ismseval_tenant;

-- ---------------------------------------------------------------------------
-- The loss exceedance chart
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.loss_exceedance_svg(sim @extschema@.loss_sim, title text DEFAULT NULL,
                                                unit text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'loss_exceedance_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.loss_exceedance_svg(@extschema@.loss_sim, text, text) IS
'A standalone SVG loss exceedance chart: P(annual loss >= x) on a logarithmic loss axis up to the 99.9 % quantile, with the mean, '
'VaR 95 % and VaR 99 % marked; unit labels the loss axis (e.g. EUR).  NULL sim gives NULL.';

-- The chart of an organization's quantified risks together, as portfolio_loss_exceedance
-- computes them (row-level security applies: NULL for an organization the caller cannot see).
CREATE FUNCTION @extschema@.org_loss_exceedance_svg(organization_id bigint, unit text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT @extschema@.loss_exceedance_svg(
               @extschema@.portfolio_loss(
                   @extschema@.simulate_loss(COALESCE(r.residual_frequency, r.inherent_frequency),
                                             COALESCE(r.residual_loss_low, r.inherent_loss_low),
                                             COALESCE(r.residual_loss_high, r.inherent_loss_high),
                                             10000, r.risk_id)),
               'Loss exceedance: ' || o.name, unit)
    FROM @extschema@.organizations o
    JOIN @extschema@.risks r ON r.organization_id = o.organization_id
    WHERE o.organization_id = org_loss_exceedance_svg.organization_id AND r.inherent_frequency IS NOT NULL
    GROUP BY o.organization_id, o.name;
END;
COMMENT ON FUNCTION @extschema@.org_loss_exceedance_svg(bigint, text) IS
'The loss exceedance chart (loss_exceedance_svg) of an organization''s quantified risks together, titled with its '
'name; the simulation of portfolio_loss_exceedance.  NULL without quantified risks or when the caller cannot see it.';

-- 0.5.0, issue 10 (SQL side): the peer floor counts parties, writes that must agree
-- serialize, releases compute against the newest base and only release_peer_figures
-- writes them, the loader's bad-row path is linear and works in any database encoding,
-- and every trigger function and SECURITY DEFINER function pins search_path.

-- ---------------------------------------------------------------------------
-- 1. The hidden-peer floor counts parties, not organizations.
--
-- One customer mapped through two tenant roles (one organization under the first, six
-- under the second) plus one unmapped organization: the first role's login saw 7 hidden
-- peers and got the figures; the customer knows its six, so 7 x mean - their sum gave the
-- eighth organization's values. A party is the unit a release counts (peer_unit: the
-- lowest tenant role mapped to the organization, else the organization): a figure is
-- shown to a tenant only when at least ismseval.min_peer_group parties stand behind it
-- among the peers the session cannot see, and when the hidden peers outside any one of
-- those parties do not all share one value (a reader that knows one hidden party, such as
-- its own customer's other role, would otherwise learn every other hidden peer's value;
-- this also covers a unanimous group).
-- ---------------------------------------------------------------------------

-- The peers of an organization's item (kind, item_id, peer group) in a release that the
-- session cannot see (not the organization, not in visible), each with its unit as peer_unit
-- defines it (written out here: inlined into the caller's query, it costs an index probe per
-- peer instead of a function call).
CREATE FUNCTION @extschema@.peer_release_hidden_peers(release_id bigint, organization_id bigint, framework_id bigint,
                                                      kind text, item_id bigint, peer_group text, visible bigint[])
RETURNS TABLE(organization_id bigint, value double precision, unit text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT g.organization_id, g.value, u.unit
    FROM @extschema@.peer_release_figures g
    CROSS JOIN LATERAL @extschema@.peer_unit(g.organization_id) u
    WHERE g.release_id = peer_release_hidden_peers.release_id AND g.framework_id = peer_release_hidden_peers.framework_id
      AND g.kind = peer_release_hidden_peers.kind AND g.item_id = peer_release_hidden_peers.item_id
      AND g.peer_group = peer_release_hidden_peers.peer_group
      AND g.organization_id <> peer_release_hidden_peers.organization_id
      AND g.organization_id <> ALL (peer_release_hidden_peers.visible);
END;
COMMENT ON FUNCTION @extschema@.peer_release_hidden_peers(bigint, bigint, bigint, text, bigint, text, bigint[]) IS
'The peers of an organization''s item in a release outside the visible organizations, with their value and unit (peer_unit: the lowest tenant role mapped, else the organization).';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_release_hidden_peers(bigint, bigint, bigint, text, bigint, text, bigint[]) FROM PUBLIC;

-- True when a tenant may be shown the figure of an item of an organization in a release: at
-- least k parties among the hidden peers, and outside any one of those parties the hidden peers
-- do not all share one value. The hidden peers are read in value order (the item's index),
-- stopping early: the parties until k are found; and since a party outside which all hidden
-- peers share one value v holds every hidden peer of another value, it is the party of the
-- lowest or of the highest hidden peer (one of them differs from v), so only those two are tried.
CREATE FUNCTION @extschema@.peer_release_item_shown(release_id bigint, organization_id bigint, framework_id bigint,
                                                    kind text, item_id bigint, peer_group text, visible bigint[],
                                                    k integer)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
-- its statements are the same for every item but their parameters: planned once, not per call
SET plan_cache_mode = force_generic_plan AS
$$
DECLARE
    parties     text[] := '{}';
    unit        text;
    lowest      text;
    vmin_l      double precision;
    vmax_l      double precision;
    vmin_h      double precision;
    vmax_h      double precision;
BEGIN
    FOR unit IN
        SELECT h.unit FROM @extschema@.peer_release_hidden_peers(release_id, organization_id, framework_id, kind,
                                                                 item_id, peer_group, visible) h
        ORDER BY h.value
    LOOP
        lowest := COALESCE(lowest, unit);
        IF unit <> ALL (parties) THEN
            parties := parties || unit;
            EXIT WHEN pg_catalog.cardinality(parties) >= k;
        END IF;
    END LOOP;
    IF pg_catalog.cardinality(parties) < k THEN
        RETURN false;
    END IF;
    -- the lowest and highest hidden values outside the party of the lowest and outside the
    -- party of the highest hidden peer, in one statement
    SELECT (SELECT h.value FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
            WHERE h.unit <> lowest ORDER BY h.value LIMIT 1),
           (SELECT h.value FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
            WHERE h.unit <> lowest ORDER BY h.value DESC LIMIT 1),
           (SELECT h.value FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
            WHERE h.unit <> t.highest ORDER BY h.value LIMIT 1),
           (SELECT h.value FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
            WHERE h.unit <> t.highest ORDER BY h.value DESC LIMIT 1)
    INTO vmin_l, vmax_l, vmin_h, vmax_h
    FROM (SELECT (SELECT h.unit FROM @extschema@.peer_release_hidden_peers(
                   release_id, organization_id, framework_id, kind, item_id, peer_group, visible) h
                  ORDER BY h.value DESC LIMIT 1) AS highest) t;
    RETURN COALESCE(vmin_l < vmax_l AND vmin_h < vmax_h, false);
END
$$;
COMMENT ON FUNCTION @extschema@.peer_release_item_shown(bigint, bigint, bigint, text, bigint, text, bigint[], integer) IS
'True when a tenant may be shown an organization''s figure of an item in a release: at least k parties (units: a tenant role, or an unmapped organization) among the peers outside the visible organizations, and outside any one of those parties the hidden peers do not all share one value.';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_release_item_shown(bigint, bigint, bigint, text, bigint, text, bigint[], integer) FROM PUBLIC;

-- The organization's published figures of one kind in the latest release, those the caller
-- may get. Score figures (domains and total) come all or none: the total is the domains
-- combined, so withholding one domain alone would not hide it.
CREATE OR REPLACE FUNCTION @extschema@.peer_release_rows(organization_id bigint, framework_id bigint, kind text)
RETURNS SETOF @extschema@.peer_release_figures
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    caller      regrole := @extschema@.calling_role();
    is_admin    boolean := @extschema@.peer_access(caller, organization_id);
    visible     bigint[] := ARRAY(SELECT @extschema@.session_visible_organizations(caller));
    k           integer := pg_catalog.current_setting('ismseval.min_peer_group')::integer;
    rel         bigint := (SELECT pg_catalog.max(r.release_id) FROM @extschema@.peer_releases r);
    kinds       text[] := CASE WHEN kind = 'question' THEN ARRAY['question'] ELSE ARRAY['domain', 'total'] END;
BEGIN
    RETURN QUERY
    WITH figs AS (
        SELECT f.* FROM @extschema@.peer_release_figures f
        WHERE f.release_id = rel AND f.organization_id = peer_release_rows.organization_id
          AND f.framework_id = peer_release_rows.framework_id AND f.kind = ANY (kinds)
    ), shown AS (
        -- administrators, who read every row anyway: the plain floor; tenants: by parties
        SELECT f.kind, f.item_id,
               f.peer_count >= k
               AND (is_admin OR @extschema@.peer_release_item_shown(rel, f.organization_id, f.framework_id, f.kind,
                                                                   f.item_id, f.peer_group, visible, k)) AS ok
        FROM figs f
    )
    SELECT f.* FROM figs f JOIN shown s ON s.kind = f.kind AND s.item_id = f.item_id
    WHERE f.kind = peer_release_rows.kind
      AND CASE WHEN f.kind = 'question' THEN s.ok
               -- a score figure: it and every other score figure of the organization shown
               ELSE NOT EXISTS (SELECT FROM shown t WHERE NOT t.ok) END;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_release_rows(bigint, bigint, text) IS
'The organization''s rows of the latest peer release of a framework and kind that the calling role may get (42501 for an organization it may not see): for an administrator those with at least ismseval.min_peer_group peers; for a tenant those with at least that many parties among the peers it cannot see, not all of one value outside any one party (peer_release_item_shown); score figures all or none.';

-- Replaced by peer_release_item_shown, which counts parties.
DROP FUNCTION @extschema@.peer_release_figure_shown(@extschema@.peer_release_figures, boolean, bigint[]);

-- ---------------------------------------------------------------------------
-- 2a. A risk and its organization's matrix: the writes serialize on the organization's
-- row. A risk write takes a share lock on the row (FOR SHARE) before it reads the matrix,
-- so a concurrent matrix change (which updates the row) waits for the risk's transaction
-- and then sees the risk, or the risk waits for the change and sees the new matrix
-- (under REPEATABLE READ or SERIALIZABLE it fails with 40001 instead). A matrix that
-- shrinks is refused outside READ COMMITTED: there its check would read the risks as of
-- the transaction's snapshot and miss a risk committed since.
-- ---------------------------------------------------------------------------

-- Checks a risk's ratings against its organization's matrix and its threat's owner.
CREATE OR REPLACE FUNCTION @extschema@.risks_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    m           @extschema@.risk_matrix;
    nlik        integer;
    nimp        integer;
    threat      record;
BEGIN
    -- the share lock serializes this write with a change of the organization's matrix
    SELECT o.risk_matrix INTO m FROM @extschema@.organizations o
    WHERE o.organization_id = NEW.organization_id
    FOR SHARE OF o;
    IF m IS NOT NULL THEN
        nlik := @extschema@.risk_matrix_likelihood_size(m);
        nimp := @extschema@.risk_matrix_impact_size(m);
        IF NEW.likelihood < 1 OR NEW.likelihood > nlik THEN
            RAISE EXCEPTION 'likelihood of risk "%" must be between 1 and % (the organization''s risk matrix), got %',
                NEW.title, nlik, NEW.likelihood USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.impact < 1 OR NEW.impact > nimp THEN
            RAISE EXCEPTION 'impact of risk "%" must be between 1 and % (the organization''s risk matrix), got %',
                NEW.title, nimp, NEW.impact USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.threat_id IS NOT NULL THEN
        SELECT t.organization_id INTO threat FROM @extschema@.threats t WHERE t.threat_id = NEW.threat_id;
        IF NOT FOUND THEN
            -- for a tenant, another tenant's threat is invisible and reported the same way
            RAISE EXCEPTION 'threat % of risk "%" does not exist', NEW.threat_id, NEW.title
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF threat.organization_id <> NEW.organization_id THEN
            RAISE EXCEPTION 'threat % of risk "%" belongs to another organization', NEW.threat_id, NEW.title
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.risks_check() IS
'Trigger: likelihood and impact lie on the organization''s risk matrix (read under a share lock on the organization''s row, so a concurrent matrix change waits or is waited for); the threat is shared or the organization''s own.';

-- Rejects a new risk matrix that existing risks of the organization do not fit.
CREATE OR REPLACE FUNCTION @extschema@.organizations_matrix_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    bad record;
BEGIN
    -- The row is locked for this update before the trigger runs: risk writes of the
    -- organization have committed or wait. Under READ COMMITTED the query below reads
    -- them; a snapshot-bound transaction would miss those committed since it began.
    IF (@extschema@.risk_matrix_likelihood_size(NEW.risk_matrix) < @extschema@.risk_matrix_likelihood_size(OLD.risk_matrix)
        OR @extschema@.risk_matrix_impact_size(NEW.risk_matrix) < @extschema@.risk_matrix_impact_size(OLD.risk_matrix))
       AND pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the risk matrix of organization % can only shrink in a READ COMMITTED transaction', NEW.code
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = pg_catalog.format('This transaction is %s: its check would not see risks committed since it began.',
                                             pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
                  HINT = 'Change the matrix in a READ COMMITTED transaction (the default).';
    END IF;
    SELECT r.title, r.likelihood, r.impact INTO bad
    FROM @extschema@.risks r
    WHERE r.organization_id = NEW.organization_id
      AND (r.likelihood > @extschema@.risk_matrix_likelihood_size(NEW.risk_matrix)
           OR r.impact > @extschema@.risk_matrix_impact_size(NEW.risk_matrix))
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the new risk matrix of organization % does not fit risk "%" (likelihood %, impact %)',
            NEW.code, bad.title, bad.likelihood, bad.impact
            USING ERRCODE = 'check_violation', HINT = 'Re-rate the risks first.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.organizations_matrix_check() IS
'Trigger: an organization''s risk matrix can only shrink to a size its risks still fit, and only in a READ COMMITTED transaction (the check must see every committed risk).';

-- The views never fail on stored data: a risk outside its organization's matrix (left by
-- 0.4.0's race, or written with triggers disabled) gets NULL levels, colours, ranks and
-- within_tolerance instead of a 22003 error for every reader of the organization.
CREATE OR REPLACE VIEW @extschema@.risk_register WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       r.risk_id,
       r.title,
       a.name AS asset,
       a.location AS asset_location,
       a.asset_value,
       t.code AS threat_code,
       t.name AS threat,
       r.likelihood,
       r.impact,
       @extschema@.risk_score(r.likelihood, r.impact) AS inherent_score,
       CASE WHEN cell.on_matrix THEN @extschema@.risk_level(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level,
       CASE WHEN cell.on_matrix THEN @extschema@.risk_level_rank(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level_rank,
       CASE WHEN cell.on_matrix THEN @extschema@.risk_color(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_color,
       r.control_effectiveness,
       res.residual_score,
       lv.name AS residual_level,
       res.residual_rank AS residual_level_rank,
       lv.color AS residual_color,
       o.risk_tolerance AS tolerance_level,
       res.residual_rank <= @extschema@.risk_level_rank(o.risk_matrix, o.risk_tolerance) AS within_tolerance,
       r.treatment,
       r.owner,
       r.acceptance_expires,
       (r.treatment = 'accept' AND r.acceptance_expires < CURRENT_DATE) AS acceptance_expired,
       r.identified_on
FROM @extschema@.organizations o
JOIN @extschema@.risks r ON r.organization_id = o.organization_id
LEFT JOIN @extschema@.assets a ON a.asset_id = r.asset_id
LEFT JOIN @extschema@.threats t ON t.threat_id = r.threat_id
CROSS JOIN LATERAL (
    SELECT r.likelihood BETWEEN 1 AND @extschema@.risk_matrix_likelihood_size(o.risk_matrix)
           AND r.impact BETWEEN 1 AND @extschema@.risk_matrix_impact_size(o.risk_matrix) AS on_matrix
) cell
CROSS JOIN LATERAL (
    SELECT s.residual_score,
           CASE WHEN cell.on_matrix
                THEN @extschema@.residual_level_rank(o.risk_matrix, r.likelihood, r.impact, s.residual_score) END
               AS residual_rank
    FROM (SELECT @extschema@.residual_risk(@extschema@.risk_score(r.likelihood, r.impact)::double precision,
                                           r.control_effectiveness) AS residual_score) s
) res
LEFT JOIN LATERAL (
    SELECT l.name, l.color FROM @extschema@.risk_matrix_levels(o.risk_matrix) l WHERE l.rank = res.residual_rank
) lv ON true;
COMMENT ON VIEW @extschema@.risk_register IS
'The risk register: inherent score and level on the organization''s risk matrix, residual score = inherent x (1 - control effectiveness) and its level, tolerance and acceptance expiry. A risk outside its organization''s matrix (stored with the checks bypassed) has NULL levels, colours, ranks and within_tolerance.';

-- ---------------------------------------------------------------------------
-- 2b, 2c. Releases. release_peer_figures refuses a snapshot-bound transaction: under
-- REPEATABLE READ or SERIALIZABLE its snapshot predates its lock, so a release that
-- waited for another would compute against a stale base, and two consecutive releases
-- would differ by one party's change. It is SECURITY DEFINER, and nobody else may insert
-- releases or figures: an administrator could otherwise insert an empty newest release,
-- after which the next release would publish every current value at once.
-- ---------------------------------------------------------------------------

-- Publishes a release (see peer_release.sql); returns its id.
-- (issue 11) its steps are functions of their own, each checkable alone
-- ---------------------------------------------------------------------------
-- The steps of a release, in the order release_peer_figures runs them under its lock.
-- Each reads and writes work tables pg_temp.ismseval_rel_* (dropped at commit), so a
-- step can be run and checked alone on tables made by hand. They run as the caller:
-- only release_peer_figures (SECURITY DEFINER) may write the release tables.
-- ---------------------------------------------------------------------------

-- Step 1, inputs: every organization's current values (ismseval_rel_cur), the figures of
-- release prev (ismseval_rel_base), and the unit of every organization in either
-- (ismseval_rel_units).
CREATE FUNCTION @extschema@.release_stage_inputs(prev bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    CREATE TEMP TABLE pg_temp.ismseval_rel_cur ON COMMIT DROP AS SELECT * FROM @extschema@.peer_current_values();
    CREATE TEMP TABLE pg_temp.ismseval_rel_base ON COMMIT DROP AS
    SELECT f.organization_id, f.framework_id, f.kind, f.item_id, f.peer_group, f.value, f.published_in,
           f.published_at
    FROM @extschema@.peer_release_figures f WHERE f.release_id = prev;
    -- An organization that moved to another peer group counts there only once its old
    -- group no longer holds it (which takes as many changed units there as any change).
    DELETE FROM pg_temp.ismseval_rel_cur c
    WHERE EXISTS (SELECT FROM pg_temp.ismseval_rel_base b
                  WHERE b.organization_id = c.organization_id AND b.framework_id = c.framework_id
                    AND b.peer_group <> c.peer_group);
    -- statistics for the planner: without them it nests loops over these tables
    ANALYZE pg_temp.ismseval_rel_cur;
    ANALYZE pg_temp.ismseval_rel_base;

    -- The unit of every organization with a value now or in the last release, looked up once.
    CREATE TEMP TABLE pg_temp.ismseval_rel_units ON COMMIT DROP AS
    SELECT o.organization_id, u.unit
    FROM (SELECT c.organization_id FROM pg_temp.ismseval_rel_cur c
          UNION SELECT b.organization_id FROM pg_temp.ismseval_rel_base b) o
    CROSS JOIN LATERAL @extschema@.peer_unit(o.organization_id) u;
    ANALYZE pg_temp.ismseval_rel_units;
END
$$;
COMMENT ON FUNCTION @extschema@.release_stage_inputs(bigint) IS
'Release step 1: work tables of the current values, the figures of release prev (the base) and each organization''s unit.';
REVOKE EXECUTE ON FUNCTION @extschema@.release_stage_inputs(bigint) FROM PUBLIC;

-- Step 2, what changed since the base: score members of each peer group and framework
-- now and before (ismseval_rel_members); per domain the changed units of staying members
-- and with those joining or leaving (ismseval_rel_domains); per group whether it is new
-- and whether its members may change, which takes need units in every domain
-- (ismseval_rel_groups).
CREATE FUNCTION @extschema@.release_stage_changes(need integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    -- Score members per peer group and framework: now (complete) and in the last release.
    CREATE TEMP TABLE pg_temp.ismseval_rel_members ON COMMIT DROP AS
    SELECT x.peer_group, x.framework_id, x.organization_id,
           pg_catalog.bool_or(x.now) AS now, pg_catalog.bool_or(NOT x.now) AS before,
           pg_catalog.min(u.unit) AS unit
    FROM (SELECT DISTINCT c.peer_group, c.framework_id, c.organization_id, true AS now
          FROM pg_temp.ismseval_rel_cur c WHERE c.kind = 'domain'
          UNION ALL
          SELECT b.peer_group, b.framework_id, b.organization_id, false
          FROM pg_temp.ismseval_rel_base b WHERE b.kind = 'total') x
    JOIN pg_temp.ismseval_rel_units u ON u.organization_id = x.organization_id
    GROUP BY x.peer_group, x.framework_id, x.organization_id;
    ANALYZE pg_temp.ismseval_rel_members;

    -- Per domain: the units of staying members that changed its mean, and with the
    -- joining and leaving units.
    CREATE TEMP TABLE pg_temp.ismseval_rel_domains ON COMMIT DROP AS
    WITH doms AS (
        SELECT DISTINCT c.peer_group, c.framework_id, c.item_id FROM pg_temp.ismseval_rel_cur c WHERE c.kind = 'domain'
        UNION
        SELECT DISTINCT b.peer_group, b.framework_id, b.item_id FROM pg_temp.ismseval_rel_base b WHERE b.kind = 'domain'
    ), changed AS (
        SELECT m.peer_group, m.framework_id, d.item_id, m.unit
        FROM pg_temp.ismseval_rel_members m
        JOIN doms d ON d.peer_group = m.peer_group AND d.framework_id = m.framework_id
        LEFT JOIN pg_temp.ismseval_rel_cur c ON c.kind = 'domain' AND c.organization_id = m.organization_id
         AND c.framework_id = m.framework_id AND c.item_id = d.item_id
        LEFT JOIN pg_temp.ismseval_rel_base b ON b.kind = 'domain' AND b.organization_id = m.organization_id
         AND b.framework_id = m.framework_id AND b.item_id = d.item_id AND b.peer_group = m.peer_group
        WHERE m.now AND m.before AND c.value IS DISTINCT FROM b.value
    ), moved AS (
        SELECT m.peer_group, m.framework_id, m.unit FROM pg_temp.ismseval_rel_members m WHERE m.now <> m.before
    )
    SELECT d.peer_group, d.framework_id, d.item_id,
           pg_catalog.count(DISTINCT u.unit) FILTER (WHERE u.staying) AS stay_units,
           pg_catalog.count(DISTINCT u.unit) AS all_units
    FROM doms d
    LEFT JOIN (SELECT ch.peer_group, ch.framework_id, ch.item_id, ch.unit, true AS staying FROM changed ch
               UNION ALL
               SELECT dm.peer_group, dm.framework_id, dm.item_id, mv.unit, false
               FROM moved mv JOIN doms dm ON dm.peer_group = mv.peer_group AND dm.framework_id = mv.framework_id) u
      ON u.peer_group = d.peer_group AND u.framework_id = d.framework_id AND u.item_id = d.item_id
    GROUP BY d.peer_group, d.framework_id, d.item_id;
    ANALYZE pg_temp.ismseval_rel_domains;

    -- Per peer group and framework: first publication, and whether members may join or leave.
    CREATE TEMP TABLE pg_temp.ismseval_rel_groups ON COMMIT DROP AS
    SELECT g.peer_group, g.framework_id,
           NOT pg_catalog.bool_or(g.before) AS first,
           pg_catalog.bool_or(g.now <> g.before) AS moved,
           (SELECT pg_catalog.min(d.all_units) FROM pg_temp.ismseval_rel_domains d
            WHERE d.peer_group = g.peer_group AND d.framework_id = g.framework_id) >= need AS members_change
    FROM pg_temp.ismseval_rel_members g
    GROUP BY g.peer_group, g.framework_id;
    ANALYZE pg_temp.ismseval_rel_groups;
END
$$;
COMMENT ON FUNCTION @extschema@.release_stage_changes(integer) IS
'Release step 2: score members now and before, changed units per domain, and per peer group whether it is new and whether its members may change (need units in every domain).';
REVOKE EXECUTE ON FUNCTION @extschema@.release_stage_changes(integer) FROM PUBLIC;

-- Step 3, the values to publish (ismseval_rel_values): domain means, totals, small
-- questions; an item takes current values only where need units changed it, else it keeps
-- the base's values with their publication (release rid at rat otherwise).
CREATE FUNCTION @extschema@.release_stage_values(need integer, rid bigint, rat timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    -- The published domain means: current ones where the domain (or the membership) may
    -- change, the last release's otherwise; members: now's, or the last release's.
    CREATE TEMP TABLE pg_temp.ismseval_rel_values ON COMMIT DROP AS
    SELECT m.peer_group, m.framework_id, 'domain'::text AS kind, d.item_id, m.organization_id,
           CASE WHEN r.regroup OR (r.renew AND m.now) THEN c.value ELSE b.value END AS value,
           CASE WHEN r.regroup OR r.renew THEN rid ELSE b.published_in END AS published_in,
           CASE WHEN r.regroup OR r.renew THEN rat ELSE b.published_at END AS published_at
    FROM pg_temp.ismseval_rel_members m
    JOIN pg_temp.ismseval_rel_groups g ON g.peer_group = m.peer_group AND g.framework_id = m.framework_id
    JOIN pg_temp.ismseval_rel_domains d ON d.peer_group = m.peer_group AND d.framework_id = m.framework_id
    LEFT JOIN pg_temp.ismseval_rel_cur c ON c.kind = 'domain' AND c.organization_id = m.organization_id
     AND c.framework_id = m.framework_id AND c.item_id = d.item_id
    LEFT JOIN pg_temp.ismseval_rel_base b ON b.kind = 'domain' AND b.organization_id = m.organization_id
     AND b.framework_id = m.framework_id AND b.item_id = d.item_id AND b.peer_group = m.peer_group
    -- regroup: the group is new, or its members change (then now's members are published);
    -- renew: enough staying units changed the domain
    CROSS JOIN LATERAL (SELECT g.first OR (g.moved AND g.members_change) AS regroup,
                               d.stay_units >= need AS renew) r
    WHERE CASE WHEN r.regroup THEN m.now ELSE m.before END;
    DELETE FROM pg_temp.ismseval_rel_values v WHERE v.value IS NULL;   -- a domain new to the framework, kept back
    ANALYZE pg_temp.ismseval_rel_values;

    -- The totals: sum over domains of large questions x published domain mean.
    INSERT INTO pg_temp.ismseval_rel_values
    SELECT v.peer_group, v.framework_id, 'total', 0, v.organization_id,
           pg_catalog.sum(nq.n * v.value), pg_catalog.max(v.published_in), pg_catalog.max(v.published_at)
    FROM pg_temp.ismseval_rel_values v
    JOIN (SELECT q.domain_id, pg_catalog.count(*) AS n FROM @extschema@.questions q WHERE q.scored
          GROUP BY q.domain_id) nq ON nq.domain_id = v.item_id
    GROUP BY v.peer_group, v.framework_id, v.organization_id;

    -- Small questions: new answers where enough units changed them, else the last release's.
    INSERT INTO pg_temp.ismseval_rel_values
    WITH j AS (
        SELECT COALESCE(c.peer_group, b.peer_group) AS peer_group,
               COALESCE(c.framework_id, b.framework_id) AS framework_id,
               COALESCE(c.item_id, b.item_id) AS item_id,
               COALESCE(c.organization_id, b.organization_id) AS organization_id,
               c.value AS now_value, b.value AS before_value, b.published_in, b.published_at,
               c.value IS DISTINCT FROM b.value AS changed
        FROM (SELECT * FROM pg_temp.ismseval_rel_cur WHERE kind = 'question') c
        FULL JOIN (SELECT * FROM pg_temp.ismseval_rel_base WHERE kind = 'question') b
          ON b.organization_id = c.organization_id AND b.framework_id = c.framework_id
         AND b.item_id = c.item_id AND b.peer_group = c.peer_group
    ), items AS (
        SELECT j.peer_group, j.framework_id, j.item_id,
               -- kept: published before, and too few units changed it since
               pg_catalog.bool_or(j.before_value IS NOT NULL)
               AND pg_catalog.count(DISTINCT u.unit) FILTER (WHERE j.changed) < need AS kept
        FROM j JOIN pg_temp.ismseval_rel_units u ON u.organization_id = j.organization_id
        GROUP BY j.peer_group, j.framework_id, j.item_id
    )
    SELECT j.peer_group, j.framework_id, 'question', j.item_id, j.organization_id,
           CASE WHEN i.kept THEN j.before_value ELSE j.now_value END,
           CASE WHEN i.kept THEN j.published_in ELSE rid END,
           CASE WHEN i.kept THEN j.published_at ELSE rat END
    FROM j JOIN items i ON i.peer_group = j.peer_group AND i.framework_id = j.framework_id AND i.item_id = j.item_id
    WHERE CASE WHEN i.kept THEN j.before_value ELSE j.now_value END IS NOT NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.release_stage_values(integer, bigint, timestamptz) IS
'Release step 3: the values release rid publishes: domain means, totals (sum of large questions x domain mean) and small answers, current where need units changed them, else the base''s.';
REVOKE EXECUTE ON FUNCTION @extschema@.release_stage_values(integer, bigint, timestamptz) FROM PUBLIC;

-- Step 4, the figures of release rid: every organization's value among the others of its
-- item (peer count, mean, population sd without it, below / equal / above).
CREATE FUNCTION @extschema@.release_write_figures(rid bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    -- The figures of every organization among the others of its item.
    INSERT INTO @extschema@.peer_release_figures
    SELECT rid, s.organization_id, s.framework_id, s.kind, s.item_id, s.peer_group, s.value,
           s.n - 1,
           (s.total - s.value) / NULLIF(s.n - 1, 0),
           @extschema@.peer_stddev_without(s.value, s.n, s.mean, s.m2,
                                           s.distinct_values - CASE WHEN s.equal = 1 THEN 1 ELSE 0 END),
           s.below, s.equal - 1, s.n - s.below - s.equal,
           s.published_in, s.published_at
    FROM (
        SELECT v.*,
               pg_catalog.count(*) OVER w AS n,
               pg_catalog.sum(v.value) OVER w AS total,
               pg_catalog.max(v.value_rank) OVER w AS distinct_values,
               g.mean, g.m2,
               pg_catalog.rank() OVER (w ORDER BY v.value) - 1 AS below,
               pg_catalog.count(*) OVER (PARTITION BY v.peer_group, v.framework_id, v.kind, v.item_id, v.value)
                   AS equal
        FROM (SELECT x.*, pg_catalog.dense_rank() OVER (PARTITION BY x.peer_group, x.framework_id, x.kind, x.item_id
                                                        ORDER BY x.value) AS value_rank
              FROM pg_temp.ismseval_rel_values x) v
        JOIN (
            -- each item's mean and sum of squared deviations, in two passes
            SELECT a.peer_group, a.framework_id, a.kind, a.item_id, a.mean,
                   pg_catalog.sum((y.value - a.mean) * (y.value - a.mean)) AS m2
            FROM (SELECT peer_group, framework_id, kind, item_id, pg_catalog.avg(value) AS mean
                  FROM pg_temp.ismseval_rel_values GROUP BY 1, 2, 3, 4) a
            JOIN pg_temp.ismseval_rel_values y USING (peer_group, framework_id, kind, item_id)
            GROUP BY a.peer_group, a.framework_id, a.kind, a.item_id, a.mean
        ) g ON g.peer_group = v.peer_group AND g.framework_id = v.framework_id AND g.kind = v.kind
           AND g.item_id = v.item_id
        WINDOW w AS (PARTITION BY v.peer_group, v.framework_id, v.kind, v.item_id)
    ) s;
END
$$;
COMMENT ON FUNCTION @extschema@.release_write_figures(bigint) IS
'Release step 4: writes the figures of release rid from the published values: per organization and item, its value among the others (count, mean, sd, below, equal, above).';
REVOKE EXECUTE ON FUNCTION @extschema@.release_write_figures(bigint) FROM PUBLIC;


CREATE OR REPLACE FUNCTION @extschema@.release_peer_figures(note text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    need    integer;
    rid     bigint;
    rat     timestamptz;
    prev    bigint;
BEGIN
    -- Under READ COMMITTED every statement below takes a new snapshot, so what follows
    -- the lock sees the newest release and data at least as new.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'release_peer_figures must run in a READ COMMITTED transaction'
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = pg_catalog.format('This transaction is %s: its snapshot would predate the release lock, and a release that waited for another would compute against a stale base.',
                                             pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
                  HINT = 'Call it in a READ COMMITTED transaction (the default).';
    END IF;
    -- loads the module, which defines ismseval.min_peer_group, in a session that has not yet
    PERFORM @extschema@.calling_role();
    need := pg_catalog.current_setting('ismseval.min_peer_group')::integer + 1;
    LOCK TABLE @extschema@.peer_releases IN SHARE ROW EXCLUSIVE MODE;  -- one release at a time
    SELECT pg_catalog.max(r.release_id) INTO prev FROM @extschema@.peer_releases r;
    INSERT INTO @extschema@.peer_releases (min_changed, note) VALUES (need, note)
    RETURNING release_id, released_at INTO rid, rat;

    PERFORM @extschema@.release_stage_inputs(prev);
    PERFORM @extschema@.release_stage_changes(need);
    PERFORM @extschema@.release_stage_values(need, rid, rat);
    PERFORM @extschema@.release_write_figures(rid);

    DROP TABLE pg_temp.ismseval_rel_cur, pg_temp.ismseval_rel_base, pg_temp.ismseval_rel_units,
               pg_temp.ismseval_rel_members, pg_temp.ismseval_rel_domains,
               pg_temp.ismseval_rel_groups, pg_temp.ismseval_rel_values;
    -- fresh statistics, so that a dashboard's lookup by organization takes the primary key
    -- (the function runs as the table's owner, which may)
    ANALYZE @extschema@.peer_release_figures;
    RETURN rid;
END
$$;
COMMENT ON FUNCTION @extschema@.release_peer_figures(text) IS
'Publishes a release of peer figures from every organization''s latest organization-wide assessments; an item takes new values only when more than ismseval.min_peer_group units (tenant roles, unmapped organizations) changed it (see the README, Peer releases). Returns the release id. Administrators only; READ COMMITTED only (a snapshot older than its lock would compute against a stale base); the only way to add releases (SECURITY DEFINER).';

-- Only release_peer_figures (running as the owner) adds releases and figures.
REVOKE INSERT ON @extschema@.peer_releases, @extschema@.peer_release_figures FROM ismseval_admin;
REVOKE USAGE ON SEQUENCE @extschema@.peer_releases_release_id_seq FROM ismseval_admin;

-- ---------------------------------------------------------------------------
-- 3, 4. The loader. The bad-row path looked each staged row up by a sequential scan
-- (quadratic in the rows of the file); the staging table now has a primary key on the
-- line. The header's byte-order mark was U&'\FEFF', which a database in another encoding
-- cannot even parse; it is now recognised by its bytes.
-- ---------------------------------------------------------------------------

-- Strips a leading UTF-8 byte-order mark (bytes EF BB BF): in a UTF8 database the character
-- U+FEFF, in a single-byte encoding (LATIN1, ...) the three characters those bytes read as.
CREATE FUNCTION @extschema@.csv_strip_bom(line text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN (pg_catalog.getdatabaseencoding() = 'UTF8'
                  OR pg_catalog.pg_encoding_max_length(pg_catalog.pg_char_to_encoding(pg_catalog.getdatabaseencoding())) = 1)
                 AND pg_catalog.substr(pg_catalog.convert_to(line, pg_catalog.getdatabaseencoding()), 1, 3)
                     = pg_catalog.decode('efbbbf', 'hex')
            THEN pg_catalog.convert_from(pg_catalog.substr(pg_catalog.convert_to(line, pg_catalog.getdatabaseencoding()), 4),
                                         pg_catalog.getdatabaseencoding())
            ELSE line END;
COMMENT ON FUNCTION @extschema@.csv_strip_bom(text) IS
'The line without a leading UTF-8 byte-order mark (bytes EF BB BF in the database encoding: U+FEFF in UTF8, three characters in a single-byte encoding); works in any database encoding.';

-- Splits a CSV header line into column names (quotes removed, "" unescaped).
CREATE OR REPLACE FUNCTION @extschema@.csv_header_columns(header text)
RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.array_agg(
               CASE WHEN m[1] LIKE '"%' THEN pg_catalog.replace(pg_catalog.substr(m[1], 2, pg_catalog.length(m[1]) - 2), '""', '"')
                    ELSE pg_catalog.btrim(m[1]) END
               ORDER BY n)
    FROM pg_catalog.regexp_matches(@extschema@.csv_strip_bom(pg_catalog.rtrim(header, E'\r')) || ',',
                                   '\s*("(?:[^"]|"")*"|[^,]*)\s*,', 'g')
         WITH ORDINALITY AS r(m, n);
END;

CREATE OR REPLACE FUNCTION @extschema@.load_csv(table_name text, path text)
RETURNS bigint
LANGUAGE plpgsql AS
$$
DECLARE
    target      regclass;
    header      text;
    cols        text[];
    col         text;
    coltype     text;
    attrs       record;
    stage_cols  text := '';
    insert_cols text := '';
    select_list text := '';
    ins_sql     text;
    n_rows      bigint;
    bad_line    bigint;
    err_state   text;
    err_msg     text;
    err_detail  text;
    err_context text;
BEGIN
    IF table_name IS NULL OR path IS NULL THEN
        RAISE EXCEPTION 'load_csv: table_name and path must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.loadable_tables() l WHERE l.table_name = load_csv.table_name) THEN
        RAISE EXCEPTION 'load_csv: table_name must be one of the model tables (%), got "%"',
            (SELECT pg_catalog.string_agg(l.table_name, ', ' ORDER BY l.load_order) FROM @extschema@.loadable_tables() l),
            table_name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    target := pg_catalog.format('%I.%I', '@extschema@', table_name)::regclass;

    -- The header: the first physical line, read without any quoting or escaping.
    IF pg_catalog.to_regclass('pg_temp.ismseval_load_lines') IS NOT NULL THEN
        DROP TABLE pg_temp.ismseval_load_lines;
    END IF;
    CREATE TEMP TABLE ismseval_load_lines (n bigint GENERATED ALWAYS AS IDENTITY, line text);
    EXECUTE pg_catalog.format('COPY pg_temp.ismseval_load_lines (line) FROM %L WITH (FORMAT csv, DELIMITER %L, QUOTE %L)',
                              path, E'\x01', E'\x02');
    SELECT l.line INTO header FROM pg_temp.ismseval_load_lines l ORDER BY l.n LIMIT 1;
    DROP TABLE pg_temp.ismseval_load_lines;
    IF header IS NULL THEN
        RAISE EXCEPTION 'load_csv: %: line 1: the file is empty; it needs a header line naming the columns', path
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cols := @extschema@.csv_header_columns(header);

    -- Every header column must be a writable column of the table, once.
    FOR i IN 1 .. pg_catalog.cardinality(cols) LOOP
        col := cols[i];
        IF pg_catalog.array_position(cols, col) <> i THEN
            RAISE EXCEPTION 'load_csv: %: line 1: column "%" appears twice in the header', path, col
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT a.attgenerated, pg_catalog.format_type(a.atttypid, a.atttypmod) AS typ INTO attrs
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = target AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'load_csv: %: line 1: "%" is not a column of table %', path, col, table_name
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'The header names columns of the table: see the README, "Tables and their CSV (COPY) formats".';
        END IF;
        IF attrs.attgenerated <> '' THEN
            RAISE EXCEPTION 'load_csv: %: line 1: column "%" of table % is computed and cannot be loaded', path, col, table_name
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        coltype := attrs.typ;
        stage_cols := stage_cols || pg_catalog.format(', %I text', col);
        insert_cols := insert_cols || CASE WHEN i > 1 THEN ', ' ELSE '' END || pg_catalog.quote_ident(col);
        select_list := select_list || CASE WHEN i > 1 THEN ', ' ELSE '' END
                       || pg_catalog.format('s.%I::%s', col, coltype);
    END LOOP;

    -- Stage the rows as text, numbered in file order; the key makes the row-by-row
    -- search below read one row per line (it scanned the whole table for each).
    IF pg_catalog.to_regclass('pg_temp.ismseval_load_stage') IS NOT NULL THEN
        DROP TABLE pg_temp.ismseval_load_stage;
    END IF;
    EXECUTE pg_catalog.format('CREATE TEMP TABLE ismseval_load_stage (ismseval_line bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY%s)',
                              stage_cols);
    BEGIN
        EXECUTE pg_catalog.format('COPY pg_temp.ismseval_load_stage (%s) FROM %L WITH (FORMAT csv, HEADER true)',
                                  insert_cols, path);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_msg = MESSAGE_TEXT,
                                err_context = PG_EXCEPTION_CONTEXT;
        RAISE EXCEPTION 'load_csv: %: line %: %', path,
            coalesce(pg_catalog.substring(err_context, 'ismseval_load_stage, line ([0-9]+)'), '?'), err_msg
            USING ERRCODE = err_state;
    END;

    ins_sql := pg_catalog.format('INSERT INTO %s (%s) SELECT %s FROM pg_temp.ismseval_load_stage s',
                                 target, insert_cols, select_list);
    -- Fast path: all rows in one statement.
    BEGIN
        EXECUTE ins_sql || ' ORDER BY s.ismseval_line';
        GET DIAGNOSTICS n_rows = ROW_COUNT;
        DROP TABLE pg_temp.ismseval_load_stage;
        RETURN n_rows;
    EXCEPTION WHEN OTHERS THEN
        NULL;   -- find the first bad row below
    END;

    -- Slow path: row by row until the first failure, reported with its line
    -- (record number + 1 for the header); raising undoes the rows before it.
    FOR bad_line IN SELECT s.ismseval_line FROM pg_temp.ismseval_load_stage s ORDER BY s.ismseval_line LOOP
        BEGIN
            EXECUTE ins_sql || ' WHERE s.ismseval_line = $1' USING bad_line;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_msg = MESSAGE_TEXT,
                                    err_detail = PG_EXCEPTION_DETAIL;
            IF coalesce(err_detail, '') = '' THEN
                RAISE EXCEPTION 'load_csv: %: line %: %', path, bad_line + 1, err_msg
                    USING ERRCODE = err_state, HINT = 'Nothing of the file was loaded.';
            END IF;
            RAISE EXCEPTION 'load_csv: %: line %: %', path, bad_line + 1, err_msg
                USING ERRCODE = err_state, DETAIL = err_detail,
                      HINT = 'Nothing of the file was loaded.';
        END;
    END LOOP;
    -- Every row loads on its own but not all together (a rule across rows).
    EXECUTE ins_sql || ' ORDER BY s.ismseval_line';
    GET DIAGNOSTICS n_rows = ROW_COUNT;
    DROP TABLE pg_temp.ismseval_load_stage;
    RETURN n_rows;
END
$$;

-- ---------------------------------------------------------------------------
-- 5. Every trigger function pins search_path (the SECURITY DEFINER ones already did;
-- risks_check, organizations_matrix_check and release_peer_figures are pinned above).
-- ---------------------------------------------------------------------------
ALTER FUNCTION @extschema@.reject_preloaded_change() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.answers_check() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.maturity_targets_check() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.peer_release_protect_newest() SET search_path = pg_catalog, pg_temp;

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

-- ---------------------------------------------------------------------------
-- Statistics that count hidden rows. The cumulative statistics count every
-- tuple and block a scan fetched, before row-level security filters it: after a
-- query with a leakproof index condition, pg_stat_xact_user_tables.idx_tup_fetch
-- (pg_stat_get_xact_tuples_fetched) answers "how many rows of anyone match" in
-- the same transaction, as EXPLAIN ANALYZE did; pg_stat_user_tables,
-- pg_statio_* and pg_stat_database do after the counts are flushed. These
-- functions are in pg_catalog and executable by PUBLIC; only a superuser can
-- change that, per database, with harden_statistics().
-- ---------------------------------------------------------------------------

-- The statistics functions whose counts include rows that row-level security hides.
CREATE FUNCTION @extschema@.hidden_row_statistics()
RETURNS SETOF regprocedure
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT f.f::regprocedure
    FROM (VALUES ('pg_catalog.pg_stat_get_tuples_returned(oid)'), ('pg_catalog.pg_stat_get_tuples_fetched(oid)'),
                 ('pg_catalog.pg_stat_get_blocks_fetched(oid)'), ('pg_catalog.pg_stat_get_blocks_hit(oid)'),
                 ('pg_catalog.pg_stat_get_xact_tuples_returned(oid)'), ('pg_catalog.pg_stat_get_xact_tuples_fetched(oid)'),
                 ('pg_catalog.pg_stat_get_xact_blocks_fetched(oid)'), ('pg_catalog.pg_stat_get_xact_blocks_hit(oid)'),
                 ('pg_catalog.pg_stat_get_db_tuples_returned(oid)'), ('pg_catalog.pg_stat_get_db_tuples_fetched(oid)'),
                 ('pg_catalog.pg_stat_get_db_blocks_fetched(oid)'), ('pg_catalog.pg_stat_get_db_blocks_hit(oid)')) f(f);
END;
COMMENT ON FUNCTION @extschema@.hidden_row_statistics() IS
'The statistics functions whose counts include rows that row-level security hides: tuples and blocks that scans of a table or index fetched (cumulative and in the current transaction), and the database totals. harden_statistics() takes them from PUBLIC.';

-- Takes EXECUTE on hidden_row_statistics() from PUBLIC and gives it to pg_read_all_stats. Superusers only.
CREATE FUNCTION @extschema@.harden_statistics()
RETURNS SETOF regprocedure
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f   regprocedure;
BEGIN
    IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        RAISE EXCEPTION 'permission denied to harden statistics'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Only a superuser can change the privileges of functions in pg_catalog.';
    END IF;
    FOR f IN SELECT s.f FROM @extschema@.hidden_row_statistics() s(f) LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO pg_read_all_stats', f);
        RETURN NEXT f;
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.harden_statistics() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.harden_statistics() IS
'Superusers only, once per database: takes EXECUTE on hidden_row_statistics() from PUBLIC and grants it to pg_read_all_stats, so tenants cannot count hidden rows through pg_stat_user_tables, pg_statio_user_tables, pg_stat_xact_user_tables or pg_stat_database (whose views then fail for other roles too); returns the functions.';

-- What a database still lacks for tenants: one row per problem, with its fix. Nothing when all is set up.
-- (session_preload_libraries and shared_preload_libraries can only be read by superusers and
-- pg_read_all_settings: the check reads whether this session has the guard, and the role settings.)
CREATE FUNCTION @extschema@.tenant_setup_problems()
RETURNS TABLE (problem text, fix text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leaky       text;
BEGIN
    IF NOT @extschema@.plan_guard_active() THEN
        problem := 'this session did not load the ismseval library at session start: tenant sessions with the same settings cannot read ismseval''s tables (55000), and without that check EXPLAIN would count rows they cannot see';
        fix := pg_catalog.format('add ismseval to session_preload_libraries (ALTER DATABASE %I SET session_preload_libraries = ''ismseval'', keeping any libraries it lists) or to shared_preload_libraries, then reconnect',
                                 pg_catalog.current_database());
        RETURN NEXT;
    END IF;
    FOR problem, fix IN
        SELECT pg_catalog.format('role %s has the privileges of ismseval_tenant and its own session_preload_libraries without ismseval (%s): unless shared_preload_libraries has it, its sessions cannot read ismseval''s tables',
                                 r.rolname, s.value),
               pg_catalog.format('ALTER ROLE %I%s SET session_preload_libraries = %L, or RESET it',
                                 r.rolname, CASE WHEN d.setdatabase <> 0 THEN pg_catalog.format(' IN DATABASE %I', db.datname) ELSE '' END,
                                 pg_catalog.concat_ws(', ', NULLIF(s.value, ''), 'ismseval'))
        FROM pg_catalog.pg_db_role_setting d
        JOIN pg_catalog.pg_roles r ON r.oid = d.setrole
        LEFT JOIN pg_catalog.pg_database db ON db.oid = d.setdatabase
        CROSS JOIN LATERAL pg_catalog.unnest(d.setconfig) c(setting)
        CROSS JOIN LATERAL (SELECT pg_catalog.substr(c.setting, pg_catalog.length('session_preload_libraries=') + 1)) s(value)
        WHERE d.setdatabase IN (0, (SELECT o.oid FROM pg_catalog.pg_database o WHERE o.datname = pg_catalog.current_database()))
          AND c.setting LIKE 'session\_preload\_libraries=%'
          AND s.value !~ '(^|[,/\s"])ismseval(\.so)?("?\s*(,|$))'
          AND pg_catalog.pg_has_role(r.oid, 'ismseval_tenant', 'USAGE')
          AND NOT r.rolsuper AND NOT pg_catalog.pg_has_role(r.oid, 'ismseval_admin', 'USAGE')
        ORDER BY r.rolname
    LOOP
        RETURN NEXT;
    END LOOP;
    SELECT pg_catalog.string_agg(s.f::text, ', ' ORDER BY s.f::text) INTO leaky
    FROM @extschema@.hidden_row_statistics() s(f)
    WHERE pg_catalog.has_function_privilege('ismseval_tenant', s.f, 'EXECUTE');
    IF leaky IS NOT NULL THEN
        problem := 'tenants can execute statistics functions that count rows row-level security hides: ' || leaky;
        fix := 'SELECT ismseval.harden_statistics(); as a superuser, in this database';
        RETURN NEXT;
    END IF;
    SELECT pg_catalog.string_agg(p.oid::regprocedure::text, ', ') INTO leaky
    FROM pg_catalog.pg_proc p
    WHERE p.proname = 'pg_stat_statements' AND pg_catalog.has_function_privilege('ismseval_tenant', p.oid, 'EXECUTE');
    IF leaky IS NOT NULL THEN
        problem := 'tenants can read pg_stat_statements, whose block counts of their own queries include blocks of rows they cannot see: ' || leaky;
        fix := 'REVOKE EXECUTE ON FUNCTION ' || leaky || ' FROM PUBLIC; GRANT it to pg_read_all_stats';
        RETURN NEXT;
    END IF;
    IF COALESCE(pg_catalog.current_setting('auto_explain.log_min_duration', true), '-1') <> '-1' THEN
        problem := 'auto_explain logs plans in this session, with estimates over every tenant''s rows, at auto_explain.log_level, which a tenant receives when it sets client_min_messages; with auto_explain.log_analyze on, every tenant query is refused (42501)';
        fix := 'do not load auto_explain in tenant sessions, or ALTER ROLE ... SET auto_explain.log_min_duration = -1 for each tenant login role';
        RETURN NEXT;
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.tenant_setup_problems() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.tenant_setup_problems() TO ismseval_admin;
COMMENT ON FUNCTION @extschema@.tenant_setup_problems() IS
'For administrators: what this database and session still lack so that tenants cannot count rows they cannot see (the library not loaded at session start, a tenant role''s own session_preload_libraries without it, statistics functions tenants can execute, pg_stat_statements readable by tenants, auto_explain active), one row per problem with its fix; no row when all is set up.';

-- 0.5.0, radar and peer_dist aggregates (issue 10): the peer floor travels in the state.

-- peer_radar gets its own transition function, which records the floor in the state
-- (radar_avg_accum keeps serving radar_avg only).

CREATE FUNCTION @extschema@.peer_radar_accum(state @extschema@.radar, r @extschema@.radar)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'peer_radar_accum'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_radar_accum(@extschema@.radar, @extschema@.radar) IS
'Transition function of peer_radar(radar): as radar_avg_accum, and records in the state the floor ismseval.min_peer_group as set where it runs.';

CREATE FUNCTION @extschema@.peer_radar_accum(state @extschema@.radar, r @extschema@.radar,
                                             min_peer_group integer)
RETURNS @extschema@.radar
AS 'MODULE_PATHNAME', 'peer_radar_accum'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_radar_accum(@extschema@.radar, @extschema@.radar, integer) IS
'Transition function of peer_radar(radar, min_peer_group): records in the state the floor greatest(min_peer_group, ismseval.min_peer_group as set where it runs); min_peer_group < 1 is an error.';

CREATE OR REPLACE AGGREGATE @extschema@.peer_radar(@extschema@.radar) (
    SFUNC = @extschema@.peer_radar_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.peer_radar_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.peer_radar(@extschema@.radar) IS
'radar_avg without the axes seen in fewer inputs than the floor: ismseval.min_peer_group as set where the transitions run (the state carries it to the final function).';

CREATE AGGREGATE @extschema@.peer_radar(@extschema@.radar, min_peer_group integer) (
    SFUNC = @extschema@.peer_radar_accum,
    STYPE = @extschema@.radar,
    COMBINEFUNC = @extschema@.radar_combine,
    FINALFUNC = @extschema@.peer_radar_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.peer_radar(@extschema@.radar, integer) IS
'radar_avg without the axes seen in fewer inputs than greatest(min_peer_group, ismseval.min_peer_group): the floor can be raised, not lowered, and travels in the state (use this form on Citus).';

COMMENT ON FUNCTION @extschema@.radar_avg_accum(@extschema@.radar, @extschema@.radar) IS
'Transition function of radar_avg: each axis mean of the input counts once, weight 1.';
COMMENT ON FUNCTION @extschema@.peer_radar_final(@extschema@.radar) IS
'Final function of peer_radar: drops axes seen in fewer inputs than the floor recorded in the state (ismseval.min_peer_group for a state that carries none).';
COMMENT ON FUNCTION @extschema@.radar_combine(@extschema@.radar, @extschema@.radar) IS
'Combine function of the radar aggregates: per axis m = m1 + (m2 - m1) * W2 / (W1 + W2), n = n1 + n2; the larger floor.';
COMMENT ON FUNCTION @extschema@.radar_in(cstring) IS
'Text input of radar: {"label":mean/n[@weight],...}, then ;min_peer_group=N for a peer_radar state.';

-- peer_dist: the aggregate records the floor in its value; the figures read it from there.

ALTER FUNCTION @extschema@.peer_dist_accum(@extschema@.peer_dist, double precision) STABLE;
COMMENT ON FUNCTION @extschema@.peer_dist_accum(@extschema@.peer_dist, double precision) IS
'Transition function of peer_dist(value): appends a finite value and records the floor ismseval.min_peer_group as set where it runs; NULL values are skipped.';
CREATE FUNCTION @extschema@.peer_dist_accum(state @extschema@.peer_dist, value double precision,
                                            min_peer_group integer)
RETURNS @extschema@.peer_dist
AS 'MODULE_PATHNAME', 'peer_dist_accum'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_dist_accum(@extschema@.peer_dist, double precision, integer) IS
'Transition function of peer_dist(value, min_peer_group): appends a finite value and records the floor greatest(min_peer_group, ismseval.min_peer_group as set where it runs); min_peer_group < 1 is an error.';

CREATE AGGREGATE @extschema@.peer_dist(value double precision, min_peer_group integer) (
    SFUNC = @extschema@.peer_dist_accum,
    STYPE = @extschema@.peer_dist,
    COMBINEFUNC = @extschema@.peer_dist_combine,
    FINALFUNC = @extschema@.peer_dist_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.peer_dist(double precision, integer) IS
'peer_dist(value) whose value carries the floor greatest(min_peer_group, ismseval.min_peer_group as set where the transitions run): the floor can be raised, not lowered (use this form on Citus to raise it for one query).';

COMMENT ON FUNCTION @extschema@.peer_dist_combine(@extschema@.peer_dist, @extschema@.peer_dist) IS
'Combine function of peer_dist(value): appends the values of other to state; the larger floor.';
COMMENT ON FUNCTION @extschema@.peer_dist_final(@extschema@.peer_dist) IS
'Final function of peer_dist(value): sorts the values and computes their mean and M2; keeps the floor.';
COMMENT ON FUNCTION @extschema@.peer_dist_in(cstring) IS
'Text input of peer_dist: {v1,v2,...} with finite numbers in any order, or {}; then ;min_peer_group=N for a value that carries its floor.';
COMMENT ON AGGREGATE @extschema@.peer_dist(double precision) IS
'Distribution of value over the rows of a group (a peer group); NULLs skipped, NaN and '
'infinity are errors, no rows give NULL. The value carries the floor of its figures: '
'ismseval.min_peer_group as set where the transitions ran.';
COMMENT ON FUNCTION @extschema@.peer_percentile(@extschema@.peer_dist, double precision) IS
'Percentile rank of value in the group, mid-rank: 100 x (below + 0.5 x equal) / n; '
'NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_deviation_score(@extschema@.peer_dist, double precision) IS
'Deviation score (hensachi) of value: 50 + 10 x (value - mean) / population standard deviation, '
'50 when that is 0; NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_quantile(@extschema@.peer_dist, double precision) IS
'q-quantile of the group (q in [0, 1]), interpolated as percentile_cont; '
'NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_count(@extschema@.peer_dist) IS
'Number of values in the group; NULL if it is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_mean(@extschema@.peer_dist) IS
'Mean of the group; NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';
COMMENT ON FUNCTION @extschema@.peer_stddev(@extschema@.peer_dist) IS
'Population standard deviation of the group; NULL if n is below the floor the value carries (ismseval.min_peer_group when it carries none).';


-- ---------------------------------------------------------------------------
-- issue 13 (views.sql): incident_metrics_monthly lists months without incidents as zeros
-- ---------------------------------------------------------------------------
CREATE OR REPLACE VIEW @extschema@.incident_metrics_monthly WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       mo.month,
       COALESCE(m.incidents, 0) AS incidents,
       COALESCE(m.severe_incidents, 0) AS severe_incidents,
       m.max_leakage_risk,
       m.mttd_hours,
       m.mttd_hours_p90,
       m.mttr_hours,
       m.mttr_hours_p90,
       m.reported_within_24h_pct
FROM @extschema@.organizations o
-- every month from the organization's first incident to the current one (or the last
-- incident's, when that is later): months without incidents read as zero incidents
CROSS JOIN LATERAL (
    SELECT pg_catalog.min(i.occurred_at AT TIME ZONE 'UTC') AS first_at,
           pg_catalog.max(i.occurred_at AT TIME ZONE 'UTC') AS last_at
    FROM @extschema@.incidents i WHERE i.organization_id = o.organization_id
) span
CROSS JOIN LATERAL pg_catalog.generate_series(
    pg_catalog.date_trunc('month', span.first_at),
    pg_catalog.date_trunc('month', GREATEST(span.last_at, (CURRENT_DATE)::timestamp)),
    interval '1 month') g(m)
CROSS JOIN LATERAL (SELECT g.m::date AS month) mo
LEFT JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents,
           pg_catalog.max(i.leakage_risk) AS max_leakage_risk,
           pg_catalog.avg(h.ttd) AS mttd_hours,
           pg_catalog.percentile_cont(0.9) WITHIN GROUP (ORDER BY h.ttd) AS mttd_hours_p90,
           pg_catalog.avg(h.ttr) AS mttr_hours,
           pg_catalog.percentile_cont(0.9) WITHIN GROUP (ORDER BY h.ttr) AS mttr_hours_p90,
           100 * (pg_catalog.count(*) FILTER (WHERE h.ttreport <= 24))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct
    FROM @extschema@.incidents i
    CROSS JOIN LATERAL (
        SELECT pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600 AS ttd,
               pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600 AS ttr,
               pg_catalog.date_part('epoch', i.reported_at - i.detected_at) / 3600 AS ttreport
    ) h
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= (g.m AT TIME ZONE 'UTC')
      AND i.occurred_at < ((g.m + interval '1 month') AT TIME ZONE 'UTC')
) m ON true;

COMMENT ON VIEW @extschema@.incident_metrics_monthly IS
'Per organization and calendar month (UTC) of occurrence, every month from its first incident to the current month (months without incidents as 0 incidents): incidents, mean time to detect and to resolve in hours (mean and 90th percentile), share reported within 24 hours of detection.';
COMMENT ON COLUMN @extschema@.incident_metrics_monthly.month IS
'First day of the calendar month (UTC); every month from the organization''s first incident to the current month.';
COMMENT ON COLUMN @extschema@.incident_metrics_monthly.incidents IS
'Number of incidents that occurred in the month; 0 in a month without incidents.';

-- ---------------------------------------------------------------------------
-- issue 13 (history.sql, new): trends over time
-- ---------------------------------------------------------------------------

-- ---------------------------------------------------------------------------
-- Scores of one domain in one assessment
-- ---------------------------------------------------------------------------

-- assessment_domain_score: defined with the generalized model at the top of this script.

-- ---------------------------------------------------------------------------
-- maturity_history
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.maturity_history WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.framework_id,
       f.code AS framework,
       a.assessment_id,
       a.assessed_on,
       d.domain_id,
       d.code AS domain,
       d.name AS domain_name,
       d.display_order,
       s.score,
       s.percentage,
       s.answered AS answered_questions,
       s.applicable AS applicable_questions,
       s.coverage,
       pa.assessed_on AS previous_assessed_on,
       ps.score AS previous_score,
       s.score - ps.score AS change_vs_previous,
       ya.assessed_on AS year_ago_assessed_on,
       ys.score AS year_ago_score,
       s.score - ys.score AS change_vs_year_ago
FROM @extschema@.organizations o
JOIN @extschema@.assessments a ON a.organization_id = o.organization_id AND a.department_id IS NULL
JOIN @extschema@.frameworks f ON f.framework_id = a.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = a.framework_id
CROSS JOIN LATERAL @extschema@.assessment_domain_score(a.assessment_id, d.domain_id) s
LEFT JOIN LATERAL (
    SELECT p.assessment_id, p.assessed_on FROM @extschema@.assessments p
    WHERE p.organization_id = a.organization_id AND p.framework_id = a.framework_id
      AND p.department_id IS NULL AND p.assessed_on < a.assessed_on
    ORDER BY p.assessed_on DESC, p.assessment_id DESC LIMIT 1
) pa ON true
LEFT JOIN LATERAL @extschema@.assessment_domain_score(pa.assessment_id, d.domain_id) ps ON pa.assessment_id IS NOT NULL
LEFT JOIN LATERAL (
    SELECT p.assessment_id, p.assessed_on FROM @extschema@.assessments p
    WHERE p.organization_id = a.organization_id AND p.framework_id = a.framework_id
      AND p.department_id IS NULL
      AND p.assessed_on BETWEEN a.assessed_on - 410 AND a.assessed_on - 320
    ORDER BY p.assessed_on DESC, p.assessment_id DESC LIMIT 1
) ya ON true
LEFT JOIN LATERAL @extschema@.assessment_domain_score(ya.assessment_id, d.domain_id) ys ON ya.assessment_id IS NOT NULL;

COMMENT ON VIEW @extschema@.maturity_history IS
'Per organization, framework, organization-wide assessment and control domain: score, percentage of the scale, coverage, and the change against the previous assessment and against the one about a year earlier (the latest 320-410 days before).';

-- ---------------------------------------------------------------------------
-- kpi_series
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.kpi_series WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       k.kpi_id,
       k.code AS kpi,
       k.direction::text AS direction,
       k.unit,
       k.target,
       w.measured_on,
       w.value,
       100 * @extschema@.kpi_attainment(w.value, k.target, k.direction) AS attainment_pct,
       @extschema@.kpi_status(w.value, k.target, k.direction, k.amber_tolerance)::text AS status,
       w.trend_points,
       CASE WHEN w.trend_points >= 3 THEN w.slope END AS trend_per_day,
       CASE WHEN w.trend_points >= 3 THEN w.slope * k.frequency_days END AS trend_per_period,
       CASE WHEN w.trend_points >= 3
            THEN w.intercept + w.slope * (w.measured_on - DATE '2000-01-01') END AS trend_value,
       ob.objective_id,
       ob.due_on,
       fc.forecast AS forecast_at_due,
       CASE WHEN k.direction = 'higher_is_better' THEN fc.forecast >= k.target
            ELSE fc.forecast <= k.target END AS on_track
FROM @extschema@.organizations o
JOIN @extschema@.kpis k ON k.organization_id = o.organization_id
CROSS JOIN LATERAL (
    SELECT m.measured_on, m.value,
           pg_catalog.regr_count(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
               OVER last6 AS trend_points,
           pg_catalog.regr_slope(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
               OVER last6 AS slope,
           pg_catalog.regr_intercept(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
               OVER last6 AS intercept
    FROM @extschema@.kpi_measurements m
    WHERE m.kpi_id = k.kpi_id
    WINDOW last6 AS (ORDER BY m.measured_on ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)
) w
LEFT JOIN LATERAL (
    SELECT x.objective_id, x.due_on FROM @extschema@.objectives x
    WHERE x.kpi_id = k.kpi_id
    ORDER BY x.due_on < w.measured_on, CASE WHEN x.due_on >= w.measured_on THEN x.due_on END,
             x.due_on DESC, x.objective_id
    LIMIT 1
) ob ON true
CROSS JOIN LATERAL (
    SELECT CASE WHEN w.trend_points >= 3 AND ob.due_on >= w.measured_on
                THEN LEAST(CASE WHEN k.unit = '%' THEN 100 END,
                           GREATEST(0, w.intercept + w.slope * (ob.due_on - DATE '2000-01-01'))) END AS forecast
) fc;

COMMENT ON VIEW @extschema@.kpi_series IS
'Per KPI and measurement: value, attainment and status, the least-squares trend over the last 6 measurements (per day, per measurement period, its value at the measurement), the value the trend line forecasts at the due date of the KPI''s objective (0-100 for a KPI in %) and whether that meets the target.';

-- ---------------------------------------------------------------------------
-- Risk rating history
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.risk_rating_changes (
    change_id       bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    risk_id         bigint NOT NULL,
    title           text NOT NULL,
    event           text NOT NULL
        CONSTRAINT risk_rating_changes_event_known CHECK (event IN ('opened', 'rated', 'closed')),
    changed_on      date NOT NULL,
    likelihood      integer NOT NULL,
    impact          integer NOT NULL,
    control_effectiveness double precision NOT NULL,
    treatment       text NOT NULL,
    inherent_level  text,
    inherent_level_rank integer,
    residual_score  double precision NOT NULL,
    residual_level_rank integer,
    within_tolerance boolean,
    recorded_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
CREATE INDEX risk_rating_changes_org_idx ON @extschema@.risk_rating_changes (organization_id, changed_on);
CREATE INDEX risk_rating_changes_risk_idx ON @extschema@.risk_rating_changes (risk_id, changed_on);
COMMENT ON TABLE @extschema@.risk_rating_changes IS
'The dated history of risk ratings, written by the trigger on risks: opened (insert, dated identified_on), rated (a change of likelihood, impact, control effectiveness or treatment, dated the day of the change) and closed (delete). Levels and tolerance as they were on the organization''s matrix at the time. Tenants read their organizations'' rows; only administrators write.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.risk_id IS
'The risk (no foreign key: the history outlives a deleted, that is closed, risk).';
COMMENT ON COLUMN @extschema@.risk_rating_changes.changed_on IS
'Date of the change: identified_on for opened, the current date for rated and closed.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.inherent_level IS
'Level of the (likelihood, impact) cell on the organization''s matrix at the time; NULL when the rating lay off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_level_rank IS
'0-based rank of the residual level (residual_level_rank of views.sql) on the matrix of the time; NULL off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.within_tolerance IS
'True when the residual level was at or below the organization''s tolerance at the time; NULL off the matrix.';

-- Records a risk's rating in risk_rating_changes (trigger on risks, AFTER INSERT/UPDATE/DELETE).
-- SECURITY DEFINER: a tenant writes its risks but cannot write the history itself.
CREATE FUNCTION @extschema@.risks_record_rating()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    r       record;
    org     record;
    ev      text;
    day     date;
    res     double precision;
    on_matrix boolean;
    lv      integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := OLD; ev := 'closed'; day := CURRENT_DATE;
    ELSIF TG_OP = 'INSERT' THEN
        r := NEW; ev := 'opened'; day := NEW.identified_on;
        -- a restore (pg_dump data) re-inserts risks whose history is already there
        IF EXISTS (SELECT FROM @extschema@.risk_rating_changes c WHERE c.risk_id = NEW.risk_id) THEN
            RETURN NULL;
        END IF;
    ELSE
        IF (NEW.likelihood, NEW.impact, NEW.control_effectiveness, NEW.treatment)
           IS NOT DISTINCT FROM (OLD.likelihood, OLD.impact, OLD.control_effectiveness, OLD.treatment) THEN
            RETURN NULL;
        END IF;
        r := NEW; ev := 'rated'; day := CURRENT_DATE;
    END IF;
    SELECT o.risk_matrix, o.risk_tolerance INTO org
    FROM @extschema@.organizations o WHERE o.organization_id = r.organization_id;
    IF NOT FOUND THEN
        RETURN NULL;    -- the organization is being deleted: its history goes with it
    END IF;
    -- residual = inherent x (1 - control effectiveness), as residual_risk computes it (in plain
    -- arithmetic, which a rating off the matrix, even a negative one, cannot make fail)
    res := (r.likelihood * r.impact)::double precision * (1 - r.control_effectiveness);
    -- a rating off the matrix (a risk stored past risks_check) is recorded without levels,
    -- so that it can still be re-rated or closed
    on_matrix := r.likelihood BETWEEN 1 AND @extschema@.risk_matrix_likelihood_size(org.risk_matrix)
                 AND r.impact BETWEEN 1 AND @extschema@.risk_matrix_impact_size(org.risk_matrix);
    IF on_matrix THEN
        lv := @extschema@.residual_level_rank(org.risk_matrix, r.likelihood, r.impact, res);
        INSERT INTO @extschema@.risk_rating_changes
            (organization_id, risk_id, title, event, changed_on, likelihood, impact, control_effectiveness,
             treatment, inherent_level, inherent_level_rank, residual_score, residual_level_rank, within_tolerance)
        VALUES (r.organization_id, r.risk_id, r.title, ev, day, r.likelihood, r.impact, r.control_effectiveness,
                r.treatment, @extschema@.risk_level(org.risk_matrix, r.likelihood, r.impact),
                @extschema@.risk_level_rank(org.risk_matrix, r.likelihood, r.impact), res, lv,
                lv <= @extschema@.risk_level_rank(org.risk_matrix, org.risk_tolerance));
    ELSE
        INSERT INTO @extschema@.risk_rating_changes
            (organization_id, risk_id, title, event, changed_on, likelihood, impact, control_effectiveness,
             treatment, residual_score)
        VALUES (r.organization_id, r.risk_id, r.title, ev, day, r.likelihood, r.impact, r.control_effectiveness,
                r.treatment, res);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.risks_record_rating() IS
'Trigger: records a risk''s opening, each change of its rating (likelihood, impact, control effectiveness, treatment) and its closing (delete) in risk_rating_changes.';
CREATE TRIGGER risks_record_rating AFTER INSERT OR UPDATE OR DELETE ON @extschema@.risks
    FOR EACH ROW EXECUTE FUNCTION @extschema@.risks_record_rating();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_rating_changes', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_rating_changes_change_id_seq', '');

GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.risk_rating_changes TO ismseval_admin;
GRANT USAGE, SELECT ON @extschema@.risk_rating_changes_change_id_seq TO ismseval_admin;
GRANT SELECT ON @extschema@.risk_rating_changes TO ismseval_tenant;
ALTER TABLE @extschema@.risk_rating_changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY risk_rating_changes_admin ON @extschema@.risk_rating_changes
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY risk_rating_changes_tenant ON @extschema@.risk_rating_changes
    FOR SELECT TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations()));

-- The state of each of the organization's risks at the end of a day: its latest change
-- on or before that day, when that is not a closing.
CREATE FUNCTION @extschema@.risk_states_on(organization_id bigint, day date)
RETURNS SETOF @extschema@.risk_rating_changes
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT s.* FROM (
        SELECT DISTINCT ON (c.risk_id) c.*
        FROM @extschema@.risk_rating_changes c
        WHERE c.organization_id = risk_states_on.organization_id AND c.changed_on <= risk_states_on.day
        ORDER BY c.risk_id, c.changed_on DESC, c.change_id DESC
    ) s
    WHERE s.event <> 'closed';
END;
COMMENT ON FUNCTION @extschema@.risk_states_on(bigint, date) IS
'The organization''s open risks at the end of day, each as its latest rating change on or before that day (risks whose latest change is a closing are left out).';

-- Risk figures of an organization over a window: risks opened and closed from from_date to
-- to_date (both included) and the open risks at the end of to_date.
CREATE FUNCTION @extschema@.risk_changes(organization_id bigint, from_date date, to_date date)
RETURNS TABLE(opened bigint, closed bigint, open_risks bigint, outside_tolerance bigint,
              rerated bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.risk_rating_changes c
            WHERE c.organization_id = risk_changes.organization_id AND c.event = 'opened'
              AND c.changed_on BETWEEN from_date AND to_date),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_rating_changes c
            WHERE c.organization_id = risk_changes.organization_id AND c.event = 'closed'
              AND c.changed_on BETWEEN from_date AND to_date),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_states_on(risk_changes.organization_id, to_date) s),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_states_on(risk_changes.organization_id, to_date) s
            WHERE NOT s.within_tolerance),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_rating_changes c
            WHERE c.organization_id = risk_changes.organization_id AND c.event = 'rated'
              AND c.changed_on BETWEEN from_date AND to_date);
END;
COMMENT ON FUNCTION @extschema@.risk_changes(bigint, date, date) IS
'Risks of an organization opened, closed and re-rated from from_date to to_date (both included), and the open risks and those outside tolerance at the end of to_date.';

-- ---------------------------------------------------------------------------
-- risk_history
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.risk_history WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       m.month,
       m.month_end,
       l.name AS level,
       l.rank AS level_rank,
       l.color,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.inherent_ranks) x WHERE x = l.rank) AS inherent_risks,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.residual_ranks) x WHERE x = l.rank) AS residual_risks,
       st.open_risks,
       st.outside_tolerance,
       ch.opened,
       ch.closed
FROM @extschema@.organizations o
CROSS JOIN LATERAL (
    SELECT pg_catalog.min(c.changed_on) AS first_day FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id
) f
CROSS JOIN LATERAL pg_catalog.generate_series(pg_catalog.date_trunc('month', f.first_day::timestamp),
                                              pg_catalog.date_trunc('month', CURRENT_DATE::timestamp),
                                              interval '1 month') g(m)
CROSS JOIN LATERAL (
    SELECT g.m::date AS month, (g.m + interval '1 month')::date - 1 AS month_end
) m
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS open_risks,
           pg_catalog.count(*) FILTER (WHERE NOT s.within_tolerance) AS outside_tolerance,
           pg_catalog.array_agg(s.inherent_level_rank) AS inherent_ranks,
           pg_catalog.array_agg(s.residual_level_rank) AS residual_ranks
    FROM @extschema@.risk_states_on(o.organization_id, m.month_end) s
) st
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE c.event = 'opened') AS opened,
           pg_catalog.count(*) FILTER (WHERE c.event = 'closed') AS closed
    FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id AND c.changed_on BETWEEN m.month AND m.month_end
) ch
CROSS JOIN LATERAL @extschema@.risk_matrix_levels(o.risk_matrix) l;

COMMENT ON VIEW @extschema@.risk_history IS
'Per organization, calendar month (from the month of its first recorded risk rating to the current month) and level of its current risk matrix: the open risks at the month''s end at that inherent and residual level; and per month (repeated on each level row, count them once with level_rank = 0): open risks, those outside tolerance, risks opened and closed in the month.';

-- ---------------------------------------------------------------------------
-- department_maturity (the working group's case A)
-- ---------------------------------------------------------------------------

-- The latest assessment of each framework of a department.
CREATE FUNCTION @extschema@.latest_department_assessments(department_id bigint)
RETURNS TABLE(assessment_id bigint, framework_id bigint, assessed_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT ON (a.framework_id) a.assessment_id, a.framework_id, a.assessed_on
    FROM @extschema@.assessments a
    WHERE a.department_id = latest_department_assessments.department_id
    ORDER BY a.framework_id, a.assessed_on DESC, a.assessment_id DESC;
END;
COMMENT ON FUNCTION @extschema@.latest_department_assessments(bigint) IS
'The department''s latest assessment of each framework.';

CREATE VIEW @extschema@.department_maturity WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       dp.department_id,
       dp.name AS department,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       d.code AS domain,
       d.name AS domain_name,
       d.display_order,
       s.score,
       s.percentage,
       s.coverage,
       COALESCE(mt.target, f.default_target) AS target,
       s.score - COALESCE(mt.target, f.default_target) AS gap_to_target,
       cw.company_mean,
       s.score - cw.company_mean AS gap_to_company,
       cw.departments AS company_departments
FROM @extschema@.organizations o
JOIN @extschema@.departments dp ON dp.organization_id = o.organization_id
CROSS JOIN LATERAL @extschema@.latest_department_assessments(dp.department_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = la.framework_id
CROSS JOIN LATERAL @extschema@.assessment_domain_score(la.assessment_id, d.domain_id) s
CROSS JOIN LATERAL (
    SELECT pg_catalog.avg(x.score) AS company_mean, pg_catalog.count(x.score) AS departments
    FROM @extschema@.departments d2
    CROSS JOIN LATERAL @extschema@.latest_department_assessments(d2.department_id) l2
    CROSS JOIN LATERAL @extschema@.assessment_domain_score(l2.assessment_id, d.domain_id) x
    WHERE d2.organization_id = o.organization_id AND l2.framework_id = la.framework_id
) cw
LEFT JOIN @extschema@.maturity_targets mt
       ON mt.organization_id = o.organization_id AND mt.domain_id = d.domain_id;

COMMENT ON VIEW @extschema@.department_maturity IS
'Per department, its latest assessment of each framework and each control domain: score against the target and against the company-wide mean (the mean over the organization''s departments of their latest assessment''s domain score, each department counted once).';

-- ---------------------------------------------------------------------------
-- incident_metrics: a time window
-- ---------------------------------------------------------------------------

-- Incident figures of an organization for the incidents that occurred from from_date to
-- to_date (UTC days, both included).
CREATE FUNCTION @extschema@.incident_metrics(organization_id bigint, from_date date, to_date date)
RETURNS TABLE(incidents bigint, severe_incidents bigint, mttd_hours double precision,
              mttr_hours double precision, reported_within_24h_pct double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.count(*),
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3),
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600),
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600),
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0)
    FROM @extschema@.incidents i
    WHERE i.organization_id = incident_metrics.organization_id
      AND i.occurred_at >= (from_date::timestamp AT TIME ZONE 'UTC')
      AND i.occurred_at < ((to_date + 1)::timestamp AT TIME ZONE 'UTC');
END;
COMMENT ON FUNCTION @extschema@.incident_metrics(bigint, date, date) IS
'Incidents of an organization that occurred from from_date to to_date (UTC days, both included): count, severe (severity 3-4), mean hours to detect and to resolve, and 100 x reported within 24 hours of detection / detected.';

-- Slope and forecast of a KPI over the measurements from from_date to to_date.
CREATE FUNCTION @extschema@.kpi_trend(kpi_id bigint, from_date date, to_date date)
RETURNS TABLE(points bigint, first_value double precision, last_value double precision,
              trend_per_day double precision, forecast_at_to double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.count(*),
           (pg_catalog.array_agg(m.value ORDER BY m.measured_on))[1],
           (pg_catalog.array_agg(m.value ORDER BY m.measured_on DESC))[1],
           CASE WHEN pg_catalog.count(*) >= 2
                THEN pg_catalog.regr_slope(m.value, (m.measured_on - DATE '2000-01-01')::double precision) END,
           CASE WHEN pg_catalog.count(*) >= 2
                THEN LEAST((SELECT CASE WHEN k.unit = '%' THEN 100 END FROM @extschema@.kpis k
                            WHERE k.kpi_id = kpi_trend.kpi_id),
                           GREATEST(0, pg_catalog.regr_intercept(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
                                       + pg_catalog.regr_slope(m.value, (m.measured_on - DATE '2000-01-01')::double precision)
                                         * (to_date - DATE '2000-01-01'))) END
    FROM @extschema@.kpi_measurements m
    WHERE m.kpi_id = kpi_trend.kpi_id AND m.measured_on BETWEEN from_date AND to_date;
END;
COMMENT ON FUNCTION @extschema@.kpi_trend(bigint, date, date) IS
'A KPI''s measurements from from_date to to_date (both included): how many, the first and last value, the least-squares slope in units per day (at least 2 points) and the fitted line at to_date (not below 0; for a KPI in %, not above 100).';

-- ---------------------------------------------------------------------------
-- Privileges (the column comments are set at the end of this script)
-- ---------------------------------------------------------------------------

GRANT SELECT ON @extschema@.maturity_history, @extschema@.kpi_series, @extschema@.risk_history,
    @extschema@.department_maturity TO ismseval_admin, ismseval_tenant;

-- Risks that exist before the update get their opening in the history, with their
-- current rating, dated identified_on (their earlier ratings were not kept); a rating off
-- the organization's matrix without levels, as the trigger records it.
INSERT INTO @extschema@.risk_rating_changes
    (organization_id, risk_id, title, event, changed_on, likelihood, impact, control_effectiveness,
     treatment, inherent_level, inherent_level_rank, residual_score, residual_level_rank, within_tolerance)
SELECT r.organization_id, r.risk_id, r.title, 'opened', r.identified_on, r.likelihood, r.impact,
       r.control_effectiveness, r.treatment,
       CASE WHEN m.on_matrix THEN @extschema@.risk_level(o.risk_matrix, r.likelihood, r.impact) END,
       CASE WHEN m.on_matrix THEN @extschema@.risk_level_rank(o.risk_matrix, r.likelihood, r.impact) END,
       m.residual,
       CASE WHEN m.on_matrix THEN @extschema@.residual_level_rank(o.risk_matrix, r.likelihood, r.impact, m.residual) END,
       CASE WHEN m.on_matrix THEN @extschema@.residual_level_rank(o.risk_matrix, r.likelihood, r.impact, m.residual)
                                  <= @extschema@.risk_level_rank(o.risk_matrix, o.risk_tolerance) END
FROM @extschema@.risks r
JOIN @extschema@.organizations o ON o.organization_id = r.organization_id
CROSS JOIN LATERAL (
    SELECT (r.likelihood * r.impact)::double precision * (1 - r.control_effectiveness) AS residual,
           r.likelihood BETWEEN 1 AND @extschema@.risk_matrix_likelihood_size(o.risk_matrix)
           AND r.impact BETWEEN 1 AND @extschema@.risk_matrix_impact_size(o.risk_matrix) AS on_matrix
) m
ORDER BY r.risk_id;

-- ---------------------------------------------------------------------------
-- issue 13 (charts.sql, new): SVG charts
-- ---------------------------------------------------------------------------
-- ---------------------------------------------------------------------------
-- Labels
-- ---------------------------------------------------------------------------

-- The label key in language lang ('en' or 'ja'); 22023 for another language, the key itself
-- for an unknown key.
CREATE FUNCTION @extschema@.report_label(key text, lang text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
DECLARE
    result  text;
BEGIN
    IF lang NOT IN ('en', 'ja') THEN
        RAISE EXCEPTION 'lang must be ''en'' or ''ja'', got ''%''', lang
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN lang = 'ja' THEN l.ja ELSE l.en END INTO result
    FROM (VALUES
        ('own', 'Own', '自組織'),
        ('peers', 'Peers (mean)', '同業他社（平均）'),
        ('peers_missing', 'Peers: not shown (too few peers)', '同業他社：表示なし（社数不足）'),
        ('target', 'Target', '目標'),
        ('maturity', 'maturity', '成熟度'),
        ('scale_note', 'scale %s-%s, centre = %s', '尺度 %s～%s、中心 = %s'),
        ('inherent', 'Inherent risk', '固有リスク'),
        ('residual', 'Residual risk (controls lower the likelihood)', '残留リスク（管理策で発生可能性を低減）'),
        ('likelihood', 'Likelihood', '発生可能性'),
        ('impact', 'Impact', '影響度'),
        ('risk_map', 'risk map', 'リスクマップ'),
        ('risks', 'risks', '件のリスク'),
        ('forecast', 'forecast', '予測'),
        ('green', 'green', '緑'),
        ('amber', 'amber', '黄'),
        ('red', 'red', '赤'),
        ('peer_position', 'position among peers', '同業他社の中での位置'),
        ('peer_mean', 'peer mean', '同業他社平均'),
        ('peers_below', 'peers below', '下位の社'),
        ('peers_equal', 'equal', '同点'),
        ('peers_above', 'peers above', '上位の社'),
        ('total_pct', 'total score, % of the scale', '総合点（尺度に対する%）'),
        ('percentile', 'percentile', 'パーセンタイル'),
        ('rank_of', 'rank %1$s of %2$s', '%2$s社中 %1$s位'),
        ('deviation', 'deviation score', '偏差値'),
        ('published', 'peer figures published', '同業他社の数値の公表日'),
        ('no_peer_figures', 'No peer figures: too few peers, or none published yet.', '同業他社の数値なし：社数不足または未公表。'),
        ('review_title', 'Information security management review', '情報セキュリティ マネジメントレビュー'),
        ('peer_group', 'Peer group', '同業グループ'),
        ('framework', 'Framework', 'フレームワーク'),
        ('assessed_on', 'assessment of', '評価日'),
        ('report_of', 'Report of', '作成日'),
        ('period', 'Incident and risk period', 'インシデント・リスクの対象期間'),
        ('headline', 'Headline figures', '主要指標'),
        ('maturity_total', 'Maturity (total, % of the scale)', '成熟度（総合、尺度に対する%）'),
        ('change_prev', 'change since the previous assessment', '前回評価からの変化'),
        ('pp', 'points', 'ポイント'),
        ('risks_outside', 'Risks outside tolerance', '許容範囲外のリスク'),
        ('of_n', 'of %s', '全 %s 件中'),
        ('kpis_rag', 'KPIs green / amber / red', 'KPI 緑／黄／赤'),
        ('objectives_on_track', 'Objectives on track', '達成見込みの目標'),
        ('incidents_12m', 'Incidents, last 12 months', 'インシデント（過去12か月）'),
        ('severe_n', '%s severe', '重大 %s 件'),
        ('severe_col', 'Severe', '重大'),
        ('nc_open', 'Open nonconformities', '未完了の不適合'),
        ('actions_overdue_n', '%s corrective actions overdue', '是正処置の期限超過 %s 件'),
        ('coverage', 'Coverage', '回答率'),
        ('changes', 'Maturity by domain and changes since the last review', '領域別の成熟度と前回レビューからの変化'),
        ('domain', 'Domain', '領域'),
        ('score', 'Score', 'スコア'),
        ('vs_prev', 'vs previous', '前回比'),
        ('vs_year', 'vs a year ago', '前年比'),
        ('radar_heading', 'Maturity against peers and target', '成熟度：同業他社・目標との比較'),
        ('heatmap_heading', 'Risk map', 'リスクマップ'),
        ('kpi_heading', 'KPI trends', 'KPIの推移'),
        ('objectives_heading', 'Objectives', '情報セキュリティ目標'),
        ('objective', 'Objective', '目標'),
        ('due', 'Due', '期限'),
        ('latest', 'Latest', '最新値'),
        ('forecast_at_due', 'Forecast at due date', '期限時点の予測'),
        ('on_track', 'On track', '達成見込み'),
        ('status', 'Status', '状態'),
        ('yes', 'yes', 'はい'),
        ('no', 'no', 'いいえ'),
        ('achieved', 'achieved', '達成'),
        ('overdue', 'overdue', '期限超過'),
        ('incidents_heading', 'Incidents by month', '月別インシデント'),
        ('month', 'Month', '月'),
        ('incidents', 'Incidents', '件数'),
        ('mttd', 'Mean time to detect (h)', '平均検知時間（時間）'),
        ('mttr', 'Mean time to resolve (h)', '平均復旧時間（時間）'),
        ('reported24', 'Reported within 24 h (%)', '24時間以内の報告（%）'),
        ('nc_heading', 'Nonconformities and corrective actions', '不適合と是正処置'),
        ('raised', 'Raised', '発生日'),
        ('description', 'Description', '内容'),
        ('owner', 'Owner', '責任者'),
        ('peer_heading', 'Standing among peers', '同業他社の中での位置'),
        ('explain_deviation', 'The deviation score places the total score among the peers: 50 is the peer mean and every 10 points is one standard deviation (60 is above about 84 % of a normal distribution). The percentile is the share of peers below the organization, ties counted as half. Both are of the value published in the latest peer release.', '偏差値は総合点が同業他社の中でどの位置にあるかを示します。50が平均で、10ポイントが標準偏差1つ分です（60は正規分布のおよそ84%を上回ります）。パーセンタイルは自組織より下位の同業他社の割合で、同点は半分と数えます。いずれも最新の公表値に基づきます。'),
        ('explain_coverage', 'Coverage is the share of the applicable large questions answered with a score; where it is low, the score rests on few answers.', '回答率は、該当する大設問のうちスコアが付いた割合です。回答率が低い領域のスコアは少数の回答に基づいています。'),
        ('explain_forecast', 'Forecast: the least-squares trend of the last 6 measurements, extended to the objective''s due date.', '予測：直近6回の測定値の最小二乗トレンドを目標の期限まで延長した値。'),
        ('note_peers', 'Peer figures come from the latest published release and are shown only where enough peers stand behind them.', '同業他社の数値は最新の公表値で、十分な社数がある場合にのみ表示されます。'),
        ('generated', 'Generated by ismseval', 'ismseval により作成'),
        ('none', 'none', 'なし'),
        ('dept_heading', 'Departments against the company-wide mean', '部門別：全社平均との比較'),
        ('department', 'Department', '部門'),
        ('company_mean', 'Company-wide mean', '全社平均'),
        ('explain_departments', 'Each department''s domain score in its latest assessment: green above the company-wide mean (the mean over the departments, each counted once), red below.', '各部門の最新の評価における領域スコア。全社平均（各部門を1回ずつ数えた平均）より高いものを緑、低いものを赤で示します。')
    ) l(key, en, ja)
    WHERE l.key = report_label.key;
    RETURN COALESCE(result, key);
END
$$;
COMMENT ON FUNCTION @extschema@.report_label(text, text) IS
'The text of a chart or report label in English (lang ''en'') or Japanese (''ja''); 22023 for another language.';

-- ---------------------------------------------------------------------------
-- Drawing functions (C)
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.heatmap_svg(matrix @extschema@.risk_matrix, inherent_counts integer[],
                                        residual_counts integer[], title text DEFAULT NULL,
                                        labels text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'heatmap_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.heatmap_svg(@extschema@.risk_matrix, integer[], integer[], text, text[]) IS
'A standalone SVG of the risk matrix drawn twice side by side with a count in each cell: inherent_counts and residual_counts hold one count per cell, row-major by likelihood (element (l - 1) x impact size + i for cell (l, i)); labels: the two panel captions and the likelihood and impact axis names.';

CREATE FUNCTION @extschema@.trend_svg(dates date[], vals double precision[], target double precision,
                                      higher_is_better boolean, amber_tolerance double precision,
                                      forecast_from date DEFAULT NULL,
                                      forecast_from_value double precision DEFAULT NULL,
                                      forecast_on date DEFAULT NULL,
                                      forecast_value double precision DEFAULT NULL,
                                      title text DEFAULT NULL, unit text DEFAULT NULL,
                                      labels text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'trend_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.trend_svg(date[], double precision[], double precision, boolean, double precision,
                                          date, double precision, date, double precision, text, text, text[]) IS
'A standalone SVG of a KPI series over time: the values (dates strictly increasing), the target line, the red/amber/green bands of kpi_status and, when all four forecast arguments are given, a dotted forecast line to (forecast_on, forecast_value); labels: target and forecast captions, then the green, amber and red band names.';

CREATE FUNCTION @extschema@.peer_position_svg(own_pct double precision, peer_mean_pct double precision,
                                              peers_below bigint, peers_equal bigint, peers_above bigint,
                                              title text DEFAULT NULL, labels text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'peer_position_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_position_svg(double precision, double precision, bigint, bigint, bigint, text, text[]) IS
'A standalone SVG of an organization''s place among its peers from aggregates only: its value and the peer mean on a 0-100 % scale, and the peer group as one bar of peers below, equal and above with a marker at the mid-rank percentile; labels: own, peer mean, below, equal, above, a footnote, the scale caption.';

-- ---------------------------------------------------------------------------
-- Charts of an organization's data
-- ---------------------------------------------------------------------------

-- The residual cell of a risk: controls are taken to lower the likelihood, to
-- ceil(likelihood x (1 - control effectiveness)), at least 1; the impact stays.
CREATE FUNCTION @extschema@.residual_likelihood(likelihood integer, control_effectiveness double precision)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN GREATEST(1, pg_catalog.ceil(likelihood * (1 - control_effectiveness) - 1e-9)::integer);
COMMENT ON FUNCTION @extschema@.residual_likelihood(integer, double precision) IS
'The likelihood a risk is drawn at on the residual side of risk_heatmap_svg: ceil(likelihood x (1 - control effectiveness)), at least 1.';

CREATE FUNCTION @extschema@.risk_heatmap_svg(organization_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    org     record;
    nlik    integer;
    nimp    integer;
    inh     integer[];
    res     integer[];
    n       bigint;
BEGIN
    SELECT o.name, o.risk_matrix INTO org FROM @extschema@.organizations o
    WHERE o.organization_id = risk_heatmap_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', risk_heatmap_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    nlik := @extschema@.risk_matrix_likelihood_size(org.risk_matrix);
    nimp := @extschema@.risk_matrix_impact_size(org.risk_matrix);
    -- one count per cell, row-major by likelihood; risks off the matrix are left out
    SELECT pg_catalog.array_agg((SELECT pg_catalog.count(*) FROM @extschema@.risks r
                                 WHERE r.organization_id = risk_heatmap_svg.organization_id
                                   AND r.likelihood = c.l AND r.impact = c.i)::integer ORDER BY c.l, c.i),
           pg_catalog.array_agg((SELECT pg_catalog.count(*) FROM @extschema@.risks r
                                 WHERE r.organization_id = risk_heatmap_svg.organization_id
                                   AND r.likelihood <= nlik AND r.impact = c.i
                                   AND @extschema@.residual_likelihood(r.likelihood, r.control_effectiveness) = c.l)::integer
                                ORDER BY c.l, c.i)
      INTO inh, res
    FROM pg_catalog.generate_series(1, nlik) l(l), pg_catalog.generate_series(1, nimp) i(i),
         LATERAL (SELECT l.l, i.i) c;
    SELECT pg_catalog.sum(x) INTO n FROM pg_catalog.unnest(inh) x;
    RETURN @extschema@.heatmap_svg(org.risk_matrix, inh, res,
        pg_catalog.format('%s: %s (%s %s)', org.name, @extschema@.report_label('risk_map', lang), n,
                          @extschema@.report_label('risks', lang)),
        ARRAY[@extschema@.report_label('inherent', lang), @extschema@.report_label('residual', lang),
              @extschema@.report_label('likelihood', lang), @extschema@.report_label('impact', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.risk_heatmap_svg(bigint, text) IS
'SVG heat map of an organization''s risks on its matrix, inherent (at likelihood x impact) and residual (at residual_likelihood x impact) side by side, with level colours, scale labels and a count per cell; lang ''en'' or ''ja''.';

CREATE FUNCTION @extschema@.kpi_trend_svg(kpi_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    k       record;
    last    record;
    days    date[];
    vals    double precision[];
    fc_from_value double precision;
BEGIN
    SELECT kk.code, kk.name, kk.unit, kk.target, kk.direction, kk.amber_tolerance INTO k
    FROM @extschema@.kpis kk WHERE kk.kpi_id = kpi_trend_svg.kpi_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'KPI % does not exist', kpi_trend_svg.kpi_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.array_agg(m.measured_on ORDER BY m.measured_on), pg_catalog.array_agg(m.value ORDER BY m.measured_on)
      INTO days, vals
    FROM @extschema@.kpi_measurements m WHERE m.kpi_id = kpi_trend_svg.kpi_id;
    SELECT s.measured_on, s.value, s.trend_value, s.due_on, s.forecast_at_due INTO last
    FROM @extschema@.kpi_series s WHERE s.kpi_id = kpi_trend_svg.kpi_id
    ORDER BY s.measured_on DESC LIMIT 1;
    -- the forecast line starts on the trend line at the last measurement
    fc_from_value := last.trend_value;
    RETURN @extschema@.trend_svg(COALESCE(days, ARRAY[]::date[]), COALESCE(vals, ARRAY[]::double precision[]),
        k.target, k.direction = 'higher_is_better', k.amber_tolerance,
        CASE WHEN last.forecast_at_due IS NOT NULL THEN last.measured_on END,
        CASE WHEN last.forecast_at_due IS NOT NULL THEN fc_from_value END,
        last.due_on, last.forecast_at_due,
        pg_catalog.format('%s %s', k.code, k.name), NULLIF(k.unit, ''),
        ARRAY[pg_catalog.format('%s %s', @extschema@.report_label('target', lang), k.target),
              pg_catalog.format('%s %s', @extschema@.report_label('forecast', lang),
                                pg_catalog.round(last.forecast_at_due::numeric, 1)),
              @extschema@.report_label('green', lang), @extschema@.report_label('amber', lang),
              @extschema@.report_label('red', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.kpi_trend_svg(bigint, text) IS
'SVG of a KPI''s measurements with its target line, red/amber/green bands and the kpi_series forecast (least-squares trend of the last 6 measurements) as a dotted line from the trend value at the last measurement to the forecast at its objective''s due date; lang ''en'' or ''ja''.';

CREATE FUNCTION @extschema@.peer_distribution_svg(organization_id bigint, framework_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    org     record;
    fw      record;
    own     double precision;
    nq      bigint;
    pb      record;
    above   bigint;
    equal   bigint;
    below   bigint;
    note    text;
BEGIN
    SELECT o.name INTO org FROM @extschema@.organizations o WHERE o.organization_id = peer_distribution_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', peer_distribution_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT f.code, f.scale_min, f.scale_max INTO fw FROM @extschema@.frameworks f
    WHERE f.framework_id = peer_distribution_svg.framework_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'framework % does not exist', peer_distribution_svg.framework_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.count(*) INTO nq FROM @extschema@.questions q
    WHERE q.framework_id = peer_distribution_svg.framework_id AND q.scored;
    SELECT b.total_score INTO own FROM @extschema@.org_benchmark b
    WHERE b.organization_id = peer_distribution_svg.organization_id AND b.framework = fw.code;
    IF own IS NULL THEN
        RAISE EXCEPTION 'organization % has no scored organization-wide assessment of framework %',
            peer_distribution_svg.organization_id, fw.code USING ERRCODE = 'no_data_found';
    END IF;
    -- published aggregates only (SECURITY DEFINER, floor applied): no peer's own value
    SELECT * INTO pb FROM @extschema@.peer_total_benchmark(peer_distribution_svg.organization_id,
                                                           peer_distribution_svg.framework_id);
    IF pb.peer_count IS NOT NULL THEN
        -- rank = 1 + peers above; percentile = 100 x (below + equal / 2) / peers
        above := pb.peer_rank - 1;
        equal := pg_catalog.round(2 * ((pb.peer_count - above) - pb.peer_percentile * pb.peer_count / 100))::bigint;
        below := pb.peer_count - above - equal;
        note := pg_catalog.format('%s %s · %s · %s %s · %s %s',
            @extschema@.report_label('percentile', lang), pg_catalog.round(pb.peer_percentile::numeric, 1),
            pg_catalog.format(@extschema@.report_label('rank_of', lang), pb.peer_rank, pb.peer_count + 1),
            @extschema@.report_label('deviation', lang), pg_catalog.round(pb.deviation_score::numeric, 1),
            @extschema@.report_label('published', lang), (pb.as_of AT TIME ZONE 'UTC')::date);
    ELSE
        above := 0; equal := 0; below := 0;
        note := @extschema@.report_label('no_peer_figures', lang);
    END IF;
    RETURN @extschema@.peer_position_svg(
        100 * (own / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
        100 * (pb.peer_mean_total / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
        below, equal, above,
        pg_catalog.format('%s: %s %s', org.name, fw.code, @extschema@.report_label('peer_position', lang)),
        ARRAY[pg_catalog.format('%s %s %%', @extschema@.report_label('own', lang),
                                pg_catalog.round((100 * (own / nq - fw.scale_min) / (fw.scale_max - fw.scale_min))::numeric, 1)),
              pg_catalog.format('%s %s %%', @extschema@.report_label('peer_mean', lang),
                                pg_catalog.round((100 * (pb.peer_mean_total / nq - fw.scale_min) / (fw.scale_max - fw.scale_min))::numeric, 1)),
              @extschema@.report_label('peers_below', lang), @extschema@.report_label('peers_equal', lang),
              @extschema@.report_label('peers_above', lang), note, @extschema@.report_label('total_pct', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.peer_distribution_svg(bigint, bigint, text) IS
'SVG of an organization''s place in its peer group for a framework: its total score as a percentage of the scale (100 x (total / large questions - scale_min) / (scale_max - scale_min)), the peers'' mean, and the peers below, equal and above it with its percentile, rank and deviation score, all from the latest published release through peer_total_benchmark (nothing below the floor); lang ''en'' or ''ja''.';

-- ---------------------------------------------------------------------------
-- issue 13 (views.sql): org_radar_svg takes lang and keeps colours by meaning
-- ---------------------------------------------------------------------------
DROP FUNCTION @extschema@.org_radar_svg(bigint, text);
CREATE FUNCTION @extschema@.org_radar_svg(organization_id bigint, framework text DEFAULT NULL,
                                          lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    fw          text;
    fw_min      double precision;
    fw_max      double precision;
    org_name    text;
    assessed    date;
    own         @extschema@.radar;
    peers       @extschema@.radar;
    target      @extschema@.radar;
    axes        text[];
BEGIN
    SELECT o.name INTO org_name FROM @extschema@.organizations o
    WHERE o.organization_id = org_radar_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', org_radar_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- the framework asked for, else the one of the latest assessment
    SELECT f.code, f.scale_min, f.scale_max, la.assessed_on INTO fw, fw_min, fw_max, assessed
    FROM @extschema@.latest_assessments(org_radar_svg.organization_id) la
    JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
    WHERE framework IS NULL OR f.code = framework
    ORDER BY la.assessed_on DESC, la.assessment_id DESC LIMIT 1;
    IF fw IS NULL THEN
        RAISE EXCEPTION 'organization % has no organization-wide assessment%', org_radar_svg.organization_id,
            CASE WHEN framework IS NULL THEN '' ELSE ' of framework ' || framework END
            USING ERRCODE = 'no_data_found';
    END IF;
    -- axes labelled "code name"; a series without data is an empty radar, so that own,
    -- peers and target keep their positions, hence their colours
    SELECT @extschema@.maturity_radar(m.domain || ' ' || m.domain_name, m.own_score),
           @extschema@.maturity_radar(m.domain || ' ' || m.domain_name, m.peer_score),
           @extschema@.maturity_radar(m.domain || ' ' || m.domain_name, m.target),
           pg_catalog.array_agg(m.domain || ' ' || m.domain_name ORDER BY m.display_order)
      INTO own, peers, target, axes
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = org_radar_svg.organization_id AND m.framework = fw;
    RETURN @extschema@.radar_svg(
        ARRAY[COALESCE(own, '{}'::@extschema@.radar), COALESCE(peers, '{}'::@extschema@.radar),
              COALESCE(target, '{}'::@extschema@.radar)],
        ARRAY[@extschema@.report_label('own', lang),
              @extschema@.report_label(CASE WHEN NOT EXISTS (SELECT FROM @extschema@.radar_axes(peers))
                                            THEN 'peers_missing' ELSE 'peers' END, lang),
              @extschema@.report_label('target', lang)],
        axes, fw_min, fw_max,
        pg_catalog.format('%s: %s %s (%s), ', org_name, fw, @extschema@.report_label('maturity', lang), assessed)
            || pg_catalog.format(@extschema@.report_label('scale_note', lang), fw_min, fw_max, fw_min));
END
$$;
COMMENT ON FUNCTION @extschema@.org_radar_svg(bigint, text, text) IS
'SVG radar of an organization''s latest assessment (of framework, or the latest of any): own domain means (blue, filled), peers'' means (orange; greyed in the legend when the peer group is too small) and targets (green, dashed), axes labelled with domain code and name, the scale stated in the title; lang ''en'' or ''ja''.';

-- ---------------------------------------------------------------------------
-- issue 13 (report.sql, new): the management review report
-- ---------------------------------------------------------------------------
-- Text escaped for HTML (& < > " '); NULL gives an en dash.
CREATE FUNCTION @extschema@.html_text(value text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN COALESCE(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
           value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'), '&#8211;');
COMMENT ON FUNCTION @extschema@.html_text(text) IS
'The text escaped for HTML (& < > " and single quote); NULL gives an en dash.';

-- A number rounded to digits decimals for a report, a sign when signed; NULL gives an en dash.
CREATE FUNCTION @extschema@.report_number(value double precision, digits integer DEFAULT 1,
                                          signed boolean DEFAULT false)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN COALESCE(CASE WHEN signed AND pg_catalog.round(value::numeric, digits) > 0 THEN '+' ELSE '' END
                || pg_catalog.round(value::numeric, digits)::text, '&#8211;');
COMMENT ON FUNCTION @extschema@.report_number(double precision, integer, boolean) IS
'A number rounded to digits decimals (with + when signed and positive) for a report; NULL gives an en dash.';

CREATE FUNCTION @extschema@.management_review_html(organization_id bigint, framework_id bigint DEFAULT NULL,
                                                   lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
DECLARE
    t           jsonb;
    org         record;
    mr          record;
    fw          record;
    la          record;
    nq          bigint;
    total_pct   double precision;
    prev_pct    double precision;
    cov         double precision;
    on_track    bigint;
    tracked     bigint;
    today       date := CURRENT_DATE;
    html        text;
    sect        text;
BEGIN
    t := (SELECT pg_catalog.jsonb_object_agg(k, @extschema@.report_label(k, lang))
          FROM pg_catalog.unnest(ARRAY['review_title', 'peer_group', 'framework', 'assessed_on', 'report_of', 'period',
                                       'headline', 'maturity_total', 'change_prev', 'pp', 'risks_outside', 'of_n',
                                       'kpis_rag', 'objectives_on_track', 'incidents_12m', 'severe_n', 'nc_open', 'severe_col',
                                       'actions_overdue_n', 'coverage', 'changes', 'domain', 'score', 'vs_prev', 'vs_year',
                                       'radar_heading', 'heatmap_heading', 'kpi_heading', 'objectives_heading',
                                       'objective', 'due', 'latest', 'forecast_at_due', 'on_track', 'status', 'yes',
                                       'no', 'achieved', 'overdue', 'incidents_heading', 'month', 'incidents', 'mttd',
                                       'mttr', 'reported24', 'nc_heading', 'raised', 'description', 'owner',
                                       'peer_heading', 'explain_deviation', 'explain_coverage', 'explain_forecast',
                                       'note_peers', 'generated', 'none', 'target', 'green', 'amber', 'red',
                                       'dept_heading', 'department', 'company_mean', 'explain_departments']) k);
    SELECT o.name, o.code INTO org FROM @extschema@.organizations o
    WHERE o.organization_id = management_review_html.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', management_review_html.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO mr FROM @extschema@.management_review m
    WHERE m.organization_id = management_review_html.organization_id;
    -- the framework asked for, else the one of the latest organization-wide assessment
    SELECT l.assessment_id, l.framework_id, l.assessed_on INTO la
    FROM @extschema@.latest_assessments(management_review_html.organization_id) l
    WHERE management_review_html.framework_id IS NULL OR l.framework_id = management_review_html.framework_id
    ORDER BY l.assessed_on DESC, l.assessment_id DESC LIMIT 1;
    IF la.assessment_id IS NULL THEN
        RAISE EXCEPTION 'organization % has no organization-wide assessment%', management_review_html.organization_id,
            CASE WHEN management_review_html.framework_id IS NULL THEN ''
                 ELSE ' of framework ' || management_review_html.framework_id END
            USING ERRCODE = 'no_data_found';
    END IF;
    SELECT f.framework_id, f.code, f.name, f.scale_min, f.scale_max INTO fw
    FROM @extschema@.frameworks f WHERE f.framework_id = la.framework_id;
    SELECT pg_catalog.count(*) INTO nq FROM @extschema@.questions q WHERE q.framework_id = fw.framework_id AND q.scored;
    -- total as a percentage of the scale: 100 x (sum over domains of large questions x domain
    -- score / large questions - scale_min) / (scale_max - scale_min), now and at the previous assessment
    SELECT 100 * (pg_catalog.sum(n.n * h.score) / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
           100 * (pg_catalog.sum(n.n * h.previous_score) / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
           100 * pg_catalog.sum(h.answered_questions)::double precision / NULLIF(pg_catalog.sum(h.applicable_questions), 0)
      INTO total_pct, prev_pct, cov
    FROM @extschema@.maturity_history h
    CROSS JOIN LATERAL (SELECT pg_catalog.count(*) AS n FROM @extschema@.questions q
                        WHERE q.domain_id = h.domain_id AND q.scored) n
    WHERE h.assessment_id = la.assessment_id;
    SELECT pg_catalog.count(*) FILTER (WHERE s.on_track), pg_catalog.count(s.on_track) INTO on_track, tracked
    FROM @extschema@.kpis k
    CROSS JOIN LATERAL (SELECT x.on_track FROM @extschema@.kpi_series x WHERE x.kpi_id = k.kpi_id
                        ORDER BY x.measured_on DESC LIMIT 1) s
    WHERE k.organization_id = management_review_html.organization_id;

    -- departments (case A): one row per department, one column per domain; NULL when none
    SELECT '<section><h2>' || @extschema@.html_text(t->>'dept_heading') || '</h2><table><tr><th>'
               || @extschema@.html_text(t->>'department') || '</th>'
               || (SELECT pg_catalog.string_agg('<th class="n">' || @extschema@.html_text(d.code) || '</th>', '' ORDER BY d.display_order)
                   FROM @extschema@.control_domains d WHERE d.framework_id = fw.framework_id) || '</tr>'
               || pg_catalog.string_agg(r.line, E'\n' ORDER BY r.department, r.department_id)
               || (SELECT '<tr><th>' || @extschema@.html_text(t->>'company_mean') || '</th>'
                          || pg_catalog.string_agg('<th class="n">' || @extschema@.report_number(c.mean, 2) || '</th>', '' ORDER BY c.display_order)
                          || '</tr><tr><th>' || @extschema@.html_text(t->>'target') || '</th>'
                          || pg_catalog.string_agg('<th class="n">' || @extschema@.report_number(c.target, 2) || '</th>', '' ORDER BY c.display_order)
                          || '</tr>'
                   FROM (SELECT m.display_order, pg_catalog.max(m.company_mean) AS mean, pg_catalog.max(m.target) AS target
                         FROM @extschema@.department_maturity m
                         WHERE m.organization_id = management_review_html.organization_id AND m.framework = fw.code
                         GROUP BY m.display_order) c)
               || '</table><p class="note">' || @extschema@.html_text(t->>'explain_departments') || '</p></section>'
      INTO sect
    FROM (SELECT m.department_id, m.department,
                 '<tr><td>' || @extschema@.html_text(m.department) || '</td>'
                 || pg_catalog.string_agg(pg_catalog.format('<td class="n%s">%s</td>',
                        CASE WHEN m.gap_to_company < 0 THEN ' neg' WHEN m.gap_to_company > 0 THEN ' pos' ELSE '' END,
                        @extschema@.report_number(m.score, 2)), '' ORDER BY m.display_order) || '</tr>' AS line
          FROM @extschema@.department_maturity m
          WHERE m.organization_id = management_review_html.organization_id AND m.framework = fw.code
          GROUP BY m.department_id, m.department) r;

    html := pg_catalog.concat_ws(E'\n',
        '<!DOCTYPE html>',
        pg_catalog.format('<html lang="%s"><head><meta charset="utf-8"/>', lang),
        pg_catalog.format('<title>%s: %s</title>', @extschema@.html_text(org.name), @extschema@.html_text(t->>'review_title')),
        '<style>
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", "Noto Sans", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo, Arial, sans-serif;
       color: #212121; margin: 20px auto; max-width: 1000px; font-size: 12.5px; line-height: 1.4; }
h1 { font-size: 21px; margin: 0 0 4px; }
h2 { font-size: 15px; border-bottom: 2px solid #37474F; padding-bottom: 2px; margin: 18px 0 6px; }
.sub { color: #616161; margin-bottom: 10px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.card { border: 1px solid #CFD8DC; border-radius: 6px; padding: 6px 10px; }
.card .v { font-size: 19px; font-weight: bold; } .card .k { color: #616161; font-size: 11px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ECEFF1; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #ECEFF1; font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n, td.d { white-space: nowrap; }
.badge { color: #fff; border-radius: 3px; padding: 1px 6px; font-size: 11px; white-space: nowrap; }
.neg { color: #C62828; } .pos { color: #2E7D32; } .note { color: #616161; font-size: 11px; }
.chart { text-align: center; } .chart svg { max-width: 100%; height: auto; }
.chart.wide svg { width: 680px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.chart, .cards, tr { break-inside: avoid; page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { break-after: avoid; }
               .chart.wide svg { width: 128mm; } .chart.map svg { width: 160mm; } }
</style></head><body>',
        pg_catalog.format('<h1>%s: %s</h1>', @extschema@.html_text(org.name), @extschema@.html_text(t->>'review_title')),
        pg_catalog.format('<div class="sub">%s %s &#183; %s %s (%s) %s %s &#183; %s %s &#8211; %s &#183; %s %s</div>',
            @extschema@.html_text(t->>'peer_group'), @extschema@.html_text(mr.peer_group),
            @extschema@.html_text(t->>'framework'), @extschema@.html_text(fw.code), @extschema@.html_text(fw.name),
            @extschema@.html_text(t->>'assessed_on'), la.assessed_on,
            @extschema@.html_text(t->>'period'), today - 365, today,
            @extschema@.html_text(t->>'report_of'), today),

        -- headline figures
        '<section><h2>' || @extschema@.html_text(t->>'headline') || '</h2><div class="cards">',
        pg_catalog.format('<div class="card"><div class="v">%s %%</div><div class="k">%s; %s %s %s</div></div>',
            @extschema@.report_number(total_pct), @extschema@.html_text(t->>'maturity_total'),
            @extschema@.html_text(t->>'change_prev'), @extschema@.report_number(total_pct - prev_pct, 1, true),
            @extschema@.html_text(t->>'pp')),
        pg_catalog.format('<div class="card"><div class="v">%s %%</div><div class="k">%s (%s)</div></div>',
            @extschema@.report_number(cov, 0), @extschema@.html_text(t->>'coverage'), @extschema@.html_text(fw.code)),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.risks_outside_tolerance, @extschema@.html_text(t->>'risks_outside'),
            @extschema@.html_text(pg_catalog.format(t->>'of_n', mr.risks))),
        pg_catalog.format('<div class="card"><div class="v"><span class="badge" style="background:#2E7D32">%s</span> '
                          '<span class="badge" style="background:#F9A825;color:#212121">%s</span> '
                          '<span class="badge" style="background:#C62828">%s</span></div><div class="k">%s</div></div>',
            mr.kpis_green, mr.kpis_amber, mr.kpis_red, @extschema@.html_text(t->>'kpis_rag')),
        pg_catalog.format('<div class="card"><div class="v">%s / %s</div><div class="k">%s</div></div>',
            on_track, tracked, @extschema@.html_text(t->>'objectives_on_track')),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.incidents_12m, @extschema@.html_text(t->>'incidents_12m'),
            @extschema@.html_text(pg_catalog.format(t->>'severe_n', mr.severe_incidents_12m))),
        pg_catalog.format('<div class="card"><div class="v">%s h / %s h</div><div class="k">%s / %s</div></div>',
            @extschema@.report_number(mr.mttd_hours_12m), @extschema@.report_number(mr.mttr_hours_12m),
            @extschema@.html_text(t->>'mttd'), @extschema@.html_text(t->>'mttr')),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.nonconformities_open, @extschema@.html_text(t->>'nc_open'),
            @extschema@.html_text(pg_catalog.format(t->>'actions_overdue_n', mr.corrective_actions_overdue))),
        '</div></section>',

        -- maturity: changes and radar
        '<section><h2>' || @extschema@.html_text(t->>'changes') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th class="n">%s</th><th class="n">%%</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'domain'), @extschema@.html_text(t->>'score'), @extschema@.html_text(t->>'vs_prev'),
            @extschema@.html_text(t->>'vs_year'), @extschema@.html_text(t->>'coverage')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s %s</td><td class="n">%s</td><td class="n">%s</td><td class="n%s">%s</td><td class="n%s">%s</td><td class="n">%s %%</td></tr>',
                    @extschema@.html_text(h.domain), @extschema@.html_text(h.domain_name), @extschema@.report_number(h.score, 2),
                    @extschema@.report_number(h.percentage, 0),
                    CASE WHEN h.change_vs_previous < 0 THEN ' neg' WHEN h.change_vs_previous > 0 THEN ' pos' ELSE '' END,
                    @extschema@.report_number(h.change_vs_previous, 2, true),
                    CASE WHEN h.change_vs_year_ago < 0 THEN ' neg' WHEN h.change_vs_year_ago > 0 THEN ' pos' ELSE '' END,
                    @extschema@.report_number(h.change_vs_year_ago, 2, true), @extschema@.report_number(h.coverage, 0)),
                E'\n' ORDER BY h.display_order)
         FROM @extschema@.maturity_history h WHERE h.assessment_id = la.assessment_id),
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_coverage') || '</p></section>',
        '<section><h2>' || @extschema@.html_text(t->>'radar_heading') || '</h2><div class="chart wide">',
        @extschema@.org_radar_svg(management_review_html.organization_id, fw.code, lang),
        '</div></section>',

        -- risks
        '<section><h2>' || @extschema@.html_text(t->>'heatmap_heading') || '</h2><div class="chart map">',
        @extschema@.risk_heatmap_svg(management_review_html.organization_id, lang),
        '</div></section>',

        -- KPIs and objectives
        '<section><h2>' || @extschema@.html_text(t->>'kpi_heading') || '</h2><div class="grid2">',
        (SELECT pg_catalog.string_agg('<div class="chart">' || @extschema@.kpi_trend_svg(k.kpi_id, lang) || '</div>',
                                      E'\n' ORDER BY k.code)
         FROM @extschema@.kpis k
         WHERE k.organization_id = management_review_html.organization_id
           AND EXISTS (SELECT FROM @extschema@.kpi_measurements m WHERE m.kpi_id = k.kpi_id)),
        '</div></section>',
        '<section><h2>' || @extschema@.html_text(t->>'objectives_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th>%s</th><th>%s</th></tr>',
            @extschema@.html_text(t->>'objective'), 'KPI', @extschema@.html_text(t->>'due'), @extschema@.html_text(t->>'latest'),
            @extschema@.html_text(t->>'target'), @extschema@.html_text(t->>'forecast_at_due'),
            @extschema@.html_text(t->>'on_track'), @extschema@.html_text(t->>'status')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s</td><td class="d">%s</td><td class="d">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td>%s</td><td>%s</td></tr>',
                    @extschema@.html_text(os.objective), @extschema@.html_text(os.kpi), os.due_on,
                    @extschema@.report_number(os.latest_value), @extschema@.report_number(os.target),
                    @extschema@.report_number(CASE WHEN s.objective_id = os.objective_id THEN s.forecast_at_due END),
                    CASE WHEN s.objective_id = os.objective_id AND s.on_track IS NOT NULL
                         THEN @extschema@.html_text(CASE WHEN s.on_track THEN t->>'yes' ELSE t->>'no' END)
                         ELSE '&#8211;' END,
                    CASE WHEN os.achieved THEN '<span class="badge" style="background:#2E7D32">' || @extschema@.html_text(t->>'achieved') || '</span>'
                         WHEN os.overdue THEN '<span class="badge" style="background:#C62828">' || @extschema@.html_text(t->>'overdue') || '</span>'
                         ELSE pg_catalog.format('<span class="badge" style="background:%s">%s</span>',
                                  CASE os.status WHEN 'green' THEN '#2E7D32' WHEN 'amber' THEN '#B28704' WHEN 'red' THEN '#C62828' ELSE '#757575' END,
                                  @extschema@.html_text(COALESCE(t->>os.status, os.status))) END),
                E'\n' ORDER BY os.due_on, os.objective_id)
         FROM @extschema@.objective_status os
         JOIN @extschema@.kpis k ON k.kpi_id = (SELECT x.kpi_id FROM @extschema@.objectives x WHERE x.objective_id = os.objective_id)
         LEFT JOIN LATERAL (SELECT x.objective_id, x.forecast_at_due, x.on_track FROM @extschema@.kpi_series x
                            WHERE x.kpi_id = k.kpi_id ORDER BY x.measured_on DESC LIMIT 1) s ON true
         WHERE os.organization_id = management_review_html.organization_id),
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_forecast') || '</p></section>',

        -- incidents
        '<section><h2>' || @extschema@.html_text(t->>'incidents_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'month'), @extschema@.html_text(t->>'incidents'), @extschema@.html_text(t->>'severe_col'),
            @extschema@.html_text(t->>'mttd'), @extschema@.html_text(t->>'mttr'), @extschema@.html_text(t->>'reported24')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                    pg_catalog.to_char(i.month, 'YYYY-MM'), i.incidents, i.severe_incidents,
                    @extschema@.report_number(i.mttd_hours), @extschema@.report_number(i.mttr_hours),
                    @extschema@.report_number(i.reported_within_24h_pct, 0)), E'\n' ORDER BY i.month)
         FROM @extschema@.incident_metrics_monthly i
         WHERE i.organization_id = management_review_html.organization_id
           AND i.month > pg_catalog.date_trunc('month', (today - 365)::timestamp)::date),
        '</table></section>',

        -- nonconformities
        '<section><h2>' || @extschema@.html_text(t->>'nc_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>',
            @extschema@.html_text(t->>'raised'), @extschema@.html_text(t->>'description'), @extschema@.html_text(t->>'owner'),
            @extschema@.html_text(t->>'due')),
        COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format('<tr><td class="d">%s</td><td>%s</td><td>%s</td><td class="d%s">%s</td></tr>',
                    n.raised_on, @extschema@.html_text(n.description), @extschema@.html_text(n.owner),
                    CASE WHEN n.due_on < today THEN ' neg' ELSE '' END, @extschema@.html_text(n.due_on::text)),
                    E'\n' ORDER BY n.raised_on, n.nonconformity_id)
                  FROM @extschema@.nonconformities n
                  WHERE n.organization_id = management_review_html.organization_id AND n.closed_on IS NULL),
                 '<tr><td colspan="4">' || @extschema@.html_text(t->>'none') || '</td></tr>'),
        '</table></section>',

        -- departments
        sect,

        -- peers
        '<section><h2>' || @extschema@.html_text(t->>'peer_heading') || '</h2><div class="chart">',
        @extschema@.peer_distribution_svg(management_review_html.organization_id, fw.framework_id, lang),
        '</div><p class="note">' || @extschema@.html_text(t->>'explain_deviation') || ' '
            || @extschema@.html_text(t->>'note_peers') || '</p></section>',
        pg_catalog.format('<p class="note">%s %s.</p>', @extschema@.html_text(t->>'generated'), today),
        '</body></html>');
    RETURN html;
END
$$;
COMMENT ON FUNCTION @extschema@.management_review_html(bigint, bigint, text) IS
'A self-contained HTML management review (ISO/IEC 27001 9.3) of an organization for a framework (default: that of its latest organization-wide assessment): headline figures, maturity by domain with changes and coverage, radar, risk heat map, KPI trends, objectives with forecasts, incidents by month, open nonconformities and peer standing; inline SVG, print CSS for A4; lang ''en'' or ''ja''.';

-- ---------------------------------------------------------------------------
-- The generalized model in the views, the live peer distributions and the releases
-- (issue 12): scores and coverage from the shared rules (rules.sql), percentages of the
-- scale beside native scores, a management review row per framework, and a minimum
-- coverage for publishing (ismseval.min_peer_coverage).
-- ---------------------------------------------------------------------------

-- Each peer's domain means in its latest organization-wide assessment of a framework, as
-- one peer_dist per domain. Computed once per (organization, framework): a view joins it
-- laterally, and PL/pgSQL keeps it from being inlined into a per-domain rescan.
CREATE OR REPLACE FUNCTION @extschema@.peer_domain_scores(organization_id bigint, framework_id bigint)
RETURNS TABLE(domain_id bigint, dist @extschema@.peer_dist)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT d.domain_id, @extschema@.peer_dist(s.score)
    FROM @extschema@.peer_organizations(peer_domain_scores.organization_id) p
    CROSS JOIN LATERAL (
        SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
        WHERE l.organization_id = p.peer_id AND l.framework_id = peer_domain_scores.framework_id
    ) pa
    JOIN @extschema@.control_domains d ON d.framework_id = peer_domain_scores.framework_id
    CROSS JOIN LATERAL @extschema@.assessment_domain_score(pa.assessment_id, d.domain_id) s
    WHERE s.score IS NOT NULL
    GROUP BY d.domain_id;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_domain_scores(bigint, bigint) IS
'Per control domain, the distribution of the peers'' domain means (latest organization-wide assessment of the framework; peers = other organizations of the same core business and size band).';

-- The peers' total scores (mean large-question score x number of large questions) in their
-- latest organization-wide assessment of a framework, and how many of them exceed own_total.
CREATE OR REPLACE FUNCTION @extschema@.peer_total_scores(organization_id bigint, framework_id bigint,
                                              own_total double precision)
RETURNS TABLE(dist @extschema@.peer_dist, higher bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT @extschema@.peer_dist(pt.total), pg_catalog.count(*) FILTER (WHERE pt.total > own_total)
    FROM @extschema@.peer_organizations(peer_total_scores.organization_id) p
    CROSS JOIN LATERAL (
        SELECT l.assessment_id FROM @extschema@.latest_organization_assessments() l
        WHERE l.organization_id = p.peer_id AND l.framework_id = peer_total_scores.framework_id
    ) pa
    CROSS JOIN LATERAL (
        SELECT t.total_score AS total FROM @extschema@.assessment_total_score(pa.assessment_id) t
    ) pt
    WHERE pt.total IS NOT NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_total_scores(bigint, bigint, double precision) IS
'The distribution of the peers'' total scores (latest organization-wide assessment of the framework) and the number of peers whose total exceeds own_total.';

-- Every organization's current values per framework (latest organization-wide assessment):
-- each domain mean, only for organizations with an answer in every domain of the framework
-- (a domain = one with scored requirements) and a coverage of at least
-- ismseval.min_peer_coverage %, and each yes/no answer as 100 / 0.
CREATE OR REPLACE FUNCTION @extschema@.peer_current_values()
RETURNS TABLE(organization_id bigint, framework_id bigint, kind text, item_id bigint, value double precision,
              peer_group text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH latest AS (
        SELECT l.organization_id, l.framework_id, l.assessment_id
        FROM @extschema@.latest_organization_assessments() l
    ), domains AS (
        SELECT q.framework_id, pg_catalog.count(DISTINCT q.domain_id) AS n
        FROM @extschema@.questions q WHERE q.scored GROUP BY q.framework_id
    ), means AS (
        -- assessment_domain_score's mean, for every latest assessment at once
        SELECT l.organization_id, l.framework_id, r.domain_id,
               pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL)
                   AS value,
               pg_catalog.count(*) OVER (PARTITION BY l.organization_id, l.framework_id) AS domains_scored,
               pg_catalog.sum(pg_catalog.count(r.percentage)) OVER (PARTITION BY l.organization_id, l.framework_id)
                   AS answered,
               pg_catalog.sum(pg_catalog.count(*) FILTER (WHERE r.applicable))
                   OVER (PARTITION BY l.organization_id, l.framework_id) AS applicable
        FROM latest l
        CROSS JOIN LATERAL @extschema@.assessment_requirement_values(l.assessment_id) r
        GROUP BY l.organization_id, l.framework_id, r.domain_id
        HAVING pg_catalog.count(r.percentage) > 0
    ), v AS (
        SELECT m.organization_id, m.framework_id, 'domain' AS kind, m.domain_id AS item_id, m.value
        FROM means m JOIN domains d ON d.framework_id = m.framework_id AND d.n = m.domains_scored
        -- coverage of the whole assessment at least the minimum for publishing
        WHERE 100 * m.answered >= pg_catalog.current_setting('ismseval.min_peer_coverage')::double precision
                                  * m.applicable
        UNION ALL
        SELECT l.organization_id, l.framework_id, 'question', an.question_id,
               CASE WHEN an.answer_yes THEN 100::double precision ELSE 0::double precision END
        FROM latest l
        JOIN @extschema@.answers an ON an.assessment_id = l.assessment_id AND an.answer_yes IS NOT NULL
    )
    SELECT v.organization_id, v.framework_id, v.kind, v.item_id, v.value,
           @extschema@.peer_group(o.core_business, o.size_band)
    FROM v JOIN @extschema@.organizations o ON o.organization_id = v.organization_id;
END;
COMMENT ON FUNCTION @extschema@.peer_current_values() IS
'Every organization''s current values per framework (latest organization-wide assessment): domain means (only for organizations with a scored answer in every domain) and small answers as 100/0, with the peer group.';

CREATE OR REPLACE VIEW @extschema@.maturity_by_domain WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.core_business,
       o.size_band,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       d.code AS domain,
       d.name AS domain_name,
       d.display_order,
       own.score AS own_score,
       own.answered AS answered_questions,
       pr.peer_mean AS peer_score,
       pr.peer_count AS peer_count,
       own.score - pr.peer_mean AS gap_to_peers,
       COALESCE(mt.target, f.default_target) AS target,
       own.score - COALESCE(mt.target, f.default_target) AS gap_to_target,
       pr.peer_percentile AS peer_percentile,
       pr.as_of AS peer_figures_as_of,
       f.framework_id,
       d.domain_id,
       own.percentage AS own_percentage,
       100 * (pr.peer_mean - f.scale_min) / (f.scale_max - f.scale_min) AS peer_percentage,
       100 * (COALESCE(mt.target, f.default_target) - f.scale_min) / (f.scale_max - f.scale_min) AS target_percentage,
       own.applicable AS applicable_questions,
       own.coverage,
       f.scale_min,
       f.scale_max
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = la.framework_id
CROSS JOIN LATERAL @extschema@.assessment_domain_score(la.assessment_id, d.domain_id) own
LEFT JOIN LATERAL @extschema@.peer_domain_benchmark(o.organization_id, la.framework_id) pr
       ON pr.domain_id = d.domain_id
LEFT JOIN @extschema@.maturity_targets mt
       ON mt.organization_id = o.organization_id AND mt.domain_id = d.domain_id;

COMMENT ON VIEW @extschema@.maturity_by_domain IS
'Per organization, its latest organization-wide assessment of each framework and each control domain (in display order): own mean score and its percentage of the scale, coverage, peers'' mean and count, gaps to peers and to target, own percentile among peers.';

CREATE OR REPLACE VIEW @extschema@.question_peer_rate WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       d.code AS domain,
       lq.code AS large_question,
       q.question_id,
       q.code AS question,
       q.text AS question_text,
       an.answer_yes AS own_answer_yes,
       COALESCE(an.not_applicable, false) AS own_not_applicable,
       pr.peer_rate_pct AS peer_rate_pct,
       pr.peer_count AS peer_count,
       pr.as_of AS peer_figures_as_of,
       f.framework_id,
       an.result AS own_result
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.questions q ON q.framework_id = la.framework_id AND q.assessable AND q.answer_kind = 'yes_no'
LEFT JOIN @extschema@.questions lq ON lq.question_id = q.parent_id
LEFT JOIN @extschema@.control_domains d ON d.domain_id = q.domain_id
LEFT JOIN @extschema@.answers an ON an.assessment_id = la.assessment_id AND an.question_id = q.question_id
LEFT JOIN LATERAL @extschema@.peer_question_benchmark(o.organization_id, la.framework_id) pr
       ON pr.question_id = q.question_id;

COMMENT ON VIEW @extschema@.question_peer_rate IS
'Per small (yes/no) question of the organization''s latest assessment: its own answer and the peer implementation rate, the share of peers answering yes (%).';

CREATE OR REPLACE VIEW @extschema@.org_benchmark WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       o.core_business,
       o.size_band,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       own.total_score,
       own.mean_score,
       own.answered AS answered_questions,
       pr.peer_count AS peer_count,
       pr.peer_mean_total AS peer_mean_total,
       pr.peer_percentile AS peer_percentile,
       pr.deviation_score AS deviation_score,
       pr.peer_rank AS peer_rank,
       pr.peer_count + 1 AS ranked_organizations,
       pr.as_of AS peer_figures_as_of,
       f.framework_id,
       own.total_percentage,
       100 * (pr.peer_mean_total / own.requirements - f.scale_min) / (f.scale_max - f.scale_min)
           AS peer_mean_total_percentage,
       own.mean_percentage,
       own.requirements AS scored_questions,
       own.applicable AS applicable_questions,
       own.coverage
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
CROSS JOIN LATERAL @extschema@.assessment_total_score(la.assessment_id) own
LEFT JOIN LATERAL @extschema@.peer_total_benchmark(o.organization_id, la.framework_id) pr ON true;

COMMENT ON VIEW @extschema@.org_benchmark IS
'Per organization and framework (latest organization-wide assessment): total score, peer group, peer count, percentile, deviation score and rank among peers.';

CREATE OR REPLACE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       b.framework,
       b.assessed_on,
       b.total_score,
       b.mean_score,
       b.peer_mean_total,
       b.peer_count,
       b.peer_percentile,
       b.deviation_score,
       b.peer_rank,
       b.ranked_organizations,
       md.weakest_domain,
       md.domains_below_target,
       md.domains_below_peers,
       rk.risks,
       rk.risks_outside_tolerance,
       rk.risks_top_level,
       rk.acceptances_expired,
       kp.kpis,
       kp.kpis_green,
       kp.kpis_amber,
       kp.kpis_red,
       kp.kpis_stale,
       ob.objectives,
       ob.objectives_achieved,
       ob.objectives_overdue,
       inc.incidents_12m,
       inc.severe_incidents_12m,
       inc.mttd_hours_12m,
       inc.mttr_hours_12m,
       inc.reported_within_24h_pct_12m,
       nc.nonconformities_open,
       nc.corrective_actions_overdue,
       b.peer_figures_as_of,
       b.framework_id,
       b.total_percentage,
       b.peer_mean_total_percentage,
       b.coverage
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id,
           bm.peer_figures_as_of, bm.framework_id, bm.total_percentage, bm.peer_mean_total_percentage,
           bm.coverage
    FROM @extschema@.org_benchmark bm
    WHERE bm.organization_id = o.organization_id
) b ON true
LEFT JOIN LATERAL (
    SELECT (pg_catalog.array_agg(m.domain ORDER BY m.own_score, m.display_order)
                FILTER (WHERE m.own_score IS NOT NULL))[1] AS weakest_domain,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_target < 0) AS domains_below_target,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_peers < 0) AS domains_below_peers
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = o.organization_id AND m.assessment_id = b.assessment_id
) md ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risks,
           pg_catalog.count(*) FILTER (WHERE NOT r.within_tolerance) AS risks_outside_tolerance,
           pg_catalog.count(*) FILTER (
               WHERE r.inherent_level_rank = (SELECT pg_catalog.max(l.rank)
                                              FROM @extschema@.risk_matrix_levels(o.risk_matrix) l))
               AS risks_top_level,
           pg_catalog.count(*) FILTER (WHERE r.acceptance_expired) AS acceptances_expired
    FROM @extschema@.risk_register r
    WHERE r.organization_id = o.organization_id
) rk
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS kpis,
           pg_catalog.count(*) FILTER (WHERE k.status = 'green') AS kpis_green,
           pg_catalog.count(*) FILTER (WHERE k.status = 'amber') AS kpis_amber,
           pg_catalog.count(*) FILTER (WHERE k.status = 'red') AS kpis_red,
           pg_catalog.count(*) FILTER (WHERE k.stale) AS kpis_stale
    FROM @extschema@.kpi_status k
    WHERE k.organization_id = o.organization_id
) kp
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS objectives,
           pg_catalog.count(*) FILTER (WHERE s.achieved) AS objectives_achieved,
           pg_catalog.count(*) FILTER (WHERE s.overdue) AS objectives_overdue
    FROM @extschema@.objective_status s
    WHERE s.organization_id = o.organization_id
) ob
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents_12m,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600) AS mttd_hours_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600) AS mttr_hours_12m,
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct_12m
    FROM @extschema@.incidents i
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= CURRENT_DATE - interval '12 months'
) inc
CROSS JOIN LATERAL (
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.nonconformities n
            WHERE n.organization_id = o.organization_id AND n.closed_on IS NULL) AS nonconformities_open,
           (SELECT pg_catalog.count(*) FROM @extschema@.corrective_actions c
            WHERE c.organization_id = o.organization_id AND c.closed_on IS NULL
              AND c.due_on < CURRENT_DATE) AS corrective_actions_overdue
) nc;

COMMENT ON VIEW @extschema@.management_review IS
'One row per organization and framework it assessed (one row with no framework when it assessed none): the headline figures of a management review (ISO/IEC 27001 9.3) from the latest organization-wide assessment of the framework, with its coverage, and the organization''s risk register, KPIs, objectives, last 12 months of incidents and open nonconformities (the same on each of its rows).';

-- The working group's large-question flags: replaced by questions.scored.
ALTER TABLE @extschema@.questions DROP CONSTRAINT questions_parent_is_large_question_of_same_domain;
ALTER TABLE @extschema@.questions DROP COLUMN is_large, DROP COLUMN parent_is_large;
ALTER TABLE @extschema@.questions ADD CONSTRAINT questions_parent_of_same_framework
    FOREIGN KEY (framework_id, parent_id)
    REFERENCES @extschema@.questions (framework_id, question_id) ON DELETE CASCADE;
CREATE INDEX questions_domain_idx ON @extschema@.questions (domain_id, scored);

-- ---------------------------------------------------------------------------
-- 0.5.0, issue 12 (risks): the current and residual cells of a risk on its organization's
-- matrix, its strength of knowledge, the open and cancelled treatments (CISO Assistant's);
-- the register, heat map, management review, history and heat map chart read the cells. The
-- residual the views use is the rated residual cell, else inherent x (1 - effectiveness).
-- ---------------------------------------------------------------------------

ALTER TABLE @extschema@.risks
    DROP CONSTRAINT risks_treatment_known,
    ADD CONSTRAINT risks_treatment_known
        CHECK (treatment IN ('open', 'mitigate', 'accept', 'transfer', 'avoid', 'cancelled')),
    ADD COLUMN current_likelihood integer,
    ADD COLUMN current_impact integer,
    ADD COLUMN residual_likelihood integer,
    ADD COLUMN residual_impact integer,
    ADD COLUMN strength_of_knowledge integer
        CONSTRAINT risks_strength_of_knowledge_0_to_2 CHECK (strength_of_knowledge BETWEEN 0 AND 2),
    ADD CONSTRAINT risks_current_cell_both_or_none
        CHECK ((current_likelihood IS NULL) = (current_impact IS NULL)),
    ADD CONSTRAINT risks_residual_cell_both_or_none
        CHECK ((residual_likelihood IS NULL) = (residual_impact IS NULL));
COMMENT ON TABLE @extschema@.risks IS
'Risks: the inherent cell (likelihood, impact) and, when rated, the current and residual cells on the organization''s risk matrix, control effectiveness in [0, 1] (the residual when no residual cell is rated), strength of knowledge, treatment, owner and acceptance expiry.';
COMMENT ON COLUMN @extschema@.risks.likelihood IS
'Inherent likelihood (without controls): 1 .. size of the likelihood scale of the organization''s matrix.';
COMMENT ON COLUMN @extschema@.risks.impact IS
'Inherent impact (without controls): 1 .. size of the impact scale of the organization''s matrix.';
COMMENT ON COLUMN @extschema@.risks.control_effectiveness IS
'Effectiveness of the controls, 0 (none) to 1 (complete): the residual score is inherent x (1 - effectiveness) when no residual cell is rated.';
COMMENT ON COLUMN @extschema@.risks.treatment IS
'open (not decided yet), mitigate, accept (needs owner and acceptance_expires), transfer, avoid or cancelled (the risk no longer applies).';
COMMENT ON COLUMN @extschema@.risks.current_likelihood IS
'Likelihood with the controls in place today, 1 .. size of the likelihood scale; NULL (with current_impact) when not rated.';
COMMENT ON COLUMN @extschema@.risks.current_impact IS
'Impact with the controls in place today, 1 .. size of the impact scale; NULL (with current_likelihood) when not rated.';
COMMENT ON COLUMN @extschema@.risks.residual_likelihood IS
'Likelihood once the treatment is done, 1 .. size of the likelihood scale; NULL (with residual_impact) when not rated: the residual then comes from control_effectiveness.';
COMMENT ON COLUMN @extschema@.risks.residual_impact IS
'Impact once the treatment is done, 1 .. size of the impact scale; NULL (with residual_likelihood) when not rated.';
COMMENT ON COLUMN @extschema@.risks.strength_of_knowledge IS
'Strength of the knowledge behind the rating: 0 low, 1 medium, 2 high (CISO Assistant''s values); NULL when not given.';

-- Tenants write every column of their risks but the key (tenancy.sql); the new ones too.
GRANT INSERT (current_likelihood, current_impact, residual_likelihood, residual_impact, strength_of_knowledge),
      UPDATE (current_likelihood, current_impact, residual_likelihood, residual_impact, strength_of_knowledge)
    ON @extschema@.risks TO ismseval_tenant;

-- Checks a risk's ratings against its organization's matrix and its threat's owner. Under
-- row-level security a threat the caller cannot see is reported like one that does not
-- exist (the foreign key sees every row, so another tenant's private threat would pass).
CREATE OR REPLACE FUNCTION @extschema@.risks_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    m           @extschema@.risk_matrix;
    rating      record;
    threat      record;
BEGIN
    -- the share lock serializes this write with a change of the organization's matrix
    SELECT o.risk_matrix INTO m FROM @extschema@.organizations o
    WHERE o.organization_id = NEW.organization_id
    FOR SHARE OF o;
    IF m IS NOT NULL THEN
        -- every rating on its scale: the inherent cell, and the current and residual cells when rated
        FOR rating IN
            SELECT v.what, v.value, v.size
            FROM (VALUES ('likelihood', NEW.likelihood, @extschema@.risk_matrix_likelihood_size(m)),
                         ('impact', NEW.impact, @extschema@.risk_matrix_impact_size(m)),
                         ('current likelihood', NEW.current_likelihood, @extschema@.risk_matrix_likelihood_size(m)),
                         ('current impact', NEW.current_impact, @extschema@.risk_matrix_impact_size(m)),
                         ('residual likelihood', NEW.residual_likelihood, @extschema@.risk_matrix_likelihood_size(m)),
                         ('residual impact', NEW.residual_impact, @extschema@.risk_matrix_impact_size(m))) v(what, value, size)
            WHERE v.value < 1 OR v.value > v.size
        LOOP
            RAISE EXCEPTION '% of risk "%" must be between 1 and % (the organization''s risk matrix), got %',
                rating.what, NEW.title, rating.size, rating.value USING ERRCODE = 'check_violation';
        END LOOP;
    END IF;
    IF NEW.threat_id IS NOT NULL THEN
        SELECT t.organization_id INTO threat FROM @extschema@.threats t WHERE t.threat_id = NEW.threat_id;
        IF NOT FOUND THEN
            -- for a tenant, another tenant's threat is invisible and reported the same way
            RAISE EXCEPTION 'threat % of risk "%" does not exist', NEW.threat_id, NEW.title
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF threat.organization_id <> NEW.organization_id THEN
            RAISE EXCEPTION 'threat % of risk "%" belongs to another organization', NEW.threat_id, NEW.title
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.risks_check() IS
'Trigger: the inherent cell (likelihood, impact) and the current and residual cells, when rated, lie on the organization''s risk matrix (read under a share lock on the organization''s row, so a concurrent matrix change waits or is waited for); the threat is shared or the organization''s own.';

-- Rejects a new risk matrix that existing risks of the organization do not fit.
CREATE OR REPLACE FUNCTION @extschema@.organizations_matrix_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    bad record;
BEGIN
    -- The row is locked for this update before the trigger runs: risk writes of the
    -- organization have committed or wait. Under READ COMMITTED the query below reads
    -- them; a snapshot-bound transaction would miss those committed since it began.
    IF (@extschema@.risk_matrix_likelihood_size(NEW.risk_matrix) < @extschema@.risk_matrix_likelihood_size(OLD.risk_matrix)
        OR @extschema@.risk_matrix_impact_size(NEW.risk_matrix) < @extschema@.risk_matrix_impact_size(OLD.risk_matrix))
       AND pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the risk matrix of organization % can only shrink in a READ COMMITTED transaction', NEW.code
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = pg_catalog.format('This transaction is %s: its check would not see risks committed since it began.',
                                             pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
                  HINT = 'Change the matrix in a READ COMMITTED transaction (the default).';
    END IF;
    -- every cell of every risk: the inherent one, and the current and residual ones when rated
    SELECT r.title, c.what, c.likelihood, c.impact INTO bad
    FROM @extschema@.risks r
    CROSS JOIN LATERAL (VALUES ('', r.likelihood, r.impact),
                               ('current ', r.current_likelihood, r.current_impact),
                               ('residual ', r.residual_likelihood, r.residual_impact)) c(what, likelihood, impact)
    WHERE r.organization_id = NEW.organization_id
      AND (c.likelihood > @extschema@.risk_matrix_likelihood_size(NEW.risk_matrix)
           OR c.impact > @extschema@.risk_matrix_impact_size(NEW.risk_matrix))
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the new risk matrix of organization % does not fit risk "%" (%likelihood %, impact %)',
            NEW.code, bad.title, bad.what, bad.likelihood, bad.impact
            USING ERRCODE = 'check_violation', HINT = 'Re-rate the risks first.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.organizations_matrix_check() IS
'Trigger: an organization''s risk matrix can only shrink to a size its risks'' inherent, current and residual cells still fit, and only in a READ COMMITTED transaction (the check must see every committed risk).';

-- True when (likelihood, impact) is a cell of the matrix.
CREATE FUNCTION @extschema@.risk_cell_on_matrix(matrix @extschema@.risk_matrix, likelihood integer, impact integer)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN likelihood BETWEEN 1 AND @extschema@.risk_matrix_likelihood_size(matrix)
       AND impact BETWEEN 1 AND @extschema@.risk_matrix_impact_size(matrix);
COMMENT ON FUNCTION @extschema@.risk_cell_on_matrix(@extschema@.risk_matrix, integer, integer) IS
'True when (likelihood, impact) is a cell of the matrix: both 1-based and within its scales.';

-- The name of a likelihood level: the scale as risk_matrix_to_jsonb gives it, where the matrix
-- keeps its scale names (else the position, "1" .. "n").
CREATE FUNCTION @extschema@.risk_matrix_likelihood_name(matrix @extschema@.risk_matrix, likelihood integer)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN likelihood BETWEEN 1 AND @extschema@.risk_matrix_likelihood_size(matrix)
            THEN @extschema@.risk_matrix_to_jsonb(matrix) -> 'probability' -> (likelihood - 1) ->> 'name' END;
COMMENT ON FUNCTION @extschema@.risk_matrix_likelihood_name(@extschema@.risk_matrix, integer) IS
'The name of likelihood level likelihood (1-based) of the matrix, as risk_matrix_to_jsonb gives its scale; NULL off the scale.';

-- The name of an impact level, as risk_matrix_likelihood_name.
CREATE FUNCTION @extschema@.risk_matrix_impact_name(matrix @extschema@.risk_matrix, impact integer)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN impact BETWEEN 1 AND @extschema@.risk_matrix_impact_size(matrix)
            THEN @extschema@.risk_matrix_to_jsonb(matrix) -> 'impact' -> (impact - 1) ->> 'name' END;
COMMENT ON FUNCTION @extschema@.risk_matrix_impact_name(@extschema@.risk_matrix, integer) IS
'The name of impact level impact (1-based) of the matrix, as risk_matrix_to_jsonb gives its scale; NULL off the scale.';

-- The residual a risk's views use: its residual cell when rated (basis 'cell': score = residual
-- likelihood x residual impact, the level of that cell), else the effectiveness residual (basis
-- 'effectiveness': score = likelihood x impact x (1 - control effectiveness), its level by
-- residual_level_rank). The rank is NULL when the cell it is read from lies off the matrix; the
-- score is plain arithmetic, which no stored rating can make fail.
CREATE FUNCTION @extschema@.risk_residual(matrix @extschema@.risk_matrix, likelihood integer, impact integer,
                                          control_effectiveness double precision,
                                          residual_likelihood integer, residual_impact integer)
RETURNS TABLE(basis text, score double precision, level_rank integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN x.rated THEN 'cell' ELSE 'effectiveness' END AS basis,
           CASE WHEN x.rated THEN (residual_likelihood * residual_impact)::double precision ELSE x.by_effectiveness END
               AS score,
           CASE WHEN x.rated
                THEN CASE WHEN @extschema@.risk_cell_on_matrix(matrix, residual_likelihood, residual_impact)
                          THEN @extschema@.risk_level_rank(matrix, residual_likelihood, residual_impact) END
                WHEN @extschema@.risk_cell_on_matrix(matrix, likelihood, impact)
                THEN @extschema@.residual_level_rank(matrix, likelihood, impact, x.by_effectiveness) END AS level_rank
    FROM (SELECT residual_likelihood IS NOT NULL AND residual_impact IS NOT NULL AS rated,
                 (likelihood * impact)::double precision * (1 - control_effectiveness) AS by_effectiveness) x;
END;
COMMENT ON FUNCTION @extschema@.risk_residual(@extschema@.risk_matrix, integer, integer, double precision, integer, integer) IS
'The residual of a risk: with a rated residual cell, basis ''cell'', score = residual likelihood x residual impact and that cell''s level rank; else basis ''effectiveness'', score = likelihood x impact x (1 - control effectiveness) and residual_level_rank of it. Rank NULL when the cell lies off the matrix.';

CREATE OR REPLACE VIEW @extschema@.risk_register WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       r.risk_id,
       r.title,
       a.name AS asset,
       a.location AS asset_location,
       a.asset_value,
       t.code AS threat_code,
       t.name AS threat,
       r.likelihood,
       r.impact,
       @extschema@.risk_score(r.likelihood, r.impact) AS inherent_score,
       CASE WHEN cell.inherent THEN @extschema@.risk_level(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level,
       CASE WHEN cell.inherent THEN @extschema@.risk_level_rank(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level_rank,
       CASE WHEN cell.inherent THEN @extschema@.risk_color(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_color,
       r.control_effectiveness,
       res.score AS residual_score,
       lv.name AS residual_level,
       res.level_rank AS residual_level_rank,
       lv.color AS residual_color,
       o.risk_tolerance AS tolerance_level,
       res.level_rank <= @extschema@.risk_level_rank(o.risk_matrix, o.risk_tolerance) AS within_tolerance,
       r.treatment,
       r.owner,
       r.acceptance_expires,
       (r.treatment = 'accept' AND r.acceptance_expires < CURRENT_DATE) AS acceptance_expired,
       r.identified_on,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.likelihood) AS inherent_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.impact) AS inherent_impact_name,
       r.current_likelihood,
       r.current_impact,
       CASE WHEN cell.current THEN @extschema@.risk_level(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_level,
       CASE WHEN cell.current THEN @extschema@.risk_level_rank(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_level_rank,
       CASE WHEN cell.current THEN @extschema@.risk_color(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_color,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.current_likelihood) AS current_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.current_impact) AS current_impact_name,
       r.residual_likelihood,
       r.residual_impact,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.residual_likelihood) AS residual_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.residual_impact) AS residual_impact_name,
       res.basis AS residual_basis,
       r.strength_of_knowledge,
       (ARRAY['low', 'medium', 'high'])[r.strength_of_knowledge + 1] AS strength_of_knowledge_name
FROM @extschema@.organizations o
JOIN @extschema@.risks r ON r.organization_id = o.organization_id
LEFT JOIN @extschema@.assets a ON a.asset_id = r.asset_id
LEFT JOIN @extschema@.threats t ON t.threat_id = r.threat_id
CROSS JOIN LATERAL (
    SELECT @extschema@.risk_cell_on_matrix(o.risk_matrix, r.likelihood, r.impact) AS inherent,
           @extschema@.risk_cell_on_matrix(o.risk_matrix, r.current_likelihood, r.current_impact) AS current
) cell
CROSS JOIN LATERAL @extschema@.risk_residual(o.risk_matrix, r.likelihood, r.impact, r.control_effectiveness,
                                             r.residual_likelihood, r.residual_impact) res
LEFT JOIN LATERAL (
    SELECT l.name, l.color FROM @extschema@.risk_matrix_levels(o.risk_matrix) l WHERE l.rank = res.level_rank
) lv ON true;

COMMENT ON VIEW @extschema@.risk_register IS
'The risk register: the inherent, current and residual cells on the organization''s risk matrix with their levels, colours and scale names; the residual is the rated residual cell, else inherent score x (1 - control effectiveness) (residual_basis says which); tolerance, strength of knowledge and acceptance expiry. A rating outside its organization''s matrix (stored with the checks bypassed) has NULL levels, colours, ranks and names (and within_tolerance when it is the residual''s).';

CREATE OR REPLACE VIEW @extschema@.risk_heatmap WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       c.likelihood,
       c.impact,
       c.score,
       c.level,
       c.rank AS level_rank,
       c.color,
       n.risk_count,
       n.current_risk_count,
       n.residual_risk_count,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, c.likelihood) AS likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, c.impact) AS impact_name
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.risk_matrix_cells(o.risk_matrix) c
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE r.likelihood = c.likelihood AND r.impact = c.impact) AS risk_count,
           pg_catalog.count(*) FILTER (WHERE r.current_likelihood = c.likelihood AND r.current_impact = c.impact)
               AS current_risk_count,
           -- the rated residual cell, else the inherent cell with the likelihood lowered by the controls
           pg_catalog.count(*) FILTER (
               WHERE CASE WHEN r.residual_likelihood IS NOT NULL
                          THEN r.residual_likelihood = c.likelihood AND r.residual_impact = c.impact
                          ELSE @extschema@.risk_cell_on_matrix(o.risk_matrix, r.likelihood, r.impact)
                               AND r.impact = c.impact
                               AND @extschema@.residual_likelihood(r.likelihood, r.control_effectiveness) = c.likelihood
                     END) AS residual_risk_count
    FROM @extschema@.risks r
    WHERE r.organization_id = o.organization_id
) n;

COMMENT ON VIEW @extschema@.risk_heatmap IS
'Every cell of each organization''s risk matrix with its level, colour and scale names and the number of risks in it by their inherent, current and residual cells (0 included); a risk without a rated residual cell counts on the residual side at (residual_likelihood(likelihood, control effectiveness), impact), as risk_heatmap_svg draws it.';

CREATE OR REPLACE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       b.framework,
       b.assessed_on,
       b.total_score,
       b.mean_score,
       b.peer_mean_total,
       b.peer_count,
       b.peer_percentile,
       b.deviation_score,
       b.peer_rank,
       b.ranked_organizations,
       md.weakest_domain,
       md.domains_below_target,
       md.domains_below_peers,
       rk.risks,
       rk.risks_outside_tolerance,
       rk.risks_top_level,
       rk.acceptances_expired,
       kp.kpis,
       kp.kpis_green,
       kp.kpis_amber,
       kp.kpis_red,
       kp.kpis_stale,
       ob.objectives,
       ob.objectives_achieved,
       ob.objectives_overdue,
       inc.incidents_12m,
       inc.severe_incidents_12m,
       inc.mttd_hours_12m,
       inc.mttr_hours_12m,
       inc.reported_within_24h_pct_12m,
       nc.nonconformities_open,
       nc.corrective_actions_overdue,
       b.peer_figures_as_of,
       b.framework_id,
       b.total_percentage,
       b.peer_mean_total_percentage,
       b.coverage,
       rk.risks_current_top_level,
       rk.risks_residual_top_level
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id,
           bm.peer_figures_as_of, bm.framework_id, bm.total_percentage, bm.peer_mean_total_percentage,
           bm.coverage
    FROM @extschema@.org_benchmark bm
    WHERE bm.organization_id = o.organization_id
) b ON true
LEFT JOIN LATERAL (
    SELECT (pg_catalog.array_agg(m.domain ORDER BY m.own_score, m.display_order)
                FILTER (WHERE m.own_score IS NOT NULL))[1] AS weakest_domain,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_target < 0) AS domains_below_target,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_peers < 0) AS domains_below_peers
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = o.organization_id AND m.assessment_id = b.assessment_id
) md ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risks,
           pg_catalog.count(*) FILTER (WHERE NOT r.within_tolerance) AS risks_outside_tolerance,
           pg_catalog.count(*) FILTER (WHERE r.inherent_level_rank = top.rank) AS risks_top_level,
           pg_catalog.count(*) FILTER (WHERE r.acceptance_expired) AS acceptances_expired,
           pg_catalog.count(*) FILTER (WHERE r.current_level_rank = top.rank) AS risks_current_top_level,
           pg_catalog.count(*) FILTER (WHERE r.residual_level_rank = top.rank) AS risks_residual_top_level
    FROM @extschema@.risk_register r
    CROSS JOIN (SELECT pg_catalog.max(l.rank) AS rank FROM @extschema@.risk_matrix_levels(o.risk_matrix) l) top
    WHERE r.organization_id = o.organization_id
) rk
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS kpis,
           pg_catalog.count(*) FILTER (WHERE k.status = 'green') AS kpis_green,
           pg_catalog.count(*) FILTER (WHERE k.status = 'amber') AS kpis_amber,
           pg_catalog.count(*) FILTER (WHERE k.status = 'red') AS kpis_red,
           pg_catalog.count(*) FILTER (WHERE k.stale) AS kpis_stale
    FROM @extschema@.kpi_status k
    WHERE k.organization_id = o.organization_id
) kp
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS objectives,
           pg_catalog.count(*) FILTER (WHERE s.achieved) AS objectives_achieved,
           pg_catalog.count(*) FILTER (WHERE s.overdue) AS objectives_overdue
    FROM @extschema@.objective_status s
    WHERE s.organization_id = o.organization_id
) ob
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents_12m,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600) AS mttd_hours_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600) AS mttr_hours_12m,
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct_12m
    FROM @extschema@.incidents i
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= CURRENT_DATE - interval '12 months'
) inc
CROSS JOIN LATERAL (
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.nonconformities n
            WHERE n.organization_id = o.organization_id AND n.closed_on IS NULL) AS nonconformities_open,
           (SELECT pg_catalog.count(*) FROM @extschema@.corrective_actions c
            WHERE c.organization_id = o.organization_id AND c.closed_on IS NULL
              AND c.due_on < CURRENT_DATE) AS corrective_actions_overdue
) nc;

COMMENT ON VIEW @extschema@.management_review IS
'One row per organization and framework it assessed (one row with no framework when it assessed none): the headline figures of a management review (ISO/IEC 27001 9.3) from the latest organization-wide assessment of the framework, with its coverage, and the organization''s risk register, KPIs, objectives, last 12 months of incidents and open nonconformities (the same on each of its rows).';

-- The label key in language lang ('en' or 'ja'); 22023 for another language, the key itself
-- for an unknown key.
CREATE OR REPLACE FUNCTION @extschema@.report_label(key text, lang text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
DECLARE
    result  text;
BEGIN
    IF lang NOT IN ('en', 'ja') THEN
        RAISE EXCEPTION 'lang must be ''en'' or ''ja'', got ''%''', lang
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN lang = 'ja' THEN l.ja ELSE l.en END INTO result
    FROM (VALUES
        ('own', 'Own', '自組織'),
        ('peers', 'Peers (mean)', '同業他社（平均）'),
        ('peers_missing', 'Peers: not shown (too few peers)', '同業他社：表示なし（社数不足）'),
        ('target', 'Target', '目標'),
        ('maturity', 'maturity', '成熟度'),
        ('scale_note', 'scale %s-%s, centre = %s', '尺度 %s～%s、中心 = %s'),
        ('inherent', 'Inherent risk', '固有リスク'),
        ('residual', 'Residual risk (as rated, else controls lower the likelihood)', '残留リスク（評価値、未評価は管理策で発生可能性を低減）'),
        ('likelihood', 'Likelihood', '発生可能性'),
        ('impact', 'Impact', '影響度'),
        ('risk_map', 'risk map', 'リスクマップ'),
        ('risks', 'risks', '件のリスク'),
        ('forecast', 'forecast', '予測'),
        ('green', 'green', '緑'),
        ('amber', 'amber', '黄'),
        ('red', 'red', '赤'),
        ('peer_position', 'position among peers', '同業他社の中での位置'),
        ('peer_mean', 'peer mean', '同業他社平均'),
        ('peers_below', 'peers below', '下位の社'),
        ('peers_equal', 'equal', '同点'),
        ('peers_above', 'peers above', '上位の社'),
        ('total_pct', 'total score, % of the scale', '総合点（尺度に対する%）'),
        ('percentile', 'percentile', 'パーセンタイル'),
        ('rank_of', 'rank %1$s of %2$s', '%2$s社中 %1$s位'),
        ('deviation', 'deviation score', '偏差値'),
        ('published', 'peer figures published', '同業他社の数値の公表日'),
        ('no_peer_figures', 'No peer figures: too few peers, or none published yet.', '同業他社の数値なし：社数不足または未公表。'),
        ('review_title', 'Information security management review', '情報セキュリティ マネジメントレビュー'),
        ('peer_group', 'Peer group', '同業グループ'),
        ('framework', 'Framework', 'フレームワーク'),
        ('assessed_on', 'assessment of', '評価日'),
        ('report_of', 'Report of', '作成日'),
        ('period', 'Incident and risk period', 'インシデント・リスクの対象期間'),
        ('headline', 'Headline figures', '主要指標'),
        ('maturity_total', 'Maturity (total, % of the scale)', '成熟度（総合、尺度に対する%）'),
        ('change_prev', 'change since the previous assessment', '前回評価からの変化'),
        ('pp', 'points', 'ポイント'),
        ('risks_outside', 'Risks outside tolerance', '許容範囲外のリスク'),
        ('of_n', 'of %s', '全 %s 件中'),
        ('kpis_rag', 'KPIs green / amber / red', 'KPI 緑／黄／赤'),
        ('objectives_on_track', 'Objectives on track', '達成見込みの目標'),
        ('incidents_12m', 'Incidents, last 12 months', 'インシデント（過去12か月）'),
        ('severe_n', '%s severe', '重大 %s 件'),
        ('severe_col', 'Severe', '重大'),
        ('nc_open', 'Open nonconformities', '未完了の不適合'),
        ('actions_overdue_n', '%s corrective actions overdue', '是正処置の期限超過 %s 件'),
        ('coverage', 'Coverage', '回答率'),
        ('changes', 'Maturity by domain and changes since the last review', '領域別の成熟度と前回レビューからの変化'),
        ('domain', 'Domain', '領域'),
        ('score', 'Score', 'スコア'),
        ('vs_prev', 'vs previous', '前回比'),
        ('vs_year', 'vs a year ago', '前年比'),
        ('radar_heading', 'Maturity against peers and target', '成熟度：同業他社・目標との比較'),
        ('heatmap_heading', 'Risk map', 'リスクマップ'),
        ('kpi_heading', 'KPI trends', 'KPIの推移'),
        ('objectives_heading', 'Objectives', '情報セキュリティ目標'),
        ('objective', 'Objective', '目標'),
        ('due', 'Due', '期限'),
        ('latest', 'Latest', '最新値'),
        ('forecast_at_due', 'Forecast at due date', '期限時点の予測'),
        ('on_track', 'On track', '達成見込み'),
        ('status', 'Status', '状態'),
        ('yes', 'yes', 'はい'),
        ('no', 'no', 'いいえ'),
        ('achieved', 'achieved', '達成'),
        ('overdue', 'overdue', '期限超過'),
        ('incidents_heading', 'Incidents by month', '月別インシデント'),
        ('month', 'Month', '月'),
        ('incidents', 'Incidents', '件数'),
        ('mttd', 'Mean time to detect (h)', '平均検知時間（時間）'),
        ('mttr', 'Mean time to resolve (h)', '平均復旧時間（時間）'),
        ('reported24', 'Reported within 24 h (%)', '24時間以内の報告（%）'),
        ('nc_heading', 'Nonconformities and corrective actions', '不適合と是正処置'),
        ('raised', 'Raised', '発生日'),
        ('description', 'Description', '内容'),
        ('owner', 'Owner', '責任者'),
        ('peer_heading', 'Standing among peers', '同業他社の中での位置'),
        ('explain_deviation', 'The deviation score places the total score among the peers: 50 is the peer mean and every 10 points is one standard deviation (60 is above about 84 % of a normal distribution). The percentile is the share of peers below the organization, ties counted as half. Both are of the value published in the latest peer release.', '偏差値は総合点が同業他社の中でどの位置にあるかを示します。50が平均で、10ポイントが標準偏差1つ分です（60は正規分布のおよそ84%を上回ります）。パーセンタイルは自組織より下位の同業他社の割合で、同点は半分と数えます。いずれも最新の公表値に基づきます。'),
        ('explain_coverage', 'Coverage is the share of the applicable large questions answered with a score; where it is low, the score rests on few answers.', '回答率は、該当する大設問のうちスコアが付いた割合です。回答率が低い領域のスコアは少数の回答に基づいています。'),
        ('explain_forecast', 'Forecast: the least-squares trend of the last 6 measurements, extended to the objective''s due date.', '予測：直近6回の測定値の最小二乗トレンドを目標の期限まで延長した値。'),
        ('note_peers', 'Peer figures come from the latest published release and are shown only where enough peers stand behind them.', '同業他社の数値は最新の公表値で、十分な社数がある場合にのみ表示されます。'),
        ('generated', 'Generated by ismseval', 'ismseval により作成'),
        ('none', 'none', 'なし'),
        ('dept_heading', 'Departments against the company-wide mean', '部門別：全社平均との比較'),
        ('department', 'Department', '部門'),
        ('company_mean', 'Company-wide mean', '全社平均'),
        ('explain_departments', 'Each department''s domain score in its latest assessment: green above the company-wide mean (the mean over the departments, each counted once), red below.', '各部門の最新の評価における領域スコア。全社平均（各部門を1回ずつ数えた平均）より高いものを緑、低いものを赤で示します。')
    ) l(key, en, ja)
    WHERE l.key = report_label.key;
    RETURN COALESCE(result, key);
END
$$;
COMMENT ON FUNCTION @extschema@.report_label(text, text) IS
'The text of a chart or report label in English (lang ''en'') or Japanese (''ja''); 22023 for another language.';

CREATE OR REPLACE FUNCTION @extschema@.risk_heatmap_svg(organization_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    org     record;
    inh     integer[];
    res     integer[];
    n       bigint;
BEGIN
    SELECT o.name, o.risk_matrix INTO org FROM @extschema@.organizations o
    WHERE o.organization_id = risk_heatmap_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', risk_heatmap_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- one count per cell, row-major by likelihood, as risk_heatmap counts them
    SELECT pg_catalog.array_agg(h.risk_count::integer ORDER BY h.likelihood, h.impact),
           pg_catalog.array_agg(h.residual_risk_count::integer ORDER BY h.likelihood, h.impact)
      INTO inh, res
    FROM @extschema@.risk_heatmap h
    WHERE h.organization_id = risk_heatmap_svg.organization_id;
    SELECT pg_catalog.sum(x) INTO n FROM pg_catalog.unnest(inh) x;
    RETURN @extschema@.heatmap_svg(org.risk_matrix, inh, res,
        pg_catalog.format('%s: %s (%s %s)', org.name, @extschema@.report_label('risk_map', lang), n,
                          @extschema@.report_label('risks', lang)),
        ARRAY[@extschema@.report_label('inherent', lang), @extschema@.report_label('residual', lang),
              @extschema@.report_label('likelihood', lang), @extschema@.report_label('impact', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.risk_heatmap_svg(bigint, text) IS
'SVG heat map of an organization''s risks on its matrix, inherent and residual side by side (the counts of risk_heatmap: the rated residual cell, else residual_likelihood x impact), with level colours, scale labels and a count per cell; lang ''en'' or ''ja''.';

COMMENT ON COLUMN @extschema@.risk_quantified.treatment IS 'open, mitigate, accept, transfer, avoid or cancelled.';

-- The history: the new cells, the residual as the register reads it.
ALTER TABLE @extschema@.risk_rating_changes
    ADD COLUMN current_likelihood integer,
    ADD COLUMN current_impact integer,
    ADD COLUMN current_level_rank integer,
    ADD COLUMN residual_likelihood integer,
    ADD COLUMN residual_impact integer;
COMMENT ON TABLE @extschema@.risk_rating_changes IS
'The dated history of risk ratings, written by the trigger on risks: opened (insert, dated identified_on), rated (a change of the inherent, current or residual cell, control effectiveness or treatment, dated the day of the change) and closed (delete). Levels and tolerance as they were on the organization''s matrix at the time. Tenants read their organizations'' rows; only administrators write.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.risk_id IS
'The risk (no foreign key: the history outlives a deleted, that is closed, risk).';
COMMENT ON COLUMN @extschema@.risk_rating_changes.changed_on IS
'Date of the change: identified_on for opened, the current date for rated and closed.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.inherent_level IS
'Level of the (likelihood, impact) cell on the organization''s matrix at the time; NULL when the rating lay off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_score IS
'The residual score as risk_register gives it (risk_residual): residual likelihood x residual impact when the residual cell is rated, else likelihood x impact x (1 - control effectiveness).';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_level_rank IS
'0-based rank of the residual level (risk_residual: of the rated residual cell, else of the effectiveness residual) on the matrix of the time; NULL off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.current_likelihood IS
'The current likelihood (with today''s controls); NULL when not rated.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.current_impact IS
'The current impact; NULL when not rated.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.current_level_rank IS
'0-based rank of the level of the current cell on the matrix of the time; NULL when not rated or off the matrix.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_likelihood IS
'The rated residual likelihood; NULL when the residual came from control effectiveness.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.residual_impact IS
'The rated residual impact; NULL when the residual came from control effectiveness.';
COMMENT ON COLUMN @extschema@.risk_rating_changes.within_tolerance IS
'True when the residual level was at or below the organization''s tolerance at the time; NULL off the matrix.';

-- Records a risk's rating in risk_rating_changes (trigger on risks, AFTER INSERT/UPDATE/DELETE).
-- SECURITY DEFINER: a tenant writes its risks but cannot write the history itself.
CREATE OR REPLACE FUNCTION @extschema@.risks_record_rating()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    r       record;
    org     record;
    ev      text;
    day     date;
    res     record;
    inh     boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := OLD; ev := 'closed'; day := CURRENT_DATE;
    ELSIF TG_OP = 'INSERT' THEN
        r := NEW; ev := 'opened'; day := NEW.identified_on;
        -- a restore (pg_dump data) re-inserts risks whose history is already there
        IF EXISTS (SELECT FROM @extschema@.risk_rating_changes c WHERE c.risk_id = NEW.risk_id) THEN
            RETURN NULL;
        END IF;
    ELSE
        IF (NEW.likelihood, NEW.impact, NEW.current_likelihood, NEW.current_impact, NEW.residual_likelihood,
            NEW.residual_impact, NEW.control_effectiveness, NEW.treatment)
           IS NOT DISTINCT FROM (OLD.likelihood, OLD.impact, OLD.current_likelihood, OLD.current_impact,
                                 OLD.residual_likelihood, OLD.residual_impact, OLD.control_effectiveness, OLD.treatment) THEN
            RETURN NULL;
        END IF;
        r := NEW; ev := 'rated'; day := CURRENT_DATE;
    END IF;
    SELECT o.risk_matrix, o.risk_tolerance INTO org
    FROM @extschema@.organizations o WHERE o.organization_id = r.organization_id;
    IF NOT FOUND THEN
        RETURN NULL;    -- the organization is being deleted: its history goes with it
    END IF;
    -- the residual as risk_register reads it; a rating off the matrix (a risk stored past
    -- risks_check) is recorded without its level, so that it can still be re-rated or closed
    SELECT * INTO res FROM @extschema@.risk_residual(org.risk_matrix, r.likelihood, r.impact, r.control_effectiveness,
                                                     r.residual_likelihood, r.residual_impact);
    inh := @extschema@.risk_cell_on_matrix(org.risk_matrix, r.likelihood, r.impact);
    INSERT INTO @extschema@.risk_rating_changes
        (organization_id, risk_id, title, event, changed_on, likelihood, impact, control_effectiveness,
         treatment, inherent_level, inherent_level_rank, residual_score, residual_level_rank, within_tolerance,
         current_likelihood, current_impact, current_level_rank, residual_likelihood, residual_impact)
    VALUES (r.organization_id, r.risk_id, r.title, ev, day, r.likelihood, r.impact, r.control_effectiveness,
            r.treatment,
            CASE WHEN inh THEN @extschema@.risk_level(org.risk_matrix, r.likelihood, r.impact) END,
            CASE WHEN inh THEN @extschema@.risk_level_rank(org.risk_matrix, r.likelihood, r.impact) END,
            res.score, res.level_rank,
            res.level_rank <= @extschema@.risk_level_rank(org.risk_matrix, org.risk_tolerance),
            r.current_likelihood, r.current_impact,
            CASE WHEN @extschema@.risk_cell_on_matrix(org.risk_matrix, r.current_likelihood, r.current_impact)
                 THEN @extschema@.risk_level_rank(org.risk_matrix, r.current_likelihood, r.current_impact) END,
            r.residual_likelihood, r.residual_impact);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.risks_record_rating() IS
'Trigger: records a risk''s opening, each change of its rating (inherent, current or residual cell, control effectiveness, treatment) and its closing (delete) in risk_rating_changes.';

-- Its row type has the new columns: the body's s.* is expanded anew.
-- The state of each of the organization's risks at the end of a day: its latest change
-- on or before that day, when that is not a closing.
CREATE OR REPLACE FUNCTION @extschema@.risk_states_on(organization_id bigint, day date)
RETURNS SETOF @extschema@.risk_rating_changes
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT s.* FROM (
        SELECT DISTINCT ON (c.risk_id) c.*
        FROM @extschema@.risk_rating_changes c
        WHERE c.organization_id = risk_states_on.organization_id AND c.changed_on <= risk_states_on.day
        ORDER BY c.risk_id, c.changed_on DESC, c.change_id DESC
    ) s
    WHERE s.event <> 'closed';
END;
COMMENT ON FUNCTION @extschema@.risk_states_on(bigint, date) IS
'The organization''s open risks at the end of day, each as its latest rating change on or before that day (risks whose latest change is a closing are left out).';

-- It reads risk_states_on's rows: recreated with their new columns.
-- Risk figures of an organization over a window: risks opened and closed from from_date to
-- to_date (both included) and the open risks at the end of to_date.
CREATE OR REPLACE FUNCTION @extschema@.risk_changes(organization_id bigint, from_date date, to_date date)
RETURNS TABLE(opened bigint, closed bigint, open_risks bigint, outside_tolerance bigint,
              rerated bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.risk_rating_changes c
            WHERE c.organization_id = risk_changes.organization_id AND c.event = 'opened'
              AND c.changed_on BETWEEN from_date AND to_date),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_rating_changes c
            WHERE c.organization_id = risk_changes.organization_id AND c.event = 'closed'
              AND c.changed_on BETWEEN from_date AND to_date),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_states_on(risk_changes.organization_id, to_date) s),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_states_on(risk_changes.organization_id, to_date) s
            WHERE NOT s.within_tolerance),
           (SELECT pg_catalog.count(*) FROM @extschema@.risk_rating_changes c
            WHERE c.organization_id = risk_changes.organization_id AND c.event = 'rated'
              AND c.changed_on BETWEEN from_date AND to_date);
END;
COMMENT ON FUNCTION @extschema@.risk_changes(bigint, date, date) IS
'Risks of an organization opened, closed and re-rated from from_date to to_date (both included), and the open risks and those outside tolerance at the end of to_date.';

CREATE OR REPLACE VIEW @extschema@.risk_history WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       m.month,
       m.month_end,
       l.name AS level,
       l.rank AS level_rank,
       l.color,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.inherent_ranks) x WHERE x = l.rank) AS inherent_risks,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.residual_ranks) x WHERE x = l.rank) AS residual_risks,
       st.open_risks,
       st.outside_tolerance,
       ch.opened,
       ch.closed,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.current_ranks) x WHERE x = l.rank) AS current_risks
FROM @extschema@.organizations o
CROSS JOIN LATERAL (
    SELECT pg_catalog.min(c.changed_on) AS first_day FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id
) f
CROSS JOIN LATERAL pg_catalog.generate_series(pg_catalog.date_trunc('month', f.first_day::timestamp),
                                              pg_catalog.date_trunc('month', CURRENT_DATE::timestamp),
                                              interval '1 month') g(m)
CROSS JOIN LATERAL (
    SELECT g.m::date AS month, (g.m + interval '1 month')::date - 1 AS month_end
) m
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS open_risks,
           pg_catalog.count(*) FILTER (WHERE NOT s.within_tolerance) AS outside_tolerance,
           pg_catalog.array_agg(s.inherent_level_rank) AS inherent_ranks,
           pg_catalog.array_agg(s.residual_level_rank) AS residual_ranks,
           pg_catalog.array_agg(s.current_level_rank) AS current_ranks
    FROM @extschema@.risk_states_on(o.organization_id, m.month_end) s
) st
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE c.event = 'opened') AS opened,
           pg_catalog.count(*) FILTER (WHERE c.event = 'closed') AS closed
    FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id AND c.changed_on BETWEEN m.month AND m.month_end
) ch
CROSS JOIN LATERAL @extschema@.risk_matrix_levels(o.risk_matrix) l;

COMMENT ON VIEW @extschema@.risk_history IS
'Per organization, calendar month (from the month of its first recorded risk rating to the current month) and level of its current risk matrix: the open risks at the month''s end at that inherent, residual and current level; and per month (repeated on each level row, count them once with level_rank = 0): open risks, those outside tolerance, risks opened and closed in the month.';


-- A framework keeps its domain level once it has requirements, and a scale (its own or a
-- requirement's) holds the answers (model.sql).
-- Keeps a framework's answers and tree valid when it changes: the domain level is fixed
-- once the framework has requirements, and a new scale must still hold every answer's
-- score and every target.
CREATE FUNCTION @extschema@.frameworks_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    bad record;
BEGIN
    IF NEW.domain_level <> OLD.domain_level
       AND EXISTS (SELECT FROM @extschema@.questions q WHERE q.framework_id = NEW.framework_id) THEN
        RAISE EXCEPTION 'the domain level of framework % cannot change: it has requirements', NEW.code
            USING ERRCODE = 'check_violation', HINT = 'Delete its requirements first, or import it again as a new framework.';
    END IF;
    IF NEW.scale_min > OLD.scale_min OR NEW.scale_max < OLD.scale_max THEN
        SELECT q.code, an.score INTO bad
        FROM @extschema@.questions q
        JOIN @extschema@.answers an ON an.question_id = q.question_id
        WHERE q.framework_id = NEW.framework_id AND q.score_min IS NULL
          AND (an.score < NEW.scale_min OR an.score > NEW.scale_max)
        ORDER BY q.display_order, q.question_id, an.score
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'the new scale % to % of framework % does not hold the score % of question %',
                NEW.scale_min, NEW.scale_max, NEW.code, bad.score, bad.code
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT d.code, mt.target INTO bad
        FROM @extschema@.control_domains d
        JOIN @extschema@.maturity_targets mt ON mt.domain_id = d.domain_id
        WHERE d.framework_id = NEW.framework_id AND NOT (mt.target BETWEEN NEW.scale_min AND NEW.scale_max)
        ORDER BY d.display_order, mt.organization_id
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'the new scale % to % of framework % does not hold the target % of domain %',
                NEW.scale_min, NEW.scale_max, NEW.code, bad.target, bad.code
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.frameworks_check() IS
'Trigger: a framework''s domain level is fixed once it has requirements; a narrower scale must still hold its answers'' scores and its targets.';
CREATE TRIGGER frameworks_check BEFORE UPDATE OF domain_level, scale_min, scale_max ON @extschema@.frameworks
    FOR EACH ROW EXECUTE FUNCTION @extschema@.frameworks_check();

-- Fills a requirement node's depth and default answer kind, and checks that its parent
-- is in its framework and domain, that the tree has no cycle and that its domain fits
-- the framework's domain level.
CREATE OR REPLACE FUNCTION @extschema@.questions_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    parent      record;
    level       integer;
    ancestor    bigint;
    steps       integer := 0;
BEGIN
    SELECT f.domain_level INTO level FROM @extschema@.frameworks f WHERE f.framework_id = NEW.framework_id;
    level := COALESCE(level, 1);   -- the foreign key reports an unknown framework
    IF NEW.parent_id IS NULL THEN
        -- a top-level node, the node of a top-level domain, or a node directly under a
        -- domain that has no node of its own (the working group's large questions)
        NEW.depth := COALESCE(NEW.depth, CASE WHEN NEW.domain_id IS NULL THEN 1 ELSE level + 1 END);
        IF NOT (NEW.depth = 1 AND (NEW.domain_id IS NULL OR level = 1)
                OR NEW.depth = level + 1 AND NEW.domain_id IS NOT NULL) THEN
            RAISE EXCEPTION 'requirement % without a parent cannot be at depth %', NEW.code, NEW.depth
                USING ERRCODE = 'check_violation',
                      DETAIL = pg_catalog.format('The framework''s domains are at depth %s.', level);
        END IF;
        NEW.answer_kind := COALESCE(NEW.answer_kind, 'score');
    ELSE
        SELECT p.depth, p.domain_id, p.scored, p.code INTO parent
        FROM @extschema@.questions p
        WHERE p.question_id = NEW.parent_id AND p.framework_id = NEW.framework_id;
        IF NOT FOUND THEN
            RETURN NEW;     -- the foreign key reports a parent of another framework or none
        END IF;
        NEW.depth := parent.depth + 1;
        NEW.answer_kind := COALESCE(NEW.answer_kind, CASE WHEN parent.scored THEN 'yes_no' ELSE 'score' END);
        NEW.domain_id := COALESCE(NEW.domain_id, parent.domain_id);
        IF parent.domain_id IS NOT NULL AND NEW.domain_id <> parent.domain_id THEN
            RAISE EXCEPTION 'requirement % must be in the domain of its parent %', NEW.code, parent.code
                USING ERRCODE = 'check_violation';
        END IF;
        -- a cycle: walking up from the parent reaches the node itself
        ancestor := NEW.parent_id;
        WHILE ancestor IS NOT NULL AND steps <= 1000 LOOP
            IF ancestor = NEW.question_id THEN
                RAISE EXCEPTION 'requirement % cannot be its own ancestor', NEW.code
                    USING ERRCODE = 'check_violation', DETAIL = 'Its parent chain leads back to it (a cycle).';
            END IF;
            SELECT p.parent_id INTO ancestor FROM @extschema@.questions p WHERE p.question_id = ancestor;
            steps := steps + 1;
        END LOOP;
    END IF;
    IF NEW.domain_id IS NULL AND NEW.depth >= level THEN
        RAISE EXCEPTION 'requirement % (depth %) needs a domain: the framework''s domains are at depth %',
            NEW.code, NEW.depth, level USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.domain_id IS NOT NULL AND NEW.depth < level THEN
        RAISE EXCEPTION 'requirement % (depth %) is above the domain level % and cannot be in a domain',
            NEW.code, NEW.depth, level USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.domain_id IS NOT NULL AND NEW.depth = level
       AND EXISTS (SELECT FROM @extschema@.questions o
                   WHERE o.domain_id = NEW.domain_id AND o.depth = level AND o.question_id <> NEW.question_id) THEN
        RAISE EXCEPTION 'domain of requirement % already has its node at depth %', NEW.code, level
            USING ERRCODE = 'check_violation', DETAIL = 'A control domain is one node of the domain level.';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.score_min IS DISTINCT FROM OLD.score_min OR NEW.score_max IS DISTINCT FROM OLD.score_max)
       AND EXISTS (SELECT FROM @extschema@.answers an JOIN @extschema@.frameworks f ON f.framework_id = NEW.framework_id
                   WHERE an.question_id = NEW.question_id
                     AND (an.score < COALESCE(NEW.score_min, f.scale_min) OR an.score > COALESCE(NEW.score_max, f.scale_max))) THEN
        RAISE EXCEPTION 'the new range of requirement % does not hold its answers'' scores', NEW.code
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.depth <> OLD.depth OR NEW.domain_id IS DISTINCT FROM OLD.domain_id)
       AND EXISTS (SELECT FROM @extschema@.questions c WHERE c.parent_id = NEW.question_id) THEN
        RAISE EXCEPTION 'requirement % has children: its depth and domain cannot change', NEW.code
            USING ERRCODE = 'check_violation', HINT = 'Move or delete its children first.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.questions_check() IS
'Trigger: fills depth and the default answer kind of a requirement node; its parent is in its framework and domain, the tree has no cycle, and nodes in a domain are at or below the framework''s domain level.';

-- ---------------------------------------------------------------------------
-- load_csv reads real exports (issue 12): a delimiter option (CISO Assistant and Excel in
-- many locales write ";"), header => false, a byte-order mark in either case; its hint points
-- to a README anchor. The old signatures go: one definition each, with defaulted arguments.
-- ---------------------------------------------------------------------------
DROP FUNCTION @extschema@.load_csv(text, text);
DROP FUNCTION @extschema@.csv_header_columns(text);
-- Splits a CSV header line into column names (quotes removed, "" unescaped), the fields
-- separated by delimiter (one character; blanks around a field other than the delimiter dropped).
CREATE FUNCTION @extschema@.csv_header_columns(header text, delimiter text DEFAULT ',')
RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.array_agg(
               CASE WHEN m[1] LIKE '"%' THEN pg_catalog.replace(pg_catalog.substr(m[1], 2, pg_catalog.length(m[1]) - 2), '""', '"')
                    ELSE pg_catalog.btrim(m[1]) END
               ORDER BY n)
    FROM (SELECT pg_catalog.regexp_replace(delimiter, '([^[:alnum:]])', '\\\1') AS d,
                 CASE delimiter WHEN ' ' THEN '\t*' WHEN E'\t' THEN ' *' ELSE '[ \t]*' END AS pad) p,
         pg_catalog.regexp_matches(@extschema@.csv_strip_bom(pg_catalog.rtrim(header, E'\r')) || delimiter,
                                   p.pad || '("(?:[^"]|"")*"|[^' || p.d || ']*)' || p.pad || p.d, 'g')
         WITH ORDINALITY AS r(m, n);
END;
COMMENT ON FUNCTION @extschema@.csv_header_columns(text, text) IS
'The column names of a CSV header line whose fields are separated by delimiter (default a comma), in order; a leading byte-order mark, quotes and a trailing carriage return removed.';

-- Loads a server-side CSV file into a model table, all rows or none (see the comment at the top).
-- delimiter: the field separator; header: the first line names the columns (else the fields
-- are the table's loadable columns in table order, as COPY without a column list reads them).
CREATE FUNCTION @extschema@.load_csv(table_name text, path text, delimiter text DEFAULT ',',
                                     header boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql AS
$$
DECLARE
    target      regclass;
    header_line text;
    cols        text[];
    col         text;
    coltype     text;
    attrs       record;
    stage_cols  text := '';
    insert_cols text := '';
    select_list text := '';
    ins_sql     text;
    n_rows      bigint;
    bad_line    bigint;
    skipped     integer := CASE WHEN header THEN 1 ELSE 0 END;   -- lines before the first row
    err_state   text;
    err_msg     text;
    err_detail  text;
    err_context text;
BEGIN
    IF table_name IS NULL OR path IS NULL OR delimiter IS NULL OR header IS NULL THEN
        RAISE EXCEPTION 'load_csv: table_name, path, delimiter and header must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF pg_catalog.octet_length(delimiter) <> 1 THEN
        RAISE EXCEPTION 'load_csv: delimiter must be one single-byte character, got "%"', delimiter
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Exports use "," or ";": see README.md#functions (load_csv).';
    END IF;
    IF delimiter = '"' OR (pg_catalog.ascii(delimiter) < 32 AND delimiter <> E'\t') THEN
        RAISE EXCEPTION 'load_csv: delimiter must not be the quote character ("), a line break or a control character other than tab, got %',
            CASE WHEN delimiter = '"' THEN '''"''' ELSE 'chr(' || pg_catalog.ascii(delimiter) || ')' END
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.loadable_tables() l WHERE l.table_name = load_csv.table_name) THEN
        RAISE EXCEPTION 'load_csv: table_name must be one of the model tables (%), got "%"',
            (SELECT pg_catalog.string_agg(l.table_name, ', ' ORDER BY l.load_order) FROM @extschema@.loadable_tables() l),
            table_name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    target := pg_catalog.format('%I.%I', '@extschema@', table_name)::regclass;

    IF header THEN
        -- The header: the first physical line, read without any quoting or escaping.
        IF pg_catalog.to_regclass('pg_temp.ismseval_load_lines') IS NOT NULL THEN
            DROP TABLE pg_temp.ismseval_load_lines;
        END IF;
        CREATE TEMP TABLE ismseval_load_lines (n bigint GENERATED ALWAYS AS IDENTITY, line text);
        EXECUTE pg_catalog.format('COPY pg_temp.ismseval_load_lines (line) FROM %L WITH (FORMAT csv, DELIMITER %L, QUOTE %L)',
                                  path, E'\x01', E'\x02');
        SELECT l.line INTO header_line FROM pg_temp.ismseval_load_lines l ORDER BY l.n LIMIT 1;
        DROP TABLE pg_temp.ismseval_load_lines;
        IF header_line IS NULL THEN
            RAISE EXCEPTION 'load_csv: %: line 1: the file is empty; it needs a header line naming the columns', path
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        cols := @extschema@.csv_header_columns(header_line, delimiter);
    ELSE
        -- No header: every column COPY would read without a column list, in table order.
        SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) INTO cols
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    END IF;

    -- Every column must be a writable column of the table, once.
    FOR i IN 1 .. pg_catalog.cardinality(cols) LOOP
        col := cols[i];
        IF pg_catalog.array_position(cols, col) <> i THEN
            RAISE EXCEPTION 'load_csv: %: line 1: column "%" appears twice in the header', path, col
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT a.attgenerated, pg_catalog.format_type(a.atttypid, a.atttypmod) AS typ INTO attrs
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = target AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'load_csv: %: line 1: "%" is not a column of table %', path, col, table_name
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = CASE WHEN pg_catalog.cardinality(cols) = 1 AND delimiter = ',' AND pg_catalog.strpos(col, ';') > 0
                                  THEN 'The fields look separated by ";": pass delimiter => '';''. '
                                  ELSE '' END
                             || 'The header names columns of the table: see README.md#tables-and-their-csv-copy-formats.';
        END IF;
        IF attrs.attgenerated <> '' THEN
            RAISE EXCEPTION 'load_csv: %: line 1: column "%" of table % is computed and cannot be loaded', path, col, table_name
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        coltype := attrs.typ;
        stage_cols := stage_cols || pg_catalog.format(', %I text', col);
        insert_cols := insert_cols || CASE WHEN i > 1 THEN ', ' ELSE '' END || pg_catalog.quote_ident(col);
        select_list := select_list || CASE WHEN i > 1 THEN ', ' ELSE '' END
                       || pg_catalog.format('s.%I::%s', col, coltype);
    END LOOP;

    -- Stage the rows as text, numbered in file order; the key makes the row-by-row
    -- search below read one row per line (it scanned the whole table for each).
    IF pg_catalog.to_regclass('pg_temp.ismseval_load_stage') IS NOT NULL THEN
        DROP TABLE pg_temp.ismseval_load_stage;
    END IF;
    EXECUTE pg_catalog.format('CREATE TEMP TABLE ismseval_load_stage (ismseval_line bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY%s)',
                              stage_cols);
    BEGIN
        EXECUTE pg_catalog.format('COPY pg_temp.ismseval_load_stage (%s) FROM %L WITH (FORMAT csv, HEADER %s, DELIMITER %L)',
                                  insert_cols, path, CASE WHEN header THEN 'true' ELSE 'false' END, delimiter);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_msg = MESSAGE_TEXT,
                                err_context = PG_EXCEPTION_CONTEXT;
        RAISE EXCEPTION 'load_csv: %: line %: %', path,
            coalesce(pg_catalog.substring(err_context, 'ismseval_load_stage, line ([0-9]+)'), '?'), err_msg
            USING ERRCODE = err_state;
    END;
    -- Without a header, a byte-order mark would begin the first field of the first row.
    IF NOT header THEN
        EXECUTE pg_catalog.format('UPDATE pg_temp.ismseval_load_stage SET %1$I = @extschema@.csv_strip_bom(%1$I) WHERE ismseval_line = 1',
                                  cols[1]);
    END IF;

    ins_sql := pg_catalog.format('INSERT INTO %s (%s) SELECT %s FROM pg_temp.ismseval_load_stage s',
                                 target, insert_cols, select_list);
    -- Fast path: all rows in one statement.
    BEGIN
        EXECUTE ins_sql || ' ORDER BY s.ismseval_line';
        GET DIAGNOSTICS n_rows = ROW_COUNT;
        DROP TABLE pg_temp.ismseval_load_stage;
        RETURN n_rows;
    EXCEPTION WHEN OTHERS THEN
        NULL;   -- find the first bad row below
    END;

    -- Slow path: row by row until the first failure, reported with its line
    -- (record number, + 1 for a header); raising undoes the rows before it.
    FOR bad_line IN SELECT s.ismseval_line FROM pg_temp.ismseval_load_stage s ORDER BY s.ismseval_line LOOP
        BEGIN
            EXECUTE ins_sql || ' WHERE s.ismseval_line = $1' USING bad_line;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_msg = MESSAGE_TEXT,
                                    err_detail = PG_EXCEPTION_DETAIL;
            IF coalesce(err_detail, '') = '' THEN
                RAISE EXCEPTION 'load_csv: %: line %: %', path, bad_line + skipped, err_msg
                    USING ERRCODE = err_state, HINT = 'Nothing of the file was loaded.';
            END IF;
            RAISE EXCEPTION 'load_csv: %: line %: %', path, bad_line + skipped, err_msg
                USING ERRCODE = err_state, DETAIL = err_detail,
                      HINT = 'Nothing of the file was loaded.';
        END;
    END LOOP;
    -- Every row loads on its own but not all together (a rule across rows).
    EXECUTE ins_sql || ' ORDER BY s.ismseval_line';
    GET DIAGNOSTICS n_rows = ROW_COUNT;
    DROP TABLE pg_temp.ismseval_load_stage;
    RETURN n_rows;
END
$$;
COMMENT ON FUNCTION @extschema@.load_csv(text, text, text, boolean) IS
'Loads a server-side CSV file into a model table, all rows or none: fields separated by delimiter (default a comma), a header line naming the columns (or, header => false, the table''s columns in order), a leading UTF-8 byte-order mark skipped; the first bad row is reported as "line N" with its error''s SQLSTATE. Returns the number of rows loaded.';

-- ---------------------------------------------------------------------------
-- 0.5.0, issue 12 (real GRC data in): risk_matrix keeps the labels of CISO Assistant's
-- matrices (abbreviation, description, translations of every scale entry and level, scale
-- names and colours) in storage layout 2, and a level without hexcolor takes the default
-- palette's colour. Values stored in layout 1 (0.1.0 to 0.4.0) read as they are.
-- ---------------------------------------------------------------------------

COMMENT ON FUNCTION @extschema@.risk_matrix_in(cstring) IS
'Text input of risk_matrix: likelihood N [(entries)] impact N [(entries)] levels ("name" [#RRGGBB] [{labels}], ...) then thresholds (...) or grid ((...), ...).';

COMMENT ON TYPE @extschema@.risk_matrix IS
'A validated risk matrix: likelihood and impact scales (2 to 10 each), 2 to 100 named levels '
'(lowest first) with #RRGGBB colours, and the cell-to-level mapping given by score thresholds or cell by cell; '
'every scale entry and level may carry an abbreviation, a description and translations.';

COMMENT ON FUNCTION @extschema@.risk_matrix_eq(@extschema@.risk_matrix, @extschema@.risk_matrix) IS
'True when both matrices have equal scales, levels (names and colours), cell-to-level mapping and labels.';

COMMENT ON FUNCTION @extschema@.risk_matrix_ne(@extschema@.risk_matrix, @extschema@.risk_matrix) IS
'True when the matrices differ in scales, levels, cell-to-level mapping or labels.';

COMMENT ON OPERATOR @extschema@.= (@extschema@.risk_matrix, @extschema@.risk_matrix) IS
'risk_matrix equality: equal scales, levels, cell-to-level mapping and labels.';

COMMENT ON FUNCTION @extschema@.risk_matrix_from_jsonb(jsonb) IS
'A risk_matrix from a CISO Assistant definition: probability[], impact[], risk[] (name, abbreviation, description, '
'hexcolor, translations; risk lowest first, a risk without hexcolor takes the default palette''s) '
'and grid[probability][impact] of 0-based risk indices, at the top level or inside "fields" or "json_definition". '
'Probability index 0 is likelihood 1. 22023 on a bad shape.';

COMMENT ON FUNCTION @extschema@.risk_matrix_to_jsonb(@extschema@.risk_matrix) IS
'The matrix in CISO Assistant''s shape with every label (a scale entry without a name is named by its index; '
'a level coloured by the default palette has no hexcolor); reads back through risk_matrix_from_jsonb to an equal matrix.';

-- risk_matrix_levels gains columns: the views that read it move to the new function
-- (same definitions), then the old one goes.
ALTER FUNCTION @extschema@.risk_matrix_levels(@extschema@.risk_matrix) RENAME TO risk_matrix_levels_0_4;
CREATE FUNCTION @extschema@.risk_matrix_levels(matrix @extschema@.risk_matrix)
RETURNS TABLE(rank integer, name text, color text, abbreviation text, description text,
              translations jsonb, default_color boolean)
AS 'MODULE_PATHNAME', 'risk_matrix_levels'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.risk_matrix_levels(@extschema@.risk_matrix) IS
'One row per level, lowest first: 0-based rank, name, colour (#RRGGBB), abbreviation, description, '
'translations ({"fr": {"name": ..., "description": ...}}; NULL when none) and whether the colour is the default palette''s.';

CREATE OR REPLACE VIEW @extschema@.risk_register WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       r.risk_id,
       r.title,
       a.name AS asset,
       a.location AS asset_location,
       a.asset_value,
       t.code AS threat_code,
       t.name AS threat,
       r.likelihood,
       r.impact,
       @extschema@.risk_score(r.likelihood, r.impact) AS inherent_score,
       CASE WHEN cell.inherent THEN @extschema@.risk_level(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level,
       CASE WHEN cell.inherent THEN @extschema@.risk_level_rank(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level_rank,
       CASE WHEN cell.inherent THEN @extschema@.risk_color(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_color,
       r.control_effectiveness,
       res.score AS residual_score,
       lv.name AS residual_level,
       res.level_rank AS residual_level_rank,
       lv.color AS residual_color,
       o.risk_tolerance AS tolerance_level,
       res.level_rank <= @extschema@.risk_level_rank(o.risk_matrix, o.risk_tolerance) AS within_tolerance,
       r.treatment,
       r.owner,
       r.acceptance_expires,
       (r.treatment = 'accept' AND r.acceptance_expires < CURRENT_DATE) AS acceptance_expired,
       r.identified_on,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.likelihood) AS inherent_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.impact) AS inherent_impact_name,
       r.current_likelihood,
       r.current_impact,
       CASE WHEN cell.current THEN @extschema@.risk_level(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_level,
       CASE WHEN cell.current THEN @extschema@.risk_level_rank(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_level_rank,
       CASE WHEN cell.current THEN @extschema@.risk_color(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_color,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.current_likelihood) AS current_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.current_impact) AS current_impact_name,
       r.residual_likelihood,
       r.residual_impact,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.residual_likelihood) AS residual_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.residual_impact) AS residual_impact_name,
       res.basis AS residual_basis,
       r.strength_of_knowledge,
       (ARRAY['low', 'medium', 'high'])[r.strength_of_knowledge + 1] AS strength_of_knowledge_name
FROM @extschema@.organizations o
JOIN @extschema@.risks r ON r.organization_id = o.organization_id
LEFT JOIN @extschema@.assets a ON a.asset_id = r.asset_id
LEFT JOIN @extschema@.threats t ON t.threat_id = r.threat_id
CROSS JOIN LATERAL (
    SELECT @extschema@.risk_cell_on_matrix(o.risk_matrix, r.likelihood, r.impact) AS inherent,
           @extschema@.risk_cell_on_matrix(o.risk_matrix, r.current_likelihood, r.current_impact) AS current
) cell
CROSS JOIN LATERAL @extschema@.risk_residual(o.risk_matrix, r.likelihood, r.impact, r.control_effectiveness,
                                             r.residual_likelihood, r.residual_impact) res
LEFT JOIN LATERAL (
    SELECT l.name, l.color FROM @extschema@.risk_matrix_levels(o.risk_matrix) l WHERE l.rank = res.level_rank
) lv ON true;

COMMENT ON VIEW @extschema@.risk_register IS
'The risk register: the inherent, current and residual cells on the organization''s risk matrix with their levels, colours and scale names; the residual is the rated residual cell, else inherent score x (1 - control effectiveness) (residual_basis says which); tolerance, strength of knowledge and acceptance expiry. A rating outside its organization''s matrix (stored with the checks bypassed) has NULL levels, colours, ranks and names (and within_tolerance when it is the residual''s).';

CREATE OR REPLACE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       b.framework,
       b.assessed_on,
       b.total_score,
       b.mean_score,
       b.peer_mean_total,
       b.peer_count,
       b.peer_percentile,
       b.deviation_score,
       b.peer_rank,
       b.ranked_organizations,
       md.weakest_domain,
       md.domains_below_target,
       md.domains_below_peers,
       rk.risks,
       rk.risks_outside_tolerance,
       rk.risks_top_level,
       rk.acceptances_expired,
       kp.kpis,
       kp.kpis_green,
       kp.kpis_amber,
       kp.kpis_red,
       kp.kpis_stale,
       ob.objectives,
       ob.objectives_achieved,
       ob.objectives_overdue,
       inc.incidents_12m,
       inc.severe_incidents_12m,
       inc.mttd_hours_12m,
       inc.mttr_hours_12m,
       inc.reported_within_24h_pct_12m,
       nc.nonconformities_open,
       nc.corrective_actions_overdue,
       b.peer_figures_as_of,
       b.framework_id,
       b.total_percentage,
       b.peer_mean_total_percentage,
       b.coverage,
       rk.risks_current_top_level,
       rk.risks_residual_top_level
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id,
           bm.peer_figures_as_of, bm.framework_id, bm.total_percentage, bm.peer_mean_total_percentage,
           bm.coverage
    FROM @extschema@.org_benchmark bm
    WHERE bm.organization_id = o.organization_id
) b ON true
LEFT JOIN LATERAL (
    SELECT (pg_catalog.array_agg(m.domain ORDER BY m.own_score, m.display_order)
                FILTER (WHERE m.own_score IS NOT NULL))[1] AS weakest_domain,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_target < 0) AS domains_below_target,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_peers < 0) AS domains_below_peers
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = o.organization_id AND m.assessment_id = b.assessment_id
) md ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risks,
           pg_catalog.count(*) FILTER (WHERE NOT r.within_tolerance) AS risks_outside_tolerance,
           pg_catalog.count(*) FILTER (WHERE r.inherent_level_rank = top.rank) AS risks_top_level,
           pg_catalog.count(*) FILTER (WHERE r.acceptance_expired) AS acceptances_expired,
           pg_catalog.count(*) FILTER (WHERE r.current_level_rank = top.rank) AS risks_current_top_level,
           pg_catalog.count(*) FILTER (WHERE r.residual_level_rank = top.rank) AS risks_residual_top_level
    FROM @extschema@.risk_register r
    CROSS JOIN (SELECT pg_catalog.max(l.rank) AS rank FROM @extschema@.risk_matrix_levels(o.risk_matrix) l) top
    WHERE r.organization_id = o.organization_id
) rk
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS kpis,
           pg_catalog.count(*) FILTER (WHERE k.status = 'green') AS kpis_green,
           pg_catalog.count(*) FILTER (WHERE k.status = 'amber') AS kpis_amber,
           pg_catalog.count(*) FILTER (WHERE k.status = 'red') AS kpis_red,
           pg_catalog.count(*) FILTER (WHERE k.stale) AS kpis_stale
    FROM @extschema@.kpi_status k
    WHERE k.organization_id = o.organization_id
) kp
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS objectives,
           pg_catalog.count(*) FILTER (WHERE s.achieved) AS objectives_achieved,
           pg_catalog.count(*) FILTER (WHERE s.overdue) AS objectives_overdue
    FROM @extschema@.objective_status s
    WHERE s.organization_id = o.organization_id
) ob
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents_12m,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600) AS mttd_hours_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600) AS mttr_hours_12m,
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct_12m
    FROM @extschema@.incidents i
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= CURRENT_DATE - interval '12 months'
) inc
CROSS JOIN LATERAL (
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.nonconformities n
            WHERE n.organization_id = o.organization_id AND n.closed_on IS NULL) AS nonconformities_open,
           (SELECT pg_catalog.count(*) FROM @extschema@.corrective_actions c
            WHERE c.organization_id = o.organization_id AND c.closed_on IS NULL
              AND c.due_on < CURRENT_DATE) AS corrective_actions_overdue
) nc;

COMMENT ON VIEW @extschema@.management_review IS
'One row per organization and framework it assessed (one row with no framework when it assessed none): the headline figures of a management review (ISO/IEC 27001 9.3) from the latest organization-wide assessment of the framework, with its coverage, and the organization''s risk register, KPIs, objectives, last 12 months of incidents and open nonconformities (the same on each of its rows).';

CREATE OR REPLACE VIEW @extschema@.risk_history WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       m.month,
       m.month_end,
       l.name AS level,
       l.rank AS level_rank,
       l.color,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.inherent_ranks) x WHERE x = l.rank) AS inherent_risks,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.residual_ranks) x WHERE x = l.rank) AS residual_risks,
       st.open_risks,
       st.outside_tolerance,
       ch.opened,
       ch.closed,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.current_ranks) x WHERE x = l.rank) AS current_risks
FROM @extschema@.organizations o
CROSS JOIN LATERAL (
    SELECT pg_catalog.min(c.changed_on) AS first_day FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id
) f
CROSS JOIN LATERAL pg_catalog.generate_series(pg_catalog.date_trunc('month', f.first_day::timestamp),
                                              pg_catalog.date_trunc('month', CURRENT_DATE::timestamp),
                                              interval '1 month') g(m)
CROSS JOIN LATERAL (
    SELECT g.m::date AS month, (g.m + interval '1 month')::date - 1 AS month_end
) m
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS open_risks,
           pg_catalog.count(*) FILTER (WHERE NOT s.within_tolerance) AS outside_tolerance,
           pg_catalog.array_agg(s.inherent_level_rank) AS inherent_ranks,
           pg_catalog.array_agg(s.residual_level_rank) AS residual_ranks,
           pg_catalog.array_agg(s.current_level_rank) AS current_ranks
    FROM @extschema@.risk_states_on(o.organization_id, m.month_end) s
) st
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE c.event = 'opened') AS opened,
           pg_catalog.count(*) FILTER (WHERE c.event = 'closed') AS closed
    FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id AND c.changed_on BETWEEN m.month AND m.month_end
) ch
CROSS JOIN LATERAL @extschema@.risk_matrix_levels(o.risk_matrix) l;

COMMENT ON VIEW @extschema@.risk_history IS
'Per organization, calendar month (from the month of its first recorded risk rating to the current month) and level of its current risk matrix: the open risks at the month''s end at that inherent, residual and current level; and per month (repeated on each level row, count them once with level_rank = 0): open risks, those outside tolerance, risks opened and closed in the month.';

DROP FUNCTION @extschema@.risk_matrix_levels_0_4(@extschema@.risk_matrix);

CREATE FUNCTION @extschema@.risk_matrix_likelihood_scale(matrix @extschema@.risk_matrix)
RETURNS TABLE(likelihood integer, name text, color text, abbreviation text, description text,
              translations jsonb)
AS 'MODULE_PATHNAME', 'risk_matrix_likelihood_scale'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.risk_matrix_likelihood_scale(@extschema@.risk_matrix) IS
'One row per likelihood, 1 first: its name (the likelihood as text when it has none), colour (#RRGGBB or NULL), '
'abbreviation, description and translations (jsonb; NULL when none).';

CREATE FUNCTION @extschema@.risk_matrix_impact_scale(matrix @extschema@.risk_matrix)
RETURNS TABLE(impact integer, name text, color text, abbreviation text, description text,
              translations jsonb)
AS 'MODULE_PATHNAME', 'risk_matrix_impact_scale'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.risk_matrix_impact_scale(@extschema@.risk_matrix) IS
'One row per impact, 1 first: its name (the impact as text when it has none), colour (#RRGGBB or NULL), '
'abbreviation, description and translations (jsonb; NULL when none).';

-- ---------------------------------------------------------------------------
-- issue 12 (applicability.sql, new): the Statement of Applicability and coverage through
-- mappings (issue 12); several frameworks per organization: department_maturity's framework_id,
-- management_review's comments, a headline row per framework in the report
-- ---------------------------------------------------------------------------
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

-- department_maturity (history.sql): framework_id at the end
CREATE OR REPLACE VIEW @extschema@.department_maturity WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       dp.department_id,
       dp.name AS department,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       d.code AS domain,
       d.name AS domain_name,
       d.display_order,
       s.score,
       s.percentage,
       s.coverage,
       COALESCE(mt.target, f.default_target) AS target,
       s.score - COALESCE(mt.target, f.default_target) AS gap_to_target,
       cw.company_mean,
       s.score - cw.company_mean AS gap_to_company,
       cw.departments AS company_departments,
       f.framework_id
FROM @extschema@.organizations o
JOIN @extschema@.departments dp ON dp.organization_id = o.organization_id
CROSS JOIN LATERAL @extschema@.latest_department_assessments(dp.department_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = la.framework_id
CROSS JOIN LATERAL @extschema@.assessment_domain_score(la.assessment_id, d.domain_id) s
CROSS JOIN LATERAL (
    SELECT pg_catalog.avg(x.score) AS company_mean, pg_catalog.count(x.score) AS departments
    FROM @extschema@.departments d2
    CROSS JOIN LATERAL @extschema@.latest_department_assessments(d2.department_id) l2
    CROSS JOIN LATERAL @extschema@.assessment_domain_score(l2.assessment_id, d.domain_id) x
    WHERE d2.organization_id = o.organization_id AND l2.framework_id = la.framework_id
) cw
LEFT JOIN @extschema@.maturity_targets mt
       ON mt.organization_id = o.organization_id AND mt.domain_id = d.domain_id;

-- The report's labels (charts.sql) and the report (report.sql): a headline row per framework
-- The label key in language lang ('en' or 'ja'); 22023 for another language, the key itself
-- for an unknown key.
CREATE OR REPLACE FUNCTION @extschema@.report_label(key text, lang text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
DECLARE
    result  text;
BEGIN
    IF lang NOT IN ('en', 'ja') THEN
        RAISE EXCEPTION 'lang must be ''en'' or ''ja'', got ''%''', lang
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN lang = 'ja' THEN l.ja ELSE l.en END INTO result
    FROM (VALUES
        ('own', 'Own', '自組織'),
        ('peers', 'Peers (mean)', '同業他社（平均）'),
        ('peers_missing', 'Peers: not shown (too few peers)', '同業他社：表示なし（社数不足）'),
        ('target', 'Target', '目標'),
        ('maturity', 'maturity', '成熟度'),
        ('scale_note', 'scale %s-%s, centre = %s', '尺度 %s～%s、中心 = %s'),
        ('inherent', 'Inherent risk', '固有リスク'),
        ('residual', 'Residual risk (as rated, else controls lower the likelihood)', '残留リスク（評価値、未評価は管理策で発生可能性を低減）'),
        ('likelihood', 'Likelihood', '発生可能性'),
        ('impact', 'Impact', '影響度'),
        ('risk_map', 'risk map', 'リスクマップ'),
        ('risks', 'risks', '件のリスク'),
        ('forecast', 'forecast', '予測'),
        ('green', 'green', '緑'),
        ('amber', 'amber', '黄'),
        ('red', 'red', '赤'),
        ('peer_position', 'position among peers', '同業他社の中での位置'),
        ('peer_mean', 'peer mean', '同業他社平均'),
        ('peers_below', 'peers below', '下位の社'),
        ('peers_equal', 'equal', '同点'),
        ('peers_above', 'peers above', '上位の社'),
        ('total_pct', 'total score, % of the scale', '総合点（尺度に対する%）'),
        ('percentile', 'percentile', 'パーセンタイル'),
        ('rank_of', 'rank %1$s of %2$s', '%2$s社中 %1$s位'),
        ('deviation', 'deviation score', '偏差値'),
        ('published', 'peer figures published', '同業他社の数値の公表日'),
        ('no_peer_figures', 'No peer figures: too few peers, or none published yet.', '同業他社の数値なし：社数不足または未公表。'),
        ('review_title', 'Information security management review', '情報セキュリティ マネジメントレビュー'),
        ('peer_group', 'Peer group', '同業グループ'),
        ('framework', 'Framework', 'フレームワーク'),
        ('assessed_on', 'assessment of', '評価日'),
        ('report_of', 'Report of', '作成日'),
        ('period', 'Incident and risk period', 'インシデント・リスクの対象期間'),
        ('headline', 'Headline figures', '主要指標'),
        ('maturity_total', 'Maturity (total, % of the scale)', '成熟度（総合、尺度に対する%）'),
        ('change_prev', 'change since the previous assessment', '前回評価からの変化'),
        ('pp', 'points', 'ポイント'),
        ('risks_outside', 'Risks outside tolerance', '許容範囲外のリスク'),
        ('of_n', 'of %s', '全 %s 件中'),
        ('kpis_rag', 'KPIs green / amber / red', 'KPI 緑／黄／赤'),
        ('objectives_on_track', 'Objectives on track', '達成見込みの目標'),
        ('incidents_12m', 'Incidents, last 12 months', 'インシデント（過去12か月）'),
        ('severe_n', '%s severe', '重大 %s 件'),
        ('severe_col', 'Severe', '重大'),
        ('nc_open', 'Open nonconformities', '未完了の不適合'),
        ('actions_overdue_n', '%s corrective actions overdue', '是正処置の期限超過 %s 件'),
        ('coverage', 'Coverage', '回答率'),
        ('changes', 'Maturity by domain and changes since the last review', '領域別の成熟度と前回レビューからの変化'),
        ('domain', 'Domain', '領域'),
        ('score', 'Score', 'スコア'),
        ('vs_prev', 'vs previous', '前回比'),
        ('vs_year', 'vs a year ago', '前年比'),
        ('radar_heading', 'Maturity against peers and target', '成熟度：同業他社・目標との比較'),
        ('heatmap_heading', 'Risk map', 'リスクマップ'),
        ('kpi_heading', 'KPI trends', 'KPIの推移'),
        ('objectives_heading', 'Objectives', '情報セキュリティ目標'),
        ('objective', 'Objective', '目標'),
        ('due', 'Due', '期限'),
        ('latest', 'Latest', '最新値'),
        ('forecast_at_due', 'Forecast at due date', '期限時点の予測'),
        ('on_track', 'On track', '達成見込み'),
        ('status', 'Status', '状態'),
        ('yes', 'yes', 'はい'),
        ('no', 'no', 'いいえ'),
        ('achieved', 'achieved', '達成'),
        ('overdue', 'overdue', '期限超過'),
        ('incidents_heading', 'Incidents by month', '月別インシデント'),
        ('month', 'Month', '月'),
        ('incidents', 'Incidents', '件数'),
        ('mttd', 'Mean time to detect (h)', '平均検知時間（時間）'),
        ('mttr', 'Mean time to resolve (h)', '平均復旧時間（時間）'),
        ('reported24', 'Reported within 24 h (%)', '24時間以内の報告（%）'),
        ('nc_heading', 'Nonconformities and corrective actions', '不適合と是正処置'),
        ('raised', 'Raised', '発生日'),
        ('description', 'Description', '内容'),
        ('owner', 'Owner', '責任者'),
        ('peer_heading', 'Standing among peers', '同業他社の中での位置'),
        ('explain_deviation', 'The deviation score places the total score among the peers: 50 is the peer mean and every 10 points is one standard deviation (60 is above about 84 % of a normal distribution). The percentile is the share of peers below the organization, ties counted as half. Both are of the value published in the latest peer release.', '偏差値は総合点が同業他社の中でどの位置にあるかを示します。50が平均で、10ポイントが標準偏差1つ分です（60は正規分布のおよそ84%を上回ります）。パーセンタイルは自組織より下位の同業他社の割合で、同点は半分と数えます。いずれも最新の公表値に基づきます。'),
        ('explain_coverage', 'Coverage is the share of the applicable large questions answered with a score; where it is low, the score rests on few answers.', '回答率は、該当する大設問のうちスコアが付いた割合です。回答率が低い領域のスコアは少数の回答に基づいています。'),
        ('explain_forecast', 'Forecast: the least-squares trend of the last 6 measurements, extended to the objective''s due date.', '予測：直近6回の測定値の最小二乗トレンドを目標の期限まで延長した値。'),
        ('note_peers', 'Peer figures come from the latest published release and are shown only where enough peers stand behind them.', '同業他社の数値は最新の公表値で、十分な社数がある場合にのみ表示されます。'),
        ('generated', 'Generated by ismseval', 'ismseval により作成'),
        ('none', 'none', 'なし'),
        ('dept_heading', 'Departments against the company-wide mean', '部門別：全社平均との比較'),
        ('department', 'Department', '部門'),
        ('company_mean', 'Company-wide mean', '全社平均'),
        ('explain_departments', 'Each department''s domain score in its latest assessment: green above the company-wide mean (the mean over the departments, each counted once), red below.', '各部門の最新の評価における領域スコア。全社平均（各部門を1回ずつ数えた平均）より高いものを緑、低いものを赤で示します。'),
        ('assessed', 'Assessed', '評価日'),
        ('explain_frameworks', 'One row per framework the organization assessed organization-wide, from its latest assessment of it; the sections below are about the framework in bold.', '組織全体で評価したフレームワークごとに、その最新の評価の値を1行で示します。以下の各節は太字のフレームワークについてのものです。')
    ) l(key, en, ja)
    WHERE l.key = report_label.key;
    RETURN COALESCE(result, key);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.management_review_html(organization_id bigint, framework_id bigint DEFAULT NULL,
                                                   lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
DECLARE
    t           jsonb;
    org         record;
    mr          record;
    fw          record;
    la          record;
    framework_rows text;
    on_track    bigint;
    tracked     bigint;
    today       date := CURRENT_DATE;
    html        text;
    sect        text;
BEGIN
    t := (SELECT pg_catalog.jsonb_object_agg(k, @extschema@.report_label(k, lang))
          FROM pg_catalog.unnest(ARRAY['review_title', 'peer_group', 'framework', 'assessed_on', 'report_of', 'period',
                                       'headline', 'maturity_total', 'change_prev', 'pp', 'risks_outside', 'of_n',
                                       'kpis_rag', 'objectives_on_track', 'incidents_12m', 'severe_n', 'nc_open', 'severe_col',
                                       'actions_overdue_n', 'coverage', 'changes', 'domain', 'score', 'vs_prev', 'vs_year',
                                       'radar_heading', 'heatmap_heading', 'kpi_heading', 'objectives_heading',
                                       'objective', 'due', 'latest', 'forecast_at_due', 'on_track', 'status', 'yes',
                                       'no', 'achieved', 'overdue', 'incidents_heading', 'month', 'incidents', 'mttd',
                                       'mttr', 'reported24', 'nc_heading', 'raised', 'description', 'owner',
                                       'peer_heading', 'explain_deviation', 'explain_coverage', 'explain_forecast',
                                       'note_peers', 'generated', 'none', 'target', 'green', 'amber', 'red',
                                       'dept_heading', 'department', 'company_mean', 'explain_departments',
                                       'assessed', 'explain_frameworks']) k);
    SELECT o.name, o.code INTO org FROM @extschema@.organizations o
    WHERE o.organization_id = management_review_html.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', management_review_html.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- the framework asked for, else the one of the latest organization-wide assessment
    SELECT l.assessment_id, l.framework_id, l.assessed_on INTO la
    FROM @extschema@.latest_assessments(management_review_html.organization_id) l
    WHERE management_review_html.framework_id IS NULL OR l.framework_id = management_review_html.framework_id
    ORDER BY l.assessed_on DESC, l.assessment_id DESC LIMIT 1;
    IF la.assessment_id IS NULL THEN
        RAISE EXCEPTION 'organization % has no organization-wide assessment%', management_review_html.organization_id,
            CASE WHEN management_review_html.framework_id IS NULL THEN ''
                 ELSE ' of framework ' || management_review_html.framework_id END
            USING ERRCODE = 'no_data_found';
    END IF;
    SELECT f.framework_id, f.code, f.name, f.scale_min, f.scale_max INTO fw
    FROM @extschema@.frameworks f WHERE f.framework_id = la.framework_id;
    -- the organization-wide figures (the same on each of its management_review rows)
    SELECT * INTO mr FROM @extschema@.management_review m
    WHERE m.organization_id = management_review_html.organization_id AND m.framework_id = fw.framework_id;
    -- one headline row per framework assessed: the latest organization-wide assessment's total as
    -- a percentage of the scale (assessment_total_score), its change since the previous assessment
    -- (maturity_history's: the latest before it) and its coverage; the report's framework marked
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s><td>%s %s</td><td class="d">%s</td><td class="n">%s %%</td><td class="n%s">%s</td><td class="n">%s %%</td></tr>',
               CASE WHEN m.framework_id = fw.framework_id THEN ' class="this"' ELSE '' END,
               @extschema@.html_text(m.framework), @extschema@.html_text(f.name), m.assessed_on,
               @extschema@.report_number(m.total_percentage),
               CASE WHEN m.total_percentage < pv.total_percentage THEN ' neg'
                    WHEN m.total_percentage > pv.total_percentage THEN ' pos' ELSE '' END,
               @extschema@.report_number(m.total_percentage - pv.total_percentage, 1, true),
               @extschema@.report_number(m.coverage, 0)),
               E'\n' ORDER BY m.framework, m.framework_id)
      INTO framework_rows
    FROM @extschema@.management_review m
    JOIN @extschema@.frameworks f ON f.framework_id = m.framework_id
    LEFT JOIN LATERAL (
        SELECT t.total_percentage
        FROM @extschema@.assessments p
        CROSS JOIN LATERAL @extschema@.assessment_total_score(p.assessment_id) t
        WHERE p.organization_id = m.organization_id AND p.framework_id = m.framework_id AND p.department_id IS NULL
          AND p.assessed_on = (SELECT pg_catalog.max(h.previous_assessed_on) FROM @extschema@.maturity_history h
                               WHERE h.organization_id = m.organization_id AND h.framework_id = m.framework_id
                                 AND h.assessed_on = m.assessed_on)
    ) pv ON true
    WHERE m.organization_id = management_review_html.organization_id;
    SELECT pg_catalog.count(*) FILTER (WHERE s.on_track), pg_catalog.count(s.on_track) INTO on_track, tracked
    FROM @extschema@.kpis k
    CROSS JOIN LATERAL (SELECT x.on_track FROM @extschema@.kpi_series x WHERE x.kpi_id = k.kpi_id
                        ORDER BY x.measured_on DESC LIMIT 1) s
    WHERE k.organization_id = management_review_html.organization_id;

    -- departments (case A): one row per department, one column per domain; NULL when none
    SELECT '<section><h2>' || @extschema@.html_text(t->>'dept_heading') || ' (' || @extschema@.html_text(fw.code)
               || ')</h2><table><tr><th>'
               || @extschema@.html_text(t->>'department') || '</th>'
               || (SELECT pg_catalog.string_agg('<th class="n">' || @extschema@.html_text(d.code) || '</th>', '' ORDER BY d.display_order)
                   FROM @extschema@.control_domains d WHERE d.framework_id = fw.framework_id) || '</tr>'
               || pg_catalog.string_agg(r.line, E'\n' ORDER BY r.department, r.department_id)
               || (SELECT '<tr><th>' || @extschema@.html_text(t->>'company_mean') || '</th>'
                          || pg_catalog.string_agg('<th class="n">' || @extschema@.report_number(c.mean, 2) || '</th>', '' ORDER BY c.display_order)
                          || '</tr><tr><th>' || @extschema@.html_text(t->>'target') || '</th>'
                          || pg_catalog.string_agg('<th class="n">' || @extschema@.report_number(c.target, 2) || '</th>', '' ORDER BY c.display_order)
                          || '</tr>'
                   FROM (SELECT m.display_order, pg_catalog.max(m.company_mean) AS mean, pg_catalog.max(m.target) AS target
                         FROM @extschema@.department_maturity m
                         WHERE m.organization_id = management_review_html.organization_id AND m.framework = fw.code
                         GROUP BY m.display_order) c)
               || '</table><p class="note">' || @extschema@.html_text(t->>'explain_departments') || '</p></section>'
      INTO sect
    FROM (SELECT m.department_id, m.department,
                 '<tr><td>' || @extschema@.html_text(m.department) || '</td>'
                 || pg_catalog.string_agg(pg_catalog.format('<td class="n%s">%s</td>',
                        CASE WHEN m.gap_to_company < 0 THEN ' neg' WHEN m.gap_to_company > 0 THEN ' pos' ELSE '' END,
                        @extschema@.report_number(m.score, 2)), '' ORDER BY m.display_order) || '</tr>' AS line
          FROM @extschema@.department_maturity m
          WHERE m.organization_id = management_review_html.organization_id AND m.framework = fw.code
          GROUP BY m.department_id, m.department) r;

    html := pg_catalog.concat_ws(E'\n',
        '<!DOCTYPE html>',
        pg_catalog.format('<html lang="%s"><head><meta charset="utf-8"/>', lang),
        pg_catalog.format('<title>%s: %s</title>', @extschema@.html_text(org.name), @extschema@.html_text(t->>'review_title')),
        '<style>
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", "Noto Sans", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo, Arial, sans-serif;
       color: #212121; margin: 20px auto; max-width: 1000px; font-size: 12.5px; line-height: 1.4; }
h1 { font-size: 21px; margin: 0 0 4px; }
h2 { font-size: 15px; border-bottom: 2px solid #37474F; padding-bottom: 2px; margin: 18px 0 6px; }
.sub { color: #616161; margin-bottom: 10px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.card { border: 1px solid #CFD8DC; border-radius: 6px; padding: 6px 10px; }
.card .v { font-size: 19px; font-weight: bold; } .card .k { color: #616161; font-size: 11px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ECEFF1; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #ECEFF1; font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n, td.d { white-space: nowrap; }
.badge { color: #fff; border-radius: 3px; padding: 1px 6px; font-size: 11px; white-space: nowrap; }
tr.this td { font-weight: 600; }
.neg { color: #C62828; } .pos { color: #2E7D32; } .note { color: #616161; font-size: 11px; }
.chart { text-align: center; } .chart svg { max-width: 100%; height: auto; }
.chart.wide svg { width: 680px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.chart, .cards, tr { break-inside: avoid; page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { break-after: avoid; }
               .chart.wide svg { width: 128mm; } .chart.map svg { width: 160mm; } }
</style></head><body>',
        pg_catalog.format('<h1>%s: %s</h1>', @extschema@.html_text(org.name), @extschema@.html_text(t->>'review_title')),
        pg_catalog.format('<div class="sub">%s %s &#183; %s %s (%s) %s %s &#183; %s %s &#8211; %s &#183; %s %s</div>',
            @extschema@.html_text(t->>'peer_group'), @extschema@.html_text(mr.peer_group),
            @extschema@.html_text(t->>'framework'), @extschema@.html_text(fw.code), @extschema@.html_text(fw.name),
            @extschema@.html_text(t->>'assessed_on'), la.assessed_on,
            @extschema@.html_text(t->>'period'), today - 365, today,
            @extschema@.html_text(t->>'report_of'), today),

        -- headline figures: a row per framework, then the organization's figures
        '<section><h2>' || @extschema@.html_text(t->>'headline') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s (%s)</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'framework'), @extschema@.html_text(t->>'assessed'),
            @extschema@.html_text(t->>'maturity_total'), @extschema@.html_text(t->>'change_prev'),
            @extschema@.html_text(t->>'pp'), @extschema@.html_text(t->>'coverage')),
        framework_rows,
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_frameworks') || '</p><div class="cards">',
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.risks_outside_tolerance, @extschema@.html_text(t->>'risks_outside'),
            @extschema@.html_text(pg_catalog.format(t->>'of_n', mr.risks))),
        pg_catalog.format('<div class="card"><div class="v"><span class="badge" style="background:#2E7D32">%s</span> '
                          '<span class="badge" style="background:#F9A825;color:#212121">%s</span> '
                          '<span class="badge" style="background:#C62828">%s</span></div><div class="k">%s</div></div>',
            mr.kpis_green, mr.kpis_amber, mr.kpis_red, @extschema@.html_text(t->>'kpis_rag')),
        pg_catalog.format('<div class="card"><div class="v">%s / %s</div><div class="k">%s</div></div>',
            on_track, tracked, @extschema@.html_text(t->>'objectives_on_track')),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.incidents_12m, @extschema@.html_text(t->>'incidents_12m'),
            @extschema@.html_text(pg_catalog.format(t->>'severe_n', mr.severe_incidents_12m))),
        pg_catalog.format('<div class="card"><div class="v">%s h / %s h</div><div class="k">%s / %s</div></div>',
            @extschema@.report_number(mr.mttd_hours_12m), @extschema@.report_number(mr.mttr_hours_12m),
            @extschema@.html_text(t->>'mttd'), @extschema@.html_text(t->>'mttr')),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.nonconformities_open, @extschema@.html_text(t->>'nc_open'),
            @extschema@.html_text(pg_catalog.format(t->>'actions_overdue_n', mr.corrective_actions_overdue))),
        '</div></section>',

        -- maturity: changes and radar
        '<section><h2>' || @extschema@.html_text(t->>'changes') || ' (' || @extschema@.html_text(fw.code) || ')</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th class="n">%s</th><th class="n">%%</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'domain'), @extschema@.html_text(t->>'score'), @extschema@.html_text(t->>'vs_prev'),
            @extschema@.html_text(t->>'vs_year'), @extschema@.html_text(t->>'coverage')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s %s</td><td class="n">%s</td><td class="n">%s</td><td class="n%s">%s</td><td class="n%s">%s</td><td class="n">%s %%</td></tr>',
                    @extschema@.html_text(h.domain), @extschema@.html_text(h.domain_name), @extschema@.report_number(h.score, 2),
                    @extschema@.report_number(h.percentage, 0),
                    CASE WHEN h.change_vs_previous < 0 THEN ' neg' WHEN h.change_vs_previous > 0 THEN ' pos' ELSE '' END,
                    @extschema@.report_number(h.change_vs_previous, 2, true),
                    CASE WHEN h.change_vs_year_ago < 0 THEN ' neg' WHEN h.change_vs_year_ago > 0 THEN ' pos' ELSE '' END,
                    @extschema@.report_number(h.change_vs_year_ago, 2, true), @extschema@.report_number(h.coverage, 0)),
                E'\n' ORDER BY h.display_order)
         FROM @extschema@.maturity_history h WHERE h.assessment_id = la.assessment_id),
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_coverage') || '</p></section>',
        '<section><h2>' || @extschema@.html_text(t->>'radar_heading') || '</h2><div class="chart wide">',
        @extschema@.org_radar_svg(management_review_html.organization_id, fw.code, lang),
        '</div></section>',

        -- risks
        '<section><h2>' || @extschema@.html_text(t->>'heatmap_heading') || '</h2><div class="chart map">',
        @extschema@.risk_heatmap_svg(management_review_html.organization_id, lang),
        '</div></section>',

        -- KPIs and objectives
        '<section><h2>' || @extschema@.html_text(t->>'kpi_heading') || '</h2><div class="grid2">',
        (SELECT pg_catalog.string_agg('<div class="chart">' || @extschema@.kpi_trend_svg(k.kpi_id, lang) || '</div>',
                                      E'\n' ORDER BY k.code)
         FROM @extschema@.kpis k
         WHERE k.organization_id = management_review_html.organization_id
           AND EXISTS (SELECT FROM @extschema@.kpi_measurements m WHERE m.kpi_id = k.kpi_id)),
        '</div></section>',
        '<section><h2>' || @extschema@.html_text(t->>'objectives_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th>%s</th><th>%s</th></tr>',
            @extschema@.html_text(t->>'objective'), 'KPI', @extschema@.html_text(t->>'due'), @extschema@.html_text(t->>'latest'),
            @extschema@.html_text(t->>'target'), @extschema@.html_text(t->>'forecast_at_due'),
            @extschema@.html_text(t->>'on_track'), @extschema@.html_text(t->>'status')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s</td><td class="d">%s</td><td class="d">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td>%s</td><td>%s</td></tr>',
                    @extschema@.html_text(os.objective), @extschema@.html_text(os.kpi), os.due_on,
                    @extschema@.report_number(os.latest_value), @extschema@.report_number(os.target),
                    @extschema@.report_number(CASE WHEN s.objective_id = os.objective_id THEN s.forecast_at_due END),
                    CASE WHEN s.objective_id = os.objective_id AND s.on_track IS NOT NULL
                         THEN @extschema@.html_text(CASE WHEN s.on_track THEN t->>'yes' ELSE t->>'no' END)
                         ELSE '&#8211;' END,
                    CASE WHEN os.achieved THEN '<span class="badge" style="background:#2E7D32">' || @extschema@.html_text(t->>'achieved') || '</span>'
                         WHEN os.overdue THEN '<span class="badge" style="background:#C62828">' || @extschema@.html_text(t->>'overdue') || '</span>'
                         ELSE pg_catalog.format('<span class="badge" style="background:%s">%s</span>',
                                  CASE os.status WHEN 'green' THEN '#2E7D32' WHEN 'amber' THEN '#B28704' WHEN 'red' THEN '#C62828' ELSE '#757575' END,
                                  @extschema@.html_text(COALESCE(t->>os.status, os.status))) END),
                E'\n' ORDER BY os.due_on, os.objective_id)
         FROM @extschema@.objective_status os
         JOIN @extschema@.kpis k ON k.kpi_id = (SELECT x.kpi_id FROM @extschema@.objectives x WHERE x.objective_id = os.objective_id)
         LEFT JOIN LATERAL (SELECT x.objective_id, x.forecast_at_due, x.on_track FROM @extschema@.kpi_series x
                            WHERE x.kpi_id = k.kpi_id ORDER BY x.measured_on DESC LIMIT 1) s ON true
         WHERE os.organization_id = management_review_html.organization_id),
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_forecast') || '</p></section>',

        -- incidents
        '<section><h2>' || @extschema@.html_text(t->>'incidents_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'month'), @extschema@.html_text(t->>'incidents'), @extschema@.html_text(t->>'severe_col'),
            @extschema@.html_text(t->>'mttd'), @extschema@.html_text(t->>'mttr'), @extschema@.html_text(t->>'reported24')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                    pg_catalog.to_char(i.month, 'YYYY-MM'), i.incidents, i.severe_incidents,
                    @extschema@.report_number(i.mttd_hours), @extschema@.report_number(i.mttr_hours),
                    @extschema@.report_number(i.reported_within_24h_pct, 0)), E'\n' ORDER BY i.month)
         FROM @extschema@.incident_metrics_monthly i
         WHERE i.organization_id = management_review_html.organization_id
           AND i.month > pg_catalog.date_trunc('month', (today - 365)::timestamp)::date),
        '</table></section>',

        -- nonconformities
        '<section><h2>' || @extschema@.html_text(t->>'nc_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>',
            @extschema@.html_text(t->>'raised'), @extschema@.html_text(t->>'description'), @extschema@.html_text(t->>'owner'),
            @extschema@.html_text(t->>'due')),
        COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format('<tr><td class="d">%s</td><td>%s</td><td>%s</td><td class="d%s">%s</td></tr>',
                    n.raised_on, @extschema@.html_text(n.description), @extschema@.html_text(n.owner),
                    CASE WHEN n.due_on < today THEN ' neg' ELSE '' END, @extschema@.html_text(n.due_on::text)),
                    E'\n' ORDER BY n.raised_on, n.nonconformity_id)
                  FROM @extschema@.nonconformities n
                  WHERE n.organization_id = management_review_html.organization_id AND n.closed_on IS NULL),
                 '<tr><td colspan="4">' || @extschema@.html_text(t->>'none') || '</td></tr>'),
        '</table></section>',

        -- departments
        sect,

        -- peers
        '<section><h2>' || @extschema@.html_text(t->>'peer_heading') || '</h2><div class="chart">',
        @extschema@.peer_distribution_svg(management_review_html.organization_id, fw.framework_id, lang),
        '</div><p class="note">' || @extschema@.html_text(t->>'explain_deviation') || ' '
            || @extschema@.html_text(t->>'note_peers') || '</p></section>',
        pg_catalog.format('<p class="note">%s %s.</p>', @extschema@.html_text(t->>'generated'), today),
        '</body></html>');
    RETURN html;
END
$$;
COMMENT ON FUNCTION @extschema@.management_review_html(bigint, bigint, text) IS
'A self-contained HTML management review (ISO/IEC 27001 9.3) of an organization for a framework (default: that of its latest organization-wide assessment): headline figures (a row per framework assessed: total as % of the scale, change since the previous assessment, coverage; then risks, KPIs, objectives, incidents, nonconformities), maturity by domain with changes and coverage, radar, risk heat map, KPI trends, objectives with forecasts, incidents by month, open nonconformities and peer standing; inline SVG, print CSS for A4; lang ''en'' or ''ja''.';

-- ---------------------------------------------------------------------------
-- Importing CISO Assistant libraries (ciso_import.sql): the risk_matrices catalogue,
-- import_ciso_assistant_library and its helpers. All new objects.
-- ---------------------------------------------------------------------------

-- Importing CISO Assistant libraries (README "Importing from CISO Assistant"): a library's
-- frameworks (requirement trees, score labels, implementation groups), risk matrices and
-- requirement mapping sets, found again by urn, so importing a library twice changes nothing
-- and a newer version updates what it changed. One call imports all of a library or nothing.

-- Risk matrices of CISO Assistant libraries: a catalogue an organization picks its matrix from.
CREATE TABLE @extschema@.risk_matrices (
    risk_matrix_id  bigserial PRIMARY KEY,
    urn             text NOT NULL UNIQUE CHECK (urn <> ''),
    ref_id          text,
    name            text NOT NULL CHECK (name <> ''),
    description     text,
    translations    jsonb,
    provider        text,
    matrix          @extschema@.risk_matrix NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.risk_matrices IS
'Catalogue of risk matrices imported from CISO Assistant libraries (import_ciso_assistant_library), found by urn; an organization takes one with UPDATE organizations SET risk_matrix = (SELECT matrix FROM risk_matrices WHERE urn = ...).';
COMMENT ON COLUMN @extschema@.risk_matrices.translations IS
'The matrix''s name and description in other languages, as the library has them: {"fr": {"name": ..., "description": ...}, ...}.';
COMMENT ON COLUMN @extschema@.risk_matrices.provider IS
'The provider of the library the matrix came from.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_matrices', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_matrices_risk_matrix_id_seq', '');
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.risk_matrices TO ismseval_admin;
GRANT USAGE, SELECT ON @extschema@.risk_matrices_risk_matrix_id_seq TO ismseval_admin;
GRANT SELECT ON @extschema@.risk_matrices TO ismseval_tenant;

-- One requirement node of a library's framework, read and checked (ciso_framework_nodes).
CREATE TYPE @extschema@.ciso_requirement_node AS (
    ord             integer,
    urn             text,
    parent_urn      text,
    ref_id          text,
    code            text,
    name            text,
    description     text,
    text            text,
    depth           integer,
    assessable      boolean,
    weight          double precision,
    score_min       integer,
    score_max       integer,
    implementation_groups text[],
    translations    jsonb
);
COMMENT ON TYPE @extschema@.ciso_requirement_node IS
'A requirement node of a CISO Assistant framework as import_ciso_assistant_library loads it: file position, urn, parent urn, ref_id, code, name, description, display text, depth in the tree, assessable, weight, own score range, implementation groups, translations.';

-- ---------------------------------------------------------------------------
-- Reading the values of a library (22023 for a value of the wrong JSON type)
-- ---------------------------------------------------------------------------

-- The value under key when it has one of the JSON types given ('integer': a whole number in
-- integer's range); NULL when absent or null.
CREATE FUNCTION @extschema@.ciso_value(obj jsonb, key text, owner text, types text[], expected text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    v       jsonb := obj -> key;
    kind    text := pg_catalog.jsonb_typeof(obj -> key);
BEGIN
    IF v IS NULL OR kind = 'null' THEN
        RETURN NULL;
    END IF;
    IF kind = 'number' AND 'integer' = ANY (types) AND v::numeric = pg_catalog.trunc(v::numeric)
       AND pg_catalog.abs(v::numeric) <= 2147483647 THEN
        kind := 'integer';
    END IF;
    IF NOT kind = ANY (types) THEN
        RAISE EXCEPTION '%: "%" must be %, got %', owner, key, expected,
            CASE WHEN kind IN ('object', 'array') THEN kind ELSE v::text END
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_value(jsonb, text, text, text[], text) IS
'For the CISO Assistant import: the value under key when its JSON type is one of types (''integer'': a whole number within integer''s range), NULL when absent or null; 22023 "<owner>: "<key>" must be <expected>, got ..." otherwise.';

-- A string or number under key as text; NULL when absent, null or blank.
CREATE FUNCTION @extschema@.ciso_text(obj jsonb, key text, owner text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT CASE WHEN pg_catalog.btrim(v.t) = '' THEN NULL ELSE v.t END
        FROM (SELECT @extschema@.ciso_value(obj, key, owner, '{string,number}', 'a string') #>> '{}' AS t) v);
COMMENT ON FUNCTION @extschema@.ciso_text(jsonb, text, text) IS
'For the CISO Assistant import: the string or number under key as text, NULL when absent, null or blank; 22023 naming owner for another JSON type.';

-- A whole number under key; NULL when absent or null.
CREATE FUNCTION @extschema@.ciso_integer(obj jsonb, key text, owner text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (@extschema@.ciso_value(obj, key, owner, '{integer}', 'a whole number') #>> '{}')::numeric::integer;
COMMENT ON FUNCTION @extschema@.ciso_integer(jsonb, text, text) IS
'For the CISO Assistant import: the whole number under key, NULL when absent or null; 22023 naming owner otherwise.';

-- A number under key; NULL when absent or null.
CREATE FUNCTION @extschema@.ciso_number(obj jsonb, key text, owner text)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.ciso_value(obj, key, owner, '{number}', 'a number')::numeric;
COMMENT ON FUNCTION @extschema@.ciso_number(jsonb, text, text) IS
'For the CISO Assistant import: the number under key, NULL when absent or null; 22023 naming owner otherwise.';

-- A boolean under key; NULL when absent or null.
CREATE FUNCTION @extschema@.ciso_boolean(obj jsonb, key text, owner text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.ciso_value(obj, key, owner, '{boolean}', 'true or false')::boolean;
COMMENT ON FUNCTION @extschema@.ciso_boolean(jsonb, text, text) IS
'For the CISO Assistant import: the boolean under key, NULL when absent or null; 22023 naming owner otherwise.';

-- A list of strings under key as text[]; NULL when absent, null or empty.
CREATE FUNCTION @extschema@.ciso_text_array(obj jsonb, key text, owner text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    v jsonb := @extschema@.ciso_value(obj, key, owner, '{array}', 'a list of strings');
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(v) e
               WHERE pg_catalog.jsonb_typeof(e.value) NOT IN ('string', 'number')) THEN
        RAISE EXCEPTION '%: "%" must be a list of strings, got %', owner, key, v
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NULLIF(ARRAY(SELECT e.value FROM pg_catalog.jsonb_array_elements_text(v) WITH ORDINALITY e(value, n)
                        ORDER BY e.n), '{}');
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_text_array(jsonb, text, text) IS
'For the CISO Assistant import: the list of strings under key as text[], NULL when absent, null or empty; 22023 naming owner otherwise.';

-- The translations object under "translations"; NULL when absent or null.
CREATE FUNCTION @extschema@.ciso_translations(obj jsonb, owner text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.ciso_value(obj, 'translations', owner, '{object}', 'an object (language -> fields)');
COMMENT ON FUNCTION @extschema@.ciso_translations(jsonb, text) IS
'For the CISO Assistant import: the "translations" object, NULL when absent or null; 22023 naming owner for another JSON type.';

-- The urn of an object of a library, lower case as CISO Assistant keeps it; 22023 when missing.
CREATE FUNCTION @extschema@.ciso_urn(obj jsonb, owner text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    u text;
BEGIN
    IF obj IS NULL OR pg_catalog.jsonb_typeof(obj) <> 'object' THEN
        RAISE EXCEPTION '% must be an object, got %', owner, COALESCE(pg_catalog.jsonb_typeof(obj), 'nothing')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    u := pg_catalog.lower(pg_catalog.btrim(@extschema@.ciso_text(obj, 'urn', owner)));
    IF u IS NULL THEN
        RAISE EXCEPTION '% has no urn', owner
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('Its keys: %s.', (SELECT pg_catalog.string_agg(k, ', ' ORDER BY k)
                                                               FROM pg_catalog.jsonb_object_keys(obj) k));
    END IF;
    RETURN u;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_urn(jsonb, text) IS
'For the CISO Assistant import: the "urn" of an object, trimmed and in lower case (CISO Assistant compares urns so); 22023 naming owner when it is not an object or has no urn.';

-- The last segment of a urn (after its last colon), or the urn when that is empty.
CREATE FUNCTION @extschema@.ciso_urn_tail(urn text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN COALESCE(NULLIF(pg_catalog.regexp_replace(urn, '^.*:', ''), ''), urn);
COMMENT ON FUNCTION @extschema@.ciso_urn_tail(text) IS
'The last segment of a urn (after its last colon; the urn itself when that is empty): the code of a requirement node without a usable ref_id.';


-- The names of the fields of old (jsonb of a row) that new changes, as "changed: a, b"; NULL when none.
CREATE FUNCTION @extschema@.ciso_changed_fields(old jsonb, new jsonb, fields text[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT 'changed: ' || pg_catalog.string_agg(f.name, ', ' ORDER BY f.n)
    FROM pg_catalog.unnest(fields) WITH ORDINALITY f(name, n)
    WHERE (old -> f.name) IS DISTINCT FROM (new -> f.name);
END;
COMMENT ON FUNCTION @extschema@.ciso_changed_fields(jsonb, jsonb, text[]) IS
'For the CISO Assistant import: "changed: f1, f2" listing the fields (of those given) whose values differ between two rows as jsonb; NULL when none does.';

-- The objects of a library under the old singular key or the new plural one, as a list.
CREATE FUNCTION @extschema@.ciso_object_list(objects jsonb, singular_key text, plural_key text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    v jsonb := COALESCE(objects -> plural_key, objects -> singular_key);
BEGIN
    IF objects ? singular_key AND objects ? plural_key THEN
        RAISE EXCEPTION 'a library cannot have both "%" and "%" objects', singular_key, plural_key
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF v IS NULL OR pg_catalog.jsonb_typeof(v) = 'null' THEN
        RETURN '[]';
    ELSIF pg_catalog.jsonb_typeof(v) = 'object' THEN
        RETURN pg_catalog.jsonb_build_array(v);
    ELSIF pg_catalog.jsonb_typeof(v) <> 'array' THEN
        RAISE EXCEPTION 'the library''s "%" must be an object or a list, got %',
            CASE WHEN objects ? plural_key THEN plural_key ELSE singular_key END, pg_catalog.jsonb_typeof(v)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_object_list(jsonb, text, text) IS
'For the CISO Assistant import: the library''s objects under the plural key (frameworks) or the older singular one (framework), as a list (one object becomes a list of one); 22023 when both are present or the value is neither.';

-- The "objects" of a CISO Assistant library, after checking that the document is one.
CREATE FUNCTION @extschema@.ciso_library_objects(library jsonb)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    known   text[] := ARRAY['framework', 'frameworks', 'risk_matrix', 'risk_matrices', 'requirement_mapping_set',
                            'requirement_mapping_sets', 'threats', 'reference_controls', 'metric_definitions',
                            'ttp_catalogs', 'tactics', 'techniques', 'quick_forms', 'preset', 'workflows'];
    hint    text := 'A library is a mapping with urn, ref_id, name, version and objects '
                    '(framework, risk_matrix, requirement_mapping_sets, ...), as CISO Assistant ships them.';
BEGIN
    IF library IS NULL THEN
        RAISE EXCEPTION 'import_ciso_assistant_library: library must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF pg_catalog.jsonb_typeof(library) <> 'object' THEN
        RAISE EXCEPTION 'not a CISO Assistant library: the document is a JSON %, not an object',
            pg_catalog.jsonb_typeof(library)
            USING ERRCODE = 'invalid_parameter_value', HINT = hint;
    END IF;
    IF library ? 'meta' AND pg_catalog.jsonb_typeof(library -> 'objects') = 'array' THEN
        RAISE EXCEPTION 'not a CISO Assistant library: this is an instance export (meta and a list of objects)'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Import it with import_ciso_assistant_export; ismseval-import tells the two apart.';
    END IF;
    IF pg_catalog.jsonb_typeof(library -> 'objects') IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'not a CISO Assistant library: it has no "objects" mapping'
            USING ERRCODE = 'invalid_parameter_value', HINT = hint;
    END IF;
    IF NOT (library -> 'objects') ?| known THEN
        RAISE EXCEPTION 'not a CISO Assistant library: its objects have none of the kinds CISO Assistant knows'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('Its objects: %s.', COALESCE(
                      (SELECT pg_catalog.string_agg(k, ', ' ORDER BY k) FROM pg_catalog.jsonb_object_keys(library -> 'objects') k),
                      'none')),
                  HINT = hint;
    END IF;
    PERFORM @extschema@.ciso_urn(library, 'the library');
    RETURN library -> 'objects';
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_library_objects(jsonb) IS
'For the CISO Assistant import: the "objects" of a library after checking the document is one (an object with a urn and objects of a kind CISO Assistant knows); 22023 otherwise (an instance export is named as such), 22004 for NULL.';

-- The score labels of a framework (scores_definition) as frameworks.score_labels keeps them.
CREATE FUNCTION @extschema@.ciso_score_labels(framework jsonb, framework_urn text, scale_min integer, scale_max integer)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    list    jsonb := framework -> 'scores_definition';
    labels  jsonb;
    bad     record;
BEGIN
    IF pg_catalog.jsonb_typeof(list) = 'object' THEN
        list := list -> 'scale';            -- newer libraries: {"scale": [...]}
    END IF;
    IF list IS NULL OR pg_catalog.jsonb_typeof(list) = 'null' THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.jsonb_typeof(list) <> 'array' THEN
        RAISE EXCEPTION 'framework %: "scores_definition" must be a list, got %', framework_urn, pg_catalog.jsonb_typeof(list)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
               'score', s.score, 'name', @extschema@.ciso_text(e.label, 'name', s.owner),
               'description', @extschema@.ciso_text(e.label, 'description', s.owner),
               'translations', @extschema@.ciso_translations(e.label, s.owner))) ORDER BY e.n)
    INTO labels
    FROM pg_catalog.jsonb_array_elements(list) WITH ORDINALITY e(label, n)
    CROSS JOIN LATERAL (SELECT pg_catalog.format('framework %s, score label %s', framework_urn, e.n) AS owner) o
    CROSS JOIN LATERAL (SELECT o.owner, @extschema@.ciso_integer(e.label, 'score', o.owner) AS score) s;
    SELECT l.n, l.score INTO bad
    FROM (SELECT e.n, (e.v ->> 'score')::integer AS score,
                 pg_catalog.row_number() OVER (PARTITION BY e.v -> 'score' ORDER BY e.n) AS times
          FROM pg_catalog.jsonb_array_elements(labels) WITH ORDINALITY e(v, n)) l
    WHERE l.score IS NULL OR l.score NOT BETWEEN scale_min AND scale_max OR l.times > 1
    ORDER BY l.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'framework %: score label % must have a score of its own between % and %, got %',
            framework_urn, bad.n, scale_min, scale_max, COALESCE(bad.score::text, 'none')
            USING ERRCODE = 'check_violation', DETAIL = 'Each score of the scale has at most one label.';
    END IF;
    RETURN labels;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_score_labels(jsonb, text, integer, integer) IS
'For the CISO Assistant import: a framework''s scores_definition (a list, or {"scale": list}) as a jsonb array of {score, name, description, translations}; 23514 for a score off the scale or labelled twice.';

-- How a requirement node is named in messages: its urn and, when it has one, its ref_id.
CREATE FUNCTION @extschema@.ciso_node_label(urn text, ref_id text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 'requirement node ' || urn || COALESCE(' (' || ref_id || ')', '');
COMMENT ON FUNCTION @extschema@.ciso_node_label(text, text) IS
'How the CISO Assistant import names a requirement node in messages: "requirement node <urn> (<ref_id>)".';

-- The requirement nodes of a library's framework, read and checked, parents before children.
CREATE FUNCTION @extschema@.ciso_framework_nodes(framework jsonb, framework_urn text, scale_min integer, scale_max integer)
RETURNS SETOF @extschema@.ciso_requirement_node
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    list    jsonb := framework -> 'requirement_nodes';
    parsed  @extschema@.ciso_requirement_node[];
    depths  jsonb;
    bad     record;
BEGIN
    IF pg_catalog.jsonb_typeof(list) IS DISTINCT FROM 'array' OR pg_catalog.jsonb_array_length(list) = 0 THEN
        RAISE EXCEPTION 'framework %: "requirement_nodes" must be a non-empty list', framework_urn
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- each node's own values in file order; depth is the file's, code and text come below
    parsed := ARRAY(
        SELECT ROW(e.ord::integer, u.urn,
                   pg_catalog.lower(pg_catalog.btrim(@extschema@.ciso_text(e.node, 'parent_urn', u.owner))),
                   @extschema@.ciso_text(e.node, 'ref_id', u.owner), NULL::text,
                   @extschema@.ciso_text(e.node, 'name', u.owner),
                   @extschema@.ciso_text(e.node, 'description', u.owner), NULL::text,
                   @extschema@.ciso_integer(e.node, 'depth', u.owner),
                   COALESCE(@extschema@.ciso_boolean(e.node, 'assessable', u.owner), false),
                   COALESCE(@extschema@.ciso_number(e.node, 'weight', u.owner), 1)::double precision,
                   @extschema@.ciso_integer(e.node, 'min_score', u.owner),
                   @extschema@.ciso_integer(e.node, 'max_score', u.owner),
                   @extschema@.ciso_text_array(e.node, 'implementation_groups', u.owner),
                   @extschema@.ciso_translations(e.node, u.owner))::@extschema@.ciso_requirement_node
        FROM pg_catalog.jsonb_array_elements(list) WITH ORDINALITY e(node, ord)
        CROSS JOIN LATERAL (SELECT @extschema@.ciso_urn(e.node, pg_catalog.format('requirement node %s of framework %s',
                                                                                   e.ord, framework_urn)) AS urn) v
        CROSS JOIN LATERAL (SELECT v.urn, 'requirement node ' || v.urn AS owner) u
        ORDER BY e.ord);
    SELECT p.urn, pg_catalog.count(*) AS times INTO bad
    FROM pg_catalog.unnest(parsed) p GROUP BY p.urn HAVING pg_catalog.count(*) > 1
    ORDER BY pg_catalog.min(p.ord) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'framework %: requirement node urn % appears % times', framework_urn, bad.urn, bad.times
            USING ERRCODE = 'check_violation', DETAIL = 'A urn names one node.';
    END IF;
    SELECT p.urn, p.ref_id, p.weight INTO bad FROM pg_catalog.unnest(parsed) p WHERE p.weight <= 0 ORDER BY p.ord LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: weight must be above 0, got %', @extschema@.ciso_node_label(bad.urn, bad.ref_id), bad.weight
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT p.urn, p.ref_id, COALESCE(p.score_min, scale_min) AS lo, COALESCE(p.score_max, scale_max) AS hi INTO bad
    FROM pg_catalog.unnest(parsed) p
    WHERE (p.score_min IS NOT NULL OR p.score_max IS NOT NULL)
      AND NOT (COALESCE(p.score_min, scale_min) < COALESCE(p.score_max, scale_max)
               AND COALESCE(p.score_min, scale_min) >= -1000000 AND COALESCE(p.score_max, scale_max) <= 1000000)
    ORDER BY p.ord LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: min_score % must be below max_score %', @extschema@.ciso_node_label(bad.urn, bad.ref_id), bad.lo, bad.hi
            USING ERRCODE = 'check_violation', DETAIL = 'Both lie between -1000000 and 1000000.';
    END IF;
    SELECT p.urn, p.ref_id, p.parent_urn INTO bad FROM pg_catalog.unnest(parsed) p
    WHERE p.parent_urn IS NOT NULL AND NOT EXISTS (SELECT FROM pg_catalog.unnest(parsed) o WHERE o.urn = p.parent_urn)
    ORDER BY p.ord LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: parent_urn % is not a node of framework %', @extschema@.ciso_node_label(bad.urn, bad.ref_id),
            bad.parent_urn, framework_urn
            USING ERRCODE = 'check_violation';
    END IF;
    -- depths from the top-level nodes down; a node never reached is on a cycle
    WITH RECURSIVE tree(urn, depth) AS (
        SELECT p.urn, 1 FROM pg_catalog.unnest(parsed) p WHERE p.parent_urn IS NULL
        UNION ALL
        SELECT c.urn, t.depth + 1 FROM tree t JOIN pg_catalog.unnest(parsed) c ON c.parent_urn = t.urn
    )
    SELECT pg_catalog.jsonb_object_agg(t.urn, t.depth) INTO depths FROM tree t;
    SELECT p.urn, p.ref_id INTO bad FROM pg_catalog.unnest(parsed) p
    WHERE NOT COALESCE(depths ? p.urn, false) ORDER BY p.ord LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: its parent_urn chain is a cycle', @extschema@.ciso_node_label(bad.urn, bad.ref_id)
            USING ERRCODE = 'check_violation', DETAIL = 'Following parent_urn from it never reaches a top-level node.';
    END IF;
    SELECT p.urn, p.ref_id, p.depth, (depths ->> p.urn)::integer AS tree_depth INTO bad FROM pg_catalog.unnest(parsed) p
    WHERE p.depth <> (depths ->> p.urn)::integer ORDER BY p.ord LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: depth % in the library, but % in its tree', @extschema@.ciso_node_label(bad.urn, bad.ref_id),
            bad.depth, bad.tree_depth
            USING ERRCODE = 'check_violation', DETAIL = 'A top-level node is at depth 1, its children at 2, and so on.';
    END IF;
    -- code: the ref_id when no other node has it, else the urn's last segment, else the urn
    RETURN QUERY
    WITH first_choice AS (
        SELECT p.*, CASE WHEN p.ref_id IS NOT NULL AND pg_catalog.count(*) OVER (PARTITION BY p.ref_id) = 1
                         THEN p.ref_id ELSE @extschema@.ciso_urn_tail(p.urn) END AS choice
        FROM pg_catalog.unnest(parsed) p
    ), coded AS (
        SELECT c.*, CASE WHEN pg_catalog.count(*) OVER (PARTITION BY c.choice) = 1 THEN c.choice ELSE c.urn END AS final_code
        FROM first_choice c
    )
    SELECT c.ord, c.urn, c.parent_urn, c.ref_id, c.final_code, c.name, c.description,
           COALESCE(c.name, c.description, c.ref_id, c.final_code), (depths ->> c.urn)::integer, c.assessable,
           c.weight, c.score_min, c.score_max, c.implementation_groups, c.translations
    FROM coded c
    ORDER BY (depths ->> c.urn)::integer, c.ord;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_framework_nodes(jsonb, text, integer, integer) IS
'For the CISO Assistant import: the requirement_nodes of a framework read and checked (23514: duplicate urn, unknown parent_urn, cycle, depth unlike the tree''s, weight <= 0, own min_score >= max_score), with code = ref_id when unique in the framework, else the urn''s last segment, else the urn; text = name, else description, else ref_id, else code; parents before children.';

-- The fields of a framework and of its nodes that the import does not keep, for its report.
CREATE FUNCTION @extschema@.ciso_ignored_fields(framework jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT NULLIF(pg_catalog.concat_ws('; ',
        'framework fields not imported: ' || (
            SELECT pg_catalog.string_agg(k, ', ' ORDER BY k) FROM pg_catalog.jsonb_object_keys(framework) k
            WHERE k NOT IN ('urn', 'ref_id', 'name', 'description', 'provider', 'min_score', 'max_score',
                            'scores_definition', 'implementation_groups_definition', 'requirement_nodes',
                            'translations')),
        'node fields not imported: ' || (
            SELECT pg_catalog.string_agg(DISTINCT k, ', ' ORDER BY k)
            FROM pg_catalog.jsonb_array_elements(framework -> 'requirement_nodes') e,
                 pg_catalog.jsonb_object_keys(e.value) k
            WHERE k NOT IN ('urn', 'parent_urn', 'ref_id', 'name', 'description', 'depth', 'assessable', 'weight',
                            'min_score', 'max_score', 'implementation_groups', 'translations'))), '');
END;
COMMENT ON FUNCTION @extschema@.ciso_ignored_fields(jsonb) IS
'For the CISO Assistant import''s report: the keys of a framework and of its requirement nodes that ismseval does not keep (annotation, reference_controls, ...); NULL when none.';

-- ---------------------------------------------------------------------------
-- Importing (administrators; every function reports one row per object it met)
-- ---------------------------------------------------------------------------

-- Imports a framework's implementation groups; drops those the new version lost unless an
-- assessment selects them.
CREATE FUNCTION @extschema@.ciso_import_implementation_groups(fid bigint, framework jsonb, framework_urn text)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    list    jsonb := framework -> 'implementation_groups_definition';
    g       record;
    old     @extschema@.implementation_groups;
    fresh   @extschema@.implementation_groups;
    changed text;
    codes   text[] := '{}';
BEGIN
    IF list IS NULL OR pg_catalog.jsonb_typeof(list) = 'null' THEN
        list := '[]';
    ELSIF pg_catalog.jsonb_typeof(list) <> 'array' THEN
        RAISE EXCEPTION 'framework %: "implementation_groups_definition" must be a list, got %', framework_urn,
            pg_catalog.jsonb_typeof(list)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR g IN
        SELECT e.n, e.def, pg_catalog.format('framework %s, implementation group %s', framework_urn, e.n) AS owner
        FROM pg_catalog.jsonb_array_elements(list) WITH ORDINALITY e(def, n) ORDER BY e.n
    LOOP
        IF pg_catalog.jsonb_typeof(g.def) <> 'object' OR @extschema@.ciso_text(g.def, 'ref_id', g.owner) IS NULL THEN
            RAISE EXCEPTION '% has no ref_id', g.owner USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT i.* INTO old FROM @extschema@.implementation_groups i
        WHERE i.framework_id = fid AND i.code = @extschema@.ciso_text(g.def, 'ref_id', g.owner);
        fresh := old;
        fresh.framework_id := fid;
        fresh.code := @extschema@.ciso_text(g.def, 'ref_id', g.owner);
        fresh.name := COALESCE(@extschema@.ciso_text(g.def, 'name', g.owner), fresh.code);
        fresh.description := @extschema@.ciso_text(g.def, 'description', g.owner);
        IF fresh.code = ANY (codes) THEN
            RAISE EXCEPTION 'framework %: implementation group % is defined twice', framework_urn, fresh.code
                USING ERRCODE = 'check_violation';
        END IF;
        codes := codes || fresh.code;
        changed := @extschema@.ciso_changed_fields(pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(fresh),
                                                   ARRAY['name', 'description']);
        IF old.code IS NULL THEN
            INSERT INTO @extschema@.implementation_groups (framework_id, code, name, description)
            VALUES (fid, fresh.code, fresh.name, fresh.description);
        ELSIF changed IS NOT NULL THEN
            UPDATE @extschema@.implementation_groups i SET name = fresh.name, description = fresh.description
            WHERE i.framework_id = fid AND i.code = fresh.code;
        END IF;
        RETURN QUERY SELECT 'implementation_group'::text, NULL::text, fresh.code,
                            CASE WHEN old.code IS NULL THEN 'created' WHEN changed IS NULL THEN 'unchanged' ELSE 'updated' END,
                            CASE WHEN old.code IS NULL THEN NULL ELSE changed END;
    END LOOP;
    -- groups this version no longer defines
    FOR g IN SELECT i.code, EXISTS (SELECT FROM @extschema@.assessments a
                                    WHERE a.framework_id = fid AND i.code = ANY (a.implementation_groups)) AS selected
             FROM @extschema@.implementation_groups i
             WHERE i.framework_id = fid AND NOT i.code = ANY (codes) ORDER BY i.code
    LOOP
        IF NOT g.selected THEN
            DELETE FROM @extschema@.implementation_groups i WHERE i.framework_id = fid AND i.code = g.code;
        END IF;
        RETURN QUERY SELECT 'implementation_group'::text, NULL::text, g.code::text,
                            CASE WHEN g.selected THEN 'kept' ELSE 'deleted' END,
                            CASE WHEN g.selected THEN 'absent from this version of the library; kept: assessments select it'
                                 ELSE 'absent from this version of the library' END;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_import_implementation_groups(bigint, jsonb, text) IS
'For import_ciso_assistant_library: creates or updates a framework''s implementation groups from implementation_groups_definition (code = ref_id, name = name or ref_id); a group the library no longer defines is deleted unless an assessment selects it (then kept).';
REVOKE EXECUTE ON FUNCTION @extschema@.ciso_import_implementation_groups(bigint, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ciso_import_implementation_groups(bigint, jsonb, text) TO ismseval_admin;

-- The control domains a framework's nodes make: its nodes at the domain level, in file order,
-- with the domain each had before (through its node, found by urn).
CREATE FUNCTION @extschema@.ciso_domain_plan(nodes @extschema@.ciso_requirement_node[], level integer,
                                             olds @extschema@.questions[])
RETURNS TABLE(urn text, code text, name text, description text, display_order integer, domain_id bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT n.urn, n.code, n.text, n.description, (pg_catalog.row_number() OVER (ORDER BY n.ord))::integer, o.domain_id
    FROM pg_catalog.unnest(nodes) n
    LEFT JOIN pg_catalog.unnest(olds) o ON o.urn = n.urn AND o.depth = level AND o.domain_id IS NOT NULL
    WHERE n.depth = level;
END;
COMMENT ON FUNCTION @extschema@.ciso_domain_plan(@extschema@.ciso_requirement_node[], integer, @extschema@.questions[]) IS
'For the CISO Assistant import: the control domains of a framework''s nodes at the domain level (code = node code, name = node text, display order = file order) and the domain each node had before (olds: its questions before the import).';

-- Creates or updates the control domains of a framework's domain-level nodes.
CREATE FUNCTION @extschema@.ciso_import_control_domains(fid bigint, nodes @extschema@.ciso_requirement_node[],
                                                        level integer, olds @extschema@.questions[])
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    doms    @extschema@.control_domains[] := ARRAY(SELECT d FROM @extschema@.control_domains d WHERE d.framework_id = fid);
    p       record;
    old     @extschema@.control_domains;
    fresh   @extschema@.control_domains;
    changed text;
BEGIN
    -- park the codes and places that change, so that no two domains hold one in between
    UPDATE @extschema@.control_domains d
    SET code = 'urn:ismseval:moving:' || d.domain_id, display_order = -d.domain_id
    WHERE d.domain_id IN (SELECT o.domain_id FROM pg_catalog.unnest(olds) o
                          WHERE o.urn IS NOT NULL AND o.depth = level AND o.domain_id IS NOT NULL)
      AND NOT EXISTS (SELECT FROM @extschema@.ciso_domain_plan(nodes, level, olds) x
                      WHERE x.domain_id = d.domain_id AND x.code = d.code AND x.display_order = d.display_order);
    FOR p IN SELECT x.* FROM @extschema@.ciso_domain_plan(nodes, level, olds) x ORDER BY x.display_order LOOP
        SELECT d.* INTO old FROM pg_catalog.unnest(doms) d WHERE d.domain_id = p.domain_id;
        fresh := old;
        fresh.code := p.code;
        fresh.name := p.name;
        fresh.description := p.description;
        fresh.display_order := p.display_order;
        changed := @extschema@.ciso_changed_fields(pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(fresh),
                                                   ARRAY['code', 'name', 'description', 'display_order']);
        IF old.domain_id IS NULL THEN
            INSERT INTO @extschema@.control_domains (framework_id, code, name, description, display_order)
            VALUES (fid, fresh.code, fresh.name, fresh.description, fresh.display_order);
        ELSIF changed IS NOT NULL THEN
            UPDATE @extschema@.control_domains d
            SET code = fresh.code, name = fresh.name, description = fresh.description, display_order = fresh.display_order
            WHERE d.domain_id = old.domain_id;
        END IF;
        RETURN QUERY SELECT 'control_domain'::text, p.urn, p.code,
                            CASE WHEN old.domain_id IS NULL THEN 'created' WHEN changed IS NULL THEN 'unchanged' ELSE 'updated' END,
                            CASE WHEN old.domain_id IS NULL THEN NULL ELSE changed END;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_import_control_domains(bigint, @extschema@.ciso_requirement_node[], integer, @extschema@.questions[]) IS
'For import_ciso_assistant_library: one control domain per node at the framework''s domain level (ciso_domain_plan), created or updated in place; codes and display orders that move are parked first so they never collide.';
REVOKE EXECUTE ON FUNCTION @extschema@.ciso_import_control_domains(bigint, @extschema@.ciso_requirement_node[], integer, @extschema@.questions[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ciso_import_control_domains(bigint, @extschema@.ciso_requirement_node[], integer, @extschema@.questions[]) TO ismseval_admin;

-- Removes the nodes (and their domains) a new version of the library no longer has, except
-- those that have answers, or nodes under them that do: those are kept and reported.
CREATE FUNCTION @extschema@.ciso_remove_absent_nodes(fid bigint, framework_urn text,
                                                     nodes @extschema@.ciso_requirement_node[],
                                                     olds @extschema@.questions[], level integer)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    r       record;
    roots   bigint[] := '{}';
    gone    bigint[];
    placed  integer := (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(nodes) n WHERE n.depth = level);
    kept    text := 'absent from this version of the library; kept: it or a requirement under it has answers';
BEGIN
    FOR r IN
        WITH RECURSIVE absent AS (
            SELECT q.question_id, q.urn, q.ref_id, q.code FROM @extschema@.questions q
            WHERE q.framework_id = fid AND q.urn IS NOT NULL
              AND NOT EXISTS (SELECT FROM pg_catalog.unnest(nodes) n WHERE n.urn = q.urn)
        ), sub(root, question_id) AS (
            SELECT a.question_id, a.question_id FROM absent a
            UNION ALL
            SELECT s.root, c.question_id FROM sub s JOIN @extschema@.questions c ON c.parent_id = s.question_id
        )
        SELECT a.question_id, a.urn, a.ref_id, a.code, o.code AS old_code,
               EXISTS (SELECT FROM sub s JOIN @extschema@.answers an ON an.question_id = s.question_id
                       WHERE s.root = a.question_id) AS answered
        FROM absent a JOIN pg_catalog.unnest(olds) o ON o.question_id = a.question_id
        ORDER BY o.display_order, o.question_id
    LOOP
        IF NOT r.answered THEN
            roots := roots || r.question_id;
            CONTINUE;
        END IF;
        -- a kept node gets its code back, unless a node of the new version took it
        IF r.code <> r.old_code THEN
            UPDATE @extschema@.questions q
            SET code = CASE WHEN EXISTS (SELECT FROM @extschema@.questions x WHERE x.framework_id = fid AND x.code = r.old_code)
                            THEN r.urn ELSE r.old_code END
            WHERE q.question_id = r.question_id;
        END IF;
        RETURN QUERY SELECT 'requirement_node'::text, r.urn::text, r.ref_id::text, 'kept'::text,
                            kept || COALESCE((SELECT '; its code is now ' || q.code FROM @extschema@.questions q
                                              WHERE q.question_id = r.question_id AND q.code <> r.old_code), '');
    END LOOP;
    -- the nodes to delete: every node under a removed one goes with it
    gone := ARRAY(WITH RECURSIVE sub(question_id) AS (
                      SELECT pg_catalog.unnest(roots)
                      UNION
                      SELECT c.question_id FROM sub s JOIN @extschema@.questions c ON c.parent_id = s.question_id)
                  SELECT s.question_id FROM sub s);
    RETURN QUERY
    SELECT 'requirement_mapping'::text, s.urn || ' -> ' || t.urn, s.code || ' -> ' || t.code, 'deleted'::text,
           'one of its requirement nodes is removed from framework ' || framework_urn
    FROM @extschema@.requirement_mappings m
    JOIN @extschema@.questions s ON s.question_id = m.source_question_id
    JOIN @extschema@.questions t ON t.question_id = m.target_question_id
    WHERE m.source_question_id = ANY (gone) OR m.target_question_id = ANY (gone)
    ORDER BY 2;
    RETURN QUERY
    SELECT 'requirement_node'::text, q.urn, q.ref_id, 'deleted'::text,
           CASE WHEN q.question_id = ANY (roots) THEN 'absent from this version of the library'
                ELSE 'under a requirement node absent from this version of the library' END
    FROM @extschema@.questions q WHERE q.question_id = ANY (gone)
    ORDER BY q.display_order, q.question_id;
    DELETE FROM @extschema@.questions q WHERE q.question_id = ANY (gone);
    -- the domains of removed domain nodes: deleted when empty, else kept after the new ones
    FOR r IN
        SELECT d.domain_id, o.urn, o.code, o.ref_id,
               EXISTS (SELECT FROM @extschema@.questions q WHERE q.domain_id = d.domain_id) AS used,
               (SELECT pg_catalog.count(*) FROM @extschema@.maturity_targets t WHERE t.domain_id = d.domain_id) AS targets
        FROM pg_catalog.unnest(olds) o
        JOIN @extschema@.control_domains d ON d.domain_id = o.domain_id
        WHERE o.urn IS NOT NULL AND o.depth = level
          AND NOT EXISTS (SELECT FROM @extschema@.ciso_domain_plan(nodes, level, olds) x WHERE x.domain_id = d.domain_id)
        ORDER BY o.display_order, o.question_id
    LOOP
        IF NOT r.used THEN
            DELETE FROM @extschema@.control_domains d WHERE d.domain_id = r.domain_id;
        ELSE
            placed := placed + 1;
            UPDATE @extschema@.control_domains d
            SET display_order = placed,
                code = CASE WHEN EXISTS (SELECT FROM @extschema@.control_domains x WHERE x.framework_id = fid AND x.code = r.code)
                            THEN r.urn ELSE r.code END
            WHERE d.domain_id = r.domain_id;
        END IF;
        RETURN QUERY SELECT 'control_domain'::text, r.urn::text, r.code::text,
                            CASE WHEN r.used THEN 'kept' ELSE 'deleted' END,
                            CASE WHEN r.used THEN kept
                                 ELSE 'absent from this version of the library'
                                      || CASE WHEN r.targets > 0 THEN pg_catalog.format('; with its %s maturity targets', r.targets)
                                              ELSE '' END END;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_remove_absent_nodes(bigint, text, @extschema@.ciso_requirement_node[], @extschema@.questions[], integer) IS
'For import_ciso_assistant_library: the nodes of a framework that a new version of its library no longer has are deleted with everything under them and their mappings, unless one of them has answers: then the node is kept (its code back, or its urn when a new node took the code); a removed domain node''s domain is deleted when empty (with its maturity targets), else kept after the new domains.';
REVOKE EXECUTE ON FUNCTION @extschema@.ciso_remove_absent_nodes(bigint, text, @extschema@.ciso_requirement_node[], @extschema@.questions[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ciso_remove_absent_nodes(bigint, text, @extschema@.ciso_requirement_node[], @extschema@.questions[], integer) TO ismseval_admin;

-- Creates or updates the requirement nodes of a framework (and its control domains), parents
-- first, then removes what the library no longer has.
CREATE FUNCTION @extschema@.ciso_import_requirement_nodes(fid bigint, framework_urn text,
                                                          nodes @extschema@.ciso_requirement_node[], level integer)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    olds    @extschema@.questions[] := ARRAY(SELECT q FROM @extschema@.questions q WHERE q.framework_id = fid);
    node    @extschema@.ciso_requirement_node;
    old     @extschema@.questions;
    fresh   @extschema@.questions;
    parent_domain bigint;
    changed text;
    bad     record;
BEGIN
    SELECT q.code, q.question_id, n.urn INTO bad
    FROM pg_catalog.unnest(olds) q JOIN pg_catalog.unnest(nodes) n ON n.code = q.code
    WHERE q.urn IS NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'framework %: question % (id %, not from the library) has the code that requirement node % takes',
            framework_urn, bad.code, bad.question_id, bad.urn
            USING ERRCODE = 'check_violation', HINT = 'Change the code of that question first.';
    END IF;
    -- park the codes that move, so that no two nodes hold one in between
    UPDATE @extschema@.questions q SET code = 'urn:ismseval:moving:' || q.question_id
    WHERE q.framework_id = fid AND q.urn IS NOT NULL
      AND (EXISTS (SELECT FROM pg_catalog.unnest(nodes) n WHERE n.urn = q.urn AND n.code <> q.code)
           OR NOT EXISTS (SELECT FROM pg_catalog.unnest(nodes) n WHERE n.urn = q.urn)
              AND EXISTS (SELECT FROM pg_catalog.unnest(nodes) n WHERE n.code = q.code));
    RETURN QUERY SELECT * FROM @extschema@.ciso_import_control_domains(fid, nodes, level, olds);
    FOR node IN SELECT x.* FROM pg_catalog.unnest(nodes) x ORDER BY x.depth, x.ord LOOP
        SELECT o.* INTO old FROM pg_catalog.unnest(olds) o WHERE o.urn = node.urn;
        fresh := old;
        SELECT q.question_id, q.domain_id INTO fresh.parent_id, parent_domain
        FROM @extschema@.questions q WHERE q.framework_id = fid AND q.urn = node.parent_urn;
        fresh.domain_id := CASE WHEN node.depth < level THEN NULL
                                WHEN node.depth = level THEN (SELECT d.domain_id FROM @extschema@.control_domains d
                                                           WHERE d.framework_id = fid AND d.code = node.code)
                                ELSE parent_domain END;
        fresh.code := node.code;
        fresh.text := node.text;
        fresh.display_order := node.ord;
        fresh.ref_id := node.ref_id;
        fresh.name := node.name;
        fresh.description := node.description;
        fresh.assessable := node.assessable;
        fresh.answer_kind := 'score';
        fresh.depth := node.depth;
        fresh.weight := node.weight;
        fresh.score_min := node.score_min;
        fresh.score_max := node.score_max;
        fresh.implementation_groups := node.implementation_groups;
        fresh.translations := node.translations;
        changed := @extschema@.ciso_changed_fields(pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(fresh),
                       ARRAY['parent_id', 'domain_id', 'code', 'text', 'display_order', 'ref_id', 'name', 'description',
                             'assessable', 'answer_kind', 'depth', 'weight', 'score_min', 'score_max',
                             'implementation_groups', 'translations']);
        IF old.question_id IS NULL THEN
            INSERT INTO @extschema@.questions (framework_id, domain_id, parent_id, code, text, display_order, urn, ref_id,
                                               name, description, assessable, answer_kind, depth, weight, score_min,
                                               score_max, implementation_groups, translations)
            VALUES (fid, fresh.domain_id, fresh.parent_id, fresh.code, fresh.text, fresh.display_order, node.urn,
                    fresh.ref_id, fresh.name, fresh.description, fresh.assessable, fresh.answer_kind, fresh.depth,
                    fresh.weight, fresh.score_min, fresh.score_max, fresh.implementation_groups, fresh.translations);
        ELSIF changed IS NOT NULL THEN
            UPDATE @extschema@.questions q
            SET (domain_id, parent_id, code, text, display_order, ref_id, name, description, assessable, answer_kind,
                 depth, weight, score_min, score_max, implementation_groups, translations)
              = (fresh.domain_id, fresh.parent_id, fresh.code, fresh.text, fresh.display_order, fresh.ref_id,
                 fresh.name, fresh.description, fresh.assessable, fresh.answer_kind, fresh.depth, fresh.weight,
                 fresh.score_min, fresh.score_max, fresh.implementation_groups, fresh.translations)
            WHERE q.question_id = old.question_id;
        END IF;
        RETURN QUERY SELECT 'requirement_node'::text, node.urn, node.ref_id,
                            CASE WHEN old.question_id IS NULL THEN 'created' WHEN changed IS NULL THEN 'unchanged' ELSE 'updated' END,
                            CASE WHEN old.question_id IS NULL THEN NULL ELSE changed END;
    END LOOP;
    RETURN QUERY SELECT * FROM @extschema@.ciso_remove_absent_nodes(fid, framework_urn, nodes, olds, level);
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_import_requirement_nodes(bigint, text, @extschema@.ciso_requirement_node[], integer) IS
'For import_ciso_assistant_library: creates or updates a framework''s requirement nodes (found by urn) and control domains, parents first: domain_id NULL above the domain level, the node''s own domain at it, the parent''s below; answer_kind score; display_order = file order. Then removes what the library no longer has (ciso_remove_absent_nodes).';
REVOKE EXECUTE ON FUNCTION @extschema@.ciso_import_requirement_nodes(bigint, text, @extschema@.ciso_requirement_node[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ciso_import_requirement_nodes(bigint, text, @extschema@.ciso_requirement_node[], integer) TO ismseval_admin;

-- Imports one framework of a library: the framework row, its implementation groups, its
-- control domains and its requirement nodes.
CREATE FUNCTION @extschema@.ciso_import_framework(framework jsonb, library jsonb, requested_level integer)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    fw_urn  text := @extschema@.ciso_urn(framework, 'a framework of the library');
    owner   text := 'framework ' || fw_urn;
    smin    integer := COALESCE(@extschema@.ciso_integer(framework, 'min_score', owner), 0);
    smax    integer := COALESCE(@extschema@.ciso_integer(framework, 'max_score', owner), 100);
    nodes   @extschema@.ciso_requirement_node[];
    old     @extschema@.frameworks;
    fresh   @extschema@.frameworks;
    depth   integer;
    note    text;
    changed text;
    bad     record;
BEGIN
    IF smin >= smax OR smin < -1000000 OR smax > 1000000 THEN
        RAISE EXCEPTION '%: min_score % must be below max_score %', owner, smin, smax
            USING ERRCODE = 'check_violation',
                  DETAIL = 'Both lie between -1000000 and 1000000; CISO Assistant''s default scale is 0 to 100.';
    END IF;
    nodes := ARRAY(SELECT n FROM @extschema@.ciso_framework_nodes(framework, fw_urn, smin, smax) n);
    depth := (SELECT pg_catalog.max(n.depth) FROM pg_catalog.unnest(nodes) n);
    SELECT f.* INTO old FROM @extschema@.frameworks f WHERE f.urn = fw_urn FOR UPDATE;
    IF requested_level <> old.domain_level THEN
        RAISE EXCEPTION '%: it is loaded with domain level %, not %', owner, old.domain_level, requested_level
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = pg_catalog.format('Import it with domain_level => %s (or NULL), or delete the framework first.',
                                           old.domain_level);
    END IF;
    fresh := old;
    fresh.domain_level := COALESCE(requested_level, old.domain_level, 1);
    IF fresh.domain_level > depth THEN
        RAISE EXCEPTION '%: domain level % is deeper than its tree (depth %)', owner, fresh.domain_level, depth
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT q.urn, f.urn AS other INTO bad
    FROM @extschema@.questions q JOIN @extschema@.frameworks f ON f.framework_id = q.framework_id
    WHERE q.urn IN (SELECT n.urn FROM pg_catalog.unnest(nodes) n) AND q.framework_id IS DISTINCT FROM old.framework_id
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: requirement node % is already a node of framework %', owner, bad.urn, COALESCE(bad.other, '(no urn)')
            USING ERRCODE = 'check_violation';
    END IF;
    IF (old.scale_min, old.scale_max) <> (smin, smax)
       AND EXISTS (SELECT FROM @extschema@.answers a JOIN @extschema@.questions q ON q.question_id = a.question_id
                   WHERE q.framework_id = old.framework_id) THEN
        RAISE EXCEPTION '%: it has answers on the scale % to %, which this version changes to % to %', owner,
            old.scale_min, old.scale_max, smin, smax
            USING ERRCODE = 'check_violation', HINT = 'Answers keep their scale; load the new version as another framework.';
    END IF;
    fresh.ref_id := @extschema@.ciso_text(framework, 'ref_id', owner);
    fresh.code := COALESCE(fresh.ref_id, @extschema@.ciso_urn_tail(fw_urn));
    IF EXISTS (SELECT FROM @extschema@.frameworks f WHERE f.code = fresh.code AND f.framework_id IS DISTINCT FROM old.framework_id) THEN
        note := pg_catalog.format('code is the urn: %s is the code of another framework', fresh.code);
        fresh.code := fw_urn;
    END IF;
    fresh.name := COALESCE(@extschema@.ciso_text(framework, 'name', owner), fresh.ref_id, fw_urn);
    fresh.version := @extschema@.ciso_text(library, 'version', 'the library');
    fresh.scale_min := smin;
    fresh.scale_max := smax;
    -- two thirds up the scale (3 on 1-4), unless the target set before is still on it
    fresh.default_target := CASE WHEN old.default_target BETWEEN smin AND smax THEN old.default_target
                                 ELSE pg_catalog.round(smin + (smax - smin) * 2 / 3.0, 2) END;
    fresh.urn := fw_urn;
    fresh.description := @extschema@.ciso_text(framework, 'description', owner);
    fresh.provider := COALESCE(@extschema@.ciso_text(framework, 'provider', owner),
                               @extschema@.ciso_text(library, 'provider', 'the library'));
    fresh.translations := @extschema@.ciso_translations(framework, owner);
    fresh.score_labels := @extschema@.ciso_score_labels(framework, fw_urn, smin, smax);
    changed := @extschema@.ciso_changed_fields(pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(fresh),
                   ARRAY['code', 'name', 'version', 'scale_min', 'scale_max', 'default_target', 'ref_id', 'description',
                         'provider', 'translations', 'score_labels', 'domain_level']);
    IF old.framework_id IS NULL THEN
        INSERT INTO @extschema@.frameworks (code, name, version, scale_min, scale_max, default_target, urn, ref_id,
                                            description, provider, translations, score_labels, domain_level)
        VALUES (fresh.code, fresh.name, fresh.version, fresh.scale_min, fresh.scale_max, fresh.default_target, fw_urn,
                fresh.ref_id, fresh.description, fresh.provider, fresh.translations, fresh.score_labels,
                fresh.domain_level)
        RETURNING framework_id INTO fresh.framework_id;
    ELSIF changed IS NOT NULL THEN
        UPDATE @extschema@.frameworks f
        SET (code, name, version, scale_min, scale_max, default_target, ref_id, description, provider, translations,
             score_labels, domain_level)
          = (fresh.code, fresh.name, fresh.version, fresh.scale_min, fresh.scale_max, fresh.default_target,
             fresh.ref_id, fresh.description, fresh.provider, fresh.translations, fresh.score_labels, fresh.domain_level)
        WHERE f.framework_id = old.framework_id;
    END IF;
    RETURN QUERY SELECT 'framework'::text, fw_urn, fresh.ref_id,
                        CASE WHEN old.framework_id IS NULL THEN 'created' WHEN changed IS NULL THEN 'unchanged' ELSE 'updated' END,
                        NULLIF(pg_catalog.concat_ws('; ', note, CASE WHEN old.framework_id IS NOT NULL THEN changed END,
                                                    @extschema@.ciso_ignored_fields(framework)), '');
    RETURN QUERY SELECT * FROM @extschema@.ciso_import_implementation_groups(fresh.framework_id, framework, fw_urn);
    RETURN QUERY SELECT * FROM @extschema@.ciso_import_requirement_nodes(fresh.framework_id, fw_urn, nodes, fresh.domain_level);
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_import_framework(jsonb, jsonb, integer) IS
'For import_ciso_assistant_library: creates or updates (found by urn) a framework of a library: code = ref_id (the urn when another framework has that code), name, version = the library''s, scale = min_score..max_score (default 0..100), default_target = two thirds up the scale rounded to 2 decimals (kept when still on the scale), score_labels from scores_definition, domain_level (requested, else as loaded, else 1); then its implementation groups, domains and nodes. 22023 for a domain level unlike the loaded one or deeper than the tree; 23514 for a node of another framework or a new scale under answers.';
REVOKE EXECUTE ON FUNCTION @extschema@.ciso_import_framework(jsonb, jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ciso_import_framework(jsonb, jsonb, integer) TO ismseval_admin;

-- Imports one risk matrix of a library into the risk_matrices catalogue.
CREATE FUNCTION @extschema@.ciso_import_risk_matrix(matrix jsonb, library jsonb)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    m_urn   text := @extschema@.ciso_urn(matrix, 'a risk matrix of the library');
    owner   text := 'risk matrix ' || m_urn;
    old     @extschema@.risk_matrices;
    fresh   @extschema@.risk_matrices;
    changed text;
    state   text;
    msg     text;
    detail  text;
    hint    text;
BEGIN
    BEGIN
        fresh.matrix := @extschema@.risk_matrix_from_jsonb(matrix);
    EXCEPTION WHEN OTHERS THEN
        -- the same error, naming the matrix
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                                hint = PG_EXCEPTION_HINT;
        msg := owner || ': ' || msg;
        IF detail <> '' AND hint <> '' THEN
            RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg, DETAIL = detail, HINT = hint;
        ELSIF detail <> '' THEN
            RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg, DETAIL = detail;
        ELSIF hint <> '' THEN
            RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg, HINT = hint;
        END IF;
        RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg;
    END;
    SELECT m.* INTO old FROM @extschema@.risk_matrices m WHERE m.urn = m_urn FOR UPDATE;
    fresh.urn := m_urn;
    fresh.ref_id := @extschema@.ciso_text(matrix, 'ref_id', owner);
    fresh.name := COALESCE(@extschema@.ciso_text(matrix, 'name', owner), fresh.ref_id, m_urn);
    fresh.description := @extschema@.ciso_text(matrix, 'description', owner);
    fresh.translations := @extschema@.ciso_translations(matrix, owner);
    fresh.provider := COALESCE(@extschema@.ciso_text(matrix, 'provider', owner),
                               @extschema@.ciso_text(library, 'provider', 'the library'));
    -- compared through the jsonb of the rows: the matrix in its text form, every part of it
    changed := @extschema@.ciso_changed_fields(pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(fresh),
                                               ARRAY['ref_id', 'name', 'description', 'translations', 'provider', 'matrix']);
    IF old.risk_matrix_id IS NULL THEN
        INSERT INTO @extschema@.risk_matrices (urn, ref_id, name, description, translations, provider, matrix)
        VALUES (m_urn, fresh.ref_id, fresh.name, fresh.description, fresh.translations, fresh.provider, fresh.matrix);
    ELSIF changed IS NOT NULL THEN
        UPDATE @extschema@.risk_matrices m
        SET (ref_id, name, description, translations, provider, matrix)
          = (fresh.ref_id, fresh.name, fresh.description, fresh.translations, fresh.provider, fresh.matrix)
        WHERE m.risk_matrix_id = old.risk_matrix_id;
    END IF;
    RETURN QUERY SELECT 'risk_matrix'::text, m_urn, fresh.ref_id,
                        CASE WHEN old.risk_matrix_id IS NULL THEN 'created' WHEN changed IS NULL THEN 'unchanged' ELSE 'updated' END,
                        CASE WHEN old.risk_matrix_id IS NULL THEN NULL ELSE changed END;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_import_risk_matrix(jsonb, jsonb) IS
'For import_ciso_assistant_library: creates or updates (found by urn) a risk_matrices row from a library''s risk matrix: the matrix through risk_matrix_from_jsonb (its error, prefixed with the matrix''s urn), ref_id, name (else ref_id, else urn), description, translations, provider (the library''s).';
REVOKE EXECUTE ON FUNCTION @extschema@.ciso_import_risk_matrix(jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ciso_import_risk_matrix(jsonb, jsonb) TO ismseval_admin;

-- The framework a mapping set names under key (source_framework_urn or target_framework_urn).
CREATE FUNCTION @extschema@.ciso_mapping_framework(mapping_set jsonb, key text, owner text)
RETURNS @extschema@.frameworks
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    fw_urn  text := pg_catalog.lower(pg_catalog.btrim(@extschema@.ciso_text(mapping_set, key, owner)));
    fw      @extschema@.frameworks;
BEGIN
    IF fw_urn IS NULL THEN
        RAISE EXCEPTION '% has no %', owner, key USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT f.* INTO fw FROM @extschema@.frameworks f WHERE f.urn = fw_urn;
    IF NOT FOUND THEN
        RAISE EXCEPTION '%: framework % (%) is not loaded', owner, fw_urn, key
            USING ERRCODE = 'check_violation', HINT = 'Import the library of that framework first.';
    END IF;
    RETURN fw;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_mapping_framework(jsonb, text, text) IS
'For the CISO Assistant import: the loaded framework whose urn a mapping set gives under key; 22023 when missing, 23514 when no framework has that urn.';

-- The requirement node of framework fw with the urn a mapping gives under key.
CREATE FUNCTION @extschema@.ciso_mapping_requirement(fw @extschema@.frameworks, mapping jsonb, key text, owner text)
RETURNS @extschema@.questions
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    req_urn text := pg_catalog.lower(pg_catalog.btrim(@extschema@.ciso_text(mapping, key, owner)));
    q       @extschema@.questions;
BEGIN
    IF req_urn IS NULL THEN
        RAISE EXCEPTION '% has no %', owner, key USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT x.* INTO q FROM @extschema@.questions x WHERE x.framework_id = fw.framework_id AND x.urn = req_urn;
    IF NOT FOUND THEN
        RAISE EXCEPTION '%: requirement % (%) is not loaded in framework %', owner, req_urn, key, fw.urn
            USING ERRCODE = 'check_violation',
                  HINT = 'Import the version of that framework''s library the mapping set was made for.';
    END IF;
    RETURN q;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_mapping_requirement(@extschema@.frameworks, jsonb, text, text) IS
'For the CISO Assistant import: the requirement node of a framework whose urn a requirement mapping gives under key; 22023 when missing, 23514 when the framework has no node with that urn.';

-- Imports one requirement mapping set of a library and its mappings; removes the mappings a
-- newer version of the set no longer has.
CREATE FUNCTION @extschema@.ciso_import_mapping_set(mapping_set jsonb)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    set_urn text := @extschema@.ciso_urn(mapping_set, 'a requirement mapping set of the library');
    owner   text := 'requirement mapping set ' || set_urn;
    source  @extschema@.frameworks := @extschema@.ciso_mapping_framework(mapping_set, 'source_framework_urn', owner);
    target  @extschema@.frameworks := @extschema@.ciso_mapping_framework(mapping_set, 'target_framework_urn', owner);
    list    jsonb := COALESCE(NULLIF(mapping_set -> 'requirement_mappings', 'null'), '[]');
    old     @extschema@.requirement_mapping_sets;
    fresh   @extschema@.requirement_mapping_sets;
    e       record;
    sq      @extschema@.questions;
    tq      @extschema@.questions;
    om      @extschema@.requirement_mappings;
    nm      @extschema@.requirement_mappings;
    pair    text;
    seen    jsonb := '{}';
    changed text;
BEGIN
    IF source.framework_id = target.framework_id THEN
        RAISE EXCEPTION '%: source and target are the same framework %', owner, source.urn
            USING ERRCODE = 'check_violation';
    END IF;
    IF pg_catalog.jsonb_typeof(list) <> 'array' THEN
        RAISE EXCEPTION '%: "requirement_mappings" must be a list, got %', owner, pg_catalog.jsonb_typeof(list)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT s.* INTO old FROM @extschema@.requirement_mapping_sets s WHERE s.urn = set_urn FOR UPDATE;
    IF (old.source_framework_id, old.target_framework_id) <> (source.framework_id, target.framework_id) THEN
        RAISE EXCEPTION '%: it is loaded between other frameworks (ids % and %)', owner,
            old.source_framework_id, old.target_framework_id
            USING ERRCODE = 'check_violation', HINT = 'Delete the loaded mapping set first.';
    END IF;
    fresh := old;
    fresh.ref_id := @extschema@.ciso_text(mapping_set, 'ref_id', owner);
    fresh.name := COALESCE(@extschema@.ciso_text(mapping_set, 'name', owner), fresh.ref_id, set_urn);
    fresh.description := @extschema@.ciso_text(mapping_set, 'description', owner);
    changed := @extschema@.ciso_changed_fields(pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(fresh),
                                               ARRAY['ref_id', 'name', 'description']);
    IF old.mapping_set_id IS NULL THEN
        INSERT INTO @extschema@.requirement_mapping_sets (urn, ref_id, name, description, source_framework_id, target_framework_id)
        VALUES (set_urn, fresh.ref_id, fresh.name, fresh.description, source.framework_id, target.framework_id)
        RETURNING mapping_set_id INTO fresh.mapping_set_id;
    ELSIF changed IS NOT NULL THEN
        UPDATE @extschema@.requirement_mapping_sets s SET (ref_id, name, description) = (fresh.ref_id, fresh.name, fresh.description)
        WHERE s.mapping_set_id = old.mapping_set_id;
    END IF;
    RETURN QUERY SELECT 'requirement_mapping_set'::text, set_urn, fresh.ref_id,
                        CASE WHEN old.mapping_set_id IS NULL THEN 'created' WHEN changed IS NULL THEN 'unchanged' ELSE 'updated' END,
                        CASE WHEN old.mapping_set_id IS NULL THEN NULL ELSE changed END;
    FOR e IN SELECT x.m, x.n, pg_catalog.format('%s, mapping %s', owner, x.n) AS owner
             FROM pg_catalog.jsonb_array_elements(list) WITH ORDINALITY x(m, n) ORDER BY x.n
    LOOP
        IF pg_catalog.jsonb_typeof(e.m) <> 'object' THEN
            RAISE EXCEPTION '% must be an object, got %', e.owner, pg_catalog.jsonb_typeof(e.m)
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        sq := @extschema@.ciso_mapping_requirement(source, e.m, 'source_requirement_urn', e.owner);
        tq := @extschema@.ciso_mapping_requirement(target, e.m, 'target_requirement_urn', e.owner);
        pair := sq.question_id || '>' || tq.question_id;
        SELECT m.* INTO om FROM @extschema@.requirement_mappings m
        WHERE m.mapping_set_id = fresh.mapping_set_id AND m.source_question_id = sq.question_id
          AND m.target_question_id = tq.question_id;
        nm := om;
        nm.relationship := @extschema@.ciso_text(e.m, 'relationship', e.owner);
        nm.strength := @extschema@.ciso_integer(e.m, 'strength_of_relationship', e.owner);
        nm.rationale := @extschema@.ciso_text(e.m, 'rationale', e.owner);
        IF nm.relationship IS NULL OR nm.relationship NOT IN ('equal', 'subset', 'superset', 'intersect', 'not_related') THEN
            RAISE EXCEPTION '%: relationship must be equal, subset, superset, intersect or not_related, got %', e.owner,
                COALESCE(nm.relationship, 'none')
                USING ERRCODE = 'check_violation';
        END IF;
        IF nm.strength NOT BETWEEN 0 AND 10 THEN
            RAISE EXCEPTION '%: strength_of_relationship must be between 0 and 10, got %', e.owner, nm.strength
                USING ERRCODE = 'check_violation';
        END IF;
        -- the same mapping again is reported and skipped; the same pair related otherwise is an error
        IF seen ? pair THEN
            IF seen -> pair -> 'values' <> pg_catalog.jsonb_build_object('relationship', nm.relationship,
                                                                          'strength', nm.strength, 'rationale', nm.rationale) THEN
                RAISE EXCEPTION '%: % -> % is mapped twice, differently', owner, sq.urn, tq.urn
                    USING ERRCODE = 'check_violation',
                          DETAIL = pg_catalog.format('Mappings %s and %s of the set relate the same requirements.',
                                                     seen -> pair ->> 'n', e.n);
            END IF;
            RETURN QUERY SELECT 'requirement_mapping'::text, sq.urn || ' -> ' || tq.urn, sq.code || ' -> ' || tq.code,
                                'skipped'::text, pg_catalog.format('the same as mapping %s of the set', seen -> pair ->> 'n');
            CONTINUE;
        END IF;
        seen := seen || pg_catalog.jsonb_build_object(pair, pg_catalog.jsonb_build_object(
                    'n', e.n, 'values', pg_catalog.jsonb_build_object('relationship', nm.relationship,
                                                                       'strength', nm.strength, 'rationale', nm.rationale)));
        changed := @extschema@.ciso_changed_fields(pg_catalog.to_jsonb(om), pg_catalog.to_jsonb(nm),
                                                   ARRAY['relationship', 'strength', 'rationale']);
        IF om.mapping_set_id IS NULL THEN
            INSERT INTO @extschema@.requirement_mappings (mapping_set_id, source_framework_id, source_question_id,
                                                          target_framework_id, target_question_id, relationship,
                                                          strength, rationale)
            VALUES (fresh.mapping_set_id, source.framework_id, sq.question_id, target.framework_id, tq.question_id,
                    nm.relationship, nm.strength, nm.rationale);
        ELSIF changed IS NOT NULL THEN
            UPDATE @extschema@.requirement_mappings m
            SET (relationship, strength, rationale) = (nm.relationship, nm.strength, nm.rationale)
            WHERE m.mapping_set_id = fresh.mapping_set_id AND m.source_question_id = sq.question_id
              AND m.target_question_id = tq.question_id;
        END IF;
        RETURN QUERY SELECT 'requirement_mapping'::text, sq.urn || ' -> ' || tq.urn, sq.code || ' -> ' || tq.code,
                            CASE WHEN om.mapping_set_id IS NULL THEN 'created' WHEN changed IS NULL THEN 'unchanged' ELSE 'updated' END,
                            CASE WHEN om.mapping_set_id IS NULL THEN NULL ELSE changed END;
    END LOOP;
    RETURN QUERY
    WITH gone AS (
        DELETE FROM @extschema@.requirement_mappings m
        WHERE m.mapping_set_id = fresh.mapping_set_id AND NOT seen ? (m.source_question_id || '>' || m.target_question_id)
        RETURNING m.source_question_id, m.target_question_id
    )
    SELECT 'requirement_mapping'::text, s.urn || ' -> ' || t.urn, s.code || ' -> ' || t.code, 'deleted'::text,
           'absent from this version of the mapping set'::text
    FROM gone g
    JOIN @extschema@.questions s ON s.question_id = g.source_question_id
    JOIN @extschema@.questions t ON t.question_id = g.target_question_id
    ORDER BY 2;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_import_mapping_set(jsonb) IS
'For import_ciso_assistant_library: creates or updates (found by urn) a requirement mapping set between two loaded frameworks and its mappings (source and target requirement found by urn in their frameworks; relationship, strength_of_relationship 0-10, rationale); mappings the set no longer has are deleted. 23514 for a framework or requirement that is not loaded, a pair mapped twice, an unknown relationship or a strength off 0-10.';
REVOKE EXECUTE ON FUNCTION @extschema@.ciso_import_mapping_set(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.ciso_import_mapping_set(jsonb) TO ismseval_admin;

-- One row per object of a library that ismseval does not import, with the reason.
CREATE FUNCTION @extschema@.ciso_skipped_objects(objects jsonb)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN k.key LIKE '%ies' THEN pg_catalog.regexp_replace(k.key, 'ies$', 'y')
                ELSE pg_catalog.regexp_replace(k.key, 's$', '') END,
           pg_catalog.lower(e.item ->> 'urn'), e.item ->> 'ref_id', 'skipped',
           CASE k.key
               WHEN 'threats' THEN 'threats of libraries are not imported: ismseval keeps its own threat catalogue (threats)'
               WHEN 'reference_controls' THEN 'reference controls are not part of ismseval''s model'
               WHEN 'metric_definitions' THEN 'metric definitions are not imported: KPIs are defined per organization (kpis)'
               ELSE pg_catalog.replace(k.key, '_', ' ') || ' are not part of ismseval''s model' END
    FROM pg_catalog.jsonb_each(objects) k
    CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(
        CASE pg_catalog.jsonb_typeof(k.value) WHEN 'array' THEN k.value ELSE pg_catalog.jsonb_build_array(k.value) END
    ) WITH ORDINALITY e(item, n)
    WHERE k.key NOT IN ('framework', 'frameworks', 'risk_matrix', 'risk_matrices', 'requirement_mapping_set',
                        'requirement_mapping_sets')
    ORDER BY k.key, e.n;
END;
COMMENT ON FUNCTION @extschema@.ciso_skipped_objects(jsonb) IS
'For import_ciso_assistant_library''s report: one row (action skipped, with the reason) per object of a library of a kind ismseval does not import: threats, reference controls, metric definitions, and any other kind.';

CREATE FUNCTION @extschema@.import_ciso_assistant_library(library jsonb, domain_level integer DEFAULT NULL)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    objects jsonb := @extschema@.ciso_library_objects(library);
    item    jsonb;
BEGIN
    IF domain_level NOT BETWEEN 1 AND 100 THEN
        RAISE EXCEPTION 'domain_level must be between 1 and 100, got %', domain_level
            USING ERRCODE = 'invalid_parameter_value', HINT = 'NULL takes the level the framework is loaded with, else 1.';
    END IF;
    -- one import at a time: a second waits here, then finds what the first loaded ('isms', 1)
    PERFORM pg_catalog.pg_advisory_xact_lock(1769172339, 1);
    FOR item IN SELECT x.value FROM pg_catalog.jsonb_array_elements(
                    @extschema@.ciso_object_list(objects, 'framework', 'frameworks')) x LOOP
        RETURN QUERY SELECT * FROM @extschema@.ciso_import_framework(item, library, domain_level);
    END LOOP;
    FOR item IN SELECT x.value FROM pg_catalog.jsonb_array_elements(
                    @extschema@.ciso_object_list(objects, 'risk_matrix', 'risk_matrices')) x LOOP
        RETURN QUERY SELECT * FROM @extschema@.ciso_import_risk_matrix(item, library);
    END LOOP;
    FOR item IN SELECT x.value FROM pg_catalog.jsonb_array_elements(
                    @extschema@.ciso_object_list(objects, 'requirement_mapping_set', 'requirement_mapping_sets')) x LOOP
        RETURN QUERY SELECT * FROM @extschema@.ciso_import_mapping_set(item);
    END LOOP;
    RETURN QUERY SELECT * FROM @extschema@.ciso_skipped_objects(objects);
END
$$;
COMMENT ON FUNCTION @extschema@.import_ciso_assistant_library(jsonb, integer) IS
'Imports a CISO Assistant library (its YAML as jsonb): frameworks with their requirement trees (nodes at depth domain_level become the control domains; NULL = as loaded, else 1), risk matrices (risk_matrices) and requirement mapping sets, each found by urn, so a second import changes nothing and a newer version updates in place (removed nodes with answers are kept). All or nothing; one row per object: kind, urn, ref_id, action (created, updated, unchanged, deleted, kept, skipped) and reason. Administrators only.';
REVOKE EXECUTE ON FUNCTION @extschema@.import_ciso_assistant_library(jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.import_ciso_assistant_library(jsonb, integer) TO ismseval_admin;

-- Labels: the heat map's residual caption fits its panel; coverage counts results too (charts.sql).
-- The label key in language lang ('en' or 'ja'); 22023 for another language, the key itself
-- for an unknown key.
CREATE OR REPLACE FUNCTION @extschema@.report_label(key text, lang text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
DECLARE
    result  text;
BEGIN
    IF lang NOT IN ('en', 'ja') THEN
        RAISE EXCEPTION 'lang must be ''en'' or ''ja'', got ''%''', lang
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN lang = 'ja' THEN l.ja ELSE l.en END INTO result
    FROM (VALUES
        ('own', 'Own', '自組織'),
        ('peers', 'Peers (mean)', '同業他社（平均）'),
        ('peers_missing', 'Peers: not shown (too few peers)', '同業他社：表示なし（社数不足）'),
        ('target', 'Target', '目標'),
        ('maturity', 'maturity', '成熟度'),
        ('scale_note', 'scale %s-%s, centre = %s', '尺度 %s～%s、中心 = %s'),
        ('inherent', 'Inherent risk', '固有リスク'),
        ('residual', 'Residual risk', '残留リスク'),
        ('likelihood', 'Likelihood', '発生可能性'),
        ('impact', 'Impact', '影響度'),
        ('risk_map', 'risk map', 'リスクマップ'),
        ('risks', 'risks', '件のリスク'),
        ('forecast', 'forecast', '予測'),
        ('green', 'green', '緑'),
        ('amber', 'amber', '黄'),
        ('red', 'red', '赤'),
        ('peer_position', 'position among peers', '同業他社の中での位置'),
        ('peer_mean', 'peer mean', '同業他社平均'),
        ('peers_below', 'peers below', '下位の社'),
        ('peers_equal', 'equal', '同点'),
        ('peers_above', 'peers above', '上位の社'),
        ('total_pct', 'total score, % of the scale', '総合点（尺度に対する%）'),
        ('percentile', 'percentile', 'パーセンタイル'),
        ('rank_of', 'rank %1$s of %2$s', '%2$s社中 %1$s位'),
        ('deviation', 'deviation score', '偏差値'),
        ('published', 'peer figures published', '同業他社の数値の公表日'),
        ('no_peer_figures', 'No peer figures: too few peers, or none published yet.', '同業他社の数値なし：社数不足または未公表。'),
        ('review_title', 'Information security management review', '情報セキュリティ マネジメントレビュー'),
        ('peer_group', 'Peer group', '同業グループ'),
        ('framework', 'Framework', 'フレームワーク'),
        ('assessed_on', 'assessment of', '評価日'),
        ('report_of', 'Report of', '作成日'),
        ('period', 'Incident and risk period', 'インシデント・リスクの対象期間'),
        ('headline', 'Headline figures', '主要指標'),
        ('maturity_total', 'Maturity (total, % of the scale)', '成熟度（総合、尺度に対する%）'),
        ('change_prev', 'change since the previous assessment', '前回評価からの変化'),
        ('pp', 'points', 'ポイント'),
        ('risks_outside', 'Risks outside tolerance', '許容範囲外のリスク'),
        ('of_n', 'of %s', '全 %s 件中'),
        ('kpis_rag', 'KPIs green / amber / red', 'KPI 緑／黄／赤'),
        ('objectives_on_track', 'Objectives on track', '達成見込みの目標'),
        ('incidents_12m', 'Incidents, last 12 months', 'インシデント（過去12か月）'),
        ('severe_n', '%s severe', '重大 %s 件'),
        ('severe_col', 'Severe', '重大'),
        ('nc_open', 'Open nonconformities', '未完了の不適合'),
        ('actions_overdue_n', '%s corrective actions overdue', '是正処置の期限超過 %s 件'),
        ('coverage', 'Coverage', '回答率'),
        ('changes', 'Maturity by domain and changes since the last review', '領域別の成熟度と前回レビューからの変化'),
        ('domain', 'Domain', '領域'),
        ('score', 'Score', 'スコア'),
        ('vs_prev', 'vs previous', '前回比'),
        ('vs_year', 'vs a year ago', '前年比'),
        ('radar_heading', 'Maturity against peers and target', '成熟度：同業他社・目標との比較'),
        ('heatmap_heading', 'Risk map', 'リスクマップ'),
        ('kpi_heading', 'KPI trends', 'KPIの推移'),
        ('objectives_heading', 'Objectives', '情報セキュリティ目標'),
        ('objective', 'Objective', '目標'),
        ('due', 'Due', '期限'),
        ('latest', 'Latest', '最新値'),
        ('forecast_at_due', 'Forecast at due date', '期限時点の予測'),
        ('on_track', 'On track', '達成見込み'),
        ('status', 'Status', '状態'),
        ('yes', 'yes', 'はい'),
        ('no', 'no', 'いいえ'),
        ('achieved', 'achieved', '達成'),
        ('overdue', 'overdue', '期限超過'),
        ('incidents_heading', 'Incidents by month', '月別インシデント'),
        ('month', 'Month', '月'),
        ('incidents', 'Incidents', '件数'),
        ('mttd', 'Mean time to detect (h)', '平均検知時間（時間）'),
        ('mttr', 'Mean time to resolve (h)', '平均復旧時間（時間）'),
        ('reported24', 'Reported within 24 h (%)', '24時間以内の報告（%）'),
        ('nc_heading', 'Nonconformities and corrective actions', '不適合と是正処置'),
        ('raised', 'Raised', '発生日'),
        ('description', 'Description', '内容'),
        ('owner', 'Owner', '責任者'),
        ('peer_heading', 'Standing among peers', '同業他社の中での位置'),
        ('explain_deviation', 'The deviation score places the total score among the peers: 50 is the peer mean and every 10 points is one standard deviation (60 is above about 84 % of a normal distribution). The percentile is the share of peers below the organization, ties counted as half. Both are of the value published in the latest peer release.', '偏差値は総合点が同業他社の中でどの位置にあるかを示します。50が平均で、10ポイントが標準偏差1つ分です（60は正規分布のおよそ84%を上回ります）。パーセンタイルは自組織より下位の同業他社の割合で、同点は半分と数えます。いずれも最新の公表値に基づきます。'),
        ('explain_coverage', 'Coverage is the share of the applicable requirements answered with a score or a result; where it is low, the score rests on few answers.', '回答率は、該当する要求事項のうちスコアまたは結果が回答された割合です。回答率が低い領域のスコアは少数の回答に基づいています。'),
        ('explain_forecast', 'Forecast: the least-squares trend of the last 6 measurements, extended to the objective''s due date.', '予測：直近6回の測定値の最小二乗トレンドを目標の期限まで延長した値。'),
        ('note_peers', 'Peer figures come from the latest published release and are shown only where enough peers stand behind them.', '同業他社の数値は最新の公表値で、十分な社数がある場合にのみ表示されます。'),
        ('generated', 'Generated by ismseval', 'ismseval により作成'),
        ('none', 'none', 'なし'),
        ('dept_heading', 'Departments against the company-wide mean', '部門別：全社平均との比較'),
        ('department', 'Department', '部門'),
        ('company_mean', 'Company-wide mean', '全社平均'),
        ('explain_departments', 'Each department''s domain score in its latest assessment: green above the company-wide mean (the mean over the departments, each counted once), red below.', '各部門の最新の評価における領域スコア。全社平均（各部門を1回ずつ数えた平均）より高いものを緑、低いものを赤で示します。'),
        ('assessed', 'Assessed', '評価日'),
        ('explain_frameworks', 'One row per framework the organization assessed organization-wide, from its latest assessment of it; the sections below are about the framework in bold.', '組織全体で評価したフレームワークごとに、その最新の評価の値を1行で示します。以下の各節は太字のフレームワークについてのものです。')
    ) l(key, en, ja)
    WHERE l.key = report_label.key;
    RETURN COALESCE(result, key);
END
$$;
COMMENT ON FUNCTION @extschema@.report_label(text, text) IS
'The text of a chart or report label in English (lang ''en'') or Japanese (''ja''); 22023 for another language.';

-- ---------------------------------------------------------------------------
-- 0.5.0, issue 12 (CISO Assistant instance exports): import_ciso_assistant_export and its
-- steps (ciso_export.sql), the new tables applied_controls and ciso_assistant_objects.
-- ---------------------------------------------------------------------------

-- ---------------------------------------------------------------------------
-- Applied controls
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.applied_controls (
    applied_control_id bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    ref_id          text,
    name            text NOT NULL CHECK (name <> ''),
    description     text,
    category        text
        CONSTRAINT applied_controls_category_known
        CHECK (category IN ('policy', 'process', 'technical', 'physical', 'procedure')),
    csf_function    text
        CONSTRAINT applied_controls_csf_function_known
        CHECK (csf_function IN ('govern', 'identify', 'protect', 'detect', 'respond', 'recover')),
    status          text
        CONSTRAINT applied_controls_status_known
        CHECK (status IN ('to_do', 'in_progress', 'on_hold', 'active', 'degraded', 'deprecated')),
    priority        integer CONSTRAINT applied_controls_priority_1_to_4 CHECK (priority BETWEEN 1 AND 4),
    effort          text
        CONSTRAINT applied_controls_effort_known CHECK (effort IN ('XS', 'S', 'M', 'L', 'XL')),
    start_date      date,
    eta             date,
    expiry_date     date,
    link            text,
    reference_control_urn text CHECK (reference_control_urn <> ''),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (organization_id, applied_control_id)
);
COMMENT ON TABLE @extschema@.applied_controls IS
'Security controls an organization applies or plans (CISO Assistant''s applied controls): category, CSF function, status, priority, effort, dates and the urn of the reference control they implement.';
COMMENT ON COLUMN @extschema@.applied_controls.category IS
'policy, process, technical, physical or procedure; NULL when not given.';
COMMENT ON COLUMN @extschema@.applied_controls.csf_function IS
'The NIST CSF function the control serves: govern, identify, protect, detect, respond or recover; NULL when not given.';
COMMENT ON COLUMN @extschema@.applied_controls.status IS
'to_do, in_progress, on_hold, active, degraded or deprecated; NULL when undefined (CISO Assistant''s "--").';
COMMENT ON COLUMN @extschema@.applied_controls.priority IS
'1 (P1, highest) to 4 (P4); NULL when not given.';
COMMENT ON COLUMN @extschema@.applied_controls.effort IS
'Relative effort in T-shirt sizes: XS, S, M, L or XL; NULL when not given.';
COMMENT ON COLUMN @extschema@.applied_controls.eta IS
'When the control is expected to be in place.';
COMMENT ON COLUMN @extschema@.applied_controls.expiry_date IS
'The date after which the control is no longer valid.';
COMMENT ON COLUMN @extschema@.applied_controls.reference_control_urn IS
'The urn of the reference control (of a CISO Assistant library) the control implements; NULL for a control of the organization''s own.';

-- ---------------------------------------------------------------------------
-- Which row each imported object became
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.ciso_assistant_objects (
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    model           text NOT NULL CHECK (model <> ''),
    ciso_id         text NOT NULL CHECK (ciso_id <> ''),
    local_id        bigint NOT NULL,
    imported_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (organization_id, model, ciso_id)
);
CREATE INDEX ciso_assistant_objects_object_idx ON @extschema@.ciso_assistant_objects (model, ciso_id);
COMMENT ON TABLE @extschema@.ciso_assistant_objects IS
'Which row each object of a CISO Assistant export was imported into, per organization, so that importing the export again updates those rows: model and ciso_id are the object''s in the export, local_id the key of its row (core.perimeter, core.riskassessment, core.riskmatrix: organizations; core.complianceassessment: assessments; core.riskscenario: risks; core.asset: assets; core.threat: threats; core.appliedcontrol: applied_controls).';
COMMENT ON COLUMN @extschema@.ciso_assistant_objects.model IS
'The object''s model in the export, e.g. core.riskscenario.';
COMMENT ON COLUMN @extschema@.ciso_assistant_objects.ciso_id IS
'The object''s id in the export.';
COMMENT ON COLUMN @extschema@.ciso_assistant_objects.local_id IS
'The key of the row the object was imported into, in the table of its model (see the table''s comment).';
COMMENT ON COLUMN @extschema@.ciso_assistant_objects.imported_at IS
'When the import created that row (or linked an existing one).';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.applied_controls', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.applied_controls_applied_control_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ciso_assistant_objects', '');

-- Administrators: everything. Tenants: their organizations' applied controls, every column but
-- the key; the mapping they read only (the import is for administrators).
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.applied_controls, @extschema@.ciso_assistant_objects
    TO ismseval_admin;
GRANT USAGE, SELECT ON @extschema@.applied_controls_applied_control_id_seq TO ismseval_admin;
GRANT SELECT, DELETE,
      INSERT (organization_id, ref_id, name, description, category, csf_function, status, priority, effort,
              start_date, eta, expiry_date, link, reference_control_urn, created_at),
      UPDATE (organization_id, ref_id, name, description, category, csf_function, status, priority, effort,
              start_date, eta, expiry_date, link, reference_control_urn, created_at)
    ON @extschema@.applied_controls TO ismseval_tenant;
GRANT USAGE ON @extschema@.applied_controls_applied_control_id_seq TO ismseval_tenant;
GRANT SELECT ON @extschema@.ciso_assistant_objects TO ismseval_tenant;

ALTER TABLE @extschema@.applied_controls ENABLE ROW LEVEL SECURITY;
CREATE POLICY applied_controls_admin ON @extschema@.applied_controls
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY applied_controls_tenant ON @extschema@.applied_controls
    TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations()))
    WITH CHECK (organization_id IN (SELECT @extschema@.my_organizations()));
ALTER TABLE @extschema@.ciso_assistant_objects ENABLE ROW LEVEL SECURITY;
CREATE POLICY ciso_assistant_objects_admin ON @extschema@.ciso_assistant_objects
    TO ismseval_admin USING (true) WITH CHECK (true);
CREATE POLICY ciso_assistant_objects_tenant ON @extschema@.ciso_assistant_objects
    FOR SELECT TO ismseval_tenant
    USING (@extschema@.plan_guard_active() AND organization_id IN (SELECT @extschema@.my_organizations()));

-- ---------------------------------------------------------------------------
-- Reading the fields of an exported object
-- ---------------------------------------------------------------------------

-- A text field of an exported object; NULL when absent, JSON null or blank.
CREATE FUNCTION @extschema@.ciso_field_text(fields jsonb, key text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN NULLIF(pg_catalog.btrim(fields ->> key), '');
COMMENT ON FUNCTION @extschema@.ciso_field_text(jsonb, text) IS
'The field key of an exported CISO Assistant object as text, trimmed; NULL when absent, null or blank.';

-- An integer field of an exported object; NULL when absent or null, 22023 naming the object
-- when it is not an integer.
CREATE FUNCTION @extschema@.ciso_field_int(fields jsonb, key text, what text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    v   jsonb := fields -> key;
BEGIN
    IF v IS NULL OR pg_catalog.jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.jsonb_typeof(v) = 'number' AND v::text::numeric = pg_catalog.trunc(v::text::numeric)
       AND pg_catalog.abs(v::text::numeric) <= 1000000 THEN
        RETURN v::text::numeric::integer;
    END IF;
    RAISE EXCEPTION '% of % must be an integer, got %', key, what, pg_catalog.left(v::text, 40)
        USING ERRCODE = 'invalid_parameter_value';
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_field_int(jsonb, text, text) IS
'The field key of an exported CISO Assistant object as an integer (at most 1000000 in size); NULL when absent or null; 22023 naming the object (what) otherwise.';

-- A date field of an exported object: a date, or the UTC day of a timestamp; NULL when
-- absent, 22007 naming the object when it is neither.
CREATE FUNCTION @extschema@.ciso_field_date(fields jsonb, key text, what text)
RETURNS date
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    t   text := @extschema@.ciso_field_text(fields, key);
BEGIN
    IF t IS NULL THEN
        RETURN NULL;
    END IF;
    IF t ~ '^\d{4}-\d{2}-\d{2}$' THEN
        RETURN t::date;
    END IF;
    RETURN (t::timestamptz AT TIME ZONE 'UTC')::date;
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
    RAISE EXCEPTION '% of % must be a date or a timestamp, got %', key, what, pg_catalog.left(t, 40)
        USING ERRCODE = 'invalid_datetime_format';
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_field_date(jsonb, text, text) IS
'The field key of an exported CISO Assistant object as a date: a YYYY-MM-DD date, or the UTC day of a timestamp; NULL when absent; 22007 naming the object (what) otherwise.';

-- The kind of an exported object in the summary: its model without "core.", in snake case.
CREATE FUNCTION @extschema@.ciso_object_kind(model text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE model WHEN 'core.complianceassessment' THEN 'compliance_assessment'
                  WHEN 'core.requirementassessment' THEN 'requirement_assessment'
                  WHEN 'core.riskassessment' THEN 'risk_assessment'
                  WHEN 'core.riskscenario' THEN 'risk_scenario'
                  WHEN 'core.riskmatrix' THEN 'risk_matrix'
                  WHEN 'core.appliedcontrol' THEN 'applied_control'
                  WHEN 'core.referencecontrol' THEN 'reference_control'
                  WHEN 'core.loadedlibrary' THEN 'loaded_library'
                  WHEN 'core.evidencerevision' THEN 'evidence_revision'
                  ELSE pg_catalog.regexp_replace(model, '^core\.', '') END;
COMMENT ON FUNCTION @extschema@.ciso_object_kind(text) IS
'The kind of an exported CISO Assistant object in an import''s summary: its model without "core.", in snake case (core.riskscenario: risk_scenario); other apps'' models as they are.';

-- How messages name an exported object: its kind in words and its id.
CREATE FUNCTION @extschema@.ciso_object_name(model text, id text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.replace(@extschema@.ciso_object_kind(model), '_', ' ') || ' ' || id;
COMMENT ON FUNCTION @extschema@.ciso_object_name(text, text) IS
'An exported object as messages name it: its kind in words and its id, e.g. "risk scenario 3291".';

-- A score on the scale from_min..from_max read on to_min..to_max (the rule of three CISO
-- Assistant applies when a scale changes), rounded to the nearest integer, halves away from 0.
CREATE FUNCTION @extschema@.rescale_score(score integer, from_min integer, from_max integer,
                                          to_min integer, to_max integer)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN from_min = to_min AND from_max = to_max OR from_min >= from_max THEN score
            ELSE pg_catalog.round(to_min + (score - from_min)::numeric * (to_max - to_min) / (from_max - from_min))::integer END;
COMMENT ON FUNCTION @extschema@.rescale_score(integer, integer, integer, integer, integer) IS
'score on from_min..from_max read on to_min..to_max: round(to_min + (score - from_min) x (to_max - to_min) / (from_max - from_min)), halves away from zero; the score itself when the scales are equal (or from_min >= from_max).';

-- ---------------------------------------------------------------------------
-- The steps of an import. Each reads the staged export (pg_temp.ciso_export_objects)
-- and adds its lines to the summary (pg_temp.ciso_export_summary).
-- ---------------------------------------------------------------------------

-- Adds a line to the summary of the running import.
CREATE FUNCTION @extschema@.ciso_export_note(model text, external_id text, ref text, action text, reason text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    INSERT INTO pg_temp.ciso_export_summary (kind, external_id, ref, action, reason)
    VALUES (@extschema@.ciso_object_kind(model), external_id, ref, action, reason);
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_note(text, text, text, text, text) IS
'Step of import_ciso_assistant_export: adds a line (kind of the model, id, reference, action, reason) to the summary of the running import.';

-- The row an object was imported into in an organization (ciso_assistant_objects), when that
-- row still exists in tbl (its key column keycol); else NULL.
CREATE FUNCTION @extschema@.ciso_export_local(organization_id bigint, model text, ciso_id text,
                                              tbl regclass, keycol text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    local_key   bigint;
    present     boolean;
BEGIN
    SELECT m.local_id INTO local_key FROM @extschema@.ciso_assistant_objects m
    WHERE m.organization_id = ciso_export_local.organization_id AND m.model = ciso_export_local.model
      AND m.ciso_id = ciso_export_local.ciso_id;
    IF local_key IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s t WHERE t.%I = $1 AND t.organization_id = $2)', tbl, keycol)
        INTO present USING local_key, organization_id;
    RETURN CASE WHEN present THEN local_key END;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_local(bigint, text, text, regclass, text) IS
'Step of import_ciso_assistant_export: the key of the row of tbl an exported object was imported into in the organization, when it still exists; else NULL.';

-- Records (or moves) the row an object was imported into in an organization.
CREATE FUNCTION @extschema@.ciso_export_map(organization_id bigint, model text, ciso_id text, local_id bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    INSERT INTO @extschema@.ciso_assistant_objects AS m (organization_id, model, ciso_id, local_id)
    VALUES (organization_id, model, ciso_id, local_id)
    ON CONFLICT ON CONSTRAINT ciso_assistant_objects_pkey DO UPDATE
        SET local_id = EXCLUDED.local_id, imported_at = EXCLUDED.imported_at
        WHERE m.local_id <> EXCLUDED.local_id;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_map(bigint, text, text, bigint) IS
'Step of import_ciso_assistant_export: records in ciso_assistant_objects the row an exported object was imported into.';

-- Where a line of the summary went: "organization <code>" of an organization of the export's perimeters.
CREATE FUNCTION @extschema@.ciso_export_where(organization_id bigint)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    RETURN (SELECT 'organization ' || p.code FROM pg_temp.ciso_export_perimeters p
            WHERE p.organization_id = ciso_export_where.organization_id);
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_where(bigint) IS
'Step of import_ciso_assistant_export: "organization <code>" for an organization of the export''s perimeters, as the summary names where a line went.';

-- Drops the working tables of an import.
CREATE FUNCTION @extschema@.ciso_export_drop_work()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    t   text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ciso_export_objects', 'ciso_export_summary', 'ciso_export_perimeters',
                             'ciso_export_assessments', 'ciso_export_answered', 'ciso_export_risk_assessments'] LOOP
        IF pg_catalog.to_regclass('pg_temp.' || t) IS NOT NULL THEN
            EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', t);
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_drop_work() IS
'Step of import_ciso_assistant_export: drops its working tables (pg_temp.ciso_export_*).';

-- Checks the shape of an export and stages its objects; creates the summary table.
CREATE FUNCTION @extschema@.ciso_export_stage(export jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    obj     record;
BEGIN
    IF export IS NULL THEN
        RAISE EXCEPTION 'export must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF pg_catalog.jsonb_typeof(export) <> 'object'
       OR pg_catalog.jsonb_typeof(export -> 'objects') IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'a CISO Assistant export must be a jsonb object with an "objects" array'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the data.json of an instance export: {"meta": {...}, "objects": [{"model": ..., "id": ..., "fields": {...}}, ...]}.';
    END IF;
    PERFORM @extschema@.ciso_export_drop_work();
    CREATE TEMP TABLE ciso_export_objects (
        position    integer NOT NULL,
        model       text NOT NULL,
        id          text NOT NULL,
        fields      jsonb NOT NULL,
        PRIMARY KEY (model, id));
    CREATE TEMP TABLE ciso_export_summary (
        seq         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind        text NOT NULL,
        external_id text NOT NULL,
        ref         text,
        action      text NOT NULL,
        reason      text);
    FOR obj IN SELECT e.value, e.n FROM pg_catalog.jsonb_array_elements(export -> 'objects') WITH ORDINALITY e(value, n) LOOP
        IF pg_catalog.jsonb_typeof(obj.value) IS DISTINCT FROM 'object'
           OR pg_catalog.jsonb_typeof(obj.value -> 'model') IS DISTINCT FROM 'string'
           OR pg_catalog.jsonb_typeof(obj.value -> 'id') IS NULL
           OR pg_catalog.jsonb_typeof(obj.value -> 'id') NOT IN ('string', 'number')
           OR pg_catalog.jsonb_typeof(obj.value -> 'fields') IS DISTINCT FROM 'object' THEN
            RAISE EXCEPTION 'object % of the export must be {"model": text, "id": text, "fields": {...}}', obj.n
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = pg_catalog.format('It begins %s.', pg_catalog.left(obj.value::text, 40));
        END IF;
        INSERT INTO pg_temp.ciso_export_objects (position, model, id, fields)
        VALUES (obj.n, obj.value ->> 'model', obj.value ->> 'id', obj.value -> 'fields')
        ON CONFLICT (model, id) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'object % of the export repeats % %', obj.n, obj.value ->> 'model', obj.value ->> 'id'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_stage(jsonb) IS
'Step of import_ciso_assistant_export: checks the export''s shape (22004, 22023) and stages its objects in pg_temp.ciso_export_objects.';

-- The id of the staged object of a model whose id, else urn, is key; NULL when there is none.
CREATE FUNCTION @extschema@.ciso_export_find(model text, key text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    found_id    text;
BEGIN
    SELECT o.id INTO found_id FROM pg_temp.ciso_export_objects o WHERE o.model = ciso_export_find.model AND o.id = key;
    IF found_id IS NULL THEN
        SELECT o.id INTO found_id FROM pg_temp.ciso_export_objects o
        WHERE o.model = ciso_export_find.model AND o.fields ->> 'urn' = key
        ORDER BY o.position LIMIT 1;
    END IF;
    RETURN found_id;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_find(text, text) IS
'Step of import_ciso_assistant_export: the id of the staged object of the model whose id (else urn) is key; NULL when there is none.';

-- Raises 23503 naming the first object that refers to one the export does not have.
CREATE FUNCTION @extschema@.ciso_export_check_references()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    bad     record;
BEGIN
    SELECT o.model, o.id, r.label, t.target INTO bad
    FROM pg_temp.ciso_export_objects o
    JOIN (VALUES ('core.requirementassessment', 'compliance_assessment', 'core.complianceassessment', 'compliance assessment'),
                 ('core.complianceassessment', 'perimeter', 'core.perimeter', 'perimeter'),
                 ('core.riskassessment', 'perimeter', 'core.perimeter', 'perimeter'),
                 ('core.riskassessment', 'risk_matrix', 'core.riskmatrix', 'risk matrix'),
                 ('core.riskscenario', 'risk_assessment', 'core.riskassessment', 'risk assessment'),
                 ('core.riskscenario', 'assets', 'core.asset', 'asset'),
                 ('core.riskscenario', 'threats', 'core.threat', 'threat'),
                 ('core.appliedcontrol', 'reference_control', 'core.referencecontrol', 'reference control'))
         r(model, field, target_model, label) ON r.model = o.model
    CROSS JOIN LATERAL pg_catalog.jsonb_array_elements_text(
        CASE pg_catalog.jsonb_typeof(o.fields -> r.field) WHEN 'array' THEN o.fields -> r.field
             ELSE pg_catalog.jsonb_build_array(o.fields -> r.field) END) t(target)
    WHERE t.target IS NOT NULL
      AND @extschema@.ciso_export_find(r.target_model, t.target) IS NULL
    ORDER BY o.position
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '% refers to % %, which is not in the export',
            @extschema@.ciso_object_name(bad.model, bad.id), bad.label, bad.target
            USING ERRCODE = 'foreign_key_violation', HINT = 'Nothing was imported: export the objects it refers to as well.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_check_references() IS
'Step of import_ciso_assistant_export: raises 23503 naming the first staged object that refers to an object (perimeter, compliance or risk assessment, risk matrix, asset, threat, reference control) the export does not have.';

-- Finds or creates the organization of every perimeter (pg_temp.ciso_export_perimeters): the
-- one it was imported into, else the one with its code (ref_id, else name), else a new one.
CREATE FUNCTION @extschema@.ciso_export_perimeters(core_business text, size_band text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    per         record;
    org_code    text;
    org_id      bigint;
    mapped      bigint;
    taken_by    text;
    how         text;
BEGIN
    CREATE TEMP TABLE ciso_export_perimeters (
        perimeter_id    text PRIMARY KEY,
        folder_id       text,
        organization_id bigint NOT NULL,
        code            text NOT NULL);
    FOR per IN SELECT o.id, o.fields FROM pg_temp.ciso_export_objects o WHERE o.model = 'core.perimeter' ORDER BY o.position LOOP
        org_code := COALESCE(@extschema@.ciso_field_text(per.fields, 'ref_id'), @extschema@.ciso_field_text(per.fields, 'name'));
        IF org_code IS NULL THEN
            RAISE EXCEPTION 'perimeter % has neither a ref_id nor a name to give its organization a code', per.id
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT m.organization_id INTO mapped FROM @extschema@.ciso_assistant_objects m
        WHERE m.model = 'core.perimeter' AND m.ciso_id = per.id ORDER BY m.organization_id LIMIT 1;
        org_id := COALESCE(mapped, (SELECT o.organization_id FROM @extschema@.organizations o WHERE o.code = org_code));
        org_code := COALESCE((SELECT o.code FROM @extschema@.organizations o WHERE o.organization_id = org_id), org_code);
        IF EXISTS (SELECT FROM pg_temp.ciso_export_perimeters p WHERE p.organization_id = org_id) THEN
            RAISE EXCEPTION 'perimeters % and % of the export would both be organization %',
                (SELECT p.perimeter_id FROM pg_temp.ciso_export_perimeters p WHERE p.organization_id = org_id), per.id, org_code
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Give one of them a ref_id (the organization''s code).';
        END IF;
        how := 'unchanged';
        IF mapped IS NULL THEN
            IF org_id IS NULL THEN
                INSERT INTO @extschema@.organizations (code, name, core_business, size_band)
                VALUES (org_code, COALESCE(@extschema@.ciso_field_text(per.fields, 'name'), org_code), core_business, size_band)
                RETURNING organization_id INTO org_id;
                how := 'created';
            END IF;
            SELECT m.ciso_id INTO taken_by FROM @extschema@.ciso_assistant_objects m
            WHERE m.organization_id = org_id AND m.model = 'core.perimeter';
            IF taken_by IS NOT NULL THEN
                RAISE EXCEPTION 'perimeter % would be organization %, which perimeter % was imported into', per.id, org_code, taken_by
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'Give one of the perimeters a ref_id, or delete the older perimeter''s row of ciso_assistant_objects to let this one take the organization over.';
            END IF;
            PERFORM @extschema@.ciso_export_map(org_id, 'core.perimeter', per.id, org_id);
        END IF;
        INSERT INTO pg_temp.ciso_export_perimeters (perimeter_id, folder_id, organization_id, code)
        VALUES (per.id, @extschema@.ciso_field_text(per.fields, 'folder'), org_id, org_code);
        PERFORM @extschema@.ciso_export_note('core.perimeter', per.id, org_code, how,
            CASE how WHEN 'created' THEN pg_catalog.format('organization %s created (%s, %s)', org_code, core_business, size_band)
                     ELSE 'organization ' || org_code END);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_perimeters(text, text) IS
'Step of import_ciso_assistant_export: the organization of each perimeter (the one it was imported into, else the one whose code is its ref_id or name, else a new one with the given peer-group attributes).';

-- Reports the export's frameworks: loaded in the database (by urn) or not.
CREATE FUNCTION @extschema@.ciso_export_frameworks()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    fw      record;
BEGIN
    FOR fw IN
        SELECT o.id, o.fields ->> 'urn' AS urn, f.code
        FROM pg_temp.ciso_export_objects o
        LEFT JOIN @extschema@.frameworks f ON f.urn = o.fields ->> 'urn'
        WHERE o.model = 'core.framework' ORDER BY o.position
    LOOP
        IF fw.code IS NULL THEN
            PERFORM @extschema@.ciso_export_note('core.framework', fw.id, fw.urn, 'skipped',
                pg_catalog.format('framework %s not loaded: import its library first', fw.urn));
        ELSE
            PERFORM @extschema@.ciso_export_note('core.framework', fw.id, fw.urn, 'unchanged',
                pg_catalog.format('framework %s, loaded from its library', fw.code));
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_frameworks() IS
'Step of import_ciso_assistant_export: reports each framework of the export as loaded in the database (frameworks.urn) or skipped (its library must be imported first).';

-- The organizations an object of a domain (folder) goes to: those of the export's perimeters in
-- that folder. Reports the object skipped and returns nothing when there is none.
CREATE FUNCTION @extschema@.ciso_export_folder_organizations(model text, id text, fields jsonb, ref text)
RETURNS SETOF bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    folder  text := @extschema@.ciso_field_text(fields, 'folder');
BEGIN
    RETURN QUERY SELECT p.organization_id FROM pg_temp.ciso_export_perimeters p
                 WHERE p.folder_id = folder ORDER BY p.organization_id;
    IF NOT FOUND THEN
        PERFORM @extschema@.ciso_export_note(model, id, ref, 'skipped',
            pg_catalog.format('its domain (folder %s) has no perimeter in the export: ismseval keeps it per organization',
                              COALESCE(folder, 'none')));
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_folder_organizations(text, text, jsonb, text) IS
'Step of import_ciso_assistant_export: the organizations of the perimeters in an object''s domain (folder); reports the object skipped when there is none.';

-- Imports the threats as each organization's own (category other when new). An existing threat
-- with the same code (ref_id, else name) is taken over.
CREATE FUNCTION @extschema@.ciso_export_threats()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    obj         record;
    org_id      bigint;
    local_key   bigint;
    t_code      text;
    t_name      text;
    t_desc      text;
    how         text;
BEGIN
    FOR obj IN SELECT o.id, o.fields FROM pg_temp.ciso_export_objects o WHERE o.model = 'core.threat' ORDER BY o.position LOOP
        t_name := COALESCE(@extschema@.ciso_field_text(obj.fields, 'name'), @extschema@.ciso_field_text(obj.fields, 'ref_id'));
        t_code := COALESCE(@extschema@.ciso_field_text(obj.fields, 'ref_id'), t_name);
        t_desc := @extschema@.ciso_field_text(obj.fields, 'description');
        IF t_code IS NULL THEN
            PERFORM @extschema@.ciso_export_note('core.threat', obj.id, NULL, 'skipped', 'no name and no ref_id');
            CONTINUE;
        END IF;
        FOR org_id IN SELECT * FROM @extschema@.ciso_export_folder_organizations('core.threat', obj.id, obj.fields, t_code) LOOP
            local_key := COALESCE(@extschema@.ciso_export_local(org_id, 'core.threat', obj.id, '@extschema@.threats', 'threat_id'),
                                  (SELECT t.threat_id FROM @extschema@.threats t WHERE t.organization_id = org_id AND t.code = t_code));
            BEGIN
                IF local_key IS NULL THEN
                    INSERT INTO @extschema@.threats (organization_id, code, category, name, description)
                    VALUES (org_id, t_code, 'other', t_name, t_desc) RETURNING threat_id INTO local_key;
                    how := 'created';
                ELSE
                    UPDATE @extschema@.threats t SET code = t_code, name = t_name, description = t_desc
                    WHERE t.threat_id = local_key AND (t.code, t.name, t.description) IS DISTINCT FROM (t_code, t_name, t_desc);
                    how := CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
                END IF;
                PERFORM @extschema@.ciso_export_map(org_id, 'core.threat', obj.id, local_key);
                PERFORM @extschema@.ciso_export_note('core.threat', obj.id, t_code, how,
                    @extschema@.ciso_export_where(org_id)
                    || CASE how WHEN 'created' THEN '; category other' ELSE '' END);
            EXCEPTION WHEN unique_violation OR check_violation THEN
                PERFORM @extschema@.ciso_export_note('core.threat', obj.id, t_code, 'skipped', SQLERRM);
            END;
        END LOOP;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_threats() IS
'Step of import_ciso_assistant_export: the threats, as the own threats of each organization of their domain (code = ref_id, else name; category other when created).';

-- An asset's rating of a security objective on 1-5: CISO Assistant's stored value (0-4) + 1 when
-- the objective is enabled; NULL when it is not given.
CREATE FUNCTION @extschema@.ciso_asset_rating(fields jsonb, objective text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN COALESCE(fields -> 'security_objectives' -> 'objectives' -> objective ->> 'is_enabled', 'true') = 'true'
                 AND pg_catalog.jsonb_typeof(fields -> 'security_objectives' -> 'objectives' -> objective -> 'value') = 'number'
                 AND (fields -> 'security_objectives' -> 'objectives' -> objective ->> 'value') IN ('0', '1', '2', '3', '4')
            THEN (fields -> 'security_objectives' -> 'objectives' -> objective ->> 'value')::integer + 1 END;
COMMENT ON FUNCTION @extschema@.ciso_asset_rating(jsonb, text) IS
'The rating 1-5 of an exported asset for a security objective (confidentiality, integrity, availability): its stored value 0-4 + 1 when the objective is enabled; NULL when not given.';

-- Imports the assets into each organization of their domain. New ones get placeholders for what
-- CISO Assistant does not say (location server; C, I, A 3 unless enabled); later imports update
-- the name and the enabled ratings only. An existing asset with the same name is taken over.
CREATE FUNCTION @extschema@.ciso_export_assets()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    obj         record;
    org_id      bigint;
    local_key   bigint;
    a_name      text;
    c           integer;
    i           integer;
    a           integer;
    how         text;
    placeholders text;
BEGIN
    FOR obj IN SELECT o.id, o.fields FROM pg_temp.ciso_export_objects o WHERE o.model = 'core.asset' ORDER BY o.position LOOP
        a_name := COALESCE(@extschema@.ciso_field_text(obj.fields, 'name'), @extschema@.ciso_field_text(obj.fields, 'ref_id'));
        IF a_name IS NULL THEN
            PERFORM @extschema@.ciso_export_note('core.asset', obj.id, NULL, 'skipped', 'no name');
            CONTINUE;
        END IF;
        c := @extschema@.ciso_asset_rating(obj.fields, 'confidentiality');
        i := @extschema@.ciso_asset_rating(obj.fields, 'integrity');
        a := @extschema@.ciso_asset_rating(obj.fields, 'availability');
        FOR org_id IN SELECT * FROM @extschema@.ciso_export_folder_organizations('core.asset', obj.id, obj.fields, a_name) LOOP
            local_key := COALESCE(@extschema@.ciso_export_local(org_id, 'core.asset', obj.id, '@extschema@.assets', 'asset_id'),
                                  (SELECT s.asset_id FROM @extschema@.assets s WHERE s.organization_id = org_id AND s.name = a_name));
            BEGIN
                IF local_key IS NULL THEN
                    INSERT INTO @extschema@.assets (organization_id, name, information_type, location,
                                                    confidentiality, integrity, availability)
                    VALUES (org_id, a_name,
                            CASE obj.fields ->> 'type' WHEN 'PR' THEN 'primary asset' WHEN 'SP' THEN 'supporting asset' ELSE 'asset' END,
                            'server', COALESCE(c, 3), COALESCE(i, 3), COALESCE(a, 3))
                    RETURNING asset_id INTO local_key;
                    how := 'created';
                    SELECT pg_catalog.string_agg(v.what || ' 3', ', ') INTO placeholders
                    FROM (VALUES ('confidentiality', c), ('integrity', i), ('availability', a)) v(what, rating)
                    WHERE v.rating IS NULL;
                    placeholders := '; placeholders: location server' || COALESCE(', ' || placeholders, '');
                ELSE
                    UPDATE @extschema@.assets s
                    SET name = a_name, confidentiality = COALESCE(c, s.confidentiality),
                        integrity = COALESCE(i, s.integrity), availability = COALESCE(a, s.availability)
                    WHERE s.asset_id = local_key
                      AND (s.name, s.confidentiality, s.integrity, s.availability)
                          IS DISTINCT FROM (a_name, COALESCE(c, s.confidentiality), COALESCE(i, s.integrity), COALESCE(a, s.availability));
                    how := CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
                    placeholders := '';
                END IF;
                PERFORM @extschema@.ciso_export_map(org_id, 'core.asset', obj.id, local_key);
                PERFORM @extschema@.ciso_export_note('core.asset', obj.id, a_name, how,
                    @extschema@.ciso_export_where(org_id)
                    || placeholders);
            EXCEPTION WHEN unique_violation OR check_violation THEN
                PERFORM @extschema@.ciso_export_note('core.asset', obj.id, a_name, 'skipped', SQLERRM);
            END;
        END LOOP;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_assets() IS
'Step of import_ciso_assistant_export: the assets, into each organization of their domain (information_type primary/supporting asset, location server and unrated C, I, A 3 as placeholders when created; enabled security objectives rated stored value + 1).';

-- A text field checked against a list: the value, or NULL and a note when it is not in it.
CREATE FUNCTION @extschema@.ciso_known_value(fields jsonb, key text, known text[], INOUT notes text, OUT value text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    value := @extschema@.ciso_field_text(fields, key);
    IF value IS NOT NULL AND NOT value = ANY (known) THEN
        notes := pg_catalog.concat_ws('; ', notes, pg_catalog.format('%s %s unknown, left empty', key, value));
        value := NULL;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_known_value(jsonb, text, text[], text) IS
'Step of import_ciso_assistant_export: the text field key when it is one of known, else NULL with a note added to notes.';

-- Imports the applied controls into each organization of their domain; every column comes from
-- the export (status "--" is NULL; an unknown category, function, status or effort is NULL with a note).
CREATE FUNCTION @extschema@.ciso_export_applied_controls()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    obj         record;
    org_id      bigint;
    local_key   bigint;
    ac          @extschema@.applied_controls;
    notes       text;
    how         text;
    what        text;
BEGIN
    FOR obj IN SELECT o.id, o.fields FROM pg_temp.ciso_export_objects o WHERE o.model = 'core.appliedcontrol' ORDER BY o.position LOOP
        what := @extschema@.ciso_object_name('core.appliedcontrol', obj.id);
        notes := NULL;
        ac.ref_id := @extschema@.ciso_field_text(obj.fields, 'ref_id');
        ac.name := COALESCE(@extschema@.ciso_field_text(obj.fields, 'name'), ac.ref_id);
        IF ac.name IS NULL THEN
            PERFORM @extschema@.ciso_export_note('core.appliedcontrol', obj.id, NULL, 'skipped', 'no name');
            CONTINUE;
        END IF;
        ac.description := @extschema@.ciso_field_text(obj.fields, 'description');
        SELECT k.notes, k.value INTO notes, ac.category
        FROM @extschema@.ciso_known_value(obj.fields, 'category', '{policy,process,technical,physical,procedure}', notes) k;
        SELECT k.notes, k.value INTO notes, ac.csf_function
        FROM @extschema@.ciso_known_value(obj.fields, 'csf_function', '{govern,identify,protect,detect,respond,recover}', notes) k;
        SELECT k.notes, k.value INTO notes, ac.status
        FROM @extschema@.ciso_known_value(obj.fields - CASE WHEN obj.fields ->> 'status' = '--' THEN 'status' ELSE '' END,
                                          'status', '{to_do,in_progress,on_hold,active,degraded,deprecated}', notes) k;
        SELECT k.notes, k.value INTO notes, ac.effort
        FROM @extschema@.ciso_known_value(obj.fields, 'effort', '{XS,S,M,L,XL}', notes) k;
        ac.priority := @extschema@.ciso_field_int(obj.fields, 'priority', what);
        IF ac.priority NOT BETWEEN 1 AND 4 THEN
            notes := pg_catalog.concat_ws('; ', notes, pg_catalog.format('priority %s unknown, left empty', ac.priority));
            ac.priority := NULL;
        END IF;
        ac.start_date := @extschema@.ciso_field_date(obj.fields, 'start_date', what);
        ac.eta := @extschema@.ciso_field_date(obj.fields, 'eta', what);
        ac.expiry_date := @extschema@.ciso_field_date(obj.fields, 'expiry_date', what);
        ac.link := @extschema@.ciso_field_text(obj.fields, 'link');
        SELECT @extschema@.ciso_field_text(r.fields, 'urn') INTO ac.reference_control_urn
        FROM pg_temp.ciso_export_objects r
        WHERE r.model = 'core.referencecontrol'
          AND r.id = @extschema@.ciso_export_find('core.referencecontrol', @extschema@.ciso_field_text(obj.fields, 'reference_control'));
        FOR org_id IN SELECT * FROM @extschema@.ciso_export_folder_organizations('core.appliedcontrol', obj.id, obj.fields, ac.name) LOOP
            local_key := @extschema@.ciso_export_local(org_id, 'core.appliedcontrol', obj.id,
                                                       '@extschema@.applied_controls', 'applied_control_id');
            IF local_key IS NULL THEN
                INSERT INTO @extschema@.applied_controls (organization_id, ref_id, name, description, category, csf_function,
                    status, priority, effort, start_date, eta, expiry_date, link, reference_control_urn)
                VALUES (org_id, ac.ref_id, ac.name, ac.description, ac.category, ac.csf_function, ac.status, ac.priority,
                        ac.effort, ac.start_date, ac.eta, ac.expiry_date, ac.link, ac.reference_control_urn)
                RETURNING applied_control_id INTO local_key;
                how := 'created';
            ELSE
                UPDATE @extschema@.applied_controls x
                SET ref_id = ac.ref_id, name = ac.name, description = ac.description, category = ac.category,
                    csf_function = ac.csf_function, status = ac.status, priority = ac.priority, effort = ac.effort,
                    start_date = ac.start_date, eta = ac.eta, expiry_date = ac.expiry_date, link = ac.link,
                    reference_control_urn = ac.reference_control_urn
                WHERE x.applied_control_id = local_key
                  AND (x.ref_id, x.name, x.description, x.category, x.csf_function, x.status, x.priority, x.effort,
                       x.start_date, x.eta, x.expiry_date, x.link, x.reference_control_urn)
                      IS DISTINCT FROM (ac.ref_id, ac.name, ac.description, ac.category, ac.csf_function, ac.status,
                                        ac.priority, ac.effort, ac.start_date, ac.eta, ac.expiry_date, ac.link,
                                        ac.reference_control_urn);
                how := CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
            END IF;
            PERFORM @extschema@.ciso_export_map(org_id, 'core.appliedcontrol', obj.id, local_key);
            PERFORM @extschema@.ciso_export_note('core.appliedcontrol', obj.id, COALESCE(ac.ref_id, ac.name), how,
                pg_catalog.concat_ws('; ', @extschema@.ciso_export_where(org_id), notes));
        END LOOP;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_applied_controls() IS
'Step of import_ciso_assistant_export: the applied controls, into each organization of their domain (status "--" and unknown values empty, the reference control by its urn).';

-- Imports each compliance assessment as an organization-wide assessment of the framework with
-- its urn, dated eta, else the day of updated_at (UTC); records in pg_temp.ciso_export_assessments
-- the assessment, the scales and, for one that is skipped, why.
CREATE FUNCTION @extschema@.ciso_export_compliance_assessments()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    obj         record;
    per         record;
    fw          record;
    what        text;
    fw_urn      text;
    on_day      date;
    groups      text[];
    src_min     integer;
    src_max     integer;
    local_key   bigint;
    old         record;
    how         text;
    why         text;
    ref         text;
BEGIN
    CREATE TEMP TABLE ciso_export_assessments (
        ca_id           text PRIMARY KEY,
        organization_id bigint,
        assessment_id   bigint,
        framework_id    bigint,
        source_min      integer,
        source_max      integer,
        skip_reason     text);
    FOR obj IN SELECT o.id, o.fields FROM pg_temp.ciso_export_objects o WHERE o.model = 'core.complianceassessment' ORDER BY o.position LOOP
        what := @extschema@.ciso_object_name('core.complianceassessment', obj.id);
        ref := COALESCE(@extschema@.ciso_field_text(obj.fields, 'ref_id'), @extschema@.ciso_field_text(obj.fields, 'name'));
        why := NULL; local_key := NULL;
        SELECT p.* INTO per FROM pg_temp.ciso_export_perimeters p
        WHERE p.perimeter_id = @extschema@.ciso_export_find('core.perimeter', @extschema@.ciso_field_text(obj.fields, 'perimeter'));
        -- the framework by urn (or by the id of a framework object of the export)
        fw_urn := COALESCE((SELECT f.fields ->> 'urn' FROM pg_temp.ciso_export_objects f
                            WHERE f.model = 'core.framework' AND f.id = obj.fields ->> 'framework'),
                           @extschema@.ciso_field_text(obj.fields, 'framework'));
        SELECT f.framework_id, f.code, f.scale_min, f.scale_max INTO fw FROM @extschema@.frameworks f WHERE f.urn = fw_urn;
        on_day := COALESCE(@extschema@.ciso_field_date(obj.fields, 'eta', what),
                           @extschema@.ciso_field_date(obj.fields, 'updated_at', what));
        src_min := @extschema@.ciso_field_int(obj.fields, 'min_score', what);
        src_max := @extschema@.ciso_field_int(obj.fields, 'max_score', what);
        IF src_min IS NULL OR src_max IS NULL OR src_min >= src_max THEN
            src_min := fw.scale_min; src_max := fw.scale_max;
        END IF;
        SELECT pg_catalog.array_agg(g ORDER BY n) INTO groups
        FROM pg_catalog.jsonb_array_elements_text(CASE pg_catalog.jsonb_typeof(obj.fields -> 'selected_implementation_groups')
                                                       WHEN 'array' THEN obj.fields -> 'selected_implementation_groups'
                                                       ELSE '[]' END) WITH ORDINALITY s(g, n);
        IF per.organization_id IS NULL THEN
            why := 'it has no perimeter';
        ELSIF fw.framework_id IS NULL THEN
            why := pg_catalog.format('framework %s not loaded: import its library first', COALESCE(fw_urn, '(none)'));
        ELSIF on_day IS NULL THEN
            why := 'it has no date: neither eta nor updated_at';
        ELSE
            local_key := @extschema@.ciso_export_local(per.organization_id, 'core.complianceassessment', obj.id,
                                                       '@extschema@.assessments', 'assessment_id');
            SELECT a.framework_id, a.assessed_on, a.implementation_groups, a.department_id INTO old
            FROM @extschema@.assessments a WHERE a.assessment_id = local_key;
            IF old.framework_id <> fw.framework_id OR old.department_id IS NOT NULL THEN
                why := pg_catalog.format('assessment %s it was imported into is not an organization-wide assessment of framework %s',
                                         local_key, fw.code);
            END IF;
        END IF;
        IF why IS NULL THEN
            BEGIN
                IF local_key IS NULL THEN
                    INSERT INTO @extschema@.assessments (organization_id, framework_id, assessed_on, implementation_groups)
                    VALUES (per.organization_id, fw.framework_id, on_day, groups)
                    RETURNING assessment_id INTO local_key;
                    how := 'created';
                ELSE
                    UPDATE @extschema@.assessments a SET assessed_on = on_day, implementation_groups = groups
                    WHERE a.assessment_id = local_key
                      AND (a.assessed_on, a.implementation_groups) IS DISTINCT FROM (on_day, groups);
                    how := CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
                END IF;
            EXCEPTION WHEN unique_violation THEN
                why := pg_catalog.format('organization %s already has an assessment of framework %s on %s', per.code, fw.code, on_day);
            END;
        END IF;
        IF why IS NOT NULL THEN
            PERFORM @extschema@.ciso_export_note('core.complianceassessment', obj.id, ref, 'skipped', why);
            INSERT INTO pg_temp.ciso_export_assessments (ca_id, skip_reason) VALUES (obj.id, why);
            CONTINUE;
        END IF;
        PERFORM @extschema@.ciso_export_map(per.organization_id, 'core.complianceassessment', obj.id, local_key);
        PERFORM @extschema@.ciso_export_note('core.complianceassessment', obj.id, ref, how,
            pg_catalog.format('organization %s; framework %s on %s', per.code, fw.code, on_day)
            || CASE WHEN (src_min, src_max) <> (fw.scale_min, fw.scale_max)
                    THEN pg_catalog.format('; scores on %s-%s read on the framework''s %s-%s', src_min, src_max, fw.scale_min, fw.scale_max)
                    ELSE '' END);
        INSERT INTO pg_temp.ciso_export_assessments VALUES (obj.id, per.organization_id, local_key, fw.framework_id,
                                                            src_min, src_max, NULL);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_compliance_assessments() IS
'Step of import_ciso_assistant_export: each compliance assessment as an organization-wide assessment of its framework (by urn; skipped when not loaded), dated eta else the UTC day of updated_at, scoped to its selected implementation groups.';

-- Imports one requirement assessment as an answer: the result, and the score when it is scored
-- (read on the requirement's scale); returns the action and the note or the reason.
CREATE FUNCTION @extschema@.ciso_export_answer(ra_id text, fields jsonb, ca record, OUT action text, OUT reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    what        text := @extschema@.ciso_object_name('core.requirementassessment', ra_id);
    req         text := @extschema@.ciso_field_text(fields, 'requirement');
    q           record;
    res         text := COALESCE(@extschema@.ciso_field_text(fields, 'result'), 'not_assessed');
    given       integer;
    new_score   integer;
    old         record;
    existing    boolean;
BEGIN
    SELECT qq.question_id, qq.framework_id, qq.code, qq.assessable, qq.score_min, qq.score_max,
           COALESCE(qq.score_min, f.scale_min) AS scale_min, COALESCE(qq.score_max, f.scale_max) AS scale_max
    INTO q
    FROM @extschema@.questions qq JOIN @extschema@.frameworks f USING (framework_id)
    WHERE qq.urn = req;
    IF q.question_id IS NULL OR q.framework_id <> ca.framework_id THEN
        action := 'skipped';
        reason := pg_catalog.format('not a requirement of framework %s',
                                    (SELECT f.code FROM @extschema@.frameworks f WHERE f.framework_id = ca.framework_id));
        RETURN;
    END IF;
    IF res NOT IN ('compliant', 'partially_compliant', 'non_compliant', 'not_assessed', 'not_applicable') THEN
        action := 'skipped';
        reason := pg_catalog.format('result %s is not one of compliant, partially_compliant, non_compliant, not_assessed, not_applicable', res);
        RETURN;
    END IF;
    IF (fields ->> 'is_scored') = 'true' AND res <> 'not_applicable' THEN
        given := @extschema@.ciso_field_int(fields, 'score', what);
    END IF;
    IF NOT q.assessable THEN
        action := 'skipped';
        reason := 'a grouping node (not assessable)'
                  || CASE WHEN res <> 'not_assessed' OR given IS NOT NULL
                          THEN pg_catalog.format(': its result %s%s is not loaded', res, COALESCE(' and score ' || given, ''))
                          ELSE ': its assessment carries no result' END;
        RETURN;
    END IF;
    INSERT INTO pg_temp.ciso_export_answered VALUES (ca.assessment_id, q.question_id, ra_id) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        action := 'skipped';
        reason := pg_catalog.format('requirement %s is answered by %s of the same compliance assessment', q.code,
                                    @extschema@.ciso_object_name('core.requirementassessment',
                                        (SELECT x.ra_id FROM pg_temp.ciso_export_answered x
                                         WHERE x.assessment_id = ca.assessment_id AND x.question_id = q.question_id)));
        RETURN;
    END IF;
    -- a node with its own range is scored on it; else the compliance assessment's scale is read
    -- on the framework's
    new_score := CASE WHEN q.score_min IS NOT NULL THEN given
                      ELSE @extschema@.rescale_score(given, ca.source_min, ca.source_max, q.scale_min, q.scale_max) END;
    IF new_score IS DISTINCT FROM given THEN
        reason := pg_catalog.format('score %s on %s-%s read as %s on %s-%s', given, ca.source_min, ca.source_max,
                                    new_score, q.scale_min, q.scale_max);
    END IF;
    SELECT a.score, a.not_applicable, a.result INTO old
    FROM @extschema@.answers a WHERE a.assessment_id = ca.assessment_id AND a.question_id = q.question_id;
    existing := FOUND;
    BEGIN
        IF NOT existing THEN
            INSERT INTO @extschema@.answers (assessment_id, question_id, score, not_applicable, result)
            VALUES (ca.assessment_id, q.question_id, new_score, res = 'not_applicable', res);
            action := 'created';
        ELSIF (old.score, old.not_applicable, old.result) IS DISTINCT FROM (new_score, res = 'not_applicable', res) THEN
            UPDATE @extschema@.answers a SET score = new_score, answer_yes = NULL, not_applicable = res = 'not_applicable', result = res
            WHERE a.assessment_id = ca.assessment_id AND a.question_id = q.question_id;
            action := 'updated';
        ELSE
            action := 'unchanged';
        END IF;
    EXCEPTION WHEN check_violation THEN
        action := 'skipped';
        reason := SQLERRM;
    END;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_answer(text, jsonb, record) IS
'Step of import_ciso_assistant_export: one requirement assessment as an answer (result; score when is_scored, read on the requirement''s scale); skipped with the reason when its requirement is missing, not assessable, already answered or the answer breaks a rule.';

-- Imports the requirement assessments of the imported compliance assessments as answers.
CREATE FUNCTION @extschema@.ciso_export_requirement_assessments()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    obj     record;
    ca      record;
    outcome record;
BEGIN
    CREATE TEMP TABLE ciso_export_answered (
        assessment_id   bigint,
        question_id     bigint,
        ra_id           text NOT NULL,
        PRIMARY KEY (assessment_id, question_id));
    FOR obj IN SELECT o.id, o.fields FROM pg_temp.ciso_export_objects o WHERE o.model = 'core.requirementassessment' ORDER BY o.position LOOP
        SELECT c.* INTO ca FROM pg_temp.ciso_export_assessments c
        WHERE c.ca_id = @extschema@.ciso_export_find('core.complianceassessment', obj.fields ->> 'compliance_assessment');
        IF ca.skip_reason IS NOT NULL THEN
            PERFORM @extschema@.ciso_export_note('core.requirementassessment', obj.id, obj.fields ->> 'requirement', 'skipped',
                                                 ca.skip_reason);
            CONTINUE;
        END IF;
        SELECT * INTO outcome FROM @extschema@.ciso_export_answer(obj.id, obj.fields, ca);
        PERFORM @extschema@.ciso_export_note('core.requirementassessment', obj.id, obj.fields ->> 'requirement', outcome.action,
            CASE WHEN outcome.action = 'skipped' THEN outcome.reason
                 ELSE pg_catalog.concat_ws('; ', @extschema@.ciso_export_where(ca.organization_id), outcome.reason) END);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_requirement_assessments() IS
'Step of import_ciso_assistant_export: every requirement assessment, as an answer of its compliance assessment''s assessment or skipped with the reason.';

-- The tolerance an organization takes with a new matrix: the risk assessment's risk_tolerance
-- (a 0-based level index), else the organization's tolerance when it names a level of the
-- matrix, else the middle level (index (levels - 1) / 2, rounded down); and why.
CREATE FUNCTION @extschema@.ciso_matrix_tolerance(matrix @extschema@.risk_matrix, given integer, current_level text,
                                                  OUT level text, OUT why text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    levels  integer := (SELECT pg_catalog.count(*) FROM @extschema@.risk_matrix_levels(matrix));
BEGIN
    IF given BETWEEN 0 AND levels - 1 THEN
        level := (SELECT l.name FROM @extschema@.risk_matrix_levels(matrix) l WHERE l.rank = given);
        why := 'the risk assessment''s risk_tolerance';
    ELSIF EXISTS (SELECT FROM @extschema@.risk_matrix_levels(matrix) l WHERE l.name = current_level) THEN
        level := current_level;
        why := 'kept';
    ELSE
        level := (SELECT l.name FROM @extschema@.risk_matrix_levels(matrix) l WHERE l.rank = (levels - 1) / 2);
        why := 'the middle level: the export gives none';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_matrix_tolerance(@extschema@.risk_matrix, integer, text) IS
'Step of import_ciso_assistant_export: the tolerance level with a new matrix: the risk assessment''s risk_tolerance (0-based level index) when valid, else the current tolerance when it is a level of the matrix, else the middle level (0-based index (levels - 1) / 2, rounded down); and which rule gave it.';

-- Gives an organization the matrix (and tolerance) of a risk assessment and reports the
-- matrix; returns why it cannot, or NULL.
CREATE FUNCTION @extschema@.ciso_export_matrix(organization_id bigint, ra_id text, ra_fields jsonb, matrix_id text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    mobj        record;
    org         record;
    m           @extschema@.risk_matrix;
    tol         record;
    given       integer := @extschema@.ciso_field_int(ra_fields, 'risk_tolerance',
                                                       @extschema@.ciso_object_name('core.riskassessment', ra_id));
    mapped      boolean;
    how         text;
    why         text;
BEGIN
    IF matrix_id IS NULL THEN
        RETURN 'it has no risk matrix';
    END IF;
    SELECT o.id, o.fields, o.fields ->> 'urn' AS urn INTO mobj
    FROM pg_temp.ciso_export_objects o WHERE o.model = 'core.riskmatrix' AND o.id = matrix_id;
    SELECT o.code, o.risk_tolerance INTO org FROM @extschema@.organizations o
    WHERE o.organization_id = ciso_export_matrix.organization_id;
    mapped := @extschema@.ciso_export_local(organization_id, 'core.riskmatrix', mobj.id,
                                            '@extschema@.organizations', 'organization_id') IS NOT NULL;
    BEGIN
        m := @extschema@.risk_matrix_from_jsonb(mobj.fields);
        SELECT * INTO tol FROM @extschema@.ciso_matrix_tolerance(m, given, org.risk_tolerance);
        UPDATE @extschema@.organizations o SET risk_matrix = m, risk_tolerance = tol.level
        WHERE o.organization_id = ciso_export_matrix.organization_id
          AND (o.risk_matrix OPERATOR(@extschema@.<>) m OR o.risk_tolerance <> tol.level);
        how := CASE WHEN NOT mapped THEN 'created' WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
    EXCEPTION WHEN check_violation OR invalid_parameter_value THEN
        why := pg_catalog.format('matrix %s cannot be organization %s''s: %s', mobj.urn, org.code, SQLERRM);
        PERFORM @extschema@.ciso_export_note('core.riskmatrix', mobj.id, mobj.urn, 'skipped', why);
        RETURN why;
    END;
    PERFORM @extschema@.ciso_export_map(organization_id, 'core.riskmatrix', mobj.id, organization_id);
    PERFORM @extschema@.ciso_export_note('core.riskmatrix', mobj.id, mobj.urn, how,
        pg_catalog.format('organization %s; tolerance %s (%s)', org.code, tol.level, tol.why));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_matrix(bigint, text, jsonb, text) IS
'Step of import_ciso_assistant_export: sets an organization''s risk matrix (risk_matrix_from_jsonb of the exported matrix) and tolerance (ciso_matrix_tolerance) from a risk assessment and reports the matrix; returns why it cannot (a matrix the type refuses, one the organization''s risks do not fit), else NULL.';

-- Gives each perimeter's organization the matrix of its first risk assessment (by created_at),
-- skips its risk assessments on another matrix, and reports the risk assessments and the
-- matrices none uses; records in pg_temp.ciso_export_risk_assessments the organization of each
-- risk assessment or why it is skipped.
CREATE FUNCTION @extschema@.ciso_export_risk_assessments()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    per         record;
    ra          record;
    obj         record;
    first_id    text;
    first_matrix text;
    why         text;
    ref         text;
    mapped      boolean;
BEGIN
    CREATE TEMP TABLE ciso_export_risk_assessments (
        ra_id           text PRIMARY KEY,
        organization_id bigint,
        skip_reason     text);
    FOR per IN SELECT p.* FROM pg_temp.ciso_export_perimeters p
               JOIN pg_temp.ciso_export_objects o ON o.model = 'core.perimeter' AND o.id = p.perimeter_id
               ORDER BY o.position LOOP
        first_id := NULL; first_matrix := NULL; why := NULL;
        FOR ra IN
            SELECT o.id, o.fields, @extschema@.ciso_export_find('core.riskmatrix', o.fields ->> 'risk_matrix') AS matrix_id
            FROM pg_temp.ciso_export_objects o
            WHERE o.model = 'core.riskassessment'
              AND @extschema@.ciso_export_find('core.perimeter', @extschema@.ciso_field_text(o.fields, 'perimeter')) = per.perimeter_id
            ORDER BY o.fields ->> 'created_at', o.position
        LOOP
            IF first_id IS NULL THEN
                first_id := ra.id;
                first_matrix := ra.matrix_id;
                why := @extschema@.ciso_export_matrix(per.organization_id, ra.id, ra.fields, ra.matrix_id);
            END IF;
            IF why IS NULL AND ra.matrix_id IS DISTINCT FROM first_matrix THEN
                INSERT INTO pg_temp.ciso_export_risk_assessments VALUES (ra.id, NULL,
                    pg_catalog.format('organization %s takes the matrix %s of %s: one matrix per organization', per.code,
                                      (SELECT o.fields ->> 'urn' FROM pg_temp.ciso_export_objects o
                                       WHERE o.model = 'core.riskmatrix' AND o.id = first_matrix),
                                      @extschema@.ciso_object_name('core.riskassessment', first_id)));
            ELSE
                INSERT INTO pg_temp.ciso_export_risk_assessments
                VALUES (ra.id, CASE WHEN why IS NULL THEN per.organization_id END, why);
            END IF;
        END LOOP;
    END LOOP;
    -- the lines of the risk assessments, in export order
    FOR obj IN SELECT o.id, o.fields, r.organization_id, r.skip_reason FROM pg_temp.ciso_export_objects o
               LEFT JOIN pg_temp.ciso_export_risk_assessments r ON r.ra_id = o.id
               WHERE o.model = 'core.riskassessment' ORDER BY o.position LOOP
        ref := COALESCE(@extschema@.ciso_field_text(obj.fields, 'ref_id'), @extschema@.ciso_field_text(obj.fields, 'name'));
        IF obj.organization_id IS NULL THEN
            PERFORM @extschema@.ciso_export_note('core.riskassessment', obj.id, ref, 'skipped',
                                                 COALESCE(obj.skip_reason, 'it has no perimeter'));
            CONTINUE;
        END IF;
        mapped := @extschema@.ciso_export_local(obj.organization_id, 'core.riskassessment', obj.id,
                                                '@extschema@.organizations', 'organization_id') IS NOT NULL;
        PERFORM @extschema@.ciso_export_map(obj.organization_id, 'core.riskassessment', obj.id, obj.organization_id);
        PERFORM @extschema@.ciso_export_note('core.riskassessment', obj.id, ref, CASE WHEN mapped THEN 'unchanged' ELSE 'created' END,
            @extschema@.ciso_export_where(obj.organization_id));
    END LOOP;
    -- the matrices no imported risk assessment uses
    FOR obj IN SELECT o.id, o.fields FROM pg_temp.ciso_export_objects o
               WHERE o.model = 'core.riskmatrix'
                 AND NOT EXISTS (SELECT FROM pg_temp.ciso_export_summary s WHERE s.kind = 'risk_matrix' AND s.external_id = o.id)
               ORDER BY o.position LOOP
        PERFORM @extschema@.ciso_export_note('core.riskmatrix', obj.id, obj.fields ->> 'urn', 'skipped',
                                             'no imported risk assessment uses it');
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_risk_assessments() IS
'Step of import_ciso_assistant_export: gives each perimeter''s organization the matrix and tolerance of its first risk assessment (by created_at), skips its risk assessments on another matrix, and reports the risk assessments and the matrices no imported one uses.';

-- A rated cell of an exported risk scenario: CISO Assistant's 0-based indices + 1; NULL when
-- either is -1 (not rated) or absent.
CREATE FUNCTION @extschema@.ciso_cell(fields jsonb, prefix text, what text, OUT likelihood integer, OUT impact integer)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    p   integer := @extschema@.ciso_field_int(fields, prefix || '_proba', what);
    i   integer := @extschema@.ciso_field_int(fields, prefix || '_impact', what);
BEGIN
    IF p >= 0 AND i >= 0 THEN
        likelihood := p + 1;
        impact := i + 1;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_cell(jsonb, text, text) IS
'Step of import_ciso_assistant_export: the cell (prefix inherent, current or residual) of an exported risk scenario, 1-based (CISO Assistant''s 0-based proba and impact + 1); NULL when either is -1 (not rated) or absent.';

-- The first of an exported risk scenario's assets or threats that is imported in the
-- organization, and a note naming the others, which a risk (one asset, one threat) cannot keep.
CREATE FUNCTION @extschema@.ciso_export_first_link(organization_id bigint, fields jsonb, key text, model text,
                                                   tbl regclass, keycol text, OUT local_key bigint, OUT note text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    ids     text[];
BEGIN
    SELECT pg_catalog.array_agg(@extschema@.ciso_export_find(model, v) ORDER BY n) INTO ids
    FROM pg_catalog.jsonb_array_elements_text(CASE pg_catalog.jsonb_typeof(fields -> key) WHEN 'array' THEN fields -> key
                                                   ELSE '[]' END) WITH ORDINALITY e(v, n);
    IF ids IS NULL THEN
        RETURN;
    END IF;
    local_key := @extschema@.ciso_export_local(organization_id, model, ids[1], tbl, keycol);
    IF local_key IS NULL THEN
        note := pg_catalog.format('%s %s not imported in this organization', pg_catalog.rtrim(key, 's'), ids[1]);
    END IF;
    IF pg_catalog.cardinality(ids) > 1 THEN
        note := pg_catalog.concat_ws('; ', note, pg_catalog.format('%s %s not linked (a risk has one)', key,
                                                                   pg_catalog.array_to_string(ids[2:], ', ')));
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_first_link(bigint, jsonb, text, text, regclass, text) IS
'Step of import_ciso_assistant_export: the row of the first asset or threat of a risk scenario imported in the organization, and a note naming what the risk cannot keep (the others; the first when it is not in the organization).';

-- Imports one risk scenario as a risk of its organization; returns the action and the note or
-- the reason it is skipped.
CREATE FUNCTION @extschema@.ciso_export_risk(sc_id text, fields jsonb, organization_id bigint, OUT action text, OUT reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    what        text := @extschema@.ciso_object_name('core.riskscenario', sc_id);
    r           @extschema@.risks;
    inh         record;
    cur         record;
    res         record;
    asset       record;
    threat      record;
    sok         integer;
    half        text;
    local_key   bigint;
BEGIN
    SELECT * INTO inh FROM @extschema@.ciso_cell(fields, 'inherent', what);
    SELECT * INTO cur FROM @extschema@.ciso_cell(fields, 'current', what);
    SELECT * INTO res FROM @extschema@.ciso_cell(fields, 'residual', what);
    IF inh.likelihood IS NULL AND cur.likelihood IS NULL THEN
        action := 'skipped';
        reason := 'not rated: neither an inherent nor a current cell (-1 in CISO Assistant)'
                  || CASE WHEN res.likelihood IS NOT NULL THEN ', only a residual one' ELSE '' END;
        RETURN;
    END IF;
    r.organization_id := organization_id;
    r.title := pg_catalog.concat_ws(' ', @extschema@.ciso_field_text(fields, 'ref_id'),
                                    COALESCE(@extschema@.ciso_field_text(fields, 'name'), sc_id));
    r.likelihood := COALESCE(inh.likelihood, cur.likelihood);
    r.impact := COALESCE(inh.impact, cur.impact);
    r.current_likelihood := cur.likelihood;
    r.current_impact := cur.impact;
    r.residual_likelihood := res.likelihood;
    r.residual_impact := res.impact;
    r.treatment := COALESCE(@extschema@.ciso_field_text(fields, 'treatment'), 'open');
    sok := @extschema@.ciso_field_int(fields, 'strength_of_knowledge', what);
    r.strength_of_knowledge := CASE WHEN sok BETWEEN 0 AND 2 THEN sok END;
    r.identified_on := COALESCE(@extschema@.ciso_field_date(fields, 'created_at', what), CURRENT_DATE);
    SELECT * INTO asset
    FROM @extschema@.ciso_export_first_link(organization_id, fields, 'assets', 'core.asset', '@extschema@.assets', 'asset_id');
    SELECT * INTO threat
    FROM @extschema@.ciso_export_first_link(organization_id, fields, 'threats', 'core.threat', '@extschema@.threats', 'threat_id');
    r.asset_id := asset.local_key;
    r.threat_id := threat.local_key;
    SELECT pg_catalog.string_agg(pg_catalog.format('%s cell half rated (%s), not rated', c.prefix, c.cell), '; ' ORDER BY c.n)
    INTO half
    FROM (VALUES (1, 'inherent'), (2, 'current'), (3, 'residual')) v(n, prefix)
    CROSS JOIN LATERAL (SELECT v.n, v.prefix,
                               pg_catalog.format('proba %s, impact %s', fields ->> (v.prefix || '_proba'),
                                                 fields ->> (v.prefix || '_impact')) AS cell,
                               @extschema@.ciso_field_int(fields, v.prefix || '_proba', what) >= 0 AS p_rated,
                               @extschema@.ciso_field_int(fields, v.prefix || '_impact', what) >= 0 AS i_rated) c
    WHERE c.p_rated <> c.i_rated;
    reason := NULLIF(pg_catalog.concat_ws('; ',
        CASE WHEN inh.likelihood IS NULL THEN 'inherent cell = current cell (no inherent rating)' END, half,
        CASE WHEN sok NOT BETWEEN -1 AND 2 THEN pg_catalog.format('strength_of_knowledge %s unknown, left empty', sok) END,
        asset.note, threat.note), '');
    local_key := @extschema@.ciso_export_local(organization_id, 'core.riskscenario', sc_id, '@extschema@.risks', 'risk_id');
    IF r.treatment = 'accept' AND NOT EXISTS (SELECT FROM @extschema@.risks x WHERE x.risk_id = local_key
                                              AND x.owner IS NOT NULL AND x.acceptance_expires IS NOT NULL) THEN
        action := 'skipped';
        reason := 'treatment accept needs owner and acceptance_expires, which the export does not carry: '
                  || 'import the scenario with another treatment, set them, then import again';
        RETURN;
    END IF;
    BEGIN
        IF local_key IS NULL THEN
            INSERT INTO @extschema@.risks (organization_id, asset_id, threat_id, title, likelihood, impact, treatment,
                identified_on, current_likelihood, current_impact, residual_likelihood, residual_impact, strength_of_knowledge)
            VALUES (r.organization_id, r.asset_id, r.threat_id, r.title, r.likelihood, r.impact, r.treatment,
                    r.identified_on, r.current_likelihood, r.current_impact, r.residual_likelihood, r.residual_impact,
                    r.strength_of_knowledge)
            RETURNING risk_id INTO local_key;
            action := 'created';
        ELSE
            UPDATE @extschema@.risks x
            SET asset_id = r.asset_id, threat_id = r.threat_id, title = r.title, likelihood = r.likelihood,
                impact = r.impact, treatment = r.treatment, identified_on = r.identified_on,
                current_likelihood = r.current_likelihood, current_impact = r.current_impact,
                residual_likelihood = r.residual_likelihood, residual_impact = r.residual_impact,
                strength_of_knowledge = r.strength_of_knowledge
            WHERE x.risk_id = local_key
              AND (x.asset_id, x.threat_id, x.title, x.likelihood, x.impact, x.treatment, x.identified_on,
                   x.current_likelihood, x.current_impact, x.residual_likelihood, x.residual_impact, x.strength_of_knowledge)
                  IS DISTINCT FROM (r.asset_id, r.threat_id, r.title, r.likelihood, r.impact, r.treatment, r.identified_on,
                                    r.current_likelihood, r.current_impact, r.residual_likelihood, r.residual_impact,
                                    r.strength_of_knowledge);
            action := CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
        END IF;
        PERFORM @extschema@.ciso_export_map(organization_id, 'core.riskscenario', sc_id, local_key);
    EXCEPTION WHEN check_violation THEN
        action := 'skipped';
        reason := SQLERRM;
    END;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_risk(text, jsonb, bigint) IS
'Step of import_ciso_assistant_export: one risk scenario as a risk (cells = 0-based indices + 1, -1 not rated; inherent cell = the current one when not rated; the first asset and threat); skipped with the reason when not rated, accepted without owner and expiry, or breaking a rule.';

-- Imports the risk scenarios of the imported risk assessments as risks.
CREATE FUNCTION @extschema@.ciso_export_risk_scenarios()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    obj     record;
    ra      record;
    how     text;
    why     text;
BEGIN
    FOR obj IN SELECT o.id, o.fields FROM pg_temp.ciso_export_objects o WHERE o.model = 'core.riskscenario' ORDER BY o.position LOOP
        SELECT r.* INTO ra FROM pg_temp.ciso_export_risk_assessments r
        WHERE r.ra_id = @extschema@.ciso_export_find('core.riskassessment', obj.fields ->> 'risk_assessment');
        IF ra.organization_id IS NULL THEN
            how := 'skipped';
            why := COALESCE(ra.skip_reason, 'it has no risk assessment');
        ELSE
            SELECT r.action, r.reason INTO how, why FROM @extschema@.ciso_export_risk(obj.id, obj.fields, ra.organization_id) r;
            IF how <> 'skipped' THEN
                why := pg_catalog.concat_ws('; ', @extschema@.ciso_export_where(ra.organization_id), why);
            END IF;
        END IF;
        PERFORM @extschema@.ciso_export_note('core.riskscenario', obj.id,
            pg_catalog.concat_ws(' ', @extschema@.ciso_field_text(obj.fields, 'ref_id'), @extschema@.ciso_field_text(obj.fields, 'name')),
            how, why);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_risk_scenarios() IS
'Step of import_ciso_assistant_export: every risk scenario, as a risk of its risk assessment''s organization or skipped with the reason.';

-- Reports every object of a model the import does not read, with the reason.
CREATE FUNCTION @extschema@.ciso_export_not_imported()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    obj     record;
BEGIN
    FOR obj IN SELECT o.model, o.id, o.fields FROM pg_temp.ciso_export_objects o
               WHERE o.model NOT IN ('core.perimeter', 'core.framework', 'core.threat', 'core.asset', 'core.appliedcontrol',
                                     'core.complianceassessment', 'core.requirementassessment', 'core.riskmatrix',
                                     'core.riskassessment', 'core.riskscenario')
               ORDER BY o.position LOOP
        PERFORM @extschema@.ciso_export_note(obj.model, obj.id,
            COALESCE(@extschema@.ciso_field_text(obj.fields, 'ref_id'), @extschema@.ciso_field_text(obj.fields, 'name'),
                     @extschema@.ciso_field_text(obj.fields, 'urn'), @extschema@.ciso_field_text(obj.fields, 'attachment')),
            'skipped',
            CASE obj.model
                WHEN 'core.evidence' THEN 'evidences are not imported: ismseval keeps no documents'
                WHEN 'core.evidencerevision' THEN 'evidence revisions (attachments) are not imported'
                WHEN 'core.loadedlibrary' THEN 'a library is imported from its YAML file, not from an instance export'
                WHEN 'core.referencecontrol' THEN 'reference controls are not imported: an applied control keeps its reference control''s urn'
                ELSE pg_catalog.format('%s objects are not imported', obj.model) END);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_export_not_imported() IS
'Step of import_ciso_assistant_export: reports every object of a model it does not import (evidences, evidence revisions, loaded libraries, reference controls, any other) as skipped, with the reason.';

-- ---------------------------------------------------------------------------
-- The import
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.import_ciso_assistant_export(export jsonb, core_business text DEFAULT 'regulated',
                                                         size_band text DEFAULT 'small')
RETURNS TABLE(kind text, external_id text, ref text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    IF core_business IS NULL OR core_business NOT IN ('regulated', 'planning-competitive', 'mass-production') THEN
        RAISE EXCEPTION 'core_business must be regulated, planning-competitive or mass-production, got %', COALESCE(core_business, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF size_band IS NULL OR size_band NOT IN ('small', 'medium', 'large', 'enterprise') THEN
        RAISE EXCEPTION 'size_band must be small, medium, large or enterprise, got %', COALESCE(size_band, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM @extschema@.ciso_export_stage(export);
    PERFORM @extschema@.ciso_export_check_references();
    PERFORM @extschema@.ciso_export_perimeters(core_business, size_band);
    PERFORM @extschema@.ciso_export_frameworks();
    PERFORM @extschema@.ciso_export_threats();
    PERFORM @extschema@.ciso_export_assets();
    PERFORM @extschema@.ciso_export_applied_controls();
    PERFORM @extschema@.ciso_export_compliance_assessments();
    PERFORM @extschema@.ciso_export_requirement_assessments();
    PERFORM @extschema@.ciso_export_risk_assessments();
    PERFORM @extschema@.ciso_export_risk_scenarios();
    PERFORM @extschema@.ciso_export_not_imported();
    RETURN QUERY SELECT s.kind, s.external_id, s.ref, s.action, s.reason FROM pg_temp.ciso_export_summary s ORDER BY s.seq;
    PERFORM @extschema@.ciso_export_drop_work();
END
$$;
COMMENT ON FUNCTION @extschema@.import_ciso_assistant_export(jsonb, text, text) IS
'Imports a CISO Assistant instance export (its data.json as jsonb), all or nothing: perimeters as organizations (new ones with core_business and size_band), compliance and requirement assessments as assessments and answers, risk matrices, assessments and scenarios as the organizations'' matrices and risks, assets, threats and applied controls. One line per object (and organization): created, updated, unchanged or skipped with the reason. Administrators only.';

-- The import and its steps write organizations' data: administrators only.
DO $revoke$
DECLARE
    f   regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
             WHERE p.pronamespace = '@extschema@'::regnamespace
               AND (p.proname LIKE 'ciso\_export\_%' OR p.proname = 'import_ciso_assistant_export') LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO ismseval_admin', f);
    END LOOP;
END
$revoke$;

-- ---------------------------------------------------------------------------
-- Attack review (0.5.0): a risk's scale names and residual level are read without decoding
-- the whole label area per risk. risk_register called risk_matrix_to_jsonb six times and
-- risk_matrix_levels once per risk, so a tenant's matrix with 1 MB of labels (15 kB
-- stored) made every read of risk_register, management_review and the report cost about
-- 70 ms per risk of that organization, for every reader.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION @extschema@.risk_matrix_likelihood_name(matrix @extschema@.risk_matrix, likelihood integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_likelihood_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.risk_matrix_impact_name(matrix @extschema@.risk_matrix, impact integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_impact_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.risk_matrix_level_name(matrix @extschema@.risk_matrix, rank integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_level_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_level_name(@extschema@.risk_matrix, integer) IS
'The name of the level of 0-based rank rank (as risk_matrix_levels lists it); NULL for a rank the matrix does not have.';

CREATE FUNCTION @extschema@.risk_matrix_level_color(matrix @extschema@.risk_matrix, rank integer)
RETURNS text
AS 'MODULE_PATHNAME', 'risk_matrix_level_color'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_level_color(@extschema@.risk_matrix, integer) IS
'The colour (#RRGGBB, upper case) of the level of 0-based rank rank; NULL for a rank the matrix does not have.';

CREATE OR REPLACE VIEW @extschema@.risk_register WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       r.risk_id,
       r.title,
       a.name AS asset,
       a.location AS asset_location,
       a.asset_value,
       t.code AS threat_code,
       t.name AS threat,
       r.likelihood,
       r.impact,
       @extschema@.risk_score(r.likelihood, r.impact) AS inherent_score,
       CASE WHEN cell.inherent THEN @extschema@.risk_level(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level,
       CASE WHEN cell.inherent THEN @extschema@.risk_level_rank(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_level_rank,
       CASE WHEN cell.inherent THEN @extschema@.risk_color(o.risk_matrix, r.likelihood, r.impact) END
           AS inherent_color,
       r.control_effectiveness,
       res.score AS residual_score,
       @extschema@.risk_matrix_level_name(o.risk_matrix, res.level_rank) AS residual_level,
       res.level_rank AS residual_level_rank,
       @extschema@.risk_matrix_level_color(o.risk_matrix, res.level_rank) AS residual_color,
       o.risk_tolerance AS tolerance_level,
       res.level_rank <= @extschema@.risk_level_rank(o.risk_matrix, o.risk_tolerance) AS within_tolerance,
       r.treatment,
       r.owner,
       r.acceptance_expires,
       (r.treatment = 'accept' AND r.acceptance_expires < CURRENT_DATE) AS acceptance_expired,
       r.identified_on,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.likelihood) AS inherent_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.impact) AS inherent_impact_name,
       r.current_likelihood,
       r.current_impact,
       CASE WHEN cell.current THEN @extschema@.risk_level(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_level,
       CASE WHEN cell.current THEN @extschema@.risk_level_rank(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_level_rank,
       CASE WHEN cell.current THEN @extschema@.risk_color(o.risk_matrix, r.current_likelihood, r.current_impact) END
           AS current_color,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.current_likelihood) AS current_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.current_impact) AS current_impact_name,
       r.residual_likelihood,
       r.residual_impact,
       @extschema@.risk_matrix_likelihood_name(o.risk_matrix, r.residual_likelihood) AS residual_likelihood_name,
       @extschema@.risk_matrix_impact_name(o.risk_matrix, r.residual_impact) AS residual_impact_name,
       res.basis AS residual_basis,
       r.strength_of_knowledge,
       (ARRAY['low', 'medium', 'high'])[r.strength_of_knowledge + 1] AS strength_of_knowledge_name
FROM @extschema@.organizations o
JOIN @extschema@.risks r ON r.organization_id = o.organization_id
LEFT JOIN @extschema@.assets a ON a.asset_id = r.asset_id
LEFT JOIN @extschema@.threats t ON t.threat_id = r.threat_id
CROSS JOIN LATERAL (
    SELECT @extschema@.risk_cell_on_matrix(o.risk_matrix, r.likelihood, r.impact) AS inherent,
           @extschema@.risk_cell_on_matrix(o.risk_matrix, r.current_likelihood, r.current_impact) AS current
) cell
CROSS JOIN LATERAL @extschema@.risk_residual(o.risk_matrix, r.likelihood, r.impact, r.control_effectiveness,
                                             r.residual_likelihood, r.residual_impact) res;

-- The views count the matrix's levels and read level names and colours without decoding its
-- labels (risk_matrix.sql, views.sql, history.sql); an assessment with answers keeps its
-- framework (model.sql).
CREATE FUNCTION @extschema@.risk_matrix_level_count(matrix @extschema@.risk_matrix)
RETURNS integer
AS 'MODULE_PATHNAME', 'risk_matrix_level_count'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.risk_matrix_level_count(@extschema@.risk_matrix) IS
'The number of risk levels; the top level''s rank is one less. Reads no labels, so it costs the same whatever they hold.';

CREATE OR REPLACE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       b.framework,
       b.assessed_on,
       b.total_score,
       b.mean_score,
       b.peer_mean_total,
       b.peer_count,
       b.peer_percentile,
       b.deviation_score,
       b.peer_rank,
       b.ranked_organizations,
       md.weakest_domain,
       md.domains_below_target,
       md.domains_below_peers,
       rk.risks,
       rk.risks_outside_tolerance,
       rk.risks_top_level,
       rk.acceptances_expired,
       kp.kpis,
       kp.kpis_green,
       kp.kpis_amber,
       kp.kpis_red,
       kp.kpis_stale,
       ob.objectives,
       ob.objectives_achieved,
       ob.objectives_overdue,
       inc.incidents_12m,
       inc.severe_incidents_12m,
       inc.mttd_hours_12m,
       inc.mttr_hours_12m,
       inc.reported_within_24h_pct_12m,
       nc.nonconformities_open,
       nc.corrective_actions_overdue,
       b.peer_figures_as_of,
       b.framework_id,
       b.total_percentage,
       b.peer_mean_total_percentage,
       b.coverage,
       rk.risks_current_top_level,
       rk.risks_residual_top_level
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id,
           bm.peer_figures_as_of, bm.framework_id, bm.total_percentage, bm.peer_mean_total_percentage,
           bm.coverage
    FROM @extschema@.org_benchmark bm
    WHERE bm.organization_id = o.organization_id
) b ON true
LEFT JOIN LATERAL (
    SELECT (pg_catalog.array_agg(m.domain ORDER BY m.own_score, m.display_order)
                FILTER (WHERE m.own_score IS NOT NULL))[1] AS weakest_domain,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_target < 0) AS domains_below_target,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_peers < 0) AS domains_below_peers
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = o.organization_id AND m.assessment_id = b.assessment_id
) md ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risks,
           pg_catalog.count(*) FILTER (WHERE NOT r.within_tolerance) AS risks_outside_tolerance,
           pg_catalog.count(*) FILTER (WHERE r.inherent_level_rank = top.rank) AS risks_top_level,
           pg_catalog.count(*) FILTER (WHERE r.acceptance_expired) AS acceptances_expired,
           pg_catalog.count(*) FILTER (WHERE r.current_level_rank = top.rank) AS risks_current_top_level,
           pg_catalog.count(*) FILTER (WHERE r.residual_level_rank = top.rank) AS risks_residual_top_level
    FROM @extschema@.risk_register r
    CROSS JOIN (SELECT @extschema@.risk_matrix_level_count(o.risk_matrix) - 1 AS rank) top
    WHERE r.organization_id = o.organization_id
) rk
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS kpis,
           pg_catalog.count(*) FILTER (WHERE k.status = 'green') AS kpis_green,
           pg_catalog.count(*) FILTER (WHERE k.status = 'amber') AS kpis_amber,
           pg_catalog.count(*) FILTER (WHERE k.status = 'red') AS kpis_red,
           pg_catalog.count(*) FILTER (WHERE k.stale) AS kpis_stale
    FROM @extschema@.kpi_status k
    WHERE k.organization_id = o.organization_id
) kp
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS objectives,
           pg_catalog.count(*) FILTER (WHERE s.achieved) AS objectives_achieved,
           pg_catalog.count(*) FILTER (WHERE s.overdue) AS objectives_overdue
    FROM @extschema@.objective_status s
    WHERE s.organization_id = o.organization_id
) ob
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents_12m,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600) AS mttd_hours_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600) AS mttr_hours_12m,
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct_12m
    FROM @extschema@.incidents i
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= CURRENT_DATE - interval '12 months'
) inc
CROSS JOIN LATERAL (
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.nonconformities n
            WHERE n.organization_id = o.organization_id AND n.closed_on IS NULL) AS nonconformities_open,
           (SELECT pg_catalog.count(*) FROM @extschema@.corrective_actions c
            WHERE c.organization_id = o.organization_id AND c.closed_on IS NULL
              AND c.due_on < CURRENT_DATE) AS corrective_actions_overdue
) nc;

COMMENT ON VIEW @extschema@.management_review IS
'One row per organization and framework it assessed (one row with no framework when it assessed none): the headline figures of a management review (ISO/IEC 27001 9.3) from the latest organization-wide assessment of the framework, with its coverage, and the organization''s risk register, KPIs, objectives, last 12 months of incidents and open nonconformities (the same on each of its rows).';

CREATE OR REPLACE VIEW @extschema@.risk_history WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       m.month,
       m.month_end,
       l.name AS level,
       l.rank AS level_rank,
       l.color,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.inherent_ranks) x WHERE x = l.rank) AS inherent_risks,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.residual_ranks) x WHERE x = l.rank) AS residual_risks,
       st.open_risks,
       st.outside_tolerance,
       ch.opened,
       ch.closed,
       (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(st.current_ranks) x WHERE x = l.rank) AS current_risks
FROM @extschema@.organizations o
CROSS JOIN LATERAL (
    SELECT pg_catalog.min(c.changed_on) AS first_day FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id
) f
CROSS JOIN LATERAL pg_catalog.generate_series(pg_catalog.date_trunc('month', f.first_day::timestamp),
                                              pg_catalog.date_trunc('month', CURRENT_DATE::timestamp),
                                              interval '1 month') g(m)
CROSS JOIN LATERAL (
    SELECT g.m::date AS month, (g.m + interval '1 month')::date - 1 AS month_end
) m
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS open_risks,
           pg_catalog.count(*) FILTER (WHERE NOT s.within_tolerance) AS outside_tolerance,
           pg_catalog.array_agg(s.inherent_level_rank) AS inherent_ranks,
           pg_catalog.array_agg(s.residual_level_rank) AS residual_ranks,
           pg_catalog.array_agg(s.current_level_rank) AS current_ranks
    FROM @extschema@.risk_states_on(o.organization_id, m.month_end) s
) st
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE c.event = 'opened') AS opened,
           pg_catalog.count(*) FILTER (WHERE c.event = 'closed') AS closed
    FROM @extschema@.risk_rating_changes c
    WHERE c.organization_id = o.organization_id AND c.changed_on BETWEEN m.month AND m.month_end
) ch
-- the matrix's levels by rank, their names and colours read without the labels
CROSS JOIN LATERAL (
    SELECT r.rank, @extschema@.risk_matrix_level_name(o.risk_matrix, r.rank) AS name,
           @extschema@.risk_matrix_level_color(o.risk_matrix, r.rank) AS color
    FROM pg_catalog.generate_series(0, @extschema@.risk_matrix_level_count(o.risk_matrix) - 1) r(rank)
) l;

COMMENT ON VIEW @extschema@.risk_history IS
'Per organization, calendar month (from the month of its first recorded risk rating to the current month) and level of its current risk matrix: the open risks at the month''s end at that inherent, residual and current level; and per month (repeated on each level row, count them once with level_rank = 0): open risks, those outside tolerance, risks opened and closed in the month.';

-- Keeps an assessment's answers on its framework: its framework cannot change once it has
-- answers (they would point at another framework's requirements).
CREATE FUNCTION @extschema@.assessments_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    IF NEW.framework_id <> OLD.framework_id
       AND EXISTS (SELECT FROM @extschema@.answers an WHERE an.assessment_id = NEW.assessment_id) THEN
        RAISE EXCEPTION 'the framework of the assessment of % on % (framework %) cannot change: it has answers',
            (SELECT o.code FROM @extschema@.organizations o WHERE o.organization_id = OLD.organization_id),
            pg_catalog.to_char(OLD.assessed_on, 'YYYY-MM-DD'),
            (SELECT f.code FROM @extschema@.frameworks f WHERE f.framework_id = OLD.framework_id)
            USING ERRCODE = 'check_violation', HINT = 'Start a new assessment of the other framework.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.assessments_check() IS
'Trigger: an assessment with answers keeps its framework (its answers are requirements of that framework).';
CREATE TRIGGER assessments_check BEFORE UPDATE OF framework_id ON @extschema@.assessments
    FOR EACH ROW EXECUTE FUNCTION @extschema@.assessments_check();

-- ---------------------------------------------------------------------------
-- Issue 12, peer figures: an organization the newest release does not hold in its peer
-- group (a newcomer: assessed after it, below the minimum coverage then, or moved to the
-- group since) sees its group's published figures at once, without percentile, rank or
-- deviation score until a release admits it; and each release records the minimum
-- coverage it used.
-- ---------------------------------------------------------------------------

-- The minimum coverage of a release (ismseval.min_peer_coverage); the releases made before,
-- which had no minimum, record 0.
ALTER TABLE @extschema@.peer_releases ADD COLUMN min_coverage integer NOT NULL DEFAULT 0
    CONSTRAINT peer_releases_min_coverage_percent CHECK (min_coverage BETWEEN 0 AND 100);
ALTER TABLE @extschema@.peer_releases ALTER COLUMN min_coverage DROP DEFAULT;
COMMENT ON COLUMN @extschema@.peer_releases.min_coverage IS
'ismseval.min_peer_coverage when this release was made: the coverage (%) an organization''s latest assessment needed for its domain means to count as current values (values carried forward keep the minimum of the release that published them; 0 for releases made before 0.5.0, which had none).';

-- The figures of each peer group as a whole: what an organization the release does not hold
-- in its group (assessed after it, or moved to the group) is shown at once.
CREATE TABLE @extschema@.peer_release_groups (
    release_id      bigint NOT NULL REFERENCES @extschema@.peer_releases ON DELETE CASCADE,
    framework_id    bigint NOT NULL,
    peer_group      text NOT NULL,
    kind            text NOT NULL CONSTRAINT peer_release_groups_kind_known
        CHECK (kind IN ('domain', 'question', 'total')),
    item_id         bigint NOT NULL,
    members         bigint NOT NULL,
    mean            double precision NOT NULL,
    published_at    timestamptz NOT NULL,
    PRIMARY KEY (release_id, framework_id, peer_group, kind, item_id)
);
COMMENT ON TABLE @extschema@.peer_release_groups IS
'Per release, framework, peer group and item (kinds as in peer_release_figures): the published values of all the group''s members in the release, as a count and a mean. The peer figures of an organization the release does not hold in its current group (a newcomer): administrators only.';
COMMENT ON COLUMN @extschema@.peer_release_groups.members IS
'Organizations of the group with a published value of the item in the release.';
COMMENT ON COLUMN @extschema@.peer_release_groups.mean IS
'Mean of their published values (for a question: the yes rate in %, as the values are 100 yes / 0 no).';
COMMENT ON COLUMN @extschema@.peer_release_groups.published_at IS
'When the item last took new values in the group (the latest publication among its members).';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.peer_release_groups', '');
ALTER TABLE @extschema@.peer_release_groups ENABLE ROW LEVEL SECURITY;
CREATE POLICY peer_release_groups_admin ON @extschema@.peer_release_groups
    TO ismseval_admin USING (true) WITH CHECK (true);
GRANT SELECT, UPDATE, DELETE ON @extschema@.peer_release_groups TO ismseval_admin;
CREATE TRIGGER peer_release_groups_protect_newest BEFORE UPDATE OR DELETE ON @extschema@.peer_release_groups
    FOR EACH ROW EXECUTE FUNCTION @extschema@.peer_release_protect_newest();
CREATE TRIGGER peer_release_groups_no_truncate BEFORE TRUNCATE ON @extschema@.peer_release_groups
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.peer_release_protect_newest();
-- The releases made before: their groups' figures from their organizations' figures.
INSERT INTO @extschema@.peer_release_groups
SELECT f.release_id, f.framework_id, f.peer_group, f.kind, f.item_id, pg_catalog.count(*), pg_catalog.avg(f.value),
       pg_catalog.max(f.published_at)
FROM @extschema@.peer_release_figures f
GROUP BY f.release_id, f.framework_id, f.peer_group, f.kind, f.item_id;

-- Step 4, the figures of release rid: every organization's value among the others of its
-- item (peer count, mean, population sd without it, below / equal / above), and each peer
-- group's item as a whole (members, mean).
CREATE OR REPLACE FUNCTION @extschema@.release_write_figures(rid bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    -- The figures of every organization among the others of its item.
    INSERT INTO @extschema@.peer_release_figures
    SELECT rid, s.organization_id, s.framework_id, s.kind, s.item_id, s.peer_group, s.value,
           s.n - 1,
           (s.total - s.value) / NULLIF(s.n - 1, 0),
           @extschema@.peer_stddev_without(s.value, s.n, s.mean, s.m2,
                                           s.distinct_values - CASE WHEN s.equal = 1 THEN 1 ELSE 0 END),
           s.below, s.equal - 1, s.n - s.below - s.equal,
           s.published_in, s.published_at
    FROM (
        SELECT v.*,
               pg_catalog.count(*) OVER w AS n,
               pg_catalog.sum(v.value) OVER w AS total,
               pg_catalog.max(v.value_rank) OVER w AS distinct_values,
               g.mean, g.m2,
               pg_catalog.rank() OVER (w ORDER BY v.value) - 1 AS below,
               pg_catalog.count(*) OVER (PARTITION BY v.peer_group, v.framework_id, v.kind, v.item_id, v.value)
                   AS equal
        FROM (SELECT x.*, pg_catalog.dense_rank() OVER (PARTITION BY x.peer_group, x.framework_id, x.kind, x.item_id
                                                        ORDER BY x.value) AS value_rank
              FROM pg_temp.ismseval_rel_values x) v
        JOIN (
            -- each item's mean and sum of squared deviations, in two passes
            SELECT a.peer_group, a.framework_id, a.kind, a.item_id, a.mean,
                   pg_catalog.sum((y.value - a.mean) * (y.value - a.mean)) AS m2
            FROM (SELECT peer_group, framework_id, kind, item_id, pg_catalog.avg(value) AS mean
                  FROM pg_temp.ismseval_rel_values GROUP BY 1, 2, 3, 4) a
            JOIN pg_temp.ismseval_rel_values y USING (peer_group, framework_id, kind, item_id)
            GROUP BY a.peer_group, a.framework_id, a.kind, a.item_id, a.mean
        ) g ON g.peer_group = v.peer_group AND g.framework_id = v.framework_id AND g.kind = v.kind
           AND g.item_id = v.item_id
        WINDOW w AS (PARTITION BY v.peer_group, v.framework_id, v.kind, v.item_id)
    ) s;

    -- The figures of every group and item as a whole (for organizations it does not hold).
    INSERT INTO @extschema@.peer_release_groups
    SELECT rid, v.framework_id, v.peer_group, v.kind, v.item_id, pg_catalog.count(*), pg_catalog.avg(v.value),
           pg_catalog.max(v.published_at)
    FROM pg_temp.ismseval_rel_values v
    GROUP BY v.framework_id, v.peer_group, v.kind, v.item_id;
END
$$;
COMMENT ON FUNCTION @extschema@.release_write_figures(bigint) IS
'Release step 4: writes the figures of release rid from the published values: per organization and item, its value among the others (count, mean, sd, below, equal, above); per peer group and item, the count and mean of all its members.';
REVOKE EXECUTE ON FUNCTION @extschema@.release_write_figures(bigint) FROM PUBLIC;

-- Publishes a release (see the top of this file); returns its id.
CREATE OR REPLACE FUNCTION @extschema@.release_peer_figures(note text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    need    integer;
    rid     bigint;
    rat     timestamptz;
    prev    bigint;
    cover   integer;
BEGIN
    -- Under READ COMMITTED every statement below takes a new snapshot, so what follows
    -- the lock sees the newest release and data at least as new.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'release_peer_figures must run in a READ COMMITTED transaction'
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = pg_catalog.format('This transaction is %s: its snapshot would predate the release lock, and a release that waited for another would compute against a stale base.',
                                             pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
                  HINT = 'Call it in a READ COMMITTED transaction (the default).';
    END IF;
    -- loads the module, which defines ismseval.min_peer_group, in a session that has not yet
    PERFORM @extschema@.calling_role();
    need := pg_catalog.current_setting('ismseval.min_peer_group')::integer + 1;
    -- recorded with the release; peer_current_values reads the same setting
    cover := pg_catalog.current_setting('ismseval.min_peer_coverage')::integer;
    LOCK TABLE @extschema@.peer_releases IN SHARE ROW EXCLUSIVE MODE;  -- one release at a time
    SELECT pg_catalog.max(r.release_id) INTO prev FROM @extschema@.peer_releases r;
    INSERT INTO @extschema@.peer_releases (min_changed, note, min_coverage) VALUES (need, note, cover)
    RETURNING release_id, released_at INTO rid, rat;

    PERFORM @extschema@.release_stage_inputs(prev);
    PERFORM @extschema@.release_stage_changes(need);
    PERFORM @extschema@.release_stage_values(need, rid, rat);
    PERFORM @extschema@.release_write_figures(rid);

    DROP TABLE pg_temp.ismseval_rel_cur, pg_temp.ismseval_rel_base, pg_temp.ismseval_rel_units,
               pg_temp.ismseval_rel_members, pg_temp.ismseval_rel_domains,
               pg_temp.ismseval_rel_groups, pg_temp.ismseval_rel_values;
    -- fresh statistics, so that a dashboard's lookup by organization takes the primary key
    -- (the function runs as the table's owner, which may)
    ANALYZE @extschema@.peer_release_figures;
    ANALYZE @extschema@.peer_release_groups;
    RETURN rid;
END
$$;
COMMENT ON FUNCTION @extschema@.release_peer_figures(text) IS
'Publishes a release of peer figures from every organization''s latest organization-wide assessments (score values only of assessments with a coverage of at least ismseval.min_peer_coverage %, recorded in the release); an item takes new values only when more than ismseval.min_peer_group units (tenant roles, unmapped organizations) changed it (see the README, Peer releases). Returns the release id. Administrators only; READ COMMITTED only (a snapshot older than its lock would compute against a stale base); the only way to add releases (SECURITY DEFINER).';
REVOKE EXECUTE ON FUNCTION @extschema@.release_peer_figures(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.release_peer_figures(text) TO ismseval_admin;

-- The peer-figure functions gain in_peer_release (a new result column: dropped and created
-- again, with the views that read them).
DROP VIEW @extschema@.management_review, @extschema@.org_benchmark, @extschema@.question_peer_rate,
    @extschema@.maturity_by_domain;
DROP FUNCTION @extschema@.peer_domain_benchmark(bigint, bigint), @extschema@.peer_question_benchmark(bigint, bigint),
    @extschema@.peer_total_benchmark(bigint, bigint);
DROP FUNCTION @extschema@.peer_release_rows(bigint, bigint, text);

-- The organization's figures of one kind in the latest release, those the caller may get.
-- Where the release holds the organization in its current peer group (in_release), its own
-- figures among its peers (the others); otherwise (a newcomer: assessed after the release,
-- below its minimum coverage then, or moved to the group since) the group's figures over the
-- release's members, which do not include it: a count and a mean, no value of its own, so no
-- percentile, rank or deviation score. Score items (domains and total) follow the
-- organization's total: its own all, or the group's all; a question, its own row. The
-- hidden-peer rule is the same for both. Score figures come all or none: the total is the
-- domains combined, so withholding one domain alone would not hide it.
CREATE FUNCTION @extschema@.peer_release_rows(organization_id bigint, framework_id bigint, kind text)
RETURNS TABLE(item_id bigint, in_release boolean, peer_count bigint, peer_mean double precision,
              peer_stddev double precision, value double precision, peers_below bigint, peers_equal bigint,
              peers_above bigint, published_at timestamptz)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    caller      regrole := @extschema@.calling_role();
    is_admin    boolean := @extschema@.peer_access(caller, organization_id);
    visible     bigint[] := ARRAY(SELECT @extschema@.session_visible_organizations(caller));
    k           integer := pg_catalog.current_setting('ismseval.min_peer_group')::integer;
    rel         bigint := (SELECT pg_catalog.max(r.release_id) FROM @extschema@.peer_releases r);
    grp         text := (SELECT @extschema@.peer_group(o.core_business, o.size_band) FROM @extschema@.organizations o
                         WHERE o.organization_id = peer_release_rows.organization_id);
    kinds       text[] := CASE WHEN kind = 'question' THEN ARRAY['question'] ELSE ARRAY['domain', 'total'] END;
BEGIN
    RETURN QUERY
    WITH own AS (
        -- the organization's rows in its current group
        SELECT f.* FROM @extschema@.peer_release_figures f
        WHERE f.release_id = rel AND f.organization_id = peer_release_rows.organization_id
          AND f.framework_id = peer_release_rows.framework_id AND f.kind = ANY (kinds) AND f.peer_group = grp
    ), figs AS (
        SELECT f.kind, f.item_id, true AS in_release, f.peer_count, f.peer_mean, f.peer_stddev, f.value,
               f.peers_below, f.peers_equal, f.peers_above, f.published_at
        FROM own f
        UNION ALL
        -- the group's, for the items the organization is not in
        SELECT g.kind, g.item_id, false, g.members, g.mean, NULL, NULL, NULL, NULL, NULL, g.published_at
        FROM @extschema@.peer_release_groups g
        WHERE g.release_id = rel AND g.framework_id = peer_release_rows.framework_id AND g.peer_group = grp
          AND g.kind = ANY (kinds)
          AND NOT EXISTS (SELECT FROM own o
                          WHERE o.kind = 'total' OR (o.kind = g.kind AND o.item_id = g.item_id))
    ), shown AS (
        -- administrators, who read every row anyway: the plain floor; tenants: by parties
        SELECT f.kind, f.item_id,
               f.peer_count >= k
               AND (is_admin OR @extschema@.peer_release_item_shown(rel, peer_release_rows.organization_id,
                                                                   peer_release_rows.framework_id, f.kind,
                                                                   f.item_id, grp, visible, k)) AS ok
        FROM figs f
    )
    SELECT f.item_id, f.in_release, f.peer_count, f.peer_mean, f.peer_stddev, f.value, f.peers_below,
           f.peers_equal, f.peers_above, f.published_at
    FROM figs f JOIN shown s ON s.kind = f.kind AND s.item_id = f.item_id
    WHERE f.kind = peer_release_rows.kind
      AND CASE WHEN f.kind = 'question' THEN s.ok
               -- a score figure: it and every other score figure of the organization shown
               ELSE NOT EXISTS (SELECT FROM shown t WHERE NOT t.ok) END;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_release_rows(bigint, bigint, text) IS
'The organization''s figures of a framework and kind in the latest peer release that the calling role may get (42501 for an organization it may not see): its own among its peers where the release holds it in its current peer group (in_release), else its group''s over the release''s members (count and mean only); for an administrator those with at least ismseval.min_peer_group peers; for a tenant those with at least that many parties among the peers it cannot see, not all of one value outside any one party (peer_release_item_shown); score figures all or none.';
REVOKE EXECUTE ON FUNCTION @extschema@.peer_release_rows(bigint, bigint, text) FROM PUBLIC;

CREATE FUNCTION @extschema@.peer_domain_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(domain_id bigint, peer_count bigint, peer_mean double precision,
              peer_percentile double precision, as_of timestamptz, in_peer_release boolean)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT f.item_id, f.peer_count, f.peer_mean,
           -- of the organization's published value: none when the release does not hold it
           CASE WHEN f.in_release
                THEN 100 * (f.peers_below + 0.5 * f.peers_equal)::double precision / f.peer_count END,
           f.published_at, f.in_release
    FROM @extschema@.peer_release_rows(peer_domain_benchmark.organization_id,
                                       peer_domain_benchmark.framework_id, 'domain') f;
END;
COMMENT ON FUNCTION @extschema@.peer_domain_benchmark(bigint, bigint) IS
'Per control domain, from the latest peer release: number of peers, their mean domain score, the organization''s percentile among them (mid-rank, of its value at publication) and when the figures were published. in_peer_release false: the release does not hold the organization in its peer group (assessed after it, below the minimum coverage then, or moved to the group since), and the figures are the group''s members'' (not including it), without a percentile. Only for organizations the caller may see, and only where enough peers hidden from the caller stand behind the figures.';

CREATE FUNCTION @extschema@.peer_question_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(question_id bigint, peer_count bigint, peer_rate_pct double precision, as_of timestamptz,
              in_peer_release boolean)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT f.item_id, f.peer_count, f.peer_mean, f.published_at, f.in_release
    FROM @extschema@.peer_release_rows(peer_question_benchmark.organization_id,
                                       peer_question_benchmark.framework_id, 'question') f;
END;
COMMENT ON FUNCTION @extschema@.peer_question_benchmark(bigint, bigint) IS
'Per small question, from the latest peer release: peers answering yes or no and the peer implementation rate, 100 x yes / (yes + no); in_peer_release false: the release does not hold the organization''s answer in its peer group, and the figures are over all the group''s members that answered. Same access and floor rules as peer_domain_benchmark.';

CREATE FUNCTION @extschema@.peer_total_benchmark(organization_id bigint, framework_id bigint)
RETURNS TABLE(peer_count bigint, peer_mean_total double precision, peer_percentile double precision,
              deviation_score double precision, peer_rank bigint, as_of timestamptz, in_peer_release boolean)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT f.peer_count, f.peer_mean,
           -- percentile, deviation score and rank of the organization's published total:
           -- none when the release does not hold it
           CASE WHEN f.in_release
                THEN 100 * (f.peers_below + 0.5 * f.peers_equal)::double precision / f.peer_count END,
           CASE WHEN NOT f.in_release THEN NULL
                WHEN f.peer_stddev = 0 THEN 50::double precision
                ELSE 50 + 10 * (f.value - f.peer_mean) / f.peer_stddev END,
           CASE WHEN f.in_release THEN f.peers_above + 1 END,
           f.published_at, f.in_release
    FROM @extschema@.peer_release_rows(peer_total_benchmark.organization_id,
                                       peer_total_benchmark.framework_id, 'total') f;
END;
COMMENT ON FUNCTION @extschema@.peer_total_benchmark(bigint, bigint) IS
'From the latest peer release: number of peers, their mean total score, the organization''s percentile, deviation score (50 + 10 x (own - mean) / population sd; 50 when sd = 0) and rank (1 + peers with a higher total) among them, of its total at publication, and when published; no row below the floor. in_peer_release false: the release does not hold the organization in its peer group, and the count and mean are the group''s members'' (not including it), without percentile, deviation score or rank. Same access and floor rules as peer_domain_benchmark.';

CREATE VIEW @extschema@.maturity_by_domain WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.core_business,
       o.size_band,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       d.code AS domain,
       d.name AS domain_name,
       d.display_order,
       own.score AS own_score,
       own.answered AS answered_questions,
       pr.peer_mean AS peer_score,
       pr.peer_count AS peer_count,
       own.score - pr.peer_mean AS gap_to_peers,
       COALESCE(mt.target, f.default_target) AS target,
       own.score - COALESCE(mt.target, f.default_target) AS gap_to_target,
       pr.peer_percentile AS peer_percentile,
       pr.as_of AS peer_figures_as_of,
       f.framework_id,
       d.domain_id,
       own.percentage AS own_percentage,
       100 * (pr.peer_mean - f.scale_min) / (f.scale_max - f.scale_min) AS peer_percentage,
       100 * (COALESCE(mt.target, f.default_target) - f.scale_min) / (f.scale_max - f.scale_min) AS target_percentage,
       own.applicable AS applicable_questions,
       own.coverage,
       f.scale_min,
       f.scale_max,
       pr.in_peer_release
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = la.framework_id
CROSS JOIN LATERAL @extschema@.assessment_domain_score(la.assessment_id, d.domain_id) own
LEFT JOIN LATERAL @extschema@.peer_domain_benchmark(o.organization_id, la.framework_id) pr
       ON pr.domain_id = d.domain_id
LEFT JOIN @extschema@.maturity_targets mt
       ON mt.organization_id = o.organization_id AND mt.domain_id = d.domain_id;

COMMENT ON VIEW @extschema@.maturity_by_domain IS
'Per organization, its latest organization-wide assessment of each framework and each control domain (in display order): own mean score and its percentage of the scale, coverage, peers'' mean and count, gaps to peers and to target, own percentile among peers (in_peer_release says whether the latest peer release includes the organization; when not, the peer figures are its group''s, without a percentile).';

CREATE VIEW @extschema@.question_peer_rate WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       d.code AS domain,
       lq.code AS large_question,
       q.question_id,
       q.code AS question,
       q.text AS question_text,
       an.answer_yes AS own_answer_yes,
       COALESCE(an.not_applicable, false) AS own_not_applicable,
       pr.peer_rate_pct AS peer_rate_pct,
       pr.peer_count AS peer_count,
       pr.as_of AS peer_figures_as_of,
       f.framework_id,
       an.result AS own_result,
       pr.in_peer_release
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.questions q ON q.framework_id = la.framework_id AND q.assessable AND q.answer_kind = 'yes_no'
LEFT JOIN @extschema@.questions lq ON lq.question_id = q.parent_id
LEFT JOIN @extschema@.control_domains d ON d.domain_id = q.domain_id
LEFT JOIN @extschema@.answers an ON an.assessment_id = la.assessment_id AND an.question_id = q.question_id
LEFT JOIN LATERAL @extschema@.peer_question_benchmark(o.organization_id, la.framework_id) pr
       ON pr.question_id = q.question_id;

COMMENT ON VIEW @extschema@.question_peer_rate IS
'Per small (yes/no) question of the organization''s latest assessment: its own answer and the peer implementation rate, the share of peers answering yes (%).';

CREATE VIEW @extschema@.org_benchmark WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       o.core_business,
       o.size_band,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       own.total_score,
       own.mean_score,
       own.answered AS answered_questions,
       pr.peer_count AS peer_count,
       pr.peer_mean_total AS peer_mean_total,
       pr.peer_percentile AS peer_percentile,
       pr.deviation_score AS deviation_score,
       pr.peer_rank AS peer_rank,
       CASE WHEN pr.in_peer_release THEN pr.peer_count + 1 END AS ranked_organizations,
       pr.as_of AS peer_figures_as_of,
       f.framework_id,
       own.total_percentage,
       100 * (pr.peer_mean_total / own.requirements - f.scale_min) / (f.scale_max - f.scale_min)
           AS peer_mean_total_percentage,
       own.mean_percentage,
       own.requirements AS scored_questions,
       own.applicable AS applicable_questions,
       own.coverage,
       pr.in_peer_release
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
CROSS JOIN LATERAL @extschema@.assessment_total_score(la.assessment_id) own
LEFT JOIN LATERAL @extschema@.peer_total_benchmark(o.organization_id, la.framework_id) pr ON true;

COMMENT ON VIEW @extschema@.org_benchmark IS
'Per organization and framework (latest organization-wide assessment): total score, peer group, peer count, percentile, deviation score and rank among peers (in_peer_release says whether the latest peer release includes the organization; when not, the peer count and mean are its group''s, without percentile, deviation score or rank).';

CREATE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       @extschema@.peer_group(o.core_business, o.size_band) AS peer_group,
       b.framework,
       b.assessed_on,
       b.total_score,
       b.mean_score,
       b.peer_mean_total,
       b.peer_count,
       b.peer_percentile,
       b.deviation_score,
       b.peer_rank,
       b.ranked_organizations,
       md.weakest_domain,
       md.domains_below_target,
       md.domains_below_peers,
       rk.risks,
       rk.risks_outside_tolerance,
       rk.risks_top_level,
       rk.acceptances_expired,
       kp.kpis,
       kp.kpis_green,
       kp.kpis_amber,
       kp.kpis_red,
       kp.kpis_stale,
       ob.objectives,
       ob.objectives_achieved,
       ob.objectives_overdue,
       inc.incidents_12m,
       inc.severe_incidents_12m,
       inc.mttd_hours_12m,
       inc.mttr_hours_12m,
       inc.reported_within_24h_pct_12m,
       nc.nonconformities_open,
       nc.corrective_actions_overdue,
       b.peer_figures_as_of,
       b.framework_id,
       b.total_percentage,
       b.peer_mean_total_percentage,
       b.coverage,
       rk.risks_current_top_level,
       rk.risks_residual_top_level,
       b.in_peer_release
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id,
           bm.peer_figures_as_of, bm.framework_id, bm.total_percentage, bm.peer_mean_total_percentage,
           bm.coverage, bm.in_peer_release
    FROM @extschema@.org_benchmark bm
    WHERE bm.organization_id = o.organization_id
) b ON true
LEFT JOIN LATERAL (
    SELECT (pg_catalog.array_agg(m.domain ORDER BY m.own_score, m.display_order)
                FILTER (WHERE m.own_score IS NOT NULL))[1] AS weakest_domain,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_target < 0) AS domains_below_target,
           pg_catalog.count(*) FILTER (WHERE m.gap_to_peers < 0) AS domains_below_peers
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = o.organization_id AND m.assessment_id = b.assessment_id
) md ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risks,
           pg_catalog.count(*) FILTER (WHERE NOT r.within_tolerance) AS risks_outside_tolerance,
           pg_catalog.count(*) FILTER (WHERE r.inherent_level_rank = top.rank) AS risks_top_level,
           pg_catalog.count(*) FILTER (WHERE r.acceptance_expired) AS acceptances_expired,
           pg_catalog.count(*) FILTER (WHERE r.current_level_rank = top.rank) AS risks_current_top_level,
           pg_catalog.count(*) FILTER (WHERE r.residual_level_rank = top.rank) AS risks_residual_top_level
    FROM @extschema@.risk_register r
    CROSS JOIN (SELECT @extschema@.risk_matrix_level_count(o.risk_matrix) - 1 AS rank) top
    WHERE r.organization_id = o.organization_id
) rk
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS kpis,
           pg_catalog.count(*) FILTER (WHERE k.status = 'green') AS kpis_green,
           pg_catalog.count(*) FILTER (WHERE k.status = 'amber') AS kpis_amber,
           pg_catalog.count(*) FILTER (WHERE k.status = 'red') AS kpis_red,
           pg_catalog.count(*) FILTER (WHERE k.stale) AS kpis_stale
    FROM @extschema@.kpi_status k
    WHERE k.organization_id = o.organization_id
) kp
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS objectives,
           pg_catalog.count(*) FILTER (WHERE s.achieved) AS objectives_achieved,
           pg_catalog.count(*) FILTER (WHERE s.overdue) AS objectives_overdue
    FROM @extschema@.objective_status s
    WHERE s.organization_id = o.organization_id
) ob
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS incidents_12m,
           pg_catalog.count(*) FILTER (WHERE i.severity >= 3) AS severe_incidents_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.detected_at - i.occurred_at) / 3600) AS mttd_hours_12m,
           pg_catalog.avg(pg_catalog.date_part('epoch', i.resolved_at - i.occurred_at) / 3600) AS mttr_hours_12m,
           100 * (pg_catalog.count(*) FILTER (WHERE i.reported_at - i.detected_at <= interval '24 hours'))::double precision
               / NULLIF(pg_catalog.count(i.detected_at), 0) AS reported_within_24h_pct_12m
    FROM @extschema@.incidents i
    WHERE i.organization_id = o.organization_id
      AND i.occurred_at >= CURRENT_DATE - interval '12 months'
) inc
CROSS JOIN LATERAL (
    SELECT (SELECT pg_catalog.count(*) FROM @extschema@.nonconformities n
            WHERE n.organization_id = o.organization_id AND n.closed_on IS NULL) AS nonconformities_open,
           (SELECT pg_catalog.count(*) FROM @extschema@.corrective_actions c
            WHERE c.organization_id = o.organization_id AND c.closed_on IS NULL
              AND c.due_on < CURRENT_DATE) AS corrective_actions_overdue
) nc;

COMMENT ON VIEW @extschema@.management_review IS
'One row per organization and framework it assessed (one row with no framework when it assessed none): the headline figures of a management review (ISO/IEC 27001 9.3) from the latest organization-wide assessment of the framework, with its coverage, and the organization''s risk register, KPIs, objectives, last 12 months of incidents and open nonconformities (the same on each of its rows).';

GRANT SELECT ON @extschema@.maturity_by_domain, @extschema@.question_peer_rate, @extschema@.org_benchmark,
    @extschema@.management_review TO ismseval_admin, ismseval_tenant;

-- The peer chart of a newcomer: the group's mean, no place among its members.
-- The label key in language lang ('en' or 'ja'); 22023 for another language, the key itself
-- for an unknown key.
CREATE OR REPLACE FUNCTION @extschema@.report_label(key text, lang text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
DECLARE
    result  text;
BEGIN
    IF lang NOT IN ('en', 'ja') THEN
        RAISE EXCEPTION 'lang must be ''en'' or ''ja'', got ''%''', lang
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN lang = 'ja' THEN l.ja ELSE l.en END INTO result
    FROM (VALUES
        ('own', 'Own', '自組織'),
        ('peers', 'Peers (mean)', '同業他社（平均）'),
        ('peers_missing', 'Peers: not shown (too few peers)', '同業他社：表示なし（社数不足）'),
        ('target', 'Target', '目標'),
        ('maturity', 'maturity', '成熟度'),
        ('scale_note', 'scale %s-%s, centre = %s', '尺度 %s～%s、中心 = %s'),
        ('inherent', 'Inherent risk', '固有リスク'),
        ('residual', 'Residual risk', '残留リスク'),
        ('likelihood', 'Likelihood', '発生可能性'),
        ('impact', 'Impact', '影響度'),
        ('risk_map', 'risk map', 'リスクマップ'),
        ('risks', 'risks', '件のリスク'),
        ('forecast', 'forecast', '予測'),
        ('green', 'green', '緑'),
        ('amber', 'amber', '黄'),
        ('red', 'red', '赤'),
        ('peer_position', 'position among peers', '同業他社の中での位置'),
        ('peer_mean', 'peer mean', '同業他社平均'),
        ('peers_below', 'peers below', '下位の社'),
        ('peers_equal', 'equal', '同点'),
        ('peers_above', 'peers above', '上位の社'),
        ('total_pct', 'total score, % of the scale', '総合点（尺度に対する%）'),
        ('percentile', 'percentile', 'パーセンタイル'),
        ('rank_of', 'rank %1$s of %2$s', '%2$s社中 %1$s位'),
        ('deviation', 'deviation score', '偏差値'),
        ('published', 'peer figures published', '同業他社の数値の公表日'),
        ('no_peer_figures', 'No peer figures: too few peers, or none published yet.', '同業他社の数値なし：社数不足または未公表。'),
        ('peer_newcomer', 'Not in the peer release yet: the mean of the group''s %s organizations in it; percentile and rank once a release includes this organization.',
         '同業他社の公表値にまだ含まれていません：グループ内 %s 社の平均のみ。パーセンタイルと順位は、この組織を含む公表以降に表示します。'),
        ('review_title', 'Information security management review', '情報セキュリティ マネジメントレビュー'),
        ('peer_group', 'Peer group', '同業グループ'),
        ('framework', 'Framework', 'フレームワーク'),
        ('assessed_on', 'assessment of', '評価日'),
        ('report_of', 'Report of', '作成日'),
        ('period', 'Incident and risk period', 'インシデント・リスクの対象期間'),
        ('headline', 'Headline figures', '主要指標'),
        ('maturity_total', 'Maturity (total, % of the scale)', '成熟度（総合、尺度に対する%）'),
        ('change_prev', 'change since the previous assessment', '前回評価からの変化'),
        ('pp', 'points', 'ポイント'),
        ('risks_outside', 'Risks outside tolerance', '許容範囲外のリスク'),
        ('of_n', 'of %s', '全 %s 件中'),
        ('kpis_rag', 'KPIs green / amber / red', 'KPI 緑／黄／赤'),
        ('objectives_on_track', 'Objectives on track', '達成見込みの目標'),
        ('incidents_12m', 'Incidents, last 12 months', 'インシデント（過去12か月）'),
        ('severe_n', '%s severe', '重大 %s 件'),
        ('severe_col', 'Severe', '重大'),
        ('nc_open', 'Open nonconformities', '未完了の不適合'),
        ('actions_overdue_n', '%s corrective actions overdue', '是正処置の期限超過 %s 件'),
        ('coverage', 'Coverage', '回答率'),
        ('changes', 'Maturity by domain and changes since the last review', '領域別の成熟度と前回レビューからの変化'),
        ('domain', 'Domain', '領域'),
        ('score', 'Score', 'スコア'),
        ('vs_prev', 'vs previous', '前回比'),
        ('vs_year', 'vs a year ago', '前年比'),
        ('radar_heading', 'Maturity against peers and target', '成熟度：同業他社・目標との比較'),
        ('heatmap_heading', 'Risk map', 'リスクマップ'),
        ('kpi_heading', 'KPI trends', 'KPIの推移'),
        ('objectives_heading', 'Objectives', '情報セキュリティ目標'),
        ('objective', 'Objective', '目標'),
        ('due', 'Due', '期限'),
        ('latest', 'Latest', '最新値'),
        ('forecast_at_due', 'Forecast at due date', '期限時点の予測'),
        ('on_track', 'On track', '達成見込み'),
        ('status', 'Status', '状態'),
        ('yes', 'yes', 'はい'),
        ('no', 'no', 'いいえ'),
        ('achieved', 'achieved', '達成'),
        ('overdue', 'overdue', '期限超過'),
        ('incidents_heading', 'Incidents by month', '月別インシデント'),
        ('month', 'Month', '月'),
        ('incidents', 'Incidents', '件数'),
        ('mttd', 'Mean time to detect (h)', '平均検知時間（時間）'),
        ('mttr', 'Mean time to resolve (h)', '平均復旧時間（時間）'),
        ('reported24', 'Reported within 24 h (%)', '24時間以内の報告（%）'),
        ('nc_heading', 'Nonconformities and corrective actions', '不適合と是正処置'),
        ('raised', 'Raised', '発生日'),
        ('description', 'Description', '内容'),
        ('owner', 'Owner', '責任者'),
        ('peer_heading', 'Standing among peers', '同業他社の中での位置'),
        ('explain_deviation', 'The deviation score places the total score among the peers: 50 is the peer mean and every 10 points is one standard deviation (60 is above about 84 % of a normal distribution). The percentile is the share of peers below the organization, ties counted as half. Both are of the value published in the latest peer release.', '偏差値は総合点が同業他社の中でどの位置にあるかを示します。50が平均で、10ポイントが標準偏差1つ分です（60は正規分布のおよそ84%を上回ります）。パーセンタイルは自組織より下位の同業他社の割合で、同点は半分と数えます。いずれも最新の公表値に基づきます。'),
        ('explain_coverage', 'Coverage is the share of the applicable requirements answered with a score or a result; where it is low, the score rests on few answers.', '回答率は、該当する要求事項のうちスコアまたは結果が回答された割合です。回答率が低い領域のスコアは少数の回答に基づいています。'),
        ('explain_forecast', 'Forecast: the least-squares trend of the last 6 measurements, extended to the objective''s due date.', '予測：直近6回の測定値の最小二乗トレンドを目標の期限まで延長した値。'),
        ('note_peers', 'Peer figures come from the latest published release and are shown only where enough peers stand behind them.', '同業他社の数値は最新の公表値で、十分な社数がある場合にのみ表示されます。'),
        ('generated', 'Generated by ismseval', 'ismseval により作成'),
        ('none', 'none', 'なし'),
        ('dept_heading', 'Departments against the company-wide mean', '部門別：全社平均との比較'),
        ('department', 'Department', '部門'),
        ('company_mean', 'Company-wide mean', '全社平均'),
        ('explain_departments', 'Each department''s domain score in its latest assessment: green above the company-wide mean (the mean over the departments, each counted once), red below.', '各部門の最新の評価における領域スコア。全社平均（各部門を1回ずつ数えた平均）より高いものを緑、低いものを赤で示します。'),
        ('assessed', 'Assessed', '評価日'),
        ('explain_frameworks', 'One row per framework the organization assessed organization-wide, from its latest assessment of it; the sections below are about the framework in bold.', '組織全体で評価したフレームワークごとに、その最新の評価の値を1行で示します。以下の各節は太字のフレームワークについてのものです。')
    ) l(key, en, ja)
    WHERE l.key = report_label.key;
    RETURN COALESCE(result, key);
END
$$;
COMMENT ON FUNCTION @extschema@.report_label(text, text) IS
'The text of a chart or report label in English (lang ''en'') or Japanese (''ja''); 22023 for another language.';

CREATE OR REPLACE FUNCTION @extschema@.peer_distribution_svg(organization_id bigint, framework_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    org     record;
    fw      record;
    own     double precision;
    nq      bigint;
    pb      record;
    above   bigint;
    equal   bigint;
    below   bigint;
    note    text;
BEGIN
    SELECT o.name INTO org FROM @extschema@.organizations o WHERE o.organization_id = peer_distribution_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', peer_distribution_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT f.code, f.scale_min, f.scale_max INTO fw FROM @extschema@.frameworks f
    WHERE f.framework_id = peer_distribution_svg.framework_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'framework % does not exist', peer_distribution_svg.framework_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.count(*) INTO nq FROM @extschema@.questions q
    WHERE q.framework_id = peer_distribution_svg.framework_id AND q.scored;
    SELECT b.total_score INTO own FROM @extschema@.org_benchmark b
    WHERE b.organization_id = peer_distribution_svg.organization_id AND b.framework = fw.code;
    IF own IS NULL THEN
        RAISE EXCEPTION 'organization % has no scored organization-wide assessment of framework %',
            peer_distribution_svg.organization_id, fw.code USING ERRCODE = 'no_data_found';
    END IF;
    -- published aggregates only (SECURITY DEFINER, floor applied): no peer's own value
    SELECT * INTO pb FROM @extschema@.peer_total_benchmark(peer_distribution_svg.organization_id,
                                                           peer_distribution_svg.framework_id);
    IF pb.in_peer_release THEN
        -- rank = 1 + peers above; percentile = 100 x (below + equal / 2) / peers
        above := pb.peer_rank - 1;
        equal := pg_catalog.round(2 * ((pb.peer_count - above) - pb.peer_percentile * pb.peer_count / 100))::bigint;
        below := pb.peer_count - above - equal;
        note := pg_catalog.format('%s %s · %s · %s %s · %s %s',
            @extschema@.report_label('percentile', lang), pg_catalog.round(pb.peer_percentile::numeric, 1),
            pg_catalog.format(@extschema@.report_label('rank_of', lang), pb.peer_rank, pb.peer_count + 1),
            @extschema@.report_label('deviation', lang), pg_catalog.round(pb.deviation_score::numeric, 1),
            @extschema@.report_label('published', lang), (pb.as_of AT TIME ZONE 'UTC')::date);
    ELSIF pb.peer_count IS NOT NULL THEN
        -- not in the release yet: the group's mean, no place among its members
        above := 0; equal := 0; below := 0;
        note := pg_catalog.format('%s · %s %s', pg_catalog.format(@extschema@.report_label('peer_newcomer', lang), pb.peer_count),
            @extschema@.report_label('published', lang), (pb.as_of AT TIME ZONE 'UTC')::date);
    ELSE
        above := 0; equal := 0; below := 0;
        note := @extschema@.report_label('no_peer_figures', lang);
    END IF;
    RETURN @extschema@.peer_position_svg(
        100 * (own / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
        100 * (pb.peer_mean_total / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
        below, equal, above,
        pg_catalog.format('%s: %s %s', org.name, fw.code, @extschema@.report_label('peer_position', lang)),
        ARRAY[pg_catalog.format('%s %s %%', @extschema@.report_label('own', lang),
                                pg_catalog.round((100 * (own / nq - fw.scale_min) / (fw.scale_max - fw.scale_min))::numeric, 1)),
              pg_catalog.format('%s %s %%', @extschema@.report_label('peer_mean', lang),
                                pg_catalog.round((100 * (pb.peer_mean_total / nq - fw.scale_min) / (fw.scale_max - fw.scale_min))::numeric, 1)),
              @extschema@.report_label('peers_below', lang), @extschema@.report_label('peers_equal', lang),
              @extschema@.report_label('peers_above', lang), note, @extschema@.report_label('total_pct', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.peer_distribution_svg(bigint, bigint, text) IS
'SVG of an organization''s place in its peer group for a framework: its total score as a percentage of the scale (100 x (total / large questions - scale_min) / (scale_max - scale_min)), the peers'' mean, and the peers below, equal and above it with its percentile, rank and deviation score, all from the latest published release through peer_total_benchmark (nothing below the floor; the group''s mean only, without the bar, while the release does not include the organization); lang ''en'' or ''ja''.';

-- Column comments of the views of views.sql and history.sql (view_comments.sql), set once here,
-- after every view this script creates or recreates.

DO $comments$
DECLARE
    c       record;
    missing text;
BEGIN
    FOR c IN
        WITH described(view_name, column_name, description) AS (VALUES
            ('*', 'organization_id', 'Key of the organization (organizations.organization_id).'),
            ('*', 'organization', 'Code of the organization.'),
            ('*', 'organization_name', 'Name of the organization.'),
            ('*', 'core_business', 'Core business type: regulated, planning-competitive or mass-production (with size_band, the peer group).'),
            ('*', 'size_band', 'Size band: small, medium, large or enterprise (with core_business, the peer group).'),
            ('*', 'peer_group', 'The peer group: core business type / size band.'),
            ('*', 'framework', 'Code of the framework assessed.'),
            ('*', 'assessment_id', 'The organization''s latest organization-wide assessment of the framework.'),
            ('*', 'assessed_on', 'Date of that assessment.'),
            ('*', 'peer_count', 'Number of peers with a value in the latest peer release (when in_peer_release is false: all the group''s members in it); NULL when fewer than ismseval.min_peer_group.'),
            ('*', 'owner', 'Person or role responsible.'),
            ('*', 'target', 'Target value.'),
            ('*', 'unit', 'Unit of the KPI values (%, hours, count, ...).'),
            ('*', 'status', 'red, amber or green (kpi_status: green at attainment >= 1, amber within the amber tolerance, else red); NULL when never measured.'),
            ('*', 'progress_pct', 'Progress from baseline to target in %: 100 x (latest - baseline) / (target - baseline); NULL without baseline or when baseline = target; < 0 regressed, > 100 exceeded.'),
            ('*', 'latest_value', 'The latest measured value.'),
            ('*', 'likelihood', 'Likelihood level, 1 .. size of the matrix''s likelihood scale.'),
            ('*', 'impact', 'Impact level, 1 .. size of the matrix''s impact scale.'),
            ('*', 'domain', 'Code of the control domain (radar axis).'),
            ('*', 'peer_percentile', 'Percentile of the organization among its peers in the latest peer release, mid-rank: 100 x (peers below + 0.5 x peers equal) / peers, of its value at publication; NULL below the minimum peer group (for a tenant: peers it cannot see), and while the release does not include the organization (in_peer_release false).'),
            ('*', 'total_score', 'Total score: sum over domains of scored requirements in scope x domain mean (the plain sum when every requirement is answered with a score; a not-applicable one takes its domain''s mean); when a domain has no answer, mean score x number of scored requirements.'),
            ('*', 'mean_score', 'Weighted mean score (framework scale) of the answered scored requirements.'),
            ('*', 'framework_id', 'Key of the framework (frameworks.framework_id).'),
            ('*', 'coverage', 'Coverage in %: 100 x answered / applicable scored requirements in scope (not assessed and unanswered ones count as applicable, not-applicable ones do not); NULL when none is applicable.'),
            ('*', 'total_percentage', 'The total score as a percentage of the scale: 100 x (total / scored requirements - scale_min) / (scale_max - scale_min).'),
            ('*', 'peer_mean_total_percentage', 'peer_mean_total as a percentage of the scale, like total_percentage.'),
            ('*', 'applicable_questions', 'Number of scored requirements in scope not answered not applicable.'),
            ('*', 'peer_mean_total', 'Mean total score of the peers in the latest peer release (when in_peer_release is false: of all the group''s members in it); NULL below the minimum peer group.'),
            ('*', 'deviation_score', 'Deviation score (hensachi) of the total among peers: 50 + 10 x (own - peer mean) / peer population stddev (50 when that is 0); NULL below the minimum peer group and while the release does not include the organization.'),
            ('*', 'peer_rank', 'Rank of the total among the organization and its peers in the latest peer release: 1 + peers with a higher total; NULL below the minimum peer group and while the release does not include the organization.'),
            ('*', 'peer_figures_as_of', 'When the peer figures of the row were published (release_peer_figures); NULL when there are none: no release yet, or below the minimum peer group.'),
            ('*', 'ranked_organizations', 'Number of organizations ranked: peers + 1; NULL below the minimum peer group and while the release does not include the organization.'),
            ('*', 'in_peer_release', 'True when the peer figures are the organization''s own in the latest peer release: the peers are the others of its group, and the percentile (rank, deviation score) is of its value at publication. False when that release does not include it in its peer group (assessed after it, below the minimum coverage then, or moved to the group since): the figures are over the group''s members in the release, not including the organization, without percentile, rank or deviation score, until a release admits it. NULL when there are no peer figures.'),

            ('risk_register', 'risk_id', 'Key of the risk.'),
            ('risk_register', 'title', 'Title of the risk.'),
            ('risk_register', 'asset', 'Name of the asset at risk (NULL when none).'),
            ('risk_register', 'asset_location', 'Where the asset''s information lives: server, terminal, network, media, mobile or paper.'),
            ('risk_register', 'asset_value', 'Asset value = max(confidentiality, integrity, availability).'),
            ('risk_register', 'threat_code', 'Code of the threat (PH-nn physical, IS-nn information system for the preloaded catalogue).'),
            ('risk_register', 'threat', 'Name of the threat.'),
            ('risk_register', 'inherent_score', 'Inherent score = likelihood x impact.'),
            ('risk_register', 'inherent_level', 'Level of the (likelihood, impact) cell in the organization''s risk matrix.'),
            ('risk_register', 'inherent_level_rank', '0-based rank of the inherent level (0 = lowest).'),
            ('risk_register', 'inherent_color', 'Colour of the inherent level (#RRGGBB).'),
            ('risk_register', 'control_effectiveness', 'Effectiveness of the controls on the risk, 0 (none) to 1 (complete).'),
            ('risk_register', 'residual_score', 'Residual score: residual_likelihood x residual_impact when the residual cell is rated, else inherent score x (1 - control effectiveness).'),
            ('risk_register', 'residual_level', 'Residual level: that of the rated residual cell, else the highest level among matrix cells scoring at most the residual score, never above the inherent level.'),
            ('risk_register', 'residual_level_rank', '0-based rank of the residual level.'),
            ('risk_register', 'residual_color', 'Colour of the residual level (#RRGGBB).'),
            ('risk_register', 'tolerance_level', 'The organization''s risk tolerance: the highest accepted level.'),
            ('risk_register', 'within_tolerance', 'True when the residual level (residual_basis) is at or below the tolerance level.'),
            ('risk_register', 'treatment', 'Treatment: open (not decided yet), mitigate, accept, transfer, avoid or cancelled (the risk no longer applies).'),
            ('risk_register', 'owner', 'Risk owner.'),
            ('risk_register', 'acceptance_expires', 'When the acceptance of an accepted risk expires.'),
            ('risk_register', 'acceptance_expired', 'True when the risk is accepted and its acceptance expired before today.'),
            ('risk_register', 'identified_on', 'Date the risk was identified.'),
            ('risk_register', 'likelihood', 'Inherent likelihood (without controls), 1 .. size of the matrix''s likelihood scale.'),
            ('risk_register', 'impact', 'Inherent impact (without controls), 1 .. size of the matrix''s impact scale.'),
            ('risk_register', 'inherent_likelihood_name', 'Name of the inherent likelihood on the matrix''s likelihood scale (risk_matrix_likelihood_name).'),
            ('risk_register', 'inherent_impact_name', 'Name of the inherent impact on the matrix''s impact scale (risk_matrix_impact_name).'),
            ('risk_register', 'current_likelihood', 'Current likelihood (with today''s controls); NULL when not rated.'),
            ('risk_register', 'current_impact', 'Current impact (with today''s controls); NULL when not rated.'),
            ('risk_register', 'current_level', 'Level of the current cell in the organization''s risk matrix; NULL when not rated.'),
            ('risk_register', 'current_level_rank', '0-based rank of the current level; NULL when not rated.'),
            ('risk_register', 'current_color', 'Colour of the current level (#RRGGBB); NULL when not rated.'),
            ('risk_register', 'current_likelihood_name', 'Name of the current likelihood on the matrix''s likelihood scale; NULL when not rated.'),
            ('risk_register', 'current_impact_name', 'Name of the current impact on the matrix''s impact scale; NULL when not rated.'),
            ('risk_register', 'residual_likelihood', 'Rated residual likelihood (once the treatment is done); NULL when the residual comes from control effectiveness.'),
            ('risk_register', 'residual_impact', 'Rated residual impact; NULL when the residual comes from control effectiveness.'),
            ('risk_register', 'residual_likelihood_name', 'Name of the rated residual likelihood on the matrix''s likelihood scale; NULL when not rated.'),
            ('risk_register', 'residual_impact_name', 'Name of the rated residual impact on the matrix''s impact scale; NULL when not rated.'),
            ('risk_register', 'residual_basis', 'Where the residual score and level come from: cell (the rated residual cell) or effectiveness (inherent x (1 - control effectiveness)).'),
            ('risk_register', 'strength_of_knowledge', 'Strength of the knowledge behind the rating: 0 low, 1 medium, 2 high; NULL when not given.'),
            ('risk_register', 'strength_of_knowledge_name', 'low, medium or high (strength_of_knowledge 0, 1, 2); NULL when not given.'),

            ('risk_heatmap', 'score', 'Score of the cell = likelihood x impact.'),
            ('risk_heatmap', 'level', 'Level of the cell in the organization''s risk matrix.'),
            ('risk_heatmap', 'level_rank', '0-based rank of the level (0 = lowest).'),
            ('risk_heatmap', 'color', 'Colour of the level (#RRGGBB).'),
            ('risk_heatmap', 'risk_count', 'Number of the organization''s risks rated in this cell (inherent rating); 0 when none.'),
            ('risk_heatmap', 'current_risk_count', 'Number of the organization''s risks whose current cell is this one; 0 when none.'),
            ('risk_heatmap', 'residual_risk_count', 'Number of the organization''s risks whose residual cell is this one: the rated residual cell, else (residual_likelihood(likelihood, control effectiveness), impact); 0 when none.'),
            ('risk_heatmap', 'likelihood_name', 'Name of the cell''s likelihood on the matrix''s likelihood scale.'),
            ('risk_heatmap', 'impact_name', 'Name of the cell''s impact on the matrix''s impact scale.'),

            ('kpi_status', 'kpi_id', 'Key of the KPI.'),
            ('kpi_status', 'kpi', 'Code of the KPI.'),
            ('kpi_status', 'kpi_name', 'Name of the KPI.'),
            ('kpi_status', 'direction', 'higher_is_better or lower_is_better.'),
            ('kpi_status', 'owner', 'Owner of the KPI.'),
            ('kpi_status', 'frequency_days', 'Measurement frequency in days (30 monthly, 91 quarterly, 365 yearly).'),
            ('kpi_status', 'target', 'Target value of the KPI.'),
            ('kpi_status', 'baseline', 'Baseline value the progress is measured from (NULL when not set).'),
            ('kpi_status', 'latest_measured_on', 'Date of the latest measurement.'),
            ('kpi_status', 'previous_value', 'The value measured before the latest one.'),
            ('kpi_status', 'previous_measured_on', 'Date of the previous measurement.'),
            ('kpi_status', 'change', 'latest_value - previous_value.'),
            ('kpi_status', 'attainment_pct', 'Attainment in %, 0-200: 100 x actual / target (higher is better) or 100 x target / actual (lower is better); 100 = target met.'),
            ('kpi_status', 'days_since_measured', 'Days from the latest measurement to today.'),
            ('kpi_status', 'stale', 'True when never measured or not measured within frequency_days.'),

            ('objective_status', 'objective_id', 'Key of the objective.'),
            ('objective_status', 'objective', 'Title of the objective.'),
            ('objective_status', 'owner', 'Owner of the objective.'),
            ('objective_status', 'set_on', 'Date the objective was set.'),
            ('objective_status', 'due_on', 'Due date of the objective.'),
            ('objective_status', 'kpi', 'Code of the KPI that measures the objective.'),
            ('objective_status', 'target', 'Target value of the KPI.'),
            ('objective_status', 'achieved', 'True when the KPI''s latest value meets the target (attainment >= 100%).'),
            ('objective_status', 'overdue', 'True when the due date has passed and the objective is not achieved.'),
            ('objective_status', 'days_to_due', 'Days from today to the due date (negative when past).'),

            ('maturity_by_domain', 'domain_name', 'Name of the control domain.'),
            ('maturity_by_domain', 'display_order', 'Display order of the domain in its framework.'),
            ('maturity_by_domain', 'own_score', 'Mean score of the organization''s answered large questions of the domain; NULL when none answered.'),
            ('maturity_by_domain', 'answered_questions', 'Number of scored requirements of the domain in scope answered with a score or a result.'),
            ('maturity_by_domain', 'peer_score', 'Mean over the peers of their domain means (latest assessment of the same framework, as published in the latest peer release; when in_peer_release is false, over all the group''s members in it); NULL below the minimum peer group.'),
            ('maturity_by_domain', 'gap_to_peers', 'own_score - peer_score (negative: below peers).'),
            ('maturity_by_domain', 'target', 'Target maturity of the domain: maturity_targets, else the framework''s default_target.'),
            ('maturity_by_domain', 'gap_to_target', 'own_score - target (negative: below target).'),
            ('maturity_by_domain', 'domain_id', 'Key of the control domain (control_domains.domain_id).'),
            ('maturity_by_domain', 'own_percentage', 'The domain''s weighted mean percentage of the scale over the answered scored requirements (100 x (score - min) / (max - min), or the framework''s percentage for a result).'),
            ('maturity_by_domain', 'peer_percentage', 'peer_score as a percentage of the framework''s scale.'),
            ('maturity_by_domain', 'target_percentage', 'target as a percentage of the framework''s scale.'),
            ('maturity_by_domain', 'scale_min', 'Bottom of the framework''s scale.'),
            ('maturity_by_domain', 'scale_max', 'Top of the framework''s scale.'),

            ('question_peer_rate', 'large_question', 'Code of the large question the small question belongs to.'),
            ('question_peer_rate', 'question_id', 'Key of the small question.'),
            ('question_peer_rate', 'question', 'Code of the small question.'),
            ('question_peer_rate', 'question_text', 'Text of the small question.'),
            ('question_peer_rate', 'own_result', 'The organization''s result: compliant (yes), non_compliant (no), not_assessed or not_applicable; NULL when unanswered.'),
            ('question_peer_rate', 'own_answer_yes', 'The organization''s answer: true yes, false no, NULL not answered or not applicable.'),
            ('question_peer_rate', 'own_not_applicable', 'True when the organization answered not applicable.'),
            ('question_peer_rate', 'peer_rate_pct', 'Peer implementation rate: 100 x peers answering yes / peers answering yes or no (when in_peer_release is false: over all the group''s members that answered); NULL below the minimum peer group.'),

            ('incident_metrics_monthly', 'month', 'First day of the calendar month (UTC); every month from the organization''s first incident to the current month.'),
            ('incident_metrics_monthly', 'incidents', 'Number of incidents that occurred in the month; 0 in a month without incidents.'),
            ('incident_metrics_monthly', 'severe_incidents', 'Incidents of severity 3 or 4.'),
            ('incident_metrics_monthly', 'max_leakage_risk', 'Highest leakage-risk level (1-4) among them.'),
            ('incident_metrics_monthly', 'mttd_hours', 'Mean time to detect in hours: mean of detected_at - occurred_at over detected incidents.'),
            ('incident_metrics_monthly', 'mttd_hours_p90', '90th percentile (interpolated) of the time to detect, hours.'),
            ('incident_metrics_monthly', 'mttr_hours', 'Mean time to resolve in hours: mean of resolved_at - occurred_at over resolved incidents.'),
            ('incident_metrics_monthly', 'mttr_hours_p90', '90th percentile (interpolated) of the time to resolve, hours.'),
            ('incident_metrics_monthly', 'reported_within_24h_pct', '100 x incidents reported within 24 hours of detection / detected incidents; NULL when none detected.'),

            ('org_benchmark', 'answered_questions', 'Number of scored requirements in scope answered with a score or a result.'),
            ('org_benchmark', 'mean_percentage', 'Weighted mean percentage of the scale of the answered scored requirements.'),
            ('org_benchmark', 'scored_questions', 'Number of scored requirements in scope (the assessment''s implementation groups, else all).'),

            ('management_review', 'framework', 'Code of the framework of the row (one row per framework the organization assessed organization-wide); NULL on the one row of an organization that assessed none.'),
            ('management_review', 'assessed_on', 'Date of the organization''s latest organization-wide assessment of the framework.'),
            ('management_review', 'peer_count', 'Number of peers in the benchmark (when in_peer_release is false: all the group''s members in the latest peer release); NULL below the minimum peer group.'),
            ('management_review', 'weakest_domain', 'Domain with the lowest own score (first in display order on ties).'),
            ('management_review', 'domains_below_target', 'Domains whose own score is below target.'),
            ('management_review', 'domains_below_peers', 'Domains whose own score is below the peers'' mean.'),
            ('management_review', 'risks', 'Risks in the register.'),
            ('management_review', 'risks_outside_tolerance', 'Risks whose residual level (risk_register: the rated residual cell, else the effectiveness residual) is above the tolerance level.'),
            ('management_review', 'risks_top_level', 'Risks whose inherent level is the top level of the matrix.'),
            ('management_review', 'acceptances_expired', 'Accepted risks whose acceptance has expired.'),
            ('management_review', 'kpis', 'KPIs defined.'),
            ('management_review', 'kpis_green', 'KPIs with status green.'),
            ('management_review', 'kpis_amber', 'KPIs with status amber.'),
            ('management_review', 'kpis_red', 'KPIs with status red.'),
            ('management_review', 'kpis_stale', 'KPIs never measured or not measured within their frequency.'),
            ('management_review', 'objectives', 'Objectives defined.'),
            ('management_review', 'objectives_achieved', 'Objectives whose KPI meets its target.'),
            ('management_review', 'objectives_overdue', 'Objectives past their due date and not achieved.'),
            ('management_review', 'incidents_12m', 'Incidents that occurred in the last 12 months.'),
            ('management_review', 'severe_incidents_12m', 'Of them, incidents of severity 3 or 4.'),
            ('management_review', 'mttd_hours_12m', 'Mean time to detect over the last 12 months, hours.'),
            ('management_review', 'mttr_hours_12m', 'Mean time to resolve over the last 12 months, hours.'),
            ('management_review', 'reported_within_24h_pct_12m', '100 x incidents of the last 12 months reported within 24 hours of detection / detected ones; NULL when none.'),
            ('management_review', 'nonconformities_open', 'Nonconformities not closed.'),
            ('management_review', 'corrective_actions_overdue', 'Corrective actions not closed and past their due date.'),
            ('management_review', 'risks_current_top_level', 'Risks whose current level is the top level of the matrix (risks without a current rating are not counted).'),
            ('management_review', 'risks_residual_top_level', 'Risks whose residual level (risk_register: the rated residual cell, else the effectiveness residual) is the top level of the matrix.'),

            ('*history', 'organization_id', 'Key of the organization (organizations.organization_id).'),
            ('*history', 'organization', 'Code of the organization.'),
            ('*history', 'framework_id', 'Key of the framework.'),
            ('*history', 'framework', 'Code of the framework assessed.'),
            ('*history', 'assessment_id', 'Key of the assessment.'),
            ('*history', 'assessed_on', 'Date of the assessment.'),
            ('*history', 'domain_id', 'Key of the control domain.'),
            ('*history', 'domain', 'Code of the control domain.'),
            ('*history', 'domain_name', 'Name of the control domain.'),
            ('*history', 'display_order', 'Display order of the domain in its framework.'),
            ('*history', 'score', 'Mean score of the scored large questions of the domain in the assessment (framework scale); NULL when none is scored.'),
            ('*history', 'percentage', 'The score as a percentage of the framework scale: 100 x (score - scale_min) / (scale_max - scale_min).'),
            ('*history', 'coverage', 'Coverage in %: 100 x scored large questions / applicable large questions of the domain (not answered not_applicable; unanswered ones count as applicable); NULL when none is applicable.'),
            ('*history', 'target', 'Target value.'),
            ('*history', 'unit', 'Unit of the KPI values.'),
            ('*history', 'direction', 'higher_is_better or lower_is_better.'),
            ('*history', 'level', 'Name of a level of the organization''s current risk matrix.'),
            ('*history', 'level_rank', '0-based rank of the level (0 = lowest).'),
            ('*history', 'color', 'Colour of the level (#RRGGBB).'),

            ('maturity_history', 'answered_questions', 'Large questions of the domain answered with a score.'),
            ('maturity_history', 'applicable_questions', 'Large questions of the domain not answered not_applicable.'),
            ('maturity_history', 'previous_assessed_on', 'Date of the previous organization-wide assessment of the framework (the latest before this one); NULL when none.'),
            ('maturity_history', 'previous_score', 'The domain''s score in the previous assessment.'),
            ('maturity_history', 'change_vs_previous', 'score - previous_score, in scale points.'),
            ('maturity_history', 'year_ago_assessed_on', 'Date of the assessment about a year earlier: the latest organization-wide assessment of the framework 320 to 410 days (365 -/+ 45) before this one; NULL when none.'),
            ('maturity_history', 'year_ago_score', 'The domain''s score in the assessment about a year earlier.'),
            ('maturity_history', 'change_vs_year_ago', 'score - year_ago_score, in scale points.'),

            ('kpi_series', 'kpi_id', 'Key of the KPI.'),
            ('kpi_series', 'kpi', 'Code of the KPI.'),
            ('kpi_series', 'target', 'Target value of the KPI.'),
            ('kpi_series', 'measured_on', 'Date of the measurement.'),
            ('kpi_series', 'value', 'The measured value.'),
            ('kpi_series', 'attainment_pct', 'Attainment in %, 0-200: 100 x value / target (higher is better) or 100 x target / value (lower is better).'),
            ('kpi_series', 'status', 'red, amber or green (kpi_status) of this value.'),
            ('kpi_series', 'trend_points', 'Measurements the trend is fitted on: the last 6 up to and including this one (fewer at the start of the series).'),
            ('kpi_series', 'trend_per_day', 'Least-squares slope of value on date over those measurements, in units per day: sum((x - mean x)(y - mean y)) / sum((x - mean x)^2), x in days; NULL with fewer than 3.'),
            ('kpi_series', 'trend_per_period', 'trend_per_day x frequency_days: the change per measurement period.'),
            ('kpi_series', 'trend_value', 'The trend line (least-squares intercept + slope x date) at this measurement''s date; NULL with fewer than 3 measurements.'),
            ('kpi_series', 'objective_id', 'The KPI''s objective the forecast is for: the earliest due on or after the measurement, else the latest due; NULL when the KPI has none.'),
            ('kpi_series', 'due_on', 'Due date of that objective.'),
            ('kpi_series', 'forecast_at_due', 'The trend line (least-squares intercept + slope x date) at due_on, not below 0 and, for a KPI in %, not above 100; NULL without a trend, without an objective or when due_on has passed at this measurement.'),
            ('kpi_series', 'on_track', 'True when forecast_at_due meets the target (>= for higher is better, <= for lower is better); NULL without a forecast.'),

            ('risk_history', 'month', 'First day of the calendar month.'),
            ('risk_history', 'month_end', 'Last day of the month: the states counted are those at its end.'),
            ('risk_history', 'inherent_risks', 'Open risks at the month''s end whose inherent level (as rated then) has this rank.'),
            ('risk_history', 'residual_risks', 'Open risks at the month''s end whose residual level (as rated then: the rated residual cell, else the effectiveness residual) has this rank.'),
            ('risk_history', 'open_risks', 'Open risks at the month''s end (per month: repeated on every level row).'),
            ('risk_history', 'outside_tolerance', 'Of them, risks whose residual level was above the tolerance when rated (per month).'),
            ('risk_history', 'opened', 'Risks opened (identified) in the month (per month).'),
            ('risk_history', 'closed', 'Risks closed (deleted) in the month (per month).'),
            ('risk_history', 'current_risks', 'Open risks at the month''s end whose current level (as rated then) has this rank; risks without a current rating are in no level.'),

            ('department_maturity', 'department_id', 'Key of the department.'),
            ('department_maturity', 'department', 'Name of the department.'),
            ('department_maturity', 'assessment_id', 'The department''s latest assessment of the framework.'),
            ('department_maturity', 'target', 'Target maturity of the domain: maturity_targets, else the framework''s default_target.'),
            ('department_maturity', 'gap_to_target', 'score - target (negative: below target).'),
            ('department_maturity', 'company_mean', 'Company-wide mean: mean over the organization''s departments of the domain score of their latest assessment of the framework (each department once).'),
            ('department_maturity', 'gap_to_company', 'score - company_mean (negative: below the company).'),
            ('department_maturity', 'company_departments', 'Departments with a score in the company-wide mean.')
        ), listed(view_name, history) AS (VALUES
            ('risk_register', false), ('risk_heatmap', false), ('kpi_status', false),
            ('objective_status', false), ('maturity_by_domain', false), ('question_peer_rate', false),
            ('incident_metrics_monthly', false), ('org_benchmark', false), ('management_review', false),
            ('maturity_history', true), ('kpi_series', true), ('risk_history', true), ('department_maturity', true)
        )
        SELECT cl.relname AS view_name, a.attname AS column_name,
               COALESCE(s.description, h.description, g.description) AS description
        FROM listed l
        JOIN pg_catalog.pg_class cl
          ON cl.relname = l.view_name AND cl.relnamespace = '@extschema@'::regnamespace AND cl.relkind = 'v'
        JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN described s ON s.view_name = cl.relname AND s.column_name = a.attname
        LEFT JOIN described h ON l.history AND h.view_name = '*history' AND h.column_name = a.attname
        LEFT JOIN described g ON g.view_name = '*' AND g.column_name = a.attname
        ORDER BY 1, a.attnum
    LOOP
        IF c.description IS NULL THEN
            missing := COALESCE(missing || ', ', '') || c.view_name || '.' || c.column_name;
        ELSE
            EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.%I IS %L',
                                      c.view_name, c.column_name, c.description);
        END IF;
    END LOOP;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'view columns without a comment: %', missing;
    END IF;
END
$comments$;

-- A release's members: an assessable node above the domain level counts for coverage, not as
-- a domain (peer_release.sql).
-- Every organization's current values per framework (latest organization-wide assessment):
-- each domain mean, only for organizations with an answer in every domain of the framework
-- (a domain = one with scored requirements) and a coverage of at least
-- ismseval.min_peer_coverage %, and each yes/no answer as 100 / 0.
CREATE OR REPLACE FUNCTION @extschema@.peer_current_values()
RETURNS TABLE(organization_id bigint, framework_id bigint, kind text, item_id bigint, value double precision,
              peer_group text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH latest AS (
        SELECT l.organization_id, l.framework_id, l.assessment_id
        FROM @extschema@.latest_organization_assessments() l
    ), domains AS (
        SELECT q.framework_id, pg_catalog.count(DISTINCT q.domain_id) AS n
        FROM @extschema@.questions q WHERE q.scored GROUP BY q.framework_id
    ), means AS (
        -- assessment_domain_score's mean, for every latest assessment at once
        SELECT l.organization_id, l.framework_id, r.domain_id,
               pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL)
                   AS value,
               -- the domains with an answer (an assessable node above the domain level has
               -- none: it counts for coverage only)
               pg_catalog.count(r.domain_id) OVER (PARTITION BY l.organization_id, l.framework_id) AS domains_scored,
               pg_catalog.sum(pg_catalog.count(r.percentage)) OVER (PARTITION BY l.organization_id, l.framework_id)
                   AS answered,
               pg_catalog.sum(pg_catalog.count(*) FILTER (WHERE r.applicable))
                   OVER (PARTITION BY l.organization_id, l.framework_id) AS applicable
        FROM latest l
        CROSS JOIN LATERAL @extschema@.assessment_requirement_values(l.assessment_id) r
        GROUP BY l.organization_id, l.framework_id, r.domain_id
        HAVING pg_catalog.count(r.percentage) > 0
    ), v AS (
        SELECT m.organization_id, m.framework_id, 'domain' AS kind, m.domain_id AS item_id, m.value
        FROM means m JOIN domains d ON d.framework_id = m.framework_id AND d.n = m.domains_scored
        -- coverage of the whole assessment at least the minimum for publishing
        WHERE m.domain_id IS NOT NULL
          AND 100 * m.answered >= pg_catalog.current_setting('ismseval.min_peer_coverage')::double precision
                                  * m.applicable
        UNION ALL
        SELECT l.organization_id, l.framework_id, 'question', an.question_id,
               CASE WHEN an.answer_yes THEN 100::double precision ELSE 0::double precision END
        FROM latest l
        JOIN @extschema@.answers an ON an.assessment_id = l.assessment_id AND an.answer_yes IS NOT NULL
    )
    SELECT v.organization_id, v.framework_id, v.kind, v.item_id, v.value,
           @extschema@.peer_group(o.core_business, o.size_band)
    FROM v JOIN @extschema@.organizations o ON o.organization_id = v.organization_id;
END;
COMMENT ON FUNCTION @extschema@.peer_current_values() IS
'Every organization''s current values per framework (latest organization-wide assessment): domain means (only for organizations with a scored answer in every domain) and small answers as 100/0, with the peer group.';

-- Checks that name the first offending row name the same one whatever the plan: ordered
-- (model.sql, ciso_import.sql).
-- Creates or updates the requirement nodes of a framework (and its control domains), parents
-- first, then removes what the library no longer has.
CREATE OR REPLACE FUNCTION @extschema@.ciso_import_requirement_nodes(fid bigint, framework_urn text,
                                                          nodes @extschema@.ciso_requirement_node[], level integer)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    olds    @extschema@.questions[] := ARRAY(SELECT q FROM @extschema@.questions q WHERE q.framework_id = fid);
    node    @extschema@.ciso_requirement_node;
    old     @extschema@.questions;
    fresh   @extschema@.questions;
    parent_domain bigint;
    changed text;
    bad     record;
BEGIN
    SELECT q.code, q.question_id, n.urn INTO bad
    FROM pg_catalog.unnest(olds) q JOIN pg_catalog.unnest(nodes) n ON n.code = q.code
    WHERE q.urn IS NULL ORDER BY q.code LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'framework %: question % (id %, not from the library) has the code that requirement node % takes',
            framework_urn, bad.code, bad.question_id, bad.urn
            USING ERRCODE = 'check_violation', HINT = 'Change the code of that question first.';
    END IF;
    -- park the codes that move, so that no two nodes hold one in between
    UPDATE @extschema@.questions q SET code = 'urn:ismseval:moving:' || q.question_id
    WHERE q.framework_id = fid AND q.urn IS NOT NULL
      AND (EXISTS (SELECT FROM pg_catalog.unnest(nodes) n WHERE n.urn = q.urn AND n.code <> q.code)
           OR NOT EXISTS (SELECT FROM pg_catalog.unnest(nodes) n WHERE n.urn = q.urn)
              AND EXISTS (SELECT FROM pg_catalog.unnest(nodes) n WHERE n.code = q.code));
    RETURN QUERY SELECT * FROM @extschema@.ciso_import_control_domains(fid, nodes, level, olds);
    FOR node IN SELECT x.* FROM pg_catalog.unnest(nodes) x ORDER BY x.depth, x.ord LOOP
        SELECT o.* INTO old FROM pg_catalog.unnest(olds) o WHERE o.urn = node.urn;
        fresh := old;
        SELECT q.question_id, q.domain_id INTO fresh.parent_id, parent_domain
        FROM @extschema@.questions q WHERE q.framework_id = fid AND q.urn = node.parent_urn;
        fresh.domain_id := CASE WHEN node.depth < level THEN NULL
                                WHEN node.depth = level THEN (SELECT d.domain_id FROM @extschema@.control_domains d
                                                           WHERE d.framework_id = fid AND d.code = node.code)
                                ELSE parent_domain END;
        fresh.code := node.code;
        fresh.text := node.text;
        fresh.display_order := node.ord;
        fresh.ref_id := node.ref_id;
        fresh.name := node.name;
        fresh.description := node.description;
        fresh.assessable := node.assessable;
        fresh.answer_kind := 'score';
        fresh.depth := node.depth;
        fresh.weight := node.weight;
        fresh.score_min := node.score_min;
        fresh.score_max := node.score_max;
        fresh.implementation_groups := node.implementation_groups;
        fresh.translations := node.translations;
        changed := @extschema@.ciso_changed_fields(pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(fresh),
                       ARRAY['parent_id', 'domain_id', 'code', 'text', 'display_order', 'ref_id', 'name', 'description',
                             'assessable', 'answer_kind', 'depth', 'weight', 'score_min', 'score_max',
                             'implementation_groups', 'translations']);
        IF old.question_id IS NULL THEN
            INSERT INTO @extschema@.questions (framework_id, domain_id, parent_id, code, text, display_order, urn, ref_id,
                                               name, description, assessable, answer_kind, depth, weight, score_min,
                                               score_max, implementation_groups, translations)
            VALUES (fid, fresh.domain_id, fresh.parent_id, fresh.code, fresh.text, fresh.display_order, node.urn,
                    fresh.ref_id, fresh.name, fresh.description, fresh.assessable, fresh.answer_kind, fresh.depth,
                    fresh.weight, fresh.score_min, fresh.score_max, fresh.implementation_groups, fresh.translations);
        ELSIF changed IS NOT NULL THEN
            UPDATE @extschema@.questions q
            SET (domain_id, parent_id, code, text, display_order, ref_id, name, description, assessable, answer_kind,
                 depth, weight, score_min, score_max, implementation_groups, translations)
              = (fresh.domain_id, fresh.parent_id, fresh.code, fresh.text, fresh.display_order, fresh.ref_id,
                 fresh.name, fresh.description, fresh.assessable, fresh.answer_kind, fresh.depth, fresh.weight,
                 fresh.score_min, fresh.score_max, fresh.implementation_groups, fresh.translations)
            WHERE q.question_id = old.question_id;
        END IF;
        RETURN QUERY SELECT 'requirement_node'::text, node.urn, node.ref_id,
                            CASE WHEN old.question_id IS NULL THEN 'created' WHEN changed IS NULL THEN 'unchanged' ELSE 'updated' END,
                            CASE WHEN old.question_id IS NULL THEN NULL ELSE changed END;
    END LOOP;
    RETURN QUERY SELECT * FROM @extschema@.ciso_remove_absent_nodes(fid, framework_urn, nodes, olds, level);
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_import_requirement_nodes(bigint, text, @extschema@.ciso_requirement_node[], integer) IS
'For import_ciso_assistant_library: creates or updates a framework''s requirement nodes (found by urn) and control domains, parents first: domain_id NULL above the domain level, the node''s own domain at it, the parent''s below; answer_kind score; display_order = file order. Then removes what the library no longer has (ciso_remove_absent_nodes).';

-- Imports one framework of a library: the framework row, its implementation groups, its
-- control domains and its requirement nodes.
CREATE OR REPLACE FUNCTION @extschema@.ciso_import_framework(framework jsonb, library jsonb, requested_level integer)
RETURNS TABLE(kind text, urn text, ref_id text, action text, reason text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    fw_urn  text := @extschema@.ciso_urn(framework, 'a framework of the library');
    owner   text := 'framework ' || fw_urn;
    smin    integer := COALESCE(@extschema@.ciso_integer(framework, 'min_score', owner), 0);
    smax    integer := COALESCE(@extschema@.ciso_integer(framework, 'max_score', owner), 100);
    nodes   @extschema@.ciso_requirement_node[];
    old     @extschema@.frameworks;
    fresh   @extschema@.frameworks;
    depth   integer;
    note    text;
    changed text;
    bad     record;
BEGIN
    IF smin >= smax OR smin < -1000000 OR smax > 1000000 THEN
        RAISE EXCEPTION '%: min_score % must be below max_score %', owner, smin, smax
            USING ERRCODE = 'check_violation',
                  DETAIL = 'Both lie between -1000000 and 1000000; CISO Assistant''s default scale is 0 to 100.';
    END IF;
    nodes := ARRAY(SELECT n FROM @extschema@.ciso_framework_nodes(framework, fw_urn, smin, smax) n);
    depth := (SELECT pg_catalog.max(n.depth) FROM pg_catalog.unnest(nodes) n);
    SELECT f.* INTO old FROM @extschema@.frameworks f WHERE f.urn = fw_urn FOR UPDATE;
    IF requested_level <> old.domain_level THEN
        RAISE EXCEPTION '%: it is loaded with domain level %, not %', owner, old.domain_level, requested_level
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = pg_catalog.format('Import it with domain_level => %s (or NULL), or delete the framework first.',
                                           old.domain_level);
    END IF;
    fresh := old;
    fresh.domain_level := COALESCE(requested_level, old.domain_level, 1);
    IF fresh.domain_level > depth THEN
        RAISE EXCEPTION '%: domain level % is deeper than its tree (depth %)', owner, fresh.domain_level, depth
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT q.urn, f.urn AS other INTO bad
    FROM @extschema@.questions q JOIN @extschema@.frameworks f ON f.framework_id = q.framework_id
    WHERE q.urn IN (SELECT n.urn FROM pg_catalog.unnest(nodes) n) AND q.framework_id IS DISTINCT FROM old.framework_id
    ORDER BY q.urn
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: requirement node % is already a node of framework %', owner, bad.urn, COALESCE(bad.other, '(no urn)')
            USING ERRCODE = 'check_violation';
    END IF;
    IF (old.scale_min, old.scale_max) <> (smin, smax)
       AND EXISTS (SELECT FROM @extschema@.answers a JOIN @extschema@.questions q ON q.question_id = a.question_id
                   WHERE q.framework_id = old.framework_id) THEN
        RAISE EXCEPTION '%: it has answers on the scale % to %, which this version changes to % to %', owner,
            old.scale_min, old.scale_max, smin, smax
            USING ERRCODE = 'check_violation', HINT = 'Answers keep their scale; load the new version as another framework.';
    END IF;
    fresh.ref_id := @extschema@.ciso_text(framework, 'ref_id', owner);
    fresh.code := COALESCE(fresh.ref_id, @extschema@.ciso_urn_tail(fw_urn));
    IF EXISTS (SELECT FROM @extschema@.frameworks f WHERE f.code = fresh.code AND f.framework_id IS DISTINCT FROM old.framework_id) THEN
        note := pg_catalog.format('code is the urn: %s is the code of another framework', fresh.code);
        fresh.code := fw_urn;
    END IF;
    fresh.name := COALESCE(@extschema@.ciso_text(framework, 'name', owner), fresh.ref_id, fw_urn);
    fresh.version := @extschema@.ciso_text(library, 'version', 'the library');
    fresh.scale_min := smin;
    fresh.scale_max := smax;
    -- two thirds up the scale (3 on 1-4), unless the target set before is still on it
    fresh.default_target := CASE WHEN old.default_target BETWEEN smin AND smax THEN old.default_target
                                 ELSE pg_catalog.round(smin + (smax - smin) * 2 / 3.0, 2) END;
    fresh.urn := fw_urn;
    fresh.description := @extschema@.ciso_text(framework, 'description', owner);
    fresh.provider := COALESCE(@extschema@.ciso_text(framework, 'provider', owner),
                               @extschema@.ciso_text(library, 'provider', 'the library'));
    fresh.translations := @extschema@.ciso_translations(framework, owner);
    fresh.score_labels := @extschema@.ciso_score_labels(framework, fw_urn, smin, smax);
    changed := @extschema@.ciso_changed_fields(pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(fresh),
                   ARRAY['code', 'name', 'version', 'scale_min', 'scale_max', 'default_target', 'ref_id', 'description',
                         'provider', 'translations', 'score_labels', 'domain_level']);
    IF old.framework_id IS NULL THEN
        INSERT INTO @extschema@.frameworks (code, name, version, scale_min, scale_max, default_target, urn, ref_id,
                                            description, provider, translations, score_labels, domain_level)
        VALUES (fresh.code, fresh.name, fresh.version, fresh.scale_min, fresh.scale_max, fresh.default_target, fw_urn,
                fresh.ref_id, fresh.description, fresh.provider, fresh.translations, fresh.score_labels,
                fresh.domain_level)
        RETURNING framework_id INTO fresh.framework_id;
    ELSIF changed IS NOT NULL THEN
        UPDATE @extschema@.frameworks f
        SET (code, name, version, scale_min, scale_max, default_target, ref_id, description, provider, translations,
             score_labels, domain_level)
          = (fresh.code, fresh.name, fresh.version, fresh.scale_min, fresh.scale_max, fresh.default_target,
             fresh.ref_id, fresh.description, fresh.provider, fresh.translations, fresh.score_labels, fresh.domain_level)
        WHERE f.framework_id = old.framework_id;
    END IF;
    RETURN QUERY SELECT 'framework'::text, fw_urn, fresh.ref_id,
                        CASE WHEN old.framework_id IS NULL THEN 'created' WHEN changed IS NULL THEN 'unchanged' ELSE 'updated' END,
                        NULLIF(pg_catalog.concat_ws('; ', note, CASE WHEN old.framework_id IS NOT NULL THEN changed END,
                                                    @extschema@.ciso_ignored_fields(framework)), '');
    RETURN QUERY SELECT * FROM @extschema@.ciso_import_implementation_groups(fresh.framework_id, framework, fw_urn);
    RETURN QUERY SELECT * FROM @extschema@.ciso_import_requirement_nodes(fresh.framework_id, fw_urn, nodes, fresh.domain_level);
END
$$;
COMMENT ON FUNCTION @extschema@.ciso_import_framework(jsonb, jsonb, integer) IS
'For import_ciso_assistant_library: creates or updates (found by urn) a framework of a library: code = ref_id (the urn when another framework has that code), name, version = the library''s, scale = min_score..max_score (default 0..100), default_target = two thirds up the scale rounded to 2 decimals (kept when still on the scale), score_labels from scores_definition, domain_level (requested, else as loaded, else 1); then its implementation groups, domains and nodes. 22023 for a domain level unlike the loaded one or deeper than the tree; 23514 for a node of another framework or a new scale under answers.';

-- Rejects a new risk matrix that existing risks of the organization do not fit.
CREATE OR REPLACE FUNCTION @extschema@.organizations_matrix_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    bad record;
BEGIN
    -- The row is locked for this update before the trigger runs: risk writes of the
    -- organization have committed or wait. Under READ COMMITTED the query below reads
    -- them; a snapshot-bound transaction would miss those committed since it began.
    IF (@extschema@.risk_matrix_likelihood_size(NEW.risk_matrix) < @extschema@.risk_matrix_likelihood_size(OLD.risk_matrix)
        OR @extschema@.risk_matrix_impact_size(NEW.risk_matrix) < @extschema@.risk_matrix_impact_size(OLD.risk_matrix))
       AND pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the risk matrix of organization % can only shrink in a READ COMMITTED transaction', NEW.code
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = pg_catalog.format('This transaction is %s: its check would not see risks committed since it began.',
                                             pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
                  HINT = 'Change the matrix in a READ COMMITTED transaction (the default).';
    END IF;
    -- every cell of every risk: the inherent one, and the current and residual ones when rated
    SELECT r.title, c.what, c.likelihood, c.impact INTO bad
    FROM @extschema@.risks r
    CROSS JOIN LATERAL (VALUES (1, '', r.likelihood, r.impact),
                               (2, 'current ', r.current_likelihood, r.current_impact),
                               (3, 'residual ', r.residual_likelihood, r.residual_impact)) c(n, what, likelihood, impact)
    WHERE r.organization_id = NEW.organization_id
      AND (c.likelihood > @extschema@.risk_matrix_likelihood_size(NEW.risk_matrix)
           OR c.impact > @extschema@.risk_matrix_impact_size(NEW.risk_matrix))
    ORDER BY r.risk_id, c.n
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the new risk matrix of organization % does not fit risk "%" (%likelihood %, impact %)',
            NEW.code, bad.title, bad.what, bad.likelihood, bad.impact
            USING ERRCODE = 'check_violation', HINT = 'Re-rate the risks first.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.organizations_matrix_check() IS
'Trigger: an organization''s risk matrix can only shrink to a size its risks'' inherent, current and residual cells still fit, and only in a READ COMMITTED transaction (the check must see every committed risk).';
