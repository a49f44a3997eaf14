-- The chain's hashes are checked by `verify`, which walks the chain in
-- order; nothing looks an entry up by its hash. Their UNIQUE index cost
-- every booked entry a write at a random place in a B-tree of 64-character
-- keys: a quarter of the booking time at 200,000 orders. Each hash covers
-- its entry's sequence number, so two entries never share one anyway.
--
-- SQLite cannot drop a column's UNIQUE: the table is rebuilt with the same
-- rows, in order, its indexes and append-only triggers restored. sqlx runs
-- a migration in one transaction, where foreign keys cannot be switched
-- off, so they are deferred: dropping `entries` leaves the postings,
-- bookings and outbox rows that point at it outstanding, and putting each
-- row back under the same name settles them. Were any left, the commit
-- would fail and nothing would change; a row pointing at no entry at all is
-- checked for by hand at the end, and stops the migration the same way.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE entries_before_0009 AS SELECT * FROM entries ORDER BY seq;
DROP TABLE entries;

CREATE TABLE entries (
    seq             INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    entry_date      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- An entry is reversed at most once: the database holds that, not only the code.
    reverses        INTEGER UNIQUE REFERENCES entries (seq),
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    CHECK (reverses IS NULL OR reverses < seq)
);
INSERT INTO entries (seq, idempotency_key, entry_date, kind, description, reverses,
    created_at, created_by, content_hash, prev_hash, hash)
SELECT seq, idempotency_key, entry_date, kind, description, reverses,
    created_at, created_by, content_hash, prev_hash, hash
FROM entries_before_0009 ORDER BY seq;
DROP TABLE entries_before_0009;

CREATE INDEX entries_by_date ON entries (entry_date);
CREATE INDEX entries_deposits ON entries (seq) WHERE kind = 'deposit';
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only: correct an entry by reversing it'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only: correct an entry by reversing it'); END;

CREATE TEMP TABLE entries_0009_dangling (n INTEGER NOT NULL CHECK (n = 0));
INSERT INTO entries_0009_dangling (n)
SELECT (SELECT count(*) FROM postings p WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = p.entry_seq))
     + (SELECT count(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = b.entry_seq))
     + (SELECT count(*) FROM netsuite_document_entries d WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = d.entry_seq));
DROP TABLE entries_0009_dangling;
