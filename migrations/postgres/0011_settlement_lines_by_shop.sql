-- SQLite's 0011 adds an index on settlement_lines (channel, shop) so a
-- shop's lines are read in id order without a sort: SQLite appends the
-- rowid to every index key. PostgreSQL's planner reads a shop that is
-- most of the table by a sequential scan and sorts in memory, and an
-- index would only cost every import a write; nothing changes here, the
-- migration keeps the two histories the same length.
SELECT 1;
