-- generated from src/sql/ by the Makefile; edit the fragments
\echo Use "ALTER EXTENSION ismseval UPDATE TO '0.3.0'" to load this file. \quit

-- src/sql/model.sql
-- The GRC reference data model (issue 4): organizations, frameworks and
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
LANGUAGE plpgsql AS
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
    CONSTRAINT frameworks_scale_valid CHECK (scale_min >= 0 AND scale_min < scale_max AND scale_max <= 100),
    CONSTRAINT frameworks_target_on_scale CHECK (default_target BETWEEN scale_min AND scale_max),
    CONSTRAINT frameworks_preloaded_id_range CHECK (preloaded = (framework_id <= 100000))
);
ALTER SEQUENCE @extschema@.frameworks_framework_id_seq RESTART WITH 100001;
COMMENT ON TABLE @extschema@.frameworks IS
'Control frameworks / questionnaires. Large questions are scored on scale_min..scale_max.';
COMMENT ON COLUMN @extschema@.frameworks.default_target IS
'The target maturity for every domain unless maturity_targets says otherwise.';
COMMENT ON COLUMN @extschema@.frameworks.preloaded IS
'True for rows shipped with the extension (ids <= 100000); pg_dump skips them.';

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
    domain_id       bigint NOT NULL,
    parent_id       bigint,
    code            text NOT NULL CHECK (code <> ''),
    text            text NOT NULL,
    display_order   integer NOT NULL DEFAULT 0,
    is_large        boolean GENERATED ALWAYS AS (parent_id IS NULL) STORED,
    parent_is_large boolean GENERATED ALWAYS AS (CASE WHEN parent_id IS NOT NULL THEN true END) STORED,
    preloaded       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (framework_id, code),
    UNIQUE (framework_id, question_id),
    UNIQUE (framework_id, domain_id, question_id, is_large),
    CONSTRAINT questions_domain_of_same_framework
        FOREIGN KEY (framework_id, domain_id)
        REFERENCES @extschema@.control_domains (framework_id, domain_id) ON DELETE CASCADE,
    CONSTRAINT questions_parent_is_large_question_of_same_domain
        FOREIGN KEY (framework_id, domain_id, parent_id, parent_is_large)
        REFERENCES @extschema@.questions (framework_id, domain_id, question_id, is_large) ON DELETE CASCADE,
    CONSTRAINT questions_preloaded_id_range CHECK (preloaded = (question_id <= 100000))
);
ALTER SEQUENCE @extschema@.questions_question_id_seq RESTART WITH 100001;
CREATE INDEX questions_domain_idx ON @extschema@.questions (domain_id, is_large);
CREATE INDEX questions_parent_idx ON @extschema@.questions (parent_id);
COMMENT ON TABLE @extschema@.questions IS
'Questions: large questions (parent_id NULL) are scored on the framework scale; small questions (parent_id = a large question of the same domain) are answered yes/no.';

