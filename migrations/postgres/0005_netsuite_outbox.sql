-- The NetSuite outbox. Each document is one NetSuite journal entry to be:
-- pending, posted (with NetSuite's internal id and when) or failed (with
-- NetSuite's message). Which ledger entries a document carries is fixed when
-- it is queued — an entry belongs to exactly one document, ever — and its
-- external id is what makes a retry after any crash an upsert of the same
-- record, never a second one.
CREATE TABLE netsuite_documents (
    external_id TEXT PRIMARY KEY,
    -- The planned journal entry (lines, accounts, rounded amounts) as JSON.
    document    TEXT NOT NULL,
    tran_date   DATE NOT NULL,
    currency    TEXT NOT NULL,
    line_count  BIGINT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'failed')),
    internal_id TEXT,
    posted_at   TIMESTAMPTZ,
    attempts    BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT,
    -- The exact JSON last sent, for the auditor.
    last_body   TEXT,
    -- A run sending this document holds it until then, so two runs at
    -- once never both send it (a killed run's hold simply expires).
    claimed_by    TEXT,
    claimed_until TIMESTAMPTZ,
    queued_at   TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX netsuite_documents_by_status ON netsuite_documents (status, tran_date);

CREATE TABLE netsuite_document_entries (
    entry_seq   BIGINT PRIMARY KEY REFERENCES entries (seq),
    external_id TEXT NOT NULL REFERENCES netsuite_documents (external_id)
);
CREATE INDEX netsuite_document_entries_by_document ON netsuite_document_entries (external_id);

-- Every request the poster made and what came of it: append-only evidence.
CREATE TABLE netsuite_attempts (
    id           BIGSERIAL PRIMARY KEY,
    external_id  TEXT NOT NULL REFERENCES netsuite_documents (external_id),
    attempted_at TIMESTAMPTZ NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('posted', 'retry', 'failed', 'stopped')),
    http_status  BIGINT,
    detail       TEXT
);
CREATE INDEX netsuite_attempts_by_document ON netsuite_attempts (external_id);

CREATE TRIGGER netsuite_document_entries_append_only BEFORE UPDATE OR DELETE ON netsuite_document_entries
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER netsuite_attempts_append_only BEFORE UPDATE OR DELETE ON netsuite_attempts
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();
CREATE TRIGGER netsuite_documents_no_delete BEFORE DELETE ON netsuite_documents
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();

-- A posted document stays posted: NetSuite holds it.
CREATE FUNCTION settlebridge_posted_stays() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'posted' AND (NEW.status <> 'posted' OR NEW.internal_id IS DISTINCT FROM OLD.internal_id) THEN
        RAISE EXCEPTION 'a posted NetSuite document cannot change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER netsuite_documents_posted_stays BEFORE UPDATE ON netsuite_documents
    FOR EACH ROW EXECUTE FUNCTION settlebridge_posted_stays();
