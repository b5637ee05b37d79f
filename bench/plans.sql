-- The plans of the dashboard workloads (6): EXPLAIN (ANALYZE, BUFFERS) of one organization's
-- management_review row and maturity_by_domain rows, parallel workers off and on, the same
-- serially for the next organization (in no release: its group's figures), then the
-- plans of the statements run inside the PL/pgSQL peer functions (peer_domain_scores,
-- peer_total_scores), which EXPLAIN shows only as a Function Scan: auto_explain logs them,
-- and client_min_messages = log sends that log to this client (statements of 1 ms or more). bench/run.sh writes the
-- output to bench/results/plans-<scale>.txt.
\set ON_ERROR_STOP 1
\pset pager off
SELECT (min(organization_id) + max(organization_id)) / 2 AS org, (min(organization_id) + max(organization_id)) / 2 + 1 AS newcomer,
       count(*) AS orgs
FROM ismseval.organizations \gset
SELECT core_business || ' / ' || size_band AS peer_group,
       (SELECT count(*) FROM ismseval.organizations p
        WHERE (p.core_business, p.size_band) = (o.core_business, o.size_band)) AS group_size
FROM ismseval.organizations o WHERE organization_id = :org \gset
\echo '# Plans of the dashboard workloads:' :orgs 'organizations; organization' :org '(peer group' :'peer_group' 'of' :group_size 'organizations)'

SET max_parallel_workers_per_gather = 0;
\echo
\echo '## management_review, parallel workers off'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ismseval.management_review WHERE organization_id = :org;
\echo
\echo '## maturity_by_domain, parallel workers off'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ismseval.maturity_by_domain WHERE organization_id = :org;

\echo
\echo '## management_review of organization' :newcomer '(in no release: its group''s figures), parallel workers off'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ismseval.management_review WHERE organization_id = :newcomer;
\echo
\echo '## maturity_by_domain of organization' :newcomer ', parallel workers off'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ismseval.maturity_by_domain WHERE organization_id = :newcomer;

SET max_parallel_workers_per_gather = 2;
\echo
\echo '## management_review, parallel workers on (2)'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ismseval.management_review WHERE organization_id = :org;
\echo
\echo '## maturity_by_domain, parallel workers on (2)'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ismseval.maturity_by_domain WHERE organization_id = :org;

\echo
\echo '## Statements inside the functions, maturity_by_domain (auto_explain, parallel workers on)'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 1;    -- ms: leaves out the many per-row trivia
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_nested_statements = on;
SET client_min_messages = log;
\o /dev/null
SELECT * FROM ismseval.maturity_by_domain WHERE organization_id = :org;
\o
SET client_min_messages = notice;
\echo
\echo '## Statements inside the functions, management_review (auto_explain, parallel workers on)'
SET client_min_messages = log;
\o /dev/null
SELECT * FROM ismseval.management_review WHERE organization_id = :org;
\o
SET client_min_messages = notice;
