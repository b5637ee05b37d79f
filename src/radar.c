/*
 * radar.c: the ismseval.radar type (per-axis means of a maturity
 * self-assessment): memory helpers, text and binary I/O, jsonb, and the
 * accessor functions radar_gap, radar_value, radar_mean and radar_axes.
 *
 * Text form (output is canonical: axes in label order, no spaces):
 *
 *   {"Detect":2.5/4,"Govern":3.25/4,"Protect":2.75/3@2.5}
 *
 * each axis being "label":mean/n, followed by @weight when the weight is not
 * exactly n.  Labels are double-quoted; a double quote or backslash inside is
 * written with a backslash before it.  Numbers are printed shortest-exact, so
 * the text reads back to the same bits.  Input accepts spaces between tokens
 * and axes in any order (they are sorted); a label may appear once.
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "ismseval.h"
#include "radar.h"

PG_FUNCTION_INFO_V1(radar_in);
PG_FUNCTION_INFO_V1(radar_out);
PG_FUNCTION_INFO_V1(radar_recv);
PG_FUNCTION_INFO_V1(radar_send);
PG_FUNCTION_INFO_V1(radar_to_jsonb);
PG_FUNCTION_INFO_V1(radar_gap);
PG_FUNCTION_INFO_V1(radar_value);
PG_FUNCTION_INFO_V1(radar_mean);
PG_FUNCTION_INFO_V1(radar_axes);

/* Bytes of one axis in the binary form, label excluded: length, mean, n, weight. */
#define RADAR_BINARY_AXIS_SIZE (4 + 8 + 8 + 8)

/* Allocates an empty radar with room for axis_cap axes and label_cap label bytes. */
Radar *
radar_alloc(MemoryContext ctx, int64 axis_cap, int64 label_cap)
{
	Size		size;
	Radar	   *r;

	if (axis_cap < 0 || label_cap < 0 ||
		axis_cap > (int64) ((MaxAllocSize - RADAR_HEADER_SIZE) / RADAR_SLOT_SIZE) ||
		label_cap > (int64) MaxAllocSize ||
		RADAR_HEADER_SIZE + axis_cap * RADAR_SLOT_SIZE + label_cap > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("radar is too large: %lld axes, %lld label bytes",
						(long long) axis_cap, (long long) label_cap)));
	size = RADAR_HEADER_SIZE + axis_cap * RADAR_SLOT_SIZE + label_cap;
	r = (Radar *) MemoryContextAllocZero(ctx, size);
	SET_VARSIZE(r, size);
	r->naxes = 0;
	r->axis_cap = (int32) axis_cap;
	r->label_cap = (uint32) label_cap;
	r->label_used = 0;
	r->last = 0;
	return r;
}

/* Appends an axis after the last one; the caller keeps label order and has made room. */
void
radar_append(Radar *r, const char *label, int len, double mean, int64 n, double weight)
{
	RadarAxis  *a;

	Assert(r->naxes < r->axis_cap && r->label_used + len <= r->label_cap);
	a = &RADAR_AXES(r)[r->naxes++];
	a->mean = mean;
	a->weight = weight;
	a->n = n;
	RADAR_KEYS(r)[r->naxes - 1] = radar_label_key(label, len);
	a->label_off = r->label_used;
	a->label_len = (uint32) len;
	memcpy(radar_label_area(r) + r->label_used, label, len);
	r->label_used += len;
}

/* Finds a label: returns its index, or (-1 - insertion point) when absent. */
int
radar_find(const Radar *r, const char *label, int len)
{
	return radar_find_keyed(r, radar_label_key(label, len), label, len);
}

