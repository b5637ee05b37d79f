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
#include "utils/fmgrprotos.h"
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
PG_FUNCTION_INFO_V1(risk_matrix_level_count);
PG_FUNCTION_INFO_V1(risk_matrix_levels);
PG_FUNCTION_INFO_V1(risk_matrix_cells);
PG_FUNCTION_INFO_V1(risk_matrix_likelihood_scale);
PG_FUNCTION_INFO_V1(risk_matrix_impact_scale);
PG_FUNCTION_INFO_V1(risk_matrix_likelihood_name);
PG_FUNCTION_INFO_V1(risk_matrix_impact_name);
PG_FUNCTION_INFO_V1(risk_matrix_level_name);
PG_FUNCTION_INFO_V1(risk_matrix_level_color);

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

/* How errors of source call entry i of part: "risk[2]" (jsonb) or "level 2". */
const char *
rm_entry_name(RmSource source, int part, int i)
{
	static const char *const json_keys[] = {"probability", "impact", "risk"};

	if (source == RM_SOURCE_JSONB)
		return psprintf("%s[%d]", json_keys[part], i);
	if (part == RM_PART_LEVEL)
		return psprintf("level %d", i);
	return psprintf("%s %d", part == RM_PART_LIKELIHOOD ? "likelihood" : "impact", i + 1);
}

/* True when label has no label at all. */
bool
rm_label_empty(const RmLabel *label)
{
	return label->name.data == NULL && !label->has_colour && !label->default_colour &&
		label->abbreviation.data == NULL && label->description.data == NULL &&
		label->ntranslations == 0;
}

/* The RM_LBL_* flags of label: what it has. */
int
rm_label_flags(const RmLabel *label)
{
	return (label->name.data ? RM_LBL_NAME : 0) |
		(label->has_colour ? RM_LBL_COLOUR : 0) |
		(label->abbreviation.data ? RM_LBL_ABBREVIATION : 0) |
		(label->description.data ? RM_LBL_DESCRIPTION : 0) |
		(label->default_colour ? RM_LBL_DEFAULT_COLOUR : 0) |
		(label->ntranslations > 0 ? RM_LBL_TRANSLATIONS : 0);
}

