/*
 * risk_matrix.c: the risk_matrix type's validation and packing, its O(1)
 * lookups (risk_level, risk_level_rank, risk_color), equality and listings.
 * The text and binary forms are in risk_matrix_io.c, the jsonb form in
 * risk_matrix_json.c.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "ismseval.h"
#include "risk_matrix.h"

PG_FUNCTION_INFO_V1(risk_matrix_eq);
PG_FUNCTION_INFO_V1(risk_matrix_ne);
PG_FUNCTION_INFO_V1(risk_matrix_level);
PG_FUNCTION_INFO_V1(risk_matrix_level_rank);
PG_FUNCTION_INFO_V1(risk_matrix_color);
PG_FUNCTION_INFO_V1(risk_matrix_rank_of_name);
PG_FUNCTION_INFO_V1(risk_matrix_likelihood_size);
PG_FUNCTION_INFO_V1(risk_matrix_impact_size);
PG_FUNCTION_INFO_V1(risk_matrix_levels);
PG_FUNCTION_INFO_V1(risk_matrix_cells);

/*
 * Sets the SQLSTATE and primary message of an error in a matrix read from
 * source (input: the text literal, quoted in part; else unused); use inside
 * ereport, followed by an errdetail naming the offending element.
 */
int
rm_errsource(RmSource source, const char *input)
{
	switch (source)
	{
		case RM_SOURCE_TEXT:
			errcode(ERRCODE_INVALID_TEXT_REPRESENTATION);
			return errmsg("invalid input syntax for type risk_matrix: \"%s\"",
						  ismseval_excerpt(input, -1));
		case RM_SOURCE_BINARY:
			errcode(ERRCODE_INVALID_BINARY_REPRESENTATION);
			return errmsg("invalid binary data for type risk_matrix");
		case RM_SOURCE_JSONB:
			errcode(ERRCODE_INVALID_PARAMETER_VALUE);
			return errmsg("invalid risk matrix definition");
	}
	return 0;					/* not reached */
}

/* Raises an error of source, with the detail that follows, unless cond holds. */
#define RM_CHECK(cond, source, input, ...) \
	do { \
		if (!(cond)) \
			ereport(ERROR, \
					(rm_errsource((source), (input)), \
					 errdetail(__VA_ARGS__))); \
	} while (0)

/* Byte offsets of the parts of a stored value, from L, I and N. */
static inline int
rm_off_thresholds(int nlik, int nimp)
{
	return RM_HEADER_BYTES + nlik * nimp;
}

static inline int
rm_off_colours(int nlik, int nimp, int nlevels)
{
	return rm_off_thresholds(nlik, nimp) + nlevels;
}

static inline int
rm_off_offsets(int nlik, int nimp, int nlevels)
{
	return rm_off_colours(nlik, nimp, nlevels) + 3 * nlevels;
}

static inline int
rm_off_names(int nlik, int nimp, int nlevels)
{
	return rm_off_offsets(nlik, nimp, nlevels) + 2 * (nlevels + 1);
}

