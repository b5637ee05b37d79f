/*
 * peer_dist.h: the in-memory layout of the peer_dist type, shared by
 * peer_dist.c (type, figures) and peer_dist_agg.c (aggregate).
 */
#ifndef PEER_DIST_H
#define PEER_DIST_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/memutils.h"

/*
 * A peer group's values.  The varlena size may leave room for more values
 * than count (an aggregate state grows geometrically); the capacity is always
 * derived from the size, so any copy of the datum is consistent.  Every value
 * built by text input, binary input or the final function is compact, sorted
 * and finalized (mean and M2 set); a transition state is not, and every
 * reader copes with both.
 *
 * Stored layout (unchanged since 0.2.0; min_peer_group was a zero "reserved"
 * word before 0.5.0, which reads as "no floor recorded"):
 *
 *   offset  field            meaning
 *        0  vl_len_          varlena header
 *        4  count            values held, 0 <= count <= capacity
 *        8  flags            PEER_DIST_FINALIZED or 0; every other bit is zero
 *                            in format 0 (a later format sets a version there)
 *       12  min_peer_group   floor recorded by the aggregate where its
 *                            transition ran (0: none, the read-out functions
 *                            then use ismseval.min_peer_group)
 *       16  mean, 24 m2      statistics, once finalized
 *       32  values[]         capacity = (size - 32) / 8 slots
 *
 * Every reader goes through peer_dist_from_datum, which detoasts and checks
 * this header, so that no stored, short-header or crafted value makes a
 * function read outside the value.
 */
typedef struct PeerDist
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		count;			/* number of values held */
	int32		flags;			/* PEER_DIST_FINALIZED or 0 */
	int32		min_peer_group; /* floor recorded by the aggregate, 0 when none */
	double		mean;			/* mean of the values, once finalized */
	double		m2;				/* sum of squared deviations from the mean, once finalized */
	double		values[FLEXIBLE_ARRAY_MEMBER];	/* count values (sorted once finalized) */
} PeerDist;

/* Set when the values are sorted and mean and m2 hold their statistics. */
#define PEER_DIST_FINALIZED 0x1

#define PEER_DIST_HEADER_SIZE offsetof(PeerDist, values)
#define PEER_DIST_SIZE(n) (PEER_DIST_HEADER_SIZE + (Size) (n) * sizeof(double))
#define PEER_DIST_MAX_COUNT ((int32) ((MaxAllocSize - PEER_DIST_HEADER_SIZE) / sizeof(double)))

/* A peer_dist datum, detoasted, header checked (see peer_dist_from_datum). */
#define DatumGetPeerDist(d) peer_dist_from_datum(d)

/* Detoasts a peer_dist datum and checks its header: size, count, flags, floor. */
extern PeerDist *peer_dist_from_datum(Datum d);

/* Allocates a zeroed, empty value with room for capacity values, in CurrentMemoryContext. */
extern PeerDist *peer_dist_allocate(int64 capacity);

/* The number of values the storage of a value has room for. */
extern int64 peer_dist_capacity(const PeerDist *dist);

/* Returns a compact, sorted and finalized value holding values[0..n). */
extern PeerDist *peer_dist_make(const double *values, int32 n);

#endif							/* PEER_DIST_H */
