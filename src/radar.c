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

#include <float.h>
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
				 errmsg("radar is too large"),
				 errdetail("A radar of %lld axes and %lld label bytes would exceed the maximum allocation size.",
						   (long long) axis_cap, (long long) label_cap)));
	size = RADAR_HEADER_SIZE + axis_cap * RADAR_SLOT_SIZE + label_cap;
	r = (Radar *) MemoryContextAllocZero(ctx, size);
	SET_VARSIZE(r, size);
	r->format = RADAR_FORMAT;
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

	copy->min_peer_group = r->min_peer_group;
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

/* ---------- reading a datum: detoast, format, invariants ---------- */

/* Raises XX001 for a radar value that breaks an invariant of its layout. */
#define radar_corrupted(...) \
	ereport(ERROR, \
			(errcode(ERRCODE_DATA_CORRUPTED), \
			 errmsg("radar value is corrupted"), \
			 errdetail(__VA_ARGS__)))

/*
 * Checks the header of a format-1 radar of size bytes: the format word, the
 * counts, and that keys, axes and label area fill the value exactly.
 */
static void
check_header(const Radar *r, Size size)
{
	if (r->format != RADAR_FORMAT)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("unsupported radar format %u", r->format),
				 errdetail("This version of ismseval reads radar formats 0 and %d.", RADAR_FORMAT_VERSION),
				 errhint("The value was written by a newer version of ismseval, or is corrupted.")));
	if (r->naxes < 0 || r->axis_cap < r->naxes || r->label_used > r->label_cap ||
		r->last < 0 || r->last > r->naxes || r->min_peer_group < 0 || r->reserved != 0)
		radar_corrupted("Its header holds %d axes in %d slots, %u of %u label bytes, last axis %d, floor %d.",
						r->naxes, r->axis_cap, r->label_used, r->label_cap, r->last, r->min_peer_group);
	if ((uint64) RADAR_HEADER_SIZE + (uint64) r->axis_cap * RADAR_SLOT_SIZE + r->label_cap != size)
		radar_corrupted("Its size is %zu bytes, its header describes %llu.", size,
						(unsigned long long) ((uint64) RADAR_HEADER_SIZE +
											  (uint64) r->axis_cap * RADAR_SLOT_SIZE + r->label_cap));
}

/* Checks every axis of a radar whose header has been checked (offsets, order, keys, values). */
void
radar_check_axes(const Radar *r)
{
	const RadarAxis *axes = RADAR_AXES(r);
	int			i;

	for (i = 0; i < r->naxes; i++)
	{
		const RadarAxis *a = &axes[i];

		if ((uint64) a->label_off + a->label_len > r->label_used)
			radar_corrupted("Axis %d has its label at bytes %u to %llu of a label area of %u bytes.",
							i + 1, a->label_off, (unsigned long long) a->label_off + a->label_len,
							r->label_used);
		if (RADAR_KEYS(r)[i] != radar_label_key(radar_label(r, i), a->label_len))
			radar_corrupted("The key of axis %d does not match its label.", i + 1);
		if (i > 0 && radar_label_cmp(radar_label(r, i - 1), axes[i - 1].label_len,
									 radar_label(r, i), a->label_len) >= 0)
			radar_corrupted("Axis labels %d and %d are not in strictly increasing order.", i, i + 1);
		if (!isfinite(a->mean) || a->n < 1 || !isfinite(a->weight) || a->weight <= 0)
			radar_corrupted("Axis %d has mean %g, n " INT64_FORMAT " and weight %g.",
							i + 1, a->mean, a->n, a->weight);
	}
}