/* Checks the scales, levels and mapping of spec; fills spec->grid from thresholds. */
static void
rm_validate(RiskMatrixSpec *spec, RmSource source, const char *input)
{
	int			ncells;
	int			maxscore;
	int			i,
				j;

	RM_CHECK(spec->nlik >= RM_MIN_SCALE && spec->nlik <= RM_MAX_SCALE, source, input,
			 "The likelihood scale must have between %d and %d levels, got %d.",
			 RM_MIN_SCALE, RM_MAX_SCALE, spec->nlik);
	RM_CHECK(spec->nimp >= RM_MIN_SCALE && spec->nimp <= RM_MAX_SCALE, source, input,
			 "The impact scale must have between %d and %d levels, got %d.",
			 RM_MIN_SCALE, RM_MAX_SCALE, spec->nimp);
	RM_CHECK(spec->nlevels >= RM_MIN_LEVELS && spec->nlevels <= RM_MAX_LEVELS, source, input,
			 "A risk matrix must have between %d and %d levels, got %d.",
			 RM_MIN_LEVELS, RM_MAX_LEVELS, spec->nlevels);
	RM_CHECK(spec->form == RM_FORM_THRESHOLDS || spec->form == RM_FORM_GRID, source, input,
			 "The mapping form must be 0 (thresholds) or 1 (grid), got %d.", spec->form);

	for (i = 0; i < spec->nlevels; i++)
	{
		RM_CHECK(spec->namelens[i] >= 1 && spec->namelens[i] <= RM_MAX_NAME, source, input,
				 "The name of level %d must be between 1 and %d bytes long, got %d.",
				 i, RM_MAX_NAME, spec->namelens[i]);
		RM_CHECK(memchr(spec->names[i], '\0', spec->namelens[i]) == NULL, source, input,
				 "The name of level %d contains a zero byte.", i);
		RM_CHECK(spec->colours[i] <= 0xFFFFFF, source, input,
				 "The colour of level %d must be between 0 and 16777215 (#FFFFFF), got %u.",
				 i, spec->colours[i]);
		for (j = 0; j < i; j++)
			RM_CHECK(spec->namelens[i] != spec->namelens[j] ||
					 memcmp(spec->names[i], spec->names[j], spec->namelens[i]) != 0,
					 source, input, "Level %d has the same name as level %d: \"%s\".",
					 i, j, ismseval_excerpt(spec->names[i], spec->namelens[i]));
	}

	ncells = spec->nlik * spec->nimp;
	maxscore = ncells;
	if (spec->form == RM_FORM_THRESHOLDS)
	{
		spec->thresholds[0] = 0;
		for (i = 1; i < spec->nlevels; i++)
		{
			int			low = (i == 1) ? 2 : spec->thresholds[i - 1] + 1;

			RM_CHECK(spec->thresholds[i] >= low && spec->thresholds[i] <= maxscore,
					 source, input,
					 "The threshold of level %d must be between %d and %d (ascending, at most "
					 "likelihood x impact = %d), got %d.",
					 i, low, maxscore, maxscore, spec->thresholds[i]);
		}
		for (i = 0; i < spec->nlik; i++)
			for (j = 0; j < spec->nimp; j++)
			{
				int			score = (i + 1) * (j + 1);
				int			rank = 0;

				while (rank + 1 < spec->nlevels && spec->thresholds[rank + 1] <= score)
					rank++;
				spec->grid[i * spec->nimp + j] = rank;
			}
	}
	else
	{
		for (i = 0; i < spec->nlevels; i++)
			spec->thresholds[i] = 0;
		for (i = 0; i < ncells; i++)
			RM_CHECK(spec->grid[i] >= 0 && spec->grid[i] < spec->nlevels, source, input,
					 "Grid cell (likelihood %d, impact %d) must be a level index between 0 "
					 "and %d, got %d.",
					 i / spec->nimp + 1, i % spec->nimp + 1, spec->nlevels - 1, spec->grid[i]);
	}
}

/* Validates spec (raising an error of source on failure) and packs it. */
struct varlena *
rm_pack(RiskMatrixSpec *spec, RmSource source, const char *input)
{
	int			ncells,
				namebytes = 0,
				size,
				i;
	uint8	   *p;
	uint8	   *offsets;
	struct varlena *result;

	rm_validate(spec, source, input);
	ncells = spec->nlik * spec->nimp;
	for (i = 0; i < spec->nlevels; i++)
		namebytes += spec->namelens[i];
	size = rm_off_names(spec->nlik, spec->nimp, spec->nlevels) + namebytes;

	result = (struct varlena *) palloc0(VARHDRSZ + size);
	SET_VARSIZE(result, VARHDRSZ + size);
	p = (uint8 *) VARDATA(result);
	p[0] = RM_LAYOUT_VERSION;
	p[1] = (uint8) spec->form;
	p[2] = (uint8) spec->nlik;
	p[3] = (uint8) spec->nimp;
	p[4] = (uint8) spec->nlevels;
	for (i = 0; i < ncells; i++)
		p[RM_HEADER_BYTES + i] = (uint8) spec->grid[i];
	for (i = 0; i < spec->nlevels; i++)
	{
		uint8	   *c = p + rm_off_colours(spec->nlik, spec->nimp, spec->nlevels) + 3 * i;

		p[rm_off_thresholds(spec->nlik, spec->nimp) + i] = (uint8) spec->thresholds[i];
		c[0] = (spec->colours[i] >> 16) & 0xFF;
		c[1] = (spec->colours[i] >> 8) & 0xFF;
		c[2] = spec->colours[i] & 0xFF;
	}
	offsets = p + rm_off_offsets(spec->nlik, spec->nimp, spec->nlevels);
	namebytes = 0;
	for (i = 0; i <= spec->nlevels; i++)
	{
		offsets[2 * i] = namebytes & 0xFF;
		offsets[2 * i + 1] = (namebytes >> 8) & 0xFF;
		if (i < spec->nlevels)
		{
			memcpy(p + rm_off_names(spec->nlik, spec->nimp, spec->nlevels) + namebytes,
				   spec->names[i], spec->namelens[i]);
			namebytes += spec->namelens[i];
		}
	}
	return result;
}

