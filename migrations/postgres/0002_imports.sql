-- Imported channel files: the batch (who, when, which file, its hash), the
-- original bytes kept as evidence, and what the file says — statements,
-- settlement lines, their components and the raw rows behind them.
-- Everything here is append-only: a re-import adds only what is new.

CREATE TABLE import_batches (
    id              BIGSERIAL PRIMARY KEY,
    file_name       TEXT NOT NULL,
    sha256          TEXT NOT NULL UNIQUE,
    size_bytes      BIGINT NOT NULL,
    source_kind     TEXT NOT NULL,
    shop            TEXT NOT NULL,
    imported_by     TEXT NOT NULL,
    imported_at     TIMESTAMPTZ NOT NULL,
    -- The header row's cells, as a JSON array.
    header          TEXT NOT NULL,
    rows_read       BIGINT NOT NULL,
    lines_new       BIGINT NOT NULL,
    lines_duplicate BIGINT NOT NULL
);

CREATE TABLE import_files (
    batch_id BIGINT PRIMARY KEY REFERENCES import_batches (id),
    content  BYTEA NOT NULL
);

CREATE TABLE statements (
    id                    BIGSERIAL PRIMARY KEY,
    channel               TEXT NOT NULL,
    shop                  TEXT NOT NULL,
    statement_id          TEXT NOT NULL,
    payout_id             TEXT,
    currency              TEXT NOT NULL,
    declared_total_micros BIGINT,
    period_start_raw      TEXT,
    period_start          TIMESTAMPTZ,
    period_end_raw        TEXT,
    period_end            TIMESTAMPTZ,
    deposit_raw           TEXT,
    deposit_at            TIMESTAMPTZ,
    batch_id              BIGINT NOT NULL REFERENCES import_batches (id),
    source_row            BIGINT,
    -- The source row's cells, as a JSON array.
    source_cells          TEXT,
    UNIQUE (channel, shop, statement_id)
);

CREATE TABLE settlement_lines (
    id               BIGSERIAL PRIMARY KEY,
    channel          TEXT NOT NULL,
    shop             TEXT NOT NULL,
    statement_id     TEXT NOT NULL,
    -- Who the line is (statement, type, order, adjustment, posting time) and
    -- which of the lines with that identity: see SettlementLine::identity.
    identity         TEXT NOT NULL,
    occurrence       BIGINT NOT NULL,
    content_hash     TEXT NOT NULL,
    transaction_type TEXT NOT NULL,
    order_id         TEXT,
    adjustment_id    TEXT,
    posted_raw       TEXT,
    posted_at        TIMESTAMPTZ,
    currency         TEXT NOT NULL,
    net_micros       BIGINT NOT NULL,
    batch_id         BIGINT NOT NULL REFERENCES import_batches (id),
    UNIQUE (channel, shop, identity, occurrence)
);
CREATE INDEX settlement_lines_by_order ON settlement_lines (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX settlement_lines_by_statement ON settlement_lines (channel, shop, statement_id);

CREATE TABLE settlement_components (
    line_id       BIGINT NOT NULL REFERENCES settlement_lines (id),
    seq           BIGINT NOT NULL,
    code          TEXT NOT NULL,
    label         TEXT NOT NULL,
    amount_micros BIGINT NOT NULL,
    PRIMARY KEY (line_id, seq)
);

CREATE TABLE settlement_line_rows (
    line_id    BIGINT NOT NULL REFERENCES settlement_lines (id),
    seq        BIGINT NOT NULL,
    sheet      TEXT,
    source_row BIGINT NOT NULL,
    -- The row's cells, as a JSON array.
    cells      TEXT NOT NULL,
    PRIMARY KEY (line_id, seq)
);

CREATE TRIGGER import_batches_append_only BEFORE UPDATE OR DELETE ON import_batches
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER import_files_append_only BEFORE UPDATE OR DELETE ON import_files
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER statements_append_only BEFORE UPDATE OR DELETE ON statements
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER settlement_lines_append_only BEFORE UPDATE OR DELETE ON settlement_lines
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER settlement_components_append_only BEFORE UPDATE OR DELETE ON settlement_components
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER settlement_line_rows_append_only BEFORE UPDATE OR DELETE ON settlement_line_rows
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER import_tables_no_truncate BEFORE TRUNCATE ON settlement_lines
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
