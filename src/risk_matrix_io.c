/*
 * risk_matrix_io.c: the text and binary forms of the risk_matrix type (the
 * jsonb form is in risk_matrix_json.c).
 *
 * Text grammar (keywords in any case, whitespace between any two tokens):
 *
 *   matrix   ::= 'likelihood' INT [entries] 'impact' INT [entries]
 *                'levels' '(' entry {',' entry} ')' mapping
 *   entries  ::= '(' entry {',' entry} ')'      -- one per scale entry, 1 first
 *   entry    ::= name [COLOUR] [labels]         -- a level without a colour takes the palette's
 *   labels   ::= a JSON object with "abbreviation", "description" and/or
 *                "translations": {"fr": {"name": ..., "description": ...}, ...}
 *   mapping  ::= 'thresholds' '(' INT {',' INT} ')'
 *              | 'grid' '(' row {',' row} ')'
 *   row      ::= '(' cell {',' cell} ')'
 *   cell     ::= INT | name
 *   name     ::= '"' { any character but '"' | '""' } '"'
 *              | bare: a letter, '_' or non-ASCII, then letters, digits, '_', non-ASCII
 *   COLOUR   ::= '#' six hex digits
 *
 * The output is canonical: lower-case keywords, single spaces, every name
 * quoted, colours upper case, grid cells as level indices; a scale's entries
 * only when one of them has a label, a level's colour only when it is not the
 * palette's, a labels object only when it is not empty.
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

/*
 * Skips the JSON object at the parser's position (strings and nesting
 * followed) and returns its start; *len is its length.
 */
static const char *
rm_scan_json_object(RmParser *ps, int *len)
{
	const char *start = ps->p;
	int			depth = 0;
	bool		in_string = false;

	for (;;)
	{
		char		c = *ps->p;

		if (c == '\0')
			rm_syntax_error(ps, "Unterminated labels object");
		ps->p++;
		if (in_string)
		{
			if (c == '\\' && *ps->p != '\0')
				ps->p++;
			else if (c == '"')
				in_string = false;
		}
		else if (c == '"')
			in_string = true;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			break;
	}
	*len = ps->p - start;
	return start;
}

/*
 * Parses the colour and labels object that may follow the name of entry i of
 * part; a level without a colour takes the default palette's.
 */
static void
rm_parse_entry_tail(RmParser *ps, RiskMatrixSpec *spec, int part, int i)
{
	RmLabel    *label = &spec->labels[RM_SLOT(part, i)];

	rm_skip_ws(ps);
	if (*ps->p == '#')
	{
		uint32		colour = rm_parse_colour_token(ps);

		if (part == RM_PART_LEVEL)
			spec->colours[i] = colour;
		else
		{
			label->has_colour = true;
			label->colour = colour;
		}
	}
	else if (part == RM_PART_LEVEL)
		label->default_colour = true;
	rm_skip_ws(ps);
	if (*ps->p == '{')
	{
		int			len;
		const char *object = rm_scan_json_object(ps, &len);

		rm_labels_from_text(object, len, label, part, i, ps->input);
	}
	rm_skip_ws(ps);
	if (*ps->p != ',' && *ps->p != ')')
		rm_syntax_error(ps, "Expected a colour \"#RRGGBB\", a labels object \"{...}\", \",\" or \")\"");
}

/* Parses the optional entries "( name [colour] [labels], ... )" of a scale (part) of size n. */
static void
rm_parse_scale_entries(RmParser *ps, RiskMatrixSpec *spec, int part, int n)
{
	const char *kw = (part == RM_PART_LIKELIHOOD) ? "likelihood" : "impact";
	int			i = 0;

	rm_skip_ws(ps);
	if (*ps->p != '(')
		return;
	ps->p++;
	do
	{
		RmLabel    *label = &spec->labels[RM_SLOT(part, i)];

		rm_skip_ws(ps);
		if (i >= n)
			rm_syntax_error(ps, "More entries than the %d of the %s scale", n, kw);
		label->name.data = rm_parse_name(ps, &label->name.len);
		rm_parse_entry_tail(ps, spec, part, i);
		i++;
	} while (rm_comma_or_close(ps, ')'));
	if (i != n)
		rm_literal_error(ps, "The %s scale must list %d entries, got %d.", kw, n, i);
}

