/*
 * ismseval.h: declarations shared by every part of the extension.
 *
 * Argument checks raise ERROR with these SQLSTATEs, everywhere:
 *   NaN or infinity                -> 22023 invalid_parameter_value
 *   finite but outside its range   -> 22003 numeric_value_out_of_range
 *   NULL where a value is required -> 22004 null_value_not_allowed
 *   malformed text literal         -> 22P02 invalid_text_representation
 *   malformed binary input         -> 22P03 invalid_binary_representation
 *   a stored value that is damaged -> XX001 data_corrupted
 *   a stored layout version unknown to this build -> 0A000 feature_not_supported
 * and the message names the argument and the allowed range.  A malformed
 * input has a short primary message quoting at most ISMSEVAL_EXCERPT_CHARS
 * characters of it, and an errdetail naming the offending element.
 */
#ifndef ISMSEVAL_H
#define ISMSEVAL_H

#include "postgres.h"

#include "fmgr.h"

/* The minimum peer group size (GUC ismseval.min_peer_group). */
extern int ismseval_min_peer_group;

/* Raises an error unless value is finite; returns value. */
extern double ismseval_check_finite(double value, const char *argname);

/* Raises an error unless value is finite and within [low, high]; returns value. */
extern double ismseval_check_range(double value, const char *argname,
								   double low, double high);

/* Raises an error unless value is finite and >= 0; returns value. */
extern double ismseval_check_nonnegative(double value, const char *argname);

/* The most characters of a user's input that an error message quotes. */
#define ISMSEVAL_EXCERPT_CHARS 40

/*
 * The first ISMSEVAL_EXCERPT_CHARS characters of s[0..len) (len -1: up to
 * the terminator), followed by "..." when s is longer, for quoting in an
 * error message; never cuts a multibyte character.
 */
extern char *ismseval_excerpt(const char *s, int len);

/*
 * The peer floor a transition records in its state: ismseval.min_peer_group as
 * set where it runs, raised to the min_peer_group argument number argno when the
 * call has it (22003 below 1). A caller can raise the floor, never lower it.
 */
extern int32 ismseval_transition_floor(FunctionCallInfo fcinfo, int argno);

/* Orders doubles ascending, -0 before +0 (a qsort comparator). */
extern int	ismseval_compare_doubles(const void *a, const void *b);

/* The number of the n sorted values strictly below value. */
extern int32 ismseval_count_below(const double *sorted, int32 n, double value);

/* The q-quantile of n > 0 sorted values, interpolated as percentile_cont. */
extern double ismseval_quantile_sorted(const double *sorted, int32 n, double q);

/* True when the number at p is well formed but outside the range of double precision. */
extern bool ismseval_number_out_of_range(const char *p);

/*
 * True for the white space every text input accepts around its tokens:
 * space, tab, newline, carriage return, form feed and vertical tab (what
 * isspace() accepts in the C locale, whatever the server's locale is).
 */
static inline bool
ismseval_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Returns p advanced past white space (not const, like strchr). */
static inline char *
ismseval_skip_space(const char *p)
{
	while (ismseval_isspace(*p))
		p++;
	return unconstify(char *, p);
}

/* Installs the plan guard's hooks (plan_guard.c); called once from _PG_init. */
extern void ismseval_plan_guard_init(void);

#endif							/* ISMSEVAL_H */
