/*
 * loss_sim_agg.c: the portfolio_loss(loss_sim) aggregate, the year-by-year
 * sum of the annual losses of several risks.
 *
 * The state is a loss_sim (never internal), so a partial state travels as
 * text or binary like any value.  portfolio_loss_add is both the transition
 * and the combine function.  The first call of a group gets a NULL state and
 * returns a copy of its argument, which the executor keeps in the aggregate
 * context; from then on, run as an aggregate (AggCheckCallContext), the
 * function adds into that state in place.  The state an aggregate passes is
 * always its own copy (nodeAgg and nodeWindowAgg copy every by-reference
 * state and initial value into the aggregate context), never a stored
 * value.  Called directly, the function never modifies its arguments.
 * A state that arrives toasted or with a short header is detoasted into a
 * new copy, which is then the one updated and returned.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "ismseval.h"
#include "loss_sim.h"

PG_FUNCTION_INFO_V1(portfolio_loss_add);

/* A copy of sim in CurrentMemoryContext. */
static LossSim *
loss_sim_copy(const LossSim *sim)
{
	LossSim    *copy = (LossSim *) palloc(VARSIZE(sim));

	memcpy(copy, sim, VARSIZE(sim));
	return copy;
}

/* Adds other's losses to state's, year by year; an error if a sum overflows. */
static void
add_losses(LossSim *state, const LossSim *other)
{
	int32		i;

	for (i = 0; i < state->years; i++)
		state->losses[i] += other->losses[i];
	for (i = 0; i < state->years; i++)
		if (isinf(state->losses[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the portfolio loss of year %d is out of range for type double precision",
							i + 1)));
}

/*
 * portfolio_loss_add(state, sim): state + sim year by year (NULL sim is
 * skipped; NULL state starts from a copy of sim); both must hold the same
 * number of years.
 */
Datum
portfolio_loss_add(PG_FUNCTION_ARGS)
{
	LossSim    *state;
	LossSim    *sim;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	sim = PG_GETARG_LOSS_SIM(1);
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(loss_sim_copy(sim));
	state = PG_GETARG_LOSS_SIM(0);
	if (state->years != sim->years)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("portfolio_loss needs the same number of years for every risk, got %d and %d",
						state->years, sim->years),
				 errhint("Simulate every risk of a portfolio with the same years argument.")));
	if (!AggCheckCallContext(fcinfo, NULL))
		state = loss_sim_copy(state);
	add_losses(state, sim);
	PG_RETURN_POINTER(state);
}
