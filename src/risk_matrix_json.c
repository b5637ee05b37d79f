/*
 * risk_matrix_json.c: risk_matrix import from and export to the JSON shape of
 * CISO Assistant's risk matrix definitions:
 *
 *   {"probability": [entry, ...], "impact": [entry, ...], "risk": [entry, ...],
 *    "grid": [[risk index, ...], ...]}        grid[probability][impact]
 *   entry: {"name": ..., "abbreviation": ..., "description": ...,
 *           "hexcolor": "#RRGGBB", "translations": {"fr": {"name": ..., "description": ...}, ...}}
 *
 * at the top level or inside "fields" or "json_definition" (an object, or a
 * string holding one, as CISO Assistant's API stores it). The labels object
 * of the text form ({"abbreviation": ..., "description": ..., "translations": ...})
 * is read here too.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "ismseval.h"
#include "risk_matrix.h"

PG_FUNCTION_INFO_V1(risk_matrix_from_jsonb);
PG_FUNCTION_INFO_V1(risk_matrix_to_jsonb);

/* Raises 22023 "invalid risk matrix definition" with the detail given. */
#define rm_json_error(...) \
	ereport(ERROR, \
			(rm_errsource(RM_SOURCE_JSONB, NULL), \
			 errdetail(__VA_ARGS__)))

/* Where a labels object is read: the error source and input, and the entry's name. */
typedef struct RmJsonWhere
{
	RmSource	source;			/* RM_SOURCE_JSONB or RM_SOURCE_TEXT */
	const char *input;			/* the text literal (RM_SOURCE_TEXT) */
	const char *entry;			/* "risk[2]", "level 2", ... */
	bool		strict;			/* unknown keys are errors (text form) */
} RmJsonWhere;

/* Raises an error of where's source with the detail given. */
#define rm_where_error(where, ...) \
	ereport(ERROR, \
			(rm_errsource((where)->source, (where)->input), \
			 errdetail(__VA_ARGS__)))

/* The JSON type name of v. */
static const char *
rm_json_type(const JsonbValue *v)
{
	if (v == NULL)
		return "nothing";
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBool:
			return "boolean";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "array" : "object";
		default:
			return "value";
	}
}

/* The container of v when it is an array (want_array) or object, else NULL. */
static JsonbContainer *
rm_json_container(const JsonbValue *v, bool want_array)
{
	if (v == NULL || v->type != jbvBinary)
		return NULL;
	if (want_array ? JsonContainerIsArray(v->val.binary.data) &&
		!JsonContainerIsScalar(v->val.binary.data)
		: JsonContainerIsObject(v->val.binary.data))
		return v->val.binary.data;
	return NULL;
}

/* The value of key in object c, or NULL when absent. */
static JsonbValue *
rm_json_key(JsonbContainer *c, const char *key)
{
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

/* Error context callback: names the key whose string is being parsed as JSON. */
static void
rm_json_string_context(void *arg)
{
	errcontext("risk matrix definition, string in key \"%s\" parsed as JSON",
			   (const char *) arg);
}

/*
 * The object in the JSON text held by string v under key (CISO Assistant's
 * API stores json_definition as a string), or NULL when it holds no object.
 * A string that is not JSON raises jsonb's error with a context line naming
 * the key.
 */
static JsonbContainer *
rm_json_parse_string(const JsonbValue *v, const char *key)
{
	ErrorContextCallback context;
	Jsonb	   *parsed;

	context.callback = rm_json_string_context;
	context.arg = unconstify(char *, key);
	context.previous = error_context_stack;
	error_context_stack = &context;
	parsed = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
												CStringGetDatum(pnstrdup(v->val.string.val,
																		 v->val.string.len))));
	error_context_stack = context.previous;
	return JsonContainerIsObject(&parsed->root) ? &parsed->root : NULL;
}