/* True for a language code: 1 to RM_MAX_LANGUAGE ASCII letters, digits, '-' or '_'. */
static bool
rm_is_language(const char *s, int len)
{
	int			i;

	if (len < 1 || len > RM_MAX_LANGUAGE)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			  (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* Orders two strings bytewise, a prefix first. */
static int
rm_text_cmp(const RmText *a, const RmText *b)
{
	int			c = memcmp(a->data, b->data, Min(a->len, b->len));

	return c != 0 ? c : a->len - b->len;
}

/* qsort comparator of translations by language. */
static int
rm_translation_cmp(const void *a, const void *b)
{
	return rm_text_cmp(&((const RmTranslation *) a)->language,
					   &((const RmTranslation *) b)->language);
}

/* Raises an error of source unless text (named key of where) is absent or min..max bytes long. */
static void
rm_check_text(const RmText *text, const char *key, const char *where, int min, int max,
			  RmSource source, const char *input)
{
	RM_CHECK(text->data == NULL || (text->len >= min && text->len <= max), source, input,
			 "The %s of %s must be between %d and %d bytes long, got %d.",
			 key, where, min, max, text->len);
}

/*
 * Puts label of entry i of part in canonical form: a scale entry named by its
 * own 1-based index stores no name; translations sorted by language.
 */
static void
rm_canonical_label(RmLabel *label, int part, int i)
{
	char		index[12];
	int			len = snprintf(index, sizeof(index), "%d", i + 1);

	if (part != RM_PART_LEVEL && label->name.data != NULL && label->name.len == len &&
		memcmp(label->name.data, index, len) == 0)
		label->name.data = NULL;
	if (label->ntranslations > 1)
		qsort(label->translations, label->ntranslations, sizeof(RmTranslation),
			  rm_translation_cmp);
}

/*
 * Checks the labels of entry i of part: lengths and languages (the readers
 * set only what an entry of part may have, and at most RM_MAX_TRANSLATIONS).
 */
static void
rm_validate_label(RmLabel *label, int part, int i, RmSource source, const char *input)
{
	const char *where = rm_entry_name(source, part, i);
	int			t;

	if (rm_label_empty(label))
		return;
	rm_canonical_label(label, part, i);
	rm_check_text(&label->name, "name", where, 1, RM_MAX_NAME, source, input);
	rm_check_text(&label->abbreviation, "abbreviation", where, 0, RM_MAX_ABBREVIATION, source, input);
	rm_check_text(&label->description, "description", where, 0, RM_MAX_DESCRIPTION, source, input);
	for (t = 0; t < label->ntranslations; t++)
	{
		RmTranslation *tr = &label->translations[t];
		const char *lang = ismseval_excerpt(tr->language.data, tr->language.len);
		const char *trwhere = psprintf("translation \"%s\" of %s", lang, where);

		RM_CHECK(rm_is_language(tr->language.data, tr->language.len), source, input,
				 "The language \"%s\" of a translation of %s must be 1 to %d ASCII letters, "
				 "digits, \"-\" or \"_\".", lang, where, RM_MAX_LANGUAGE);
		RM_CHECK(t == 0 || rm_text_cmp(&label->translations[t - 1].language, &tr->language) != 0,
				 source, input, "Two translations of %s have the language \"%s\".", where, lang);
		rm_check_text(&tr->name, "name", trwhere, 0, RM_MAX_NAME, source, input);
		rm_check_text(&tr->description, "description", trwhere, 0, RM_MAX_DESCRIPTION,
					  source, input);
	}
}

/* Checks the labels of every entry of spec; gives palette colours to the levels that take them. */
static void
rm_validate_labels(RiskMatrixSpec *spec, RmSource source, const char *input)
{
	int			i;

	for (i = 0; i < spec->nlik; i++)
		rm_validate_label(&spec->labels[RM_SLOT(RM_PART_LIKELIHOOD, i)], RM_PART_LIKELIHOOD, i,
						  source, input);
	for (i = 0; i < spec->nimp; i++)
		rm_validate_label(&spec->labels[RM_SLOT(RM_PART_IMPACT, i)], RM_PART_IMPACT, i,
						  source, input);
	for (i = 0; i < spec->nlevels; i++)
	{
		RmLabel    *label = &spec->labels[RM_SLOT(RM_PART_LEVEL, i)];

		rm_validate_label(label, RM_PART_LEVEL, i, source, input);
		if (label->default_colour)
			spec->colours[i] = rm_default_colour(i, spec->nlevels);
	}
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

	rm_validate_labels(spec, source, input);

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

/* Appends a string of the label area: 2-byte little-endian length, bytes. */
static void
rm_put_text(StringInfo buf, const RmText *text)
{
	appendStringInfoChar(buf, (char) (text->len & 0xFF));
	appendStringInfoChar(buf, (char) ((text->len >> 8) & 0xFF));
	appendBinaryStringInfo(buf, text->data, text->len);
}

/* Appends one entry of the label area (see risk_matrix.h). */
static void
rm_put_label(StringInfo buf, const RmLabel *label)
{
	int			t;

	appendStringInfoChar(buf, (char) rm_label_flags(label));
	if (label->has_colour)
	{
		appendStringInfoChar(buf, (char) ((label->colour >> 16) & 0xFF));
		appendStringInfoChar(buf, (char) ((label->colour >> 8) & 0xFF));
		appendStringInfoChar(buf, (char) (label->colour & 0xFF));
	}
	if (label->name.data)
		rm_put_text(buf, &label->name);
	if (label->abbreviation.data)
		rm_put_text(buf, &label->abbreviation);
	if (label->description.data)
		rm_put_text(buf, &label->description);
	if (label->ntranslations == 0)
		return;
	appendStringInfoChar(buf, (char) label->ntranslations);
	for (t = 0; t < label->ntranslations; t++)
	{
		const RmTranslation *tr = &label->translations[t];

		appendStringInfoChar(buf, (char) tr->language.len);
		appendBinaryStringInfo(buf, tr->language.data, tr->language.len);
		appendStringInfoChar(buf, (char) ((tr->name.data ? RM_TR_NAME : 0) |
										  (tr->description.data ? RM_TR_DESCRIPTION : 0)));
		if (tr->name.data)
			rm_put_text(buf, &tr->name);
		if (tr->description.data)
			rm_put_text(buf, &tr->description);
	}
}

/* The label area of a validated spec: 0 when no entry has a label, else 1 and every entry. */
static void
rm_pack_labels(const RiskMatrixSpec *spec, StringInfo buf)
{
	int			sizes[3] = {spec->nlik, spec->nimp, spec->nlevels};
	int			part,
				i;
	bool		any = false;

	for (part = RM_PART_LIKELIHOOD; part <= RM_PART_LEVEL; part++)
		for (i = 0; i < sizes[part]; i++)
			any |= !rm_label_empty(&spec->labels[RM_SLOT(part, i)]);
	appendStringInfoChar(buf, (char) (any ? 1 : 0));
	if (!any)
		return;
	for (part = RM_PART_LIKELIHOOD; part <= RM_PART_LEVEL; part++)
		for (i = 0; i < sizes[part]; i++)
			rm_put_label(buf, &spec->labels[RM_SLOT(part, i)]);
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
	StringInfoData labels;

	rm_validate(spec, source, input);
	ncells = spec->nlik * spec->nimp;
	for (i = 0; i < spec->nlevels; i++)
		namebytes += spec->namelens[i];
	initStringInfo(&labels);
	rm_pack_labels(spec, &labels);
	RM_CHECK(labels.len <= RM_MAX_LABEL_BYTES, source, input,
			 "The labels take %d bytes, more than the %d allowed.", labels.len, RM_MAX_LABEL_BYTES);
	size = rm_off_names(spec->nlik, spec->nimp, spec->nlevels) + namebytes + labels.len;

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
	memcpy(p + rm_off_names(spec->nlik, spec->nimp, spec->nlevels) + namebytes,
		   labels.data, labels.len);
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

/*
 * Raises XX001 unless the level ranks and names of view lie inside a value of
 * size bytes, followed by nothing (layout 1) or by a label area that starts
 * well (layout 2); fills view->labels.
 */
static void
rm_check_contents(RiskMatrixView *view, int size, int version)
{
	int			end;

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
	end = rm_off_names(view->nlik, view->nimp, view->nlevels) + rm_name_offset(view, view->nlevels);
	view->labels = NULL;
	view->labelsize = 0;
	if (version == RM_LAYOUT_VERSION_1)
	{
		if (size != end)
			rm_corrupted("The size of the value does not match its level names.");
		return;
	}
	if (size <= end)
		rm_corrupted("The value ends before its label area.");
	view->labels = (const uint8 *) view->names + rm_name_offset(view, view->nlevels);
	view->labelsize = size - end;
	if (view->labels[0] > 1 || (view->labels[0] == 0 && view->labelsize != 1))
		rm_corrupted("The label area does not start with 0 (alone) or 1.");
}

/*
 * Fills view from a detoasted (possibly short-header) value after checking
 * its layout version and that every size, offset and level rank in it is
 * consistent, so that no lookup reads outside the value.  Layout version 2
 * (0.5.0) adds the label area; version 1 (0.1.0 to 0.4.0) is still read.
 */
void
rm_view(const struct varlena *value, RiskMatrixView *view)
{
	const uint8 *p = (const uint8 *) VARDATA_ANY(value);
	int			size = VARSIZE_ANY_EXHDR(value);

	if (size < RM_HEADER_BYTES)
		rm_corrupted("The value is shorter than its header.");
	if (p[0] != RM_LAYOUT_VERSION && p[0] != RM_LAYOUT_VERSION_1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unsupported risk_matrix layout version %d", p[0]),
				 errdetail("This version of ismseval reads layout versions %d and %d.",
						   RM_LAYOUT_VERSION_1, RM_LAYOUT_VERSION),
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
	rm_check_contents(view, size, p[0]);
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

/* Writes colour 0xRRGGBB as "#RRGGBB" into buf (8 bytes). */
void
rm_format_colour(uint32 colour, char *buf)
{
	static const char hex[] = "0123456789ABCDEF";
	int			i;

	buf[0] = '#';
	for (i = 0; i < 6; i++)
		buf[1 + i] = hex[(colour >> (20 - 4 * i)) & 0xF];
	buf[7] = '\0';
}

/* The colour of scale entry label as "#RRGGBB" in buf (8 bytes), or NULL when it has none. */
const char *
rm_label_colour(const RmLabel *label, char *buf)
{
	if (!label->has_colour)
		return NULL;
	rm_format_colour(label->colour, buf);
	return buf;
}

/* The colour of level rank as "#RRGGBB" into buf (8 bytes). */
void
rm_level_colour(const RiskMatrixView *view, int rank, char *buf)
{
	const uint8 *c = view->colours + 3 * rank;

	rm_format_colour((c[0] << 16) | (c[1] << 8) | c[2], buf);
}

/*
 * The default palette's colour (0xRRGGBB) of level rank among nlevels: with
 * t = rank / (nlevels - 1), green #1A9850 at t = 0, yellow #FEE08B at
 * t = 1/2, red #D73027 at t = 1, linear in R, G and B between them, each
 * channel rounded half up (README, "Default palette").
 */
uint32
rm_default_colour(int rank, int nlevels)
{
	static const int anchors[3][3] = {{0x1A, 0x98, 0x50}, {0xFE, 0xE0, 0x8B}, {0xD7, 0x30, 0x27}};
	int			den = nlevels - 1;
	int			seg = (2 * rank <= den) ? 0 : 1;
	int			num = (seg == 0) ? 2 * rank : 2 * rank - den;	/* t in the segment = num / den */
	uint32		colour = 0;
	int			c;

	for (c = 0; c < 3; c++)
	{
		int			a = anchors[seg][c],
					b = anchors[seg + 1][c];

		colour = (colour << 8) | ((2 * (a * (den - num) + b * num) + den) / (2 * den));
	}
	return colour;
}

/* A reader over the label area of a stored value. */
typedef struct RmLabelReader
{
	const uint8 *p;
	int			left;
	bool		verify;			/* check that the strings are valid text */
} RmLabelReader;

/* Takes n bytes from the reader, raising XX001 when fewer are left. */
static const uint8 *
rm_take(RmLabelReader *rd, int n)
{
	const uint8 *at = rd->p;

	if (n > rd->left)
		rm_corrupted("A label runs past the end of the value.");
	rd->p += n;
	rd->left -= n;
	return at;
}

/* Reads a string of the label area (2-byte length, bytes): min..max bytes of valid text. */
static RmText
rm_take_text(RmLabelReader *rd, int min, int max)
{
	const uint8 *lenbytes = rm_take(rd, 2);
	RmText		text;

	text.len = lenbytes[0] | (lenbytes[1] << 8);
	if (text.len < min || text.len > max)
		rm_corrupted("A label is empty or too long.");
	text.data = (const char *) rm_take(rd, text.len);
	if (rd->verify && !pg_verify_mbstr(GetDatabaseEncoding(), text.data, text.len, true))
		rm_corrupted("A label is not valid text in the database encoding.");
	return text;
}

/* Reads the translations of an entry. */
static void
rm_take_translations(RmLabelReader *rd, RmLabel *label)
{
	int			t;

	label->ntranslations = *rm_take(rd, 1);
	if (label->ntranslations < 1 || label->ntranslations > RM_MAX_TRANSLATIONS)
		rm_corrupted("An entry has no or too many translations.");
	label->translations = palloc0(label->ntranslations * sizeof(RmTranslation));
	for (t = 0; t < label->ntranslations; t++)
	{
		RmTranslation *tr = &label->translations[t];
		int			flags;

		tr->language.len = *rm_take(rd, 1);
		tr->language.data = (const char *) rm_take(rd, tr->language.len);
		if (!rm_is_language(tr->language.data, tr->language.len) ||
			(t > 0 && rm_text_cmp(&label->translations[t - 1].language, &tr->language) >= 0))
			rm_corrupted("A translation language is malformed or out of order.");
		flags = *rm_take(rd, 1);
		if (flags & ~RM_TR_ALL)
			rm_corrupted("A translation has unknown flags.");
		if (flags & RM_TR_NAME)
			tr->name = rm_take_text(rd, 0, RM_MAX_NAME);
		if (flags & RM_TR_DESCRIPTION)
			tr->description = rm_take_text(rd, 0, RM_MAX_DESCRIPTION);
	}
}

/* Reads entry i of part (see risk_matrix.h) from the label area of view. */
static void
rm_take_label(RmLabelReader *rd, const RiskMatrixView *view, int part, int i, RmLabel *label)
{
	int			flags = *rm_take(rd, 1);
	int			allowed = RM_LBL_ALLOWED(part);

	if (flags & ~allowed)
		rm_corrupted("A label entry has flags it cannot have.");
	if (flags & RM_LBL_COLOUR)
	{
		const uint8 *c = rm_take(rd, 3);

		label->has_colour = true;
		label->colour = (c[0] << 16) | (c[1] << 8) | c[2];
	}
	if (flags & RM_LBL_NAME)
	{
		char		index[12];
		int			len = snprintf(index, sizeof(index), "%d", i + 1);

		label->name = rm_take_text(rd, 1, RM_MAX_NAME);
		if (label->name.len == len && memcmp(label->name.data, index, len) == 0)
			rm_corrupted("A scale entry stores its own index as its name.");
	}
	if (flags & RM_LBL_ABBREVIATION)
		label->abbreviation = rm_take_text(rd, 0, RM_MAX_ABBREVIATION);
	if (flags & RM_LBL_DESCRIPTION)
		label->description = rm_take_text(rd, 0, RM_MAX_DESCRIPTION);
	if (flags & RM_LBL_DEFAULT_COLOUR)
	{
		const uint8 *c = view->colours + 3 * i;

		label->default_colour = true;
		if ((uint32) ((c[0] << 16) | (c[1] << 8) | c[2]) != rm_default_colour(i, view->nlevels))
			rm_corrupted("A level marked with the default palette has another colour.");
	}
	if (flags & RM_LBL_TRANSLATIONS)
		rm_take_translations(rd, label);
}

/*
 * Decodes the label area of view into labels (RM_MAX_LABELS entries, at
 * RM_SLOT), raising XX001 unless it is consistent and its text valid.
 */
void
rm_view_labels(const RiskMatrixView *view, RmLabel *labels)
{
	int			sizes[3] = {view->nlik, view->nimp, view->nlevels};
	RmLabelReader rd;
	int			part,
				i;
	bool		any = false;

	memset(labels, 0, RM_MAX_LABELS * sizeof(RmLabel));
	if (view->labels == NULL || view->labels[0] == 0)
		return;
	rd.p = view->labels + 1;
	rd.left = view->labelsize - 1;
	rd.verify = true;
	for (part = RM_PART_LIKELIHOOD; part <= RM_PART_LEVEL; part++)
		for (i = 0; i < sizes[part]; i++)
		{
			RmLabel    *label = &labels[RM_SLOT(part, i)];

			rm_take_label(&rd, view, part, i, label);
			any |= !rm_label_empty(label);
		}
	if (rd.left != 0)
		rm_corrupted("Bytes are left after the label area.");
	if (!any)
		rm_corrupted("The label area holds only empty entries.");
}

/*
 * The name of scale entry i (0-based) of part in view, its own or its index,
 * reading the label area only up to that entry and checking only that entry's
 * text: a lookup per risk costs the same however long the labels are.
 */
static RmText
rm_view_scale_name(const RiskMatrixView *view, int part, int i)
{
	int			target = (part == RM_PART_LIKELIHOOD) ? i : view->nlik + i;
	RmLabelReader rd;
	RmLabel		label;
	int			k;

	memset(&label, 0, sizeof(label));
	if (view->labels != NULL && view->labels[0] != 0)
	{
		rd.p = view->labels + 1;
		rd.left = view->labelsize - 1;
		for (k = 0; k <= target; k++)
		{
			memset(&label, 0, sizeof(label));
			rd.verify = (k == target);
			if (k < view->nlik)
				rm_take_label(&rd, view, RM_PART_LIKELIHOOD, k, &label);
			else
				rm_take_label(&rd, view, RM_PART_IMPACT, k - view->nlik, &label);
		}
	}
	return rm_scale_name(&label, i);
}

/* The name of scale entry i (0-based): its own, or its 1-based index as text. */
RmText
rm_scale_name(const RmLabel *label, int i)
{
	RmText		name = label->name;

	if (name.data == NULL)
	{
		name.data = psprintf("%d", i + 1);
		name.len = strlen(name.data);
	}
	return name;
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

/* The label area of view; a layout 1 value has none, which reads as the single byte 0. */
static const uint8 *
rm_label_bytes(const RiskMatrixView *view, int *len)
{
	static const uint8 none[1] = {0};

	if (view->labels == NULL)
	{
		*len = 1;
		return none;
	}
	*len = view->labelsize;
	return view->labels;
}

/* True when a and b have equal scales, levels (names, colours), cells and labels. */
static bool
rm_equal(const RiskMatrixView *a, const RiskMatrixView *b)
{
	int			namebytes,
				alen,
				blen;
	const uint8 *alabels = rm_label_bytes(a, &alen);
	const uint8 *blabels = rm_label_bytes(b, &blen);

	if (a->nlik != b->nlik || a->nimp != b->nimp || a->nlevels != b->nlevels)
		return false;
	if (memcmp(a->grid, b->grid, a->nlik * a->nimp) != 0 ||
		memcmp(a->colours, b->colours, 3 * a->nlevels) != 0 ||
		memcmp(a->offsets, b->offsets, 2 * (a->nlevels + 1)) != 0)
		return false;
	namebytes = rm_name_offset(a, a->nlevels);
	return memcmp(a->names, b->names, namebytes) == 0 &&
		alen == blen && memcmp(alabels, blabels, alen) == 0;
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

/* risk_matrix_level_count(matrix): the number of levels (reads no labels). */
Datum
risk_matrix_level_count(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;

	rm_arg_view(fcinfo, 0, &view);
	PG_RETURN_INT32(view.nlevels);
}

/* text of an optional label, or a NULL column. */
static Datum
rm_text_datum(const RmText *text, bool *isnull)
{
	*isnull = (text->data == NULL);
	return *isnull ? (Datum) 0 : PointerGetDatum(cstring_to_text_with_len(text->data, text->len));
}

/* The translations of label as jsonb ({"fr": {"name": ..., "description": ...}}), or a NULL column. */
static Datum
rm_translations_datum(const RmLabel *label, bool *isnull)
{
	StringInfoData buf;

	*isnull = (label->ntranslations == 0);
	if (*isnull)
		return (Datum) 0;
	initStringInfo(&buf);
	rm_append_translations_json(&buf, label);
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/*
 * risk_matrix_levels(matrix): one row (rank, name, color, abbreviation,
 * description, translations, default_color) per level, lowest first.
 */
Datum
risk_matrix_levels(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RiskMatrixView view;
	RmLabel    *labels = palloc(RM_MAX_LABELS * sizeof(RmLabel));
	int			rank;

	InitMaterializedSRF(fcinfo, 0);
	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	rm_view_labels(&view, labels);
	for (rank = 0; rank < view.nlevels; rank++)
	{
		const RmLabel *label = &labels[RM_SLOT(RM_PART_LEVEL, rank)];
		Datum		values[7];
		bool		nulls[7] = {false, false, false, false, false, false, false};
		char		colour[8];
		int			len;
		const char *name = rm_level_name(&view, rank, &len);

		rm_level_colour(&view, rank, colour);
		values[0] = Int32GetDatum(rank);
		values[1] = PointerGetDatum(cstring_to_text_with_len(name, len));
		values[2] = PointerGetDatum(cstring_to_text_with_len(colour, 7));
		values[3] = rm_text_datum(&label->abbreviation, &nulls[3]);
		values[4] = rm_text_datum(&label->description, &nulls[4]);
		values[5] = rm_translations_datum(label, &nulls[5]);
		values[6] = BoolGetDatum(label->default_colour);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * One row (index, name, color, abbreviation, description, translations) per
 * entry of the likelihood or impact scale (part), 1 first.
 */
static Datum
rm_scale_rows(FunctionCallInfo fcinfo, int part)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RiskMatrixView view;
	RmLabel    *labels = palloc(RM_MAX_LABELS * sizeof(RmLabel));
	int			i,
				n;

	InitMaterializedSRF(fcinfo, 0);
	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	rm_view_labels(&view, labels);
	n = (part == RM_PART_LIKELIHOOD) ? view.nlik : view.nimp;
	for (i = 0; i < n; i++)
	{
		const RmLabel *label = &labels[RM_SLOT(part, i)];
		RmText		name = rm_scale_name(label, i);
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		char		buf[8];
		const char *colour = rm_label_colour(label, buf);

		values[0] = Int32GetDatum(i + 1);
		values[1] = PointerGetDatum(cstring_to_text_with_len(name.data, name.len));
		values[2] = colour ? PointerGetDatum(cstring_to_text(colour)) : (Datum) 0;
		nulls[2] = (colour == NULL);
		values[3] = rm_text_datum(&label->abbreviation, &nulls[3]);
		values[4] = rm_text_datum(&label->description, &nulls[4]);
		values[5] = rm_translations_datum(label, &nulls[5]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* risk_matrix_likelihood_scale(matrix): the likelihood scale's entries and labels. */
Datum
risk_matrix_likelihood_scale(PG_FUNCTION_ARGS)
{
	return rm_scale_rows(fcinfo, RM_PART_LIKELIHOOD);
}

/* risk_matrix_impact_scale(matrix): the impact scale's entries and labels. */
Datum
risk_matrix_impact_scale(PG_FUNCTION_ARGS)
{
	return rm_scale_rows(fcinfo, RM_PART_IMPACT);
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

/* The name of entry position (1-based) of the scale part of the matrix argument; NULL off the scale. */
static Datum
rm_scale_entry_name(FunctionCallInfo fcinfo, int part)
{
	RiskMatrixView view;
	int32		position = PG_GETARG_INT32(1);
	RmText		name;

	rm_arg_view(fcinfo, 0, &view);
	if (position < 1 || position > (part == RM_PART_LIKELIHOOD ? view.nlik : view.nimp))
		PG_RETURN_NULL();
	name = rm_view_scale_name(&view, part, position - 1);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(name.data, name.len));
}

/* risk_matrix_likelihood_name(matrix, likelihood): the likelihood's name on the scale. */
Datum
risk_matrix_likelihood_name(PG_FUNCTION_ARGS)
{
	return rm_scale_entry_name(fcinfo, RM_PART_LIKELIHOOD);
}

/* risk_matrix_impact_name(matrix, impact): the impact's name on the scale. */
Datum
risk_matrix_impact_name(PG_FUNCTION_ARGS)
{
	return rm_scale_entry_name(fcinfo, RM_PART_IMPACT);
}

/* risk_matrix_level_name(matrix, rank): the name of level rank (0-based); NULL for no level. */
Datum
risk_matrix_level_name(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	int32		rank = PG_GETARG_INT32(1);
	const char *name;
	int			len;

	rm_arg_view(fcinfo, 0, &view);
	if (rank < 0 || rank >= view.nlevels)
		PG_RETURN_NULL();
	name = rm_level_name(&view, rank, &len);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(name, len));
}

/* risk_matrix_level_color(matrix, rank): the colour "#RRGGBB" of level rank (0-based); NULL for no level. */
Datum
risk_matrix_level_color(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	int32		rank = PG_GETARG_INT32(1);
	char		buf[8];

	rm_arg_view(fcinfo, 0, &view);
	if (rank < 0 || rank >= view.nlevels)
		PG_RETURN_NULL();
	rm_level_colour(&view, rank, buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, 7));
}
