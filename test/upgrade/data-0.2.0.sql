-- Values of the 0.2.0 types: radars and peer distributions.
CREATE TABLE probe.radars (name text PRIMARY KEY, r ismseval.radar);
INSERT INTO probe.radars
SELECT 'own', ismseval.maturity_radar(axis, score)
FROM (VALUES ('A.5', 2.5), ('A.6', 3), ('A.8', 1.25), ('A.8', 2)) v(axis, score);
INSERT INTO probe.radars
SELECT 'weighted', ismseval.maturity_radar(axis, score, weight)
FROM (VALUES ('A.5', 1, 2), ('A.5', 4, 1), ('A.6', 3, 1)) v(axis, score, weight);
CREATE TABLE probe.dists (name text PRIMARY KEY, d ismseval.peer_dist);
INSERT INTO probe.dists SELECT 'five', ismseval.peer_dist(v) FROM (VALUES (1.0), (2), (2), (3.5), (4)) x(v);
