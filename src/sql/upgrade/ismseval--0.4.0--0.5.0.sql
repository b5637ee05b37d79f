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
        -- a result that contradicts the score: not assessed with a score, compliant at the
        -- bottom of the scale, non-compliant at its top
        IF NEW.score IS NOT NULL AND (NEW.result = 'not_assessed'
                                      OR NEW.result = 'compliant' AND NEW.score = q.scale_min
                                      OR NEW.result = 'non_compliant' AND NEW.score = q.scale_max) THEN
            RAISE EXCEPTION 'answer to % has the result % and the score %, which contradict', ref, NEW.result, NEW.score
                USING ERRCODE = 'check_violation',
                      DETAIL = pg_catalog.format('The scale is %s to %s.', q.scale_min, q.scale_max);
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
'Trigger: an answer''s requirement is assessable and of its assessment''s framework; a scored one takes a score on its scale and/or a result that does not contradict it, a yes/no one answer_yes or compliant/non_compliant; fills the result from answer_yes and not_applicable.';
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
    WITH d AS (
        SELECT r.domain_id, pg_catalog.count(*) AS n,
               pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL) AS mean
        FROM @extschema@.assessment_requirement_values(assessment_total_score.assessment_id) r
        GROUP BY r.domain_id
    ), t AS (
        SELECT pg_catalog.sum(r.weight * r.score) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL) AS mean,
               pg_catalog.sum(r.weight * r.percentage) / pg_catalog.sum(r.weight) FILTER (WHERE r.percentage IS NOT NULL) AS pct,
               pg_catalog.count(*) AS n, pg_catalog.count(r.percentage) AS answered,
               pg_catalog.count(*) FILTER (WHERE r.applicable) AS applicable
        FROM @extschema@.assessment_requirement_values(assessment_total_score.assessment_id) r
    ), s AS (
        -- sum over domains of scored requirements x domain mean when every domain has a
        -- mean, else requirements x the mean over all answers
        SELECT COALESCE(CASE WHEN pg_catalog.count(d.mean) = pg_catalog.count(*) THEN pg_catalog.sum(d.n * d.mean) END,
                        (SELECT t.n * t.mean FROM t)) AS total
        FROM d
    )
    SELECT s.total,
           100 * (s.total / t.n - f.scale_min) / (f.scale_max - f.scale_min),
           t.mean, t.pct, t.n, t.answered, t.applicable,
           100 * t.answered::double precision / NULLIF(t.applicable, 0)
    FROM s, t, @extschema@.assessments a JOIN @extschema@.frameworks f ON f.framework_id = a.framework_id
    WHERE a.assessment_id = assessment_total_score.assessment_id;
END;
COMMENT ON FUNCTION @extschema@.assessment_total_score(bigint) IS
'Totals of an assessment: total score = sum over domains of scored requirements in scope x domain mean (or requirements x the mean of all answers while a domain has none), its percentage of the scale, the mean score and percentage of all answers, requirements, answered, applicable and coverage.';

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
-- Column comments and privileges
-- ---------------------------------------------------------------------------

DO $comments$
DECLARE
    c       record;
    missing text;