CREATE TABLE @extschema@.assessments (
    assessment_id   bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES @extschema@.organizations ON DELETE CASCADE,
    department_id   bigint,
    framework_id    bigint NOT NULL REFERENCES @extschema@.frameworks,
    assessed_on     date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT assessments_one_per_day
        UNIQUE NULLS NOT DISTINCT (organization_id, framework_id, department_id, assessed_on),
    CONSTRAINT assessments_department_of_same_organization
        FOREIGN KEY (organization_id, department_id)
        REFERENCES @extschema@.departments (organization_id, department_id) ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.assessments IS
'A self-assessment of an organization (department_id NULL) or of one department against a framework on a date.';

CREATE TABLE @extschema@.answers (
    assessment_id   bigint NOT NULL REFERENCES @extschema@.assessments ON DELETE CASCADE,
    question_id     bigint NOT NULL REFERENCES @extschema@.questions ON DELETE CASCADE,
    score           integer,
    answer_yes      boolean,
    not_applicable  boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (assessment_id, question_id),
    CONSTRAINT answers_not_applicable_has_no_value
        CHECK (NOT not_applicable OR (score IS NULL AND answer_yes IS NULL))
);
CREATE INDEX answers_question_idx ON @extschema@.answers (question_id);
COMMENT ON TABLE @extschema@.answers IS
'Answers: a score on the framework scale for a large question, yes/no for a small one, or not_applicable.';

-- Checks an answer against its question and its assessment's framework.
CREATE FUNCTION @extschema@.answers_check()
RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
    q   record;
    a   record;
BEGIN
    SELECT qq.code, qq.framework_id, qq.is_large INTO q
    FROM @extschema@.questions qq WHERE qq.question_id = NEW.question_id;
    SELECT aa.framework_id, f.code, f.scale_min, f.scale_max INTO a
    FROM @extschema@.assessments aa JOIN @extschema@.frameworks f USING (framework_id)
    WHERE aa.assessment_id = NEW.assessment_id;
    IF q.framework_id IS NULL OR a.framework_id IS NULL THEN
        RETURN NEW;     -- the foreign keys report unknown questions and assessments
    END IF;
    IF q.framework_id <> a.framework_id THEN
        RAISE EXCEPTION 'question % (id %) is not a question of framework % of assessment %',
            q.code, NEW.question_id, a.code, NEW.assessment_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.not_applicable THEN
        RETURN NEW;
    END IF;
    IF q.is_large THEN
        IF NEW.answer_yes IS NOT NULL THEN
            RAISE EXCEPTION 'question % is a large question: give a score, not answer_yes', q.code
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.score IS NULL OR NEW.score < a.scale_min OR NEW.score > a.scale_max THEN
            RAISE EXCEPTION 'score of question % must be between % and % (framework %), got %',
                q.code, a.scale_min, a.scale_max, a.code, coalesce(NEW.score::text, 'NULL')
                USING ERRCODE = 'check_violation',
                      HINT = 'Set not_applicable = true for a question that does not apply.';
        END IF;
    ELSE
        IF NEW.score IS NOT NULL THEN
            RAISE EXCEPTION 'question % is a small yes/no question: give answer_yes, not a score', q.code
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.answer_yes IS NULL THEN
            RAISE EXCEPTION 'small question % needs answer_yes (true or false) or not_applicable', q.code
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.answers_check() IS
'Trigger: an answer''s question belongs to its assessment''s framework; large questions carry a score on the framework scale, small ones yes/no.';
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
LANGUAGE plpgsql AS
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
        CONSTRAINT risks_treatment_known CHECK (treatment IN ('mitigate', 'accept', 'transfer', 'avoid')),
    owner           text,
    acceptance_expires date,
    identified_on   date NOT NULL DEFAULT CURRENT_DATE,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
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
'Risks: likelihood and impact on the organization''s risk matrix scales, control effectiveness in [0, 1], treatment, owner and acceptance expiry.';

-- Checks a risk's ratings against its organization's matrix and its threat's owner.
CREATE FUNCTION @extschema@.risks_check()
RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
    m           @extschema@.risk_matrix;
    nlik        integer;
    nimp        integer;
    threat_org  bigint;
BEGIN
    SELECT o.risk_matrix INTO m FROM @extschema@.organizations o
    WHERE o.organization_id = NEW.organization_id;
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
        SELECT t.organization_id INTO threat_org FROM @extschema@.threats t WHERE t.threat_id = NEW.threat_id;
        IF threat_org IS NOT NULL AND threat_org <> NEW.organization_id THEN
            RAISE EXCEPTION 'threat % of risk "%" belongs to another organization', NEW.threat_id, NEW.title
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.risks_check() IS
'Trigger: likelihood and impact lie on the organization''s risk matrix; the threat is shared or the organization''s own.';
CREATE TRIGGER risks_check BEFORE INSERT OR UPDATE ON @extschema@.risks
    FOR EACH ROW EXECUTE FUNCTION @extschema@.risks_check();

-- Rejects a new risk matrix that existing risks of the organization do not fit.
CREATE FUNCTION @extschema@.organizations_matrix_check()
RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
    bad record;
BEGIN
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
'Trigger: an organization''s risk matrix can only shrink to a size its risks still fit.';
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

-- src/sql/catalogs.sql
-- Preloaded catalogues: NIST CSF 2.0 and the threat catalogue of the working
-- group (after ISO/IEC 27005 Annex C). Rows have fixed ids <= 100000 and
-- preloaded = true: pg_dump skips them (CREATE EXTENSION recreates them) and
-- a trigger keeps them read-only.
--
-- NIST CSF 2.0 (public domain) is loaded as: the 6 functions as control domains
-- (the axes of the maturity radar: a hexagon that reads at a glance), the 22
-- categories as large questions scored 1-4, each asking how far the outcomes of
-- the category are achieved. Small yes/no questions are left to the user (for
-- example one per subcategory, under its category).

INSERT INTO @extschema@.frameworks (framework_id, code, name, version, scale_min, scale_max, default_target, preloaded)
VALUES (1, 'NIST-CSF-2.0', 'NIST Cybersecurity Framework', '2.0', 1, 4, 3, true);

INSERT INTO @extschema@.control_domains (domain_id, framework_id, code, name, description, display_order, preloaded)
VALUES
    (1, 1, 'GV', 'Govern', 'The cybersecurity risk management strategy, expectations and policy are established, communicated and monitored.', 1, true),
    (2, 1, 'ID', 'Identify', 'The current cybersecurity risks to the organization are understood.', 2, true),
    (3, 1, 'PR', 'Protect', 'Safeguards to manage the organization''s cybersecurity risks are used.', 3, true),
    (4, 1, 'DE', 'Detect', 'Possible cybersecurity attacks and compromises are found and analysed.', 4, true),
    (5, 1, 'RS', 'Respond', 'Actions regarding a detected cybersecurity incident are taken.', 5, true),
    (6, 1, 'RC', 'Recover', 'Assets and operations affected by a cybersecurity incident are restored.', 6, true);

INSERT INTO @extschema@.questions (question_id, framework_id, domain_id, code, text, display_order, preloaded)
VALUES
    (1, 1, 1, 'GV.OC', 'Organizational Context: how far are the outcomes of GV.OC achieved?', 1, true),
    (2, 1, 1, 'GV.RM', 'Risk Management Strategy: how far are the outcomes of GV.RM achieved?', 2, true),
    (3, 1, 1, 'GV.RR', 'Roles, Responsibilities, and Authorities: how far are the outcomes of GV.RR achieved?', 3, true),
    (4, 1, 1, 'GV.PO', 'Policy: how far are the outcomes of GV.PO achieved?', 4, true),
    (5, 1, 1, 'GV.OV', 'Oversight: how far are the outcomes of GV.OV achieved?', 5, true),
    (6, 1, 1, 'GV.SC', 'Cybersecurity Supply Chain Risk Management: how far are the outcomes of GV.SC achieved?', 6, true),
    (7, 1, 2, 'ID.AM', 'Asset Management: how far are the outcomes of ID.AM achieved?', 7, true),
    (8, 1, 2, 'ID.RA', 'Risk Assessment: how far are the outcomes of ID.RA achieved?', 8, true),
    (9, 1, 2, 'ID.IM', 'Improvement: how far are the outcomes of ID.IM achieved?', 9, true),
    (10, 1, 3, 'PR.AA', 'Identity Management, Authentication, and Access Control: how far are the outcomes of PR.AA achieved?', 10, true),
    (11, 1, 3, 'PR.AT', 'Awareness and Training: how far are the outcomes of PR.AT achieved?', 11, true),
    (12, 1, 3, 'PR.DS', 'Data Security: how far are the outcomes of PR.DS achieved?', 12, true),
    (13, 1, 3, 'PR.PS', 'Platform Security: how far are the outcomes of PR.PS achieved?', 13, true),
    (14, 1, 3, 'PR.IR', 'Technology Infrastructure Resilience: how far are the outcomes of PR.IR achieved?', 14, true),
    (15, 1, 4, 'DE.CM', 'Continuous Monitoring: how far are the outcomes of DE.CM achieved?', 15, true),
    (16, 1, 4, 'DE.AE', 'Adverse Event Analysis: how far are the outcomes of DE.AE achieved?', 16, true),
    (17, 1, 5, 'RS.MA', 'Incident Management: how far are the outcomes of RS.MA achieved?', 17, true),
    (18, 1, 5, 'RS.AN', 'Incident Analysis: how far are the outcomes of RS.AN achieved?', 18, true),
    (19, 1, 5, 'RS.CO', 'Incident Response Reporting and Communication: how far are the outcomes of RS.CO achieved?', 19, true),
    (20, 1, 5, 'RS.MI', 'Incident Mitigation: how far are the outcomes of RS.MI achieved?', 20, true),
    (21, 1, 6, 'RC.RP', 'Incident Recovery Plan Execution: how far are the outcomes of RC.RP achieved?', 21, true),
    (22, 1, 6, 'RC.CO', 'Incident Recovery Communication: how far are the outcomes of RC.CO achieved?', 22, true);

INSERT INTO @extschema@.threats (threat_id, code, category, name, preloaded)
VALUES
    (1, 'PH-01', 'physical', 'Natural disasters (earthquake, flood, fire, lightning)', true),
    (2, 'PH-02', 'physical', 'Facility accidents (power failure, air-conditioning failure, water leak)', true),
    (3, 'PH-03', 'physical', 'Unauthorised entry and theft', true),
    (4, 'PH-04', 'physical', 'Shoulder surfing (peeking at screens and papers)', true),
    (5, 'PH-05', 'physical', 'Theft of devices or media', true),
    (6, 'PH-06', 'physical', 'Taking out, transport and carry-out of devices or media (loss, leakage)', true),
    (7, 'PH-07', 'physical', 'Disposal of devices or media (leakage from discarded equipment)', true),
    (8, 'IS-01', 'information-system', 'Overload of systems or networks', true),
    (9, 'IS-02', 'information-system', 'Hardware failure', true),
    (10, 'IS-03', 'information-system', 'Software failure', true),
    (11, 'IS-04', 'information-system', 'Network failure', true),
    (12, 'IS-05', 'information-system', 'Malware infection', true),
    (13, 'IS-06', 'information-system', 'Denial of service (DDoS)', true),
    (14, 'IS-07', 'information-system', 'Tampering by unauthorised access', true),
    (15, 'IS-08', 'information-system', 'Destruction by unauthorised access', true),
    (16, 'IS-09', 'information-system', 'Leakage by unauthorised access', true),
    (17, 'IS-10', 'information-system', 'Identity spoofing', true),
    (18, 'IS-11', 'information-system', 'Wiretapping (eavesdropping on communication)', true),
    (19, 'IS-12', 'information-system', 'Path hijacking and phishing', true),
    (20, 'IS-13', 'information-system', 'Misuse by insiders', true),
    (21, 'IS-14', 'information-system', 'Use of unlicensed software', true),
    (22, 'IS-15', 'information-system', 'Leakage by e-mail (mis-sending, forwarding)', true),
    (23, 'IS-16', 'information-system', 'Mistakes in use', true),
    (24, 'IS-17', 'information-system', 'Mistakes in operation', true),
    (25, 'IS-18', 'information-system', 'Mistakes in change (configuration and program changes)', true);

CREATE TRIGGER frameworks_preloaded_read_only BEFORE UPDATE OR DELETE ON @extschema@.frameworks
    FOR EACH ROW WHEN (OLD.preloaded) EXECUTE FUNCTION @extschema@.reject_preloaded_change();
CREATE TRIGGER control_domains_preloaded_read_only BEFORE UPDATE OR DELETE ON @extschema@.control_domains
    FOR EACH ROW WHEN (OLD.preloaded) EXECUTE FUNCTION @extschema@.reject_preloaded_change();
CREATE TRIGGER questions_preloaded_read_only BEFORE UPDATE OR DELETE ON @extschema@.questions
    FOR EACH ROW WHEN (OLD.preloaded) EXECUTE FUNCTION @extschema@.reject_preloaded_change();
CREATE TRIGGER threats_preloaded_read_only BEFORE UPDATE OR DELETE ON @extschema@.threats
    FOR EACH ROW WHEN (OLD.preloaded) EXECUTE FUNCTION @extschema@.reject_preloaded_change();

-- src/sql/loader.sql
-- Loading the model from CSV files (CSV with a header line naming the columns).
--
-- load_csv(table_name, path) reads a server-side file (the caller needs the
-- rights of COPY FROM a file: superuser or pg_read_server_files), checks the
-- header against the table, and loads all rows or none: the first row that
-- breaks a type, constraint, foreign key or trigger is reported with its line
-- number, and nothing of the file stays loaded.

-- The tables load_csv loads, in an order in which their references resolve.
CREATE FUNCTION @extschema@.loadable_tables()
RETURNS TABLE(load_order integer, table_name text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT o::integer, t
    FROM pg_catalog.unnest(ARRAY['organizations', 'departments', 'frameworks', 'control_domains',
                                 'questions', 'assessments', 'answers', 'maturity_targets', 'threats',
                                 'assets', 'risks', 'kpis', 'kpi_measurements', 'objectives',
                                 'incidents', 'nonconformities', 'corrective_actions'])
         WITH ORDINALITY AS u(t, o)
    ORDER BY o;
END;
COMMENT ON FUNCTION @extschema@.loadable_tables() IS
'The tables load_csv accepts, in an order in which foreign keys resolve (parents first).';

-- Splits a CSV header line into column names (quotes removed, "" unescaped).
CREATE FUNCTION @extschema@.csv_header_columns(header text)
RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.array_agg(
               CASE WHEN m[1] LIKE '"%' THEN pg_catalog.replace(pg_catalog.substr(m[1], 2, pg_catalog.length(m[1]) - 2), '""', '"')
                    ELSE pg_catalog.btrim(m[1]) END
               ORDER BY n)
    FROM pg_catalog.regexp_matches(pg_catalog.ltrim(pg_catalog.rtrim(header, E'\r'), U&'\FEFF') || ',', '\s*("(?:[^"]|"")*"|[^,]*)\s*,', 'g')
         WITH ORDINALITY AS r(m, n);
END;
COMMENT ON FUNCTION @extschema@.csv_header_columns(text) IS
'The column names of a CSV header line, in order.';

CREATE FUNCTION @extschema@.load_csv(table_name text, path text)
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
                      HINT = 'The header names the columns of the table, see docs/ref-model.md.';
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

    -- Stage the rows as text, numbered in file order.
    IF pg_catalog.to_regclass('pg_temp.ismseval_load_stage') IS NOT NULL THEN
        DROP TABLE pg_temp.ismseval_load_stage;
    END IF;
    EXECUTE pg_catalog.format('CREATE TEMP TABLE ismseval_load_stage (ismseval_line bigint GENERATED ALWAYS AS IDENTITY%s)',
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
COMMENT ON FUNCTION @extschema@.load_csv(text, text) IS
'Loads a server-side CSV file (header naming the columns) into a model table, all rows or none; the first bad row is reported as "line N" with its error''s SQLSTATE. Returns the number of rows loaded.';

-- src/sql/views.sql
-- BI views over the model, and org_radar_svg.
--
-- Every view has plain column types only (integer, bigint, double precision,
-- text, boolean, date, timestamptz; enums cast to text) and a comment on
-- itself and every column. Peer figures come from peer_dist and so are NULL
-- for groups smaller than ismseval.min_peer_group. A peer of an organization
-- is another organization with the same core_business and size_band.
--
-- Shapes: each view starts from organizations (or a table keyed by
-- organization_id) and reaches everything else through LATERAL subqueries
-- keyed by that organization, so that "WHERE organization_id = X" turns into
-- index scans for X and, for peer figures, for X's peer group only.
--
-- Tenancy: the views are security_invoker, so row-level security on the tables
-- (a later issue) applies to whoever queries them. Every read across
-- organizations goes through three functions that return only peer_dist
-- distributions (peer_domain_scores, peer_question_rates, peer_total_scores):
-- those are the ones to make SECURITY DEFINER when tenants arrive.

-- The 0-based level rank of a residual score: the highest level among the
-- cells whose score is at most the residual score (the lowest level when none
-- is), never above the inherent level of the (likelihood, impact) cell.
CREATE FUNCTION @extschema@.residual_level_rank(matrix @extschema@.risk_matrix, likelihood integer,
                                                impact integer, residual double precision)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT LEAST(@extschema@.risk_level_rank(matrix, likelihood, impact),
                 COALESCE((SELECT pg_catalog.max(c.rank) FROM @extschema@.risk_matrix_cells(matrix) c
                           WHERE c.score <= residual), 0));
END;
COMMENT ON FUNCTION @extschema@.residual_level_rank(@extschema@.risk_matrix, integer, integer, double precision) IS
'Level rank of a residual score: the highest rank of the cells with score <= residual (0 when none), capped at the inherent rank of (likelihood, impact).';

-- The latest organization-wide assessment of each framework, per organization.
CREATE FUNCTION @extschema@.latest_assessments(organization_id bigint)
RETURNS TABLE(assessment_id bigint, framework_id bigint, assessed_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT ON (a.framework_id) a.assessment_id, a.framework_id, a.assessed_on
    FROM @extschema@.assessments a
    WHERE a.organization_id = latest_assessments.organization_id AND a.department_id IS NULL
    ORDER BY a.framework_id, a.assessed_on DESC, a.assessment_id DESC;
END;
COMMENT ON FUNCTION @extschema@.latest_assessments(bigint) IS
'The organization''s latest organization-wide assessment (department_id NULL) of each framework.';

-- Each peer's domain means in its latest organization-wide assessment of a framework, as
-- one peer_dist per domain. Computed once per (organization, framework): a view joins it
-- laterally, and PL/pgSQL keeps it from being inlined into a per-domain rescan.
CREATE FUNCTION @extschema@.peer_domain_scores(organization_id bigint, framework_id bigint)
RETURNS TABLE(domain_id bigint, dist @extschema@.peer_dist)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.domain_id, @extschema@.peer_dist(s.score)
    FROM (
        SELECT q.domain_id, pa.assessment_id, pg_catalog.avg(an.score)::double precision AS score
        FROM @extschema@.organizations o
        JOIN @extschema@.organizations p
          ON p.core_business = o.core_business AND p.size_band = o.size_band
         AND p.organization_id <> o.organization_id
        CROSS JOIN LATERAL (
            SELECT a.assessment_id FROM @extschema@.assessments a
            WHERE a.organization_id = p.organization_id AND a.framework_id = peer_domain_scores.framework_id
              AND a.department_id IS NULL
            ORDER BY a.assessed_on DESC, a.assessment_id DESC LIMIT 1
        ) pa
        JOIN @extschema@.answers an ON an.assessment_id = pa.assessment_id
        JOIN @extschema@.questions q ON q.question_id = an.question_id AND q.is_large
        WHERE o.organization_id = peer_domain_scores.organization_id
        GROUP BY q.domain_id, pa.assessment_id
    ) s
    WHERE s.score IS NOT NULL
    GROUP BY s.domain_id;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_domain_scores(bigint, bigint) IS
'Per control domain, the distribution of the peers'' domain means (latest organization-wide assessment of the framework; peers = other organizations of the same core business and size band).';

-- The peers' yes (100) / no (0) answers to each small question of a framework, as one
-- peer_dist per question; computed once per (organization, framework) like peer_domain_scores.
CREATE FUNCTION @extschema@.peer_question_rates(organization_id bigint, framework_id bigint)
RETURNS TABLE(question_id bigint, dist @extschema@.peer_dist)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT an.question_id,
           @extschema@.peer_dist(CASE WHEN an.answer_yes THEN 100::double precision ELSE 0::double precision END)
    FROM @extschema@.organizations o
    JOIN @extschema@.organizations p
      ON p.core_business = o.core_business AND p.size_band = o.size_band
     AND p.organization_id <> o.organization_id
    CROSS JOIN LATERAL (
        SELECT a.assessment_id FROM @extschema@.assessments a
        WHERE a.organization_id = p.organization_id AND a.framework_id = peer_question_rates.framework_id
          AND a.department_id IS NULL
        ORDER BY a.assessed_on DESC, a.assessment_id DESC LIMIT 1
    ) pa
    JOIN @extschema@.answers an ON an.assessment_id = pa.assessment_id AND an.answer_yes IS NOT NULL
    WHERE o.organization_id = peer_question_rates.organization_id
    GROUP BY an.question_id;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_question_rates(bigint, bigint) IS
'Per small question, the distribution of the peers'' answers as 100 (yes) or 0 (no); its peer_mean is the peer implementation rate in %.';

-- The peers' total scores (mean large-question score x number of large questions) in their
-- latest organization-wide assessment of a framework, and how many of them exceed own_total.
CREATE FUNCTION @extschema@.peer_total_scores(organization_id bigint, framework_id bigint,
                                              own_total double precision)
RETURNS TABLE(dist @extschema@.peer_dist, higher bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT @extschema@.peer_dist(pt.total), pg_catalog.count(*) FILTER (WHERE pt.total > own_total)
    FROM @extschema@.organizations o
    JOIN @extschema@.organizations p
      ON p.core_business = o.core_business AND p.size_band = o.size_band
     AND p.organization_id <> o.organization_id
    CROSS JOIN LATERAL (
        SELECT a.assessment_id FROM @extschema@.assessments a
        WHERE a.organization_id = p.organization_id AND a.framework_id = peer_total_scores.framework_id
          AND a.department_id IS NULL
        ORDER BY a.assessed_on DESC, a.assessment_id DESC LIMIT 1
    ) pa
    CROSS JOIN LATERAL (
        SELECT pg_catalog.avg(an.score)::double precision
               * (SELECT pg_catalog.count(*) FROM @extschema@.questions q
                  WHERE q.framework_id = peer_total_scores.framework_id AND q.is_large) AS total
        FROM @extschema@.answers an
        WHERE an.assessment_id = pa.assessment_id AND an.score IS NOT NULL
    ) pt
    WHERE o.organization_id = peer_total_scores.organization_id AND pt.total IS NOT NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.peer_total_scores(bigint, bigint, double precision) IS
'The distribution of the peers'' total scores (latest organization-wide assessment of the framework) and the number of peers whose total exceeds own_total.';

-- ---------------------------------------------------------------------------
-- risk_register
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.risk_register WITH (security_invoker = true) AS
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
       @extschema@.risk_level(o.risk_matrix, r.likelihood, r.impact) AS inherent_level,
       @extschema@.risk_level_rank(o.risk_matrix, r.likelihood, r.impact) AS inherent_level_rank,
       @extschema@.risk_color(o.risk_matrix, r.likelihood, r.impact) AS inherent_color,
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
    SELECT s.residual_score,
           @extschema@.residual_level_rank(o.risk_matrix, r.likelihood, r.impact, s.residual_score) AS residual_rank
    FROM (SELECT @extschema@.residual_risk(@extschema@.risk_score(r.likelihood, r.impact)::double precision,
                                           r.control_effectiveness) AS residual_score) s
) res
LEFT JOIN LATERAL (
    SELECT l.name, l.color FROM @extschema@.risk_matrix_levels(o.risk_matrix) l WHERE l.rank = res.residual_rank
) lv ON true;

COMMENT ON VIEW @extschema@.risk_register IS
'The risk register: inherent score and level on the organization''s risk matrix, residual score = inherent x (1 - control effectiveness) and its level, tolerance and acceptance expiry.';

-- ---------------------------------------------------------------------------
-- risk_heatmap
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.risk_heatmap WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       c.likelihood,
       c.impact,
       c.score,
       c.level,
       c.rank AS level_rank,
       c.color,
       n.risk_count
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.risk_matrix_cells(o.risk_matrix) c
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS risk_count
    FROM @extschema@.risks r
    WHERE r.organization_id = o.organization_id AND r.likelihood = c.likelihood AND r.impact = c.impact
) n;

COMMENT ON VIEW @extschema@.risk_heatmap IS
'Every cell of each organization''s risk matrix with its level and colour and the number of risks rated in it (inherent rating; 0 included).';

-- ---------------------------------------------------------------------------
-- kpi_status
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.kpi_status WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       k.kpi_id,
       k.code AS kpi,
       k.name AS kpi_name,
       k.direction::text AS direction,
       k.unit,
       k.owner,
       k.frequency_days,
       k.target,
       k.baseline,
       cur.value AS latest_value,
       cur.measured_on AS latest_measured_on,
       prev.value AS previous_value,
       prev.measured_on AS previous_measured_on,
       cur.value - prev.value AS change,
       100 * @extschema@.kpi_attainment(cur.value, k.target, k.direction) AS attainment_pct,
       100 * @extschema@.kpi_progress(cur.value, k.baseline, k.target) AS progress_pct,
       @extschema@.kpi_status(cur.value, k.target, k.direction, k.amber_tolerance)::text AS status,
       CURRENT_DATE - cur.measured_on AS days_since_measured,
       (cur.measured_on IS NULL OR CURRENT_DATE - cur.measured_on > k.frequency_days) AS stale
FROM @extschema@.organizations o
JOIN @extschema@.kpis k ON k.organization_id = o.organization_id
LEFT JOIN LATERAL (
    SELECT m.measured_on, m.value FROM @extschema@.kpi_measurements m
    WHERE m.kpi_id = k.kpi_id ORDER BY m.measured_on DESC LIMIT 1
) cur ON true
LEFT JOIN LATERAL (
    SELECT m.measured_on, m.value FROM @extschema@.kpi_measurements m
    WHERE m.kpi_id = k.kpi_id AND m.measured_on < cur.measured_on ORDER BY m.measured_on DESC LIMIT 1
) prev ON true;

COMMENT ON VIEW @extschema@.kpi_status IS
'Each KPI with its latest and previous values, attainment, progress from baseline, red/amber/green status and staleness.';

-- ---------------------------------------------------------------------------
-- objective_status
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.objective_status WITH (security_invoker = true) AS
SELECT ob.organization_id,
       ks.organization,
       ob.objective_id,
       ob.title AS objective,
       ob.owner,
       ob.set_on,
       ob.due_on,
       ks.kpi,
       ks.latest_value,
       ks.target,
       ks.unit,
       ks.progress_pct,
       ks.status,
       COALESCE(ks.attainment_pct >= 100, false) AS achieved,
       (ob.due_on < CURRENT_DATE AND NOT COALESCE(ks.attainment_pct >= 100, false)) AS overdue,
       ob.due_on - CURRENT_DATE AS days_to_due
FROM @extschema@.objectives ob
JOIN @extschema@.kpi_status ks ON ks.kpi_id = ob.kpi_id;

COMMENT ON VIEW @extschema@.objective_status IS
'Information security objectives with their owner, due date, progress from their KPI, and whether they are achieved or overdue.';

-- ---------------------------------------------------------------------------
-- maturity_by_domain
-- ---------------------------------------------------------------------------

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
       @extschema@.peer_mean(pr.dist) AS peer_score,
       @extschema@.peer_count(pr.dist) AS peer_count,
       own.score - @extschema@.peer_mean(pr.dist) AS gap_to_peers,
       COALESCE(mt.target, f.default_target) AS target,
       own.score - COALESCE(mt.target, f.default_target) AS gap_to_target,
       @extschema@.peer_percentile(pr.dist, own.score) AS peer_percentile
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.control_domains d ON d.framework_id = la.framework_id
CROSS JOIN LATERAL (
    SELECT pg_catalog.avg(an.score)::double precision AS score, pg_catalog.count(an.score) AS answered
    FROM @extschema@.questions q
    JOIN @extschema@.answers an ON an.question_id = q.question_id AND an.assessment_id = la.assessment_id
    WHERE q.domain_id = d.domain_id AND q.is_large
) own
LEFT JOIN LATERAL @extschema@.peer_domain_scores(o.organization_id, la.framework_id) pr
       ON pr.domain_id = d.domain_id
LEFT JOIN @extschema@.maturity_targets mt
       ON mt.organization_id = o.organization_id AND mt.domain_id = d.domain_id;

COMMENT ON VIEW @extschema@.maturity_by_domain IS
'Per organization, its latest organization-wide assessment of each framework and each control domain (in display order): own mean score, peers'' mean and count, gaps to peers and to target, own percentile among peers.';

-- ---------------------------------------------------------------------------
-- question_peer_rate
-- ---------------------------------------------------------------------------

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
       @extschema@.peer_mean(pr.dist) AS peer_rate_pct,
       @extschema@.peer_count(pr.dist) AS peer_count
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
JOIN @extschema@.questions q ON q.framework_id = la.framework_id AND NOT q.is_large
JOIN @extschema@.questions lq ON lq.question_id = q.parent_id
JOIN @extschema@.control_domains d ON d.domain_id = q.domain_id
LEFT JOIN @extschema@.answers an ON an.assessment_id = la.assessment_id AND an.question_id = q.question_id
LEFT JOIN LATERAL @extschema@.peer_question_rates(o.organization_id, la.framework_id) pr
       ON pr.question_id = q.question_id;

COMMENT ON VIEW @extschema@.question_peer_rate IS
'Per small (yes/no) question of the organization''s latest assessment: its own answer and the peer implementation rate, the share of peers answering yes (%).';

-- ---------------------------------------------------------------------------
-- incident_metrics_monthly
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.incident_metrics_monthly WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       m.month,
       m.incidents,
       m.severe_incidents,
       m.max_leakage_risk,
       m.mttd_hours,
       m.mttd_hours_p90,
       m.mttr_hours,
       m.mttr_hours_p90,
       m.reported_within_24h_pct
FROM @extschema@.organizations o
JOIN (
    SELECT i.organization_id,
           pg_catalog.date_trunc('month', i.occurred_at AT TIME ZONE 'UTC')::date AS month,
           pg_catalog.count(*) AS incidents,
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
    GROUP BY i.organization_id, 2
) m ON m.organization_id = o.organization_id;

COMMENT ON VIEW @extschema@.incident_metrics_monthly IS
'Per organization and calendar month (UTC) of occurrence: incidents, mean time to detect and to resolve in hours (mean and 90th percentile), share reported within 24 hours of detection.';

-- ---------------------------------------------------------------------------
-- org_benchmark
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.org_benchmark WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       f.code AS framework,
       la.assessment_id,
       la.assessed_on,
       o.core_business,
       o.size_band,
       o.core_business || ' / ' || o.size_band AS peer_group,
       own.total_score,
       own.mean_score,
       own.answered AS answered_questions,
       @extschema@.peer_count(pr.dist) AS peer_count,
       @extschema@.peer_mean(pr.dist) AS peer_mean_total,
       @extschema@.peer_percentile(pr.dist, own.total_score) AS peer_percentile,
       @extschema@.peer_deviation_score(pr.dist, own.total_score) AS deviation_score,
       CASE WHEN @extschema@.peer_count(pr.dist) IS NOT NULL THEN pr.higher + 1 END AS peer_rank,
       CASE WHEN @extschema@.peer_count(pr.dist) IS NOT NULL THEN @extschema@.peer_count(pr.dist) + 1 END
           AS ranked_organizations
FROM @extschema@.organizations o
CROSS JOIN LATERAL @extschema@.latest_assessments(o.organization_id) la
JOIN @extschema@.frameworks f ON f.framework_id = la.framework_id
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS n FROM @extschema@.questions q
    WHERE q.framework_id = la.framework_id AND q.is_large
) nq
CROSS JOIN LATERAL (
    SELECT pg_catalog.avg(an.score)::double precision * nq.n AS total_score,
           pg_catalog.avg(an.score)::double precision AS mean_score,
           pg_catalog.count(an.score) AS answered
    FROM @extschema@.answers an
    WHERE an.assessment_id = la.assessment_id AND an.score IS NOT NULL
) own
CROSS JOIN LATERAL @extschema@.peer_total_scores(o.organization_id, la.framework_id, own.total_score) pr;

COMMENT ON VIEW @extschema@.org_benchmark IS
'Per organization and framework (latest organization-wide assessment): total score, peer group, peer count, percentile, deviation score and rank among peers.';

-- ---------------------------------------------------------------------------
-- management_review
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.management_review WITH (security_invoker = true) AS
SELECT o.organization_id,
       o.code AS organization,
       o.name AS organization_name,
       o.core_business || ' / ' || o.size_band AS peer_group,
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
       nc.corrective_actions_overdue
FROM @extschema@.organizations o
LEFT JOIN LATERAL (
    SELECT bm.framework, bm.assessed_on, bm.total_score, bm.mean_score, bm.peer_mean_total, bm.peer_count,
           bm.peer_percentile, bm.deviation_score, bm.peer_rank, bm.ranked_organizations, bm.assessment_id
    FROM @extschema@.org_benchmark bm
    WHERE bm.organization_id = o.organization_id
    ORDER BY bm.assessed_on DESC, bm.assessment_id DESC LIMIT 1
) b ON true
LEFT JOIN LATERAL (
    SELECT (SELECT m2.domain FROM @extschema@.maturity_by_domain m2
            WHERE m2.organization_id = o.organization_id AND m2.assessment_id = b.assessment_id
              AND m2.own_score IS NOT NULL
            ORDER BY m2.own_score, m2.display_order LIMIT 1) AS weakest_domain,
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
'One row per organization: the headline figures of a management review (ISO/IEC 27001 9.3) from the latest assessment, the risk register, KPIs, objectives, the last 12 months of incidents and open nonconformities.';

-- ---------------------------------------------------------------------------
-- Indexes the views need (beyond the keys of model.sql)
-- ---------------------------------------------------------------------------

CREATE INDEX nonconformities_open_idx ON @extschema@.nonconformities (organization_id) WHERE closed_on IS NULL;
CREATE INDEX corrective_actions_open_idx ON @extschema@.corrective_actions (organization_id, due_on)
    WHERE closed_on IS NULL;

-- ---------------------------------------------------------------------------
-- org_radar_svg
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.org_radar_svg(organization_id bigint, framework text DEFAULT NULL)
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
    series      @extschema@.radar[];
    names       text[];
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
    SELECT @extschema@.maturity_radar(m.domain, m.own_score),
           @extschema@.maturity_radar(m.domain, m.peer_score),
           @extschema@.maturity_radar(m.domain, m.target),
           pg_catalog.array_agg(m.domain ORDER BY m.display_order)
      INTO own, peers, target, axes
    FROM @extschema@.maturity_by_domain m
    WHERE m.organization_id = org_radar_svg.organization_id AND m.framework = fw;
    series := ARRAY[]::@extschema@.radar[];
    names := ARRAY[]::text[];
    IF own IS NOT NULL THEN
        series := series || own; names := names || 'Own'::text;
    END IF;
    IF peers IS NOT NULL THEN
        series := series || peers; names := names || 'Peers (mean)'::text;
    END IF;
    IF target IS NOT NULL THEN
        series := series || target; names := names || 'Target'::text;
    END IF;
    RETURN @extschema@.radar_svg(series, names, axes, fw_min, fw_max,
                                 pg_catalog.format('%s: %s maturity (%s)', org_name, fw, assessed));
END
$$;
COMMENT ON FUNCTION @extschema@.org_radar_svg(bigint, text) IS
'SVG radar of an organization''s latest assessment (of framework, or the latest of any): own domain means, peers'' means (when the peer group is large enough) and targets.';

-- ---------------------------------------------------------------------------
-- Column comments (BI tools show them as field descriptions). Columns shared
-- by several views are described once ('*'); the block fails if any view
-- column is left without a comment.
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
            ('*', 'peer_percentile', 'Percentile of the organization among its peers, mid-rank: 100 x (peers below + 0.5 x peers equal) / peers; NULL below the minimum peer group.'),
            ('*', 'total_score', 'Total score: mean large-question score x number of large questions of the framework (the plain sum when every question is answered; not-applicable answers take the mean).'),
            ('*', 'mean_score', 'Mean score of the answered large questions.'),
            ('*', 'peer_mean_total', 'Mean total score of the peers; NULL below the minimum peer group.'),
            ('*', 'deviation_score', 'Deviation score (hensachi) of the total among peers: 50 + 10 x (own - peer mean) / peer population stddev (50 when that is 0); NULL below the minimum peer group.'),
            ('*', 'peer_rank', 'Rank of the total among the organization and its peers: 1 + peers with a higher total; NULL below the minimum peer group.'),
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
            ('maturity_by_domain', 'answered_questions', 'Number of large questions of the domain answered with a score.'),
            ('maturity_by_domain', 'peer_score', 'Mean over the peers of their domain means (latest assessment of the same framework); NULL below the minimum peer group.'),
            ('maturity_by_domain', 'gap_to_peers', 'own_score - peer_score (negative: below peers).'),
            ('maturity_by_domain', 'target', 'Target maturity of the domain: maturity_targets, else the framework''s default_target.'),
            ('maturity_by_domain', 'gap_to_target', 'own_score - target (negative: below target).'),

            ('question_peer_rate', 'large_question', 'Code of the large question the small question belongs to.'),
            ('question_peer_rate', 'question_id', 'Key of the small question.'),
            ('question_peer_rate', 'question', 'Code of the small question.'),
            ('question_peer_rate', 'question_text', 'Text of the small question.'),
            ('question_peer_rate', 'own_answer_yes', 'The organization''s answer: true yes, false no, NULL not answered or not applicable.'),
            ('question_peer_rate', 'own_not_applicable', 'True when the organization answered not applicable.'),
            ('question_peer_rate', 'peer_rate_pct', 'Peer implementation rate: 100 x peers answering yes / peers answering yes or no; NULL below the minimum peer group.'),

            ('incident_metrics_monthly', 'month', 'First day of the calendar month (UTC) in which the incidents occurred.'),
            ('incident_metrics_monthly', 'incidents', 'Number of incidents that occurred in the month.'),
            ('incident_metrics_monthly', 'severe_incidents', 'Incidents of severity 3 or 4.'),
            ('incident_metrics_monthly', 'max_leakage_risk', 'Highest leakage-risk level (1-4) among them.'),
            ('incident_metrics_monthly', 'mttd_hours', 'Mean time to detect in hours: mean of detected_at - occurred_at over detected incidents.'),
            ('incident_metrics_monthly', 'mttd_hours_p90', '90th percentile (interpolated) of the time to detect, hours.'),
            ('incident_metrics_monthly', 'mttr_hours', 'Mean time to resolve in hours: mean of resolved_at - occurred_at over resolved incidents.'),
            ('incident_metrics_monthly', 'mttr_hours_p90', '90th percentile (interpolated) of the time to resolve, hours.'),
            ('incident_metrics_monthly', 'reported_within_24h_pct', '100 x incidents reported within 24 hours of detection / detected incidents; NULL when none detected.'),

            ('org_benchmark', 'answered_questions', 'Number of large questions answered with a score.'),

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
            ('management_review', 'corrective_actions_overdue', 'Corrective actions not closed and past their due date.')
        )
        SELECT cl.relname AS view_name, a.attname AS column_name,
               COALESCE(s.description, g.description) AS description
        FROM pg_catalog.pg_class cl
        JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN described s ON s.view_name = cl.relname AND s.column_name = a.attname
        LEFT JOIN described g ON g.view_name = '*' AND g.column_name = a.attname
        WHERE cl.relnamespace = '@extschema@'::regnamespace AND cl.relkind = 'v'
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
