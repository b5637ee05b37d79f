/*
 * trend_svg.c: trend_svg(dates, vals, target, higher_is_better,
 * amber_tolerance, forecast_from, forecast_from_value, forecast_on,
 * forecast_value, title, unit, labels), a KPI's series over time as a
 * standalone SVG document.
 *
 * Layout (viewBox 0 0 600 330): plot area x 56..530, y 62..285. The x axis
 * runs from the first date to the later of the last date and forecast_on;
 * the y axis from 0 to a round number above every value, the target, the
 * forecast and the amber bound. Behind the series lie the RAG bands as the
 * KPI's status defines them (kpi_status): higher is better: green at or above
 * the target, amber from target x (1 - amber_tolerance), red below; lower is
 * better: green at or below the target, amber up to target / (1 -
 * amber_tolerance), red above. The target is a dashed line; the forecast a
 * dotted line from (forecast_from, forecast_from_value) to (forecast_on,
 * forecast_value) with a hollow marker. labels (optional): the target's and
 * the forecast's captions and the three band names (green, amber, red).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "ismseval.h"
#include "svg.h"

PG_FUNCTION_INFO_V1(trend_svg);

#define TR_WIDTH 600
#define TR_HEIGHT 330
#define TR_LEFT 56.0
#define TR_RIGHT 530.0
#define TR_TOP 62.0
#define TR_BOTTOM 285.0

/* The plot's scales: days and values to coordinates. */
typedef struct TrendScale
{
	double		d0;				/* first day */
	double		d1;				/* last day */
	double		ymax;			/* top of the value axis */
} TrendScale;

/* The x coordinate of a day. */
static double
x_of(const TrendScale *sc, double day)
{
	return TR_LEFT + (TR_RIGHT - TR_LEFT) * (sc->d1 > sc->d0 ? (day - sc->d0) / (sc->d1 - sc->d0) : 0.5);
}

/* The y coordinate of a value (clamped to the plot). */
static double
y_of(const TrendScale *sc, double v)
{
	double		f = v / sc->ymax;

	f = f < 0 ? 0 : (f > 1 ? 1 : f);
	return TR_BOTTOM - (TR_BOTTOM - TR_TOP) * f;
}

/* A round step (1, 2, 2.5 or 5 x 10^k) that cuts span into about 5 parts. */
static double
nice_step(double span)
{
	double		raw = span / 5;
	double		mag = pow(10, floor(log10(raw)));
	double		f = raw / mag;

	return mag * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10);
}

/* Appends a day as YYYY-MM-DD. */
static void
append_day(StringInfo buf, DateADT day)
{
	int			y,
				m,
				d;

	j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	appendStringInfo(buf, "%04d-%02d-%02d", y, m, d);
}

/* A finite double argument (22004 when NULL). */
static double
finite_arg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	return ismseval_check_finite(PG_GETARG_FLOAT8(argno), argname);
}