/* Raises XX001 for a stored value that is not a consistent risk_matrix. */
static void
pg_attribute_noreturn()
rm_corrupted(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid stored risk_matrix value"),
			 errdetail("%s", what)));
}

/* The offset of name rank in the name area (rank may be nlevels: the end). */
static inline int
rm_name_offset(const RiskMatrixView *view, int rank)
{
	return view->offsets[2 * rank] | (view->offsets[2 * rank + 1] << 8);
}

/* Raises XX001 unless the level ranks and names of view lie inside a value of size bytes. */
static void
rm_check_contents(const RiskMatrixView *view, int size)
{
	int			i;

	for (i = 0; i < view->nlik * view->nimp; i++)
		if (view->grid[i] >= view->nlevels)
			rm_corrupted("A grid cell holds a level rank beyond the last level.");
	if (rm_name_offset(view, 0) != 0)
		rm_corrupted("The first level name does not start the name area.");
	for (i = 1; i <= view->nlevels; i++)
	{
		int			len = rm_name_offset(view, i) - rm_name_offset(view, i - 1);

		if (len < 1 || len > RM_MAX_NAME)
			rm_corrupted("A level name is empty, too long or out of order.");
	}
	if (size != rm_off_names(view->nlik, view->nimp, view->nlevels) +
		rm_name_offset(view, view->nlevels))
		rm_corrupted("The size of the value does not match its level names.");
}

/*
 * Fills view from a detoasted (possibly short-header) value after checking
 * its layout version and that every size, offset and level rank in it is
 * consistent, so that no lookup reads outside the value.  Layout version 1
 * is the only one so far (0.1.0 to 0.5.0 all write it).
 */
void
rm_view(const struct varlena *value, RiskMatrixView *view)
{
	const uint8 *p = (const uint8 *) VARDATA_ANY(value);
	int			size = VARSIZE_ANY_EXHDR(value);

	if (size < RM_HEADER_BYTES)
		rm_corrupted("The value is shorter than its header.");
	if (p[0] != RM_LAYOUT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unsupported risk_matrix layout version %d", p[0]),
				 errdetail("This version of ismseval reads layout version %d.", RM_LAYOUT_VERSION),
				 errhint("The value may have been written by a newer version of ismseval.")));
	view->form = p[1];
	view->nlik = p[2];
	view->nimp = p[3];
	view->nlevels = p[4];
	if ((view->form != RM_FORM_THRESHOLDS && view->form != RM_FORM_GRID) ||
		view->nlik < RM_MIN_SCALE || view->nlik > RM_MAX_SCALE ||
		view->nimp < RM_MIN_SCALE || view->nimp > RM_MAX_SCALE ||
		view->nlevels < RM_MIN_LEVELS || view->nlevels > RM_MAX_LEVELS)
		rm_corrupted("The form, a scale size or the number of levels is out of range.");
	if (size < rm_off_names(view->nlik, view->nimp, view->nlevels))
		rm_corrupted("The value is shorter than its scales and levels need.");
	view->grid = p + RM_HEADER_BYTES;
	view->thresholds = p + rm_off_thresholds(view->nlik, view->nimp);
	view->colours = p + rm_off_colours(view->nlik, view->nimp, view->nlevels);
	view->offsets = p + rm_off_offsets(view->nlik, view->nimp, view->nlevels);
	view->names = (const char *) p + rm_off_names(view->nlik, view->nimp, view->nlevels);
	rm_check_contents(view, size);
}

/* The bytes of the name of level rank in view, and their length, unchecked (for comparing). */
static const char *
rm_level_name_bytes(const RiskMatrixView *view, int rank, int *len)
{
	int			start = rm_name_offset(view, rank);

	*len = rm_name_offset(view, rank + 1) - start;
	return view->names + start;
}

/*
 * The name of level rank in view, and its length, checked to be valid text
 * in the database encoding (without zero bytes) before it is shown.
 */
const char *
rm_level_name(const RiskMatrixView *view, int rank, int *len)
{
	const char *name = rm_level_name_bytes(view, rank, len);

	if (!pg_verify_mbstr(GetDatabaseEncoding(), name, *len, true))
		rm_corrupted("A level name is not valid text in the database encoding.");
	return name;
}

