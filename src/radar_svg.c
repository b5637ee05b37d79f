/*
 * radar_svg.c: radar_svg(series, names, axis_order, scale_min, scale_max,
 * title), a standalone SVG document drawing one or more radars.
 *
 * Layout (viewBox 0 0 820 640): the chart is centred at (410, 320) with an
 * outer radius of 190; axis 0 points up and the others follow clockwise.
 * Grid rings are circles, one per integer step when scale_max - scale_min is
 * a whole number <= 10, else 5 evenly spaced; each is labelled with its value
 * along the bisector between the first two axes (never on an axis, so never
 * under an axis label), on a white halo, and the centre is labelled with
 * scale_min. A value is drawn at (value - scale_min) / (scale_max -
 * scale_min) of the radius, clamped to [0, 1]; an axis a series lacks is
 * drawn at the centre and gets no point marker; a series that has none of the
 * axes draws nothing (its legend entry is greyed), so the other series keep
 * their colours and styles: these follow the series' position, which callers
 * keep fixed by meaning (org_radar_svg: own, peers, target). Series 1 is
 * filled lightly, the others are outlines only (2 dashed), so fills never pile
 * up into a muddy centre. Axis labels are wrapped to two lines of 26 en units.
 * Coordinates are printed with %.2f (the backend always runs with
 * LC_NUMERIC=C), so the same input always gives the same bytes. Every label,
 * name and the title is XML-escaped and stripped of control characters.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "ismseval.h"
#include "radar.h"
#include "svg.h"

PG_FUNCTION_INFO_V1(radar_svg);

#define SVG_WIDTH 820
#define SVG_HEIGHT 640
#define SVG_CX 410.0
#define SVG_CY 320.0
#define SVG_RADIUS 190.0
#define SVG_LEGEND_Y 612.0
#define SVG_LABEL_WIDTH 26

/* By position: 1 own (blue), 2 peers (orange), 3 target (green), then others. */
static const char *const svg_palette[] = {
	"#1565C0", "#E65100", "#2E7D32", "#6A1B9A",
	"#00838F", "#8D6E63", "#AD1457", "#546E7A"
};

#define SVG_PALETTE_SIZE lengthof(svg_palette)

/* An axis label to draw: bytes and length (not NUL-terminated). */
typedef struct SvgAxis
{
	const char *label;
	int			len;
} SvgAxis;

/* Orders axis labels in byte order. */
static int
svg_axis_cmp(const void *a, const void *b)
{
	const SvgAxis *x = (const SvgAxis *) a;
	const SvgAxis *y = (const SvgAxis *) b;

	return radar_label_cmp(x->label, x->len, y->label, y->len);
}

/* The axes to draw: axis_order when given (checked), else the union of the series' axes. */
static SvgAxis *
collect_axes(FunctionCallInfo fcinfo, Radar **series, int nseries, int *naxes)
{
	SvgAxis    *axes;
	int			n = 0;
	int			i,
				j;

	if (!PG_ARGISNULL(2))
	{
		ArrayType  *order = PG_GETARG_ARRAYTYPE_P(2);
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;
		SvgAxis    *sorted;

		svg_array_length(order, "axis_order");
		deconstruct_array(order, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
		axes = palloc(Max(nelems, 1) * sizeof(SvgAxis));
		for (i = 0; i < nelems; i++)
		{
			text	   *t;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("axis_order must not contain NULL, element %d is NULL", i + 1)));
			t = DatumGetTextPP(elems[i]);
			axes[i].label = VARDATA_ANY(t);
			axes[i].len = VARSIZE_ANY_EXHDR(t);
		}
		sorted = palloc(Max(nelems, 1) * sizeof(SvgAxis));
		memcpy(sorted, axes, nelems * sizeof(SvgAxis));
		qsort(sorted, nelems, sizeof(SvgAxis), svg_axis_cmp);
		for (i = 1; i < nelems; i++)
			if (svg_axis_cmp(&sorted[i - 1], &sorted[i]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("axis_order must not repeat an axis"),
						 errdetail("The axis \"%s\" appears twice.",
								   ismseval_excerpt(sorted[i].label, sorted[i].len))));
		*naxes = nelems;
		return axes;
	}

	for (i = 0; i < nseries; i++)
		n += series[i]->naxes;
	axes = palloc(Max(n, 1) * sizeof(SvgAxis));
	n = 0;
	for (i = 0; i < nseries; i++)
		for (j = 0; j < series[i]->naxes; j++)
		{
			axes[n].label = radar_label(series[i], j);
			axes[n].len = RADAR_AXES(series[i])[j].label_len;
			n++;
		}
	qsort(axes, n, sizeof(SvgAxis), svg_axis_cmp);
	for (i = 0, j = 0; i < n; i++)
		if (j == 0 || svg_axis_cmp(&axes[j - 1], &axes[i]) != 0)
			axes[j++] = axes[i];
	*naxes = j;
	return axes;
}

