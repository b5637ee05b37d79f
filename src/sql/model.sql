-- The GRC reference data model: organizations, frameworks and
-- assessments, assets and risks, KPIs and objectives, incidents and
-- nonconformities. Every table is registered with pg_extension_config_dump so
-- that pg_dump keeps the user's rows; catalogue tables that ship preloaded rows
-- (frameworks, control_domains, questions, threats) dump only WHERE NOT preloaded.
--
-- Conventions: surrogate keys are bigserial; preloaded catalogue rows have
-- fixed ids <= 100000 and user rows come from sequences starting at 100001, so a
-- later version can add preloaded rows without colliding with restored user
-- rows. Child rows of an organization carry organization_id, and composite
-- foreign keys (organization_id, x_id) keep them within one organization.
-- Rules that need another row (scales, matrix sizes, framework of a question)
-- are enforced by triggers raising 23514 check_violation with a clear message.

-- The working group's 4 x 4 matrix (likelihood 1 hardly ever .. 4 has happened
-- here; impact 1 hardly any .. 4 severe); the level of a cell follows its score
-- likelihood x impact: 1-2 low, 3-4 medium, 6-8 high, 9-16 critical.
CREATE FUNCTION @extschema@.default_risk_matrix()
RETURNS @extschema@.risk_matrix
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.risk_matrix_from_jsonb('{
  "probability": [{"abbreviation": "1", "name": "hardly ever"},
                  {"abbreviation": "2", "name": "possible"},
                  {"abbreviation": "3", "name": "has happened at other companies"},
                  {"abbreviation": "4", "name": "has happened here"}],
  "impact": [{"abbreviation": "1", "name": "hardly any"},
             {"abbreviation": "2", "name": "some"},
             {"abbreviation": "3", "name": "large"},
             {"abbreviation": "4", "name": "severe"}],
  "risk": [{"name": "low", "hexcolor": "#2E7D32"},
           {"name": "medium", "hexcolor": "#F9A825"},
           {"name": "high", "hexcolor": "#EF6C00"},
           {"name": "critical", "hexcolor": "#C62828"}],
  "grid": [[0, 0, 1, 1], [0, 1, 2, 2], [1, 2, 3, 3], [1, 2, 3, 3]]
}'::jsonb);
COMMENT ON FUNCTION @extschema@.default_risk_matrix() IS
'The default risk matrix of an organization: 4 x 4 (working group scales), levels low/medium/high/critical by score 1-2/3-4/6-8/9-16.';

-- Rejects UPDATE and DELETE of preloaded catalogue rows.
CREATE FUNCTION @extschema@.reject_preloaded_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    RAISE EXCEPTION 'preloaded row of %.% cannot be changed or deleted', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'check_violation',
              HINT = 'Preloaded catalogue rows ship with the extension; add your own rows instead.';
END
$$;
COMMENT ON FUNCTION @extschema@.reject_preloaded_change() IS
'Trigger: preloaded catalogue rows (preloaded = true) are read-only.';

-- ---------------------------------------------------------------------------
-- Organizations and departments
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.organizations (
    organization_id bigserial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code <> ''),
    name            text NOT NULL CHECK (name <> ''),
    core_business   text NOT NULL
        CONSTRAINT organizations_core_business_known
        CHECK (core_business IN ('regulated', 'planning-competitive', 'mass-production')),
    industry        text,
    size_band       text NOT NULL
        CONSTRAINT organizations_size_band_known
        CHECK (size_band IN ('small', 'medium', 'large', 'enterprise')),
    risk_matrix     @extschema@.risk_matrix NOT NULL DEFAULT @extschema@.default_risk_matrix(),
    risk_tolerance  text NOT NULL DEFAULT 'medium',
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- risk_level_rank raises 22023 naming the level when it is not one of the matrix
    CONSTRAINT organizations_tolerance_is_a_matrix_level
        CHECK (@extschema@.risk_level_rank(risk_matrix, risk_tolerance) >= 0)
);
CREATE INDEX organizations_peer_group_idx ON @extschema@.organizations (core_business, size_band);
COMMENT ON TABLE @extschema@.organizations IS
'Organizations (tenants). core_business and size_band define the peer group.';
COMMENT ON COLUMN @extschema@.organizations.core_business IS
'regulated (integrity first), planning-competitive (confidentiality first) or mass-production (availability first).';
COMMENT ON COLUMN @extschema@.organizations.size_band IS
'small (< 50 staff), medium (50-299), large (300-999) or enterprise (1000+).';
COMMENT ON COLUMN @extschema@.organizations.risk_matrix IS
'The organization''s risk matrix; risks are rated on its likelihood and impact scales.';
COMMENT ON COLUMN @extschema@.organizations.risk_tolerance IS
'The highest level of the risk matrix the organization accepts (risk appetite).';

