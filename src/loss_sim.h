/*
 * loss_sim.h: the in-memory layout of the loss_sim type (loss_sim.c), shared
 * with the simulation (loss_simulate.c), the portfolio aggregate
 * (loss_sim_agg.c) and the chart (loss_svg.c).
 */
#ifndef LOSS_SIM_H
#define LOSS_SIM_H

#include "postgres.h"

#include "fmgr.h"

/*
 * N simulated annual losses, in year order (year 1 first), each finite and
 * >= 0.  The version byte is checked whenever a value is read; a later
 * layout gets a new version.
 */
typedef struct LossSim
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* LOSS_SIM_VERSION */
	uint8		flags;			/* 0 */
	uint16		reserved1;		/* 0 */
	int32		years;			/* N, 1 .. LOSS_SIM_MAX_YEARS */
	int32		reserved2;		/* 0 */
	double		losses[FLEXIBLE_ARRAY_MEMBER];	/* the loss of each year */
} LossSim;

#define LOSS_SIM_VERSION 1
#define LOSS_SIM_MAX_YEARS 1000000
#define LOSS_SIM_HEADER_SIZE offsetof(LossSim, losses)
#define LOSS_SIM_SIZE(n) (LOSS_SIM_HEADER_SIZE + (Size) (n) * sizeof(double))

/* Detoasts a loss_sim argument and checks its version, flags and size. */
extern LossSim *loss_sim_from_datum(Datum datum);

#define PG_GETARG_LOSS_SIM(n) loss_sim_from_datum(PG_GETARG_DATUM(n))

/* Allocates a zeroed value of the given number of years, in CurrentMemoryContext. */
extern LossSim *loss_sim_allocate(int32 years);

/* Checks a number of years: 1 .. LOSS_SIM_MAX_YEARS; returns it. */
extern int32 loss_sim_check_years(int64 years, const char *argname);

/* A sorted (ascending) palloc'd copy of the losses. */
extern double *loss_sim_sorted(const LossSim *sim);


/* The fraction of the losses that are >= amount. */
extern double loss_sim_exceedance_sorted(const double *sorted, int32 n, double amount);

#endif							/* LOSS_SIM_H */