/* The series radars, checked: not NULL, one-dimensional, not empty. */
static Radar **
collect_series(ArrayType *arr, int *nseries)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	Radar	  **series;

	svg_array_length(arr, "series");
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("series must contain at least one radar, got an empty array")));
	series = palloc(n * sizeof(Radar *));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("series must not contain NULL, element %d is NULL", i + 1)));
		series[i] = radar_from_datum(elems[i]);
	}
	*nseries = n;
	return series;
}

/* The legend names: names when given (length checked, NULL -> default), else "series i". */
static char **
collect_names(FunctionCallInfo fcinfo, int nseries)
{
	char	  **names = palloc(nseries * sizeof(char *));
	int			i;

	for (i = 0; i < nseries; i++)
		names[i] = psprintf("series %d", i + 1);
	if (!PG_ARGISNULL(1))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		svg_array_length(arr, "names");
		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		if (n != nseries)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("names must have as many elements as series (%d), got %d",
							nseries, n)));
		for (i = 0; i < n; i++)
			if (!nulls[i])
				names[i] = TextDatumGetCString(elems[i]);
	}
	return names;
}

/* Reads a scale bound: not NULL, finite. */
static double
scale_arg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	return ismseval_check_finite(PG_GETARG_FLOAT8(argno), argname);
}

/* The point of axis i of naxes at fraction frac of the radius. */
static void
axis_point(int i, int naxes, double frac, double *x, double *y)
{
	double		angle = -M_PI / 2 + 2 * M_PI * i / naxes;

	*x = SVG_CX + SVG_RADIUS * frac * cos(angle);
	*y = SVG_CY + SVG_RADIUS * frac * sin(angle);
}

/* The number of grid rings: one per integer step up to 10, else 5. */
static int
ring_count(double smin, double smax)
{
	double		span = smax - smin;

	return (span == floor(span) && span <= 10) ? (int) span : 5;
}

/* Draws the grid rings and the spokes. */
static void
draw_grid(StringInfo buf, int naxes, double smin, double smax)
{
	int			rings = ring_count(smin, smax);
	int			j,
				i;

	appendStringInfoString(buf, "<g class=\"grid\" fill=\"none\" stroke=\"#c8c8c8\" stroke-width=\"1\">\n");
	for (j = 1; j <= rings; j++)
		appendStringInfo(buf, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"%s/>\n",
						 SVG_CX, SVG_CY, SVG_RADIUS * j / rings,
						 j == rings ? " stroke=\"#9e9e9e\"" : "");
	for (i = 0; i < naxes; i++)
	{
		double		x,
					y;

		axis_point(i, naxes, 1.0, &x, &y);
		appendStringInfo(buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
						 SVG_CX, SVG_CY, x, y);
	}
	appendStringInfoString(buf, "</g>\n");
}

