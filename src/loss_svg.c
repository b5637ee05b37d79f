/*
 * loss_svg.c: loss_exceedance_svg(sim, title, unit), a standalone SVG
 * document drawing the loss exceedance curve of a loss_sim.
 *
 * Layout (viewBox 0 0 820 520): the plot area spans x 100..780 and y
 * 70..430.  The x axis is the annual loss on a logarithmic scale, from the
 * largest 1, 2 or 5 x 10^k at or below the 1 % quantile of the years with a
 * loss to the smallest at or above the 99.9 % quantile of all years (the
 * largest loss when that is 0; 1 to 10 when no year has a loss), widened
 * to the left to show the mean and VaR 95 % when they are not 0, at least a
 * factor of 10; the decades and both ends are labelled, with light lines
 * at 2 and 5 times each decade.
 * The y axis is the probability from 0 to 100 % in steps of 20 %.  The curve
 * is a polyline through P(annual loss >= x) at 241 logarithmically evenly
 * spaced x, filled below; its left end is about the probability of a year
 * with any loss.  Dashed vertical lines mark the mean, VaR 95 % and VaR 99 %
 * (as loss_mean and loss_quantile), each labelled in its own row over a
 * white halo.  Amounts are printed with at most 4 significant digits and a
 * k, M, G or T suffix.  Logarithms are quant_log and coordinates are printed
 * with %.2f (the backend runs with LC_NUMERIC=C), so the same input gives
 * the same bytes on every platform.  The title and the unit are XML-escaped
 * and stripped of control characters.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "ismseval.h"
#include "loss_sim.h"
#include "quant_math.h"
#include "svg.h"

PG_FUNCTION_INFO_V1(loss_exceedance_svg);

#define LEC_WIDTH 820
#define LEC_HEIGHT 520
#define LEC_LEFT 100.0
#define LEC_RIGHT 780.0
#define LEC_TOP 70.0
#define LEC_BOTTOM 430.0
#define LEC_SEGMENTS 240

/* What the chart needs of a simulation. */
typedef struct LecFigures
{
	const double *sorted;		/* the losses, ascending */
	int32		years;
	double		mean;
	double		var95;
	double		var99;
	double		x_min;			/* left end of the x axis, 1, 2 or 5 x 10^k */
	double		x_max;			/* right end of the x axis, 1, 2 or 5 x 10^k */
	double		ln_min;			/* quant_log(x_min) */
	double		ln_span;		/* quant_log(x_max) - ln_min */
} LecFigures;

/* The largest power of ten at or below v > 0 (by exact scaling, no libm). */
static double
decade_floor(double v)
{
	double		power = 1.0;

	while (power * 10.0 <= v)
		power *= 10.0;
	while (power > v)
		power /= 10.0;
	return power;
}

/* The largest 1, 2 or 5 times a power of ten at or below v > 0. */
static double
nice_floor(double v)
{
	double		power = decade_floor(v);

	if (5.0 * power <= v)
		return 5.0 * power;
	if (2.0 * power <= v)
		return 2.0 * power;
	return power;
}

/* The smallest 1, 2 or 5 times a power of ten at or above v > 0. */
static double
nice_ceil(double v)
{
	double		power = decade_floor(v);

	if (power >= v)
		return power;
	if (2.0 * power >= v)
		return 2.0 * power;
	if (5.0 * power >= v)
		return 5.0 * power;
	return 10.0 * power;
}

/* Appends an amount with at most 4 significant digits and a k/M/G/T suffix. */
static void
append_amount(StringInfo buf, double v)
{
	static const char *const suffix[] = {"", "k", "M", "G", "T"};
	int			i = 0;

	while (fabs(v) >= 1000.0 && i < 4)
	{
		v /= 1000.0;
		i++;
	}
	appendStringInfo(buf, "%.4g%s", v + 0.0, suffix[i]);
}

/* The x coordinate of an amount on the logarithmic axis (clamped to the plot area). */
static double
x_of(const LecFigures *f, double amount)
{
	double		frac = amount > 0.0 ? (quant_log(amount) - f->ln_min) / f->ln_span : 0.0;

	return LEC_LEFT + (LEC_RIGHT - LEC_LEFT) * (frac > 1.0 ? 1.0 : (frac < 0.0 ? 0.0 : frac));
}

/* The amount at fraction frac of the x axis; the ends exactly (exp(log x) may miss x by an ulp). */
static double
amount_at(const LecFigures *f, double frac)
{
	if (frac <= 0.0)
		return f->x_min;
	if (frac >= 1.0)
		return f->x_max;
	return quant_exp(f->ln_min + f->ln_span * frac);
}