/* Reads a format-0 radar (0.2.0 to 0.4.0) of size bytes into a new format-1 value. */
static Radar *
radar_from_format0(const char *old, Size size)
{
	int32		hdr[6];
	int32		naxes,
				axis_cap;
	uint32		label_cap,
				label_used;
	const RadarAxis *axes;
	const char *labels;
	int64		label_bytes = 0;
	Radar	   *r;
	int			i;

	if (size < RADAR_FORMAT0_HEADER_SIZE)
		radar_corrupted("It has %zu bytes, fewer than a header.", size);
	memcpy(hdr, old, sizeof(hdr));
	naxes = hdr[1];
	axis_cap = hdr[2];
	label_cap = (uint32) hdr[3];
	label_used = (uint32) hdr[4];
	if (naxes < 0 || axis_cap < naxes || label_used > label_cap ||
		(uint64) RADAR_FORMAT0_HEADER_SIZE + (uint64) axis_cap * RADAR_SLOT_SIZE + label_cap != size)
		radar_corrupted("Its format-0 header holds %d axes in %d slots, %u of %u label bytes, in %zu bytes.",
						naxes, axis_cap, label_used, label_cap, size);
	/* keys[axis_cap] come first; they are recomputed */
	axes = (const RadarAxis *) (old + RADAR_FORMAT0_HEADER_SIZE + (Size) axis_cap * sizeof(uint64));
	labels = (const char *) (axes + axis_cap);
	for (i = 0; i < naxes; i++)
	{
		if ((uint64) axes[i].label_off + axes[i].label_len > label_used)
			radar_corrupted("Axis %d has its label outside the label area.", i + 1);
		label_bytes += axes[i].label_len;
	}
	r = radar_alloc(CurrentMemoryContext, naxes, label_bytes);
	for (i = 0; i < naxes; i++)
		radar_append(r, labels + axes[i].label_off, axes[i].label_len,
					 axes[i].mean, axes[i].n, axes[i].weight);
	return r;
}

/* Detoasts a radar datum and checks its header only (sizes, counts, format 1); NULL for format 0. */
Radar *
radar_detoast_header(Datum d)
{
	Radar	   *r = (Radar *) PG_DETOAST_DATUM(d);
	Size		size = VARSIZE(r);

	if (size < offsetof(Radar, naxes))
		radar_corrupted("It has %zu bytes, fewer than a header.", size);
	if (r->format < RADAR_FORMAT_MAGIC)
		return NULL;			/* format 0: the word is its axis count */
	if (size < RADAR_HEADER_SIZE)
		radar_corrupted("It has %zu bytes, fewer than a header.", size);
	check_header(r, size);
	return r;
}

/* Detoasts a radar datum, reads format 0, checks every invariant; may return a copy. */
Radar *
radar_from_datum(Datum d)
{
	Radar	   *r = radar_detoast_header(d);

	if (r == NULL)
	{
		struct varlena *v = PG_DETOAST_DATUM(d);

		r = radar_from_format0((const char *) v, VARSIZE(v));
	}
	radar_check_axes(r);
	return r;
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

/* The state of the text parser. */
typedef struct RadarParser
{
	const char *input;			/* the whole literal */
	char	   *p;				/* the next character */
	int			axis;			/* number of the axis being read (1-based), 0 before the first */
	StringInfoData labels;		/* labels read so far, back to back */
} RadarParser;

/*
 * Raises 22P02 for a malformed radar literal: the primary message quotes a
 * short prefix of it, the detail (a format and its arguments) names the axis.
 */
#define radar_syntax_error(ps, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION), \
			 errmsg("invalid input syntax for type radar: \"%s\"", ismseval_excerpt((ps)->input, -1)), \
			 errdetail(__VA_ARGS__)))

/* Parses a double-quoted label at ps->p into ps->labels. */
static void
parse_label(RadarParser *ps)
{
	char	   *p = ps->p;

	if (*p != '"')
		radar_syntax_error(ps, "Axis %d: expected a double-quoted label at character %d.",
						   ps->axis, (int) (p - ps->input) + 1);
	p++;
	for (;;)
	{
		if (*p == '"')
			break;
		if (*p == '\\')
			p++;
		if (*p == '\0')
			radar_syntax_error(ps, "Axis %d: its label is not terminated.", ps->axis);
		appendStringInfoChar(&ps->labels, *p);
		p++;
	}
	ps->p = p + 1;
}

/* Parses a finite double at ps->p, the mean (is_weight false) or the weight of an axis. */
static double
parse_double(RadarParser *ps, bool is_weight)
{
	char	   *p = ps->p;
	double		value;
	bool		bad = false;

	if (*p == '\0' || *p == ',' || *p == '}' || *p == '/' || *p == '@')
		radar_syntax_error(ps, is_weight ? "Axis %d: expected a number for the weight at character %d." :
						   "Axis %d: expected a number for the mean at character %d.",
						   ps->axis, (int) (p - ps->input) + 1);
	value = float8in_internal_opt_error(p, &ps->p, "radar", ps->input, &bad);
	if (bad && ismseval_number_out_of_range(p))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg(is_weight ? "weight of radar axis %d is out of range for type double precision" :
						"mean of radar axis %d is out of range for type double precision", ps->axis)));
	if (bad)
		radar_syntax_error(ps, is_weight ?
						   "Axis %d: its weight at character %d is not a number of type double precision." :
						   "Axis %d: its mean at character %d is not a number of type double precision.",
						   ps->axis, (int) (p - ps->input) + 1);
	if (!isfinite(value))
		radar_syntax_error(ps, is_weight ? "Axis %d: the weight must be finite." :
						   "Axis %d: the mean must be finite.", ps->axis);
	return value;
}

