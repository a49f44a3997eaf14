-- The ledger: chart of accounts, append-only entries and postings linked by
-- a hash chain, and the close/reopen history of periods.

CREATE TABLE accounts (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    account_type TEXT NOT NULL CHECK (account_type IN ('asset', 'liability', 'equity', 'income', 'expense')),
    netsuite_id  TEXT,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- One row: the last entry of the chain. Every ledger write locks it, which
-- is what serializes writers.
CREATE TABLE ledger_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq  BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO ledger_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE entries (
    seq             BIGINT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    entry_date      DATE NOT NULL,
    kind            TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- An entry is reversed at most once: the database holds that, not only the code.
    reverses        BIGINT UNIQUE REFERENCES entries (seq),
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL UNIQUE,
    CHECK (reverses IS NULL OR reverses < seq)
);
CREATE INDEX entries_by_date ON entries (entry_date);

CREATE TABLE postings (
    entry_seq       BIGINT NOT NULL REFERENCES entries (seq),
    line_no         BIGINT NOT NULL,
    -- The entry's date again, so balances by date need not join entries.
    entry_date      DATE NOT NULL,
    account         TEXT NOT NULL REFERENCES accounts (code),
    side            TEXT NOT NULL CHECK (side IN ('debit', 'credit')),
    amount_micros   BIGINT NOT NULL CHECK (amount_micros > 0),
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    memo            TEXT,
    subsidiary      TEXT,
    department      TEXT,
    class           TEXT,
    location        TEXT,
    channel         TEXT,
    shop            TEXT,
    order_id        TEXT,
    statement_id    TEXT,
    payout_id       TEXT,
    batch_id        BIGINT,
    sheet           TEXT,
    source_row      BIGINT,
    mapping_version TEXT,
    PRIMARY KEY (entry_seq, line_no)
);
CREATE INDEX postings_by_date ON postings (entry_date, account, currency);
CREATE INDEX postings_by_account ON postings (account, entry_date);
CREATE INDEX postings_by_order ON postings (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX postings_by_payout ON postings (payout_id) WHERE payout_id IS NOT NULL;

-- Close and reopen, in order. A period's state is its latest event.
CREATE TABLE period_events (
    id        BIGSERIAL PRIMARY KEY,
    period    TEXT NOT NULL CHECK (period ~ '^[0-9]{4}-[0-1][0-9]$'),
    action    TEXT NOT NULL CHECK (action IN ('close', 'reopen')),
    reason    TEXT,
    actor     TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    head_seq  BIGINT,
    head_hash TEXT,
    seal_hash TEXT,
    CHECK ((action = 'close') = (seal_hash IS NOT NULL AND head_seq IS NOT NULL AND head_hash IS NOT NULL)),
    CHECK (action = 'close' OR length(trim(reason)) > 0)
);
CREATE INDEX period_events_by_period ON period_events (period, id);

-- Append-only: the database itself refuses to change or remove history.
CREATE FUNCTION settlebridge_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: correct an entry by reversing it', TG_TABLE_NAME
        USING ERRCODE = 'raise_exception';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER period_events_append_only BEFORE UPDATE OR DELETE ON period_events
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER period_events_no_truncate BEFORE TRUNCATE ON period_events
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