/* The y coordinate of a probability. */
static double
y_of(double probability)
{
	return LEC_BOTTOM - (LEC_BOTTOM - LEC_TOP) * probability;
}

/* Computes the figures and the x axis of a simulation. */
static LecFigures
lec_figures(const LossSim *sim)
{
	LecFigures	f;
	double		sum = 0.0;
	double		low;
	double		high;
	int32		zeros;
	int32		i;

	f.sorted = loss_sim_sorted(sim);
	f.years = sim->years;
	for (i = 0; i < sim->years; i++)
		sum += f.sorted[i];
	f.mean = sum / sim->years;
	f.var95 = ismseval_quantile_sorted(f.sorted, f.years, 0.95);
	f.var99 = ismseval_quantile_sorted(f.sorted, f.years, 0.99);
	for (zeros = 0; zeros < f.years && f.sorted[zeros] == 0.0; zeros++)
		;
	if (zeros == f.years)
	{
		low = 1.0;
		high = 10.0;
	}
	else
	{
		low = ismseval_quantile_sorted(f.sorted + zeros, f.years - zeros, 0.01);
		high = ismseval_quantile_sorted(f.sorted, f.years, 0.999);
		if (!(high > 0.0))
			high = f.sorted[f.years - 1];
		/* the marked amounts that are not 0 stay on the axis */
		if (f.mean > 0.0 && f.mean < low)
			low = f.mean;
		if (f.var95 > 0.0 && f.var95 < low)
			low = f.var95;
	}
	f.x_min = nice_floor(low);
	f.x_max = nice_ceil(high);
	if (!(f.x_max >= f.x_min * 10.0))
		f.x_max = nice_ceil(f.x_min * 10.0);
	f.ln_min = quant_log(f.x_min);
	f.ln_span = quant_log(f.x_max) - f.ln_min;
	return f;
}

/* Draws the grid (decades, and 2 and 5 times each), the tick labels and the axis titles. */
static void
draw_axes(StringInfo buf, const LecFigures *f, text *unit)
{
	double		decade;
	int			i;

	appendStringInfoString(buf, "<g class=\"grid\" stroke=\"#dddddd\" stroke-width=\"1\">\n");
	for (i = 0; i <= 5; i++)
		appendStringInfo(buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
						 LEC_LEFT, y_of(i / 5.0), LEC_RIGHT, y_of(i / 5.0));
	for (decade = decade_floor(f->x_min); decade <= f->x_max; decade *= 10.0)
		for (i = 1; i <= 5; i += (i == 1 ? 1 : 3))
			if (decade * i >= f->x_min && decade * i <= f->x_max)
				appendStringInfo(buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"%s/>\n",
								 x_of(f, decade * i), LEC_TOP, x_of(f, decade * i), LEC_BOTTOM,
								 i == 1 ? "" : " stroke-opacity=\"0.5\"");
	appendStringInfoString(buf, "</g>\n");
	appendStringInfo(buf, "<g class=\"axes\" stroke=\"#444444\" stroke-width=\"1.5\">\n"
					 "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n"
					 "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n</g>\n",
					 LEC_LEFT, LEC_BOTTOM, LEC_RIGHT, LEC_BOTTOM, LEC_LEFT, LEC_TOP, LEC_LEFT, LEC_BOTTOM);
	appendStringInfoString(buf, "<g class=\"tick-labels\" font-size=\"12\" fill=\"#444444\">\n");
	for (i = 0; i <= 5; i++)
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\" dominant-baseline=\"middle\">%d %%</text>\n",
						 LEC_LEFT - 8, y_of(i / 5.0), 20 * i);
	for (decade = decade_floor(f->x_min); decade <= f->x_max; decade *= 10.0)
		for (i = 1; i <= 5; i += (i == 1 ? 1 : 3))
		{
			double		amount = decade * i;

			/* the decades, and both ends of the axis */
			if (amount < f->x_min || amount > f->x_max ||
				(i > 1 && amount != f->x_min && amount != f->x_max))
				continue;
			appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">",
							 x_of(f, amount), LEC_BOTTOM + 20);
			append_amount(buf, amount);
			appendStringInfoString(buf, "</text>\n");
		}
	appendStringInfoString(buf, "</g>\n");
	appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222222\">Annual loss",
					 (LEC_LEFT + LEC_RIGHT) / 2, LEC_BOTTOM + 46);
	if (unit != NULL)
	{
		appendStringInfoString(buf, " (");
		svg_text(buf, VARDATA_ANY(unit), VARSIZE_ANY_EXHDR(unit));
		appendStringInfoChar(buf, ')');
	}
	appendStringInfoString(buf, ", logarithmic scale</text>\n");
	appendStringInfo(buf, "<text transform=\"translate(%.2f %.2f) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222222\">"
					 "Probability of a year with at least this loss</text>\n",
					 LEC_LEFT - 62, (LEC_TOP + LEC_BOTTOM) / 2);
}