BEGIN
    FOR c IN
        WITH described(view_name, column_name, description) AS (VALUES
            ('*', 'organization_id', 'Key of the organization (organizations.organization_id).'),
            ('*', 'organization', 'Code of the organization.'),
            ('*', 'framework_id', 'Key of the framework.'),
            ('*', 'framework', 'Code of the framework assessed.'),
            ('*', 'assessment_id', 'Key of the assessment.'),
            ('*', 'assessed_on', 'Date of the assessment.'),
            ('*', 'domain_id', 'Key of the control domain.'),
            ('*', 'domain', 'Code of the control domain.'),
            ('*', 'domain_name', 'Name of the control domain.'),
            ('*', 'display_order', 'Display order of the domain in its framework.'),
            ('*', 'score', 'Mean score of the scored large questions of the domain in the assessment (framework scale); NULL when none is scored.'),
            ('*', 'percentage', 'The score as a percentage of the framework scale: 100 x (score - scale_min) / (scale_max - scale_min).'),
            ('*', 'coverage', 'Coverage in %: 100 x scored large questions / applicable large questions of the domain (not answered not_applicable; unanswered ones count as applicable); NULL when none is applicable.'),
            ('*', 'target', 'Target value.'),
            ('*', 'unit', 'Unit of the KPI values.'),
            ('*', 'direction', 'higher_is_better or lower_is_better.'),
            ('*', 'level', 'Name of a level of the organization''s current risk matrix.'),
            ('*', 'level_rank', '0-based rank of the level (0 = lowest).'),
            ('*', 'color', 'Colour of the level (#RRGGBB).'),

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
            ('risk_history', 'residual_risks', 'Open risks at the month''s end whose residual level (as rated then) has this rank.'),
            ('risk_history', 'open_risks', 'Open risks at the month''s end (per month: repeated on every level row).'),
            ('risk_history', 'outside_tolerance', 'Of them, risks whose residual level was above the tolerance when rated (per month).'),
            ('risk_history', 'opened', 'Risks opened (identified) in the month (per month).'),
            ('risk_history', 'closed', 'Risks closed (deleted) in the month (per month).'),

            ('department_maturity', 'department_id', 'Key of the department.'),
            ('department_maturity', 'department', 'Name of the department.'),
            ('department_maturity', 'assessment_id', 'The department''s latest assessment of the framework.'),
            ('department_maturity', 'target', 'Target maturity of the domain: maturity_targets, else the framework''s default_target.'),
            ('department_maturity', 'gap_to_target', 'score - target (negative: below target).'),
            ('department_maturity', 'company_mean', 'Company-wide mean: mean over the organization''s departments of the domain score of their latest assessment of the framework (each department once).'),
            ('department_maturity', 'gap_to_company', 'score - company_mean (negative: below the company).'),
            ('department_maturity', 'company_departments', 'Departments with a score in the company-wide mean.')
        )
        SELECT cl.relname AS view_name, a.attname AS column_name,
               COALESCE(s.description, g.description) AS description
        FROM pg_catalog.pg_class cl
        JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN described s ON s.view_name = cl.relname AND s.column_name = a.attname
        LEFT JOIN described g ON g.view_name = '*' AND g.column_name = a.attname
        WHERE cl.relnamespace = '@extschema@'::regnamespace AND cl.relkind = 'v'
          AND cl.relname IN ('maturity_history', 'kpi_series', 'risk_history', 'department_maturity')
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

