/*
 * risk_matrix_io.c: the text and binary forms of the risk_matrix type (the
 * jsonb form is in risk_matrix_json.c).
 *
 * Text grammar (keywords in any case, whitespace between any two tokens):
 *
 *   matrix   ::= 'likelihood' INT 'impact' INT 'levels' '(' level {',' level} ')' mapping
 *   level    ::= name COLOUR
 *   mapping  ::= 'thresholds' '(' INT {',' INT} ')'
 *              | 'grid' '(' row {',' row} ')'
 *   row      ::= '(' cell {',' cell} ')'
 *   cell     ::= INT | name
 *   name     ::= '"' { any character but '"' | '""' } '"'
 *              | bare: a letter, '_' or non-ASCII, then letters, digits, '_', non-ASCII
 *   COLOUR   ::= '#' six hex digits
 *
 * The output is canonical: lower-case keywords, single spaces, every name
 * quoted, colours upper case, grid cells as level indices.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "ismseval.h"
#include "risk_matrix.h"

PG_FUNCTION_INFO_V1(risk_matrix_in);
PG_FUNCTION_INFO_V1(risk_matrix_out);
PG_FUNCTION_INFO_V1(risk_matrix_recv);
PG_FUNCTION_INFO_V1(risk_matrix_send);

/* ---------- text input ---------- */

/* The state of the text parser. */
typedef struct RmParser
{
	const char *input;			/* the whole literal */
	const char *p;				/* the next character */
} RmParser;

/*
 * Raises 22P02 for a syntax error at the parser's position: the detail is
 * the formatted description of what was wrong, then where.
 */
static void
pg_attribute_noreturn()
pg_attribute_printf(2, 3)
rm_syntax_error(RmParser *ps, const char *fmt,...)
{
	StringInfoData what;

	initStringInfo(&what);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&what, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&what, needed);
	}
	if (*ps->p == '\0')
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_TEXT, ps->input),
				 errdetail("%s at end of input.", what.data)));
	ereport(ERROR,
			(rm_errsource(RM_SOURCE_TEXT, ps->input),
			 errdetail("%s at character %d.", what.data, (int) (ps->p - ps->input) + 1)));
}

/* Raises 22P02 for a literal that parses but is not a valid matrix: the detail is given. */
#define rm_literal_error(ps, ...) \
	ereport(ERROR, \
			(rm_errsource(RM_SOURCE_TEXT, (ps)->input), \
			 errdetail(__VA_ARGS__)))

/* Skips white space. */
static void
rm_skip_ws(RmParser *ps)
{
	ps->p = ismseval_skip_space(ps->p);
}

/* True for a character that may start a bare name. */
static bool
rm_is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		IS_HIGHBIT_SET(c);
}

/* True for a character that may continue a bare name. */
static bool
rm_is_name_char(char c)
{
	return rm_is_name_start(c) || (c >= '0' && c <= '9');
}

/* Consumes keyword kw (any case) followed by a non-name character, or fails. */
static void
rm_expect_keyword(RmParser *ps, const char *kw)
{
	size_t		len = strlen(kw);

	rm_skip_ws(ps);
	if (pg_strncasecmp(ps->p, kw, len) != 0 || rm_is_name_char(ps->p[len]))
		rm_syntax_error(ps, "Expected \"%s\"", kw);
	ps->p += len;
}

/* Consumes character c, or fails. */
static void
rm_expect_char(RmParser *ps, char c)
{
	rm_skip_ws(ps);
	if (*ps->p != c)
		rm_syntax_error(ps, "Expected \"%c\"", c);
	ps->p++;
}

/* Consumes "," (returning true) or close (returning false), or fails. */
static bool
rm_comma_or_close(RmParser *ps, char close)
{
	rm_skip_ws(ps);
	if (*ps->p == ',')
	{
		ps->p++;
		return true;
	}
	if (*ps->p == close)
	{
		ps->p++;
		return false;
	}
	rm_syntax_error(ps, "Expected \",\" or \"%c\"", close);
	return false;				/* not reached */
}

