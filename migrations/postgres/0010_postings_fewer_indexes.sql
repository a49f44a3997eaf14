-- Every index on `postings` is a write for each of the millions of
-- postings a big month books. Balances by date come from
-- `account_balances`, and a period's seal sums postings up to its head by
-- sequence, so the date index is read by nothing. PostgreSQL keeps
-- `postings_by_account` and `postings_by_shop`, which SQLite drops: its
-- planner can drive the ledger page's account and shop filters from them
-- (a rare account's entries without walking every entry).
DROP INDEX postings_by_date;
