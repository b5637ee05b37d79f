/*
 * radar_svg.c: radar_svg(series, names, axis_order, scale_min, scale_max,
 * title), a standalone SVG document drawing one or more radars.
 *
 * Layout (viewBox 0 0 820 560): the chart is centred at (280, 300) with an
 * outer radius of 200; axis 0 points up and the others follow clockwise.
 * Grid rings are circles, one per integer step when scale_max - scale_min is
 * a whole number <= 10, else 5 evenly spaced; each is labelled with its value.
 * A value is drawn at (value - scale_min) / (scale_max - scale_min) of the
 * radius, clamped to [0, 1]; an axis a series lacks is drawn at the centre
 * and gets no point marker.  Series colours come from a fixed palette of 8
 * (repeating), with a 25 % opaque fill.  Coordinates are printed with %.2f
 * (the backend always runs with LC_NUMERIC=C), so the same input always
 * gives the same bytes.  Every label, name and the title is XML-escaped and
 * stripped of control characters.
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
#define SVG_HEIGHT 560
#define SVG_CX 280.0
#define SVG_CY 300.0
#define SVG_RADIUS 200.0
#define SVG_LEGEND_X 540.0
#define SVG_LEGEND_Y 80.0

static const char *const svg_palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
	"#9467bd", "#8c564b", "#e377c2", "#17becf"
};

#define SVG_PALETTE_SIZE lengthof(svg_palette)

/* An axis label to draw: bytes and length (not NUL-terminated). */
typedef struct SvgAxis
{
	const char *label;
	int			len;
} SvgAxis;

/* Appends text XML-escaped, without C0/C1 control characters or U+FFFE/U+FFFF. */
void
append_xml_text(StringInfo buf, const char *s, int len)
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

/* Appends a number: without decimals when it is whole, else with two; never "-0". */
static void
append_scale_value(StringInfo buf, double v)
{
	v += 0.0;
	if (v == floor(v) && fabs(v) < 1e15)
		appendStringInfo(buf, "%.0f", v + 0.0);
	else
		appendStringInfo(buf, "%.2f", v);
}

/* Orders axis labels in byte order. */
static int
svg_axis_cmp(const void *a, const void *b)
{
	const SvgAxis *x = (const SvgAxis *) a;
	const SvgAxis *y = (const SvgAxis *) b;

	return radar_label_cmp(x->label, x->len, y->label, y->len);
}

/* Raises 22023 unless arr is at most one-dimensional; returns its element count. */
static int
array_length_1d(ArrayType *arr, const char *argname)
{
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array, got %d dimensions",
						argname, ARR_NDIM(arr))));
	return ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
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

		array_length_1d(order, "axis_order");
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

	array_length_1d(arr, "series");
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

		array_length_1d(arr, "names");
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

/* Draws the grid rings with their values, and the spokes with the axis labels. */
static void
draw_grid(StringInfo buf, SvgAxis *axes, int naxes, double smin, double smax)
{
	double		span = smax - smin;
	int			rings = (span == floor(span) && span <= 10) ? (int) span : 5;
	int			j,
				i;

	appendStringInfoString(buf, "<g class=\"grid\" fill=\"none\" stroke=\"#bbbbbb\" stroke-width=\"1\">\n");
	for (j = 1; j <= rings; j++)
		appendStringInfo(buf, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"/>\n",
						 SVG_CX, SVG_CY, SVG_RADIUS * j / rings);
	for (i = 0; i < naxes; i++)
	{
		double		x,
					y;

		axis_point(i, naxes, 1.0, &x, &y);
		appendStringInfo(buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
						 SVG_CX, SVG_CY, x, y);
	}
	appendStringInfoString(buf, "</g>\n");

	appendStringInfoString(buf, "<g class=\"ring-labels\" font-size=\"11\" fill=\"#777777\">\n");
	for (j = 0; j <= rings; j++)
	{
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\">", SVG_CX + 4,
						 SVG_CY - SVG_RADIUS * j / rings - 3);
		append_scale_value(buf, j == rings ? smax : smin + span * j / rings);
		appendStringInfoString(buf, "</text>\n");
	}
	appendStringInfoString(buf, "</g>\n");

	appendStringInfoString(buf, "<g class=\"axis-labels\" font-size=\"13\" fill=\"#222222\">\n");
	for (i = 0; i < naxes; i++)
	{
		double		x,
					y,
					dx;
		const char *anchor;

		axis_point(i, naxes, 1.0, &x, &y);
		dx = x - SVG_CX;
		anchor = dx > 1 ? "start" : (dx < -1 ? "end" : "middle");
		axis_point(i, naxes, 1.0 + 14.0 / SVG_RADIUS, &x, &y);
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" dominant-baseline=\"middle\">",
						 x, y, anchor);
		append_xml_text(buf, axes[i].label, axes[i].len);
		appendStringInfoString(buf, "</text>\n");
	}
	appendStringInfoString(buf, "</g>\n");
}