/* Parses a non-negative decimal integer of at most 9 digits. */
static int
rm_parse_int(RmParser *ps, const char *what)
{
	int			value = 0;
	int			digits = 0;

	rm_skip_ws(ps);
	if (*ps->p < '0' || *ps->p > '9')
		rm_syntax_error(ps, "Expected %s (a non-negative integer)", what);
	while (*ps->p >= '0' && *ps->p <= '9')
	{
		if (++digits > 9)
			rm_syntax_error(ps, "Too many digits in %s", what);
		value = value * 10 + (*ps->p - '0');
		ps->p++;
	}
	if (rm_is_name_char(*ps->p))
		rm_syntax_error(ps, "Expected %s (a non-negative integer)", what);
	return value;
}

/* Parses a quoted or bare name; sets *len and returns it (not terminated). */
static const char *
rm_parse_name(RmParser *ps, int *len)
{
	const char *start;

	rm_skip_ws(ps);
	if (*ps->p == '"')
	{
		StringInfoData buf;

		initStringInfo(&buf);
		ps->p++;
		for (;;)
		{
			if (*ps->p == '\0')
				rm_syntax_error(ps, "Unterminated quoted level name");
			if (*ps->p == '"')
			{
				if (ps->p[1] != '"')
					break;
				ps->p++;
			}
			appendStringInfoChar(&buf, *ps->p);
			ps->p++;
		}
		ps->p++;
		*len = buf.len;
		return buf.data;
	}
	if (!rm_is_name_start(*ps->p))
		rm_syntax_error(ps, "Expected a level name (quoted with \" or a bare word)");
	start = ps->p;
	while (rm_is_name_char(*ps->p))
		ps->p++;
	*len = ps->p - start;
	return start;
}

/* Parses a colour #RRGGBB. */
static uint32
rm_parse_colour_token(RmParser *ps)
{
	uint32		colour;

	rm_skip_ws(ps);
	if (strnlen(ps->p, 7) < 7 || !rm_parse_colour(ps->p, 7, &colour) || rm_is_name_char(ps->p[7]))
		rm_syntax_error(ps, "Expected a colour \"#RRGGBB\"");
	ps->p += 7;
	return colour;
}

/* Parses a scale size after its keyword and checks it is 2..10. */
static int
rm_parse_scale(RmParser *ps, const char *kw)
{
	int			size;

	rm_expect_keyword(ps, kw);
	size = rm_parse_int(ps, psprintf("the %s scale size", kw));
	if (size < RM_MIN_SCALE || size > RM_MAX_SCALE)
		rm_literal_error(ps, "The %s scale must have between %d and %d levels, got %d.",
						 kw, RM_MIN_SCALE, RM_MAX_SCALE, size);
	return size;
}

/* Parses the level list "( name colour, ... )". */
static void
rm_parse_levels(RmParser *ps, RiskMatrixSpec *spec)
{
	rm_expect_keyword(ps, "levels");
	rm_expect_char(ps, '(');
	spec->nlevels = 0;
	do
	{
		if (spec->nlevels >= RM_MAX_LEVELS)
			rm_syntax_error(ps, "More than %d levels", RM_MAX_LEVELS);
		spec->names[spec->nlevels] = rm_parse_name(ps, &spec->namelens[spec->nlevels]);
		spec->colours[spec->nlevels] = rm_parse_colour_token(ps);
		spec->nlevels++;
	} while (rm_comma_or_close(ps, ')'));
	if (spec->nlevels < RM_MIN_LEVELS)
		rm_literal_error(ps, "A risk matrix must have between %d and %d levels, got %d.",
						 RM_MIN_LEVELS, RM_MAX_LEVELS, spec->nlevels);
}

