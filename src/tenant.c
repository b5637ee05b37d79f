/*
 * tenant.c: who is asking, for the SECURITY DEFINER functions that decide
 * which organizations a tenant may benchmark.
 *
 * Inside a SECURITY DEFINER function current_user is the function's owner, so
 * the caller has to be read elsewhere: the "outer" user of the session, that is
 * the role set by SET ROLE, or the session user when none is set. PostgreSQL
 * forbids SET ROLE inside a SECURITY DEFINER function, and parallel workers
 * inherit the leader's outer user, so the answer cannot be changed from within
 * the call and is the same in every process of a parallel query.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

PG_FUNCTION_INFO_V1(ismseval_calling_role);

/* Returns the OID of the session's outer role (SET ROLE target, else the session user). */
Datum
ismseval_calling_role(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(GetOuterUserId());
}
