-- A settlement line's components named by number: each import numbers the
-- (code, label) pairs its file uses — a few dozen, the file's money columns
-- or amount descriptions — and keeps them here once; the line's details say
-- `[[n, amount_micros], ...]` instead of repeating code and label on every
-- line (a TikTok line's nine components were 500 of its 760 bytes of
-- details, and a million-line import wrote them twice, to the WAL and to
-- the database). Lines stored before this migration keep the inline form
-- `[[code, label, amount_micros], ...]`; readers take both.
--
-- And the index by (channel, shop) of 0011 goes: booking reads a shop's
-- lines by walking the table in id order (`NOT INDEXED`, see
-- `booking_sql::SHOP_LINES_IN_TABLE_ORDER`), which is the order it wants
-- and costs a store of several shops a pass over the others' lines (0.2 s
-- a million); the index cost every import about a tenth of its time.
CREATE TABLE import_component_labels (
    batch_id INTEGER NOT NULL REFERENCES import_batches (id),
    n        INTEGER NOT NULL CHECK (n >= 0),
    code     TEXT NOT NULL,
    label    TEXT NOT NULL,
    PRIMARY KEY (batch_id, n),
    UNIQUE (batch_id, code, label)
) WITHOUT ROWID;
CREATE TRIGGER import_component_labels_append_only_update BEFORE UPDATE ON import_component_labels
BEGIN SELECT RAISE(ABORT, 'import_component_labels is append-only'); END;
CREATE TRIGGER import_component_labels_append_only_delete BEFORE DELETE ON import_component_labels
BEGIN SELECT RAISE(ABORT, 'import_component_labels is append-only'); END;
DROP INDEX settlement_lines_by_shop;