/* Copies a radar into ctx with room for extra_axes more axes and extra_label more label bytes. */
Radar *
radar_copy_with_room(MemoryContext ctx, const Radar *r, int64 extra_axes, int64 extra_label)
{
	Radar	   *copy = radar_alloc(ctx, (int64) r->naxes + extra_axes,
								   (int64) r->label_used + extra_label);
	int			i;

	for (i = 0; i < r->naxes; i++)
		radar_append(copy, radar_label(r, i), RADAR_AXES(r)[i].label_len,
					 RADAR_AXES(r)[i].mean, RADAR_AXES(r)[i].n, RADAR_AXES(r)[i].weight);
	return copy;
}

/* Returns a compact copy (no slack, labels in axis order) in the current context. */
Radar *
radar_compact(const Radar *r)
{
	int64		label_bytes = 0;
	int			i;

	for (i = 0; i < r->naxes; i++)
		label_bytes += RADAR_AXES(r)[i].label_len;
	return radar_copy_with_room(CurrentMemoryContext, r, 0, label_bytes - r->label_used);
}

/* Raises 22003 unless a computed mean or weight is finite; returns it. */
double
radar_check_result(double value, const char *what)
{
	if (!isfinite(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("radar %s is out of range for type double precision", what)));
	return value;
}

/* ---------- text input ---------- */

/* One axis as parsed from text, before sorting. */
typedef struct ParsedAxis
{
	int			label_off;		/* offset in the parser's label buffer */
	int			label_len;
	double		mean;
	int64		n;
	double		weight;
} ParsedAxis;

/* Orders parsed axes by label; arg is the parser's label buffer. */
static int
parsed_axis_cmp(const void *a, const void *b, void *arg)
{
	const char *labels = (const char *) arg;
	const ParsedAxis *x = (const ParsedAxis *) a;
	const ParsedAxis *y = (const ParsedAxis *) b;

	return radar_label_cmp(labels + x->label_off, x->label_len,
						   labels + y->label_off, y->label_len);
}

/* Raises 22P02 for a malformed radar literal, saying what was wrong. */
static void
pg_attribute_noreturn()
radar_syntax_error(const char *input, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type radar: \"%s\"", input),
			 errdetail("%s", detail)));
}

/* Parses a double-quoted label at p into buf; returns the position after it. */
static char *
parse_label(char *p, StringInfo buf, const char *input)
{
	if (*p != '"')
		radar_syntax_error(input, "Expected a double-quoted axis label.");
	p++;
	for (;;)
	{
		if (*p == '\0')
			radar_syntax_error(input, "Unterminated axis label.");
		if (*p == '"')
			return p + 1;
		if (*p == '\\')
		{
			p++;
			if (*p == '\0')
				radar_syntax_error(input, "Unterminated axis label.");
		}
		appendStringInfoChar(buf, *p);
		p++;
	}
}

/* Parses a finite double at p; returns the position after it. */
static char *
parse_double(char *p, double *value, const char *what, const char *input)
{
	char	   *end;

	if (*p == '\0' || *p == ',' || *p == '}' || *p == '/' || *p == '@')
		radar_syntax_error(input, psprintf("Expected a number for the %s.", what));
	*value = float8in_internal(p, &end, "radar", input);
	if (!isfinite(*value))
		radar_syntax_error(input, psprintf("The %s must be finite.", what));
	return end;
}

/* Parses a count n >= 1 at p; returns the position after it. */
static char *
parse_count(char *p, int64 *value, const char *input)
{
	int64		n = 0;

	if (!isdigit((unsigned char) *p))
		radar_syntax_error(input, "Expected a count n >= 1 after \"/\".");
	while (isdigit((unsigned char) *p))
	{
		if (n > (PG_INT64_MAX - (*p - '0')) / 10)
			radar_syntax_error(input, "The count n is out of range for type bigint.");
		n = n * 10 + (*p - '0');
		p++;
	}
	if (n < 1)
		radar_syntax_error(input, "The count n must be >= 1.");
	*value = n;
	return p;
}