/* Parses one grid cell: a level index or a level name. */
static int
rm_parse_cell(RmParser *ps, RiskMatrixSpec *spec, int lik, int imp)
{
	const char *name;
	int			len,
				rank;

	rm_skip_ws(ps);
	if (*ps->p >= '0' && *ps->p <= '9')
		return rm_parse_int(ps, "a level index");
	name = rm_parse_name(ps, &len);
	for (rank = 0; rank < spec->nlevels; rank++)
		if (spec->namelens[rank] == len && memcmp(spec->names[rank], name, len) == 0)
			return rank;
	rm_literal_error(ps, "Grid cell (likelihood %d, impact %d) names an unknown level \"%s\".",
					 lik, imp, ismseval_excerpt(name, len));
	return 0;					/* not reached */
}

/* Parses the mapping: "thresholds (...)" or "grid ((...), ...)". */
static void
rm_parse_mapping(RmParser *ps, RiskMatrixSpec *spec)
{
	rm_skip_ws(ps);
	if (pg_strncasecmp(ps->p, "thresholds", 10) == 0 && !rm_is_name_char(ps->p[10]))
	{
		int			n = 1;

		spec->form = RM_FORM_THRESHOLDS;
		ps->p += 10;
		rm_expect_char(ps, '(');
		do
		{
			rm_skip_ws(ps);
			if (n >= spec->nlevels)
				rm_syntax_error(ps, "More thresholds than the %d expected (one per level above the first)",
								spec->nlevels - 1);
			spec->thresholds[n++] = rm_parse_int(ps, "a threshold");
		} while (rm_comma_or_close(ps, ')'));
		if (n != spec->nlevels)
			rm_literal_error(ps, "The thresholds must have %d entries (one per level above the first), got %d.",
							 spec->nlevels - 1, n - 1);
	}
	else if (pg_strncasecmp(ps->p, "grid", 4) == 0 && !rm_is_name_char(ps->p[4]))
	{
		int			row = 0;

		spec->form = RM_FORM_GRID;
		ps->p += 4;
		rm_expect_char(ps, '(');
		do
		{
			int			col = 0;

			rm_skip_ws(ps);
			if (row >= spec->nlik)
				rm_syntax_error(ps, "More grid rows than the %d of the likelihood scale", spec->nlik);
			rm_expect_char(ps, '(');
			do
			{
				rm_skip_ws(ps);
				if (col >= spec->nimp)
					rm_syntax_error(ps, "More cells in grid row %d than the %d of the impact scale",
									row + 1, spec->nimp);
				spec->grid[row * spec->nimp + col] = rm_parse_cell(ps, spec, row + 1, col + 1);
				col++;
			} while (rm_comma_or_close(ps, ')'));
			if (col != spec->nimp)
				rm_literal_error(ps, "Grid row %d (likelihood %d) must have %d cells (one per impact level), got %d.",
								 row + 1, row + 1, spec->nimp, col);
			row++;
		} while (rm_comma_or_close(ps, ')'));
		if (row != spec->nlik)
			rm_literal_error(ps, "The grid must have %d rows (one per likelihood level), got %d.",
							 spec->nlik, row);
	}
	else
		rm_syntax_error(ps, "Expected \"thresholds\" or \"grid\"");
}

/* risk_matrix_in(cstring): parses the text form. */
Datum
risk_matrix_in(PG_FUNCTION_ARGS)
{
	RmParser	ps;
	RiskMatrixSpec *spec = palloc0(sizeof(RiskMatrixSpec));

	ps.input = PG_GETARG_CSTRING(0);
	ps.p = ps.input;
	rm_skip_ws(&ps);
	if (*ps.p == '\0')
		rm_literal_error(&ps, "The input is empty.");
	spec->nlik = rm_parse_scale(&ps, "likelihood");
	spec->nimp = rm_parse_scale(&ps, "impact");
	rm_parse_levels(&ps, spec);
	rm_parse_mapping(&ps, spec);
	rm_skip_ws(&ps);
	if (*ps.p != '\0')
		rm_syntax_error(&ps, "Unexpected characters after the mapping");
	PG_RETURN_POINTER(rm_pack(spec, RM_SOURCE_TEXT, ps.input));
}