/* The object holding the definition: c itself, or its "fields" or "json_definition". */
static JsonbContainer *
rm_json_find_definition(JsonbContainer *c, int depth)
{
	static const char *const wrappers[] = {"fields", "json_definition"};
	int			i;

	if (rm_json_key(c, "probability") != NULL || depth >= 3)
		return c;
	for (i = 0; i < (int) lengthof(wrappers); i++)
	{
		JsonbValue *v = rm_json_key(c, wrappers[i]);
		JsonbContainer *inner = rm_json_container(v, false);

		if (inner == NULL && v != NULL && v->type == jbvString)
			inner = rm_json_parse_string(v, wrappers[i]);
		if (inner != NULL)
			return rm_json_find_definition(inner, depth + 1);
	}
	return c;
}

/* The array under key in def, with between min and max entries. */
static JsonbContainer *
rm_json_array(JsonbContainer *def, const char *key, int min, int max, int *count)
{
	JsonbValue *v = rm_json_key(def, key);
	JsonbContainer *arr;

	if (v == NULL)
		ereport(ERROR,
				(rm_errsource(RM_SOURCE_JSONB, NULL),
				 errdetail("Key \"%s\" is missing.", key),
				 errhint("The keys of a definition are looked for at the top level and inside "
						 "\"fields\" or \"json_definition\".")));
	arr = rm_json_container(v, true);
	if (arr == NULL)
		rm_json_error("Key \"%s\" must hold an array, got %s.", key, rm_json_type(v));
	*count = JsonContainerSize(arr);
	if (*count < min || *count > max)
		rm_json_error("Array \"%s\" must have between %d and %d entries, got %d.", key, min, max, *count);
	return arr;
}

/* Entry i of array arr under key, which must be an object. */
static JsonbContainer *
rm_json_entry_object(JsonbContainer *arr, const char *key, int i)
{
	JsonbValue *v = getIthJsonbValueFromContainer(arr, i);
	JsonbContainer *obj = rm_json_container(v, false);

	if (obj == NULL)
		rm_json_error("Entry %s[%d] must be an object, got %s.", key, i, rm_json_type(v));
	return obj;
}

/* The "name" of entry key[i]: a non-empty string of at most RM_MAX_NAME bytes. */
static const char *
rm_json_name(JsonbContainer *obj, const char *key, int i, int *len)
{
	JsonbValue *v = rm_json_key(obj, "name");

	if (v == NULL)
		rm_json_error("Entry %s[%d] has no \"name\".", key, i);
	if (v->type != jbvString)
		rm_json_error("The name of %s[%d] must be a string, got %s.", key, i, rm_json_type(v));
	if (v->val.string.len < 1 || v->val.string.len > RM_MAX_NAME)
		rm_json_error("The name of %s[%d] must be between 1 and %d bytes long, got %d.",
					  key, i, RM_MAX_NAME, v->val.string.len);
	*len = v->val.string.len;
	return v->val.string.val;
}

/* The "hexcolor" of entry key[i] into *colour; false when absent or null. */
static bool
rm_json_colour(JsonbContainer *obj, const char *key, int i, uint32 *colour)
{
	JsonbValue *v = rm_json_key(obj, "hexcolor");

	if (v == NULL || v->type == jbvNull)
		return false;
	if (v->type != jbvString)
		rm_json_error("The hexcolor of %s[%d] must be a string \"#RRGGBB\", got %s.",
					  key, i, rm_json_type(v));
	if (!rm_parse_colour(v->val.string.val, v->val.string.len, colour))
		rm_json_error("The hexcolor of %s[%d] must be a colour \"#RRGGBB\", got \"%s\".",
					  key, i, ismseval_excerpt(v->val.string.val, v->val.string.len));
	return true;
}

/*
 * The string under key of obj (of what, e.g. "translation \"fr\" of risk[2]")
 * into *text; absent or null leaves it absent. A number is taken as its text
 * when numbers_too (YAML turns an abbreviation 1 into a number).
 */
