-- Writes one query per table of the extension and of the probe schema: the table, its row
-- count and an md5 of its rows (user rows only in catalogues that ship preloaded rows), over
-- the stored (not generated) columns it has now, so the same queries read the same data after an update that adds
-- columns. test/upgrade.sh runs the generated queries before and after the update.
SELECT pg_catalog.format(
           'SELECT %L, pg_catalog.count(*), pg_catalog.md5(COALESCE(pg_catalog.string_agg(r, E''\n'' ORDER BY r), '''')) '
           'FROM (SELECT ROW(%s)::text AS r FROM %s%s) t;',
           c.oid::regclass,
           (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''),
           c.oid::regclass,
           CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attname = 'preloaded' AND NOT a.attisdropped)
                THEN ' WHERE NOT preloaded' ELSE '' END)
FROM pg_catalog.pg_class c
WHERE c.relnamespace IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('ismseval', 'probe'))
  AND c.relkind = 'r'
ORDER BY c.oid::regclass::text;