/* The colour of level rank as "#RRGGBB" into buf (8 bytes). */
void
rm_level_colour(const RiskMatrixView *view, int rank, char *buf)
{
	static const char hex[] = "0123456789ABCDEF";
	const uint8 *c = view->colours + 3 * rank;
	int			i;

	buf[0] = '#';
	for (i = 0; i < 3; i++)
	{
		buf[1 + 2 * i] = hex[c[i] >> 4];
		buf[2 + 2 * i] = hex[c[i] & 0xF];
	}
	buf[7] = '\0';
}

/* The value of one hex digit, or -1. */
static int
rm_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "#RRGGBB" (either case) of exactly len bytes; false if malformed. */
bool
rm_parse_colour(const char *s, int len, uint32 *colour)
{
	uint32		value = 0;
	int			i;

	if (len != 7 || s[0] != '#')
		return false;
	for (i = 1; i < 7; i++)
	{
		int			d = rm_hex_digit(s[i]);

		if (d < 0)
			return false;
		value = (value << 4) | d;
	}
	*colour = value;
	return true;
}

/* Cache of the last detoasted matrix, kept in fn_extra: keyed by the toasted bytes. */
typedef struct RiskMatrixCache
{
	struct varlena *key;		/* copy of the compressed value or toast pointer */
	struct varlena *value;		/* its detoasted form */
} RiskMatrixCache;

/*
 * The matrix argument argno, readable in place. A plain or short-header value
 * is used as is (no copy); a compressed or out-of-line one is detoasted once
 * and kept in fn_extra for the following calls with the same toasted bytes.
 */
static const struct varlena *
rm_arg(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	RiskMatrixCache *cache;
	MemoryContext old;
	Size		rawsize;

	if (!VARATT_IS_COMPRESSED(raw) && !VARATT_IS_EXTERNAL(raw))
		return raw;
	if (!VARATT_IS_COMPRESSED(raw) && !VARATT_IS_EXTERNAL_ONDISK(raw))
		return pg_detoast_datum_packed(raw);	/* indirect or expanded: no stable key */

	rawsize = VARSIZE_ANY(raw);
	cache = (RiskMatrixCache *) fcinfo->flinfo->fn_extra;
	if (cache != NULL && VARSIZE_ANY(cache->key) == rawsize &&
		memcmp(cache->key, raw, rawsize) == 0)
		return cache->value;

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (cache == NULL)
	{
		cache = (RiskMatrixCache *) palloc0(sizeof(RiskMatrixCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	else
	{
		pfree(cache->key);
		pfree(cache->value);
		cache->key = NULL;
		cache->value = NULL;
	}
	cache->value = detoast_attr(raw);
	cache->key = (struct varlena *) palloc(rawsize);
	memcpy(cache->key, raw, rawsize);
	MemoryContextSwitchTo(old);
	return cache->value;
}

/* The view of the matrix argument argno. */
static void
rm_arg_view(FunctionCallInfo fcinfo, int argno, RiskMatrixView *view)
{
	rm_view(rm_arg(fcinfo, argno), view);
}

/* True when a and b have equal scales, levels (names, colours) and cells. */
static bool
rm_equal(const RiskMatrixView *a, const RiskMatrixView *b)
{
	int			namebytes;

	if (a->nlik != b->nlik || a->nimp != b->nimp || a->nlevels != b->nlevels)
		return false;
	if (memcmp(a->grid, b->grid, a->nlik * a->nimp) != 0 ||
		memcmp(a->colours, b->colours, 3 * a->nlevels) != 0 ||
		memcmp(a->offsets, b->offsets, 2 * (a->nlevels + 1)) != 0)
		return false;
	namebytes = rm_name_offset(a, a->nlevels);
	return memcmp(a->names, b->names, namebytes) == 0;
}

/* risk_matrix = risk_matrix. */
Datum
risk_matrix_eq(PG_FUNCTION_ARGS)
{
	RiskMatrixView a,
				b;

	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &a);
	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)), &b);
	PG_RETURN_BOOL(rm_equal(&a, &b));
}

/* risk_matrix <> risk_matrix. */
Datum
risk_matrix_ne(PG_FUNCTION_ARGS)
{
	RiskMatrixView a,
				b;

	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &a);
	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)), &b);
	PG_RETURN_BOOL(!rm_equal(&a, &b));
}