static void
rm_json_opt_text(JsonbContainer *obj, const char *key, const char *what, bool numbers_too,
				 const RmJsonWhere *where, RmText *text)
{
	JsonbValue *v = rm_json_key(obj, key);

	text->data = NULL;
	text->len = 0;
	if (v == NULL || v->type == jbvNull)
		return;
	if (v->type == jbvString)
	{
		text->data = v->val.string.val;
		text->len = v->val.string.len;
	}
	else if (v->type == jbvNumeric && numbers_too)
	{
		text->data = DatumGetCString(DirectFunctionCall1(numeric_out,
														 NumericGetDatum(v->val.numeric)));
		text->len = strlen(text->data);
	}
	else
		rm_where_error(where, "Key \"%s\" of %s must be a string%s, got %s.",
					   key, what, numbers_too ? " or a number" : "", rm_json_type(v));
}

/* In strict mode, raises an error for any key of obj (of what) not in allowed (NULL-terminated). */
static void
rm_json_known_keys(JsonbContainer *obj, const char *what, const char *const *allowed,
				   const char *list, const RmJsonWhere *where)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (!where->strict)
		return;
	it = JsonbIteratorInit(obj);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		int			k;
		bool		known = false;

		if (tok != WJB_KEY)
			continue;
		for (k = 0; allowed[k] != NULL; k++)
			known |= (strlen(allowed[k]) == (size_t) v.val.string.len &&
					  memcmp(allowed[k], v.val.string.val, v.val.string.len) == 0);
		if (!known)
			rm_where_error(where, "Key \"%s\" of %s is not one of %s.",
						   ismseval_excerpt(v.val.string.val, v.val.string.len), what, list);
	}
}

/* Reads one translation (value v under language lang) into tr. */
static void
rm_json_translation(const JsonbValue *lang, const JsonbValue *v, const RmJsonWhere *where,
					RmTranslation *tr)
{
	static const char *const keys[] = {"name", "description", NULL};
	JsonbContainer *obj = rm_json_container(v, false);
	const char *what;

	tr->language.data = lang->val.string.val;
	tr->language.len = lang->val.string.len;
	what = psprintf("translation \"%s\" of %s",
					ismseval_excerpt(tr->language.data, tr->language.len), where->entry);
	if (obj == NULL)
		rm_where_error(where, "The %s must be an object, got %s.", what, rm_json_type(v));
	rm_json_known_keys(obj, what, keys, "\"name\" or \"description\"", where);
	rm_json_opt_text(obj, "name", what, false, where, &tr->name);
	rm_json_opt_text(obj, "description", what, false, where, &tr->description);
}

/* Reads "translations" of obj ({"fr": {"name": ..., "description": ...}, ...}) into label. */
static void
rm_json_translations(JsonbContainer *obj, const RmJsonWhere *where, RmLabel *label)
{
	JsonbValue *v = rm_json_key(obj, "translations");
	JsonbContainer *langs;
	JsonbIterator *it;
	JsonbValue	key,
				value;
	JsonbIteratorToken tok;
	int			n;

	if (v == NULL || v->type == jbvNull)
		return;
	langs = rm_json_container(v, false);
	if (langs == NULL)
		rm_where_error(where, "Key \"translations\" of %s must be an object, got %s.",
					   where->entry, rm_json_type(v));
	n = JsonContainerSize(langs);
	if (n > RM_MAX_TRANSLATIONS)
		rm_where_error(where, "Key \"translations\" of %s must have at most %d languages, got %d.",
					   where->entry, RM_MAX_TRANSLATIONS, n);
	label->translations = palloc0(Max(n, 1) * sizeof(RmTranslation));
	label->ntranslations = 0;
	it = JsonbIteratorInit(langs);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &value, true);
		Assert(tok == WJB_VALUE);
		rm_json_translation(&key, &value, where, &label->translations[label->ntranslations++]);
	}
}

/* Reads the abbreviation, description and translations of entry object obj into label. */
static void
rm_json_labels(JsonbContainer *obj, const RmJsonWhere *where, RmLabel *label)
{
	rm_json_opt_text(obj, "abbreviation", where->entry, true, where, &label->abbreviation);
	rm_json_opt_text(obj, "description", where->entry, false, where, &label->description);
	rm_json_translations(obj, where, label);
}

