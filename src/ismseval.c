/*
 * ismseval.c: module entry point, settings and the argument checks shared by
 * every function of the extension.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/guc.h"

#include "ismseval.h"

PG_MODULE_MAGIC;

int			ismseval_min_peer_group = 5;
int			ismseval_min_peer_coverage = 50;

void		_PG_init(void);

/* Defines the extension's settings and installs the plan guard when the library is loaded. */
void
_PG_init(void)
{
	DefineCustomIntVariable("ismseval.min_peer_group",
							"Smallest peer group for which peer figures are returned.",
							"Peer figures over fewer organizations are NULL, so that no "
							"single organization's answer can be read back. Only a "
							"superuser can change it.",
							&ismseval_min_peer_group,
							5, 1, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ismseval.min_peer_coverage",
							"Smallest coverage (%) of an assessment whose scores a peer release publishes.",
							"An organization whose latest assessment answers fewer of its "
							"applicable requirements is left out of the release's score "
							"figures. Only a superuser can change it.",
							&ismseval_min_peer_coverage,
							50, 0, 100,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("ismseval");
	ismseval_plan_guard_init();
}

/* Raises an error unless value is finite; returns value. */
double
ismseval_check_finite(double value, const char *argname)
{
	if (isnan(value) || isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number, got %s", argname,
						isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))));
	return value;
}

/* Raises an error unless value is finite and within [low, high]; returns value. */
double
ismseval_check_range(double value, const char *argname, double low, double high)
{
	ismseval_check_finite(value, argname);
	if (value < low || value > high)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be between %g and %g, got %g",
						argname, low, high, value)));
	return value;
}

/* Raises an error unless value is finite and >= 0; returns value. */
double
ismseval_check_nonnegative(double value, const char *argname)
{
	ismseval_check_finite(value, argname);
	if (value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be >= 0, got %g", argname, value)));
	return value;
}

/*
 * The first ISMSEVAL_EXCERPT_CHARS characters of s[0..len) (len -1: up to
 * the terminator), followed by "..." when s is longer, for quoting in an
 * error message; never cuts a multibyte character.
 */
char *
ismseval_excerpt(const char *s, int len)
{
	int			limit;
	int			cut;

	if (len < 0)
		len = strnlen(s, (size_t) ISMSEVAL_EXCERPT_CHARS * MAX_MULTIBYTE_CHAR_LEN + 1);
	limit = Min(len, ISMSEVAL_EXCERPT_CHARS * MAX_MULTIBYTE_CHAR_LEN);
	cut = pg_mbcharcliplen(s, limit, ISMSEVAL_EXCERPT_CHARS);
	if (cut >= len)
		return pnstrdup(s, len);
	return psprintf("%.*s...", cut, s);
}

/* True when the number at p is well formed but outside the range of double precision. */
bool
ismseval_number_out_of_range(const char *p)
{
	char	   *end;

	errno = 0;
	(void) strtod(p, &end);
	return end != p && errno == ERANGE;
}

/* The peer floor a transition records: the setting here, raised to argument argno if given. */
int32
ismseval_transition_floor(FunctionCallInfo fcinfo, int argno)
{
	int32		floor = ismseval_min_peer_group;

	if (PG_NARGS() > argno && !PG_ARGISNULL(argno))
	{
		int32		asked = PG_GETARG_INT32(argno);

		if (asked < 1)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("min_peer_group must be at least 1, got %d", asked)));
		floor = Max(floor, asked);
	}
	return floor;
}

/* Orders doubles ascending, -0 before +0, so that the sorted order is canonical (for qsort). */
int
ismseval_compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	if (x < y)
		return -1;
	if (x > y)
		return 1;
	return (signbit(x) ? 0 : 1) - (signbit(y) ? 0 : 1);
}

/* The number of sorted values strictly below value (binary search). */
int32
ismseval_count_below(const double *sorted, int32 n, double value)
{
	int32		low = 0;
	int32		high = n;

	while (low < high)
	{
		int32		mid = low + (high - low) / 2;

		if (sorted[mid] < value)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

/*
 * The q-quantile (q in [0, 1]) of n > 0 sorted values as percentile_cont
 * computes it: position q (n - 1), linear between its two neighbours.
 */
double
ismseval_quantile_sorted(const double *sorted, int32 n, double q)
{
	double		position = q * (n - 1);
	int32		first = (int32) floor(position);
	int32		second = (int32) ceil(position);
	double		fraction = position - first;
	double		low = sorted[first];
	double		high = sorted[second];
	double		result;

	if (second == first)
		return low;
	result = low + fraction * (high - low);
	if (isinf(result))			/* high - low overflowed */
		result = low * (1.0 - fraction) + high * fraction;
	return result;
}
