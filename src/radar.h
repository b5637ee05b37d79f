/*
 * radar.h: the ismseval.radar type, shared by radar.c (I/O and accessors),
 * radar_agg.c (aggregates) and radar_svg.c (the SVG chart).
 *
 * A radar is a set of axes sorted by label (byte order of the UTF-8 bytes).
 * Each axis has a mean, a count n and a weight (the sum of the weights behind
 * the mean; equal to n when unweighted).  Every axis has n >= 1 and a finite
 * weight > 0; means are finite.
 *
 * In memory and on disk it is one varlena (format version 1, since 0.5.0):
 *
 *   header (40 bytes) | keys[axis_cap] | axes[axis_cap] | label area[label_cap]
 *
 *   offset  field            meaning
 *        0  vl_len_          varlena header: the whole allocation
 *        4  format           RADAR_FORMAT: "RA" (0x5241) << 16 | layout version
 *        8  naxes            axes in use, 0 <= naxes <= axis_cap
 *       12  axis_cap         slots in keys[] and axes[]
 *       16  label_cap        bytes in the label area
 *       20  label_used       bytes of the label area in use, <= label_cap
 *       24  last             axis the transition function hit last, 0 <= last <= naxes
 *       28  min_peer_group   floor recorded by peer_radar's transition (0: none)
 *       32  owner            tag of an aggregate state validated in place (radar_agg.c)
 *       36  reserved         zero
 *
 * axes[0 .. naxes-1] are in label order; each points at its label bytes in the
 * label area (not NUL-terminated).  keys[i] holds the first 8 bytes of label
 * i (see radar_label_key), apart from the axes so that a lookup scanning
 * the keys touches few cache lines.  axis_cap and label_cap may exceed what is
 * used: the aggregates keep that slack so that the transition functions can
 * add axes in place.  Values built by the I/O functions and the final
 * functions are compact (no slack).  The varlena length is always exactly
 * RADAR_HEADER_SIZE + axis_cap * RADAR_SLOT_SIZE + label_cap.
 *
 * Format 0 (0.2.0 to 0.4.0) had no format word: a 24-byte header
 * (vl_len_, naxes, axis_cap, label_cap, label_used, last), then the same
 * keys, axes and label area.  Its naxes can never reach RADAR_FORMAT's value
 * (a value is at most 1 GB, 40 bytes per axis), so the word at offset 4 tells
 * the formats apart; radar_from_datum reads both and returns format 1.
 *
 * Every function reads a radar argument through radar_from_datum (or
 * PG_GETARG_RADAR_P), which detoasts it and checks every invariant above, so
 * that a stored, short-header or crafted value cannot make it read outside
 * the value.
 */
#ifndef ISMSEVAL_RADAR_H
#define ISMSEVAL_RADAR_H

#include "postgres.h"

#include "fmgr.h"
#include "port/pg_bswap.h"

typedef struct RadarAxis
{
	double		mean;			/* mean of the axis */
	double		weight;			/* sum of the weights behind the mean, > 0 */
	int64		n;				/* number of observations, >= 1 */
	uint32		label_off;		/* offset of the label in the label area */
	uint32		label_len;		/* length of the label in bytes */
} RadarAxis;

typedef struct Radar
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint32		format;			/* RADAR_FORMAT */
	int32		naxes;			/* axes in use */
	int32		axis_cap;		/* slots in axes[] */
	uint32		label_cap;		/* bytes in the label area */
	uint32		label_used;		/* bytes of the label area in use */
	int32		last;			/* axis the transition function hit last */
	int32		min_peer_group; /* floor recorded by peer_radar, 0 when none */
	uint32		owner;			/* tag of a state validated in place, see radar_agg.c */
	int32		reserved;		/* zero */
	/* then keys[axis_cap], axes[axis_cap] and the label area */
} Radar;

/* The format word of the current layout: "RA" and version 1. */
#define RADAR_FORMAT_MAGIC 0x52410000u
#define RADAR_FORMAT_VERSION 1
#define RADAR_FORMAT (RADAR_FORMAT_MAGIC | RADAR_FORMAT_VERSION)

/* The header size of format 0 (0.2.0 to 0.4.0), which had no format word. */
#define RADAR_FORMAT0_HEADER_SIZE MAXALIGN(6 * sizeof(int32))

#define RADAR_HEADER_SIZE MAXALIGN(sizeof(Radar))

/* Bytes per axis slot: its key and its RadarAxis. */
#define RADAR_SLOT_SIZE (sizeof(uint64) + sizeof(RadarAxis))

