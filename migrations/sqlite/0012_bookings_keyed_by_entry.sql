-- A subject is booked at most once per revision. The UNIQUE on bookings
-- (subject, revision) said so a second time: a booking's entry is keyed by
-- its subject and revision (`subject` at revision 1, `subject~N` after),
-- and entries' idempotency keys are already unique. The second index cost
-- every booking a write at a random place in a B-tree of long keys, and
-- every transaction rewrote most of its pages: at a million orders it
-- grew to 119 MiB, and a quarter of the bookings' write time.
--
-- What the index held, the database still holds: a trigger checks that each
-- new booking's entry carries its subject's key (one primary-key read of
-- the entry just written), so two bookings of one subject and revision
-- would need two entries with one key, which the entries' UNIQUE refuses.
--
-- SQLite cannot drop a table's UNIQUE: the table is rebuilt with the same
-- rows, its index and append-only triggers restored. Nothing references
-- bookings. A booking already stored whose entry does not carry its key
-- stops the migration (the CHECK below fails, and nothing changes).

CREATE TEMP TABLE bookings_0012_unkeyed (n INTEGER NOT NULL CHECK (n = 0));
INSERT INTO bookings_0012_unkeyed (n)
SELECT count(*) FROM bookings b JOIN entries e ON e.seq = b.entry_seq
WHERE e.idempotency_key IS NOT
    (CASE WHEN b.revision = 1 THEN b.subject ELSE b.subject || '~' || b.revision END);
DROP TABLE bookings_0012_unkeyed;

CREATE TABLE bookings_0012 (
    entry_seq  INTEGER PRIMARY KEY REFERENCES entries (seq),
    channel    TEXT NOT NULL,
    shop       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    revision   INTEGER NOT NULL CHECK (revision >= 1),
    basis_hash TEXT NOT NULL
);
INSERT INTO bookings_0012 (entry_seq, channel, shop, subject, revision, basis_hash)
SELECT entry_seq, channel, shop, subject, revision, basis_hash FROM bookings ORDER BY entry_seq;
DROP TABLE bookings;
ALTER TABLE bookings_0012 RENAME TO bookings;

CREATE INDEX bookings_by_shop ON bookings (channel, shop);
CREATE TRIGGER bookings_append_only_update BEFORE UPDATE ON bookings
BEGIN SELECT RAISE(ABORT, 'bookings is append-only'); END;
CREATE TRIGGER bookings_append_only_delete BEFORE DELETE ON bookings
BEGIN SELECT RAISE(ABORT, 'bookings is append-only'); END;
CREATE TRIGGER bookings_keyed_by_entry BEFORE INSERT ON bookings
WHEN (SELECT idempotency_key FROM entries WHERE seq = NEW.entry_seq) IS NOT
    (CASE WHEN NEW.revision = 1 THEN NEW.subject ELSE NEW.subject || '~' || NEW.revision END)
BEGIN SELECT RAISE(ABORT, 'a booking''s entry must be keyed by its subject and revision'); END;
