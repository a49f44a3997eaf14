-- A settlement line's components named by number: each import numbers the
-- (code, label) pairs its file uses — a few dozen, the file's money columns
-- or amount descriptions — and keeps them here once; the line's details say
-- `[[n, amount_micros], ...]` instead of repeating code and label on every
-- line (a TikTok line's nine components were 500 of its 760 bytes of
-- details). Lines stored before this migration keep the inline form
-- `[[code, label, amount_micros], ...]`; readers take both.
CREATE TABLE import_component_labels (
    batch_id BIGINT NOT NULL REFERENCES import_batches (id),
    n        BIGINT NOT NULL CHECK (n >= 0),
    code     TEXT NOT NULL,
    label    TEXT NOT NULL,
    PRIMARY KEY (batch_id, n),
    UNIQUE (batch_id, code, label)
);
CREATE TRIGGER import_component_labels_append_only BEFORE UPDATE OR DELETE ON import_component_labels
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER import_component_labels_no_truncate BEFORE TRUNCATE ON import_component_labels
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
-- SQLite's 0015 also drops its index by (channel, shop), which PostgreSQL
-- never had (see its 0011).