CREATE TABLE @extschema@.departments (
    department_id   bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    parent_id       bigint,
    name            text NOT NULL CHECK (name <> ''),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (organization_id, name),
    UNIQUE (organization_id, department_id),
    CONSTRAINT departments_parent_in_same_organization
        FOREIGN KEY (organization_id, parent_id)
        REFERENCES @extschema@.departments (organization_id, department_id) ON DELETE CASCADE,
    CONSTRAINT departments_not_own_parent CHECK (parent_id <> department_id)
);
CREATE INDEX departments_parent_idx ON @extschema@.departments (organization_id, parent_id);
COMMENT ON TABLE @extschema@.departments IS
'Departments of an organization; parent_id (same organization) builds the hierarchy.';

-- ---------------------------------------------------------------------------
-- Frameworks, control domains, questions; assessments and answers
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.frameworks (
    framework_id    bigserial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code <> ''),
    name            text NOT NULL,
    version         text,
    scale_min       integer NOT NULL DEFAULT 1,
    scale_max       integer NOT NULL DEFAULT 4,
    default_target  double precision NOT NULL DEFAULT 3,
    preloaded       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    urn             text UNIQUE CHECK (urn <> ''),
    ref_id          text,
    description     text,
    provider        text,
    translations    jsonb,
    score_labels    jsonb,
    domain_level    integer NOT NULL DEFAULT 1
        CONSTRAINT frameworks_domain_level_positive CHECK (domain_level BETWEEN 1 AND 100),
    compliant_pct   double precision NOT NULL DEFAULT 100,
    partially_compliant_pct double precision NOT NULL DEFAULT 50,
    non_compliant_pct double precision NOT NULL DEFAULT 0,
    CONSTRAINT frameworks_scale_valid
        CHECK (scale_min < scale_max AND scale_min >= -1000000 AND scale_max <= 1000000),
    CONSTRAINT frameworks_target_on_scale CHECK (default_target BETWEEN scale_min AND scale_max),
    CONSTRAINT frameworks_preloaded_id_range CHECK (preloaded = (framework_id <= 100000)),
    CONSTRAINT frameworks_result_pcts_ordered
        CHECK (0 <= non_compliant_pct AND non_compliant_pct <= partially_compliant_pct
               AND partially_compliant_pct <= compliant_pct AND compliant_pct <= 100),
    CONSTRAINT frameworks_score_labels_array
        CHECK (score_labels IS NULL OR pg_catalog.jsonb_typeof(score_labels) = 'array')
);
ALTER SEQUENCE @extschema@.frameworks_framework_id_seq RESTART WITH 100001;
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

CREATE TABLE @extschema@.control_domains (
    domain_id       bigserial PRIMARY KEY,
    framework_id    bigint NOT NULL REFERENCES @extschema@.frameworks ON DELETE CASCADE,
    code            text NOT NULL CHECK (code <> ''),
    name            text NOT NULL,
    description     text,
    display_order   integer NOT NULL,
    preloaded       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (framework_id, code),
    UNIQUE (framework_id, display_order),
    UNIQUE (framework_id, domain_id),
    CONSTRAINT control_domains_preloaded_id_range CHECK (preloaded = (domain_id <= 100000))
);
ALTER SEQUENCE @extschema@.control_domains_domain_id_seq RESTART WITH 100001;
COMMENT ON TABLE @extschema@.control_domains IS
'Control domains of a framework: the axes of the maturity radar, in display_order.';