/* The label keys: keys[i] belongs to axis i. */
#define RADAR_KEYS(r) ((uint64 *) ((char *) (r) + RADAR_HEADER_SIZE))

/* The axes. */
#define RADAR_AXES(r) ((RadarAxis *) (RADAR_KEYS(r) + (r)->axis_cap))

/* A radar argument, detoasted, in format 1 and checked (see radar_from_datum). */
#define PG_GETARG_RADAR_P(n)	radar_from_datum(PG_GETARG_DATUM(n))
#define PG_RETURN_RADAR_P(x)	PG_RETURN_POINTER(x)

/* The start of the label area. */
static inline char *
radar_label_area(const Radar *r)
{
	return (char *) (RADAR_AXES(r) + r->axis_cap);
}

/* The label bytes of axis i. */
static inline const char *
radar_label(const Radar *r, int i)
{
	return radar_label_area(r) + RADAR_AXES(r)[i].label_off;
}

/* Compares two labels in byte order (a shorter prefix sorts first), as strcmp. */
static inline int
radar_label_cmp(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/*
 * The first 8 bytes of a label as a big-endian integer, zero-padded.  Labels
 * hold no NUL bytes, so comparing keys compares the labels' first 8 bytes in
 * byte order, and equal keys with a label of <= 8 bytes mean equal labels.
 * Read with at most two loads (it runs once per aggregated row).
 */
static inline uint64
radar_label_key(const char *label, int len)
{
	uint32		lo;
	uint32		hi;
	uint64		w;

	if (len >= 8)
	{
		memcpy(&w, label, 8);
		return pg_ntoh64(w);
	}
	if (len >= 4)
	{
		/* bytes 0-3 and len-4 .. len-1 (overlapping) cover every byte */
		memcpy(&lo, label, 4);
		memcpy(&hi, label + len - 4, 4);
		return ((uint64) pg_ntoh32(lo) << 32) | ((uint64) pg_ntoh32(hi) << (8 * (8 - len)));
	}
	if (len > 0)
		/* bytes 0, len / 2 and len - 1 cover every byte of 1 to 3 */
		return ((uint64) (unsigned char) label[0] << 56) |
			((uint64) (unsigned char) label[len / 2] << (56 - 8 * (len / 2))) |
			((uint64) (unsigned char) label[len - 1] << (56 - 8 * (len - 1)));
	return 0;
}

/* Compares axis i of r with a label and its key, in byte order. */
static inline int
radar_axis_cmp(const Radar *r, int i, uint64 key, const char *label, int len)
{
	const RadarAxis *a = &RADAR_AXES(r)[i];
	uint64		k = RADAR_KEYS(r)[i];

	if (k != key)
		return k < key ? -1 : 1;
	if (a->label_len <= 8 || len <= 8)
		return ((int) a->label_len > len) - ((int) a->label_len < len);
	return radar_label_cmp(radar_label(r, i) + 8, a->label_len - 8, label + 8, len - 8);
}

/* Detoasts a radar datum, reads format 0, checks every invariant; may return a copy. */
extern Radar *radar_from_datum(Datum d);

/* Detoasts a radar datum and checks its header only (sizes, counts, format 1); NULL for format 0. */
extern Radar *radar_detoast_header(Datum d);

/* Checks every axis of a radar whose header has been checked (offsets, order, keys, values). */
extern void radar_check_axes(const Radar *r);

/* Allocates an empty radar with room for axis_cap axes and label_cap label bytes. */
extern Radar *radar_alloc(MemoryContext ctx, int64 axis_cap, int64 label_cap);

/* Appends an axis after the last one; the caller keeps label order and has made room. */
extern void radar_append(Radar *r, const char *label, int len,
						 double mean, int64 n, double weight);

/* Finds a label: returns its index, or (-1 - insertion point) when absent. */
static inline int
radar_find_keyed(const Radar *r, uint64 key, const char *label, int len)
{
	int			lo = 0;
	int			hi = r->naxes - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = radar_axis_cmp(r, mid, key, label, len);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1 - lo;
}

/* Finds a label: returns its index, or (-1 - insertion point) when absent. */
extern int	radar_find(const Radar *r, const char *label, int len);

/* Copies a radar into ctx with room for extra_axes more axes and extra_label more label bytes. */
extern Radar *radar_copy_with_room(MemoryContext ctx, const Radar *r,
								   int64 extra_axes, int64 extra_label);

/* Returns a compact copy (no slack, labels in axis order) in the current context. */
extern Radar *radar_compact(const Radar *r);

/* Raises 22003 unless a computed mean or weight is finite; returns it. */
extern double radar_check_result(double value, const char *what);

#endif							/* ISMSEVAL_RADAR_H */