/* Reads the series: dates strictly increasing and finite, values finite, same lengths. */
static int
read_series(FunctionCallInfo fcinfo, DateADT **days, double **vals)
{
	ArrayType  *da,
			   *va;
	Datum	   *de,
			   *ve;
	bool	   *dn,
			   *vn;
	int			n,
				nv,
				i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", PG_ARGISNULL(0) ? "dates" : "vals")));
	da = PG_GETARG_ARRAYTYPE_P(0);
	va = PG_GETARG_ARRAYTYPE_P(1);
	svg_array_length(da, "dates");
	svg_array_length(va, "vals");
	deconstruct_array(da, DATEOID, 4, true, TYPALIGN_INT, &de, &dn, &n);
	deconstruct_array(va, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &ve, &vn, &nv);
	if (n != nv)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("vals must have as many elements as dates (%d), got %d", n, nv)));
	*days = palloc(Max(n, 1) * sizeof(DateADT));
	*vals = palloc(Max(n, 1) * sizeof(double));
	for (i = 0; i < n; i++)
	{
		if (dn[i] || vn[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL, element %d is NULL", dn[i] ? "dates" : "vals", i + 1)));
		(*days)[i] = DatumGetDateADT(de[i]);
		if (DATE_NOT_FINITE((*days)[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("dates must be finite, element %d is not", i + 1)));
		if (i > 0 && (*days)[i] <= (*days)[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("dates must be strictly increasing, element %d is not after element %d", i + 1, i)));
		(*vals)[i] = ismseval_check_finite(DatumGetFloat8(ve[i]), "vals");
	}
	return n;
}

/* Label k of labels, or def. */
static void
label_or(ArrayType *labels, int k, const char *def, const char **s, int *len)
{
	text	   *t = svg_text_arg(labels, k);

	*s = t ? VARDATA_ANY(t) : def;
	*len = t ? VARSIZE_ANY_EXHDR(t) : strlen(def);
}

/* Draws one RAG band between values lo and hi with its name at the right. */
static void
draw_band(StringInfo buf, const TrendScale *sc, double lo, double hi, const char *colour,
		  ArrayType *labels, int k)
{
	const char *s;
	int			len;

	if (hi <= lo || lo >= sc->ymax)
		return;
	appendStringInfo(buf, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" fill-opacity=\"0.13\"/>\n",
					 TR_LEFT, y_of(sc, hi), TR_RIGHT - TR_LEFT, y_of(sc, lo) - y_of(sc, hi), colour);
	label_or(labels, k, "", &s, &len);
	if (len > 0 && y_of(sc, lo) - y_of(sc, hi) >= 12)
		svg_label(buf, TR_RIGHT + 6, (y_of(sc, lo) + y_of(sc, hi)) / 2 + 4, "start",
				  "font-size=\"12\" fill=\"" SVG_MUTED "\"", s, len);
}

/* Draws the value axis: grid lines and labels every step. */
static void
draw_value_axis(StringInfo buf, const TrendScale *sc, double step, const char *unit, int unitlen)
{
	double		v;

	appendStringInfoString(buf, "<g class=\"value-axis\" font-size=\"13\" fill=\"" SVG_MUTED "\">\n");
	for (v = 0; v <= sc->ymax + step / 1000; v += step)
	{
		appendStringInfo(buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e0e0e0\"/>\n",
						 TR_LEFT, y_of(sc, v), TR_RIGHT, y_of(sc, v));
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">", TR_LEFT - 6, y_of(sc, v) + 4);
		svg_value(buf, v, 1);
		appendStringInfoString(buf, "</text>\n");
	}
	if (unitlen > 0)
		svg_label(buf, TR_LEFT - 6, TR_TOP - 12, "end", NULL, unit, unitlen);
	appendStringInfoString(buf, "</g>\n");
}

/* Draws the date axis: the series' dates (thinned to at most 5 labels) and the forecast date. */
static void
draw_date_axis(StringInfo buf, const TrendScale *sc, const DateADT *days, int n, bool has_fc, DateADT fc_on)
{
	int			every = (n + 4) / 5;
	int			i;

	appendStringInfo(buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#9e9e9e\"/>\n",
					 TR_LEFT, TR_BOTTOM, TR_RIGHT, TR_BOTTOM);
	appendStringInfoString(buf, "<g class=\"date-axis\" font-size=\"12\" fill=\"" SVG_MUTED "\" text-anchor=\"middle\">\n");
	for (i = 0; i < n; i++)
	{
		if ((n - 1 - i) % Max(every, 1) != 0)
			continue;
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\">", x_of(sc, days[i]), TR_BOTTOM + 18);
		append_day(buf, days[i]);
		appendStringInfoString(buf, "</text>\n");
	}
	if (has_fc && (n == 0 || x_of(sc, fc_on) - x_of(sc, days[n - 1]) > 85))
	{
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" font-weight=\"bold\">", x_of(sc, fc_on), TR_BOTTOM + 18);
		append_day(buf, fc_on);
		appendStringInfoString(buf, "</text>\n");
	}
	appendStringInfoString(buf, "</g>\n");
}

/*
 * The baseline of the last value's label: above its point, or below it when the
 * target line would cross the label there (or when there is no room above).
 */
static double
last_value_label_y(const TrendScale *sc, double value, double target)
{
	double		y = y_of(sc, value);
	double		yt = y_of(sc, target);

	if ((yt >= y - 25 && yt <= y - 4) || y - 10 < TR_TOP + 14)
		return y + 20;
	return y - 10;
}