/* ---------- text output ---------- */

/* Appends name, quoted, with '"' doubled. */
static void
rm_append_quoted(StringInfo buf, const char *name, int len)
{
	int			i;

	appendStringInfoChar(buf, '"');
	for (i = 0; i < len; i++)
	{
		if (name[i] == '"')
			appendStringInfoChar(buf, '"');
		appendStringInfoChar(buf, name[i]);
	}
	appendStringInfoChar(buf, '"');
}

/* risk_matrix_out(risk_matrix): the canonical text form. */
Datum
risk_matrix_out(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	StringInfoData buf;
	int			i,
				j;

	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	initStringInfo(&buf);
	appendStringInfo(&buf, "likelihood %d impact %d levels (", view.nlik, view.nimp);
	for (i = 0; i < view.nlevels; i++)
	{
		int			len;
		const char *name = rm_level_name(&view, i, &len);
		char		colour[8];

		rm_level_colour(&view, i, colour);
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		rm_append_quoted(&buf, name, len);
		appendStringInfo(&buf, " %s", colour);
	}
	if (view.form == RM_FORM_THRESHOLDS)
	{
		appendStringInfoString(&buf, ") thresholds (");
		for (i = 1; i < view.nlevels; i++)
			appendStringInfo(&buf, i > 1 ? ", %d" : "%d", view.thresholds[i]);
		appendStringInfoChar(&buf, ')');
	}
	else
	{
		appendStringInfoString(&buf, ") grid (");
		for (i = 0; i < view.nlik; i++)
		{
			appendStringInfoString(&buf, i > 0 ? ", (" : "(");
			for (j = 0; j < view.nimp; j++)
				appendStringInfo(&buf, j > 0 ? ", %d" : "%d", view.grid[i * view.nimp + j]);
			appendStringInfoChar(&buf, ')');
		}
		appendStringInfoChar(&buf, ')');
	}
	PG_RETURN_CSTRING(buf.data);
}

/* ---------- binary form ----------
 *
 *   int8 layout version (1), int8 form (0 thresholds, 1 grid),
 *   int32 likelihood size, int32 impact size, int32 number of levels N,
 *   N x (int32 name length, name bytes in the client encoding, int32 colour 0xRRGGBB),
 *   then N-1 x int32 thresholds (form 0) or likelihood x impact x int32 level indices (form 1).
 */

/* Raises 22P03 unless n bytes are left in buf. */
static void
rm_recv_need(StringInfo buf, int64 n, const char *what)
{
	if (n < 0 || n > (int64) (buf->len - buf->cursor))
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail("The %s needs %lld bytes, the data has only %d.",
						   what, (long long) n, buf->len - buf->cursor)));
}

/* Reads an int32 after checking it is there. */
static int32
rm_recv_int32(StringInfo buf, const char *what)
{
	rm_recv_need(buf, 4, what);
	return (int32) pq_getmsgint(buf, 4);
}

/* Reads an int32 and checks it is within [low, high]. */
static int32
rm_recv_int32_range(StringInfo buf, const char *what, int32 low, int32 high)
{
	int32		value = rm_recv_int32(buf, what);

	if (value < low || value > high)
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail("The %s must be between %d and %d, got %d.",
						   what, low, high, value)));
	return value;
}

