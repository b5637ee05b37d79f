/*
 * svg.h: writing SVG documents (svg.c), shared by the chart files
 * (radar_svg.c, heatmap_svg.c, trend_svg.c, peer_position_svg.c).
 *
 * Every chart is deterministic: coordinates are printed with %.2f (the backend
 * runs with LC_NUMERIC=C), and the same input gives the same bytes. Every piece
 * of caller text goes through svg_text, which XML-escapes it and drops
 * characters XML 1.0 does not allow.
 */
#ifndef ISMSEVAL_SVG_H
#define ISMSEVAL_SVG_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"

/* Fonts tried in order: Latin first, then Japanese ones (fonts-noto-cjk on Debian). */
#define SVG_FONT_FAMILY "'DejaVu Sans', 'Noto Sans', 'Noto Sans CJK JP', 'Noto Sans JP', " \
	"'Hiragino Sans', 'Yu Gothic', 'Meiryo', Arial, sans-serif"

/* Text colours */
#define SVG_INK "#212121"
#define SVG_MUTED "#616161"

/* Appends text XML-escaped, without C0/C1 control characters or U+FFFE/U+FFFF. */
extern void svg_text(StringInfo buf, const char *s, int len);

/* Appends a C string XML-escaped. */
extern void svg_cstring(StringInfo buf, const char *s);

/* Appends a number without decimals when it is whole, else with the given decimals; never "-0". */
extern void svg_value(StringInfo buf, double v, int decimals);

/* Opens the document: root element, <title>, white background and the visible title. */
extern void svg_begin(StringInfo buf, int width, int height, const char *title, int titlelen);

/* Closes the document. */
extern void svg_end(StringInfo buf);

/* Appends a <text> element at (x, y) with anchor and extra attributes, its content escaped. */
extern void svg_label(StringInfo buf, double x, double y, const char *anchor,
					  const char *attrs, const char *s, int len);

/* The display width of a UTF-8 string in "en" units: 1 per narrow character, 2 per wide one. */
extern int	svg_text_width(const char *s, int len);

/*
 * Splits a label into at most maxlines lines of at most maxwidth en units, at
 * spaces where it can; a label that does not fit ends in an ellipsis. Fills
 * starts/lens (byte offsets and lengths, maxlines each; the ellipsis is not
 * included in lens) and sets *truncated; returns the number of lines.
 */
extern int	svg_wrap(const char *s, int len, int maxwidth, int maxlines,
					 int *starts, int *lens, bool *truncated);

/* The i-th element of a text[] argument (NULL when absent, NULL or past the end). */
extern text *svg_text_arg(ArrayType *arr, int i);

/* Raises 22023 unless arr is at most one-dimensional; returns its element count. */
extern int	svg_array_length(ArrayType *arr, const char *argname);

/* Checks a colour argument: "#RRGGBB"; raises 22023 otherwise. */
extern void svg_check_colour(const char *s, int len, const char *argname);

#endif							/* ISMSEVAL_SVG_H */
