-- ismseval 0.4.0 -> 0.5.0. Hand-written delta: every object this release adds or
-- changes, in the form an update needs (CREATE, CREATE OR REPLACE, ALTER). The
-- definitions themselves live in src/sql/<concept>.sql; test/upgrade.sh checks
-- that an install updated through this script equals a fresh 0.5.0 install.
\echo Use "ALTER EXTENSION ismseval UPDATE TO '0.5.0'" to load this file. \quit
