-- Every index on `postings` is a B-tree write for each of the millions of
-- postings a big month books; on SQLite these three are read by nothing:
-- balances by date, account and shop come from `account_balances`; the
-- ledger page's account and shop filters probe each entry's postings by
-- primary key (SQLite's plan never used these); a period's seal sums
-- postings up to its head by sequence. Without them SQLite inserts the
-- postings of 200,000 orders in half the time (14 s → 7 s).
DROP INDEX postings_by_date;
DROP INDEX postings_by_account;
DROP INDEX postings_by_shop;
