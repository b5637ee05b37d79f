-- Importing a CISO Assistant instance export (issue 12). import_ciso_assistant_export reads
-- the jsonb of an export ({"meta": {...}, "objects": [{"model", "id", "fields"}, ...]}) into
-- the model, all or nothing, and reports every object of the export: created, updated,
-- unchanged or skipped with the reason (README, "Importing a CISO Assistant export"):
--   core.perimeter             an organization (found by the mapping, else by code, else created)
--   core.threat, core.asset,   the organization's own threats, assets and applied controls, in
--   core.appliedcontrol        every organization of a perimeter of the object's domain (folder)
--   core.complianceassessment  an organization-wide assessment of the framework with its urn
--   core.requirementassessment an answer to the requirement with its urn
--   core.riskassessment        the organization's matrix (core.riskmatrix) and tolerance
--   core.riskscenario          a risk: inherent, current and residual cells, treatment
-- ciso_assistant_objects maps each imported object to its row, per organization, so that a
-- second import of the same export updates those rows in place. The import runs as its
-- caller (administrators: EXECUTE is revoked from PUBLIC); its working tables are
-- temporary tables of the session (pg_temp.ciso_export_*).

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