CREATE TABLE @extschema@.questions (
    question_id     bigserial PRIMARY KEY,
    framework_id    bigint NOT NULL,
    domain_id       bigint,
    parent_id       bigint,
    code            text NOT NULL CHECK (code <> ''),
    text            text NOT NULL,
    display_order   integer NOT NULL DEFAULT 0,
    preloaded       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    urn             text UNIQUE CHECK (urn <> ''),
    ref_id          text,
    name            text,
    description     text,
    assessable      boolean NOT NULL DEFAULT true,
    answer_kind     text NOT NULL
        CONSTRAINT questions_answer_kind_known CHECK (answer_kind IN ('score', 'yes_no')),
    depth           integer NOT NULL CHECK (depth >= 1),
    weight          double precision NOT NULL DEFAULT 1
        CONSTRAINT questions_weight_positive CHECK (weight > 0 AND weight < 'Infinity'),
    score_min       integer,
    score_max       integer,
    implementation_groups text[],
    translations    jsonb,
    scored          boolean GENERATED ALWAYS AS (assessable AND answer_kind = 'score') STORED,
    UNIQUE (framework_id, code),
    UNIQUE (framework_id, question_id),
    CONSTRAINT questions_domain_of_same_framework
        FOREIGN KEY (framework_id, domain_id)
        REFERENCES @extschema@.control_domains (framework_id, domain_id) ON DELETE CASCADE,
    CONSTRAINT questions_parent_of_same_framework
        FOREIGN KEY (framework_id, parent_id)
        REFERENCES @extschema@.questions (framework_id, question_id) ON DELETE CASCADE,
    CONSTRAINT questions_not_own_parent CHECK (parent_id <> question_id),
    CONSTRAINT questions_preloaded_id_range CHECK (preloaded = (question_id <= 100000)),
    CONSTRAINT questions_score_range_valid
        CHECK (pg_catalog.num_nulls(score_min, score_max) IN (0, 2) AND score_min < score_max
               AND score_min >= -1000000 AND score_max <= 1000000)
);
ALTER SEQUENCE @extschema@.questions_question_id_seq RESTART WITH 100001;
CREATE INDEX questions_domain_idx ON @extschema@.questions (domain_id, scored);
CREATE INDEX questions_parent_idx ON @extschema@.questions (parent_id);
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
CREATE TRIGGER questions_check BEFORE INSERT OR UPDATE ON @extschema@.questions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.questions_check();