/* Parses the level list "( name [colour] [labels], ... )". */
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
		rm_parse_entry_tail(ps, spec, RM_PART_LEVEL, spec->nlevels);
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
	rm_parse_scale_entries(&ps, spec, RM_PART_LIKELIHOOD, spec->nlik);
	spec->nimp = rm_parse_scale(&ps, "impact");
	rm_parse_scale_entries(&ps, spec, RM_PART_IMPACT, spec->nimp);
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

/* Appends the colour (when given) and the labels object (when not empty) of an entry. */
static void
rm_append_entry_tail(StringInfo buf, const char *colour, const RmLabel *label)
{
	if (colour != NULL)
		appendStringInfo(buf, " %s", colour);
	if (label->abbreviation.data != NULL || label->description.data != NULL ||
		label->ntranslations > 0)
	{
		appendStringInfoChar(buf, ' ');
		rm_append_labels_json(buf, label);
	}
}

/* Appends " (entry, ...)" for a scale (part) of size n when one of its entries has a label. */
static void
rm_append_scale_entries(StringInfo buf, int part, int n, const RmLabel *labels)
{
	int			i;
	bool		any = false;

	for (i = 0; i < n; i++)
		any |= !rm_label_empty(&labels[RM_SLOT(part, i)]);
	if (!any)
		return;
	appendStringInfoString(buf, " (");
	for (i = 0; i < n; i++)
	{
		const RmLabel *label = &labels[RM_SLOT(part, i)];
		RmText		name = rm_scale_name(label, i);
		char		colour[8];

		if (i > 0)
			appendStringInfoString(buf, ", ");
		rm_append_quoted(buf, name.data, name.len);
		rm_append_entry_tail(buf, rm_label_colour(label, colour), label);
	}
	appendStringInfoChar(buf, ')');
}

/* risk_matrix_out(risk_matrix): the canonical text form. */
Datum
risk_matrix_out(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	StringInfoData buf;
	RmLabel    *labels = palloc(RM_MAX_LABELS * sizeof(RmLabel));
	int			i,
				j;

	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	rm_view_labels(&view, labels);
	initStringInfo(&buf);
	appendStringInfo(&buf, "likelihood %d", view.nlik);
	rm_append_scale_entries(&buf, RM_PART_LIKELIHOOD, view.nlik, labels);
	appendStringInfo(&buf, " impact %d", view.nimp);
	rm_append_scale_entries(&buf, RM_PART_IMPACT, view.nimp, labels);
	appendStringInfoString(&buf, " levels (");
	for (i = 0; i < view.nlevels; i++)
	{
		const RmLabel *label = &labels[RM_SLOT(RM_PART_LEVEL, i)];
		int			len;
		const char *name = rm_level_name(&view, i, &len);
		char		colour[8];

		rm_level_colour(&view, i, colour);
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		rm_append_quoted(&buf, name, len);
		rm_append_entry_tail(&buf, label->default_colour ? NULL : colour, label);
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
 *   int8 format version (2; 1 is still read), int8 form (0 thresholds, 1 grid),
 *   int32 likelihood size, int32 impact size, int32 number of levels N,
 *   N x (int32 name length, name bytes in the client encoding, int32 colour 0xRRGGBB),
 *   then N-1 x int32 thresholds (form 0) or likelihood x impact x int32 level indices (form 1),
 *   then (version 2) L + I + N label entries (likelihood 1..L, impact 1..I, level 0..N-1):
 *     int8 flags (RM_LBL_*), [int32 colour], [text name], [text abbreviation],
 *     [text description], [int32 T, T x (text language, int8 flags (RM_TR_*),
 *     [text name], [text description])]
 *   where a text is an int32 length and bytes in the client encoding.
 */

/* Raises 22P03 unless n bytes are left in buf. */
static void
rm_recv_need(StringInfo buf, int64 n, const char *what)
{
	if (n < 0 || n > (int64) (buf->len - buf->cursor))
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail_plural("The %s needs %lld byte, the data has only %d.",
								  "The %s needs %lld bytes, the data has only %d.",
								  (unsigned long) n,
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

/* Reads an int8 after checking it is there. */
static int
rm_recv_byte(StringInfo buf, const char *what)
{
	rm_recv_need(buf, 1, what);
	return pq_getmsgbyte(buf);
}

/*
 * Reads a text (int32 length of min..max, bytes in the client encoding) and
 * returns it in the server's; errors call it "<key> of <of>".
 */
static RmText
rm_recv_text(StringInfo buf, const char *key, const char *of, int min, int max)
{
	const char *what = psprintf("%s of %s", key, of);
	int32		n = rm_recv_int32_range(buf, psprintf("%s length of %s", key, of), min, max);
	const char *bytes;
	char	   *converted;
	RmText		text;

	rm_recv_need(buf, n, what);
	bytes = pq_getmsgbytes(buf, n);
	if (memchr(bytes, '\0', n) != NULL ||
		!pg_verify_mbstr(pg_get_client_encoding(), bytes, n, true))
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail("The %s is not valid text in the client encoding.", what)));
	converted = pg_client_to_server(bytes, n);
	if (converted == bytes)
		converted = pnstrdup(bytes, n);
	text.data = converted;
	text.len = strlen(converted);
	return text;
}

/* Reads the int8 flags of what (e.g. "label flags of level 0"), which must lie within allowed. */
static int
rm_recv_flags(StringInfo buf, const char *what, int allowed)
{
	int			flags = rm_recv_byte(buf, what);

	if (flags & ~allowed)
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail("The %s must be a combination of 0x%02X, got 0x%02X.",
						   what, allowed, flags)));
	return flags;
}

