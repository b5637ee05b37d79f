/*
 * plan_guard.c: no plan output for tenants.
 *
 * Row-level security filters a table's rows after the scan has fetched them.
 * A plan's counters therefore count rows the tenant cannot see: EXPLAIN
 * ANALYZE's "Rows Removed by Filter" and buffer counts after a leakproof index
 * condition answer "how many rows of anyone match", and a binary search over
 * such answers reads other tenants' values. A plan's estimates come from
 * statistics over every tenant's rows (and from the actual ends of indexes),
 * so plain EXPLAIN and debug_print_plan leak the same way, more coarsely.
 *
 * The guard refuses (42501), when a tenant acts:
 *   - EXPLAIN in any form, and any other instrumented execution (auto_explain
 *     with log_analyze), checked in ExecutorStart after the inner hooks have
 *     added their instrumentation;
 *   - planning with debug_print_plan on, checked before planning.
 * A tenant acts when current_user or the session's outer role (the target of
 * SET ROLE, else the session user) has the privileges of ismseval_tenant and
 * is neither a superuser nor has the privileges of ismseval_admin. Both are
 * checked: current_user because row-level security follows it (a tenant's own
 * SECURITY DEFINER function), the outer role because inside a SECURITY DEFINER
 * function owned by the extension's owner current_user is that owner while the
 * tenant is still the one who asked (auto_explain of nested statements).
 * Roles are looked up by name at each check, and only for EXPLAIN and
 * instrumented queries, so dropped or recreated roles never leave a stale OID.
 *
 * The hooks exist only in sessions that loaded the library, so the library
 * must be loaded at session start (session_preload_libraries or
 * shared_preload_libraries). The tenant policies call plan_guard_active(),
 * whose planner support function refuses (55000) to plan a tenant's query in
 * a session that loaded the library later: the session fails closed, at plan
 * time, before EXPLAIN prints or any row is read, whatever the data. Where the
 * guard is active it turns the call into the constant true, so the policies
 * cost nothing at run time.
 */
#include "postgres.h"

#include "commands/dbcommands.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/planner.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "ismseval.h"

PG_FUNCTION_INFO_V1(ismseval_plan_guard_active);
PG_FUNCTION_INFO_V1(ismseval_plan_guard_support);

static ExecutorStart_hook_type prev_executor_start = NULL;
static planner_hook_type prev_planner = NULL;

/* True when the hooks were installed before this process ran any query. */
static bool guard_from_session_start = false;

/* True when role has the privileges of ismseval_tenant and neither is a superuser nor has those of ismseval_admin. */
static bool
role_is_tenant(Oid role)
{
	Oid			tenant_role = get_role_oid("ismseval_tenant", true);
	Oid			admin_role;

	if (!OidIsValid(tenant_role) || superuser_arg(role) ||
		!has_privs_of_role(role, tenant_role))
		return false;
	admin_role = get_role_oid("ismseval_admin", true);
	return !(OidIsValid(admin_role) && has_privs_of_role(role, admin_role));
}

/* Returns the tenant that acts (current_user, else the outer role), or InvalidOid when none does. */
static Oid
acting_tenant(void)
{
	Oid			current = GetUserId();
	Oid			outer = GetOuterUserId();

	if (role_is_tenant(current))
		return current;
	if (outer != current && role_is_tenant(outer))
		return outer;
	return InvalidOid;
}

/* Raises 42501 when a tenant acts; what names the refused output, why says what it would reveal. */
static void
refuse_for_tenant(const char *what, const char *why, const char *hint)
{
	Oid			tenant = acting_tenant();

	if (!OidIsValid(tenant))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s", what),
			 errdetail("Role \"%s\" is a tenant of ismseval (it has the privileges of ismseval_tenant); %s",
					   GetUserNameFromId(tenant, false), why),
			 errhint("%s", hint)));
}

/* Starts the executor, then refuses EXPLAIN and instrumentation (also that added by inner hooks) to tenants. */
static void
guard_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		refuse_for_tenant("explain a query",
						  "plan estimates come from statistics over the rows of every tenant.",
						  "Ask a member of ismseval_admin to run EXPLAIN.");
	else if (queryDesc->instrument_options != 0)
		refuse_for_tenant("instrument a query",
						  "the row and buffer counts of EXPLAIN ANALYZE and other plan "
						  "instrumentation include rows that row-level security hides from it.",
						  "Ask a member of ismseval_admin to run EXPLAIN ANALYZE. If auto_explain "
						  "is loaded, set auto_explain.log_analyze = off for tenant sessions.");
}

/* Refuses to plan for a tenant when debug_print_plan would print the plan; then plans. */
static PlannedStmt *
guard_planner(Query *parse, const char *query_string, int cursorOptions,
			  ParamListInfo boundParams)
{
	if (Debug_print_plan)
		refuse_for_tenant("print plans",
						  "plan estimates come from statistics over the rows of every tenant.",
						  "RESET debug_print_plan.");
	if (prev_planner)
		return prev_planner(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/*
 * Installs the hooks and records whether this is session start, before the
 * process runs any query: shared_preload_libraries (in the postmaster) or
 * session_preload_libraries (while InitPostgres runs, in init processing mode).
 * Parallel workers load the library later and answer false, as their leader
 * does whenever a call reaches them (where the guard is active, plans have the
 * constant true instead).
 */
void
ismseval_plan_guard_init(void)
{
	guard_from_session_start = process_shared_preload_libraries_in_progress ||
		IsInitProcessingMode();
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = guard_executor_start;
	prev_planner = planner_hook;
	planner_hook = guard_planner;
}

/* True when the guard is active; false when not and no tenant acts; raises 55000 when a tenant acts without it. */
static bool
check_guard_active(void)
{
	Oid			tenant;
	char	   *database;

	if (guard_from_session_start)
		return true;
	tenant = acting_tenant();
	if (!OidIsValid(tenant))
		return false;
	database = get_database_name(MyDatabaseId);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("ismseval's plan guard is not active in this session"),
			 errdetail("Role \"%s\" is a tenant of ismseval, and tenants read ismseval's tables only in "
					   "sessions that loaded the ismseval library at session start, where it refuses "
					   "EXPLAIN and plan instrumentation that would count other tenants' rows.",
					   GetUserNameFromId(tenant, false)),
			 errhint("An administrator must add ismseval to session_preload_libraries (ALTER DATABASE %s "
					 "SET session_preload_libraries = 'ismseval') or to shared_preload_libraries; "
					 "then reconnect.",
					 quote_identifier(database ? database : "..."))));
	return false;
}

/* SQL plan_guard_active(): see check_guard_active; the tenant policies call it. */
Datum
ismseval_plan_guard_active(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(check_guard_active());
}

/*
 * Planner support of plan_guard_active(): runs its check when a query is
 * planned, before EXPLAIN prints or a row is read, and where the guard is
 * active replaces the call by the constant true, so a policy costs nothing
 * per row. (The answer cannot change within a session, so cached plans stay
 * right.)
 */
Datum
ismseval_plan_guard_support(PG_FUNCTION_ARGS)
{
	Node	   *request = (Node *) PG_GETARG_POINTER(0);

	if (IsA(request, SupportRequestSimplify) && check_guard_active())
		PG_RETURN_POINTER(makeBoolConst(true, false));
	PG_RETURN_POINTER(NULL);
}