/* Parses a count n >= 1 at ps->p. */
static int64
parse_count(RadarParser *ps)
{
	char	   *p = ps->p;
	int64		n = 0;

	if (!isdigit((unsigned char) *p))
		radar_syntax_error(ps, "Axis %d: expected a count n >= 1 after \"/\" at character %d.",
						   ps->axis, (int) (p - ps->input) + 1);
	while (isdigit((unsigned char) *p))
	{
		if (n > (PG_INT64_MAX - (*p - '0')) / 10)
			radar_syntax_error(ps, "Axis %d: its count n is out of range for type bigint.", ps->axis);
		n = n * 10 + (*p - '0');
		p++;
	}
	if (n < 1)
		radar_syntax_error(ps, "Axis %d: its count n must be >= 1.", ps->axis);
	ps->p = p;
	return n;
}

/* Parses one axis "label":mean/n[@weight] at ps->p into a. */
static void
parse_axis(RadarParser *ps, ParsedAxis *a)
{
	a->label_off = ps->labels.len;
	parse_label(ps);
	a->label_len = ps->labels.len - a->label_off;
	ps->p = ismseval_skip_space(ps->p);
	if (*ps->p != ':')
		radar_syntax_error(ps, "Axis %d: expected \":\" after its label at character %d.",
						   ps->axis, (int) (ps->p - ps->input) + 1);
	ps->p = ismseval_skip_space(ps->p + 1);
	a->mean = parse_double(ps, false);
	ps->p = ismseval_skip_space(ps->p);
	if (*ps->p != '/')
		radar_syntax_error(ps, "Axis %d: expected \"/n\" after its mean at character %d.",
						   ps->axis, (int) (ps->p - ps->input) + 1);
	ps->p = ismseval_skip_space(ps->p + 1);
	a->n = parse_count(ps);
	ps->p = ismseval_skip_space(ps->p);
	a->weight = (double) a->n;
	if (*ps->p == '@')
	{
		ps->p = ismseval_skip_space(ps->p + 1);
		a->weight = parse_double(ps, true);
		if (a->weight <= 0)
			radar_syntax_error(ps, "Axis %d: its weight must be > 0.", ps->axis);
		ps->p = ismseval_skip_space(ps->p);
	}
}

/* Parses the optional ";min_peer_group=N" after the closing brace (a peer_radar state's floor). */
static int32
parse_floor(RadarParser *ps)
{
	static const char key[] = "min_peer_group";
	int64		n;

	if (*ps->p != ';')
		return 0;
	ps->p = ismseval_skip_space(ps->p + 1);
	if (strncmp(ps->p, key, sizeof(key) - 1) != 0)
		radar_syntax_error(ps, "Expected \"min_peer_group\" after \";\" at character %d.",
						   (int) (ps->p - ps->input) + 1);
	ps->p = ismseval_skip_space(ps->p + sizeof(key) - 1);
	if (*ps->p != '=')
		radar_syntax_error(ps, "Expected \"=\" after \"min_peer_group\" at character %d.",
						   (int) (ps->p - ps->input) + 1);
	ps->p = ismseval_skip_space(ps->p + 1);
	n = 0;
	if (!isdigit((unsigned char) *ps->p))
		radar_syntax_error(ps, "Expected a number after \"min_peer_group=\" at character %d.",
						   (int) (ps->p - ps->input) + 1);
	while (isdigit((unsigned char) *ps->p))
	{
		n = n * 10 + (*ps->p++ - '0');
		if (n > PG_INT32_MAX)
			radar_syntax_error(ps, "The min_peer_group is out of range for type integer.");
	}
	if (n < 1)
		radar_syntax_error(ps, "The min_peer_group must be >= 1.");
	ps->p = ismseval_skip_space(ps->p);
	return (int32) n;
}

