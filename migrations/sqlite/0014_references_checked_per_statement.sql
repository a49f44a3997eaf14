-- PostgreSQL's 0014 checks the references of its bulk tables once per
-- statement instead of by foreign key triggers, one query per inserted row.
-- SQLite keeps its foreign keys: it checks them in-process as each row is
-- written, by the parent's index (800,000 postings referencing entries and
-- accounts: 1.8 s to insert without the foreign keys, 2.8 s with them, where
-- PostgreSQL took 15 s), and it has no statement-level triggers to move the
-- check to. Nothing changes here; the migration exists so that both
-- backends carry the same numbers.
SELECT 1;
