-- pgTAP: load_csv (issue 10). A bad row deep in a file is reported as before (line, SQLSTATE,
-- message, detail, hint; nothing loaded), now through a keyed staging table; a header that
-- starts with a UTF-8 byte-order mark is read (test/encoding.sh does the same in LATIN1).
-- Issue 12: the delimiter and header options on the hand-made files of test/data/ (";",
-- byte-order mark, quoted fields holding the delimiter, CR LF), their validation, and the hints.
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(32);

SELECT current_setting('data_directory') || '/ismseval_tap_loader_' || pg_backend_pid() AS f \gset

-- Runs load_csv and returns what it raised: SQLSTATE | message | detail | hint.
CREATE FUNCTION pg_temp.load_error(tbl text, path text, delim text DEFAULT ',', hdr boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hnt text;
BEGIN
    PERFORM ismseval.load_csv(tbl, path, delim, hdr);
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

-- The hand-made files, copied byte for byte into the data directory (the server may not read
-- the checkout): psql reads each file, lo_export writes it where the server can.
\set org_file `base64 -w0 test/data/organizations_semicolon_bom_crlf.csv`
\set bad_file `base64 -w0 test/data/organizations_semicolon_bad_line3.csv`
\set thr_file `base64 -w0 test/data/threats_noheader_bom_crlf.csv`
SELECT :'f' || '_orgs.csv' AS f_orgs, :'f' || '_bad.csv' AS f_bad, :'f' || '_threats.csv' AS f_thr \gset
SELECT lo_from_bytea(0, decode(:'org_file', 'base64')) AS lo_orgs, lo_from_bytea(0, decode(:'bad_file', 'base64')) AS lo_bad,
       lo_from_bytea(0, decode(:'thr_file', 'base64')) AS lo_thr \gset
SELECT lo_export(:lo_orgs, :'f_orgs'), lo_export(:lo_bad, :'f_bad'), lo_export(:lo_thr, :'f_thr') \g /dev/null

-- organizations_semicolon_bom_crlf.csv: mark + header + 3 rows, ";" inside quotes, "" for a quote.
SELECT is(ismseval.load_csv('organizations', :'f_orgs', ';'), 3::bigint, 'semicolon, mark and CR LF: 3 rows');
SELECT is((SELECT string_agg(concat_ws('|', code, name, core_business, size_band, coalesce(industry, '-')), ' / ' ORDER BY code)
           FROM ismseval.organizations WHERE code LIKE 'SC-%'),
          'SC-1|Sun; Moon Ltd|regulated|large|Finance; banking / SC-2|The "Quoted" Co|mass-production|small|- / SC-3|Plain Games|planning-competitive|medium|Games',
          'their values: the delimiter inside quotes kept, "" read as ", empty = NULL, no carriage return left');
SELECT matches(pg_temp.load_error('organizations', :'f_orgs', ';'),
               '^23505 \| load_csv: .*_orgs\.csv: line 2: duplicate key value violates unique constraint "organizations_code_key" \| Key \(code\)=\(SC-1\) already exists\.',
               'a second load stops at line 2 (the first row after the header)');

-- The same file with the default comma: one header field "code;name;...": 22023 and a hint
-- that names the likely delimiter and a README anchor that exists (test/doc_links.sh).
SELECT is(pg_temp.load_error('organizations', :'f_orgs'),
          format('22023 | load_csv: %s: line 1: "code;name;core_business;size_band;industry" is not a column of table organizations |  | '
                 'The fields look separated by ";": pass delimiter => '';''. The header names columns of the table: see README.md#tables-and-their-csv-copy-formats.', :'f_orgs'),
          'a ";" file read with ",": 22023 with a hint naming the delimiter');

-- organizations_semicolon_bad_line3.csv: size band "huge" on line 3 (header = line 1).
SELECT matches(pg_temp.load_error('organizations', :'f_bad', ';'),
               '^23514 \| load_csv: .*_bad\.csv: line 3: new row for relation "organizations" violates check constraint "organizations_size_band_known" \| Failing row contains .*SB-2, Two; second.*\| Nothing of the file was loaded\.$',
               'a bad row in a ";" file with CR LF: line 3');
SELECT is((SELECT count(*) FROM ismseval.organizations WHERE code LIKE 'SB-%'), 0::bigint, 'nothing of it loaded');

-- threats_noheader_bom_crlf.csv: no header; the mark before the first field (threat_id 100501)
-- must not reach the integer cast.
SELECT is(ismseval.load_csv('threats', :'f_thr', delimiter => ';', header => false), 2::bigint, 'no header, with a mark: 2 rows (named arguments)');
SELECT is((SELECT string_agg(concat_ws('|', threat_id, coalesce(organization_id::text, '-'), code, category, name,
                                       coalesce(description, '-'), created_at::date), ' / ' ORDER BY threat_id)
           FROM ismseval.threats WHERE code LIKE 'TX-%'),
          '100501|-|TX-1|other|Spilt coffee; keyboard|on "the" desk|2026-01-01 / 100502|-|TX-2|physical|Flood|-|2026-01-02',
          'their values, in table column order');
SELECT is(pg_temp.load_error('organizations', :'f_orgs', ';', false),
          format('22P04 | load_csv: %s: line 1: missing data for column "size_band" |  | ', :'f_orgs'),
          'header => false: line 1 is a row, of 9 fields (organization_id .. created_at); this one has 5');

-- The options are checked: 22023 naming the option, 22004 for NULL.
SELECT is(pg_temp.load_error('organizations', :'f_orgs', ';;'),
          '22023 | load_csv: delimiter must be one single-byte character, got ";;" |  | Exports use "," or ";": see README.md#functions (load_csv).',
          'two characters');
SELECT is(pg_temp.load_error('organizations', :'f_orgs', ''),
          '22023 | load_csv: delimiter must be one single-byte character, got "" |  | Exports use "," or ";": see README.md#functions (load_csv).',
          'empty delimiter');
SELECT is(pg_temp.load_error('organizations', :'f_orgs', '§'),
          '22023 | load_csv: delimiter must be one single-byte character, got "§" |  | Exports use "," or ";": see README.md#functions (load_csv).',
          'a two-byte character');
SELECT is(pg_temp.load_error('organizations', :'f_orgs', '"'),
          '22023 | load_csv: delimiter must not be the quote character ("), a line break or a control character other than tab, got ''"'' |  | ',
          'the quote character');
SELECT is(pg_temp.load_error('organizations', :'f_orgs', E'\n'),
          '22023 | load_csv: delimiter must not be the quote character ("), a line break or a control character other than tab, got chr(10) |  | ',
          'a line feed');
SELECT is(pg_temp.load_error('organizations', :'f_orgs', E'\r'),
          '22023 | load_csv: delimiter must not be the quote character ("), a line break or a control character other than tab, got chr(13) |  | ',
          'a carriage return');
SELECT is(pg_temp.load_error('organizations', :'f_orgs', E'\x01'),
          '22023 | load_csv: delimiter must not be the quote character ("), a line break or a control character other than tab, got chr(1) |  | ',
          'another control character');
SELECT is(pg_temp.load_error('organizations', :'f_orgs', NULL),
          '22004 | load_csv: table_name, path, delimiter and header must not be NULL |  | ', 'NULL delimiter');
SELECT is(pg_temp.load_error('organizations', :'f_orgs', ';', NULL),
          '22004 | load_csv: table_name, path, delimiter and header must not be NULL |  | ', 'NULL header');
SELECT is((SELECT count(*) FROM pg_proc WHERE proname IN ('load_csv', 'csv_header_columns')
             AND pronamespace = 'ismseval'::regnamespace), 2::bigint,
          'one definition each of load_csv and csv_header_columns (the two-argument calls use the defaults)');

-- csv_header_columns with other delimiters: blanks around unquoted names dropped, the
-- delimiter inside quotes kept; a tab delimiter keeps its fields apart (empty ones too).
SELECT is(ismseval.csv_header_columns(chr(65279) || 'a; "b;c" ;d' || E'\r', ';'), ARRAY['a', 'b;c', 'd'], 'csv_header_columns with ";"');
SELECT is(ismseval.csv_header_columns(E'a\t\tc', E'\t'), ARRAY['a', '', 'c'], 'with a tab: the empty field kept');
SELECT is(ismseval.csv_header_columns('a|b.c|"d|e"', '|'), ARRAY['a', 'b.c', 'd|e'], 'with "|" (a regular expression operator)');
SELECT is(ismseval.csv_header_columns('a]b^c', ']'), ARRAY['a', 'b^c'], 'with "]"');

-- Interop: the header of CISO Assistant's risk-assessment CSV (";"-separated, 15 columns), read
-- from ../shared/interop/ciso-assistant/ when it is there (test input only, never copied here).
\set interop `f=../shared/interop/ciso-assistant/csv/RA_sample.csv; if [ -f "$f" ]; then head -n 1 "$f" | base64 -w0; else echo none; fi`
SELECT CASE WHEN :'interop' = 'none'
            THEN skip('no ../shared/interop/ciso-assistant/csv/RA_sample.csv: interop check skipped', 1)
            ELSE is((SELECT cardinality(c) || ' columns, ' || count(*) FILTER (WHERE x LIKE '%;%' OR x = '') || ' with ";" or empty'
                     FROM ismseval.csv_header_columns(rtrim(convert_from(decode(:'interop', 'base64'), 'UTF8'), E'\n'), ';') c,
                          unnest(c) x GROUP BY c),
                    '15 columns, 0 with ";" or empty', 'a real CISO Assistant header splits into its 15 columns') END;

SELECT * FROM finish();
ROLLBACK;
