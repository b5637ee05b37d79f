/*
 * heatmap_svg.c: heatmap_svg(matrix, inherent_counts, residual_counts, title,
 * labels), the risk matrix drawn twice side by side (inherent, residual) as a
 * standalone SVG document.
 *
 * Layout (viewBox 0 0 900 500): two panels of at most 300 x 300, cells square,
 * likelihood upwards (1 at the bottom), impact rightwards (1 at the left), each
 * cell filled with its level's colour and showing its count (a zero count in a
 * faint grey, so empty reads as zero, not as missing). The counts arrays hold
 * one count per cell, row-major by likelihood: element (l - 1) x impact_size +
 * (i - 1) counts cell (l, i). A legend of the levels, in rank order, runs under
 * the panels. labels (optional, NULL elements take the default): the two panel
 * captions, the likelihood axis and the impact axis names.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "ismseval.h"
#include "risk_matrix.h"
#include "svg.h"

PG_FUNCTION_INFO_V1(heatmap_svg);

#define HM_WIDTH 900
#define HM_HEIGHT 500
#define HM_PANEL 300.0
#define HM_TOP 95.0

static const char *const hm_default_labels[] = {
	"Inherent risk", "Residual risk", "Likelihood", "Impact"
};

/* The counts of an int[] argument: not NULL, one per cell, none NULL or negative. */
static int32 *
cell_counts(FunctionCallInfo fcinfo, int argno, const char *argname, int ncells)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	int32	   *counts;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (svg_array_length(arr, argname) != ncells)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have one element per cell of the matrix (%d), got %d",
						argname, ncells, svg_array_length(arr, argname))));
	deconstruct_array(arr, INT4OID, 4, true, TYPALIGN_INT, &elems, &nulls, &n);
	counts = palloc(Max(n, 1) * sizeof(int32));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL, element %d is NULL", argname, i + 1)));
		counts[i] = DatumGetInt32(elems[i]);
		if (counts[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s must not be negative, element %d is %d", argname, i + 1, counts[i])));
	}
	return counts;
}

/* Label k of the labels argument, or its default. */
static void
label_of(ArrayType *labels, int k, const char **s, int *len)
{
	text	   *t = svg_text_arg(labels, k);

	if (t != NULL)
	{
		*s = VARDATA_ANY(t);
		*len = VARSIZE_ANY_EXHDR(t);
	}
	else
	{
		*s = hm_default_labels[k];
		*len = strlen(hm_default_labels[k]);
	}
}

/* True when text on colour "#RRGGBB" reads better dark than white. */
static bool
needs_dark_text(const char *colour)
{
	unsigned int r,
				g,
				b;

	if (sscanf(colour + 1, "%2x%2x%2x", &r, &g, &b) != 3)
		return true;
	return 0.299 * r + 0.587 * g + 0.114 * b > 150;
}

