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
