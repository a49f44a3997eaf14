-- Streaming imports (results written at the end, the original in chunks),
-- orders (from order exports) and payouts (the transfers that reach the
-- bank), with the rows they were read from. Append-only like every import
-- table: a re-import adds only what is new, a changed order adds a revision.

-- What an import found, written when it ends (the batch row is written when
-- it starts, so lines can name it while the file streams in). Supersedes the
-- counts and header kept on import_batches by 0002, which new imports leave
-- at zero.
CREATE TABLE import_results (
    batch_id          INTEGER PRIMARY KEY REFERENCES import_batches (id),
    rows_read         INTEGER NOT NULL,
    statements_new    INTEGER NOT NULL,
    lines_new         INTEGER NOT NULL,
    lines_duplicate   INTEGER NOT NULL,
    orders_new        INTEGER NOT NULL,
    orders_duplicate  INTEGER NOT NULL,
    -- Of orders_new, orders stored before with other amounts (a revision).
    orders_revised    INTEGER NOT NULL,
    payouts_new       INTEGER NOT NULL,
    payouts_duplicate INTEGER NOT NULL,
    -- The header row's cells and the importer's warnings, as JSON arrays.
    header            TEXT NOT NULL,
    warnings          TEXT NOT NULL
);
INSERT INTO import_results (batch_id, rows_read, statements_new, lines_new, lines_duplicate,
    orders_new, orders_duplicate, orders_revised, payouts_new, payouts_duplicate, header, warnings)
SELECT id, rows_read, 0, lines_new, lines_duplicate, 0, 0, 0, 0, 0, header, '[]'
FROM import_batches;

-- The original file, in chunks of at most 1 MiB, so a large file streams in.
CREATE TABLE import_file_chunks (
    batch_id INTEGER NOT NULL REFERENCES import_batches (id),
    seq      INTEGER NOT NULL,
    content  BLOB NOT NULL,
    PRIMARY KEY (batch_id, seq)
);

-- A settlement line's components and source rows, one row per line instead
-- of one per component and row: a million-line import writes a million rows
-- here, not fifteen million. Supersedes settlement_components and
-- settlement_line_rows (0002), whose rows are copied here.
-- components:  JSON [[code, label, amount_micros], ...] in the file's order
-- source_rows: JSON [[sheet or null, row, [cells...]], ...]
CREATE TABLE settlement_line_details (
    line_id     INTEGER PRIMARY KEY REFERENCES settlement_lines (id),
    components  TEXT NOT NULL,
    source_rows TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO settlement_line_details (line_id, components, source_rows)
SELECT l.id,
    COALESCE((SELECT json_group_array(json_array(c.code, c.label, c.amount_micros))
              FROM (SELECT * FROM settlement_components WHERE line_id = l.id ORDER BY seq) c), '[]'),
    COALESCE((SELECT json_group_array(json_array(r.sheet, r.source_row, json(r.cells)))
              FROM (SELECT * FROM settlement_line_rows WHERE line_id = l.id ORDER BY seq) r), '[]')
FROM settlement_lines l;

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    channel         TEXT NOT NULL,
    shop            TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    -- 1 for the order as first imported; a later export that shows other
    -- amounts adds revision 2, and so on. Nothing is overwritten.
    revision        INTEGER NOT NULL,
    content_hash    TEXT NOT NULL,
    alt_id          TEXT,
    status          TEXT,
    currency        TEXT NOT NULL,
    created_raw     TEXT,
    created_at      TEXT,
    total_micros    INTEGER,
    refunded_micros INTEGER,
    batch_id        INTEGER NOT NULL REFERENCES import_batches (id),
    UNIQUE (channel, shop, order_id, revision)
);

CREATE TABLE order_lines (
    order_ref         INTEGER NOT NULL REFERENCES orders (id),
    line_no           INTEGER NOT NULL,
    sku               TEXT,
    sku_id            TEXT,
    name              TEXT NOT NULL,
    quantity_micros   INTEGER NOT NULL,
    unit_price_micros INTEGER,
    PRIMARY KEY (order_ref, line_no)
);

-- line_no 0 holds the order-level amounts.
CREATE TABLE order_amounts (
    order_ref     INTEGER NOT NULL REFERENCES orders (id),
    line_no       INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    code          TEXT NOT NULL,
    label         TEXT NOT NULL,
    amount_micros INTEGER NOT NULL,
    PRIMARY KEY (order_ref, line_no, seq)
);

CREATE TABLE order_rows (
    order_ref  INTEGER NOT NULL REFERENCES orders (id),
    seq        INTEGER NOT NULL,
    sheet      TEXT,
    source_row INTEGER NOT NULL,
    -- The row's cells, as a JSON array.
    cells      TEXT NOT NULL,
    PRIMARY KEY (order_ref, seq)
);

