/*
 * peer_position_svg.c: peer_position_svg(own_pct, peer_mean_pct, peers_below,
 * peers_equal, peers_above, title, labels), an organization's place among its
 * peers as a standalone SVG document, drawn from published aggregates only
 * (no peer's own value is needed or shown).
 *
 * Layout (viewBox 0 0 760 300): a 0-100 % scale (x 60..700) with the peers'
 * mean (triangle, above) and the organization's value (dot, below); under it
 * the peer group as one bar split into the peers below, equal to and above the
 * organization (widths in proportion to the counts, counts printed), with a
 * marker at the organization's mid-rank percentile, 100 x (below + 0.5 x
 * equal) / peers. labels (optional): captions of the own value, the peer mean,
 * the three parts of the bar, a footnote line and the scale.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "ismseval.h"
#include "svg.h"

PG_FUNCTION_INFO_V1(peer_position_svg);

#define PP_WIDTH 760
#define PP_HEIGHT 300
#define PP_LEFT 60.0
#define PP_RIGHT 700.0
#define PP_SCALE_Y 110.0
#define PP_BAR_Y 190.0
#define PP_BAR_H 30.0

static const char *const pp_default_labels[] = {
	"own", "peer mean", "peers below", "equal", "peers above", "", "total score, % of the scale"
};

/* Label k of labels, or its default. */
static void
pp_label(ArrayType *labels, int k, const char **s, int *len)
{
	text	   *t = svg_text_arg(labels, k);

	*s = t ? VARDATA_ANY(t) : pp_default_labels[k];
	*len = t ? VARSIZE_ANY_EXHDR(t) : strlen(pp_default_labels[k]);
}

/* The x coordinate of a percentage (clamped to 0-100). */
static double
pct_x(double pct)
{
	pct = pct < 0 ? 0 : (pct > 100 ? 100 : pct);
	return PP_LEFT + (PP_RIGHT - PP_LEFT) * pct / 100;
}

/* A count argument: not NULL, not negative. */
static int64
count_arg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	int64		v;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	v = PG_GETARG_INT64(argno);
	if (v < 0 || v > 1000000000)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be between 0 and 1000000000, got " INT64_FORMAT, argname, v)));
	return v;
}

/* Draws the 0-100 % scale with the peer mean above and the own value below. */
static void
draw_scale(StringInfo buf, double own, bool has_mean, double mean, ArrayType *labels)
{
	const char *s;
	int			len,
				t;

	appendStringInfo(buf, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"8\" rx=\"4\" fill=\"#e0e0e0\"/>\n",
					 PP_LEFT, PP_SCALE_Y - 4, PP_RIGHT - PP_LEFT);
	appendStringInfoString(buf, "<g class=\"ticks\" font-size=\"11\" fill=\"" SVG_MUTED "\" text-anchor=\"middle\">\n");
	for (t = 0; t <= 100; t += 10)
		appendStringInfo(buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#9e9e9e\"/>"
						 "<text x=\"%.2f\" y=\"%.2f\">%d</text>\n",
						 pct_x(t), PP_SCALE_Y + 4, pct_x(t), PP_SCALE_Y + 9, pct_x(t), PP_SCALE_Y + 48, t);
	appendStringInfoString(buf, "</g>\n");
	pp_label(labels, 6, &s, &len);
	svg_label(buf, PP_RIGHT, PP_SCALE_Y + 64, "end", "font-size=\"11\" fill=\"" SVG_MUTED "\"", s, len);
	if (has_mean)
	{
		appendStringInfo(buf, "<path d=\"M %.2f %.2f l -7 -12 l 14 0 z\" fill=\"#E65100\"/>\n",
						 pct_x(mean), PP_SCALE_Y - 6);
		pp_label(labels, 1, &s, &len);
		svg_label(buf, pct_x(mean), PP_SCALE_Y - 24, "middle",
				  "font-size=\"12\" fill=\"#E65100\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"", s, len);
	}
	appendStringInfo(buf, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"7\" fill=\"#1565C0\" stroke=\"#ffffff\" stroke-width=\"2\"/>\n",
					 pct_x(own), PP_SCALE_Y);
	pp_label(labels, 0, &s, &len);
	svg_label(buf, pct_x(own), PP_SCALE_Y + 28, "middle",
			  "font-size=\"12\" font-weight=\"bold\" fill=\"#1565C0\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"",
			  s, len);
}

/* Draws one part of the peer bar with its count and caption. */
static void
draw_part(StringInfo buf, double x, double w, int64 count, const char *fill, ArrayType *labels, int k)
{
	const char *s;
	int			len;

	if (count == 0)
		return;
	appendStringInfo(buf, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n",
					 x, PP_BAR_Y, w, PP_BAR_H, fill);
	appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" dominant-baseline=\"central\" font-size=\"13\" font-weight=\"bold\" fill=\"#ffffff\">" INT64_FORMAT "</text>\n",
					 x + w / 2, PP_BAR_Y + PP_BAR_H / 2, count);
	pp_label(labels, k, &s, &len);
	if (w >= 60)
		svg_label(buf, x + w / 2, PP_BAR_Y + PP_BAR_H + 16, "middle", "font-size=\"11\" fill=\"" SVG_MUTED "\"", s, len);
}

