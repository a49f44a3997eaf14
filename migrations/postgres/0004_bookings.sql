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