-- Column comments of the views, again with the new columns (view_comments.sql).

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
            ('*', 'peer_count', 'Number of peers with a value; NULL when fewer than ismseval.min_peer_group.'),
            ('*', 'owner', 'Person or role responsible.'),
            ('*', 'target', 'Target value.'),
            ('*', 'unit', 'Unit of the KPI values (%, hours, count, ...).'),
            ('*', 'status', 'red, amber or green (kpi_status: green at attainment >= 1, amber within the amber tolerance, else red); NULL when never measured.'),
            ('*', 'progress_pct', 'Progress from baseline to target in %: 100 x (latest - baseline) / (target - baseline); NULL without baseline or when baseline = target; < 0 regressed, > 100 exceeded.'),
            ('*', 'latest_value', 'The latest measured value.'),
            ('*', 'likelihood', 'Likelihood level, 1 .. size of the matrix''s likelihood scale.'),
            ('*', 'impact', 'Impact level, 1 .. size of the matrix''s impact scale.'),
            ('*', 'domain', 'Code of the control domain (radar axis).'),
            ('*', 'peer_percentile', 'Percentile of the organization among its peers in the latest peer release, mid-rank: 100 x (peers below + 0.5 x peers equal) / peers, of its value at publication; NULL below the minimum peer group (for a tenant: peers it cannot see).'),
            ('*', 'total_score', 'Total score: sum over domains of scored requirements in scope x domain mean (the plain sum when every requirement is answered with a score; a not-applicable one takes its domain''s mean); when a domain has no answer, mean score x number of scored requirements.'),
            ('*', 'mean_score', 'Weighted mean score (framework scale) of the answered scored requirements.'),
            ('*', 'framework_id', 'Key of the framework (frameworks.framework_id).'),
            ('*', 'coverage', 'Coverage in %: 100 x answered / applicable scored requirements in scope (not assessed and unanswered ones count as applicable, not-applicable ones do not); NULL when none is applicable.'),
            ('*', 'total_percentage', 'The total score as a percentage of the scale: 100 x (total / scored requirements - scale_min) / (scale_max - scale_min).'),
            ('*', 'peer_mean_total_percentage', 'peer_mean_total as a percentage of the scale, like total_percentage.'),
            ('*', 'applicable_questions', 'Number of scored requirements in scope not answered not applicable.'),
            ('*', 'peer_mean_total', 'Mean total score of the peers; NULL below the minimum peer group.'),
            ('*', 'deviation_score', 'Deviation score (hensachi) of the total among peers: 50 + 10 x (own - peer mean) / peer population stddev (50 when that is 0); NULL below the minimum peer group.'),
            ('*', 'peer_rank', 'Rank of the total among the organization and its peers in the latest peer release: 1 + peers with a higher total; NULL below the minimum peer group.'),
            ('*', 'peer_figures_as_of', 'When the peer figures of the row were published (release_peer_figures); NULL when there are none: no release yet, or below the minimum peer group.'),
            ('*', 'ranked_organizations', 'Number of organizations ranked: peers + 1; NULL below the minimum peer group.'),

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
            ('risk_register', 'residual_score', 'Residual score = inherent score x (1 - control effectiveness).'),
            ('risk_register', 'residual_level', 'Level of the residual score: the highest level among matrix cells scoring at most the residual score, never above the inherent level.'),
            ('risk_register', 'residual_level_rank', '0-based rank of the residual level.'),
            ('risk_register', 'residual_color', 'Colour of the residual level (#RRGGBB).'),
            ('risk_register', 'tolerance_level', 'The organization''s risk tolerance: the highest accepted level.'),
            ('risk_register', 'within_tolerance', 'True when the residual level is at or below the tolerance level.'),
            ('risk_register', 'treatment', 'Treatment: mitigate, accept, transfer or avoid.'),
            ('risk_register', 'owner', 'Risk owner.'),
            ('risk_register', 'acceptance_expires', 'When the acceptance of an accepted risk expires.'),
            ('risk_register', 'acceptance_expired', 'True when the risk is accepted and its acceptance expired before today.'),
            ('risk_register', 'identified_on', 'Date the risk was identified.'),

            ('risk_heatmap', 'score', 'Score of the cell = likelihood x impact.'),
            ('risk_heatmap', 'level', 'Level of the cell in the organization''s risk matrix.'),
            ('risk_heatmap', 'level_rank', '0-based rank of the level (0 = lowest).'),
            ('risk_heatmap', 'color', 'Colour of the level (#RRGGBB).'),
            ('risk_heatmap', 'risk_count', 'Number of the organization''s risks rated in this cell (inherent rating); 0 when none.'),

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
            ('maturity_by_domain', 'peer_score', 'Mean over the peers of their domain means (latest assessment of the same framework); NULL below the minimum peer group.'),
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
            ('question_peer_rate', 'peer_rate_pct', 'Peer implementation rate: 100 x peers answering yes / peers answering yes or no; NULL below the minimum peer group.'),

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

            ('management_review', 'framework', 'Framework of the organization''s most recent assessment.'),
            ('management_review', 'assessed_on', 'Date of the most recent organization-wide assessment.'),
            ('management_review', 'peer_count', 'Number of peers in the benchmark; NULL below the minimum peer group.'),
            ('management_review', 'weakest_domain', 'Domain with the lowest own score (first in display order on ties).'),
            ('management_review', 'domains_below_target', 'Domains whose own score is below target.'),
            ('management_review', 'domains_below_peers', 'Domains whose own score is below the peers'' mean.'),
            ('management_review', 'risks', 'Risks in the register.'),
            ('management_review', 'risks_outside_tolerance', 'Risks whose residual level is above the tolerance level.'),
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
            ('risk_history', 'residual_risks', 'Open risks at the month''s end whose residual level (as rated then) has this rank.'),
            ('risk_history', 'open_risks', 'Open risks at the month''s end (per month: repeated on every level row).'),
            ('risk_history', 'outside_tolerance', 'Of them, risks whose residual level was above the tolerance when rated (per month).'),
            ('risk_history', 'opened', 'Risks opened (identified) in the month (per month).'),
            ('risk_history', 'closed', 'Risks closed (deleted) in the month (per month).'),

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