/* peer_position_svg(...): the SVG document. */
Datum
peer_position_svg(PG_FUNCTION_ARGS)
{
	double		own;
	bool		has_mean = !PG_ARGISNULL(1);
	double		mean = 0;
	int64		below = count_arg(fcinfo, 2, "peers_below");
	int64		equal = count_arg(fcinfo, 3, "peers_equal");
	int64		above = count_arg(fcinfo, 4, "peers_above");
	int64		total = below + equal + above;
	ArrayType  *labels = PG_ARGISNULL(6) ? NULL : PG_GETARG_ARRAYTYPE_P(6);
	const char *s;
	int			len;
	StringInfoData buf;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("own_pct must not be NULL")));
	own = ismseval_check_finite(PG_GETARG_FLOAT8(0), "own_pct");
	if (has_mean)
		mean = ismseval_check_finite(PG_GETARG_FLOAT8(1), "peer_mean_pct");
	if (labels)
		svg_array_length(labels, "labels");

	initStringInfo(&buf);
	if (PG_ARGISNULL(5))
		svg_begin(&buf, PP_WIDTH, PP_HEIGHT, NULL, 0);
	else
	{
		text	   *title = PG_GETARG_TEXT_PP(5);

		svg_begin(&buf, PP_WIDTH, PP_HEIGHT, VARDATA_ANY(title), VARSIZE_ANY_EXHDR(title));
	}
	draw_scale(&buf, own, has_mean, mean, labels);
	if (total > 0)
	{
		double		unit = (PP_RIGHT - PP_LEFT) / total;
		double		mark = PP_LEFT + unit * (below + 0.5 * equal);

		draw_part(&buf, PP_LEFT, unit * below, below, "#90A4AE", labels, 2);
		draw_part(&buf, PP_LEFT + unit * below, unit * equal, equal, "#546E7A", labels, 3);
		draw_part(&buf, PP_LEFT + unit * (below + equal), unit * above, above, "#263238", labels, 4);
		appendStringInfo(&buf, "<path d=\"M %.2f %.2f l -7 -11 l 14 0 z\" fill=\"#1565C0\"/>\n"
						 "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#1565C0\" stroke-width=\"3\"/>\n",
						 mark, PP_BAR_Y - 2, mark, PP_BAR_Y - 2, mark, PP_BAR_Y + PP_BAR_H + 2);
	}
	pp_label(labels, 5, &s, &len);
	svg_label(&buf, PP_WIDTH / 2.0, PP_HEIGHT - 14, "middle", "font-size=\"12\" fill=\"" SVG_INK "\"", s, len);
	svg_end(&buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
