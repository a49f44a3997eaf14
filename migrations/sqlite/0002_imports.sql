-- Imported channel files: the batch (who, when, which file, its hash), the
-- original bytes kept as evidence, and what the file says — statements,
-- settlement lines, their components and the raw rows behind them.
-- Everything here is append-only: a re-import adds only what is new.

CREATE TABLE import_batches (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    file_name       TEXT NOT NULL,
    sha256          TEXT NOT NULL UNIQUE,
    size_bytes      INTEGER NOT NULL,
    source_kind     TEXT NOT NULL,
    shop            TEXT NOT NULL,
    imported_by     TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    -- The header row's cells, as a JSON array.
    header          TEXT NOT NULL,
    rows_read       INTEGER NOT NULL,
    lines_new       INTEGER NOT NULL,
    lines_duplicate INTEGER NOT NULL
);

CREATE TABLE import_files (
    batch_id INTEGER PRIMARY KEY REFERENCES import_batches (id),
    content  BLOB NOT NULL
);

CREATE TABLE statements (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    channel               TEXT NOT NULL,
    shop                  TEXT NOT NULL,
    statement_id          TEXT NOT NULL,
    payout_id             TEXT,
    currency              TEXT NOT NULL,
    declared_total_micros INTEGER,
    period_start_raw      TEXT,
    period_start          TEXT,
    period_end_raw        TEXT,
    period_end            TEXT,
    deposit_raw           TEXT,
    deposit_at            TEXT,
    batch_id              INTEGER NOT NULL REFERENCES import_batches (id),
    source_row            INTEGER,
    -- The source row's cells, as a JSON array.
    source_cells          TEXT,
    UNIQUE (channel, shop, statement_id)
);

CREATE TABLE settlement_lines (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    channel          TEXT NOT NULL,
    shop             TEXT NOT NULL,
    statement_id     TEXT NOT NULL,
    -- Who the line is (statement, type, order, adjustment, posting time) and
    -- which of the lines with that identity: see SettlementLine::identity.
    identity         TEXT NOT NULL,
    occurrence       INTEGER NOT NULL,
    content_hash     TEXT NOT NULL,
    transaction_type TEXT NOT NULL,
    order_id         TEXT,
    adjustment_id    TEXT,
    posted_raw       TEXT,
    posted_at        TEXT,
    currency         TEXT NOT NULL,
    net_micros       INTEGER NOT NULL,
    batch_id         INTEGER NOT NULL REFERENCES import_batches (id),
    UNIQUE (channel, shop, identity, occurrence)
);
CREATE INDEX settlement_lines_by_order ON settlement_lines (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX settlement_lines_by_statement ON settlement_lines (channel, shop, statement_id);

CREATE TABLE settlement_components (
    line_id       INTEGER NOT NULL REFERENCES settlement_lines (id),
    seq           INTEGER NOT NULL,
    code          TEXT NOT NULL,
    label         TEXT NOT NULL,
    amount_micros INTEGER NOT NULL,
    PRIMARY KEY (line_id, seq)
);

CREATE TABLE settlement_line_rows (
    line_id    INTEGER NOT NULL REFERENCES settlement_lines (id),
    seq        INTEGER NOT NULL,
    sheet      TEXT,
    source_row INTEGER NOT NULL,
    -- The row's cells, as a JSON array.
    cells      TEXT NOT NULL,
    PRIMARY KEY (line_id, seq)
);

CREATE TRIGGER import_batches_append_only_update BEFORE UPDATE ON import_batches
BEGIN SELECT RAISE(ABORT, 'import_batches is append-only'); END;
CREATE TRIGGER import_batches_append_only_delete BEFORE DELETE ON import_batches
BEGIN SELECT RAISE(ABORT, 'import_batches is append-only'); END;
CREATE TRIGGER import_files_append_only_update BEFORE UPDATE ON import_files
BEGIN SELECT RAISE(ABORT, 'import_files is append-only'); END;
CREATE TRIGGER import_files_append_only_delete BEFORE DELETE ON import_files
BEGIN SELECT RAISE(ABORT, 'import_files is append-only'); END;
CREATE TRIGGER statements_append_only_update BEFORE UPDATE ON statements
BEGIN SELECT RAISE(ABORT, 'statements is append-only'); END;
CREATE TRIGGER statements_append_only_delete BEFORE DELETE ON statements
BEGIN SELECT RAISE(ABORT, 'statements is append-only'); END;
CREATE TRIGGER settlement_lines_append_only_update BEFORE UPDATE ON settlement_lines
BEGIN SELECT RAISE(ABORT, 'settlement_lines is append-only'); END;
CREATE TRIGGER settlement_lines_append_only_delete BEFORE DELETE ON settlement_lines
BEGIN SELECT RAISE(ABORT, 'settlement_lines is append-only'); END;
CREATE TRIGGER settlement_components_append_only_update BEFORE UPDATE ON settlement_components
BEGIN SELECT RAISE(ABORT, 'settlement_components is append-only'); END;
CREATE TRIGGER settlement_components_append_only_delete BEFORE DELETE ON settlement_components
BEGIN SELECT RAISE(ABORT, 'settlement_components is append-only'); END;
CREATE TRIGGER settlement_line_rows_append_only_update BEFORE UPDATE ON settlement_line_rows
BEGIN SELECT RAISE(ABORT, 'settlement_line_rows is append-only'); END;
CREATE TRIGGER settlement_line_rows_append_only_delete BEFORE DELETE ON settlement_line_rows
BEGIN SELECT RAISE(ABORT, 'settlement_line_rows is append-only'); END;