-- Column comments of the views, again: the recreated views and in_peer_release (view_comments.sql).

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
            ('risk_register', 'residual_score', 'Residual score = inherent score x (1 - control effectiveness).'),
            ('risk_register', 'residual_level', 'Level of the residual score: the highest level among matrix cells scoring at most the residual score, never above the inherent level.'),
            ('risk_register', 'residual_level_rank', '0-based rank of the residual level.'),
            ('risk_register', 'residual_color', 'Colour of the residual level (#RRGGBB).'),
            ('risk_register', 'tolerance_level', 'The organization''s risk tolerance: the highest accepted level.'),
            ('risk_register', 'within_tolerance', 'True when the residual level is at or below the tolerance level.'),
            ('risk_register', 'treatment', 'Treatment: mitigate, accept, transfer or avoid.'),
            ('risk_register', 'owner', 'Risk owner.'),
            ('risk_register', 'acceptance_expires', 'When the acceptance of an accepted risk expires.'),
            ('risk_register', 'acceptance_expired', 'True when the risk is accepted and its acceptance expired before today.'),
            ('risk_register', 'identified_on', 'Date the risk was identified.'),

            ('risk_heatmap', 'score', 'Score of the cell = likelihood x impact.'),
            ('risk_heatmap', 'level', 'Level of the cell in the organization''s risk matrix.'),
            ('risk_heatmap', 'level_rank', '0-based rank of the level (0 = lowest).'),
            ('risk_heatmap', 'color', 'Colour of the level (#RRGGBB).'),
            ('risk_heatmap', 'risk_count', 'Number of the organization''s risks rated in this cell (inherent rating); 0 when none.'),

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

            ('management_review', 'framework', 'Framework of the organization''s most recent assessment.'),
            ('management_review', 'assessed_on', 'Date of the most recent organization-wide assessment.'),
            ('management_review', 'peer_count', 'Number of peers in the benchmark (when in_peer_release is false: all the group''s members in the latest peer release); NULL below the minimum peer group.'),
            ('management_review', 'weakest_domain', 'Domain with the lowest own score (first in display order on ties).'),
            ('management_review', 'domains_below_target', 'Domains whose own score is below target.'),
            ('management_review', 'domains_below_peers', 'Domains whose own score is below the peers'' mean.'),
            ('management_review', 'risks', 'Risks in the register.'),
            ('management_review', 'risks_outside_tolerance', 'Risks whose residual level is above the tolerance level.'),
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
            ('risk_history', 'residual_risks', 'Open risks at the month''s end whose residual level (as rated then) has this rank.'),
            ('risk_history', 'open_risks', 'Open risks at the month''s end (per month: repeated on every level row).'),
            ('risk_history', 'outside_tolerance', 'Of them, risks whose residual level was above the tolerance when rated (per month).'),
            ('risk_history', 'opened', 'Risks opened (identified) in the month (per month).'),
            ('risk_history', 'closed', 'Risks closed (deleted) in the month (per month).'),

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