/* Sorts the parsed axes by label; raises an error naming a label that appears twice. */
static void
sort_axes(RadarParser *ps, ParsedAxis *axes, int naxes)
{
	int			i;

	qsort_arg(axes, naxes, sizeof(ParsedAxis), parsed_axis_cmp, ps->labels.data);
	for (i = 1; i < naxes; i++)
		if (parsed_axis_cmp(&axes[i - 1], &axes[i], ps->labels.data) == 0)
		{
			int			len = axes[i].label_len;
			const char *label = ps->labels.data + axes[i].label_off;

			radar_syntax_error(ps, "The axis label \"%s\" appears more than once.",
							   ismseval_excerpt(label, len));
		}
}

/* radar_in(cstring): parses the text form. */
Datum
radar_in(PG_FUNCTION_ARGS)
{
	RadarParser ps;
	ParsedAxis *axes;
	int			naxes = 0;
	int			cap = 8;
	int			i;
	int32		floor;
	Radar	   *r;

	ps.input = PG_GETARG_CSTRING(0);
	ps.p = ismseval_skip_space((char *) ps.input);
	ps.axis = 0;
	initStringInfo(&ps.labels);
	axes = palloc(cap * sizeof(ParsedAxis));
	if (*ps.p != '{')
		radar_syntax_error(&ps, "A radar starts with \"{\".");
	ps.p = ismseval_skip_space(ps.p + 1);
	if (*ps.p != '}')
	{
		for (;;)
		{
			if (naxes == cap)
			{
				if (cap >= (int) (MaxAllocSize / sizeof(ParsedAxis) / 2))
					radar_syntax_error(&ps, "Axis %d: too many axes.", naxes + 1);
				cap *= 2;
				axes = repalloc(axes, cap * sizeof(ParsedAxis));
			}
			ps.axis = naxes + 1;
			parse_axis(&ps, &axes[naxes++]);
			if (*ps.p == '}')
				break;
			if (*ps.p != ',')
				radar_syntax_error(&ps, "Axis %d: expected \",\" or \"}\" after it at character %d.",
								   ps.axis, (int) (ps.p - ps.input) + 1);
			ps.p = ismseval_skip_space(ps.p + 1);
		}
	}
	ps.p = ismseval_skip_space(ps.p + 1);
	floor = parse_floor(&ps);
	if (*ps.p != '\0')
		radar_syntax_error(&ps, "Unexpected text after \"}\" at character %d.",
						   (int) (ps.p - ps.input) + 1);

	sort_axes(&ps, axes, naxes);
	r = radar_alloc(CurrentMemoryContext, naxes, ps.labels.len);
	r->min_peer_group = floor;
	for (i = 0; i < naxes; i++)
		radar_append(r, ps.labels.data + axes[i].label_off, axes[i].label_len,
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
	if (r->min_peer_group > 0)
		appendStringInfo(&buf, ";min_peer_group=%d", r->min_peer_group);
	PG_RETURN_CSTRING(buf.data);
}

/* ---------- binary I/O ---------- */

/* Raises 22P03 for malformed binary input; the arguments are the detail's format and values. */
#define radar_binary_error(...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), \
			 errmsg("invalid binary representation of type radar"), \
			 errdetail(__VA_ARGS__)))

/* Raises 22P03 unless nbytes remain in buf; what names what is read (for the detail). */
static void
require_bytes(StringInfo buf, int64 nbytes, const char *what)
{
	if (nbytes > (int64) buf->len - buf->cursor)
		radar_binary_error("The data ends before the %s.", what);
}

/*
 * Reads and validates axis number axis (1-based) at the cursor; returns its
 * label (pointing into buf) and values.  prev/prev_len is the previous label
 * (NULL for the first).
 */
static void
read_binary_axis(StringInfo buf, int axis, const char *prev, int prev_len,
				 const char **label, int *len, double *mean, int64 *n, double *weight)
{
	require_bytes(buf, RADAR_BINARY_AXIS_SIZE, "axis");
	*len = pq_getmsgint(buf, 4);
	if (*len < 0)
		radar_binary_error("Axis %d has a negative label length %d.", axis, *len);
	require_bytes(buf, (int64) *len + RADAR_BINARY_AXIS_SIZE - 4, "end of the axis");
	*label = pq_getmsgbytes(buf, *len);
	if (!pg_verifymbstr(*label, *len, true))
		radar_binary_error("The label of axis %d is not valid in the database encoding.", axis);
	if (prev != NULL && radar_label_cmp(prev, prev_len, *label, *len) >= 0)
		radar_binary_error("The label of axis %d does not sort after the previous one (duplicate or unsorted).", axis);
	*mean = pq_getmsgfloat8(buf);
	*n = pq_getmsgint64(buf);
	*weight = pq_getmsgfloat8(buf);
	if (!isfinite(*mean))
		radar_binary_error("The mean of axis %d is not finite.", axis);
	if (*n < 1)
		radar_binary_error("The count of axis %d is " INT64_FORMAT ", it must be >= 1.", axis, *n);
	if (!isfinite(*weight) || *weight <= 0)
		radar_binary_error("The weight of axis %d is not a finite number > 0.", axis);
}

