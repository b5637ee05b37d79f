-- Deterministic benchmark data: :orgs organizations, 100 self-assessment answers each,
-- 100 risks each, and 10 risks per organization with 10 controls each; and for every fourth
-- organization 100 answers of a 0-100 framework over 20 categories.
-- Run with psql -v orgs=N. Same N, same rows (setseed, single-threaded inserts).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
SELECT setseed(0.42);

-- 12 peer groups: 3 core business types x 4 size bands.
CREATE TABLE bench.orgs (org_id integer PRIMARY KEY, peer_group integer NOT NULL, skill double precision NOT NULL);
INSERT INTO bench.orgs
SELECT o, 1 + (o % 12), 1.6 + 2.0 * random() FROM generate_series(1, :orgs) o;

-- 100 answers per organization over the 6 NIST CSF functions; 4-point scale; about 5% not applicable.
-- Stored organization by organization, as answers arrive (one assessment at a time): an
-- organization's rows share a block or two, for every variant alike.
CREATE TABLE bench.answers (org_id integer NOT NULL, domain text NOT NULL, score double precision);
INSERT INTO bench.answers
SELECT o.org_id,
       (ARRAY['Govern','Identify','Protect','Detect','Respond','Recover'])[1 + q % 6],
       CASE WHEN random() < 0.05 THEN NULL
            ELSE least(4, greatest(1, round(o.skill + random() * 1.6 - 0.8))) END
FROM bench.orgs o, generate_series(0, 99) q
ORDER BY o.org_id, q;

-- Each organization's total score (the figure benchmarked against peers).
CREATE TABLE bench.org_totals AS
SELECT a.org_id, o.peer_group, sum(a.score) AS total
FROM bench.answers a JOIN bench.orgs o USING (org_id) GROUP BY a.org_id, o.peer_group;

-- The 0-100 framework (as BENCH-PCT in generate_model.sql), every fourth organization: 100
-- answers over 20 categories, 5 each; the value is the answer's percentage of the scale: a
-- score 0-100 around the skill, a result only as 100 / 50 / 0 (about 10 %), NULL when not
-- applicable or not assessed (about 8 %).
CREATE TABLE bench.pct_answers (org_id integer NOT NULL, domain text NOT NULL, score double precision);
INSERT INTO bench.pct_answers
SELECT s.org_id, 'P' || (1 + s.q / 20) || '.' || (1 + (s.q / 5) % 4),
       CASE WHEN s.r < 0.08 THEN NULL
            WHEN s.r < 0.18 THEN CASE WHEN s.noise < -10 THEN 0 WHEN s.noise < 10 THEN 50 ELSE 100 END
            ELSE least(100, greatest(0, round(100 * (s.skill - 1) / 3 + s.noise))) END
FROM (SELECT o.org_id, o.skill, q, random() AS r, random() * 40 - 20 AS noise
      FROM bench.orgs o, generate_series(0, 99) q WHERE o.org_id % 4 = 0 ORDER BY o.org_id, q) s;

CREATE TABLE bench.pct_totals AS
SELECT a.org_id, o.peer_group, sum(a.score) AS total
FROM bench.pct_answers a JOIN bench.orgs o USING (org_id) GROUP BY a.org_id, o.peer_group;

-- 100 risks per organization on a 4x4 scale with a control effectiveness.
CREATE TABLE bench.risks (risk_id bigint NOT NULL, likelihood integer NOT NULL, impact integer NOT NULL,
                          effectiveness double precision NOT NULL);
INSERT INTO bench.risks
SELECT (o - 1)::bigint * 100 + r, 1 + floor(random() * 4)::int, 1 + floor(random() * 4)::int,
       round((random() * 0.9)::numeric, 2)::double precision
FROM generate_series(1, :orgs) o, generate_series(1, 100) r;

-- 10 controls on each of 10 risks per organization, effectiveness in [0, 0.95).
CREATE TABLE bench.controls (risk_id bigint NOT NULL, effectiveness double precision NOT NULL);
INSERT INTO bench.controls
SELECT (o - 1)::bigint * 100 + r, random() * 0.95
FROM generate_series(1, :orgs) o, generate_series(1, 10) r, generate_series(1, 10) c;

VACUUM ANALYZE bench.orgs, bench.answers, bench.org_totals, bench.pct_answers, bench.pct_totals, bench.risks,
               bench.controls;