/* Reads the entries of a scale array (probability or impact): name, colour and labels. */
static void
rm_json_scale(JsonbContainer *arr, const char *key, int part, int count, RiskMatrixSpec *spec)
{
	int			i;

	for (i = 0; i < count; i++)
	{
		JsonbContainer *obj = rm_json_entry_object(arr, key, i);
		RmLabel    *label = &spec->labels[RM_SLOT(part, i)];
		RmJsonWhere where = {RM_SOURCE_JSONB, NULL, rm_entry_name(RM_SOURCE_JSONB, part, i), false};

		label->name.data = rm_json_name(obj, key, i, &label->name.len);
		label->has_colour = rm_json_colour(obj, key, i, &label->colour);
		rm_json_labels(obj, &where, label);
	}
}

/* Error context callback: names the entry whose labels object is being parsed as JSON. */
static void
rm_labels_text_context(void *arg)
{
	errcontext("risk_matrix labels of %s", (const char *) arg);
}

/*
 * Reads the labels object of entry i of part written in a text literal
 * (len bytes at text): only "abbreviation", "description" and "translations".
 */
void
rm_labels_from_text(const char *text, int len, RmLabel *label, int part, int i,
					const char *input)
{
	static const char *const keys[] = {"abbreviation", "description", "translations", NULL};
	RmJsonWhere where = {RM_SOURCE_TEXT, input, rm_entry_name(RM_SOURCE_TEXT, part, i), true};
	ErrorContextCallback context;
	Jsonb	   *parsed;

	context.callback = rm_labels_text_context;
	context.arg = unconstify(char *, where.entry);
	context.previous = error_context_stack;
	error_context_stack = &context;
	parsed = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(pnstrdup(text, len))));
	error_context_stack = context.previous;
	if (!JsonContainerIsObject(&parsed->root))
		rm_where_error(&where, "The labels of %s must be a JSON object.", where.entry);
	rm_json_known_keys(&parsed->root, where.entry, keys,
					   "\"abbreviation\", \"description\" or \"translations\"", &where);
	rm_json_labels(&parsed->root, &where, label);
}

/* The JSON number num as text, shortened for an error message. */
static const char *
rm_json_number_text(Numeric num)
{
	return ismseval_excerpt(DatumGetCString(DirectFunctionCall1(numeric_out,
																NumericGetDatum(num))), -1);
}

/* True when the JSON number num is a whole number (1, 1.0, 1e0; not 1.5). */
static bool
rm_json_is_whole(Numeric num)
{
	Datum		truncated = DirectFunctionCall2(numeric_trunc, NumericGetDatum(num),
												Int32GetDatum(0));

	return DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(num), truncated));
}

/* True when the JSON number num is at least 0 and below limit. */
static bool
rm_json_in_range(Numeric num, int limit)
{
	Datum		zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
	Datum		high = DirectFunctionCall1(int4_numeric, Int32GetDatum(limit));

	return DatumGetBool(DirectFunctionCall2(numeric_ge, NumericGetDatum(num), zero)) &&
		DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(num), high));
}

/*
 * The level rank in cell grid[row][col]: any JSON number that is a whole
 * number between 0 and nlevels - 1, however it is written (1, 1.0, 1e0).
 */
static int
rm_json_cell(const JsonbValue *cell, int row, int col, int nlevels)
{
	if (cell == NULL || cell->type != jbvNumeric)
		rm_json_error("Cell grid[%d][%d] must be a number (a risk index), got %s.",
					  row, col, rm_json_type(cell));
	if (!rm_json_is_whole(cell->val.numeric))
		rm_json_error("Cell grid[%d][%d] must be a whole number (a risk index), got %s.",
					  row, col, rm_json_number_text(cell->val.numeric));
	if (!rm_json_in_range(cell->val.numeric, nlevels))
		rm_json_error("Cell grid[%d][%d] must be a risk index between 0 and %d, got %s.",
					  row, col, nlevels - 1, rm_json_number_text(cell->val.numeric));
	return DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(cell->val.numeric)));
}

