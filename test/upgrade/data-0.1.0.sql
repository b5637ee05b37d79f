-- Values of the 0.1.0 types, stored as a user stores them (in a table of the user's own).
CREATE SCHEMA probe;
CREATE TABLE probe.matrices (name text PRIMARY KEY, m ismseval.risk_matrix);
INSERT INTO probe.matrices VALUES
    ('two', 'likelihood 2 impact 2 levels (low #00FF00, high #FF0000) thresholds (3)'),
    ('three', 'likelihood 3 impact 3 levels (low #00FF00, medium #FFFF00, high #FF0000) thresholds (3, 6)');
CREATE TABLE probe.effectiveness (name text PRIMARY KEY, s ismseval.effectiveness_state);
INSERT INTO probe.effectiveness
SELECT 'two controls', ismseval.effectiveness_accum(ismseval.effectiveness_accum(NULL, 0.5), 0.25);
