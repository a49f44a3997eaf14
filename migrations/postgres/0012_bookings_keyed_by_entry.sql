-- A subject is booked at most once per revision. The UNIQUE on bookings
-- (subject, revision) said so a second time: a booking's entry is keyed by
-- its subject and revision (`subject` at revision 1, `subject~N` after),
-- and entries' idempotency keys are already unique. The second index cost
-- every booking a write at a random place in a B-tree of long keys.
--
-- What the index held, the database still holds: a trigger checks that each
-- new booking's entry carries its subject's key, so two bookings of one
-- subject and revision would need two entries with one key, which the
-- entries' UNIQUE refuses. A booking already stored whose entry does not
-- carry its key stops the migration, and nothing changes.

DO $$
DECLARE
    unkeyed BIGINT;
BEGIN
    SELECT count(*) INTO unkeyed FROM bookings b JOIN entries e ON e.seq = b.entry_seq
    WHERE e.idempotency_key IS DISTINCT FROM
        (CASE WHEN b.revision = 1 THEN b.subject ELSE b.subject || '~' || b.revision END);
    IF unkeyed > 0 THEN
        RAISE EXCEPTION '% bookings have an entry not keyed by their subject and revision', unkeyed;
    END IF;
END;
$$;

ALTER TABLE bookings DROP CONSTRAINT bookings_subject_revision_key;

-- Checked once per statement over the rows it added (a COPY of 200,000
-- bookings is one statement): a trigger per row, in PL/pgSQL, cost more
-- than the index it replaces.
CREATE FUNCTION settlebridge_bookings_keyed_by_entry() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM added b LEFT JOIN entries e ON e.seq = b.entry_seq
        WHERE e.idempotency_key IS DISTINCT FROM
            (CASE WHEN b.revision = 1 THEN b.subject ELSE b.subject || '~' || b.revision END)
    ) THEN
        RAISE EXCEPTION 'a booking''s entry must be keyed by its subject and revision'
            USING ERRCODE = 'raise_exception';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER bookings_keyed_by_entry AFTER INSERT ON bookings
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_bookings_keyed_by_entry();