/* radar_in(cstring): parses the text form. */
Datum
radar_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	char	   *p = ismseval_skip_space(input);
	StringInfoData labels;
	ParsedAxis *axes;
	int			naxes = 0;
	int			cap = 8;
	int			i;
	Radar	   *r;

	initStringInfo(&labels);
	axes = palloc(cap * sizeof(ParsedAxis));
	if (*p != '{')
		radar_syntax_error(input, "A radar starts with \"{\".");
	p = ismseval_skip_space(p + 1);
	if (*p != '}')
	{
		for (;;)
		{
			ParsedAxis *a;

			if (naxes == cap)
			{
				if (cap >= (int) (MaxAllocSize / sizeof(ParsedAxis) / 2))
					radar_syntax_error(input, "Too many axes.");
				cap *= 2;
				axes = repalloc(axes, cap * sizeof(ParsedAxis));
			}
			a = &axes[naxes++];
			a->label_off = labels.len;
			p = parse_label(p, &labels, input);
			a->label_len = labels.len - a->label_off;
			p = ismseval_skip_space(p);
			if (*p != ':')
				radar_syntax_error(input, "Expected \":\" after the axis label.");
			p = parse_double(ismseval_skip_space(p + 1), &a->mean, "mean", input);
			p = ismseval_skip_space(p);
			if (*p != '/')
				radar_syntax_error(input, "Expected \"/n\" after the mean.");
			p = parse_count(ismseval_skip_space(p + 1), &a->n, input);
			p = ismseval_skip_space(p);
			a->weight = (double) a->n;
			if (*p == '@')
			{
				p = parse_double(ismseval_skip_space(p + 1), &a->weight, "weight", input);
				if (a->weight <= 0)
					radar_syntax_error(input, "The weight must be > 0.");
				p = ismseval_skip_space(p);
			}
			if (*p == '}')
				break;
			if (*p != ',')
				radar_syntax_error(input, "Expected \",\" or \"}\" after an axis.");
			p = ismseval_skip_space(p + 1);
		}
	}
	p = ismseval_skip_space(p + 1);
	if (*p != '\0')
		radar_syntax_error(input, "Unexpected text after \"}\".");

	qsort_arg(axes, naxes, sizeof(ParsedAxis), parsed_axis_cmp, labels.data);
	for (i = 1; i < naxes; i++)
		if (parsed_axis_cmp(&axes[i - 1], &axes[i], labels.data) == 0)
			radar_syntax_error(input, "An axis label appears more than once.");

	r = radar_alloc(CurrentMemoryContext, naxes, labels.len);
	for (i = 0; i < naxes; i++)
		radar_append(r, labels.data + axes[i].label_off, axes[i].label_len,
					 axes[i].mean, axes[i].n, axes[i].weight);
	PG_RETURN_RADAR_P(r);
}

/* ---------- text output ---------- */

/* Appends a double, shortest-exact. */
static void
append_double(StringInfo buf, double value)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(value, tmp);
	appendStringInfoString(buf, tmp);
}

/* Appends a label double-quoted, with a backslash before " and \. */
static void
append_quoted_label(StringInfo buf, const char *label, int len)
{
	int			i;

	appendStringInfoChar(buf, '"');
	for (i = 0; i < len; i++)
	{
		if (label[i] == '"' || label[i] == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, label[i]);
	}
	appendStringInfoChar(buf, '"');
}

/* radar_out(radar): the canonical text form. */
Datum
radar_out(PG_FUNCTION_ARGS)
{
	Radar	   *r = PG_GETARG_RADAR_P(0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < r->naxes; i++)
	{
		const RadarAxis *a = &RADAR_AXES(r)[i];

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		append_quoted_label(&buf, radar_label(r, i), a->label_len);
		appendStringInfoChar(&buf, ':');
		append_double(&buf, a->mean);
		appendStringInfo(&buf, "/" INT64_FORMAT, a->n);
		if (a->weight != (double) a->n)
		{
			appendStringInfoChar(&buf, '@');
			append_double(&buf, a->weight);
		}
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

/* ---------- binary I/O ---------- */

/* Raises 22P03 for malformed binary input, saying what was wrong. */
static void
pg_attribute_noreturn()
radar_binary_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary representation of type radar"),
			 errdetail("%s", detail)));
}

