-- pgTAP: the promises every object of the extension keeps, read from the catalog.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(9);

CREATE TEMP VIEW ext_objects AS
SELECT d.classid, d.objid, pg_describe_object(d.classid, d.objid, 0) AS what
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE e.extname = 'ismseval' AND d.deptype = 'e';

SELECT is_empty($$
    SELECT what FROM ext_objects
    WHERE classid = 'pg_proc'::regclass
      AND obj_description(objid, 'pg_proc') IS NULL
      -- the I/O and support functions of a type are documented by the type's comment
      AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE objid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))
      AND NOT EXISTS (SELECT 1 FROM pg_aggregate a
                      WHERE objid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn))
      AND NOT EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprcode = objid)$$,
    'every function and aggregate has a COMMENT');

SELECT is_empty($$
    SELECT what FROM ext_objects
    WHERE classid = 'pg_type'::regclass AND obj_description(objid, 'pg_type') IS NULL
      AND NOT EXISTS (SELECT 1 FROM pg_type a WHERE a.oid = objid AND a.typelem <> 0 AND a.typcategory = 'A')$$,
    'every type has a COMMENT');

SELECT is_empty($$
    SELECT what FROM ext_objects o JOIN pg_proc p ON p.oid = o.objid
    WHERE o.classid = 'pg_proc'::regclass AND p.proparallel <> 's'
      AND p.provolatile <> 'v'$$,
    'every non-volatile function is PARALLEL SAFE');

SELECT is_empty($$
    SELECT what FROM ext_objects o JOIN pg_aggregate a ON a.aggfnoid = o.objid
    WHERE o.classid = 'pg_proc'::regclass AND a.aggcombinefn = 0$$,
    'every aggregate has a combine function');

SELECT is_empty($$
    SELECT what FROM ext_objects o JOIN pg_aggregate a ON a.aggfnoid = o.objid
    WHERE o.classid = 'pg_proc'::regclass AND a.aggtranstype = 'internal'::regtype$$,
    'no aggregate has an internal transition state');

SELECT is_empty($$
    SELECT what FROM ext_objects o JOIN pg_class c ON c.oid = o.objid
    WHERE o.classid = 'pg_class'::regclass AND c.relkind IN ('r', 'v', 'm')
      AND obj_description(c.oid, 'pg_class') IS NULL$$,
    'every table and view has a COMMENT');

SELECT is_empty($$
    SELECT c.relname || '.' || a.attname FROM ext_objects o JOIN pg_class c ON c.oid = o.objid
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE o.classid = 'pg_class'::regclass AND c.relkind = 'v'
      AND col_description(c.oid, a.attnum) IS NULL$$,
    'every view column has a COMMENT');

SELECT is_empty($$
    SELECT what FROM ext_objects o JOIN pg_proc p ON p.oid = o.objid
    WHERE o.classid = 'pg_proc'::regclass AND p.prosecdef
      AND NOT (coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp'])$$,
    'every SECURITY DEFINER function pins search_path to pg_catalog, pg_temp');

-- A trigger function runs for whoever writes the row, under that role's search_path; one that
-- runs with elevated rights or as a trigger is never to resolve a name through it.
SELECT is_empty($$
    SELECT what FROM ext_objects o JOIN pg_proc p ON p.oid = o.objid
    WHERE o.classid = 'pg_proc'::regclass AND (p.prosecdef OR p.prorettype = 'trigger'::regtype)
      AND NOT (coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp'])$$,
    'every SECURITY DEFINER and every trigger function pins search_path to pg_catalog, pg_temp');

SELECT * FROM finish();
ROLLBACK;