CREATE TABLE @extschema@.assessments (
    assessment_id   bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    department_id   bigint,
    framework_id    bigint NOT NULL REFERENCES @extschema@.frameworks,
    assessed_on     date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    implementation_groups text[],
    CONSTRAINT assessments_one_per_day
        UNIQUE NULLS NOT DISTINCT (organization_id, framework_id, department_id, assessed_on),
    CONSTRAINT assessments_department_of_same_organization
        FOREIGN KEY (organization_id, department_id)
        REFERENCES @extschema@.departments (organization_id, department_id) ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.assessments IS
'A self-assessment of an organization (department_id NULL) or of one department against a framework on a date.';
COMMENT ON COLUMN @extschema@.assessments.implementation_groups IS
'The implementation groups in scope (codes); NULL = every requirement of the framework. A requirement is in scope when it belongs to one of them.';

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

CREATE TABLE @extschema@.answers (
    assessment_id   bigint NOT NULL REFERENCES @extschema@.assessments ON DELETE CASCADE,
    question_id     bigint NOT NULL REFERENCES @extschema@.questions ON DELETE CASCADE,
    score           integer,
    answer_yes      boolean,
    not_applicable  boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    result          text
        CONSTRAINT answers_result_known
        CHECK (result IN ('compliant', 'partially_compliant', 'non_compliant', 'not_assessed', 'not_applicable')),
    PRIMARY KEY (assessment_id, question_id),
    CONSTRAINT answers_not_applicable_has_no_value
        CHECK (NOT not_applicable OR (score IS NULL AND answer_yes IS NULL))
);
CREATE INDEX answers_question_idx ON @extschema@.answers (question_id);
COMMENT ON TABLE @extschema@.answers IS
'Answers to assessable requirement nodes: a score on the node''s scale and/or a result for a scored node, yes/no (or the result compliant / non_compliant) for a yes/no node, or not applicable.';
COMMENT ON COLUMN @extschema@.answers.result IS
'compliant, partially_compliant, non_compliant, not_assessed or not_applicable (CISO Assistant''s results); filled from the score, answer_yes or not_applicable when not given.';

-- Checks an answer against its requirement and its assessment's framework, fills the result
-- a score, answer_yes or not_applicable implies and rejects a result that contradicts them.
CREATE FUNCTION @extschema@.answers_check()
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
CREATE TRIGGER answers_check BEFORE INSERT OR UPDATE ON @extschema@.answers
    FOR EACH ROW EXECUTE FUNCTION @extschema@.answers_check();

CREATE TABLE @extschema@.maturity_targets (
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    domain_id       bigint NOT NULL REFERENCES @extschema@.control_domains ON DELETE CASCADE,
    target          double precision NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (organization_id, domain_id)
);
COMMENT ON TABLE @extschema@.maturity_targets IS
'An organization''s own target maturity for a domain (overrides frameworks.default_target).';

-- Checks a maturity target against its framework's scale.
CREATE FUNCTION @extschema@.maturity_targets_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    f   record;
BEGIN
    SELECT fw.code, fw.scale_min, fw.scale_max, d.code AS domain INTO f
    FROM @extschema@.control_domains d JOIN @extschema@.frameworks fw USING (framework_id)
    WHERE d.domain_id = NEW.domain_id;
    IF f.code IS NOT NULL AND NOT (NEW.target BETWEEN f.scale_min AND f.scale_max) THEN
        RAISE EXCEPTION 'target of domain % must be between % and % (framework %), got %',
            f.domain, f.scale_min, f.scale_max, f.code, NEW.target
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.maturity_targets_check() IS
'Trigger: a maturity target lies on its framework''s scale.';
CREATE TRIGGER maturity_targets_check BEFORE INSERT OR UPDATE ON @extschema@.maturity_targets
    FOR EACH ROW EXECUTE FUNCTION @extschema@.maturity_targets_check();

-- ---------------------------------------------------------------------------
-- Assets, threats, risks
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.threats (
    threat_id       bigserial PRIMARY KEY,
    organization_id bigint REFERENCES @extschema@.organizations ON DELETE CASCADE,
    code            text NOT NULL CHECK (code <> ''),
    category        text NOT NULL
        CONSTRAINT threats_category_known CHECK (category IN ('physical', 'information-system', 'other')),
    name            text NOT NULL,
    description     text,
    preloaded       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT threats_code_unique UNIQUE NULLS NOT DISTINCT (organization_id, code),
    CONSTRAINT threats_preloaded_id_range CHECK (preloaded = (threat_id <= 100000)),
    CONSTRAINT threats_preloaded_are_shared CHECK (NOT preloaded OR organization_id IS NULL)
);
ALTER SEQUENCE @extschema@.threats_threat_id_seq RESTART WITH 100001;
COMMENT ON TABLE @extschema@.threats IS
'Threat catalogue: shared rows (organization_id NULL, including the preloaded ones) and an organization''s own threats.';

CREATE TABLE @extschema@.assets (
    asset_id        bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    department_id   bigint,
    name            text NOT NULL CHECK (name <> ''),
    information_type text NOT NULL,
    location        text NOT NULL
        CONSTRAINT assets_location_known
        CHECK (location IN ('server', 'terminal', 'network', 'media', 'mobile', 'paper')),
    confidentiality integer NOT NULL CONSTRAINT assets_confidentiality_1_to_5 CHECK (confidentiality BETWEEN 1 AND 5),
    integrity       integer NOT NULL CONSTRAINT assets_integrity_1_to_5 CHECK (integrity BETWEEN 1 AND 5),
    availability    integer NOT NULL CONSTRAINT assets_availability_1_to_5 CHECK (availability BETWEEN 1 AND 5),
    asset_value     integer GENERATED ALWAYS AS (greatest(confidentiality, integrity, availability)) STORED,
    owner           text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (organization_id, name),
    UNIQUE (organization_id, asset_id),
    CONSTRAINT assets_department_of_same_organization
        FOREIGN KEY (organization_id, department_id)
        REFERENCES @extschema@.departments (organization_id, department_id) ON DELETE SET NULL (department_id)
);
COMMENT ON TABLE @extschema@.assets IS
'Information assets: what information, where it lives, and its C/I/A ratings (1-5); asset_value = max(C, I, A).';

CREATE TABLE @extschema@.risks (
    risk_id         bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    asset_id        bigint,
    threat_id       bigint REFERENCES @extschema@.threats,
    title           text NOT NULL CHECK (title <> ''),
    likelihood      integer NOT NULL,
    impact          integer NOT NULL,
    control_effectiveness double precision NOT NULL DEFAULT 0
        CONSTRAINT risks_control_effectiveness_0_to_1
        CHECK (control_effectiveness >= 0 AND control_effectiveness <= 1),
    treatment       text NOT NULL DEFAULT 'mitigate'
        CONSTRAINT risks_treatment_known
        CHECK (treatment IN ('open', 'mitigate', 'accept', 'transfer', 'avoid', 'cancelled')),
    owner           text,
    acceptance_expires date,
    identified_on   date NOT NULL DEFAULT CURRENT_DATE,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- quantified risk: a risk's frequency and 90 % loss interval, inherent and residual, and
    -- the cost of its treatment; all NULL for a risk that is not quantified
    inherent_frequency double precision
        CONSTRAINT risks_inherent_frequency_range
        CHECK (inherent_frequency >= 0 AND inherent_frequency <= 10000),
    inherent_loss_low double precision,
    inherent_loss_high double precision,
    residual_frequency double precision
        CONSTRAINT risks_residual_frequency_range
        CHECK (residual_frequency >= 0 AND residual_frequency <= 10000),
    residual_loss_low double precision,
    residual_loss_high double precision,
    treatment_cost double precision
        CONSTRAINT risks_treatment_cost_range
        CHECK (treatment_cost >= 0 AND treatment_cost < 'Infinity'),
    -- the current and residual cells on the organization's matrix (risks_check), NULL when not
    -- rated, and the strength of knowledge behind the rating (CISO Assistant's 0 low .. 2 high)
    current_likelihood integer,
    current_impact  integer,
    residual_likelihood integer,
    residual_impact integer,
    strength_of_knowledge integer
        CONSTRAINT risks_strength_of_knowledge_0_to_2 CHECK (strength_of_knowledge BETWEEN 0 AND 2),
    -- quantified risk (quant_risk.sql); NaN compares above every number in SQL, so these
    -- reject NaN and infinity too
    CONSTRAINT risks_inherent_loss_interval
        CHECK (inherent_loss_low > 0 AND inherent_loss_high > inherent_loss_low
               AND inherent_loss_high < 'Infinity'),
    CONSTRAINT risks_residual_loss_interval
        CHECK (residual_loss_low > 0 AND residual_loss_high > residual_loss_low
               AND residual_loss_high < 'Infinity'),
    CONSTRAINT risks_inherent_quantified_together
        CHECK (pg_catalog.num_nulls(inherent_frequency, inherent_loss_low, inherent_loss_high) IN (0, 3)),
    CONSTRAINT risks_residual_quantified_together
        CHECK (pg_catalog.num_nulls(residual_frequency, residual_loss_low, residual_loss_high) IN (0, 3)),
    CONSTRAINT risks_residual_needs_inherent
        CHECK (residual_frequency IS NULL OR inherent_frequency IS NOT NULL),
    CONSTRAINT risks_current_cell_both_or_none
        CHECK ((current_likelihood IS NULL) = (current_impact IS NULL)),
    CONSTRAINT risks_residual_cell_both_or_none
        CHECK ((residual_likelihood IS NULL) = (residual_impact IS NULL)),
    CONSTRAINT risks_asset_of_same_organization
        FOREIGN KEY (organization_id, asset_id)
        REFERENCES @extschema@.assets (organization_id, asset_id) ON DELETE CASCADE,
    CONSTRAINT risks_accepted_risk_has_owner_and_expiry
        CHECK (treatment <> 'accept' OR (owner IS NOT NULL AND acceptance_expires IS NOT NULL))
);
CREATE INDEX risks_cell_idx ON @extschema@.risks (organization_id, likelihood, impact);
CREATE INDEX risks_asset_idx ON @extschema@.risks (asset_id);
CREATE INDEX risks_threat_idx ON @extschema@.risks (threat_id);
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

-- Checks a risk's ratings against its organization's matrix and its threat's owner. Under
-- row-level security a threat the caller cannot see is reported like one that does not
-- exist (the foreign key sees every row, so another tenant's private threat would pass).
CREATE FUNCTION @extschema@.risks_check()
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
CREATE TRIGGER risks_check BEFORE INSERT OR UPDATE ON @extschema@.risks
    FOR EACH ROW EXECUTE FUNCTION @extschema@.risks_check();

-- Rejects a new risk matrix that existing risks of the organization do not fit.
CREATE FUNCTION @extschema@.organizations_matrix_check()
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
CREATE TRIGGER organizations_matrix_check BEFORE UPDATE OF risk_matrix ON @extschema@.organizations
    FOR EACH ROW EXECUTE FUNCTION @extschema@.organizations_matrix_check();

-- ---------------------------------------------------------------------------
-- KPIs, measurements, objectives
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.kpis (
    kpi_id          bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    code            text NOT NULL CHECK (code <> ''),
    name            text NOT NULL,
    direction       @extschema@.kpi_direction NOT NULL,
    unit            text NOT NULL DEFAULT '',
    target          double precision NOT NULL
        CONSTRAINT kpis_target_finite CHECK (target NOT IN ('NaN', 'Infinity', '-Infinity')),
    baseline        double precision
        CONSTRAINT kpis_baseline_finite CHECK (baseline NOT IN ('NaN', 'Infinity', '-Infinity')),
    amber_tolerance double precision NOT NULL DEFAULT 0.1
        CONSTRAINT kpis_amber_tolerance_0_to_1 CHECK (amber_tolerance >= 0 AND amber_tolerance <= 1),
    frequency_days  integer NOT NULL DEFAULT 30
        CONSTRAINT kpis_frequency_days_1_to_3660 CHECK (frequency_days BETWEEN 1 AND 3660),
    owner           text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (organization_id, code),
    UNIQUE (organization_id, kpi_id),
    -- kpi_attainment needs a positive target to be better higher; zero is a target only lower
    CONSTRAINT kpis_target_positive_or_zero_when_lower_is_better
        CHECK (target > 0 OR (direction = 'lower_is_better' AND target = 0))
);
COMMENT ON TABLE @extschema@.kpis IS
'KPIs: direction, unit, target, baseline, amber tolerance and measurement frequency in days (30 monthly, 91 quarterly).';

CREATE TABLE @extschema@.kpi_measurements (
    kpi_id          bigint NOT NULL
        CONSTRAINT kpi_measurements_of_a_known_kpi REFERENCES @extschema@.kpis ON DELETE CASCADE,
    measured_on     date NOT NULL,
    value           double precision NOT NULL
        CONSTRAINT kpi_measurements_value_finite_and_nonnegative
        CHECK (value >= 0 AND value < 'Infinity'),
    note            text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (kpi_id, measured_on)
);
COMMENT ON TABLE @extschema@.kpi_measurements IS
'KPI values: one per KPI and date (the day the period''s value was taken).';

CREATE TABLE @extschema@.objectives (
    objective_id    bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    kpi_id          bigint NOT NULL,
    title           text NOT NULL CHECK (title <> ''),
    owner           text NOT NULL,
    set_on          date NOT NULL DEFAULT CURRENT_DATE,
    due_on          date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT objectives_kpi_of_same_organization
        FOREIGN KEY (organization_id, kpi_id)
        REFERENCES @extschema@.kpis (organization_id, kpi_id) ON DELETE CASCADE,
    CONSTRAINT objectives_due_not_before_set CHECK (due_on >= set_on)
);
CREATE INDEX objectives_org_idx ON @extschema@.objectives (organization_id);
CREATE INDEX objectives_kpi_idx ON @extschema@.objectives (kpi_id);
COMMENT ON TABLE @extschema@.objectives IS
'Information security objectives (ISO/IEC 27001 6.2): measured by a KPI, with an owner and a due date.';

-- ---------------------------------------------------------------------------
-- Incidents, nonconformities, corrective actions
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.incidents (
    incident_id     bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    department_id   bigint,
    title           text NOT NULL CHECK (title <> ''),
    category        text,
    occurred_at     timestamptz NOT NULL,
    detected_at     timestamptz,
    reported_at     timestamptz,
    resolved_at     timestamptz,
    severity        integer NOT NULL CONSTRAINT incidents_severity_1_to_4 CHECK (severity BETWEEN 1 AND 4),
    leakage_risk    integer CONSTRAINT incidents_leakage_risk_1_to_4 CHECK (leakage_risk BETWEEN 1 AND 4),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (organization_id, incident_id),
    CONSTRAINT incidents_department_of_same_organization
        FOREIGN KEY (organization_id, department_id)
        REFERENCES @extschema@.departments (organization_id, department_id) ON DELETE SET NULL (department_id),
    CONSTRAINT incidents_detected_not_before_occurred CHECK (detected_at >= occurred_at),
    CONSTRAINT incidents_reported_not_before_detected CHECK (reported_at >= detected_at),
    CONSTRAINT incidents_resolved_not_before_occurred CHECK (resolved_at >= occurred_at),
    CONSTRAINT incidents_resolved_not_before_detected CHECK (resolved_at >= detected_at),
    CONSTRAINT incidents_reported_or_resolved_only_when_detected
        CHECK (detected_at IS NOT NULL OR (reported_at IS NULL AND resolved_at IS NULL))
);
CREATE INDEX incidents_org_month_idx ON @extschema@.incidents (organization_id, occurred_at);
COMMENT ON TABLE @extschema@.incidents IS
'Security incidents: occurred, detected, reported (to the ISMS), resolved; severity 1 minor .. 4 critical; leakage risk 1-4.';

CREATE TABLE @extschema@.nonconformities (
    nonconformity_id bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    source          text NOT NULL
        CONSTRAINT nonconformities_source_known
        CHECK (source IN ('internal-audit', 'external-audit', 'incident', 'management-review',
                          'monitoring', 'complaint', 'other')),
    incident_id     bigint,
    description     text NOT NULL CHECK (description <> ''),
    severity        text NOT NULL DEFAULT 'minor'
        CONSTRAINT nonconformities_severity_known CHECK (severity IN ('observation', 'minor', 'major')),
    owner           text NOT NULL,
    raised_on       date NOT NULL,
    due_on          date,
    closed_on       date,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (organization_id, nonconformity_id),
    CONSTRAINT nonconformities_incident_of_same_organization
        FOREIGN KEY (organization_id, incident_id)
        REFERENCES @extschema@.incidents (organization_id, incident_id) ON DELETE SET NULL (incident_id),
    CONSTRAINT nonconformities_due_not_before_raised CHECK (due_on >= raised_on),
    CONSTRAINT nonconformities_closed_not_before_raised CHECK (closed_on >= raised_on)
);
COMMENT ON TABLE @extschema@.nonconformities IS
'Nonconformities (ISO/IEC 27001 10.2): source, owner, due and closing dates.';

CREATE TABLE @extschema@.corrective_actions (
    action_id       bigserial PRIMARY KEY,
    organization_id bigint NOT NULL,
    nonconformity_id bigint NOT NULL,
    description     text NOT NULL CHECK (description <> ''),
    owner           text NOT NULL,
    opened_on       date NOT NULL DEFAULT CURRENT_DATE,
    due_on          date NOT NULL,
    closed_on       date,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT corrective_actions_of_a_nonconformity_of_same_organization
        FOREIGN KEY (organization_id, nonconformity_id)
        REFERENCES @extschema@.nonconformities (organization_id, nonconformity_id) ON DELETE CASCADE,
    CONSTRAINT corrective_actions_due_not_before_opened CHECK (due_on >= opened_on),
    CONSTRAINT corrective_actions_closed_not_before_opened CHECK (closed_on >= opened_on)
);
CREATE INDEX corrective_actions_nc_idx ON @extschema@.corrective_actions (organization_id, nonconformity_id);
COMMENT ON TABLE @extschema@.corrective_actions IS
'Corrective actions of a nonconformity: owner, due and closing dates.';

-- ---------------------------------------------------------------------------
-- pg_dump: user rows of every table, and the sequences behind their keys.
-- ---------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('@extschema@.organizations', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.organizations_organization_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.departments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.departments_department_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.frameworks', 'WHERE NOT preloaded');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.frameworks_framework_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.control_domains', 'WHERE NOT preloaded');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.control_domains_domain_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.questions', 'WHERE NOT preloaded');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.questions_question_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.assessments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.assessments_assessment_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.answers', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.maturity_targets', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.threats', 'WHERE NOT preloaded');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.threats_threat_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.assets', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.assets_asset_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risks', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risks_risk_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.kpis', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.kpis_kpi_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.kpi_measurements', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.objectives', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.objectives_objective_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.incidents', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.incidents_incident_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.nonconformities', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.nonconformities_nonconformity_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.corrective_actions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.corrective_actions_action_id_seq', '');
