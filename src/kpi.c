/*
 * kpi.c: KPI attainment against a target, progress from a baseline towards
 * a target, and the red / amber / green status derived from attainment.
 *
 * The enums kpi_direction and rag_status arrive and leave as the OIDs of
 * their labels. Each call site resolves the label OIDs once, by name in the
 * function's own schema, and keeps them in fn_extra, so a row costs a few
 * comparisons and never a catalog lookup or enum_out.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "ismseval.h"

PG_FUNCTION_INFO_V1(kpi_attainment);
PG_FUNCTION_INFO_V1(kpi_progress);
PG_FUNCTION_INFO_V1(kpi_status);

/* Attainment is clamped to [0, ATTAINMENT_MAX]. */
#define ATTAINMENT_MAX 2.0

/* The label OIDs of the two enums, resolved once per call site. */
typedef struct KpiEnumCache
{
	Oid			higher_is_better;
	Oid			lower_is_better;
	Oid			red;
	Oid			amber;
	Oid			green;
} KpiEnumCache;

/* Returns the OID of the type typname in namespace nsp, raising an error if it is missing. */
static Oid
lookup_type_in_namespace(const char *typname, Oid nsp)
{
	Oid			typoid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										 CStringGetDatum(typname),
										 ObjectIdGetDatum(nsp));

	if (!OidIsValid(typoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type %s.%s does not exist", get_namespace_name(nsp), typname)));
	return typoid;
}

/* Returns the OID of label in enum type enumtype, raising an error if it is missing. */
static Oid
lookup_enum_label(Oid enumtype, const char *label)
{
	Oid			labeloid = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
										   ObjectIdGetDatum(enumtype),
										   CStringGetDatum(label));

	if (!OidIsValid(labeloid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("enum %s has no label \"%s\"", format_type_be(enumtype), label)));
	return labeloid;
}

/* Returns this call site's label cache, filling it in fn_mcxt on the first call. */
static KpiEnumCache *
get_enum_cache(FunctionCallInfo fcinfo)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	KpiEnumCache *cache;
	Oid			nsp;
	Oid			direction_type;
	Oid			status_type;

	if (flinfo == NULL)
		elog(ERROR, "ismseval KPI functions must be called through the function manager");
	if (flinfo->fn_extra != NULL)
		return (KpiEnumCache *) flinfo->fn_extra;

	nsp = get_func_namespace(flinfo->fn_oid);
	direction_type = lookup_type_in_namespace("kpi_direction", nsp);
	status_type = lookup_type_in_namespace("rag_status", nsp);

	cache = MemoryContextAlloc(flinfo->fn_mcxt, sizeof(KpiEnumCache));
	cache->higher_is_better = lookup_enum_label(direction_type, "higher_is_better");
	cache->lower_is_better = lookup_enum_label(direction_type, "lower_is_better");
	cache->red = lookup_enum_label(status_type, "red");
	cache->amber = lookup_enum_label(status_type, "amber");
	cache->green = lookup_enum_label(status_type, "green");
	flinfo->fn_extra = cache;
	return cache;
}

/* The label of enum value labeloid, for messages (never its OID). */
static const char *
enum_label(Oid labeloid)
{
	HeapTuple	tuple = SearchSysCache1(ENUMOID, ObjectIdGetDatum(labeloid));
	char	   *label;

	if (!HeapTupleIsValid(tuple))
		return "(unknown label)";
	label = pstrdup(NameStr(((Form_pg_enum) GETSTRUCT(tuple))->enumlabel));
	ReleaseSysCache(tuple);
	return label;
}

/* Raises an error unless a value is finite and >= 0; inlined for the per-row path. */
static inline double
check_kpi_value(double value, const char *argname)
{
	if (unlikely(!isfinite(value) || value < 0))
		ismseval_check_nonnegative(value, argname);
	return value;
}

/* Clamps a ratio to [0, ATTAINMENT_MAX]; zero is +0 (an actual of -0 is accepted as >= 0). */
static inline double
clamp_attainment(double ratio)
{
	if (ratio == 0)
		return 0.0;
	return ratio > ATTAINMENT_MAX ? ATTAINMENT_MAX : ratio;
}

/* actual / target for a KPI that is better higher; target must be > 0. */
static inline double
attainment_higher(double actual, double target)
{
	if (unlikely(target <= 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("target must be > 0 when direction is higher_is_better, got %g",
						target)));
	return clamp_attainment(actual / target);
}

/*
 * target / actual for a KPI that is better lower; a zero target is met only
 * by a zero actual, and a zero actual against a positive target is the clamp.
 */
static inline double
attainment_lower(double actual, double target)
{
	if (target == 0)
		return actual == 0 ? 1.0 : 0.0;
	if (actual == 0)
		return ATTAINMENT_MAX;
	return clamp_attainment(target / actual);
}

/* Attainment of actual against target in the given direction (label OID). */
static double
compute_attainment(FunctionCallInfo fcinfo, double actual, double target, Oid direction)
{
	KpiEnumCache *cache = get_enum_cache(fcinfo);

	check_kpi_value(actual, "actual");
	if (unlikely(!isfinite(target)))
		ismseval_check_finite(target, "target");
	if (direction == cache->higher_is_better)
		return attainment_higher(actual, target);
	if (direction == cache->lower_is_better)
	{
		check_kpi_value(target, "target");
		return attainment_lower(actual, target);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("direction must be higher_is_better or lower_is_better, got \"%s\"",
					enum_label(direction))));
	return 0.0;					/* not reached */
}

/* kpi_attainment(actual, target, direction): clamped to [0, 2]. */
Datum
kpi_attainment(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(compute_attainment(fcinfo, PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1),
										PG_GETARG_OID(2)));
}

/* kpi_progress(actual, baseline, target) = (actual - baseline) / (target - baseline). */
Datum
kpi_progress(PG_FUNCTION_ARGS)
{
	double		actual = ismseval_check_finite(PG_GETARG_FLOAT8(0), "actual");
	double		baseline = ismseval_check_finite(PG_GETARG_FLOAT8(1), "baseline");
	double		target = ismseval_check_finite(PG_GETARG_FLOAT8(2), "target");
	double		gained;
	double		planned;
	double		progress;

	if (baseline == target)
		PG_RETURN_NULL();
	gained = actual - baseline;
	planned = target - baseline;
	progress = gained / planned;
	if (!isfinite(gained) || !isfinite(planned) || !isfinite(progress))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kpi_progress is out of range for type double precision")));
	/* no progress is 0, not -0 (a falling target gives 0 / negative) */
	if (progress == 0)
		progress = 0.0;
	PG_RETURN_FLOAT8(progress);
}

/* kpi_status(actual, target, direction, amber_tolerance): green / amber / red. */
Datum
kpi_status(PG_FUNCTION_ARGS)
{
	double		attainment = compute_attainment(fcinfo, PG_GETARG_FLOAT8(0),
												PG_GETARG_FLOAT8(1), PG_GETARG_OID(2));
	double		amber_tolerance = PG_GETARG_FLOAT8(3);
	KpiEnumCache *cache = (KpiEnumCache *) fcinfo->flinfo->fn_extra;

	if (unlikely(!(amber_tolerance >= 0 && amber_tolerance <= 1)))
		ismseval_check_range(amber_tolerance, "amber_tolerance", 0, 1);
	if (attainment >= 1)
		PG_RETURN_OID(cache->green);
	if (attainment >= 1 - amber_tolerance)
		PG_RETURN_OID(cache->amber);
	PG_RETURN_OID(cache->red);
}
