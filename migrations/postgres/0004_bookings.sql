-- Booking: which entry books which subject (an order's sale, its variance,
-- one settlement line, a payout), as which revision, computed from what
-- (the basis hash). Reconcile compares its plan with the live bookings —
-- those whose entry is not reversed — so re-running books nothing and a
-- changed record or mapping reverses and re-books exactly its entries.
-- Written in the same transaction as the entry; append-only like the ledger.
CREATE TABLE bookings (
    entry_seq  BIGINT PRIMARY KEY REFERENCES entries (seq),
    channel    TEXT NOT NULL,
    shop       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    revision   BIGINT NOT NULL CHECK (revision >= 1),
    basis_hash TEXT NOT NULL,
    UNIQUE (subject, revision)
);
CREATE INDEX bookings_by_shop ON bookings (channel, shop);
-- Reading a shop's records for booking needs no new index: lines, orders
-- and statements are already indexed by (channel, shop, …).

CREATE TRIGGER bookings_append_only BEFORE UPDATE OR DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER bookings_no_truncate BEFORE TRUNCATE ON bookings
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();

-- When the buyer ordered, when the settlement file says (TikTok's "Order
-- created time"): a sale booked from the settlement is dated by it. Lines
-- imported before this migration have none and are dated as settled.
ALTER TABLE settlement_lines ADD COLUMN ordered_raw TEXT;
ALTER TABLE settlement_lines ADD COLUMN ordered_at TIMESTAMPTZ;

-- Running totals per day, account, currency, shop and entry kind, kept in
-- the same transaction as the postings: the trial balance and the close
-- report read these instead of summing millions of postings. Derived, not
-- evidence: `verify` recomputes them from the postings and names any
-- difference.
CREATE TABLE account_balances (
    entry_date    DATE NOT NULL,
    account       TEXT NOT NULL REFERENCES accounts (code),
    currency      TEXT NOT NULL,
    channel       TEXT NOT NULL,
    shop          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    debit_micros  BIGINT NOT NULL,
    credit_micros BIGINT NOT NULL,
    PRIMARY KEY (entry_date, account, currency, channel, shop, kind)
);
INSERT INTO account_balances (entry_date, account, currency, channel, shop, kind,
    debit_micros, credit_micros)
SELECT p.entry_date, p.account, p.currency, COALESCE(p.channel, ''), COALESCE(p.shop, ''), e.kind,
    CAST(COALESCE(SUM(CASE WHEN p.side = 'debit' THEN p.amount_micros END), 0) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN p.side = 'credit' THEN p.amount_micros END), 0) AS BIGINT)
FROM postings p JOIN entries e ON e.seq = p.entry_seq
GROUP BY p.entry_date, p.account, p.currency, COALESCE(p.channel, ''), COALESCE(p.shop, ''), e.kind;