/* Reads grid[probability][impact] into spec. */
static void
rm_json_grid(JsonbContainer *def, RiskMatrixSpec *spec)
{
	int			nrows,
				row,
				col;
	JsonbContainer *grid = rm_json_array(def, "grid", 0, PG_INT32_MAX, &nrows);

	if (nrows != spec->nlik)
		rm_json_error("Array \"grid\" must have %d rows (one per probability), got %d.",
					  spec->nlik, nrows);
	for (row = 0; row < nrows; row++)
	{
		JsonbValue *v = getIthJsonbValueFromContainer(grid, row);
		JsonbContainer *cells = rm_json_container(v, true);

		if (cells == NULL)
			rm_json_error("Row grid[%d] must be an array, got %s.", row, rm_json_type(v));
		if ((int) JsonContainerSize(cells) != spec->nimp)
			rm_json_error("Row grid[%d] must have %d entries (one per impact), got %d.",
						  row, spec->nimp, (int) JsonContainerSize(cells));
		for (col = 0; col < spec->nimp; col++)
		{
			JsonbValue *cell = getIthJsonbValueFromContainer(cells, col);

			spec->grid[row * spec->nimp + col] = rm_json_cell(cell, row, col, spec->nlevels);
		}
	}
}

/* risk_matrix_from_jsonb(jsonb): a matrix from CISO Assistant's definition. */
Datum
risk_matrix_from_jsonb(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	RiskMatrixSpec *spec = palloc0(sizeof(RiskMatrixSpec));
	JsonbContainer *def,
			   *prob,
			   *imp,
			   *risk;
	int			i,
				j;

	if (!JsonContainerIsObject(&jb->root))
		rm_json_error("The definition must be a JSON object, not %s.",
					  JB_ROOT_IS_ARRAY(jb) && !JB_ROOT_IS_SCALAR(jb) ? "an array" : "a scalar");
	def = rm_json_find_definition(&jb->root, 0);
	prob = rm_json_array(def, "probability", RM_MIN_SCALE, RM_MAX_SCALE, &spec->nlik);
	imp = rm_json_array(def, "impact", RM_MIN_SCALE, RM_MAX_SCALE, &spec->nimp);
	risk = rm_json_array(def, "risk", RM_MIN_LEVELS, RM_MAX_LEVELS, &spec->nlevels);
	rm_json_scale(prob, "probability", RM_PART_LIKELIHOOD, spec->nlik, spec);
	rm_json_scale(imp, "impact", RM_PART_IMPACT, spec->nimp, spec);
	for (i = 0; i < spec->nlevels; i++)
	{
		JsonbContainer *obj = rm_json_entry_object(risk, "risk", i);
		RmLabel    *label = &spec->labels[RM_SLOT(RM_PART_LEVEL, i)];
		RmJsonWhere where = {RM_SOURCE_JSONB, NULL, rm_entry_name(RM_SOURCE_JSONB, RM_PART_LEVEL, i), false};

		spec->names[i] = rm_json_name(obj, "risk", i, &spec->namelens[i]);
		label->default_colour = !rm_json_colour(obj, "risk", i, &spec->colours[i]);
		rm_json_labels(obj, &where, label);
		for (j = 0; j < i; j++)
			if (spec->namelens[i] == spec->namelens[j] &&
				memcmp(spec->names[i], spec->names[j], spec->namelens[i]) == 0)
				rm_json_error("Entries risk[%d] and risk[%d] have the same name \"%s\".",
							  j, i, ismseval_excerpt(spec->names[i], spec->namelens[i]));
	}
	spec->form = RM_FORM_GRID;
	rm_json_grid(def, spec);
	PG_RETURN_POINTER(rm_pack(spec, RM_SOURCE_JSONB, NULL));
}

/* Appends ", " before every member of a JSON object but its first. */
static void
rm_json_sep(StringInfo buf, bool *first)
{
	if (!*first)
		appendStringInfoString(buf, ", ");
	*first = false;
}

/* Appends member "key": text (a JSON string) when text is present. */
static void
rm_json_member(StringInfo buf, bool *first, const char *key, const RmText *text)
{
	if (text->data == NULL)
		return;
	rm_json_sep(buf, first);
	appendStringInfo(buf, "\"%s\": ", key);
	escape_json(buf, pnstrdup(text->data, text->len));
}