/* Reads one level name: length, bytes in the client encoding; returns it in the server's. */
static const char *
rm_recv_name(StringInfo buf, int rank, int *len)
{
	int32		n = rm_recv_int32_range(buf, psprintf("name length of level %d", rank), 1, RM_MAX_NAME);
	const char *bytes;
	char	   *name;

	rm_recv_need(buf, n, psprintf("name of level %d", rank));
	bytes = pq_getmsgbytes(buf, n);
	if (memchr(bytes, '\0', n) != NULL ||
		!pg_verify_mbstr(pg_get_client_encoding(), bytes, n, true))
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail("The name of level %d is not valid text in the client encoding.",
						   rank)));
	name = pg_client_to_server(bytes, n);
	if (name == bytes)
		name = pnstrdup(bytes, n);
	*len = strlen(name);
	return name;
}

/* risk_matrix_recv(internal): reads and validates the binary form. */
Datum
risk_matrix_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	RiskMatrixSpec *spec = palloc0(sizeof(RiskMatrixSpec));
	int			version,
				i;

	rm_recv_need(buf, 2, "header");
	version = pq_getmsgbyte(buf);
	if (version != RM_LAYOUT_VERSION)
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail("The format version must be %d, got %d.",
						   RM_LAYOUT_VERSION, version)));
	spec->form = pq_getmsgbyte(buf);
	if (spec->form != RM_FORM_THRESHOLDS && spec->form != RM_FORM_GRID)
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail("The mapping form must be 0 (thresholds) or 1 (grid), got %d.",
						   spec->form)));
	spec->nlik = rm_recv_int32_range(buf, "likelihood scale size", RM_MIN_SCALE, RM_MAX_SCALE);
	spec->nimp = rm_recv_int32_range(buf, "impact scale size", RM_MIN_SCALE, RM_MAX_SCALE);
	spec->nlevels = rm_recv_int32_range(buf, "number of levels", RM_MIN_LEVELS, RM_MAX_LEVELS);
	for (i = 0; i < spec->nlevels; i++)
	{
		spec->names[i] = rm_recv_name(buf, i, &spec->namelens[i]);
		spec->colours[i] = rm_recv_int32_range(buf, psprintf("colour of level %d", i), 0, 0xFFFFFF);
	}
	if (spec->form == RM_FORM_THRESHOLDS)
	{
		rm_recv_need(buf, 4 * (int64) (spec->nlevels - 1), "thresholds");
		for (i = 1; i < spec->nlevels; i++)
			spec->thresholds[i] = pq_getmsgint(buf, 4);
	}
	else
	{
		rm_recv_need(buf, 4 * (int64) (spec->nlik * spec->nimp), "grid");
		for (i = 0; i < spec->nlik * spec->nimp; i++)
			spec->grid[i] = pq_getmsgint(buf, 4);
	}
	if (buf->cursor != buf->len)
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail_plural("%d byte is left after the mapping.",
								  "%d bytes are left after the mapping.",
								  buf->len - buf->cursor, buf->len - buf->cursor)));
	PG_RETURN_POINTER(rm_pack(spec, RM_SOURCE_BINARY, NULL));
}

/* risk_matrix_send(risk_matrix): the binary form. */
Datum
risk_matrix_send(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	StringInfoData buf;
	int			i;

	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, RM_LAYOUT_VERSION);
	pq_sendbyte(&buf, view.form);
	pq_sendint32(&buf, view.nlik);
	pq_sendint32(&buf, view.nimp);
	pq_sendint32(&buf, view.nlevels);
	for (i = 0; i < view.nlevels; i++)
	{
		int			len;
		const char *name = rm_level_name(&view, i, &len);
		const uint8 *c = view.colours + 3 * i;

		pq_sendcountedtext(&buf, name, len, false);
		pq_sendint32(&buf, (c[0] << 16) | (c[1] << 8) | c[2]);
	}
	if (view.form == RM_FORM_THRESHOLDS)
		for (i = 1; i < view.nlevels; i++)
			pq_sendint32(&buf, view.thresholds[i]);
	else
		for (i = 0; i < view.nlik * view.nimp; i++)
			pq_sendint32(&buf, view.grid[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