/* Labels the rings along the bisector of the first two axes, the centre with scale_min. */
static void
draw_ring_labels(StringInfo buf, int naxes, double smin, double smax)
{
	int			rings = ring_count(smin, smax);
	double		angle = -M_PI / 2 + M_PI / Max(naxes, 2);
	int			j;

	appendStringInfoString(buf, "<g class=\"ring-labels\" font-size=\"11\" fill=\"#616161\" "
						   "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\" "
						   "text-anchor=\"middle\" dominant-baseline=\"middle\">\n");
	for (j = 0; j <= rings; j++)
	{
		double		r = SVG_RADIUS * j / rings;

		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\">", SVG_CX + r * cos(angle),
						 SVG_CY + r * sin(angle));
		svg_value(buf, j == rings ? smax : smin + (smax - smin) * j / rings, 2);
		appendStringInfoString(buf, "</text>\n");
	}
	appendStringInfoString(buf, "</g>\n");
}

/* Draws the axis labels outside the outer ring, wrapped to two lines. */
static void
draw_axis_labels(StringInfo buf, SvgAxis *axes, int naxes)
{
	int			i;

	appendStringInfoString(buf, "<g class=\"axis-labels\" font-size=\"13\" fill=\"" SVG_INK "\">\n");
	for (i = 0; i < naxes; i++)
	{
		double		x,
					y,
					dx,
					dy;
		const char *anchor;
		int			starts[2],
					lens[2],
					nlines,
					k;
		bool		truncated;

		axis_point(i, naxes, 1.0, &x, &y);
		dx = x - SVG_CX;
		dy = y - SVG_CY;
		anchor = dx > 1 ? "start" : (dx < -1 ? "end" : "middle");
		axis_point(i, naxes, 1.0 + 12.0 / SVG_RADIUS, &x, &y);
		nlines = svg_wrap(axes[i].label, axes[i].len, SVG_LABEL_WIDTH, 2, starts, lens, &truncated);
		/* above the top, below the bottom, centred vertically on the sides */
		if (dy < -1 && fabs(dx) < SVG_RADIUS * 0.3)
			y -= 15.0 * (nlines - 1) + 4;
		else if (dy > 1 && fabs(dx) < SVG_RADIUS * 0.3)
			y += 10;
		else
			y -= 7.5 * (nlines - 1) - 4;
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\">", x, y, anchor);
		for (k = 0; k < nlines; k++)
		{
			appendStringInfo(buf, "<tspan x=\"%.2f\" dy=\"%s\">", x, k == 0 ? "0" : "15");
			svg_text(buf, axes[i].label + starts[k], lens[k]);
			if (k == nlines - 1 && truncated)
				appendStringInfoString(buf, "\xe2\x80\xa6");
			appendStringInfoString(buf, "</tspan>");
		}
		appendStringInfoString(buf, "</text>\n");
	}
	appendStringInfoString(buf, "</g>\n");
}

/* Draws one series: its polygon and a marker at each axis it has; false when it has none. */
static bool
draw_series(StringInfo buf, const Radar *r, int s, SvgAxis *axes, int naxes,
			double smin, double smax)
{
	const char *colour = svg_palette[s % SVG_PALETTE_SIZE];
	double	   *fx = palloc(Max(naxes, 1) * sizeof(double));
	double	   *fy = palloc(Max(naxes, 1) * sizeof(double));
	bool	   *present = palloc(Max(naxes, 1) * sizeof(bool));
	int			npresent = 0;
	int			i;

	for (i = 0; i < naxes; i++)
	{
		int			k = radar_find(r, axes[i].label, axes[i].len);
		double		frac = 0;

		present[i] = k >= 0;
		if (present[i])
		{
			frac = (RADAR_AXES(r)[k].mean - smin) / (smax - smin);
			frac = frac < 0 ? 0 : (frac > 1 ? 1 : frac);
			npresent++;
		}
		axis_point(i, naxes, frac, &fx[i], &fy[i]);
	}
	if (npresent == 0)
		return false;
	appendStringInfo(buf, "<g class=\"series\" fill=\"%s\" stroke=\"%s\">\n", colour, colour);
	appendStringInfo(buf, "<polygon %s stroke-width=\"%s\" stroke-linejoin=\"round\" points=\"",
					 s == 0 ? "fill-opacity=\"0.15\"" : "fill=\"none\"",
					 s == 2 ? "2.5\" stroke-dasharray=\"7 4" : "2.5");
	for (i = 0; i < naxes; i++)
		appendStringInfo(buf, "%s%.2f,%.2f", i > 0 ? " " : "", fx[i], fy[i]);
	appendStringInfoString(buf, "\"/>\n");
	for (i = 0; i < naxes; i++)
		if (present[i])
			appendStringInfo(buf, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n",
							 fx[i], fy[i]);
	appendStringInfoString(buf, "</g>\n");
	return true;
}

