-- The web app's people and their sessions, and the audit log of what anyone
-- did (through the web or the command line).
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'accountant', 'auditor')),
    -- argon2id in PHC string form; the password itself is never stored.
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    disabled_at   TIMESTAMPTZ
);

-- A session is known by the SHA-256 of its cookie value, so a copy of the
-- database cannot be replayed as a login. Its CSRF token travels in forms.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions (user_id);

-- Who did what and when: append-only evidence for the auditor.
CREATE TABLE audit_log (
    id      BIGSERIAL PRIMARY KEY,
    at      TIMESTAMPTZ NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT,
    remote  TEXT
);
CREATE INDEX audit_log_by_action ON audit_log (action, id);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION settlebridge_refuse_change();

-- The ledger page filters entries by shop and account; search finds
-- payouts by id and entries by amount.
CREATE INDEX postings_by_shop ON postings (shop, entry_date) WHERE shop IS NOT NULL;
CREATE INDEX postings_by_amount ON postings (amount_micros);

-- Each shop's standing as of its last reconcile (match summary, unmapped
-- components, months with activity) as JSON: what the dashboard shows
-- without re-reading a shop's million orders. Rewritten by every reconcile.
CREATE TABLE shop_standings (
    channel    TEXT NOT NULL,
    shop       TEXT NOT NULL,
    standing   TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (channel, shop)
);