/* Draws one series: its polygon and a marker at each axis it has. */
static void
draw_series(StringInfo buf, const Radar *r, int s, SvgAxis *axes, int naxes,
			double smin, double smax)
{
	const char *colour = svg_palette[s % SVG_PALETTE_SIZE];
	double	   *fx = palloc(Max(naxes, 1) * sizeof(double));
	double	   *fy = palloc(Max(naxes, 1) * sizeof(double));
	bool	   *present = palloc(Max(naxes, 1) * sizeof(bool));
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
		}
		axis_point(i, naxes, frac, &fx[i], &fy[i]);
	}
	appendStringInfo(buf, "<g class=\"series\" fill=\"%s\" stroke=\"%s\">\n", colour, colour);
	appendStringInfoString(buf, "<polygon fill-opacity=\"0.25\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"");
	for (i = 0; i < naxes; i++)
		appendStringInfo(buf, "%s%.2f,%.2f", i > 0 ? " " : "", fx[i], fy[i]);
	appendStringInfoString(buf, "\"/>\n");
	for (i = 0; i < naxes; i++)
		if (present[i])
			appendStringInfo(buf, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\"/>\n", fx[i], fy[i]);
	appendStringInfoString(buf, "</g>\n");
}

/* Draws the legend: a colour swatch and the name of each series. */
static void
draw_legend(StringInfo buf, char **names, int nseries)
{
	int			s;

	appendStringInfoString(buf, "<g class=\"legend\" font-size=\"13\" fill=\"#222222\">\n");
	for (s = 0; s < nseries; s++)
	{
		const char *colour = svg_palette[s % SVG_PALETTE_SIZE];
		double		y = SVG_LEGEND_Y + 24.0 * s;

		appendStringInfo(buf, "<rect x=\"%.2f\" y=\"%.2f\" width=\"14\" height=\"14\" fill=\"%s\" fill-opacity=\"0.5\" stroke=\"%s\"/>\n",
						 SVG_LEGEND_X, y, colour, colour);
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" dominant-baseline=\"middle\">",
						 SVG_LEGEND_X + 22, y + 7);
		append_xml_text(buf, names[s], strlen(names[s]));
		appendStringInfoString(buf, "</text>\n");
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
	appendStringInfo(&buf,
					 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
					 "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
					 SVG_WIDTH, SVG_HEIGHT, SVG_WIDTH, SVG_HEIGHT);
	if (!PG_ARGISNULL(5))
	{
		text	   *title = PG_GETARG_TEXT_PP(5);

		appendStringInfoString(&buf, "<title>");
		append_xml_text(&buf, VARDATA_ANY(title), VARSIZE_ANY_EXHDR(title));
		appendStringInfoString(&buf, "</title>\n");
	}
	appendStringInfo(&buf, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
					 SVG_WIDTH, SVG_HEIGHT);
	if (!PG_ARGISNULL(5))
	{
		text	   *title = PG_GETARG_TEXT_PP(5);

		appendStringInfo(&buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"bold\" fill=\"#222222\">",
						 SVG_WIDTH / 2.0, 34.0);
		append_xml_text(&buf, VARDATA_ANY(title), VARSIZE_ANY_EXHDR(title));
		appendStringInfoString(&buf, "</text>\n");
	}
	draw_grid(&buf, axes, naxes, smin, smax);
	for (s = 0; s < nseries; s++)
		draw_series(&buf, series[s], s, axes, naxes, smin, smax);
	draw_legend(&buf, names, nseries);
	appendStringInfoString(&buf, "</svg>\n");
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