/* trend_svg(...): the SVG document. */
Datum
trend_svg(PG_FUNCTION_ARGS)
{
	DateADT    *days;
	double	   *vals;
	int			n,
				i;
	double		target = finite_arg(fcinfo, 2, "target");
	bool		higher;
	double		tol;
	bool		has_fc = !PG_ARGISNULL(5) && !PG_ARGISNULL(6) && !PG_ARGISNULL(7) && !PG_ARGISNULL(8);
	DateADT		fc_from = 0,
				fc_on = 0;
	double		fc_from_v = 0,
				fc_v = 0;
	double		amber,
				top,
				step;
	TrendScale	sc;
	ArrayType  *labels = PG_ARGISNULL(11) ? NULL : PG_GETARG_ARRAYTYPE_P(11);
	const char *s;
	int			len;
	StringInfoData buf;

	n = read_series(fcinfo, &days, &vals);
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("higher_is_better must not be NULL")));
	higher = PG_GETARG_BOOL(3);
	tol = ismseval_check_range(finite_arg(fcinfo, 4, "amber_tolerance"), "amber_tolerance", 0, 1);
	ismseval_check_nonnegative(target, "target");
	if (labels)
		svg_array_length(labels, "labels");
	if (has_fc)
	{
		fc_from = PG_GETARG_DATEADT(5);
		fc_from_v = ismseval_check_finite(PG_GETARG_FLOAT8(6), "forecast_from_value");
		fc_on = PG_GETARG_DATEADT(7);
		fc_v = ismseval_check_finite(PG_GETARG_FLOAT8(8), "forecast_value");
		if (DATE_NOT_FINITE(fc_from) || DATE_NOT_FINITE(fc_on) || fc_on < fc_from)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("forecast_on must be a finite date not before forecast_from")));
	}

	/* scales */
	amber = higher ? target * (1 - tol) : (tol < 1 ? target / (1 - tol) : target * 2);
	top = Max(target, amber);
	for (i = 0; i < n; i++)
		top = Max(top, vals[i]);
	if (has_fc)
		top = Max(top, Max(fc_v, fc_from_v));
	if (top > 1e15)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("values, target and forecast must be at most 1e15 to be drawn, got %g", top)));
	top = top > 0 ? top * 1.08 : 1;
	step = nice_step(top);
	sc.ymax = ceil(top / step) * step;
	sc.d0 = n > 0 ? days[0] : (has_fc ? fc_from : 0);
	sc.d1 = n > 0 ? days[n - 1] : sc.d0;
	if (has_fc)
	{
		sc.d0 = Min(sc.d0, fc_from);
		sc.d1 = Max(sc.d1, fc_on);
	}

	initStringInfo(&buf);
	if (PG_ARGISNULL(9))
		svg_begin(&buf, TR_WIDTH, TR_HEIGHT, NULL, 0);
	else
	{
		text	   *title = PG_GETARG_TEXT_PP(9);

		svg_begin(&buf, TR_WIDTH, TR_HEIGHT, VARDATA_ANY(title), VARSIZE_ANY_EXHDR(title));
	}
	appendStringInfoString(&buf, "<g class=\"bands\">\n");
	if (higher)
	{
		draw_band(&buf, &sc, target, sc.ymax, "#2E7D32", labels, 2);
		draw_band(&buf, &sc, amber, target, "#F9A825", labels, 3);
		draw_band(&buf, &sc, 0, amber, "#C62828", labels, 4);
	}
	else
	{
		draw_band(&buf, &sc, 0, target, "#2E7D32", labels, 2);
		draw_band(&buf, &sc, target, Min(amber, sc.ymax), "#F9A825", labels, 3);
		draw_band(&buf, &sc, Min(amber, sc.ymax), sc.ymax, "#C62828", labels, 4);
	}
	appendStringInfoString(&buf, "</g>\n");
	if (PG_ARGISNULL(10))
		draw_value_axis(&buf, &sc, step, "", 0);
	else
	{
		text	   *unit = PG_GETARG_TEXT_PP(10);

		draw_value_axis(&buf, &sc, step, VARDATA_ANY(unit), VARSIZE_ANY_EXHDR(unit));
	}
	draw_date_axis(&buf, &sc, days, n, has_fc, fc_on);

	/* target line */
	appendStringInfo(&buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#1B5E20\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/>\n",
					 TR_LEFT, y_of(&sc, target), TR_RIGHT, y_of(&sc, target));
	label_or(labels, 0, "target", &s, &len);
	svg_label(&buf, TR_LEFT + 6, y_of(&sc, target) - 6, "start",
			  "font-size=\"13\" fill=\"#1B5E20\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"", s, len);

	/* forecast */
	if (has_fc)
	{
		appendStringInfo(&buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#6A1B9A\" stroke-width=\"2\" stroke-dasharray=\"2 4\"/>\n",
						 x_of(&sc, fc_from), y_of(&sc, fc_from_v), x_of(&sc, fc_on), y_of(&sc, fc_v));
		appendStringInfo(&buf, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"5\" fill=\"#ffffff\" stroke=\"#6A1B9A\" stroke-width=\"2\"/>\n",
						 x_of(&sc, fc_on), y_of(&sc, fc_v));
		label_or(labels, 1, "forecast", &s, &len);
		svg_label(&buf, x_of(&sc, fc_on) - 8, y_of(&sc, fc_v) + (y_of(&sc, fc_v) < TR_TOP + 20 ? 20 : -10), "end",
				  "font-size=\"13\" fill=\"#6A1B9A\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"", s, len);
	}

	/* the series */
	if (n > 0)
	{
		appendStringInfoString(&buf, "<g class=\"series\" stroke=\"#1565C0\" fill=\"#1565C0\">\n");
		appendStringInfoString(&buf, "<polyline fill=\"none\" stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"");
		for (i = 0; i < n; i++)
			appendStringInfo(&buf, "%s%.2f,%.2f", i > 0 ? " " : "", x_of(&sc, days[i]), y_of(&sc, vals[i]));
		appendStringInfoString(&buf, "\"/>\n");
		for (i = 0; i < n; i++)
			appendStringInfo(&buf, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n",
							 x_of(&sc, days[i]), y_of(&sc, vals[i]));
		appendStringInfo(&buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" font-size=\"13\" font-weight=\"bold\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">",
						 x_of(&sc, days[n - 1]) + (x_of(&sc, days[n - 1]) > TR_RIGHT - 20 ? -4 : 0),
						 last_value_label_y(&sc, vals[n - 1], target),
						 x_of(&sc, days[n - 1]) > TR_RIGHT - 20 ? "end" : "middle");
		svg_value(&buf, vals[n - 1], 1);
		appendStringInfoString(&buf, "</text>\n</g>\n");
	}
	svg_end(&buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