/* Reads the translations of an entry (of what) into label. */
static void
rm_recv_translations(StringInfo buf, const char *what, RmLabel *label)
{
	int			t;

	label->ntranslations = rm_recv_int32_range(buf, psprintf("number of translations of %s", what),
											   1, RM_MAX_TRANSLATIONS);
	label->translations = palloc0(label->ntranslations * sizeof(RmTranslation));
	for (t = 0; t < label->ntranslations; t++)
	{
		RmTranslation *tr = &label->translations[t];
		const char *trwhat = psprintf("translation %d of %s", t, what);
		int			flags;

		tr->language = rm_recv_text(buf, "language", trwhat, 1, RM_MAX_LANGUAGE);
		flags = rm_recv_flags(buf, psprintf("flags of %s", trwhat), RM_TR_ALL);
		if (flags & RM_TR_NAME)
			tr->name = rm_recv_text(buf, "name", trwhat, 0, RM_MAX_NAME);
		if (flags & RM_TR_DESCRIPTION)
			tr->description = rm_recv_text(buf, "description", trwhat, 0, RM_MAX_DESCRIPTION);
	}
}

/* Reads the label entry of entry i of part. */
static void
rm_recv_label(StringInfo buf, RiskMatrixSpec *spec, int part, int i)
{
	RmLabel    *label = &spec->labels[RM_SLOT(part, i)];
	const char *what = rm_entry_name(RM_SOURCE_BINARY, part, i);
	int			allowed = RM_LBL_ALLOWED(part);
	int			flags = rm_recv_flags(buf, psprintf("label flags of %s", what), allowed);

	if (flags & RM_LBL_COLOUR)
	{
		label->has_colour = true;
		label->colour = rm_recv_int32_range(buf, psprintf("colour of %s", what), 0, 0xFFFFFF);
	}
	if (flags & RM_LBL_NAME)
		label->name = rm_recv_text(buf, "name", what, 1, RM_MAX_NAME);
	if (flags & RM_LBL_ABBREVIATION)
		label->abbreviation = rm_recv_text(buf, "abbreviation", what, 0, RM_MAX_ABBREVIATION);
	if (flags & RM_LBL_DESCRIPTION)
		label->description = rm_recv_text(buf, "description", what, 0, RM_MAX_DESCRIPTION);
	if (flags & RM_LBL_DEFAULT_COLOUR)
	{
		uint32		palette = rm_default_colour(i, spec->nlevels);

		label->default_colour = true;
		if (spec->colours[i] != palette)
			ereport(ERROR,
					(rm_errsource(RM_SOURCE_BINARY, NULL),
					 errdetail("Level %d takes the default palette's colour #%06X, but #%06X is given.",
							   i, palette, spec->colours[i])));
	}
	if (flags & RM_LBL_TRANSLATIONS)
		rm_recv_translations(buf, what, label);
}