/* Raises 22P03 unless nbytes remain in buf. */
static void
require_bytes(StringInfo buf, int64 nbytes, const char *what)
{
	if (nbytes > (int64) buf->len - buf->cursor)
		radar_binary_error(psprintf("The data ends before the %s.", what));
}

/*
 * Reads and validates one axis at the cursor; returns its label (pointing into
 * buf) and values.  prev/prev_len is the previous label (NULL for the first).
 */
static void
read_binary_axis(StringInfo buf, const char *prev, int prev_len,
				 const char **label, int *len, double *mean, int64 *n, double *weight)
{
	require_bytes(buf, RADAR_BINARY_AXIS_SIZE, "axis");
	*len = pq_getmsgint(buf, 4);
	if (*len < 0)
		radar_binary_error(psprintf("Negative label length %d.", *len));
	require_bytes(buf, (int64) *len + RADAR_BINARY_AXIS_SIZE - 4, "end of the axis");
	*label = pq_getmsgbytes(buf, *len);
	if (!pg_verifymbstr(*label, *len, true))
		radar_binary_error("An axis label is not valid in the database encoding.");
	if (prev != NULL && radar_label_cmp(prev, prev_len, *label, *len) >= 0)
		radar_binary_error("Axis labels are not strictly increasing (duplicate or unsorted).");
	*mean = pq_getmsgfloat8(buf);
	*n = pq_getmsgint64(buf);
	*weight = pq_getmsgfloat8(buf);
	if (!isfinite(*mean))
		radar_binary_error("An axis mean is not finite.");
	if (*n < 1)
		radar_binary_error(psprintf("An axis count is " INT64_FORMAT ", must be >= 1.", *n));
	if (!isfinite(*weight) || *weight <= 0)
		radar_binary_error("An axis weight is not a finite number > 0.");
}

/*
 * radar_recv(internal): int32 axis count, then per axis int32 label length,
 * label bytes, float8 mean, int64 n, float8 weight.  Validated in a first
 * pass, copied in a second.
 */
Datum
radar_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			start;
	int32		naxes;
	int64		label_bytes = 0;
	const char *label = NULL;
	int			len = 0;
	double		mean,
				weight;
	int64		n;
	int			i;
	Radar	   *r;

	require_bytes(buf, 4, "axis count");
	naxes = pq_getmsgint(buf, 4);
	if (naxes < 0)
		radar_binary_error(psprintf("Negative axis count %d.", naxes));
	if ((int64) naxes * RADAR_BINARY_AXIS_SIZE > (int64) buf->len - buf->cursor)
		radar_binary_error(psprintf("Axis count %d is larger than the data holds.", naxes));
	start = buf->cursor;
	for (i = 0; i < naxes; i++)
	{
		const char *prev = label;
		int			prev_len = len;

		read_binary_axis(buf, prev, prev_len, &label, &len, &mean, &n, &weight);
		label_bytes += len;
	}
	if (buf->cursor != buf->len)
		radar_binary_error("Unexpected bytes after the last axis.");

	r = radar_alloc(CurrentMemoryContext, naxes, label_bytes);
	buf->cursor = start;
	label = NULL;
	for (i = 0; i < naxes; i++)
	{
		const char *prev = label;
		int			prev_len = len;

		read_binary_axis(buf, prev, prev_len, &label, &len, &mean, &n, &weight);
		radar_append(r, label, len, mean, n, weight);
	}
	PG_RETURN_RADAR_P(r);
}

