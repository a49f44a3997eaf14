-- Streaming imports (results written at the end, the original in chunks),
-- orders (from order exports) and payouts (the transfers that reach the
-- bank), with the rows they were read from. Append-only like every import
-- table: a re-import adds only what is new, a changed order adds a revision.

-- What an import found, written when it ends (the batch row is written when
-- it starts, so lines can name it while the file streams in). Supersedes the
-- counts and header kept on import_batches by 0002, which new imports leave
-- at zero.
CREATE TABLE import_results (
    batch_id          BIGINT PRIMARY KEY REFERENCES import_batches (id),
    rows_read         BIGINT NOT NULL,
    statements_new    BIGINT NOT NULL,
    lines_new         BIGINT NOT NULL,
    lines_duplicate   BIGINT NOT NULL,
    orders_new        BIGINT NOT NULL,
    orders_duplicate  BIGINT NOT NULL,
    -- Of orders_new, orders stored before with other amounts (a revision).
    orders_revised    BIGINT NOT NULL,
    payouts_new       BIGINT NOT NULL,
    payouts_duplicate BIGINT NOT NULL,
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
    batch_id BIGINT NOT NULL REFERENCES import_batches (id),
    seq      BIGINT NOT NULL,
    content  BYTEA NOT NULL,
    PRIMARY KEY (batch_id, seq)
);

-- A settlement line's components and source rows, one row per line instead
-- of one per component and row: a million-line import writes a million rows
-- here, not fifteen million. Supersedes settlement_components and
-- settlement_line_rows (0002), whose rows are copied here.
-- components:  JSON [[code, label, amount_micros], ...] in the file's order
-- source_rows: JSON [[sheet or null, row, [cells...]], ...]
CREATE TABLE settlement_line_details (
    line_id     BIGINT PRIMARY KEY REFERENCES settlement_lines (id),
    components  TEXT NOT NULL,
    source_rows TEXT NOT NULL
);
INSERT INTO settlement_line_details (line_id, components, source_rows)
SELECT l.id,
    COALESCE((SELECT json_agg(json_build_array(c.code, c.label, c.amount_micros) ORDER BY c.seq)::text
              FROM settlement_components c WHERE c.line_id = l.id), '[]'),
    COALESCE((SELECT json_agg(json_build_array(r.sheet, r.source_row, r.cells::json) ORDER BY r.seq)::text
              FROM settlement_line_rows r WHERE r.line_id = l.id), '[]')
FROM settlement_lines l;

-- Line ids are assigned by the importer, which holds the writers' lock
-- (see store/sql_import.rs); a default would hand out ids that collide.
ALTER TABLE settlement_lines ALTER COLUMN id DROP DEFAULT;

CREATE TABLE orders (
    id              BIGSERIAL PRIMARY KEY,
    channel         TEXT NOT NULL,
    shop            TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    -- 1 for the order as first imported; a later export that shows other
    -- amounts adds revision 2, and so on. Nothing is overwritten.
    revision        BIGINT NOT NULL,
    content_hash    TEXT NOT NULL,
    alt_id          TEXT,
    status          TEXT,
    currency        TEXT NOT NULL,
    created_raw     TEXT,
    created_at      TIMESTAMPTZ,
    total_micros    BIGINT,
    refunded_micros BIGINT,
    batch_id        BIGINT NOT NULL REFERENCES import_batches (id),
    UNIQUE (channel, shop, order_id, revision)
);

CREATE TABLE order_lines (
    order_ref         BIGINT NOT NULL REFERENCES orders (id),
    line_no           BIGINT NOT NULL,
    sku               TEXT,
    sku_id            TEXT,
    name              TEXT NOT NULL,
    quantity_micros   BIGINT NOT NULL,
    unit_price_micros BIGINT,
    PRIMARY KEY (order_ref, line_no)
);

-- line_no 0 holds the order-level amounts.
CREATE TABLE order_amounts (
    order_ref     BIGINT NOT NULL REFERENCES orders (id),
    line_no       BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    code          TEXT NOT NULL,
    label         TEXT NOT NULL,
    amount_micros BIGINT NOT NULL,
    PRIMARY KEY (order_ref, line_no, seq)
);

CREATE TABLE order_rows (
    order_ref  BIGINT NOT NULL REFERENCES orders (id),
    seq        BIGINT NOT NULL,
    sheet      TEXT,
    source_row BIGINT NOT NULL,
    -- The row's cells, as a JSON array.
    cells      TEXT NOT NULL,
    PRIMARY KEY (order_ref, seq)
);

-- A later export showing the same order (same amounts) with another status
-- or refunded amount: recorded as an observation, the order itself unchanged.
CREATE TABLE order_observations (
    id              BIGSERIAL PRIMARY KEY,
    order_ref       BIGINT NOT NULL REFERENCES orders (id),
    batch_id        BIGINT NOT NULL REFERENCES import_batches (id),
    status          TEXT,
    refunded_micros BIGINT
);

CREATE TABLE payouts (
    id                 BIGSERIAL PRIMARY KEY,
    channel            TEXT NOT NULL,
    shop               TEXT NOT NULL,
    payout_id          TEXT NOT NULL,
    currency           TEXT NOT NULL,
    amount_micros      BIGINT NOT NULL,
    paid_raw           TEXT,
    paid_at            TIMESTAMPTZ,
    status             TEXT,
    bank_amount_micros BIGINT,
    bank_currency      TEXT,
    -- The channel's rate as a decimal string.
    exchange_rate      TEXT,
    bank_account       TEXT,
    batch_id           BIGINT NOT NULL REFERENCES import_batches (id),
    source_sheet       TEXT,
    source_row         BIGINT,
    -- The source row's cells, as a JSON array.
    source_cells       TEXT,
    UNIQUE (channel, shop, payout_id)
);

CREATE INDEX orders_by_order_id ON orders (order_id);
-- Reading back the ids of the lines an import just wrote.
CREATE INDEX settlement_lines_by_batch ON settlement_lines (batch_id);
CREATE INDEX payouts_by_payout_id ON payouts (payout_id);

CREATE TRIGGER orders_append_only BEFORE UPDATE OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER orders_no_truncate BEFORE TRUNCATE ON orders
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER order_lines_append_only BEFORE UPDATE OR DELETE ON order_lines
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER order_lines_no_truncate BEFORE TRUNCATE ON order_lines
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER order_amounts_append_only BEFORE UPDATE OR DELETE ON order_amounts
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER order_amounts_no_truncate BEFORE TRUNCATE ON order_amounts
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER order_rows_append_only BEFORE UPDATE OR DELETE ON order_rows
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER order_rows_no_truncate BEFORE TRUNCATE ON order_rows
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER order_observations_append_only BEFORE UPDATE OR DELETE ON order_observations
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER order_observations_no_truncate BEFORE TRUNCATE ON order_observations
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER payouts_append_only BEFORE UPDATE OR DELETE ON payouts
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER payouts_no_truncate BEFORE TRUNCATE ON payouts
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER import_results_append_only BEFORE UPDATE OR DELETE ON import_results
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER import_results_no_truncate BEFORE TRUNCATE ON import_results
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER import_file_chunks_append_only BEFORE UPDATE OR DELETE ON import_file_chunks
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER import_file_chunks_no_truncate BEFORE TRUNCATE ON import_file_chunks
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER settlement_line_details_append_only BEFORE UPDATE OR DELETE ON settlement_line_details
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER settlement_line_details_no_truncate BEFORE TRUNCATE ON settlement_line_details
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
