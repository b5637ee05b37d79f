/*
 * svg.c: the parts every SVG chart shares (svg.h): escaping caller text,
 * printing numbers, opening and closing a document, wrapping labels.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "svg.h"

/* Appends text XML-escaped, without C0/C1 control characters or U+FFFE/U+FFFF. */
void
svg_text(StringInfo buf, const char *s, int len)
{
	bool		utf8 = GetDatabaseEncoding() == PG_UTF8;
	int			i = 0;

	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f)
			i++;
		else if (utf8 && c == 0xc2 && i + 1 < len &&
				 (unsigned char) s[i + 1] >= 0x80 && (unsigned char) s[i + 1] <= 0x9f)
			i += 2;
		else if (utf8 && c == 0xef && i + 2 < len && (unsigned char) s[i + 1] == 0xbf &&
				 ((unsigned char) s[i + 2] == 0xbe || (unsigned char) s[i + 2] == 0xbf))
			i += 3;
		else
		{
			switch (c)
			{
				case '&':
					appendStringInfoString(buf, "&amp;");
					break;
				case '<':
					appendStringInfoString(buf, "&lt;");
					break;
				case '>':
					appendStringInfoString(buf, "&gt;");
					break;
				case '"':
					appendStringInfoString(buf, "&quot;");
					break;
				case '\'':
					appendStringInfoString(buf, "&#39;");
					break;
				default:
					appendStringInfoChar(buf, (char) c);
			}
			i++;
		}
	}
}

/* Appends a C string XML-escaped. */
void
svg_cstring(StringInfo buf, const char *s)
{
	svg_text(buf, s, strlen(s));
}

/* Appends a number without decimals when it is whole, else with the given decimals; never "-0". */
void
svg_value(StringInfo buf, double v, int decimals)
{
	char		tmp[64];

	v += 0.0;
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(tmp, sizeof(tmp), "%.0f", v);
	else
		snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	if (strcmp(tmp, "-0") == 0 || (tmp[0] == '-' && strspn(tmp + 1, "0.") == strlen(tmp + 1)))
		appendStringInfoString(buf, tmp + 1);
	else
		appendStringInfoString(buf, tmp);
}

/* Opens the document: root element, <title>, white background and the visible title. */
void
svg_begin(StringInfo buf, int width, int height, const char *title, int titlelen)
{
	appendStringInfo(buf,
					 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
					 "viewBox=\"0 0 %d %d\" font-family=\"%s\">\n",
					 width, height, width, height, SVG_FONT_FAMILY);
	if (title != NULL)
	{
		appendStringInfoString(buf, "<title>");
		svg_text(buf, title, titlelen);
		appendStringInfoString(buf, "</title>\n");
	}
	appendStringInfo(buf, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
					 width, height);
	if (title != NULL)
		svg_label(buf, width / 2.0, 30, "middle", "font-size=\"17\" font-weight=\"bold\" fill=\"" SVG_INK "\"",
				  title, titlelen);
}

/* Closes the document. */
void
svg_end(StringInfo buf)
{
	appendStringInfoString(buf, "</svg>\n");
}

/* Appends a <text> element at (x, y) with anchor and extra attributes, its content escaped. */
void
svg_label(StringInfo buf, double x, double y, const char *anchor,
		  const char *attrs, const char *s, int len)
{
	appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\"%s%s>",
					 x, y, anchor, attrs ? " " : "", attrs ? attrs : "");
	svg_text(buf, s, len);
	appendStringInfoString(buf, "</text>\n");
}

/* The byte length of the character at s (1 outside UTF-8 or for a broken sequence). */
static int
char_bytes(const char *s, int left)
{
	int			n;

	if (GetDatabaseEncoding() != PG_UTF8)
		return pg_mblen(s) <= left ? pg_mblen(s) : 1;
	n = pg_utf_mblen((const unsigned char *) s);
	return (n >= 1 && n <= left) ? n : 1;
}

/* The display width of a UTF-8 string in "en" units: 1 per narrow character, 2 per wide one. */
int
svg_text_width(const char *s, int len)
{
	int			w = 0;
	int			i = 0;

	while (i < len)
	{
		int			n = char_bytes(s + i, len - i);

		w += n >= 3 ? 2 : 1;
		i += n;
	}
	return w;
}

/*
 * Splits a label into at most maxlines lines of at most maxwidth en units, at
 * spaces where it can; a label that does not fit ends in an ellipsis.
 */
int
svg_wrap(const char *s, int len, int maxwidth, int maxlines, int *starts, int *lens, bool *truncated)
{
	int			line = 0;
	int			pos = 0;

	*truncated = false;
	while (line < maxlines)
	{
		int			w = 0;
		int			i;
		int			lastspace = -1;
		bool		last = line == maxlines - 1;
		int			limit;

		while (pos < len && s[pos] == ' ')
			pos++;
		if (pos >= len)
			break;
		/* the last line keeps room for the ellipsis unless the rest fits */
		limit = (last && svg_text_width(s + pos, len - pos) > maxwidth) ? maxwidth - 1 : maxwidth;
		i = pos;
		while (i < len)
		{
			int			n = char_bytes(s + i, len - i);
			int			cw = n >= 3 ? 2 : 1;

			if (w + cw > limit)
				break;
			if (s[i] == ' ')
				lastspace = i;
			w += cw;
			i += n;
		}
		if (i < len && !last && lastspace > pos)
			i = lastspace;
		if (i < len && last)
			*truncated = true;
		starts[line] = pos;
		lens[line] = i - pos;
		line++;
		pos = i;
	}
	return line;
}

/* The i-th element of a text[] argument (NULL when absent, NULL or past the end). */
text *
svg_text_arg(ArrayType *arr, int i)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (arr == NULL)
		return NULL;
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (i >= n || nulls[i])
		return NULL;
	return DatumGetTextPP(elems[i]);
}

/* Raises 22023 unless arr is at most one-dimensional; returns its element count. */
int
svg_array_length(ArrayType *arr, const char *argname)
{
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array, got %d dimensions",
						argname, ARR_NDIM(arr))));
	return ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
}

/* Checks a colour argument: "#RRGGBB"; raises 22023 otherwise. */
void
svg_check_colour(const char *s, int len, const char *argname)
{
	int			i;
	bool		ok = len == 7 && s[0] == '#';

	for (i = 1; ok && i < 7; i++)
		ok = isxdigit((unsigned char) s[i]);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a colour #RRGGBB, got \"%s\"", argname, pnstrdup(s, Min(len, 20)))));
}