/* Draws the exceedance curve, filled below. */
static void
draw_curve(StringInfo buf, const LecFigures *f)
{
	StringInfoData points;
	int			i;

	initStringInfo(&points);
	for (i = 0; i <= LEC_SEGMENTS; i++)
	{
		double		frac = (double) i / LEC_SEGMENTS;
		double		p = loss_sim_exceedance_sorted(f->sorted, f->years, amount_at(f, frac));

		appendStringInfo(&points, "%s%.2f,%.2f", i > 0 ? " " : "",
						 LEC_LEFT + (LEC_RIGHT - LEC_LEFT) * frac, y_of(p));
	}
	appendStringInfo(buf, "<polygon class=\"area\" fill=\"#1f77b4\" fill-opacity=\"0.15\" stroke=\"none\" "
					 "points=\"%.2f,%.2f %s %.2f,%.2f\"/>\n",
					 LEC_LEFT, LEC_BOTTOM, points.data, LEC_RIGHT, LEC_BOTTOM);
	appendStringInfo(buf, "<polyline class=\"curve\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2.5\" "
					 "stroke-linejoin=\"round\" points=\"%s\"/>\n", points.data);
}

/* Draws a dashed vertical marker at amount with its label in label row row. */
static void
draw_marker(StringInfo buf, const LecFigures *f, double amount, const char *name,
			const char *colour, int row)
{
	double		x = x_of(f, amount);
	double		y = LEC_TOP + 14 + 16 * row;
	bool		right_half = x > LEC_RIGHT - 120;	/* else the label would leave the plot */

	appendStringInfo(buf, "<g class=\"marker\" fill=\"%s\" stroke=\"%s\">\n", colour, colour);
	appendStringInfo(buf, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
					 x, LEC_TOP, x, LEC_BOTTOM);
	appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" font-size=\"12\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\">%s ",
					 right_half ? x - 5 : x + 5, y, right_half ? "end" : "start", name);
	append_amount(buf, amount);
	appendStringInfoString(buf, "</text>\n</g>\n");
}

/* loss_exceedance_svg(sim, title, unit): the SVG document. */
Datum
loss_exceedance_svg(PG_FUNCTION_ARGS)
{
	LossSim    *sim;
	text	   *title = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	text	   *unit = PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2);
	LecFigures	f;
	StringInfoData buf;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	sim = PG_GETARG_LOSS_SIM(0);
	f = lec_figures(sim);

	initStringInfo(&buf);
	appendStringInfo(&buf,
					 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
					 "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
					 LEC_WIDTH, LEC_HEIGHT, LEC_WIDTH, LEC_HEIGHT);
	if (title != NULL)
	{
		appendStringInfoString(&buf, "<title>");
		svg_text(&buf, VARDATA_ANY(title), VARSIZE_ANY_EXHDR(title));
		appendStringInfoString(&buf, "</title>\n");
	}
	appendStringInfo(&buf, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
					 LEC_WIDTH, LEC_HEIGHT);
	if (title != NULL)
	{
		appendStringInfo(&buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"bold\" fill=\"#222222\">",
						 LEC_WIDTH / 2.0, 34.0);
		svg_text(&buf, VARDATA_ANY(title), VARSIZE_ANY_EXHDR(title));
		appendStringInfoString(&buf, "</text>\n");
	}
	draw_axes(&buf, &f, unit);
	draw_curve(&buf, &f);
	draw_marker(&buf, &f, f.mean, "mean", "#555555", 0);
	draw_marker(&buf, &f, f.var95, "VaR 95 %", "#ef6c00", 1);
	draw_marker(&buf, &f, f.var99, "VaR 99 %", "#c62828", 2);
	appendStringInfo(&buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\" font-size=\"11\" fill=\"#777777\">%d simulated years</text>\n",
					 LEC_RIGHT, LEC_HEIGHT - 12.0, f.years);
	appendStringInfoString(&buf, "</svg>\n");
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