/* Reads the label entries of every scale entry and level. */
static void
rm_recv_labels(StringInfo buf, RiskMatrixSpec *spec)
{
	int			i;

	for (i = 0; i < spec->nlik; i++)
		rm_recv_label(buf, spec, RM_PART_LIKELIHOOD, i);
	for (i = 0; i < spec->nimp; i++)
		rm_recv_label(buf, spec, RM_PART_IMPACT, i);
	for (i = 0; i < spec->nlevels; i++)
		rm_recv_label(buf, spec, RM_PART_LEVEL, i);
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
	if (version != RM_LAYOUT_VERSION && version != RM_LAYOUT_VERSION_1)
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail("The format version must be %d or %d, got %d.",
						   RM_LAYOUT_VERSION_1, RM_LAYOUT_VERSION, version)));
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
		RmText		name = rm_recv_text(buf, "name", psprintf("level %d", i), 1, RM_MAX_NAME);

		spec->names[i] = name.data;
		spec->namelens[i] = name.len;
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
	if (version == RM_LAYOUT_VERSION)
		rm_recv_labels(buf, spec);
	if (buf->cursor != buf->len)
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_BINARY, NULL),
				 errdetail_plural("%d byte is left after the %s.",
								  "%d bytes are left after the %s.",
								  buf->len - buf->cursor, buf->len - buf->cursor,
								  version == RM_LAYOUT_VERSION ? "labels" : "mapping")));
	PG_RETURN_POINTER(rm_pack(spec, RM_SOURCE_BINARY, NULL));
}

/* Sends an optional text as int32 length and bytes in the client encoding. */
static void
rm_send_text(StringInfo buf, const RmText *text)
{
	pq_sendcountedtext(buf, text->data, text->len, false);
}

/* Sends the label entry of one scale entry or level. */
static void
rm_send_label(StringInfo buf, const RmLabel *label)
{
	int			t;

	pq_sendbyte(buf, rm_label_flags(label));
	if (label->has_colour)
		pq_sendint32(buf, label->colour);
	if (label->name.data)
		rm_send_text(buf, &label->name);
	if (label->abbreviation.data)
		rm_send_text(buf, &label->abbreviation);
	if (label->description.data)
		rm_send_text(buf, &label->description);
	if (label->ntranslations == 0)
		return;
	pq_sendint32(buf, label->ntranslations);
	for (t = 0; t < label->ntranslations; t++)
	{
		const RmTranslation *tr = &label->translations[t];

		rm_send_text(buf, &tr->language);
		pq_sendbyte(buf, (tr->name.data ? RM_TR_NAME : 0) |
					(tr->description.data ? RM_TR_DESCRIPTION : 0));
		if (tr->name.data)
			rm_send_text(buf, &tr->name);
		if (tr->description.data)
			rm_send_text(buf, &tr->description);
	}
}

/* risk_matrix_send(risk_matrix): the binary form (version 2). */
Datum
risk_matrix_send(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	StringInfoData buf;
	RmLabel    *labels = palloc(RM_MAX_LABELS * sizeof(RmLabel));
	int			i;

	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	rm_view_labels(&view, labels);
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
	for (i = 0; i < view.nlik; i++)
		rm_send_label(&buf, &labels[RM_SLOT(RM_PART_LIKELIHOOD, i)]);
	for (i = 0; i < view.nimp; i++)
		rm_send_label(&buf, &labels[RM_SLOT(RM_PART_IMPACT, i)]);
	for (i = 0; i < view.nlevels; i++)
		rm_send_label(&buf, &labels[RM_SLOT(RM_PART_LEVEL, i)]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
