/*
 * risk_matrix.h: the risk_matrix type, shared by risk_matrix_io.c (text and
 * binary forms), risk_matrix_json.c (jsonb form) and risk_matrix.c (lookups,
 * equality, listings).
 *
 * Stored layout (a varlena; every field is a byte or a byte pair, so the
 * value is read in place through VARDATA_ANY, short header or not):
 *
 *   [0]                 layout version (RM_LAYOUT_VERSION)
 *   [1]                 form the mapping was given in (RM_FORM_*)
 *   [2]                 likelihood scale size L (2..10)
 *   [3]                 impact scale size I (2..10)
 *   [4]                 number of levels N (2..100)
 *   [5 ..)              grid: L x I level ranks, row-major by likelihood
 *   then N bytes        thresholds: [0] unused (0), [k] lowest score of level k
 *                       (all 0 in the grid form)
 *   then 3N bytes       colours, R G B per level
 *   then 2(N+1) bytes   name offsets into the name area, little-endian
 *   then                the names, concatenated (no terminators)
 *
 * Every offset is a function of L, I and N, so a lookup is O(1).
 */
#ifndef RISK_MATRIX_H
#define RISK_MATRIX_H

#include "postgres.h"

#include "fmgr.h"

#define RM_LAYOUT_VERSION	1
#define RM_FORM_THRESHOLDS	0
#define RM_FORM_GRID		1

#define RM_MIN_SCALE		2
#define RM_MAX_SCALE		10
#define RM_MIN_LEVELS		2
#define RM_MAX_LEVELS		100
#define RM_MAX_NAME			255
#define RM_MAX_CELLS		(RM_MAX_SCALE * RM_MAX_SCALE)
#define RM_HEADER_BYTES		5

/* A matrix being built, before it is validated and packed. */
typedef struct RiskMatrixSpec
{
	int			form;			/* RM_FORM_THRESHOLDS or RM_FORM_GRID */
	int			nlik;			/* likelihood scale size */
	int			nimp;			/* impact scale size */
	int			nlevels;		/* number of levels */
	const char *names[RM_MAX_LEVELS];	/* level names (not terminated) */
	int			namelens[RM_MAX_LEVELS];	/* their lengths in bytes */
	uint32		colours[RM_MAX_LEVELS]; /* 0xRRGGBB */
	int			thresholds[RM_MAX_LEVELS];	/* [k]: lowest score of level k */
	int			grid[RM_MAX_CELLS]; /* level ranks, row-major by likelihood */
} RiskMatrixSpec;

/* A read-only view of a stored matrix: pointers into the value. */
typedef struct RiskMatrixView
{
	int			form;
	int			nlik;
	int			nimp;
	int			nlevels;
	const uint8 *grid;
	const uint8 *thresholds;
	const uint8 *colours;
	const uint8 *offsets;
	const char *names;
} RiskMatrixView;

/* Where a matrix being built comes from: it decides the SQLSTATE and primary message of its errors. */
typedef enum RmSource
{
	RM_SOURCE_TEXT,				/* risk_matrix_in: 22P02 */
	RM_SOURCE_BINARY,			/* risk_matrix_recv: 22P03 */
	RM_SOURCE_JSONB				/* risk_matrix_from_jsonb: 22023 */
} RmSource;

/*
 * Sets the SQLSTATE and primary message of an error in a matrix read from
 * source (input: the text literal, quoted in part; else unused); use inside
 * ereport, followed by an errdetail naming the offending element.
 */
extern int	rm_errsource(RmSource source, const char *input);

/* Validates spec (raising an error of source on failure) and packs it. */
extern struct varlena *rm_pack(RiskMatrixSpec *spec, RmSource source,
							   const char *input);

/*
 * Fills view from a detoasted (possibly short-header) value after checking
 * its layout version and that every size, offset and level rank in it is
 * consistent, so that no lookup reads outside the value.
 */
extern void rm_view(const struct varlena *value, RiskMatrixView *view);

/*
 * The name of level rank in view, and its length, checked to be valid text
 * in the database encoding (without zero bytes) before it is shown.
 */
extern const char *rm_level_name(const RiskMatrixView *view, int rank, int *len);

/* The colour of level rank as "#RRGGBB" into buf (8 bytes). */
extern void rm_level_colour(const RiskMatrixView *view, int rank, char *buf);

/* Parses "#RRGGBB" (either case) of exactly len bytes; false if malformed. */
extern bool rm_parse_colour(const char *s, int len, uint32 *colour);

#endif							/* RISK_MATRIX_H */