/* Draws the legend in one centred row: a line sample and the name of each series. */
static void
draw_legend(StringInfo buf, char **names, bool *drawn, int nseries)
{
	double		total = 0;
	double		x;
	int			s;

	for (s = 0; s < nseries; s++)
		total += 34 + 7.0 * svg_text_width(names[s], strlen(names[s])) + 24;
	x = (SVG_WIDTH - total) / 2;
	appendStringInfoString(buf, "<g class=\"legend\" font-size=\"13\">\n");
	for (s = 0; s < nseries; s++)
	{
		const char *colour = drawn[s] ? svg_palette[s % SVG_PALETTE_SIZE] : "#bdbdbd";

		appendStringInfo(buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
						 "stroke-width=\"3\"%s/>\n", x, SVG_LEGEND_Y, x + 26, SVG_LEGEND_Y, colour,
						 s == 2 ? " stroke-dasharray=\"7 4\"" : "");
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" dominant-baseline=\"middle\" fill=\"%s\">",
						 x + 34, SVG_LEGEND_Y, drawn[s] ? SVG_INK : "#9e9e9e");
		svg_cstring(buf, names[s]);
		appendStringInfoString(buf, "</text>\n");
		x += 34 + 7.0 * svg_text_width(names[s], strlen(names[s])) + 24;
	}
	appendStringInfoString(buf, "</g>\n");
}

/* radar_svg(series, names, axis_order, scale_min, scale_max, title): the SVG document. */
Datum
radar_svg(PG_FUNCTION_ARGS)
{
	Radar	  **series;
	int			nseries;
	char	  **names;
	SvgAxis    *axes;
	int			naxes;
	double		smin,
				smax;
	StringInfoData buf;
	int			s;
	bool	   *drawn;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	smin = scale_arg(fcinfo, 3, "scale_min");
	smax = scale_arg(fcinfo, 4, "scale_max");
	if (smax <= smin)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("scale_max must be greater than scale_min (%g), got %g", smin, smax)));
	if (!isfinite(smax - smin))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("scale_max - scale_min must be finite, got %g - %g", smax, smin)));
	series = collect_series(PG_GETARG_ARRAYTYPE_P(0), &nseries);
	names = collect_names(fcinfo, nseries);
	axes = collect_axes(fcinfo, series, nseries, &naxes);

	initStringInfo(&buf);
	if (PG_ARGISNULL(5))
		svg_begin(&buf, SVG_WIDTH, SVG_HEIGHT, NULL, 0);
	else
	{
		text	   *title = PG_GETARG_TEXT_PP(5);

		svg_begin(&buf, SVG_WIDTH, SVG_HEIGHT, VARDATA_ANY(title), VARSIZE_ANY_EXHDR(title));
	}
	drawn = palloc(nseries * sizeof(bool));
	draw_grid(&buf, naxes, smin, smax);
	for (s = 0; s < nseries; s++)
		drawn[s] = draw_series(&buf, series[s], s, axes, naxes, smin, smax);
	draw_ring_labels(&buf, naxes, smin, smax);
	draw_axis_labels(&buf, axes, naxes);
	draw_legend(&buf, names, drawn, nseries);
	svg_end(&buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
