/*
 * ismseval.h: declarations shared by every part of the extension.
 *
 * Argument checks raise ERROR with these SQLSTATEs, everywhere:
 *   NaN or infinity                -> 22023 invalid_parameter_value
 *   finite but outside its range   -> 22003 numeric_value_out_of_range
 *   NULL where a value is required -> 22004 null_value_not_allowed
 *   malformed text literal         -> 22P02 invalid_text_representation
 *   malformed binary input         -> 22P03 invalid_binary_representation
 * and the message names the argument and the allowed range.
 */
#ifndef ISMSEVAL_H
#define ISMSEVAL_H

#include "postgres.h"

/* The minimum peer group size (GUC ismseval.min_peer_group). */
extern int ismseval_min_peer_group;

/* Raises an error unless value is finite; returns value. */
extern double ismseval_check_finite(double value, const char *argname);

/* Raises an error unless value is finite and within [low, high]; returns value. */
extern double ismseval_check_range(double value, const char *argname,
								   double low, double high);

/* Raises an error unless value is finite and >= 0; returns value. */
extern double ismseval_check_nonnegative(double value, const char *argname);

/* Installs the plan guard's hooks (plan_guard.c); called once from _PG_init. */
extern void ismseval_plan_guard_init(void);

#endif							/* ISMSEVAL_H */
