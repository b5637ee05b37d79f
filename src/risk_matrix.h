/*
 * risk_matrix.h: the risk_matrix type, shared by risk_matrix_io.c (text and
 * binary forms), risk_matrix_json.c (jsonb form) and risk_matrix.c (lookups,
 * equality, listings).
 *
 * Stored layout (a varlena; every field is a byte or a byte pair, so the
 * value is read in place through VARDATA_ANY, short header or not):
 *
 *   [0]                 layout version (RM_LAYOUT_VERSION; 1 is still read)
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
 *   then (layout 2)     the label area: one byte 0 when no entry has a label,
 *                       else 1 and L + I + N entries (likelihood 1..L, impact
 *                       1..I, level 0..N-1), each:
 *                         flags (RM_LBL_*),
 *                         [3 bytes R G B]            scale entry's colour
 *                         [string name]              scale entry's name
 *                         [string abbreviation] [string description]
 *                         [1 byte T (1..RM_MAX_TRANSLATIONS), then T x
 *                          (1 byte length + language, flags RM_TR_*,
 *                           [string name], [string description])]
 *                       where a string is a 2-byte little-endian length and
 *                       its bytes. Translations are sorted by language; a
 *                       scale entry named by its own 1-based index stores no
 *                       name. Layout 1 (0.1.0 to 0.4.0) has no label area.
 *
 * Every offset before the label area is a function of L, I and N, so a lookup
 * is O(1); the label area is only read (and checked) by what shows labels.
 */
#ifndef RISK_MATRIX_H
#define RISK_MATRIX_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"

#define RM_LAYOUT_VERSION	2
#define RM_LAYOUT_VERSION_1	1
#define RM_FORM_THRESHOLDS	0
#define RM_FORM_GRID		1

#define RM_MIN_SCALE		2
#define RM_MAX_SCALE		10
#define RM_MIN_LEVELS		2
#define RM_MAX_LEVELS		100
#define RM_MAX_NAME			255
#define RM_MAX_CELLS		(RM_MAX_SCALE * RM_MAX_SCALE)
#define RM_HEADER_BYTES		5

/* Bounds of the labels (bytes in the database encoding). */
#define RM_MAX_ABBREVIATION	64
#define RM_MAX_DESCRIPTION	4096
#define RM_MAX_LANGUAGE		35
#define RM_MAX_TRANSLATIONS	32
#define RM_MAX_LABEL_BYTES	(1024 * 1024)

/* Flags of a label entry (stored and binary forms). */
#define RM_LBL_NAME			0x01	/* scale entry: a name of its own */
#define RM_LBL_COLOUR		0x02	/* scale entry: a colour */
#define RM_LBL_ABBREVIATION	0x04
#define RM_LBL_DESCRIPTION	0x08
#define RM_LBL_DEFAULT_COLOUR 0x10	/* level: colour from the default palette */
#define RM_LBL_TRANSLATIONS	0x20
#define RM_LBL_ALL			0x3F
/* The flags an entry of part may have: a scale entry no palette colour, a level no name or colour of its own. */
#define RM_LBL_ALLOWED(part) \
	((part) == RM_PART_LEVEL ? (RM_LBL_ALL & ~(RM_LBL_NAME | RM_LBL_COLOUR)) \
	 : (RM_LBL_ALL & ~RM_LBL_DEFAULT_COLOUR))

/* Flags of a translation. */
#define RM_TR_NAME			0x01
#define RM_TR_DESCRIPTION	0x02
#define RM_TR_ALL			0x03

/* The three kinds of label entries, and the slot of entry i of each in a label array. */
#define RM_PART_LIKELIHOOD	0
#define RM_PART_IMPACT		1
#define RM_PART_LEVEL		2
#define RM_MAX_LABELS		(2 * RM_MAX_SCALE + RM_MAX_LEVELS)
#define RM_SLOT(part, i)	((part) == RM_PART_LEVEL ? 2 * RM_MAX_SCALE + (i) : (part) * RM_MAX_SCALE + (i))

/* A string of a label: data NULL when absent (not terminated). */
typedef struct RmText
{
	const char *data;
	int			len;
} RmText;

/* One translation of an entry: language code, name and description. */
typedef struct RmTranslation
{
	RmText		language;
	RmText		name;
	RmText		description;
} RmTranslation;

/* The labels of one scale entry or level (all absent: none). */
typedef struct RmLabel
{
	RmText		name;			/* scale entry only; NULL: its index */
	bool		has_colour;		/* scale entry only */
	uint32		colour;			/* 0xRRGGBB, when has_colour */
	bool		default_colour; /* level only: colour from the palette */
	RmText		abbreviation;
	RmText		description;
	int			ntranslations;
	RmTranslation *translations;
} RmLabel;

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
	RmLabel		labels[RM_MAX_LABELS];	/* at RM_SLOT(part, i) */
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
	const uint8 *labels;		/* the label area; NULL in layout 1 */
	int			labelsize;		/* its length in bytes */
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

/* Writes colour 0xRRGGBB as "#RRGGBB" into buf (8 bytes). */
extern void rm_format_colour(uint32 colour, char *buf);

/* The default palette's colour (0xRRGGBB) of level rank among nlevels. */
extern uint32 rm_default_colour(int rank, int nlevels);

/* How errors of source call entry i of part: "risk[2]" (jsonb) or "level 2". */
extern const char *rm_entry_name(RmSource source, int part, int i);

/* True when label has no label at all. */
extern bool rm_label_empty(const RmLabel *label);

/* The RM_LBL_* flags of label: what it has. */
extern int	rm_label_flags(const RmLabel *label);

/* The colour of scale entry label as "#RRGGBB" in buf (8 bytes), or NULL when it has none. */
extern const char *rm_label_colour(const RmLabel *label, char *buf);

/*
 * Decodes the label area of view into labels (RM_MAX_LABELS entries, at
 * RM_SLOT), raising XX001 unless it is consistent and its text valid.
 */
extern void rm_view_labels(const RiskMatrixView *view, RmLabel *labels);

/* The name of scale entry i (0-based): its own, or its 1-based index as text. */
extern RmText rm_scale_name(const RmLabel *label, int i);

/* Appends the JSON object of label's abbreviation, description and translations ("{}" when none). */
extern void rm_append_labels_json(StringInfo buf, const RmLabel *label);

/* Appends label's translations as a JSON object. */
extern void rm_append_translations_json(StringInfo buf, const RmLabel *label);

/*
 * Reads the labels object of entry i of part written in a text literal
 * (len bytes at text): only "abbreviation", "description" and "translations".
 */
extern void rm_labels_from_text(const char *text, int len, RmLabel *label, int part, int i,
								const char *input);

#endif							/* RISK_MATRIX_H */