/* Draws one panel: caption, cells with counts, scale labels and axis names. */
static void
draw_panel(StringInfo buf, const RiskMatrixView *view, const int32 *counts, double x0,
		   ArrayType *labels, int caption)
{
	double		cell = HM_PANEL / Max(view->nlik, view->nimp);
	double		gw = cell * view->nimp;
	double		gh = cell * view->nlik;
	double		fs = Min(26.0, cell * 0.4);
	const char *s;
	int			len,
				l,
				i;

	label_of(labels, caption, &s, &len);
	svg_label(buf, x0 + gw / 2, HM_TOP - 14, "middle", "font-size=\"15\" font-weight=\"bold\" fill=\"" SVG_INK "\"",
			  s, len);
	appendStringInfoString(buf, "<g class=\"cells\" stroke=\"#ffffff\" stroke-width=\"2\">\n");
	for (l = 1; l <= view->nlik; l++)
		for (i = 1; i <= view->nimp; i++)
		{
			char		colour[8];
			int			rank = view->grid[(l - 1) * view->nimp + (i - 1)];
			int32		n = counts[(l - 1) * view->nimp + (i - 1)];
			double		x = x0 + cell * (i - 1);
			double		y = HM_TOP + cell * (view->nlik - l);

			rm_level_colour(view, rank, colour);
			appendStringInfo(buf, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>\n",
							 x, y, cell, cell, colour);
			appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" dominant-baseline=\"central\" "
							 "stroke=\"none\" font-size=\"%.2f\" font-weight=\"bold\" fill=\"%s\"%s>%d</text>\n",
							 x + cell / 2, y + cell / 2, fs,
							 needs_dark_text(colour) ? SVG_INK : "#ffffff",
							 n == 0 ? " fill-opacity=\"0.35\"" : "", n);
		}
	appendStringInfoString(buf, "</g>\n");
	appendStringInfoString(buf, "<g class=\"scales\" font-size=\"12\" fill=\"" SVG_MUTED "\">\n");
	for (l = 1; l <= view->nlik; l++)
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\" dominant-baseline=\"central\">%d</text>\n",
						 x0 - 8, HM_TOP + cell * (view->nlik - l) + cell / 2, l);
	for (i = 1; i <= view->nimp; i++)
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%d</text>\n",
						 x0 + cell * (i - 1) + cell / 2, HM_TOP + gh + 18, i);
	appendStringInfoString(buf, "</g>\n");
	label_of(labels, 2, &s, &len);
	appendStringInfo(buf, "<text transform=\"translate(%.2f %.2f) rotate(-90)\" text-anchor=\"middle\" "
					 "font-size=\"13\" fill=\"" SVG_INK "\">", x0 - 30, HM_TOP + gh / 2);
	svg_text(buf, s, len);
	appendStringInfoString(buf, " \xe2\x86\x92</text>\n");
	label_of(labels, 3, &s, &len);
	appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" font-size=\"13\" fill=\"" SVG_INK "\">",
					 x0 + gw / 2, HM_TOP + gh + 40);
	svg_text(buf, s, len);
	appendStringInfoString(buf, " \xe2\x86\x92</text>\n");
}

/* Draws the legend: each level's colour and name, in rank order, centred. */
static void
draw_levels(StringInfo buf, const RiskMatrixView *view)
{
	double		total = 0;
	double		x;
	int			k;

	for (k = 0; k < view->nlevels; k++)
	{
		int			len;
		const char *name = rm_level_name(view, k, &len);

		total += 22 + 7.5 * svg_text_width(name, len) + 22;
	}
	x = (HM_WIDTH - total) / 2;
	appendStringInfoString(buf, "<g class=\"legend\" font-size=\"13\" fill=\"" SVG_INK "\">\n");
	for (k = 0; k < view->nlevels; k++)
	{
		int			len;
		const char *name = rm_level_name(view, k, &len);
		char		colour[8];

		rm_level_colour(view, k, colour);
		appendStringInfo(buf, "<rect x=\"%.2f\" y=\"%.2f\" width=\"16\" height=\"16\" fill=\"%s\"/>\n",
						 x, HM_HEIGHT - 38.0, colour);
		appendStringInfo(buf, "<text x=\"%.2f\" y=\"%.2f\" dominant-baseline=\"central\">", x + 22, HM_HEIGHT - 30.0);
		svg_text(buf, name, len);
		appendStringInfoString(buf, "</text>\n");
		x += 22 + 7.5 * svg_text_width(name, len) + 22;
	}
	appendStringInfoString(buf, "</g>\n");
}

/* heatmap_svg(matrix, inherent_counts, residual_counts, title, labels): the SVG document. */
Datum
heatmap_svg(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	int32	   *inherent;
	int32	   *residual;
	ArrayType  *labels = NULL;
	StringInfoData buf;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("matrix must not be NULL")));
	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	inherent = cell_counts(fcinfo, 1, "inherent_counts", view.nlik * view.nimp);
	residual = cell_counts(fcinfo, 2, "residual_counts", view.nlik * view.nimp);
	if (!PG_ARGISNULL(4))
	{
		labels = PG_GETARG_ARRAYTYPE_P(4);
		svg_array_length(labels, "labels");
	}

	initStringInfo(&buf);
	if (PG_ARGISNULL(3))
		svg_begin(&buf, HM_WIDTH, HM_HEIGHT, NULL, 0);
	else
	{
		text	   *title = PG_GETARG_TEXT_PP(3);

		svg_begin(&buf, HM_WIDTH, HM_HEIGHT, VARDATA_ANY(title), VARSIZE_ANY_EXHDR(title));
	}
	draw_panel(&buf, &view, inherent, 110, labels, 0);
	draw_panel(&buf, &view, residual, 110 + HM_PANEL + 150, labels, 1);
	draw_levels(&buf, &view);
	svg_end(&buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
