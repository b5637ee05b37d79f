-- pgTAP: load_csv (issue 10). A bad row deep in a file is reported as before (line, SQLSTATE,
-- message, detail, hint; nothing loaded), now through a keyed staging table; a header that
-- starts with a UTF-8 byte-order mark is read (test/encoding.sh does the same in LATIN1).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(8);

SELECT current_setting('data_directory') || '/ismseval_tap_loader_' || pg_backend_pid() AS f \gset

-- Runs load_csv and returns what it raised: SQLSTATE | message | detail | hint.
CREATE FUNCTION pg_temp.load_error(tbl text, path text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hnt text;
BEGIN
    PERFORM ismseval.load_csv(tbl, path);
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                            hnt = PG_EXCEPTION_HINT;
    RETURN concat_ws(' | ', st, msg, det, hnt);
END $$;

-- 2000 organizations LD-1 .. LD-2000; file line = row + 1 (the header is line 1). The row of
-- line 1502 (row 1501) repeats LD-2's code: the first bad row is line 1502.
COPY (SELECT 'code,name,core_business,size_band'
      UNION ALL
      SELECT * FROM (SELECT format('LD-%s,Org %s,regulated,large', CASE WHEN i = 1501 THEN 2 ELSE i END, i)
                     FROM generate_series(1, 2000) i ORDER BY i) r) TO :'f';
SELECT is(pg_temp.load_error('organizations', :'f'),
          format('23505 | load_csv: %s: line 1502: duplicate key value violates unique constraint "organizations_code_key" | Key (code)=(LD-2) already exists. | Nothing of the file was loaded.', :'f'),
          'a duplicate at line 1502 of 2001: SQLSTATE, line, message, detail and hint');
SELECT is((SELECT count(*) FROM ismseval.organizations WHERE code LIKE 'LD-%'), 0::bigint,
          'nothing of the file was loaded');

-- The last line bad (line 2001: core_business "banking"): a check violation, no detail
-- but the failing row, which names the organization_id the row would have had.
COPY (SELECT 'code,name,core_business,size_band'
      UNION ALL
      SELECT * FROM (SELECT format('LE-%s,Org %s,%s,large', i, i, CASE WHEN i = 2000 THEN 'banking' ELSE 'regulated' END)
                     FROM generate_series(1, 2000) i ORDER BY i) r) TO :'f';
SELECT matches(pg_temp.load_error('organizations', :'f'),
               '^23514 \| load_csv: .*: line 2001: new row for relation "organizations" violates check constraint "organizations_core_business_known" \| Failing row contains \(\d+, LE-2000, Org 2000, banking, .*\| Nothing of the file was loaded\.$',
               'the bad last line 2001: check violation with the failing row as detail');
SELECT is((SELECT count(*) FROM ismseval.organizations WHERE code LIKE 'LE-%'), 0::bigint,
          'nothing of that file either');

-- Byte-order mark: the header starts with U+FEFF (bytes EF BB BF in this UTF8 database).
COPY (VALUES (chr(65279) || 'code,name,core_business,size_band'), ('BOM-1,With a BOM,regulated,large')) TO :'f';
SELECT is(ismseval.load_csv('organizations', :'f'), 1::bigint, 'a header with a byte-order mark loads');
SELECT is((SELECT name FROM ismseval.organizations WHERE code = 'BOM-1'), 'With a BOM', 'its row');
SELECT is(ismseval.csv_header_columns(chr(65279) || 'code,"na""me"' || E'\r'), ARRAY['code', 'na"me'],
          'csv_header_columns: mark, quotes and carriage return removed');
SELECT is(ismseval.csv_strip_bom('code' || chr(65279)), 'code' || chr(65279),
          'csv_strip_bom strips only a leading mark');

SELECT * FROM finish();
ROLLBACK;