/* Appends label's translations as a JSON object. */
void
rm_append_translations_json(StringInfo buf, const RmLabel *label)
{
	int			t;

	appendStringInfoChar(buf, '{');
	for (t = 0; t < label->ntranslations; t++)
	{
		const RmTranslation *tr = &label->translations[t];
		bool		first = true;

		if (t > 0)
			appendStringInfoString(buf, ", ");
		escape_json(buf, pnstrdup(tr->language.data, tr->language.len));
		appendStringInfoString(buf, ": {");
		rm_json_member(buf, &first, "name", &tr->name);
		rm_json_member(buf, &first, "description", &tr->description);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, '}');
}

/* Appends the abbreviation, description and translations members of label. */
static void
rm_append_label_members(StringInfo buf, bool *first, const RmLabel *label)
{
	rm_json_member(buf, first, "abbreviation", &label->abbreviation);
	rm_json_member(buf, first, "description", &label->description);
	if (label->ntranslations > 0)
	{
		rm_json_sep(buf, first);
		appendStringInfoString(buf, "\"translations\": ");
		rm_append_translations_json(buf, label);
	}
}

/* Appends the JSON object of label's abbreviation, description and translations ("{}" when none). */
void
rm_append_labels_json(StringInfo buf, const RmLabel *label)
{
	bool		first = true;

	appendStringInfoChar(buf, '{');
	rm_append_label_members(buf, &first, label);
	appendStringInfoChar(buf, '}');
}

/*
 * Appends one CISO Assistant entry: name, labels, and "hexcolor" when colour
 * is not NULL.
 */
static void
rm_append_entry(StringInfo buf, const RmText *name, const char *colour, const RmLabel *label)
{
	bool		first = true;

	appendStringInfoChar(buf, '{');
	rm_json_member(buf, &first, "name", name);
	rm_append_label_members(buf, &first, label);
	if (colour != NULL)
		appendStringInfo(buf, ", \"hexcolor\": \"%s\"", colour);
	appendStringInfoChar(buf, '}');
}

/* Appends the entries of a scale (part) of size n: each named by its own name or its index. */
static void
rm_json_append_scale(StringInfo buf, const char *key, int part, int n, const RmLabel *labels)
{
	int			i;

	appendStringInfo(buf, "\"%s\": [", key);
	for (i = 0; i < n; i++)
	{
		const RmLabel *label = &labels[RM_SLOT(part, i)];
		RmText		name = rm_scale_name(label, i);
		char		colour[8];

		if (i > 0)
			appendStringInfoString(buf, ", ");
		rm_append_entry(buf, &name, rm_label_colour(label, colour), label);
	}
	appendStringInfoString(buf, "], ");
}

/*
 * risk_matrix_to_jsonb(risk_matrix): CISO Assistant's shape, with every label;
 * a level coloured by the default palette has no "hexcolor", as it was given.
 */
Datum
risk_matrix_to_jsonb(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	StringInfoData buf;
	RmLabel    *labels = palloc(RM_MAX_LABELS * sizeof(RmLabel));
	int			i,
				j;

	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	rm_view_labels(&view, labels);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	rm_json_append_scale(&buf, "probability", RM_PART_LIKELIHOOD, view.nlik, labels);
	rm_json_append_scale(&buf, "impact", RM_PART_IMPACT, view.nimp, labels);
	appendStringInfoString(&buf, "\"risk\": [");
	for (i = 0; i < view.nlevels; i++)
	{
		const RmLabel *label = &labels[RM_SLOT(RM_PART_LEVEL, i)];
		RmText		name;
		char		colour[8];

		name.data = rm_level_name(&view, i, &name.len);
		rm_level_colour(&view, i, colour);
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		rm_append_entry(&buf, &name, label->default_colour ? NULL : colour, label);
	}
	appendStringInfoString(&buf, "], \"grid\": [");
	for (i = 0; i < view.nlik; i++)
	{
		appendStringInfoString(&buf, i > 0 ? ", [" : "[");
		for (j = 0; j < view.nimp; j++)
			appendStringInfo(&buf, j > 0 ? ", %d" : "%d", view.grid[i * view.nimp + j]);
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