/* radar_send(radar): the binary form read by radar_recv. */
Datum
radar_send(PG_FUNCTION_ARGS)
{
	Radar	   *r = PG_GETARG_RADAR_P(0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, r->naxes);
	for (i = 0; i < r->naxes; i++)
	{
		const RadarAxis *a = &RADAR_AXES(r)[i];

		pq_sendint32(&buf, a->label_len);
		pq_sendbytes(&buf, radar_label(r, i), a->label_len);
		pq_sendfloat8(&buf, a->mean);
		pq_sendint64(&buf, a->n);
		pq_sendfloat8(&buf, a->weight);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---------- jsonb ---------- */

/*
 * radar_to_jsonb(radar): {"label": {"value": mean, "n": n, "weight": weight}, ...}
 * with the numbers shortest-exact.
 */
Datum
radar_to_jsonb(PG_FUNCTION_ARGS)
{
	Radar	   *r = PG_GETARG_RADAR_P(0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < r->naxes; i++)
	{
		const RadarAxis *a = &RADAR_AXES(r)[i];

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, pnstrdup(radar_label(r, i), a->label_len));
		appendStringInfoString(&buf, ": {\"value\": ");
		append_double(&buf, a->mean);
		appendStringInfo(&buf, ", \"n\": " INT64_FORMAT ", \"weight\": ", a->n);
		append_double(&buf, a->weight);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* ---------- accessors ---------- */

/* radar_gap(own, reference): own - reference per axis in both; n and weight from own. */
Datum
radar_gap(PG_FUNCTION_ARGS)
{
	Radar	   *own = PG_GETARG_RADAR_P(0);
	Radar	   *ref = PG_GETARG_RADAR_P(1);
	Radar	   *gap = radar_alloc(CurrentMemoryContext, own->naxes, own->label_used);
	int			i = 0,
				j = 0;

	while (i < own->naxes && j < ref->naxes)
	{
		int			c = radar_label_cmp(radar_label(own, i), RADAR_AXES(own)[i].label_len,
										radar_label(ref, j), RADAR_AXES(ref)[j].label_len);

		if (c < 0)
			i++;
		else if (c > 0)
			j++;
		else
		{
			double		d = radar_check_result(RADAR_AXES(own)[i].mean - RADAR_AXES(ref)[j].mean, "gap");

			radar_append(gap, radar_label(own, i), RADAR_AXES(own)[i].label_len, d,
						 RADAR_AXES(own)[i].n, RADAR_AXES(own)[i].weight);
			i++;
			j++;
		}
	}
	PG_RETURN_RADAR_P(radar_compact(gap));
}

/* radar_value(radar, axis): the mean of an axis, NULL when the radar has no such axis. */
Datum
radar_value(PG_FUNCTION_ARGS)
{
	Radar	   *r = PG_GETARG_RADAR_P(0);
	text	   *axis = PG_GETARG_TEXT_PP(1);
	int			i = radar_find(r, VARDATA_ANY(axis), VARSIZE_ANY_EXHDR(axis));

	if (i < 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(RADAR_AXES(r)[i].mean);
}

/* radar_mean(radar): the unweighted mean of the axis means, NULL for an empty radar. */
Datum
radar_mean(PG_FUNCTION_ARGS)
{
	Radar	   *r = PG_GETARG_RADAR_P(0);
	double		mean = 0;
	int			i;

	if (r->naxes == 0)
		PG_RETURN_NULL();
	/* incremental, so that large means cannot overflow a running sum */
	for (i = 0; i < r->naxes; i++)
		mean += (RADAR_AXES(r)[i].mean - mean) / (i + 1);
	PG_RETURN_FLOAT8(mean);
}

/* radar_axes(radar): one row (axis, value, n) per axis, in label order. */
Datum
radar_axes(PG_FUNCTION_ARGS)
{
	Radar	   *r = PG_GETARG_RADAR_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < r->naxes; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = PointerGetDatum(cstring_to_text_with_len(radar_label(r, i),
															  RADAR_AXES(r)[i].label_len));
		values[1] = Float8GetDatum(RADAR_AXES(r)[i].mean);
		values[2] = Int64GetDatum(RADAR_AXES(r)[i].n);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
