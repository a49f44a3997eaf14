-- Bank statements: what the bank says arrived. A bank file is an import
-- batch like a channel file (its original bytes kept as evidence, all or
-- nothing, the same file twice changes nothing); `shop` of the batch holds
-- the bank account's name from banks.toml. Banks re-send days: a line is
-- known by its identity within the bank account (the bank's transaction id,
-- else a digest of what it says and its occurrence), so an overlapping
-- statement adds only the lines not seen before.
CREATE TABLE bank_statements (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id     INTEGER NOT NULL REFERENCES import_batches (id),
    bank         TEXT NOT NULL,
    statement_id TEXT,
    account      TEXT,
    currency     TEXT NOT NULL,
    from_date    TEXT,
    to_date      TEXT,
    opening_micros INTEGER,
    closing_micros INTEGER
);
CREATE INDEX bank_statements_by_bank ON bank_statements (bank, to_date);

CREATE TABLE bank_lines (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    bank           TEXT NOT NULL,
    identity       TEXT NOT NULL,
    batch_id       INTEGER NOT NULL REFERENCES import_batches (id),
    statement_id   TEXT,
    transaction_id TEXT,
    booked         TEXT NOT NULL,
    value_date     TEXT,
    amount_micros  INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    description    TEXT NOT NULL,
    reference      TEXT,
    counterparty   TEXT,
    source_row     INTEGER NOT NULL,
    UNIQUE (bank, identity)
);
CREATE INDEX bank_lines_by_date ON bank_lines (bank, booked);

CREATE TRIGGER bank_statements_append_only_update BEFORE UPDATE ON bank_statements
BEGIN SELECT RAISE(ABORT, 'bank_statements is append-only'); END;
CREATE TRIGGER bank_statements_append_only_delete BEFORE DELETE ON bank_statements
BEGIN SELECT RAISE(ABORT, 'bank_statements is append-only'); END;
CREATE TRIGGER bank_lines_append_only_update BEFORE UPDATE ON bank_lines
BEGIN SELECT RAISE(ABORT, 'bank_lines is append-only'); END;
CREATE TRIGGER bank_lines_append_only_delete BEFORE DELETE ON bank_lines
BEGIN SELECT RAISE(ABORT, 'bank_lines is append-only'); END;
