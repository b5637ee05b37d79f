-- Loading the model from CSV files (CSV with a header line naming the columns).
--
-- load_csv(table_name, path, delimiter, header) reads a server-side file (the caller
-- needs the rights of COPY FROM a file: superuser or pg_read_server_files), checks the
-- header against the table, and loads all rows or none: the first row that breaks a
-- type, constraint, foreign key or trigger is reported with its line number, and
-- nothing of the file stays loaded. Real exports differ in their separator (CISO
-- Assistant and Excel in many locales write ";"), may start with a UTF-8 byte-order
-- mark and end lines with CR LF: all are read.

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
