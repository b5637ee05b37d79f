/*
 * risk_matrix_json.c: risk_matrix import from and export to the JSON shape of
 * CISO Assistant's risk matrix definitions:
 *
 *   {"probability": [{"name": ...}, ...], "impact": [{"name": ...}, ...],
 *    "risk": [{"name": ..., "hexcolor": "#RRGGBB"}, ...],
 *    "grid": [[risk index, ...], ...]}        grid[probability][impact]
 *
 * at the top level or inside "fields" or "json_definition" (an object, or a
 * string holding one, as CISO Assistant's API stores it).
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

/* The "hexcolor" of entry key[i] into *colour; false when absent or null and !required. */
static bool
rm_json_colour(JsonbContainer *obj, const char *key, int i, bool required, uint32 *colour)
{
	JsonbValue *v = rm_json_key(obj, "hexcolor");

	if (v == NULL || v->type == jbvNull)
	{
		if (required)
			rm_json_error("Entry %s[%d] has no \"hexcolor\".", key, i);
		return false;
	}
	if (v->type != jbvString)
		rm_json_error("The hexcolor of %s[%d] must be a string \"#RRGGBB\", got %s.",
					  key, i, rm_json_type(v));
	if (!rm_parse_colour(v->val.string.val, v->val.string.len, colour))
		rm_json_error("The hexcolor of %s[%d] must be a colour \"#RRGGBB\", got \"%s\".",
					  key, i, ismseval_excerpt(v->val.string.val, v->val.string.len));
	return true;
}

/* Checks the entries of a scale array (probability or impact): objects with a name. */
static void
rm_json_scale(JsonbContainer *arr, const char *key, int count)
{
	int			i,
				len;
	uint32		colour;

	for (i = 0; i < count; i++)
	{
		JsonbContainer *obj = rm_json_entry_object(arr, key, i);

		(void) rm_json_name(obj, key, i, &len);
		(void) rm_json_colour(obj, key, i, false, &colour);
	}
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
	rm_json_scale(prob, "probability", spec->nlik);
	rm_json_scale(imp, "impact", spec->nimp);
	for (i = 0; i < spec->nlevels; i++)
	{
		JsonbContainer *obj = rm_json_entry_object(risk, "risk", i);

		spec->names[i] = rm_json_name(obj, "risk", i, &spec->namelens[i]);
		(void) rm_json_colour(obj, "risk", i, true, &spec->colours[i]);
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

/* Appends {"name": "<n>"} entries for a scale of size n, named "1".."n". */
static void
rm_json_append_scale(StringInfo buf, const char *key, int n)
{
	int			i;

	appendStringInfo(buf, "\"%s\": [", key);
	for (i = 1; i <= n; i++)
		appendStringInfo(buf, i > 1 ? ", {\"name\": \"%d\"}" : "{\"name\": \"%d\"}", i);
	appendStringInfoString(buf, "], ");
}

/* risk_matrix_to_jsonb(risk_matrix): CISO Assistant's shape. */
Datum
risk_matrix_to_jsonb(PG_FUNCTION_ARGS)
{
	RiskMatrixView view;
	StringInfoData buf;
	int			i,
				j;

	rm_view(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), &view);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	rm_json_append_scale(&buf, "probability", view.nlik);
	rm_json_append_scale(&buf, "impact", view.nimp);
	appendStringInfoString(&buf, "\"risk\": [");
	for (i = 0; i < view.nlevels; i++)
	{
		int			len;
		const char *name = rm_level_name(&view, i, &len);
		char		colour[8];

		rm_level_colour(&view, i, colour);
		appendStringInfoString(&buf, i > 0 ? ", {\"name\": " : "{\"name\": ");
		escape_json(&buf, pnstrdup(name, len));
		appendStringInfo(&buf, ", \"hexcolor\": \"%s\"}", colour);
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
