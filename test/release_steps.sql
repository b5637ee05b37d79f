-- pgTAP: the steps of a release, run alone on work tables made by hand (peer_release.sql).
BEGIN;
CREATE EXTENSION IF NOT EXISTS ismseval;
SELECT plan(6);

-- Step 1's tables by hand: four organizations of one peer group, each its own unit, in
-- framework 1; domain 10 and small question 20. Base = release 1 (published 2026-01-01).
--            domain 10 base -> now     question 20 base -> now
--   org 1        2 -> 3                    0 -> 100
--   org 2        2 -> 3                    0 -> 100
--   org 3        2 -> 2                    0 -> 100
--   org 4        2 -> 2                    0 -> 0
CREATE TEMP TABLE ismseval_rel_cur (organization_id bigint, framework_id bigint, kind text, item_id bigint,
                                    value double precision, peer_group text);
INSERT INTO ismseval_rel_cur VALUES
    (1, 1, 'domain', 10, 3, 'g'), (2, 1, 'domain', 10, 3, 'g'), (3, 1, 'domain', 10, 2, 'g'), (4, 1, 'domain', 10, 2, 'g'),
    (1, 1, 'question', 20, 100, 'g'), (2, 1, 'question', 20, 100, 'g'), (3, 1, 'question', 20, 100, 'g'),
    (4, 1, 'question', 20, 0, 'g');
CREATE TEMP TABLE ismseval_rel_base AS
SELECT organization_id, framework_id, kind, item_id, peer_group,
       CASE kind WHEN 'domain' THEN 2 ELSE 0 END::double precision AS value,
       1::bigint AS published_in, timestamptz '2026-01-01 00:00Z' AS published_at
FROM ismseval_rel_cur;
-- the base also has the total (step 2 reads base members from the total)
INSERT INTO ismseval_rel_base SELECT o, 1, 'total', 0, 'g', 2, 1, timestamptz '2026-01-01 00:00Z' FROM generate_series(1, 4) o;
CREATE TEMP TABLE ismseval_rel_units AS SELECT o::bigint AS organization_id, 'unit ' || o AS unit FROM generate_series(1, 4) o;

-- need = 3 units (ismseval.min_peer_group 2, + 1)
SELECT lives_ok($$SELECT ismseval.release_stage_changes(3)$$, 'step 2 runs on hand-made inputs');
-- domain 10: orgs 1 and 2 changed it, 2 staying units; no member joined or left
SELECT results_eq($$SELECT stay_units, all_units FROM ismseval_rel_domains$$,
                  $$VALUES (2::bigint, 2::bigint)$$, 'step 2: domain 10 changed by 2 staying units');
SELECT results_eq($$SELECT first, moved, members_change FROM ismseval_rel_groups$$,
                  $$VALUES (false, false, false)$$, 'step 2: the group is not new and keeps its members');

SELECT lives_ok($$SELECT ismseval.release_stage_values(3, 9, timestamptz '2026-02-01 00:00Z')$$,
                'step 3 runs on step 2''s tables');
-- domain 10: 2 changed units < 3, so it keeps the base's values and publication (2, release 1)
SELECT results_eq($$SELECT organization_id, value, published_in FROM ismseval_rel_values
                    WHERE kind = 'domain' ORDER BY organization_id$$,
                  $$VALUES (1::bigint, 2::double precision, 1::bigint), (2, 2, 1), (3, 2, 1), (4, 2, 1)$$,
                  'step 3: a domain changed by fewer than need units keeps the base''s values');
-- question 20: 3 changed units >= 3, so every current answer is published in release 9
SELECT results_eq($$SELECT organization_id, value, published_in FROM ismseval_rel_values
                    WHERE kind = 'question' ORDER BY organization_id$$,
                  $$VALUES (1::bigint, 100::double precision, 9::bigint), (2, 100, 9), (3, 100, 9), (4, 0, 9)$$,
                  'step 3: a question changed by need units takes every current answer');

SELECT * FROM finish();
ROLLBACK;