/* The rank of cell (likelihood, impact), raising 22003 when either is off its scale. */
static int
rm_cell_rank(const RiskMatrixView *view, int32 likelihood, int32 impact)
{
	if (likelihood < 1 || likelihood > view->nlik)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("likelihood must be between 1 and %d, got %d", view->nlik, likelihood)));
	if (impact < 1 || impact > view->nimp)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("impact must be between 1 and %d, got %d", view->nimp, impact)));
	return view->grid[(likelihood - 1) * view->nimp + (impact - 1)];
}

/* risk_level(matrix, likelihood, impact): the name of the cell's level. */
Datum
risk_matrix_level(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	const char *name;
	int			len;

	rm_arg_view(fcinfo, 0, &view);
	name = rm_level_name(&view, rm_cell_rank(&view, PG_GETARG_INT32(1), PG_GETARG_INT32(2)),
						 &len);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(name, len));
}

/* risk_level_rank(matrix, likelihood, impact): the cell's 0-based level rank. */
Datum
risk_matrix_level_rank(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;

	rm_arg_view(fcinfo, 0, &view);
	PG_RETURN_INT32(rm_cell_rank(&view, PG_GETARG_INT32(1), PG_GETARG_INT32(2)));
}

/* risk_color(matrix, likelihood, impact): the cell's level colour "#RRGGBB". */
Datum
risk_matrix_color(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	char		buf[8];

	rm_arg_view(fcinfo, 0, &view);
	rm_level_colour(&view, rm_cell_rank(&view, PG_GETARG_INT32(1), PG_GETARG_INT32(2)), buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, 7));
}

/* risk_level_rank(matrix, level text): the rank of the level of that name. */
Datum
risk_matrix_rank_of_name(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	text	   *level = PG_GETARG_TEXT_PP(1);
	int			len = VARSIZE_ANY_EXHDR(level);
	int			rank;

	rm_arg_view(fcinfo, 0, &view);
	for (rank = 0; rank < view.nlevels; rank++)
	{
		int			namelen;
		const char *name = rm_level_name_bytes(&view, rank, &namelen);

		if (namelen == len && memcmp(name, VARDATA_ANY(level), len) == 0)
			PG_RETURN_INT32(rank);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown risk level \"%s\"", ismseval_excerpt(VARDATA_ANY(level), len)),
			 errhint("risk_matrix_levels(matrix) lists the levels of a matrix.")));
	PG_RETURN_NULL();			/* not reached */
}

/* risk_matrix_likelihood_size(matrix): the size of the likelihood scale. */
Datum
risk_matrix_likelihood_size(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;

	rm_arg_view(fcinfo, 0, &view);
	PG_RETURN_INT32(view.nlik);
}

/* risk_matrix_impact_size(matrix): the size of the impact scale. */
Datum
risk_matrix_impact_size(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;

	rm_arg_view(fcinfo, 0, &view);
	PG_RETURN_INT32(view.nimp);
}

/* risk_matrix_levels(matrix): one row (rank, name, color) per level, lowest first. */
Datum
risk_matrix_levels(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RiskMatrixView view;
	int			rank;

	InitMaterializedSRF(fcinfo, 0);
	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	for (rank = 0; rank < view.nlevels; rank++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		char		colour[8];
		int			len;
		const char *name = rm_level_name(&view, rank, &len);

		rm_level_colour(&view, rank, colour);
		values[0] = Int32GetDatum(rank);
		values[1] = PointerGetDatum(cstring_to_text_with_len(name, len));
		values[2] = PointerGetDatum(cstring_to_text_with_len(colour, 7));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* risk_matrix_cells(matrix): one row per cell, by likelihood then impact. */
Datum
risk_matrix_cells(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RiskMatrixView view;
	int			l,
				i;

	InitMaterializedSRF(fcinfo, 0);
	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	for (l = 1; l <= view.nlik; l++)
		for (i = 1; i <= view.nimp; i++)
		{
			Datum		values[6];
			bool		nulls[6] = {false, false, false, false, false, false};
			int			rank = view.grid[(l - 1) * view.nimp + (i - 1)];
			char		colour[8];
			int			len;
			const char *name = rm_level_name(&view, rank, &len);

			rm_level_colour(&view, rank, colour);
			values[0] = Int32GetDatum(l);
			values[1] = Int32GetDatum(i);
			values[2] = Int32GetDatum(l * i);
			values[3] = Int32GetDatum(rank);
			values[4] = PointerGetDatum(cstring_to_text_with_len(name, len));
			values[5] = PointerGetDatum(cstring_to_text_with_len(colour, 7));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	return (Datum) 0;
}