-- A later export showing the same order (same amounts) with another status
-- or refunded amount: recorded as an observation, the order itself unchanged.
CREATE TABLE order_observations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_ref       INTEGER NOT NULL REFERENCES orders (id),
    batch_id        INTEGER NOT NULL REFERENCES import_batches (id),
    status          TEXT,
    refunded_micros INTEGER
);

CREATE TABLE payouts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    channel            TEXT NOT NULL,
    shop               TEXT NOT NULL,
    payout_id          TEXT NOT NULL,
    currency           TEXT NOT NULL,
    amount_micros      INTEGER NOT NULL,
    paid_raw           TEXT,
    paid_at            TEXT,
    status             TEXT,
    bank_amount_micros INTEGER,
    bank_currency      TEXT,
    -- The channel's rate as a decimal string.
    exchange_rate      TEXT,
    bank_account       TEXT,
    batch_id           INTEGER NOT NULL REFERENCES import_batches (id),
    source_sheet       TEXT,
    source_row         INTEGER,
    -- The source row's cells, as a JSON array.
    source_cells       TEXT,
    UNIQUE (channel, shop, payout_id)
);

CREATE INDEX orders_by_order_id ON orders (order_id);
-- Reading back the ids of the lines an import just wrote.
CREATE INDEX settlement_lines_by_batch ON settlement_lines (batch_id);
CREATE INDEX payouts_by_payout_id ON payouts (payout_id);

CREATE TRIGGER orders_append_only_update BEFORE UPDATE ON orders
BEGIN SELECT RAISE(ABORT, 'orders is append-only'); END;
CREATE TRIGGER orders_append_only_delete BEFORE DELETE ON orders
BEGIN SELECT RAISE(ABORT, 'orders is append-only'); END;
CREATE TRIGGER order_lines_append_only_update BEFORE UPDATE ON order_lines
BEGIN SELECT RAISE(ABORT, 'order_lines is append-only'); END;
CREATE TRIGGER order_lines_append_only_delete BEFORE DELETE ON order_lines
BEGIN SELECT RAISE(ABORT, 'order_lines is append-only'); END;
CREATE TRIGGER order_amounts_append_only_update BEFORE UPDATE ON order_amounts
BEGIN SELECT RAISE(ABORT, 'order_amounts is append-only'); END;
CREATE TRIGGER order_amounts_append_only_delete BEFORE DELETE ON order_amounts
BEGIN SELECT RAISE(ABORT, 'order_amounts is append-only'); END;
CREATE TRIGGER order_rows_append_only_update BEFORE UPDATE ON order_rows
BEGIN SELECT RAISE(ABORT, 'order_rows is append-only'); END;
CREATE TRIGGER order_rows_append_only_delete BEFORE DELETE ON order_rows
BEGIN SELECT RAISE(ABORT, 'order_rows is append-only'); END;
CREATE TRIGGER order_observations_append_only_update BEFORE UPDATE ON order_observations
BEGIN SELECT RAISE(ABORT, 'order_observations is append-only'); END;
CREATE TRIGGER order_observations_append_only_delete BEFORE DELETE ON order_observations
BEGIN SELECT RAISE(ABORT, 'order_observations is append-only'); END;
CREATE TRIGGER payouts_append_only_update BEFORE UPDATE ON payouts
BEGIN SELECT RAISE(ABORT, 'payouts is append-only'); END;
CREATE TRIGGER payouts_append_only_delete BEFORE DELETE ON payouts
BEGIN SELECT RAISE(ABORT, 'payouts is append-only'); END;
CREATE TRIGGER import_results_append_only_update BEFORE UPDATE ON import_results
BEGIN SELECT RAISE(ABORT, 'import_results is append-only'); END;
CREATE TRIGGER import_results_append_only_delete BEFORE DELETE ON import_results
BEGIN SELECT RAISE(ABORT, 'import_results is append-only'); END;
CREATE TRIGGER import_file_chunks_append_only_update BEFORE UPDATE ON import_file_chunks
BEGIN SELECT RAISE(ABORT, 'import_file_chunks is append-only'); END;
CREATE TRIGGER import_file_chunks_append_only_delete BEFORE DELETE ON import_file_chunks
BEGIN SELECT RAISE(ABORT, 'import_file_chunks is append-only'); END;
CREATE TRIGGER settlement_line_details_append_only_update BEFORE UPDATE ON settlement_line_details
BEGIN SELECT RAISE(ABORT, 'settlement_line_details is append-only'); END;
CREATE TRIGGER settlement_line_details_append_only_delete BEFORE DELETE ON settlement_line_details
BEGIN SELECT RAISE(ABORT, 'settlement_line_details is append-only'); END;