/* Reads the optional int32 floor after the last axis (a peer_radar state's); 0 when absent. */
static int32
read_binary_floor(StringInfo buf)
{
	int32		floor;

	if (buf->cursor == buf->len)
		return 0;
	if (buf->len - buf->cursor != 4)
		radar_binary_error("%d bytes follow the last axis, expected none or a 4-byte min_peer_group.",
						   buf->len - buf->cursor);
	floor = pq_getmsgint(buf, 4);
	if (floor < 1)
		radar_binary_error("The min_peer_group after the last axis is %d, it must be >= 1.", floor);
	return floor;
}

/*
 * radar_recv(internal): int32 axis count, then per axis int32 label length,
 * label bytes, float8 mean, int64 n, float8 weight; then, for a peer_radar
 * state only, int32 min_peer_group.  Validated in a first pass, copied in a
 * second.
 */
Datum
radar_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			start;
	int32		naxes;
	int32		floor;
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
		radar_binary_error("The axis count is negative: %d.", naxes);
	if ((int64) naxes * RADAR_BINARY_AXIS_SIZE > (int64) buf->len - buf->cursor)
		radar_binary_error("The axis count %d is larger than the data holds.", naxes);
	start = buf->cursor;
	for (i = 0; i < naxes; i++)
	{
		const char *prev = label;
		int			prev_len = len;

		read_binary_axis(buf, i + 1, prev, prev_len, &label, &len, &mean, &n, &weight);
		label_bytes += len;
	}
	floor = read_binary_floor(buf);

	r = radar_alloc(CurrentMemoryContext, naxes, label_bytes);
	r->min_peer_group = floor;
	buf->cursor = start;
	label = NULL;
	for (i = 0; i < naxes; i++)
	{
		const char *prev = label;
		int			prev_len = len;

		read_binary_axis(buf, i + 1, prev, prev_len, &label, &len, &mean, &n, &weight);
		radar_append(r, label, len, mean, n, weight);
	}
	buf->cursor = buf->len;
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
	if (r->min_peer_group > 0)
		pq_sendint32(&buf, r->min_peer_group);
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

/*
 * radar_mean(radar): the unweighted mean of the axis means, NULL for an empty
 * radar.  Every mean is scaled by the same power of two (exact) so that no
 * partial sum can overflow, summed with Neumaier's compensation, and the sum
 * and its compensation are each divided by the count before they are added
 * and scaled back: 1e308, -1e308, 1e308 give 1e308 / 3 (a running mean gave
 * NaN), three times 1.7e308 give 1.7e308.  The result is always finite.
 */
Datum
radar_mean(PG_FUNCTION_ARGS)
{
	Radar	   *r = PG_GETARG_RADAR_P(0);
	const RadarAxis *axes = RADAR_AXES(r);
	double		largest = 0;
	int			shift = 0;
	double		sum = 0;
	double		compensation = 0;
	int			i;

	if (r->naxes == 0)
		PG_RETURN_NULL();
	for (i = 0; i < r->naxes; i++)
		largest = Max(largest, fabs(axes[i].mean));
	/* |sum| <= naxes x largest < 2^(ilogb(largest) + 1 + 31): keep it below 2^1023 */
	if (largest > 0 && ilogb(largest) > DBL_MAX_EXP - 1 - 33)
		shift = ilogb(largest) - (DBL_MAX_EXP - 1 - 33);
	for (i = 0; i < r->naxes; i++)
	{
		double		x = ldexp(axes[i].mean, -shift);
		double		t = sum + x;

		compensation += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum;
		sum = t;
	}
	PG_RETURN_FLOAT8(ldexp(sum / r->naxes + compensation / r->naxes, shift));
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
